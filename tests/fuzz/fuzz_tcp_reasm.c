/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes TCP reassembly with a list of segments fed to one session.
 *
 * Input: a 4-byte header, then records of 7 bytes plus payload (a record cut
 * short by the end of the input is dropped).
 *   header: [0] bit 0 conflict_drop, bits 1-2 window (0, 7, 100, 4096),
 *               bits 3-4 pool chunks (4, 16, 64, 1024), bit 5 depth 300,
 *               bit 6 window scale option in the SYNs (shift 2),
 *               bit 7 start with a three-way handshake
 *           [1] ooo_segs - 1 (& 31)
 *           [2] bits 0-2: ooo_bytes = 16 << n; bits 4-7: max_segment = 16 * (n + 1)
 *           [3] ISNs: client 0xffffff80 + b (wraps soon), server b * 0x01010101
 *   record: [0] bit 0 to the server, bit 1 ACK number valid, bit 2 payload from
 *               the input (else the stream's reference bytes, so resends agree),
 *               bit 3 release and re-init the session first
 *           [1..2] sequence offset from the sender's ISN + 1, signed 16-bit
 *           [3] TCP flags
 *           [4] ACK offset from the peer's ISN + 1, times 8
 *           [5] window, times 16
 *           [6] payload length
 * Checks after every packet: result in range; the delivery well formed and
 * bounded; its new bytes follow the previous ones (unless a gap is flagged);
 * its window bytes are the previous delivered tail; with conflict_drop, every
 * delivered byte equals any byte at that sequence number let through before
 * (OK/BUFFERED) — the prevent-mode promise; pool use within the per-session
 * bound; and after a release no chunk or descriptor in use.
 */
#include "vp_build.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/tcp_reasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR	  4
#define REC	  7
#define SHADOW	  (1u << 16)
#define PER_CHUNK (VP_TCP_REASM_CHUNK + 64)
#define VALID	  (1ull << 32)

struct dir_state {
	uint64_t end;	      /* delivered stream offset end */
	bool any;	      /* something delivered */
	uint8_t val[SHADOW];  /* bytes let through, by sequence number */
	uint64_t tag[SHADOW]; /* VALID | full sequence number of val[] */
};

struct fz {
	struct vp_tcp_reasm *r;
	struct vp_tcp_session s;
	struct vp_tcp_reasm_limits l;
	uint32_t isn[2];
	uint8_t wscale;
	struct dir_state d[2];
};

static void check(bool ok)
{
	if (!ok)
		abort();
}

static uint8_t ref_byte(uint32_t seq)
{
	return (uint8_t)(seq * 2654435761u >> 24);
}

static void limits_from(const uint8_t *h, struct vp_tcp_reasm_limits *l)
{
	static const uint32_t windows[4] = {0, 7, 100, 4096};
	static const uint32_t chunks[4] = {4, 16, 64, 1024};

	vp_tcp_reasm_limits_default(l);
	l->conflict_drop = h[0] & 1;
	l->window = windows[(h[0] >> 1) & 3];
	l->memcap = (uint64_t)chunks[(h[0] >> 3) & 3] * PER_CHUNK;
	l->depth = (h[0] & 0x20) ? 300 : 0;
	l->ooo_segs = 1 + (h[1] & 31);
	l->ooo_bytes = 16u << (h[2] & 7);
	l->max_segment = 16u * (1 + (h[2] >> 4));
}

static void shadow_put(struct dir_state *d, uint32_t seq, uint8_t b)
{
	d->val[seq % SHADOW] = b;
	d->tag[seq % SHADOW] = VALID | seq;
}

/* Checks one delivery of direction <di> against what was let through before. */
static void check_delivery(struct fz *f, int di, const struct vp_tcp_delivery *o)
{
	struct dir_state *d = &f->d[di];
	size_t n, i,
	    bound = f->l.window +
		    (f->l.max_segment > f->l.ooo_bytes ? f->l.max_segment : f->l.ooo_bytes);
	uint64_t at;

	check(o->new_off <= o->len && o->len <= bound && o->new_off <= f->l.window);
	n = o->len - o->new_off;
	if (!n)
		return;
	check(o->data != NULL && o->new_off <= o->stream_off + o->new_off);
	at = o->stream_off + o->new_off;
	if (o->flags & VP_REASM_F_GAP)
		check(o->new_off == 0 && (!d->any || at >= d->end));
	else if (d->any)
		check(at == d->end);
	for (i = 0; i < o->len; i++) {
		uint32_t seq = f->s.dir[di].base + (uint32_t)(o->stream_off + i);
		struct dir_state *ds = d;

		if (ds->tag[seq % SHADOW] == (VALID | seq) &&
		    (i < o->new_off || f->l.conflict_drop))
			check(ds->val[seq % SHADOW] == o->data[i]);
		shadow_put(ds, seq, o->data[i]);
	}
	d->end = at + n;
	d->any = true;
}

/* Records what a let-through packet put at or after the stream's next byte. */
static void record(struct fz *f, int di, const struct vp_packet *p, uint32_t next_seq)
{
	uint32_t seq = p->tcp_seq + ((p->tcp_flags & VP_TCP_SYN) ? 1 : 0);
	size_t i;

	for (i = 0; i < p->payload.len; i++) {
		uint32_t q = seq + (uint32_t)i;

		if ((int32_t)(q - next_seq) >= 0)
			shadow_put(&f->d[di], q, p->payload.ptr[i]);
	}
}

static void check_pool(const struct fz *f)
{
	struct vp_tcp_reasm_stats st;
	uint64_t per_stream = (f->l.window + f->l.ooo_bytes) / VP_TCP_REASM_CHUNK + 4;

	vp_tcp_reasm_stats(f->r, &st);
	check(st.chunks_used <= st.chunks_total && st.descs_used <= st.descs_total);
	check(st.chunks_used <= 2 * per_stream);
}

static void release(struct fz *f)
{
	struct vp_tcp_reasm_stats st;

	vp_tcp_reasm_session_release(f->r, &f->s);
	vp_tcp_reasm_stats(f->r, &st);
	check(st.chunks_used == 0 && st.descs_used == 0);
	memset(f->d, 0, sizeof(f->d));
}

static int packet(struct fz *f, bool to_server, uint32_t seq, uint32_t ack, uint8_t flags,
		  uint16_t win, const uint8_t *pl, size_t len, bool ws)
{
	struct vp_tcp_delivery o;
	int di = to_server ? 0 : 1, ret;
	uint8_t l4[24] = {0};
	struct vp_packet p = {
	    .proto = IPPROTO_TCP,
	    .tcp_seq = seq,
	    .tcp_ack = ack,
	    .tcp_flags = flags,
	    .tcp_win = win,
	    .payload = {.ptr = pl, .len = len},
	    .l4 = {.ptr = l4, .len = ws ? 24 : 20},
	};
	uint32_t next_seq;

	l4[12] = (ws ? 6 : 5) << 4;
	l4[20] = 1;
	l4[21] = 3;
	l4[22] = 3;
	l4[23] = f->wscale;
	ret = vp_tcp_reasm_packet(f->r, &f->s, &p, to_server, &o);
	check(ret >= VP_REASM_MEMCAP && ret <= VP_REASM_OK);
	check(ret != VP_REASM_OK || o.len > o.new_off);
	check_delivery(f, di, &o);
	next_seq = f->s.dir[di].base + (uint32_t)(f->s.dir[di].next - (o.len - o.new_off));
	if (ret == VP_REASM_OK || ret == VP_REASM_BUFFERED)
		record(f, di, &p, next_seq);
	check_pool(f);
	return ret;
}

static void handshake(struct fz *f, bool ws)
{
	packet(f, true, f->isn[0], 0, VP_TCP_SYN, 65535, NULL, 0, ws);
	packet(f, false, f->isn[1], f->isn[0] + 1, VP_TCP_SYN | VP_TCP_ACK, 65535, NULL, 0, ws);
	packet(f, true, f->isn[0] + 1, f->isn[1] + 1, VP_TCP_ACK, 65535, NULL, 0, false);
}

static void run(struct fz *f, const uint8_t *data, size_t size)
{
	uint8_t pl[256];
	size_t i = HDR;

	while (i + REC <= size) {
		const uint8_t *rc = data + i;
		bool to_server = rc[0] & 1;
		int di = to_server ? 0 : 1;
		size_t len = rc[6], k;
		uint32_t seq = f->isn[di] + 1 + (uint32_t)(int32_t)(int16_t)(rc[1] << 8 | rc[2]);
		uint32_t ack = (rc[0] & 2) ? f->isn[!di] + 1 + rc[4] * 8u : 0;

		i += REC;
		if (rc[0] & 4) {
			if (len > size - i)
				break;
			memcpy(pl, data + i, len);
			i += len;
		} else {
			for (k = 0; k < len; k++)
				pl[k] =
				    ref_byte(seq + ((rc[3] & VP_TCP_SYN) ? 1 : 0) + (uint32_t)k);
		}
		if (rc[0] & 8)
			release(f);
		packet(f, to_server, seq, ack, rc[3] | ((rc[0] & 2) ? VP_TCP_ACK : 0),
		       (uint16_t)(rc[5] << 4), pl, len, false);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz f;

	if (size < HDR)
		return 0;
	memset(&f, 0, sizeof(f));
	limits_from(data, &f.l);
	f.r = vp_tcp_reasm_new(&f.l);
	check(f.r != NULL);
	vp_tcp_reasm_session_init(&f.s);
	f.isn[0] = 0xffffff80u + data[3];
	f.isn[1] = data[3] * 0x01010101u;
	f.wscale = 2;
	if (data[0] & 0x80)
		handshake(&f, data[0] & 0x40);
	run(&f, data, size);
	release(&f);
	vp_tcp_reasm_free(f.r);
	return 0;
}
