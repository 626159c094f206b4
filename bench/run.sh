#!/usr/bin/env bash
# The scale benchmark of issue 9, or the JMH microbenchmarks. Not run in CI.
#
#   bench/run.sh [--scenarios 100,500,1000,1000bad] [--warmup 30] [--window 45] [--scrape-every 15]
#   bench/run.sh --jmh [JMH options, e.g. -f 1 -wi 2 -i 3 RenderBenchmark]
#
# /metrics is scraped every 15 s in the window (--scrape-every) plus 10 timed scrapes after it.
# Builds (into $QGA_BENCH_BUILD, default /tmp/build-bench) when the jars are missing or older
# than the sources. Per scenario: simulated agents in their own JVM, the exporter as shipped
# (java $EXPORTER_JAVA_OPTS -jar qga-exporter.jar run --config GENERATED; default options are
# those of the launcher packaging/qga-exporter), a warm-up, a measured window, then the floor client
# on the same agents for the same time. Prints a markdown table and writes it to
# $QGA_BENCH_BUILD/last-run.md together with the machine's description.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${QGA_BENCH_BUILD:-/tmp/build-bench}
jar=$build/qga-exporter/qga-exporter.jar
classes=$build/qga-bench/classes

newest_source=$(find client/src/main simulator/src/main collectors/src/main exporter/src/main bench/src/main -name '*.java' -newer "$jar" -print -quit 2>/dev/null || true)
if [[ ! -f $jar || ! -d $classes || -n $newest_source ]]; then
  echo "bench: building into $build" >&2
  mvn -B -q -ntp "-Dqga.target=$build/\${project.artifactId}" -DskipTests -pl bench -am package >&2
fi

if [[ ${1:-} == --jmh ]]; then
  shift
  m2=${MAVEN_REPO:-$HOME/.m2/repository}
  cp=$classes:$jar
  for dep in org/openjdk/jmh/jmh-core/1.37/jmh-core-1.37.jar \
             net/sf/jopt-simple/jopt-simple/5.0.4/jopt-simple-5.0.4.jar \
             org/apache/commons/commons-math3/3.6.1/commons-math3-3.6.1.jar; do
    [[ -f $m2/$dep ]] || { echo "bench: missing $m2/$dep (run mvn once online)" >&2; exit 1; }
    cp=$cp:$m2/$dep
  done
  exec java -cp "$cp" org.openjdk.jmh.Main "$@"
fi

load=$(cut -d' ' -f1 /proc/loadavg)
cores=$(nproc)
if awk -v l="$load" -v c="$cores" 'BEGIN{exit !(l > c)}'; then
  echo "bench: warning: load average $load on $cores cores; other work will distort the results" >&2
fi

work=$build/work
mkdir -p "$work"
table=$work/table.md
java -cp "$classes:$jar" io.qga.bench.Bench --jar "$jar" --cp "$classes:$jar" --work "$work" \
  --out "$table" "$@"

{
  echo "Run: $(date -u +%Y-%m-%dT%H:%MZ) on $(hostname): $cores cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)),"
  echo "$(free -m | awk '/Mem:/{print $2}') MiB memory, $(java -version 2>&1 | head -1), load average before the run $load."
  echo "Exporter JVM options: ${EXPORTER_JAVA_OPTS:--Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError}."
  echo
  cat "$table"
} > "$build/last-run.md"
echo "bench: written to $build/last-run.md" >&2
