/*
 * nodehw.c - node_exporter's hwmon and thermal_zone series for a sysfs
 * tree, so that its dashboards and alert rules work against this service.
 *
 * The reference is Debian's prometheus-node-exporter 1.5.0. For each
 * directory of class/hwmon it reads the files named <type><n>[_<element>]
 * of a known type, in the directory and in its `device` directory (the
 * latter winning), groups them by sensor (<type><n>, n 0 when absent) and
 * names each series by type and element: temp1_crit is
 * node_hwmon_temp_crit_celsius{chip,sensor="temp1"}, with the unit suffix
 * and scale of its type. Each thermal zone with a type, a policy and a
 * temperature is node_thermal_zone_temp{zone,type}. The series are found
 * once; their values are read each interval (nodehw_read).
 */
#define _GNU_SOURCE
#include "nodehw.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/families.h"
#include "../common/log.h"
#include "../shm/seqlock.h"
#include "../shm/view.h"
#include "growarray.h"

/* node_exporter reads one read() of at most this many bytes per file. */
#define NODEHW_READ_MAX 128

/* The types of hwmon file node_exporter 1.5.0 reads. */
static const char *const sensor_types[] = {
	"vrm",  "beep_enable", "update_interval", "in",     "cpu",      "fan",      "pwm",
	"temp", "curr",        "power",           "energy", "humidity", "intrusion"
};

struct cand {
	char family[SHM_NODE_HW_TEXT_LEN];
	char key[SHM_NODE_HW_TEXT_LEN];
	char name[SHM_NODE_HW_TEXT_LEN];
	char label[SHM_NODE_HW_TEXT_LEN];
	uint32_t kind, counter;
	char path[SYSFS_PATH_LEN]; /* "" for a constant 1 */
	uint8_t parse, scale;
};

/* One file of a sensor: <sensor>_<prop>, its path and its text. */
struct prop {
	char sensor[48];
	char prop[64];
	char path[SYSFS_PATH_LEN];
	char text[NODEHW_READ_MAX + 1];
};

void nodehw_clean(const char *in, size_t inlen, char *out, size_t outlen)
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)in, *end = p + inlen;
	while (p < end && n + 1 < outlen) {
		unsigned char c = *p++;
		if (c >= 0xc0) { /* one character of several bytes: one '_' */
			unsigned more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
			for (; more > 0 && p < end && (*p & 0xc0) == 0x80; more--)
				p++;
			c = '_';
		}
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		bool keep = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == ':' || c == '_';
		out[n++] = (char)(keep ? c : '_');
	}
	out[n] = '\0';
	size_t lead = strspn(out, "_");
	memmove(out, out + lead, n - lead + 1);
	n -= lead;
	while (n > 0 && out[n - 1] == '_')
		out[--n] = '\0';
}

/* One read() of at most NODEHW_READ_MAX bytes, as node_exporter's. */
static bool read_once(const char *path, char *buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t r = read(fd, buf, NODEHW_READ_MAX);
	close(fd);
	if (r < 0)
		return false;
	buf[r] = '\0';
	*len = (size_t)r;
	return true;
}

/* The whole of a small file (os.ReadFile), cut to len. */
static bool read_all(const char *path, char *buf, size_t len, size_t *got)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	*got = fread(buf, 1, len - 1, f);
	bool ok = !ferror(f);
	fclose(f);
	buf[*got] = '\0';
	return ok;
}

/* Go's strings.Trim(s, "\n"). */
static char *trim_newlines(char *s)
{
	while (*s == '\n')
		s++;
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == '\n')
		s[--n] = '\0';
	return s;
}

static const char *base_name(const char *path, size_t *len)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	size_t start = n;
	while (start > 0 && path[start - 1] != '/')
		start--;
	*len = n - start;
	return path + start;
}

