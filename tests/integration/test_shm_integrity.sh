#!/usr/bin/env bash
# test_shm_integrity.sh - damaged segments: one left behind with a wrong
# layout version, a truncated one, one whose owner pid now belongs to
# another program; and garbage written into a live segment's ring
# positions and slots while the service runs (the exporter keeps serving,
# the worker keeps running); every single field of the structure (header,
# channel names, units, labels, sources) overwritten in a running service
# (readers go on with their own copy; the supervisor rewrites it before the
# next restart, and counts that); a worker killed in the middle of a
# histogram update (its successor takes the sequence counter over).
# Unit-level checks of the same are in
# tests/unit/test_segment.c and tests/unit/test_shm_garbage.c.
source "$(dirname "$0")/lib/faults_lib.sh"

# write_preamble FILE VERSION OWNER_PID SIZE : our magic, then zeros up to SIZE
write_preamble() {
	python3 - "$@" <<'PY'
import struct, sys
path, version, pid, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
pre = struct.pack("<QIIQiI", 0x314d48534e534553, version, 4096, size, pid, 0)
with open(path, "wb") as f:
    f.write((pre + bytes(max(0, size - len(pre))))[:size])
PY
}
dead_pid() { sleep 0 & local p=$!; wait "$p"; echo "$p"; }

echo "-- a stale segment of another layout version is replaced"
shm=$(new_shm_name)
write_preamble "/dev/shm$shm" 99 "$(dead_pid)" 4096
start_stamped --shm-name "$shm" --debug-endpoint || fail "service starts over a v99 segment"
SVC_SHM=$shm
check "the v99 segment was recognised as stale and replaced" grep -q "replacing stale segment $shm (layout v99, owner pid" "$SVC_LOG"
assert_match "the new segment has this build's layout" '"header":\{"magic":"0x314d48534e534553","version":'"$SHM_LAYOUT," "$(http_body /debug)"
stop_checked

echo "-- a truncated segment (8 bytes) is refused and left alone"
shm=$(new_shm_name)
write_preamble "/dev/shm$shm" 1 "$(dead_pid)" 8
out=$("$SENSOR_BIN" --port "$(free_port)" --shm-name "$shm" 2>&1); rc=$?
assert_eq "exit status 1" 1 "$rc"
assert_match "refused as not ours" "segment $shm exists and is not a sensor-service segment; refusing" "$out"
assert_eq "left untouched" 8 "$(stat -c %s "/dev/shm$shm")"
rm -f "/dev/shm$shm"

echo "-- a segment whose owner pid now runs another program is stale"
shm=$(new_shm_name)
sleep 30 & other=$!
write_preamble "/dev/shm$shm" "$SHM_LAYOUT" "$other" 4096
start_stamped --shm-name "$shm" || fail "service starts"
SVC_SHM=$shm
check "replaced (pid $other runs sleep, not sensor-*)" grep -q "replacing stale segment $shm (layout v$SHM_LAYOUT, owner pid $other is gone)" "$SVC_LOG"
kill "$other" 2>/dev/null; wait "$other" 2>/dev/null
stop_checked

