/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "inspect/flow.h"

#define A  "10.0.0.1"
#define B  "192.0.2.10"
#define A6 "2001:db8::1"
#define B6 "2001:db8::2"

static const uint8_t payload_buf[64];

/* Builds a decoded packet by hand, as the decoder would fill it. */
static struct vp_packet mkpkt(uint8_t proto, const char *src, uint16_t sport, const char *dst,
			      uint16_t dport, uint8_t flags, time_t sec)
{
	struct vp_packet p;
	int af = strchr(src, ':') ? AF_INET6 : AF_INET;

	memset(&p, 0, sizeof(p));
	p.ip_version = af == AF_INET6 ? 6 : 4;
	p.src.family = p.dst.family = (uint8_t)af;
	ck_assert_int_eq(inet_pton(af, src, p.src.a), 1);
	ck_assert_int_eq(inet_pton(af, dst, p.dst.a), 1);
	p.proto = proto;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		p.sport = sport;
		p.dport = dport;
	}
	p.tcp_flags = proto == IPPROTO_TCP ? flags : 0;
	p.tcp_seq = 1000;
	p.ts.tv_sec = sec;
	p.len = 60;
	return p;
}

static struct vp_flow_table *small_table(uint32_t tcp, uint32_t udp, uint32_t other)
{
	struct vp_flow_limits l;
	struct vp_flow_table *t;

	vp_flow_limits_default(&l);
	l.max_tcp = tcp;
	l.max_udp = udp;
	l.max_other = other;
	t = vp_flow_table_new(&l);
	ck_assert_ptr_nonnull(t);
	return t;
}

static int lookup(struct vp_flow_table *t, struct vp_packet *p, struct vp_flow **f)
{
	int ret = vp_flow_lookup(t, p, f);

	if (ret < 0)
		ck_assert_ptr_null(*f);
	else
		ck_assert_ptr_nonnull(*f);
	return ret;
}

START_TEST(test_defaults)
{
	struct vp_flow_limits l;

	memset(&l, 0xff, sizeof(l));
	vp_flow_limits_default(&l);
	ck_assert_uint_eq(l.max_tcp, 100000);
	ck_assert_uint_eq(l.max_udp, 100000);
	ck_assert_uint_eq(l.max_other, 10000);
	ck_assert_uint_eq(l.tcp_syn_timeout, 30);
	ck_assert_uint_eq(l.tcp_est_timeout, 3600);
	ck_assert_uint_eq(l.tcp_closed_timeout, 10);
	ck_assert_uint_eq(l.udp_timeout, 120);
	ck_assert_uint_eq(l.other_timeout, 30);
	l.max_tcp = UINT32_MAX;
	ck_assert_ptr_null(vp_flow_table_new(&l));
	vp_flow_table_free(NULL);
}
END_TEST

/* ---- both directions are one flow, for each protocol and family ---- */

/* clang-format off */
static const struct {
	uint8_t proto;
	const char *a, *b;
	uint8_t flags;
} dir_cases[] = {
	{ IPPROTO_TCP, A, B, VP_TCP_SYN },
	{ IPPROTO_UDP, A, B, 0 },
	{ IPPROTO_ICMP, A, B, 0 },
	{ IPPROTO_TCP, A6, B6, VP_TCP_SYN },
	{ IPPROTO_UDP, A6, B6, 0 },
	{ IPPROTO_ICMPV6, A6, B6, 0 },
	{ 47 /* GRE */, A, B, 0 },
};
/* clang-format on */

START_TEST(test_both_directions)
{
	struct vp_flow_table *t = small_table(10, 10, 10);
	struct vp_packet p1 = mkpkt(dir_cases[_i].proto, dir_cases[_i].a, 40000, dir_cases[_i].b,
				    80, dir_cases[_i].flags, 100);
	struct vp_packet p2 = mkpkt(dir_cases[_i].proto, dir_cases[_i].b, 80, dir_cases[_i].a,
				    40000, VP_TCP_SYN | VP_TCP_ACK, 101);
	struct vp_flow *f1, *f2;
	struct vp_flow_stats s;
	uint64_t id;

	ck_assert_int_eq(lookup(t, &p1, &f1), VP_FLOW_NEW);
	id = f1->id;
	ck_assert_uint_eq(p1.flow_flags & (VP_PKT_HAS_FLOW | VP_PKT_TO_SERVER | VP_PKT_TO_CLIENT),
			  VP_PKT_HAS_FLOW | VP_PKT_TO_SERVER);
	ck_assert_int_eq(lookup(t, &p2, &f2), VP_FLOW_FOUND);
	ck_assert_ptr_eq(f1, f2);
	ck_assert_uint_eq(f2->id, id);
	ck_assert_uint_eq(p2.flow_flags & (VP_PKT_HAS_FLOW | VP_PKT_TO_SERVER | VP_PKT_TO_CLIENT),
			  VP_PKT_HAS_FLOW | VP_PKT_TO_CLIENT);
	ck_assert_uint_eq(f2->pkts_toserver, 1);
	ck_assert_uint_eq(f2->pkts_toclient, 1);
	ck_assert_uint_eq(f2->bytes_toserver, 60);
	ck_assert_uint_eq(f2->first_seen.tv_sec, 100);
	ck_assert_uint_eq(f2->last_seen.tv_sec, 101);
	ck_assert_uint_eq(f2->proto, dir_cases[_i].proto);
	ck_assert_mem_eq(f2->client.a, p1.src.a, 16);
	ck_assert_mem_eq(f2->server.a, p1.dst.a, 16);
	ck_assert_uint_eq(f2->client.family, p1.src.family);
	if (dir_cases[_i].proto == IPPROTO_TCP || dir_cases[_i].proto == IPPROTO_UDP) {
		ck_assert_uint_eq(f2->cport, 40000);
		ck_assert_uint_eq(f2->sport, 80);
	} else {
		ck_assert_uint_eq(f2->cport, 0);
		ck_assert_uint_eq(f2->sport, 0);
	}
	vp_flow_table_stats(t, &s);
	ck_assert_uint_eq(s.created, 1);
	ck_assert_uint_eq(s.active_tcp + s.active_udp + s.active_other, 1);
	vp_flow_table_free(t);
}
END_TEST

