#!/usr/bin/env bash
# load_test.sh - HTTP load on the exporter's / and /metrics, one path after
# the other, with `hey` (Debian package hey) or `wrk`, and a summary of
# requests, rate, p50/p99 latency, non-2xx answers and transport errors,
# checked against the service's own sensor_requests_total counter.
#
#   scripts/load_test.sh                        10 s per path, 16 connections,
#                                               the local service
#   scripts/load_test.sh -d 30s -c 64 -u http://10.0.0.5:9100 -t wrk
#   scripts/load_test.sh -p /metrics            only /metrics
#
# Options: -d DURATION (10s; 45, 45s, 2m)  -c CONCURRENCY (16)
#          -u URL (scripts/service-url.sh: $SENSOR_URL, or the local service)  -p "PATHS" ("/ /metrics")
#          -t hey|wrk (hey if installed, else wrk)  -o DIR (build/load)
# Exit status: 0, 1 when any request failed at the transport level
# (refused, reset, timeout), 2 on bad usage or when nothing answers.
# hey reports latencies in 0.1 ms steps; wrk in microseconds.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

duration=10s conc=16 url="" paths="/ /metrics" tool="" outdir="$root/build/load"
usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
	case $1 in
	-d | --duration) duration=$2; shift 2 ;;
	-c | --concurrency) conc=$2; shift 2 ;;
	-u | --url | --target) url=${2%/}; shift 2 ;;
	-p | --paths) paths=$2; shift 2 ;;
	-t | --tool) tool=$2; shift 2 ;;
	-o | --out) outdir=$2; shift 2 ;;
	-h | --help) usage 0 ;;
	*) echo "load_test: unknown argument '$1'" >&2; usage 2 ;;
	esac
done
[ -n "$url" ] || url=$("$root/scripts/service-url.sh") || exit 2
[[ $duration =~ ^[0-9]+$ ]] && duration=${duration}s
[[ $duration =~ ^[0-9]+[smh]$ ]] || { echo "load_test: duration '$duration' is not like 10, 10s, 2m" >&2; exit 2; }
[[ $conc =~ ^[0-9]+$ ]] && [ "$conc" -gt 0 ] || { echo "load_test: concurrency must be a number > 0" >&2; exit 2; }
if [ -z "$tool" ]; then
	if command -v hey >/dev/null; then tool=hey; elif command -v wrk >/dev/null; then tool=wrk; fi
fi
case $tool in
hey | wrk) command -v "$tool" >/dev/null || { echo "load_test: $tool is not installed (apt-get install $tool)" >&2; exit 2; } ;;
"") echo "load_test: neither hey nor wrk is installed (apt-get install hey, or scripts/install-deps.sh bench)" >&2; exit 2 ;;
*) echo "load_test: tool must be hey or wrk, not '$tool'" >&2; exit 2 ;;
esac

code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$url/" || true)
if [ -z "$code" ] || [ "$code" = 000 ]; then
	echo "load_test: nothing answers at $url (start the service: make run, or give -u URL)" >&2
	exit 2
fi

run="$outdir/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$run"
requests_counter() { # sum of sensor_requests_total per path,code as "path code value" lines
	curl -s --max-time 5 "$url/metrics" | awk '/^sensor_requests_total\{/ {
		p = $0; sub(/.*path="/, "", p); sub(/".*/, "", p);
		c = $0; sub(/.*code="/, "", c); sub(/".*/, "", c); print p, c, $2 }'
}
requests_counter >"$run/counter.before"

# to_ms VALUE UNIT: latency in milliseconds
to_ms() { awk -v v="$1" -v u="$2" 'BEGIN { f = u == "us" ? 0.001 : u == "ms" ? 1 : u == "s" || u == "secs" ? 1000 : 1; printf "%.3f", v * f }'; }

echo "load_test: $tool, $duration per path, $conc connections, target $url (GET / answers $code now)"
printf '%-10s %10s %10s %9s %9s %9s %8s\n' path requests req/s p50_ms p99_ms non-2xx errors | tee "$run/summary.txt"
failed=0
for path in $paths; do
	out="$run/$tool-$(printf '%s' "$path" | tr -c 'A-Za-z0-9' '_').txt"
	if [ "$tool" = hey ]; then
		hey -z "$duration" -c "$conc" -disable-compression "$url$path" >"$out" 2>&1
		total=$(awk '/\[[0-9]+\][[:space:]]+[0-9]+ responses/ { gsub(/[^0-9 ]/, " "); n += $2 } END { print n + 0 }' "$out")
		ok=$(awk '/\[2[0-9][0-9]\][[:space:]]+[0-9]+ responses/ { gsub(/[^0-9 ]/, " "); n += $2 } END { print n + 0 }' "$out")
		errors=$(awk '/^Error distribution:/ { e = 1; next } e && /^ *\[[0-9]+\]/ { gsub(/[][]/, " "); n += $1 } END { print n + 0 }' "$out")
		rps=$(awk '/Requests\/sec:/ { printf "%.0f", $2 }' "$out")
		p50=$(awk '/ 50% in / { print $3 }' "$out")
		p99=$(awk '/ 99% in / { print $3 }' "$out")
		# hey prints seconds with 4 decimals: 0.1 ms is all the precision there is.
		p50=$([ -n "$p50" ] && awk -v v="$p50" 'BEGIN { printf "%.1f", v * 1000 }' || echo -)
		p99=$([ -n "$p99" ] && awk -v v="$p99" 'BEGIN { printf "%.1f", v * 1000 }' || echo -)
		non2xx=$((total - ok))
		total=$((total + errors))
	else
		wrk -t1 -c "$conc" -d "$duration" --latency "$url$path" >"$out" 2>&1
		total=$(awk '/ requests in / { print $1 }' "$out")
		rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
		lat() { awk -v q="$1" '$1 == q { v = $2; u = v; sub(/[a-z]+$/, "", v); sub(/^[0-9.]+/, "", u); print v, u }' "$out"; }
		read -r v u <<<"$(lat 50%)"; p50=$([ -n "${v:-}" ] && to_ms "$v" "$u" || echo -)
		read -r v u <<<"$(lat 99%)"; p99=$([ -n "${v:-}" ] && to_ms "$v" "$u" || echo -)
		non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
		errors=$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$out")
		total=${total:-0} non2xx=${non2xx:-0} errors=${errors:-0}
	fi
	printf '%-10s %10s %10s %9s %9s %9s %8s\n' "$path" "$total" "${rps:-0}" "$p50" "$p99" "$non2xx" "$errors" | tee -a "$run/summary.txt"
	[ "${errors:-0}" -eq 0 ] || failed=1
done

requests_counter >"$run/counter.after"
echo "server side (sensor_requests_total grew by):" | tee -a "$run/summary.txt"
awk 'NR == FNR { b[$1 " " $2] = $3; next } { d = $3 - b[$1 " " $2]; if (d > 0) printf "  path=%-9s code=%-5s +%d\n", $1, $2, d }' \
	"$run/counter.before" "$run/counter.after" | tee -a "$run/summary.txt"
echo "raw $tool output and this summary: $run/"
[ $failed -eq 0 ] || echo "load_test: some requests failed at the transport level (see errors)" >&2
exit $failed
