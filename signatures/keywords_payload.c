/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Payload keywords: content and its modifiers (nocase depth offset distance
 * within startswith endswith fast_pattern rawbytes), uricontent, pcre,
 * isdataat, bsize, urilen; and the checks and preparations done once every
 * keyword of a rule was read (fast pattern choice, backtracking needs).
 * Semantics follow Suricata's payload keywords.
 */
#include "vp_build.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signatures/rule.h"

/*
 * [!]"string": sets *neg and the string's inside (between the quotes, raw);
 * <kw> names the keyword in messages.
 */
static int quoted_arg(struct vp_pctx *c, const char *kw, const char *v, bool *neg,
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
		vp_rule_errf(c, "%s must be a quoted string: '%.*s'", kw, VP_RULE_MAX_QUOTE, v);
		return -EINVAL;
	}
	q = vp_rule_close_quote(v, len);
	if (q < 0) {
		vp_rule_errf(c, "unterminated string in %s", kw);
		return -EINVAL;
	}
	if ((size_t)q != len - 1) {
		vp_rule_errf(c, "unexpected text after %s string: '%.*s'", kw, VP_RULE_MAX_QUOTE,
			     v + q + 1);
		return -EINVAL;
	}
	*in = v + 1;
	*ilen = (size_t)q - 1;
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
static int content_decode(struct vp_pctx *c, const char *s, size_t len, uint8_t *out,
			  size_t *olen)
{
	bool hex = false;
	int hi = -1, d;
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '|') {
			if (hex && hi >= 0)
				return vp_rule_err_text(c, "bad hex in content", s, len);
			hex = !hex;
		} else if (hex) {
			if (s[i] == ' ' || s[i] == '\t')
				continue;
			d = hexval((unsigned char)s[i]);
			if (d < 0)
				return vp_rule_err_text(c, "bad hex in content", s, len);
			if (hi < 0) {
				hi = d;
				continue;
			}
			out[n++] = (uint8_t)(hi << 4 | d);
			hi = -1;
		} else if (s[i] == '\\') {
			if (i + 1 == len || !strchr("\";\\:", s[i + 1]))
				return vp_rule_err_text(c, "bad escape in content", s, len);
			out[n++] = (uint8_t)s[++i];
		} else {
			out[n++] = (uint8_t)s[i];
		}
	}
	if (hex)
		return vp_rule_err_text(c, "unterminated hex in content", s, len);
	*olen = n;
	return 0;
}

/* Remembers the element just added to buffer <buf> as the last content / match. */
static void note_last(struct vp_pctx *c, int buf, bool content)
{
	struct vp_rule *r = c->rule;
	int li = (int)(vp_rule_list(r, buf) - r->lists);

	if (content) {
		c->ct_list = li;
		c->ct_elem = r->lists[li].n - 1;
	}
	c->pm_list = li;
}

static int add_content(struct vp_pctx *c, int buf, const char *v)
{
	struct vp_elem *e;
	const char *in = NULL;
	size_t ilen = 0, olen = 0;
	uint8_t *pat;
	bool neg;
	int ret;

	ret = quoted_arg(c, "content", v, &neg, &in, &ilen);
	if (ret < 0)
		return ret;
	pat = malloc(ilen + 1);
	if (!pat)
		return vp_rule_oom(c);
	ret = content_decode(c, in, ilen, pat, &olen);
	if (ret == 0 && olen == 0) {
		vp_rule_errf(c, "empty content");
		ret = -EINVAL;
	}
	if (ret == 0)
		ret = vp_rule_add_elem(c, buf, VP_EL_CONTENT, &e);
	if (ret < 0) {
		free(pat);
		return ret;
	}
	e->u.c.pat = pat;
	e->u.c.len = (uint32_t)olen;
	e->u.c.flags = neg ? VP_CT_NEGATED : 0;
	e->u.c.anchor = -1;
	note_last(c, buf, true);
	return 0;
}

