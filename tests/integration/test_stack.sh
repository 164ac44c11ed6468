#!/usr/bin/env bash
# test_stack.sh - the native stack of scripts/run-stack.sh (what `make run`
# starts) on free loopback ports: VictoriaMetrics scrapes the service and
# holds the values the exporter serves, vmalert fires alerts provoked by
# killing and stopping the worker, the memory budget holds, and `stop`,
# Ctrl-C and a dying component each leave no process behind.
source "$(dirname "$0")/lib/lib.sh"
source "$(dirname "$0")/lib/stack_lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

for tool in victoria-metrics vmalert python3; do
	command -v "$tool" >/dev/null || { fail "$tool is installed (scripts/install-deps.sh stack test)"; finish; }
done

pick_port SENSOR_PORT && pick_port STACK_VM_PORT && pick_port STACK_VMALERT_PORT || { fail "free ports"; finish; }
SENSOR_SHM_NAME=$(new_shm_name)
export SENSOR_BIN SENSOR_PORT SENSOR_SHM_NAME STACK_VM_PORT STACK_VMALERT_PORT
export STACK_STATE_DIR=$TEST_TMP/state
export STACK_SCRAPE_INTERVAL=1s STACK_EVAL_INTERVAL=1s STACK_LATENCY_OFFSET=1s
# A stopped worker must stay stopped for the heartbeat alert: the
# supervisor would otherwise kill it after 5 s.
export SENSOR_HEARTBEAT_TIMEOUT_MS=600000 SENSOR_PROCESS_INTERVAL_MS=500
SVC_URL=http://127.0.0.1:$SENSOR_PORT
VM=http://127.0.0.1:$STACK_VM_PORT
VMALERT=http://127.0.0.1:$STACK_VMALERT_PORT
RUNNER=""

stack_cleanup() {
	[ -n "$RUNNER" ] && "$ROOT/scripts/run-stack.sh" stop >/dev/null 2>&1
	_cleanup
}
trap stack_cleanup EXIT

