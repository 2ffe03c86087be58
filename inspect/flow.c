/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-worker flow table.
 *
 * Memory: one pool of max_tcp + max_udp + max_other flows, a free list linked
 * through vp_flow.next, and a table of chain heads (a power of two >= the pool
 * size) whose chains are linked through vp_flow.next too.  Everything is
 * allocated by vp_flow_table_new(); lookups only move indexes around.
 *
 * Expiry: every flow sits on exactly one of five LRU lists, chosen so that
 * all flows of one list share a timeout (TCP handshake, TCP established or
 * closing, TCP closed, UDP, other).  A packet moves its flow to the head of
 * its list, so each list's tail is the flow of that list that expires first:
 * finding and releasing expired flows is O(1) per flow, never a scan.
 *
 * Hashing: the bucket hash is keyed with a random per-table seed (so an
 * outsider cannot aim many tuples at one chain); the flow id uses the same
 * mixing with a fixed seed plus the table's creation counter, so an offline
 * run over the same packets gives the same ids.  The mixing is not a
 * cryptographic PRF, only a good spread that the seed makes unpredictable.
 *
 * Direction: the client is the sender of the first packet, except that a
 * flow first seen with a SYN/ACK takes the receiver as client (the SYN was
 * missed).  A flow first seen without a SYN is "midstream"; its client is
 * the sender of that first packet, unless that packet goes from a service
 * port to a client one (below 1024 to 1024 and above, or below 32768 to
 * the ephemeral range 32768 and above): a server's reply, as after vpatchd
 * restarted under traffic, so that the connection's next requests are
 * still inspected as requests.
 */
#include "vp_build.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "inspect/flow.h"

/* Ids fit in 51 bits (exact in a JSON double) and never depend on the table seed. */
#define NIL		     UINT32_MAX
#define ID_MASK		     0x7ffffffffffffULL
#define ID_SEED		     0x5650415443482d31ULL
#define LOOKUP_EXPIRE_BUDGET 2 /* idle flows released per lookup */
#define MAX_POOL	     (1u << 30)

/* Protocol classes, each with its own cap. */
enum flow_class {
	CLS_TCP = 0,
	CLS_UDP,
	CLS_OTHER,
	CLS_COUNT,
};

/* LRU lists; all flows of one list share a timeout. */
enum flow_list {
	LST_TCP_SYN = 0, /* NONE, SYN_SENT, SYN_RECV */
	LST_TCP_EST,	 /* ESTABLISHED, CLOSING */
	LST_TCP_CLOSED,
	LST_UDP,
	LST_OTHER,
	LST_COUNT,
	LST_FREE = 0xff,
};

/* Per-flow private bits kept beside the pool (vp_flow has no room for them). */
enum flow_aux_flag {
	AUX_FIN_CLIENT = 1u << 0,
	AUX_FIN_SERVER = 1u << 1,
	AUX_DATA_CLIENT = 1u << 2, /* the client sent payload */
	AUX_DATA_SERVER = 1u << 3,
};

struct flow_aux {
	uint8_t list;  /* enum flow_list, LST_FREE when not in use */
	uint8_t flags; /* enum flow_aux_flag */
};

struct lru {
	uint32_t head, tail;
};

/* The 5-tuple of a packet as seen on the wire (src first). */
struct flow_key {
	uint8_t addr[2][16]; /* [0] = source, [1] = destination; IPv4 in the first 4 bytes */
	uint16_t port[2];
	uint8_t family;
	uint8_t alen; /* 4 or 16 */
	uint8_t proto;
	uint8_t cls; /* enum flow_class */
};

struct vp_flow_table {
	struct vp_flow_limits lim;
	struct vp_flow *pool;
	struct flow_aux *aux;
	uint32_t *buckets;
	uint32_t pool_size;
	uint32_t mask;
	uint32_t free_head;
	uint32_t cap[CLS_COUNT];
	uint32_t active[CLS_COUNT];
	uint32_t timeout[LST_COUNT];
	struct lru lru[LST_COUNT];
	unsigned expire_cursor;
	uint64_t seed;
	uint64_t created; /* creation counter, feeds the flow ids */
	uint64_t expired;
	uint64_t capped[CLS_COUNT];
	vp_flow_release_fn release;
	void *release_ctx;
	struct vp_flow_shared *shared;	/* host-wide counts, or NULL */
};

