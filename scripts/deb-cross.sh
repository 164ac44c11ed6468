#!/usr/bin/env bash
# deb-cross.sh ARCH SRC OUT - the Debian package for another architecture
# (arm64, armhf), built with `dpkg-buildpackage -a ARCH` in a throwaway
# Debian root that holds the cross compiler and the target's -dev
# packages (multiarch inside that root, never on the host: bookworm's
# libevent-dev cannot be installed for two architectures at once). SRC is
# the source tree (with debian/); the .deb, .buildinfo and .changes land
# in OUT.
#
# The root is made once by mmdebstrap (the build dependencies of
# debian/control for ARCH, `apt-get build-dep -a ARCH`) and kept as a
# tarball in build/deb-root/, remade when debian/control changes; each
# build unpacks it afresh and removes it after. Runs as root (chroot).
set -euo pipefail
arch=${1:?usage: deb-cross.sh ARCH SRC OUT}
src=$(cd "${2:?usage: deb-cross.sh ARCH SRC OUT}" && pwd)
out=${3:?usage: deb-cross.sh ARCH SRC OUT}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
suite=${DEB_CROSS_SUITE:-bookworm}
mirror=${DEB_CROSS_MIRROR:-http://deb.debian.org/debian}
build_arch=$(dpkg --print-architecture)
[ "$(id -u)" -eq 0 ] || { echo "deb-cross: needs root (chroot into the build root)" >&2; exit 1; }
command -v mmdebstrap >/dev/null || { echo "deb-cross: mmdebstrap is missing (scripts/install-deps.sh deb)" >&2; exit 1; }

cache="$ROOT/build/deb-root"
want="$suite $build_arch $arch $(sha256sum "$src/debian/control" | cut -c1-16)"
tarball="$cache/$arch.tar"
mkdir -p "$cache"
if [ ! -s "$tarball" ] || [ "$(cat "$tarball.for" 2>/dev/null)" != "$want" ]; then
	echo "deb-cross: making the $arch build root ($build_arch with crossbuild-essential-$arch and the build dependencies)"
	rm -f "$tarball" "$tarball.for"
	sources=("deb $mirror $suite main" "deb $mirror $suite-updates main")
	make_root() {
		mmdebstrap --quiet --variant=minbase --architectures="$build_arch,$arch" \
			--include="build-essential,crossbuild-essential-$arch,fakeroot" \
			--customize-hook="mkdir -p \"\$1/tmp/control/debian\"" \
			--customize-hook="copy-in $src/debian/control /tmp/control/debian/" \
			--customize-hook="chroot \"\$1\" sh -c 'DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -q -a $arch /tmp/control >/dev/null'" \
			--customize-hook='rm -rf "$1/tmp/control"' \
			"$suite" "${tarball%.tar}.tmp.tar" "$@"
	}
	# (the .tar ending tells mmdebstrap to write a tarball)
	if ! make_root "${sources[@]}" "deb ${mirror%/debian}/debian-security $suite-security main"; then
		echo "deb-cross: retrying without the security archive (a mirror mid-sync)" >&2
		make_root "${sources[@]}"
	fi
	mv "${tarball%.tar}.tmp.tar" "$tarball"
	echo "$want" >"$tarball.for"
fi

work=$(mktemp -d "$ROOT/build/deb-root/build-$arch.XXXXXX")
trap 'rm -rf "$work"' EXIT
tar -xf "$tarball" -C "$work"
mkdir -p "$work/build/src"
cp -a "$src/." "$work/build/src/"
echo "deb-cross: dpkg-buildpackage -a $arch in a throwaway root"
if ! unshare --mount --propagation private -- sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$work" \
	sh -c "cd /build/src && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -a $arch --build=binary --no-sign -j$(nproc)" \
	>"$out/build-$arch.log" 2>&1; then
	tail -40 "$out/build-$arch.log"
	exit 1
fi
cp "$work"/build/*_"$arch".deb "$work"/build/*_"$arch".buildinfo \
	"$work"/build/*_"$arch".changes "$out/"
