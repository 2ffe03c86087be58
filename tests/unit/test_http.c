/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of inspect/http.c: every sticky buffer of valid requests and responses of each
 * shape, split invariance (every 2-chunk split and 1-byte feeding give the same buffers, events
 * and anomalies), each smuggling anomaly, limits and give-up, truncation, gzip/deflate bodies built
 * here with zlib, decompression bombs, HEAD/1xx/204/304/CONNECT/101 framing, memcap and pools.
 */
#include "vp_build.h"

#include <check.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "inspect/http.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_TX	      8

enum buf {
	B_METHOD = 0,
	B_URI,
	B_PROTO,
	B_LINE,
	B_HEADER,
	B_HEADER_RAW,
	B_NAMES,
	B_START,
	B_HOST,
	B_HOST_RAW,
	B_UA,
	B_COOKIE,
	B_REFERER,
	B_CTYPE,
	B_CLEN,
	B_ACCEPT,
	B_ACCEPT_ENC,
	B_ACCEPT_LANG,
	B_CONNECTION,
	B_STAT_CODE,
	B_STAT_MSG,
	B_SERVER,
	B_LOCATION,
	B_BODY,
	B_COUNT,
};

static struct vp_slice get_buf(const struct vp_http_msg *m, enum buf b)
{
	const struct vp_slice *all[B_COUNT] = {
		&m->method, &m->uri_raw, &m->protocol, &m->line, &m->header, &m->header_raw,
		&m->header_names, &m->start, &m->host, &m->host_raw, &m->user_agent, &m->cookie,
		&m->referer, &m->content_type, &m->content_len, &m->accept, &m->accept_enc,
		&m->accept_lang, &m->connection, &m->stat_code, &m->stat_msg, &m->server,
		&m->location, &m->body,
	};

	return *all[b];
}

/* A growable byte string. */
struct sbuf {
	char *p;
	size_t n, cap;
};

static void sb_add(struct sbuf *s, const void *d, size_t n)
{
	if (s->n + n + 1 > s->cap) {
		s->cap = (s->n + n + 1) * 2;
		s->p = realloc(s->p, s->cap);
		ck_assert_ptr_nonnull(s->p);
	}
	if (n)
		memcpy(s->p + s->n, d, n);
	s->n += n;
	s->p[s->n] = 0;
}

static void sb_str(struct sbuf *s, const char *str)
{
	sb_add(s, str, strlen(str));
}

