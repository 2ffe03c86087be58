/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Signatures: Suricata/Snort rule language parser, compiled rule sets and
 * matching over decoded packets.
 *
 * A rule set is built on the control thread (new -> load/add -> compile),
 * then read-only and shared by every worker; each worker matches with its own
 * struct vp_sig_thread (PCRE2 match data, scratch), so matching never locks
 * nor allocates.
 */
#ifndef VP_SIGNATURES_SIG_H
#define VP_SIGNATURES_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inspect/packet.h"
#include "signatures/vars.h"

enum vp_sig_action {
	VP_ACT_ALERT = 1,	/* log only, in every mode (a rule kept in detect) */
	VP_ACT_DROP = 2,	/* prevent mode: drop the packet and block the flow */
	VP_ACT_REJECT = 3,	/* as drop, and reset a TCP flow both ways */
	VP_ACT_PASS = 4,	/* stop inspecting this packet: no alerts from other rules */
};

/* One loaded rule. Read-only after vp_sig_set_compile(). */
struct vp_sig {
	uint32_t gid, sid, rev;
	enum vp_sig_action action;
	int priority;			/* 1 (high) .. 255; from priority or classtype; default 3 */
	char *msg;			/* NULL if the rule has none */
	char *classtype;		/* NULL if none */
	char *category;			/* classtype's description, NULL if unknown */
	char *metadata_json;		/* EVE alert.metadata object text, or NULL */
	char *file;			/* where it was read from ("-" for vp_sig_set_add) */
	unsigned line;
	void *priv;			/* compiled matcher; private to signatures/ */
};

/* Called once per problem: <line> is the first line of the rule (0 for file-level problems). */
typedef void (*vp_sig_err_fn)(void *ctx, const char *file, unsigned line, const char *msg);

struct vp_sig_set;
struct vp_sig_thread;

/* A new empty set using a copy of <vars> (may be NULL: no variables). NULL on ENOMEM. */
struct vp_sig_set *vp_sig_set_new(const struct vp_vars *vars);
void vp_sig_set_free(struct vp_sig_set *set);	/* NULL-safe */

/*
 * Parses the rule <text> (one rule, no trailing newline needed; line
 * continuations already joined) and adds it to <set>.  On error calls <fn> with
 * "unsupported keyword 'x'" or another exact message and returns -EINVAL
 * (-EEXIST for a duplicate gid:sid, -ENOMEM); <set> is then unchanged.
 */
int vp_sig_set_add(struct vp_sig_set *set, const char *text, const char *file, unsigned line,
		   vp_sig_err_fn fn, void *ctx);

/*
 * Loads a rule file, or every "*.rules" file of a directory in name order.
 * Blank lines and '#' comment lines are skipped, a line ending in '\' is
 * continued on the next.  Every bad rule is reported through <fn> and skipped;
 * the others load.  Returns the number of rules that failed (>= 0), or -errno
 * when the path itself cannot be read (also reported through <fn>, line 0).
 */
int vp_sig_set_load_path(struct vp_sig_set *set, const char *path, vp_sig_err_fn fn, void *ctx);

/* Finishes the set for matching (prefilters, JIT). 0 or -errno (reported through <fn>). */
int vp_sig_set_compile(struct vp_sig_set *set, vp_sig_err_fn fn, void *ctx);

size_t vp_sig_set_count(const struct vp_sig_set *set);
const struct vp_sig *vp_sig_set_get(const struct vp_sig_set *set, size_t i);

/* Per-worker matching state for a compiled <set>. NULL on ENOMEM. */
struct vp_sig_thread *vp_sig_thread_new(const struct vp_sig_set *set);
void vp_sig_thread_free(struct vp_sig_thread *th);	/* NULL-safe */

/*
 * Inspection buffers (Suricata's sticky buffers).  The engine fills those
 * that exist at the moment of a call; a rule is evaluated only when every
 * buffer it uses is present.  Direction-neutral ones (HEADER, HEADER_RAW,
 * HEADER_NAMES, START, FILE_DATA) hold the request's in to_server calls and
 * the response's in to_client calls.
 */
