/*
 * log.h - one-line log messages on stderr, tagged with the process role.
 */
#ifndef SENSOR_COMMON_LOG_H
#define SENSOR_COMMON_LOG_H

void log_set_role(const char *role);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
