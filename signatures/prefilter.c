/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <errno.h>
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signatures/prefilter.h"

struct pf_db {
	hs_database_t *db;
	uint32_t npat;
	uint32_t *first;	/* npat + 1 offsets into ids */
	uint32_t *ids;		/* the ids of each pattern, grouped */
};

struct vp_prefilter {
	struct pf_db db[VP_PF_DB_COUNT];
	size_t npatterns;
};

struct scan_ctx {
	const struct pf_db *d;
	vp_prefilter_hit_fn hit;
	void *ctx;
};

void vp_prefilter_free(struct vp_prefilter *pf)
{
	unsigned i;

	if (!pf)
		return;
	for (i = 0; i < VP_PF_DB_COUNT; i++) {
		hs_free_database(pf->db[i].db);
		free(pf->db[i].first);
		free(pf->db[i].ids);
	}
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

/* The arrays one hs_compile_lit_multi() call takes. */
struct lit {
	const char **expr;
	unsigned *flags, *hsid;
	size_t *lens;
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

/* Fills <d>'s pattern table from idx[0..n) (sorted, all of one db) and <l>. */
static int group(struct pf_db *d, struct lit *l, const struct vp_prefilter_pat *pats,
		 const size_t *idx, size_t n)
{
	const struct vp_prefilter_pat *p;
	size_t i;

	d->first = malloc((n + 1) * sizeof(*d->first));
	d->ids = malloc(n * sizeof(*d->ids));
	if (!d->first || !d->ids)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		p = &pats[idx[i]];
		if (i == 0 || !same_pat(&pats[idx[i - 1]], p)) {
			l->expr[d->npat] = (const char *)p->bytes;
			l->lens[d->npat] = p->len;
			l->flags[d->npat] = HS_FLAG_SINGLEMATCH |
					    (p->caseless ? HS_FLAG_CASELESS : 0);
			l->hsid[d->npat] = d->npat;
			d->first[d->npat++] = (uint32_t)i;
		}
		d->ids[i] = p->id;
	}
	d->first[d->npat] = (uint32_t)n;
	return 0;
}

/*
 * Vectorscan's literal API takes a pattern that starts with a NUL byte for
 * an empty string; a database with one is compiled with the regex API from
 * the patterns written as \xHH escapes (still pure literals).
 */
static bool lead_nul(const struct lit *l, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (l->expr[i][0] == 0)
			return true;
	return false;
}

static hs_error_t compile_escaped(struct pf_db *d, const struct lit *l, hs_compile_error_t **cerr)
{
	static const char hex[] = "0123456789abcdef";
	const char **ex = malloc(d->npat * sizeof(*ex));
	size_t total = 0, i, k;
	char *buf, *o;
	hs_error_t rc = HS_NOMEM;

	for (i = 0; i < d->npat; i++)
		total += l->lens[i] * 4 + 1;
	buf = malloc(total ? total : 1);
	if (!ex || !buf)
		goto out;
	for (o = buf, i = 0; i < d->npat; i++) {
		ex[i] = o;
		for (k = 0; k < l->lens[i]; k++) {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[(uint8_t)l->expr[i][k] >> 4];
			*o++ = hex[(uint8_t)l->expr[i][k] & 15];
		}
		*o++ = 0;
	}
	rc = hs_compile_multi(ex, l->flags, l->hsid, d->npat, HS_MODE_BLOCK, NULL, &d->db, cerr);
out:
	free(ex);
	free(buf);
	return rc;
}

static hs_error_t compile(struct pf_db *d, const struct lit *l, hs_compile_error_t **cerr)
{
	if (lead_nul(l, d->npat))
		return compile_escaped(d, l, cerr);
	return hs_compile_lit_multi(l->expr, l->flags, l->hsid, l->lens, d->npat, HS_MODE_BLOCK,
				    NULL, &d->db, cerr);
}

static int build_db(struct pf_db *d, const struct vp_prefilter_pat *pats, const size_t *idx,
		    size_t n, char *err, size_t errlen)
{
	hs_compile_error_t *cerr = NULL;
	struct lit l = { 0 };
	int ret;

	ret = lit_alloc(&l, n);
	if (ret == 0)
		ret = group(d, &l, pats, idx, n);
	if (ret < 0) {
		snprintf(err, errlen, "prefilter: out of memory");
		goto out;
	}
	if (compile(d, &l, &cerr) != HS_SUCCESS) {
		snprintf(err, errlen, "prefilter: %s", cerr ? cerr->message : "compile failed");
		hs_free_compile_error(cerr);
		ret = -EINVAL;
	}
out:
	lit_free(&l);
	return ret;
}

struct vp_prefilter *vp_prefilter_build(const struct vp_prefilter_pat *pats, size_t n,
					char *err, size_t errlen)
{
	struct vp_prefilter *pf = calloc(1, sizeof(*pf));
	size_t *idx = malloc((n ? n : 1) * sizeof(*idx)), i, j;

	if (!pf || !idx) {
		snprintf(err, errlen, "prefilter: out of memory");
		goto err;
	}
	for (i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), pat_cmp, (void *)pats);
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && pats[idx[j]].db == pats[idx[i]].db; j++)
			;
		if (pats[idx[i]].db >= VP_PF_DB_COUNT) {
			snprintf(err, errlen, "prefilter: bad buffer %u", pats[idx[i]].db);
			goto err;
		}
		if (build_db(&pf->db[pats[idx[i]].db], pats, idx + i, j - i, err, errlen) < 0)
			goto err;
		pf->npatterns += pf->db[pats[idx[i]].db].npat;
	}
	free(idx);
	return pf;
err:
	free(idx);
	vp_prefilter_free(pf);
	return NULL;
}

bool vp_prefilter_has(const struct vp_prefilter *pf, unsigned db)
{
	return pf && db < VP_PF_DB_COUNT && pf->db[db].db;
}

size_t vp_prefilter_patterns(const struct vp_prefilter *pf)
{
	return pf ? pf->npatterns : 0;
}

struct vp_prefilter_scratch *vp_prefilter_scratch_new(const struct vp_prefilter *pf)
{
	hs_scratch_t *s = NULL;
	unsigned i;

	for (i = 0; i < VP_PF_DB_COUNT; i++) {
		if (pf->db[i].db && hs_alloc_scratch(pf->db[i].db, &s) != HS_SUCCESS) {
			hs_free_scratch(s);
			return NULL;
		}
	}
	return (struct vp_prefilter_scratch *)s;
}

void vp_prefilter_scratch_free(struct vp_prefilter_scratch *s)
{
	hs_free_scratch((hs_scratch_t *)s);
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
		    unsigned int flags, void *arg)
{
	const struct scan_ctx *sc = arg;
	uint32_t k;

	for (k = sc->d->first[id]; k < sc->d->first[id + 1]; k++)
		sc->hit(sc->ctx, sc->d->ids[k]);
	return 0;
}

int vp_prefilter_scan(const struct vp_prefilter *pf, struct vp_prefilter_scratch *s,
		      unsigned db, const uint8_t *data, size_t len, vp_prefilter_hit_fn hit,
		      void *ctx)
{
	struct scan_ctx sc = { .d = &pf->db[db < VP_PF_DB_COUNT ? db : 0], .hit = hit, .ctx = ctx };

	if (db >= VP_PF_DB_COUNT || !sc.d->db || len == 0)
		return 0;
	if (len > UINT32_MAX)
		return -EIO;
	if (hs_scan(sc.d->db, (const char *)data, (unsigned)len, 0, (hs_scratch_t *)s, on_match,
		    &sc) != HS_SUCCESS)
		return -EIO;
	return 0;
}
