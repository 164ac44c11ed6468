/*
 * host_filesystem.c - node_filesystem_{size,free,avail}_bytes, _files,
 * _files_free, _readonly and _device_error{device,fstype,mountpoint} of
 * the mounts in proc/1/mounts (proc/mounts where ProtectProc hides pid 1),
 * with the mount points and file system types Debian's node_exporter
 * leaves out by default.
 *
 * statfs() of a stale NFS or FUSE mount can block for good, so each is a
 * job of the worker's reader pool (worker/pool.h): a sample starts them
 * and waits for them at most tick-budget-ms. A mount whose statfs is
 * still out after read-timeout-ms, or came back only after it, or failed,
 * is shown as node_exporter shows a stuck one: device_error 1 and nothing
 * else. One still out within the budget shows its last good figures (none
 * before its first). A stuck job is never started twice. Mount points are
 * shown relative to rootfs, and statfs() is called below it. At most
 * host-filesystems-max mounts; the rest are counted.
 *
 * At most jobs_max statfs jobs are out at once (the reader threads that
 * stand in for held ones, reader-threads-max - reader-threads, at least
 * one), so hung mounts never hold every reader thread: the other mounts
 * take turns, their jobs started as others come back within the sample's
 * budget. A mount that gets no job while all jobs_max are out past
 * read-timeout-ms is shown with device_error 1; while some are only slow,
 * with its last good figures. A mount whose path below rootfs does not
 * fit, or whose labels are too long to show, gets no job either
 * (device_error 1, left out when its labels do not fit): statfs() of a
 * truncated path would be another directory's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>

#include "../shm/clock.h"
#include "host.h"
#include "host_exclude.h"
#include "pool.h"

#define FS_PATH_LEN 512
#define MOUNT_FIELDS 4 /* device, mount point, type, options */

int (*host_statfs)(const char *path, struct statfs *st) = statfs;

struct fs_slot {
	struct pool_job job; /* first: the job is the slot */
	/* the loop's, never touched while the job runs */
	char labels[HOST_LABELS_SIZE];
	char path[FS_PATH_LEN]; /* rootfs + mount point */
	bool used, seen, in_flight, readonly;
	bool no_job;  /* no path to call statfs on, or labels too long */
	bool pending; /* due a statfs in this sample, none started yet */
	int64_t submitted_ns;
	bool have;   /* the figures below are from a good statfs within budget */
	bool failed; /* the last statfs failed or came back past the budget */
	struct statfs last;
	/* the job's, read after pool_take */
	int rc;
	int64_t took_ns;
	struct statfs st;
};

struct fs_state {
	unsigned cap, jobs_max;
	unsigned next; /* the slot whose turn to start a job comes first */
	struct fs_slot *slot;
	struct pool *pool; /* the slots' jobs run there */
};

static void statfs_run(struct pool_job *job)
{
	struct fs_slot *s = (struct fs_slot *)job;
	int64_t t0 = monotonic_ns();
	s->rc = host_statfs(s->path, &s->st);
	s->took_ns = monotonic_ns() - t0;
}

void *host_filesystem_new(const struct host_ctx *ctx)
{
	struct fs_state *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->cap = (unsigned)ctx->cfg->host_filesystems_max;
	f->pool = ctx->pool;
	int spare = ctx->cfg->reader_threads_max - ctx->cfg->reader_threads;
	f->jobs_max = spare > 0 ? (unsigned)spare : 1u;
	f->slot = calloc(f->cap, sizeof *f->slot);
	if (!f->slot) {
		free(f);
		return NULL;
	}
	for (unsigned i = 0; i < f->cap; i++)
		f->slot[i].job.run = statfs_run;
	return f;
}

void host_filesystem_free(void *state)
{
	struct fs_state *f = state;
	/* A job that finished after its pass gave up waiting is taken back
	 * here; one still queued is withdrawn. */
	for (unsigned i = 0; i < f->cap; i++) {
		struct fs_slot *s = &f->slot[i];
		if (s->in_flight && (pool_take(f->pool, &s->job) || pool_cancel(f->pool, &s->job)))
			s->in_flight = false;
	}
	for (unsigned i = 0; i < f->cap; i++)
		if (f->slot[i].in_flight)
			return; /* a thread still blocked in statfs points into it: the process is ending */
	free(f->slot);
	free(f);
}

