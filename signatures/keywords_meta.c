/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Meta keywords: msg sid rev gid classtype priority reference metadata
 * target.  They describe the rule and never affect matching.
 */
#include "vp_build.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signatures/rule.h"
#include "normalize/utf8.h"

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

/* Appends <s> as a JSON string; bytes that are not valid UTF-8 become \u00XX. */
static void sb_json_str(struct sbuf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), l;
	char esc[8];

	sb_add(b, "\"", 1);
	while (n) {
		l = vp_utf8_seq_len(u, n);
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

/* ---- metadata pairs ---- */

static int meta_add(struct vp_pctx *c, const char *key, size_t klen, const char *val,
		    size_t vlen)
{
	struct vp_meta_pair *np;
	size_t n;

	if (c->nmeta == c->ameta) {
		n = c->ameta ? c->ameta * 2 : 8;
		np = realloc(c->meta, n * sizeof(*np));
		if (!np)
			return vp_rule_oom(c);
		c->meta = np;
		c->ameta = n;
	}
	np = &c->meta[c->nmeta];
	np->key = strndup(key, klen);
	np->val = strndup(val, vlen);
	if (!np->key || !np->val) {
		free(np->key);
		free(np->val);
		return vp_rule_oom(c);
	}
	c->nmeta++;
	return 0;
}

void vp_keywords_meta_free(struct vp_pctx *c)
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

/* The values of key c->meta[i].key, from i on, as a JSON array. */
static void meta_values(struct vp_pctx *c, size_t i, struct sbuf *b)
{
	bool first = true;
	size_t j;

	sb_add(b, ":[", 2);
	for (j = i; j < c->nmeta; j++) {
		if (strcmp(c->meta[j].key, c->meta[i].key) != 0)
			continue;
		if (!first)
			sb_add(b, ",", 1);
		sb_json_str(b, c->meta[j].val);
		first = false;
	}
	sb_add(b, "]", 1);
}

/* {"key":["v1","v2"],...}: keys in order of first appearance, values in order. */
int vp_keywords_meta_json(struct vp_pctx *c)
{
	struct sbuf b = { 0 };
	bool first = true;
	size_t i, k;

	if (c->nmeta == 0)
		return 0;
	sb_add(&b, "{", 1);
	for (i = 0; i < c->nmeta; i++) {
		for (k = 0; k < i; k++)
			if (strcmp(c->meta[k].key, c->meta[i].key) == 0)
				break;
		if (k < i)
			continue;	/* already written with its first appearance */
		if (!first)
			sb_add(&b, ",", 1);
		first = false;
		sb_json_str(&b, c->meta[i].key);
		meta_values(c, i, &b);
	}
	sb_add(&b, "}", 1);
	if (b.fail) {
		free(b.p);
		return vp_rule_oom(c);
	}
	c->sig->metadata_json = b.p;
	return 0;
}

/* ---- keyword handlers ---- */

static int kw_msg(struct vp_pctx *c, const char *v)
{
	return vp_rule_value_text(c, "msg", v, &c->sig->msg);
}

static int kw_u32(struct vp_pctx *c, const char *kw, const char *v, uint32_t *out,
		  bool nonzero)
{
	if (!vp_rule_parse_u32(v, out) || (nonzero && *out == 0)) {
		vp_rule_errf(c, "bad %s '%.*s'", kw, VP_RULE_MAX_QUOTE, v);
		return -EINVAL;
	}
	return 0;
}

static int kw_sid(struct vp_pctx *c, const char *v)
{
	c->have_sid = true;
	return kw_u32(c, "sid", v, &c->sig->sid, true);
}

static int kw_rev(struct vp_pctx *c, const char *v)
{
	return kw_u32(c, "rev", v, &c->sig->rev, false);
}

static int kw_gid(struct vp_pctx *c, const char *v)
{
	return kw_u32(c, "gid", v, &c->sig->gid, true);
}

static int kw_priority(struct vp_pctx *c, const char *v)
{
	uint32_t p;

	if (!vp_rule_parse_u32(v, &p) || p < 1 || p > 255) {
		vp_rule_errf(c, "bad priority '%.*s'", VP_RULE_MAX_QUOTE, v);
		return -EINVAL;
	}
	c->sig->priority = (int)p;
	c->have_prio = true;
	return 0;
}

static int kw_classtype(struct vp_pctx *c, const char *v)
{
	const struct vp_classtype *ct = vp_classtype_lookup(c->env->classes, v);

	if (!ct) {
		vp_rule_errf(c, "unknown classtype '%.*s'", VP_RULE_MAX_QUOTE, v);
		return -EINVAL;
	}
	c->sig->classtype = strdup(ct->name);
	c->sig->category = strdup(ct->desc);
	if (!c->sig->classtype || !c->sig->category)
		return vp_rule_oom(c);
	c->class_prio = ct->priority;
	return 0;
}

static int add_ref(struct vp_pctx *c, const char *v)
{
	char **nr = realloc(c->rule->refs, (c->rule->nrefs + 1) * sizeof(*nr));

	if (!nr)
		return vp_rule_oom(c);
	c->rule->refs = nr;
	nr[c->rule->nrefs] = strdup(v);
	if (!nr[c->rule->nrefs])
		return vp_rule_oom(c);
	c->rule->nrefs++;
	return 0;
}

/* reference:type,id; a cve reference also goes to metadata "cve" as CVE-<id>. */
static int kw_reference(struct vp_pctx *c, const char *v)
{
	const char *comma = strchr(v, ','), *type = v, *id;
	size_t tlen, ilen;
	char cve[128];
	int ret;

	if (!comma)
		return vp_rule_err_text(c, "bad reference", v, strlen(v));
	tlen = (size_t)(comma - v);
	id = comma + 1;
	ilen = strlen(id);
	vp_rule_trim(&type, &tlen);
	vp_rule_trim(&id, &ilen);
	if (!tlen || !ilen)
		return vp_rule_err_text(c, "bad reference", v, strlen(v));
	ret = add_ref(c, v);
	if (ret < 0 || tlen != 3 || strncasecmp(type, "cve", 3) != 0)
		return ret;
	if (ilen > 4 && strncasecmp(id, "cve-", 4) == 0) {
		id += 4;
		ilen -= 4;
	}
	if (ilen > sizeof(cve) - 5)
		return vp_rule_err_text(c, "bad reference", v, strlen(v));
	snprintf(cve, sizeof(cve), "CVE-%.*s", (int)ilen, id);
	return meta_add(c, "cve", 3, cve, strlen(cve));
}

/* One "key value" item of metadata (trimmed, not empty). */
static int meta_item(struct vp_pctx *c, const char *s, size_t len)
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
	vp_rule_trim(&val, &vlen);
	if (!vlen)
		return vp_rule_err_text(c, "bad metadata", s, len);
	if (val[0] != '"')
		return meta_add(c, k, klen, val, vlen);
	q = vp_rule_close_quote(val, vlen);
	if (q < 0 || (size_t)q != vlen - 1)
		return vp_rule_err_text(c, "bad metadata", s, len);
	u = vp_rule_unescape_dup(val + 1, vlen - 2);
	if (!u)
		return vp_rule_oom(c);
	ret = meta_add(c, k, klen, u, strlen(u));
	free(u);
	return ret;
}

