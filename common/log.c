/*
 * log.c - stderr logging; the supervisor's stderr is inherited by the
 * children, so one stream (journald, docker logs) carries all three. The
 * level is set once at start, before the fork, so children inherit it.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *log_role = "supervisor";
static enum log_level log_threshold = LOG_LEVEL_INFO;

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

const char *log_level_names(void)
{
	static char names[64];
	if (names[0] == '\0') {
		for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
			if (i)
				strncat(names, ", ", sizeof names - strlen(names) - 1);
			strncat(names, level_names[i], sizeof names - strlen(names) - 1);
		}
	}
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
