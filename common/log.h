/*
 * log.h - one-line log messages on stderr, tagged with the process role,
 * written when at least as severe as the configured level (log-level).
 */
#ifndef SENSOR_COMMON_LOG_H
#define SENSOR_COMMON_LOG_H

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

#endif
