/*
 * worker.c - the worker's loop: sample each channel when it is due (see
 * sampler.h), push the readings into the ring, heartbeat, and every
 * process interval run the CPU-heavy processing step and record how long
 * it took.
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
#include "processing.h"
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
 * before its first write it takes over every sequence counter it owns.
 * (A ring slot left odd needs nothing: it is the slot of position head,
 * which the next push rewrites.) */
static void take_over(struct shm_segment *seg, uint32_t channels)
{
	histogram_recover(&seg->worker.cpu_spike);
	for (uint32_t i = 0; i < channels; i++)
		channel_stats_recover(&seg->channels[i]);
}

int worker_main(struct shm_segment *seg, const struct config *cfg)
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

	/* The geometry from our copy (inherited from the supervisor), never
	 * from the live header, which anyone might have overwritten. */
	const struct shm_header *geo = &shm_view_of(seg)->hdr;
	struct processing proc;
	if (processing_init(&proc, (size_t)cfg->window, geo->ring_capacity, geo->channel_count,
			    1000.0 / cfg->sample_interval_ms) != 0) {
		log_error("cannot allocate processing buffers");
		return 1;
	}

	struct sampler *sampler = sampler_new(seg, cfg);
	if (!sampler) {
		log_error("cannot allocate the channels' state");
		processing_free(&proc);
		return 1;
	}

	take_over(seg, geo->channel_count);
	struct shm_child *self = &seg->children[SHM_CHILD_WORKER];
	const int64_t interval_ns = (int64_t)cfg->sample_interval_ms * 1000000;
	const int64_t process_ns = (int64_t)cfg->process_interval_ms * 1000000;
	int64_t next_tick = monotonic_ns();
	int64_t next_process = next_tick + process_ns;

	log_info("sampling %u channels every %d ms, processing every %d ms", geo->channel_count,
		 cfg->sample_interval_ms, cfg->process_interval_ms);

	while (!stop_requested) {
		int64_t now = monotonic_ns();
		sampler_tick(sampler, now);
		SHM_ADD(&seg->worker.loop_iterations, 1);
		child_heartbeat(self);
		log_limit_flush();
		fault_tick();

		if (now >= next_process) {
			int64_t t0 = monotonic_ns();
			processing_run(&proc, seg);
			fault_spike();
			double spike_s = (double)(monotonic_ns() - t0) / 1e9;
			histogram_observe(&seg->worker.cpu_spike, spike_s);
			log_debug("processing step: %.3f ms", spike_s * 1e3);
			SHM_ADD(&seg->worker.processing_runs, 1);
			child_heartbeat(self);
			next_process = now + process_ns;
		}

		now = monotonic_ns();
		if (next_tick <= now)
			next_tick += interval_ns;
		if (next_tick < now)
			next_tick = now; /* fell behind (a long spike): skip, never burst */
		int64_t due = sampler_next_due(sampler);
		sleep_until(due < next_tick ? due : next_tick);
	}

	sampler_free(sampler);
	processing_free(&proc);
	log_info("stopping");
	return 0;
}
