/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <errno.h>
#include <hs/hs.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "signatures/prefilter.h"

/*
 * One database.  Its distinct patterns are numbered 0..npat and compiled
 * through Vectorscan's literal API, which takes a pattern starting with a
 * NUL byte for an empty string: such patterns are refused (sig_prefilter.c
 * leaves leading NULs out of fast patterns).
 */
struct pf_db {
	hs_database_t *lit;
	uint32_t npat;
	uint32_t max_len;
	bool every;		/* every occurrence is reported (no SINGLEMATCH) */
	uint32_t *first;	/* npat + 1 offsets into ids */
	uint32_t *ids;		/* the ids of each pattern, grouped */
	uint32_t *len;		/* npat pattern lengths */
};

struct vp_prefilter {
	struct pf_db *db;
	unsigned ndb;
	size_t npatterns;
	uint32_t max_npat;
};

struct vp_prefilter_scratch {
	hs_scratch_t *hs;
	uint32_t *seen;		/* by pattern: the scan that reported it last */
	uint32_t nseen;
	uint32_t epoch;
};

/* What the Vectorscan callback needs. */
struct scan_ctx {
	const struct pf_db *d;
	struct vp_prefilter_scratch *s;
	vp_prefilter_hit_fn hit;
	vp_prefilter_pat_fn pat;
	void *ctx;
};

static void db_free(struct pf_db *d)
{
	hs_free_database(d->lit);
	free(d->first);
	free(d->ids);
	free(d->len);
}

void vp_prefilter_free(struct vp_prefilter *pf)
{
	unsigned i;

	if (!pf)
		return;
	for (i = 0; pf->db && i < pf->ndb; i++)
		db_free(&pf->db[i]);
	free(pf->db);
	free(pf);
}

static int pat_cmp(const void *pa, const void *pb, void *arg)
{
	const struct vp_prefilter_pat *pats = arg;
	const struct vp_prefilter_pat *a = &pats[*(const size_t *)pa];
	const struct vp_prefilter_pat *b = &pats[*(const size_t *)pb];
	int d;

	if (a->db != b->db)
		return a->db < b->db ? -1 : 1;
	if (a->caseless != b->caseless)
		return a->caseless ? 1 : -1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	d = memcmp(a->bytes, b->bytes, a->len);
	if (d)
		return d;
	return a->id < b->id ? -1 : a->id > b->id;
}

static bool same_pat(const struct vp_prefilter_pat *a, const struct vp_prefilter_pat *b)
{
	return a->db == b->db && a->caseless == b->caseless && a->len == b->len &&
	       memcmp(a->bytes, b->bytes, a->len) == 0;
}

/* The arrays one compile call takes: the patterns of one database, split by kind. */
struct lit {
	const char **expr;
	unsigned *flags, *hsid;
	size_t *lens;
	uint32_t n;
};

static void lit_free(struct lit *l)
{
	free(l->expr);
	free(l->flags);
	free(l->hsid);
	free(l->lens);
}

static int lit_alloc(struct lit *l, size_t n)
{
	l->expr = malloc(n * sizeof(*l->expr));
	l->flags = malloc(n * sizeof(*l->flags));
	l->hsid = malloc(n * sizeof(*l->hsid));
	l->lens = malloc(n * sizeof(*l->lens));
	return l->expr && l->flags && l->hsid && l->lens ? 0 : -ENOMEM;
}

static void lit_push(struct lit *l, const struct vp_prefilter_pat *p, uint32_t num, bool every)
{
	l->expr[l->n] = (const char *)p->bytes;
	l->lens[l->n] = p->len;
	l->flags[l->n] = (every ? 0 : HS_FLAG_SINGLEMATCH) | (p->caseless ? HS_FLAG_CASELESS : 0);
	l->hsid[l->n++] = num;
}

/* Fills <d>'s pattern table from idx[0..n) (sorted, all of one db), and <lit> with its distinct patterns. */
static int group(struct pf_db *d, struct lit *lit, const struct vp_prefilter_pat *pats,
		 const size_t *idx, size_t n)
{
	const struct vp_prefilter_pat *p;
	size_t i;

	d->first = malloc((n + 1) * sizeof(*d->first));
	d->ids = malloc(n * sizeof(*d->ids));
	d->len = malloc(n * sizeof(*d->len));
	if (!d->first || !d->ids || !d->len)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		p = &pats[idx[i]];
		if (i == 0 || !same_pat(&pats[idx[i - 1]], p)) {
			lit_push(lit, p, d->npat, d->every);
			d->len[d->npat] = p->len;
			if (p->len > d->max_len)
				d->max_len = p->len;
			d->first[d->npat++] = (uint32_t)i;
		}
		d->ids[i] = p->id;
	}
	d->first[d->npat] = (uint32_t)n;
	return 0;
}