echo "-- garbage in a live segment's ring positions and slots"
start_stamped --sample-interval-ms 20 --debug-endpoint --heartbeat-timeout-ms 30000 || { fail "service starts"; finish; }
wpid=$(child_pid worker); epid=$(child_pid exporter)
sleep 0.5
kill -STOP "$wpid" # freeze the only writer, so its positions can be found and overwritten
sleep 0.1
python3 - "/dev/shm$SVC_SHM" "$SVC_URL/debug" <<'PY' >"$TEST_TMP/corrupt.out" 2>&1
import json, mmap, os, random, struct, sys, urllib.request
path, url = sys.argv[1], sys.argv[2]
d = json.load(urllib.request.urlopen(url, timeout=5))
head, tail, cap = d["ring"]["head"], d["ring"]["tail"], d["header"]["ring_capacity"]
total = d["header"]["total_size"]
fd = os.open(path, os.O_RDWR)
m = mmap.mmap(fd, total)
# the ring control (head, tail) is followed by the first channel's name
at = m.find(struct.pack("<QQ", head, tail) + d["channels"][0]["name"].encode() + b"\0")
assert at > 0 and m.find(struct.pack("<QQ", head, tail) + d["channels"][0]["name"].encode(), at + 1) < 0
rnd = random.Random(4)
slots = total - cap * 32
m[slots:total] = bytes(rnd.getrandbits(8) for _ in range(cap * 32))
m[at:at + 16] = struct.pack("<QQ", 2**64 - 3, 2**63 + 12345)
print("corrupted ring control at", at, "and", cap, "slots")
m.close(); os.close(fd)
PY
cat "$TEST_TMP/corrupt.out" | sed 's/^/  (/; s/$/)/'
probe_start 1.5 --paths / /metrics /debug --interval 0.02
probe_wait
echo "  (requests over the garbage: $PROBE)"
assert_eq "every request was answered" 0 "$(probe_get failures)"
assert_eq "the exporter did not crash" "$epid" "$(child_pid exporter)"
body=$(http_body /debug)
check "/debug is still valid JSON" python3 -c 'import json,sys; json.load(sys.stdin)' <<<"$body"
assert_match "/debug shows the garbage positions" '"ring":\{"head":18446744073709551613,"tail":9223372036854788153,' "$body"
kill -CONT "$wpid"
sleep 1
assert_eq "the worker carries on over the garbage" "$wpid" "$(child_pid worker)"
assert_eq "the exporter still answers" 200 "$(http_status /metrics)"
assert_eq "nobody was restarted" 0 "$(( $(metric 'sensor_child_restarts_total{child="worker"}') + $(metric 'sensor_child_restarts_total{child="exporter"}') ))"
stop_checked

echo "-- any single structural field overwritten in a running service"
# The header's layout is frozen (struct shm_preamble, then struct
# shm_header); the channel table is found by its first two names.
cat >"$TEST_TMP/structure.py" <<'PY'
import mmap, os, struct, sys
path, mode = sys.argv[1], sys.argv[2]
fd = os.open(path, os.O_RDWR)
m = mmap.mmap(fd, 0)
ch0 = m.find(b"temperature\0", 72)
size = m.find(b"humidity\0", ch0) - ch0          # sizeof(struct shm_channel)
count = struct.unpack_from("<I", m, 52)[0]
push = ch0 + 1024 * size                       # after SHM_MAX_CHANNELS channels
def structure():
    # header, then each channel's name, unit, labels, source..spectrum, then push.enabled
    b = bytes(m[0:68])
    for i in range(count):
        c = ch0 + i * size
        b += bytes(m[c:c + 48]) + bytes(m[c + 112:c + 252])
    return b + bytes(m[push:push + 4])
H = {"magic": (0, "<Q", 0), "version": (8, "<I", 99), "header_size": (12, "<I", 8),
     "total_size": (16, "<Q", 2**63), "owner_pid": (24, "<i", 1), "created_realtime_ns": (32, "<q", -1),
     "created_monotonic_ns": (40, "<q", 2**62), "ring_capacity": (48, "<I", 2**31),
     "channel_count": (52, "<I", 1029), "heartbeat_timeout_ms": (64, "<I", 0)}
if mode == "fields":
    print(" ".join(list(H) + ["ring_offset", "name", "unit", "labels", "source", "spectrum", "push.enabled"]))
elif mode == "save":
    open(sys.argv[3], "wb").write(structure())
elif mode == "same":
    sys.exit(0 if open(sys.argv[3], "rb").read() == structure() else 1)
