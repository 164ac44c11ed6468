#!/usr/bin/env bash
# profile_cpu.sh - sample a running sensor-service with `perf record` (call
# graphs) for N seconds and write a flame graph (SVG), the folded stacks and
# a `perf report` text summary.
#
#   scripts/profile_cpu.sh                     the running sensor-worker, 10 s
#   scripts/profile_cpu.sh --stack             supervisor, worker and exporter
#   scripts/profile_cpu.sh -p 1234,1240 -d 30  these pids
#   scripts/profile_cpu.sh --start [-- ARGS]   start build/sensor-service on a
#                                              free loopback port (busy
#                                              settings unless ARGS are given),
#                                              scrape it during the run, profile
#                                              the whole stack, stop it
# Options: -d SECONDS (10)  -F HZ (499)  -o DIR (build/profile)
#          --dwarf  (default) `perf record --call-graph dwarf`: full stacks
#                   although -O2 builds omit frame pointers; ~8 KB a sample
#          --fp     plain `perf record -g` (frame pointers): small data, but
#                   stacks stop after a frame or two unless the build has
#                   CFLAGS='-O2 -g -fno-omit-frame-pointer'
#
# Output: DIR/<target>-<time>/{perf.data,stacks.folded,flamegraph.svg,report.txt}
# The SVG is drawn by scripts/flamegraph.py (Debian has no FlameGraph).
# Hardware counters are often unavailable (VMs, containers): this samples
# the software clock (cpu-clock), which always works where perf does.
# Where perf is missing or not permitted, it says why and falls back to a
# /proc-based CPU report (per-thread CPU time and run states), exit status 3.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

duration=10 freq=499 outdir="$root/build/profile" mode=worker pids="" callgraph=(--call-graph "dwarf,8192") start_args=()
usage() { sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
	case $1 in
	-d | --duration) duration=$2; shift 2 ;;
	-F | --freq) freq=$2; shift 2 ;;
	-o | --out) outdir=$2; shift 2 ;;
	-p | --pid) pids=$2; mode=pids; shift 2 ;;
	-w | --worker) mode=worker; shift ;;
	-s | --stack) mode=stack; shift ;;
	--start) mode=start; shift ;;
	--fp) callgraph=(-g); shift ;;
	--dwarf) callgraph=(--call-graph "dwarf,8192"); shift ;;
	-h | --help) usage 0 ;;
	--) shift; start_args=("$@"); break ;;
	*) echo "profile_cpu: unknown argument '$1'" >&2; usage 2 ;;
	esac
done
[[ $duration =~ ^[0-9]+$ ]] && [ "$duration" -gt 0 ] || { echo "profile_cpu: -d needs whole seconds > 0" >&2; exit 2; }

started_pid="" load_pid="" tmp=$(mktemp -d /tmp/profile_cpu.XXXXXX)
cleanup() {
	[ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null
	if [ -n "$started_pid" ]; then
		kill -TERM "$started_pid" 2>/dev/null
		wait "$started_pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# --- which processes ------------------------------------------------------
one_pid() { # one_pid NAME HINT: the single running process of that name
	local name=$1 hint=$2 found
	found=$(pgrep -x "$name" | paste -sd' ' -)
	if [ -z "$found" ]; then
		echo "profile_cpu: no $name is running ($hint)" >&2
		return 1
	fi
	if [ "$found" != "${found%% *}" ]; then
		echo "profile_cpu: several $name processes run (pids $found); choose with -p PID[,PID...]" >&2
		return 1
	fi
	echo "$found"
}

case $mode in
start)
	bin=${SENSOR_BIN:-$root/build/sensor-service}
	[ -x "$bin" ] || { echo "profile_cpu: $bin is not built (make)" >&2; exit 2; }
	port=""
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 30000))
		ss -Htln "sport = :$p" 2>/dev/null | grep -q . || { port=$p; break; }
	done
	[ ${#start_args[@]} -gt 0 ] || start_args=(--sample-interval-ms 5 --process-interval-ms 200 --channels 8)
	"$bin" --port "$port" --shm-name "/sensor-profile-$$" "${start_args[@]}" >"$tmp/service.log" 2>&1 &
	started_pid=$!
	for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
	curl -sf -o /dev/null "http://127.0.0.1:$port/" || { echo "profile_cpu: service did not start:" >&2; cat "$tmp/service.log" >&2; exit 1; }
	echo "profile_cpu: started sensor-service pid $started_pid on 127.0.0.1:$port (${start_args[*]})"
	# Keep the exporter busy too: a scrape loop for the whole run.
	( end=$((SECONDS + duration + 2)); while [ $SECONDS -lt $end ]; do curl -s -o /dev/null "http://127.0.0.1:$port/metrics"; done ) &
	load_pid=$!
	pids="$started_pid,$(pgrep -P "$started_pid" | paste -sd, -)"
	label=stack
	;;
stack)
	sup=$(one_pid sensor-service "start one, or use --start") || exit 2
	pids="$sup,$(pgrep -P "$sup" | paste -sd, -)"
	label=stack
	;;
worker)
	pids=$(one_pid sensor-worker "start the service, or use --start or -p") || exit 2
	label=worker
	;;
