/*
 * test_config.c - configuration from defaults, a GKeyFile, SENSOR_*
 * variables and flags: precedence, output of --print-config/--version,
 * and a one-line error naming option and source for every bad input.
 * (--help exits the process, so it is left to the integration test.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../common/config.h"
#include "../../worker/processing.h"
#include "../../worker/settings.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

static char tmpdir[64];
static char *no_env[] = { NULL };

static int setup_dir(void **state)
{
	(void)state;
	config_add_check(worker_settings_check); /* as the entry point does */
	snprintf(tmpdir, sizeof tmpdir, "/tmp/sensor-test-config-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Write `text` to a file in the temporary directory; returns its path. */
static const char *write_file(const char *name, const char *text)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Run config_load with stdout captured into `out` (NUL-terminated). */
static enum config_action load_capture(struct config *cfg, int argc, char **argv, char **envp, char *err, size_t errlen,
				       char *out, size_t outlen)
{
	char path[256];
	snprintf(path, sizeof path, "%s/stdout", tmpdir);
	fflush(stdout);
	int saved = dup(1);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 1);
	close(fd);
	enum config_action a = config_load(cfg, argc, argv, envp, err, errlen);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);

	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(out, 1, outlen - 1, f);
	out[n] = '\0';
	fclose(f);
	return a;
}

static char *print_to_string(const struct config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	config_print(cfg, f);
	fclose(f);
	return buf;
}

/* ---- good input ---- */

static void test_defaults(void **state)
{
	(void)state;
	struct config cfg, want;
	char err[512] = "";
	char *argv[] = { "sensor-service", NULL };
	assert_int_equal(config_load(&cfg, ARGC(argv), argv, no_env, err, sizeof err), CONFIG_RUN);
	config_defaults(&want);
	assert_memory_equal(&cfg, &want, sizeof cfg);

	assert_string_equal(cfg.listen, "127.0.0.1");
	assert_int_equal(cfg.port, 8000);
	assert_string_equal(cfg.shm_name, "/sensor-service");
	assert_false(cfg.debug_endpoint);
	assert_int_equal(cfg.channels, 0); /* discover the sensors */
	assert_int_equal(cfg.sample_interval_ms, 1000);
	assert_int_equal(cfg.process_interval_ms, 2000);
	assert_int_equal(cfg.ring_capacity, 4096);
	assert_int_equal(cfg.window, 512);
	assert_int_equal(cfg.seed, 1);
	assert_int_equal(cfg.worker_memory_mb, 64);
	assert_int_equal(cfg.exporter_memory_mb, 64);
	assert_int_equal(cfg.max_connections, 256);
	assert_int_equal(cfg.request_timeout_ms, 10000);
	assert_int_equal(cfg.heartbeat_timeout_ms, 5000);
	assert_int_equal(cfg.backoff_min_ms, 250);
	assert_int_equal(cfg.backoff_max_ms, 30000);
	assert_int_equal(cfg.stop_timeout_ms, 5000);
	assert_int_equal(cfg.memory_reserve_mb, 8);
	assert_string_equal(cfg.config_file, "");
	assert_int_equal(config_validate(&cfg, err, sizeof err), 0);
}

static void test_config_file(void **state)
{
	(void)state;
	const char *path = write_file("all.conf", "# a comment\n"
						  "[service]\n"
						  "listen=0.0.0.0\n"
						  "port = 9001\n"
						  "shm-name=/sensor-test-x\n"
						  "debug-endpoint=true\n"
						  "\n"
						  "[worker]\n"
						  "channels=5\n"
						  "sample-interval-ms=50\n"
						  "process-interval-ms=1000\n"
						  "ring-capacity=1024\n"
						  "window=64\n"
						  "seed=7\n"
						  "worker-memory-mb=32\n"
						  "[exporter]\n"
						  "exporter-memory-mb=16\n"
						  "[supervisor]\n"
						  "heartbeat-timeout-ms=3000\n"
						  "backoff-min-ms=100\n"
						  "backoff-max-ms=1600\n"
						  "stop-timeout-ms=2000\n");
	struct config cfg;
	char err[512] = "";
	char *argv[] = { "sensor-service", "--config", (char *)path, NULL };
	assert_int_equal(config_load(&cfg, ARGC(argv), argv, no_env, err, sizeof err), CONFIG_RUN);
	assert_string_equal(cfg.listen, "0.0.0.0");
	assert_int_equal(cfg.port, 9001);
	assert_string_equal(cfg.shm_name, "/sensor-test-x");
	assert_true(cfg.debug_endpoint);
	assert_int_equal(cfg.channels, 5);
	assert_int_equal(cfg.sample_interval_ms, 50);
	assert_int_equal(cfg.process_interval_ms, 1000);
	assert_int_equal(cfg.ring_capacity, 1024);
	assert_int_equal(cfg.window, 64);
	assert_int_equal(cfg.seed, 7);
	assert_int_equal(cfg.worker_memory_mb, 32);
	assert_int_equal(cfg.exporter_memory_mb, 16);
	assert_int_equal(cfg.heartbeat_timeout_ms, 3000);
	assert_int_equal(cfg.backoff_min_ms, 100);
	assert_int_equal(cfg.backoff_max_ms, 1600);
	assert_int_equal(cfg.stop_timeout_ms, 2000);
	assert_string_equal(cfg.config_file, path);
}

