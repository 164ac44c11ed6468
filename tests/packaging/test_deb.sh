#!/usr/bin/env bash
# test_deb.sh - the Debian package from `make deb` on a clean Debian root
# (mmdebstrap, cached as a tarball and unpacked afresh for each run): apt
# installs it with its dependencies; binary, man page, conffile, unit
# (enabled) and system user are there; the installed binary refuses a
# missing, empty or non-regular web config and the shipped example before
# its certificate exists (exit 2, one line); an upgrade to a newer version keeps
# an edited conffile; `dpkg --purge` leaves no file of it behind.
# Runs as root: the root is entered with chroot, in a private mount
# namespace (unshare), so nothing it mounts is seen outside.
source "$(dirname "$0")/../integration/lib/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEB_DIR="$ROOT/build/deb"
deb=$(ls "$DEB_DIR"/sensor-service_*.deb 2>/dev/null | head -1)
version=$(make -s --no-print-directory -C "$ROOT" version)

if [ "$(id -u)" -ne 0 ]; then
	skip "needs root for chroot (run make test-deb as root)"
	finish
fi
check "make deb made a package" test -s "$deb"
[ -s "$deb" ] || finish
assert_eq "the package's version is debian/changelog's" "$version" "$(dpkg-deb -f "$deb" Version)"

# A clean root: Debian's minimal system with apt, made once.
tarball="$DEB_DIR/clean-root.tar"
if [ ! -s "$tarball" ]; then
	# (the .tar ending tells mmdebstrap to write a tarball)
	mmdebstrap --quiet --variant=apt bookworm "${tarball%.tar}.tmp.tar" && mv "${tarball%.tar}.tmp.tar" "$tarball" ||
		{ fail "mmdebstrap made a clean root"; finish; }
fi
R="$TEST_TMP/root"
mkdir -p "$R"
tar -xf "$tarball" -C "$R"
cp /etc/resolv.conf "$R/etc/resolv.conf"
# The root reaches the package mirror as this host does (proxy, snapshot
# dates), nothing else of the host's apt settings.
apt-config dump | grep -E '^Acquire::(Check-Valid-Until|Check-Date|https?::Proxy) ' >"$R/etc/apt/apt.conf.d/99host" || true
# No service starts in a chroot (no systemd runs there); say so explicitly.
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
chmod 755 "$R/usr/sbin/policy-rc.d"

