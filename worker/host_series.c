/*
 * host_series.c - what every host collector builds its series with
 * (host.h): a series added to a sample, a label escaped into its text.
 * Below the collectors and the table of them.
 */
#include <stdio.h>
#include <string.h>

#include "../shm/seqlock.h"
#include "host.h"

static void add(struct host_out *o, enum host_family f, const char *text, uint64_t bits, uint8_t flags)
{
	size_t len = strlen(text);
	if (o->count >= SHM_HOST_SERIES_MAX || len > SHM_HOST_TEXT_LEN || (unsigned)f >= HOST_FAMILY_COUNT) {
		o->left_out++;
		return;
	}
	struct host_series *s = &o->s[o->count++];
	s->value_bits = bits;
	s->family = (uint16_t)f;
	s->flags = flags;
	s->text_len = (uint8_t)len;
	memcpy(s->text, text, len);
}

void host_add_u64(struct host_out *o, enum host_family f, const char *text, uint64_t v)
{
	add(o, f, text, v, SHM_HOST_INT);
}

void host_add_double(struct host_out *o, enum host_family f, const char *text, double v)
{
	add(o, f, text, shm_double_to_bits(v), 0);
}

/* A label text that does not fit is filled up to size - 1: longer than
 * any series takes (HOST_LABELS_SIZE), so it is left out and counted. */
static size_t overflow(char *buf, size_t size)
{
	memset(buf, 'x', size - 1);
	buf[size - 1] = '\0';
	return size;
}

/* The character after the backslash that escapes c in a label value. */
static char escape_of(char c)
{
	switch (c) {
	case '\\': return '\\';
	case '"': return '"';
	case '\n': return 'n';
	default: return '\0';
	}
}

size_t host_label(char *buf, size_t size, size_t at, const char *key, const char *value)
{
	if (at >= size)
		return overflow(buf, size);
	int n = snprintf(buf + at, size - at, "%s%s=\"", at ? "," : "", key);
	if (n < 0 || (size_t)n >= size - at)
		return overflow(buf, size);
	at += (size_t)n;
	for (const char *p = value; *p; p++) {
		char esc = escape_of(*p);
		if (at + (esc ? 2 : 1) >= size)
			return overflow(buf, size);
		if (esc) {
			buf[at++] = '\\';
			buf[at++] = esc;
		} else {
			buf[at++] = *p;
		}
	}
	if (at + 1 >= size)
		return overflow(buf, size);
	buf[at++] = '"';
	buf[at] = '\0';
	return at;
}
