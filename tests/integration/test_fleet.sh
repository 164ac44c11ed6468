#!/usr/bin/env bash
# test_fleet.sh - a fleet on one machine: three edge stacks
# (scripts/run-stack.sh with STACK_MODE=edge: the service and vmagent, each
# with its own device label and loopback ports) remote-write into one
# central VictoriaMetrics. The central store holds every device's series;
# then it is stopped for OUTAGE_S seconds while the devices keep running
# (one of them is even restarted meanwhile), started again on the same
# port and data directory, and every device's series must have no gap over
# the outage: vmagent replays its on-disk buffer. Prints each device's RSS
# (service's three processes + vmagent) and the gaps found.
# The devices write through vmauth over https, each with its own
# credentials (bearer tokens, basic auth) and the CA of vmauth's
# certificate; a fourth device with a wrong token is refused and counted
# while the others keep writing.
source "$(dirname "$0")/lib/lib.sh"
source "$(dirname "$0")/lib/stack_lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

N=3
OUTAGE_S=${FLEET_OUTAGE_S:-20}
MAX_GAP_MS=2500 # scrapes every 1 s: a gap over 2.5 s means lost samples
METRIC=sensor_loop_iterations_total

for tool in victoria-metrics vmagent vmauth openssl python3 curl; do
	command -v "$tool" >/dev/null || { fail "$tool is installed (scripts/install-deps.sh stack test)"; finish; }
done

pick_port CENTRAL_PORT && pick_port AUTH_PORT || { fail "free port"; finish; }
CENTRAL=http://127.0.0.1:$CENTRAL_PORT
WRITE_URL=https://127.0.0.1:$AUTH_PORT/api/v1/write
CENTRAL_DATA=$TEST_TMP/central-data
CENTRAL_PID=""
AUTH_PID=""
declare -a SVC_PORT AGENT_PORT STATE RUNNER
for i in $(seq 1 $((N + 1))); do # the last one: the device with a wrong token
	pick_port "SVC_PORT[$i]" && pick_port "AGENT_PORT[$i]" || { fail "free ports"; finish; }
	STATE[i]=$TEST_TMP/edge$i
	RUNNER[i]=""
done

fleet_cleanup() {
	local i
	for i in $(seq 1 $((N + 1))); do
		[ -n "${RUNNER[i]}" ] && STACK_STATE_DIR=${STATE[i]} "$ROOT/scripts/run-stack.sh" stop >/dev/null 2>&1
	done
	[ -n "$CENTRAL_PID" ] && kill -9 "$CENTRAL_PID" 2>/dev/null
	[ -n "$AUTH_PID" ] && kill -9 "$AUTH_PID" 2>/dev/null
	_cleanup
}

# The central store's front door: vmauth over https with a certificate of
# our own CA, one credential per device.
SECRETS=$TEST_TMP/secrets
mkdir -p "$SECRETS"
(
	cd "$SECRETS" &&
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=fleet-ca \
			-keyout ca.key -out ca.pem &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 \
			-keyout store.key -out store.csr &&
		printf 'subjectAltName=IP:127.0.0.1\n' >san.ext &&
		openssl x509 -req -in store.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -extfile san.ext -out store.pem
) >"$TEST_TMP/openssl.log" 2>&1 || { fail "a CA and a certificate for the store"; cat "$TEST_TMP/openssl.log"; finish; }
printf 'token-of-d1-%s' "$RANDOM$RANDOM" >"$SECRETS/d1.token"
printf 'password-of-d2-%s' "$RANDOM$RANDOM" >"$SECRETS/d2.password"
printf 'token-of-d3-%s' "$RANDOM$RANDOM" >"$SECRETS/d3.token"
printf 'not-a-token-of-this-fleet' >"$SECRETS/d4.token"
cat >"$SECRETS/auth.yml" <<AUTH
users:
  - bearer_token: "$(cat "$SECRETS/d1.token")"
    url_prefix: "$CENTRAL"
  - username: "d2"
    password: "$(cat "$SECRETS/d2.password")"
    url_prefix: "$CENTRAL"
  - bearer_token: "$(cat "$SECRETS/d3.token")"
    url_prefix: "$CENTRAL"
AUTH
# device_auth I: the environment that gives edge stack I its credentials.
device_auth() {
	case $1 in
	2) echo "STACK_REMOTE_WRITE_USERNAME=d2 STACK_REMOTE_WRITE_PASSWORD_FILE=$SECRETS/d2.password" ;;
	*) echo "STACK_REMOTE_WRITE_BEARER_TOKEN_FILE=$SECRETS/d$1.token" ;;
	esac
}
trap fleet_cleanup EXIT