static void test_precedence(void **state)
{
	(void)state;
	const char *path = write_file("prec.conf", "[service]\nport=9001\n[worker]\nchannels=5\nseed=9\n");
	char path_copy[256];
	snprintf(path_copy, sizeof path_copy, "%s", path);
	struct config cfg;
	char err[512] = "";

	char *argv_file[] = { "sensor-service", "--config", path_copy, NULL };
	assert_int_equal(config_load(&cfg, ARGC(argv_file), argv_file, no_env, err, sizeof err), CONFIG_RUN);
	assert_int_equal(cfg.port, 9001);

	/* environment beats file; untouched file values stay */
	char *env[] = { "SENSOR_PORT=9002", "SENSOR_SEED=11", "UNRELATED=1", NULL };
	assert_int_equal(config_load(&cfg, ARGC(argv_file), argv_file, env, err, sizeof err), CONFIG_RUN);
	assert_int_equal(cfg.port, 9002);
	assert_int_equal(cfg.seed, 11);
	assert_int_equal(cfg.channels, 5);

	/* flag beats environment, wherever it stands on the line */
	char *argv_flag[] = { "sensor-service", "--port", "9003", "--config", path_copy, NULL };
	assert_int_equal(config_load(&cfg, ARGC(argv_flag), argv_flag, env, err, sizeof err), CONFIG_RUN);
	assert_int_equal(cfg.port, 9003);
	assert_int_equal(cfg.seed, 11);
	assert_int_equal(cfg.channels, 5);

	/* the environment alone beats defaults */
	char *argv0[] = { "sensor-service", NULL };
	assert_int_equal(config_load(&cfg, ARGC(argv0), argv0, env, err, sizeof err), CONFIG_RUN);
	assert_int_equal(cfg.port, 9002);
	assert_int_equal(cfg.channels, 0);
}

static void test_flag_spellings(void **state)
{
	(void)state;
	const char *path = write_file("c.conf", "[worker]\nchannels=6\n");
	char path_copy[256];
	snprintf(path_copy, sizeof path_copy, "%s", path);
	struct config cfg;
	char err[512] = "";
	char *argv[] = { "sensor-service", "--port=9100",      "--port",     "9101",         "-c",
			 path_copy,        "--debug-endpoint", "--shm-name", "/sensor-flag", NULL };
	assert_int_equal(config_load(&cfg, ARGC(argv), argv, no_env, err, sizeof err), CONFIG_RUN);
	assert_int_equal(cfg.port, 9101); /* the last one wins */
	assert_int_equal(cfg.channels, 6);
	assert_true(cfg.debug_endpoint);
	assert_string_equal(cfg.shm_name, "/sensor-flag");
}

static void test_bool_spellings(void **state)
{
	(void)state;
	const char *yes[] = { "SENSOR_DEBUG_ENDPOINT=true", "SENSOR_DEBUG_ENDPOINT=TRUE", "SENSOR_DEBUG_ENDPOINT=yes",
			      "SENSOR_DEBUG_ENDPOINT=1" };
	const char *no[] = { "SENSOR_DEBUG_ENDPOINT=false", "SENSOR_DEBUG_ENDPOINT=No", "SENSOR_DEBUG_ENDPOINT=0" };
	struct config cfg;
	char err[512];
	char *argv[] = { "sensor-service", NULL };
	for (size_t i = 0; i < 4; i++) {
		char *env[] = { (char *)yes[i], NULL };
		assert_int_equal(config_load(&cfg, ARGC(argv), argv, env, err, sizeof err), CONFIG_RUN);
		assert_true(cfg.debug_endpoint);
	}
	for (size_t i = 0; i < 3; i++) {
		char *env[] = { (char *)no[i], NULL };
		assert_int_equal(config_load(&cfg, ARGC(argv), argv, env, err, sizeof err), CONFIG_RUN);
		assert_false(cfg.debug_endpoint);
	}
}

