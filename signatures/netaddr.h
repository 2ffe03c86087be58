/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Address and port specifications of a rule header: "any", IPv4/IPv6 CIDR,
 * port numbers and ranges (a:b, a:, :b), lists "[..]" (nested), negation "!"
 * of items and lists, and $VARIABLES resolved through struct vp_vars (a
 * variable's value is itself a specification, possibly naming other
 * variables).  Semantics follow Suricata: in a list a negated member removes
 * from what the positive members give ("[10.0.0.0/8,!10.1.0.0/16]"); a list
 * of only negated members means "everything except".
 *
 * Built on the control thread; a parsed specification is read-only and can
 * be matched by any number of threads at once.
 */
#ifndef VP_SIGNATURES_NETADDR_H
#define VP_SIGNATURES_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inspect/packet.h"
#include "signatures/vars.h"

struct vp_netaddr;

/*
 * Parses the address specification <text> (NUL-terminated), resolving
 * variables through <vars> (may be NULL: no variables).  Returns a new
 * specification owned by the caller (vp_netaddr_free), or NULL with an exact
 * message in <err> ("bad address 'x'", "bad CIDR 'x'", "undefined variable
 * '$X'" ...).  Control thread.
 */
struct vp_netaddr *vp_netaddr_parse_addrs(const char *text, const struct vp_vars *vars,
					  char *err, size_t errlen);

/* As vp_netaddr_parse_addrs() for a port specification ("bad port 'x'", "bad port range 'x'"). */
struct vp_netaddr *vp_netaddr_parse_ports(const char *text, const struct vp_vars *vars,
					  char *err, size_t errlen);

/* Whether <a> / <port> is in the specification. Any thread; no allocation. */
bool vp_netaddr_match_addr(const struct vp_netaddr *n, const struct vp_addr *a);
bool vp_netaddr_match_port(const struct vp_netaddr *n, uint16_t port);

/*
 * Calls <fn> with every port where a port specification's answer may change:
 * the first port of each range and the one after its last (up to 65536).
 * Between two consecutive edges vp_netaddr_match_port() gives one answer.
 */
typedef void (*vp_netaddr_edge_fn)(void *ctx, uint32_t port);
void vp_netaddr_port_edges(const struct vp_netaddr *n, vp_netaddr_edge_fn fn, void *ctx);

/*
 * Which addresses address specification <n> may match, relative to the set
 * <home> ($HOME_NET): VP_NETADDR_HOME some address of <home>, and/or
 * VP_NETADDR_OUTSIDE some other.  Never too few: a specification or home
 * set it does not work out exactly (negated members) gets both.  NULL <n>
 * ("any") gets both.
 */
#define VP_NETADDR_HOME 1u
#define VP_NETADDR_OUTSIDE 2u
unsigned vp_netaddr_classes(const struct vp_netaddr *n, const struct vp_netaddr *home);

/* True when the specification is plain "any" (after variable resolution). */
bool vp_netaddr_is_any(const struct vp_netaddr *n);

void vp_netaddr_free(struct vp_netaddr *n);	/* NULL-safe */

#endif