static int kw_content(struct vp_pctx *c, const char *v)
{
	return add_content(c, vp_rule_cur_buf(c), v);
}

/* uricontent:"x" is content:"x"; http_uri; */
static int kw_uricontent(struct vp_pctx *c, const char *v)
{
	if (c->sticky >= 0) {
		vp_rule_errf(c, "uricontent cannot follow a sticky buffer (use pkt_data first)");
		return -EINVAL;
	}
	return add_content(c, VP_BUF_HTTP_URI, v);
}

static int kw_nocase(struct vp_pctx *c, const char *v)
{
	struct vp_content *ct = vp_rule_mod_target(c, "nocase");
	uint32_t i;

	if (!ct)
		return -EINVAL;
	if (ct->flags & VP_CT_NOCASE) {
		vp_rule_errf(c, "duplicate nocase for one content");
		return -EINVAL;
	}
	for (i = 0; i < ct->len; i++)	/* ASCII only, as Suricata's nocase */
		if (ct->pat[i] >= 'A' && ct->pat[i] <= 'Z')
			ct->pat[i] = (uint8_t)(ct->pat[i] + ('a' - 'A'));
	ct->flags |= VP_CT_NOCASE;
	return 0;
}

static int kw_rawbytes(struct vp_pctx *c, const char *v)
{
	struct vp_content *ct = vp_rule_mod_target(c, "rawbytes");

	if (!ct)
		return -EINVAL;
	ct->flags |= VP_CT_RAWBYTES;
	return 0;
}

enum { MOD_DEPTH = 0, MOD_OFFSET, MOD_DISTANCE, MOD_WITHIN };

static const struct {
	const char *name;
	uint32_t flag;
	int64_t min, max;
} mods[] = {
	[MOD_DEPTH] = { "depth", VP_CT_DEPTH, 1, VP_RULE_MAX_REL },
	[MOD_OFFSET] = { "offset", VP_CT_OFFSET, 0, VP_RULE_MAX_REL },
	[MOD_DISTANCE] = { "distance", VP_CT_DISTANCE, -VP_RULE_MAX_REL, VP_RULE_MAX_REL },
	[MOD_WITHIN] = { "within", VP_CT_WITHIN, 1, VP_RULE_MAX_REL },
};

/* Conflicts between the modifier <m> and what <ct> already has. */
static int mod_conflict(struct vp_pctx *c, const struct vp_content *ct, int m)
{
	uint32_t f = mods[m].flag;

	if (ct->flags & f) {
		vp_rule_errf(c, "duplicate %s for one content", mods[m].name);
		return -EINVAL;
	}
	if (ct->flags & VP_CT_STARTSWITH) {
		vp_rule_errf(c, "startswith cannot be combined with depth, offset, distance or "
			     "within");
		return -EINVAL;
	}
	if (((f & VP_CT_ABSOLUTE) && (ct->flags & VP_CT_RELATIVE)) ||
	    ((f & VP_CT_RELATIVE) && (ct->flags & VP_CT_ABSOLUTE))) {
		vp_rule_errf(c, "depth/offset cannot be combined with distance/within on one "
			     "content");
		return -EINVAL;
	}
	return 0;
}

/* depth offset distance within: a number or a byte_extract variable. */
static int kw_posmod(struct vp_pctx *c, const char *v)
{
	int m = vp_rule_current_kw(c)->arg;
	struct vp_content *ct = vp_rule_mod_target(c, mods[m].name);
	struct vp_num n;
	int ret;

	if (!ct)
		return -EINVAL;
	ret = mod_conflict(c, ct, m);
	if (ret == 0)
		ret = vp_rule_num(c, mods[m].name, v, mods[m].min, mods[m].max,
				  c->rule->lists[c->ct_list].buf, &n);
	if (ret < 0)
		return ret;
	if (n.var < 0 && (m == MOD_DEPTH || m == MOD_WITHIN) && n.v < (int64_t)ct->len) {
		vp_rule_errf(c, "%s %lld is smaller than the content length %u", mods[m].name,
			     (long long)n.v, ct->len);
		return -EINVAL;
	}
	ct->flags |= mods[m].flag;
	if (m == MOD_DEPTH)
		ct->depth = n;
	else if (m == MOD_OFFSET)
		ct->offset = n;
	else if (m == MOD_DISTANCE)
		ct->distance = n;
	else
		ct->within = n;
	return 0;
}

