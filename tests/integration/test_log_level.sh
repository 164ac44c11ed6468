#!/usr/bin/env bash
# test_log_level.sh - log-level through the real service: the same run
# logs its info lines at info, none at warn, and its debug lines only at
# debug, set by flag, environment or config file alike; a bad level stops
# the start with a message naming the option.
source "$(dirname "$0")/lib/lib.sh"

FAST=(--process-interval-ms 100 --sample-interval-ms 100)

# run_at LABEL [flags...]: start, let the worker run a few processing
# steps, stop; the log is left in $SVC_LOG.
run_at() {
	local label=$1; shift
	start_service "${FAST[@]}" "$@" || { fail "$label: service starts"; return 1; }
	wait_for "$label: a few processing steps" 10 metric_above sensor_processing_runs_total 3
	stop_service
	assert_eq "$label: clean stop" 0 $?
}

run_at "default"
check "info is the default: info lines are written" grep -q ' info: ' "$SVC_LOG"
check "info is the default: debug lines are not" bash -c "! grep -q ' debug: ' '$SVC_LOG'"

run_at "flag warn" --log-level=warn
check "warn: no info line" bash -c "! grep -q ' info: ' '$SVC_LOG'"
check "warn: no debug line" bash -c "! grep -q ' debug: ' '$SVC_LOG'"

SENSOR_LOG_LEVEL=debug run_at "env debug"
check "debug: the worker's debug lines are written" grep -q 'worker debug: processing step' "$SVC_LOG"
check "debug: info lines too" grep -q ' info: ' "$SVC_LOG"

conf="$TEST_TMP/log.conf"
printf '[service]\nlog-level=error\n' >"$conf"
run_at "file error" --config "$conf"
check "error: no info or warn line" bash -c "! grep -Eq ' (info|warn): ' '$SVC_LOG'"

out=$("$SENSOR_BIN" --log-level=chatty 2>&1)
rc=$?
assert_eq "a bad level: exit 2" 2 "$rc"
assert_match "a bad level: the message names the option and the levels" \
	"option 'log-level': must be one of error, warn, info, debug, got 'chatty'" "$out"

finish
