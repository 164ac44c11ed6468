/*
 * auth.c - basic auth (see auth.h).
 *
 * bcrypt is libxcrypt's crypt_r (Debian's libcrypt1, which handles $2a$,
 * $2b$ and $2y$); comparisons are OpenSSL's CRYPTO_memcmp, whose time
 * does not depend on where the strings differ. bcrypt never runs on the
 * event loop: a check the cache cannot answer becomes a job for the
 * verify threads, carrying copies of what it needs (the password, the
 * hash, the cost to pad to), so a reload meanwhile changes nothing under
 * it; its answer is ignored if the users changed since.
 */
#include "auth.h"

#include <errno.h>
#include <glib.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../shm/clock.h"
#include "credcache.h"
#include "optlibs.h"
#include "render.h"
#include "textbuf.h"
#include "verifier.h"

struct auth_job {
	struct vjob link;             /* first: the pool's */
	struct auth_job *prev, *next; /* in flight, on the loop's side */
	void *arg;
	atomic_bool cancelled; /* its request is gone: a thread that has not begun it skips the bcrypt */
	bool known;            /* the user exists; else the password is checked against a stand-in hash */
	bool ok;
	unsigned generation;
	int max_cost;
	uint8_t key[CREDCACHE_KEY_BYTES];
	char hash[WEBCONFIG_HASH_LEN];
	char password[AUTH_MAX_CREDENTIALS + 1];
};

struct auth {
	struct verifier *pool;
	struct credcache *cache;
	auth_done_fn *done;
	struct auth_job *inflight;
	unsigned generation; /* of the users: bumped by each auth_set_users */
	int max_cost;        /* the most expensive hash's */
	unsigned n_users;
	struct web_user users[WEBCONFIG_MAX_USERS];
	unsigned stand_in; /* the user whose hash an unknown user is checked against */
	uint64_t refused[AUTH_RESULT_COUNT];
	uint64_t bcrypts, hits;
};

static bool bcrypt_matches(const char *password, const char *hash, struct crypt_data *cd)
{
	const char *out = libcrypt.crypt_r(password, hash, cd);
	size_t n = strlen(hash);
	/* crypt_r's failure token ("*0"/"*1") never equals a 60-byte hash */
	return out && strlen(out) == n && libcrypto.CRYPTO_memcmp(out, hash, n) == 0;
}

bool auth_bcrypt_equal_work(const char *password, const char *hash, int max_cost)
{
	if (!optlibs_auth(NULL, 0))
		return false;                          /* refused: auth_new said why */
	struct crypt_data *cd = calloc(1, sizeof *cd); /* 32 KB: not on a small thread stack */
	if (!cd)
		return false;
	bool ok = bcrypt_matches(password, hash, cd);
	int cost = webconfig_bcrypt_cost(hash);
	char setting[30]; /* "$2b$NN$" and the 22 characters of the salt */
	memcpy(setting, hash, 29);
	setting[29] = '\0';
	for (int c = cost; c > 0 && c < max_cost; c++) { /* 2^cost + sum(2^c) = 2^max_cost */
		setting[4] = (char)('0' + c / 10);
		setting[5] = (char)('0' + c % 10);
		(void)libcrypt.crypt_r(password, setting, cd);
	}
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return ok;
}

static void job_work(struct vjob *v)
{
	struct auth_job *j = (struct auth_job *)v;
	j->ok = !atomic_load(&j->cancelled) && auth_bcrypt_equal_work(j->password, j->hash, j->max_cost) && j->known;
	explicit_bzero(j->password, sizeof j->password);
}

static void unlink_job(struct auth *a, struct auth_job *j)
{
	if (j->prev)
		j->prev->next = j->next;
	else
		a->inflight = j->next;
	if (j->next)
		j->next->prev = j->prev;
}

static void free_job(struct auth_job *j)
{
	explicit_bzero(j, sizeof *j);
	free(j);
}

static enum auth_result counted(struct auth *a, enum auth_result r)
{
	a->refused[r]++;
	return r;
}