/* fstab(5)'s escapes of a space and a tab, in place. */
static void unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] == '0' && r[2] == '4' && r[3] == '0') {
			*w++ = ' ';
			r += 3;
		} else if (r[0] == '\\' && r[1] == '0' && r[2] == '1' && r[3] == '1') {
			*w++ = '\t';
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* The mount point as shown: relative to rootfs, "/" for rootfs itself. */
static const char *strip_rootfs(const char *rootfs, const char *mp)
{
	size_t n = strlen(rootfs);
	while (n > 1 && rootfs[n - 1] == '/')
		n--;
	if (n <= 1 || strncmp(mp, rootfs, n) != 0 || (mp[n] != '/' && mp[n] != '\0'))
		return mp;
	return mp[n] ? mp + n : "/";
}

static bool option_ro(const char *opts)
{
	for (const char *p = opts; p;) {
		size_t n = strcspn(p, ",");
		if (n == 2 && strncmp(p, "ro", 2) == 0)
			return true;
		p = p[n] ? p + n + 1 : NULL;
	}
	return false;
}

static struct fs_slot *slot_for(struct fs_state *f, const char *labels)
{
	struct fs_slot *free_slot = NULL;
	for (unsigned i = 0; i < f->cap; i++) {
		struct fs_slot *s = &f->slot[i];
		if (s->used && strcmp(s->labels, labels) == 0)
			return s;
		if (!s->used && !s->in_flight && !free_slot)
			free_slot = s;
	}
	if (free_slot) {
		*free_slot = (struct fs_slot){ .job.run = statfs_run, .used = true };
		memcpy(free_slot->labels, labels, sizeof free_slot->labels);
	}
	return free_slot;
}

/* Take a finished statfs: good figures within the budget, or failed. */
static void take(struct host_ctx *ctx, struct fs_slot *s)
{
	if (!s->in_flight || !pool_take(ctx->pool, &s->job))
		return;
	s->in_flight = false;
	s->failed = s->rc != 0 || s->took_ns >= ctx->read_timeout_ns;
	s->have = !s->failed;
	if (s->have)
		s->last = s->st;
}

/* Split the line's first n blank-separated fields in place; false when
 * it has fewer. */
static bool fields(char *line, char **field, unsigned n)
{
	char *p = line;
	for (unsigned i = 0; i < n; i++) {
		p += strspn(p, " \t");
		if (!*p)
			return false;
		field[i] = p;
		p += strcspn(p, " \t");
		if (*p)
			*p++ = '\0';
	}
	return true;
}

/* The mounts to show, each in a slot marked seen; 0, or -1 without a
 * mount table. */
static int scan_mounts(struct host_ctx *ctx, struct fs_state *f)
{
	char path[192];
	snprintf(path, sizeof path, "%s/1/mounts", ctx->proc);
	if (host_read_text(ctx, path, &ctx->scratch) < 0) {
		snprintf(path, sizeof path, "%s/mounts", ctx->proc);
		if (host_read_text(ctx, path, &ctx->scratch) < 0)
			return -1;
	}
	char *buf = ctx->scratch.buf;
	const char *rootfs = ctx->cfg->rootfs;
	unsigned shown = 0;
	for (char *line = buf, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *field[MOUNT_FIELDS];
		if (!fields(line, field, MOUNT_FIELDS))
			continue;
		const char *dev = field[0], *type = field[2], *opts = field[3];
		char *mp = field[1];
		unescape(mp);
		const char *shown_mp = strip_rootfs(rootfs, mp);
		if (host_mount_excluded(shown_mp) || host_fstype_excluded(type))
			continue;
		char labels[HOST_LABELS_SIZE];
		size_t at = host_label(labels, sizeof labels, 0, "device", dev);
		at = host_label(labels, sizeof labels, at, "fstype", type);
		bool labels_fit = host_label(labels, sizeof labels, at, "mountpoint", shown_mp) < sizeof labels;
		struct fs_slot *s = NULL;
		for (unsigned i = 0; i < f->cap && !s; i++)
			if (f->slot[i].used && f->slot[i].seen && strcmp(f->slot[i].labels, labels) == 0)
				s = &f->slot[i];
		if (s)
			continue; /* mounted twice: shown once, as node_exporter's registry does */
		if (shown >= f->cap || !(s = slot_for(f, labels))) {
			ctx->left_out[SHM_HOST_FILESYSTEMS]++;
			continue;
		}
		shown++;
		s->seen = true;
		s->readonly = option_ro(opts);
		size_t n = strlen(rootfs);
		int w = snprintf(s->path, sizeof s->path, "%.*s%s", (int)(n > 1 ? n - (rootfs[n - 1] == '/') : 0),
				 rootfs, shown_mp);
		s->no_job = w < 0 || (size_t)w >= sizeof s->path || !labels_fit;
	}
	return 0;
}

static bool stuck(const struct host_ctx *ctx, const struct fs_slot *s)
{
	return s->in_flight && ctx->now_ns - s->submitted_ns >= ctx->read_timeout_ns;
}

/* `beyond`: every job the bound allows is out past read-timeout-ms. */
static void emit(struct host_ctx *ctx, struct host_out *o, const struct fs_slot *s, bool beyond)
{
	if (stuck(ctx, s) || s->failed || s->no_job || (s->pending && beyond)) {
		host_add_u64(o, HOST_FS_DEVICE_ERROR, s->labels, 1);
		return;
	}
	if (!s->have)
		return; /* its first statfs is still out, within the budget */
	uint64_t bs = (uint64_t)s->last.f_bsize;
	host_add_u64(o, HOST_FS_DEVICE_ERROR, s->labels, 0);
	host_add_u64(o, HOST_FS_SIZE_BYTES, s->labels, (uint64_t)s->last.f_blocks * bs);
	host_add_u64(o, HOST_FS_FREE_BYTES, s->labels, (uint64_t)s->last.f_bfree * bs);
	host_add_u64(o, HOST_FS_AVAIL_BYTES, s->labels, (uint64_t)s->last.f_bavail * bs);
	host_add_u64(o, HOST_FS_FILES, s->labels, (uint64_t)s->last.f_files);
	host_add_u64(o, HOST_FS_FILES_FREE, s->labels, (uint64_t)s->last.f_ffree);
	host_add_u64(o, HOST_FS_READONLY, s->labels, s->readonly);
}

/* Start pending statfs jobs, in turn from f->next, while fewer than
 * jobs_max are out; true when one was started. */
static bool submit_pending(struct host_ctx *ctx, struct fs_state *f)
{
	unsigned out = 0;
	for (unsigned i = 0; i < f->cap; i++)
		out += f->slot[i].in_flight;
	bool started = false;
	for (unsigned k = 0; k < f->cap && out < f->jobs_max; k++) {
		unsigned i = (f->next + k) % f->cap;
		struct fs_slot *s = &f->slot[i];
		if (!s->pending)
			continue;
		s->pending = false;
		if (pool_submit(ctx->pool, &s->job) == 0) {
			s->in_flight = true;
			s->submitted_ns = monotonic_ns();
			started = true;
			out++;
		} else {
			s->failed = true; /* no thread to run it */
		}
		f->next = (i + 1) % f->cap;
	}
	return started;
}

int host_filesystem_collect(struct host_ctx *ctx, void *state, struct host_out *o)
{
	struct fs_state *f = state;
	for (unsigned i = 0; i < f->cap; i++)
		f->slot[i].seen = false;
	int rc = scan_mounts(ctx, f);
	uint64_t finished = pool_finished(ctx->pool);
	for (unsigned i = 0; i < f->cap; i++) {
		struct fs_slot *s = &f->slot[i];
		take(ctx, s);
		s->pending = s->used && s->seen && !s->in_flight && !s->no_job;
	}
	bool waiting = submit_pending(ctx, f);
	/* wait for this sample's statfs calls, within the tick's budget,
	 * starting the pending ones as others come back */
	int64_t until = ctx->now_ns + ctx->wait_ns;
	while (waiting) {
		int64_t left = until - monotonic_ns();
		if (left <= 0)
			break;
		pool_wait(ctx->pool, finished, left);
		finished = pool_finished(ctx->pool);
		waiting = false;
		for (unsigned i = 0; i < f->cap; i++) {
			take(ctx, &f->slot[i]);
			waiting |= f->slot[i].seen && f->slot[i].in_flight;
		}
		waiting |= submit_pending(ctx, f);
	}
	ctx->now_ns = monotonic_ns();
	unsigned stuck_out = 0;
	for (unsigned i = 0; i < f->cap; i++)
		stuck_out += stuck(ctx, &f->slot[i]);
	for (unsigned i = 0; i < f->cap; i++) {
		struct fs_slot *s = &f->slot[i];
		if (s->used && s->seen)
			emit(ctx, o, s, stuck_out >= f->jobs_max);
		else if (s->used && !s->in_flight)
			s->used = false; /* unmounted */
		s->pending = false;
	}
	return rc;
}
