/*
 * channels.c - parse, check and print the `[channel NAME]` config groups.
 *
 * One table says which keys exist, what they hold and which sources they
 * apply to, so a key of another source (chip= on a thermal channel) is an
 * error just like a typo.
 */
#include "channels.h"
#include "names.h"
#include "promtext.h"
#include "sensorkind.h"

#include <errno.h>
#include <fnmatch.h>
#include <glib.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define GROUP_PREFIX "channel "
#define RULE_PREFIX "threshold "
#define BIT(s) (1u << (s))
#define ANY_SOURCE                                                                                           \
	(BIT(SHM_SOURCE_SIMULATED) | BIT(SHM_SOURCE_HWMON) | BIT(SHM_SOURCE_THERMAL) | BIT(SHM_SOURCE_IIO) | \
	 BIT(SHM_SOURCE_FILE) | BIT(SHM_SOURCE_PUSH))
#define POLLED (ANY_SOURCE & ~BIT(SHM_SOURCE_PUSH))

enum key_type { KEY_SOURCE, KEY_STRING, KEY_INT, KEY_DOUBLE, KEY_LABELS };

struct key_desc {
	const char *key;
	enum key_type type;
	size_t offset;    /* into struct channel_config */
	size_t size;      /* for strings */
	unsigned sources; /* BIT() of the sources it applies to */
};

#define FIELD(f) offsetof(struct channel_config, f), sizeof(((struct channel_config *)0)->f)

static const struct key_desc keys[] = {
	{ "source", KEY_SOURCE, 0, 0, ANY_SOURCE },
	{ "kind", KEY_STRING, FIELD(sensor), BIT(SHM_SOURCE_SIMULATED) },
	{ "chip", KEY_STRING, FIELD(device), BIT(SHM_SOURCE_HWMON) },
	{ "sensor", KEY_STRING, FIELD(sensor), BIT(SHM_SOURCE_HWMON) },
	{ "label", KEY_STRING, FIELD(label), BIT(SHM_SOURCE_HWMON) },
	{ "type", KEY_STRING, FIELD(device), BIT(SHM_SOURCE_THERMAL) },
	{ "device", KEY_STRING, FIELD(device), BIT(SHM_SOURCE_IIO) },
	{ "channel", KEY_STRING, FIELD(sensor), BIT(SHM_SOURCE_IIO) },
	{ "path", KEY_STRING, FIELD(path), BIT(SHM_SOURCE_FILE) },
	/* pins for chips and zones whose name or type another one shares */
	{ "device-path", KEY_STRING, FIELD(path), BIT(SHM_SOURCE_HWMON) },
	{ "zone", KEY_STRING, FIELD(path), BIT(SHM_SOURCE_THERMAL) },
	{ "interval-ms", KEY_INT, FIELD(interval_ms), POLLED },
	{ "scale", KEY_DOUBLE, FIELD(scale), ANY_SOURCE },
	{ "offset", KEY_DOUBLE, FIELD(offset), ANY_SOURCE },
	{ "warn-above", KEY_DOUBLE, FIELD(warn_above), ANY_SOURCE },
	{ "crit-above", KEY_DOUBLE, FIELD(crit_above), ANY_SOURCE },
	{ "warn-below", KEY_DOUBLE, FIELD(warn_below), ANY_SOURCE },
	{ "crit-below", KEY_DOUBLE, FIELD(crit_below), ANY_SOURCE },
	{ "hysteresis", KEY_DOUBLE, FIELD(hysteresis), ANY_SOURCE },
	{ "unit", KEY_STRING, FIELD(unit), ANY_SOURCE },
	{ "labels", KEY_LABELS, FIELD(labels), ANY_SOURCE },
};
#define N_KEYS (sizeof keys / sizeof keys[0])

/* Label names the exporter uses itself, or Prometheus reserves. */
static const char *const reserved_labels[] = {
	"channel", "unit", "stat", "reason", "source", "result", "le", "quantile", "job", "instance",
};

int channels_source_from_name(const char *name)
{
	for (int s = SHM_SOURCE_SIMULATED; s < SHM_SOURCE_COUNT; s++)
		if (strcmp(shm_source_label((enum shm_source)s), name) == 0)
			return s;
	return -1;
}

