/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine's application layer: per-flow state from a worker pool, inline
 * TCP reassembly, HTTP parsing and URI normalisation, and the detection calls
 * each of them feeds: the packet and the stream as each packet arrives, the
 * HTTP buffers as each request or response part completes.  All of it runs on
 * the packet that brought the bytes, so that packet is the one dropped.
 */
#include "vp_build.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "daemon/engine_int.h"
#include "normalize/uri.h"
#include "signatures/netaddr.h"

#define NIL UINT32_MAX

/* ---- setup ---------------------------------------------------------------- */

static void http_ports_init(struct vp_engine_worker *w)
{
	const char *text = w->opts.vars ? vp_vars_get(w->opts.vars, "HTTP_PORTS") : NULL;
	struct vp_netaddr *ports;
	char err[256];
	uint32_t port;

	memset(w->http_ports, 0, sizeof(w->http_ports));
	ports = text ? vp_netaddr_parse_ports(text, w->opts.vars, err, sizeof(err)) : NULL;
	if (!ports) {
		/* No (usable) $HTTP_PORTS: the contract's default. */
		w->http_ports[80 / 8] |= 1u << (80 % 8);
		w->http_ports[8080 / 8] |= 1u << (8080 % 8);
		return;
	}
	for (port = 0; port < 65536; port++)
		if (vp_netaddr_match_port(ports, (uint16_t)port))
			w->http_ports[port / 8] |= (uint8_t)(1u << (port % 8));
	vp_netaddr_free(ports);
}

/*
 * The HTTP buffer memories (struct vp_sig_buf_mem, ~800 bytes) are taken by
 * HTTP flows only, from a pool of four per request/response slab pair the
 * HTTP parser's memcap holds (at least 4096): an exhausted pool only means
 * scanning buffers again, counted.
 */
static int buf_mems_init(struct vp_engine_worker *w)
{
	struct vp_http_stats hs;

	vp_http_ctx_stats(w->http, &hs);
	w->n_buf_mems = hs.slabs_total > 1024 ? hs.slabs_total * 4 : 4096;
	w->buf_mems = calloc(w->n_buf_mems, sizeof(*w->buf_mems));
	w->buf_mem_next = calloc(w->n_buf_mems, sizeof(*w->buf_mem_next));
	w->buf_mems_free = NIL;
	return w->buf_mems && w->buf_mem_next ? 0 : -ENOMEM;
}

/* The flow's buffer memory, taken now if it has none; NULL when the pool is empty. */
static struct vp_sig_buf_mem *buf_mem_get(struct vp_engine_worker *w, struct vp_flow_state *st)
{
	uint32_t i;

	if (st->buf_mem)
		return &w->buf_mems[st->buf_mem - 1];
	if (w->buf_mems_free != NIL) {
		i = w->buf_mems_free;
		w->buf_mems_free = w->buf_mem_next[i];
	} else if (w->buf_mems_hw < w->n_buf_mems) {
		i = w->buf_mems_hw++;
	} else {
		w->stats.prefilter_mem_exhausted++;
		return NULL;
	}
	memset(&w->buf_mems[i], 0, sizeof(w->buf_mems[i]));	/* nothing of another flow */
	st->buf_mem = i + 1;
	return &w->buf_mems[i];
}

static void buf_mem_put(struct vp_engine_worker *w, struct vp_flow_state *st)
{
	uint32_t i = st->buf_mem - 1;

	if (!st->buf_mem)
		return;
	w->buf_mem_next[i] = w->buf_mems_free;
	w->buf_mems_free = i;
	st->buf_mem = 0;
}

int vp_engine_app_init(struct vp_engine_worker *w)
{
	const struct vp_flow_limits *fl = &w->opts.flow_limits;

	w->reasm = vp_tcp_reasm_new(&w->opts.reasm_limits);
	w->http = vp_http_ctx_new(&w->opts.http_limits);
	if (!w->reasm || !w->http)
		return -ENOMEM;
	/* As many states as flows can exist; pages are touched only as the
	 * high-water mark rises, so an idle pool costs address space only. */
	w->n_states = fl->max_tcp + fl->max_udp + fl->max_other;
	w->states = calloc(w->n_states, sizeof(*w->states));
	w->uri_size = vp_http_ctx_limits(w->http)->max_line + 1;
	w->uri_buf = malloc(w->uri_size);
	if (!w->states || !w->uri_buf)
		return -ENOMEM;
	w->states_free = NIL;
	http_ports_init(w);
	return buf_mems_init(w);
}

