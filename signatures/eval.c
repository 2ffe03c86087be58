/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <string.h>

#include "signatures/eval.h"

/* ---- header ---- */

static bool side_match(const struct vp_netaddr *a, const struct vp_netaddr *pt,
		       const struct vp_addr *addr, uint16_t port)
{
	return (!a || vp_netaddr_match_addr(a, addr)) && (!pt || vp_netaddr_match_port(pt, port));
}

static bool addr_match(const struct vp_rule *r, const struct vp_packet *p)
{
	if (side_match(r->src, r->sport, &p->src, p->sport) &&
	    side_match(r->dst, r->dport, &p->dst, p->dport))
		return true;
	return r->bidir && side_match(r->src, r->sport, &p->dst, p->dport) &&
	       side_match(r->dst, r->dport, &p->src, p->sport);
}

static bool flags_match(const struct vp_rule *r, const struct vp_packet *p)
{
	uint8_t f = (uint8_t)(p->tcp_flags & ~r->tcp_ignore);

	if (p->proto != 6)
		return false;
	switch (r->tcp_mod) {
	case VP_FLAGS_PLUS: return (f & r->tcp_flags) == r->tcp_flags;
	case VP_FLAGS_ANY: return (f & r->tcp_flags) != 0;
	case VP_FLAGS_NOT: return (f & r->tcp_flags) != r->tcp_flags;
	default: return f == r->tcp_flags;
	}
}

static bool hdr_keywords(const struct vp_rule *r, const struct vp_packet *p)
{
	bool icmp = p->proto == 1 || p->proto == 58;

	if ((r->hdr & VP_HDR_TTL) && !vp_cmp_match(&r->ttl, p->ttl))
		return false;
	if ((r->hdr & VP_HDR_ITYPE) && (!icmp || !vp_cmp_match(&r->itype, p->icmp_type)))
		return false;
	if ((r->hdr & VP_HDR_ICODE) && (!icmp || !vp_cmp_match(&r->icode, p->icmp_code)))
		return false;
	/* dsize:!N is about packets with a payload: an empty one does not match
	 * (Suricata; suricata-verify test-dsize-values). */
	if ((r->hdr & VP_HDR_DSIZE) && (!vp_cmp_match(&r->dsize, p->payload.len) ||
					(r->dsize.op == VP_CMP_NE && p->payload.len == 0)))
		return false;
	if ((r->hdr & VP_HDR_IPPROTO) && !vp_cmp_match(&r->ipproto, p->proto))
		return false;
	if ((r->hdr & VP_HDR_SAMEIP) &&
	    (p->src.family != p->dst.family || memcmp(p->src.a, p->dst.a, sizeof(p->src.a))))
		return false;
	return !(r->hdr & VP_HDR_FLAGS) || flags_match(r, p);
}

bool vp_eval_header(const struct vp_rule *r, const struct vp_packet *p)
{
	if ((p->flow_flags & r->flow_set) != r->flow_set || (p->flow_flags & r->flow_clear))
		return false;
	if (r->hdr && !hdr_keywords(r, p))
		return false;
	return addr_match(r, p);
}

/* ---- content search ---- */

static inline uint8_t lower(uint8_t ch)
{
	return ch >= 'A' && ch <= 'Z' ? (uint8_t)(ch + ('a' - 'A')) : ch;
}

/* Horspool over the lower-cased pattern. */
static const uint8_t *find_nocase(const struct vp_content *ct, const uint8_t *h, size_t hl)
{
	size_t m = ct->len, i = 0, j;
	uint8_t last;

	while (i + m <= hl) {
		last = lower(h[i + m - 1]);
		if (last == ct->pat[m - 1]) {
			for (j = 0; j + 1 < m && lower(h[i + j]) == ct->pat[j]; j++)
				;
			if (j + 1 >= m)
				return h + i;
		}
		i += ct->skip[last];
	}
	return NULL;
}

static bool eq_nocase(const uint8_t *h, const uint8_t *lpat, size_t m)
{
	size_t j;

	for (j = 0; j < m; j++)
		if (lower(h[j]) != lpat[j])
			return false;
	return true;
}

