#!/usr/bin/env bash
# board_checks.sh - run inside the emulated arm64 board (see
# scripts/board.sh): install the arm64 Debian package with apt from the
# local repository (its maintainer scripts run here), start the installed
# service as its unit starts it (its user, EnvironmentFile=, ExecStart=;
# the board boots no systemd), check /, /metrics, a restart and a clean
# stop; the service end to end (kill -9 of each child and recovery) and
# its idle memory; the cross-built unit tests of arm64 and armhf (on the
# libraries the package brought) and the arm64 stress-shm program; then a
# purge that leaves nothing.
# Results in build/board/results/ for the host to read.
source "$(dirname "$0")/../integration/lib/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
R="$ROOT/build/board/results"
UNIT=/lib/systemd/system/sensor-service.service
deb=$(ls "$ROOT"/build/deb-arm64/sensor-service_*_arm64.deb | head -1)
version=$(dpkg-deb -f "$deb" Version)

echo "-- the board: $(uname -m), $(nproc) CPUs, $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB, kernel $(uname -r)"
check "the guest is arm64" test "$(uname -m)" = aarch64

echo "-- apt install $(basename "$deb") (dependencies from the local repository)"
t0=$SECONDS
dpkg --configure -a >"$R/apt.log" 2>&1
assert_eq "the base system's pending configuration (PAM) runs on the board" 0 $?
apt-get update -qq >>"$R/apt.log" 2>&1
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$deb" >>"$R/apt.log" 2>&1
rc=$?
assert_eq "apt installs it and its dependencies ($((SECONDS - t0)) s)" 0 "$rc"
[ "$rc" = 0 ] || { tail -30 "$R/apt.log"; finish; }
grep -E '^(Setting up|Unpacking) ' "$R/apt.log" | sed 's/^/  (/; s/$/)/' | grep 'Setting up'
assert_eq "dpkg has it installed" "install ok installed" "$(dpkg-query -W -f='${Status}' sensor-service)"
assert_eq "the installed binary says the package's version" "sensor-service $version" "$(sensor-service --version)"
check "its postinst made the system user" getent passwd sensor-service
check "its postinst enabled the unit" test -L /etc/systemd/system/multi-user.target.wants/sensor-service.service

