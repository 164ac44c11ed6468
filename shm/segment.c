/*
 * segment.c - lifecycle of the POSIX shared-memory segment.
 *
 * Only the supervisor creates and removes it; children inherit the mapping
 * across fork. A segment left by a crashed run is recognised through the
 * frozen preamble (magic + owner pid) and replaced; a segment that is not
 * ours, or whose owner still runs, is never touched.
 */
#define _GNU_SOURCE
#include "segment.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

int shm_name_valid(const char *name)
{
	size_t len = name ? strlen(name) : 0;
	if (len < 2 || len > 251 || name[0] != '/')
		return 0;
	return strchr(name + 1, '/') == NULL;
}

int shm_validate(const void *base, size_t size, char *err, size_t errlen)
{
	const struct shm_segment *seg = base;

	if (size < sizeof(struct shm_preamble)) {
		snprintf(err, errlen, "segment truncated: %zu bytes, not even a header", size);
		return -1;
	}
	const struct shm_preamble *pre = &seg->hdr.pre;
	/* acquire: what the creator wrote before the magic is visible after */
	uint64_t magic = atomic_load_explicit((_Atomic uint64_t *)&pre->magic, memory_order_acquire);
	if (magic != SHM_MAGIC) {
		snprintf(err, errlen, "not a sensor-service segment (magic 0x%016llx)", (unsigned long long)magic);
		return -1;
	}
	if (pre->version != SHM_LAYOUT_VERSION) {
		snprintf(err, errlen, "layout version %u, this build reads version %u", pre->version,
			 SHM_LAYOUT_VERSION);
		return -1;
	}
	if (pre->header_size != sizeof(struct shm_segment) || size < sizeof(struct shm_segment)) {
		snprintf(err, errlen, "header size %u (mapped %zu), expected %zu", pre->header_size, size,
			 sizeof(struct shm_segment));
		return -1;
	}
	uint32_t cap = seg->hdr.ring_capacity;
	if (cap < SHM_RING_MIN || cap > SHM_RING_MAX || (cap & (cap - 1)) != 0) {
		snprintf(err, errlen, "ring capacity %u is not a power of two in [%u, %u]", cap, SHM_RING_MIN,
			 SHM_RING_MAX);
		return -1;
	}
	if (seg->hdr.channel_count == 0 || seg->hdr.channel_count > SHM_MAX_CHANNELS) {
		snprintf(err, errlen, "channel count %u outside [1, %u]", seg->hdr.channel_count, SHM_MAX_CHANNELS);
		return -1;
	}
	uint64_t text_cap = seg->textfile.capacity;
	if (text_cap > SHM_TEXTFILE_MAX_BYTES || text_cap % 8u != 0) {
		snprintf(err, errlen, "textfile capacity %llu is not a multiple of 8 up to %u",
			 (unsigned long long)text_cap, SHM_TEXTFILE_MAX_BYTES);
		return -1;
	}
	size_t want = shm_segment_total_size(cap, text_cap);
	if (pre->total_size != want || size < want || seg->hdr.ring_offset != SHM_RING_OFFSET) {
		snprintf(err, errlen, "size %llu (mapped %zu) does not match a ring of %u (%zu bytes)",
			 (unsigned long long)pre->total_size, size, cap, want);
		return -1;
	}
	return 0;
}

int shm_owner_gone(int32_t pid)
{
	if (pid <= 0)
		return 1;
	if (pid == getpid())
		return 0;
	if (kill(pid, 0) != 0 && errno == ESRCH)
		return 1;
	/* The pid is in use: by us only if it still runs a sensor-* program. */
	char path[64], comm[32] = "";
	snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0; /* cannot prove anything */
	if (!fgets(comm, sizeof comm, f))
		comm[0] = '\0';
	fclose(f);
	return strncmp(comm, "sensor-", 7) != 0;
}

/*
 * An existing segment under our name: decide whether it may be removed.
 * Returns 1 when it was stale and is gone, 0 when refused (err set).
 */
static int reclaim_existing(const char *name, char *err, size_t errlen)
{
	int fd = shm_open(name, O_RDONLY, 0);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1; /* vanished meanwhile */
		snprintf(err, errlen, "segment %s exists and cannot be read: %s", name, strerror(errno));
		return 0;
	}
	struct stat st;
	struct shm_preamble pre;
	memset(&pre, 0, sizeof pre);
	int ok = fstat(fd, &st) == 0 && (size_t)st.st_size >= sizeof pre &&
		 pread(fd, &pre, sizeof pre, 0) == (ssize_t)sizeof pre;
	close(fd);

	if (!ok || pre.magic != SHM_MAGIC) {
		snprintf(
			err, errlen,
			"segment %s exists and is not a sensor-service segment; "
			"refusing to touch it (remove /dev/shm%s yourself if it is garbage, or pick another --shm-name)",
			name, name);
		return 0;
	}
	if (!shm_owner_gone(pre.owner_pid)) {
		snprintf(err, errlen, "segment %s is in use by a running sensor-service (pid %d)", name,
			 (int)pre.owner_pid);
		return 0;
	}
	fprintf(stderr, "sensor-service: replacing stale segment %s (layout v%u, owner pid %d is gone)\n", name,
		pre.version, (int)pre.owner_pid);
	if (shm_unlink(name) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove stale segment %s: %s", name, strerror(errno));
		return 0;
	}
	return 1;
}