bool nodehw_chip_label(const char *dir, char *out, size_t len)
{
	char path[SYSFS_PATH_LEN], real[PATH_MAX];
	if (sysfs_path(path, sizeof path, "%s/device", dir) && realpath(path, real)) {
		size_t nlen, tlen;
		const char *name = base_name(real, &nlen);
		char parent[PATH_MAX];
		snprintf(parent, sizeof parent, "%.*s", (int)(name - real), real);
		const char *type = base_name(parent, &tlen);
		char cname[SHM_NODE_HW_TEXT_LEN], ctype[SHM_NODE_HW_TEXT_LEN];
		nodehw_clean(name, nlen, cname, sizeof cname);
		nodehw_clean(type, tlen, ctype, sizeof ctype);
		if (cname[0] && ctype[0]) {
			snprintf(out, len, "%s_%s", ctype, cname);
			return true;
		}
		if (cname[0]) {
			snprintf(out, len, "%s", cname);
			return true;
		}
	}
	char text[256];
	size_t got;
	if (sysfs_path(path, sizeof path, "%s/name", dir) && read_all(path, text, sizeof text, &got) && got > 0) {
		nodehw_clean(text, got, out, len);
		if (out[0])
			return true;
	}
	if (!realpath(dir, real))
		return false;
	size_t nlen;
	const char *name = base_name(real, &nlen);
	nodehw_clean(name, nlen, out, len);
	return out[0] != '\0';
}

/* Split <type><n>[_<property>] as node_exporter's pattern
 * ^([^0-9]+)([0-9]*)?(_(.+))?$ does (leftmost, greedy first). */
static bool explode(const char *file, char *type, size_t tlen, long *num, const char **prop)
{
	size_t t = strcspn(file, "0123456789");
	if (t == 0)
		return false;
	size_t d = strspn(file + t, "0123456789");
	const char *rest = file + t + d;
	if (*rest == '\0' || (rest[0] == '_' && rest[1] != '\0')) {
		errno = 0;
		*num = d ? strtol(file + t, NULL, 10) : 0;
		if (errno != 0 || t >= tlen)
			return false;
		snprintf(type, tlen, "%.*s", (int)t, file);
		*prop = *rest ? rest + 1 : rest;
		return true;
	}
	/* a shorter type followed by _<property> */
	for (size_t k = t - 1; k > 0; k--)
		if (file[k] == '_' && file[k + 1] != '\0' && k < tlen) {
			snprintf(type, tlen, "%.*s", (int)k, file);
			*num = 0;
			*prop = file + k + 1;
			return true;
		}
	return false;
}

/* The blanks these parsers skip: those of g_ascii_isspace (space, \t,
 * \n, \f, \r; not \v). */
