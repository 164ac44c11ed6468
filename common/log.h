/*
 * log.h - one-line log messages on stderr, tagged with the process role,
 * written when at least as severe as the configured level (log-level).
 *
 * A line that can repeat (one per failed accept, per bad client, per
 * failed read) goes through a struct log_limit: it is written the first
 * time, then the repeats are only counted, and once a minute at most one
 * line says how many there were. A flood of events is then a few lines a
 * minute, not a flood of log.
 */
#ifndef SENSOR_COMMON_LOG_H
#define SENSOR_COMMON_LOG_H

#include <stdint.h>

/* Most severe first: a level writes its own lines and those above it. */
enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* "error", "warn" (or "warning"), "info", "debug"; 0, or -1 if unknown. */
int log_level_parse(const char *name, enum log_level *out);
/* The accepted names, for messages: "error, warn, info, debug". */
const char *log_level_names(void);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

void log_set_role(const char *role);
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Shortest gap between two lines of one limiter: the repeats in between are counted. */
#define LOG_LIMIT_PERIOD_NS (60 * (int64_t)1000000000)

/* One per kind of repeated line, zero-initialised; one that is freed must
 * be passed to log_limit_forget first. */
struct log_limit {
	int64_t next_ns;          /* no line before this (monotonic); 0: never logged */
	unsigned long suppressed; /* repeats not written since the last line */
	char last[200];           /* the latest repeat, for the summary line */
	enum log_level level;     /* of the last line */
	struct log_limit *next;   /* in the list log_limit_flush walks */
	int listed;
};

void log_warn_limited(struct log_limit *lim, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_error_limited(struct log_limit *lim, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write the pending count of every limiter whose minute is over (call it
 * from a periodic tick, so that a flood that stops is still summed up). */
void log_limit_flush(void);

/* Before a limiter's storage is freed: say what it still holds, drop it from the list. */
void log_limit_forget(struct log_limit *lim);

#endif
