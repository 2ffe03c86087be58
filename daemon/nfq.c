/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>

#include "daemon/nfq.h"
#include "daemon/errbuf.h"

/*
 * One message holds at most VP_NFQ_COPY_RANGE bytes of packet plus the attributes around it
 * (header, mark, timestamp, interfaces, hardware address, cap length, skb info, uid/gid,
 * security context, ...), far less than 8 KiB.
 */
#define RECV_BUFSZ (65536 + 8192)
#define RCVBUF_MIN (2 << 20)
#define RCVBUF_MAX (64 << 20)
#define ACK_TIMEOUT_MS 2000
#define MAX_PENDING_DROPS 16
#define SEND_TRIES 3

struct vp_nfq {
	struct mnl_socket *nl;
	uint16_t queue;
	unsigned n_pending;			/* drop verdicts not sent yet */
	uint32_t pending[MAX_PENDING_DROPS];
	struct vp_nfq_stats st;			/* written by the owner, read by anyone */
	uint8_t *buf;				/* RECV_BUFSZ: one message */
};

/* Accepts collected during one vp_nfq_process() call. */
struct round {
	bool have;
	uint32_t last_id;
};

/* Single writer, any reader: relaxed atomic stores of the new value. */
static void bump(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}


/* Waits for the kernel's answer to request <seq>; packet messages meanwhile are ignored
 * (they stay queued and the next batch verdict accepts them). 0 or -errno. */
static int wait_ack(struct vp_nfq *q, uint32_t seq)
{
	struct pollfd pfd = { .fd = mnl_socket_get_fd(q->nl), .events = POLLIN };
	int left, n;

	for (left = ACK_TIMEOUT_MS; left > 0; left -= 100) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)q->buf;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = (int)mnl_socket_recvfrom(q->nl, q->buf, RECV_BUFSZ);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -errno;
		}
		for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_type == NLMSG_ERROR && nlh->nlmsg_seq == seq &&
			    nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*e)))
				return e->error;
		}
	}
	return -ETIMEDOUT;
}

/*
 * Binds the queue and sets it up in one message: the kernel applies the bind command first,
 * then copy mode, queue length and flags, so no packet is delivered under the defaults.
 */
static int configure(struct vp_nfq *q, unsigned maxlen, bool fail_open)
{
	char buf[256] __attribute__((aligned(4)));
	uint32_t flags = NFQA_CFG_F_GSO | (fail_open ? NFQA_CFG_F_FAIL_OPEN : 0);
	uint32_t mask = NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN;
	struct nlmsghdr *nlh;

	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, q->queue);
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = 1;
	nfq_nlmsg_cfg_put_cmd(nlh, AF_UNSPEC, NFQNL_CFG_CMD_BIND);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, VP_NFQ_COPY_RANGE);
	if (maxlen)
		nfq_nlmsg_cfg_put_qmaxlen(nlh, maxlen);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(mask));
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return wait_ack(q, 1);
}

static void set_buffers(struct vp_nfq *q, unsigned maxlen)
{
	int fd = mnl_socket_get_fd(q->nl);
	size_t want = (size_t)(maxlen ? maxlen : 1024) * 4096;
	int sz, one = 1;

	if (want < RCVBUF_MIN)
		want = RCVBUF_MIN;
	if (want > RCVBUF_MAX)
		want = RCVBUF_MAX;
	sz = (int)want;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	/* a full socket buffer makes the kernel drop or (fail-open) accept the packet; it must
	 * not also report ENOBUFS to us: there is nothing to resynchronise */
	mnl_socket_setsockopt(q->nl, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	mnl_socket_setsockopt(q->nl, NETLINK_CAP_ACK, &one, sizeof(one));
}

static const char *bind_error(int err)
{
	switch (err) {
	case -EPERM:
		return "permission denied (bound by another process, or no CAP_NET_ADMIN)";
	case -EOPNOTSUPP:
		return "the kernel does not support the queue flags (GSO, fail-open)";
	}
	return strerror(-err);
}

struct vp_nfq *vp_nfq_open(uint16_t queue, unsigned maxlen, bool fail_open, char *err,
			   size_t errlen)
{
	struct vp_nfq *q = calloc(1, sizeof(*q));
	int ret;

	if (!q || !(q->buf = malloc(RECV_BUFSZ))) {
		vp_errbuf_set(err, errlen, "queue %u: out of memory", queue);
		goto err;
	}
	q->queue = queue;
	q->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!q->nl || mnl_socket_bind(q->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		vp_errbuf_set(err, errlen, "queue %u: netlink socket: %s", queue, strerror(errno));
		goto err;
	}
	set_buffers(q, maxlen);
	ret = configure(q, maxlen, fail_open);
	if (ret < 0) {
		vp_errbuf_set(err, errlen, "queue %u: %s", queue, bind_error(ret));
		goto err;
	}
	return q;
err:
	vp_nfq_close(q);
	return NULL;
}

int vp_nfq_fd(const struct vp_nfq *q)
{
	return mnl_socket_get_fd(q->nl);
}

static bool transient(int err)
{
	return err == EINTR || err == EAGAIN || err == ENOBUFS || err == ENOMEM;
}

/* One verdict message: NF_ACCEPT / NF_DROP for <id>, or for all ids up to <id> (<batch>). */
static int send_verdict(struct vp_nfq *q, uint32_t id, int verdict, bool batch)
{
	char buf[128] __attribute__((aligned(4)));
	struct nlmsghdr *nlh;
	int i;

	nlh = nfq_nlmsg_put(buf, batch ? NFQNL_MSG_VERDICT_BATCH : NFQNL_MSG_VERDICT, q->queue);
	nfq_nlmsg_verdict_put(nlh, (int)id, verdict);
	for (i = 0; i < SEND_TRIES; i++) {
		if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) >= 0)
			return 0;
		if (!transient(errno))
			break;
	}
	bump(&q->st.verdict_errors, 1);
	return -errno;
}

