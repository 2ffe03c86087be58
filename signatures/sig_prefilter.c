/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Building a rule set's prefilter: which fast pattern goes into which
 * database -- the buffer's, the payload head or packet-only ones, the body
 * pairs, and each port group's payload databases.
 */
#include "vp_build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signatures/netaddr.h"
#include "signatures/portgroup.h"
#include "signatures/rule.h"
#include "signatures/sig_priv.h"

#define BIT(b) (1ull << (b))

/* The patterns of one build, growing. */
struct pats {
	struct vp_prefilter_pat *p;
	size_t n, cap;
	uint64_t (*use)[VP_DIR_COUNT];	/* by database and direction: see vp_sig_set.pf_use */
	bool *every;
	unsigned ndb, dbcap;
	size_t head_len;
};

/*
 * The bytes of the rule's fast pattern given to the prefilter; false when
 * it has none.  Leading NUL bytes are left out (a pattern without them
 * occurs wherever the whole one does): Vectorscan's literal API cannot take
 * them.  When fewer than VP_FP_MIN_REST bytes would remain, the rule has no
 * usable fast pattern and is a candidate for every packet of its group --
 * a one- or two-byte pattern would make every scan slow.
 */
#define VP_FP_MIN_REST 3

bool vp_sig_rule_fp(const struct vp_rule *r, const uint8_t **b, uint32_t *len)
{
	const struct vp_content *ct;
	uint32_t i = 0;

	if (r->fp_list < 0)
		return false;
	ct = &r->lists[r->fp_list].e[r->fp_elem].u.c;
	*b = ct->pat + ((ct->flags & VP_CT_FAST_CHOP) ? ct->fp_off : 0);
	*len = (ct->flags & VP_CT_FAST_CHOP) ? ct->fp_len : ct->len;
	while (i < *len && (*b)[i] == 0)
		i++;
	if (i == *len || (i > 0 && *len - i < VP_FP_MIN_REST))
		return false;
	*b += i;
	*len -= i;
	return true;
}

/* The buffers the rule may read: its lists', a payload list's either raw buffer. */
static uint64_t use_mask(const struct vp_rule *r)
{
	uint64_t raw = BIT(VP_BUF_PACKET) | BIT(VP_BUF_STREAM);

	return r->bufmask | ((r->bufmask & BIT(VP_BUF_PACKET)) ? raw : 0);
}

/*
 * Whether content <ct> can only occur within the first *end bytes of its
 * buffer (eval.c content_window()): startswith, or offset and depth that
 * are constants and no distance or within.
 */
static bool head_bound(const struct vp_content *ct, size_t *end)
{
	int64_t e;

	if (ct->flags & VP_CT_STARTSWITH) {
		*end = ct->len;
		return true;
	}
	if ((ct->flags & VP_CT_RELATIVE) || !(ct->flags & VP_CT_DEPTH) || ct->depth.var >= 0 ||
	    ((ct->flags & VP_CT_OFFSET) && ct->offset.var >= 0))
		return false;
	e = ((ct->flags & VP_CT_OFFSET) ? ct->offset.v : 0) + ct->depth.v;
	*end = e > 0 ? (size_t)e : 0;
	return true;
}

/* A new database number; <every>: reports every occurrence (a stream database). */
static int new_db(struct pats *ps, bool every)
{
	unsigned cap = ps->dbcap ? ps->dbcap * 2 : VP_PF_FIXED + 64;
	uint64_t (*u)[VP_DIR_COUNT];
	bool *e;

	if (ps->ndb == VP_PF_NONE)
		return -E2BIG;	/* database numbers are 16 bits, VP_PF_NONE excluded */
	if (ps->ndb == ps->dbcap) {
		if (cap > VP_PF_NONE)
			cap = VP_PF_NONE;
		u = realloc(ps->use, cap * sizeof(*u));
		if (u)
			ps->use = u;
		e = u ? realloc(ps->every, cap * sizeof(*e)) : NULL;
		if (!e)
			return -ENOMEM;
		ps->every = e;
		ps->dbcap = cap;
	}
	memset(ps->use[ps->ndb], 0, sizeof(ps->use[ps->ndb]));
	ps->every[ps->ndb] = every;
	return (int)ps->ndb++;
}

