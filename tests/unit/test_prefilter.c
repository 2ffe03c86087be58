/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The prefilter never changes what matches: for random rule sets and random
 * inputs, the engine with its Vectorscan prefilter reports exactly what the
 * same rules report when every one of them is verified.  Plus the set
 * information and candidate counting.
 */
#include "vp_build.h"

#include <arpa/inet.h>
#include <errno.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "signatures/netaddr.h"
#include "signatures/sig.h"

#define BIT(b) (1ull << (b))
#define RULES 40
#define INPUTS 150

static uint64_t rng;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

/* Bytes from a small alphabet, so that random patterns do occur in random inputs. */
static const uint8_t alpha[] = { 'a', 'b', 'c', 'A', 'B', '/', '=', 0x00, 0xff };

static void rand_bytes(uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = alpha[rnd(sizeof(alpha))];
}

/* Appends a content string for <b> to <s> (printable as is, the rest in hex). */
static void put_content(char *s, size_t cap, const uint8_t *b, size_t n)
{
	size_t i, l = strlen(s);

	for (i = 0; i < n && l + 8 < cap; i++) {
		if (b[i] >= 'A' && b[i] <= 'z')
			s[l++] = (char)b[i];
		else
			l += (size_t)snprintf(s + l, cap - l, "|%02x|", b[i]);
	}
	s[l] = '\0';
}

static void cat(char *s, size_t cap, const char *t)
{
	size_t l = strlen(s);

	snprintf(s + l, cap - l, "%s", t);
}

/* One content with random modifiers; <first>: first of its buffer. */
static void rand_content(char *r, size_t cap, bool first, bool *fast)
{
	uint8_t b[6];
	size_t n = 1 + rnd(4);
	char tmp[64];

	rand_bytes(b, n);
	cat(r, cap, rnd(6) == 0 ? "content:!\"" : "content:\"");
	put_content(r, cap, b, n);
	cat(r, cap, "\"; ");
	if (rnd(3) == 0)
		cat(r, cap, "nocase; ");
	switch (rnd(first ? 4 : 6)) {
	case 0:
		snprintf(tmp, sizeof(tmp), "depth:%zu; ", n + rnd(8));
		cat(r, cap, tmp);
		break;
	case 1:
		snprintf(tmp, sizeof(tmp), "offset:%u; ", rnd(6));
		cat(r, cap, tmp);
		break;
	case 2:
		cat(r, cap, rnd(2) ? "startswith; " : "endswith; ");
		break;
	case 4:
		snprintf(tmp, sizeof(tmp), "distance:%d; ", (int)rnd(5) - 2);
		cat(r, cap, tmp);
		break;
	case 5:
		snprintf(tmp, sizeof(tmp), "within:%zu; ", n + rnd(6));
		cat(r, cap, tmp);
		break;
	default:
		break;
	}
	if (!*fast && rnd(5) == 0) {
		cat(r, cap, "fast_pattern; ");
		*fast = true;
	}
}

static const char *const buffers[] = { "pkt_data", "http.uri", "http.header",
				       "http.user_agent", "file.data", "http.response_body",
				       "http.request_body" };
#define NBUFFERS (sizeof(buffers) / sizeof(buffers[0]))

/* Address specifications, relative to the $HOME_NET the sets get (see home_vars()). */
static const char *const addrs[] = { "any", "any", "$HOME_NET", "$EXTERNAL_NET", "10.1.0.0/16",
				     "[10.0.0.0/8,!10.1.2.3]", "192.168.0.0/16", "!192.168.1.5",
				     "[$HOME_NET,203.0.113.0/24]" };
#define NADDRS (sizeof(addrs) / sizeof(addrs[0]))

static void rand_rule(char *r, size_t cap, unsigned sid)
{
	static const char *const heads[] = { "alert tcp", "alert http", "alert ip", "drop tcp",
					     "alert udp", "alert tcp-pkt", "pass tcp" };
	static const char *const ports[] = { "any", "any", "80", "[80,8080]", "!80", "1024:",
					     "[21:23,!22]", "8080" };
	unsigned nl = 1 + rnd(2), l, k, nc;
	bool fast = false;
	char tmp[64];
	const char *head = heads[rnd(sizeof(heads) / sizeof(heads[0]))], *sp = ports[rnd(8)];
	const char *arrow = rnd(8) ? "->" : "<>", *dp = ports[rnd(8)];
	const char *sa = addrs[rnd(NADDRS)], *da = addrs[rnd(NADDRS)];

	snprintf(r, cap, "%s %s %s %s %s %s (", head, sa, sp, arrow, da, dp);
	if (rnd(3) == 0)
		cat(r, cap, rnd(2) ? "flow:to_server; " : "flow:to_client; ");
	for (l = 0; l < nl; l++) {
		cat(r, cap, buffers[rnd(NBUFFERS)]);
		cat(r, cap, "; ");
		for (k = 0, nc = rnd(4); k < nc; k++)
			rand_content(r, cap, k == 0, &fast);
		if (rnd(6) == 0)
			cat(r, cap, rnd(2) ? "pcre:\"/[ab]=?/i\"; " : "pcre:\"/^b/R\"; ");
		if (rnd(8) == 0)
			cat(r, cap, "isdataat:!1,relative; ");
	}
	if (rnd(10) == 0)
		cat(r, cap, "dsize:<12; ");
	if (rnd(8) == 0) {
		static const char *const hdr[] = { "flags:S; ", "flags:PA+; ", "flags:S,12; ",
						   "flags:*FR; ", "ip_proto:6; ", "ip_proto:41; ",
						   "ip_proto:!17; " };

		cat(r, cap, hdr[rnd(sizeof(hdr) / sizeof(hdr[0]))]);
	}
	snprintf(tmp, sizeof(tmp), "sid:%u;)", sid);
	cat(r, cap, tmp);
}