void vp_flow_limits_default(struct vp_flow_limits *l)
{
	l->max_tcp = 100000;
	l->max_udp = 100000;
	l->max_other = 10000;
	l->tcp_syn_timeout = 30;
	l->tcp_est_timeout = 3600;
	l->tcp_closed_timeout = 10;
	l->udp_timeout = 120;
	l->other_timeout = 30;
	l->rst_closes = true;
}

/* ---- hashing ---------------------------------------------------------- */

static uint64_t fmix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Orders the two endpoints so that both directions of a tuple hash the same. */
static bool endpoint_less(const struct flow_key *k)
{
	int c = memcmp(k->addr[0], k->addr[1], k->alen);

	return c < 0 || (c == 0 && k->port[0] <= k->port[1]);
}

static uint64_t tuple_hash(const struct flow_key *k, uint64_t seed)
{
	uint64_t w[5] = {0};
	unsigned lo = endpoint_less(k) ? 0 : 1;
	uint64_t h = seed;
	unsigned i;

	memcpy(&w[0], k->addr[lo], k->alen); /* alen is 4 or 16: fits w[0..1] */
	memcpy(&w[2], k->addr[lo ^ 1], k->alen);
	w[4] = (uint64_t)k->port[lo] | (uint64_t)k->port[lo ^ 1] << 16 | (uint64_t)k->proto << 32 |
	       (uint64_t)k->family << 40;
	for (i = 0; i < 5; i++)
		h = fmix64(h ^ w[i]) + 0x9e3779b97f4a7c15ULL;
	return fmix64(h);
}

static uint64_t make_id(const struct flow_key *k, uint64_t counter)
{
	uint64_t id = fmix64(tuple_hash(k, ID_SEED) ^ fmix64(counter)) & ID_MASK;

	return id ? id : 1;
}

static uint64_t random_seed(const void *salt)
{
	uint64_t seed = 0;
	struct timeval tv;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed))
		return seed;
	gettimeofday(&tv, NULL); /* entropy pool not ready: weak but working fallback */
	return fmix64((uint64_t)tv.tv_sec ^ (uint64_t)tv.tv_usec << 20 ^ (uintptr_t)salt);
}

/* ---- table construction ----------------------------------------------- */

static void table_init_lists(struct vp_flow_table *t)
{
	const struct vp_flow_limits *l = &t->lim;
	uint32_t i;

	t->cap[CLS_TCP] = l->max_tcp;
	t->cap[CLS_UDP] = l->max_udp;
	t->cap[CLS_OTHER] = l->max_other;
	t->timeout[LST_TCP_SYN] = l->tcp_syn_timeout;
	t->timeout[LST_TCP_EST] = l->tcp_est_timeout;
	t->timeout[LST_TCP_CLOSED] = l->tcp_closed_timeout;
	t->timeout[LST_UDP] = l->udp_timeout;
	t->timeout[LST_OTHER] = l->other_timeout;
	for (i = 0; i < LST_COUNT; i++)
		t->lru[i].head = t->lru[i].tail = NIL;
	for (i = 0; i <= t->mask; i++)
		t->buckets[i] = NIL;
	for (i = 0; i < t->pool_size; i++) {
		t->pool[i].next = i + 1 < t->pool_size ? i + 1 : NIL;
		t->pool[i].lru_prev = t->pool[i].lru_next = NIL;
		t->aux[i].list = LST_FREE;
	}
	t->free_head = t->pool_size ? 0 : NIL;
}

/*
 * Accepts any limits whose caps add up to at most 2^30 flows (a cap of 0
 * refuses every new flow of its class).  The caller owns the table and frees
 * it with vp_flow_table_free().  Control thread; the table is then used by
 * one worker only.
 */
