/*
 * settings.c - the worker's checks of its settings taken together.
 */
#include "settings.h"

#include <stdio.h>

#include "../common/config.h"
#include "../common/sensorkind.h"
#include "discovery.h"
#include "processing.h"
#include "simulated_signal.h"

/*
 * Ring, window and spectra together: each is range-checked alone, but a
 * large window over a large ring makes the O(n^2) spectrum step outlast
 * the heartbeat timeout, and the worker would be killed for a hang at
 * every step. The step must fit in half the timeout on a slow core.
 * Configured channels are all counted as taking a spectrum (a unit of g
 * may come from sysfs): an upper bound. The simulated set counts as many
 * channels as discovery will give it (--simulate alone: the fallback
 * set); discovered sensors take no spectrum.
 */
int worker_settings_check(const struct config *cfg, char *err, size_t errlen)
{
	long spectra = 0;
	int simulated = cfg->channels > 0 ? cfg->channels : cfg->simulate ? (int)DISCOVERY_FALLBACK_CHANNELS : 0;
	if (cfg->chans.count > 0)
		spectra = (long)cfg->chans.count;
	else
		for (int i = 0; i < simulated; i++)
			spectra += sensor_kind_of((uint32_t)i) == SENSOR_VIBRATION;
	double step_s = processing_worst_step_s(cfg->window, cfg->ring_capacity, spectra);
	if (step_s * 1000.0 > cfg->heartbeat_timeout_ms / 2.0) {
		snprintf(err, errlen,
			 "options 'window' (%d) and 'ring-capacity' (%d) allow a processing step of %.1f s on a slow "
			 "core, more than half 'heartbeat-timeout-ms' (%d): lower them or raise the timeout",
			 cfg->window, cfg->ring_capacity, step_s, cfg->heartbeat_timeout_ms);
		return -1;
	}
	return 0;
}
