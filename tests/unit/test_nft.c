/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon/nft.c round trip: build the install / remove batches into a buffer, parse every
 * message back with libnftnl and compare tables, chains and rule expressions with what the
 * table is meant to contain.  No kernel needed.
 */
#include "vp_build.h"

#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/xt_NFQUEUE.h>

#include "daemon/nft.h"

#define SEQ0 1000u
#define TXT 8192

/* What a batch turned out to contain, in the notation of the expected strings below. */
struct parsed {
	char tables[256];	/* "+inet -inet ... +inet!" (! = NLM_F_EXCL) */
	char chains[4][512];	/* per created table: "name@hook/prio/policy/type ..." */
	char rules[4][TXT];	/* per created table: "chain: expr expr ...\n" */
	int ntables;		/* tables created with NLM_F_EXCL */
	int nmsgs;
	bool seq_ok;		/* consecutive sequence numbers from SEQ0 */
	bool flags_ok;		/* NLM_F_REQUEST set, NLM_F_ACK not set */
	bool begin_ok, end_ok;
};

static void cat(char *dst, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void cat(char *dst, size_t size, const char *fmt, ...)
{
	size_t n = strlen(dst);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst + n, size - n, fmt, ap);
	va_end(ap);
}

static const char *fam_name(unsigned f)
{
	return f == NFPROTO_INET ? "inet" : f == NFPROTO_IPV4 ? "ip" : f == NFPROTO_IPV6 ? "ip6" :
									"?";
}

static const char *meta_name(uint32_t k)
{
	switch (k) {
	case NFT_META_MARK: return "mark";
	case NFT_META_IIF: return "iif";
	case NFT_META_OIF: return "oif";
	case NFT_META_IIFNAME: return "iifname";
	case NFT_META_OIFNAME: return "oifname";
	case NFT_META_L4PROTO: return "l4proto";
	}
	return "?";
}

static void render_cmp(struct nftnl_expr *e, char *o, size_t n)
{
	uint32_t len = 0, v32;
	const uint8_t *d = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);
	uint16_t v16;
	uint32_t i;

	cat(o, n, "%s", nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP) == NFT_CMP_EQ ? "==" : "op?");
	if (nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG) != NFT_REG_1)
		cat(o, n, "reg?");
	if (len == 1) {
		cat(o, n, "%u", d[0]);
	} else if (len == 2) {
		memcpy(&v16, d, 2);
		cat(o, n, "%u", ntohs(v16));
	} else if (len == 4) {
		memcpy(&v32, d, 4);
		cat(o, n, "0x%x", v32);
	} else if (len == 16) {
		cat(o, n, "\"%.16s\"", (const char *)d);
		for (i = (uint32_t)strnlen((const char *)d, 16); i < 16; i++)
			if (d[i])
				cat(o, n, "pad?");
	} else {
		cat(o, n, "len%u?", len);
	}
}

static void render_imm(struct nftnl_expr *e, char *o, size_t n)
{
	int32_t v = (int32_t)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);

	if (nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG) != NFT_REG_VERDICT)
		cat(o, n, "reg?");
	if (v == NF_ACCEPT)
		cat(o, n, "accept");
	else if (v == NF_DROP)
		cat(o, n, "drop");
	else if (v == NFT_GOTO)
		cat(o, n, "goto %s", nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN));
	else
		cat(o, n, "verdict%d?", v);
}

static void render_target(struct nftnl_expr *e, char *o, size_t n)
{
	uint32_t len = 0;
	const struct xt_NFQ_info_v3 *info = nftnl_expr_get(e, NFTNL_EXPR_TG_INFO, &len);

	cat(o, n, "xt %s/%u", nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME),
	    nftnl_expr_get_u32(e, NFTNL_EXPR_TG_REV));
	if (info && len >= sizeof(*info))
		cat(o, n, " num=%u total=%u flags=0x%x", info->queuenum, info->queues_total,
		    info->flags);
	else
		cat(o, n, " info?");
}

