/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signatures/rule_parse.h"

#define DEFAULT_PRIORITY 3

/* ---- keywords ---- */

static const struct {
	const struct vp_kw *tab;
	const size_t *count;
} tables[] = {
	{ vp_keywords_meta, &vp_keywords_meta_count },
	{ vp_keywords_payload, &vp_keywords_payload_count },
	{ vp_keywords_buffer, &vp_keywords_buffer_count },
	{ vp_keywords_byte, &vp_keywords_byte_count },
	{ vp_keywords_flow, &vp_keywords_flow_count },
	{ vp_keywords_header, &vp_keywords_header_count },
};

/* The keyword being run: handlers shared by several names read their arg from it. */
const struct vp_kw *vp_rule_current_kw(const struct vp_pctx *c)
{
	return c->kw;
}

static const struct vp_kw *find_keyword(const char *key, size_t klen)
{
	const struct vp_kw *k;
	size_t t, i;

	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		for (i = 0; i < *tables[t].count; i++) {
			k = &tables[t].tab[i];
			if (k->name[0] == key[0] && strlen(k->name) == klen &&
			    memcmp(k->name, key, klen) == 0)
				return k;
		}
	}
	return NULL;
}

static int check_once(struct vp_pctx *c, const struct vp_kw *k)
{
	unsigned i;

	for (i = 0; i < c->nonce; i++) {
		if (c->once[i] == k) {
			vp_rule_errf(c, "duplicate keyword '%s'", k->name);
			return -EINVAL;
		}
	}
	if (c->nonce < VP_PCTX_MAX_ONCE)
		c->once[c->nonce++] = k;
	return 0;
}

static int run_keyword(struct vp_pctx *c, const char *key, size_t klen, const char *val)
{
	const struct vp_kw *k = find_keyword(key, klen);
	int ret;

	if (!k)
		return vp_rule_err_text(c, "unsupported keyword", key, klen);
	if ((k->flags & VP_KW_ONCE) && check_once(c, k) < 0)
		return -EINVAL;
	if ((k->flags & VP_KW_VALUE) && (!val || !*val)) {
		vp_rule_errf(c, "keyword '%s' needs a value", k->name);
		return -EINVAL;
	}
	if ((k->flags & VP_KW_BARE) && val) {
		vp_rule_errf(c, "keyword '%s' takes no value", k->name);
		return -EINVAL;
	}
	c->kw = k;
	ret = k->fn(c, val);
	c->kw = NULL;
	return ret;
}

static bool key_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '.' || ch == '-';
}

/*
 * The value after ':' up to the first ';' not escaped by a backslash (as
 * Suricata: quotes do not protect a ';'), trimmed and copied.
 */
static int option_value(struct vp_pctx *c, const char **sp, const char *end, char **val)
{
	const char *s = *sp, *vs = s;
	size_t vlen;

	for (; s < end && *s != ';'; s++)
		if (*s == '\\' && s + 1 < end)
			s++;
	*sp = s;
	vlen = (size_t)(s - vs);
	vp_rule_trim(&vs, &vlen);
	*val = strndup(vs, vlen);
	return *val ? 0 : vp_rule_oom(c);
}

/*
 * Splits the option list body s[0..len) into key[:value] items separated by
 * ';' (not inside quotes, not escaped) and runs each.
 */
