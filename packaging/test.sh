#!/usr/bin/env bash
# Tests the Debian package as an operator meets it (run by tests/run-all.sh):
#   1. bash packaging/build-deb.sh, then lintian: any lintian error fails the suite
#   2. the launcher from a checkout (jar found, JAVA_HOME/jar errors exit 127)
#   3. dpkg -i: files, conffiles, the system user, its state dir (0750), the unit enabled
#   4. the installed launcher: --version, --help, check-config on the shipped config (as the
#      user qga-exporter) and on a broken one (exit 2), JAVA_OPTS from the environment
#   5. the daemon AS THE USER qga-exporter (setpriv) against simulated agents whose sockets only
#      the group qga-exporter may use: /metrics has every domain up with collector series;
#      it writes its audit log in the state dir; the launcher exec'd java (same PID, the
#      built-in JVM options); SIGTERM exits 0
#   6. dpkg -i again (the upgrade path): local config edit, user, state dir and audit log kept
#   7. /etc/default/qga-exporter's JAVA_OPTS reach the JVM (and the edit is kept by dpkg -r)
#   8. dpkg -r: program files gone, conffiles kept; dpkg -P: config, state dir, user, group
#      and systemd enablement gone
# It installs and purges the package on this machine: it refuses to run where qga-exporter is
# installed (or its user exists) already. Needs root, dpkg-deb, java, Maven, python3, setpriv,
# lintian; without one of them (or on such a machine) it skips with a message, unless
# QGA_REQUIRE_REAL=1 (then: fails).
# Every process it starts is stopped by PID, and the package purged, also on failure.
# The last line is "N passed, N failed".
#
# Environment:
#   QGA_SIMULATOR_CP=CP   classpath holding io.qga.sim.SimulatorMain (default: the simulator
#                         module's build output and its dependencies, from Maven)
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}
check() {
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
missing() {
  if [ "${QGA_REQUIRE_REAL:-0}" = 1 ]; then
    fail "$1 is required (QGA_REQUIRE_REAL=1) but missing: $2"
  else
    echo "SKIP - $2 (or set QGA_REQUIRE_REAL=1 to fail instead)"
  fi
}

if [ "$(id -u)" != 0 ]; then
  missing root "not root: the package test installs a .deb and creates a system user"
  finish
fi
for program in dpkg-deb:dpkg java:openjdk-17-jdk-headless mvn:maven python3:python3 \
  setpriv:util-linux lintian:lintian; do
  if ! command -v "${program%%:*}" >/dev/null; then
    missing "${program%%:*}" "${program%%:*} not found (Debian package ${program#*:}): package test skipped"
    finish
  fi
done
if dpkg-query -W -f='${db:Status-Status}' qga-exporter 2>/dev/null | grep -qv '^not-installed$' ||
  getent passwd qga-exporter >/dev/null || getent group qga-exporter >/dev/null; then
  missing "a machine without qga-exporter" "qga-exporter (or its user or group) is installed here: the package test would replace and purge it; run it elsewhere"
  finish
fi

work=$(mktemp -d /tmp/qga-package-test.XXXXXX)
pids=()
installed=0
stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}
cleanup() {
  local pid
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  pids=()
  if [ "$installed" = 1 ]; then dpkg -P qga-exporter >/dev/null 2>&1; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
gone() { # gone PATH...: none of them exists
  local p
  for p in "$@"; do
    if [ -e "$p" ] || [ -L "$p" ]; then echo "    still there: $p"; return 1; fi
  done
}
there() {
  local p
  for p in "$@"; do
    if [ ! -e "$p" ]; then echo "    missing: $p"; return 1; fi
  done
}

echo "# build and lint"
# (builds the jar first when it is missing or older than the sources)
deb=$(bash packaging/build-deb.sh | tail -n 1)
if [ -z "$deb" ] || [ ! -f "$deb" ]; then
  fail "bash packaging/build-deb.sh writes packaging/dist/qga-exporter_VERSION_all.deb"
  finish
fi
pass "bash packaging/build-deb.sh wrote $deb"
check "its name is qga-exporter_VERSION_all.deb" \
  test "$(basename "$deb")" = "qga-exporter_$(dpkg-deb -f "$deb" Version)_all.deb"
check "architecture all" test "$(dpkg-deb -f "$deb" Architecture)" = all
check "depends on a Java 17+ runtime" grep -q 'java17-runtime-headless' <(dpkg-deb -f "$deb" Depends)
lintian --fail-on error "$deb" >"$work/lintian.txt" 2>&1
lintian_status=$?
grep -v '^running with root privileges' "$work/lintian.txt" | sed 's/^/    /'
check "lintian reports no error" test "$lintian_status" = 0

echo "# the launcher from a checkout"
jar_version=$(java -jar exporter/target/qga-exporter.jar --version 2>&1)
check "packaging/qga-exporter --version runs the checkout's jar ($jar_version)" \
  test "$(packaging/qga-exporter --version 2>&1)" = "$jar_version"
out=$(QGA_EXPORTER_JAR=$work/none.jar packaging/qga-exporter --version 2>&1)
check "a missing jar exits 127 naming it" test $? = 127 -a -n "$(echo "$out" | grep -F "$work/none.jar")"
out=$(JAVA_HOME=$work/nojava packaging/qga-exporter --version 2>&1)
check "a JAVA_HOME without bin/java exits 127 naming it" test $? = 127 -a -n "$(echo "$out" | grep -F "$work/nojava")"

echo "# dpkg -i"
installed=1
if dpkg -i "$deb" >"$work/dpkg-i.log" 2>&1; then
  pass "dpkg -i $deb"
else
  fail "dpkg -i $deb; its output:"
  sed 's/^/    /' "$work/dpkg-i.log"
  finish
fi
check "files installed" there /usr/bin/qga-exporter /usr/share/qga-exporter/qga-exporter.jar \
  /lib/systemd/system/qga-exporter.service /etc/qga-exporter/config.yaml /etc/default/qga-exporter \
  /usr/share/doc/qga-exporter/copyright /usr/share/doc/qga-exporter/NOTICE.gz \
  /usr/share/doc/qga-exporter/changelog.Debian.gz /usr/share/man/man1/qga-exporter.1.gz
check "/usr/bin/qga-exporter is executable, root-owned, not writable by others" \
  test "$(stat -c '%U %a' /usr/bin/qga-exporter)" = "root 755"
check "conffiles: config.yaml and /etc/default/qga-exporter" test \
  "$(dpkg-query -W -f='${Conffiles}' qga-exporter | awk 'NF {print $1}' | sort | tr '\n' ' ')" = \
  "/etc/default/qga-exporter /etc/qga-exporter/config.yaml "
user_line=$(getent passwd qga-exporter)
check "system user qga-exporter (uid < 1000, home /var/lib/qga-exporter, no login shell): $user_line" \
  python3 -c 'import sys; f = sys.argv[1].split(":"); sys.exit(not (int(f[2]) < 1000 and f[5] == "/var/lib/qga-exporter" and f[6].endswith("nologin")))' "$user_line"
check "group qga-exporter" getent group qga-exporter >/dev/null
check "state dir /var/lib/qga-exporter: 0750 qga-exporter:qga-exporter" \
  test "$(stat -c '%a %U %G' /var/lib/qga-exporter)" = "750 qga-exporter qga-exporter"
check "the unit is enabled for boot (multi-user.target.wants)" \
  test -L /etc/systemd/system/multi-user.target.wants/qga-exporter.service

echo "# the installed launcher"
check "qga-exporter --version prints the jar's version" test "$(qga-exporter --version 2>&1)" = "$jar_version"
check "qga-exporter --help lists run" grep -q '^  run ' <(qga-exporter --help 2>&1)
as_user() { setpriv --reuid qga-exporter --regid qga-exporter --init-groups env HOME=/var/lib/qga-exporter "$@"; }
check "the user qga-exporter validates the shipped config (check-config exit 0)" \
  as_user qga-exporter check-config --config /etc/qga-exporter/config.yaml
printf 'server:\n  listen: "127.0.0.1:99999"\ncollectors:\n  network: {interval: "15"}\n' >"$work/bad.yaml"
chmod 0755 "$work"
chmod 0644 "$work/bad.yaml"
qga-exporter check-config --config "$work/bad.yaml" >"$work/bad.out" 2>&1
status=$?
check "check-config on a broken config exits 2 naming the YAML path" \
  test "$status" = 2 -a -n "$(grep -F '/collectors/network/interval' "$work/bad.out")"
check "JAVA_OPTS in the environment replace the built-in JVM options" \
  grep -q 'Max. Heap Size: 77.00M' <(JAVA_OPTS='-Xmx77m -XshowSettings:vm' qga-exporter --version 2>&1)

echo "# the daemon as the user qga-exporter, against simulated agents"
simcp=${QGA_SIMULATOR_CP:-}
if [ -z "$simcp" ]; then
  # the simulator module's classes and its dependencies: works whether or not the simulator
  # is also inside the exporter's jar
  if mvn -q -B -ntp -pl simulator dependency:build-classpath -Dmdep.outputFile="$work/sim.cp" \
    >"$work/sim-cp.log" 2>&1; then
    simcp=$repo/simulator/target/classes:$(cat "$work/sim.cp")
  else
    sed 's/^/    /' "$work/sim-cp.log"
  fi
fi
domains=3
mkdir -p "$work/agents"
java -cp "$simcp" io.qga.sim.SimulatorMain --dir "$work/agents" --domains "$domains" \
  >"$work/simulator.log" 2>&1 &
pids+=($!)
simulator_pid=$!
for _ in $(seq 1 150); do
  grep -q '^ready ' "$work/simulator.log" 2>/dev/null && break
  kill -0 "$simulator_pid" 2>/dev/null || break
  sleep 0.2
done
if ! grep -q '^ready ' "$work/simulator.log"; then
  fail "simulated agents ready (java -cp SIMULATOR io.qga.sim.SimulatorMain); its log:"
  sed 's/^/    /' "$work/simulator.log"
  finish
fi
pass "$domains simulated agents ready in $work/agents"
# as on a host: the channel sockets belong to root, the group qga-exporter may connect
chgrp -R qga-exporter "$work/agents"
chmod 0750 "$work/agents"
chmod 0660 "$work/agents"/*.sock
check "the user qga-exporter cannot read root's files (the test would prove nothing)" \
  test "$(as_user sh -c 'cat /etc/shadow >/dev/null 2>&1 && echo yes || echo no')" = no

port=$(free_port)
cat >"$work/config.yaml" <<YAML
server:
  listen: "127.0.0.1:$port"
discovery:
  refresh_interval: 5s
  globs:
    - pattern: "$work/agents/*.sock"
collectors:
  network: {interval: 5s}
  os: {interval: 5s}
# a dry run audits without acting: proves the daemon writes its state dir
policies:
  - name: package-test-trim
    schedule: "0/2 * * * * ?"
    action: {fstrim: {minimum: 0}}
    dry_run: true
state_dir: /var/lib/qga-exporter
YAML
chmod 0644 "$work/config.yaml"
check "check-config accepts the test config" qga-exporter check-config --config "$work/config.yaml"
# setpriv, env and the launcher each exec the next: $! is the JVM's PID
setpriv --reuid qga-exporter --regid qga-exporter --init-groups env HOME=/var/lib/qga-exporter \
  /usr/bin/qga-exporter run --config "$work/config.yaml" >"$work/daemon.log" 2>&1 &
pids+=($!)
daemon_pid=$!
if python3 - "$port" "$daemon_pid" "$domains" <<'EOF'
import os, re, sys, time, urllib.request
port, pid, domains = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
names = [f"vm-{i}" for i in range(1, domains + 1)]
deadline, last = time.time() + 90, ""
while time.time() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("the daemon exited")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
            text = r.read().decode()
    except OSError as e:
        last = str(e)
        time.sleep(0.5)
        continue
    up = set(re.findall(r'^qga_up\{domain="([^"]+)"\} 1(?:\.0)?$', text, re.M))
    network = set(re.findall(r'^qga_network_receive_bytes_total\{domain="([^"]+)"', text, re.M))
    osinfo = set(re.findall(r'^qga_guest_os_info\{domain="([^"]+)"', text, re.M))
    last = f"up {sorted(up)}, network {sorted(network)}, os {sorted(osinfo)}"
    if len(up) == domains and up == network == osinfo:
        print(f"    {last}")
        sys.exit(0)
    time.sleep(0.5)
sys.exit(f"not every domain up with series within 90 s: {last}")
EOF
then
  pass "/metrics: every simulated domain has qga_up 1, network and OS series"
else
  fail "/metrics: every simulated domain has qga_up 1, network and OS series; the daemon's log:"
  tail -n 30 "$work/daemon.log" | sed 's/^/    /'
fi
audit=/var/lib/qga-exporter/audit.jsonl
for _ in $(seq 1 50); do [ -s "$audit" ] && break; sleep 0.2; done
check "the daemon, as its user, writes the audit log in the state dir" \
  test "$(stat -c %U "$audit" 2>/dev/null)" = qga-exporter
check "the daemon runs as qga-exporter" \
  test "$(ps -o user= -p "$daemon_pid" | tr -d ' ')" = qga-exporter
check "the launcher exec'd java: the started PID is the JVM" \
  grep -q '/java$' <(readlink "/proc/$daemon_pid/exe")
check "the JVM has the launcher's built-in options" grep -q -- \
  '-Xms32m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError -jar /usr/share/qga-exporter/qga-exporter.jar run' \
  <(tr '\0' ' ' <"/proc/$daemon_pid/cmdline")
kill -TERM "$daemon_pid"
wait "$daemon_pid"
status=$?
pids=("$simulator_pid")
check "SIGTERM to that PID stops the daemon with exit 0 (got $status)" test "$status" = 0
stop_pid "$simulator_pid"
pids=()

echo "# upgrade (dpkg -i again)"
uid=$(id -u qga-exporter)
echo "# local edit" >>/etc/qga-exporter/config.yaml
check "dpkg -i over the installed package" sh -c 'dpkg -i "$1" >"$2" 2>&1' sh "$deb" "$work/dpkg-i2.log"
check "the local config edit survives" grep -q '^# local edit$' /etc/qga-exporter/config.yaml
check "same user, state dir and audit log kept" test "$(id -u qga-exporter)" = "$uid" -a \
  "$(stat -c '%a %U' /var/lib/qga-exporter)" = "750 qga-exporter" -a -s "$audit"

echo "# /etc/default/qga-exporter"
echo 'JAVA_OPTS="-Xmx88m -XshowSettings:vm"' >>/etc/default/qga-exporter
check "JAVA_OPTS from /etc/default/qga-exporter reach the JVM" \
  grep -q 'Max. Heap Size: 88.00M' <(qga-exporter --version 2>&1)
check "the environment wins over /etc/default/qga-exporter" \
  grep -q 'Max. Heap Size: 66.00M' <(JAVA_OPTS='-Xmx66m -XshowSettings:vm' qga-exporter --version 2>&1)

echo "# dpkg -r"
check "dpkg -r qga-exporter" dpkg -r qga-exporter
check "program files gone" gone /usr/bin/qga-exporter /usr/share/qga-exporter \
  /lib/systemd/system/qga-exporter.service /usr/share/doc/qga-exporter \
  /usr/share/man/man1/qga-exporter.1.gz
check "conffiles kept, with the local edit" grep -q 'Xmx88m' /etc/default/qga-exporter
check "config kept" there /etc/qga-exporter/config.yaml
check "dpkg knows the package as removed, config files left" \
  test "$(dpkg-query -W -f='${db:Status-Abbrev}' qga-exporter)" = "rc "

echo "# dpkg -P"
check "dpkg -P qga-exporter" dpkg -P qga-exporter
installed=0
check "config, defaults, state dir and systemd enablement gone" gone /etc/qga-exporter \
  /etc/default/qga-exporter /var/lib/qga-exporter \
  /etc/systemd/system/multi-user.target.wants/qga-exporter.service \
  /etc/systemd/system/qga-exporter.service \
  /var/lib/systemd/deb-systemd-helper-enabled/qga-exporter.service.dsh-also \
  /var/lib/systemd/deb-systemd-helper-masked/qga-exporter.service
check "user qga-exporter gone" test -z "$(getent passwd qga-exporter)"
check "group qga-exporter gone" test -z "$(getent group qga-exporter)"
check "dpkg no longer knows the package" \
  test -z "$(dpkg-query -W -f='${db:Status-Abbrev}' qga-exporter 2>/dev/null | tr -d ' ')"
finish
