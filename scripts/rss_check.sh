#!/usr/bin/env bash
# rss_check.sh - memory of every process of the running stack: RSS and PSS
# (from /proc/PID/smaps_rollup) of the supervisor, worker, exporter,
# VictoriaMetrics and vmalert (or vmagent in edge mode), and their total.
#
#   scripts/rss_check.sh [TOTAL_MB [PROCESS_MB]]
#
# Exits 1 when the total RSS is over TOTAL_MB, or one process's RSS is over
# PROCESS_MB (default: TOTAL_MB); 2 when a process of the stack is missing.
# RSS counts shared pages once per process, so it is the stricter figure;
# PSS splits them and its total is what the stack really costs. MB = MiB.
# The processes are those of the stack started by scripts/run-stack.sh with
# the same STACK_STATE_DIR (default .stack).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE=${STACK_STATE_DIR:-$ROOT/.stack}
TOTAL_MB=${1:-}
PROC_MB=${2:-${1:-}}

pid_of() { # pid recorded by run-stack.sh, if it still runs the same process
	local pid st now
	read -r pid st 2>/dev/null <"$STATE/$1.pid" || return 1
	now=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$pid/stat" 2>/dev/null) || return 1
	[ "$now" = "$st" ] && echo "$pid"
}
kb() { # kb PID FIELD: a field of smaps_rollup, in kB
	awk -v f="$2:" '$1 == f { print $2; exit }' "/proc/$1/smaps_rollup" 2>/dev/null
}

names=() pids=()
add() { names+=("$1"); pids+=("$2"); }
missing=0
if svc=$(pid_of sensor-service); then
	add supervisor "$svc"
	for child in worker exporter; do
		p=$(pgrep -P "$svc" -x "sensor-$child" | head -n1)
		if [ -n "$p" ]; then add "$child" "$p"; else echo "rss_check: no sensor-$child under pid $svc" >&2; missing=1; fi
	done
else
	echo "rss_check: sensor-service is not running (no live pid in $STATE)" >&2
	missing=1
fi
# An edge stack (STACK_MODE=edge) has vmagent instead of VictoriaMetrics.
for comp in victoria-metrics vmalert vmagent; do
	if p=$(pid_of "$comp"); then add "$comp" "$p"
	elif [ -e "$STATE/$comp.pid" ] || { [ "$comp" = victoria-metrics ] && [ ! -e "$STATE/vmagent.pid" ]; }; then
		echo "rss_check: $comp is not running" >&2; missing=1
	fi
done

rc=0 total_rss=0 total_pss=0
printf '%-17s %8s %10s %10s\n' process pid "RSS kB" "PSS kB"
for i in "${!names[@]}"; do
	rss=$(kb "${pids[$i]}" Rss) pss=$(kb "${pids[$i]}" Pss)
	[ -n "$rss" ] || { echo "rss_check: cannot read /proc/${pids[$i]}/smaps_rollup" >&2; missing=1; continue; }
	flag=""
	if [ -n "$PROC_MB" ] && [ "$rss" -gt $((PROC_MB * 1024)) ]; then flag="  over ${PROC_MB} MiB"; rc=1; fi
	printf '%-17s %8s %10s %10s%s\n' "${names[$i]}" "${pids[$i]}" "$rss" "$pss" "$flag"
	total_rss=$((total_rss + rss)) total_pss=$((total_pss + pss))
done
flag=""
if [ -n "$TOTAL_MB" ] && [ "$total_rss" -gt $((TOTAL_MB * 1024)) ]; then flag="  over ${TOTAL_MB} MiB"; rc=1; fi
printf '%-17s %8s %10s %10s%s\n' total "" "$total_rss" "$total_pss" "$flag"
printf 'total: RSS %.1f MiB, PSS %.1f MiB%s\n' "$(awk -v k="$total_rss" 'BEGIN { print k / 1024 }')" \
	"$(awk -v k="$total_pss" 'BEGIN { print k / 1024 }')" "${TOTAL_MB:+ (budget $TOTAL_MB MiB)}"
[ "$missing" = 0 ] || exit 2
exit "$rc"