static void job_done(struct vjob *v, void *ctx)
{
	struct auth *a = ctx;
	struct auth_job *j = (struct auth_job *)v;
	unlink_job(a, j);
	if (!atomic_load(&j->cancelled))
		a->bcrypts++; /* (a check cancelled while it ran is not counted either) */
	enum auth_result r = j->generation != a->generation ? AUTH_BUSY : j->ok ? AUTH_OK : AUTH_WRONG;
	if (r == AUTH_OK)
		credcache_put(a->cache, j->key, monotonic_ns());
	bool cancelled = atomic_load(&j->cancelled);
	void *arg = j->arg;
	free_job(j);
	if (!cancelled)
		a->done(arg, r == AUTH_OK ? r : counted(a, r));
}

static void job_drop(struct vjob *v, void *ctx)
{
	(void)ctx;
	free_job((struct auth_job *)v);
}

static const struct verifier_ops job_ops = { .work = job_work, .done = job_done, .drop = job_drop };

struct auth *auth_new(struct event_base *base, const struct auth_limits *lim, auth_done_fn *done, char *err,
		      size_t errlen)
{
	char why[256];
	if (!optlibs_auth(why, sizeof why)) {
		snprintf(err, errlen, "basic auth: %s", why);
		return NULL;
	}
	struct auth *a = calloc(1, sizeof *a);
	if (!a) {
		snprintf(err, errlen, "basic auth: out of memory");
		return NULL;
	}
	a->done = done;
	a->cache = credcache_new(lim->cache_entries, (int64_t)lim->cache_idle_s * 1000000000);
	if (!a->cache) {
		snprintf(err, errlen, "basic auth: cannot make the credentials cache (memory or randomness)");
		goto bad;
	}
	a->pool = verifier_new(base, lim->verifiers, lim->queue, lim->busy_percent, &job_ops, a);
	if (!a->pool) {
		snprintf(err, errlen, "basic auth: cannot start %u verify threads: %s", lim->verifiers,
			 strerror(errno));
		goto bad;
	}
	return a;
bad:
	auth_free(a);
	return NULL;
}

void auth_free(struct auth *a)
{
	if (!a)
		return;
	verifier_free(a->pool); /* drops the jobs not done: their requests go with their connections */
	credcache_free(a->cache);
	explicit_bzero(a, sizeof *a);
	free(a);
}

void auth_set_users(struct auth *a, const struct web_config *wc)
{
	a->n_users = wc->n_users;
	memcpy(a->users, wc->users, sizeof a->users);
	a->max_cost = 0;
	a->stand_in = 0;
	for (unsigned i = 0; i < wc->n_users; i++) {
		int cost = webconfig_bcrypt_cost(wc->users[i].hash);
		if (cost > a->max_cost) {
			a->max_cost = cost;
			a->stand_in = i;
		}
	}
	a->generation++;
	credcache_clear(a->cache);
}

enum auth_result auth_parse_basic(const char *authorization, char cred[AUTH_MAX_CREDENTIALS + 1], size_t *len)
{
	*len = 0;
	cred[0] = '\0';
	if (!authorization || g_ascii_strncasecmp(authorization, "Basic ", 6) != 0)
		return AUTH_MISSING;
	const char *b64 = authorization + 6;
	while (*b64 == ' ')
		b64++;
	size_t n64 = strlen(b64);
	/* "a:" is 4 characters in base64: anything shorter holds no
	 * credentials (and GLib's decoder refuses fewer than 2) */
	if (n64 < 4 || n64 > AUTH_MAX_CREDENTIALS * 4 / 3 + 4)
		return AUTH_WRONG;
	char enc[AUTH_MAX_CREDENTIALS * 4 / 3 + 8];
	memcpy(enc, b64, n64 + 1);
	gsize n = 0;
	guchar *dec = g_base64_decode_inplace(enc, &n); /* stops at bad characters */
	enum auth_result r = AUTH_WRONG;
	/* a NUL inside would make crypt stop there: refused */
	if (dec && n > 0 && n <= AUTH_MAX_CREDENTIALS && memchr(dec, ':', n) && !memchr(dec, '\0', n)) {
		memcpy(cred, dec, n);
		cred[n] = '\0';
		*len = n;
		r = AUTH_OK;
	}
	explicit_bzero(enc, sizeof enc);
	return r;
}

