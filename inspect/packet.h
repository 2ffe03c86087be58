/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The decoded view of one packet, shared by every stage of the packet path.
 *
 * A struct vp_packet only borrows: every pointer in it points into the
 * buffer the packet was decoded from (the worker's receive buffer, or the
 * capture reader's), valid until the worker releases the packet.
 */
#ifndef VP_INSPECT_PACKET_H
#define VP_INSPECT_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

/* Borrowed bytes; copying is always explicit. */
struct vp_slice {
	const uint8_t *ptr;
	size_t len;
};

/* An IPv4 or IPv6 address; IPv4 lives in a[0..3], the rest is zero. */
struct vp_addr {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t a[16];
};

/* Graded parser results (STYLE.md). */
enum vp_parse {
	VP_PARSE_ERROR = -2,	/* malformed: apply the exception policy */
	VP_PARSE_EVASION = -1,	/* well-formed but ambiguous: an anomaly to report */
	VP_PARSE_MORE = 0,	/* need more data */
	VP_PARSE_OK = 1,
};

/*
 * Decoder anomalies, a bit each in vp_packet.anomalies.  The first group
 * means "no valid IP header" (built-in rule bad_ip_header); the rest are
 * recorded for counters and later checks.
 */
enum vp_anomaly {
	VP_ANOM_IP_TRUNCATED = 1u << 0,		/* shorter than the IP header */
	VP_ANOM_IP_BAD_VERSION = 1u << 1,	/* version neither 4 nor 6 */
	VP_ANOM_IP_BAD_HLEN = 1u << 2,		/* IPv4 IHL < 5 or beyond the packet */
	VP_ANOM_IP_BAD_TOTLEN = 1u << 3,	/* total/payload length inconsistent */
	VP_ANOM_IP_SAME_ADDR = 1u << 4,		/* source == destination */
	VP_ANOM_IP6_BAD_EXTHDR = 1u << 5,	/* extension header chain malformed */
	VP_ANOM_IP_FRAGMENT = 1u << 6,		/* a fragment: L4 not decoded */
	VP_ANOM_L4_TRUNCATED = 1u << 7,		/* TCP/UDP/ICMP header truncated */
	VP_ANOM_TCP_BAD_DOFF = 1u << 8,		/* TCP data offset < 5 or beyond */
	VP_ANOM_UDP_BAD_LEN = 1u << 9,		/* UDP length field inconsistent */
	VP_ANOM_IP4_BAD_CSUM = 1u << 10,	/* IPv4 header checksum wrong */
	VP_ANOM_L4_BAD_CSUM = 1u << 11,		/* TCP/UDP/ICMP checksum wrong */
	VP_ANOM_TCP_BAD_FLAGS = 1u << 12,	/* SYN+FIN, SYN+RST, no flags ... */
};

#define VP_ANOM_NO_VALID_IP \
	(VP_ANOM_IP_TRUNCATED | VP_ANOM_IP_BAD_VERSION | VP_ANOM_IP_BAD_HLEN | \
	 VP_ANOM_IP_BAD_TOTLEN | VP_ANOM_IP6_BAD_EXTHDR)

/* TCP flag bits as on the wire (RFC 9293). */
#define VP_TCP_FIN 0x01
#define VP_TCP_SYN 0x02
#define VP_TCP_RST 0x04
#define VP_TCP_PSH 0x08
#define VP_TCP_ACK 0x10
#define VP_TCP_URG 0x20
#define VP_TCP_ECE 0x40
#define VP_TCP_CWR 0x80

/* vp_packet.flow_flags, set by the flow stage before detection. */
enum vp_pkt_flow {
	VP_PKT_TO_SERVER = 1u << 0,	/* sent by the side that opened the flow */
	VP_PKT_TO_CLIENT = 1u << 1,
	VP_PKT_ESTABLISHED = 1u << 2,	/* TCP handshake complete (or UDP reply seen) */
	VP_PKT_HAS_FLOW = 1u << 3,	/* a flow was found or created */
};

struct vp_packet {
	/* What the packet was decoded from: starts at the IP header. */
	const uint8_t *data;
	size_t len;
	struct timeval ts;

	uint8_t ip_version;		/* 4 or 6; 0 when there is no valid IP header */
	uint8_t proto;			/* L4 protocol after IPv6 extension headers */
	uint8_t ttl;			/* IPv4 TTL or IPv6 hop limit */
	bool fragment;			/* a fragment (offset != 0 or more-fragments) */
	uint16_t ip_id;			/* IPv4 id (IPv6: low 16 bits of fragment id) */
	struct vp_addr src, dst;
	struct vp_slice l3;		/* IP header(s), incl. IPv6 extension headers */
	struct vp_slice l4;		/* from the L4 header to the end of the IP payload */

	uint16_t sport, dport;		/* TCP/UDP; 0 otherwise */
	uint8_t tcp_flags;
	uint32_t tcp_seq, tcp_ack;
	uint16_t tcp_win;
	uint8_t icmp_type, icmp_code;	/* ICMP or ICMPv6 */
	struct vp_slice payload;	/* L4 payload (IP payload for other protocols) */

	uint32_t anomalies;		/* enum vp_anomaly bits */
	uint32_t flow_flags;		/* enum vp_pkt_flow bits */
};

#endif
