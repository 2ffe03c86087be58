/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Detection semantics through vp_sig_match(): each payload keyword and its
 * edge cases, sticky buffers and legacy modifiers, buffer presence and
 * freshness, the stream's "new bytes" rule, flowbits ordering, noalert,
 * thresholds over time, per-rule statistics, classification.config.
 */
#include "vp_build.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "signatures/sig.h"
#include "signatures/vars.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define BIT(b) (1ull << (b))
#define H "alert tcp any any -> any any "
#define HH "alert http any any -> any any "
#define FL_TS (VP_PKT_TO_SERVER | VP_PKT_ESTABLISHED | VP_PKT_HAS_FLOW)
#define FL_TC (VP_PKT_TO_CLIENT | VP_PKT_ESTABLISHED | VP_PKT_HAS_FLOW)

/* ---- helpers ---- */

struct errs {
	unsigned n;
	char msg[512];
};

static void collect_err(void *ctx, const char *file, unsigned line, const char *msg)
{
	struct errs *e = ctx;

	if (e->n++ == 0)
		snprintf(e->msg, sizeof(e->msg), "%s", msg);
}

struct hits {
	char buf[512];
	size_t len;
	unsigned n;
	unsigned suppressed;
	const struct vp_sig_thread *th;
};

static bool collect_hit(void *ctx, const struct vp_sig *sig)
{
	struct hits *h = ctx;
	bool sup = h->th && vp_sig_thread_alert_suppressed(h->th);

	h->len += (size_t)snprintf(h->buf + h->len, sizeof(h->buf) - h->len, "%s%u%s",
				   h->len ? "," : "", sig->sid, sup ? "s" : "");
	h->n++;
	h->suppressed += sup;
	return true;
}

static struct vp_sig_set *make_set(const char *const *rules, size_t n)
{
	struct vp_vars *v = vp_vars_new();
	struct vp_sig_set *set;
	struct errs e = { 0 };
	size_t i;

	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(vp_vars_set(v, "HOME_NET", "[10.0.0.0/8]"), 0);
	ck_assert_int_eq(vp_vars_set(v, "EXTERNAL_NET", "!$HOME_NET"), 0);
	set = vp_sig_set_new(v);
	vp_vars_free(v);
	ck_assert_ptr_nonnull(set);
	for (i = 0; i < n && rules[i]; i++) {
		if (vp_sig_set_add(set, rules[i], "t", (unsigned)i + 1, collect_err, &e) != 0)
			ck_abort_msg("rule %zu: %s", i, e.msg);
	}
	ck_assert_int_eq(vp_sig_set_compile(set, collect_err, &e), 0);
	ck_assert_uint_eq(e.n, 0);
	return set;
}

/* A buffer of a test case (NUL-terminated text); data NULL ends the list. */
struct bspec {
	int buf;
	const char *data;
};

static void make_packet(struct vp_packet *p, uint8_t proto, uint32_t flags)
{
	memset(p, 0, sizeof(*p));
	p->ip_version = 4;
	p->src.family = p->dst.family = AF_INET;
	inet_pton(AF_INET, "192.0.2.1", p->src.a);
	inet_pton(AF_INET, "10.0.0.5", p->dst.a);
	p->proto = proto;
	p->sport = 40000;
	p->dport = 80;
	p->ttl = 64;
	p->flow_flags = flags;
}

/*
 * Every buffer of <b> present and fresh; PACKET is also the packet's payload
 * and is <pkt_len> long when that is not 0 (binary payloads).
 */
static void make_input_len(struct vp_sig_input *in, struct vp_packet *p, const struct bspec *b,
			   size_t pkt_len)
{
	size_t i, len;

	memset(in, 0, sizeof(*in));
	in->p = p;
	for (i = 0; i < 6 && b[i].data; i++) {
		len = b[i].buf == VP_BUF_PACKET && pkt_len ? pkt_len : strlen(b[i].data);
		in->buf[b[i].buf].ptr = (const uint8_t *)b[i].data;
		in->buf[b[i].buf].len = len;
		in->present |= BIT(b[i].buf);
		if (b[i].buf == VP_BUF_PACKET)
			p->payload = in->buf[b[i].buf];
	}
	in->fresh = in->present;
}

static void make_input(struct vp_sig_input *in, struct vp_packet *p, const struct bspec *b)
{
	make_input_len(in, p, b, 0);
}

static void run_case_len(const char *const *rules, size_t nrules, const struct bspec *b,
			 size_t pkt_len, uint8_t proto, uint32_t flags, const char *want, int idx)
{
	struct vp_sig_set *set = make_set(rules, nrules);
	struct vp_sig_thread *th = vp_sig_thread_new(set);
	struct hits h = { .th = th };
	struct vp_sig_input in;
	struct vp_packet p;
	unsigned n;

	ck_assert_ptr_nonnull(th);
	make_packet(&p, proto ? proto : 6, flags ? flags : FL_TS);
	make_input_len(&in, &p, b, pkt_len);
	n = vp_sig_match(set, th, &in, collect_hit, &h);
	ck_assert_msg(strcmp(h.buf, want) == 0, "case %d (%s): got \"%s\", want \"%s\"", idx,
		      rules[0], h.buf, want);
	ck_assert_uint_eq(n, h.n);
	vp_sig_thread_free(th);
	vp_sig_set_free(set);
}

static void run_case(const char *const *rules, size_t nrules, const struct bspec *b,
		     uint8_t proto, uint32_t flags, const char *want, int idx)
{
	run_case_len(rules, nrules, b, 0, proto, flags, want, idx);
}

/* ---- payload keywords on the packet ---- */

