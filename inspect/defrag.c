/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv4/IPv6 fragment reassembly (RFC 791, 8200, 5722, 7112) modelled on the Linux receiver; the
 * policy is described in defrag.h.
 *
 * A context holds one datagram in progress: its key, the header of the offset-0 fragment, the
 * runs of accepted fragments (sorted, disjoint [start, end) ranges, as Linux keeps them), and a
 * map from each VP_DEFRAG_CHUNK-byte slice of the datagram to a pool chunk holding its bytes.
 * Since accepted fragments never overlap, "complete" is "first and last seen and the accepted
 * bytes add up to the length" (Linux's meat == len).  Contexts sit in a hash table (chained by
 * index) and in one list per IP version in creation order, so expiry only looks at list heads.
 */
#include "vp_build.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/defrag.h"

#define NONE		UINT32_MAX
#define IP4_HDR_LEN	20u
#define IP6_HDR_LEN	40u
#define IP_MAXPLEN	65535u
#define MAP_SLOTS	((IP_MAXPLEN + VP_DEFRAG_CHUNK) / VP_DEFRAG_CHUNK)
#define IP6_MAX_EXTHDRS 16

enum { RUN_NEW, RUN_EXTEND, RUN_DUP, RUN_OVERLAP };

struct run {
	uint32_t start, end;
};

struct frag_ctx {
	uint32_t hnext;	     /* hash chain */
	uint32_t prev, next; /* age list of its IP version, or free list (next) */
	uint32_t hash;
	int64_t start_us; /* timestamp of the first fragment */
	bool used, v6, dead, first_in, last_in;
	uint8_t proto; /* IPv4 key part */
	uint32_t id;
	uint8_t src[16], dst[16];
	uint32_t len;  /* datagram data length known so far (Linux q.len) */
	uint32_t meat; /* bytes accepted */
	uint32_t nruns;
	uint16_t hdr_len; /* bytes of hdr[]: IPv4 header / IPv6 unfragmentable part */
	uint16_t nh_off;  /* IPv6: offset in hdr[] of the next-header byte to fix */
	uint8_t frag_nh;  /* IPv6: next header of the offset-0 fragment header */
	uint8_t hdr[VP_DEFRAG_MAX_HDR];
	uint32_t map[MAP_SLOTS]; /* chunk per VP_DEFRAG_CHUNK bytes of data, or NONE */
	struct run runs[VP_DEFRAG_MAX_RUNS];
};

struct vp_defrag {
	struct vp_defrag_limits lim;
	struct frag_ctx *ctx;
	uint32_t *buckets, bucket_mask, free_ctx;
	uint32_t age_head[2], age_tail[2];
	uint8_t *chunks;
	uint32_t *free_chunks, nfree_chunks, nchunks;
	uint8_t *out;
	struct vp_defrag_stats st;
};

/* What one fragment says, parsed from its bytes. */
struct frag_info {
	bool v6, mf;
	uint8_t proto, frag_nh;
	uint32_t id, off;
	const uint8_t *data;
	size_t dlen;
	size_t hdr_len, nh_off; /* bytes before the data (IPv4) / fragment header (IPv6) */
};

static uint16_t rd16(const uint8_t *b)
{
	return (uint16_t)((unsigned int)b[0] << 8 | b[1]);
}

static uint32_t rd32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void wr16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/* See defrag.h.  Any thread. */
void vp_defrag_limits_default(struct vp_defrag_limits *l)
{
	l->max_datagrams = 1024;
	l->memcap = 16u << 20;
	l->timeout4_ms = 30000;
	l->timeout6_ms = 60000;
}

static void limits_fill(struct vp_defrag_limits *dst, const struct vp_defrag_limits *l)
{
	vp_defrag_limits_default(dst);
	if (!l)
		return;
	if (l->max_datagrams)
		dst->max_datagrams = l->max_datagrams;
	if (l->memcap)
		dst->memcap = l->memcap;
	if (l->timeout4_ms)
		dst->timeout4_ms = l->timeout4_ms;
	if (l->timeout6_ms)
		dst->timeout6_ms = l->timeout6_ms;
}

