/*
 * auth.c - basic auth (see auth.h).
 *
 * bcrypt is libxcrypt's crypt_r (Debian's libcrypt1, which handles $2a$,
 * $2b$ and $2y$); the comparison is OpenSSL's CRYPTO_memcmp, whose time
 * does not depend on where the strings differ. There is no cache of good
 * credentials: a cached right password would answer faster than a wrong
 * one. The price is one bcrypt run per authenticated request (about
 * 50-100 ms at cost 10 on a small core): choose the hash's cost for the
 * scrape rate.
 */
#include "auth.h"

#include <crypt.h>
#include <glib.h>
#include <openssl/crypto.h>
#include <stdint.h>
#include <string.h>

#include "render.h"
#include "textbuf.h"

#define MAX_CREDENTIALS 512 /* decoded "user:password"; longer is refused */

static uint64_t failures[AUTH_RESULT_COUNT];

/* bcrypt of `password` with `hash`'s salt and cost equals `hash`? */
static bool bcrypt_matches(const char *password, const char *hash)
{
	static struct crypt_data cd; /* 32 KB: not on the stack; one thread */
	memset(&cd, 0, sizeof cd);
	const char *out = crypt_r(password, hash, &cd);
	size_t n = strlen(hash);
	/* crypt_r's failure token ("*0"/"*1") never equals a 60-byte hash */
	return out && strlen(out) == n && CRYPTO_memcmp(out, hash, n) == 0;
}

static enum auth_result counted(enum auth_result r)
{
	failures[r]++;
	return r;
}

enum auth_result auth_check(const struct web_config *wc, const char *authorization)
{
	if (wc->n_users == 0)
		return AUTH_OK;
	if (!authorization || g_ascii_strncasecmp(authorization, "Basic ", 6) != 0)
		return counted(AUTH_MISSING);
	const char *b64 = authorization + 6;
	while (*b64 == ' ')
		b64++;
	size_t len = strlen(b64);
	if (len == 0 || len > MAX_CREDENTIALS * 4 / 3 + 4)
		return counted(AUTH_WRONG);
	char enc[MAX_CREDENTIALS * 4 / 3 + 8];
	memcpy(enc, b64, len + 1);
	gsize n = 0;
	guchar *dec = g_base64_decode_inplace(enc, &n); /* stops at bad characters */
	char cred[MAX_CREDENTIALS + 1];
	if (n > MAX_CREDENTIALS)
		return counted(AUTH_WRONG);
	memcpy(cred, dec, n);
	cred[n] = '\0';
	char *colon = memchr(cred, ':', n);
	const struct web_user *user = NULL;
	if (colon) {
		*colon = '\0';
		for (unsigned i = 0; i < wc->n_users && !user; i++)
			if (strcmp(wc->users[i].name, cred) == 0)
				user = &wc->users[i];
	}
	const char *password = colon ? colon + 1 : "";
	/* always one bcrypt run: an unknown user costs what a known one does */
	bool ok = bcrypt_matches(password, user ? user->hash : wc->users[0].hash) && user &&
		  strlen(password) == n - (size_t)(password - cred);
	explicit_bzero(cred, sizeof cred);
	explicit_bzero(enc, sizeof enc);
	return ok ? AUTH_OK : counted(AUTH_WRONG);
}

void auth_render_metrics(struct evbuffer *out)
{
	struct textbuf tb;
	tb_begin(&tb, out, 0);
	RENDER_FAMILY(&tb, "sensor_http_auth_failures_total", "counter",
		      "Requests refused by basic auth since the exporter started (reason = missing: no credentials, "
		      "wrong: unknown user or wrong password).");
	TB_LIT(&tb, "sensor_http_auth_failures_total{reason=\"missing\"}");
	render_value_u64(&tb, failures[AUTH_MISSING]);
	TB_LIT(&tb, "sensor_http_auth_failures_total{reason=\"wrong\"}");
	render_value_u64(&tb, failures[AUTH_WRONG]);
	tb_end(&tb);
}