struct hits {
	char buf[512];
	size_t len;
};

static bool collect_hit(void *ctx, const struct vp_sig *sig)
{
	struct hits *h = ctx;

	h->len += (size_t)snprintf(h->buf + h->len, sizeof(h->buf) - h->len, "%s%u",
				   h->len ? "," : "", sig->sid);
	return true;
}

struct rand_input {
	struct vp_packet p;
	struct vp_sig_input in;
	uint8_t data[6][32];
};

static const int in_bufs[6] = { VP_BUF_PACKET, VP_BUF_STREAM, VP_BUF_HTTP_URI,
				VP_BUF_HTTP_HEADER, VP_BUF_HTTP_USER_AGENT,
				VP_BUF_HTTP_REQUEST_LINE };

static void rand_input(struct rand_input *ri)
{
	static const uint8_t protos[] = { 6, 6, 6, 17, 1 };
	static const uint16_t pnums[] = { 80, 8080, 21, 22, 23, 1024, 40000, 0, 443 };
	static const char *const ips[] = { "10.1.2.3", "10.9.9.9", "192.168.1.5", "192.168.2.1",
					   "203.0.113.7", "198.51.100.1" };
	static const int bodies[] = { VP_BUF_HTTP_RESPONSE_BODY, VP_BUF_HTTP_REQUEST_BODY };
	size_t i, n;
	int body;

	memset(ri, 0, sizeof(*ri));
	ri->p.ip_version = 4;
	ri->p.src.family = ri->p.dst.family = AF_INET;
	ri->p.proto = protos[rnd(sizeof(protos))];
	ri->p.flow_flags = rnd(5) == 0 ? 0 : rnd(2) ? VP_PKT_TO_SERVER : VP_PKT_TO_CLIENT;
	ri->p.sport = pnums[rnd(sizeof(pnums) / sizeof(pnums[0]))];
	ri->p.dport = pnums[rnd(sizeof(pnums) / sizeof(pnums[0]))];
	ri->p.tcp_flags = ri->p.proto == 6 ? (uint8_t)rnd(64) : 0;
	inet_pton(AF_INET, ips[rnd(sizeof(ips) / sizeof(ips[0]))], ri->p.src.a);
	inet_pton(AF_INET, ips[rnd(sizeof(ips) / sizeof(ips[0]))], ri->p.dst.a);
	ri->in.p = &ri->p;
	for (i = 0; i < 6; i++) {
		if (rnd(3) == 0)
			continue;
		n = rnd(sizeof(ri->data[i]));
		rand_bytes(ri->data[i], n);
		ri->in.buf[in_bufs[i]].ptr = ri->data[i];
		ri->in.buf[in_bufs[i]].len = n;
		ri->in.present |= BIT(in_bufs[i]);
		if (rnd(4))
			ri->in.fresh |= BIT(in_bufs[i]);
	}
	if (rnd(3) == 0) {	/* a body: file.data and one of the body buffers, the same bytes */
		body = bodies[rnd(2)];
		n = rnd(sizeof(ri->data[0]));
		rand_bytes(ri->data[0], n);
		ri->in.buf[VP_BUF_FILE_DATA].ptr = ri->in.buf[body].ptr = ri->data[0];
		ri->in.buf[VP_BUF_FILE_DATA].len = ri->in.buf[body].len = n;
		ri->in.present |= BIT(VP_BUF_FILE_DATA) | BIT(body);
		ri->in.fresh |= BIT(VP_BUF_FILE_DATA) | BIT(body);
	}
	ri->p.payload = ri->in.buf[VP_BUF_PACKET];
	ri->in.stream_new_off = rnd(3) ? 0 : rnd(20);
}

/* $HOME_NET and $EXTERNAL_NET for the sets: the address classes depend on them. */
static struct vp_vars *home_vars(void)
{
	struct vp_vars *v = vp_vars_new();

	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(vp_vars_set(v, "HOME_NET", "[10.0.0.0/8,192.168.1.0/24]"), 0);
	ck_assert_int_eq(vp_vars_set(v, "EXTERNAL_NET", rnd(2) ? "!$HOME_NET" : "any"), 0);
	return v;
}