struct vp_flow_table *vp_flow_table_new(const struct vp_flow_limits *limits)
{
	uint64_t total = (uint64_t)limits->max_tcp + limits->max_udp + limits->max_other;
	struct vp_flow_table *t;
	uint32_t nb = 1;

	if (total > MAX_POOL)
		return NULL;
	while (nb < total)
		nb <<= 1;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->lim = *limits;
	t->pool_size = (uint32_t)total;
	t->mask = nb - 1;
	t->pool = calloc(total ? total : 1, sizeof(*t->pool));
	t->aux = calloc(total ? total : 1, sizeof(*t->aux));
	t->buckets = calloc(nb, sizeof(*t->buckets));
	if (!t->pool || !t->aux || !t->buckets)
		goto err;
	t->seed = random_seed(t);
	table_init_lists(t);
	return t;
err:
	vp_flow_table_free(t);
	return NULL;
}

static unsigned list_class(unsigned list)
{
	if (list == LST_UDP)
		return CLS_UDP;
	if (list == LST_OTHER)
		return CLS_OTHER;
	return CLS_TCP;
}

void vp_flow_table_set_shared(struct vp_flow_table *t, struct vp_flow_shared *sh)
{
	t->shared = sh;
}

/* Reserves room for one more flow of class <cls>: in this table, or host-wide. */
static bool take_slot(struct vp_flow_table *t, unsigned cls)
{
	if (!t->shared)
		return t->active[cls] < t->cap[cls];
	if (atomic_fetch_add_explicit(&t->shared->active[cls], 1, memory_order_relaxed) <
	    t->cap[cls])
		return true;
	atomic_fetch_sub_explicit(&t->shared->active[cls], 1, memory_order_relaxed);
	return false;
}

void vp_flow_table_set_release(struct vp_flow_table *t, vp_flow_release_fn fn, void *ctx)
{
	t->release = fn;
	t->release_ctx = ctx;
}

/* NULL-safe.  Flows still holding a user pointer go through the release hook first. */
void vp_flow_table_free(struct vp_flow_table *t)
{
	uint32_t i;

	if (!t)
		return;
	for (i = 0; t->pool && t->aux && i < t->pool_size; i++) {
		if (t->aux[i].list == LST_FREE)
			continue;
		if (t->release && t->pool[i].user)
			t->release(t->release_ctx, &t->pool[i]);
		if (t->shared)
			atomic_fetch_sub_explicit(&t->shared->active[list_class(t->aux[i].list)], 1,
						  memory_order_relaxed);
	}
	free(t->pool);
	free(t->aux);
	free(t->buckets);
	free(t);
}

/* ---- lists -------------------------------------------------------------- */

static void lru_unlink(struct vp_flow_table *t, uint32_t idx)
{
	struct vp_flow *f = &t->pool[idx];
	struct lru *l = &t->lru[t->aux[idx].list];

	if (f->lru_prev != NIL)
		t->pool[f->lru_prev].lru_next = f->lru_next;
	else
		l->head = f->lru_next;
	if (f->lru_next != NIL)
		t->pool[f->lru_next].lru_prev = f->lru_prev;
	else
		l->tail = f->lru_prev;
	f->lru_prev = f->lru_next = NIL;
}

static void lru_push_head(struct vp_flow_table *t, uint32_t idx, uint8_t list)
{
	struct vp_flow *f = &t->pool[idx];
	struct lru *l = &t->lru[list];

	t->aux[idx].list = list;
	f->lru_prev = NIL;
	f->lru_next = l->head;
	if (l->head != NIL)
		t->pool[l->head].lru_prev = idx;
	else
		l->tail = idx;
	l->head = idx;
}

static void chain_unlink(struct vp_flow_table *t, uint32_t idx)
{
	uint32_t *link = &t->buckets[t->pool[idx].hash & t->mask];

	while (*link != NIL && *link != idx)
		link = &t->pool[*link].next;
	if (*link == idx)
		*link = t->pool[idx].next;
}

