/*
 * test_auth.c - basic auth: the header's parsing, the equal bcrypt work
 * of every check, the verified-credentials cache (keyed digests, bounded,
 * renewed by a hit, expired when idle, emptied), and the whole check on a
 * real event loop: bcrypt on a verify thread, the cache answering the
 * next request, a full queue answering busy without hashing, a reload
 * forgetting what was verified. Real bcrypt hashes from libxcrypt at low
 * costs to stay quick.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <crypt.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <glib.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../exporter/auth.h"
#include "../../exporter/credcache.h"
#include "../../exporter/webconfig.h"

static void make_hash(const char *pw, int cost, char out[WEBCONFIG_HASH_LEN])
{
	char salt[64];
	struct crypt_data cd;
	memset(&cd, 0, sizeof cd);
	assert_non_null(crypt_gensalt_rn("$2b$", (unsigned long)cost, NULL, 0, salt, sizeof salt));
	snprintf(out, WEBCONFIG_HASH_LEN, "%s", crypt_r(pw, salt, &cd));
	assert_true(webconfig_is_bcrypt(out));
}

static const char *basic(const char *userpass, char *buf, size_t len)
{
	gchar *b = g_base64_encode((const guchar *)userpass, strlen(userpass));
	snprintf(buf, len, "Basic %s", b);
	g_free(b);
	return buf;
}

static void test_parse(void **state)
{
	(void)state;
	char cred[AUTH_MAX_CREDENTIALS + 1], h[256];
	size_t n;
	assert_int_equal(auth_parse_basic(basic("prom:right horse", h, sizeof h), cred, &n), AUTH_OK);
	assert_string_equal(cred, "prom:right horse");
	assert_int_equal(n, 16);
	assert_int_equal(auth_parse_basic("basic cHJvbTpyaWdodCBob3JzZQ==", cred, &n), AUTH_OK); /* any case */
	assert_int_equal(auth_parse_basic(basic("promright horse", h, sizeof h), cred, &n), AUTH_WRONG);
	assert_int_equal(auth_parse_basic("Bearer abc", cred, &n), AUTH_MISSING);
	assert_int_equal(auth_parse_basic(NULL, cred, &n), AUTH_MISSING);
	assert_int_equal(auth_parse_basic("Basic ", cred, &n), AUTH_WRONG);
	assert_int_equal(auth_parse_basic("Basic !!!!", cred, &n), AUTH_WRONG);
	/* too short to hold "user:": refused before GLib's decoder (which
	 * returns NULL for fewer than 2 characters) */
	assert_int_equal(auth_parse_basic("Basic Y", cred, &n), AUTH_WRONG);
	assert_int_equal(auth_parse_basic("basic \001", cred, &n), AUTH_WRONG);
	assert_int_equal(auth_parse_basic("Basic YTo=", cred, &n), AUTH_OK); /* "a:" */
	char longh[4096];
	memset(longh, 'A', sizeof longh - 1);
	longh[sizeof longh - 1] = '\0';
	memcpy(longh, "Basic ", 6);
	assert_int_equal(auth_parse_basic(longh, cred, &n), AUTH_WRONG);
	/* a NUL inside the password: crypt would stop there, so it is refused */
	char nul[] = "prom:right horse\0tail";
	gchar *b = g_base64_encode((const guchar *)nul, sizeof nul - 1);
	snprintf(h, sizeof h, "Basic %s", b);
	g_free(b);
	assert_int_equal(auth_parse_basic(h, cred, &n), AUTH_WRONG);
}

static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A check against a cheap hash padded to cost 9 takes the CPU time of a
 * check against a cost-9 hash (within a third: 2^9 rounds either way). */
static void test_equal_work(void **state)
{
	(void)state;
	char cheap[WEBCONFIG_HASH_LEN], dear[WEBCONFIG_HASH_LEN];
	make_hash("pw", 5, cheap);
	make_hash("pw", 9, dear);
	assert_true(auth_bcrypt_equal_work("pw", cheap, 9));
	assert_false(auth_bcrypt_equal_work("nope", cheap, 9));
	double best_cheap = 1e9, best_dear = 1e9;
	for (int i = 0; i < 3; i++) {
		double t0 = cpu_seconds();
		auth_bcrypt_equal_work("x", cheap, 9);
		double t1 = cpu_seconds();
		auth_bcrypt_equal_work("x", dear, 9);
		double t2 = cpu_seconds();
		best_cheap = t1 - t0 < best_cheap ? t1 - t0 : best_cheap;
		best_dear = t2 - t1 < best_dear ? t2 - t1 : best_dear;
	}
	assert_true(best_cheap > best_dear * 0.66);
	assert_true(best_cheap < best_dear * 1.5);
}

