/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inline TCP stream reassembly (the receiver model is in tcp_reasm.h).
 *
 * Storage: a stream's bytes live in chunks keyed by their block, the stream
 * offset divided by VP_TCP_REASM_CHUNK, on one list per stream sorted by
 * block.  The same list holds the window bytes just before <next> and the
 * queued out-of-order bytes after it, so a segment that becomes in order is
 * never copied inside the store: <next> just moves past it.  What the store
 * holds beyond <next> is always the receiver's current view (the winning copy
 * of every byte); which bytes are present, and the segment boundaries the
 * overlap policy needs, come from the out-of-order descriptor list.
 *
 * Invariants: every queued descriptor starts after <next> (drain() removes
 * the others); the window bytes [next - hist, next) are in the store; the
 * payload of an in-order segment is delivered from the packet itself and only
 * its last <window> bytes are stored, so in-order traffic needs at most
 * window / CHUNK + 1 chunks per stream.
 *
 * A delivery is assembled in the worker's scratch buffer: window bytes, then
 * the packet's new bytes, then any queued bytes they made contiguous.  Its
 * size is window + max(max_segment, ooo_bytes), which bounds one delivery:
 * an in-order segment ends within max_segment of <next>, a queued one within
 * ooo_bytes.
 */
#include "vp_build.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "inspect/tcp_reasm.h"

#define NIL	      UINT32_MAX
#define CHUNK	      VP_TCP_REASM_CHUNK
#define MAX_WINDOW    (1u << 20)
#define MAX_OOO_BYTES (64u << 20)
#define MAX_SEGMENT   (1u << 20)
#define MAX_SESSIONS  (1u << 24)
#define MAX_WSCALE    14 /* RFC 7323 */
#define TCP_HDR_MIN   20
#define TCPOPT_EOL    0
#define TCPOPT_NOP    1
#define TCPOPT_WSCALE 3

/* vp_tcp_stream.state */
enum stream_state {
	ST_BASE = 1u << 0,    /* <base> known */
	ST_SYN = 1u << 1,     /* SYN seen: base = ISN + 1 */
	ST_WSCALE = 1u << 2,  /* that SYN had a window scale option */
	ST_WND = 1u << 3,     /* <right> known */
	ST_SKIP = 1u << 4,    /* <skip_to> pending */
	ST_OOO_FIN = 1u << 5, /* a bare FIN is queued at <fin> */
	ST_CLOSED = 1u << 6,  /* FIN in order at <fin> */
	ST_DEPTH = 1u << 7,   /* depth reached, buffers released */
};

/* vp_tcp_session.flags */
enum session_flag {
	SESS_RST = 1u << 0,
};

/* An out-of-order segment: [start, end), FIN after its last byte if <fin>. */
struct seg {
	uint64_t start, end;
	uint32_t next;
	bool fin;
};

struct vp_tcp_reasm {
	struct vp_tcp_reasm_limits lim;
	uint32_t nchunks, chunk_free, chunks_used;
	uint32_t *cnext;  /* free list or stream list link */
	uint64_t *cblock; /* block held by the chunk */
	uint8_t *cdata;
	uint32_t ndescs, desc_free, descs_used;
	struct seg *descs;
	uint8_t *scratch;
	size_t scratch_size;
	struct vp_tcp_session *sessions;
	uint32_t *session_next;
	uint32_t nsessions, session_free, sessions_used;
	struct vp_tcp_reasm_stats st;
};

/* One packet's work on one stream. */
struct ctx {
	struct vp_tcp_reasm *r;
	struct vp_tcp_stream *st;   /* the sender's stream */
	struct vp_tcp_stream *peer; /* the other direction (its receiver) */
	const uint8_t *pkt;	    /* in-order payload bytes [pkt_lo, pkt_hi) */
	uint64_t pkt_lo, pkt_hi;
	uint32_t flags; /* for out->flags */
};

/* What a segment overlaps in the current view. */
struct cmp {
	uint64_t new_bytes; /* bytes after <next> not present yet */
	bool overlap, differ, unverified;
};

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* --- pools -------------------------------------------------------------- */

static uint32_t chunk_get(struct vp_tcp_reasm *r)
{
	uint32_t c = r->chunk_free;

	if (c != NIL) {
		r->chunk_free = r->cnext[c];
		r->chunks_used++;
	}
	return c;
}

static void chunk_put(struct vp_tcp_reasm *r, uint32_t c)
{
	r->cnext[c] = r->chunk_free;
	r->chunk_free = c;
	r->chunks_used--;
}

static uint32_t desc_get(struct vp_tcp_reasm *r)
{
	uint32_t d = r->desc_free;

	if (d != NIL) {
		r->desc_free = r->descs[d].next;
		r->descs_used++;
	}
	return d;
}

static void desc_put(struct vp_tcp_reasm *r, uint32_t d)
{
	r->descs[d].next = r->desc_free;
	r->desc_free = d;
	r->descs_used--;
}

