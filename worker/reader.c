/*
 * reader.c - the reader threads of worker/reader.h: each waits for a
 * read to be handed over, does it outside the lock, and posts the result
 * with its duration and time.
 */
#include "reader.h"

#include <errno.h>
#include <time.h>

#include "../shm/metrics.h"

/* The deepest path of a read (hwmon resolve: directory scan, label files,
 * vsnprintf) needs a few KiB; the sanitizers' red zones need more. */
#if defined(__SANITIZE_ADDRESS__)
#define READER_STACK_BYTES (512u * 1024u)
#else
#define READER_STACK_BYTES (64u * 1024u)
#endif

int reader_pool_init(struct reader_pool *p)
{
	pthread_condattr_t ca;
	p->finished = 0;
	if (pthread_mutex_init(&p->lock, NULL) != 0)
		return -1;
	if (pthread_condattr_init(&ca) != 0 || pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&p->done, &ca) != 0) {
		pthread_mutex_destroy(&p->lock);
		return -1;
	}
	pthread_condattr_destroy(&ca);
	return 0;
}

void reader_pool_destroy(struct reader_pool *p)
{
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->lock);
}

uint64_t reader_pool_finished(struct reader_pool *p)
{
	pthread_mutex_lock(&p->lock);
	uint64_t n = p->finished;
	pthread_mutex_unlock(&p->lock);
	return n;
}

void reader_wait(struct reader_pool *p, uint64_t seen, int64_t timeout_ns)
{
	if (timeout_ns <= 0)
		return;
	int64_t until = monotonic_ns() + timeout_ns;
	struct timespec ts = { .tv_sec = until / 1000000000, .tv_nsec = until % 1000000000 };
	pthread_mutex_lock(&p->lock);
	while (p->finished == seen && pthread_cond_timedwait(&p->done, &p->lock, &ts) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&p->lock);
}

void reader_init(struct reader *r, struct reader_pool *p, struct source *src)
{
	*r = (struct reader){ .pool = p, .src = src };
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	struct reader_pool *p = r->pool;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!r->job && !r->quit)
			pthread_cond_wait(&r->go, &p->lock);
		if (r->quit && !r->job)
			break;
		int64_t handed = r->handed_ns;
		bool want_limits = r->want_limits;
		pthread_mutex_unlock(&p->lock);

		struct reader_result res = { 0 };
		res.rc = source_read(r->src, monotonic_ns(), &res.value);
		res.duration_ns = monotonic_ns() - handed;
		res.realtime_ns = realtime_ns();
		if (want_limits && res.rc == 0) {
			limits_read(r->src, &res.limits);
			res.has_limits = true;
		}

		pthread_mutex_lock(&p->lock);
		r->res = res;
		r->job = false;
		r->done = true;
		p->finished++;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static int reader_spawn(struct reader *r)
{
	pthread_attr_t a;
	if (pthread_cond_init(&r->go, NULL) != 0)
		return -1;
	int rc = pthread_attr_init(&a);
	if (rc == 0) {
		pthread_attr_setstacksize(&a, READER_STACK_BYTES);
		rc = pthread_create(&r->thread, &a, reader_main, r);
		pthread_attr_destroy(&a);
	}
	if (rc != 0) {
		pthread_cond_destroy(&r->go);
		errno = rc;
		return -1;
	}
	r->running = true;
	return 0;
}

int reader_start(struct reader *r, bool with_limits)
{
	if (!r->running && reader_spawn(r) != 0)
		return -1;
	pthread_mutex_lock(&r->pool->lock);
	r->job = true;
	r->done = false;
	r->handed_ns = monotonic_ns();
	r->want_limits = with_limits;
	pthread_cond_signal(&r->go);
	pthread_mutex_unlock(&r->pool->lock);
	return 0;
}

bool reader_take(struct reader *r, struct reader_result *out)
{
	pthread_mutex_lock(&r->pool->lock);
	bool got = r->done;
	if (got) {
		*out = r->res;
		r->done = false;
	}
	pthread_mutex_unlock(&r->pool->lock);
	return got;
}

bool reader_stop(struct reader *r, int64_t until_ns)
{
	if (!r->running)
		return true;
	struct timespec ts = { .tv_sec = until_ns / 1000000000, .tv_nsec = until_ns % 1000000000 };
	pthread_mutex_lock(&r->pool->lock);
	r->quit = true;
	pthread_cond_signal(&r->go);
	/* a read in flight usually returns within its budget: give it until
	 * then, so a clean stop joins every thread that can be joined */
	while (r->job && pthread_cond_timedwait(&r->pool->done, &r->pool->lock, &ts) != ETIMEDOUT)
		;
	bool stuck = r->job;
	pthread_mutex_unlock(&r->pool->lock);
	if (stuck) {
		pthread_detach(r->thread);
		return false;
	}
	pthread_join(r->thread, NULL);
	pthread_cond_destroy(&r->go);
	r->running = false;
	return true;
}
