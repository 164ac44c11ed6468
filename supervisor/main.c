/*
 * main.c - the sensor-service binary: read the configuration, open the
 * listening socket and the push input's sockets, create the shared segment, supervise the worker and
 * the exporter, and remove the segment on the way out.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../common/config.h"
#include "../common/log.h"
#include "../common/proctitle.h"
#include "../shm/segment.h"
#include "../worker/discovery.h"
#include "../shm/view.h"
#include "../worker/list_sensors.h"
#include "../worker/settings.h"
#include "../worker/source.h"
#include "../worker/textfile.h"
#include "../exporter/web.h"
#include "listener.h"
#include "pushsock.h"
#include "supervise.h"
#include "taskbudget.h"

extern char **environ;

int main(int argc, char **argv)
{
	/* static: zero pages that config_load leaves untouched where it
	 * writes nothing (common/config.c), instead of 280 KB of stack */
	static struct config cfg;
	char err[512];

	proctitle_init(argc, argv);
	config_add_check(worker_settings_check);
	switch (config_load(&cfg, argc, argv, environ, err, sizeof err)) {
	case CONFIG_EXIT_OK: return 0;
	case CONFIG_EXIT_ERROR: fprintf(stderr, "sensor-service: %s\n", err); return 2;
	case CONFIG_RUN: break;
	}
	enum log_level level = LOG_LEVEL_INFO;
	(void)log_level_parse(cfg.log_level, &level); /* checked when it was read */
	log_set_level(level);
	discovery_configure(&cfg);
	if (cfg.list_sensors) {
		list_sensors(stdout, cfg.sysfs_root);
		list_channels(stdout, &cfg);
		return 0;
	}

	if (task_budget_check(&cfg, "", err, sizeof err) != 0) {
		fprintf(stderr, "sensor-service: %s\n", err);
		return 2;
	}
	if (strcmp(cfg.web_config_file, "none") != 0 &&
	    web_check(cfg.web_config_file, cfg.auth_max_bcrypt_cost, err, sizeof err) != 0) {
		fprintf(stderr, "sensor-service: %s\n", err);
		return 2;
	}

	int listen_fd = listener_open(cfg.listen, cfg.port, err, sizeof err);
	if (listen_fd < 0) {
		fprintf(stderr, "sensor-service: %s\n", err);
		return 1;
	}
	struct pushsock push;
	if (pushsock_open(&push, config_push_socket_on(&cfg) ? cfg.push_socket : NULL, cfg.push_socket_mode,
			  cfg.push_udp_port, err, sizeof err) != 0) {
		fprintf(stderr, "sensor-service: %s\n", err);
		close(listen_fd);
		return 1;
	}

	struct shm_params params = {
		.ring_capacity = (uint32_t)cfg.ring_capacity,
		.channel_count = source_channel_count(&cfg),
		.heartbeat_timeout_ms = (uint32_t)cfg.heartbeat_timeout_ms,
		.copy_max_age_ms = (uint32_t)cfg.shm_copy_max_age_ms,
		.textfile_capacity = textfile_capacity(&cfg),
	};
	struct shm_segment *seg = shm_create(cfg.shm_name, &params, err, sizeof err);
	if (!seg) {
		fprintf(stderr, "sensor-service: %s\n", err);
		close(listen_fd);
		pushsock_close(&push);
		return 1;
	}
	if (!shm_atomics_lock_free(seg)) {
		fprintf(stderr, "sensor-service: this CPU has no lock-free 32- and 64-bit atomics; the processes "
				"would not exclude each other in shared memory (see shm/lockfree.h)\n");
		shm_unmap(seg, seg->hdr.pre.total_size);
		shm_remove(cfg.shm_name);
		close(listen_fd);
		pushsock_close(&push);
		return 1;
	}
	source_describe_channels(seg, &cfg);
	/* The structure is complete: every process (the children inherit it)
	 * reads it from this private copy from now on. */
	size_t seg_size = shm_segment_total_size(params.ring_capacity, params.textfile_capacity);
	if (shm_view_capture(seg, seg_size, err, sizeof err) != 0) {
		fprintf(stderr, "sensor-service: %s\n", err);
		close(listen_fd);
		pushsock_close(&push);
		shm_unmap(seg, seg_size);
		shm_remove(cfg.shm_name);
		return 1;
	}
	log_info("sensor-service %s: segment %s (%zu bytes, ring %u), listening on %s:%d", SENSOR_VERSION, cfg.shm_name,
		 seg_size, params.ring_capacity, cfg.listen, cfg.port);

	int rc = supervise(seg, &cfg, listen_fd, &push);

	close(listen_fd);
	pushsock_close(&push);
	shm_view_release(seg);
	shm_unmap(seg, seg_size);
	if (shm_remove(cfg.shm_name) != 0)
		log_warn("cannot remove segment %s", cfg.shm_name);
	log_info("stopped");
	return rc;
}