static int render_expr(struct nftnl_expr *e, void *data)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	char *o = data;

	cat(o, TXT, " ");
	if (!strcmp(name, "meta")) {
		cat(o, TXT, "meta %s", meta_name(nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY)));
		if (nftnl_expr_get_u32(e, NFTNL_EXPR_META_DREG) != NFT_REG_1)
			cat(o, TXT, "reg?");
	} else if (!strcmp(name, "ct")) {
		cat(o, TXT, "ct %s", nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY) == NFT_CT_MARK ?
					     "mark" : "?");
	} else if (!strcmp(name, "payload")) {
		cat(o, TXT, "%s %u/%u",
		    nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE) == NFT_PAYLOAD_TRANSPORT_HEADER ?
			    "th" : "base?",
		    nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET),
		    nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN));
	} else if (!strcmp(name, "cmp")) {
		render_cmp(e, o, TXT);
	} else if (!strcmp(name, "immediate")) {
		render_imm(e, o, TXT);
	} else if (!strcmp(name, "queue")) {
		cat(o, TXT, "queue num=%u total=%u flags=0x%x",
		    nftnl_expr_get_u16(e, NFTNL_EXPR_QUEUE_NUM),
		    nftnl_expr_get_u16(e, NFTNL_EXPR_QUEUE_TOTAL),
		    nftnl_expr_get_u16(e, NFTNL_EXPR_QUEUE_FLAGS));
	} else if (!strcmp(name, "target")) {
		render_target(e, o, TXT);
	} else {
		cat(o, TXT, "%s?", name);
	}
	return 0;
}

static void parse_table_msg(const struct nlmsghdr *nlh, struct parsed *p)
{
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	struct nftnl_table *t = nftnl_table_alloc();
	bool add = (nlh->nlmsg_type & 0xff) == NFT_MSG_NEWTABLE;

	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(nftnl_table_nlmsg_parse(nlh, t), 0);
	ck_assert_str_eq(nftnl_table_get_str(t, NFTNL_TABLE_NAME), VP_NFT_TABLE);
	cat(p->tables, sizeof(p->tables), "%s%s%s%s", p->tables[0] ? " " : "", add ? "+" : "-",
	    fam_name(g->nfgen_family), (nlh->nlmsg_flags & NLM_F_EXCL) ? "!" : "");
	if (add && (nlh->nlmsg_flags & NLM_F_EXCL))
		p->ntables++;
	nftnl_table_free(t);
}

static void parse_chain_msg(const struct nlmsghdr *nlh, struct parsed *p)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	char *o;

	ck_assert_ptr_nonnull(c);
	ck_assert_int_ge(p->ntables, 1);
	ck_assert_int_eq(nftnl_chain_nlmsg_parse(nlh, c), 0);
	ck_assert_str_eq(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE), VP_NFT_TABLE);
	o = p->chains[p->ntables - 1];
	cat(o, 512, "%s%s", o[0] ? " " : "", nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
	if (nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM))
		cat(o, 512, "@%u/%d/%s/%s", nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM),
		    nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO),
		    nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == NF_ACCEPT ? "accept" : "?",
		    nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE));
	nftnl_chain_free(c);
}

static void parse_rule_msg(const struct nlmsghdr *nlh, struct parsed *p)
{
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	struct nftnl_rule *r = nftnl_rule_alloc();
	char *o;

	ck_assert_ptr_nonnull(r);
	ck_assert_int_ge(p->ntables, 1);
	ck_assert_int_eq(nftnl_rule_nlmsg_parse(nlh, r), 0);
	ck_assert_str_eq(nftnl_rule_get_str(r, NFTNL_RULE_TABLE), VP_NFT_TABLE);
	ck_assert_uint_eq(nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY), g->nfgen_family);
	ck_assert(nlh->nlmsg_flags & NLM_F_APPEND);
	o = p->rules[p->ntables - 1];
	cat(o, TXT, "%s:", nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));
	nftnl_expr_foreach(r, render_expr, o);
	cat(o, TXT, "\n");
	nftnl_rule_free(r);
}

