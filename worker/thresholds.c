/*
 * thresholds.c - the ok / warning / critical state machine of
 * worker/thresholds.h.
 */
#include "thresholds.h"

#include <math.h>

/* The hysteresis of `limit`: the channel's, or 2 % of the limit. */
static double hyst(const struct channel_config *c, double limit)
{
	return isnan(c->hysteresis) ? fabs(limit) * 0.02 : c->hysteresis;
}

/* Past `limit` upwards (dir 1) or downwards (dir -1)? Once in the state
 * (`held`), only back by the hysteresis leaves it. */
static int past(const struct channel_config *c, double v, double limit, int dir, int held)
{
	if (isnan(limit))
		return 0;
	double edge = held ? limit - dir * hyst(c, limit) : limit;
	return dir > 0 ? v > edge : v < edge;
}

enum shm_state threshold_state(const struct channel_config *c, double v, enum shm_state prev)
{
	if (isnan(v))
		return prev;
	int crit = prev == SHM_STATE_CRITICAL, warn = prev >= SHM_STATE_WARNING;
	if (past(c, v, c->crit_above, 1, crit) || past(c, v, c->crit_below, -1, crit))
		return SHM_STATE_CRITICAL;
	if (past(c, v, c->warn_above, 1, warn) || past(c, v, c->warn_below, -1, warn))
		return SHM_STATE_WARNING;
	return SHM_STATE_OK;
}
