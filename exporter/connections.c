/*
 * connections.c - bookkeeping of the exporter's HTTP connections (see
 * connections.h): the cap, the whole-request deadline and the pause of
 * accept() at EMFILE.
 *
 * libevent 2.1's evhttp has no hook per connection but the one that makes
 * its bufferevent (evhttp_set_bevcb), called before the connection object
 * exists. So each new bufferevent is held (one reference) and noted as
 * pending; an event activated at once, run before any I/O of the new
 * connection can be, then finds its connection (the bufferevent's callback
 * argument, set by evhttp) and registers for its close. The reference
 * keeps the bufferevent valid even if evhttp freed the connection on an
 * allocation failure in between.
 *
 * Adopted connections sit in one list in deadline order (every deadline
 * is now + the timeout, so appending keeps it sorted): the head is the
 * connection that has waited longest for a complete request, the one the
 * sweep closes first and the one a new connection evicts at the cap.
 *
 * The sweep is a one-shot timer at the head's deadline (plus a tolerance,
 * so that deadlines close together end in one wakeup), armed only while a
 * connection is tracked: an exporter with no client open wakes for
 * nothing here.
 *
 * A connection whose record could not be allocated is served by evhttp
 * all the same, but nothing would tell the handler when it closes (a
 * check still in flight for its request would answer a freed request),
 * and neither the cap nor the deadline holds it: its requests never reach
 * the handler, they are answered 503 and the connection closed.
 */
#include "connections.h"

#include <errno.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <glib.h>
#include <linux/tcp.h> /* struct tcp_info with tcpi_bytes_received (glibc's lacks it) */
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "../common/log.h"
#include "../shm/metrics.h"

/* How long accept() rests after it failed for want of descriptors. */
#define ACCEPT_PAUSE_MS 100
/* At the cap, how many of the longest-waiting connections are looked at
 * for one that has sent nothing: a few syscalls per accept at most. */
#define EVICT_SCAN 16

/* How late past a deadline the sweep may close a connection: a tenth of
 * request-timeout-ms, at most 250 ms, so that deadlines close together
 * end in one wakeup while the timeout still holds to a tenth. */
#define SWEEP_LATE_DIVISOR 10
#define SWEEP_LATE_MAX_MS 250

struct conn {
	struct conn *prev, *next; /* adopted: deadline order */
	struct conn *next_pending;
	struct bufferevent *bev; /* pending: held until adopted */
	struct evhttp_connection *evcon;
	int64_t deadline_ns;
	struct conns *owner;
};

struct conns {
	struct evconnlistener *listener;
	struct event *adopt_ev, *sweep_ev, *resume_ev;
	struct conn *head, *tail; /* adopted, oldest deadline first */
	struct conn *pending;
	GHashTable *by_evcon; /* evhttp_connection -> adopted conn */
	unsigned open, cap;
	unsigned n_pending; /* accepted this turn of the loop */
	bool wait_adopt;    /* accepts stopped until the pending ones are adopted */
	int64_t timeout_ns;
	int64_t sweep_late_ns;                                    /* how late past a deadline the sweep may run */
	struct bufferevent *(*make)(struct event_base *, void *); /* NULL: a plain socket */
	void *make_arg;
	void (*gone)(const struct evhttp_connection *, void *); /* told of each closing connection */
	void *gone_arg;
	void (*handle)(struct evhttp_request *, void *); /* requests on connections in our charge */
	void *handle_arg;
	void *(*alloc)(size_t); /* the records' allocator */
};

/* The listener's error callback gets evhttp's argument, not ours; there is
 * one exporter per process. */
static struct conns *the_conns;

static struct log_limit evict_log, deadline_log, accept_log, untracked_log;

static void unlink_conn(struct conns *c, struct conn *k)
{
	if (k->prev)
		k->prev->next = k->next;
	else
		c->head = k->next;
	if (k->next)
		k->next->prev = k->prev;
	else
		c->tail = k->prev;
	k->prev = k->next = NULL;
}

static void append_conn(struct conns *c, struct conn *k)
{
	k->prev = c->tail;
	k->next = NULL;
	if (c->tail)
		c->tail->next = k;
	else
		c->head = k;
	c->tail = k;
}

