/*
 * config.c - one table of options drives the config file, the environment
 * and the command line, so the three can never disagree on names, types
 * or ranges.
 */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../shm/layout.h"
#include "../shm/segment.h"
#include "fault.h"
#include "log.h"

enum opt_type { OPT_INT, OPT_STRING, OPT_BOOL, OPT_MODE };

struct option_desc {
	const char *flag;  /* long flag, also the key in the file */
	const char *group; /* config-file group */
	const char *env;   /* environment variable */
	enum opt_type type;
	size_t offset; /* into struct config */
	size_t size;   /* for strings: buffer size */
	long min, max; /* for ints */
	const char *help;
	const char *arg; /* placeholder in --help */
	/* for strings: the owning module's check of the value; fills why */
	int (*check)(const char *text, char *why, size_t whylen);
	long def;            /* the default of an int, mode or bool */
	const char *def_str; /* the default of a string */
};

/* Each option's default is decided here, beside its range: config_defaults()
 * applies them and --help (so the man page) prints them. */
#define INT_OPT(f, g, e, field, lo, hi, def, h)                                                      \
	{                                                                                            \
		f, g, e, OPT_INT, offsetof(struct config, field), 0, lo, hi, h, "N", NULL, def, NULL \
	}
#define STR_OPT(f, g, e, field, def, h, a) CHECKED_STR_OPT(f, g, e, field, def, h, a, NULL)
#define CHECKED_STR_OPT(f, g, e, field, def, h, a, chk)                                                               \
	{                                                                                                             \
		f, g, e, OPT_STRING, offsetof(struct config, field), sizeof(((struct config *)0)->field), 0, 0, h, a, \
			chk, 0, def                                                                                   \
	}
/* File permission bits, written and printed in octal (0660). */
#define MODE_OPT(f, g, e, field, def, h)                                                                  \
	{                                                                                                 \
		f, g, e, OPT_MODE, offsetof(struct config, field), 0, 0, 0777, h, "MODE", NULL, def, NULL \
	}
#define BOOL_OPT(f, g, e, field, def, h)                                                             \
	{                                                                                            \
		f, g, e, OPT_BOOL, offsetof(struct config, field), 0, 0, 1, h, NULL, NULL, def, NULL \
	}

/* The fault-injection spec is checked as soon as it is read (testing aid). */
static int fault_spec_check(const char *spec, char *why, size_t whylen)
{
	struct fault_plan plan;
	return fault_parse(spec, &plan, why, whylen);
}

static int log_level_check(const char *name, char *why, size_t whylen)
{
	enum log_level level;
	if (log_level_parse(name, &level) == 0)
		return 0;
	snprintf(why, whylen, "must be one of %s, got '%s'", log_level_names(), name);
	return -1;
}

/* processing-priority's values; the worker gives them their meaning. */
static int processing_priority_check(const char *text, char *why, size_t whylen)
{
	if (strcmp(text, "idle") == 0 || strcmp(text, "nice") == 0)
		return 0;
	snprintf(why, whylen, "must be idle or nice");
	return -1;
}

/* procfs-root and rootfs: absolute directories, as sysfs-root. */
static int absolute_path_check(const char *text, char *why, size_t whylen)
{
	if (text[0] == '/')
		return 0;
	snprintf(why, whylen, "must be an absolute path, got '%s'", text);
	return -1;
}

#define COLLECTOR_OPT(name, env, field, what) \
	BOOL_OPT("collector-" name, "host", env, field, 1, "Sample " what "; false: leave the collector out")

