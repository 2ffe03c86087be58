/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "daemon/reset.h"
#include "daemon/errbuf.h"

#ifndef IPV6_HDRINCL
#define IPV6_HDRINCL 36
#endif

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10
#define MAX_EXT_HDRS 8
#define RST_TTL 64

struct vp_reset {
	int fd4;
	int fd6;			/* -1 without IPv6 */
};

/* What the resets need from the dropped packet. */
struct tcp_view {
	int version;
	const uint8_t *src, *dst;	/* 4 or 16 bytes */
	const uint8_t *ports;		/* sport, dport: 4 bytes, network order */
	uint32_t seq, ack;
	uint8_t flags;
	uint32_t payload;		/* TCP payload length */
};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

/* The TCP header at <off>; <ip_len> is the IP datagram's length by its header. */
static int parse_tcp(const uint8_t *pkt, size_t len, size_t off, size_t ip_len,
		     struct tcp_view *v)
{
	size_t thl;

	if (off + 20 > len)
		return -EINVAL;
	thl = (size_t)(pkt[off + 12] >> 4) * 4;
	if (thl < 20 || off + thl > ip_len)
		return -EINVAL;
	v->ports = pkt + off;
	v->seq = rd32(pkt + off + 4);
	v->ack = rd32(pkt + off + 8);
	v->flags = pkt[off + 13];
	v->payload = (uint32_t)(ip_len - off - thl);
	return 0;
}

static int parse_v4(const uint8_t *pkt, size_t len, struct tcp_view *v)
{
	size_t ihl, tot;

	if (len < 20)
		return -EINVAL;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	tot = rd16(pkt + 2);
	if (tot == 0)
		tot = len;		/* a GSO packet over 64 KiB (BIG TCP) has no length */
	if (ihl < 20 || ihl > len || tot < ihl)
		return -EINVAL;
	if (rd16(pkt + 6) & 0x1fff)
		return -EINVAL;		/* not the first fragment: no TCP header */
	if (pkt[9] != IPPROTO_TCP)
		return -EPROTONOSUPPORT;
	v->version = 4;
	v->src = pkt + 12;
	v->dst = pkt + 16;
	return parse_tcp(pkt, len, ihl, tot, v);
}

/* Skips IPv6 extension headers up to TCP; the offset of the TCP header or -errno. */
static long skip_ext(const uint8_t *pkt, size_t len)
{
	uint8_t nh = pkt[6];
	size_t off = 40, hl;
	int i;

	for (i = 0; i < MAX_EXT_HDRS && nh != IPPROTO_TCP; i++) {
		if (off + 8 > len)
			return -EINVAL;
		switch (nh) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			hl = ((size_t)pkt[off + 1] + 1) * 8;
			break;
		case IPPROTO_FRAGMENT:
			if (rd16(pkt + off + 2) & 0xfff8)
				return -EINVAL;
			hl = 8;
			break;
		case IPPROTO_AH:
			hl = ((size_t)pkt[off + 1] + 2) * 4;
			break;
		default:
			return -EPROTONOSUPPORT;
		}
		nh = pkt[off];
		off += hl;
	}
	return nh == IPPROTO_TCP ? (long)off : -EPROTONOSUPPORT;
}

static int parse_v6(const uint8_t *pkt, size_t len, struct tcp_view *v)
{
	size_t plen;
	long off;

	if (len < 40)
		return -EINVAL;
	plen = rd16(pkt + 4);
	off = skip_ext(pkt, len);
	if (off < 0)
		return (int)off;
	v->version = 6;
	v->src = pkt + 8;
	v->dst = pkt + 24;
	/* payload length 0: jumbogram or BIG TCP GSO packet, take what we have */
	return parse_tcp(pkt, len, (size_t)off, plen ? 40 + plen : len, v);
}

static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += rd16(p + i);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* TCP header (20 bytes at <tcp>) checksum over the pseudo header of <src>/<dst>. */
static uint16_t tcp_csum(const uint8_t *src, const uint8_t *dst, size_t alen, const uint8_t *tcp)
{
	uint32_t s = 0;

	s = sum16(s, src, alen);
	s = sum16(s, dst, alen);
	s += IPPROTO_TCP + 20;	/* protocol and TCP length: the same sum for IPv4 and IPv6 */
	s = sum16(s, tcp, 20);
	return fold(s);
}