static int kw_startswith(struct vp_pctx *c, const char *v)
{
	struct vp_content *ct = vp_rule_mod_target(c, "startswith");

	if (!ct)
		return -EINVAL;
	if (ct->flags & VP_CT_STARTSWITH) {
		vp_rule_errf(c, "duplicate startswith for one content");
		return -EINVAL;
	}
	if (ct->flags & (VP_CT_ABSOLUTE | VP_CT_RELATIVE)) {
		vp_rule_errf(c, "startswith cannot be combined with depth, offset, distance or "
			     "within");
		return -EINVAL;
	}
	ct->flags |= VP_CT_STARTSWITH;
	return 0;
}

static int kw_endswith(struct vp_pctx *c, const char *v)
{
	struct vp_content *ct = vp_rule_mod_target(c, "endswith");

	if (!ct)
		return -EINVAL;
	if (ct->flags & VP_CT_ENDSWITH) {
		vp_rule_errf(c, "duplicate endswith for one content");
		return -EINVAL;
	}
	ct->flags |= VP_CT_ENDSWITH;
	return 0;
}

/* fast_pattern, fast_pattern:only (kept as a plain fast pattern), fast_pattern:<off>,<len> */
static int kw_fast_pattern(struct vp_pctx *c, const char *v)
{
	struct vp_content *ct = vp_rule_mod_target(c, "fast_pattern");
	uint32_t off, len;
	const char *comma;
	char num[16];

	if (!ct)
		return -EINVAL;
	if (c->have_fast) {
		vp_rule_errf(c, "fast_pattern used on more than one content");
		return -EINVAL;
	}
	if (v && strcmp(v, "only") != 0) {
		comma = strchr(v, ',');
		if (!comma || (size_t)(comma - v) >= sizeof(num))
			return vp_rule_err_text(c, "bad fast_pattern", v, strlen(v));
		memcpy(num, v, (size_t)(comma - v));
		num[comma - v] = '\0';
		if (!vp_rule_parse_u32(num, &off) || !vp_rule_parse_u32(comma + 1, &len) ||
		    len == 0)
			return vp_rule_err_text(c, "bad fast_pattern", v, strlen(v));
		if ((uint64_t)off + len > ct->len) {
			vp_rule_errf(c, "fast_pattern %u,%u is beyond the content length %u", off,
				     len, ct->len);
			return -EINVAL;
		}
		ct->fp_off = off;
		ct->fp_len = len;
		ct->flags |= VP_CT_FAST_CHOP;
	}
	ct->flags |= VP_CT_FAST;
	c->have_fast = true;
	return 0;
}

/* ---- pcre ---- */

struct pcre_opts {
	uint32_t opts;
	bool rel, raw;
	int buf;		/* from a buffer modifier, or -1 */
	char bufch;
};

static int pcre_buffer(char ch)
{
	switch (ch) {
	case 'U': return VP_BUF_HTTP_URI;
	case 'I': return VP_BUF_HTTP_URI_RAW;
	case 'P': return VP_BUF_HTTP_REQUEST_BODY;
	case 'Q': return VP_BUF_HTTP_RESPONSE_BODY;
	case 'H': return VP_BUF_HTTP_HEADER;
	case 'D': return VP_BUF_HTTP_HEADER_RAW;
	case 'M': return VP_BUF_HTTP_METHOD;
	case 'C': return VP_BUF_HTTP_COOKIE;
	case 'S': return VP_BUF_HTTP_STAT_CODE;
	case 'Y': return VP_BUF_HTTP_STAT_MSG;
	case 'V': return VP_BUF_HTTP_USER_AGENT;
	case 'W': return VP_BUF_HTTP_HOST;
	case 'Z': return VP_BUF_HTTP_HOST_RAW;
	default: return -1;
	}
}

