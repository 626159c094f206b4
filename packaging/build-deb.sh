#!/usr/bin/env bash
# Builds the Debian package: bash packaging/build-deb.sh
#   -> packaging/dist/qga-exporter_VERSION_all.deb   (VERSION: the jar's, - turned into ~, then -1)
#
# From the Maven-built jar (exporter/target/qga-exporter.jar; built with
# `mvn -q -B -ntp -DskipTests package` when missing or older than the sources), the launcher
# packaging/qga-exporter, the unit packaging/qga-exporter.service and packaging/debian/*.
# Needs: java, dpkg-deb (1.19+, for --root-owner-group: no fakeroot needed), gzip; Maven when
# the jar must be built. Check the result with:  lintian packaging/dist/qga-exporter_*_all.deb
#
# Environment:
#   QGA_JAR=PATH           package this jar instead (no build)
#   SOURCE_DATE_EPOCH=N    timestamps of the files and the changelog (default: the last commit's)
set -euo pipefail
cd "$(dirname "$0")/.."
umask 022

die() { echo "build-deb: $*" >&2; exit 1; }
command -v dpkg-deb >/dev/null || die "dpkg-deb not found (Debian package dpkg)"
command -v java >/dev/null || die "java not found: install a Java 17+ JDK"

jar=${QGA_JAR:-exporter/target/qga-exporter.jar}
if [ -z "${QGA_JAR:-}" ] && { [ ! -f "$jar" ] ||
  [ -n "$(find pom.xml client collectors simulator exporter \( -name pom.xml -o -path '*/src/main/*' \) \
    -newer "$jar" -print -quit 2>/dev/null)" ]; }; then
  echo "build-deb: building $jar (missing or older than the sources)"
  mvn -q -B -ntp -DskipTests package
fi
[ -f "$jar" ] || die "no jar at $jar"

# "qga-exporter 0.1.0-SNAPSHOT" -> 0.1.0~SNAPSHOT (a snapshot sorts before its release)
upstream=$(java -jar "$jar" --version | sed -n 's/^qga-exporter \([0-9][0-9A-Za-z.+-]*\)$/\1/p')
[ -n "$upstream" ] || die "cannot read the version from: java -jar $jar --version"
version=${upstream//-/\~}-1   # -1: the packaging revision

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || date +%s)
fi
export SOURCE_DATE_EPOCH
date_rfc2822=$(LC_ALL=C date -u -d "@$SOURCE_DATE_EPOCH" -R)
date_man=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)

dist=packaging/dist
root=$dist/build/qga-exporter
rm -rf "$dist/build"
mkdir -p "$root/DEBIAN"
doc=$root/usr/share/doc/qga-exporter

put() { # put MODE SOURCE DEST (DEST relative to the package root)
  install -D -m "$1" "$2" "$root/$3"
}
put 0755 packaging/qga-exporter usr/bin/qga-exporter
put 0644 "$jar" usr/share/qga-exporter/qga-exporter.jar
put 0644 packaging/qga-exporter.service lib/systemd/system/qga-exporter.service
put 0644 packaging/debian/config.yaml etc/qga-exporter/config.yaml
put 0644 packaging/debian/default etc/default/qga-exporter
put 0644 packaging/debian/copyright usr/share/doc/qga-exporter/copyright
put 0644 config.yaml usr/share/doc/qga-exporter/examples/config.yaml
for f in README.md NOTICE docs/configuration.md docs/operations.md; do
  put 0644 "$f" "usr/share/doc/qga-exporter/$(basename "$f")"
  gzip -9n "$doc/$(basename "$f")"
done
sed -e "s/@VERSION@/$version/" -e "s/@COMMIT@/$commit/" -e "s/@DATE_RFC2822@/$date_rfc2822/" \
  packaging/debian/changelog | gzip -9n >"$doc/changelog.Debian.gz"
mkdir -p "$root/usr/share/man/man1"
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$date_man/" packaging/debian/qga-exporter.1 |
  gzip -9n >"$root/usr/share/man/man1/qga-exporter.1.gz"
chmod 0644 "$doc/changelog.Debian.gz" "$root/usr/share/man/man1/qga-exporter.1.gz"

for script in postinst prerm postrm; do
  install -m 0755 "packaging/debian/$script" "$root/DEBIAN/$script"
done
install -m 0644 packaging/debian/conffiles "$root/DEBIAN/conffiles"
installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$installed_size/" \
  packaging/debian/control >"$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
  xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
find "$root" -type d -exec chmod 0755 {} +
find "$root" -exec touch --no-dereference --date="@$SOURCE_DATE_EPOCH" {} +

deb=$dist/qga-exporter_${version}_all.deb
# one package in dist/, so `dpkg -i packaging/dist/qga-exporter_*_all.deb` installs this one
rm -f "$dist"/qga-exporter_*_all.deb
dpkg-deb --root-owner-group -Zgzip --build "$root" "$deb" >/dev/null
rm -rf "$dist/build"
echo "$deb"
