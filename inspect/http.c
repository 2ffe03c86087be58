/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Incremental HTTP/1.x parser (RFC 9110, RFC 9112), see inspect/http.h for the contract.
 *
 * Memory.  vp_http_ctx_new() allocates everything: two pools of slabs (request and response, the
 * same count each, as many pairs as the memcap allows once the inflate arenas are set aside) and
 * the inflate arenas.  A slab holds one message: the start line (max_line + 1 bytes), the raw
 * header block (max_header_block), a field table (max_headers entries), an arena for the derived
 * buffers (http.start, http.header, http.header_names), the request's normalised host, and the
 * body kept for inspection.  The arena is sized for the worst case, so building never fails:
 * with L, R, H the line, block and field limits, the field names and values (unfolded, so never
 * longer than their raw bytes) add up to at most R, so
 *	start   <= L + 2 + (R + 4H) + 2		(name ": " values ", " ... "\r\n", final "\r\n")
 *	header  <= R + 4H
 *	names   <= 2 + (R + 2H) + 2
 * and the host buffer holds at most R + 2H (Host values) + L (absolute-form host).
 *
 * Parsing.  Each direction is a small state machine (enum hstate).  The start line and the header
 * block are copied into the slab as they arrive (never more than the limits); a header line is
 * only parsed once the next line shows it is not folded.  Bodies are never buffered beyond the
 * depth: Content-Length and chunk sizes are counted down, chunk framing is parsed byte by byte,
 * so the state stays in sync whatever the chunking of the stream.
 *
 * Responses are matched to requests with a ring of pending request ids (and whether each was
 * HEAD, CONNECT or HTTP/0.9, which decide the response's framing).  A request keeps its slab after
 * it is complete until its response is complete (so response callbacks see the request), unless
 * the next request needs the slab first.
 *
 * Header semantics follow Suricata/libhtp: a field's value has leading and trailing SP/HTAB
 * removed; an obs-fold loses its line ending and keeps the continuation's whitespace; a line
 * without ':' is a field with an empty name whose value is the line; repeated names are joined
 * with ", " under the first occurrence, in order.
 */
#include "vp_build.h"

#define ZLIB_CONST
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "inspect/http.h"

#define ZARENA_SIZE  (64u * 1024)  /* zlib (state ~7 KiB + 32 KiB window), replay, bounce */
#define ZSTEP	     16384u	   /* inflate output per step between bomb checks */
#define ZBOUNCE	     ZSTEP	   /* a layer's output buffer, at the end of its arena */
#define ZREPLAY	     4096u	   /* a layer's first input bytes, replayed if decoding fails */
#define ZLIB_ROOM    (ZARENA_SIZE - ZBOUNCE - ZREPLAY)
#define BOMB_MIN_OUT 16384u	   /* ratio judged only past this much output */
#define MAX_CL	     (1ull << 62)
#define MAX_CHUNK    (1ull << 60)
#define JUNK_MAX     64u	   /* response bytes before "HTTP/" skipped, as Firefox does */
#define NO_COLON     UINT32_MAX
#define NO_FIELD     UINT32_MAX
#define ALIGN8(x)    (((x) + 7) & ~(size_t)7)

/* Direction states; everything from ST_TUNNEL on is terminal. */
enum hstate {
	ST_IDLE = 0,	  /* between messages: skipping empty lines */
	ST_LINE,	  /* start line */
	ST_HEADERS,	  /* header block */
	ST_BODY_CL,	  /* Content-Length body: remain bytes left */
	ST_CHUNK_SIZE,	  /* chunk-size */
	ST_CHUNK_EXT,	  /* chunk-ext, up to the line end */
	ST_CHUNK_LF,	  /* CR seen at the end of a chunk line */
	ST_CHUNK_DATA,	  /* chunk data: remain bytes left */
	ST_CHUNK_DATA_CR, /* CRLF after chunk data */
	ST_CHUNK_DATA_LF,
	ST_TRAILER,	  /* trailer section after the last chunk */
	ST_BODY_CLOSE,	  /* body until the end of the stream */
	ST_TE_SNIFF,	  /* response with Transfer-Encoding: chunked or not, by its first byte */
	ST_CONNECT_WAIT,  /* request side: CONNECT sent, waiting for the answer */
	ST_TUNNEL,
	ST_GIVEUP,
	ST_STOPPED,
	ST_MEMCAP,
	ST_EOF,
};

enum half_flag {
	HF_DIGITS = 1u << 0,   /* chunk size: a digit seen */
	HF_SIZE_END = 1u << 1, /* chunk size: whitespace after the digits */
	HF_LAST_CR = 1u << 2,  /* trailer: previous byte was CR */
	HF_EARLY = 1u << 3,    /* CONNECT: client data arrived before the answer */
	HF_CL = 1u << 4,       /* ST_TE_SNIFF: a valid Content-Length (remain) */
	HF_JUNK = 1u << 5,     /* response ST_LINE: skipping junk before "HTTP/" */
};

enum pend_flag {
	PF_HEAD = 1u << 0,
	PF_CONNECT = 1u << 1,
	PF_09 = 1u << 2,
};

enum framing {
	F_NONE = 0,
	F_CL,
	F_CHUNKED,
	F_CLOSE,
	F_GIVEUP,
	F_INTERIM, /* 1xx: another response follows */
	F_UPGRADE, /* 101 */
	F_TUNNEL,  /* CONNECT 2xx */
	F_TE_SNIFF, /* response with Transfer-Encoding: its first body byte decides */
};

enum zmode {
	ZM_OFF = 0, /* identity */
	ZM_RUN,	    /* decoding through the layers */
	ZM_DONE,    /* finished or limited: the rest is not kept */
};

/* State of one decoding layer (one content coding). */
enum zlmode {
	ZL_SNIFF = 0, /* waiting for 2 bytes: gzip magic, zlib header, or raw deflate */
	ZL_GZHDR,     /* gzip member header (RFC 1952 2.3), parsed here: odd flags are tolerated */
	ZL_INFLATE,
	ZL_GZTRAIL, /* CRC32 and ISIZE of a member: skipped, not checked */
	ZL_GZNEXT,  /* after a member: another one, or the end */
	ZL_PASS,    /* not compressed after all: bytes go through as they are */
	ZL_END,	    /* stream over: the rest is ignored */
};

/* Steps of the gzip header. */
enum gzstep {
	GZ_ID1 = 0,
	GZ_ID2,
	GZ_CM,
	GZ_FLG,
	GZ_FIXED, /* MTIME, XFL, OS */
	GZ_XLEN1,
	GZ_XLEN2,
	GZ_EXTRA,
	GZ_NAME,
	GZ_COMMENT,
	GZ_HCRC,
	GZ_DONE,
};

#define ZLAYERS_MAX 8 /* content codings decoded at most (vp_http_limits.decomp_layers) */

/* Fields the parser knows by name. */
enum kind {
	K_OTHER = 0,
	K_HOST,
	K_UA,
	K_COOKIE,
	K_SETCOOKIE,
	K_REFERER,
	K_CTYPE,
	K_CLEN,
	K_ACCEPT,
	K_ACCEPT_ENC,
	K_ACCEPT_LANG,
	K_CONNECTION,
	K_SERVER,
	K_LOCATION,
	K_TE,
	K_CENC,
};

static const struct {
	const char *name;
	uint8_t len, kind;
} known[] = {
	{ "host", 4, K_HOST },
	{ "user-agent", 10, K_UA },
	{ "cookie", 6, K_COOKIE },
	{ "set-cookie", 10, K_SETCOOKIE },
	{ "referer", 7, K_REFERER },
	{ "content-type", 12, K_CTYPE },
	{ "content-length", 14, K_CLEN },
	{ "accept", 6, K_ACCEPT },
	{ "accept-encoding", 15, K_ACCEPT_ENC },
	{ "accept-language", 15, K_ACCEPT_LANG },
	{ "connection", 10, K_CONNECTION },
	{ "server", 6, K_SERVER },
	{ "location", 8, K_LOCATION },
	{ "transfer-encoding", 17, K_TE },
	{ "content-encoding", 16, K_CENC },
};

/* One field line (with its folded continuations) in the raw header block. */
struct field {
	uint32_t start, end; /* raw[start..end): the field, final line ending excluded */
	uint32_t colon;	     /* offset of ':' in raw, NO_COLON if none */
	uint32_t name_len;   /* name = raw[start .. start + name_len) */
	uint32_t hash;	     /* of the lower-cased name */
	uint32_t leader;     /* first field with the same name */
	uint32_t out_off;    /* leader: its "Name: value\r\n" in start */
	uint32_t out_len;
	uint32_t val_off; /* leader: its joined value in start */
	uint32_t val_len;
	uint8_t kind;
	bool ignore; /* whitespace line before the first field: not a field */
};

/* An inflate arena and the state of the layer using it. */
struct zarena {
	struct zarena *next;
	uint8_t *mem;
	size_t used;
	z_stream zs;
	bool zinit;	/* inflate initialised: inflateEnd() due */
	bool rbad;	/* the input outgrew the replay buffer */
	bool gzonly;	/* sniffed without a Content-Encoding: gzip magic or nothing */
	uint8_t mode;	/* enum zlmode */
	uint8_t gzstep; /* enum gzstep */
	uint8_t gzflg;
	uint8_t npre, pre; /* ZL_SNIFF: first byte kept */
	uint32_t gzcnt;	   /* bytes left in a header field or the trailer */
	uint32_t rlen;	   /* bytes in the replay buffer */
	uint64_t in, out;  /* compressed bytes taken, bytes produced */
};

struct vp_http_slab {
	struct vp_http_slab *next; /* free list */
	struct vp_http_tx tx;
	bool is_req;
	bool matched;	  /* response: answers the pending request tx.id */
	bool body_dirty;  /* body bytes not yet shown to the callback */
	bool body_frozen; /* a gap: no more bytes are kept */
	uint8_t pflags;	  /* enum pend_flag of the request (own, or answered) */
	uint8_t zmode;	  /* enum zmode */
	uint8_t nz;	  /* decoding layers, outermost (last applied) first */
	uint8_t *line;
	uint32_t line_len;
	uint8_t *raw;
	uint32_t raw_len, line_start;
	struct field *fields;
	uint32_t nfields, pend;
	uint32_t blank_at; /* response: a whitespace-only line starts here (NO_FIELD: none) */
	uint8_t *arena;
	uint8_t *hostbuf;
	uint32_t host_len;
	uint8_t *body;
	uint32_t body_len, body_reported;
	uint64_t z_in, z_out;
	struct zarena *zl[ZLAYERS_MAX];
};

struct pool {
	struct vp_http_slab *slabs;
	uint8_t *mem;
	struct vp_http_slab *free;
	uint32_t total, used;
};

struct vp_http_ctx {
	struct vp_http_limits lim;
	struct pool req, resp;
	struct zarena *zarenas;
	uint8_t *zmem;
	struct zarena *zfree;
	uint32_t ztotal, zused;
	struct vp_http_stats st;
};

/* One call of vp_http_feed() / vp_http_eof(). */
struct feed {
	struct vp_http_ctx *ctx;
	struct vp_http_conn *c;
	struct vp_http_half *h;
	bool to_server;
	bool anom;    /* a new anomaly bit was set */
	bool stopped; /* the callback asked to stop */
	vp_http_event_fn cb;
	void *cbctx;
};

/* ---- small helpers ------------------------------------------------------ */

static bool is_ws(uint8_t c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* RFC 9110 5.6.2 tchar. */
static bool is_tchar(uint8_t c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c && memchr("!#$%&'*+-.^_`|~", c, 15) != NULL;
}

/* Bytes allowed in a Host value: reg-name / IP-literal / port (RFC 3986). */
static bool is_hostchar(uint8_t c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c && memchr("-._~%!$&'()*+,;=:[]", c, 19) != NULL;
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool eq_nocase(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

static bool eq_str_nocase(const uint8_t *a, size_t n, const char *s)
{
	return strlen(s) == n && eq_nocase(a, (const uint8_t *)s, n);
}

static struct vp_slice slice(const uint8_t *p, size_t n)
{
	struct vp_slice s = { n ? p : NULL, n };

	return s;
}

static bool terminal(uint8_t st)
{
	return st >= ST_TUNNEL;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* ---- pools ---------------------------------------------------------------- */

struct layout {
	size_t line, raw, fields, arena, host, body, total;
};

static void slab_layout(const struct vp_http_limits *l, bool req, struct layout *o)
{
	size_t L = l->max_line, R = l->max_header_block, H = l->max_headers;

	o->line = ALIGN8(L + 1);
	o->raw = ALIGN8(R);
	o->fields = ALIGN8(H * sizeof(struct field));
	o->arena = ALIGN8(L + 3 * R + 10 * H + 64);
	o->host = req ? ALIGN8(R + 2 * H + L + 16) : 0;
	o->body = ALIGN8(req ? l->req_body_depth : l->resp_body_depth);
	o->total = o->line + o->raw + o->fields + o->arena + o->host + o->body;
}

static int pool_init(struct pool *p, const struct vp_http_limits *l, bool req, uint32_t n)
{
	struct layout lay;
	uint8_t *m;

	slab_layout(l, req, &lay);
	p->slabs = calloc(n, sizeof(*p->slabs));
	p->mem = calloc(n, lay.total);
	if (!p->slabs || !p->mem)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		struct vp_http_slab *s = &p->slabs[i];

		m = p->mem + (size_t)i * lay.total;
		s->is_req = req;
		s->line = m;
		s->raw = m + lay.line;
		s->fields = (struct field *)(void *)(s->raw + lay.raw);
		s->arena = (uint8_t *)s->fields + lay.fields;
		s->hostbuf = req ? s->arena + lay.arena : NULL;
		s->body = s->arena + lay.arena + lay.host;
		s->next = p->free;
		p->free = s;
	}
	p->total = n;
	return 0;
}

static struct vp_http_slab *slab_get(struct vp_http_ctx *ctx, bool req)
{
	struct pool *p = req ? &ctx->req : &ctx->resp;
	struct vp_http_slab *s = p->free;

	if (!s)
		return NULL;
	p->free = s->next;
	p->used++;
	s->next = NULL;
	return s;
}

/* Ends decoding: every layer's inflate stream and arena go back to the pool. */
static void zstop(struct vp_http_ctx *ctx, struct vp_http_slab *s)
{
	for (uint8_t i = 0; i < s->nz; i++) {
		struct zarena *za = s->zl[i];

		if (za->zinit)
			inflateEnd(&za->zs);
		za->zinit = false;
		za->next = ctx->zfree;
		ctx->zfree = za;
		ctx->zused--;
		s->zl[i] = NULL;
	}
	s->nz = 0;
	if (s->zmode != ZM_OFF)
		s->zmode = ZM_DONE;
}

static void slab_put(struct vp_http_ctx *ctx, struct vp_http_slab *s)
{
	struct pool *p = s->is_req ? &ctx->req : &ctx->resp;

	zstop(ctx, s);
	s->next = p->free;
	p->free = s;
	p->used--;
}

static void slab_reset(struct vp_http_slab *s)
{
	memset(&s->tx, 0, sizeof(s->tx));
	s->matched = s->body_dirty = s->body_frozen = false;
	s->pflags = s->zmode = s->nz = 0;
	s->line_len = s->raw_len = s->line_start = s->nfields = 0;
	s->pend = s->blank_at = NO_FIELD;
	s->host_len = s->body_len = s->body_reported = 0;
	s->z_in = s->z_out = 0;
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
	struct zarena *za = opaque;
	size_t n = ((size_t)items * size + 15) & ~(size_t)15;
	void *p;

	if (n > ZLIB_ROOM - za->used)
		return Z_NULL;
	p = za->mem + za->used;
	za->used += n;
	return p;
}

static void z_free(voidpf opaque, voidpf p)
{
	(void)opaque;	/* the arena is reset as a whole when the stream ends */
	(void)p;
}

static struct zarena *zarena_get(struct vp_http_ctx *ctx)
{
	struct zarena *za = ctx->zfree;

	if (!za)
		return NULL;
	ctx->zfree = za->next;
	ctx->zused++;
	za->used = 0;
	za->next = NULL;
	za->zinit = za->rbad = za->gzonly = false;
	za->mode = ZL_SNIFF;
	za->gzstep = GZ_ID1;
	za->gzflg = za->npre = za->pre = 0;
	za->gzcnt = za->rlen = 0;
	za->in = za->out = 0;
	return za;
}

/* ---- context ---------------------------------------------------------------- */

void vp_http_limits_default(struct vp_http_limits *l)
{
	l->max_line = 8192;
	l->max_header_block = 16384;
	l->max_headers = 100;
	l->req_body_depth = 65536;
	l->resp_body_depth = 65536;
	l->decomp_max_output = 1u << 20;
	l->decomp_max_ratio = 200;
	l->max_inflate = 16;
	l->decomp_layers = 2;
	l->memcap = 64ull << 20;
}

static bool limits_ok(const struct vp_http_limits *l)
{
	return l->max_line >= 16 && l->max_line <= (1u << 20) && l->max_header_block >= 64 &&
	       l->max_header_block <= (16u << 20) && l->max_headers >= 1 &&
	       l->max_headers <= 1024 && l->req_body_depth <= (256u << 20) &&
	       l->resp_body_depth <= (256u << 20) && l->max_inflate <= 65536 &&
	       l->decomp_layers <= ZLAYERS_MAX;
}

static int zarenas_init(struct vp_http_ctx *ctx, uint32_t n)
{
	if (!n)
		return 0;
	ctx->zarenas = calloc(n, sizeof(*ctx->zarenas));
	ctx->zmem = malloc((size_t)n * ZARENA_SIZE);
	if (!ctx->zarenas || !ctx->zmem)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		ctx->zarenas[i].mem = ctx->zmem + (size_t)i * ZARENA_SIZE;
		ctx->zarenas[i].next = ctx->zfree;
		ctx->zfree = &ctx->zarenas[i];
	}
	ctx->ztotal = n;
	return 0;
}

struct vp_http_ctx *vp_http_ctx_new(const struct vp_http_limits *l)
{
	struct vp_http_ctx *ctx;
	struct layout rq, rs;
	uint64_t zbytes, pair, n;

	if (!l || !limits_ok(l))
		return NULL;
	slab_layout(l, true, &rq);
	slab_layout(l, false, &rs);
	zbytes = (uint64_t)l->max_inflate * (ZARENA_SIZE + sizeof(struct zarena));
	pair = rq.total + rs.total + 2 * sizeof(struct vp_http_slab);
	if (l->memcap < zbytes + pair)
		return NULL;
	n = (l->memcap - zbytes) / pair;
	if (n > UINT32_MAX / 2)
		n = UINT32_MAX / 2;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	ctx->lim = *l;
	if (!ctx->lim.decomp_max_output)
		ctx->lim.decomp_max_output = UINT32_MAX;
	if (!ctx->lim.decomp_layers)
		ctx->lim.decomp_layers = 1;
	if (pool_init(&ctx->req, l, true, (uint32_t)n) < 0 ||
	    pool_init(&ctx->resp, l, false, (uint32_t)n) < 0 || zarenas_init(ctx, l->max_inflate) < 0)
		goto err;
	return ctx;
err:
	vp_http_ctx_free(ctx);
	return NULL;
}

void vp_http_ctx_free(struct vp_http_ctx *ctx)
{
	if (!ctx)
		return;
	free(ctx->req.slabs);
	free(ctx->req.mem);
	free(ctx->resp.slabs);
	free(ctx->resp.mem);
	free(ctx->zarenas);
	free(ctx->zmem);
	free(ctx);
}

void vp_http_ctx_stats(const struct vp_http_ctx *ctx, struct vp_http_stats *s)
{
	*s = ctx->st;
	s->slabs_total = ctx->req.total;
	s->req_slabs_used = ctx->req.used;
	s->resp_slabs_used = ctx->resp.used;
	s->slabs_used = ctx->req.used + ctx->resp.used;
	s->inflate_total = ctx->ztotal;
	s->inflate_used = ctx->zused;
}

const struct vp_http_limits *vp_http_ctx_limits(const struct vp_http_ctx *ctx)
{
	return &ctx->lim;
}

/* ---- connection ------------------------------------------------------------- */

void vp_http_conn_init(struct vp_http_conn *c)
{
	memset(c, 0, sizeof(*c));
}

void vp_http_conn_release(struct vp_http_ctx *ctx, struct vp_http_conn *c)
{
	if (c->req.slab)
		slab_put(ctx, c->req.slab);
	if (c->resp.slab)
		slab_put(ctx, c->resp.slab);
	vp_http_conn_init(c);
}

bool vp_http_conn_done(const struct vp_http_conn *c, bool to_server)
{
	return terminal(to_server ? c->req.state : c->resp.state);
}

static bool pending_has(const struct vp_http_conn *c, uint64_t id)
{
	for (unsigned k = 0; k < c->pend_count; k++)
		if (c->pend_id[(c->pend_head + k) % VP_HTTP_PIPELINE] == id)
			return true;
	return false;
}

/*
 * Gives the request slab back once its message is over (or the direction stopped) and no
 * response event needs it any more: only the response's own progress decides, so what a
 * response callback sees does not depend on how the streams were cut into chunks.
 */
static void try_release_req(struct vp_http_ctx *ctx, struct vp_http_conn *c)
{
	struct vp_http_half *h = &c->req;

	if (!h->slab || (h->state != ST_IDLE && !terminal(h->state)))
		return;
	/* After the response side's eof the request waits for vp_http_unanswered(). */
	if ((!terminal(c->resp.state) || c->resp.state == ST_EOF) &&
	    pending_has(c, h->slab->tx.id))
		return;
	slab_put(ctx, h->slab);
	h->slab = NULL;
}

/* After a call: a stopped response side gives its slab back, the request side when it can. */
static void settle(struct vp_http_ctx *ctx, struct vp_http_conn *c)
{
	if (c->resp.slab && terminal(c->resp.state)) {
		slab_put(ctx, c->resp.slab);
		c->resp.slab = NULL;
	}
	try_release_req(ctx, c);
}

/* ---- events and anomalies ------------------------------------------------------ */

static struct vp_http_msg *own_msg(struct feed *f)
{
	struct vp_http_slab *s = f->h->slab;

	return f->to_server ? &s->tx.req : &s->tx.resp;
}

static void flag(struct feed *f, uint64_t bit)
{
	struct vp_http_msg *m;

	if (!bit || !f->h->slab)
		return;
	m = own_msg(f);
	if (m->anomalies & bit)
		return;
	m->anomalies |= bit;
	f->ctx->st.anomalies[__builtin_ctzll(bit)]++;
	f->anom = true;
}

/* Response events show the request of the same transaction while its slab still holds it. */
static void merge_request(struct feed *f, struct vp_http_slab *s)
{
	const struct vp_http_slab *rq = f->c->req.slab;

	if (rq && rq->tx.id == s->tx.id && rq->tx.req.line_valid)
		s->tx.req = rq->tx.req;
	else
		memset(&s->tx.req, 0, sizeof(s->tx.req));
}

static void fire(struct feed *f, enum vp_http_event ev)
{
	struct vp_http_slab *s = f->h->slab;
	struct vp_http_msg *m;

	if (f->stopped || !f->cb)
		return;
	if (s) {
		m = own_msg(f);
		m->body = slice(s->body, s->body_len);
		if (!f->to_server)
			merge_request(f, s);
	}
	if (f->cb(f->cbctx, ev, s ? &s->tx : NULL))
		f->stopped = true;
}

static void giveup(struct feed *f, uint64_t bit)
{
	if (terminal(f->h->state))
		return;
	flag(f, bit);
	f->h->state = ST_GIVEUP;
	f->ctx->st.giveups++;
	fire(f, VP_HTTP_EV_GIVEUP);
}

static void memcap(struct feed *f)
{
	f->h->state = ST_MEMCAP;
	f->ctx->st.memcap++;
	f->ctx->st.anomalies[__builtin_ctzll(VP_HTTP_ANOM_MEMCAP)]++;
	f->anom = true;
	fire(f, VP_HTTP_EV_GIVEUP);
}

/* Gives up between messages: there is no transaction to show. */
static void giveup_idle(struct feed *f, uint64_t bit)
{
	f->h->state = ST_GIVEUP;
	f->ctx->st.giveups++;
	f->ctx->st.anomalies[__builtin_ctzll(bit)]++;
	f->anom = true;
	if (f->stopped || !f->cb)
		return;
	if (f->cb(f->cbctx, VP_HTTP_EV_GIVEUP, NULL))
		f->stopped = true;
}

static void tunnel(struct feed *f)
{
	f->c->req.state = ST_TUNNEL;
	f->c->resp.state = ST_TUNNEL;
	f->ctx->st.tunnels++;
}

/* Flags NUL, bare CR and other control bytes in p[0..n) (line endings of folds excluded). */
static void scan_bytes(struct feed *f, const uint8_t *p, size_t n, bool value)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];

		if (c >= 0x20 && c != 0x7f)
			continue;
		if (c == '\n' || c == '\t')
			continue;
		if (c == 0)
			flag(f, VP_HTTP_ANOM_NUL);
		else if (c == '\r' && !(i + 1 < n && p[i + 1] == '\n'))
			flag(f, VP_HTTP_ANOM_BARE_CR);
		else if (c != '\r' && value)
			flag(f, VP_HTTP_ANOM_INVALID_HEADER_VALUE);
	}
}