else:
    f = sys.argv[3]
    if f in H:
        at, fmt, v = H[f]
        struct.pack_into(fmt, m, at, v)
    elif f == "ring_offset":
        struct.pack_into("<Q", m, 56, struct.unpack_from("<Q", m, 56)[0] + 2**40)
    elif f == "name":
        m[ch0 + size:ch0 + size + 32] = b"N" * 32          # channel 1, unterminated
    elif f == "unit":
        m[ch0 + 32:ch0 + 48] = b"U" * 16                   # channel 0, unterminated
    elif f == "labels":
        m[ch0 + 2 * size + 112:ch0 + 2 * size + 240] = b"L" * 128
    elif f == "source":
        struct.pack_into("<I", m, ch0 + 240, 2**32 - 1)
    elif f == "spectrum":
        struct.pack_into("<I", m, ch0 + 248, 7)
    elif f == "push.enabled":
        struct.pack_into("<I", m, push, 1)
    print("overwrote", f)
PY
structure() { python3 "$TEST_TMP/structure.py" "/dev/shm$SVC_SHM" "$@"; }
# what a correct /metrics shows of the structure: the label sets of the
# channels' series, the ring's capacity, the build and layout
shape() {
	http_body /metrics | awk '/^sensor_(value|channel_readings_total)\{/ { sub(/ [^ ]*$/, ""); print }
		/^sensor_(queue_capacity|build_info)/ { print }' | sort
}
repairs_are() { [ "$(metric sensor_shm_repairs_total)" = "$1" ]; }
start_stamped --sample-interval-ms 20 --debug-endpoint --backoff-min-ms 200 --backoff-max-ms 200 ||
	{ fail "service starts"; finish; }
good=$(shape)
structure save "$TEST_TMP/structure.good"
n=0; worst=0; kills=(worker exporter)
for field in $(structure fields); do
	who=${kills[$((n % 2))]}; n=$((n + 1))
	old=$(child_pid "$who"); epid=$(child_pid exporter)
	structure overwrite "$field" >/dev/null
	d=$(http_status /debug); m=$(http_status /metrics); now=$(shape)
	if [ "$d $m" != "200 200" ] || [ "$now" != "$good" ] || [ "$(child_pid exporter)" != "$epid" ]; then
		fail "$field overwritten: the exporter goes on as before (/debug $d, /metrics $m)"
		continue
	fi
	t0=$(now_s)
	kill -9 "$old"
	wait_new_pid "$who" "$old" 5 >/dev/null || { fail "$field: the $who is restarted"; continue; }
	wait_for "the repair counted in /metrics" 5 repairs_are "$n"
	took=$(calc "($(now_s) - $t0) * 1000")
	awk -v a="$took" -v b="$worst" 'BEGIN { exit !(a > b) }' && worst=$took
	if [ "$(shape)" != "$good" ] || ! structure same "$TEST_TMP/structure.good"; then
		fail "$field overwritten, $who killed: the structure is repaired and /metrics correct"
		continue
	fi
	pass "$field overwritten, $who killed: repaired (${took%.*} ms after the kill)"
done
assert_eq "each overwrite was counted once" "$n" "$(metric sensor_shm_repairs_total)"
assert_eq "and logged" "$n" "$(grep -c 'structural field(s) damaged, rewritten' "$SVC_LOG")"
check "the log names the field" grep -q 'damaged, rewritten from the supervisor.s copy: ring_offset$' "$SVC_LOG"
restarts=$(( $(metric 'sensor_child_restarts_total{child="worker"}') + $(metric 'sensor_child_restarts_total{child="exporter"}') ))
assert_eq "no crash loop: one restart per kill" "$n" "$restarts"
assert_eq "every end was the kill (signal), none a crash" "$n" "$(( $(metric 'sensor_child_exits_total{child="worker",reason="signal"}') + $(metric 'sensor_child_exits_total{child="exporter",reason="signal"}') ))"
assert_le "correct /metrics within one backoff period (200 ms) plus 1 s of start-up on a busy machine: worst ms" "$worst" 1200
check "readings go on" metric_above sensor_readings_total 100
stop_checked

