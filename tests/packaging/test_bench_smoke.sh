#!/usr/bin/env bash
# test_bench_smoke.sh - the bench's machinery in its tiny mode (BENCH_QUICK=1):
# scripts/bench.sh starts sensor-service, the Python baseline and the
# original design, nginx, node-exporter, VictoriaMetrics, vmalert and
# Prometheus, drives wrk, writes the JSON,
# the plots and a report, and leaves no process or segment behind. The
# numbers of a quick run mean nothing; only their presence is checked.
source "$(dirname "$0")/../integration/lib/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

# `make asan`: a benchmark of an ASan build measures ASan, and its terabytes
# of shadow mappings make the pagemap walk of benchlib run out of memory.
if ldd "$SENSOR_BIN" 2>/dev/null | grep -q libasan; then
	skip "$SENSOR_BIN is an AddressSanitizer build"
	finish
fi

out="$TEST_TMP/results"
report="$TEST_TMP/REPORT.md"
start=$SECONDS
BENCH_QUICK=1 BENCH_OUT="$out" BENCH_REPORT="$report" SENSOR_BIN="$SENSOR_BIN" \
	"$ROOT/scripts/bench.sh" >"$TEST_TMP/bench.log" 2>&1 &
bench_pid=$!
wait "$bench_pid"; rc=$?
echo "  (quick bench took $((SECONDS - start)) s)"
assert_eq "quick bench exits 0" 0 "$rc"
[ "$rc" -eq 0 ] || tail -30 "$TEST_TMP/bench.log"

for f in machine serve scale libmap fleet; do
	check "bench/results: $f.json written" test -s "$out/$f.json"
done
check "bench/results: soak.json.gz written (a time series: compressed)" gzip -t "$out/soak.json.gz"
for f in memory throughput soak scale; do
	check "plot $f.png written" test -s "$out/$f.png"
done
check "report written" test -s "$report"
body=$(cat "$report" 2>/dev/null)
assert_match "report has the targets table" '\| target \| measured \| verdict \|' "$body"
assert_match "report states the pinned CPUs in its method" 'Pinned CPUs\*\*: wrk .* pinned to CPU [0-9]+ and every server measured .* to CPU [0-9]+' "$body"
assert_match "report has the libraries each process maps, the worker's none of them" \
	'\| after \| worker \| [0-9.]+ MiB \| [0-9.]+ MiB.* \| none \|' "$body"
assert_match "report has the libraries' targets" '\| the worker maps no TLS, YAML or zlib library \| none \| \*\*met\*\* \|' "$body"
assert_match "report has the fleet scrape's table" '\| server \| CPU per scrape \| p50 \| p99 \|' "$body"
for row in 'sensor-service \(exporter\)' 'prometheus-node-exporter \(textfile\)' 'nginx \(static file\)'; do
	assert_match "the fleet table has $row, answered gzip over TLS" "^\\| $row \\| [0-9,]+ µs.*\\| gzip \\| [0-9]+ \\(200: [0-9]+\\)" "$body"
done
assert_match "report states the PSS target with a value, in MiB" 'PSS ≤ 6 MB \(5\.72 MiB\) \| [0-9.]+ MiB idle' "$body"
assert_match "report opens with the before/after table" '\| component \| before: the original design \| after: sensor-service \| how measured \|' "$body"
# shellcheck disable=SC2016 # backquotes are Markdown here
assert_match "report compares /metrics with nginx" '\| `/metrics` req/s ≥ 0\.8x nginx.s serving the same page \(16 connections\) \| [0-9.]+x' "$body"
# shellcheck disable=SC2016 # backquotes are Markdown here
assert_match "the ceiling's ratio comes from the paired rounds" '\| `/metrics` p99 ≤ 1\.5x nginx.s \(16 connections\) \| [0-9.]+x \(one paired round; ' "$body"
assert_match "report has the paired rounds' table" '\| round \| first \| ours req/s \| nginx req/s \|' "$body"
assert_match "report says what quick mode skipped" 'Skipped in quick mode: spike, gzip' "$body"
# shellcheck disable=SC2016 # backquotes are Markdown here
assert_match "report has the throughput table" '\| `/metrics` \| 16 \| ours \|' "$body"
assert_match "report links the plots" '!\[[^]]*\]\(results/memory\.png\)' "$body"
assert_match "report says it is a quick run" 'Quick mode' "$body"
assert_match "console table printed" '^target +measured' "$(cat "$TEST_TMP/bench.log")"