static uint8_t flow_list_of(const struct vp_flow *f)
{
	if (f->proto == IPPROTO_UDP)
		return LST_UDP;
	if (f->proto != IPPROTO_TCP)
		return LST_OTHER;
	if (f->tcp_state == VP_TCP_CLOSED)
		return LST_TCP_CLOSED;
	if (f->tcp_state >= VP_TCP_ESTABLISHED)
		return LST_TCP_EST;
	return LST_TCP_SYN;
}

/*
 * Returns a flow to the free list.  A flow with a user pointer goes through
 * the release hook first, so later stages free their per-flow state.
 */
static void flow_release(struct vp_flow_table *t, uint32_t idx)
{
	unsigned cls = list_class(t->aux[idx].list);

	if (t->pool[idx].user && t->release)
		t->release(t->release_ctx, &t->pool[idx]);
	chain_unlink(t, idx);
	lru_unlink(t, idx);
	t->aux[idx].list = LST_FREE;
	t->aux[idx].flags = 0;
	t->active[cls]--;
	if (t->shared)
		atomic_fetch_sub_explicit(&t->shared->active[cls], 1, memory_order_relaxed);
	t->pool[idx].user = NULL;
	t->pool[idx].next = t->free_head;
	t->free_head = idx;
}

/* ---- time --------------------------------------------------------------- */

/* True when more than <timeout> seconds passed from <last> to <now>. */
static bool idle_past(const struct timeval *last, const struct timeval *now, uint32_t timeout)
{
	uint64_t diff;

	if (now->tv_sec < last->tv_sec)
		return false;
	diff = (uint64_t)now->tv_sec - (uint64_t)last->tv_sec;
	return diff > timeout || (diff == timeout && now->tv_usec > last->tv_usec);
}

static bool tv_before(const struct timeval *a, const struct timeval *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_usec < b->tv_usec);
}

static bool flow_expired(const struct vp_flow_table *t, uint32_t idx, const struct timeval *now)
{
	return idle_past(&t->pool[idx].last_seen, now, t->timeout[t->aux[idx].list]);
}

/* Releases the tail of <list> if it is idle past its timeout. */
static bool expire_tail(struct vp_flow_table *t, unsigned list, const struct timeval *now)
{
	uint32_t idx = t->lru[list].tail;

	if (idx == NIL || !flow_expired(t, idx, now))
		return false;
	flow_release(t, idx);
	t->expired++;
	return true;
}

/*
 * Visits the lists round-robin from a rotating start, one tail each per
 * round, so that a busy list cannot starve the others of the budget.
 */
static unsigned expire_some(struct vp_flow_table *t, const struct timeval *now, unsigned budget)
{
	unsigned n = 0, i, list;
	bool progress = true;

	while (n < budget && progress) {
		progress = false;
		for (i = 0; i < LST_COUNT && n < budget; i++) {
			list = (t->expire_cursor + i) % LST_COUNT;
			if (expire_tail(t, list, now)) {
				n++;
				progress = true;
			}
		}
	}
	t->expire_cursor = (t->expire_cursor + 1) % LST_COUNT;
	return n;
}

/*
 * Accepts any <now> (a capture's clock: flows idle past their timeout as of
 * <now> are released, at most <budget> of them).  Returns how many were
 * released; flow pointers obtained before are invalid for released flows.
 * Owner worker only.
 */
unsigned vp_flow_expire(struct vp_flow_table *t, const struct timeval *now, unsigned budget)
{
	return expire_some(t, now, budget);
}

/* Frees one expired flow of class <cls> to make room; false if there is none. */
static bool reclaim(struct vp_flow_table *t, unsigned cls, const struct timeval *now)
{
	unsigned list;

	for (list = 0; list < LST_COUNT; list++)
		if (list_class(list) == cls && expire_tail(t, list, now))
			return true;
	return false;
}

/* ---- keys and lookup ---------------------------------------------------- */

