#!/usr/bin/env bash
# test_container.sh - deploy/Dockerfile built and run for real with podman,
# under a memory limit (48 MiB) smaller than the service's default caps
# (64 + 64 MiB): / and a promtool-clean /metrics through the published
# port, memory use under the limit (measured idle and under load), the
# image's HEALTHCHECK, `podman stop` within the grace period with exit
# status 0; then a worker leaking 4 MiB/s: stopped by the worker's own
# (lowered) cap and counted as a restart, the exporter and the supervisor
# keep their pids, and the container's limit is never reached, so the
# kernel's OOM killer kills nothing. SKIPPED where podman cannot run.
source "$(dirname "$0")/../integration/lib/lib.sh"
source "$(dirname "$0")/../integration/lib/podman_lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VERSION=$(make -s --no-print-directory -C "$ROOT" version)
CT_CONTEXT=${CT_CONTEXT:-$ROOT} # another tree's image can be tested (an older commit)
IMAGE=localhost/sensor-service:test-$$ # a tag per run; the layers stay cached
LIMIT_MB=48
MiB=1048576
GRACE_S=10 # podman stop's default
NAMES=()
ct_cleanup() {
	[ ${#NAMES[@]} -eq 0 ] || "${PODMAN[@]}" rm -f -t 0 "${NAMES[@]}" >/dev/null 2>&1
	"${PODMAN[@]}" rmi "$IMAGE" >/dev/null 2>&1
}
trap 'ct_cleanup; _cleanup' EXIT

echo "-- podman on this host"
ct_skip_sanitized
[ "$(id -u)" -eq 0 ] || ct_skip_all "needs root (rootless podman is not set up by the tests)"
podman_setup || ct_setup_failed
echo "  ($(podman --version); runtime $("${PODMAN[@]}" info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Version}}' 2>/dev/null | head -1);" \
	"cgroup $("${PODMAN[@]}" info --format '{{.Host.CgroupsVersion}}' 2>/dev/null))"
for n in "${CT_NOTES[@]}"; do echo "  (workaround: $n)"; done

echo "-- build deploy/Dockerfile (--format docker, so the HEALTHCHECK is kept)"
t0=$SECONDS
if ! "${PODMAN[@]}" build --format docker --pull=never "${CT_BUILD_FLAGS[@]}" -f "$CT_CONTEXT/deploy/Dockerfile" \
	--build-arg VERSION="$VERSION" -t "$IMAGE" "$CT_CONTEXT" >"$TEST_TMP/build.log" 2>&1; then
	tail -20 "$TEST_TMP/build.log"
	fail "the image builds"
	finish
fi
pass "the image builds ($((SECONDS - t0)) s)"
assert_match "the image carries the HEALTHCHECK" 'bash -c port=.*--print-config.*/dev/tcp' \
	"$("${PODMAN[@]}" image inspect --format '{{.HealthCheck.Test}}' "$IMAGE")"
assert_eq "the image's version label is debian/changelog's" "$VERSION" \
	"$("${PODMAN[@]}" image inspect --format '{{index .Labels "org.opencontainers.image.version"}}' "$IMAGE")"

# The port the service listens on in the image: its defaults with the
# config the image ships, as the binary resolves them.
CT_PORT=$(env -i "$SENSOR_BIN" --config "$CT_CONTEXT/deploy/sensor-service.conf" --print-config | sed -n 's/^port=//p')

# run_ct NAME [podman run flags...]: start the image detached under the
# limit, its port published on a free loopback port (SVC_URL).
run_ct() {
	local name=$1 port; shift
	pick_port port || return 1
	SVC_URL="http://127.0.0.1:$port"
	NAMES+=("$name")
	# (stderr: podman without systemd complains it cannot set a healthcheck timer)
	"${PODMAN[@]}" run -d --name "$name" --memory=${LIMIT_MB}m --memory-swap=${LIMIT_MB}m "${CT_RUN_FLAGS[@]}" \
		-p "127.0.0.1:$port:$CT_PORT" "$@" "$IMAGE" >/dev/null 2>>"$TEST_TMP/podman.err" || { tail -3 "$TEST_TMP/podman.err"; return 1; }
	wait_for "/ through the published port" 20 curl -sf -o /dev/null "$SVC_URL/"
}
ct_metric() { curl -s --max-time 5 "$SVC_URL/metrics" | awk -v k="$1" '$1 == k { print $2; exit }'; }
kib() { echo $(($1 / 1024)); }

echo "-- run it under --memory=${LIMIT_MB}m"
name=sensor-ct-$$-1
run_ct "$name" || { "${PODMAN[@]}" logs "$name" 2>&1 | tail; fail "the container serves /"; finish; }
assert_eq "/ answers 200 through the published port" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$SVC_URL/")"
assert_match "/ reports the service healthy" '"status":"ok"' "$(curl -s "$SVC_URL/")"
curl -s "$SVC_URL/metrics" >"$TEST_TMP/metrics"
check "promtool check metrics accepts /metrics" promtool_check <"$TEST_TMP/metrics"
assert_eq "the service sees the container's limit" $((LIMIT_MB * MiB)) "$(ct_metric sensor_cgroup_memory_limit_bytes)"
fitlog=$("${PODMAN[@]}" logs "$name" 2>&1 | grep 'memory: cgroup limit')
assert_match "it lowered the default caps to fit, and said so" \
	"memory: cgroup limit ${LIMIT_MB} MiB .* caps lowered to worker [0-9]+ MiB, exporter [0-9]+ MiB" "$fitlog"
wlog=$(printf '%s\n' "$fitlog" | sed -n 's/.* caps lowered to worker \([0-9]*\) MiB, .*/\1/p')
assert_eq "sensor_process_memory_limit_bytes shows the worker's lowered cap (${wlog:-?} MiB, logged)" \
	$((${wlog:-0} * MiB)) "$(ct_metric 'sensor_process_memory_limit_bytes{process="worker"}')"
cg=$(ct_cgroup_dir "$name")
echo "  (the container's cgroup: $cg)"
assert_eq "the container's cgroup has the ${LIMIT_MB} MiB limit" $((LIMIT_MB * MiB)) "$(cg_limit "$cg")"
sup=$(ct_host_pid "$cg" sensor-service); wpid=$(ct_host_pid "$cg" sensor-worker); epid=$(ct_host_pid "$cg" sensor-exporter)
assert_eq "OOM order: the worker's oom_score_adj is the highest" 1000 "$(cat "/proc/$wpid/oom_score_adj")"
assert_gt "the exporter's is above the supervisor's" "$(cat "/proc/$epid/oom_score_adj")" "$(cat "/proc/$sup/oom_score_adj")"
out=$(CONTAINER_ENGINE=podman "$ROOT/scripts/rss_check.sh" --container "$name" "$LIMIT_MB" 2>&1); rc=$?
printf '%s\n' "$out" | sed 's/^/       /'
assert_eq "scripts/rss_check.sh --container measures its three processes within ${LIMIT_MB} MiB" 0 "$rc"
idle=$(cg_usage "$cg")
# Load: /metrics as fast as 16 connections get it, for 5 s.
ct_load "$SVC_URL/metrics" 5 "$TEST_TMP/wrk"
sleep 4
loaded=$(cg_usage "$cg")
rss=$(curl -s "$SVC_URL/metrics" | awk '$1 ~ /^sensor_process_resident_memory_bytes/ { sub(/.*process="/, "", $1); sub(/".*/, "", $1); printf "%s %d KiB, ", $1, $2 / 1024 }')
stats=$("${PODMAN[@]}" stats --no-stream --format '{{.MemUsage}}' "$name" 2>/dev/null)
wait "$CT_LOAD_PID"
reqs=$(awk '/requests in/ { print $1 }' "$TEST_TMP/wrk" 2>/dev/null)
echo "  (memory: idle $(kib "$idle") KiB, under load $(kib "$loaded") KiB${reqs:+ ($reqs requests to /metrics in 5 s)}," \
	"podman stats '$stats'; RSS ${rss%, })"
assert_le() { if [ "$2" -le "$3" ]; then pass "$1"; else fail "$1 ($2 > $3)"; fi; }
assert_le "memory use under load stays under the limit" "$loaded" $((LIMIT_MB * MiB))
assert_eq "the limit was never reached" 0 "$(cg_limit_hits "$cg")"
"${PODMAN[@]}" healthcheck run "$name" >/dev/null 2>>"$TEST_TMP/podman.err"
assert_eq "podman healthcheck run: the image's HEALTHCHECK passes" 0 "$?"
assert_eq "podman records the container as healthy" healthy "$("${PODMAN[@]}" inspect --format '{{.State.Health.Status}}' "$name")"
t0=$EPOCHREALTIME
"${PODMAN[@]}" stop -t $GRACE_S "$name" >/dev/null 2>>"$TEST_TMP/podman.err"
stop_s=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
echo "  (podman stop took $stop_s s)"
check "podman stop returns within the ${GRACE_S} s grace period ($stop_s s)" awk -v s="$stop_s" -v g=$GRACE_S 'BEGIN { exit !(s < g) }'
assert_eq "the container's exit status is 0" 0 "$("${PODMAN[@]}" inspect --format '{{.State.ExitCode}}' "$name")"
check "the service logged its orderly stop" bash -c "${PODMAN[*]} logs $name 2>&1 | grep -q 'supervisor info: stopped'"

echo "-- a worker leaking 4 MiB/s in the ${LIMIT_MB} MiB container"
name=sensor-ct-$$-2
run_ct "$name" -e SENSOR_FAULT=worker:leak:4M -e SENSOR_BACKOFF_MIN_MS=200 ||
	{ "${PODMAN[@]}" logs "$name" 2>&1 | tail; fail "the container serves /"; finish; }
cg=$(ct_cgroup_dir "$name")
sup=$(ct_host_pid "$cg" sensor-service); epid=$(ct_host_pid "$cg" sensor-exporter)
oom0=$(cg_oom_kills "$cg")
export -f ct_metric; export SVC_URL
wait_for "a worker restart" 40 bash -c '[ "$(ct_metric "sensor_child_restarts_total{child=\"worker\"}")" -gt 0 ]'
assert_gt "the worker's restart is counted" "$(ct_metric 'sensor_child_restarts_total{child="worker"}')" 0
ct_leak_contained "$name" "$cg" "$sup" "$epid" "$oom0"
assert_eq "exporter restarts stay 0" 0 "$(ct_metric 'sensor_child_restarts_total{child="exporter"}')"
assert_eq "the container still runs" true "$("${PODMAN[@]}" inspect --format '{{.State.Running}}' "$name")"
"${PODMAN[@]}" stop -t $GRACE_S "$name" >/dev/null 2>>"$TEST_TMP/podman.err"
assert_eq "and stops with exit status 0" 0 "$("${PODMAN[@]}" inspect --format '{{.State.ExitCode}}' "$name")"
finish
