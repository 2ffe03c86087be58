/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inline TCP stream reassembly.
 *
 * For each direction of a TCP session it hands the detection stage the bytes
 * the receiving host's TCP will deliver to its application, in order, exactly
 * once, as soon as the packet that makes them available arrives.  Each
 * delivery is one contiguous slice: up to <window> bytes of the stream that
 * precede the new bytes (the "inspection window"), then the new bytes, so a
 * signature split over segments is found on the packet that completes it.
 *
 * Memory: one struct vp_tcp_reasm per worker holds every buffer its sessions
 * use: a pool of VP_TCP_REASM_CHUNK-byte chunks sized by <memcap>, a pool of
 * segment descriptors and one scratch buffer for deliveries, all allocated by
 * vp_tcp_reasm_new(); packets never allocate.  A session (two streams) is a
 * small struct that the caller stores; it takes chunks only while it holds
 * out-of-order data or window bytes and gives them back when released.
 *
 * Receiver model (Linux, RFC 9293 sequence space):
 *   - Bytes already delivered in order are never replaced: old data wins.
 *   - Out-of-order segments follow Linux's out-of-order queue: a segment whose
 *     bytes are all inside one queued segment is dropped; one that starts where
 *     a queued one starts and is longer replaces it; queued segments it covers
 *     entirely are removed; a segment starting exactly at a queued segment's end
 *     is appended to it.  Partial overlaps are kept side by side and delivered
 *     in start order, each trimmed of what was delivered before it, so for an
 *     overlapped byte the copy from the segment that starts lower wins.  An
 *     in-order segment therefore wins over queued ones it overlaps.
 *   - Overlapping bytes are always compared with the current view (in-order
 *     window bytes and queued bytes).  Equal bytes are a retransmission or a
 *     benign repacketisation (VP_REASM_F_OVERLAP); different bytes are an
 *     evasion attempt (VP_REASM_CONFLICT).  With limits.conflict_drop (prevent
 *     mode, the default) a conflicting segment is reported and NOT applied: the
 *     engine must drop it, so every byte let through agrees with every other
 *     and no guess about which copy the server keeps is needed.  Without it
 *     (detect mode, the packet reaches the server) the segment is applied with
 *     the policy above.  Bytes older than the window cannot be compared; the
 *     server keeps its old copy of them anyway (VP_REASM_F_UNVERIFIED).
 *   - A segment starting at or beyond the receiver's advertised right window
 *     edge (ACK + window << scale, known once both SYNs were seen) is dropped
 *     by Linux: VP_REASM_IGNORED with VP_REASM_F_WINDOW; zero-window probes are
 *     such segments.  Within the rounding slack of the scale (1 << scale bytes)
 *     the segment is kept and only flagged.
 *   - Urgent data: Linux by default (tcp_stdurg = 0, no SO_OOBINLINE) takes the
 *     byte before the urgent pointer out of the stream, but an application with
 *     SO_OOBINLINE reads it inline, and a later urgent byte pushes the earlier
 *     one back inline.  The server's choice is unknown, so the byte is kept
 *     inline and the segment is flagged VP_REASM_F_URGENT; the engine should
 *     treat urgent data on an inspected flow as an anomaly (block in prevent).
 *   - SYN: data carried in a SYN starts at ISN + 1 and is delivered (flagged
 *     VP_REASM_F_SYN_DATA).  Linux without TCP Fast Open discards it and the
 *     client sends it again: equal bytes are a retransmission, different ones a
 *     conflict.  A SYN with another ISN once data was seen is ignored.
 *   - Midstream pickup: without the SYN, the first segment of a direction (or
 *     the first ACK for it from the other side) sets its base; earlier bytes
 *     are "before the base" and ignored as old.  No window check then.
 *   - RST: accepted only when its sequence number is exactly the next expected
 *     one (what Linux requires, RFC 5961); it ends the session and later data
 *     is ignored (VP_REASM_F_AFTER_RST).  Any other RST is ignored and flagged.
 *   - FIN: once the FIN is in order the direction is closed; data at or after
 *     it is ignored (VP_REASM_F_AFTER_FIN) and queued data beyond it dropped.
 *   - Gaps: when the receiver acknowledges bytes this module never got (the
 *     engine let a MEMCAP/LIMIT packet through, or a capture lost it), the
 *     stream skips to the next byte it holds, resets the window and flags the
 *     next delivery VP_REASM_F_GAP, rather than stalling.
 *   - Depth: after <depth> bytes of a direction are delivered, it delivers no
 *     more and frees its buffers (VP_REASM_F_DEPTH, then VP_REASM_DEPTH).
 *   - Sequence numbers are compared modulo 2^32 relative to the next expected
 *     byte, so streams wrap around and may be longer than 4 GiB.
 */
#ifndef VP_INSPECT_TCP_REASM_H
#define VP_INSPECT_TCP_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inspect/packet.h"

