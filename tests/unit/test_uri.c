/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of normalize/uri.c: table-driven cases (canonical form, exact anomaly set, slash
 * count), component split and host, every output size against a canary, a differential test of
 * dot-segment removal against a naive RFC 3986 5.2.4 implementation, and 1 MB hostile inputs.
 */
#include "vp_build.h"

#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normalize/uri.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define BE VP_URI_BAD_ESCAPE
#define UE VP_URI_U_ENCODING
#define DE VP_URI_DOUBLE_ENCODING
#define OL VP_URI_OVERLONG_UTF8
#define IU VP_URI_INVALID_UTF8
#define BS VP_URI_BACKSLASH
#define NUL VP_URI_NUL
#define DS VP_URI_DUP_SLASH
#define DOT VP_URI_DOT_SEGMENT
#define AR (VP_URI_ABOVE_ROOT | VP_URI_DOT_SEGMENT)
#define BC VP_URI_BAD_CHAR
#define AF VP_URI_ABSOLUTE_FORM
#define FR VP_URI_FRAGMENT
#define RP VP_URI_RELATIVE_PATH

struct ucase {
	const char *in;
	size_t in_len;
	const char *want;
	size_t want_len;
	uint32_t anom;
	unsigned slashes;
};

/* String literals may hold NUL bytes: their length is sizeof - 1. */
#define C(i, w, a, s) { i, sizeof(i) - 1, w, sizeof(w) - 1, a, s }

