#!/usr/bin/env bash
# test_hup_storm.sh - SIGHUP at any moment kills no process of the service:
# a storm of SIGHUPs (one every 5 ms) at the supervisor, which forwards
# each to the exporter, while the exporter is killed and restarted; then
# at the whole process group (as a closing terminal sends it) while the
# worker and the exporter are. No child may end by signal 1, and the
# supervisor's restarts stay on the shortest backoff.
source "$(dirname "$0")/lib/faults_lib.sh"

# In a process group of its own, so that a group's SIGHUP reaches the
# service's processes and not this script.
REAL_BIN=$SENSOR_BIN
SENSOR_BIN="$TEST_TMP/in-own-group"
printf '#!/bin/sh\nexec setsid "%s" "$@"\n' "$REAL_BIN" >"$SENSOR_BIN"
chmod +x "$SENSOR_BIN"

# storm TARGET : SIGHUP to TARGET (a pid, or -PGID) every 5 ms, in the background
# (each SIGHUP sent is a line in $TEST_TMP/hups)
storm() {
	(while kill -HUP -- "$1" 2>/dev/null; do echo >>"$TEST_TMP/hups"; sleep 0.005; done) &
	STORM_PID=$!
}
storm_end() { kill "$STORM_PID" 2>/dev/null; wait "$STORM_PID" 2>/dev/null; }
hups() { wc -l <"$TEST_TMP/hups" 2>/dev/null || echo 0; }

# kill_and_wait WHO ROUNDS : kill -9 that child ROUNDS times, each time
# waiting for its successor and half a second of its life
kill_and_wait() {
	local who=$1 old i
	for i in $(seq 1 "$2"); do
		old=$(child_pid "$who") || { fail "$who runs before kill $i"; return; }
		kill -9 "$old"
		wait_new_pid "$who" "$old" 5 >/dev/null || { fail "$who restarted after kill $i"; return; }
		sleep 0.5
		KILLS=$((KILLS + 1))
	done
}

start_stamped --sample-interval-ms 50 --backoff-min-ms 50 --backoff-max-ms 1000 || { fail "service starts"; finish; }
KILLS=0
assert_eq "the service leads a process group of its own" "$SVC_PID" "$(ps -o pgid= -p "$SVC_PID" | tr -d ' ')"

echo "-- SIGHUP every 5 ms at the supervisor while the exporter restarts"
storm "$SVC_PID"
kill_and_wait exporter 4
storm_end
sent=$(hups)
assert_gt "SIGHUPs reached the supervisor all along ($sent)" "$sent" 100

echo "-- SIGHUP every 5 ms at the process group while the worker and the exporter restart"
storm "-$SVC_PID"
kill_and_wait worker 3
kill_and_wait exporter 3
storm_end
assert_gt "SIGHUPs reached the group all along ($(($(hups) - sent)))" $(($(hups) - sent)) 100

echo "  ($KILLS kills; $(grep -c 'ended (signal' "$SVC_LOG") deaths logged)"
assert_eq "no child ended by SIGHUP (signal 1)" "" "$(grep -E 'ended \(signal 1\)' "$SVC_LOG")"
assert_eq "every death was one of the kills (signal 9)" "$KILLS" "$(grep -c 'ended (signal 9)' "$SVC_LOG")"
check "the supervisor survived the storms" kill -0 "$SVC_PID"
assert_eq "/ answers 200 afterwards" 200 "$(http_status /)"
assert_match "the exporter re-read its (absent) web config on a forwarded SIGHUP" "SIGHUP: no web config file to re-read" "$(cat "$SVC_LOG")"
stop_checked
finish