static void sb_fmt(struct sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_fmt(struct sbuf *s, const char *fmt, ...)
{
	char tmp[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	sb_add(s, tmp, (size_t)n);
}

/* What the callback saw of one side of one transaction. */
struct side {
	bool seen;
	struct sbuf buf[B_COUNT];
	uint64_t anomalies;
	bool body_done, valid, req_valid;
	int body_events;
	uint16_t status;
	uint64_t body_seen;
	size_t body_reported;
	struct sbuf req_uri;	/* response events: the matched request's target */
};

struct rec {
	struct side req[MAX_TX], resp[MAX_TX];
	int giveups, incompletes, events, null_tx;
	uint64_t giveup_anom;
	int stop_on;		/* event type that makes the callback return 1 (0: never) */
	struct sbuf log;	/* canonical log: everything but non-final body events */
};

static void rec_free(struct rec *r)
{
	for (int i = 0; i < MAX_TX; i++) {
		for (int b = 0; b < B_COUNT; b++) {
			free(r->req[i].buf[b].p);
			free(r->resp[i].buf[b].p);
		}
		free(r->resp[i].req_uri.p);
	}
	free(r->log.p);
	memset(r, 0, sizeof(*r));
}

static void save_side(struct side *sd, const struct vp_http_msg *m)
{
	for (int b = 0; b < B_COUNT; b++) {
		struct vp_slice v = get_buf(m, (enum buf)b);

		sd->buf[b].n = 0;
		sb_add(&sd->buf[b], v.ptr, v.len);
	}
	sd->seen = true;
	sd->anomalies = m->anomalies;
	sd->body_done = m->body_done;
	sd->valid = m->valid;
	sd->status = m->status;
	sd->body_seen = m->body_seen;
}

static void log_msg(struct rec *r, int ev, uint64_t id, const struct vp_http_msg *m)
{
	sb_fmt(&r->log, "ev=%d id=%llu anom=%llx ", ev, (unsigned long long)id,
	       (unsigned long long)m->anomalies);
	sb_fmt(&r->log, "done=%d status=%u seen=%llu\n", m->body_done, m->status,
	       (unsigned long long)m->body_seen);
	for (int b = 0; b < B_COUNT; b++) {
		struct vp_slice v = get_buf(m, (enum buf)b);

		sb_fmt(&r->log, "%d:%zu:", b, v.len);
		sb_add(&r->log, v.ptr, v.len);
		sb_add(&r->log, "\n", 1);
	}
}

static void check_body(struct side *sd, const struct vp_http_msg *m)
{
	ck_assert_uint_eq(m->body_new, sd->body_reported);
	ck_assert_uint_le(m->body_new, m->body.len);
	ck_assert(!m->body.len || m->body.ptr);
	sd->body_reported = m->body.len;
	sd->body_events++;
}

static int rec_cb(void *cbctx, enum vp_http_event ev, const struct vp_http_tx *tx)
{
	struct rec *r = cbctx;
	bool req = ev == VP_HTTP_EV_REQUEST_HEADERS || ev == VP_HTTP_EV_REQUEST_BODY;
	const struct vp_http_msg *m;
	struct side *sd;

	r->events++;
	if (!tx) {
		ck_assert_int_eq(ev, VP_HTTP_EV_GIVEUP);
		r->null_tx++;
		r->giveups++;
		sb_add(&r->log, "null-giveup\n", 12);
		return r->stop_on == (int)ev;
	}
	if (ev == VP_HTTP_EV_GIVEUP || ev == VP_HTTP_EV_INCOMPLETE) {
		if (ev == VP_HTTP_EV_GIVEUP)
			r->giveups++;
		else
			r->incompletes++;
		r->giveup_anom |= tx->req.anomalies | tx->resp.anomalies;
		log_msg(r, ev, tx->id, &tx->req);
		log_msg(r, ev, tx->id, &tx->resp);
		return r->stop_on == (int)ev;
	}
	ck_assert_uint_lt(tx->id, MAX_TX);
	m = req ? &tx->req : &tx->resp;
	sd = req ? &r->req[tx->id] : &r->resp[tx->id];
	ck_assert(m->valid);
	if (ev == VP_HTTP_EV_REQUEST_BODY || ev == VP_HTTP_EV_RESPONSE_BODY)
		check_body(sd, m);
	else
		sd->body_reported = 0;
	save_side(sd, m);
	if (!req) {
		sd->req_valid = tx->req.valid;
		sd->req_uri.n = 0;
		sb_add(&sd->req_uri, tx->req.uri_raw.ptr, tx->req.uri_raw.len);
	}
	if (ev == VP_HTTP_EV_REQUEST_HEADERS || ev == VP_HTTP_EV_RESPONSE_HEADERS || m->body_done)
		log_msg(r, ev, tx->id, m);
	return r->stop_on == (int)ev;
}

static struct vp_http_ctx *ctx_with(uint32_t line, uint32_t block, uint32_t nh, uint32_t depth)
{
	struct vp_http_limits l;
	struct vp_http_ctx *ctx;

	vp_http_limits_default(&l);
	if (line)
		l.max_line = line;
	if (block)
		l.max_header_block = block;
	if (nh)
		l.max_headers = nh;
	if (depth)
		l.req_body_depth = l.resp_body_depth = depth;
	l.memcap = 8u << 20;
	ctx = vp_http_ctx_new(&l);
	ck_assert_ptr_nonnull(ctx);
	return ctx;
}

static struct vp_http_ctx *new_ctx(void)
{
	return ctx_with(0, 0, 0, 0);
}

/* Feeds <s> in pieces: whole (step 0), or split at <split>, or <step> bytes at a time. */
static int feed_split(struct vp_http_ctx *ctx, struct vp_http_conn *c, bool to_server,
		      const char *s, size_t len, size_t split, size_t step, struct rec *r)
{
	int ret = VP_HTTP_OK, worst = VP_HTTP_OK;
	size_t pos = 0;

	if (split) {
		worst = vp_http_feed(ctx, c, to_server, (const uint8_t *)s, split, rec_cb, r);
		pos = split;
	}
	while (pos < len || (!len && !pos)) {
		size_t n = step ? step : len - pos;

		if (n > len - pos)
			n = len - pos;
		ret = vp_http_feed(ctx, c, to_server, (const uint8_t *)s + pos, n, rec_cb, r);
		if (ret < worst || (ret == VP_HTTP_TUNNEL && worst == VP_HTTP_OK))
			worst = ret;
		pos += n;
		if (!len)
			break;
	}
	return worst;
}

static void assert_buf(const struct side *sd, enum buf b, const char *want, size_t want_len)
{
	if (sd->buf[b].n != want_len || memcmp(sd->buf[b].p ? sd->buf[b].p : "", want, want_len))
		ck_abort_msg("buffer %d: got %zu bytes \"%.*s\", want %zu bytes \"%.*s\"", (int)b,
			     sd->buf[b].n, (int)sd->buf[b].n, sd->buf[b].p ? sd->buf[b].p : "",
			     want_len, (int)want_len, want);
}

#define ASSERT_BUF(sd, b, lit) assert_buf((sd), (b), (lit), sizeof(lit) - 1)

/* ---- valid requests: every buffer's exact content ------------------------------------ */

struct want {
	int tx;
	enum buf b;
	const char *val;
	size_t len;	/* 0: strlen(val) */
};

#define W(t, b, s) { (t), (b), (s), sizeof(s) - 1 }

#define NUL_HDR	  "GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n"
#define NUL_LINE  "GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n"
#define NUL_TRAIL "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: b\0\r\n\r\n"

struct req_case {
	const char *name;
	const char *in;
	size_t in_len;
	int ntx;
	uint64_t anomalies;	/* of tx 0 (all txs for pipelined) */
	struct want want[24];
};

static const struct req_case req_cases[] = {
	/* requests stay strict: a control byte in the name is not Transfer-Encoding */
	{ "te-name-ctl",
	  "GET / HTTP/1.1\r\nHost: h\r\nTransfer\x0b-Encoding: chunked\r\n\r\n"
	  "GET /2 HTTP/1.1\r\nHost: h\r\nTransfer\x0b-Encoding: chunked\r\n\r\n",
	  0, 2, VP_HTTP_ANOM_INVALID_HEADER_NAME | VP_HTTP_ANOM_INVALID_HEADER_VALUE,
	  { W(0, B_URI, "/"), W(0, B_BODY, ""), W(1, B_URI, "/2") } },
	{ "get-query",
	  "GET /search?q=a%20b&x=1 HTTP/1.1\r\nHost: Example.COM:8080\r\nUser-Agent: curl/8.0\r\n"
	  "Accept: */*\r\nAccept-Encoding: gzip, br\r\nAccept-Language: en-US\r\n"
	  "Referer: http://r.example/\r\nConnection: keep-alive\r\n\r\n",
	  0, 1, 0,
	  { W(0, B_METHOD, "GET"), W(0, B_URI, "/search?q=a%20b&x=1"), W(0, B_PROTO, "HTTP/1.1"),
	    W(0, B_LINE, "GET /search?q=a%20b&x=1 HTTP/1.1"), W(0, B_HOST, "example.com"),
	    W(0, B_HOST_RAW, "Example.COM:8080"), W(0, B_UA, "curl/8.0"), W(0, B_ACCEPT, "*/*"),
	    W(0, B_ACCEPT_ENC, "gzip, br"), W(0, B_ACCEPT_LANG, "en-US"),
	    W(0, B_REFERER, "http://r.example/"), W(0, B_CONNECTION, "keep-alive"),
	    W(0, B_COOKIE, ""), W(0, B_BODY, ""),
	    W(0, B_HEADER,
	      "Host: Example.COM:8080\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n"
	      "Accept-Encoding: gzip, br\r\nAccept-Language: en-US\r\n"
	      "Referer: http://r.example/\r\nConnection: keep-alive\r\n"),
	    W(0, B_HEADER_RAW,
	      "Host: Example.COM:8080\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n"
	      "Accept-Encoding: gzip, br\r\nAccept-Language: en-US\r\n"
	      "Referer: http://r.example/\r\nConnection: keep-alive\r\n\r\n"),
	    W(0, B_NAMES,
	      "\r\nHost\r\nUser-Agent\r\nAccept\r\nAccept-Encoding\r\nAccept-Language\r\n"
	      "Referer\r\nConnection\r\n\r\n"),
	    W(0, B_START,
	      "GET /search?q=a%20b&x=1 HTTP/1.1\r\nHost: Example.COM:8080\r\n"
	      "User-Agent: curl/8.0\r\nAccept: */*\r\nAccept-Encoding: gzip, br\r\n"
	      "Accept-Language: en-US\r\nReferer: http://r.example/\r\n"
	      "Connection: keep-alive\r\n\r\n") } },
	{ "post-cl-cookie",
	  "POST /login HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\n"
	  "Content-Length: 11\r\nCookie: s=1\r\n\r\nuser=admin&",
	  0, 1, 0,
	  { W(0, B_METHOD, "POST"), W(0, B_BODY, "user=admin&"),
	    W(0, B_CTYPE, "application/x-www-form-urlencoded"), W(0, B_CLEN, "11"),
	    W(0, B_COOKIE, "s=1"),
	    W(0, B_HEADER,
	      "Host: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 11\r\n"),
	    W(0, B_START,
	      "POST /login HTTP/1.1\r\nHost: a\r\n"
	      "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 11\r\n"
	      "Cookie: s=1\r\n\r\n"),
	    W(0, B_NAMES, "\r\nHost\r\nContent-Type\r\nContent-Length\r\nCookie\r\n\r\n") } },
	{ "chunked-ext-trailer",
	  "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "5;name=val\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
	  0, 1, VP_HTTP_ANOM_CHUNK_EXT,
	  { W(0, B_BODY, "hello world"), W(0, B_HEADER, "Host: h\r\nTransfer-Encoding: chunked\r\n"),
	    W(0, B_HEADER_RAW, "Host: h\r\nTransfer-Encoding: chunked\r\n\r\n") } },
	{ "chunked-upper-hex",
	  "PUT /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n"
	  "A\r\n0123456789\r\n00\r\n\r\n",
	  0, 1, 0, { W(0, B_BODY, "0123456789"), W(0, B_METHOD, "PUT") } },
	{ "pipelined-3",
	  "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2?x HTTP/1.1\r\nHost: b\r\n\r\n"
	  "POST /3 HTTP/1.1\r\nHost: c\r\nContent-Length: 3\r\n\r\nabc",
	  0, 3, 0,
	  { W(0, B_URI, "/1"), W(0, B_HOST, "a"), W(1, B_URI, "/2?x"), W(1, B_HOST, "b"),
	    W(2, B_URI, "/3"), W(2, B_HOST, "c"), W(2, B_BODY, "abc"), W(0, B_BODY, "") } },
	{ "http10-no-host", "GET /old HTTP/1.0\r\n\r\n", 0, 1, 0,
	  { W(0, B_PROTO, "HTTP/1.0"), W(0, B_HOST, ""), W(0, B_HEADER, ""), W(0, B_NAMES, ""),
	    W(0, B_START, "GET /old HTTP/1.0\r\n"), W(0, B_HEADER_RAW, "\r\n") } },
	{ "absolute-form",
	  "GET http://user@Proxy.Example:3128/p?x HTTP/1.1\r\nHost: proxy.example\r\n\r\n", 0, 1, 0,
	  { W(0, B_URI, "http://user@Proxy.Example:3128/p?x"), W(0, B_HOST, "proxy.example"),
	    W(0, B_HOST_RAW, "Proxy.Example") } },
	{ "absolute-form-ipv6", "GET http://[::1]:80/ HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", 0, 1, 0,
	  { W(0, B_HOST, "[::1]"), W(0, B_HOST_RAW, "[::1]") } },
	{ "repeat-and-fold",
	  "GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: one\r\nX-A: 1\r\nuser-agent: two\r\n"
	  "X-Long: a\r\n  b\r\n\r\n",
	  0, 1, VP_HTTP_ANOM_REPEATED_HEADER | VP_HTTP_ANOM_OBS_FOLD,
	  { W(0, B_UA, "one, two"),
	    W(0, B_HEADER, "Host: a\r\nUser-Agent: one, two\r\nX-A: 1\r\nX-Long: a  b\r\n"),
	    W(0, B_NAMES, "\r\nHost\r\nUser-Agent\r\nX-A\r\nX-Long\r\n\r\n"),
	    W(0, B_HEADER_RAW,
	      "Host: a\r\nUser-Agent: one\r\nX-A: 1\r\nuser-agent: two\r\nX-Long: a\r\n  b\r\n\r\n") } },
	{ "multiple-host",
	  "GET / HTTP/1.1\r\nHost: ABC.com\r\nAccept: */*\r\nHost: efg.net\r\n\r\n", 0, 1,
	  VP_HTTP_ANOM_MULTIPLE_HOST | VP_HTTP_ANOM_REPEATED_HEADER,
	  { W(0, B_HOST, "abc.com, efg.net"), W(0, B_HOST_RAW, "ABC.com, efg.net") } },
	{ "cookies-joined",
	  "GET / HTTP/1.1\r\nCookie: a=1\r\nHost: h.\r\ncookie: b=2\r\n\r\n", 0, 1, 0,
	  { W(0, B_COOKIE, "a=1, b=2"), W(0, B_HOST, "h"), W(0, B_HEADER, "Host: h.\r\n"),
	    W(0, B_START, "GET / HTTP/1.1\r\nCookie: a=1, b=2\r\nHost: h.\r\n\r\n") } },
	{ "http09", "GET /\r\n", 0, 1, VP_HTTP_ANOM_HTTP09,
	  { W(0, B_METHOD, "GET"), W(0, B_URI, "/"), W(0, B_PROTO, ""), W(0, B_LINE, "GET /"),
	    W(0, B_START, "GET /\r\n"), W(0, B_HEADER, "") } },
	{ "bare-lf", "GET / HTTP/1.1\nHost: a\n\n", 0, 1, VP_HTTP_ANOM_BARE_LF,
	  { W(0, B_HEADER, "Host: a\r\n"), W(0, B_HEADER_RAW, "Host: a\n\n"),
	    W(0, B_LINE, "GET / HTTP/1.1") } },
	{ "trim-and-empty",
	  "GET / HTTP/1.1\r\nHost:   a  \t\r\nX-Empty:\r\nX-B:b\r\n\r\n", 0, 1, 0,
	  { W(0, B_HOST_RAW, "a"), W(0, B_HEADER, "Host: a\r\nX-Empty: \r\nX-B: b\r\n") } },
	{ "leading-crlf", "\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n", 0, 1, 0,
	  { W(0, B_URI, "/x"), W(0, B_LINE, "GET /x HTTP/1.1") } },
	{ "options-star", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", 0, 1, 0,
	  { W(0, B_METHOD, "OPTIONS"), W(0, B_URI, "*") } },
	{ "nul-in-value", NUL_HDR, sizeof(NUL_HDR) - 1, 1, VP_HTTP_ANOM_NUL,
	  { { 0, B_HEADER, "Host: a\r\nX: a\0b\r\n", 17 } } },
};

static void check_wants(const struct rec *r, const struct want *w, size_t n)
{
	for (size_t i = 0; i < n && w[i].val; i++)
		assert_buf(&r->req[w[i].tx], w[i].b, w[i].val, w[i].len);
}

static size_t case_len(const struct req_case *c)
{
	return c->in_len ? c->in_len : strlen(c->in);
}

START_TEST(test_requests)
{
	const struct req_case *tc = &req_cases[_i];
	struct vp_http_ctx *ctx = new_ctx();
	struct vp_http_conn c;
	struct rec r = { 0 };
	int ret;

	vp_http_conn_init(&c);
	ret = feed_split(ctx, &c, true, tc->in, case_len(tc), 0, 0, &r);
	ck_assert_msg(ret == (tc->anomalies ? VP_HTTP_ANOMALY : VP_HTTP_OK), "%s: ret %d", tc->name,
		      ret);
	for (int t = 0; t < tc->ntx; t++) {
		ck_assert_msg(r.req[t].seen && r.req[t].valid && r.req[t].body_done,
			      "%s: tx %d incomplete", tc->name, t);
		ck_assert_msg(r.req[t].anomalies == tc->anomalies, "%s: tx %d anomalies %llx",
			      tc->name, t, (unsigned long long)r.req[t].anomalies);
	}
	ck_assert(!r.req[tc->ntx].seen);
	ck_assert_int_eq(r.giveups, 0);
	check_wants(&r, tc->want, ARRAY_SIZE(tc->want));
	vp_http_conn_release(ctx, &c);
	rec_free(&r);
	vp_http_ctx_free(ctx);
}
END_TEST

/* ---- split invariance ------------------------------------------------------------------- */

struct conv {
	const char *req, *resp;
};

static const struct conv convs[] = {
	{ "GET /a?b=c HTTP/1.1\r\nHost: x\r\nUser-Agent: u\r\n\r\n",
	  "HTTP/1.1 200 OK\r\nServer: s\r\nContent-Length: 5\r\n\r\nhello" },
	{ "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "5;n=v\r\nhello\r\n6\r\n world\r\n0\r\nT: 1\r\n\r\n",
	  "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" },
	{ "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nHEAD /2 HTTP/1.1\r\nHost: a\r\n\r\n"
	  "POST /3 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nX: a\r\n b\r\n\r\nabc",
	  "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
	  "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"
	  "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nSet-Cookie: a=b\r\n\r\n" },
	{ "GET / HTTP/1.1\nHost: a\n\n", "HTTP/1.0 200 OK\nLocation: /x\n\nbody until close" },
	{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "zz\r\n",
	  "HTTP/1.1 400 Bad\r\nContent-Length: 0\r\n\r\n" },
	{ "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "<html>0.9 style</html>" },
	{ "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.0 200 OK\r\nServer:ng1nx\r\n" },
	{ "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n3 x\r\r\nabc\r\n\n0\r\n\r\n" },
	{ "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
	  "HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01" },
	/* response leniency (HTTP Evader): junk before "HTTP/", a blank line ending the block,
	 * a control byte in a Transfer-Encoding name */
	{ "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n"
	  "GET /3 HTTP/1.1\r\nHost: a\r\n\r\n",
	  "foo\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\n \nabc"
	  " HTTP/1.1 200 OK\r\nTransfer\x0b-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
	  "HTTP/1.1 200 OK\r\nX: y\n\t\nZ: 1\r\n\r\nuntil close" },
};

static void run_conv(const char *req, size_t req_len, const char *resp, size_t resp_len,
		     size_t rsplit, size_t step, size_t ssplit, struct sbuf *out)
{
	struct vp_http_ctx *ctx = new_ctx();
	struct vp_http_conn c;
	struct rec r = { 0 };

	vp_http_conn_init(&c);
	feed_split(ctx, &c, true, req, req_len, rsplit, step, &r);
	feed_split(ctx, &c, false, resp, resp_len, ssplit, step, &r);
	vp_http_eof(ctx, &c, true, rec_cb, &r);
	vp_http_eof(ctx, &c, false, rec_cb, &r);
	vp_http_conn_release(ctx, &c);
	out->n = 0;
	sb_add(out, r.log.p, r.log.n);
	rec_free(&r);
	vp_http_ctx_free(ctx);
}

START_TEST(test_splits)
{
	const struct conv *cv = &convs[_i];
	size_t rq = strlen(cv->req), rs = strlen(cv->resp);
	struct sbuf ref = { 0 }, got = { 0 };

	run_conv(cv->req, rq, cv->resp, rs, 0, 0, 0, &ref);
	ck_assert_uint_gt(ref.n, 0);
	for (size_t k = 1; k < rq; k++) {
		run_conv(cv->req, rq, cv->resp, rs, k, 0, 0, &got);
		ck_assert_msg(got.n == ref.n && !memcmp(got.p, ref.p, ref.n),
			      "conv %d: request split at %zu differs:\n%s\n----\n%s", _i, k, got.p,
			      ref.p);
	}
	for (size_t k = 1; k < rs; k++) {
		run_conv(cv->req, rq, cv->resp, rs, 0, 0, k, &got);
		ck_assert_msg(got.n == ref.n && !memcmp(got.p, ref.p, ref.n),
			      "conv %d: response split at %zu differs", _i, k);
	}
	run_conv(cv->req, rq, cv->resp, rs, 0, 1, 0, &got);
	ck_assert_msg(got.n == ref.n && !memcmp(got.p, ref.p, ref.n), "conv %d: 1-byte differs", _i);
	run_conv(cv->req, rq, cv->resp, rs, 0, 3, 0, &got);
	ck_assert_msg(got.n == ref.n && !memcmp(got.p, ref.p, ref.n), "conv %d: 3-byte differs", _i);
	free(ref.p);
	free(got.p);
}
END_TEST

/* Every request case, split at every offset, gives the same log. */
START_TEST(test_request_splits)
{
	const struct req_case *tc = &req_cases[_i];
	size_t n = case_len(tc);
	struct sbuf ref = { 0 }, got = { 0 };

	run_conv(tc->in, n, "", 0, 0, 0, 0, &ref);
	for (size_t k = 1; k < n; k++) {
		run_conv(tc->in, n, "", 0, k, 0, 0, &got);
		ck_assert_msg(got.n == ref.n && !memcmp(got.p, ref.p, ref.n),
			      "%s: split at %zu differs", tc->name, k);
	}
	run_conv(tc->in, n, "", 0, 0, 1, 0, &got);
	ck_assert_msg(got.n == ref.n && !memcmp(got.p, ref.p, ref.n), "%s: 1-byte", tc->name);
	free(ref.p);
	free(got.p);
}
END_TEST

/* ---- anomalies ----------------------------------------------------------------------------- */

struct anom_case {
	const char *in;
	uint64_t want;		/* bits that must be set on tx 0 */
	bool giveup;
	const char *body;	/* expected body of tx 0 when not NULL */
	size_t len;		/* input length when it holds a NUL byte (else 0) */
};

#define H11 "Host: a\r\n"

static const struct anom_case anom_cases[] = {
	{ "POST / HTTP/1.1\r\n" H11 "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", VP_HTTP_ANOM_CL_AND_TE, false, "", 0 },
	{ "POST / HTTP/1.1\r\n" H11 "Content-Length: 4\r\nContent-Length: 5\r\n\r\nabcd", VP_HTTP_ANOM_MULTIPLE_CL | VP_HTTP_ANOM_REPEATED_HEADER, true, NULL, 0 },
	{ "POST / HTTP/1.1\r\n" H11 "Content-Length: 4, 5\r\n\r\nabcd", VP_HTTP_ANOM_MULTIPLE_CL, true, NULL, 0 },
	{ "POST / HTTP/1.1\r\n" H11 "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc", VP_HTTP_ANOM_DUP_CL, false, "abc", 0 },
	{ "POST / HTTP/1.1\r\n" H11 "Content-Length: 3x\r\n\r\nabc", VP_HTTP_ANOM_INVALID_CL, true, NULL, 0 },
	{ "POST / HTTP/1.1\r\n" H11 "Content-Length: -1\r\n\r\nabc", VP_HTTP_ANOM_INVALID_CL, true, NULL, 0 },
	{ "POST / HTTP/1.1\r\n" H11 "Content-Length: +3\r\n\r\nabc", VP_HTTP_ANOM_INVALID_CL, true, NULL, 0 },
	{ "POST / HTTP/1.1\r\n" H11 "Content-Length: \r\n\r\nabc", VP_HTTP_ANOM_INVALID_CL, true, NULL, 0 },
	{ "POST / HTTP/1.1\r\n" H11 "Content-Length: 99999999999999999999\r\n\r\n", VP_HTTP_ANOM_INVALID_CL, true, NULL, 0 },
	{ "POST / HTTP/1.1\r\n" H11 "Transfer-Encoding: chunked, identity\r\n\r\n", VP_HTTP_ANOM_TE_NOT_CHUNKED_LAST, true, NULL, 0 },
	{ "POST / HTTP/1.1\r\n" H11 "Transfer-Encoding: xchunked\r\n\r\n", VP_HTTP_ANOM_TE_NOT_CHUNKED_LAST, true, NULL, 0 },
	{ "POST / HTTP/1.1\r\n" H11 "Transfer-Encoding:\r\n\r\n", VP_HTTP_ANOM_TE_NOT_CHUNKED_LAST, true, NULL, 0 },
	{ "POST / HTTP/1.1\r\n" H11 "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" "1\r\na\r\n0\r\n\r\n", VP_HTTP_ANOM_TE_CHUNKED_TWICE | VP_HTTP_ANOM_REPEATED_HEADER, false, "a", 0 },
	{ "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nb\r\n0\r\n\r\n", VP_HTTP_ANOM_TE_HTTP10, false, "b", 0 },
	{ "POST / HTTP/1.1\r\n" H11 "Transfer-Encoding : chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n", VP_HTTP_ANOM_WS_BEFORE_COLON, false, "ab", 0 },
	{ "POST / HTTP/1.1\r\n" H11 "Transfer-Encoding:\r\n chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n", VP_HTTP_ANOM_OBS_FOLD, false, "ab", 0 },
	{ "POST / HTTP/1.1\r\n" H11 "Transfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n", VP_HTTP_ANOM_BARE_LF, false, "hello", 0 },
	{ "POST / HTTP/1.1\r\n" H11 "Transfer-Encoding: chunked\r\n\r\nzz\r\n", VP_HTTP_ANOM_INVALID_CHUNK, true, NULL, 0 },
	{ "POST / HTTP/1.1\r\n" H11 "Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n", VP_HTTP_ANOM_INVALID_CHUNK, true, NULL, 0 },
	{ "POST / HTTP/1.1\r\n" H11 "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", VP_HTTP_ANOM_INVALID_CHUNK, true, NULL, 0 },
	{ "POST / HTTP/1.1\r\n" H11 "Transfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n", VP_HTTP_ANOM_INVALID_CHUNK, true, NULL, 0 },
	{ "POST / HTTP/1.1\r\n" H11 "Transfer-Encoding: chunked\r\n\r\n;x\r\n", VP_HTTP_ANOM_INVALID_CHUNK, true, NULL, 0 },
	{ "POST / HTTP/1.1\r\n" H11 "Transfer-Encoding: chunked\r\n\r\n2 \r\nab\r\n0\r\n\r\n", VP_HTTP_ANOM_CHUNK_WS, false, "ab", 0 },
	{ "POST / HTTP/1.1\r\n" H11 "Transfer-Encoding: chunked\r\n\r\n2 1\r\nab\r\n", VP_HTTP_ANOM_CHUNK_WS | VP_HTTP_ANOM_INVALID_CHUNK, true, NULL, 0 },
	{ "GET / HTTP/1.1\r\n\r\n", VP_HTTP_ANOM_MISSING_HOST, false, NULL, 0 },
	{ "G@T / HTTP/1.1\r\n" H11 "\r\n", VP_HTTP_ANOM_INVALID_METHOD, false, NULL, 0 },
	{ "GET / HTTP/1.1\r\n" H11 "X: a\rb\r\n\r\n", VP_HTTP_ANOM_BARE_CR, false, NULL, 0 },
	{ "GET / HTTP/1.1\r\n" H11 "X(Y): 1\r\n\r\n", VP_HTTP_ANOM_INVALID_HEADER_NAME, false, NULL, 0 },
	{ "GET / HTTP/1.1\r\n" H11 ": 1\r\n\r\n", VP_HTTP_ANOM_INVALID_HEADER_NAME, false, NULL, 0 },
	{ "GET / HTTP/1.1\r\n" H11 "Garbage\r\n\r\n", VP_HTTP_ANOM_NO_COLON, false, NULL, 0 },
	{ "GET / HTTP/1.1\r\n" H11 "X: a\x01" "b\r\n\r\n", VP_HTTP_ANOM_INVALID_HEADER_VALUE, false, NULL, 0 },
	{ "GET / HTTP/1.1\r\n X: y\r\n" H11 "\r\n", VP_HTTP_ANOM_INVALID_FOLD, false, NULL, 0 },
	{ "GET / HTTP/1.1\r\n" H11 "Content-Length: 2\r\n\r\nab", VP_HTTP_ANOM_BODY_NOT_EXPECTED, false, "ab", 0 },
	{ "GET http://a/ HTTP/1.1\r\nHost: b\r\n\r\n", VP_HTTP_ANOM_HOST_MISMATCH, false, NULL, 0 },
	{ "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", VP_HTTP_ANOM_INVALID_HOST, false, NULL, 0 },
	{ "GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n", VP_HTTP_ANOM_INVALID_HOST, false, NULL, 0 },
	{ "GET /a b HTTP/1.1\r\n" H11 "\r\n", VP_HTTP_ANOM_URI_SPACE, false, NULL, 0 },
	{ "GET  / HTTP/1.1\r\n" H11 "\r\n", VP_HTTP_ANOM_LINE_WHITESPACE, false, NULL, 0 },
	{ " GET / HTTP/1.1\r\n" H11 "\r\n", VP_HTTP_ANOM_LINE_WHITESPACE, false, NULL, 0 },
	{ "GET\t/ HTTP/1.1\r\n" H11 "\r\n", VP_HTTP_ANOM_LINE_WHITESPACE, false, NULL, 0 },
	{ "GET / HTTP/1.x\r\n" H11 "\r\n", VP_HTTP_ANOM_INVALID_PROTOCOL, false, NULL, 0 },
	{ "GET / HTTP/2.0\r\n" H11 "\r\n", VP_HTTP_ANOM_UNKNOWN_VERSION, false, NULL, 0 },
	{ NUL_HDR, VP_HTTP_ANOM_NUL, false, NULL, sizeof(NUL_HDR) - 1 },
	{ NUL_LINE, VP_HTTP_ANOM_NUL, false, NULL, sizeof(NUL_LINE) - 1 },
	{ "GET /x\r\n", VP_HTTP_ANOM_HTTP09, false, NULL, 0 },
	{ NUL_TRAIL, VP_HTTP_ANOM_NUL, false, "", sizeof(NUL_TRAIL) - 1 },
};

static size_t input_len(const struct anom_case *tc)
{
	return tc->len ? tc->len : strlen(tc->in);
}

START_TEST(test_anomalies)
{
	const struct anom_case *tc = &anom_cases[_i];
	struct vp_http_ctx *ctx = new_ctx();
	struct vp_http_conn c;
	struct rec r = { 0 };
	size_t len = input_len(tc);
	uint64_t got;
	int ret;

	vp_http_conn_init(&c);
	ret = feed_split(ctx, &c, true, tc->in, len, 0, 0, &r);
	got = r.req[0].anomalies | r.giveup_anom;
	ck_assert_msg((got & tc->want) == tc->want, "case %d: anomalies %llx, want %llx", _i,
		      (unsigned long long)got, (unsigned long long)tc->want);
	ck_assert_msg((ret == VP_HTTP_GIVEUP) == tc->giveup, "case %d: ret %d", _i, ret);
	ck_assert_int_eq(r.giveups, tc->giveup ? 1 : 0);
	ck_assert(ret != VP_HTTP_OK);
	if (tc->body) {
		ck_assert(r.req[0].body_done);
		assert_buf(&r.req[0], B_BODY, tc->body, strlen(tc->body));
	}
	if (tc->giveup) {
		/* stays given up, and holds no memory */
		ck_assert_int_eq(vp_http_feed(ctx, &c, true, (const uint8_t *)"GET / HTTP/1.1\r\n\r\n",
					      18, rec_cb, &r),
				 VP_HTTP_GIVEUP);
		ck_assert(vp_http_conn_done(&c, true));
	}
	vp_http_conn_release(ctx, &c);
	rec_free(&r);
	vp_http_ctx_free(ctx);
}
END_TEST

/* Every anomaly case, split byte by byte, flags the same bits. */
START_TEST(test_anomaly_splits)
{
	const struct anom_case *tc = &anom_cases[_i];
	size_t n = input_len(tc);
	struct sbuf ref = { 0 }, got = { 0 };

	run_conv(tc->in, n, "", 0, 0, 0, 0, &ref);
	for (size_t k = 1; k < n; k++) {
		run_conv(tc->in, n, "", 0, k, 0, 0, &got);
		ck_assert_msg(got.n == ref.n && !memcmp(got.p, ref.p, ref.n), "case %d split %zu", _i,
			      k);
	}
	run_conv(tc->in, n, "", 0, 0, 1, 0, &got);
	ck_assert_msg(got.n == ref.n && !memcmp(got.p, ref.p, ref.n), "case %d 1-byte", _i);
	free(ref.p);
	free(got.p);
}
END_TEST

/* ---- limits ---------------------------------------------------------------------------------- */

START_TEST(test_limits)
{
	/* 0: line too long; 1: header block too long; 2: too many headers; 3: chunk line too long */
	struct vp_http_ctx *ctx = ctx_with(64, 256, 4, 0);
	struct vp_http_stats st;
	struct vp_http_conn c;
	struct rec r = { 0 };
	char in[8192];
	uint64_t want;
	int n = 0, ret;

	vp_http_conn_init(&c);
	switch (_i) {
	case 0:
		n = snprintf(in, sizeof(in), "GET /%0100d HTTP/1.1\r\nHost: a\r\n\r\n", 0);
		want = VP_HTTP_ANOM_LINE_TOO_LONG;
		break;
	case 1:
		n = snprintf(in, sizeof(in), "GET / HTTP/1.1\r\nHost: a\r\nX: %0300d\r\n\r\n", 0);
		want = VP_HTTP_ANOM_HEADER_TOO_LONG;
		break;
	case 2:
		n = snprintf(in, sizeof(in), "GET / HTTP/1.1\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\n\r\n");
		want = VP_HTTP_ANOM_TOO_MANY_HEADERS;
		break;
	default:
		n = snprintf(in, sizeof(in),
			     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;%0100d\r\n",
			     0);
		want = VP_HTTP_ANOM_INVALID_CHUNK;
		break;
	}
	ret = feed_split(ctx, &c, true, in, (size_t)n, 0, _i == 1 ? 7 : 0, &r);
	ck_assert_int_eq(ret, VP_HTTP_GIVEUP);
	ck_assert_int_eq(r.giveups, 1);
	ck_assert_msg(r.giveup_anom & want, "limit %d: %llx", _i, (unsigned long long)r.giveup_anom);
	vp_http_ctx_stats(ctx, &st);
	ck_assert_uint_eq(st.giveups, 1);
	/* the slab went back at once, unless the request is complete enough to wait for its
	 * response (case 3 gave up in the body: the response may still come) */
	ck_assert_uint_eq(st.req_slabs_used, _i == 3 ? 1 : 0);
	/* more data is ignored without parsing */
	ck_assert_int_eq(vp_http_feed(ctx, &c, true, (const uint8_t *)in, (size_t)n, rec_cb, &r),
			 VP_HTTP_GIVEUP);
	ck_assert_int_eq(r.giveups, 1);
	vp_http_conn_release(ctx, &c);
	rec_free(&r);
	vp_http_ctx_free(ctx);
}
END_TEST

/* Bodies beyond the depth are counted, not kept, and the next request still parses. */
START_TEST(test_depth)
{
	struct vp_http_ctx *ctx = ctx_with(0, 0, 0, 16);
	struct vp_http_conn c;
	struct rec r = { 0 };
	struct sbuf in = { 0 };
	static const char big[] = "0123456789abcdefghijklmnopqrstuvwxyz";

	vp_http_conn_init(&c);
	sb_str(&in, "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 36\r\n\r\n");
	sb_str(&in, big);
	sb_str(&in, "POST /b HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n24\r\n");
	sb_str(&in, big);
	sb_str(&in, "\r\n0\r\n\r\nGET /c HTTP/1.1\r\nHost: a\r\n\r\n");
	ck_assert_int_eq(feed_split(ctx, &c, true, in.p, in.n, 0, _i ? (size_t)_i : 0, &r),
			 VP_HTTP_OK);
	for (int t = 0; t < 2; t++) {
		ASSERT_BUF(&r.req[t], B_BODY, "0123456789abcdef");
		ck_assert_uint_eq(r.req[t].body_seen, 36);
		ck_assert(r.req[t].body_done);
	}
	ASSERT_BUF(&r.req[2], B_URI, "/c");
	ck_assert(r.req[2].body_done);
	vp_http_conn_release(ctx, &c);
	free(in.p);
	rec_free(&r);
	vp_http_ctx_free(ctx);
}
END_TEST

/* ---- truncation ----------------------------------------------------------------------------- */

START_TEST(test_truncated)
{
	static const char *const in[] = {
		"GET / HT",					/* inside the line */
		"GET / HTTP/1.1\r\nHost: a\r\n",		/* inside the headers */
		"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
	};
	struct vp_http_ctx *ctx = new_ctx();
	struct vp_http_stats st;
	struct vp_http_conn c;
	struct rec r = { 0 };

	vp_http_conn_init(&c);
	ck_assert_int_eq(feed_split(ctx, &c, true, in[_i], strlen(in[_i]), 0, 0, &r), VP_HTTP_OK);
	ck_assert_int_eq(vp_http_eof(ctx, &c, true, rec_cb, &r), VP_HTTP_ANOMALY);
	if (_i < 2) {
		ck_assert_int_eq(r.incompletes, 1);
		ck_assert(r.giveup_anom & VP_HTTP_ANOM_TRUNCATED);
	} else {
		ck_assert(r.req[0].body_done);
		ck_assert(r.req[0].anomalies & VP_HTTP_ANOM_TRUNCATED);
		if (_i == 2)
			ASSERT_BUF(&r.req[0], B_BODY, "abc");
		else
			ASSERT_BUF(&r.req[0], B_BODY, "ab");
	}
	ck_assert(vp_http_conn_done(&c, true));
	ck_assert_int_eq(vp_http_feed(ctx, &c, true, (const uint8_t *)"x", 1, rec_cb, &r),
			 VP_HTTP_GIVEUP);
	/* a complete request keeps its slab for the response that may still come */
	vp_http_ctx_stats(ctx, &st);
	ck_assert_uint_eq(st.req_slabs_used, _i < 2 ? 0 : 1);
	vp_http_conn_release(ctx, &c);
	vp_http_ctx_stats(ctx, &st);
	ck_assert_uint_eq(st.slabs_used, 0);
	rec_free(&r);
	vp_http_ctx_free(ctx);
}
END_TEST

/* ---- responses --------------------------------------------------------------------------------- */

static void run_pair(struct vp_http_ctx *ctx, const char *req, const char *resp, size_t resp_len,
		     struct rec *r, int *rret, int *sret)
{
	struct vp_http_conn c;
	int a, b;

	vp_http_conn_init(&c);
	a = feed_split(ctx, &c, true, req, strlen(req), 0, 0, r);
	b = feed_split(ctx, &c, false, resp, resp_len ? resp_len : strlen(resp), 0, 0, r);
	if (rret)
		*rret = a;
	if (sret)
		*sret = b;
	vp_http_eof(ctx, &c, false, rec_cb, r);
	vp_http_conn_release(ctx, &c);
}

START_TEST(test_response_basic)
{
	struct vp_http_ctx *ctx = new_ctx();
	struct rec r = { 0 };
	int sret;

	run_pair(ctx, "GET /index HTTP/1.1\r\nHost: a\r\n\r\n",
		 "HTTP/1.1 302 Found\r\nServer: nginx/1.2\r\nLocation: /next\r\n"
		 "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Type: text/html\r\n"
		 "Content-Length: 4\r\n\r\nbody",
		 0, &r, NULL, &sret);
	ck_assert_int_eq(sret, VP_HTTP_OK);
	ASSERT_BUF(&r.resp[0], B_STAT_CODE, "302");
	ASSERT_BUF(&r.resp[0], B_STAT_MSG, "Found");
	ASSERT_BUF(&r.resp[0], B_PROTO, "HTTP/1.1");
	ASSERT_BUF(&r.resp[0], B_LINE, "HTTP/1.1 302 Found");
	ASSERT_BUF(&r.resp[0], B_SERVER, "nginx/1.2");
	ASSERT_BUF(&r.resp[0], B_LOCATION, "/next");
	ASSERT_BUF(&r.resp[0], B_COOKIE, "a=1, b=2");
	ASSERT_BUF(&r.resp[0], B_CTYPE, "text/html");
	ASSERT_BUF(&r.resp[0], B_CLEN, "4");
	ASSERT_BUF(&r.resp[0], B_BODY, "body");
	ASSERT_BUF(&r.resp[0], B_HEADER,
		   "Server: nginx/1.2\r\nLocation: /next\r\nContent-Type: text/html\r\n"
		   "Content-Length: 4\r\n");
	ASSERT_BUF(&r.resp[0], B_NAMES,
		   "\r\nServer\r\nLocation\r\nSet-Cookie\r\nContent-Type\r\nContent-Length\r\n\r\n");
	ASSERT_BUF(&r.resp[0], B_START,
		   "HTTP/1.1 302 Found\r\nServer: nginx/1.2\r\nLocation: /next\r\n"
		   "Set-Cookie: a=1, b=2\r\nContent-Type: text/html\r\nContent-Length: 4\r\n\r\n");
	ASSERT_BUF(&r.resp[0], B_METHOD, "");	/* request fields stay out of the response side */
	ck_assert_uint_eq(r.resp[0].status, 302);
	ck_assert(r.resp[0].body_done);
	ck_assert(r.resp[0].req_valid);	/* the response callback sees its request */
	ck_assert_str_eq(r.resp[0].req_uri.p, "/index");
	ck_assert_uint_eq(r.resp[0].anomalies, 0);
	rec_free(&r);
	vp_http_ctx_free(ctx);
}
END_TEST

/* Framing decided by the request (HEAD, CONNECT) and the status (1xx, 204, 304). */
START_TEST(test_response_framing)
{
	struct vp_http_ctx *ctx = new_ctx();
	struct vp_http_stats st;
	struct rec r = { 0 };
	int sret;

	run_pair(ctx,
		 "HEAD /h HTTP/1.1\r\nHost: a\r\n\r\nGET /n HTTP/1.1\r\nHost: a\r\n\r\n"
		 "GET /m HTTP/1.1\r\nHost: a\r\n\r\nPOST /c HTTP/1.1\r\nHost: a\r\n"
		 "Expect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
		 "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"
		 "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n"
		 "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n"
		 "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nyes",
		 0, &r, NULL, &sret);
	ck_assert_int_eq(sret, VP_HTTP_OK);
	for (int t = 0; t < 3; t++) {
		ck_assert(r.resp[t].body_done);
		ck_assert_int_eq(r.resp[t].body_events, 0);
		ASSERT_BUF(&r.resp[t], B_BODY, "");
	}
	ck_assert_uint_eq(r.resp[0].status, 200);
	ck_assert_uint_eq(r.resp[1].status, 204);
	ck_assert_uint_eq(r.resp[2].status, 304);
	ck_assert_uint_eq(r.resp[3].status, 200);	/* after the 100 of the same tx */
	ASSERT_BUF(&r.resp[3], B_BODY, "yes");
	ASSERT_BUF(&r.req[3], B_BODY, "ok");
	ck_assert_uint_eq(r.resp[3].anomalies, 0);
	vp_http_ctx_stats(ctx, &st);
	ck_assert_uint_eq(st.requests, 4);
	ck_assert_uint_eq(st.responses, 5);
	ck_assert_uint_eq(st.slabs_used, 0);
	rec_free(&r);
	vp_http_ctx_free(ctx);
}
END_TEST

START_TEST(test_tunnel)
{
	static const char *const resp[] = {
		"HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01garbage",
		"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello",
	};
	static const char *const req[] = {
		"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
		"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
	};
	struct vp_http_ctx *ctx = new_ctx();
	struct vp_http_stats st;
	struct vp_http_conn c;
	struct rec r = { 0 };

	vp_http_conn_init(&c);
	ck_assert_int_eq(feed_split(ctx, &c, true, req[_i], strlen(req[_i]), 0, 0, &r), VP_HTTP_OK);
	ck_assert_int_eq(feed_split(ctx, &c, false, resp[_i], strlen(resp[_i]), 0, 0, &r),
			 VP_HTTP_TUNNEL);
	ck_assert(r.resp[0].anomalies & (_i ? VP_HTTP_ANOM_UPGRADE : VP_HTTP_ANOM_TUNNEL));
	ck_assert_int_eq(vp_http_feed(ctx, &c, true, (const uint8_t *)"\x16\x03", 2, rec_cb, &r),
			 VP_HTTP_TUNNEL);
	ck_assert(vp_http_conn_done(&c, true) && vp_http_conn_done(&c, false));
	ck_assert_int_eq(r.events, 2);
	vp_http_ctx_stats(ctx, &st);
	ck_assert_uint_eq(st.tunnels, 1);
	ck_assert_uint_eq(st.slabs_used, 0);
	vp_http_conn_release(ctx, &c);
	rec_free(&r);
	vp_http_ctx_free(ctx);
}
END_TEST

/* A refused CONNECT lets the request side go on. */
START_TEST(test_connect_refused)
{
	struct vp_http_ctx *ctx = new_ctx();
	struct vp_http_conn c;
	struct rec r = { 0 };
	static const char rq1[] = "CONNECT h:443 HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char rs[] = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
	static const char rq2[] = "GET /after HTTP/1.1\r\nHost: h\r\n\r\n";

	vp_http_conn_init(&c);
	ck_assert_int_eq(feed_split(ctx, &c, true, rq1, strlen(rq1), 0, 0, &r), VP_HTTP_OK);
	ck_assert_int_eq(feed_split(ctx, &c, false, rs, strlen(rs), 0, 0, &r), VP_HTTP_OK);
	ck_assert_int_eq(feed_split(ctx, &c, true, rq2, strlen(rq2), 0, 0, &r), VP_HTTP_OK);
	ASSERT_BUF(&r.req[1], B_URI, "/after");
	/* early data before the answer: flagged, and the request side gives up on a refusal */
	vp_http_conn_release(ctx, &c);
	rec_free(&r);
	vp_http_conn_init(&c);
	feed_split(ctx, &c, true, rq1, strlen(rq1), 0, 0, &r);
	ck_assert_int_eq(vp_http_feed(ctx, &c, true, (const uint8_t *)"\x16\x03", 2, rec_cb, &r),
			 VP_HTTP_ANOMALY);
	feed_split(ctx, &c, false, rs, strlen(rs), 0, 0, &r);
	ck_assert(vp_http_conn_done(&c, true));
	vp_http_conn_release(ctx, &c);
	rec_free(&r);
	vp_http_ctx_free(ctx);
}
END_TEST

START_TEST(test_response_anomalies)
{
	struct vp_http_ctx *ctx = new_ctx();
	struct rec r = { 0 };
	int sret;

	/* no request, no status line */
	run_pair(ctx, "", "garbage body", 0, &r, NULL, &sret);
	ck_assert(r.resp[0].anomalies & VP_HTTP_ANOM_RESP_NO_STATUS);
	ck_assert(r.resp[0].anomalies & VP_HTTP_ANOM_RESP_WITHOUT_REQ);
	ASSERT_BUF(&r.resp[0], B_BODY, "garbage body");
	ck_assert(r.resp[0].body_done);
	rec_free(&r);
	/* HTTP/0.9 request: a response without status line is expected */
	run_pair(ctx, "GET /\r\n", "HTTx", 0, &r, NULL, &sret);
	ck_assert(!(r.resp[0].anomalies & VP_HTTP_ANOM_RESP_NO_STATUS));
	ASSERT_BUF(&r.resp[0], B_BODY, "HTTx");
	rec_free(&r);
	/* the server closes inside its header block after a whole line: the block ends there */
	run_pair(ctx, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.0 200 OK\r\nServer:ng1nx\r\n", 0,
		 &r, NULL, &sret);
	ck_assert(r.resp[0].valid);
	ck_assert(r.resp[0].body_done);
	ck_assert(r.resp[0].anomalies & VP_HTTP_ANOM_TRUNCATED);
	ck_assert_int_eq(r.resp[0].status, 200);
	ASSERT_BUF(&r.resp[0], B_HEADER, "Server: ng1nx\r\n");
	ck_assert_int_eq(r.incompletes, 0);
	rec_free(&r);
	/* http.connection is kept for responses too */
	run_pair(ctx, "GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive\r\n\r\n",
		 "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 0\r\n\r\n", 0, &r, NULL,
		 &sret);
	ASSERT_BUF(&r.req[0], B_CONNECTION, "Keep-Alive");
	ASSERT_BUF(&r.resp[0], B_CONNECTION, "close");
	rec_free(&r);
	/* ... but not inside a line: that stays an incomplete block */
	run_pair(ctx, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.0 200 OK\r\nServer: ng", 0, &r,
		 NULL, &sret);
	ck_assert(!r.resp[0].valid);
	ck_assert_int_eq(r.incompletes, 1);
	rec_free(&r);
	/* bad status code, response CL+TE, an invalid CL reads until close */
	run_pair(ctx, "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
		 "HTTP/1.1 2x0 Odd\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"
		 "1\r\nq\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: z\r\n\r\nrest",
		 0, &r, NULL, &sret);
	ck_assert(r.resp[0].anomalies & VP_HTTP_ANOM_INVALID_STATUS);
	ck_assert(r.resp[0].anomalies & VP_HTTP_ANOM_CL_AND_TE);
	ASSERT_BUF(&r.resp[0], B_BODY, "q");
	ck_assert(r.resp[1].anomalies & VP_HTTP_ANOM_INVALID_CL);
	ck_assert_int_eq(sret, VP_HTTP_ANOMALY);
	ASSERT_BUF(&r.resp[1], B_BODY, "rest");
	ck_assert(r.resp[1].body_done);
	rec_free(&r);
	/* response TE not chunked: read until close */
	run_pair(ctx, "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		 "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nuntil close", 0, &r, NULL, &sret);
	ck_assert(r.resp[0].anomalies & VP_HTTP_ANOM_TE_NOT_CHUNKED_LAST);
	ASSERT_BUF(&r.resp[0], B_BODY, "until close");
	ck_assert(r.resp[0].body_done);
	rec_free(&r);
	vp_http_ctx_free(ctx);
}
END_TEST

/*
 * Response chunk lines read the way clients read them (HTTP Evader): junk before the size and
 * after its digits is skipped, the body is still de-chunked.  The request side stays strict.
 */
#define LC(str, anom) { str, sizeof(str) - 1, anom }

static const struct {
	const char *chunks;
	size_t len;
	uint64_t anom;
} lenient_chunks[] = {
	LC("5\r\r\nhello\r\n6x\r\n world\r\n0\r\n\r\n", VP_HTTP_ANOM_CHUNK_EXT),
	LC("5,\r\nhello\r\n6\0\r\n world\r\n0\r\n\r\n", VP_HTTP_ANOM_CHUNK_EXT),
	LC("5 x\r\nhello\r\n6\v\r\n world\r\n0\r\n\r\n",
	   VP_HTTP_ANOM_CHUNK_WS | VP_HTTP_ANOM_CHUNK_EXT),
	LC("\r5\r\nhello\r\n\n6\r\n world\r\n0\r\n\r\n", VP_HTTP_ANOM_CHUNK_WS),
	LC("\r\n5\r\nhello\r\n\r\n\r\n6\r\n world\r\n\f0\r\n\r\n", VP_HTTP_ANOM_CHUNK_WS),
	LC("\v5\r\nhello\r\n 6 a\r\n world\r\n0\r\n\r\n",
	   VP_HTTP_ANOM_CHUNK_WS | VP_HTTP_ANOM_CHUNK_EXT),
};

START_TEST(test_lenient_chunks)
{
	struct vp_http_ctx *ctx = new_ctx();
	struct sbuf resp = { 0 };
	struct rec r = { 0 };

	sb_str(&resp, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	sb_add(&resp, lenient_chunks[_i].chunks, lenient_chunks[_i].len);
	for (size_t step = 0; step <= 1; step++) {
		struct vp_http_conn c;
		int sret;

		vp_http_conn_init(&c);
		feed_split(ctx, &c, true, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 27, 0, 0, &r);
		sret = feed_split(ctx, &c, false, resp.p, resp.n, 0, step, &r);
		ck_assert_int_eq(sret, VP_HTTP_ANOMALY);
		ASSERT_BUF(&r.resp[0], B_BODY, "hello world");
		ck_assert(r.resp[0].body_done);
		ck_assert_uint_eq(r.resp[0].anomalies, lenient_chunks[_i].anom);
		ck_assert(!vp_http_conn_done(&c, false));
		vp_http_conn_release(ctx, &c);
		rec_free(&r);
	}
	free(resp.p);
	vp_http_ctx_free(ctx);
}
END_TEST

/*
 * Response framing the way clients read it: with Transfer-Encoding in any form the first body
 * byte tells chunked from not; an invalid Content-Length reads until close.
 */
static const struct {
	const char *resp, *body;
	uint64_t anom;
} resp_framing_cases[] = {
	{ "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nX5O raw", "X5O raw",
	  VP_HTTP_ANOM_TE_HTTP10 | VP_HTTP_ANOM_INVALID_CHUNK },
	{ "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "abc",
	  VP_HTTP_ANOM_TE_HTTP10 },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunkedx\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "hello",
	  VP_HTTP_ANOM_TE_NOT_CHUNKED_LAST },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n"
	  "2\r\nhi\r\n0\r\n\r\n", "hi",
	  VP_HTTP_ANOM_TE_NOT_CHUNKED_LAST },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: x, chunked\r\nContent-Length: 4\r\n\r\nXYZW", "XYZW",
	  VP_HTTP_ANOM_CL_AND_TE | VP_HTTP_ANOM_INVALID_CHUNK },
	{ "http/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi", "hi", VP_HTTP_ANOM_INVALID_PROTOCOL },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 68 34\r\n\r\nuntil close", "until close",
	  VP_HTTP_ANOM_INVALID_CL },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nuntil close",
	  "until close", VP_HTTP_ANOM_MULTIPLE_CL },
	/* response field names with control bytes or folds (HTTP Evader 291-300) */
	{ "HTTP/1.1 200 OK\r\nTransfer\x0b-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "abc",
	  VP_HTTP_ANOM_INVALID_HEADER_NAME | VP_HTTP_ANOM_INVALID_HEADER_VALUE },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding\r\n :\r\n chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
	  "abc", VP_HTTP_ANOM_INVALID_HEADER_NAME | VP_HTTP_ANOM_OBS_FOLD |
	  VP_HTTP_ANOM_WS_BEFORE_COLON },
	/* junk before "HTTP/" is skipped as Firefox does (HTTP Evader 375, 481-494) */
	{ " HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", "abc", VP_HTTP_ANOM_LINE_WHITESPACE },
	{ "SIP/2.0 200 ok\r\nhttp/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", "abc",
	  VP_HTTP_ANOM_LINE_WHITESPACE | VP_HTTP_ANOM_INVALID_PROTOCOL },
	{ " \rHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", "abc",
	  VP_HTTP_ANOM_LINE_WHITESPACE },
	/* no "HTTP/" in the first 64 bytes, or none before the end: all of it is the body */
	{ "hello", "hello", VP_HTTP_ANOM_RESP_NO_STATUS },
	{ "0123456789012345678901234567890123456789012345678901234567890123HTTP/1.1 200 OK\r\n",
	  "0123456789012345678901234567890123456789012345678901234567890123HTTP/1.1 200 OK\r\n",
	  VP_HTTP_ANOM_RESP_NO_STATUS },
	/* a whitespace-only line then no field: the block ended there (HTTP Evader 410-431) */
	{ "HTTP/1.1 200 OK\r\nContent-Length: 3\n \nabc", "abc",
	  VP_HTTP_ANOM_BARE_LF | VP_HTTP_ANOM_OBS_FOLD | VP_HTTP_ANOM_INVALID_FOLD },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 3\n\r\r\nabcdef", "abc",
	  VP_HTTP_ANOM_BARE_LF | VP_HTTP_ANOM_OBS_FOLD | VP_HTTP_ANOM_INVALID_FOLD },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\n\t\n3\r\nabc\r\n0\r\n\r\n", "abc",
	  VP_HTTP_ANOM_BARE_LF | VP_HTTP_ANOM_OBS_FOLD | VP_HTTP_ANOM_INVALID_FOLD },
	/* ... then a field, or the end of the block: a fold as before */
	{ "HTTP/1.1 200 OK\r\nX: a\r\n \r\nContent-Length: 3\r\n\r\nabc", "abc",
	  VP_HTTP_ANOM_OBS_FOLD },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 3\n \n\nabc", "abc",
	  VP_HTTP_ANOM_BARE_LF | VP_HTTP_ANOM_OBS_FOLD },
	/* ... but not a Content-Length, which could end the inspected body early */
	{ "HTTP/1.1 200 OK\r\nContent-Length\x0b: 2\r\n\r\nuntil close", "until close",
	  VP_HTTP_ANOM_INVALID_HEADER_NAME | VP_HTTP_ANOM_INVALID_HEADER_VALUE },
	/* a first body byte 1f that is not gzip: the body as sent, unflagged; bad gzip: raw */
	{ "HTTP/1.1 200 OK\nContent-Length: 4\n\n\x1fXYZ", "\x1fXYZ", VP_HTTP_ANOM_BARE_LF },
	{ "HTTP/1.1 200 OK\nContent-Length: 4\n\n\x1f", "\x1f",
	  VP_HTTP_ANOM_BARE_LF | VP_HTTP_ANOM_TRUNCATED },
	{ "HTTP/1.1 200 OK\nContent-Length: 4\n\n\x1f\x8b" "XY", "\x1f\x8b" "XY",
	  VP_HTTP_ANOM_BARE_LF | VP_HTTP_ANOM_DECOMPRESS_ERROR },
};