static const struct ucase cases[] = {
	/* plain */
	C("/", "/", 0, 1),
	C("/index.html", "/index.html", 0, 1),
	C("/a/b/c.php", "/a/b/c.php", 0, 3),
	C("/a[b]@!$&'()*+,;=:~_-.", "/a[b]@!$&'()*+,;=:~_-.", 0, 1),
	/* the issue's examples */
	C("/a/./b", "/a/b", DOT, 3),
	C("/%2e%2e/%2E%2e/x", "/x", AR, 3),
	C("//a///b", "/a/b", DS, 5),
	/* RFC 3986 5.4 results, as paths (base /b/c/d;p) */
	C("/a/b/c/./../../g", "/a/g", DOT, 7),
	C("/b/c/.", "/b/c/", DOT, 3),
	C("/b/c/./", "/b/c/", DOT, 4),
	C("/b/c/..", "/b/", DOT, 3),
	C("/b/c/../", "/b/", DOT, 4),
	C("/b/c/../g", "/b/g", DOT, 4),
	C("/b/c/../..", "/", DOT, 4),
	C("/b/c/../../", "/", DOT, 5),
	C("/b/c/../../g", "/g", DOT, 5),
	C("/b/c/../../../g", "/g", AR, 6),
	C("/b/c/../../../../g", "/g", AR, 7),
	C("/./g", "/g", DOT, 2),
	C("/../g", "/g", AR, 2),
	C("/b/c/g.", "/b/c/g.", 0, 3),
	C("/b/c/.g", "/b/c/.g", 0, 3),
	C("/b/c/g..", "/b/c/g..", 0, 3),
	C("/b/c/..g", "/b/c/..g", 0, 3),
	C("/b/c/./../g", "/b/g", DOT, 5),
	C("/b/c/./g/.", "/b/c/g/", DOT, 5),
	C("/b/c/g/./h", "/b/c/g/h", DOT, 5),
	C("/b/c/g/../h", "/b/c/h", DOT, 5),
	C("/b/c/g;x=1/./y", "/b/c/g;x=1/y", DOT, 5),
	C("/b/c/g;x=1/../y", "/b/c/y", DOT, 5),
	C("/mid/content=5/../6", "/mid/6", DOT, 4),
	C("/.", "/", DOT, 1),
	C("/..", "/", AR, 1),
	C("/...", "/...", 0, 1),
	C("/a/.../b", "/a/.../b", 0, 3),
	C("/a/.//b", "/a/b", DOT | DS, 4),
	C("/a/..//b", "/b", DOT | DS, 4),
	C("/a/b//..", "/a/", DOT | DS, 4),	/* collapsed first: "/a/b/.." */
	/* query and path are separate */
	C("/a/b?x=/../y", "/a/b?x=/../y", 0, 2),
	C("/a/../b?c/./d//e", "/b?c/./d//e", DOT, 3),
	C("/a?b?c", "/a?b?c", 0, 1),
	C("/a%3fb/../c", "/c", DOT, 3),
	C("/a+b?c+d", "/a+b?c d", 0, 1),
	C("/?%2b+", "/?+ ", 0, 1),
	C("/a?", "/a?", 0, 1),
	C("?a", "?a", 0, 0),
	/* %u */
	C("/%u0041", "/A", UE, 1),
	C("/%U0041", "/A", UE, 1),
	C("/%u00e9", "/\xc3\xa9", UE, 1),
	C("/%u2215", "/\xe2\x88\x95", UE, 1),
	C("/%u002e%u002e/x", "/x", UE | AR, 2),
	C("/a%u002Fb", "/a/b", UE, 2),
	C("/a%u005cb", "/a/b", UE | BS, 2),
	C("/%ud800", "/\xed\xa0\x80", UE | IU, 1),
	C("/%u0000", "/\0", UE | NUL, 1),
	C("/%u00", "/%u00", BE, 1),
	C("/%u004", "/%u004", BE, 1),
	C("/%uzzzz", "/%uzzzz", BE, 1),
	C("/?q=%u0041", "/?q=A", UE, 1),
	/* double encoding: decoded once, flagged */
	C("/%252e%252e/x", "/%2e%2e/x", DE, 2),
	C("/%25%32%65", "/%2e", DE, 1),
	C("/%%32%65", "/%2e", BE | DE, 1),
	C("/%2541", "/%41", DE, 1),
	C("/%25u002e", "/%u002e", DE, 1),
	C("/%252f", "/%2f", DE, 1),
	C("/%25", "/%", 0, 1),
	C("/%25zz", "/%zz", 0, 1),
	C("/100%25", "/100%", 0, 1),
	C("/%25%25", "/%%", 0, 1),
	C("/?a=%252e", "/?a=%2e", DE, 1),
	/* overlong UTF-8: the path gets the character, the query keeps the bytes */
	C("/%c0%ae%c0%ae/x", "/x", OL | AR, 2),
	C("/a%c0%afb", "/a/b", OL, 2),
	C("/a%c1%9cb", "/a/b", OL | BS, 2),
	C("/a/%e0%80%ae", "/a/", OL | DOT, 2),
	C("/a/%f0%80%80%ae%f0%80%80%ae", "/", OL | DOT, 2),
	C("/%c0%80", "/\0", OL | NUL, 1),
	C("/%c1%bf", "/\x7f", OL, 1),
	C("/%e0%82%a9", "/\xc2\xa9", OL, 1),
	C("/%c0%a5%32%65", "/%2e", OL | DE, 1),
	C("/?%c0%ae", "/?\xc0\xae", OL, 1),
	C("/%f0%8d%a0%80", "/\xed\xa0\x80", OL | IU, 1),
	/* invalid UTF-8: kept byte for byte */
	C("/%ff", "/\xff", IU, 1),
	C("/%80", "/\x80", IU, 1),
	C("/%c3", "/\xc3", IU, 1),
	C("/%c3/", "/\xc3/", IU, 2),
	C("/%c3%28", "/\xc3(", IU, 1),
	C("/%e2%82", "/\xe2\x82", IU, 1),
	C("/%ed%a0%80", "/\xed\xa0\x80", IU, 1),
	C("/%f4%90%80%80", "/\xf4\x90\x80\x80", IU, 1),
	C("/%f8%88%80%80%80", "/\xf8\x88\x80\x80\x80", IU, 1),
	C("/%c3%c3%a9", "/\xc3\xc3\xa9", IU, 1),
	C("/%c3%a9", "/\xc3\xa9", 0, 1),
	C("/%e2%82%ac", "/\xe2\x82\xac", 0, 1),
	C("/%f0%9f%98%80", "/\xf0\x9f\x98\x80", 0, 1),
	C("/\xc3\xa9", "/\xc3\xa9", BC, 1),
	C("/\xff", "/\xff", BC | IU, 1),
	C("/?\xc0\xae", "/?\xc0\xae", BC | OL, 1),
	/* backslash */
	C("/a\\b", "/a/b", BS | BC, 2),
	C("/a%5cb", "/a/b", BS, 2),
	C("/a%5Cb?c\\d", "/a/b?c\\d", BS | BC, 2),
	C("\\..\\..\\windows\\win.ini", "/windows/win.ini", BS | BC | AR, 4),
	C("/a%5c..%5c..%5cb", "/b", BS | AR, 4),
	/* NUL */
	C("/a\0b", "/a\0b", NUL | BC, 1),
	C("/a%00.php", "/a\0.php", NUL, 1),
	C("/?x=%00", "/?x=\0", NUL, 1),
	/* bad escapes */
	C("/%zz", "/%zz", BE, 1),
	C("/%4", "/%4", BE, 1),
	C("/%", "/%", BE, 1),
	C("/a%4g", "/a%4g", BE, 1),
	C("/%%41", "/%A", BE, 1),
	C("/?q=%", "/?q=%", BE, 1),
	C("/?q=%a", "/?q=%a", BE, 1),
	C("/%2", "/%2", BE, 1),
	/* characters not allowed in a URI */
	C("/a b", "/a b", BC, 1),
	C("/a\"b", "/a\"b", BC, 1),
	C("/<script>", "/<script>", BC, 1),
	C("/a^b", "/a^b", BC, 1),
	C("/a`b", "/a`b", BC, 1),
	C("/{x}", "/{x}", BC, 1),
	C("/a|b", "/a|b", BC, 1),
	C("/\x7f", "/\x7f", BC, 1),
	C("/\t", "/\t", BC, 1),
	C("/\r\n", "/\r\n", BC, 1),
	C("/?a b", "/?a b", BC, 1),
	C("/a%20b", "/a b", 0, 1),
	/* absolute form */
	C("http://example.com/a/../b?x", "/b?x", AF | DOT, 3),
	C("http://u:p@[::1]:8080", "/", AF, 0),
	C("HTTP://h:80?q+1", "/?q 1", AF, 0),
	C("https://h#f", "/#f", AF | FR, 0),
	C("http://h//x", "/x", AF | DS, 2),
	C("http://h/%2e%2e/etc/passwd", "/etc/passwd", AF | AR, 3),
	C("http:/x", "http:/x", RP, 1),
	C("1http://h/x", "1http:/h/x", RP | DS, 3),
	/* fragment: flagged, kept, decoded, not dot-normalised, '+' kept */
	C("/a#b", "/a#b", FR, 1),
	C("/a#b?c", "/a#b?c", FR, 1),
	C("/a?b#c+d%41", "/a?b#c+dA", FR, 1),
	C("/a/../b#../x", "/b#../x", DOT | FR, 3),
	C("#", "#", FR, 0),
	/* not starting with a separator */
	C("*", "*", RP, 0),
	C("example.com:443", "example.com:443", RP, 0),
	C("a/../b", "b", RP | DOT, 2),
	C("../../etc/passwd", "etc/passwd", RP | AR, 3),
	C("./a", "a", RP | DOT, 1),
	C("..", "", RP | AR, 0),
	/* many slashes */
	C("/a/b/c/d/e/f/g/h/i/j/k", "/a/b/c/d/e/f/g/h/i/j/k", 0, 11),
	C("/%2f%2F%5c\\/", "/", DS | BS | BC, 6),
};

