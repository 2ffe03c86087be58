/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HTTP request-target normaliser: turns the raw target of a request line into the canonical form
 * rules match against (http.uri), and reports every evasion trick it undid as an anomaly bit.
 * Pure: no I/O, no global state, no allocation; the caller owns both buffers.
 *
 * Canonical form, written to the caller's buffer:
 *
 *	out = path [ "?" query ] [ "#" fragment ]
 *
 * - The target is split at the first raw '?' (path | query) and the first raw '#' after that
 *   (fragment).  Bytes that decode to '?', '#' stay data of their component.
 * - Absolute form ("scheme://authority/path?query"): only the path and what follows is
 *   normalised and written; the host is exposed as a slice of the input; an empty path becomes "/".
 * - Every component is percent-decoded exactly once, as a standard server does: "%252e" becomes
 *   "%2e" (not "."), and DOUBLE_ENCODING says a second decoding would change it.  "%uXXXX"
 *   (IIS) decodes to the byte when XXXX < 0x80, else to its UTF-8 encoding.  A '%' that does not
 *   start a valid escape ("%zz", a truncated "%4" at the end) is kept as a literal '%'.
 * - In the query only, a raw '+' becomes a space ("%2b" stays '+').
 * - The decoded bytes are checked as UTF-8.  Invalid sequences are kept byte for byte.  Overlong
 *   sequences are kept in the query and fragment; in the path they are replaced by the shortest
 *   encoding of the code point they denote (IIS-style: "%c0%ae" is '.', "%c0%af" is '/'), so that
 *   such paths cannot hide from dot-segment removal or from rules.
 * - Path only: the decoded bytes '/' and '\' (raw, %2f, %5c, %u002f, overlong, ...) are segment
 *   separators; '\' is written as '/'.  Empty segments are collapsed ("//a///b" -> "/a/b"), then
 *   "." and ".." segments are removed as in RFC 3986 section 5.2.4, after decoding (so "%2e%2e"
 *   is ".."); a ".." at the root is dropped (the result stays at the root) and flagged ABOVE_ROOT.
 *   A path that does not start with a separator ("*", "host:port", garbage) is normalised the
 *   same way without a root and flagged RELATIVE_PATH.
 * - NUL bytes (raw or decoded) are kept in the output and flagged.
 *
 * The canonical form is never longer than the input, so outsize >= len never truncates.
 * Work is linear in len: dot-segment removal is a stack kept in the output buffer itself.
 */
#ifndef VP_NORMALIZE_URI_H
#define VP_NORMALIZE_URI_H

#include <stddef.h>
#include <stdint.h>

enum vp_uri_anomaly {
	VP_URI_BAD_ESCAPE = 1u << 0,	/* '%' not followed by 2 hex digits or u + 4 hex digits */
	VP_URI_U_ENCODING = 1u << 1,	/* "%uXXXX" (IIS) */
	VP_URI_DOUBLE_ENCODING = 1u << 2, /* decoded form has "%hh"/"%uhhhh" made from escapes */
	VP_URI_OVERLONG_UTF8 = 1u << 3,	/* non-shortest UTF-8 sequence, e.g. %c0%ae */
	VP_URI_INVALID_UTF8 = 1u << 4,	/* stray, truncated, surrogate or > U+10FFFF */
	VP_URI_BACKSLASH = 1u << 5,	/* '\' (raw or decoded) used as a path separator */
	VP_URI_NUL = 1u << 6,		/* a NUL byte: raw, %00, %u0000 or overlong */
	VP_URI_DUP_SLASH = 1u << 7,	/* empty path segment collapsed */
	VP_URI_DOT_SEGMENT = 1u << 8,	/* "." or ".." segment removed from the path */
	VP_URI_ABOVE_ROOT = 1u << 9,	/* ".." above the root (implies DOT_SEGMENT) */
	VP_URI_BAD_CHAR = 1u << 10,	/* raw byte not allowed in a URI (RFC 3986) */
	VP_URI_ABSOLUTE_FORM = 1u << 11, /* "scheme://authority..." target */
	VP_URI_FRAGMENT = 1u << 12,	/* raw '#' in the target */
	VP_URI_TRUNCATED = 1u << 13,	/* output buffer too small: out holds a prefix */
	VP_URI_RELATIVE_PATH = 1u << 14, /* non-empty path not starting with a separator */
};

#define VP_URI_ANOMALY_ALL ((uint32_t)((1u << 15) - 1))

struct vp_uri_result {
	size_t len;		/* bytes written to out */
	size_t path_len;	/* canonical path: out[0 .. path_len) */
	size_t query_len;	/* "?query" right after the path, '?' included; 0 if no raw '?' */
				/* out[path_len + query_len .. len) is "#fragment" (or empty) */
	size_t host_off;	/* absolute form: the host (raw, without userinfo and port) is */
	size_t host_len;	/* in[host_off .. host_off + host_len); else both 0 */
	uint32_t anomalies;	/* enum vp_uri_anomaly bits */
	unsigned slashes;	/* path separators after decoding ('/', '\', %2f, %5c, ...) before
				 * collapsing and dot removal; saturates at UINT_MAX.  Compare with
				 * the "too many '/'" limit: encoding a slash does not hide it. */
};

/* Normalises the request target in[0..len) into out[0..outsize) and fills <res>.
 * <out> may be NULL when outsize is 0.  Returns 0; -ENOSPC when the canonical form is longer
 * than outsize (out then holds its first outsize bytes, TRUNCATED is set, every other field and
 * anomaly bit is still computed over the whole input; path_len/query_len count what was
 * written); -EINVAL for empty input or NULL pointers (res is then zeroed if not NULL).
 * The output is not NUL-terminated and may contain NUL bytes.
 * Any thread; no shared state. */
int vp_uri_normalize(const uint8_t *in, size_t len, uint8_t *out, size_t outsize,
		     struct vp_uri_result *res);

/* Short stable name ("dot_segment", ...) of one anomaly bit, for logs and tests; "unknown"
 * when <bit> is not exactly one known bit.  The string is static.  Any thread. */
const char *vp_uri_anomaly_name(uint32_t bit);

#endif
