/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to signatures/: the compiled form of one rule and the helpers the
 * keyword parsers share.  The parser (rule_parse.c and keywords_*.c) builds a
 * struct vp_rule on the control thread; the compiler (sig.c, prefilter.c)
 * and the matcher (eval.c, sig_match.c) only read it afterwards, from any
 * number of threads.
 *
 * A rule has header conditions (protocol, addresses, flow, TCP flags, ttl
 * ...) and one list of payload elements per inspection buffer it uses
 * (Suricata's sticky buffers): content, pcre, byte_*, isdataat, bsize.  The
 * list of the raw payload is stored under VP_BUF_PACKET; whether it inspects
 * the packet or the reassembled stream is decided per call (raw_mode).
 */
#ifndef VP_SIGNATURES_RULE_H
#define VP_SIGNATURES_RULE_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif

#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "signatures/classtype.h"
#include "signatures/netaddr.h"
#include "signatures/sig.h"
#include "signatures/vars.h"

#define VP_RULE_MAX_LEN 65536	/* bytes of one rule, continuations joined */
#define VP_RULE_MAX_ELEMS 64	/* payload elements (content, pcre, byte_* ...) of one rule */
#define VP_RULE_MAX_VARS 8	/* byte_extract variables of one rule */
#define VP_RULE_MAX_FLOWBITS 16	/* flowbits keywords of one rule */
#define VP_RULE_MAX_BITNAMES 8	/* names in one "isset,a|b" */
#define VP_RULE_MAX_QUOTE 80	/* characters of offending text quoted in a message */
#define VP_RULE_MAX_REL 1048576	/* |distance|, within, offset, depth (Suricata's 1 MiB) */

enum vp_rule_proto {
	VP_RULE_PROTO_IP = 0,	/* every packet with a valid IP header */
	VP_RULE_PROTO_TCP = 1,	/* also "http", "tcp-pkt", "tcp-stream" */
	VP_RULE_PROTO_UDP = 2,
	VP_RULE_PROTO_ICMP = 3,	/* ICMP and ICMPv6 */
};

/* Which bytes the raw payload list (no sticky buffer) inspects on TCP. */
enum vp_raw_mode {
	VP_RAW_ANY = 0,		/* the stream when the engine gives one, else the packet */
	VP_RAW_PACKET = 1,	/* tcp-pkt, flow:no_stream, dsize */
	VP_RAW_STREAM = 2,	/* tcp-stream, flow:only_stream */
};

/* Integer comparisons (Suricata's integer keywords); ranges are exclusive. */
enum vp_cmp_op {
	VP_CMP_EQ = 1,
	VP_CMP_NE,
	VP_CMP_LT,
	VP_CMP_LE,
	VP_CMP_GT,
	VP_CMP_GE,
	VP_CMP_RANGE,		/* a < x < b */
	VP_CMP_NRANGE,		/* x <= a || x >= b */
	VP_CMP_MASK_EQ,		/* (x & a) == b */
	VP_CMP_MASK_NE,		/* (x & a) != b */
};

struct vp_cmp {
	uint8_t op;
	uint64_t a, b;
};

static inline bool vp_cmp_match(const struct vp_cmp *c, uint64_t x)
{
	switch (c->op) {
	case VP_CMP_EQ: return x == c->a;
	case VP_CMP_NE: return x != c->a;
	case VP_CMP_LT: return x < c->a;
	case VP_CMP_LE: return x <= c->a;
	case VP_CMP_GT: return x > c->a;
	case VP_CMP_GE: return x >= c->a;
	case VP_CMP_RANGE: return x > c->a && x < c->b;
	case VP_CMP_NRANGE: return x <= c->a || x >= c->b;
	case VP_CMP_MASK_EQ: return (x & c->a) == c->b;
	case VP_CMP_MASK_NE: return (x & c->a) != c->b;
	default: return false;
	}
}

/* A number written in the rule, or a byte_extract variable (var >= 0). */
struct vp_num {
	int64_t v;
	int8_t var;
};

enum vp_elem_kind {
	VP_EL_CONTENT = 1,
	VP_EL_PCRE,
	VP_EL_ISDATAAT,
	VP_EL_BYTE_TEST,
	VP_EL_BYTE_JUMP,
	VP_EL_BYTE_EXTRACT,
	VP_EL_BSIZE,		/* bsize and urilen: the buffer's length */
};

/* struct vp_content.flags */
enum {
	VP_CT_NOCASE = 1u << 0,
	VP_CT_NEGATED = 1u << 1,
	VP_CT_OFFSET = 1u << 2,
	VP_CT_DEPTH = 1u << 3,
	VP_CT_DISTANCE = 1u << 4,
	VP_CT_WITHIN = 1u << 5,
	VP_CT_STARTSWITH = 1u << 6,
	VP_CT_ENDSWITH = 1u << 7,
	VP_CT_FAST = 1u << 8,		/* fast_pattern written in the rule */
	VP_CT_FAST_CHOP = 1u << 9,	/* fast_pattern:<offset>,<length> */
	VP_CT_RAWBYTES = 1u << 10,
	VP_CT_BUFMOD = 1u << 11,	/* moved by a legacy modifier (http_uri ...) */
};

#define VP_CT_RELATIVE (VP_CT_DISTANCE | VP_CT_WITHIN)
#define VP_CT_ABSOLUTE (VP_CT_OFFSET | VP_CT_DEPTH)

struct vp_content {
	uint8_t *pat;		/* lower-cased when VP_CT_NOCASE */
	uint32_t len;
	uint32_t flags;
	struct vp_num offset, depth, distance, within;
	uint32_t fp_off, fp_len;	/* fast_pattern chop */
	uint8_t *skip;		/* nocase: Horspool shifts, 256 entries */
	int anchor;		/* nocase: index of a rare non-letter byte, or -1 */
};

struct vp_pcre {
	pcre2_code *re;
	bool negated;
	bool relative;
};

enum vp_byte_flag {
	VP_BY_RELATIVE = 1u << 0,
	VP_BY_LITTLE = 1u << 1,
	VP_BY_STRING = 1u << 2,
	VP_BY_BITMASK = 1u << 3,
	VP_BY_BEGIN = 1u << 4,		/* byte_jump from_beginning */
	VP_BY_END = 1u << 5,		/* byte_jump from_end */
	VP_BY_ALIGN = 1u << 6,		/* byte_jump align (4) */
	VP_BY_NEGOP = 1u << 7,		/* byte_test "!op" */
	VP_BY_BIG = 1u << 8,
};

/* byte_test operators */
enum vp_byte_op_kind {
	VP_BT_LT = 1,
	VP_BT_GT,
	VP_BT_EQ,
	VP_BT_LE,
	VP_BT_GE,
	VP_BT_AND,
	VP_BT_XOR,
};

/* byte_test, byte_jump, byte_extract */
struct vp_byte {
	uint8_t nbytes;
	uint8_t base;		/* string: 8, 10 or 16 */
	uint8_t op;		/* byte_test: enum vp_byte_op_kind */
	uint8_t align;		/* byte_extract: 0, 2 or 4 */
	int8_t var;		/* byte_extract: the variable set */
	uint8_t shift;		/* trailing zero bits of bitmask */
	uint16_t flags;
	struct vp_num offset;
	struct vp_num value;	/* byte_test */
	uint64_t bitmask;
	uint32_t multiplier;
	int32_t post_offset;	/* byte_jump */
};

struct vp_isdataat {
	struct vp_num n;
	bool relative;
	bool negated;
};

struct vp_elem {
	uint8_t kind;		/* enum vp_elem_kind */
	bool retry;		/* on a later failure, look for this element's next match */
	union {
		struct vp_content c;
		struct vp_pcre re;
		struct vp_byte b;
		struct vp_isdataat d;
		struct vp_cmp len;
	} u;
};

/* The elements inspecting one buffer, in rule order. */
struct vp_list {
	uint8_t buf;		/* enum vp_sig_buffer; VP_BUF_PACKET: the raw payload */
	bool has_pos;		/* holds a content or pcre that is not negated */
	uint16_t n, alloc;
	struct vp_elem *e;
};

enum vp_fb_cmd {
	VP_FB_SET = 1,
	VP_FB_UNSET,
	VP_FB_TOGGLE,
	VP_FB_ISSET,
	VP_FB_ISNOTSET,
};

struct vp_flowbit {
	uint8_t cmd;		/* enum vp_fb_cmd */
	uint8_t n;		/* names (isset/isnotset: any of them) */
	char *name[VP_RULE_MAX_BITNAMES];
	uint32_t id[VP_RULE_MAX_BITNAMES];	/* assigned by vp_sig_set_compile() */
};

enum vp_thr_type {
	VP_THR_NONE = 0,
	VP_THR_LIMIT,
	VP_THR_THRESHOLD,
	VP_THR_BOTH,
	VP_THR_DETECTION_FILTER,
};

enum vp_thr_track {
	VP_TRACK_SRC = 1,
	VP_TRACK_DST,
	VP_TRACK_BOTH,
	VP_TRACK_RULE,
};

struct vp_rule_thr {
	uint8_t type;		/* enum vp_thr_type */
	uint8_t track;		/* enum vp_thr_track */
	uint32_t count;
	uint32_t seconds;
};

/* vp_rule.hdr: header keywords present */
enum {
	VP_HDR_TTL = 1u << 0,
	VP_HDR_ITYPE = 1u << 1,
	VP_HDR_ICODE = 1u << 2,
	VP_HDR_DSIZE = 1u << 3,
	VP_HDR_IPPROTO = 1u << 4,
	VP_HDR_FLAGS = 1u << 5,
	VP_HDR_SAMEIP = 1u << 6,
};

/* TCP flags modifiers */
enum vp_flags_mod {
	VP_FLAGS_EXACT = 0,
	VP_FLAGS_PLUS = 1,	/* these and maybe others */
	VP_FLAGS_ANY = 2,	/* any of these */
	VP_FLAGS_NOT = 3,	/* not all of these */
};

struct vp_rule {
	uint8_t proto;				/* enum vp_rule_proto */
	bool app_http;				/* protocol http */
	uint8_t raw_mode;			/* enum vp_raw_mode */
	bool bidir;				/* "<>" */
	bool noalert;
	bool ports;				/* an ip rule with port specs: TCP/UDP only */
	struct vp_netaddr *src, *dst;		/* NULL when "any" */
	struct vp_netaddr *sport, *dport;	/* NULL when "any" */
	uint32_t flow_set;			/* VP_PKT_* bits that must be set */
	uint32_t flow_clear;			/* VP_PKT_* bits that must be clear */

	uint32_t hdr;				/* VP_HDR_* */
	struct vp_cmp ttl, itype, icode, dsize, ipproto;
	uint8_t tcp_flags, tcp_ignore, tcp_mod;

	struct vp_list *lists;
	uint8_t nlists;
	uint64_t bufmask;			/* 1 << buffer for each list */
	int fp_list, fp_elem;			/* the fast pattern content, or -1 */

	struct vp_flowbit *fb;
	uint8_t nfb;
	uint8_t fb_type;			/* 1 none, 2 read, 3 set+read, 4 set (Suricata) */
	struct vp_rule_thr thr;

	char *varname[VP_RULE_MAX_VARS];	/* byte_extract variables */
	uint8_t var_list[VP_RULE_MAX_VARS];	/* the list each was extracted in */
	uint8_t nvars;

	char **refs;				/* reference values as written ("cve,2021-41773") */
	size_t nrefs;
	uint8_t target;				/* 0, 1 src_ip, 2 dest_ip */
};

/* What a parse reads besides the rule text. */
struct vp_rule_env {
	const struct vp_vars *vars;		/* may be NULL */
	const struct vp_classtab *classes;	/* NULL: the built-in classtypes */
};

struct vp_meta_pair {
	char *key;
	char *val;
};

#define VP_PCTX_MAX_ONCE 32

/* One parse in progress; what every keyword handler gets. */
struct vp_pctx {
	struct vp_sig *sig;
	struct vp_rule *rule;
	const struct vp_rule_env *env;
	const struct vp_kw *kw;		/* the keyword being run */
	char *err;
	size_t errlen;
	const void *once[VP_PCTX_MAX_ONCE];	/* once-only keywords seen */
	unsigned nonce;
	bool have_sid, have_prio, have_fast;
	int class_prio;
	int sticky;			/* current sticky buffer, -1: none (raw payload) */
	int ct_list, ct_elem;		/* the last content (list, element), -1: none */
	int pm_list;			/* list of the last content or pcre, -1: none */
	unsigned nelems;
	struct vp_meta_pair *meta;
	size_t nmeta, ameta;
};

/* A keyword: handler for its value (NUL-terminated, trimmed; NULL when none). */
struct vp_kw {
	const char *name;
	int (*fn)(struct vp_pctx *c, const char *v);
	unsigned flags;			/* VP_KW_* */
	int arg;			/* handler-specific (the buffer of a sticky keyword ...) */
};

enum {
	VP_KW_VALUE = 1u << 0,		/* needs a value */
	VP_KW_BARE = 1u << 1,		/* takes none */
	VP_KW_ONCE = 1u << 2,		/* may appear once */
};

/* The keyword tables (keywords_*.c). */
extern const struct vp_kw vp_keywords_meta[];
extern const size_t vp_keywords_meta_count;
extern const struct vp_kw vp_keywords_payload[];
extern const size_t vp_keywords_payload_count;
extern const struct vp_kw vp_keywords_byte[];
extern const size_t vp_keywords_byte_count;
extern const struct vp_kw vp_keywords_buffer[];
extern const size_t vp_keywords_buffer_count;
extern const struct vp_kw vp_keywords_flow[];
extern const size_t vp_keywords_flow_count;
extern const struct vp_kw vp_keywords_header[];
extern const size_t vp_keywords_header_count;

/* keywords_meta.c: metadata (and cve references) as EVE JSON into sig->metadata_json. */
int vp_keywords_meta_json(struct vp_pctx *c);
void vp_keywords_meta_free(struct vp_pctx *c);

/* keywords_payload.c: after all keywords: checks, search tables, retries, fast pattern. */
int vp_keywords_payload_finish(struct vp_pctx *c);

/* The keyword being run (for handlers shared by several names). */
const struct vp_kw *vp_rule_current_kw(const struct vp_pctx *c);

/* ---- helpers for keyword handlers (rule.c); all set c->err on failure ---- */

void vp_rule_errf(struct vp_pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vp_rule_err_text(struct vp_pctx *c, const char *what, const char *s, size_t len);
int vp_rule_oom(struct vp_pctx *c);
void vp_rule_trim(const char **s, size_t *len);
bool vp_rule_parse_u32(const char *s, uint32_t *out);
/* Optionally signed decimal, or 0x hex when <hex>, in [min, max]; false otherwise. */
bool vp_rule_parse_int(const char *s, int64_t min, int64_t max, bool hex, int64_t *out);
/* Suricata integer-keyword syntax up to <max>; false if malformed. */
bool vp_rule_parse_cmp(const char *s, uint64_t max, struct vp_cmp *out);
long vp_rule_close_quote(const char *s, size_t len);
char *vp_rule_unescape_dup(const char *s, size_t len);
int vp_rule_value_text(struct vp_pctx *c, const char *kw, const char *v, char **out);
/* Splits a copy of <v> at top-level commas into trimmed items (argv point into <buf>). */
int vp_rule_split(struct vp_pctx *c, const char *kw, const char *v, char *buf, size_t blen,
		  char **argv, size_t max, size_t *argc);
/* A number in [min, max] or a byte_extract variable of list <list> (-1: any). */
int vp_rule_num(struct vp_pctx *c, const char *kw, const char *s, int64_t min, int64_t max,
		int list, struct vp_num *out);
/* Appends an element of <kind> to the list of <buf> (created if needed). */
int vp_rule_add_elem(struct vp_pctx *c, int buf, uint8_t kind, struct vp_elem **out);
struct vp_list *vp_rule_list(struct vp_rule *r, int buf);
/* The buffer new payload keywords go to: the sticky one, or the raw payload. */
int vp_rule_cur_buf(const struct vp_pctx *c);
/* The content a modifier applies to, or NULL with "<kw> needs a preceding content". */
struct vp_content *vp_rule_mod_target(struct vp_pctx *c, const char *kw);
const char *vp_rule_buffer_name(int buf);
void vp_rule_free(struct vp_rule *r);

#endif
