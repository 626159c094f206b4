#!/usr/bin/env bash
# End-to-end tests in real QEMU guests (plain and under libvirt) against the real exporter jar.
# Called by tests/run-all.sh; see docs/real-vm.md. Logs of guests and daemons stay in e2e/out/.
#   QGA_REQUIRE_REAL=1   a missing program fails instead of skipping
#   QGA_E2E_JAR=PATH     the exporter jar (default exporter/target/qga-exporter.jar, built if missing)
#   QGA_E2E_ACCEL=kvm    opt in to KVM (default tcg: KVM guests hang early in boot on some hosts)
#   bash e2e/run.sh [TEST...]   run only the named tests (plus boot and exporter start)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
out=${QGA_E2E_OUT:-$here/out}
export QGA_E2E_OUT=$out

skip() {
  if [ "${QGA_REQUIRE_REAL:-}" = 1 ]; then
    echo "e2e: FAILED: $1 (QGA_REQUIRE_REAL=1)"; echo "0 passed, 1 failed"; exit 1
  fi
  echo "e2e: SKIPPED: $1"; echo "0 passed, 0 failed"; exit 0
}
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not found (apt-get install qemu-system-x86)"
command -v qemu-ga >/dev/null || [ -x /usr/sbin/qemu-ga ] || skip "qemu-ga not found (apt-get install qemu-guest-agent)"
command -v busybox >/dev/null || [ -x /bin/busybox ] || skip "busybox not found (apt-get install busybox-static)"
command -v mkfs.ext4 >/dev/null || [ -x /usr/sbin/mkfs.ext4 ] || skip "mkfs.ext4 not found (apt-get install e2fsprogs)"
command -v cpio >/dev/null || skip "cpio not found (apt-get install cpio)"
ls /boot/vmlinuz-* >/dev/null 2>&1 || skip "no /boot/vmlinuz-* (apt-get install linux-image-amd64)"
command -v java >/dev/null || skip "java not found"
export PATH=$PATH:/usr/sbin:/sbin

# One e2e run per machine at a time: they would share libvirtd and the domain names.
exec 9> /tmp/qga-e2e.lock
flock -w 1800 9 || skip "another e2e run holds /tmp/qga-e2e.lock for 30 minutes"

rm -rf "$out"
mkdir -p "$out/pids"

# Whatever the Python side could not stop (it was killed, it crashed): stop it here, by PID,
# only if that PID still runs the command it was recorded with.
cleanup() {
  local f pid marker
  [ -n "${driver:-}" ] && kill -0 "$driver" 2>/dev/null && kill -TERM "$driver" 2>/dev/null && wait "$driver" 2>/dev/null
  for f in "$out"/pids/guest-*.pid; do  # libvirt domains: ask libvirt while it still runs
    [ -e "$f" ] || continue
    read -r pid marker < "$f"
    case "$marker" in guest=e2e-lv*) virsh -c qemu:///system destroy "${marker#guest=}" >/dev/null 2>&1 ;; esac
  done
  for f in "$out"/pids/*.pid; do
    [ -e "$f" ] || continue
    read -r pid marker < "$f"
    if [ -n "$pid" ] && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker"; then
      echo "e2e: stopping leftover $(basename "$f" .pid) (pid $pid)"
      kill -TERM "$pid" 2>/dev/null
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null
    fi
    rm -f "$f"
  done
  if [ -f "$out/run_dir" ]; then
    run_dir=$(cat "$out/run_dir")
    case "$run_dir" in /tmp/qga-e2e.*) rm -rf "$run_dir" ;; esac
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

jar=${QGA_E2E_JAR:-$repo/exporter/target/qga-exporter.jar}
if [ ! -f "$jar" ]; then
  echo "e2e: building $jar"
  (cd "$repo" && mvn -B -ntp -q -DskipTests package) > "$out/build.log" 2>&1 || {
    tail -n 40 "$out/build.log"; echo "e2e: build failed"; echo "0 passed, 1 failed"; exit 1; }
fi

kernel=$("$here/build-initramfs.sh" "$out/initramfs.cpio.gz") || {
  echo "e2e: building the guest initramfs failed"; echo "0 passed, 1 failed"; exit 1; }
"$here/build-initramfs.sh" --python "$out/initramfs-python.cpio.gz" "${kernel#*/vmlinuz-}" >/dev/null || {
  echo "e2e: building the guest initramfs with Python failed"; echo "0 passed, 1 failed"; exit 1; }

QGA_E2E_JAR=$jar QGA_E2E_KERNEL=$kernel QGA_E2E_INITRD=$out/initramfs.cpio.gz \
  QGA_E2E_INITRD_PYTHON=$out/initramfs-python.cpio.gz \
  timeout -k 15 900 python3 "$here/test_e2e.py" "$@" &
driver=$!
wait "$driver"
rc=$?
driver=
[ $rc = 124 ] && echo "e2e: FAILED: the suite ran over 15 minutes" && echo "0 passed, 1 failed"
exit $rc