static unsigned add_rules(struct vp_sig_set *a, struct vp_sig_set *b)
{
	char rule[2048];
	unsigned i, ok = 0;

	for (i = 1; i <= RULES; i++) {
		rand_rule(rule, sizeof(rule), i);
		if (vp_sig_set_add(a, rule, "r", i, NULL, NULL) != 0)
			continue;
		ck_assert_int_eq(vp_sig_set_add(b, rule, "r", i, NULL, NULL), 0);
		ok++;
	}
	/* One rule that matches often, so that every set has matches to compare. */
	snprintf(rule, sizeof(rule), "alert ip any any -> any any (content:\"ab\"; sid:%u;)", i);
	ck_assert_int_eq(vp_sig_set_add(a, rule, "r", i, NULL, NULL), 0);
	ck_assert_int_eq(vp_sig_set_add(b, rule, "r", i, NULL, NULL), 0);
	return ok;
}

/* Random sets, random inputs: the same matches with and without the prefilter. */
START_TEST(test_equivalence)
{
	struct vp_sig_set *pf, *all;
	struct vp_sig_thread *tp, *ta;
	struct vp_sig_set_info info;
	struct rand_input ri;
	struct hits hp, ha;
	unsigned i, nonempty = 0, loaded;
	struct vp_vars *vars;

	rng = 0x9e3779b97f4a7c15ull ^ ((uint64_t)_i * 0x100000001b3ull + 1);
	vars = home_vars();
	pf = vp_sig_set_new(vars);
	all = vp_sig_set_new(vars);
	vp_vars_free(vars);
	ck_assert_int_eq(vp_sig_set_prefilter(all, false), 0);
	loaded = add_rules(pf, all);
	ck_assert_uint_gt(loaded, RULES / 2);
	ck_assert_int_eq(vp_sig_set_compile(pf, NULL, NULL), 0);
	ck_assert_int_eq(vp_sig_set_compile(all, NULL, NULL), 0);
	vp_sig_set_info(pf, &info);
	ck_assert(info.prefilter);
	vp_sig_set_info(all, &info);
	ck_assert(!info.prefilter);
	tp = vp_sig_thread_new(pf);
	ta = vp_sig_thread_new(all);
	ck_assert_ptr_nonnull(tp);
	ck_assert_ptr_nonnull(ta);
	for (i = 0; i < INPUTS; i++) {
		rand_input(&ri);
		memset(&hp, 0, sizeof(hp));
		memset(&ha, 0, sizeof(ha));
		ck_assert_uint_eq(vp_sig_match(pf, tp, &ri.in, collect_hit, &hp),
				  vp_sig_match(all, ta, &ri.in, collect_hit, &ha));
		ck_assert_msg(strcmp(hp.buf, ha.buf) == 0, "set %d input %u: \"%s\" vs \"%s\"", _i,
			      i, hp.buf, ha.buf);
		nonempty += hp.len > 0;
	}
	ck_assert_uint_gt(nonempty, 0);	/* the test exercises matches */
	vp_sig_thread_free(tp);
	vp_sig_thread_free(ta);
	vp_sig_set_free(pf);
	vp_sig_set_free(all);
}
END_TEST

/* The same rules twice: [0] with the prefilter, [1] verifying every rule; a thread each. */
struct twin {
	struct vp_sig_set *set[2];
	struct vp_sig_thread *th[2];
};

typedef void (*rule_gen_fn)(char *r, size_t cap, unsigned sid);

/* Rules 1..<n> from <gen> (those that parse, in both sets), compiled. */
static void twin_new(struct twin *t, rule_gen_fn gen, unsigned n)
{
	char rule[1024];
	unsigned i, k;

	t->set[0] = vp_sig_set_new(NULL);
	t->set[1] = vp_sig_set_new(NULL);
	ck_assert_int_eq(vp_sig_set_prefilter(t->set[1], false), 0);
	for (i = 1; i <= n; i++) {
		gen(rule, sizeof(rule), i);
		if (vp_sig_set_add(t->set[0], rule, "r", i, NULL, NULL) == 0)
			ck_assert_int_eq(vp_sig_set_add(t->set[1], rule, "r", i, NULL, NULL), 0);
	}
	for (k = 0; k < 2; k++) {
		ck_assert_int_eq(vp_sig_set_compile(t->set[k], NULL, NULL), 0);
		t->th[k] = vp_sig_thread_new(t->set[k]);
		ck_assert_ptr_nonnull(t->th[k]);
	}
}

static void twin_free(struct twin *t)
{
	unsigned k;

	for (k = 0; k < 2; k++) {
		vp_sig_thread_free(t->th[k]);
		vp_sig_set_free(t->set[k]);
	}
}

/* A payload rule for the stream test: one to three contents, to the server on port 80. */
static void stream_rule(char *r, size_t cap, unsigned sid)
{
	unsigned k, nc = 1 + rnd(3);
	bool fast = false;
	char tmp[32];

	snprintf(r, cap, "alert tcp any any -> any %s (flow:to_server; ", rnd(4) ? "80" : "any");
	for (k = 0; k < nc; k++)
		rand_content(r, cap, k == 0, &fast);
	snprintf(tmp, sizeof(tmp), "sid:%u;)", sid);
	cat(r, cap, tmp);
}