/* --- block store ---------------------------------------------------------- */

/* Number of blocks of [a, e) that <st> does not hold. */
static uint64_t blocks_missing(const struct vp_tcp_reasm *r, const struct vp_tcp_stream *st,
			       uint64_t a, uint64_t e)
{
	uint32_t c = st->blocks;
	uint64_t k, last, n = 0;

	if (a >= e)
		return 0;
	last = (e - 1) / CHUNK;
	for (k = a / CHUNK; k <= last; k++) {
		while (c != NIL && r->cblock[c] < k)
			c = r->cnext[c];
		if (c == NIL)
			return n + (last - k + 1);
		if (r->cblock[c] != k)
			n++;
	}
	return n;
}

/*
 * Walks a stream's blocks over [a, a + len) from cursor *<link> (a link of its
 * list at or before block a / CHUNK, left on the last block used so that
 * increasing ranges cost one pass) and for each piece copies <src> into the
 * store (<write>, creating blocks; the caller reserved them), copies the
 * store into <dst>, or compares the store with <src> (true on the first
 * difference).  A block missing on a read or compare is a broken invariant;
 * it reads as zeros.
 */
static bool blocks_walk(struct vp_tcp_reasm *r, uint32_t **cursor, uint64_t a, size_t len,
			const uint8_t *src, uint8_t *dst, bool write)
{
	uint32_t *link = *cursor;
	uint8_t *blk;

	while (len) {
		uint64_t k = a / CHUNK;
		size_t off = a % CHUNK, n = CHUNK - off;

		if (n > len)
			n = len;
		while (*link != NIL && r->cblock[*link] < k)
			link = &r->cnext[*link];
		*cursor = link;
		if ((*link == NIL || r->cblock[*link] != k) && write) {
			uint32_t c = chunk_get(r);

			if (c == NIL)
				return true;
			r->cblock[c] = k;
			r->cnext[c] = *link;
			*link = c;
		}
		blk = (*link != NIL && r->cblock[*link] == k) ? r->cdata + (size_t)*link * CHUNK
							      : NULL;
		if (write)
			memcpy(blk + off, src, n);
		else if (dst && blk)
			memcpy(dst, blk + off, n);
		else if (dst)
			memset(dst, 0, n);
		else if (!blk || memcmp(blk + off, src, n))
			return true;
		a += n;
		len -= n;
		if (src)
			src += n;
		if (dst)
			dst += n;
	}
	return false;
}

static void blocks_write(struct vp_tcp_reasm *r, struct vp_tcp_stream *st, uint64_t a,
			 const uint8_t *src, size_t len)
{
	uint32_t *cursor = &st->blocks;

	blocks_walk(r, &cursor, a, len, src, NULL, true);
}

static void blocks_read(struct vp_tcp_reasm *r, struct vp_tcp_stream *st, uint64_t a, uint8_t *dst,
			size_t len)
{
	uint32_t *cursor = &st->blocks;

	blocks_walk(r, &cursor, a, len, NULL, dst, false);
}

/* Compares with <src>; *<cursor> as in blocks_walk(). */
static bool blocks_differ(struct vp_tcp_reasm *r, uint32_t **cursor, uint64_t a, const uint8_t *src,
			  size_t len)
{
	return blocks_walk(r, cursor, a, len, src, NULL, false);
}

/* Frees the blocks that hold only bytes before <off>. */
static void blocks_trim_below(struct vp_tcp_reasm *r, struct vp_tcp_stream *st, uint64_t off)
{
	uint32_t c;

	while ((c = st->blocks) != NIL && (r->cblock[c] + 1) * CHUNK <= off) {
		st->blocks = r->cnext[c];
		chunk_put(r, c);
	}
}

/* Frees the blocks that hold only bytes at or after <off>. */
static void blocks_free_from(struct vp_tcp_reasm *r, struct vp_tcp_stream *st, uint64_t off)
{
	uint32_t *link = &st->blocks;
	uint32_t c;

	while ((c = *link) != NIL) {
		if (r->cblock[c] * CHUNK >= off) {
			*link = r->cnext[c];
			chunk_put(r, c);
		} else {
			link = &r->cnext[c];
		}
	}
}

static void segs_free(struct vp_tcp_reasm *r, struct vp_tcp_stream *st)
{
	uint32_t d;

	while ((d = st->segs) != NIL) {
		st->segs = r->descs[d].next;
		desc_put(r, d);
	}
	st->nsegs = 0;
}

/* Gives back all memory of <st>; its sequence state stays. */
static void stream_free(struct vp_tcp_reasm *r, struct vp_tcp_stream *st)
{
	segs_free(r, st);
	blocks_free_from(r, st, 0);
	st->hist = 0;
	st->state &= ~(ST_OOO_FIN | ST_SKIP);
}

