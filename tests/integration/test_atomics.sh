#!/usr/bin/env bash
# test_atomics.sh - shm/lockfree.h refuses, at compile time, a target whose
# 64-bit atomics are not lock-free (they would be locked per process, and
# the worker and the exporter would tear each other's cells), and accepts
# one that has them. The host's gcc stands in for such targets: 32-bit x86
# for the i486 (no cmpxchg8b, so no lock-free 64-bit atomics) and the i686.
source "$(dirname "$0")/lib/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

# Freestanding: the segment layout needs only the compiler's own headers.
compile_layout() { gcc -m32 "$@" -ffreestanding -fsyntax-only -x c "$ROOT/shm/layout.h" 2>&1; }

if ! echo 'int x;' | gcc -m32 -ffreestanding -fsyntax-only -x c - 2>/dev/null; then
	skip "gcc here cannot compile for 32-bit x86 (-m32), so no target without lock-free atomics is at hand"
	finish
fi

out=$(compile_layout -march=i486)
rc=$?
check "a target without lock-free 64-bit atomics fails to compile" test "$rc" -ne 0
assert_match "the error says why" "needs lock-free 64-bit atomics in shared memory" "$out"

out=$(compile_layout -march=i686)
rc=$?
assert_eq "a 32-bit target with lock-free 64-bit atomics compiles (i686)" 0 "$rc"

finish