static const struct pl_case {
	const char *rule;
	const char *payload;
	size_t len;
	bool match;
} pl_cases[] = {
	/* depth, offset (depth counts from the offset) */
	{ H "(content:\"abc\"; depth:3; sid:1;)", "abcd", 0, true },
	{ H "(content:\"abc\"; depth:3; sid:1;)", "xabc", 0, false },
	{ H "(content:\"abc\"; offset:1; sid:1;)", "abc", 0, false },
	{ H "(content:\"abc\"; offset:1; sid:1;)", "xabc", 0, true },
	{ H "(content:\"def\"; offset:3; depth:3; sid:1;)", "abcdefgh", 0, true },
	{ H "(content:\"def\"; depth:3; offset:3; sid:1;)", "abcdefgh", 0, true },
	{ H "(content:\"def\"; offset:3; depth:3; sid:1;)", "abcxdefg", 0, false },
	{ H "(content:\"abc\"; offset:10; sid:1;)", "abc", 0, false },
	/* distance, within: relative to the end of the previous match */
	{ H "(content:\"a\"; content:\"b\"; distance:2; sid:1;)", "axxb", 0, true },
	{ H "(content:\"a\"; content:\"b\"; distance:2; sid:1;)", "axb", 0, false },
	{ H "(content:\"a\"; content:\"b\"; within:2; sid:1;)", "axb", 0, true },
	{ H "(content:\"a\"; content:\"b\"; within:2; sid:1;)", "axxb", 0, false },
	{ H "(content:\"a\"; content:\"bc\"; distance:1; within:3; sid:1;)", "axbc", 0, true },
	{ H "(content:\"a\"; content:\"bc\"; distance:1; within:3; sid:1;)", "axxbc", 0, true },
	{ H "(content:\"a\"; content:\"bc\"; distance:1; within:3; sid:1;)", "axxxbc", 0, false },
	{ H "(content:\"bc\"; content:\"ab\"; distance:-3; within:2; sid:1;)", "abc", 0, true },
	{ H "(content:\"bc\"; content:\"ab\"; distance:-9; within:9; sid:1;)", "abc", 0, true },
	{ H "(content:\"a\"; distance:0; sid:1;)", "xa", 0, true },
	/* another occurrence of the first content is tried when a later one fails */
	{ H "(content:\"a\"; content:\"b\"; within:1; sid:1;)", "axab", 0, true },
	{ H "(content:\"a\"; content:\"b\"; within:1; sid:1;)", "axaxb", 0, false },
	{ H "(content:\"k=\"; content:\"v\"; distance:0; within:1; content:\"!\"; within:1; "
	  "sid:1;)", "k=vxk=v!", 0, true },
	/* relative matches at the buffer's end */
	{ H "(content:\"abc\"; content:\"x\"; distance:0; sid:1;)", "abc", 0, false },
	{ H "(content:\"abc\"; isdataat:!1,relative; sid:1;)", "abc", 0, true },
	{ H "(content:\"abc\"; isdataat:!1,relative; sid:1;)", "abcd", 0, false },
	{ H "(content:\"abc\"; isdataat:1,relative; sid:1;)", "abcabcd", 0, true },
	/* negated, also relative */
	{ H "(content:\"GET\"; content:!\"evil\"; distance:0; within:8; sid:1;)", "GET /evil", 0,
	  false },
	{ H "(content:\"GET\"; content:!\"evil\"; distance:0; within:8; sid:1;)",
	  "GET /xxxxxxxxevil", 0, true },
	{ H "(content:\"a\"; content:!\"a\"; sid:1;)", "a", 0, false },
	{ H "(content:!\"abc\"; depth:3; sid:1;)", "xabc", 0, true },
	/* nocase folds letters given in hex too */
	{ H "(content:\"|41 42|\"; nocase; sid:1;)", "xaby", 0, true },
	{ H "(content:\"|41 42|\"; sid:1;)", "xaby", 0, false },
	{ H "(content:\"a|00|B\"; nocase; sid:1;)", "xA\0b", 4, true },
	/* startswith, endswith */
	{ H "(content:\"GET\"; startswith; sid:1;)", "GET /", 0, true },
	{ H "(content:\"GET\"; startswith; sid:1;)", " GET /", 0, false },
	{ H "(content:\".php\"; endswith; sid:1;)", "/a.php", 0, true },
	{ H "(content:\".php\"; endswith; sid:1;)", "/a.php?x", 0, false },
	{ H "(content:\"abc\"; startswith; endswith; sid:1;)", "abc", 0, true },
	{ H "(content:\"abc\"; startswith; endswith; sid:1;)", "abcc", 0, false },
	{ H "(content:\"x\"; content:!\".php\"; endswith; sid:1;)", "x.php", 0, false },
	{ H "(content:\"x\"; content:!\".php\"; endswith; sid:1;)", "x.phpz", 0, true },
	{ H "(content:\"a\"; content:\"z\"; distance:0; endswith; sid:1;)", "aza z", 0, true },
	/* fast_pattern forms */
	{ H "(content:\"abcdef\"; fast_pattern:2,3; sid:1;)", "abcdef", 0, true },
	{ H "(content:\"abcdef\"; fast_pattern:2,3; sid:1;)", "xcdex", 0, false },
	{ H "(content:\"abc\"; fast_pattern:only; sid:1;)", "abc", 0, true },
	{ H "(content:\"x\"; content:\"yy\"; fast_pattern; sid:1;)", "yyx", 0, true },
	{ H "(content:\"abc\"; rawbytes; sid:1;)", "abc", 0, true },
	{ H "(content:\"|00 00|\"; sid:1;)", "a\0\0b", 4, true },
	{ H "(content:\"|00 00|\"; sid:1;)", "a\0b\0", 4, false },
	/* isdataat (Suricata's table: absolute < length, relative <= length) */
	{ H "(isdataat:7; sid:1;)", "abcdefgh", 0, true },
	{ H "(isdataat:8; sid:1;)", "abcdefgh", 0, false },
	{ H "(isdataat:!8; sid:1;)", "abcdefgh", 0, true },
	{ H "(isdataat:7,relative; sid:1;)", "abcdefgh", 0, true },
	{ H "(isdataat:8,relative; sid:1;)", "abcdefgh", 0, true },
	{ H "(isdataat:9,relative; sid:1;)", "abcdefgh", 0, false },
	{ H "(content:\"c\"; isdataat:4,relative; sid:1;)", "abcdefgh", 0, true },
	{ H "(content:\"c\"; isdataat:5,relative; sid:1;)", "abcdefgh", 0, true },
	{ H "(content:\"c\"; isdataat:6,relative; sid:1;)", "abcdefgh", 0, false },
	{ H "(content:\"c\"; isdataat:!6,relative; sid:1;)", "abcdefgh", 0, true },
	/* byte_test */
	{ H "(byte_test:2,=,0x4142,0; sid:1;)", "ABx", 0, true },
	{ H "(byte_test:2,>,0x4141,0; sid:1;)", "ABx", 0, true },
	{ H "(byte_test:2,!=,0x4142,0; sid:1;)", "ABx", 0, false },
	{ H "(byte_test:2,=,0x4241,0,little; sid:1;)", "AB", 0, true },
	{ H "(byte_test:2,<=,0x4142,0,big; sid:1;)", "AB", 0, true },
	{ H "(byte_test:2,>=,0x4143,0; sid:1;)", "AB", 0, false },
	{ H "(byte_test:4,=,0,2; sid:1;)", "abc", 0, false },
	{ H "(content:\"k\"; byte_test:1,=,0x41,0,relative; sid:1;)", "xkA", 0, true },
	{ H "(content:\"k\"; byte_test:1,=,0x41,0,relative; sid:1;)", "xkB", 0, false },
	{ H "(content:\"kA\"; byte_test:1,=,0x6b,-2,relative; sid:1;)", "xkA", 0, true },
	{ H "(content:\"len=\"; byte_test:3,>,99,0,relative,string,dec; sid:1;)", "len=100", 0,
	  true },
	{ H "(content:\"len=\"; byte_test:3,>,99,0,relative,string,dec; sid:1;)", "len=099", 0,
	  false },
	{ H "(byte_test:2,=,255,0,string,hex; sid:1;)", "fF", 0, true },
	{ H "(byte_test:3,=,8,0,string,oct; sid:1;)", "010", 0, true },
	{ H "(byte_test:2,=,1,0,string,dec; sid:1;)", "xy", 0, false },
	{ H "(byte_test:1,=,3,0,bitmask 0x0c; sid:1;)", "\x0f", 0, true },
	{ H "(byte_test:1,&,0x80,0; sid:1;)", "\x81", 0, true },
	{ H "(byte_test:1,&,0x80,0; sid:1;)", "\x01", 0, false },
	{ H "(byte_test:1,!&,0x80,0; sid:1;)", "\x01", 0, true },
	{ H "(byte_test:1,^,0x01,0; sid:1;)", "\x01", 0, false },
	{ H "(byte_test:0,>,100,0,string,dec; sid:1;)", "1234", 0, true },
	{ H "(byte_test:0,>,100,0,string,dec; sid:1;)", "99", 0, false },
	{ H "(byte_test:0,=,5,3,string,dec; sid:1;)", "abc5", 0, true },
	{ H "(byte_test:0,=,5,4,string,dec; sid:1;)", "abc5", 0, false },
	{ H "(content:\"len=\"; byte_test:0,>,1,90,relative,string,dec; sid:1;)", "len=100", 0,
	  false },
	/* byte_jump: from after the bytes read, or from the start / end */
	{ H "(byte_jump:1,0; content:\"X\"; within:1; sid:1;)", "\x02" "abX", 0, true },
	{ H "(byte_jump:1,0; content:\"X\"; within:1; sid:1;)", "\x01" "abX", 0, false },
	{ H "(content:\"L\"; byte_jump:1,0,relative; content:\"Z\"; within:1; sid:1;)",
	  "L\x01" "aZ", 0, true },
	{ H "(byte_jump:1,0,from_beginning; content:\"Q\"; within:1; sid:1;)", "\x03" "abQ", 0,
	  true },
	{ H "(byte_jump:1,0,align; content:\"Z\"; within:1; sid:1;)", "\x01" "abcdZ", 0, true },
	{ H "(byte_jump:1,0,multiplier 2; content:\"Z\"; within:1; sid:1;)", "\x02" "abcdZ", 0,
	  true },
	{ H "(byte_jump:1,0,post_offset -1; content:\"Z\"; within:1; sid:1;)", "\x03" "abZ", 0,
	  true },
	{ H "(byte_jump:1,0,from_end,post_offset -2; content:\"YZ\"; within:2; sid:1;)",
	  "\x00YZ", 3, true },
	{ H "(byte_jump:1,0; content:\"a\"; sid:1;)", "\x09" "ab", 0, false },
	{ H "(byte_jump:2,0,string,dec; content:\"Z\"; within:1; sid:1;)", "03abcZ", 0, true },
	/* byte_extract and its variables */
	{ H "(byte_extract:1,0,n; content:\"X\"; distance:n; within:1; sid:1;)", "\x02" "abX", 0,
	  true },
	{ H "(byte_extract:1,0,n; content:\"X\"; distance:n; within:1; sid:1;)", "\x01" "abX", 0,
	  false },
	{ H "(byte_extract:1,0,v; byte_test:1,=,v,1; sid:1;)", "\x05\x05", 0, true },
	{ H "(byte_extract:1,0,v; byte_test:1,=,v,1; sid:1;)", "\x05\x06", 0, false },
	{ H "(byte_extract:1,0,n; isdataat:n,relative; sid:1;)", "\x02" "ab", 0, true },
	{ H "(byte_extract:1,0,n; isdataat:n,relative; sid:1;)", "\x03" "ab", 0, false },
	{ H "(byte_extract:1,0,n,multiplier 3,align 4; byte_test:1,=,n,1; sid:1;)", "\x01\x04",
	  0, true },
	{ H "(byte_extract:2,0,n,string,dec; content:\"Z\"; distance:n; within:1; sid:1;)",
	  "03abcZ", 0, true },
	{ H "(content:\"L\"; byte_extract:1,0,n,relative; content:\"x\"; offset:n; sid:1;)",
	  "L\x04" "abx", 0, true },
	{ H "(byte_extract:1,0,n; byte_jump:1,n; content:\"Q\"; within:1; sid:1;)",
	  "\x02" "a\x01" "bQ", 0, true },
	/* pcre */
	{ H "(content:\"user=\"; pcre:\"/^admin/R\"; sid:1;)", "user=bob&user=admin", 0, true },
	{ H "(content:\"id=\"; pcre:\"/^\\d+$/R\"; sid:1;)", "id=12", 0, true },
	{ H "(content:\"id=\"; pcre:\"/^\\d+$/R\"; sid:1;)", "id=12x", 0, false },
	{ H "(pcre:\"/^GET/A\"; sid:1;)", "GET /", 0, true },
	{ H "(pcre:\"/x$/E\"; sid:1;)", "abx\n", 0, false },
	{ H "(pcre:\"/a.*?b/G\"; sid:1;)", "aab", 0, true },
	{ H "(pcre:\"/^[\"']?post/i\"; sid:1;)", "'POST", 0, true },
	/* dsize */
	{ H "(dsize:3; sid:1;)", "abc", 0, true },
	{ H "(dsize:>3; sid:1;)", "abc", 0, false },
	{ H "(dsize:!3; sid:1;)", "abc", 0, false },
	{ H "(dsize:!3; sid:1;)", "abcd", 0, true },
	{ H "(dsize:!3; sid:1;)", "", 0, false },	/* no payload: not a size "not 3" */
	{ H "(dsize:<3; sid:1;)", "", 0, true },
	{ H "(dsize:2<>4; sid:1;)", "abc", 0, true },
	{ H "(dsize:3<>4; sid:1;)", "abc", 0, false },
	{ H "(dsize:<=3; content:\"b\"; sid:1;)", "abc", 0, true },
};