static void stream_init(struct vp_tcp_stream *st)
{
	memset(st, 0, sizeof(*st));
	st->blocks = NIL;
	st->segs = NIL;
}

/* --- sequence space -------------------------------------------------------- */

static uint32_t seq_of(const struct vp_tcp_stream *st, uint64_t off)
{
	return st->base + (uint32_t)off;
}

/* Stream offset of <seq>, taken within 2^31 of <next>; negative = before the base. */
static int64_t off_of(const struct vp_tcp_stream *st, uint32_t seq)
{
	uint32_t d = seq - seq_of(st, st->next);
	int64_t delta = d < 0x80000000u ? (int64_t)d : (int64_t)d - 0x100000000LL;

	return (int64_t)st->next + delta;
}

/* --- out-of-order queue ---------------------------------------------------- */

/* Ends the direction at <next>: a FIN is in order.  Queued data is dropped. */
static void stream_close(struct ctx *x)
{
	struct vp_tcp_stream *st = x->st;

	segs_free(x->r, st);
	blocks_free_from(x->r, st, st->next);
	st->fin = st->next;
	st->state = (st->state & ~(ST_OOO_FIN | ST_SKIP)) | ST_CLOSED;
	x->flags |= VP_REASM_F_FIN;
}

/*
 * Moves <next> over the queued segments that are now in order, in start
 * order, each trimmed of the bytes before <next>; stops at a queued FIN.
 */
static void drain(struct ctx *x)
{
	struct vp_tcp_stream *st = x->st;
	struct seg *g;
	uint32_t d;

	while (!(st->state & ST_CLOSED)) {
		if ((st->state & ST_OOO_FIN) && st->fin <= st->next) {
			if (st->fin == st->next) {
				stream_close(x);
				return;
			}
			st->state &= ~ST_OOO_FIN; /* bytes passed over it: dropped */
		}
		d = st->segs;
		if (d == NIL || x->r->descs[d].start > st->next)
			return;
		g = &x->r->descs[d];
		st->segs = g->next;
		st->nsegs--;
		if (g->end > st->next || (g->fin && g->end == st->next)) {
			st->next = max_u64(st->next, g->end);
			if (g->fin) {
				desc_put(x->r, d);
				stream_close(x);
				return;
			}
		}
		desc_put(x->r, d);
	}
}

/* Compares [s, e) of <data> with the bytes the receiver already holds. */
static void view_compare(struct ctx *x, uint64_t s, uint64_t e, const uint8_t *data, struct cmp *c)
{
	struct vp_tcp_stream *st = x->st;
	uint64_t lo, hi, a, frontier, covered = 0;
	uint32_t *cursor = &st->blocks; /* ranges below only increase */
	uint32_t d;

	memset(c, 0, sizeof(*c));
	hi = min_u64(e, st->next);
	if (s < hi) {
		lo = max_u64(s, st->next - st->hist);
		c->unverified = s < lo;
		if (lo < hi) {
			c->overlap = true;
			c->differ = blocks_differ(x->r, &cursor, lo, data + (lo - s), hi - lo);
		}
	}
	a = frontier = max_u64(s, st->next);
	if (a >= e)
		return;
	for (d = st->segs; d != NIL; d = x->r->descs[d].next) {
		const struct seg *g = &x->r->descs[d];

		if (g->start >= e)
			break;
		lo = max_u64(g->start, frontier); /* bytes before were compared */
		hi = min_u64(g->end, e);
		if (lo >= hi)
			continue;
		c->overlap = true;
		if (!c->differ)
			c->differ = blocks_differ(x->r, &cursor, lo, data + (lo - s), hi - lo);
		covered += hi - lo;
		frontier = hi;
	}
	c->new_bytes = (e - a) - covered;
}

/* How Linux's out-of-order queue takes a new segment [s, e). */
struct ooo_plan {
	bool contained;	    /* all its bytes are inside one queued segment: dropped */
	uint32_t append_to; /* queued segment ending at s that it extends, or NIL */
	uint32_t removed;   /* queued segments it replaces or covers */
	uint64_t win_from;  /* its bytes from here on win (lower starts keep theirs) */
};

static void ooo_plan(struct ctx *x, uint64_t s, uint64_t e, struct ooo_plan *p)
{
	const struct vp_tcp_reasm *r = x->r;
	bool same_start = false, stop = false;
	uint32_t d;

	memset(p, 0, sizeof(*p));
	p->append_to = NIL;
	p->win_from = s;
	for (d = x->st->segs; d != NIL; d = r->descs[d].next) {
		const struct seg *g = &r->descs[d];

		if (g->start <= s && e <= g->end) {
			p->contained = true;
			return;
		}
		if (g->start < s) {
			p->win_from = max_u64(p->win_from, g->end);
			if (g->end == s && !g->fin)
				p->append_to = d;
		} else if (g->start == s) {
			same_start = true;
			p->removed++;
		} else if (!stop && g->end <= e) {
			p->removed++;
		} else {
			stop = true;
		}
	}
	if (p->append_to != NIL && !same_start)
		p->removed = 0;
	else
		p->append_to = NIL;
}

