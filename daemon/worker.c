/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <linux/netfilter/nfnetlink_queue.h>

#include "daemon/nfq.h"
#include "daemon/reset.h"
#include "daemon/worker.h"

#define POLL_MS 200

struct worker {
	struct vp_workers *ws;
	unsigned index;
	struct vp_nfq *q;
	struct vp_engine_worker *eng;
	struct vp_reset *reset;
	pthread_t thread;
	bool started;
	uint64_t reset_errors;
	unsigned gen;			/* rule set generation in use */
	_Atomic unsigned acked;		/* published to the control thread */
};

struct vp_workers {
	struct worker *w;
	unsigned n;
	_Atomic bool stop;
	/* Rule reload: the control thread fills next_*, then bumps gen; each
	 * worker swaps between two batches, leaves its old state in old_th and
	 * acknowledges the generation. */
	_Atomic unsigned gen;
	const struct vp_sig_set *next_set;
	struct vp_sig_thread **next_th;
	struct vp_sig_thread **old_th;
};

static enum vp_verdict on_packet(void *ctx, const struct vp_nfq_pkt *pkt)
{
	struct worker *w = ctx;
	bool unready = pkt->skbinfo & (NFQA_SKB_CSUMNOTREADY | NFQA_SKB_GSO);
	enum vp_engine_verdict v;

	v = vp_engine_packet(w->eng, pkt->data, pkt->len, &pkt->ts, unready);
	if (v == VP_ENGINE_ACCEPT)
		return VP_VERDICT_ACCEPT;
	if (v == VP_ENGINE_DROP_RESET && vp_reset_send(w->reset, pkt->data, pkt->len) < 0)
		w->reset_errors++;
	return VP_VERDICT_DROP;
}

static void maybe_swap(struct worker *w)
{
	struct vp_workers *ws = w->ws;
	unsigned g = atomic_load_explicit(&ws->gen, memory_order_acquire);

	if (g == w->gen)
		return;
	ws->old_th[w->index] = vp_engine_swap_rules(w->eng, ws->next_set, ws->next_th[w->index]);
	w->gen = g;
	atomic_store_explicit(&w->acked, g, memory_order_release);
}

static void *run(void *arg)
{
	struct worker *w = arg;
	struct timeval now;
	int r;

	while (!atomic_load_explicit(&w->ws->stop, memory_order_relaxed)) {
		maybe_swap(w);
		r = vp_nfq_process(w->q, POLL_MS, on_packet, w);
		if (r == 0) {
			gettimeofday(&now, NULL);
			vp_engine_idle(w->eng, &now);
		}
	}
	return NULL;
}

static int worker_open(struct worker *w, const struct vp_engine_opts *o,
		       const struct vp_sig_set *set, struct vp_eve *eve, uint16_t queue,
		       unsigned maxlen, bool fail_open, uint32_t mark, char *err, size_t errlen)
{
	w->eng = vp_engine_worker_new(o, set, eve ? vp_eve_ring(eve, w->index) : NULL);
	if (!w->eng) {
		snprintf(err, errlen, "worker %u: out of memory", w->index);
		return -ENOMEM;
	}
	w->reset = vp_reset_new(mark, err, errlen);
	if (!w->reset)
		return -EIO;
	w->q = vp_nfq_open(queue, maxlen, fail_open, err, errlen);
	if (!w->q)
		return -EIO;
	return 0;
}

/* Worker threads take no signal: the control thread handles them all. */
static int start_thread(struct worker *w)
{
	sigset_t all, old;
	int r;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&w->thread, NULL, run, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r)
		return -r;
	w->started = true;
	return 0;
}