start_central() { # VictoriaMetrics on CENTRAL_PORT (loopback, CENTRAL_DATA) behind vmauth on AUTH_PORT
	victoria-metrics -httpListenAddr="127.0.0.1:$CENTRAL_PORT" -storageDataPath="$CENTRAL_DATA" \
		-retentionPeriod=1d -search.latencyOffset=1s -memory.allowedBytes=32MiB \
		>>"$TEST_TMP/central.log" 2>&1 &
	CENTRAL_PID=$!
	vmauth -auth.config="$SECRETS/auth.yml" -httpListenAddr="127.0.0.1:$AUTH_PORT" -tls \
		-tlsCertFile="$SECRETS/store.pem" -tlsKeyFile="$SECRETS/store.key" >>"$TEST_TMP/vmauth.log" 2>&1 &
	AUTH_PID=$!
	wait_for "central VictoriaMetrics on $CENTRAL_PORT" 20 curl -sf -o /dev/null "$CENTRAL/health" &&
		wait_for "vmauth on $AUTH_PORT" 20 curl -sf -o /dev/null --cacert "$SECRETS/ca.pem" "https://127.0.0.1:$AUTH_PORT/health"
}
stop_central() {
	kill -TERM "$CENTRAL_PID" "$AUTH_PID" 2>/dev/null
	wait "$CENTRAL_PID" "$AUTH_PID" 2>/dev/null
	CENTRAL_PID=""
	AUTH_PID=""
}
auth_errors() { # refused requests counted by vmauth
	curl -s --max-time 5 --cacert "$SECRETS/ca.pem" "https://127.0.0.1:$AUTH_PORT/metrics" |
		awk '$1 == "vmauth_http_request_errors_total{reason=\"invalid_auth_token\"}" { print $2 }'
}
refused_more() { [ "$(auth_errors)" -gt "$1" ]; }

# start_edge I LOG: edge stack I in the background (run-stack.sh), ready.
start_edge() {
	local i=$1
	# shellcheck disable=SC2046 # device_auth's words are VAR=value pairs
	env --default-signal=INT STACK_MODE=edge STACK_STATE_DIR="${STATE[i]}" \
		SENSOR_PORT="${SVC_PORT[i]}" SENSOR_SHM_NAME="/sensor-test-$$-fleet$i" \
		STACK_VMAGENT_PORT="${AGENT_PORT[i]}" STACK_REMOTE_WRITE_URL="$WRITE_URL" \
		STACK_REMOTE_WRITE_TLS_CA_FILE="$SECRETS/ca.pem" $(device_auth "$i") \
		STACK_DEVICE="d$i" STACK_SITE="site$(((i - 1) % 2 + 1))" STACK_SCRAPE_INTERVAL=1s \
		STACK_BUFFER_MAX=64MiB SENSOR_BIN="$SENSOR_BIN" \
		"$ROOT/scripts/run-stack.sh" >"$2" 2>&1 &
	RUNNER[i]=$!
	wait_for "edge stack $i ready" 30 grep -q "Ctrl-C" "$2"
}
stop_edge() { # stop_edge I: run-stack.sh stop, then the runner's status
	STACK_STATE_DIR=${STATE[$1]} "$ROOT/scripts/run-stack.sh" stop >/dev/null 2>&1
	local rc=0
	wait "${RUNNER[$1]}" || rc=$?
	RUNNER[$1]=""
	return $rc
}

# q QUERY: "labels value" lines of an instant query on the central store.
q() { vm_query "$CENTRAL" "$1"; }
q_value() { q "$1" | awk 'NR == 1 { print $NF }'; }
q_is() { [ "$(q_value "$1")" = "$2" ]; }

