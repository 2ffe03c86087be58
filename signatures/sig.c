/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <dirent.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "signatures/netaddr.h"
#include "signatures/portgroup.h"
#include "signatures/rule_parse.h"
#include "signatures/sig.h"
#include "signatures/sig_priv.h"
#include "signatures/threshold.h"

#define MAX_SIGS (1u << 20)		/* rules in one set */
#define MAX_FILES 100000		/* *.rules files in one directory */
#define ERR_LEN 512

static _Atomic uint64_t next_gen;

static void report(vp_sig_err_fn fn, void *ctx, const char *file, unsigned line, const char *msg)
{
	if (fn)
		fn(ctx, file ? file : "-", line, msg);
}

/* Empty set with a private copy of <vars>; caller owns it (vp_sig_set_free). Control thread. */
struct vp_sig_set *vp_sig_set_new(const struct vp_vars *vars)
{
	struct vp_sig_set *set = calloc(1, sizeof(*set));

	if (!set)
		return NULL;
	set->vars = vars ? vp_vars_dup(vars) : vp_vars_new();
	if (!set->vars) {
		free(set);
		return NULL;
	}
	set->thr_entries = VP_THRESHOLD_DEFAULT;
	return set;
}

static void sig_free(struct vp_sig *sig)
{
	if (!sig)
		return;
	vp_rule_parse_clear(sig);
	free(sig->file);
	free(sig);
}

/* Drops what vp_sig_set_compile() built. */
static void uncompile(struct vp_sig_set *set)
{
	int g, d;

	for (g = 0; g < VP_GRP_COUNT; g++) {
		free(set->all[g]);
		set->all[g] = NULL;
		set->nall[g] = 0;
		for (d = 0; d < VP_DIR_COUNT; d++) {
			free(set->always[g][d]);
			set->always[g][d] = NULL;
			set->nalways[g][d] = 0;
		}
	}
	free(set->order);
	free(set->grp);
	free(set->rinfo);
	set->order = NULL;
	set->grp = NULL;
	set->rinfo = NULL;
	set->nofp = 0;
	vp_prefilter_free(set->pf);
	set->pf = NULL;
	free(set->pf_use);
	set->pf_use = NULL;
	set->npf = 0;
	set->head_len = 0;
	vp_pg_free(set);
	vp_netaddr_free(set->home);
	set->home = NULL;
	set->compiled = false;
}

/* Frees <set> and every rule in it; no worker may still use it. Control thread. */
void vp_sig_set_free(struct vp_sig_set *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->count; i++)
		sig_free(set->sigs[i]);
	free(set->sigs);
	free(set->ids);
	uncompile(set);
	vp_classtype_table_free(set->classes);
	vp_vars_free(set->vars);
	free(set);
}

/* ---- gid:sid uniqueness ---- */

static size_t id_slot(const uint64_t *ids, size_t cap, uint64_t key)
{
	size_t i = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 20) & (cap - 1);

	while (ids[i] && ids[i] != key)
		i = (i + 1) & (cap - 1);
	return i;
}

