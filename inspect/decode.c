/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Link-layer, IPv4/IPv6 and TCP/UDP/ICMP decoding (RFC 791, 8200, 9293, 768, 792, 4443).
 *
 * Every read is bounds-checked against the captured length first; multi-byte fields are read
 * byte-wise in network order, so the packet may sit at any alignment.  Nothing here allocates or
 * keeps state: a packet is decoded in place and struct vp_packet only borrows its bytes.
 *
 * Policy choices worth knowing:
 * - An IPv4 total length of 0 means "the captured length" only when the packet is longer than
 *   65535 bytes (GSO / BIG TCP super-packets handed up by the kernel); an IPv6 payload length of 0
 *   likewise (jumbogram, RFC 2675), and a UDP length of 0 inside such a packet too.
 * - When there is no valid IP header, src/dst are still filled (family set) if the fixed header
 *   was captured, so the event for the violation can name the addresses; ip_version stays 0.
 * - Non-first fragments: p->l4 holds the fragment's data, no L4 field is decoded and the payload
 *   is empty.  First fragments: L4 decoded as far as present; a UDP length or TCP header reaching
 *   past the fragment is "possibly incomplete", not an anomaly of its own (a TCP header cut by the
 *   fragment is VP_ANOM_L4_TRUNCATED).
 * - A TCP header with a bad data offset still fills ports, seq/ack, flags and window (the fixed
 *   20 bytes are there) but leaves the payload empty; a truncated L4 header fills nothing.
 */
#include "vp_build.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "inspect/decode.h"

#define IP4_HDR_LEN 20u
#define IP6_HDR_LEN 40u
#define TCP_HDR_LEN 20u
#define UDP_HDR_LEN 8u
#define ICMP_HDR_LEN 8u
#define IP_MAX_LEN 65535u
#define IP6_MAX_EXTHDRS 16		/* longer chains are treated as malformed */

#define ETH_HDR_LEN 14u
#define VLAN_TAG_LEN 4u
#define ETH_MAX_TAGS 2
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define SLL_HDR_LEN 16u
#define SLL_PROTO_OFF 14u
#define SLL2_HDR_LEN 20u
#define SLL2_PROTO_OFF 0u
#define NULL_HDR_LEN 4u

enum {
	PROTO_HOPOPTS = 0,
	PROTO_ICMP = 1,
	PROTO_TCP = 6,
	PROTO_UDP = 17,
	PROTO_ROUTING = 43,
	PROTO_FRAGMENT = 44,
	PROTO_ESP = 50,
	PROTO_AH = 51,
	PROTO_ICMPV6 = 58,
	PROTO_NONE = 59,
	PROTO_DSTOPTS = 60,
};

static uint16_t rd16(const uint8_t *b)
{
	return (uint16_t)((unsigned int)b[0] << 8 | b[1]);
}

static uint32_t rd32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static bool ethertype_is_ip(uint16_t type)
{
	return type == ETHERTYPE_IPV4 || type == ETHERTYPE_IPV6;
}

static int link_ether(const uint8_t *f, size_t len, size_t *l3)
{
	size_t off = ETH_HDR_LEN - 2;	/* the ethertype after both MAC addresses */
	uint16_t type;
	int tags;

	for (tags = 0;; tags++) {
		if (len < off + 2)
			return VP_PARSE_ERROR;
		type = rd16(f + off);
		if ((type != ETHERTYPE_VLAN && type != ETHERTYPE_QINQ) || tags == ETH_MAX_TAGS)
			break;
		off += VLAN_TAG_LEN;
	}
	if (!ethertype_is_ip(type))
		return VP_PARSE_MORE;	/* ARP, LLDP, a third tag ...: no IP for us */
	*l3 = off + 2;
	return VP_PARSE_OK;
}

/* Linux cooked captures: a fixed header with the ethertype at <proto_off>. */
static int link_cooked(const uint8_t *f, size_t len, size_t hlen, size_t proto_off, size_t *l3)
{
	if (len < hlen)
		return VP_PARSE_ERROR;
	if (!ethertype_is_ip(rd16(f + proto_off)))
		return VP_PARSE_MORE;
	*l3 = hlen;
	return VP_PARSE_OK;
}