static int push(struct pats *ps, const struct vp_rule *r, uint32_t rk, unsigned db,
		const uint8_t *b, uint32_t len)
{
	const struct vp_content *ct = &r->lists[r->fp_list].e[r->fp_elem].u.c;
	struct vp_prefilter_pat *p;
	int d;

	if (db == VP_PF_NONE)
		return 0;
	if (ps->n == ps->cap) {
		p = realloc(ps->p, (ps->cap ? ps->cap * 2 : 1024) * sizeof(*p));
		if (!p)
			return -ENOMEM;
		ps->p = p;
		ps->cap = ps->cap ? ps->cap * 2 : 1024;
	}
	p = &ps->p[ps->n++];
	p->db = (uint16_t)db;
	p->caseless = ct->flags & VP_CT_NOCASE;
	p->bytes = b;
	p->len = len;
	p->id = rk;
	for (d = 0; d < VP_DIR_COUNT; d++)
		if (vp_pg_rule_in_dir(r, d))
			ps->use[db][d] |= use_mask(r);
	return 0;
}

/*
 * Where a payload fast pattern goes among the payload databases <dbs>:
 * [0] payload, [1] head, [2] packet-only, [3] head and packet-only both
 * (one scan over the window's head and the packet's, see sig_match.c).
 */
static int push_payload(struct pats *ps, const struct vp_rule *r, uint32_t rk,
			const uint16_t dbs[4])
{
	const struct vp_content *ct = &r->lists[r->fp_list].e[r->fp_elem].u.c;
	size_t end = 0;
	bool head = head_bound(ct, &end) && end <= VP_PF_HEAD_MAX;
	const uint8_t *b;
	uint32_t len;
	int ret;

	vp_sig_rule_fp(r, &b, &len);
	if (head && end > ps->head_len)
		ps->head_len = end;
	ret = push(ps, r, rk, head ? dbs[1] : dbs[0], b, len);
	if (ret == 0 && r->raw_mode == VP_RAW_PACKET)
		ret = push(ps, r, rk, dbs[2], b, len);	/* also in the packet-only database */
	if (ret == 0 && (head || r->raw_mode == VP_RAW_PACKET))
		ret = push(ps, r, rk, dbs[3], b, len);
	return ret;
}

/* An HTTP fast pattern into database <db> (its buffer's, or a body pair's). */
static int push_http(struct pats *ps, const struct vp_rule *r, uint32_t rk, unsigned db)
{
	const uint8_t *b;
	uint32_t len;

	vp_sig_rule_fp(r, &b, &len);
	return push(ps, r, rk, db, b, len);
}

/* Which body pair (0 response, 1 request) a rule's fast pattern belongs to; bit mask. */
static unsigned body_pairs(const struct vp_rule *r)
{
	unsigned buf = r->lists[r->fp_list].buf, m = 0;

	if (buf == VP_BUF_HTTP_RESPONSE_BODY ||
	    (buf == VP_BUF_FILE_DATA && vp_pg_rule_in_dir(r, VP_DIR_TC)))
		m |= 1;
	if (buf == VP_BUF_HTTP_REQUEST_BODY ||
	    (buf == VP_BUF_FILE_DATA && vp_pg_rule_in_dir(r, VP_DIR_TS)))
		m |= 2;
	return m;
}

/*
 * The address classes (bit c: enum vp_sig_cls c) where rule <r>'s source
 * and destination may both match, either way round for "<>".
 */
static uint8_t rule_classes(const struct vp_rule *r, const struct vp_netaddr *home)
{
	unsigned s = vp_netaddr_classes(r->src, home), d = vp_netaddr_classes(r->dst, home), c;
	unsigned sh, dh;
	uint8_t m = 0;

	for (c = 0; c < VP_CLS_COUNT; c++) {
		sh = (c & VP_CLS_SRC_HOME) ? VP_NETADDR_HOME : VP_NETADDR_OUTSIDE;
		dh = (c & VP_CLS_DST_HOME) ? VP_NETADDR_HOME : VP_NETADDR_OUTSIDE;
		if (((s & sh) && (d & dh)) || (r->bidir && (d & sh) && (s & dh)))
			m |= (uint8_t)(1u << c);
	}
	return m;
}

