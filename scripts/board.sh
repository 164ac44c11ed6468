#!/usr/bin/env bash
# board.sh - an emulated 2-core 512 MB arm64 board (qemu-system-aarch64,
# "virt" machine) that boots Debian's arm64 kernel and runs the cross-built
# tree's tests on a real arm64 kernel and CPU model: fork, shared memory,
# cgroups and the memory model are the guest's own, not the host's.
#
#   scripts/board.sh            build what is missing, boot, run, report
#   BOARD_TIMEOUT_S=1200        the whole boot and run (default 900)
#
# The armhf unit tests run there too, on the armhf libraries installed
# beside the arm64 ones (multiarch; the arm64 kernel runs 32-bit ARM code):
# 32-bit ARM is where 64-bit atomics are most likely to need care.
#
# Nothing foreign runs on the host: the root filesystem is Debian's arm64
# packages unpacked by mmdebstrap --variant=extract (no maintainer script),
# the guest finishes what it needs itself (ldconfig) at boot. The root
# filesystem and the repository are shared with the guest over virtio-9p;
# a small initramfs (the rootfs's static busybox and the 9p modules) mounts
# them. Kernel, root filesystem and initramfs are cached under build/board.
# Results come back in build/board/results/.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B="$ROOT/build/board"
ROOTFS="$B/rootfs"
RESULTS="$B/results"
SUITE=${BOARD_SUITE:-bookworm}
MIRROR=${BOARD_MIRROR:-http://deb.debian.org/debian}
TIMEOUT_S=${BOARD_TIMEOUT_S:-900}
# What the guest needs to run the unit tests and the service's test:
# the libraries, bash and the tools of tests/integration/lib/lib.sh.
PACKAGES="libc6:armhf,libevent-2.1-7:armhf,libevent-openssl-2.1-7:armhf,libglib2.0-0:armhf,libcmocka0:armhf,zlib1g:armhf,libssl3:armhf,libyaml-0-2:armhf,libcrypt1:armhf,linux-image-arm64,busybox-static,libc-bin,libevent-2.1-7,libevent-openssl-2.1-7,libglib2.0-0,libcmocka0,zlib1g,libssl3,libyaml-0-2,libcrypt1,bash,coreutils,\
curl,procps,iproute2,mawk,grep,sed,findutils,util-linux,mount,dash"
# The 9p root and the modules it needs, in load order (the kernel of
# Debian's arm64 package builds them as modules).
MODULES="virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p"

need() { command -v "$1" >/dev/null || { echo "board: $1 is missing ($2)" >&2; exit 1; }; }
need qemu-system-aarch64 "Debian package qemu-system-arm"
need mmdebstrap "Debian package mmdebstrap"
need cpio "Debian package cpio"
for arch in arm64 armhf; do
	[ -x "$ROOT/build/cross/$arch/sensor-service" ] || {
		echo "board: build/cross/$arch is missing: run make cross ARCH=$arch (make test-board does)" >&2
		exit 1
	}
done

build_rootfs() {
	local want="$SUITE $PACKAGES"
	[ -f "$ROOTFS/.rootfs-for" ] && [ "$(cat "$ROOTFS/.rootfs-for")" = "$want" ] && return 0
	echo "board: unpacking the arm64 root filesystem into $ROOTFS"
	rm -rf "$ROOTFS.tmp"
	mkdir -p "$B"
	local sources=("deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main")
	if ! mmdebstrap --quiet --variant=extract --architectures=arm64,armhf --include="$PACKAGES" "$SUITE" "$ROOTFS.tmp" \
		"${sources[@]}" "deb ${MIRROR%/debian}/debian-security $SUITE-security main"; then
		echo "board: retrying without the security archive (a mirror mid-sync)" >&2
		rm -rf "$ROOTFS.tmp"
		mmdebstrap --quiet --variant=extract --architectures=arm64,armhf --include="$PACKAGES" "$SUITE" "$ROOTFS.tmp" \
			"${sources[@]}"
	fi
	# Links that maintainer scripts would have made (merged /usr, the awk
	# alternative, /bin/sh); links only, nothing of the target's is run.
	for d in bin sbin lib; do
		[ -e "$ROOTFS.tmp/$d" ] || ln -s "usr/$d" "$ROOTFS.tmp/$d"
	done
	[ -e "$ROOTFS.tmp/usr/bin/awk" ] || ln -s mawk "$ROOTFS.tmp/usr/bin/awk"
	[ -e "$ROOTFS.tmp/usr/bin/sh" ] || ln -s dash "$ROOTFS.tmp/usr/bin/sh"
	mkdir -p "$ROOTFS.tmp/work" "$ROOTFS.tmp/proc" "$ROOTFS.tmp/sys" "$ROOTFS.tmp/dev" "$ROOTFS.tmp/tmp" \
		"$ROOTFS.tmp/run"
	echo "$want" >"$ROOTFS.tmp/.rootfs-for"
	rm -rf "$ROOTFS"
	mv "$ROOTFS.tmp" "$ROOTFS"
}

build_initrd() {
	local kver
	kver=$(basename "$(ls -d "$ROOTFS"/lib/modules/*/ | head -1)")
	local initrd="$B/initrd-$kver.cpio.gz"
	[ -s "$initrd" ] && [ "$initrd" -nt "$ROOTFS/.rootfs-for" ] && [ "$initrd" -nt "$ROOT/tests/board/initramfs_init" ] && {
		INITRD=$initrd
		return 0
	}
	echo "board: initramfs for $kver"
	local stage="$B/initrd.stage"
	rm -rf "$stage"
	mkdir -p "$stage/bin" "$stage/modules"
	cp "$ROOTFS/bin/busybox" "$stage/bin/busybox"
	for m in $MODULES; do
		local ko
		ko=$(find "$ROOTFS/lib/modules/$kver" -name "$m.ko" | head -1)
		[ -n "$ko" ] || { echo "board: module $m not found in the kernel package" >&2; exit 1; }
		cp "$ko" "$stage/modules/"
		echo "$m" >>"$stage/modules/order"
	done
	cp "$ROOT/tests/board/initramfs_init" "$stage/init"
	chmod 755 "$stage/init"
	(cd "$stage" && find . | cpio --quiet -o -H newc | gzip -1) >"$initrd.tmp"
	mv "$initrd.tmp" "$initrd"
	INITRD=$initrd
}

build_rootfs
build_initrd
KERNEL=$(ls "$ROOTFS"/boot/vmlinuz-* | head -1)

rm -rf "$RESULTS"
mkdir -p "$RESULTS"
echo "board: booting $(basename "$KERNEL") on 2 emulated Cortex-A57 cores, 512 MB (limit ${TIMEOUT_S} s)"
start=$SECONDS
rc=0
timeout --foreground -k 10 "$TIMEOUT_S" qemu-system-aarch64 -M virt -cpu cortex-a57 -smp 2 -m 512 \
	-nographic -no-reboot -nic none -kernel "$KERNEL" -initrd "$INITRD" \
	-append "console=ttyAMA0 panic=-1 loglevel=3" \
	-virtfs "local,path=$ROOTFS,mount_tag=rootfs,security_model=none,id=rootfs" \
	-virtfs "local,path=$ROOT,mount_tag=work,security_model=none,id=work" \
	</dev/null >"$RESULTS/console.log" 2>&1 || rc=$?
elapsed=$((SECONDS - start))
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	echo "board: FAILED: no result within ${TIMEOUT_S} s; the console says:" >&2
	tail -30 "$RESULTS/console.log" >&2
	exit 1
fi
if [ ! -f "$RESULTS/status" ]; then
	echo "board: FAILED: the guest left no result (qemu exit $rc); the console says:" >&2
	tail -40 "$RESULTS/console.log" >&2
	exit 1
fi
cat "$RESULTS/checks.log"
status=$(cat "$RESULTS/status")
echo "board: guest finished in ${elapsed} s with status $status; logs in ${RESULTS#"$ROOT"/}/"
[ "$status" = 0 ] || exit 1

# The page the arm64 build served, checked here (promtool is x86-64).
if promtool check metrics <"$RESULTS/metrics.txt" >"$RESULTS/promtool.log" 2>&1; then
	echo "  ok   promtool: the arm64 /metrics page is clean"
else
	echo "  FAIL promtool: the arm64 /metrics page"
	cat "$RESULTS/promtool.log"
	exit 1
fi

# The host's own build measured the same way, for the report's side by side.
SENSOR_BIN="$ROOT/build/sensor-service" bash "$ROOT/tests/board/measure_memory.sh" \
	"$RESULTS/memory-host.json" | tail -1
python3 - "$RESULTS" "$ROOT/bench/results/board.json" "$elapsed" <<'PY'
import json, subprocess, sys, time
results, out, elapsed = sys.argv[1], sys.argv[2], int(sys.argv[3])
def run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
doc = {
    "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    "git": run("git", "rev-parse", "--short", "HEAD"),
    "board": "qemu-system-aarch64 -M virt, 2 Cortex-A57 cores (TCG emulation), 512 MB",
    "qemu": run("qemu-system-aarch64", "--version").splitlines()[0],
    "boot_and_run_s": elapsed,
    "arm64": json.load(open(f"{results}/memory-arm64.json")),
    "host": json.load(open(f"{results}/memory-host.json")),
}
with open(out, "w") as f:
    json.dump(doc, f, indent=1, sort_keys=True)
    f.write("\n")
print(f"board: memory figures in {out}")
PY