static void test_integer_whitespace(void **state)
{
	(void)state;
	struct config cfg;
	char err[512];
	char *argv[] = { "sensor-service", NULL };
	char *env[] = { "SENSOR_PORT= 9100 \t", NULL };
	assert_int_equal(config_load(&cfg, ARGC(argv), argv, env, err, sizeof err), CONFIG_RUN);
	assert_int_equal(cfg.port, 9100);
}

static void test_print_config(void **state)
{
	(void)state;
	struct config cfg;
	char err[512] = "", out[8192];
	char *argv[] = { "sensor-service", "--port", "9200", "--debug-endpoint", "--print-config", NULL };
	assert_int_equal(load_capture(&cfg, ARGC(argv), argv, no_env, err, sizeof err, out, sizeof out),
			 CONFIG_EXIT_OK);
	/* the effective settings, in config-file syntax */
	char *want = print_to_string(&cfg);
	assert_string_equal(out, want);
	free(want);
	assert_memory_equal(out,
			    "[service]\nlisten=127.0.0.1\nport=9200\nshm-name=/sensor-service\n"
			    "debug-endpoint=true\n",
			    strlen("[service]\nlisten=127.0.0.1\nport=9200\nshm-name=/sensor-service\n"
				   "debug-endpoint=true\n"));
	assert_non_null(strstr(out, "\n\n[worker]\nchannels=0\n"));
	assert_non_null(strstr(out, "\nring-capacity=4096\n"));
	assert_non_null(strstr(out, "\n\n[supervisor]\nheartbeat-timeout-ms=5000\nbackoff-min-ms=250\n"
				    "backoff-max-ms=30000\nstop-timeout-ms=5000\n"));
	/* each group once: a second header would start a new group in a file */
	for (const char *g = out; (g = strstr(g, "\n[")) != NULL; g++) {
		const char *end = strchr(g + 1, '\n');
		assert_non_null(end);
		char header[64];
		snprintf(header, sizeof header, "\n%.*s\n", (int)(end - g - 1), g + 1);
		assert_null(strstr(end, header));
	}
}

static void test_print_config_round_trips(void **state)
{
	(void)state;
	/* what --print-config prints is a config file giving the same settings */
	struct config cfg, again;
	char err[512] = "";
	char *argv[] = { "sensor-service",  "--port", "9300",     "--seed", "42",
			 "--ring-capacity", "256",    "--listen", "::1",    NULL };
	assert_int_equal(config_load(&cfg, ARGC(argv), argv, no_env, err, sizeof err), CONFIG_RUN);
	char *text = print_to_string(&cfg);
	config_defaults(&again);
	assert_int_equal(config_apply_keyfile_data(&again, text, strlen(text), "printed", err, sizeof err), 0);
	assert_memory_equal(&again, &cfg, sizeof cfg);
	free(text);
}

static void test_print_config_refuses_bad_values(void **state)
{
	(void)state;
	struct config cfg;
	char err[512] = "", out[8192];
	char *argv[] = { "sensor-service", "--print-config", "--ring-capacity", "1000", NULL };
	assert_int_equal(load_capture(&cfg, ARGC(argv), argv, no_env, err, sizeof err, out, sizeof out),
			 CONFIG_EXIT_ERROR);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, "power of two"));
}

static void test_version(void **state)
{
	(void)state;
	struct config cfg;
	char err[512] = "", out[256];
	char *argv[] = { "sensor-service", "--version", NULL };
	assert_int_equal(load_capture(&cfg, ARGC(argv), argv, no_env, err, sizeof err, out, sizeof out),
			 CONFIG_EXIT_OK);
	assert_string_equal(out, "sensor-service " SENSOR_VERSION "\n");
	char *argv2[] = { "sensor-service", "-V", NULL };
	assert_int_equal(load_capture(&cfg, ARGC(argv2), argv2, no_env, err, sizeof err, out, sizeof out),
			 CONFIG_EXIT_OK);
	assert_string_equal(out, "sensor-service " SENSOR_VERSION "\n");
}