START_TEST(test_payload)
{
	const struct pl_case *tc = &pl_cases[_i];
	struct bspec b[2] = { { VP_BUF_PACKET, tc->payload }, { 0, NULL } };

	run_case_len(&tc->rule, 1, b, tc->len, 6, FL_TS, tc->match ? "1" : "", _i);
}
END_TEST

/* ---- buffers ---- */

static const struct buf_case {
	const char *kw;
	int buf;
	bool legacy;		/* content:"zz"; <kw>; */
	char pcre_flag;		/* 0 when none */
} buf_cases[] = {
	{ "http.method", VP_BUF_HTTP_METHOD, false, 'M' },
	{ "http_method", VP_BUF_HTTP_METHOD, true, 0 },
	{ "http.uri", VP_BUF_HTTP_URI, false, 'U' },
	{ "http_uri", VP_BUF_HTTP_URI, true, 0 },
	{ "http.uri.raw", VP_BUF_HTTP_URI_RAW, false, 'I' },
	{ "http_raw_uri", VP_BUF_HTTP_URI_RAW, true, 0 },
	{ "http.request_line", VP_BUF_HTTP_REQUEST_LINE, false, 0 },
	{ "http_request_line", VP_BUF_HTTP_REQUEST_LINE, false, 0 },
	{ "http.protocol", VP_BUF_HTTP_PROTOCOL, false, 0 },
	{ "http.host", VP_BUF_HTTP_HOST, false, 'W' },
	{ "http_host", VP_BUF_HTTP_HOST, true, 0 },
	{ "http.host.raw", VP_BUF_HTTP_HOST_RAW, false, 'Z' },
	{ "http_raw_host", VP_BUF_HTTP_HOST_RAW, true, 0 },
	{ "http.user_agent", VP_BUF_HTTP_USER_AGENT, false, 'V' },
	{ "http_user_agent", VP_BUF_HTTP_USER_AGENT, true, 0 },
	{ "http.cookie", VP_BUF_HTTP_COOKIE, false, 'C' },
	{ "http_cookie", VP_BUF_HTTP_COOKIE, true, 0 },
	{ "http.referer", VP_BUF_HTTP_REFERER, false, 0 },
	{ "http.content_type", VP_BUF_HTTP_CONTENT_TYPE, false, 0 },
	{ "http_content_type", VP_BUF_HTTP_CONTENT_TYPE, false, 0 },
	{ "http.content_len", VP_BUF_HTTP_CONTENT_LEN, false, 0 },
	{ "http.accept", VP_BUF_HTTP_ACCEPT, false, 0 },
	{ "http.accept_enc", VP_BUF_HTTP_ACCEPT_ENC, false, 0 },
	{ "http.accept_lang", VP_BUF_HTTP_ACCEPT_LANG, false, 0 },
	{ "http.connection", VP_BUF_HTTP_CONNECTION, false, 0 },
	{ "http.request_body", VP_BUF_HTTP_REQUEST_BODY, false, 'P' },
	{ "http_client_body", VP_BUF_HTTP_REQUEST_BODY, true, 0 },
	{ "http.stat_code", VP_BUF_HTTP_STAT_CODE, false, 'S' },
	{ "http_stat_code", VP_BUF_HTTP_STAT_CODE, true, 0 },
	{ "http.stat_msg", VP_BUF_HTTP_STAT_MSG, false, 'Y' },
	{ "http_stat_msg", VP_BUF_HTTP_STAT_MSG, true, 0 },
	{ "http.response_line", VP_BUF_HTTP_RESPONSE_LINE, false, 0 },
	{ "http.response_body", VP_BUF_HTTP_RESPONSE_BODY, false, 'Q' },
	{ "http_server_body", VP_BUF_HTTP_RESPONSE_BODY, true, 0 },
	{ "http.server", VP_BUF_HTTP_SERVER, false, 0 },
	{ "http.location", VP_BUF_HTTP_LOCATION, false, 0 },
	{ "http.header", VP_BUF_HTTP_HEADER, false, 'H' },
	{ "http_header", VP_BUF_HTTP_HEADER, true, 0 },
	{ "http.header.raw", VP_BUF_HTTP_HEADER_RAW, false, 'D' },
	{ "http_raw_header", VP_BUF_HTTP_HEADER_RAW, true, 0 },
	{ "http.header_names", VP_BUF_HTTP_HEADER_NAMES, false, 0 },
	{ "http.start", VP_BUF_HTTP_START, false, 0 },
	{ "file.data", VP_BUF_FILE_DATA, false, 0 },
	{ "file_data", VP_BUF_FILE_DATA, false, 0 },
};

