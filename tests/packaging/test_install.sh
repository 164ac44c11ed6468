#!/usr/bin/env bash
# test_install.sh - `make install PREFIX=... DESTDIR=...` into a temporary
# root: binary, config and systemd unit land where they should, the unit
# follows PREFIX, passes `systemd-analyze verify` and scores well on
# `systemd-analyze security`, an edited config survives a reinstall, and
# `make uninstall` removes what install put there.
source "$(dirname "$0")/../integration/lib/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
D=$TEST_TMP/root
# Install the binary under test; -o: never rebuild it here.
rel=${SENSOR_BIN#"$ROOT"/}
build=${rel%/sensor-service}
minstall() { make -C "$ROOT" --no-print-directory -o "$build/sensor-service" BUILD="$build" DESTDIR="$D" "$@"; }

echo "-- make install PREFIX=/usr DESTDIR=$D"
out=$(minstall PREFIX=/usr install 2>&1); rc=$?
assert_eq "make install exits 0" 0 "$rc"
[ "$rc" = 0 ] || { printf '%s\n' "$out" | tail -n 5; finish; }
check "binary in /usr/bin, executable" test -x "$D/usr/bin/sensor-service"
assert_match "the installed binary runs" '^sensor-service [0-9.]+$' "$("$D/usr/bin/sensor-service" --version)"
check "config in /etc/sensor-service" test -s "$D/etc/sensor-service/sensor-service.conf"
out=$("$D/usr/bin/sensor-service" --config "$D/etc/sensor-service/sensor-service.conf" --print-config 2>&1)
assert_eq "the installed config is valid" 0 "$?"
unit=$D/usr/lib/systemd/system/sensor-service.service
check "unit in /usr/lib/systemd/system" test -s "$unit"
assert_eq "unit is 0644" 644 "$(stat -c %a "$unit")"
assert_eq "TasksMax= is the task budget of the defaults, as the build computed it" \
	"TasksMax=$(make -s --no-print-directory -C "$ROOT" tasks-max)" "$(grep '^TasksMax=' "$unit")"
assert_match "ExecStart= follows PREFIX" '^ExecStart=/usr/bin/sensor-service --config /etc/sensor-service/sensor-service.conf \$ARGS$' "$(grep '^ExecStart=' "$unit")"
assert_eq "the unit reads /etc/default/sensor-service, which may be absent" "EnvironmentFile=-/etc/default/sensor-service" \
	"$(grep '^EnvironmentFile=' "$unit")"
check "/etc/default/sensor-service is installed" test -s "$D/etc/default/sensor-service"
assert_eq "every line of /etc/default/sensor-service is a comment" "" "$(grep -v '^#' "$D/etc/default/sensor-service" | grep .)"
# Commands of the unit: only what Debian's Essential packages or the
# package itself bring (procps's /bin/kill is on neither).
for cmd in $(sed -nE 's/^Exec[A-Za-z]*=[-+@!:]*([^ ]+).*/\1/p' "$unit"); do
	case $cmd in
	/usr/bin/sensor-service | /bin/sh) pass "the unit's $cmd is the package's or Essential" ;;
	*) fail "the unit runs $cmd, neither the package's nor Essential" ;;
	esac
done
for key in 'Type=notify' 'NotifyAccess=main' 'WatchdogSec=[0-9]+s' 'StartLimitIntervalSec=0' \
	'MemoryMax=[0-9]+[KMG]' 'Restart=on-failure' 'ProtectSystem=strict' 'NoNewPrivileges=yes' 'DynamicUser=yes' \
	'PrivateTmp=yes' 'CapabilityBoundingSet=$' 'SystemCallFilter=@system-service'; do
	check "unit sets $key" grep -Eq "^$key" "$unit"
