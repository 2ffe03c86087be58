/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The packet pipeline: decode -> protocol violations -> flow -> application
 * layer (engine_app.c: reassembly, HTTP) -> signatures -> verdict + events.
 */
#include "vp_build.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "daemon/engine_int.h"
#include "inspect/decode.h"

/* Resets sent for one blocked flow: enough for a lost RST, not an amplifier. */
#define MAX_RESETS_PER_FLOW 4

void vp_engine_opts_default(struct vp_engine_opts *o, enum vp_mode mode)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->mode = mode;
	for (i = 0; i < VP_BUILTIN_COUNT; i++)
		o->violation[i] = vp_builtin_info(i)->def;
	o->checksum_checks = true;
	o->reset_blocked = true;
	vp_flow_limits_default(&o->flow_limits);
	o->flow_limits.rst_closes = false;	/* only RSTs reassembly accepts close a flow */
	vp_tcp_reasm_limits_default(&o->reasm_limits);
	vp_http_limits_default(&o->http_limits);
	o->uri_max_slashes = 100;
	o->midstream = true;
	o->eve_types = VP_EVE_ALERT;
}

void vp_engine_opts_from_config(struct vp_engine_opts *o, const struct vp_config *cfg)
{
	vp_engine_opts_default(o, cfg->mode);
	memcpy(o->violation, cfg->violation, sizeof(o->violation));
	o->checksum_checks = cfg->checksum_checks;
	o->reset_blocked = cfg->reset_blocked;
	o->flow_limits.max_tcp = cfg->max_tcp_flows;
	o->flow_limits.max_udp = cfg->max_udp_flows;
	/* A conflicting copy is applied only where the violation lets it through. */
	o->reasm_limits.conflict_drop = cfg->violation[VP_BUILTIN_TCP_OVERLAP_CONFLICT] ==
					VP_POLICY_BLOCK;
	o->reasm_limits.memcap = (uint64_t)cfg->stream_memcap_mb << 20;
	o->reasm_limits.depth = (uint64_t)cfg->stream_depth_kb << 10;
	o->http_limits.memcap = (uint64_t)cfg->http_memcap_mb << 20;
	o->http_limits.req_body_depth = cfg->http_body_depth_kb << 10;
	o->http_limits.resp_body_depth = cfg->http_body_depth_kb << 10;
	o->http_limits.decomp_layers = cfg->http_decompress_layers;
	o->uri_max_slashes = cfg->uri_max_slashes;
	o->midstream = cfg->midstream;
	o->vars = cfg->vars;
	o->eve_types = cfg->eve_types;
	o->xff_mode = cfg->xff_mode;
	o->xff_deployment = cfg->xff_deployment;
	memcpy(o->xff_header, cfg->xff_header, sizeof(o->xff_header));
}

/* Tells the application layer a flow goes, so it frees its state. */
static void release_flow(void *ctx, struct vp_flow *f);

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
	vp_flow_table_set_release(w->flows, release_flow, w);
	w->defrag = vp_defrag_new(NULL);
	if (!w->defrag)
		goto err;
	if (vp_engine_app_init(w) < 0)
		goto err;
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
	vp_flow_table_free(w->flows);	/* releases every flow's state first */
	vp_defrag_free(w->defrag);
	vp_engine_app_free(w);
	free(w);
}

/* Copies slice <s>, up to its first ';' when <cut> (a media type without its parameters). */
static void copy_slice(char *dst, size_t size, struct vp_slice s, bool cut)
{
	const uint8_t *semi = cut && s.len ? memchr(s.ptr, ';', s.len) : NULL;
	size_t len = semi ? (size_t)(semi - s.ptr) : s.len;

	while (cut && len && (s.ptr[len - 1] == ' ' || s.ptr[len - 1] == '\t'))
		len--;
	vp_event_copy_field(dst, size, s.ptr, len);
}

/* The http object: the request's fields, the response's status, type and body length. */
static void http_fill(struct vp_event *ev, const struct vp_http_tx *tx)
{
	const struct vp_http_msg *q = &tx->req, *r = &tx->resp;

	ev->has_http = true;
	copy_slice(ev->http_hostname, sizeof(ev->http_hostname), q->host, false);
	copy_slice(ev->http_url, sizeof(ev->http_url), q->uri_raw, false);
	copy_slice(ev->http_method, sizeof(ev->http_method), q->method, false);
	copy_slice(ev->http_user_agent, sizeof(ev->http_user_agent), q->user_agent, false);
	copy_slice(ev->http_refer, sizeof(ev->http_refer), q->referer, false);
	copy_slice(ev->http_protocol, sizeof(ev->http_protocol),
		   q->protocol.len ? q->protocol : r->protocol, false);
	ev->has_length = true;
	if (!r->line_valid)
		return;
	copy_slice(ev->http_content_type, sizeof(ev->http_content_type), r->content_type, true);
	ev->has_status = r->status != 0;
	ev->http_status = r->status;
	ev->http_length = r->body_seen;
}