void vp_engine_app_free(struct vp_engine_worker *w)
{
	vp_http_ctx_free(w->http);
	vp_tcp_reasm_free(w->reasm);
	free(w->buf_mems);
	free(w->buf_mem_next);
	free(w->states);
	free(w->uri_buf);
}

/* ---- per-flow state --------------------------------------------------------- */

static bool is_http_port(const struct vp_engine_worker *w, uint16_t port)
{
	return w->http_ports[port / 8] & (1u << (port % 8));
}

static struct vp_flow_state *state_get(struct vp_engine_worker *w, struct vp_flow *f)
{
	struct vp_flow_state *st;
	uint32_t i;

	if (f->user)
		return f->user;
	if (w->states_free != NIL) {
		i = w->states_free;
		w->states_free = w->states[i].next_free;
	} else if (w->states_hw < w->n_states) {
		i = w->states_hw++;
	} else {
		return NULL;
	}
	st = &w->states[i];
	memset(st, 0, sizeof(*st));
	st->flow = f;
	vp_tcp_reasm_session_init(&st->tcp);
	vp_http_conn_init(&st->http);
	st->is_http = f->proto == 6 && is_http_port(w, f->sport);
	f->user = st;
	return st;
}

void vp_engine_app_release(struct vp_engine_worker *w, struct vp_flow *f)
{
	struct vp_flow_state *st = f->user;

	if (!st)
		return;
	vp_tcp_reasm_session_release(w->reasm, &st->tcp);
	vp_http_conn_release(w->http, &st->http);
	buf_mem_put(w, st);
	st->flow = NULL;
	st->next_free = w->states_free;
	w->states_free = (uint32_t)(st - w->states);
	f->user = NULL;
}

/* ---- HTTP ------------------------------------------------------------------- */

/*
 * Presents buffer <b>.  An HTTP field the message does not have (NULL) is
 * absent, not empty: rules on it do not run, as in Suricata (bsize:<3 must
 * not match a Host header that is not there).  The packet buffer is always
 * present, empty or not, so header-only rules see every packet.
 */
static void put(struct vp_sig_input *in, enum vp_sig_buffer b, struct vp_slice s, bool fresh)
{
	if (!s.ptr && (s.len || b != VP_BUF_PACKET))
		return;
	in->buf[b] = s;
	in->present |= 1ull << b;
	if (fresh)
		in->fresh |= 1ull << b;
}

/* Starts the detection input of one call: no buffer yet, the packet and the flow's bits. */
static void input_reset(struct vp_pkt_ctx *c)
{
	memset(&c->in, 0, sizeof(c->in));
	c->in.p = &c->p;
	c->in.flowbits = c->st ? c->st->flowbits : NULL;
}

/* The normalised http.uri of <m>, into the worker's URI buffer. */
static struct vp_slice uri_normalize(struct vp_engine_worker *w, const struct vp_http_msg *m,
				     struct vp_uri_result *res)
{
	struct vp_slice uri = { 0 };

	memset(res, 0, sizeof(*res));
	if (!m->uri_raw.len)
		return uri;
	vp_uri_normalize(m->uri_raw.ptr, m->uri_raw.len, w->uri_buf, w->uri_size, res);
	uri.ptr = w->uri_buf;
	uri.len = res->len;
	return uri;
}

/* The built-in URI checks on what normalising found; true when one drops the packet. */
static bool uri_checks(struct vp_engine_worker *w, struct vp_pkt_ctx *c,
		       const struct vp_uri_result *res)
{
	static const struct {
		uint32_t bit;
		enum vp_builtin b;
	} checks[] = {
		{ VP_URI_BAD_CHAR, VP_BUILTIN_URI_BAD_CHAR },
		{ VP_URI_ABOVE_ROOT, VP_BUILTIN_URI_ABOVE_ROOT },
		{ VP_URI_DOUBLE_ENCODING, VP_BUILTIN_URI_DOUBLE_ENCODING },
		{ VP_URI_U_ENCODING, VP_BUILTIN_URI_U_ENCODING },
		{ VP_URI_OVERLONG_UTF8, VP_BUILTIN_URI_OVERLONG_UTF8 },
	};
	bool drop = false;
	size_t i;

	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (res->anomalies & checks[i].bit)
			drop |= vp_engine_violation(w, checks[i].b, c);
	if (res->slashes > w->opts.uri_max_slashes)
		drop |= vp_engine_violation(w, VP_BUILTIN_URI_TOO_MANY_SLASHES, c);
	return drop;
}