START_TEST(test_cases)
{
	const struct ucase *c = &cases[_i];
	struct vp_uri_result res;
	uint8_t out[256];
	int ret;

	ret = vp_uri_normalize((const uint8_t *)c->in, c->in_len, out, sizeof(out), &res);
	ck_assert_msg(ret == 0, "case %d: ret %d", _i, ret);
	ck_assert_msg(res.len == c->want_len && !memcmp(out, c->want, c->want_len),
		      "case %d (%s): got \"%.*s\" (%zu bytes), want \"%s\"", _i, c->in,
		      (int)res.len, (const char *)out, res.len, c->want);
	ck_assert_msg(res.anomalies == c->anom, "case %d (%s): anomalies %#x, want %#x", _i, c->in,
		      res.anomalies, c->anom);
	ck_assert_msg(res.slashes == c->slashes, "case %d (%s): slashes %u, want %u", _i, c->in,
		      res.slashes, c->slashes);
	ck_assert_uint_le(res.path_len + res.query_len, res.len);
	/* the canonical form is never longer than the input */
	ck_assert_uint_le(res.len, c->in_len);
}
END_TEST

/* Where the components and the host are. */
static const struct {
	const char *in;
	const char *path, *query, *frag;	/* query with its '?', frag with its '#' */
	const char *host;			/* NULL: not absolute */
} split_cases[] = {
	{ "/a/b", "/a/b", "", "", NULL },
	{ "/a?b", "/a", "?b", "", NULL },
	{ "/a?", "/a", "?", "", NULL },
	{ "/a?b#c", "/a", "?b", "#c", NULL },
	{ "/a#c?d", "/a", "", "#c?d", NULL },
	{ "/a%3fb?c%23d", "/a?b", "?c#d", "", NULL },
	{ "?x", "", "?x", "", NULL },
	{ "http://example.com/a?b", "/a", "?b", "", "example.com" },
	{ "http://example.com:8080/a", "/a", "", "", "example.com" },
	{ "http://user:pw@example.com:8080/a", "/a", "", "", "example.com" },
	{ "http://a@b@c/", "/", "", "", "c" },
	{ "http://[2001:db8::1]:80/x", "/x", "", "", "[2001:db8::1]" },
	{ "http://[2001:db8::1", "/", "", "", "[2001:db8::1" },
	{ "http://", "/", "", "", "" },
	{ "http://h?q#f", "/", "?q", "#f", "h" },
	{ "svn+ssh.x-1://h/p", "/p", "", "", "h" },
};

