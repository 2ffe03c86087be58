/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes the flow table with sequences of synthetic decoded packets.
 *
 * Input: an 8-byte header, then 8-byte records (a trailing partial record is
 * ignored).
 *   header: [0] max_tcp & 7, [1] max_udp & 7, [2] max_other & 3,
 *           [3..7] tcp_syn, tcp_est, tcp_closed, udp, other timeouts (& 15 s)
 *   record: [0] bits 0-1 protocol (TCP, UDP, ICMP, GRE), bit 2 IPv6,
 *               bit 3 fragment, bit 4 no valid IP, bit 5 L4 truncated,
 *               bit 6 carries payload
 *           [1] source address index (low nibble), destination (high nibble)
 *           [2] source port index (low nibble), destination (high nibble)
 *           [3] TCP flags
 *           [4] time step in seconds, signed (clocks may jump back)
 *           [5] microseconds / 3922
 *           [6] bit 0: run vp_flow_expire() after the lookup
 *           [7] its budget
 * Checks after every packet: active counts within the caps, the result in
 * range, flow and flags consistent with it, a found flow carries the tuple.
 */
#include "vp_build.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "inspect/flow.h"

#define REC 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t protos[4] = {IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, 47};
static const uint8_t payload_byte[1];

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void limits_from(const uint8_t *h, struct vp_flow_limits *l)
{
	vp_flow_limits_default(l);
	l->max_tcp = h[0] & 7;
	l->max_udp = h[1] & 7;
	l->max_other = h[2] & 3;
	l->tcp_syn_timeout = h[3] & 15;
	l->tcp_est_timeout = h[4] & 15;
	l->tcp_closed_timeout = h[5] & 15;
	l->udp_timeout = h[6] & 15;
	l->other_timeout = h[7] & 15;
}

static void set_addr(struct vp_addr *a, bool v6, unsigned idx)
{
	memset(a, 0, sizeof(*a));
	if (v6) {
		a->family = AF_INET6;
		a->a[0] = 0x20;
		a->a[1] = 0x01;
		a->a[15] = (uint8_t)idx;
	} else {
		a->family = AF_INET;
		a->a[0] = 10;
		a->a[3] = (uint8_t)idx;
	}
}

static void packet_from(const uint8_t *r, struct vp_packet *p, struct timeval *clock)
{
	bool v6 = r[0] & 4;

	memset(p, 0, sizeof(*p));
	p->ip_version = (r[0] & 16) ? 0 : (v6 ? 6 : 4);
	p->proto = protos[r[0] & 3];
	p->fragment = r[0] & 8;
	if (r[0] & 32)
		p->anomalies |= VP_ANOM_L4_TRUNCATED;
	set_addr(&p->src, v6, r[1] & 15);
	set_addr(&p->dst, v6, r[1] >> 4);
	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) {
		p->sport = (uint16_t)(1000 + (r[2] & 15));
		p->dport = (uint16_t)(1000 + (r[2] >> 4));
	}
	if (p->proto == IPPROTO_TCP)
		p->tcp_flags = r[3];
	if (r[0] & 64) {
		p->payload.ptr = payload_byte;
		p->payload.len = 1;
	}
	clock->tv_sec += (int8_t)r[4];
	clock->tv_usec = (suseconds_t)r[5] * 3922;
	p->ts = *clock;
	p->len = 40 + p->payload.len;
	p->flow_flags = 0xff; /* must be overwritten */
}

static bool same(const struct vp_addr *a, const struct vp_addr *b)
{
	return a->family == b->family && memcmp(a->a, b->a, 16) == 0;
}

static void check_flow(const struct vp_packet *p, int ret, const struct vp_flow *f)
{
	bool ports = p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP;
	bool fwd, rev;

	check(ret >= VP_FLOW_NONE && ret <= VP_FLOW_NEW);
	if (ret < 0) {
		check(!f && p->flow_flags == 0);
		return;
	}
	check(f && f->id != 0 && f->id <= 0x7ffffffffffffULL && f->proto == p->proto);
	check(p->ip_version != 0 && !p->fragment);
	check(!(ret == VP_FLOW_NEW && p->proto == IPPROTO_TCP && (p->tcp_flags & VP_TCP_RST)));
	fwd = same(&f->client, &p->src) && same(&f->server, &p->dst) &&
	      (!ports || (f->cport == p->sport && f->sport == p->dport));
	rev = same(&f->client, &p->dst) && same(&f->server, &p->src) &&
	      (!ports || (f->cport == p->dport && f->sport == p->sport));
	check((p->flow_flags & VP_PKT_HAS_FLOW) && (fwd || rev));
	if (p->flow_flags & VP_PKT_TO_SERVER)
		check(fwd && !(p->flow_flags & VP_PKT_TO_CLIENT));
	else
		check(rev && (p->flow_flags & VP_PKT_TO_CLIENT));
	check(f->tcp_state <= VP_TCP_CLOSED);
	check(f->pkts_toserver + f->pkts_toclient >= 1);
}

static void check_table(const struct vp_flow_table *t, const struct vp_flow_limits *l)
{
	struct vp_flow_stats s;

	vp_flow_table_stats(t, &s);
	check(s.active_tcp <= l->max_tcp && s.active_udp <= l->max_udp &&
	      s.active_other <= l->max_other);
	check(s.created >= s.expired + s.active_tcp + s.active_udp + s.active_other);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct timeval clock = {1000000, 0};
	struct vp_flow_limits l;
	struct vp_flow_table *t;
	struct vp_packet p;
	struct vp_flow *f;
	size_t off;
	int ret;

	if (size < REC)
		return 0;
	limits_from(data, &l);
	t = vp_flow_table_new(&l);
	if (!t)
		return 0;
	for (off = REC; off + REC <= size; off += REC) {
		packet_from(data + off, &p, &clock);
		f = (struct vp_flow *)&l; /* must be overwritten */
		ret = vp_flow_lookup(t, &p, &f);
		check_flow(&p, ret, f);
		check_table(t, &l);
		if (data[off + 6] & 1)
			vp_flow_expire(t, &clock, data[off + 7]);
		check_table(t, &l);
	}
	vp_flow_table_free(t);
	return 0;
}