/* ---- TCP state machine scenarios ---- */

#define SA  (VP_TCP_SYN | VP_TCP_ACK)
#define PA  (VP_TCP_PSH | VP_TCP_ACK)
#define FA  (VP_TCP_FIN | VP_TCP_ACK)
#define TS  VP_PKT_TO_SERVER
#define TC  VP_PKT_TO_CLIENT
#define EST VP_PKT_ESTABLISHED

struct tcp_step {
	bool from_b; /* sent by B (the server) rather than A */
	uint8_t flags;
	size_t payload;
	int want_ret;
	uint8_t want_state;
	uint32_t want_pflags; /* without VP_PKT_HAS_FLOW, added when want_ret >= 0 */
};

/* clang-format off */
static const struct {
	const char *name;
	bool midstream;
	struct tcp_step steps[8];
	unsigned n;
} tcp_cases[] = {
	{ "handshake", false, {
		{ false, VP_TCP_SYN, 0, VP_FLOW_NEW, VP_TCP_SYN_SENT, TS },
		{ true, SA, 0, VP_FLOW_FOUND, VP_TCP_SYN_RECV, TC },
		{ false, VP_TCP_ACK, 0, VP_FLOW_FOUND, VP_TCP_ESTABLISHED, TS },	/* not yet (Suricata) */
		{ false, PA, 10, VP_FLOW_FOUND, VP_TCP_ESTABLISHED, TS | EST },
		{ true, PA, 10, VP_FLOW_FOUND, VP_TCP_ESTABLISHED, TC | EST },
	}, 5 },
	{ "syn retransmit, synack retransmit", false, {
		{ false, VP_TCP_SYN, 0, VP_FLOW_NEW, VP_TCP_SYN_SENT, TS },
		{ false, VP_TCP_SYN, 0, VP_FLOW_FOUND, VP_TCP_SYN_SENT, TS },
		{ true, SA, 0, VP_FLOW_FOUND, VP_TCP_SYN_RECV, TC },
		{ true, SA, 0, VP_FLOW_FOUND, VP_TCP_SYN_RECV, TC },
		{ true, VP_TCP_ACK, 0, VP_FLOW_FOUND, VP_TCP_SYN_RECV, TC },
		{ false, VP_TCP_ACK, 0, VP_FLOW_FOUND, VP_TCP_ESTABLISHED, TS },
	}, 6 },
	{ "fin both ways", false, {
		{ false, VP_TCP_SYN, 0, VP_FLOW_NEW, VP_TCP_SYN_SENT, TS },
		{ true, SA, 0, VP_FLOW_FOUND, VP_TCP_SYN_RECV, TC },
		{ false, VP_TCP_ACK, 0, VP_FLOW_FOUND, VP_TCP_ESTABLISHED, TS },
		{ false, FA, 0, VP_FLOW_FOUND, VP_TCP_CLOSING, TS | EST },
		{ true, PA, 5, VP_FLOW_FOUND, VP_TCP_CLOSING, TC | EST },
		{ true, FA, 0, VP_FLOW_FOUND, VP_TCP_CLOSED, TC },
		{ false, VP_TCP_ACK, 0, VP_FLOW_FOUND, VP_TCP_CLOSED, TS },
	}, 7 },
	{ "rst from server", false, {
		{ false, VP_TCP_SYN, 0, VP_FLOW_NEW, VP_TCP_SYN_SENT, TS },
		{ true, SA, 0, VP_FLOW_FOUND, VP_TCP_SYN_RECV, TC },
		/* the ACK completing the handshake is not established itself (Suricata) */
		{ false, VP_TCP_ACK, 0, VP_FLOW_FOUND, VP_TCP_ESTABLISHED, TS },
		{ true, VP_TCP_RST | VP_TCP_ACK, 0, VP_FLOW_FOUND, VP_TCP_CLOSED, TC },
		{ false, PA, 5, VP_FLOW_FOUND, VP_TCP_CLOSED, TS },
	}, 5 },
	{ "rst refusing the syn", false, {
		{ false, VP_TCP_SYN, 0, VP_FLOW_NEW, VP_TCP_SYN_SENT, TS },
		{ true, VP_TCP_RST | VP_TCP_ACK, 0, VP_FLOW_FOUND, VP_TCP_CLOSED, TC },
	}, 2 },
	{ "midstream with ack", true, {
		{ false, PA, 100, VP_FLOW_NEW, VP_TCP_ESTABLISHED, TS | EST },
		{ true, VP_TCP_ACK, 0, VP_FLOW_FOUND, VP_TCP_ESTABLISHED, TC | EST },
		{ true, FA, 0, VP_FLOW_FOUND, VP_TCP_CLOSING, TC | EST },
	}, 3 },
	{ "midstream without ack", true, {
		{ false, VP_TCP_PSH, 100, VP_FLOW_NEW, VP_TCP_NONE, TS },
		{ false, VP_TCP_PSH, 100, VP_FLOW_FOUND, VP_TCP_NONE, TS },
		{ true, VP_TCP_PSH, 100, VP_FLOW_FOUND, VP_TCP_ESTABLISHED, TC | EST },
	}, 3 },
	{ "midstream reply from the server's port", true, {
		/* B:443 -> A:51000 first: a reply, so B is the server */
		{ true, PA, 100, VP_FLOW_NEW, VP_TCP_ESTABLISHED, TC | EST },
		{ false, PA, 50, VP_FLOW_FOUND, VP_TCP_ESTABLISHED, TS | EST },
	}, 2 },
	{ "synack first", true, {
		{ true, SA, 0, VP_FLOW_NEW, VP_TCP_SYN_RECV, TC },
		{ false, VP_TCP_ACK, 0, VP_FLOW_FOUND, VP_TCP_ESTABLISHED, TS },
		{ false, PA, 20, VP_FLOW_FOUND, VP_TCP_ESTABLISHED, TS | EST },
	}, 3 },
	{ "fin before handshake is not established", false, {
		{ false, VP_TCP_SYN, 0, VP_FLOW_NEW, VP_TCP_SYN_SENT, TS },
		{ false, VP_TCP_FIN, 0, VP_FLOW_FOUND, VP_TCP_SYN_SENT, TS },
		{ true, VP_TCP_FIN, 0, VP_FLOW_FOUND, VP_TCP_CLOSED, TC },
	}, 3 },
	{ "client acks alone after syn: not established", false, {
		{ false, VP_TCP_SYN, 0, VP_FLOW_NEW, VP_TCP_SYN_SENT, TS },
		{ false, PA, 50, VP_FLOW_FOUND, VP_TCP_SYN_SENT, TS },
		{ false, PA, 50, VP_FLOW_FOUND, VP_TCP_SYN_SENT, TS },
	}, 3 },
	{ "data both ways after missed synack", false, {
		{ false, VP_TCP_SYN, 0, VP_FLOW_NEW, VP_TCP_SYN_SENT, TS },
		{ false, PA, 50, VP_FLOW_FOUND, VP_TCP_SYN_SENT, TS },
		{ true, PA, 50, VP_FLOW_FOUND, VP_TCP_ESTABLISHED, TC | EST },
	}, 3 },
	{ "rst creates no flow", false, {
		{ false, VP_TCP_RST, 0, VP_FLOW_NONE, 0, 0 },
		{ true, VP_TCP_RST | VP_TCP_ACK, 0, VP_FLOW_NONE, 0, 0 },
		{ false, VP_TCP_SYN, 0, VP_FLOW_NEW, VP_TCP_SYN_SENT, TS },
	}, 3 },
	{ "syn with fin ignores the fin", false, {
		{ false, VP_TCP_SYN | VP_TCP_FIN, 0, VP_FLOW_NEW, VP_TCP_SYN_SENT, TS },
	}, 1 },
	{ "syn on a closed flow opens a new one", false, {
		{ false, VP_TCP_SYN, 0, VP_FLOW_NEW, VP_TCP_SYN_SENT, TS },
		{ true, VP_TCP_RST | VP_TCP_ACK, 0, VP_FLOW_FOUND, VP_TCP_CLOSED, TC },
		{ false, VP_TCP_SYN, 0, VP_FLOW_NEW, VP_TCP_SYN_SENT, TS },
		{ true, SA, 0, VP_FLOW_FOUND, VP_TCP_SYN_RECV, TC },
	}, 4 },
};
/* clang-format on */