START_TEST(test_split)
{
	const char *in = split_cases[_i].in;
	size_t plen = strlen(split_cases[_i].path), qlen = strlen(split_cases[_i].query);
	size_t flen = strlen(split_cases[_i].frag);
	struct vp_uri_result res;
	uint8_t out[128];

	ck_assert_int_eq(vp_uri_normalize((const uint8_t *)in, strlen(in), out, sizeof(out), &res),
			 0);
	ck_assert_uint_eq(res.path_len, plen);
	ck_assert_uint_eq(res.query_len, qlen);
	ck_assert_uint_eq(res.len, plen + qlen + flen);
	ck_assert(!memcmp(out, split_cases[_i].path, plen));
	ck_assert(!memcmp(out + plen, split_cases[_i].query, qlen));
	ck_assert(!memcmp(out + plen + qlen, split_cases[_i].frag, flen));
	if (!split_cases[_i].host) {
		ck_assert(!(res.anomalies & VP_URI_ABSOLUTE_FORM));
		ck_assert_uint_eq(res.host_off, 0);
		ck_assert_uint_eq(res.host_len, 0);
	} else {
		ck_assert(res.anomalies & VP_URI_ABSOLUTE_FORM);
		ck_assert_uint_eq(res.host_len, strlen(split_cases[_i].host));
		ck_assert(!memcmp(in + res.host_off, split_cases[_i].host, res.host_len));
	}
}
END_TEST

#define CANARY 0xa5
#define SLACK 16

/* Every output size from 0 to the full length + 2: never writes past outsize, returns
 * -ENOSPC exactly when the canonical form does not fit, and then holds its prefix. */
