/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/engine.h"
#include "inspect/decode.h"

/* Alerts reported per packet; further matches are counted, not lost silently. */
#define MAX_MATCHES 16
/* Resets sent for one blocked flow: enough for a lost RST, not an amplifier. */
#define MAX_RESETS_PER_FLOW 4

struct vp_engine_worker {
	struct vp_engine_opts opts;
	const struct vp_sig_set *set;
	struct vp_sig_thread *sig_th;
	struct vp_flow_table *flows;
	struct vp_eve_ring *ring;
	struct vp_engine_stats stats;

	/* Per-packet scratch: the matches of the packet being inspected. */
	const struct vp_sig *matches[MAX_MATCHES];
	unsigned n_matches;
};

void vp_engine_opts_from_config(struct vp_engine_opts *o, const struct vp_config *cfg)
{
	memset(o, 0, sizeof(*o));
	o->mode = cfg->mode;
	memcpy(o->violation, cfg->violation, sizeof(o->violation));
	o->checksum_checks = cfg->checksum_checks;
	o->reset_blocked = cfg->reset_blocked;
	vp_flow_limits_default(&o->flow_limits);
	o->flow_limits.max_tcp = cfg->max_tcp_flows;
	o->flow_limits.max_udp = cfg->max_udp_flows;
}

struct vp_engine_worker *vp_engine_worker_new(const struct vp_engine_opts *o,
					      const struct vp_sig_set *set,
					      struct vp_eve_ring *ring)
{
	struct vp_engine_worker *w;

	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->opts = *o;
	w->set = set;
	w->ring = ring;
	w->flows = vp_flow_table_new(&o->flow_limits);
	if (!w->flows)
		goto err;
	if (o->flows_shared)
		vp_flow_table_set_shared(w->flows, o->flows_shared);
	if (set) {
		w->sig_th = vp_sig_thread_new(set);
		if (!w->sig_th)
			goto err;
	}
	return w;
err:
	vp_engine_worker_free(w);
	return NULL;
}

void vp_engine_worker_free(struct vp_engine_worker *w)
{
	if (!w)
		return;
	vp_sig_thread_free(w->sig_th);
	vp_flow_table_free(w->flows);
	free(w);
}

static void event_fill(struct vp_event *ev, const struct vp_packet *p, const struct timeval *ts,
		       const struct vp_flow *flow, bool blocked)
{
	memset(ev, 0, sizeof(*ev));
	ev->ts = *ts;
	ev->flow_id = flow ? flow->id : 0;
	ev->blocked = blocked;
	if (!p->ip_version)
		return;
	ev->src = p->src;
	ev->dst = p->dst;
	ev->proto = p->proto;
	ev->has_ports = p->proto == 6 || p->proto == 17;
	ev->sport = p->sport;
	ev->dport = p->dport;
}

static void emit(struct vp_engine_worker *w, struct vp_event *ev)
{
	w->stats.alerts++;
	if (w->ring && !vp_eve_push(w->ring, ev))
		w->stats.alerts_lost++;
}

/*
 * Applies built-in check <b> to the packet.  Returns true when the packet is
 * to be dropped (policy block), in every mode: violations are not signatures.
 */
static bool violation(struct vp_engine_worker *w, enum vp_builtin b, const struct vp_packet *p,
		      const struct timeval *ts, const struct vp_flow *flow)
{
	const struct vp_builtin_info *bi = vp_builtin_info(b);
	enum vp_policy pol = w->opts.violation[b];
	struct vp_event ev;

	if (pol == VP_POLICY_OFF)
		return false;
	w->stats.violations[b]++;
	event_fill(&ev, p, ts, flow, pol == VP_POLICY_BLOCK);
	ev.gid = VP_BUILTIN_GID;
	ev.sid = bi->sid;
	ev.rev = 1;
	ev.severity = 2;
	ev.msg = bi->msg;
	ev.category = bi->category;
	emit(w, &ev);
	return pol == VP_POLICY_BLOCK;
}

static bool collect(void *ctx, const struct vp_sig *sig)
{
	struct vp_engine_worker *w = ctx;

	if (w->n_matches == MAX_MATCHES) {
		w->stats.matches_overflow++;
		return true;
	}
	w->matches[w->n_matches++] = sig;
	return true;
}

static bool sig_blocks(const struct vp_engine_worker *w, const struct vp_sig *sig)
{
	return w->opts.mode == VP_MODE_PREVENT &&
	       (sig->action == VP_ACT_DROP || sig->action == VP_ACT_REJECT);
}

/* Reports the matches of this packet; returns the verdict they call for. */
static enum vp_engine_verdict report_matches(struct vp_engine_worker *w, const struct vp_packet *p,
					     const struct timeval *ts, struct vp_flow *flow)
{
	enum vp_engine_verdict v = VP_ENGINE_ACCEPT;
	struct vp_event ev;
	unsigned i;

	for (i = 0; i < w->n_matches; i++) {
		const struct vp_sig *sig = w->matches[i];
		bool blocked = sig_blocks(w, sig);

		event_fill(&ev, p, ts, flow, blocked);
		ev.gid = sig->gid;
		ev.sid = sig->sid;
		ev.rev = sig->rev;
		ev.severity = sig->priority;
		ev.msg = sig->msg;
		ev.category = sig->category;
		ev.metadata_json = sig->metadata_json;
		emit(w, &ev);
		if (!blocked)
			continue;
		if (v == VP_ENGINE_ACCEPT)
			v = VP_ENGINE_DROP;
		if (sig->action == VP_ACT_REJECT)
			v = VP_ENGINE_DROP_RESET;
	}
	return v;
}

