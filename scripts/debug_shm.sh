#!/usr/bin/env bash
# debug_shm.sh - the shared-memory header as the service sees it, two ways:
#   GET /debug (when the service runs with --debug-endpoint), the header and
#   ring position as the exporter reads them; and the segment's own bytes,
#   /dev/shm/NAME decoded as struct shm_preamble + struct shm_header
#   (shm/layout.h), with checks: our magic, size = file size, owner alive.
# The segment is found in the memory map of the process listening on the
# URL's port, so the right one is read whatever --shm-name the service got.
# Companion of scripts/debug_metrics.sh (scrape and VictoriaMetrics side).
#
#   scripts/debug_shm.sh [-u URL | URL] [--shm NAME]
#
#   URL         the service (default: scripts/service-url.sh, $SENSOR_URL or the local service)
#   --shm NAME  read this segment (default: found from the listening
#               process, else $SENSOR_SHM_NAME or /sensor-service)
# Exit status: 0 when at least one view was read, 1 otherwise.
set -uo pipefail

url="" shm=""
usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
	case $1 in
	-u | --url) url=${2%/}; shift 2 ;;
	--shm) shm=$2; shift 2 ;;
	-h | --help) usage 0 ;;
	http://* | https://*) url=${1%/}; shift ;;
	*) echo "debug_shm: unknown argument '$1'" >&2; usage 2 ;;
	esac
done
[ -n "$url" ] || url=$("$(dirname "$0")/service-url.sh") || exit 1
command -v python3 >/dev/null || { echo "debug_shm: needs python3" >&2; exit 2; }
tmp=$(mktemp -d /tmp/debug_shm.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
seen=0

echo "== shared-memory header (service $url)"
dcode=$(curl -s -o "$tmp/debug" -w '%{http_code}' --max-time 5 "$url/debug" 2>/dev/null || true)
case $dcode in
200)
	seen=1
	echo "   GET /debug (as the exporter reads it):"
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for k, v in d.get("header", {}).items():
    print("     %-22s %s" % (k, v))
r = d.get("ring", {})
print("     ring: head %s, tail %s, depth %s, dropped %s" % (r.get("head"), r.get("tail"), r.get("depth"), r.get("dropped")))
' "$tmp/debug"
	;;
404) echo "   GET /debug: 404, the endpoint is off (start with --debug-endpoint to see it over HTTP)" ;;
403) echo "   GET /debug: 403, only loopback clients may read it" ;;
*) echo "   GET /debug: no answer (${dcode:-none})" ;;
esac

# The segment's own bytes: find the name the running service mapped.
if [ -z "$shm" ]; then
	port=$(printf '%s' "$url" | sed -nE 's|^[a-z]+://[^/]*:([0-9]+).*|\1|p')
	pid=""
	if [ -n "$port" ]; then
		pid=$(ss -Htlnp "sport = :$port" 2>/dev/null | grep -oE 'pid=[0-9]+' | head -1 | cut -d= -f2)
	fi
	if [ -n "$pid" ] && [ -r "/proc/$pid/maps" ]; then
		shm=$(awk '$6 ~ /^\/dev\/shm\// { sub(/^\/dev\/shm/, "", $6); print $6; exit }' "/proc/$pid/maps")
		[ -n "$shm" ] && echo "   segment of pid $pid (listening on :$port): $shm"
	fi
	shm=${shm:-${SENSOR_SHM_NAME:-/sensor-service}}
fi
file="/dev/shm/${shm#/}"
if [ ! -r "$file" ]; then
	echo "   $file: not here (the service runs elsewhere, or another --shm NAME): header bytes not read"
else
	seen=1
	echo "   $file ($(stat -c %s "$file") bytes), first 72 bytes:"
	od -A d -t x1 -N 72 "$file" | sed 's/^/     /'
	python3 - "$file" <<'PY'
import os, struct, sys, time
path = sys.argv[1]
with open(path, "rb") as f:
    raw = f.read(72)
if len(raw) < 72:
    print("     only %d bytes: not a sensor-service segment" % len(raw)); sys.exit(0)
# struct shm_preamble (frozen): magic u64, version u32, header_size u32,
# total_size u64, owner_pid i32, reserved u32; then struct shm_header:
# created_realtime_ns i64, created_monotonic_ns i64, ring_capacity u32,
# channel_count u32, ring_offset u64, heartbeat_timeout_ms u32, then
# reserved u32 (layouts 1, 2) or copy_max_age_ms u32 (layout 3).
magic, version, header_size, total_size, owner, _ = struct.unpack_from("<QIIQiI", raw, 0)
rt, mono, cap, nch, ring_off, hb, _ = struct.unpack_from("<qqIIQII", raw, 32)
ok = magic == 0x314d48534e534553
alive = os.path.exists("/proc/%d" % owner) if owner > 0 else False
size = os.path.getsize(path)
print("     magic                  0x%016x %s" % (magic, "(SESNSHM1: ours)" if ok else "(NOT a sensor-service segment)"))
print("     version                %d%s" % (version, "" if version in (1, 2, 3) else "  (this script decodes the header of layouts 1 to 3)"))
print("     header_size            %d" % header_size)
print("     total_size             %d %s" % (total_size, "(= file size)" if total_size == size else "(file is %d!)" % size))
print("     owner_pid              %d (%s)" % (owner, "running" if alive else "GONE: stale segment"))
print("     created                %s (%.0f s ago)" % (time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(rt / 1e9)), time.time() - rt / 1e9))
print("     ring_capacity          %d, ring_offset %d, slots end at %d" % (cap, ring_off, ring_off + cap * 32))
print("     channel_count          %d" % nch)
print("     heartbeat_timeout_ms   %d" % hb)
PY
fi
[ "$seen" = 1 ]
