#!/usr/bin/env bash
# measure_footprint.sh [DEB] - what `apt install ./sensor-service_*.deb`
# adds to a minimal Debian system, with and without its dependencies'
# recommendations: the packages apt installs and the disk space it
# reports, measured in a fresh copy of the clean root of make test-deb
# (mmdebstrap --variant=apt bookworm) for each case. Runs as root
# (chroot); writes bench/results/footprint.json, which `make bench-report`
# turns into PERFORMANCE_REPORT.md's "Installed footprint".
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
deb=${1:-$(ls "$ROOT"/build/deb/sensor-service_[0-9]*.deb | head -1)}
tarball="$ROOT/build/deb/clean-root.tar"
[ -s "$tarball" ] || mmdebstrap --quiet --variant=apt bookworm "$tarball"
cases=""
for mode in with-recommends no-install-recommends; do
	r=$(mktemp -d)
	tar -xf "$tarball" -C "$r"
	cp /etc/resolv.conf "$r/etc/resolv.conf"
	cp "$deb" "$r/tmp/"
	flag=""
	[ "$mode" = with-recommends ] || flag=--no-install-recommends
	out=$(chroot "$r" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y $flag /tmp/$(basename "$deb")" 2>&1)
	n=$(printf '%s\n' "$out" | sed -n 's/^.* \([0-9]*\) newly installed.*/\1/p')
	size=$(printf '%s\n' "$out" | sed -n 's/^After this operation, \(.*\) of additional disk space will be used\./\1/p')
	new=$(printf '%s\n' "$out" | sed -n '/NEW packages will be installed:/,/newly installed/p' | sed '1d;$d' | tr -s ' \n' ' ')
	echo "$mode: $n packages (sensor-service and $((n - 1)) dependencies), $size:$new"
	command="apt install ./sensor-service_*.deb"
	[ -z "$flag" ] || command="apt install $flag ./sensor-service_*.deb"
	list=$(printf '%s\n' $new | sed 's/.*/"&"/' | paste -sd, -)
	cases+="${cases:+,}{\"mode\": \"$mode\", \"command\": \"$command\", \"packages\": $n, \"disk\": \"$size\", \"new\": [$list]}"
	rm -rf "$r"
done
printf '{"date": "%s", "arch": "%s", "deb": "%s", "root": "mmdebstrap --variant=apt bookworm", "cases": [%s]}\n' \
	"$(date +%F)" "$(dpkg-deb -f "$deb" Architecture)" "$(basename "$deb")" "$cases" \
	| python3 -m json.tool --indent 1 --sort-keys >"$ROOT/bench/results/footprint.json"
echo "measure_footprint: wrote bench/results/footprint.json"