/* The fixed databases; kind[rank] says what each rule brings to the port groups. */
static int fixed_pats(struct vp_sig_set *set, struct pats *ps, uint8_t *kind)
{
	static const uint16_t payload[4] = { VP_BUF_PACKET, VP_PF_PKT_HEAD, VP_PF_PKT_ONLY,
					     VP_PF_NONE };
	const struct vp_rule *r;
	const uint8_t *b;
	uint32_t len;
	size_t rk;
	int ret = 0;

	while (ret >= 0 && ps->ndb < VP_PF_FIXED)
		ret = new_db(ps, ps->ndb == VP_BUF_PACKET);
	for (rk = 0; rk < set->count && ret >= 0; rk++) {
		r = set->sigs[set->order[rk]]->priv;
		if (!vp_sig_rule_fp(r, &b, &len)) {
			kind[rk] = VP_PGK_NOFP;
		} else if (r->lists[r->fp_list].buf == VP_BUF_PACKET) {
			kind[rk] = VP_PGK_PAYLOAD;
			ret = push_payload(ps, r, (uint32_t)rk, payload);
		} else {
			kind[rk] = VP_PGK_SKIP;	/* an HTTP buffer's: http_pats() */
		}
	}
	return ret < 0 ? ret : 0;
}

/* What class_dbs() builds from: ranks, and how their patterns are pushed. */
struct variant_src {
	const uint32_t *rk;
	size_t n;
	unsigned ncls;		/* classes told apart: 1 (all the same) or VP_CLS_COUNT */
	int slot;		/* payload database kind (push_payload()'s dbs[]);
				 * -1: HTTP fast patterns */
};

static int push_variant(struct vp_sig_set *set, struct pats *ps, const uint32_t *rk, size_t n,
			int slot, unsigned db)
{
	uint16_t dbs[4] = { VP_PF_NONE, VP_PF_NONE, VP_PF_NONE, VP_PF_NONE };
	const struct vp_rule *r;
	size_t i;
	int ret = 0;

	if (slot >= 0)
		dbs[slot] = (uint16_t)db;
	for (i = 0; i < n && ret == 0; i++) {
		r = set->sigs[set->order[rk[i]]]->priv;
		ret = slot >= 0 ? push_payload(ps, r, rk[i], dbs) : push_http(ps, r, rk[i], db);
	}
	return ret;
}

/*
 * One database per address class of the ranks <src> (those of the class),
 * an identical one compiled once; out[class] gets the numbers.
 */
static int class_dbs(struct vp_sig_set *set, struct pats *ps, const struct variant_src *src,
		     const uint8_t *cls, uint16_t out[VP_CLS_COUNT])
{
	uint32_t *l[VP_CLS_COUNT] = { NULL };
	size_t n[VP_CLS_COUNT] = { 0 }, i;
	unsigned c, c2;
	int ret = 0, db;

	for (c = 0; c < VP_CLS_COUNT && ret == 0; c++) {
		out[c] = VP_PF_NONE;
		l[c] = malloc((src->n ? src->n : 1) * sizeof(*l[c]));
		if (!l[c]) {
			ret = -ENOMEM;
			break;
		}
		for (i = 0; i < src->n; i++)
			if (src->ncls == 1 || (cls[src->rk[i]] & (1u << c)))
				l[c][n[c]++] = src->rk[i];
		for (c2 = 0; c2 < c; c2++)
			if (n[c2] == n[c] && memcmp(l[c2], l[c], n[c] * sizeof(*l[c])) == 0)
				break;
		if (c2 < c) {
			out[c] = out[c2];
		} else if (n[c]) {
			db = new_db(ps, src->slot == 0);
			ret = db < 0 ? db : push_variant(set, ps, l[c], n[c], src->slot, (unsigned)db);
			out[c] = (uint16_t)db;
		}
	}
	for (c = 0; c < VP_CLS_COUNT; c++)
		free(l[c]);
	return ret;
}

/* The body pairs' databases: response bodies per address class, request bodies one. */
static int pair_pats(struct vp_sig_set *set, struct pats *ps, const uint8_t *cls)
{
	uint32_t *rk = malloc((set->count ? set->count : 1) * sizeof(*rk));
	struct variant_src src = { .rk = rk, .slot = -1 };
	const struct vp_rule *r;
	const uint8_t *b;
	uint32_t len;
	size_t i;
	int pair, ret = rk ? 0 : -ENOMEM;

	for (pair = 0; pair < 2 && ret == 0; pair++) {
		src.n = 0;
		src.ncls = VP_CLS_COUNT;
		for (i = 0; i < set->count; i++) {
			r = set->sigs[set->order[i]]->priv;
			if (vp_sig_rule_fp(r, &b, &len) && (body_pairs(r) & (1u << pair)))
				rk[src.n++] = (uint32_t)i;
		}
		ret = class_dbs(set, ps, &src, cls, set->pair_db[pair]);
	}
	free(rk);
	return ret;
}