static int parse_options(struct vp_pctx *c, const char *s, size_t len)
{
	const char *end = s + len, *key;
	size_t klen, i;
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
		vp_rule_trim(&key, &klen);
		for (i = 0; i < klen; i++)
			if (!key_char(key[i]))
				return vp_rule_err_text(c, "bad option", key, klen);
		val = NULL;
		if (s < end && *s == ':') {
			s++;
			ret = option_value(c, &s, end, &val);
			if (ret < 0)
				return ret;
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

static int parse_action(struct vp_pctx *c, const char *t, size_t len)
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
		return vp_rule_err_text(c, "bad action", t, len);
	return 0;
}

static int parse_proto(struct vp_pctx *c, const char *t, size_t len)
{
	static const struct {
		const char *name;
		uint8_t proto, raw;
		bool http;
	} protos[] = {
		{ "ip", VP_RULE_PROTO_IP, VP_RAW_ANY, false },
		{ "tcp", VP_RULE_PROTO_TCP, VP_RAW_ANY, false },
		{ "udp", VP_RULE_PROTO_UDP, VP_RAW_ANY, false },
		{ "icmp", VP_RULE_PROTO_ICMP, VP_RAW_ANY, false },
		{ "http", VP_RULE_PROTO_TCP, VP_RAW_ANY, true },
		{ "http1", VP_RULE_PROTO_TCP, VP_RAW_ANY, true },
		{ "tcp-pkt", VP_RULE_PROTO_TCP, VP_RAW_PACKET, false },
		{ "tcp-stream", VP_RULE_PROTO_TCP, VP_RAW_STREAM, false },
	};
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		if (strlen(protos[i].name) == len && strncasecmp(protos[i].name, t, len) == 0) {
			c->rule->proto = protos[i].proto;
			c->rule->raw_mode = protos[i].raw;
			c->rule->app_http = protos[i].http;
			return 0;
		}
	}
	return vp_rule_err_text(c, "bad protocol", t, len);
}

/* Parses an address (ports=false) or port token into *out, NULL for "any". */
static int parse_net(struct vp_pctx *c, const char *t, size_t len, bool ports,
		     struct vp_netaddr **out)
{
	const struct vp_vars *vars = c->env ? c->env->vars : NULL;
	char *s = strndup(t, len);
	struct vp_netaddr *n;

