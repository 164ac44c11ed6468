/*
 * test_segment.c - the segment's lifecycle: header validation, names,
 * creation, refusal of foreign or live segments, replacement of stale
 * ones, read-only attachment; and the layout's label tables.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../shm/layout.h"
#include "../../shm/segment.h"
#include "fixture.h"

/* ---- shm_validate ---- */

/* Validate the first `size` bytes of `seg`, from a heap copy of exactly
 * that size so that a sanitizer catches any read past it. */
static int validate_prefix(const struct shm_segment *seg, size_t size, char *err, size_t errlen)
{
	void *copy = test_malloc(size ? size : 1);
	memcpy(copy, seg, size);
	int rc = shm_validate(copy, size, err, errlen);
	test_free(copy);
	return rc;
}

/* The whole segment as fixture_segment(cap, ...) allocated it, whatever
 * its header says now. */
static int validate_whole(const struct shm_segment *seg, uint32_t cap, char *err, size_t errlen)
{
	return validate_prefix(seg, shm_segment_size(cap), err, errlen);
}

static void test_validate_good(void **state)
{
	(void)state;
	char err[256] = "untouched";
	struct shm_segment *seg = fixture_segment(16, 3);
	assert_int_equal(validate_whole(seg, 16, err, sizeof err), 0);
	fixture_free(seg);

	seg = fixture_segment(SHM_RING_MAX, SHM_MAX_CHANNELS);
	assert_int_equal(shm_validate(seg, shm_segment_size(SHM_RING_MAX), err, sizeof err), 0);
	fixture_free(seg);

	/* a mapping larger than the segment (page rounding) is fine */
	seg = fixture_segment(16, 3);
	size_t size = shm_segment_size(16);
	char *bigger = test_calloc(1, size + 4096);
	memcpy(bigger, seg, size);
	assert_int_equal(shm_validate(bigger, size + 4096, err, sizeof err), 0);
	test_free(bigger);
	fixture_free(seg);
}

static void test_validate_bad_magic(void **state)
{
	(void)state;
	char err[256];
	struct shm_segment *seg = fixture_segment(16, 3);
	seg->hdr.pre.magic = UINT64_C(0x0123456789abcdef);
	assert_int_equal(validate_whole(seg, 16, err, sizeof err), -1);
	assert_string_equal(err, "not a sensor-service segment (magic 0x0123456789abcdef)");
	fixture_free(seg);
}

static void test_validate_wrong_version(void **state)
{
	(void)state;
	char err[256];
	struct shm_segment *seg = fixture_segment(16, 3);
	seg->hdr.pre.version = SHM_LAYOUT_VERSION + 1;
	assert_int_equal(validate_whole(seg, 16, err, sizeof err), -1);
	char want[128];
	snprintf(want, sizeof want, "layout version %u, this build reads version %u", SHM_LAYOUT_VERSION + 1,
		 SHM_LAYOUT_VERSION);
	assert_string_equal(err, want);
	fixture_free(seg);
}

static void test_validate_wrong_header_size(void **state)
{
	(void)state;
	char err[256], want[256];
	struct shm_segment *seg = fixture_segment(16, 3);
	size_t size = shm_segment_size(16);
	seg->hdr.pre.header_size = sizeof(struct shm_segment) - 8;
	assert_int_equal(validate_whole(seg, 16, err, sizeof err), -1);
	snprintf(want, sizeof want, "header size %zu (mapped %zu), expected %zu", sizeof(struct shm_segment) - 8, size,
		 sizeof(struct shm_segment));
	assert_string_equal(err, want);
	seg->hdr.pre.header_size = sizeof(struct shm_segment) + 8;
	assert_int_equal(validate_whole(seg, 16, err, sizeof err), -1);
	assert_non_null(strstr(err, "header size"));
	fixture_free(seg);
}

