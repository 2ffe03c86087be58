/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/nft.h"
#include "normalize/utf8.h"

/*
 * vpatchd.conf(5): one "key = value" per line.  A value is a bare word, a
 * "quoted string" (\" and \\ are the only escapes) or a list [a, "b", c].
 * '#' starts a comment at the start of a line or after whitespace, outside
 * quotes.  Every limit below is a hard bound on hostile or broken files.
 */
#define LINE_MAX_BYTES	8192	/* longer lines are reported and skipped */
#define LIST_MAX	256	/* values in one list */
#define VARS_MAX	256	/* rule variables in one configuration */
#define VAR_NAME_MAX	64
#define VAR_DEPTH_MAX	16	/* nesting of [ ] in a variable value */
#define PROBLEMS_MAX	100	/* a file with more problems is not a configuration */
#define MSG_MAX		512
#define SHOW_MAX	64	/* bytes of a bad value quoted in a message */
#define PATH_BYTES	4095
#define FLOWS_MAX	10000000u
#define QUEUE_MAXLEN_MAX 1048576u
#define IFNAME_MAX	15	/* IFNAMSIZ - 1 */

enum key_type {
	KT_MODE = 1,
	KT_PATHS,
	KT_PATH,
	KT_UINT,
	KT_BOOL,
	KT_IFNAMES,
	KT_PORTS,
	KT_MARK,
	KT_EVE_TYPES,
	KT_CHOICE,		/* one of .choices, stored as its index in a uint8_t */
	KT_TOKEN,		/* an HTTP field name, into a char[VP_CONFIG_TOKEN_MAX + 1] */
};

struct key {
	const char *name;
	enum key_type type;
	size_t off;		/* field in struct vp_config */
	size_t count_off;	/* KT_PATHS, KT_IFNAMES: its size_t count */
	size_t width;		/* KT_UINT: sizeof the field (2 or 4) */
	uint32_t min, max;	/* KT_UINT: range; lists: most values */
	const char *const *choices;	/* KT_CHOICE: the values, NULL-terminated */
	const char *expect;		/* KT_CHOICE: how an error names them */
};

static const char *const xff_modes[] = { "off", "extra-data", "overwrite", NULL };
static const char *const xff_deployments[] = { "reverse", "forward", NULL };

#define FIELD(f) offsetof(struct vp_config, f)
#define UINT_KEY(n, f, lo, hi) \
	{ .name = n, .type = KT_UINT, .off = FIELD(f), \
	  .width = sizeof(((struct vp_config *)0)->f), .min = lo, .max = hi }