START_TEST(test_tcp_states)
{
	struct vp_flow_table *t = small_table(4, 1, 1);
	uint64_t last_id = 0;
	struct vp_flow *f;
	struct vp_packet p;
	unsigned i;

	for (i = 0; i < tcp_cases[_i].n; i++) {
		const struct tcp_step *s = &tcp_cases[_i].steps[i];
		uint32_t want = s->want_pflags | (s->want_ret >= 0 ? VP_PKT_HAS_FLOW : 0);
		int ret;

		if (s->from_b)
			p = mkpkt(IPPROTO_TCP, B, 443, A, 51000, s->flags, 10 + i);
		else
			p = mkpkt(IPPROTO_TCP, A, 51000, B, 443, s->flags, 10 + i);
		p.payload.ptr = payload_buf;
		p.payload.len = s->payload;
		ret = lookup(t, &p, &f);
		ck_assert_msg(ret == s->want_ret, "%s step %u: ret %d want %d", tcp_cases[_i].name,
			      i, ret, s->want_ret);
		ck_assert_msg(p.flow_flags == want, "%s step %u: flags %#x want %#x",
			      tcp_cases[_i].name, i, p.flow_flags, want);
		if (ret < 0)
			continue;
		ck_assert_msg(f->tcp_state == s->want_state, "%s step %u: state %u want %u",
			      tcp_cases[_i].name, i, f->tcp_state, s->want_state);
		ck_assert_uint_eq(f->cport, 51000); /* A is always the client */
		ck_assert_uint_eq(f->sport, 443);
		ck_assert_uint_eq(f->midstream, tcp_cases[_i].midstream);
		if (ret == VP_FLOW_NEW)
			ck_assert_uint_ne(f->id, last_id);
		else
			ck_assert_uint_eq(f->id, last_id);
		last_id = f->id;
	}
	vp_flow_table_free(t);
}
END_TEST

/* ---- untracked packets ---- */

