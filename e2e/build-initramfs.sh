#!/usr/bin/env bash
# Builds the e2e guest's initramfs from this machine's Debian packages: the kernel's modules
# (linux-image-amd64), busybox (busybox-static) and qemu-ga (qemu-guest-agent) with the
# libraries ldd lists. No disk image, no network, no root needed.
#   usage: build-initramfs.sh [--python] OUTPUT.cpio.gz [KERNEL-RELEASE]
# --python also packs this machine's Python 3 (python3-minimal, libpython3-stdlib) for
# Ansible modules run through the connection plugin qga.exporter.agent: the interpreter, the
# standard library without what no module needs (tests, IDLE, tkinter, ensurepip, lib2to3,
# the static library), its compiled modules and every library ldd lists for them.
# Prints the kernel image path that matches the modules it packed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=
if [ "${1:-}" = --python ]; then
  python=$(readlink -f /usr/bin/python3)
  shift
fi
out=${1:?usage: build-initramfs.sh [--python] OUTPUT.cpio.gz [KERNEL-RELEASE]}

if [ $# -ge 2 ]; then
  release=$2
else
  kernel=$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$kernel" ] || { echo "build-initramfs: no /boot/vmlinuz-* (install linux-image-amd64)" >&2; exit 1; }
  release=${kernel#/boot/vmlinuz-}
fi
kernel=/boot/vmlinuz-$release
modules=/lib/modules/$release
busybox=$(command -v busybox || true)
for need in "$kernel" "$modules" /usr/sbin/qemu-ga "$busybox"; do
  [ -e "$need" ] || { echo "build-initramfs: missing $need" >&2; exit 1; }
done
if ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
  [ -x /bin/busybox ] && busybox=/bin/busybox
fi

# Loaded in this order by /init: virtio transport, console (agent ports), net, block, ext4.
order="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_console
failover net_failover virtio_net virtio_blk crc16 mbcache jbd2 crc32c_generic ext4"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,run,tmp,data,var,lib/modules}
ln -s ../run "$root/var/run"

cp "$busybox" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
  case "$applet" in busybox|shutdown) continue ;; esac
  [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
# qemu-ga runs /sbin/hwclock (guest-set-time) and /sbin/shutdown (guest-shutdown).
ln -s ../bin/busybox "$root/sbin/hwclock"
install -m 0755 "$here/guest/shutdown" "$root/sbin/shutdown"
install -m 0755 "$here/guest/qga-ctl" "$root/sbin/qga-ctl"
install -m 0755 "$here/guest/init" "$root/init"

copy_libs() { # the libraries ldd lists for each ELF file given
  local lib
  for lib in $(ldd "$@" 2>/dev/null | grep -v ':$' | grep -o '/[^ ]*' | sort -u); do
    [ -e "$root$lib" ] && continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}
cp /usr/sbin/qemu-ga "$root/usr/sbin/qemu-ga"
copy_libs /usr/sbin/qemu-ga

if [ -n "$python" ]; then
  [ -x "$python" ] || { echo "build-initramfs: no python3 at /usr/bin/python3" >&2; exit 1; }
  version=$(basename "$python")  # python3.11
  stdlib=/usr/lib/$version
  [ -d "$stdlib" ] || { echo "build-initramfs: no standard library at $stdlib" >&2; exit 1; }
  cp "$python" "$root/usr/bin/$version"
  ln -s "$version" "$root/usr/bin/python3"
  # sources and their plain .pyc (the guest need not compile at every start under TCG)
  (cd / && find "${stdlib#/}" \
    \( -path "*/test" -o -path "*/tests" -o -path "*/idlelib" -o -path "*/tkinter" \
       -o -path "*/turtledemo" -o -path "*/ensurepip" -o -path "*/lib2to3" \
       -o -path "*/config-*" -o -path "*/site-packages" -o -path "*/dist-packages" \) -prune \
    -o \( -type f ! -name "*.opt-1.pyc" ! -name "*.opt-2.pyc" -print0 \) |
    cpio --null -pdm --quiet "$root")
  copy_libs "$python" "$stdlib"/lib-dynload/*.so
  mkdir -p "$root/root"
fi

: > "$root/etc/modules.order"
for m in $order; do
  src=$(modinfo -k "$release" -n "$m" 2>/dev/null || true)
  [ -n "$src" ] && [ -e "$src" ] || { echo "build-initramfs: module $m not found for $release" >&2; exit 1; }
  case "$src" in
    *.ko) cp "$src" "$root/lib/modules/$m.ko" ;;
    *.ko.xz) xz -dc "$src" > "$root/lib/modules/$m.ko" ;;
    *.ko.zst) zstd -qdc "$src" > "$root/lib/modules/$m.ko" ;;
    *.ko.gz) gzip -dc "$src" > "$root/lib/modules/$m.ko" ;;
    *) echo "build-initramfs: unknown module format $src" >&2; exit 1 ;;
  esac
  echo "$m" >> "$root/etc/modules.order"
done

variant=busybox
[ -z "$python" ] || variant=python
# guest-get-osinfo reads os-release; the values let tests tell this guest from the host.
cat > "$root/etc/os-release" <<OS
NAME="qga-exporter e2e guest"
ID=qga-e2e
VERSION_ID=1
PRETTY_NAME="qga-exporter e2e guest 1"
VARIANT_ID=$variant
OS
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
echo 'root:x:0:' > "$root/etc/group"

mkdir -p "$(dirname "$out")"
(cd "$root" && find . -print0 | sort -z | cpio --null -o -H newc --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
echo "$kernel"
