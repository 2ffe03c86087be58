/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "signatures/threshold.h"

#define PROBES 16

struct entry {
	uint32_t rule1;		/* rule + 1; 0: free */
	uint32_t count;
	int64_t start_us;	/* the window's first match */
	int64_t expire_us;	/* start + seconds */
	uint8_t key[33];	/* family, then one or two addresses */
};

struct vp_threshold {
	struct entry *e;
	size_t mask;
};

struct vp_threshold *vp_threshold_new(size_t entries)
{
	struct vp_threshold *t = calloc(1, sizeof(*t));
	size_t n = 64;

	if (!t)
		return NULL;
	if (entries > VP_THRESHOLD_MAX)
		entries = VP_THRESHOLD_MAX;
	while (n < entries)
		n <<= 1;
	t->e = calloc(n, sizeof(*t->e));
	if (!t->e) {
		free(t);
		return NULL;
	}
	t->mask = n - 1;
	return t;
}

void vp_threshold_free(struct vp_threshold *t)
{
	if (!t)
		return;
	free(t->e);
	free(t);
}

static void make_key(uint8_t key[33], uint8_t track, const struct vp_packet *p)
{
	memset(key, 0, 33);
	if (track == VP_TRACK_RULE)
		return;
	key[0] = p->src.family;
	if (track == VP_TRACK_SRC || track == VP_TRACK_BOTH)
		memcpy(key + 1, p->src.a, 16);
	if (track == VP_TRACK_DST)
		memcpy(key + 1, p->dst.a, 16);
	if (track == VP_TRACK_BOTH)
		memcpy(key + 17, p->dst.a, 16);
}

static size_t hash(uint32_t rule, const uint8_t key[33])
{
	uint64_t h = 0xcbf29ce484222325ull ^ rule;
	unsigned i;

	for (i = 0; i < 33; i++)
		h = (h ^ key[i]) * 0x100000001b3ull;
	return (size_t)(h ^ (h >> 29));
}

/* The slot for the key: its entry, else a free or expired one, else the oldest probed. */
static struct entry *slot(struct vp_threshold *t, uint32_t rule, const uint8_t key[33],
			  int64_t now, bool *found, uint64_t *evictions)
{
	size_t h = hash(rule, key), i;
	struct entry *e, *spare = NULL, *oldest = NULL;

	*found = false;
	for (i = 0; i < PROBES; i++) {
		e = &t->e[(h + i) & t->mask];
		if (e->rule1 == rule + 1 && memcmp(e->key, key, 33) == 0) {
			*found = true;
			return e;
		}
		if (!spare && (e->rule1 == 0 || e->expire_us < now))
			spare = e;
		if (!oldest || e->start_us < oldest->start_us)
			oldest = e;
	}
	if (spare)
		return spare;
	(*evictions)++;
	return oldest;
}

/* A new window at <now>, with this first match counted. */
static enum vp_thr_verdict first(struct entry *e, const struct vp_rule_thr *s, int64_t now)
{
	e->start_us = now;
	e->expire_us = now + (int64_t)s->seconds * 1000000;
	e->count = 1;
	switch (s->type) {
	case VP_THR_LIMIT:
		return VP_THRV_ALERT;
	case VP_THR_THRESHOLD:
	case VP_THR_BOTH:
		if (s->count != 1)
			return VP_THRV_NONE;
		e->count = s->type == VP_THR_THRESHOLD ? 0 : 1;
		return VP_THRV_ALERT;
	default:	/* detection_filter: alerts once more than <count> matches */
		return VP_THRV_NONE;
	}
}

static enum vp_thr_verdict again(struct entry *e, const struct vp_rule_thr *s)
{
	if (e->count < UINT32_MAX)
		e->count++;
	switch (s->type) {
	case VP_THR_LIMIT:
		return e->count <= s->count ? VP_THRV_ALERT : VP_THRV_ACTION;
	case VP_THR_THRESHOLD:
		if (e->count < s->count)
			return VP_THRV_NONE;
		e->count = 0;
		return VP_THRV_ALERT;
	case VP_THR_BOTH:
		return e->count == s->count ? VP_THRV_ALERT :
		       e->count > s->count  ? VP_THRV_ACTION : VP_THRV_NONE;
	default:
		return e->count > s->count ? VP_THRV_ALERT : VP_THRV_NONE;
	}
}

enum vp_thr_verdict vp_threshold_check(struct vp_threshold *t, uint32_t rule,
				       const struct vp_rule_thr *spec,
				       const struct vp_packet *p, uint64_t *evictions)
{
	int64_t now = (int64_t)p->ts.tv_sec * 1000000 + p->ts.tv_usec;
	uint8_t key[33];
	struct entry *e;
	bool found;

	if (!t)
		return VP_THRV_ALERT;
	make_key(key, spec->track, p);
	e = slot(t, rule, key, now, &found, evictions);
	if (found && now < e->expire_us && now >= e->start_us)
		return again(e, spec);
	e->rule1 = rule + 1;
	memcpy(e->key, key, 33);
	return first(e, spec, now);
}
