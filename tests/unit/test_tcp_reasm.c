/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of inspect/tcp_reasm: ordering, overlaps (retransmission and
 * conflict in every geometry, in-order and queued, prevent and detect
 * policies), sequence wraparound, SYN data, RST, FIN, windows, urgent data,
 * midstream pickup, gaps, limits, memcap, the inspection window and depth,
 * and a 10 MB stream with random segmentation, reordering and duplicates.
 *
 * Every delivery goes through feed(), which checks that its new bytes follow
 * the ones delivered before and that its window bytes are exactly the tail of
 * what was delivered, and collects the stream per direction.
 */
#include "vp_build.h"

#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/tcp_reasm.h"

#define CISN 1000u
#define SISN 5000u
#define ACKW (VP_TCP_ACK)

struct h {
	struct vp_tcp_reasm *r;
	struct vp_tcp_session s;
	struct vp_tcp_delivery d; /* last delivery */
	uint8_t *got[2];	  /* delivered stream per direction, by offset */
	size_t got_len[2], cap;
	unsigned deliveries[2];
	uint8_t wscale; /* window scale option put in SYNs, 0xff = none */
};

static struct h *h_new_lim(const struct vp_tcp_reasm_limits *l, size_t cap)
{
	struct h *h = calloc(1, sizeof(*h));

	ck_assert_ptr_nonnull(h);
	h->r = vp_tcp_reasm_new(l);
	ck_assert_ptr_nonnull(h->r);
	vp_tcp_reasm_session_init(&h->s);
	h->cap = cap;
	h->got[0] = calloc(1, cap);
	h->got[1] = calloc(1, cap);
	ck_assert(h->got[0] && h->got[1]);
	h->wscale = 0xff;
	return h;
}

static struct h *h_new(bool conflict_drop)
{
	struct vp_tcp_reasm_limits l;

	vp_tcp_reasm_limits_default(&l);
	l.conflict_drop = conflict_drop;
	return h_new_lim(&l, 1 << 16);
}

static void h_free(struct h *h)
{
	struct vp_tcp_reasm_stats st;

	vp_tcp_reasm_session_release(h->r, &h->s);
	vp_tcp_reasm_stats(h->r, &st);
	ck_assert_uint_eq(st.chunks_used, 0); /* release gives everything back */
	ck_assert_uint_eq(st.descs_used, 0);
	vp_tcp_reasm_free(h->r);
	free(h->got[0]);
	free(h->got[1]);
	free(h);
}

/* Checks and collects delivery <d> of direction <dir>. */
static void collect(struct h *h, int dir, const struct vp_tcp_delivery *d)
{
	size_t n = d->len - d->new_off, at = (size_t)d->stream_off + d->new_off;

	ck_assert_uint_le(d->new_off, d->len);
	if (!n)
		return;
	ck_assert_ptr_nonnull(d->data);
	if (d->flags & VP_REASM_F_GAP) {
		ck_assert_uint_ge(at, h->got_len[dir]);
		ck_assert_uint_eq(d->new_off, 0);
	} else {
		ck_assert_uint_eq(at, h->got_len[dir]);
	}
	ck_assert_uint_le(d->new_off, d->stream_off + d->new_off);
	ck_assert_mem_eq(d->data, h->got[dir] + d->stream_off, d->new_off);
	ck_assert_uint_le(at + n, h->cap);
	memcpy(h->got[dir] + at, d->data + d->new_off, n);
	h->got_len[dir] = at + n;
	h->deliveries[dir]++;
}

static int feed_opt(struct h *h, bool to_server, uint32_t seq, uint32_t ack, uint8_t flags,
		    uint16_t win, const void *data, size_t len, bool wscale_opt)
{
	uint8_t l4[24] = {0};
	struct vp_packet p = {
	    .proto = IPPROTO_TCP,
	    .tcp_seq = seq,
	    .tcp_ack = ack,
	    .tcp_flags = flags,
	    .tcp_win = win,
	    .payload = {.ptr = data, .len = len},
	    .l4 = {.ptr = l4, .len = 20},
	};
	int ret;

	l4[12] = 5 << 4;
	l4[13] = flags;
	if (wscale_opt) {
		l4[12] = 6 << 4;
		l4[20] = 1; /* NOP */
		l4[21] = 3; /* window scale */
		l4[22] = 3;
		l4[23] = h->wscale;
		p.l4.len = 24;
	}
	ret = vp_tcp_reasm_packet(h->r, &h->s, &p, to_server, &h->d);
	ck_assert_int_ge(ret, VP_REASM_MEMCAP);
	ck_assert_int_le(ret, VP_REASM_OK);
	collect(h, to_server ? 0 : 1, &h->d);
	if (ret == VP_REASM_OK)
		ck_assert_uint_gt(h->d.len, h->d.new_off);
	return ret;
}

static int feed(struct h *h, bool to_server, uint32_t seq, uint32_t ack, uint8_t flags,
		uint16_t win, const void *data, size_t len)
{
	return feed_opt(h, to_server, seq, ack, flags, win, data, len, false);
}

/* Client bytes at stream offset <off>. */
static int cdata(struct h *h, uint32_t off, const void *data, size_t len)
{
	return feed(h, true, CISN + 1 + off, SISN + 1, ACKW | VP_TCP_PSH, 65535, data, len);
}

/* Three-way handshake, then a server ACK opening a large window. */
static void handshake(struct h *h, uint32_t cisn, uint32_t sisn)
{
	bool ws = h->wscale != 0xff;

	ck_assert_int_eq(feed_opt(h, true, cisn, 0, VP_TCP_SYN, 65535, NULL, 0, ws),
			 VP_REASM_IGNORED);
	ck_assert_int_eq(feed_opt(h, false, sisn, cisn + 1, VP_TCP_SYN | ACKW, 65535, NULL, 0, ws),
			 VP_REASM_IGNORED);
	ck_assert_int_eq(feed(h, true, cisn + 1, sisn + 1, ACKW, 65535, NULL, 0), VP_REASM_IGNORED);
	ck_assert_int_eq(feed(h, false, sisn + 1, cisn + 1, ACKW, 65535, NULL, 0),
			 VP_REASM_IGNORED);
}