void shm_init_header(struct shm_segment *seg, size_t total_size, const struct shm_params *p)
{
	/* Everything else first, the magic last after a release fence, so a
	 * concurrent inspector never sees our magic over an incomplete header. */
	seg->hdr.created_realtime_ns = clock_ns(CLOCK_REALTIME);
	seg->hdr.created_monotonic_ns = clock_ns(CLOCK_MONOTONIC);
	seg->hdr.ring_capacity = p->ring_capacity;
	seg->hdr.channel_count = p->channel_count;
	seg->hdr.ring_offset = SHM_RING_OFFSET;
	seg->hdr.heartbeat_timeout_ms = p->heartbeat_timeout_ms;
	seg->hdr.copy_max_age_ms = p->copy_max_age_ms;
	seg->textfile.capacity = p->textfile_capacity;
	seg->hdr.pre.version = SHM_LAYOUT_VERSION;
	seg->hdr.pre.header_size = sizeof(struct shm_segment);
	seg->hdr.pre.total_size = total_size;
	seg->hdr.pre.owner_pid = (int32_t)getpid();
	shm_publish_magic(seg);
}

void shm_publish_magic(struct shm_segment *seg)
{
	atomic_store_explicit((_Atomic uint64_t *)&seg->hdr.pre.magic, SHM_MAGIC, memory_order_release);
}

struct shm_segment *shm_create(const char *name, const struct shm_params *p, char *err, size_t errlen)
{
	if (!shm_name_valid(name)) {
		snprintf(err, errlen, "invalid shm name '%s': must be '/' followed by 1-250 characters without '/'",
			 name ? name : "");
		return NULL;
	}
	uint32_t cap = p->ring_capacity;
	if (cap < SHM_RING_MIN || cap > SHM_RING_MAX || (cap & (cap - 1)) != 0 || p->channel_count == 0 ||
	    p->channel_count > SHM_MAX_CHANNELS || p->textfile_capacity > SHM_TEXTFILE_MAX_BYTES ||
	    p->textfile_capacity % 8u != 0) {
		snprintf(err, errlen, "invalid segment geometry (ring %u, channels %u, textfile %llu)", cap,
			 p->channel_count, (unsigned long long)p->textfile_capacity);
		return NULL;
	}

	int fd = -1;
	for (int attempt = 0; attempt < 2 && fd < 0; attempt++) {
		fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
		if (fd >= 0)
			break;
		if (errno != EEXIST) {
			snprintf(err, errlen, "cannot create shm segment %s: %s", name, strerror(errno));
			return NULL;
		}
		if (!reclaim_existing(name, err, errlen))
			return NULL;
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot create shm segment %s: it keeps reappearing", name);
		return NULL;
	}

	size_t size = shm_segment_total_size(cap, p->textfile_capacity);
	if (ftruncate(fd, (off_t)size) != 0) {
		snprintf(err, errlen, "cannot size shm segment %s to %zu bytes: %s", name, size, strerror(errno));
		close(fd);
		shm_unlink(name);
		return NULL;
	}
	void *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (base == MAP_FAILED) {
		snprintf(err, errlen, "cannot map shm segment %s: %s", name, strerror(errno));
		shm_unlink(name);
		return NULL;
	}

	/* ftruncate gave zeroed pages */
	struct shm_segment *seg = base;
	shm_init_header(seg, size, p);
	return seg;
}

const struct shm_segment *shm_attach_readonly(const char *name, size_t *size_out, char *err, size_t errlen)
{
	int fd = shm_open(name, O_RDONLY, 0);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open shm segment %s: %s", name, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || st.st_size <= 0) {
		snprintf(err, errlen, "shm segment %s is empty", name);
		close(fd);
		return NULL;
	}
	size_t size = (size_t)st.st_size;
	void *base = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (base == MAP_FAILED) {
		snprintf(err, errlen, "cannot map shm segment %s: %s", name, strerror(errno));
		return NULL;
	}
	if (shm_validate(base, size, err, errlen) != 0) {
		munmap(base, size);
		return NULL;
	}
	*size_out = size;
	return base;
}

void shm_unmap(const void *seg, size_t size)
{
	if (seg)
		munmap((void *)seg, size);
}

int shm_remove(const char *name)
{
	if (shm_unlink(name) == 0 || errno == ENOENT)
		return 0;
	return -1;
}