/* ---- body delivery and decoding --------------------------------------------------- */

/*
 * Content codings are decoded by a chain of layers, the outermost (last applied) first; each
 * layer has an inflate arena holding its zlib state, a replay buffer and an output buffer.  A
 * layer recognises its format from its first two bytes whatever the label says (gzip magic,
 * zlib header, else raw deflate, as browsers accept); if decoding fails, the bytes it was given
 * (when they fit the replay buffer) go on as they are: a body labelled compressed that is not,
 * or labelled with one layer too many, is still inspected.  Work is bounded: every layer's
 * output counts against the ratio and output limits, and decoding stops when the body is full.
 */
static void zl_push(struct feed *f, struct vp_http_slab *s, uint8_t i, const uint8_t *d,
		    size_t n);

/* Bomb checks on layer output; false (and decoding stopped) when one trips. */
static bool zl_bomb_ok(struct feed *f, struct vp_http_slab *s, uint8_t i)
{
	const struct vp_http_limits *l = &f->ctx->lim;
	const struct zarena *za = s->zl[i];

	if (l->decomp_max_ratio && za->out >= BOMB_MIN_OUT &&
	    za->out > (uint64_t)l->decomp_max_ratio * za->in) {
		flag(f, VP_HTTP_ANOM_DECOMPRESS_BOMB);
		zstop(f->ctx, s);
		return false;
	}
	return true;
}