static int build_db(struct pf_db *d, const struct vp_prefilter_pat *pats, const size_t *idx,
		    size_t n, char *err, size_t errlen)
{
	hs_compile_error_t *cerr = NULL;
	struct lit lit = { 0 };
	int ret;

	ret = lit_alloc(&lit, n);
	if (ret == 0)
		ret = group(d, &lit, pats, idx, n);
	if (ret < 0) {
		snprintf(err, errlen, "prefilter: out of memory");
		goto out;
	}
	if (hs_compile_lit_multi(lit.expr, lit.flags, lit.hsid, lit.lens, lit.n, HS_MODE_BLOCK,
				 NULL, &d->lit, &cerr) != HS_SUCCESS) {
		snprintf(err, errlen, "prefilter: %s", cerr ? cerr->message : "compile failed");
		hs_free_compile_error(cerr);
		ret = -EINVAL;
	}
out:
	lit_free(&lit);
	return ret;
}

/* The databases of one build, compiled by several threads (each takes the next). */
struct build {
	struct vp_prefilter *pf;
	const struct vp_prefilter_pat *pats;
	const size_t *idx;
	size_t *start;		/* by database: its first pattern in idx; start[ndb] = n */
	_Atomic unsigned next;
	_Atomic int failed;
	pthread_mutex_t lock;	/* err */
	char *err;
	size_t errlen;
};

static void *build_thread(void *arg)
{
	struct build *b = arg;
	char err[256];
	unsigned db;

	while ((db = atomic_fetch_add(&b->next, 1)) < b->pf->ndb && !atomic_load(&b->failed)) {
		if (b->start[db] == b->start[db + 1])
			continue;
		if (build_db(&b->pf->db[db], b->pats, b->idx + b->start[db],
			     b->start[db + 1] - b->start[db], err, sizeof(err)) < 0) {
			pthread_mutex_lock(&b->lock);
			if (!atomic_exchange(&b->failed, 1))
				snprintf(b->err, b->errlen, "%s", err);
			pthread_mutex_unlock(&b->lock);
		}
	}
	return NULL;
}

/*
 * Compiles every database; Vectorscan's compiler is reentrant, so up to
 * VP_PF_BUILD_THREADS threads (no more than CPUs) share the work: loading a
 * large rule set takes about half the time on two cores.
 */
static int build_all(struct build *b)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned nt = cpus > 1 ? (unsigned)cpus : 1, i, started = 0;
	pthread_t th[VP_PF_BUILD_THREADS];

	if (nt > VP_PF_BUILD_THREADS)
		nt = VP_PF_BUILD_THREADS;
	for (i = 1; i < nt; i++)
		started += pthread_create(&th[started], NULL, build_thread, b) == 0;
	build_thread(b);	/* this thread too; alone if none could start */
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	return atomic_load(&b->failed) ? -EINVAL : 0;
}

struct vp_prefilter *vp_prefilter_build(const struct vp_prefilter_pat *pats, size_t n,
					unsigned ndb, const bool *every, char *err,
					size_t errlen)
{
	struct vp_prefilter *pf = calloc(1, sizeof(*pf));
	size_t *idx = malloc((n ? n : 1) * sizeof(*idx)), i;
	size_t *start = calloc(ndb + 1, sizeof(*start));
	struct build b = { .pats = pats, .idx = idx, .start = start, .err = err,
			   .errlen = errlen, .lock = PTHREAD_MUTEX_INITIALIZER };

	if (pf)
		pf->db = calloc(ndb ? ndb : 1, sizeof(*pf->db));
	if (!pf || !pf->db || !idx || !start) {
		snprintf(err, errlen, "prefilter: out of memory");
		goto err;
	}
	pf->ndb = ndb;
	for (i = 0; every && i < ndb; i++)
		pf->db[i].every = every[i];
	for (i = 0; i < n; i++) {
		idx[i] = i;
		if (pats[i].db >= ndb) {
			snprintf(err, errlen, "prefilter: bad database %u", pats[i].db);
			goto err;
		}
		if (!pats[i].len || !pats[i].bytes[0]) {
			snprintf(err, errlen, "prefilter: a pattern is empty or starts with NUL");
			goto err;
		}
	}
	qsort_r(idx, n, sizeof(*idx), pat_cmp, (void *)pats);
	for (i = 0; i < n; i++)		/* counts, then first positions: sorted by db */
		start[pats[idx[i]].db + 1]++;
	for (i = 1; i <= ndb; i++)
		start[i] += start[i - 1];
	b.pf = pf;
	if (build_all(&b) < 0)
		goto err;
	for (i = 0; i < ndb; i++) {
		pf->npatterns += pf->db[i].npat;
		if (pf->db[i].npat > pf->max_npat)
			pf->max_npat = pf->db[i].npat;
	}
	free(idx);
	free(start);
	return pf;
err:
	free(idx);
	free(start);
	vp_prefilter_free(pf);
	return NULL;
}

