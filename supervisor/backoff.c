/*
 * backoff.c - capped exponential restart delay.
 */
#include "backoff.h"

int64_t backoff_delay_ms(unsigned failures, int64_t min_ms, int64_t max_ms)
{
	int64_t d = min_ms;
	for (unsigned i = 1; i < failures && d < max_ms; i++)
		d *= 2;
	return d < max_ms ? d : max_ms;
}