static void check_all_sizes(const uint8_t *in, size_t len)
{
	struct vp_uri_result full, res;
	uint8_t *want = malloc(len + 1), *buf = malloc(len + 3 + SLACK);
	size_t size, i;
	int ret;

	ck_assert_ptr_nonnull(want);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(vp_uri_normalize(in, len, want, len, &full), 0);
	for (size = 0; size <= full.len + 2; size++) {
		memset(buf, CANARY, size + SLACK);
		ret = vp_uri_normalize(in, len, size ? buf : NULL, size, &res);
		for (i = size; i < size + SLACK; i++)
			ck_assert_msg(buf[i] == CANARY, "size %zu: byte %zu overwritten", size, i);
		ck_assert_uint_eq(res.slashes, full.slashes);
		ck_assert_uint_eq(res.host_off, full.host_off);
		ck_assert_uint_eq(res.host_len, full.host_len);
		if (size >= full.len) {
			ck_assert_int_eq(ret, 0);
			ck_assert_uint_eq(res.anomalies, full.anomalies);
			ck_assert_uint_eq(res.len, full.len);
			ck_assert_uint_eq(res.path_len, full.path_len);
			ck_assert_uint_eq(res.query_len, full.query_len);
		} else {
			ck_assert_int_eq(ret, -ENOSPC);
			ck_assert_uint_eq(res.anomalies, full.anomalies | VP_URI_TRUNCATED);
			ck_assert_uint_eq(res.len, size);
			ck_assert_uint_le(res.path_len, full.path_len);
			ck_assert_uint_le(res.path_len + res.query_len, size);
		}
		ck_assert_msg(!memcmp(buf, want, res.len), "size %zu: not a prefix", size);
	}
	free(want);
	free(buf);
}

START_TEST(test_sizes_table)
{
	check_all_sizes((const uint8_t *)cases[_i].in, cases[_i].in_len);
}
END_TEST

static const char *const size_inputs[] = {
	"/aaaa/../b",
	"/aaaa/bbbb/cccc/../../dd/../../e?query=1#frag",
	"/a/b/c/d/e/f/../../../../../../../../x/y/z",
	"/long-segment-name/../../short",
	"rel/seg/../x/../../../y",
	"http://host/a/b/../c?q=%41+b",
	"/%c0%ae%c0%ae/%u002e%u002e/aaaaaaaa/..%5c..%2f..\\x",
};

START_TEST(test_sizes_more)
{
	check_all_sizes((const uint8_t *)size_inputs[_i], strlen(size_inputs[_i]));
}
END_TEST

START_TEST(test_bad_args)
{
	struct vp_uri_result res;
	uint8_t out[8];

	memset(&res, 0xff, sizeof(res));
	ck_assert_int_eq(vp_uri_normalize((const uint8_t *)"", 0, out, sizeof(out), &res), -EINVAL);
	ck_assert_uint_eq(res.len, 0);
	ck_assert_uint_eq(res.anomalies, 0);
	ck_assert_int_eq(vp_uri_normalize(NULL, 0, out, sizeof(out), &res), -EINVAL);
	ck_assert_int_eq(vp_uri_normalize(NULL, 3, out, sizeof(out), &res), -EINVAL);
	ck_assert_int_eq(vp_uri_normalize((const uint8_t *)"/", 1, out, sizeof(out), NULL),
			 -EINVAL);
	ck_assert_int_eq(vp_uri_normalize((const uint8_t *)"/", 1, NULL, 4, &res), -EINVAL);
	ck_assert_int_eq(vp_uri_normalize((const uint8_t *)"/", 1, NULL, 0, &res), -ENOSPC);
	ck_assert_uint_eq(res.anomalies, VP_URI_TRUNCATED);
	ck_assert_uint_eq(res.len, 0);
}
END_TEST

START_TEST(test_names)
{
	unsigned i, n = 0;

	for (i = 0; i < 32; i++) {
		const char *name = vp_uri_anomaly_name(1u << i);

		ck_assert_ptr_nonnull(name);
		if ((1u << i) & VP_URI_ANOMALY_ALL) {
			ck_assert_str_ne(name, "unknown");
			n++;
		} else {
			ck_assert_str_eq(name, "unknown");
		}
	}
	ck_assert_uint_eq(n, 15);
	ck_assert_str_eq(vp_uri_anomaly_name(VP_URI_DOT_SEGMENT), "dot_segment");
	ck_assert_str_eq(vp_uri_anomaly_name(VP_URI_ABOVE_ROOT), "above_root");
	ck_assert_str_eq(vp_uri_anomaly_name(VP_URI_TRUNCATED), "truncated");
	ck_assert_str_eq(vp_uri_anomaly_name(0), "unknown");
	ck_assert_str_eq(vp_uri_anomaly_name(VP_URI_NUL | VP_URI_BAD_CHAR), "unknown");
}
END_TEST

/* ---- differential test of the path stack against a naive RFC 3986 5.2.4 ---- */

