/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "signatures/netaddr.h"
#include "signatures/portgroup.h"
#include "signatures/rule.h"

#define NPORTS 65536u

/* The rules of one key whose port specification is not "any", and the port edges. */
struct key_rules {
	uint32_t *spec_rk;		/* ranks with a port specification */
	const struct vp_netaddr **spec;
	size_t nspec;
	uint32_t *any_rk;		/* ranks that apply on every port */
	size_t nany;
	uint8_t *edge;			/* NPORTS + 1 flags: an interval starts here */
	const uint8_t *prio;		/* NPORTS: enum prio */
};

/* Which groups are kept first when there are too many (see merge_rows()). */
enum prio {
	PRIO_NONE = 0,
	PRIO_SERVICE = 1,	/* prio_ports[] */
	PRIO_HTTP = 2,		/* $HTTP_PORTS: what virtual patches are mostly about */
	PRIO_WIDEST = 3,	/* the group with the most ports: those no rule names */
};

/* Services hosts commonly expose (Suricata's default grouping whitelist, SSH, SMTP). */
static const uint16_t prio_ports[] = {
	22, 25, 53, 80, 139, 443, 445, 1433, 3306, 3389, 8080,
};

static uint8_t *prio_map(const struct vp_sig_set *set)
{
	const char *text = set->vars ? vp_vars_get(set->vars, "HTTP_PORTS") : NULL;
	uint8_t *m = calloc(NPORTS, 1);
	struct vp_netaddr *http;
	char err[128];
	uint32_t p;

	if (!m)
		return NULL;
	for (p = 0; p < sizeof(prio_ports) / sizeof(prio_ports[0]); p++)
		m[prio_ports[p]] = PRIO_SERVICE;
	http = text ? vp_netaddr_parse_ports(text, set->vars, err, sizeof(err)) : NULL;
	for (p = 0; http && p < NPORTS; p++)
		if (vp_netaddr_match_port(http, (uint16_t)p))
			m[p] = PRIO_HTTP;
	vp_netaddr_free(http);
	return m;
}

/* One distinct set of specific rules: a row of bits over key_rules.spec. */
struct row {
	uint64_t *bits;
	size_t count;			/* bits set */
	uint8_t prio;			/* enum prio: its highest port's */
	uint64_t hash;
	unsigned group;			/* final group */
};

bool vp_pg_rule_in_dir(const struct vp_rule *r, int d)
{
	switch (d) {
	case VP_DIR_TS: return !(r->flow_set & VP_PKT_TO_CLIENT);
	case VP_DIR_TC: return !(r->flow_set & VP_PKT_TO_SERVER);
	default: return !(r->flow_set & (VP_PKT_TO_SERVER | VP_PKT_TO_CLIENT));
	}
}

static void key_rules_free(struct key_rules *kr)
{
	free(kr->spec_rk);
	free(kr->spec);
	free(kr->any_rk);
	free(kr->edge);
}

static void add_edge(void *ctx, uint32_t port)
{
	uint8_t *edge = ctx;

	if (port <= NPORTS)
		edge[port] = 1;
}

/* The port specification that decides key <k> for <r>: NULL when any port may match. */
static const struct vp_netaddr *key_spec(const struct vp_rule *r, int k)
{
	if (r->bidir)
		return NULL;	/* either port may be the service port */
	return (k & 1) ? r->sport : r->dport;
}

static int collect(const struct vp_sig_set *set, const uint8_t *kind, int k,
		   struct key_rules *kr)
{
	unsigned g = k < VP_PG_UDP_TS ? VP_GRP_TCP : VP_GRP_UDP;
	size_t n = set->count ? set->count : 1, rk;
	const struct vp_netaddr *spec;
	const struct vp_rule *r;

	kr->spec_rk = malloc(n * sizeof(*kr->spec_rk));
	kr->spec = malloc(n * sizeof(*kr->spec));
	kr->any_rk = malloc(n * sizeof(*kr->any_rk));
	kr->edge = calloc(NPORTS + 1, 1);
	if (!kr->spec_rk || !kr->spec || !kr->any_rk || !kr->edge)
		return -ENOMEM;
	kr->edge[0] = 1;
	for (rk = 0; rk < set->count; rk++) {
		r = set->sigs[set->order[rk]]->priv;
		if (kind[rk] == VP_PGK_SKIP || !(set->grp[rk] & (1u << g)) ||
		    !vp_pg_rule_in_dir(r, k & 1))
			continue;
		spec = key_spec(r, k);
		if (!spec || vp_netaddr_is_any(spec)) {
			kr->any_rk[kr->nany++] = (uint32_t)rk;
			continue;
		}
		kr->spec_rk[kr->nspec] = (uint32_t)rk;
		kr->spec[kr->nspec++] = spec;
		vp_netaddr_port_edges(spec, add_edge, kr->edge);
	}
	return 0;
}

