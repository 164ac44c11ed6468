#!/usr/bin/env bash
# test_cgroup_stale.sh - the per-child memory cgroups (v1) of a supervisor
# killed with SIGKILL, which could not remove them, are removed by the
# next start, which says so once in its log; a group of a supervisor that
# still runs, and one that still holds a process, are left alone. Needs
# root and a writable cgroup v1 memory hierarchy (where the supervisor
# names its groups by its pid); SKIPPED otherwise.
source "$(dirname "$0")/lib/faults_lib.sh"

own=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3; exit }' /proc/self/cgroup)
PARENT="/sys/fs/cgroup/memory${own%/}"
DECOYS=()
BUSY_PID=""
cleanup_groups() {
	local d
	[ -n "$BUSY_PID" ] && kill -9 "$BUSY_PID" 2>/dev/null && wait "$BUSY_PID" 2>/dev/null
	for d in "${DECOYS[@]}"; do rmdir "$d" 2>/dev/null; done
	for d in "${STALE[@]}"; do rmdir "$d" 2>/dev/null; done
}
STALE=()
trap '_cleanup; cleanup_groups' EXIT

if [ "$(id -u)" -ne 0 ] || [ -z "$own" ] || [ ! -w "$PARENT" ] || [ ! -e "$PARENT/memory.limit_in_bytes" ]; then
	skip "no writable cgroup v1 memory hierarchy here (needs root; on cgroup v2 the children's groups are named by child and reused)"
	finish
fi
echo "  (cgroup v1: $PARENT)"

echo "-- a supervisor killed with SIGKILL leaves its children's groups"
start_stamped --sample-interval-ms 50 || { fail "service starts"; finish; }
old=$SVC_PID
STALE=("$PARENT/sensor-service.$old.worker" "$PARENT/sensor-service.$old.exporter")
check "the worker's group exists" test -d "${STALE[0]}"
check "the exporter's group exists" test -d "${STALE[1]}"
wpid=$(child_pid worker); epid=$(child_pid exporter)
kill -STOP "$wpid"
kill -9 "$old"; wait "$old" 2>/dev/null
wait_for "children gone" 5 bash -c "! kill -0 $wpid 2>/dev/null && ! kill -0 $epid 2>/dev/null"
check "the worker's group outlives it" test -d "${STALE[0]}"
check "the exporter's group outlives it" test -d "${STALE[1]}"

# A group named for a process that still runs (this shell), and one named
# for a dead process but not empty.
live="$PARENT/sensor-service.$$.worker"
mkdir "$live" && DECOYS+=("$live")
sleep 1 & dead=$!; wait "$dead"
busy="$PARENT/sensor-service.$dead.exporter"
mkdir "$busy" && DECOYS+=("$busy")
sleep 60 & BUSY_PID=$!
echo "$BUSY_PID" >"$busy/cgroup.procs"

echo "-- the next start removes them, once, and only them"
start_stamped --sample-interval-ms 50 || { fail "service starts again"; finish; }
check "the dead supervisor's worker group is gone" test ! -e "${STALE[0]}"
check "the dead supervisor's exporter group is gone" test ! -e "${STALE[1]}"
check "a group named for a running process stays" test -d "$live"
check "a group that holds a process stays" test -d "$busy"
lines=$(grep -c 'empty memory cgroup(s) of supervisors no longer running' "$SVC_LOG")
assert_eq "said once in the log" 1 "$lines"
line=$(grep 'empty memory cgroup(s) of supervisors no longer running' "$SVC_LOG")
assert_match "naming the worker's group" "sensor-service\.$old\.worker" "$line"
assert_match "naming the exporter's group" "sensor-service\.$old\.exporter" "$line"
new=$SVC_PID
stop_checked
check "a clean stop removes its own groups" test ! -e "$PARENT/sensor-service.$new.worker" -a ! -e "$PARENT/sensor-service.$new.exporter"
finish
