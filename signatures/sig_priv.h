/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to signatures/: the rule set as sig.c builds it and sig_match.c
 * reads it.
 */
#ifndef VP_SIGNATURES_SIG_PRIV_H
#define VP_SIGNATURES_SIG_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "signatures/classtype.h"
#include "signatures/prefilter.h"
#include "signatures/sig.h"

/* Packet classes; a rule of protocol ip (without ports) is in every group. */
enum vp_sig_group {
	VP_GRP_TCP = 0,
	VP_GRP_UDP = 1,
	VP_GRP_ICMP = 2,
	VP_GRP_OTHER = 3,	/* other protocols, fragments, truncated L4 headers */
	VP_GRP_COUNT = 4,
};

/* Direction classes of a packet. */
enum vp_sig_dir {
	VP_DIR_TS = 0,		/* to the server */
	VP_DIR_TC = 1,		/* to the client */
	VP_DIR_NONE = 2,	/* no flow direction */
	VP_DIR_COUNT = 3,
};

/*
 * Port groups, as Suricata's signature group heads: TCP and UDP packets with
 * a flow direction are matched against the payload databases and the
 * no-fast-pattern list of the rules that can apply to their service port
 * (the destination port to the server, the source port to the client), not
 * of every rule.  Ports with the same rules share a group; past the limit
 * the groups with the fewest rules of their own are merged into one.
 */
enum vp_pg_key {
	VP_PG_TCP_TS = 0,
	VP_PG_TCP_TC = 1,
	VP_PG_UDP_TS = 2,
	VP_PG_UDP_TC = 3,
	VP_PG_KEYS = 4,
};

#define VP_PG_DEFAULT_MAX 8	/* groups per key */

/*
 * Address classes of a packet: whether its source, and its destination, is
 * in $HOME_NET.  A rule "$EXTERNAL_NET any -> $HOME_NET any" cannot match a
 * response a home server sends to an outside client, so the databases of
 * the bulky to-client data -- response payloads and bodies -- are built per
 * class, with the rules whose addresses may match it.
 */
enum vp_sig_cls {
	VP_CLS_SRC_HOME = 1,
	VP_CLS_DST_HOME = 2,
	VP_CLS_COUNT = 4,
};

/* The databases a key's groups share, by address class (VP_PF_NONE: none). */
struct vp_pg_key_dbs {
	uint16_t head[VP_CLS_COUNT], only[VP_CLS_COUNT];
	uint16_t both[VP_CLS_COUNT];		/* head and packet-only patterns (TCP) */
};

struct vp_port_group {
	uint16_t db_payload[VP_CLS_COUNT];	/* by address class (VP_PF_NONE: none) */
	uint32_t *always;			/* ranks without fast pattern */
	size_t nalways;
	uint32_t *payload;			/* ranks with a payload fast pattern */
	size_t npayload;
};

/* What verification checks first, by evaluation rank: one array, no pointer to follow. */
struct vp_rank_info {
	uint64_t bufmask;		/* the rule's */
	uint32_t flow_set, flow_clear;	/* the rule's */
	uint8_t grp;			/* bit per enum vp_sig_group */
	uint8_t raw_mode;		/* enum vp_raw_mode */
	uint8_t must_flags;		/* TCP flags the packet must have (flags keyword), or 0 */
	bool app_http;
};

struct vp_sig_set {
	struct vp_vars *vars;
	struct vp_classtab *classes;	/* NULL: built-in classtypes */
	struct vp_sig **sigs;		/* load order */
	size_t count, alloc;
	uint64_t *ids;			/* open-addressing set of gid << 32 | sid (sid != 0) */
	size_t ids_cap;

	/* settings, read by vp_sig_thread_new() */
	uint32_t pcre_match_limit, pcre_depth_limit, pcre_heap_kib;
	size_t thr_entries;
	bool no_prefilter;

	/* built by vp_sig_set_compile() */
	bool compiled;
	uint64_t gen;			/* compile generation */
	uint32_t *order;		/* evaluation rank -> load index */
	uint8_t *grp;			/* by rank: bit per enum vp_sig_group */
	struct vp_rank_info *rinfo;	/* by rank */
	uint32_t *all[VP_GRP_COUNT];	/* ranks of each group, ascending */
	size_t nall[VP_GRP_COUNT];
	uint32_t *always[VP_GRP_COUNT][VP_DIR_COUNT];	/* ranks without fast pattern */
	size_t nalways[VP_GRP_COUNT][VP_DIR_COUNT];
	size_t nofp;			/* rules without a usable fast pattern */
	struct vp_prefilter *pf;	/* NULL: every rule of the group is a candidate */
	size_t raw_pkt_fp;		/* rules with a payload fast pattern on the packet only */
	/* by prefilter database: every buffer a rule with its fast pattern there may read
	 * (a payload list: the packet or the stream); a scan is useless when none is fresh */
	uint64_t (*pf_use)[VP_DIR_COUNT];	/* by database and packet direction */
	unsigned npf;			/* databases */
	size_t head_len;		/* bytes a head database scans at most */
	unsigned pg_max;		/* setting: groups per key (0: the default) */
	uint8_t *pg_map[VP_PG_KEYS];	/* 65536 ports -> group */
	struct vp_netaddr *home;	/* $HOME_NET, NULL: no address classes */
	uint16_t pair_db[2][VP_CLS_COUNT];	/* body pairs (response, request) by class */
	uint16_t buf_db[VP_BUF_COUNT][VP_CLS_COUNT];	/* each HTTP buffer's, by class */
	struct vp_port_group *pg[VP_PG_KEYS];
	struct vp_pg_key_dbs pg_dbs[VP_PG_KEYS];
	unsigned npg[VP_PG_KEYS];
	size_t nbits;			/* distinct flowbits */
	size_t nthr;			/* rules with threshold/detection_filter */
};

struct vp_rule;

/* sig_prefilter.c: the prefilter and port groups of a compile (0 or -ENOMEM). */
int vp_sig_prefilter_build(struct vp_sig_set *set, vp_sig_err_fn fn, void *ctx);

/* The bytes of <r>'s fast pattern; false when it has none. */
bool vp_sig_rule_fp(const struct vp_rule *r, const uint8_t **b, uint32_t *len);

#endif