stack_pids() { # every pid recorded in the state dir, plus the service's children
	local f p
	for f in "$STACK_STATE_DIR"/*.pid; do
		[ -e "$f" ] || continue
		read -r p _ <"$f"; echo "$p"; pgrep -P "$p" 2>/dev/null
	done
}
none_alive() { local p; for p in "$@"; do [ -e "/proc/$p" ] && return 1; done; return 0; }

# vm QUERY: "labels value" lines of an instant query, labels as k=v,...
vm() { vm_query "$VM" "$1"; }
vm_value() { vm "$1" | awk 'NR == 1 { print $NF }'; }
vm_is() { [ "$(vm_value "$1")" = "$2" ]; }
vm_has() { vm "$1" | grep -q -- "$2"; }
worker_pid() { pgrep -P "$(cut -d' ' -f1 "$STACK_STATE_DIR/sensor-service.pid")" -x sensor-worker; }
worker_replaced() { local p; p=$(worker_pid) && [ "$p" != "$1" ]; }
echo "-- start (service :$SENSOR_PORT, VictoriaMetrics :$STACK_VM_PORT, vmalert :$STACK_VMALERT_PORT)"
start_stack "$TEST_TMP/run1.log" || { fail "run-stack.sh starts the stack"; cat "$TEST_TMP/run1.log"; finish; }
pass "run-stack.sh starts the stack"
for c in run-stack sensor-service victoria-metrics vmalert; do
	check "$c has a pid file and runs" bash -c "read -r p _ <'$STACK_STATE_DIR/$c.pid' && kill -0 \$p"
done
assert_match "scrape config carries this run's target and interval" \
	"targets: \[\"127.0.0.1:$SENSOR_PORT\"\]" "$(cat "$STACK_STATE_DIR/scrape.yml")"
out=$("$ROOT/scripts/run-stack.sh" 2>&1); rc=$?
assert_eq "a second start with the same state dir is refused" 1 "$rc"
assert_match "... and says why" "already running" "$out"
assert_match "the dashboard points at this VictoriaMetrics" "content=\"$VM\"" "$(http_body /dashboard)"

echo "-- VictoriaMetrics scrapes the service"
wait_for "up == 1" 20 vm_is 'up{job="sensor-service"}' 1
assert_eq 'up{job="sensor-service"} == 1' 1 "$(vm_value 'up{job="sensor-service"}')"
wait_for "self-monitoring scraped" 10 vm_has 'process_resident_memory_bytes{job="stack"}' component=vmalert
assert_eq "VictoriaMetrics and vmalert are scraped too (job=stack)" 2 "$(vm 'process_resident_memory_bytes{job="stack"}' | wc -l)"
assert_match "the targets API reports the service healthy" '"health":"up"' "$(curl -s "$VM/api/v1/targets")"

echo "-- kill -9 the worker: SensorChildRestarted fires"
wpid=$(worker_pid)
kill -9 "$wpid"
wait_for "worker restarted" 10 worker_replaced "$wpid"
if wait_for "SensorChildRestarted" 30 firing SensorChildRestarted; then
	pass "vmalert fires SensorChildRestarted"; echo "       $(firing SensorChildRestarted)"
else
	fail "vmalert fires SensorChildRestarted ($(curl -s "$VMALERT/api/v1/alerts" | head -c 300))"
fi

echo "-- SIGSTOP the worker: VictoriaMetrics holds exactly the exporter's frozen values"
wpid=$(worker_pid)
kill -STOP "$wpid"
sleep 3 # a few scrapes of the frozen values
for m in sensor_queue_depth sensor_queue_capacity sensor_loop_iterations_total sensor_readings_total sensor_cpu_spike_seconds_count; do
	assert_eq "$m: VictoriaMetrics = exporter" "$(metric_value "$m")" "$(vm_value "$m")"
done
http_body /metrics | awk '/^sensor_cpu_spike_seconds_bucket/ { match($1, /le="[^"]*"/); print substr($1, RSTART + 4, RLENGTH - 5), $2 }' | sort >"$TEST_TMP/buckets.exporter"
vm sensor_cpu_spike_seconds_bucket | sed -E 's/.*le=([^,]*).* ([^ ]+)$/\1 \2/' | sort >"$TEST_TMP/buckets.vm"
assert_eq "all $(wc -l <"$TEST_TMP/buckets.exporter") spike buckets: VictoriaMetrics = exporter" \
	"$(cat "$TEST_TMP/buckets.exporter")" "$(cat "$TEST_TMP/buckets.vm")"
assert_gt "the histogram has observations" "$(vm_value sensor_cpu_spike_seconds_count)" 0
if wait_for "SensorWorkerHeartbeatStale" 30 firing SensorWorkerHeartbeatStale; then
	pass "vmalert fires SensorWorkerHeartbeatStale"; echo "       $(firing SensorWorkerHeartbeatStale)"
else
	fail "vmalert fires SensorWorkerHeartbeatStale ($(curl -s "$VMALERT/api/v1/alerts" | head -c 300))"
fi
assert_gt "the exporter reports the stale heartbeat" "$(metric_value sensor_worker_heartbeat_age_seconds)" 10
kill -CONT "$wpid"
heartbeat_fresh() { ! metric_above sensor_worker_heartbeat_age_seconds 1; }
wait_for "heartbeat fresh again" 10 heartbeat_fresh
assert_gt "SIGCONT: the heartbeat is fresh again" 1 "$(metric_value sensor_worker_heartbeat_age_seconds)"
wait_for "ALERTS in VictoriaMetrics" 20 vm_has 'ALERTS{alertstate="firing"}' SensorChildRestarted
assert_match "vmalert wrote the ALERTS series into VictoriaMetrics" "alertname=SensorChildRestarted" "$(vm 'ALERTS{alertstate="firing"}')"

echo "-- memory: scripts/rss_check.sh"
out=$("$ROOT/scripts/rss_check.sh" 300 2>&1); rc=$?
printf '%s\n' "$out" | sed 's/^/       /'
assert_eq "rss_check.sh 300 passes" 0 "$rc"
for p in supervisor worker exporter victoria-metrics vmalert; do
	assert_match "rss_check lists $p" "^$p +[0-9]+ +[0-9]+ +[0-9]+" "$(printf '%s\n' "$out" | grep "^$p ")"
done
"$ROOT/scripts/rss_check.sh" 10 5 >/dev/null 2>&1; rc=$?
assert_eq "rss_check.sh over budget (10 MiB total, 5 per process) exits 1" 1 "$rc"

echo "-- scripts/debug_metrics.sh"
out=$("$ROOT/scripts/debug_metrics.sh" "$SVC_URL" "$VM" 2>&1)
assert_match "shows the raw scrape" '^sensor_loop_iterations_total [0-9]+' "$(printf '%s\n' "$out" | grep '^sensor_loop_iterations_total ')"
assert_match "shows the target's health" "sensor-service +127.0.0.1:$SENSOR_PORT +up" "$out"
assert_gt "shows the series VictoriaMetrics holds" "$(printf '%s\n' "$out" | awk '/ series$/ { print $1 }')" 40

echo "-- run-stack.sh stop"
pids=$(stack_pids)
"$ROOT/scripts/run-stack.sh" stop >"$TEST_TMP/stop.log" 2>&1
assert_eq "stop exits 0" 0 "$?"
wait "$RUNNER"; rc=$?; RUNNER=""
assert_eq "the runner exits 0" 0 "$rc"
check "every process of the stack is gone ($(echo $pids))" none_alive $pids
check "no pid file left" bash -c "! ls '$STACK_STATE_DIR'/*.pid 2>/dev/null"
check "segment removed" test ! -e "/dev/shm$SENSOR_SHM_NAME"
out=$("$ROOT/scripts/run-stack.sh" stop 2>&1)
assert_match "stop with nothing running says so" "no stack running" "$out"

echo "-- restart on the same data dir, then a component dies"
start_stack "$TEST_TMP/run2.log" || { fail "restart"; cat "$TEST_TMP/run2.log"; finish; }
assert_gt "data kept across restarts" "$(vm_value 'count_over_time(sensor_queue_capacity[10m])')" 10
pids=$(stack_pids)
kill -9 "$(cut -d' ' -f1 "$STACK_STATE_DIR/vmalert.pid")"
wait "$RUNNER"; rc=$?; RUNNER=""
assert_eq "the runner exits 1 when a component dies" 1 "$rc"
assert_match "... and names it" "vmalert exited unexpectedly" "$(cat "$TEST_TMP/run2.log")"
check "the rest of the stack is stopped" none_alive $pids

echo "-- Ctrl-C (SIGINT to the runner)"
start_stack "$TEST_TMP/run3.log" || { fail "third start"; cat "$TEST_TMP/run3.log"; finish; }
pids=$(stack_pids)
kill -INT "$RUNNER"
wait "$RUNNER"; rc=$?; RUNNER=""
assert_eq "SIGINT: the runner exits 0" 0 "$rc"
check "SIGINT: every process of the stack is gone" none_alive $pids
check "SIGINT: the service stopped cleanly" grep -q "supervisor info: stopped" "$STACK_STATE_DIR/logs/sensor-service.log"

finish