/* The sweep's timer: at the deadline of `oldest`, the head (plus the
 * tolerance), none when nothing is tracked. A timer already pending is
 * never later than the head's deadline (a new head's deadline only comes
 * later), so it stays: at worst it runs early and arms the next. */
static void arm_sweep(struct conns *c, const struct conn *oldest)
{
	if (!oldest) {
		event_del(c->sweep_ev);
		return;
	}
	if (evtimer_pending(c->sweep_ev, NULL))
		return;
	int64_t left = oldest->deadline_ns + c->sweep_late_ns - monotonic_ns();
	if (left < 0)
		left = 0;
	int64_t us = (left + 999) / 1000;
	struct timeval in = { (time_t)(us / 1000000), (suseconds_t)(us % 1000000) };
	evtimer_add(c->sweep_ev, &in);
}

static void forget(struct conns *c, struct conn *k)
{
	if (c->gone)
		c->gone(k->evcon, c->gone_arg);
	unlink_conn(c, k);
	if (!c->head)
		event_del(c->sweep_ev);
	g_hash_table_remove(c->by_evcon, k->evcon);
	c->open--;
	free(k);
}

/* evhttp is freeing the connection (closed by the client, done, failed). */
static void on_closed(struct evhttp_connection *evcon, void *arg)
{
	(void)evcon;
	struct conn *k = arg;
	forget(k->owner, k);
}

/* Close an adopted connection now (never from inside its own callbacks);
 * returns the one after it. */
static struct conn *close_conn(struct conns *c, struct conn *k)
{
	struct evhttp_connection *evcon = k->evcon;
	struct conn *next = k->next;
	evhttp_connection_set_closecb(evcon, NULL, NULL);
	forget(c, k);
	evhttp_connection_free(evcon);
	return next;
}

/* Has the peer of an adopted connection never sent a byte? (The kernel's
 * count, whatever TLS or evhttp have read of it; unknown: no.) */
static bool silent(const struct conn *k)
{
	struct tcp_info ti;
	socklen_t len = sizeof ti;
	evutil_socket_t fd = bufferevent_getfd(evhttp_connection_get_bufferevent(k->evcon));
	memset(&ti, 0, sizeof ti);
	if (fd < 0 || getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0 ||
	    len < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof ti.tcpi_bytes_received)
		return false;
	return ti.tcpi_bytes_received == 0;
}

/*
 * The connection a new one replaces at the cap: the longest-waiting one
 * that has sent nothing, else the longest-waiting one. A client that
 * spoke at once (a scraper's request, a TLS ClientHello) is not closed
 * mid-handshake by a burst of connections that say nothing, whose cost
 * to the attacker is only a connect().
 */
static struct conn *victim(struct conns *c)
{
	struct conn *k = c->head;
	for (unsigned n = 0; k && n < EVICT_SCAN; k = k->next, n++)
		if (silent(k))
			return k;
	return c->head;
}

/* A response goes to the socket in as few writes as the kernel's send
 * buffer takes, not in libevent's default 16 KiB pieces: each write is a
 * turn of the loop, a pass through the TCP stack and a wakeup of the
 * client, so a 35 KB page in three pieces costs about twice the CPU of
 * one. The send buffer (net.ipv4.tcp_wmem) stays the bound of one write. */
static void whole_writes(struct bufferevent *bev)
{
	bufferevent_set_max_single_write(bev, EV_SSIZE_MAX);
}