/* ---- bad input: one line, naming the option and where it came from ---- */

static void expect_error(int argc, char **argv, char **envp, const char *want)
{
	struct config cfg;
	char err[512] = "";
	assert_int_equal(config_load(&cfg, argc, argv, envp, err, sizeof err), CONFIG_EXIT_ERROR);
	assert_string_equal(err, want);
	assert_null(strchr(err, '\n'));
}

static void expect_error_containing(int argc, char **argv, char **envp, const char *part)
{
	struct config cfg;
	char err[512] = "";
	assert_int_equal(config_load(&cfg, argc, argv, envp, err, sizeof err), CONFIG_EXIT_ERROR);
	if (!strstr(err, part))
		fail_msg("error '%s' does not contain '%s'", err, part);
	assert_null(strchr(err, '\n'));
}

static void test_log_level(void **state)
{
	(void)state;
	struct config cfg;
	char err[512] = "";
	char *argv0[] = { "sensor-service", NULL };
	assert_int_equal(config_load(&cfg, ARGC(argv0), argv0, no_env, err, sizeof err), CONFIG_RUN);
	assert_string_equal(cfg.log_level, "info");

	char path[256];
	snprintf(path, sizeof path, "%s", write_file("log.conf", "[service]\nlog-level=warn\n"));
	char *argv_file[] = { "sensor-service", "--config", path, NULL };
	assert_int_equal(config_load(&cfg, ARGC(argv_file), argv_file, no_env, err, sizeof err), CONFIG_RUN);
	assert_string_equal(cfg.log_level, "warn");

	char *env[] = { "SENSOR_LOG_LEVEL=error", NULL };
	assert_int_equal(config_load(&cfg, ARGC(argv_file), argv_file, env, err, sizeof err), CONFIG_RUN);
	assert_string_equal(cfg.log_level, "error");

	char *argv_flag[] = { "sensor-service", "--config", path, "--log-level=debug", NULL };
	assert_int_equal(config_load(&cfg, ARGC(argv_flag), argv_flag, env, err, sizeof err), CONFIG_RUN);
	assert_string_equal(cfg.log_level, "debug");

	char *argv_bad[] = { "sensor-service", "--log-level", "verbose", NULL };
	expect_error(ARGC(argv_bad), argv_bad, no_env,
		     "flag --log-level: option 'log-level': must be one of error, warn, info, debug, got 'verbose'");
	char *env_bad[] = { "SENSOR_LOG_LEVEL=INFO", NULL };
	expect_error(ARGC(argv0), argv0, env_bad,
		     "environment SENSOR_LOG_LEVEL: option 'log-level': must be one of error, warn, info, debug, "
		     "got 'INFO'");
	char bad_path[256], want[512];
	snprintf(bad_path, sizeof bad_path, "%s", write_file("badlog.conf", "[service]\nlog-level=loud\n"));
	char *argv_bad_file[] = { "sensor-service", "--config", bad_path, NULL };
	snprintf(want, sizeof want,
		 "config file %s [service]: option 'log-level': must be one of error, warn, info, debug, got 'loud'",
		 bad_path);
	expect_error(ARGC(argv_bad_file), argv_bad_file, no_env, want);
}

static void test_unknown_key(void **state)
{
	(void)state;
	char path[256], want[512];
	snprintf(path, sizeof path, "%s", write_file("typo.conf", "[service]\nport=9000\nprot=1\n"));
	char *argv[] = { "sensor-service", "--config", path, NULL };
	snprintf(want, sizeof want, "config file %s: unknown key 'prot' in group [service]", path);
	expect_error(ARGC(argv), argv, no_env, want);

	/* a real key in the wrong group is unknown there */
	write_file("typo.conf", "[worker]\nport=9000\n");
	snprintf(want, sizeof want, "config file %s: unknown key 'port' in group [worker]", path);
	expect_error(ARGC(argv), argv, no_env, want);

	write_file("typo.conf", "[nonsense]\nkey=1\n");
	snprintf(want, sizeof want, "config file %s: unknown key 'key' in group [nonsense]", path);
	expect_error(ARGC(argv), argv, no_env, want);
}