/* Fills <k> from <p>; false when the packet cannot be tracked. */
static bool key_from_packet(const struct vp_packet *p, struct flow_key *k)
{
	if (p->fragment || (p->anomalies & (VP_ANOM_NO_VALID_IP | VP_ANOM_IP_FRAGMENT)))
		return false;
	memset(k, 0, sizeof(*k));
	if (p->ip_version == 4) {
		k->family = AF_INET;
		k->alen = 4;
	} else if (p->ip_version == 6) {
		k->family = AF_INET6;
		k->alen = 16;
	} else {
		return false;
	}
	memcpy(k->addr[0], p->src.a, k->alen);
	memcpy(k->addr[1], p->dst.a, k->alen);
	k->proto = p->proto;
	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) {
		if (p->anomalies & VP_ANOM_L4_TRUNCATED)
			return false; /* no ports: no tuple */
		k->port[0] = p->sport;
		k->port[1] = p->dport;
		k->cls = p->proto == IPPROTO_TCP ? CLS_TCP : CLS_UDP;
	} else {
		k->cls = CLS_OTHER;
	}
	return true;
}

static bool addr_eq(const struct vp_addr *a, const uint8_t *b, uint8_t alen)
{
	return memcmp(a->a, b, alen) == 0;
}

/* Does flow <f> carry tuple <k>, and in which direction (true = to server)? */
static bool flow_matches(const struct vp_flow *f, const struct flow_key *k, bool *to_server)
{
	if (f->proto != k->proto || f->client.family != k->family)
		return false;
	if (f->cport == k->port[0] && f->sport == k->port[1] &&
	    addr_eq(&f->client, k->addr[0], k->alen) && addr_eq(&f->server, k->addr[1], k->alen)) {
		*to_server = true;
		return true;
	}
	if (f->cport == k->port[1] && f->sport == k->port[0] &&
	    addr_eq(&f->client, k->addr[1], k->alen) && addr_eq(&f->server, k->addr[0], k->alen)) {
		*to_server = false;
		return true;
	}
	return false;
}

static uint32_t flow_find(const struct vp_flow_table *t, const struct flow_key *k, uint32_t hash,
			  bool *to_server)
{
	uint32_t idx = t->buckets[hash & t->mask];

	while (idx != NIL) {
		if (t->pool[idx].hash == hash && flow_matches(&t->pool[idx], k, to_server))
			return idx;
		idx = t->pool[idx].next;
	}
	return NIL;
}

static int cap_result(unsigned cls)
{
	if (cls == CLS_TCP)
		return VP_FLOW_CAP_TCP;
	if (cls == CLS_UDP)
		return VP_FLOW_CAP_UDP;
	return VP_FLOW_CAP_OTHER;
}

static bool is_synack(uint8_t tcp_flags)
{
	return (tcp_flags & (VP_TCP_SYN | VP_TCP_ACK)) == (VP_TCP_SYN | VP_TCP_ACK);
}

/* Which end of a new flow's first packet (key <k>, in packet order) is the client: 0 its sender. */
static unsigned first_client(const struct flow_key *k, uint8_t tcp_flags)
{
	uint16_t sp = k->port[0], dp = k->port[1];

	if (k->proto != IPPROTO_TCP)
		return 0;
	if (is_synack(tcp_flags))
		return 1; /* SYN/ACK first: its receiver opened the connection */
	if (!(tcp_flags & VP_TCP_SYN) &&
	    ((sp < 1024 && dp >= 1024) || (sp < 32768 && dp >= 32768)))
		return 1; /* midstream, from a service port to a client one: a reply */
	return 0;
}

/* Sets the client/server sides of new flow <f> from the first packet. */
static void flow_set_sides(struct vp_flow *f, const struct flow_key *k, uint8_t tcp_flags)
{
	unsigned c = first_client(k, tcp_flags);

	if (k->proto == IPPROTO_TCP)
		f->midstream = !(tcp_flags & VP_TCP_SYN) || (tcp_flags & VP_TCP_ACK);
	f->client.family = f->server.family = k->family;
	memcpy(f->client.a, k->addr[c], k->alen);
	memcpy(f->server.a, k->addr[c ^ 1], k->alen);
	f->cport = k->port[c];
	f->sport = k->port[c ^ 1];
}

