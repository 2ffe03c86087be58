/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to signatures/: verifies one rule against one call's data -- the
 * header conditions against the packet, and each payload list against its
 * buffer (content, pcre, byte_*, isdataat, bsize with Suricata's cursor and
 * backtracking rules).  Worker threads; no allocation, no lock.
 */
#ifndef VP_SIGNATURES_EVAL_H
#define VP_SIGNATURES_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inspect/packet.h"
#include "signatures/rule.h"

#define VP_EVAL_BUDGET 3000	/* element checks per list and call: backtracking bound */

/* One worker's matching scratch (owned by its struct vp_sig_thread). */
struct vp_eval {
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	unsigned budget;
	bool need_new;		/* STREAM: a match must end past new_off */
	size_t new_off;
	uint64_t vars[VP_RULE_MAX_VARS];	/* byte_extract values */
	uint64_t pcre_errors;	/* match/depth/heap limit hits */
	uint64_t budget_hits;
};

/* Header conditions of <r> (addresses, ports, flow, ttl, flags, itype ...) on <p>. */
bool vp_eval_header(const struct vp_rule *r, const struct vp_packet *p);

/*
 * Whether list <l> matches buf[0..len).  When ev->need_new, a match only
 * counts if one of its content/pcre matches ends past ev->new_off (a list
 * without such elements: if the buffer has bytes past it).
 */
bool vp_eval_list(struct vp_eval *ev, const struct vp_list *l, const uint8_t *buf, size_t len);

#endif