static void test_wrong_type(void **state)
{
	(void)state;
	char path[256], want[512];
	snprintf(path, sizeof path, "%s", write_file("bad.conf", "[worker]\nchannels=many\n"));
	char *argv_file[] = { "sensor-service", "--config", path, NULL };
	snprintf(want, sizeof want, "config file %s [worker]: option 'channels' needs an integer, got 'many'", path);
	expect_error(ARGC(argv_file), argv_file, no_env, want);

	char *argv[] = { "sensor-service", NULL };
	char *env[] = { "SENSOR_PORT=abc", NULL };
	expect_error(ARGC(argv), argv, env, "environment SENSOR_PORT: option 'port' needs an integer, got 'abc'");
	char *env_bool[] = { "SENSOR_DEBUG_ENDPOINT=maybe", NULL };
	expect_error(ARGC(argv), argv, env_bool,
		     "environment SENSOR_DEBUG_ENDPOINT: option 'debug-endpoint' needs true or false, got 'maybe'");

	char *argv_flag[] = { "sensor-service", "--port", "12x", NULL };
	expect_error(ARGC(argv_flag), argv_flag, no_env, "flag --port: option 'port' needs an integer, got '12x'");
	char *argv_float[] = { "sensor-service", "--window", "64.5", NULL };
	expect_error(ARGC(argv_float), argv_float, no_env,
		     "flag --window: option 'window' needs an integer, got '64.5'");
	char *argv_huge[] = { "sensor-service", "--seed", "99999999999999999999999", NULL };
	expect_error(ARGC(argv_huge), argv_huge, no_env,
		     "flag --seed: option 'seed' needs an integer, got '99999999999999999999999'");
}

static void test_out_of_range(void **state)
{
	(void)state;
	char *argv_hi[] = { "sensor-service", "--port", "70000", NULL };
	expect_error(ARGC(argv_hi), argv_hi, no_env,
		     "flag --port: option 'port' must be between 1 and 65535, got 70000");
	char *argv_lo[] = { "sensor-service", "--port", "0", NULL };
	expect_error(ARGC(argv_lo), argv_lo, no_env, "flag --port: option 'port' must be between 1 and 65535, got 0");
	char *argv_neg[] = { "sensor-service", "--seed", "-1", NULL };
	expect_error_containing(ARGC(argv_neg), argv_neg, no_env, "option 'seed' must be between 0 and");

	char *argv[] = { "sensor-service", NULL };
	char *env[] = { "SENSOR_CHANNELS=1025", NULL };
	expect_error(ARGC(argv), argv, env,
		     "environment SENSOR_CHANNELS: option 'channels' must be between 0 and 1024, got 1025");
	char *env_ring[] = { "SENSOR_RING_CAPACITY=8", NULL };
	expect_error(ARGC(argv), argv, env_ring,
		     "environment SENSOR_RING_CAPACITY: option 'ring-capacity' must be between 16 and 1048576, got 8");

	char path[256], want[512];
	snprintf(path, sizeof path, "%s", write_file("range.conf", "[supervisor]\nstop-timeout-ms=1\n"));
	char *argv_file[] = { "sensor-service", "--config", path, NULL };
	snprintf(want, sizeof want,
		 "config file %s [supervisor]: option 'stop-timeout-ms' must be between 10 and 600000, got 1", path);
	expect_error(ARGC(argv_file), argv_file, no_env, want);
}

static void test_empty_values(void **state)
{
	(void)state;
	char path[256], want[512];
	snprintf(path, sizeof path, "%s", write_file("empty.conf", "[service]\nshm-name=\n"));
	char *argv_file[] = { "sensor-service", "--config", path, NULL };
	snprintf(want, sizeof want, "config file %s [service]: option 'shm-name' must not be empty", path);
	expect_error(ARGC(argv_file), argv_file, no_env, want);

	char *argv[] = { "sensor-service", NULL };
	char *env[] = { "SENSOR_LISTEN=", NULL };
	expect_error(ARGC(argv), argv, env, "environment SENSOR_LISTEN: option 'listen' must not be empty");
	char *env_int[] = { "SENSOR_PORT=", NULL };
	expect_error(ARGC(argv), argv, env_int, "environment SENSOR_PORT: option 'port' needs an integer, got ''");
	char *env_bool[] = { "SENSOR_DEBUG_ENDPOINT=", NULL };
	expect_error(ARGC(argv), argv, env_bool,
		     "environment SENSOR_DEBUG_ENDPOINT: option 'debug-endpoint' needs true or false, got ''");
	char *argv_flag[] = { "sensor-service", "--listen", "", NULL };
	expect_error(ARGC(argv_flag), argv_flag, no_env, "flag --listen: option 'listen' must not be empty");
}

