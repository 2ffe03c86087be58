/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Flow and state keywords: flow, flowbits, noalert, threshold and
 * detection_filter (Suricata semantics; flowbits names get their bit
 * numbers when the set is compiled).
 */
#include "vp_build.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signatures/rule.h"

static int set_raw_mode(struct vp_pctx *c, uint8_t mode, const char *why)
{
	if (c->rule->raw_mode != VP_RAW_ANY && c->rule->raw_mode != mode) {
		vp_rule_errf(c, "%s conflicts with an earlier packet/stream choice", why);
		return -EINVAL;
	}
	c->rule->raw_mode = mode;
	return 0;
}

static int flow_opt(struct vp_pctx *c, const char *o, size_t len)
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
	if (len == 11 && strncmp(o, "only_stream", len) == 0)
		return set_raw_mode(c, VP_RAW_STREAM, "flow:only_stream");
	if (len == 9 && strncmp(o, "no_stream", len) == 0)
		return set_raw_mode(c, VP_RAW_PACKET, "flow:no_stream");
	if ((len == 9 && strncmp(o, "only_frag", len) == 0) ||
	    (len == 7 && strncmp(o, "no_frag", len) == 0))
		return vp_rule_err_text(c, "unsupported flow option", o, len);
	return vp_rule_err_text(c, "bad flow option", o, len);
}

static int kw_flow(struct vp_pctx *c, const char *v)
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
		vp_rule_trim(&o, &olen);
		ret = flow_opt(c, o, olen);
		if (ret < 0)
			return ret;
		if (!*s)
			break;
		s++;
	}
	if ((c->rule->flow_set & dirs) == dirs || (c->rule->flow_set & c->rule->flow_clear))
		return vp_rule_err_text(c, "conflicting flow options", v, strlen(v));
	return 0;
}

/* ---- flowbits ---- */

static bool bit_name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 255)
		return false;
	for (i = 0; i < len; i++)
		if (!isgraph((unsigned char)s[i]) || strchr(",|&;\"", s[i]))
			return false;
	return true;
}

static int fb_cmd(struct vp_pctx *c, const char *s, uint8_t *cmd)
{
	static const struct { const char *n; uint8_t cmd; } cmds[] = {
		{ "set", VP_FB_SET }, { "unset", VP_FB_UNSET }, { "toggle", VP_FB_TOGGLE },
		{ "isset", VP_FB_ISSET }, { "isnotset", VP_FB_ISNOTSET },
	};
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(s, cmds[i].n) == 0) {
			*cmd = cmds[i].cmd;
			return 0;
		}
	}
	return vp_rule_err_text(c, "bad flowbits command", s, strlen(s));
}

/* The names of one flowbits keyword: "a", or "a|b" for isset/isnotset (any of them). */
static int fb_names(struct vp_pctx *c, struct vp_flowbit *fb, const char *s)
{
	const char *p = s, *bar;
	size_t len;

	for (;;) {
		bar = strchr(p, '|');
		len = bar ? (size_t)(bar - p) : strlen(p);
		vp_rule_trim(&p, &len);
		if (!bit_name_ok(p, len))
			return vp_rule_err_text(c, "bad flowbits name", s, strlen(s));
		if (fb->n == VP_RULE_MAX_BITNAMES || (bar && fb->cmd != VP_FB_ISSET &&
						      fb->cmd != VP_FB_ISNOTSET))
			return vp_rule_err_text(c, "bad flowbits name", s, strlen(s));
		fb->name[fb->n] = strndup(p, len);
		if (!fb->name[fb->n])
			return vp_rule_oom(c);
		fb->n++;
		if (!bar)
			return 0;
		p = bar + 1;
	}
}

static int kw_flowbits(struct vp_pctx *c, const char *v)
{
	struct vp_rule *r = c->rule;
	char tmp[512], *argv[3];
	struct vp_flowbit *nf;
	size_t argc;
	int ret;

	ret = vp_rule_split(c, "flowbits", v, tmp, sizeof(tmp), argv, 3, &argc);
	if (ret < 0)
		return ret;
	if (argc == 1 && strcmp(argv[0], "noalert") == 0) {
		r->noalert = true;
		return 0;
	}
	if (argc != 2)
		return vp_rule_err_text(c, "bad flowbits", v, strlen(v));
	if (r->nfb == VP_RULE_MAX_FLOWBITS) {
		vp_rule_errf(c, "too many flowbits (max %d)", VP_RULE_MAX_FLOWBITS);
		return -EINVAL;
	}
	nf = realloc(r->fb, (r->nfb + 1u) * sizeof(*nf));
	if (!nf)
		return vp_rule_oom(c);
	r->fb = nf;
	nf = &r->fb[r->nfb++];
	memset(nf, 0, sizeof(*nf));
	ret = fb_cmd(c, argv[0], &nf->cmd);
	return ret < 0 ? ret : fb_names(c, nf, argv[1]);
}

