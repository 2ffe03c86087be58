/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/xt_NFQUEUE.h>

#include "daemon/nft.h"
#include "daemon/errbuf.h"

/*
 * Upper bound of one table, chain or rule message built here (the largest, a rule with an
 * interface name and a chain name, is about 250 bytes): the builder checks this much room is
 * left before it lets libnftnl write a message, since libnftnl itself does no bounds check.
 */
#define MSG_MAX 1024
#define TALK_TIMEOUT_MS 5000
#define TALK_MAX_ERR 8
#define PROBE_TABLE "vpatch_probe"
#define LOOPBACK_IFINDEX 1		/* the kernel gives lo ifindex 1 in every netns */

static const char *const CH_L4 = "l4";
static const char *const CH_PORTS = "ports";
static const char *const CH_DIVERT = "divert";

/* A batch being written into a caller's buffer; <err> is sticky: the first failure wins. */
struct bld {
	char *buf;
	size_t size;
	size_t len;
	uint32_t seq;
	int err;
};

/* What the kernel answered to one batch: the failed messages by sequence number. */
struct talk {
	unsigned nerr;
	uint32_t err_seq[TALK_MAX_ERR];
	int err_code[TALK_MAX_ERR];
};

static void set_err(struct bld *bd, int err)
{
	if (!bd->err)
		bd->err = err;
}

static struct nlmsghdr *msg_begin(struct bld *bd, uint16_t type, uint16_t family,
				  uint16_t flags)
{
	if (bd->err)
		return NULL;
	if (bd->size - bd->len < MSG_MAX) {
		bd->err = -ENOSPC;
		return NULL;
	}
	return nftnl_nlmsg_build_hdr(bd->buf + bd->len, type, family, flags, bd->seq++);
}

static void msg_commit(struct bld *bd, const struct nlmsghdr *nlh)
{
	bd->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void put_batch_mark(struct bld *bd, bool begin)
{
	struct nlmsghdr *nlh;

	if (bd->err)
		return;
	if (bd->size - bd->len < MSG_MAX) {
		bd->err = -ENOSPC;
		return;
	}
	if (begin)
		nlh = nftnl_batch_begin(bd->buf + bd->len, bd->seq++);
	else
		nlh = nftnl_batch_end(bd->buf + bd->len, bd->seq++);
	msg_commit(bd, nlh);
}

static void put_table(struct bld *bd, uint16_t type, uint16_t family, const char *name,
		      uint16_t nlflags, uint32_t tflags)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t || nftnl_table_set_str(t, NFTNL_TABLE_NAME, name) < 0) {
		set_err(bd, -ENOMEM);
		goto out;
	}
	if (tflags)
		nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, tflags);
	nlh = msg_begin(bd, type, family, nlflags);
	if (nlh) {
		nftnl_table_nlmsg_build_payload(nlh, t);
		msg_commit(bd, nlh);
	}
out:
	if (t)
		nftnl_table_free(t);
}

/* A base chain (filter type, policy accept) when <hook> >= 0, else a regular chain. */
static void put_chain(struct bld *bd, uint16_t family, const char *table, const char *name,
		      int hook)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	if (!c || nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table) < 0 ||
	    nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name) < 0) {
		set_err(bd, -ENOMEM);
		goto out;
	}
	if (hook >= 0) {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, (uint32_t)hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, VP_NFT_PRIORITY);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
		if (nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter") < 0) {
			set_err(bd, -ENOMEM);
			goto out;
		}
	}
	nlh = msg_begin(bd, NFT_MSG_NEWCHAIN, family, NLM_F_CREATE);
	if (nlh) {
		nftnl_chain_nlmsg_build_payload(nlh, c);
		msg_commit(bd, nlh);
	}
out:
	if (c)
		nftnl_chain_free(c);
}

/* Appends rule <r> (NULL: its construction ran out of memory) to <chain>; frees <r>. */
static void put_rule(struct bld *bd, uint16_t family, const char *table, const char *chain,
		     struct nftnl_rule *r)
{
	struct nlmsghdr *nlh;

	if (!r || nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table) < 0 ||
	    nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain) < 0) {
		set_err(bd, -ENOMEM);
		goto out;
	}
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, family);
	nlh = msg_begin(bd, NFT_MSG_NEWRULE, family, NLM_F_CREATE | NLM_F_APPEND);
	if (nlh) {
		nftnl_rule_nlmsg_build_payload(nlh, r);
		msg_commit(bd, nlh);
	}
