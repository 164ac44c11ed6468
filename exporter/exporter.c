/*
 * exporter.c - the libevent evhttp server: one event loop, one generic
 * callback that routes, renders from shared memory and counts the answer.
 *
 * Which paths there are and what serves each is routes.c's table.
 *
 * Limits against bad clients: header and body sizes, an idle timeout,
 * exact-match routing, and connections.c's cap on open connections and
 * whole-request deadline. libevent's own warnings (one per failed accept,
 * say) go through a rate-limited log. A body that an allocation failure
 * cut short (the memory cap) is answered 500, never a truncated 200. The exporter also heartbeats so the
 * supervisor can restart it if its loop ever stalls.
 */
#include "exporter.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/fault.h"
#include "../common/log.h"
#include "../shm/metrics.h"
#include "../shm/seqlock.h"
#include "connections.h"
#include "auth.h"
#include "gzip.h"
#include "httpdate.h"
#include "memwatch.h"
#include "render.h"
#include "requests.h"
#include "selfstat.h"
#include "routes.h"
#include "serve.h"
#include "tls.h"
#include "web.h"

#define MAX_HEADERS_BYTES 8192
#define MAX_BODY_BYTES 1024
#define IDLE_TIMEOUT_S 5       /* no byte in either direction for this long: closed */
#define AUTH_RETRY_AFTER_S "1" /* a full verify queue drains within about a second */
#define BEAT_MAX_MS 5000       /* the longest pause between timer heartbeats */

struct exporter {
	struct shm_segment *seg;
	const struct config *cfg;
	struct event_base *base;
	struct conns *conns;
	struct web *web;               /* TLS and basic auth; NULL: plain HTTP, no auth */
	struct auth *auth;             /* basic auth's cache and verify threads; NULL without a web config */
	struct selfstat_src self;      /* /proc/self, for the process_* families */
	struct metrics_record metrics; /* the /metrics bodies rendered so far */
	struct httpdate date;          /* the Date header of this second */
	struct event *beat;            /* the heartbeat's timer */
	struct timeval beat_every;
};

/* Send the reply with the body in the request's output buffer, or, when
 * that is empty, a one-line body saying the status. */
static void reply(struct exporter *ex, struct evhttp_request *req, unsigned path, int status, const char *content_type)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *body = evhttp_request_get_output_buffer(req);
	if (content_type)
		evhttp_add_header(h, "Content-Type", content_type);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "Date", httpdate_at(&ex->date, time(NULL))); /* evhttp would format it per reply */
	const char *reason = status == 200   ? "OK"
			     : status == 401 ? "Unauthorized"
			     : status == 429 ? "Too Many Requests"
			     : status == 403 ? "Forbidden"
			     : status == 404 ? "Not Found"
			     : status == 405 ? "Method Not Allowed"
			     : status == 500 ? "Internal Server Error"
			     : status == 503 ? "Service Unavailable"
					     : "Error";
	if (status >= 400) /* an error's plain-text body is never to be sniffed (as Go's http.Error) */
		evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	if (status == 405)
		evhttp_add_header(h, "Allow", "GET, HEAD");
	if (status == 401)
		evhttp_add_header(h, "WWW-Authenticate", "Basic realm=\"sensor-service\", charset=\"UTF-8\"");
	if (status == 429)
		evhttp_add_header(h, "Retry-After", AUTH_RETRY_AFTER_S);
	if (evbuffer_get_length(body) == 0) {
		evbuffer_add_printf(body, "%d %s\n", status, reason);
		if (!content_type)
			evhttp_add_header(h, "Content-Type", "text/plain; charset=utf-8");
	}
	if (ex->web)
		web_set_headers(ex->web, h);
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		/* the headers a GET would get, its length included, and no body
		 * (libevent would send it) */
		char len[24];
		snprintf(len, sizeof len, "%zu", evbuffer_get_length(body));
		evhttp_add_header(h, "Content-Length", len);
		evbuffer_drain(body, evbuffer_get_length(body));
	}
	evhttp_send_reply(req, status, reason, NULL); /* the output buffer is the body */
	requests_count(ex->seg, path, status);
}

static bool peer_on_loopback(struct evhttp_request *req)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	char *addr = NULL;
	ev_uint16_t port = 0;
	if (!conn)
		return false;
	evhttp_connection_get_peer(conn, &addr, &port);
	return address_is_loopback(addr);
}

static struct log_limit short_body_log, gzip_log;

/*
 * Every body we render may be sent compressed, so caches must key on
 * Accept-Encoding. Compressed only when the client asks for it; a body
 * that zlib fails to compress (out of memory) goes out as it is: still a
 * correct answer.
 */
