/*
 * processing_thread.c - the processing step's thread: wait an interval,
 * run the step, record its CPU time, again until stopped.
 */
#define _GNU_SOURCE
#include "processing_thread.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "../common/fault.h"
#include "../common/log.h"
#include "../shm/clock.h"
#include "../shm/metrics.h"
#include "../shm/seqlock.h"
#include "../shm/view.h"

/* The step keeps its buffers on the heap: a small stack is plenty. */
#define PROCESSING_STACK_BYTES (256u * 1024u)

static void set_priority(struct processing_thread *t)
{
	int policy = SCHED_OTHER; /* at the worker's nice value, as the thread was born */
	if (t->idle_priority) {
		struct sched_param sp = { .sched_priority = 0 };
		int rc = pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
		if (rc == 0)
			policy = SCHED_IDLE;
		else
			log_warn(
				"cannot run the processing step at SCHED_IDLE (%s): it runs at the worker's nice value",
				strerror(rc));
	}
	atomic_store(&t->policy, policy);
}

/* The histogram records the step's own CPU time: what the step costs,
 * whatever else the machine runs (at SCHED_IDLE its wall time is mostly
 * how long others kept the CPU). No logging here: a lock taken at
 * SCHED_IDLE and held while starved would stall whoever waits for it. */
static void step(struct processing_thread *t)
{
	int64_t cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	atomic_store(&t->step_cpu0_ns, cpu0);
	processing_run(&t->proc, t->seg);
	fault_spike(); /* testing aid: no-op unless --fault armed one */
	int64_t cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	histogram_observe(&t->seg->worker.cpu_spike, (double)cpu_ns / 1e9);
	SHM_ADD(&t->seg->worker.processing_runs, 1);
	atomic_store(&t->step_cpu0_ns, -1);
	atomic_store(&t->last_cpu_ns, cpu_ns);
	atomic_fetch_add(&t->steps, 1);
}

bool processing_thread_step_done(struct processing_thread *t, uint64_t *seen, double *cpu_s)
{
	uint64_t steps = atomic_load(&t->steps);
	if (steps == *seen)
		return false;
	*seen = steps;
	*cpu_s = (double)atomic_load(&t->last_cpu_ns) / 1e9;
	return true;
}

static void *run(void *arg)
{
	struct processing_thread *t = arg;
	set_priority(t);
	/* Start to start, as the interval is documented; a step longer than
	 * the interval is followed by the next at once, never by a burst. */
	int64_t next = monotonic_ns() + t->interval_ns;
	while (!sleeper_wait_until(&t->sleep, next)) {
		int64_t start = monotonic_ns();
		step(t);
		next = start + t->interval_ns;
	}
	return NULL;
}

int processing_thread_start(struct processing_thread *t, struct shm_segment *seg, const struct config *cfg, char *err,
			    size_t errlen)
{
	memset(t, 0, sizeof *t);
	t->seg = seg;
	t->interval_ns = (int64_t)cfg->process_interval_ms * 1000000;
	t->idle_priority = strcmp(cfg->processing_priority, "idle") == 0;
	atomic_init(&t->step_cpu0_ns, -1);
	atomic_init(&t->policy, -1);
	atomic_init(&t->steps, 0);
	atomic_init(&t->last_cpu_ns, 0);
	/* The geometry from our copy (inherited from the supervisor), never
	 * from the live header, which anyone might have overwritten. */
	const struct shm_header *geo = &shm_view_of(seg)->hdr;
	if (processing_init(&t->proc, (size_t)cfg->window, geo->ring_capacity, geo->channel_count,
			    1000.0 / cfg->sample_interval_ms) != 0) {
		snprintf(err, errlen, "cannot allocate processing buffers");
		return -1;
	}
	t->proc.stop = &t->sleep.stopping;
	pthread_attr_t a;
	int rc = sleeper_init(&t->sleep);
	if (rc == 0) {
		if ((rc = pthread_attr_init(&a)) == 0) {
			pthread_attr_setstacksize(&a, PROCESSING_STACK_BYTES);
			rc = pthread_create(&t->tid, &a, run, t);
			pthread_attr_destroy(&a);
		}
		if (rc != 0)
			sleeper_destroy(&t->sleep);
	}
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the processing thread: %s", strerror(rc));
		processing_free(&t->proc);
		return -1;
	}
	if ((rc = pthread_getcpuclockid(t->tid, &t->cpu_clock)) != 0) {
		t->cpu_clock = (clockid_t)-1;
		log_warn("cannot read the processing thread's CPU clock (%s): a step that spins forever will not stop "
			 "the heartbeats",
			 strerror(rc));
	}
	return 0;
}

double processing_thread_step_cpu_s(struct processing_thread *t)
{
	int64_t cpu0 = atomic_load(&t->step_cpu0_ns);
	if (cpu0 < 0 || t->cpu_clock == (clockid_t)-1)
		return 0.0;
	int64_t used = clock_ns(t->cpu_clock) - cpu0;
	return used > 0 ? (double)used / 1e9 : 0.0;
}

void processing_thread_stop(struct processing_thread *t)
{
	sleeper_stop(&t->sleep); /* a step in progress ends after its channel */
	pthread_join(t->tid, NULL);
	sleeper_destroy(&t->sleep);
	processing_free(&t->proc);
}