static int kw_noalert(struct vp_pctx *c, const char *v)
{
	c->rule->noalert = true;
	return 0;
}

/* ---- threshold, detection_filter ---- */

static int thr_word(struct vp_pctx *c, const char *kw, const char *val,
		    const char *const *words, size_t n, uint8_t *out)
{
	size_t i;
	char what[48];

	for (i = 0; i < n; i++) {
		if (words[i] && strcmp(val, words[i]) == 0) {
			*out = (uint8_t)i;
			return 0;
		}
	}
	snprintf(what, sizeof(what), "unsupported %s", kw);
	return vp_rule_err_text(c, what, val, strlen(val));
}

/* One "name value" item; *seen collects which were given. */
static int thr_item(struct vp_pctx *c, const char *kw, char *item, struct vp_rule_thr *t,
		    unsigned *seen)
{
	static const char *const types[] = { NULL, "limit", "threshold", "both" };
	static const char *const tracks[] = { NULL, "by_src", "by_dst", "by_both", "by_rule" };
	char *val = item;
	char what[48];
	unsigned bit;
	int ret;

	while (*val && !isspace((unsigned char)*val))
		val++;
	if (*val)
		*val++ = '\0';
	while (isspace((unsigned char)*val))
		val++;
	bit = strcmp(item, "type") == 0 ? 1 : strcmp(item, "track") == 0 ? 2 :
	      strcmp(item, "count") == 0 ? 4 : strcmp(item, "seconds") == 0 ? 8 : 0;
	snprintf(what, sizeof(what), "bad %s option", kw);
	if (!bit || (bit == 1 && kw[0] == 'd') || (*seen & bit) || !*val)
		return vp_rule_err_text(c, what, item, strlen(item));
	*seen |= bit;
	if (bit == 1)
		return thr_word(c, "threshold type", val, types, 4, &t->type);
	if (bit == 2)
		return thr_word(c, "threshold track", val, tracks, 5, &t->track);
	ret = vp_rule_parse_u32(val, bit == 4 ? &t->count : &t->seconds) &&
	      (bit == 8 || t->count > 0) ? 0 : -EINVAL;
	return ret < 0 ? vp_rule_err_text(c, what, val, strlen(val)) : 0;
}

static int thr_parse(struct vp_pctx *c, const char *kw, const char *v, unsigned need)
{
	struct vp_rule_thr t = { 0 };
	char tmp[256], *argv[6];
	unsigned seen = 0;
	size_t argc, i;
	int ret;

	if (c->rule->thr.type != VP_THR_NONE) {
		vp_rule_errf(c, "threshold and detection_filter cannot be combined");
		return -EINVAL;
	}
	ret = vp_rule_split(c, kw, v, tmp, sizeof(tmp), argv, 6, &argc);
	for (i = 0; ret == 0 && i < argc; i++)
		ret = thr_item(c, kw, argv[i], &t, &seen);
	if (ret < 0)
		return ret;
	if (seen != need) {
		vp_rule_errf(c, "%s needs %s", kw,
			     need == 15 ? "type, track, count and seconds" : "track, count and "
			     "seconds");
		return -EINVAL;
	}
	if (need != 15)
		t.type = VP_THR_DETECTION_FILTER;
	c->rule->thr = t;
	return 0;
}

static int kw_threshold(struct vp_pctx *c, const char *v)
{
	return thr_parse(c, "threshold", v, 15);
}

static int kw_detection_filter(struct vp_pctx *c, const char *v)
{
	return thr_parse(c, "detection_filter", v, 14);
}

const struct vp_kw vp_keywords_flow[] = {
	{ "flow", kw_flow, VP_KW_VALUE | VP_KW_ONCE, 0 },
	{ "flowbits", kw_flowbits, VP_KW_VALUE, 0 },
	{ "noalert", kw_noalert, VP_KW_BARE, 0 },
	{ "threshold", kw_threshold, VP_KW_VALUE | VP_KW_ONCE, 0 },
	{ "detection_filter", kw_detection_filter, VP_KW_VALUE | VP_KW_ONCE, 0 },
};

const size_t vp_keywords_flow_count = sizeof(vp_keywords_flow) / sizeof(vp_keywords_flow[0]);