static int pcre_flag(struct vp_pctx *c, char f, struct pcre_opts *o)
{
	int b;

	switch (f) {
	case 'i': o->opts |= PCRE2_CASELESS; return 0;
	case 's': o->opts |= PCRE2_DOTALL; return 0;
	case 'm': o->opts |= PCRE2_MULTILINE; return 0;
	case 'x': o->opts |= PCRE2_EXTENDED; return 0;
	case 'A': o->opts |= PCRE2_ANCHORED; return 0;
	case 'E': o->opts |= PCRE2_DOLLAR_ENDONLY; return 0;
	case 'G': o->opts |= PCRE2_UNGREEDY; return 0;
	case 'R': o->rel = true; return 0;
	case 'O': return 0;	/* override the match limit: the worker's limits still apply */
	case 'B': o->raw = true; return 0;
	default: break;
	}
	b = pcre_buffer(f);
	if (b < 0) {
		if (isprint((unsigned char)f))
			vp_rule_errf(c, "unknown pcre modifier '%c'", f);
		else
			vp_rule_errf(c, "unknown pcre modifier '\\x%02x'", (unsigned char)f);
		return -EINVAL;
	}
	if (o->buf >= 0 && o->buf != b) {
		vp_rule_errf(c, "pcre modifiers '%c' and '%c' select different buffers", o->bufch,
			     f);
		return -EINVAL;
	}
	o->buf = b;
	o->bufch = f;
	return 0;
}

static int pcre_flags(struct vp_pctx *c, const char *f, size_t n, struct pcre_opts *o)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = pcre_flag(c, f[i], o);
		if (ret < 0)
			return ret;
	}
	if (o->raw && o->buf >= 0) {
		vp_rule_errf(c, "pcre modifier 'B' conflicts with '%c'", o->bufch);
		return -EINVAL;
	}
	/* file.data is the body of this direction: what Q and P inspect there. */
	if ((o->bufch == 'Q' || o->bufch == 'P') && c->sticky == VP_BUF_FILE_DATA)
		o->buf = VP_BUF_FILE_DATA;
	if (o->buf >= 0 && c->sticky >= 0 && o->buf != c->sticky) {
		vp_rule_errf(c, "pcre modifier '%c' cannot follow a sticky buffer (use pkt_data "
			     "first)", o->bufch);
		return -EINVAL;
	}
	return 0;
}

/* Whether list <buf> already holds a content or pcre (what R is relative to). */
static bool have_match_elem(const struct vp_rule *r, int buf)
{
	const struct vp_list *l = vp_rule_list((struct vp_rule *)r, buf);
	unsigned i;

	for (i = 0; l && i < l->n; i++)
		if (l->e[i].kind == VP_EL_CONTENT || l->e[i].kind == VP_EL_PCRE)
			return true;
	return false;
}

static int pcre_compile_elem(struct vp_pctx *c, const char *in, size_t ilen, const char *re,
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
	vp_rule_errf(c, "bad pcre '%.*s%s': %s at offset %zu",
		     ilen > VP_RULE_MAX_QUOTE ? VP_RULE_MAX_QUOTE : (int)ilen, in,
		     ilen > VP_RULE_MAX_QUOTE ? "..." : "", (const char *)msg, (size_t)eoff);
	return ecode == PCRE2_ERROR_NOMEMORY ? -ENOMEM : -EINVAL;
}

/* The normalised host buffer is lower case: an upper-case literal could never match. */
static bool has_upper_literal(const char *re, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (re[i] == '\\') {
			i++;
			continue;
		}
		if (isupper((unsigned char)re[i]))
			return true;
	}
	return false;
}