static const struct option_desc options[] = {
	STR_OPT("listen", "service", "SENSOR_LISTEN", listen, "127.0.0.1", "IPv4/IPv6 address the exporter binds",
		"ADDR"),
	INT_OPT("port", "service", "SENSOR_PORT", port, 1, 65535, 8000, "TCP port of the exporter"),
	STR_OPT("shm-name", "service", "SENSOR_SHM_NAME", shm_name, "/sensor-service", "POSIX shared-memory name",
		"NAME"),
	BOOL_OPT("debug-endpoint", "service", "SENSOR_DEBUG_ENDPOINT", debug_endpoint, 0,
		 "Serve /debug (loopback clients only)"),
	CHECKED_STR_OPT("log-level", "service", "SENSOR_LOG_LEVEL", log_level, "info",
			"Least severe log lines written: error, warn, info or debug", "LEVEL", log_level_check),
	STR_OPT("vm-url", "service", "SENSOR_VM_URL", vm_url, "http://127.0.0.1:8428",
		"VictoriaMetrics the /dashboard page queries from the browser", "URL"),
	INT_OPT("channels", "worker", "SENSOR_CHANNELS", channels, 0, SHM_MAX_CHANNELS, 0,
		"Simulated sensor channels; 0: discover the sensors under sysfs-root instead"),
	/* A second: what most hwmon drivers refresh at (a faster read returns
	 * the same cached value), and on a board every wakeup costs CPU. */
	INT_OPT("sample-interval-ms", "worker", "SENSOR_SAMPLE_INTERVAL_MS", sample_interval_ms, 1, 3600000, 1000,
		"Sampling period of each channel (a sensor's own interval-ms= overrides it)"),
	INT_OPT("process-interval-ms", "worker", "SENSOR_PROCESS_INTERVAL_MS", process_interval_ms, 10, 3600000, 2000,
		"Period of the CPU-heavy processing step"),
	INT_OPT("ring-capacity", "worker", "SENSOR_RING_CAPACITY", ring_capacity, SHM_RING_MIN, SHM_RING_MAX, 4096,
		"Readings kept in the ring, a power of two"),
	INT_OPT("window", "worker", "SENSOR_WINDOW", window, 8, SHM_RING_MAX, 512,
		"Readings per channel analysed per processing step"),
	INT_OPT("seed", "worker", "SENSOR_SEED", seed, 0, INT_MAX, 1, "Seed of the simulated signals"),
	INT_OPT("worker-memory-mb", "worker", "SENSOR_WORKER_MEMORY_MB", worker_memory_mb, 4, 65536, 64,
		"Memory cap of the worker in MiB"),
	INT_OPT("worker-nice", "worker", "SENSOR_WORKER_NICE", worker_nice, 0, 19, 10,
		"Nice value of the worker, so its sampling (and its processing with processing-priority=nice) yields to "
		"the exporter"),
	CHECKED_STR_OPT(
		"processing-priority", "worker", "SENSOR_PROCESSING_PRIORITY", processing_priority, "idle",
		"Scheduling of the CPU-heavy processing step: idle (SCHED_IDLE: preempted by any task that "
		"wakes, so its spikes do not delay the exporter or the sampling) or nice (the worker's nice value)",
		"PRIORITY", processing_priority_check),
	STR_OPT("sysfs-root", "worker", "SENSOR_SYSFS_ROOT", sysfs_root, "/",
		"Directory holding sys/ for the hwmon, thermal, iio and file sources", "DIR"),
	STR_OPT("push-socket", "worker", "SENSOR_PUSH_SOCKET", push_socket, "none",
		"Unix datagram socket for pushed readings, 'channel value [unix-seconds]' lines; none: off", "PATH"),
	MODE_OPT("push-socket-mode", "worker", "SENSOR_PUSH_SOCKET_MODE", push_socket_mode, 0660,
		 "Permissions of the push socket, in octal: who may push (0660: its user and group)"),
	INT_OPT("push-udp-port", "worker", "SENSOR_PUSH_UDP_PORT", push_udp_port, 0, 65535, 0,
		"UDP port on 127.0.0.1 for pushed readings; 0: off"),
	INT_OPT("push-max-per-tick", "worker", "SENSOR_PUSH_MAX_PER_TICK", push_max_per_tick, 1, 65536, 256,
		"Push datagrams read per sampling tick"),
	INT_OPT("push-rate", "worker", "SENSOR_PUSH_RATE", push_rate, 1, 1000000, 1000,
		"Pushed lines accepted per second; the excess is counted and dropped"),
	BOOL_OPT("simulate", "worker", "SENSOR_SIMULATE", simulate, 0,
		 "Sample simulated channels (channels= of them, 3 if it is 0) instead of discovering sensors"),
	INT_OPT("read-timeout-ms", "worker", "SENSOR_READ_TIMEOUT_MS", read_timeout_ms, 1, 600000, 1000,
		"A sensor read not returned after this is given up, counted as reason timeout"),
	INT_OPT("tick-budget-ms", "worker", "SENSOR_TICK_BUDGET_MS", tick_budget_ms, 0, 600000, 50,
		"Longest one sampling tick waits for the sensor reads it started"),
	INT_OPT("limits-interval-ms", "worker", "SENSOR_LIMITS_INTERVAL_MS", limits_interval_ms, 1, 3600000, 5000,
		"How often to read the kernel's limits, alarms and trip points of each sensor"),
	INT_OPT("reader-threads", "worker", "SENSOR_READER_THREADS", reader_threads, 1, 64, 2,
		"Threads that read the sensors whose reads can block (files, hwmon, thermal, iio), whatever the "
		"number of channels"),
	INT_OPT("reader-threads-max", "worker", "SENSOR_READER_THREADS_MAX", reader_threads_max, 1, 256,
		CONFIG_READER_THREADS_MAX_DEFAULT,
		"Reader threads at most, counting those held by reads longer than tick-budget-ms (a slow or stuck bus): "
		"one is started in place of each held one up to this; beyond it reads wait and count as timeouts"),
	BOOL_OPT("discovery", "discovery", "SENSOR_DISCOVERY", discovery, 1,
		 "Sample the hwmon sensors and thermal zones found under sysfs-root, beside the [channel] groups "
		 "(a channel reading the same file replaces the one found); false: the [channel] groups only"),
	STR_OPT("discovery-include", "discovery", "SENSOR_DISCOVERY_INCLUDE", discovery_include, "*",
		"Discovered channels to sample: glob patterns of their names, comma-separated", "PATTERNS"),
	STR_OPT("discovery-exclude", "discovery", "SENSOR_DISCOVERY_EXCLUDE", discovery_exclude, "none",
		"Discovered channels to leave out, as discovery-include", "PATTERNS"),
	INT_OPT("discovery-rescan-ms", "discovery", "SENSOR_DISCOVERY_RESCAN_MS", discovery_rescan_ms, 0, 86400000,
		30000, "Look for sensors that appeared since the start this often; 0: never"),
	BOOL_OPT("node-families", "discovery", "SENSOR_NODE_FAMILIES", node_families, 1,
		 "Write node_exporter's node_hwmon_* and node_thermal_zone_temp series for the hwmon and thermal files "
		 "under sysfs-root, beside the sensor_* families"),
	INT_OPT("node-families-interval-ms", "discovery", "SENSOR_NODE_FAMILIES_INTERVAL_MS", node_families_interval_ms,
		100, 3600000, 1000, "How often the files of the node_exporter series are read"),
	INT_OPT("push-max-age-s", "worker", "SENSOR_PUSH_MAX_AGE_S", push_max_age_s, 1, 31536000, 3600,
		"Pushed timestamps older than this are refused as bad_timestamp"),
	INT_OPT("push-max-skew-ms", "worker", "SENSOR_PUSH_MAX_SKEW_MS", push_max_skew_ms, 0, 600000, 2000,
		"Pushed timestamps further ahead of the clock than this are refused as bad_timestamp"),
	INT_OPT("host-interval-ms", "host", "SENSOR_HOST_INTERVAL_MS", host_interval_ms, 100, 3600000, 5000,
		"How often the worker samples the host's vital signs (node_* families), at the first sampling tick "
		"after each is due (on its own when sample-interval-ms is longer); a scrape shows the last sample"),
	CHECKED_STR_OPT(
		"procfs-root", "host", "SENSOR_PROCFS_ROOT", procfs_root, "/",
		"Directory holding proc/ for the host collectors (the host's, mounted elsewhere in a container)", "DIR",
		absolute_path_check),
	CHECKED_STR_OPT(
		"rootfs", "host", "SENSOR_ROOTFS", rootfs, "/",
		"Where the host's / is: the filesystem collector calls statfs() below it and shows mount points "
		"relative to it",
		"DIR", absolute_path_check),
	COLLECTOR_OPT("cpu", "SENSOR_COLLECTOR_CPU", collector_cpu, "node_cpu_seconds_total (proc/stat)"),
	COLLECTOR_OPT("meminfo", "SENSOR_COLLECTOR_MEMINFO", collector_meminfo, "node_memory_* (proc/meminfo)"),
	COLLECTOR_OPT("loadavg", "SENSOR_COLLECTOR_LOADAVG", collector_loadavg, "node_load1, 5, 15 (proc/loadavg)"),
	COLLECTOR_OPT("stat", "SENSOR_COLLECTOR_STAT", collector_stat,
		      "boot time, context switches, forks, interrupts, procs running and blocked (proc/stat)"),
	COLLECTOR_OPT("pressure", "SENSOR_COLLECTOR_PRESSURE", collector_pressure,
		      "node_pressure_* (proc/pressure, PSI)"),
	COLLECTOR_OPT("uname", "SENSOR_COLLECTOR_UNAME", collector_uname, "node_uname_info (uname())"),
	COLLECTOR_OPT("filesystem", "SENSOR_COLLECTOR_FILESYSTEM", collector_filesystem,
		      "node_filesystem_* (the mounts' statfs(), by the reader threads within read-timeout-ms)"),
	COLLECTOR_OPT("netdev", "SENSOR_COLLECTOR_NETDEV", collector_netdev,
		      "node_network_*_total (proc/net/dev, and sys/class/net/*/statistics/rx_nohandler)"),
	COLLECTOR_OPT("diskstats", "SENSOR_COLLECTOR_DISKSTATS", collector_diskstats, "node_disk_* (proc/diskstats)"),
	INT_OPT("host-cpus-max", "host", "SENSOR_HOST_CPUS_MAX", host_cpus_max, 1, 4096, 64,
		"CPUs the cpu collector shows at most; the rest are left out and counted"),
	INT_OPT("host-filesystems-max", "host", "SENSOR_HOST_FILESYSTEMS_MAX", host_filesystems_max, 1, 1024, 32,
		"File systems the filesystem collector shows at most; the rest are left out and counted"),
	INT_OPT("host-netdevs-max", "host", "SENSOR_HOST_NETDEVS_MAX", host_netdevs_max, 1, 1024, 16,
		"Network devices the netdev collector shows at most; the rest are left out and counted"),
	INT_OPT("host-disks-max", "host", "SENSOR_HOST_DISKS_MAX", host_disks_max, 1, 1024, 16,
		"Disks the diskstats collector shows at most; the rest are left out and counted"),
	STR_OPT("textfile-directory", "textfile", "SENSOR_TEXTFILE_DIRECTORY", textfile_directory, "none",
		"Directory whose *.prom files (Prometheus text format, written elsewhere then renamed into it) are "
		"served in /metrics, as node_exporter's textfile collector; none: off",
		"DIR"),
	INT_OPT("textfile-interval-ms", "textfile", "SENSOR_TEXTFILE_INTERVAL_MS", textfile_interval_ms, 100, 3600000,
		5000, "How often the worker reads the textfile directory again"),
	INT_OPT("textfile-max-files", "textfile", "SENSOR_TEXTFILE_MAX_FILES", textfile_max_files, 1, 4096, 64,
		"*.prom files read at most; those beyond it in name order are refused and reported"),
	INT_OPT("textfile-max-file-bytes", "textfile", "SENSOR_TEXTFILE_MAX_FILE_BYTES", textfile_max_file_bytes, 64,
		(long)SHM_TEXTFILE_MAX_BYTES, 1048576, "A *.prom file larger than this is refused whole and reported"),
	INT_OPT("textfile-max-series", "textfile", "SENSOR_TEXTFILE_MAX_SERIES", textfile_max_series, 1, 10000000,
		50000, "Series of all *.prom files together; a file that would pass it is refused whole and reported"),
	INT_OPT("textfile-max-bytes", "textfile", "SENSOR_TEXTFILE_MAX_BYTES", textfile_max_bytes, 4096,
		(long)SHM_TEXTFILE_MAX_BYTES, 4194304,
		"Text served from all *.prom files together (the shared segment holds twice this); a file that would "
		"pass it is refused whole and reported"),
	INT_OPT("exporter-memory-mb", "exporter", "SENSOR_EXPORTER_MEMORY_MB", exporter_memory_mb, 4, 65536, 64,
		"Memory cap of the exporter in MiB"),
	INT_OPT("max-connections", "exporter", "SENSOR_MAX_CONNECTIONS", max_connections, 8, 65536, 256,
		"Open HTTP connections, at most the fd limit less 64; at the cap a new one closes the oldest idle one"),
	INT_OPT("request-timeout-ms", "exporter", "SENSOR_REQUEST_TIMEOUT_MS", request_timeout_ms, 100, 600000, 10000,
		"Whole-request deadline: a request's headers and body must arrive within it, however slowly they trickle"),
	INT_OPT("shm-copy-max-age-ms", "exporter", "SENSOR_SHM_COPY_MAX_AGE_MS", shm_copy_max_age_ms, 0, 3600000, 6000,
		"A record the writer keeps busy (or died writing) is served from its last good copy while that is "
		"younger than this; 0: dropped at the first failed read"),
	STR_OPT("web-config-file", "exporter", "SENSOR_WEB_CONFIG_FILE", web_config_file, "none",
		"TLS and basic auth of the exporter: a web config file in the Prometheus exporter-toolkit format; "
		"none: plain HTTP, no auth",
		"PATH"),
	INT_OPT("web-config-poll-ms", "exporter", "SENSOR_WEB_CONFIG_POLL_MS", web_config_poll_ms, 0, 3600000, 5000,
		"Check the web config file, its certificate, key and CA for changes this often and re-read them "
		"when one changed (as SIGHUP does); 0: only on SIGHUP"),
	INT_OPT("auth-max-bcrypt-cost", "exporter", "SENSOR_AUTH_MAX_BCRYPT_COST", auth_max_bcrypt_cost, 4, 31, 12,
		"Highest bcrypt cost of a basic-auth user's hash; a higher one is refused at start (each step doubles "
		"the CPU time of a check: cost 12 is about a quarter of a second on a small ARM core)"),
	INT_OPT("auth-verifiers", "exporter", "SENSOR_AUTH_VERIFIERS", auth_verifiers, 1, 16, 1,
		"Threads that check basic-auth passwords with bcrypt, off the exporter's event loop"),
	INT_OPT("auth-queue", "exporter", "SENSOR_AUTH_QUEUE", auth_queue, 1, 1024, 8,
		"Password checks waiting for a verify thread; one more is answered 429 with Retry-After, unhashed"),
	INT_OPT("auth-busy-percent", "exporter", "SENSOR_AUTH_BUSY_PERCENT", auth_busy_percent, 1, 100, 40,
		"Most of one core the verify threads use together under a flood of unknown credentials"),
	INT_OPT("auth-cache-entries", "exporter", "SENSOR_AUTH_CACHE_ENTRIES", auth_cache_entries, 1, 65536, 64,
		"Verified basic-auth credentials remembered (as a keyed digest, never the password)"),
	INT_OPT("auth-cache-idle-s", "exporter", "SENSOR_AUTH_CACHE_IDLE_S", auth_cache_idle_s, 1, 86400, 300,
		"A remembered credential unused this long is forgotten and verified again"),
	INT_OPT("heartbeat-timeout-ms", "supervisor", "SENSOR_HEARTBEAT_TIMEOUT_MS", heartbeat_timeout_ms, 100, 3600000,
		5000, "Restart a child whose heartbeat is older"),
	INT_OPT("backoff-min-ms", "supervisor", "SENSOR_BACKOFF_MIN_MS", backoff_min_ms, 10, 3600000, 250,
		"First restart delay"),
	INT_OPT("backoff-max-ms", "supervisor", "SENSOR_BACKOFF_MAX_MS", backoff_max_ms, 10, 3600000, 30000,
		"Cap of the exponential restart delay"),
	INT_OPT("stop-timeout-ms", "supervisor", "SENSOR_STOP_TIMEOUT_MS", stop_timeout_ms, 10, 600000, 5000,
		"Grace period before SIGKILL on stop"),
	INT_OPT("rss-interval-ms", "supervisor", "SENSOR_RSS_INTERVAL_MS", rss_interval_ms, 100, 3600000, 1000,
		"How often the supervisor reads the three processes' resident memory (/metrics' "
		"sensor_process_resident_memory_bytes); heartbeats and restarts are checked on time whatever it is"),
	INT_OPT("memory-reserve-mb", "supervisor", "SENSOR_MEMORY_RESERVE_MB", memory_reserve_mb, 1, 65536, 8,
		"Memory kept for the supervisor and helpers when the child caps are lowered to fit the cgroup's limit"),
	CHECKED_STR_OPT("fault", "testing", "SENSOR_FAULT", fault, "none",
			"TESTING AID: inject faults, e.g. worker:crash:2000,exporter:leak:8M (PROCESS:KIND:ARG, KIND "
			"leak|crash|hang|exit|spike)",
			"SPEC", fault_spec_check),
};
#define N_OPTIONS (sizeof options / sizeof options[0])