static void test_validate_truncated(void **state)
{
	(void)state;
	char err[256];
	struct shm_segment *seg = fixture_segment(16, 3);

	assert_int_equal(validate_prefix(seg, 0, err, sizeof err), -1);
	assert_string_equal(err, "segment truncated: 0 bytes, not even a header");
	assert_int_equal(validate_prefix(seg, sizeof(struct shm_preamble) - 1, err, sizeof err), -1);
	assert_non_null(strstr(err, "truncated"));

	/* a whole preamble but not a whole header */
	assert_int_equal(validate_prefix(seg, sizeof(struct shm_preamble), err, sizeof err), -1);
	assert_non_null(strstr(err, "header size"));
	assert_int_equal(validate_prefix(seg, sizeof(struct shm_segment) - 1, err, sizeof err), -1);
	assert_non_null(strstr(err, "header size"));

	/* a whole header but not the ring behind it */
	assert_int_equal(validate_prefix(seg, sizeof(struct shm_segment), err, sizeof err), -1);
	assert_non_null(strstr(err, "does not match a ring of 16"));
	assert_int_equal(validate_prefix(seg, shm_segment_size(16) - 1, err, sizeof err), -1);
	assert_non_null(strstr(err, "does not match a ring of 16"));
	fixture_free(seg);
}

static void test_validate_bad_ring_capacity(void **state)
{
	(void)state;
	char err[256];
	struct shm_segment *seg = fixture_segment(16, 3);
	const uint32_t bad[] = { 0, 1, 8, 24, 1000, 4097, SHM_RING_MAX * 2, UINT32_MAX };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		seg->hdr.ring_capacity = bad[i];
		assert_int_equal(validate_whole(seg, 16, err, sizeof err), -1);
		char want[128];
		snprintf(want, sizeof want, "ring capacity %u is not a power of two in [%u, %u]", bad[i], SHM_RING_MIN,
			 SHM_RING_MAX);
		assert_string_equal(err, want);
	}
	fixture_free(seg);
}

static void test_validate_channel_count(void **state)
{
	(void)state;
	char err[256];
	struct shm_segment *seg = fixture_segment(16, 3);
	seg->hdr.channel_count = 0;
	assert_int_equal(validate_whole(seg, 16, err, sizeof err), -1);
	assert_string_equal(err, "channel count 0 outside [1, 1024]");
	seg->hdr.channel_count = SHM_MAX_CHANNELS + 1;
	assert_int_equal(validate_whole(seg, 16, err, sizeof err), -1);
	assert_string_equal(err, "channel count 1025 outside [1, 1024]");
	seg->hdr.channel_count = SHM_MAX_CHANNELS;
	assert_int_equal(validate_whole(seg, 16, err, sizeof err), 0);
	seg->hdr.channel_count = 1;
	assert_int_equal(validate_whole(seg, 16, err, sizeof err), 0);
	fixture_free(seg);
}

static void test_validate_total_size_mismatch(void **state)
{
	(void)state;
	char err[256], want[256];
	struct shm_segment *seg = fixture_segment(32, 3);
	size_t size = shm_segment_size(32);

	seg->hdr.pre.total_size = size + 64;
	assert_int_equal(validate_whole(seg, 32, err, sizeof err), -1);
	snprintf(want, sizeof want, "size %zu (mapped %zu) does not match a ring of 32 (%zu bytes)", size + 64, size,
		 size);
	assert_string_equal(err, want);

	/* header claims a ring of 16 in a segment sized for 32 */
	seg->hdr.pre.total_size = size;
	seg->hdr.ring_capacity = 16;
	assert_int_equal(shm_validate(seg, size, err, sizeof err), -1);
	assert_non_null(strstr(err, "does not match a ring of 16"));

	/* ring offset pointing elsewhere */
	seg->hdr.ring_capacity = 32;
	seg->hdr.ring_offset -= 64;
	assert_int_equal(validate_whole(seg, 32, err, sizeof err), -1);
	assert_non_null(strstr(err, "does not match a ring of 32"));
	seg->hdr.ring_offset += 64;
	assert_int_equal(validate_whole(seg, 32, err, sizeof err), 0);
	fixture_free(seg);
}

