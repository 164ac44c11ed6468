#!/usr/bin/env bash
# opened-packages.sh - the Debian packages of the libraries the exporter
# opens at run time (dlopen) instead of linking them, one per line: read
# from exporter/optlibs.c's OPTLIB lines, the one place they are named.
# ldd and dpkg-shlibdeps do not see these libraries, so the runtime image
# (scripts/runtime-packages.sh) and the package's Depends (debian/rules)
# take them from here.
#
#   scripts/opened-packages.sh
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)/exporter/optlibs.c
pkgs=$(sed -n 's/^OPTLIB([a-z_]*, [A-Z_]*, "[^"]*", "\([^"]*\)");$/\1/p' "$src" | sort -u)
[ -n "$pkgs" ] || { echo "opened-packages: no OPTLIB line in $src" >&2; exit 1; }
printf '%s\n' "$pkgs"