/* Each buffer keyword inspects its buffer and nothing else. */
START_TEST(test_buffers)
{
	const struct buf_case *tc = &buf_cases[_i];
	char r1[160], r2[160];
	const char *rules[2] = { r1, r2 };
	struct bspec in_buf[3] = { { tc->buf, "--zz--" }, { VP_BUF_PACKET, "pp" },
				   { 0, NULL } };
	struct bspec in_pkt[2] = { { VP_BUF_PACKET, "--zz--" }, { 0, NULL } };

	if (tc->legacy)
		snprintf(r1, sizeof(r1), HH "(content:\"zz\"; %s; sid:1;)", tc->kw);
	else
		snprintf(r1, sizeof(r1), HH "(%s; content:\"zz\"; sid:1;)", tc->kw);
	if (tc->pcre_flag)
		snprintf(r2, sizeof(r2), HH "(pcre:\"/z{2}/%c\"; sid:2;)", tc->pcre_flag);
	run_case(rules, tc->pcre_flag ? 2 : 1, in_buf, 6, FL_TS, tc->pcre_flag ? "1,2" : "1",
		 _i);
	run_case(rules, tc->pcre_flag ? 2 : 1, in_pkt, 6, FL_TS, "", _i);
}
END_TEST

static const struct multi_case {
	const char *rules[3];
	struct bspec b[5];
	uint8_t proto;
	uint32_t flags;
	const char *want;
} multi_cases[] = {
	/* pkt_data returns to the payload; two buffers must both match */
	{ { HH "(http.uri; content:\"a\"; pkt_data; content:\"b\"; sid:1;)" },
	  { { VP_BUF_HTTP_URI, "a" }, { VP_BUF_PACKET, "b" } }, 6, 0, "1" },
	{ { HH "(http.uri; content:\"a\"; pkt_data; content:\"b\"; sid:1;)" },
	  { { VP_BUF_HTTP_URI, "a" }, { VP_BUF_PACKET, "c" } }, 6, 0, "" },
	{ { HH "(http.method; content:\"POST\"; http.uri; content:\"/x\"; startswith; sid:1;)" },
	  { { VP_BUF_HTTP_METHOD, "POST" }, { VP_BUF_HTTP_URI, "/x?y" } }, 6, 0, "1" },
	{ { HH "(http.method; content:\"POST\"; http.uri; content:\"/x\"; startswith; sid:1;)" },
	  { { VP_BUF_HTTP_URI, "/x?y" } }, 6, 0, "" },
	/* relative keywords after a legacy modifier go with the moved content */
	{ { HH "(content:\"/a\"; http_uri; isdataat:!1,relative; sid:1;)" },
	  { { VP_BUF_HTTP_URI, "/a" }, { VP_BUF_PACKET, "/ab" } }, 6, 0, "1" },
	{ { HH "(content:\"/a\"; http_uri; content:\"b\"; http_uri; distance:0; sid:1;)" },
	  { { VP_BUF_HTTP_URI, "/ab" } }, 6, 0, "1" },
	{ { HH "(uricontent:\"/cgi\"; sid:1;)" }, { { VP_BUF_HTTP_URI, "/cgi-bin" } }, 6, 0, "1" },
	/* bsize, urilen (exclusive ranges) */
	{ { HH "(http.uri; content:\"/a\"; bsize:2; sid:1;)", HH "(http.uri; bsize:<2; sid:2;)",
	    HH "(http.uri; bsize:1<>3; sid:3;)" }, { { VP_BUF_HTTP_URI, "/a" } }, 6, 0, "1,3" },
	{ { HH "(http.uri; content:\"/a\"; bsize:2; sid:1;)" }, { { VP_BUF_HTTP_URI, "/ab" } }, 6,
	  0, "" },
	{ { HH "(urilen:2; sid:1;)", HH "(urilen:>5,raw; sid:2;)", HH "(urilen:2,norm; sid:3;)" },
	  { { VP_BUF_HTTP_URI, "/a" }, { VP_BUF_HTTP_URI_RAW, "/%61%62" } }, 6, 0, "1,2,3" },
	{ { HH "(http.header; content:\"X\"; bsize:0; sid:1;)",
	    HH "(http.cookie; bsize:0; sid:2;)" },
	  { { VP_BUF_HTTP_COOKIE, "" } }, 6, 0, "2" },
	/* file.data with the Q / P pcre flags stays on file.data */
	{ { HH "(file_data; content:\"<title>\"; pcre:\"/^x/QR\"; sid:1;)" },
	  { { VP_BUF_FILE_DATA, "<title>x" } }, 6, FL_TC, "1" },
	/* payload rules read the stream on TCP when given one */
	{ { H "(content:\"abc\"; sid:1;)", "alert tcp-pkt any any -> any any (content:\"abc\"; "
	    "sid:2;)", "alert tcp-stream any any -> any any (content:\"abc\"; sid:3;)" },
	  { { VP_BUF_PACKET, "abc" }, { VP_BUF_STREAM, "xabc" } }, 6, 0, "1,2,3" },
	{ { H "(content:\"abc\"; sid:1;)", "alert tcp-pkt any any -> any any (content:\"abc\"; "
	    "sid:2;)", "alert tcp-stream any any -> any any (content:\"abc\"; sid:3;)" },
	  { { VP_BUF_PACKET, "abc" }, { VP_BUF_STREAM, "xyz" } }, 6, 0, "2" },
	{ { H "(content:\"abc\"; sid:1;)", "alert tcp-stream any any -> any any (content:\"abc\"; "
	    "sid:3;)" }, { { VP_BUF_PACKET, "abc" } }, 6, 0, "1" },
	{ { H "(flow:only_stream; content:\"abc\"; sid:1;)",
	    H "(flow:no_stream; content:\"abc\"; sid:2;)", H "(dsize:3; content:\"abc\"; sid:3;)" },
	  { { VP_BUF_PACKET, "abc" }, { VP_BUF_STREAM, "zz" } }, 6, 0, "2,3" },
	{ { "alert udp any any -> any any (content:\"abc\"; sid:1;)" },
	  { { VP_BUF_PACKET, "abc" } }, 17, 0, "1" },
	/* an ip rule with ports: TCP and UDP only */
	{ { "pass ip any any -> any [4433,80] (sid:1;)", H "(sid:2;)",
	    "alert ip any any -> any 81 (sid:3;)" }, { { VP_BUF_PACKET, "x" } }, 6, 0, "" },
	{ { "alert ip any any -> any [4433,80] (sid:1;)", "alert ip any any -> any 81 (sid:2;)" },
	  { { VP_BUF_PACKET, "x" } }, 17, 0, "1" },
	{ { "alert ip any any -> any [4433,80] (sid:1;)", "alert ip any any -> any any (sid:2;)" },
	  { { VP_BUF_PACKET, "x" } }, 1, 0, "2" },
};