in_root() { unshare --mount --propagation private -- sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$R" "$@"; }

echo "-- install $(basename "$deb")"
cp "$deb" "$R/tmp/"
out=$(in_root sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /tmp/$(basename "$deb")" 2>&1)
rc=$?
assert_eq "apt installs the package and its dependencies" 0 "$rc"
[ "$rc" = 0 ] || { printf '%s\n' "$out" | tail -15; finish; }
assert_eq "dpkg has it installed" "install ok installed" "$(in_root dpkg-query -W -f='${Status}' sensor-service)"
assert_match "the binary runs" "^sensor-service $version\$" "$(in_root sensor-service --version)"
check "the installed configuration is valid" in_root sensor-service --config /etc/sensor-service/sensor-service.conf --print-config
assert_match "the configuration is a conffile" "/etc/sensor-service/sensor-service.conf [0-9a-f]{32}" \
	"$(in_root dpkg-query -W -f='${Conffiles}' sensor-service)"
check "the man page" test -s "$R/usr/share/man/man1/sensor-service.1.gz"
assert_match "the man page carries the version" "^\\.TH .*\"sensor-service $version\"" \
	"$(zcat "$R/usr/share/man/man1/sensor-service.1.gz" | grep '^\.TH ')"
check "the licence: Apache-2.0 in a machine-readable copyright file" \
	grep -qx 'License: Apache-2.0' "$R/usr/share/doc/sensor-service/copyright"
check "the unit" test -s "$R/lib/systemd/system/sensor-service.service"
assert_match "the unit runs the packaged binary" '^ExecStart=/usr/bin/sensor-service ' \
	"$(grep '^ExecStart=' "$R/lib/systemd/system/sensor-service.service")"
check "the unit is enabled" test -L "$R/etc/systemd/system/multi-user.target.wants/sensor-service.service"
for u in sensor-service-vmagent sensor-service-vmalert; do
	check "$u.service is shipped" test -s "$R/lib/systemd/system/$u.service"
	check "$u.service is not enabled (vmagent and vmalert are a suggestion)" \
		test ! -e "$R/etc/systemd/system/multi-user.target.wants/$u.service"
done
for f in /etc/sensor-service/vmagent.env /etc/sensor-service/vmagent-scrape.yml /etc/default/sensor-service; do
	assert_match "$f is a conffile" "$f [0-9a-f]{32}" "$(in_root dpkg-query -W -f='${Conffiles}' sensor-service)"
done
assert_eq "every line of /etc/default/sensor-service is a comment" "" "$(grep -v '^#' "$R/etc/default/sensor-service" | grep .)"
assert_match "the system user exists" '^sensor-service:x:[0-9]+:[0-9]+:.*:/nonexistent:/usr/sbin/nologin$' \
	"$(in_root getent passwd sensor-service)"
check "the example configurations" test -s "$R/usr/share/sensor-service/deploy/vmalert/alerts.yml"
check "the README" test -s "$R/usr/share/doc/sensor-service/README.md.gz"
check "the security document" test -s "$R/usr/share/doc/sensor-service/security.md.gz"

echo "-- the web config fails closed with the installed binary"
example=/usr/share/sensor-service/deploy/web-config.yml
check "the example web config is shipped" test -s "$R$example"
refused() { # refused "what" "reason regex" FILE: the installed service refuses FILE at start, exit 2, one line
	local out rc=0
	out=$(in_root sensor-service --simulate --port 18999 --shm-name /sensor-test-deb --web-config-file "$3" 2>&1) || rc=$?
	assert_eq "$1: exit 2" 2 "$rc"
	assert_eq "$1: one line" 1 "$(printf '%s\n' "$out" | wc -l)"
	assert_match "$1: says why" "$2" "$out"
}
: >"$R/tmp/empty.yml"
refused "an empty web config" "configures neither TLS nor basic auth" /tmp/empty.yml
refused "a directory as the web config" "not a regular file" /tmp
refused "a missing web config" "web-missing.yml" /tmp/web-missing.yml
mkdir -p "$R/tmp/web"
cp "$R$example" "$R/tmp/web/web-config.yml"
refused "the shipped example before its certificate is made" "server.crt" /tmp/web/web-config.yml
check "the shipped example's bcrypt cost is within auth-max-bcrypt-cost" \
	awk -v max="$(in_root sensor-service --print-config | sed -n 's/^auth-max-bcrypt-cost=//p')" \
	'match($0, /\$2[aby]\$[0-9][0-9]\$/) { found = 1; if (substr($0, RSTART + 4, 2) + 0 > max) over = 1 } END { exit !found || over }' \
	"$R$example"

echo "-- the units in this minimal root, with systemd added: systemd-analyze verify"
check "the root has no /bin/kill (procps is not installed)" test ! -e "$R/bin/kill" -a ! -e "$R/usr/bin/kill"
out=$(in_root sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd" 2>&1)
assert_eq "apt installs systemd" 0 $?
# (--man=no: man-db, which the Documentation= check runs, is not part of a
# minimal root.)
out=$(in_root systemd-analyze verify --man=no /lib/systemd/system/sensor-service.service 2>&1)
assert_eq "systemd-analyze verify sensor-service.service: no complaint ($out)" "0:" "$?:$out"

echo "-- upgrade to a newer version (made with make new-version), with an edited conffile"
# (the shipped file sets nothing: its port line is the commented default)
sed -i 's/^#port=.*/port=8123/' "$R/etc/sensor-service/sensor-service.conf"
up="$TEST_TMP/up"
cp -a "$DEB_DIR/src" "$up"
rm -rf "$up/build"
newver="$version+upgrade1"
if make -s --no-print-directory -C "$up" new-version V="$newver" CHANGES="A newer version, for the upgrade test." \
	>"$TEST_TMP/up-build.log" 2>&1 &&
	(cd "$up" && dpkg-buildpackage --build=binary --no-sign >>"$TEST_TMP/up-build.log" 2>&1); then
	pass "a newer version builds"
	cp "$TEST_TMP"/sensor-service_"$newver"_*.deb "$R/tmp/"
	out=$(in_root sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /tmp/sensor-service_${newver}_*.deb" 2>&1)
	assert_eq "apt upgrades it" 0 $?
	assert_eq "the newer version is installed" "$newver" "$(in_root dpkg-query -W -f='${Version}' sensor-service)"
	assert_eq "--version says the newer version" "sensor-service $newver" "$(in_root sensor-service --version)"
	check "the man page says the newer version" sh -c "zcat '$R/usr/share/man/man1/sensor-service.1.gz' | grep '^\.TH ' | grep -qF '\"sensor-service $newver\"'"
	check "the edited conffile is kept" grep -q '^port=8123$' "$R/etc/sensor-service/sensor-service.conf"
	assert_match "and in force" '^port=8123$' \
		"$(in_root sensor-service --config /etc/sensor-service/sensor-service.conf --print-config)"
else
	fail "a newer version builds"
	tail -20 "$TEST_TMP/up-build.log"
fi

echo "-- purge"
out=$(in_root dpkg --purge sensor-service 2>&1)
assert_eq "dpkg --purge exits 0" 0 $?
assert_eq "dpkg no longer knows it" "" "$(in_root dpkg-query -W -f='${Status}' sensor-service 2>/dev/null | grep installed)"
left=$(cd "$R" && find . -path ./proc -prune -o -path ./tmp -prune -o -path ./var/lib/dpkg -prune -o \
	-path ./var/log -prune -o -path ./var/cache -prune -o -iname '*sensor-service*' -print)
assert_eq "no file of it is left" "" "$left"
check "the system user is kept (Debian's practice: its id may own files elsewhere)" in_root getent passwd sensor-service

finish