static void test_cache(void **state)
{
	(void)state;
	const int64_t s = 1000000000;
	struct credcache *c = credcache_new(2, 10 * s);
	assert_non_null(c);
	uint8_t a[CREDCACHE_KEY_BYTES], a2[CREDCACHE_KEY_BYTES], b[CREDCACHE_KEY_BYTES], d[CREDCACHE_KEY_BYTES];
	credcache_key(c, "u:a", 3, a);
	credcache_key(c, "u:a", 3, a2);
	credcache_key(c, "u:b", 3, b);
	credcache_key(c, "u:d", 3, d);
	assert_memory_equal(a, a2, sizeof a);
	assert_memory_not_equal(a, b, sizeof a);
	/* a keyed digest: another cache (another secret) gives another key */
	struct credcache *other = credcache_new(1, s);
	credcache_key(other, "u:a", 3, a2);
	assert_memory_not_equal(a, a2, sizeof a);
	credcache_free(other);

	assert_false(credcache_hit(c, a, 0));
	credcache_put(c, a, 0);
	credcache_put(c, b, 1 * s);
	assert_true(credcache_hit(c, a, 5 * s)); /* renewed: now the most recently used */
	credcache_put(c, d, 6 * s);              /* full: b, the least recently used, makes room */
	assert_false(credcache_hit(c, b, 6 * s));
	assert_true(credcache_hit(c, a, 14 * s)); /* 9 s idle: still there, renewed again */
	assert_true(credcache_hit(c, d, 15 * s));
	assert_int_equal(credcache_live(c, 15 * s), 2);
	assert_false(credcache_hit(c, a, 24 * s)); /* 10 s idle: expired */
	assert_int_equal(credcache_live(c, 24 * s), 1);
	credcache_clear(c);
	assert_false(credcache_hit(c, d, 16 * s));
	assert_int_equal(credcache_live(c, 16 * s), 0);
	credcache_free(c);
}

/* The whole check on an event loop. */
struct run {
	struct event_base *base;
	int answers;
	enum auth_result last;
};

static void on_done(void *arg, enum auth_result r)
{
	struct run *run = arg;
	run->answers++;
	run->last = r;
}

static void wait_answers(struct run *run, int n)
{
	for (int i = 0; i < 2000 && run->answers < n; i++)
		event_base_loop(run->base, EVLOOP_ONCE);
	assert_int_equal(run->answers, n);
}

static const char *metrics(const struct auth *a)
{
	static char text[4096];
	struct evbuffer *b = evbuffer_new();
	auth_render_metrics(a, b);
	size_t n = evbuffer_copyout(b, text, sizeof text - 1);
	text[n] = '\0';
	evbuffer_free(b);
	return text;
}

static bool is_other(void *arg, const void *ctx)
{
	return arg == ctx;
}

/* wc: the one user "prom", `pw` hashed at `cost`; an auth on run's base
 * with one verify thread and two checks queued at most, given wc's users. */
static struct auth *auth_with_prom(struct run *run, struct web_config *wc, const char *pw, int cost)
{
	memset(wc, 0, sizeof *wc);
	wc->n_users = 1;
	snprintf(wc->users[0].name, sizeof wc->users[0].name, "prom");
	make_hash(pw, cost, wc->users[0].hash);
	struct auth_limits lim = {
		.verifiers = 1, .queue = 2, .busy_percent = 100, .cache_entries = 4, .cache_idle_s = 60
	};
	char err[256];
	struct auth *a = auth_new(run->base, &lim, on_done, err, sizeof err);
	assert_non_null(a);
	auth_set_users(a, wc);
	return a;
}