void vp_engine_event_fill(struct vp_engine_worker *w, struct vp_event *ev,
			  const struct vp_pkt_ctx *c)
{
	const struct vp_packet *p = &c->p;

	memset(ev, 0, sizeof(*ev));
	ev->ts = p->ts;
	ev->flow_id = c->flow ? c->flow->id : 0;
	ev->pcap_cnt = w->pcap_cnt;
	ev->app_http = c->st && c->st->is_http;
	if (c->tx) {
		ev->has_tx_id = true;
		ev->tx_id = c->tx->id;
		/* A response whose request was not HTTP (or was missed) is still
		 * an HTTP transaction, as in Suricata: its fields alone. */
		if (c->tx->req.line_valid || c->tx->resp.line_valid)
			http_fill(ev, c->tx);
	}
	if (!p->ip_version)
		return;
	ev->src = p->src;
	ev->dst = p->dst;
	ev->proto = p->proto;
	ev->has_ports = p->proto == 6 || p->proto == 17;
	ev->sport = p->sport;
	ev->dport = p->dport;
}

/*
 * The value of field <name> in header block <h> ("Name: value" lines), the
 * first if several: the bytes after the colon up to the line's CR or LF.
 */
bool vp_engine_http_field(struct vp_slice h, const char *name, const uint8_t **v, size_t *vlen)
{
	const uint8_t *p = h.ptr, *end = h.ptr + h.len, *eol;
	size_t n = strlen(name);

	while (p && p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > n && p[n] == ':' &&
		    strncasecmp((const char *)p, name, n) == 0) {
			*v = p + n + 1;
			*vlen = (size_t)(eol - *v);
			if (*vlen && eol[-1] == '\r')
				(*vlen)--;
			return true;
		}
		p = eol + 1;
	}
	return false;
}

/*
 * The client address a proxy put in the request's xff_header: a list of
 * addresses, the client's the first (forward proxy) or the last (reverse
 * proxy in front of this host).  False when absent or not an address.
 */
static bool xff_addr(const struct vp_engine_opts *o, const struct vp_http_msg *m,
		     struct vp_addr *out)
{
	const uint8_t *v, *s, *e, *comma;
	char ip[INET6_ADDRSTRLEN + 1];
	size_t vlen;

	if (!vp_engine_http_field(m->header, o->xff_header, &v, &vlen))
		return false;
	e = v + vlen;
	if (o->xff_deployment == VP_XFF_FORWARD) {
		s = v;
		comma = memchr(v, ',', vlen);
		if (comma)
			e = comma;
	} else {
		for (s = e; s > v && s[-1] != ','; s--)
			;
	}
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e - s < 2 || (size_t)(e - s) > INET6_ADDRSTRLEN)
		return false;
	memcpy(ip, s, (size_t)(e - s));
	ip[e - s] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, ip, out->a) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, ip, out->a) == 1)
		out->family = AF_INET6;
	return out->family != 0;
}

/* xff: the alert names the client a proxy reported (alert.xff, or as its address). */
static void xff_apply(const struct vp_engine_worker *w, struct vp_event *ev,
		      const struct vp_pkt_ctx *c)
{
	struct vp_addr a;

	if (w->opts.xff_mode == VP_XFF_OFF || !c->tx || !c->tx->req.valid ||
	    !xff_addr(&w->opts, &c->tx->req, &a))
		return;
	if (w->opts.xff_mode == VP_XFF_EXTRA) {
		ev->has_xff = true;
		ev->xff = a;
	} else if (c->p.flow_flags & VP_PKT_TO_CLIENT) {
		ev->dst = a;	/* the client is the destination of a response */
	} else {
		ev->src = a;
	}
}

static void event_fill(struct vp_engine_worker *w, struct vp_event *ev,
		       const struct vp_pkt_ctx *c, bool blocked)
{
	vp_engine_event_fill(w, ev, c);
	ev->type = VP_EVENT_ALERT;
	ev->blocked = blocked;
	xff_apply(w, ev, c);
}

static void emit(struct vp_engine_worker *w, struct vp_event *ev)
{
	w->stats.alerts++;
	if (w->ring && (w->opts.eve_types & VP_EVE_ALERT) && !vp_eve_push(w->ring, ev))
		w->stats.alerts_lost++;
}

void vp_engine_emit(struct vp_engine_worker *w, struct vp_event *ev)
{
	if (w->ring && (w->opts.eve_types & (1u << ev->type)) && !vp_eve_push(w->ring, ev))
		w->stats.events_lost++;
}

