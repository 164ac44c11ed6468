/*
 * pool.h - a bounded set of threads that run blocking jobs.
 *
 * Anything that may block for long (a read of a sysfs file on a slow or
 * stuck bus, statfs of a hung mount) is handed to the pool as a job; the
 * caller goes on and takes the result later, with a deadline of its own.
 * Nothing interrupts a blocked read() from inside the thread that called
 * it, so a job that never returns holds its thread for good.
 *
 * Threads: up to `size` run jobs; they start on demand, so a board with
 * two sensors never has more than two. A job running longer than
 * `hold_ns` (the sampler: one tick's wait) is "held": its thread no longer
 * counts, and the pool may start one more in its place, up to `max`
 * threads in all. With `max` threads
 * started and held, new jobs wait in the queue until one returns: the
 * caller sees them past its deadline and may cancel them (pool_cancel).
 * Threads beyond `size` retire once their held job returns. So the pool
 * never uses more than `max` tasks, whatever the number of jobs.
 *
 * A job is submitted again only after its result was taken (or it was
 * cancelled): one job in flight per owner, never a second behind a stuck
 * one.
 */
#ifndef SENSOR_WORKER_POOL_H
#define SENSOR_WORKER_POOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pool;

enum pool_job_state { POOL_JOB_IDLE, POOL_JOB_QUEUED, POOL_JOB_RUNNING, POOL_JOB_DONE };

/* Embed in the owner's state; `run` is called in a pool thread, outside
 * the pool's lock, and owns what the job points at until pool_take. */
struct pool_job {
	void (*run)(struct pool_job *job);
	/* the pool's, under its lock */
	enum pool_job_state state;
	struct pool_job *next;
	int64_t submitted_ns; /* CLOCK_MONOTONIC */
	int64_t started_ns;
};

/* One thread: the job it runs, if any. */
struct pool_thread {
	struct pool *pool;
	pthread_t tid;
	bool used;  /* started, not yet joined */
	bool ended; /* returned from its loop: join it */
	struct pool_job *job;
};

struct pool_stats {
	unsigned threads;        /* started and not ended */
	unsigned busy;           /* running a job */
	unsigned held;           /* of those, running longer than hold_ns */
	unsigned waiting;        /* jobs queued for a thread */
	uint64_t start_failures; /* a thread that could not be started */
};

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t work; /* a job queued, or stop */
	pthread_cond_t done; /* a job finished, or a thread ended */
	struct pool_job *head, *tail;
	unsigned size, max;
	int64_t hold_ns;
	size_t stack_bytes;
	unsigned threads, idle, starting, waiting;
	uint64_t finished, start_failures;
	bool quit;
	struct pool_thread *thread; /* max of them */
};

/* A pool of `size` working threads, up to `max` with held ones replaced
 * (max >= size >= 1). Threads start when jobs come. */
int pool_init(struct pool *p, unsigned size, unsigned max, int64_t hold_ns, size_t stack_bytes);

/* Queue a job (state IDLE). Returns 0, or -1 with errno: EBUSY when the
 * job is still in flight, else why no thread exists to run it. */
int pool_submit(struct pool *p, struct pool_job *job);

/* The job has finished: true, and it is IDLE (the owner's again). */
bool pool_take(struct pool *p, struct pool_job *job);

/* Take a job back that no thread has started: true, and it is IDLE. */
bool pool_cancel(struct pool *p, struct pool_job *job);

/* Start threads in place of held ones, within the bound, while jobs wait;
 * join those that retired. Call now and then (each sampling tick). */
void pool_tick(struct pool *p);

/* Jobs finished so far; pass it to pool_wait to miss no wake-up. */
uint64_t pool_finished(struct pool *p);

/* Wait until a job finishes after `seen` was taken, or `timeout_ns`. */
void pool_wait(struct pool *p, uint64_t seen, int64_t timeout_ns);

void pool_get_stats(struct pool *p, struct pool_stats *st);

/* Stop: queued jobs are dropped (IDLE again), running ones are given
 * until `until_ns` (CLOCK_MONOTONIC) to return, then every thread that
 * ended is joined. Returns false when some are still blocked in a job:
 * they are left behind, and the pool and their jobs must stay allocated.
 * On true the pool is destroyed. */
bool pool_stop(struct pool *p, int64_t until_ns);

#endif
