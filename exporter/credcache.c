/*
 * credcache.c - the verified-credentials cache (see credcache.h): a small
 * array searched whole, which at tens of entries costs less than a hash
 * table and answers in the same time whichever entry matches.
 */
#include "credcache.h"

#include <stdlib.h>
#include <string.h>

#include "optlibs.h"

struct entry {
	uint8_t key[CREDCACHE_KEY_BYTES];
	int64_t used_ns;
	bool live;
};

struct credcache {
	uint8_t secret[32];
	int64_t idle_ns;
	unsigned n;
	struct entry e[];
};

struct credcache *credcache_new(unsigned entries, int64_t idle_ns)
{
	if (entries == 0 || !optlibs_auth(NULL, 0))
		return NULL;
	struct credcache *c = calloc(1, sizeof *c + entries * sizeof c->e[0]);
	if (!c)
		return NULL;
	if (libcrypto.RAND_bytes(c->secret, sizeof c->secret) != 1) {
		free(c);
		return NULL;
	}
	c->idle_ns = idle_ns;
	c->n = entries;
	return c;
}

void credcache_free(struct credcache *c)
{
	if (!c)
		return;
	libcrypto.OPENSSL_cleanse(c, sizeof *c + c->n * sizeof c->e[0]);
	free(c);
}

void credcache_key(const struct credcache *c, const char *cred, size_t len, uint8_t key[CREDCACHE_KEY_BYTES])
{
	unsigned int out = CREDCACHE_KEY_BYTES;
	if (!libcrypto.HMAC(libcrypto.EVP_sha256(), c->secret, sizeof c->secret, (const unsigned char *)cred, len, key,
			    &out))
		memset(key, 0, CREDCACHE_KEY_BYTES); /* never equal to a live entry's: none is all zeros */
}

static bool fresh(const struct credcache *c, const struct entry *e, int64_t now_ns)
{
	return e->live && now_ns - e->used_ns < c->idle_ns;
}

bool credcache_hit(struct credcache *c, const uint8_t key[CREDCACHE_KEY_BYTES], int64_t now_ns)
{
	static const uint8_t zero[CREDCACHE_KEY_BYTES];
	if (libcrypto.CRYPTO_memcmp(key, zero, sizeof zero) == 0)
		return false;
	struct entry *found = NULL;
	for (unsigned i = 0; i < c->n; i++) {
		struct entry *e = &c->e[i];
		if (!fresh(c, e, now_ns))
			e->live = false;
		else if (libcrypto.CRYPTO_memcmp(e->key, key, CREDCACHE_KEY_BYTES) == 0)
			found = e;
	}
	if (found)
		found->used_ns = now_ns;
	return found != NULL;
}

void credcache_put(struct credcache *c, const uint8_t key[CREDCACHE_KEY_BYTES], int64_t now_ns)
{
	struct entry *slot = &c->e[0];
	for (unsigned i = 0; i < c->n; i++) {
		struct entry *e = &c->e[i];
		if (fresh(c, e, now_ns) && libcrypto.CRYPTO_memcmp(e->key, key, CREDCACHE_KEY_BYTES) == 0) {
			slot = e; /* already there: renew it */
			break;
		}
		if (!fresh(c, e, now_ns))
			slot = e; /* a free or expired entry */
		else if (fresh(c, slot, now_ns) && e->used_ns < slot->used_ns)
			slot = e; /* the least recently used so far */
	}
	memcpy(slot->key, key, CREDCACHE_KEY_BYTES);
	slot->used_ns = now_ns;
	slot->live = true;
}

void credcache_clear(struct credcache *c)
{
	libcrypto.OPENSSL_cleanse(c->e, c->n * sizeof c->e[0]);
}

unsigned credcache_live(const struct credcache *c, int64_t now_ns)
{
	unsigned n = 0;
	for (unsigned i = 0; i < c->n; i++)
		n += fresh(c, &c->e[i], now_ns);
	return n;
}
