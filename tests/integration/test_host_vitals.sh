#!/bin/bash
# test_host_vitals.sh - the host collectors (node_* families) beside
# Debian's prometheus-node-exporter with the same collectors, on the same
# machine: the same series (names and label sets) per collector, equal
# values where they are static (MemTotal, boot time, uname, file system
# sizes, disk info), and each counter bracketed by node_exporter's value
# read before ours and the one read after.
#
# Ours are sampled by the worker every host-interval-ms, so at a scrape
# they are at most that old (plus one worker tick): node_exporter's
# "before" page is read, then ours two intervals later, so that our
# sample was taken after "before" was read; then node_exporter's "after".
source "$(dirname "$0")/lib/lib.sh"
source "$(dirname "$0")/lib/node_exporter.sh"

INTERVAL_MS=200
COLLECTORS=(cpu meminfo loadavg stat pressure uname filesystem netdev diskstats)

start_service --host-interval-ms "$INTERVAL_MS" || { fail "service starts"; finish; }
ne_flags=(--collector.disable-defaults)
for c in "${COLLECTORS[@]}"; do ne_flags+=("--collector.$c"); done
start_node_exporter "${ne_flags[@]}"
case $? in
0) ;;
2) skip "no $NODE_EXPORTER_BIN (scripts/install-deps.sh test): nothing to compare with"; finish ;;
*) fail "node_exporter starts"; finish ;;
esac

check "the first host sample is published" wait_for "node_* families" 10 \
	sh -c "curl -s '$SVC_URL/metrics' | grep -q '^node_scrape_collector_success{collector=\"diskstats\"}'"

curl -s "$NE_URL/metrics" >"$TEST_TMP/before.prom"
sleep "$(awk -v ms="$INTERVAL_MS" 'BEGIN { print 2 * ms / 1000 }')"
curl -s "$SVC_URL/metrics" >"$TEST_TMP/ours.prom"
curl -s "$NE_URL/metrics" >"$TEST_TMP/after.prom"

compare() { # compare WHAT ARGS...: promseries.py ours before ARGS, one check
	local what=$1 out; shift
	if out=$(series_compare "$TEST_TMP/ours.prom" "$TEST_TMP/before.prom" "$@" 2>&1); then
		pass "$what ($(echo "$out" | tail -1))"
	else
		fail "$what: $(echo "$out" | head -20)"
	fi
}

# each collector's families: the same series both ways
declare -A PREFIXES=(
	[cpu]="node_cpu_"
	[meminfo]="node_memory_"
	[loadavg]="node_load"
	[stat]="node_boot_time_seconds node_context_switches_total node_forks_total node_intr_total node_procs_"
	[pressure]="node_pressure_"
	[uname]="node_uname_info"
	[filesystem]="node_filesystem_"
	[netdev]="node_network_"
	[diskstats]="node_disk_"
)
for c in "${COLLECTORS[@]}"; do
	args=()
	for p in ${PREFIXES[$c]}; do args+=(--prefix "$p"); done
	n=$(grep -c "^\(${PREFIXES[$c]// /\\|}\)" "$TEST_TMP/ours.prom")
	if [ "$n" -eq 0 ] && [ "$c" != pressure ]; then
		fail "collector $c: no series of ours"
	fi
	compare "collector $c: the same series as node_exporter" "${args[@]}"
done
compare "node_scrape_collector_success: the same collectors, all succeeding" \
	--prefix node_scrape_collector_success --equal '.'

compare "static values equal (MemTotal, boot time, uname, file system sizes and inodes, disk info)" \
	--prefix node_memory_MemTotal_bytes --prefix node_boot_time_seconds --prefix node_uname_info \
	--prefix node_filesystem_size_bytes --prefix node_filesystem_files --prefix node_disk_info \
	--equal '^node_memory_MemTotal_bytes$' --equal '^node_boot_time_seconds$' --equal '^node_uname_info$' \
	--equal '^node_filesystem_size_bytes$' --equal '^node_filesystem_files$' --equal '^node_disk_info$'

compare "counters bracketed: node_exporter before <= ours <= node_exporter after" \
	--prefix node_cpu_ --prefix node_context_switches_total --prefix node_forks_total --prefix node_intr_total \
	--prefix node_pressure_ --prefix node_network_ --prefix node_disk_ \
	--bracket "$TEST_TMP/after.prom" --counter '_total$'

# each collector can be turned off
stop_service
start_service --host-interval-ms "$INTERVAL_MS" --collector-cpu=false --collector-filesystem=false \
	|| { fail "service starts with collectors off"; finish; }
wait_for "a host sample" 10 sh -c "curl -s '$SVC_URL/metrics' | grep -q '^node_scrape_collector_success'"
body=$(http_body /metrics)
assert_no_match "collector-cpu=false: no node_cpu_ series" '^node_cpu_' "$body"
assert_no_match "collector-filesystem=false: no node_filesystem_ series" '^node_filesystem_' "$body"
assert_match "the other collectors still sampled" '^node_memory_MemTotal_bytes ' "$body"

# a bound: one CPU at most, the rest left out and counted
stop_service
SENSOR_HOST_CPUS_MAX=1 start_service --host-interval-ms "$INTERVAL_MS" || { fail "service starts"; finish; }
wait_for "a host sample" 10 sh -c "curl -s '$SVC_URL/metrics' | grep -q '^node_scrape_collector_success'"
body=$(http_body /metrics)
cpus=$(grep -c '^processor' /proc/cpuinfo)
assert_eq "host-cpus-max=1: one CPU shown" 1 "$(printf '%s\n' "$body" | grep '^node_cpu_seconds_total{' | grep -c 'mode="idle"')"
assert_match "the CPUs left out are counted" "^sensor_host_left_out\\{bound=\"cpus\"\\} $((cpus - 1))\$" "$body"

stop_service
stop_node_exporter
finish
