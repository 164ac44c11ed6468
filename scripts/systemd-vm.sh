#!/usr/bin/env bash
# systemd-vm.sh - the Debian package under a real systemd: a Debian 12 VM
# (qemu-system-x86_64, KVM where /dev/kvm is usable, else emulated) whose
# root filesystem mmdebstrap builds with systemd, Debian's kernel and the
# package from `make deb` installed, so sensor-service.service starts at
# boot as it would on a device. tests/systemd/vm_checks.sh then checks it
# there (notify readiness, STATUS=, the system user, the children's cgroup
# caps, the host collectors in the unit's sandbox (a NIC on QEMU's user
# network, configured by systemd-networkd's DHCP, for non-zero counters),
# the watchdog restarting a stopped supervisor, no giving up on a
# crash loop, a clean stop) and powers off; its lines come back on the
# serial console.
#
#   scripts/systemd-vm.sh          (make test-systemd builds the package first)
#   SYSTEMD_VM_TIMEOUT_S=600       the whole boot and run (default 900)
#   SYSTEMD_VM_ACCEL=kvm           use KVM (default: emulation)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
V="$ROOT/build/systemd-vm"
deb=""
for f in "$ROOT"/build/deb/sensor-service_*.deb; do [ -e "$f" ] && deb=$f; done
[ -n "$deb" ] || { echo "systemd-vm: no package in build/deb: run make deb (make test-systemd does)" >&2; exit 1; }
for t in qemu-system-x86_64 mmdebstrap mke2fs; do
	command -v "$t" >/dev/null || { echo "systemd-vm: $t is missing (scripts/install-deps.sh systemd-vm)" >&2; exit 1; }
done

# The image is rebuilt when the package or the checks change.
want=$(cat "$deb" "$ROOT/tests/systemd/vm_checks.sh" "$ROOT/tests/systemd/vm-checks.service" | sha256sum | cut -c1-16)
mkdir -p "$V"
if [ ! -s "$V/root.img" ] || [ "$(cat "$V/image-for" 2>/dev/null)" != "$want" ]; then
	echo "systemd-vm: building the VM's root filesystem"
	rm -rf "$V/rootfs" "$V/root.img"
	# The package's own dependencies from apt, then the package with dpkg,
	# as `apt install ./sensor-service_*.deb` would.
	deps=$(dpkg-deb -f "$deb" Depends | sed 's/([^)]*)//g; s/ //g')
	mmdebstrap --quiet --variant=minbase \
		--include="systemd,systemd-sysv,dbus,linux-image-amd64,curl,procps,$deps" \
		--customize-hook="copy-in $deb /tmp/" \
		--customize-hook="chroot \"\$1\" dpkg -i /tmp/$(basename "$deb")" \
		--customize-hook="copy-in $ROOT/tests/systemd/vm_checks.sh /usr/local/sbin/" \
		--customize-hook="copy-in $ROOT/tests/systemd/vm-checks.service /etc/systemd/system/" \
		--customize-hook='chroot "$1" chmod 755 /usr/local/sbin/vm_checks.sh' \
		--customize-hook='chroot "$1" systemctl enable vm-checks.service' \
		--customize-hook='chroot "$1" systemctl mask serial-getty@ttyS0.service' \
		--customize-hook='mkdir -p "$1/etc/systemd/system/sensor-service.service.d"' \
		--customize-hook='printf "[Service]\nWatchdogSec=3s\n" >"$1/etc/systemd/system/sensor-service.service.d/test-watchdog.conf"' \
		--customize-hook='echo "/dev/vda / ext4 defaults 0 1" >"$1/etc/fstab"' \
		--customize-hook='printf "[Match]\nName=en*\n[Network]\nDHCP=ipv4\n" >"$1/etc/systemd/network/80-vm.network"' \
		--customize-hook='chroot "$1" systemctl enable systemd-networkd' \
		bookworm "$V/rootfs"
	cp "$V"/rootfs/boot/vmlinuz-* "$V/vmlinuz"
	cp "$V"/rootfs/boot/initrd.img-* "$V/initrd.img"
	mke2fs -q -t ext4 -d "$V/rootfs" "$V/root.img" 2G
	rm -rf "$V/rootfs"
	echo "$want" >"$V/image-for"
fi

# Emulated (TCG) by default: KVM inside a virtual machine (as on our CI
# machines) can hang at the kernel's start. SYSTEMD_VM_ACCEL=kvm where it
# works.
accel=(-accel tcg)
timeout_s=${SYSTEMD_VM_TIMEOUT_S:-900}
if [ "${SYSTEMD_VM_ACCEL:-tcg}" = kvm ]; then
	accel=(-accel kvm -cpu host)
	timeout_s=${SYSTEMD_VM_TIMEOUT_S:-300}
fi
# A copy per run: the checks change the disk.
cp --sparse=always "$V/root.img" "$V/run.img"
log="$V/console.log"
echo "systemd-vm: booting ($(printf '%s ' "${accel[@]}")), at most ${timeout_s} s"
rc=0
timeout --foreground -k 10 "$timeout_s" qemu-system-x86_64 "${accel[@]}" -m 512 -smp 2 -nographic -no-reboot \
	-nic user,model=virtio-net-pci -kernel "$V/vmlinuz" -initrd "$V/initrd.img" \
	-append "console=ttyS0 root=/dev/vda rw quiet panic=-1" \
	-drive "file=$V/run.img,format=raw,if=virtio" </dev/null >"$log" 2>&1 || rc=$?
rm -f "$V/run.img"
grep -a '^VMCHECK' "$log" | sed 's/^VMCHECK /  /' | tr -d '\r'
done_line=$(grep -a '^VMCHECK done' "$log" | tr -d '\r' || true)
if [ -z "$done_line" ]; then
	echo "systemd-vm: FAILED: the checks did not finish (qemu exit $rc); the console's end:" >&2
	tail -30 "$log" | tr -d '\r' >&2
	exit 1
fi
fails=${done_line##* }
echo "systemd-vm: $fails failed checks; console in ${log#"$ROOT"/}"
[ "$fails" = 0 ]
