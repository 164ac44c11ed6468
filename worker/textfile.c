/*
 * textfile.c - the textfile collector's job and its place in the loop
 * (textfile.h).
 */
#include "textfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/promparse.h"
#include "../shm/clock.h"
#include "../shm/textfile.h"
#include "textfile_merge.h"

#define SUFFIX ".prom"
#define READ_TRIES 3             /* a file still changing after these is refused this pass */
#define MAX_ENTRIES 100000u      /* *.prom names listed at most: beyond, the directory is refused */
#define NEW_LINES_PER_MINUTE 20u /* problems logged as they appear; more go through a limiter */

bool textfile_on(const struct config *cfg)
{
	return strcmp(cfg->textfile_directory, "none") != 0;
}

uint64_t textfile_capacity(const struct config *cfg)
{
	return textfile_on(cfg) ? ((uint64_t)cfg->textfile_max_bytes + 7u) & ~(uint64_t)7u : 0;
}

void textfile_bounds_of(const struct config *cfg, struct textfile_bounds *b)
{
	b->max_files = (uint32_t)cfg->textfile_max_files;
	b->max_series = (uint32_t)cfg->textfile_max_series;
	b->max_file_bytes = (size_t)cfg->textfile_max_file_bytes;
	b->max_bytes = (size_t)cfg->textfile_max_bytes;
}

__attribute__((format(printf, 2, 3))) static void note(struct textfile_pass *p, const char *fmt, ...)
{
	p->error = true;
	p->problems++;
	if (p->nnotes == TEXTFILE_NOTES)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->note[p->nnotes++], sizeof p->note[0], fmt, ap);
	va_end(ap);
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* The whole of one file, unchanged while it was read; NULL with why. */
static char *read_whole(const char *path, size_t max, size_t *len, int64_t *mtime_s, char *why, size_t whylen)
{
	for (int tries = 0; tries < READ_TRIES; tries++) {
		/* O_NONBLOCK: a FIFO named *.prom must not hold the thread */
		int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		struct stat before, after;
		if (fd < 0 || fstat(fd, &before) != 0) {
			snprintf(why, whylen, "%s", strerror(errno));
			if (fd >= 0)
				close(fd);
			return NULL;
		}
		if (!S_ISREG(before.st_mode)) {
			snprintf(why, whylen, "not a regular file");
			close(fd);
			return NULL;
		}
		if ((uint64_t)before.st_size > max) {
			snprintf(why, whylen, "%lld bytes, more than textfile-max-file-bytes (%zu)",
				 (long long)before.st_size, max);
			close(fd);
			return NULL;
		}
		/* one byte more than its size: a file that grows shows it */
		size_t room = (size_t)before.st_size + 1;
		char *buf = malloc(room);
		if (!buf) {
			snprintf(why, whylen, "out of memory");
			close(fd);
			return NULL;
		}
		size_t got = 0;
		ssize_t r = 0;
		while (got < room && (r = read(fd, buf + got, room - got)) > 0)
			got += (size_t)r;
		int read_errno = errno;
		bool ok = r >= 0 && fstat(fd, &after) == 0;
		close(fd);
		if (!ok) {
			snprintf(why, whylen, "%s", strerror(read_errno));
			free(buf);
			return NULL;
		}
		if (same_file(&before, &after) && got == (size_t)before.st_size) {
			buf[got] = '\0';
			*len = got;
			*mtime_s = (int64_t)after.st_mtim.tv_sec;
			return buf;
		}
		free(buf); /* written while we read: never served half */
	}
	snprintf(why, whylen, "changed while being read, %d times: write it elsewhere and rename it in", READ_TRIES);
	return NULL;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.prom names in dir, sorted; NULL with a note when it cannot be listed. */
static GPtrArray *list_names(const char *dir, struct textfile_pass *pass)
{
	DIR *d = opendir(dir);
	if (!d) {
		note(pass, "cannot read directory %s: %s", dir, strerror(errno));
		return NULL;
	}
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n <= sizeof SUFFIX - 1 || strcmp(e->d_name + n - (sizeof SUFFIX - 1), SUFFIX) != 0)
			continue;
		if (!g_utf8_validate(e->d_name, -1, NULL)) { /* it would be a label value */
			note(pass, "a file name in %s is not UTF-8, refused", dir);
			continue;
		}
		if (names->len == MAX_ENTRIES) {
			note(pass, "directory %s: more than %u *.prom files, refused", dir, MAX_ENTRIES);
			g_ptr_array_free(names, TRUE);
			closedir(d);
			return NULL;
		}
		g_ptr_array_add(names, g_strdup(e->d_name));
	}
	closedir(d);
	if (names->len > 1) /* an empty array has no pdata, and qsort takes none */
		qsort(names->pdata, names->len, sizeof(char *), cmp_names);
	return names;
}

