/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of inspect/decode.c.  Packets are built here by small builders with their own,
 * deliberately naive checksum code (byte-wise RFC 1071), then decoded and compared field by field.
 */
#include "vp_build.h"

#include <check.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/decode.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BUF_MAX 4096

enum {
	P_HOP = 0, P_ICMP = 1, P_TCP = 6, P_UDP = 17, P_ROUTING = 43, P_FRAG = 44, P_GRE = 47,
	P_ESP = 50, P_AH = 51, P_ICMPV6 = 58, P_NONE = 59, P_DST = 60,
};

enum frag { FRAG_NONE = 0, FRAG_FIRST, FRAG_LATER, FRAG_ATOMIC };

/* What to build. */
struct pspec {
	uint8_t ver;
	uint8_t proto;		/* the L4 protocol, after any IPv6 extension headers */
	uint8_t tcp_flags;
	uint8_t tcp_optlen;	/* multiple of 4 */
	uint8_t ip4_optlen;	/* multiple of 4 */
	size_t plen;		/* L4 payload bytes */
	const uint8_t *ext;	/* IPv6 extension header types, in order */
	size_t next;
	enum frag frag;
	bool same_addr;
	size_t udp_len_extra;	/* added to the UDP length field (first fragments) */
};

/* A built packet and where the builder put things. */
struct pb {
	uint8_t b[BUF_MAX];
	size_t len;
	size_t l3len;		/* IP header + extension headers */
	size_t pay;		/* offset of the L4 payload */
	size_t plen;
	size_t l4csum;		/* offset of the L4 checksum field, 0 if none */
};