static const struct key keys[] = {
	{ .name = "mode", .type = KT_MODE, .off = FIELD(mode) },
	{ .name = "rules", .type = KT_PATHS, .off = FIELD(rules), .count_off = FIELD(n_rules),
	  .max = LIST_MAX },
	{ .name = "eve", .type = KT_PATH, .off = FIELD(eve) },
	{ .name = "eve_types", .type = KT_EVE_TYPES, .off = FIELD(eve_types),
	  .max = 16 },
	{ .name = "classification_file", .type = KT_PATH, .off = FIELD(classification) },
	UINT_KEY("queue", queue, 0, 65535),
	UINT_KEY("threads", threads, 1, 64),
	UINT_KEY("queue_maxlen", queue_maxlen, 1, QUEUE_MAXLEN_MAX),
	{ .name = "fail_open", .type = KT_BOOL, .off = FIELD(fail_open) },
	UINT_KEY("max_tcp_flows", max_tcp_flows, 1, FLOWS_MAX),
	UINT_KEY("max_udp_flows", max_udp_flows, 1, FLOWS_MAX),
	{ .name = "nft_loopback", .type = KT_BOOL, .off = FIELD(nft_loopback) },
	{ .name = "nft_interfaces", .type = KT_IFNAMES, .off = FIELD(nft_interfaces),
	  .count_off = FIELD(n_nft_interfaces), .max = VP_NFT_MAX_IFACES },
	{ .name = "nft_ports", .type = KT_PORTS, .off = FIELD(nft_ports), .max = VP_NFT_MAX_PORTS },
	{ .name = "nft_mark", .type = KT_MARK, .off = FIELD(nft_mark) },
	{ .name = "reset_blocked", .type = KT_BOOL, .off = FIELD(reset_blocked) },
	{ .name = "checksum_checks", .type = KT_BOOL, .off = FIELD(checksum_checks) },
	{ .name = "midstream", .type = KT_BOOL, .off = FIELD(midstream) },
	UINT_KEY("uri_max_slashes", uri_max_slashes, 1, 65535),
	UINT_KEY("stream_memcap", stream_memcap_mb, 1, 65536),
	UINT_KEY("stream_depth", stream_depth_kb, 0, 1048576),
	UINT_KEY("http_memcap", http_memcap_mb, 1, 65536),
	UINT_KEY("http_body_depth", http_body_depth_kb, 1, 262144),
	UINT_KEY("http_decompress_layers", http_decompress_layers, 1, 8),
	UINT_KEY("detect_port_groups", detect_port_groups, 1, 255),
	UINT_KEY("pcre_match_limit", pcre_match_limit, 1, 100000000),
	UINT_KEY("pcre_depth_limit", pcre_depth_limit, 1, 100000000),
	UINT_KEY("pcre_heap_limit", pcre_heap_limit_kb, 1, 1048576),
	UINT_KEY("threshold_entries", threshold_entries, 1, 16777216),
	{ .name = "xff", .type = KT_CHOICE, .off = FIELD(xff_mode), .choices = xff_modes,
	  .expect = "off, extra-data or overwrite" },
	{ .name = "xff_deployment", .type = KT_CHOICE, .off = FIELD(xff_deployment),
	  .choices = xff_deployments, .expect = "reverse or forward" },
	{ .name = "xff_header", .type = KT_TOKEN, .off = FIELD(xff_header) },
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

/* Default rule variables: the contract's HOME_NET / EXTERNAL_NET / HTTP_PORTS,
 * and the rest of Suricata's default suricata.yaml "vars" so that published
 * rule files referring to them load unchanged. */
static const char *const default_vars[][2] = {
	{ "HOME_NET", "[10.0.0.0/8,172.16.0.0/12,192.168.0.0/16]" },
	{ "EXTERNAL_NET", "any" },
	{ "HTTP_SERVERS", "$HOME_NET" },
	{ "SMTP_SERVERS", "$HOME_NET" },
	{ "SQL_SERVERS", "$HOME_NET" },
	{ "DNS_SERVERS", "$HOME_NET" },
	{ "TELNET_SERVERS", "$HOME_NET" },
	{ "AIM_SERVERS", "$EXTERNAL_NET" },
	{ "DC_SERVERS", "$HOME_NET" },
	{ "DNP3_SERVER", "$HOME_NET" },
	{ "DNP3_CLIENT", "$HOME_NET" },
	{ "MODBUS_CLIENT", "$HOME_NET" },
	{ "MODBUS_SERVER", "$HOME_NET" },
	{ "ENIP_CLIENT", "$HOME_NET" },
	{ "ENIP_SERVER", "$HOME_NET" },
	{ "HTTP_PORTS", "[80,8080]" },
	{ "SHELLCODE_PORTS", "!80" },
	{ "ORACLE_PORTS", "1521" },
	{ "SSH_PORTS", "22" },
	{ "DNP3_PORTS", "20000" },
	{ "MODBUS_PORTS", "502" },
	{ "FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]" },
	{ "FTP_PORTS", "21" },
	{ "GENEVE_PORTS", "6081" },
	{ "VXLAN_PORTS", "4789" },
	{ "TEREDO_PORTS", "3544" },
};

/* Key suffixes that make a key a rule variable; all but "_ports" name addresses. */
static const char *const var_suffixes[] = {
	"_net", "_servers", "_server", "_client", "_ports",
};

/* The right-hand side of one line: <raw> points into loader.buf, <items> into loader.scratch. */
struct value {
	char *raw;		/* comment stripped, trimmed */
	bool is_list;
	size_t n;
	char *items[LIST_MAX];	/* unquoted; a scalar is items[0] */
};

struct loader {
	struct vp_config *cfg;
	const char *file;
	unsigned line;
	vp_config_err_fn fn;
	void *ctx;
	int problems;
	unsigned key_line[N_KEYS];		/* where each key was set in this file */
	unsigned violation_line[VP_BUILTIN_COUNT];
	size_t n_seen;
	char seen_name[VARS_MAX][VAR_NAME_MAX + 1];
	unsigned seen_line[VARS_MAX];
	char buf[LINE_MAX_BYTES + 2];		/* the line being parsed */
	char scratch[LINE_MAX_BYTES + 1];	/* its value, unquoted / split */
	char norm[LINE_MAX_BYTES + 1];		/* a variable value, normalised */
};

static void report(struct loader *ld, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void report(struct loader *ld, const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;

	ld->problems++;
	if (!ld->fn || ld->problems > PROBLEMS_MAX + 1)
		return;
	if (ld->problems == PROBLEMS_MAX + 1) {
		ld->fn(ld->ctx, ld->file, ld->line, "too many problems, giving up");
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ld->fn(ld->ctx, ld->file, ld->line, msg);
}

/* Copies at most SHOW_MAX bytes of <s> to <out> without cutting a UTF-8
 * sequence; "..." marks a cut. */
static const char *show(const char *s, char out[SHOW_MAX + 4])
{
	size_t n = strlen(s);

	if (n <= SHOW_MAX) {
		memcpy(out, s, n + 1);
		return out;
	}
	n = SHOW_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(out, s, n);
	memcpy(out + n, "...", 4);
	return out;
}

static void bad_value(struct loader *ld, const char *key, const char *val, const char *expected)
{
	char buf[SHOW_MAX + 4];

	report(ld, "bad value for '%s': '%s' (expected %s)", key, show(val, buf), expected);
}

static void free_strv(char **v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* A copy of the <n> strings of <src>, or NULL with *ok false on ENOMEM (NULL, *ok true
 * for n == 0). */
static char **dup_strv(char *const *src, size_t n, bool *ok)
{
	char **v;
	size_t i;

	*ok = true;
	if (n == 0)
		return NULL;
	v = calloc(n, sizeof(*v));
	if (!v)
		goto err;
	for (i = 0; i < n; i++) {
		v[i] = strdup(src[i]);
		if (!v[i])
			goto err;
	}
	return v;
err:
	free_strv(v, n);
	*ok = false;
	return NULL;
}

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > 64 ? 64 : (unsigned)n;
}

static int set_default_strings(struct vp_config *cfg)
{
	size_t i;

	if (vp_config_add_rules(cfg, "/usr/share/vpatch/signatures", false) < 0 ||
	    vp_config_add_rules(cfg, "/etc/vpatch/rules.d", true) < 0)
		return -ENOMEM;
	cfg->eve = strdup("/var/log/vpatch/eve.json");
	cfg->classification = strdup("/etc/vpatch/classification.config");
	cfg->vars = vp_vars_new();
	if (!cfg->eve || !cfg->classification || !cfg->vars)
		return -ENOMEM;
	for (i = 0; i < sizeof(default_vars) / sizeof(default_vars[0]); i++)
		if (vp_vars_set(cfg->vars, default_vars[i][0], default_vars[i][1]) < 0)
			return -ENOMEM;
	return 0;
}

/* Fills <cfg> (whose previous content is ignored) with the built-in defaults.
 * 0, or -ENOMEM with <cfg> empty (vp_config_free() is then a no-op).
 * The caller owns <cfg>'s allocations until vp_config_free().  Control thread. */
int vp_config_init(struct vp_config *cfg)
{
	int i, ret;

	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = VP_MODE_PREVENT;
	cfg->queue = 0;
	cfg->threads = online_cpus();
	cfg->queue_maxlen = 4096;
	cfg->fail_open = true;
	cfg->max_tcp_flows = 100000;
	cfg->max_udp_flows = 100000;
	cfg->nft_loopback = false;
	cfg->nft_mark = 0x7670;
	cfg->reset_blocked = true;
	cfg->checksum_checks = true;
	cfg->midstream = true;
	cfg->eve_types = VP_EVE_ALERT;
	cfg->uri_max_slashes = 100;
	cfg->stream_memcap_mb = 32;
	cfg->stream_depth_kb = 1024;
	cfg->http_memcap_mb = 64;
	cfg->http_body_depth_kb = 64;
	cfg->http_decompress_layers = 2;
	cfg->detect_port_groups = 8;
	cfg->pcre_match_limit = 3500;
	cfg->pcre_depth_limit = 1500;
	cfg->pcre_heap_limit_kb = 4096;
	cfg->threshold_entries = 16384;
	cfg->xff_mode = VP_XFF_OFF;
	cfg->xff_deployment = VP_XFF_REVERSE;
	snprintf(cfg->xff_header, sizeof(cfg->xff_header), "X-Forwarded-For");
	for (i = 0; i < VP_BUILTIN_COUNT; i++)
		cfg->violation[i] = vp_builtin_info(i)->def;
	ret = set_default_strings(cfg);
	if (ret < 0)
		vp_config_free(cfg);
	return ret;
}

/* Frees what <cfg> owns and zeroes it; NULL-safe, idempotent.  Control thread. */
void vp_config_free(struct vp_config *cfg)
{
	if (!cfg)
		return;
	free_strv(cfg->rules, cfg->n_rules);
	free(cfg->eve);
	free(cfg->classification);
	free_strv(cfg->nft_interfaces, cfg->n_nft_interfaces);
	free(cfg->nft_ports);
	vp_vars_free(cfg->vars);
	memset(cfg, 0, sizeof(*cfg));
}

/* Accepts exactly "detect" or "prevent"; returns the enum vp_mode or -1.  Any thread. */
int vp_mode_parse(const char *s)
{
	if (!s)
		return -1;
	if (strcmp(s, "detect") == 0)
		return VP_MODE_DETECT;
	if (strcmp(s, "prevent") == 0)
		return VP_MODE_PREVENT;
	return -1;
}

/* "detect", "prevent", or "unknown" for a value outside the enum.  Static string.  Any thread. */
const char *vp_mode_name(enum vp_mode m)
{
	switch (m) {
	case VP_MODE_DETECT:
		return "detect";
	case VP_MODE_PREVENT:
		return "prevent";
	}
	return "unknown";
}

/* Replaces cfg->rules with the single entry <path> (a copy), or appends it when <append>.
 * 0, -EINVAL for a NULL or empty path, -ENOMEM (<cfg> unchanged).  Control thread. */
int vp_config_add_rules(struct vp_config *cfg, const char *path, bool append)
{
	char *copy, **v;

	if (!path || !*path)
		return -EINVAL;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	if (!append) {
		free_strv(cfg->rules, cfg->n_rules);
		cfg->rules = NULL;
		cfg->n_rules = 0;
	}
	v = realloc(cfg->rules, (cfg->n_rules + 1) * sizeof(*v));
	if (!v) {
		free(copy);
		return -ENOMEM;
	}
	v[cfg->n_rules++] = copy;
	cfg->rules = v;
	return 0;
}

/* ---- text checks ---- */

/* Reports the first NUL, control character or invalid UTF-8 of the line; true if clean. */
static bool check_text(struct loader *ld, const char *line, size_t len)
{
	const unsigned char *s = (const unsigned char *)line;
	size_t i = 0, n;

	while (i < len) {
		if (s[i] == 0) {
			report(ld, "NUL byte at column %zu (not a text file?)", i + 1);
			return false;
		}
		if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f) {
			report(ld, "control character 0x%02x at column %zu", s[i], i + 1);
			return false;
		}
		n = vp_utf8_seq_len(s + i, len - i);
		if (n == 0) {
			report(ld, "not valid UTF-8 text (byte 0x%02x at column %zu)", s[i], i + 1);
			return false;
		}
		i += n;
	}
	return true;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static char *trim(char *s)
{
	size_t n;

	while (is_ws(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_ws(s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* ---- value syntax ---- */

/* Cuts <s> at a comment ('#' at the start or after whitespace, outside quotes).
 * -1 for an unterminated quoted string. */
static int strip_comment(char *s)
{
	bool quoted = false;
	size_t i;

	for (i = 0; s[i]; i++) {
		if (quoted) {
			if (s[i] == '\\' && (s[i + 1] == '"' || s[i + 1] == '\\'))
				i++;
			else if (s[i] == '"')
				quoted = false;
		} else if (s[i] == '"') {
			quoted = true;
		} else if (s[i] == '#' && (i == 0 || is_ws(s[i - 1]))) {
			s[i] = '\0';
			break;
		}
	}
	return quoted ? -1 : 0;
}

/* Unquotes in place the string whose opening '"' is at <*p> (strip_comment() has checked
 * that it is closed); <*p> is left after the closing quote.  Returns the content, which
 * starts where the opening quote was and always ends before <*p>. */
static char *unquote(char **p)
{
	char *s = *p + 1, *out = *p, *start = *p;

	while (*s && *s != '"') {
		if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
			s++;
		*out++ = *s++;
	}
	*p = *s ? s + 1 : s;
	*out = '\0';
	return start;
}

/* Parses one list element at <*p>: a quoted string or bare text up to ',' or ']'.
 * <*sep> gets the separator that ended it, <*p> points past it.  NULL (reported) if bad. */
static char *list_item(struct loader *ld, const char *key, char **p, char *sep)
{
	char *s = *p, *item, *end;
	bool quoted;

	while (is_ws(*s))
		s++;
	quoted = *s == '"';
	if (quoted) {
		item = unquote(&s);
		while (is_ws(*s))
			s++;
		end = s;
	} else {
		item = s;
		s += strcspn(s, ",]\"[");
		end = s;
		while (end > item && is_ws(end[-1]))
			end--;
	}
	*sep = *s;
	if (*sep == '\0') {
		report(ld, "unterminated list for '%s' (missing ']')", key);
		return NULL;
	}
	if (*sep != ',' && *sep != ']') {
		report(ld, "unexpected '%c' in the list of '%s'", *sep, key);
		return NULL;
	}
	if (quoted ? item[0] == '\0' : end == item) {
		report(ld, "empty value in the list of '%s'", key);
		return NULL;
	}
	*end = '\0';
	*p = s + 1;
	return item;
}

/* Parses the list text after '[' into <v>. 0 or -1 (reported). */
static int parse_list(struct loader *ld, const char *key, char *s, struct value *v)
{
	char *item, sep = ']';

	v->is_list = true;
	while (is_ws(*s))
		s++;
	if (*s == ']') {
		s++;
		goto close;
	}
	do {
		item = list_item(ld, key, &s, &sep);
		if (!item)
			return -1;
		if (v->n == LIST_MAX) {
			report(ld, "too many values for '%s' (at most %d)", key, LIST_MAX);
			return -1;
		}
		v->items[v->n++] = item;
	} while (sep == ',');
close:
	while (is_ws(*s))
		s++;
	if (*s) {
		report(ld, "unexpected text after ']' in the value of '%s'", key);
		return -1;
	}
	return 0;
}

/* Splits <v->raw> (trimmed, comment-free, kept intact) into a scalar or a list, working on
 * a copy in ld->scratch. 0 or -1 (reported). */
static int parse_value(struct loader *ld, const char *key, struct value *v)
{
	char *s = ld->scratch;

	v->n = 0;
	v->is_list = false;
	if (!v->raw[0]) {
		report(ld, "missing value for '%s'", key);
		return -1;
	}
	memcpy(ld->scratch, v->raw, strlen(v->raw) + 1);
	if (s[0] == '[')
		return parse_list(ld, key, s + 1, v);
	if (s[0] == '"') {
		v->items[v->n++] = unquote(&s);
		if (*s) {
			report(ld, "unexpected text after the quoted value of '%s'", key);
			return -1;
		}
		return 0;
	}
	if (strchr(s, '"')) {
		report(ld, "unexpected '\"' in the value of '%s' (quote the whole value)", key);
		return -1;
	}
	v->items[v->n++] = s;
	return 0;
}

/* ---- value types ---- */

/* Strict unsigned decimal, or hexadecimal after 0x when <hex>; false on junk or overflow. */
static bool parse_u32(const char *s, bool hex, uint32_t *out)
{
	uint64_t n = 0;
	unsigned base = 10, d;

	if (hex && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && isxdigit((unsigned char)*s))
			d = (unsigned)(tolower((unsigned char)*s) - 'a') + 10;
		else
			return false;
		n = n * base + d;
		if (n > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)n;
	return true;
}

/* yes/no, true/false, on/off, 1/0 in any case: 1, 0, or -1. */
static int parse_bool(const char *s)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* The kernel's dev_valid_name(), restricted to printable ASCII. */
static bool valid_ifname(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > IFNAME_MAX || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f || s[i] == '/' || s[i] == ':')
			return false;
	return true;
}

static bool valid_path(const char *s)
{
	return *s && strlen(s) <= PATH_BYTES;
}

static bool valid_port(const char *s)
{
	uint32_t n;

	return parse_u32(s, false, &n) && n >= 1 && n <= 65535;
}

/* Checks every item of <v> with <valid>; the first bad one is reported. */
static bool all_valid(struct loader *ld, const struct key *k, const struct value *v,
		      bool (*valid)(const char *), const char *expected)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		if (!valid(v->items[i])) {
			bad_value(ld, k->name, v->items[i], expected);
			return false;
		}
	}
	return true;
}

static int set_strv(struct loader *ld, const struct key *k, const struct value *v)
{
	char ***field = (char ***)((char *)ld->cfg + k->off);
	size_t *count = (size_t *)((char *)ld->cfg + k->count_off);
	char **copy;
	bool ok;

	copy = dup_strv(v->items, v->n, &ok);
	if (!ok)
		return -ENOMEM;
	free_strv(*field, *count);
	*field = copy;
	*count = v->n;
	return 0;
}

static int set_ports(struct loader *ld, const struct value *v)
{
	uint16_t *ports = NULL;
	uint32_t n;
	size_t i;

	if (v->n) {
		ports = calloc(v->n, sizeof(*ports));
		if (!ports)
			return -ENOMEM;
	}
	for (i = 0; i < v->n; i++) {
		parse_u32(v->items[i], false, &n);	/* checked by valid_port() */
		ports[i] = (uint16_t)n;
	}
	free(ld->cfg->nft_ports);
	ld->cfg->nft_ports = ports;
	ld->cfg->n_nft_ports = v->n;
	return 0;
}

static const struct {
	const char *name;
	uint32_t bit;
} eve_type_names[] = {
	{ "alert", VP_EVE_ALERT },
	{ "http", VP_EVE_HTTP },
	{ "fileinfo", VP_EVE_FILEINFO },
	{ "flow", VP_EVE_FLOW },
};

static uint32_t eve_type_bit(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(eve_type_names) / sizeof(eve_type_names[0]); i++)
		if (strcmp(s, eve_type_names[i].name) == 0)
			return eve_type_names[i].bit;
	return 0;
}

static bool valid_eve_type(const char *s)
{
	return eve_type_bit(s) != 0;
}

/* eve_types: every value must be known, or nothing changes. */
static int set_eve_types(struct loader *ld, const struct key *k, const struct value *v)
{
	uint32_t bits = 0;
	size_t i;

	if (!all_valid(ld, k, v, valid_eve_type, "alert, http, fileinfo or flow"))
		return 0;
	for (i = 0; i < v->n; i++)
		bits |= eve_type_bit(v->items[i]);
	ld->cfg->eve_types = bits;
	return 0;
}

static int set_list(struct loader *ld, const struct key *k, const struct value *v)
{
	static const char path_msg[] = "a path of at most 4095 bytes";
	static const char ifname_msg[] =
		"an interface name of 1 to 15 characters without '/', ':' or spaces";

	if (v->n > k->max) {
		report(ld, "too many values for '%s' (at most %" PRIu32 ")", k->name, k->max);
		return 0;
	}
	switch (k->type) {
	case KT_PATHS:
		if (!all_valid(ld, k, v, valid_path, path_msg))
			return 0;
		return set_strv(ld, k, v);
	case KT_IFNAMES:
		if (!all_valid(ld, k, v, valid_ifname, ifname_msg))
			return 0;
		return set_strv(ld, k, v);
	case KT_EVE_TYPES:
		return set_eve_types(ld, k, v);
	default:
		if (!all_valid(ld, k, v, valid_port, "a port from 1 to 65535"))
			return 0;
		return set_ports(ld, v);
	}
}

static void set_uint(struct loader *ld, const struct key *k, const char *s)
{
	char *field = (char *)ld->cfg + k->off;
	char expected[64];
	uint16_t v16;
	uint32_t n;

	if (!parse_u32(s, false, &n) || n < k->min || n > k->max) {
		snprintf(expected, sizeof(expected), "a number from %" PRIu32 " to %" PRIu32,
			 k->min, k->max);
		bad_value(ld, k->name, s, expected);
		return;
	}
	if (k->width == sizeof(uint16_t)) {
		v16 = (uint16_t)n;
		memcpy(field, &v16, sizeof(v16));
	} else {
		memcpy(field, &n, sizeof(n));
	}
}

static int set_path(struct loader *ld, const struct key *k, const char *s)
{
	char **field = (char **)((char *)ld->cfg + k->off);
	char *copy;

	if (!valid_path(s)) {
		bad_value(ld, k->name, s, "a path of at most 4095 bytes");
		return 0;
	}
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

static void set_choice(struct loader *ld, const struct key *k, const char *s)
{
	uint8_t *field = (uint8_t *)ld->cfg + k->off;
	unsigned i;

	for (i = 0; k->choices[i]; i++) {
		if (strcmp(s, k->choices[i]) == 0) {
			*field = (uint8_t)i;
			return;
		}
	}
	bad_value(ld, k->name, s, k->expect);
}

/* An HTTP field name (RFC 9110 token), at most VP_CONFIG_TOKEN_MAX characters. */
static void set_token(struct loader *ld, const struct key *k, const char *s)
{
	char *field = (char *)ld->cfg + k->off;
	size_t n = strlen(s);

	if (n == 0 || n > VP_CONFIG_TOKEN_MAX ||
	    strspn(s, "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz"
		      "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != n) {
		bad_value(ld, k->name, s, "an HTTP header name of at most 64 characters");
		return;
	}
	memcpy(field, s, n + 1);
}

static int set_scalar(struct loader *ld, const struct key *k, const char *s)
{
	bool *flag = (bool *)((char *)ld->cfg + k->off);
	uint32_t n;
	int b;

	switch (k->type) {
	case KT_MODE:
		b = vp_mode_parse(s);
		if (b < 0)
			bad_value(ld, k->name, s, "detect or prevent");
		else
			ld->cfg->mode = (enum vp_mode)b;
		return 0;
	case KT_BOOL:
		b = parse_bool(s);
		if (b < 0)
			bad_value(ld, k->name, s, "yes or no");
		else
			*flag = b;
		return 0;
	case KT_MARK:
		if (!parse_u32(s, true, &n) || n == 0)
			bad_value(ld, k->name, s, "a nonzero 32-bit number, decimal or 0x hexadecimal");
		else
			ld->cfg->nft_mark = n;
		return 0;
	case KT_UINT:
		set_uint(ld, k, s);
		return 0;
	case KT_CHOICE:
		set_choice(ld, k, s);
		return 0;
	case KT_TOKEN:
		set_token(ld, k, s);
		return 0;
	default:
		return set_path(ld, k, s);
	}
}

/* Applies the value of fixed key <k>. 0 (problems reported) or -ENOMEM. */
static int apply_key(struct loader *ld, const struct key *k, struct value *v)
{
	if (parse_value(ld, k->name, v) < 0)
		return 0;
	if (k->type == KT_PATHS || k->type == KT_IFNAMES || k->type == KT_PORTS ||
	    k->type == KT_EVE_TYPES)
		return set_list(ld, k, v);	/* a single value is a list of one */
	if (v->is_list) {
		report(ld, "'%s' takes a single value, not a list", k->name);
		return 0;
	}
	if (v->items[0][0] == '\0') {
		report(ld, "missing value for '%s'", k->name);
		return 0;
	}
	return set_scalar(ld, k, v->items[0]);
}

/* ---- rule variables ---- */

/* True if <key> is NAME_net, NAME_servers, NAME_server, NAME_client or NAME_ports (any case,
 * NAME starting with a letter); <name> gets the upper-cased key, <is_port> its kind. */
static bool var_key(const char *key, char name[VAR_NAME_MAX + 1], bool *is_port)
{
	size_t n = strlen(key), i, sl;

	if (n > VAR_NAME_MAX || !isalpha((unsigned char)key[0]))
		return false;
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)key[i]) && key[i] != '_')
			return false;
		name[i] = (char)toupper((unsigned char)key[i]);
	}
	name[n] = '\0';
	for (i = 0; i < sizeof(var_suffixes) / sizeof(var_suffixes[0]); i++) {
		sl = strlen(var_suffixes[i]);
		if (n > sl && strcasecmp(key + n - sl, var_suffixes[i]) == 0) {
			*is_port = strcmp(var_suffixes[i], "_ports") == 0;
			return true;
		}
	}
	return false;
}

/* Characters of one address or port token: 10.0.0.0/8, fe80::/10, 1024:2048, !$HOME_NET. */
static bool var_char(char c)
{
	return c && (isalnum((unsigned char)c) || strchr("_.:/!$-", c));
}

/* Copies <in> to <out> (as large) normalised: whitespace around '[' ']' ',' and after '!' is
 * dropped, brackets must balance.  False if <in> is not an address/port expression. */
static bool normalise_var(const char *in, char *out)
{
	char *o = out;
	int depth = 0;

	for (; *in; in++) {
		if (is_ws(*in)) {
			while (is_ws(in[1]))
				in++;
			if (o > out && var_char(o[-1]) && o[-1] != '!' && var_char(in[1]))
				return false;	/* two tokens without a comma */
			continue;
		}
		if (*in == '[' && ++depth > VAR_DEPTH_MAX)
			return false;
		if (*in == ']' && --depth < 0)
			return false;
		if (*in != '[' && *in != ']' && *in != ',' && !var_char(*in))
			return false;
		*o++ = *in;
	}
	*o = '\0';
	return depth == 0 && o > out;
}

/* Remembers that variable <name> is set on this line; false (reported) if it already was. */
static bool var_first_time(struct loader *ld, const char *key, const char *name)
{
	size_t i;

	for (i = 0; i < ld->n_seen; i++) {
		if (strcmp(ld->seen_name[i], name) == 0) {
			report(ld, "duplicate key '%s' (first set on line %u)", key, ld->seen_line[i]);
			return false;
		}
	}
	if (ld->n_seen < VARS_MAX) {
		memcpy(ld->seen_name[ld->n_seen], name, strlen(name) + 1);
		ld->seen_line[ld->n_seen++] = ld->line;
	}
	return true;
}

/* Sets rule variable <name> from the raw value text (a quoted value is unquoted first;
 * lists may nest: [10.0.0.0/8, ![10.1.0.0/16, 10.2.0.0/16]]).  0 (problems reported) or
 * -ENOMEM. */
static int apply_var(struct loader *ld, const char *key, const char *name, bool is_port,
		     const char *raw)
{
	char *text = ld->scratch, *end;

	if (!raw[0]) {
		report(ld, "missing value for '%s'", key);
		return 0;
	}
	memcpy(text, raw, strlen(raw) + 1);
	if (text[0] == '"') {
		end = text;
		text = unquote(&end);
		if (*end) {
			report(ld, "unexpected text after the quoted value of '%s'", key);
			return 0;
		}
	}
	if (!normalise_var(text, ld->norm)) {
		bad_value(ld, key, raw, is_port ?
			  "a port, a range, any, a $VARIABLE or a list of these" :
			  "an address, a CIDR block, any, a $VARIABLE or a list of these");
		return 0;
	}
	if (!vp_vars_get(ld->cfg->vars, name) && vp_vars_count(ld->cfg->vars) >= VARS_MAX) {
		report(ld, "too many rule variables (at most %d)", VARS_MAX);
		return 0;
	}
	return vp_vars_set(ld->cfg->vars, name, ld->norm);
}

/* ---- lines ---- */

static const struct key *find_key(const char *name)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

/* Whether this is the first time a key is set in the file (<where> holds the line where it
 * was); a duplicate is reported. */
static bool first_time(struct loader *ld, const char *key, unsigned *where)
{
	if (*where) {
		report(ld, "duplicate key '%s' (first set on line %u)", key, *where);
		return false;
	}
	*where = ld->line;
	return true;
}

static int apply_violation(struct loader *ld, const char *key, struct value *v)
{
	int b = vp_builtin_by_name(key + strlen("violation.")), p;

	if (b < 0) {
		report(ld, "unknown key '%s'", key);
		return 0;
	}
	if (!first_time(ld, key, &ld->violation_line[b]) || parse_value(ld, key, v) < 0)
		return 0;
	if (v->is_list) {
		report(ld, "'%s' takes a single value, not a list", key);
		return 0;
	}
	p = vp_policy_parse(v->items[0]);
	if (p < 0)
		bad_value(ld, key, v->items[0], "block, log or off");
	else
		ld->cfg->violation[b] = (enum vp_policy)p;
	return 0;
}

/* Applies "<key> = <v->raw>". 0 (problems reported) or -ENOMEM. */
static int dispatch(struct loader *ld, const char *key, struct value *v)
{
	const struct key *k = find_key(key);
	char name[VAR_NAME_MAX + 1];
	bool is_port = false;

	if (k) {
		if (!first_time(ld, key, &ld->key_line[k - keys]))
			return 0;
		return apply_key(ld, k, v);
	}
	if (strncmp(key, "violation.", strlen("violation.")) == 0)
		return apply_violation(ld, key, v);
	if (var_key(key, name, &is_port)) {
		if (!var_first_time(ld, key, name))
			return 0;
		return apply_var(ld, key, name, is_port, v->raw);
	}
	report(ld, "unknown key '%s'", key);
	return 0;
}

/* Parses the line in ld->buf (<len> bytes, NUL-terminated, no '\n'). 0 or -ENOMEM. */
static int parse_line(struct loader *ld, size_t len)
{
	char key_buf[SHOW_MAX + 4];
	struct value v;
	char *s, *eq, *key;

	if (!check_text(ld, ld->buf, len))
		return 0;
	if (strip_comment(ld->buf) < 0) {
		report(ld, "unterminated quoted string");
		return 0;
	}
	s = trim(ld->buf);
	if (!*s)
		return 0;
	eq = strchr(s, '=');
	if (!eq) {
		report(ld, "missing '='");
		return 0;
	}
	*eq = '\0';
	key = trim(s);
	if (!*key) {
		report(ld, "missing key before '='");
		return 0;
	}
	if (strlen(key) > SHOW_MAX) {
		report(ld, "unknown key '%s'", show(key, key_buf));
		return 0;
	}
	v.raw = trim(eq + 1);
	return dispatch(ld, key, &v);
}

/* Reads one line of at most LINE_MAX_BYTES into ld->buf (without '\n' or a final '\r').
 * Returns its length, -1 at end of file, -2 for a longer line (consumed up to its '\n'). */
static long read_line(struct loader *ld, FILE *f)
{
	bool too_long = false;
	size_t n = 0;
	int c;

	while ((c = getc_unlocked(f)) != EOF && c != '\n') {
		if (n < LINE_MAX_BYTES + 1)
			ld->buf[n++] = (char)c;
		else
			too_long = true;
	}
	if (c == EOF && n == 0)
		return -1;
	if (n > 0 && ld->buf[n - 1] == '\r')
		n--;
	if (too_long || n > LINE_MAX_BYTES)
		return -2;
	ld->buf[n] = '\0';
	return (long)n;
}

/* Parses every line of <f>. 0 (problems counted in ld) or -ENOMEM / -EIO. */
static int parse_stream(struct loader *ld, FILE *f)
{
	static const char bom[] = "\xef\xbb\xbf";
	long n;
	int ret = 0;

	while ((n = read_line(ld, f)) != -1) {
		ld->line++;
		if (n == -2) {
			report(ld, "line too long (more than %d bytes)", LINE_MAX_BYTES);
			continue;
		}
		if (ld->line == 1 && n >= 3 && memcmp(ld->buf, bom, 3) == 0) {
			memmove(ld->buf, ld->buf + 3, (size_t)n - 2);
			n -= 3;
		}
		ret = parse_line(ld, (size_t)n);
		if (ret < 0 || ld->problems > PROBLEMS_MAX)
			break;
	}
	if (ret == 0 && ferror(f))
		ret = -EIO;
	return ret;
}

static FILE *open_config(const char *path, int *err)
{
	struct stat st;
	FILE *f;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		*err = -errno;
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		*err = -errno;
		goto err;
	}
	if (S_ISDIR(st.st_mode)) {
		*err = -EISDIR;
		goto err;
	}
	f = fdopen(fd, "r");
	if (!f) {
		*err = -errno;
		goto err;
	}
	return f;
err:
	close(fd);
	return NULL;
}