/* The decoded body: kept up to the depth and the output limit. */
static void zl_sink(struct feed *f, struct vp_http_slab *s, const uint8_t *d, size_t n)
{
	const struct vp_http_limits *l = &f->ctx->lim;
	uint32_t depth = f->to_server ? l->req_body_depth : l->resp_body_depth;
	uint32_t cap = min_u32(depth, l->decomp_max_output);
	size_t take = cap - s->body_len;

	if (take > n)
		take = n;
	memcpy(s->body + s->body_len, d, take);
	s->body_len += (uint32_t)take;
	s->body_dirty |= take > 0;
	s->z_out += take;
	if (s->body_len >= cap) {
		if (cap < depth)
			flag(f, VP_HTTP_ANOM_DECOMPRESS_BOMB);
		zstop(f->ctx, s);
	} else if (l->decomp_max_ratio && s->z_out >= BOMB_MIN_OUT &&
		   s->z_out > (uint64_t)l->decomp_max_ratio * s->z_in) {
		flag(f, VP_HTTP_ANOM_DECOMPRESS_BOMB);
		zstop(f->ctx, s);
	}
}

/* Output of layer <i>: into the next layer, or the body after the innermost one. */
static void zl_emit(struct feed *f, struct vp_http_slab *s, uint8_t i, const uint8_t *d, size_t n)
{
	if (!n || s->zmode != ZM_RUN)
		return;
	if (i + 1 < s->nz)
		zl_push(f, s, (uint8_t)(i + 1), d, n);
	else
		zl_sink(f, s, d, n);
}

/* Layer <i> could not decode: its input so far goes on as is (if it was all kept). */
static void zl_fail(struct feed *f, struct vp_http_slab *s, uint8_t i)
{
	struct zarena *za = s->zl[i];

	flag(f, VP_HTTP_ANOM_DECOMPRESS_ERROR);
	za->mode = za->rbad ? ZL_END : ZL_PASS;
	if (za->mode == ZL_PASS)
		zl_emit(f, s, i, za->mem + ZLIB_ROOM, za->rlen);
	else
		zstop(f->ctx, s);
}

static bool zl_init(struct zarena *za, int wbits)
{
	memset(&za->zs, 0, sizeof(za->zs));
	za->zs.zalloc = z_alloc;
	za->zs.zfree = z_free;
	za->zs.opaque = za;
	za->used = 0;
	if (inflateInit2(&za->zs, wbits) != Z_OK)
		return false;
	za->zinit = true;
	za->mode = ZL_INFLATE;
	return true;
}

/*
 * Output room of layer <i> for one step.  The innermost layer's output is limited by zl_sink();
 * an outer one may produce decomp_max_output bytes, then one more byte (*probe) is a bomb.
 */
static uInt zl_room(const struct feed *f, const struct vp_http_slab *s, uint8_t i, bool *probe)
{
	uint64_t max = f->ctx->lim.decomp_max_output, out = s->zl[i]->out;

	*probe = false;
	if (i + 1 == s->nz || (out < max && max - out >= ZBOUNCE))
		return ZBOUNCE;
	*probe = out >= max;
	return *probe ? 1 : (uInt)(max - out);
}

/* Inflates d[0..n) of layer <i>; returns the bytes used (all, unless the stream ended). */
static size_t zl_inflate(struct feed *f, struct vp_http_slab *s, uint8_t i, const uint8_t *d,
			 size_t n)
{
	struct zarena *za = s->zl[i];
	uint8_t *bounce = za->mem + ZARENA_SIZE - ZBOUNCE;
	size_t done = 0;

	while (done < n) {
		uInt avail = n - done > ZSTEP ? ZSTEP : (uInt)(n - done);
		size_t used, made;
		bool probe;
		uInt room = zl_room(f, s, i, &probe);
		int ret;

		za->zs.next_in = d + done;
		za->zs.avail_in = avail;
		za->zs.next_out = bounce;
		za->zs.avail_out = room;
		ret = inflate(&za->zs, Z_NO_FLUSH);
		used = avail - za->zs.avail_in;
		made = room - za->zs.avail_out;
		done += used;
		za->in += used;
		if (probe && made) {
			flag(f, VP_HTTP_ANOM_DECOMPRESS_BOMB);
			zstop(f->ctx, s);
			return n;
		}
		za->out += made;
		if (!zl_bomb_ok(f, s, i))
			return n;
		zl_emit(f, s, i, bounce, made);
		if (s->zmode != ZM_RUN)
			return n;
		if (ret == Z_STREAM_END) {
			inflateEnd(&za->zs);
			za->zinit = false;
			za->mode = za->gzstep == GZ_DONE ? ZL_GZTRAIL : ZL_END;
			za->gzcnt = 8;
			if (za->mode == ZL_END)
				zstop(f->ctx, s);	/* nothing more can come out */
			return done;
		}
		if (ret != Z_OK && ret != Z_BUF_ERROR) {
			zl_fail(f, s, i);
			return n;
		}
		if (!used && !made)
			break;
	}
	return n;
}
/* Moves to the next header field the flags announce (FEXTRA, FNAME, FCOMMENT, FHCRC). */
static void gz_next(struct zarena *za)
{
	static const struct {
		uint8_t step, flag;
	} opt[] = {
		{ GZ_XLEN1, 0x04 }, { GZ_NAME, 0x08 }, { GZ_COMMENT, 0x10 }, { GZ_HCRC, 0x02 },
	};
	uint8_t from = za->gzstep == GZ_EXTRA ? GZ_XLEN1 : za->gzstep;

	for (size_t k = 0; k < sizeof(opt) / sizeof(opt[0]); k++) {
		if (opt[k].step > from && (za->gzflg & opt[k].flag)) {
			za->gzstep = opt[k].step;
			za->gzcnt = opt[k].step == GZ_HCRC ? 2 : 0;
			return;
		}
	}
	za->gzstep = GZ_DONE;
}

/* One byte of a gzip member header; false when it cannot be one. */
static bool gz_header_byte(struct zarena *za, uint8_t c)
{
	switch (za->gzstep) {
	case GZ_ID1:
		za->gzstep = GZ_ID2;
		return c == 0x1f;
	case GZ_ID2:
		za->gzstep = GZ_CM;
		return c == 0x8b;
	case GZ_CM:
		za->gzstep = GZ_FLG;
		return c == 8;
	case GZ_FLG:
		za->gzflg = c;	/* FTEXT and the reserved bits are ignored */
		za->gzstep = GZ_FIXED;
		za->gzcnt = 6;
		return true;
	case GZ_XLEN1:
		za->gzcnt = c;
		za->gzstep = GZ_XLEN2;
		return true;
	case GZ_XLEN2:
		za->gzcnt |= (uint32_t)c << 8;
		za->gzstep = GZ_EXTRA;
		if (!za->gzcnt)
			gz_next(za);
		return true;
	case GZ_FIXED:
	case GZ_EXTRA:
	case GZ_HCRC:
		if (!--za->gzcnt)
			gz_next(za);
		return true;
	case GZ_NAME:
	case GZ_COMMENT:
		if (!c)
			gz_next(za);
		return true;
	default:
		return false;
	}
}

/* Layer <i> in a gzip header: parses it, then starts raw inflate. */
static size_t zl_gzhdr(struct feed *f, struct vp_http_slab *s, uint8_t i, const uint8_t *d,
		       size_t n)
{
	struct zarena *za = s->zl[i];
	size_t k = 0;

	while (k < n && za->gzstep != GZ_DONE) {
		if (!gz_header_byte(za, d[k++])) {
			zl_fail(f, s, i);
			return n;
		}
	}
	if (za->gzstep == GZ_DONE && !zl_init(za, -15)) {
		zl_fail(f, s, i);
		return n;
	}
	return k;
}

/* The first two bytes of layer <i> tell its format. */
static bool zl_sniff(struct zarena *za, uint8_t b0, uint8_t b1)
{
	if (b0 == 0x1f && b1 == 0x8b) {
		za->mode = ZL_GZHDR;
		za->gzstep = GZ_ID1;
		return true;
	}
	if ((b0 & 0x0f) == 8 && ((b0 << 8) | b1) % 31 == 0)
		return zl_init(za, 15);		/* zlib wrapper, as RFC 9110 8.4.1.2 says */
	return zl_init(za, -15);		/* raw deflate, as some servers send */
}

/* Runs d[0..n) through layer <i> in its current mode. */
static void zl_run(struct feed *f, struct vp_http_slab *s, uint8_t i, const uint8_t *d, size_t n)
{
	struct zarena *za = s->zl[i];

	if (za->mode == ZL_PASS || za->mode == ZL_END)
		return;
	while (n && s->zmode == ZM_RUN) {
		size_t k = n;

		switch (za->mode) {
		case ZL_GZHDR:
			k = zl_gzhdr(f, s, i, d, n);
			break;
		case ZL_INFLATE:
			k = zl_inflate(f, s, i, d, n);
			break;
		case ZL_GZTRAIL:
			k = n < za->gzcnt ? n : za->gzcnt;
			za->gzcnt -= (uint32_t)k;
			if (!za->gzcnt)
				za->mode = ZL_GZNEXT;
			break;
		case ZL_GZNEXT:	/* another member, or trailing bytes that are ignored */
			za->mode = d[0] == 0x1f ? ZL_GZHDR : ZL_END;
			za->gzstep = GZ_ID1;
			k = 0;
			if (za->mode == ZL_END)
				zstop(f->ctx, s);
			break;
		default:
			break;
		}
		if (za->mode == ZL_PASS || za->mode == ZL_END)
			return;
		d += k;
		n -= k;
	}
}

/* A sniffed layer (gzonly) whose body is not gzip: everything goes on as sent, unflagged. */
static void zl_not_gzip(struct feed *f, struct vp_http_slab *s, uint8_t i, const uint8_t *d,
			size_t n)
{
	struct zarena *za = s->zl[i];
	uint8_t b0 = za->pre;

	za->mode = ZL_PASS;
	if (!za->rbad) {
		zl_emit(f, s, i, za->mem + ZLIB_ROOM, za->rlen);
		return;
	}
	if (za->npre)
		zl_emit(f, s, i, &b0, 1);
	zl_emit(f, s, i, d, n);
}

