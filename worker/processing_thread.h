/*
 * processing_thread.h - the worker's CPU-heavy processing step, run every
 * process interval in a thread of its own, beside the sampling loop.
 *
 * Why a thread: the step is the service's CPU spike. In its own thread it
 * can run at the kernel's lowest priority (SCHED_IDLE, the default of
 * processing-priority), which every other runnable task on the machine
 * preempts when it wakes, the exporter included (SCHED_IDLE keeps only a
 * sliver of CPU while all else is busy), without slowing the sampling
 * ticks, which stay at the worker's nice value and keep their period
 * while a step runs. What the step cannot keep up with piles up in the
 * ring and is dropped and counted there, never blocks the sampling.
 *
 * Liveness: the sampling loop heartbeats for the whole worker, so it asks
 * how much CPU the step in progress has used (processing_thread_step_cpu_s)
 * and stops heartbeating when that is more than any real step can need:
 * the supervisor then restarts a worker whose step spins forever. CPU, not
 * wall time: a step starved by a busy machine is slow, not hung.
 *
 * The thread takes no lock while it computes (no logging, no malloc), as
 * a lock held at SCHED_IDLE by a starved thread would stall its waiters.
 */
#ifndef SENSOR_WORKER_PROCESSING_THREAD_H
#define SENSOR_WORKER_PROCESSING_THREAD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../common/config.h"
#include "processing.h"
#include "sleeper.h"

struct processing_thread {
	struct processing proc;
	struct shm_segment *seg;
	int64_t interval_ns;
	bool idle_priority; /* asked for SCHED_IDLE */
	pthread_t tid;
	clockid_t cpu_clock;          /* the thread's CPU clock */
	struct sleeper sleep;         /* its stopping is read by a step in progress too (it ends early) */
	_Atomic int64_t step_cpu0_ns; /* the thread's CPU time when the step in progress began; -1: none */
	_Atomic int policy;           /* the policy the thread runs under, once it has set it; -1 before */
	_Atomic uint64_t steps;       /* steps done */
	_Atomic int64_t last_cpu_ns;  /* the CPU time of the last step done */
};

/* Allocate the step's buffers (sized by cfg) and start the thread, whose
 * first step is one interval away. 0, or -1 with a reason in err. */
int processing_thread_start(struct processing_thread *t, struct shm_segment *seg, const struct config *cfg, char *err,
			    size_t errlen);

/* CPU seconds the step in progress has used so far; 0 between steps. */
double processing_thread_step_cpu_s(struct processing_thread *t);

/* Whether a step ended since the count in *seen (which it updates), and
 * then the CPU seconds of the last one: the thread itself never logs. */
bool processing_thread_step_done(struct processing_thread *t, uint64_t *seen, double *cpu_s);

/* Stop the thread (a step in progress ends after the channel it is on),
 * join it, free. */
void processing_thread_stop(struct processing_thread *t);

#endif