/* Already zero (a static config)? Read, not written: the channel table's
 * pages that a small configuration never uses then stay unallocated, in
 * the supervisor and in the children that inherit them. */
static bool all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	return n == 0 || (b[0] == 0 && memcmp(b, b + 1, n - 1) == 0);
}

void config_defaults(struct config *cfg)
{
	if (!all_zero(cfg, sizeof *cfg))
		memset(cfg, 0, sizeof *cfg);
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct option_desc *o = &options[i];
		char *field = (char *)cfg + o->offset;
		switch (o->type) {
		case OPT_INT:
		case OPT_MODE: *(int *)field = (int)o->def; break;
		case OPT_BOOL: *(bool *)field = o->def != 0; break;
		case OPT_STRING: snprintf(field, o->size, "%s", o->def_str); break;
		}
	}
}

/* An option's --help text: its description and its default. */
static gchar *help_text(const struct option_desc *o)
{
	switch (o->type) {
	case OPT_INT: return g_strdup_printf("%s (default %ld)", o->help, o->def);
	case OPT_MODE: return g_strdup_printf("%s (default %04lo)", o->help, (unsigned long)o->def);
	case OPT_BOOL: return g_strdup_printf("%s (default %s)", o->help, o->def ? "true" : "false");
	case OPT_STRING: return g_strdup_printf("%s (default %s)", o->help, o->def_str);
	}
	return g_strdup(o->help);
}