struct loaded {
	char *path, *text;
	struct prom_doc doc;
};

void textfile_collect(const char *dir, const struct textfile_bounds *b, struct textfile_pass *pass)
{
	memset(pass, 0, sizeof *pass);
	struct textfile_merge *m = textfile_merge_new(b->max_series, b->max_bytes);
	GPtrArray *names = list_names(dir, pass);
	unsigned n = names ? names->len : 0, take = n < b->max_files ? n : b->max_files;
	struct loaded *files = calloc(take ? take : 1, sizeof *files);
	if (!m || !files) {
		pass->text = NULL;
		textfile_merge_free(m);
		free(files);
		if (names)
			g_ptr_array_free(names, TRUE);
		return;
	}
	if (n > take)
		note(pass, "%u *.prom files beyond textfile-max-files (%u): %s and those after it refused", n - take,
		     b->max_files, (const char *)names->pdata[take]);
	size_t dlen = strlen(dir);
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	for (unsigned i = 0; i < take; i++) {
		struct loaded *f = &files[i];
		char why[200];
		size_t len;
		int64_t mtime_s;
		f->path = g_strdup_printf("%.*s/%s", (int)dlen, dir, (const char *)names->pdata[i]);
		prom_doc_init(&f->doc);
		f->text = read_whole(f->path, b->max_file_bytes, &len, &mtime_s, why, sizeof why);
		if (!f->text) {
			note(pass, "%s: %s", f->path, why);
			continue;
		}
		if (prom_parse(&f->doc, f->text, len, b->max_series, why, sizeof why) != 0) {
			note(pass, "%s: %s", f->path, why);
			continue;
		}
		if (textfile_merge_add(m, f->path, mtime_s, &f->doc, why, sizeof why) != 0) {
			note(pass, "%s: %s", f->path, why);
			continue;
		}
		pass->files++;
	}
	pass->len = textfile_merge_render(m, pass->error, &pass->text);
	if (pass->len == (size_t)-1) {
		pass->text = NULL;
		pass->len = 0;
	}
	textfile_merge_free(m);
	for (unsigned i = 0; i < take; i++) {
		g_free(files[i].path);
		free(files[i].text);
		prom_doc_free(&files[i].doc);
	}
	free(files);
	if (names)
		g_ptr_array_free(names, TRUE);
}

struct textfile {
	struct pool_job job; /* first: the job is the collector */
	struct shm_segment *seg;
	char dir[sizeof(((struct config *)0)->textfile_directory)];
	struct textfile_bounds bounds;
	int64_t interval_ns, next_ns;
	bool in_flight;
	/* the job's */
	struct textfile_pass pass;
	char *published; /* the page last published */
	size_t published_len;
	bool publish_failed;
	/* the loop's: a problem is logged when it appears, not again at each
	 * pass; beyond NEW_LINES_PER_MINUTE (files that flap) through a limiter */
	struct log_limit problem_log;
	int64_t minute_start_ns;
	unsigned minute_lines;
	char last_note[TEXTFILE_NOTES][256];
	unsigned last_nnotes;
	bool had_problems;
};