static void test_validate_short_error_buffer(void **state)
{
	(void)state;
	char err[8];
	memset(err, 'x', sizeof err);
	assert_int_equal(shm_validate("", 0, err, sizeof err), -1);
	assert_int_equal(strlen(err), sizeof err - 1);
}

static void test_segment_size(void **state)
{
	(void)state;
	size_t fixed = shm_segment_size(0);
	assert_true(fixed >= sizeof(struct shm_segment));
	assert_int_equal(fixed % 64, 0);
	assert_true(fixed - sizeof(struct shm_segment) < 64);
	assert_int_equal(shm_segment_size(16) - fixed, 16 * sizeof(struct shm_ring_slot));
	assert_int_equal(sizeof(struct shm_preamble), 32);
}

/* ---- names ---- */

static void test_name_valid(void **state)
{
	(void)state;
	char longest[253];
	longest[0] = '/';
	memset(longest + 1, 'a', 250);
	longest[251] = '\0';

	assert_true(shm_name_valid("/a"));
	assert_true(shm_name_valid("/sensor-service"));
	assert_true(shm_name_valid(longest));
	longest[251] = 'a';
	longest[252] = '\0';
	assert_false(shm_name_valid(longest));

	assert_false(shm_name_valid(NULL));
	assert_false(shm_name_valid(""));
	assert_false(shm_name_valid("/"));
	assert_false(shm_name_valid("a"));
	assert_false(shm_name_valid("sensor"));
	assert_false(shm_name_valid("/a/b"));
	assert_false(shm_name_valid("//"));
	assert_false(shm_name_valid("/a/"));
}

/* ---- create, refuse, replace, attach ---- */

static char name_buf[64];

static const char *unique_name(const char *tag)
{
	snprintf(name_buf, sizeof name_buf, "/sensor-unit-%d-%s", (int)getpid(), tag);
	return name_buf;
}

static int teardown_name(void **state)
{
	(void)state;
	shm_remove(name_buf);
	return 0;
}

static bool shm_exists(const char *name)
{
	int fd = shm_open(name, O_RDONLY, 0);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Make a segment under `name` with `len` bytes of `data` in it. */
static void write_raw_segment(const char *name, const void *data, size_t len)
{
	int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)len), 0);
	if (len)
		assert_int_equal(pwrite(fd, data, len, 0), (ssize_t)len);
	close(fd);
}

static int32_t dead_pid(void)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return (int32_t)pid;
}

/* A live child; named `comm` (e.g. "sensor-x") when given. Stop it with
 * stop_child(). */
struct live_child {
	pid_t pid;
	int release_fd;
};