/* Sends the collected accepts as one batch verdict.  Never called while a drop is unsent:
 * verdict() stops collecting (and flushes first) as soon as one is. */
static void flush_accepts(struct vp_nfq *q, struct round *rd)
{
	if (!rd->have)
		return;
	rd->have = false;
	if (send_verdict(q, rd->last_id, NF_ACCEPT, true) == 0)
		bump(&q->st.batches, 1);
}

static void retry_drops(struct vp_nfq *q)
{
	unsigned i, kept = 0;

	for (i = 0; i < q->n_pending; i++)
		if (send_verdict(q, q->pending[i], NF_DROP, false) < 0)
			q->pending[kept++] = q->pending[i];
	q->n_pending = kept;
}

static void verdict(struct vp_nfq *q, struct round *rd, uint32_t id, enum vp_verdict v)
{
	if (v != VP_VERDICT_DROP) {
		bump(&q->st.accepted, 1);
		if (q->n_pending) {
			send_verdict(q, id, NF_ACCEPT, false);
			return;
		}
		rd->have = true;
		rd->last_id = id;
		return;
	}
	bump(&q->st.dropped, 1);
	if (send_verdict(q, id, NF_DROP, false) == 0)
		return;
	/* the accepts so far all have lower ids: settle them before the drop is pending */
	flush_accepts(q, rd);
	if (q->n_pending < MAX_PENDING_DROPS)
		q->pending[q->n_pending++] = id;
}

static uint32_t attr_u32(const struct nlattr *a)
{
	return a ? ntohl(mnl_attr_get_u32(a)) : 0;
}

static void fill_time(struct vp_nfq_pkt *p, const struct nlattr *a)
{
	struct nfqnl_msg_packet_timestamp t;

	if (!a || mnl_attr_get_payload_len(a) < sizeof(t)) {
		gettimeofday(&p->ts, NULL);
		return;
	}
	/* Netlink attributes are 4-byte aligned: copy the 64-bit fields out. */
	memcpy(&t, mnl_attr_get_payload(a), sizeof(t));
	p->ts.tv_sec = (time_t)be64toh(t.sec);
	p->ts.tv_usec = (suseconds_t)be64toh(t.usec);
}

