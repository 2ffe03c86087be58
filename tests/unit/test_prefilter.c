/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The prefilter never changes what matches: for random rule sets and random
 * inputs, the engine with its Vectorscan prefilter reports exactly what the
 * same rules report when every one of them is verified.  Plus the set
 * information and candidate counting.
 */
#include "vp_build.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "signatures/sig.h"

#define BIT(b) (1ull << (b))
#define RULES 40
#define INPUTS 60

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
				       "http.user_agent" };

static void rand_rule(char *r, size_t cap, unsigned sid)
{
	static const char *const heads[] = { "alert tcp", "alert http", "alert ip", "drop tcp",
					     "alert udp", "alert tcp-pkt", "pass tcp" };
	unsigned nl = 1 + rnd(2), l, k, nc;
	bool fast = false;
	char tmp[64];

	snprintf(r, cap, "%s any any -> any any (", heads[rnd(sizeof(heads) / sizeof(heads[0]))]);
	if (rnd(3) == 0)
		cat(r, cap, rnd(2) ? "flow:to_server; " : "flow:to_client; ");
	for (l = 0; l < nl; l++) {
		cat(r, cap, buffers[rnd(4)]);
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
	size_t i, n;

	memset(ri, 0, sizeof(*ri));
	ri->p.ip_version = 4;
	ri->p.src.family = ri->p.dst.family = AF_INET;
	ri->p.proto = protos[rnd(sizeof(protos))];
	ri->p.flow_flags = rnd(2) ? VP_PKT_TO_SERVER : VP_PKT_TO_CLIENT;
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
	ri->p.payload = ri->in.buf[VP_BUF_PACKET];
	ri->in.stream_new_off = rnd(3) ? 0 : rnd(20);
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
	return ok;
}

/* Random sets, random inputs: the same matches with and without the prefilter. */
START_TEST(test_equivalence)
{
	struct vp_sig_set *pf = vp_sig_set_new(NULL), *all = vp_sig_set_new(NULL);
	struct vp_sig_thread *tp, *ta;
	struct vp_sig_set_info info;
	struct rand_input ri;
	struct hits hp, ha;
	unsigned i, nonempty = 0, loaded;

	rng = 0x9e3779b97f4a7c15ull ^ ((uint64_t)_i * 0x100000001b3ull + 1);
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

static Suite *prefilter_suite(void)
{
	Suite *s = suite_create("prefilter");
	TCase *tc = tcase_create("prefilter");

	tcase_set_timeout(tc, 120);
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
