/*
 * reader.c - a channel's read run by a pool thread: the value, its
 * duration from the hand-over (queueing included) and its time.
 */
#include "reader.h"

#include <stddef.h>

#include "../shm/metrics.h"

static void reader_run(struct pool_job *job)
{
	struct reader *r = (struct reader *)((char *)job - offsetof(struct reader, job));
	struct reader_result res = { 0 };
	res.rc = source_read(r->src, monotonic_ns(), &res.value);
	res.duration_ns = monotonic_ns() - job->submitted_ns;
	res.realtime_ns = realtime_ns();
	if (r->want_limits && res.rc == 0) {
		limits_read(r->src, &res.limits);
		res.has_limits = true;
	}
	r->res = res;
}

void reader_init(struct reader *r, struct pool *p, struct source *src)
{
	*r = (struct reader){ .job = { .run = reader_run }, .pool = p, .src = src };
}

int reader_start(struct reader *r, bool with_limits)
{
	r->want_limits = with_limits;
	return pool_submit(r->pool, &r->job);
}

bool reader_take(struct reader *r, struct reader_result *out)
{
	if (!pool_take(r->pool, &r->job))
		return false;
	*out = r->res;
	return true;
}

bool reader_cancel(struct reader *r)
{
	return pool_cancel(r->pool, &r->job);
}