int channels_is_group(const char *group)
{
	return strncmp(group, GROUP_PREFIX, strlen(GROUP_PREFIX)) == 0 || strcmp(group, "channel") == 0 ||
	       strncmp(group, RULE_PREFIX, strlen(RULE_PREFIX)) == 0;
}

int channels_name_valid(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n >= SHM_CHANNEL_NAME_LEN)
		return 0;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

static int label_name_valid(const char *s)
{
	if (!g_ascii_isalpha(s[0]) && s[0] != '_')
		return 0;
	for (const char *p = s + 1; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '_')
			return 0;
	return 1;
}

static int label_name_reserved(const char *s)
{
	if (strncmp(s, "__", 2) == 0)
		return 1;
	for (size_t i = 0; i < sizeof reserved_labels / sizeof reserved_labels[0]; i++)
		if (strcmp(s, reserved_labels[i]) == 0)
			return 1;
	return 0;
}

/* Append `s` escaped as a Prometheus label value. */
static void append_escaped(GString *out, const char *s)
{
	size_t len = strlen(s);
	size_t need = prom_escape_label_value(NULL, 0, s, len);
	gsize at = out->len;
	g_string_set_size(out, at + need);
	prom_escape_label_value(out->str + at, need + 1, s, len);
}

/* Check one name=value pair and append it to `out`. */
static int render_pair(const char *pair, GString *out, gchar **seen, unsigned nseen, char *err, size_t errlen)
{
	const char *eq = strchr(pair, '=');
	if (!eq) {
		snprintf(err, errlen, "label '%s' needs the form name=value", pair);
		return -1;
	}
	gchar *name = g_strstrip(g_strndup(pair, (gsize)(eq - pair)));
	gchar *value = g_strstrip(g_strdup(eq + 1));
	int rc = -1;
	if (!label_name_valid(name))
		snprintf(err, errlen, "label name '%s' must match [a-zA-Z_][a-zA-Z0-9_]*", name);
	else if (label_name_reserved(name))
		snprintf(err, errlen, "label name '%s' is reserved", name);
	else if (*value == '\0')
		snprintf(err, errlen, "label '%s' has an empty value", name);
	else
		rc = 0;
	for (unsigned i = 0; rc == 0 && i < nseen; i++)
		if (strcmp(seen[i], name) == 0) {
			snprintf(err, errlen, "label '%s' is given twice", name);
			rc = -1;
		}
	if (rc == 0) {
		g_string_append_printf(out, "%s%s=\"", out->len ? "," : "", name);
		append_escaped(out, value);
		g_string_append_c(out, '"');
		seen[nseen] = name;
		name = NULL;
	}
	g_free(name);
	g_free(value);
	return rc;
}

int channels_render_labels(const char *spec, char *out, size_t outlen, char *err, size_t errlen)
{
	gchar **pairs = g_strsplit(spec, ",", -1);
	gchar *seen[CHANNEL_LABEL_PAIRS_MAX] = { NULL };
	unsigned n = 0;
	GString *text = g_string_new("");
	int rc = 0;

	for (gchar **p = pairs; rc == 0 && *p; p++, n++) {
		if (n == CHANNEL_LABEL_PAIRS_MAX) {
			snprintf(err, errlen, "at most %u labels", CHANNEL_LABEL_PAIRS_MAX);
			rc = -1;
		} else {
			rc = render_pair(*p, text, seen, n, err, errlen);
		}
	}
	if (rc == 0 && text->len >= outlen) {
		snprintf(err, errlen, "labels are longer than %zu characters once rendered", outlen - 1);
		rc = -1;
	}
	if (rc == 0)
		memcpy(out, text->str, text->len + 1);
	for (unsigned i = 0; i < CHANNEL_LABEL_PAIRS_MAX; i++)
		g_free(seen[i]);
	g_string_free(text, TRUE);
	g_strfreev(pairs);
	return rc;
}

static const struct key_desc *find_key(const char *key)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (strcmp(keys[i].key, key) == 0)
			return &keys[i];
	return NULL;
}