static void worsen(struct vp_pkt_ctx *c, enum vp_engine_verdict v)
{
	if (v > c->v)
		c->v = v;
}

/* Violations are not signatures: a block policy drops in every mode. */
bool vp_engine_violation(struct vp_engine_worker *w, enum vp_builtin b, struct vp_pkt_ctx *c)
{
	const struct vp_builtin_info *bi = vp_builtin_info(b);
	enum vp_policy pol = w->opts.violation[b];
	struct vp_event ev;

	if (pol == VP_POLICY_OFF)
		return false;
	w->stats.violations[b]++;
	event_fill(w, &ev, c, pol == VP_POLICY_BLOCK);
	ev.gid = VP_BUILTIN_GID;
	ev.sid = bi->sid;
	ev.rev = 1;
	ev.severity = 2;
	ev.msg = bi->msg;
	ev.category = bi->category;
	emit(w, &ev);
	if (pol != VP_POLICY_BLOCK)
		return false;
	worsen(c, VP_ENGINE_DROP);
	return true;
}

static bool sig_blocks(const struct vp_engine_worker *w, const struct vp_sig *sig)
{
	return w->opts.mode == VP_MODE_PREVENT &&
	       (sig->action == VP_ACT_DROP || sig->action == VP_ACT_REJECT);
}

static enum vp_engine_verdict sig_verdict(const struct vp_sig *sig)
{
	return sig->action == VP_ACT_REJECT ? VP_ENGINE_DROP_RESET : VP_ENGINE_DROP;
}

static bool collect(void *ctx, const struct vp_sig *sig)
{
	struct vp_engine_worker *w = ctx;

	/* A drop rule past its threshold, or with noalert, still drops: Suricata
	 * applies the action without logging.  Such a match is not an alert. */
	if (vp_sig_thread_alert_suppressed(w->sig_th)) {
		if (sig_blocks(w, sig) && sig_verdict(sig) > w->silent_block)
			w->silent_block = sig_verdict(sig);
		return true;
	}
	if (w->n_matches == VP_ENGINE_MAX_MATCHES) {
		w->stats.matches_overflow++;
		return true;
	}
	w->matches[w->n_matches++] = sig;
	return true;
}

void vp_engine_detect(struct vp_engine_worker *w, struct vp_pkt_ctx *c)
{
	struct vp_event ev;
	unsigned i;

	if (!w->set)
		return;
	w->n_matches = 0;
	w->silent_block = VP_ENGINE_ACCEPT;
	vp_sig_match(w->set, w->sig_th, &c->in, collect, w);
	worsen(c, w->silent_block);
	for (i = 0; i < w->n_matches; i++) {
		const struct vp_sig *sig = w->matches[i];
		bool blocked = sig_blocks(w, sig);

		event_fill(w, &ev, c, blocked);
		ev.gid = sig->gid;
		ev.sid = sig->sid;
		ev.rev = sig->rev;
		ev.severity = sig->priority;
		ev.msg = sig->msg;
		ev.category = sig->category;
		ev.metadata_json = sig->metadata_json;
		emit(w, &ev);
		if (blocked)
			worsen(c, sig_verdict(sig));
	}
}

/* A dropped packet blocks its flow; TCP flows are reset both ways (bounded per flow). */
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
static bool check_ip(struct vp_engine_worker *w, struct vp_pkt_ctx *c, const uint8_t *data,
		     size_t len, const struct timeval *ts)
{
	int r = vp_decode_packet(&c->p, data, len);

	c->p.ts = *ts;
	if (r != VP_PARSE_OK) {
		w->stats.no_ip++;
		return vp_engine_violation(w, VP_BUILTIN_BAD_IP_HEADER, c);
	}
	if (c->p.anomalies & VP_ANOM_IP_SAME_ADDR)
		return vp_engine_violation(w, VP_BUILTIN_SAME_ADDRESS, c);
	return false;
}

/* Finds the flow; true when a cap's violation drops the packet. */
static bool flow_stage(struct vp_engine_worker *w, struct vp_pkt_ctx *c)
{
	switch (vp_flow_lookup(w->flows, &c->p, &c->flow)) {
	case VP_FLOW_CAP_TCP:
		return vp_engine_violation(w, VP_BUILTIN_TCP_FLOW_CAP, c);
	case VP_FLOW_CAP_UDP:
		return vp_engine_violation(w, VP_BUILTIN_UDP_FLOW_CAP, c);
	case VP_FLOW_CAP_OTHER:
		return vp_engine_violation(w, VP_BUILTIN_RESOURCE_EXHAUSTED, c);
	case VP_FLOW_NONE:
		w->stats.not_tracked++;
		return false;
	default:
		return false;
	}
}