out:
	if (r)
		nftnl_rule_free(r);
}

/* Builds a rule from <n> expressions, taking ownership of them; NULL if any is NULL. */
static struct nftnl_rule *rule_of(struct nftnl_expr **ex, size_t n)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	bool ok = r != NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (ok && ex[i]) {
			nftnl_rule_add_expr(r, ex[i]);
			continue;
		}
		ok = false;
		if (ex[i])
			nftnl_expr_free(ex[i]);
	}
	if (!ok && r) {
		nftnl_rule_free(r);
		r = NULL;
	}
	return r;
}

static struct nftnl_expr *e_meta(uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	return e;
}

static struct nftnl_expr *e_ct(uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("ct");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	}
	return e;
}

/* <len> bytes at <offset> of the transport header (TCP or UDP ports). */
static struct nftnl_expr *e_th(uint32_t offset, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_TRANSPORT_HEADER);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	}
	return e;
}

static struct nftnl_expr *e_cmp_eq(const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
		if (nftnl_expr_set_data(e, NFTNL_EXPR_CMP_DATA, data, len) < 0) {
			nftnl_expr_free(e);
			e = NULL;
		}
	}
	return e;
}

/* accept / drop (chain NULL) or jump / goto <chain>. */
static struct nftnl_expr *e_verdict(int verdict, const char *chain)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (!e)
		return NULL;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	if (chain && nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain) < 0) {
		nftnl_expr_free(e);
		return NULL;
	}
	return e;
}

/*
 * The queue verdict.  No fanout flag: the kernel then spreads over the queues with its
 * symmetric address-pair hash (nfqueue_hash()), for both backends.
 */
static struct nftnl_expr *e_queue(uint16_t num, uint16_t total, bool bypass,
				  enum vp_nft_backend b)
{
	struct xt_NFQ_info_v3 *info = NULL;
	struct nftnl_expr *e;

	if (b == VP_NFT_NATIVE_QUEUE) {
		e = nftnl_expr_alloc("queue");
		if (e) {
			nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_NUM, num);
			nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_TOTAL, total);
			nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_FLAGS,
					   bypass ? NFT_QUEUE_FLAG_BYPASS : 0);
		}
		return e;
	}
	e = nftnl_expr_alloc("target");
	info = calloc(1, sizeof(*info));	/* libnftnl takes ownership of the info buffer */
	if (!e || !info || nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "NFQUEUE") < 0)
		goto err;
	info->queuenum = num;
	info->queues_total = total;
	info->flags = bypass ? NFQ_FLAG_BYPASS : 0;
	if (nftnl_expr_set_data(e, NFTNL_EXPR_TG_INFO, info, sizeof(*info)) < 0)
		goto err;
	nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, 3);
	return e;
err:
	free(info);
	if (e)
		nftnl_expr_free(e);
	return NULL;
}

static struct nftnl_rule *r_mark_accept(uint32_t mark)
{
	struct nftnl_expr *ex[] = { e_meta(NFT_META_MARK), e_cmp_eq(&mark, sizeof(mark)),
				    e_verdict(NF_ACCEPT, NULL) };

	return rule_of(ex, 3);
}

static struct nftnl_rule *r_ctmark_accept(uint32_t mark)
{
	struct nftnl_expr *ex[] = { e_ct(NFT_CT_MARK), e_cmp_eq(&mark, sizeof(mark)),
				    e_verdict(NF_ACCEPT, NULL) };

	return rule_of(ex, 3);
}

static struct nftnl_rule *r_loopback_accept(uint32_t key)
{
	uint32_t lo = LOOPBACK_IFINDEX;
	struct nftnl_expr *ex[] = { e_meta(key), e_cmp_eq(&lo, sizeof(lo)),
				    e_verdict(NF_ACCEPT, NULL) };

	return rule_of(ex, 3);
}

static struct nftnl_rule *r_ifname_goto(uint32_t key, const char *name, const char *chain)
{
	char ifn[IFNAMSIZ];
	struct nftnl_expr *ex[3];

	memset(ifn, 0, sizeof(ifn));
	memcpy(ifn, name, strnlen(name, IFNAMSIZ - 1));
	ex[0] = e_meta(key);
	ex[1] = e_cmp_eq(ifn, sizeof(ifn));
	ex[2] = e_verdict(NFT_GOTO, chain);
	return rule_of(ex, 3);
}