/* RFC 3986 5.2.4, literally, on a NUL-free string with single slashes; sets *above when a ".."
 * found no segment to remove. */
static void ref_remove_dots(const char *in, char *out, bool *above)
{
	char buf[1024];
	size_t ilen, olen = 0;
	char *p = buf;

	snprintf(buf, sizeof(buf), "%s", in);
	ilen = strlen(buf);
	*above = false;
	while (ilen) {
		if (ilen >= 3 && !strncmp(p, "../", 3)) {
			p += 3, ilen -= 3;
		} else if (ilen >= 2 && !strncmp(p, "./", 2)) {
			p += 2, ilen -= 2;
		} else if (ilen >= 3 && !strncmp(p, "/./", 3)) {
			p += 2, ilen -= 2;
		} else if (ilen == 2 && !strncmp(p, "/.", 2)) {
			p += 1, ilen -= 1;
			*p = '/';
		} else if ((ilen >= 4 && !strncmp(p, "/../", 4)) ||
			   (ilen == 3 && !strncmp(p, "/..", 3))) {
			p += ilen == 3 ? 2 : 3;
			ilen -= ilen == 3 ? 2 : 3;
			*p = '/';
			if (!olen)
				*above = true;
			while (olen && out[olen - 1] != '/')
				olen--;
			if (olen)
				olen--;
		} else if ((ilen == 1 && *p == '.') || (ilen == 2 && !strncmp(p, "..", 2))) {
			ilen = 0;
		} else {
			do {
				out[olen++] = *p++;
				ilen--;
			} while (ilen && *p != '/');
		}
	}
	out[olen] = '\0';
}

static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* raw token and what it decodes to in a path (separators as '/') */
static const struct { const char *raw, *dec; uint32_t anom; } tokens[] = {
	{ "a", "a", 0 }, { "bc", "bc", 0 }, { ".", ".", 0 }, { "..", "..", 0 },
	{ "/", "/", 0 }, { "/", "/", 0 }, { "/", "/", 0 }, { "//", "//", 0 },
	{ "%2e", ".", 0 }, { "%2E%2e", "..", 0 }, { "%2f", "/", 0 }, { "\\", "/", BS | BC },
	{ "%5c", "/", BS }, { "%c0%ae", ".", OL }, { "%c0%af", "/", OL }, { "x.", "x.", 0 },
	{ ".y", ".y", 0 }, { "%u002e", ".", UE },
};

START_TEST(test_differential)
{
	uint32_t seed = 0x1234567u + (uint32_t)_i;
	char raw[512], dec[256], col[256], want[256];
	size_t rlen, dlen, clen, k;
	unsigned iter, ntok, t, slashes;
	uint32_t anom;
	bool above;

	for (iter = 0; iter < 2000; iter++) {
		struct vp_uri_result res;
		uint8_t out[512];

		rlen = 1, dlen = 1, anom = 0;
		raw[0] = dec[0] = '/';
		ntok = rng_next(&seed) % 24;
		for (t = 0; t < ntok; t++) {
			k = rng_next(&seed) % ARRAY_SIZE(tokens);
			memcpy(raw + rlen, tokens[k].raw, strlen(tokens[k].raw));
			rlen += strlen(tokens[k].raw);
			memcpy(dec + dlen, tokens[k].dec, strlen(tokens[k].dec));
			dlen += strlen(tokens[k].dec);
			anom |= tokens[k].anom;
		}
		raw[rlen] = dec[dlen] = '\0';
		/* expected: collapse '/' runs, then remove dot segments */
		for (k = 0, clen = 0, slashes = 0; k < dlen; k++) {
			slashes += dec[k] == '/';
			if (dec[k] == '/' && clen && col[clen - 1] == '/')
				anom |= DS;
			else
				col[clen++] = dec[k];
		}
		col[clen] = '\0';
		ref_remove_dots(col, want, &above);
		if (strcmp(col, want))
			anom |= DOT;
		if (above)
			anom |= AR;

		ck_assert_int_eq(vp_uri_normalize((uint8_t *)raw, rlen, out, sizeof(out), &res), 0);
		ck_assert_msg(res.len == strlen(want) && !memcmp(out, want, res.len),
			      "%s: got %.*s want %s", raw, (int)res.len, (const char *)out, want);
		ck_assert_msg(res.anomalies == anom, "%s: anomalies %#x want %#x", raw,
			      res.anomalies, anom);
		ck_assert_uint_eq(res.slashes, slashes);
		if (iter % 16 == 0)
			check_all_sizes((uint8_t *)raw, rlen);
	}
}
END_TEST