#define STREAM_LEN 4000
#define STREAM_WINDOW 200

/* One call as the engine makes it: the window before the new bytes, then them. */
static void stream_call(struct rand_input *ri, const uint8_t *data, size_t ws, size_t off,
			size_t n, struct vp_sig_stream_mem *mem)
{
	memset(ri, 0, sizeof(*ri));
	ri->p.ip_version = 4;
	ri->p.src.family = ri->p.dst.family = AF_INET;
	ri->p.proto = 6;
	ri->p.sport = 40000;
	ri->p.dport = 80;
	ri->p.flow_flags = VP_PKT_TO_SERVER | VP_PKT_ESTABLISHED | VP_PKT_HAS_FLOW;
	ri->p.payload.ptr = data + off;
	ri->p.payload.len = n;
	ri->in.p = &ri->p;
	ri->in.buf[VP_BUF_PACKET] = ri->p.payload;
	ri->in.buf[VP_BUF_STREAM].ptr = data + ws;
	ri->in.buf[VP_BUF_STREAM].len = off + n - ws;
	ri->in.present = ri->in.fresh = BIT(VP_BUF_PACKET) | BIT(VP_BUF_STREAM);
	ri->in.stream_new_off = off - ws;
	ri->in.stream_off = ws;
	ri->in.stream_mem = mem;
}

/*
 * The stream memory never changes what matches: a random stream fed packet
 * by packet gives the same matches as every rule verified on every window,
 * across gaps (the window restarts), recompiles (the memory belongs to the
 * old set) and more distinct patterns in a window than the memory holds.
 */
START_TEST(test_stream_memory)
{
	struct vp_sig_stream_mem mem;
	static uint8_t data[STREAM_LEN];
	size_t off = 0, ws = 0, n;
	struct rand_input ri;
	struct hits hp, ha;
	unsigned calls = 0, nonempty = 0;
	struct twin t;

	rng = 0x2545f4914f6cdd1dull ^ ((uint64_t)_i * 0x9e3779b97f4a7c15ull + 7);
	twin_new(&t, stream_rule, 160);
	rand_bytes(data, sizeof(data));
	memset(&mem, 0, sizeof(mem));
	while (off < STREAM_LEN) {
		n = 1 + rnd(40);
		if (n > STREAM_LEN - off)
			n = STREAM_LEN - off;
		if (rnd(60) == 0)
			ws = off;	/* a gap: the window starts again */
		else if (off - ws > STREAM_WINDOW)
			ws = off - STREAM_WINDOW;
		if (rnd(300) == 0)
			ck_assert_int_eq(vp_sig_set_compile(t.set[0], NULL, NULL), 0);
		stream_call(&ri, data, ws, off, n, &mem);
		memset(&hp, 0, sizeof(hp));
		memset(&ha, 0, sizeof(ha));
		ck_assert_uint_eq(vp_sig_match(t.set[0], t.th[0], &ri.in, collect_hit, &hp),
				  vp_sig_match(t.set[1], t.th[1], &ri.in, collect_hit, &ha));
		ck_assert_msg(strcmp(hp.buf, ha.buf) == 0, "seed %d offset %zu: \"%s\" vs \"%s\"",
			      _i, off, hp.buf, ha.buf);
		nonempty += hp.len > 0;
		calls++;
		off += n;
	}
	ck_assert_uint_gt(nonempty, calls / 20);	/* the stream does match */
	twin_free(&t);
}
END_TEST

/* An HTTP rule on one or two of the transaction buffers of test_buf_memory. */
static void http_rule(char *r, size_t cap, unsigned sid)
{
	static const char *const bufs[] = { "http.uri", "http.user_agent", "http.header",
					    "http.stat_code", "http.server", "file.data" };
	unsigned l, nl = 1 + rnd(2);
	bool fast = false;
	char tmp[32];

	snprintf(r, cap, "alert http any any -> any any (");
	for (l = 0; l < nl; l++) {
		cat(r, cap, bufs[rnd(6)]);
		cat(r, cap, "; ");
		rand_content(r, cap, true, &fast);
	}
	snprintf(tmp, sizeof(tmp), "sid:%u;)", sid);
	cat(r, cap, tmp);
}