echo "-- the service as its unit starts it"
user=$(sed -n 's/^User=//p' "$UNIT")
envfile=$(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$UNIT")
exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")
check "the unit names its user ($user), environment file ($envfile) and command" test -n "$user" -a -n "$envfile" -a -n "$exec_start"
# The unit's command as UNIT_CMD, in its environment: the environment
# file's variables, $ARGS expanded (call it in a subshell).
unit_command() {
	# (an unset variable, $ARGS above all, expands to nothing, as in systemd)
	set +u -a
	# shellcheck disable=SC1090 # the installed environment file
	[ -r "$envfile" ] && . "$envfile"
	set +a
	eval "UNIT_CMD=($exec_start)"
}
# What systemd does: RuntimeDirectory=, UMask=, the unit's command in its
# environment, the unit's user.
unit_start() {
	install -d -o "$user" -g "$user" -m 0755 /run/sensor-service
	(
		unit_command
		umask 0077
		exec setpriv --reuid="$user" --regid="$user" --clear-groups -- "${UNIT_CMD[@]}"
	) >>"$R/unit-service.log" 2>&1 &
	SVC_PID=$!
	SVC_PIDS+=("$SVC_PID")
	# The port the service resolves: its option table's default, the
	# configuration file and the environment, as the unit runs it.
	SVC_URL=http://127.0.0.1:$(unit_command && "${UNIT_CMD[@]}" --print-config | sed -n 's/^port=//p')
	wait_for "the service on $SVC_URL" 30 curl -sf -o /dev/null "$SVC_URL/"
}
# ...and on stop: SIGTERM, then the runtime directory goes.
unit_stop() {
	local rc=0
	stop_service || rc=$?
	rm -rf /run/sensor-service
	return $rc
}
unit_start
assert_eq "/ answers 200" 200 "$(http_status /)"
assert_eq "it runs as $user" "$user" "$(ps -o user= -p "$SVC_PID" | tr -d ' ')"
http_body /metrics >"$R/metrics.txt"
assert_match "/metrics: sensor_build_info has the package's version" "^sensor_build_info\{version=\"$version\"" \
	"$(grep '^sensor_build_info' "$R/metrics.txt")"
check "/metrics has the spike histogram" grep -q '^sensor_cpu_spike_seconds_bucket' "$R/metrics.txt"
unit_stop
assert_eq "restart: the stop is clean (exit 0)" 0 $?
unit_start
assert_eq "restart: / answers 200 again" 200 "$(http_status /)"
wait_for "readings" 20 metric_above sensor_readings_total 0 && pass "restart: readings are counted" ||
	fail "restart: readings are counted"
unit_stop
assert_eq "SIGTERM: a clean stop (exit 0)" 0 $?
check "the segment is removed" test ! -e /dev/shm/sensor-service

echo "-- the installed service end to end"
export SENSOR_BIN=/usr/bin/sensor-service
start_service || { fail "the service starts"; finish; }
pass "the service starts"
for child in worker exporter; do
	old=$(child_pid "$child")
	kill -9 "$old"
	wait_for "a new $child" 10 bash -c "p=\$(pgrep -P $SVC_PID -x sensor-$child); [ -n \"\$p\" ] && [ \"\$p\" != $old ]"
	new=$(child_pid "$child")
	check "kill -9 of the $child: a new one runs" test -n "$new" -a "$new" != "$old"
	wait_for "/ after the $child's restart" 10 curl -sf -o /dev/null "$SVC_URL/"
	assert_eq "kill -9 of the $child: / answers again" 200 "$(http_status /)"
done
before=$(metric_value sensor_readings_total)
wait_for "readings go on" 10 metric_above sensor_readings_total "$before" && pass "readings go on after the restarts" ||
	fail "readings go on after the restarts"
stop_service
assert_eq "SIGTERM: clean stop, exit 0" 0 $?

echo "-- memory of the installed service, idle, with the defaults"
bash "$ROOT/tests/board/measure_memory.sh" "$R/memory-arm64.json" && pass "memory measured" || fail "memory measured"

for arch in arm64 armhf; do
	echo "-- unit tests, $arch (cross-built)"
	for t in "$ROOT/build/cross/$arch"/tests/*; do
		[ -x "$t" ] && [ -f "$t" ] || continue
		log="unit-$arch-$(basename "$t").log"
		if "$t" >"$R/$log" 2>&1; then
			pass "$arch $(basename "$t")"
		else
			fail "$arch $(basename "$t") (log: build/board/results/$log)"
			tail -20 "$R/$log"
		fi
	done
done

# Under TCG the guest's cores do not reorder memory as real ARM cores do:
# this runs the arm64 build of the segment's code, not its barriers.
echo "-- the shared segment under writer kills and stray stores (stress-shm, arm64)"
out=$("$ROOT/build/cross/arm64/stress/stress_shm" "${STRESS_S:-10}" 2>"$R/stress-shm.log")
rc=$?
printf '%s\n' "$out" >"$R/stress-shm.txt"
assert_eq "$out" 0 "$rc"

echo "-- dpkg --purge sensor-service"
dpkg --purge sensor-service >"$R/purge.log" 2>&1
assert_eq "dpkg --purge exits 0" 0 $?
assert_eq "dpkg no longer knows it" "" "$(dpkg-query -W -f='${Status}' sensor-service 2>/dev/null | grep installed)"
left=$(find / -xdev \( -path /proc -o -path /sys -o -path /work -o -path /tmp -o -path /var/lib/dpkg -o -path /var/log \
	-o -path /var/cache \) -prune -o -iname '*sensor-service*' -print 2>/dev/null)
assert_eq "no file of it is left" "" "$left"
finish
