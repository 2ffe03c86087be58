/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "signatures/netaddr.h"

enum node_kind {
	NODE_ANY = 1,
	NODE_CIDR = 2,		/* family, plen, a (host bits cleared) */
	NODE_RANGE = 3,		/* lo..hi, inclusive */
	NODE_LIST = 4,		/* n children */
};

struct vp_netaddr {
	uint8_t kind;
	bool neg;
	uint8_t family;
	uint8_t plen;
	uint8_t a[16];
	uint16_t lo, hi;
	uint32_t n;
	struct vp_netaddr *child;
};

#define MAX_VAR_DEPTH 8		/* $A -> $B -> ... */
#define MAX_LIST_DEPTH 16	/* nested [..] including those from variables */
#define MAX_NODES 4096		/* items of one specification, after expansion */
#define MAX_QUOTE 80		/* characters of offending text quoted in a message */

struct pctx {
	const struct vp_vars *vars;
	bool ports;
	unsigned nodes;
	bool var_noted;		/* the error already names the variable it came from */
	char *err;
	size_t errlen;
};

static void errf(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void errf(struct pctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
}

/* "<what> '<text>'", the text clipped to MAX_QUOTE characters. */
static void err_text(struct pctx *c, const char *what, const char *s, size_t len)
{
	int n = len > MAX_QUOTE ? MAX_QUOTE : (int)len;

	errf(c, "%s '%.*s%s'", what, n, s, len > MAX_QUOTE ? "..." : "");
}

static void node_clear(struct vp_netaddr *n)
{
	uint32_t i;

	if (n->kind == NODE_LIST && n->child) {
		for (i = 0; i < n->n; i++)
			node_clear(&n->child[i]);
		free(n->child);
	}
	memset(n, 0, sizeof(*n));
}

void vp_netaddr_free(struct vp_netaddr *n)
{
	if (!n)
		return;
	node_clear(n);
	free(n);
}

static void trim(const char **s, size_t *len)
{
	while (*len && isspace((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

static int parse_spec(struct pctx *c, const char *s, size_t len, struct vp_netaddr *out,
		      unsigned vdepth, unsigned ldepth);

/* Parses up to 5 decimal digits as a port; -1 if not a number in 0..65535. */
static long parse_port_num(const char *s, size_t len)
{
	long v = 0;
	size_t i;

	if (len == 0 || len > 5)
		return -1;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= 65535 ? v : -1;
}

static int parse_port(struct pctx *c, const char *s, size_t len, struct vp_netaddr *out)
{
	const char *colon = memchr(s, ':', len);
	long lo, hi;

	out->kind = NODE_RANGE;
	if (!colon) {
		lo = parse_port_num(s, len);
		if (lo < 0)
			goto bad_port;
		out->lo = out->hi = (uint16_t)lo;
		return 0;
	}
	if (memchr(colon + 1, ':', len - (size_t)(colon - s) - 1) || len == 1)
		goto bad_range;
	lo = colon == s ? 0 : parse_port_num(s, (size_t)(colon - s));
	hi = colon == s + len - 1 ? 65535
				  : parse_port_num(colon + 1, len - (size_t)(colon - s) - 1);
	if (lo < 0 || hi < 0 || lo > hi)
		goto bad_range;
	out->lo = (uint16_t)lo;
	out->hi = (uint16_t)hi;
	return 0;
bad_port:
	err_text(c, "bad port", s, len);
	return -1;
bad_range:
	err_text(c, "bad port range", s, len);
	return -1;
}

static void mask_addr(uint8_t *a, unsigned plen, unsigned bits)
{
	unsigned i;

	for (i = plen; i < bits; i++)
		a[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
}

/* An IPv4 dotted netmask ("255.255.0.0") as a prefix length; -1 if not contiguous. */
static int v4_mask_len(const char *m)
{
	struct in_addr in;
	uint32_t v;
	int n = 0;

	if (inet_pton(AF_INET, m, &in) != 1)
		return -1;
	v = ntohl(in.s_addr);
	while (v & 0x80000000u) {
		n++;
		v <<= 1;
	}
	return v ? -1 : n;
}

static int parse_plen(const char *p, unsigned bits, bool v4)
{
	long v = 0;
	size_t i, len = strlen(p);

	if (v4 && strchr(p, '.'))
		return v4_mask_len(p);
	if (len == 0 || len > 3)
		return -1;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v <= (long)bits ? (int)v : -1;
}

static int parse_cidr(struct pctx *c, const char *s, size_t len, struct vp_netaddr *out)
{
	char buf[64];
	char *slash;
	bool v6;
	int plen;

	if (len >= sizeof(buf))
		goto bad_addr;
	memcpy(buf, s, len);
	buf[len] = '\0';
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	v6 = strchr(buf, ':') != NULL;
	out->kind = NODE_CIDR;
	out->family = v6 ? AF_INET6 : AF_INET;
	if (inet_pton(out->family, buf, out->a) != 1)
		goto bad_addr;
	plen = v6 ? 128 : 32;
	if (slash) {
		plen = parse_plen(slash + 1, v6 ? 128 : 32, !v6);
		if (plen < 0)
			goto bad_cidr;
	}
	out->plen = (uint8_t)plen;
	mask_addr(out->a, (unsigned)plen, v6 ? 128 : 32);
	return 0;
bad_addr:
	err_text(c, "bad address", s, len);
	return -1;
bad_cidr:
	err_text(c, "bad CIDR", s, len);
	return -1;
}

/* Number of top-level comma-separated items of the list body s[0..len); -1 if unbalanced. */
static long count_items(const char *s, size_t len)
{
	long n = 1;
	int depth = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '[')
			depth++;
		else if (s[i] == ']' && --depth < 0)
			return -1;
		else if (s[i] == ',' && depth == 0)
			n++;
	}
	return depth == 0 ? n : -1;
}

/* Length of the item starting at s (up to a top-level ',' or the end). */
static size_t item_len(const char *s, size_t len)
{
	int depth = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '[')
			depth++;
		else if (s[i] == ']')
			depth--;
		else if (s[i] == ',' && depth == 0)
			break;
	}
	return i;
}

static int parse_list(struct pctx *c, const char *s, size_t len, struct vp_netaddr *out,
		      unsigned vdepth, unsigned ldepth)
{
	const char *body = s + 1, *end;
	size_t blen, il;
	long n;
	uint32_t i;

	if (len < 2 || s[len - 1] != ']') {
		err_text(c, "unbalanced brackets in", s, len);
		return -1;
	}
	blen = len - 2;
	n = count_items(body, blen);
	if (n < 0) {
		err_text(c, "unbalanced brackets in", s, len);
		return -1;
	}
	if (ldepth >= MAX_LIST_DEPTH) {
		err_text(c, "lists nested too deep in", s, len);
		return -1;
	}
	if (n > MAX_NODES) {
		errf(c, "%s list too long", c->ports ? "port" : "address");
		return -1;
	}
	out->kind = NODE_LIST;
	out->child = calloc((size_t)n, sizeof(*out->child));
	if (!out->child) {
		errf(c, "out of memory");
		return -1;
	}
	out->n = (uint32_t)n;
	end = body + blen;
	for (i = 0; i < out->n; i++) {
		il = item_len(body, (size_t)(end - body));
		if (parse_spec(c, body, il, &out->child[i], vdepth, ldepth + 1) < 0)
			return -1;
		body += il + (body + il < end);
	}
	return 0;
}

static int parse_var(struct pctx *c, const char *s, size_t len, struct vp_netaddr *out,
		     unsigned vdepth, unsigned ldepth)
{
	char name[128];
	const char *val;
	size_t i;

	if (len < 2 || len - 1 >= sizeof(name))
		goto bad;
	for (i = 1; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			goto bad;
	memcpy(name, s + 1, len - 1);
	name[len - 1] = '\0';
	val = c->vars ? vp_vars_get(c->vars, name) : NULL;
	if (!val) {
		errf(c, "undefined variable '$%s'", name);
		return -1;
	}
	if (vdepth >= MAX_VAR_DEPTH) {
		errf(c, "variable '$%s' nested too deep", name);
		return -1;
	}
	if (parse_spec(c, val, strlen(val), out, vdepth + 1, ldepth) < 0) {
		if (!c->var_noted) {
			size_t el = strlen(c->err);

			snprintf(c->err + el, c->errlen - el, " (in $%s)", name);
			c->var_noted = true;
		}
		return -1;
	}
	return 0;
bad:
	err_text(c, "bad variable name", s, len);
	return -1;
}

/* !<spec>: negate; a spec already negated is wrapped in a one-member list. */
static int parse_neg(struct pctx *c, const char *s, size_t len, struct vp_netaddr *out,
		     unsigned vdepth, unsigned ldepth)
{
	struct vp_netaddr *w;

	if (len > 1 && s[1] == '!') {
		err_text(c, c->ports ? "bad port" : "bad address", s, len);
		return -1;
	}
	if (parse_spec(c, s + 1, len - 1, out, vdepth, ldepth + 1) < 0)
		return -1;
	if (out->kind == NODE_ANY) {
		errf(c, "'%.*s' matches nothing", len > MAX_QUOTE ? MAX_QUOTE : (int)len, s);
		return -1;
	}
	if (!out->neg) {
		out->neg = true;
		return 0;
	}
	w = malloc(sizeof(*w));
	if (!w) {
		errf(c, "out of memory");
		return -1;
	}
	*w = *out;
	memset(out, 0, sizeof(*out));
	out->kind = NODE_LIST;
	out->neg = true;
	out->n = 1;
	out->child = w;
	return 0;
}

static int parse_spec(struct pctx *c, const char *s, size_t len, struct vp_netaddr *out,
		      unsigned vdepth, unsigned ldepth)
{
	trim(&s, &len);
	if (++c->nodes > MAX_NODES) {
		errf(c, "%s list too long", c->ports ? "port" : "address");
		return -1;
	}
	if (len == 0) {
		errf(c, "empty %s", c->ports ? "port" : "address");
		return -1;
	}
	switch (s[0]) {
	case '!':
		return parse_neg(c, s, len, out, vdepth, ldepth);
	case '[':
		return parse_list(c, s, len, out, vdepth, ldepth);
	case '$':
		return parse_var(c, s, len, out, vdepth, ldepth);
	default:
		break;
	}
	if (len == 3 && strncasecmp(s, "any", 3) == 0) {
		out->kind = NODE_ANY;
		return 0;
	}
	return c->ports ? parse_port(c, s, len, out) : parse_cidr(c, s, len, out);
}

static struct vp_netaddr *parse_top(const char *text, const struct vp_vars *vars, bool ports,
				    char *err, size_t errlen)
{
	struct pctx c = { .vars = vars, .ports = ports, .err = err, .errlen = errlen };
	struct vp_netaddr *n;

	if (errlen)
		err[0] = '\0';
	n = calloc(1, sizeof(*n));
	if (!n) {
		errf(&c, "out of memory");
		return NULL;
	}
	if (parse_spec(&c, text, strlen(text), n, 0, 0) < 0) {
		vp_netaddr_free(n);
		return NULL;
	}
	return n;
}

struct vp_netaddr *vp_netaddr_parse_addrs(const char *text, const struct vp_vars *vars,
					  char *err, size_t errlen)
{
	return parse_top(text, vars, false, err, errlen);
}

struct vp_netaddr *vp_netaddr_parse_ports(const char *text, const struct vp_vars *vars,
					  char *err, size_t errlen)
{
	return parse_top(text, vars, true, err, errlen);
}

static bool prefix_eq(const uint8_t *x, const uint8_t *y, unsigned plen)
{
	unsigned full = plen / 8, rem = plen % 8;
	uint8_t mask;

	if (memcmp(x, y, full) != 0)
		return false;
	if (rem == 0)
		return true;
	mask = (uint8_t)(0xffu << (8 - rem));
	return ((x[full] ^ y[full]) & mask) == 0;
}

/* Match ignoring n->neg; for lists applies the members' own negations. */
static bool inner_match(const struct vp_netaddr *n, const struct vp_addr *a, uint16_t port)
{
	bool pos = false, hit = false, r;
	uint32_t i;

	switch (n->kind) {
	case NODE_ANY:
		return true;
	case NODE_CIDR:
		return a && a->family == n->family && prefix_eq(a->a, n->a, n->plen);
	case NODE_RANGE:
		return !a && port >= n->lo && port <= n->hi;
	case NODE_LIST:
		for (i = 0; i < n->n; i++) {
			r = inner_match(&n->child[i], a, port);
			if (n->child[i].neg) {
				if (r)
					return false;
			} else {
				pos = true;
				hit = hit || r;
			}
		}
		return !pos || hit;
	default:
		return false;
	}
}

bool vp_netaddr_match_addr(const struct vp_netaddr *n, const struct vp_addr *a)
{
	return inner_match(n, a, 0) != n->neg;
}

bool vp_netaddr_match_port(const struct vp_netaddr *n, uint16_t port)
{
	return inner_match(n, NULL, port) != n->neg;
}

/* Whether every member of <n> (ignoring n->neg) is a positive CIDR, lists flattened. */
static bool plain_cidrs(const struct vp_netaddr *n)
{
	uint32_t i;

	if (n->kind == NODE_CIDR)
		return true;
	if (n->kind != NODE_LIST)
		return false;
	for (i = 0; i < n->n; i++)
		if (n->child[i].neg || !plain_cidrs(&n->child[i]))
			return false;
	return true;
}

/* Whether CIDR <c> shares an address with the plain CIDR set <h>; *inside: lies in one. */
static bool cidr_meets(const struct vp_netaddr *c, const struct vp_netaddr *h, bool *inside)
{
	bool any = false;
	uint32_t i;

	if (h->kind == NODE_LIST) {
		for (i = 0; i < h->n; i++)
			any |= cidr_meets(c, &h->child[i], inside);
		return any;
	}
	if (c->family != h->family)
		return false;
	if (h->plen <= c->plen && prefix_eq(c->a, h->a, h->plen))
		*inside = true;
	return prefix_eq(c->a, h->a, c->plen < h->plen ? c->plen : h->plen);
}

/* Classes of a plain CIDR set <n> against <home>. */
static unsigned plain_classes(const struct vp_netaddr *n, const struct vp_netaddr *home)
{
	unsigned cls = 0;
	bool inside = false;
	uint32_t i;

	if (n->kind == NODE_LIST) {
		for (i = 0; i < n->n; i++)
			cls |= plain_classes(&n->child[i], home);
		return cls;
	}
	if (cidr_meets(n, home, &inside))
		cls |= VP_NETADDR_HOME;
	if (!inside)
		cls |= VP_NETADDR_OUTSIDE;	/* not in one home CIDR: maybe outside (safe side) */
	return cls;
}

/* Whether the plain CIDR set <n> covers every CIDR of <home>. */
static bool covers(const struct vp_netaddr *n, const struct vp_netaddr *home)
{
	bool inside = false;
	uint32_t i;

	if (home->kind == NODE_LIST) {
		for (i = 0; i < home->n; i++)
			if (!covers(n, &home->child[i]))
				return false;
		return true;
	}
	cidr_meets(home, n, &inside);
	return inside;
}

unsigned vp_netaddr_classes(const struct vp_netaddr *n, const struct vp_netaddr *home)
{
	const unsigned both = VP_NETADDR_HOME | VP_NETADDR_OUTSIDE;

	if (!n || !home || n->kind == NODE_ANY || home->neg || !plain_cidrs(home))
		return both;
	if (!plain_cidrs(n))
		return both;	/* negated members: not worked out, either may match */
	if (!n->neg)
		return plain_classes(n, home);
	/* Everything but <n>: no home address when <n> covers home. */
	return covers(n, home) ? VP_NETADDR_OUTSIDE : both;
}

static void edges(const struct vp_netaddr *n, vp_netaddr_edge_fn fn, void *ctx)
{
	uint32_t i;

	if (n->kind == NODE_RANGE) {
		fn(ctx, n->lo);
		fn(ctx, (uint32_t)n->hi + 1);
	} else if (n->kind == NODE_LIST) {
		for (i = 0; i < n->n; i++)
			edges(&n->child[i], fn, ctx);
	}
}

void vp_netaddr_port_edges(const struct vp_netaddr *n, vp_netaddr_edge_fn fn, void *ctx)
{
	if (n)
		edges(n, fn, ctx);
}

bool vp_netaddr_is_any(const struct vp_netaddr *n)
{
	return n->kind == NODE_ANY && !n->neg;
}
