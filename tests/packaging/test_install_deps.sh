#!/usr/bin/env bash
# test_install_deps.sh - scripts/install-deps.sh, the first thing `make test`
# and `make run` run on a new machine, against fake apt-get, dpkg-query, id
# and sudo: nothing missing (no apt call), a policy-rc.d that already exists
# (left alone) or not (written for the install, removed after), root or
# sudo or neither, a package that fails to install (named, exit non-zero),
# an unknown group.
source "$(dirname "$0")/../integration/lib/lib.sh"

SCRIPT=$(cd "$(dirname "$0")/../.." && pwd)/scripts/install-deps.sh
BASH_BIN=$(command -v bash)

# A PATH of its own: the fakes, and links to the few real tools the script
# uses, so that a real sudo or apt-get on this machine is never reached.
FAKE="$TEST_TMP/bin"
mkdir -p "$FAKE"
for t in bash grep tee chmod rm cat printf sleep; do
	ln -s "$(command -v "$t")" "$FAKE/$t" 2>/dev/null || true
done
STATE="$TEST_TMP/state"

# dpkg-query -W -f=... PKG: installed when PKG is a line of $STATE/installed.
cat >"$FAKE/dpkg-query" <<'EOF'
#!/bin/bash
pkg=${!#}
if grep -qx -- "$pkg" "$FAKE_STATE/installed" 2>/dev/null; then
	printf 'install ok installed'
else
	printf 'unknown ok not-installed'; exit 1
fi
EOF
# apt-get [-o X] update|install ...: logs each call with the policy file's
# presence; install marks packages installed, except $FAKE_STATE/broken.
cat >"$FAKE/apt-get" <<'EOF'
#!/bin/bash
policy=absent; [ -e "$FAKE_POLICY" ] && policy=present
echo "apt-get uid=$FAKE_UID policy=$policy $*" >>"$FAKE_STATE/calls"
args=("$@"); verb=""
for a in "${args[@]}"; do case $a in update|install) verb=$a ;; esac; done
if [ "$verb" = update ]; then
	# $FAKE_STATE/update_failures: how many updates fail (lists locked)
	n=$(cat "$FAKE_STATE/update_failures" 2>/dev/null || echo 0)
	if [ "${n:-0}" -gt 0 ]; then
		echo $((n - 1)) >"$FAKE_STATE/update_failures"
		echo "E: Could not get lock /var/lib/apt/lists/lock" >&2; exit 100
	fi
	exit 0
fi
rc=0
for a in "${args[@]}"; do
	case $a in -*|install|DPkg::*) continue ;; esac
	if grep -qx -- "$a" "$FAKE_STATE/broken" 2>/dev/null; then
		echo "E: Unable to locate package $a" >&2; rc=100
	fi
done
[ $rc -ne 0 ] && exit $rc
for a in "${args[@]}"; do
	case $a in -*|install|DPkg::*) continue ;; esac
	echo "$a" >>"$FAKE_STATE/installed"
done
EOF
cat >"$FAKE/id" <<'EOF'
#!/bin/bash
echo "$FAKE_UID"
EOF
cat >"$FAKE/sudo.fake" <<'EOF'
#!/bin/bash
echo "sudo $1" >>"$FAKE_STATE/calls"
FAKE_UID=0 exec "$@"
EOF
chmod +x "$FAKE"/dpkg-query "$FAKE"/apt-get "$FAKE"/id "$FAKE"/sudo.fake

