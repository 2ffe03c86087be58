/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals shared by daemon/engine.c (decode, violations, flows, verdicts,
 * events) and daemon/engine_app.c (per-flow state, TCP reassembly, HTTP).
 * Not for use outside the engine.
 */
#ifndef VP_DAEMON_ENGINE_INT_H
#define VP_DAEMON_ENGINE_INT_H

#include "daemon/engine.h"
#include "inspect/defrag.h"
#include "inspect/http.h"
#include "inspect/tcp_reasm.h"

/* Alerts reported per detection call; further matches are counted, not lost silently. */
#define VP_ENGINE_MAX_MATCHES 16
/* Flowbit storage per flow: 512 flowbits. */
#define VP_ENGINE_FLOWBITS_BYTES 64

/* A flow's application state, from the worker's pool (flow->user points here). */
struct vp_flow_state {
	struct vp_flow *flow;		/* owner; NULL while free */
	struct vp_tcp_session tcp;
	struct vp_http_conn http;
	uint8_t flowbits[VP_ENGINE_FLOWBITS_BYTES];
	struct vp_sig_stream_mem pf_mem[2];	/* stream prefilter memory: [0] to server */
	uint32_t buf_mem;			/* HTTP buffer prefilter memory: pool index + 1, 0 none */
	uint32_t next_free;
	bool is_http;			/* an HTTP port, or the client spoke HTTP first */
	bool probed;			/* the client's first bytes were looked at */
	bool http_eof[2];		/* vp_http_eof() done: [0] to server, [1] to client */
	bool http_started[2];		/* the parser has seen bytes of the direction */
	uint64_t http_off[2];		/* stream offset of the next byte it expects */
};

/* What the stages know about the packet being inspected. */
struct vp_pkt_ctx {
	struct vp_engine_worker *worker;
	const struct timeval *ts;		/* when the packet arrived */
	struct vp_packet p;
	struct vp_flow *flow;
	struct vp_flow_state *st;
	enum vp_engine_verdict v;		/* the worst so far */
	const struct vp_http_tx *tx;		/* during HTTP detection: events name it */
	struct vp_sig_input in;
};

struct vp_engine_worker {
	struct vp_engine_opts opts;
	const struct vp_sig_set *set;
	struct vp_sig_thread *sig_th;
	struct vp_flow_table *flows;
	struct vp_eve_ring *ring;
	struct vp_engine_stats stats;
	uint64_t pcap_cnt;		/* offline: index of the packet at hand (0: none) */

	struct vp_defrag *defrag;	/* IP reassembly: fragments are held, the whole is inspected */

	/* Application layer (engine_app.c). */
	struct vp_tcp_reasm *reasm;
	struct vp_http_ctx *http;
	struct vp_flow_state *states;	/* pool: max flows, touched up to <states_hw> */
	uint32_t n_states, states_hw, states_free;
	/* HTTP buffer prefilter memories: only HTTP flows take one (engine_app.c) */
	struct vp_sig_buf_mem *buf_mems;
	uint32_t *buf_mem_next;			/* free list links */
	uint32_t n_buf_mems, buf_mems_hw, buf_mems_free;
	uint8_t http_ports[65536 / 8];
	uint8_t *uri_buf;		/* normalised http.uri of the transaction at hand */
	size_t uri_size;

	/* Matches of the detection call in progress. */
	const struct vp_sig *matches[VP_ENGINE_MAX_MATCHES];
	unsigned n_matches;
	enum vp_engine_verdict silent_block;	/* from matches whose alert is suppressed */
};

/* Applies built-in check <b> to the packet of <c>; true when it is to be dropped (policy block). */
bool vp_engine_violation(struct vp_engine_worker *w, enum vp_builtin b, struct vp_pkt_ctx *c);

/*
 * Fills <ev> (cleared first) with what every event of the packet of <c> has: time, flow,
 * pcap_cnt, addresses (of the packet), app_proto, and the transaction c->tx if any (tx_id,
 * the http object).
 */
void vp_engine_event_fill(struct vp_engine_worker *w, struct vp_event *ev,
			  const struct vp_pkt_ctx *c);

/* Pushes an event of a type other than alert when eve_types has it; counts a full ring. */
void vp_engine_emit(struct vp_engine_worker *w, struct vp_event *ev);

/* Runs the signatures over c->in, reports the matches, and worsens c->v as they call for. */
void vp_engine_detect(struct vp_engine_worker *w, struct vp_pkt_ctx *c);

/* Application layer: set up / tear down (worker creation) and one tracked packet. */
int vp_engine_app_init(struct vp_engine_worker *w);
void vp_engine_app_free(struct vp_engine_worker *w);
void vp_engine_app_packet(struct vp_engine_worker *w, struct vp_pkt_ctx *c);
void vp_engine_app_release(struct vp_engine_worker *w, struct vp_flow *f);
void vp_engine_app_flush(struct vp_engine_worker *w);

/* engine.c: the value of field <name> (case-insensitive) in an HTTP header block. */
bool vp_engine_http_field(struct vp_slice h, const char *name, const uint8_t **v, size_t *vlen);

#endif
