# lib.sh - helpers for integration tests: start the real sensor-service on
# a free loopback port with a private shm name, talk HTTP with curl, and
# always clean up (processes, segment) on exit.
#
#   source "$(dirname "$0")/lib.sh"
#   start_service [flags...]      sets SVC_PID SVC_PORT SVC_SHM SVC_LOG SVC_URL
#   stop_service                  SIGTERM, waits; returns the service's exit status
#   http_status PATH [curl args]  prints the status code
#   http_body PATH                prints the body

set -u
# Without [channel] groups the service discovers this machine's sensors;
# the tests built on the simulated set ask for it here, whatever the
# machine has (the discovery tests pass --simulate=false and a fixture
# --sysfs-root).
export SENSOR_SIMULATE=1
SENSOR_BIN=${SENSOR_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/build/sensor-service}
# The segment layout version this tree builds (shm/layout.h decides it),
# for the tests that source this file.
# shellcheck disable=SC2034
SHM_LAYOUT=$(sed -n 's/^#define SHM_LAYOUT_VERSION \([0-9]*\)u.*/\1/p' \
	"$(dirname "${BASH_SOURCE[0]}")/../../../shm/layout.h")
TEST_NAME=$(basename "$0" .sh)
TEST_TMP=$(mktemp -d "/tmp/${TEST_NAME}.XXXXXX")
FAILS=0
CHECKS=0
SKIPS=0
SVC_PID=""
SVC_PIDS=()

_cleanup() {
	local p
	for p in "${SVC_PIDS[@]}"; do
		kill -9 "$p" 2>/dev/null
		pkill -9 -P "$p" 2>/dev/null
	done
	rm -f /dev/shm/sensor-test-$$-* 2>/dev/null
	rm -rf "$TEST_TMP"
}
trap _cleanup EXIT

pass() { CHECKS=$((CHECKS + 1)); echo "  ok   $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "  FAIL $*"; }
# skip "what, and why it could not run": counted apart, never as a pass.
skip() { SKIPS=$((SKIPS + 1)); echo "  SKIP $*"; }
check() { # check "description" command...
	local what=$1; shift
	if "$@" >/dev/null 2>&1; then pass "$what"; else fail "$what"; fi
}
assert_eq() { # assert_eq "description" expected actual
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1 (expected '$2', got '$3')"; fi
}
assert_match() { # assert_match "description" regex text
	if printf '%s' "$3" | grep -Eq -- "$2"; then pass "$1"; else fail "$1 (no match for /$2/ in: $(printf '%s' "$3" | head -c 300))"; fi
}
assert_no_match() { # assert_no_match "description" regex text
	if printf '%s' "$3" | grep -Eq -- "$2"; then fail "$1 (/$2/ found in: $(printf '%s' "$3" | head -c 300))"; else pass "$1"; fi
}
assert_gt() { # assert_gt "description" a b  (a > b, integers or decimals)
	if awk -v a="$2" -v b="$3" 'BEGIN { exit !(a > b) }'; then pass "$1"; else fail "$1 ($2 is not > $3)"; fi
}
assert_le() { # assert_le "description" a b  (a <= b)
	if awk -v a="$2" -v b="$3" 'BEGIN { exit !(a <= b) }'; then pass "$1"; else fail "$1 ($2 is not <= $3)"; fi
}
# check_generated FILE SCRIPT TARGET : FILE exists and is what SCRIPT
# makes from the binary's option table (`make TARGET` regenerates it);
# returns 1 when FILE is missing or empty.
check_generated() {
	check "${1#"$ROOT"/} exists" test -s "$1"
	[ -s "$1" ] || return 1
	bash "$2" "$SENSOR_BIN" >"$TEST_TMP/want"
	check "it is generated from the option table (else: make $3)" diff -u "$TEST_TMP/want" "$1"
}

finish() {
	echo "$TEST_NAME: $((CHECKS - FAILS))/$CHECKS checks passed, $SKIPS skipped"
	[ "$FAILS" -eq 0 ]
	exit $?
}

# pick_port VAR: a free port in VAR, distinct from those picked before.
# The port is below the kernel's ephemeral range and has no TCP socket in
# any state: a client's TIME-WAIT socket on a port (say, after a load
# test) makes a server's bind() fail with "address already in use", which
# a check of listening sockets alone does not see.
PICKED_PORTS=" "
pick_port() {
	local _port _lo
	read -r _lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || _lo=32768
	[ "$_lo" -gt 12000 ] || _lo=32768
	for _ in $(seq 1 200); do
		_port=$((10000 + RANDOM % (_lo - 10000)))
		case $PICKED_PORTS in *" $_port "*) continue ;; esac
		ss -Htan "sport = :$_port" 2>/dev/null | grep -q . && continue
		PICKED_PORTS="$PICKED_PORTS$_port "
		printf -v "$1" '%s' "$_port"
		return 0
	done
	return 1
}

