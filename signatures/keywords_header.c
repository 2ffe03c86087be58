/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Header keywords: flags, ttl, itype, icode, ip_proto, sameip, dsize
 * (Suricata semantics; numbers use the integer-keyword syntax: N, <N, >N,
 * <=N, >=N, !N, N-M, N<>M).
 */
#include "vp_build.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "signatures/rule.h"

static int cmp_kw(struct vp_pctx *c, const char *v, uint64_t max, uint32_t bit,
		  struct vp_cmp *out)
{
	const char *kw = vp_rule_current_kw(c)->name;
	char what[32];

	if (c->rule->hdr & bit) {
		vp_rule_errf(c, "duplicate keyword '%s'", kw);
		return -EINVAL;
	}
	if (!vp_rule_parse_cmp(v, max, out)) {
		snprintf(what, sizeof(what), "bad %s", kw);
		return vp_rule_err_text(c, what, v, strlen(v));
	}
	c->rule->hdr |= bit;
	return 0;
}

static int kw_ttl(struct vp_pctx *c, const char *v)
{
	return cmp_kw(c, v, 255, VP_HDR_TTL, &c->rule->ttl);
}

static int kw_itype(struct vp_pctx *c, const char *v)
{
	return cmp_kw(c, v, 255, VP_HDR_ITYPE, &c->rule->itype);
}

static int kw_icode(struct vp_pctx *c, const char *v)
{
	return cmp_kw(c, v, 255, VP_HDR_ICODE, &c->rule->icode);
}

/* dsize inspects this packet's payload: the rule's raw content does too (Suricata). */
static int kw_dsize(struct vp_pctx *c, const char *v)
{
	int ret = cmp_kw(c, v, 65535, VP_HDR_DSIZE, &c->rule->dsize);

	if (ret < 0)
		return ret;
	if (c->rule->raw_mode == VP_RAW_STREAM) {
		vp_rule_errf(c, "dsize conflicts with stream inspection");
		return -EINVAL;
	}
	c->rule->raw_mode = VP_RAW_PACKET;
	return 0;
}

static int kw_sameip(struct vp_pctx *c, const char *v)
{
	c->rule->hdr |= VP_HDR_SAMEIP;
	return 0;
}

/* A protocol name or number. */
static bool proto_value(const char *s, uint64_t *out)
{
	static const struct { const char *name; uint8_t num; } names[] = {
		{ "icmp", 1 }, { "igmp", 2 }, { "ipip", 4 }, { "tcp", 6 }, { "egp", 8 },
		{ "udp", 17 }, { "ipv6", 41 }, { "rsvp", 46 }, { "gre", 47 }, { "esp", 50 },
		{ "ah", 51 }, { "ipv6-icmp", 58 }, { "icmpv6", 58 }, { "pim", 103 },
		{ "vrrp", 112 }, { "sctp", 132 },
	};
	int64_t v;
	size_t i;

	while (isspace((unsigned char)*s))
		s++;
	if (vp_rule_parse_int(s, 0, 255, false, &v)) {
		*out = (uint64_t)v;
		return true;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(s, names[i].name) == 0) {
			*out = names[i].num;
			return true;
		}
	}
	return false;
}

/* ip_proto:[!|<|>|=]<number or name> */
static int kw_ip_proto(struct vp_pctx *c, const char *v)
{
	struct vp_cmp *cmp = &c->rule->ipproto;
	const char *s = v;

	if (c->rule->hdr & VP_HDR_IPPROTO) {
		vp_rule_errf(c, "duplicate keyword 'ip_proto'");
		return -EINVAL;
	}
	cmp->op = VP_CMP_EQ;
	if (*s == '!' || *s == '<' || *s == '>' || *s == '=') {
		cmp->op = *s == '!' ? VP_CMP_NE : *s == '<' ? VP_CMP_LT :
			  *s == '>' ? VP_CMP_GT : VP_CMP_EQ;
		s++;
	}
	if (!proto_value(s, &cmp->a))
		return vp_rule_err_text(c, "bad ip_proto", v, strlen(v));
	c->rule->hdr |= VP_HDR_IPPROTO;
	return 0;
}

static int flag_bit(char ch)
{
	switch (ch) {
	case 'F': return VP_TCP_FIN;
	case 'S': return VP_TCP_SYN;
	case 'R': return VP_TCP_RST;
	case 'P': return VP_TCP_PSH;
	case 'A': return VP_TCP_ACK;
	case 'U': return VP_TCP_URG;
	case 'C': case '1': return VP_TCP_CWR;
	case 'E': case '2': return VP_TCP_ECE;
	default: return -1;
	}
}

/* The flags part: letters, '0' (none), and one modifier + * ! anywhere. */
static int flags_main(struct vp_pctx *c, const char *s, size_t len)
{
	struct vp_rule *r = c->rule;
	bool mod = false, zero = false;
	size_t i;
	int b;

	for (i = 0; i < len; i++) {
		if (strchr("+*!", s[i])) {
			if (mod)
				return vp_rule_err_text(c, "bad flags", s, len);
			mod = true;
			r->tcp_mod = s[i] == '+' ? VP_FLAGS_PLUS :
				     s[i] == '*' ? VP_FLAGS_ANY : VP_FLAGS_NOT;
		} else if (s[i] == '0') {
			zero = true;
		} else if ((b = flag_bit(s[i])) >= 0) {
			r->tcp_flags |= (uint8_t)b;
		} else if (!isspace((unsigned char)s[i])) {
			return vp_rule_err_text(c, "bad flags", s, len);
		}
	}
	if ((zero && r->tcp_flags) || (!zero && !r->tcp_flags))
		return vp_rule_err_text(c, "bad flags", s, len);
	return 0;
}

/* flags:[+*!]<FSRPAUCE0>[,<mask of flags to ignore>] */
static int kw_flags(struct vp_pctx *c, const char *v)
{
	const char *comma = strchr(v, ',');
	size_t len = comma ? (size_t)(comma - v) : strlen(v);
	int ret, b;

	ret = flags_main(c, v, len);
	if (ret < 0 || !comma)
		goto out;
	for (comma++; *comma; comma++) {
		if (isspace((unsigned char)*comma))
			continue;
		b = flag_bit(*comma);
		if (b < 0)
			return vp_rule_err_text(c, "bad flags mask", v, strlen(v));
		c->rule->tcp_ignore |= (uint8_t)b;
	}
out:
	if (ret == 0)
		c->rule->hdr |= VP_HDR_FLAGS;
	return ret;
}

const struct vp_kw vp_keywords_header[] = {
	{ "ttl", kw_ttl, VP_KW_VALUE, 0 },
	{ "itype", kw_itype, VP_KW_VALUE, 0 },
	{ "icode", kw_icode, VP_KW_VALUE, 0 },
	{ "dsize", kw_dsize, VP_KW_VALUE, 0 },
	{ "sameip", kw_sameip, VP_KW_BARE | VP_KW_ONCE, 0 },
	{ "ip_proto", kw_ip_proto, VP_KW_VALUE, 0 },
	{ "flags", kw_flags, VP_KW_VALUE | VP_KW_ONCE, 0 },
};

const size_t vp_keywords_header_count =
	sizeof(vp_keywords_header) / sizeof(vp_keywords_header[0]);
