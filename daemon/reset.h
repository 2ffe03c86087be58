/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TCP resets for blocked flows: both ends of the connection get an RST that looks as if it
 * came from the other end, so the client's and the local server's sockets are torn down even
 * though the blocked bytes were dropped.
 *
 * The resets go out through raw sockets (IPv4 IP_HDRINCL, IPv6 IPPROTO_RAW/IPV6_HDRINCL) with
 * SO_MARK = the nftables mark, so the vpatch table accepts them without queueing.  A reset for
 * a local socket is routed over lo (accepted there as well).
 */
#ifndef VP_DAEMON_RESET_H
#define VP_DAEMON_RESET_H

#include <stddef.h>
#include <stdint.h>

#define VP_RESET_MAXLEN 60		/* IPv6 header + TCP header without options */

/* The two resets built for one packet; both are <len> bytes, IPv4 or IPv6 (<version>). */
struct vp_reset_pair {
	uint8_t to_dst[VP_RESET_MAXLEN];	/* to the packet's destination, from its source */
	uint8_t to_src[VP_RESET_MAXLEN];	/* to the packet's source, from its destination */
	size_t len;
	int version;				/* 4 or 6 */
};

struct vp_reset;

/*
 * Opens the raw sockets (IPv4 and, if the kernel has it, IPv6) marked with <mark> (needs
 * CAP_NET_RAW and CAP_NET_ADMIN).  Returns the object, owned by the caller (vp_reset_free()),
 * or NULL with a message in <err>.  Control thread.
 */
struct vp_reset *vp_reset_new(uint32_t mark, char *err, size_t errlen);

/*
 * Builds the two RSTs for the dropped TCP packet <pkt> (<len> bytes, starting with the IPv4
 * or IPv6 header; may be cut short after the TCP header, the IP length fields give the
 * payload length) without sending them:
 *   to_dst: src/dst as in <pkt>, seq = pkt.seq (the receiver's next expected byte, since the
 *           dropped bytes never arrived), RST, plus ACK with pkt.ack when pkt had ACK;
 *   to_src: src/dst swapped, seq = pkt.ack (0 if pkt had no ACK), RST|ACK with
 *           ack = pkt.seq + payload length (+1 for SYN, +1 for FIN), per RFC 9293 3.10.7.1.
 * TTL / hop limit 64, window 0, no options, correct IP and TCP checksums.
 * Returns 0, 1 if <pkt> is itself an RST (nothing built: a reset is never answered),
 * -EPROTONOSUPPORT if it is not TCP, -EINVAL if malformed or truncated within the headers or
 * a non-first fragment.  Pure: any thread.
 */
int vp_reset_build(const uint8_t *pkt, size_t len, struct vp_reset_pair *out);

/*
 * Builds the two RSTs for <pkt> (as vp_reset_build()) and sends them.  Returns 0 if both were
 * sent or <pkt> is an RST, else the -errno of the build or of the first failed send.
 * Link-local IPv6 peers are not supported (no interface scope is given).  Any thread: the
 * object is only read, the sockets are shared (one sendto() per RST).
 */
int vp_reset_send(struct vp_reset *r, const uint8_t *pkt, size_t len);

/* Closes the sockets and frees <r>. NULL-safe. Control thread. */
void vp_reset_free(struct vp_reset *r);

#endif
