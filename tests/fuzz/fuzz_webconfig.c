/*
 * fuzz_webconfig.c - fuzz target: the web config parser (libyaml's
 * events underneath) and the bcrypt cost bound. Whatever the text, the
 * result is a refusal with a terminated message, or a config whose users
 * have distinct names without ':' and bcrypt hashes, and whose TLS part
 * names a certificate and a key.
 */
#include <openssl/ssl.h>
#include <string.h>

#include "../../exporter/webconfig.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct web_config wc;
	char err[512];
	memset(err, 'x', sizeof err);
	if (webconfig_parse((const char *)data, size, "/etc/sensor-service", "fuzz.yml", &wc, err, sizeof err) != 0) {
		FUZZ_ASSERT(memchr(err, '\0', sizeof err) != NULL);
		return 0;
	}
	FUZZ_ASSERT(wc.n_users <= WEBCONFIG_MAX_USERS);
	for (unsigned i = 0; i < wc.n_users; i++) {
		const struct web_user *u = &wc.users[i];
		FUZZ_ASSERT(memchr(u->name, '\0', sizeof u->name) != NULL);
		FUZZ_ASSERT(u->name[0] != '\0' && strchr(u->name, ':') == NULL);
		FUZZ_ASSERT(webconfig_is_bcrypt(u->hash));
		FUZZ_ASSERT(webconfig_bcrypt_cost(u->hash) >= 4 && webconfig_bcrypt_cost(u->hash) <= 31);
		for (unsigned j = 0; j < i; j++)
			FUZZ_ASSERT(strcmp(wc.users[j].name, u->name) != 0);
	}
	if (wc.tls) {
		FUZZ_ASSERT(wc.cert_file[0] != '\0' && wc.key_file[0] != '\0');
		FUZZ_ASSERT(memchr(wc.cert_file, '\0', sizeof wc.cert_file) != NULL);
		FUZZ_ASSERT(!wc.max_version || wc.max_version >= wc.min_version);
	}
	memset(err, 'x', sizeof err);
	if (webconfig_check_cost(&wc, 12, "fuzz.yml", err, sizeof err) != 0)
		FUZZ_ASSERT(memchr(err, '\0', sizeof err) != NULL && strstr(err, "bcrypt cost") != NULL);
	return 0;
}