bool vp_prefilter_has(const struct vp_prefilter *pf, unsigned db)
{
	return pf && db < pf->ndb && pf->db[db].npat;
}

size_t vp_prefilter_patterns(const struct vp_prefilter *pf)
{
	return pf ? pf->npatterns : 0;
}

size_t vp_prefilter_db_patterns(const struct vp_prefilter *pf, unsigned db)
{
	return vp_prefilter_has(pf, db) ? pf->db[db].npat : 0;
}

uint32_t vp_prefilter_max_len(const struct vp_prefilter *pf, unsigned db)
{
	return vp_prefilter_has(pf, db) ? pf->db[db].max_len : 0;
}

struct vp_prefilter_scratch *vp_prefilter_scratch_new(const struct vp_prefilter *pf)
{
	struct vp_prefilter_scratch *s = calloc(1, sizeof(*s));
	unsigned i;

	if (!s)
		return NULL;
	s->nseen = pf->max_npat ? pf->max_npat : 1;
	s->seen = calloc(s->nseen, sizeof(*s->seen));
	if (!s->seen)
		goto err;
	for (i = 0; i < pf->ndb; i++) {
		if (pf->db[i].lit && hs_alloc_scratch(pf->db[i].lit, &s->hs) != HS_SUCCESS)
			goto err;
	}
	return s;
err:
	vp_prefilter_scratch_free(s);
	return NULL;
}

void vp_prefilter_scratch_free(struct vp_prefilter_scratch *s)
{
	if (!s)
		return;
	hs_free_scratch(s->hs);
	free(s->seen);
	free(s);
}

static void ids_of(const struct pf_db *d, uint32_t pat, vp_prefilter_hit_fn hit, void *ctx)
{
	uint32_t k;

	for (k = d->first[pat]; k < d->first[pat + 1]; k++)
		hit(ctx, d->ids[k]);
}

/* A pattern's ids, once per scan even in an "every" database. */
static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
		    unsigned int flags, void *arg)
{
	const struct scan_ctx *sc = arg;

	(void)from;
	(void)to;
	(void)flags;
	if (sc->d->every) {
		if (sc->s->seen[id] == sc->s->epoch)
			return 0;
		sc->s->seen[id] = sc->s->epoch;
	}
	ids_of(sc->d, id, sc->hit, sc->ctx);
	return 0;
}

static int on_pat(unsigned int id, unsigned long long from, unsigned long long to,
		  unsigned int flags, void *arg)
{
	const struct scan_ctx *sc = arg;

	(void)from;
	(void)flags;
	sc->pat(sc->ctx, id, sc->d->len[id], to);
	return 0;
}

/* Database <sc->d> over data[0..len). */
static int run_scan(struct scan_ctx *sc, const uint8_t *data, size_t len,
		    match_event_handler cb)
{
	hs_scratch_t *hs = sc->s->hs;

	if (len == 0)
		return 0;
	if (len > UINT32_MAX)
		return -EIO;
	if (++sc->s->epoch == 0) {	/* wrapped: no stale "seen" may look current */
		memset(sc->s->seen, 0, sizeof(*sc->s->seen) * sc->s->nseen);
		sc->s->epoch = 1;
	}
	if (hs_scan(sc->d->lit, (const char *)data, (unsigned)len, 0, hs, cb, sc) != HS_SUCCESS)
		return -EIO;
	return 0;
}

int vp_prefilter_scan(const struct vp_prefilter *pf, struct vp_prefilter_scratch *s,
		      unsigned db, const uint8_t *data, size_t len, vp_prefilter_hit_fn hit,
		      void *ctx)
{
	struct scan_ctx sc = { .s = s, .hit = hit, .ctx = ctx };

	if (!vp_prefilter_has(pf, db))
		return 0;
	sc.d = &pf->db[db];
	return run_scan(&sc, data, len, on_match);
}

int vp_prefilter_scan_pats(const struct vp_prefilter *pf, struct vp_prefilter_scratch *s,
			   unsigned db, const uint8_t *data, size_t len, vp_prefilter_pat_fn fn,
			   void *ctx)
{
	struct scan_ctx sc = { .s = s, .pat = fn, .ctx = ctx };

	if (!vp_prefilter_has(pf, db))
		return 0;
	sc.d = &pf->db[db];
	return run_scan(&sc, data, len, on_pat);
}

void vp_prefilter_pat_ids(const struct vp_prefilter *pf, unsigned db, uint32_t pat,
			  vp_prefilter_hit_fn hit, void *ctx)
{
	if (vp_prefilter_has(pf, db) && pat < pf->db[db].npat)
		ids_of(&pf->db[db], pat, hit, ctx);
}