static void put_request(struct vp_sig_input *in, const struct vp_http_msg *m,
			struct vp_slice uri, bool fresh)
{
	put(in, VP_BUF_HTTP_METHOD, m->method, fresh);
	put(in, VP_BUF_HTTP_URI, uri, fresh);
	put(in, VP_BUF_HTTP_URI_RAW, m->uri_raw, fresh);
	put(in, VP_BUF_HTTP_REQUEST_LINE, m->line, fresh);
	put(in, VP_BUF_HTTP_PROTOCOL, m->protocol, fresh);
	put(in, VP_BUF_HTTP_HOST, m->host, fresh);
	put(in, VP_BUF_HTTP_HOST_RAW, m->host_raw, fresh);
	put(in, VP_BUF_HTTP_USER_AGENT, m->user_agent, fresh);
	put(in, VP_BUF_HTTP_COOKIE, m->cookie, fresh);
	put(in, VP_BUF_HTTP_REFERER, m->referer, fresh);
	put(in, VP_BUF_HTTP_CONTENT_TYPE, m->content_type, fresh);
	put(in, VP_BUF_HTTP_CONTENT_LEN, m->content_len, fresh);
	put(in, VP_BUF_HTTP_ACCEPT, m->accept, fresh);
	put(in, VP_BUF_HTTP_ACCEPT_ENC, m->accept_enc, fresh);
	put(in, VP_BUF_HTTP_ACCEPT_LANG, m->accept_lang, fresh);
	put(in, VP_BUF_HTTP_CONNECTION, m->connection, fresh);
}

static void put_response(struct vp_sig_input *in, const struct vp_http_msg *m, bool fresh)
{
	put(in, VP_BUF_HTTP_STAT_CODE, m->stat_code, fresh);
	put(in, VP_BUF_HTTP_STAT_MSG, m->stat_msg, fresh);
	put(in, VP_BUF_HTTP_RESPONSE_LINE, m->line, fresh);
	put(in, VP_BUF_HTTP_PROTOCOL, m->protocol, fresh);
	put(in, VP_BUF_HTTP_SERVER, m->server, fresh);
	put(in, VP_BUF_HTTP_LOCATION, m->location, fresh);
	put(in, VP_BUF_HTTP_CONTENT_TYPE, m->content_type, fresh);
	put(in, VP_BUF_HTTP_CONTENT_LEN, m->content_len, fresh);
	put(in, VP_BUF_HTTP_COOKIE, m->cookie, fresh);
	put(in, VP_BUF_HTTP_CONNECTION, m->connection, fresh);
}

/* This direction's header buffers (http.header, .raw, names, start). */
static void put_headers(struct vp_sig_input *in, const struct vp_http_msg *m, bool fresh)
{
	put(in, VP_BUF_HTTP_HEADER, m->header, fresh);
	put(in, VP_BUF_HTTP_HEADER_RAW, m->header_raw, fresh);
	put(in, VP_BUF_HTTP_HEADER_NAMES, m->header_names, fresh);
	put(in, VP_BUF_HTTP_START, m->start, fresh);
}

#define SMUGGLING (VP_HTTP_ANOM_CL_AND_TE | VP_HTTP_ANOM_MULTIPLE_CL | \
		   VP_HTTP_ANOM_TE_NOT_CHUNKED_LAST | VP_HTTP_ANOM_TE_CHUNKED_TWICE | \
		   VP_HTTP_ANOM_WS_BEFORE_COLON | VP_HTTP_ANOM_INVALID_CHUNK | \
		   VP_HTTP_ANOM_INVALID_CL)

