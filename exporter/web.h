/*
 * web.h - the exporter's TLS and basic auth as one state: loaded from the
 * web-config-file setting, checked at start by the supervisor, re-read on
 * SIGHUP by the exporter.
 */
#ifndef SENSOR_EXPORTER_WEB_H
#define SENSOR_EXPORTER_WEB_H

#include <stdbool.h>
#include <stddef.h>

#include "webconfig.h"

struct tls;

struct web {
	char path[WEBCONFIG_PATH_LEN];
	int max_bcrypt_cost; /* a user's hash above it is refused */
	struct web_config cfg;
	struct tls *tls; /* NULL: plain HTTP */
};

/* Load `path` and build its TLS context; a bcrypt cost above
 * `max_bcrypt_cost` is refused. NULL with a one-line reason. */
struct web *web_load(const char *path, int max_bcrypt_cost, char *err, size_t errlen);

/* Everything web_load checks, with nothing kept: the supervisor's check
 * at start, so a bad file is exit status 2 before anything runs. */
int web_check(const char *path, int max_bcrypt_cost, char *err, size_t errlen);

/*
 * Re-read the file: new certificates and users take effect for new
 * connections and requests. A file that no longer loads, or that would
 * turn TLS on or off (the listener would have to change), leaves
 * everything as it was and says why in err.
 */
int web_reload(struct web *w, char *err, size_t errlen);

void web_free(struct web *w);

#endif