static void test_blank_integer_is_not_zero(void **state)
{
	(void)state;
	/* blanks are no number: not silently 0 (seed accepts 0, so this would pass unnoticed) */
	char *argv[] = { "sensor-service", NULL };
	char *env[] = { "SENSOR_SEED=  ", NULL };
	expect_error(ARGC(argv), argv, env, "environment SENSOR_SEED: option 'seed' needs an integer, got '  '");
	char *argv_flag[] = { "sensor-service", "--port", " ", NULL };
	expect_error(ARGC(argv_flag), argv_flag, no_env, "flag --port: option 'port' needs an integer, got ' '");
	char *argv_sign[] = { "sensor-service", "--seed", "-", NULL };
	expect_error(ARGC(argv_sign), argv_sign, no_env, "flag --seed: option 'seed' needs an integer, got '-'");
}

static void test_string_too_long(void **state)
{
	(void)state;
	char listen[100];
	memset(listen, 'a', 64);
	listen[64] = '\0';
	char *argv[] = { "sensor-service", "--listen", listen, NULL };
	expect_error(ARGC(argv), argv, no_env, "flag --listen: option 'listen' is longer than 63 characters");
	/* 63 fits */
	listen[63] = '\0';
	struct config cfg;
	char err[512];
	assert_int_equal(config_load(&cfg, ARGC(argv), argv, no_env, err, sizeof err), CONFIG_RUN);
	assert_string_equal(cfg.listen, listen);
}

static void test_cross_field_checks(void **state)
{
	(void)state;
	char *argv_ring[] = { "sensor-service", "--ring-capacity", "1000", NULL };
	expect_error(ARGC(argv_ring), argv_ring, no_env, "option 'ring-capacity' must be a power of two, got 1000");

	char *argv_backoff[] = { "sensor-service", "--backoff-min-ms", "5000", "--backoff-max-ms", "1000", NULL };
	expect_error(ARGC(argv_backoff), argv_backoff, no_env,
		     "option 'backoff-min-ms' (5000) must not exceed 'backoff-max-ms' (1000)");
	/* equal is fine */
	struct config cfg;
	char err[512];
	char *argv_eq[] = { "sensor-service", "--backoff-min-ms", "1000", "--backoff-max-ms", "1000", NULL };
	assert_int_equal(config_load(&cfg, ARGC(argv_eq), argv_eq, no_env, err, sizeof err), CONFIG_RUN);

	char *argv_shm[] = { "sensor-service", "--shm-name", "noslash", NULL };
	expect_error(ARGC(argv_shm), argv_shm, no_env,
		     "option 'shm-name' must be '/' followed by 1-250 characters without '/', got 'noslash'");
	char *argv_shm2[] = { "sensor-service", "--shm-name", "/a/b", NULL };
	expect_error_containing(ARGC(argv_shm2), argv_shm2, no_env, "option 'shm-name'");

	char *argv_hb[] = { "sensor-service", "--heartbeat-timeout-ms", "150", "--sample-interval-ms", "100", NULL };
	expect_error(ARGC(argv_hb), argv_hb, no_env,
		     "option 'heartbeat-timeout-ms' (150) must be at least twice 'sample-interval-ms' (100)");
	/* a tick waiting for slow reads must leave the heartbeat fresh */
	char *argv_tick[] = { "sensor-service",
			      "--heartbeat-timeout-ms",
			      "1000",
			      "--tick-budget-ms",
			      "600",
			      "--sample-interval-ms",
			      "100",
			      NULL };
	expect_error(ARGC(argv_tick), argv_tick, no_env,
		     "option 'heartbeat-timeout-ms' (1000) must be at least twice 'tick-budget-ms' (600)");
	char *argv_read[] = { "sensor-service", "--read-timeout-ms", "0", NULL };
	expect_error_containing(ARGC(argv_read), argv_read, no_env, "option 'read-timeout-ms' must be between 1 and");

	char *argv_prio[] = { "sensor-service", "--processing-priority", "fast", NULL };
	expect_error(ARGC(argv_prio), argv_prio, no_env,
		     "flag --processing-priority: option 'processing-priority': must be idle or nice");

	/* each within its range, but together a spectrum step of ~21 s: more than half the 5 s timeout
	 * (the simulated set of three has a vibration channel) */
	char *argv_big[] = { "sensor-service", "--simulate", "--window", "65536", "--ring-capacity", "65536", NULL };
	expect_error(ARGC(argv_big), argv_big, no_env,
		     "options 'window' (65536) and 'ring-capacity' (65536) allow a processing step of 21.5 s on a "
		     "slow core, more than half 'heartbeat-timeout-ms' (5000): lower them or raise the timeout");
	char *argv_big_ok[] = { "sensor-service",         "--simulate", "--window", "65536", "--ring-capacity", "65536",
				"--heartbeat-timeout-ms", "60000",      NULL };
	assert_int_equal(config_load(&cfg, ARGC(argv_big_ok), argv_big_ok, no_env, err, sizeof err), CONFIG_RUN);
	/* no vibration channel among two simulated ones: no spectrum, no bound */
	char *argv_nospec[] = { "sensor-service", "--window",   "65536", "--ring-capacity",
				"65536",          "--channels", "2",     NULL };
	assert_int_equal(config_load(&cfg, ARGC(argv_nospec), argv_nospec, no_env, err, sizeof err), CONFIG_RUN);
	/* discovered sensors (the default) take no spectrum: no bound either */
	char *argv_disc[] = { "sensor-service", "--window", "65536", "--ring-capacity", "65536", NULL };
	assert_int_equal(config_load(&cfg, ARGC(argv_disc), argv_disc, no_env, err, sizeof err), CONFIG_RUN);
}

