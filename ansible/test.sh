#!/usr/bin/env bash
# Tests of the Ansible collection qga.exporter:
#   1. pytest unit tests of module_utils, modules and the inventory plugin (fetch_url faked)
#   2. ansible-test sanity (the tests that run offline, see ansible/README.md) and ansible-doc
#      for every plugin
#   3. integration: simulated guest agents + the real exporter (run --config with API tokens),
#      then the playbooks in ansible/tests/ against it
# Skips with a message when ansible-playbook is missing, unless QGA_REQUIRE_REAL=1.
# Env: QGA_JAR (default exporter/target/qga-exporter.jar, built when missing).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=/usr/bin/python3 # ansible-core runs on Debian's python, not the first python3 on PATH
COLLECTION=$ROOT/ansible/ansible_collections/qga/exporter
export ANSIBLE_COLLECTIONS_PATH=$ROOT/ansible
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCALHOST_WARNING=0
export ANSIBLE_INVENTORY_UNPARSED_WARNING=0 ANSIBLE_PYTHON_INTERPRETER=$PY

for program in ansible-playbook ansible-inventory ansible-doc ansible-test java; do
  if ! command -v "$program" >/dev/null; then
    if [ "${QGA_REQUIRE_REAL:-}" = 1 ]; then
      echo "ansible/test.sh: $program is missing and QGA_REQUIRE_REAL=1 (apt-get install ansible-core)"
      echo "0 passed, 1 failed"
      exit 1
    fi
    echo "ansible/test.sh: SKIPPED: $program is missing (apt-get install ansible-core python3-pytest)"
    exit 0
  fi
done

passed=0
failed=0
failures=()
check() {
  local name=$1
  shift
  echo "--- $name"
  if "$@"; then
    echo "--- $name: ok"
    passed=$((passed + 1))
  else
    echo "--- $name: FAILED"
    failed=$((failed + 1))
    failures+=("$name")
    return 1
  fi
}

