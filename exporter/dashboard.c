/*
 * dashboard.c - serves exporter/dashboard.html. The build turns the HTML
 * into a byte list ($(BUILD)/gen/dashboard_html.inc, scripts/embed.sh),
 * so the binary carries the page and nothing is read from disk at run
 * time. The only dynamic part is the VictoriaMetrics URL.
 */
#include "dashboard.h"

#include <event2/http.h>
#include <string.h>

static const char page[] = {
#include "dashboard_html.inc"
	, '\0'
};

#define PLACEHOLDER "@VM_URL@"

static void add_escaped(struct evbuffer *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': evbuffer_add(out, "&amp;", 5); break;
		case '<': evbuffer_add(out, "&lt;", 4); break;
		case '>': evbuffer_add(out, "&gt;", 4); break;
		case '"': evbuffer_add(out, "&quot;", 6); break;
		case '\'': evbuffer_add(out, "&#39;", 5); break;
		default: evbuffer_add(out, s, 1);
		}
	}
}

void dashboard_render(struct evbuffer *out, const char *vm_url)
{
	const char *p = page;
	const char *hit;
	while ((hit = strstr(p, PLACEHOLDER)) != NULL) {
		evbuffer_add(out, p, (size_t)(hit - p));
		add_escaped(out, vm_url);
		p = hit + strlen(PLACEHOLDER);
	}
	evbuffer_add(out, p, strlen(p));
}

void dashboard_add_headers(struct evkeyvalq *headers)
{
	/* Inline script and style only; data comes from fetch() to
	 * VictoriaMetrics (any http(s) origin: ?vm= may point elsewhere). */
	evhttp_add_header(headers, "Content-Security-Policy",
			  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
			  "connect-src http: https:; img-src data:; base-uri 'none'; form-action 'none'; "
			  "frame-ancestors 'none'");
	evhttp_add_header(headers, "X-Content-Type-Options", "nosniff");
}
