/*
 * config.h - the service's settings and where they come from.
 *
 * Precedence, weakest first: built-in defaults, the GKeyFile config file
 * (--config), environment variables (SENSOR_*), command-line flags. Every
 * value from every source goes through the same parser and range check,
 * and an error always names the option and the source.
 */
#ifndef SENSOR_COMMON_CONFIG_H
#define SENSOR_COMMON_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "channels.h"

/* SENSOR_VERSION: generated from debian/changelog by the Makefile. */
#include "version.h"

/* A default the build reads too: the systemd unit's TasksMax= follows
 * from it (supervisor/taskbudget.h's TASK_BUDGET_AT_DEFAULTS). */
#define CONFIG_READER_THREADS_MAX_DEFAULT 10

struct config {
	/* service */
	char listen[64];
	int port;
	char shm_name[128];
	bool debug_endpoint;
	char log_level[8]; /* error|warn|info|debug (common/log.h) */
	char vm_url[256];  /* VictoriaMetrics that /dashboard queries */
	/* worker */
	int channels;
	int sample_interval_ms;
	int process_interval_ms;
	int ring_capacity;
	int window;
	int seed;
	int worker_memory_mb;
	int worker_nice;
	char processing_priority[8]; /* idle|nice (worker/processing_thread.h) */
	/* real sensors (common/channels.h, worker/source.h) */
	char sysfs_root[128];   /* where /sys is: "/" or a test fixture */
	char push_socket[108];  /* Unix datagram socket of the push input; "none": off */
	int push_socket_mode;   /* its permission bits: who may push */
	int push_udp_port;      /* UDP port on 127.0.0.1 of the push input; 0 off */
	int push_max_per_tick;  /* datagrams read per sampling tick */
	int push_rate;          /* push lines accepted per second */
	int push_max_age_s;     /* pushed timestamps older than this are refused */
	int push_max_skew_ms;   /* and those further ahead of the clock than this */
	int read_timeout_ms;    /* a sensor read out longer is given up */
	int tick_budget_ms;     /* longest wait of one tick for reads */
	int limits_interval_ms; /* how often to read the kernel's limits */
	int reader_threads;     /* threads reading sensors that can block */
	int reader_threads_max; /* with those held by stuck reads replaced */
	/* without [channel] groups (worker/discovery.h) */
	bool simulate;                 /* the simulated set, not discovery */
	bool discovery;                /* discovered sensors beside the configured */
	char discovery_include[256];   /* glob patterns of channel names */
	char discovery_exclude[256];   /* "none": exclude nothing */
	int discovery_rescan_ms;       /* look for new sensors this often; 0 never */
	bool discovered;               /* set by discovery: chans came from it */
	bool list_sensors;             /* --list-sensors: print what sysfs_root has, exit */
	struct channel_set chans;      /* [channel NAME] groups; none: `channels` simulated */
	bool node_families;            /* node_exporter's hwmon/thermal_zone series (worker/nodehw.h) */
	int node_families_interval_ms; /* how often their files are read */
	/* the host's vital signs (worker/host.h) */
	int host_interval_ms;  /* sampled this often */
	char procfs_root[128]; /* where /proc is: "/" or the host's, mounted elsewhere */
	char rootfs[128];      /* where the host's / is, for its file systems */
	bool collector_cpu, collector_meminfo, collector_loadavg, collector_stat, collector_pressure;
	bool collector_uname, collector_filesystem, collector_netdev, collector_diskstats;
	int host_cpus_max, host_filesystems_max, host_netdevs_max, host_disks_max;
	/* textfile collector (worker/textfile.h) */
	char textfile_directory[256]; /* *.prom files served in /metrics; "none": off */
	int textfile_interval_ms;     /* read again this often */
	int textfile_max_files;       /* files beyond it (in name order) are refused */
	int textfile_max_file_bytes;  /* a larger file is refused */
	int textfile_max_series;      /* series of all files together */
	int textfile_max_bytes;       /* text served, all files together: the segment's buffers */
	/* exporter */
	int exporter_memory_mb;
	int max_connections;       /* open HTTP connections; the oldest idle one makes room */
	int request_timeout_ms;    /* a request must be complete this long after it may start */
	char web_config_file[256]; /* TLS and basic auth (exporter/webconfig.h); "none": off */
	int shm_copy_max_age_ms;   /* a record the worker keeps busy is served from its last good copy this long */
	int web_config_poll_ms;    /* the web config and its files checked for changes this often; 0: never */
	int auth_max_bcrypt_cost;  /* a basic-auth user's hash above it is refused at start */
	int auth_verifiers;        /* bcrypt threads */
	int auth_queue;            /* checks waiting for a thread; more answer 429 */
	int auth_busy_percent;     /* of one core, the most the bcrypt threads use */
	int auth_cache_entries;    /* verified credentials remembered */
	int auth_cache_idle_s;     /* a remembered credential unused this long is forgotten */
	/* supervisor */
	int heartbeat_timeout_ms;
	int backoff_min_ms;
	int backoff_max_ms;
	int stop_timeout_ms;
	int rss_interval_ms;   /* how often the supervisor reads the processes' resident memory */
	int memory_reserve_mb; /* kept aside when child caps are fitted into a cgroup limit */
	/* testing aid: fault injection spec (common/fault.h), "none" when off */
	char fault[256];
	/* where it came from */
	char config_file[256];
};

enum config_action { CONFIG_RUN, CONFIG_EXIT_OK, CONFIG_EXIT_ERROR };

/*
 * Fill `cfg` from defaults, file, environment and argv. On
 * CONFIG_EXIT_ERROR a one-line message is in err; CONFIG_EXIT_OK means
 * --help, --version or --print-config already printed what was asked.
 */
enum config_action config_load(struct config *cfg, int argc, char **argv, char **envp, char *err, size_t errlen);

/* Built-in defaults only. */
void config_defaults(struct config *cfg);

/* Parse a GKeyFile text into cfg (used by config_load and the fuzzer). */
int config_apply_keyfile_data(struct config *cfg, const char *data, size_t len, const char *origin, char *err,
			      size_t errlen);

/* Is `url` an http(s) URL safe to print into HTML (option vm-url)? */
bool config_url_valid(const char *url);

/* Is the push input on: its Unix socket (push-socket not "none"), and any
 * of its sockets (or a UDP port)? Decided here for the checks, the
 * supervisor and the worker alike. */
bool config_push_socket_on(const struct config *cfg);
bool config_push_on(const struct config *cfg);

/* Cross-field checks (e.g. backoff_min <= backoff_max). */
int config_validate(const struct config *cfg, char *err, size_t errlen);

/* A check of settings together that the folder owning them decides (the
 * worker's processing step, say): 0, or -1 with a one-line reason in err.
 * The entry point adds each before config_load, which runs them after its
 * own; common/ knows nothing of the folders above it. */
typedef int (*config_check_fn)(const struct config *cfg, char *err, size_t errlen);
void config_add_check(config_check_fn check);

/* Write the effective settings in config-file syntax. */
void config_print(const struct config *cfg, FILE *out);

#endif
