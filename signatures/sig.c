/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "signatures/rule_parse.h"
#include "signatures/sig.h"

#define MAX_SIGS (1u << 20)		/* rules in one set */
#define MAX_FILES 100000		/* *.rules files in one directory */
#define ERR_LEN 512

#define PCRE_MATCH_LIMIT 3500		/* as Suricata's defaults; configurable later */
#define PCRE_DEPTH_LIMIT 1500
#define PCRE_HEAP_LIMIT_KIB 4096
#define JIT_STACK_MIN (32 * 1024)
#define JIT_STACK_MAX (512 * 1024)
#define MATCH_BUDGET 3000		/* element checks per rule and packet: backtracking bound */

/* Packet classes; a rule of protocol ip is in every group. */
enum group {
	GRP_TCP = 0,
	GRP_UDP = 1,
	GRP_ICMP = 2,
	GRP_OTHER = 3,
	GRP_COUNT = 4,
};

struct vp_sig_set {
	struct vp_vars *vars;
	struct vp_sig **sigs;		/* load order */
	size_t count, alloc;
	uint64_t *ids;			/* open-addressing set of gid << 32 | sid (sid != 0) */
	size_t ids_cap;
	bool compiled;
	uint32_t *grp[GRP_COUNT];	/* indexes into sigs, in evaluation order */
	size_t ngrp[GRP_COUNT];
};

struct vp_sig_thread {
	const struct vp_sig_set *set;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit;
	unsigned budget;
};

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