/* Builds the detection input of one HTTP event; returns false when there is nothing to match. */
static bool http_input(struct vp_engine_worker *w, struct vp_pkt_ctx *c, enum vp_http_event ev,
		       const struct vp_http_tx *tx)
{
	struct vp_sig_input *in = &c->in;
	struct vp_slice uri = { 0 };
	bool req_fresh = ev == VP_HTTP_EV_REQUEST_HEADERS;
	bool resp_fresh = ev == VP_HTTP_EV_RESPONSE_HEADERS;

	input_reset(c);
	in->buf_mem = buf_mem_get(w, c->st);
	in->tx_id = tx->id;
	put(in, VP_BUF_PACKET, c->p.payload, false);
	if (tx->req.valid) {
		struct vp_uri_result res;

		uri = uri_normalize(w, &tx->req, &res);
		if (req_fresh && uri_checks(w, c, &res))
			return false;	/* a URI violation drops the packet already */
		put_request(in, &tx->req, uri, req_fresh);
	}
	if (ev == VP_HTTP_EV_REQUEST_HEADERS || ev == VP_HTTP_EV_REQUEST_BODY) {
		put_headers(in, &tx->req, req_fresh);
		if (ev == VP_HTTP_EV_REQUEST_BODY) {
			put(in, VP_BUF_HTTP_REQUEST_BODY, tx->req.body, true);
			put(in, VP_BUF_FILE_DATA, tx->req.body, true);
		}
		return true;
	}
	put_response(in, &tx->resp, resp_fresh);
	put_headers(in, &tx->resp, resp_fresh);
	if (ev == VP_HTTP_EV_RESPONSE_BODY) {
		put(in, VP_BUF_HTTP_RESPONSE_BODY, tx->resp.body, true);
		put(in, VP_BUF_FILE_DATA, tx->resp.body, true);
	}
	return true;
}

/*
 * A request whose header block never completed (the parser gave up, or the
 * stream ended): its start line was still sent, so the rules on it run.
 */
static bool line_input(struct vp_engine_worker *w, struct vp_pkt_ctx *c,
		       const struct vp_http_msg *m)
{
	struct vp_sig_input *in = &c->in;
	struct vp_uri_result res;
	struct vp_slice uri;

	input_reset(c);
	uri = uri_normalize(w, m, &res);
	if (uri_checks(w, c, &res))
		return false;
	put(in, VP_BUF_HTTP_METHOD, m->method, true);
	put(in, VP_BUF_HTTP_URI, uri, true);
	put(in, VP_BUF_HTTP_URI_RAW, m->uri_raw, true);
	put(in, VP_BUF_HTTP_REQUEST_LINE, m->line, true);
	put(in, VP_BUF_HTTP_PROTOCOL, m->protocol, true);
	return true;
}

/* HTTP anomalies that make built-in alerts: smuggling shapes, and giving up on a direction. */
static bool http_anomalies(struct vp_engine_worker *w, struct vp_pkt_ctx *c,
			   enum vp_http_event ev, const struct vp_http_msg *m)
{
	bool drop = false;

	if (ev == VP_HTTP_EV_REQUEST_HEADERS && (m->anomalies & SMUGGLING))
		drop |= vp_engine_violation(w, VP_BUILTIN_HTTP_SMUGGLING, c);
	if (ev == VP_HTTP_EV_GIVEUP) {
		w->stats.http_giveups++;
		drop |= vp_engine_violation(w, VP_BUILTIN_HTTP_MALFORMED, c);
	}
	return drop;
}

static bool body_event(enum vp_http_event ev)
{
	return ev == VP_HTTP_EV_REQUEST_BODY || ev == VP_HTTP_EV_RESPONSE_BODY;
}

/* An http event: the transaction, in the request's direction (client to server). */
static void log_tx(struct vp_engine_worker *w, struct vp_pkt_ctx *c)
{
	const struct vp_flow *f = c->flow;
	struct vp_event ev;

	vp_engine_event_fill(w, &ev, c);
	if (!ev.has_http)
		return;
	ev.type = VP_EVENT_HTTP;
	if (f && ev.src.family) {
		ev.src = f->client;
		ev.dst = f->server;
		ev.sport = f->cport;
		ev.dport = f->sport;
	}
	vp_engine_emit(w, &ev);
}