/*
 * [!]"/regex/flags": as Suricata, the string runs to the last quote, so a
 * regex may hold a '"' (pcre:"/^["']?post/R").
 */
static int pcre_quoted(struct vp_pctx *c, const char *v, bool *neg, const char **in,
		       size_t *ilen)
{
	const char *last;
	size_t len;

	*neg = v[0] == '!';
	if (*neg)
		v++;
	while (isspace((unsigned char)*v))
		v++;
	len = strlen(v);
	if (v[0] != '"') {
		vp_rule_errf(c, "pcre must be a quoted string: '%.*s'", VP_RULE_MAX_QUOTE, v);
		return -EINVAL;
	}
	last = strrchr(v, '"');
	if (last == v) {
		vp_rule_errf(c, "unterminated string in pcre");
		return -EINVAL;
	}
	if ((size_t)(last - v) != len - 1) {
		vp_rule_errf(c, "unexpected text after pcre string: '%.*s'", VP_RULE_MAX_QUOTE,
			     last + 1);
		return -EINVAL;
	}
	*in = v + 1;
	*ilen = len - 2;
	return 0;
}

/* Splits "/regex/flags" and reads the flags; *re, *relen: the regex. */
static int pcre_split(struct vp_pctx *c, const char *in, size_t ilen, const char **re,
		      size_t *relen, struct pcre_opts *o)
{
	const char *last = ilen ? memrchr(in, '/', ilen) : NULL;

	if (ilen < 2 || in[0] != '/' || last == in)
		return vp_rule_err_text(c, "pcre must look like \"/regex/flags\":", in, ilen);
	*re = in + 1;
	*relen = (size_t)(last - in - 1);
	return pcre_flags(c, last + 1, ilen - (size_t)(last + 1 - in), o);
}

static int kw_pcre(struct vp_pctx *c, const char *v)
{
	struct pcre_opts o = { .buf = -1 };
	struct vp_elem *e;
	const char *in = NULL, *re = NULL;
	size_t ilen = 0, relen = 0;
	pcre2_code *code;
	bool neg;
	int ret, buf;

	ret = pcre_quoted(c, v, &neg, &in, &ilen);
	if (ret == 0)
		ret = pcre_split(c, in, ilen, &re, &relen, &o);
	if (ret < 0)
		return ret;
	buf = o.buf >= 0 ? o.buf : vp_rule_cur_buf(c);
	if (o.rel && c->sticky < 0 && !have_match_elem(c->rule, buf)) {
		vp_rule_errf(c, "pcre R modifier needs a preceding content or pcre");
		return -EINVAL;
	}
	if (o.bufch == 'W' && !(o.opts & PCRE2_CASELESS) &&
	    has_upper_literal(re, relen)) {
		vp_rule_errf(c, "pcre on http.host has upper-case characters (the buffer is "
			     "lower case)");
		return -EINVAL;
	}
	ret = pcre_compile_elem(c, in, ilen, re, relen, o.opts, &code);
	if (ret < 0)
		return ret;
	ret = vp_rule_add_elem(c, buf, VP_EL_PCRE, &e);
	if (ret < 0) {
		pcre2_code_free(code);
		return ret;
	}
	e->u.re.re = code;
	e->u.re.negated = neg;
	e->u.re.relative = o.rel;
	note_last(c, buf, false);
	return 0;
}

/* ---- isdataat, bsize, urilen ---- */

/* Where a keyword positioned by the cursor goes: sticky buffer, else the last match's list. */
static int rel_buf(const struct vp_pctx *c, bool relative)
{
	if (c->sticky >= 0)
		return c->sticky;
	if (relative && c->pm_list >= 0)
		return c->rule->lists[c->pm_list].buf;
	return VP_BUF_PACKET;
}

