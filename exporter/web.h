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

struct evbuffer;
struct evkeyvalq;
struct tls;

/* What the files looked like when last read: a change of any is a reason
 * to read them again. */
struct web_stamp {
	char path[WEBCONFIG_PATH_LEN]; /* "": none */
	unsigned long long ino, dev, size, mtime_ns, ctime_ns;
};

/* The config file, the certificate, the key and the client CA. */
#define WEB_WATCHED_FILES 4

struct web {
	char path[WEBCONFIG_PATH_LEN];
	int max_bcrypt_cost; /* a user's hash above it is refused */
	struct web_config cfg;
	struct tls *tls; /* NULL: plain HTTP */
	struct web_stamp stamps[WEB_WATCHED_FILES];
	/* the reloads since start */
	unsigned long long reloads_ok, reloads_failed;
	bool last_reload_ok;         /* true at start */
	double last_ok_unix_seconds; /* the start, or the last reload that worked */
};

/* Load `path` and build its TLS context; a bcrypt cost above
 * `max_bcrypt_cost` is refused. NULL with a one-line reason. */
struct web *web_load(const char *path, int max_bcrypt_cost, char *err, size_t errlen);

/* Everything web_load checks, with nothing kept: the supervisor's check
 * at start, so a bad file is exit status 2 before anything runs. Done in
 * a short-lived child process, so the caller never maps the libraries a
 * check opens (libyaml, OpenSSL). */
int web_check(const char *path, int max_bcrypt_cost, char *err, size_t errlen);

/*
 * Re-read the file: new certificates and users take effect for new
 * connections and requests. A file that no longer loads, or that would
 * turn TLS on or off (the listener would have to change), leaves
 * everything as it was and says why in err. Counted either way.
 */
int web_reload(struct web *w, char *err, size_t errlen);

void web_free(struct web *w);

/* Have the file, its certificate, key or CA changed since they were last
 * read (by web_load or web_reload, whether or not it worked)? */
bool web_changed(const struct web *w);

/* The n-th warning (from 0) about the configuration in force (TLS 1.0
 * or 1.1 allowed, a key file others may read) into buf: false when there
 * are fewer. */
bool web_warning(const struct web *w, unsigned n, char *buf, size_t len);

/* The file's http_server_config.headers into a response's headers, each
 * in place of one of ours of the same name: on every response, as
 * exporter-toolkit sends them. */
void web_set_headers(const struct web *w, struct evkeyvalq *headers);

/* The reload families: sensor_web_config_last_reload_successful,
 * ..._last_reload_success_timestamp_seconds and ..._reloads_total. */
void web_render_metrics(const struct web *w, struct evbuffer *out);

#endif
