/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes IP reassembly with a sequence of fragments built from a reference datagram.
 *
 * Input: a 2-byte header, then records of 6 bytes (a record cut short is dropped).
 *   header: [0] bit 0 IPv6, bit 1 tight limits (2 contexts, 8 chunks; else 64 and 2 MiB),
 *               bit 2 IPv6 hop-by-hop header in the unfragmentable part, bits 4-5 the L4
 *               protocol (UDP, TCP, ICMP, GRE)
 *           [1] seed of the reference bytes
 *   record: [0] bit 0 MF, bit 1 bytes from junk (else the reference's), bit 2 id + 1,
 *               bit 3 timestamp + 20 s, bit 4 flush first, bit 5 flip byte [5] of the packet,
 *               bit 6 length in bytes (else in 8-byte units)
 *           [1..2] offset in 8-byte units (13 bits)
 *           [3] length (bytes or 8-byte units, see bit 6), [4] extra high bits of the length
 *           [5] junk byte / flip position
 * Checks: the result is one of the enum; on COMPLETE the output is at most VP_DEFRAG_MAX_OUT
 * bytes, decodes to a valid unfragmented IP packet whose length fields match the output length,
 * has a correct IPv4 header checksum, and, when no junk or flipped packet was ever fed, carries
 * exactly the reference bytes; after a flush nothing is held.
 */
#include "vp_build.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/decode.h"
#include "inspect/defrag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR	2
#define REC	6
#define REF_LEN (65536u + 4096u)

static uint8_t ref[REF_LEN];
static uint8_t pkt[65536 + 128];

static void wr16(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static uint16_t csum(const uint8_t *b, size_t n)
{
	uint32_t acc = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)b[i] << 8 | b[i + 1];
	while (acc >> 16)
		acc = (acc & 0xffffu) + (acc >> 16);
	return (uint16_t)~acc;
}

struct fz {
	bool v6, hbh;
	uint8_t proto;
	size_t hdr_len; /* IPv4 header / IPv6 unfragmentable part */
};

/* Builds a fragment with <len> data bytes at <off> into pkt; returns the packet length. */
static size_t build(const struct fz *z, uint32_t id, uint32_t off, size_t len, bool mf,
		    const uint8_t *src)
{
	uint8_t *b = pkt;
	size_t n;

	memset(b, 0, 48);
	if (!z->v6) {
		b[0] = 0x45;
		wr16(b + 2, (uint32_t)(20 + len));
		wr16(b + 4, id);
		wr16(b + 6, (off >> 3) | (mf ? 0x2000u : 0));
		b[8] = 64;
		b[9] = z->proto;
		memcpy(b + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
		memcpy(b + 20, src, len);
		wr16(b + 10, csum(b, 20));
		return 20 + len;
	}
	b[0] = 0x60;
	b[7] = 64;
	b[8] = 0x20;
	b[23] = 1;
	b[24] = 0x20;
	b[39] = 2;
	b[6] = z->hbh ? 0 : 44;
	if (z->hbh) {
		b[40] = 44;
		b[42] = 1;
		b[43] = 4;
	}
	n = z->hdr_len;
	b[n] = z->proto;
	wr16(b + n + 2, (off & 0xfff8u) | (mf ? 1u : 0));
	wr16(b + n + 6, id);
	memcpy(b + n + 8, src, len);
	wr16(b + 4, (uint32_t)(n - 40 + 8 + len));
	return n + 8 + len;
}

static void check_out(const struct fz *z, const uint8_t *out, size_t outlen, bool clean)
{
	struct vp_packet p;
	size_t want;

	if (outlen > VP_DEFRAG_MAX_OUT || vp_decode_packet(&p, out, outlen) != VP_PARSE_OK ||
	    p.fragment || p.ip_version != (z->v6 ? 6 : 4))
		abort();
	want = z->v6 ? 40u + ((size_t)out[4] << 8 | out[5]) : ((size_t)out[2] << 8 | out[3]);
	if (want != outlen)
		abort();
	if (!z->v6 && csum(out, p.l3.len) != 0)
		abort();
	if (clean && memcmp(out + z->hdr_len, ref, outlen - z->hdr_len) != 0)
		abort();
}

static void run(struct vp_defrag *d, const struct fz *z, const uint8_t *data, size_t size)
{
	static const uint8_t zero[REF_LEN];
	uint8_t junk[4096 + 8];
	struct vp_packet p;
	const uint8_t *out;
	size_t outlen, n, len;
	bool clean = true;
	long now = 1000;
	uint32_t off;
	int r;

	for (; size >= REC; data += REC, size -= REC) {
		if (data[0] & 0x10)
			vp_defrag_flush(d);
		if (data[0] & 0x08)
			now += 20;
		off = ((uint32_t)data[1] << 8 | data[2]) & 0x1fffu;
		len = (data[0] & 0x40) ? data[3] : (size_t)data[3] * 8;
		len += (size_t)(data[4] & 0x0f) * 256 * ((data[0] & 0x40) ? 1 : 4);
		memset(junk, data[5], sizeof(junk));
		if (len > sizeof(junk) - 8)
			len = sizeof(junk) - 8;
		n = build(z, 0x1234u + (data[0] >> 2 & 1), off * 8, len, data[0] & 1,
			  data[0] & 2 ? junk : (off * 8 + len <= REF_LEN ? ref + off * 8 : zero));
		if (data[0] & 2 || off * 8 + len > REF_LEN)
			clean = false;
		if (data[0] & 0x20) {
			pkt[data[5] % n] ^= 0x5a;
			clean = false;
		}
		if (vp_decode_packet(&p, pkt, n) != VP_PARSE_OK)
			continue;
		p.ts.tv_sec = now;
		out = NULL;
		outlen = 0;
		r = vp_defrag_packet(d, &p, &out, &outlen);
		if (r < VP_DEFRAG_MEMCAP || r > VP_DEFRAG_DUPLICATE)
			abort();
		if (r == VP_DEFRAG_COMPLETE)
			check_out(z, out, outlen, clean);
		else if (out)
			abort();
	}
	vp_defrag_flush(d);
	if (vp_defrag_stats(d)->in_progress || vp_defrag_stats(d)->bytes_held)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t protos[4] = {17, 6, 1, 47};
	struct vp_defrag_limits l = {.max_datagrams = 64, .memcap = 1u << 21};
	struct vp_defrag *d;
	struct fz z = {0};
	size_t i;

	if (size < HDR)
		return 0;
	z.v6 = data[0] & 1;
	z.hbh = z.v6 && (data[0] & 4);
	z.proto = protos[data[0] >> 4 & 3];
	if (z.v6 && z.proto == 1)
		z.proto = 58;
	z.hdr_len = z.v6 ? (z.hbh ? 48 : 40) : 20;
	if (data[0] & 2) {
		l.max_datagrams = 2;
		l.memcap = 8 * VP_DEFRAG_CHUNK;
	}
	for (i = 0; i < REF_LEN; i++)
		ref[i] = (uint8_t)(data[1] + i * 13 + (i >> 9));
	d = vp_defrag_new(&l);
	if (!d)
		return 0;
	run(d, &z, data + HDR, size - HDR);
	vp_defrag_free(d);
	return 0;
}