static void encode_body(struct evhttp_request *req)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	struct evbuffer *body = evhttp_request_get_output_buffer(req);
	evhttp_add_header(out, "Vary", "Accept-Encoding");
	const char *ae = evhttp_find_header(evhttp_request_get_input_headers(req), "Accept-Encoding");
	if (evbuffer_get_length(body) < GZIP_MIN_BYTES || !gzip_accepted(ae))
		return;
	struct evbuffer *gz = evbuffer_new();
	if (gz && gzip_compress(body, gz, GZIP_LEVEL)) {
		evhttp_add_header(out, "Content-Encoding", "gzip");
		evbuffer_drain(body, evbuffer_get_length(body));
		evbuffer_add_buffer(body, gz);
	} else {
		log_warn_limited(&gzip_log, "cannot compress a response (out of memory?): sending it uncompressed");
	}
	if (gz)
		evbuffer_free(gz);
}

/* Which route a request is for, from its method, target and peer. */
static struct route route_of(const struct exporter *ex, struct evhttp_request *req)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	char target_path[64];
	const char *path = route_target_path(evhttp_request_get_uri(req), target_path, sizeof target_path);
	if (!path) /* absolute form: http://host/path */
		path = uri ? evhttp_uri_get_path(uri) : NULL;
	enum evhttp_cmd_type method = evhttp_request_get_command(req);
	bool method_ok = method == EVHTTP_REQ_GET || method == EVHTTP_REQ_HEAD;
	bool debug_on = ex->cfg->debug_endpoint;
	bool local = debug_on && peer_on_loopback(req) &&
		     host_is_local(evhttp_find_header(evhttp_request_get_input_headers(req), "Host"));
	return route_request(path, method_ok, debug_on, local);
}

/* Serve a request that passed TLS and basic auth. */
static void respond(struct exporter *ex, struct evhttp_request *req)
{
	struct route r = route_of(ex, req);
	if (r.status != 0) {
		reply(ex, req, r.path, r.status, NULL);
		return;
	}

	struct evbuffer *body = evhttp_request_get_output_buffer(req);
	struct serve_ctx ctx = {
		.seg = ex->seg,
		.cfg = ex->cfg,
		.now_mono_ns = monotonic_ns(),
		.auth = ex->web && ex->web->cfg.n_users > 0 ? ex->auth : NULL,
		.web = ex->web,
		.headers = evhttp_request_get_output_headers(req),
		.self = &ex->self,
		.metrics = &ex->metrics,
	};
	unsigned long failed_allocs = memwatch_failures();
	const char *type = NULL;
	int status = serve_by_route[r.path](&ctx, body, &type);
	if (memwatch_failures() != failed_allocs) {
		/* an append failed (memory cap): the body is incomplete */
		log_error_limited(&short_body_log, "out of memory while building a response: answering 500");
		evbuffer_drain(body, evbuffer_get_length(body));
		status = 500;
		type = NULL;
	} else {
		encode_body(req);
	}
	reply(ex, req, r.path, status, type);
}

/* Answer a request according to basic auth's verdict. */
static void answer(struct exporter *ex, struct evhttp_request *req, enum auth_result verdict)
{
	if (verdict == AUTH_OK)
		respond(ex, req);
	else
		reply(ex, req, route_of(ex, req).path, verdict == AUTH_BUSY ? 429 : 401, NULL);
}

/* One exporter a process: the verify threads' answers find it here. */
static struct exporter *the_exporter;

static void on_verified(void *arg, enum auth_result verdict)
{
	answer(the_exporter, arg, verdict);
}

static bool request_on(void *req, const void *evcon)
{
	return evhttp_request_get_connection(req) == evcon;
}

/* A connection is going: a check in flight for its request must not
 * answer it (libevent frees the request with the connection). A request
 * libevent detached from its dead connection stays ours and is answered
 * (which frees it). */
static void on_conn_gone(const struct evhttp_connection *evcon, void *arg)
{
	struct exporter *ex = arg;
	if (ex->auth)
		auth_cancel(ex->auth, request_on, evcon);
}

/* A request reaching its handler proves the loop turns, as a timer beat
 * does: it stamps the heartbeat and puts the next timer beat off, so an
 * exporter scraped more often than it beats never wakes for its
 * heartbeat. (With an injected fault armed the timer keeps its pace: it
 * also fires the faults.) */
static void beat_on_request(struct exporter *ex)
{
	child_heartbeat(&ex->seg->children[SHM_CHILD_EXPORTER]);
	if (ex->beat && !fault_active())
		event_add(ex->beat, &ex->beat_every);
}

static void handle_request(struct evhttp_request *req, void *arg)
{
	struct exporter *ex = arg;
	beat_on_request(ex);
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	if (!ex->web) {
		respond(ex, req);
		return;
	}
	if (ex->web->tls && !(conn && tls_is_tls(evhttp_connection_get_bufferevent(conn)))) {
		/* a plain connection on the TLS port (its bufferevent could
		 * not be made): never served */
		evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
		reply(ex, req, route_of(ex, req).path, 500, NULL);
		return;
	}
	const char *authz = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
	enum auth_result verdict = auth_check(ex->auth, authz, req);
	if (verdict != AUTH_PENDING)
		answer(ex, req, verdict);
}