static struct nftnl_rule *r_l4_goto(uint8_t proto, const char *chain)
{
	struct nftnl_expr *ex[] = { e_meta(NFT_META_L4PROTO), e_cmp_eq(&proto, 1),
				    e_verdict(NFT_GOTO, chain) };

	return rule_of(ex, 3);
}

static struct nftnl_rule *r_port_goto(uint32_t offset, uint16_t port, const char *chain)
{
	uint16_t be = htons(port);
	struct nftnl_expr *ex[] = { e_th(offset, 2), e_cmp_eq(&be, sizeof(be)),
				    e_verdict(NFT_GOTO, chain) };

	return rule_of(ex, 3);
}

static struct nftnl_rule *r_goto(const char *chain)
{
	struct nftnl_expr *ex[] = { e_verdict(NFT_GOTO, chain) };

	return rule_of(ex, 1);
}

static struct nftnl_rule *r_queue(const struct vp_nft_opts *o, enum vp_nft_backend b)
{
	struct nftnl_expr *ex[] = { e_queue(o->queue, o->nqueues, o->bypass, b) };

	return rule_of(ex, 1);
}

/* One of input / output / forward, with its accept rules and the entry into chain l4. */
static void build_base_chain(struct bld *bd, uint16_t fam, const struct vp_nft_opts *o,
			     const char *name, int hook)
{
	size_t i;

	put_chain(bd, fam, VP_NFT_TABLE, name, hook);
	put_rule(bd, fam, VP_NFT_TABLE, name, r_mark_accept(o->mark));
	put_rule(bd, fam, VP_NFT_TABLE, name, r_ctmark_accept(o->mark));
	if (!o->loopback && hook == NF_INET_LOCAL_IN)
		put_rule(bd, fam, VP_NFT_TABLE, name, r_loopback_accept(NFT_META_IIF));
	if (!o->loopback && hook == NF_INET_LOCAL_OUT)
		put_rule(bd, fam, VP_NFT_TABLE, name, r_loopback_accept(NFT_META_OIF));
	if (!o->n_ifaces) {
		put_rule(bd, fam, VP_NFT_TABLE, name, r_goto(CH_L4));
		return;
	}
	for (i = 0; i < o->n_ifaces; i++) {
		if (hook != NF_INET_LOCAL_OUT)
			put_rule(bd, fam, VP_NFT_TABLE, name,
				 r_ifname_goto(NFT_META_IIFNAME, o->ifaces[i], CH_L4));
		if (hook != NF_INET_LOCAL_IN)
			put_rule(bd, fam, VP_NFT_TABLE, name,
				 r_ifname_goto(NFT_META_OIFNAME, o->ifaces[i], CH_L4));
	}
}

/* A fresh table <fam> vpatch (the stale one, if any, was deleted earlier in the batch). */
static void build_table(struct bld *bd, uint16_t fam, const struct vp_nft_opts *o,
			enum vp_nft_backend b)
{
	const char *after_l4 = o->n_ports ? CH_PORTS : CH_DIVERT;
	size_t i;

	put_table(bd, NFT_MSG_NEWTABLE, fam, VP_NFT_TABLE, NLM_F_CREATE | NLM_F_EXCL, 0);
	put_chain(bd, fam, VP_NFT_TABLE, CH_DIVERT, -1);
	if (o->n_ports)
		put_chain(bd, fam, VP_NFT_TABLE, CH_PORTS, -1);
	put_chain(bd, fam, VP_NFT_TABLE, CH_L4, -1);
	build_base_chain(bd, fam, o, "input", NF_INET_LOCAL_IN);
	build_base_chain(bd, fam, o, "output", NF_INET_LOCAL_OUT);
	build_base_chain(bd, fam, o, "forward", NF_INET_FORWARD);
	put_rule(bd, fam, VP_NFT_TABLE, CH_L4, r_l4_goto(IPPROTO_TCP, after_l4));
	put_rule(bd, fam, VP_NFT_TABLE, CH_L4, r_l4_goto(IPPROTO_UDP, after_l4));
	for (i = 0; i < o->n_ports; i++) {
		put_rule(bd, fam, VP_NFT_TABLE, CH_PORTS, r_port_goto(2, o->ports[i], CH_DIVERT));
		put_rule(bd, fam, VP_NFT_TABLE, CH_PORTS, r_port_goto(0, o->ports[i], CH_DIVERT));
	}
	put_rule(bd, fam, VP_NFT_TABLE, CH_DIVERT, r_queue(o, b));
}