/* memchr() for the pattern's rarest non-letter byte, then compare around it. */
static const uint8_t *find_anchored(const struct vp_content *ct, const uint8_t *h, size_t hl)
{
	size_t a = (size_t)ct->anchor, m = ct->len, pos = a;
	const uint8_t *hit;

	while (pos + (m - a) <= hl) {
		hit = memchr(h + pos, ct->pat[a], hl - (m - a) - pos + 1);
		if (!hit)
			return NULL;
		if (eq_nocase(hit - a, ct->pat, m))
			return hit - a;
		pos = (size_t)(hit - h) + 1;
	}
	return NULL;
}

/* First match of <ct> inside buf[from, end); -1 if none. */
static long find_in(const struct vp_content *ct, const uint8_t *buf, size_t from, size_t end)
{
	const uint8_t *h = buf + from, *hit;
	size_t hl = end - from;

	if (end < from || hl < ct->len)
		return -1;
	if (ct->flags & VP_CT_ENDSWITH) {
		h = buf + end - ct->len;
		hit = (ct->flags & VP_CT_NOCASE) ? (eq_nocase(h, ct->pat, ct->len) ? h : NULL)
						 : (memcmp(h, ct->pat, ct->len) ? NULL : h);
	} else if (ct->flags & VP_CT_NOCASE) {
		hit = ct->anchor >= 0 ? find_anchored(ct, h, hl) : find_nocase(ct, h, hl);
	} else {
		hit = memmem(h, hl, ct->pat, ct->len);
	}
	return hit ? (long)(hit - buf) : -1;
}

/* ---- list evaluation ---- */

static int64_t num_val(const struct vp_eval *ev, const struct vp_num *n)
{
	uint64_t v;

	if (n->var < 0)
		return n->v;
	v = ev->vars[n->var];
	return v > (1u << 30) ? (1 << 30) : (int64_t)v;
}

/* The window [*start, *end) where content <ct> may match, the cursor being <cur>. */
static bool content_window(const struct vp_eval *ev, const struct vp_content *ct, size_t len,
			   size_t cur, size_t *start, size_t *end)
{
	int64_t s, e, d;

	if (ct->flags & VP_CT_STARTSWITH) {
		s = 0;
		e = ct->len;
	} else if (ct->flags & VP_CT_RELATIVE) {
		d = (ct->flags & VP_CT_DISTANCE) ? num_val(ev, &ct->distance) : 0;
		s = (int64_t)cur + d;
		e = (ct->flags & VP_CT_WITHIN) ? s + num_val(ev, &ct->within) : (int64_t)len;
		if (s < 0)
			s = 0;
	} else {
		s = (ct->flags & VP_CT_OFFSET) ? num_val(ev, &ct->offset) : 0;
		e = (ct->flags & VP_CT_DEPTH) ? s + num_val(ev, &ct->depth) : (int64_t)len;
	}
	if (e > (int64_t)len)
		e = (int64_t)len;
	if ((ct->flags & VP_CT_ENDSWITH) && e != (int64_t)len)
		return false;
	if (s > e)
		return false;
	*start = (size_t)s;
	*end = (size_t)e;
	return true;
}

static bool run(struct vp_eval *ev, const struct vp_list *l, const uint8_t *buf, size_t len,
		unsigned i, size_t cur, size_t max_end);

static bool spend(struct vp_eval *ev)
{
	if (ev->budget == 0) {
		ev->budget_hits++;
		return false;
	}
	ev->budget--;
	return true;
}

static bool run_content(struct vp_eval *ev, const struct vp_list *l, const uint8_t *buf,
			size_t len, unsigned i, size_t cur, size_t max_end)
{
	const struct vp_elem *e = &l->e[i];
	const struct vp_content *ct = &e->u.c;
	size_t s, end, me;
	bool win = content_window(ev, ct, len, cur, &s, &end);
	long hit;

	if (ct->flags & VP_CT_NEGATED) {
		if (win && find_in(ct, buf, s, end) >= 0)
			return false;
		return run(ev, l, buf, len, i + 1, cur, max_end);
	}
	if (!win)
		return false;
	for (;;) {
		hit = find_in(ct, buf, s, end);
		if (hit < 0)
			return false;
		me = (size_t)hit + ct->len;
		if (run(ev, l, buf, len, i + 1, me, me > max_end ? me : max_end))
			return true;
		if ((!e->retry && !ev->need_new) || (ct->flags & VP_CT_ENDSWITH) || !spend(ev))
			return false;
		s = (size_t)hit + 1;
	}
}