static void zl_push(struct feed *f, struct vp_http_slab *s, uint8_t i, const uint8_t *d,
		    size_t n)
{
	struct zarena *za = s->zl[i];

	if (!n || za->mode == ZL_END)
		return;
	if (za->mode == ZL_PASS) {
		zl_emit(f, s, i, d, n);
		return;
	}
	if (!za->rbad && n <= ZREPLAY - za->rlen) {
		memcpy(za->mem + ZLIB_ROOM + za->rlen, d, n);
		za->rlen += (uint32_t)n;
	} else {
		za->rbad = true;
	}
	if (za->mode == ZL_SNIFF) {
		uint8_t b0 = za->npre ? za->pre : d[0];

		if (!za->npre && n < 2) {
			za->pre = d[0];
			za->npre = 1;
			return;
		}
		if (za->gzonly && (b0 != 0x1f || (za->npre ? d[0] : d[1]) != 0x8b)) {
			zl_not_gzip(f, s, i, d, n);
			return;
		}
		if (!zl_sniff(za, b0, za->npre ? d[0] : d[1])) {
			zl_fail(f, s, i);
			return;
		}
		if (za->npre)
			zl_run(f, s, i, &b0, 1);
		za->npre = 0;
	}
	zl_run(f, s, i, d, n);
}

/* The body is over: a layer that never got going passes its bytes on as they are. */
static void zl_finish(struct feed *f, struct vp_http_slab *s)
{
	for (uint8_t i = 0; i < s->nz && s->zmode == ZM_RUN; i++) {
		struct zarena *za = s->zl[i];

		if (za->gzonly && za->mode == ZL_SNIFF)
			zl_not_gzip(f, s, i, NULL, 0);
		else if (za->mode == ZL_SNIFF || za->mode == ZL_GZHDR ||
		    (za->mode == ZL_INFLATE && !za->out))
			zl_fail(f, s, i);
	}
}

static void decode(struct feed *f, struct vp_http_slab *s, const uint8_t *d, size_t n)
{
	if (s->zmode != ZM_RUN)
		return;
	s->z_in += n;
	zl_push(f, s, 0, d, n);
}

/*
 * A response body starting with the gzip magic (first byte 1f here, the layer checks the
 * second) but no usable Content-Encoding: browsers may sniff it, so try one layer; one that
 * does not decode passes its bytes on raw.
 */
static void sniff_gzip(struct feed *f, struct vp_http_slab *s)
{
	struct zarena *za;

	if (s->nz || !f->ctx->ztotal || !f->ctx->lim.decomp_layers)
		return;
	za = zarena_get(f->ctx);
	if (!za) {
		flag(f, VP_HTTP_ANOM_DECOMPRESS_NOMEM);
		f->ctx->st.inflate_nomem++;
		return;
	}
	za->gzonly = true;
	s->zl[s->nz++] = za;
	s->zmode = ZM_RUN;
}

static void deliver(struct feed *f, const uint8_t *d, size_t n)
{
	struct vp_http_slab *s = f->h->slab;
	uint32_t depth = f->to_server ? f->ctx->lim.req_body_depth : f->ctx->lim.resp_body_depth;
	size_t take;

	if (n && !f->to_server && s->zmode == ZM_OFF && !own_msg(f)->body_seen && d[0] == 0x1f)
		sniff_gzip(f, s);
	own_msg(f)->body_seen += n;
	if (s->body_frozen)
		return;
	if (s->zmode != ZM_OFF) {
		decode(f, s, d, n);
		return;
	}
	take = depth - s->body_len;
	if (take > n)
		take = n;
	if (!take)
		return;
	memcpy(s->body + s->body_len, d, take);
	s->body_len += (uint32_t)take;
	s->body_dirty = true;
}

/* Shows the body kept so far to the callback (when new bytes came, or it is complete). */
static void body_flush(struct feed *f, bool done)
{
	struct vp_http_slab *s = f->h->slab;
	struct vp_http_msg *m;

	if (!s || (!s->body_dirty && !done))
		return;
	if (done && s->zmode == ZM_RUN)
		zl_finish(f, s);
	m = own_msg(f);
	m->body_done = done;
	m->body_new = s->body_reported;
	s->body_reported = s->body_len;
	s->body_dirty = false;
	fire(f, f->to_server ? VP_HTTP_EV_REQUEST_BODY : VP_HTTP_EV_RESPONSE_BODY);
}

static void pop_pending(struct vp_http_conn *c, uint64_t id)
{
	if (c->pend_count && c->pend_id[c->pend_head] == id) {
		c->pend_head = (uint8_t)((c->pend_head + 1) % VP_HTTP_PIPELINE);
		c->pend_count--;
	}
}

/* The message of this direction is over. */
static void msg_end(struct feed *f, bool body)
{
	struct vp_http_half *h = f->h;
	struct vp_http_slab *s = h->slab;

	if (body)
		body_flush(f, true);
	zstop(f->ctx, s);
	if (h->state != ST_CONNECT_WAIT)
		h->state = ST_IDLE;
	if (!f->to_server) {
		if (s->matched && (s->tx.resp.status >= 200 || !s->tx.resp.status))
			pop_pending(f->c, s->tx.id);
		slab_put(f->ctx, s);
		h->slab = NULL;
	}
	try_release_req(f->ctx, f->c);
}

/* ---- start lines -------------------------------------------------------------- */

/* Skips a whitespace run at p[i..n); flags it unless it is exactly one SP. */
static size_t skip_sep(struct feed *f, const uint8_t *p, size_t i, size_t n)
{
	size_t j = i;

	while (j < n && is_ws(p[j]))
		j++;
	if (j < n && (j - i != 1 || p[i] != ' '))
		flag(f, VP_HTTP_ANOM_LINE_WHITESPACE);
	return j;
}

static void parse_version(struct feed *f, struct vp_http_msg *m, const uint8_t *p, size_t n)
{
	m->protocol = slice(p, n);
	if (n == 8 && eq_str_nocase(p, 5, "HTTP/") && is_digit(p[5]) && p[6] == '.' &&
	    is_digit(p[7])) {
		m->ver_major = (uint8_t)(p[5] - '0');
		m->ver_minor = (uint8_t)(p[7] - '0');
		if (m->ver_major != 1 || m->ver_minor > 1)
			flag(f, VP_HTTP_ANOM_UNKNOWN_VERSION);
		if (memcmp(p, "HTTP/", 5))	/* "http/1.1": clients take it */
			flag(f, VP_HTTP_ANOM_INVALID_PROTOCOL);
		return;
	}
	flag(f, VP_HTTP_ANOM_INVALID_PROTOCOL);
}

/* method SP request-target SP HTTP-version, leniently: returns false for HTTP/0.9. */
static bool parse_request_line(struct feed *f, struct vp_http_msg *m, const uint8_t *p, size_t n)
{
	size_t i = 0, j, end = n, k, r;

	if (n && is_ws(p[0])) {
		flag(f, VP_HTTP_ANOM_LINE_WHITESPACE);
		while (i < n && is_ws(p[i]))
			i++;
	}
	for (j = i; j < n && !is_ws(p[j]); j++)
		if (!is_tchar(p[j]))
			flag(f, VP_HTTP_ANOM_INVALID_METHOD);
	if (j == i)
		flag(f, VP_HTTP_ANOM_INVALID_METHOD);
	m->method = slice(p + i, j - i);
	while (end > j && is_ws(p[end - 1]))
		end--;
	if (end < n && end > j)
		flag(f, VP_HTTP_ANOM_LINE_WHITESPACE);
	i = skip_sep(f, p, j, end);
	for (k = end; k > i && !is_ws(p[k - 1]); k--)
		;
	if (k == i) {			/* no version: HTTP/0.9 simple request */
		m->uri_raw = slice(p + i, end - i);
		m->ver_major = 0;
		m->ver_minor = 9;
		flag(f, VP_HTTP_ANOM_HTTP09);
		return false;
	}
	for (r = k - 1; r > i && is_ws(p[r - 1]); r--)
		;
	if (k - r != 1 || p[r] != ' ')
		flag(f, VP_HTTP_ANOM_LINE_WHITESPACE);
	m->uri_raw = slice(p + i, r - i);
	for (j = i; j < r; j++)
		if (is_ws(p[j]))
			flag(f, VP_HTTP_ANOM_URI_SPACE);
	parse_version(f, m, p + k, end - k);
	return true;
}

/* HTTP-version SP status-code SP [reason-phrase], leniently. */
static void parse_status_line(struct feed *f, struct vp_http_msg *m, const uint8_t *p, size_t n)
{
	size_t i, j;

	for (j = 0; j < n && !is_ws(p[j]); j++)
		;
	parse_version(f, m, p, j);
	i = skip_sep(f, p, j, n);
	for (j = i; j < n && !is_ws(p[j]); j++)
		;
	m->stat_code = slice(p + i, j - i);
	if (j - i == 3 && is_digit(p[i]) && is_digit(p[i + 1]) && is_digit(p[i + 2]))
		m->status = (uint16_t)((p[i] - '0') * 100 + (p[i + 1] - '0') * 10 + (p[i + 2] - '0'));
	else
		flag(f, VP_HTTP_ANOM_INVALID_STATUS);
	i = skip_sep(f, p, j, n);
	m->stat_msg = slice(p + i, n - i);
}

/* ---- header fields -------------------------------------------------------------- */

static uint8_t field_kind(const uint8_t *name, size_t n)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i].len == n && eq_nocase(name, (const uint8_t *)known[i].name, n))
			return known[i].kind;
	return K_OTHER;
}

static uint32_t name_hash(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ lower(p[i])) * 16777619u;
	return h;
}

/*
 * Response field names with control bytes or folds inside ("Transfer\0-Encoding",
 * "Content-Encoding\r\n :"): the kind of the name with those bytes dropped, so that the
 * chunking and codings a lenient client may apply are inspected too (both are checked
 * against the body bytes).  Only those two: a Content-Length read from such a name could
 * end the inspected body early.  Requests stay strict.
 */
static uint8_t squeezed_kind(const uint8_t *name, size_t n)
{
	uint8_t buf[24], kind;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (name[i] <= 0x20 || name[i] == 0x7f)
			continue;
		if (k == sizeof(buf))
			return K_OTHER;
		buf[k++] = name[i];
	}
	kind = field_kind(buf, k);
	return kind == K_TE || kind == K_CENC ? kind : K_OTHER;
}

/* Parses the name of field <fl> once its last continuation line is known. */
static void field_parse(struct feed *f, struct vp_http_slab *s, struct field *fl)
{
	const uint8_t *p = s->raw;
	const uint8_t *colon = memchr(p + fl->start, ':', fl->end - fl->start);
	uint32_t n;

	scan_bytes(f, p + fl->start, fl->end - fl->start, true);
	if (!colon) {
		flag(f, VP_HTTP_ANOM_NO_COLON);
		fl->colon = NO_COLON;
		fl->name_len = 0;
	} else {
		fl->colon = (uint32_t)(colon - p);
		n = fl->colon - fl->start;
		if (n && is_ws(p[fl->start + n - 1])) {
			flag(f, VP_HTTP_ANOM_WS_BEFORE_COLON);
			while (n && is_ws(p[fl->start + n - 1]))
				n--;
		}
		fl->name_len = n;
		if (!n)
			flag(f, VP_HTTP_ANOM_INVALID_HEADER_NAME);
		for (uint32_t i = 0; i < n; i++)
			if (!is_tchar(p[fl->start + i])) {
				flag(f, VP_HTTP_ANOM_INVALID_HEADER_NAME);
				break;
			}
	}
	fl->kind = field_kind(p + fl->start, fl->name_len);
	fl->hash = name_hash(p + fl->start, fl->name_len);
	if (!f->to_server && fl->kind == K_OTHER && fl->colon != NO_COLON)
		fl->kind = squeezed_kind(p + fl->start, fl->colon - fl->start);
}

static void finish_pending(struct feed *f, struct vp_http_slab *s)
{
	if (s->pend != NO_FIELD)
		field_parse(f, s, &s->fields[s->pend]);
	s->pend = NO_FIELD;
}

/* Copies the value of <fl> to <dst>: folds' line endings dropped, SP/HTAB trimmed both ends. */
static uint32_t copy_value(const struct vp_http_slab *s, const struct field *fl, uint8_t *dst)
{
	const uint8_t *p = s->raw;
	uint32_t i = fl->colon == NO_COLON ? fl->start : fl->colon + 1;
	uint32_t n = 0;

	for (; i < fl->end; i++) {
		uint8_t c = p[i];

		if (c == '\n' || (c == '\r' && i + 1 < fl->end && p[i + 1] == '\n'))
			continue;
		if (!n && is_ws(c))
			continue;
		dst[n++] = c;
	}
	while (n && is_ws(dst[n - 1]))
		n--;
	return n;
}

static bool same_name(const struct vp_http_slab *s, const struct field *a, const struct field *b)
{
	return a->name_len == b->name_len && a->hash == b->hash &&
	       eq_nocase(s->raw + a->start, s->raw + b->start, a->name_len);
}