START_TEST(test_untracked)
{
	struct vp_flow_table *t = small_table(2, 2, 2);
	struct vp_packet p;
	struct vp_flow *f = (struct vp_flow *)1;
	struct vp_flow_stats s;

	p = mkpkt(IPPROTO_TCP, A, 1, B, 2, VP_TCP_SYN, 1);
	p.ip_version = 0;
	p.flow_flags = 0xff;
	ck_assert_int_eq(vp_flow_lookup(t, &p, &f), VP_FLOW_NONE);
	ck_assert_ptr_null(f);
	ck_assert_uint_eq(p.flow_flags, 0);
	p = mkpkt(IPPROTO_UDP, A, 1, B, 2, 0, 1);
	p.fragment = true;
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_NONE);
	p = mkpkt(IPPROTO_UDP, A, 1, B, 2, 0, 1);
	p.anomalies = VP_ANOM_L4_TRUNCATED;
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_NONE);
	p = mkpkt(IPPROTO_UDP, A, 1, B, 2, 0, 1);
	p.ip_version = 5;
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_NONE);
	vp_flow_table_stats(t, &s);
	ck_assert_uint_eq(s.created, 0);
	ck_assert_uint_eq(s.active_tcp + s.active_udp + s.active_other, 0);
	vp_flow_table_free(t);
}
END_TEST

/* ---- caps ---- */

/* clang-format off */
static const struct {
	uint8_t proto;
	int want_cap;
} cap_cases[] = {
	{ IPPROTO_TCP, VP_FLOW_CAP_TCP },
	{ IPPROTO_UDP, VP_FLOW_CAP_UDP },
	{ IPPROTO_ICMP, VP_FLOW_CAP_OTHER },
};
/* clang-format on */

static uint64_t cap_count(const struct vp_flow_stats *s, uint8_t proto)
{
	if (proto == IPPROTO_TCP)
		return s->cap_tcp;
	if (proto == IPPROTO_UDP)
		return s->cap_udp;
	return s->cap_other;
}

START_TEST(test_caps)
{
	struct vp_flow_table *t = small_table(3, 3, 3);
	uint8_t proto = cap_cases[_i].proto;
	struct vp_flow *f, *first[3];
	char src[32];
	struct vp_flow_stats s;
	struct vp_packet p;
	uint16_t i;

	for (i = 0; i < 3; i++) {
		snprintf(src, sizeof(src), "10.0.0.%u", i + 1);
		p = mkpkt(proto, src, 1000, B, 80, VP_TCP_SYN, 100);
		ck_assert_int_eq(lookup(t, &p, &first[i]), VP_FLOW_NEW);
	}
	p = mkpkt(proto, "10.0.0.9", 1000, B, 80, VP_TCP_SYN, 101);
	ck_assert_int_eq(lookup(t, &p, &f), cap_cases[_i].want_cap);
	ck_assert_uint_eq(p.flow_flags, 0);
	ck_assert_int_eq(lookup(t, &p, &f), cap_cases[_i].want_cap);
	vp_flow_table_stats(t, &s);
	ck_assert_uint_eq(cap_count(&s, proto), 2);
	ck_assert_uint_eq(s.active_tcp + s.active_udp + s.active_other, 3);
	/* the other classes are not affected by this class's cap */
	p = mkpkt(proto == IPPROTO_UDP ? IPPROTO_TCP : IPPROTO_UDP, A, 1, B, 2, VP_TCP_SYN, 101);
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_NEW);
	/* existing flows are still found at the cap, from both sides */
	for (i = 0; i < 3; i++) {
		snprintf(src, sizeof(src), "10.0.0.%u", i + 1);
		p = mkpkt(proto, B, 80, src, 1000, VP_TCP_SYN | VP_TCP_ACK, 102);
		ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_FOUND);
		ck_assert_ptr_eq(f, first[i]);
	}
	/* after the idle timeout (30 s for SYN and other, 120 s for UDP) a new one gets in */
	p = mkpkt(proto, "10.0.0.9", 1000, B, 80, VP_TCP_SYN, 102 + 121);
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_NEW);
	vp_flow_table_stats(t, &s);
	ck_assert_uint_ge(s.expired, 1);
	ck_assert_uint_eq(cap_count(&s, proto), 2);
	vp_flow_table_free(t);
}
END_TEST

/* Reclaim works even when the per-lookup expiry budget is spent elsewhere. */
START_TEST(test_cap_reclaim_oldest)
{
	struct vp_flow_table *t = small_table(3, 1, 1);
	struct vp_flow *f;
	struct vp_packet p;
	struct vp_flow_stats s;

	p = mkpkt(IPPROTO_TCP, "10.0.0.1", 1, B, 80, VP_TCP_SYN, 0); /* SYN: 30 s */
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_NEW);
	p = mkpkt(IPPROTO_TCP, "10.0.0.2", 1, B, 80, PA, 0); /* est: 3600 s */
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_NEW);
	p = mkpkt(IPPROTO_TCP, "10.0.0.3", 1, B, 80, PA, 20);
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_NEW);
	p = mkpkt(IPPROTO_TCP, "10.0.0.4", 1, B, 80, VP_TCP_SYN, 29);
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_CAP_TCP);
	p = mkpkt(IPPROTO_TCP, "10.0.0.4", 1, B, 80, VP_TCP_SYN, 31);
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_NEW);
	/* the established ones survived, the half-open one was released */
	p = mkpkt(IPPROTO_TCP, "10.0.0.2", 1, B, 80, PA, 32);
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_FOUND);
	p = mkpkt(IPPROTO_TCP, "10.0.0.3", 1, B, 80, PA, 32);
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_FOUND);
	vp_flow_table_stats(t, &s);
	ck_assert_uint_eq(s.expired, 1);
	ck_assert_uint_eq(s.active_tcp, 3);
	vp_flow_table_free(t);
}
END_TEST

