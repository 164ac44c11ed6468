/*
 * web.c - load, check and reload the web config (see web.h).
 */
#include "web.h"

#include <errno.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../shm/clock.h"
#include "render.h"
#include "textbuf.h"
#include "tls.h"

static void stamp_one(const char *path, struct web_stamp *st)
{
	struct stat sb;
	memset(st, 0, sizeof *st);
	snprintf(st->path, sizeof st->path, "%s", path);
	if (!path[0] || stat(path, &sb) != 0)
		return; /* absent: all zeros, itself a state that can change */
	st->ino = (unsigned long long)sb.st_ino;
	st->dev = (unsigned long long)sb.st_dev;
	st->size = (unsigned long long)sb.st_size;
	st->mtime_ns = (unsigned long long)sb.st_mtim.tv_sec * 1000000000ULL + (unsigned long long)sb.st_mtim.tv_nsec;
	st->ctime_ns = (unsigned long long)sb.st_ctim.tv_sec * 1000000000ULL + (unsigned long long)sb.st_ctim.tv_nsec;
}

/* The stamps of the files `cfg` names, into out[1..3] (out[0] is the
 * config file's own). */
static void stamp_named(const struct web_config *cfg, struct web_stamp out[WEB_WATCHED_FILES])
{
	stamp_one(cfg->cert_file, &out[1]);
	stamp_one(cfg->key_file, &out[2]);
	stamp_one(cfg->client_ca_file, &out[3]);
}

