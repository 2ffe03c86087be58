/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to signatures/: parses one Suricata/Snort rule (header and
 * options) into a struct vp_sig and the compiled rule it points to
 * (vp_sig.priv), which signatures/sig.c matches.  Control thread only; the
 * result is read-only afterwards and may be shared by every worker.
 */
#ifndef VP_SIGNATURES_RULE_PARSE_H
#define VP_SIGNATURES_RULE_PARSE_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif

#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "signatures/netaddr.h"
#include "signatures/sig.h"
#include "signatures/vars.h"

#define VP_RULE_MAX_LEN 65536	/* bytes of one rule, continuations joined */
#define VP_RULE_MAX_ELEMS 64	/* content + pcre keywords of one rule */

enum vp_rule_proto {
	VP_RULE_PROTO_IP = 0,	/* every packet with a valid IP header */
	VP_RULE_PROTO_TCP = 1,	/* also "http", "tcp-pkt", "tcp-stream" for now */
	VP_RULE_PROTO_UDP = 2,
	VP_RULE_PROTO_ICMP = 3,	/* ICMP and ICMPv6 */
};

enum vp_rule_elem_kind {
	VP_RULE_CONTENT = 1,
	VP_RULE_PCRE = 2,
};

/* One payload check, in rule order. */
struct vp_rule_elem {
	enum vp_rule_elem_kind kind;
	bool negated;		/* content:!"..." / pcre:!"..." matches when absent */
	bool nocase;		/* content: pat is stored lower-cased */
	bool relative;		/* pcre R: searched from the end of the previous match */
	bool pos_used;		/* a later relative element depends on where this matched */
	uint8_t *pat;		/* content bytes */
	size_t len;
	uint8_t *skip;		/* nocase content: Horspool shift table, 256 entries */
	int anchor;		/* nocase content: index of a rare non-letter byte to memchr, or -1 */
	pcre2_code *re;		/* pcre, compiled (JIT added by vp_sig_set_compile) */
};

struct vp_rule {
	enum vp_rule_proto proto;
	bool bidir;				/* "<>" */
	struct vp_netaddr *src, *dst;		/* NULL when "any" */
	struct vp_netaddr *sport, *dport;	/* NULL when "any" */
	uint32_t flow_set;			/* VP_PKT_* bits that must be set */
	uint32_t flow_clear;			/* VP_PKT_* bits that must be clear */
	struct vp_rule_elem *elems;
	size_t nelems;
	int fast;				/* index of the fast pattern content, or -1 */
	char **refs;				/* reference values as written ("cve,2021-41773") */
	size_t nrefs;
};

/*
 * Parses the rule <text> into <sig> (zeroed by the caller; file and line are
 * left alone) with variables from <vars> (may be NULL).  On success sig->priv
 * is a struct vp_rule and every string field is owned by <sig> (release with
 * vp_rule_parse_clear).  Returns 0, or -EINVAL / -ENOMEM with the exact
 * message in <err>, and <sig> cleared.  Control thread.
 */
int vp_rule_parse_sig(struct vp_sig *sig, const char *text, const struct vp_vars *vars,
		      char *err, size_t errlen);

/* Frees what vp_rule_parse_sig() stored in <sig> (not sig->file) and zeroes those fields. */
void vp_rule_parse_clear(struct vp_sig *sig);

#endif