START_TEST(test_multi)
{
	const struct multi_case *tc = &multi_cases[_i];

	run_case(tc->rules, 3, tc->b, tc->proto, tc->flags, tc->want, _i);
}
END_TEST

/* ---- header keywords ---- */

struct hdr_pkt {
	uint8_t proto, ttl, flags, itype, icode;
	bool same;
};

static const struct hdr_case {
	const char *rule;
	struct hdr_pkt p;
	bool match;
} hdr_cases[] = {
	{ H "(flags:S; sid:1;)", { 6, 64, VP_TCP_SYN, 0, 0, false }, true },
	{ H "(flags:S; sid:1;)", { 6, 64, VP_TCP_SYN | VP_TCP_ACK, 0, 0, false }, false },
	{ H "(flags:S,12; sid:1;)", { 6, 64, VP_TCP_SYN | VP_TCP_ECE | VP_TCP_CWR, 0, 0, false },
	  true },
	{ H "(flags:S,CE; sid:1;)", { 6, 64, VP_TCP_SYN | VP_TCP_ECE, 0, 0, false }, true },
	{ H "(flags:+S; sid:1;)", { 6, 64, VP_TCP_SYN | VP_TCP_ACK, 0, 0, false }, true },
	{ H "(flags:SA+; sid:1;)", { 6, 64, VP_TCP_SYN, 0, 0, false }, false },
	{ H "(flags:*SA; sid:1;)", { 6, 64, VP_TCP_ACK, 0, 0, false }, true },
	{ H "(flags:*SR; sid:1;)", { 6, 64, VP_TCP_ACK, 0, 0, false }, false },
	{ H "(flags:!S; sid:1;)", { 6, 64, VP_TCP_ACK, 0, 0, false }, true },
	{ H "(flags:!S; sid:1;)", { 6, 64, VP_TCP_SYN, 0, 0, false }, false },
	{ H "(flags:0; sid:1;)", { 6, 64, 0, 0, 0, false }, true },
	{ H "(flags:PA; sid:1;)", { 6, 64, VP_TCP_PSH | VP_TCP_ACK, 0, 0, false }, true },
	{ "alert ip any any -> any any (flags:S; sid:1;)", { 17, 64, VP_TCP_SYN, 0, 0, false },
	  false },
	{ H "(ttl:<10; sid:1;)", { 6, 5, 0, 0, 0, false }, true },
	{ H "(ttl:10-20; sid:1;)", { 6, 15, 0, 0, 0, false }, true },
	{ H "(ttl:10-20; sid:1;)", { 6, 10, 0, 0, 0, false }, false },
	{ H "(ttl:!64; sid:1;)", { 6, 64, 0, 0, 0, false }, false },
	{ H "(ttl:>=64; sid:1;)", { 6, 64, 0, 0, 0, false }, true },
	{ "alert icmp any any -> any any (itype:8; icode:0; sid:1;)", { 1, 64, 0, 8, 0, false },
	  true },
	{ "alert icmp any any -> any any (itype:>8; sid:1;)", { 1, 64, 0, 8, 0, false }, false },
	{ "alert icmp any any -> any any (itype:3; icode:1<>4; sid:1;)", { 1, 64, 0, 3, 2, false },
	  true },
	{ "alert icmp any any -> any any (icode:!0; sid:1;)", { 58, 64, 0, 128, 0, false },
	  false },
	{ "alert ip any any -> any any (itype:8; sid:1;)", { 6, 64, 0, 8, 0, false }, false },
	{ "alert ip any any -> any any (ip_proto:6; sid:1;)", { 6, 64, 0, 0, 0, false }, true },
	{ "alert ip any any -> any any (ip_proto:!6; sid:1;)", { 6, 64, 0, 0, 0, false }, false },
	{ "alert ip any any -> any any (ip_proto:TCP; sid:1;)", { 6, 64, 0, 0, 0, false }, true },
	{ "alert ip any any -> any any (ip_proto:<10; sid:1;)", { 6, 64, 0, 0, 0, false }, true },
	{ "alert ip any any -> any any (ip_proto:>10; sid:1;)", { 6, 64, 0, 0, 0, false }, false },
	{ "alert ip any any -> any any (ip_proto:gre; sid:1;)", { 47, 64, 0, 0, 0, false }, true },
	{ "alert ip any any -> any any (sameip; sid:1;)", { 6, 64, 0, 0, 0, true }, true },
	{ "alert ip any any -> any any (sameip; sid:1;)", { 6, 64, 0, 0, 0, false }, false },
};

START_TEST(test_header)
{
	const struct hdr_case *tc = &hdr_cases[_i];
	struct vp_sig_set *set = make_set(&tc->rule, 1);
	struct vp_sig_thread *th = vp_sig_thread_new(set);
	struct vp_packet p;
	unsigned n;

	ck_assert_ptr_nonnull(th);
	make_packet(&p, tc->p.proto, FL_TS);
	p.ttl = tc->p.ttl;
	p.tcp_flags = tc->p.flags;
	p.icmp_type = tc->p.itype;
	p.icmp_code = tc->p.icode;
	if (tc->p.same)
		p.dst = p.src;
	n = vp_sig_match_packet(set, th, &p, NULL, NULL);
	ck_assert_msg(n == (tc->match ? 1u : 0u), "case %d: %s", _i, tc->rule);
	vp_sig_thread_free(th);
	vp_sig_set_free(set);
}
END_TEST