# [BROKEN=PKG] [UPDATE_FAILURES=N] run_case UID SUDO(yes|no) POLICY(present|absent) INSTALLED... -- GROUPS...
# Runs the script; sets RC, OUT (stdout+stderr), CALLS (the fake calls).
run_case() {
	local uid=$1 sudo=$2 policy=$3; shift 3
	rm -rf "$STATE"; mkdir -p "$STATE"
	: >"$STATE/installed"; : >"$STATE/calls"
	printf '%s\n' "${BROKEN:-}" >"$STATE/broken"
	echo "${UPDATE_FAILURES:-0}" >"$STATE/update_failures"
	while [ $# -gt 0 ] && [ "$1" != -- ]; do echo "$1" >>"$STATE/installed"; shift; done
	shift
	rm -f "$FAKE/sudo"
	[ "$sudo" = yes ] && ln -s "$FAKE/sudo.fake" "$FAKE/sudo"
	POLICY="$STATE/policy-rc.d"
	[ "$policy" = present ] && printf '#!/bin/sh\n# the image'"'"'s own\nexit 101\n' >"$POLICY"
	RC=0
	OUT=$(env -i PATH="$FAKE" FAKE_STATE="$STATE" FAKE_UID="$uid" FAKE_POLICY="$POLICY" \
		POLICY_RC_D="$POLICY" INSTALL_DEPS_RETRY_S=0 "$BASH_BIN" "$SCRIPT" "$@" 2>&1) || RC=$?
	CALLS=$(cat "$STATE/calls")
}

BUILD_PKGS="gcc make pkg-config libevent-dev libglib2.0-dev zlib1g-dev libssl-dev libyaml-dev libcrypt-dev"

# Nothing missing: no apt call at all, exit 0.
# shellcheck disable=SC2086 # the package list is split on purpose
run_case 0 no absent $BUILD_PKGS -- build
assert_eq "nothing missing: exit 0" 0 "$RC"
assert_eq "nothing missing: apt-get is not called" "" "$CALLS"

# Root, the image ships a policy-rc.d: a good install exits 0 and the
# image's own policy file is left as it was.
run_case 0 no present gcc make -- build
assert_eq "policy file already there: a good install exits 0" 0 "$RC"
assert_match "only the missing packages are installed" \
	"install .*pkg-config libevent-dev libglib2.0-dev zlib1g-dev libssl-dev libyaml-dev libcrypt-dev" "$CALLS"
assert_no_match "installed packages are not asked for again" " gcc( |$)" "$CALLS"
assert_match "apt-get waits for a held dpkg lock" "DPkg::Lock::Timeout" "$CALLS"
check "the image's policy file is kept" grep -q "the image's own" "$POLICY"
assert_match "the install says it is done" "install-deps: done" "$OUT"

# Root, no policy file: one is written for the install and removed after.
run_case 0 no absent -- build
assert_eq "no policy file: exit 0" 0 "$RC"
assert_match "services are kept from starting during the install" "policy=present .*install" "$CALLS"
check "the policy file written for the install is removed" test ! -e "$POLICY"

# Not root, sudo available: apt runs through sudo.
run_case 1000 yes absent -- build
assert_eq "through sudo: exit 0" 0 "$RC"
assert_match "apt-get runs through sudo" "sudo apt-get" "$CALLS"
assert_match "apt-get runs as root" "apt-get uid=0 .*install" "$CALLS"
check "through sudo: the policy file is removed" test ! -e "$POLICY"

# Not root and no sudo: a clear error naming what is missing, no apt call.
run_case 1000 no absent -- build
assert_eq "no root, no sudo: exit 1" 1 "$RC"
assert_match "no root, no sudo: says what it needs" "need root or sudo to install: .*libevent-dev" "$OUT"
assert_eq "no root, no sudo: apt-get is not called" "" "$CALLS"

# A package that cannot be installed: exit non-zero, named, policy removed.
BROKEN=libevent-dev run_case 0 no absent -- build
check "a failed install exits non-zero" test "$RC" -ne 0
assert_match "a failed install names the package" "not installed: .*libevent-dev" "$OUT"
assert_no_match "a failed install does not claim success" "install-deps: done" "$OUT"
check "a failed install removes the policy file" test ! -e "$POLICY"

# The package lists are locked for a while (another apt): the update is
# tried again and the install goes through; locked for good: a clear error.
UPDATE_FAILURES=2 run_case 0 no absent -- build
assert_eq "lists locked twice: the install still succeeds" 0 "$RC"
assert_eq "lists locked twice: three updates" 3 "$(grep -c ' update' <<<"$CALLS")"
UPDATE_FAILURES=99 run_case 0 no absent -- build
assert_eq "lists locked for good: exit 1" 1 "$RC"
assert_match "lists locked for good: says what failed" "apt-get failed \(exit 100\); not installed: gcc" "$OUT"
check "lists locked for good: the policy file is removed" test ! -e "$POLICY"

# An unknown group: exit 2, naming it.
run_case 0 no absent -- nosuchgroup
assert_eq "unknown group: exit 2" 2 "$RC"
assert_match "unknown group: named" "unknown group 'nosuchgroup'" "$OUT"

finish