static int kw_metadata(struct vp_pctx *c, const char *v)
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
		if (inq) {
			vp_rule_errf(c, "unterminated string in metadata");
			return -EINVAL;
		}
		ilen = (size_t)(s - item);
		vp_rule_trim(&item, &ilen);
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

/* target:src_ip|dest_ip: which side is the target (recorded, no effect on matching). */
static int kw_target(struct vp_pctx *c, const char *v)
{
	if (strcmp(v, "src_ip") == 0)
		c->rule->target = 1;
	else if (strcmp(v, "dest_ip") == 0)
		c->rule->target = 2;
	else
		return vp_rule_err_text(c, "bad target", v, strlen(v));
	return 0;
}

const struct vp_kw vp_keywords_meta[] = {
	{ "msg", kw_msg, VP_KW_VALUE | VP_KW_ONCE, 0 },
	{ "sid", kw_sid, VP_KW_VALUE | VP_KW_ONCE, 0 },
	{ "rev", kw_rev, VP_KW_VALUE | VP_KW_ONCE, 0 },
	{ "gid", kw_gid, VP_KW_VALUE | VP_KW_ONCE, 0 },
	{ "classtype", kw_classtype, VP_KW_VALUE | VP_KW_ONCE, 0 },
	{ "priority", kw_priority, VP_KW_VALUE | VP_KW_ONCE, 0 },
	{ "reference", kw_reference, VP_KW_VALUE, 0 },
	{ "metadata", kw_metadata, VP_KW_VALUE, 0 },
	{ "target", kw_target, VP_KW_VALUE | VP_KW_ONCE, 0 },
};

const size_t vp_keywords_meta_count = sizeof(vp_keywords_meta) / sizeof(vp_keywords_meta[0]);