/* A dropped TCP packet of a flow we block: reset both ends (bounded per flow). */
static enum vp_engine_verdict drop_flow(struct vp_engine_worker *w, const struct vp_packet *p,
					struct vp_flow *flow, enum vp_engine_verdict v)
{
	if (flow && !flow->blocked) {
		flow->blocked = true;
		w->stats.blocked_flows++;
	}
	if (p->proto != 6 || (p->tcp_flags & VP_TCP_RST))
		return VP_ENGINE_DROP;
	if (v != VP_ENGINE_DROP_RESET && !w->opts.reset_blocked)
		return VP_ENGINE_DROP;
	if (flow) {
		if (flow->resets_sent >= MAX_RESETS_PER_FLOW)
			return VP_ENGINE_DROP;
		flow->resets_sent++;
	}
	w->stats.resets++;
	return VP_ENGINE_DROP_RESET;
}

static enum vp_engine_verdict verdict(struct vp_engine_worker *w, enum vp_engine_verdict v,
				      size_t len)
{
	w->stats.packets++;
	w->stats.bytes += len;
	if (v == VP_ENGINE_ACCEPT)
		w->stats.accepted++;
	else
		w->stats.dropped++;
	return v;
}

/* Decoding and the address checks; true when a violation drops the packet. */
static bool check_ip(struct vp_engine_worker *w, struct vp_packet *p, const uint8_t *data,
		     size_t len, const struct timeval *ts)
{
	if (vp_decode_packet(p, data, len) != VP_PARSE_OK) {
		w->stats.no_ip++;
		return violation(w, VP_BUILTIN_BAD_IP_HEADER, p, ts, NULL);
	}
	if (p->anomalies & VP_ANOM_IP_SAME_ADDR)
		return violation(w, VP_BUILTIN_SAME_ADDRESS, p, ts, NULL);
	return false;
}

static int flow_stage(struct vp_engine_worker *w, struct vp_packet *p, const struct timeval *ts,
		      struct vp_flow **flow)
{
	int r = vp_flow_lookup(w->flows, p, flow);

	switch (r) {
	case VP_FLOW_CAP_TCP:
		return violation(w, VP_BUILTIN_TCP_FLOW_CAP, p, ts, NULL) ? -1 : 0;
	case VP_FLOW_CAP_UDP:
		return violation(w, VP_BUILTIN_UDP_FLOW_CAP, p, ts, NULL) ? -1 : 0;
	case VP_FLOW_CAP_OTHER:
		return violation(w, VP_BUILTIN_RESOURCE_EXHAUSTED, p, ts, NULL) ? -1 : 0;
	case VP_FLOW_NONE:
		if (p->fragment)
			w->stats.fragments++;
		w->stats.not_tracked++;
		return 0;
	default:
		return 0;
	}
}

enum vp_engine_verdict vp_engine_packet(struct vp_engine_worker *w, const uint8_t *data,
					size_t len, const struct timeval *ts, bool csum_unready)
{
	struct vp_flow *flow = NULL;
	enum vp_engine_verdict v;
	struct vp_packet p;

	if (check_ip(w, &p, data, len, ts))
		return verdict(w, VP_ENGINE_DROP, len);
	p.ts = *ts;
	if (w->opts.checksum_checks && !csum_unready && !p.fragment &&
	    !vp_decode_checksums_ok(&p)) {
		/* The host's stack drops it too: inspecting it would only let an
		 * attacker feed the engine bytes the server never sees. */
		w->stats.bad_checksum++;
		return verdict(w, VP_ENGINE_ACCEPT, len);
	}
	if (flow_stage(w, &p, ts, &flow) < 0)
		return verdict(w, VP_ENGINE_DROP, len);
	if (flow && flow->blocked) {
		w->stats.blocked_flow_packets++;
		return verdict(w, drop_flow(w, &p, flow, VP_ENGINE_DROP), len);
	}
	if (!w->set)
		return verdict(w, VP_ENGINE_ACCEPT, len);
	w->n_matches = 0;
	vp_sig_match_packet(w->set, w->sig_th, &p, collect, w);
	v = report_matches(w, &p, ts, flow);
	if (v != VP_ENGINE_ACCEPT)
		v = drop_flow(w, &p, flow, v);
	return verdict(w, v, len);
}

struct vp_sig_thread *vp_engine_swap_rules(struct vp_engine_worker *w,
					   const struct vp_sig_set *set, struct vp_sig_thread *th)
{
	struct vp_sig_thread *old = w->sig_th;

	w->set = set;
	w->sig_th = th;
	return old;
}

void vp_engine_idle(struct vp_engine_worker *w, const struct timeval *now)
{
	vp_flow_expire(w->flows, now, 1024);
}

void vp_engine_stats(const struct vp_engine_worker *w, struct vp_engine_stats *s)
{
	*s = w->stats;
}