/*
 * "add table F vpatch; delete table F vpatch" for the three families: the add is a no-op on
 * an existing table and creates a missing one, so the delete never fails and the pair removes
 * whatever vpatch table there was, inside the same transaction.
 */
static void build_flush_all(struct bld *bd, const char *name)
{
	static const uint16_t fams[] = { NFPROTO_INET, NFPROTO_IPV4, NFPROTO_IPV6 };
	size_t i;

	for (i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		put_table(bd, NFT_MSG_NEWTABLE, fams[i], name, NLM_F_CREATE, 0);
		put_table(bd, NFT_MSG_DELTABLE, fams[i], name, 0, 0);
	}
}

static int check_opts(const struct vp_nft_opts *o, enum vp_nft_backend b)
{
	size_t i, n;

	if (!o || o->nqueues == 0 || (uint32_t)o->queue + o->nqueues - 1 > 0xffff || !o->mark)
		return -EINVAL;
	if (b != VP_NFT_NATIVE_QUEUE && b != VP_NFT_XT_NFQUEUE && b != VP_NFT_XT_NFQUEUE_SPLIT)
		return -EINVAL;
	if (o->n_ifaces > VP_NFT_MAX_IFACES || (o->n_ifaces && !o->ifaces))
		return -EINVAL;
	if (o->n_ports > VP_NFT_MAX_PORTS || (o->n_ports && !o->ports))
		return -EINVAL;
	for (i = 0; i < o->n_ifaces; i++) {
		if (!o->ifaces[i])
			return -EINVAL;
		n = strnlen(o->ifaces[i], IFNAMSIZ);
		if (n == 0 || n >= IFNAMSIZ)
			return -EINVAL;
	}
	for (i = 0; i < o->n_ports; i++)
		if (o->ports[i] == 0)
			return -EINVAL;
	return 0;
}

size_t vp_nft_batch_size(const struct vp_nft_opts *o)
{
	size_t per_base = 4 + 2 * (o ? o->n_ifaces : 0);
	size_t per_table = 1 + 6 + 3 * per_base + 2 + 2 * (o ? o->n_ports : 0) + 1;

	return (2 + 6 + 2 * per_table) * MSG_MAX;
}

ssize_t vp_nft_build_install(const struct vp_nft_opts *o, enum vp_nft_backend backend,
			     uint32_t seq, void *buf, size_t size)
{
	struct bld bd = { .buf = buf, .size = size, .seq = seq };
	int ret = check_opts(o, backend);

	if (ret < 0)
		return ret;
	put_batch_mark(&bd, true);
	build_flush_all(&bd, VP_NFT_TABLE);
	if (backend == VP_NFT_XT_NFQUEUE_SPLIT) {
		build_table(&bd, NFPROTO_IPV4, o, backend);
		build_table(&bd, NFPROTO_IPV6, o, backend);
	} else {
		build_table(&bd, NFPROTO_INET, o, backend);
	}
	put_batch_mark(&bd, false);
	return bd.err ? bd.err : (ssize_t)bd.len;
}

ssize_t vp_nft_build_remove(uint32_t seq, void *buf, size_t size)
{
	struct bld bd = { .buf = buf, .size = size, .seq = seq };

	put_batch_mark(&bd, true);
	build_flush_all(&bd, VP_NFT_TABLE);
	put_batch_mark(&bd, false);
	return bd.err ? bd.err : (ssize_t)bd.len;
}

const char *vp_nft_backend_name(enum vp_nft_backend b)
{
	switch (b) {
	case VP_NFT_NATIVE_QUEUE:
		return "native queue";
	case VP_NFT_XT_NFQUEUE:
		return "xt NFQUEUE (inet)";
	case VP_NFT_XT_NFQUEUE_SPLIT:
		return "xt NFQUEUE (ip+ip6)";
	}
	return "unknown";
}

/* ---- talking to the kernel ------------------------------------------------------------ */