/* Called by evhttp for each accepted connection, before it exists. */
static struct bufferevent *make_bev(struct event_base *base, void *arg)
{
	struct conns *c = arg;
	if (c->open >= c->cap && c->head) {
		log_warn_limited(&evict_log,
				 "%u connections open (max-connections): closing the one waiting longest "
				 "(one that has sent nothing first)",
				 c->open);
		close_conn(c, victim(c));
	}
	if (++c->n_pending >= conns_batch(c->cap)) {
		/* One batch a turn of the loop, whatever the backlog: a
		 * connection accepted in it reads its request before later
		 * ones can evict it, and pending ones (which cannot be
		 * evicted) stay few. Accepting resumes once they are adopted. */
		evconnlistener_disable(c->listener);
		c->wait_adopt = true;
	}
	struct bufferevent *bev =
		c->make ? c->make(base, c->make_arg) : bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (bev)
		whole_writes(bev);
	struct conn *k = bev ? c->alloc(sizeof *k) : NULL;
	if (!k) {
		log_warn_limited(&untracked_log,
				 "out of memory for a connection's record: its requests are answered 503");
		return bev; /* evhttp makes one if NULL; either way untracked (see on_request) */
	}
	memset(k, 0, sizeof *k);
	bufferevent_incref(bev);
	k->bev = bev;
	k->owner = c;
	k->next_pending = c->pending;
	c->pending = k;
	c->open++;
	event_active(c->adopt_ev, EV_TIMEOUT, 1);
	return bev;
}

static void on_adopt(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct conns *c = arg;
	int64_t now = monotonic_ns();
	while (c->pending) {
		struct conn *k = c->pending;
		c->pending = k->next_pending;
		bufferevent_data_cb readcb = NULL;
		void *cbarg = NULL;
		bufferevent_getcb(k->bev, &readcb, NULL, NULL, &cbarg);
		struct bufferevent *bev = k->bev;
		k->bev = NULL;
		if (readcb && cbarg) {
			k->evcon = cbarg;
			k->deadline_ns = now + c->timeout_ns;
			evhttp_connection_set_closecb(k->evcon, on_closed, k);
			g_hash_table_insert(c->by_evcon, k->evcon, k);
			append_conn(c, k);
		} else { /* evhttp gave up on it already */
			c->open--;
			free(k);
		}
		bufferevent_decref(bev);
	}
	arm_sweep(c, c->head);
	if (c->wait_adopt && !evtimer_pending(c->resume_ev, NULL))
		evconnlistener_enable(c->listener);
	c->wait_adopt = false;
	c->n_pending = 0;
}

/* A complete request: handed on if its connection is in our charge (its
 * next request gets a new deadline), else answered 503 and closed. */
static void on_request(struct evhttp_request *req, void *arg)
{
	struct conns *c = arg;
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct conn *k = evcon ? g_hash_table_lookup(c->by_evcon, evcon) : NULL;
	if (!k) {
		struct evkeyvalq *h = evhttp_request_get_output_headers(req);
		evhttp_add_header(h, "Connection", "close");
		evhttp_add_header(h, "Retry-After", "1");
		evhttp_send_reply(req, 503, "Service Unavailable", NULL);
		return;
	}
	k->deadline_ns = monotonic_ns() + c->timeout_ns;
	unlink_conn(c, k);
	append_conn(c, k);
	c->handle(req, c->handle_arg);
}

static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct conns *c = arg;
	int64_t now = monotonic_ns();
	struct conn *k = c->head;
	for (; k && k->deadline_ns <= now; k = close_conn(c, k))
		log_warn_limited(&deadline_log, "closing a connection without a complete request after %lld ms",
				 (long long)(c->timeout_ns / 1000000));
	arm_sweep(c, k); /* k: the oldest left, the head now */
}

/*
 * Out of descriptors although the cap was set below the limit (lowered
 * meanwhile, or the system's table is full): the cap becomes what fits,
 * less an eighth, the oldest connections beyond it are closed, and
 * accept() rests a moment rather than fail again at once.
 */
static void on_accept_error(struct evconnlistener *listener, void *arg)
{
	(void)arg;
	struct conns *c = the_conns;
	int err = EVUTIL_SOCKET_ERROR();
	unsigned fits = c->open - c->open / 8;
	if (fits < 8)
		fits = 8;
	if (fits < c->cap && (err == EMFILE || err == ENFILE))
		c->cap = fits;
	log_error_limited(&accept_log,
			  "accept: %s (%u connections open); at most %u from now on, pausing accepts for %d ms",
			  strerror(err), c->open, c->cap, ACCEPT_PAUSE_MS);
	struct conn *k = c->head ? close_conn(c, c->head) : NULL; /* a descriptor for the next one */
	while (k && c->open > c->cap)
		k = close_conn(c, k);
	struct timeval pause = { 0, ACCEPT_PAUSE_MS * 1000 };
	evconnlistener_disable(listener);
	evtimer_add(c->resume_ev, &pause);
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct conns *c = arg;
	evconnlistener_enable(c->listener);
}

