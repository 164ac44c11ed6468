/*
 * credcache.h - basic-auth credentials that bcrypt verified, remembered
 * as a keyed digest so that a scraper pays one bcrypt per cache lifetime
 * rather than one per scrape.
 *
 * The key of an entry is HMAC-SHA256 of "user:password" under a secret
 * drawn at start: the password is never stored, and a memory dump gives
 * nothing to test guesses against offline. The cache is bounded in
 * entries (the least recently used makes room), a hit renews its entry,
 * an entry unused for `idle_ns` expires, and a reload of the web config
 * empties it. Only credentials that verified are ever inserted, so no
 * wrong password can hit it.
 */
#ifndef SENSOR_EXPORTER_CREDCACHE_H
#define SENSOR_EXPORTER_CREDCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CREDCACHE_KEY_BYTES 32 /* SHA-256 */

struct credcache;

/* NULL when out of memory or when no random secret could be drawn. */
struct credcache *credcache_new(unsigned entries, int64_t idle_ns);
void credcache_free(struct credcache *c);

/* The key of `cred` ("user:password", `len` bytes). */
void credcache_key(const struct credcache *c, const char *cred, size_t len, uint8_t key[CREDCACHE_KEY_BYTES]);

/* Is `key` remembered and used within idle_ns of `now_ns`? A hit renews
 * the entry. Every live entry is compared, in time independent of where
 * the keys differ. */
bool credcache_hit(struct credcache *c, const uint8_t key[CREDCACHE_KEY_BYTES], int64_t now_ns);

/* Remember `key` (verified at `now_ns`). */
void credcache_put(struct credcache *c, const uint8_t key[CREDCACHE_KEY_BYTES], int64_t now_ns);

/* Forget everything (the users may have changed). */
void credcache_clear(struct credcache *c);

/* Entries live now (not expired at `now_ns`). */
unsigned credcache_live(const struct credcache *c, int64_t now_ns);

#endif
