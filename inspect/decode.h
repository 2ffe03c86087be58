/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Decoding of link-layer frames and IPv4/IPv6/TCP/UDP/ICMP packets. Pure: no I/O, no state. */
#ifndef VP_INSPECT_DECODE_H
#define VP_INSPECT_DECODE_H

#include "inspect/packet.h"

/* Link types of capture files (pcap LINKTYPE_ values) that vp_decode_link() accepts. */
enum vp_linktype {
	VP_LINK_NULL = 0,		/* BSD loopback: 4-byte host-order family */
	VP_LINK_ETHERNET = 1,		/* Ethernet II, with up to two 802.1Q/802.1ad tags */
	VP_LINK_RAW = 101,		/* raw IPv4/IPv6 */
	VP_LINK_LINUX_SLL = 113,	/* Linux cooked capture v1 */
	VP_LINK_IPV4 = 228,
	VP_LINK_IPV6 = 229,
	VP_LINK_LINUX_SLL2 = 276,	/* Linux cooked capture v2 */
};

/*
 * Finds the IP packet inside a link-layer frame of type <linktype> (also
 * accepts DLT_RAW's historic values 12 and 14).  On success sets <*l3> to the
 * offset of the IP header and returns VP_PARSE_OK; returns VP_PARSE_ERROR for
 * a truncated frame or an unknown link type, and VP_PARSE_MORE (0) for a frame
 * that carries no IP (ARP, LLDP ...), which the caller skips.
 * Any thread.
 */
int vp_decode_link(int linktype, const uint8_t *frame, size_t len, size_t *l3);

/*
 * Decodes the IP packet <data>/<len> into <p> (which it clears first and whose
 * pointers then borrow <data>).  Returns VP_PARSE_OK when there is a valid IP
 * header (anomalies further in are flagged in p->anomalies, and the L4 fields
 * are filled as far as they are valid), VP_PARSE_ERROR when there is none
 * (p->anomalies says why: a VP_ANOM_NO_VALID_IP bit).  Sets
 * VP_ANOM_IP_SAME_ADDR when source equals destination.  Never reads outside
 * <data>/<len>.  Bytes past the IP total length (link padding) are ignored.
 * Any thread; no allocation.
 */
int vp_decode_packet(struct vp_packet *p, const uint8_t *data, size_t len);

/*
 * Verifies the IPv4 header checksum (fragments too) and the TCP/UDP/ICMP/ICMPv6
 * checksum (unfragmented packets with a complete L4 header) of a decoded packet; sets VP_ANOM_IP4_BAD_CSUM /
 * VP_ANOM_L4_BAD_CSUM and returns false if either is wrong.  Callers skip it
 * for packets whose checksum the kernel has not finished (offload).
 */
bool vp_decode_checksums_ok(struct vp_packet *p);

/* Writes the printable form of <a> into <buf> (at least 46 bytes); returns buf. */
const char *vp_addr_str(const struct vp_addr *a, char *buf, size_t size);

#endif