static void parse_batch(const void *buf, ssize_t len, struct parsed *p)
{
	const struct nlmsghdr *nlh = buf;
	int n = (int)len;
	uint32_t seq = SEQ0;

	memset(p, 0, sizeof(*p));
	p->seq_ok = p->flags_ok = true;
	ck_assert_int_gt(len, 0);
	for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n), seq++, p->nmsgs++) {
		const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);

		p->seq_ok &= nlh->nlmsg_seq == seq;
		p->flags_ok &= (nlh->nlmsg_flags & NLM_F_REQUEST) &&
			       !(nlh->nlmsg_flags & NLM_F_ACK);
		if (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN) {
			p->begin_ok = p->nmsgs == 0 && ntohs(g->res_id) == NFNL_SUBSYS_NFTABLES;
			continue;
		}
		if (nlh->nlmsg_type == NFNL_MSG_BATCH_END) {
			p->end_ok = true;
			continue;
		}
		ck_assert_uint_eq(nlh->nlmsg_type >> 8, NFNL_SUBSYS_NFTABLES);
		ck_assert(!p->end_ok);	/* nothing after the end */
		switch (nlh->nlmsg_type & 0xff) {
		case NFT_MSG_NEWTABLE:
		case NFT_MSG_DELTABLE:
			parse_table_msg(nlh, p);
			break;
		case NFT_MSG_NEWCHAIN:
			parse_chain_msg(nlh, p);
			break;
		case NFT_MSG_NEWRULE:
			parse_rule_msg(nlh, p);
			break;
		default:
			ck_abort_msg("unexpected message type %u", nlh->nlmsg_type);
		}
	}
	ck_assert_int_eq(n, 0);		/* the batch ends exactly at its length */
}

/* writable strings: vp_nft_opts.ifaces has the type of vp_config.nft_interfaces */
static char if_eth0[] = "eth0", if_ens3[] = "ens3", if_long[] = "averyveryverylongname";
static char if_empty[] = "", if_max[] = "abcdefghijklmno";	/* IFNAMSIZ - 1 */
static char *ifaces_a[] = { if_eth0, if_ens3 };
static const uint16_t ports_a[] = { 80, 443 };
static const uint16_t ports_b[] = { 8080 };

#define FLUSH "+inet -inet +ip -ip +ip6 -ip6"
#define BASES "input@1/0/accept/filter output@3/0/accept/filter forward@2/0/accept/filter"

static const struct {
	const char *name;
	struct vp_nft_opts o;
	enum vp_nft_backend b;
	const char *tables, *chains, *rules;
} cases[] = {
	{ "xt, all interfaces and ports",
	  { .queue = 3, .nqueues = 2, .bypass = true, .mark = 0x7670 }, VP_NFT_XT_NFQUEUE,
	  FLUSH " +inet!", "divert l4 " BASES,
	  "input: meta mark ==0x7670 accept\n"
	  "input: ct mark ==0x7670 accept\n"
	  "input: meta iif ==0x1 accept\n"
	  "input: goto l4\n"
	  "output: meta mark ==0x7670 accept\n"
	  "output: ct mark ==0x7670 accept\n"
	  "output: meta oif ==0x1 accept\n"
	  "output: goto l4\n"
	  "forward: meta mark ==0x7670 accept\n"
	  "forward: ct mark ==0x7670 accept\n"
	  "forward: goto l4\n"
	  "l4: meta l4proto ==6 goto divert\n"
	  "l4: meta l4proto ==17 goto divert\n"
	  "divert: xt NFQUEUE/3 num=3 total=2 flags=0x1\n" },
	{ "native, interfaces, ports, loopback",
	  { .queue = 0, .nqueues = 1, .loopback = true, .ifaces = ifaces_a, .n_ifaces = 2,
	    .ports = ports_a, .n_ports = 2, .mark = 1 }, VP_NFT_NATIVE_QUEUE,
	  FLUSH " +inet!", "divert ports l4 " BASES,
	  "input: meta mark ==0x1 accept\n"
	  "input: ct mark ==0x1 accept\n"
	  "input: meta iifname ==\"eth0\" goto l4\n"
	  "input: meta iifname ==\"ens3\" goto l4\n"
	  "output: meta mark ==0x1 accept\n"
	  "output: ct mark ==0x1 accept\n"
	  "output: meta oifname ==\"eth0\" goto l4\n"
	  "output: meta oifname ==\"ens3\" goto l4\n"
	  "forward: meta mark ==0x1 accept\n"
	  "forward: ct mark ==0x1 accept\n"
	  "forward: meta iifname ==\"eth0\" goto l4\n"
	  "forward: meta oifname ==\"eth0\" goto l4\n"
	  "forward: meta iifname ==\"ens3\" goto l4\n"
	  "forward: meta oifname ==\"ens3\" goto l4\n"
	  "l4: meta l4proto ==6 goto ports\n"
	  "l4: meta l4proto ==17 goto ports\n"
	  "ports: th 2/2 ==80 goto divert\n"
	  "ports: th 0/2 ==80 goto divert\n"
	  "ports: th 2/2 ==443 goto divert\n"
	  "ports: th 0/2 ==443 goto divert\n"
	  "divert: queue num=0 total=1 flags=0x0\n" },
	{ "xt split into ip + ip6, one port",
	  { .queue = 10, .nqueues = 4, .bypass = true, .ports = ports_b, .n_ports = 1,
	    .mark = 0xdead }, VP_NFT_XT_NFQUEUE_SPLIT,
	  FLUSH " +ip! +ip6!", "divert ports l4 " BASES,
	  "input: meta mark ==0xdead accept\n"
	  "input: ct mark ==0xdead accept\n"
	  "input: meta iif ==0x1 accept\n"
	  "input: goto l4\n"
	  "output: meta mark ==0xdead accept\n"
	  "output: ct mark ==0xdead accept\n"
	  "output: meta oif ==0x1 accept\n"
	  "output: goto l4\n"
	  "forward: meta mark ==0xdead accept\n"
	  "forward: ct mark ==0xdead accept\n"
	  "forward: goto l4\n"
	  "l4: meta l4proto ==6 goto ports\n"
	  "l4: meta l4proto ==17 goto ports\n"
	  "ports: th 2/2 ==8080 goto divert\n"
	  "ports: th 0/2 ==8080 goto divert\n"
	  "divert: xt NFQUEUE/3 num=10 total=4 flags=0x1\n" },
};

