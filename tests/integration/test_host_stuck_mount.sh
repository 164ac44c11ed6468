#!/usr/bin/env bash
# test_host_stuck_mount.sh - a mount whose statfs() hangs costs a scrape
# nothing. A FUSE file system (slowfs.py) whose statfs() takes 3 s stands
# in for a stale NFS mount, outside node_exporter's excluded mount points:
# every scrape still answers within 0.25 s, the mount is reported by
# node_filesystem_device_error 1 (node_exporter's convention), the other
# file systems keep their figures, and the supervisor restarts nothing.
# Skipped where FUSE cannot be mounted.
source "$(dirname "$0")/lib/lib.sh"
source "$(dirname "$0")/lib/slowfs_lib.sh"

MNT=$TEST_TMP/stale

slowfs_usable "a stuck mount"
if ! slowfs_start "$MNT" SLOWFS_STATFS_DELAY=3; then
	skip "FUSE cannot be mounted here ($(head -c 200 "$TEST_TMP/slowfs.log")): a stuck mount not tested"
	finish
fi

start_service --host-interval-ms 500 --read-timeout-ms 1000 || { fail "service starts"; finish; }

# scrapes for 6 s, each timed: the worker meets the mount at every sample
slowest=0
scrapes=0
deadline=$((SECONDS + 6))
while [ $SECONDS -lt $deadline ]; do
	t=$(curl -s -o "$TEST_TMP/page.prom" -w '%{time_total}' --max-time 2 "$SVC_URL/metrics") || t=2
	scrapes=$((scrapes + 1))
	slowest=$(awk -v a="$slowest" -v b="$t" 'BEGIN { print (b > a ? b : a) }')
	sleep 0.1
done
assert_gt "scrapes taken while statfs() hangs" "$scrapes" 20
if awk -v s="$slowest" 'BEGIN { exit !(s < 0.25) }'; then
	pass "every scrape answered within 0.25 s (slowest ${slowest}s of $scrapes)"
else
	fail "every scrape answered within 0.25 s (slowest ${slowest}s of $scrapes)"
fi

body=$(cat "$TEST_TMP/page.prom")
mnt_re=$(printf '%s' "$MNT" | sed 's/[.[\*^$/]/\\&/g')
assert_match "the stuck mount: node_filesystem_device_error 1" \
	"^node_filesystem_device_error\\{[^}]*mountpoint=\"$mnt_re\"[^}]*\\} 1\$" "$body"
assert_no_match "the stuck mount: no size (node_exporter's convention)" \
	"^node_filesystem_size_bytes\\{[^}]*mountpoint=\"$mnt_re\"" "$body"
assert_match "the root file system keeps its figures" \
	'^node_filesystem_size_bytes\{[^}]*mountpoint="/"[^}]*\} [1-9]' "$body"
assert_match "the filesystem collector succeeds" \
	'^node_scrape_collector_success\{collector="filesystem"\} 1$' "$body"
assert_match "the worker was never restarted" '^sensor_child_restarts_total\{child="worker"\} 0$' "$body"

stop_fuse
stop_service
finish
