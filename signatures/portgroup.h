/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to signatures/: port groups (see struct vp_port_group in
 * sig_priv.h).  For each key (TCP or UDP, to the server or to the client)
 * the 65,536 service ports are split at every edge of the rules' port
 * specifications; ports where the same rules apply share a group.
 */
#ifndef VP_SIGNATURES_PORTGROUP_H
#define VP_SIGNATURES_PORTGROUP_H

#include <stdint.h>

#include "signatures/sig_priv.h"

/* What a rule (by evaluation rank) brings to the payload groups. */
enum vp_pg_kind {
	VP_PGK_SKIP = 0,	/* nothing: its fast pattern is in an HTTP buffer */
	VP_PGK_PAYLOAD = 1,	/* a payload fast pattern */
	VP_PGK_NOFP = 2,	/* no fast pattern: a candidate on every packet it may match */
};

/*
 * Builds set->pg_map, pg and npg for every key from kind[rank] (set->order
 * and set->grp already built), at most <max_groups> (2..255) groups per key.
 * Each group gets its no-fast-pattern list and its payload members; the
 * database numbers are left VP_PF_NONE for the caller.  0 or -ENOMEM.
 * Control thread.
 */
int vp_pg_build(struct vp_sig_set *set, const uint8_t *kind, unsigned max_groups);

/* Frees what vp_pg_build() made; NULL-safe fields. */
void vp_pg_free(struct vp_sig_set *set);

/* Whether rule <r> may match a packet of direction <d> (enum vp_sig_dir). */
bool vp_pg_rule_in_dir(const struct vp_rule *r, int d);

#endif
