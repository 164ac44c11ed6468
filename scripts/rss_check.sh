#!/usr/bin/env bash
# rss_check.sh - memory of a running sensor-service: RSS and PSS (from
# /proc/PID/smaps_rollup) of its supervisor, worker and exporter, and, for
# a stack started by scripts/run-stack.sh, of VictoriaMetrics and vmalert
# (or vmagent in edge mode); then their total.
#
#   scripts/rss_check.sh [WHICH] [TOTAL_MB [PROCESS_MB]]
#
# WHICH names the service:
#   --pid PID            the supervisor's pid (a service run by hand)
#   --unit UNIT          a systemd unit's main process (systemctl show)
#   --container NAME     a podman (or docker, CONTAINER_ENGINE=docker)
#                        container whose entry point is the service
#   --state DIR          a stack's state directory (run-stack.sh's .pid
#                        files); the default, with STACK_STATE_DIR or .stack
#
# Exits 0 when within budget, 1 when the total RSS is over TOTAL_MB or one
# process's RSS over PROCESS_MB (default: TOTAL_MB), 2 when the service or
# a process of the stack is not running, or on a usage error. RSS counts
# shared pages once per process, so it is the stricter figure; PSS splits
# them and its total is what the processes really cost. MB = MiB.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE=${STACK_STATE_DIR:-$ROOT/.stack}
MODE=state TARGET=""

usage() {
	echo "rss_check: $1" >&2
	echo "usage: rss_check.sh [--pid PID | --unit UNIT | --container NAME | --state DIR] [TOTAL_MB [PROCESS_MB]]" >&2
	exit 2
}
case ${1:-} in
--pid | --unit | --container | --state)
	[ $# -ge 2 ] && [ -n "$2" ] || usage "$1 needs a value"
	MODE=${1#--} TARGET=$2
	shift 2
	;;
-*) usage "unknown option $1" ;;
esac
[ "$MODE" != state ] || [ -z "$TARGET" ] || STATE=$TARGET
TOTAL_MB=${1:-}
PROC_MB=${2:-${1:-}}
for n in "$TOTAL_MB" "$PROC_MB"; do
	case $n in '' | *[!0-9]*) [ -z "$n" ] || usage "budget '$n' is not a whole number of MiB" ;; esac
done

start_time() { awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$1/stat" 2>/dev/null; }
state_pid() { # the pid run-stack.sh recorded, if it still runs the same process
	local line pid st
	line=$(cat "$STATE/$1.pid" 2>/dev/null) || return 1
	read -r pid st <<<"$line"
	[ -n "${pid:-}" ] && [ -n "${st:-}" ] && [ "$(start_time "$pid")" = "$st" ] && echo "$pid"
}
supervisor_pid() { # the supervisor's pid for the chosen WHICH, or a line saying why not
	local pid
	case $MODE in
	pid) pid=$TARGET ;;
	unit)
		command -v systemctl >/dev/null || { echo "rss_check: systemctl is not installed" >&2; return 1; }
		pid=$(systemctl show -p MainPID --value "$TARGET" 2>/dev/null)
		[ "${pid:-0}" != 0 ] || { echo "rss_check: unit $TARGET has no main process" >&2; return 1; }
		;;
	container)
		local engine=${CONTAINER_ENGINE:-podman}
		command -v "$engine" >/dev/null || { echo "rss_check: $engine is not installed" >&2; return 1; }
		pid=$("$engine" inspect -f '{{.State.Pid}}' "$TARGET" 2>/dev/null)
		[ "${pid:-0}" != 0 ] || { echo "rss_check: container $TARGET is not running" >&2; return 1; }
		;;
	state)
		pid=$(state_pid sensor-service) ||
			{ echo "rss_check: sensor-service is not running (no live pid in $STATE)" >&2; return 1; }
		;;
	esac
	case $pid in '' | *[!0-9]*) echo "rss_check: '$pid' is not a pid" >&2; return 1 ;; esac
	[ -r "/proc/$pid/stat" ] || { echo "rss_check: no process $pid" >&2; return 1; }
	echo "$pid"
}
kb() { # kb PID FIELD: a field of smaps_rollup, in kB
	awk -v f="$2:" '$1 == f { print $2; exit }' "/proc/$1/smaps_rollup" 2>/dev/null
}

names=() pids=()
add() { names+=("$1") pids+=("$2"); }
missing=0
if svc=$(supervisor_pid); then
	add supervisor "$svc"
	for child in worker exporter; do
		p=$(pgrep -P "$svc" -x "sensor-$child" | head -n1)
		if [ -n "$p" ]; then add "$child" "$p"; else
			echo "rss_check: no sensor-$child under pid $svc" >&2
			missing=1
		fi
	done
else
	missing=1
fi
# The stack's other processes; an edge stack (STACK_MODE=edge) has vmagent
# instead of VictoriaMetrics.
if [ "$MODE" = state ]; then
	for comp in victoria-metrics vmalert vmagent; do
		if p=$(state_pid "$comp"); then
			add "$comp" "$p"
		elif [ -e "$STATE/$comp.pid" ] || { [ "$comp" = victoria-metrics ] && [ ! -e "$STATE/vmagent.pid" ]; }; then
			echo "rss_check: $comp is not running" >&2
			missing=1
		fi
	done
fi

rc=0 total_rss=0 total_pss=0
printf '%-17s %8s %10s %10s\n' process pid "RSS kB" "PSS kB"
for i in "${!names[@]}"; do
	rss=$(kb "${pids[$i]}" Rss) pss=$(kb "${pids[$i]}" Pss)
	[ -n "$rss" ] || {
		echo "rss_check: cannot read /proc/${pids[$i]}/smaps_rollup" >&2
		missing=1
		continue
	}
	flag=""
	if [ -n "$PROC_MB" ] && [ "$rss" -gt $((PROC_MB * 1024)) ]; then flag="  over ${PROC_MB} MiB" rc=1; fi
	printf '%-17s %8s %10s %10s%s\n' "${names[$i]}" "${pids[$i]}" "$rss" "$pss" "$flag"
	total_rss=$((total_rss + rss)) total_pss=$((total_pss + pss))
done
flag=""
if [ -n "$TOTAL_MB" ] && [ "$total_rss" -gt $((TOTAL_MB * 1024)) ]; then flag="  over ${TOTAL_MB} MiB" rc=1; fi
printf '%-17s %8s %10s %10s%s\n' total "" "$total_rss" "$total_pss" "$flag"
printf 'total: RSS %.1f MiB, PSS %.1f MiB%s\n' "$(awk -v k="$total_rss" 'BEGIN { print k / 1024 }')" \
	"$(awk -v k="$total_pss" 'BEGIN { print k / 1024 }')" "${TOTAL_MB:+ (budget $TOTAL_MB MiB)}"
[ "$missing" = 0 ] || exit 2
exit "$rc"