/* A packet without flow state: its own payload is all there is to match. */
static void packet_only(struct vp_engine_worker *w, struct vp_pkt_ctx *c)
{
	c->in.p = &c->p;
	c->in.buf[VP_BUF_PACKET] = c->p.payload;
	c->in.present = 1ull << VP_BUF_PACKET;
	c->in.fresh = 1ull << VP_BUF_PACKET;
	vp_engine_detect(w, c);
}

/*
 * Fragments: held (and passed: the host cannot use them without the rest)
 * until the datagram is complete, then the rebuilt datagram is inspected on
 * the fragment that completed it, whose verdict decides.  Inline the kernel
 * reassembles before the queue (conntrack is active in vpatchd's table), so
 * this serves captures and tables the admin built without conntrack.
 * Returns 1 to inspect c->p (now the whole datagram), 0 to pass, -1 to drop.
 */
static int defrag_stage(struct vp_engine_worker *w, struct vp_pkt_ctx *c)
{
	const uint8_t *out;
	size_t outlen;

	switch (vp_defrag_packet(w->defrag, &c->p, &out, &outlen)) {
	case VP_DEFRAG_NOT_FRAGMENT:
		return 1;
	case VP_DEFRAG_COMPLETE:
		if (vp_decode_packet(&c->p, out, outlen) != VP_PARSE_OK)
			return vp_engine_violation(w, VP_BUILTIN_IP_FRAGMENT_INVALID, c) ? -1 : 0;
		c->p.ts = *c->ts;
		return 1;
	case VP_DEFRAG_HELD:
	case VP_DEFRAG_DUPLICATE:
		return 0;
	case VP_DEFRAG_MEMCAP:
		return vp_engine_violation(w, VP_BUILTIN_RESOURCE_EXHAUSTED, c) ? -1 : 0;
	default:
		return vp_engine_violation(w, VP_BUILTIN_IP_FRAGMENT_INVALID, c) ? -1 : 0;
	}
}

enum vp_engine_verdict vp_engine_packet(struct vp_engine_worker *w, const uint8_t *data,
					size_t len, const struct timeval *ts, bool csum_unready)
{
	struct vp_pkt_ctx c;
	int r;

	memset(&c, 0, sizeof(c));
	c.ts = ts;
	if (check_ip(w, &c, data, len, ts))
		return verdict(w, VP_ENGINE_DROP, len);
	if (c.p.fragment) {
		w->stats.fragments++;
		r = defrag_stage(w, &c);
		if (r <= 0)
			return verdict(w, r < 0 ? VP_ENGINE_DROP : VP_ENGINE_ACCEPT, len);
	}
	if (w->opts.checksum_checks && !csum_unready && !c.p.fragment &&
	    !vp_decode_checksums_ok(&c.p)) {
		/* The host's stack drops it too: inspecting it would only let an
		 * attacker feed the engine bytes the server never sees. */
		w->stats.bad_checksum++;
		return verdict(w, VP_ENGINE_ACCEPT, len);
	}
	if (flow_stage(w, &c))
		return verdict(w, VP_ENGINE_DROP, len);
	if (c.flow && c.flow->blocked) {
		w->stats.blocked_flow_packets++;
		return verdict(w, drop_flow(w, &c.p, c.flow, VP_ENGINE_DROP), len);
	}
	if (c.flow)
		vp_engine_app_packet(w, &c);
	else
		packet_only(w, &c);
	if (c.v != VP_ENGINE_ACCEPT)
		c.v = drop_flow(w, &c.p, c.flow, c.v);
	return verdict(w, c.v, len);
}

static void release_flow(void *ctx, struct vp_flow *f)
{
	vp_engine_app_release(ctx, f);
}

struct vp_sig_thread *vp_engine_swap_rules(struct vp_engine_worker *w,
					   const struct vp_sig_set *set, struct vp_sig_thread *th)
{
	struct vp_sig_thread *old = w->sig_th;

	w->set = set;
	w->sig_th = th;
	return old;
}

void vp_engine_flush(struct vp_engine_worker *w)
{
	vp_defrag_flush(w->defrag);
	vp_engine_app_flush(w);
}

void vp_engine_set_pcap_cnt(struct vp_engine_worker *w, uint64_t n)
{
	w->pcap_cnt = n;
}

void vp_engine_idle(struct vp_engine_worker *w, const struct timeval *now)
{
	vp_flow_expire(w->flows, now, 1024);
	vp_defrag_expire(w->defrag, now);
}

void vp_engine_rule_stats(const struct vp_engine_worker *w, size_t i,
			  struct vp_sig_rule_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (w->sig_th)
		vp_sig_thread_rule_stats(w->sig_th, i, out);
}

void vp_engine_stats(const struct vp_engine_worker *w, struct vp_engine_stats *s)
{
	*s = w->stats;
}