enum auth_result auth_check(struct auth *a, const char *authorization, void *arg)
{
	if (a->n_users == 0)
		return AUTH_OK;
	char cred[AUTH_MAX_CREDENTIALS + 1];
	size_t len;
	enum auth_result r = auth_parse_basic(authorization, cred, &len);
	if (r != AUTH_OK)
		return counted(a, r);
	uint8_t key[CREDCACHE_KEY_BYTES];
	credcache_key(a->cache, cred, len, key);
	if (credcache_hit(a->cache, key, monotonic_ns())) {
		a->hits++;
		explicit_bzero(cred, sizeof cred);
		return AUTH_OK;
	}
	struct auth_job *j = calloc(1, sizeof *j);
	if (!j) {
		explicit_bzero(cred, sizeof cred);
		return counted(a, AUTH_BUSY);
	}
	char *colon = strchr(cred, ':');
	*colon = '\0';
	const struct web_user *user = NULL;
	for (unsigned i = 0; i < a->n_users; i++)
		if (strcmp(a->users[i].name, cred) == 0)
			user = &a->users[i];
	j->known = user != NULL;
	memcpy(j->hash, user ? user->hash : a->users[a->stand_in].hash, sizeof j->hash);
	snprintf(j->password, sizeof j->password, "%s", colon + 1);
	explicit_bzero(cred, sizeof cred);
	memcpy(j->key, key, sizeof key);
	j->max_cost = a->max_cost;
	j->generation = a->generation;
	j->arg = arg;
	if (!verifier_submit(a->pool, &j->link)) {
		free_job(j);
		return counted(a, AUTH_BUSY);
	}
	j->next = a->inflight;
	if (a->inflight)
		a->inflight->prev = j;
	a->inflight = j;
	return AUTH_PENDING;
}

void auth_cancel(struct auth *a, bool (*match)(void *arg, const void *ctx), const void *ctx)
{
	for (struct auth_job *j = a->inflight; j; j = j->next)
		if (!atomic_load(&j->cancelled) && match(j->arg, ctx))
			atomic_store(&j->cancelled, true);
}

void auth_render_metrics(const struct auth *a, struct evbuffer *out)
{
	struct textbuf tb;
	tb_begin(&tb, out, 0);
	RENDER_FAMILY(&tb, "sensor_http_auth_failures_total", "counter",
		      "Requests refused by basic auth since the exporter started (reason = missing: no credentials, "
		      "wrong: unknown user, wrong password or malformed header, busy: the verify queue was full).");
	TB_LIT(&tb, "sensor_http_auth_failures_total{reason=\"missing\"}");
	render_value_u64(&tb, a->refused[AUTH_MISSING]);
	TB_LIT(&tb, "sensor_http_auth_failures_total{reason=\"wrong\"}");
	render_value_u64(&tb, a->refused[AUTH_WRONG]);
	TB_LIT(&tb, "sensor_http_auth_failures_total{reason=\"busy\"}");
	render_value_u64(&tb, a->refused[AUTH_BUSY]);
	RENDER_FAMILY(&tb, "sensor_http_auth_bcrypt_total", "counter",
		      "Credentials checked with bcrypt on the verify threads since the exporter started.");
	TB_LIT(&tb, "sensor_http_auth_bcrypt_total");
	render_value_u64(&tb, a->bcrypts);
	RENDER_FAMILY(&tb, "sensor_http_auth_cache_hits_total", "counter",
		      "Requests whose credentials were found verified in the cache since the exporter started.");
	TB_LIT(&tb, "sensor_http_auth_cache_hits_total");
	render_value_u64(&tb, a->hits);
	tb_end(&tb);
}