static const uint8_t src4[4] = { 192, 0, 2, 1 };
static const uint8_t dst4[4] = { 198, 51, 100, 2 };
static const uint8_t src6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t dst6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void put32(uint8_t *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16));
	put16(b + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t ref_sum(uint32_t acc, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		acc += (i & 1) ? b[i] : (uint32_t)b[i] << 8;
	return acc;
}

static uint16_t ref_fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

static bool has_l4_header(const struct pspec *s)
{
	if (s->frag == FRAG_LATER)
		return false;
	return s->proto == P_TCP || s->proto == P_UDP || (s->proto == P_ICMP && s->ver == 4) ||
	       (s->proto == P_ICMPV6 && s->ver == 6);
}

static size_t put_ext(uint8_t *h, uint8_t type, uint8_t nh, enum frag frag)
{
	memset(h, 0, 24);
	h[0] = nh;
	switch (type) {
	case P_FRAG:
		put16(h + 2, (uint16_t)((frag == FRAG_LATER ? 3u << 3 : 0) | (frag == FRAG_FIRST)));
		put32(h + 4, 0xabcd1234);
		return 8;
	case P_AH:
		h[1] = 4;	/* (4 + 2) * 4 = 24 bytes: 12 fixed + 96-bit ICV */
		put32(h + 4, 0x100);
		return 24;
	case P_ROUTING:
		h[1] = 1;	/* 16 bytes */
		return 16;
	default:		/* hop-by-hop, destination options: one PadN option */
		h[2] = 1;
		h[3] = 4;
		return 8;
	}
}

/* Writes the L4 header (if any) and payload at <pb->l3len>; returns its length. */
static size_t put_l4(struct pb *pb, const struct pspec *s)
{
	uint8_t *h = pb->b + pb->l3len;
	size_t hlen = 0, i;

	if (has_l4_header(s) && s->proto == P_TCP) {
		hlen = 20u + s->tcp_optlen;
		put16(h, 40000);
		put16(h + 2, 80);
		put32(h + 4, 0x01020304);
		put32(h + 8, 0x05060708);
		h[12] = (uint8_t)(hlen / 4 << 4);
		h[13] = s->tcp_flags;
		put16(h + 14, 0xfaf0);
		memset(h + 20, 1, s->tcp_optlen);	/* NOPs */
		pb->l4csum = pb->l3len + 16;
	} else if (has_l4_header(s) && s->proto == P_UDP) {
		hlen = 8;
		put16(h, 40000);
		put16(h + 2, 80);
		put16(h + 4, (uint16_t)(8 + s->plen + s->udp_len_extra));
		pb->l4csum = pb->l3len + 6;
	} else if (has_l4_header(s)) {
		hlen = 8;
		h[0] = s->ver == 4 ? 8 : 128;	/* echo request */
		put16(h + 4, 0x4242);
		put16(h + 6, 7);
		pb->l4csum = pb->l3len + 2;
	}
	for (i = 0; i < s->plen; i++)
		h[hlen + i] = (uint8_t)('a' + i % 26);
	pb->pay = pb->l3len + hlen;
	pb->plen = s->plen;
	return hlen + s->plen;
}

/* Fills in the L4 checksum of the packet in <pb> (TCP, UDP, ICMP, ICMPv6). */
static void fill_l4_csum(struct pb *pb, uint8_t ver, uint8_t proto)
{
	size_t l4len = pb->len - pb->l3len, alen = ver == 4 ? 4 : 16;
	uint32_t acc = 0;
	uint16_t c;

	if (!pb->l4csum)
		return;
	put16(pb->b + pb->l4csum, 0);
	if (proto != P_ICMP) {
		acc = ref_sum(acc, pb->b + (ver == 4 ? 12 : 8), 2 * alen);
		acc += proto + (uint32_t)l4len;
	}
	c = ref_fold(ref_sum(acc, pb->b + pb->l3len, l4len));
	if (proto == P_UDP && c == 0)
		c = 0xffff;
	put16(pb->b + pb->l4csum, c);
}

static void fill_ip4_csum(struct pb *pb)
{
	put16(pb->b + 10, 0);
	put16(pb->b + 10, ref_fold(ref_sum(0, pb->b, pb->l3len)));
}

static uint16_t ip4_frag_field(enum frag frag)
{
	switch (frag) {
	case FRAG_FIRST:
		return 0x2000;	/* MF, offset 0 */
	case FRAG_LATER:
		return 0x0003;	/* offset 24, last */
	case FRAG_ATOMIC:
		return 0x4000;	/* DF */
	default:
		return 0;
	}
}

static void build_ip4(struct pb *pb, const struct pspec *s)
{
	uint8_t *b = pb->b;

	pb->l3len = 20u + s->ip4_optlen;
	pb->len = pb->l3len + put_l4(pb, s);
	b[0] = (uint8_t)(0x40 | pb->l3len / 4);
	put16(b + 2, (uint16_t)pb->len);
	put16(b + 4, 0x1234);
	put16(b + 6, ip4_frag_field(s->frag));
	b[8] = 64;
	b[9] = s->proto;
	memcpy(b + 12, src4, 4);
	memcpy(b + 16, s->same_addr ? src4 : dst4, 4);
	memset(b + 20, 1, s->ip4_optlen);	/* NOP options */
	fill_ip4_csum(pb);
}

static void build_ip6(struct pb *pb, const struct pspec *s)
{
	uint8_t *b = pb->b;
	size_t i;

	pb->l3len = 40;
	for (i = 0; i < s->next; i++) {
		uint8_t nh = i + 1 < s->next ? s->ext[i + 1] : s->proto;

		pb->l3len += put_ext(b + pb->l3len, s->ext[i], nh, s->frag);
	}
	pb->len = pb->l3len + put_l4(pb, s);
	b[0] = 0x60;
	put16(b + 4, (uint16_t)(pb->len - 40));
	b[6] = s->next ? s->ext[0] : s->proto;
	b[7] = 64;
	memcpy(b + 8, src6, 16);
	memcpy(b + 24, s->same_addr ? src6 : dst6, 16);
}

static void build(struct pb *pb, const struct pspec *s)
{
	memset(pb, 0, sizeof(*pb));
	if (s->ver == 4)
		build_ip4(pb, s);
	else
		build_ip6(pb, s);
	if (s->frag != FRAG_LATER)
		fill_l4_csum(pb, s->ver, s->proto);
}

/* ---------------------------------------------------------------- valid packets */

static const uint8_t x_hop[] = { P_HOP };
static const uint8_t x_dst[] = { P_DST };
static const uint8_t x_rt[] = { P_ROUTING };
static const uint8_t x_ah[] = { P_AH };
static const uint8_t x_frag[] = { P_FRAG };
static const uint8_t x_chain[] = { P_HOP, P_DST, P_ROUTING, P_AH, P_DST };
static const uint8_t x_hop_frag_dst[] = { P_HOP, P_FRAG, P_DST };
static const uint8_t x_dst_frag[] = { P_DST, P_FRAG };

#define EXT(x) .ext = (x), .next = ARRAY_SIZE(x)

static const struct vcase {
	const char *name;
	struct pspec s;
	uint8_t want_proto;
	uint32_t want_anom;
	bool want_frag;
	bool want_ports;	/* TCP/UDP ports decoded */
	bool want_icmp;
	bool want_l4_hdr;	/* payload follows an L4 header (else payload empty or = l4) */
} vcases[] = {
	{ "v4 tcp syn", { .ver = 4, .proto = P_TCP, .tcp_flags = VP_TCP_SYN },
	  P_TCP, 0, false, true, false, true },
	{ "v4 tcp data+opts", { .ver = 4, .proto = P_TCP, .tcp_flags = 0x18, .tcp_optlen = 12,
				.plen = 100 }, P_TCP, 0, false, true, false, true },
	{ "v4 ip opts tcp", { .ver = 4, .proto = P_TCP, .tcp_flags = 0x10, .ip4_optlen = 8,
			      .plen = 5 }, P_TCP, 0, false, true, false, true },
	{ "v4 udp", { .ver = 4, .proto = P_UDP, .plen = 30 }, P_UDP, 0, false, true, false, true },
	{ "v4 udp odd", { .ver = 4, .proto = P_UDP, .plen = 31 }, P_UDP, 0, false, true, false,
	  true },
	{ "v4 icmp", { .ver = 4, .proto = P_ICMP, .plen = 56 }, P_ICMP, 0, false, false, true,
	  true },
	{ "v4 gre", { .ver = 4, .proto = P_GRE, .plen = 20 }, P_GRE, 0, false, false, false,
	  false },
	{ "v4 df tcp", { .ver = 4, .proto = P_TCP, .tcp_flags = 0x11, .frag = FRAG_ATOMIC,
			 .plen = 1 }, P_TCP, 0, false, true, false, true },
	{ "v4 same addr", { .ver = 4, .proto = P_UDP, .plen = 3, .same_addr = true }, P_UDP,
	  VP_ANOM_IP_SAME_ADDR, false, true, false, true },
	{ "v4 first frag tcp", { .ver = 4, .proto = P_TCP, .tcp_flags = 0x18, .plen = 40,
				 .frag = FRAG_FIRST }, P_TCP, VP_ANOM_IP_FRAGMENT, true, true,
	  false, true },
	{ "v4 first frag udp", { .ver = 4, .proto = P_UDP, .plen = 40, .frag = FRAG_FIRST,
				 .udp_len_extra = 1000 }, P_UDP, VP_ANOM_IP_FRAGMENT, true, true,
	  false, true },
	{ "v4 later frag udp", { .ver = 4, .proto = P_UDP, .plen = 40, .frag = FRAG_LATER },
	  P_UDP, VP_ANOM_IP_FRAGMENT, true, false, false, false },
	{ "v6 tcp", { .ver = 6, .proto = P_TCP, .tcp_flags = 0x12, .plen = 10 }, P_TCP, 0,
	  false, true, false, true },
	{ "v6 udp empty", { .ver = 6, .proto = P_UDP }, P_UDP, 0, false, true, false, true },
	{ "v6 icmpv6", { .ver = 6, .proto = P_ICMPV6, .plen = 17 }, P_ICMPV6, 0, false, false,
	  true, true },
	{ "v6 proto icmp(v4)", { .ver = 6, .proto = P_ICMP, .plen = 12 }, P_ICMP, 0, false,
	  false, false, false },
	{ "v6 same addr", { .ver = 6, .proto = P_TCP, .tcp_flags = 0x10, .same_addr = true },
	  P_TCP, VP_ANOM_IP_SAME_ADDR, false, true, false, true },
	{ "v6 hop tcp", { .ver = 6, .proto = P_TCP, .tcp_flags = 2, EXT(x_hop) }, P_TCP, 0,
	  false, true, false, true },
	{ "v6 dst udp", { .ver = 6, .proto = P_UDP, .plen = 9, EXT(x_dst) }, P_UDP, 0, false,
	  true, false, true },
	{ "v6 routing tcp", { .ver = 6, .proto = P_TCP, .tcp_flags = 0x10, .plen = 3,
			      EXT(x_rt) }, P_TCP, 0, false, true, false, true },
	{ "v6 ah tcp", { .ver = 6, .proto = P_TCP, .tcp_flags = 0x10, .plen = 7, EXT(x_ah) },
	  P_TCP, 0, false, true, false, true },
	{ "v6 chain udp", { .ver = 6, .proto = P_UDP, .plen = 11, EXT(x_chain) }, P_UDP, 0,
	  false, true, false, true },
	{ "v6 chain icmpv6", { .ver = 6, .proto = P_ICMPV6, .plen = 4, EXT(x_chain) }, P_ICMPV6,
	  0, false, false, true, true },
	{ "v6 atomic frag tcp", { .ver = 6, .proto = P_TCP, .tcp_flags = 0x10, .plen = 2,
				  EXT(x_frag), .frag = FRAG_ATOMIC }, P_TCP, 0, false, true, false,
	  true },
	{ "v6 first frag udp", { .ver = 6, .proto = P_UDP, .plen = 64, EXT(x_frag),
				 .frag = FRAG_FIRST, .udp_len_extra = 3000 }, P_UDP,
	  VP_ANOM_IP_FRAGMENT, true, true, false, true },
	{ "v6 first frag chain tcp", { .ver = 6, .proto = P_TCP, .tcp_flags = 0x10, .plen = 8,
				       EXT(x_hop_frag_dst), .frag = FRAG_FIRST }, P_TCP,
	  VP_ANOM_IP_FRAGMENT, true, true, false, true },
	{ "v6 later frag tcp", { .ver = 6, .proto = P_TCP, .plen = 48, EXT(x_frag),
				 .frag = FRAG_LATER }, P_TCP, VP_ANOM_IP_FRAGMENT, true, false,
	  false, false },
	{ "v6 later frag after dst", { .ver = 6, .proto = P_UDP, .plen = 16, EXT(x_dst_frag),
				       .frag = FRAG_LATER }, P_UDP, VP_ANOM_IP_FRAGMENT, true,
	  false, false, false },
	{ "v6 dst esp", { .ver = 6, .proto = P_ESP, .plen = 40, EXT(x_dst) }, P_ESP, 0, false,
	  false, false, false },
	{ "v6 no next header", { .ver = 6, .proto = P_NONE, .plen = 6 }, P_NONE, 0, false,
	  false, false, false },
	{ "v4 esp", { .ver = 4, .proto = P_ESP, .plen = 33 }, P_ESP, 0, false, false, false,
	  false },
};

static void check_addrs(const struct vp_packet *p, const struct pspec *s)
{
	size_t alen = s->ver == 4 ? 4 : 16;

	ck_assert_int_eq(p->src.family, s->ver == 4 ? AF_INET : AF_INET6);
	ck_assert_int_eq(p->dst.family, p->src.family);
	ck_assert_mem_eq(p->src.a, s->ver == 4 ? src4 : src6, alen);
	ck_assert_mem_eq(p->dst.a, s->same_addr ? p->src.a : s->ver == 4 ? dst4 : dst6, alen);
}

static void check_l4_fields(const struct vp_packet *p, const struct vcase *c)
{
	ck_assert_uint_eq(p->sport, c->want_ports ? 40000 : 0);
	ck_assert_uint_eq(p->dport, c->want_ports ? 80 : 0);
	if (c->want_proto == P_TCP && c->want_ports) {
		ck_assert_uint_eq(p->tcp_seq, 0x01020304);
		ck_assert_uint_eq(p->tcp_ack, 0x05060708);
		ck_assert_uint_eq(p->tcp_win, 0xfaf0);
		ck_assert_uint_eq(p->tcp_flags, c->s.tcp_flags);
	} else {
		ck_assert_uint_eq(p->tcp_flags, 0);
	}
	ck_assert_uint_eq(p->icmp_type, c->want_icmp ? (c->s.ver == 4 ? 8 : 128) : 0);
	ck_assert_uint_eq(p->icmp_code, 0);
}

START_TEST(test_valid)
{
	const struct vcase *c = &vcases[_i];
	static struct pb pb;
	struct vp_packet p;

	build(&pb, &c->s);
	ck_assert_msg(vp_decode_packet(&p, pb.b, pb.len) == VP_PARSE_OK, "%s", c->name);
	ck_assert_ptr_eq(p.data, pb.b);
	ck_assert_uint_eq(p.len, pb.len);
	ck_assert_uint_eq(p.ip_version, c->s.ver);
	ck_assert_uint_eq(p.proto, c->want_proto);
	ck_assert_uint_eq(p.ttl, 64);
	ck_assert_msg(p.anomalies == c->want_anom, "%s: anomalies %#x", c->name, p.anomalies);
	ck_assert_int_eq(p.fragment, c->want_frag);
	check_addrs(&p, &c->s);
	ck_assert_ptr_eq(p.l3.ptr, pb.b);
	ck_assert_uint_eq(p.l3.len, pb.l3len);
	ck_assert_ptr_eq(p.l4.ptr, pb.b + pb.l3len);
	ck_assert_uint_eq(p.l4.len, pb.len - pb.l3len);
	check_l4_fields(&p, c);
	if (c->want_l4_hdr) {
		ck_assert_ptr_eq(p.payload.ptr, pb.b + pb.pay);
		ck_assert_uint_eq(p.payload.len, pb.plen);
	} else if (c->want_frag) {
		ck_assert_uint_eq(p.payload.len, 0);	/* later fragment: not decoded */
	} else {
		ck_assert_ptr_eq(p.payload.ptr, p.l4.ptr);	/* other protocol */
		ck_assert_uint_eq(p.payload.len, p.l4.len);
	}
	if (c->s.frag == FRAG_FIRST || c->s.frag == FRAG_LATER)
		ck_assert_uint_eq(p.ip_id, 0x1234);	/* v6: low 16 bits of 0xabcd1234 */
	ck_assert_msg(vp_decode_checksums_ok(&p), "%s: checksum %#x", c->name, p.anomalies);
	ck_assert_uint_eq(p.anomalies, c->want_anom);
}
END_TEST

/* Corrupting a checksummed packet is caught; fragments are skipped. */
START_TEST(test_csum_corrupt)
{
	const struct vcase *c = &vcases[_i];
	bool l4_checked = c->want_l4_hdr && !c->want_frag;
	static struct pb pb;
	struct vp_packet p;

	build(&pb, &c->s);
	pb.b[pb.len - 1] ^= 0x40;	/* last byte: payload, or an L4 header field */
	ck_assert_int_eq(vp_decode_packet(&p, pb.b, pb.len), VP_PARSE_OK);
	ck_assert_int_eq(vp_decode_checksums_ok(&p), !l4_checked);
	ck_assert_int_eq(!!(p.anomalies & VP_ANOM_L4_BAD_CSUM), l4_checked);
	ck_assert_int_eq(!!(p.anomalies & VP_ANOM_IP4_BAD_CSUM), 0);
	if (pb.l4csum) {	/* the checksum field itself */
		build(&pb, &c->s);
		pb.b[pb.l4csum + 1] ^= 0x01;
		ck_assert_int_eq(vp_decode_packet(&p, pb.b, pb.len), VP_PARSE_OK);
		ck_assert_int_eq(vp_decode_checksums_ok(&p), !l4_checked);
	}
	if (c->s.ver == 4) {	/* TTL: IPv4 header checksum only */
		build(&pb, &c->s);
		pb.b[8]--;
		ck_assert_int_eq(vp_decode_packet(&p, pb.b, pb.len), VP_PARSE_OK);
		ck_assert(!vp_decode_checksums_ok(&p));
		ck_assert(p.anomalies & VP_ANOM_IP4_BAD_CSUM);
		ck_assert(!(p.anomalies & VP_ANOM_L4_BAD_CSUM));
	}
}
END_TEST

START_TEST(test_udp_zero_csum)
{
	struct pspec s = { .ver = _i ? 6 : 4, .proto = P_UDP, .plen = 12 };
	static struct pb pb;
	struct vp_packet p;

	build(&pb, &s);
	put16(pb.b + pb.l4csum, 0);
	ck_assert_int_eq(vp_decode_packet(&p, pb.b, pb.len), VP_PARSE_OK);
	if (s.ver == 4) {
		ck_assert(vp_decode_checksums_ok(&p));
		ck_assert_uint_eq(p.anomalies, 0);
	} else {
		ck_assert(!vp_decode_checksums_ok(&p));
		ck_assert_uint_eq(p.anomalies, VP_ANOM_L4_BAD_CSUM);
	}
}
END_TEST

/* A checksum computed as 0 is sent as 0xffff and must verify. */
START_TEST(test_udp_csum_ffff)
{
	struct pspec s = { .ver = 4, .proto = P_UDP, .plen = 2 };
	static struct pb pb;
	struct vp_packet p;
	unsigned int v;

	for (v = 0; v < 0x10000; v++) {
		build(&pb, &s);
		put16(pb.b + pb.pay, (uint16_t)v);
		fill_l4_csum(&pb, 4, P_UDP);
		if (get16(pb.b + pb.l4csum) == 0xffff)
			break;
	}
	ck_assert_uint_lt(v, 0x10000);
	ck_assert_int_eq(vp_decode_packet(&p, pb.b, pb.len), VP_PARSE_OK);
	ck_assert(vp_decode_checksums_ok(&p));
}
END_TEST

/* Decoding at an odd address (UBSan flags any unaligned load). */
START_TEST(test_unaligned)
{
	const struct vcase *c = &vcases[_i];
	static struct pb pb;
	static uint8_t buf[BUF_MAX + 1];
	struct vp_packet p;

	build(&pb, &c->s);
	memcpy(buf + 1, pb.b, pb.len);
	ck_assert_int_eq(vp_decode_packet(&p, buf + 1, pb.len), VP_PARSE_OK);
	ck_assert_uint_eq(p.anomalies, c->want_anom);
	ck_assert(vp_decode_checksums_ok(&p));
}
END_TEST

/* ---------------------------------------------------------------- malformed packets */

static const struct pspec s_tcp4 = { .ver = 4, .proto = P_TCP, .tcp_flags = 0x18, .plen = 10 };
static const struct pspec s_tcp6 = { .ver = 6, .proto = P_TCP, .tcp_flags = 0x18, .plen = 10 };
static const struct pspec s_udp4 = { .ver = 4, .proto = P_UDP, .plen = 10 };
static const struct pspec s_udp6 = { .ver = 6, .proto = P_UDP, .plen = 10 };
static const struct pspec s_hop6 = { .ver = 6, .proto = P_TCP, .tcp_flags = 2, EXT(x_hop) };
static const uint8_t x_dst_hop[] = { P_DST, P_HOP };
static const struct pspec s_dsthop6 = { .ver = 6, .proto = P_UDP, EXT(x_dst_hop) };
static const uint8_t x_dst16[16] = { P_DST, P_DST, P_DST, P_DST, P_DST, P_DST, P_DST, P_DST,
				     P_DST, P_DST, P_DST, P_DST, P_DST, P_DST, P_DST, P_DST };
static const uint8_t x_dst17[17] = { P_DST, P_DST, P_DST, P_DST, P_DST, P_DST, P_DST, P_DST,
				     P_DST, P_DST, P_DST, P_DST, P_DST, P_DST, P_DST, P_DST,
				     P_ROUTING };
static const struct pspec s_ext16 = { .ver = 6, .proto = P_UDP, .plen = 1, EXT(x_dst16) };
static const struct pspec s_ext17 = { .ver = 6, .proto = P_UDP, .plen = 1, EXT(x_dst17) };
static const struct pspec s_ah6 = { .ver = 6, .proto = P_TCP, .tcp_flags = 2, EXT(x_ah) };
static const struct pspec s_atomic6 = { .ver = 6, .proto = P_UDP, .plen = 4, EXT(x_frag),
					.frag = FRAG_ATOMIC };

static void m_none(struct pb *pb)
{
	(void)pb;
}

static void m_ver5(struct pb *pb)
{
	pb->b[0] = (uint8_t)(0x50 | (pb->b[0] & 0x0f));
}

static void m_ver0(struct pb *pb)
{
	pb->b[0] &= 0x0f;
}

static void m_ihl4(struct pb *pb)
{
	pb->b[0] = 0x44;
}

static void m_ihl15(struct pb *pb)
{
	pb->b[0] = 0x4f;	/* 60 bytes, packet is 50 */
}

static void m_totlen_plus1(struct pb *pb)
{
	put16(pb->b + 2, (uint16_t)(get16(pb->b + 2) + 1));
}

static void m_totlen_19(struct pb *pb)
{
	put16(pb->b + 2, 19);
}

static void m_totlen_0(struct pb *pb)
{
	put16(pb->b + 2, 0);
}

static void m_plen_plus1(struct pb *pb)
{
	put16(pb->b + 4, (uint16_t)(get16(pb->b + 4) + 1));
}

static void m_udplen(struct pb *pb, int delta)
{
	put16(pb->b + pb->l3len + 4, (uint16_t)(get16(pb->b + pb->l3len + 4) + delta));
}

static void m_udplen_7(struct pb *pb)
{
	put16(pb->b + pb->l3len + 4, 7);
}

static void m_udplen_0(struct pb *pb)
{
	put16(pb->b + pb->l3len + 4, 0);
}

static void m_udplen_plus1(struct pb *pb)
{
	m_udplen(pb, 1);
}

static void m_udplen_minus5(struct pb *pb)
{
	m_udplen(pb, -5);
}

static void m_doff4(struct pb *pb)
{
	pb->b[pb->l3len + 12] = 4 << 4;
}

static void m_doff15(struct pb *pb)
{
	pb->b[pb->l3len + 12] = 15 << 4;	/* 60 bytes, 30 there */
}

static void m_doff7(struct pb *pb)
{
	pb->b[pb->l3len + 12] = 7 << 4;		/* 28 bytes: 20 + 10 of payload there */
}

static void m_ext_len_big(struct pb *pb)
{
	pb->b[41] = 200;
}

static void m_ext_len_past(struct pb *pb)
{
	pb->b[41] = 3;		/* 32 bytes where 28 are left */
}

static void m_ah_len_big(struct pb *pb)
{
	pb->b[41] = 5;		/* 28 bytes: into the TCP header, still inside: fine */
}

static void m_ah_len_over(struct pb *pb)
{
	pb->b[41] = 250;
}

static void m_ext_at_end(struct pb *pb)
{
	pb->b[6] = P_DST;	/* claims a header where the payload is empty */
	pb->len = 40;
	put16(pb->b + 4, 0);
}

static void m_frag_reserved(struct pb *pb)
{
	pb->b[43] |= 0x06;	/* the two reserved bits next to M: ignored */
}

static void m_pad(struct pb *pb)
{
	memset(pb->b + pb->len, 0xee, 7);
	pb->len += 7;
}

static void m_same_addr4(struct pb *pb)
{
	memcpy(pb->b + 16, pb->b + 12, 4);
	fill_ip4_csum(pb);
}

static void m_same_addr6(struct pb *pb)
{
	memcpy(pb->b + 24, pb->b + 8, 16);
}

#define ANY SIZE_MAX

static const struct mcase {
	const char *name;
	const struct pspec *s;
	void (*mut)(struct pb *pb);
	int want_ret;
	uint32_t want_anom;
	size_t want_payload;	/* ANY: not checked */
} mcases[] = {
	{ "v4 version 5", &s_tcp4, m_ver5, VP_PARSE_ERROR, VP_ANOM_IP_BAD_VERSION, 0 },
	{ "v6 version 0", &s_tcp6, m_ver0, VP_PARSE_ERROR, VP_ANOM_IP_BAD_VERSION, 0 },
	{ "v4 ihl 4", &s_tcp4, m_ihl4, VP_PARSE_ERROR, VP_ANOM_IP_BAD_HLEN, 0 },
	{ "v4 ihl beyond", &s_tcp4, m_ihl15, VP_PARSE_ERROR, VP_ANOM_IP_BAD_HLEN, 0 },
	{ "v4 totlen too big", &s_tcp4, m_totlen_plus1, VP_PARSE_ERROR, VP_ANOM_IP_BAD_TOTLEN,
	  0 },
	{ "v4 totlen < ihl", &s_tcp4, m_totlen_19, VP_PARSE_ERROR, VP_ANOM_IP_BAD_TOTLEN, 0 },
	{ "v4 totlen 0 small", &s_tcp4, m_totlen_0, VP_PARSE_ERROR, VP_ANOM_IP_BAD_TOTLEN, 0 },
	{ "v6 plen too big", &s_tcp6, m_plen_plus1, VP_PARSE_ERROR, VP_ANOM_IP_BAD_TOTLEN, 0 },
	{ "v4 udp len 7", &s_udp4, m_udplen_7, VP_PARSE_OK, VP_ANOM_UDP_BAD_LEN, 0 },
	{ "v6 udp len 0", &s_udp6, m_udplen_0, VP_PARSE_OK, VP_ANOM_UDP_BAD_LEN, 0 },
	{ "v4 udp len > ip", &s_udp4, m_udplen_plus1, VP_PARSE_OK, VP_ANOM_UDP_BAD_LEN, 10 },
	{ "v6 udp len > ip", &s_udp6, m_udplen_plus1, VP_PARSE_OK, VP_ANOM_UDP_BAD_LEN, 10 },
	{ "v4 udp len < ip", &s_udp4, m_udplen_minus5, VP_PARSE_OK, 0, 5 },
	{ "v4 tcp doff 4", &s_tcp4, m_doff4, VP_PARSE_OK, VP_ANOM_TCP_BAD_DOFF, 0 },
	{ "v4 tcp doff beyond", &s_tcp4, m_doff15, VP_PARSE_OK, VP_ANOM_TCP_BAD_DOFF, 0 },
	{ "v6 tcp doff beyond", &s_tcp6, m_doff15, VP_PARSE_OK, VP_ANOM_TCP_BAD_DOFF, 0 },
	{ "v6 tcp doff 7", &s_tcp6, m_doff7, VP_PARSE_OK, 0, 2 },
	{ "v6 ext len beyond", &s_hop6, m_ext_len_big, VP_PARSE_ERROR, VP_ANOM_IP6_BAD_EXTHDR,
	  0 },
	{ "v6 ext len past", &s_hop6, m_ext_len_past, VP_PARSE_ERROR, VP_ANOM_IP6_BAD_EXTHDR,
	  0 },
	{ "v6 ah len inside", &s_ah6, m_ah_len_big, VP_PARSE_OK, VP_ANOM_L4_TRUNCATED, 0 },
	{ "v6 ah len beyond", &s_ah6, m_ah_len_over, VP_PARSE_ERROR, VP_ANOM_IP6_BAD_EXTHDR, 0 },
	{ "v6 ext at end", &s_tcp6, m_ext_at_end, VP_PARSE_ERROR, VP_ANOM_IP6_BAD_EXTHDR, 0 },
	{ "v6 hop not first", &s_dsthop6, m_none, VP_PARSE_ERROR, VP_ANOM_IP6_BAD_EXTHDR, 0 },
	{ "v6 16 ext headers", &s_ext16, m_none, VP_PARSE_OK, 0, 1 },
	{ "v6 17 ext headers", &s_ext17, m_none, VP_PARSE_ERROR, VP_ANOM_IP6_BAD_EXTHDR, 0 },
	{ "v6 atomic frag reserved", &s_atomic6, m_frag_reserved, VP_PARSE_OK, 0, 4 },
	{ "v4 padding", &s_udp4, m_pad, VP_PARSE_OK, 0, 10 },
	{ "v6 padding", &s_tcp6, m_pad, VP_PARSE_OK, 0, 10 },
	{ "v4 same addr", &s_tcp4, m_same_addr4, VP_PARSE_OK, VP_ANOM_IP_SAME_ADDR, 10 },
	{ "v6 same addr", &s_udp6, m_same_addr6, VP_PARSE_OK, VP_ANOM_IP_SAME_ADDR, 10 },
};

START_TEST(test_malformed)
{
	const struct mcase *c = &mcases[_i];
	static struct pb pb;
	struct vp_packet p;
	int ret;

	build(&pb, c->s);
	c->mut(&pb);
	ret = vp_decode_packet(&p, pb.b, pb.len);
	ck_assert_msg(ret == c->want_ret, "%s: ret %d", c->name, ret);
	ck_assert_msg(p.anomalies == c->want_anom, "%s: anomalies %#x", c->name, p.anomalies);
	if (c->want_payload != ANY)
		ck_assert_uint_eq(p.payload.len, c->want_payload);
	if (ret == VP_PARSE_ERROR) {
		ck_assert_uint_eq(p.ip_version, 0);
		ck_assert_uint_eq(p.proto, 0);
		ck_assert_uint_eq(p.l3.len, 0);
		ck_assert_uint_eq(p.l4.len, 0);
		ck_assert(p.anomalies & VP_ANOM_NO_VALID_IP);
		ck_assert(vp_decode_checksums_ok(&p));	/* nothing to check */
	} else {
		ck_assert_uint_eq(p.ip_version, c->s->ver);
		ck_assert(!(p.anomalies & VP_ANOM_NO_VALID_IP));
		ck_assert_ptr_eq(p.l3.ptr, pb.b);
		ck_assert_ptr_eq(p.l4.ptr, pb.b + p.l3.len);
		ck_assert_uint_le(p.l3.len + p.l4.len, pb.len);
	}
	if (c->mut == m_pad) {
		ck_assert_uint_eq(p.l3.len + p.l4.len, pb.len - 7);
		ck_assert(vp_decode_checksums_ok(&p));
	}
	if (c->want_anom & (VP_ANOM_UDP_BAD_LEN | VP_ANOM_TCP_BAD_DOFF))
		ck_assert_uint_eq(p.sport, 40000);	/* the fixed header is there */
}
END_TEST

/* Every prefix of a valid packet (the IP length fields then disagree with the capture). */
START_TEST(test_truncated_capture)
{
	const struct pspec *s = _i < 1000 ? &s_tcp4 : &s_tcp6;
	size_t n = (size_t)_i % 1000, hdr = s->ver == 4 ? 20 : 40;
	static struct pb pb;
	struct vp_packet p;
	int ret;

	build(&pb, s);
	ck_assert_uint_le(n, pb.len);
	ret = vp_decode_packet(&p, pb.b, n);
	if (n == pb.len) {
		ck_assert_int_eq(ret, VP_PARSE_OK);
		ck_assert_uint_eq(p.anomalies, 0);
		ck_assert_uint_eq(p.payload.len, 10);
		ck_assert(vp_decode_checksums_ok(&p));
		return;
	}
	ck_assert_int_eq(ret, VP_PARSE_ERROR);
	ck_assert_uint_eq(p.ip_version, 0);
	ck_assert_uint_eq(p.anomalies, n < hdr ? VP_ANOM_IP_TRUNCATED : VP_ANOM_IP_BAD_TOTLEN);
	ck_assert(vp_decode_checksums_ok(&p));
}
END_TEST

/*
 * Every length of the L4 part, with IP lengths that agree: variants TCP/v4, TCP/v6 (32-byte
 * header + 8 payload) and UDP/v4, UDP/v6 (8 + 32); the L4 part is 40 bytes in all.
 */
START_TEST(test_truncated_l4)
{
	static const struct pspec specs[] = {
		{ .ver = 4, .proto = P_TCP, .tcp_flags = 0x10, .tcp_optlen = 12, .plen = 8 },
		{ .ver = 6, .proto = P_TCP, .tcp_flags = 0x10, .tcp_optlen = 12, .plen = 8 },
		{ .ver = 4, .proto = P_UDP, .plen = 32 },
		{ .ver = 6, .proto = P_UDP, .plen = 32 },
	};
	const struct pspec *s = &specs[_i / 41];
	size_t k = (size_t)_i % 41, hmin = s->proto == P_TCP ? 20 : 8;
	static struct pb pb;
	struct vp_packet p;
	uint32_t want;

	build(&pb, s);
	ck_assert_uint_eq(pb.len - pb.l3len, 40);
	pb.len = pb.l3len + k;
	if (s->ver == 4) {
		put16(pb.b + 2, (uint16_t)pb.len);
		fill_ip4_csum(&pb);
	} else {
		put16(pb.b + 4, (uint16_t)k);
	}
	ck_assert_int_eq(vp_decode_packet(&p, pb.b, pb.len), VP_PARSE_OK);
	ck_assert_uint_eq(p.proto, s->proto);
	ck_assert_uint_eq(p.l4.len, k);
	if (k < hmin)
		want = VP_ANOM_L4_TRUNCATED;
	else if (k < 32 && s->proto == P_TCP)
		want = VP_ANOM_TCP_BAD_DOFF;
	else if (k < 40 && s->proto == P_UDP)
		want = VP_ANOM_UDP_BAD_LEN;
	else
		want = 0;
	ck_assert_uint_eq(p.anomalies, want);
	ck_assert_uint_eq(p.sport, k < hmin ? 0 : 40000);
	if (want == VP_ANOM_UDP_BAD_LEN)
		ck_assert_uint_eq(p.payload.len, k - 8);	/* what is there */
	else if (want)
		ck_assert_uint_eq(p.payload.len, 0);
	else
		ck_assert_uint_eq(p.payload.len, k - (s->proto == P_TCP ? 32 : 8));
	/* Truncated or bad-length L4 is not checked; the whole packet's checksum is right. */
	if (k == 40 || want == VP_ANOM_L4_TRUNCATED || want == VP_ANOM_UDP_BAD_LEN)
		ck_assert(vp_decode_checksums_ok(&p));
	else
		ck_assert(!vp_decode_checksums_ok(&p));
}
END_TEST

/* A TCP header cut inside a first fragment is truncated, not a bad offset. */
START_TEST(test_first_frag_tcp_cut)
{
	struct pspec s = { .ver = 4, .proto = P_TCP, .tcp_flags = 2, .tcp_optlen = 20,
			   .frag = FRAG_FIRST };
	static struct pb pb;
	struct vp_packet p;

	build(&pb, &s);
	pb.len -= 8;
	put16(pb.b + 2, (uint16_t)pb.len);
	fill_ip4_csum(&pb);
	ck_assert_int_eq(vp_decode_packet(&p, pb.b, pb.len), VP_PARSE_OK);
	ck_assert_uint_eq(p.anomalies, VP_ANOM_IP_FRAGMENT | VP_ANOM_L4_TRUNCATED);
	ck_assert_uint_eq(p.sport, 0);
	ck_assert_uint_eq(p.payload.len, 0);
	ck_assert(vp_decode_checksums_ok(&p));
}
END_TEST

static const struct {
	uint8_t flags;
	bool bad;
} flag_cases[] = {
	{ VP_TCP_SYN, false },
	{ VP_TCP_SYN | VP_TCP_ACK, false },
	{ VP_TCP_ACK | VP_TCP_PSH, false },
	{ VP_TCP_FIN | VP_TCP_ACK, false },
	{ VP_TCP_RST, false },
	{ VP_TCP_RST | VP_TCP_ACK, false },
	{ VP_TCP_SYN | VP_TCP_ECE | VP_TCP_CWR, false },
	{ 0, true },
	{ VP_TCP_SYN | VP_TCP_FIN, true },
	{ VP_TCP_SYN | VP_TCP_RST, true },
	{ VP_TCP_SYN | VP_TCP_FIN | VP_TCP_ACK | VP_TCP_PSH | VP_TCP_URG, true },
};

START_TEST(test_tcp_flags)
{
	struct pspec s = { .ver = _i % 2 ? 6 : 4, .proto = P_TCP,
			   .tcp_flags = flag_cases[_i / 2].flags };
	static struct pb pb;
	struct vp_packet p;

	build(&pb, &s);
	ck_assert_int_eq(vp_decode_packet(&p, pb.b, pb.len), VP_PARSE_OK);
	ck_assert_uint_eq(p.tcp_flags, s.tcp_flags);
	ck_assert_uint_eq(p.anomalies, flag_cases[_i / 2].bad ? VP_ANOM_TCP_BAD_FLAGS : 0);
	ck_assert_uint_eq(p.sport, 40000);
}
END_TEST

/* Super-packets longer than 65535 bytes with the length field 0 (GSO / BIG TCP / jumbo). */
START_TEST(test_big_packets)
{
	static uint8_t big[70000];
	struct vp_packet p;
	size_t hdr = _i ? 40 : 20;

	memset(big, 0, sizeof(big));
	big[0] = _i ? 0x60 : 0x45;
	big[_i ? 6 : 9] = _i ? P_UDP : P_TCP;
	big[_i ? 8 : 12] = 1;
	big[hdr + 12] = 5 << 4;	/* TCP doff (v4); UDP: port bytes, harmless */
	big[hdr + 13] = VP_TCP_ACK;
	ck_assert_int_eq(vp_decode_packet(&p, big, sizeof(big)), VP_PARSE_OK);
	ck_assert_uint_eq(p.l4.len, sizeof(big) - hdr);
	ck_assert_uint_eq(p.payload.len, sizeof(big) - hdr - (_i ? 8 : 20));
	ck_assert_uint_eq(p.anomalies, 0);
	/* Not above 65535 bytes: a zero length is just wrong. */
	ck_assert_int_eq(vp_decode_packet(&p, big, _i ? hdr + 65535 : 65535),
			 _i ? VP_PARSE_OK : VP_PARSE_ERROR);
	ck_assert_uint_eq(p.anomalies, _i ? VP_ANOM_L4_TRUNCATED : VP_ANOM_IP_BAD_TOTLEN);
}
END_TEST

/* ---------------------------------------------------------------- link layer */

#define H(s) (const uint8_t *)(s), sizeof(s) - 1
#define MACS "\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb"
#define SLL_PRE "\x00\x00\x00\x01\x00\x06\x00\x11\x22\x33\x44\x55\x00\x00"
#define SLL2_POST "\x00\x00\x00\x00\x00\x02\x00\x01\x00\x06\x00\x11\x22\x33\x44\x55\x00\x00"

static const struct lcase {
	const char *name;
	int linktype;
	const uint8_t *hdr;
	size_t hlen;
	uint8_t append;		/* 4 or 6: a valid IP packet follows the header */
	int want_ret;
	size_t want_off;
} lcases[] = {
	{ "eth v4", 1, H(MACS "\x08\x00"), 4, VP_PARSE_OK, 14 },
	{ "eth v6", 1, H(MACS "\x86\xdd"), 6, VP_PARSE_OK, 14 },
	{ "eth vlan", 1, H(MACS "\x81\x00\x00\x64\x08\x00"), 4, VP_PARSE_OK, 18 },
	{ "eth qinq", 1, H(MACS "\x88\xa8\x00\x64\x81\x00\x00\xc8\x86\xdd"), 6, VP_PARSE_OK, 22 },
	{ "eth 2x8100", 1, H(MACS "\x81\x00\x00\x64\x81\x00\x00\xc8\x08\x00"), 4, VP_PARSE_OK,
	  22 },
	{ "eth 3 tags", 1, H(MACS "\x88\xa8\x00\x01\x81\x00\x00\x02\x81\x00\x00\x03\x08\x00"), 4,
	  VP_PARSE_MORE, 0 },
	{ "eth arp", 1, H(MACS "\x08\x06\x00\x01\x08\x00\x06\x04\x00\x01"), 0, VP_PARSE_MORE, 0 },
	{ "eth vlan arp", 1, H(MACS "\x81\x00\x00\x64\x08\x06\x00\x01"), 0, VP_PARSE_MORE, 0 },
	{ "eth 13 bytes", 1, H(MACS "\x08"), 0, VP_PARSE_ERROR, 0 },
	{ "eth empty", 1, H(""), 0, VP_PARSE_ERROR, 0 },
	{ "eth vlan cut", 1, H(MACS "\x81\x00\x00\x64"), 0, VP_PARSE_ERROR, 0 },
	{ "eth vlan cut 1", 1, H(MACS "\x81\x00\x00\x64\x08"), 0, VP_PARSE_ERROR, 0 },
	{ "eth qinq cut", 1, H(MACS "\x88\xa8\x00\x64\x81\x00\x00\xc8"), 0, VP_PARSE_ERROR, 0 },
	{ "eth header only", 1, H(MACS "\x08\x00"), 0, VP_PARSE_OK, 14 },
	{ "sll v4", 113, H(SLL_PRE "\x08\x00"), 4, VP_PARSE_OK, 16 },
	{ "sll v6", 113, H(SLL_PRE "\x86\xdd"), 6, VP_PARSE_OK, 16 },
	{ "sll arp", 113, H(SLL_PRE "\x08\x06"), 0, VP_PARSE_MORE, 0 },
	{ "sll cut", 113, H(SLL_PRE "\x08"), 0, VP_PARSE_ERROR, 0 },
	{ "sll2 v4", 276, H("\x08\x00" SLL2_POST), 4, VP_PARSE_OK, 20 },
	{ "sll2 v6", 276, H("\x86\xdd" SLL2_POST), 6, VP_PARSE_OK, 20 },
	{ "sll2 arp", 276, H("\x08\x06" SLL2_POST), 0, VP_PARSE_MORE, 0 },
	{ "sll2 cut", 276, H("\x08\x00\x00\x00\x00\x00\x00\x02\x00\x01\x00\x06\x00\x11\x22\x33"
			     "\x44\x55\x00"), 0, VP_PARSE_ERROR, 0 },
	{ "null le v4", 0, H("\x02\x00\x00\x00"), 4, VP_PARSE_OK, 4 },
	{ "null be v4", 0, H("\x00\x00\x00\x02"), 4, VP_PARSE_OK, 4 },
	{ "null le 24", 0, H("\x18\x00\x00\x00"), 6, VP_PARSE_OK, 4 },
	{ "null be 24", 0, H("\x00\x00\x00\x18"), 6, VP_PARSE_OK, 4 },
	{ "null le 28", 0, H("\x1c\x00\x00\x00"), 6, VP_PARSE_OK, 4 },
	{ "null be 30", 0, H("\x00\x00\x00\x1e"), 6, VP_PARSE_OK, 4 },
	{ "null le 30", 0, H("\x1e\x00\x00\x00"), 6, VP_PARSE_OK, 4 },
	{ "null ipx", 0, H("\x17\x00\x00\x00"), 0, VP_PARSE_MORE, 0 },
	{ "null cut", 0, H("\x02\x00\x00"), 0, VP_PARSE_ERROR, 0 },
	{ "raw 101", 101, H(""), 4, VP_PARSE_OK, 0 },
	{ "raw 12", 12, H(""), 6, VP_PARSE_OK, 0 },
	{ "raw 14", 14, H(""), 4, VP_PARSE_OK, 0 },
	{ "ipv4 228", 228, H(""), 4, VP_PARSE_OK, 0 },
	{ "ipv6 229", 229, H(""), 6, VP_PARSE_OK, 0 },
	{ "unknown 105", 105, H(MACS "\x08\x00"), 4, VP_PARSE_ERROR, 0 },
	{ "unknown -1", -1, H(MACS "\x08\x00"), 4, VP_PARSE_ERROR, 0 },
};

START_TEST(test_link)
{
	const struct lcase *c = &lcases[_i];
	struct pspec s = { .ver = c->append, .proto = P_UDP, .plen = 5 };
	static struct pb pb;
	static uint8_t frame[BUF_MAX];
	size_t len = c->hlen, off = 12345;
	struct vp_packet p;
	int ret;

	memcpy(frame, c->hdr, c->hlen);
	if (c->append) {
		build(&pb, &s);
		memcpy(frame + len, pb.b, pb.len);
		len += pb.len;
	}
	ret = vp_decode_link(c->linktype, frame, len, &off);
	ck_assert_msg(ret == c->want_ret, "%s: ret %d", c->name, ret);
	if (ret != VP_PARSE_OK) {
		ck_assert_uint_eq(off, 12345);	/* untouched */
		return;
	}
	ck_assert_uint_eq(off, c->want_off);
	ret = vp_decode_packet(&p, frame + off, len - off);
	if (!c->append) {
		ck_assert_int_eq(ret, VP_PARSE_ERROR);
		ck_assert_uint_eq(p.anomalies, VP_ANOM_IP_TRUNCATED);
		return;
	}
	ck_assert_int_eq(ret, VP_PARSE_OK);
	ck_assert_uint_eq(p.ip_version, c->append);
	ck_assert_uint_eq(p.proto, P_UDP);
	ck_assert_uint_eq(p.payload.len, 5);
	ck_assert(vp_decode_checksums_ok(&p));
}
END_TEST

/* ---------------------------------------------------------------- misc */

START_TEST(test_addr_str)
{
	struct vp_addr a = { .family = AF_INET };
	char buf[64], small[4];

	memcpy(a.a, src4, 4);
	ck_assert_str_eq(vp_addr_str(&a, buf, sizeof(buf)), "192.0.2.1");
	ck_assert_str_eq(vp_addr_str(&a, small, sizeof(small)), "?");
	a.family = AF_INET6;
	memcpy(a.a, dst6, 16);
	ck_assert_str_eq(vp_addr_str(&a, buf, sizeof(buf)), "2001:db8::2");
	a.family = 0;
	ck_assert_str_eq(vp_addr_str(&a, buf, sizeof(buf)), "?");
	ck_assert_ptr_eq(vp_addr_str(&a, buf, 0), buf);
}
END_TEST

/* The decoder clears the packet first and reads nothing from an empty buffer. */
START_TEST(test_empty_and_reuse)
{
	struct vp_packet p;

	memset(&p, 0xa5, sizeof(p));
	ck_assert_int_eq(vp_decode_packet(&p, NULL, 0), VP_PARSE_ERROR);
	ck_assert_uint_eq(p.anomalies, VP_ANOM_IP_TRUNCATED);
	ck_assert_uint_eq(p.ip_version, 0);
	ck_assert_uint_eq(p.sport, 0);
	ck_assert_uint_eq(p.flow_flags, 0);
	ck_assert_uint_eq(p.src.family, 0);
}
END_TEST

static Suite *decode_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *tc = tcase_create("packet");

	tcase_add_loop_test(tc, test_valid, 0, ARRAY_SIZE(vcases));
	tcase_add_loop_test(tc, test_csum_corrupt, 0, ARRAY_SIZE(vcases));
	tcase_add_loop_test(tc, test_unaligned, 0, ARRAY_SIZE(vcases));
	tcase_add_loop_test(tc, test_udp_zero_csum, 0, 2);
	tcase_add_test(tc, test_udp_csum_ffff);
	tcase_add_loop_test(tc, test_malformed, 0, ARRAY_SIZE(mcases));
	tcase_add_loop_test(tc, test_truncated_capture, 0, 50 + 1);		/* v4: 50 bytes */
	tcase_add_loop_test(tc, test_truncated_capture, 1000, 1000 + 70 + 1);	/* v6: 70 */
	tcase_add_loop_test(tc, test_truncated_l4, 0, 4 * 41);
	tcase_add_test(tc, test_first_frag_tcp_cut);
	tcase_add_loop_test(tc, test_tcp_flags, 0, 2 * ARRAY_SIZE(flag_cases));
	tcase_add_loop_test(tc, test_big_packets, 0, 2);
	tcase_add_test(tc, test_addr_str);
	tcase_add_test(tc, test_empty_and_reuse);
	suite_add_tcase(s, tc);

	tc = tcase_create("link");
	tcase_add_loop_test(tc, test_link, 0, ARRAY_SIZE(lcases));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(decode_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
