#!/usr/bin/env bash
# How long the inventory plugin takes to read a fleet: N exporters (default 2), each the real
# exporter polling M simulated agents (default 1000) with the same domain names, read by
# ansible-inventory --list through one qga.exporter.domains file with per-exporter tokens.
# Prints the wall time of ansible-inventory at concurrency 1 and 16 and the host count.
# Usage: bash ansible/bench-inventory.sh [EXPORTERS] [DOMAINS]   (QGA_JAR as in test.sh)
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=/usr/bin/python3
N=${1:-2}
M=${2:-1000}
JAR=${QGA_JAR:-$ROOT/exporter/target/qga-exporter.jar}
export ANSIBLE_COLLECTIONS_PATH=$ROOT/ansible ANSIBLE_NOCOLOR=1 ANSIBLE_PYTHON_INTERPRETER=$PY
[ -f "$JAR" ] || { echo "no exporter jar at $JAR (mvn -q -DskipTests package)"; exit 1; }
WORK=$(mktemp -d /tmp/qga-inventory-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

echo "plugin: qga.exporter.domains" >"$WORK/fleet.qga.yml"
echo "exporters:" >>"$WORK/fleet.qga.yml"
for i in $(seq "$N"); do
  dir=$WORK/hv$i
  mkdir -p "$dir/agents" "$dir/state"
  java -Xmx256m -cp "$JAR" io.qga.sim.SimulatorMain --dir "$dir/agents" --domains "$M" \
    --prefix vm- >"$dir/sim.log" 2>&1 &
  PIDS+=($!)
  $PY -c 'import secrets; print(secrets.token_hex(24))' >"$dir/token"
  port=$(free_port)
  cat >"$dir/config.yaml" <<EOF
server:
  listen: "127.0.0.1:$port"
discovery:
  refresh_interval: 5s
  globs:
    - pattern: "$dir/agents/*.sock"
# every collector polls once at the start, then rarely: the exporters stay quiet while the
# inventory is read (the details it reads are the exporter's cache either way)
collectors:
  network: {interval: 600s}
  filesystem: {interval: 600s}
  users: {interval: 600s}
  memory_blocks: {interval: 600s}
  vcpus: {interval: 600s}
  os: {interval: 600s}
  time: {interval: 600s}
  fsfreeze: {interval: 600s}
  load: {interval: 600s}
  cpu: {interval: 600s}
  disk: {interval: 600s}
api:
  tokens:
    - {name: inventory, token_file: "$dir/token", role: reader}
state_dir: "$dir/state"
EOF
  echo "  - {name: hv$i, url: \"http://127.0.0.1:$port\", token_file: \"$dir/token\"}" >>"$WORK/fleet.qga.yml"
done
for i in $(seq "$N"); do
  dir=$WORK/hv$i
  for _ in $(seq 600); do grep -q '^ready ' "$dir/sim.log" && break; sleep 0.2; done
  java -Xmx512m -jar "$JAR" run --config "$dir/config.yaml" >"$dir/exporter.log" 2>&1 &
  PIDS+=($!)
done
# ready when every exporter lists M domains with their agents up
for i in $(seq "$N"); do
  dir=$WORK/hv$i
  url=$(grep -o "http://127.0.0.1:[0-9]*" "$WORK/fleet.qga.yml" | sed -n "${i}p")
  until $PY - "$url" "$dir/token" "$M" <<'EOF' 2>/dev/null; do sleep 2; done
import json, sys, urllib.request
url, token, m = sys.argv[1], open(sys.argv[2]).read().strip(), int(sys.argv[3])
req = urllib.request.Request(url + '/api/v1/domains', headers={'Authorization': 'Bearer ' + token})
up = [d for d in json.load(urllib.request.urlopen(req, timeout=10))['domains'] if d['up']]
print(len(up), file=sys.stderr)
sys.exit(0 if len(up) >= m else 1)
EOF
  echo "hv$i: $url lists $M domains up"
done
for concurrency in 1 16; do
  sed -i '/^concurrency:/d' "$WORK/fleet.qga.yml"
  echo "concurrency: $concurrency" >>"$WORK/fleet.qga.yml"
  # wall and CPU time of ansible-inventory --list (CPU time does not depend on the machine's load)
  $PY - "$WORK" "$N" "$M" "$concurrency" <<'EOF' || { cat "$WORK/list.err"; exit 1; }
import json, os, resource, subprocess, sys, time
work, n, m, concurrency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
before = resource.getrusage(resource.RUSAGE_CHILDREN)
start = time.time()
with open(os.path.join(work, 'list.json'), 'w') as out, open(os.path.join(work, 'list.err'), 'w') as err:
    subprocess.run(['ansible-inventory', '-i', os.path.join(work, 'fleet.qga.yml'), '--list'],
                   stdout=out, stderr=err, check=True)
wall = time.time() - start
after = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
hosts = len(json.load(open(os.path.join(work, 'list.json')))['_meta']['hostvars'])
load = os.getloadavg()[0]
print('concurrency %2d: %d hosts from %d exporters x %d domains in %.1f s wall, %.1f s CPU'
      ' (load average %.1f)' % (concurrency, hosts, n, m, wall, cpu, load))
EOF
done