START_TEST(test_resp_framing)
{
	struct vp_http_ctx *ctx = new_ctx();
	const char *rs = resp_framing_cases[_i].resp;
	int ret, eret;

	for (size_t step = 0; step <= 1; step++) {
		struct vp_http_conn c;
		struct rec r = { 0 };

		vp_http_conn_init(&c);
		feed_split(ctx, &c, true, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 27, 0, 0, &r);
		ret = feed_split(ctx, &c, false, rs, strlen(rs), 0, step, &r);
		eret = vp_http_eof(ctx, &c, false, rec_cb, &r);
		/* the anomaly shows when it is found: while feeding, or at the end (status-less) */
		ck_assert(ret == VP_HTTP_ANOMALY || (ret == VP_HTTP_OK && eret == VP_HTTP_ANOMALY));
		assert_buf(&r.resp[0], B_BODY, resp_framing_cases[_i].body,
			   strlen(resp_framing_cases[_i].body));
		ck_assert(r.resp[0].body_done);
		ck_assert_uint_eq(r.resp[0].anomalies, resp_framing_cases[_i].anom);
		vp_http_conn_release(ctx, &c);
		rec_free(&r);
	}
	vp_http_ctx_free(ctx);
}
END_TEST

START_TEST(test_pipeline_overflow)
{
	struct vp_http_ctx *ctx = new_ctx();
	struct vp_http_conn c;
	struct rec r = { 0 };
	struct sbuf in = { 0 };
	int ret = VP_HTTP_OK;

	vp_http_conn_init(&c);
	for (int i = 0; i < VP_HTTP_PIPELINE + 1; i++)
		sb_str(&in, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
	ret = vp_http_feed(ctx, &c, true, (const uint8_t *)in.p, in.n, NULL, NULL);
	ck_assert_int_eq(ret, VP_HTTP_ANOMALY);
	vp_http_conn_release(ctx, &c);
	free(in.p);
	rec_free(&r);
	vp_http_ctx_free(ctx);
}
END_TEST

/* ---- content coding ------------------------------------------------------------------------- */

/* Compresses in[0..n) as gzip (wbits 31), zlib (15) or raw deflate (-15); caller frees. */
static uint8_t *compress_buf(const uint8_t *in, size_t n, int wbits, size_t *out_len)
{
	z_stream zs = { 0 };
	size_t cap = deflateBound(&zs, (uLong)n) + 64;
	uint8_t *out = malloc(cap);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY), Z_OK);
	cap = deflateBound(&zs, (uLong)n) + 64;
	out = realloc(out, cap);
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*out_len = zs.total_out;
	deflateEnd(&zs);
	return out;
}