/* ---- hostile sizes: linear time, bounded work ---- */

#define BIG (1u << 20)

static const struct {
	const char *unit;	/* repeated to fill 1 MB after a leading '/' */
	uint32_t anom;
	size_t want_len;	/* canonical length; 0: do not check */
} big_cases[] = {
	{ "../", AR, 1 },
	{ "%2e%2e%2f", AR, 1 },
	{ "%c0%ae%c0%ae%c0%af", OL | AR, 1 },
	{ "/", DS, 1 },
	{ "./", DOT, 1 },
	{ "a/", 0, BIG },
	{ "%25", 0, 0 },
	{ "%", BE, BIG },
	{ "%c3", IU, 0 },
	{ "\\", BS | BC | DS, 1 },
};

START_TEST(test_big)
{
	const char *unit = big_cases[_i].unit;
	size_t ulen = strlen(unit), len = 1;
	uint8_t *in = malloc(BIG + 16), *out = malloc(BIG + 16);
	struct vp_uri_result res;
	int ret;

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	in[0] = '/';
	while (len + ulen <= BIG) {
		memcpy(in + len, unit, ulen);
		len += ulen;
	}
	ck_assert_int_eq(vp_uri_normalize(in, len, out, BIG, &res), 0);
	ck_assert_uint_eq(res.anomalies, big_cases[_i].anom);
	if (big_cases[_i].want_len)
		ck_assert_uint_eq(res.len, big_cases[_i].want_len == BIG ? len : 1);
	/* and with a tiny buffer */
	ret = vp_uri_normalize(in, len, out, 7, &res);
	ck_assert(ret == 0 || ret == -ENOSPC);
	ck_assert_uint_le(res.len, 7);
	free(in);
	free(out);
}
END_TEST

/* N segments pushed, then N or N + 1 popped: exercises the stack at depth, in a full-size and a
 * small buffer (hidden segments). */
START_TEST(test_deep_stack)
{
	size_t n = 100000, len = 0, i, size;
	uint8_t *in = malloc(6 * n + 8), *out = malloc(6 * n + 8);
	struct vp_uri_result res;
	bool extra = _i & 1;

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	for (i = 0; i < n; i++) {
		memcpy(in + len, "/ab", 3);
		len += 3;
	}
	for (i = 0; i < n + extra; i++) {
		memcpy(in + len, "/..", 3);
		len += 3;
	}
	memcpy(in + len, "/z", 2);
	len += 2;
	size = _i < 2 ? 6 * n : 5;
	ck_assert_int_eq(vp_uri_normalize(in, len, out, size, &res), 0);
	ck_assert_uint_eq(res.len, 2);
	ck_assert(!memcmp(out, "/z", 2));
	ck_assert_uint_eq(res.anomalies, extra ? AR : DOT);
	ck_assert_uint_eq(res.slashes, 2 * n + extra + 1);
	free(in);
	free(out);
}
END_TEST

static Suite *uri_suite(void)
{
	Suite *s = suite_create("uri");
	TCase *tc = tcase_create("cases");

	tcase_add_loop_test(tc, test_cases, 0, ARRAY_SIZE(cases));
	tcase_add_loop_test(tc, test_split, 0, ARRAY_SIZE(split_cases));
	tcase_add_test(tc, test_bad_args);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("sizes");
	tcase_add_loop_test(tc, test_sizes_table, 0, ARRAY_SIZE(cases));
	tcase_add_loop_test(tc, test_sizes_more, 0, ARRAY_SIZE(size_inputs));
	tcase_add_loop_test(tc, test_differential, 0, 8);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_loop_test(tc, test_big, 0, ARRAY_SIZE(big_cases));
	tcase_add_loop_test(tc, test_deep_stack, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(uri_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