/* Store one key's text into the channel; -1 with a reason in err. */
static int apply_key(struct channel_config *c, const struct key_desc *k, const char *text, char *err, size_t errlen)
{
	char *field = (char *)c + k->offset;
	char *end = NULL;

	switch (k->type) {
	case KEY_SOURCE: return 0; /* read first, by parse_source */
	case KEY_INT: {
		errno = 0;
		long v = strtol(text, &end, 10);
		if (*text == '\0' || errno || *end || v < 1 || v > 3600000) {
			snprintf(err, errlen, "key '%s' needs an integer between 1 and 3600000, got '%s'", k->key,
				 text);
			return -1;
		}
		*(int *)field = (int)v;
		return 0;
	}
	case KEY_DOUBLE: {
		double v = g_ascii_strtod(text, &end);
		if (*text == '\0' || *end || !isfinite(v)) {
			snprintf(err, errlen, "key '%s' needs a finite number, got '%s'", k->key, text);
			return -1;
		}
		*(double *)field = v;
		return 0;
	}
	case KEY_LABELS: {
		char rendered[SHM_CHANNEL_LABELS_LEN], why[160];
		if (channels_render_labels(text, rendered, sizeof rendered, why, sizeof why) != 0) {
			snprintf(err, errlen, "key 'labels': %s", why);
			return -1;
		}
		break; /* keep the text as written */
	}
	case KEY_STRING: break;
	}
	if (*text == '\0' || strlen(text) >= k->size) {
		snprintf(err, errlen, "key '%s' must hold 1 to %zu characters", k->key, k->size - 1);
		return -1;
	}
	memcpy(field, text, strlen(text) + 1);
	return 0;
}

static gchar *get_value(GKeyFile *kf, const char *group, const char *key)
{
	gchar *raw = g_key_file_get_value(kf, group, key, NULL);
	return raw ? g_strstrip(raw) : NULL;
}

/* The sources a channel may name (the built-in set is not one). */
static const char *source_name(unsigned i)
{
	return shm_source_label((enum shm_source)(SHM_SOURCE_SIMULATED + i));
}

static const char *source_names(void)
{
	static char names[96];
	if (names[0] == '\0')
		names_join(names, sizeof names, SHM_SOURCE_COUNT - SHM_SOURCE_SIMULATED, source_name, ", ");
	return names;
}

static int parse_source(struct channel_config *c, GKeyFile *kf, const char *group, char *err, size_t errlen)
{
	gchar *v = get_value(kf, group, "source");
	int s = v ? channels_source_from_name(v) : -1;
	if (s < 0)
		snprintf(err, errlen, "key 'source' must be one of %s, got '%s'", source_names(), v ? v : "(missing)");
	else
		c->source = (enum shm_source)s;
	g_free(v);
	return s < 0 ? -1 : 0;
}

/* Selector checks once all keys are in. */
static int check_source_keys(struct channel_config *c, char *err, size_t errlen)
{
	enum sensor_kind kind;
	switch (c->source) {
	case SHM_SOURCE_SIMULATED:
		if (c->sensor[0] == '\0')
			snprintf(c->sensor, sizeof c->sensor, "%s", sensor_kind_desc(SENSOR_TEMPERATURE)->name);
		if (sensor_kind_parse(c->sensor, &kind) != 0) {
			snprintf(err, errlen, "key 'kind' must be %s, got '%s'", sensor_kind_names(), c->sensor);
			return -1;
		}
		return 0;
	case SHM_SOURCE_HWMON:
		if (c->device[0] == '\0' || (c->sensor[0] == '\0') == (c->label[0] == '\0')) {
			snprintf(err, errlen,
				 "source 'hwmon' needs 'chip' and exactly one of 'sensor' (e.g. temp1) or 'label'");
			return -1;
		}
		return 0;
	case SHM_SOURCE_THERMAL:
		if (c->device[0] == '\0') {
			snprintf(err, errlen, "source 'thermal' needs 'type' (the zone's type, e.g. x86_pkg_temp)");
			return -1;
		}
		return 0;
	case SHM_SOURCE_IIO:
		if (c->device[0] == '\0' || c->sensor[0] == '\0') {
			snprintf(err, errlen,
				 "source 'iio' needs 'device' (its name) and 'channel' (e.g. in_voltage0)");
			return -1;
		}
		return 0;
	case SHM_SOURCE_FILE:
		if (c->path[0] != '/') {
			snprintf(err, errlen, "source 'file' needs an absolute 'path'");
			return -1;
		}
		return 0;
	default: return 0;
	}
}

static bool is_threshold_key(const struct key_desc *k)
{
	return k->offset >= offsetof(struct channel_config, warn_above) &&
	       k->offset <= offsetof(struct channel_config, hysteresis);
}