/* Takes a free flow for <k>; on a full class reclaims an expired one first. */
static int flow_create(struct vp_flow_table *t, const struct vp_packet *p, const struct flow_key *k,
		       uint32_t hash, uint32_t *out)
{
	struct vp_flow *f;
	uint32_t idx;

	if (!take_slot(t, k->cls) && !(reclaim(t, k->cls, &p->ts) && take_slot(t, k->cls)))
		goto cap;
	idx = t->free_head;
	if (idx == NIL)
		goto cap; /* cannot happen: the pool is the sum of the caps */
	f = &t->pool[idx];
	t->free_head = f->next;
	memset(f, 0, sizeof(*f));
	flow_set_sides(f, k, p->tcp_flags);
	f->proto = k->proto;
	f->tcp_state = VP_TCP_NONE;
	f->first_seen = f->last_seen = p->ts;
	f->hash = hash;
	f->id = make_id(k, ++t->created);
	f->next = t->buckets[hash & t->mask];
	t->buckets[hash & t->mask] = idx;
	t->aux[idx].flags = 0;
	t->active[k->cls]++;
	lru_push_head(t, idx, flow_list_of(f));
	*out = idx;
	return VP_FLOW_NEW;
cap:
	t->capped[k->cls]++;
	return cap_result(k->cls);
}

/* ---- TCP state ---------------------------------------------------------- */

static void tcp_on_syn(struct vp_flow *f, uint8_t tf, bool to_server)
{
	if (!(tf & VP_TCP_ACK)) {
		if (to_server && f->tcp_state == VP_TCP_NONE)
			f->tcp_state = VP_TCP_SYN_SENT;
		return;
	}
	if (!to_server && f->tcp_state <= VP_TCP_SYN_SENT)
		f->tcp_state = VP_TCP_SYN_RECV;
}

/*
 * Advances the TCP state of <f> for a packet with flags <tf> (counters
 * already updated).  Not a validating stream tracker: sequence numbers are
 * reassembly's business.  A FIN before the handshake completed is recorded
 * but does not make the flow "closing", so that it never looks established.
 */
static void tcp_track(struct vp_flow *f, uint8_t *aux, uint8_t tf, bool to_server,
		      bool rst_closes)
{
	bool both = f->pkts_toserver && f->pkts_toclient;
	uint8_t data_both = AUX_DATA_CLIENT | AUX_DATA_SERVER;
	uint8_t fin_both = AUX_FIN_CLIENT | AUX_FIN_SERVER;

	if (tf & VP_TCP_RST) {
		if (rst_closes)
			f->tcp_state = VP_TCP_CLOSED;
		return;
	}
	if (tf & VP_TCP_SYN) {
		tcp_on_syn(f, tf, to_server);
		return;
	}
	if ((f->tcp_state == VP_TCP_NONE && ((tf & VP_TCP_ACK) || both)) ||
	    (f->tcp_state == VP_TCP_SYN_RECV && to_server && (tf & VP_TCP_ACK)) ||
	    (f->tcp_state < VP_TCP_ESTABLISHED && (*aux & data_both) == data_both))
		f->tcp_state = VP_TCP_ESTABLISHED;
	if (!(tf & VP_TCP_FIN) || f->tcp_state == VP_TCP_CLOSED)
		return;
	*aux |= to_server ? AUX_FIN_CLIENT : AUX_FIN_SERVER;
	if ((*aux & fin_both) == fin_both)
		f->tcp_state = VP_TCP_CLOSED;
	else if (f->tcp_state >= VP_TCP_ESTABLISHED)
		f->tcp_state = VP_TCP_CLOSING;
}

/* ---- per packet --------------------------------------------------------- */