static const char msg[] = "GET /cgi-bin/.%2e/.%2e/.%2e/etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n";
#define MSG_LEN (sizeof(msg) - 1)

START_TEST(test_in_order)
{
	struct h *h = h_new(true);

	handshake(h, CISN, SISN);
	ck_assert_int_eq(cdata(h, 0, msg, 10), VP_REASM_OK);
	ck_assert_uint_eq(h->d.new_off, 0);
	ck_assert_uint_eq(h->d.len, 10);
	ck_assert_int_eq(cdata(h, 10, msg + 10, MSG_LEN - 10), VP_REASM_OK);
	ck_assert_uint_eq(h->d.new_off, 10); /* window: the first 10 bytes */
	ck_assert_uint_eq(h->d.stream_off, 0);
	ck_assert_mem_eq(h->d.data, msg, MSG_LEN); /* one contiguous slice */
	ck_assert_uint_eq(h->got_len[0], MSG_LEN);
	ck_assert_int_eq(cdata(h, 0, msg, 10), VP_REASM_RETRANS);
	ck_assert(h->d.flags & VP_REASM_F_OVERLAP);
	ck_assert_uint_eq(h->d.len, 0);
	ck_assert_int_eq(feed(h, false, SISN + 1, CISN + 1 + MSG_LEN, ACKW, 100, "HTTP/1.1", 8),
			 VP_REASM_OK);
	ck_assert_mem_eq(h->got[1], "HTTP/1.1", 8);
	h_free(h);
}
END_TEST

/* Every order of 4 segments (cuts at 7, 20, 33) delivers the message once. */
static const uint32_t cuts4[5] = {0, 7, 20, 33, MSG_LEN};

static void perm_of(unsigned code, unsigned n, unsigned *out)
{
	unsigned avail[8], i, j;

	for (i = 0; i < n; i++)
		avail[i] = i;
	for (i = 0; i < n; i++) {
		unsigned f = 1, k;

		for (j = 2; j < n - i; j++)
			f *= j;
		k = code / f;
		code %= f;
		out[i] = avail[k];
		for (j = k; j + 1 < n - i; j++)
			avail[j] = avail[j + 1];
	}
}

START_TEST(test_permutations4)
{
	struct h *h = h_new(true);
	unsigned order[4], i, found = 0;
	int ret;

	perm_of((unsigned)_i, 4, order);
	handshake(h, CISN, SISN);
	for (i = 0; i < 4; i++) {
		unsigned k = order[i];

		ret = cdata(h, cuts4[k], msg + cuts4[k], cuts4[k + 1] - cuts4[k]);
		ck_assert(ret == VP_REASM_OK || ret == VP_REASM_BUFFERED);
		ck_assert_int_eq(ret == VP_REASM_OK, h->got_len[0] > 0 && h->d.len > 0);
		if (h->d.len && memmem(h->d.data, h->d.len, "/etc/passwd", 11))
			found++;
	}
	ck_assert_uint_eq(h->got_len[0], MSG_LEN);
	ck_assert_mem_eq(h->got[0], msg, MSG_LEN);
	ck_assert_uint_ge(found, 1); /* the signature is seen on the completing packet */
	/* every segment again, in the same order: all retransmissions */
	for (i = 0; i < 4; i++) {
		unsigned k = order[i];

		ck_assert_int_eq(cdata(h, cuts4[k], msg + cuts4[k], cuts4[k + 1] - cuts4[k]),
				 VP_REASM_RETRANS);
	}
	ck_assert_uint_eq(h->got_len[0], MSG_LEN);
	h_free(h);
}
END_TEST

/* Every order of 3 overlapping segments (same bytes) delivers the message once. */
static const uint32_t ovl3[3][2] = {{0, 25}, {15, 45}, {40, MSG_LEN}};

START_TEST(test_permutations3_overlapping)
{
	struct h *h = h_new(true);
	unsigned order[3], i;
	int ret;

	perm_of((unsigned)_i, 3, order);
	handshake(h, CISN, SISN);
	for (i = 0; i < 3; i++) {
		unsigned k = order[i];

		ret = cdata(h, ovl3[k][0], msg + ovl3[k][0], ovl3[k][1] - ovl3[k][0]);
		ck_assert(ret == VP_REASM_OK || ret == VP_REASM_BUFFERED);
		ck_assert(!(h->d.flags & VP_REASM_F_CONFLICT));
	}
	ck_assert_uint_eq(h->got_len[0], MSG_LEN);
	ck_assert_mem_eq(h->got[0], msg, MSG_LEN);
	h_free(h);
}
END_TEST

START_TEST(test_one_byte_segments)
{
	struct h *h = h_new(true);
	struct vp_tcp_reasm_stats st;
	size_t i;

	handshake(h, CISN, SISN);
	/* reverse order: all queued until byte 0 arrives, which delivers everything */
	for (i = MSG_LEN; i-- > 1;)
		ck_assert_int_eq(cdata(h, (uint32_t)i, msg + i, 1), VP_REASM_BUFFERED);
	ck_assert_uint_eq(h->got_len[0], 0);
	ck_assert_int_eq(cdata(h, 0, msg, 1), VP_REASM_OK);
	ck_assert_uint_eq(h->d.len, MSG_LEN);
	ck_assert_mem_eq(h->got[0], msg, MSG_LEN);
	vp_tcp_reasm_stats(h->r, &st);
	ck_assert_uint_eq(st.descs_used, 0);
	/* in order, one byte at a time, in the other direction */
	for (i = 0; i < MSG_LEN; i++) {
		ck_assert_int_eq(feed(h, false, SISN + 1 + (uint32_t)i, CISN + 1 + MSG_LEN, ACKW,
				      65535, msg + i, 1),
				 VP_REASM_OK);
		ck_assert_uint_eq(h->d.len - h->d.new_off, 1);
	}
	ck_assert_mem_eq(h->got[1], msg, MSG_LEN);
	h_free(h);
}
END_TEST

