/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target for inspect/http.c.
 *
 * Input: byte 0 picks the limits (small ones, so limits are reached) and whether the streams
 * end with vp_http_eof(); byte 1 seeds the chunking; bytes 2-3 (little endian, modulo what is
 * left) are the length of the client stream; the client stream follows, then the server stream.
 *
 * Three runs over the same streams:
 * 1. each stream fed whole, client first (the reference);
 * 2. each stream cut into random chunks (1 byte .. 4 KiB), client first: the canonical log of
 *    events (every buffer, flag and anomaly at each event but intermediate body events) must be
 *    the same as the reference — chunking never changes what the parser sees.  Decompression
 *    bombs are judged per inflate step, so both runs disable the ratio check;
 * 3. random chunks of both directions interleaved, some replaced by reassembly gaps, with the
 *    ratio check on (crash/leak only).
 * Every callback reads every byte of every slice (ASan checks them) and checks the invariants of
 * the view; after each run the pools must be full again.  A broken invariant aborts.
 */
#include "vp_build.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
	uint64_t hash;		/* canonical log, FNV-1a */
	uint64_t sum;		/* touches every byte */
	uint64_t next_id;
	uint32_t depth;
};

static void check(int cond)
{
	if (!cond)
		abort();
}

static void hash_bytes(struct run *r, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		r->hash = (r->hash ^ b[i]) * 0x100000001b3ull;
}

static void visit(struct run *r, struct vp_slice s, bool log)
{
	check(!s.len || s.ptr != NULL);
	for (size_t i = 0; i < s.len; i++)
		r->sum += s.ptr[i];
	if (log) {
		hash_bytes(r, &s.len, sizeof(s.len));
		hash_bytes(r, s.ptr, s.len);
	}
}

static void visit_msg(struct run *r, const struct vp_http_msg *m, bool log)
{
	const struct vp_slice all[] = {
		m->line, m->protocol, m->method, m->uri_raw, m->stat_code, m->stat_msg, m->start,
		m->header, m->header_raw, m->header_names, m->cookie, m->content_type,
		m->content_len, m->host, m->host_raw, m->user_agent, m->referer, m->accept,
		m->accept_enc, m->accept_lang, m->connection, m->server, m->location, m->body,
	};
	uint8_t flags[4] = { m->line_valid, m->valid, m->body_done, m->ver_minor };

	check(!(m->anomalies & ~VP_HTTP_ANOM_ALL));
	check(m->body_new <= m->body.len);
	check(m->body.len <= r->depth);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		visit(r, all[i], log);
	if (log) {
		hash_bytes(r, flags, sizeof(flags));
		hash_bytes(r, &m->anomalies, sizeof(m->anomalies));
		hash_bytes(r, &m->status, sizeof(m->status));
		hash_bytes(r, &m->body_seen, sizeof(m->body_seen));
	}
}

static int on_event(void *cbctx, enum vp_http_event ev, const struct vp_http_tx *tx)
{
	struct run *r = cbctx;
	bool body = ev == VP_HTTP_EV_REQUEST_BODY || ev == VP_HTTP_EV_RESPONSE_BODY;
	bool log;

	check(ev >= VP_HTTP_EV_REQUEST_HEADERS && ev <= VP_HTTP_EV_INCOMPLETE);
	if (!tx) {
		check(ev == VP_HTTP_EV_GIVEUP);
		hash_bytes(r, "memcap", 6);
		return 0;
	}
	log = !body || (ev == VP_HTTP_EV_REQUEST_BODY ? tx->req.body_done : tx->resp.body_done);
	if (ev == VP_HTTP_EV_REQUEST_HEADERS || ev == VP_HTTP_EV_REQUEST_BODY) {
		check(tx->req.valid && tx->req.line_valid);
		check(tx->id + 1 >= r->next_id);	/* requests come in order */
		r->next_id = tx->id + 1;
	}
	if (ev == VP_HTTP_EV_RESPONSE_HEADERS || ev == VP_HTTP_EV_RESPONSE_BODY)
		check(tx->resp.valid);
	if (log) {
		hash_bytes(r, &ev, sizeof(ev));
		hash_bytes(r, &tx->id, sizeof(tx->id));
	}
	visit_msg(r, &tx->req, log);
	visit_msg(r, &tx->resp, log);
	return 0;
}

static struct vp_http_ctx *make_ctx(uint8_t sel, bool ratio, struct run *r)
{
	struct vp_http_limits l;

