/*
 * web.c - load, check and reload the web config (see web.h).
 */
#include "web.h"

#include <stdio.h>
#include <stdlib.h>

#include "tls.h"

struct web *web_load(const char *path, int max_bcrypt_cost, char *err, size_t errlen)
{
	struct web *w = calloc(1, sizeof *w);
	if (!w) {
		snprintf(err, errlen, "web config %s: out of memory", path);
		return NULL;
	}
	snprintf(w->path, sizeof w->path, "%s", path);
	w->max_bcrypt_cost = max_bcrypt_cost;
	if (webconfig_load(path, &w->cfg, err, errlen) != 0 ||
	    webconfig_check_cost(&w->cfg, max_bcrypt_cost, path, err, errlen) != 0)
		goto bad;
	if (w->cfg.tls) {
		char why[512];
		w->tls = tls_new(&w->cfg, why, sizeof why);
		if (!w->tls) {
			snprintf(err, errlen, "web config %s: %s", path, why);
			goto bad;
		}
	}
	return w;
bad:
	free(w);
	return NULL;
}

int web_check(const char *path, int max_bcrypt_cost, char *err, size_t errlen)
{
	struct web *w = web_load(path, max_bcrypt_cost, err, errlen);
	if (!w)
		return -1;
	web_free(w);
	return 0;
}

int web_reload(struct web *w, char *err, size_t errlen)
{
	struct web_config *next = malloc(sizeof *next);
	if (!next) {
		snprintf(err, errlen, "web config %s: out of memory", w->path);
		return -1;
	}
	int rc = -1;
	if (webconfig_load(w->path, next, err, errlen) != 0 ||
	    webconfig_check_cost(next, w->max_bcrypt_cost, w->path, err, errlen) != 0)
		goto out;
	if (next->tls != (w->tls != NULL)) {
		snprintf(err, errlen, "web config %s: TLS cannot be turned %s by a reload: restart the service",
			 w->path, next->tls ? "on" : "off");
		goto out;
	}
	if (w->tls) {
		char why[512];
		if (tls_reload(w->tls, next, why, sizeof why) != 0) {
			snprintf(err, errlen, "web config %s: %s", w->path, why);
			goto out;
		}
	}
	w->cfg = *next;
	rc = 0;
out:
	free(next);
	return rc;
}

void web_free(struct web *w)
{
	if (!w)
		return;
	tls_free(w->tls);
	free(w);
}
