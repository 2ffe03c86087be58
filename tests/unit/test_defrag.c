/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of inspect/defrag: IPv4 and IPv6 datagrams split into 2, 3 and many fragments fed
 * in every order (all permutations for 3, seeded shuffles for many); the rebuilt packet must be
 * byte-identical to the unfragmented original built here (so its header checksum and the UDP
 * checksum are right) and decode like it.  Then duplicates, conflicts, the Linux run model of
 * overlaps, length errors, timeouts, memcap and context limits, too large datagrams and tiny
 * first fragments.
 */
#include "vp_build.h"

#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/decode.h"
#include "inspect/defrag.h"

#define MAXPKT 70000

/* One datagram: an unfragmented UDP packet, and its fragments. */
struct dg {
	bool v6, hbh; /* IPv6 with a hop-by-hop header in the unfragmentable part */
	uint32_t id;
	uint8_t whole[MAXPKT];
	size_t whole_len, hdr_len; /* hdr_len: IPv4 header / IPv6 unfragmentable part */
};

struct frag {
	uint8_t b[MAXPKT];
	size_t len;
};

static void wr16(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static uint32_t sum16(uint32_t acc, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		acc += (uint32_t)b[n - 1] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffffu) + (acc >> 16);
	return (uint16_t)~acc;
}

static void udp_csum(struct dg *g, uint8_t *udp, size_t ulen)
{
	const uint8_t *ip = g->whole;
	uint32_t acc = 17 + (uint32_t)ulen;
	uint16_t c;

	acc = g->v6 ? sum16(acc, ip + 8, 32) : sum16(acc, ip + 12, 8);
	acc = sum16(acc, udp, ulen);
	c = fold(acc);
	wr16(udp + 6, c ? c : 0xffff);
}