/* Unlinks the queued segments that [s, e) replaces or covers. */
static void ooo_remove(struct ctx *x, uint64_t s, uint64_t e)
{
	struct vp_tcp_reasm *r = x->r;
	uint32_t *link = &x->st->segs;
	uint32_t d;

	while ((d = *link) != NIL && r->descs[d].start < s)
		link = &r->descs[d].next;
	while ((d = *link) != NIL && r->descs[d].end <= e) {
		*link = r->descs[d].next;
		desc_put(r, d);
		x->st->nsegs--;
	}
}

static void ooo_insert(struct ctx *x, uint32_t d)
{
	struct vp_tcp_reasm *r = x->r;
	uint32_t *link = &x->st->segs;

	while (*link != NIL && r->descs[*link].start < r->descs[d].start)
		link = &r->descs[*link].next;
	r->descs[d].next = *link;
	*link = d;
	x->st->nsegs++;
}

/* Queues out-of-order segment [s, e) (s > next). */
static int apply_ooo(struct ctx *x, uint64_t s, uint64_t e, const uint8_t *data, bool fin,
		     const struct cmp *c)
{
	struct vp_tcp_reasm *r = x->r;
	struct vp_tcp_stream *st = x->st;
	struct ooo_plan p;
	uint32_t d = NIL;

	if (e - st->next > r->lim.ooo_bytes)
		goto limit;
	ooo_plan(x, s, e, &p);
	if (p.contained)
		return VP_REASM_RETRANS;
	if (p.append_to == NIL && (uint32_t)st->nsegs + 1 - p.removed > r->lim.ooo_segs)
		goto limit;
	if (blocks_missing(r, st, p.win_from, e) > r->nchunks - r->chunks_used)
		goto memcap;
	if (p.append_to == NIL) {
		d = desc_get(r);
		if (d == NIL)
			goto memcap;
		ooo_remove(x, s, e);
		r->descs[d] = (struct seg){.start = s, .end = e, .fin = fin};
		ooo_insert(x, d);
	} else {
		r->descs[p.append_to].end = e;
		r->descs[p.append_to].fin = fin;
	}
	if (p.win_from < e)
		blocks_write(r, st, p.win_from, data + (p.win_from - s), e - p.win_from);
	return c->new_bytes ? VP_REASM_BUFFERED : VP_REASM_RETRANS;
limit:
	r->st.limit_hits++;
	return VP_REASM_LIMIT;
memcap:
	r->st.memcap_hits++;
	return VP_REASM_MEMCAP;
}

/* Takes in-order segment [s, e) (s <= next < e). */
static int apply_inorder(struct ctx *x, uint64_t s, uint64_t e, const uint8_t *data, bool fin)
{
	struct vp_tcp_reasm *r = x->r;
	struct vp_tcp_stream *st = x->st;
	uint64_t a = st->next, keep = max_u64(a, e > r->lim.window ? e - r->lim.window : 0);

	if (blocks_missing(r, st, keep, e) > r->nchunks - r->chunks_used) {
		r->st.memcap_hits++;
		return VP_REASM_MEMCAP;
	}
	blocks_write(r, st, keep, data + (keep - s), e - keep);
	x->pkt = data + (a - s);
	x->pkt_lo = a;
	x->pkt_hi = e;
	st->next = e;
	if (fin)
		stream_close(x);
	else
		drain(x);
	return VP_REASM_OK;
}

/* A FIN without data at offset <f>. */
static int bare_fin(struct ctx *x, uint64_t f)
{
	struct vp_tcp_stream *st = x->st;

	if (st->state & ST_CLOSED) {
		if (f != st->fin)
			x->flags |= VP_REASM_F_FIN_CONFLICT;
	} else if (f == st->next) {
		stream_close(x);
	} else if (f > st->next) {
		if ((st->state & ST_OOO_FIN) && st->fin != f)
			x->flags |= VP_REASM_F_FIN_CONFLICT;
		if (!(st->state & ST_OOO_FIN) || f < st->fin)
			st->fin = f;
		st->state |= ST_OOO_FIN;
	}
	return VP_REASM_IGNORED;
}

