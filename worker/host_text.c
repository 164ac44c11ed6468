/*
 * host_text.c - the files the host collectors read (host.h): a small
 * file read whole, and the /proc texts they parse line by line, read
 * whole up to a bound; when such a file goes on past it, the text is cut
 * after its last whole line and the lines left out are counted, so no
 * collector parses half a line as a line. And proc/stat, read once per
 * sample for the cpu and stat collectors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"

#define HOST_TEXT_FIRST (64u * 1024u) /* what a board's texts take; grown on a bigger machine */

/* Fill buf[got..size-1) from fd, up to the end of the file or of buf;
 * the new length. */
static size_t fill(int fd, char *buf, size_t got, size_t size)
{
	while (got + 1 < size) {
		ssize_t n = read(fd, buf + got, size - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

/* buf is full: when the file goes on, read the rest, count its lines
 * (the one cut in the middle, and the last even without its newline)
 * as left out and cut buf after its last whole line; the new length. */
static size_t cut_to_lines(struct host_ctx *ctx, int fd, const char *buf, size_t got)
{
	char rest[4096];
	uint64_t lines = 0;
	char last = '\n';
	if (got > 0)
		last = buf[got - 1];
	bool more = false;
	for (;;) {
		ssize_t n = read(fd, rest, sizeof rest);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		more = true;
		for (ssize_t i = 0; i < n; i++)
			lines += rest[i] == '\n';
		last = rest[n - 1];
	}
	if (!more)
		return got;
	ctx->left_out[SHM_HOST_LINES] += lines + (last != '\n');
	while (got > 0 && buf[got - 1] != '\n')
		got--;
	return got;
}

long host_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t got = fill(fd, buf, 0, size);
	close(fd);
	buf[got] = '\0';
	return (long)got;
}

long host_read_lines(struct host_ctx *ctx, const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t got = fill(fd, buf, 0, size);
	if (got + 1 == size)
		got = cut_to_lines(ctx, fd, buf, got);
	close(fd);
	buf[got] = '\0';
	return (long)got;
}

long host_read_text(struct host_ctx *ctx, const char *path, struct host_text *t)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t got = 0;
	for (;;) {
		if (t->size < HOST_TEXT_MAX && (!t->buf || got + 1 == t->size)) {
			size_t want = t->size ? t->size * 2 : HOST_TEXT_FIRST;
			want = want < HOST_TEXT_MAX ? want : HOST_TEXT_MAX;
			char *b = realloc(t->buf, want);
			if (b) {
				t->buf = b;
				t->size = want;
			} else if (!t->buf) {
				close(fd);
				return -1;
			}
		}
		size_t before = got;
		got = fill(fd, t->buf, got, t->size);
		if (got + 1 < t->size || got == before || t->size >= HOST_TEXT_MAX)
			break; /* the end of the file, or of the bound */
	}
	if (got + 1 == t->size)
		got = cut_to_lines(ctx, fd, t->buf, got);
	close(fd);
	t->buf[got] = '\0';
	return (long)got;
}

const char *host_proc_stat(struct host_ctx *ctx)
{
	if (!ctx->stat_read) {
		char path[192];
		snprintf(path, sizeof path, "%s/stat", ctx->proc);
		ctx->stat_len = host_read_text(ctx, path, &ctx->stat);
		ctx->stat_read = true;
	}
	return ctx->stat_len > 0 ? ctx->stat.buf : NULL;
}
