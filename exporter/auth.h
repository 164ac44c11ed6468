/*
 * auth.h - HTTP basic auth against the web config's bcrypt hashes: a
 * cache of verified credentials (credcache.h) answered on the event loop,
 * and bcrypt on a bounded pool of verify threads (verifier.h) for
 * everything else, answered later through a callback.
 */
#ifndef SENSOR_EXPORTER_AUTH_H
#define SENSOR_EXPORTER_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "webconfig.h"

struct evbuffer;
struct event_base;

#define AUTH_MAX_CREDENTIALS 512 /* decoded "user:password"; longer is refused */

enum auth_result {
	AUTH_OK,      /* no users configured, or the right password */
	AUTH_MISSING, /* no (or no Basic) Authorization header */
	AUTH_WRONG,   /* an unknown user, a wrong password, a malformed header */
	AUTH_BUSY,    /* the verify queue is full: try again later (429) */
	AUTH_PENDING, /* being verified: the callback gives the answer */
	AUTH_RESULT_COUNT
};

/* The bounds of basic auth (settings, common/config.c). */
struct auth_limits {
	unsigned verifiers;    /* verify threads */
	unsigned queue;        /* checks waiting for a thread; more answer AUTH_BUSY */
	unsigned busy_percent; /* of one core, the most the threads use together */
	unsigned cache_entries;
	unsigned cache_idle_s; /* an entry unused this long expires */
};

/* The answer to a check that returned AUTH_PENDING (AUTH_OK, AUTH_WRONG,
 * or AUTH_BUSY when the users were reloaded meanwhile), on the loop. */
typedef void auth_done_fn(void *arg, enum auth_result r);

struct auth;

/* NULL with a reason in err (threads, memory, randomness). */
struct auth *auth_new(struct event_base *base, const struct auth_limits *lim, auth_done_fn *done, char *err,
		      size_t errlen);
void auth_free(struct auth *a);

/* The users in force from now on (copied); the cache is emptied. */
void auth_set_users(struct auth *a, const struct web_config *wc);

/*
 * Check an Authorization header value (NULL: none). A cache hit answers
 * AUTH_OK at once; credentials not in the cache go to a verify thread
 * (AUTH_PENDING, the callback later gets `arg`), or AUTH_BUSY when its
 * queue is full. Every verification costs the same bcrypt work, that of
 * the most expensive configured hash, whatever the user, known or not.
 */
enum auth_result auth_check(struct auth *a, const char *authorization, void *arg);

/* Checks in flight whose `arg` matches are forgotten: no callback (their
 * request is gone). */
void auth_cancel(struct auth *a, bool (*match)(void *arg, const void *ctx), const void *ctx);

/* The refusals, bcrypt runs and cache hits since start, and the cache's size. */
void auth_render_metrics(const struct auth *a, struct evbuffer *out);

/*
 * The decoded "user:password" of a Basic header into cred (NUL-ended,
 * *len its length). AUTH_OK, AUTH_MISSING (no Basic credentials) or
 * AUTH_WRONG (malformed: bad base64, no ':', a NUL, too long).
 */
enum auth_result auth_parse_basic(const char *authorization, char cred[AUTH_MAX_CREDENTIALS + 1], size_t *len);

/*
 * Does bcrypt of `password` match `hash`? Then bcrypt runs with the
 * hash's salt at each cost from the hash's up to max_cost - 1, so that the
 * whole check costs 2^max_cost rounds, whatever the hash's own cost.
 */
bool auth_bcrypt_equal_work(const char *password, const char *hash, int max_cost);

#endif
