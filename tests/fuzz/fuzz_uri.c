/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target for normalize/uri.c.
 *
 * Input: the first byte picks the output size (below 0xc0: that many bytes mod 64; from 0xc0: the
 * input length + (byte - 0xc0) - 32, clamped at 0), the rest is the request target.  The output
 * buffer is malloc'ed at exactly that size (NULL when 0) so ASan sees any overflow.  Checks:
 * - the return value matches the input (-EINVAL iff empty) and TRUNCATED (-ENOSPC iff set);
 * - lengths and the host slice stay in bounds; outsize >= input length never truncates;
 * - the output is a prefix of the full-size result, with the same anomalies and slash count;
 * - idempotence of the path: when the canonical path holds no byte that would change its own
 *   split ('?', '#') and nothing was double-encoded (so it holds no escape a second pass would
 *   decode), normalising it again gives the same path and none of the anomalies the first pass
 *   removed (DOT_SEGMENT, ABOVE_ROOT, DUP_SLASH, BACKSLASH, OVERLONG_UTF8, U_ENCODING,
 *   DOUBLE_ENCODING).
 * A broken invariant aborts, so the fuzzer and the corpus replay report it.
 */
#include "vp_build.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "normalize/uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REMOVED (VP_URI_DOT_SEGMENT | VP_URI_ABOVE_ROOT | VP_URI_DUP_SLASH | VP_URI_BACKSLASH | \
		 VP_URI_OVERLONG_UTF8 | VP_URI_U_ENCODING | VP_URI_DOUBLE_ENCODING)

static void check(int cond)
{
	if (!cond)
		abort();
}

static void check_idempotent(const uint8_t *path, size_t len)
{
	struct vp_uri_result res;
	uint8_t *again;

	if (!len || memchr(path, '?', len) || memchr(path, '#', len))
		return;
	again = malloc(len);
	check(again != NULL);
	check(vp_uri_normalize(path, len, again, len, &res) == 0);
	check(res.len == len && res.path_len == len && !memcmp(again, path, len));
	check(!(res.anomalies & REMOVED));
	free(again);
}

static size_t pick_size(uint8_t sel, size_t len)
{
	if (sel < 0xc0)
		return sel % 64;
	if (len + (size_t)(sel - 0xc0) < 32)
		return 0;
	return len + (size_t)(sel - 0xc0) - 32;
}

static void check_result(size_t len, size_t outsize, int ret, const struct vp_uri_result *res)
{
	check(ret == 0 || ret == -ENOSPC);
	check(!(res->anomalies & ~VP_URI_ANOMALY_ALL));
	check((ret == -ENOSPC) == !!(res->anomalies & VP_URI_TRUNCATED));
	check(res->len <= outsize && res->len <= len);
	check(res->path_len + res->query_len <= res->len);
	check(res->host_off + res->host_len <= len);
	check(!res->host_len || (res->anomalies & VP_URI_ABSOLUTE_FORM));
	if (outsize >= len)
		check(ret == 0);
	if (ret == -ENOSPC)
		check(res->len == outsize);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vp_uri_result res, full;
	const uint8_t *in = data + 1;
	uint8_t *out, *ref;
	size_t len, outsize;
	int ret;

	if (!size)
		return 0;
	len = size - 1;
	outsize = pick_size(data[0], len);
	out = outsize ? malloc(outsize) : NULL;
	check(!outsize || out != NULL);
	ret = vp_uri_normalize(in, len, out, outsize, &res);
	if (!len) {
		check(ret == -EINVAL && res.len == 0 && res.anomalies == 0);
		free(out);
		return 0;
	}
	check_result(len, outsize, ret, &res);

	ref = malloc(len);
	check(ref != NULL);
	check(vp_uri_normalize(in, len, ref, len, &full) == 0);
	check_result(len, len, 0, &full);
	check(!res.len || !memcmp(out, ref, res.len));
	check(res.slashes == full.slashes);
	check((res.anomalies & ~VP_URI_TRUNCATED) == full.anomalies);
	if (!ret)
		check(res.len == full.len && res.path_len == full.path_len &&
		      res.query_len == full.query_len);
	if (!(full.anomalies & VP_URI_DOUBLE_ENCODING))
		check_idempotent(ref, full.path_len);
	free(ref);
	free(out);
	return 0;
}