static const struct option_desc *find_option(const char *flag)
{
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (strcmp(options[i].flag, flag) == 0)
			return &options[i];
	return NULL;
}

/* Parse `text` as the option's type, range-check it and store it. */
static int apply_value(struct config *cfg, const struct option_desc *o, const char *text, const char *source, char *err,
		       size_t errlen)
{
	char *field = (char *)cfg + o->offset;
	const char *t = text ? text : "";

	switch (o->type) {
	case OPT_INT: {
		char *end = NULL;
		errno = 0;
		long v = strtol(t, &end, 10);
		if (end == t)
			end = NULL; /* no digits at all, e.g. only blanks: not 0 */
		while (end && (*end == ' ' || *end == '\t'))
			end++;
		if (*t == '\0' || errno != 0 || !end || *end != '\0') {
			snprintf(err, errlen, "%s: option '%s' needs an integer, got '%s'", source, o->flag, t);
			return -1;
		}
		if (v < o->min || v > o->max) {
			snprintf(err, errlen, "%s: option '%s' must be between %ld and %ld, got %ld", source, o->flag,
				 o->min, o->max, v);
			return -1;
		}
		*(int *)field = (int)v;
		return 0;
	}
	case OPT_MODE: {
		char *end = NULL;
		long v = strtol(t, &end, 8);
		if (*t < '0' || *t > '7' || *end != '\0' || v < o->min || v > o->max) {
			snprintf(err, errlen, "%s: option '%s' needs octal permission bits (0000-0777), got '%s'",
				 source, o->flag, t);
			return -1;
		}
		*(int *)field = (int)v;
		return 0;
	}
	case OPT_BOOL:
		if (!strcmp(t, "1") || !g_ascii_strcasecmp(t, "true") || !g_ascii_strcasecmp(t, "yes")) {
			*(bool *)field = true;
		} else if (!strcmp(t, "0") || !g_ascii_strcasecmp(t, "false") || !g_ascii_strcasecmp(t, "no")) {
			*(bool *)field = false;
		} else {
			snprintf(err, errlen, "%s: option '%s' needs true or false, got '%s'", source, o->flag, t);
			return -1;
		}
		return 0;
	case OPT_STRING:
		if (*t == '\0') {
			snprintf(err, errlen, "%s: option '%s' must not be empty", source, o->flag);
			return -1;
		}
		if (strlen(t) >= o->size) {
			snprintf(err, errlen, "%s: option '%s' is longer than %zu characters", source, o->flag,
				 o->size - 1);
			return -1;
		}
		if (o->check) {
			char why[200];
			if (o->check(t, why, sizeof why) != 0) {
				snprintf(err, errlen, "%s: option '%s': %s", source, o->flag, why);
				return -1;
			}
		}
		memcpy(field, t, strlen(t) + 1);
		return 0;
	}
	return -1;
}