static int nl_open(struct mnl_socket **out)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	int one = 1, ret;

	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		mnl_socket_close(nl);
		return ret;
	}
	/* errors carry only the header of the rejected message, not the whole message */
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	*out = nl;
	return 0;
}

static void note_error(struct talk *res, uint32_t seq, int code)
{
	if (res->nerr < TALK_MAX_ERR) {
		res->err_seq[res->nerr] = seq;
		res->err_code[res->nerr] = code;
	}
	res->nerr++;
}

/* Handles one received datagram; returns 1 once the reply to <gen_seq> was seen. */
static int talk_parse(const char *buf, size_t len, uint32_t gen_seq, struct talk *res)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int n = (int)len;
	int done = 0;

	for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
				continue;
			if (nlh->nlmsg_seq == gen_seq)
				done = 1;
			if (e->error)
				note_error(res, nlh->nlmsg_seq, e->error);
		} else if (nlh->nlmsg_seq == gen_seq &&
			   nlh->nlmsg_type == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN)) {
			done = 1;
		}
	}
	return done;
}

/*
 * Sends <batch> and then a GETGEN request: the kernel runs the batch synchronously in the
 * first send and queues an error message for every failed message (no message asks for an
 * ACK), then answers GETGEN, so the GETGEN answer marks the end of the batch's errors.
 */
static int talk(struct mnl_socket *nl, const void *batch, size_t len, uint32_t gen_seq,
		struct talk *res)
{
	char buf[16384] __attribute__((aligned(4)));
	struct pollfd pfd = { .fd = mnl_socket_get_fd(nl), .events = POLLIN };
	int sz = (int)len + 65536, left = TALK_TIMEOUT_MS;
	ssize_t n;

	memset(res, 0, sizeof(*res));
	if (len > 128 * 1024)
		setsockopt(pfd.fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	if (mnl_socket_sendto(nl, batch, len) < 0)
		return -errno;
	nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, 0, gen_seq);
	if (mnl_socket_sendto(nl, buf, ((struct nlmsghdr *)buf)->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		int pr = poll(&pfd, 1, left > 0 ? 100 : 0);

		if (pr < 0 && errno != EINTR)
			return -errno;
		left -= 100;
		if (pr <= 0) {
			if (left <= 0)
				return -ETIMEDOUT;
			continue;
		}
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return errno == ENOSPC ? -EMSGSIZE : -errno;
		if (talk_parse(buf, (size_t)n, gen_seq, res))
			return 0;
	}
}


static const char *family_name(uint16_t f)
{
	switch (f) {
	case NFPROTO_INET:
		return "inet";
	case NFPROTO_IPV4:
		return "ip";
	case NFPROTO_IPV6:
		return "ip6";
	}
	return "?";
}

/* Writes "<what> <family> <table> [<chain>] [<rule in libnftnl's notation>]" for <nlh>. */
static void describe(const struct nlmsghdr *nlh, char *out, size_t outlen)
{
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	struct nftnl_rule *r;
	struct nftnl_chain *c;
	struct nftnl_table *t;
	int n;

	switch (nlh->nlmsg_type & 0xff) {
	case NFT_MSG_NEWRULE:
		r = nftnl_rule_alloc();
		if (r && nftnl_rule_nlmsg_parse(nlh, r) == 0) {
			n = snprintf(out, outlen, "rule ");
			if (n >= 0 && (size_t)n < outlen)
				nftnl_rule_snprintf(out + n, outlen - (size_t)n, r, 0, 0);
		}
		if (r)
			nftnl_rule_free(r);
		return;
	case NFT_MSG_NEWCHAIN:
		c = nftnl_chain_alloc();
		if (c && nftnl_chain_nlmsg_parse(nlh, c) == 0)
			snprintf(out, outlen, "chain %s %s %s", family_name(g->nfgen_family),
				 nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE),
				 nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
		if (c)
			nftnl_chain_free(c);
		return;
	default:
		t = nftnl_table_alloc();
		if (t && nftnl_table_nlmsg_parse(nlh, t) == 0)
			snprintf(out, outlen, "table %s %s", family_name(g->nfgen_family),
				 nftnl_table_get_str(t, NFTNL_TABLE_NAME));
		if (t)
			nftnl_table_free(t);
	}
}

/* Finds the message numbered <seq> in the batch we sent and describes it. */
static void describe_seq(const void *batch, size_t len, uint32_t seq, char *out, size_t outlen)
{
	const struct nlmsghdr *nlh = batch;
	int n = (int)len;

	snprintf(out, outlen, "the batch");
	for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
		if (nlh->nlmsg_seq == seq && (nlh->nlmsg_type >> 8) == NFNL_SUBSYS_NFTABLES) {
			describe(nlh, out, outlen);
			return;
		}
	}
}

