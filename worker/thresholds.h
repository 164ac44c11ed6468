/*
 * thresholds.h - a channel's state from thresholds of its own
 * (warn-above, crit-above, warn-below, crit-below): ok, warning or
 * critical, with a hysteresis so that a value hovering at a limit does not
 * flap: a state is entered past its limit and left only once the value is
 * back by the hysteresis (default 2 % of the limit).
 */
#ifndef SENSOR_WORKER_THRESHOLDS_H
#define SENSOR_WORKER_THRESHOLDS_H

#include "../common/channels.h"

/* The state value `v` puts channel `c` in, coming from state `prev`. A
 * NaN value (no reading) keeps the state. */
enum shm_state threshold_state(const struct channel_config *c, double v, enum shm_state prev);

#endif
