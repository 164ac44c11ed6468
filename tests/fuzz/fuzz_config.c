/*
 * fuzz_config.c - fuzz target: the config file parser
 * (config_apply_keyfile_data, GKeyFile underneath) and the cross-field
 * checks. Whatever the text, the result is a refusal with a terminated
 * message, or a config whose every value is in range.
 */
#include <string.h>

#include "../../common/config.h"
#include "../../worker/settings.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	char err[512];
	config_add_check(worker_settings_check); /* as the entry point does */
	config_defaults(&cfg);
	memset(err, 'x', sizeof err);
	if (config_apply_keyfile_data(&cfg, (const char *)data, size, "fuzz.conf", err, sizeof err) != 0) {
		FUZZ_ASSERT(memchr(err, '\0', sizeof err) != NULL);
		return 0;
	}
	if (config_validate(&cfg, err, sizeof err) != 0) {
		FUZZ_ASSERT(memchr(err, '\0', sizeof err) != NULL);
		return 0;
	}
	FUZZ_ASSERT(cfg.port >= 1 && cfg.port <= 65535);
	FUZZ_ASSERT(cfg.ring_capacity > 0 && (cfg.ring_capacity & (cfg.ring_capacity - 1)) == 0);
	FUZZ_ASSERT(cfg.backoff_min_ms <= cfg.backoff_max_ms);
	FUZZ_ASSERT(memchr(cfg.listen, '\0', sizeof cfg.listen) != NULL);
	FUZZ_ASSERT(memchr(cfg.shm_name, '\0', sizeof cfg.shm_name) != NULL);
	FUZZ_ASSERT(memchr(cfg.fault, '\0', sizeof cfg.fault) != NULL);
	FILE *null = fopen("/dev/null", "w");
	if (null) {
		config_print(&cfg, null);
		fclose(null);
	}
	return 0;
}