static uint64_t row_hash(const uint64_t *bits, size_t words)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < words; i++)
		h = (h ^ bits[i]) * 1099511628211ull;
	return h;
}

/*
 * The distinct rows of the key's intervals into rows[0..*nrows); map[port]
 * gets the row of each port.  Rows are compared in full, the hash only
 * speeds it up.
 */
static int build_rows(const struct key_rules *kr, uint8_t *map, struct row *rows,
		      unsigned *nrows, uint64_t *scratch, size_t words, unsigned cap)
{
	uint32_t lo = 0, hi, port;
	unsigned i, r;
	uint64_t h;
	size_t j;

	while (lo < NPORTS) {
		for (hi = lo + 1; hi < NPORTS && !kr->edge[hi]; hi++)
			;
		memset(scratch, 0, words * sizeof(*scratch));
		for (j = 0; j < kr->nspec; j++)
			if (vp_netaddr_match_port(kr->spec[j], (uint16_t)lo))
				scratch[j / 64] |= 1ull << (j % 64);
		h = row_hash(scratch, words);
		for (r = 0; r < *nrows; r++)
			if (rows[r].hash == h &&
			    memcmp(rows[r].bits, scratch, words * sizeof(*scratch)) == 0)
				break;
		if (r == *nrows) {
			if (r == cap)
				return -E2BIG;
			rows[r].bits = malloc(words * sizeof(*scratch));
			if (!rows[r].bits)
				return -ENOMEM;
			memcpy(rows[r].bits, scratch, words * sizeof(*scratch));
			rows[r].hash = h;
			for (i = 0, rows[r].count = 0; i < words; i++)
				rows[r].count += (size_t)__builtin_popcountll(scratch[i]);
			(*nrows)++;
		}
		for (port = lo; port < hi; port++) {
			map[port] = (uint8_t)r;
			if (kr->prio[port] > rows[r].prio)
				rows[r].prio = kr->prio[port];
		}
		lo = hi;
	}
	return 0;
}

/* The row with the most ports (the ports no rule names, usually) is kept first too. */
static void widest_prio(struct row *rows, unsigned nrows, const uint8_t *map)
{
	uint32_t count[256] = { 0 }, p;
	unsigned r, best = 0;

	for (p = 0; p < NPORTS; p++)
		count[map[p]]++;
	for (r = 1; r < nrows; r++)
		if (count[r] > count[best])
			best = r;
	if (nrows)
		rows[best].prio = PRIO_WIDEST;
}

static int by_prio_count(const void *a, const void *b, void *arg)
{
	const struct row *rows = arg;
	const struct row *x = &rows[*(const unsigned *)a], *y = &rows[*(const unsigned *)b];

	if (x->prio != y->prio)
		return x->prio > y->prio ? -1 : 1;
	if (x->count != y->count)
		return x->count < y->count ? -1 : 1;
	return *(const unsigned *)a < *(const unsigned *)b ? -1 : 1;
}

/*
 * Assigns rows to groups: the <max> - 1 first rows in priority order (the
 * row with the most ports, those of $HTTP_PORTS, of common services, then
 * the others), fewest rules first within a priority, keep a group each;
 * the others share the last group, the union of their rules.  Merging
 * costs a port the rules of the others: the least where it has many.
 * rep[group] is the row whose bits are the group's.  Returns the number of
 * groups.
 */
static unsigned merge_rows(struct row *rows, unsigned nrows, unsigned max, size_t words,
			   unsigned *rep)
{
	unsigned *by = malloc(nrows * sizeof(*by)), i, last;
	size_t w;

	if (nrows <= max || !by) {
		for (i = 0; i < nrows; i++)
			rows[i].group = rep[i] = i;
		free(by);
		return nrows;	/* without memory: every row keeps a group, still correct */
	}
	for (i = 0; i < nrows; i++)
		by[i] = i;
	qsort_r(by, nrows, sizeof(*by), by_prio_count, rows);
	for (i = 0; i < max - 1; i++) {
		rows[by[i]].group = i;
		rep[i] = by[i];
	}
	last = rep[max - 1] = by[max - 1];
	for (i = max - 1; i < nrows; i++) {
		rows[by[i]].group = max - 1;
		for (w = 0; w < words; w++)
			rows[last].bits[w] |= rows[by[i]].bits[w];
	}
	free(by);
	return max;
}