echo "-- a worker killed mid-update: its last good copy, then nothing past the bound, then the histogram back"
start_stamped --sample-interval-ms 20 --process-interval-ms 300 --backoff-min-ms 100 --shm-copy-max-age-ms 1500 ||
	{ fail "service starts"; finish; }
wait_for "a few processing runs" 10 metric_above sensor_cpu_spike_seconds_count 2
wpid=$(child_pid worker)
kill -STOP "$wpid"
sleep 0.1
# Leave what a writer killed between its bucket and count increments
# leaves: the sequence odd, one bucket ahead of the count.
http_body /metrics >"$TEST_TMP/spike.metrics"
python3 - "/dev/shm$SVC_SHM" "$TEST_TMP/spike.metrics" <<'PY' 2>&1 | sed 's/^/  (/; s/$/)/'
import mmap, os, re, struct, sys
text = open(sys.argv[2]).read()
cum = [int(v) for v in re.findall(r'^sensor_cpu_spike_seconds_bucket\{le="[^"]+"\} (\d+)$', text, re.M)]
count = int(re.search(r'^sensor_cpu_spike_seconds_count (\d+)$', text, re.M).group(1))
buckets = [cum[0]] + [cum[i] - cum[i - 1] for i in range(1, len(cum))]
fd = os.open(sys.argv[1], os.O_RDWR)
m = mmap.mmap(fd, 0)
want = struct.pack("<%dQ" % (len(buckets) + 1), *buckets, count)
at = m.find(want)
assert at > 8 and m.find(want, at + 1) < 0, "histogram not found exactly once"
seq = struct.unpack_from("<I", m, at - 8)[0]
assert seq % 2 == 0
struct.pack_into("<I", m, at - 8, seq + 1)
b = next(i for i, v in enumerate(buckets) if v)
struct.pack_into("<Q", m, at + 8 * b, buckets[b] + 1)
print("sequence %d -> %d, bucket %d %d -> %d, count %d" % (seq, seq + 1, b, buckets[b], buckets[b] + 1, count))
PY
good=$(awk '$1 == "sensor_cpu_spike_seconds_count" { print $2 }' "$TEST_TMP/spike.metrics")
body=$(http_body /metrics)
assert_eq "while its sequence is odd the last good copy is served" \
	"$(awk '$1 == "sensor_cpu_spike_seconds_count" { print $2 }' <<<"$body")" "$good"
assert_gt "with its age in sensor_shm_copy_age_seconds" \
	"$(awk '$1 == "sensor_shm_copy_age_seconds{record=\"cpu_spike\"}" { print $2 * 1000 }' <<<"$body")" 0
sleep 1.6
check "past shm-copy-max-age-ms the histogram is dropped" bash -c "! curl -s $SVC_URL/metrics | grep -q '^sensor_cpu_spike_seconds_count '"
kill -9 "$wpid"
wait_new_pid worker "$wpid" 5 >/dev/null || fail "the worker is restarted"
wait_for "the histogram back" 5 metric_above sensor_cpu_spike_seconds_count 0
n1=$(metric sensor_cpu_spike_seconds_count)
assert_gt "sensor_cpu_spike_seconds is back after the restart" "$n1" 0
wait_for "the histogram counts on" 5 metric_above sensor_cpu_spike_seconds_count "$n1"
assert_gt "and keeps counting" "$(metric sensor_cpu_spike_seconds_count)" "$n1"
body=$(http_body /metrics)
inf=$(awk '$1 == "sensor_cpu_spike_seconds_bucket{le=\"+Inf\"}" { print $2 }' <<<"$body")
assert_eq "its +Inf bucket equals its count" "$inf" "$(awk '$1 == "sensor_cpu_spike_seconds_count" { print $2 }' <<<"$body")"
stop_checked

finish
