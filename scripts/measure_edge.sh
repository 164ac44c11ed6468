#!/usr/bin/env bash
# measure_edge.sh - the figures of docs/scaling.md, measured: one central
# VictoriaMetrics and two edge stacks (scripts/run-stack.sh STACK_MODE=edge,
# the default service configuration) on free loopback ports, for SECONDS:
#
#   edge "default": scrape every 10 s (the default), vmagent's default
#       1 s flush: series per device, samples/s, bytes/s on the wire
#       (vmagent_remotewrite_bytes_sent_total), vmagent's RSS
#   edge "batch":   the same with -remoteWrite.flushInterval=60s (fewer,
#       bigger, better compressed requests)
#   edge "dense":   scrape every 1 s, to give the central store enough
#       samples per series for a fair bytes-per-sample figure on disk
#       (vm_data_size_bytes / vm_rows after a forced merge)
#
#   scripts/measure_edge.sh [SECONDS]    (default 600; at least 120)
#
# Everything it starts runs from a temporary directory and is stopped on
# exit (its own pids only).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECS=${1:-600}
[ "$SECS" -ge 120 ] 2>/dev/null || { echo "usage: measure_edge.sh [SECONDS >= 120]" >&2; exit 2; }
export SENSOR_BIN=${SENSOR_BIN:-$ROOT/build/sensor-service}
[ -x "$SENSOR_BIN" ] || { echo "measure_edge: $SENSOR_BIN is missing: run make first" >&2; exit 1; }
for tool in victoria-metrics vmagent python3 curl; do
	command -v "$tool" >/dev/null || { echo "measure_edge: $tool is missing (scripts/install-deps.sh stack)" >&2; exit 1; }
done
TMP=$(mktemp -d /tmp/measure_edge.XXXXXX)
CENTRAL_PID=""
EDGES=(default batch dense)
declare -A RUNNER=() PORT=() APORT=()

cleanup() {
	local e
	for e in "${EDGES[@]}"; do
		[ -n "${RUNNER[$e]:-}" ] && STACK_STATE_DIR=$TMP/$e "$ROOT/scripts/run-stack.sh" stop >/dev/null 2>&1
	done
	[ -n "$CENTRAL_PID" ] && { kill -TERM "$CENTRAL_PID" 2>/dev/null; wait "$CENTRAL_PID" 2>/dev/null; }
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

USED=" "
port() { # a free port below the ephemeral range, not handed out before
	local p lo
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range
	while :; do
		p=$((10000 + RANDOM % (lo - 10000)))
		case $USED in *" $p "*) continue ;; esac
		ss -Htan "sport = :$p" | grep -q . && continue
		USED="$USED$p "; echo "$p"; return
	done
}
wait_url() { local i; for ((i = 0; i < 300; i++)); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; return 1; }

CPORT=$(port); USED="$USED$CPORT "
CENTRAL=http://127.0.0.1:$CPORT
victoria-metrics -httpListenAddr="127.0.0.1:$CPORT" -storageDataPath="$TMP/central" -search.latencyOffset=1s \
	-retentionPeriod=1d >"$TMP/central.log" 2>&1 &
CENTRAL_PID=$!
wait_url "$CENTRAL/health" || { echo "measure_edge: central VictoriaMetrics did not start" >&2; cat "$TMP/central.log" >&2; exit 1; }

for e in "${EDGES[@]}"; do
	PORT[$e]=$(port); USED="$USED${PORT[$e]} "
	APORT[$e]=$(port); USED="$USED${APORT[$e]} "
	interval=10s flags=""
	[ "$e" = batch ] && flags=-remoteWrite.flushInterval=60s
	[ "$e" = dense ] && interval=1s
	STACK_MODE=edge STACK_STATE_DIR=$TMP/$e SENSOR_PORT=${PORT[$e]} SENSOR_SHM_NAME=/measure-edge-$$-$e \
		STACK_VMAGENT_PORT=${APORT[$e]} STACK_REMOTE_WRITE_URL=$CENTRAL/api/v1/write STACK_DEVICE=$e \
		STACK_SITE=lab STACK_SCRAPE_INTERVAL=$interval STACK_VMAGENT_FLAGS=$flags \
		"$ROOT/scripts/run-stack.sh" >"$TMP/$e.log" 2>&1 &
	RUNNER[$e]=$!
done
for e in "${EDGES[@]}"; do
	for ((i = 0; i < 300; i++)); do grep -q Ctrl-C "$TMP/$e.log" && break; sleep 0.1; done
	grep -q Ctrl-C "$TMP/$e.log" || { echo "measure_edge: edge stack $e did not start" >&2; cat "$TMP/$e.log" >&2; exit 1; }
done