static bool null_family_is_v6(uint32_t family)
{
	/* AF_INET6 of NetBSD/OpenBSD, FreeBSD/DragonFly, and Darwin. */
	return family == 24 || family == 28 || family == 30;
}

/* BSD loopback: the address family in the capturing host's byte order, so try both. */
static int link_null(const uint8_t *f, size_t len, size_t *l3)
{
	uint32_t be, le;

	if (len < NULL_HDR_LEN)
		return VP_PARSE_ERROR;
	be = rd32(f);
	le = (uint32_t)f[3] << 24 | (uint32_t)f[2] << 16 | (uint32_t)f[1] << 8 | f[0];
	if (be != 2 && le != 2 && !null_family_is_v6(be) && !null_family_is_v6(le))
		return VP_PARSE_MORE;
	*l3 = NULL_HDR_LEN;
	return VP_PARSE_OK;
}

/*
 * Finds the IP header inside a frame of pcap link type <linktype>; see decode.h.  <*l3> is only
 * written on VP_PARSE_OK.  A raw frame of 0 bytes is accepted here and rejected by
 * vp_decode_packet() as truncated.  Any thread; no allocation.
 */
int vp_decode_link(int linktype, const uint8_t *frame, size_t len, size_t *l3)
{
	switch (linktype) {
	case VP_LINK_ETHERNET:
		return link_ether(frame, len, l3);
	case VP_LINK_RAW:
	case 12:		/* DLT_RAW on OpenBSD and most BSDs */
	case 14:		/* DLT_RAW on BSD/OS */
	case VP_LINK_IPV4:
	case VP_LINK_IPV6:
		*l3 = 0;
		return VP_PARSE_OK;
	case VP_LINK_NULL:
		return link_null(frame, len, l3);
	case VP_LINK_LINUX_SLL:
		return link_cooked(frame, len, SLL_HDR_LEN, SLL_PROTO_OFF, l3);
	case VP_LINK_LINUX_SLL2:
		return link_cooked(frame, len, SLL2_HDR_LEN, SLL2_PROTO_OFF, l3);
	default:
		return VP_PARSE_ERROR;
	}
}

static int no_valid_ip(struct vp_packet *p, uint32_t why)
{
	p->anomalies |= why;
	return VP_PARSE_ERROR;
}

static void set_addrs(struct vp_packet *p, uint8_t family, size_t off, size_t alen)
{
	p->src.family = family;
	p->dst.family = family;
	memcpy(p->src.a, p->data + off, alen);
	memcpy(p->dst.a, p->data + off + alen, alen);
}

/* Validates the IPv4 header; sets <*skip_l4> for a non-first fragment (no L4 header in it). */
static int decode_ip4(struct vp_packet *p, bool *skip_l4)
{
	const uint8_t *d = p->data;
	size_t ihl, tot;
	uint16_t frag;

	if (p->len < IP4_HDR_LEN)
		return no_valid_ip(p, VP_ANOM_IP_TRUNCATED);
	set_addrs(p, AF_INET, 12, 4);
	ihl = (d[0] & 0x0fu) * 4u;
	if (ihl < IP4_HDR_LEN || ihl > p->len)
		return no_valid_ip(p, VP_ANOM_IP_BAD_HLEN);
	tot = rd16(d + 2);
	if (tot == 0 && p->len > IP_MAX_LEN)
		tot = p->len;	/* GSO / BIG TCP: the kernel leaves the field 0 */
	if (tot < ihl || tot > p->len)
		return no_valid_ip(p, VP_ANOM_IP_BAD_TOTLEN);

	p->ip_version = 4;
	p->ttl = d[8];
	p->proto = d[9];
	p->ip_id = rd16(d + 4);
	frag = rd16(d + 6);
	p->fragment = (frag & 0x3fffu) != 0;	/* more-fragments bit or an offset */
	*skip_l4 = (frag & 0x1fffu) != 0;
	p->l3 = (struct vp_slice){ d, ihl };
	p->l4 = (struct vp_slice){ d + ihl, tot - ihl };
	return VP_PARSE_OK;
}

static bool is_ip6_exthdr(uint8_t nh)
{
	return nh == PROTO_HOPOPTS || nh == PROTO_ROUTING || nh == PROTO_FRAGMENT ||
	       nh == PROTO_DSTOPTS || nh == PROTO_AH;
}