struct web *web_load(const char *path, int max_bcrypt_cost, char *err, size_t errlen)
{
	struct web *w = calloc(1, sizeof *w);
	if (!w) {
		snprintf(err, errlen, "web config %s: out of memory", path);
		return NULL;
	}
	snprintf(w->path, sizeof w->path, "%s", path);
	w->max_bcrypt_cost = max_bcrypt_cost;
	w->last_reload_ok = true;
	w->last_ok_unix_seconds = (double)realtime_ns() / 1e9;
	stamp_one(path, &w->stamps[0]); /* before reading: a change while read is seen next time */
	if (webconfig_load(path, &w->cfg, err, errlen) != 0 ||
	    webconfig_check_cost(&w->cfg, max_bcrypt_cost, path, err, errlen) != 0)
		goto bad;
	stamp_named(&w->cfg, w->stamps);
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

/* Checked in a short-lived child: the libraries a check opens (libyaml,
 * OpenSSL) stay out of the caller, the supervisor, and so out of the
 * worker forked from it. The child's reason comes back through a pipe. */
int web_check(const char *path, int max_bcrypt_cost, char *err, size_t errlen)
{
	int fds[2];
	if (pipe(fds) != 0) {
		snprintf(err, errlen, "web config %s: cannot check it: pipe: %s", path, strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "web config %s: cannot check it: fork: %s", path, strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		struct web *w = web_load(path, max_bcrypt_cost, err, errlen);
		if (!w && write(fds[1], err, strnlen(err, errlen)) < 0)
			_exit(2);
		_exit(w ? 0 : 1);
	}
	close(fds[1]);
	size_t got = 0;
	while (errlen > 0 && got < errlen - 1) {
		ssize_t n = read(fds[0], err + got, errlen - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (errlen > 0)
		err[got] = '\0';
	close(fds[0]);
	int st = 0;
	pid_t waited;
	while ((waited = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (waited != pid) { /* no status (SIGCHLD ignored: ECHILD): not a pass */
		snprintf(err, errlen, "web config %s: cannot check it: waitpid: %s", path,
			 waited < 0 ? strerror(errno) : "another child");
		return -1;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (got == 0)
		snprintf(err, errlen, "web config %s: its check ended abnormally (status %d)", path, st);
	return -1;
}

int web_reload(struct web *w, char *err, size_t errlen)
{
	struct web_config *next = malloc(sizeof *next);
	if (!next) {
		snprintf(err, errlen, "web config %s: out of memory", w->path);
		return -1;
	}
	int rc = -1;
	/* each file stamped before it is read: a change while it is read
	 * is seen next time; a file refused is not read again until it changes */
	stamp_one(w->path, &w->stamps[0]);
	if (webconfig_load(w->path, next, err, errlen) != 0)
		goto out;
	stamp_named(next, w->stamps);
	if (webconfig_check_cost(next, w->max_bcrypt_cost, w->path, err, errlen) != 0)
		goto out;
	if (next->tls != (w->tls != NULL)) {
		snprintf(err, errlen, "web config %s: TLS cannot be turned %s by a reload: restart the service",
			 w->path, next->tls ? "on" : "off");
		goto out;
	}
	if (w->cfg.n_users > 0 && next->n_users == 0) {
		/* a file caught half-written (TLS's part only) must not open
		 * every endpoint: turning basic auth off takes a restart */
		snprintf(err, errlen,
			 "web config %s: basic_auth_users cannot be emptied by a reload: restart the service to turn "
			 "basic auth off",
			 w->path);
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
	w->last_reload_ok = rc == 0;
	if (rc == 0) {
		w->reloads_ok++;
		w->last_ok_unix_seconds = (double)realtime_ns() / 1e9;
	} else {
		w->reloads_failed++;
	}
	return rc;
}

void web_free(struct web *w)
{
	if (!w)
		return;
	tls_free(w->tls);
	free(w);
}

bool web_changed(const struct web *w)
{
	for (int i = 0; i < WEB_WATCHED_FILES; i++) {
		struct web_stamp now;
		stamp_one(w->stamps[i].path, &now);
		if (memcmp(&now, &w->stamps[i], sizeof now) != 0)
			return true;
	}
	return false;
}

bool web_warning(const struct web *w, unsigned n, char *buf, size_t len)
{
	if (w->tls && w->cfg.min_version < TLS1_2_VERSION) {
		if (n == 0) {
			snprintf(buf, len,
				 "web config %s: min_version allows TLS %s, which is deprecated (RFC 8996); OpenSSL's "
				 "security level is lowered to 0 for it",
				 w->path, w->cfg.min_version == TLS1_VERSION ? "1.0" : "1.1");
			return true;
		}
		n--;
	}
	struct stat sb;
	if (n == 0 && w->cfg.key_file[0] && stat(w->cfg.key_file, &sb) == 0 && (sb.st_mode & (S_IROTH | S_IWOTH))) {
		snprintf(buf, len, "web config %s: key_file %s is readable by other users (mode %04o): chmod o-rwx it",
			 w->path, w->cfg.key_file, (unsigned)(sb.st_mode & 07777));
		return true;
	}
	return false;
}

void web_render_metrics(const struct web *w, struct evbuffer *out)
{
	struct textbuf tb;
	tb_begin(&tb, out, 0);
	RENDER_FAMILY(&tb, "sensor_web_config_last_reload_successful", "gauge",
		      "Whether the last reload of the web config file worked (1; also at start) or was refused and "
		      "the configuration before it kept (0).");
	TB_LIT(&tb, "sensor_web_config_last_reload_successful");
	render_value_u64(&tb, w->last_reload_ok ? 1 : 0);
	RENDER_FAMILY(&tb, "sensor_web_config_last_reload_success_timestamp_seconds", "gauge",
		      "When the web config in force was read (Unix time).");
	TB_LIT(&tb, "sensor_web_config_last_reload_success_timestamp_seconds");
	render_value_double(&tb, w->last_ok_unix_seconds);
	RENDER_FAMILY(&tb, "sensor_web_config_reloads_total", "counter",
		      "Reloads of the web config file since the exporter started (SIGHUP or a change of the file, its "
		      "certificate, key or CA), by result.");
	TB_LIT(&tb, "sensor_web_config_reloads_total{result=\"success\"}");
	render_value_u64(&tb, w->reloads_ok);
	TB_LIT(&tb, "sensor_web_config_reloads_total{result=\"failure\"}");
	render_value_u64(&tb, w->reloads_failed);
	tb_end(&tb);
}

void web_set_headers(const struct web *w, struct evkeyvalq *headers)
{
	for (unsigned i = 0; i < w->cfg.n_headers && i < WEBCONFIG_MAX_HEADERS; i++) {
		while (evhttp_remove_header(headers, w->cfg.headers[i].name) == 0)
			;
		evhttp_add_header(headers, w->cfg.headers[i].name, w->cfg.headers[i].value);
	}
}