struct vp_workers *vp_workers_start(const struct vp_engine_opts *o, const struct vp_sig_set *set,
				    struct vp_eve *eve, uint16_t queue, unsigned n,
				    unsigned queue_maxlen, bool fail_open, uint32_t mark,
				    char *err, size_t errlen)
{
	struct vp_workers *ws;
	unsigned i;

	ws = calloc(1, sizeof(*ws));
	if (!ws || !(ws->w = calloc(n, sizeof(*ws->w)))) {
		snprintf(err, errlen, "out of memory");
		goto err;
	}
	ws->n = n;
	ws->next_th = calloc(n, sizeof(*ws->next_th));
	ws->old_th = calloc(n, sizeof(*ws->old_th));
	if (!ws->next_th || !ws->old_th) {
		snprintf(err, errlen, "out of memory");
		goto err;
	}
	for (i = 0; i < n; i++) {
		ws->w[i].ws = ws;
		ws->w[i].index = i;
		if (worker_open(&ws->w[i], o, set, eve, (uint16_t)(queue + i), queue_maxlen,
				fail_open, mark, err, errlen) < 0)
			goto err;
	}
	for (i = 0; i < n; i++) {
		if (start_thread(&ws->w[i]) < 0) {
			snprintf(err, errlen, "cannot start worker thread %u", i);
			goto err;
		}
	}
	return ws;
err:
	vp_workers_stop(ws);
	return NULL;
}

void vp_workers_stop(struct vp_workers *ws)
{
	unsigned i;

	if (!ws)
		return;
	atomic_store(&ws->stop, true);
	for (i = 0; ws->w && i < ws->n; i++) {
		struct worker *w = &ws->w[i];

		if (w->started)
			pthread_join(w->thread, NULL);
		vp_nfq_close(w->q);
		vp_reset_free(w->reset);
		vp_engine_worker_free(w->eng);
	}
	free(ws->w);
	free(ws->next_th);
	free(ws->old_th);
	free(ws);
}

/* Every worker has acknowledged generation <g> (bounded wait: workers poll every POLL_MS). */
static bool wait_acked(struct vp_workers *ws, unsigned g)
{
	const struct timespec tick = { .tv_sec = 0, .tv_nsec = 5 * 1000 * 1000 };
	unsigned i, waited = 0;

	for (i = 0; i < ws->n; i++) {
		while (atomic_load_explicit(&ws->w[i].acked, memory_order_acquire) != g) {
			if (waited++ > 2000)	/* 10 s: a worker is stuck */
				return false;
			nanosleep(&tick, NULL);
		}
	}
	return true;
}

int vp_workers_swap_rules(struct vp_workers *ws, const struct vp_sig_set *set)
{
	unsigned i, g;

	for (i = 0; i < ws->n; i++) {
		ws->next_th[i] = vp_sig_thread_new(set);
		if (!ws->next_th[i]) {
			while (i--)
				vp_sig_thread_free(ws->next_th[i]);
			return -ENOMEM;
		}
		ws->old_th[i] = NULL;
	}
	ws->next_set = set;
	g = atomic_load(&ws->gen) + 1;
	atomic_store_explicit(&ws->gen, g, memory_order_release);
	if (!wait_acked(ws, g))
		return -ETIMEDOUT;
	for (i = 0; i < ws->n; i++)
		vp_sig_thread_free(ws->old_th[i]);
	return 0;
}

static void add_stats(struct vp_engine_stats *sum, const struct vp_engine_stats *s)
{
	const uint64_t *src = (const uint64_t *)s;
	uint64_t *dst = (uint64_t *)sum;
	size_t i;

	/* struct vp_engine_stats is made of uint64_t counters only. */
	for (i = 0; i < sizeof(*s) / sizeof(uint64_t); i++)
		dst[i] += src[i];
}

void vp_workers_stats(const struct vp_workers *ws, struct vp_engine_stats *s)
{
	struct vp_engine_stats one;
	unsigned i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < ws->n; i++) {
		vp_engine_stats(ws->w[i].eng, &one);
		add_stats(s, &one);
	}
}

void vp_workers_rule_stats(const struct vp_workers *ws, size_t i, struct vp_sig_rule_stats *out)
{
	struct vp_sig_rule_stats one;
	unsigned k;

	memset(out, 0, sizeof(*out));
	for (k = 0; k < ws->n; k++) {
		vp_engine_rule_stats(ws->w[k].eng, i, &one);
		out->checks += one.checks;
		out->matches += one.matches;
		out->ns += one.ns;
	}
}
