#!/usr/bin/env bash
# board_checks.sh - run inside the emulated arm64 board (see
# scripts/board.sh): the cross-built unit tests of arm64 and armhf, the
# arm64 stress-shm program, then the service end to
# end (start, /, /metrics kept for promtool on the host, kill -9 of each
# child and recovery, clean stop) and its idle memory, written to
# build/board/results/ for the host to read.
source "$(dirname "$0")/../integration/lib/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
R="$ROOT/build/board/results"
CROSS="$ROOT/build/cross/arm64"
export SENSOR_BIN="$CROSS/sensor-service"

echo "-- the board: $(uname -m), $(nproc) CPUs, $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB, kernel $(uname -r)"
check "the guest is arm64" test "$(uname -m)" = aarch64

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
out=$("$CROSS/stress/stress_shm" "${STRESS_S:-10}" 2>"$R/stress-shm.log")
rc=$?
printf '%s\n' "$out" >"$R/stress-shm.txt"
assert_eq "$out" 0 "$rc"

echo "-- the service"
start_service || { fail "the service starts"; finish; }
pass "the service starts"
assert_eq "/ answers 200" 200 "$(http_status /)"
wait_for "readings" 10 metric_above sensor_readings_total 0 && pass "readings are counted" || fail "readings are counted"
http_body /metrics >"$R/metrics.txt"
check "/metrics has the spike histogram" grep -q '^sensor_cpu_spike_seconds_bucket' "$R/metrics.txt"

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
check "the segment is removed" test ! -e "/dev/shm${SVC_SHM}"

echo "-- memory, idle, with the defaults"
bash "$ROOT/tests/board/measure_memory.sh" "$R/memory-arm64.json" && pass "memory measured" || fail "memory measured"
finish
