/*
 * test_connections.c - the exporter's connection bookkeeping on a real
 * evhttp server over loopback: a request on a connection in its charge
 * reaches the handler; when the connection's record cannot be allocated
 * (out of memory), its request never reaches the handler (nothing would
 * tell it when the connection closes, so a reply deferred by the handler,
 * as basic auth's is, could land on a freed request): it is answered 503
 * with Retry-After and the connection closed, and the next connection,
 * with memory back, is served again. A connection's bufferevent, made
 * by the bookkeeping or by a factory (TLS's), writes a response in as few
 * writes as the socket takes, not cut at libevent's 16 KiB.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "../../exporter/connections.h"

static bool records_fail;    /* the records' allocator fails while set */
static int handled;          /* requests that reached the handler */
static ev_ssize_t max_write; /* the largest single write of the last request's connection */

static void *test_alloc(size_t n)
{
	return records_fail ? NULL : calloc(1, n);
}

static void handler(struct evhttp_request *req, void *arg)
{
	(void)arg;
	handled++;
	max_write =
		bufferevent_get_max_single_write(evhttp_connection_get_bufferevent(evhttp_request_get_connection(req)));
	evbuffer_add_printf(evhttp_request_get_output_buffer(req), "served\n");
	evhttp_send_reply(req, 200, "OK", NULL);
}

struct client {
	int port;
	const char *request;
	char answer[4096];
	bool eof; /* the server closed the connection (no timeout) */
	atomic_bool done;
};

/* Send one request, read until the server closes or 3 s pass. */
static void *client_run(void *arg)
{
	struct client *cl = arg;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)cl->port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct timeval tv = { 3, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	size_t got = 0;
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
	    send(fd, cl->request, strlen(cl->request), MSG_NOSIGNAL) == (ssize_t)strlen(cl->request)) {
		for (;;) {
			ssize_t n = recv(fd, cl->answer + got, sizeof cl->answer - 1 - got, 0);
			if (n == 0)
				cl->eof = true;
			if (n <= 0 || got + (size_t)n >= sizeof cl->answer - 1)
				break;
			got += (size_t)n;
		}
	}
	cl->answer[got] = '\0';
	if (fd >= 0)
		close(fd);
	atomic_store(&cl->done, true);
	return NULL;
}

struct server {
	struct event_base *base;
	struct evhttp *http;
	struct conns *conns;
	int port;
};

static void server_start(struct server *s)
{
	s->base = event_base_new();
	s->http = evhttp_new(s->base);
	assert_non_null(s->http);
	struct evhttp_bound_socket *bound = evhttp_bind_socket_with_handle(s->http, "127.0.0.1", 0);
	assert_non_null(bound);
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	assert_int_equal(getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&sa, &len), 0);
	s->port = ntohs(sa.sin_port);
	s->conns = conns_new(s->base, s->http, bound, 16, 5000, handler, NULL);
	assert_non_null(s->conns);
	conns_set_allocator(s->conns, test_alloc);
}

static void server_stop(struct server *s)
{
	conns_free(s->conns);
	evhttp_free(s->http);
	event_base_free(s->base);
}

/* One client's exchange, the server's loop turning meanwhile; then the
 * loop turns a little more so that closed connections are forgotten. */
static void exchange(struct server *s, struct client *cl, const char *request)
{
	memset(cl, 0, sizeof *cl);
	cl->port = s->port;
	cl->request = request;
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, client_run, cl), 0);
	struct timespec nap = { 0, 1000000 };
	while (!atomic_load(&cl->done)) {
		event_base_loop(s->base, EVLOOP_NONBLOCK);
		nanosleep(&nap, NULL);
	}
	pthread_join(t, NULL);
	for (int i = 0; i < 50; i++) {
		event_base_loop(s->base, EVLOOP_NONBLOCK);
		nanosleep(&nap, NULL);
	}
}

static const char keep_alive[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
static const char then_close[] = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

static void test_tracked_connection_is_served(void **state)
{
	(void)state;
	struct server s;
	server_start(&s);
	struct client cl;
	records_fail = false;
	handled = 0;
	exchange(&s, &cl, then_close);
	assert_true(strncmp(cl.answer, "HTTP/1.1 200", 12) == 0);
	assert_non_null(strstr(cl.answer, "served"));
	assert_int_equal(handled, 1);
	assert_int_equal(conns_open(s.conns), 0); /* closed and forgotten */
	server_stop(&s);
}

static void test_untracked_connection_answered_503_and_closed(void **state)
{
	(void)state;
	struct server s;
	server_start(&s);
	struct client cl;
	handled = 0;

	records_fail = true;
	exchange(&s, &cl, keep_alive);
	assert_true(strncmp(cl.answer, "HTTP/1.1 503", 12) == 0);
	assert_non_null(strstr(cl.answer, "Retry-After: 1\r\n"));
	assert_true(cl.eof); /* closed by the server although the client asked to keep it */
	assert_int_equal(handled, 0);
	assert_int_equal(conns_open(s.conns), 0);

	records_fail = false; /* memory back: the next connection is served */
	exchange(&s, &cl, then_close);
	assert_true(strncmp(cl.answer, "HTTP/1.1 200", 12) == 0);
	assert_int_equal(handled, 1);
	server_stop(&s);
}

static struct bufferevent *plain_factory(struct event_base *base, void *arg)
{
	(void)arg;
	return bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
}

static void test_writes_not_cut_at_16k(void **state)
{
	(void)state;
	struct server s;
	server_start(&s);
	struct client cl;
	records_fail = false;
	for (int with_factory = 0; with_factory < 2; with_factory++) {
		if (with_factory)
			conns_set_bev_factory(s.conns, plain_factory, NULL);
		handled = 0;
		max_write = 0;
		exchange(&s, &cl, then_close);
		assert_int_equal(handled, 1);
		assert_true(max_write == EV_SSIZE_MAX);
	}
	server_stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tracked_connection_is_served),
		cmocka_unit_test(test_untracked_connection_answered_503_and_closed),
		cmocka_unit_test(test_writes_not_cut_at_16k),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