static struct live_child start_child(const char *comm)
{
	int ready[2], release[2];
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(release), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(ready[0]);
		close(release[1]);
		if (comm)
			prctl(PR_SET_NAME, comm, 0, 0, 0);
		char c = 'r';
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		while (read(release[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(ready[1]);
	close(release[0]);
	char c;
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	return (struct live_child){ pid, release[1] };
}

static void stop_child(struct live_child *lc)
{
	close(lc->release_fd);
	int status;
	assert_int_equal(waitpid(lc->pid, &status, 0), lc->pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static const struct shm_params params16 = { .ring_capacity = 16, .channel_count = 3, .heartbeat_timeout_ms = 1234 };

static void test_create_fills_header(void **state)
{
	(void)state;
	char err[512] = "";
	const char *name = unique_name("create");
	shm_remove(name);
	struct shm_segment *seg = shm_create(name, &params16, err, sizeof err);
	assert_non_null(seg);
	size_t size = shm_segment_size(16);
	assert_int_equal(seg->hdr.pre.magic, SHM_MAGIC);
	assert_int_equal(seg->hdr.pre.version, SHM_LAYOUT_VERSION);
	assert_int_equal(seg->hdr.pre.header_size, sizeof(struct shm_segment));
	assert_int_equal(seg->hdr.pre.total_size, size);
	assert_int_equal(seg->hdr.pre.owner_pid, getpid());
	assert_int_equal(seg->hdr.ring_capacity, 16);
	assert_int_equal(seg->hdr.channel_count, 3);
	assert_int_equal(seg->hdr.heartbeat_timeout_ms, 1234);
	assert_int_equal(seg->hdr.ring_offset, size - 16 * sizeof(struct shm_ring_slot));
	assert_true(seg->hdr.created_monotonic_ns > 0);
	assert_true(seg->hdr.created_realtime_ns > INT64_C(1577836800) * 1000000000);
	assert_int_equal(shm_validate(seg, size, err, sizeof err), 0);
	/* the rest starts zeroed */
	assert_int_equal(atomic_load(&seg->ring.head), 0);
	assert_int_equal(atomic_load(&seg->worker.readings), 0);

	char path[128];
	snprintf(path, sizeof path, "/dev/shm%s", name);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal((size_t)st.st_size, size);
	assert_int_equal(st.st_mode & 0777, 0600);

	shm_unmap(seg, size);
	assert_int_equal(shm_remove(name), 0);
	assert_false(shm_exists(name));
	assert_int_equal(shm_remove(name), 0); /* already gone is fine */
}

static void test_create_refuses_bad_arguments(void **state)
{
	(void)state;
	char err[512];
	assert_null(shm_create("no-slash", &params16, err, sizeof err));
	assert_non_null(strstr(err, "invalid shm name 'no-slash'"));
	assert_null(shm_create(NULL, &params16, err, sizeof err));
	assert_non_null(strstr(err, "invalid shm name ''"));

	const char *name = unique_name("geometry");
	struct shm_params p = params16;
	p.ring_capacity = 24;
	assert_null(shm_create(name, &p, err, sizeof err));
	assert_string_equal(err, "invalid segment geometry (ring 24, channels 3, textfile 0)");
	p.ring_capacity = 8;
	assert_null(shm_create(name, &p, err, sizeof err));
	p.ring_capacity = 16;
	p.channel_count = 0;
	assert_null(shm_create(name, &p, err, sizeof err));
	p.channel_count = SHM_MAX_CHANNELS + 1;
	assert_null(shm_create(name, &p, err, sizeof err));
	assert_false(shm_exists(name));
}

static void test_create_refused_while_owner_alive(void **state)
{
	(void)state;
	char err[512];
	const char *name = unique_name("live");
	shm_remove(name);
	struct shm_segment *seg = shm_create(name, &params16, err, sizeof err);
	assert_non_null(seg);
	atomic_store(&seg->worker.readings, 77);

	/* we are the owner and we run */
	assert_null(shm_create(name, &params16, err, sizeof err));
	char want[256];
	snprintf(want, sizeof want, "segment %s is in use by a running sensor-service (pid %d)", name, (int)getpid());
	assert_string_equal(err, want);
	/* untouched */
	assert_true(shm_exists(name));
	assert_int_equal(atomic_load(&seg->worker.readings), 77);
	assert_int_equal(seg->hdr.pre.magic, SHM_MAGIC);
	shm_unmap(seg, shm_segment_size(16));
}

static void test_create_refused_when_owner_is_another_sensor_process(void **state)
{
	(void)state;
	char err[512];
	const char *name = unique_name("other");
	shm_remove(name);
	struct live_child lc = start_child("sensor-fake");
	struct shm_segment *img = fixture_segment(16, 3);
	img->hdr.pre.owner_pid = (int32_t)lc.pid;
	write_raw_segment(name, img, shm_segment_size(16));

	assert_null(shm_create(name, &params16, err, sizeof err));
	assert_non_null(strstr(err, "in use by a running sensor-service"));
	assert_true(shm_exists(name));
	stop_child(&lc);
	fixture_free(img);
}

static void test_stale_segment_replaced(void **state)
{
	(void)state;
	char err[512] = "";
	const char *name = unique_name("stale");
	shm_remove(name);
	/* our magic, an older layout, a different size, and an owner that died */
	struct shm_preamble pre = {
		.magic = SHM_MAGIC,
		.version = 0,
		.header_size = 100,
		.total_size = 4096,
		.owner_pid = dead_pid(),
	};
	char image[4096];
	memset(image, 0x5a, sizeof image);
	memcpy(image, &pre, sizeof pre);
	write_raw_segment(name, image, sizeof image);

	struct shm_segment *seg = shm_create(name, &params16, err, sizeof err);
	assert_non_null(seg);
	assert_int_equal(seg->hdr.pre.owner_pid, getpid());
	assert_int_equal(seg->hdr.pre.version, SHM_LAYOUT_VERSION);
	assert_int_equal(seg->hdr.pre.total_size, shm_segment_size(16));
	assert_int_equal(shm_validate(seg, shm_segment_size(16), err, sizeof err), 0);
	/* a fresh segment, none of the old bytes */
	assert_int_equal(atomic_load(&seg->worker.readings), 0);
	assert_int_equal(atomic_load(&seg->ring.head), 0);
	shm_unmap(seg, shm_segment_size(16));
}

static void test_stale_when_pid_reused_by_other_program(void **state)
{
	(void)state;
	char err[512] = "";
	const char *name = unique_name("reused");
	shm_remove(name);
	/* the owner's pid now runs something that is not sensor-* */
	struct live_child lc = start_child("not-ours");
	struct shm_segment *img = fixture_segment(16, 3);
	img->hdr.pre.owner_pid = (int32_t)lc.pid;
	write_raw_segment(name, img, shm_segment_size(16));

	struct shm_segment *seg = shm_create(name, &params16, err, sizeof err);
	assert_non_null(seg);
	assert_int_equal(seg->hdr.pre.owner_pid, getpid());
	shm_unmap(seg, shm_segment_size(16));
	stop_child(&lc);
	fixture_free(img);
}

static void test_foreign_segment_refused_and_left_intact(void **state)
{
	(void)state;
	char err[512];
	const char *name = unique_name("foreign");
	shm_remove(name);
	unsigned char junk[5000], back[5000];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof junk; i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (unsigned char)(x >> 16);
	}
	write_raw_segment(name, junk, sizeof junk);

	assert_null(shm_create(name, &params16, err, sizeof err));
	assert_non_null(strstr(err, "is not a sensor-service segment"));
	assert_non_null(strstr(err, name));

	int fd = shm_open(name, O_RDONLY, 0);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, sizeof junk);
	assert_int_equal(pread(fd, back, sizeof back, 0), (ssize_t)sizeof back);
	close(fd);
	assert_memory_equal(junk, back, sizeof junk);
}

static void test_empty_foreign_segment_refused(void **state)
{
	(void)state;
	char err[512];
	const char *name = unique_name("empty");
	shm_remove(name);
	write_raw_segment(name, NULL, 0);
	assert_null(shm_create(name, &params16, err, sizeof err));
	assert_non_null(strstr(err, "is not a sensor-service segment"));
	assert_true(shm_exists(name));
}

static void test_attach_readonly(void **state)
{
	(void)state;
	char err[512] = "";
	const char *name = unique_name("attach");
	shm_remove(name);
	struct shm_segment *seg = shm_create(name, &params16, err, sizeof err);
	assert_non_null(seg);

	size_t size = 0;
	const struct shm_segment *ro = shm_attach_readonly(name, &size, err, sizeof err);
	assert_non_null(ro);
	assert_int_equal(size, shm_segment_size(16));
	assert_int_equal(ro->hdr.pre.owner_pid, getpid());
	assert_int_equal(ro->hdr.ring_capacity, 16);
	/* the same memory: writes through one mapping show in the other */
	atomic_store(&seg->worker.loop_iterations, 31337);
	assert_int_equal(atomic_load(&((struct shm_segment *)ro)->worker.loop_iterations), 31337);
	shm_unmap(ro, size);
	shm_unmap(seg, size);
	shm_unmap(NULL, 0); /* harmless */
}

static void test_attach_readonly_failures(void **state)
{
	(void)state;
	char err[512];
	size_t size = 99;
	const char *name = unique_name("attach-bad");
	shm_remove(name);

	assert_null(shm_attach_readonly(name, &size, err, sizeof err));
	assert_non_null(strstr(err, "cannot open shm segment"));

	write_raw_segment(name, NULL, 0);
	assert_null(shm_attach_readonly(name, &size, err, sizeof err));
	assert_non_null(strstr(err, "is empty"));
	shm_remove(name);

	char junk[4096];
	memset(junk, 0x42, sizeof junk);
	write_raw_segment(name, junk, sizeof junk);
	assert_null(shm_attach_readonly(name, &size, err, sizeof err));
	assert_non_null(strstr(err, "not a sensor-service segment"));
	shm_remove(name);

	/* ours but cut short */
	struct shm_segment *img = fixture_segment(16, 3);
	write_raw_segment(name, img, sizeof(struct shm_segment));
	assert_null(shm_attach_readonly(name, &size, err, sizeof err));
	assert_non_null(strstr(err, "does not match a ring"));
	assert_int_equal(size, 99); /* not written on failure */
	fixture_free(img);
}

static void test_owner_gone(void **state)
{
	(void)state;
	assert_true(shm_owner_gone(0));
	assert_true(shm_owner_gone(-1));
	assert_false(shm_owner_gone((int32_t)getpid()));
	assert_true(shm_owner_gone(dead_pid()));

	struct live_child ours = start_child("sensor-worker");
	assert_false(shm_owner_gone((int32_t)ours.pid));
	stop_child(&ours);

	struct live_child other = start_child("bash");
	assert_true(shm_owner_gone((int32_t)other.pid));
	stop_child(&other);
}

/* ---- layout labels ---- */

static void test_labels(void **state)
{
	(void)state;
	assert_string_equal(shm_child_name(SHM_CHILD_WORKER), "worker");
	assert_string_equal(shm_child_name(SHM_CHILD_EXPORTER), "exporter");
	assert_string_equal(shm_child_name((enum shm_child_id)7), "unknown");

	assert_string_equal(shm_exit_reason_label(SHM_EXIT_NONE), "none");
	assert_string_equal(shm_exit_reason_label(SHM_EXIT_CODE), "exit");
	assert_string_equal(shm_exit_reason_label(SHM_EXIT_SIGNAL), "signal");
	assert_string_equal(shm_exit_reason_label(SHM_EXIT_HANG), "hang");
	assert_string_equal(shm_exit_reason_label((enum shm_exit_reason)9), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_good),
		cmocka_unit_test(test_validate_bad_magic),
		cmocka_unit_test(test_validate_wrong_version),
		cmocka_unit_test(test_validate_wrong_header_size),
		cmocka_unit_test(test_validate_truncated),
		cmocka_unit_test(test_validate_bad_ring_capacity),
		cmocka_unit_test(test_validate_channel_count),
		cmocka_unit_test(test_validate_total_size_mismatch),
		cmocka_unit_test(test_validate_short_error_buffer),
		cmocka_unit_test(test_segment_size),
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test_teardown(test_create_fills_header, teardown_name),
		cmocka_unit_test_teardown(test_create_refuses_bad_arguments, teardown_name),
		cmocka_unit_test_teardown(test_create_refused_while_owner_alive, teardown_name),
		cmocka_unit_test_teardown(test_create_refused_when_owner_is_another_sensor_process, teardown_name),
		cmocka_unit_test_teardown(test_stale_segment_replaced, teardown_name),
		cmocka_unit_test_teardown(test_stale_when_pid_reused_by_other_program, teardown_name),
		cmocka_unit_test_teardown(test_foreign_segment_refused_and_left_intact, teardown_name),
		cmocka_unit_test_teardown(test_empty_foreign_segment_refused, teardown_name),
		cmocka_unit_test_teardown(test_attach_readonly, teardown_name),
		cmocka_unit_test_teardown(test_attach_readonly_failures, teardown_name),
		cmocka_unit_test(test_owner_gone),
		cmocka_unit_test(test_labels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
