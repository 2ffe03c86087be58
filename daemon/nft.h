/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The nftables table "vpatch" that diverts traffic to NFQUEUE (libnftnl + libmnl).
 *
 * Control thread only: every function here talks to the kernel synchronously (nfnetlink
 * batches) or builds such a batch.  Nothing here is on the packet path.
 *
 * What gets installed (vp_nft_install()), in one atomic transaction, per table:
 *
 *   chain input   { type filter hook input   priority filter; policy accept; ... goto l4 }
 *   chain output  { type filter hook output  priority filter; policy accept; ... goto l4 }
 *   chain forward { type filter hook forward priority filter; policy accept; ... goto l4 }
 *   chain l4      { meta l4proto tcp goto ports|divert ; meta l4proto udp goto ports|divert }
 *   chain ports   { th dport P goto divert ; th sport P goto divert }   (only with a port list)
 *   chain divert  { queue num Q-Q+N-1 [bypass] }
 *
 * Each base chain first accepts packets with meta mark == <mark> (vpatchd's own TCP resets),
 * then flows whose conntrack mark == <mark> (flows the daemon released), then loopback (unless
 * <loopback>), then, with an interface list, only packets in/out of those interfaces go on.
 * The ct expression also makes the kernel enable connection tracking, and with it IPv4/IPv6
 * defragmentation, in the network namespace: priority 0 runs after defrag (-400) and conntrack
 * (-200), so the queue only ever sees reassembled datagrams.
 *
 * Only TCP and UDP are diverted; ICMP/ICMPv6 and other protocols pass un-inspected (ICMP errors
 * quoting a blocked flow are not inspected either).
 *
 * Queue hashing: without the fanout flag both the native queue expression and the xt NFQUEUE
 * target (revision 3, queues_total > 1) pick the queue with the kernel's nfqueue_hash(), which
 * hashes the (ordered) address pair and protocol: both directions of a flow, and every flow
 * between the same two hosts, land on the same queue.
 */
#ifndef VP_DAEMON_NFT_H
#define VP_DAEMON_NFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define VP_NFT_TABLE "vpatch"
#define VP_NFT_PRIORITY 0		/* NF_IP_PRI_FILTER: after defrag and conntrack */
#define VP_NFT_MAX_IFACES 32
#define VP_NFT_MAX_PORTS 128

struct vp_nft_opts {
	uint16_t queue;			/* first queue number */
	uint16_t nqueues;		/* >= 1; queue + nqueues - 1 <= 65535 */
	bool bypass;			/* no listener on the queue: accept instead of drop */
	bool loopback;			/* also divert lo traffic */
	char *const *ifaces;		/* only these interfaces (in or out); NULL/0: all */
	size_t n_ifaces;		/* <= VP_NFT_MAX_IFACES; names < IFNAMSIZ */
	const uint16_t *ports;		/* only these TCP/UDP ports (either side); NULL/0: all */
	size_t n_ports;			/* <= VP_NFT_MAX_PORTS */
	uint32_t mark;			/* != 0: meta mark / ct mark that skips the queue */
};

enum vp_nft_backend {
	VP_NFT_NATIVE_QUEUE = 0,	/* nft_queue expression, one inet table */
	VP_NFT_XT_NFQUEUE = 1,		/* xt NFQUEUE v3 through nft_compat, one inet table */
	VP_NFT_XT_NFQUEUE_SPLIT = 2,	/* xt NFQUEUE v3 in one ip and one ip6 table */
};

/*
 * Finds out which way of queueing the running kernel supports.  For each candidate it commits
 * a throwaway table "vpatch_probe" (dormant, so no hook is ever registered and no packet sees
 * it; owned by the probing socket, so the kernel deletes it even if we die) with a base chain
 * and one queue rule, then deletes it.  It must commit: the kernel checks an expression
 * against its chain (e.g. nft_compat's family and hook checks) only at commit time, so an
 * aborted batch would miss exactly those failures.  Tries, in order, the native queue
 * expression (inet), the xt NFQUEUE target in an inet table, then in ip + ip6 tables, and
 * stores the first that works in <*out>.  Returns 0, -EOPNOTSUPP if none works, or another
 * -errno (e.g. -EPERM without CAP_NET_ADMIN).  Nothing is left behind.  Control thread only.
 */
int vp_nft_probe(enum vp_nft_backend *out);

/*
 * Installs the vpatch table(s) described above in one atomic batch.  A vpatch table left by
 * a crashed run (in any of the inet, ip, ip6 families) is replaced in the same batch, so
 * traffic is never without the table in between.  On failure nothing changes and <err>
 * (if not NULL) gets a message naming the rejected object.  Returns 0 or -errno (-EINVAL for
 * bad options).  Control thread only.
 */
int vp_nft_install(const struct vp_nft_opts *o, enum vp_nft_backend backend, char *err,
		   size_t errlen);

/*
 * Deletes the vpatch tables (inet, ip and ip6 family) and nothing else, in one batch.  A
 * missing table is not an error.  Returns 0 or -errno with a message in <err>.
 * Control thread only (also fine from a signal-free shutdown path).
 */
int vp_nft_remove(char *err, size_t errlen);

/*
 * The batch builders behind vp_nft_install() / vp_nft_remove(), exposed for the unit tests
 * and for a dry run: write the complete nfnetlink batch (BATCH_BEGIN .. BATCH_END, sequence
 * numbers from <seq>) into <buf>.  No message asks for an ACK: the kernel answers only the
 * failed ones, and the sender marks the end of the answers with a GETGEN request.
 * Return the batch length in bytes, -EINVAL for bad options, -ENOSPC if <size> is too small,
 * -ENOMEM.  Any thread (no kernel access, no global state).
 */
ssize_t vp_nft_build_install(const struct vp_nft_opts *o, enum vp_nft_backend backend,
			     uint32_t seq, void *buf, size_t size);
ssize_t vp_nft_build_remove(uint32_t seq, void *buf, size_t size);

/* Upper bound of the install batch length for <o>, for sizing the buffer. Any thread. */
size_t vp_nft_batch_size(const struct vp_nft_opts *o);

/* "native queue", "xt NFQUEUE (inet)", "xt NFQUEUE (ip+ip6)". Any thread. */
const char *vp_nft_backend_name(enum vp_nft_backend b);

#endif
