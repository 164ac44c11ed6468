# faults.mk - fault injection, fuzzing and leak checks (issue 4).
#
#   make fuzz       libFuzzer targets (clang) over the untrusted-input parsers,
#                   FUZZ_SECONDS each (default 30), corpus seeds in tests/fuzz/
#   make valgrind   the real service under valgrind (every process), clean or fail
#
# `make unit` also replays the fuzz seed corpora through the same targets,
# built with the ordinary compiler (a cheap regression check).

LIB_SRC += common/fault.c
UNIT_TESTS += test_fault test_shm_garbage test_route_target