/* ---- presence, freshness, stream ---- */

START_TEST(test_freshness)
{
	static const char *const rules[] = {
		HH "(http.uri; content:\"/a\"; http.user_agent; content:\"curl\"; sid:1;)",
		H "(flow:to_server; sid:2;)",
		HH "(flow:to_server; sid:3;)",
	};
	struct vp_sig_set *set = make_set(rules, 3);
	struct vp_sig_thread *th = vp_sig_thread_new(set);
	struct bspec b[] = { { VP_BUF_HTTP_URI, "/a" }, { VP_BUF_HTTP_USER_AGENT, "curl/8" },
			     { VP_BUF_PACKET, "GET" }, { VP_BUF_HTTP_REQUEST_LINE, "GET /a" },
			     { 0, NULL } };
	struct hits h = { .th = th };
	struct vp_sig_input in;
	struct vp_packet p;

	make_packet(&p, 6, FL_TS);
	make_input(&in, &p, b);
	vp_sig_match(set, th, &in, collect_hit, &h);
	ck_assert_str_eq(h.buf, "1,2,3");
	/* only the user agent is new: rule 1 again, no header-only rule */
	in.fresh = BIT(VP_BUF_HTTP_USER_AGENT);
	memset(&h, 0, sizeof(h));
	vp_sig_match(set, th, &in, collect_hit, &h);
	ck_assert_str_eq(h.buf, "1");
	/* nothing new */
	in.fresh = 0;
	ck_assert_uint_eq(vp_sig_match(set, th, &in, NULL, NULL), 0);
	/* the packet only: rule 2 */
	in.fresh = BIT(VP_BUF_PACKET);
	memset(&h, 0, sizeof(h));
	vp_sig_match(set, th, &in, collect_hit, &h);
	ck_assert_str_eq(h.buf, "2");
	/* the user agent missing: rule 1 cannot match */
	in.present &= ~BIT(VP_BUF_HTTP_USER_AGENT);
	in.fresh = in.present;
	memset(&h, 0, sizeof(h));
	vp_sig_match(set, th, &in, collect_hit, &h);
	ck_assert_str_eq(h.buf, "2,3");
	vp_sig_thread_free(th);
	vp_sig_set_free(set);
}
END_TEST

static const struct stream_case {
	const char *rule;
	const char *stream;
	size_t new_off;
	bool match;
} stream_cases[] = {
	{ H "(content:\"abc\"; sid:1;)", "abcXYZ", 3, false },
	{ H "(content:\"XYZ\"; sid:1;)", "abcXYZ", 3, true },
	{ H "(content:\"cX\"; sid:1;)", "abcXYZ", 3, true },
	{ H "(content:\"abc\"; sid:1;)", "abcabc", 3, true },
	{ H "(content:\"abc\"; sid:1;)", "abcabc", 0, true },
	{ H "(content:\"a\"; content:\"c\"; distance:0; sid:1;)", "axxcxxxac", 7, true },
	{ H "(content:\"a\"; content:\"c\"; distance:0; sid:1;)", "axxcxxxa", 7, false },
	{ H "(pcre:\"/a.c/\"; sid:1;)", "abcabc", 3, true },
	{ H "(pcre:\"/a.c/\"; sid:1;)", "abcxyz", 3, false },
	{ H "(content:!\"zzz\"; sid:1;)", "abc", 3, false },
	{ H "(content:!\"zzz\"; sid:1;)", "abc", 2, true },
	{ H "(content:!\"abc\"; sid:1;)", "abcd", 2, false },
};

START_TEST(test_stream)
{
	const struct stream_case *tc = &stream_cases[_i];
	struct vp_sig_set *set = make_set(&tc->rule, 1);
	struct vp_sig_thread *th = vp_sig_thread_new(set);
	struct bspec b[] = { { VP_BUF_STREAM, tc->stream }, { VP_BUF_PACKET, "p" },
			     { 0, NULL } };
	struct vp_sig_input in;
	struct vp_packet p;
	unsigned n;

	make_packet(&p, 6, FL_TS);
	make_input(&in, &p, b);
	in.stream_new_off = tc->new_off;
	n = vp_sig_match(set, th, &in, NULL, NULL);
	ck_assert_msg(n == (tc->match ? 1u : 0u), "case %d", _i);
	vp_sig_thread_free(th);
	vp_sig_set_free(set);
}
END_TEST

/* ---- flowbits, noalert, action order ---- */

START_TEST(test_flowbits)
{
	static const char *const rules[] = {
		/* loaded first, evaluated after the rules that set the bit */
		H "(flowbits:isset,login; content:\"cmd\"; sid:1;)",
		H "(content:\"user\"; flowbits:set,login; flowbits:noalert; sid:2;)",
		H "(flowbits:isnotset,login; content:\"cmd\"; sid:3;)",
		H "(content:\"logout\"; flowbits:unset,login; sid:4;)",
		H "(content:\"flip\"; flowbits:toggle,other; noalert; sid:5;)",
		H "(flowbits:isset,nope|other; content:\"flip\"; sid:6;)",
	};
	struct vp_sig_set *set = make_set(rules, N(rules));
	struct vp_sig_thread *th = vp_sig_thread_new(set);
	uint8_t bits[4] = { 0 };
	struct hits h = { .th = th };
	struct vp_sig_input in;
	struct vp_packet p;
	struct bspec b[] = { { VP_BUF_PACKET, "user cmd" }, { 0, NULL } };

	ck_assert_uint_eq(vp_sig_set_flowbits_bytes(set), 1);
	make_packet(&p, 6, FL_TS);
	make_input(&in, &p, b);
	in.flowbits = bits;
	vp_sig_match(set, th, &in, collect_hit, &h);
	ck_assert_str_eq(h.buf, "1");
	/* the bit stays on the flow */
	b[0].data = "cmd";
	make_input(&in, &p, b);
	in.flowbits = bits;
	memset(&h, 0, sizeof(h));
	vp_sig_match(set, th, &in, collect_hit, &h);
	ck_assert_str_eq(h.buf, "1");
	b[0].data = "logout cmd";
	make_input(&in, &p, b);
	in.flowbits = bits;
	memset(&h, 0, sizeof(h));
	vp_sig_match(set, th, &in, collect_hit, &h);
	ck_assert_str_eq(h.buf, "4,3");	/* setters first: login is already unset */
	memset(&h, 0, sizeof(h));
	b[0].data = "cmd flip";
	make_input(&in, &p, b);
	in.flowbits = bits;
	vp_sig_match(set, th, &in, collect_hit, &h);
	ck_assert_str_eq(h.buf, "3,6");
	/* without storage: isset never, isnotset always, set ignored */
	in.flowbits = NULL;
	memset(&h, 0, sizeof(h));
	b[0].data = "user cmd";
	make_input(&in, &p, b);
	vp_sig_match(set, th, &in, collect_hit, &h);
	ck_assert_str_eq(h.buf, "3");
	vp_sig_thread_free(th);
	vp_sig_set_free(set);
}
END_TEST

