/*
 * auth.h - HTTP basic auth against the web config's bcrypt hashes, and
 * the count of refused requests.
 */
#ifndef SENSOR_EXPORTER_AUTH_H
#define SENSOR_EXPORTER_AUTH_H

#include <stdbool.h>

#include "webconfig.h"

struct evbuffer;

enum auth_result {
	AUTH_OK,      /* no users configured, or the right password */
	AUTH_MISSING, /* no (or no Basic) Authorization header */
	AUTH_WRONG,   /* an unknown user or a wrong password */
	AUTH_RESULT_COUNT
};

/*
 * Check an Authorization header value (NULL: none) against `wc`'s users.
 * Every header that carries credentials costs exactly one bcrypt run, of
 * the first user's hash when the user is unknown, so neither a wrong
 * password nor an unknown user answers sooner than a right password.
 * Counts AUTH_MISSING and AUTH_WRONG.
 */
enum auth_result auth_check(const struct web_config *wc, const char *authorization);

/* sensor_http_auth_failures_total{reason="missing|wrong"}: refused
 * requests since this exporter process started. */
void auth_render_metrics(struct evbuffer *out);

#endif
