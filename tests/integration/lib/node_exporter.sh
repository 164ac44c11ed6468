# node_exporter.sh - run Debian's prometheus-node-exporter beside the service
# on the same input, for the tests that compare what the two write.
#
#   source "$(dirname "$0")/lib/node_exporter.sh"   (after lib.sh)
#   start_node_exporter [flags...]   sets NE_PID NE_URL; returns 2 when absent
#   stop_node_exporter
#   series_compare A.prom B.prom [promseries.py flags]   see promseries.py

NODE_EXPORTER_BIN=${NODE_EXPORTER_BIN:-/usr/bin/prometheus-node-exporter}
PROMSERIES="$(dirname "${BASH_SOURCE[0]}")/promseries.py"
NE_PID=""
NE_URL=""

start_node_exporter() {
	[ -x "$NODE_EXPORTER_BIN" ] || return 2
	local port
	pick_port port || return 1
	NE_URL="http://127.0.0.1:$port"
	"$NODE_EXPORTER_BIN" --web.listen-address="127.0.0.1:$port" "$@" \
		>"$TEST_TMP/node_exporter-$port.log" 2>&1 &
	NE_PID=$!
	SVC_PIDS+=("$NE_PID")
	# any HTTP answer: with a web config it may be 401, or a 400 to plain
	# HTTP on its TLS port
	if ! wait_for "node_exporter on $port" 10 curl -s -o /dev/null "$NE_URL/metrics"; then
		cat "$TEST_TMP/node_exporter-$port.log"
		return 1
	fi
}

stop_node_exporter() {
	[ -n "$NE_PID" ] || return 0
	kill -TERM "$NE_PID" 2>/dev/null
	wait "$NE_PID" 2>/dev/null
	NE_PID=""
}

series_compare() { python3 "$PROMSERIES" "$@"; }