# samples DEVICE FROM TO: "count max_gap_ms first_ts last_ts monotonic" of
# the raw samples of $METRIC for DEVICE between FROM and TO (unix s), from
# /api/v1/export (every stored sample, no query-time interpolation).
samples() {
	curl -s --max-time 10 -G "$CENTRAL/api/v1/export" \
		--data-urlencode "match[]=$METRIC{device=\"$1\",job=\"sensor-service\"}" -d start="$2" -d end="$3" | python3 -c '
import json, sys
ts, vals = [], []
for line in sys.stdin:
    if line.strip():
        r = json.loads(line)
        ts += r["timestamps"]; vals += r["values"]
pairs = sorted(zip(ts, vals))
ts = [p[0] for p in pairs]
gap = max((b - a for a, b in zip(ts, ts[1:])), default=-1)
# A counter: decreases only where the service restarted (counted).
resets = sum(1 for a, b in zip(pairs, pairs[1:]) if b[1] < a[1])
print(len(ts), gap, ts[0] if ts else 0, ts[-1] if ts else 0, resets)'
}
replayed() { # replayed DEVICE FROM TO: samples cover FROM..TO without a gap
	local n gap first last
	read -r n gap first last _ <<<"$(samples "$@")"
	[ "$n" -gt 0 ] && [ "$gap" -le "$MAX_GAP_MS" ] && [ "$first" -le $(($2 * 1000 + MAX_GAP_MS)) ] &&
		[ "$last" -ge $(($3 * 1000 - MAX_GAP_MS)) ]
}
agent_metric() { # agent_metric I NAME: sum of NAME over vmagent I's /metrics
	curl -s --max-time 5 "http://127.0.0.1:${AGENT_PORT[$1]}/metrics" |
		awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $NF } END { printf "%d\n", s }'
}
runs() { [ -n "$1" ] && [ -e "/proc/$1" ]; }

echo "-- central VictoriaMetrics on :$CENTRAL_PORT behind vmauth (https) on :$AUTH_PORT, $N edge stacks"
start_central || { fail "central VictoriaMetrics and vmauth start"; cat "$TEST_TMP/central.log" "$TEST_TMP/vmauth.log"; finish; }
pass "central VictoriaMetrics and vmauth start"
T_BEGIN=$(date +%s)
for i in $(seq 1 $N); do
	if start_edge "$i" "$TEST_TMP/edge$i.log"; then
		pass "edge stack d$i starts (service :${SVC_PORT[i]}, vmagent :${AGENT_PORT[i]})"
	else
		fail "edge stack d$i starts"; cat "$TEST_TMP/edge$i.log"; finish
	fi
done
check "edge mode runs no local VictoriaMetrics" bash -c "! ls '${STATE[1]}'/victoria-metrics.pid '${STATE[1]}'/vmalert.pid 2>/dev/null"
assert_match "vmagent's scrape config carries this run's targets" \
	"targets: \[\"127.0.0.1:${SVC_PORT[1]}\"\].*targets: \[\"127.0.0.1:${AGENT_PORT[1]}\"\]" "$(tr '\n' ' ' <"${STATE[1]}/scrape.yml")"
assert_match "vmagent runs with a capped disk buffer and the device's labels" \
	"-remoteWrite.maxDiskUsagePerURL=64MiB.*-remoteWrite.label=device=d1 -remoteWrite.label=site=site1" \
	"$(tr '\0' ' ' <"/proc/$(cut -d' ' -f1 "${STATE[1]}/vmagent.pid")/cmdline")"
assert_match "d1 writes with its bearer token, trusting the fleet's CA" \
	"-remoteWrite.bearerTokenFile=$SECRETS/d1.token -remoteWrite.tlsCAFile=$SECRETS/ca.pem" \
	"$(tr '\0' ' ' <"/proc/$(cut -d' ' -f1 "${STATE[1]}/vmagent.pid")/cmdline")"
assert_match "d2 writes with basic auth" \
	"-remoteWrite.basicAuth.username=d2 -remoteWrite.basicAuth.passwordFile=$SECRETS/d2.password" \
	"$(tr '\0' ' ' <"/proc/$(cut -d' ' -f1 "${STATE[2]}/vmagent.pid")/cmdline")"
# (the secrets come from a file, so that this check's own command line
# does not hold them)
cat "$SECRETS/d1.token" <(echo) "$SECRETS/d2.password" <(echo) "$SECRETS/d3.token" >"$TEST_TMP/secrets.txt"
check "no credential is on any command line" bash -c "! cat /proc/[0-9]*/cmdline 2>/dev/null | grep -qaFf '$TEST_TMP/secrets.txt'"
assert_eq "the store itself refuses a write without credentials (vmauth)" 401 \
	"$(curl -s -o /dev/null -w '%{http_code}' --cacert "$SECRETS/ca.pem" --data-binary x "$WRITE_URL")"

echo "-- the central store holds every device's series"
for i in $(seq 1 $N); do
	wait_for "d$i in the central store" 20 q_is "up{job=\"sensor-service\",device=\"d$i\"}" 1
	assert_eq "up{device=\"d$i\"} == 1 centrally" 1 "$(q_value "up{job=\"sensor-service\",device=\"d$i\"}")"