static void test_worst_step_estimate(void **state)
{
	(void)state;
	/* defaults: one vibration channel, 512 readings: 131072 steps */
	assert_true(processing_worst_step_s(512, 4096, 1) * PROCESSING_DFT_STEPS_PER_S == 131072.0);
	/* the ring feeds at most ring / window channels a full window at once */
	assert_true(processing_worst_step_s(8192, 16384, 10) * PROCESSING_DFT_STEPS_PER_S == 2 * 8192.0 * 8192 / 2);
	/* a window beyond the ring is cut to the ring */
	assert_true(processing_worst_step_s(1 << 20, 1024, 3) == processing_worst_step_s(1024, 1024, 3));
	assert_true(processing_worst_step_s(512, 4096, 0) == 0.0);
}

static void test_command_line_errors(void **state)
{
	(void)state;
	char *argv_unknown[] = { "sensor-service", "--bogus", NULL };
	expect_error_containing(ARGC(argv_unknown), argv_unknown, no_env, "--bogus");
	expect_error_containing(ARGC(argv_unknown), argv_unknown, no_env, "(try --help)");

	char *argv_missing[] = { "sensor-service", "--port", NULL };
	expect_error_containing(ARGC(argv_missing), argv_missing, no_env, "--port");

	char *argv_extra[] = { "sensor-service", "--port", "9000", "extra", NULL };
	expect_error(ARGC(argv_extra), argv_extra, no_env, "unexpected argument 'extra' (try --help)");
}

static void test_too_many_flags(void **state)
{
	(void)state;
	/* flags are recorded in a fixed table: overflowing it is an error, not a crash */
	char *argv[1 + 2 * 100 + 1];
	int argc = 0;
	argv[argc++] = "sensor-service";
	for (int i = 0; i < 100; i++) {
		argv[argc++] = "--seed";
		argv[argc++] = "5";
	}
	argv[argc] = NULL;
	expect_error_containing(argc, argv, no_env, "unexpected option --seed");

	/* and a full table is still fine */
	struct config cfg;
	char err[512];
	assert_int_equal(config_load(&cfg, 1 + 2 * 64, argv, no_env, err, sizeof err), CONFIG_RUN);
	assert_int_equal(cfg.seed, 5);
}

static void test_config_file_errors(void **state)
{
	(void)state;
	char *argv_missing[] = { "sensor-service", "--config", "/nonexistent/sensor.conf", NULL };
	expect_error_containing(ARGC(argv_missing), argv_missing, no_env, "config file /nonexistent/sensor.conf: ");

	char path[256];
	snprintf(path, sizeof path, "%s", write_file("junk.conf", "this is not a key file\n"));
	char *argv_junk[] = { "sensor-service", "--config", path, NULL };
	char want[300];
	snprintf(want, sizeof want, "config file %s: ", path);
	expect_error_containing(ARGC(argv_junk), argv_junk, no_env, want);
}

