/*
 * fuzz_authz.c - fuzz target: the Authorization header's parsing
 * (auth_parse_basic), the only work basic auth does on a request before
 * a cache look-up or a bcrypt. Whatever the header, the answer is one of
 * three, and credentials come out terminated, within the bound, with a
 * ':' and no NUL; their cache key is computed without fault.
 */
#include <string.h>

#include "../../exporter/auth.h"
#include "../../exporter/credcache.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct credcache *cache;
	if (!cache)
		cache = credcache_new(4, 1000000000);
	char header[8192];
	if (size >= sizeof header)
		size = sizeof header - 1;
	memcpy(header, data, size);
	header[size] = '\0'; /* libevent hands over a C string */
	char cred[AUTH_MAX_CREDENTIALS + 1];
	size_t len = 12345;
	enum auth_result r = auth_parse_basic(header, cred, &len);
	FUZZ_ASSERT(r == AUTH_OK || r == AUTH_MISSING || r == AUTH_WRONG);
	if (r != AUTH_OK) {
		FUZZ_ASSERT(len == 0);
		return 0;
	}
	FUZZ_ASSERT(len <= AUTH_MAX_CREDENTIALS);
	FUZZ_ASSERT(cred[len] == '\0' && strlen(cred) == len);
	FUZZ_ASSERT(memchr(cred, ':', len) != NULL);
	uint8_t key[CREDCACHE_KEY_BYTES];
	if (cache) {
		credcache_key(cache, cred, len, key);
		FUZZ_ASSERT(!credcache_hit(cache, key, 0)); /* nothing was ever verified */
	}
	return 0;
}
