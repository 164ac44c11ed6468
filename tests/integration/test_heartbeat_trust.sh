#!/usr/bin/env bash
# test_heartbeat_trust.sh - the heartbeat a child writes into the segment
# is untrusted: a hung worker (SIGSTOP) whose heartbeat field holds a
# far-future value, or INT64_MAX (where the supervisor's "last beat +
# timeout" would overflow), is still killed for the hang and restarted;
# and a worker state out of range leaves / to the heartbeat.
source "$(dirname "$0")/lib/faults_lib.sh"

# set_field PID FIELD VALUE : write VALUE into FIELD (heartbeat or state)
# of the record of the child with PID (struct shm_child, shm/layout.h),
# found by its pid and a heartbeat within a minute of this machine's
# monotonic clock. Prints the offset.
set_field() {
	python3 - "/dev/shm$SVC_SHM" "$1" "$2" "$3" <<'PY'
import mmap, os, struct, sys, time
path, pid, field, value = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
EXIT_REASONS = 4  # SHM_EXIT_REASON_COUNT
HB = 32 + 8 * EXIT_REASONS + 8  # heartbeat_monotonic_ns from the start of struct shm_child
at_field, fmt = {"heartbeat": (HB, "<q"), "state": (4, "<I")}[field]
fd = os.open(path, os.O_RDWR)
m = mmap.mmap(fd, os.fstat(fd).st_size)
now = time.monotonic_ns()
found = [at - 8 for at in range(8, len(m) - HB - 8, 8)
         if struct.unpack_from("<i", m, at)[0] == pid
         and abs(struct.unpack_from("<q", m, at - 8 + HB)[0] - now) < 60 * 10**9]
assert len(found) == 1, f"found {len(found)} candidates"
struct.pack_into(fmt, m, found[0] + at_field, value)
print(found[0] + at_field)
PY
}

# The worker has heartbeated (its record holds a beat set_field can find).
first_beat() { curl -s "$SVC_URL/metrics" | grep -q '^sensor_worker_heartbeat_age_seconds [0-9]'; }

for what in "ten years ahead" "INT64_MAX"; do
	echo "-- a hung worker whose heartbeat says: $what"
	start_stamped --heartbeat-timeout-ms 1000 --sample-interval-ms 100 || { fail "service starts"; continue; }
	wait_for "the worker's first beat" 10 first_beat
	wpid=$(child_pid worker)
	kill -STOP "$wpid"
	if [ "$what" = INT64_MAX ]; then value=9223372036854775807; else
		value=$(python3 -c 'import time; print(time.monotonic_ns() + 10 * 365 * 86400 * 10**9)')
	fi
	at=$(set_field "$wpid" heartbeat "$value") || { fail "heartbeat field found"; kill -CONT "$wpid"; stop_checked; continue; }
	echo "  (wrote $value at offset $at)"
	new=$(wait_new_pid worker "$wpid" 6)
	check "the worker was killed for the hang and restarted" test -n "$new"
	assert_match "the log says why" "sensor-worker \(pid $wpid\) heartbeat stale" "$(cat "$SVC_LOG")"
	assert_eq "counted as a hang" 1 "$(metric 'sensor_child_exits_total{child="worker",reason="hang"}')"
	kill -CONT "$wpid" 2>/dev/null
	wait_for "health is 200 again" 10 test "$(http_status /)" = 200
	assert_eq "/ is 200 with the new worker" 200 "$(http_status /)"
	stop_checked
done

echo "-- a worker state out of range: / goes by the heartbeat"
start_stamped --heartbeat-timeout-ms 1000 --sample-interval-ms 100 || { fail "service starts"; finish; }
wait_for "the worker's first beat" 10 first_beat
wpid=$(child_pid worker)
at=$(set_field "$wpid" state 77) || fail "state field found"
echo "  (wrote 77 at offset $at)"
assert_eq "/ is 200 while the worker heartbeats" 200 "$(http_status /)"
sleep 1.5
assert_eq "and still, past the heartbeat timeout" 200 "$(http_status /)"
stop_checked
finish
