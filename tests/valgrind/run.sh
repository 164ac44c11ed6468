#!/usr/bin/env bash
# run.sh - `make valgrind`: the real service under valgrind's memcheck,
# every process (the supervisor and both forked children each get a log),
# through a life that touches every path: start, serve good and bad
# requests, a processing step or two, SIGTERM. Fails unless every process
# reports 0 errors and no definite, indirect or possible leak, and the
# service exits 0.
#
#   tests/valgrind/run.sh /path/to/sensor-service
set -u
BIN=${1:?usage: run.sh SENSOR_BIN}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(dirname "$BIN")/valgrind
rm -rf "$OUT"; mkdir -p "$OUT"
source "$HERE/../integration/lib/lib.sh"

PORT=$(free_port)
SHM=$(new_shm_name)
URL="http://127.0.0.1:$PORT"
echo "valgrind: $BIN on port $PORT, logs in $OUT"
valgrind --trace-children=yes --leak-check=full --show-leak-kinds=definite,indirect,possible \
	--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=1 \
	--suppressions="$HERE/sensor.supp" --log-file="$OUT/vg.%p.log" \
	"$BIN" --port "$PORT" --shm-name "$SHM" --debug-endpoint --sample-interval-ms 50 \
	--process-interval-ms 500 --heartbeat-timeout-ms 20000 --stop-timeout-ms 20000 >"$OUT/service.log" 2>&1 &
VG=$!
SVC_PIDS+=("$VG")
up=0
for _ in $(seq 1 300); do
	curl -sf -o /dev/null --max-time 2 "$URL/" && { up=1; break; }
	kill -0 "$VG" 2>/dev/null || break
	sleep 0.1
done
[ "$up" = 1 ] || { echo "valgrind: the service did not come up"; cat "$OUT/service.log"; exit 1; }

# Good requests on every path, then bad ones.
for _ in $(seq 1 10); do
	for p in / /metrics /debug /nope '/metrics?x=1'; do curl -s -o /dev/null --max-time 10 "$URL$p"; done
done
curl -s -o /dev/null --max-time 10 -X POST -d x "$URL/metrics"
curl -s -o /dev/null --max-time 10 -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)" "$URL/"
printf 'GARBAGE\r\n\r\n' | timeout 5 curl -s -o /dev/null telnet://127.0.0.1:"$PORT" 2>/dev/null
python3 - "$PORT" <<'PY'
import socket, sys
port = int(sys.argv[1])
for data in (b"GET / HTTP/1.0\r\nContent-Length: 99999999\r\n\r\n", b"FOO / HTTP/1.0\r\n\r\n", b"GET /metr"):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    try:
        while s.recv(4096):
            pass
    except OSError:
        pass
    s.close()
idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]
for s in idle:
    s.close()
PY
sleep 1.5 # a few processing steps
kill -TERM "$VG"
rc=0
wait "$VG" || rc=$?
sleep 0.5 # the children's valgrind may still be writing its summary

fails=0
logs=("$OUT"/vg.*.log)
for log in "${logs[@]}"; do
	pid=${log##*vg.}; pid=${pid%.log}
	role=$(grep -m1 -oE "started sensor-(worker|exporter) \(pid $pid\)" "$OUT/service.log" | awk '{ print $2 }')
	summary=$(grep -m1 'ERROR SUMMARY' "$log" | sed 's/^==[0-9]*== //')
	lost=$(grep -E '(definitely|indirectly|possibly) lost:' "$log" | sed 's/^==[0-9]*== *//' | tr -s ' ' | tr '\n' ';')
	echo "  pid $pid ${role:-sensor-service (supervisor)}: ${summary:-no summary}; ${lost:-no leaks}"
	case $summary in
	"ERROR SUMMARY: 0 errors"*) ;;
	*) fails=$((fails + 1)); sed -n '/ERROR SUMMARY\|Invalid\|uninitialised\|lost in loss record/,+12p' "$log" | head -60 ;;
	esac
done
procs=${#logs[@]}
echo "valgrind: $procs processes checked, service exit status $rc"
grep -E 'ended|stopped \(' "$OUT/service.log" | sed 's/^/  /'
[ "$procs" -ge 3 ] || { echo "valgrind: expected a log per process (supervisor, worker, exporter)"; fails=$((fails + 1)); }
[ "$rc" = 0 ] || { echo "valgrind: the service exited $rc"; fails=$((fails + 1)); }
grep -q 'stopped (exit 1)' "$OUT/service.log" && { echo "valgrind: a child exited 1 (its valgrind found errors)"; fails=$((fails + 1)); }
[ "$fails" = 0 ] && echo "valgrind: clean" && exit 0
echo "valgrind: $fails problem(s), see $OUT"
exit 1
