#!/usr/bin/env bash
# test_push_held.sh - the push input's sockets belong to the supervisor:
# made once before the first fork and inherited by every worker. The UDP
# port stays held across 20 worker kills while another socket tries to
# bind it every millisecond (it never succeeds, and readings pushed
# afterwards still arrive, over the same Unix socket node); a port or
# socket that cannot be made stops the start with one clear line; and the
# socket's mode is set without following the path: a symlink swapped in
# the moment bind() returns (gdb stops the call there) leaves its target's
# mode alone, and the start is refused.
source "$(dirname "$0")/lib/faults_lib.sh"

PUSH_SOCK=$TEST_TMP/push.sock
# push.py unix PATH TEXT | udp PORT TEXT
cat >"$TEST_TMP/push.py" <<'PY'
import socket, sys
mode, where, text = sys.argv[1], sys.argv[2], sys.argv[3]
if mode == "udp":
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(text.encode(), ("127.0.0.1", int(where)))
else:
    socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(text.encode(), where)
PY
push() { python3 "$TEST_TMP/push.py" "$@"; }
# thief.py PORT STOPFILE: bind 127.0.0.1:PORT (UDP) every millisecond until
# STOPFILE exists; prints how many binds succeeded and how many were tried
cat >"$TEST_TMP/thief.py" <<'PY'
import os, socket, sys, time
port, stop = int(sys.argv[1]), sys.argv[2]
won = tries = 0
while not os.path.exists(stop):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", port)); won += 1
    except OSError:
        pass
    s.close(); tries += 1
    time.sleep(0.001)
print(won, tries)
PY
value_is() { [ "$(metric_value "$1")" = "$2" ]; }

pick_port UDP_PORT || { fail "free port"; finish; }
cat >"$TEST_TMP/push.conf" <<EOF2
[worker]
sample-interval-ms=50
push-socket=$PUSH_SOCK
push-udp-port=$UDP_PORT
[supervisor]
backoff-min-ms=10
backoff-max-ms=100
[channel outside]
source=push
unit=celsius
[channel shaker]
source=simulated
kind=vibration
EOF2

echo "-- the UDP port held across 20 worker kills, against a socket binding it every 1 ms"
start_stamped --config "$TEST_TMP/push.conf" || { fail "service starts"; finish; }
ino0=$(stat -c %i "$PUSH_SOCK")
python3 "$TEST_TMP/thief.py" "$UDP_PORT" "$TEST_TMP/stop-thief" >"$TEST_TMP/thief.out" &
THIEF=$!
kills=0
for _ in $(seq 1 20); do
	old=$(child_pid worker) || break
	kill -9 "$old"
	wait_new_pid worker "$old" 5 >/dev/null || break
	kills=$((kills + 1))
	sleep 0.1
done
touch "$TEST_TMP/stop-thief"; wait "$THIEF"
read -r won tries <"$TEST_TMP/thief.out"
echo "  ($kills kills; the other socket tried $tries binds)"
assert_eq "20 workers killed and restarted" 20 "$kills"
assert_gt "the other socket kept trying" "$tries" 100
assert_eq "it never bound the port" 0 "$won"
assert_eq "no worker failed to read the push input" "" "$(grep -E 'push input: |cannot bind push' "$SVC_LOG")"
push udp "$UDP_PORT" "outside 7.5"
wait_for "a reading over UDP" 3 value_is 'sensor_value{channel="outside",unit="celsius"}' 7.5
assert_eq "a reading pushed over UDP afterwards arrives" 7.5 "$(metric_value 'sensor_value{channel="outside",unit="celsius"}')"
push unix "$PUSH_SOCK" "outside 8.5"
wait_for "a reading over the Unix socket" 3 value_is 'sensor_value{channel="outside",unit="celsius"}' 8.5
assert_eq "and over the Unix socket" 8.5 "$(metric_value 'sensor_value{channel="outside",unit="celsius"}')"
assert_eq "the socket's node is the one made at start" "$ino0" "$(stat -c %i "$PUSH_SOCK")"

