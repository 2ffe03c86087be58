/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HTTP request-target normaliser (see uri.h for the canonical form and the anomaly bits).
 *
 * Each component goes through a pipeline of small stages, one byte at a time:
 *
 *	raw bytes -> percent / %u decoding -> UTF-8 check (overlong rewrite in the path)
 *		  -> NUL and double-encoding checks -> path segments (or plain copy)
 *
 * Path segments use the output buffer as their stack: a finished segment is written followed by
 * '/', a ".." truncates the output back to the previous '/'.  Every byte is written once and
 * removed at most once, so the work is linear.  When the buffer is full, segments that do not
 * fit are only counted ("hidden"); popping them costs nothing, and once the last hidden one is
 * popped the output resumes from the last '/' still in the buffer.  So the buffer always holds a
 * prefix of the full canonical form, and a small buffer is only "too small" when the final result
 * does not fit.
 */
#include "vp_build.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "normalize/uri.h"

#define WIN 5			/* decoded bytes remembered for the double-encoding check */

struct norm {
	uint8_t *out;
	size_t cap, olen;
	uint32_t anom;
	unsigned slashes;
	bool path, plus;	/* current component: path rules, '+' is a space */
	bool cut;		/* bytes were lost for good: the result is truncated */
	/* double-encoding window: last WIN decoded bytes, oldest first */
	uint8_t win[WIN];
	uint8_t winenc;		/* bit i: win[i] came from an escape */
	/* pending UTF-8 sequence */
	uint8_t u8[4];
	unsigned u8n, u8need;
	bool u8enc;
	/* path segments */
	bool started;		/* a path byte was seen */
	size_t depth;		/* segments on the stack ("seg/"), not counting the root */
	size_t hidden;		/* how many of the top ones did not fit in the buffer */
	size_t seg_start;	/* where the current segment starts in out */
	size_t seg_len;		/* its length, stored or not */
	bool seg_dots;		/* it is made of '.' only */
	bool seg_hidden;	/* some of its bytes did not fit */
};

static bool is_hex(uint8_t b)
{
	return (b >= '0' && b <= '9') || ((b | 0x20) >= 'a' && (b | 0x20) <= 'f');
}

static unsigned hex_val(uint8_t b)
{
	return b <= '9' ? (unsigned)(b - '0') : (unsigned)((b | 0x20) - 'a' + 10);
}

/* RFC 3986: unreserved, reserved and '%' are allowed; controls, space, DEL, bytes >= 0x80 and
 * " < > \ ^ ` { | } are not. */
static bool uri_char_ok(uint8_t b)
{
	static const char bad[] = "\"<>\\^`{|}";

	if (b <= 0x20 || b >= 0x7f)
		return false;
	return !memchr(bad, b, sizeof(bad) - 1);
}

static bool put(struct norm *n, uint8_t b)
{
	if (n->olen >= n->cap)
		return false;
	n->out[n->olen++] = b;
	return true;
}

/* Writes a byte that can never be taken back (root, query, fragment). */
static void put_final(struct norm *n, uint8_t b)
{
	if (!put(n, b))
		n->cut = true;
}

static void seg_reset(struct norm *n)
{
	n->seg_start = n->olen;
	n->seg_len = 0;
	n->seg_dots = true;
	n->seg_hidden = false;
}

/* Truncates the output to just after the last '/' in out[0..end), or to 0. */
static void cut_after_slash(struct norm *n, size_t end)
{
	while (end > 0 && n->out[end - 1] != '/')
		end--;
	n->olen = end;
}

/* Removes the current segment's bytes (a "." or ".." being dropped). */
static void drop_segment(struct norm *n)
{
	if (!n->hidden)
		n->olen = n->seg_start;
	seg_reset(n);
}

/* Pops the topmost "seg/" off the stack, for a "..". */
static void pop_segment(struct norm *n)
{
	if (!n->depth) {
		n->anom |= VP_URI_ABOVE_ROOT;
		return;
	}
	n->depth--;
	if (n->hidden) {
		/* the last hidden one may have its first bytes in the buffer: drop them */
		if (--n->hidden == 0)
			cut_after_slash(n, n->olen);
	} else {
		cut_after_slash(n, n->olen - 1);	/* out[olen - 1] is its '/' */
	}
	n->seg_start = n->olen;
}