/*
 * Overlap geometry.  Stream M = 32 known bytes; "alt" = the same bytes with
 * bit 5 flipped.  [0, 8) is delivered first, then <pre> (in order when it
 * starts at 8, else queued), then the test segment, then every offset again as
 * a 1-byte M segment to fill the holes.  Expected: the result of the test
 * segment in prevent (conflict_drop) and detect mode, and which range of the
 * final stream holds alt bytes in each mode.
 */
struct ovl_case {
	const char *name;
	uint32_t pre_lo, pre_hi;
	uint32_t lo, hi;
	bool alt;
	int want_prevent, want_detect;
	uint32_t alt_prevent[2], alt_detect[2];
};

static const char M[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

#define RT VP_REASM_RETRANS
#define CF VP_REASM_CONFLICT
#define BF VP_REASM_BUFFERED
#define OK VP_REASM_OK

/* clang-format off */
static const struct ovl_case ovl_cases[] = {
	/* against in-order (delivered) data [0, 16) */
	{ "old inside same",            8, 16,  4, 12, false, RT, RT, { 0, 0 },   { 0, 0 } },
	{ "old inside diff",            8, 16,  4, 12, true,  CF, CF, { 0, 0 },   { 0, 0 } },
	{ "old exact diff",             8, 16,  8, 16, true,  CF, CF, { 0, 0 },   { 0, 0 } },
	{ "straddle same",              8, 16, 12, 20, false, OK, OK, { 0, 0 },   { 0, 0 } },
	{ "straddle diff",              8, 16, 12, 20, true,  CF, CF, { 0, 0 },   { 16, 20 } },
	{ "cover diff",                 8, 16,  0, 24, true,  CF, CF, { 0, 0 },   { 16, 24 } },
	/* against queued data [16, 24), hole [8, 16) */
	{ "q inside same",             16, 24, 18, 22, false, RT, RT, { 0, 0 },   { 0, 0 } },
	{ "q inside diff",             16, 24, 18, 22, true,  CF, CF, { 0, 0 },   { 0, 0 } },
	{ "q exact same",              16, 24, 16, 24, false, RT, RT, { 0, 0 },   { 0, 0 } },
	{ "q exact diff",              16, 24, 16, 24, true,  CF, CF, { 0, 0 },   { 0, 0 } },
	{ "q same start longer same",  16, 24, 16, 28, false, BF, BF, { 0, 0 },   { 0, 0 } },
	{ "q same start longer diff",  16, 24, 16, 28, true,  CF, CF, { 0, 0 },   { 16, 28 } },
	{ "q same start shorter diff", 16, 24, 16, 20, true,  CF, CF, { 0, 0 },   { 0, 0 } },
	{ "q covering same",           16, 24, 12, 28, false, BF, BF, { 0, 0 },   { 0, 0 } },
	{ "q covering diff",           16, 24, 12, 28, true,  CF, CF, { 0, 0 },   { 12, 28 } },
	{ "q before diff",             16, 24, 12, 20, true,  CF, CF, { 0, 0 },   { 12, 20 } },
	{ "q after same",              16, 24, 20, 28, false, BF, BF, { 0, 0 },   { 0, 0 } },
	{ "q after diff",              16, 24, 20, 28, true,  CF, CF, { 0, 0 },   { 24, 28 } },
	{ "q adjacent diff",           16, 24, 24, 28, true,  BF, BF, { 24, 28 }, { 24, 28 } },
	{ "q in-order straddle diff",  16, 24,  6, 20, true,  CF, CF, { 0, 0 },   { 8, 20 } },
	{ "q in-order fill into diff", 16, 24,  8, 20, true,  CF, CF, { 0, 0 },   { 8, 20 } },
	{ "q in-order fill exact diff", 16, 24, 8, 16, true,  OK, OK, { 8, 16 },  { 8, 16 } },
	{ "q in-order cover same",     16, 24,  8, 28, false, OK, OK, { 0, 0 },   { 0, 0 } },
};
/* clang-format on */

static void ovl_run(const struct ovl_case *c, bool prevent)
{
	struct h *h = h_new(prevent);
	const uint32_t *alt_rng = prevent ? c->alt_prevent : c->alt_detect;
	uint8_t seg[32], want[32];
	uint32_t i;
	int ret;

	handshake(h, CISN, SISN);
	ck_assert_int_eq(cdata(h, 0, M, 8), VP_REASM_OK);
	ret = cdata(h, c->pre_lo, M + c->pre_lo, c->pre_hi - c->pre_lo);
	ck_assert_int_eq(ret, c->pre_lo == 8 ? VP_REASM_OK : VP_REASM_BUFFERED);
	for (i = c->lo; i < c->hi; i++)
		seg[i - c->lo] = (uint8_t)(M[i] ^ (c->alt ? 0x20 : 0));
	ret = cdata(h, c->lo, seg, c->hi - c->lo);
	ck_assert_msg(ret == (prevent ? c->want_prevent : c->want_detect), "%s (%s): got %d",
		      c->name, prevent ? "prevent" : "detect", ret);
	ck_assert_int_eq(!!(h->d.flags & VP_REASM_F_CONFLICT), ret == VP_REASM_CONFLICT);
	if (ret == VP_REASM_CONFLICT && prevent)
		ck_assert_uint_eq(h->d.len, 0); /* not applied */
	for (i = 0; i < 32; i++)
		cdata(h, i, M + i, 1);
	for (i = 0; i < 32; i++)
		want[i] = (uint8_t)(M[i] ^ ((i >= alt_rng[0] && i < alt_rng[1]) ? 0x20 : 0));
	ck_assert_uint_eq(h->got_len[0], 32);
	ck_assert_msg(!memcmp(h->got[0], want, 32), "%s (%s): stream %.32s", c->name,
		      prevent ? "prevent" : "detect", h->got[0]);
	h_free(h);
}

START_TEST(test_overlap_prevent)
{
	ovl_run(&ovl_cases[_i], true);
}
END_TEST

START_TEST(test_overlap_detect)
{
	ovl_run(&ovl_cases[_i], false);
}
END_TEST

/* A segment compared with several queued segments that overlap one another. */
START_TEST(test_overlap_multi)
{
	struct h *h = h_new(true);
	uint8_t buf[40];
	int i;

	handshake(h, CISN, SISN);
	ck_assert_int_eq(cdata(h, 1030, msg + 30, 10), VP_REASM_BUFFERED);
	ck_assert_int_eq(cdata(h, 1015, msg + 15, 15), VP_REASM_BUFFERED);
	ck_assert_int_eq(cdata(h, 1010, msg + 10, 10), VP_REASM_BUFFERED);
	ck_assert_int_eq(cdata(h, 1025, msg + 25, 20), VP_REASM_BUFFERED); /* across chunks */
	/* covered, but kept as a segment: starts in a chunk before the previous one's end */
	ck_assert_int_eq(cdata(h, 1020, msg + 20, 15), VP_REASM_RETRANS);
	for (i = 11; i < 40; i += 3)
		ck_assert_int_eq(cdata(h, 1000 + (uint32_t)i, msg + i, 2), VP_REASM_RETRANS);
	ck_assert_int_eq(cdata(h, 1012, msg + 12, 26), VP_REASM_RETRANS);
	ck_assert(h->d.flags & VP_REASM_F_OVERLAP);
	memcpy(buf, msg + 12, 26);
	buf[25] ^= 1; /* only the last byte differs */
	ck_assert_int_eq(cdata(h, 1012, buf, 26), VP_REASM_CONFLICT);
	ck_assert_int_eq(cdata(h, 1005, msg + 5, 40), VP_REASM_BUFFERED);
	ck_assert_int_eq(cdata(h, 0, "x", 1), VP_REASM_OK);
	h_free(h);
}
END_TEST

START_TEST(test_wraparound)
{
	struct h *h = h_new(true);
	static const uint32_t isns[] = {0xfffffff0u, 0xffffffffu, 0x7ffffff8u};
	uint32_t cisn = isns[_i];

	handshake(h, cisn, SISN);
	/* four segments across 2^32 (and 2^31), out of order */
	ck_assert_int_eq(feed(h, true, cisn + 1 + 40, SISN + 1, ACKW, 9, msg + 40, MSG_LEN - 40),
			 VP_REASM_BUFFERED);
	ck_assert_int_eq(feed(h, true, cisn + 1 + 10, SISN + 1, ACKW, 9, msg + 10, 20),
			 VP_REASM_BUFFERED);
	ck_assert_int_eq(feed(h, true, cisn + 1, SISN + 1, ACKW, 9, msg, 10), VP_REASM_OK);
	ck_assert_uint_eq(h->got_len[0], 30);
	ck_assert_int_eq(feed(h, true, cisn + 1 + 30, SISN + 1, ACKW, 9, msg + 30, 10),
			 VP_REASM_OK);
	ck_assert_uint_eq(h->got_len[0], MSG_LEN);
	ck_assert_mem_eq(h->got[0], msg, MSG_LEN);
	/* an old segment from before the wrap */
	ck_assert_int_eq(feed(h, true, cisn + 1, SISN + 1, ACKW, 9, msg, 5), VP_REASM_RETRANS);
	h_free(h);
}
END_TEST

START_TEST(test_syn_data)
{
	struct h *h = h_new(true);

	ck_assert_int_eq(feed(h, true, CISN, 0, VP_TCP_SYN, 65535, "GET /", 5), VP_REASM_OK);
	ck_assert(h->d.flags & VP_REASM_F_SYN_DATA);
	ck_assert_uint_eq(h->d.stream_off, 0); /* data counts from ISN + 1 */
	ck_assert_mem_eq(h->got[0], "GET /", 5);
	/* SYN-ACK acknowledging only the SYN (no TCP Fast Open): the client resends */
	feed(h, false, SISN, CISN + 1, VP_TCP_SYN | ACKW, 65535, NULL, 0);
	ck_assert_int_eq(cdata(h, 0, "GET /x", 6), VP_REASM_OK);
	ck_assert(h->d.flags & VP_REASM_F_OVERLAP);
	ck_assert_mem_eq(h->got[0], "GET /x", 6);
	/* a retransmitted SYN is fine, a SYN with another ISN is not */
	ck_assert_int_eq(feed(h, true, CISN, 0, VP_TCP_SYN, 65535, "GET /", 5), VP_REASM_RETRANS);
	ck_assert_int_eq(feed(h, true, CISN + 77, 0, VP_TCP_SYN, 65535, "EVIL", 4),
			 VP_REASM_IGNORED);
	ck_assert(h->d.flags & VP_REASM_F_BAD_SYN);
	/* resent SYN data that differs is a conflict */
	ck_assert_int_eq(feed(h, true, CISN, 0, VP_TCP_SYN, 65535, "PUT /", 5), VP_REASM_CONFLICT);
	h_free(h);
}
END_TEST

START_TEST(test_rst)
{
	struct h *h = h_new(true);

	handshake(h, CISN, SISN);
	ck_assert_int_eq(cdata(h, 0, msg, 10), VP_REASM_OK);
	/* RST inside the window but not exactly at the next byte: ignored (RFC 5961) */
	ck_assert_int_eq(feed(h, true, CISN + 1 + 100, 0, VP_TCP_RST, 0, NULL, 0),
			 VP_REASM_IGNORED);
	ck_assert(h->d.flags & VP_REASM_F_RST_INVALID);
	ck_assert(!vp_tcp_reasm_session_done(&h->s));
	ck_assert_int_eq(cdata(h, 10, msg + 10, 10), VP_REASM_OK);
	/* exact RST from the client */
	ck_assert_int_eq(feed(h, true, CISN + 1 + 20, 0, VP_TCP_RST, 0, NULL, 0), VP_REASM_IGNORED);
	ck_assert(h->d.flags & VP_REASM_F_RST);
	ck_assert(vp_tcp_reasm_session_done(&h->s));
	ck_assert_int_eq(cdata(h, 20, msg + 20, 10), VP_REASM_IGNORED);
	ck_assert(h->d.flags & VP_REASM_F_AFTER_RST);
	ck_assert_int_eq(feed(h, false, SISN + 1, CISN + 21, ACKW, 10, "x", 1), VP_REASM_IGNORED);
	ck_assert(h->d.flags & VP_REASM_F_AFTER_RST);
	ck_assert_uint_eq(h->got_len[0], 20);
	h_free(h);
}
END_TEST

START_TEST(test_rst_reply_to_syn)
{
	struct h *h = h_new(true);

	feed(h, true, CISN, 0, VP_TCP_SYN, 65535, NULL, 0);
	/* closed port: RST/ACK acknowledging the SYN, the server's ISN unknown */
	ck_assert_int_eq(feed(h, false, 0, CISN + 1, VP_TCP_RST | ACKW, 0, NULL, 0),
			 VP_REASM_IGNORED);
	ck_assert(h->d.flags & VP_REASM_F_RST);
	h_free(h);
}
END_TEST

START_TEST(test_fin)
{
	struct h *h = h_new(true);

	handshake(h, CISN, SISN);
	ck_assert_int_eq(feed(h, true, CISN + 1, SISN + 1, ACKW | VP_TCP_FIN, 9, msg, 10),
			 VP_REASM_OK);
	ck_assert(h->d.flags & VP_REASM_F_FIN);
	ck_assert_int_eq(cdata(h, 10, msg + 10, 10), VP_REASM_IGNORED);
	ck_assert(h->d.flags & VP_REASM_F_AFTER_FIN);
	ck_assert_int_eq(cdata(h, 5, msg + 5, 10), VP_REASM_RETRANS); /* old part compared */
	ck_assert(h->d.flags & VP_REASM_F_AFTER_FIN);
	ck_assert_int_eq(cdata(h, 5, "xxxxx", 5), VP_REASM_CONFLICT);
	ck_assert_uint_eq(h->got_len[0], 10);
	ck_assert(!vp_tcp_reasm_session_done(&h->s));
	/* server: queued FIN with data, data beyond it, then the gap is filled */
	ck_assert_int_eq(
	    feed(h, false, SISN + 1 + 10, CISN + 12, ACKW | VP_TCP_FIN, 9, "0123456789", 10),
	    VP_REASM_BUFFERED);
	ck_assert_int_eq(feed(h, false, SISN + 1 + 20, CISN + 12, ACKW, 9, "beyond", 6),
			 VP_REASM_BUFFERED);
	ck_assert_int_eq(feed(h, false, SISN + 1, CISN + 12, ACKW, 9, "abcdefghij", 10),
			 VP_REASM_OK);
	ck_assert(h->d.flags & VP_REASM_F_FIN);
	ck_assert_uint_eq(h->got_len[1], 20); /* "beyond" was dropped with the FIN */
	ck_assert_mem_eq(h->got[1], "abcdefghij0123456789", 20);
	ck_assert(vp_tcp_reasm_session_done(&h->s));
	h_free(h);
}
END_TEST

/* A queued FIN segment that an in-order segment runs past is dropped, as Linux does. */
START_TEST(test_fin_overtaken)
{
	struct h *h = h_new(true);

	handshake(h, CISN, SISN);
	ck_assert_int_eq(feed(h, true, CISN + 1 + 10, SISN + 1, ACKW | VP_TCP_FIN, 9, msg + 10, 10),
			 VP_REASM_BUFFERED);
	ck_assert_int_eq(cdata(h, 0, msg, 30), VP_REASM_OK);
	ck_assert(!(h->d.flags & VP_REASM_F_FIN));
	ck_assert_int_eq(cdata(h, 30, msg + 30, 10), VP_REASM_OK);
	ck_assert_uint_eq(h->got_len[0], 40);
	ck_assert(!vp_tcp_reasm_session_done(&h->s));
	h_free(h);
}
END_TEST

START_TEST(test_bare_fin_queued)
{
	struct h *h = h_new(true);

	handshake(h, CISN, SISN);
	ck_assert_int_eq(feed(h, true, CISN + 1 + 10, SISN + 1, ACKW | VP_TCP_FIN, 9, NULL, 0),
			 VP_REASM_IGNORED);
	ck_assert_int_eq(feed(h, true, CISN + 1 + 12, SISN + 1, ACKW | VP_TCP_FIN, 9, NULL, 0),
			 VP_REASM_IGNORED);
	ck_assert(h->d.flags & VP_REASM_F_FIN_CONFLICT);
	ck_assert_int_eq(cdata(h, 0, msg, 10), VP_REASM_OK);
	ck_assert(h->d.flags & VP_REASM_F_FIN);
	ck_assert_int_eq(cdata(h, 10, msg + 10, 2), VP_REASM_IGNORED);
	ck_assert(h->d.flags & VP_REASM_F_AFTER_FIN);
	h_free(h);
}
END_TEST

/* Handshake where the server advertises <synwin> (unscaled) then <win>. */
static void handshake_win(struct h *h, uint16_t synwin, uint16_t win)
{
	bool ws = h->wscale != 0xff;

	feed_opt(h, true, CISN, 0, VP_TCP_SYN, 65535, NULL, 0, ws);
	feed_opt(h, false, SISN, CISN + 1, VP_TCP_SYN | ACKW, synwin, NULL, 0, ws);
	feed(h, true, CISN + 1, SISN + 1, ACKW, 65535, NULL, 0);
	feed(h, false, SISN + 1, CISN + 1, ACKW, win, NULL, 0);
}

START_TEST(test_zero_window)
{
	struct h *h = h_new(true);
	struct vp_tcp_reasm_stats st;

	handshake_win(h, 20, 20);
	ck_assert_int_eq(cdata(h, 0, msg, 20), VP_REASM_OK);
	/* the server's buffer is full: ACK 20, window 0 */
	feed(h, false, SISN + 1, CISN + 21, ACKW, 0, NULL, 0);
	/* zero-window probe: Linux drops it */
	ck_assert_int_eq(cdata(h, 20, "X", 1), VP_REASM_IGNORED);
	ck_assert(h->d.flags & VP_REASM_F_WINDOW);
	/* the probe's byte was not taken, so other bytes there later are no conflict */
	feed(h, false, SISN + 1, CISN + 21, ACKW, 5, NULL, 0);
	ck_assert_int_eq(cdata(h, 20, msg + 20, 5), VP_REASM_OK);
	ck_assert(!(h->d.flags & VP_REASM_F_WINDOW));
	/* starts inside, ends beyond: kept, flagged */
	feed(h, false, SISN + 1, CISN + 26, ACKW, 5, NULL, 0);
	ck_assert_int_eq(cdata(h, 25, msg + 25, 10), VP_REASM_OK);
	ck_assert(h->d.flags & VP_REASM_F_WINDOW);
	/* far beyond: dropped even out of order */
	ck_assert_int_eq(cdata(h, 45, msg + 45, 5), VP_REASM_IGNORED);
	vp_tcp_reasm_stats(h->r, &st);
	ck_assert_uint_eq(st.beyond_window, 3);
	ck_assert_uint_eq(h->got_len[0], 35);
	ck_assert_mem_eq(h->got[0], msg, 35);
	h_free(h);
}
END_TEST

START_TEST(test_window_scale)
{
	struct h *h = h_new(true);

	h->wscale = 7;
	handshake_win(h, 1000, 10); /* SYN window unscaled, then 10 << 7 = 1280 */
	ck_assert_int_eq(cdata(h, 1200, msg, 10), VP_REASM_BUFFERED);
	ck_assert(!(h->d.flags & VP_REASM_F_WINDOW));
	ck_assert_int_eq(cdata(h, 1300, msg, 10), VP_REASM_BUFFERED); /* within the slack */
	ck_assert(h->d.flags & VP_REASM_F_WINDOW);
	ck_assert_int_eq(cdata(h, 1500, msg, 10), VP_REASM_IGNORED);
	ck_assert(h->d.flags & VP_REASM_F_WINDOW);
	h_free(h);
}
END_TEST

START_TEST(test_urgent)
{
	struct h *h = h_new(true);

	handshake(h, CISN, SISN);
	ck_assert_int_eq(feed(h, true, CISN + 1, SISN + 1, ACKW | VP_TCP_URG, 9, "GET /a!b", 8),
			 VP_REASM_OK);
	ck_assert(h->d.flags & VP_REASM_F_URGENT);
	ck_assert_mem_eq(h->got[0], "GET /a!b", 8); /* the urgent byte stays inline */
	h_free(h);
}
END_TEST

START_TEST(test_midstream)
{
	struct h *h = h_new(true);

	ck_assert_int_eq(feed(h, true, 7000, 9000, ACKW, 100, "abcdef", 6), VP_REASM_OK);
	ck_assert(h->d.flags & VP_REASM_F_MIDSTREAM);
	ck_assert_int_eq(feed(h, true, 7006, 9000, ACKW, 100, "ghij", 4), VP_REASM_OK);
	ck_assert(!(h->d.flags & VP_REASM_F_MIDSTREAM));
	/* entirely before the base: old, cannot be compared */
	ck_assert_int_eq(feed(h, true, 6990, 9000, ACKW, 100, "0123456789", 10), VP_REASM_RETRANS);
	ck_assert(h->d.flags & VP_REASM_F_UNVERIFIED);
	/* partly before the base: the rest is compared */
	ck_assert_int_eq(feed(h, true, 6995, 9000, ACKW, 100, "01234abcde", 10), VP_REASM_RETRANS);
	ck_assert_int_eq(feed(h, true, 6995, 9000, ACKW, 100, "01234abXde", 10), VP_REASM_CONFLICT);
	/* the server's base came from the client's ACK */
	ck_assert_int_eq(feed(h, false, 9000, 7010, ACKW, 100, "HTTP", 4), VP_REASM_OK);
	ck_assert(h->d.flags & VP_REASM_F_MIDSTREAM);
	ck_assert_uint_eq(h->d.stream_off, 0);
	ck_assert_mem_eq(h->got[0], "abcdefghij", 10);
	h_free(h);
}
END_TEST

START_TEST(test_gap_skip)
{
	struct h *h = h_new(true);

	handshake(h, CISN, SISN);
	ck_assert_int_eq(cdata(h, 0, msg, 10), VP_REASM_OK);
	ck_assert_int_eq(cdata(h, 20, msg + 20, 10), VP_REASM_BUFFERED);
	/* the server acknowledges 30: it got [10, 20), which never passed here */
	feed(h, false, SISN + 1, CISN + 1 + 30, ACKW, 65535, NULL, 0);
	ck_assert_int_eq(cdata(h, 30, msg + 30, 5), VP_REASM_OK);
	ck_assert(h->d.flags & VP_REASM_F_GAP);
	ck_assert_uint_eq(h->d.new_off, 0); /* window reset */
	ck_assert_uint_eq(h->d.stream_off, 20);
	ck_assert_mem_eq(h->d.data, msg + 20, 15);
	/* an ACK beyond anything sent is no evidence of a gap */
	feed(h, false, SISN + 1, CISN + 1 + 500, ACKW, 65535, NULL, 0);
	ck_assert_int_eq(cdata(h, 35, msg + 35, 5), VP_REASM_OK);
	ck_assert(!(h->d.flags & VP_REASM_F_GAP));
	h_free(h);
}
END_TEST

START_TEST(test_limits)
{
	struct vp_tcp_reasm_limits l;
	struct h *h;

	vp_tcp_reasm_limits_default(&l);
	l.ooo_segs = 2;
	l.ooo_bytes = 100;
	l.max_segment = 50;
	h = h_new_lim(&l, 4096);
	handshake(h, CISN, SISN);
	ck_assert_int_eq(cdata(h, 10, msg, 5), VP_REASM_BUFFERED);
	ck_assert_int_eq(cdata(h, 20, msg, 5), VP_REASM_BUFFERED);
	ck_assert_int_eq(cdata(h, 30, msg, 5), VP_REASM_LIMIT);	       /* third segment */
	ck_assert_int_eq(cdata(h, 15, msg + 5, 5), VP_REASM_BUFFERED); /* appended, no new one */
	ck_assert_int_eq(cdata(h, 98, msg, 5), VP_REASM_LIMIT);	       /* ends past ooo_bytes */
	ck_assert_int_eq(cdata(h, 0, msg, 51), VP_REASM_LIMIT);	       /* > max_segment */
	ck_assert_int_eq(cdata(h, 0, msg, 10), VP_REASM_OK);
	ck_assert_uint_eq(h->got_len[0], 25);
	h_free(h);
	l.window = (1u << 20) + 1;
	errno = 0;
	ck_assert_ptr_null(vp_tcp_reasm_new(&l));
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_memcap)
{
	struct vp_tcp_reasm_limits l;
	struct vp_tcp_reasm_stats st;
	struct vp_tcp_session other;
	struct h *h;
	uint8_t buf[1000];
	uint32_t i;
	int ret = 0;

	memset(buf, 'q', sizeof(buf));
	vp_tcp_reasm_limits_default(&l);
	l.memcap = 8 * (VP_TCP_REASM_CHUNK + 64); /* 8 chunks */
	h = h_new_lim(&l, 1 << 16);
	handshake(h, CISN, SISN);
	for (i = 0; i < 20 && ret != VP_REASM_MEMCAP; i++)
		ret = cdata(h, 2000 + i * 2000, buf, 1000);
	ck_assert_int_eq(ret, VP_REASM_MEMCAP);
	vp_tcp_reasm_stats(h->r, &st);
	ck_assert_uint_eq(st.memcap_hits, 1);
	ck_assert_uint_eq(st.chunks_used, st.chunks_total);
	/* another session cannot queue either */
	vp_tcp_reasm_session_init(&other);
	{
		struct vp_tcp_session keep = h->s;

		h->s = other;
		h->got_len[0] = 0;
		handshake(h, CISN, SISN);
		ck_assert_int_eq(cdata(h, 5000, buf, 1000), VP_REASM_MEMCAP);
		/* even in-order bytes need a chunk for the window: fail closed */
		ck_assert_int_eq(cdata(h, 0, buf, 10), VP_REASM_MEMCAP);
		other = h->s;
		h->s = keep;
	}
	/* release the first session: memory is back, the other one recovers */
	vp_tcp_reasm_session_release(h->r, &h->s);
	vp_tcp_reasm_stats(h->r, &st);
	ck_assert_uint_eq(st.chunks_used, 0);
	h->s = other;
	ck_assert_int_eq(cdata(h, 0, buf, 10), VP_REASM_OK);
	ck_assert_int_eq(cdata(h, 5000, buf, 1000), VP_REASM_BUFFERED);
	h_free(h);
}
END_TEST

/* The window slice stays right across chunk boundaries and trimming (checked in collect()). */
static const uint32_t win_sizes[] = {0, 1, 10, 1000, 1024, 3000, 4096, 70000};

START_TEST(test_window_content)
{
	struct vp_tcp_reasm_limits l;
	struct h *h;
	uint8_t *data;
	uint32_t off = 0, seed = 12345, n = 200000;
	size_t maxwin = 0;

	vp_tcp_reasm_limits_default(&l);
	l.window = win_sizes[_i];
	l.depth = 0;
	h = h_new_lim(&l, n);
	h->wscale = 14; /* the stream is larger than an unscaled window */
	data = malloc(n);
	ck_assert_ptr_nonnull(data);
	for (uint32_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		data[i] = (uint8_t)(seed >> 16);
	}
	handshake(h, CISN, SISN);
	while (off < n) {
		uint32_t len;

		seed = seed * 1103515245u + 12345u;
		len = 1 + (seed >> 16) % 3000;
		if (len > n - off)
			len = n - off;
		ck_assert_int_eq(cdata(h, off, data + off, len), VP_REASM_OK);
		ck_assert_uint_eq(h->d.new_off, off < l.window ? off : l.window);
		if (h->d.new_off > maxwin)
			maxwin = h->d.new_off;
		off += len;
	}
	ck_assert_uint_eq(maxwin, l.window < n ? l.window : n);
	ck_assert_mem_eq(h->got[0], data, n);
	free(data);
	h_free(h);
}
END_TEST

START_TEST(test_depth)
{
	struct vp_tcp_reasm_limits l;
	struct vp_tcp_reasm_stats st;
	struct h *h;
	uint8_t buf[30];

	memset(buf, 'd', sizeof(buf));
	vp_tcp_reasm_limits_default(&l);
	l.depth = 100;
	h = h_new_lim(&l, 4096);
	handshake(h, CISN, SISN);
	ck_assert_int_eq(cdata(h, 120, buf, 30), VP_REASM_DEPTH); /* all beyond the depth */
	ck_assert_int_eq(cdata(h, 0, buf, 30), VP_REASM_OK);
	ck_assert_int_eq(cdata(h, 30, buf, 30), VP_REASM_OK);
	ck_assert_int_eq(cdata(h, 60, buf, 30), VP_REASM_OK);
	ck_assert(!(h->d.flags & VP_REASM_F_DEPTH));
	ck_assert_int_eq(cdata(h, 90, buf, 30), VP_REASM_OK);
	ck_assert(h->d.flags & VP_REASM_F_DEPTH);
	ck_assert_uint_eq(h->d.len - h->d.new_off, 10);
	ck_assert_uint_eq(h->got_len[0], 100);
	ck_assert_int_eq(cdata(h, 120, buf, 30), VP_REASM_DEPTH);
	vp_tcp_reasm_stats(h->r, &st);
	ck_assert_uint_eq(st.depth_reached, 1);
	ck_assert_uint_eq(st.chunks_used, 0); /* the stream let its buffers go */
	ck_assert(!vp_tcp_reasm_session_done(&h->s));
	feed(h, false, SISN + 1, CISN + 101, ACKW | VP_TCP_FIN, 9, NULL, 0);
	ck_assert(vp_tcp_reasm_session_done(&h->s));
	h_free(h);
}
END_TEST

START_TEST(test_session_pool)
{
	struct vp_tcp_reasm_limits l;
	struct vp_tcp_reasm *r;
	struct vp_tcp_session *a, *b, *c;
	struct vp_tcp_reasm_stats st;

	vp_tcp_reasm_limits_default(&l);
	l.max_sessions = 2;
	r = vp_tcp_reasm_new(&l);
	ck_assert_ptr_nonnull(r);
	a = vp_tcp_reasm_session_get(r);
	b = vp_tcp_reasm_session_get(r);
	c = vp_tcp_reasm_session_get(r);
	ck_assert(a && b && a != b);
	ck_assert_ptr_null(c);
	vp_tcp_reasm_session_put(r, a);
	c = vp_tcp_reasm_session_get(r);
	ck_assert_ptr_eq(c, a);
	vp_tcp_reasm_stats(r, &st);
	ck_assert_uint_eq(st.sessions_used, 2);
	vp_tcp_reasm_session_put(r, b);
	vp_tcp_reasm_session_put(r, c);
	vp_tcp_reasm_session_put(r, NULL);
	vp_tcp_reasm_stats(r, &st);
	ck_assert_uint_eq(st.sessions_used, 0);
	vp_tcp_reasm_free(r);
	vp_tcp_reasm_free(NULL);
}
END_TEST

/* 10 MB, random segment sizes, local reordering, duplicates, overlapping resends. */
static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

#define BIG	(10u << 20)
#define PENDING 24

START_TEST(test_big_random)
{
	struct vp_tcp_reasm_limits l;
	struct vp_tcp_reasm_stats st;
	uint32_t pend[PENDING][2], npend = 0, cut = 0, i;
	struct h *h;
	uint8_t *data;
	int ret;

	rng_state = 0x9e3779b97f4a7c15ULL + (uint64_t)_i;
	vp_tcp_reasm_limits_default(&l);
	l.depth = 0;
	h = h_new_lim(&l, BIG);
	h->wscale = 14;
	data = malloc(BIG);
	ck_assert_ptr_nonnull(data);
	for (i = 0; i < BIG; i++)
		data[i] = (uint8_t)rnd(256);
	handshake(h, 0xfff00000u, SISN); /* wraps after 1 MB */
	while (cut < BIG || npend) {
		while (npend < PENDING && cut < BIG) {
			uint32_t len = 1 + rnd(rnd(4) ? 1460 : 20);

			if (len > BIG - cut)
				len = BIG - cut;
			pend[npend][0] = cut;
			pend[npend++][1] = len;
			cut += len;
		}
		i = rnd(npend);
		ret = feed(h, true, 0xfff00001u + pend[i][0], SISN + 1, ACKW, 65535,
			   data + pend[i][0], pend[i][1]);
		ck_assert(ret == VP_REASM_OK || ret == VP_REASM_BUFFERED ||
			  ret == VP_REASM_RETRANS);
		if (rnd(8)) { /* sent: usually leaves, sometimes duplicated */
			pend[i][0] = pend[npend - 1][0];
			pend[i][1] = pend[npend - 1][1];
			npend--;
		}
		if (!rnd(16) && h->got_len[0] > 3000) { /* overlapping resend of old bytes */
			uint32_t a = (uint32_t)h->got_len[0] - 1 - rnd(3000);
			uint32_t len = 1 + rnd(2000);

			if (a + len > BIG)
				len = BIG - a;
			ret = feed(h, true, 0xfff00001u + a, SISN + 1, ACKW, 65535, data + a, len);
			ck_assert(ret >= VP_REASM_RETRANS);
		}
	}
	ck_assert_uint_eq(h->got_len[0], BIG);
	ck_assert(!memcmp(h->got[0], data, BIG));
	vp_tcp_reasm_stats(h->r, &st);
	ck_assert_uint_eq(st.overlaps_conflict, 0);
	ck_assert_uint_eq(st.bytes_delivered, BIG);
	ck_assert_uint_gt(st.out_of_order, 1000);
	ck_assert_uint_gt(st.retransmissions, 1000);
	free(data);
	h_free(h);
}
END_TEST

static Suite *tcp_reasm_suite(void)
{
	Suite *s = suite_create("tcp_reasm");
	TCase *tc = tcase_create("core");
	TCase *big = tcase_create("big");
	int novl = (int)(sizeof(ovl_cases) / sizeof(ovl_cases[0]));

	tcase_add_test(tc, test_in_order);
	tcase_add_loop_test(tc, test_permutations4, 0, 24);
	tcase_add_loop_test(tc, test_permutations3_overlapping, 0, 6);
	tcase_add_test(tc, test_one_byte_segments);
	tcase_add_loop_test(tc, test_overlap_prevent, 0, novl);
	tcase_add_loop_test(tc, test_overlap_detect, 0, novl);
	tcase_add_test(tc, test_overlap_multi);
	tcase_add_loop_test(tc, test_wraparound, 0, 3);
	tcase_add_test(tc, test_syn_data);
	tcase_add_test(tc, test_rst);
	tcase_add_test(tc, test_rst_reply_to_syn);
	tcase_add_test(tc, test_fin);
	tcase_add_test(tc, test_fin_overtaken);
	tcase_add_test(tc, test_bare_fin_queued);
	tcase_add_test(tc, test_zero_window);
	tcase_add_test(tc, test_window_scale);
	tcase_add_test(tc, test_urgent);
	tcase_add_test(tc, test_midstream);
	tcase_add_test(tc, test_gap_skip);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_memcap);
	tcase_add_loop_test(tc, test_window_content, 0,
			    (int)(sizeof(win_sizes) / sizeof(win_sizes[0])));
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_session_pool);
	suite_add_tcase(s, tc);
	tcase_set_timeout(big, 120);
	tcase_add_loop_test(big, test_big_random, 0, 2);
	suite_add_tcase(s, big);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tcp_reasm_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