echo "-- a port or socket that cannot be made stops the start"
shm="$SVC_SHM-second"
out=$(timeout 5 "$SENSOR_BIN" --config "$TEST_TMP/push.conf" --port "$(free_port)" --shm-name "$shm" --push-socket none 2>&1); rc=$?
assert_eq "push UDP port in use: exit 1" 1 "$rc"
assert_eq "one line, naming it" "sensor-service: cannot bind push UDP port 127.0.0.1:$UDP_PORT: Address already in use" "$out"
out=$(timeout 5 "$SENSOR_BIN" --config "$TEST_TMP/push.conf" --port "$(free_port)" --shm-name "$shm" --push-udp-port 0 2>&1); rc=$?
assert_eq "push socket in use: exit 1" 1 "$rc"
assert_eq "one line, naming it" "sensor-service: push socket $PUSH_SOCK is in use by a running program" "$out"
check "the running service's socket is untouched" test "$ino0" = "$(stat -c %i "$PUSH_SOCK")"
stop_checked
check "the push socket is removed on a clean stop" test ! -e "$PUSH_SOCK"

echo "-- a symlink swapped in for the socket the moment bind() returns"
if ! command -v gdb >/dev/null; then
	skip "gdb is not installed (scripts/install-deps.sh test)"
	finish
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" # LeakSanitizer cannot run under ptrace
VICTIM=$TEST_TMP/victim
echo secret >"$VICTIM"; chmod 0600 "$VICTIM"
# At every bind() stop (entry and return), in whichever process binds:
# once the socket is there, move it away and put a symlink in its place.
cat >"$TEST_TMP/swap.sh" <<EOF2
#!/bin/sh
[ -S "$PUSH_SOCK" ] && [ ! -L "$PUSH_SOCK" ] || exit 0
mv "$PUSH_SOCK" "$PUSH_SOCK.moved" && ln -s "$VICTIM" "$PUSH_SOCK" && echo swapped >>"$TEST_TMP/swapped"
EOF2
chmod +x "$TEST_TMP/swap.sh"
cat >"$TEST_TMP/gdb.cmd" <<GDB
set pagination off
set follow-fork-mode child
handle SIGTERM nostop noprint pass
catch syscall bind
commands
silent
shell $TEST_TMP/swap.sh
continue
end
run
GDB
pick_port GDB_PORT
timeout 30 gdb -q -batch -nx -x "$TEST_TMP/gdb.cmd" --args "$SENSOR_BIN" --config "$TEST_TMP/push.conf" \
	--push-udp-port 0 --push-socket-mode 0666 --port "$GDB_PORT" --shm-name "$SVC_SHM-gdb" >"$TEST_TMP/gdb.out" 2>&1 &
GDB_PID=$!
SVC_PIDS+=("$GDB_PID")
wait_for "the swap, or gdb's end" 20 bash -c "[ -e '$TEST_TMP/swapped' ] || ! kill -0 $GDB_PID"
if [ ! -e "$TEST_TMP/swapped" ]; then
	skip "gdb could not stop the service at bind() (ptrace not permitted?)"
	sed "s/^/    /" "$TEST_TMP/gdb.out" | tail -15
	finish
fi
sleep 1 # whatever follows the bind() has run
assert_eq "the symlink's target keeps its mode (0600)" 600 "$(stat -c %a "$VICTIM")"
# A supervisor that did start (gdb went on with its worker) is stopped.
if ! wait_for "gdb's end" 5 bash -c "! kill -0 $GDB_PID"; then
	sup=$(grep -oE 'sensor-service\[[0-9]+\] supervisor' "$TEST_TMP/gdb.out" | head -1 | grep -oE '[0-9]+')
	[ -n "$sup" ] && SVC_PIDS+=("$sup") && kill -TERM "$sup"
	wait "$GDB_PID" 2>/dev/null
fi
assert_match "the start is refused, saying why" "push socket $PUSH_SOCK was replaced while it was being made" "$(cat "$TEST_TMP/gdb.out")"
assert_eq "the symlink's target still keeps its mode" 600 "$(stat -c %a "$VICTIM")"
finish
