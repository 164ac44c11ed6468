/*
 * log.c - stderr logging; the supervisor's stderr is inherited by the
 * children, so one stream (journald, docker logs) carries all three. The
 * level is set once at start, before the fork, so children inherit it.
 * Also the rate limiter of repeated lines (log.h).
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../shm/clock.h"
#include "names.h"

static const char *log_role = "supervisor";
static enum log_level log_threshold = LOG_LEVEL_INFO;
static struct log_limit *limits; /* every limiter used so far, for log_limit_flush */

/* Indexed by enum log_level: the names in the config and in each line. */
static const char *const level_names[] = { "error", "warn", "info", "debug" };

int log_level_parse(const char *name, enum log_level *out)
{
	for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	if (strcmp(name, "warning") == 0) {
		*out = LOG_LEVEL_WARN;
		return 0;
	}
	return -1;
}

static const char *level_name(unsigned i)
{
	return level_names[i];
}

const char *log_level_names(void)
{
	static char names[64];
	if (names[0] == '\0')
		names_join(names, sizeof names, sizeof level_names / sizeof level_names[0], level_name, ", ");
	return names;
}

void log_set_level(enum log_level level)
{
	log_threshold = level;
}

enum log_level log_get_level(void)
{
	return log_threshold;
}

void log_set_role(const char *role)
{
	log_role = role;
}

static void log_line(enum log_level level, const char *fmt, va_list ap)
{
	if (level > log_threshold)
		return;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	fprintf(stderr, "sensor-service[%d] %s %s: %s\n", (int)getpid(), log_role, level_names[level], msg);
}

#define LOG_FN(name, level)               \
	void name(const char *fmt, ...)   \
	{                                 \
		va_list ap;               \
		va_start(ap, fmt);        \
		log_line(level, fmt, ap); \
		va_end(ap);               \
	}

LOG_FN(log_error, LOG_LEVEL_ERROR)
LOG_FN(log_warn, LOG_LEVEL_WARN)
LOG_FN(log_info, LOG_LEVEL_INFO)
LOG_FN(log_debug, LOG_LEVEL_DEBUG)

static void summary(struct log_limit *lim, int64_t now)
{
	if (lim->level <= log_threshold)
		fprintf(stderr, "sensor-service[%d] %s %s: %lu more in the last minute like: %s\n", (int)getpid(),
			log_role, level_names[lim->level], lim->suppressed, lim->last);
	lim->suppressed = 0;
	lim->next_ns = now + LOG_LIMIT_PERIOD_NS;
}

static void log_limited(struct log_limit *lim, enum log_level level, const char *fmt, va_list ap)
{
	int64_t now = monotonic_ns();
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

LOG_LIMITED_FN(log_warn_limited, LOG_LEVEL_WARN)
LOG_LIMITED_FN(log_error_limited, LOG_LEVEL_ERROR)

void log_limit_flush(void)
{
	int64_t now = monotonic_ns();
	for (struct log_limit *lim = limits; lim; lim = lim->next)
		if (lim->suppressed > 0 && now >= lim->next_ns)
			summary(lim, now);
}

void log_limit_forget(struct log_limit *lim)
{
	if (lim->suppressed > 0)
		summary(lim, monotonic_ns());
	for (struct log_limit **p = &limits; *p; p = &(*p)->next)
		if (*p == lim) {
			*p = lim->next;
			break;
		}
	lim->listed = 0;
}
