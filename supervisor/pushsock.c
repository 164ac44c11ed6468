/*
 * pushsock.c - bind the push input's Unix datagram socket and UDP port
 * (see pushsock.h).
 */
#define _GNU_SOURCE
#include "pushsock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* A socket at the path that someone receives on: connect() succeeds. */
static int in_use(const struct sockaddr_un *addr)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	int used = connect(fd, (const struct sockaddr *)addr, sizeof *addr) == 0;
	close(fd);
	return used;
}

static int open_unix(struct pushsock *ps, const char *path, int mode, char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	size_t len = strlen(path);
	if (len >= sizeof addr.sun_path) {
		snprintf(err, errlen, "push socket path %.100s... is longer than %zu bytes", path,
			 sizeof addr.sun_path - 1);
		return -1;
	}
	memcpy(addr.sun_path, path, len + 1);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "push socket path %s exists and is not a socket", path);
			return -1;
		}
		if (in_use(&addr)) {
			snprintf(err, errlen, "push socket %s is in use by a running program", path);
			return -1;
		}
		unlink(path); /* left by a service killed before it could remove it */
	}
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "push socket: %s", strerror(errno));
		return -1;
	}
	/* bind() creates the node with 0777 & ~umask: exactly `mode`, and
	 * never wider meanwhile. No chmod after it: it would follow whatever
	 * a local user put at the path between the two calls. */
	mode_t old_umask = umask((mode_t)(0777 & ~mode));
	int bound = bind(fd, (struct sockaddr *)&addr, sizeof addr);
	int saved = errno;
	umask(old_umask);
	if (bound != 0) {
		snprintf(err, errlen, "cannot bind push socket %s: %s", path, strerror(saved));
		close(fd);
		return -1;
	}
	/* What is at the path now must be a socket with the mode asked for:
	 * a default ACL on the directory overrides the umask. */
	int made = lstat(path, &st) == 0 && S_ISSOCK(st.st_mode);
	if (!made || (int)(st.st_mode & 0777) != mode) {
		if (made) {
			snprintf(err, errlen,
				 "push socket %s was made with mode %04o, not %04o (a default ACL on its directory?)",
				 path, (unsigned)(st.st_mode & 0777), (unsigned)mode);
			unlink(path);
		} else {
			snprintf(err, errlen, "push socket %s was replaced while it was being made", path);
		}
		close(fd);
		return -1;
	}
	ps->fd[PUSH_FD_UNIX] = fd;
	ps->dev = st.st_dev;
	ps->ino = st.st_ino;
	memcpy(ps->path, path, len + 1);
	return 0;
}

static int open_udp(struct pushsock *ps, int port, char *err, size_t errlen)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* No SO_REUSEADDR (nor SO_REUSEPORT): on UDP it would let any local
	 * user bind the same address and receive the datagrams. */
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
		snprintf(err, errlen, "cannot bind push UDP port 127.0.0.1:%d: %s", port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	ps->fd[PUSH_FD_UDP] = fd;
	return 0;
}

int pushsock_open(struct pushsock *ps, const char *path, int mode, int udp_port, char *err, size_t errlen)
{
	memset(ps, 0, sizeof *ps);
	ps->fd[PUSH_FD_UNIX] = ps->fd[PUSH_FD_UDP] = -1;
	if ((path && open_unix(ps, path, mode, err, errlen) != 0) ||
	    (udp_port > 0 && open_udp(ps, udp_port, err, errlen) != 0)) {
		pushsock_close(ps);
		return -1;
	}
	return 0;
}

void pushsock_close(struct pushsock *ps)
{
	struct stat st;
	for (int i = 0; i < PUSH_FD_COUNT; i++)
		if (ps->fd[i] >= 0)
			close(ps->fd[i]);
	if (ps->path[0] && lstat(ps->path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == ps->dev &&
	    st.st_ino == ps->ino)
		unlink(ps->path);
	ps->fd[PUSH_FD_UNIX] = ps->fd[PUSH_FD_UDP] = -1;
	ps->path[0] = '\0';
}