/* isdataat:[!]<n>[,relative][,rawbytes] */
static int kw_isdataat(struct vp_pctx *c, const char *v)
{
	char buf[128], *argv[4];
	struct vp_isdataat d = { .negated = v[0] == '!' };
	struct vp_elem *e;
	size_t argc, i;
	int ret, b;

	ret = vp_rule_split(c, "isdataat", v + d.negated, buf, sizeof(buf), argv, 4, &argc);
	if (ret < 0)
		return ret;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "relative") == 0)
			d.relative = true;
		else if (strcmp(argv[i], "rawbytes") != 0)
			return vp_rule_err_text(c, "bad isdataat option", argv[i],
						strlen(argv[i]));
	}
	b = rel_buf(c, d.relative);
	ret = vp_rule_num(c, "isdataat", argv[0], 0, 65535, b, &d.n);
	if (ret == 0)
		ret = vp_rule_add_elem(c, b, VP_EL_ISDATAAT, &e);
	if (ret < 0)
		return ret;
	e->u.d = d;
	return 0;
}

static int kw_bsize(struct vp_pctx *c, const char *v)
{
	struct vp_elem *e;
	struct vp_cmp cmp;
	int ret;

	if (c->sticky < 0) {
		vp_rule_errf(c, "bsize needs a sticky buffer");
		return -EINVAL;
	}
	if (!vp_rule_parse_cmp(v, UINT64_MAX, &cmp))
		return vp_rule_err_text(c, "bad bsize", v, strlen(v));
	ret = vp_rule_add_elem(c, c->sticky, VP_EL_BSIZE, &e);
	if (ret < 0)
		return ret;
	e->u.len = cmp;
	return 0;
}

/* urilen:<cmp>[,raw|norm]: the length of http.uri (or http.uri.raw). */
static int kw_urilen(struct vp_pctx *c, const char *v)
{
	int buf = VP_BUF_HTTP_URI, ret;
	char tmp[128], *argv[2];
	struct vp_elem *e;
	struct vp_cmp cmp;
	size_t argc;

	ret = vp_rule_split(c, "urilen", v, tmp, sizeof(tmp), argv, 2, &argc);
	if (ret < 0)
		return ret;
	if (argc == 2 && strcmp(argv[1], "raw") == 0)
		buf = VP_BUF_HTTP_URI_RAW;
	else if (argc == 2 && strcmp(argv[1], "norm") != 0)
		return vp_rule_err_text(c, "bad urilen option", argv[1], strlen(argv[1]));
	if (!vp_rule_parse_cmp(argv[0], 65535, &cmp))
		return vp_rule_err_text(c, "bad urilen", v, strlen(v));
	ret = vp_rule_add_elem(c, buf, VP_EL_BSIZE, &e);
	if (ret < 0)
		return ret;
	e->u.len = cmp;
	return 0;
}

const struct vp_kw vp_keywords_payload[] = {
	{ "content", kw_content, VP_KW_VALUE, 0 },
	{ "uricontent", kw_uricontent, VP_KW_VALUE, 0 },
	{ "nocase", kw_nocase, VP_KW_BARE, 0 },
	{ "rawbytes", kw_rawbytes, VP_KW_BARE, 0 },
	{ "depth", kw_posmod, VP_KW_VALUE, MOD_DEPTH },
	{ "offset", kw_posmod, VP_KW_VALUE, MOD_OFFSET },
	{ "distance", kw_posmod, VP_KW_VALUE, MOD_DISTANCE },
	{ "within", kw_posmod, VP_KW_VALUE, MOD_WITHIN },
	{ "startswith", kw_startswith, VP_KW_BARE, 0 },
	{ "endswith", kw_endswith, VP_KW_BARE, 0 },
	{ "fast_pattern", kw_fast_pattern, 0, 0 },
	{ "pcre", kw_pcre, VP_KW_VALUE, 0 },
	{ "isdataat", kw_isdataat, VP_KW_VALUE, 0 },
	{ "bsize", kw_bsize, VP_KW_VALUE, 0 },
	{ "urilen", kw_urilen, VP_KW_VALUE | VP_KW_ONCE, 0 },
};