static int ids_grow(struct vp_sig_set *set)
{
	size_t ncap = set->ids_cap ? set->ids_cap * 2 : 64, i;
	uint64_t *n = calloc(ncap, sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (i = 0; i < set->ids_cap; i++)
		if (set->ids[i])
			n[id_slot(n, ncap, set->ids[i])] = set->ids[i];
	free(set->ids);
	set->ids = n;
	set->ids_cap = ncap;
	return 0;
}

static uint64_t sig_key(const struct vp_sig *sig)
{
	return (uint64_t)sig->gid << 32 | sig->sid;
}

static bool id_taken(const struct vp_sig_set *set, uint64_t key)
{
	return set->ids_cap && set->ids[id_slot(set->ids, set->ids_cap, key)] == key;
}

/* Makes room for one more rule (array and id table). */
static int reserve(struct vp_sig_set *set)
{
	struct vp_sig **n;
	size_t na;

	if (set->count >= MAX_SIGS)
		return -ENOSPC;
	if ((set->count + 1) * 2 > set->ids_cap && ids_grow(set) < 0)
		return -ENOMEM;
	if (set->count < set->alloc)
		return 0;
	na = set->alloc ? set->alloc * 2 : 64;
	n = realloc(set->sigs, na * sizeof(*n));
	if (!n)
		return -ENOMEM;
	set->sigs = n;
	set->alloc = na;
	return 0;
}

static int add_fail(int ret, const char *msg, vp_sig_err_fn fn, void *ctx, const char *file,
		    unsigned line)
{
	report(fn, ctx, file, line, msg);
	return ret;
}

/*
 * Parses <text> and appends the rule, which <set> then owns; <file> is copied.
 * One message through <fn> on failure, <set> unchanged.  The set must be
 * compiled again before matching.  Control thread.
 */
int vp_sig_set_add(struct vp_sig_set *set, const char *text, const char *file, unsigned line,
		   vp_sig_err_fn fn, void *ctx)
{
	struct vp_rule_env env = { .vars = set ? set->vars : NULL,
				   .classes = set ? set->classes : NULL };
	char err[ERR_LEN];
	struct vp_sig *sig;
	int ret;

	if (!set || !text)
		return add_fail(-EINVAL, "no rule", fn, ctx, file, line);
	ret = reserve(set);
	if (ret < 0)
		return add_fail(ret, ret == -ENOSPC ? "too many rules" : "out of memory", fn, ctx,
				file, line);
	sig = calloc(1, sizeof(*sig));
	if (!sig)
		return add_fail(-ENOMEM, "out of memory", fn, ctx, file, line);
	ret = vp_rule_parse_sig(sig, text, &env, err, sizeof(err));
	if (ret < 0)
		goto err;
	if (id_taken(set, sig_key(sig))) {
		if (sig->gid == 1)
			snprintf(err, sizeof(err), "duplicate sid %u", sig->sid);
		else
			snprintf(err, sizeof(err), "duplicate sid %u:%u", sig->gid, sig->sid);
		ret = -EEXIST;
		goto err;
	}
	sig->file = strdup(file ? file : "-");
	if (!sig->file) {
		snprintf(err, sizeof(err), "out of memory");
		ret = -ENOMEM;
		goto err;
	}
	sig->line = line;
	set->ids[id_slot(set->ids, set->ids_cap, sig_key(sig))] = sig_key(sig);
	set->sigs[set->count++] = sig;
	uncompile(set);
	return 0;
err:
	sig_free(sig);
	return add_fail(ret, err, fn, ctx, file, line);
}

/* ---- loading files ---- */

struct loader {
	struct vp_sig_set *set;
	vp_sig_err_fn fn;
	void *ctx;
	const char *file;
	char *line;			/* one physical line, VP_RULE_MAX_LEN + 1 */
	char *rule;			/* the joined rule, VP_RULE_MAX_LEN + 1 */
	size_t rlen;
	unsigned start;			/* first line of the rule */
	bool too_long, has_nul;
	int failed;
};

/*
 * Reads one line into ld->line (at most VP_RULE_MAX_LEN bytes kept; *trunc
 * when more was discarded), without "\n" / "\r\n"; *cont when it ended in '\'
 * (removed).  False at end of file with nothing read.
 */
static bool read_line(struct loader *ld, FILE *f, size_t *len, bool *trunc, bool *cont)
{
	int ch, last = -1, prev = -1;
	size_t n = 0;
	bool any = false;

	*trunc = false;
	while ((ch = getc_unlocked(f)) != EOF && ch != '\n') {
		any = true;
		if (ch == '\0')
			ld->has_nul = true;
		if (n < VP_RULE_MAX_LEN)
			ld->line[n++] = (char)ch;
		else
			*trunc = true;
		prev = last;
		last = ch;
	}
	if (!any && ch == EOF)
		return false;
	if (last == '\r') {
		last = prev;
		if (!*trunc && n)
			n--;
	}
	*cont = last == '\\';
	if (*cont && !*trunc && n)
		n--;
	ld->line[n] = '\0';
	*len = n;
	return true;
}

static void finish_rule(struct loader *ld)
{
	int ret;

	if (ld->too_long)
		ret = add_fail(-EINVAL, "rule too long", ld->fn, ld->ctx, ld->file, ld->start);
	else if (ld->has_nul)
		ret = add_fail(-EINVAL, "NUL byte in rule", ld->fn, ld->ctx, ld->file, ld->start);
	else
		ret = vp_sig_set_add(ld->set, ld->rule, ld->file, ld->start, ld->fn, ld->ctx);
	if (ret < 0)
		ld->failed++;
}

/* 1 for a '#' comment line, 2 for a blank one (as far as the text goes), else 0. */
static int skip_kind(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\f' || *s == '\v')
		s++;
	return *s == '#' ? 1 : *s == '\0' ? 2 : 0;
}

static void load_lines(struct loader *ld, FILE *f)
{
	unsigned lineno = 0;
	bool in_rule = false, trunc, cont;
	size_t len;
	int k;

	while (read_line(ld, f, &len, &trunc, &cont)) {
		lineno++;
		if (!in_rule) {
			/* A blank line with a NUL in it is garbage: reported below. */
			k = skip_kind(ld->line);
			if (k == 1 || (k == 2 && !ld->has_nul)) {
				ld->has_nul = false;
				continue;
			}
			in_rule = true;
			ld->start = lineno;
			ld->rlen = 0;
			ld->too_long = false;
		}
		if (trunc || ld->rlen + len > VP_RULE_MAX_LEN) {
			ld->too_long = true;
		} else {
			memcpy(ld->rule + ld->rlen, ld->line, len);
			ld->rlen += len;
			ld->rule[ld->rlen] = '\0';
		}
		if (cont)
			continue;
		finish_rule(ld);
		in_rule = false;
		ld->has_nul = false;
	}
	if (in_rule)
		finish_rule(ld);
}

static int cannot_open(vp_sig_err_fn fn, void *ctx, const char *path, int err)
{
	char msg[ERR_LEN], ebuf[128];

	snprintf(msg, sizeof(msg), "cannot open: %s", strerror_r(err, ebuf, sizeof(ebuf)));
	report(fn, ctx, path, 0, msg);
	return -err;
}

/* Loads one file; the number of failed rules, or -errno if it cannot be opened. */
static int load_file(struct vp_sig_set *set, const char *path, vp_sig_err_fn fn, void *ctx)
{
	struct loader ld = { .set = set, .fn = fn, .ctx = ctx, .file = path };
	FILE *f;
	int ret;

	f = fopen(path, "re");
	if (!f)
		return cannot_open(fn, ctx, path, errno);
	ld.line = malloc(VP_RULE_MAX_LEN + 1);
	ld.rule = malloc(VP_RULE_MAX_LEN + 1);
	if (!ld.line || !ld.rule) {
		report(fn, ctx, path, 0, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	load_lines(&ld, f);
	ret = ld.failed;
	if (ferror(f)) {
		report(fn, ctx, path, 0, "read error");
		ret = ld.failed + 1;
	}
out:
	free(ld.line);
	free(ld.rule);
	fclose(f);
	return ret;
}

static int rules_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 6 && strcmp(d->d_name + n - 6, ".rules") == 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int load_dir(struct vp_sig_set *set, const char *dir, vp_sig_err_fn fn, void *ctx)
{
	struct dirent **names = NULL;
	char path[4096];
	struct stat st;
	int n, i, ret, failed = 0;

	n = scandir(dir, &names, rules_file, by_name);
	if (n < 0)
		return cannot_open(fn, ctx, dir, errno);
	for (i = 0; i < n; i++) {
		if (i >= MAX_FILES || snprintf(path, sizeof(path), "%s/%s", dir,
					       names[i]->d_name) >= (int)sizeof(path)) {
			report(fn, ctx, names[i]->d_name, 0, "cannot open: File name too long");
			failed++;
			continue;
		}
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			continue;
		ret = load_file(set, path, fn, ctx);
		failed += ret < 0 ? 1 : ret;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return failed;
}

/* A file, or the *.rules files of a directory in strcmp() order. Control thread. */
int vp_sig_set_load_path(struct vp_sig_set *set, const char *path, vp_sig_err_fn fn, void *ctx)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return cannot_open(fn, ctx, path, errno);
	if (S_ISDIR(st.st_mode))
		return load_dir(set, path, fn, ctx);
	if (!S_ISREG(st.st_mode)) {
		report(fn, ctx, path, 0, "cannot open: not a regular file");
		return -EINVAL;
	}
	return load_file(set, path, fn, ctx);
}

/* ---- settings ---- */

/* Replaces the classtype table for rules added afterwards. Control thread. */
int vp_sig_set_load_classification(struct vp_sig_set *set, const char *path, vp_sig_err_fn fn,
				   void *ctx)
{
	struct vp_classtab *t;
	int failed;

	if (!set || !path)
		return -EINVAL;
	t = vp_classtype_table_load(path, fn, ctx, &failed);
	if (!t)
		return failed;
	vp_classtype_table_free(set->classes);
	set->classes = t;
	return failed;
}

/* Control thread, before vp_sig_thread_new(). */
int vp_sig_set_pcre_limits(struct vp_sig_set *set, uint32_t match_limit, uint32_t depth_limit,
			   uint32_t heap_kib)
{
	if (!set)
		return -EINVAL;
	set->pcre_match_limit = match_limit;
	set->pcre_depth_limit = depth_limit;
	set->pcre_heap_kib = heap_kib;
	return 0;
}

/* Control thread, before vp_sig_thread_new(). */
int vp_sig_set_threshold_entries(struct vp_sig_set *set, size_t entries)
{
	if (!set || entries == 0 || entries > VP_THRESHOLD_MAX)
		return -EINVAL;
	set->thr_entries = entries;
	return 0;
}

/* Control thread, before vp_sig_set_compile(). */
int vp_sig_set_port_groups(struct vp_sig_set *set, unsigned max_groups)
{
	if (!set || max_groups < 1 || max_groups > 255)
		return -EINVAL;
	set->pg_max = max_groups;
	uncompile(set);
	return 0;
}

/* Control thread, before vp_sig_set_compile(). */
int vp_sig_set_prefilter(struct vp_sig_set *set, bool on)
{
	if (!set)
		return -EINVAL;
	set->no_prefilter = !on;
	uncompile(set);
	return 0;
}

/* ---- compiling ---- */

static int action_rank(enum vp_sig_action a)
{
	switch (a) {
	case VP_ACT_PASS: return 0;
	case VP_ACT_DROP: return 1;
	case VP_ACT_REJECT: return 2;
	default: return 3;
	}
}

/*
 * qsort_r order, Suricata's: action (pass, drop, reject, alert), then rules
 * setting flowbits before those reading them, then priority, then load order.
 */
static int by_eval_order(const void *pa, const void *pb, void *arg)
{
	const struct vp_sig_set *set = arg;
	uint32_t ia = *(const uint32_t *)pa, ib = *(const uint32_t *)pb;
	const struct vp_sig *a = set->sigs[ia], *b = set->sigs[ib];
	const struct vp_rule *ra = a->priv, *rb = b->priv;
	int d = action_rank(a->action) - action_rank(b->action);

	if (d)
		return d;
	if (ra->fb_type != rb->fb_type)
		return rb->fb_type - ra->fb_type;
	if (a->priority != b->priority)
		return a->priority - b->priority;
	return ia < ib ? -1 : ia > ib;
}

/* The packet groups a rule can match: bit per enum vp_sig_group. */
/* The groups a packet of IP protocol <v> can be in (OTHER: fragments, truncated headers). */
static uint8_t proto_groups(uint64_t v)
{
	uint8_t m = 1u << VP_GRP_OTHER;

	if (v == 6)
		m |= 1u << VP_GRP_TCP;
	else if (v == 17)
		m |= 1u << VP_GRP_UDP;
	else if (v == 1 || v == 58)
		m |= 1u << VP_GRP_ICMP;
	return m;
}

static uint8_t group_mask(const struct vp_rule *r)
{
	const uint64_t http = ~((1ull << VP_BUF_PACKET) | (1ull << VP_BUF_STREAM));
	uint8_t m;

	if ((r->bufmask & http) || r->app_http)
		return 1u << VP_GRP_TCP;
	switch (r->proto) {
	case VP_RULE_PROTO_TCP: return 1u << VP_GRP_TCP;
	case VP_RULE_PROTO_UDP: return 1u << VP_GRP_UDP;
	case VP_RULE_PROTO_ICMP: return 1u << VP_GRP_ICMP;
	default:
		m = r->ports ? (1u << VP_GRP_TCP | 1u << VP_GRP_UDP) : 0x0f;
		/* "ip ... ip_proto:41": never a candidate for TCP, UDP or ICMP packets */
		if ((r->hdr & VP_HDR_IPPROTO) && r->ipproto.op == VP_CMP_EQ)
			m &= proto_groups(r->ipproto.a);
		return m;
	}
}

/* TCP flags a packet must have for <r> to match (flags:S, flags:SA+ ...); 0 when none. */
static uint8_t must_flags(const struct vp_rule *r)
{
	if (!(r->hdr & VP_HDR_FLAGS) ||
	    (r->tcp_mod != VP_FLAGS_EXACT && r->tcp_mod != VP_FLAGS_PLUS))
		return 0;
	return (uint8_t)(r->tcp_flags & ~r->tcp_ignore);
}


static void jit_rule(struct vp_rule *r)
{
	size_t jit_size;
	unsigned i, j;
	pcre2_code *re;

	/* Failure (no JIT on this CPU/build) leaves the interpreter: still correct. */
	for (i = 0; i < r->nlists; i++) {
		for (j = 0; j < r->lists[i].n; j++) {
			if (r->lists[i].e[j].kind != VP_EL_PCRE)
				continue;
			re = r->lists[i].e[j].u.re.re;
			if (pcre2_pattern_info(re, PCRE2_INFO_JITSIZE, &jit_size) == 0 &&
			    jit_size > 0)
				continue;	/* already compiled by an earlier compile */
			(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
		}
	}
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every flowbit name gets a bit number: its rank among the distinct names. */
static int assign_flowbits(struct vp_sig_set *set)
{
	size_t n = 0, i, k, u = 0;
	struct vp_rule *r;
	char **names, **hit;
	unsigned f;

	for (i = 0; i < set->count; i++)
		for (r = set->sigs[i]->priv, f = 0; f < r->nfb; f++)
			n += r->fb[f].n;
	names = malloc((n ? n : 1) * sizeof(*names));
	if (!names)
		return -ENOMEM;
	for (i = 0, n = 0; i < set->count; i++)
		for (r = set->sigs[i]->priv, f = 0; f < r->nfb; f++)
			for (k = 0; k < r->fb[f].n; k++)
				names[n++] = r->fb[f].name[k];
	qsort(names, n, sizeof(*names), by_str);
	for (i = 0; i < n; i++)
		if (u == 0 || strcmp(names[u - 1], names[i]) != 0)
			names[u++] = names[i];
	for (i = 0; i < set->count; i++) {
		for (r = set->sigs[i]->priv, f = 0; f < r->nfb; f++) {
			for (k = 0; k < r->fb[f].n; k++) {
				hit = bsearch(&r->fb[f].name[k], names, u, sizeof(*names), by_str);
				r->fb[f].id[k] = (uint32_t)(hit - names);
			}
		}
	}
	set->nbits = u;
	free(names);
	return 0;
}

/* Appends rank <rk> to a list sized for every rule. */
static void push(uint32_t *list, size_t *n, uint32_t rk)
{
	list[(*n)++] = rk;
}

static int build_lists(struct vp_sig_set *set)
{
	size_t cnt = set->count ? set->count : 1, rk;
	const struct vp_rule *r;
	const uint8_t *b;
	uint32_t blen;
	bool fp;
	int g, d;

	for (g = 0; g < VP_GRP_COUNT; g++) {
		set->all[g] = malloc(cnt * sizeof(uint32_t));
		if (!set->all[g])
			return -ENOMEM;
		for (d = 0; d < VP_DIR_COUNT; d++) {
			set->always[g][d] = malloc(cnt * sizeof(uint32_t));
			if (!set->always[g][d])
				return -ENOMEM;
		}
	}
	for (rk = 0; rk < set->count; rk++) {
		r = set->sigs[set->order[rk]]->priv;
		fp = vp_sig_rule_fp(r, &b, &blen);
		set->nofp += !fp;
		for (g = 0; g < VP_GRP_COUNT; g++) {
			if (!(set->grp[rk] & (1u << g)))
				continue;
			push(set->all[g], &set->nall[g], (uint32_t)rk);
			for (d = 0; d < VP_DIR_COUNT; d++)
				if (!fp && vp_pg_rule_in_dir(r, d))
					push(set->always[g][d], &set->nalways[g][d], (uint32_t)rk);
		}
	}
	return 0;
}

static int build_order(struct vp_sig_set *set)
{
	size_t i;

	set->order = malloc((set->count ? set->count : 1) * sizeof(*set->order));
	set->grp = malloc(set->count ? set->count : 1);
	set->rinfo = malloc((set->count ? set->count : 1) * sizeof(*set->rinfo));
	if (!set->order || !set->grp || !set->rinfo)
		return -ENOMEM;
	for (i = 0; i < set->count; i++)
		set->order[i] = (uint32_t)i;
	qsort_r(set->order, set->count, sizeof(*set->order), by_eval_order, set);
	set->nthr = 0;
	set->raw_pkt_fp = 0;
	for (i = 0; i < set->count; i++) {
		const struct vp_rule *r = set->sigs[set->order[i]]->priv;

		set->grp[i] = group_mask(r);
		set->rinfo[i] = (struct vp_rank_info){ .bufmask = r->bufmask, .flow_set = r->flow_set,
						       .flow_clear = r->flow_clear, .grp = set->grp[i],
						       .raw_mode = r->raw_mode, .app_http = r->app_http,
						       .must_flags = must_flags(r) };
		set->nthr += r->thr.type != VP_THR_NONE;
		if (r->fp_list >= 0 && r->lists[r->fp_list].buf == VP_BUF_PACKET &&
		    r->raw_mode == VP_RAW_PACKET)
			set->raw_pkt_fp++;
	}
	return 0;
}

/*
 * Orders the rules, assigns flowbits, JIT-compiles the regexes and builds
 * the candidate lists and the prefilter.  Control thread; no worker may be
 * matching with the set meanwhile.
 */
int vp_sig_set_compile(struct vp_sig_set *set, vp_sig_err_fn fn, void *ctx)
{
	size_t i;
	int ret;

	if (!set)
		return -EINVAL;
	uncompile(set);
	for (i = 0; i < set->count; i++)
		jit_rule(set->sigs[i]->priv);
	ret = assign_flowbits(set);
	if (ret == 0)
		ret = build_order(set);
	if (ret == 0)
		ret = build_lists(set);
	if (ret == 0)
		ret = set->no_prefilter ? 0 : vp_sig_prefilter_build(set, fn, ctx);
	if (ret < 0) {
		uncompile(set);
		report(fn, ctx, NULL, 0, "out of memory");
		return ret;
	}
	/* Unique in the process, not per set: per-flow prefilter memories are
	 * keyed by it and must never take a reloaded set for the old one. */
	set->gen = atomic_fetch_add(&next_gen, 1) + 1;
	set->compiled = true;
	return 0;
}

/* Number of loaded rules. Any thread once the set is read-only. */
size_t vp_sig_set_count(const struct vp_sig_set *set)
{
	return set ? set->count : 0;
}

/* The i-th rule in load order, borrowed from <set>; NULL out of range. Any thread. */
const struct vp_sig *vp_sig_set_get(const struct vp_sig_set *set, size_t i)
{
	return set && i < set->count ? set->sigs[i] : NULL;
}

/* Bytes of flowbit storage per flow (valid once compiled). Any thread. */
size_t vp_sig_set_flowbits_bytes(const struct vp_sig_set *set)
{
	return set && set->compiled ? (set->nbits + 7) / 8 : 0;
}

/* Any thread once compiled. */
void vp_sig_set_info(const struct vp_sig_set *set, struct vp_sig_set_info *out)
{
	unsigned k, c;
	size_t most;

	memset(out, 0, sizeof(*out));
	if (!set || !set->compiled)
		return;
	out->prefilter = set->pf != NULL;
	for (k = 0; k <= VP_PF_PKT_HEAD; k++)
		out->prefilter_patterns += vp_prefilter_db_patterns(set->pf, k);
	for (k = 0; k < VP_BUF_COUNT; k++) {
		for (c = 0, most = 0; c < VP_CLS_COUNT; c++)
			if (vp_prefilter_db_patterns(set->pf, set->buf_db[k][c]) > most)
				most = vp_prefilter_db_patterns(set->pf, set->buf_db[k][c]);
		out->prefilter_patterns += most;
	}
	for (k = 0; k < set->npf; k++)
		out->prefilter_databases += vp_prefilter_has(set->pf, k);
	for (k = 0; k < VP_PG_KEYS; k++)
		out->port_groups += set->npg[k];
	out->always_candidates = set->nofp;
	out->flowbits = set->nbits;
	out->thresholds = set->nthr;
}