static bool ascii_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* In out (of outlen bytes, cut after the last whole character that
 * fits, so that the exporter's UTF-8 check passes it), in with each byte
 * that starts no well-formed UTF-8 character replaced by U+FFFD, as
 * g_utf8_make_valid replaces it. */
static void make_valid(const char *in, char *out, size_t outlen)
{
	static const char replacement[] = "\xef\xbf\xbd";
	size_t used = 0;
	while (*in) {
		size_t n = shm_utf8_char_len(in);
		const char *from = n ? in : replacement;
		size_t len = n ? n : sizeof replacement - 1;
		if (used + len + 1 > outlen)
			break;
		memcpy(out + used, from, len);
		used += len;
		in += n ? n : 1;
	}
	if (outlen)
		out[used] = '\0';
}

static bool known_type(const char *type)
{
	for (size_t i = 0; i < sizeof sensor_types / sizeof sensor_types[0]; i++)
		if (strcmp(sensor_types[i], type) == 0)
			return true;
	return false;
}

struct collect {
	struct growarray props; /* struct prop */
};

static int collect_file(const char *path, const char *file, void *ctx)
{
	struct collect *c = ctx;
	char type[32];
	long num;
	const char *prop;
	if (!explode(file, type, sizeof type, &num, &prop) || !known_type(type))
		return 0;
	struct prop p = { 0 };
	size_t len;
	if (snprintf(p.sensor, sizeof p.sensor, "%s%ld", type, num) >= (int)sizeof p.sensor ||
	    strlen(prop) >= sizeof p.prop || strlen(path) >= sizeof p.path || !read_once(path, p.text, &len))
		return 0;
	snprintf(p.prop, sizeof p.prop, "%s", prop);
	snprintf(p.path, sizeof p.path, "%s", path);
	for (size_t i = 0; i < c->props.len; i++) {
		struct prop *q = growarray_at(&c->props, i);
		if (strcmp(q->sensor, p.sensor) == 0 && strcmp(q->prop, p.prop) == 0) {
			*q = p; /* the device directory's file wins, as in node_exporter's map */
			return 0;
		}
	}
	if (!growarray_push(&c->props, &p))
		log_warn("hwmon file %s: out of memory, left out", path);
	return 0;
}

/* The family of element `el` of a sensor of `type`; false when the name
 * does not fit. */
static bool hwmon_family(const char *type, const char *el, bool has_plain, struct cand *c)
{
	char name[160], clean[SHM_NODE_HW_TEXT_LEN];
	clean[0] = '\0';
	if (strcmp(el, "input") == 0 ? has_plain : el[0] != '\0')
		nodehw_clean(el, strlen(el), clean, sizeof clean);
	/* type <= 31 and clean <= 63 characters: it fits */
	snprintf(name, sizeof name, "%s%s%s%s", FAMILY_NODE_HWMON_PREFIX, type, clean[0] ? "_" : "", clean);
	const char *suffix = "";
	c->scale = NODEHW_ONE;
	c->counter = 0;
	bool is = strcmp(type, "power") == 0;
	if (strcmp(el, "fault") == 0 || strcmp(el, "alarm") == 0) {
	} else if (strcmp(el, "beep") == 0) {
		suffix = "_enabled";
	} else if (strcmp(type, "in") == 0 || strcmp(type, "cpu") == 0) {
		suffix = "_volts", c->scale = NODEHW_TIMES_MILLI;
	} else if (strcmp(type, "temp") == 0 && strcmp(el, "type") != 0) {
		suffix = "_celsius", c->scale = NODEHW_TIMES_MILLI;
	} else if (strcmp(type, "curr") == 0) {
		suffix = "_amps", c->scale = NODEHW_TIMES_MILLI;
	} else if (strcmp(type, "energy") == 0) {
		suffix = "_joule_total", c->scale = NODEHW_PER_MEGA, c->counter = 1;
	} else if (is && strcmp(el, "accuracy") == 0) {
		c->scale = NODEHW_PER_MEGA;
	} else if (is && (strcmp(el, "average_interval") == 0 || strcmp(el, "average_interval_min") == 0 ||
			  strcmp(el, "average_interval_max") == 0)) {
		suffix = "_seconds", c->scale = NODEHW_TIMES_MILLI;
	} else if (is) {
		suffix = "_watt", c->scale = NODEHW_PER_MEGA;
	} else if (strcmp(type, "humidity") == 0) {
		c->scale = NODEHW_PER_MEGA;
	} else if (strcmp(type, "fan") == 0 && (strcmp(el, "input") == 0 || strcmp(el, "min") == 0 ||
						strcmp(el, "max") == 0 || strcmp(el, "target") == 0)) {
		suffix = "_rpm";
	}
	/* An alarm flag (crit_alarm, min_alarm...) keeps node_exporter's name
	 * but not the scale of its type (it writes a set flag as 0.001): 0 or 1. */
	size_t ellen = strlen(el);
	if (ellen > 6 && strcmp(el + ellen - 6, "_alarm") == 0)
		c->scale = NODEHW_ONE;
	return snprintf(c->family, sizeof c->family, "%s%s", name, suffix) < (int)sizeof c->family;
}

static void add_cand(struct growarray *cands, const struct cand *c)
{
	for (size_t i = 0; i < cands->len; i++) {
		const struct cand *o = growarray_at(cands, i);
		if (strcmp(o->family, c->family) == 0 && strcmp(o->key, c->key) == 0 && strcmp(o->name, c->name) == 0 &&
		    strcmp(o->label, c->label) == 0)
			return; /* the same series twice (two chips of one label): written once */
	}
	if (!growarray_push(cands, c))
		log_warn("node_exporter series %s: out of memory, left out", c->family);
}

/* The series of one sensor's files. */
static void sensor_series(struct growarray *cands, const char *chip, const char *sensor, const struct growarray *props)
{
	char type[32];
	long num;
	const char *unused;
	if (!explode(sensor, type, sizeof type, &num, &unused))
		return;
	bool has_plain = false;
	const struct prop *plain = NULL;
	for (size_t i = 0; i < props->len; i++) {
		const struct prop *p = growarray_at(props, i);
		if (strcmp(p->sensor, sensor) == 0 && p->prop[0] == '\0')
			has_plain = true, plain = p;
	}
	struct cand base = { .kind = SHM_NODE_HW_SENSOR, .parse = NODEHW_FLOAT };
	snprintf(base.key, sizeof base.key, "%s", chip);
	snprintf(base.name, sizeof base.name, "%s", sensor);
	for (size_t i = 0; i < props->len; i++) {
		const struct prop *p = growarray_at(props, i);
		if (strcmp(p->sensor, sensor) == 0 && strcmp(p->prop, "label") == 0) {
			struct cand c = base;
			c.kind = SHM_NODE_HW_SENSOR_LABEL;
			c.parse = NODEHW_CONSTANT;
			snprintf(c.family, sizeof c.family, "%s", FAMILY_NODE_HWMON_PREFIX "sensor_label");
			char text[NODEHW_READ_MAX + 1];
			snprintf(text, sizeof text, "%s", p->text);
			make_valid(trim_newlines(text), c.label, sizeof c.label);
			add_cand(cands, &c);
		}
	}
	const char *special = strcmp(type, "beep_enable") == 0 ? FAMILY_NODE_HWMON_PREFIX "beep_enabled"
			      : strcmp(type, "vrm") == 0       ? FAMILY_NODE_HWMON_PREFIX "voltage_regulator_version"
			      : strcmp(type, "update_interval") == 0 ? FAMILY_NODE_HWMON_PREFIX
				      "update_interval_seconds"
								     : NULL;
	if (special) {
		struct cand c = base;
		snprintf(c.family, sizeof c.family, "%s", special);
		c.parse = type[0] == 'b' ? NODEHW_BEEP : NODEHW_FLOAT;
		c.scale = type[0] == 'u' ? NODEHW_TIMES_MILLI : NODEHW_ONE;
		if (plain)
			snprintf(c.path, sizeof c.path, "%s", plain->path);
		else if (c.parse != NODEHW_BEEP)
			return;
		else
			c.parse = NODEHW_CONSTANT; /* no value file: node_exporter writes 0 */
		add_cand(cands, &c);
		return;
	}
	for (size_t i = 0; i < props->len; i++) {
		const struct prop *p = growarray_at(props, i);
		if (strcmp(p->sensor, sensor) != 0 || strcmp(p->prop, "label") == 0)
			continue;
		struct cand c = base;
		if (!hwmon_family(type, p->prop, has_plain, &c)) {
			log_warn("hwmon file %s: its node_exporter series name is too long, left out", p->path);
			continue;
		}
		snprintf(c.path, sizeof c.path, "%s", p->path);
		add_cand(cands, &c);
	}
}

static int add_chip_dir(const char *path, const char *entry, void *ctx)
{
	(void)entry;
	char *copy = strdup(path);
	if (!copy || !growarray_push(ctx, &copy)) {
		log_warn("hwmon directory %s: out of memory, left out", path);
		free(copy);
	}
	return 0;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void scan_chip(const char *dir, struct growarray *cands)
{
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return;
	char chip[SHM_NODE_HW_TEXT_LEN], path[SYSFS_PATH_LEN];
	if (!nodehw_chip_label(dir, chip, sizeof chip))
		return;
	struct collect col;
	growarray_init(&col.props, sizeof(struct prop));
	sysfs_scan(dir, "", collect_file, &col);
	if (sysfs_path(path, sizeof path, "%s/device", dir) && stat(path, &st) == 0)
		sysfs_scan(path, "", collect_file, &col);

	char text[256];
	size_t got;
	if (sysfs_path(path, sizeof path, "%s/name", dir) && read_all(path, text, sizeof text, &got)) {
		struct cand c = { .kind = SHM_NODE_HW_CHIP_NAME, .parse = NODEHW_CONSTANT };
		nodehw_clean(text, got, c.name, sizeof c.name);
		snprintf(c.family, sizeof c.family, "%s", FAMILY_NODE_HWMON_PREFIX "chip_names");
		snprintf(c.key, sizeof c.key, "%s", chip);
		if (c.name[0])
			add_cand(cands, &c);
	}
	for (size_t i = 0; i < col.props.len; i++) {
		const char *sensor = ((const struct prop *)growarray_at(&col.props, i))->sensor;
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(((const struct prop *)growarray_at(&col.props, j))->sensor, sensor) == 0;
		if (!seen)
			sensor_series(cands, chip, sensor, &col.props);
	}
	growarray_free(&col.props);
}

/* Go's strings.TrimSpace of a small file's text; false when unreadable. */
static bool read_trimmed(const char *path, char *buf, size_t len)
{
	size_t got;
	char raw[NODEHW_READ_MAX + 1];
	if (!read_once(path, raw, &got))
		return false;
	char *s = raw;
	while (*s && ascii_space(*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && ascii_space(s[n - 1]))
		n--;
	snprintf(buf, len, "%.*s", (int)n, s);
	return true;
}

static void scan_zones(struct growarray *cands, const char *root)
{
	char pattern[SYSFS_PATH_LEN];
	glob_t g;
	if (!sysfs_join(pattern, sizeof pattern, root, "/sys/class/thermal/thermal_zone[0-9]*") ||
	    glob(pattern, 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *zone = g.gl_pathv[i];
		struct cand c = { .kind = SHM_NODE_HW_ZONE, .parse = NODEHW_INT, .scale = NODEHW_PER_KILO };
		char path[SYSFS_PATH_LEN], policy[64], raw[NODEHW_READ_MAX + 1];
		if (!sysfs_path(path, sizeof path, "%s/type", zone) || !read_trimmed(path, raw, sizeof raw) ||
		    !sysfs_path(path, sizeof path, "%s/policy", zone) || !read_trimmed(path, policy, sizeof policy) ||
		    !sysfs_path(c.path, sizeof c.path, "%s/temp", zone))
			continue;
		make_valid(raw, c.name, sizeof c.name);
		size_t blen;
		const char *base = base_name(zone, &blen);
		snprintf(c.key, sizeof c.key, "%.*s", (int)(blen - strlen("thermal_zone")),
			 base + strlen("thermal_zone"));
		snprintf(c.family, sizeof c.family, "%s", FAMILY_NODE_THERMAL_ZONE);
		add_cand(cands, &c);
	}
	globfree(&g);
}

static int by_series(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int d = strcmp(x->family, y->family);
	if (!d)
		d = strcmp(x->key, y->key);
	if (!d)
		d = strcmp(x->name, y->name);
	return d ? d : strcmp(x->label, y->label);
}

static void put_text(char *dst, const char *src)
{
	memset(dst, 0, SHM_NODE_HW_TEXT_LEN);
	snprintf(dst, SHM_NODE_HW_TEXT_LEN, "%s", src);
}

/* Every series under root, in the table's order. */
static struct growarray *collect(const char *root)
{
	struct growarray *cands = malloc(sizeof *cands);
	if (!cands)
		return NULL;
	growarray_init(cands, sizeof(struct cand));
	char dir[SYSFS_PATH_LEN];
	struct growarray chips; /* char *, each its own copy */
	growarray_init(&chips, sizeof(char *));
	if (sysfs_join(dir, sizeof dir, root, "/sys/class/hwmon"))
		sysfs_scan(dir, "", add_chip_dir, &chips);
	/* in node_exporter's order (by name: hwmon10 before hwmon2), so that
	 * of two chips giving the same series the same one is written */
	if (chips.len)
		qsort(chips.data, chips.len, chips.elem, by_path);
	for (size_t i = 0; i < chips.len; i++) {
		char **chip = growarray_at(&chips, i);
		scan_chip(*chip, cands);
		free(*chip);
	}
	growarray_free(&chips);
	scan_zones(cands, root);
	/* no two equal (add_cand keeps one of each): the order is total */
	if (cands->len)
		qsort(cands->data, cands->len, cands->elem, by_series);
	return cands;
}

static void cands_free(struct growarray *cands)
{
	if (cands) {
		growarray_free(cands);
		free(cands);
	}
}

/* Describe `cands` in the table (which then holds no value yet) and make
 * them the files n reads; n keeps cands. 0, or -1 when out of memory. */
static int publish(struct nodehw *n, struct growarray *cands, struct shm_node_hw *table)
{
	unsigned total = (unsigned)cands->len, count = total < SHM_NODE_HW_MAX ? total : SHM_NODE_HW_MAX;
	struct nodehw_file *files = calloc(count ? count : 1, sizeof *files);
	if (!files)
		return -1;
	nodehw_free(n);
	n->files = files;
	n->published = cands;
	/* odd while the descriptions change (already odd: a predecessor died
	 * writing them) */
	uint32_t odd = atomic_load_explicit(&table->seq, memory_order_relaxed) | 1u;
	atomic_store_explicit(&table->seq, odd, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&table->count, 0, memory_order_relaxed);
	for (unsigned i = 0; i < count; i++) {
		const struct cand *c = growarray_at(cands, i);
		struct shm_node_hw_series *s = &table->series[i];
		put_text(s->family, c->family);
		put_text(s->key, c->key);
		put_text(s->name, c->name);
		put_text(s->label, c->label);
		s->kind = c->kind;
		s->counter = c->counter;
		bool constant = c->parse == NODEHW_CONSTANT;
		atomic_store_explicit(&s->value_bits,
				      shm_double_to_bits(constant && c->kind == SHM_NODE_HW_SENSOR ? 0 : 1),
				      memory_order_relaxed);
		atomic_store_explicit(&s->present, constant, memory_order_relaxed);
		if (!constant) {
			struct nodehw_file *f = &n->files[n->count++];
			memcpy(f->path, c->path, sizeof f->path);
			f->parse = c->parse;
			f->scale = c->scale;
			f->slot = i;
		}
	}
	n->series = count;
	n->dropped = total - count;
	atomic_store_explicit(&table->capacity, SHM_NODE_HW_MAX, memory_order_relaxed);
	atomic_store_explicit(&table->entry_size, sizeof(struct shm_node_hw_series), memory_order_relaxed);
	atomic_store_explicit(&table->count, count, memory_order_release);
	atomic_store_explicit(&table->seq, odd + 1u, memory_order_release);
	return 0;
}

int nodehw_scan(struct nodehw *n, const char *root, struct shm_node_hw *table)
{
	memset(n, 0, sizeof *n);
	struct growarray *cands = collect(root);
	if (!cands || publish(n, cands, table) != 0) {
		cands_free(cands);
		return -1;
	}
	return 0;
}

static bool same_series(const struct cand *a, const struct cand *b)
{
	return strcmp(a->family, b->family) == 0 && strcmp(a->key, b->key) == 0 && strcmp(a->name, b->name) == 0 &&
	       strcmp(a->label, b->label) == 0 && strcmp(a->path, b->path) == 0 && a->kind == b->kind &&
	       a->counter == b->counter && a->parse == b->parse && a->scale == b->scale;
}

int nodehw_rescan(struct nodehw *n, const char *root, struct shm_node_hw *table)
{
	struct growarray *cands = collect(root);
	if (!cands)
		return -1;
	const struct growarray *old = n->published;
	bool same = old && old->len == cands->len;
	for (size_t i = 0; same && i < cands->len; i++)
		same = same_series(growarray_at(cands, i), growarray_at(old, i));
	if (same) {
		cands_free(cands);
		return 0;
	}
	if (publish(n, cands, table) != 0) {
		cands_free(cands);
		return -1;
	}
	return 1;
}

bool nodehw_value(const char *text, enum nodehw_parse parse, enum nodehw_scale scale, double *out)
{
	char *end;
	double v;
	if (parse == NODEHW_BEEP) {
		*out = strcmp(text, "1") == 0 ? 1.0 : 0.0;
		return true;
	}
	if (parse == NODEHW_INT) { /* strings.TrimSpace, then strconv.ParseInt */
		while (ascii_space(*text))
			text++;
		errno = 0;
		long long i = strtoll(text, &end, 10);
		while (ascii_space(*end))
			end++;
		if (end == text || *end || errno || !((*text >= '0' && *text <= '9') || *text == '-' || *text == '+'))
			return false;
		v = (double)i;
	} else { /* strconv.ParseFloat: no blanks around */
		if (!*text || ascii_space(*text))
			return false;
		errno = 0;
		v = strtod(text, &end);
		if (end == text || *end || (errno == ERANGE && isinf(v)))
			return false;
	}
	switch (scale) {
	case NODEHW_TIMES_MILLI: v *= 0.001; break;
	case NODEHW_PER_MEGA: v /= 1000000.0; break;
	case NODEHW_PER_KILO: v /= 1000.0; break;
	default: break;
	}
	*out = v;
	return true;
}

void nodehw_read(const struct nodehw *n, struct shm_node_hw *table)
{
	for (unsigned i = 0; i < n->count; i++) {
		const struct nodehw_file *f = &n->files[i];
		struct shm_node_hw_series *s = &table->series[f->slot];
		char buf[NODEHW_READ_MAX + 1];
		size_t len;
		double v;
		bool ok = read_once(f->path, buf, &len) &&
			  nodehw_value(f->parse == NODEHW_INT ? buf : trim_newlines(buf), f->parse, f->scale, &v);
		if (ok)
			atomic_store_explicit(&s->value_bits, shm_double_to_bits(v), memory_order_relaxed);
		atomic_store_explicit(&s->present, ok, memory_order_release);
	}
}

void nodehw_free(struct nodehw *n)
{
	free(n->files);
	n->files = NULL;
	n->count = 0;
	cands_free(n->published);
	n->published = NULL;
}
