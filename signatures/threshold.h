/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to signatures/: the state of threshold and detection_filter for
 * one worker -- a fixed-size open-addressing table keyed by (rule, tracked
 * address(es)), allocated when the worker's matching state is and never
 * grown.  Time comes from the packets (p->ts).
 *
 * When the table is full (no free or expired slot among the few probed),
 * the entry whose time window started first among them is evicted: that
 * source starts counting afresh (counted in *evictions).
 */
#ifndef VP_SIGNATURES_THRESHOLD_H
#define VP_SIGNATURES_THRESHOLD_H

#include <stddef.h>
#include <stdint.h>

#include "inspect/packet.h"
#include "signatures/rule.h"

#define VP_THRESHOLD_DEFAULT 16384	/* entries per worker */
#define VP_THRESHOLD_MAX (1u << 24)

struct vp_threshold;

enum vp_thr_verdict {
	VP_THRV_NONE = 0,	/* neither alert nor action */
	VP_THRV_ACTION = 1,	/* the rule's action applies, its alert is suppressed */
	VP_THRV_ALERT = 2,	/* alert and action */
};

/* A table of at least <entries> slots (rounded up to a power of two); NULL on ENOMEM. */
struct vp_threshold *vp_threshold_new(size_t entries);
void vp_threshold_free(struct vp_threshold *t);	/* NULL-safe */

/*
 * Counts one match of rule <rule> (any stable number) with settings <spec>
 * on packet <p> and says what to do with it.  Owner worker; no allocation.
 */
enum vp_thr_verdict vp_threshold_check(struct vp_threshold *t, uint32_t rule,
				       const struct vp_rule_thr *spec,
				       const struct vp_packet *p, uint64_t *evictions);

#endif
