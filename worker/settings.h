/*
 * settings.h - the worker's checks of its settings taken together, added
 * to the configuration's checks by the entry point (config_add_check), so
 * that a configuration the worker could not run is refused at start.
 */
#ifndef SENSOR_WORKER_SETTINGS_H
#define SENSOR_WORKER_SETTINGS_H
#include <stddef.h>

struct config;

/* 0, or -1 with a one-line reason in err. */
int worker_settings_check(const struct config *cfg, char *err, size_t errlen);

#endif