/* The filename parameter of <m>'s Content-Disposition (from its http.header buffer), if any. */
static void disposition_name(const struct vp_http_msg *m, char *out, size_t size)
{
	static const char param[] = "filename=";
	const uint8_t *v, *f, *q;
	size_t n, i, pl = sizeof(param) - 1;

	if (!vp_engine_http_field(m->header, "content-disposition", &v, &n))
		return;
	for (i = 1; i + pl <= n; i++) {	/* after a space or ';', not the colon */
		if (strncasecmp((const char *)v + i, param, pl) != 0 ||
		    (v[i - 1] != ' ' && v[i - 1] != ';'))
			continue;
		f = v + i + pl;
		n -= i + pl;
		if (n && *f == '"') {
			q = memchr(f + 1, '"', n - 1);
			vp_event_copy_field(out, size, f + 1, q ? (size_t)(q - f - 1) : n - 1);
		} else {
			q = memchr(f, ';', n);
			vp_event_copy_field(out, size, f, q ? (size_t)(q - f) : n);
		}
		return;
	}
}

/* A fileinfo event: body <m> of the transaction, in the direction it flowed. */
static void log_file(struct vp_engine_worker *w, struct vp_pkt_ctx *c,
		     const struct vp_http_msg *m)
{
	struct vp_event ev;

	vp_engine_event_fill(w, &ev, c);
	if (!ev.has_http)
		return;
	ev.type = VP_EVENT_FILEINFO;
	disposition_name(m, ev.file_name, sizeof(ev.file_name));
	ev.file_size = m->body_seen;
	ev.file_gaps = m->anomalies & VP_HTTP_ANOM_GAP;
	ev.file_state = m->anomalies & VP_HTTP_ANOM_TRUNCATED ? VP_FILE_TRUNCATED : VP_FILE_CLOSED;
	vp_engine_emit(w, &ev);
}

/*
 * The http and fileinfo events of one HTTP callback: a body's file when it ends, the
 * transaction when its final response is complete, or when the response direction ended
 * without one (UNANSWERED, as Suricata logs such a transaction at flow end).
 */
static void http_log(struct vp_engine_worker *w, struct vp_pkt_ctx *c, enum vp_http_event ev,
		     const struct vp_http_tx *tx)
{
	const struct vp_http_msg *r = &tx->resp;
	bool interim = r->status >= 100 && r->status < 200;

	if (!(w->opts.eve_types & (VP_EVE_HTTP | VP_EVE_FILEINFO)))
		return;
	if (ev == VP_HTTP_EV_REQUEST_BODY && tx->req.body_done && tx->req.body_seen)
		log_file(w, c, &tx->req);
	if (ev == VP_HTTP_EV_RESPONSE_BODY && r->body_done) {
		if (r->body_seen)
			log_file(w, c, r);
		log_tx(w, c);
	}
	if (ev == VP_HTTP_EV_RESPONSE_HEADERS && r->body_done && !interim)
		log_tx(w, c);
	if (ev == VP_HTTP_EV_UNANSWERED)
		log_tx(w, c);
}

/*
 * One HTTP detection point.  Bodies are matched once, when complete (or at
 * the inspection depth), so a body rule alerts once per transaction and the
 * packet completing the body is the one dropped.  Returns non-zero to stop
 * parsing the direction: the flow is being blocked.
 */
static int on_http(void *ctx, enum vp_http_event ev, const struct vp_http_tx *tx)
{
	struct vp_pkt_ctx *c = ctx;
	struct vp_engine_worker *w = c->worker;
	const struct vp_http_msg *m;

	if (!tx) {
		http_anomalies(w, c, ev, NULL);
		return c->v != VP_ENGINE_ACCEPT;
	}
	/* The side is the direction being fed: events of a response are the
	 * response's, even one without a status line. */
	m = c->p.flow_flags & VP_PKT_TO_SERVER ? &tx->req : &tx->resp;
	if (ev == VP_HTTP_EV_REQUEST_HEADERS)
		w->stats.http_requests++;
	else if (ev == VP_HTTP_EV_RESPONSE_HEADERS)
		w->stats.http_responses++;
	c->tx = tx;
	if (ev == VP_HTTP_EV_UNANSWERED)
		goto out;	/* logged only: every detection point already ran */
	if (http_anomalies(w, c, ev, m))
		goto out;
	if (ev == VP_HTTP_EV_GIVEUP || ev == VP_HTTP_EV_INCOMPLETE) {
		if (m == &tx->req && m->line_valid && !m->valid && line_input(w, c, m))
			vp_engine_detect(w, c);
		goto out;
	}
	if (body_event(ev) && !m->body_done)
		goto out;
	if (http_input(w, c, ev, tx))
		vp_engine_detect(w, c);
out:
	http_log(w, c, ev, tx);
	c->tx = NULL;
	return c->v != VP_ENGINE_ACCEPT;
}

