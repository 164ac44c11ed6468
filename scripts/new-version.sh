#!/usr/bin/env bash
# new-version.sh VERSION [CHANGES] - prepare a new version. The version is
# decided in debian/changelog's first entry (the Makefile reads it for the
# binary, the installed man page and the container image's label); this
# writes that entry, then what is generated from it and checked in: the
# compose file's image tag and build argument, and docs/sensor-service.1
# (make man). Commit the result.
#
#   make new-version V=0.2.0 CHANGES="what changed, for the changelog"
set -euo pipefail
cd "$(dirname "$0")/.."

new=${1:-}
changes=${2:-}
[ -n "$new" ] || { echo "usage: make new-version V=x.y.z [CHANGES=\"what changed\"]" >&2; exit 2; }
# Debian's native version syntax, without an epoch: digits first, then
# letters, digits and . + ~ only.
[[ $new =~ ^[0-9][A-Za-z0-9.+~]*$ ]] || { echo "new-version: '$new' is not a version (x.y.z)" >&2; exit 2; }
old=$(make -s --no-print-directory version)
dpkg --compare-versions "$new" gt "$old" || { echo "new-version: $new is not newer than $old" >&2; exit 2; }

# The maintainer line of the entry before, so the author stays the same.
maint=$(sed -n 's/^ -- \(.*>\)  .*/\1/p' debian/changelog | head -1)
{
	printf 'sensor-service (%s) unstable; urgency=medium\n\n' "$new"
	printf '  * %s\n' "${changes:-New version $new.}" | fold -s -w 72 | sed -e 's/ *$//' -e '2,$s/^/    /'
	printf '\n -- %s  %s\n\n' "$maint" "$(LC_ALL=C date -R)"
	cat debian/changelog
} >debian/changelog.new
mv debian/changelog.new debian/changelog

sed -i -E -e "s/^(    image: sensor-service:).*/\1$new/" -e "s/^(        VERSION: ).*/\1\"$new\"/" docker-compose.yml
make -s --no-print-directory man
echo "new-version: $old -> $new (debian/changelog, docker-compose.yml, docs/sensor-service.1); review and commit"
