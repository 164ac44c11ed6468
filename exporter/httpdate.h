/*
 * httpdate.h - the Date header of every response, in HTTP's one date
 * format (IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"), formatted once
 * a second and reused by every response within it. Given to evhttp, it
 * spares evhttp formatting the same text with snprintf at every reply.
 */
#ifndef SENSOR_EXPORTER_HTTPDATE_H
#define SENSOR_EXPORTER_HTTPDATE_H

#include <stddef.h>
#include <time.h>

#define HTTPDATE_LEN 29 /* "Sun, 06 Nov 1994 08:49:37 GMT" */

struct httpdate {
	time_t at; /* the second `text` shows; 0: none yet */
	char text[HTTPDATE_LEN + 1];
};

/* Write the date of t (UTC) into dst (HTTPDATE_LEN + 1 bytes, NUL
 * included); returns HTTPDATE_LEN, or 0 for a time gmtime cannot break
 * down (dst then holds ""). */
size_t httpdate_format(char *dst, time_t t);

/* The text for second `now`, reformatted only when the second changed. */
const char *httpdate_at(struct httpdate *d, time_t now);

#endif
