/*
 * sdnotify.h - systemd's notification protocol (sd_notify(3)) without
 * libsystemd: READY=1, STATUS=, WATCHDOG=1, STOPPING=1 as datagrams to
 * $NOTIFY_SOCKET. Outside systemd (no NOTIFY_SOCKET) every call is a no-op.
 */
#ifndef SENSOR_SUPERVISOR_SDNOTIFY_H
#define SENSOR_SUPERVISOR_SDNOTIFY_H

#include <stddef.h>
#include <stdint.h>

/* The watchdog interval's range (WATCHDOG_USEC, from the unit's
 * WatchdogSec=): pings go out every half of it, so a shorter one would
 * wake the loop more than 200 times a second; a longer one than a year is
 * no watchdog. The bounds also keep now + interval in nanoseconds far
 * from overflowing. */
#define SDNOTIFY_WATCHDOG_MIN_USEC INT64_C(10000)
#define SDNOTIFY_WATCHDOG_MAX_USEC (INT64_C(366) * 86400 * 1000000)

struct sdnotify {
	int fd;                /* connected datagram socket; -1: not under systemd */
	int64_t watchdog_usec; /* WatchdogSec= of the unit; 0: no watchdog */
};

/* Read and clear NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID (the
 * children must not inherit them: only the supervisor speaks for the
 * service); a WATCHDOG_ value out of range is logged and ignored. Returns 0, or -1 with a message in err when NOTIFY_SOCKET is
 * set but unusable. */
int sdnotify_open(struct sdnotify *n, char *err, size_t errlen);

/* One message, e.g. "READY=1\nSTATUS=serving"; returns 0 or -1. */
int sdnotify_send(const struct sdnotify *n, const char *msg);

void sdnotify_close(struct sdnotify *n);

#endif
