/*
 * tls.h - the exporter's TLS server context (OpenSSL), built from the web
 * config, and the libevent bufferevents that speak it.
 */
#ifndef SENSOR_EXPORTER_TLS_H
#define SENSOR_EXPORTER_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include "webconfig.h"

struct event_base;
struct bufferevent;
struct tls;

/*
 * Load the certificate chain, the key (which must match it), the client
 * CA and the version bounds of `wc`. NULL with a one-line reason in err
 * when any of it fails.
 */
struct tls *tls_new(const struct web_config *wc, char *err, size_t errlen);

/* Replace the context by one built from `wc`; on failure the old one
 * stays and err says why. Open connections keep the context they
 * started with. */
int tls_reload(struct tls *t, const struct web_config *wc, char *err, size_t errlen);

void tls_free(struct tls *t);

/* A bufferevent that accepts a TLS connection with the current context
 * (for connections.c's factory); NULL when out of memory. */
struct bufferevent *tls_bufferevent(struct event_base *base, void *tls);

/* Does this bufferevent speak TLS? (A check that no plain connection is
 * ever served on a TLS port.) */
bool tls_is_tls(struct bufferevent *bev);

#endif