pids)
	label=pid-${pids//,/-}
	;;
esac
pids=${pids%,}
for p in ${pids//,/ }; do
	[ -d "/proc/$p" ] || { echo "profile_cpu: no process $p" >&2; exit 2; }
done
run="$outdir/$label-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$run"
names=$(for p in ${pids//,/ }; do printf '%s(%s) ' "$(cat /proc/"$p"/comm 2>/dev/null)" "$p"; done)
echo "profile_cpu: $names for ${duration}s at ${freq} Hz -> $run"

# --- perf available and permitted? ------------------------------------------
why=""
if ! command -v perf >/dev/null; then
	why="perf is not installed (Debian: apt-get install linux-perf, or scripts/install-deps.sh profile)"
elif ! perf record -q -e cpu-clock -F "$freq" -o "$tmp/probe.data" -p "${pids%%,*}" -- sleep 0.2 >"$tmp/probe.err" 2>&1; then
	paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo "?")
	why="perf may not sample here (kernel.perf_event_paranoid=$paranoid, uid $(id -u)): $(grep -vE '^\s*(Error:?)?\s*$' "$tmp/probe.err" | head -1)
  fix: run as root, or 'sysctl kernel.perf_event_paranoid=1' for your own processes,
       or in a container add --cap-add PERFMON (or SYS_ADMIN) / --privileged"
fi

if [ -n "$why" ]; then
	echo "profile_cpu: NO FLAME GRAPH: $why" >&2
	echo "profile_cpu: falling back to a /proc CPU report (per-thread CPU time and run states)" >&2
	hz=$(getconf CLK_TCK)
	snap() { # snap: "pid tid comm utime stime" for every thread
		local p t
		for p in ${pids//,/ }; do
			for t in /proc/"$p"/task/*; do
				[ -r "$t/stat" ] || continue
				awk -v p="$p" '{ s = $0; sub(/^[0-9]+ \(/, "", s); comm = substr(s, 1, index(s, ") ") - 1);
					sub(/^.*\) /, "", s); split(s, f, " ");
					printf "%s %s %s %s %s\n", p, $1, comm, f[12], f[13] }' "$t/stat"
			done
		done
	}
	snap >"$tmp/a"
	: >"$tmp/states"
	end=$((SECONDS + duration))
	while [ $SECONDS -lt $end ]; do
		for p in ${pids//,/ }; do
			awk -v p="$p" '{ s = $0; sub(/^.*\) /, "", s); print p, substr(s, 1, 1) }' /proc/"$p"/task/*/stat 2>/dev/null >>"$tmp/states"
		done
		sleep 0.1
	done
	snap >"$tmp/b"
	{
		echo "# /proc CPU report: $names over ${duration}s (perf unavailable: ${why%%$'\n'*})"
		printf '%-8s %-8s %-18s %10s %8s   %s\n' pid tid comm cpu_s cpu_% "states sampled at 10 Hz (R running, S sleeping, D disk)"
		awk -v hz="$hz" -v d="$duration" 'NR == FNR { u[$2] = $4 + $5; next }
			{ c = ($4 + $5 - u[$2]) / hz; printf "%-8s %-8s %-18s %10.2f %7.1f%%\n", $1, $2, $3, c, 100 * c / d }' \
			"$tmp/a" "$tmp/b" | while read -r line; do
			p=$(echo "$line" | awk '{ print $1 }')
			st=$(awk -v p="$p" '$1 == p { n[$2]++ } END { for (s in n) printf "%s:%d ", s, n[s] }' "$tmp/states")
			echo "$line   $st"
		done
	} | tee "$run/report.txt"
	echo "profile_cpu: wrote $run/report.txt (no flame graph: perf is not usable here)"
	exit 3
fi

# --- record -------------------------------------------------------------------
echo "profile_cpu: perf record ${callgraph[*]} -e cpu-clock -F $freq -p $pids -- sleep $duration"
if ! perf record "${callgraph[@]}" -e cpu-clock -F "$freq" -p "$pids" -o "$run/perf.data" -- sleep "$duration" \
	>"$tmp/record.log" 2>&1; then
	cat "$tmp/record.log" >&2
	echo "profile_cpu: perf record failed" >&2
	exit 1
fi
grep -E 'Captured|samples' "$tmp/record.log" | sed 's/^/  /'

perf script -i "$run/perf.data" 2>/dev/null | python3 "$here/flamegraph.py" collapse >"$run/stacks.folded"
samples=$(awk '{ n += $NF } END { print n + 0 }' "$run/stacks.folded")
python3 "$here/flamegraph.py" svg --title "CPU: $names(${duration}s, $samples samples, cpu-clock ${freq} Hz)" \
	<"$run/stacks.folded" >"$run/flamegraph.svg"
{
	echo "# perf report: $names over ${duration}s, $samples samples"
	perf report -i "$run/perf.data" --stdio --no-children --sort comm,dso,symbol --percent-limit 0.5 2>/dev/null |
		grep -vE '^$|^# *$' | sed -E 's/ +-  +- *$//; s/ +IPC +\[IPC Coverage\]$//' | head -200
} >"$run/report.txt"

echo "profile_cpu: $samples samples"
if [ "$samples" -lt 20 ]; then
	echo "  note: few samples: the process was idle most of the time (perf samples only running"
	echo "        code); profile longer (-d), or use --start for busy settings"
fi
echo "  top functions (self time):"
perf report -i "$run/perf.data" --stdio --no-children --sort comm,symbol -g none --percent-limit 2 2>/dev/null |
	grep -E '^ +[0-9.]+%' | head -12 | sed -E 's/^ */    /; s/ +-  +- *$//'
# Deepest stack seen: with -O2 code built without frame pointers, -g stacks
# stop after a frame or two; DWARF unwinding recovers them.
depth=$(awk '{ n = split($0, a, ";"); if (n > m) m = n } END { print m + 0 }' "$run/stacks.folded")
if [ "${callgraph[0]}" = -g ] && [ "$depth" -le 4 ]; then
	echo "  note: shallow stacks (the build omits frame pointers): rerun without --fp for full call chains"
fi
echo "  wrote $run/flamegraph.svg"
echo "        $run/stacks.folded ($(wc -l <"$run/stacks.folded") distinct stacks)"
echo "        $run/report.txt (perf report --stdio)"