static void on_heartbeat(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct exporter *ex = arg;
	child_heartbeat(&ex->seg->children[SHM_CHILD_EXPORTER]);
	log_limit_flush();
	fault_tick(); /* testing aid: no-op unless --fault armed one */
}

/* libevent's messages: one limiter per severity, so none can flood. */
static void on_libevent_log(int severity, const char *msg)
{
	static struct log_limit warn_log, error_log;
	if (severity >= EVENT_LOG_ERR)
		log_error_limited(&error_log, "libevent: %s", msg);
	else if (severity == EVENT_LOG_WARN)
		log_warn_limited(&warn_log, "libevent: %s", msg);
}

static void warn_about(const struct web *w)
{
	char why[768];
	for (unsigned n = 0; web_warning(w, n, why, sizeof why); n++)
		log_warn("%s", why);
}

/* Re-read the web config; `why` says what asked for it. A file that does
 * not load leaves the configuration in force as it was. */
static void reload_web(struct exporter *ex, const char *why)
{
	char err[768];
	if (web_reload(ex->web, err, sizeof err) != 0) {
		log_error("%s: %s; keeping the previous certificates and users", why, err);
		return;
	}
	auth_set_users(ex->auth, &ex->web->cfg); /* the verified credentials are forgotten */
	log_info("%s: re-read %s (%s, %u basic auth users)", why, ex->web->path, ex->web->tls ? "TLS" : "no TLS",
		 ex->web->cfg.n_users);
	warn_about(ex->web);
}

/* SIGHUP (forwarded by the supervisor): re-read certificates and users. */
static void on_reload_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	struct exporter *ex = arg;
	if (!ex->web)
		log_info("SIGHUP: no web config file to re-read");
	else
		reload_web(ex, "SIGHUP");
}

/* Every web-config-poll-ms: the file, a certificate, the key or the CA
 * changed (a rotation, a user added)? Then re-read without a signal. */
static void on_web_poll(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct exporter *ex = arg;
	if (web_changed(ex->web))
		reload_web(ex, "web config changed");
}

static void on_stop_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	struct exporter *ex = arg;
	log_info("signal %d: stopping", (int)sig);
	event_base_loopexit(ex->base, NULL);
}

/*
 * The event loop. epoll's changelist: evhttp turns a connection's read
 * and write interest off and on around each reply, and with the
 * changelist the changes made in one loop iteration reach the kernel as
 * one epoll_ctl rather than one each. (Its caveat, an fd dup()ed while it
 * is watched, does not arise: the exporter never dups a socket.)
 */
static struct event_base *new_base(void)
{
	struct event_config *ec = event_config_new();
	if (!ec)
		return NULL;
	event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	struct event_base *base = event_base_new_with_config(ec);
	event_config_free(ec);
	return base;
}

unsigned exporter_tasks(const struct config *cfg)
{
	return (unsigned)EXPORTER_TASKS(strcmp(cfg->web_config_file, "none") != 0, cfg->auth_verifiers);
}

