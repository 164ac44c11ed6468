# faults_lib.sh - helpers for the fault-injection tests, on top of lib.sh:
# a service whose log lines carry timestamps (to measure restart times),
# an HTTP prober that runs in the background while a fault happens, and
# small readers of /metrics and of the log.
#
#   source "$(dirname "$0")/faults_lib.sh"
#   start_stamped [flags...]    like start_service; up = any HTTP answer (503 too)
#   probe_start SECONDS [httpprobe.py args]; ...; probe_wait  -> PROBE line
#   probe_get KEY               a value from the PROBE line (requests, failures, p99_ms...)

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PROBE_PY="$(dirname "${BASH_SOURCE[0]}")/httpprobe.py"

# Under AddressSanitizer (make asan) freed memory sits in a quarantine and
# the shadow is resident too: RSS growth says nothing there, so the RSS
# checks allow RSS_SLACK (256 KiB normally) and the quarantine is kept small.
RSS_SLACK=262144
if ldd "$SENSOR_BIN" 2>/dev/null | grep -q libasan; then
	RSS_SLACK=$((24 * 1048576))
	export ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=1}" # as make asan sets it
	echo "  (AddressSanitizer build: RSS checks allow $((RSS_SLACK >> 20)) MiB of slack)"
fi

# Prefix every line with the wall clock (seconds.micros), no fork per line.
stamp_lines() {
	local l
	while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done
}

http_answers() { # any HTTP status at all
	local c; c=$(http_status "${1:-/}" --max-time 2)
	[ -n "$c" ] && [ "$c" != 000 ]
}

# Up = any HTTP answer; a port taken meanwhile by someone else is retried.
start_stamped() {
	local _
	for _ in 1 2 3; do
		pick_port SVC_PORT || return 1
		SVC_SHM=$(new_shm_name)
		SVC_LOG="$TEST_TMP/service-$SVC_PORT.log"
		SVC_URL="http://127.0.0.1:$SVC_PORT"
		"$SENSOR_BIN" --port "$SVC_PORT" --shm-name "$SVC_SHM" "$@" > >(stamp_lines >"$SVC_LOG") 2>&1 &
		SVC_PID=$!
		SVC_PIDS+=("$SVC_PID")
		local deadline=$((SECONDS + 15))
		while [ $SECONDS -le $deadline ] && kill -0 "$SVC_PID" 2>/dev/null; do
			http_answers / && return 0
			sleep 0.05
		done
		sleep 0.1
		grep -q 'Address already in use' "$SVC_LOG" || break
	done
	echo "---- service log"; cat "$SVC_LOG"; return 1
}

now_s() { echo "$EPOCHREALTIME"; }

# capped worker|exporter : false when nothing caps that child's memory (an
# ASan build, which cannot use RLIMIT_DATA, where no cgroup can be made)
capped() { ! grep -q "$1 memory cap: no rlimit under AddressSanitizer, and no cgroup" "$SVC_LOG"; }

# metric NAME_WITH_LABELS : its value, 0 when absent
metric() { local v; v=$(metric_value "$1"); echo "${v:-0}"; }

rss_of() { metric "sensor_process_resident_memory_bytes{process=\"$1\"}"; }

# wait_new_pid worker|exporter OLD_PID SECONDS : prints the new pid
wait_new_pid() {
	local who=$1 old=$2 secs=$3 p deadline=$((SECONDS + $3))
	while [ $SECONDS -le "$deadline" ]; do
		p=$(pgrep -P "$SVC_PID" -x "sensor-$who" 2>/dev/null | head -1)
		if [ -n "$p" ] && [ "$p" != "$old" ]; then echo "$p"; return 0; fi
		sleep 0.02
	done
	return 1
}

# log_times REGEX : timestamps of the log lines that match
log_times() { grep -E -- "$1" "$SVC_LOG" | awk '{ print $1 }'; }

# calc EXPR : floating-point arithmetic
calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }

PROBE_SEQ=0
probe_start() { # probe_start SECONDS [extra httpprobe.py args]
	local secs=$1; shift
	PROBE_SEQ=$((PROBE_SEQ + 1))
	PROBE_OUT="$TEST_TMP/probe.$PROBE_SEQ"
	python3 "$PROBE_PY" "$SVC_URL" --seconds "$secs" "$@" >"$PROBE_OUT" 2>&1 &
	PROBE_PID=$!
}
probe_wait() { wait "$PROBE_PID"; PROBE=$(cat "$PROBE_OUT"); }
probe_get() { local t; for t in $PROBE; do [ "${t%=*}" = "$1" ] && { echo "${t##*=}"; return; }; done; }

# No sanitizer (ASan, UBSan, LSan) report from any process of the service.
check_no_sanitizer_reports() {
	if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$SVC_LOG"; then
		fail "no sanitizer report in the log"; grep -E -A5 'Sanitizer|runtime error' "$SVC_LOG" | head -40
	else
		pass "no sanitizer report in the log"
	fi
}

# stop_checked : SIGTERM, exit 0, no sanitizer report
stop_checked() {
	local rc=0
	stop_service || rc=$?
	assert_eq "SIGTERM: exit status 0" 0 "$rc"
	check_no_sanitizer_reports
}