enum vp_sig_buffer {
	VP_BUF_PACKET = 0,		/* pkt_data: this packet's payload */
	VP_BUF_STREAM,			/* reassembled stream: window tail + this packet's new bytes */
	VP_BUF_HTTP_METHOD,
	VP_BUF_HTTP_URI,		/* normalised */
	VP_BUF_HTTP_URI_RAW,
	VP_BUF_HTTP_REQUEST_LINE,
	VP_BUF_HTTP_PROTOCOL,
	VP_BUF_HTTP_HOST,		/* normalised: lower case, no port */
	VP_BUF_HTTP_HOST_RAW,
	VP_BUF_HTTP_USER_AGENT,
	VP_BUF_HTTP_COOKIE,
	VP_BUF_HTTP_REFERER,
	VP_BUF_HTTP_CONTENT_TYPE,
	VP_BUF_HTTP_CONTENT_LEN,
	VP_BUF_HTTP_ACCEPT,
	VP_BUF_HTTP_ACCEPT_ENC,
	VP_BUF_HTTP_ACCEPT_LANG,
	VP_BUF_HTTP_CONNECTION,
	VP_BUF_HTTP_REQUEST_BODY,
	VP_BUF_HTTP_STAT_CODE,
	VP_BUF_HTTP_STAT_MSG,
	VP_BUF_HTTP_RESPONSE_LINE,
	VP_BUF_HTTP_RESPONSE_BODY,	/* de-chunked, decompressed */
	VP_BUF_HTTP_SERVER,
	VP_BUF_HTTP_LOCATION,
	VP_BUF_HTTP_HEADER,		/* this direction's headers, normalised */
	VP_BUF_HTTP_HEADER_RAW,
	VP_BUF_HTTP_HEADER_NAMES,
	VP_BUF_HTTP_START,		/* this direction's start line + headers */
	VP_BUF_FILE_DATA,		/* this direction's body */
	VP_BUF_COUNT,
};

/*
 * Prefilter memory of one flow direction's stream, kept by the caller with
 * the flow (zeroed when the flow starts, one per direction, never shared):
 * the fast patterns found in the stream are remembered with where they
 * start, so each stream byte is scanned once instead of again with every
 * packet while it stays in the inspection window.  It only saves work: a
 * reload, a gap, a full table or no memory at all lead to a full scan of
 * the window, with the same result.
 */
#define VP_SIG_STREAM_HITS 16
struct vp_sig_stream_mem {
	uint64_t key;				/* rule set generation and database; 0: empty */
	uint64_t scanned;			/* stream offset scanned up to */
	uint64_t lost;				/* an occurrence starting before this was dropped */
	uint32_t n;
	uint32_t pat[VP_SIG_STREAM_HITS];	/* pattern numbers */
	uint64_t start[VP_SIG_STREAM_HITS];	/* stream offset of its latest occurrence */
};

/*
 * Prefilter memory of one flow's HTTP buffers: the fast patterns found in a
 * buffer when it was fresh, replayed when a later call of the same
 * transaction presents it again, not fresh (a request's buffers at its
 * response), instead of scanning it again.  Kept by the caller with the
 * flow (zeroed when the flow starts); it only saves work.
 */
#define VP_SIG_BUF_ENTRIES 24
#define VP_SIG_BUF_PATS 48
struct vp_sig_buf_mem {
	uint64_t key;				/* rule set generation; 0: empty */
	uint64_t tx;				/* the transaction of the entries */
	uint16_t nent, npat;
	struct {
		const uint8_t *ptr;		/* the buffer scanned */
		uint32_t len;
		uint16_t db;
		uint16_t first, n;		/* its patterns: pat[first .. first + n) */
	} ent[VP_SIG_BUF_ENTRIES];
	uint32_t pat[VP_SIG_BUF_PATS];
};

