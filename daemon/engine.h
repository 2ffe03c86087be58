/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-packet pipeline shared by the inline daemon and the offline reader:
 * decode -> protocol violations -> flow -> signatures -> verdict + events.
 *
 * One struct vp_engine_worker per worker thread; it owns its flow table, its
 * signature matching state and its counters, so the packet path takes no
 * lock and allocates nothing.
 */
#ifndef VP_DAEMON_ENGINE_H
#define VP_DAEMON_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

#include "daemon/config.h"
#include "daemon/eve.h"
#include "inspect/flow.h"
#include "inspect/http.h"
#include "inspect/tcp_reasm.h"
#include "signatures/builtin.h"
#include "signatures/sig.h"

enum vp_engine_verdict {
	VP_ENGINE_ACCEPT = 0,
	VP_ENGINE_DROP = 1,
	VP_ENGINE_DROP_RESET = 2,	/* drop, and reset the TCP connection both ways */
};

struct vp_engine_opts {
	enum vp_mode mode;
	enum vp_policy violation[VP_BUILTIN_COUNT];
	bool checksum_checks;		/* skip inspection of packets whose checksum is wrong */
	bool reset_blocked;		/* end blocked TCP flows with resets */
	struct vp_flow_limits flow_limits;
	struct vp_flow_shared *flows_shared;	/* host-wide flow counts (several workers), or NULL */
	struct vp_tcp_reasm_limits reasm_limits;
	struct vp_http_limits http_limits;
	unsigned uri_max_slashes;		/* more '/' in a URI is a violation (100) */
	bool midstream;				/* streams picked up mid-connection are inspected */
	const struct vp_vars *vars;		/* $HTTP_PORTS; NULL: [80,8080] */
	uint32_t eve_types;			/* enum vp_eve_type_bit set (VP_EVE_ALERT) */
	uint8_t xff_mode;			/* enum vp_xff_mode (off) */
	uint8_t xff_deployment;			/* enum vp_xff_deployment */
	char xff_header[VP_CONFIG_TOKEN_MAX + 1];
};

struct vp_engine_stats {
	uint64_t packets, bytes;
	uint64_t accepted, dropped, resets;
	uint64_t alerts, alerts_lost;
	uint64_t events_lost;		/* http/fileinfo/flow events lost to a full ring */
	uint64_t no_ip, bad_checksum, fragments, not_tracked;
	uint64_t blocked_flows, blocked_flow_packets;
	uint64_t violations[VP_BUILTIN_COUNT];
	uint64_t matches_overflow;	/* more rules matched one packet than are reported */
	uint64_t stream_conflicts, stream_memcap, state_exhausted;
	uint64_t prefilter_mem_exhausted;	/* HTTP flows scanned without buffer memory */
	uint64_t http_requests, http_responses, http_giveups, http_memcap;
};

/* Fills <o> with the built-in defaults for <mode>. */
void vp_engine_opts_default(struct vp_engine_opts *o, enum vp_mode mode);

/* Fills <o> from <cfg> (mode, violation policies, flow caps, checksums, resets, variables). */
void vp_engine_opts_from_config(struct vp_engine_opts *o, const struct vp_config *cfg);

struct vp_engine_worker;

/*
 * A worker for rule set <set> (compiled, may be NULL: no signatures) writing
 * events to <ring> (may be NULL: none).  <set> and <ring> must outlive it.
 * NULL on ENOMEM.  Control thread.
 */
struct vp_engine_worker *vp_engine_worker_new(const struct vp_engine_opts *o,
					      const struct vp_sig_set *set,
					      struct vp_eve_ring *ring);
void vp_engine_worker_free(struct vp_engine_worker *w);	/* NULL-safe */

/*
 * Inspects the IP packet <data>/<len> seen at <ts>.  <csum_unready>: the
 * kernel has not finished its checksums (offload), so they are not checked.
 * Returns the verdict.  Owner thread only; no allocation, no lock.
 */
enum vp_engine_verdict vp_engine_packet(struct vp_engine_worker *w, const uint8_t *data,
					size_t len, const struct timeval *ts, bool csum_unready);

/*
 * Makes <w> match <set> with matching state <th> (from vp_sig_thread_new(set))
 * from its next packet on; returns the previous matching state, which the
 * caller frees once the previous set may go.  Owner thread only.
 */
struct vp_sig_thread *vp_engine_swap_rules(struct vp_engine_worker *w,
					   const struct vp_sig_set *set, struct vp_sig_thread *th);

/*
 * The end of the input (a capture file): application parsers see the end of
 * every open stream, so what they still held (a request line whose headers
 * never ended, a body read until close) is inspected.  Owner thread.
 */
void vp_engine_flush(struct vp_engine_worker *w);

/*
 * Offline: the 1-based index in the capture of the packet about to be inspected, written as
 * pcap_cnt in its events (0: none, the default).  Owner thread.
 */
void vp_engine_set_pcap_cnt(struct vp_engine_worker *w, uint64_t n);

/* Releases flows idle as of <now> (call when no packet came for a while). Owner thread. */
void vp_engine_idle(struct vp_engine_worker *w, const struct timeval *now);

/* The per-rule counters of rule <i> of the worker's set. Any thread (may be slightly stale). */
void vp_engine_rule_stats(const struct vp_engine_worker *w, size_t i,
			  struct vp_sig_rule_stats *out);

/* A copy of the counters. Any thread (values may be slightly stale). */
void vp_engine_stats(const struct vp_engine_worker *w, struct vp_engine_stats *s);

#endif