int config_apply_keyfile_data(struct config *cfg, const char *data, size_t len, const char *origin, char *err,
			      size_t errlen)
{
	GKeyFile *kf = g_key_file_new();
	GError *gerr = NULL;
	int rc = 0;

	if (!g_key_file_load_from_data(kf, data, len, G_KEY_FILE_NONE, &gerr)) {
		snprintf(err, errlen, "config file %s: %s", origin, gerr->message);
		g_error_free(gerr);
		g_key_file_free(kf);
		return -1;
	}
	gsize ngroups = 0;
	gchar **groups = g_key_file_get_groups(kf, &ngroups);
	for (gsize g = 0; rc == 0 && g < ngroups; g++) {
		if (channels_is_group(groups[g])) {
			rc = channels_parse_group(&cfg->chans, kf, groups[g], origin, err, errlen);
			continue;
		}
		gsize nkeys = 0;
		gchar **keys = g_key_file_get_keys(kf, groups[g], &nkeys, NULL);
		for (gsize k = 0; rc == 0 && keys && k < nkeys; k++) {
			const struct option_desc *o = find_option(keys[k]);
			if (!o || strcmp(o->group, groups[g]) != 0) {
				snprintf(err, errlen, "config file %s: unknown key '%s' in group [%s]", origin, keys[k],
					 groups[g]);
				rc = -1;
				break;
			}
			gchar *raw = g_key_file_get_value(kf, groups[g], keys[k], NULL);
			gchar *val = raw ? g_strstrip(raw) : NULL;
			char source[320];
			snprintf(source, sizeof source, "config file %s [%s]", origin, groups[g]);
			rc = apply_value(cfg, o, val, source, err, errlen);
			g_free(raw);
		}
		g_strfreev(keys);
	}
	g_strfreev(groups);
	g_key_file_free(kf);
	return rc;
}