/*
 * A full class reclaims its own expired flow even when this lookup's expiry
 * budget went to other classes (the fourth lookup starts its round-robin at
 * the UDP list, so UDP and "other" take the budget of two).
 */
START_TEST(test_cap_reclaim_after_budget)
{
	struct vp_flow_table *t = small_table(1, 1, 1);
	struct vp_flow *f;
	struct vp_packet p;
	struct vp_flow_stats s;

	p = mkpkt(IPPROTO_TCP, A, 1, B, 80, VP_TCP_SYN, 0);
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_NEW);
	p = mkpkt(IPPROTO_UDP, A, 1, B, 53, 0, 0);
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_NEW);
	p = mkpkt(IPPROTO_ICMP, A, 0, B, 0, 0, 0);
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_NEW);
	p = mkpkt(IPPROTO_TCP, A, 2, B, 80, VP_TCP_SYN, 200);
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_NEW);
	vp_flow_table_stats(t, &s);
	ck_assert_uint_eq(s.expired, 3);
	ck_assert_uint_eq(s.cap_tcp, 0);
	ck_assert_uint_eq(s.active_tcp, 1);
	ck_assert_uint_eq(s.active_udp + s.active_other, 0);
	vp_flow_table_free(t);
}
END_TEST

/* ---- UDP and ICMP ---- */

START_TEST(test_udp_icmp)
{
	struct vp_flow_table *t = small_table(1, 2, 2);
	struct vp_flow *f, *u;
	struct vp_packet p;
	struct vp_flow_stats s;

	p = mkpkt(IPPROTO_UDP, A, 5353, B, 53, 0, 1);
	ck_assert_int_eq(lookup(t, &p, &u), VP_FLOW_NEW);
	ck_assert_uint_eq(p.flow_flags, VP_PKT_HAS_FLOW | VP_PKT_TO_SERVER);
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_FOUND);
	ck_assert_uint_eq(p.flow_flags, VP_PKT_HAS_FLOW | VP_PKT_TO_SERVER);
	p = mkpkt(IPPROTO_UDP, B, 53, A, 5353, 0, 2);
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_FOUND);
	ck_assert_ptr_eq(f, u);
	ck_assert_uint_eq(p.flow_flags, VP_PKT_HAS_FLOW | VP_PKT_TO_CLIENT | VP_PKT_ESTABLISHED);
	p = mkpkt(IPPROTO_UDP, A, 5353, B, 53, 0, 3);
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_FOUND);
	ck_assert_uint_eq(p.flow_flags, VP_PKT_HAS_FLOW | VP_PKT_TO_SERVER | VP_PKT_ESTABLISHED);
	ck_assert_uint_eq(f->tcp_state, VP_TCP_NONE);
	/* a different source port is another flow */
	p = mkpkt(IPPROTO_UDP, A, 5354, B, 53, 0, 3);
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_NEW);
	ck_assert_ptr_ne(f, u);

	/* ICMP echo: keyed on addresses and protocol only */
	p = mkpkt(IPPROTO_ICMP, A, 0, B, 0, 0, 4);
	p.icmp_type = 8;
	p.sport = 77; /* ignored for "other" flows */
	ck_assert_int_eq(lookup(t, &p, &u), VP_FLOW_NEW);
	ck_assert_uint_eq(u->cport, 0);
	p = mkpkt(IPPROTO_ICMP, B, 0, A, 0, 0, 4);
	p.icmp_type = 0;
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_FOUND);
	ck_assert_ptr_eq(f, u);
	ck_assert_uint_eq(p.flow_flags, VP_PKT_HAS_FLOW | VP_PKT_TO_CLIENT | VP_PKT_ESTABLISHED);
	/* ICMPv6 between the same bytes is another flow */
	p = mkpkt(IPPROTO_ICMPV6, A6, 0, B6, 0, 0, 5);
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_NEW);
	ck_assert_ptr_ne(f, u);
	vp_flow_table_stats(t, &s);
	ck_assert_uint_eq(s.active_udp, 2);
	ck_assert_uint_eq(s.active_other, 2);
	ck_assert_uint_eq(s.active_tcp, 0);
	vp_flow_table_free(t);
}
END_TEST

/* ---- IPv6 ---- */

START_TEST(test_ipv6_tuples)
{
	struct vp_flow_table *t = small_table(8, 8, 8);
	struct vp_flow *f, *g;
	struct vp_packet p;

	p = mkpkt(IPPROTO_TCP, A6, 40000, B6, 443, VP_TCP_SYN, 1);
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_NEW);
	ck_assert_uint_eq(f->client.family, AF_INET6);
	p = mkpkt(IPPROTO_TCP, B6, 443, A6, 40000, SA, 1);
	ck_assert_int_eq(lookup(t, &p, &g), VP_FLOW_FOUND);
	ck_assert_ptr_eq(f, g);
	/* addresses differing only in the last byte, and in the first byte */
	p = mkpkt(IPPROTO_TCP, "2001:db8::3", 40000, B6, 443, VP_TCP_SYN, 1);
	ck_assert_int_eq(lookup(t, &p, &g), VP_FLOW_NEW);
	ck_assert_ptr_ne(f, g);
	p = mkpkt(IPPROTO_TCP, "3001:db8::1", 40000, B6, 443, VP_TCP_SYN, 1);
	ck_assert_int_eq(lookup(t, &p, &g), VP_FLOW_NEW);
	/* swapped ports between the same addresses are another flow */
	p = mkpkt(IPPROTO_TCP, A6, 443, B6, 40000, VP_TCP_SYN, 1);
	ck_assert_int_eq(lookup(t, &p, &g), VP_FLOW_NEW);
	ck_assert_ptr_ne(f, g);
	/* an IPv4 packet whose 4 address bytes equal the start of the IPv6 ones */
	p = mkpkt(IPPROTO_TCP, "32.1.13.184", 40000, "32.1.13.184", 443, VP_TCP_SYN, 1);
	ck_assert_int_eq(lookup(t, &p, &g), VP_FLOW_NEW);
	ck_assert_uint_eq(g->client.family, AF_INET);
	/* IPv4 bytes past a[3] are not part of the tuple */
	p = mkpkt(IPPROTO_TCP, "32.1.13.184", 443, "32.1.13.184", 40000, SA, 2);
	p.src.a[9] = 0x55;
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_FOUND);
	ck_assert_ptr_eq(f, g);
	vp_flow_table_free(t);
}
END_TEST