START_TEST(test_flowbits_bytes)
{
	char rules_buf[9][96];
	const char *rules[9];
	struct vp_sig_set *set;
	int i;

	for (i = 0; i < 9; i++) {
		snprintf(rules_buf[i], sizeof(rules_buf[i]), H "(flowbits:set,b%d; sid:%d;)", i,
			 i + 1);
		rules[i] = rules_buf[i];
	}
	set = make_set(rules, 8);
	ck_assert_uint_eq(vp_sig_set_flowbits_bytes(set), 1);
	vp_sig_set_free(set);
	set = make_set(rules, 9);
	ck_assert_uint_eq(vp_sig_set_flowbits_bytes(set), 2);
	vp_sig_set_free(set);
	set = make_set(rules, 0);
	ck_assert_uint_eq(vp_sig_set_flowbits_bytes(set), 0);
	vp_sig_set_free(set);
}
END_TEST

START_TEST(test_noalert)
{
	static const char *const rules[] = {
		H "(content:\"x\"; noalert; sid:1;)",
		"drop tcp any any -> any any (content:\"x\"; noalert; sid:2;)",
		"reject tcp any any -> any any (content:\"x\"; flowbits:noalert; sid:3;)",
		H "(content:\"x\"; sid:4;)",
	};
	struct vp_sig_set *set = make_set(rules, N(rules));
	struct vp_sig_thread *th = vp_sig_thread_new(set);
	struct hits h = { .th = th };
	struct vp_sig_thread_stats st;
	struct vp_packet p;

	make_packet(&p, 6, FL_TS);
	p.payload.ptr = (const uint8_t *)"x";
	p.payload.len = 1;
	ck_assert_uint_eq(vp_sig_match_packet(set, th, &p, collect_hit, &h), 3);
	ck_assert_str_eq(h.buf, "2s,3s,4");
	ck_assert(!vp_sig_thread_alert_suppressed(th));
	vp_sig_thread_stats(th, &st);
	ck_assert_uint_eq(st.matches, 4);
	ck_assert_uint_eq(st.reported, 3);
	ck_assert_uint_eq(st.alerts_suppressed, 2);
	vp_sig_thread_free(th);
	vp_sig_set_free(set);
}
END_TEST

/* ---- thresholds over time ---- */

struct thr_step {
	time_t t;
	const char *src;	/* NULL: the previous step's source */
};

#define T(t) { t, NULL }

static const struct thr_case {
	const char *rule;
	struct thr_step steps[8];
	const char *want;	/* per step: 'a' alert, 's' action only, '-' nothing */
} thr_cases[] = {
	{ H "(threshold:type limit, track by_src, count 2, seconds 10; sid:1;)",
	  { T(0), T(1), T(2), T(9), T(11), T(12), T(13) }, "aa--aa-" },
	{ "drop tcp any any -> any any (threshold:type limit,track by_src,count 1,seconds 10; "
	  "sid:1;)", { T(0), T(1), T(11) }, "asa" },
	{ H "(threshold:type threshold, track by_src, count 3, seconds 10; sid:1;)",
	  { T(0), T(1), T(2), T(3), T(4), T(5), T(20) }, "--a--a-" },
	{ H "(threshold:type both, track by_dst, count 2, seconds 10; sid:1;)",
	  { T(0), T(1), T(2), T(3), T(11), T(12) }, "-a---a" },
	{ "drop tcp any any -> any any (threshold:type both,track by_src,count 2,seconds 10; "
	  "sid:1;)", { T(0), T(1), T(2) }, "-as" },
	{ H "(detection_filter:track by_src, count 2, seconds 10; sid:1;)",
	  { T(0), T(1), T(2), T(3), T(11), T(12), T(13) }, "--aa--a" },
	/* by_src: each source counts alone; by_rule: all together */
	{ H "(threshold:type limit, track by_src, count 1, seconds 10; sid:1;)",
	  { { 0, "192.0.2.1" }, { 1, "192.0.2.2" }, { 2, "192.0.2.1" }, { 3, "192.0.2.3" } },
	  "aa-a" },
	{ H "(threshold:type limit, track by_rule, count 1, seconds 10; sid:1;)",
	  { { 0, "192.0.2.1" }, { 1, "192.0.2.2" } }, "a-" },
	{ H "(threshold:type limit, track by_both, count 1, seconds 10; sid:1;)",
	  { { 0, "192.0.2.1" }, { 1, "192.0.2.2" }, { 2, "192.0.2.1" } }, "aa-" },
};

START_TEST(test_threshold)
{
	const struct thr_case *tc = &thr_cases[_i];
	struct vp_sig_set *set = make_set(&tc->rule, 1);
	struct vp_sig_thread *th = vp_sig_thread_new(set);
	char got[16] = "";
	struct hits h = { .th = th };
	struct vp_packet p;
	size_t i;

	make_packet(&p, 6, FL_TS);
	for (i = 0; i < strlen(tc->want); i++) {
		if (tc->steps[i].src)
			inet_pton(AF_INET, tc->steps[i].src, p.src.a);
		p.ts.tv_sec = 1700000000 + tc->steps[i].t;
		memset(&h, 0, sizeof(h));
		h.th = th;
		vp_sig_match_packet(set, th, &p, collect_hit, &h);
		got[i] = h.n == 0 ? '-' : h.suppressed ? 's' : 'a';
	}
	ck_assert_msg(strcmp(got, tc->want) == 0, "case %d: got %s want %s", _i, got, tc->want);
	vp_sig_thread_free(th);
	vp_sig_set_free(set);
}
END_TEST

/* A full table evicts (counted) and keeps working. */
START_TEST(test_threshold_full)
{
	static const char *const rules[] = {
		H "(threshold:type limit, track by_src, count 1, seconds 100; sid:1;)",
	};
	struct vp_sig_set *set = make_set(rules, 1);
	struct vp_sig_thread *th;
	struct vp_sig_thread_stats st;
	struct vp_packet p;
	unsigned i, alerts = 0;

	ck_assert_int_eq(vp_sig_set_threshold_entries(set, 0), -EINVAL);
	ck_assert_int_eq(vp_sig_set_threshold_entries(set, 64), 0);
	th = vp_sig_thread_new(set);
	ck_assert_ptr_nonnull(th);
	make_packet(&p, 6, FL_TS);
	for (i = 0; i < 1000; i++) {
		p.src.a[2] = (uint8_t)(i >> 8);
		p.src.a[3] = (uint8_t)i;
		p.ts.tv_sec = 1700000000;
		alerts += vp_sig_match_packet(set, th, &p, NULL, NULL);
	}
	ck_assert_uint_eq(alerts, 1000);	/* every source is new */
	vp_sig_thread_stats(th, &st);
	ck_assert_uint_gt(st.threshold_evictions, 800);
	vp_sig_thread_free(th);
	vp_sig_set_free(set);
}
END_TEST

/* ---- statistics, limits ---- */