START_TEST(test_install_round_trip)
{
	size_t size = vp_nft_batch_size(&cases[_i].o);
	struct parsed *p = malloc(sizeof(*p));
	void *buf = malloc(size);
	ssize_t len;
	int t;

	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(buf);
	len = vp_nft_build_install(&cases[_i].o, cases[_i].b, SEQ0, buf, size);
	ck_assert_msg(len > 0, "%s: %zd", cases[_i].name, len);
	parse_batch(buf, len, p);
	ck_assert(p->begin_ok);
	ck_assert(p->end_ok);
	ck_assert(p->seq_ok);
	ck_assert(p->flags_ok);
	ck_assert_str_eq(p->tables, cases[_i].tables);
	for (t = 0; t < p->ntables; t++) {
		ck_assert_str_eq(p->chains[t], cases[_i].chains);
		ck_assert_str_eq(p->rules[t], cases[_i].rules);
	}
	free(buf);
	free(p);
}
END_TEST

START_TEST(test_remove_batch)
{
	char buf[16384] __attribute__((aligned(4)));
	struct parsed *p = malloc(sizeof(*p));
	ssize_t len;

	ck_assert_ptr_nonnull(p);
	len = vp_nft_build_remove(SEQ0, buf, sizeof(buf));
	parse_batch(buf, len, p);
	ck_assert(p->begin_ok && p->end_ok && p->seq_ok && p->flags_ok);
	ck_assert_int_eq(p->nmsgs, 8);
	ck_assert_str_eq(p->tables, FLUSH);	/* add+delete pairs only: never ENOENT */
	ck_assert_int_eq(p->ntables, 0);
	free(p);
}
END_TEST

static char *long_iface[] = { if_long };
static char *empty_iface[] = { if_empty };
static const uint16_t zero_port[] = { 0 };

static const struct {
	struct vp_nft_opts o;
	int backend;
} bad[] = {
	{ { .nqueues = 0, .mark = 1 }, VP_NFT_XT_NFQUEUE },		/* no queue */
	{ { .nqueues = 1, .mark = 0 }, VP_NFT_XT_NFQUEUE },		/* mark 0 matches all */
	{ { .queue = 65535, .nqueues = 2, .mark = 1 }, VP_NFT_XT_NFQUEUE },	/* past 65535 */
	{ { .nqueues = 1, .mark = 1 }, 7 },				/* unknown backend */
	{ { .nqueues = 1, .mark = 1, .ifaces = long_iface, .n_ifaces = 1 }, VP_NFT_XT_NFQUEUE },
	{ { .nqueues = 1, .mark = 1, .ifaces = empty_iface, .n_ifaces = 1 }, VP_NFT_XT_NFQUEUE },
	{ { .nqueues = 1, .mark = 1, .n_ifaces = 1 }, VP_NFT_XT_NFQUEUE },	/* NULL list */
	{ { .nqueues = 1, .mark = 1, .ports = zero_port, .n_ports = 1 }, VP_NFT_XT_NFQUEUE },
	{ { .nqueues = 1, .mark = 1, .ports = zero_port, .n_ports = VP_NFT_MAX_PORTS + 1 },
	  VP_NFT_XT_NFQUEUE },
	{ { .nqueues = 1, .mark = 1, .ifaces = empty_iface, .n_ifaces = VP_NFT_MAX_IFACES + 1 },
	  VP_NFT_XT_NFQUEUE },
};