static void collect_run(struct pool_job *job)
{
	struct textfile *t = (struct textfile *)job;
	textfile_collect(t->dir, &t->bounds, &t->pass);
	if (!t->pass.text)
		return;
	if (t->published && t->published_len == t->pass.len && memcmp(t->published, t->pass.text, t->pass.len) == 0)
		return; /* unchanged: the exporter keeps its checked copy */
	t->publish_failed = shm_textfile_publish(t->seg, t->pass.text, t->pass.len, (uint64_t)monotonic_ns()) != 0;
	if (t->publish_failed)
		return;
	free(t->published);
	t->published = t->pass.text;
	t->published_len = t->pass.len;
	t->pass.text = NULL;
}

struct textfile *textfile_new(struct shm_segment *seg, const struct config *cfg)
{
	if (!textfile_on(cfg))
		return NULL;
	struct textfile *t = calloc(1, sizeof *t);
	if (!t) {
		log_error("textfile collector: out of memory, off");
		return NULL;
	}
	t->job.run = collect_run;
	t->seg = seg;
	snprintf(t->dir, sizeof t->dir, "%s", cfg->textfile_directory);
	textfile_bounds_of(cfg, &t->bounds);
	t->interval_ns = (int64_t)cfg->textfile_interval_ms * 1000000;
	t->next_ns = monotonic_ns();
	log_info("textfile collector: %s every %d ms", t->dir, cfg->textfile_interval_ms);
	return t;
}

static bool noted_last_pass(const struct textfile *t, const char *note)
{
	for (unsigned i = 0; i < t->last_nnotes; i++)
		if (strcmp(t->last_note[i], note) == 0)
			return true;
	return false;
}

static void report(struct textfile *t)
{
	struct textfile_pass *p = &t->pass;
	if (!p->text && !t->published)
		log_warn_limited(&t->problem_log, "textfile collector: out of memory rendering %s", t->dir);
	if (t->publish_failed)
		log_warn_limited(&t->problem_log, "textfile collector: a page of %zu bytes does not fit the segment",
				 p->len);
	int64_t now = monotonic_ns();
	if (now - t->minute_start_ns >= 60 * (int64_t)1000000000) {
		t->minute_start_ns = now;
		t->minute_lines = 0;
	}
	for (unsigned i = 0; i < p->nnotes; i++) {
		if (noted_last_pass(t, p->note[i]))
			continue;
		const char *more = i + 1 == p->nnotes && p->problems > p->nnotes ? " (and more)" : "";
		if (t->minute_lines++ < NEW_LINES_PER_MINUTE)
			log_warn("textfile collector: %s%s", p->note[i], more);
		else
			log_warn_limited(&t->problem_log, "textfile collector: %s%s", p->note[i], more);
	}
	memcpy(t->last_note, p->note, sizeof t->last_note);
	t->last_nnotes = p->nnotes;
	if (t->had_problems && p->problems == 0)
		log_info("textfile collector: every file of %s read again", t->dir);
	t->had_problems = p->problems > 0;
	free(p->text);
	p->text = NULL;
}

void textfile_tick(struct textfile *t, struct pool *p, int64_t now_mono_ns)
{
	if (!t)
		return;
	if (t->in_flight && pool_take(p, &t->job)) {
		t->in_flight = false;
		report(t);
	}
	if (now_mono_ns < t->next_ns)
		return;
	/* due again an interval on, even while a pass is still out (a hung
	 * mount): a due time left in the past would wake the loop for ever */
	t->next_ns = now_mono_ns + t->interval_ns;
	if (!t->in_flight)
		t->in_flight = pool_submit(p, &t->job) == 0;
}

int64_t textfile_next_due(const struct textfile *t)
{
	return t ? t->next_ns : INT64_MAX;
}

void textfile_free(struct textfile *t)
{
	if (!t)
		return;
	log_limit_forget(&t->problem_log);
	free(t->pass.text);
	free(t->published);
	free(t);
}
