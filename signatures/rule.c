/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signatures/rule.h"

/* Helpers of the keyword parsers; control thread only. */

void vp_rule_errf(struct vp_pctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
}

/* "<what> '<text>'", the text clipped to VP_RULE_MAX_QUOTE characters; returns -EINVAL. */
int vp_rule_err_text(struct vp_pctx *c, const char *what, const char *s, size_t len)
{
	int n = len > VP_RULE_MAX_QUOTE ? VP_RULE_MAX_QUOTE : (int)len;

	vp_rule_errf(c, "%s '%.*s%s'", what, n, s, len > VP_RULE_MAX_QUOTE ? "..." : "");
	return -EINVAL;
}

int vp_rule_oom(struct vp_pctx *c)
{
	vp_rule_errf(c, "out of memory");
	return -ENOMEM;
}

void vp_rule_trim(const char **s, size_t *len)
{
	while (*len && isspace((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

/* Decimal uint32 (no sign, no blanks); false if not one. */
bool vp_rule_parse_u32(const char *s, uint32_t *out)
{
	int64_t v;

	if (!isdigit((unsigned char)*s) || !vp_rule_parse_int(s, 0, UINT32_MAX, false, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

bool vp_rule_parse_int(const char *s, int64_t min, int64_t max, bool hex, int64_t *out)
{
	bool neg = false;
	uint64_t v = 0, lim;
	unsigned base = 10;
	int d;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (hex && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2]) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *s; s++) {
		if (isdigit((unsigned char)*s))
			d = *s - '0';
		else if (base == 16 && isxdigit((unsigned char)*s))
			d = tolower((unsigned char)*s) - 'a' + 10;
		else
			return false;
		if (v > (lim - (uint64_t)d) / base)
			return false;
		v = v * base + (uint64_t)d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return *out >= min && *out <= max;
}

/* An unsigned integer-keyword value: decimal or 0x hex, optional kb/mb/gb unit. */
static bool cmp_value(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	static const struct { const char *sfx; uint64_t mul; } units[] = {
		{ "kib", 1024 }, { "kb", 1024 }, { "mib", 1048576 }, { "mb", 1048576 },
		{ "gib", 1073741824 }, { "gb", 1073741824 },
	};
	uint64_t mul = 1;
	char buf[32];
	int64_t v;
	size_t i, sl;

	vp_rule_trim(&s, &len);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		sl = strlen(units[i].sfx);
		if (len > sl && strncasecmp(s + len - sl, units[i].sfx, sl) == 0) {
			mul = units[i].mul;
			len -= sl;
			break;
		}
	}
	if (len == 0 || len >= sizeof(buf) || !isdigit((unsigned char)s[0]))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (!vp_rule_parse_int(buf, 0, INT64_MAX, true, &v) || (uint64_t)v > max / mul)
		return false;
	*out = (uint64_t)v * mul;
	return true;
}

/* "&mask=v", "&mask!=v" */
static bool parse_mask(const char *s, uint64_t max, struct vp_cmp *out)
{
	const char *eq = strchr(s, '=');
	bool ne;

	if (!eq || eq == s + 1)
		return false;
	ne = eq[-1] == '!';
	out->op = ne ? VP_CMP_MASK_NE : VP_CMP_MASK_EQ;
	return cmp_value(s + 1, (size_t)(eq - s - 1 - ne), max, &out->a) &&
	       cmp_value(eq + 1, strlen(eq + 1), max, &out->b);
}

/* "a-b", "a<>b" (exclusive), negated when <neg>. */
static bool parse_range(const char *s, const char *sep, size_t slen, uint64_t max, bool neg,
			struct vp_cmp *out)
{
	if (!cmp_value(s, (size_t)(sep - s), max, &out->a) ||
	    !cmp_value(sep + slen, strlen(sep + slen), max, &out->b) || out->a >= out->b)
		return false;
	out->op = neg ? VP_CMP_NRANGE : VP_CMP_RANGE;
	return true;
}

bool vp_rule_parse_cmp(const char *s, uint64_t max, struct vp_cmp *out)
{
	const char *sep;
	size_t len = strlen(s);
	bool neg = false;

	vp_rule_trim(&s, &len);
	if (len == 0 || memchr(s, '\0', len))
		return false;
	if (s[0] == '&')
		return parse_mask(s, max, out);
	if ((sep = strstr(s, "<>")) && sep > s)
		return parse_range(s, sep, 2, max, false, out);
	if (s[0] == '!' && s[1] != '=') {
		neg = true;
		s++;
		len--;
		sep = memchr(s, '-', len);
		if (sep && sep > s)
			return parse_range(s, sep, 1, max, true, out);
		out->op = VP_CMP_NE;
		return cmp_value(s, len, max, &out->a);
	}
	sep = memchr(s, '-', len);
	if (sep && sep > s && isdigit((unsigned char)s[0]))
		return parse_range(s, sep, 1, max, false, out);
	if (s[0] == '<' || s[0] == '>') {
		bool eq = s[1] == '=';

		out->op = s[0] == '<' ? (eq ? VP_CMP_LE : VP_CMP_LT) : (eq ? VP_CMP_GE : VP_CMP_GT);
		return cmp_value(s + 1 + eq, len - 1 - eq, max, &out->a);
	}
	if (s[0] == '!' || s[0] == '=') {
		bool ne = s[0] == '!';

		out->op = ne ? VP_CMP_NE : VP_CMP_EQ;
		return cmp_value(s + 1 + ne, len - 1 - ne, max, &out->a);
	}
	(void)neg;
	out->op = VP_CMP_EQ;
	return cmp_value(s, len, max, &out->a);
}

/*
 * Position of the closing quote of the string opening at s[0] == '"' (a
 * backslash escapes the next character), or -1 if unterminated.
 */
long vp_rule_close_quote(const char *s, size_t len)
{
	size_t i;

	for (i = 1; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return (long)i;
	}
	return -1;
}

/*
 * Copies s[0..len) into a new string, turning \" \; \\ \: into the plain
 * character and keeping other backslashes as written.
 */
char *vp_rule_unescape_dup(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len && strchr("\";\\:", s[i + 1]))
			i++;
		*o++ = s[i];
	}
	*o = '\0';
	return out;
}

/*
 * A keyword value that may be quoted: "text" (escapes resolved) or bare text.
 * Sets *out (owned by the caller) or returns -EINVAL naming <kw>.
 */
int vp_rule_value_text(struct vp_pctx *c, const char *kw, const char *v, char **out)
{
	size_t len = strlen(v);
	long q;

	if (v[0] == '"') {
		q = vp_rule_close_quote(v, len);
		if (q < 0) {
			vp_rule_errf(c, "unterminated string in %s", kw);
			return -EINVAL;
		}
		if ((size_t)q != len - 1) {
			vp_rule_errf(c, "unexpected text after %s string: '%.*s'", kw,
				     VP_RULE_MAX_QUOTE, v + q + 1);
			return -EINVAL;
		}
		*out = vp_rule_unescape_dup(v + 1, (size_t)q - 1);
	} else {
		*out = vp_rule_unescape_dup(v, len);
	}
	return *out ? 0 : vp_rule_oom(c);
}

int vp_rule_split(struct vp_pctx *c, const char *kw, const char *v, char *buf, size_t blen,
		  char **argv, size_t max, size_t *argc)
{
	size_t len = strlen(v), n = 0, il;
	char *s, *item, *end;

	if (len >= blen)
		return vp_rule_err_text(c, kw, v, len);
	memcpy(buf, v, len + 1);
	for (s = buf;; s = end + 1) {
		end = strchr(s, ',');
		if (end)
			*end = '\0';
		item = s;
		il = strlen(item);
		vp_rule_trim((const char **)&item, &il);
		item[il] = '\0';
		if (n == max) {
			vp_rule_errf(c, "too many %s options '%.*s'", kw, VP_RULE_MAX_QUOTE, v);
			return -EINVAL;
		}
		argv[n++] = item;
		if (!end)
			break;
	}
	*argc = n;
	return 0;
}

int vp_rule_num(struct vp_pctx *c, const char *kw, const char *s, int64_t min, int64_t max,
		int list, struct vp_num *out)
{
	const struct vp_rule *r = c->rule;
	unsigned i;

	out->var = -1;
	if (vp_rule_parse_int(s, min, max, false, &out->v))
		return 0;
	if (isalpha((unsigned char)s[0]) || s[0] == '_') {
		for (i = 0; i < r->nvars; i++) {
			if (strcmp(r->varname[i], s) != 0)
				continue;
			if (list >= 0 && r->var_list[i] != list) {
				vp_rule_errf(c, "byte_extract variable '%.64s' used in another "
					     "buffer", s);
				return -EINVAL;
			}
			out->var = (int8_t)i;
			out->v = 0;
			return 0;
		}
		vp_rule_errf(c, "unknown variable '%.64s' in %s", s, kw);
		return -EINVAL;
	}
	vp_rule_errf(c, "bad %s '%.*s'", kw, VP_RULE_MAX_QUOTE, s);
	return -EINVAL;
}

struct vp_list *vp_rule_list(struct vp_rule *r, int buf)
{
	unsigned i;

	for (i = 0; i < r->nlists; i++)
		if (r->lists[i].buf == buf)
			return &r->lists[i];
	return NULL;
}

static struct vp_list *list_get(struct vp_pctx *c, int buf)
{
	struct vp_rule *r = c->rule;
	struct vp_list *l = vp_rule_list(r, buf), *nl;

	if (l)
		return l;
	nl = realloc(r->lists, (r->nlists + 1u) * sizeof(*nl));
	if (!nl)
		return NULL;
	r->lists = nl;
	l = &nl[r->nlists++];
	memset(l, 0, sizeof(*l));
	l->buf = (uint8_t)buf;
	r->bufmask |= 1ull << buf;
	return l;
}

int vp_rule_add_elem(struct vp_pctx *c, int buf, uint8_t kind, struct vp_elem **out)
{
	struct vp_elem *ne;
	struct vp_list *l;
	unsigned na;

	if (c->nelems == VP_RULE_MAX_ELEMS) {
		vp_rule_errf(c, "too many payload keywords (max %d)", VP_RULE_MAX_ELEMS);
		return -EINVAL;
	}
	l = list_get(c, buf);
	if (!l)
		return vp_rule_oom(c);
	if (l->n == l->alloc) {
		na = l->alloc ? l->alloc * 2u : 4u;
		ne = realloc(l->e, na * sizeof(*ne));
		if (!ne)
			return vp_rule_oom(c);
		l->e = ne;
		l->alloc = (uint16_t)na;
	}
	ne = &l->e[l->n++];
	memset(ne, 0, sizeof(*ne));
	ne->kind = kind;
	c->nelems++;
	*out = ne;
	return 0;
}

int vp_rule_cur_buf(const struct vp_pctx *c)
{
	return c->sticky >= 0 ? c->sticky : VP_BUF_PACKET;
}

struct vp_content *vp_rule_mod_target(struct vp_pctx *c, const char *kw)
{
	struct vp_list *l;

	if (c->ct_list >= 0) {
		l = &c->rule->lists[c->ct_list];
		if (c->sticky < 0 || l->buf == c->sticky)
			return &l->e[c->ct_elem].u.c;
	}
	vp_rule_errf(c, "%s needs a preceding content", kw);
	return NULL;
}

const char *vp_rule_buffer_name(int buf)
{
	static const char *const names[VP_BUF_COUNT] = {
		[VP_BUF_PACKET] = "pkt_data",
		[VP_BUF_STREAM] = "stream",
		[VP_BUF_HTTP_METHOD] = "http.method",
		[VP_BUF_HTTP_URI] = "http.uri",
		[VP_BUF_HTTP_URI_RAW] = "http.uri.raw",
		[VP_BUF_HTTP_REQUEST_LINE] = "http.request_line",
		[VP_BUF_HTTP_PROTOCOL] = "http.protocol",
		[VP_BUF_HTTP_HOST] = "http.host",
		[VP_BUF_HTTP_HOST_RAW] = "http.host.raw",
		[VP_BUF_HTTP_USER_AGENT] = "http.user_agent",
		[VP_BUF_HTTP_COOKIE] = "http.cookie",
		[VP_BUF_HTTP_REFERER] = "http.referer",
		[VP_BUF_HTTP_CONTENT_TYPE] = "http.content_type",
		[VP_BUF_HTTP_CONTENT_LEN] = "http.content_len",
		[VP_BUF_HTTP_ACCEPT] = "http.accept",
		[VP_BUF_HTTP_ACCEPT_ENC] = "http.accept_enc",
		[VP_BUF_HTTP_ACCEPT_LANG] = "http.accept_lang",
		[VP_BUF_HTTP_CONNECTION] = "http.connection",
		[VP_BUF_HTTP_REQUEST_BODY] = "http.request_body",
		[VP_BUF_HTTP_STAT_CODE] = "http.stat_code",
		[VP_BUF_HTTP_STAT_MSG] = "http.stat_msg",
		[VP_BUF_HTTP_RESPONSE_LINE] = "http.response_line",
		[VP_BUF_HTTP_RESPONSE_BODY] = "http.response_body",
		[VP_BUF_HTTP_SERVER] = "http.server",
		[VP_BUF_HTTP_LOCATION] = "http.location",
		[VP_BUF_HTTP_HEADER] = "http.header",
		[VP_BUF_HTTP_HEADER_RAW] = "http.header.raw",
		[VP_BUF_HTTP_HEADER_NAMES] = "http.header_names",
		[VP_BUF_HTTP_START] = "http.start",
		[VP_BUF_FILE_DATA] = "file.data",
	};

	return buf >= 0 && buf < VP_BUF_COUNT && names[buf] ? names[buf] : "?";
}

static void elem_free(struct vp_elem *e)
{
	if (e->kind == VP_EL_CONTENT) {
		free(e->u.c.pat);
		free(e->u.c.skip);
	} else if (e->kind == VP_EL_PCRE) {
		pcre2_code_free(e->u.re.re);
	}
}

void vp_rule_free(struct vp_rule *r)
{
	unsigned i, j;

	if (!r)
		return;
	vp_netaddr_free(r->src);
	vp_netaddr_free(r->dst);
	vp_netaddr_free(r->sport);
	vp_netaddr_free(r->dport);
	for (i = 0; i < r->nlists; i++) {
		for (j = 0; j < r->lists[i].n; j++)
			elem_free(&r->lists[i].e[j]);
		free(r->lists[i].e);
	}
	free(r->lists);
	for (i = 0; i < r->nfb; i++)
		for (j = 0; j < r->fb[i].n; j++)
			free(r->fb[i].name[j]);
	free(r->fb);
	for (i = 0; i < r->nvars; i++)
		free(r->varname[i]);
	for (i = 0; i < r->nrefs; i++)
		free(r->refs[i]);
	free(r->refs);
	free(r);
}