static void pools_init(struct vp_defrag *d)
{
	uint32_t i;

	for (i = 0; i <= d->bucket_mask; i++)
		d->buckets[i] = NONE;
	for (i = 0; i < d->lim.max_datagrams; i++)
		d->ctx[i].next = i + 1 < d->lim.max_datagrams ? i + 1 : NONE;
	d->free_ctx = 0;
	for (i = 0; i < d->nchunks; i++)
		d->free_chunks[i] = d->nchunks - 1 - i;
	d->nfree_chunks = d->nchunks;
	d->age_head[0] = d->age_head[1] = NONE;
	d->age_tail[0] = d->age_tail[1] = NONE;
}

/*
 * See defrag.h.  Limits are clamped so the indices fit: at most 2^20 contexts and 2^24 chunks.
 * Start-up only.
 */
struct vp_defrag *vp_defrag_new(const struct vp_defrag_limits *l)
{
	struct vp_defrag *d = calloc(1, sizeof(*d));
	uint32_t nb = 1;

	if (!d)
		return NULL;
	limits_fill(&d->lim, l);
	if (d->lim.max_datagrams > (1u << 20))
		d->lim.max_datagrams = 1u << 20;
	if (d->lim.memcap / VP_DEFRAG_CHUNK > (1u << 24))
		d->lim.memcap = (size_t)VP_DEFRAG_CHUNK << 24;
	d->nchunks = (uint32_t)(d->lim.memcap / VP_DEFRAG_CHUNK);
	while (nb < 2 * d->lim.max_datagrams)
		nb <<= 1;
	d->bucket_mask = nb - 1;
	d->ctx = calloc(d->lim.max_datagrams, sizeof(*d->ctx));
	d->buckets = calloc(nb, sizeof(*d->buckets));
	d->chunks = malloc((size_t)d->nchunks * VP_DEFRAG_CHUNK + 1);
	d->free_chunks = calloc((size_t)d->nchunks + 1, sizeof(*d->free_chunks));
	d->out = malloc(VP_DEFRAG_MAX_OUT);
	if (!d->ctx || !d->buckets || !d->chunks || !d->free_chunks || !d->out)
		goto err;
	pools_init(d);
	return d;
err:
	vp_defrag_free(d);
	return NULL;
}

/* Frees <d>, its pools and output buffer; NULL-safe.  Owner thread. */
void vp_defrag_free(struct vp_defrag *d)
{
	if (!d)
		return;
	free(d->ctx);
	free(d->buckets);
	free(d->chunks);
	free(d->free_chunks);
	free(d->out);
	free(d);
}

/* The counters, owned by <d>.  Owner thread. */
const struct vp_defrag_stats *vp_defrag_stats(const struct vp_defrag *d)
{
	return &d->st;
}

/* Static string for a vp_defrag_packet() result.  Any thread. */
const char *vp_defrag_result_str(int result)
{
	switch (result) {
	case VP_DEFRAG_NOT_FRAGMENT:
		return "not-fragment";
	case VP_DEFRAG_HELD:
		return "held";
	case VP_DEFRAG_COMPLETE:
		return "complete";
	case VP_DEFRAG_DUPLICATE:
		return "duplicate";
	case VP_DEFRAG_CONFLICT:
		return "conflict";
	case VP_DEFRAG_OVERLAP:
		return "overlap";
	case VP_DEFRAG_INVALID:
		return "invalid";
	case VP_DEFRAG_TOO_LARGE:
		return "too-large";
	case VP_DEFRAG_MEMCAP:
		return "memcap";
	default:
		return "?";
	}
}

/* ---- parsing ---------------------------------------------------------------------------- */