/* ---- expiry ---- */

START_TEST(test_expire)
{
	struct vp_flow_table *t = small_table(10, 10, 10);
	struct timeval now = {0, 0};
	struct vp_flow *f;
	struct vp_packet p;
	struct vp_flow_stats s;

	p = mkpkt(IPPROTO_TCP, A, 1, B, 80, VP_TCP_SYN, 0); /* 30 s */
	lookup(t, &p, &f);
	p = mkpkt(IPPROTO_TCP, A, 2, B, 80, PA, 0); /* 3600 s */
	lookup(t, &p, &f);
	p = mkpkt(IPPROTO_TCP, A, 3, B, 80, PA | VP_TCP_RST, 0); /* RST: none */
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_NONE);
	p = mkpkt(IPPROTO_TCP, A, 4, B, 80, PA, 0);
	lookup(t, &p, &f);
	p = mkpkt(IPPROTO_TCP, B, 80, A, 4, VP_TCP_RST, 0); /* closed: 10 s */
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_FOUND);
	f->user = &now;
	p = mkpkt(IPPROTO_UDP, A, 1, B, 53, 0, 0); /* 120 s */
	lookup(t, &p, &f);
	p = mkpkt(IPPROTO_ICMP, A, 0, B, 0, 0, 0); /* 30 s */
	lookup(t, &p, &f);

	now.tv_sec = 10;
	ck_assert_uint_eq(vp_flow_expire(t, &now, 100), 0); /* exactly the timeout: kept */
	now.tv_usec = 1;
	ck_assert_uint_eq(vp_flow_expire(t, &now, 100), 1);
	now.tv_sec = 31;
	ck_assert_uint_eq(vp_flow_expire(t, &now, 1), 1); /* budget */
	ck_assert_uint_eq(vp_flow_expire(t, &now, 100), 1);
	now.tv_sec = 121;
	ck_assert_uint_eq(vp_flow_expire(t, &now, 100), 1);
	vp_flow_table_stats(t, &s);
	ck_assert_uint_eq(s.active_tcp, 1);
	ck_assert_uint_eq(s.active_udp, 0);
	ck_assert_uint_eq(s.active_other, 0);
	now.tv_sec = 3601;
	ck_assert_uint_eq(vp_flow_expire(t, &now, 100), 1);
	ck_assert_uint_eq(vp_flow_expire(t, &now, 100), 0);
	vp_flow_table_stats(t, &s);
	ck_assert_uint_eq(s.expired, 5);
	ck_assert_uint_eq(s.created, 5);
	ck_assert_uint_eq(s.active_tcp + s.active_udp + s.active_other, 0);
	vp_flow_table_free(t);
}
END_TEST

/* An activity refreshes the idle timer; a packet after the timeout gets a new flow. */
START_TEST(test_expire_refresh_and_recreate)
{
	struct vp_flow_table *t = small_table(2, 2, 2);
	struct timeval now = {0, 0};
	struct vp_flow *f;
	struct vp_packet p;
	struct vp_flow_stats s;
	uint64_t id;

	p = mkpkt(IPPROTO_UDP, A, 1, B, 53, 0, 0);
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_NEW);
	id = f->id;
	p.ts.tv_sec = 100;
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_FOUND);
	p.ts.tv_sec = 50; /* a capture clock stepping back does not rewind last_seen */
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_FOUND);
	ck_assert_int_eq(f->last_seen.tv_sec, 100);
	ck_assert_uint_eq(f->pkts_toserver, 3);
	now.tv_sec = 200;
	ck_assert_uint_eq(vp_flow_expire(t, &now, 10), 0);
	p = mkpkt(IPPROTO_UDP, B, 53, A, 1, 0, 221);
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_NEW);
	ck_assert_uint_ne(f->id, id);
	/* the reply side of the old flow is now the client of the new one */
	ck_assert_uint_eq(f->cport, 53);
	ck_assert_uint_eq(f->pkts_toserver, 1);
	ck_assert_uint_eq(f->pkts_toclient, 0);
	ck_assert_ptr_null(f->user);
	vp_flow_table_stats(t, &s);
	ck_assert_uint_eq(s.expired, 1);
	ck_assert_uint_eq(s.created, 2);
	vp_flow_table_free(t);
}
END_TEST