static const struct {
	const char *ce;
	int wbits;
	bool chunked;
} coding_cases[] = {
	{ "gzip", 31, false }, { "x-gzip", 31, true }, { "deflate", 15, false },
	{ "deflate", -15, true }, { "identity, gzip", 31, false },
};

START_TEST(test_coding)
{
	struct vp_http_ctx *ctx = new_ctx();
	struct sbuf resp = { 0 }, plain = { 0 };
	struct rec r = { 0 };
	uint8_t *z;
	size_t zlen;
	char hdr[256];
	int n, sret;

	for (int i = 0; i < 400; i++)
		sb_fmt(&plain, "line %d of the page <b>%d</b>\n", i, i * 7);
	z = compress_buf((const uint8_t *)plain.p, plain.n, coding_cases[_i].wbits, &zlen);
	if (coding_cases[_i].chunked) {
		n = snprintf(hdr, sizeof(hdr),
			     "HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\nTransfer-Encoding: chunked"
			     "\r\n\r\n%zx\r\n",
			     coding_cases[_i].ce, zlen);
		sb_add(&resp, hdr, (size_t)n);
		sb_add(&resp, z, zlen);
		sb_add(&resp, "\r\n0\r\n\r\n", 7);
	} else {
		n = snprintf(hdr, sizeof(hdr),
			     "HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\nContent-Length: %zu\r\n\r\n",
			     coding_cases[_i].ce, zlen);
		sb_add(&resp, hdr, (size_t)n);
		sb_add(&resp, z, zlen);
	}
	for (size_t step = 0; step <= 1; step++) {
		struct vp_http_conn c;

		vp_http_conn_init(&c);
		feed_split(ctx, &c, true, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 27, 0, 0, &r);
		sret = feed_split(ctx, &c, false, resp.p, resp.n, 0, step, &r);
		ck_assert_int_eq(sret, VP_HTTP_OK);
		ck_assert(r.resp[0].body_done);
		ck_assert_uint_eq(r.resp[0].body_seen, zlen);
		assert_buf(&r.resp[0], B_BODY, plain.p, plain.n);
		vp_http_conn_release(ctx, &c);
		rec_free(&r);
	}
	free(z);
	free(resp.p);
	free(plain.p);
	vp_http_ctx_free(ctx);
}
END_TEST

