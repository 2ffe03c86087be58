/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kern_smoke: a small driver for the kernel-facing modules (daemon/nft.c, daemon/nfq.c,
 * daemon/reset.c), used by tests/netns/kern_smoke.sh inside a network namespace.
 *
 * Installs the vpatch table, opens N queues and accepts every packet except those whose
 * bytes contain a given string: those are dropped and, for TCP, both ends get an RST.
 * Counts directions and checks that both directions of every TCP/UDP flow arrive on the same
 * queue.  SIGINT/SIGTERM (or the -t deadline): removes the table, drains, prints the counters
 * ("summary key=value ...") and exits 0.  SIGUSR1 prints the counters.
 *
 *   kern_smoke [-q FIRST] [-n N] [-b] [-s STRING] [-m MARK] [-t SECONDS] [-l]
 *              [-p PORT]... [-i IFACE]...        run
 *   kern_smoke -P                                 print the probed backend and exit
 *   kern_smoke -R                                 remove the vpatch table(s) and exit
 */
#include "vp_build.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/nfq.h"
#include "daemon/nft.h"
#include "daemon/reset.h"

#define MAX_QUEUES 16
#define FLOW_SLOTS 4096

struct flow {
	bool used;
	uint8_t key[37];		/* proto, lower addr+port, higher addr+port (16+2 each) */
	uint8_t dirs;			/* 1: seen in the key's order, 2: reversed */
	uint16_t queue;
};

struct smoke {
	const char *needle;
	size_t nlen;
	struct vp_reset *rst;
	uint64_t in, out, fwd, matched, resets, reset_errors, flows, bidir, asym, untracked;
	uint64_t gso, csum_notready, max_len, udp_matched, udp_max_len;
	struct flow flows_tab[FLOW_SLOTS];
};

static volatile sig_atomic_t stop_flag, dump_flag;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		dump_flag = 1;
	else
		stop_flag = 1;
}

static void handle_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll() returns on a signal */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
}

/* Normalised flow key of a TCP/UDP packet (either direction gives the same key); <*dir> is
 * 1 or 2 for the two directions. */
static bool flow_key(const uint8_t *p, size_t len, uint8_t key[37], uint8_t *dir)
{
	uint8_t ea[18] = { 0 }, eb[18] = { 0 };
	size_t alen, l4;
	uint8_t proto;
	const uint8_t *a, *b;

	if (len >= 20 && p[0] >> 4 == 4) {
		proto = p[9];
		alen = 4;
		l4 = (size_t)(p[0] & 0x0f) * 4;
		a = p + 12;
		b = p + 16;
	} else if (len >= 40 && p[0] >> 4 == 6) {
		proto = p[6];		/* no extension headers in these tests */
		alen = 16;
		l4 = 40;
		a = p + 8;
		b = p + 24;
	} else {
		return false;
	}
	if ((proto != 6 && proto != 17) || l4 + 4 > len)
		return false;
	memcpy(ea, a, alen);
	memcpy(ea + 16, p + l4, 2);
	memcpy(eb, b, alen);
	memcpy(eb + 16, p + l4 + 2, 2);
	key[0] = proto;
	*dir = memcmp(ea, eb, sizeof(ea)) > 0 ? 2 : 1;
	if (*dir == 2) {
		memcpy(key + 1, eb, 18);
		memcpy(key + 19, ea, 18);
	} else {
		memcpy(key + 1, ea, 18);
		memcpy(key + 19, eb, 18);
	}
	return true;
}

/* Records the flow of <pkt>; returns its protocol (0 if not TCP/UDP). */
static uint8_t track(struct smoke *s, const struct vp_nfq_pkt *pkt)
{
	uint8_t key[37], dir;
	uint32_t h = 2166136261u;
	size_t i, n;

	if (!flow_key(pkt->data, pkt->len, key, &dir))
		return 0;
	for (i = 0; i < sizeof(key); i++)
		h = (h ^ key[i]) * 16777619u;
	for (n = 0; n < FLOW_SLOTS; n++) {
		struct flow *f = &s->flows_tab[(h + n) % FLOW_SLOTS];

		if (!f->used) {
			f->used = true;
			f->dirs = dir;
			memcpy(f->key, key, sizeof(key));
			f->queue = pkt->queue;
			s->flows++;
			return key[0];
		}
		if (!memcmp(f->key, key, sizeof(key))) {
			if (f->queue != pkt->queue)
				s->asym++;
			if (f->dirs != 3 && (f->dirs | dir) == 3)
				s->bidir++;
			f->dirs |= dir;
			return key[0];
		}
	}
	s->untracked++;
	return key[0];
}