/* Lookups expire a bounded number of flows each; user pointers are cleared on release. */
START_TEST(test_lookup_expiry_bounded)
{
	struct vp_flow_table *t = small_table(20, 20, 20);
	struct vp_flow *f, *old[10];
	struct timeval now = {1000, 0};
	struct vp_packet p;
	struct vp_flow_stats s;
	uint16_t i;

	for (i = 0; i < 10; i++) {
		p = mkpkt(IPPROTO_UDP, A, 1000 + i, B, 53, 0, 0);
		ck_assert_int_eq(lookup(t, &p, &old[i]), VP_FLOW_NEW);
		old[i]->user = old[i];
	}
	p = mkpkt(IPPROTO_TCP, A, 1, B, 2, VP_TCP_SYN, 500);
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_NEW);
	vp_flow_table_stats(t, &s);
	ck_assert_uint_eq(s.expired, 2);
	ck_assert_uint_eq(s.active_udp, 8);
	/* the two oldest went first */
	ck_assert_ptr_null(old[0]->user);
	ck_assert_ptr_null(old[1]->user);
	ck_assert_ptr_eq(old[2]->user, old[2]);
	ck_assert_uint_eq(vp_flow_expire(t, &now, 100), 9);
	for (i = 0; i < 10; i++)
		ck_assert_ptr_null(old[i]->user);
	vp_flow_table_free(t);
}
END_TEST

static void count_release(void *ctx, struct vp_flow *f)
{
	unsigned *n = ctx;

	ck_assert_ptr_nonnull(f->user);
	(*n)++;
}

/* The release hook hears of every flow with state: on expiry and when the table goes. */
START_TEST(test_release_hook)
{
	struct vp_flow_table *t = small_table(20, 20, 20);
	struct timeval now = {1000, 0};
	struct vp_flow *f;
	struct vp_packet p;
	unsigned released = 0;
	uint16_t i;

	vp_flow_table_set_release(t, count_release, &released);
	for (i = 0; i < 6; i++) {
		p = mkpkt(IPPROTO_UDP, A, 2000 + i, B, 53, 0, 0);
		ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_NEW);
		if (i % 2 == 0)
			f->user = f;	/* only flows with state are reported */
	}
	p = mkpkt(IPPROTO_TCP, A, 1, B, 2, VP_TCP_SYN, 999);
	ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_NEW);
	f->user = f;
	/* the TCP lookup already expired the two oldest */
	ck_assert_uint_eq(vp_flow_expire(t, &now, 100), 4);
	ck_assert_uint_eq(released, 3);
	vp_flow_table_free(t);
	ck_assert_uint_eq(released, 4);
}
END_TEST

/* Two workers' tables sharing host-wide counts: the cap holds for their sum. */
START_TEST(test_shared_caps)
{
	struct vp_flow_table *t1 = small_table(3, 3, 3), *t2 = small_table(3, 3, 3);
	struct vp_flow_shared sh = { 0 };
	struct timeval now = {1000, 0};
	struct vp_flow_stats s;
	struct vp_flow *f;
	struct vp_packet p;

	vp_flow_table_set_shared(t1, &sh);
	vp_flow_table_set_shared(t2, &sh);
	p = mkpkt(IPPROTO_TCP, A, 1, B, 80, VP_TCP_SYN, 0);
	ck_assert_int_eq(lookup(t1, &p, &f), VP_FLOW_NEW);
	p = mkpkt(IPPROTO_TCP, A, 2, B, 80, VP_TCP_SYN, 0);
	ck_assert_int_eq(lookup(t1, &p, &f), VP_FLOW_NEW);
	p = mkpkt(IPPROTO_TCP, A, 3, B, 80, VP_TCP_SYN, 0);
	ck_assert_int_eq(lookup(t2, &p, &f), VP_FLOW_NEW);
	p = mkpkt(IPPROTO_TCP, A, 4, B, 80, VP_TCP_SYN, 0);
	ck_assert_int_eq(lookup(t2, &p, &f), VP_FLOW_CAP_TCP);
	ck_assert_uint_eq(atomic_load(&sh.active[0]), 3);
	/* t1's flows time out: t2 may create again */
	ck_assert_uint_eq(vp_flow_expire(t1, &now, 100), 2);
	ck_assert_uint_eq(atomic_load(&sh.active[0]), 1);
	p = mkpkt(IPPROTO_TCP, A, 4, B, 80, VP_TCP_SYN, 999);
	ck_assert_int_eq(lookup(t2, &p, &f), VP_FLOW_NEW);
	vp_flow_table_stats(t2, &s);
	ck_assert_uint_eq(s.cap_tcp, 1);
	vp_flow_table_free(t2);
	ck_assert_uint_eq(atomic_load(&sh.active[0]), 0);
	vp_flow_table_free(t1);
}
END_TEST

/* ---- flow ids ---- */

#define NIDS 10000

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void feed_ids(struct vp_flow_table *t, uint64_t *ids)
{
	struct vp_flow *f;
	struct vp_packet p;
	unsigned i;

	for (i = 0; i < NIDS; i++) {
		p = mkpkt(i % 3 ? IPPROTO_TCP : IPPROTO_UDP, A, (uint16_t)(1024 + i), B, 80,
			  VP_TCP_SYN, i / 100);
		p.src.a[3] = (uint8_t)(i >> 12);
		ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_NEW);
		ids[i] = f->id;
		ck_assert_uint_ne(f->id, 0);
		ck_assert_uint_le(f->id, 0x7ffffffffffffULL);
		/* the reply finds the same id */
		p = mkpkt(p.proto, B, 80, A, (uint16_t)(1024 + i), SA, i / 100);
		p.dst.a[3] = (uint8_t)(i >> 12);
		ck_assert_int_eq(lookup(t, &p, &f), VP_FLOW_FOUND);
		ck_assert_uint_eq(f->id, ids[i]);
	}
}