static size_t ip6_exthdr_len(uint8_t nh, uint8_t len_field)
{
	if (nh == PROTO_FRAGMENT)
		return 8;
	if (nh == PROTO_AH)
		return ((size_t)len_field + 2) * 4;	/* RFC 4302: 4-octet units, minus 2 */
	return ((size_t)len_field + 1) * 8;		/* RFC 8200: 8-octet units, minus 1 */
}

/* Records the fragment header <h>; returns true when this is a non-first fragment. */
static bool ip6_fragment(struct vp_packet *p, const uint8_t *h)
{
	uint16_t w = rd16(h + 2);

	p->ip_id = (uint16_t)rd32(h + 4);
	if (w & 0xfff9u)	/* offset (13 bits) or M; an atomic fragment is whole (RFC 6946) */
		p->fragment = true;
	return (w >> 3) != 0;
}

/*
 * Walks the extension header chain between the fixed header and <end>; sets p->proto and
 * <*l4off>.  Stops after at most IP6_MAX_EXTHDRS headers, at a non-first fragment (its data is
 * not headers), and at anything that is not an extension header (including ESP and "no next
 * header").  Hop-by-hop options anywhere but first are malformed (RFC 8200 4.1).
 */
static int ip6_exthdrs(struct vp_packet *p, size_t end, size_t *l4off, bool *skip_l4)
{
	const uint8_t *d = p->data;
	uint8_t nh = d[6];
	size_t off = IP6_HDR_LEN, hlen;
	int n;

	for (n = 0; is_ip6_exthdr(nh); n++) {
		if (n == IP6_MAX_EXTHDRS || end - off < 2 || (nh == PROTO_HOPOPTS && n > 0))
			return no_valid_ip(p, VP_ANOM_IP6_BAD_EXTHDR);
		hlen = ip6_exthdr_len(nh, d[off + 1]);
		if (end - off < hlen)
			return no_valid_ip(p, VP_ANOM_IP6_BAD_EXTHDR);
		if (nh == PROTO_FRAGMENT && ip6_fragment(p, d + off)) {
			*skip_l4 = true;
			nh = d[off];
			off += hlen;
			break;
		}
		nh = d[off];
		off += hlen;
	}
	p->proto = nh;
	*l4off = off;
	return VP_PARSE_OK;
}

static int decode_ip6(struct vp_packet *p, bool *skip_l4)
{
	const uint8_t *d = p->data;
	size_t plen, off;
	int ret;

	if (p->len < IP6_HDR_LEN)
		return no_valid_ip(p, VP_ANOM_IP_TRUNCATED);
	set_addrs(p, AF_INET6, 8, 16);
	plen = rd16(d + 4);
	if (plen == 0 && p->len - IP6_HDR_LEN > IP_MAX_LEN)
		plen = p->len - IP6_HDR_LEN;	/* jumbogram / BIG TCP */
	if (plen > p->len - IP6_HDR_LEN)
		return no_valid_ip(p, VP_ANOM_IP_BAD_TOTLEN);
	ret = ip6_exthdrs(p, IP6_HDR_LEN + plen, &off, skip_l4);
	if (ret != VP_PARSE_OK) {
		p->fragment = false;
		p->proto = 0;
		p->ip_id = 0;
		return ret;
	}
	p->ip_version = 6;
	p->ttl = d[7];
	p->l3 = (struct vp_slice){ d, off };
	p->l4 = (struct vp_slice){ d + off, IP6_HDR_LEN + plen - off };
	return VP_PARSE_OK;
}

static void l4_truncated(struct vp_packet *p)
{
	p->anomalies |= VP_ANOM_L4_TRUNCATED;
}

static bool tcp_flags_bad(uint8_t f)
{
	return f == 0 || (f & (VP_TCP_SYN | VP_TCP_FIN)) == (VP_TCP_SYN | VP_TCP_FIN) ||
	       (f & (VP_TCP_SYN | VP_TCP_RST)) == (VP_TCP_SYN | VP_TCP_RST);
}

