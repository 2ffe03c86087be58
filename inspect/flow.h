/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-worker flow table: both directions of a 5-tuple are one flow.
 * One table per worker thread, never shared, so nothing here locks.
 * All memory is allocated by vp_flow_table_new(); lookups never allocate.
 */
#ifndef VP_INSPECT_FLOW_H
#define VP_INSPECT_FLOW_H

#include "inspect/packet.h"

enum vp_tcp_state {
	VP_TCP_NONE = 0,
	VP_TCP_SYN_SENT,
	VP_TCP_SYN_RECV,
	VP_TCP_ESTABLISHED,
	VP_TCP_CLOSING,		/* FIN seen */
	VP_TCP_CLOSED,		/* RST, or FIN both ways */
};

struct vp_flow {
	uint64_t id;			/* flow_id in events: stable for the flow's life */
	struct vp_addr client, server;	/* client = the side that sent the first packet (SYN) */
	uint16_t cport, sport;
	uint8_t proto;
	uint8_t tcp_state;		/* enum vp_tcp_state */
	bool blocked;			/* every later packet is dropped */
	bool midstream;			/* picked up without seeing the SYN */
	uint8_t resets_sent;		/* engine: resets sent for this blocked flow */
	struct timeval first_seen, last_seen;
	uint64_t pkts_toserver, pkts_toclient;
	uint64_t bytes_toserver, bytes_toclient;
	void *user;			/* for later stages (reassembly, HTTP); owned by them */
	/* private to flow.c below */
	uint32_t hash;
	uint32_t next;			/* chain link (index), UINT32_MAX = end */
	uint32_t lru_prev, lru_next;
};

struct vp_flow_limits {
	uint32_t max_tcp;		/* tracked TCP connections (contract default 100000) */
	uint32_t max_udp;		/* tracked UDP flows (default 100000) */
	uint32_t max_other;		/* ICMP and other protocols (default 10000) */
	uint32_t tcp_syn_timeout;	/* seconds: handshake not complete (default 30) */
	uint32_t tcp_est_timeout;	/* seconds: established idle (default 3600) */
	uint32_t tcp_closed_timeout;	/* seconds after RST / both FINs (default 10) */
	uint32_t udp_timeout;		/* seconds idle (default 120) */
	uint32_t other_timeout;		/* seconds idle (default 30) */
	/* A RST closes the flow as it is seen (default true).  Inline, the
	 * engine sets false and closes through vp_flow_tcp_close() only for
	 * RSTs the receiver accepts (RFC 5961: exactly in sequence), so a
	 * forged out-of-window RST cannot turn off flow:established rules. */
	bool rst_closes;
};

enum vp_flow_result {
	VP_FLOW_FOUND = 0,
	VP_FLOW_NEW = 1,		/* created for this packet */
	VP_FLOW_CAP_TCP = -1,		/* a new TCP flow beyond max_tcp: not tracked */
	VP_FLOW_CAP_UDP = -2,		/* a new UDP flow beyond max_udp */
	VP_FLOW_CAP_OTHER = -3,		/* beyond max_other */
	VP_FLOW_NONE = -4,		/* not tracked: no valid IP, or a fragment */
};

struct vp_flow_stats {
	uint64_t created, expired, cap_tcp, cap_udp, cap_other;
	uint32_t active_tcp, active_udp, active_other;
};

struct vp_flow_table;

/* Told about a flow with a non-NULL user pointer just before it is released. */
typedef void (*vp_flow_release_fn)(void *ctx, struct vp_flow *f);

/* Fills <l> with the documented defaults. */
void vp_flow_limits_default(struct vp_flow_limits *l);

/* Allocates a table for <limits> (pool and hash sized once). NULL on ENOMEM. Control thread. */
struct vp_flow_table *vp_flow_table_new(const struct vp_flow_limits *limits);
void vp_flow_table_free(struct vp_flow_table *t);	/* NULL-safe; calls the release hook */

/*
 * Host-wide flow counts shared by every worker's table, so the caps of
 * vp_flow_limits hold for the host rather than per table.  Indexed tcp, udp,
 * other.  Zero-initialised by the owner, who keeps it alive.
 */
struct vp_flow_shared {
	_Atomic uint32_t active[3];
};

/* Makes <t> count against <sh> (set before the first lookup). Control thread. */
void vp_flow_table_set_shared(struct vp_flow_table *t, struct vp_flow_shared *sh);

/* Sets the hook that frees later stages' per-flow state (flow->user). Owner worker. */
void vp_flow_table_set_release(struct vp_flow_table *t, vp_flow_release_fn fn, void *ctx);

/*
 * Finds or creates the flow of decoded packet <p> at time p->ts, expiring idle
 * flows it meets (a bounded amount of work per call).  Sets *<flow> (NULL when
 * the result is negative), updates the flow's TCP state, counters and
 * last_seen, and sets p->flow_flags (direction, established, has-flow).  A new
 * TCP flow is created by any TCP packet (a non-SYN one is marked midstream),
 * but a RST never creates one.  Owner worker only.
 */
int vp_flow_lookup(struct vp_flow_table *t, struct vp_packet *p, struct vp_flow **flow);

/* Releases flows idle past their timeout as of <now>; at most <budget> of them. */
unsigned vp_flow_expire(struct vp_flow_table *t, const struct timeval *now, unsigned budget);

void vp_flow_table_stats(const struct vp_flow_table *t, struct vp_flow_stats *s);

/* Marks TCP flow <f> (from the last lookup) closed, e.g. on a RST the receiver accepts. Owner worker. */
void vp_flow_tcp_close(struct vp_flow_table *t, struct vp_flow *f);

#endif