static int apply_file(struct config *cfg, const char *path, char *err, size_t errlen)
{
	gchar *data = NULL;
	gsize len = 0;
	GError *gerr = NULL;
	if (!g_file_get_contents(path, &data, &len, &gerr)) {
		snprintf(err, errlen, "config file %s: %s", path, gerr->message);
		g_error_free(gerr);
		return -1;
	}
	int rc = config_apply_keyfile_data(cfg, data, len, path, err, errlen);
	g_free(data);
	return rc;
}

static int apply_env(struct config *cfg, char **envp, char *err, size_t errlen)
{
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const char *v = g_environ_getenv(envp, options[i].env);
		if (!v)
			continue;
		char source[96];
		snprintf(source, sizeof source, "environment %s", options[i].env);
		if (apply_value(cfg, &options[i], v, source, err, errlen) != 0)
			return -1;
	}
	return 0;
}

/* The sources' settings: sysfs root, push input, channels that need it. */
bool config_push_socket_on(const struct config *cfg)
{
	return strcmp(cfg->push_socket, "none") != 0;
}

bool config_push_on(const struct config *cfg)
{
	return config_push_socket_on(cfg) || cfg->push_udp_port > 0;
}

static int validate_sources(const struct config *cfg, char *err, size_t errlen)
{
	if (cfg->sysfs_root[0] != '/') {
		snprintf(err, errlen, "option 'sysfs-root' must be an absolute path, got '%s'", cfg->sysfs_root);
		return -1;
	}
	if (config_push_socket_on(cfg) && cfg->push_socket[0] != '/') {
		snprintf(err, errlen, "option 'push-socket' must be an absolute path or none, got '%s'",
			 cfg->push_socket);
		return -1;
	}
	for (unsigned i = 0; i < cfg->chans.count; i++)
		if (cfg->chans.chan[i].source == SHM_SOURCE_PUSH && !config_push_on(cfg)) {
			snprintf(err, errlen,
				 "channel '%s' has source=push, but neither 'push-socket' nor 'push-udp-port' is set",
				 cfg->chans.chan[i].name);
			return -1;
		}
	return 0;
}