static void decode_tcp(struct vp_packet *p)
{
	const uint8_t *h = p->l4.ptr;
	size_t n = p->l4.len, hlen;

	if (n < TCP_HDR_LEN)
		return l4_truncated(p);
	hlen = (size_t)(h[12] >> 4) * 4u;
	if (hlen > n && p->fragment)
		return l4_truncated(p);	/* options cut by the first fragment */
	p->sport = rd16(h);
	p->dport = rd16(h + 2);
	p->tcp_seq = rd32(h + 4);
	p->tcp_ack = rd32(h + 8);
	p->tcp_flags = h[13];
	p->tcp_win = rd16(h + 14);
	if (tcp_flags_bad(p->tcp_flags))
		p->anomalies |= VP_ANOM_TCP_BAD_FLAGS;
	if (hlen < TCP_HDR_LEN || hlen > n) {
		p->anomalies |= VP_ANOM_TCP_BAD_DOFF;
		return;
	}
	p->payload = (struct vp_slice){ h + hlen, n - hlen };
}

static void decode_udp(struct vp_packet *p)
{
	const uint8_t *h = p->l4.ptr;
	size_t n = p->l4.len, ulen;

	if (n < UDP_HDR_LEN)
		return l4_truncated(p);
	p->sport = rd16(h);
	p->dport = rd16(h + 2);
	ulen = rd16(h + 4);
	if (ulen == 0 && n > IP_MAX_LEN)
		ulen = n;	/* jumbo (RFC 2675) or GSO */
	if (ulen < UDP_HDR_LEN) {
		p->anomalies |= VP_ANOM_UDP_BAD_LEN;
		return;
	}
	if (ulen > n) {
		if (!p->fragment)	/* a first fragment is expected to end early */
			p->anomalies |= VP_ANOM_UDP_BAD_LEN;
		ulen = n;
	}
	p->payload = (struct vp_slice){ h + UDP_HDR_LEN, ulen - UDP_HDR_LEN };
}

static void decode_icmp(struct vp_packet *p)
{
	const uint8_t *h = p->l4.ptr;

	if (p->l4.len < ICMP_HDR_LEN)
		return l4_truncated(p);
	p->icmp_type = h[0];
	p->icmp_code = h[1];
	p->payload = (struct vp_slice){ h + ICMP_HDR_LEN, p->l4.len - ICMP_HDR_LEN };
}

static void decode_l4(struct vp_packet *p)
{
	uint8_t icmp = p->ip_version == 4 ? PROTO_ICMP : PROTO_ICMPV6;

	if (p->proto == PROTO_TCP)
		decode_tcp(p);
	else if (p->proto == PROTO_UDP)
		decode_udp(p);
	else if (p->proto == icmp)
		decode_icmp(p);
	else	/* ESP, no-next-header, GRE, SCTP, ICMP of the other IP version ... */
		p->payload = p->l4;
}

/*
 * Decodes the IP packet <data>/<len> into <p>; see decode.h for the contract and the top of this
 * file for the policy on lengths of 0, errors and fragments.  Any thread; no allocation.
 */
int vp_decode_packet(struct vp_packet *p, const uint8_t *data, size_t len)
{
	bool skip_l4 = false;
	int ret;

	memset(p, 0, sizeof(*p));
	p->data = data;
	p->len = len;
	if (len < 1)
		return no_valid_ip(p, VP_ANOM_IP_TRUNCATED);
	switch (data[0] >> 4) {
	case 4:
		ret = decode_ip4(p, &skip_l4);
		break;
	case 6:
		ret = decode_ip6(p, &skip_l4);
		break;
	default:
		return no_valid_ip(p, VP_ANOM_IP_BAD_VERSION);
	}
	if (ret != VP_PARSE_OK)
		return ret;
	if (memcmp(p->src.a, p->dst.a, sizeof(p->src.a)) == 0)
		p->anomalies |= VP_ANOM_IP_SAME_ADDR;
	if (p->fragment)
		p->anomalies |= VP_ANOM_IP_FRAGMENT;
	if (!skip_l4)
		decode_l4(p);
	return VP_PARSE_OK;
}

/*
 * Ones-complement sum (RFC 1071) of <b>/<n> added to <acc>, in native byte order: the folded
 * result is byte-order independent, and 0xffff (the only value checked) reads the same both ways.
 */