/* What one detection call sees. */
struct vp_sig_input {
	const struct vp_packet *p;		/* always set: header fields, p->flow_flags */
	struct vp_slice buf[VP_BUF_COUNT];
	uint64_t present;			/* 1 << VP_BUF_x for each buffer filled */
	/*
	 * Buffers new since the last call for this flow and direction: a rule
	 * with buffers is evaluated only when one of them is fresh, so that a
	 * request's URI is not matched again when its body arrives.  Rules with
	 * no buffer at all (header, flags, ttl ...) are evaluated when PACKET
	 * is fresh; protocol-http rules with no buffer when an HTTP start line
	 * buffer (request or response line) is fresh.
	 */
	uint64_t fresh;
	/* STREAM: bytes [0, stream_new_off) were inspected before; a match must
	 * end past it to count, so a stream match is reported once. */
	size_t stream_new_off;
	uint64_t stream_off;			/* stream offset of the STREAM buffer's first byte */
	struct vp_sig_stream_mem *stream_mem;	/* this direction's memory, or NULL */
	struct vp_sig_buf_mem *buf_mem;		/* the flow's HTTP buffer memory, or NULL */
	uint64_t tx_id;				/* the HTTP transaction the buffers are of */
	uint8_t *flowbits;			/* per-flow storage, vp_sig_set_flowbits_bytes() long;
						 * NULL without a flow (flowbits then never set) */
};

/* Bytes of per-flow flowbit storage rules of <set> need (0: none). */
size_t vp_sig_set_flowbits_bytes(const struct vp_sig_set *set);

/* Called for each matching rule; return false to stop matching this packet. */
typedef bool (*vp_sig_match_fn)(void *ctx, const struct vp_sig *sig);

/*
 * Matches decoded packet <p> (with p->flow_flags set by the flow stage)
 * against <set>.  Rules are evaluated in Suricata's action order: pass, drop,
 * reject, alert; once a pass rule matches no later rule is reported.  Calls
 * <fn> for each match; returns the number of matches.  Owner worker of <th>
 * only; no allocation.
 */
unsigned vp_sig_match_packet(const struct vp_sig_set *set, struct vp_sig_thread *th,
			     const struct vp_packet *p, vp_sig_match_fn fn, void *ctx);

/*
 * The general form: matches what <in> presents (see struct vp_sig_input), in
 * the same action order, applying flowbits, thresholds and noalert; calls
 * <fn> for each rule to report.  vp_sig_match_packet() is this with only the
 * PACKET buffer, present and fresh.  Owner worker of <th> only; no allocation.
 */
unsigned vp_sig_match(const struct vp_sig_set *set, struct vp_sig_thread *th,
		      const struct vp_sig_input *in, vp_sig_match_fn fn, void *ctx);

/* ---- settings: control thread, before vp_sig_set_compile() / vp_sig_thread_new() ---- */

/*
 * Loads a classification.config file ("config classification: name,
 * description,priority" lines): classtypes of rules added afterwards resolve
 * through it instead of the built-in table (an unknown classtype stays an
 * error).  Bad lines are reported through <fn> and skipped.  Returns the
 * number of bad lines (>= 0), or -errno when the file cannot be read (the
 * previous table stays).  Control thread.
 */
int vp_sig_set_load_classification(struct vp_sig_set *set, const char *path, vp_sig_err_fn fn,
				   void *ctx);

/*
 * PCRE2 limits each worker applies to every pcre (0 keeps the default:
 * match 3500, depth 1500, heap 4096 KiB, as Suricata).  A pcre hitting a
 * limit does not match (counted).  Read by vp_sig_thread_new().  0 or -EINVAL.
 */
int vp_sig_set_pcre_limits(struct vp_sig_set *set, uint32_t match_limit, uint32_t depth_limit,
			   uint32_t heap_kib);