static void report_errno(struct loader *ld, int err)
{
	char msg[MSG_MAX];

	if (!ld->fn)
		return;
	snprintf(msg, sizeof(msg), "cannot read the configuration: %s", strerror(-err));
	ld->fn(ld->ctx, ld->file, ld->line, msg);
}

/* Reads <path> over the values in <cfg>: each line applies on its own; a line with a problem
 * leaves its key unchanged.  Every problem goes to <fn> (may be NULL) with its line (0 for the
 * file itself); after PROBLEMS_MAX problems the rest of the file is skipped.  Returns the
 * number of problems, or -errno when the file cannot be read or memory runs out (reported too;
 * <cfg> stays valid).  With <missing_ok> an absent file returns 0 silently.
 * Control thread only. */
int vp_config_load(struct vp_config *cfg, const char *path, bool missing_ok,
		   vp_config_err_fn fn, void *ctx)
{
	struct loader *ld;
	FILE *f;
	int ret = 0;

	ld = calloc(1, sizeof(*ld));
	if (!ld)
		return -ENOMEM;
	ld->cfg = cfg;
	ld->file = path;
	ld->fn = fn;
	ld->ctx = ctx;
	f = open_config(path, &ret);
	if (!f) {
		if (ret == -ENOENT && missing_ok)
			ret = 0;
		else
			report_errno(ld, ret);
		goto out;
	}
	ret = parse_stream(ld, f);
	if (ret < 0) {
		ld->line = 0;
		report_errno(ld, ret);
	} else {
		ret = ld->problems > PROBLEMS_MAX ? PROBLEMS_MAX + 1 : ld->problems;
	}
	fclose(f);
out:
	free(ld);
	return ret;
}