done
check "rules, scrape config and dashboard go to share/" test -s "$D/usr/share/sensor-service/deploy/vmalert/alerts.yml" \
	-a -s "$D/usr/share/sensor-service/deploy/victoriametrics/scrape.yml" -a -s "$D/usr/share/sensor-service/deploy/grafana/sensor-service.json"

echo "-- systemd-analyze"
if command -v systemd-analyze >/dev/null; then
	# verify wants ExecStart= and the Documentation= man page to exist on
	# this machine: point both into DESTDIR.
	mkdir -p "$TEST_TMP/units"
	sed "s|^ExecStart=/usr/bin/|ExecStart=$D/usr/bin/|" "$unit" >"$TEST_TMP/units/sensor-service.service"
	out=$(MANPATH="$D/usr/share/man" systemd-analyze verify "$TEST_TMP/units/sensor-service.service" 2>&1); rc=$?
	assert_eq "systemd-analyze verify: no complaint ($out)" "0:" "$rc:$out"
	out=$(systemd-analyze security --offline=yes --root="$D" sensor-service.service 2>&1)
	score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for sensor-service.service: \([0-9.]*\).*/\1/p')
	echo "       systemd-analyze security: exposure ${score:-?} (0 = locked down, 10 = exposed)"
	check "exposure level is at most 2.0 (got ${score:-none})" awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.0) }'
	# The monitoring stack's units: their binaries come from victoria-metrics.
	for u in sensor-service-vmagent sensor-service-vmalert; do
		check "$u.service is installed" test -s "$D/usr/lib/systemd/system/$u.service"
		assert_match "$u.service reads its files under PREFIX or /etc" "[[:space:]]-[a-zA-Z.]+=(/usr/share/sensor-service/deploy/|/etc/sensor-service/)" \
			"$(grep -A2 '^ExecStart=' "$D/usr/lib/systemd/system/$u.service")"
		if command -v vmagent >/dev/null && command -v vmalert >/dev/null; then
			out=$(MANPATH="$D/usr/share/man" systemd-analyze verify "$D/usr/lib/systemd/system/$u.service" 2>&1); rc=$?
			assert_eq "systemd-analyze verify $u.service: no complaint ($out)" "0:" "$rc:$out"
		else
			skip "systemd-analyze verify $u.service: vmagent/vmalert not installed (scripts/install-deps.sh stack)"
		fi
	done
	check "vmagent.env is installed beside the config" test -s "$D/etc/sensor-service/vmagent.env"
	check "vmagent's scrape file is installed beside the config" test -s "$D/etc/sensor-service/vmagent-scrape.yml"
	assert_match "sensor-service-vmagent.service reads it" "-promscrape.config=/etc/sensor-service/vmagent-scrape.yml " \
		"$(grep -A2 '^ExecStart=' "$D/usr/lib/systemd/system/sensor-service-vmagent.service")"
else
	fail "systemd-analyze is installed"
fi

echo "-- reinstall keeps an edited config; uninstall"
echo "# edited" >>"$D/etc/sensor-service/sensor-service.conf"
minstall PREFIX=/usr install >/dev/null 2>&1
check "reinstall keeps the edited config" grep -q '^# edited' "$D/etc/sensor-service/sensor-service.conf"
minstall PREFIX=/usr uninstall >/dev/null 2>&1
check "uninstall removes the binary" test ! -e "$D/usr/bin/sensor-service"
check "uninstall removes the unit" test ! -e "$unit"
check "uninstall removes the stack's units" test ! -e "$D/usr/lib/systemd/system/sensor-service-vmagent.service"
check "uninstall removes share/sensor-service" test ! -e "$D/usr/share/sensor-service"

echo "-- default PREFIX"
minstall install >/dev/null 2>&1
assert_match "PREFIX=/usr/local: ExecStart=/usr/local/bin/..." '^ExecStart=/usr/local/bin/sensor-service ' \
	"$(grep '^ExecStart=' "$D/usr/local/lib/systemd/system/sensor-service.service" 2>&1)"

finish
