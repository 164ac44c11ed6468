/*
 * pushsock.h - the push input's sockets (a Unix datagram socket and UDP
 * on 127.0.0.1, see worker/source_push.h), made by the supervisor once,
 * before it forks, and inherited by every worker, as the listening socket
 * is by the exporter: a worker's restart never leaves the port or the
 * path free for another program to take, and one that cannot be made is
 * a start-up error.
 */
#ifndef SENSOR_SUPERVISOR_PUSHSOCK_H
#define SENSOR_SUPERVISOR_PUSHSOCK_H

#include <stddef.h>
#include <sys/types.h>

#include "../worker/source_push.h"

struct pushsock {
	int fd[PUSH_FD_COUNT]; /* non-blocking; -1 when off */
	char path[108];        /* the Unix socket's path; "" when off */
	dev_t dev;             /* the node bound there: the only thing */
	ino_t ino;             /* pushsock_close removes */
};

/* Bind the Unix socket at `path` (NULL: off) with exactly the permission
 * bits `mode`, and UDP 127.0.0.1:udp_port (0: off). A socket left at the
 * path by a service no longer running is replaced; a file that is not a
 * socket, or a socket someone still receives on, is refused. The mode
 * comes from a umask set around bind(), never from a chmod after it (a
 * chmod follows a symlink swapped in meanwhile); a node that is not the
 * socket just made, or whose mode is not `mode` (a default ACL on the
 * directory), is refused. Returns 0, or -1 with a one-line reason in err
 * and nothing left open. Not thread-safe: it changes the umask. */
int pushsock_open(struct pushsock *ps, const char *path, int mode, int udp_port, char *err, size_t errlen);

/* Close both and remove the Unix socket's path if it is still ours. */
void pushsock_close(struct pushsock *ps);

#endif