/* libnftnl prints a rule on several lines: make it one line for a log message. */
static void flatten(char *s)
{
	char *w = s;
	const char *r;

	for (r = s; *r; r++) {
		char c = (*r == '\n' || *r == '\t') ? ' ' : *r;

		if (c == ' ' && (w == s || w[-1] == ' '))
			continue;
		*w++ = c;
	}
	while (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
}

/* Sends a prepared batch; on a kernel error writes which object was rejected into <err>. */
static int run_batch(const void *batch, size_t len, uint32_t seq_end, char *err, size_t errlen)
{
	struct mnl_socket *nl = NULL;
	struct talk res;
	char what[512];
	int ret;

	ret = nl_open(&nl);
	if (ret < 0) {
		vp_errbuf_set(err, errlen, "cannot open a netfilter netlink socket: %s",
			      strerror(-ret));
		return ret;
	}
	ret = talk(nl, batch, len, seq_end, &res);
	if (ret < 0) {
		vp_errbuf_set(err, errlen, "nftables: %s", strerror(-ret));
	} else if (res.nerr) {
		ret = res.err_code[0];
		describe_seq(batch, len, res.err_seq[0], what, sizeof(what));
		flatten(what);
		vp_errbuf_set(err, errlen, "nftables rejected %s: %s", what, strerror(-ret));
	}
	mnl_socket_close(nl);
	return ret;
}

int vp_nft_install(const struct vp_nft_opts *o, enum vp_nft_backend backend, char *err,
		   size_t errlen)
{
	uint32_t seq = (uint32_t)time(NULL);
	size_t size;
	ssize_t len;
	void *buf;
	int ret;

	ret = check_opts(o, backend);
	if (ret < 0) {
		vp_errbuf_set(err, errlen, "invalid nftables options");
		return ret;
	}
	size = vp_nft_batch_size(o);
	buf = malloc(size);
	if (!buf) {
		vp_errbuf_set(err, errlen, "out of memory");
		return -ENOMEM;
	}
	len = vp_nft_build_install(o, backend, seq, buf, size);
	if (len < 0) {
		ret = (int)len;
		vp_errbuf_set(err, errlen, "cannot build the nftables batch: %s", strerror(-ret));
		goto out;
	}
	ret = run_batch(buf, (size_t)len, seq + 100000, err, errlen);
out:
	free(buf);
	return ret;
}

int vp_nft_remove(char *err, size_t errlen)
{
	uint32_t seq = (uint32_t)time(NULL);
	char buf[16 * MSG_MAX] __attribute__((aligned(4)));
	ssize_t len;

	len = vp_nft_build_remove(seq, buf, sizeof(buf));
	if (len < 0) {
		vp_errbuf_set(err, errlen, "cannot build the nftables batch: %s",
			      strerror((int)-len));
		return (int)len;
	}
	return run_batch(buf, (size_t)len, seq + 100000, err, errlen);
}

/* ---- probing ------------------------------------------------------------------------- */

/*
 * A dormant probe table (no hook is ever registered, so traffic never sees it) owned by our
 * socket (the kernel destroys it if we die before deleting it), with a base chain and one
 * queue rule.  It must be committed: the kernel validates expressions against their chain
 * (e.g. nft_compat's family and hook checks) only when the transaction commits, so a batch
 * aborted on purpose would miss exactly the failures we probe for.  probe_one() deletes it
 * again right away.
 */
static ssize_t build_probe(enum vp_nft_backend b, uint32_t tflags, uint32_t seq, void *buf,
			   size_t size)
{
	static const struct vp_nft_opts po = { .queue = 0, .nqueues = 2, .bypass = true };
	struct bld bd = { .buf = buf, .size = size, .seq = seq };
	uint16_t fams[2] = { NFPROTO_INET, 0 };
	size_t i;

	if (b == VP_NFT_XT_NFQUEUE_SPLIT) {
		fams[0] = NFPROTO_IPV4;
		fams[1] = NFPROTO_IPV6;
	}
	put_batch_mark(&bd, true);
	for (i = 0; i < 2 && fams[i]; i++) {
		put_table(&bd, NFT_MSG_NEWTABLE, fams[i], PROBE_TABLE, NLM_F_CREATE, 0);
		put_table(&bd, NFT_MSG_DELTABLE, fams[i], PROBE_TABLE, 0, 0);
		put_table(&bd, NFT_MSG_NEWTABLE, fams[i], PROBE_TABLE, NLM_F_CREATE | NLM_F_EXCL,
			  tflags);
		put_chain(&bd, fams[i], PROBE_TABLE, "probe", NF_INET_LOCAL_IN);
		put_rule(&bd, fams[i], PROBE_TABLE, "probe", r_queue(&po, b));
	}
	put_batch_mark(&bd, false);
	return bd.err ? bd.err : (ssize_t)bd.len;
}

static int probe_delete(struct mnl_socket *nl, enum vp_nft_backend b, uint32_t seq)
{
	char buf[8 * MSG_MAX] __attribute__((aligned(4)));
	struct bld bd = { .buf = buf, .size = sizeof(buf), .seq = seq };
	struct talk res;
	int ret;

	put_batch_mark(&bd, true);
	if (b == VP_NFT_XT_NFQUEUE_SPLIT) {
		put_table(&bd, NFT_MSG_DELTABLE, NFPROTO_IPV4, PROBE_TABLE, 0, 0);
		put_table(&bd, NFT_MSG_DELTABLE, NFPROTO_IPV6, PROBE_TABLE, 0, 0);
	} else {
		put_table(&bd, NFT_MSG_DELTABLE, NFPROTO_INET, PROBE_TABLE, 0, 0);
	}
	put_batch_mark(&bd, false);
	if (bd.err)
		return bd.err;
	ret = talk(nl, buf, bd.len, seq + 1000, &res);
	return ret < 0 ? ret : (res.nerr ? res.err_code[0] : 0);
}

/* Is the error one that means "this expression / target / family is not available"? */
static bool not_supported(int err)
{
	return err == -ENOENT || err == -EOPNOTSUPP || err == -EINVAL || err == -EAFNOSUPPORT ||
	       err == -EPROTONOSUPPORT;
}

/* 0 if backend <b> works, -EOPNOTSUPP if not, another -errno on trouble. */
static int probe_one(struct mnl_socket *nl, enum vp_nft_backend b, uint32_t *seq)
{
	char buf[16 * MSG_MAX] __attribute__((aligned(4)));
	uint32_t tflags = NFT_TABLE_F_DORMANT | NFT_TABLE_F_OWNER;
	struct talk res;
	uint32_t s;
	ssize_t len;
	int ret;

again:
	s = *seq;
	*seq += 2000;
	len = build_probe(b, tflags, s, buf, sizeof(buf));
	if (len < 0)
		return (int)len;
	ret = talk(nl, buf, (size_t)len, s + 1000, &res);
	if (ret < 0)
		return ret;
	if (!res.nerr) {
		ret = probe_delete(nl, b, *seq);
		*seq += 2000;
		return ret;
	}
	/* kernels before 5.12 know no owner flag (message s + 3 creates the table with it) */
	if (res.err_code[0] == -EOPNOTSUPP && (tflags & NFT_TABLE_F_OWNER) &&
	    res.err_seq[0] == s + 3) {
		tflags = NFT_TABLE_F_DORMANT;
		goto again;
	}
	return not_supported(res.err_code[0]) ? -EOPNOTSUPP : res.err_code[0];
}

int vp_nft_probe(enum vp_nft_backend *out)
{
	static const enum vp_nft_backend order[] = { VP_NFT_NATIVE_QUEUE, VP_NFT_XT_NFQUEUE,
						     VP_NFT_XT_NFQUEUE_SPLIT };
	uint32_t seq = (uint32_t)time(NULL);
	struct mnl_socket *nl = NULL;
	int ret;
	size_t i;

	ret = nl_open(&nl);
	if (ret < 0)
		return ret;
	ret = -EOPNOTSUPP;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		ret = probe_one(nl, order[i], &seq);
		if (ret == 0) {
			*out = order[i];
			break;
		}
		if (ret != -EOPNOTSUPP)
			break;
	}
	mnl_socket_close(nl);
	return ret;
}