/* Ends the current segment; <sep> is false at the end of the path. */
static void end_segment(struct norm *n, bool sep)
{
	if (n->seg_len && n->seg_dots && n->seg_len <= 2) {
		bool dotdot = n->seg_len == 2;

		n->anom |= VP_URI_DOT_SEGMENT;
		drop_segment(n);
		if (dotdot)
			pop_segment(n);
		return;
	}
	if (!sep)
		return;
	if (!n->seg_len) {
		n->anom |= VP_URI_DUP_SLASH;
		return;
	}
	if (n->seg_hidden || !put(n, '/'))
		n->hidden++;
	n->depth++;
	seg_reset(n);
}

static void path_byte(struct norm *n, uint8_t b)
{
	bool first = !n->started;

	n->started = true;
	if (b == '/' || b == '\\') {
		if (b == '\\')
			n->anom |= VP_URI_BACKSLASH;
		if (n->slashes < UINT_MAX)
			n->slashes++;
		if (first) {
			put_final(n, '/');	/* the root */
			seg_reset(n);
		} else {
			end_segment(n, true);
		}
		return;
	}
	if (first) {
		n->anom |= VP_URI_RELATIVE_PATH;
		seg_reset(n);
	}
	if (b != '.')
		n->seg_dots = false;
	n->seg_len++;
	if (n->seg_hidden || !put(n, b))
		n->seg_hidden = true;
}

/* Would decoding again change the decoded stream ending with <b>?  "%hh" or "%uhhhh" made (in
 * part) of decoded bytes. */
static void check_double(struct norm *n, uint8_t b, bool enc)
{
	const uint8_t *w = n->win;
	unsigned e = n->winenc | (enc ? 1u << WIN : 0);

	if (is_hex(b) && w[3] == '%' && is_hex(w[4]) && (e & 0x38))
		n->anom |= VP_URI_DOUBLE_ENCODING;
	if (is_hex(b) && w[0] == '%' && (w[1] | 0x20) == 'u' && is_hex(w[2]) && is_hex(w[3]) &&
	    is_hex(w[4]) && (e & 0x3f))
		n->anom |= VP_URI_DOUBLE_ENCODING;
	memmove(n->win, n->win + 1, WIN - 1);
	n->win[WIN - 1] = b;
	n->winenc = (uint8_t)(e >> 1);
}

/* One fully decoded byte; <enc> says it came from an escape. */
static void emit(struct norm *n, uint8_t b, bool enc)
{
	if (!b)
		n->anom |= VP_URI_NUL;
	check_double(n, b, enc);
	if (n->path)
		path_byte(n, b);
	else
		put_final(n, b);
}

static void utf8_flush_invalid(struct norm *n)
{
	unsigned i;

	n->anom |= VP_URI_INVALID_UTF8;
	for (i = 0; i < n->u8n; i++)
		emit(n, n->u8[i], n->u8enc);
	n->u8n = 0;
}

static void emit_utf8(struct norm *n, uint32_t cp, bool enc)
{
	if (cp < 0x80) {
		emit(n, (uint8_t)cp, enc);
	} else if (cp < 0x800) {
		emit(n, (uint8_t)(0xc0 | cp >> 6), enc);
		emit(n, (uint8_t)(0x80 | (cp & 0x3f)), enc);
	} else {
		emit(n, (uint8_t)(0xe0 | cp >> 12), enc);
		emit(n, (uint8_t)(0x80 | ((cp >> 6) & 0x3f)), enc);
		emit(n, (uint8_t)(0x80 | (cp & 0x3f)), enc);
	}
}

