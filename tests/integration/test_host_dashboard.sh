#!/usr/bin/env bash
# test_host_dashboard.sh - node_exporter's dashboards work on the service
# unchanged: VictoriaMetrics (scripts/run-stack.sh, scraping every second)
# answers the CPU, memory, disk and network panel queries of the public
# "Node Exporter Full" Grafana dashboard (grafana.com id 1860; its JSON is
# rfmoz/grafana-dashboards' prometheus/node-exporter-full.json), written out
# below with its variables filled in ($node, $job; $__rate_interval as
# 30s), with data from the service's node_* families.
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
export SENSOR_HOST_INTERVAL_MS=1000
VM=http://127.0.0.1:$STACK_VM_PORT
RUNNER=""
stack_cleanup() {
	[ -n "$RUNNER" ] && "$ROOT/scripts/run-stack.sh" stop >/dev/null 2>&1
	_cleanup
}
trap stack_cleanup EXIT

start_stack "$TEST_TMP/run.log" || { fail "run-stack.sh starts the stack"; cat "$TEST_TMP/run.log"; finish; }
wait_for "node_cpu_seconds_total scraped" 20 sh -c "curl -s -G '$VM/api/v1/query' \
	--data-urlencode 'query=node_cpu_seconds_total' | grep -q node_cpu_seconds_total"
# rates need a few samples of each series
sleep 8

node="127.0.0.1:$SENSOR_PORT"
job=sensor-service
# The dashboard's variables: job and nodename from node_uname_info, node
# (the instance) from both.
assert_match "its variables resolve (label_values(node_uname_info, job))" "job=$job" \
	"$(vm_query "$VM" 'node_uname_info')"
# panel title | its query as the dashboard's JSON writes it, with $node,
# $job and $__rate_interval (30s) filled in
N="instance=\"$node\",job=\"$job\""
PANELS=(
	"CPU Busy|100 * (1 - avg(rate(node_cpu_seconds_total{mode=\"idle\",$N}[30s])))"
	"Sys Load|scalar(node_load1{$N}) * 100 / count(count(node_cpu_seconds_total{$N}) by (cpu))"
	"RAM Used|clamp_min((1 - (node_memory_MemAvailable_bytes{$N} / node_memory_MemTotal_bytes{$N})) * 100, 0)"
	"Root FS Used|((node_filesystem_size_bytes{$N, mountpoint=\"/\", fstype!=\"rootfs\"} - node_filesystem_avail_bytes{$N, mountpoint=\"/\", fstype!=\"rootfs\"}) / node_filesystem_size_bytes{$N, mountpoint=\"/\", fstype!=\"rootfs\"}) * 100"
	"CPU Cores|count(count(node_cpu_seconds_total{$N}) by (cpu))"
	"RAM Total|node_memory_MemTotal_bytes{$N}"
	"CPU Basic: user|avg(rate(node_cpu_seconds_total{$N, mode=\"user\"}[30s]))"
	"CPU Basic: irqs|avg(sum without(mode) (rate(node_cpu_seconds_total{$N, mode=~\".*irq\"}[30s])))"
	"Memory Basic: used|node_memory_MemTotal_bytes{$N} - node_memory_MemFree_bytes{$N} - (node_memory_Cached_bytes{$N} + node_memory_Buffers_bytes{$N} + node_memory_SReclaimable_bytes{$N})"
	"Memory Basic: swap used|(node_memory_SwapTotal_bytes{$N} - node_memory_SwapFree_bytes{$N})"
	"Network Traffic Basic: receive|rate(node_network_receive_bytes_total{$N}[30s])*8"
	"Network Traffic Basic: transmit|rate(node_network_transmit_bytes_total{$N}[30s])*8"
	"Network Traffic Errors|rate(node_network_receive_errs_total{$N}[30s])"
	"Disk Space Used Basic|((node_filesystem_size_bytes{$N, device!~'rootfs'} - node_filesystem_avail_bytes{$N, device!~'rootfs'}) / node_filesystem_size_bytes{$N, device!~'rootfs'}) * 100"
	"Disk IOps: reads|rate(node_disk_reads_completed_total{$N,device=~\"[a-z]+|nvme[0-9]+n[0-9]+|mmcblk[0-9]+\"}[30s])"
	"Disk IOps: writes|rate(node_disk_writes_completed_total{$N,device=~\"[a-z]+|nvme[0-9]+n[0-9]+|mmcblk[0-9]+\"}[30s])"
)
for p in "${PANELS[@]}"; do
	title=${p%%|*}
	query=${p#*|}
	out=$(vm_query "$VM" "$query")
	if [ -n "$out" ]; then
		pass "$title: $(printf '%s\n' "$out" | wc -l) series ($(printf '%s\n' "$out" | head -1 | awk '{ print $NF }'))"
	else
		fail "$title: no data for: $query"
	fi
done

"$ROOT/scripts/run-stack.sh" stop >/dev/null 2>&1
RUNNER=""
finish