static void test_error_leaves_no_state_behind(void **state)
{
	(void)state;
	/* flags recorded by a failed load do not leak into the next one */
	char *argv_bad[] = { "sensor-service", "--port", "9999", "--channels", "-1", NULL };
	expect_error_containing(ARGC(argv_bad), argv_bad, no_env, "option 'channels'");
	struct config cfg;
	char err[512];
	char *argv[] = { "sensor-service", NULL };
	assert_int_equal(config_load(&cfg, ARGC(argv), argv, no_env, err, sizeof err), CONFIG_RUN);
	assert_int_equal(cfg.port, 8000);
	assert_int_equal(cfg.channels, 0);
}

/* ---- config_apply_keyfile_data ---- */

static void test_apply_keyfile_data(void **state)
{
	(void)state;
	struct config cfg, want;
	char err[512] = "";
	config_defaults(&cfg);
	config_defaults(&want);

	assert_int_equal(config_apply_keyfile_data(&cfg, "", 0, "empty", err, sizeof err), 0);
	assert_memory_equal(&cfg, &want, sizeof cfg);

	const char *data = "[worker]\nseed=5\nwindow=128\n[service]\ndebug-endpoint=yes\n";
	assert_int_equal(config_apply_keyfile_data(&cfg, data, strlen(data), "mem", err, sizeof err), 0);
	want.seed = 5;
	want.window = 128;
	want.debug_endpoint = true;
	assert_memory_equal(&cfg, &want, sizeof cfg);

	/* the data need not be NUL-terminated: only len bytes count */
	const char *partial = "[worker]\nseed=6\nwindow=oops\n";
	assert_int_equal(config_apply_keyfile_data(&cfg, partial, strlen("[worker]\nseed=6\n"), "mem", err, sizeof err),
			 0);
	assert_int_equal(cfg.seed, 6);

	const char *bad = "[worker]\nwindow=4\n";
	assert_int_equal(config_apply_keyfile_data(&cfg, bad, strlen(bad), "mem", err, sizeof err), -1);
	assert_string_equal(err, "config file mem [worker]: option 'window' must be between 8 and 1048576, got 4");

	const char *garbage = "[unterminated\n";
	assert_int_equal(config_apply_keyfile_data(&cfg, garbage, strlen(garbage), "mem", err, sizeof err), -1);
	assert_memory_equal(err, "config file mem: ", strlen("config file mem: "));

	const char *unknown = "[service]\nnope=1\n";
	assert_int_equal(config_apply_keyfile_data(&cfg, unknown, strlen(unknown), "mem", err, sizeof err), -1);
	assert_string_equal(err, "config file mem: unknown key 'nope' in group [service]");
}

static void test_validate_direct(void **state)
{
	(void)state;
	struct config cfg;
	char err[512] = "";
	config_defaults(&cfg);
	assert_int_equal(config_validate(&cfg, err, sizeof err), 0);
	cfg.ring_capacity = 48;
	assert_int_equal(config_validate(&cfg, err, sizeof err), -1);
	assert_string_equal(err, "option 'ring-capacity' must be a power of two, got 48");
	config_defaults(&cfg);
	snprintf(cfg.shm_name, sizeof cfg.shm_name, "/");
	assert_int_equal(config_validate(&cfg, err, sizeof err), -1);
	assert_non_null(strstr(err, "shm-name"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_config_file),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_flag_spellings),
		cmocka_unit_test(test_log_level),
		cmocka_unit_test(test_bool_spellings),
		cmocka_unit_test(test_integer_whitespace),
		cmocka_unit_test(test_print_config),
		cmocka_unit_test(test_print_config_round_trips),
		cmocka_unit_test(test_print_config_refuses_bad_values),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_empty_values),
		cmocka_unit_test(test_blank_integer_is_not_zero),
		cmocka_unit_test(test_string_too_long),
		cmocka_unit_test(test_cross_field_checks),
		cmocka_unit_test(test_worst_step_estimate),
		cmocka_unit_test(test_command_line_errors),
		cmocka_unit_test(test_too_many_flags),
		cmocka_unit_test(test_config_file_errors),
		cmocka_unit_test(test_error_leaves_no_state_behind),
		cmocka_unit_test(test_apply_keyfile_data),
		cmocka_unit_test(test_validate_direct),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
