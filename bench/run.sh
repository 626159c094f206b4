#!/usr/bin/env bash
# The scale benchmark of issue 9, or the JMH microbenchmarks. Not run in CI.
#
#   bench/run.sh [--scenarios 100,500,1000,1000bad,5000bad] [--warmup 30] [--window 45]
#                [--scrape-every 15] [--scrape-burst 10] [--floors native,nio,java,vt]
#                [--floor-warmup 30] [--jfr true]
#   bench/run.sh --jmh [JMH options, e.g. -f 1 -wi 2 -i 3 RenderBenchmark]
#
# /metrics is scraped as Prometheus scrapes (its Accept header, gzip) every 15 s in the window
# (--scrape-every), then 10 rounds (--scrape-burst) of one plain and one Prometheus-like scrape.
# Builds (into $QGA_BENCH_BUILD, default /tmp/build-bench) when the jars are missing or older
# than the sources; the native floor (bench/floor/floor.c) with gcc -O2. Per scenario: simulated
# agents in their own JVM, the exporter as shipped (java $EXPORTER_JAVA_OPTS -jar
# qga-exporter.jar run --config GENERATED; default options are those of the launcher
# packaging/qga-exporter), a warm-up, a measured window, then the floors (native: bench/floor/floor.c;
# nio: NioFloor; java: FloorClient) on the same agents for the same window. With --jfr true the exporter's window is recorded
# with JFR into the scenario's directory. Prints a markdown table and writes it to
# $QGA_BENCH_BUILD/last-run.md together with the machine's description.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${QGA_BENCH_BUILD:-/tmp/build-bench}
jar=$build/qga-exporter/qga-exporter.jar
classes=$build/qga-bench/classes

newest_source=$(find client/src/main simulator/src/main testsupport/src/main collectors/src/main exporter/src/main bench/src/main -name '*.java' -newer "$jar" -print -quit 2>/dev/null || true)
if [[ ! -f $jar || ! -d $classes || -n $newest_source ]]; then
  echo "bench: building into $build" >&2
  mvn -B -q -ntp "-Dqga.target=$build/\${project.artifactId}" -DskipTests -pl bench -am package >&2
fi

if [[ ${1:-} == --jmh ]]; then
  shift
  m2=${MAVEN_REPO:-$HOME/.m2/repository}
  # the benchmarks parse the reply fixtures, which are test data and not in the exporter jar
  cp=$classes:$jar:$build/qga-testsupport/classes
  for dep in org/openjdk/jmh/jmh-core/1.37/jmh-core-1.37.jar \
             net/sf/jopt-simple/jopt-simple/5.0.4/jopt-simple-5.0.4.jar \
             org/apache/commons/commons-math3/3.6.1/commons-math3-3.6.1.jar; do
    [[ -f $m2/$dep ]] || { echo "bench: missing $m2/$dep (run mvn once online)" >&2; exit 1; }
    cp=$cp:$m2/$dep
  done
  exec java -cp "$cp" org.openjdk.jmh.Main "$@"
fi

floor=$build/floor
if [[ ! -x $floor || bench/floor/floor.c -nt $floor ]]; then
  gcc -O2 -Wall -o "$floor" bench/floor/floor.c
fi
# one socket per agent in the fleet, one per connection in each client: thousands of files
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

load=$(cut -d' ' -f1 /proc/loadavg)
cores=$(nproc)
if awk -v l="$load" -v c="$cores" 'BEGIN{exit !(l > c)}'; then
  echo "bench: warning: load average $load on $cores cores; other work will distort the results" >&2
fi

work=$build/work
mkdir -p "$work"
table=$work/table.md
java -cp "$classes:$jar" io.qga.bench.Bench --jar "$jar" --cp "$classes:$jar" --work "$work" \
  --floor-bin "$floor" --out "$table" "$@"

{
  echo "Run: $(date -u +%Y-%m-%dT%H:%MZ) on $(hostname): $cores cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)),"
  echo "$(free -m | awk '/Mem:/{print $2}') MiB memory, $(java -version 2>&1 | head -1), load average before the run $load, after it $(cut -d' ' -f1 /proc/loadavg)."
  echo "Exporter JVM options: ${EXPORTER_JAVA_OPTS:--Xms32m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError}."
  echo
  cat "$table"
} > "$build/last-run.md"
echo "bench: written to $build/last-run.md" >&2