/* Builds a UDP datagram with <plen> payload bytes (pattern from <seed>). */
static void dg_build(struct dg *g, bool v6, bool hbh, size_t plen, uint8_t seed)
{
	uint8_t *b = g->whole, *udp;
	size_t i, ulen = 8 + plen;

	memset(g, 0, sizeof(*g));
	g->v6 = v6;
	g->hbh = hbh;
	g->id = v6 ? 0x12345678u : 0x4321u;
	if (!v6) {
		g->hdr_len = 20;
		b[0] = 0x45;
		wr16(b + 2, (uint32_t)(20 + ulen));
		wr16(b + 4, g->id);
		b[8] = 64;
		b[9] = 17;
		memcpy(b + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
		wr16(b + 10, fold(sum16(0, b, 20)));
	} else {
		g->hdr_len = hbh ? 48 : 40;
		b[0] = 0x60;
		wr16(b + 4, (uint32_t)(g->hdr_len - 40 + ulen));
		b[6] = hbh ? 0 : 17;
		b[7] = 64;
		b[8] = 0x20;
		b[23] = 1;
		b[24] = 0x20;
		b[39] = 2;
		if (hbh) {
			b[40] = 17; /* next header; length 0; PadN of 4 bytes */
			b[42] = 1;
			b[43] = 4;
		}
	}
	udp = b + g->hdr_len;
	wr16(udp, 40000);
	wr16(udp + 2, 53);
	wr16(udp + 4, (uint32_t)ulen);
	for (i = 0; i < plen; i++)
		udp[8 + i] = (uint8_t)(seed + i * 7 + (i >> 8));
	udp_csum(g, udp, ulen);
	g->whole_len = g->hdr_len + ulen;
}

/* Fragment of datagram data [off, off + len) with the MF bit <mf>; <data> overrides the bytes. */
static void frag_make(const struct dg *g, struct frag *f, size_t off, size_t len, bool mf,
		      const uint8_t *data)
{
	const uint8_t *src = data ? data : g->whole + g->hdr_len + off;
	uint8_t *b = f->b;

	memcpy(b, g->whole, g->hdr_len);
	if (!g->v6) {
		memcpy(b + 20, src, len);
		f->len = 20 + len;
		wr16(b + 4, g->id & 0xffffu);
		wr16(b + 2, (uint32_t)f->len);
		wr16(b + 6, (uint32_t)(off / 8) | (mf ? 0x2000u : 0));
		wr16(b + 10, 0);
		wr16(b + 10, fold(sum16(0, b, 20)));
		return;
	}
	b[g->hdr_len] = g->whole[g->hbh ? 40 : 6];
	b[g->hbh ? 40 : 6] = 44;
	b[g->hdr_len + 1] = 0;
	wr16(b + g->hdr_len + 2, (uint32_t)(off & ~7u) | (mf ? 1u : 0));
	b[g->hdr_len + 4] = (uint8_t)(g->id >> 24);
	b[g->hdr_len + 5] = (uint8_t)(g->id >> 16);
	b[g->hdr_len + 6] = (uint8_t)(g->id >> 8);
	b[g->hdr_len + 7] = (uint8_t)g->id;
	memcpy(b + g->hdr_len + 8, src, len);
	f->len = g->hdr_len + 8 + len;
	wr16(b + 4, (uint32_t)(f->len - 40));
}

static size_t dg_dlen(const struct dg *g)
{
	return g->whole_len - g->hdr_len;
}

struct h {
	struct vp_defrag *d;
	struct dg g;
	struct frag f;
	const uint8_t *out;
	size_t outlen;
	long now_s;
};

static struct h *h_new(const struct vp_defrag_limits *l)
{
	struct h *h = calloc(1, sizeof(*h));

	ck_assert_ptr_nonnull(h);
	h->d = vp_defrag_new(l);
	ck_assert_ptr_nonnull(h->d);
	h->now_s = 1000;
	return h;
}

static void h_free(struct h *h)
{
	vp_defrag_free(h->d);
	free(h);
}

/* Decodes and feeds h->f; returns the defrag result. */
static int feed_frag(struct h *h)
{
	struct vp_packet p;

	ck_assert_int_eq(vp_decode_packet(&p, h->f.b, h->f.len), VP_PARSE_OK);
	p.ts.tv_sec = h->now_s;
	h->out = NULL;
	h->outlen = 0;
	return vp_defrag_packet(h->d, &p, &h->out, &h->outlen);
}

static int feed(struct h *h, size_t off, size_t len, bool mf)
{
	frag_make(&h->g, &h->f, off, len, mf, NULL);
	return feed_frag(h);
}

/* The rebuilt packet equals the original and decodes like it, with good checksums. */
static void check_rebuilt(struct h *h)
{
	struct vp_packet a, b;

	ck_assert_ptr_nonnull(h->out);
	ck_assert_uint_eq(h->outlen, h->g.whole_len);
	ck_assert_mem_eq(h->out, h->g.whole, h->g.whole_len);
	ck_assert_int_eq(vp_decode_packet(&a, h->out, h->outlen), VP_PARSE_OK);
	ck_assert_int_eq(vp_decode_packet(&b, h->g.whole, h->g.whole_len), VP_PARSE_OK);
	ck_assert(!a.fragment);
	ck_assert_uint_eq(a.anomalies, 0);
	ck_assert_uint_eq(a.proto, 17);
	ck_assert_uint_eq(a.dport, 53);
	ck_assert_uint_eq(a.payload.len, b.payload.len);
	ck_assert_mem_eq(a.payload.ptr, b.payload.ptr, b.payload.len);
	ck_assert(vp_decode_checksums_ok(&a));
	if (!h->g.v6)
		ck_assert_uint_eq(fold(sum16(0, h->out, 20)), 0);
}

/* ---- splits in every order ---- */

static const struct {
	bool v6, hbh;
	size_t plen;
	unsigned pieces; /* equal pieces, multiple of 8 but the last */
	bool all_perms;	 /* else shuffles */
} split_cases[] = {
    {false, false, 100, 2, true},     {false, false, 1000, 3, true},
    {false, false, 3000, 3, true},    {false, false, 1400, 4, true},
    {false, false, 5000, 40, false},  {false, false, 200, 26, false}, /* 8-byte fragments */
    {false, false, 65507, 45, false}, /* the largest IPv4 datagram */
    {true, false, 100, 2, true},      {true, false, 3000, 3, true},
    {true, true, 3000, 3, true},      {true, true, 1400, 4, true},
    {true, false, 5000, 40, false},   {true, true, 300, 38, false},
    {true, false, 65527, 50, false}, /* payload length 65535 */
};

static size_t piece_off(size_t dlen, unsigned pieces, unsigned k)
{
	size_t step = (dlen / pieces + 7) & ~(size_t)7;

	return k * step < dlen ? k * step : dlen;
}

static void run_order(struct h *h, const unsigned *ord, unsigned n)
{
	size_t dlen = dg_dlen(&h->g), off, end;
	unsigned i;
	int r;

	for (i = 0; i < n; i++) {
		off = piece_off(dlen, n, ord[i]);
		end = ord[i] + 1 == n ? dlen : piece_off(dlen, n, ord[i] + 1);
		ck_assert_uint_gt(end, off);
		r = feed(h, off, end - off, ord[i] + 1 != n);
		ck_assert_int_eq(r, i + 1 == n ? VP_DEFRAG_COMPLETE : VP_DEFRAG_HELD);
	}
	check_rebuilt(h);
	ck_assert_uint_eq(vp_defrag_stats(h->d)->in_progress, 0);
	ck_assert_uint_eq(vp_defrag_stats(h->d)->bytes_held, 0);
}

static bool next_perm(unsigned *a, unsigned n)
{
	unsigned i, j, t;

	if (n < 2)
		return false;
	for (i = n - 1; i > 0 && a[i - 1] >= a[i]; i--)
		;
	if (i == 0)
		return false;
	for (j = n - 1; a[j] <= a[i - 1]; j--)
		;
	t = a[i - 1], a[i - 1] = a[j], a[j] = t;
	for (j = n - 1; i < j; i++, j--)
		t = a[i], a[i] = a[j], a[j] = t;
	return true;
}

START_TEST(test_split)
{
	struct h *h = h_new(NULL);
	unsigned ord[64], n = split_cases[_i].pieces, i, j, t, runs = 0;
	uint32_t rnd = 12345;

	dg_build(&h->g, split_cases[_i].v6, split_cases[_i].hbh, split_cases[_i].plen, 3);
	for (i = 0; i < n; i++)
		ord[i] = i;
	if (split_cases[_i].all_perms) {
		do {
			run_order(h, ord, n);
			runs++;
		} while (next_perm(ord, n));
	} else {
		for (runs = 0; runs < 12; runs++) {
			if (runs == 1) /* reverse */
				for (i = 0; i < n; i++)
					ord[i] = n - 1 - i;
			for (i = n - 1; runs >= 2 && i > 0; i--) {
				rnd = rnd * 1103515245u + 12345u;
				j = (rnd >> 8) % (i + 1);
				t = ord[i], ord[i] = ord[j], ord[j] = t;
			}
			run_order(h, ord, n);
		}
	}
	ck_assert_uint_eq(vp_defrag_stats(h->d)->completed, runs);
	ck_assert_uint_eq(vp_defrag_stats(h->d)->fragments, (uint64_t)runs * n);
	h_free(h);
}
END_TEST

/* ---- scripted cases: a list of fragments and the result each must give ---- */

#define D_DIFF 1 /* the fragment's bytes differ from the datagram's */

struct step {
	uint16_t off, len;
	bool mf;
	int want;
	unsigned flags;
};

/* clang-format off */
static const struct {
	const char *name;
	bool v6;
	size_t plen; /* datagram data = 8 + plen */
	struct step s[8];
	unsigned n;
	bool rebuilt; /* the last step completes the original */
} script_cases[] = {
	{ "dup first", false, 40, { { 0, 24, true, VP_DEFRAG_HELD, 0 },
				    { 0, 24, true, VP_DEFRAG_DUPLICATE, 0 },
				    { 24, 24, false, VP_DEFRAG_COMPLETE, 0 } }, 3, true },
	{ "dup last v6", true, 40, { { 24, 24, false, VP_DEFRAG_HELD, 0 },
				     { 24, 24, false, VP_DEFRAG_DUPLICATE, 0 },
				     { 0, 24, true, VP_DEFRAG_COMPLETE, 0 } }, 3, true },
	/* in order: one run [0, 32), so [8, 24) is inside it */
	{ "contained in run", false, 40, { { 0, 16, true, VP_DEFRAG_HELD, 0 },
					   { 16, 16, true, VP_DEFRAG_HELD, 0 },
					   { 8, 16, true, VP_DEFRAG_DUPLICATE, 0 },
					   { 32, 16, false, VP_DEFRAG_COMPLETE, 0 } }, 4, true },
	{ "conflict kept old", false, 40, { { 0, 24, true, VP_DEFRAG_HELD, 0 },
					    { 8, 8, true, VP_DEFRAG_CONFLICT, D_DIFF },
					    { 24, 24, false, VP_DEFRAG_COMPLETE, 0 } }, 3, true },
	{ "conflict v6", true, 40, { { 0, 24, true, VP_DEFRAG_HELD, 0 },
				     { 0, 24, true, VP_DEFRAG_CONFLICT, D_DIFF },
				     { 24, 24, false, VP_DEFRAG_COMPLETE, 0 } }, 3, true },
	/* reversed: two runs, so the same middle piece overlaps both */
	{ "across runs v4", false, 40, { { 16, 16, true, VP_DEFRAG_HELD, 0 },
					 { 0, 16, true, VP_DEFRAG_HELD, 0 },
					 { 8, 16, true, VP_DEFRAG_OVERLAP, 0 },
					 { 32, 16, false, VP_DEFRAG_HELD, 0 } }, 4, false },
	{ "across runs v6", true, 40, { { 16, 16, true, VP_DEFRAG_HELD, 0 },
					{ 0, 16, true, VP_DEFRAG_HELD, 0 },
					{ 8, 16, true, VP_DEFRAG_OVERLAP, 0 } }, 3, false },
	{ "overlap tail same", false, 40, { { 0, 24, true, VP_DEFRAG_HELD, 0 },
					    { 16, 32, false, VP_DEFRAG_OVERLAP, 0 },
					    { 24, 24, false, VP_DEFRAG_HELD, 0 } }, 3, false },
	{ "overlap tail diff", true, 40, { { 0, 24, true, VP_DEFRAG_HELD, 0 },
					   { 16, 32, false, VP_DEFRAG_OVERLAP, D_DIFF } }, 2, false },
	{ "overlap head", false, 40, { { 16, 32, false, VP_DEFRAG_HELD, 0 },
				       { 0, 24, true, VP_DEFRAG_OVERLAP, 0 } }, 2, false },
	{ "v4 odd trimmed", false, 40, { { 0, 13, true, VP_DEFRAG_HELD, 0 },
					 { 8, 40, false, VP_DEFRAG_COMPLETE, 0 } }, 2, true },
	{ "v6 odd dropped", true, 40, { { 0, 13, true, VP_DEFRAG_INVALID, 0 },
					{ 8, 40, false, VP_DEFRAG_HELD, 0 },
					{ 0, 8, true, VP_DEFRAG_COMPLETE, 0 } }, 3, true },
	{ "v4 zero length", false, 40, { { 0, 24, true, VP_DEFRAG_HELD, 0 },
					 { 48, 0, false, VP_DEFRAG_INVALID, 0 },
					 { 24, 24, false, VP_DEFRAG_HELD, 0 } }, 3, false },
	{ "v4 short trimmed to 0", false, 40, { { 24, 24, false, VP_DEFRAG_HELD, 0 },
						{ 8, 5, true, VP_DEFRAG_INVALID, 0 } }, 2, false },
	{ "two last", false, 40, { { 24, 24, false, VP_DEFRAG_HELD, 0 },
				   { 16, 16, false, VP_DEFRAG_INVALID, 0 } }, 2, false },
	{ "last before data", true, 40, { { 24, 24, true, VP_DEFRAG_HELD, 0 },
					  { 8, 16, false, VP_DEFRAG_INVALID, 0 } }, 2, false },
	{ "data past last", false, 40, { { 16, 16, false, VP_DEFRAG_HELD, 0 },
					 { 24, 24, true, VP_DEFRAG_INVALID, 0 } }, 2, false },
	{ "short first", false, 40, { { 0, 8, true, VP_DEFRAG_HELD, 0 },
				      { 8, 40, false, VP_DEFRAG_COMPLETE, 0 } }, 2, true },
	{ "v6 far too large", true, 40, { { 65528, 16, false, VP_DEFRAG_TOO_LARGE, 0 },
					  { 0, 24, true, VP_DEFRAG_HELD, 0 },
					  { 24, 24, false, VP_DEFRAG_COMPLETE, 0 } }, 3, true },
	{ "v4 too large dead", false, 40, { { 0, 24, true, VP_DEFRAG_HELD, 0 },
					    { 65512, 16, false, VP_DEFRAG_TOO_LARGE, 0 },
					    { 24, 24, false, VP_DEFRAG_TOO_LARGE, 0 } }, 3, false },
};
/* clang-format on */

START_TEST(test_script)
{
	struct h *h = h_new(NULL);
	uint8_t junk[65536];
	const struct step *s;
	unsigned i;
	int r;

	memset(junk, 0xee, sizeof(junk));
	dg_build(&h->g, script_cases[_i].v6, false, script_cases[_i].plen, 9);
	for (i = 0; i < script_cases[_i].n; i++) {
		s = &script_cases[_i].s[i];
		frag_make(&h->g, &h->f, s->off, s->len, s->mf, s->flags & D_DIFF ? junk : NULL);
		if (s->off + s->len > dg_dlen(&h->g) && !(s->flags & D_DIFF))
			frag_make(&h->g, &h->f, s->off, s->len, s->mf, junk);
		r = feed_frag(h);
		ck_assert_msg(r == s->want, "%s step %u: got %s want %s", script_cases[_i].name, i,
			      vp_defrag_result_str(r), vp_defrag_result_str(s->want));
	}
	if (script_cases[_i].rebuilt)
		check_rebuilt(h);
	else
		ck_assert_ptr_null(h->out);
	h_free(h);
}
END_TEST

/* ---- the rest ---- */

START_TEST(test_not_fragment)
{
	struct h *h = h_new(NULL);
	struct vp_packet p;
	const uint8_t *out = NULL;
	size_t outlen = 0;

	dg_build(&h->g, _i, false, 50, 1);
	ck_assert_int_eq(vp_decode_packet(&p, h->g.whole, h->g.whole_len), VP_PARSE_OK);
	ck_assert_int_eq(vp_defrag_packet(h->d, &p, &out, &outlen), VP_DEFRAG_NOT_FRAGMENT);
	frag_make(&h->g, &h->f, 0, dg_dlen(&h->g), false, NULL); /* atomic / offset 0 no MF */
	ck_assert_int_eq(vp_decode_packet(&p, h->f.b, h->f.len), VP_PARSE_OK);
	ck_assert_int_eq(vp_defrag_packet(h->d, &p, &out, &outlen), VP_DEFRAG_NOT_FRAGMENT);
	memset(&p, 0, sizeof(p)); /* no valid IP */
	ck_assert_int_eq(vp_defrag_packet(h->d, &p, &out, &outlen), VP_DEFRAG_NOT_FRAGMENT);
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(vp_defrag_stats(h->d)->fragments, 0);
	h_free(h);
}
END_TEST

START_TEST(test_timeout)
{
	struct h *h = h_new(NULL);
	long life = _i ? 60 : 30;

	dg_build(&h->g, _i, false, 100, 1);
	ck_assert_int_eq(feed(h, 0, 56, true), VP_DEFRAG_HELD);
	h->now_s += life; /* exactly the lifetime: still alive */
	ck_assert_int_eq(feed(h, 56, 24, true), VP_DEFRAG_HELD);
	ck_assert_uint_eq(vp_defrag_stats(h->d)->timeouts, 0);
	h->now_s += 1; /* the missing piece came too late */
	ck_assert_int_eq(feed(h, 80, 28, false), VP_DEFRAG_HELD);
	ck_assert_uint_eq(vp_defrag_stats(h->d)->timeouts, 1);
	ck_assert_uint_eq(vp_defrag_stats(h->d)->in_progress, 1);
	vp_defrag_flush(h->d);
	ck_assert_uint_eq(vp_defrag_stats(h->d)->timeouts, 2);
	ck_assert_uint_eq(vp_defrag_stats(h->d)->in_progress, 0);
	ck_assert_uint_eq(vp_defrag_stats(h->d)->bytes_held, 0);
	/* explicit expiry, and a timestamp going backwards expires nothing */
	ck_assert_int_eq(feed(h, 0, 56, true), VP_DEFRAG_HELD);
	h->now_s -= 100;
	ck_assert_int_eq(feed(h, 56, 24, true), VP_DEFRAG_HELD);
	vp_defrag_expire(h->d, &(struct timeval){.tv_sec = h->now_s + 100 + life + 1});
	ck_assert_uint_eq(vp_defrag_stats(h->d)->timeouts, 3);
	ck_assert_uint_eq(vp_defrag_stats(h->d)->in_progress, 0);
	h_free(h);
}
END_TEST

START_TEST(test_memcap)
{
	struct vp_defrag_limits l = {.max_datagrams = 2, .memcap = 2 * VP_DEFRAG_CHUNK};
	struct h *h = h_new(&l);

	dg_build(&h->g, _i, false, 4000, 1);
	ck_assert_int_eq(feed(h, 0, 1024, true), VP_DEFRAG_HELD);
	ck_assert_int_eq(feed(h, 1024, 1024, true), VP_DEFRAG_HELD);
	ck_assert_int_eq(feed(h, 2048, 8, true), VP_DEFRAG_MEMCAP);
	ck_assert_int_eq(feed(h, 3000, 1008, false), VP_DEFRAG_MEMCAP);
	ck_assert_uint_eq(vp_defrag_stats(h->d)->memcap, 2);
	ck_assert_uint_eq(vp_defrag_stats(h->d)->bytes_held, 2 * VP_DEFRAG_CHUNK);
	vp_defrag_flush(h->d);
	/* a refused last fragment did not set the length: the datagram still completes */
	dg_build(&h->g, _i, false, 1000, 2);
	ck_assert_int_eq(feed(h, 0, 512, true), VP_DEFRAG_HELD);
	ck_assert_int_eq(feed(h, 512, 496, false), VP_DEFRAG_COMPLETE);
	check_rebuilt(h);
	/* context pool: two datagrams in progress, a third is refused */
	ck_assert_int_eq(feed(h, 0, 8, true), VP_DEFRAG_HELD);
	h->g.id++;
	ck_assert_int_eq(feed(h, 0, 8, true), VP_DEFRAG_HELD);
	h->g.id++;
	ck_assert_int_eq(feed(h, 0, 8, true), VP_DEFRAG_MEMCAP);
	ck_assert_uint_eq(vp_defrag_stats(h->d)->in_progress, 2);
	h_free(h);
}
END_TEST

/* 256 separate runs fill a context's run table; the next separate one is refused. */
START_TEST(test_runs_limit)
{
	struct h *h = h_new(NULL);
	unsigned i;

	dg_build(&h->g, _i, false, 8000, 1);
	for (i = 0; i < VP_DEFRAG_MAX_RUNS; i++)
		ck_assert_int_eq(feed(h, 8000 - 16 * i, 8, true), VP_DEFRAG_HELD);
	ck_assert_int_eq(feed(h, 8, 8, true), VP_DEFRAG_MEMCAP);
	ck_assert_int_eq(feed(h, 8008, 8, true), VP_DEFRAG_HELD); /* extends the tail run */
	h_free(h);
}
END_TEST

START_TEST(test_tiny_first)
{
	struct h *h = h_new(NULL);

	dg_build(&h->g, _i, false, 100, 1);
	ck_assert_int_eq(feed(h, 0, 8, true), VP_DEFRAG_HELD);
	ck_assert_uint_eq(vp_defrag_stats(h->d)->tiny_first, 0); /* UDP header is 8 */
	vp_defrag_flush(h->d);
	h->g.whole[_i ? 6 : 9] = 6; /* claim TCP: 8 bytes is now a tiny first fragment */
	ck_assert_int_eq(feed(h, 0, 8, true), _i ? VP_DEFRAG_INVALID : VP_DEFRAG_HELD);
	ck_assert_uint_eq(vp_defrag_stats(h->d)->tiny_first, 1);
	h_free(h);
}
END_TEST

/* Every fragment fits with a 20-byte header, but the offset-0 one has 40 bytes of options. */
START_TEST(test_v4_oversize_at_end)
{
	struct h *h = h_new(NULL);
	uint8_t *b = h->f.b;

	dg_build(&h->g, false, false, 65504, 1); /* data 65512: 20 + 65512 = 65532 */
	memcpy(b, h->g.whole, 20);
	b[0] = 0x4f;
	memset(b + 20, 1, 40); /* NOP options */
	memcpy(b + 60, h->g.whole + 20, 65472);
	h->f.len = 60 + 65472;
	wr16(b + 2, (uint32_t)h->f.len);
	wr16(b + 6, 0x2000);
	wr16(b + 10, 0);
	wr16(b + 10, fold(sum16(0, b, 60)));
	ck_assert_int_eq(feed_frag(h), VP_DEFRAG_HELD);
	ck_assert_int_eq(feed(h, 65472, 40, false), VP_DEFRAG_TOO_LARGE);
	ck_assert_uint_eq(vp_defrag_stats(h->d)->too_large, 1);
	ck_assert_uint_eq(vp_defrag_stats(h->d)->in_progress, 0);
	h_free(h);
}
END_TEST

static Suite *defrag_suite(void)
{
	Suite *s = suite_create("defrag");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_split, 0, sizeof(split_cases) / sizeof(split_cases[0]));
	tcase_add_loop_test(tc, test_script, 0, sizeof(script_cases) / sizeof(script_cases[0]));
	tcase_add_loop_test(tc, test_not_fragment, 0, 2);
	tcase_add_loop_test(tc, test_timeout, 0, 2);
	tcase_add_loop_test(tc, test_memcap, 0, 2);
	tcase_add_loop_test(tc, test_runs_limit, 0, 2);
	tcase_add_loop_test(tc, test_tiny_first, 0, 2);
	tcase_add_test(tc, test_v4_oversize_at_end);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(defrag_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
