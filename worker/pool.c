/*
 * pool.c - the threads of worker/pool.h: each takes the oldest queued
 * job, runs it outside the lock and marks it done; the pool starts a
 * thread when jobs wait and no idle one is left, within its bound.
 */
#include "pool.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "../common/monocond.h"
#include "../shm/clock.h"

/* Running jobs past the hold time: their threads are replaced. */
static unsigned held_locked(const struct pool *p, int64_t now)
{
	unsigned n = 0;
	for (unsigned i = 0; i < p->max; i++) {
		const struct pool_thread *t = &p->thread[i];
		if (t->used && !t->ended && t->job && now - t->job->started_ns >= p->hold_ns)
			n++;
	}
	return n;
}

static void *thread_main(void *arg)
{
	struct pool_thread *t = arg;
	struct pool *p = t->pool;
	pthread_mutex_lock(&p->lock);
	p->starting--;
	for (;;) {
		while (!p->head && !p->quit) {
			p->idle++;
			pthread_cond_wait(&p->work, &p->lock);
			p->idle--;
		}
		if (p->quit)
			break;
		struct pool_job *job = p->head;
		p->head = job->next;
		if (!p->head)
			p->tail = NULL;
		p->waiting--;
		job->next = NULL;
		job->state = POOL_JOB_RUNNING;
		job->started_ns = monotonic_ns();
		t->job = job;
		pthread_mutex_unlock(&p->lock);

		job->run(job);

		pthread_mutex_lock(&p->lock);
		job->state = POOL_JOB_DONE;
		t->job = NULL;
		p->finished++;
		pthread_cond_broadcast(&p->done);
		/* a thread started in place of a held one retires once the
		 * hold is over and nothing waits */
		if (!p->head && p->threads > p->size + held_locked(p, monotonic_ns()))
			break;
	}
	t->ended = true;
	p->threads--;
	pthread_cond_broadcast(&p->done);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Join the threads that ended (they hold no lock any more). */
static void reap_locked(struct pool *p)
{
	for (unsigned i = 0; i < p->max; i++) {
		struct pool_thread *t = &p->thread[i];
		if (t->used && t->ended) {
			pthread_join(t->tid, NULL);
			*t = (struct pool_thread){ .pool = p };
		}
	}
}

static int spawn_locked(struct pool *p)
{
	struct pool_thread *t = NULL;
	for (unsigned i = 0; i < p->max && !t; i++)
		if (!p->thread[i].used)
			t = &p->thread[i];
	if (!t)
		return EAGAIN;
	pthread_attr_t a;
	int rc = pthread_attr_init(&a);
	if (rc != 0)
		return rc;
	pthread_attr_setstacksize(&a, p->stack_bytes);
	*t = (struct pool_thread){ .pool = p, .used = true };
	rc = pthread_create(&t->tid, &a, thread_main, t);
	pthread_attr_destroy(&a);
	if (rc != 0) {
		t->used = false;
		p->start_failures++;
		return rc;
	}
	p->threads++;
	return 0;
}

/* Threads for the jobs that wait: `size` working ones, plus one for each
 * held, at most `max`. Returns 0 or the error of a failed start. */
static int grow_locked(struct pool *p)
{
	unsigned want = p->size + held_locked(p, monotonic_ns());
	if (want > p->max)
		want = p->max;
	while (p->waiting > p->idle + p->starting && p->threads < want) {
		int rc = spawn_locked(p);
		if (rc != 0)
			return rc;
		p->starting++; /* it takes a job before it waits for one */
	}
	return 0;
}

static void unqueue_locked(struct pool *p, struct pool_job *job)
{
	struct pool_job **at = &p->head, *prev = NULL;
	while (*at != job) {
		prev = *at;
		at = &(*at)->next;
	}
	*at = job->next;
	if (p->tail == job)
		p->tail = prev;
	job->next = NULL;
	job->state = POOL_JOB_IDLE;
	p->waiting--;
}

int pool_init(struct pool *p, unsigned size, unsigned max, int64_t hold_ns, size_t stack_bytes)
{
	*p = (struct pool){ .size = size ? size : 1, .hold_ns = hold_ns, .stack_bytes = stack_bytes };
	p->max = max > p->size ? max : p->size;
	p->thread = calloc(p->max, sizeof *p->thread);
	if (!p->thread)
		return -1;
	for (unsigned i = 0; i < p->max; i++)
		p->thread[i].pool = p;
	if (pthread_mutex_init(&p->lock, NULL) != 0)
		goto fail;
	if (monocond_init(&p->done) != 0 || pthread_cond_init(&p->work, NULL) != 0) {
		pthread_mutex_destroy(&p->lock);
		goto fail;
	}
	return 0;
fail:
	free(p->thread);
	p->thread = NULL;
	return -1;
}

int pool_submit(struct pool *p, struct pool_job *job)
{
	pthread_mutex_lock(&p->lock);
	if (job->state != POOL_JOB_IDLE || p->quit) {
		pthread_mutex_unlock(&p->lock);
		errno = EBUSY;
		return -1;
	}
	job->state = POOL_JOB_QUEUED;
	job->next = NULL;
	job->submitted_ns = monotonic_ns();
	if (p->tail)
		p->tail->next = job;
	else
		p->head = job;
	p->tail = job;
	p->waiting++;
	reap_locked(p);
	int rc = grow_locked(p);
	if (p->threads == 0) { /* nothing will ever run it */
		unqueue_locked(p, job);
		pthread_mutex_unlock(&p->lock);
		errno = rc ? rc : EAGAIN;
		return -1;
	}
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

bool pool_take(struct pool *p, struct pool_job *job)
{
	pthread_mutex_lock(&p->lock);
	bool done = job->state == POOL_JOB_DONE;
	if (done)
		job->state = POOL_JOB_IDLE;
	pthread_mutex_unlock(&p->lock);
	return done;
}

bool pool_cancel(struct pool *p, struct pool_job *job)
{
	pthread_mutex_lock(&p->lock);
	bool queued = job->state == POOL_JOB_QUEUED;
	if (queued)
		unqueue_locked(p, job);
	pthread_mutex_unlock(&p->lock);
	return queued;
}

void pool_tick(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	reap_locked(p);
	if (grow_locked(p) == 0 && p->head)
		pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
}

uint64_t pool_finished(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	uint64_t n = p->finished;
	pthread_mutex_unlock(&p->lock);
	return n;
}

void pool_wait(struct pool *p, uint64_t seen, int64_t timeout_ns)
{
	if (timeout_ns <= 0)
		return;
	int64_t until = monotonic_ns() + timeout_ns;
	pthread_mutex_lock(&p->lock);
	while (p->finished == seen && monocond_wait_until(&p->done, &p->lock, until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&p->lock);
}

void pool_get_stats(struct pool *p, struct pool_stats *st)
{
	pthread_mutex_lock(&p->lock);
	unsigned busy = 0;
	for (unsigned i = 0; i < p->max; i++)
		busy += p->thread[i].used && !p->thread[i].ended && p->thread[i].job;
	*st = (struct pool_stats){ .threads = p->threads,
				   .busy = busy,
				   .held = held_locked(p, monotonic_ns()),
				   .waiting = p->waiting,
				   .start_failures = p->start_failures };
	pthread_mutex_unlock(&p->lock);
}

bool pool_stop(struct pool *p, int64_t until_ns)
{
	pthread_mutex_lock(&p->lock);
	p->quit = true;
	for (struct pool_job *j = p->head, *next; j; j = next) {
		next = j->next;
		j->next = NULL;
		j->state = POOL_JOB_IDLE;
	}
	p->head = p->tail = NULL;
	p->waiting = 0;
	pthread_cond_broadcast(&p->work);
	/* a job in flight usually returns within its budget: give it until
	 * then, so a clean stop joins every thread that can be joined */
	while (p->threads > 0 && monocond_wait_until(&p->done, &p->lock, until_ns) != ETIMEDOUT)
		;
	reap_locked(p);
	bool stuck = p->threads > 0;
	pthread_mutex_unlock(&p->lock);
	if (stuck)
		return false;
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->lock);
	free(p->thread);
	p->thread = NULL;
	return true;
}