done
assert_eq "one $METRIC series per device" "d1 d2 d3" "$(q "count by (device) ($METRIC)" | sed 's/^device=\([^ ]*\) .*/\1/' | sort | tr '\n' ' ' | sed 's/ $//')"
assert_match "the site label is there" "device=d2,.*site=site2" "$(q "$METRIC{device=\"d2\"}")"
wait_for "vmagent's own series" 10 q_is "count(process_resident_memory_bytes{job=\"stack\",component=\"vmagent\"})" $N
assert_eq "each vmagent's memory reaches the central store (job=stack)" $N "$(q_value "count(process_resident_memory_bytes{job=\"stack\",component=\"vmagent\"})")"
for i in $(seq 1 $N); do
	series=$(q_value "count({device=\"d$i\"})")
	svc_series=$(q_value "count({device=\"d$i\",job=\"sensor-service\"})")
	assert_gt "d$i: over 60 series centrally ($svc_series from the service, $series in all)" "$svc_series" 60
done

echo "-- a device with a wrong token is refused and counted; the others keep writing"
D=$((N + 1))
refused0=$(auth_errors)
t_wrong=$(date +%s)
start_edge $D "$TEST_TMP/edge$D.log" || { fail "d$D starts"; cat "$TEST_TMP/edge$D.log"; }
wait_for "vmauth refuses d$D" 30 refused_more "${refused0:-0}"
refused=$(auth_errors)
assert_gt "vmauth counts d$D's refused writes (invalid_auth_token $refused0 -> $refused)" "${refused:-0}" "${refused0:-0}"
sleep 3
assert_eq "d$D's samples are not in the store" "" "$(q "count({device=\"d$D\"})")"
for i in $(seq 1 $N); do
	read -r n _ <<<"$(samples "d$i" "$t_wrong" "$(($(date +%s) - 1))")"
	assert_gt "d$i kept writing meanwhile ($n samples)" "$n" 0
done
stop_edge $D
assert_eq "d$D stops cleanly" 0 $?

echo "-- memory of each device (scripts/rss_check.sh: service's three processes + vmagent)"
for i in $(seq 1 $N); do
	out=$(STACK_STATE_DIR=${STATE[i]} "$ROOT/scripts/rss_check.sh" 64 2>&1); rc=$?
	printf '%s\n' "$out" | sed "s/^/       d$i  /"
	assert_eq "d$i: rss_check.sh 64 passes (vmagent listed: $(printf '%s\n' "$out" | grep -c '^vmagent ') )" 0 "$rc"
done

echo "-- the central store goes away for ${OUTAGE_S}s; the devices keep running"
sleep 2
T_DOWN=$(date +%s)
stop_central
# Stopped means gone: neither the store nor vmauth still answers.
if curl -s -o /dev/null --max-time 2 "$CENTRAL/health" ||
	curl -sk -o /dev/null --max-time 2 "https://127.0.0.1:$AUTH_PORT/health"; then
	fail "central store and vmauth stopped at $T_DOWN (one still answers)"
else
	pass "central store and vmauth stopped at $T_DOWN (neither answers)"
fi
sleep $((OUTAGE_S / 2))
# Halfway: the data waits in each vmagent's buffer (memory, then disk).
for i in $(seq 1 $N); do
	assert_gt "d$i: vmagent holds the unsent data ($(agent_metric "$i" vmagent_remotewrite_pending_data_bytes) B on disk, $(agent_metric "$i" vmagent_remotewrite_pending_inmemory_blocks) blocks in memory)" \
		$(($(agent_metric "$i" vmagent_remotewrite_pending_data_bytes) + $(agent_metric "$i" vmagent_remotewrite_pending_inmemory_blocks))) 0
done
# d3 is restarted meanwhile (service and vmagent): its buffer is on disk.
T_D3_STOP_MS=$(date +%s%3N)
T_D3_STOP=$((T_D3_STOP_MS / 1000))
stop_edge 3; rc=$?
assert_eq "d3: the edge stack stops cleanly during the outage" 0 "$rc"
start_edge 3 "$TEST_TMP/edge3-restart.log" || { fail "d3 restarts"; cat "$TEST_TMP/edge3-restart.log"; }
T_D3_BACK_MS=$(date +%s%3N)
T_D3_BACK=$((T_D3_BACK_MS / 1000))
echo "       d3 was down for $((T_D3_BACK_MS - T_D3_STOP_MS)) ms (stop and start of its edge stack)"
rest=$((OUTAGE_S - OUTAGE_S / 2 - (T_D3_BACK - T_D3_STOP)))
[ "$rest" -le 0 ] || sleep "$rest"
for i in $(seq 1 $N); do
	check "d$i: still running at the end of the outage" runs "${RUNNER[i]}"
done
T_UP=$(date +%s)
start_central || { fail "central store restarts on the same port and data"; cat "$TEST_TMP/central.log"; finish; }
pass "central store back after $((T_UP - T_DOWN)) s (same port, same data directory)"

echo "-- vmagent replays its buffer: no gap over the outage"
# vmagent retries with a doubling delay (2, 4, 8, 16 s...), so the replay
# can begin up to ~16 s after the store is back.
T_CHECK_END=$((T_UP + 3))
all_replayed() {
	local i
	for i in $(seq 1 $N); do replayed "d$i" $((T_DOWN - 3)) "$T_CHECK_END" || return 1; done
}
wait_for "replay" 40 all_replayed
T_REPLAYED=$(date +%s)
echo "       replay complete $((T_REPLAYED - T_UP)) s after the store came back"
for i in $(seq 1 $N); do
	read -r n gap first last resets <<<"$(samples "d$i" $((T_DOWN - 3)) $T_CHECK_END)"
	in_outage=$(samples "d$i" "$T_DOWN" "$T_UP" | cut -d' ' -f1)
	limit=$MAX_GAP_MS
	[ "$i" = 3 ] && limit=$((T_D3_BACK_MS - T_D3_STOP_MS + MAX_GAP_MS)) # restarted: not scraped while down
	echo "       d$i: $n samples in [outage - 3 s, back + 3 s], $in_outage within the $((T_UP - T_DOWN)) s outage, max gap $((gap)) ms, counter resets $resets"
	if [ "$gap" -ge 0 ] && [ "$gap" -le "$limit" ]; then
		pass "d$i: max gap between samples over the outage $gap ms (<= $limit)"
	else
		fail "d$i: max gap between samples over the outage $gap ms (<= $limit)"
	fi
	assert_gt "d$i: the outage's samples reached the store ($in_outage for $((T_UP - T_DOWN)) s)" "$in_outage" $(((T_UP - T_DOWN) * 8 / 10 - (i == 3 ? T_D3_BACK - T_D3_STOP : 0)))
done
read -r n gap _ <<<"$(samples d3 "$T_DOWN" "$T_D3_STOP")"
assert_gt "d3: samples buffered before its restart survived it ($n)" "$n" $(((T_D3_STOP - T_DOWN) * 8 / 10))
read -r n gap _ <<<"$(samples d1 "$T_BEGIN" "$(($(date +%s) - 2))")"
echo "       d1 over the whole run: $n samples, max gap $gap ms"
assert_gt "d1: no sample lost over the whole run (max gap $gap ms)" $((MAX_GAP_MS + 1)) "$gap"
drained() { local i; for i in $(seq 1 $N); do [ "$(agent_metric "$i" vmagent_remotewrite_pending_data_bytes)" = 0 ] || return 1; done; }
wait_for "buffers drained" 20 drained
check "every vmagent's disk buffer is drained" drained
dropped=0
for i in $(seq 1 $N); do dropped=$((dropped + $(agent_metric "$i" vm_persistentqueue_bytes_dropped_total))); done
assert_eq "no buffered byte was dropped" 0 "$dropped"
for i in $(seq 1 $N); do
	wait_for "d$i scraped live again" 10 q_is "up{job=\"sensor-service\",device=\"d$i\"}" 1
done
assert_eq "every device is live again centrally" "$N" "$(q_value "count(up{job=\"sensor-service\"} == 1)")"

echo "-- stop: run-stack.sh stop on each device"
pids=""
for i in $(seq 1 $N); do
	for f in "${STATE[i]}"/*.pid; do read -r p _ <"$f"; pids="$pids $p $(pgrep -P "$p" | tr '\n' ' ')"; done
	stop_edge "$i"; rc=$?
	assert_eq "d$i: the runner exits 0" 0 "$rc"
done
none_alive() { local p; for p in "$@"; do [ -e "/proc/$p" ] && return 1; done; return 0; }
# shellcheck disable=SC2086
check "every process of the edge stacks is gone" none_alive $pids
stop_central
check "the central store stopped" test -z "$CENTRAL_PID"
echo "       total $(($(date +%s) - T_BEGIN)) s"

finish
