/*
 * source_push.c - the push input: bounded intake of pushed readings from
 * a Unix datagram socket and UDP on loopback (see source_push.h).
 */
#define _GNU_SOURCE
#include "source_push.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../shm/metrics.h"
#include "../shm/seqlock.h"
#include "source.h"
#include "sysfs.h"

/* Push channels are fed from here, never polled by the worker's loop. */
const struct source_ops source_push_ops = { "push", NULL, NULL };

void push_init(struct push_intake *p, const int fd[PUSH_FD_COUNT], int max_per_tick, int rate)
{
	memset(p, 0, sizeof *p);
	for (int i = 0; i < PUSH_FD_COUNT; i++)
		p->fd[i] = fd[i];
	p->max_per_tick = max_per_tick;
	p->rate = p->tokens = rate;
	p->refill_ns = -1;
	push_set_window(p, 60, 60000);
}

void push_set_window(struct push_intake *p, int max_age_s, int max_skew_ms)
{
	p->max_age_ns = (int64_t)max_age_s * 1000000000;
	p->max_skew_ns = (int64_t)max_skew_ms * 1000000;
}

int push_parse_line(const char *line, char *name, size_t name_len, double *value, int64_t *ts_ns)
{
	char field[3][64];
	int n = 0;
	const char *s = line;
	while (*s) {
		s += strspn(s, " \t\r");
		size_t len = strcspn(s, " \t\r");
		if (len == 0)
			break;
		if (n == 3 || len >= sizeof field[0])
			return -1;
		memcpy(field[n], s, len);
		field[n++][len] = '\0';
		s += len;
	}
	double ts = 0.0;
	if (n < 2 || strlen(field[0]) >= name_len || sysfs_parse_number(field[1], value) != 0)
		return -1;
	if (n == 3 && (sysfs_parse_number(field[2], &ts) != 0 || !(ts > 0.0 && ts <= PUSH_TS_MAX_S)))
		return -1;
	memcpy(name, field[0], strlen(field[0]) + 1);
	double whole = floor(ts); /* whole seconds apart: ts * 1e9 would lose nanoseconds */
	*ts_ns = (int64_t)whole * 1000000000 + llround((ts - whole) * 1e9);
	return 0;
}

static enum shm_push_result take_line(struct push_intake *p, const char *line, int64_t now_real_ns,
				      const struct push_sink *sink)
{
	char name[SHM_CHANNEL_NAME_LEN];
	double value;
	int64_t ts_ns;
	if (p->tokens < 1.0)
		return SHM_PUSH_OVER_RATE;
	p->tokens -= 1.0;
	if (push_parse_line(line, name, sizeof name, &value, &ts_ns) != 0)
		return SHM_PUSH_MALFORMED;
	if (ts_ns != 0 && (ts_ns < now_real_ns - p->max_age_ns || ts_ns > now_real_ns + p->max_skew_ns))
		return SHM_PUSH_BAD_TIMESTAMP;
	int ch = sink->lookup(sink->ctx, name);
	if (ch < 0)
		return SHM_PUSH_UNKNOWN_CHANNEL;
	return sink->accept(sink->ctx, ch, value, ts_ns) == 0 ? SHM_PUSH_ACCEPTED : SHM_PUSH_MALFORMED;
}

/* Every non-blank line counts once; a datagram without one counts as malformed. */
static void take_datagram(struct push_intake *p, char *buf, int64_t now_real_ns, const struct push_sink *sink,
			  _Atomic uint64_t counters[SHM_PUSH_RESULT_COUNT])
{
	unsigned lines = 0;
	for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[strspn(line, " \t\r")] == '\0')
			continue;
		SHM_ADD(&counters[take_line(p, line, now_real_ns, sink)], 1);
		lines++;
	}
	if (lines == 0)
		SHM_ADD(&counters[SHM_PUSH_MALFORMED], 1);
}

static void refill(struct push_intake *p, int64_t now_mono_ns)
{
	if (p->refill_ns >= 0 && now_mono_ns > p->refill_ns) {
		p->tokens += p->rate * (double)(now_mono_ns - p->refill_ns) / 1e9;
		if (p->tokens > p->rate)
			p->tokens = p->rate;
	}
	p->refill_ns = now_mono_ns;
}

void push_drain(struct push_intake *p, int64_t now_mono_ns, const struct push_sink *sink,
		_Atomic uint64_t counters[SHM_PUSH_RESULT_COUNT])
{
	char buf[PUSH_DATAGRAM_MAX + 1];
	int taken = 0;
	int64_t now_real_ns = realtime_ns();
	refill(p, now_mono_ns);
	for (bool more = true; more && taken < p->max_per_tick;) {
		more = false;
		for (int i = 0; i < PUSH_FD_COUNT && taken < p->max_per_tick; i++) {
			if (p->fd[i] < 0)
				continue;
			ssize_t n = recv(p->fd[i], buf, PUSH_DATAGRAM_MAX, MSG_DONTWAIT | MSG_TRUNC);
			if (n < 0)
				continue; /* EAGAIN: nothing waiting */
			more = true;
			taken++;
			if (n > PUSH_DATAGRAM_MAX) {
				SHM_ADD(&counters[SHM_PUSH_MALFORMED], 1);
				continue;
			}
			if (memchr(buf, '\0', (size_t)n)) {
				SHM_ADD(&counters[SHM_PUSH_MALFORMED], 1); /* binary, not lines */
				continue;
			}
			buf[n] = '\0';
			take_datagram(p, buf, now_real_ns, sink, counters);
		}
	}
}