static void groups_free(struct vp_sig_set *set)
{
	int g;

	for (g = 0; g < GRP_COUNT; g++) {
		free(set->grp[g]);
		set->grp[g] = NULL;
		set->ngrp[g] = 0;
	}
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
	groups_free(set);
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
	ret = vp_rule_parse_sig(sig, text, set->vars, err, sizeof(err));
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
	set->compiled = false;
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

/* qsort_r order: action (pass, drop, reject, alert), then priority, then load order. */
static int by_eval_order(const void *pa, const void *pb, void *arg)
{
	const struct vp_sig_set *set = arg;
	uint32_t ia = *(const uint32_t *)pa, ib = *(const uint32_t *)pb;
	const struct vp_sig *a = set->sigs[ia], *b = set->sigs[ib];
	int d = action_rank(a->action) - action_rank(b->action);

	if (d)
		return d;
	if (a->priority != b->priority)
		return a->priority - b->priority;
	return ia < ib ? -1 : ia > ib;
}

static bool in_group(const struct vp_rule *r, int g)
{
	switch (r->proto) {
	case VP_RULE_PROTO_IP: return true;
	case VP_RULE_PROTO_TCP: return g == GRP_TCP;
	case VP_RULE_PROTO_UDP: return g == GRP_UDP;
	case VP_RULE_PROTO_ICMP: return g == GRP_ICMP;
	default: return false;
	}
}

static void jit_rule(struct vp_rule *r)
{
	size_t i, jit_size;

	/* Failure (no JIT on this CPU/build) leaves the interpreter: still correct. */
	for (i = 0; i < r->nelems; i++) {
		if (!r->elems[i].re)
			continue;
		if (pcre2_pattern_info(r->elems[i].re, PCRE2_INFO_JITSIZE, &jit_size) == 0 &&
		    jit_size > 0)
			continue;	/* already compiled by an earlier vp_sig_set_compile() */
		(void)pcre2_jit_compile(r->elems[i].re, PCRE2_JIT_COMPLETE);
	}
}

/* JIT-compiles the regexes and builds the per-protocol evaluation orders. Control thread. */
int vp_sig_set_compile(struct vp_sig_set *set, vp_sig_err_fn fn, void *ctx)
{
	size_t i;
	int g;

	groups_free(set);
	for (i = 0; i < set->count; i++)
		jit_rule(set->sigs[i]->priv);
	for (g = 0; g < GRP_COUNT; g++) {
		set->grp[g] = malloc((set->count ? set->count : 1) * sizeof(uint32_t));
		if (!set->grp[g]) {
			groups_free(set);
			report(fn, ctx, NULL, 0, "out of memory");
			return -ENOMEM;
		}
		for (i = 0; i < set->count; i++)
			if (in_group(set->sigs[i]->priv, g))
				set->grp[g][set->ngrp[g]++] = (uint32_t)i;
		qsort_r(set->grp[g], set->ngrp[g], sizeof(uint32_t), by_eval_order, set);
	}
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

/* ---- per-thread state ---- */

/*
 * Matching state for one worker (PCRE2 match data, match limits, JIT stack);
 * owned by the caller, used by that worker only.  Control or worker thread.
 */
struct vp_sig_thread *vp_sig_thread_new(const struct vp_sig_set *set)
{
	struct vp_sig_thread *th = calloc(1, sizeof(*th));

	if (!th)
		return NULL;
	th->set = set;
	th->md = pcre2_match_data_create(1, NULL);
	th->mctx = pcre2_match_context_create(NULL);
	th->jit = pcre2_jit_stack_create(JIT_STACK_MIN, JIT_STACK_MAX, NULL);
	if (!th->md || !th->mctx || !th->jit) {
		vp_sig_thread_free(th);
		return NULL;
	}
	pcre2_set_match_limit(th->mctx, PCRE_MATCH_LIMIT);
	pcre2_set_depth_limit(th->mctx, PCRE_DEPTH_LIMIT);
	pcre2_set_heap_limit(th->mctx, PCRE_HEAP_LIMIT_KIB);
	pcre2_jit_stack_assign(th->mctx, NULL, th->jit);
	return th;
}

/* Frees <th>; NULL-safe. Its worker, once it stopped matching. */
void vp_sig_thread_free(struct vp_sig_thread *th)
{
	if (!th)
		return;
	pcre2_match_data_free(th->md);
	pcre2_match_context_free(th->mctx);
	pcre2_jit_stack_free(th->jit);
	free(th);
}

/* ---- matching (worker threads; no allocation) ---- */

static inline uint8_t lower(uint8_t ch)
{
	return ch >= 'A' && ch <= 'Z' ? (uint8_t)(ch + ('a' - 'A')) : ch;
}

/* Horspool over the lower-cased pattern. */
static const uint8_t *find_nocase(const struct vp_rule_elem *e, const uint8_t *h, size_t hl)
{
	size_t m = e->len, i = 0, j;
	uint8_t last;

	while (i + m <= hl) {
		last = lower(h[i + m - 1]);
		if (last == e->pat[m - 1]) {
			for (j = 0; j + 1 < m && lower(h[i + j]) == e->pat[j]; j++)
				;
			if (j + 1 >= m)
				return h + i;
		}
		i += e->skip[last];
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
static const uint8_t *find_anchored(const struct vp_rule_elem *e, const uint8_t *h, size_t hl)
{
	size_t a = (size_t)e->anchor, m = e->len, pos = a;
	const uint8_t *hit;

	while (pos + (m - a) <= hl) {
		hit = memchr(h + pos, e->pat[a], hl - (m - a) - pos + 1);
		if (!hit)
			return NULL;
		if (eq_nocase(hit - a, e->pat, m))
			return hit - a;
		pos = (size_t)(hit - h) + 1;
	}
	return NULL;
}

static const uint8_t *content_find(const struct vp_rule_elem *e, const uint8_t *h, size_t hl)
{
	if (e->len > hl)
		return NULL;
	if (e->nocase)
		return e->anchor >= 0 ? find_anchored(e, h, hl) : find_nocase(e, h, hl);
	return memmem(h, hl, e->pat, e->len);
}

/*
 * Finds element <e> in buf[0..len) at or after <from> (for a relative pcre,
 * the subject starts at <base>, so '^' anchors there).  Sets the match span.
 */
static bool elem_find(struct vp_sig_thread *th, const struct vp_rule_elem *e, const uint8_t *buf,
		      size_t len, size_t base, size_t from, size_t *ms, size_t *me)
{
	const uint8_t *hit;
	PCRE2_SIZE *ov;
	size_t sbase;
	int rc;

	if (from > len)
		return false;
	if (e->kind == VP_RULE_CONTENT) {
		hit = content_find(e, buf + from, len - from);
		if (!hit)
			return false;
		*ms = (size_t)(hit - buf);
		*me = *ms + e->len;
		return true;
	}
	sbase = e->relative ? base : 0;
	if (from < sbase)
		from = sbase;
	rc = pcre2_match(e->re, buf + sbase, len - sbase, from - sbase, 0, th->md, th->mctx);
	if (rc < 0)
		return false;	/* no match, or a limit hit: counted as no match (Suricata) */
	ov = pcre2_get_ovector_pointer(th->md);
	*ms = sbase + ov[0];
	*me = sbase + ov[1];
	return true;
}

/* Elements i.. of <r> match, the previous positive one having ended at <last_end>. */
static bool elems_match(struct vp_sig_thread *th, const struct vp_rule *r, const uint8_t *buf,
			size_t len, size_t i, size_t last_end)
{
	const struct vp_rule_elem *e;
	size_t from, ms, me;

	if (i == r->nelems)
		return true;
	if (th->budget == 0)
		return false;
	th->budget--;
	e = &r->elems[i];
	from = e->relative ? last_end : 0;
	if (e->negated)
		return !elem_find(th, e, buf, len, last_end, from, &ms, &me) &&
		       elems_match(th, r, buf, len, i + 1, last_end);
	while (elem_find(th, e, buf, len, last_end, from, &ms, &me)) {
		if (elems_match(th, r, buf, len, i + 1, me))
			return true;
		/* Only a later relative element can succeed at another occurrence. */
		if (!e->pos_used || th->budget == 0)
			return false;
		th->budget--;
		from = ms + 1;
	}
	return false;
}

static bool side_match(const struct vp_netaddr *a, const struct vp_netaddr *pt,
		       const struct vp_addr *addr, uint16_t port)
{
	return (!a || vp_netaddr_match_addr(a, addr)) && (!pt || vp_netaddr_match_port(pt, port));
}

static bool header_match(const struct vp_rule *r, const struct vp_packet *p)
{
	if (side_match(r->src, r->sport, &p->src, p->sport) &&
	    side_match(r->dst, r->dport, &p->dst, p->dport))
		return true;
	return r->bidir && side_match(r->src, r->sport, &p->dst, p->dport) &&
	       side_match(r->dst, r->dport, &p->src, p->sport);
}

static bool rule_match(struct vp_sig_thread *th, const struct vp_rule *r,
		       const struct vp_packet *p)
{
	const uint8_t *buf = p->payload.ptr;
	size_t len = p->payload.len;

	if ((p->flow_flags & r->flow_set) != r->flow_set || (p->flow_flags & r->flow_clear))
		return false;
	if (!header_match(r, p))
		return false;
	if (r->nelems == 0)
		return true;
	if (!buf || len == 0)
		return false;
	if (r->fast >= 0 && !content_find(&r->elems[r->fast], buf, len))
		return false;
	th->budget = MATCH_BUDGET;
	return elems_match(th, r, buf, len, 0, 0);
}

static int packet_group(const struct vp_packet *p)
{
	if (p->anomalies & (VP_ANOM_IP_FRAGMENT | VP_ANOM_L4_TRUNCATED))
		return GRP_OTHER;	/* no L4 header decoded: only ip rules apply */
	switch (p->proto) {
	case 6: return GRP_TCP;
	case 17: return GRP_UDP;
	case 1:
	case 58: return GRP_ICMP;
	default: return GRP_OTHER;
	}
}

/*
 * Evaluates the rules of the packet's protocol group in action order; <fn>
 * borrows each matching rule.  Owner worker of <th>; no allocation, no lock.
 */
unsigned vp_sig_match_packet(const struct vp_sig_set *set, struct vp_sig_thread *th,
			     const struct vp_packet *p, vp_sig_match_fn fn, void *ctx)
{
	const struct vp_sig *sig;
	unsigned n = 0;
	size_t i;
	int g;

	if (!set || !th || !p || !set->compiled || (p->ip_version != 4 && p->ip_version != 6))
		return 0;
	g = packet_group(p);
	for (i = 0; i < set->ngrp[g]; i++) {
		sig = set->sigs[set->grp[g][i]];
		if (!rule_match(th, sig->priv, p))
			continue;
		if (sig->action == VP_ACT_PASS)
			return n;	/* pass: nothing after it is reported */
		n++;
		if (fn && !fn(ctx, sig))
			break;
	}
	return n;
}