static int parse_ip4(const uint8_t *b, size_t len, struct frag_info *fi)
{
	size_t ihl, tot;
	uint16_t frag;

	if (len < IP4_HDR_LEN)
		return VP_DEFRAG_INVALID;
	ihl = (b[0] & 0x0fu) * 4u;
	tot = rd16(b + 2);
	if (ihl < IP4_HDR_LEN || tot < ihl || tot > len)
		return VP_DEFRAG_INVALID;
	frag = rd16(b + 6);
	fi->off = (uint32_t)(frag & 0x1fffu) * 8u;
	fi->mf = (frag & 0x2000u) != 0;
	if (!fi->off && !fi->mf)
		return VP_DEFRAG_NOT_FRAGMENT;
	fi->proto = b[9];
	fi->id = rd16(b + 4);
	fi->data = b + ihl;
	fi->dlen = tot - ihl;
	fi->hdr_len = ihl;
	return VP_DEFRAG_HELD;
}

static bool ip6_walkable(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 60 || nh == 51; /* hop-by-hop, routing, dst, AH */
}

/* Finds the first fragment header; the headers before it are the unfragmentable part. */
static int parse_ip6(const uint8_t *b, size_t len, struct frag_info *fi)
{
	size_t end, off = IP6_HDR_LEN, nh_off = 6, hl;
	uint8_t nh;
	uint16_t w;
	int n;

	if (len < IP6_HDR_LEN)
		return VP_DEFRAG_INVALID;
	end = IP6_HDR_LEN + (size_t)rd16(b + 4);
	if (end > len)
		return VP_DEFRAG_INVALID;
	for (n = 0, nh = b[6]; nh != 44; n++) {
		if (!ip6_walkable(nh) || n == IP6_MAX_EXTHDRS || end - off < 2)
			return VP_DEFRAG_NOT_FRAGMENT;
		hl = nh == 51 ? ((size_t)b[off + 1] + 2) * 4 : ((size_t)b[off + 1] + 1) * 8;
		if (end - off < hl)
			return VP_DEFRAG_NOT_FRAGMENT;
		nh_off = off;
		nh = b[off];
		off += hl;
	}
	if (end - off < 8)
		return VP_DEFRAG_INVALID;
	w = rd16(b + off + 2);
	fi->off = w & 0xfff8u;
	fi->mf = (w & 1u) != 0;
	if (!fi->off && !fi->mf)
		return VP_DEFRAG_NOT_FRAGMENT; /* atomic fragment (RFC 6946): whole */
	if (end == IP6_HDR_LEN)
		return VP_DEFRAG_INVALID; /* payload length 0: a jumbogram can't be fragmented */
	fi->frag_nh = b[off];
	fi->id = rd32(b + off + 4);
	fi->data = b + off + 8;
	fi->dlen = end - off - 8;
	fi->hdr_len = off;
	fi->nh_off = nh_off;
	return VP_DEFRAG_HELD;
}

/* Minimum upper-layer bytes a first fragment must carry (Linux ipv6frag_thdr_truncated()). */
static size_t l4_min(uint8_t proto, bool v6)
{
	if (proto == 6)
		return 20;
	if (proto == 17 || proto == (v6 ? 58 : 1))
		return 8;
	return v6 ? 1 : 0;
}

/* ---- contexts --------------------------------------------------------------------------- */

static uint32_t key_hash(const struct frag_info *fi, const struct vp_packet *p)
{
	uint32_t h = 2166136261u ^ fi->id ^ ((uint32_t)fi->proto << 24) ^ (fi->v6 ? 0x5a5a : 0);
	size_t i;

	for (i = 0; i < 16; i++)
		h = (h ^ p->src.a[i]) * 16777619u;
	for (i = 0; i < 16; i++)
		h = (h ^ p->dst.a[i]) * 16777619u;
	h ^= fi->id;
	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	h ^= h >> 12;
	return h;
}

static bool key_eq(const struct frag_ctx *c, const struct frag_info *fi, const struct vp_packet *p)
{
	return c->v6 == fi->v6 && c->id == fi->id && c->proto == fi->proto &&
	       memcmp(c->src, p->src.a, 16) == 0 && memcmp(c->dst, p->dst.a, 16) == 0;
}

