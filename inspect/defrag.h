/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv4/IPv6 fragment reassembly for offline mode (capture files).
 *
 * Inline, the kernel reassembles fragments before the queue (conntrack is active in vpatch's
 * table); a capture file holds the fragments as sent, so the capture reader runs them through
 * this module to see the datagrams the host's IP layer would deliver.  It follows the Linux
 * receiver (net/ipv4/ip_fragment.c, net/ipv6/reassembly.c, net/ipv4/inet_fragment.c, kernels
 * since 4.19 / the FragmentSmack fixes):
 *   - Key: (src, dst, protocol, 16-bit id) for IPv4 (RFC 791), (src, dst, 32-bit id) for IPv6
 *     (RFC 8200).  The header of the rebuilt packet is the one of the offset-0 fragment (IPv4
 *     options, IPv6 unfragmentable part), the first copy of it to arrive.
 *   - Overlaps: Linux keeps the accepted fragments as "runs" (a run grows only when a fragment
 *     starts exactly at the end of the highest one).  A fragment lying wholly inside one run is a
 *     duplicate and ignored, the held bytes win (VP_DEFRAG_DUPLICATE if its bytes are equal,
 *     VP_DEFRAG_CONFLICT if not: the host keeps the first copy; an evasion attempt to alert on).
 *     Any other overlap discards the whole datagram, for IPv6 (RFC 5722) and, since Linux 4.19
 *     (commit "ip: discard IPv4 datagrams with overlapping segments", CVE-2018-5391), for IPv4
 *     too: VP_DEFRAG_OVERLAP.
 *   - Lengths: a last fragment ending before held data, two different last fragments, data past
 *     a last fragment, or a fragment of 0 bytes discard the datagram (VP_DEFRAG_INVALID).  A
 *     non-last IPv4 fragment whose length is not a multiple of 8 is cut down to one (Linux); a
 *     non-last IPv6 one is dropped (RFC 8200 4.5), like an IPv6 first fragment that does not hold
 *     the headers through the upper-layer header (RFC 7112; Linux also wants 20 TCP / 8 UDP /
 *     8 ICMPv6 / 1 other byte of it).  An IPv4 first fragment that short (RFC 1858 "tiny
 *     fragment") is kept, as Linux does, and counted.
 *   - Too large: an IPv6 fragment ending past 65535 is dropped (the datagram goes on); an IPv4
 *     datagram longer than 65535 bytes, or an IPv6 one whose payload would be, is discarded
 *     (VP_DEFRAG_TOO_LARGE).  An IPv4 datagram is known too large at its first offending
 *     fragment; like Linux, which keeps such a queue until it times out, later fragments with the
 *     same key are then absorbed (VP_DEFRAG_TOO_LARGE) until the timeout.
 *   - Timeout from the first fragment (Linux: ipfrag_time 30 s, ip6frag_time 60 s), measured on
 *     packet timestamps and applied lazily on each call or by vp_defrag_expire().
 *   - Limits: when no context is free or the memcap has no room for the fragment's bytes, the
 *     fragment is dropped (VP_DEFRAG_MEMCAP), nothing is evicted: what Linux does above
 *     ipfrag_high_thresh.  Also when a datagram has VP_DEFRAG_MAX_RUNS separate runs, and when an
 *     IPv6 unfragmentable part is longer than VP_DEFRAG_MAX_HDR (Linux accepts both).
 * Not modelled: ECN mixing rules, ipfrag_max_dist, per-interface keys of link-local IPv6.
 *
 * Memory: everything is allocated by vp_defrag_new(): the contexts, a pool of fixed-size data
 * chunks sized by <memcap>, the hash table and one output buffer; packets never allocate.
 * One struct vp_defrag per worker; no locking.
 */
#ifndef VP_INSPECT_DEFRAG_H
#define VP_INSPECT_DEFRAG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "inspect/packet.h"

#define VP_DEFRAG_CHUNK	   1024u /* bytes of datagram per pool chunk (the memcap's unit) */
#define VP_DEFRAG_MAX_RUNS 256u	 /* separate runs of fragments per datagram */
#define VP_DEFRAG_MAX_HDR  256u	 /* IPv4 header / IPv6 unfragmentable part kept per datagram */
#define VP_DEFRAG_MAX_OUT  (65535u + 40u) /* longest rebuilt packet (IPv6 header + payload) */

/* Results of vp_defrag_packet(): >= 0 the packet was taken as it should, < 0 an anomaly. */
enum vp_defrag_result {
	VP_DEFRAG_NOT_FRAGMENT = 0, /* not a fragment (or no valid IP): inspect it as is */
	VP_DEFRAG_HELD = 1,	    /* stored; the datagram is not complete yet */
	VP_DEFRAG_COMPLETE = 2,	    /* this fragment completed it: inspect *out instead */
	VP_DEFRAG_DUPLICATE = 3,    /* inside held data, same bytes: ignored */
	VP_DEFRAG_CONFLICT = -1,    /* inside held data, different bytes: ignored (host keeps
				     * the first copy); a possible evasion attempt */
	VP_DEFRAG_OVERLAP = -2,	    /* partial overlap: the whole datagram was discarded */
	VP_DEFRAG_INVALID = -3,	    /* bad fragment length / header: the fragment (and for
				     * inconsistent lengths the datagram) was discarded */
	VP_DEFRAG_TOO_LARGE = -4,   /* datagram would exceed 65535 bytes: discarded */
	VP_DEFRAG_MEMCAP = -5,	    /* no context / memory / run slot: fragment dropped */
};

struct vp_defrag_limits {
	unsigned int max_datagrams; /* contexts (datagrams in progress); default 1024 */
	size_t memcap;		    /* bytes of fragment data held; default 16 MiB */
	unsigned int timeout4_ms;   /* IPv4 datagram lifetime; default 30000 */
	unsigned int timeout6_ms;   /* IPv6 datagram lifetime; default 60000 (Linux) */
};

struct vp_defrag_stats {
	uint64_t fragments;   /* fragments seen */
	uint64_t completed;   /* datagrams rebuilt */
	uint64_t duplicates;  /* VP_DEFRAG_DUPLICATE */
	uint64_t conflicts;   /* VP_DEFRAG_CONFLICT */
	uint64_t overlaps;    /* datagrams discarded for an overlap */
	uint64_t timeouts;    /* datagrams expired incomplete */
	uint64_t memcap;      /* fragments dropped by a limit */
	uint64_t too_large;   /* VP_DEFRAG_TOO_LARGE */
	uint64_t invalid;     /* VP_DEFRAG_INVALID */
	uint64_t tiny_first;  /* first fragments without the whole L4 header */
	uint64_t in_progress; /* contexts in use now */
	uint64_t bytes_held;  /* chunk bytes in use now */
};

struct vp_defrag;

/* Fills <l> with the defaults above.  Any thread. */
void vp_defrag_limits_default(struct vp_defrag_limits *l);

/*
 * Allocates a reassembler with limits <l> (NULL: defaults; a 0 field: its default).  The caller
 * owns it and frees it with vp_defrag_free().  Returns NULL on allocation failure.  Control
 * thread or worker start-up; not on the packet path.
 */
struct vp_defrag *vp_defrag_new(const struct vp_defrag_limits *l);

/* Frees <d> and everything it holds; NULL-safe.  Owner thread. */
void vp_defrag_free(struct vp_defrag *d);

/*
 * Takes packet <p> (decoded by vp_decode_packet(); a packet without a valid IP header or not a
 * fragment returns VP_DEFRAG_NOT_FRAGMENT at once).  First expires datagrams older than the
 * timeout at p->ts.  A fragment's bytes are copied: <p> need not outlive the call.  On
 * VP_DEFRAG_COMPLETE, *out and *outlen (otherwise untouched) give the rebuilt, unfragmented IP
 * packet, owned by <d> and valid until its next call: decode and inspect it in place of the
 * fragment.  IPv4: offset and MF cleared (DF kept), total length and header checksum recomputed;
 * IPv6: fragment header removed, previous next-header fixed, payload length recomputed.
 * Owner (worker) thread; no allocation.
 */
int vp_defrag_packet(struct vp_defrag *d, const struct vp_packet *p, const uint8_t **out,
		     size_t *outlen);

/* Discards the datagrams whose timeout has passed at <now> (counted as timeouts).  Owner thread. */
void vp_defrag_expire(struct vp_defrag *d, const struct timeval *now);

/* Discards every datagram in progress (end of a capture), counted as timeouts.  Owner thread. */
void vp_defrag_flush(struct vp_defrag *d);

/* The counters of <d>, owned by <d>; read them on the owner thread. */
const struct vp_defrag_stats *vp_defrag_stats(const struct vp_defrag *d);

/* Printable name of a vp_defrag_packet() result ("held", "overlap" ...).  Any thread. */
const char *vp_defrag_result_str(int result);

#endif