/* Compares data segment [s, e) with the view, then applies it (or not). */
static int place(struct ctx *x, uint64_t s, uint64_t e, const uint8_t *data, bool fin)
{
	struct vp_tcp_reasm *r = x->r;
	struct vp_tcp_stream *st = x->st;
	struct cmp c;
	int ret;

	view_compare(x, s, e, data, &c);
	if (c.unverified) {
		x->flags |= VP_REASM_F_UNVERIFIED;
		r->st.unverified++;
	}
	if (c.differ) {
		x->flags |= VP_REASM_F_CONFLICT;
		r->st.overlaps_conflict++;
		if (r->lim.conflict_drop)
			return VP_REASM_CONFLICT;
	} else if (c.overlap) {
		x->flags |= VP_REASM_F_OVERLAP;
		r->st.overlaps_same++;
	}
	if (e <= st->next) {
		if (fin && e == st->next)
			stream_close(x);
		ret = VP_REASM_RETRANS;
	} else if (s <= st->next) {
		ret = apply_inorder(x, s, e, data, fin);
	} else {
		ret = apply_ooo(x, s, e, data, fin, &c);
	}
	if (ret == VP_REASM_OK)
		r->st.in_order++;
	else if (ret == VP_REASM_BUFFERED)
		r->st.out_of_order++;
	else if (ret == VP_REASM_RETRANS)
		r->st.retransmissions++;
	return (c.differ && ret >= 0) ? VP_REASM_CONFLICT : ret;
}

/* --- packet -------------------------------------------------------------- */

/* Shift of the windows advertised by the sender of <st> (RFC 7323). */
static unsigned adv_shift(const struct vp_tcp_stream *st, const struct vp_tcp_stream *peer)
{
	return (st->state & peer->state & ST_WSCALE) ? st->wscale : 0;
}

/* Drops [s, e) beyond the receiver's window the way Linux does; flags the rest. */
static bool beyond_window(struct ctx *x, uint64_t s, uint64_t e)
{
	struct vp_tcp_stream *st = x->st;
	uint64_t slack;

	if (!(st->state & ST_WND) || e <= st->right)
		return false;
	x->flags |= VP_REASM_F_WINDOW;
	x->r->st.beyond_window++;
	slack = ((uint64_t)1 << adv_shift(x->peer, st)) - 1;
	return s >= st->next && s >= st->right + slack;
}

/* Clips [*s, *e) to what the receiver can still take; false when nothing is left. */
static bool clip(struct ctx *x, int64_t *s, int64_t *e, bool *fin)
{
	struct vp_tcp_stream *st = x->st;
	uint64_t depth = x->r->lim.depth;

	if (*s < 0) {
		x->flags |= VP_REASM_F_UNVERIFIED;
		x->r->st.unverified++;
		*s = 0;
		if (*e <= 0)
			return false;
	}
	if ((st->state & ST_CLOSED) && (uint64_t)*e > st->fin) {
		x->flags |= VP_REASM_F_AFTER_FIN;
		x->r->st.data_after_fin++;
		*e = (int64_t)max_u64(st->fin, (uint64_t)*s);
		*fin = false;
	}
	if (depth && (uint64_t)*e > depth) {
		*e = (int64_t)max_u64(depth, (uint64_t)*s);
		*fin = false;
	}
	return true;
}

/* The data (and FIN) of the packet. */
static int segment(struct ctx *x, const struct vp_packet *p)
{
	struct vp_tcp_reasm *r = x->r;
	struct vp_tcp_stream *st = x->st;
	size_t len = p->payload.len;
	bool fin = p->tcp_flags & VP_TCP_FIN;
	uint32_t seq = p->tcp_seq + ((p->tcp_flags & VP_TCP_SYN) ? 1 : 0);
	int64_t s0, s, e;

	if (!len && !fin)
		return VP_REASM_IGNORED;
	if (len > r->lim.max_segment) {
		r->st.limit_hits++;
		return VP_REASM_LIMIT;
	}
	s = s0 = off_of(st, seq);
	e = s + (int64_t)len;
	if (e > 0 && (uint64_t)e > st->max_end)
		st->max_end = (uint64_t)e;
	if (!clip(x, &s, &e, &fin))
		return len ? VP_REASM_RETRANS : VP_REASM_IGNORED;
	if (s == e && len)
		return (st->state & ST_CLOSED) ? VP_REASM_IGNORED : VP_REASM_DEPTH;
	if (s == e)
		return bare_fin(x, (uint64_t)s);
	if (beyond_window(x, (uint64_t)s, (uint64_t)e))
		return VP_REASM_IGNORED;
	if (p->tcp_flags & VP_TCP_URG) {
		x->flags |= VP_REASM_F_URGENT;
		r->st.urgent++;
	}
	return place(x, (uint64_t)s, (uint64_t)e, p->payload.ptr + (s - s0), fin);
}