/* Calls as the engine makes them for transaction <tx>: request, response(s), body. */
static void tx_calls(struct twin *t, struct vp_sig_buf_mem *mem, uint64_t tx,
		     unsigned *nonempty)
{
	static const int req[] = { VP_BUF_HTTP_URI, VP_BUF_HTTP_USER_AGENT, VP_BUF_HTTP_HEADER };
	static const int resp[] = { VP_BUF_HTTP_STAT_CODE, VP_BUF_HTTP_SERVER, VP_BUF_HTTP_HEADER };
	static uint8_t rq[3][24], rs[3][24], body[32];
	struct rand_input ri;
	struct hits hp, ha;
	unsigned step, i, nresp = 1 + rnd(2);

	for (i = 0; i < 3; i++) {
		rand_bytes(rq[i], sizeof(rq[i]));
		rand_bytes(rs[i], sizeof(rs[i]));
	}
	rand_bytes(body, sizeof(body));
	for (step = 0; step < 2 + nresp; step++) {
		memset(&ri, 0, sizeof(ri));
		ri.p.ip_version = 4;
		ri.p.src.family = ri.p.dst.family = AF_INET;
		ri.p.proto = 6;
		ri.p.flow_flags = (step ? VP_PKT_TO_CLIENT : VP_PKT_TO_SERVER) | VP_PKT_HAS_FLOW |
				  VP_PKT_ESTABLISHED;
		ri.in.p = &ri.p;
		ri.in.buf_mem = mem;
		ri.in.tx_id = tx;
		for (i = 0; i < 3; i++) {	/* the request's, fresh only at the request */
			if (step > 0 && req[i] == VP_BUF_HTTP_HEADER)
				continue;	/* the response's from then on */
			ri.in.buf[req[i]].ptr = rq[i];
			ri.in.buf[req[i]].len = 8 + i;
			ri.in.present |= BIT(req[i]);
			ri.in.fresh |= step == 0 ? BIT(req[i]) : 0;
		}
		for (i = 0; step > 0 && i < 3; i++) {	/* a response, new at each of its steps */
			if (step < 1 + nresp)
				rand_bytes(rs[i], sizeof(rs[i]));	/* same place, new bytes */
			ri.in.buf[resp[i]].ptr = rs[i];
			ri.in.buf[resp[i]].len = 3 + i;
			ri.in.present |= BIT(resp[i]);
			ri.in.fresh |= step < 1 + nresp ? BIT(resp[i]) : 0;
		}
		if (step == 1 + nresp) {	/* the body */
			ri.in.buf[VP_BUF_FILE_DATA].ptr = ri.in.buf[VP_BUF_HTTP_RESPONSE_BODY].ptr = body;
			ri.in.buf[VP_BUF_FILE_DATA].len = ri.in.buf[VP_BUF_HTTP_RESPONSE_BODY].len = 32;
			ri.in.present |= BIT(VP_BUF_FILE_DATA) | BIT(VP_BUF_HTTP_RESPONSE_BODY);
			ri.in.fresh |= BIT(VP_BUF_FILE_DATA) | BIT(VP_BUF_HTTP_RESPONSE_BODY);
		}
		memset(&hp, 0, sizeof(hp));
		memset(&ha, 0, sizeof(ha));
		ck_assert_uint_eq(vp_sig_match(t->set[0], t->th[0], &ri.in, collect_hit, &hp),
				  vp_sig_match(t->set[1], t->th[1], &ri.in, collect_hit, &ha));
		ck_assert_msg(strcmp(hp.buf, ha.buf) == 0, "tx %llu step %u: \"%s\" vs \"%s\"",
			      (unsigned long long)tx, step, hp.buf, ha.buf);
		*nonempty += hp.len > 0;
	}
}

/*
 * The HTTP buffer memory never changes what matches: transactions whose
 * request buffers come back, not fresh, with their responses (an interim
 * one rewriting its buffers in place), and a body.
 */
START_TEST(test_buf_memory)
{
	struct vp_sig_buf_mem mem;
	unsigned i, nonempty = 0;
	struct twin t;

	rng = 0x853c49e6748fea9bull ^ ((uint64_t)_i * 0x9e3779b97f4a7c15ull + 3);
	twin_new(&t, http_rule, 120);
	memset(&mem, 0, sizeof(mem));
	for (i = 0; i < 60; i++) {
		if (i == 30)
			ck_assert_int_eq(vp_sig_set_compile(t.set[0], NULL, NULL), 0);	/* a reload */
		tx_calls(&t, &mem, i / 2, &nonempty);	/* each tx id twice */
	}
	ck_assert_uint_gt(nonempty, 20);
	twin_free(&t);
}
END_TEST

/* What test_header_only_rules' rule <sid> must do, worked out here from the keywords. */
static bool header_expect(unsigned sid, uint8_t proto, bool frag, uint8_t f)
{
	bool tcp = proto == 6 && !frag;	/* a fragment's TCP header is not decoded */

	switch (sid) {
	case 1: return tcp && f == 0x02;			/* flags:S */
	case 2: return tcp && f == 0x12;			/* flags:SA */
	case 3: return tcp && (f & 0x18) == 0x18;		/* flags:PA+ */
	case 4: return tcp && (f & 0x3f) == 0x02;		/* flags:S,12 (CWR, ECE ignored) */
	case 5: return tcp && (f & 0x05) != 0;			/* flags:*FR */
	case 6: return tcp && !(f & 0x02);			/* flags:!S */
	case 7: return tcp && (f & 0x3f) == 0x03;		/* flags:SF,CE */
	case 8: return proto == 6;				/* ip_proto:6 */
	case 9: return proto == 41;
	case 10: return proto != 17;
	case 11: return proto == 1;
	case 12: return tcp && (f & 0x10);			/* ip rule, flags:A+ */
	default: return false;
	}
}