int exporter_main(struct shm_segment *seg, const struct config *cfg, int listen_fd)
{
	struct exporter ex = { .seg = seg, .cfg = cfg, .base = NULL, .conns = NULL, .web = NULL };
	struct evhttp *http = NULL;
	struct event *sigterm = NULL, *sigint = NULL, *sighup = NULL, *web_poll = NULL;
	int rc = 1;

	signal(SIGPIPE, SIG_IGN);
	memwatch_install(NULL, NULL); /* before libevent allocates anything */
	selfstat_open(&ex.self, "/proc", "self", sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE));
	event_set_log_callback(on_libevent_log);
	fault_begin(FAULT_EXPORTER, cfg->fault);
	render_textfile_bound((uint32_t)cfg->textfile_max_series, (uint32_t)cfg->textfile_max_files);
	ex.base = new_base();
	if (!ex.base)
		goto out;
	/* The signals' handlers first, then the web config: a SIGHUP at any
	 * moment of the start is either covered by this first read or makes a
	 * second one (until then it is ignored: see run_child in supervise.c). */
	sigterm = evsignal_new(ex.base, SIGTERM, on_stop_signal, &ex);
	sigint = evsignal_new(ex.base, SIGINT, on_stop_signal, &ex);
	sighup = evsignal_new(ex.base, SIGHUP, on_reload_signal, &ex);
	if (!sigterm || !sigint || !sighup || event_add(sigterm, NULL) != 0 || event_add(sigint, NULL) != 0 ||
	    event_add(sighup, NULL) != 0)
		goto out;
	if (strcmp(cfg->web_config_file, "none") != 0) {
		char err[768];
		/* checked at start: changed since? */
		ex.web = web_load(cfg->web_config_file, cfg->auth_max_bcrypt_cost, err, sizeof err);
		if (!ex.web) {
			log_error("%s", err);
			goto out;
		}
	}
	if (ex.web) {
		char err[256];
		struct auth_limits lim = {
			.verifiers = (unsigned)cfg->auth_verifiers,
			.queue = (unsigned)cfg->auth_queue,
			.busy_percent = (unsigned)cfg->auth_busy_percent,
			.cache_entries = (unsigned)cfg->auth_cache_entries,
			.cache_idle_s = (unsigned)cfg->auth_cache_idle_s,
		};
		ex.auth = auth_new(ex.base, &lim, on_verified, err, sizeof err);
		if (!ex.auth) {
			log_error("%s", err);
			goto out;
		}
		auth_set_users(ex.auth, &ex.web->cfg);
		the_exporter = &ex;
		warn_about(ex.web);
		if (ex.web->cfg.http_section && ex.web->cfg.http2)
			log_info("web config %s: http_server_config.http2 is on: the service speaks HTTP/1.1, which "
				 "clients offering HTTP/2 get",
				 cfg->web_config_file);
		if (cfg->web_config_poll_ms > 0) {
			struct timeval every = { cfg->web_config_poll_ms / 1000,
						 (cfg->web_config_poll_ms % 1000) * 1000 };
			web_poll = event_new(ex.base, -1, EV_PERSIST, on_web_poll, &ex);
			if (!web_poll || event_add(web_poll, &every) != 0)
				goto out;
		}
	}
	http = evhttp_new(ex.base);
	if (!http)
		goto out;
	/* Accept every method libevent knows so that we, not libevent, answer
	 * 405 with an Allow header. */
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
						 EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
						 EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	evhttp_set_max_headers_size(http, MAX_HEADERS_BYTES);
	evhttp_set_max_body_size(http, MAX_BODY_BYTES);
	evhttp_set_timeout(http, IDLE_TIMEOUT_S);
	struct evhttp_bound_socket *bound = evhttp_accept_socket_with_handle(http, listen_fd);
	if (!bound) {
		log_error("cannot accept on the listening socket");
		goto out;
	}
	ex.conns = conns_new(ex.base, http, bound, cfg->max_connections, cfg->request_timeout_ms, handle_request, &ex);
	if (!ex.conns)
		goto out;
	if (ex.web && ex.web->tls)
		conns_set_bev_factory(ex.conns, tls_bufferevent, ex.web->tls);
	conns_set_close_hook(ex.conns, on_conn_gone, &ex);

	/* Beat well within the supervisor's timeout (a quarter of it), and
	 * at least every BEAT_MAX_MS, which also bounds how late the log's
	 * summaries of suppressed lines come. */
	int beat_ms = cfg->heartbeat_timeout_ms / 4 < BEAT_MAX_MS ? cfg->heartbeat_timeout_ms / 4 : BEAT_MAX_MS;
	if (fault_active() && beat_ms > FAULT_TICK_MS)
		beat_ms = FAULT_TICK_MS; /* the beat also fires the injected faults */
	ex.beat_every = (struct timeval){ beat_ms / 1000, (beat_ms % 1000) * 1000 };
	ex.beat = event_new(ex.base, -1, EV_PERSIST, on_heartbeat, &ex);
	if (!ex.beat || event_add(ex.beat, &ex.beat_every) != 0)
		goto out;

	child_heartbeat(&seg->children[SHM_CHILD_EXPORTER]);
	log_info("serving %s://%s:%d/ (debug endpoint %s, at most %u connections, %u basic auth users)",
		 ex.web && ex.web->tls ? "https" : "http", cfg->listen, cfg->port, cfg->debug_endpoint ? "on" : "off",
		 conns_cap(ex.conns), ex.web ? ex.web->cfg.n_users : 0);
	rc = event_base_dispatch(ex.base) < 0 ? 1 : 0;

out:
	if (ex.beat)
		event_free(ex.beat);
	if (sigterm)
		event_free(sigterm);
	if (sigint)
		event_free(sigint);
	if (sighup)
		event_free(sighup);
	if (web_poll)
		event_free(web_poll);
	auth_free(ex.auth);   /* its threads stop; checks in flight are dropped with their requests */
	conns_free(ex.conns); /* before evhttp_free, which closes the connections */
	if (http)
		evhttp_free(http);
	if (ex.base)
		event_base_free(ex.base); /* after it, every response still in flight has given its page back */
	pagepool_clear(&ex.metrics.pages);
	web_free(ex.web); /* after the connections: their SSLs hold the context */
	selfstat_close(&ex.self);
	return rc;
}