/* Window scale option of a SYN (RFC 7323); false when absent. */
static bool syn_wscale(const struct vp_packet *p, uint8_t *shift)
{
	const uint8_t *o = p->l4.ptr;
	size_t hlen, i;

	if (!o || p->l4.len < TCP_HDR_MIN)
		return false;
	hlen = (size_t)(o[12] >> 4) * 4;
	if (hlen < TCP_HDR_MIN || hlen > p->l4.len)
		return false;
	for (i = TCP_HDR_MIN; i < hlen;) {
		if (o[i] == TCPOPT_EOL)
			break;
		if (o[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= hlen || o[i + 1] < 2 || i + o[i + 1] > hlen)
			break;
		if (o[i] == TCPOPT_WSCALE && o[i + 1] == 3) {
			*shift = o[i + 2] > MAX_WSCALE ? MAX_WSCALE : o[i + 2];
			return true;
		}
		i += o[i + 1];
	}
	return false;
}

static bool stream_fresh(const struct vp_tcp_stream *st)
{
	return !st->next && !st->max_end && st->segs == NIL &&
	       !(st->state & (ST_CLOSED | ST_DEPTH));
}

static void pickup(struct vp_tcp_reasm *r, struct vp_tcp_stream *st, uint32_t base)
{
	st->base = base;
	st->state |= ST_BASE;
	st->pending |= VP_REASM_F_MIDSTREAM;
	r->st.midstream++;
}

/* Sets the base from a SYN, or from the first segment; false: ignore the packet. */
static bool base(struct ctx *x, const struct vp_packet *p)
{
	struct vp_tcp_stream *st = x->st;
	uint8_t shift = 0;

	if (!(p->tcp_flags & VP_TCP_SYN)) {
		if (!(st->state & ST_BASE))
			pickup(x->r, st, p->tcp_seq);
		return true;
	}
	if (!(st->state & ST_BASE) || stream_fresh(st)) {
		st->base = p->tcp_seq + 1;
		st->state &= ~(ST_WND | ST_SKIP | ST_WSCALE | ST_OOO_FIN);
		st->state |= ST_BASE | ST_SYN;
		st->pending &= ~VP_REASM_F_MIDSTREAM;
		if (syn_wscale(p, &shift))
			st->state |= ST_WSCALE;
		st->wscale = shift;
	} else if (!(st->state & ST_SYN) || p->tcp_seq + 1 != st->base) {
		x->flags |= VP_REASM_F_BAD_SYN;
		x->r->st.bad_syn++;
		return false;
	}
	if (p->payload.len) {
		x->flags |= VP_REASM_F_SYN_DATA;
		x->r->st.syn_data++;
	}
	return true;
}

/* The packet's ACK for the other direction: its base, window and gaps. */
static void ack(struct ctx *x, const struct vp_packet *p)
{
	struct vp_tcp_stream *st = x->st, *peer = x->peer;
	int64_t off;
	uint64_t right;

	if (!(peer->state & ST_BASE))
		pickup(x->r, peer, p->tcp_ack);
	off = off_of(peer, p->tcp_ack);
	if (off < 0)
		return;
	if ((st->state & ST_SYN) && (peer->state & ST_SYN)) {
		unsigned shift = (p->tcp_flags & VP_TCP_SYN) ? 0 : adv_shift(st, peer);

		right = (uint64_t)off + ((uint64_t)p->tcp_win << shift);
		if (!(peer->state & ST_WND) || right > peer->right)
			peer->right = right;
		peer->state |= ST_WND;
	}
	if ((uint64_t)off > peer->next && (uint64_t)off <= peer->max_end &&
	    !(peer->state & (ST_CLOSED | ST_DEPTH)) &&
	    (!(peer->state & ST_SKIP) || (uint64_t)off > peer->skip_to)) {
		peer->skip_to = (uint64_t)off;
		peer->state |= ST_SKIP;
	}
}

/* A RST: ends the session when exactly in sequence (RFC 5961), else ignored. */
static int reset(struct ctx *x, struct vp_tcp_session *s, const struct vp_packet *p)
{
	struct vp_tcp_stream *st = x->st, *peer = x->peer;
	bool ok;

	if (st->state & ST_BASE) {
		uint32_t nx = seq_of(st, st->next);

		ok = p->tcp_seq == nx || ((st->state & ST_CLOSED) && p->tcp_seq == nx + 1);
	} else {
		ok = (p->tcp_flags & VP_TCP_ACK) && (peer->state & ST_BASE) &&
		     p->tcp_ack == seq_of(peer, peer->next);
	}
	if (!ok) {
		x->flags |= VP_REASM_F_RST_INVALID;
		x->r->st.rst_ignored++;
		return VP_REASM_IGNORED;
	}
	stream_free(x->r, st);
	stream_free(x->r, peer);
	s->flags |= SESS_RST;
	x->flags |= VP_REASM_F_RST;
	x->r->st.resets++;
	return VP_REASM_IGNORED;
}

/* Skips a hole the receiver acknowledged: to the next byte held, or to skip_to. */
static void resync(struct ctx *x)
{
	struct vp_tcp_stream *st = x->st;
	uint64_t to;

	if (!(st->state & ST_SKIP))
		return;
	if (st->skip_to <= st->next) {
		st->state &= ~ST_SKIP;
		return;
	}
	if (st->segs != NIL && x->r->descs[st->segs].start <= st->next)
		return;
	to = st->skip_to;
	if (st->segs != NIL)
		to = min_u64(to, x->r->descs[st->segs].start);
	if (x->r->lim.depth)
		to = min_u64(to, x->r->lim.depth);
	st->next = to;
	st->hist = 0;
	blocks_trim_below(x->r, st, to);
	st->pending |= VP_REASM_F_GAP;
	x->r->st.gaps++;
	if (st->skip_to <= st->next)
		st->state &= ~ST_SKIP;
}

/* Copies [from, to) of the stream into dst: packet bytes from the packet. */
static void gather(struct ctx *x, uint64_t from, uint64_t to, uint8_t *dst)
{
	uint64_t lo, hi;

	if (x->pkt_lo < x->pkt_hi && from < x->pkt_hi && to > x->pkt_lo) {
		lo = max_u64(from, x->pkt_lo);
		hi = min_u64(to, x->pkt_hi);
		gather(x, from, lo, dst);
		memcpy(dst + (lo - from), x->pkt + (lo - x->pkt_lo), hi - lo);
		gather(x, hi, to, dst + (hi - from));
		return;
	}
	if (from < to)
		blocks_read(x->r, x->st, from, dst, to - from);
}

/* Fills *out with the window and the bytes [old_next, next). */
static void deliver(struct ctx *x, uint64_t old_next, struct vp_tcp_delivery *out)
{
	struct vp_tcp_reasm *r = x->r;
	struct vp_tcp_stream *st = x->st;
	uint64_t n = st->next - old_next, hist = st->hist;

	if (!n)
		return;
	if (hist + n > r->scratch_size) /* cannot happen (see top comment) */
		hist = n <= r->scratch_size ? r->scratch_size - n : 0;
	if (n > r->scratch_size)
		n = r->scratch_size;
	gather(x, old_next - hist, old_next + n, r->scratch);
	out->data = r->scratch;
	out->len = hist + n;
	out->new_off = hist;
	out->stream_off = old_next - hist;
	st->hist = (uint32_t)min_u64(r->lim.window, hist + (st->next - old_next));
	blocks_trim_below(r, st, st->next - st->hist);
	r->st.bytes_delivered += st->next - old_next;
	x->flags |= st->pending;
	st->pending = 0;
}

static int data(struct ctx *x, const struct vp_packet *p, struct vp_tcp_delivery *out)
{
	struct vp_tcp_stream *st = x->st;
	uint64_t old_next;
	int ret;

	resync(x);
	old_next = st->next;
	ret = segment(x, p);
	drain(x);
	deliver(x, old_next, out);
	if (x->r->lim.depth && st->next >= x->r->lim.depth && !(st->state & ST_DEPTH)) {
		st->state |= ST_DEPTH;
		stream_free(x->r, st);
		x->flags |= VP_REASM_F_DEPTH;
		x->r->st.depth_reached++;
	}
	if (st->next > old_next && ret >= 0)
		ret = VP_REASM_OK;
	return ret;
}

int vp_tcp_reasm_packet(struct vp_tcp_reasm *r, struct vp_tcp_session *s, const struct vp_packet *p,
			bool to_server, struct vp_tcp_delivery *out)
{
	struct ctx x = {
	    .r = r,
	    .st = &s->dir[to_server ? 0 : 1],
	    .peer = &s->dir[to_server ? 1 : 0],
	};
	int ret = VP_REASM_IGNORED;

	memset(out, 0, sizeof(*out));
	if (p->payload.len)
		r->st.segments++;
	if (p->proto != IPPROTO_TCP)
		goto out;
	if (s->flags & SESS_RST) {
		if (p->payload.len) {
			x.flags |= VP_REASM_F_AFTER_RST;
			r->st.data_after_rst++;
		}
		goto out;
	}
	if (p->tcp_flags & VP_TCP_RST) {
		ret = reset(&x, s, p);
		goto out;
	}
	if (!base(&x, p))
		goto out;
	if (p->tcp_flags & VP_TCP_ACK)
		ack(&x, p);
	if (x.st->state & ST_DEPTH)
		ret = p->payload.len ? VP_REASM_DEPTH : VP_REASM_IGNORED;
	else
		ret = data(&x, p, out);
out:
	out->flags |= x.flags;
	return ret;
}

/* --- lifecycle ----------------------------------------------------------- */

void vp_tcp_reasm_limits_default(struct vp_tcp_reasm_limits *l)
{
	*l = (struct vp_tcp_reasm_limits){
	    .memcap = 32u << 20,
	    .depth = 1u << 20,
	    .window = 4096,
	    .ooo_bytes = 1u << 20,
	    .ooo_segs = 256,
	    .max_segment = 65535,
	    .max_sessions = 0,
	    .conflict_drop = true,
	};
}

static bool limits_valid(const struct vp_tcp_reasm_limits *l)
{
	uint64_t per = CHUNK + sizeof(uint32_t) + sizeof(uint64_t) + sizeof(struct seg);

	return l->memcap >= per && l->memcap / per < NIL && l->window <= MAX_WINDOW &&
	       l->ooo_bytes >= 1 && l->ooo_bytes <= MAX_OOO_BYTES && l->ooo_segs >= 1 &&
	       l->ooo_segs <= UINT16_MAX && l->max_segment >= 1 && l->max_segment <= MAX_SEGMENT &&
	       l->max_sessions <= MAX_SESSIONS;
}

static void pools_link(struct vp_tcp_reasm *r)
{
	uint32_t i;

	for (i = 0; i < r->nchunks; i++)
		r->cnext[i] = i + 1 < r->nchunks ? i + 1 : NIL;
	for (i = 0; i < r->ndescs; i++)
		r->descs[i].next = i + 1 < r->ndescs ? i + 1 : NIL;
	for (i = 0; i < r->nsessions; i++) {
		r->session_next[i] = i + 1 < r->nsessions ? i + 1 : NIL;
		vp_tcp_reasm_session_init(&r->sessions[i]);
	}
	r->chunk_free = r->nchunks ? 0 : NIL;
	r->desc_free = r->ndescs ? 0 : NIL;
	r->session_free = r->nsessions ? 0 : NIL;
}

struct vp_tcp_reasm *vp_tcp_reasm_new(const struct vp_tcp_reasm_limits *l)
{
	uint64_t per = CHUNK + sizeof(uint32_t) + sizeof(uint64_t) + sizeof(struct seg);
	struct vp_tcp_reasm *r;

	if (!limits_valid(l)) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		goto err;
	r->lim = *l;
	r->nchunks = r->ndescs = (uint32_t)(l->memcap / per);
	r->nsessions = l->max_sessions;
	r->scratch_size =
	    (size_t)l->window + (l->max_segment > l->ooo_bytes ? l->max_segment : l->ooo_bytes);
	r->cnext = calloc(r->nchunks, sizeof(*r->cnext));
	r->cblock = calloc(r->nchunks, sizeof(*r->cblock));
	r->cdata = malloc((size_t)r->nchunks * CHUNK);
	r->descs = calloc(r->ndescs, sizeof(*r->descs));
	r->scratch = malloc(r->scratch_size);
	r->sessions = calloc(r->nsessions ? r->nsessions : 1, sizeof(*r->sessions));
	r->session_next = calloc(r->nsessions ? r->nsessions : 1, sizeof(*r->session_next));
	if (!r->cnext || !r->cblock || !r->cdata || !r->descs || !r->scratch || !r->sessions ||
	    !r->session_next)
		goto err;
	pools_link(r);
	return r;
err:
	vp_tcp_reasm_free(r);
	errno = ENOMEM;
	return NULL;
}

void vp_tcp_reasm_free(struct vp_tcp_reasm *r)
{
	if (!r)
		return;
	free(r->cnext);
	free(r->cblock);
	free(r->cdata);
	free(r->descs);
	free(r->scratch);
	free(r->sessions);
	free(r->session_next);
	free(r);
}

void vp_tcp_reasm_session_init(struct vp_tcp_session *s)
{
	stream_init(&s->dir[0]);
	stream_init(&s->dir[1]);
	s->flags = 0;
}

void vp_tcp_reasm_session_release(struct vp_tcp_reasm *r, struct vp_tcp_session *s)
{
	stream_free(r, &s->dir[0]);
	stream_free(r, &s->dir[1]);
	vp_tcp_reasm_session_init(s);
}

struct vp_tcp_session *vp_tcp_reasm_session_get(struct vp_tcp_reasm *r)
{
	uint32_t i = r->session_free;

	if (i == NIL)
		return NULL;
	r->session_free = r->session_next[i];
	r->sessions_used++;
	vp_tcp_reasm_session_init(&r->sessions[i]);
	return &r->sessions[i];
}

void vp_tcp_reasm_session_put(struct vp_tcp_reasm *r, struct vp_tcp_session *s)
{
	uint32_t i;

	if (!s)
		return;
	vp_tcp_reasm_session_release(r, s);
	i = (uint32_t)(s - r->sessions);
	r->session_next[i] = r->session_free;
	r->session_free = i;
	r->sessions_used--;
}

bool vp_tcp_reasm_session_done(const struct vp_tcp_session *s)
{
	return (s->flags & SESS_RST) || ((s->dir[0].state & (ST_CLOSED | ST_DEPTH)) &&
					 (s->dir[1].state & (ST_CLOSED | ST_DEPTH)));
}

void vp_tcp_reasm_stats(const struct vp_tcp_reasm *r, struct vp_tcp_reasm_stats *st)
{
	*st = r->st;
	st->chunks_total = r->nchunks;
	st->chunks_used = r->chunks_used;
	st->descs_total = r->ndescs;
	st->descs_used = r->descs_used;
	st->sessions_total = r->nsessions;
	st->sessions_used = r->sessions_used;
}