static uint64_t csum_add(uint64_t acc, const uint8_t *b, size_t n)
{
	uint32_t w0, w1;
	uint16_t h = 0;

	for (; n >= 8; b += 8, n -= 8) {
		memcpy(&w0, b, 4);
		memcpy(&w1, b + 4, 4);
		acc += (uint64_t)w0 + w1;
	}
	for (; n >= 2; b += 2, n -= 2) {
		memcpy(&h, b, 2);
		acc += h;
	}
	if (n) {
		h = 0;
		memcpy(&h, b, 1);	/* the odd last byte, padded with a zero byte */
		acc += h;
	}
	return acc;
}

/* Adds a 16-bit value given in host order, as a network-order word would be summed. */
static uint64_t csum_add16(uint64_t acc, uint16_t v)
{
	return acc + htons(v);
}

static bool csum_is_ok(uint64_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffffu) + (acc >> 16);
	return acc == 0xffffu;
}

/* Checks <len> bytes from the L4 header, with the pseudo-header for TCP, UDP and ICMPv6. */
static bool l4_sum_ok(const struct vp_packet *p, size_t len, bool pseudo)
{
	size_t alen = p->ip_version == 4 ? 4 : 16;
	uint64_t acc = 0;

	if (pseudo) {
		acc = csum_add(acc, p->src.a, alen);
		acc = csum_add(acc, p->dst.a, alen);
		acc = csum_add16(acc, p->proto);
		acc = csum_add16(acc, (uint16_t)(len >> 16));
		acc = csum_add16(acc, (uint16_t)len);
	}
	return csum_is_ok(csum_add(acc, p->l4.ptr, len));
}

static bool l4_csum_ok(const struct vp_packet *p)
{
	if (p->fragment || (p->anomalies & (VP_ANOM_L4_TRUNCATED | VP_ANOM_UDP_BAD_LEN)))
		return true;	/* not all of it is here, or its extent is unknown */
	switch (p->proto) {
	case PROTO_TCP:
		return l4_sum_ok(p, p->l4.len, true);
	case PROTO_UDP:
		if (rd16(p->l4.ptr + 6) == 0)
			return p->ip_version == 4;	/* "none": IPv4 only (RFC 8200 8.1) */
		return l4_sum_ok(p, UDP_HDR_LEN + p->payload.len, true);
	case PROTO_ICMP:
		return p->ip_version != 4 || l4_sum_ok(p, p->l4.len, false);
	case PROTO_ICMPV6:
		return p->ip_version != 6 || l4_sum_ok(p, p->l4.len, true);
	default:
		return true;
	}
}

/*
 * Verifies the IPv4 header checksum (also of fragments) and, for whole packets with a complete
 * L4 header, the TCP/UDP/ICMP/ICMPv6 checksum of a packet vp_decode_packet() accepted.  Sets
 * VP_ANOM_IP4_BAD_CSUM / VP_ANOM_L4_BAD_CSUM and returns false on a mismatch; returns true for
 * a packet without a valid IP header (nothing to check).  Any thread; no allocation.
 */
bool vp_decode_checksums_ok(struct vp_packet *p)
{
	bool ok = true;

	if (p->ip_version != 4 && p->ip_version != 6)
		return true;
	if (p->ip_version == 4 && !csum_is_ok(csum_add(0, p->l3.ptr, p->l3.len))) {
		p->anomalies |= VP_ANOM_IP4_BAD_CSUM;
		ok = false;
	}
	if (!l4_csum_ok(p)) {
		p->anomalies |= VP_ANOM_L4_BAD_CSUM;
		ok = false;
	}
	return ok;
}

/*
 * Writes the printable form of <a> (AF_INET or AF_INET6) into <buf>/<size>, "?" for any other
 * family or a buffer too small; always NUL-terminates when size > 0.  Returns buf, which the
 * caller owns.  Any thread.
 */
const char *vp_addr_str(const struct vp_addr *a, char *buf, size_t size)
{
	socklen_t n = size > 256 ? 256 : (socklen_t)size;

	if (size == 0)
		return buf;
	if (!inet_ntop(a->family, a->a, buf, n))
		snprintf(buf, size, "%s", "?");
	return buf;
}
