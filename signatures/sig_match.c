/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Matching: per-worker state and the detection call.  One call collects the
 * candidate rules (prefilter hits in every present buffer, plus the rules
 * without a fast pattern for the packet's protocol and direction) in a
 * bitmap indexed by evaluation rank, then verifies them in rank order --
 * Suricata's action order -- applying flowbits, thresholds and noalert.
 */
#include "vp_build.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signatures/eval.h"
#include "signatures/netaddr.h"
#include "signatures/prefilter.h"
#include "signatures/rule.h"
#include "signatures/sig.h"
#include "signatures/sig_priv.h"
#include "signatures/threshold.h"

#define PCRE_MATCH_LIMIT 3500		/* Suricata's defaults */
#define PCRE_DEPTH_LIMIT 1500
#define PCRE_HEAP_LIMIT_KIB 4096
#define JIT_STACK_MIN (32 * 1024)
#define JIT_STACK_MAX (512 * 1024)

#define BIT(b) (1ull << (b))
#define START_LINES (BIT(VP_BUF_HTTP_REQUEST_LINE) | BIT(VP_BUF_HTTP_RESPONSE_LINE))

struct vp_sig_thread {
	const struct vp_sig_set *set;
	uint64_t gen;			/* the set's compile generation the arrays are for */
	struct vp_eval ev;
	pcre2_jit_stack *jit;
	struct vp_prefilter_scratch *scratch;
	uint64_t *cand;			/* candidate bitmap by rank */
	uint32_t *touched;		/* words of cand set in this call */
	size_t nwords, ntouched;
	struct vp_sig_rule_stats *rs;	/* by load index */
	size_t nrs;
	struct vp_threshold *thr;
	struct vp_sig_thread_stats st;
	bool suppressed;		/* the match being reported: action only */
	int dir;			/* the call's packet direction (enum vp_sig_dir) */
	struct vp_addr cls_src, cls_dst;	/* addr_class(): the last addresses */
	uint64_t cls_gen;
	unsigned cls;
	uint8_t heads[2 * VP_PF_HEAD_MAX];	/* heads() */
	/* the stream or HTTP buffer scan in progress (on_stream_pat, on_buf_pat) */
	struct vp_sig_stream_mem *sm;
	struct vp_sig_buf_mem *bm;
	unsigned sm_db;
	uint64_t sm_from;		/* stream offset of the first byte scanned */
	uint64_t sm_old;		/* occurrences ending by this offset are known */
};

/* Frees the arrays sized for one compile of the set. */
static void arrays_free(struct vp_sig_thread *th)
{
	vp_prefilter_scratch_free(th->scratch);
	free(th->cand);
	free(th->touched);
	free(th->rs);
	th->scratch = NULL;
	th->cand = NULL;
	th->touched = NULL;
	th->rs = NULL;
	th->nwords = th->nrs = 0;
	th->gen = 0;
}

/*
 * Sizes the arrays for the set's current compile.  Done by
 * vp_sig_thread_new(), or on the first call after the set was compiled
 * again (allocates then, once).  0 or -ENOMEM.
 */
static int refresh(struct vp_sig_thread *th)
{
	const struct vp_sig_set *set = th->set;

	arrays_free(th);
	th->nwords = (set->count + 63) / 64 + 1;
	th->cand = calloc(th->nwords, sizeof(*th->cand));
	th->touched = malloc(th->nwords * sizeof(*th->touched));
	th->rs = calloc(set->count ? set->count : 1, sizeof(*th->rs));
	if (!th->cand || !th->touched || !th->rs)
		goto err;
	th->nrs = set->count;
	if (vp_prefilter_patterns(set->pf) && !(th->scratch = vp_prefilter_scratch_new(set->pf)))
		goto err;
	if (set->nthr && !th->thr && !(th->thr = vp_threshold_new(set->thr_entries)))
		goto err;
	th->gen = set->gen;
	return 0;
err:
	arrays_free(th);
	return -ENOMEM;
}

static uint32_t or_default(uint32_t v, uint32_t def)
{
	return v ? v : def;
}

/*
 * Matching state for one worker (PCRE2 match data and limits, JIT stack,
 * prefilter scratch, candidate bitmap, threshold table, counters); owned by
 * the caller, used by that worker only.  Control or worker thread.
 */
struct vp_sig_thread *vp_sig_thread_new(const struct vp_sig_set *set)
{
	struct vp_sig_thread *th = calloc(1, sizeof(*th));

	if (!th || !set)
		goto err;
	th->set = set;
	th->ev.md = pcre2_match_data_create(1, NULL);
	th->ev.mctx = pcre2_match_context_create(NULL);
	th->jit = pcre2_jit_stack_create(JIT_STACK_MIN, JIT_STACK_MAX, NULL);
	if (!th->ev.md || !th->ev.mctx || !th->jit)
		goto err;
	pcre2_set_match_limit(th->ev.mctx, or_default(set->pcre_match_limit, PCRE_MATCH_LIMIT));
	pcre2_set_depth_limit(th->ev.mctx, or_default(set->pcre_depth_limit, PCRE_DEPTH_LIMIT));
	pcre2_set_heap_limit(th->ev.mctx, or_default(set->pcre_heap_kib, PCRE_HEAP_LIMIT_KIB));
	pcre2_jit_stack_assign(th->ev.mctx, NULL, th->jit);
	if (set->compiled && refresh(th) < 0)
		goto err;
	return th;
err:
	vp_sig_thread_free(th);
	return NULL;
}

/* Frees <th>; NULL-safe. Its worker, once it stopped matching. */
void vp_sig_thread_free(struct vp_sig_thread *th)
{
	if (!th)
		return;
	arrays_free(th);
	vp_threshold_free(th->thr);
	pcre2_match_data_free(th->ev.md);
	pcre2_match_context_free(th->ev.mctx);
	pcre2_jit_stack_free(th->jit);
	free(th);
}

/* ---- statistics ---- */

void vp_sig_thread_rule_stats(const struct vp_sig_thread *th, size_t rule_index,
			      struct vp_sig_rule_stats *out)
{
	if (th && rule_index < th->nrs)
		*out = th->rs[rule_index];
	else
		memset(out, 0, sizeof(*out));
}

void vp_sig_thread_stats(const struct vp_sig_thread *th, struct vp_sig_thread_stats *out)
{
	if (!th) {
		memset(out, 0, sizeof(*out));
		return;
	}
	*out = th->st;
	out->pcre_errors = th->ev.pcre_errors;
	out->budget_exhausted = th->ev.budget_hits;
}

bool vp_sig_thread_alert_suppressed(const struct vp_sig_thread *th)
{
	return th && th->suppressed;
}

/* ---- candidates ---- */

static void cand_add(void *arg, uint32_t rank)
{
	struct vp_sig_thread *th = arg;
	uint32_t w = rank >> 6;

	if (!th->cand[w])
		th->touched[th->ntouched++] = w;
	th->cand[w] |= BIT(rank & 63);
}

static void cand_list(struct vp_sig_thread *th, const uint32_t *ranks, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		cand_add(th, ranks[i]);
}

static int packet_group(const struct vp_packet *p)
{
	if (p->anomalies & (VP_ANOM_IP_FRAGMENT | VP_ANOM_L4_TRUNCATED))
		return VP_GRP_OTHER;	/* no L4 header decoded: only ip rules apply */
	switch (p->proto) {
	case 6: return VP_GRP_TCP;
	case 17: return VP_GRP_UDP;
	case 1:
	case 58: return VP_GRP_ICMP;
	default: return VP_GRP_OTHER;
	}
}

static int packet_dir(const struct vp_packet *p)
{
	if (p->flow_flags & VP_PKT_TO_SERVER)
		return VP_DIR_TS;
	return (p->flow_flags & VP_PKT_TO_CLIENT) ? VP_DIR_TC : VP_DIR_NONE;
}

/*
 * Scans data[0..len) with database <db> unless no hit could verify; a failure
 * makes every rule of the group a candidate.
 */
static void scan(struct vp_sig_thread *th, const struct vp_sig_input *in, int g, unsigned db,
		 const uint8_t *data, size_t len)
{
	const struct vp_sig_set *set = th->set;

	if (!vp_prefilter_has(set->pf, db) || !(in->fresh & set->pf_use[db][th->dir]))
		return;	/* buffers_ok() needs a fresh buffer */
	if (vp_prefilter_scan(set->pf, th->scratch, db, data, len, cand_add, th) < 0) {
		th->st.prefilter_errors++;
		cand_list(th, set->all[g], set->nall[g]);
	}
}

/* ---- the stream, scanned once per byte ---- */

static void mem_forget(struct vp_sig_stream_mem *m, unsigned i)
{
	m->n--;
	m->pat[i] = m->pat[m->n];
	m->start[i] = m->start[m->n];
}

/* Keeps pattern <pat> starting at <start>; a full table forgets its oldest entry. */
static void mem_keep(struct vp_sig_stream_mem *m, uint32_t pat, uint64_t start)
{
	unsigned i, old = 0;

	if (m->n == VP_SIG_STREAM_HITS) {
		for (i = 1; i < m->n; i++)
			if (m->start[i] < m->start[old])
				old = i;
		if (m->start[old] + 1 > m->lost)
			m->lost = m->start[old] + 1;
		mem_forget(m, old);
	}
	m->pat[m->n] = pat;
	m->start[m->n++] = start;
}

/* An occurrence in the stream's new bytes (or the look-back before them). */
static void on_stream_pat(void *arg, uint32_t pat, uint32_t len, uint64_t end)
{
	struct vp_sig_thread *th = arg;
	struct vp_sig_stream_mem *m = th->sm;
	uint64_t e = th->sm_from + end, start = e - len;
	unsigned i;

	if (e <= th->sm_old)
		return;	/* inside the bytes scanned before: known */
	for (i = 0; i < m->n; i++) {
		if (m->pat[i] == pat) {
			if (start > m->start[i])
				m->start[i] = start;
			return;	/* its rules are candidates already */
		}
	}
	vp_prefilter_pat_ids(th->set->pf, th->sm_db, pat, cand_add, th);
	mem_keep(m, pat, start);
}

/*
 * Whether the memory can stand for the window's old bytes: same set and
 * database, the new bytes follow exactly what was scanned, and nothing
 * forgotten may still be in the window.  Otherwise it is emptied.
 */
static bool mem_usable(struct vp_sig_stream_mem *m, uint64_t key, const struct vp_sig_input *in)
{
	uint64_t base = in->stream_off;

	if (m->key == key && in->stream_new_off > 0 && m->scanned == base + in->stream_new_off &&
	    m->lost <= base)
		return true;
	m->key = key;
	m->n = 0;
	m->lost = 0;
	return false;
}

/* Candidates from the remembered occurrences still inside the window; the others go. */
static void mem_replay(struct vp_sig_thread *th, struct vp_sig_stream_mem *m, unsigned db,
		       uint64_t base)
{
	unsigned i = 0;

	while (i < m->n) {
		if (m->start[i] < base) {
			mem_forget(m, i);
			continue;
		}
		vp_prefilter_pat_ids(th->set->pf, db, m->pat[i], cand_add, th);
		i++;
	}
}

/*
 * The STREAM buffer with payload database <db>: with a memory, only the new
 * bytes (and the look-back a pattern ending in them needs) are scanned, the
 * occurrences in the older window bytes come from the memory.
 */
static void scan_stream(struct vp_sig_thread *th, const struct vp_sig_input *in, int g,
			unsigned db, const struct vp_slice *s)
{
	const struct vp_sig_set *set = th->set;
	struct vp_sig_stream_mem *m = in->stream_mem;
	size_t from = 0, back;

	if (!m) {
		scan(th, in, g, db, s->ptr, s->len);
		return;
	}
	if (!vp_prefilter_has(set->pf, db) || !(in->fresh & set->pf_use[db][th->dir]))
		return;
	if (mem_usable(m, set->gen << 16 | db, in)) {
		mem_replay(th, m, db, in->stream_off);
		back = vp_prefilter_max_len(set->pf, db) - 1;
		from = in->stream_new_off > back ? in->stream_new_off - back : 0;
	}
	th->sm = m;
	th->sm_db = db;
	th->sm_from = in->stream_off + from;
	th->sm_old = from ? in->stream_off + in->stream_new_off : 0;
	if (vp_prefilter_scan_pats(set->pf, th->scratch, db, s->ptr + from, s->len - from,
				   on_stream_pat, th) < 0) {
		th->st.prefilter_errors++;
		cand_list(th, set->all[g], set->nall[g]);
		m->key = 0;
		return;
	}
	m->scanned = in->stream_off + s->len;
}

/* ---- HTTP buffers, scanned once per transaction ---- */

static struct vp_sig_buf_mem *buf_mem(struct vp_sig_thread *th, const struct vp_sig_input *in)
{
	struct vp_sig_buf_mem *m = in->buf_mem;

	if (m && (m->key != th->set->gen || m->tx != in->tx_id)) {
		m->key = th->set->gen;
		m->tx = in->tx_id;
		m->nent = m->npat = 0;
	}
	return m;
}

/* The entry of buffer <s> in database <db>, or -1. */
static int buf_find(const struct vp_sig_buf_mem *m, unsigned db, const struct vp_slice *s)
{
	unsigned i;

	for (i = 0; i < m->nent; i++)
		if (m->ent[i].db == db && m->ent[i].ptr == s->ptr && m->ent[i].len == s->len)
			return (int)i;
	return -1;
}

static void on_buf_pat(void *arg, uint32_t pat, uint32_t len, uint64_t end)
{
	struct vp_sig_thread *th = arg;
	struct vp_sig_buf_mem *m = th->bm;

	(void)len;
	(void)end;
	vp_prefilter_pat_ids(th->set->pf, th->sm_db, pat, cand_add, th);
	if (m->npat < VP_SIG_BUF_PATS)
		m->pat[m->npat] = pat;
	if (m->npat <= VP_SIG_BUF_PATS)
		m->npat++;	/* one past the end: the entry is not kept */
}

/*
 * An HTTP buffer: a fresh one is scanned and its patterns kept; one that is
 * not fresh and was kept in this transaction is replayed.
 */
static void scan_buf(struct vp_sig_thread *th, const struct vp_sig_input *in, int g,
		     unsigned db, const struct vp_slice *s, bool fresh)
{
	const struct vp_sig_set *set = th->set;
	struct vp_sig_buf_mem *m = buf_mem(th, in);
	unsigned first, i;
	int e;

	if (!m || !vp_prefilter_has(set->pf, db) || !(in->fresh & set->pf_use[db][th->dir]) ||
	    m->nent == VP_SIG_BUF_ENTRIES) {
		scan(th, in, g, db, s->ptr, s->len);
		return;
	}
	e = buf_find(m, db, s);
	if (e >= 0 && !fresh) {
		for (i = 0; i < m->ent[e].n; i++)
			vp_prefilter_pat_ids(set->pf, db, m->pat[m->ent[e].first + i], cand_add, th);
		return;
	}
	for (i = 0; fresh && i < m->nent; i++)
		if (m->ent[i].db == db)
			m->ent[i].db = VP_PF_NONE;	/* new bytes: what was kept is stale */
	first = m->npat;
	th->bm = m;
	th->sm_db = db;
	if (vp_prefilter_scan_pats(set->pf, th->scratch, db, s->ptr, s->len, on_buf_pat, th) < 0) {
		th->st.prefilter_errors++;
		cand_list(th, set->all[g], set->nall[g]);
		m->npat = (uint16_t)first;
		return;
	}
	if (m->npat > VP_SIG_BUF_PATS) {
		m->npat = VP_SIG_BUF_PATS;
		return;	/* not kept: no room */
	}
	m->ent[m->nent].ptr = s->ptr;
	m->ent[m->nent].len = (uint32_t)s->len;
	m->ent[m->nent].db = (uint16_t)db;
	m->ent[m->nent].first = (uint16_t)first;
	m->ent[m->nent++].n = (uint16_t)(m->npat - first);
}

/* ---- which databases ---- */

/*
 * The port group of the packet, or NULL: the fixed databases and lists
 * apply; *kd: its key's shared databases.
 */
static const struct vp_port_group *port_group(const struct vp_sig_set *set,
					      const struct vp_packet *p, int g, int d,
					      const struct vp_pg_key_dbs **kd)
{
	int k;

	if ((g != VP_GRP_TCP && g != VP_GRP_UDP) || d == VP_DIR_NONE)
		return NULL;
	k = (g == VP_GRP_UDP ? VP_PG_UDP_TS : VP_PG_TCP_TS) + d;
	if (!set->pg_map[k])
		return NULL;
	*kd = &set->pg_dbs[k];
	return &set->pg[k][set->pg_map[k][d == VP_DIR_TS ? p->dport : p->sport]];
}

static size_t head(const struct vp_sig_set *set, const struct vp_slice *s)
{
	return s->len < set->head_len ? s->len : set->head_len;
}

/*
 * The packet's address class (enum vp_sig_cls), relative to the set's
 * $HOME_NET; the last packet's is kept, as calls come in runs of one flow.
 */
static unsigned addr_class(struct vp_sig_thread *th, const struct vp_packet *p)
{
	const struct vp_sig_set *set = th->set;

	if (!set->home)
		return 0;
	if (th->cls_gen == set->gen && !memcmp(&th->cls_src, &p->src, sizeof(p->src)) &&
	    !memcmp(&th->cls_dst, &p->dst, sizeof(p->dst)))
		return th->cls;
	th->cls = (vp_netaddr_match_addr(set->home, &p->src) ? VP_CLS_SRC_HOME : 0) |
		  (vp_netaddr_match_addr(set->home, &p->dst) ? VP_CLS_DST_HOME : 0);
	th->cls_src = p->src;
	th->cls_dst = p->dst;
	th->cls_gen = set->gen;
	return th->cls;
}

/*
 * A body that is two buffers at once is scanned once, with their pair's
 * database; the pair holds the file.data rules of the body's direction.
 */
static bool body_pair(struct vp_sig_thread *th, const struct vp_sig_input *in, int g,
		      unsigned body, unsigned db, uint64_t *done)
{
	const struct vp_slice *a = &in->buf[VP_BUF_FILE_DATA], *b = &in->buf[body];
	uint64_t both = BIT(VP_BUF_FILE_DATA) | BIT(body);
	uint32_t dir = body == VP_BUF_HTTP_RESPONSE_BODY ? VP_PKT_TO_CLIENT : VP_PKT_TO_SERVER;

	if ((in->present & both) != both || a->ptr != b->ptr || a->len != b->len ||
	    !(in->p->flow_flags & dir))
		return false;
	scan(th, in, g, db, a->ptr, a->len);
	*done |= both;
	return true;
}

/* Whether the packet's payload is where the stream's new bytes start, byte for byte. */
static bool pkt_in_stream(const struct vp_sig_input *in)
{
	const struct vp_slice *p = &in->buf[VP_BUF_PACKET], *s = &in->buf[VP_BUF_STREAM];

	return p->ptr && s->ptr && p->len && in->stream_new_off <= s->len &&
	       p->len <= s->len - in->stream_new_off &&
	       memcmp(s->ptr + in->stream_new_off, p->ptr, p->len) == 0;
}

/*
 * The stream window's head and the packet's, one after the other, in one
 * scan of their head-and-packet-only database: the two short scans cost a
 * call each otherwise.  A pattern across the seam is a spare candidate.
 */
static void heads(struct vp_sig_thread *th, const struct vp_sig_input *in, int g, unsigned db,
		  const struct vp_slice *stream, const struct vp_slice *pkt)
{
	size_t a = head(th->set, stream), b = head(th->set, pkt);

	memcpy(th->heads, stream->ptr, a);
	memcpy(th->heads + a, pkt->ptr, b);
	scan(th, in, g, db, th->heads, a + b);
}

/*
 * Scans every present buffer that has a database.  The payload ones are
 * the port group's.  On TCP with a stream the payload rules that may read
 * the stream read it (raw_buffer()), so the packet is scanned only for the
 * packet-only rules: a hit of another payload rule in the packet alone could
 * not verify on the stream anyway.  When the packet is inside the stream
 * window, only its head needs that scan: the stream scan found the rest.
 */
static void prefilter(struct vp_sig_thread *th, const struct vp_sig_input *in, int g,
		      const struct vp_port_group *pg, const struct vp_pg_key_dbs *kd)
{
	const struct vp_sig_set *set = th->set;
	bool split = g == VP_GRP_TCP && (in->present & BIT(VP_BUF_STREAM));
	unsigned cls = addr_class(th, in->p);
	unsigned pl = pg ? pg->db_payload[cls] : VP_BUF_PACKET;
	unsigned hd = pg ? kd->head[cls] : VP_PF_PKT_HEAD;
	unsigned only = pg ? kd->only[cls] : VP_PF_PKT_ONLY, b;
	/* compared only when a packet-only pattern could make it matter */
	bool in_stream = split && (vp_prefilter_has(set->pf, only) ||
				   (pg && vp_prefilter_has(set->pf, kd->both[cls]))) &&
			 pkt_in_stream(in);
	bool both = pg && in_stream;
	uint64_t done = 0, todo;
	const struct vp_slice *s;

	body_pair(th, in, g, VP_BUF_HTTP_RESPONSE_BODY, set->pair_db[0][cls], &done);
	body_pair(th, in, g, VP_BUF_HTTP_REQUEST_BODY, set->pair_db[1][cls], &done);
	todo = in->present & ~done & (BIT(VP_BUF_COUNT) - 1);
	for (; todo; todo &= todo - 1) {
		b = (unsigned)__builtin_ctzll(todo);
		s = &in->buf[b];
		if (!s->ptr)
			continue;
		if (b == VP_BUF_STREAM) {
			scan_stream(th, in, g, pl, s);
			if (both)
				heads(th, in, g, kd->both[cls], s, &in->buf[VP_BUF_PACKET]);
			else
				scan(th, in, g, hd, s->ptr, head(set, s));
		} else if (b == VP_BUF_PACKET && both) {
			continue;	/* with the stream's head, below */
		} else if (b == VP_BUF_PACKET && !split) {
			scan(th, in, g, pl, s->ptr, s->len);
			scan(th, in, g, hd, s->ptr, head(set, s));
		} else if (b == VP_BUF_PACKET) {
			scan(th, in, g, only, s->ptr, in_stream ? head(set, s) : s->len);
		} else {
			scan_buf(th, in, g, set->buf_db[b][cls], s, in->fresh & BIT(b));
		}
	}
}

static void collect(struct vp_sig_thread *th, const struct vp_sig_input *in, int g)
{
	const struct vp_sig_set *set = th->set;
	int d = packet_dir(in->p);
	const struct vp_pg_key_dbs *kd = NULL;
	const struct vp_port_group *pg;

	th->ntouched = 0;
	th->dir = d;
	if (!set->pf) {
		cand_list(th, set->all[g], set->nall[g]);
		return;
	}
	pg = port_group(set, in->p, g, d, &kd);
	prefilter(th, in, g, pg, kd);
	if (pg)
		cand_list(th, pg->always, pg->nalways);
	else
		cand_list(th, set->always[g][d], set->nalways[g][d]);
}

static void sort_words(uint32_t *w, size_t n)
{
	size_t i, j;
	uint32_t x;

	for (i = 1; i < n; i++) {
		x = w[i];
		for (j = i; j > 0 && w[j - 1] > x; j--)
			w[j] = w[j - 1];
		w[j] = x;
	}
}

/* ---- verification ---- */

/* Which buffer the payload list reads: the stream on TCP when the rule may, else the packet. */
static int raw_buffer(const struct vp_rank_info *r, const struct vp_sig_input *in, bool tcp)
{
	bool s = tcp && (in->present & BIT(VP_BUF_STREAM));
	bool p = in->present & BIT(VP_BUF_PACKET);

	switch (r->raw_mode) {
	case VP_RAW_PACKET: return p ? VP_BUF_PACKET : -1;
	case VP_RAW_STREAM: return s ? VP_BUF_STREAM : -1;
	default: return s ? VP_BUF_STREAM : p ? VP_BUF_PACKET : -1;
	}
}

/* Every buffer the rule uses is present and one of them is fresh; *raw: the payload's. */
static bool buffers_ok(const struct vp_rank_info *r, const struct vp_sig_input *in, bool tcp,
		       int *raw)
{
	uint64_t need = r->bufmask;

	if (need == 0)
		return (in->fresh & (r->app_http ? START_LINES : BIT(VP_BUF_PACKET))) != 0;
	if (need & BIT(VP_BUF_PACKET)) {
		*raw = raw_buffer(r, in, tcp);
		if (*raw < 0 || in->buf[*raw].len == 0)
			return false;
		need = (need & ~BIT(VP_BUF_PACKET)) | BIT(*raw);
	}
	return (need & in->present) == need && (need & in->fresh);
}

static bool bit_isset(const uint8_t *bits, uint32_t id)
{
	return bits && (bits[id >> 3] & (1u << (id & 7)));
}

/* isset / isnotset (any of the names). */
static bool flowbits_ok(const struct vp_rule *r, const uint8_t *bits)
{
	const struct vp_flowbit *f;
	bool any;
	unsigned i, k;

	for (i = 0; i < r->nfb; i++) {
		f = &r->fb[i];
		if (f->cmd != VP_FB_ISSET && f->cmd != VP_FB_ISNOTSET)
			continue;
		for (any = false, k = 0; k < f->n && !any; k++)
			any = bit_isset(bits, f->id[k]) == (f->cmd == VP_FB_ISSET);
		if (!any)
			return false;
	}
	return true;
}

/* set / unset / toggle, after a full match. */
static void flowbits_apply(const struct vp_rule *r, uint8_t *bits)
{
	const struct vp_flowbit *f;
	unsigned i;
	uint8_t m;

	for (i = 0; bits && i < r->nfb; i++) {
		f = &r->fb[i];
		m = (uint8_t)(1u << (f->id[0] & 7));
		if (f->cmd == VP_FB_SET)
			bits[f->id[0] >> 3] |= m;
		else if (f->cmd == VP_FB_UNSET)
			bits[f->id[0] >> 3] &= (uint8_t)~m;
		else if (f->cmd == VP_FB_TOGGLE)
			bits[f->id[0] >> 3] ^= m;
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool lists_match(struct vp_sig_thread *th, const struct vp_rule *r,
			const struct vp_sig_input *in, int raw)
{
	const struct vp_list *l;
	struct vp_slice s;
	unsigned i;
	int b;

	for (i = 0; i < r->nlists; i++) {
		l = &r->lists[i];
		b = l->buf == VP_BUF_PACKET ? raw : l->buf;
		s = in->buf[b];
		th->ev.need_new = b == VP_BUF_STREAM && in->stream_new_off > 0;
		th->ev.new_off = in->stream_new_off;
		if (!vp_eval_list(&th->ev, l, s.ptr, s.ptr ? s.len : 0))
			return false;
	}
	return true;
}

/* Full verification of the rule of evaluation rank <rk> on a packet of group <g>. */
static bool verify(struct vp_sig_thread *th, size_t rk, const struct vp_sig_input *in, int g)
{
	const struct vp_rank_info *ri = &th->set->rinfo[rk];
	uint32_t ff = in->p->flow_flags;
	const struct vp_rule *r;
	int raw = -1;
	size_t idx;
	uint64_t t0;
	bool ok;

	th->st.candidates++;
	/* What the rank's own array tells first: most candidates stop here,
	 * without touching the rule (another protocol, buffers, direction). */
	if (!(ri->grp & (1u << g)) || !buffers_ok(ri, in, g == VP_GRP_TCP, &raw) ||
	    (ff & ri->flow_set) != ri->flow_set || (ff & ri->flow_clear) ||
	    (in->p->tcp_flags & ri->must_flags) != ri->must_flags)
		return false;
	idx = th->set->order[rk];
	r = th->set->sigs[idx]->priv;
	if (!vp_eval_header(r, in->p) || !flowbits_ok(r, in->flowbits))
		return false;
	th->st.checks++;
	th->rs[idx].checks++;
	t0 = now_ns();
	ok = lists_match(th, r, in, raw);
	th->rs[idx].ns += now_ns() - t0;
	if (ok) {
		th->st.matches++;
		th->rs[idx].matches++;
	}
	return ok;
}

enum report_result { REP_NONE, REP_DONE, REP_STOP };

/* After a full match: flowbits, pass, thresholds, noalert, the callback. */
static enum report_result report(struct vp_sig_thread *th, size_t idx,
				 const struct vp_sig_input *in, vp_sig_match_fn fn, void *ctx)
{
	const struct vp_sig *sig = th->set->sigs[idx];
	const struct vp_rule *r = sig->priv;
	enum vp_thr_verdict v = VP_THRV_ALERT;
	bool cont;

	flowbits_apply(r, in->flowbits);
	if (sig->action == VP_ACT_PASS)
		return REP_STOP;
	if (r->thr.type != VP_THR_NONE)
		v = vp_threshold_check(th->thr, (uint32_t)idx, &r->thr, in->p,
				       &th->st.threshold_evictions);
	if (r->noalert && v == VP_THRV_ALERT)
		v = VP_THRV_ACTION;
	if (v == VP_THRV_NONE || (v == VP_THRV_ACTION && sig->action == VP_ACT_ALERT))
		return REP_NONE;
	th->suppressed = v == VP_THRV_ACTION;
	th->st.reported++;
	th->st.alerts_suppressed += th->suppressed;
	cont = fn ? fn(ctx, sig) : true;
	th->suppressed = false;
	return cont ? REP_DONE : REP_STOP;
}

/* Verifies the candidates in rank order and clears them; stops early if told. */
static unsigned run_words(struct vp_sig_thread *th, const struct vp_sig_input *in, int g,
			  vp_sig_match_fn fn, void *ctx, bool *stop)
{
	const struct vp_sig_set *set = th->set;
	unsigned n = 0, k;
	enum report_result rr;
	uint64_t bits;
	size_t i, w, rk;
	bool all = th->ntouched > 8 && th->ntouched > th->nwords / 16;

	if (!all)
		sort_words(th->touched, th->ntouched);
	for (i = 0; i < (all ? th->nwords : th->ntouched); i++) {
		w = all ? i : th->touched[i];
		bits = *stop ? 0 : th->cand[w];
		th->cand[w] = 0;	/* cleared even after a stop: the next call starts empty */
		while (bits && !*stop) {
			k = (unsigned)__builtin_ctzll(bits);
			bits &= bits - 1;
			rk = w * 64 + k;
			if (!verify(th, rk, in, g))
				continue;
			rr = report(th, set->order[rk], in, fn, ctx);
			n += rr == REP_DONE ||
			     (rr == REP_STOP && set->sigs[set->order[rk]]->action != VP_ACT_PASS);
			*stop = rr == REP_STOP;
		}
	}
	return n;
}

static bool input_ok(const struct vp_sig_set *set, struct vp_sig_thread *th,
		     const struct vp_sig_input *in)
{
	const struct vp_packet *p;

	if (!set || !th || !in || !in->p || th->set != set || !set->compiled)
		return false;
	p = in->p;
	if (p->ip_version != 4 && p->ip_version != 6)
		return false;
	return th->gen == set->gen || refresh(th) == 0;
}

/*
 * Detection over what <in> presents; <fn> borrows each rule to report, in
 * evaluation order.  Owner worker of <th>; no allocation (except once after
 * the set was compiled again, see refresh()), no lock.
 */
unsigned vp_sig_match(const struct vp_sig_set *set, struct vp_sig_thread *th,
		      const struct vp_sig_input *in, vp_sig_match_fn fn, void *ctx)
{
	bool stop = false;
	int g;

	if (!input_ok(set, th, in))
		return 0;
	th->st.calls++;
	g = packet_group(in->p);
	collect(th, in, g);
	return run_words(th, in, g, fn, ctx, &stop);
}

/* vp_sig_match() with this packet's payload as the only buffer, present and fresh. */
unsigned vp_sig_match_packet(const struct vp_sig_set *set, struct vp_sig_thread *th,
			     const struct vp_packet *p, vp_sig_match_fn fn, void *ctx)
{
	struct vp_sig_input in;

	memset(&in, 0, sizeof(in));
	in.p = p;
	if (p) {
		in.buf[VP_BUF_PACKET] = p->payload;
		in.present = in.fresh = BIT(VP_BUF_PACKET);
	}
	return vp_sig_match(set, th, &in, fn, ctx);
}