unsigned conns_batch(unsigned cap)
{
	return cap / 4 > 8 ? cap / 4 : 8;
}

int conns_effective_cap(int cap, long nofile)
{
	if (nofile <= 0)
		return cap;
	long room = nofile - CONNS_FD_HEADROOM;
	if (room < 8)
		room = 8;
	return cap < room ? cap : (int)room;
}

static void *zeroed(size_t n)
{
	return calloc(1, n);
}

struct conns *conns_new(struct event_base *base, struct evhttp *http, struct evhttp_bound_socket *bound, int cap,
			int request_timeout_ms, void (*handle)(struct evhttp_request *req, void *arg), void *arg)
{
	struct conns *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	struct rlimit rl;
	long nofile = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? (long)rl.rlim_cur : 0;
	int eff = conns_effective_cap(cap, nofile);
	if (eff < cap)
		log_warn("max-connections %d is too close to the fd limit %ld: using %d", cap, nofile, eff);
	c->cap = (unsigned)eff;
	c->handle = handle;
	c->handle_arg = arg;
	c->alloc = zeroed;
	c->timeout_ns = (int64_t)request_timeout_ms * 1000000;
	c->listener = evhttp_bound_socket_get_listener(bound);
	c->by_evcon = g_hash_table_new(g_direct_hash, g_direct_equal);
	c->adopt_ev = event_new(base, -1, 0, on_adopt, c);
	c->sweep_ev = evtimer_new(base, on_sweep, c);
	c->resume_ev = evtimer_new(base, on_resume, c);
	int late_ms = request_timeout_ms / SWEEP_LATE_DIVISOR < SWEEP_LATE_MAX_MS
			      ? request_timeout_ms / SWEEP_LATE_DIVISOR
			      : SWEEP_LATE_MAX_MS;
	c->sweep_late_ns = (int64_t)late_ms * 1000000;
	if (!c->listener || !c->adopt_ev || !c->sweep_ev || !c->resume_ev) {
		conns_free(c);
		return NULL;
	}
	the_conns = c;
	evconnlistener_set_error_cb(c->listener, on_accept_error);
	evhttp_set_bevcb(http, make_bev, c);
	evhttp_set_gencb(http, on_request, c);
	return c;
}

void conns_set_bev_factory(struct conns *c, struct bufferevent *(*make)(struct event_base *, void *), void *arg)
{
	c->make = make;
	c->make_arg = arg;
}

void conns_set_allocator(struct conns *c, void *(*alloc)(size_t n))
{
	c->alloc = alloc ? alloc : zeroed;
}

void conns_set_close_hook(struct conns *c, void (*gone)(const struct evhttp_connection *evcon, void *arg), void *arg)
{
	c->gone = gone;
	c->gone_arg = arg;
}

void conns_free(struct conns *c)
{
	if (!c)
		return;
	/* The connections themselves go with evhttp_free; stop hearing of them. */
	for (struct conn *k = c->head, *next; k; k = next) {
		next = k->next;
		evhttp_connection_set_closecb(k->evcon, NULL, NULL);
		free(k);
	}
	c->head = c->tail = NULL;
	while (c->pending) {
		struct conn *k = c->pending;
		c->pending = k->next_pending;
		bufferevent_decref(k->bev);
		free(k);
	}
	if (c->listener)
		evconnlistener_set_error_cb(c->listener, NULL);
	if (c->adopt_ev)
		event_free(c->adopt_ev);
	if (c->sweep_ev)
		event_free(c->sweep_ev);
	if (c->resume_ev)
		event_free(c->resume_ev);
	if (c->by_evcon)
		g_hash_table_destroy(c->by_evcon);
	if (the_conns == c)
		the_conns = NULL;
	free(c);
}

unsigned conns_open(const struct conns *c)
{
	return c->open;
}

unsigned conns_cap(const struct conns *c)
{
	return c->cap;
}