static enum vp_verdict on_packet(void *ctx, const struct vp_nfq_pkt *pkt)
{
	struct smoke *s = ctx;
	uint8_t proto;
	int ret;

	if (pkt->ifindex_in && pkt->ifindex_out)
		s->fwd++;
	else if (pkt->ifindex_in)
		s->in++;
	else
		s->out++;
	proto = track(s, pkt);
	if (proto == 17 && pkt->len > s->udp_max_len)
		s->udp_max_len = pkt->len;
	s->gso += !!(pkt->skbinfo & VP_NFQ_SKB_GSO);
	s->csum_notready += !!(pkt->skbinfo & VP_NFQ_SKB_CSUMNOTREADY);
	if (pkt->len > s->max_len)
		s->max_len = pkt->len;
	if (!pkt->data || !memmem(pkt->data, pkt->len, s->needle, s->nlen))
		return VP_VERDICT_ACCEPT;
	s->matched++;
	s->udp_matched += proto == 17;
	ret = vp_reset_send(s->rst, pkt->data, pkt->len);
	if (ret == 0)
		s->resets++;
	else if (ret != -EPROTONOSUPPORT)
		s->reset_errors++;
	return VP_VERDICT_DROP;
}

static void dump(const struct smoke *s, struct vp_nfq **qs, unsigned n)
{
	struct vp_nfq_stats st;
	uint64_t packets = 0, dropped = 0, verr = 0, rerr = 0;
	unsigned i, busy = 0;

	for (i = 0; i < n; i++) {
		vp_nfq_stats(qs[i], &st);
		printf("queue %u: packets=%llu accepted=%llu dropped=%llu batches=%llu "
		       "recv_errors=%llu verdict_errors=%llu\n", i,
		       (unsigned long long)st.packets, (unsigned long long)st.accepted,
		       (unsigned long long)st.dropped, (unsigned long long)st.batches,
		       (unsigned long long)st.recv_errors, (unsigned long long)st.verdict_errors);
		packets += st.packets;
		dropped += st.dropped;
		verr += st.verdict_errors;
		rerr += st.recv_errors;
		busy += st.packets > 0;
	}
	printf("summary packets=%llu dropped=%llu in=%llu out=%llu fwd=%llu matched=%llu "
	       "resets=%llu reset_errors=%llu flows=%llu bidir=%llu asym=%llu queues_used=%u "
	       "verdict_errors=%llu recv_errors=%llu gso=%llu csum_notready=%llu max_len=%llu "
	       "udp_matched=%llu udp_max_len=%llu\n",
	       (unsigned long long)packets, (unsigned long long)dropped,
	       (unsigned long long)s->in, (unsigned long long)s->out,
	       (unsigned long long)s->fwd, (unsigned long long)s->matched,
	       (unsigned long long)s->resets, (unsigned long long)s->reset_errors,
	       (unsigned long long)s->flows, (unsigned long long)s->bidir,
	       (unsigned long long)s->asym, busy,
	       (unsigned long long)verr, (unsigned long long)rerr, (unsigned long long)s->gso,
	       (unsigned long long)s->csum_notready, (unsigned long long)s->max_len,
	       (unsigned long long)s->udp_matched, (unsigned long long)s->udp_max_len);
	fflush(stdout);
}

struct args {
	struct vp_nft_opts o;
	const char *needle;
	unsigned seconds;
	bool probe_only, remove_only;
	char *ifaces[VP_NFT_MAX_IFACES];
	uint16_t ports[VP_NFT_MAX_PORTS];
};

static int parse_args(int argc, char **argv, struct args *a)
{
	int c;

	a->o.queue = 0;
	a->o.nqueues = 1;
	a->o.mark = 0x7670;
	a->needle = "VPATCH-ATTACK";
	a->seconds = 300;
	while ((c = getopt(argc, argv, "q:n:bs:m:t:lp:i:PR")) != -1) {
		switch (c) {
		case 'q': a->o.queue = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 'n': a->o.nqueues = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 'b': a->o.bypass = true; break;
		case 's': a->needle = optarg; break;
		case 'm': a->o.mark = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 't': a->seconds = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'l': a->o.loopback = true; break;
		case 'p':
			if (a->o.n_ports == VP_NFT_MAX_PORTS)
				return -1;
			a->ports[a->o.n_ports++] = (uint16_t)strtoul(optarg, NULL, 0);
			break;
		case 'i':
			if (a->o.n_ifaces == VP_NFT_MAX_IFACES)
				return -1;
			a->ifaces[a->o.n_ifaces++] = optarg;
			break;
		case 'P': a->probe_only = true; break;
		case 'R': a->remove_only = true; break;
		default: return -1;
		}
	}
	a->o.ports = a->ports;
	a->o.ifaces = a->ifaces;
	if (a->o.nqueues < 1 || a->o.nqueues > MAX_QUEUES || !*a->needle)
		return -1;
	return 0;
}