/* One NFQNL_MSG_PACKET: decode its attributes, ask <fn>, record the verdict. 1 if handled. */
static int handle_packet(struct vp_nfq *q, const struct nlmsghdr *nlh, vp_nfq_fn fn,
			 void *ctx, struct round *rd)
{
	struct nlattr *attr[NFQA_MAX + 1];
	const struct nfqnl_msg_packet_hdr *ph;
	struct vp_nfq_pkt p;

	memset(attr, 0, sizeof(attr));
	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR]) {
		bump(&q->st.recv_errors, 1);	/* no id: the next batch verdict accepts it */
		return 0;
	}
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	memset(&p, 0, sizeof(p));
	p.id = ntohl(ph->packet_id);
	p.hw_proto = ntohs(ph->hw_protocol);
	p.queue = q->queue;
	if (attr[NFQA_PAYLOAD]) {
		p.data = mnl_attr_get_payload(attr[NFQA_PAYLOAD]);
		p.len = mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
	}
	p.wire_len = attr[NFQA_CAP_LEN] ? attr_u32(attr[NFQA_CAP_LEN]) : (uint32_t)p.len;
	p.mark = attr_u32(attr[NFQA_MARK]);
	p.skbinfo = attr_u32(attr[NFQA_SKB_INFO]);
	p.ifindex_in = attr_u32(attr[NFQA_IFINDEX_INDEV]);
	p.ifindex_out = attr_u32(attr[NFQA_IFINDEX_OUTDEV]);
	fill_time(&p, attr[NFQA_TIMESTAMP]);
	bump(&q->st.packets, 1);
	verdict(q, rd, p.id, fn(ctx, &p));
	return 1;
}

/* All messages of one datagram; returns the packets handled. */
static int handle_buf(struct vp_nfq *q, int len, vp_nfq_fn fn, void *ctx, struct round *rd)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)q->buf;
	int handled = 0;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			/* only failed verdicts are answered (we ask for no ACK) */
			if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*e)) && e->error)
				bump(&q->st.verdict_errors, 1);
		} else if (nlh->nlmsg_type == ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET)) {
			handled += handle_packet(q, nlh, fn, ctx, rd);
		}
	}
	return handled;
}

/* Receives one datagram without blocking: its length, or -errno (-EAGAIN: nothing there). */
static int recv_one(struct vp_nfq *q)
{
	struct sockaddr_nl sa;
	struct iovec iov = { .iov_base = q->buf, .iov_len = RECV_BUFSZ };
	struct msghdr msg = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov,
			      .msg_iovlen = 1 };
	ssize_t n;

	n = recvmsg(vp_nfq_fd(q), &msg, MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	if ((msg.msg_flags & MSG_TRUNC) || sa.nl_pid != 0) {
		bump(&q->st.recv_errors, 1);	/* not with RECV_BUFSZ, not from the kernel */
		return 0;
	}
	return (int)n;
}

int vp_nfq_process(struct vp_nfq *q, int timeout_ms, vp_nfq_fn fn, void *ctx)
{
	struct pollfd pfd = { .fd = vp_nfq_fd(q), .events = POLLIN };
	struct round rd = { .have = false };
	int i, n, handled = 0, ret = 0;

	if (q->n_pending)
		retry_drops(q);
	n = poll(&pfd, 1, timeout_ms);
	if (n <= 0)
		return (n < 0 && errno != EINTR) ? -errno : 0;
	for (i = 0; i < VP_NFQ_BATCH; i++) {
		n = recv_one(q);
		if (n == -EAGAIN || n == -EWOULDBLOCK || n == -EINTR)
			break;
		if (n == -ENOBUFS) {
			bump(&q->st.recv_errors, 1);
			continue;
		}
		if (n < 0) {
			bump(&q->st.recv_errors, 1);
			ret = n;
			break;
		}
		handled += handle_buf(q, n, fn, ctx, &rd);
	}
	flush_accepts(q, &rd);
	return ret < 0 ? ret : handled;
}

void vp_nfq_stats(const struct vp_nfq *q, struct vp_nfq_stats *s)
{
	s->packets = __atomic_load_n(&q->st.packets, __ATOMIC_RELAXED);
	s->accepted = __atomic_load_n(&q->st.accepted, __ATOMIC_RELAXED);
	s->dropped = __atomic_load_n(&q->st.dropped, __ATOMIC_RELAXED);
	s->batches = __atomic_load_n(&q->st.batches, __ATOMIC_RELAXED);
	s->recv_errors = __atomic_load_n(&q->st.recv_errors, __ATOMIC_RELAXED);
	s->verdict_errors = __atomic_load_n(&q->st.verdict_errors, __ATOMIC_RELAXED);
}

void vp_nfq_close(struct vp_nfq *q)
{
	char buf[128] __attribute__((aligned(4)));
	struct nlmsghdr *nlh;

	if (!q)
		return;
	if (q->nl) {
		/* closing the socket unbinds too; say it explicitly anyway */
		nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, q->queue);
		nfq_nlmsg_cfg_put_cmd(nlh, AF_UNSPEC, NFQNL_CFG_CMD_UNBIND);
		mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len);
		mnl_socket_close(q->nl);
	}
	free(q->buf);
	free(q);
}
