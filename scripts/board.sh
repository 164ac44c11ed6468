#!/usr/bin/env bash
# board.sh - an emulated 2-core 512 MB arm64 board (qemu-system-aarch64,
# "virt" machine) that boots Debian's arm64 kernel, installs the arm64
# Debian package there (`make deb ARCH=arm64`) with apt and dpkg, its
# maintainer scripts run by the board itself, and checks the installed
# service: started as its unit starts it, /, /metrics, a restart, a clean
# stop, its memory, and a purge that leaves nothing. The cross-built unit
# tests of arm64 and armhf run there too, on a real arm64 kernel and CPU
# model: fork, shared memory, cgroups and the memory model are the guest's
# own, not the host's.
#
#   scripts/board.sh            build what is missing, boot, run, report
#   BOARD_TIMEOUT_S=1200        the whole boot and run (default 900)
#
# The armhf unit tests run on the armhf libraries unpacked beside the
# arm64 ones (multiarch; the arm64 kernel runs 32-bit ARM code): 32-bit ARM
# is where 64-bit atomics are most likely to need care.
#
# Nothing foreign runs on the host (its qemu-user hangs in a forked
# child): the board's base system is Debian's arm64 packages unpacked by
# mmdebstrap --variant=extract and recorded as installed in dpkg's
# database (no maintainer script of theirs runs: the base system of a
# board is there before our package); the package's dependencies are
# not in it but in a local apt repository of arm64 packages
# (build/board/repo), which the guest installs from with its own dpkg.
# The root filesystem (a fresh copy per run) and the repository are
# shared with the guest over virtio-9p; a small initramfs (the rootfs's
# static busybox and the 9p modules) mounts them. Kernel, base root
# filesystem, repository and initramfs are cached under build/board.
# Results come back in build/board/results/.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B="$ROOT/build/board"
ROOTFS="$B/rootfs"
RESULTS="$B/results"
SUITE=${BOARD_SUITE:-bookworm}
MIRROR=${BOARD_MIRROR:-http://deb.debian.org/debian}
TIMEOUT_S=${BOARD_TIMEOUT_S:-900}
# The board's base system: Debian's essential set with apt and passwd,
# the tools of tests/integration/lib/lib.sh, the kernel, and the libraries
# the cross-built unit tests need beyond what the package brings (cmocka;
# armhf's libraries for the armhf tests). The package's own dependencies
# are not here: apt installs them from the local repository.
PACKAGES="base-files,base-passwd,bash,bsdutils,coreutils,dash,debconf,debianutils,diffutils,dpkg,findutils,\
gcc-12-base,grep,gzip,hostname,init-system-helpers,libc-bin,login,mawk,ncurses-base,ncurses-bin,perl-base,sed,\
sysvinit-utils,tar,util-linux,apt,passwd,mount,curl,procps,iproute2,libcmocka0,linux-image-arm64,busybox-static,\
libc6:armhf,libevent-2.1-7:armhf,libevent-openssl-2.1-7:armhf,libglib2.0-0:armhf,libcmocka0:armhf,zlib1g:armhf,\
libssl3:armhf,libyaml-0-2:armhf,libcrypt1:armhf"
DEB=$(ls "$ROOT"/build/deb-arm64/sensor-service_*_arm64.deb 2>/dev/null | head -1)
REPO="$B/repo"
RUNROOT="$B/run-root"
# The 9p root and the modules it needs, in load order (the kernel of
# Debian's arm64 package builds them as modules).
MODULES="virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p"

need() { command -v "$1" >/dev/null || { echo "board: $1 is missing ($2)" >&2; exit 1; }; }
need qemu-system-aarch64 "Debian package qemu-system-arm"
need mmdebstrap "Debian package mmdebstrap"
need cpio "Debian package cpio"
need dpkg-scanpackages "Debian package dpkg-dev"
[ -n "$DEB" ] || { echo "board: no arm64 package: run make deb ARCH=arm64 (make test-board does)" >&2; exit 1; }
for arch in arm64 armhf; do
	[ -x "$ROOT/build/cross/$arch/sensor-service" ] || {
		echo "board: build/cross/$arch is missing: run make cross ARCH=$arch (make test-board does)" >&2
		exit 1
	}
done

# extract DIR PACKAGES: Debian's arm64 (and armhf) packages unpacked into
# DIR by mmdebstrap, their .debs kept in DIR/var/cache/apt/archives.
extract() {
	local dir=$1 packages=$2
	local sources=("deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main")
	rm -rf "$dir"
	if ! mmdebstrap --quiet --variant=extract --architectures=arm64,armhf --include="$packages" \
		--skip=cleanup/apt/cache "$SUITE" "$dir" "${sources[@]}" "deb ${MIRROR%/debian}/debian-security $SUITE-security main"; then
		echo "board: retrying without the security archive (a mirror mid-sync)" >&2
		rm -rf "$dir"
		mmdebstrap --quiet --variant=extract --architectures=arm64,armhf --include="$packages" \
			--skip=cleanup/apt/cache "$SUITE" "$dir" "${sources[@]}"
	fi
}

build_rootfs() {
	local want
	want="$SUITE $PACKAGES $(cat "$0" "$ROOT/tests/board/dpkg_status.py" | sha256sum | cut -c1-16)"
	[ -f "$ROOTFS/.rootfs-for" ] && [ "$(cat "$ROOTFS/.rootfs-for")" = "$want" ] && return 0
	echo "board: unpacking the arm64 base system into $ROOTFS"
	mkdir -p "$B"
	extract "$ROOTFS.tmp" "$PACKAGES"
	# Links that maintainer scripts would have made (merged /usr, the awk
	# alternative, /bin/sh); links only, nothing of the target's is run.
	for d in bin sbin lib; do
		[ -e "$ROOTFS.tmp/$d" ] || ln -s "usr/$d" "$ROOTFS.tmp/$d"
	done
	[ -e "$ROOTFS.tmp/usr/bin/awk" ] || ln -s mawk "$ROOTFS.tmp/usr/bin/awk"
	[ -e "$ROOTFS.tmp/usr/bin/sh" ] || ln -s dash "$ROOTFS.tmp/usr/bin/sh"
	# dpkg's database: every unpacked package installed, with its files;
	# the accounts base-passwd's preinst would have written.
	python3 "$ROOT/tests/board/dpkg_status.py" "$ROOTFS.tmp" libpam-runtime
	cp "$ROOTFS.tmp/usr/share/base-passwd/passwd.master" "$ROOTFS.tmp/etc/passwd"
	cp "$ROOTFS.tmp/usr/share/base-passwd/group.master" "$ROOTFS.tmp/etc/group"
	rm -f "$ROOTFS.tmp"/var/cache/apt/archives/*.deb
	# apt and dpkg of the board: the local repository only, as root (apt's
	# _apt user is made by its maintainer script), no fsync on the 9p root.
	rm -f "$ROOTFS.tmp/etc/apt/sources.list" "$ROOTFS.tmp"/etc/apt/sources.list.d/*
	echo "deb [trusted=yes] file:/work/build/board/repo ./" >"$ROOTFS.tmp/etc/apt/sources.list"
	printf 'APT::Sandbox::User "root";\nAcquire::Languages "none";\n' >"$ROOTFS.tmp/etc/apt/apt.conf.d/90board"
	mkdir -p "$ROOTFS.tmp/etc/dpkg/dpkg.cfg.d"
	echo force-unsafe-io >"$ROOTFS.tmp/etc/dpkg/dpkg.cfg.d/90board"
	mkdir -p "$ROOTFS.tmp/work" "$ROOTFS.tmp/proc" "$ROOTFS.tmp/sys" "$ROOTFS.tmp/dev" "$ROOTFS.tmp/tmp" \
		"$ROOTFS.tmp/run"
	echo "$want" >"$ROOTFS.tmp/.rootfs-for"
	rm -rf "$ROOTFS"
	mv "$ROOTFS.tmp" "$ROOTFS"
}

# The local repository: the package's dependencies (and theirs), arm64.
build_repo() {
	local deps want
	deps=$(dpkg-deb -f "$DEB" Depends | sed 's/([^)]*)//g; s/ //g')
	want="$SUITE $deps"
	[ -f "$REPO/.repo-for" ] && [ "$(cat "$REPO/.repo-for")" = "$want" ] && return 0
	echo "board: the local repository of the package's dependencies ($deps)"
	extract "$B/repo.extract" "$deps"
	rm -rf "$REPO"
	mkdir -p "$REPO"
	mv "$B"/repo.extract/var/cache/apt/archives/*.deb "$REPO/"
	rm -rf "$B/repo.extract"
	(cd "$REPO" && dpkg-scanpackages --multiversion . >Packages 2>/dev/null)
	echo "$want" >"$REPO/.repo-for"
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
build_repo
build_initrd
KERNEL=$(ls "$ROOTFS"/boot/vmlinuz-* | head -1)
# A fresh copy of the base system per run: the guest installs into it.
rm -rf "$RUNROOT"
cp -a --reflink=auto "$ROOTFS" "$RUNROOT"

rm -rf "$RESULTS"
mkdir -p "$RESULTS"
echo "board: booting $(basename "$KERNEL") on 2 emulated Cortex-A57 cores, 512 MB (limit ${TIMEOUT_S} s)"
start=$SECONDS
rc=0
timeout --foreground -k 10 "$TIMEOUT_S" qemu-system-aarch64 -M virt -cpu cortex-a57 -smp 2 -m 512 \
	-nographic -no-reboot -nic none -kernel "$KERNEL" -initrd "$INITRD" \
	-append "console=ttyAMA0 panic=-1 loglevel=3" \
	-virtfs "local,path=$RUNROOT,mount_tag=rootfs,security_model=none,id=rootfs" \
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
if "$ROOT/scripts/promtool-check.sh" <"$RESULTS/metrics.txt" >"$RESULTS/promtool.log" 2>&1; then
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
