/*
 * log.c - stderr logging; the supervisor's stderr is inherited by the
 * children, so one stream (journald, docker logs) carries all three.
 * Also the rate limiter of repeated lines (log.h).
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static const char *log_role = "supervisor";
static struct log_limit *limits; /* every limiter used so far, for log_limit_flush */

void log_set_role(const char *role)
{
	log_role = role;
}

static void log_line(const char *level, const char *fmt, va_list ap)
{
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	fprintf(stderr, "sensor-service[%d] %s %s: %s\n", (int)getpid(), log_role, level, msg);
}

#define LOG_FN(name, level)               \
	void name(const char *fmt, ...)   \
	{                                 \
		va_list ap;               \
		va_start(ap, fmt);        \
		log_line(level, fmt, ap); \
		va_end(ap);               \
	}

LOG_FN(log_info, "info")
LOG_FN(log_warn, "warn")
LOG_FN(log_error, "error")

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void summary(struct log_limit *lim, int64_t now)
{
	fprintf(stderr, "sensor-service[%d] %s %s: %lu more in the last minute like: %s\n", (int)getpid(), log_role,
		lim->level, lim->suppressed, lim->last);
	lim->suppressed = 0;
	lim->next_ns = now + LOG_LIMIT_PERIOD_NS;
}

static void log_limited(struct log_limit *lim, const char *level, const char *fmt, va_list ap)
{
	int64_t now = now_ns();
	lim->level = level;
	if (!lim->listed) {
		lim->listed = 1;
		lim->next = limits;
		limits = lim;
	}
	if (lim->next_ns != 0 && now < lim->next_ns) {
		lim->suppressed++;
		vsnprintf(lim->last, sizeof lim->last, fmt, ap);
		return;
	}
	if (lim->suppressed > 0) {
		vsnprintf(lim->last, sizeof lim->last, fmt, ap);
		lim->suppressed++; /* this one too: the summary line stands for it */
		summary(lim, now);
		return;
	}
	log_line(level, fmt, ap);
	lim->next_ns = now + LOG_LIMIT_PERIOD_NS;
}

#define LOG_LIMITED_FN(name, level)                            \
	void name(struct log_limit *lim, const char *fmt, ...) \
	{                                                      \
		va_list ap;                                    \
		va_start(ap, fmt);                             \
		log_limited(lim, level, fmt, ap);              \
		va_end(ap);                                    \
	}

LOG_LIMITED_FN(log_warn_limited, "warn")
LOG_LIMITED_FN(log_error_limited, "error")

void log_limit_flush(void)
{
	int64_t now = now_ns();
	for (struct log_limit *lim = limits; lim; lim = lim->next)
		if (lim->suppressed > 0 && now >= lim->next_ns)
			summary(lim, now);
}

void log_limit_forget(struct log_limit *lim)
{
	if (lim->suppressed > 0)
		summary(lim, now_ns());
	for (struct log_limit **p = &limits; *p; p = &(*p)->next)
		if (*p == lim) {
			*p = lim->next;
			break;
		}
	lim->listed = 0;
}
