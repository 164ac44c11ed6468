#!/usr/bin/env bash
# measure_memory.sh OUT.json - the service's idle memory where it runs:
# start $SENSOR_BIN with its defaults, let it warm up, then sample Rss and
# Pss (smaps_rollup) of the supervisor, the worker and the exporter 5 times
# one second apart, and write the medians in bytes with the segment size.
# The same script runs inside the emulated arm64 board and on the host, so
# the two architectures are measured the same way in one `make test-board`.
source "$(dirname "$0")/../integration/lib/lib.sh"
OUT=${1:?usage: measure_memory.sh OUT.json}
WARMUP_S=${MEASURE_WARMUP_S:-3}
SAMPLES=5

kb() { awk -v f="$2:" '$1 == f { print $2; exit }' "/proc/$1/smaps_rollup"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

start_service || { fail "the service starts for the memory figures"; finish; }
sleep "$WARMUP_S"
declare -A pid=([supervisor]=$SVC_PID [worker]=$(child_pid worker) [exporter]=$(child_pid exporter))
for i in $(seq 1 $SAMPLES); do
	for p in supervisor worker exporter; do
		echo "$(kb "${pid[$p]}" Rss)" >>"$TEST_TMP/$p.rss"
		echo "$(kb "${pid[$p]}" Pss)" >>"$TEST_TMP/$p.pss"
	done
	[ "$i" -lt $SAMPLES ] && sleep 1
done
{
	printf '{"arch": "%s", "kernel": "%s", "page_size": %s, "samples": %s, "warmup_s": %s, "segment_bytes": %s' \
		"$(uname -m)" "$(uname -r)" "$(getconf PAGESIZE)" "$SAMPLES" "$WARMUP_S" "$(stat -c %s "/dev/shm${SVC_SHM}")"
	for p in supervisor worker exporter; do
		printf ', "%s": {"rss_bytes": %s, "pss_bytes": %s}' "$p" \
			"$(median <"$TEST_TMP/$p.rss" | awk '{ print $1 * 1024 }')" \
			"$(median <"$TEST_TMP/$p.pss" | awk '{ print $1 * 1024 }')"
	done
	printf '}\n'
} >"$OUT"
check "memory figures of $(uname -m) written" grep -q '"pss_bytes": [0-9]' "$OUT"
echo "  ($(uname -m): $(cat "$OUT"))"
stop_service
assert_eq "clean stop after the memory figures" 0 $?
finish