#define VP_TCP_REASM_CHUNK 1024u /* bytes of stream per pool chunk */

struct vp_tcp_reasm_limits {
	uint64_t memcap;       /* bytes of chunk pool + descriptors per worker (32 MiB) */
	uint64_t depth;	       /* bytes inspected per direction, 0 = no limit (1 MiB) */
	uint32_t window;       /* bytes before the new ones in each delivery, <= 1 MiB (4096) */
	uint32_t ooo_bytes;    /* an out-of-order segment must end within this many
				* bytes after the next expected one, <= 64 MiB (1 MiB) */
	uint32_t ooo_segs;     /* out-of-order segments queued per stream, <= 65535 (256) */
	uint32_t max_segment;  /* largest payload accepted, <= 1 MiB (65535) */
	uint32_t max_sessions; /* sessions in the optional session pool (0) */
	bool conflict_drop;    /* CONFLICT segments are dropped by the engine (true) */
};

/*
 * Result of one packet.  Negative: the engine applies a policy (CONFLICT is an
 * evasion attempt to report and, in prevent mode, drop; LIMIT and MEMCAP are
 * exhausted resources, fail-closed by default).  In every case *out is valid:
 * inspect out->data whenever out->len > out->new_off.
 */
enum vp_tcp_reasm_result {
	VP_REASM_MEMCAP = -3,	/* worker pool empty: segment not kept */
	VP_REASM_LIMIT = -2,	/* per-stream cap (ooo_bytes, ooo_segs, max_segment) */
	VP_REASM_CONFLICT = -1, /* overlap with different bytes (see header comment) */
	VP_REASM_IGNORED = 0,	/* no data, or data the receiver discards (flags say why) */
	VP_REASM_DEPTH = 1,	/* direction past its depth: nothing inspected, bypassable */
	VP_REASM_RETRANS = 2,	/* no new bytes: all already seen, same content */
	VP_REASM_BUFFERED = 3,	/* out of order: queued, nothing new in order yet */
	VP_REASM_OK = 4,	/* new in-order bytes in *out */
};

/* vp_tcp_delivery.flags: what this packet showed; several may be set. */
enum vp_tcp_reasm_flag {
	VP_REASM_F_OVERLAP = 1u << 0,	    /* overlapped bytes seen before, same content */
	VP_REASM_F_CONFLICT = 1u << 1,	    /* overlapped bytes with different content */
	VP_REASM_F_UNVERIFIED = 1u << 2,    /* old bytes before the window/base: not compared */
	VP_REASM_F_GAP = 1u << 3,	    /* bytes never seen were skipped; window reset */
	VP_REASM_F_DEPTH = 1u << 4,	    /* depth reached now: nothing more inspected */
	VP_REASM_F_URGENT = 1u << 5,	    /* URG data: the urgent byte was kept inline */
	VP_REASM_F_WINDOW = 1u << 6,	    /* data beyond the receiver's advertised window */
	VP_REASM_F_AFTER_FIN = 1u << 7,	    /* data at/after an in-order FIN: ignored */
	VP_REASM_F_AFTER_RST = 1u << 8,	    /* data after a valid RST: ignored */
	VP_REASM_F_RST = 1u << 9,	    /* this RST ended the session */
	VP_REASM_F_RST_INVALID = 1u << 10,  /* RST not exactly in sequence: ignored */
	VP_REASM_F_FIN = 1u << 11,	    /* the direction is closed by an in-order FIN now */
	VP_REASM_F_SYN_DATA = 1u << 12,	    /* data carried in a SYN */
	VP_REASM_F_BAD_SYN = 1u << 13,	    /* SYN with a new ISN after data: ignored */
	VP_REASM_F_MIDSTREAM = 1u << 14,    /* the direction was picked up without its SYN */
	VP_REASM_F_FIN_CONFLICT = 1u << 15, /* FINs at different stream offsets */
};

/*
 * What one packet made available.  data[0 .. new_off) are the window bytes
 * that precede, data[new_off .. len) the bytes that became available with this
 * packet (possibly more than its payload when it filled a gap); data[0] is at
 * stream offset stream_off (offset 0 = first byte after the SYN).  The bytes
 * are borrowed from the worker's vp_tcp_reasm: valid until its next call.
 */
struct vp_tcp_delivery {
	const uint8_t *data;
	size_t len;
	size_t new_off;
	uint64_t stream_off;
	uint32_t flags; /* enum vp_tcp_reasm_flag */
};

