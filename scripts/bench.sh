#!/usr/bin/env bash
# bench.sh - `make bench`: install what the bench needs (Debian packages
# only), then measure sensor-service beside the original Python design (as
# the seed fixed it and as it was before), nginx and Prometheus, and
# regenerate bench/results/*.json, the plots and PERFORMANCE_REPORT.md.
#
#   scripts/bench.sh                 the default bench (under 15 minutes)
#   BENCH_SOAK_S=1800 scripts/bench.sh   with a 30-minute soak
#   BENCH_QUICK=1 BENCH_OUT=/tmp/r BENCH_REPORT=/tmp/r.md scripts/bench.sh
#                                    a tiny run (the smoke test)
#   BENCH_STAGES=serve,fleet scripts/bench.sh   some stages only; the report
#                                    still uses the other stages' last JSON
#   scripts/bench.sh report          regenerate the report from the JSON
#
# Benchmarks print figures and never fail on a number; the exit status is
# non-zero only when the machinery breaks.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = report ]; then
	exec /usr/bin/python3 bench/report.py "${BENCH_OUT:-bench/results}" "${BENCH_REPORT:-PERFORMANCE_REPORT.md}"
fi

scripts/install-deps.sh build bench stack
bin=${SENSOR_BIN:-build/sensor-service}
if [ -z "${SENSOR_BIN:-}" ]; then
	make --no-print-directory all >/dev/null
fi
[ -x "$bin" ] || { echo "bench: no $bin; run make first" >&2; exit 1; }
SENSOR_BIN=$(readlink -f "$bin")
export SENSOR_BIN
# Debian's python3, with Debian's flask, prometheus_client and matplotlib.
exec /usr/bin/python3 bench/bench.py