/*
 * Each HTTP buffer's databases, per address class: most HTTP rules are for
 * one kind of traffic ("$HOME_NET any -> $EXTERNAL_NET any" for a home
 * client's requests), so a server's inbound requests are searched for a
 * fraction of the patterns.
 */
static int http_pats(struct vp_sig_set *set, struct pats *ps, const uint8_t *cls)
{
	uint32_t *rk = malloc((set->count ? set->count : 1) * sizeof(*rk));
	struct variant_src src = { .rk = rk, .slot = -1, .ncls = VP_CLS_COUNT };
	const struct vp_rule *r;
	const uint8_t *b;
	uint32_t len;
	unsigned buf, c;
	size_t i;
	int ret = rk ? 0 : -ENOMEM;

	for (buf = 0; buf < VP_BUF_COUNT && ret == 0; buf++) {
		for (c = 0; c < VP_CLS_COUNT; c++)
			set->buf_db[buf][c] = VP_PF_NONE;
		if (buf == VP_BUF_PACKET || buf == VP_BUF_STREAM)
			continue;
		src.n = 0;
		for (i = 0; i < set->count; i++) {
			r = set->sigs[set->order[i]]->priv;
			if (vp_sig_rule_fp(r, &b, &len) && r->lists[r->fp_list].buf == buf)
				rk[src.n++] = (uint32_t)i;
		}
		ret = class_dbs(set, ps, &src, cls, set->buf_db[buf]);
	}
	free(rk);
	return ret;
}

/* Whether group <a> has the payload rules of <b> exactly. */
static bool same_payload(const struct vp_port_group *a, const struct vp_port_group *b)
{
	return a->npayload == b->npayload &&
	       memcmp(a->payload, b->payload, a->npayload * sizeof(*a->payload)) == 0;
}

/* A group whose databases can serve <pg>, among those already given some. */
static const struct vp_port_group *twin(const struct vp_sig_set *set, const struct vp_port_group *pg)
{
	unsigned k, i;

	for (k = 0; k < VP_PG_KEYS; k++) {
		for (i = 0; i < set->npg[k]; i++) {
			if (&set->pg[k][i] == pg)
				return NULL;
			if (same_payload(&set->pg[k][i], pg))
				return &set->pg[k][i];
		}
	}
	return NULL;
}

/*
 * The payload database of one port group to the server (its head and
 * packet-only ones are its key's).
 */
static int group_pats(struct vp_sig_set *set, struct pats *ps, struct vp_port_group *pg,
		      const uint8_t *cls)
{
	const struct vp_port_group *t = twin(set, pg);
	struct variant_src src = { .rk = pg->payload, .n = pg->npayload, .slot = 0, .ncls = 1 };

	if (t) {
		memcpy(pg->db_payload, t->db_payload, sizeof(pg->db_payload));
		return 0;
	}
	return class_dbs(set, ps, &src, cls, pg->db_payload);
}

/*
 * The head and packet-only databases of key <k>: those scans are short or
 * rare, so one per protocol and direction is enough.  To the client the
 * payload database is the key's too: there the rules hardly differ by
 * port (most name the client's side) and each database costs load time;
 * the groups still have lists of their own for the rules without a fast
 * pattern.
 */