/* Links each field to the first field of its name; flags repeats in requests. */
static uint32_t group_fields(struct feed *f, struct vp_http_slab *s)
{
	uint32_t leaders = 0;

	for (uint32_t i = 0; i < s->nfields; i++) {
		struct field *fl = &s->fields[i];

		fl->leader = i;
		if (fl->ignore)
			continue;
		for (uint32_t j = 0; j < i; j++) {
			struct field *o = &s->fields[j];

			if (o->ignore || o->leader != j || !same_name(s, o, fl))
				continue;
			fl->leader = j;
			if (f->to_server && fl->kind != K_COOKIE)
				flag(f, VP_HTTP_ANOM_REPEATED_HEADER);
			break;
		}
		leaders += fl->leader == i;
	}
	return leaders;
}

/* Lower-cases host <in>, drops a port and trailing dots; appends to the host buffer. */
static void host_norm(struct feed *f, struct vp_http_slab *s, const uint8_t *in, size_t n,
		      bool port_allowed)
{
	uint8_t *out = s->hostbuf + s->host_len;
	size_t end = n, i, k = 0;

	if (n && in[0] == '[') {
		const uint8_t *rb = memchr(in, ']', n);

		end = rb ? (size_t)(rb - in) + 1 : n;
	} else {
		const uint8_t *colon = memchr(in, ':', n);

		end = colon ? (size_t)(colon - in) : n;
	}
	if (end < n) {
		if (!port_allowed || in[end] != ':')
			flag(f, VP_HTTP_ANOM_INVALID_HOST);
		for (i = end + 1; i < n; i++)
			if (!is_digit(in[i]))
				flag(f, VP_HTTP_ANOM_INVALID_HOST);
	}
	for (i = 0; i < end; i++) {
		if (!is_hostchar(in[i]) || (in[i] == ':' && in[0] != '['))
			flag(f, VP_HTTP_ANOM_INVALID_HOST);
		out[k++] = lower(in[i]);
	}
	while (k && out[k - 1] == '.')
		k--;
	s->host_len += (uint32_t)k;
}

/* Appends the fields named like <lead> (its repeats) to out as "v1, v2"; returns the length. */
static uint32_t join_values(struct feed *f, struct vp_http_slab *s, uint32_t lead, uint8_t *out)
{
	uint32_t n = 0, v;
	bool host = f->to_server && s->fields[lead].kind == K_HOST;

	for (uint32_t j = lead; j < s->nfields; j++) {
		if (s->fields[j].ignore || s->fields[j].leader != lead)
			continue;
		if (j != lead) {
			memcpy(out + n, ", ", 2);
			n += 2;
			if (host) {
				memcpy(s->hostbuf + s->host_len, ", ", 2);
				s->host_len += 2;
			}
		}
		v = copy_value(s, &s->fields[j], out + n);
		if (host)
			host_norm(f, s, out + n, v, true);
		n += v;
	}
	return n;
}

/* http.start: line CRLF, "Name: value" CRLF per distinct name, CRLF; returns its length. */
static uint32_t build_start(struct feed *f, struct vp_http_slab *s, uint32_t leaders)
{
	uint8_t *out = s->arena;
	uint32_t n = s->line_len;

	memcpy(out, s->line, n);
	memcpy(out + n, "\r\n", 2);
	n += 2;
	for (uint32_t i = 0; i < s->nfields; i++) {
		struct field *fl = &s->fields[i];

		if (fl->ignore || fl->leader != i)
			continue;
		fl->out_off = n;
		memcpy(out + n, s->raw + fl->start, fl->name_len);
		n += fl->name_len;
		memcpy(out + n, ": ", 2);
		n += 2;
		fl->val_off = n;
		fl->val_len = join_values(f, s, i, out + n);
		n += fl->val_len;
		memcpy(out + n, "\r\n", 2);
		n += 2;
		fl->out_len = n - fl->out_off;
	}
	if (leaders) {
		memcpy(out + n, "\r\n", 2);
		n += 2;
	}
	return n;
}

/* Points the per-field buffers of <m> at the joined values in http.start. */
static void set_field_slices(struct vp_http_slab *s, struct vp_http_msg *m, bool req)
{
	for (uint32_t i = 0; i < s->nfields; i++) {
		const struct field *fl = &s->fields[i];
		/* Present but empty ("User-Agent:") is not absent: keep the pointer. */
		struct vp_slice v = { s->arena + fl->val_off, fl->val_len };
		struct vp_slice *dst = NULL;

		if (fl->ignore || fl->leader != i)
			continue;
		switch (fl->kind) {
		case K_CTYPE: dst = &m->content_type; break;
		case K_CLEN: dst = &m->content_len; break;
		case K_HOST: dst = req ? &m->host_raw : NULL; break;
		case K_UA: dst = req ? &m->user_agent : NULL; break;
		case K_COOKIE: dst = req ? &m->cookie : NULL; break;
		case K_REFERER: dst = req ? &m->referer : NULL; break;
		case K_ACCEPT: dst = req ? &m->accept : NULL; break;
		case K_ACCEPT_ENC: dst = req ? &m->accept_enc : NULL; break;
		case K_ACCEPT_LANG: dst = req ? &m->accept_lang : NULL; break;
		case K_CONNECTION: dst = &m->connection; break;
		case K_SETCOOKIE: dst = req ? NULL : &m->cookie; break;
		case K_SERVER: dst = req ? NULL : &m->server; break;
		case K_LOCATION: dst = req ? NULL : &m->location; break;
		default: break;
		}
		if (dst)
			*dst = v;
	}
}

/* Builds every header buffer of the message in slab <s>. */
static void build_headers(struct feed *f, struct vp_http_slab *s, struct vp_http_msg *m)
{
	uint32_t leaders = group_fields(f, s);
	uint32_t n = build_start(f, s, leaders), h = 0, k = 0;
	uint8_t *hdr = s->arena + n, *names;
	uint8_t skip = f->to_server ? K_COOKIE : K_SETCOOKIE;

	m->start = slice(s->arena, n);
	for (uint32_t i = 0; i < s->nfields; i++) {
		const struct field *fl = &s->fields[i];

		if (fl->ignore || fl->leader != i || fl->kind == skip)
			continue;
		memcpy(hdr + h, s->arena + fl->out_off, fl->out_len);
		h += fl->out_len;
	}
	m->header = slice(hdr, h);
	names = hdr + h;
	for (uint32_t i = 0; leaders && i < s->nfields; i++) {
		const struct field *fl = &s->fields[i];

		if (fl->ignore || fl->leader != i)
			continue;
		memcpy(names + k, "\r\n", 2);
		memcpy(names + k + 2, s->raw + fl->start, fl->name_len);
		k += 2 + fl->name_len;
	}
	if (leaders) {
		memcpy(names + k, "\r\n\r\n", 4);
		k += 4;
	}
	m->header_names = slice(names, k);
	m->header_raw = slice(s->raw, s->raw_len);
	set_field_slices(s, m, f->to_server);
}

static const struct field *find_kind(const struct vp_http_slab *s, uint8_t kind)
{
	for (uint32_t i = 0; i < s->nfields; i++)
		if (!s->fields[i].ignore && s->fields[i].leader == i && s->fields[i].kind == kind)
			return &s->fields[i];
	return NULL;
}

/* ---- host ------------------------------------------------------------------------ */

/* Finds the host of an absolute-form target "scheme://[userinfo@]host[:port]/...". */
static bool abs_host(struct vp_slice u, size_t *off, size_t *len)
{
	const uint8_t *p = u.ptr;
	size_t n = u.len, i = 0, a, e, h;

	if (!n || !((lower(p[0]) >= 'a' && lower(p[0]) <= 'z')))
		return false;
	while (i < n && (is_tchar(p[i]) && p[i] != ':'))
		i++;
	if (n - i < 3 || memcmp(p + i, "://", 3))
		return false;
	a = i + 3;
	for (e = a; e < n && p[e] != '/' && p[e] != '?' && p[e] != '#'; e++)
		if (p[e] == '@')
			a = e + 1;
	if (a < e && p[a] == '[') {
		const uint8_t *rb = memchr(p + a, ']', e - a);

		h = rb ? (size_t)(rb - p) + 1 : e;
	} else {
		const uint8_t *colon = memchr(p + a, ':', e - a);

		h = colon ? (size_t)(colon - p) : e;
	}
	*off = a;
	*len = h - a;
	return true;
}

/* http.host / http.host.raw and the Host anomalies (RFC 9112 3.2). */
static void request_host(struct feed *f, struct vp_http_slab *s, struct vp_http_msg *m)
{
	unsigned nhost = 0;
	size_t off, len;
	uint32_t hdr_len = s->host_len;

	for (uint32_t i = 0; i < s->nfields; i++)
		nhost += !s->fields[i].ignore && s->fields[i].kind == K_HOST;
	if (nhost > 1)
		flag(f, VP_HTTP_ANOM_MULTIPLE_HOST);
	if (!nhost && (m->ver_major > 1 || (m->ver_major == 1 && m->ver_minor >= 1)))
		flag(f, VP_HTTP_ANOM_MISSING_HOST);
	m->host = slice(s->hostbuf, s->host_len);
	if (!abs_host(m->uri_raw, &off, &len))
		return;
	host_norm(f, s, m->uri_raw.ptr + off, len, false);
	if (nhost && (s->host_len - hdr_len != hdr_len ||
		      memcmp(s->hostbuf, s->hostbuf + hdr_len, hdr_len)))
		flag(f, VP_HTTP_ANOM_HOST_MISMATCH);
	memmove(s->hostbuf, s->hostbuf + hdr_len, s->host_len - hdr_len);
	s->host_len -= hdr_len;
	m->host = slice(s->hostbuf, s->host_len);
	m->host_raw = slice(m->uri_raw.ptr + off, len);
}

/* ---- framing (RFC 9112 6.3) ----------------------------------------------------------- */

/* Next comma-separated list element of p[*i..n), SP/HTAB-trimmed. */
static bool list_next(const uint8_t *p, size_t n, size_t *i, size_t *off, size_t *len)
{
	size_t a, e;

	if (*i > n)
		return false;
	a = *i;
	for (e = a; e < n && p[e] != ','; e++)
		;
	*i = e + 1;
	while (a < e && is_ws(p[a]))
		a++;
	while (e > a && is_ws(p[e - 1]))
		e--;
	*off = a;
	*len = e - a;
	return true;
}

enum cl_result { CL_OK = 0, CL_INVALID, CL_DIFFER };

static int parse_cl(struct vp_slice v, uint64_t *out, bool *dup)
{
	size_t i = 0, off, len, count = 0;
	uint64_t first = 0;

	while (list_next(v.ptr, v.len, &i, &off, &len)) {
		uint64_t x = 0;

		if (!len)
			return CL_INVALID;
		for (size_t k = 0; k < len; k++) {
			if (!is_digit(v.ptr[off + k]) || x > MAX_CL / 10)
				return CL_INVALID;
			x = x * 10 + (uint64_t)(v.ptr[off + k] - '0');
		}
		if (count++ && x != first)
			return CL_DIFFER;
		first = x;
	}
	*out = first;
	*dup = count > 1;
	return CL_OK;
}

/* Transfer-Encoding: is chunked the final coding, and how often does it appear? */
static bool te_chunked_last(struct vp_slice v, unsigned *nchunked)
{
	size_t i = 0, off, len;
	bool last = false;

	*nchunked = 0;
	while (list_next(v.ptr, v.len, &i, &off, &len)) {
		const uint8_t *semi;

		if (v.ptr && (semi = memchr(v.ptr + off, ';', len)))
			len = (size_t)(semi - (v.ptr + off));
		while (len && is_ws(v.ptr[off + len - 1]))
			len--;
		if (!len)
			continue;
		last = eq_str_nocase(v.ptr + off, len, "chunked");
		*nchunked += last;
	}
	return last;
}

/*
 * Content-Length: the body length in *len (F_CL / F_NONE), or F_GIVEUP when invalid or
 * conflicting.
 */
static uint8_t cl_framing(struct feed *f, const struct field *cl, const struct vp_http_slab *s,
			  uint64_t *len)
{
	bool dup = false;

	switch (parse_cl(slice(s->arena + cl->val_off, cl->val_len), len, &dup)) {
	case CL_INVALID:
		flag(f, VP_HTTP_ANOM_INVALID_CL);
		return F_GIVEUP;
	case CL_DIFFER:
		flag(f, VP_HTTP_ANOM_MULTIPLE_CL);
		return F_GIVEUP;
	default:
		break;
	}
	if (dup)
		flag(f, VP_HTTP_ANOM_DUP_CL);
	return *len ? F_CL : F_NONE;
}