/* Fills group <pg> with the any-port rules and the specific ones of <bits>. */
static int fill_group(struct vp_port_group *pg, const struct key_rules *kr,
		      const uint64_t *bits, const uint8_t *kind)
{
	size_t n = kr->nany + kr->nspec, a = 0, s = 0, i;
	uint32_t rk;

	pg->always = malloc((n ? n : 1) * sizeof(*pg->always));
	pg->payload = malloc((n ? n : 1) * sizeof(*pg->payload));
	if (!pg->always || !pg->payload)
		return -ENOMEM;
	for (i = 0; i < VP_CLS_COUNT; i++)
		pg->db_payload[i] = VP_PF_NONE;
	/* Both lists merged in rank order, as the candidate bitmap does not care
	 * but tests and statistics read them more easily so. */
	while (a < kr->nany || s < kr->nspec) {
		if (s < kr->nspec && !(bits[s / 64] & (1ull << (s % 64)))) {
			s++;
			continue;
		}
		if (s >= kr->nspec || (a < kr->nany && kr->any_rk[a] < kr->spec_rk[s]))
			rk = kr->any_rk[a++];
		else
			rk = kr->spec_rk[s++];
		if (kind[rk] == VP_PGK_NOFP)
			pg->always[pg->nalways++] = rk;
		else
			pg->payload[pg->npayload++] = rk;
	}
	return 0;
}

static int build_key(struct vp_sig_set *set, const uint8_t *kind, int k, unsigned max,
		     const uint8_t *prio)
{
	struct key_rules kr = { .prio = prio };
	struct row *rows = NULL;
	uint64_t *scratch = NULL;
	unsigned nrows = 0, ng = 0, i, r, rep[256];
	size_t words;
	int ret;

	ret = collect(set, kind, k, &kr);
	if (ret < 0)
		goto out;
	words = kr.nspec / 64 + 1;
	rows = calloc(256, sizeof(*rows));
	scratch = malloc(words * sizeof(*scratch));
	set->pg_map[k] = malloc(NPORTS);
	if (!rows || !scratch || !set->pg_map[k]) {
		ret = -ENOMEM;
		goto out;
	}
	ret = build_rows(&kr, set->pg_map[k], rows, &nrows, scratch, words, 256);
	if (ret == 0)
		widest_prio(rows, nrows, set->pg_map[k]);
	if (ret == -E2BIG) {
		/* More distinct port sets than a map entry holds: one group of every rule. */
		memset(rows[0].bits, 0xff, words * sizeof(*scratch));
		for (r = 1; r < nrows; r++)
			free(rows[r].bits);
		nrows = 1;
		memset(set->pg_map[k], 0, NPORTS);
		ret = 0;
	}
	if (ret < 0)
		goto out;
	ng = merge_rows(rows, nrows, max, words, rep);
	set->pg[k] = calloc(ng, sizeof(*set->pg[k]));
	if (!set->pg[k]) {
		ret = -ENOMEM;
		goto out;
	}
	set->npg[k] = ng;
	for (i = 0; i < NPORTS; i++)
		set->pg_map[k][i] = (uint8_t)rows[set->pg_map[k][i]].group;
	for (i = 0; i < ng && ret == 0; i++)
		ret = fill_group(&set->pg[k][i], &kr, rows[rep[i]].bits, kind);
out:
	for (r = 0; rows && r < nrows; r++)
		free(rows[r].bits);
	free(rows);
	free(scratch);
	key_rules_free(&kr);
	return ret;
}

int vp_pg_build(struct vp_sig_set *set, const uint8_t *kind, unsigned max_groups)
{
	uint8_t *prio = prio_map(set);
	int k, ret = prio ? 0 : -ENOMEM;

	if (max_groups < 1)
		max_groups = 1;
	if (max_groups > 255)
		max_groups = 255;
	/* UDP: one group per direction, its payloads are rare. */
	for (k = 0; k < VP_PG_KEYS && ret == 0; k++)
		ret = build_key(set, kind, k, k < VP_PG_UDP_TS ? max_groups : 1, prio);
	free(prio);
	return ret;
}

void vp_pg_free(struct vp_sig_set *set)
{
	unsigned k, i;

	for (k = 0; k < VP_PG_KEYS; k++) {
		for (i = 0; set->pg[k] && i < set->npg[k]; i++) {
			free(set->pg[k][i].always);
			free(set->pg[k][i].payload);
		}
		free(set->pg[k]);
		free(set->pg_map[k]);
		set->pg[k] = NULL;
		set->pg_map[k] = NULL;
		set->npg[k] = 0;
	}
}