/* The poll loop over all queues until a signal or the deadline. */
static int run(struct smoke *s, struct vp_nfq **qs, unsigned n, unsigned seconds)
{
	struct pollfd pfd[MAX_QUEUES];
	time_t deadline = time(NULL) + seconds;
	unsigned i;
	int ret;

	for (i = 0; i < n; i++)
		pfd[i] = (struct pollfd){ .fd = vp_nfq_fd(qs[i]), .events = POLLIN };
	while (!stop_flag && time(NULL) < deadline) {
		if (dump_flag) {
			dump_flag = 0;
			dump(s, qs, n);
		}
		if (poll(pfd, n, 200) <= 0)
			continue;
		for (i = 0; i < n; i++) {
			if (!pfd[i].revents)
				continue;
			ret = vp_nfq_process(qs[i], 0, on_packet, s);
			if (ret < 0)
				fprintf(stderr, "kern_smoke: queue %u: %s\n", i, strerror(-ret));
		}
	}
	return 0;
}

static int one_shot(const struct args *a)
{
	enum vp_nft_backend b;
	char err[512] = "";
	int ret;

	if (a->remove_only) {
		ret = vp_nft_remove(err, sizeof(err));
		if (ret < 0)
			fprintf(stderr, "kern_smoke: %s\n", err);
		return ret < 0 ? 1 : 0;
	}
	ret = vp_nft_probe(&b);
	if (ret < 0) {
		fprintf(stderr, "kern_smoke: probe: %s\n", strerror(-ret));
		return 1;
	}
	printf("backend=%d %s\n", (int)b, vp_nft_backend_name(b));
	return 0;
}

int main(int argc, char **argv)
{
	static struct smoke s;
	static struct args a;
	struct vp_nfq *qs[MAX_QUEUES] = { NULL };
	enum vp_nft_backend b;
	char err[512] = "";
	unsigned i;
	int ret, status = 1;

	if (parse_args(argc, argv, &a) < 0) {
		fprintf(stderr, "usage: kern_smoke [-q FIRST] [-n N<=%d] [-b] [-s STRING] "
			"[-m MARK] [-t SECONDS] [-l] [-p PORT]... [-i IFACE]... | -P | -R\n",
			MAX_QUEUES);
		return 2;
	}
	if (a.probe_only || a.remove_only)
		return one_shot(&a);
	handle_signals();
	s.needle = a.needle;
	s.nlen = strlen(a.needle);
	s.rst = vp_reset_new(a.o.mark, err, sizeof(err));
	if (!s.rst)
		goto out;
	/* queues first, so that no packet meets the table before someone listens */
	for (i = 0; i < a.o.nqueues; i++) {
		qs[i] = vp_nfq_open((uint16_t)(a.o.queue + i), 4096, a.o.bypass, err, sizeof(err));
		if (!qs[i])
			goto out;
	}
	ret = vp_nft_probe(&b);
	if (ret < 0) {
		snprintf(err, sizeof(err), "probe: %s", strerror(-ret));
		goto out;
	}
	if (vp_nft_install(&a.o, b, err, sizeof(err)) < 0)
		goto out;
	printf("ready backend=%s queues=%u-%u bypass=%d\n", vp_nft_backend_name(b), a.o.queue,
	       a.o.queue + a.o.nqueues - 1, a.o.bypass);
	fflush(stdout);
	run(&s, qs, a.o.nqueues, a.seconds);
	/* table first, then drain: nothing is left queued when the sockets close */
	if (vp_nft_remove(err, sizeof(err)) < 0)
		fprintf(stderr, "kern_smoke: %s\n", err);
	for (i = 0; i < a.o.nqueues; i++)
		vp_nfq_process(qs[i], 0, on_packet, &s);
	dump(&s, qs, a.o.nqueues);
	status = 0;
	err[0] = '\0';
out:
	if (err[0])
		fprintf(stderr, "kern_smoke: %s\n", err);
	for (i = 0; i < MAX_QUEUES; i++)
		vp_nfq_close(qs[i]);
	vp_reset_free(s.rst);
	return status;
}