/* 10 MB of zeros: stopped by the ratio (case 0) or by the output limit (case 1). */
START_TEST(test_bomb)
{
	struct vp_http_limits l;
	struct vp_http_ctx *ctx;
	struct vp_http_stats st;
	struct sbuf resp = { 0 };
	struct rec r = { 0 };
	size_t plain_len = 10u << 20, zlen;
	uint8_t *zeros = calloc(1, plain_len), *z;
	char hdr[128];
	int n;

	ck_assert_ptr_nonnull(zeros);
	vp_http_limits_default(&l);
	l.resp_body_depth = 4u << 20;
	l.memcap = 32u << 20;
	l.decomp_max_ratio = _i == 0 ? 100 : 0;
	l.decomp_max_output = _i == 0 ? 0 : 100000;
	ctx = vp_http_ctx_new(&l);
	ck_assert_ptr_nonnull(ctx);
	z = compress_buf(zeros, plain_len, 31, &zlen);
	n = snprintf(hdr, sizeof(hdr),
		     "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %zu\r\n\r\n", zlen);
	sb_add(&resp, hdr, (size_t)n);
	sb_add(&resp, z, zlen);
	run_pair(ctx, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", resp.p, resp.n, &r, NULL, NULL);
	ck_assert(r.resp[0].anomalies & VP_HTTP_ANOM_DECOMPRESS_BOMB);
	ck_assert(r.resp[0].body_done);
	ck_assert_uint_eq(r.resp[0].body_seen, zlen);
	if (_i == 0)
		ck_assert_uint_le(r.resp[0].buf[B_BODY].n, 64u * 1024);
	else
		ck_assert_uint_eq(r.resp[0].buf[B_BODY].n, 100000);
	vp_http_ctx_stats(ctx, &st);
	ck_assert_uint_eq(st.inflate_used, 0);
	ck_assert_uint_eq(st.slabs_used, 0);
	rec_free(&r);
	free(resp.p);
	free(z);
	free(zeros);
	vp_http_ctx_free(ctx);
}
END_TEST

START_TEST(test_coding_errors)
{
	struct vp_http_limits l;
	struct vp_http_ctx *ctx;
	struct rec r = { 0 };

	vp_http_limits_default(&l);
	l.memcap = 8u << 20;
	l.max_inflate = _i;	/* 0: decoding turned off */
	ctx = vp_http_ctx_new(&l);
	ck_assert_ptr_nonnull(ctx);
	run_pair(ctx, "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		 "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 8\r\n\r\nnotgzip!", 0,
		 &r, NULL, NULL);
	if (_i) {
		ck_assert(r.resp[0].anomalies & VP_HTTP_ANOM_DECOMPRESS_ERROR);
	} else {
		ck_assert_uint_eq(r.resp[0].anomalies, 0);
		ASSERT_BUF(&r.resp[0], B_BODY, "notgzip!");
	}
	ck_assert(r.resp[0].body_done);
	rec_free(&r);
	run_pair(ctx, "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		 "HTTP/1.1 200 OK\r\nContent-Encoding: gzip, br\r\nContent-Length: 3\r\n\r\nabc", 0,
		 &r, NULL, NULL);
	ck_assert(r.resp[0].anomalies & VP_HTTP_ANOM_MULTI_ENCODING);
	ASSERT_BUF(&r.resp[0], B_BODY, "abc");
	rec_free(&r);
	vp_http_ctx_free(ctx);
}
END_TEST

/* A gzip request body (Content-Encoding on the request) is decoded, up to req_body_depth. */
START_TEST(test_request_gzip)
{
	static const char form[] = "name=john&x=1";
	struct vp_http_limits l;
	struct vp_http_ctx *ctx;
	struct vp_http_stats st;
	struct vp_http_conn c;
	struct sbuf req = { 0 };
	struct rec r = { 0 };
	uint8_t plain[4096], *z;
	size_t plain_len = _i == 0 ? sizeof(form) - 1 : sizeof(plain), zlen;
	char hdr[160];
	int n;

	memset(plain, 'a', sizeof(plain));
	memcpy(plain, form, sizeof(form) - 1);
	vp_http_limits_default(&l);
	l.req_body_depth = 1024;
	ctx = vp_http_ctx_new(&l);
	ck_assert_ptr_nonnull(ctx);
	z = compress_buf(plain, plain_len, 31, &zlen);
	n = snprintf(hdr, sizeof(hdr),
		     "POST /hi.php HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\n"
		     "Content-Length: %zu\r\n\r\n", zlen);
	sb_add(&req, hdr, (size_t)n);
	sb_add(&req, z, zlen);
	vp_http_conn_init(&c);
	feed_split(ctx, &c, true, req.p, req.n, 0, 0, &r);
	feed_split(ctx, &c, false, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 40, 0, 0, &r);
	vp_http_eof(ctx, &c, true, rec_cb, &r);
	vp_http_eof(ctx, &c, false, rec_cb, &r);
	vp_http_conn_release(ctx, &c);
	ck_assert(r.req[0].body_done);
	ck_assert_uint_eq(r.req[0].body_seen, zlen);
	ck_assert(!(r.req[0].anomalies & VP_HTTP_ANOM_DECOMPRESS_ERROR));
	if (_i == 0)
		ASSERT_BUF(&r.req[0], B_BODY, form);
	else
		assert_buf(&r.req[0], B_BODY, (const char *)plain, l.req_body_depth);
	ASSERT_BUF(&r.resp[0], B_BODY, "ok");
	vp_http_ctx_stats(ctx, &st);
	ck_assert_uint_eq(st.inflate_used, 0);
	rec_free(&r);
	free(req.p);
	free(z);
	vp_http_ctx_free(ctx);
}
END_TEST

/* Two gzip members (RFC 1952 2.2) decode as one body, also when split between the members. */
START_TEST(test_gzip_members)
{
	struct vp_http_ctx *ctx = new_ctx();
	struct sbuf resp = { 0 };
	struct rec r = { 0 };
	uint8_t *z1, *z2;
	size_t n1, n2;
	struct vp_http_conn c;

	z1 = compress_buf((const uint8_t *)"one ", 4, 31, &n1);
	z2 = compress_buf((const uint8_t *)"two", 3, 31, &n2);
	sb_str(&resp, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n");
	sb_add(&resp, z1, n1);
	sb_add(&resp, z2, n2);
	vp_http_conn_init(&c);
	feed_split(ctx, &c, true, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 27, 0, 0, &r);
	feed_split(ctx, &c, false, resp.p, resp.n, _i ? resp.n - n2 : 0, 0, &r);
	vp_http_eof(ctx, &c, false, rec_cb, &r);
	ASSERT_BUF(&r.resp[0], B_BODY, "one two");
	ck_assert_uint_eq(r.resp[0].anomalies, 0);
	vp_http_conn_release(ctx, &c);
	free(z1);
	free(z2);
	free(resp.p);
	rec_free(&r);
	vp_http_ctx_free(ctx);
}
END_TEST

/* One inflate arena: a second compressed response at the same time is kept encoded. */
START_TEST(test_inflate_pool)
{
	static const char rq[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	static const char rs[] = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n";
	struct vp_http_limits l;
	struct vp_http_ctx *ctx;
	struct vp_http_stats st;
	struct vp_http_conn c1, c2;
	struct rec r1 = { 0 }, r2 = { 0 };
	uint8_t *z;
	size_t zlen;

	vp_http_limits_default(&l);
	l.memcap = 8u << 20;
	l.max_inflate = 1;
	ctx = vp_http_ctx_new(&l);
	ck_assert_ptr_nonnull(ctx);
	z = compress_buf((const uint8_t *)"hello", 5, 31, &zlen);
	vp_http_conn_init(&c1);
	vp_http_conn_init(&c2);
	feed_split(ctx, &c1, true, rq, strlen(rq), 0, 0, &r1);
	feed_split(ctx, &c2, true, rq, strlen(rq), 0, 0, &r2);
	feed_split(ctx, &c1, false, rs, strlen(rs), 0, 0, &r1);
	feed_split(ctx, &c2, false, rs, strlen(rs), 0, 0, &r2);
	vp_http_ctx_stats(ctx, &st);
	ck_assert_uint_eq(st.inflate_used, 1);
	ck_assert_uint_eq(st.inflate_nomem, 1);
	vp_http_feed(ctx, &c1, false, z, zlen, rec_cb, &r1);
	vp_http_feed(ctx, &c2, false, z, zlen, rec_cb, &r2);
	vp_http_eof(ctx, &c1, false, rec_cb, &r1);
	vp_http_eof(ctx, &c2, false, rec_cb, &r2);
	ASSERT_BUF(&r1.resp[0], B_BODY, "hello");
	ck_assert(!(r1.resp[0].anomalies & VP_HTTP_ANOM_DECOMPRESS_NOMEM));
	ck_assert(r2.resp[0].anomalies & VP_HTTP_ANOM_DECOMPRESS_NOMEM);
	assert_buf(&r2.resp[0], B_BODY, (const char *)z, zlen);
	vp_http_conn_release(ctx, &c1);
	vp_http_conn_release(ctx, &c2);
	vp_http_ctx_stats(ctx, &st);
	ck_assert_uint_eq(st.inflate_used, 0);
	free(z);
	rec_free(&r1);
	rec_free(&r2);
	vp_http_ctx_free(ctx);
}
END_TEST

/*
 * Layered and mislabelled content codings (HTTP Evader): <enc> are the codings applied to the
 * page in order (31 gzip, 15 zlib, -15 raw deflate, 1 a gzip member with every optional header
 * field, reserved flags and a wrong CRC; 0 ends), <ce> the Content-Encoding field lines sent.
 * With <layers> decoded at most, the body must be the page encoded by the first <keep> codings.
 */
static const struct {
	const char *ce;
	int enc[4];
	uint32_t layers;
	int keep;
	uint64_t anom;
} layer_cases[] = {
	{ "Content-Encoding: gzip, deflate\r\n", { 31, -15 }, 2, 0, 0 },
	{ "Content-Encoding: gzip\r\nContent-Encoding: deflate\r\nContent-Encoding: gzip\r\n",
	  { 31, 15, 31 }, 3, 0, 0 },
	{ "Content-Encoding: gzip,deflate,gzip\r\n", { 31, 15, 31 }, 2, 1,
	  VP_HTTP_ANOM_MULTI_ENCODING },
	{ "Content-Encoding: gzip, gzip\r\n", { 31 }, 2, 0, VP_HTTP_ANOM_DECOMPRESS_ERROR },
	{ "Content-Encoding: deflate\r\n", { 0 }, 2, 0, VP_HTTP_ANOM_DECOMPRESS_ERROR },
	{ "Content-Encoding: x gzip\r\n", { 15 }, 2, 0, 0 },
	{ "Content-Encoding: X-Deflate\r\n", { 31 }, 2, 0, 0 },
	{ "Content-Encoding: gzip\r\n", { 1 }, 2, 0, 0 },
	{ "Content-Encoding: gzip\r\nContent-Encoding: br\r\n", { 31 }, 2, 0,
	  VP_HTTP_ANOM_MULTI_ENCODING },
	/* response names with control bytes or folds are read as clients may (HTTP Evader) */
	{ "Content-Encoding\x0b:deflate\r\n", { -15 }, 2, 0,
	  VP_HTTP_ANOM_INVALID_HEADER_NAME | VP_HTTP_ANOM_INVALID_HEADER_VALUE },
	{ "Content\x0c-Encoding: gzip\r\n", { 31 }, 2, 0,
	  VP_HTTP_ANOM_INVALID_HEADER_NAME | VP_HTTP_ANOM_INVALID_HEADER_VALUE },
	{ "Content-Encoding\r\n :\r\n deflate\r\n", { 15 }, 2, 0,
	  VP_HTTP_ANOM_INVALID_HEADER_NAME | VP_HTTP_ANOM_OBS_FOLD |
	  VP_HTTP_ANOM_WS_BEFORE_COLON },
	/* gzip magic without a usable Content-Encoding: sniffed and decoded */
	{ "", { 31 }, 2, 0, 0 },
	{ "Content-Encoding: gz\x01ip\r\n", { 1 }, 2, 0,
	  VP_HTTP_ANOM_MULTI_ENCODING | VP_HTTP_ANOM_INVALID_HEADER_VALUE },
};

/* A gzip member the way HTTP Evader bends them: header fields galore, a wrong trailer. */
static uint8_t *odd_gzip(const uint8_t *in, size_t n, size_t *out_len)
{
	static const uint8_t hdr[] = { 0x1f, 0x8b, 8, 0xfe, 1, 2, 3, 4, 0, 3, 3, 0, 'a', 'b', 'c',
				       'n', 'a', 'm', 'e', 0, 'c', 0, 0x12, 0x34 };
	size_t rlen;
	uint8_t *raw = compress_buf(in, n, -15, &rlen);
	uint8_t *out = malloc(sizeof(hdr) + rlen + 8);

	ck_assert_ptr_nonnull(out);
	memcpy(out, hdr, sizeof(hdr));
	memcpy(out + sizeof(hdr), raw, rlen);
	memset(out + sizeof(hdr) + rlen, 0xee, 8);	/* CRC32 and ISIZE both wrong */
	*out_len = sizeof(hdr) + rlen + 8;
	free(raw);
	return out;
}

START_TEST(test_layers)
{
	struct vp_http_limits l;
	struct vp_http_ctx *ctx;
	struct vp_http_stats st;
	struct sbuf plain = { 0 }, resp = { 0 };
	uint8_t *cur, *want = NULL;
	size_t cur_len, want_len = 0;
	char hdr[256];
	int n;

	vp_http_limits_default(&l);
	l.memcap = 16u << 20;
	l.decomp_layers = layer_cases[_i].layers;
	ctx = vp_http_ctx_new(&l);
	ck_assert_ptr_nonnull(ctx);
	for (int i = 0; i < 60; i++)
		sb_fmt(&plain, "layer upon layer %d; ", i);
	cur = malloc(plain.n);
	ck_assert_ptr_nonnull(cur);
	memcpy(cur, plain.p, plain.n);
	cur_len = plain.n;
	for (int k = 0; k < 4 && layer_cases[_i].enc[k]; k++) {
		int e = layer_cases[_i].enc[k];
		size_t nl;
		uint8_t *next = e == 1 ? odd_gzip(cur, cur_len, &nl) : compress_buf(cur, cur_len, e, &nl);

		if (k + 1 == layer_cases[_i].keep) {
			want = malloc(nl);
			ck_assert_ptr_nonnull(want);
			memcpy(want, next, nl);
			want_len = nl;
		}
		free(cur);
		cur = next;
		cur_len = nl;
	}
	n = snprintf(hdr, sizeof(hdr), "HTTP/1.1 200 OK\r\n%sContent-Length: %zu\r\n\r\n",
		     layer_cases[_i].ce, cur_len);
	sb_add(&resp, hdr, (size_t)n);
	sb_add(&resp, cur, cur_len);
	for (size_t step = 0; step <= 1; step++) {
		struct vp_http_conn c;
		struct rec r = { 0 };

		vp_http_conn_init(&c);
		feed_split(ctx, &c, true, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 27, 0, 0, &r);
		feed_split(ctx, &c, false, resp.p, resp.n, 0, step, &r);
		ck_assert(r.resp[0].body_done);
		if (want)
			assert_buf(&r.resp[0], B_BODY, (const char *)want, want_len);
		else
			assert_buf(&r.resp[0], B_BODY, plain.p, plain.n);
		ck_assert_uint_eq(r.resp[0].anomalies & ~VP_HTTP_ANOM_REPEATED_HEADER,
				  layer_cases[_i].anom);
		vp_http_conn_release(ctx, &c);
		rec_free(&r);
	}
	vp_http_ctx_stats(ctx, &st);
	ck_assert_uint_eq(st.inflate_used, 0);
	free(cur);
	free(want);
	free(plain.p);
	free(resp.p);
	vp_http_ctx_free(ctx);
}
END_TEST

/* ---- pools, callbacks, names ------------------------------------------------------------- */

START_TEST(test_memcap)
{
	struct vp_http_limits l;
	struct vp_http_ctx *ctx;
	struct vp_http_stats st;
	struct vp_http_conn c1, c2, c3;
	struct rec r = { 0 };
	static const char rq[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

	vp_http_limits_default(&l);
	l.max_inflate = 0;
	l.memcap = 600u * 1024;	/* one request + one response slab */
	ctx = vp_http_ctx_new(&l);
	ck_assert_ptr_nonnull(ctx);
	vp_http_ctx_stats(ctx, &st);
	ck_assert_uint_eq(st.slabs_total, 1);
	vp_http_conn_init(&c1);
	vp_http_conn_init(&c2);
	vp_http_conn_init(&c3);
	ck_assert_int_eq(vp_http_feed(ctx, &c1, true, (const uint8_t *)rq, 10, rec_cb, &r),
			 VP_HTTP_OK);
	ck_assert_int_eq(vp_http_feed(ctx, &c2, true, (const uint8_t *)rq, 10, rec_cb, &r),
			 VP_HTTP_MEMCAP);
	ck_assert_int_eq(r.null_tx, 1);
	ck_assert(vp_http_conn_done(&c2, true));
	vp_http_conn_release(ctx, &c1);
	ck_assert_int_eq(vp_http_feed(ctx, &c3, true, (const uint8_t *)rq, sizeof(rq) - 1, rec_cb,
				      &r),
			 VP_HTTP_OK);
	vp_http_ctx_stats(ctx, &st);
	ck_assert_uint_eq(st.memcap, 1);
	ck_assert_uint_eq(st.anomalies[42], 1);
	vp_http_conn_release(ctx, &c2);
	vp_http_conn_release(ctx, &c3);
	vp_http_ctx_stats(ctx, &st);
	ck_assert_uint_eq(st.slabs_used, 0);
	/* too small for one pair, or silly limits */
	l.memcap = 1000;
	ck_assert_ptr_null(vp_http_ctx_new(&l));
	vp_http_limits_default(&l);
	l.max_line = 1;
	ck_assert_ptr_null(vp_http_ctx_new(&l));
	ck_assert_ptr_null(vp_http_ctx_new(NULL));
	vp_http_ctx_free(NULL);
	rec_free(&r);
	vp_http_ctx_free(ctx);
}
END_TEST

/* Event sequence "ev:id[:uri]" of the unanswered-request test. */
static int seq_cb(void *cbctx, enum vp_http_event ev, const struct vp_http_tx *tx)
{
	struct sbuf *log = cbctx;

	ck_assert_ptr_nonnull(tx);
	sb_fmt(log, "%d:%llu", ev, (unsigned long long)tx->id);
	if (ev == VP_HTTP_EV_UNANSWERED) {
		ck_assert(!tx->resp.line_valid && !tx->resp.valid);
		if (tx->req.line_valid)
			sb_add(log, tx->req.uri_raw.ptr, tx->req.uri_raw.len);
	}
	sb_add(log, " ", 1);
	return 0;
}

static const struct {
	const char *req, *resp, *want;
	uint32_t kept;	/* request slabs held between the response's eof and the report */
} unanswered_cases[] = {
	/* pipelined: the first is answered, the second shows its id only (its slab went to the
	 * third), the third its buffers */
	{ "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n"
	  "GET /c HTTP/1.1\r\nHost: h\r\n\r\n",
	  "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
	  "1:0 1:1 1:2 3:0 7:1 7:2/c ", 1 },
	/* only an interim response: still unanswered */
	{ "GET /x HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 100 Continue\r\n\r\n", "1:0 3:0 7:0/x ", 1 },
	/* no response at all */
	{ "GET /y HTTP/1.1\r\nHost: h\r\n\r\n", "", "1:0 7:0/y ", 1 },
	/* answered by a body read until close: logged with the response, never again */
	{ "GET /z HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\nhello",
	  "1:0 3:0 4:0 4:0 ", 0 },
	/* a response cut short in its header block does not answer */
	{ "GET /t HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 200 OK\r\nServ", "1:0 6:0 7:0/t ", 1 },
};

START_TEST(test_unanswered)
{
	struct vp_http_ctx *ctx = new_ctx();
	struct vp_http_conn c;
	struct vp_http_stats st;
	struct sbuf log = { 0 };
	const char *rq = unanswered_cases[_i].req, *rs = unanswered_cases[_i].resp;

	vp_http_conn_init(&c);
	vp_http_feed(ctx, &c, true, (const uint8_t *)rq, strlen(rq), seq_cb, &log);
	vp_http_feed(ctx, &c, false, (const uint8_t *)rs, strlen(rs), seq_cb, &log);
	/* the response direction is still parsed: nothing to report yet */
	ck_assert_int_eq(vp_http_unanswered(ctx, &c, seq_cb, &log), VP_HTTP_OK);
	vp_http_eof(ctx, &c, false, seq_cb, &log);
	vp_http_ctx_stats(ctx, &st);
	ck_assert_uint_eq(st.req_slabs_used, unanswered_cases[_i].kept);
	ck_assert_int_eq(vp_http_unanswered(ctx, &c, seq_cb, &log), VP_HTTP_OK);
	ck_assert_int_eq(vp_http_unanswered(ctx, &c, seq_cb, &log), VP_HTTP_OK);	/* once */
	vp_http_eof(ctx, &c, true, seq_cb, &log);
	ck_assert_str_eq((const char *)log.p, unanswered_cases[_i].want);
	vp_http_ctx_stats(ctx, &st);
	ck_assert_uint_eq(st.slabs_used, 0);
	vp_http_conn_release(ctx, &c);
	free(log.p);
	vp_http_ctx_free(ctx);
}
END_TEST

START_TEST(test_stop)
{
	struct vp_http_ctx *ctx = new_ctx();
	struct vp_http_conn c;
	struct rec r = { 0 };
	static const char rq[] = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
				 "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n";

	r.stop_on = VP_HTTP_EV_REQUEST_HEADERS;
	vp_http_conn_init(&c);
	ck_assert_int_eq(vp_http_feed(ctx, &c, true, (const uint8_t *)rq, sizeof(rq) - 1, rec_cb,
				      &r),
			 VP_HTTP_STOPPED);
	ck_assert_int_eq(r.events, 1);
	ck_assert_int_eq(vp_http_feed(ctx, &c, true, (const uint8_t *)rq, 4, rec_cb, &r),
			 VP_HTTP_STOPPED);
	ck_assert_int_eq(r.events, 1);
	vp_http_conn_release(ctx, &c);
	rec_free(&r);
	vp_http_ctx_free(ctx);
}
END_TEST

/* A reassembly gap inside a body keeps the parser in sync; elsewhere it gives up. */
START_TEST(test_gap)
{
	struct vp_http_ctx *ctx = new_ctx();
	struct vp_http_stats st;
	struct vp_http_conn c;
	struct rec r = { 0 };
	static const char cl[] = "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc";
	static const char ch[] = "POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
				 "a\r\nabc";
	static const char next_ch[] = "de\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n";
	static const char next_cl[] = "deGET /next HTTP/1.1\r\nHost: a\r\n\r\n";
	const char *next = _i ? next_ch : next_cl;

	vp_http_conn_init(&c);
	switch (_i) {
	case 0: /* Content-Length: 3 + gap 5 + 2 */
	case 1: /* chunk of 10: 3 + gap 5 + 2, then the last chunk */
		feed_split(ctx, &c, true, _i ? ch : cl, strlen(_i ? ch : cl), 0, 0, &r);
		ck_assert_int_eq(vp_http_gap(ctx, &c, true, 5, rec_cb, &r), VP_HTTP_ANOMALY);
		feed_split(ctx, &c, true, next, strlen(next), 0, 0, &r);
		ASSERT_BUF(&r.req[0], B_BODY, "abc");
		ASSERT_BUF(&r.req[1], B_METHOD, "GET");
		ck_assert_uint_eq(r.req[0].body_seen, 10);
		ck_assert(r.req[0].body_done && (r.req[0].anomalies & VP_HTTP_ANOM_GAP));
		ASSERT_BUF(&r.req[1], B_URI, "/next");
		ck_assert(!vp_http_conn_done(&c, true));
		break;
	case 2: /* gap longer than the body: framing lost */
		feed_split(ctx, &c, true, cl, strlen(cl), 0, 0, &r);
		ck_assert_int_eq(vp_http_gap(ctx, &c, true, 100, rec_cb, &r), VP_HTTP_GIVEUP);
		ck_assert(r.giveup_anom & VP_HTTP_ANOM_GAP);
		break;
	case 3: /* gap in the headers */
		feed_split(ctx, &c, true, cl, 20, 0, 0, &r);
		ck_assert_int_eq(vp_http_gap(ctx, &c, true, 1, rec_cb, &r), VP_HTTP_GIVEUP);
		ck_assert_int_eq(r.giveups, 1);
		break;
	default: /* gap between messages: no transaction to show */
		ck_assert_int_eq(vp_http_gap(ctx, &c, true, 1, rec_cb, &r), VP_HTTP_GIVEUP);
		ck_assert_int_eq(r.null_tx, 1);
		break;
	}
	vp_http_conn_release(ctx, &c);
	vp_http_ctx_stats(ctx, &st);
	ck_assert_uint_eq(st.slabs_used, 0);
	ck_assert_uint_ge(st.anomalies[47], 1);
	rec_free(&r);
	vp_http_ctx_free(ctx);
}
END_TEST

START_TEST(test_names)
{
	for (int i = 0; i < VP_HTTP_ANOM_COUNT; i++) {
		const char *n = vp_http_anomaly_name(1ull << i);

		ck_assert_str_ne(n, "unknown");
		for (int j = 0; j < i; j++)
			ck_assert_str_ne(n, vp_http_anomaly_name(1ull << j));
	}
	ck_assert_str_eq(vp_http_anomaly_name(0), "unknown");
	ck_assert_str_eq(vp_http_anomaly_name(3), "unknown");
	ck_assert_str_eq(vp_http_anomaly_name(1ull << VP_HTTP_ANOM_COUNT), "unknown");
	ck_assert_str_eq(vp_http_anomaly_name(VP_HTTP_ANOM_CL_AND_TE), "cl_and_te");
}
END_TEST

/* Random chunking of random mutations of valid traffic never breaks the pools. */
START_TEST(test_random)
{
	struct vp_http_ctx *ctx = ctx_with(128, 512, 8, 64);
	struct vp_http_stats st;
	unsigned seed = 12345;
	uint8_t buf[600];

	for (int it = 0; it < 3000; it++) {
		const struct conv *cv = &convs[it % ARRAY_SIZE(convs)];
		struct vp_http_conn c;
		size_t n;

		vp_http_conn_init(&c);
		for (int dir = 0; dir < 2; dir++) {
			const char *src = dir ? cv->resp : cv->req;
			size_t pos = 0;

			n = strlen(src);
			memcpy(buf, src, n);
			for (int k = 0; k < 3 && n; k++)
				buf[rand_r(&seed) % n] = (uint8_t)rand_r(&seed);
			while (pos < n) {
				size_t step = 1 + (size_t)rand_r(&seed) % 17;

				if (step > n - pos)
					step = n - pos;
				vp_http_feed(ctx, &c, !dir, buf + pos, step, NULL, NULL);
				pos += step;
			}
		}
		if (it & 1)
			vp_http_eof(ctx, &c, true, NULL, NULL);
		vp_http_conn_release(ctx, &c);
	}
	vp_http_ctx_stats(ctx, &st);
	ck_assert_uint_eq(st.slabs_used, 0);
	ck_assert_uint_eq(st.inflate_used, 0);
	vp_http_ctx_free(ctx);
}
END_TEST

static Suite *http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("requests");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_requests, 0, ARRAY_SIZE(req_cases));
	tcase_add_loop_test(tc, test_request_splits, 0, ARRAY_SIZE(req_cases));
	tcase_add_loop_test(tc, test_splits, 0, ARRAY_SIZE(convs));
	tcase_add_loop_test(tc, test_depth, 0, 4);
	tcase_add_loop_test(tc, test_truncated, 0, 4);
	suite_add_tcase(s, tc);

	tc = tcase_create("anomalies");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_anomalies, 0, ARRAY_SIZE(anom_cases));
	tcase_add_loop_test(tc, test_anomaly_splits, 0, ARRAY_SIZE(anom_cases));
	tcase_add_loop_test(tc, test_limits, 0, 4);
	tcase_add_test(tc, test_pipeline_overflow);
	suite_add_tcase(s, tc);

	tc = tcase_create("responses");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_response_basic);
	tcase_add_test(tc, test_response_framing);
	tcase_add_loop_test(tc, test_tunnel, 0, 2);
	tcase_add_test(tc, test_connect_refused);
	tcase_add_test(tc, test_response_anomalies);
	tcase_add_loop_test(tc, test_lenient_chunks, 0, ARRAY_SIZE(lenient_chunks));
	tcase_add_loop_test(tc, test_resp_framing, 0, ARRAY_SIZE(resp_framing_cases));
	tcase_add_loop_test(tc, test_coding, 0, ARRAY_SIZE(coding_cases));
	tcase_add_loop_test(tc, test_bomb, 0, 2);
	tcase_add_loop_test(tc, test_coding_errors, 0, 2);
	tcase_add_test(tc, test_inflate_pool);
	tcase_add_loop_test(tc, test_layers, 0, ARRAY_SIZE(layer_cases));
	tcase_add_loop_test(tc, test_gzip_members, 0, 2);
	tcase_add_loop_test(tc, test_request_gzip, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("misc");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_memcap);
	tcase_add_test(tc, test_stop);
	tcase_add_loop_test(tc, test_unanswered, 0, ARRAY_SIZE(unanswered_cases));
	tcase_add_test(tc, test_names);
	tcase_add_loop_test(tc, test_gap, 0, 5);
	tcase_add_test(tc, test_random);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(http_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
