/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to signatures/: the multi-pattern prefilter.  Fast patterns are
 * compiled into Hyperscan (Vectorscan) literal databases -- one per
 * inspection buffer, plus the payload databases of each port group (see
 * sig_priv.h); scanning a buffer reports the rules whose fast pattern occurs
 * in it, the only rules worth verifying.  Identical patterns are compiled
 * once and map to the list of their rules.
 *
 * A database is either "once" (each pattern reported at most once per
 * scan: the HTTP buffers) or "every" (each occurrence with its end offset:
 * the payload databases, so the stream can be scanned incrementally;
 * vp_prefilter_scan() still reports each pattern's ids once per call).
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
 * The fixed database numbers: an enum vp_sig_buffer (VP_BUF_PACKET: the
 * payload fast patterns of every rule, scanned over the packet or the
 * stream), then:
 *   VP_PF_PKT_ONLY  the payload fast patterns of the rules that read the
 *                   packet only (flow:no_stream, dsize, tcp-pkt), scanned
 *                   over a TCP packet's payload when the stream database
 *                   already covers the other payload rules;
 *   VP_PF_PKT_HEAD  payload fast patterns of contents confined to the first
 *                   bytes of the buffer (startswith, or absolute offset and
 *                   depth ending within VP_PF_HEAD_MAX), scanned over that
 *                   start only, wherever the payload database is scanned.
 * The others are numbered from VP_PF_FIXED on as a build makes them: the
 * body pairs (http.response_body with to-client file.data, and the request
 * side: a body that is both buffers is scanned once) and the port groups'.
 */
#define VP_PF_PKT_ONLY VP_BUF_COUNT
#define VP_PF_PKT_HEAD (VP_BUF_COUNT + 1)
#define VP_PF_FIXED (VP_BUF_COUNT + 2)
#define VP_PF_NONE 0xffffu	/* no database */
#define VP_PF_BUILD_THREADS 4	/* threads compiling a build's databases, at most */
#define VP_PF_HEAD_MAX 64	/* head contents ending later go to the payload database */

/* One rule's fast pattern. */
struct vp_prefilter_pat {
	uint16_t db;		/* database number (< the build's ndb) */
	bool caseless;
	const uint8_t *bytes;	/* borrowed for the duration of the build; the first
				 * not NUL (Vectorscan's literal API) */
	uint32_t len;
	uint32_t id;		/* what a scan reports (the rule's evaluation rank) */
};

/*
 * Compiles <n> patterns into <ndb> databases; every[db] (may be NULL: all
 * "once") marks the "every" databases.  Returns the prefilter
 * (vp_prefilter_free), or NULL with a message in <err> (compile error,
 * an empty pattern or one starting with NUL, ENOMEM).  Control thread; it compiles with up to VP_PF_BUILD_THREADS
 * threads of its own, joined before it returns.
 */
struct vp_prefilter *vp_prefilter_build(const struct vp_prefilter_pat *pats, size_t n,
					unsigned ndb, const bool *every, char *err,
					size_t errlen);
void vp_prefilter_free(struct vp_prefilter *pf);	/* NULL-safe */

/* Whether database <db> has patterns. */
bool vp_prefilter_has(const struct vp_prefilter *pf, unsigned db);

/* Distinct patterns compiled, over all databases (statistics). */
size_t vp_prefilter_patterns(const struct vp_prefilter *pf);

/* Distinct patterns of database <db> (0: none). */
size_t vp_prefilter_db_patterns(const struct vp_prefilter *pf, unsigned db);

/* Length of the longest pattern of <db> (0: none). */
uint32_t vp_prefilter_max_len(const struct vp_prefilter *pf, unsigned db);

/* Scratch for one worker, large enough for every database of <pf>; NULL on failure. */
struct vp_prefilter_scratch *vp_prefilter_scratch_new(const struct vp_prefilter *pf);
void vp_prefilter_scratch_free(struct vp_prefilter_scratch *s);	/* NULL-safe */

typedef void (*vp_prefilter_hit_fn)(void *ctx, uint32_t id);

/*
 * Scans data[0..len) with database <db>, calling <hit> for the ids of each
 * pattern that occurs, once per pattern (an id may be reported by several
 * patterns).  0, or -EIO when the scan failed.  Owner of <s>; no allocation.
 */
int vp_prefilter_scan(const struct vp_prefilter *pf, struct vp_prefilter_scratch *s,
		      unsigned db, const uint8_t *data, size_t len, vp_prefilter_hit_fn hit,
		      void *ctx);

/* An occurrence of pattern <pat> (<len> bytes) ending at data[end - 1]. */
typedef void (*vp_prefilter_pat_fn)(void *ctx, uint32_t pat, uint32_t len, uint64_t end);

/*
 * Scans data[0..len) with "every" database <db>, calling <fn> for every
 * occurrence of every pattern (a "once" database reports the first only).
 * 0, or -EIO.  Owner of <s>; no allocation.
 */
int vp_prefilter_scan_pats(const struct vp_prefilter *pf, struct vp_prefilter_scratch *s,
			   unsigned db, const uint8_t *data, size_t len, vp_prefilter_pat_fn fn,
			   void *ctx);

/* Calls <hit> for each id of pattern <pat> of database <db>. */
void vp_prefilter_pat_ids(const struct vp_prefilter *pf, unsigned db, uint32_t pat,
			  vp_prefilter_hit_fn hit, void *ctx);

#endif
