/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Built-in protocol-violation rules: stable ids, names used in the
 * configuration (violation.<name> = block | log | off) and their default
 * policy.  Documented in vpatchd.conf(5) and vpatch.rules(5).
 */
#ifndef VP_SIGNATURES_BUILTIN_H
#define VP_SIGNATURES_BUILTIN_H

#include <stdint.h>

enum vp_builtin {
	VP_BUILTIN_BAD_IP_HEADER = 0,
	VP_BUILTIN_SAME_ADDRESS,
	VP_BUILTIN_URI_BAD_CHAR,
	VP_BUILTIN_URI_TOO_MANY_SLASHES,
	VP_BUILTIN_URI_ABOVE_ROOT,
	VP_BUILTIN_TCP_FLOW_CAP,
	VP_BUILTIN_UDP_FLOW_CAP,
	VP_BUILTIN_RESOURCE_EXHAUSTED,
	VP_BUILTIN_TCP_OVERLAP_CONFLICT,
	VP_BUILTIN_URI_DOUBLE_ENCODING,
	VP_BUILTIN_URI_U_ENCODING,
	VP_BUILTIN_URI_OVERLONG_UTF8,
	VP_BUILTIN_HTTP_SMUGGLING,
	VP_BUILTIN_HTTP_MALFORMED,
	VP_BUILTIN_TCP_URGENT,
	VP_BUILTIN_IP_FRAGMENT_INVALID,
	VP_BUILTIN_COUNT,
};

enum vp_policy {
	VP_POLICY_BLOCK = 0,	/* drop and alert, in every mode */
	VP_POLICY_LOG = 1,	/* alert only */
	VP_POLICY_OFF = 2,	/* neither */
};

struct vp_builtin_info {
	const char *name;	/* configuration key suffix */
	uint32_t sid;		/* alert.signature_id (gid 1) */
	const char *msg;	/* alert.signature */
	const char *category;	/* alert.category */
	enum vp_policy def;	/* default policy */
};

#define VP_BUILTIN_GID 1

/* The table entry of <b> (0 <= b < VP_BUILTIN_COUNT). */
const struct vp_builtin_info *vp_builtin_info(enum vp_builtin b);

/* The builtin called <name>, or -1. */
int vp_builtin_by_name(const char *name);

/* "block", "log", "off" <-> enum vp_policy; -1 if unknown. */
int vp_policy_parse(const char *s);
const char *vp_policy_name(enum vp_policy p);

#endif