static void http_result(struct vp_engine_worker *w, struct vp_pkt_ctx *c, int r)
{
	if (r == VP_HTTP_MEMCAP) {
		w->stats.http_memcap++;
		vp_engine_violation(w, VP_BUILTIN_RESOURCE_EXHAUSTED, c);
	}
}

/*
 * Protocol probing for flows off the HTTP ports: the first bytes the client
 * sends start with a request method and a space (as Suricata detects HTTP on
 * any port).  Decided once, on the first client bytes.
 */
static bool looks_like_http(const uint8_t *b, size_t len)
{
	static const char *const methods[] = {
		"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "CONNECT ", "TRACE ",
		"PATCH ", "PROPFIND ", "PROPPATCH ", "MKCOL ", "COPY ", "MOVE ", "LOCK ",
		"UNLOCK ", "SEARCH ",
	};
	size_t i, n;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		n = strlen(methods[i]);
		if (len >= n && memcmp(b, methods[i], n) == 0)
			return true;
	}
	return false;
}

static void probe_http(struct vp_flow_state *st, const struct vp_tcp_delivery *d, bool to_server)
{
	if (st->is_http || st->probed || !to_server || d->len <= d->new_off)
		return;
	st->probed = true;
	st->is_http = d->stream_off + d->new_off == 0 &&
		      looks_like_http(d->data + d->new_off, d->len - d->new_off);
}

/*
 * The direction ends for the HTTP parser; after the response direction, the requests it never
 * answered are reported (logged as http events).
 */
static void http_end(struct vp_engine_worker *w, struct vp_pkt_ctx *c, bool to_server)
{
	struct vp_flow_state *st = c->st;

	st->http_eof[to_server ? 0 : 1] = true;
	vp_http_eof(w->http, &st->http, to_server, on_http, c);
	if (!to_server && c->v == VP_ENGINE_ACCEPT)
		vp_http_unanswered(w->http, &st->http, on_http, c);
}

/* Feeds the direction's new stream bytes, and its end, to the HTTP parser. */
static void http_stage(struct vp_engine_worker *w, struct vp_pkt_ctx *c,
		       const struct vp_tcp_delivery *d, bool to_server)
{
	struct vp_flow_state *st = c->st;
	int dir = to_server ? 0 : 1;

	uint64_t start = d->stream_off + d->new_off;

	probe_http(st, d, to_server);
	if (!st->is_http || vp_http_conn_done(&st->http, to_server))
		return;
	if (d->len > d->new_off) {
		if (!st->http_started[dir]) {
			st->http_started[dir] = true;
			st->http_off[dir] = start;
		}
		/* Bytes the receiver acknowledged but we never saw: the parser
		 * skips them inside a body, or gives up on the direction. */
		if (start > st->http_off[dir])
			http_result(w, c, vp_http_gap(w->http, &st->http, to_server,
						      start - st->http_off[dir], on_http, c));
		http_result(w, c, vp_http_feed(w->http, &st->http, to_server, d->data + d->new_off,
					       d->len - d->new_off, on_http, c));
		st->http_off[dir] = d->stream_off + d->len;
	}
	if ((d->flags & (VP_REASM_F_FIN | VP_REASM_F_RST)) && !st->http_eof[dir] &&
	    c->v == VP_ENGINE_ACCEPT)
		http_end(w, c, to_server);
}

/* ---- stream ----------------------------------------------------------------- */

/* Reassembly; returns false when a violation drops the packet. */
static bool stream_stage(struct vp_engine_worker *w, struct vp_pkt_ctx *c, bool to_server,
			 struct vp_tcp_delivery *d)
{
	int r = vp_tcp_reasm_packet(w->reasm, &c->st->tcp, &c->p, to_server, d);

