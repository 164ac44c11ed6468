/*
 * sdnotify.c - the sd_notify(3) datagram protocol: a path or an abstract
 * ("@...") AF_UNIX address in $NOTIFY_SOCKET, one datagram per message.
 */
#define _GNU_SOURCE
#include "sdnotify.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../common/log.h"

/* A decimal number from the environment: digits only (no sign, space or
 * suffix), at most `max`; 0 when it is one, -1 otherwise. */
static int parse_decimal(const char *text, long long max, long long *out)
{
	long long v = 0;
	if (!text || !*text)
		return -1;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		int digit = *p - '0';
		if (v > (max - digit) / 10)
			return -1;
		v = v * 10 + digit;
	}
	*out = v;
	return 0;
}

/* WATCHDOG_USEC applies to us only if WATCHDOG_PID is unset or ours. A
 * value that is not a number in range is logged, and there is no
 * watchdog (as libsystemd's sd_watchdog_enabled decides). */
static int64_t watchdog_usec_for_us(void)
{
	const char *usec = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	long long v;
	if (!usec)
		return 0;
	if (pid) {
		if (parse_decimal(pid, INT_MAX, &v) != 0 || v == 0) {
			log_warn("WATCHDOG_PID '%.32s' is not a process id: ignored, no watchdog pings", pid);
			return 0;
		}
		if (v != (long long)getpid())
			return 0;
	}
	if (parse_decimal(usec, SDNOTIFY_WATCHDOG_MAX_USEC, &v) != 0 || v < SDNOTIFY_WATCHDOG_MIN_USEC) {
		log_warn("WATCHDOG_USEC '%.32s' is not a number of microseconds from %lld to %lld: ignored, no "
			 "watchdog pings",
			 usec, (long long)SDNOTIFY_WATCHDOG_MIN_USEC, (long long)SDNOTIFY_WATCHDOG_MAX_USEC);
		return 0;
	}
	return (int64_t)v;
}

int sdnotify_open(struct sdnotify *n, char *err, size_t errlen)
{
	n->fd = -1;
	n->watchdog_usec = watchdog_usec_for_us();
	const char *path = getenv("NOTIFY_SOCKET");
	char copy[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	int rc = 0;
	if (path && *path) {
		snprintf(copy, sizeof copy, "%s", path);
		struct sockaddr_un addr = { .sun_family = AF_UNIX };
		size_t len = strlen(copy);
		if ((copy[0] != '/' && copy[0] != '@') || len >= sizeof addr.sun_path) {
			snprintf(err, errlen, "NOTIFY_SOCKET '%.100s' is neither a path nor an abstract address", path);
			rc = -1;
		} else {
			memcpy(addr.sun_path, copy, len);
			if (copy[0] == '@')
				addr.sun_path[0] = '\0';
			socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
			n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
			if (n->fd < 0 || connect(n->fd, (struct sockaddr *)&addr, alen) != 0) {
				snprintf(err, errlen, "NOTIFY_SOCKET %.100s: %s", copy, strerror(errno));
				sdnotify_close(n);
				rc = -1;
			}
		}
	}
	if (n->fd < 0)
		n->watchdog_usec = 0; /* no one to tell */
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	return rc;
}

int sdnotify_send(const struct sdnotify *n, const char *msg)
{
	if (n->fd < 0)
		return 0;
	return send(n->fd, msg, strlen(msg), MSG_NOSIGNAL) < 0 ? -1 : 0;
}

void sdnotify_close(struct sdnotify *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}
