/*
 * dashboard.h - the /dashboard page: a self-contained HTML file
 * (exporter/dashboard.html, embedded at build time) whose script draws
 * the key series from VictoriaMetrics' query API in the browser.
 */
#ifndef SENSOR_EXPORTER_DASHBOARD_H
#define SENSOR_EXPORTER_DASHBOARD_H

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>

/*
 * Append the page to `out` with every @VM_URL@ replaced by `vm_url`
 * (HTML-escaped; config_validate() already restricts its characters).
 */
void dashboard_render(struct evbuffer *out, const char *vm_url);

/* The page's own response headers: a strict Content-Security-Policy. */
void dashboard_add_headers(struct evkeyvalq *headers);

#endif