START_TEST(test_ids)
{
	struct vp_flow_table *t1 = small_table(NIDS, NIDS, 1);
	struct vp_flow_table *t2 = small_table(NIDS, NIDS, 1);
	uint64_t *ids1 = calloc(NIDS, sizeof(*ids1));
	uint64_t *ids2 = calloc(NIDS, sizeof(*ids2));
	unsigned i;

	ck_assert_ptr_nonnull(ids1);
	ck_assert_ptr_nonnull(ids2);
	feed_ids(t1, ids1);
	feed_ids(t2, ids2);
	ck_assert_mem_eq(ids1, ids2, NIDS * sizeof(*ids1));
	qsort(ids1, NIDS, sizeof(*ids1), cmp_u64);
	for (i = 1; i < NIDS; i++)
		ck_assert_uint_ne(ids1[i - 1], ids1[i]);
	free(ids1);
	free(ids2);
	vp_flow_table_free(t1);
	vp_flow_table_free(t2);
}
END_TEST

/* ---- random churn ---- */

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void churn_check(const struct vp_flow_table *t, const struct vp_flow_limits *l,
			const struct vp_packet *p, int ret, const struct vp_flow *f)
{
	struct vp_flow_stats s;
	bool fwd, rev;

	vp_flow_table_stats(t, &s);
	ck_assert_uint_le(s.active_tcp, l->max_tcp);
	ck_assert_uint_le(s.active_udp, l->max_udp);
	ck_assert_uint_le(s.active_other, l->max_other);
	ck_assert_uint_eq(s.created - s.expired >= s.active_tcp + s.active_udp + s.active_other, 1);
	if (ret < 0) {
		ck_assert_uint_eq(p->flow_flags, 0);
		return;
	}
	ck_assert_uint_eq(f->proto, p->proto);
	fwd = !memcmp(f->client.a, p->src.a, 4) && !memcmp(f->server.a, p->dst.a, 4);
	rev = !memcmp(f->client.a, p->dst.a, 4) && !memcmp(f->server.a, p->src.a, 4);
	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) {
		fwd = fwd && f->cport == p->sport && f->sport == p->dport;
		rev = rev && f->cport == p->dport && f->sport == p->sport;
	}
	ck_assert(fwd || rev);
	if (p->flow_flags & VP_PKT_TO_SERVER)
		ck_assert(fwd);
	else
		ck_assert(rev);
	ck_assert_uint_eq(
	    !!(p->flow_flags & VP_PKT_TO_SERVER) + !!(p->flow_flags & VP_PKT_TO_CLIENT), 1);
	ck_assert_uint_ne(f->id, 0);
	ck_assert(f->last_seen.tv_sec == p->ts.tv_sec);
}

START_TEST(test_churn)
{
	static const uint8_t protos[] = {IPPROTO_TCP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP};
	static const uint8_t flags[] = {VP_TCP_SYN, SA, VP_TCP_ACK, PA, FA, VP_TCP_RST, 0};
	struct vp_flow_limits l;
	struct vp_flow_table *t;
	uint64_t seed = 0x1234567890abcdefULL, r;
	struct timeval now = {0, 0};
	struct vp_packet p;
	struct vp_flow *f;
	unsigned i;
	int ret;

	vp_flow_limits_default(&l);
	l.max_tcp = 50;
	l.max_udp = 20;
	l.max_other = 5;
	l.tcp_syn_timeout = 3;
	l.tcp_est_timeout = 20;
	l.tcp_closed_timeout = 1;
	l.udp_timeout = 5;
	l.other_timeout = 2;
	t = vp_flow_table_new(&l);
	ck_assert_ptr_nonnull(t);
	for (i = 0; i < 200000; i++) {
		r = rng_next(&seed);
		if (r % 50 == 0)
			now.tv_sec++;
		now.tv_usec = (suseconds_t)(i % 1000000);
		p = mkpkt(protos[r >> 8 & 3], A, (uint16_t)(1 + (r >> 12 & 7)), A,
			  (uint16_t)(1 + (r >> 16 & 7)), flags[(r >> 20) % 7], 0);
		p.src.a[3] = (uint8_t)(r >> 24 & 7); /* 8 hosts, 8 ports: many replies */
		p.dst.a[3] = (uint8_t)(r >> 28 & 7);
		p.payload.ptr = payload_buf;
		p.payload.len = r >> 33 & 1;
		p.ts = now;
		ret = vp_flow_lookup(t, &p, &f);
		ck_assert_int_ge(ret, VP_FLOW_NONE);
		ck_assert_int_le(ret, VP_FLOW_NEW);
		churn_check(t, &l, &p, ret, f);
		if (r % 1000 == 0)
			vp_flow_expire(t, &now, (unsigned)(r >> 40 & 63));
	}
	vp_flow_table_free(t);
}
END_TEST

static Suite *flow_suite(void)
{
	Suite *s = suite_create("flow");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_defaults);
	tcase_add_loop_test(tc, test_both_directions, 0, sizeof(dir_cases) / sizeof(dir_cases[0]));
	tcase_add_loop_test(tc, test_tcp_states, 0, sizeof(tcp_cases) / sizeof(tcp_cases[0]));
	tcase_add_test(tc, test_untracked);
	tcase_add_loop_test(tc, test_caps, 0, sizeof(cap_cases) / sizeof(cap_cases[0]));
	tcase_add_test(tc, test_cap_reclaim_oldest);
	tcase_add_test(tc, test_cap_reclaim_after_budget);
	tcase_add_test(tc, test_udp_icmp);
	tcase_add_test(tc, test_ipv6_tuples);
	tcase_add_test(tc, test_expire);
	tcase_add_test(tc, test_expire_refresh_and_recreate);
	tcase_add_test(tc, test_lookup_expiry_bounded);
	tcase_add_test(tc, test_release_hook);
	tcase_add_test(tc, test_shared_caps);
	tcase_add_test(tc, test_ids);
	tcase_add_test(tc, test_churn);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(flow_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
