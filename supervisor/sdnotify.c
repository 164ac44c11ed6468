/*
 * sdnotify.c - the sd_notify(3) datagram protocol: a path or an abstract
 * ("@...") AF_UNIX address in $NOTIFY_SOCKET, one datagram per message.
 */
#define _GNU_SOURCE
#include "sdnotify.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* WATCHDOG_USEC applies to us only if WATCHDOG_PID is unset or ours. */
static int64_t watchdog_usec_for_us(void)
{
	const char *usec = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	if (!usec)
		return 0;
	if (pid && strtol(pid, NULL, 10) != (long)getpid())
		return 0;
	char *end = NULL;
	long long v = strtoll(usec, &end, 10);
	return (end && *end == '\0' && v > 0) ? (int64_t)v : 0;
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
