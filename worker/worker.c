/*
 * worker.c - the worker's loop: sample each channel when it is due (see
 * sampler.h), push the readings into the ring and heartbeat, while the
 * CPU-heavy processing step runs every process interval in a thread of
 * its own (processing_thread.h).
 *
 * Everything the worker counts lives in shared memory, so a restarted
 * worker continues the counters instead of resetting them.
 */
#define _GNU_SOURCE
#include "worker.h"

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "../common/fault.h"
#include "../common/log.h"
#include "../shm/metrics.h"
#include "../shm/ring.h"
#include "../shm/seqlock.h"
#include "../shm/view.h"
#include "host.h"
#include "nodehw_thread.h"
#include "processing_thread.h"
#include "sampler.h"

static volatile sig_atomic_t stop_requested;
static sigset_t sleep_mask; /* the mask while asleep: SIGTERM and SIGINT let in */

static void on_stop(int signo)
{
	(void)signo;
	stop_requested = 1;
}

/*
 * SIGTERM and SIGINT are blocked except inside this wait, which ppoll lets
 * them into atomically: one that arrives just before the sleep is still
 * pending when it starts and ends it at once. (A check of the flag
 * followed by a plain sleep would let it land in between, and the worker
 * would sleep out the whole interval before stopping.)
 */
static void sleep_until(int64_t deadline_ns)
{
	while (!stop_requested) {
		int64_t left = deadline_ns - monotonic_ns();
		if (left <= 0)
			return;
		struct timespec ts = { .tv_sec = left / 1000000000, .tv_nsec = left % 1000000000 };
		if (ppoll(NULL, 0, &ts, &sleep_mask) == 0)
			return; /* the deadline */
	}
}

/* The worker may be restarted after dying anywhere, mid-update included:
 * before its first write it completes the histogram observation its
 * predecessor may have left half-stored. (Every other record it writes
 * heals at its next write: seqlock.h. A ring slot left odd is the slot of
 * position head, which the next push rewrites.) */
static void take_over(struct shm_segment *seg)
{
	histogram_recover(&seg->worker.cpu_spike);
}

unsigned worker_tasks(const struct config *cfg)
{
	return (unsigned)WORKER_TASKS(cfg->reader_threads_max);
}

int worker_main(struct shm_segment *seg, const struct config *cfg, const int push_fd[PUSH_FD_COUNT])
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigset_t stops;
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	sigprocmask(SIG_BLOCK, &stops, &sleep_mask);
	sigdelset(&sleep_mask, SIGTERM);
	sigdelset(&sleep_mask, SIGINT);
	fault_begin(FAULT_WORKER, cfg->fault); /* testing aid, off by default */

	const struct shm_header *geo = &shm_view_of(seg)->hdr; /* our copy, never the live header */
	struct sampler *sampler = sampler_new(seg, cfg, push_fd);
	if (!sampler) {
		log_error("cannot allocate the channels' state");
		return 1;
	}

	struct host *host = host_new(seg, cfg, sampler_pool(sampler));
	take_over(seg);
	/* Started after the stop signals are blocked, so they reach this
	 * thread's ppoll, and after the take-over of what it writes. */
	struct processing_thread proc;
	char err[160];
	if (processing_thread_start(&proc, seg, cfg, err, sizeof err) != 0) {
		log_error("%s", err);
		host_free(host);
		sampler_free(sampler);
		return 1;
	}
	struct nodehw_thread node;
	if (nodehw_thread_start(&node, seg, cfg, err, sizeof err) != 0)
		log_error("%s: no node_hwmon_* series", err); /* the sensor_* families go on */
	struct shm_child *self = &seg->children[SHM_CHILD_WORKER];
	const int64_t interval_ns = (int64_t)cfg->sample_interval_ms * 1000000;
	/* More CPU than any real step needs (config.c keeps one within half
	 * the timeout on a slow core): that step spins, the worker is hung. */
	const double hung_step_cpu_s = cfg->heartbeat_timeout_ms / 1000.0;
	static struct log_limit hung_log;
	/* The ticks on the channels' grid (each is first due at its start),
	 * so a tick and a channel due at the same interval share a wakeup. */
	int64_t next_tick = monotonic_ns();
	if (sampler_next_due(sampler) < next_tick)
		next_tick = sampler_next_due(sampler);
	uint64_t steps_seen = 0;

	log_info("sampling %u channels every %d ms, processing every %d ms (priority %s)", geo->channel_count,
		 cfg->sample_interval_ms, cfg->process_interval_ms, cfg->processing_priority);

	while (!stop_requested) {
		int64_t now = monotonic_ns();
		sampler_tick(sampler, now);
		host_tick(host, monotonic_ns());
		SHM_ADD(&seg->worker.loop_iterations, 1);
		double step_cpu_s = processing_thread_step_cpu_s(&proc);
		if (step_cpu_s < hung_step_cpu_s)
			child_heartbeat(self);
		else
			log_error_limited(&hung_log,
					  "the processing step has used %.1f s of CPU, more than any step needs: "
					  "heartbeats stop until it ends",
					  step_cpu_s);
		double last_cpu_s;
		if (processing_thread_step_done(&proc, &steps_seen, &last_cpu_s))
			log_debug("processing step: %.3f ms of CPU", last_cpu_s * 1e3);
		log_limit_flush();
		fault_tick();

		now = monotonic_ns();
		if (next_tick <= now)
			next_tick += interval_ns;
		if (next_tick < now)
			next_tick = now; /* fell behind: skip, never burst */
		/* The host's sample waits for the first tick after it is due (at
		 * most a sampling interval late) rather than wake the loop itself,
		 * unless the ticks are further apart than its interval. */
		int64_t due = sampler_next_due(sampler);
		if (cfg->host_interval_ms < cfg->sample_interval_ms && host_next_due(host) < due)
			due = host_next_due(host);
		sleep_until(due < next_tick ? due : next_tick);
	}

	nodehw_thread_stop(&node);
	processing_thread_stop(&proc);
	host_free(host);
	sampler_free(sampler);
	log_info("stopping");
	return 0;
}
