/*
 * connections.h - the exporter's guard against clients that hold
 * connections open: a cap on open connections (at the cap, a new one
 * closes the one that has waited longest for a complete request), a
 * whole-request deadline that no trickle of bytes extends, and a pause
 * of accept() when the process is out of descriptors instead of a busy
 * loop.
 */
#ifndef SENSOR_EXPORTER_CONNECTIONS_H
#define SENSOR_EXPORTER_CONNECTIONS_H

#include <event2/event.h>
#include <event2/http.h>
#include <stdint.h>

struct conns;

/* Fds the exporter keeps for itself besides its connections (the cap is
 * at most the fd limit less this). */
#define CONNS_FD_HEADROOM 64

/*
 * Take charge of `http`'s connections and of the listener of `bound`.
 * `cap` is lowered to the descriptor limit less CONNS_FD_HEADROOM (with a
 * warning). Each complete request on a connection in our charge goes to
 * `handle` (evhttp's general callback; the connection's next request gets
 * a new deadline); one on a connection whose record could not be
 * allocated is answered 503 (Retry-After, Connection: close) instead.
 * NULL when out of memory.
 */
struct conns *conns_new(struct event_base *base, struct evhttp *http, struct evhttp_bound_socket *bound, int cap,
			int request_timeout_ms, void (*handle)(struct evhttp_request *req, void *arg), void *arg);
void conns_free(struct conns *c);

/* Make each connection's bufferevent with `make` (tls.c's, for TLS)
 * instead of a plain socket one. */
struct bufferevent;
void conns_set_bev_factory(struct conns *c, struct bufferevent *(*make)(struct event_base *, void *), void *arg);

/* `gone` is called with each connection that closes, before libevent
 * frees it and its requests. */
void conns_set_close_hook(struct conns *c, void (*gone)(const struct evhttp_connection *evcon, void *arg), void *arg);

/* The allocator of the connections' records (calloc when NULL; tests
 * pass one that fails). */
void conns_set_allocator(struct conns *c, void *(*alloc)(size_t n));

/* Open connections now, and the cap in force. */
unsigned conns_open(const struct conns *c);
unsigned conns_cap(const struct conns *c);

/* Connections accepted in one turn of the loop at most: a quarter of the
 * cap in force (at least 8), so when the cap drops at EMFILE the batch
 * drops with it and a burst cannot take the descriptors a scraper needs. */
unsigned conns_batch(unsigned cap);

/* The cap in force once lowered to the fd limit: min(cap, nofile - CONNS_FD_HEADROOM), at least 8. */
int conns_effective_cap(int cap, long nofile);

#endif