	if ((d->flags & VP_REASM_F_URGENT) && vp_engine_violation(w, VP_BUILTIN_TCP_URGENT, c))
		return false;
	switch (r) {
	case VP_REASM_CONFLICT:
		w->stats.stream_conflicts++;
		return !vp_engine_violation(w, VP_BUILTIN_TCP_OVERLAP_CONFLICT, c);
	case VP_REASM_MEMCAP:
	case VP_REASM_LIMIT:
		w->stats.stream_memcap++;
		return !vp_engine_violation(w, VP_BUILTIN_RESOURCE_EXHAUSTED, c);
	default:
		return true;
	}
}

/* The packet and stream detection call. */
static void packet_input(struct vp_pkt_ctx *c, const struct vp_tcp_delivery *d)
{
	struct vp_sig_input *in = &c->in;

	input_reset(c);
	put(in, VP_BUF_PACKET, c->p.payload, true);
	if (d && d->len > d->new_off) {
		put(in, VP_BUF_STREAM, (struct vp_slice){ d->data, d->len }, true);
		in->stream_new_off = d->new_off;
		in->stream_off = d->stream_off;
		in->stream_mem = &c->st->pf_mem[c->p.flow_flags & VP_PKT_TO_SERVER ? 0 : 1];
	}
}

void vp_engine_app_packet(struct vp_engine_worker *w, struct vp_pkt_ctx *c)
{
	bool to_server = c->p.flow_flags & VP_PKT_TO_SERVER;
	struct vp_tcp_delivery d = { 0 };

	c->worker = w;
	if (c->flow->midstream && !w->opts.midstream) {
		/* Like Suricata with stream.midstream off: no stream, no
		 * application layer, never established; packets still match. */
		c->p.flow_flags &= ~(uint32_t)VP_PKT_ESTABLISHED;
		packet_input(c, NULL);
		vp_engine_detect(w, c);
		return;
	}
	c->st = state_get(w, c->flow);
	if (!c->st) {
		w->stats.state_exhausted++;
		if (vp_engine_violation(w, VP_BUILTIN_RESOURCE_EXHAUSTED, c))
			return;
		packet_input(c, NULL);
		vp_engine_detect(w, c);
		return;
	}
	if (c->p.proto == 6 && !stream_stage(w, c, to_server, &d))
		return;
	if (d.flags & VP_REASM_F_RST)
		vp_flow_tcp_close(w->flows, c->flow);
	packet_input(c, c->p.proto == 6 ? &d : NULL);
	vp_engine_detect(w, c);
	if (c->p.proto == 6 && c->v == VP_ENGINE_ACCEPT)
		http_stage(w, c, &d, to_server);
}

/* The end of a capture: every HTTP direction still open ends now, as at a FIN. */
static void flush_state(struct vp_engine_worker *w, struct vp_flow_state *st)
{
	struct vp_flow *f = st->flow;
	struct vp_pkt_ctx c;
	int dir;

	for (dir = 0; dir < 2; dir++) {
		if (st->http_eof[dir] || vp_http_conn_done(&st->http, dir == 0))
			continue;
		memset(&c, 0, sizeof(c));
		c.worker = w;
		c.flow = f;
		c.st = st;
		c.p.ip_version = f->client.family == AF_INET6 ? 6 : 4;
		c.p.proto = f->proto;
		c.p.src = dir == 0 ? f->client : f->server;
		c.p.dst = dir == 0 ? f->server : f->client;
		c.p.sport = dir == 0 ? f->cport : f->sport;
		c.p.dport = dir == 0 ? f->sport : f->cport;
		c.p.ts = f->last_seen;
		c.p.flow_flags = VP_PKT_HAS_FLOW | (dir == 0 ? VP_PKT_TO_SERVER : VP_PKT_TO_CLIENT) |
				 (f->tcp_state >= VP_TCP_ESTABLISHED ? VP_PKT_ESTABLISHED : 0);
		http_end(w, &c, dir == 0);
	}
}

void vp_engine_app_flush(struct vp_engine_worker *w)
{
	uint32_t i;

	for (i = 0; i < w->states_hw; i++)
		if (w->states[i].flow && w->states[i].is_http && !w->states[i].flow->blocked)
			flush_state(w, &w->states[i]);
}
