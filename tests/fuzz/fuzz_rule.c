/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "inspect/packet.h"
#include "signatures/sig.h"
#include "signatures/vars.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: one rule, then '\n', then a payload.  The rule is parsed and
 * compiled with a few variables defined, then matched against the payload
 * carried as TCP, UDP, ICMP and an undecoded fragment, both directions; and
 * once more through vp_sig_match() with the payload as the stream (half of
 * it already inspected) and as every HTTP buffer, with flowbit storage.
 */

static struct vp_vars *fuzz_vars(void)
{
	static struct vp_vars *v;

	if (v)
		return v;
	v = vp_vars_new();
	if (!v)
		abort();
	if (vp_vars_set(v, "HOME_NET", "[10.0.0.0/8,192.168.0.0/16,2001:db8::/32]") < 0 ||
	    vp_vars_set(v, "EXTERNAL_NET", "!$HOME_NET") < 0 ||
	    vp_vars_set(v, "HTTP_PORTS", "[80,8000:8100,!8050]") < 0 ||
	    vp_vars_set(v, "LOOP", "[$LOOP,$LOOP]") < 0 || vp_vars_set(v, "ANY", "any") < 0)
		abort();
	return v;
}

static bool count_hit(void *ctx, const struct vp_sig *sig)
{
	unsigned *n = ctx;

	(*n)++;
	return sig->sid != 0;
}

static void match_all(const struct vp_sig_set *set, struct vp_sig_thread *th,
		      const uint8_t *pl, size_t plen)
{
	static const uint8_t protos[] = { 6, 17, 1, 58, 47 };
	struct vp_packet p;
	unsigned n = 0;
	size_t i;

	for (i = 0; i < 2 * sizeof(protos); i++) {
		memset(&p, 0, sizeof(p));
		p.ip_version = 4;
		p.src.family = p.dst.family = AF_INET;
		p.src.a[0] = 10;
		p.src.a[3] = 1;
		p.dst.a[0] = 192;
		p.dst.a[1] = 0;
		p.dst.a[2] = 2;
		p.dst.a[3] = 7;
		p.proto = protos[i % sizeof(protos)];
		p.sport = 40000;
		p.dport = 80;
		p.flow_flags = i & 1 ? VP_PKT_TO_CLIENT : VP_PKT_TO_SERVER | VP_PKT_ESTABLISHED;
		p.anomalies = i >= sizeof(protos) ? VP_ANOM_IP_FRAGMENT : 0;
		p.payload.ptr = pl;
		p.payload.len = plen;
		vp_sig_match_packet(set, th, &p, count_hit, &n);
	}
}

/* Every buffer present and fresh, holding <pl>; the stream's first half seen before. */
static void match_buffers(const struct vp_sig_set *set, struct vp_sig_thread *th,
			  const uint8_t *pl, size_t plen)
{
	struct vp_sig_input in;
	struct vp_packet p;
	uint8_t bits[64];
	unsigned n = 0;
	int b;

	memset(&p, 0, sizeof(p));
	memset(&in, 0, sizeof(in));
	memset(bits, 0, sizeof(bits));
	p.ip_version = 4;
	p.src.family = p.dst.family = AF_INET;
	p.proto = 6;
	p.sport = 40000;
	p.dport = 80;
	p.flow_flags = VP_PKT_TO_SERVER | VP_PKT_ESTABLISHED | VP_PKT_HAS_FLOW;
	p.payload.ptr = pl;
	p.payload.len = plen;
	in.p = &p;
	for (b = 0; b < VP_BUF_COUNT; b++) {
		in.buf[b].ptr = pl;
		in.buf[b].len = plen;
	}
	in.present = in.fresh = (1ull << VP_BUF_COUNT) - 1;
	in.stream_new_off = plen / 2;
	in.flowbits = vp_sig_set_flowbits_bytes(set) <= sizeof(bits) ? bits : NULL;
	vp_sig_match(set, th, &in, count_hit, &n);
	vp_sig_match(set, th, &in, count_hit, &n);	/* flowbits and thresholds now set */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t rlen = nl ? (size_t)(nl - data) : size;
	struct vp_sig_set *set;
	struct vp_sig_thread *th;
	char *rule;

	if (rlen > 70000)
		return 0;
	rule = malloc(rlen + 1);
	if (!rule)
		return 0;
	memcpy(rule, data, rlen);
	rule[rlen] = '\0';
	set = vp_sig_set_new(fuzz_vars());
	if (!set)
		goto out;
	if (vp_sig_set_add(set, rule, "fuzz", 1, NULL, NULL) == 0 &&
	    vp_sig_set_compile(set, NULL, NULL) == 0) {
		th = vp_sig_thread_new(set);
		if (th) {
			match_all(set, th, nl ? nl + 1 : data, nl ? size - rlen - 1 : 0);
			match_buffers(set, th, nl ? nl + 1 : data, nl ? size - rlen - 1 : 0);
			vp_sig_thread_free(th);
		}
	}
	vp_sig_set_free(set);
out:
	free(rule);
	return 0;
}