static int key_pats(struct vp_sig_set *set, struct pats *ps, const uint8_t *kind, int k,
		    const uint8_t *cls)
{
	unsigned g = k < VP_PG_UDP_TS ? VP_GRP_TCP : VP_GRP_UDP, i;
	uint32_t *rk = malloc((set->count ? set->count : 1) * sizeof(*rk));
	struct variant_src src = { .rk = rk, .ncls = (k & 1) ? VP_CLS_COUNT : 1 };
	struct vp_pg_key_dbs *kd = &set->pg_dbs[k];
	uint16_t payload[VP_CLS_COUNT];
	size_t r;
	int ret = 0;

	if (!rk)
		return -ENOMEM;
	for (r = 0; r < set->count; r++)
		if (kind[r] == VP_PGK_PAYLOAD && (set->grp[r] & (1u << g)) &&
		    vp_pg_rule_in_dir(set->sigs[set->order[r]]->priv, k & 1))
			rk[src.n++] = (uint32_t)r;
	src.slot = 0;
	if (k & 1)
		ret = class_dbs(set, ps, &src, cls, payload);
	src.slot = 1;
	if (ret == 0)
		ret = class_dbs(set, ps, &src, cls, kd->head);
	src.slot = 2;
	if (ret == 0)
		ret = class_dbs(set, ps, &src, cls, kd->only);
	src.slot = 3;
	for (i = 0; i < VP_CLS_COUNT; i++)
		kd->both[i] = VP_PF_NONE;
	if (ret == 0 && k < VP_PG_UDP_TS)
		ret = class_dbs(set, ps, &src, cls, kd->both);
	for (i = 0; (k & 1) && i < set->npg[k]; i++)
		memcpy(set->pg[k][i].db_payload, payload, sizeof(payload));
	free(rk);
	return ret;
}

static int groups_pats(struct vp_sig_set *set, struct pats *ps, const uint8_t *kind,
		       const uint8_t *cls)
{
	unsigned k, i;
	int ret;

	ret = vp_pg_build(set, kind, set->pg_max ? set->pg_max : VP_PG_DEFAULT_MAX);
	for (k = 0; k < VP_PG_KEYS && ret == 0; k++) {
		ret = key_pats(set, ps, kind, (int)k, cls);
		for (i = 0; !(k & 1) && i < set->npg[k] && ret == 0; i++)
			ret = group_pats(set, ps, &set->pg[k][i], cls);
	}
	return ret;
}

/* $HOME_NET, when set and parseable: the address classes are relative to it. */
static struct vp_netaddr *home_net(const struct vp_sig_set *set)
{
	const char *text = set->vars ? vp_vars_get(set->vars, "HOME_NET") : NULL;
	char err[128];

	return text ? vp_netaddr_parse_addrs(text, set->vars, err, sizeof(err)) : NULL;
}

/* Each rule's address classes (all four without a home set). */
static int classes(struct vp_sig_set *set, uint8_t **cls)
{
	size_t rk;

	*cls = malloc(set->count ? set->count : 1);
	if (!*cls)
		return -ENOMEM;
	set->home = home_net(set);
	for (rk = 0; rk < set->count; rk++)
		(*cls)[rk] = set->home ? rule_classes(set->sigs[set->order[rk]]->priv, set->home)
				       : (uint8_t)((1u << VP_CLS_COUNT) - 1);
	return 0;
}

/*
 * Builds set->pf, pf_use, npf, head_len and the port groups.  A failure to
 * compile is reported and leaves the set without prefilter (still correct:
 * every rule is verified); 0, or -ENOMEM.
 */
int vp_sig_prefilter_build(struct vp_sig_set *set, vp_sig_err_fn fn, void *ctx)
{
	struct pats ps = { 0 };
	uint8_t *kind = malloc(set->count ? set->count : 1), *cls = NULL;
	char err[512];
	int ret = -ENOMEM;

	if (!kind)
		goto out;
	ret = classes(set, &cls);
	if (ret == 0)
		ret = fixed_pats(set, &ps, kind);
	if (ret == 0)
		ret = http_pats(set, &ps, cls);
	if (ret == 0)
		ret = pair_pats(set, &ps, cls);
	if (ret == 0)
		ret = groups_pats(set, &ps, kind, cls);
	if (ret == -E2BIG) {
		/* still correct without prefilter: every rule is verified */
		if (fn)
			fn(ctx, "-", 0, "prefilter: more than 65535 databases");
		vp_pg_free(set);
		ret = 0;
		goto out;
	}
	if (ret < 0)
		goto out;
	set->pf = vp_prefilter_build(ps.p, ps.n, ps.ndb, ps.every, err, sizeof(err));
	if (!set->pf) {
		if (fn)
			fn(ctx, "-", 0, err);
		vp_pg_free(set);
		goto out;
	}
	set->pf_use = ps.use;
	set->npf = ps.ndb;
	set->head_len = ps.head_len;
	ps.use = NULL;
out:
	if (ret < 0)
		vp_pg_free(set);
	free(ps.p);
	free(ps.use);
	free(ps.every);
	free(kind);
	free(cls);
	return ret;
}
