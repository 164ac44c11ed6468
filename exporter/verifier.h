/*
 * verifier.h - a small pool of threads that runs slow checks (bcrypt)
 * off the event loop, with a bounded queue: a job that finds the queue
 * full is refused at once, without any of its work done.
 *
 * Under a flood the threads together use at most `busy_percent` of one
 * core: after each job a thread rests in proportion to the CPU time the
 * job took. Finished jobs come back on the event loop's thread, in the
 * order they finished.
 */
#ifndef SENSOR_EXPORTER_VERIFIER_H
#define SENSOR_EXPORTER_VERIFIER_H

#include <stdbool.h>

struct event_base;

/* The first member of a job: the pool links jobs through it. */
struct vjob {
	struct vjob *next;
};

struct verifier_ops {
	void (*work)(struct vjob *job);            /* on a pool thread */
	void (*done)(struct vjob *job, void *ctx); /* on the loop: the job is the callee's again */
	void (*drop)(struct vjob *job, void *ctx); /* at verifier_free: a job never done */
};

struct verifier;

/* NULL (errno set) when a thread, the pipe or memory could not be had. */
struct verifier *verifier_new(struct event_base *base, unsigned threads, unsigned queue, unsigned busy_percent,
			      const struct verifier_ops *ops, void *ctx);

/* Queue `job`; false (nothing done) when `queue` jobs already wait. */
bool verifier_submit(struct verifier *v, struct vjob *job);

/* Jobs waiting for a thread now. */
unsigned verifier_waiting(struct verifier *v);

/* Stop and join the threads; jobs not yet done go to ops->drop. */
void verifier_free(struct verifier *v);

#endif
