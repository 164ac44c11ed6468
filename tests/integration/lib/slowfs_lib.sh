# slowfs_lib.sh - a FUSE file system (slowfs.py) whose reads or statfs()
# take seconds, for the tests of slow sensors and stuck mounts.
#
#   source "$(dirname "$0")/lib/slowfs_lib.sh"   (after lib.sh)
#   slowfs_usable WHAT              reports the test skipped ("WHAT not
#                                   tested") and finishes without FUSE
#   slowfs_start MNT [VAR=VALUE...] mounts it on MNT (slowfs.py's settings
#                                   in the environment); 1 if it did not mount
#   stop_fuse                       unmounts it (also on exit)

SLOWFS_PY=/usr/bin/python3 # Debian's python3-fusepy is for the system Python
FUSE_PID=""
FUSE_MNT=""

# A call stuck in a FUSE daemon holds its thread until the daemon goes:
# kill it first (the kernel then fails the call), then the usual clean-up.
stop_fuse() {
	[ -n "$FUSE_PID" ] || return 0
	kill -9 "$FUSE_PID" 2>/dev/null
	wait "$FUSE_PID" 2>/dev/null
	umount -l "$FUSE_MNT" 2>/dev/null
	FUSE_PID=""
}
trap 'stop_fuse; _cleanup' EXIT

slowfs_usable() {
	if [ ! -e /dev/fuse ] || ! "$SLOWFS_PY" -c 'import fusepy' 2>/dev/null; then
		skip "no /dev/fuse or no python3-fusepy (scripts/install-deps.sh test): $1 not tested"
		finish
	fi
}

slowfs_start() {
	FUSE_MNT=$1
	shift
	mkdir -p "$FUSE_MNT"
	env "$@" "$SLOWFS_PY" "$(dirname "${BASH_SOURCE[0]}")/slowfs.py" "$FUSE_MNT" >"$TEST_TMP/slowfs.log" 2>&1 &
	FUSE_PID=$!
	wait_for "slowfs mounted" 10 test -e "$FUSE_MNT/fast"
}