/* Writes an RST of <v>'s family from <src>:<sport> to <dst>:<dport> into <out>. */
static void build_one(const struct tcp_view *v, const uint8_t *src, const uint8_t *dst,
		      const uint8_t *sport, const uint8_t *dport, uint32_t seq, uint32_t ack,
		      uint8_t flags, uint8_t *out)
{
	size_t alen = v->version == 4 ? 4 : 16, iphl = v->version == 4 ? 20 : 40;
	uint8_t *tcp = out + iphl;

	memset(out, 0, iphl + 20);
	if (v->version == 4) {
		out[0] = 0x45;
		wr16(out + 2, 40);
		wr16(out + 6, 0x4000);		/* DF */
		out[8] = RST_TTL;
		out[9] = IPPROTO_TCP;
		memcpy(out + 12, src, 4);
		memcpy(out + 16, dst, 4);
		wr16(out + 10, fold(sum16(0, out, 20)));
	} else {
		out[0] = 0x60;
		wr16(out + 4, 20);
		out[6] = IPPROTO_TCP;
		out[7] = RST_TTL;
		memcpy(out + 8, src, 16);
		memcpy(out + 24, dst, 16);
	}
	memcpy(tcp, sport, 2);
	memcpy(tcp + 2, dport, 2);
	wr32(tcp + 4, seq);
	wr32(tcp + 8, ack);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	wr16(tcp + 16, tcp_csum(src, dst, alen, tcp));
}

int vp_reset_build(const uint8_t *pkt, size_t len, struct vp_reset_pair *out)
{
	struct tcp_view v;
	uint32_t ack;
	bool has_ack;
	int ret;

	if (!pkt || len < 1)
		return -EINVAL;
	memset(&v, 0, sizeof(v));
	if (pkt[0] >> 4 == 4)
		ret = parse_v4(pkt, len, &v);
	else if (pkt[0] >> 4 == 6)
		ret = parse_v6(pkt, len, &v);
	else
		ret = -EINVAL;
	if (ret < 0)
		return ret;
	if (v.flags & TCP_RST)
		return 1;
	has_ack = v.flags & TCP_ACK;
	ack = v.seq + v.payload + !!(v.flags & TCP_SYN) + !!(v.flags & TCP_FIN);
	build_one(&v, v.src, v.dst, v.ports, v.ports + 2, v.seq, has_ack ? v.ack : 0,
		  TCP_RST | (has_ack ? TCP_ACK : 0), out->to_dst);
	build_one(&v, v.dst, v.src, v.ports + 2, v.ports, has_ack ? v.ack : 0, ack,
		  TCP_RST | TCP_ACK, out->to_src);
	out->version = v.version;
	out->len = v.version == 4 ? 40 : 60;
	return 0;
}


/* A raw socket sending whole IP packets, marked <mark>; fd or -errno. */
static int raw_socket(int family, uint32_t mark)
{
	int one = 1, fd, ret;

	fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd < 0)
		return -errno;
	/* IPPROTO_RAW implies header-included sending; say so anyway (IPV6_HDRINCL: 4.5+) */
	if (family == AF_INET && setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) < 0)
		goto err;
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_HDRINCL, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0)
		goto err;
	return fd;
err:
	ret = -errno;
	close(fd);
	return ret;
}

struct vp_reset *vp_reset_new(uint32_t mark, char *err, size_t errlen)
{
	struct vp_reset *r = malloc(sizeof(*r));
	int fd;

	if (!r) {
		vp_errbuf_set(err, errlen, "out of memory");
		return NULL;
	}
	r->fd6 = -1;
	r->fd4 = raw_socket(AF_INET, mark);
	if (r->fd4 < 0) {
		vp_errbuf_set(err, errlen, "raw IPv4 socket for TCP resets: %s", strerror(-r->fd4));
		goto err;
	}
	fd = raw_socket(AF_INET6, mark);
	if (fd < 0 && fd != -EAFNOSUPPORT) {
		vp_errbuf_set(err, errlen, "raw IPv6 socket for TCP resets: %s", strerror(-fd));
		goto err;
	}
	r->fd6 = fd < 0 ? -1 : fd;
	return r;
err:
	vp_reset_free(r);
	return NULL;
}

/* Sends one built RST to the destination address in its own IP header. */
static int send_one(const struct vp_reset *r, int version, const uint8_t *p, size_t len)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	ssize_t n;

	if (version == 4) {
		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		memcpy(&s4.sin_addr, p + 16, 4);
		n = sendto(r->fd4, p, len, 0, (const struct sockaddr *)&s4, sizeof(s4));
	} else {
		if (r->fd6 < 0)
			return -EAFNOSUPPORT;
		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		memcpy(&s6.sin6_addr, p + 24, 16);
		n = sendto(r->fd6, p, len, 0, (const struct sockaddr *)&s6, sizeof(s6));
	}
	return n < 0 ? -errno : 0;
}

int vp_reset_send(struct vp_reset *r, const uint8_t *pkt, size_t len)
{
	struct vp_reset_pair rp;
	int ret, ret2;

	ret = vp_reset_build(pkt, len, &rp);
	if (ret)
		return ret < 0 ? ret : 0;
	ret = send_one(r, rp.version, rp.to_dst, rp.len);
	ret2 = send_one(r, rp.version, rp.to_src, rp.len);
	return ret < 0 ? ret : ret2;
}

void vp_reset_free(struct vp_reset *r)
{
	if (!r)
		return;
	if (r->fd4 >= 0)
		close(r->fd4);
	if (r->fd6 >= 0)
		close(r->fd6);
	free(r);
}
