/*
 * listener.h - the exporter's listening socket, opened by the supervisor
 * before it forks so that "port in use" is a start-up error, and an
 * exporter restart never gives the port away.
 */
#ifndef SENSOR_SUPERVISOR_LISTENER_H
#define SENSOR_SUPERVISOR_LISTENER_H

#include <stddef.h>

/* Returns a non-blocking listening fd, or -1 with a one-line reason. */
int listener_open(const char *addr, int port, char *err, size_t errlen);

#endif