/* One direction.  Private to tcp_reasm.c: public only so it can be embedded. */
struct vp_tcp_stream {
	uint64_t next;	  /* stream offset of the next byte expected in order */
	uint64_t right;	  /* receiver's right window edge (stream offset) */
	uint64_t max_end; /* highest end offset of any data segment seen */
	uint64_t skip_to; /* receiver acknowledged up to here (gap recovery) */
	uint64_t fin;	  /* FIN offset: in order (closed) or queued */
	uint32_t base;	  /* sequence number of stream offset 0 */
	uint32_t hist;	  /* window bytes kept before <next> */
	uint32_t blocks;  /* chunk list, sorted by stream block */
	uint32_t segs;	  /* out-of-order segment list, sorted by start */
	uint32_t pending; /* flags for the next delivery */
	uint16_t nsegs;
	uint16_t state;
	uint8_t wscale; /* window scale option of this sender's SYN */
};

/* Both directions of one TCP connection; the caller stores it (flow->user). */
struct vp_tcp_session {
	struct vp_tcp_stream dir[2]; /* [0]: bytes to the server, [1]: to the client */
	uint32_t flags;
};

struct vp_tcp_reasm_stats {
	uint64_t segments;	    /* packets with payload */
	uint64_t in_order;	    /* segments that added in-order bytes */
	uint64_t out_of_order;	    /* segments queued out of order */
	uint64_t retransmissions;   /* segments with nothing new, same bytes */
	uint64_t overlaps_same;	    /* segments overlapping known bytes, same content */
	uint64_t overlaps_conflict; /* segments overlapping known bytes, different */
	uint64_t unverified;	    /* segments with bytes too old to compare */
	uint64_t memcap_hits;
	uint64_t limit_hits;	/* ooo_bytes, ooo_segs or max_segment */
	uint64_t depth_reached; /* directions that reached the depth */
	uint64_t data_after_rst;
	uint64_t data_after_fin;
	uint64_t beyond_window;
	uint64_t urgent;
	uint64_t syn_data;
	uint64_t bad_syn;
	uint64_t resets;		    /* sessions ended by a valid RST */
	uint64_t rst_ignored;		    /* RSTs not in sequence */
	uint64_t midstream;		    /* directions picked up without their SYN */
	uint64_t gaps;			    /* stream skips over bytes never seen */
	uint64_t bytes_delivered;	    /* new in-order bytes handed out */
	uint32_t chunks_total, chunks_used; /* gauges */
	uint32_t descs_total, descs_used;
	uint32_t sessions_total, sessions_used;
};

struct vp_tcp_reasm;

/* Fills <l> with the defaults given above.  Any thread. */
void vp_tcp_reasm_limits_default(struct vp_tcp_reasm_limits *l);

/*
 * Allocates one worker's reassembly state: every pool and buffer it will ever
 * use, sized from <l> (copied).  NULL with errno EINVAL (a limit out of range)
 * or ENOMEM.  The caller owns the result.  Control thread.
 */
struct vp_tcp_reasm *vp_tcp_reasm_new(const struct vp_tcp_reasm_limits *l);

/* Frees <r> (NULL-safe); sessions still holding its chunks become invalid. */
void vp_tcp_reasm_free(struct vp_tcp_reasm *r);

/* Prepares a caller-stored session; it holds no memory until used.  Any thread. */
void vp_tcp_reasm_session_init(struct vp_tcp_session *s);

/*
 * Gives every chunk and descriptor of <s> back to <r> and re-initialises it.
 * Must be called before the flow that stores <s> is released.  Owner worker.
 */
void vp_tcp_reasm_session_release(struct vp_tcp_reasm *r, struct vp_tcp_session *s);

/*
 * Optional session pool (limits.max_sessions): returns an initialised session
 * owned by <r>, or NULL when all are in use (count it and apply the memcap
 * policy).  vp_tcp_reasm_session_put() releases it (as above) and returns it;
 * NULL-safe.  Owner worker.
 */
struct vp_tcp_session *vp_tcp_reasm_session_get(struct vp_tcp_reasm *r);
void vp_tcp_reasm_session_put(struct vp_tcp_reasm *r, struct vp_tcp_session *s);

/*
 * Feeds decoded TCP packet <p> (tcp_seq, tcp_ack, tcp_flags, tcp_win, payload;
 * l4 for the window scale option and the urgent pointer) travelling to the
 * server (<to_server>) or to the client into session <s>.  Fills *<out> (always)
 * and returns an enum vp_tcp_reasm_result.  <out> borrows from <r> until the
 * next call.  Never allocates.  Owner worker.
 */
int vp_tcp_reasm_packet(struct vp_tcp_reasm *r, struct vp_tcp_session *s, const struct vp_packet *p,
			bool to_server, struct vp_tcp_delivery *out);

/*
 * True when nothing more of <s> can be inspected: reset, or each direction
 * closed by its FIN or past its depth.  The flow may then be bypassed.
 */
bool vp_tcp_reasm_session_done(const struct vp_tcp_session *s);

/* Copies <r>'s counters and gauges into *<st>.  Owner worker. */
void vp_tcp_reasm_stats(const struct vp_tcp_reasm *r, struct vp_tcp_reasm_stats *st);

#endif
