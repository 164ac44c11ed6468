/*
 * test_pushsock.c - the push input's sockets as the supervisor makes them:
 * the Unix socket gets exactly push-socket-mode whatever the umask (and
 * the umask is restored); a socket left by a service no longer running is
 * replaced, while a file, a symlink (its target untouched) and a socket
 * someone still receives on are refused; close removes only the socket
 * it made; the UDP port cannot be shared by another socket with
 * SO_REUSEADDR or SO_REUSEPORT; a failure leaves nothing open.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../supervisor/pushsock.h"

static char dir[64], path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/sensor-test-pushsock-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/push.sock", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The permission bits are the ones asked for, whatever the umask. */
static void test_mode_not_umask(void **state)
{
	(void)state;
	struct pushsock ps;
	char err[256] = "";
	struct stat st;
	const struct {
		mode_t umask;
		int mode;
	} cases[] = { { 0, 0640 }, { 0077, 0666 }, { 0022, 0600 }, { 0, 0660 }, { 0777, 0606 } };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		mode_t old = umask(cases[i].umask);
		int rc = pushsock_open(&ps, path, cases[i].mode, 0, err, sizeof err);
		assert_int_equal(umask(old), cases[i].umask); /* back as it was */
		if (rc != 0)
			fail_msg("mode %04o: %s", (unsigned)cases[i].mode, err);
		assert_int_equal(lstat(path, &st), 0);
		assert_true(S_ISSOCK(st.st_mode));
		assert_int_equal(st.st_mode & 0777, cases[i].mode);
		assert_true(ps.fd[PUSH_FD_UNIX] >= 0);
		assert_int_equal(ps.fd[PUSH_FD_UDP], -1);
		pushsock_close(&ps);
		assert_int_equal(access(path, F_OK), -1); /* removed on close */
	}
}

static void test_stale_replaced_others_refused(void **state)
{
	(void)state;
	struct pushsock ps, other;
	char err[256] = "";
	/* a socket still received on (a running service's) is not taken */
	assert_int_equal(pushsock_open(&ps, path, 0600, 0, err, sizeof err), 0);
	assert_int_equal(pushsock_open(&other, path, 0600, 0, err, sizeof err), -1);
	assert_non_null(strstr(err, "in use by a running program"));
	assert_int_equal(other.fd[PUSH_FD_UNIX], -1);
	/* a killed service leaves its socket: no one receives on it */
	close(ps.fd[PUSH_FD_UNIX]);
	assert_int_equal(pushsock_open(&other, path, 0600, 0, err, sizeof err), 0);
	pushsock_close(&other);

	/* a file is not ours to replace */
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(pushsock_open(&ps, path, 0600, 0, err, sizeof err), -1);
	assert_non_null(strstr(err, "exists and is not a socket"));
	assert_int_equal(access(path, F_OK), 0);
	unlink(path);

	/* nor a symlink, and its target keeps its mode */
	char victim[160];
	snprintf(victim, sizeof victim, "%s/victim", dir);
	int fd = open(victim, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(pushsock_open(&ps, path, 0666, 0, err, sizeof err), -1);
	struct stat st;
	assert_int_equal(stat(victim, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
}

/* Close removes the path only while it is the socket it made. */
static void test_close_removes_only_its_own(void **state)
{
	(void)state;
	struct pushsock ps, other;
	char err[256] = "", moved[160];
	snprintf(moved, sizeof moved, "%s/moved.sock", dir);
	assert_int_equal(pushsock_open(&ps, path, 0600, 0, err, sizeof err), 0);
	assert_int_equal(rename(path, moved), 0);
	assert_int_equal(pushsock_open(&other, path, 0600, 0, err, sizeof err), 0);
	pushsock_close(&ps); /* what is at path now is someone else's */
	assert_int_equal(access(path, F_OK), 0);
	pushsock_close(&other);
	assert_int_equal(access(path, F_OK), -1);
}

/* A loopback UDP port free a moment ago. */
static int free_udp_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

static int bind_thief(int port, int opt)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int one = 1, fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, opt, &one, sizeof one), 0);
	int rc = bind(fd, (struct sockaddr *)&a, sizeof a);
	int saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

static void test_udp_port_cannot_be_shared(void **state)
{
	(void)state;
	struct pushsock ps;
	char err[256] = "";
	int port = free_udp_port();
	assert_int_equal(pushsock_open(&ps, NULL, 0600, port, err, sizeof err), 0);
	assert_int_equal(ps.fd[PUSH_FD_UNIX], -1);
	assert_true(ps.fd[PUSH_FD_UDP] >= 0);
	/* another local process, with either option, must not share the address */
	assert_int_equal(bind_thief(port, SO_REUSEADDR), -1);
	assert_int_equal(errno, EADDRINUSE);
	assert_int_equal(bind_thief(port, SO_REUSEPORT), -1);
	assert_int_equal(errno, EADDRINUSE);
	/* a second service on the same port: refused, saying why, nothing open */
	struct pushsock second;
	assert_int_equal(pushsock_open(&second, path, 0600, port, err, sizeof err), -1);
	assert_non_null(strstr(err, "cannot bind push UDP port 127.0.0.1:"));
	assert_non_null(strstr(err, "Address already in use"));
	assert_int_equal(second.fd[PUSH_FD_UNIX], -1);
	assert_int_equal(access(path, F_OK), -1); /* its Unix socket was not left behind */
	pushsock_close(&ps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mode_not_umask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_replaced_others_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_removes_only_its_own, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_port_cannot_be_shared, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