/*
 * Rules without a fast pattern, rejected before their header is read (TCP flags
 * the packet must have, ip_proto groups): every flag combination, protocol and
 * fragment state, with and without the prefilter, against what the keywords mean.
 */
START_TEST(test_header_only_rules)
{
	static const char *const rules[] = {
		"alert tcp any any -> any any (flags:S; sid:1;)",
		"alert tcp any any -> any any (flags:SA; sid:2;)",
		"alert tcp any any -> any any (flags:PA+; sid:3;)",
		"alert tcp any any -> any any (flags:S,12; sid:4;)",
		"alert tcp any any -> any any (flags:*FR; sid:5;)",
		"alert tcp any any -> any any (flags:!S; sid:6;)",
		"alert tcp any any -> any any (flags:SF,CE; sid:7;)",
		"alert ip any any -> any any (ip_proto:6; sid:8;)",
		"alert ip any any -> any any (ip_proto:41; sid:9;)",
		"alert ip any any -> any any (ip_proto:!17; sid:10;)",
		"alert ip any any -> any any (ip_proto:1; sid:11;)",
		"alert ip any any -> any any (flags:A+; sid:12;)",
	};
	static const uint8_t protos[] = { 6, 17, 1, 41, 47 };
	struct vp_sig_set *set[2] = { vp_sig_set_new(NULL), vp_sig_set_new(NULL) };
	struct vp_sig_thread *th[2];
	char want[128], tmp[16];
	struct vp_packet p;
	struct hits h;
	unsigned i, k, fl, pr, frag;

	ck_assert_int_eq(vp_sig_set_prefilter(set[1], false), 0);
	for (k = 0; k < 2; k++) {
		for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
			ck_assert_int_eq(vp_sig_set_add(set[k], rules[i], "r", i + 1, NULL, NULL), 0);
		ck_assert_int_eq(vp_sig_set_compile(set[k], NULL, NULL), 0);
		th[k] = vp_sig_thread_new(set[k]);
	}
	for (pr = 0; pr < sizeof(protos); pr++) {
		for (frag = 0; frag < 2; frag++) {
			for (fl = 0; fl < 256; fl++) {
				memset(&p, 0, sizeof(p));
				p.ip_version = 4;
				p.src.family = p.dst.family = AF_INET;
				p.proto = protos[pr];
				p.tcp_flags = p.proto == 6 && !frag ? (uint8_t)fl : 0;
				p.anomalies = frag ? VP_ANOM_IP_FRAGMENT : 0;
				p.flow_flags = VP_PKT_TO_SERVER;
				want[0] = '\0';
				for (i = 1; i <= 12; i++) {
					if (!header_expect(i, p.proto, frag, p.tcp_flags))
						continue;
					snprintf(tmp, sizeof(tmp), "%s%u", want[0] ? "," : "", i);
					cat(want, sizeof(want), tmp);
				}
				for (k = 0; k < 2; k++) {
					memset(&h, 0, sizeof(h));
					vp_sig_match_packet(set[k], th[k], &p, collect_hit, &h);
					ck_assert_msg(strcmp(h.buf, want) == 0,
						      "%s: proto %u frag %u flags %#x: \"%s\" want \"%s\"",
						      k ? "all" : "prefilter", p.proto, frag,
						      p.tcp_flags, h.buf, want);
				}
			}
		}
	}
	for (k = 0; k < 2; k++) {
		vp_sig_thread_free(th[k]);
		vp_sig_set_free(set[k]);
	}
}
END_TEST

/* What compile reports, and candidates: only rules whose fast pattern occurs. */
START_TEST(test_info_and_candidates)
{
	static const char *const rules[] = {
		"alert tcp any any -> any any (content:\"alpha\"; sid:1;)",
		"alert tcp any any -> any any (content:\"beta\"; sid:2;)",
		"alert tcp any any -> any any (content:\"BETA\"; nocase; sid:3;)",
		"alert tcp any any -> any any (content:!\"gamma\"; sid:4;)",
		"alert tcp any any -> any any (flowbits:set,x; flowbits:isset,y; sid:5;)",
		"alert http any any -> any any (http.uri; content:\"beta\"; sid:6;)",
		"alert tcp any any -> any any (content:\"|00 00|\"; sid:7;)",
		("alert tcp any any -> any any (threshold:type limit,track by_src,count 1,"
		 "seconds 1; content:\"beta\"; sid:8;)"),
	};
	struct vp_sig_set *set = vp_sig_set_new(NULL);
	struct vp_sig_thread_stats st;
	struct vp_sig_set_info info;
	struct vp_sig_thread *th;
	struct vp_packet p;
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		ck_assert_int_eq(vp_sig_set_add(set, rules[i], "r", 1, NULL, NULL), 0);
	vp_sig_set_info(set, &info);
	ck_assert(!info.prefilter);	/* not compiled */
	ck_assert_int_eq(vp_sig_set_compile(set, NULL, NULL), 0);
	vp_sig_set_info(set, &info);
	ck_assert(info.prefilter);
	/* alpha, beta (case-sensitive, twice), beta (caseless): one "beta" per kind and buffer */
	ck_assert_uint_eq(info.prefilter_patterns, 4);
	/* payload and uri; one port group per TCP and UDP direction, with a
	 * payload database to the server and one to the client (none for UDP:
	 * no UDP rule) */
	ck_assert_uint_eq(info.port_groups, 4);
	ck_assert_uint_eq(info.prefilter_databases, 4);
	ck_assert_uint_eq(info.always_candidates, 3);	/* negated, no content, all NULs */
	ck_assert_uint_eq(info.flowbits, 2);
	ck_assert_uint_eq(info.thresholds, 1);
	th = vp_sig_thread_new(set);
	memset(&p, 0, sizeof(p));
	p.ip_version = 4;
	p.proto = 6;
	p.src.family = p.dst.family = AF_INET;
	p.payload.ptr = (const uint8_t *)"xx beta xx";
	p.payload.len = 10;
	ck_assert_uint_eq(vp_sig_match_packet(set, th, &p, NULL, NULL), 4);	/* 2 3 4 8 */
	vp_sig_thread_stats(th, &st);
	ck_assert_uint_eq(st.candidates, 6);	/* 2 3 8 + always 4 5 7 */
	vp_sig_thread_free(th);
	vp_sig_set_free(set);
}
END_TEST