static uint32_t ctx_find(const struct vp_defrag *d, uint32_t h, const struct frag_info *fi,
			 const struct vp_packet *p)
{
	uint32_t i;

	for (i = d->buckets[h & d->bucket_mask]; i != NONE; i = d->ctx[i].hnext)
		if (d->ctx[i].hash == h && key_eq(&d->ctx[i], fi, p))
			return i;
	return NONE;
}

static void chunks_release(struct vp_defrag *d, struct frag_ctx *c)
{
	size_t i;

	for (i = 0; i < MAP_SLOTS; i++) {
		if (c->map[i] == NONE)
			continue;
		d->free_chunks[d->nfree_chunks++] = c->map[i];
		d->st.bytes_held -= VP_DEFRAG_CHUNK;
		c->map[i] = NONE;
	}
}

static void ctx_kill(struct vp_defrag *d, uint32_t idx)
{
	struct frag_ctx *c = &d->ctx[idx];
	uint32_t *pp = &d->buckets[c->hash & d->bucket_mask];
	int v = c->v6;

	while (*pp != idx)
		pp = &d->ctx[*pp].hnext;
	*pp = c->hnext;
	if (c->prev != NONE)
		d->ctx[c->prev].next = c->next;
	else
		d->age_head[v] = c->next;
	if (c->next != NONE)
		d->ctx[c->next].prev = c->prev;
	else
		d->age_tail[v] = c->prev;
	chunks_release(d, c);
	c->used = false;
	c->next = d->free_ctx;
	d->free_ctx = idx;
	d->st.in_progress--;
}

static uint32_t ctx_new(struct vp_defrag *d, uint32_t h, const struct frag_info *fi,
			const struct vp_packet *p, int64_t now)
{
	uint32_t idx = d->free_ctx, i;
	struct frag_ctx *c;
	int v = fi->v6;

	if (idx == NONE)
		return NONE;
	c = &d->ctx[idx];
	d->free_ctx = c->next;
	memset(c, 0, offsetof(struct frag_ctx, hdr));
	for (i = 0; i < MAP_SLOTS; i++)
		c->map[i] = NONE;
	c->used = true;
	c->v6 = fi->v6;
	c->proto = fi->proto;
	c->id = fi->id;
	memcpy(c->src, p->src.a, 16);
	memcpy(c->dst, p->dst.a, 16);
	c->hash = h;
	c->start_us = now;
	c->hnext = d->buckets[h & d->bucket_mask];
	d->buckets[h & d->bucket_mask] = idx;
	c->next = NONE;
	c->prev = d->age_tail[v];
	if (c->prev != NONE)
		d->ctx[c->prev].next = idx;
	else
		d->age_head[v] = idx;
	d->age_tail[v] = idx;
	d->st.in_progress++;
	return idx;
}

static void expire_list(struct vp_defrag *d, int v, int64_t now, int64_t timeout_us, bool all)
{
	uint32_t idx;

	while ((idx = d->age_head[v]) != NONE) {
		if (!all && now - d->ctx[idx].start_us <= timeout_us)
			break;
		if (!d->ctx[idx].dead)
			d->st.timeouts++;
		ctx_kill(d, idx);
	}
}

static int64_t tv_us(const struct timeval *tv)
{
	return (int64_t)tv->tv_sec * 1000000 + tv->tv_usec;
}

/*
 * Expires the datagrams older than their timeout at <now>.  The age lists are in arrival order;
 * a capture whose timestamps go backwards only delays expiry.  Owner thread.
 */
void vp_defrag_expire(struct vp_defrag *d, const struct timeval *now)
{
	expire_list(d, 0, tv_us(now), (int64_t)d->lim.timeout4_ms * 1000, false);
	expire_list(d, 1, tv_us(now), (int64_t)d->lim.timeout6_ms * 1000, false);
}

/* Discards every datagram in progress, counted as timeouts.  Owner thread. */
void vp_defrag_flush(struct vp_defrag *d)
{
	expire_list(d, 0, 0, 0, true);
	expire_list(d, 1, 0, 0, true);
}

