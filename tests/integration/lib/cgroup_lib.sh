# cgroup_lib.sh - read a memory cgroup's accounting, v1 or v2, for the
# tests that run the service under a memory limit (test_cgroup_limit.sh,
# test_container.sh, test_compose_up.sh).
#
#   cg_usage DIR, cg_peak DIR, cg_limit DIR   bytes (peak empty where the kernel has none)
#   cg_limit_hits DIR   evidence that the group's own limit was reached: v1
#                       memory.failcnt + memory.memsw.failcnt, v2 the "max"
#                       line of memory.events.local, plus 1 when the peak
#                       use equals the limit (some kernels, 6.18 here, keep
#                       v1 failcnt at 0 even when the limit is hit); a child
#                       group's cap reached counts in the child, not here
#   cg_oom_kills DIR    OOM kills counted in the group: the kernel counts a
#                       kill in the victim's own group, so this alone cannot
#                       tell which limit ran out

cg_usage() { cat "$1/memory.usage_in_bytes" 2>/dev/null || cat "$1/memory.current"; }
cg_peak() { cat "$1/memory.max_usage_in_bytes" 2>/dev/null || cat "$1/memory.peak" 2>/dev/null; }
cg_limit() { cat "$1/memory.limit_in_bytes" 2>/dev/null || cat "$1/memory.max"; }
cg_limit_hits() {
	local n peak limit
	if [ -e "$1/memory.failcnt" ]; then
		n=$(cat "$1/memory.failcnt" "$1/memory.memsw.failcnt" 2>/dev/null | awk '{ n += $1 } END { print n + 0 }')
	else
		n=$(awk '$1 == "max" { print $2 }' "$1/memory.events.local")
	fi
	peak=$(cg_peak "$1"); limit=$(cg_limit "$1")
	[ -n "$peak" ] && [ "$limit" != max ] && [ "$peak" -ge "$limit" ] && n=$((${n:-0} + 1))
	echo "${n:-0}"
}
cg_oom_kills() { awk '$1 == "oom_kill" { print $2 }' "$1/memory.oom_control" "$1/memory.events" 2>/dev/null | head -1; }