const size_t vp_keywords_payload_count =
	sizeof(vp_keywords_payload) / sizeof(vp_keywords_payload[0]);

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

/* nocase search tables: the rarest non-letter byte and Horspool shifts. */
static int prepare_nocase(struct vp_pctx *c, struct vp_content *ct)
{
	int score = 100, s;
	uint32_t i;

	ct->anchor = -1;
	for (i = 0; i < ct->len; i++) {
		s = byte_commonness(ct->pat[i]);
		if (s < score) {
			score = s;
			ct->anchor = (int)i;
		}
	}
	ct->skip = malloc(256);
	if (!ct->skip)
		return vp_rule_oom(c);
	memset(ct->skip, ct->len > 255 ? 255 : (int)ct->len, 256);
	for (i = 0; i + 1 < ct->len; i++)
		ct->skip[ct->pat[i]] = (uint8_t)(ct->len - 1 - i > 255 ? 255 : ct->len - 1 - i);
	return 0;
}

static bool elem_relative(const struct vp_elem *e)
{
	switch (e->kind) {
	case VP_EL_CONTENT: return e->u.c.flags & VP_CT_RELATIVE;
	case VP_EL_PCRE: return e->u.re.relative;
	case VP_EL_ISDATAAT: return e->u.d.relative;
	case VP_EL_BYTE_TEST:
	case VP_EL_BYTE_JUMP:
	case VP_EL_BYTE_EXTRACT: return e->u.b.flags & VP_BY_RELATIVE;
	default: return false;
	}
}

/* Sets the cursor (content/pcre that is not negated, byte_jump, byte_extract). */
static bool elem_moves(const struct vp_elem *e)
{
	switch (e->kind) {
	case VP_EL_CONTENT: return !(e->u.c.flags & VP_CT_NEGATED);
	case VP_EL_PCRE: return !e->u.re.negated;
	case VP_EL_BYTE_JUMP:
	case VP_EL_BYTE_EXTRACT: return true;
	default: return false;
	}
}

/*
 * Whether a later failure may be cured by another match of element i: some
 * later element depends on where i matched.  A following content with only
 * a distance cannot gain from a later match of i (its window only shrinks).
 */
static bool needs_retry(const struct vp_list *l, unsigned i)
{
	const struct vp_elem *n;
	unsigned j;

	for (j = i + 1; j < l->n; j++) {
		n = &l->e[j];
		if (elem_relative(n)) {
			return !(j == i + 1 && n->kind == VP_EL_CONTENT &&
				 !(n->u.c.flags &
				   (VP_CT_NEGATED | VP_CT_WITHIN | VP_CT_ENDSWITH)) &&
				 n->u.c.distance.var < 0);
		}
		if (elem_moves(n))
			return false;
	}
	return false;
}

/* Length checks first: they are cheap and do not depend on the cursor. */
static void bsize_first(struct vp_list *l)
{
	struct vp_elem tmp;
	unsigned i, k = 0;

	for (i = 0; i < l->n; i++) {
		if (l->e[i].kind != VP_EL_BSIZE)
			continue;
		if (i != k) {
			tmp = l->e[i];
			memmove(&l->e[k + 1], &l->e[k], (i - k) * sizeof(tmp));
			l->e[k] = tmp;
		}
		k++;
	}
}

static int finish_content(struct vp_pctx *c, const struct vp_list *l, struct vp_content *ct)
{
	uint32_t i;

	if ((ct->flags & VP_CT_FAST) && (ct->flags & VP_CT_NEGATED) &&
	    (ct->flags & (VP_CT_RELATIVE | VP_CT_ABSOLUTE))) {
		vp_rule_errf(c, "fast_pattern cannot be used on a negated content with depth, "
			     "offset, distance or within");
		return -EINVAL;
	}
	if (l->buf == VP_BUF_HTTP_HOST && !(ct->flags & VP_CT_NOCASE)) {
		for (i = 0; i < ct->len; i++) {
			if (ct->pat[i] >= 'A' && ct->pat[i] <= 'Z') {
				vp_rule_errf(c, "content on http.host has upper-case characters "
					     "(the buffer is lower case): use nocase");
				return -EINVAL;
			}
		}
	}
	return (ct->flags & VP_CT_NOCASE) ? prepare_nocase(c, ct) : 0;
}

