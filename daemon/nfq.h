/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One NFQUEUE (libnetfilter_queue message helpers + libmnl): bind, receive packets, verdicts.
 *
 * Threading: a struct vp_nfq belongs to one worker thread, which is the only one that may call
 * vp_nfq_process() on it; vp_nfq_open() / vp_nfq_close() run on the control thread before the
 * worker starts / after it stopped.  vp_nfq_stats() may be called from any thread at any time.
 *
 * Verdicts: drops are sent at once, one message each; accepts are collected and sent as one
 * NFQNL_MSG_VERDICT_BATCH for the highest accepted packet id at the end of each
 * vp_nfq_process() call.  A batch verdict applies to every packet still queued in the kernel
 * with an id up to that one.  That is safe because:
 *   - the kernel hands packets to the socket in id order and adds a packet to its queue only
 *     once the message reached our socket (a packet it cannot deliver is never pending: it is
 *     dropped or, with fail-open, accepted at once), so every pending id below the batch id
 *     is one we have already received;
 *   - each vp_nfq_process() call ends with the batch verdict, so every packet received in
 *     earlier calls already has its verdict;
 *   - a dropped packet's verdict was sent before the batch verdict, so it is no longer
 *     pending when the batch verdict arrives and the batch cannot accept it.
 * If a drop verdict cannot be sent, the packet stays pending; from then on every verdict is
 * sent one by one (never a batch that would accept the dropped packet) and the drop is
 * retried at the start of the next call until it succeeds.
 */
#ifndef VP_DAEMON_NFQ_H
#define VP_DAEMON_NFQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#define VP_NFQ_BATCH 64			/* most messages one vp_nfq_process() call handles */
#define VP_NFQ_COPY_RANGE 0xffff	/* bytes of each packet copied to userspace */

enum vp_verdict {
	VP_VERDICT_ACCEPT = 0,
	VP_VERDICT_DROP = 1,
};

/* NFQA_SKB_* bits in vp_nfq_pkt.skbinfo (same values as the kernel's) */
#define VP_NFQ_SKB_CSUMNOTREADY 0x1	/* checksum not computed yet (local out, offload) */
#define VP_NFQ_SKB_GSO 0x2		/* GSO super-packet: one packet, many segments' payload */
#define VP_NFQ_SKB_CSUM_NOTVERIFIED 0x4	/* the kernel has not verified the checksum */

/*
 * One queued packet, valid only during the callback (it points into the queue's receive
 * buffer).  <data> is the IP packet (IPv4 or IPv6 header first).  With <skbinfo>
 * VP_NFQ_SKB_CSUMNOTREADY or VP_NFQ_SKB_GSO the L4 checksum is not final and must not be
 * judged; with VP_NFQ_SKB_CSUM_NOTVERIFIED it is final but unchecked.  <wire_len> is the
 * packet's full length: larger than <len> if the packet was cut at VP_NFQ_COPY_RANGE.
 */
struct vp_nfq_pkt {
	const uint8_t *data;
	size_t len;
	uint32_t wire_len;
	uint32_t id;			/* kernel packet id */
	uint32_t mark;			/* skb mark */
	uint32_t skbinfo;		/* VP_NFQ_SKB_* */
	uint16_t hw_proto;		/* ETH_P_IP / ETH_P_IPV6, host order */
	uint16_t queue;			/* queue number it came from */
	struct timeval ts;		/* receive time (kernel stamp if any, else now) */
	uint32_t ifindex_in;		/* 0 if none (local out) */
	uint32_t ifindex_out;		/* 0 if none (local in) */
};

/* Decides one packet; anything but VP_VERDICT_DROP accepts it. Called on the worker thread. */
typedef enum vp_verdict (*vp_nfq_fn)(void *ctx, const struct vp_nfq_pkt *pkt);

struct vp_nfq_stats {
	uint64_t packets;		/* packets handed to the callback */
	uint64_t accepted;
	uint64_t dropped;
	uint64_t batches;		/* batch verdicts sent */
	uint64_t recv_errors;		/* socket errors, truncated or malformed messages */
	uint64_t verdict_errors;	/* verdicts the kernel refused or that could not be sent */
};

struct vp_nfq;

/*
 * Opens its own netlink socket and binds queue <queue>: full packets (copy range 0xffff),
 * GSO packets unsegmented (NFQA_CFG_F_GSO), at most <maxlen> packets held by the kernel
 * (0: kernel default 1024), with <fail_open> NFQA_CFG_F_FAIL_OPEN (a full queue accepts
 * instead of dropping).  The socket gets NETLINK_NO_ENOBUFS and a large receive buffer; the
 * receive buffer for one message is allocated here, once.  Returns the queue, owned by the
 * caller (vp_nfq_close()), or NULL with a message in <err> (e.g. "queue 0 is in use by
 * another process").  Control thread.
 */
struct vp_nfq *vp_nfq_open(uint16_t queue, unsigned maxlen, bool fail_open, char *err,
			   size_t errlen);

/* The socket, for the caller's own poll loop (readable: call vp_nfq_process()). Any thread. */
int vp_nfq_fd(const struct vp_nfq *q);

/*
 * Waits up to <timeout_ms> (0: do not wait, -1: forever) for packets, then handles what is
 * there without blocking, at most VP_NFQ_BATCH messages: calls <fn>(<ctx>, pkt) for each
 * packet, sends drops at once and the accepts as one batch verdict at the end (see above).
 * Returns the number of packets handled, 0 on timeout or EINTR, -errno on a socket error.
 * Allocates nothing.  The owning worker thread only.
 */
int vp_nfq_process(struct vp_nfq *q, int timeout_ms, vp_nfq_fn fn, void *ctx);

/* Copies the counters (relaxed atomic reads). Any thread. */
void vp_nfq_stats(const struct vp_nfq *q, struct vp_nfq_stats *s);

/*
 * Unbinds the queue, closes the socket, frees <q>.  NULL-safe.  Packets the kernel still holds
 * for this queue (received by no one yet) are dropped by the kernel; later packets find no
 * listener and are dropped, or accepted with the nftables bypass flag.  For a clean stop,
 * remove the nftables table first (vp_nft_remove()), drain with vp_nfq_process(q, 0, ...),
 * then close.  Control thread, after the worker stopped.
 */
void vp_nfq_close(struct vp_nfq *q);

#endif