static void test_check(void **state)
{
	(void)state;
	struct run run = { .base = event_base_new() };
	struct web_config wc;
	struct auth *a = auth_with_prom(&run, &wc, "right horse", 4);
	char h[256];

	/* not in the cache: verified on a thread, answered later */
	assert_int_equal(auth_check(a, basic("prom:right horse", h, sizeof h), &run), AUTH_PENDING);
	wait_answers(&run, 1);
	assert_int_equal(run.last, AUTH_OK);
	/* now in the cache: at once, no bcrypt */
	assert_int_equal(auth_check(a, basic("prom:right horse", h, sizeof h), &run), AUTH_OK);
	assert_non_null(strstr(metrics(a), "sensor_http_auth_bcrypt_total 1\n"));
	assert_non_null(strstr(metrics(a), "sensor_http_auth_cache_hits_total 1\n"));
	/* a wrong password is never cached: bcrypt each time */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(auth_check(a, basic("prom:wrong", h, sizeof h), &run), AUTH_PENDING);
		wait_answers(&run, 2 + i);
		assert_int_equal(run.last, AUTH_WRONG);
	}
	assert_int_equal(auth_check(a, basic("nobody:right horse", h, sizeof h), &run), AUTH_PENDING);
	wait_answers(&run, 4);
	assert_int_equal(run.last, AUTH_WRONG);
	assert_int_equal(auth_check(a, "Bearer x", &run), AUTH_MISSING);
	assert_int_equal(auth_check(a, "Basic !!!!", &run), AUTH_WRONG);
	assert_non_null(strstr(metrics(a), "sensor_http_auth_bcrypt_total 4\n"));
	assert_non_null(strstr(metrics(a), "sensor_http_auth_failures_total{reason=\"wrong\"} 4\n"));
	assert_non_null(strstr(metrics(a), "sensor_http_auth_failures_total{reason=\"missing\"} 1\n"));

	/* a reload forgets the verified credentials */
	auth_set_users(a, &wc);
	assert_int_equal(auth_check(a, basic("prom:right horse", h, sizeof h), &run), AUTH_PENDING);
	wait_answers(&run, 5);
	assert_int_equal(run.last, AUTH_OK);

	/* a cancelled check never answers; the others do */
	int other = 0;
	assert_int_equal(auth_check(a, basic("prom:wrong", h, sizeof h), &other), AUTH_PENDING);
	assert_int_equal(auth_check(a, basic("prom:wrong", h, sizeof h), &run), AUTH_PENDING);
	auth_cancel(a, is_other, &other);
	wait_answers(&run, 6);
	assert_int_equal(other, 0);
	/* and is neither hashed (if no thread had begun it) nor counted */
	assert_non_null(strstr(metrics(a), "sensor_http_auth_bcrypt_total 6\n"));
	auth_free(a);
	event_base_free(run.base);
}

/* The verify queue holds `queue` checks besides the one running: the
 * next is refused at once, unhashed; a reload while a check runs turns
 * its answer into busy (the users it was checked against are gone). */
static void test_busy(void **state)
{
	(void)state;
	struct run run = { .base = event_base_new() };
	struct web_config wc;
	struct auth *a = auth_with_prom(&run, &wc, "pw", 11);
	char h[256];
	int pending = 0, busy = 0;
	for (int i = 0; i < 6; i++) {
		enum auth_result r = auth_check(a, basic("prom:guess", h, sizeof h), &run);
		pending += r == AUTH_PENDING;
		busy += r == AUTH_BUSY;
	}
	assert_true(pending >= 2 && pending <= 3); /* two waiting, one perhaps taken by the thread */
	assert_int_equal(pending + busy, 6);
	wait_answers(&run, pending);
	assert_int_equal(run.last, AUTH_WRONG);
	char want[128];
	snprintf(want, sizeof want, "sensor_http_auth_bcrypt_total %d\n", pending);
	assert_non_null(strstr(metrics(a), want));
	snprintf(want, sizeof want, "sensor_http_auth_failures_total{reason=\"busy\"} %d\n", busy);
	assert_non_null(strstr(metrics(a), want));

	assert_int_equal(auth_check(a, basic("prom:pw", h, sizeof h), &run), AUTH_PENDING);
	auth_set_users(a, &wc);
	wait_answers(&run, pending + 1);
	assert_int_equal(run.last, AUTH_BUSY);
	auth_free(a);
	event_base_free(run.base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse), cmocka_unit_test(test_equal_work), cmocka_unit_test(test_cache),
		cmocka_unit_test(test_check), cmocka_unit_test(test_busy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
