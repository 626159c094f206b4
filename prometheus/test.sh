#!/usr/bin/env bash
# Tests the Grafana dashboards and Prometheus rules (run by tests/run-all.sh):
#   1. dashboards are well-formed and up to date with grafana/generate.py (python3 only)
#   2. promtool check rules / check config / test rules, and every alert has firing and
#      not-firing tests
#   3. real Prometheus: starts the exporter in demo mode and Prometheus (scraping every second,
#      rule files loaded) on free loopback ports, then evaluates every panel query of every
#      dashboard and every rule through Prometheus's HTTP API (prometheus/check.py live)
# Exits non-zero on any failure; the last line is "N passed, N failed".
# Without prometheus/promtool/java it skips 2-3 with a message, unless QGA_REQUIRE_REAL=1.
#
# Environment:
#   QGA_JAR=PATH          the exporter jar (default exporter/target/qga-exporter.jar, built
#                         with Maven when missing or older than the sources)
#   QGA_DEMO_DOMAINS=N    simulated domains in the demo (default 6: every Linux flavour and Windows)
#   QGA_METRICS_FILE=PATH serve this static exposition file instead of running the demo (for
#                         working on the dashboards without the exporter; not a substitute)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}
# runs a command as one check
check() {
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
# runs prometheus/check.py and adds its counts
check_py() {
  local out
  out=$(python3 prometheus/check.py "$@" 2>&1)
  echo "$out" | grep -v '^RESULT '
  local result
  result=$(echo "$out" | grep '^RESULT ' | tail -1)
  if [ -z "$result" ]; then
    fail "prometheus/check.py $1 crashed"
    return
  fi
  local p f
  p=$(echo "$result" | sed -n 's/.*passed=\([0-9]*\).*/\1/p')
  f=$(echo "$result" | sed -n 's/.*failed=\([0-9]*\).*/\1/p')
  passed=$((passed + p))
  failed=$((failed + f))
}
# a missing program: skip, or fail under QGA_REQUIRE_REAL=1
missing() {
  if [ "${QGA_REQUIRE_REAL:-0}" = 1 ]; then
    fail "$1 is required (QGA_REQUIRE_REAL=1) but missing: $2"
  else
    echo "SKIP - $2 (install the Debian package, or set QGA_REQUIRE_REAL=1 to fail instead)"
  fi
}

if ! command -v python3 >/dev/null; then
  missing python3 "python3 not found: dashboard checks skipped"
  finish
fi

echo "# dashboards"
check_py lint

echo "# rule templates"
check "prometheus/rules/ is prometheus/render.py's output with the default settings" \
  python3 prometheus/render.py --check

echo "# promtool"
if ! command -v promtool >/dev/null; then
  missing promtool "promtool not found (Debian package prometheus): rule checks skipped"
else
  check "promtool check rules" promtool check rules prometheus/rules/*.yaml
  custom=$(mktemp -d /tmp/qga-rules-custom.XXXXXX)
  check "rules rendered with other selectors and thresholds are valid" sh -c '
    python3 prometheus/render.py --out "$1" --set selector="job=~\"kvm-.*\", env=\"prod\"" \
      --set fs_almost_full_ratio=0.9 --set runbook_base=https://wiki.example/qga/operations.md >/dev/null &&
    promtool check rules "$1"/*.yaml >/dev/null &&
    grep -q "qga_up{job=~\"kvm-.*\", env=\"prod\"} == 0" "$1/qga-alerts.yaml" &&
    grep -q "> 0.9$" "$1/qga-alerts.yaml" &&
    grep -q "more than 90% used" "$1/qga-alerts.yaml" &&
    grep -q "runbook_url: \"https://wiki.example/qga/operations.md#qgaagentdown\"" "$1/qga-alerts.yaml"' _ "$custom"
  rm -rf "$custom"
  check "promtool check config prometheus/prometheus.yml" promtool check config prometheus/prometheus.yml
  check "promtool test rules" promtool test rules prometheus/tests/*.yaml
  check_py coverage
fi

echo "# real Prometheus"
if ! command -v prometheus >/dev/null; then
  missing prometheus "prometheus not found (Debian package prometheus): real-Prometheus test skipped"
  finish
fi

work=$(mktemp -d /tmp/qga-prometheus-test.XXXXXX)
pids=()
stop_all() {
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  pids=()
  rm -rf "$work"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
# waits until URL answers 200 (and, if given, its body contains TEXT), while PID lives
wait_http() {
  local url=$1 pid=$2 seconds=$3 text=${4:-}
  python3 - "$url" "$pid" "$seconds" "$text" <<'EOF'
import os, sys, time, urllib.request
url, pid, seconds, text = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
deadline = time.time() + seconds
while time.time() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(f"process {pid} exited before {url} answered")
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            if response.status == 200 and text in response.read().decode("utf-8", "replace"):
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.5)
sys.exit(f"{url} did not answer within {seconds:.0f}s")
EOF
}

exporter_port=$(free_port)
if [ -n "${QGA_METRICS_FILE:-}" ]; then
  echo "note - serving the static file $QGA_METRICS_FILE instead of the demo"
  mkdir -p "$work/static"
  cp "$QGA_METRICS_FILE" "$work/static/metrics"
  python3 -m http.server --bind 127.0.0.1 --directory "$work/static" "$exporter_port" \
    >"$work/exporter.log" 2>&1 &
  pids+=($!)
else
  if ! command -v java >/dev/null; then
    missing java "java not found: real-Prometheus test skipped"
    finish
  fi
  jar=${QGA_JAR:-exporter/target/qga-exporter.jar}
  if [ -z "${QGA_JAR:-}" ] && { [ ! -f "$jar" ] ||
    [ -n "$(find pom.xml client collectors simulator exporter \( -name pom.xml -o -path '*/src/main/*' \) \
      -newer "$jar" -print -quit 2>/dev/null)" ]; }; then
    echo "note - building $jar (missing or older than the sources)"
    check "build the exporter jar" mvn -q -B -ntp -DskipTests package
  fi
  if [ ! -f "$jar" ]; then
    fail "exporter jar $jar exists"
    finish
  fi
  java -jar "$jar" demo --domains "${QGA_DEMO_DOMAINS:-6}" --port "$exporter_port" \
    >"$work/exporter.log" 2>&1 &
  pids+=($!)
fi
exporter_pid=${pids[-1]}
if wait_http "http://127.0.0.1:$exporter_port/metrics" "$exporter_pid" 90 "qga_up"; then
  pass "exporter serves qga_up on 127.0.0.1:$exporter_port/metrics"
else
  fail "exporter serves qga_up on 127.0.0.1:$exporter_port/metrics; its log:"
  tail -n 40 "$work/exporter.log" | sed 's/^/    /'
  finish
fi

# Make actions happen, so the action panels have something to show: add a policy that trims
# every 2 s to the demo's config (written to its temp dir) and reload it. This also exercises
# the reload the "Config reload" panel shows.
if [ -z "${QGA_METRICS_FILE:-}" ]; then
  demo_dir=
  for _ in $(seq 1 40); do
    demo_dir=$(sed -n 's/^demo: .* simulated guest agents in \(.*\)\/agents; .*/\1/p' "$work/exporter.log")
    [ -n "$demo_dir" ] && break
    sleep 0.25
  done
  if [ -n "$demo_dir" ] && [ -f "$demo_dir/config.yaml" ] && ! grep -q '^policies:' "$demo_dir/config.yaml"; then
    cat >>"$demo_dir/config.yaml" <<'EOF'
policies:
  - name: prometheus-test-trim
    schedule: "0/2 * * * * ?"
    action: {fstrim: {minimum: 0}}
EOF
    check "demo reloads its config with a policy added (POST /-/reload)" python3 - "$exporter_port" <<'EOF'
import sys, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
with urllib.request.urlopen(urllib.request.Request(base + "/-/reload", data=b"", method="POST"), timeout=30) as r:
    assert r.status == 200, r.status
with urllib.request.urlopen(base + "/metrics", timeout=30) as r:
    text = r.read().decode()
assert any(l.startswith("qga_config_last_reload_successful 1") for l in text.splitlines()), "reload not successful"
EOF
  else
    fail "found the demo's config.yaml without policies (looked for the 'demo: ... agents in DIR/agents' line)"
  fi
fi

# The shipped example config, with 1 s intervals and the test's exporter as target.
prometheus_port=$(free_port)
mkdir -p "$work/rules" "$work/data"
cp prometheus/rules/*.yaml "$work/rules/"
sed -e 's/scrape_interval: 15s/scrape_interval: 1s/' -e 's/evaluation_interval: 15s/evaluation_interval: 1s/' \
  -e "s/localhost:9920/127.0.0.1:$exporter_port/" prometheus/prometheus.yml >"$work/prometheus.yml"
check "test config derived from prometheus/prometheus.yml" \
  grep -q "127.0.0.1:$exporter_port" "$work/prometheus.yml"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$prometheus_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
if wait_http "http://127.0.0.1:$prometheus_port/-/ready" "${pids[-1]}" 60; then
  pass "Prometheus ready on 127.0.0.1:$prometheus_port"
else
  fail "Prometheus ready on 127.0.0.1:$prometheus_port; its log:"
  tail -n 40 "$work/prometheus.log" | sed 's/^/    /'
  finish
fi

check_py live --prometheus "http://127.0.0.1:$prometheus_port" \
  --exporter "http://127.0.0.1:$exporter_port/metrics" --wait 120
if kill -0 "$exporter_pid" 2>/dev/null; then
  pass "exporter still running after the queries"
else
  fail "exporter still running after the queries; its log:"
  tail -n 40 "$work/exporter.log" | sed 's/^/    /'
fi
finish