/*
 * RFC 9112 6.3.  Requests are framed strictly (smuggling).  A response is framed the way
 * clients manage to read it (HTTP Evader): with Transfer-Encoding in any form (not chunked
 * last, HTTP/1.0, "chunkedx") the body is de-chunked if it starts like a chunk line, else it
 * is read by Content-Length or until close; an invalid Content-Length means until close.
 * Either way every byte the client may take as body is inspected as body.
 */
static uint8_t body_framing(struct feed *f, struct vp_http_slab *s, struct vp_http_msg *m,
			    uint64_t *len)
{
	const struct field *te = find_kind(s, K_TE), *cl = find_kind(s, K_CLEN);
	unsigned nchunked;
	uint8_t fr;

	if (te) {
		if (cl)
			flag(f, VP_HTTP_ANOM_CL_AND_TE);
		if (m->ver_major == 1 && m->ver_minor == 0)
			flag(f, VP_HTTP_ANOM_TE_HTTP10);
		if (te_chunked_last(slice(s->arena + te->val_off, te->val_len), &nchunked)) {
			if (nchunked > 1)
				flag(f, VP_HTTP_ANOM_TE_CHUNKED_TWICE);
			if (f->to_server)
				return F_CHUNKED;
		} else {
			flag(f, VP_HTTP_ANOM_TE_NOT_CHUNKED_LAST);
			if (f->to_server)
				return F_GIVEUP;
		}
		*len = 0;
		if (cl && cl_framing(f, cl, s, len) != F_CL)
			*len = 0;
		return F_TE_SNIFF;
	}
	if (cl) {
		fr = cl_framing(f, cl, s, len);
		return fr == F_GIVEUP && !f->to_server ? F_CLOSE : fr;
	}
	return f->to_server ? F_NONE : F_CLOSE;
}

static uint8_t response_framing(struct feed *f, struct vp_http_slab *s, struct vp_http_msg *m,
				uint64_t *len)
{
	uint16_t st = m->status;

	if (st >= 100 && st < 200)
		return st == 101 ? F_UPGRADE : F_INTERIM;
	if ((s->pflags & PF_CONNECT) && st >= 200 && st < 300)
		return F_TUNNEL;
	if ((s->pflags & PF_HEAD) || st == 204 || st == 304)
		return F_NONE;
	return body_framing(f, s, m, len);
}

/* True when p[0..n) contains <word> (ASCII, any case). */
static bool has_nocase(const uint8_t *p, size_t n, const char *word)
{
	size_t w = strlen(word);

	for (size_t k = 0; k + w <= n; k++)
		if (eq_str_nocase(p + k, w, word))
			return true;
	return false;
}

/*
 * Content-Encoding: how many codings to decode.  A list element naming gzip or deflate in any
 * spelling ("x-gzip", "gzip x") is a layer; "identity" and empty elements are nothing; any
 * other coding is not decoded (flagged).  Repeated fields were joined in order, so the list
 * is in the order the codings were applied.
 */
static uint8_t content_coding(struct feed *f, const struct vp_http_slab *s)
{
	const struct field *ce = find_kind(s, K_CENC);
	size_t i = 0, off, len;
	unsigned count = 0;

	if (!ce)
		return 0;
	while (list_next(s->arena + ce->val_off, ce->val_len, &i, &off, &len)) {
		const uint8_t *p = s->arena + ce->val_off + off;

		while (len && (*p <= 0x20 || *p == 0x7f)) {	/* "\r gzip" */
			p++;
			len--;
		}
		while (len && (p[len - 1] <= 0x20 || p[len - 1] == 0x7f))
			len--;
		if (!len || eq_str_nocase(p, len, "identity"))
			continue;
		if (has_nocase(p, len, "gzip") || has_nocase(p, len, "deflate"))
			count++;
		else
			flag(f, VP_HTTP_ANOM_MULTI_ENCODING);
	}
	if (count > f->ctx->lim.decomp_layers) {
		flag(f, VP_HTTP_ANOM_MULTI_ENCODING);
		count = f->ctx->lim.decomp_layers;
	}
	return (uint8_t)count;
}

static void start_decoding(struct feed *f, struct vp_http_slab *s)
{
	uint8_t want = content_coding(f, s);

	if (!want || !f->ctx->ztotal)	/* no arenas: decoding is turned off */
		return;
	while (s->nz < want) {
		struct zarena *za = zarena_get(f->ctx);

		if (!za) {
			flag(f, VP_HTTP_ANOM_DECOMPRESS_NOMEM);
			f->ctx->st.inflate_nomem++;
			break;
		}
		s->zl[s->nz++] = za;
	}
	if (s->nz)
		s->zmode = ZM_RUN;
}

/* Sets the body state for framing <fr> (CL, chunked or close). */
static void enter_body(struct feed *f, uint8_t fr, uint64_t len)
{
	struct vp_http_half *h = f->h;

	h->flags = 0;
	h->aux = 0;
	h->chunk = 0;
	h->remain = len;
	h->state = fr == F_CL ? ST_BODY_CL : fr == F_CHUNKED ? ST_CHUNK_SIZE : ST_BODY_CLOSE;
	if (fr == F_TE_SNIFF) {
		h->state = ST_TE_SNIFF;
		h->flags = len ? HF_CL : 0;
	}
}

/* ---- message completion ---------------------------------------------------------------- */

static void push_pending(struct feed *f, uint64_t id, uint8_t pflags)
{
	struct vp_http_conn *c = f->c;

	if (terminal(c->resp.state))
		return;
	if (c->pend_count == VP_HTTP_PIPELINE) {
		flag(f, VP_HTTP_ANOM_PIPELINE_OVERFLOW);
		return;
	}
	c->pend_id[(c->pend_head + c->pend_count) % VP_HTTP_PIPELINE] = id;
	c->pend_flags[(c->pend_head + c->pend_count) % VP_HTTP_PIPELINE] = pflags;
	c->pend_count++;
}

static uint8_t method_flags(const struct vp_http_msg *m)
{
	if (m->method.len == 4 && !memcmp(m->method.ptr, "HEAD", 4))
		return PF_HEAD;
	if (m->method.len == 7 && !memcmp(m->method.ptr, "CONNECT", 7))
		return PF_CONNECT;
	return 0;
}

static bool method_is(const struct vp_http_msg *m, const char *name)
{
	size_t n = strlen(name);

	return m->method.len == n && !memcmp(m->method.ptr, name, n);
}

/* HTTP/0.9 simple request: no header block, no body. */
static void request09_done(struct feed *f, struct vp_http_slab *s)
{
	struct vp_http_msg *m = &s->tx.req;

	memcpy(s->arena, s->line, s->line_len);
	memcpy(s->arena + s->line_len, "\r\n", 2);
	m->start = slice(s->arena, s->line_len + 2);
	m->valid = m->body_done = true;
	f->ctx->st.requests++;
	s->pflags = PF_09 | method_flags(m);
	push_pending(f, s->tx.id, s->pflags);
	f->h->state = ST_IDLE;
	fire(f, VP_HTTP_EV_REQUEST_HEADERS);
	try_release_req(f->ctx, f->c);
}

static void request_headers_done(struct feed *f, struct vp_http_slab *s)
{
	struct vp_http_msg *m = &s->tx.req;
	uint64_t len = 0;
	uint8_t fr;

	build_headers(f, s, m);
	request_host(f, s, m);
	m->valid = true;
	f->ctx->st.requests++;
	s->pflags = method_flags(m);
	fr = body_framing(f, s, m, &len);
	if ((fr == F_CL || fr == F_CHUNKED) && (method_is(m, "GET") || method_is(m, "HEAD")))
		flag(f, VP_HTTP_ANOM_BODY_NOT_EXPECTED);
	push_pending(f, s->tx.id, s->pflags);
	if (s->pflags & PF_CONNECT) {
		m->body_done = true;
		f->h->state = ST_CONNECT_WAIT;
		f->h->flags = 0;
		fire(f, VP_HTTP_EV_REQUEST_HEADERS);
		return;
	}
	m->body_done = fr == F_NONE;
	if (fr == F_CL || fr == F_CHUNKED) {
		start_decoding(f, s);	/* gzip/deflate request body (Suricata >= 7.0.16) */
		enter_body(f, fr, len);
	}
	else
		f->h->state = ST_IDLE;
	fire(f, VP_HTTP_EV_REQUEST_HEADERS);
	if (fr == F_GIVEUP)
		giveup(f, 0);
	else if (fr == F_NONE)
		try_release_req(f->ctx, f->c);
}

/* The response tells which pending request it answers (in order). */
static void match_request(struct feed *f, struct vp_http_slab *s)
{
	struct vp_http_conn *c = f->c;

	if (c->pend_count) {
		s->tx.id = c->pend_id[c->pend_head];
		s->pflags = c->pend_flags[c->pend_head];
		s->matched = true;
		return;
	}
	flag(f, VP_HTTP_ANOM_RESP_WITHOUT_REQ);
	s->tx.id = c->next_id;
	s->matched = false;
}

/* The answer to a CONNECT was not 2xx: the request side goes on (unless data was skipped). */
static void connect_refused(struct feed *f)
{
	struct vp_http_half *rq = &f->c->req;

	if (rq->state != ST_CONNECT_WAIT)
		return;
	if (rq->flags & HF_EARLY) {
		rq->state = ST_GIVEUP;
		f->ctx->st.giveups++;
	} else {
		rq->state = ST_IDLE;
	}
}

static void response_headers_done(struct feed *f, struct vp_http_slab *s)
{
	struct vp_http_msg *m = &s->tx.resp;
	uint64_t len = 0;
	uint8_t fr;

	match_request(f, s);
	build_headers(f, s, m);
	m->valid = true;
	f->ctx->st.responses++;
	fr = response_framing(f, s, m, &len);
	if ((s->pflags & PF_CONNECT) && m->status >= 200 && fr != F_TUNNEL)
		connect_refused(f);
	if (fr == F_UPGRADE || fr == F_TUNNEL) {
		flag(f, fr == F_UPGRADE ? VP_HTTP_ANOM_UPGRADE : VP_HTTP_ANOM_TUNNEL);
		m->body_done = true;
		tunnel(f);
		fire(f, VP_HTTP_EV_RESPONSE_HEADERS);
		return;
	}
	m->body_done = fr == F_NONE || fr == F_INTERIM;
	if (fr == F_CL || fr == F_CHUNKED || fr == F_CLOSE || fr == F_TE_SNIFF) {
		start_decoding(f, s);
		enter_body(f, fr, len);
	}
	fire(f, VP_HTTP_EV_RESPONSE_HEADERS);
	if (fr == F_GIVEUP) {
		giveup(f, 0);
	} else if (fr == F_INTERIM) {
		slab_put(f->ctx, s);		/* the final response follows: nothing to pop */
		f->h->slab = NULL;
		f->h->state = ST_IDLE;
	} else if (fr == F_NONE) {
		msg_end(f, false);
	}
}

/* A response that does not start with "HTTP/": HTTP/0.9 style, all body until the close. */
static void response_without_status(struct feed *f, struct vp_http_slab *s)
{
	struct vp_http_msg *m = &s->tx.resp;
	uint32_t n = s->line_len;

	match_request(f, s);
	if (!(s->pflags & PF_09))
		flag(f, VP_HTTP_ANOM_RESP_NO_STATUS);
	m->valid = true;
	f->ctx->st.responses++;
	enter_body(f, F_CLOSE, 0);
	fire(f, VP_HTTP_EV_RESPONSE_HEADERS);
	s->line_len = 0;
	if (n)
		deliver(f, s->line, n);
}

static void headers_done(struct feed *f)
{
	struct vp_http_slab *s = f->h->slab;

	finish_pending(f, s);
	own_msg(f)->nheaders = (uint16_t)s->nfields;
	if (f->to_server)
		request_headers_done(f, s);
	else
		response_headers_done(f, s);
}

/* ---- state handlers: each consumes some bytes of d[0..len) and returns how many --------- */

static void start_message(struct feed *f)
{
	struct vp_http_half *h = f->h;
	struct vp_http_slab *s = f->to_server ? h->slab : NULL;

	if (!s)
		s = slab_get(f->ctx, f->to_server);
	if (!s) {
		memcap(f);
		return;
	}
	slab_reset(s);
	h->slab = s;
	h->state = ST_LINE;
	h->flags = 0;
	if (f->to_server)
		s->tx.id = f->c->next_id++;
}

