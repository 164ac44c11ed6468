/*
 * httpdate.c - the Date header's text (see httpdate.h). Day and month
 * names from tables, never the locale's.
 */
#include "httpdate.h"

#include <string.h>

static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

static char *two(char *p, int v)
{
	*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

size_t httpdate_format(char *dst, time_t t)
{
	struct tm tm;
	dst[0] = '\0';
	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999)
		return 0;
	char *p = dst;
	memcpy(p, days[tm.tm_wday], 3);
	p += 3;
	*p++ = ',';
	*p++ = ' ';
	p = two(p, tm.tm_mday);
	*p++ = ' ';
	memcpy(p, months[tm.tm_mon], 3);
	p += 3;
	*p++ = ' ';
	p = two(p, (tm.tm_year + 1900) / 100);
	p = two(p, (tm.tm_year + 1900) % 100);
	*p++ = ' ';
	p = two(p, tm.tm_hour);
	*p++ = ':';
	p = two(p, tm.tm_min);
	*p++ = ':';
	p = two(p, tm.tm_sec);
	memcpy(p, " GMT", 5); /* with the NUL */
	return HTTPDATE_LEN;
}

const char *httpdate_at(struct httpdate *d, time_t now)
{
	if (now != d->at || d->text[0] == '\0') {
		httpdate_format(d->text, now);
		d->at = now;
	}
	return d->text;
}