/* ---- runs and data ---------------------------------------------------------------------- */

/*
 * Classifies [off, end) against the runs as Linux's inet_frag_queue_insert() does; <*pos> is
 * where a new run goes, or the run that contains a duplicate.
 */
static int run_classify(const struct frag_ctx *c, uint32_t off, uint32_t end, uint32_t *pos)
{
	uint32_t lo = 0, hi = c->nruns, mid;
	const struct run *tail;

	*pos = 0;
	if (!c->nruns)
		return RUN_NEW;
	tail = &c->runs[c->nruns - 1];
	if (tail->end < end) {
		*pos = c->nruns;
		if (off < tail->end)
			return RUN_OVERLAP;
		return off == tail->end ? RUN_EXTEND : RUN_NEW;
	}
	while (lo < hi) { /* first run ending after off */
		mid = lo + (hi - lo) / 2;
		if (c->runs[mid].end <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	if (lo == c->nruns || c->runs[lo].start >= end)
		return RUN_NEW;
	if (off >= c->runs[lo].start && end <= c->runs[lo].end)
		return RUN_DUP;
	return RUN_OVERLAP;
}

static uint32_t chunks_needed(const struct frag_ctx *c, uint32_t off, uint32_t end)
{
	uint32_t i, n = 0;

	for (i = off / VP_DEFRAG_CHUNK; i <= (end - 1) / VP_DEFRAG_CHUNK; i++)
		n += c->map[i] == NONE;
	return n;
}

static uint8_t *chunk_ptr(const struct vp_defrag *d, uint32_t chunk)
{
	return d->chunks + (size_t)chunk * VP_DEFRAG_CHUNK;
}

/* Copies <src> to datagram offsets [off, end); the chunks were reserved by the caller. */
static void data_store(struct vp_defrag *d, struct frag_ctx *c, uint32_t off, uint32_t end,
		       const uint8_t *src)
{
	uint32_t at, slot, n;

	for (at = off; at < end; at += n, src += n) {
		slot = at / VP_DEFRAG_CHUNK;
		if (c->map[slot] == NONE) {
			c->map[slot] = d->free_chunks[--d->nfree_chunks];
			d->st.bytes_held += VP_DEFRAG_CHUNK;
		}
		n = VP_DEFRAG_CHUNK - at % VP_DEFRAG_CHUNK;
		if (n > end - at)
			n = end - at;
		memcpy(chunk_ptr(d, c->map[slot]) + at % VP_DEFRAG_CHUNK, src, n);
	}
}

/* Copies datagram offsets [off, end) (all held) to <dst>, or compares them when <cmp>. */
static bool data_load(const struct vp_defrag *d, const struct frag_ctx *c, uint32_t off,
		      uint32_t end, uint8_t *dst, const uint8_t *cmp)
{
	uint32_t at, n;
	const uint8_t *src;

	for (at = off; at < end; at += n) {
		src = chunk_ptr(d, c->map[at / VP_DEFRAG_CHUNK]) + at % VP_DEFRAG_CHUNK;
		n = VP_DEFRAG_CHUNK - at % VP_DEFRAG_CHUNK;
		if (n > end - at)
			n = end - at;
		if (cmp && memcmp(src, cmp + (at - off), n) != 0)
			return false;
		if (dst)
			memcpy(dst + (at - off), src, n);
	}
	return true;
}

static void run_insert(struct frag_ctx *c, int kind, uint32_t pos, uint32_t off, uint32_t end)
{
	if (kind == RUN_EXTEND) {
		c->runs[c->nruns - 1].end = end;
		return;
	}
	memmove(&c->runs[pos + 1], &c->runs[pos], (c->nruns - pos) * sizeof(c->runs[0]));
	c->runs[pos] = (struct run){off, end};
	c->nruns++;
}

/* ---- output ----------------------------------------------------------------------------- */

static uint16_t ip4_csum(const uint8_t *b, size_t n)
{
	uint32_t acc = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		acc += rd16(b + i);
	while (acc >> 16)
		acc = (acc & 0xffffu) + (acc >> 16);
	return (uint16_t)~acc;
}

/* Rebuilds the datagram of <c> into d->out; returns its length, or 0 when too large. */
static size_t rebuild(struct vp_defrag *d, const struct frag_ctx *c)
{
	uint8_t *o = d->out;
	size_t total = (size_t)c->hdr_len + c->len;

	if (total > IP_MAXPLEN + (c->v6 ? IP6_HDR_LEN : 0))
		return 0;
	memcpy(o, c->hdr, c->hdr_len);
	data_load(d, c, 0, c->len, o + c->hdr_len, NULL);
	if (c->v6) {
		o[c->nh_off] = c->frag_nh;
		wr16(o + 4, (uint16_t)(total - IP6_HDR_LEN));
		return total;
	}
	wr16(o + 2, (uint16_t)total);
	wr16(o + 6, rd16(o + 6) & 0xc000u); /* keep DF and the reserved bit */
	wr16(o + 10, 0);
	wr16(o + 10, ip4_csum(o, c->hdr_len));
	return total;
}

/* ---- the packet path -------------------------------------------------------------------- */

/* Linux's length checks, in its order; may discard the datagram.  Adjusts <*end>. */
static int check_lengths(struct vp_defrag *d, uint32_t idx, const struct frag_info *fi,
			 uint32_t *end)
{
	struct frag_ctx *c = &d->ctx[idx];

	if (!fi->mf) {
		if (*end < c->len || (c->last_in && *end != c->len))
			goto kill;
		c->last_in = true;
		c->len = *end;
	} else {
		if (*end & 7u) {
			if (fi->v6)
				return VP_DEFRAG_INVALID; /* this fragment only */
			*end &= ~7u;
		}
		if (*end > c->len) {
			if (c->last_in)
				goto kill;
			c->len = *end;
		}
	}
	if (*end == fi->off)
		goto kill;
	return VP_DEFRAG_HELD;
kill:
	ctx_kill(d, idx);
	return VP_DEFRAG_INVALID;
}

/* Keeps the header of an offset-0 fragment; accept() checked that it fits. */
static void keep_header(struct frag_ctx *c, const struct vp_packet *p, const struct frag_info *fi)
{
	memcpy(c->hdr, p->data, fi->hdr_len);
	c->hdr_len = (uint16_t)fi->hdr_len;
	c->nh_off = (uint16_t)fi->nh_off;
	c->frag_nh = fi->frag_nh;
	c->first_in = true;
}

/* Accepts [fi->off, end) into context <idx> once the lengths passed. */
static int accept(struct vp_defrag *d, uint32_t idx, const struct vp_packet *p,
		  const struct frag_info *fi, uint32_t end, uint32_t saved_len, bool saved_last)
{
	struct frag_ctx *c = &d->ctx[idx];
	uint32_t pos;
	int kind = run_classify(c, fi->off, end, &pos);

	if (kind == RUN_OVERLAP) {
		ctx_kill(d, idx);
		return VP_DEFRAG_OVERLAP;
	}
	if (kind == RUN_DUP)
		return data_load(d, c, fi->off, end, NULL, fi->data) ? VP_DEFRAG_DUPLICATE
								     : VP_DEFRAG_CONFLICT;
	if ((kind == RUN_NEW && c->nruns == VP_DEFRAG_MAX_RUNS) ||
	    chunks_needed(c, fi->off, end) > d->nfree_chunks ||
	    (fi->off == 0 && fi->hdr_len > VP_DEFRAG_MAX_HDR)) {
		c->len = saved_len; /* the fragment never arrived */
		c->last_in = saved_last;
		return VP_DEFRAG_MEMCAP;
	}
	run_insert(c, kind, pos, fi->off, end);
	data_store(d, c, fi->off, end, fi->data);
	c->meat += end - fi->off;
	if (fi->off == 0)
		keep_header(c, p, fi);
	return VP_DEFRAG_HELD;
}

/* Runs fragment <fi> through its context; see defrag.h for the policy. */
static int frag_queue(struct vp_defrag *d, const struct vp_packet *p, const struct frag_info *fi,
		      int64_t now, const uint8_t **out, size_t *outlen)
{
	uint32_t h = key_hash(fi, p), idx, end = (uint32_t)(fi->off + fi->dlen);
	uint32_t saved_len;
	struct frag_ctx *c;
	bool fresh = false, saved_last;
	int ret;

	if (fi->v6 && end > IP_MAXPLEN)
		return VP_DEFRAG_TOO_LARGE; /* this fragment only (Linux) */
	idx = ctx_find(d, h, fi, p);
	if (idx == NONE) {
		idx = ctx_new(d, h, fi, p, now);
		if (idx == NONE)
			return VP_DEFRAG_MEMCAP;
		fresh = true;
	}
	c = &d->ctx[idx];
	if (c->dead)
		return VP_DEFRAG_TOO_LARGE;
	saved_len = c->len;
	saved_last = c->last_in;
	ret = check_lengths(d, idx, fi, &end);
	if (ret != VP_DEFRAG_HELD)
		goto out;
	if (!fi->v6 && end + IP4_HDR_LEN > IP_MAXPLEN) {
		chunks_release(d, c); /* never deliverable: keep the key busy until it expires */
		c->dead = true;
		return VP_DEFRAG_TOO_LARGE;
	}
	ret = accept(d, idx, p, fi, end, saved_len, saved_last);
	if (ret != VP_DEFRAG_HELD || !c->first_in || !c->last_in || c->meat != c->len)
		goto out;
	*outlen = rebuild(d, c);
	ctx_kill(d, idx);
	if (!*outlen)
		return VP_DEFRAG_TOO_LARGE;
	*out = d->out;
	return VP_DEFRAG_COMPLETE;
out:
	if (fresh && ret < 0 && ret != VP_DEFRAG_OVERLAP && d->ctx[idx].used && !c->nruns &&
	    !c->dead)
		ctx_kill(d, idx); /* nothing held: like Linux's empty queue, no effect */
	return ret;
}

static int count(struct vp_defrag *d, int ret)
{
	switch (ret) {
	case VP_DEFRAG_COMPLETE:
		d->st.completed++;
		break;
	case VP_DEFRAG_DUPLICATE:
		d->st.duplicates++;
		break;
	case VP_DEFRAG_CONFLICT:
		d->st.conflicts++;
		break;
	case VP_DEFRAG_OVERLAP:
		d->st.overlaps++;
		break;
	case VP_DEFRAG_INVALID:
		d->st.invalid++;
		break;
	case VP_DEFRAG_TOO_LARGE:
		d->st.too_large++;
		break;
	case VP_DEFRAG_MEMCAP:
		d->st.memcap++;
		break;
	default:
		break;
	}
	return ret;
}

/* See defrag.h.  Owner thread; no allocation. */
int vp_defrag_packet(struct vp_defrag *d, const struct vp_packet *p, const uint8_t **out,
		     size_t *outlen)
{
	struct frag_info fi = {0};
	int ret;

	if (!p->fragment || (p->ip_version != 4 && p->ip_version != 6) || !p->data)
		return VP_DEFRAG_NOT_FRAGMENT;
	vp_defrag_expire(d, &p->ts);
	fi.v6 = p->ip_version == 6;
	ret = fi.v6 ? parse_ip6(p->data, p->len, &fi) : parse_ip4(p->data, p->len, &fi);
	if (ret != VP_DEFRAG_HELD)
		return count(d, ret);
	d->st.fragments++;
	if (fi.off == 0 && p->l4.len < l4_min(p->proto, fi.v6)) {
		d->st.tiny_first++;
		if (fi.v6)
			return count(d, VP_DEFRAG_INVALID); /* RFC 7112, Linux */
	}
	return count(d, frag_queue(d, p, &fi, tv_us(&p->ts), out, outlen));
}