START_TEST(test_rule_stats)
{
	static const char *const rules[] = {
		H "(content:\"abc\"; sid:1;)",
		H "(content:\"abc\"; content:\"zzz\"; sid:2;)",
		"alert udp any any -> any any (content:\"abc\"; sid:3;)",
		H "(content:\"nothere\"; sid:4;)",
	};
	struct vp_sig_set *set = make_set(rules, N(rules));
	struct vp_sig_thread *th = vp_sig_thread_new(set);
	struct vp_sig_rule_stats rs;
	struct vp_sig_thread_stats st;
	struct vp_packet p;
	int i;

	make_packet(&p, 6, FL_TS);
	p.payload.ptr = (const uint8_t *)"xxabcxx";
	p.payload.len = 7;
	for (i = 0; i < 3; i++)
		ck_assert_uint_eq(vp_sig_match_packet(set, th, &p, NULL, NULL), 1);
	vp_sig_thread_rule_stats(th, 0, &rs);
	ck_assert_uint_eq(rs.checks, 3);
	ck_assert_uint_eq(rs.matches, 3);
	vp_sig_thread_rule_stats(th, 1, &rs);
	ck_assert_uint_eq(rs.checks, 3);
	ck_assert_uint_eq(rs.matches, 0);
	vp_sig_thread_rule_stats(th, 2, &rs);	/* UDP rule: never a candidate on TCP */
	ck_assert_uint_eq(rs.checks, 0);
	vp_sig_thread_rule_stats(th, 3, &rs);	/* its fast pattern is absent */
	ck_assert_uint_eq(rs.checks, 0);
	vp_sig_thread_rule_stats(th, 99, &rs);
	ck_assert_uint_eq(rs.checks, 0);
	vp_sig_thread_stats(th, &st);
	ck_assert_uint_eq(st.calls, 3);
	ck_assert_uint_eq(st.checks, 6);
	ck_assert_uint_eq(st.matches, 3);
	ck_assert_uint_eq(st.reported, 3);
	vp_sig_thread_free(th);
	vp_sig_set_free(set);
}
END_TEST

START_TEST(test_pcre_limit_setter)
{
	static const char *const rules[] = { H "(pcre:\"/(a|aa)+c/\"; sid:1;)" };
	struct vp_sig_set *set = make_set(rules, 1);
	struct vp_sig_thread_stats st;
	struct vp_sig_thread *th;
	struct vp_packet p;
	char payload[64];

	memset(payload, 'a', sizeof(payload) - 3);
	payload[sizeof(payload) - 3] = 'b';	/* 'c' is there, but no match: backtracking */
	payload[sizeof(payload) - 2] = 'c';
	payload[sizeof(payload) - 1] = '\0';
	ck_assert_int_eq(vp_sig_set_pcre_limits(set, 10, 10, 0), 0);
	ck_assert_int_eq(vp_sig_set_pcre_limits(NULL, 10, 10, 0), -EINVAL);
	th = vp_sig_thread_new(set);
	make_packet(&p, 6, FL_TS);
	p.payload.ptr = (const uint8_t *)payload;
	p.payload.len = strlen(payload);
	ck_assert_uint_eq(vp_sig_match_packet(set, th, &p, NULL, NULL), 0);
	vp_sig_thread_stats(th, &st);
	ck_assert_uint_ge(st.pcre_errors, 1);
	vp_sig_thread_free(th);
	vp_sig_set_free(set);
}
END_TEST

/* ---- classification.config ---- */

START_TEST(test_classification)
{
	char path[] = "/tmp/test_sig_class.XXXXXX";
	const char text[] = "# comment\n\nconfig classification: web-application-attack,"
			    "Web Attack Custom,2\nconfig classification: my-class, Mine ,7\n"
			    "config classification: broken\nconfig classification: x,y,0\n"
			    "config classification: my-class,Again,1\nnonsense line\n";
	struct vp_sig_set *set = vp_sig_set_new(NULL);
	struct errs e = { 0 };
	const struct vp_sig *sig;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	ck_assert_int_eq(vp_sig_set_load_classification(set, "/nonexistent/c.config",
							 collect_err, &e), -ENOENT);
	e.n = 0;
	ck_assert_int_eq(vp_sig_set_load_classification(set, path, collect_err, &e), 4);
	ck_assert_str_eq(e.msg, "expected 'config classification: name,description,priority'");
	ck_assert_int_eq(vp_sig_set_add(set, H "(classtype:my-class; sid:1;)", "t", 1, NULL,
					NULL), 0);
	ck_assert_int_eq(vp_sig_set_add(set, H "(classtype:web-application-attack; sid:2;)", "t",
					2, NULL, NULL), 0);
	e.n = 0;
	ck_assert_int_eq(vp_sig_set_add(set, H "(classtype:trojan-activity; sid:3;)", "t", 3,
					collect_err, &e), -EINVAL);
	ck_assert_str_eq(e.msg, "unknown classtype 'trojan-activity'");
	sig = vp_sig_set_get(set, 0);
	ck_assert_str_eq(sig->category, "Mine");
	ck_assert_int_eq(sig->priority, 7);
	sig = vp_sig_set_get(set, 1);
	ck_assert_str_eq(sig->category, "Web Attack Custom");
	ck_assert_int_eq(sig->priority, 2);
	unlink(path);
	vp_sig_set_free(set);
}
END_TEST

/* ---- action order with pass, and stopping ---- */

START_TEST(test_order)
{
	static const char *const rules[] = {
		H "(content:\"x\"; priority:1; sid:1;)",
		"drop tcp any any -> any any (content:\"x\"; priority:3; sid:2;)",
		H "(content:\"x\"; flowbits:set,f; priority:4; sid:3;)",
		"pass tcp any any -> any any (content:\"y\"; sid:4;)",
	};
	struct vp_sig_set *set = make_set(rules, N(rules));
	struct vp_sig_thread *th = vp_sig_thread_new(set);
	struct hits h = { .th = th };
	struct vp_packet p;

	make_packet(&p, 6, FL_TS);
	p.payload.ptr = (const uint8_t *)"x";
	p.payload.len = 1;
	vp_sig_match_packet(set, th, &p, collect_hit, &h);
	ck_assert_str_eq(h.buf, "2,3,1");	/* drop first; flowbits setters before priority */
	p.payload.ptr = (const uint8_t *)"xy";
	p.payload.len = 2;
	ck_assert_uint_eq(vp_sig_match_packet(set, th, &p, NULL, NULL), 0);
	vp_sig_thread_free(th);
	vp_sig_set_free(set);
}
END_TEST

static Suite *match_suite(void)
{
	Suite *s = suite_create("sig_match");
	TCase *tc = tcase_create("keywords");

	tcase_add_loop_test(tc, test_payload, 0, N(pl_cases));
	tcase_add_loop_test(tc, test_buffers, 0, N(buf_cases));
	tcase_add_loop_test(tc, test_multi, 0, N(multi_cases));
	tcase_add_loop_test(tc, test_header, 0, N(hdr_cases));
	suite_add_tcase(s, tc);
	tc = tcase_create("state");
	tcase_add_test(tc, test_freshness);
	tcase_add_loop_test(tc, test_stream, 0, N(stream_cases));
	tcase_add_test(tc, test_flowbits);
	tcase_add_test(tc, test_flowbits_bytes);
	tcase_add_test(tc, test_noalert);
	tcase_add_loop_test(tc, test_threshold, 0, N(thr_cases));
	tcase_add_test(tc, test_threshold_full);
	tcase_add_test(tc, test_order);
	suite_add_tcase(s, tc);
	tc = tcase_create("misc");
	tcase_add_test(tc, test_rule_stats);
	tcase_add_test(tc, test_pcre_limit_setter);
	tcase_add_test(tc, test_classification);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(match_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
