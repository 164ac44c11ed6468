/*
 * log.c - stderr logging; the supervisor's stderr is inherited by the
 * children, so one stream (journald, docker logs) carries all three.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static const char *log_role = "supervisor";

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
