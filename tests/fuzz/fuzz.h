/*
 * fuzz.h - the libFuzzer entry point every target in tests/fuzz defines;
 * built either with clang -fsanitize=fuzzer (make fuzz) or with replay.c
 * as main, to replay the seed corpora in `make unit`.
 */
#ifndef SENSOR_TESTS_FUZZ_H
#define SENSOR_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant broken: say which and abort, so the fuzzer keeps the input. */
#define FUZZ_ASSERT(cond)                                                                            \
	do {                                                                                         \
		if (!(cond)) {                                                                       \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                                     \
		}                                                                                    \
	} while (0)

#endif