static void flow_update(struct vp_flow_table *t, uint32_t idx, struct vp_packet *p, bool to_server)
{
	struct vp_flow *f = &t->pool[idx];
	struct flow_aux *aux = &t->aux[idx];
	uint8_t was;
	bool est;

	if (tv_before(&f->last_seen, &p->ts))
		f->last_seen = p->ts; /* never backwards: capture clocks can jitter */
	if (to_server) {
		f->pkts_toserver++;
		f->bytes_toserver += p->len;
	} else {
		f->pkts_toclient++;
		f->bytes_toclient += p->len;
	}
	if (f->proto == IPPROTO_TCP) {
		if (p->payload.len)
			aux->flags |= to_server ? AUX_DATA_CLIENT : AUX_DATA_SERVER;
		was = f->tcp_state;
		tcp_track(f, &aux->flags, p->tcp_flags, to_server, t->lim.rst_closes);
		est = f->tcp_state == VP_TCP_ESTABLISHED || f->tcp_state == VP_TCP_CLOSING;
		/* The ACK that completes the handshake is not itself "established"
		 * (Suricata: flow:established begins with the packet after it). */
		if (was == VP_TCP_SYN_RECV && !p->payload.len)
			est = false;
	} else {
		est = f->pkts_toserver && f->pkts_toclient;
	}
	lru_unlink(t, idx);
	lru_push_head(t, idx, flow_list_of(f));
	p->flow_flags = VP_PKT_HAS_FLOW | (to_server ? VP_PKT_TO_SERVER : VP_PKT_TO_CLIENT) |
			(est ? VP_PKT_ESTABLISHED : 0);
}

void vp_flow_tcp_close(struct vp_flow_table *t, struct vp_flow *f)
{
	uint32_t idx = (uint32_t)(f - t->pool);

	if (f->proto != IPPROTO_TCP || f->tcp_state == VP_TCP_CLOSED)
		return;
	f->tcp_state = VP_TCP_CLOSED;
	lru_unlink(t, idx);
	lru_push_head(t, idx, flow_list_of(f));
}

/* A SYN on a closed TCP flow opens a new connection on the same tuple (port reuse). */
static bool tcp_port_reuse(const struct vp_flow *f, const struct vp_packet *p)
{
	return f->proto == IPPROTO_TCP && f->tcp_state == VP_TCP_CLOSED &&
	       (p->tcp_flags & (VP_TCP_SYN | VP_TCP_ACK | VP_TCP_RST)) == VP_TCP_SYN;
}

/*
 * Accepts any decoded packet, hostile ones included.  The flow stored in
 * *<flow> stays owned by the table and is valid until the next call of
 * vp_flow_lookup() or vp_flow_expire() on <t>, which may release it.
 * Returns an enum vp_flow_result.  Owner worker only.
 */
int vp_flow_lookup(struct vp_flow_table *t, struct vp_packet *p, struct vp_flow **flow)
{
	struct flow_key k;
	uint32_t hash, idx;
	bool to_server = true;
	int ret = VP_FLOW_FOUND;

	*flow = NULL;
	p->flow_flags = 0;
	if (!key_from_packet(p, &k))
		return VP_FLOW_NONE;
	expire_some(t, &p->ts, LOOKUP_EXPIRE_BUDGET);
	hash = (uint32_t)tuple_hash(&k, t->seed);
	idx = flow_find(t, &k, hash, &to_server);
	if (idx != NIL && flow_expired(t, idx, &p->ts)) {
		flow_release(t, idx);
		t->expired++;
		idx = NIL;
	} else if (idx != NIL && tcp_port_reuse(&t->pool[idx], p)) {
		flow_release(t, idx);
		idx = NIL;
	}
	if (idx == NIL) {
		if (k.proto == IPPROTO_TCP && (p->tcp_flags & VP_TCP_RST))
			return VP_FLOW_NONE;
		ret = flow_create(t, p, &k, hash, &idx);
		if (ret < 0)
			return ret;
		to_server = first_client(&k, p->tcp_flags) == 0;
	}
	flow_update(t, idx, p, to_server);
	*flow = &t->pool[idx];
	return ret;
}

/* Any thread that owns <t> (the worker, or the control thread once the worker stopped). */
void vp_flow_table_stats(const struct vp_flow_table *t, struct vp_flow_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->created = t->created;
	s->expired = t->expired;
	s->cap_tcp = t->capped[CLS_TCP];
	s->cap_udp = t->capped[CLS_UDP];
	s->cap_other = t->capped[CLS_OTHER];
	s->active_tcp = t->active[CLS_TCP];
	s->active_udp = t->active[CLS_UDP];
	s->active_other = t->active[CLS_OTHER];
}
