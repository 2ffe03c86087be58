/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vpatchd configuration: /etc/vpatch/vpatchd.conf (vpatchd.conf(5)) and the
 * built-in defaults.  Control thread only.
 */
#ifndef VP_DAEMON_CONFIG_H
#define VP_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "signatures/builtin.h"
#include "signatures/vars.h"

#define VP_DEFAULT_CONFIG "/etc/vpatch/vpatchd.conf"

enum vp_mode {
	VP_MODE_DETECT = 0,
	VP_MODE_PREVENT = 1,
};

/* eve_types: bit (1 << enum vp_event_type, daemon/eve.h) per event type written. */
enum vp_eve_type_bit {
	VP_EVE_ALERT = 1u << 0,
	VP_EVE_HTTP = 1u << 1,
	VP_EVE_FILEINFO = 1u << 2,
	VP_EVE_FLOW = 1u << 3,
};

#define VP_CONFIG_TOKEN_MAX 64

/* xff: what alerts do with the client address an HTTP proxy put in xff_header. */
enum vp_xff_mode {
	VP_XFF_OFF = 0,
	VP_XFF_EXTRA = 1,	/* extra-data: alert.xff */
	VP_XFF_OVERWRITE = 2,	/* overwrite: the client's src_ip or dest_ip */
};

/* xff_deployment: which address of the list is the client's. */
enum vp_xff_deployment {
	VP_XFF_REVERSE = 0,	/* reverse proxy in front of the host: the last one */
	VP_XFF_FORWARD = 1,	/* forward proxy: the first one */
};

struct vp_config {
	enum vp_mode mode;		/* mode (default prevent) */
	char **rules;			/* rules: files or directories */
	size_t n_rules;
	char *eve;			/* eve: event log path, "-" = stdout */
	uint32_t eve_types;		/* eve_types: enum vp_eve_type_bit set (default [alert]) */
	char *classification;		/* classification_file (default /etc/vpatch/classification.config) */
	uint16_t queue;			/* queue: first NFQUEUE number (default 0) */
	unsigned threads;		/* threads (default: number of CPUs, at most 64) */
	unsigned queue_maxlen;		/* queue_maxlen: packets the kernel holds per queue (default 4096) */
	bool fail_open;			/* fail_open (default yes) */
	uint32_t max_tcp_flows;		/* max_tcp_flows (default 100000) */
	uint32_t max_udp_flows;		/* max_udp_flows (default 100000) */
	bool nft_loopback;		/* nft_loopback: also inspect lo (default no) */
	char **nft_interfaces;		/* nft_interfaces: only these (default []: all) */
	size_t n_nft_interfaces;
	uint16_t *nft_ports;		/* nft_ports: only these TCP/UDP ports, either side (default []: all) */
	size_t n_nft_ports;
	uint32_t nft_mark;		/* nft_mark: packet mark vpatchd's own packets carry (default 0x7670) */
	bool reset_blocked;		/* reset_blocked: RST both ends of a blocked TCP flow (default yes) */
	bool checksum_checks;		/* checksum_checks: skip packets with bad checksums (default yes) */
	bool midstream;			/* midstream: inspect TCP flows picked up without their
					 * handshake as established streams (default yes) */
	uint32_t uri_max_slashes;	/* uri_max_slashes: more is uri_too_many_slashes (100) */
	uint32_t stream_memcap_mb;	/* stream_memcap: reassembly memory per worker, MiB (32) */
	uint32_t stream_depth_kb;	/* stream_depth: bytes inspected per direction, KiB, 0 = all (1024) */
	uint32_t http_memcap_mb;	/* http_memcap: HTTP parser memory per worker, MiB (64) */
	uint32_t http_body_depth_kb;	/* http_body_depth: request/response body bytes inspected, KiB (64) */
	uint32_t http_decompress_layers; /* http_decompress_layers: content codings decoded per
					  * response body, 1..8 (2) */
	uint32_t detect_port_groups;	/* detect_port_groups: prefilter groups per TCP direction (8) */
	uint32_t pcre_match_limit;	/* pcre_match_limit: PCRE2 match limit per pcre (3500) */
	uint32_t pcre_depth_limit;	/* pcre_depth_limit: PCRE2 depth limit (1500) */
	uint32_t pcre_heap_limit_kb;	/* pcre_heap_limit: PCRE2 heap limit, KiB (4096) */
	uint32_t threshold_entries;	/* threshold_entries: threshold table entries per worker (16384) */
	uint8_t xff_mode;		/* xff: enum vp_xff_mode (off) */
	uint8_t xff_deployment;		/* xff_deployment: enum vp_xff_deployment (reverse) */
	char xff_header[VP_CONFIG_TOKEN_MAX + 1];	/* xff_header (X-Forwarded-For) */
	enum vp_policy violation[VP_BUILTIN_COUNT];	/* violation.<name> */
	struct vp_vars *vars;		/* every NAME_net / NAME_ports key, as $NAME_NET / $NAME_PORTS */
};

/* Called once per problem, with <line> 0 for file-level problems. */
typedef void (*vp_config_err_fn)(void *ctx, const char *file, unsigned line, const char *msg);

/* Fills <cfg> with the built-in defaults. 0 or -ENOMEM. */
int vp_config_init(struct vp_config *cfg);
void vp_config_free(struct vp_config *cfg);

/*
 * Reads <path> over the values already in <cfg>.  Every problem (unknown key,
 * bad value, syntax) is reported through <fn> as a message for FILE:LINE and
 * parsing goes on.  Returns the number of problems (>= 0), or -errno if the
 * file cannot be read (reported through <fn> too).  With <missing_ok> an
 * absent file is not an error (returns 0).
 */
int vp_config_load(struct vp_config *cfg, const char *path, bool missing_ok,
		   vp_config_err_fn fn, void *ctx);

/* Parses "detect" / "prevent"; -1 if neither. */
int vp_mode_parse(const char *s);
const char *vp_mode_name(enum vp_mode m);

/* Replaces the rule list with the single entry <path> or appends it (<append>). 0 or -ENOMEM. */
int vp_config_add_rules(struct vp_config *cfg, const char *path, bool append);

#endif