WORK=$(mktemp -d /tmp/qga-ansible-test.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null
  done
  for pid in "${PIDS[@]}"; do
    # a clean stop thaws what the API froze; give it a moment, then insist
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. unit tests ---------------------------------------------------------------------------
check "unit tests (pytest)" $PY -m pytest -q -p no:cacheprovider "$COLLECTION/tests/unit"

# --- 2. sanity and docs ----------------------------------------------------------------------
# Offline, ansible-test runs only the tests that need no virtualenv with packages from PyPI:
# compile (the target python) and the code-smell checks. import, pep8, yamllint,
# validate-modules, runtime-metadata and ansible-doc need pip downloads: excluded (see
# ansible/README.md); the unit tests import every plugin and the ansible-doc step below
# renders every document instead.
SANITY_TESTS=(compile shebang line-endings no-smart-quotes empty-init symlinks
  future-import-boilerplate metaclass-boilerplate no-assert no-basestring no-dict-iteritems
  no-get-exception no-main-display no-unicode-literals replace-urlopen use-compat-six
  use-argspec-type-path action-plugin-docs shellcheck)
sanity() {
  local args=() t
  for t in "${SANITY_TESTS[@]}"; do args+=(--test "$t"); done
  # ansible-test runs from the collection root and writes to tests/output there
  (cd "$COLLECTION" && ansible-test sanity --python 3.11 --color no "${args[@]}")
  local rc=$?
  rm -rf "$COLLECTION/tests/output"
  return $rc
}
check "ansible-test sanity (offline subset)" sanity
docs() {
  local ok=0 plugin
  for plugin in domain_info fstrim time_sync fsfreeze power agent_command; do
    ansible-doc "qga.exporter.$plugin" >"$WORK/doc.txt" 2>&1 && grep -q "EXAMPLES" "$WORK/doc.txt" ||
      { echo "ansible-doc qga.exporter.$plugin failed:"; cat "$WORK/doc.txt"; ok=1; }
  done
  ansible-doc -t inventory qga.exporter.domains >"$WORK/doc.txt" 2>&1 ||
    { echo "ansible-doc -t inventory qga.exporter.domains failed:"; cat "$WORK/doc.txt"; ok=1; }
  ansible-doc -t connection qga.exporter.agent >"$WORK/doc.txt" 2>&1 && grep -q "EXAMPLES" "$WORK/doc.txt" ||
    { echo "ansible-doc -t connection qga.exporter.agent failed:"; cat "$WORK/doc.txt"; ok=1; }
  ansible-doc -t connection -l qga.exporter 2>/dev/null | grep -q '^qga.exporter.agent ' ||
    { echo "ansible-doc -t connection -l qga.exporter does not list qga.exporter.agent"; ok=1; }
  ansible-doc -l qga.exporter 2>/dev/null | grep -c '^qga.exporter\.' | grep -qx 6 ||
    { echo "ansible-doc -l qga.exporter does not list 6 modules"; ok=1; }
  return $ok
}
check "ansible-doc renders every module, the inventory and the connection plugin" docs

# --- 3. integration --------------------------------------------------------------------------
JAR=${QGA_JAR:-$ROOT/exporter/target/qga-exporter.jar}
if [ ! -f "$JAR" ]; then
  echo "--- building $JAR"
  mvn -q -o -B -DskipTests package || mvn -q -B -ntp -DskipTests package
fi

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_for() { # wait_for SECONDS COMMAND...: poll until the command succeeds
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

start_exporter() {
  [ -f "$JAR" ] || { echo "no exporter jar at $JAR"; return 1; }
  mkdir -p "$WORK/agents" "$WORK/state"
  java -cp "$JAR" io.qga.sim.SimulatorMain --dir "$WORK/agents" --domains 3 \
    --flavour linux-9.2 --prefix vm- >"$WORK/sim.log" 2>&1 &
  PIDS+=($!)
  wait_for 60 grep -q '^ready ' "$WORK/sim.log" || { echo "simulator did not start:"; cat "$WORK/sim.log"; return 1; }
  local role
  for role in admin operator reader; do
    $PY -c 'import secrets; print(secrets.token_hex(24))' >"$WORK/$role.token"
    chmod 600 "$WORK/$role.token"
  done
  PORT=$(free_port)
  cat >"$WORK/config.yaml" <<EOF
server:
  listen: "127.0.0.1:$PORT"
discovery:
  refresh_interval: 1s
  globs:
    - pattern: "$WORK/agents/*.sock"
agent:
  command_timeout: 3s
collectors:
  time: {interval: 1s}
  fsfreeze: {interval: 1s}
  network: {interval: 2s}
  filesystem: {interval: 2s}
  os: {interval: 2s}
  users: {interval: 2s}
api:
  tokens:
    - {name: ansible-admin, token_file: "$WORK/admin.token", role: admin}
    - {name: ansible-operator, token_file: "$WORK/operator.token", role: operator}
    - {name: ansible-reader, token_file: "$WORK/reader.token", role: reader}
  command_allow_list: [guest-info, guest-ping, "guest-get-*", "guest-network-get-*",
                       guest-fsfreeze-status, guest-set-time]
  fsfreeze_max_deadline: 5m
state_dir: "$WORK/state"
EOF
  java -jar "$JAR" check-config --config "$WORK/config.yaml" || return 1
  java -jar "$JAR" run --config "$WORK/config.yaml" >"$WORK/exporter.log" 2>&1 &
  PIDS+=($!)
  URL=http://127.0.0.1:$PORT
  # ready when the API lists the three domains with their agents up and OS data polled (a
  # file, not a here-document: wait_for runs the check again and again)
  cat >"$WORK/ready.py" <<'EOF'
import json, sys, urllib.request
url, token = sys.argv[1], open(sys.argv[2]).read().strip()
def get(path):
    req = urllib.request.Request(url + path, headers={'Authorization': 'Bearer ' + token})
    return json.load(urllib.request.urlopen(req, timeout=5))
names = [d['name'] for d in get('/api/v1/domains')['domains'] if d['up']]
assert len(names) == 3, names
for name in names:
    d = get('/api/v1/domains/' + name)
    assert d['os'] and d['ip_addresses'] and d['time_offset_seconds'] is not None, d
EOF
  if ! wait_for 60 $PY "$WORK/ready.py" "$URL" "$WORK/admin.token"; then
    echo "the exporter did not come up with 3 polled domains; its log:"
    tail -n 50 "$WORK/exporter.log"
    return 1
  fi
  echo "exporter on $URL with 3 simulated agents"
}

playbook() { # playbook NAME [ansible-playbook args]: runs ansible/tests/NAME against the exporter
  local name=$1
  shift
  ansible-playbook "$ROOT/ansible/tests/$name" -e "qga_url=$URL" \
    -e "@$WORK/tokens.yml" "$@"
}

# --- a fleet: a second exporter with the same domain names ----------------------------------
# Exporter hv2 serves HTTPS with a certificate of its own CA, has its own tokens and two
# simulated agents named like two of hv1's (vm-001, vm-002), plus paused-001: an agent that
# accepts connections and never answers, as QEMU does for a paused VM or a guest without
# qemu-ga. One inventory file lists both exporters.
start_fleet_exporter() {
  local dir=$WORK/fleet role
  mkdir -p "$dir/agents" "$dir/paused" "$dir/state" "$dir/tls"
  java -cp "$JAR" io.qga.sim.SimulatorMain --dir "$dir/agents" --domains 2 \
    --flavour linux-9.2 --prefix vm- >"$dir/sim.log" 2>&1 &
  PIDS+=($!)
  java -cp "$JAR" io.qga.sim.SimulatorMain --dir "$dir/paused" --domains 1 --hang-percent 100 \
    --prefix paused- >"$dir/paused-sim.log" 2>&1 &
  PIDS+=($!)
  (cd "$dir/tls" &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=qga-test-ca \
      -keyout ca.key -out ca.pem &&
    openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server.key -out server.csr &&
    printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' >ext.cnf &&
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
      -extfile ext.cnf -out server.pem) >"$dir/tls/openssl.log" 2>&1 ||
    { echo "openssl failed:"; cat "$dir/tls/openssl.log"; return 1; }
  wait_for 60 grep -q '^ready ' "$dir/sim.log" || { echo "simulator did not start:"; cat "$dir/sim.log"; return 1; }
  wait_for 60 grep -q '^ready ' "$dir/paused-sim.log" ||
    { echo "simulator did not start:"; cat "$dir/paused-sim.log"; return 1; }
  for role in admin operator reader; do
    $PY -c 'import secrets; print(secrets.token_hex(24))' >"$dir/$role.token"
    chmod 600 "$dir/$role.token"
  done
  FLEET_PORT=$(free_port)
  cat >"$dir/config.yaml" <<EOF
server:
  listen: "127.0.0.1:$FLEET_PORT"
  tls: {certificate: "$dir/tls/server.pem", key: "$dir/tls/server.key"}
discovery:
  refresh_interval: 1s
  globs:
    - pattern: "$dir/agents/*.sock"
    - pattern: "$dir/paused/*.sock"
agent:
  command_timeout: 2s
collectors:
  fsfreeze: {interval: 1s}
  network: {interval: 2s}
  filesystem: {interval: 2s}
  os: {interval: 2s}
api:
  tokens:
    - {name: fleet-hv2-admin, token_file: "$dir/admin.token", role: admin}
    - {name: fleet-hv2-operator, token_file: "$dir/operator.token", role: operator}
    - {name: fleet-hv2-reader, token_file: "$dir/reader.token", role: reader}
  exec: {enabled: true}
state_dir: "$dir/state"
EOF
  java -jar "$JAR" run --config "$dir/config.yaml" >"$dir/exporter.log" 2>&1 &
  PIDS+=($!)
  FLEET_URL=https://127.0.0.1:$FLEET_PORT
  cat >"$dir/ready.py" <<'EOF'
import json, ssl, sys, urllib.request
url, token, ca = sys.argv[1], open(sys.argv[2]).read().strip(), sys.argv[3]
context = ssl.create_default_context(cafile=ca)
def get(path):
    req = urllib.request.Request(url + path, headers={'Authorization': 'Bearer ' + token})
    return json.load(urllib.request.urlopen(req, timeout=5, context=context))
domains = get('/api/v1/domains')['domains']
names = [d['name'] for d in domains if d['up']]
assert sorted(names) == ['vm-001', 'vm-002'], names
for name in names:
    assert get('/api/v1/domains/' + name)['filesystems'], name
paused = [d for d in domains if d['name'] == 'paused-001']
assert paused and not paused[0]['up'] and paused[0]['last_error'], paused
EOF
  if ! wait_for 60 $PY "$dir/ready.py" "$FLEET_URL" "$dir/reader.token" "$dir/tls/ca.pem"; then
    echo "the HTTPS exporter did not come up with vm-001 and vm-002 polled; its log:"
    tail -n 50 "$dir/exporter.log"
    return 1
  fi
  # the inventory: hv1 with its reader token in a file, hv2 with its own through a lookup
  mkdir -p "$dir/inventory/group_vars"
  cat >"$dir/inventory/fleet.qga.yml" <<EOF
plugin: qga.exporter.domains
exporters:
  - {name: hv1, url: "$URL", token_file: "$WORK/reader.token"}
  - name: hv2
    url: "$FLEET_URL"
    token: "{{ lookup('ansible.builtin.file', '$dir/reader.token') }}"
    ca_path: "$dir/tls/ca.pem"
groups:
  agent_down: not qga_agent_up
EOF
  # the modules' tokens per exporter (operator role), as an operator would keep them
  cat >"$dir/inventory/group_vars/exporter_hv1.yml" <<EOF
qga_exporter_token: "$(cat "$WORK/operator.token")"
qga_agents_dir: "$WORK/agents/"
EOF
  cat >"$dir/inventory/group_vars/exporter_hv2.yml" <<EOF
qga_exporter_token: "$(cat "$dir/operator.token")"
qga_exporter_admin_token: "$(cat "$dir/admin.token")"
qga_exporter_ca_path: "$dir/tls/ca.pem"
qga_agents_dir: "$dir/agents/"
EOF
  echo "{\"qga_expected_url\": {\"hv1\": \"$URL\", \"hv2\": \"$FLEET_URL\"}}" >"$dir/expected.json"
  echo "exporter on $FLEET_URL (HTTPS) with vm-001, vm-002 and paused-001"
}

fleet() {
  local dir=$WORK/fleet
  # without ca_path the inventory names the exporter whose certificate it cannot verify
  sed '/ca_path/d' "$dir/inventory/fleet.qga.yml" >"$dir/no-ca.qga.yml"
  if ANSIBLE_INVENTORY_UNPARSED_FAILED=1 ansible-inventory -i "$dir/no-ca.qga.yml" --list \
    >"$dir/no-ca.out" 2>&1; then
    echo "ansible-inventory trusted hv2's certificate without ca_path"; return 1
  fi
  # ansible wraps warnings: join the lines first
  tr -s '\n ' '  ' <"$dir/no-ca.out" |
    grep -q "exporter hv2 (https://127.0.0.1:$FLEET_PORT): the TLS certificate of the exporter at" ||
    { echo "no clear error about hv2's certificate:"; cat "$dir/no-ca.out"; return 1; }
  wc -l <"$WORK/state/audit.jsonl" >"$dir/audit-hv1.mark" 2>/dev/null || echo 0 >"$dir/audit-hv1.mark"
  ANSIBLE_INVENTORY_UNPARSED_FAILED=1 ansible-playbook "$ROOT/ansible/tests/fleet.yml" \
    -i "$dir/inventory/fleet.qga.yml" \
    -e "@$dir/expected.json" >"$dir/play.out" 2>&1 ||
    { cat "$dir/play.out"; return 1; }
  tr -s '\n ' '  ' <"$dir/play.out" | grep -q '2 domain name(s) exist on more than one exporter' ||
    { echo "no warning about the clashing names:"; cat "$dir/play.out"; return 1; }
  # each exporter's audit log: exactly one fstrim per domain it owns, by its own token
  $PY - "$WORK/state/audit.jsonl" "$(cat "$dir/audit-hv1.mark")" "$dir/state/audit.jsonl" <<'EOF'
import json, sys
def fstrims(path, skip):
    out = []
    for line in open(path).read().splitlines()[skip:]:
        record = json.loads(line)
        if record.get('action') == 'fstrim' and record.get('result') == 'succeeded':
            out.append((record['domain'], record['origin']))
    return sorted(out)
hv1 = fstrims(sys.argv[1], int(sys.argv[2]))
hv2 = fstrims(sys.argv[3], 0)
assert hv1 == [('vm-001', 'api:ansible-operator'), ('vm-002', 'api:ansible-operator'),
               ('vm-003', 'api:ansible-operator')], hv1
assert hv2 == [('vm-001', 'api:fleet-hv2-operator'), ('vm-002', 'api:fleet-hv2-operator')], hv2
print('audit hv1:', hv1)
print('audit hv2:', hv2)
EOF
}

agent_refused() { # URL TOKEN CA_PATH WORDS...: raw through qga.exporter.agent must fail with WORDS
  local url=$1 token=$2 ca=$3 out=$WORK/agent-refused.out
  shift 3
  if ansible -i vm-001, vm-001 -m ansible.builtin.raw -a 'echo ran' -c qga.exporter.agent \
    -e "qga_exporter_url=$url" -e "qga_exporter_token=$token" \
    ${ca:+-e "qga_exporter_ca_path=$ca"} >"$out" 2>&1; then
    echo "raw ran through the connection plugin:"; cat "$out"; return 1
  fi
  local words
  for words in "$@"; do
    tr -s '\n ' '  ' <"$out" | grep -qF "$words" || { echo "no '$words' in:"; cat "$out"; return 1; }
  done
  grep -q 'UNREACHABLE' "$out" || { echo "not reported as unreachable:"; cat "$out"; return 1; }
  cat "$out"
}

if check "exporter with API tokens and 3 simulated agents starts" start_exporter; then
  $PY - "$WORK" >"$WORK/tokens.yml" <<'EOF'
import json, sys
work = sys.argv[1]
print(json.dumps(dict(('qga_%s_token' % r, open('%s/%s.token' % (work, r)).read().strip())
                      for r in ('admin', 'operator', 'reader'))))
EOF
  cat >"$WORK/domains.qga.yml" <<EOF
plugin: qga.exporter.domains
urls:
  - $URL
token: "$(cat "$WORK/reader.token")"
keyed_groups:
  - key: qga_os.id
    prefix: os
groups:
  agents_up: qga_agent_up
compose:
  qga_ip_count: qga_ip_addresses | length
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: $WORK/inventory-cache
cache_timeout: 600
EOF
  check "errors: unreachable, 401, 403, 404, 409 messages" playbook errors.yml -i localhost,
  check "domain_info and agent_command" playbook info.yml -i localhost,
  check "fstrim: check mode, changed, min_interval" playbook fstrim.yml -i localhost,
  check "time_sync: tolerance, correction, idempotence, check mode" playbook time_sync.yml -i localhost,
  check "fsfreeze: frozen/thawed, idempotence, check mode, deadline" playbook fsfreeze.yml -i localhost,
  check "inventory plugin: hosts, vars, groups, cache" playbook inventory.yml -i "$WORK/domains.qga.yml" \
    -e "qga_inventory_cache=$WORK/inventory-cache"
  check "ansible-inventory --list" $PY - "$WORK/domains.qga.yml" <<'EOF'
import json, subprocess, sys
def text(value):  # ansible-inventory writes unsafe text as {"__ansible_unsafe": TEXT}
    if isinstance(value, dict) and list(value) == ['__ansible_unsafe']:
        return value['__ansible_unsafe']
    if isinstance(value, dict):
        return dict((text(k), text(v)) for k, v in value.items())
    if isinstance(value, list):
        return [text(v) for v in value]
    return value
out = json.loads(subprocess.check_output(['ansible-inventory', '-i', sys.argv[1], '--list']))
hosts = text(out['_meta']['hostvars'])
assert len(hosts) == 3, hosts.keys()
for name, hv in hosts.items():
    assert hv['qga_domain'] == name and hv['qga_agent_up'] is True, hv
    assert hv['ansible_host'] in hv['qga_ip_addresses'] and ':' not in hv['ansible_host'], hv
assert sorted(out['agents_up']['hosts']) == sorted(hosts), out.get('agents_up')
print('ansible-inventory lists', sorted(hosts))
EOF
  check "connection plugin: exec disabled (api.exec.enabled false) is a clear failure" \
    agent_refused "$URL" "$(cat "$WORK/admin.token")" "" 'exec is disabled on the exporter' \
    'set api.exec.enabled: true'
  if check "a second exporter (HTTPS, own tokens, the same domain names, a paused VM) starts" start_fleet_exporter; then
    check "fleet inventory: same-name VMs are distinct hosts; each play reaches its own exporter" fleet
    check "connection plugin: exec enabled, an operator token is refused, naming role admin" \
      agent_refused "$FLEET_URL" "$(cat "$WORK/fleet/operator.token")" "$WORK/fleet/tls/ca.pem" \
      'needs role admin' '403'
  fi
  # last: it powers guests off
  check "power: check mode, reboot, shutdown" playbook power.yml -i localhost,
fi

# --- 4. a hostile guest ----------------------------------------------------------------------
# One simulated guest (hostile mode label-template) whose host name, OS fields, users,
# mountpoints, interface names and addresses are Jinja2 payloads that run
# `touch $QGA_PWNED_DIR/qga-pwned-N` when a controller evaluates them; its own exporter.
start_hostile_exporter() {
  [ -f "$JAR" ] || { echo "no exporter jar at $JAR"; return 1; }
  mkdir -p "$WORK/hostile/agents" "$WORK/hostile/state" "$WORK/pwned"
  java -cp "$JAR" io.qga.sim.SimulatorMain --dir "$WORK/hostile/agents" --domains 1 \
    --hostile label-template:1 --prefix evil- >"$WORK/hostile/sim.log" 2>&1 &
  PIDS+=($!)
  wait_for 60 grep -q '^ready ' "$WORK/hostile/sim.log" ||
    { echo "simulator did not start:"; cat "$WORK/hostile/sim.log"; return 1; }
  if [ ! -f "$WORK/reader.token" ]; then
    $PY -c 'import secrets; print(secrets.token_hex(24))' >"$WORK/reader.token"
    chmod 600 "$WORK/reader.token"
  fi
  HOSTILE_PORT=$(free_port)
  cat >"$WORK/hostile/config.yaml" <<EOF
server:
  listen: "127.0.0.1:$HOSTILE_PORT"
discovery:
  globs:
    - pattern: "$WORK/hostile/agents/*.sock"
collectors:
  network: {interval: 1s}
  filesystem: {interval: 1s}
  os: {interval: 1s}
  users: {interval: 1s}
api:
  tokens:
    - {name: ansible-reader, token_file: "$WORK/reader.token", role: reader}
state_dir: "$WORK/hostile/state"
EOF
  java -jar "$JAR" run --config "$WORK/hostile/config.yaml" >"$WORK/hostile/exporter.log" 2>&1 &
  PIDS+=($!)
  HOSTILE_URL=http://127.0.0.1:$HOSTILE_PORT
  # a file, not a here-document: wait_for runs the check again and again
  cat >"$WORK/hostile/ready.py" <<'EOF'
import json, sys, urllib.request
url, token = sys.argv[1], open(sys.argv[2]).read().strip()
req = urllib.request.Request(url + '/api/v1/domains/evil-001',
                             headers={'Authorization': 'Bearer ' + token})
d = json.load(urllib.request.urlopen(req, timeout=5))
assert d['up'] and d['hostname'] and d['os'] and d['users'] and d['filesystems'], d
assert d['interfaces'], d
EOF
  if ! wait_for 60 $PY "$WORK/hostile/ready.py" "$HOSTILE_URL" "$WORK/reader.token"; then
    echo "the exporter did not come up with the hostile domain polled; its log:"
    tail -n 50 "$WORK/hostile/exporter.log"
    return 1
  fi
  cat >"$WORK/hostile.qga.yml" <<EOF
plugin: qga.exporter.domains
urls:
  - $HOSTILE_URL
token: "$(cat "$WORK/reader.token")"
keyed_groups:
  - key: qga_os.id
    prefix: os
compose:
  payload_copy: qga_hostname
EOF
  echo "{\"qga_reader_token\": \"$(cat "$WORK/reader.token")\"}" >"$WORK/hostile/tokens.json"
  echo "exporter on $HOSTILE_URL with 1 hostile agent"
}

no_pwned_file() {
  local found
  found=$(ls -A "$WORK/pwned")
  [ -z "$found" ] || { echo "a guest's payload ran on the controller: $found"; return 1; }
}

hostile_inventory() { # ansible-inventory --list shows the payloads as text and runs none
  (cd "$WORK/pwned" && QGA_PWNED_DIR=$WORK/pwned ansible-inventory -i "$WORK/hostile.qga.yml" \
    --list >"$WORK/hostile/inventory.json") || return 1
  no_pwned_file || return 1
  $PY - "$WORK/hostile/inventory.json" <<'EOF'
import json, sys
def text(value):  # ansible-inventory writes unsafe text as {"__ansible_unsafe": TEXT}
    if isinstance(value, dict) and list(value) == ['__ansible_unsafe']:
        return value['__ansible_unsafe']
    if isinstance(value, dict):
        return dict((text(k), text(v)) for k, v in value.items())
    if isinstance(value, list):
        return [text(v) for v in value]
    return value
raw = json.load(open(sys.argv[1]))['_meta']['hostvars']['evil-001']
assert raw['qga_hostname'] == {'__ansible_unsafe': raw['qga_hostname'].get('__ansible_unsafe')}, raw
hv = text(raw)
payload = "{{ lookup('pipe', 'touch ${QGA_PWNED_DIR:-/tmp}/qga-pwned-%d') }}"
assert hv['qga_hostname'] == payload % 0, hv['qga_hostname']
assert hv['qga_os']['pretty_name'] == payload % 2, hv['qga_os']
assert hv['qga_users'][0]['user'] == payload % 0, hv['qga_users']
assert hv['qga_filesystems'][0]['mountpoint'] == payload % 1, hv['qga_filesystems']
assert hv['qga_interfaces'][0]['name'] == payload % 0, hv['qga_interfaces']
assert hv['payload_copy'] == payload % 0, hv.get('payload_copy')
assert 'ansible_host' not in hv, hv.get('ansible_host')
assert hv['qga_ip_addresses'] == [], hv['qga_ip_addresses']
print('the payloads are text in ansible-inventory --list')
EOF
}

hostile_playbook() { # a play that targets the host: debug of every hostvar, ping, domain_info
  (cd "$WORK/pwned" && QGA_PWNED_DIR=$WORK/pwned ansible-playbook \
    "$ROOT/ansible/tests/hostile.yml" -i "$WORK/hostile.qga.yml" \
    -e "@$WORK/hostile/tokens.json") || return 1
  no_pwned_file
}

hostile_metrics() { # the exporter dropped the ip-address values that are not addresses, counted
  $PY - "$HOSTILE_URL" <<'EOF'
import sys, urllib.request
text = urllib.request.urlopen(sys.argv[1] + '/metrics', timeout=5).read().decode()
lines = [l for l in text.splitlines() if l.startswith('qga_collector_dropped_items{')
         and 'kind="invalid_addresses"' in l and 'domain="evil-001"' in l]
assert lines and float(lines[0].split()[-1]) >= 1, lines
assert not [l for l in text.splitlines()
            if l.startswith('qga_network_address_info') and 'lookup(' in l]
print(lines[0])
EOF
}

if check "exporter with a hostile guest (Jinja2 in every name) starts" start_hostile_exporter; then
  check "hostile guest: ansible-inventory --list shows the payloads as text, runs none" \
    hostile_inventory
  check "hostile guest: a play targeting it (debug hostvars, ping, domain_info) runs none" \
    hostile_playbook
  check "hostile guest: the exporter drops and counts addresses that are not addresses" \
    hostile_metrics
fi

echo "ansible/test.sh: $passed passed, $failed failed"
for f in "${failures[@]}"; do echo "  failed: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
