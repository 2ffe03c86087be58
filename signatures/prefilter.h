/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to signatures/: the multi-pattern prefilter.  Every rule's fast
 * pattern goes into one Hyperscan (Vectorscan) literal database per
 * inspection buffer; scanning a buffer reports, once each, the rules whose
 * fast pattern occurs in it -- the only rules worth verifying.  Identical
 * patterns are compiled once and map to the list of their rules.
 *
 * Built on the control thread, read-only afterwards; each worker scans with
 * its own scratch (vp_prefilter_scratch_new).
 */
#ifndef VP_SIGNATURES_PREFILTER_H
#define VP_SIGNATURES_PREFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "signatures/sig.h"

struct vp_prefilter;
struct vp_prefilter_scratch;

/*
 * Database numbers: an enum vp_sig_buffer, or VP_PF_PKT_ONLY, the payload
 * fast patterns of the rules that read the packet only (flow:no_stream,
 * dsize, tcp-pkt), scanned over a TCP packet's payload when the stream
 * database already covers the other payload rules.  VP_PF_PKT_HEAD holds
 * the payload fast patterns of contents confined to the start of the buffer
 * (startswith, or absolute offset/depth with constants), scanned over that
 * start only, wherever VP_BUF_PACKET is scanned.
 */
#define VP_PF_PKT_ONLY VP_BUF_COUNT
#define VP_PF_PKT_HEAD (VP_BUF_COUNT + 1)
#define VP_PF_DB_COUNT (VP_BUF_COUNT + 2)

/* One rule's fast pattern. */
struct vp_prefilter_pat {
	uint8_t db;		/* a database number above (VP_BUF_PACKET: the raw payload) */
	bool caseless;
	const uint8_t *bytes;	/* borrowed for the duration of the build */
	uint32_t len;
	uint32_t id;		/* what a scan reports (the rule's evaluation rank) */
};

/*
 * Compiles <n> patterns.  Returns the prefilter (vp_prefilter_free), or NULL
 * with a message in <err> (compile error, ENOMEM).  Control thread.
 */
struct vp_prefilter *vp_prefilter_build(const struct vp_prefilter_pat *pats, size_t n,
					char *err, size_t errlen);
void vp_prefilter_free(struct vp_prefilter *pf);	/* NULL-safe */

/* Whether database <db> has patterns. */
bool vp_prefilter_has(const struct vp_prefilter *pf, unsigned db);

/* Distinct patterns compiled (statistics). */
size_t vp_prefilter_patterns(const struct vp_prefilter *pf);

/* Scratch for one worker, large enough for every database of <pf>; NULL on failure. */
struct vp_prefilter_scratch *vp_prefilter_scratch_new(const struct vp_prefilter *pf);
void vp_prefilter_scratch_free(struct vp_prefilter_scratch *s);	/* NULL-safe */

typedef void (*vp_prefilter_hit_fn)(void *ctx, uint32_t id);

/*
 * Scans data[0..len) with database <db>, calling <hit> once per id whose
 * pattern occurs (an id may be reported by several patterns).  0, or -EIO
 * when the scan failed.  Owner of <s>; no allocation.
 */
int vp_prefilter_scan(const struct vp_prefilter *pf, struct vp_prefilter_scratch *s,
		      unsigned db, const uint8_t *data, size_t len, vp_prefilter_hit_fn hit,
		      void *ctx);

#endif