# free_port: print a port picked as above. (In a $(...) subshell it cannot
# remember its picks; call pick_port directly where that matters.)
free_port() {
	local p
	pick_port p && echo "$p"
}

SHM_SEQ=0
new_shm_name() { SHM_SEQ=$((SHM_SEQ + 1)); echo "/sensor-test-$$-$SHM_SEQ"; }

# wait_for "description" seconds command... : poll every 0.1 s
wait_for() {
	local what=$1 secs=$2; shift 2
	local deadline=$((SECONDS + secs))
	while [ $SECONDS -le $deadline ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "  (timed out after ${secs}s waiting for: $what)"
	return 1
}

# promtool_check < PAGE: promtool's check of a page that may hold
# node_exporter's meminfo names (scripts/promtool-check.sh says why).
PROMTOOL_CHECK="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/scripts/promtool-check.sh"
promtool_check() { "$PROMTOOL_CHECK"; }

start_service() {
	SVC_PORT=$(free_port)
	SVC_SHM=$(new_shm_name)
	SVC_LOG="$TEST_TMP/service-$SVC_PORT.log"
	SVC_URL="http://127.0.0.1:$SVC_PORT"
	"$SENSOR_BIN" --port "$SVC_PORT" --shm-name "$SVC_SHM" "$@" >"$SVC_LOG" 2>&1 &
	SVC_PID=$!
	SVC_PIDS+=("$SVC_PID")
	if ! wait_for "service on $SVC_PORT" 10 curl -sf -o /dev/null "$SVC_URL/"; then
		echo "---- service log"; cat "$SVC_LOG"; return 1
	fi
}

# stop_service: SIGTERM and wait; returns the service's exit status.
stop_service() {
	kill -TERM "$SVC_PID" 2>/dev/null
	local rc=0
	wait "$SVC_PID" || rc=$?
	return $rc
}

http_status() { local p=$1; shift; curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$SVC_URL$p"; }
http_body() { local p=$1; shift; curl -s --max-time 5 "$@" "$SVC_URL$p"; }

# metric_value NAME_WITH_LABELS : value of one series from /metrics
metric_value() {
	http_body /metrics | awk -v k="$1" '$1 == k { print $2; exit }'
}

# metric_above NAME LIMIT : true when the series exists and exceeds LIMIT
metric_above() {
	local v; v=$(metric_value "$1")
	[ -n "$v" ] && awk -v a="$v" -v b="$2" 'BEGIN { exit !(a > b) }'
}

child_pid() { # child_pid worker|exporter : pid of that child of the service
	pgrep -P "$SVC_PID" -x "sensor-$1"
}

# running_child_pid worker|exporter [SECONDS] : the pid of that child once
# one runs under its name, waiting up to SECONDS (5): a child just forked
# (a slow start, a restart) has not named itself yet, and child_pid finds
# nothing then.
running_child_pid() {
	local p deadline=$((SECONDS + ${2:-5}))
	while :; do
		p=$(child_pid "$1" | head -1)
		if [ -n "$p" ]; then echo "$p"; return 0; fi
		[ $SECONDS -lt "$deadline" ] || return 1
		sleep 0.05
	done
}