/* A complete sequence of u8need bytes is pending. */
static void utf8_complete(struct norm *n)
{
	static const uint32_t min_cp[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	uint32_t cp = n->u8[0] & (0x7fu >> n->u8need);
	bool overlong;
	unsigned i;

	for (i = 1; i < n->u8need; i++)
		cp = cp << 6 | (n->u8[i] & 0x3fu);
	overlong = cp < min_cp[n->u8need];
	if (overlong) {
		n->anom |= VP_URI_OVERLONG_UTF8;
		if (!cp)
			n->anom |= VP_URI_NUL;
	}
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		n->anom |= VP_URI_INVALID_UTF8;
	if (overlong && n->path) {
		n->u8n = 0;
		emit_utf8(n, cp, true);	/* what the sequence denotes */
		return;
	}
	for (i = 0; i < n->u8need; i++)
		emit(n, n->u8[i], n->u8enc);
	n->u8n = 0;
}

/* Feeds one percent-decoded byte to the UTF-8 check. */
static void utf8_feed(struct norm *n, uint8_t b, bool enc)
{
	if (n->u8n) {
		if ((b & 0xc0) == 0x80) {
			n->u8[n->u8n++] = b;
			n->u8enc |= enc;
			if (n->u8n == n->u8need)
				utf8_complete(n);
			return;
		}
		utf8_flush_invalid(n);
	}
	if (b < 0x80) {
		emit(n, b, enc);
		return;
	}
	if (b < 0xc0 || b >= 0xf8) {	/* stray continuation, or 5/6-byte lead */
		n->anom |= VP_URI_INVALID_UTF8;
		emit(n, b, enc);
		return;
	}
	n->u8need = b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
	n->u8[0] = b;
	n->u8n = 1;
	n->u8enc = enc;
}

/* "%uXXXX" at p[0..5]: the byte when < 0x80, else its UTF-8 encoding (which goes through the
 * UTF-8 check like any other decoded bytes, so surrogates are flagged there). */
static void feed_u(struct norm *n, const uint8_t *p)
{
	uint32_t cp = hex_val(p[2]) << 12 | hex_val(p[3]) << 8 | hex_val(p[4]) << 4 | hex_val(p[5]);

	n->anom |= VP_URI_U_ENCODING;
	if (cp < 0x80) {
		utf8_feed(n, (uint8_t)cp, true);
	} else if (cp < 0x800) {
		utf8_feed(n, (uint8_t)(0xc0 | cp >> 6), true);
		utf8_feed(n, (uint8_t)(0x80 | (cp & 0x3f)), true);
	} else {
		utf8_feed(n, (uint8_t)(0xe0 | cp >> 12), true);
		utf8_feed(n, (uint8_t)(0x80 | ((cp >> 6) & 0x3f)), true);
		utf8_feed(n, (uint8_t)(0x80 | (cp & 0x3f)), true);
	}
}

/* Does p[0..left) start with "%uXXXX"?  ('U' too: IIS accepts both.) */
static bool is_u_escape(const uint8_t *p, size_t left)
{
	return left > 5 && (p[1] | 0x20) == 'u' && is_hex(p[2]) && is_hex(p[3]) && is_hex(p[4]) &&
	       is_hex(p[5]);
}

/* Decodes one component p[0..len) through the pipeline, in the current mode. */
static void decode(struct norm *n, const uint8_t *p, size_t len)
{
	size_t i;

	memset(n->win, 0, sizeof(n->win));
	n->winenc = 0;
	for (i = 0; i < len; i++) {
		uint8_t b = p[i];

		if (b == '%' && len - i > 2 && is_hex(p[i + 1]) && is_hex(p[i + 2])) {
			utf8_feed(n, (uint8_t)(hex_val(p[i + 1]) << 4 | hex_val(p[i + 2])), true);
			i += 2;
		} else if (b == '%' && is_u_escape(p + i, len - i)) {
			feed_u(n, p + i);
			i += 5;
		} else if (b == '%') {
			n->anom |= VP_URI_BAD_ESCAPE;
			utf8_feed(n, b, false);
		} else {
			utf8_feed(n, b == '+' && n->plus ? ' ' : b, false);
		}
	}
	if (n->u8n)
		utf8_flush_invalid(n);	/* truncated sequence at the end */
}

/* Absolute form: returns where the path starts (after the authority) and sets the host slice;
 * returns 0 for any other form. */
static size_t parse_absolute(const uint8_t *in, size_t len, struct vp_uri_result *res)
{
	size_t i = 1, auth, end, host, stop;

	if (!((in[0] | 0x20) >= 'a' && (in[0] | 0x20) <= 'z'))
		return 0;
	while (i < len && (((in[i] | 0x20) >= 'a' && (in[i] | 0x20) <= 'z') ||
			   (in[i] >= '0' && in[i] <= '9') || in[i] == '+' || in[i] == '-' ||
			   in[i] == '.'))
		i++;
	if (len - i < 3 || memcmp(in + i, "://", 3))
		return 0;
	auth = i + 3;
	for (end = auth; end < len && in[end] != '/' && in[end] != '?' && in[end] != '#'; end++)
		;
	host = auth;
	for (i = auth; i < end; i++)
		if (in[i] == '@')
			host = i + 1;	/* the last '@' ends the userinfo */
	if (host < end && in[host] == '[') {
		for (stop = host; stop < end && in[stop] != ']'; stop++)
			;
		stop += stop < end;	/* keep the ']' */
	} else {
		for (stop = host; stop < end && in[stop] != ':'; stop++)
			;
	}
	res->host_off = host;
	res->host_len = stop - host;
	res->anomalies |= VP_URI_ABSOLUTE_FORM;
	return end;
}

static size_t find_byte(const uint8_t *p, size_t from, size_t len, uint8_t b)
{
	const uint8_t *hit = from < len ? memchr(p + from, b, len - from) : NULL;

	return hit ? (size_t)(hit - p) : len;
}

static void normalize_path(struct norm *n, const uint8_t *p, size_t len, bool absolute)
{
	n->path = true;
	n->plus = false;
	seg_reset(n);
	if (!len && absolute) {
		put_final(n, '/');	/* "http://host" is "http://host/" */
		return;
	}
	decode(n, p, len);
	if (n->started)
		end_segment(n, false);
	if (n->hidden || n->seg_hidden)
		n->cut = true;
}

static void normalize_tail(struct norm *n, uint8_t lead, const uint8_t *p, size_t len)
{
	n->path = false;
	n->plus = lead == '?';
	put_final(n, lead);
	decode(n, p, len);
}

int vp_uri_normalize(const uint8_t *in, size_t len, uint8_t *out, size_t outsize,
		     struct vp_uri_result *res)
{
	struct norm n = { .out = out, .cap = outsize };
	size_t i, pstart, qmark, hash;

	if (!res)
		return -EINVAL;
	memset(res, 0, sizeof(*res));
	if (!in || !len || (!out && outsize))
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!uri_char_ok(in[i])) {
			n.anom |= VP_URI_BAD_CHAR;
			break;
		}
	pstart = parse_absolute(in, len, res);
	hash = find_byte(in, pstart, len, '#');
	qmark = find_byte(in, pstart, hash, '?');
	normalize_path(&n, in + pstart, qmark - pstart, pstart != 0);
	res->path_len = n.olen;
	if (qmark < hash) {
		normalize_tail(&n, '?', in + qmark + 1, hash - qmark - 1);
		res->query_len = n.olen - res->path_len;
	}
	if (hash < len) {
		n.anom |= VP_URI_FRAGMENT;
		normalize_tail(&n, '#', in + hash + 1, len - hash - 1);
	}
	if (n.cut)
		n.anom |= VP_URI_TRUNCATED;
	res->len = n.olen;
	res->anomalies |= n.anom;
	res->slashes = n.slashes;
	return n.cut ? -ENOSPC : 0;
}

const char *vp_uri_anomaly_name(uint32_t bit)
{
	static const char *const names[] = {
		"bad_escape", "u_encoding", "double_encoding", "overlong_utf8", "invalid_utf8",
		"backslash", "nul", "dup_slash", "dot_segment", "above_root", "bad_char",
		"absolute_form", "fragment", "truncated", "relative_path",
	};
	unsigned i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (bit == 1u << i)
			return names[i];
	return "unknown";
}