static size_t on_idle(struct feed *f, const uint8_t *d, size_t len)
{
	size_t i = 0;

	while (i < len && (d[i] == '\r' || d[i] == '\n'))
		i++;
	if (i < len)
		start_message(f);
	return i;
}

/* Response: does the status line still start like "HTTP/" (in any case, as clients take it)? */
static bool status_prefix_ok(const struct vp_http_slab *s, const uint8_t *d, size_t len)
{
	for (size_t i = 0; i < len && s->line_len + i < 5; i++)
		if (lower(d[i]) != "http/"[s->line_len + i])
			return false;
	return true;
}

/* Do the 5 bytes at p read "HTTP/" in any case? */
static bool status_prefix_ok_at(const uint8_t *p)
{
	for (size_t i = 0; i < 5; i++)
		if (lower(p[i]) != "http/"[i])
			return false;
	return true;
}

static void line_done(struct feed *f, struct vp_http_slab *s)
{
	struct vp_http_msg *m = own_msg(f);

	if (s->line_len && s->line[s->line_len - 1] == '\r')
		s->line_len--;
	else
		flag(f, VP_HTTP_ANOM_BARE_LF);
	if (s->line_len > f->ctx->lim.max_line) {
		giveup(f, VP_HTTP_ANOM_LINE_TOO_LONG);
		return;
	}
	scan_bytes(f, s->line, s->line_len, false);
	m->line = slice(s->line, s->line_len);
	m->line_valid = true;
	f->h->state = ST_HEADERS;
	if (!f->to_server)
		parse_status_line(f, m, s->line, s->line_len);
	else if (!parse_request_line(f, m, s->line, s->line_len))
		request09_done(f, s);
}

/* Is the answered request an HTTP/0.9 one (its response has no status line)? */
static bool answers_09(const struct feed *f)
{
	const struct vp_http_conn *c = f->c;

	return c->pend_count && (c->pend_flags[c->pend_head] & PF_09);
}

/*
 * Response bytes before "HTTP/" (" HTTP/1.1", "foobar\r\nHTTP/1.1"): Firefox skips them, so
 * up to JUNK_MAX bytes are read one at a time; the status line starts where "HTTP/" ends
 * the buffer.  Without one the message is status-less and all bytes so far are its body.
 */
static size_t on_junk(struct feed *f, struct vp_http_slab *s, const uint8_t *d)
{
	uint32_t cap = min_u32(JUNK_MAX, f->ctx->lim.max_line);

	if (s->line_len >= cap) {
		f->h->flags &= (uint8_t)~HF_JUNK;
		response_without_status(f, s);
		return 0;
	}
	s->line[s->line_len++] = d[0];
	if (s->line_len > 5 && status_prefix_ok_at(s->line + s->line_len - 5)) {
		flag(f, VP_HTTP_ANOM_LINE_WHITESPACE);
		memmove(s->line, s->line + s->line_len - 5, 5);
		s->line_len = 5;
		f->h->flags &= (uint8_t)~HF_JUNK;
	}
	return 1;
}

static size_t on_line(struct feed *f, const uint8_t *d, size_t len)
{
	struct vp_http_slab *s = f->h->slab;
	const uint8_t *lf;
	size_t n;

	if (f->h->flags & HF_JUNK)
		return on_junk(f, s, d);
	if (!f->to_server && s->line_len < 5 && !status_prefix_ok(s, d, len)) {
		if (answers_09(f)) {
			response_without_status(f, s);
			return 0;
		}
		f->h->flags |= HF_JUNK;
		return 0;
	}
	lf = memchr(d, '\n', len);
	n = lf ? (size_t)(lf - d) : len;
	if (n > (size_t)f->ctx->lim.max_line + 1 - s->line_len) {
		giveup(f, VP_HTTP_ANOM_LINE_TOO_LONG);
		return len;
	}
	memcpy(s->line + s->line_len, d, n);
	s->line_len += (uint32_t)n;
	if (!lf)
		return len;
	line_done(f, s);
	return n + 1;
}

/* True when p[0..n) holds only SP, HTAB and CR. */
static bool blank_line(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_ws(p[i]) && p[i] != '\r')
			return false;
	return true;
}

/* Does the line p[0..n) go on the header block: a fold, or "token [ws] :"? */
static bool field_like(const uint8_t *p, size_t n)
{
	size_t i = 0;

	if (n && is_ws(p[0]))
		return true;
	while (i < n && is_tchar(p[i]))
		i++;
	while (i > 0 && i < n && is_ws(p[i]))
		i++;
	return i > 0 && i < n && p[i] == ':';
}

/*
 * Response: a whitespace-only line ("\n \n", "\n\r\r\n") followed by a line that is no
 * field: some clients ended the header block at the blank line, so the block ends there
 * and raw[at..raw_len) is read again as the start of the body.
 */
static size_t step(struct feed *f, const uint8_t *d, size_t len);

static void end_at_blank(struct feed *f, struct vp_http_slab *s, uint32_t at)
{
	uint32_t n = s->raw_len, pos = at;
	struct vp_http_half *h = f->h;

	flag(f, VP_HTTP_ANOM_INVALID_FOLD);
	s->raw_len = s->blank_at;
	s->blank_at = NO_FIELD;
	headers_done(f);
	while (pos < n && !f->stopped && h->slab == s && h->state >= ST_BODY_CL &&
	       h->state <= ST_TE_SNIFF)
		pos += (uint32_t)step(f, s->raw + pos, n - pos);
}

/* One complete physical line raw[start..end) (end after its LF) of the header block. */
static void header_line(struct feed *f, struct vp_http_slab *s, uint32_t start, uint32_t end)
{
	uint32_t cend = end - 1;

	if (cend > start && s->raw[cend - 1] == '\r')
		cend--;
	else
		flag(f, VP_HTTP_ANOM_BARE_LF);
	if (cend == start) {
		headers_done(f);
		return;
	}
	if (s->blank_at != NO_FIELD) {
		if (!field_like(s->raw + start, cend - start)) {
			end_at_blank(f, s, start);
			return;
		}
		s->blank_at = NO_FIELD;
	}
	if (!f->to_server && s->nfields && blank_line(s->raw + start, cend - start)) {
		flag(f, VP_HTTP_ANOM_OBS_FOLD);
		s->blank_at = start;	/* decided by the next line; kept in header_raw only */
		return;
	}
	if (is_ws(s->raw[start]) && s->pend != NO_FIELD) {
		s->fields[s->pend].end = cend;
		flag(f, VP_HTTP_ANOM_OBS_FOLD);
		return;
	}
	finish_pending(f, s);
	if (s->nfields == f->ctx->lim.max_headers) {
		giveup(f, VP_HTTP_ANOM_TOO_MANY_HEADERS);
		return;
	}
	memset(&s->fields[s->nfields], 0, sizeof(s->fields[0]));
	s->fields[s->nfields].start = start;
	s->fields[s->nfields].end = cend;
	if (is_ws(s->raw[start])) {
		/* RFC 9112 2.2: whitespace before the first field: consumed, not processed */
		flag(f, VP_HTTP_ANOM_INVALID_FOLD);
		s->fields[s->nfields].ignore = true;	/* kept in header_raw only */
		scan_bytes(f, s->raw + start, cend - start, true);
	} else {
		s->pend = s->nfields;
	}
	s->nfields++;
}

static size_t on_headers(struct feed *f, const uint8_t *d, size_t len)
{
	struct vp_http_slab *s = f->h->slab;
	const uint8_t *lf = memchr(d, '\n', len);
	size_t n = lf ? (size_t)(lf - d) + 1 : len;
	uint32_t start;

	if (n > (size_t)f->ctx->lim.max_header_block - s->raw_len) {
		giveup(f, VP_HTTP_ANOM_HEADER_TOO_LONG);
		return len;
	}
	memcpy(s->raw + s->raw_len, d, n);
	s->raw_len += (uint32_t)n;
	if (lf) {
		start = s->line_start;
		s->line_start = s->raw_len;
		header_line(f, s, start, s->raw_len);
	}
	return n;
}

static size_t on_body_cl(struct feed *f, const uint8_t *d, size_t len)
{
	size_t n = len < f->h->remain ? len : (size_t)f->h->remain;

	deliver(f, d, n);
	f->h->remain -= n;
	if (!f->h->remain)
		msg_end(f, true);
	return n;
}

static size_t on_body_close(struct feed *f, const uint8_t *d, size_t len)
{
	deliver(f, d, len);
	return len;
}

/* Response with Transfer-Encoding: a chunk line starts with a hex digit or line junk. */
static size_t on_te_sniff(struct feed *f, const uint8_t *d, size_t len)
{
	struct vp_http_half *h = f->h;
	uint8_t c = d[0];

	if (hexval(c) >= 0 || is_ws(c) || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
		h->state = ST_CHUNK_SIZE;
		h->flags = 0;
		h->remain = 0;
		return 0;
	}
	flag(f, VP_HTTP_ANOM_INVALID_CHUNK);
	h->state = (h->flags & HF_CL) ? ST_BODY_CL : ST_BODY_CLOSE;
	h->flags = 0;
	return 0;
}

/* End of a chunk-size line: data follows, or the trailer section after the last chunk. */
static void chunk_line_end(struct feed *f)
{
	struct vp_http_half *h = f->h;

	h->remain = h->chunk;
	h->state = h->chunk ? ST_CHUNK_DATA : ST_TRAILER;
	if (!h->chunk)
		h->remain = 0;	/* trailer bytes */
	h->chunk = 0;
	h->aux = 0;
	h->flags = 0;
}

/*
 * Response chunk line, read the way clients (and libhtp) read it: line endings, SP, HTAB, VT and
 * FF before the size are skipped, and whatever follows the hex digits up to the LF is ignored
 * as if it were an extension.  Returns true when it consumed <c>.
 */
static bool chunk_size_lenient(struct feed *f, uint8_t c)
{
	struct vp_http_half *h = f->h;

	if (f->to_server)
		return false;
	if (!(h->flags & HF_DIGITS)) {
		if (!is_ws(c) && c != '\r' && c != '\n' && c != '\v' && c != '\f')
			return false;
		flag(f, VP_HTTP_ANOM_CHUNK_WS);
		return true;
	}
	if (hexval(c) >= 0 ? !(h->flags & HF_SIZE_END) :
	    is_ws(c) || c == '\r' || c == '\n' || c == ';')
		return false;
	flag(f, VP_HTTP_ANOM_CHUNK_EXT);
	h->state = ST_CHUNK_EXT;
	return true;
}

/* chunk-size: 1*HEXDIG, then [ BWS ";" ext ] CRLF.  Whitespace is accepted but flagged. */
static size_t on_chunk_size(struct feed *f, const uint8_t *d, size_t len)
{
	struct vp_http_half *h = f->h;

	for (size_t i = 0; i < len; i++) {
		int x = hexval(d[i]);

		if (++h->aux > f->ctx->lim.max_line)
			goto bad;
		if (chunk_size_lenient(f, d[i])) {
			if (h->state == ST_CHUNK_EXT)
				return i + 1;
			continue;
		}
		if (x >= 0) {
			if ((h->flags & HF_SIZE_END) || h->chunk > (MAX_CHUNK >> 4))
				goto bad;
			h->chunk = h->chunk * 16 + (uint64_t)x;
			h->flags |= HF_DIGITS;
			continue;
		}
		if (is_ws(d[i])) {
			flag(f, VP_HTTP_ANOM_CHUNK_WS);
			if (h->flags & HF_DIGITS)
				h->flags |= HF_SIZE_END;
			continue;
		}
		if (!(h->flags & HF_DIGITS))
			goto bad;
		if (d[i] == ';') {
			flag(f, VP_HTTP_ANOM_CHUNK_EXT);
			h->state = ST_CHUNK_EXT;
		} else if (d[i] == '\r') {
			h->state = ST_CHUNK_LF;
		} else if (d[i] == '\n') {
			flag(f, VP_HTTP_ANOM_BARE_LF);
			chunk_line_end(f);
		} else {
			goto bad;
		}
		return i + 1;
	}
	return len;
bad:
	giveup(f, VP_HTTP_ANOM_INVALID_CHUNK);
	return len;
}