/*
 * Entries of each worker's threshold/detection_filter table (default 16384,
 * rounded up to a power of two, max 16M).  When it is full, the entry whose
 * time window began first among the slots probed is evicted (counted in
 * vp_sig_thread_stats.threshold_evictions).  Read by vp_sig_thread_new().
 */
int vp_sig_set_threshold_entries(struct vp_sig_set *set, size_t entries);

/*
 * Whether vp_sig_set_compile() builds the multi-pattern prefilter (default
 * true; Vectorscan, pkg-config libhs).  Without it every rule of the
 * packet's protocol is verified: the same matches, slower (a reference for
 * tests).  Should the prefilter fail to build, compile reports why through
 * its callback and still succeeds without it.  0, or -EINVAL.
 */
int vp_sig_set_prefilter(struct vp_sig_set *set, bool on);

/*
 * Port groups: TCP packets are prefiltered with the fast patterns, and
 * checked against the no-fast-pattern rules, of the rules that may apply
 * to their service port only (the destination port to the server, the
 * source port to the client), as Suricata's port grouping; UDP by
 * direction only.  At most <max_groups> (1..255, default 8) groups per TCP
 * direction; past it, the groups of the widest port range, $HTTP_PORTS and
 * common services, then those with the fewest rules, keep their own and
 * the others share one (the union of their rules).  0, or -EINVAL.
 */
int vp_sig_set_port_groups(struct vp_sig_set *set, unsigned max_groups);

/* What vp_sig_set_compile() built. Any thread once compiled. */
struct vp_sig_set_info {
	bool prefilter;			/* the prefilter is in use */
	size_t prefilter_patterns;	/* distinct fast patterns of each buffer's database */
	size_t prefilter_databases;	/* databases compiled (buffers, port groups ...) */
	size_t port_groups;		/* payload port groups, all keys */
	size_t always_candidates;	/* rules without a fast pattern */
	size_t flowbits;		/* distinct flowbit names */
	size_t thresholds;		/* rules with threshold or detection_filter */
};
void vp_sig_set_info(const struct vp_sig_set *set, struct vp_sig_set_info *out);

/* ---- per-worker statistics: read by the owner worker (or once it stopped) ---- */

struct vp_sig_rule_stats {
	uint64_t checks;	/* times fully verified (a candidate passing the header checks) */
	uint64_t matches;	/* of which matched */
	uint64_t ns;		/* time spent verifying (CLOCK_MONOTONIC) */
};

/* The counters of rule <rule_index> (as vp_sig_set_get()); zeroes when out of range. */
void vp_sig_thread_rule_stats(const struct vp_sig_thread *th, size_t rule_index,
			      struct vp_sig_rule_stats *out);

struct vp_sig_thread_stats {
	uint64_t calls;			/* vp_sig_match() calls */
	uint64_t candidates;		/* rules taken from the prefilter or always-lists */
	uint64_t checks;		/* rules fully verified */
	uint64_t matches;		/* rules that matched */
	uint64_t reported;		/* matches passed to the callback */
	uint64_t alerts_suppressed;	/* reported with the alert suppressed (see below) */
	uint64_t threshold_evictions;	/* threshold table full: an entry evicted */
	uint64_t pcre_errors;		/* pcre match/depth/heap limit hit: no match */
	uint64_t budget_exhausted;	/* a rule's backtracking bound hit: no match */
	uint64_t prefilter_errors;	/* a scan failed: the whole group was verified */
};
void vp_sig_thread_stats(const struct vp_sig_thread *th, struct vp_sig_thread_stats *out);

/*
 * Inside a vp_sig_match_fn callback: whether the rule being reported must
 * not be logged as an alert, only have its action applied.  That is a drop
 * or reject rule with noalert, or past its threshold "limit" (or "both"
 * once reached): Suricata still applies their action to every match.  Alert
 * rules are never reported in that state.
 */
bool vp_sig_thread_alert_suppressed(const struct vp_sig_thread *th);

#endif
