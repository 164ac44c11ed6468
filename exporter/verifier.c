/*
 * verifier.c - the pool of verify threads (see verifier.h). The threads
 * share one mutex-guarded list of waiting jobs and one of finished jobs;
 * a byte on a pipe wakes the event loop, which takes the finished list
 * whole. libevent itself is never touched from a pool thread.
 */
#include "verifier.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../common/monocond.h"
#include "../shm/clock.h"

#define VERIFIER_STACK_BYTES (256 * 1024) /* the job's own large buffers are on the heap */

struct verifier {
	pthread_mutex_t mu;
	pthread_cond_t wake;    /* a job waits, or stop */
	pthread_cond_t stopped; /* stop: a resting thread wakes */
	struct vjob *wait_head, *wait_tail, *done_head, *done_tail;
	unsigned waiting, queue, threads, started;
	unsigned busy_percent;
	bool stop;
	int pipe_r, pipe_w;
	struct event *ev;
	const struct verifier_ops *ops;
	void *ctx;
	pthread_t tid[];
};

static void push(struct vjob **head, struct vjob **tail, struct vjob *j)
{
	j->next = NULL;
	if (*tail)
		(*tail)->next = j;
	else
		*head = j;
	*tail = j;
}

/* Rest `ns` unless stopped meanwhile; called with the mutex held. */
static void rest(struct verifier *v, int64_t ns)
{
	int64_t until = monotonic_ns() + ns;
	while (!v->stop && monocond_wait_until(&v->stopped, &v->mu, until) != ETIMEDOUT)
		;
}

static void *run(void *arg)
{
	struct verifier *v = arg;
	/* the pool's share of a core, split between its threads */
	int64_t share = (int64_t)v->busy_percent;
	int64_t per_thread = share * 100 / (int64_t)v->threads; /* in hundredths of a percent */
	pthread_mutex_lock(&v->mu);
	for (;;) {
		while (!v->stop && !v->wait_head)
			pthread_cond_wait(&v->wake, &v->mu);
		if (v->stop)
			break;
		struct vjob *j = v->wait_head;
		v->wait_head = j->next;
		if (!v->wait_head)
			v->wait_tail = NULL;
		v->waiting--;
		pthread_mutex_unlock(&v->mu);

		int64_t cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		v->ops->work(j);
		int64_t used = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;

		pthread_mutex_lock(&v->mu);
		push(&v->done_head, &v->done_tail, j);
		char one = 1;
		ssize_t w = write(v->pipe_w, &one, 1); /* EAGAIN: a full pipe wakes the loop already */
		(void)w;
		if (per_thread < 10000)
			rest(v, used * (10000 - per_thread) / per_thread);
	}
	pthread_mutex_unlock(&v->mu);
	return NULL;
}

static void on_done(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct verifier *v = arg;
	char buf[64];
	while (read(fd, buf, sizeof buf) > 0)
		;
	pthread_mutex_lock(&v->mu);
	struct vjob *j = v->done_head;
	v->done_head = v->done_tail = NULL;
	pthread_mutex_unlock(&v->mu);
	while (j) {
		struct vjob *next = j->next;
		v->ops->done(j, v->ctx);
		j = next;
	}
}

struct verifier *verifier_new(struct event_base *base, unsigned threads, unsigned queue, unsigned busy_percent,
			      const struct verifier_ops *ops, void *ctx)
{
	if (threads == 0 || queue == 0 || busy_percent == 0 || busy_percent > 100) {
		errno = EINVAL;
		return NULL;
	}
	struct verifier *v = calloc(1, sizeof *v + threads * sizeof v->tid[0]);
	if (!v)
		return NULL;
	v->queue = queue;
	v->threads = threads;
	v->busy_percent = busy_percent;
	v->ops = ops;
	v->ctx = ctx;
	v->pipe_r = v->pipe_w = -1;
	pthread_mutex_init(&v->mu, NULL);
	pthread_cond_init(&v->wake, NULL);
	if (monocond_init(&v->stopped) != 0) {
		pthread_cond_destroy(&v->wake);
		pthread_mutex_destroy(&v->mu);
		free(v);
		return NULL;
	}
	int p[2];
	if (pipe(p) != 0)
		goto fail;
	for (int i = 0; i < 2; i++) {
		fcntl(p[i], F_SETFL, O_NONBLOCK);
		fcntl(p[i], F_SETFD, FD_CLOEXEC);
	}
	v->pipe_r = p[0];
	v->pipe_w = p[1];
	v->ev = event_new(base, v->pipe_r, EV_READ | EV_PERSIST, on_done, v);
	if (!v->ev || event_add(v->ev, NULL) != 0)
		goto fail;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, VERIFIER_STACK_BYTES);
	for (; v->started < threads; v->started++) {
		int rc = pthread_create(&v->tid[v->started], &attr, run, v);
		if (rc != 0) {
			pthread_attr_destroy(&attr);
			errno = rc;
			goto fail;
		}
	}
	pthread_attr_destroy(&attr);
	return v;
fail:;
	int saved = errno;
	verifier_free(v);
	errno = saved;
	return NULL;
}

bool verifier_submit(struct verifier *v, struct vjob *job)
{
	pthread_mutex_lock(&v->mu);
	bool room = v->waiting < v->queue;
	if (room) {
		push(&v->wait_head, &v->wait_tail, job);
		v->waiting++;
		pthread_cond_signal(&v->wake);
	}
	pthread_mutex_unlock(&v->mu);
	return room;
}

unsigned verifier_waiting(struct verifier *v)
{
	pthread_mutex_lock(&v->mu);
	unsigned n = v->waiting;
	pthread_mutex_unlock(&v->mu);
	return n;
}

void verifier_free(struct verifier *v)
{
	if (!v)
		return;
	pthread_mutex_lock(&v->mu);
	v->stop = true;
	pthread_cond_broadcast(&v->wake);
	pthread_cond_broadcast(&v->stopped);
	pthread_mutex_unlock(&v->mu);
	for (unsigned i = 0; i < v->started; i++)
		pthread_join(v->tid[i], NULL);
	for (struct vjob *lists[2] = { v->wait_head, v->done_head }, **l = lists; l < lists + 2; l++)
		for (struct vjob *j = *l, *next; j; j = next) {
			next = j->next;
			v->ops->drop(j, v->ctx);
		}
	if (v->ev)
		event_free(v->ev);
	if (v->pipe_r >= 0)
		close(v->pipe_r);
	if (v->pipe_w >= 0)
		close(v->pipe_w);
	pthread_cond_destroy(&v->wake);
	pthread_cond_destroy(&v->stopped);
	pthread_mutex_destroy(&v->mu);
	free(v);
}