	if (!s)
		return vp_rule_oom(c);
	n = ports ? vp_netaddr_parse_ports(s, vars, c->err, c->errlen)
		  : vp_netaddr_parse_addrs(s, vars, c->err, c->errlen);
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

/* Ports mean TCP/UDP: an ip rule with ports sees only those; icmp takes none. */
static int check_ports(struct vp_pctx *c, const char *tok[7], const size_t tl[7])
{
	struct vp_rule *r = c->rule;
	size_t n;

	if (!r->sport && !r->dport)
		return 0;
	if (r->proto == VP_RULE_PROTO_IP) {
		r->ports = true;
		return 0;
	}
	if (r->proto != VP_RULE_PROTO_ICMP)
		return 0;
	n = r->sport ? tl[3] : tl[6];
	vp_rule_errf(c, "ports must be 'any' for protocol '%.*s', got '%.*s'", (int)tl[1], tok[1],
		     n > VP_RULE_MAX_QUOTE ? VP_RULE_MAX_QUOTE : (int)n,
		     r->sport ? tok[3] : tok[6]);
	return -EINVAL;
}

static int header_fields(struct vp_pctx *c, const char *tok[7], const size_t tl[7])
{
	struct vp_rule *r = c->rule;
	int ret;

	ret = parse_action(c, tok[0], tl[0]);
	if (!ret)
		ret = parse_proto(c, tok[1], tl[1]);
	if (!ret)
		ret = parse_net(c, tok[2], tl[2], false, &r->src);
	if (!ret)
		ret = parse_net(c, tok[3], tl[3], true, &r->sport);
	if (!ret && !tok_is(tok[4], tl[4], "->") && !tok_is(tok[4], tl[4], "<>"))
		ret = vp_rule_err_text(c, "bad direction", tok[4], tl[4]);
	r->bidir = tok_is(tok[4], tl[4], "<>");
	if (!ret)
		ret = parse_net(c, tok[5], tl[5], false, &r->dst);
	if (!ret)
		ret = parse_net(c, tok[6], tl[6], true, &r->dport);
	return ret ? ret : check_ports(c, tok, tl);
}

/* Parses the header; on success <body>, <blen>: the text between '(' and the final ')'. */
static int parse_header(struct vp_pctx *c, const char *text, const char **body, size_t *blen)
{
	const char *p = text, *tok[7], *t, *end;
	size_t tl[7], len, i;

	for (i = 0; i < 7; i++) {
		next_token(&p, &tok[i], &tl[i]);
		if (tl[i] == 0) {
			vp_rule_errf(c, i == 0 && !*p ? "empty rule" : "incomplete rule header");
			return -EINVAL;
		}
	}
	while (*p && isspace((unsigned char)*p))
		p++;
	if (!*p) {
		vp_rule_errf(c, "rule has no options");
		return -EINVAL;
	}
	if (*p != '(') {
		next_token(&p, &t, &len);
		return vp_rule_err_text(c, "expected '(' after the rule header, got", t, len);
	}
	end = p + strlen(p);
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (end - p < 2 || end[-1] != ')') {
		vp_rule_errf(c, "missing ')' at the end of the rule");
		return -EINVAL;
	}
	*body = p + 1;
	*blen = (size_t)(end - 1 - (p + 1));
	return header_fields(c, tok, tl);
}

/* ---- finishing ---- */

/* Lists emptied by legacy modifiers go away. */
static void drop_empty_lists(struct vp_rule *r)
{
	unsigned i, k = 0;

	r->bufmask = 0;
	for (i = 0; i < r->nlists; i++) {
		if (r->lists[i].n == 0) {
			free(r->lists[i].e);
			continue;
		}
		r->lists[k++] = r->lists[i];
		r->bufmask |= 1ull << r->lists[k - 1].buf;
	}
	r->nlists = (uint8_t)k;
}

static bool is_http_buffer(unsigned buf)
{
	return buf >= VP_BUF_HTTP_METHOD && buf < VP_BUF_COUNT;
}

static int check_buffers(struct vp_pctx *c)
{
	const struct vp_rule *r = c->rule;
	unsigned i;

	if (r->proto != VP_RULE_PROTO_UDP && r->proto != VP_RULE_PROTO_ICMP)
		return 0;
	for (i = 0; i < r->nlists; i++) {
		if (is_http_buffer(r->lists[i].buf)) {
			vp_rule_errf(c, "%s needs protocol tcp or http",
				     vp_rule_buffer_name(r->lists[i].buf));
			return -EINVAL;
		}
	}
	return 0;
}

/* Suricata's flowbits class for ordering: 4 set only, 3 set and read, 2 read, 1 none. */
static void flowbits_type(struct vp_rule *r)
{
	bool rd = false, wr = false;
	unsigned i;

	for (i = 0; i < r->nfb; i++) {
		if (r->fb[i].cmd == VP_FB_ISSET || r->fb[i].cmd == VP_FB_ISNOTSET)
			rd = true;
		else
			wr = true;
	}
	r->fb_type = wr && rd ? 3 : wr ? 4 : rd ? 2 : 1;
}

static int finish(struct vp_pctx *c)
{
	struct vp_sig *sig = c->sig;
	int ret;

	if (!c->have_sid) {
		vp_rule_errf(c, "rule has no sid");
		return -EINVAL;
	}
	if (!c->have_prio)
		sig->priority = sig->classtype ? c->class_prio : DEFAULT_PRIORITY;
	drop_empty_lists(c->rule);
	ret = check_buffers(c);
	if (ret == 0)
		ret = vp_keywords_payload_finish(c);
	if (ret < 0)
		return ret;
	flowbits_type(c->rule);
	return vp_keywords_meta_json(c);
}

void vp_rule_parse_clear(struct vp_sig *sig)
{
	if (!sig)
		return;
	vp_rule_free(sig->priv);
	free(sig->msg);
	free(sig->classtype);
	free(sig->category);
	free(sig->metadata_json);
	sig->priv = NULL;
	sig->msg = sig->classtype = sig->category = sig->metadata_json = NULL;
}

int vp_rule_parse_sig(struct vp_sig *sig, const char *text, const struct vp_rule_env *env,
		      char *err, size_t errlen)
{
	static const struct vp_rule_env no_env = { 0 };
	struct vp_pctx c = { .sig = sig, .env = env ? env : &no_env, .err = err,
			     .errlen = errlen, .sticky = -1, .ct_list = -1, .ct_elem = -1,
			     .pm_list = -1 };
	const char *body = NULL;
	size_t blen = 0;
	int ret;

	if (errlen)
		err[0] = '\0';
	sig->gid = 1;
	c.rule = calloc(1, sizeof(*c.rule));
	if (!c.rule)
		return vp_rule_oom(&c);
	c.rule->fp_list = c.rule->fp_elem = -1;
	sig->priv = c.rule;
	if (strlen(text) > VP_RULE_MAX_LEN) {
		vp_rule_errf(&c, "rule too long");
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
	vp_keywords_meta_free(&c);
	if (ret < 0)
		vp_rule_parse_clear(sig);
	return ret;
}