static const char *threshold_key_name(unsigned i)
{
	unsigned seen = 0;
	for (size_t k = 0; k < N_KEYS; k++)
		if (is_threshold_key(&keys[k]) && seen++ == i)
			return keys[k].key;
	return "";
}

static const char *threshold_key_names(void)
{
	static char names[96];
	if (names[0] == '\0') {
		unsigned n = 0;
		for (size_t k = 0; k < N_KEYS; k++)
			n += is_threshold_key(&keys[k]);
		names_join(names, sizeof names, n, threshold_key_name, ", ");
	}
	return names;
}

static void no_thresholds(struct channel_config *c)
{
	c->warn_above = c->crit_above = c->warn_below = c->crit_below = c->hysteresis = NAN;
}

void channels_init(struct channel_config *c, enum shm_source source)
{
	memset(c, 0, sizeof *c);
	c->source = source;
	c->scale = 1.0;
	no_thresholds(c);
}

static int check_thresholds(const struct channel_config *c, char *err, size_t errlen)
{
	if (c->crit_above < c->warn_above || c->crit_below > c->warn_below) { /* false with a NaN */
		snprintf(err, errlen, "crit-above must not be under warn-above, nor crit-below over warn-below");
		return -1;
	}
	if (c->hysteresis < 0) {
		snprintf(err, errlen, "key 'hysteresis' must not be negative");
		return -1;
	}
	return 0;
}

/*
 * The one walk over a group's keys: each must be in the table and allowed
 * in the group (a [channel]'s: the keys of its source; a [threshold]'s:
 * the threshold keys), and is stored into `c`. -1 with the whole message
 * in err.
 */
static int apply_keys(struct channel_config *c, GKeyFile *kf, const char *group, bool rule, const char *origin,
		      char *err, size_t errlen)
{
	gsize nkeys = 0;
	gchar **names = g_key_file_get_keys(kf, group, &nkeys, NULL);
	char why[256] = "";
	int rc = 0;
	for (gsize i = 0; rc == 0 && names && i < nkeys; i++) {
		const struct key_desc *k = find_key(names[i]);
		if (rule && !(k && is_threshold_key(k))) {
			snprintf(why, sizeof why, "unknown key '%s' (%s)", names[i], threshold_key_names());
			rc = -1;
		} else if (!k) {
			snprintf(err, errlen, "config file %s: unknown key '%s' in group [%s]", origin, names[i],
				 group);
			g_strfreev(names);
			return -1;
		} else if (!rule && !(k->sources & BIT(c->source))) {
			snprintf(why, sizeof why, "key '%s' does not apply to source '%s'", names[i],
				 shm_source_label(c->source));
			rc = -1;
		} else {
			gchar *v = get_value(kf, group, names[i]);
			rc = apply_key(c, k, v ? v : "", why, sizeof why);
			g_free(v);
		}
	}
	g_strfreev(names);
	if (rc == 0 && !rule)
		rc = check_source_keys(c, why, sizeof why);
	if (rc == 0)
		rc = check_thresholds(c, why, sizeof why);
	if (rc != 0)
		snprintf(err, errlen, "config file %s [%s]: %s", origin, group, why);
	return rc;
}

/* [threshold PATTERN]: only the threshold keys. */
static int parse_rule(struct channel_set *set, GKeyFile *kf, const char *group, const char *origin, char *err,
		      size_t errlen)
{
	const char *pattern = group + strlen(RULE_PREFIX);
	if (!*pattern || strlen(pattern) >= SHM_CHANNEL_NAME_LEN || set->rules >= THRESHOLD_RULES_MAX) {
		snprintf(err, errlen,
			 "config file %s: group [%s]: [threshold PATTERN], PATTERN 1-%u characters, at most %u groups",
			 origin, group, SHM_CHANNEL_NAME_LEN - 1, THRESHOLD_RULES_MAX);
		return -1;
	}
	struct channel_config c;
	memset(&c, 0, sizeof c);
	no_thresholds(&c);
	snprintf(c.name, sizeof c.name, "%s", pattern);
	if (apply_keys(&c, kf, group, true, origin, err, errlen) != 0)
		return -1;
	set->rule[set->rules++] = c;
	return 0;
}