# The figures exist and are plausible, whatever their values.
# py FILE.json EXPR: EXPR of the result file's data d (read by benchlib,
# which finds FILE.json or FILE.json.gz)
py() { PYTHONPATH=$ROOT/bench /usr/bin/python3 -c "import benchlib,sys; d=benchlib.load_json('$out/'+sys.argv[1][:-5]); print($2)" "$1" 2>/dev/null; }
assert_gt "ours served /metrics" "$(py serve.json "[r['rps']['median'] for r in d['summary'] if r['target']=='ours' and r['path']=='/metrics'][0]")" 0
assert_gt "the baseline served /metrics" "$(py serve.json "[r['rps']['median'] for r in d['summary'] if r['target']=='baseline' and r['path']=='/metrics'][0]")" 0
assert_gt "nginx served the copy of our page" "$(py serve.json "[r['rps']['median'] for r in d['summary'] if r['target']=='nginx'][0]")" 0
assert_gt "a paired ceiling round measured both" "$(py serve.json "min(d['ceiling']['rounds'][0]['ours']['rps'], d['ceiling']['rounds'][0]['nginx']['rps'])")" 0
assert_gt "the original design answered in the soak" "$(py soak.json "d['load']['original']['requests']")" 0
assert_gt "the original's RSS sampled in the soak" "$(py soak.json "d['stats']['original']['rss']['median']")" 0
assert_gt "Prometheus RSS sampled in the soak" "$(py soak.json "d['stats']['prometheus']['rss']['median']")" 0
assert_gt "VictoriaMetrics' own memory figures sampled" "$(py soak.json "d['internals']['victoria-metrics'][-1][1]['go_memstats_heap_inuse_bytes']")" 0
assert_gt "scale counted the series of the page" "$(py scale.json "d['rows'][0]['series']")" 0
assert_gt "node-exporter served /metrics" "$(py serve.json "[r['rps']['median'] for r in d['summary'] if r['target']=='node-exporter'][0]")" 0
assert_gt "service PSS measured" "$(py serve.json "d['idle']['ours']['pss']['median']")" 0
assert_gt "baseline RSS measured" "$(py serve.json "d['idle']['baseline']['rss']['median']")" 0
assert_gt "CPU per scrape measured" "$(py serve.json "[r['cpu_per_req_s']['median'] for r in d['summary'] if r['target']=='ours' and r['path']=='/metrics'][0]")" 0
assert_gt "VictoriaMetrics scraped during the soak" "$(py soak.json "d['evidence']['vm_scrapes'] or 0")" 0
assert_gt "VictoriaMetrics RSS sampled" "$(py soak.json "d['stats']['victoria-metrics']['rss']['median']")" 0
assert_gt "vmalert RSS sampled" "$(py soak.json "d['stats']['vmalert']['rss']['median']")" 0
assert_gt "soak sampled the worker" "$(py soak.json "len(d['series']['worker'])")" 1
assert_gt "scale measured CPU per reading" "$(py scale.json "d['rows'][0]['cpu_per_reading_s']")" 0

echo "-- nothing left behind"
pids=$(py machine.json "' '.join(str(p) for p in d['pids_started'])")
assert_gt "the bench recorded the pids it started" "$(echo "$pids" | wc -w)" 4
alive=""
for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
assert_eq "every process the bench started is gone" "" "$alive"
left=$(find /dev/shm -maxdepth 1 -name "sensor-bench-$bench_pid-*" 2>/dev/null | wc -l)
assert_eq "no shared-memory segment left" 0 "$left"
finish