static void mark_edge(void *ctx, uint32_t port)
{
	uint8_t *e = ctx;

	ck_assert_uint_le(port, 65536);
	e[port] = 1;
}

/* Between two edges a port specification gives one answer, for every port. */
START_TEST(test_port_edges)
{
	static const char *const specs[] = { "[80,8080,1024:2000,!1500]", "!80", "1024:",
					     ":1023", "[21:23,!22]", "!$P", "any" };
	struct vp_vars *vars = vp_vars_new();
	static uint8_t edge[65537];
	struct vp_netaddr *n;
	char err[128];
	uint32_t p;
	bool cur;

	ck_assert_int_eq(vp_vars_set(vars, "P", "[443,8443]"), 0);
	n = vp_netaddr_parse_ports(specs[_i], vars, err, sizeof(err));
	ck_assert_ptr_nonnull(n);
	memset(edge, 0, sizeof(edge));
	vp_netaddr_port_edges(n, mark_edge, edge);
	cur = vp_netaddr_match_port(n, 0);
	for (p = 1; p < 65536; p++) {
		if (vp_netaddr_match_port(n, (uint16_t)p) != cur)
			ck_assert_msg(edge[p], "%s: answer changes at %u, no edge", specs[_i], p);
		cur = vp_netaddr_match_port(n, (uint16_t)p);
	}
	vp_netaddr_free(n);
	vp_vars_free(vars);
}
END_TEST

/* Which addresses a specification may match relative to $HOME_NET: never too few. */
START_TEST(test_addr_classes)
{
	static const struct {
		const char *spec;
		unsigned want;
	} cases[] = {
		{ "any", VP_NETADDR_HOME | VP_NETADDR_OUTSIDE },
		{ "$HOME_NET", VP_NETADDR_HOME },
		{ "!$HOME_NET", VP_NETADDR_OUTSIDE },
		{ "10.1.0.0/16", VP_NETADDR_HOME },
		{ "10.0.0.0/7", VP_NETADDR_HOME | VP_NETADDR_OUTSIDE },
		{ "203.0.113.0/24", VP_NETADDR_OUTSIDE },
		{ "[203.0.113.0/24,192.168.1.7]", VP_NETADDR_HOME | VP_NETADDR_OUTSIDE },
		{ "[$HOME_NET,10.2.3.4]", VP_NETADDR_HOME },
		{ "!10.0.0.0/8", VP_NETADDR_HOME | VP_NETADDR_OUTSIDE },	/* 192.168.1.x */
		{ "![10.0.0.0/8,192.168.0.0/16]", VP_NETADDR_OUTSIDE },
		{ "[10.0.0.0/8,!10.1.2.3]", VP_NETADDR_HOME | VP_NETADDR_OUTSIDE },	/* not worked out */
		{ "2001:db8::/32", VP_NETADDR_OUTSIDE },
		{ "192.168.0.0/16", VP_NETADDR_HOME | VP_NETADDR_OUTSIDE },
	};
	struct vp_vars *v = vp_vars_new();
	struct vp_netaddr *home, *n;
	char err[128];
	size_t i;

	ck_assert_int_eq(vp_vars_set(v, "HOME_NET", "[10.0.0.0/8,192.168.1.0/24]"), 0);
	home = vp_netaddr_parse_addrs("$HOME_NET", v, err, sizeof(err));
	ck_assert_ptr_nonnull(home);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = vp_netaddr_parse_addrs(cases[i].spec, v, err, sizeof(err));
		ck_assert_msg(n != NULL, "%s: %s", cases[i].spec, err);
		ck_assert_msg(vp_netaddr_classes(n, home) == cases[i].want, "%s: %u, want %u",
			      cases[i].spec, vp_netaddr_classes(n, home), cases[i].want);
		vp_netaddr_free(n);
	}
	ck_assert_uint_eq(vp_netaddr_classes(NULL, home), VP_NETADDR_HOME | VP_NETADDR_OUTSIDE);
	n = vp_netaddr_parse_addrs("!$HOME_NET", v, err, sizeof(err));
	ck_assert_uint_eq(vp_netaddr_classes(home, n), VP_NETADDR_HOME | VP_NETADDR_OUTSIDE);
	vp_netaddr_free(n);
	vp_netaddr_free(home);
	vp_vars_free(v);
}
END_TEST