bool config_url_valid(const char *url)
{
	size_t skip = strncmp(url, "http://", 7) == 0 ? 7 : strncmp(url, "https://", 8) == 0 ? 8 : 0;
	if (skip == 0 || url[skip] == '\0' || url[skip] == '/')
		return false;
	/* Only characters that need no escaping in HTML or JavaScript. */
	return url[strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/[]@%+")] == '\0';
}

/* Checks of settings that a process folder owns (config_add_check). */
#define CONFIG_MAX_CHECKS 8
static config_check_fn checks[CONFIG_MAX_CHECKS];
static size_t n_checks;

void config_add_check(config_check_fn check)
{
	for (size_t i = 0; i < n_checks; i++)
		if (checks[i] == check)
			return;
	if (n_checks < CONFIG_MAX_CHECKS)
		checks[n_checks++] = check;
}

int config_validate(const struct config *cfg, char *err, size_t errlen)
{
	if (validate_sources(cfg, err, errlen) != 0)
		return -1;
	unsigned cap = (unsigned)cfg->ring_capacity;
	if ((cap & (cap - 1)) != 0) {
		snprintf(err, errlen, "option 'ring-capacity' must be a power of two, got %d", cfg->ring_capacity);
		return -1;
	}
	if (cfg->reader_threads > cfg->reader_threads_max) {
		snprintf(err, errlen, "option 'reader-threads' (%d) must not exceed 'reader-threads-max' (%d)",
			 cfg->reader_threads, cfg->reader_threads_max);
		return -1;
	}
	if (cfg->backoff_min_ms > cfg->backoff_max_ms) {
		snprintf(err, errlen, "option 'backoff-min-ms' (%d) must not exceed 'backoff-max-ms' (%d)",
			 cfg->backoff_min_ms, cfg->backoff_max_ms);
		return -1;
	}
	if (!shm_name_valid(cfg->shm_name)) {
		snprintf(err, errlen,
			 "option 'shm-name' must be '/' followed by 1-250 characters without '/', got '%s'",
			 cfg->shm_name);
		return -1;
	}
	if (!config_url_valid(cfg->vm_url)) {
		snprintf(err, errlen,
			 "option 'vm-url' must be an http:// or https:// URL without quotes, "
			 "spaces or query, got '%s'",
			 cfg->vm_url);
		return -1;
	}
	if (cfg->heartbeat_timeout_ms < 2 * cfg->sample_interval_ms) {
		snprintf(err, errlen,
			 "option 'heartbeat-timeout-ms' (%d) must be at least twice 'sample-interval-ms' (%d)",
			 cfg->heartbeat_timeout_ms, cfg->sample_interval_ms);
		return -1;
	}
	if (cfg->heartbeat_timeout_ms < 2 * cfg->tick_budget_ms) {
		snprintf(err, errlen, "option 'heartbeat-timeout-ms' (%d) must be at least twice 'tick-budget-ms' (%d)",
			 cfg->heartbeat_timeout_ms, cfg->tick_budget_ms);
		return -1;
	}
	for (size_t i = 0; i < n_checks; i++)
		if (checks[i](cfg, err, errlen) != 0)
			return -1;
	return 0;
}

/* Whether an option before index i has the same group: each group is
 * printed once, at its first option, whatever the table's order. */
static bool group_seen_before(size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(options[j].group, options[i].group) == 0)
			return true;
	return false;
}

static void print_option(const struct config *cfg, const struct option_desc *o, FILE *out)
{
	const char *field = (const char *)cfg + o->offset;
	switch (o->type) {
	case OPT_INT: fprintf(out, "%s=%d\n", o->flag, *(const int *)field); break;
	case OPT_MODE: fprintf(out, "%s=%04o\n", o->flag, (unsigned)*(const int *)field); break;
	case OPT_BOOL: fprintf(out, "%s=%s\n", o->flag, *(const bool *)field ? "true" : "false"); break;
	case OPT_STRING: fprintf(out, "%s=%s\n", o->flag, field); break;
	}
}

void config_print(const struct config *cfg, FILE *out)
{
	for (size_t i = 0; i < N_OPTIONS; i++) {
		if (group_seen_before(i))
			continue;
		fprintf(out, "%s[%s]\n", i ? "\n" : "", options[i].group);
		for (size_t j = i; j < N_OPTIONS; j++)
			if (strcmp(options[j].group, options[i].group) == 0)
				print_option(cfg, &options[j], out);
	}
	channels_print(&cfg->chans, out);
}

/*
 * Command line. Every option is a GOption callback that only records the
 * text; values are applied after the file and the environment so that
 * flags win whatever their position.
 */
struct flag_value {
	const struct option_desc *o;
	char *text;
};
static struct flag_value flag_values[64];
static size_t n_flag_values;

static gboolean record_flag(const gchar *name, const gchar *value, gpointer data, GError **error)
{
	(void)data;
	const struct option_desc *o = find_option(name + 2); /* skip "--" */
	if (!o || n_flag_values >= sizeof flag_values / sizeof flag_values[0]) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "unexpected option %s", name);
		return FALSE;
	}
	flag_values[n_flag_values].o = o;
	flag_values[n_flag_values].text = g_strdup(value ? value : "true");
	n_flag_values++;
	return TRUE;
}