static int finish_list(struct vp_pctx *c, struct vp_list *l)
{
	struct vp_elem *e;
	unsigned i;
	int ret;

	bsize_first(l);
	for (i = 0; i < l->n; i++) {
		e = &l->e[i];
		if (e->kind == VP_EL_CONTENT) {
			ret = finish_content(c, l, &e->u.c);
			if (ret < 0)
				return ret;
		}
		if ((e->kind == VP_EL_CONTENT || e->kind == VP_EL_PCRE) && elem_moves(e))
			l->has_pos = true;
		e->retry = elem_moves(e) && e->kind != VP_EL_BYTE_JUMP &&
			   e->kind != VP_EL_BYTE_EXTRACT && needs_retry(l, i);
	}
	return 0;
}

/*
 * Suricata's "pattern strength": a byte first seen scores 3 for a letter, 4
 * for other printable bytes and 0x00 0x01 0xff, 6 otherwise; repeats score 1.
 */
static unsigned pattern_strength(const uint8_t *p, uint32_t len)
{
	bool seen[256] = { false };
	unsigned s = 0;
	uint32_t i;

	for (i = 0; i < len; i++) {
		if (seen[p[i]]) {
			s++;
			continue;
		}
		seen[p[i]] = true;
		if (isalpha(p[i]))
			s += 3;
		else if (isprint(p[i]) || p[i] == 0x00 || p[i] == 0x01 || p[i] == 0xff)
			s += 4;
		else
			s += 6;
	}
	return s;
}

/* Fast-pattern priority of a buffer: app-layer buffers, then the payload, then the method. */
static int buffer_rank(int buf)
{
	if (buf == VP_BUF_HTTP_METHOD)
		return 1;
	return buf == VP_BUF_PACKET ? 2 : 3;
}

/* Whether content b (rank rb) beats the best so far a (rank ra). */
static bool better_fp(const struct vp_content *a, int ra, const struct vp_content *b, int rb)
{
	if (!a || rb != ra)
		return !a || rb > ra;
	if (b->len != a->len)
		return b->len > a->len;
	return pattern_strength(b->pat, b->len) > pattern_strength(a->pat, a->len);
}

/* Suricata's choice when fast_pattern is not written; -1 when only negated contents. */
static void choose_fast_pattern(struct vp_rule *r)
{
	const struct vp_content *best = NULL, *ct;
	int rank = 0, rk;
	unsigned i, j;

	r->fp_list = r->fp_elem = -1;
	for (i = 0; i < r->nlists; i++) {
		for (j = 0; j < r->lists[i].n; j++) {
			if (r->lists[i].e[j].kind != VP_EL_CONTENT)
				continue;
			ct = &r->lists[i].e[j].u.c;
			if (ct->flags & VP_CT_FAST) {
				r->fp_list = (ct->flags & VP_CT_NEGATED) ? -1 : (int)i;
				r->fp_elem = (ct->flags & VP_CT_NEGATED) ? -1 : (int)j;
				return;
			}
			rk = buffer_rank(r->lists[i].buf);
			if ((ct->flags & VP_CT_NEGATED) || !better_fp(best, rank, ct, rk))
				continue;
			best = ct;
			rank = rk;
			r->fp_list = (int)i;
			r->fp_elem = (int)j;
		}
	}
}

int vp_keywords_payload_finish(struct vp_pctx *c)
{
	struct vp_rule *r = c->rule;
	unsigned i;
	int ret;

	for (i = 0; i < r->nlists; i++) {
		ret = finish_list(c, &r->lists[i]);
		if (ret < 0)
			return ret;
	}
	choose_fast_pattern(r);
	return 0;
}