static unsigned candidates(struct vp_sig_set *set, struct vp_sig_thread *th, uint16_t sport,
			   uint16_t dport, uint32_t dir, const char *payload)
{
	struct vp_sig_thread_stats a, b;
	struct vp_packet p;

	memset(&p, 0, sizeof(p));
	p.ip_version = 4;
	p.proto = 6;
	p.src.family = p.dst.family = AF_INET;
	p.sport = sport;
	p.dport = dport;
	p.flow_flags = dir | VP_PKT_HAS_FLOW | VP_PKT_ESTABLISHED;
	p.payload.ptr = (const uint8_t *)payload;
	p.payload.len = strlen(payload);
	vp_sig_thread_stats(th, &a);
	vp_sig_match_packet(set, th, &p, NULL, NULL);
	vp_sig_thread_stats(th, &b);
	return (unsigned)(b.candidates - a.candidates);
}

/* A packet is prefiltered with the rules of its service port and direction only. */
START_TEST(test_port_groups)
{
	static const char *const rules[] = {
		"alert tcp any any -> any 80 (content:\"alpha\"; sid:1;)",
		"alert tcp any any -> any 445 (content:\"alpha\"; sid:2;)",
		"alert tcp any any -> any any (content:\"alpha\"; sid:3;)",
		"alert tcp any 80 -> any any (flow:to_client; content:\"alpha\"; sid:4;)",
		"alert tcp any any -> any !80 (flags:S; sid:5;)",
		"alert tcp any any <> any 445 (content:\"alpha\"; sid:6;)",
	};
	struct vp_sig_set *set = vp_sig_set_new(NULL);
	struct vp_sig_set_info info;
	struct vp_sig_thread *th;
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		ck_assert_int_eq(vp_sig_set_add(set, rules[i], "r", 1, NULL, NULL), 0);
	ck_assert_int_eq(vp_sig_set_compile(set, NULL, NULL), 0);
	vp_sig_set_info(set, &info);
	ck_assert_uint_ge(info.port_groups, 4);
	th = vp_sig_thread_new(set);
	/* to the server: the destination port decides; <> rules on every port */
	ck_assert_uint_eq(candidates(set, th, 40000, 80, VP_PKT_TO_SERVER, "alpha"), 3);  /* 1 3 6 */
	ck_assert_uint_eq(candidates(set, th, 40000, 445, VP_PKT_TO_SERVER, "alpha"), 4); /* 2 3 5 6 */
	ck_assert_uint_eq(candidates(set, th, 40000, 22, VP_PKT_TO_SERVER, "alpha"), 3);  /* 3 5 6 */
	/* to the client: one group (1, 2 and 5 have no direction) */
	ck_assert_uint_eq(candidates(set, th, 80, 40000, VP_PKT_TO_CLIENT, "alpha"), 6);
	ck_assert_uint_eq(candidates(set, th, 22, 40000, VP_PKT_TO_CLIENT, "alpha"), 6);
	ck_assert_uint_eq(candidates(set, th, 22, 40000, VP_PKT_TO_CLIENT, "beta"), 1);   /* 5 */
	/* one group for every port */
	vp_sig_thread_free(th);
	ck_assert_int_eq(vp_sig_set_port_groups(set, 1), 0);
	ck_assert_int_eq(vp_sig_set_port_groups(set, 0), -EINVAL);
	ck_assert_int_eq(vp_sig_set_compile(set, NULL, NULL), 0);
	vp_sig_set_info(set, &info);
	ck_assert_uint_eq(info.port_groups, 4);
	th = vp_sig_thread_new(set);
	ck_assert_uint_eq(candidates(set, th, 40000, 22, VP_PKT_TO_SERVER, "alpha"), 5);
	vp_sig_thread_free(th);
	vp_sig_set_free(set);
}
END_TEST

static Suite *prefilter_suite(void)
{
	Suite *s = suite_create("prefilter");
	TCase *tc = tcase_create("prefilter");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_stream_memory, 0, 40);
	tcase_add_loop_test(tc, test_port_edges, 0, 7);
	tcase_add_loop_test(tc, test_buf_memory, 0, 30);
	tcase_add_test(tc, test_port_groups);
	tcase_add_test(tc, test_addr_classes);
	tcase_add_test(tc, test_header_only_rules);
	tcase_add_loop_test(tc, test_equivalence, 0, 200);
	tcase_add_test(tc, test_info_and_candidates);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(prefilter_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
