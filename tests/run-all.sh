#!/usr/bin/env bash
# Runs every test suite: Maven (unit, fake-agent, real qemu-ga, real Prometheus), then the
# suites of the other parts. Set QGA_REQUIRE_REAL=1 to fail instead of skip when a real program
# (qemu-ga, promtool, ansible, QEMU) is missing.
set -uo pipefail
cd "$(dirname "$0")/.."

failed=()
run() {
  local name=$1; shift
  echo "=== $name: $*"
  if "$@"; then echo "=== $name: ok"; else echo "=== $name: FAILED"; failed+=("$name"); fi
}

run maven mvn -B -ntp verify
for suite in prometheus/test.sh ansible/test.sh packaging/test.sh e2e/run.sh; do
  if [ -f "$suite" ]; then run "$suite" bash "$suite"; fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED suites: ${failed[*]}"
  exit 1
fi
echo "all suites passed"
