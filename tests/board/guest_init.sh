#!/bin/bash
# guest_init.sh - PID 1 of the emulated board once the root filesystem is
# mounted: the mounts a booted Debian would have, ldconfig (the packages
# were unpacked, never configured), then tests/board/board_checks.sh with
# its output and status in build/board/results/, then power off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
R=/work/build/board/results
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
ip link set lo up
ldconfig
cd /work || exit 1
status=0
bash tests/board/board_checks.sh >"$R/checks.log" 2>&1 || status=$?
echo "$status" >"$R/status"
sync
echo o >/proc/sysrq-trigger
/bin/busybox poweroff -f
