/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target for inspect/decode.c.
 *
 * Input: the first byte selects the mode.  Even: the rest is an IP packet for
 * vp_decode_packet() (then vp_decode_checksums_ok() when it was accepted).  Odd: the rest is a
 * link-layer frame whose link type is linktypes[(byte >> 1) % count]; the IP packet at the offset
 * vp_decode_link() returns is decoded the same way.  Broken invariants (a slice outside the input,
 * an ip_version on a rejected packet) abort, so the fuzzer and the corpus replay report them.
 */
#include "vp_build.h"

#include <stdint.h>
#include <stdlib.h>

#include "inspect/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int linktypes[] = {
	VP_LINK_NULL, VP_LINK_ETHERNET, VP_LINK_RAW, VP_LINK_LINUX_SLL,
	VP_LINK_IPV4, VP_LINK_IPV6, VP_LINK_LINUX_SLL2, 12, 14,
};

static void check_slice(const struct vp_packet *p, const struct vp_slice *s)
{
	size_t off;

	if (!s->len)
		return;
	if (s->ptr < p->data)
		abort();
	off = (size_t)(s->ptr - p->data);
	if (off > p->len || s->len > p->len - off)
		abort();
}

static void decode_ip(const uint8_t *d, size_t n)
{
	struct vp_packet p;
	char buf[64];

	if (vp_decode_packet(&p, d, n) != VP_PARSE_OK) {
		if (p.ip_version || !(p.anomalies & VP_ANOM_NO_VALID_IP))
			abort();
		return;
	}
	if (p.ip_version != 4 && p.ip_version != 6)
		abort();
	check_slice(&p, &p.l3);
	check_slice(&p, &p.l4);
	check_slice(&p, &p.payload);
	if (p.l4.ptr != p.l3.ptr + p.l3.len)
		abort();
	(void)vp_decode_checksums_ok(&p);
	vp_addr_str(&p.src, buf, sizeof(buf));
	vp_addr_str(&p.dst, buf, sizeof(buf));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t l3 = 0, n = sizeof(linktypes) / sizeof(linktypes[0]);
	int linktype;

	if (size < 1)
		return 0;
	if (!(data[0] & 1)) {
		decode_ip(data + 1, size - 1);
		return 0;
	}
	linktype = linktypes[(size_t)(data[0] >> 1) % n];
	if (vp_decode_link(linktype, data + 1, size - 1, &l3) != VP_PARSE_OK)
		return 0;
	if (l3 > size - 1)
		abort();
	decode_ip(data + 1 + l3, size - 1 - l3);
	return 0;
}