static bool run_pcre(struct vp_eval *ev, const struct vp_list *l, const uint8_t *buf,
		     size_t len, unsigned i, size_t cur, size_t max_end)
{
	const struct vp_elem *e = &l->e[i];
	size_t sbase = e->u.re.relative ? cur : 0, off = 0, me;
	const uint8_t *subj = buf + sbase;
	PCRE2_SIZE *ov;
	int rc;

	for (;;) {
		rc = pcre2_match(e->u.re.re, subj, len - sbase, off, 0, ev->md, ev->mctx);
		if (rc == PCRE2_ERROR_NOMATCH)
			return e->u.re.negated && run(ev, l, buf, len, i + 1, cur, max_end);
		if (rc < 0) {
			ev->pcre_errors++;	/* a limit: no match, negated or not */
			return false;
		}
		if (e->u.re.negated)
			return false;
		ov = pcre2_get_ovector_pointer(ev->md);
		me = sbase + ov[1];
		if (run(ev, l, buf, len, i + 1, me, me > max_end ? me : max_end))
			return true;
		if ((!e->retry && !ev->need_new) || !spend(ev))
			return false;
		off = ov[0] + 1;
		if (off > len - sbase)
			return false;
	}
}

/* String digits in <base>, at most <n> characters; *used: how many were read. */
static bool read_string(const uint8_t *p, size_t n, unsigned base, uint64_t *val, size_t *used)
{
	uint64_t v = 0;
	unsigned d;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if (base == 16 && lower(p[i]) >= 'a' && lower(p[i]) <= 'f')
			d = lower(p[i]) - 'a' + 10;
		else
			break;
		if (d >= base || v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*val = v;
	*used = i;
	return i > 0;
}

/* Reads the number of a byte_* keyword; *pos: where, *used: bytes consumed. */
static bool byte_read(const struct vp_eval *ev, const struct vp_byte *b, const uint8_t *buf,
		      size_t len, size_t cur, uint64_t *val, size_t *pos, size_t *used)
{
	int64_t p = ((b->flags & VP_BY_RELATIVE) ? (int64_t)cur : 0) + num_val(ev, &b->offset);
	int64_t n = b->nbytes;
	uint64_t v = 0;
	unsigned k;

	if (p < 0 || p > (int64_t)len)
		return false;
	if (n == 0)	/* string: the digits up to the buffer's end (at most 20) */
		n = (int64_t)len - p < 20 ? (int64_t)len - p : 20;
	if (n == 0 || p + n > (int64_t)len)
		return false;
	if (b->flags & VP_BY_STRING) {
		if (!read_string(buf + p, (size_t)n, b->base, &v, used))
			return false;
	} else {
		for (k = 0; k < b->nbytes; k++)
			v = (b->flags & VP_BY_LITTLE) ? v | (uint64_t)buf[p + k] << (8 * k)
						      : v << 8 | buf[p + k];
		*used = b->nbytes;
	}
	if (b->flags & VP_BY_BITMASK) {
		v &= b->bitmask;
		if (v)
			v >>= b->shift;
	}
	*val = v;
	*pos = (size_t)p;
	return true;
}

static bool byte_test(const struct vp_eval *ev, const struct vp_byte *b, uint64_t v)
{
	uint64_t x = b->value.var >= 0 ? ev->vars[b->value.var] : (uint64_t)b->value.v;
	bool m;

	switch (b->op) {
	case VP_BT_LT: m = v < x; break;
	case VP_BT_GT: m = v > x; break;
	case VP_BT_EQ: m = v == x; break;
	case VP_BT_LE: m = v <= x; break;
	case VP_BT_GE: m = v >= x; break;
	case VP_BT_AND: m = (v & x) != 0; break;
	case VP_BT_XOR: m = (v ^ x) != 0; break;
	default: m = false; break;
	}
	return (b->flags & VP_BY_NEGOP) ? !m : m;
}

/* byte_jump: the new cursor, or false when it lands outside the buffer. */
static bool byte_jump(const struct vp_byte *b, uint64_t v, size_t len, size_t pos, size_t used,
		      size_t *ncur)
{
	uint64_t np;

	if (__builtin_mul_overflow(v, (uint64_t)b->multiplier, &v))
		return false;
	if ((b->flags & VP_BY_ALIGN) && (v % 4))
		v += 4 - v % 4;
	v += (uint64_t)(int64_t)b->post_offset;
	if (b->flags & VP_BY_BEGIN)
		np = v;
	else if (b->flags & VP_BY_END)
		np = len + v;
	else
		np = pos + used + v;
	if (np >= len)
		return false;
	*ncur = (size_t)np;
	return true;
}

static bool byte_extract(struct vp_eval *ev, const struct vp_byte *b, uint64_t v)
{
	if (__builtin_mul_overflow(v, (uint64_t)b->multiplier, &v))
		return false;
	if (b->align && (v % b->align))
		v += b->align - v % b->align;
	ev->vars[b->var] = v;
	return true;
}

static bool run_byte(struct vp_eval *ev, const struct vp_list *l, const uint8_t *buf,
		     size_t len, unsigned i, size_t cur, size_t max_end)
{
	const struct vp_elem *e = &l->e[i];
	size_t pos, used, ncur = cur;
	uint64_t v;

	if (!byte_read(ev, &e->u.b, buf, len, cur, &v, &pos, &used))
		return false;
	if (e->kind == VP_EL_BYTE_TEST) {
		if (!byte_test(ev, &e->u.b, v))
			return false;
	} else if (e->kind == VP_EL_BYTE_JUMP) {
		if (!byte_jump(&e->u.b, v, len, pos, used, &ncur))
			return false;
	} else {
		if (!byte_extract(ev, &e->u.b, v))
			return false;
		ncur = pos + used;
	}
	return run(ev, l, buf, len, i + 1, ncur, max_end);
}

static bool isdataat(const struct vp_eval *ev, const struct vp_isdataat *d, size_t len,
		     size_t cur)
{
	int64_t n = num_val(ev, &d->n);
	bool ok = d->relative ? (int64_t)cur + n <= (int64_t)len : n < (int64_t)len;

	return ok != d->negated;
}

/* The end of the list: a stream match must reach past what was inspected before. */
static bool list_done(const struct vp_eval *ev, const struct vp_list *l, size_t len,
		      size_t max_end)
{
	if (!ev->need_new)
		return true;
	return l->has_pos ? max_end > ev->new_off : len > ev->new_off;
}

static bool run(struct vp_eval *ev, const struct vp_list *l, const uint8_t *buf, size_t len,
		unsigned i, size_t cur, size_t max_end)
{
	const struct vp_elem *e;

	if (i == l->n)
		return list_done(ev, l, len, max_end);
	if (!spend(ev))
		return false;
	e = &l->e[i];
	switch (e->kind) {
	case VP_EL_CONTENT:
		return run_content(ev, l, buf, len, i, cur, max_end);
	case VP_EL_PCRE:
		return run_pcre(ev, l, buf, len, i, cur, max_end);
	case VP_EL_ISDATAAT:
		return isdataat(ev, &e->u.d, len, cur) && run(ev, l, buf, len, i + 1, cur, max_end);
	case VP_EL_BSIZE:
		return vp_cmp_match(&e->u.len, len) && run(ev, l, buf, len, i + 1, cur, max_end);
	default:
		return run_byte(ev, l, buf, len, i, cur, max_end);
	}
}

bool vp_eval_list(struct vp_eval *ev, const struct vp_list *l, const uint8_t *buf, size_t len)
{
	static const uint8_t empty[1];

	if (!buf) {
		buf = empty;
		len = 0;
	}
	ev->budget = VP_EVAL_BUDGET;
	return run(ev, l, buf, len, 0, 0, 0);
}
