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

#include "signatures/portgroup.h"
#include "signatures/rule.h"
#include "signatures/sig_priv.h"

#define BIT(b) (1ull << (b))

/* The patterns of one build, growing. */
struct pats {
	struct vp_prefilter_pat *p;
	size_t n, cap;
	uint64_t *use;		/* by database: see vp_sig_set.pf_use */
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
	uint64_t *u;
	bool *e;

	if (ps->ndb == ps->dbcap) {
		if (cap > VP_PF_NONE)
			return -E2BIG;
		u = realloc(ps->use, cap * sizeof(*u));
		if (u)
			ps->use = u;
		e = u ? realloc(ps->every, cap * sizeof(*e)) : NULL;
		if (!e)
			return -ENOMEM;
		ps->every = e;
		ps->dbcap = cap;
	}
	ps->use[ps->ndb] = 0;
	ps->every[ps->ndb] = every;
	return (int)ps->ndb++;
}

static int push(struct pats *ps, const struct vp_rule *r, uint32_t rk, unsigned db,
		const uint8_t *b, uint32_t len)
{
	const struct vp_content *ct = &r->lists[r->fp_list].e[r->fp_elem].u.c;
	struct vp_prefilter_pat *p;

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
	ps->use[db] |= use_mask(r);
	return 0;
}

/* Where a payload fast pattern goes among the three payload databases <dbs>. */
static int push_payload(struct pats *ps, const struct vp_rule *r, uint32_t rk,
			const uint16_t dbs[3])
{
	const struct vp_content *ct = &r->lists[r->fp_list].e[r->fp_elem].u.c;
	const uint8_t *b;
	uint32_t len;
	size_t end;
	int ret;

	vp_sig_rule_fp(r, &b, &len);
	if (head_bound(ct, &end) && end <= VP_PF_HEAD_MAX) {
		ret = push(ps, r, rk, dbs[1], b, len);
		if (end > ps->head_len)
			ps->head_len = end;
	} else {
		ret = push(ps, r, rk, dbs[0], b, len);
	}
	if (ret == 0 && r->raw_mode == VP_RAW_PACKET)
		ret = push(ps, r, rk, dbs[2], b, len);	/* also in the packet-only database */
	return ret;
}

/* An HTTP fast pattern: its buffer's database, and the body pair it belongs to. */
static int push_http(struct pats *ps, const struct vp_rule *r, uint32_t rk)
{
	unsigned buf = r->lists[r->fp_list].buf;
	const uint8_t *b;
	uint32_t len;
	int ret;

	vp_sig_rule_fp(r, &b, &len);
	ret = push(ps, r, rk, buf, b, len);
	if (ret == 0 && (buf == VP_BUF_HTTP_RESPONSE_BODY ||
			 (buf == VP_BUF_FILE_DATA && vp_pg_rule_in_dir(r, VP_DIR_TC))))
		ret = push(ps, r, rk, VP_PF_RESP_BODY, b, len);
	if (ret == 0 && (buf == VP_BUF_HTTP_REQUEST_BODY ||
			 (buf == VP_BUF_FILE_DATA && vp_pg_rule_in_dir(r, VP_DIR_TS))))
		ret = push(ps, r, rk, VP_PF_REQ_BODY, b, len);
	return ret;
}

/* The fixed databases; kind[rank] says what each rule brings to the port groups. */
static int fixed_pats(struct vp_sig_set *set, struct pats *ps, uint8_t *kind)
{
	static const uint16_t payload[3] = { VP_BUF_PACKET, VP_PF_PKT_HEAD, VP_PF_PKT_ONLY };
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
			kind[rk] = VP_PGK_SKIP;
			ret = push_http(ps, r, (uint32_t)rk);
		}
	}
	return ret < 0 ? ret : 0;
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

/* The payload database of one port group (its head and packet-only ones are its key's). */
static int group_pats(struct vp_sig_set *set, struct pats *ps, struct vp_port_group *pg)
{
	const struct vp_port_group *t = twin(set, pg);
	uint16_t dbs[3] = { VP_PF_NONE, VP_PF_NONE, VP_PF_NONE };
	const struct vp_rule *r;
	size_t i;
	int ret = 0, n;

	if (t || pg->npayload == 0) {
		pg->db_payload = t ? t->db_payload : VP_PF_NONE;
		return 0;
	}
	n = new_db(ps, true);
	if (n < 0)
		return n;
	pg->db_payload = dbs[0] = (uint16_t)n;
	for (i = 0; i < pg->npayload && ret == 0; i++) {
		r = set->sigs[set->order[pg->payload[i]]]->priv;
		ret = push_payload(ps, r, pg->payload[i], dbs);
	}
	return ret;
}

/*
 * The head and packet-only databases of key <k>: those scans are short or
 * rare, so one per protocol and direction is enough.
 */
static int key_pats(struct vp_sig_set *set, struct pats *ps, const uint8_t *kind, int k)
{
	unsigned g = k < VP_PG_UDP_TS ? VP_GRP_TCP : VP_GRP_UDP, i;
	uint16_t dbs[3] = { VP_PF_NONE, VP_PF_NONE, VP_PF_NONE };
	const struct vp_rule *r;
	size_t rk;
	int ret = 0, n;

	for (i = 1; i < 3; i++) {
		n = new_db(ps, false);
		if (n < 0)
			return n;
		dbs[i] = (uint16_t)n;
	}
	for (rk = 0; rk < set->count && ret == 0; rk++) {
		r = set->sigs[set->order[rk]]->priv;
		if (kind[rk] == VP_PGK_PAYLOAD && (set->grp[rk] & (1u << g)) &&
		    vp_pg_rule_in_dir(r, k & 1))
			ret = push_payload(ps, r, (uint32_t)rk, dbs);
	}
	for (i = 0; i < set->npg[k]; i++) {
		set->pg[k][i].db_head = dbs[1];
		set->pg[k][i].db_only = dbs[2];
	}
	return ret;
}

static int groups_pats(struct vp_sig_set *set, struct pats *ps, const uint8_t *kind)
{
	unsigned k, i;
	int ret;

	ret = vp_pg_build(set, kind, set->pg_max ? set->pg_max : VP_PG_DEFAULT_MAX);
	for (k = 0; k < VP_PG_KEYS && ret == 0; k++) {
		ret = key_pats(set, ps, kind, (int)k);
		for (i = 0; i < set->npg[k] && ret == 0; i++)
			ret = group_pats(set, ps, &set->pg[k][i]);
	}
	return ret;
}

/*
 * Builds set->pf, pf_use, npf, head_len and the port groups.  A failure to
 * compile is reported and leaves the set without prefilter (still correct:
 * every rule is verified); 0, or -ENOMEM.
 */
int vp_sig_prefilter_build(struct vp_sig_set *set, vp_sig_err_fn fn, void *ctx)
{
	struct pats ps = { 0 };
	uint8_t *kind = malloc(set->count ? set->count : 1);
	char err[512];
	int ret = -ENOMEM;

	if (!kind)
		goto out;
	ret = fixed_pats(set, &ps, kind);
	if (ret == 0)
		ret = groups_pats(set, &ps, kind);
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
	return ret;
}
