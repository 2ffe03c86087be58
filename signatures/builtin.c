/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <string.h>

#include "signatures/builtin.h"

/* sids 9000001..: the vpatch built-in range; never reuse or renumber one. */
static const struct vp_builtin_info builtins[VP_BUILTIN_COUNT] = {
	[VP_BUILTIN_BAD_IP_HEADER] = {
		.name = "bad_ip_header", .sid = 9000001,
		.msg = "VPATCH packet without a valid IP header",
		.category = "Detection of a Network Scan", .def = VP_POLICY_BLOCK,
	},
	[VP_BUILTIN_SAME_ADDRESS] = {
		.name = "same_address", .sid = 9000002,
		.msg = "VPATCH source address equals destination address",
		.category = "Attempted Denial of Service", .def = VP_POLICY_BLOCK,
	},
	[VP_BUILTIN_URI_BAD_CHAR] = {
		.name = "uri_bad_char", .sid = 9000003,
		.msg = "VPATCH URI contains characters not allowed in a URI",
		.category = "Web Application Attack", .def = VP_POLICY_BLOCK,
	},
	[VP_BUILTIN_URI_TOO_MANY_SLASHES] = {
		.name = "uri_too_many_slashes", .sid = 9000004,
		.msg = "VPATCH URI contains more than 100 slashes",
		.category = "Web Application Attack", .def = VP_POLICY_BLOCK,
	},
	[VP_BUILTIN_URI_ABOVE_ROOT] = {
		.name = "uri_above_root", .sid = 9000005,
		.msg = "VPATCH URI path climbs above the root (../)",
		.category = "Web Application Attack", .def = VP_POLICY_BLOCK,
	},
	[VP_BUILTIN_TCP_FLOW_CAP] = {
		.name = "tcp_flow_cap", .sid = 9000006,
		.msg = "VPATCH too many TCP connections: new connection dropped",
		.category = "Attempted Denial of Service", .def = VP_POLICY_BLOCK,
	},
	[VP_BUILTIN_UDP_FLOW_CAP] = {
		.name = "udp_flow_cap", .sid = 9000007,
		.msg = "VPATCH too many UDP flows: new flow dropped",
		.category = "Attempted Denial of Service", .def = VP_POLICY_BLOCK,
	},
	[VP_BUILTIN_RESOURCE_EXHAUSTED] = {
		.name = "resource_exhausted", .sid = 9000008,
		.msg = "VPATCH inspection resource exhausted",
		.category = "Attempted Denial of Service", .def = VP_POLICY_BLOCK,
	},
	[VP_BUILTIN_TCP_OVERLAP_CONFLICT] = {
		.name = "tcp_overlap_conflict", .sid = 9000009,
		.msg = "VPATCH TCP segment overlaps earlier data with different bytes (evasion)",
		.category = "Detection of a Network Scan", .def = VP_POLICY_BLOCK,
	},
	[VP_BUILTIN_URI_DOUBLE_ENCODING] = {
		.name = "uri_double_encoding", .sid = 9000010,
		.msg = "VPATCH URI is percent-encoded twice",
		.category = "Web Application Attack", .def = VP_POLICY_LOG,
	},
	[VP_BUILTIN_URI_U_ENCODING] = {
		.name = "uri_u_encoding", .sid = 9000011,
		.msg = "VPATCH URI uses %u encoding",
		.category = "Web Application Attack", .def = VP_POLICY_LOG,
	},
	[VP_BUILTIN_URI_OVERLONG_UTF8] = {
		.name = "uri_overlong_utf8", .sid = 9000012,
		.msg = "VPATCH URI contains overlong UTF-8",
		.category = "Web Application Attack", .def = VP_POLICY_LOG,
	},
	[VP_BUILTIN_HTTP_SMUGGLING] = {
		.name = "http_smuggling", .sid = 9000013,
		.msg = "VPATCH HTTP request smuggling shape (ambiguous message length)",
		.category = "Web Application Attack", .def = VP_POLICY_LOG,
	},
	[VP_BUILTIN_HTTP_MALFORMED] = {
		.name = "http_malformed", .sid = 9000014,
		.msg = "VPATCH malformed HTTP message: inspection of the direction stopped",
		.category = "Potentially Bad Traffic", .def = VP_POLICY_LOG,
	},
	[VP_BUILTIN_TCP_URGENT] = {
		/* The server's stack removes the urgent byte from the stream or
		 * keeps it (SO_OOBINLINE): the engine cannot know which copy of
		 * the stream the application reads, so it refuses to guess. */
		.name = "tcp_urgent", .sid = 9000015,
		.msg = "VPATCH TCP urgent data (the stream the server reads is ambiguous)",
		.category = "Detection of a Network Scan", .def = VP_POLICY_BLOCK,
	},
	[VP_BUILTIN_IP_FRAGMENT_INVALID] = {
		/* Linux discards such datagrams too (RFC 5722; CVE-2018-5391). */
		.name = "ip_fragment_invalid", .sid = 9000016,
		.msg = "VPATCH IP fragments overlap, conflict or exceed the datagram size",
		.category = "Detection of a Network Scan", .def = VP_POLICY_BLOCK,
	},
};

const struct vp_builtin_info *vp_builtin_info(enum vp_builtin b)
{
	return &builtins[b];
}

int vp_builtin_by_name(const char *name)
{
	int i;

	for (i = 0; i < VP_BUILTIN_COUNT; i++)
		if (strcmp(builtins[i].name, name) == 0)
			return i;
	return -1;
}

static const char *const policy_names[] = {
	[VP_POLICY_BLOCK] = "block",
	[VP_POLICY_LOG] = "log",
	[VP_POLICY_OFF] = "off",
};

int vp_policy_parse(const char *s)
{
	int i;

	for (i = 0; i < 3; i++)
		if (strcmp(policy_names[i], s) == 0)
			return i;
	return -1;
}

const char *vp_policy_name(enum vp_policy p)
{
	return policy_names[p];
}