metric() { # metric PORT NAME: sum of a metric on a /metrics page
	curl -s --max-time 5 "http://127.0.0.1:$1/metrics" |
		awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $NF } END { printf "%.0f\n", s }'
}
q() { # q QUERY: the first value of an instant query
	curl -s --max-time 10 -G "$CENTRAL/api/v1/query" --data-urlencode "query=$1" |
		python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)'
}

# Start counting after a warm-up, once the first scrapes have been sent.
sleep 15
declare -A B0=() S0=()
T0=$(date +%s.%N)
for e in "${EDGES[@]}"; do
	B0[$e]=$(metric "${APORT[$e]}" vmagent_remotewrite_bytes_sent_total)
	S0[$e]=$(metric "${APORT[$e]}" vmagent_remotewrite_rows_pushed_after_relabel_total)
done
echo "measure_edge: measuring for ${SECS}s (central :$CPORT; edges default, batch, dense)" >&2
sleep "$SECS"
T1=$(date +%s.%N)
declare -A B1=() S1=() RSS=()
for e in "${EDGES[@]}"; do
	B1[$e]=$(metric "${APORT[$e]}" vmagent_remotewrite_bytes_sent_total)
	S1[$e]=$(metric "${APORT[$e]}" vmagent_remotewrite_rows_pushed_after_relabel_total)
	read -r vpid _ <"$TMP/$e/vmagent.pid"
	RSS[$e]=$(awk '$1 == "Rss:" { print $2 }' "/proc/$vpid/smaps_rollup")
done
# Wait for vmagent's last sends (1 s flush; 60 s for "batch") before the
# store's figures: the "batch" agent's bytes are counted up to T1 only.
sleep 3
series_default=$(q 'count({device="default"})')
series_svc=$(q 'count({device="default",job="sensor-service"})')
series_auto=$(q 'count({device="default",job="sensor-service",__name__=~"up|scrape_.*"})')

# The central store's disk: merge what it has, then bytes per sample.
curl -s "$CENTRAL/internal/force_merge?partition_prefix=$(date -u +%Y_%m)" >/dev/null
sleep 5
for ((i = 0; i < 120; i++)); do
	[ "$(metric "$CPORT" vm_active_merges)" = 0 ] && break
	sleep 1
done
rows=$(curl -s "$CENTRAL/metrics" | awk '$1 ~ /^vm_rows\{type="storage\// { s += $2 } END { printf "%.0f", s }')
data=$(curl -s "$CENTRAL/metrics" | awk '$1 ~ /^vm_data_size_bytes\{type="storage\// { s += $2 } END { printf "%.0f", s }')
index=$(metric "$CPORT" 'vm_data_size_bytes{type="indexdb"}')
allseries=$(q 'count({__name__!=""})')

python3 - "$T0" "$T1" "$series_auto" "$series_svc" "$series_default" "$rows" "$data" "$index" "$allseries" \
	"${B0[default]}" "${B1[default]}" "${S0[default]}" "${S1[default]}" "${B0[batch]}" "${B1[batch]}" \
	"${S0[batch]}" "${S1[batch]}" "${RSS[default]}" "${RSS[dense]}" <<'PY'
import sys
a = sys.argv[1:]
t0, t1 = float(a[0]), float(a[1])
auto, svc, series, rows, data, index, allseries = (int(float(x)) for x in a[2:9])
b0, b1, s0, s1, bb0, bb1, bs0, bs1, rss_d, rss_dense = (float(x) for x in a[9:19])
dt = t1 - t0
print(f"measured over {dt:.0f} s")
print(f"series per device: {series}: {svc - auto} from the service's /metrics + {auto} that vmagent adds per target"
      f" (up, scrape_*), and {series - svc} of vmagent's own job (stack)")
rate = series / 10
print(f"samples/s per device at a 10 s scrape interval: {rate:.1f}")
wire = (b1 - b0) / dt
sent = s1 - s0
print(f"on the wire, 1 s flush (default): {wire:.0f} B/s, {wire * 86400 / 1e6:.1f} MB/day,"
      f" {(b1 - b0) / max(sent, 1):.1f} B per sample sent (snappy Prometheus remote write)")
bwire = (bb1 - bb0) / dt
print(f"on the wire, 60 s flush: {bwire:.0f} B/s, {bwire * 86400 / 1e6:.1f} MB/day,"
      f" {(bb1 - bb0) / max(bs1 - bs0, 1):.1f} B per sample sent")
print(f"central disk: {data} B for {rows} samples = {data / max(rows, 1):.2f} B/sample;"
      f" index {index} B for {allseries} series = {index / max(allseries, 1):.0f} B/series")
print(f"vmagent RSS: {rss_d / 1024:.1f} MiB (10 s scrape), {rss_dense / 1024:.1f} MiB (1 s scrape)")
PY