START_TEST(test_bad_options)
{
	char buf[4096] __attribute__((aligned(4)));

	ck_assert_int_eq(vp_nft_build_install(&bad[_i].o, (enum vp_nft_backend)bad[_i].backend,
					      SEQ0, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(vp_nft_install(&bad[_i].o, (enum vp_nft_backend)bad[_i].backend, NULL,
					0), -EINVAL);
}
END_TEST

START_TEST(test_null_options)
{
	char buf[4096] __attribute__((aligned(4)));

	ck_assert_int_eq(vp_nft_build_install(NULL, VP_NFT_XT_NFQUEUE, SEQ0, buf, sizeof(buf)),
			 -EINVAL);
}
END_TEST

/* Too small a buffer: -ENOSPC, and nothing is written past its end. */
START_TEST(test_no_space)
{
	const struct vp_nft_opts *o = &cases[1].o;
	size_t full = vp_nft_batch_size(o), size, i;
	uint8_t *buf = malloc(full + 64);
	ssize_t len;

	ck_assert_ptr_nonnull(buf);
	len = vp_nft_build_install(o, cases[1].b, SEQ0, buf, full);
	ck_assert_int_gt(len, 0);
	for (size = 0; size < (size_t)len; size += 97) {
		memset(buf, 0xa5, full + 64);
		ck_assert_int_eq(vp_nft_build_install(o, cases[1].b, SEQ0, buf, size), -ENOSPC);
		for (i = size; i < full + 64 && buf[i] == 0xa5; i++)
			;
		ck_assert_uint_eq(i, full + 64);
	}
	ck_assert_int_eq(vp_nft_build_remove(SEQ0, buf, 100), -ENOSPC);
	free(buf);
}
END_TEST

/* The size bound holds for the largest configuration. */
START_TEST(test_max_size)
{
	static char *ifs[VP_NFT_MAX_IFACES];
	static uint16_t ports[VP_NFT_MAX_PORTS];
	struct vp_nft_opts o = { .nqueues = 64, .mark = 5, .ifaces = ifs,
				 .n_ifaces = VP_NFT_MAX_IFACES, .ports = ports,
				 .n_ports = VP_NFT_MAX_PORTS };
	size_t i, size = vp_nft_batch_size(&o);
	struct parsed *p = malloc(sizeof(*p));
	void *buf = malloc(size);
	ssize_t len;

	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < VP_NFT_MAX_IFACES; i++)
		ifs[i] = if_max;
	for (i = 0; i < VP_NFT_MAX_PORTS; i++)
		ports[i] = (uint16_t)(1 + i);
	len = vp_nft_build_install(&o, VP_NFT_XT_NFQUEUE_SPLIT, SEQ0, buf, size);
	ck_assert_int_gt(len, 0);
	ck_assert_uint_le((size_t)len, size);
	parse_batch(buf, len, p);
	ck_assert(p->begin_ok && p->end_ok && p->seq_ok && p->flags_ok);
	ck_assert_int_eq(p->ntables, 2);
	free(buf);
	free(p);
}
END_TEST

START_TEST(test_backend_names)
{
	ck_assert_str_eq(vp_nft_backend_name(VP_NFT_NATIVE_QUEUE), "native queue");
	ck_assert_str_eq(vp_nft_backend_name(VP_NFT_XT_NFQUEUE), "xt NFQUEUE (inet)");
	ck_assert_str_eq(vp_nft_backend_name(VP_NFT_XT_NFQUEUE_SPLIT), "xt NFQUEUE (ip+ip6)");
	ck_assert_str_eq(vp_nft_backend_name((enum vp_nft_backend)9), "unknown");
}
END_TEST

static Suite *nft_suite(void)
{
	Suite *s = suite_create("nft");
	TCase *tc = tcase_create("batch");

	tcase_add_loop_test(tc, test_install_round_trip, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_remove_batch);
	tcase_add_loop_test(tc, test_bad_options, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_null_options);
	tcase_add_test(tc, test_no_space);
	tcase_add_test(tc, test_max_size);
	tcase_add_test(tc, test_backend_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(nft_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