int channels_has_thresholds(const struct channel_config *c)
{
	return !isnan(c->warn_above) || !isnan(c->crit_above) || !isnan(c->warn_below) || !isnan(c->crit_below);
}

void channels_apply_threshold_rules(const struct channel_set *set, struct channel_config *c)
{
	if (channels_has_thresholds(c))
		return;
	for (unsigned r = 0; r < set->rules; r++)
		if (fnmatch(set->rule[r].name, c->name, 0) == 0) {
			c->warn_above = set->rule[r].warn_above;
			c->crit_above = set->rule[r].crit_above;
			c->warn_below = set->rule[r].warn_below;
			c->crit_below = set->rule[r].crit_below;
			c->hysteresis = set->rule[r].hysteresis;
			return;
		}
}

int channels_parse_group(struct channel_set *set, GKeyFile *kf, const char *group, const char *origin, char *err,
			 size_t errlen)
{
	if (strncmp(group, RULE_PREFIX, strlen(RULE_PREFIX)) == 0)
		return parse_rule(set, kf, group, origin, err, errlen);
	const char *name = strncmp(group, GROUP_PREFIX, strlen(GROUP_PREFIX)) == 0 ? group + strlen(GROUP_PREFIX) : "";
	char why[256];

	if (!channels_name_valid(name)) {
		snprintf(err, errlen,
			 "config file %s: group [%s]: a channel is [channel NAME], NAME 1-%u of A-Z a-z 0-9 _ . -",
			 origin, group, SHM_CHANNEL_NAME_LEN - 1);
		return -1;
	}
	for (unsigned i = 0; i < set->count; i++)
		if (strcmp(set->chan[i].name, name) == 0) {
			snprintf(err, errlen, "config file %s: channel '%s' is defined twice", origin, name);
			return -1;
		}
	if (set->count >= CHANNEL_MAX) {
		snprintf(err, errlen, "config file %s: too many channels: at most %u [channel ...] groups", origin,
			 CHANNEL_MAX);
		return -1;
	}
	struct channel_config c;
	memset(&c, 0, sizeof c);
	snprintf(c.name, sizeof c.name, "%s", name);
	c.scale = 1.0;
	no_thresholds(&c);
	if (parse_source(&c, kf, group, why, sizeof why) != 0) {
		snprintf(err, errlen, "config file %s [%s]: %s", origin, group, why);
		return -1;
	}
	if (apply_keys(&c, kf, group, false, origin, err, errlen) != 0)
		return -1;
	set->chan[set->count++] = c;
	return 0;
}

static void print_key(const struct channel_config *c, const struct key_desc *k, FILE *out)
{
	const char *field = (const char *)c + k->offset;
	char num[G_ASCII_DTOSTR_BUF_SIZE];
	switch (k->type) {
	case KEY_SOURCE: fprintf(out, "source=%s\n", shm_source_label(c->source)); break;
	case KEY_INT:
		if (*(const int *)field)
			fprintf(out, "%s=%d\n", k->key, *(const int *)field);
		break;
	case KEY_DOUBLE: {
		double v = *(const double *)field;
		double unset = is_threshold_key(k)                                   ? NAN
			       : k->offset == offsetof(struct channel_config, scale) ? 1.0
										     : 0.0;
		if (isnan(unset) ? !isnan(v) : v != unset)
			fprintf(out, "%s=%s\n", k->key, g_ascii_dtostr(num, sizeof num, v));
		break;
	}
	case KEY_STRING:
	case KEY_LABELS:
		if (*field)
			fprintf(out, "%s=%s\n", k->key, field);
		break;
	}
}

void channels_print(const struct channel_set *set, FILE *out)
{
	for (unsigned i = 0; i < set->count; i++) {
		const struct channel_config *c = &set->chan[i];
		fprintf(out, "\n[%s%s]\n", GROUP_PREFIX, c->name);
		for (size_t k = 0; k < N_KEYS; k++)
			if (keys[k].sources & BIT(c->source))
				print_key(c, &keys[k], out);
	}
	for (unsigned r = 0; r < set->rules; r++) {
		fprintf(out, "\n[%s%s]\n", RULE_PREFIX, set->rule[r].name);
		for (size_t k = 0; k < N_KEYS; k++)
			if (is_threshold_key(&keys[k]))
				print_key(&set->rule[r], &keys[k], out);
	}
}
