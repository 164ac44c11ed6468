/*
 * fuzz_push.c - fuzz target: the push input's line parser
 * (worker/source_push.c), fed what a datagram holds, line by line. Any
 * line either parses into a terminated name that fits, a finite number and a
 * timestamp within the documented bound (0 when absent), or is refused.
 */
#include <math.h>
#include <string.h>

#include "../../shm/layout.h"
#include "../../worker/source_push.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[PUSH_DATAGRAM_MAX + 1];
	if (size > PUSH_DATAGRAM_MAX)
		size = PUSH_DATAGRAM_MAX;
	memcpy(buf, data, size);
	buf[size] = '\0';

	for (char *line = buf, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char name[SHM_CHANNEL_NAME_LEN];
		memset(name, 'x', sizeof name);
		double value;
		int64_t ts_ns = -1;
		if (push_parse_line(line, name, sizeof name, &value, &ts_ns) != 0)
			continue;
		FUZZ_ASSERT(memchr(name, '\0', sizeof name) != NULL);
		FUZZ_ASSERT(name[0] != '\0' && strstr(line, name) != NULL);
		FUZZ_ASSERT(isfinite(value));
		FUZZ_ASSERT(ts_ns >= 0 && ts_ns <= (int64_t)(PUSH_TS_MAX_S * 1e9) + 1000000000);
	}
	return 0;
}