static size_t on_chunk_ext(struct feed *f, const uint8_t *d, size_t len)
{
	struct vp_http_half *h = f->h;

	for (size_t i = 0; i < len; i++) {
		if (++h->aux > f->ctx->lim.max_line) {
			giveup(f, VP_HTTP_ANOM_INVALID_CHUNK);
			return len;
		}
		if (d[i] == '\r' && !f->to_server)
			continue;	/* response: only the LF ends the line */
		if (d[i] == '\r') {
			h->state = ST_CHUNK_LF;
			return i + 1;
		}
		if (d[i] == '\n') {
			if (f->to_server)
				flag(f, VP_HTTP_ANOM_BARE_LF);
			chunk_line_end(f);
			return i + 1;
		}
	}
	return len;
}

/* One byte: LF after the CR of a chunk line, or CRLF / LF after chunk data. */
static size_t on_chunk_eol(struct feed *f, const uint8_t *d, size_t len)
{
	struct vp_http_half *h = f->h;
	uint8_t c = d[0];

	(void)len;
	if (h->state == ST_CHUNK_LF && c == '\n') {
		chunk_line_end(f);
	} else if (h->state == ST_CHUNK_LF && !f->to_server) {
		flag(f, VP_HTTP_ANOM_CHUNK_EXT);	/* "1a\r\r\n": junk up to the LF */
		h->state = ST_CHUNK_EXT;
	} else if (h->state == ST_CHUNK_DATA_CR && c == '\r') {
		h->state = ST_CHUNK_DATA_LF;
	} else if ((h->state == ST_CHUNK_DATA_CR || h->state == ST_CHUNK_DATA_LF) && c == '\n') {
		if (h->state == ST_CHUNK_DATA_CR)
			flag(f, VP_HTTP_ANOM_BARE_LF);
		h->state = ST_CHUNK_SIZE;
		h->aux = 0;
		h->flags = 0;
		h->chunk = 0;
	} else {
		giveup(f, VP_HTTP_ANOM_INVALID_CHUNK);
	}
	return 1;
}

static size_t on_chunk_data(struct feed *f, const uint8_t *d, size_t len)
{
	size_t n = len < f->h->remain ? len : (size_t)f->h->remain;

	deliver(f, d, n);
	f->h->remain -= n;
	if (!f->h->remain)
		f->h->state = ST_CHUNK_DATA_CR;
	return n;
}

/* Trailer fields after the last chunk: checked and skipped (not part of any buffer). */
static size_t on_trailer(struct feed *f, const uint8_t *d, size_t len)
{
	struct vp_http_half *h = f->h;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = d[i];

		if (++h->remain > f->ctx->lim.max_header_block) {
			giveup(f, VP_HTTP_ANOM_HEADER_TOO_LONG);
			return len;
		}
		if (c == '\n') {
			if (!(h->flags & HF_LAST_CR))
				flag(f, VP_HTTP_ANOM_BARE_LF);
			if (!h->aux) {
				msg_end(f, true);
				return i + 1;
			}
			if (++h->chunk >= f->ctx->lim.max_headers) {
				giveup(f, VP_HTTP_ANOM_TOO_MANY_HEADERS);
				return len;
			}
			h->aux = 0;
			h->flags = 0;
			continue;
		}
		if (h->flags & HF_LAST_CR)
			h->aux++;	/* the previous CR was not a line end */
		if (c == '\r') {
			h->flags |= HF_LAST_CR;
			continue;
		}
		h->flags &= ~HF_LAST_CR;
		h->aux++;
		if (!c)
			flag(f, VP_HTTP_ANOM_NUL);
	}
	return len;
}

static size_t on_connect_wait(struct feed *f, const uint8_t *d, size_t len)
{
	(void)d;
	if (f->h->slab)
		flag(f, VP_HTTP_ANOM_CONNECT_EARLY_DATA);
	f->h->flags |= HF_EARLY;
	return len;
}

static size_t step(struct feed *f, const uint8_t *d, size_t len)
{
	switch (f->h->state) {
	case ST_IDLE: return on_idle(f, d, len);
	case ST_LINE: return on_line(f, d, len);
	case ST_HEADERS: return on_headers(f, d, len);
	case ST_BODY_CL: return on_body_cl(f, d, len);
	case ST_CHUNK_SIZE: return on_chunk_size(f, d, len);
	case ST_CHUNK_EXT: return on_chunk_ext(f, d, len);
	case ST_CHUNK_LF:
	case ST_CHUNK_DATA_CR:
	case ST_CHUNK_DATA_LF: return on_chunk_eol(f, d, len);
	case ST_CHUNK_DATA: return on_chunk_data(f, d, len);
	case ST_TRAILER: return on_trailer(f, d, len);
	case ST_BODY_CLOSE: return on_body_close(f, d, len);
	case ST_TE_SNIFF: return on_te_sniff(f, d, len);
	case ST_CONNECT_WAIT: return on_connect_wait(f, d, len);
	default: return len;
	}
}

/* ---- entry points -------------------------------------------------------------------- */

static int result(const struct feed *f)
{
	switch (f->h->state) {
	case ST_STOPPED: return VP_HTTP_STOPPED;
	case ST_MEMCAP: return VP_HTTP_MEMCAP;
	case ST_GIVEUP:
	case ST_EOF: return VP_HTTP_GIVEUP;
	case ST_TUNNEL: return VP_HTTP_TUNNEL;
	default: return f->anom ? VP_HTTP_ANOMALY : VP_HTTP_OK;
	}
}

static void feed_init(struct feed *f, struct vp_http_ctx *ctx, struct vp_http_conn *c,
		      bool to_server, vp_http_event_fn cb, void *cbctx)
{
	memset(f, 0, sizeof(*f));
	f->ctx = ctx;
	f->c = c;
	f->h = to_server ? &c->req : &c->resp;
	f->to_server = to_server;
	f->cb = cb;
	f->cbctx = cbctx;
}

int vp_http_feed(struct vp_http_ctx *ctx, struct vp_http_conn *c, bool to_server,
		 const uint8_t *data, size_t len, vp_http_event_fn cb, void *cbctx)
{
	struct feed f;
	size_t pos = 0;

	feed_init(&f, ctx, c, to_server, cb, cbctx);
	if (!data)
		len = 0;
	if (to_server)
		ctx->st.bytes_toserver += len;
	else
		ctx->st.bytes_toclient += len;
	if (terminal(f.h->state))
		return result(&f);
	while (pos < len && !f.stopped && !terminal(f.h->state))
		pos += step(&f, data + pos, len - pos);
	if (!f.stopped && !terminal(f.h->state))
		body_flush(&f, false);
	if (f.stopped)
		f.h->state = ST_STOPPED;
	settle(ctx, c);
	return result(&f);
}

/*
 * The server closed inside its header block, after a whole line: the block ends there, as
 * libhtp and clients read it, and the (empty) body with it.
 */
static void close_headers(struct feed *f)
{
	headers_done(f);
	if (!f->stopped && !terminal(f->h->state) && f->h->state != ST_IDLE)
		msg_end(f, true);
}

int vp_http_eof(struct vp_http_ctx *ctx, struct vp_http_conn *c, bool to_server,
		vp_http_event_fn cb, void *cbctx)
{
	struct feed f;

	feed_init(&f, ctx, c, to_server, cb, cbctx);
	if (terminal(f.h->state))
		return result(&f);
	if (f.h->state == ST_HEADERS && f.h->slab->blank_at != NO_FIELD &&
	    f.h->slab->line_start < f.h->slab->raw_len &&
	    !field_like(f.h->slab->raw + f.h->slab->line_start,
			f.h->slab->raw_len - f.h->slab->line_start))
		end_at_blank(&f, f.h->slab, f.h->slab->line_start);
	switch (f.h->state) {
	case ST_LINE:
		if (f.h->flags & HF_JUNK) {	/* no status line came: a status-less body */
			f.h->flags &= (uint8_t)~HF_JUNK;
			response_without_status(&f, f.h->slab);
			msg_end(&f, true);
			break;
		}
		/* fall through */
	case ST_HEADERS:
		flag(&f, VP_HTTP_ANOM_TRUNCATED);
		if (!to_server && f.h->slab->line_start == f.h->slab->raw_len) {
			close_headers(&f);
			break;
		}
		fire(&f, VP_HTTP_EV_INCOMPLETE);
		break;
	case ST_IDLE:
	case ST_CONNECT_WAIT:
		break;
	case ST_BODY_CLOSE:
		msg_end(&f, true);
		break;
	default:
		flag(&f, VP_HTTP_ANOM_TRUNCATED);
		msg_end(&f, true);
		break;
	}
	f.h->state = f.stopped ? ST_STOPPED : ST_EOF;
	settle(ctx, c);
	if (f.h->state == ST_EOF)
		return f.anom ? VP_HTTP_ANOMALY : VP_HTTP_OK;
	return result(&f);
}

int vp_http_unanswered(struct vp_http_ctx *ctx, struct vp_http_conn *c, vp_http_event_fn cb,
		       void *cbctx)
{
	const struct vp_http_slab *rq = c->req.slab;
	struct vp_http_tx tx;
	bool stopped = false;

	if (!terminal(c->resp.state))
		return VP_HTTP_OK;
	while (c->pend_count) {
		memset(&tx, 0, sizeof(tx));
		tx.id = c->pend_id[c->pend_head];
		if (rq && rq->tx.id == tx.id && rq->tx.req.line_valid) {
			tx.req = rq->tx.req;
			tx.req.body = slice(rq->body, rq->body_len);
			tx.req.body_new = rq->body_len;
		}
		pop_pending(c, tx.id);
		if (!stopped && cb && cb(cbctx, VP_HTTP_EV_UNANSWERED, &tx))
			stopped = true;
	}
	try_release_req(ctx, c);
	return stopped ? VP_HTTP_STOPPED : VP_HTTP_OK;
}

/* Skips a hole of <len> bytes inside a body; false when the framing cannot stay in sync. */
static bool gap_in_body(struct feed *f, uint64_t len)
{
	struct vp_http_half *h = f->h;
	struct vp_http_slab *s = h->slab;

	if (h->state != ST_BODY_CLOSE && h->state != ST_BODY_CL && h->state != ST_CHUNK_DATA)
		return false;
	if (h->state != ST_BODY_CLOSE && len > h->remain)
		return false;
	flag(f, VP_HTTP_ANOM_GAP);
	s->body_frozen = true;
	zstop(f->ctx, s);
	own_msg(f)->body_seen += len;
	if (h->state == ST_BODY_CLOSE)
		return true;
	h->remain -= len;
	if (!h->remain && h->state == ST_CHUNK_DATA)
		h->state = ST_CHUNK_DATA_CR;
	else if (!h->remain)
		msg_end(f, true);
	return true;
}

int vp_http_gap(struct vp_http_ctx *ctx, struct vp_http_conn *c, bool to_server, uint64_t len,
		vp_http_event_fn cb, void *cbctx)
{
	struct feed f;

	feed_init(&f, ctx, c, to_server, cb, cbctx);
	if (terminal(f.h->state) || !len)
		return result(&f);
	if (f.h->state == ST_CONNECT_WAIT)
		f.h->flags |= HF_EARLY;
	else if (f.h->state == ST_IDLE)
		giveup_idle(&f, VP_HTTP_ANOM_GAP);
	else if (!gap_in_body(&f, len))
		giveup(&f, VP_HTTP_ANOM_GAP);
	if (!f.stopped && !terminal(f.h->state))
		body_flush(&f, false);
	if (f.stopped)
		f.h->state = ST_STOPPED;
	settle(ctx, c);
	return result(&f);
}

static const char *const anomaly_names[VP_HTTP_ANOM_COUNT] = {
	"line_too_long", "invalid_method", "http09", "invalid_protocol", "unknown_version",
	"line_whitespace", "uri_space", "invalid_status", "resp_no_status", "bare_lf", "bare_cr",
	"nul", "header_too_long", "too_many_headers", "ws_before_colon", "invalid_header_name",
	"no_colon", "invalid_header_value", "obs_fold", "invalid_fold", "repeated_header",
	"cl_and_te", "multiple_cl", "dup_cl", "invalid_cl", "te_not_chunked_last",
	"te_chunked_twice", "te_http10", "invalid_chunk", "chunk_ext", "chunk_ws",
	"body_not_expected", "missing_host", "multiple_host", "host_mismatch", "invalid_host",
	"truncated", "resp_without_req", "pipeline_overflow", "tunnel", "upgrade",
	"connect_early_data", "memcap", "decompress_error", "decompress_bomb", "decompress_nomem",
	"multi_encoding", "gap",
};

const char *vp_http_anomaly_name(uint64_t bit)
{
	if (!bit || (bit & (bit - 1)) || !(bit & VP_HTTP_ANOM_ALL))
		return "unknown";
	return anomaly_names[__builtin_ctzll(bit)];
}
