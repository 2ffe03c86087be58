/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signatures/classtype.h"
#include "signatures/rule_parse.h"

#define MAX_QUOTE 80		/* characters of offending text quoted in a message */
#define DEFAULT_PRIORITY 3

struct meta_pair {
	char *key;
	char *val;
};

/* Everything one parse needs; the keyword handlers fill sig and rule. */
struct pctx {
	struct vp_sig *sig;
	struct vp_rule *rule;
	const struct vp_vars *vars;
	char *err;
	size_t errlen;
	uint32_t seen;			/* bit per keyword-table entry: once-only keywords */
	bool have_sid, have_prio;
	int class_prio;
	size_t aelems;
	struct meta_pair *meta;
	size_t nmeta, ameta;
};

static void errf(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void errf(struct pctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
}

/* "<what> '<text>'", the text clipped to MAX_QUOTE characters. */
static int err_text(struct pctx *c, const char *what, const char *s, size_t len)
{
	int n = len > MAX_QUOTE ? MAX_QUOTE : (int)len;

	errf(c, "%s '%.*s%s'", what, n, s, len > MAX_QUOTE ? "..." : "");
	return -EINVAL;
}

static int oom(struct pctx *c)
{
	errf(c, "out of memory");
	return -ENOMEM;
}

/* ---- growable text with a hard maximum (metadata JSON) ---- */

struct sbuf {
	char *p;
	size_t len, cap;
	bool fail;
};

#define SBUF_MAX (8 * VP_RULE_MAX_LEN)

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	size_t ncap;
	char *np;

	if (b->fail)
		return;
	if (b->len + n + 1 > b->cap) {
		ncap = b->cap ? b->cap : 128;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		np = ncap <= SBUF_MAX ? realloc(b->p, ncap) : NULL;
		if (!np) {
			b->fail = true;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* Appends <s> as a JSON string; bytes that are not valid UTF-8 become \u00XX. */
static void sb_json_str(struct sbuf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), l;
	char esc[8];

	sb_add(b, "\"", 1);
	while (n) {
		l = utf8_len(u, n);
		if (*u == '"' || *u == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*u;
			sb_add(b, esc, 2);
		} else if (*u < 0x20 || *u == 0x7f || l == 0) {
			snprintf(esc, sizeof(esc), "\\u%04x", *u);
			sb_add(b, esc, 6);
		} else {
			sb_add(b, (const char *)u, l);
			u += l;
			n -= l;
			continue;
		}
		u++;
		n--;
	}
	sb_add(b, "\"", 1);
}

/* ---- small text helpers ---- */

static void trim(const char **s, size_t *len)
{
	while (*len && isspace((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

/* Decimal uint32 (no sign, no blanks); false if not one. */
static bool parse_u32(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

/*
 * Position of the closing quote of the string opening at s[0] == '"' (a
 * backslash escapes the next character), or -1 if unterminated.
 */
static long close_quote(const char *s, size_t len)
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
static char *unescape_dup(const char *s, size_t len)
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
static int value_text(struct pctx *c, const char *kw, const char *v, char **out)
{
	size_t len = strlen(v);
	long q;

	if (v[0] == '"') {
		q = close_quote(v, len);
		if (q < 0) {
			errf(c, "unterminated string in %s", kw);
			return -EINVAL;
		}
		if ((size_t)q != len - 1) {
			errf(c, "unexpected text after %s string: '%.*s'", kw, MAX_QUOTE,
			     v + q + 1);
			return -EINVAL;
		}
		*out = unescape_dup(v + 1, (size_t)q - 1);
	} else {
		*out = unescape_dup(v, len);
	}
	return *out ? 0 : oom(c);
}

/* ---- metadata ---- */

static int meta_add(struct pctx *c, const char *key, size_t klen, const char *val, size_t vlen)
{
	struct meta_pair *np;
	size_t n;

	if (c->nmeta == c->ameta) {
		n = c->ameta ? c->ameta * 2 : 8;
		np = realloc(c->meta, n * sizeof(*np));
		if (!np)
			return oom(c);
		c->meta = np;
		c->ameta = n;
	}
	np = &c->meta[c->nmeta];
	np->key = strndup(key, klen);
	np->val = strndup(val, vlen);
	if (!np->key || !np->val) {
		free(np->key);
		free(np->val);
		return oom(c);
	}
	c->nmeta++;
	return 0;
}

static void meta_free(struct pctx *c)
{
	size_t i;

	for (i = 0; i < c->nmeta; i++) {
		free(c->meta[i].key);
		free(c->meta[i].val);
	}
	free(c->meta);
	c->meta = NULL;
	c->nmeta = c->ameta = 0;
}

/* {"key":["v1","v2"],...}: keys in order of first appearance, values in order. */
static int meta_json(struct pctx *c)
{
	struct sbuf b = { 0 };
	size_t i, j, k;
	bool first_val;

	if (c->nmeta == 0)
		return 0;
	sb_add(&b, "{", 1);
	for (i = 0; i < c->nmeta; i++) {
		for (k = 0; k < i; k++)
			if (strcmp(c->meta[k].key, c->meta[i].key) == 0)
				break;
		if (k < i)
			continue;	/* already written with its first appearance */
		if (i)
			sb_add(&b, ",", 1);
		sb_json_str(&b, c->meta[i].key);
		sb_add(&b, ":[", 2);
		first_val = true;
		for (j = i; j < c->nmeta; j++) {
			if (strcmp(c->meta[j].key, c->meta[i].key) != 0)
				continue;
			if (!first_val)
				sb_add(&b, ",", 1);
			sb_json_str(&b, c->meta[j].val);
			first_val = false;
		}
		sb_add(&b, "]", 1);
	}
	sb_add(&b, "}", 1);
	if (b.fail) {
		free(b.p);
		return oom(c);
	}
	c->sig->metadata_json = b.p;
	return 0;
}

/* ---- keyword handlers: each gets the value (NUL-terminated, trimmed) ---- */

static int kw_msg(struct pctx *c, const char *v)
{
	return value_text(c, "msg", v, &c->sig->msg);
}

static int kw_u32(struct pctx *c, const char *kw, const char *v, uint32_t *out, bool nonzero)
{
	if (!parse_u32(v, out) || (nonzero && *out == 0)) {
		errf(c, "bad %s '%.*s'", kw, MAX_QUOTE, v);
		return -EINVAL;
	}
	return 0;
}

static int kw_sid(struct pctx *c, const char *v)
{
	c->have_sid = true;
	return kw_u32(c, "sid", v, &c->sig->sid, true);
}

static int kw_rev(struct pctx *c, const char *v)
{
	return kw_u32(c, "rev", v, &c->sig->rev, false);
}

static int kw_gid(struct pctx *c, const char *v)
{
	return kw_u32(c, "gid", v, &c->sig->gid, true);
}

static int kw_priority(struct pctx *c, const char *v)
{
	uint32_t p;

	if (!parse_u32(v, &p) || p < 1 || p > 255) {
		errf(c, "bad priority '%.*s'", MAX_QUOTE, v);
		return -EINVAL;
	}
	c->sig->priority = (int)p;
	c->have_prio = true;
	return 0;
}

static int kw_classtype(struct pctx *c, const char *v)
{
	const struct vp_classtype *ct = vp_classtype_find(v);

	if (!ct) {
		errf(c, "unknown classtype '%.*s'", MAX_QUOTE, v);
		return -EINVAL;
	}
	c->sig->classtype = strdup(ct->name);
	c->sig->category = strdup(ct->desc);
	if (!c->sig->classtype || !c->sig->category)
		return oom(c);
	c->class_prio = ct->priority;
	return 0;
}

static int add_ref(struct pctx *c, const char *v)
{
	char **nr = realloc(c->rule->refs, (c->rule->nrefs + 1) * sizeof(*nr));

	if (!nr)
		return oom(c);
	c->rule->refs = nr;
	nr[c->rule->nrefs] = strdup(v);
	if (!nr[c->rule->nrefs])
		return oom(c);
	c->rule->nrefs++;
	return 0;
}

/* reference:type,id; a cve reference also goes to metadata "cve" as CVE-<id>. */
static int kw_reference(struct pctx *c, const char *v)
{
	const char *comma = strchr(v, ','), *type = v, *id;
	size_t tlen, ilen;
	char cve[128];
	int ret;

	if (!comma)
		return err_text(c, "bad reference", v, strlen(v));
	tlen = (size_t)(comma - v);
	id = comma + 1;
	ilen = strlen(id);
	trim(&type, &tlen);
	trim(&id, &ilen);
	if (!tlen || !ilen)
		return err_text(c, "bad reference", v, strlen(v));
	ret = add_ref(c, v);
	if (ret < 0 || tlen != 3 || strncasecmp(type, "cve", 3) != 0)
		return ret;
	if (ilen > 4 && strncasecmp(id, "cve-", 4) == 0) {
		id += 4;
		ilen -= 4;
	}
	if (ilen > sizeof(cve) - 5)
		return err_text(c, "bad reference", v, strlen(v));
	snprintf(cve, sizeof(cve), "CVE-%.*s", (int)ilen, id);
	return meta_add(c, "cve", 3, cve, strlen(cve));
}

/* One "key value" item of metadata (trimmed, not empty). */
static int meta_item(struct pctx *c, const char *s, size_t len)
{
	const char *k = s, *val;
	size_t klen = 0, vlen;
	char *u;
	long q;
	int ret;

	while (klen < len && !isspace((unsigned char)s[klen]))
		klen++;
	val = s + klen;
	vlen = len - klen;
	trim(&val, &vlen);
	if (!vlen)
		return err_text(c, "bad metadata", s, len);
	if (val[0] != '"')
		return meta_add(c, k, klen, val, vlen);
	q = close_quote(val, vlen);
	if (q < 0 || (size_t)q != vlen - 1)
		return err_text(c, "bad metadata", s, len);
	u = unescape_dup(val + 1, vlen - 2);
	if (!u)
		return oom(c);
	ret = meta_add(c, k, klen, u, strlen(u));
	free(u);
	return ret;
}

static int kw_metadata(struct pctx *c, const char *v)
{
	const char *s = v, *item;
	bool inq = false;
	size_t ilen;
	int ret;

	for (;;) {
		item = s;
		while (*s && (inq || *s != ',')) {
			if (*s == '\\' && s[1])
				s++;
			else if (*s == '"')
				inq = !inq;
			s++;
		}
		ilen = (size_t)(s - item);
		trim(&item, &ilen);
		if (ilen) {
			ret = meta_item(c, item, ilen);
			if (ret < 0)
				return ret;
		}
		if (!*s)
			return 0;
		s++;
	}
}

static int new_elem(struct pctx *c, enum vp_rule_elem_kind kind, struct vp_rule_elem **out)
{
	struct vp_rule *r = c->rule;
	struct vp_rule_elem *ne;
	size_t n;

	if (r->nelems == VP_RULE_MAX_ELEMS) {
		errf(c, "too many content/pcre keywords (max %d)", VP_RULE_MAX_ELEMS);
		return -EINVAL;
	}
	if (r->nelems == c->aelems) {
		n = c->aelems ? c->aelems * 2 : 4;
		ne = realloc(r->elems, n * sizeof(*ne));
		if (!ne)
			return oom(c);
		r->elems = ne;
		c->aelems = n;
	}
	ne = &r->elems[r->nelems++];
	memset(ne, 0, sizeof(*ne));
	ne->kind = kind;
	*out = ne;
	return 0;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* Decodes the inside of a content string (text, |hex| sections, escapes) into out. */
static int content_decode(struct pctx *c, const char *s, size_t len, uint8_t *out, size_t *olen)
{
	bool hex = false;
	int hi = -1, d;
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '|') {
			if (hex && hi >= 0)
				return err_text(c, "bad hex in content", s, len);
			hex = !hex;
		} else if (hex) {
			if (s[i] == ' ' || s[i] == '\t')
				continue;
			d = hexval((unsigned char)s[i]);
			if (d < 0)
				return err_text(c, "bad hex in content", s, len);
			if (hi < 0) {
				hi = d;
				continue;
			}
			out[n++] = (uint8_t)(hi << 4 | d);
			hi = -1;
		} else if (s[i] == '\\') {
			if (i + 1 == len || !strchr("\";\\:", s[i + 1]))
				return err_text(c, "bad escape in content", s, len);
			out[n++] = (uint8_t)s[++i];
		} else {
			out[n++] = (uint8_t)s[i];
		}
	}
	if (hex)
		return err_text(c, "unterminated hex in content", s, len);
	*olen = n;
	return 0;
}

/*
 * [!]"string": sets *neg and the string's inside (between the quotes, raw);
 * <kw> names the keyword in messages.
 */
static int quoted_arg(struct pctx *c, const char *kw, const char *v, bool *neg,
		      const char **in, size_t *ilen)
{
	size_t len;
	long q;

	*neg = v[0] == '!';
	if (*neg)
		v++;
	while (isspace((unsigned char)*v))
		v++;
	len = strlen(v);
	if (v[0] != '"') {
		errf(c, "%s must be a quoted string: '%.*s'", kw, MAX_QUOTE, v);
		return -EINVAL;
	}
	q = close_quote(v, len);
	if (q < 0) {
		errf(c, "unterminated string in %s", kw);
		return -EINVAL;
	}
	if ((size_t)q != len - 1) {
		errf(c, "unexpected text after %s string: '%.*s'", kw, MAX_QUOTE, v + q + 1);
		return -EINVAL;
	}
	*in = v + 1;
	*ilen = (size_t)q - 1;
	return 0;
}

static int kw_content(struct pctx *c, const char *v)
{
	struct vp_rule_elem *e;
	const char *in;
	size_t ilen, olen;
	uint8_t *buf;
	bool neg;
	int ret;

	ret = quoted_arg(c, "content", v, &neg, &in, &ilen);
	if (ret < 0)
		return ret;
	buf = malloc(ilen + 1);
	if (!buf)
		return oom(c);
	ret = content_decode(c, in, ilen, buf, &olen);
	if (ret == 0 && olen == 0) {
		errf(c, "empty content");
		ret = -EINVAL;
	}
	if (ret == 0)
		ret = new_elem(c, VP_RULE_CONTENT, &e);
	if (ret < 0) {
		free(buf);
		return ret;
	}
	e->pat = buf;
	e->len = olen;
	e->negated = neg;
	return 0;
}

static int kw_nocase(struct pctx *c, const char *v)
{
	struct vp_rule_elem *e = NULL;
	size_t i;

	for (i = c->rule->nelems; i-- > 0;) {
		if (c->rule->elems[i].kind == VP_RULE_CONTENT) {
			e = &c->rule->elems[i];
			break;
		}
	}
	if (!e) {
		errf(c, "nocase without a preceding content");
		return -EINVAL;
	}
	if (e->nocase) {
		errf(c, "duplicate nocase for one content");
		return -EINVAL;
	}
	e->skip = malloc(256);
	if (!e->skip)
		return oom(c);
	for (i = 0; i < e->len; i++)	/* ASCII only, as Suricata's nocase */
		if (e->pat[i] >= 'A' && e->pat[i] <= 'Z')
			e->pat[i] = (uint8_t)(e->pat[i] + ('a' - 'A'));
	e->nocase = true;
	return 0;
}

/* pcre flags: PCRE2 options, and *rel for R. */
static int pcre_flags(struct pctx *c, const char *f, uint32_t *opts, bool *rel)
{
	for (; *f; f++) {
		switch (*f) {
		case 'i': *opts |= PCRE2_CASELESS; break;
		case 's': *opts |= PCRE2_DOTALL; break;
		case 'm': *opts |= PCRE2_MULTILINE; break;
		case 'x': *opts |= PCRE2_EXTENDED; break;
		case 'A': *opts |= PCRE2_ANCHORED; break;
		case 'E': *opts |= PCRE2_DOLLAR_ENDONLY; break;
		case 'G': *opts |= PCRE2_UNGREEDY; break;
		case 'R': *rel = true; break;
		case 'B': break;	/* raw bytes: what the first cut inspects anyway */
		default:
			if (strchr("UIPHDMCVWZYSQ", *f))
				errf(c, "pcre modifier '%c' needs HTTP buffers (unsupported)", *f);
			else if (isprint((unsigned char)*f))
				errf(c, "unknown pcre modifier '%c'", *f);
			else
				errf(c, "unknown pcre modifier '\\x%02x'", (unsigned char)*f);
			return -EINVAL;
		}
	}
	return 0;
}

/* Whether an earlier element matched something a relative one can follow. */
static bool have_positive_elem(const struct vp_rule *r)
{
	size_t i;

	for (i = 0; i < r->nelems; i++)
		if (!r->elems[i].negated)
			return true;
	return false;
}

static int pcre_compile_elem(struct pctx *c, const char *in, size_t ilen, const char *re,
			     size_t relen, uint32_t opts, pcre2_code **out)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE eoff;
	int ecode;

	*out = pcre2_compile((PCRE2_SPTR)re, relen, opts, &ecode, &eoff, NULL);
	if (*out)
		return 0;
	if (pcre2_get_error_message(ecode, msg, sizeof(msg)) < 0)
		snprintf((char *)msg, sizeof(msg), "error %d", ecode);
	errf(c, "bad pcre '%.*s%s': %s at offset %zu", ilen > MAX_QUOTE ? MAX_QUOTE : (int)ilen,
	     in, ilen > MAX_QUOTE ? "..." : "", (const char *)msg, (size_t)eoff);
	return ecode == PCRE2_ERROR_NOMEMORY ? -ENOMEM : -EINVAL;
}

static int kw_pcre(struct pctx *c, const char *v)
{
	struct vp_rule_elem *e;
	const char *in, *last;
	char flags[64];
	uint32_t opts = 0;
	bool neg, rel = false;
	pcre2_code *re;
	size_t ilen, flen;
	int ret;

	ret = quoted_arg(c, "pcre", v, &neg, &in, &ilen);
	if (ret < 0)
		return ret;
	last = ilen ? memrchr(in, '/', ilen) : NULL;
	if (ilen < 2 || in[0] != '/' || last == in)
		return err_text(c, "pcre must look like \"/regex/flags\":", in, ilen);
	flen = ilen - (size_t)(last + 1 - in);
	if (flen >= sizeof(flags))
		return err_text(c, "bad pcre modifiers", last + 1, flen);
	memcpy(flags, last + 1, flen);
	flags[flen] = '\0';
	ret = pcre_flags(c, flags, &opts, &rel);
	if (ret < 0)
		return ret;
	if (rel && !have_positive_elem(c->rule)) {
		errf(c, "pcre R modifier needs a preceding content or pcre");
		return -EINVAL;
	}
	ret = pcre_compile_elem(c, in, ilen, in + 1, (size_t)(last - in - 1), opts, &re);
	if (ret < 0)
		return ret;
	ret = new_elem(c, VP_RULE_PCRE, &e);
	if (ret < 0) {
		pcre2_code_free(re);
		return ret;
	}
	e->re = re;
	e->negated = neg;
	e->relative = rel;
	return 0;
}

static int flow_opt(struct pctx *c, const char *o, size_t len)
{
	static const struct {
		const char *name;
		uint32_t set, clear;
	} opts[] = {
		{ "to_server", VP_PKT_TO_SERVER, 0 },
		{ "from_client", VP_PKT_TO_SERVER, 0 },
		{ "to_client", VP_PKT_TO_CLIENT, 0 },
		{ "from_server", VP_PKT_TO_CLIENT, 0 },
		{ "established", VP_PKT_ESTABLISHED, 0 },
		{ "not_established", 0, VP_PKT_ESTABLISHED },
		{ "stateless", 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		if (strlen(opts[i].name) == len && strncmp(opts[i].name, o, len) == 0) {
			c->rule->flow_set |= opts[i].set;
			c->rule->flow_clear |= opts[i].clear;
			return 0;
		}
	}
	if ((len == 11 && strncmp(o, "only_stream", len) == 0) ||
	    (len == 9 && strncmp(o, "no_stream", len) == 0) ||
	    (len == 9 && strncmp(o, "only_frag", len) == 0) ||
	    (len == 7 && strncmp(o, "no_frag", len) == 0))
		return err_text(c, "unsupported flow option", o, len);
	return err_text(c, "bad flow option", o, len);
}

static int kw_flow(struct pctx *c, const char *v)
{
	const uint32_t dirs = VP_PKT_TO_SERVER | VP_PKT_TO_CLIENT;
	const char *s = v, *o;
	size_t olen;
	int ret;

	for (;;) {
		o = s;
		while (*s && *s != ',')
			s++;
		olen = (size_t)(s - o);
		trim(&o, &olen);
		ret = flow_opt(c, o, olen);
		if (ret < 0)
			return ret;
		if (!*s)
			break;
		s++;
	}
	if ((c->rule->flow_set & dirs) == dirs || (c->rule->flow_set & c->rule->flow_clear))
		return err_text(c, "conflicting flow options", v, strlen(v));
	return 0;
}

enum kw_flags {
	KW_VALUE = 1 << 0,	/* needs a value */
	KW_BARE = 1 << 1,	/* takes none */
	KW_ONCE = 1 << 2,	/* may appear once */
};

static const struct keyword {
	const char *name;
	int (*fn)(struct pctx *c, const char *v);
	unsigned flags;
} keywords[] = {
	{ "msg", kw_msg, KW_VALUE | KW_ONCE },
	{ "sid", kw_sid, KW_VALUE | KW_ONCE },
	{ "rev", kw_rev, KW_VALUE | KW_ONCE },
	{ "gid", kw_gid, KW_VALUE | KW_ONCE },
	{ "classtype", kw_classtype, KW_VALUE | KW_ONCE },
	{ "priority", kw_priority, KW_VALUE | KW_ONCE },
	{ "reference", kw_reference, KW_VALUE },
	{ "metadata", kw_metadata, KW_VALUE },
	{ "content", kw_content, KW_VALUE },
	{ "nocase", kw_nocase, KW_BARE },
	{ "pcre", kw_pcre, KW_VALUE },
	{ "flow", kw_flow, KW_VALUE | KW_ONCE },
};

static int run_keyword(struct pctx *c, const char *key, size_t klen, const char *val)
{
	const struct keyword *k = NULL;
	size_t i;

	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		if (strlen(keywords[i].name) == klen && strncmp(keywords[i].name, key, klen) == 0) {
			k = &keywords[i];
			break;
		}
	}
	if (!k)
		return err_text(c, "unsupported keyword", key, klen);
	if ((k->flags & KW_ONCE) && (c->seen & (1u << i))) {
		errf(c, "duplicate keyword '%s'", k->name);
		return -EINVAL;
	}
	c->seen |= 1u << i;
	if ((k->flags & KW_VALUE) && (!val || !*val)) {
		errf(c, "keyword '%s' needs a value", k->name);
		return -EINVAL;
	}
	if ((k->flags & KW_BARE) && val) {
		errf(c, "keyword '%s' takes no value", k->name);
		return -EINVAL;
	}
	return k->fn(c, val);
}

static bool key_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '.' || ch == '-';
}

/*
 * Splits the option list body s[0..len) into key[:value] items separated by
 * ';' (not inside quotes, not escaped) and runs each.
 */
static int parse_options(struct pctx *c, const char *s, size_t len)
{
	const char *end = s + len, *key, *vs;
	size_t klen, vlen, i;
	bool inq;
	char *val;
	int ret;

	while (s < end) {
		while (s < end && (isspace((unsigned char)*s) || *s == ';'))
			s++;
		if (s == end)
			break;
		key = s;
		while (s < end && *s != ':' && *s != ';')
			s++;
		klen = (size_t)(s - key);
		trim(&key, &klen);
		for (i = 0; i < klen; i++)
			if (!key_char(key[i]))
				return err_text(c, "bad option", key, klen);
		val = NULL;
		if (s < end && *s == ':') {
			vs = ++s;
			for (inq = false; s < end && (inq || *s != ';'); s++) {
				if (*s == '\\' && s + 1 < end)
					s++;
				else if (*s == '"')
					inq = !inq;
			}
			if (inq) {
				errf(c, "unterminated string in %.*s", (int)klen, key);
				return -EINVAL;
			}
			vlen = (size_t)(s - vs);
			trim(&vs, &vlen);
			val = strndup(vs, vlen);
			if (!val)
				return oom(c);
		}
		ret = run_keyword(c, key, klen, val);
		free(val);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* ---- header ---- */

/* Next header token: up to blank, '(' or end outside brackets. Empty at '(' or end. */
static void next_token(const char **pp, const char **tok, size_t *tlen)
{
	const char *p = *pp;
	int depth = 0;

	while (*p && isspace((unsigned char)*p))
		p++;
	*tok = p;
	while (*p && (depth > 0 || (!isspace((unsigned char)*p) && *p != '('))) {
		if (*p == '[')
			depth++;
		else if (*p == ']')
			depth--;
		p++;
	}
	*tlen = (size_t)(p - *tok);
	*pp = p;
}

static bool tok_is(const char *t, size_t len, const char *word)
{
	return strlen(word) == len && strncmp(t, word, len) == 0;
}

static int parse_action(struct pctx *c, const char *t, size_t len)
{
	if (tok_is(t, len, "alert"))
		c->sig->action = VP_ACT_ALERT;
	else if (tok_is(t, len, "drop"))
		c->sig->action = VP_ACT_DROP;
	else if (tok_is(t, len, "reject") || tok_is(t, len, "rejectsrc") ||
		 tok_is(t, len, "rejectdst") || tok_is(t, len, "rejectboth"))
		c->sig->action = VP_ACT_REJECT;
	else if (tok_is(t, len, "pass"))
		c->sig->action = VP_ACT_PASS;
	else
		return err_text(c, "bad action", t, len);
	return 0;
}

static int parse_proto(struct pctx *c, const char *t, size_t len)
{
	static const struct {
		const char *name;
		enum vp_rule_proto proto;
	} protos[] = {
		{ "ip", VP_RULE_PROTO_IP },	  { "tcp", VP_RULE_PROTO_TCP },
		{ "udp", VP_RULE_PROTO_UDP },	  { "icmp", VP_RULE_PROTO_ICMP },
		{ "http", VP_RULE_PROTO_TCP },	  { "http1", VP_RULE_PROTO_TCP },
		{ "tcp-pkt", VP_RULE_PROTO_TCP }, { "tcp-stream", VP_RULE_PROTO_TCP },
	};
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		if (strlen(protos[i].name) == len && strncasecmp(protos[i].name, t, len) == 0) {
			c->rule->proto = protos[i].proto;
			return 0;
		}
	}
	return err_text(c, "bad protocol", t, len);
}

/* Parses an address (ports=false) or port token into *out, NULL for "any". */
static int parse_net(struct pctx *c, const char *t, size_t len, bool ports,
		     struct vp_netaddr **out)
{
	char *s = strndup(t, len);
	struct vp_netaddr *n;

	if (!s)
		return oom(c);
	n = ports ? vp_netaddr_parse_ports(s, c->vars, c->err, c->errlen)
		  : vp_netaddr_parse_addrs(s, c->vars, c->err, c->errlen);
	free(s);
	if (!n)
		return strcmp(c->err, "out of memory") == 0 ? -ENOMEM : -EINVAL;
	if (vp_netaddr_is_any(n)) {
		vp_netaddr_free(n);
		n = NULL;
	}
	*out = n;
	return 0;
}

static const char *proto_name(const char *t, size_t len, char *buf, size_t blen)
{
	snprintf(buf, blen, "%.*s", (int)len, t);
	return buf;
}

static int header_fields(struct pctx *c, const char *tok[7], const size_t tl[7])
{
	struct vp_rule *r = c->rule;
	char pname[32];
	int ret;

	ret = parse_action(c, tok[0], tl[0]);
	if (!ret)
		ret = parse_proto(c, tok[1], tl[1]);
	if (!ret)
		ret = parse_net(c, tok[2], tl[2], false, &r->src);
	if (!ret)
		ret = parse_net(c, tok[3], tl[3], true, &r->sport);
	if (!ret && !tok_is(tok[4], tl[4], "->") && !tok_is(tok[4], tl[4], "<>"))
		ret = err_text(c, "bad direction", tok[4], tl[4]);
	r->bidir = tok_is(tok[4], tl[4], "<>");
	if (!ret)
		ret = parse_net(c, tok[5], tl[5], false, &r->dst);
	if (!ret)
		ret = parse_net(c, tok[6], tl[6], true, &r->dport);
	if (ret || r->proto == VP_RULE_PROTO_TCP || r->proto == VP_RULE_PROTO_UDP)
		return ret;
	if (r->sport || r->dport) {
		errf(c, "ports must be 'any' for protocol '%s', got '%.*s'",
		     proto_name(tok[1], tl[1], pname, sizeof(pname)),
		     r->sport ? (tl[3] > MAX_QUOTE ? MAX_QUOTE : (int)tl[3]) :
				(tl[6] > MAX_QUOTE ? MAX_QUOTE : (int)tl[6]),
		     r->sport ? tok[3] : tok[6]);
		return -EINVAL;
	}
	return 0;
}

/* Parses the header; on success <body>, <blen>: the text between '(' and the final ')'. */
static int parse_header(struct pctx *c, const char *text, const char **body, size_t *blen)
{
	const char *p = text, *tok[7], *t, *end;
	size_t tl[7], len, i;

	for (i = 0; i < 7; i++) {
		next_token(&p, &tok[i], &tl[i]);
		if (tl[i] == 0) {
			errf(c, i == 0 && !*p ? "empty rule" : "incomplete rule header");
			return -EINVAL;
		}
	}
	while (*p && isspace((unsigned char)*p))
		p++;
	if (!*p) {
		errf(c, "rule has no options");
		return -EINVAL;
	}
	if (*p != '(') {
		next_token(&p, &t, &len);
		return err_text(c, "expected '(' after the rule header, got", t, len);
	}
	end = p + strlen(p);
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (end - p < 2 || end[-1] != ')') {
		errf(c, "missing ')' at the end of the rule");
		return -EINVAL;
	}
	*body = p + 1;
	*blen = (size_t)(end - 1 - (p + 1));
	return header_fields(c, tok, tl);
}

/* ---- finishing ---- */

/* How often a byte shows up in HTTP requests, roughly: lower is rarer. */
static int byte_commonness(uint8_t ch)
{
	if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z')
		return 100;		/* not usable: either case may appear */
	if (isdigit(ch) || ch == ' ' || ch == '/' || ch == '.' || ch == '-' || ch == '=' ||
	    ch == '&' || ch == '_' || ch == ':' || ch == ',' || ch == ';')
		return 10;
	if (ch == '\r' || ch == '\n' || ch == '%')
		return 5;
	return 1;
}

/* The rarest non-letter byte of a nocase pattern, or -1 if it is all letters. */
static int pick_anchor(const struct vp_rule_elem *e)
{
	int best = -1, score = 100, c;
	size_t i;

	for (i = 0; i < e->len; i++) {
		c = byte_commonness(e->pat[i]);
		if (c < score) {
			score = c;
			best = (int)i;
		}
	}
	return best;
}

static void finish_elems(struct vp_rule *r)
{
	size_t i, j, best = 0;
	struct vp_rule_elem *e;

	r->fast = -1;
	for (i = 0; i < r->nelems; i++) {
		e = &r->elems[i];
		if (e->kind == VP_RULE_CONTENT && !e->negated && e->len > best) {
			best = e->len;
			r->fast = (int)i;
		}
		e->anchor = e->nocase ? pick_anchor(e) : -1;
		if (e->nocase) {
			/* Horspool shifts over the lower-cased pattern (capped at 255). */
			memset(e->skip, e->len > 255 ? 255 : (int)e->len, 256);
			for (j = 0; j + 1 < e->len; j++)
				e->skip[e->pat[j]] = (uint8_t)(e->len - 1 - j > 255 ? 255
									  : e->len - 1 - j);
		}
		if (e->negated)
			continue;
		for (j = i + 1; j < r->nelems; j++) {
			if (r->elems[j].relative) {
				e->pos_used = true;
				break;
			}
			if (!r->elems[j].negated)
				break;
		}
	}
}

static int finish(struct pctx *c)
{
	struct vp_sig *sig = c->sig;

	if (!c->have_sid) {
		errf(c, "rule has no sid");
		return -EINVAL;
	}
	if (!c->have_prio)
		sig->priority = sig->classtype ? c->class_prio : DEFAULT_PRIORITY;
	finish_elems(c->rule);
	return meta_json(c);
}

static void rule_free(struct vp_rule *r)
{
	size_t i;

	if (!r)
		return;
	vp_netaddr_free(r->src);
	vp_netaddr_free(r->dst);
	vp_netaddr_free(r->sport);
	vp_netaddr_free(r->dport);
	for (i = 0; i < r->nelems; i++) {
		free(r->elems[i].pat);
		free(r->elems[i].skip);
		pcre2_code_free(r->elems[i].re);
	}
	free(r->elems);
	for (i = 0; i < r->nrefs; i++)
		free(r->refs[i]);
	free(r->refs);
	free(r);
}

void vp_rule_parse_clear(struct vp_sig *sig)
{
	if (!sig)
		return;
	rule_free(sig->priv);
	free(sig->msg);
	free(sig->classtype);
	free(sig->category);
	free(sig->metadata_json);
	sig->priv = NULL;
	sig->msg = sig->classtype = sig->category = sig->metadata_json = NULL;
}

int vp_rule_parse_sig(struct vp_sig *sig, const char *text, const struct vp_vars *vars,
		      char *err, size_t errlen)
{
	struct pctx c = { .sig = sig, .vars = vars, .err = err, .errlen = errlen };
	const char *body;
	size_t blen;
	int ret;

	if (errlen)
		err[0] = '\0';
	sig->gid = 1;
	c.rule = calloc(1, sizeof(*c.rule));
	if (!c.rule)
		return oom(&c);
	sig->priv = c.rule;
	if (strlen(text) > VP_RULE_MAX_LEN) {
		errf(&c, "rule too long");
		ret = -EINVAL;
		goto out;
	}
	ret = parse_header(&c, text, &body, &blen);
	if (ret < 0)
		goto out;
	ret = parse_options(&c, body, blen);
	if (ret < 0)
		goto out;
	ret = finish(&c);
out:
	meta_free(&c);
	if (ret < 0)
		vp_rule_parse_clear(sig);
	return ret;
}