	vp_http_limits_default(&l);
	l.memcap = 4u << 20;
	l.max_inflate = 2;
	l.decomp_layers = 3;	/* more than the arenas: layers may go without */
	if (sel & 1) {
		l.max_line = 40;
		l.max_header_block = 128;
		l.max_headers = 4;
	}
	if (sel & 2)
		l.req_body_depth = l.resp_body_depth = 32;
	if (sel & 4)
		l.decomp_max_output = 1000;
	l.decomp_max_ratio = ratio ? 20 : 0;
	r->depth = l.req_body_depth > l.resp_body_depth ? l.req_body_depth : l.resp_body_depth;
	return vp_http_ctx_new(&l);
}

static size_t next_chunk(uint32_t *seed, size_t left)
{
	size_t n;

	*seed = *seed * 1103515245u + 12345u;
	n = (*seed >> 16) & 7 ? 1 + ((*seed >> 8) & 15) : 1 + ((*seed >> 4) & 4095);
	return n < left ? n : left;
}

static void feed_chunks(struct vp_http_ctx *ctx, struct vp_http_conn *c, bool to_server,
			const uint8_t *p, size_t n, uint32_t seed, struct run *r)
{
	size_t pos = 0;

	while (pos < n) {
		size_t k = seed ? next_chunk(&seed, n - pos) : n - pos;

		vp_http_feed(ctx, c, to_server, p + pos, k, on_event, r);
		pos += k;
	}
}

static void finish(struct vp_http_ctx *ctx, struct vp_http_conn *c, bool eof, struct run *r)
{
	struct vp_http_stats st;

	if (eof) {
		vp_http_eof(ctx, c, true, on_event, r);
		vp_http_eof(ctx, c, false, on_event, r);
	}
	vp_http_conn_release(ctx, c);
	vp_http_ctx_stats(ctx, &st);
	check(st.slabs_used == 0 && st.inflate_used == 0);
}

static uint64_t run_ordered(uint8_t sel, uint32_t seed, const uint8_t *rq, size_t nrq,
			    const uint8_t *rs, size_t nrs)
{
	struct run r = { .hash = 0xcbf29ce484222325ull };
	struct vp_http_ctx *ctx = make_ctx(sel, false, &r);
	struct vp_http_conn c;

	check(ctx != NULL);
	vp_http_conn_init(&c);
	feed_chunks(ctx, &c, true, rq, nrq, seed, &r);
	feed_chunks(ctx, &c, false, rs, nrs, seed * 7 + 1, &r);
	finish(ctx, &c, sel & 8, &r);
	vp_http_ctx_free(ctx);
	return r.hash;
}

static void run_interleaved(uint8_t sel, uint32_t seed, const uint8_t *rq, size_t nrq,
			    const uint8_t *rs, size_t nrs)
{
	struct run r = { .hash = 0 };
	struct vp_http_ctx *ctx = make_ctx(sel, true, &r);
	struct vp_http_conn c;
	size_t a = 0, b = 0;

	check(ctx != NULL);
	vp_http_conn_init(&c);
	while (a < nrq || b < nrs) {
		bool client = b == nrs || (a < nrq && (seed & 1));
		size_t k = next_chunk(&seed, client ? nrq - a : nrs - b);

		if (!((seed >> 20) & 63))	/* now and then a reassembly gap instead */
			vp_http_gap(ctx, &c, client, k, on_event, &r);
		else if (client)
			vp_http_feed(ctx, &c, true, rq + a, k, on_event, &r);
		else
			vp_http_feed(ctx, &c, false, rs + b, k, on_event, &r);
		if (client)
			a += k;
		else
			b += k;
	}
	finish(ctx, &c, sel & 8, &r);
	vp_http_ctx_free(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *rq, *rs;
	size_t nrq, nrs;
	uint8_t sel;
	uint32_t seed;

	if (size < 4)
		return 0;
	sel = data[0];
	seed = (uint32_t)data[1] * 2654435761u | 1;
	nrq = (size_t)(data[2] | data[3] << 8);
	data += 4;
	size -= 4;
	nrq = size ? nrq % (size + 1) : 0;
	rq = data;
	rs = data + nrq;
	nrs = size - nrq;
	check(run_ordered(sel, 0, rq, nrq, rs, nrs) == run_ordered(sel, seed, rq, nrq, rs, nrs));
	run_interleaved(sel, seed, rq, nrq, rs, nrs);
	return 0;
}
