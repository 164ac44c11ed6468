/*
 * source_simulated.c - the simulated signals of worker/simulated_signal.c as a
 * source: the value is a pure function of the sample number since the
 * segment was created, so a restarted worker continues the same signal.
 */
#include "simulated_signal.h"
#include "source.h"

static int simulated_read(struct source *s, int64_t now_mono_ns, double *raw)
{
	int64_t since = now_mono_ns - s->origin_ns;
	uint64_t k = since > 0 && s->interval_ns > 0 ? (uint64_t)(since / s->interval_ns) : 0;
	*raw = sensor_sample(s->seed, s->sim_index, k, (double)s->interval_ns / 1e9);
	return 0;
}

const struct source_ops source_simulated_ops = { "simulated", NULL, simulated_read };