static void free_flag_values(void)
{
	for (size_t i = 0; i < n_flag_values; i++)
		g_free(flag_values[i].text);
	n_flag_values = 0;
}

enum config_action config_load(struct config *cfg, int argc, char **argv, char **envp, char *err, size_t errlen)
{
	gchar *config_path = NULL;
	gboolean show_version = FALSE, print_config = FALSE, list_sensors = FALSE;
	GOptionEntry entries[N_OPTIONS + 5];
	gchar *helps[N_OPTIONS];
	size_t n = 0;

	config_defaults(cfg);
	free_flag_values();

	entries[n++] = (GOptionEntry){ "config",
				       'c',
				       0,
				       G_OPTION_ARG_FILENAME,
				       &config_path,
				       "GKeyFile config file (see deploy/sensor-service.conf)",
				       "FILE" };
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct option_desc *o = &options[i];
		helps[i] = help_text(o);
		/* booleans take an optional "=false": with NO_ARG, GLib would drop the
		 * value and --debug-endpoint=false would turn the endpoint on */
		entries[n++] = (GOptionEntry){ o->flag,
					       0,
					       o->type == OPT_BOOL ? G_OPTION_FLAG_OPTIONAL_ARG : 0,
					       G_OPTION_ARG_CALLBACK,
					       (gpointer)record_flag,
					       helps[i],
					       o->arg };
	}
	entries[n++] = (GOptionEntry){ "print-config",
				       0,
				       0,
				       G_OPTION_ARG_NONE,
				       &print_config,
				       "Print the effective configuration and exit",
				       NULL };
	entries[n++] = (GOptionEntry){ "list-sensors",
				       0,
				       0,
				       G_OPTION_ARG_NONE,
				       &list_sensors,
				       "Print the hwmon, thermal and IIO sensors under --sysfs-root and exit",
				       NULL };
	entries[n++] = (GOptionEntry){
		"version", 'V', 0, G_OPTION_ARG_NONE, &show_version, "Print the version and exit", NULL
	};
	entries[n] = (GOptionEntry){ NULL, 0, 0, 0, NULL, NULL, NULL };

	GOptionContext *ctx = g_option_context_new("- sensor sampling service with a Prometheus exporter");
	g_option_context_set_summary(
		ctx, "Supervises a sensor worker and an HTTP exporter (/, /metrics, /debug, /dashboard)\n"
		     "that share one POSIX shared-memory segment.");
	g_option_context_set_description(
		ctx, "Settings are read, weakest first, from built-in defaults, the --config file,\n"
		     "SENSOR_* environment variables (e.g. SENSOR_PORT=9100), and flags.\n"
		     "Run with --print-config to see the result.\n");
	g_option_context_add_main_entries(ctx, entries, NULL);

	GError *gerr = NULL;
	enum config_action action = CONFIG_RUN;
	gchar **args = g_new0(gchar *, argc + 1);
	for (int i = 0; i < argc; i++)
		args[i] = argv[i];
	int nargs = argc;
	gchar **parse_args = args;

	if (!g_option_context_parse(ctx, &nargs, &parse_args, &gerr)) {
		snprintf(err, errlen, "%s (try --help)", gerr->message);
		g_error_free(gerr);
		action = CONFIG_EXIT_ERROR;
	} else if (nargs > 1) {
		snprintf(err, errlen, "unexpected argument '%s' (try --help)", parse_args[1]);
		action = CONFIG_EXIT_ERROR;
	} else if (show_version) {
		printf("sensor-service %s\n", SENSOR_VERSION);
		action = CONFIG_EXIT_OK;
	} else if (config_path && apply_file(cfg, config_path, err, errlen) != 0) {
		action = CONFIG_EXIT_ERROR;
	} else if (apply_env(cfg, envp, err, errlen) != 0) {
		action = CONFIG_EXIT_ERROR;
	} else {
		for (size_t i = 0; i < n_flag_values && action == CONFIG_RUN; i++) {
			char source[96];
			snprintf(source, sizeof source, "flag --%s", flag_values[i].o->flag);
			if (apply_value(cfg, flag_values[i].o, flag_values[i].text, source, err, errlen) != 0)
				action = CONFIG_EXIT_ERROR;
		}
		if (action == CONFIG_RUN && config_validate(cfg, err, errlen) != 0)
			action = CONFIG_EXIT_ERROR;
		if (action == CONFIG_RUN && config_path)
			snprintf(cfg->config_file, sizeof cfg->config_file, "%s", config_path);
		cfg->list_sensors = list_sensors;
		if (action == CONFIG_RUN && print_config) {
			config_print(cfg, stdout);
			action = CONFIG_EXIT_OK;
		}
	}

	free_flag_values();
	g_free(args);
	g_free(config_path);
	g_option_context_free(ctx);
	for (size_t i = 0; i < N_OPTIONS; i++)
		g_free(helps[i]);
	return action;
}
