#!/usr/bin/env bash
# test_textfile_node_exporter.sh - the same textfile directory given to
# Debian's node_exporter (--collector.textfile.directory) and to the
# service: the same series with the same values (the files' families,
# node_textfile_mtime_seconds, node_textfile_scrape_error), the same HELP
# and TYPE lines, for files node_exporter accepts and files it refuses
# (malformed, with timestamps, a blank after a value).
source "$(dirname "$0")/lib/lib.sh"
source "$(dirname "$0")/lib/node_exporter.sh"

DIR=$TEST_TMP/textfiles
mkdir -p "$DIR"
put() { printf '%b' "$2" >"$DIR/.$1.tmp" && mv -f "$DIR/.$1.tmp" "$DIR/$1"; }

put a_jobs.prom '# HELP tf_job_runs_total Runs of each job.\n# TYPE tf_job_runs_total counter\ntf_job_runs_total{job="backup"} 3\ntf_job_runs_total{job="sync",} 7\n# HELP tf_temperature_celsius Board temperature.\n# TYPE tf_temperature_celsius gauge\ntf_temperature_celsius 41.5\n'
put b_plain.prom 'tf_last_success_timestamp_seconds 1.7e9\ntf_weird{path="C:\\\\dir\\"x\\"\\nline",empty=""} -0.5\n  tf_spaced   +Inf\n#TYPE tf_typed gauge\ntf_typed\t3\n# a comment\n\ntf_nan NaN\n'
put c_dist.prom '# HELP tf_latency_seconds Latency.\n# TYPE tf_latency_seconds histogram\ntf_latency_seconds_bucket{le="0.1"} 1\ntf_latency_seconds_bucket{le="1"} 3\ntf_latency_seconds_bucket{le="+Inf"} 4\ntf_latency_seconds_sum 2.5\ntf_latency_seconds_count 4\n# HELP tf_size_bytes Sizes.\n# TYPE tf_size_bytes summary\ntf_size_bytes{quantile="0.5"} 10\ntf_size_bytes{quantile="0.9"} 20\ntf_size_bytes_sum 300\ntf_size_bytes_count 20\n'
put d_jobs_more.prom '# HELP tf_job_runs_total Runs of each job.\n# TYPE tf_job_runs_total counter\ntf_job_runs_total{job="prune"} 1\ntf_last_success_timestamp_seconds{job="prune"} 1.6e9\n'
put e_labels.prom '# HELP tf_mixed Mixed label sets.\ntf_mixed{a="x"} 1\ntf_mixed 2\n'
put f_malformed.prom 'tf_broken{ 1\n'
put g_stamped.prom 'tf_stamped 1 1700000000000\n'
put i_trailing.prom 'tf_trailing 1 \n'
echo 'tf_not_prom 1' >"$DIR/h_other.txt"

start_node_exporter --collector.disable-defaults --collector.textfile --collector.textfile.directory="$DIR"
rc=$?
if [ "$rc" -eq 2 ]; then
	skip "node_exporter comparison: $NODE_EXPORTER_BIN is not installed (Debian's prometheus-node-exporter)"
	finish
fi
[ "$rc" -eq 0 ] || { fail "node_exporter starts"; finish; }
start_service --textfile-directory "$DIR" --textfile-interval-ms 200 || { fail "service starts"; finish; }

curl -s "$NE_URL/metrics" >"$TEST_TMP/theirs.prom"
wait_for "the textfile page" 10 sh -c "curl -s '$SVC_URL/metrics' | grep -q '^tf_mixed'"
http_body /metrics >"$TEST_TMP/ours.prom"

out=$(series_compare "$TEST_TMP/ours.prom" "$TEST_TMP/theirs.prom" --prefix tf_ --prefix node_textfile_ --values 2>&1)
rc=$?
printf '    %s\n' "${out//$'\n'/$'\n'    }"
assert_eq "the same series and values as node_exporter" 0 "$rc"
assert_match "over every file node_exporter accepts" '^2[0-9] series ours, 2[0-9] theirs, 0 differences' "$(echo "$out" | tail -1)"
assert_match "with the scrape error both report" '^node_textfile_scrape_error 1$' "$(grep '^node_textfile_scrape_error' "$TEST_TMP/ours.prom")"

meta() { grep -E '^# (HELP|TYPE) (tf_|node_textfile_)' "$1" | sort; }
diff <(meta "$TEST_TMP/ours.prom") <(meta "$TEST_TMP/theirs.prom") >"$TEST_TMP/meta.diff"
assert_eq "the same HELP and TYPE lines ($(meta "$TEST_TMP/ours.prom" | wc -l))" "" "$(cat "$TEST_TMP/meta.diff")"

out=$(promtool_check <"$TEST_TMP/ours.prom" 2>&1)
assert_eq "promtool check metrics accepts our page ($out)" 0 $?

stop_node_exporter
stop_service
finish
