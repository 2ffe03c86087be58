/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <arpa/inet.h>
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
 * it already inspected) and as every HTTP buffer, with flowbit storage; then
 * as a stream fed in three steps and an HTTP transaction whose buffers come
 * back, with the per-flow prefilter memories.  Everything runs twice, with
 * and without the prefilter: a different number of matches is a bug (the
 * prefilter may only save work), and aborts.
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

/* An IPv4 packet <src> -> <dst> (dotted quads), ports 40000 -> <dport>. */
static void packet(struct vp_packet *p, const char *src, const char *dst, uint8_t proto,
		   uint16_t dport, uint32_t flow_flags)
{
	memset(p, 0, sizeof(*p));
	p->ip_version = 4;
	p->src.family = p->dst.family = AF_INET;
	inet_pton(AF_INET, src, p->src.a);
	inet_pton(AF_INET, dst, p->dst.a);
	p->proto = proto;
	p->sport = 40000;
	p->dport = dport;
	p->flow_flags = flow_flags;
}

static unsigned match_all(const struct vp_sig_set *set, struct vp_sig_thread *th,
			  const uint8_t *pl, size_t plen)
{
	static const uint8_t protos[] = { 6, 17, 1, 58, 47 };
	struct vp_packet p;
	unsigned n = 0;
	size_t i;

	for (i = 0; i < 2 * sizeof(protos); i++) {
		packet(&p, "10.0.0.1", "192.0.2.7", protos[i % sizeof(protos)], 80,
		       i & 1 ? VP_PKT_TO_CLIENT : VP_PKT_TO_SERVER | VP_PKT_ESTABLISHED);
		p.anomalies = i >= sizeof(protos) ? VP_ANOM_IP_FRAGMENT : 0;
		p.payload.ptr = pl;
		p.payload.len = plen;
		vp_sig_match_packet(set, th, &p, count_hit, &n);
	}
	return n;
}

/* Every buffer present and fresh, holding <pl>; the stream's first half seen before. */
static unsigned match_buffers(const struct vp_sig_set *set, struct vp_sig_thread *th,
			      const uint8_t *pl, size_t plen)
{
	struct vp_sig_input in;
	struct vp_packet p;
	uint8_t bits[64];
	unsigned n = 0;
	int b;

	memset(&in, 0, sizeof(in));
	memset(bits, 0, sizeof(bits));
	packet(&p, "0.0.0.0", "0.0.0.0", 6, 80,
	       VP_PKT_TO_SERVER | VP_PKT_ESTABLISHED | VP_PKT_HAS_FLOW);
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
	return n;
}

/* The packet part of a stream call: bytes [ws, end) of <pl>, new from <nw> on. */
static void stream_step(struct vp_sig_input *in, struct vp_packet *p, const uint8_t *pl,
			size_t ws, size_t nw, size_t end)
{
	in->buf[VP_BUF_PACKET].ptr = p->payload.ptr = pl + nw;
	in->buf[VP_BUF_PACKET].len = p->payload.len = end - nw;
	in->buf[VP_BUF_STREAM].ptr = pl + ws;
	in->buf[VP_BUF_STREAM].len = end - ws;
	in->present = in->fresh = (1ull << VP_BUF_PACKET) | (1ull << VP_BUF_STREAM);
	in->stream_new_off = nw - ws;
	in->stream_off = ws;
}

/*
 * A stream in three steps (the window sliding on the last), from an outside
 * client to a home server, then the payload as a transaction's buffers:
 * fresh, then back not fresh with a response.
 */
static unsigned match_memories(const struct vp_sig_set *set, struct vp_sig_thread *th,
			       const uint8_t *pl, size_t plen)
{
	struct vp_sig_stream_mem sm;
	struct vp_sig_buf_mem bm;
	struct vp_sig_input in;
	struct vp_packet p;
	unsigned n = 0;
	int b;

	memset(&in, 0, sizeof(in));
	memset(&sm, 0, sizeof(sm));
	memset(&bm, 0, sizeof(bm));
	packet(&p, "198.51.100.9", "10.0.0.1", 6, 8000,
	       VP_PKT_TO_SERVER | VP_PKT_ESTABLISHED | VP_PKT_HAS_FLOW);
	in.p = &p;
	in.stream_mem = &sm;
	if (plen >= 3) {
		stream_step(&in, &p, pl, 0, 0, plen / 3);
		vp_sig_match(set, th, &in, count_hit, &n);
		stream_step(&in, &p, pl, 0, plen / 3, 2 * plen / 3);
		vp_sig_match(set, th, &in, count_hit, &n);
		stream_step(&in, &p, pl, plen / 4, 2 * plen / 3, plen);
		vp_sig_match(set, th, &in, count_hit, &n);
	}
	memset(&in.buf, 0, sizeof(in.buf));
	in.stream_mem = NULL;
	in.buf_mem = &bm;
	in.tx_id = 7;
	for (b = VP_BUF_HTTP_METHOD; b < VP_BUF_COUNT; b++) {
		in.buf[b].ptr = pl;
		in.buf[b].len = plen;
	}
	in.present = in.fresh = ((1ull << VP_BUF_COUNT) - 1) & ~3ull;
	vp_sig_match(set, th, &in, count_hit, &n);
	in.fresh = 1ull << VP_BUF_HTTP_STAT_CODE;
	vp_sig_match(set, th, &in, count_hit, &n);
	p.flow_flags = VP_PKT_TO_CLIENT | VP_PKT_ESTABLISHED | VP_PKT_HAS_FLOW;
	vp_sig_match(set, th, &in, count_hit, &n);
	return n;
}

/* Everything above over one compiled set; the number of matches. */
static unsigned run_set(const struct vp_sig_set *set, const uint8_t *pl, size_t plen)
{
	struct vp_sig_thread *th = vp_sig_thread_new(set);
	unsigned n;

	if (!th)
		return 0;
	n = match_all(set, th, pl, plen);
	n += match_buffers(set, th, pl, plen);
	n += match_memories(set, th, pl, plen);
	vp_sig_thread_free(th);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t rlen = nl ? (size_t)(nl - data) : size;
	const uint8_t *pl = nl ? nl + 1 : data;
	size_t plen = nl ? size - rlen - 1 : 0;
	struct vp_sig_set *set, *all = NULL;
	char *rule;

	if (rlen > 70000)
		return 0;
	rule = malloc(rlen + 1);
	if (!rule)
		return 0;
	memcpy(rule, data, rlen);
	rule[rlen] = '\0';
	set = vp_sig_set_new(fuzz_vars());
	all = vp_sig_set_new(fuzz_vars());
	if (!set || !all || vp_sig_set_prefilter(all, false) < 0)
		goto out;
	if (vp_sig_set_add(set, rule, "fuzz", 1, NULL, NULL) == 0 &&
	    vp_sig_set_compile(set, NULL, NULL) == 0 &&
	    vp_sig_set_add(all, rule, "fuzz", 1, NULL, NULL) == 0 &&
	    vp_sig_set_compile(all, NULL, NULL) == 0 &&
	    run_set(set, pl, plen) != run_set(all, pl, plen))
		abort();	/* the prefilter changed what matches */
out:
	vp_sig_set_free(set);
	vp_sig_set_free(all);
	free(rule);
	return 0;
}
