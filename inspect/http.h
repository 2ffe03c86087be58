/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Incremental HTTP/1.x parser (RFC 9110, RFC 9112) for inline inspection.
 *
 * The TCP reassembly stage hands over, per direction of a connection, the in-order stream bytes
 * in chunks of any size (1 byte .. 64 KiB).  vp_http_feed() consumes every byte of every chunk it
 * is given and calls the engine back at each point where detection should run, with a view of
 * the transaction's sticky buffers (struct vp_slice, as Suricata names them).
 *
 * Pure: no I/O, no global state, no allocation after vp_http_ctx_new().  Every buffer lives in a
 * per-worker pool allocated once (its size is the memcap): a direction of a connection takes a
 * slab from the pool when a message starts and gives it back when the message (and, for a
 * request, its response) is done, so idle keep-alive connections hold no buffer.  When the pool
 * is empty the direction is not parsed any more and the caller is told (VP_HTTP_MEMCAP), so it
 * can apply its memcap policy.  zlib's inflate states come from a second bounded pool
 * (vp_http_limits.max_inflate arenas) through custom zalloc/zfree; a response whose body cannot
 * get one is inspected compressed and flagged.
 *
 * Content codings (RFC 9110 8.4): every Content-Encoding element naming gzip or deflate (in any
 * spelling: "x-gzip", "gzip x"; repeated fields count in order) is a layer, up to
 * decomp_layers, decoded outermost first, each with its own arena.  Like browsers, a layer
 * tells the format from its bytes, not from the label: gzip (header parsed leniently: reserved
 * flags, CRC and ISIZE are not checked), zlib, or raw deflate.  A layer that cannot decode its
 * input flags DECOMPRESS_ERROR and passes its bytes on as they are (its first 4 KiB, kept for
 * that), so a body labelled with a coding it does not have is still inspected.  A response
 * body starting with the gzip magic (1f 8b) but with no usable Content-Encoding gets one layer
 * too (browsers sniff); any other first bytes pass unchanged and unflagged.
 *
 * Sticky buffers (Suricata semantics; "value" = the field value with obs-folds unfolded (line
 * endings removed, the continuation's whitespace kept) and leading/trailing SP/HTAB trimmed;
 * repeated fields are joined with ", " in the order seen, under the first one's name):
 *
 *   buffer (keyword)      field of vp_http_msg   content
 *   http.method           req.method             request method as sent
 *   http.uri.raw          req.uri_raw            request target as sent (http.uri: normalise
 *                                                this with vp_uri_normalize(), normalize/uri.h)
 *   http.protocol         protocol               "HTTP/1.1" as sent (empty for HTTP/0.9)
 *   http.request_line     req.line               request line without its line ending
 *   http.response_line    resp.line              status line without its line ending
 *   http.stat_code        resp.stat_code         status code as sent ("200")
 *   http.stat_msg         resp.stat_msg          reason phrase (may be empty)
 *   http.header           header                 "Name: value\r\n" per distinct field name
 *                                                (first spelling), except Cookie in requests and
 *                                                Set-Cookie in responses
 *   http.header.raw       header_raw             the header block as sent, from the byte after
 *                                                the start line's LF through the empty line
 *   http.header_names     header_names           "\r\n" Name "\r\n" ... "\r\n" (empty if none)
 *   http.start            start                  line "\r\n" + every "Name: value\r\n" (cookies
 *                                                included) + "\r\n" when there is a field
 *   http.host             req.host               lower-cased, port and trailing dots removed,
 *                                                from the absolute-form target if any, else
 *                                                from Host (repeats joined ", ")
 *   http.host.raw         req.host_raw           as sent, same source
 *   http.user_agent, http.referer, http.accept, http.accept_enc, http.accept_lang,
 *   http.connection       the field's value (both ways)
 *   http.cookie           cookie                 Cookie (request) / Set-Cookie (response) value
 *   http.content_type, http.content_len          Content-Type / Content-Length value (both ways)
 *   http.server, http.location                   resp.server / resp.location values
 *   http.request_body     req.body               de-chunked, gzip/deflate-decoded body (same
 *                                                codings and limits as below), first
 *                                                req_body_depth bytes
 *   http.response_body,   resp.body              de-chunked, gzip/deflate-decoded body, first
 *   file.data                                    resp_body_depth bytes
 *
 * A field that is absent is an empty slice (ptr NULL, len 0); a field that is present with an
 * empty value has a non-NULL ptr and len 0 (rules such as bsize:0 tell them apart).  Bytes are never NUL-terminated
 * and may contain NUL.
 *
 * Which buffers are valid at each callback (all slices are valid only during the callback):
 *
 *   VP_HTTP_EV_REQUEST_HEADERS  tx->req: every start-line and header buffer (req.valid); body
 *                               empty; req.body_done when the request has no body.
 *   VP_HTTP_EV_REQUEST_BODY     as above plus req.body (everything kept so far, up to the depth);
 *                               req.body_new = offset where this callback's new bytes start;
 *                               req.body_done on the last one (sent once at the end of the
 *                               body, also when the body went past the depth).
 *   VP_HTTP_EV_RESPONSE_HEADERS tx->resp: every start-line and header buffer (resp.valid).  1xx
 *                               interim responses are reported too (resp.status < 200; the final
 *                               response of the same transaction follows).  tx->req is the
 *                               matching request when this connection still holds it
 *                               (tx->req.valid; it is dropped once the next request starts
 *                               arriving on a pipelined connection).
 *   VP_HTTP_EV_RESPONSE_BODY    as above plus resp.body / body_new / body_done.
 *   VP_HTTP_EV_GIVEUP           the direction stops being parsed (a limit, an unrecoverable
 *                               framing error, a gap; tx is NULL when no message was in
 *                               progress: no memory, or a gap between messages).  tx->req or
 *                               tx->resp has what was parsed: line_valid / valid say which.
 *   VP_HTTP_EV_INCOMPLETE       vp_http_eof() inside a start line or header block: the same view
 *                               as GIVEUP, with VP_HTTP_ANOM_TRUNCATED.
 *   VP_HTTP_EV_UNANSWERED       vp_http_unanswered() only (never from feed/eof/gap): once per
 *                               request still without a final response (none came, only 1xx,
 *                               or it was cut short in its header block), oldest id first.
 *                               tx->req as at REQUEST_BODY (body_new = body.len) when this
 *                               connection still holds the request (tx->req.line_valid; an
 *                               earlier pipelined request shows only tx->id); tx->resp empty.
 *
 * Requests are framed strictly (RFC 9112 6.3: smuggling).  Responses are framed the way clients
 * manage to read them, so that what a client may take as body is inspected as body (HTTP
 * Evader): (a) an invalid or conflicting Content-Length reads the body until close; (b) with
 * Transfer-Encoding in any form (chunked not last, "chunkedx", HTTP/1.0) the first body byte
 * decides: a hex digit or line junk starts chunks, anything else (flagged INVALID_CHUNK) is a
 * body framed by Content-Length or read until close; chunk lines are read leniently (line
 * endings and SP/HTAB/VT/FF before the size skipped, bytes after its digits ignored as an
 * extension, flagged CHUNK_WS / CHUNK_EXT); (c) a response field name with control bytes,
 * whitespace or a fold inside ("Transfer\0-Encoding", "Content-Encoding\r\n :") counts as
 * Transfer-Encoding or Content-Encoding when it reads so with those bytes dropped (never as
 * Content-Length); (d) a whitespace-only line (SP/HTAB/CR) after a field is decided by the next
 * line: a field, a fold or the empty line go on as usual (flagged OBS_FOLD), anything else
 * means the header block ended at the blank line and that line starts the body (flagged
 * INVALID_FOLD too).
 *
 * Up to 64 bytes of junk before "HTTP/" in a response (" HTTP/1.1", "foobar\r\nHTTP/1.1") are
 * skipped as Firefox does (flagged LINE_WHITESPACE).  A response that does not start with
 * "HTTP/" within them, or answers an HTTP/0.9 request (an HTTP/0.9 answer, or garbage) is
 * reported as RESPONSE_HEADERS with empty start-line and header buffers (flagged
 * RESP_NO_STATUS unless the request was HTTP/0.9), then everything up to the end of the stream
 * is its body, junk included.
 *
 * Transaction ids count requests from 0 on each connection; a response carries the id of the
 * request it answers (responses are matched to requests in order).
 *
 * Integration: one context per worker; a struct vp_http_conn in each inspected TCP flow's state
 * (vp_http_conn_init() when the flow is created, vp_http_conn_release() when it goes); feed
 * only the new bytes of each reassembly delivery (not the window bytes before them), call
 * vp_http_gap() for a reassembly gap and vp_http_eof() when a direction ends; run detection in
 * the callback.  http.uri is vp_uri_normalize(req.uri_raw) into a per-worker buffer of
 * vp_http_ctx_limits()->max_line bytes (the canonical form is never longer).  MEMCAP and
 * GIVEUP map to the exception policies; TUNNEL means nothing more is HTTP (a bypass candidate).
 *
 * Threads: a context belongs to one worker; a connection to the worker of its flow.  Nothing
 * here locks.
 */
#ifndef VP_INSPECT_HTTP_H
#define VP_INSPECT_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inspect/packet.h"

/*
 * Anomalies, a bit each in vp_http_msg.anomalies (the message that showed them) and counted in
 * vp_http_stats.anomalies[bit index].  "give-up" ones also stop the direction (VP_HTTP_GIVEUP).
 */
enum vp_http_anomaly {
	/* start line */
	VP_HTTP_ANOM_LINE_TOO_LONG = 1ull << 0,		/* start line > max_line: give-up */
	VP_HTTP_ANOM_INVALID_METHOD = 1ull << 1,	/* method not an RFC 9110 token */
	VP_HTTP_ANOM_HTTP09 = 1ull << 2,		/* "GET /" simple request, no version */
	VP_HTTP_ANOM_INVALID_PROTOCOL = 1ull << 3,	/* version not "HTTP/" DIGIT "." DIGIT */
	VP_HTTP_ANOM_UNKNOWN_VERSION = 1ull << 4,	/* well-formed but not 1.0 / 1.1 */
	VP_HTTP_ANOM_LINE_WHITESPACE = 1ull << 5,	/* leading, repeated or non-SP separators;
							 * response: junk before "HTTP/" */
	VP_HTTP_ANOM_URI_SPACE = 1ull << 6,		/* whitespace inside the request target */
	VP_HTTP_ANOM_INVALID_STATUS = 1ull << 7,	/* status code not 3 digits */
	VP_HTTP_ANOM_RESP_NO_STATUS = 1ull << 8,	/* response without status line (0.9-style) */
	/* line endings and bytes */
	VP_HTTP_ANOM_BARE_LF = 1ull << 9,		/* line ended by LF alone (accepted) */
	VP_HTTP_ANOM_BARE_CR = 1ull << 10,		/* CR not followed by LF inside a line */
	VP_HTTP_ANOM_NUL = 1ull << 11,			/* NUL byte in the start line or a field */
	/* header fields */
	VP_HTTP_ANOM_HEADER_TOO_LONG = 1ull << 12,	/* header block > max_header_block: give-up */
	VP_HTTP_ANOM_TOO_MANY_HEADERS = 1ull << 13,	/* more than max_headers lines: give-up */
	VP_HTTP_ANOM_WS_BEFORE_COLON = 1ull << 14,	/* "Name :" (RFC 9112 5.1: must reject) */
	VP_HTTP_ANOM_INVALID_HEADER_NAME = 1ull << 15,	/* name empty or not a token */
	VP_HTTP_ANOM_NO_COLON = 1ull << 16,		/* field line without ':' */
	VP_HTTP_ANOM_INVALID_HEADER_VALUE = 1ull << 17,	/* control byte (not HTAB/NUL) in a value */
	VP_HTTP_ANOM_OBS_FOLD = 1ull << 18,		/* obsolete line folding (unfolded) */
	VP_HTTP_ANOM_INVALID_FOLD = 1ull << 19,		/* whitespace line before the first field,
							 * or ending a response's block */
	VP_HTTP_ANOM_REPEATED_HEADER = 1ull << 20,	/* a field name seen more than once */
	/* framing (RFC 9112 6.3, 11.2) */
	VP_HTTP_ANOM_CL_AND_TE = 1ull << 21,		/* Content-Length with Transfer-Encoding */
	VP_HTTP_ANOM_MULTIPLE_CL = 1ull << 22,		/* differing Content-Length values (a) */
	VP_HTTP_ANOM_DUP_CL = 1ull << 23,		/* the same Content-Length more than once */
	VP_HTTP_ANOM_INVALID_CL = 1ull << 24,		/* not 1*DIGIT or too large (a) */
	VP_HTTP_ANOM_TE_NOT_CHUNKED_LAST = 1ull << 25,	/* request: give-up; response: (b) */
	VP_HTTP_ANOM_TE_CHUNKED_TWICE = 1ull << 26,	/* "chunked" applied more than once */
	VP_HTTP_ANOM_TE_HTTP10 = 1ull << 27,		/* Transfer-Encoding in an HTTP/1.0 message */
	VP_HTTP_ANOM_INVALID_CHUNK = 1ull << 28,	/* bad chunk size / line / data end: give-up;
							 * response: see (b) */
	VP_HTTP_ANOM_CHUNK_EXT = 1ull << 29,		/* chunk extension present (ignored) */
	VP_HTTP_ANOM_CHUNK_WS = 1ull << 30,		/* whitespace after the chunk size */
	VP_HTTP_ANOM_BODY_NOT_EXPECTED = 1ull << 31,	/* GET/HEAD request with content */
	/* host */
	VP_HTTP_ANOM_MISSING_HOST = 1ull << 32,		/* HTTP/1.1 request without Host */
	VP_HTTP_ANOM_MULTIPLE_HOST = 1ull << 33,	/* more than one Host field */
	VP_HTTP_ANOM_HOST_MISMATCH = 1ull << 34,	/* absolute-form host differs from Host */
	VP_HTTP_ANOM_INVALID_HOST = 1ull << 35,		/* bytes not allowed in a host / bad port */
	/* connection-level */
	VP_HTTP_ANOM_TRUNCATED = 1ull << 36,		/* stream ended inside a message */
	VP_HTTP_ANOM_RESP_WITHOUT_REQ = 1ull << 37,	/* response with no request pending */
	VP_HTTP_ANOM_PIPELINE_OVERFLOW = 1ull << 38,	/* > VP_HTTP_PIPELINE requests pending */
	VP_HTTP_ANOM_TUNNEL = 1ull << 39,		/* CONNECT 2xx: parsing stops both ways */
	VP_HTTP_ANOM_UPGRADE = 1ull << 40,		/* 101 Switching Protocols: parsing stops */
	VP_HTTP_ANOM_CONNECT_EARLY_DATA = 1ull << 41,	/* client data before the CONNECT answer */
	VP_HTTP_ANOM_MEMCAP = 1ull << 42,		/* no pool slab: direction not parsed */
	/* content coding */
	VP_HTTP_ANOM_DECOMPRESS_ERROR = 1ull << 43,	/* corrupt gzip/deflate (see below) */
	VP_HTTP_ANOM_DECOMPRESS_BOMB = 1ull << 44,	/* ratio or output limit hit: decoding stops */
	VP_HTTP_ANOM_DECOMPRESS_NOMEM = 1ull << 45,	/* no inflate arena: body kept encoded */
	VP_HTTP_ANOM_MULTI_ENCODING = 1ull << 46,	/* unknown coding, or > decomp_layers */
	VP_HTTP_ANOM_GAP = 1ull << 47,			/* stream bytes missing (vp_http_gap()) */
};

#define VP_HTTP_ANOM_COUNT 48
#define VP_HTTP_ANOM_ALL   ((uint64_t)((1ull << VP_HTTP_ANOM_COUNT) - 1))

/* Requests whose responses can be pending at once (pipelining); more are flagged. */
#define VP_HTTP_PIPELINE 16

struct vp_http_limits {
	uint32_t max_line;		/* request/status line bytes without EOL (default 8192) */
	uint32_t max_header_block;	/* header block bytes, EOLs included (default 16384) */
	uint32_t max_headers;		/* field lines per message (default 100, at most 1024:
					 * repeated names are grouped in O(n^2)) */
	uint32_t req_body_depth;	/* request body bytes kept for inspection (default 65536) */
	uint32_t resp_body_depth;	/* decoded response body bytes kept (default 65536) */
	uint32_t decomp_max_output;	/* decoded bytes produced per response (default 1 MiB; 0:
					 * the depth only): reaching it before the depth flags a
					 * bomb; decoding always stops at the depth */
	uint32_t decomp_max_ratio;	/* decoded/encoded ratio flagging a bomb once 16 KiB were
					 * produced (default 200; 0: no ratio check) */
	uint32_t max_inflate;		/* inflate arenas (64 KiB each) per worker, one per content
					 * coding being decoded (default 16; 0: no decoding at
					 * all, bodies are kept encoded, no flag) */
	uint32_t decomp_layers;		/* content codings decoded per response, each taking an
					 * arena (default 2, at most 8; 0: 1) */
	uint64_t memcap;		/* bytes per worker for all slabs and arenas (default 64 MiB) */
};

enum vp_http_event {
	VP_HTTP_EV_REQUEST_HEADERS = 1,
	VP_HTTP_EV_REQUEST_BODY,
	VP_HTTP_EV_RESPONSE_HEADERS,
	VP_HTTP_EV_RESPONSE_BODY,
	VP_HTTP_EV_GIVEUP,
	VP_HTTP_EV_INCOMPLETE,
	VP_HTTP_EV_UNANSWERED,
};

/* One side of a transaction.  Fields that do not apply to the side stay empty. */
struct vp_http_msg {
	bool line_valid;		/* start-line buffers filled */
	bool valid;			/* header block complete: every buffer below filled */
	bool body_done;			/* no more body will come for this message */
	uint8_t ver_major, ver_minor;	/* 1.1 -> 1, 1; HTTP/0.9 -> 0, 9; unparsable -> 0, 0 */
	uint16_t status;		/* response: status code, 0 when invalid */
	uint16_t nheaders;		/* field lines seen */
	uint64_t anomalies;		/* enum vp_http_anomaly bits */

	struct vp_slice line, protocol;
	struct vp_slice method, uri_raw;		/* request */
	struct vp_slice stat_code, stat_msg;		/* response */

	struct vp_slice start, header, header_raw, header_names;
	struct vp_slice cookie, content_type, content_len;
	struct vp_slice host, host_raw, user_agent, referer, accept, accept_enc, accept_lang,
		connection;				/* request */
	struct vp_slice server, location;		/* response */

	struct vp_slice body;		/* kept body: at most the configured depth */
	size_t body_new;		/* body.ptr[body_new .. body.len) is new in this callback */
	uint64_t body_seen;		/* body bytes on the wire so far, de-chunked, not decoded */
};

struct vp_http_tx {
	uint64_t id;
	struct vp_http_msg req;
	struct vp_http_msg resp;
};

/*
 * Called at each detection point (see the table above).  Return 0 to go on; anything else stops
 * parsing this direction for good (e.g. the flow was blocked): vp_http_feed() then returns
 * VP_HTTP_STOPPED at once.  The callback must not call back into this connection.
 */
typedef int (*vp_http_event_fn)(void *cbctx, enum vp_http_event ev, const struct vp_http_tx *tx);

/* Results of vp_http_feed() / vp_http_eof(), worst first wins within one call. */
enum vp_http_result {
	VP_HTTP_STOPPED = -4,		/* the callback asked to stop: nothing more is parsed */
	VP_HTTP_MEMCAP = -3,		/* no slab in the pool: direction not parsed (memcap policy) */
	VP_HTTP_GIVEUP = VP_PARSE_ERROR, /* limit or unrecoverable framing: direction stopped */
	VP_HTTP_ANOMALY = VP_PARSE_EVASION, /* new anomaly bits were set; parsing goes on */
	VP_HTTP_OK = VP_PARSE_OK,	/* all bytes consumed, nothing to report */
	VP_HTTP_TUNNEL = 2,		/* the connection is a tunnel now: nothing more is parsed */
};

struct vp_http_stats {
	uint64_t requests, responses;		/* header blocks completed */
	uint64_t bytes_toserver, bytes_toclient;	/* fed */
	uint64_t giveups;			/* directions stopped by a limit or framing error */
	uint64_t memcap;			/* slabs refused because the pool was empty */
	uint64_t inflate_nomem;			/* inflate arenas refused */
	uint64_t tunnels;
	uint32_t slabs_total, slabs_used;	/* per pool (request and response pools alike) */
	uint32_t req_slabs_used, resp_slabs_used;
	uint32_t inflate_total, inflate_used;
	uint64_t anomalies[VP_HTTP_ANOM_COUNT];	/* messages that showed each anomaly bit */
};

/* Per-direction parser state.  Private: use only through the functions below. */
struct vp_http_half {
	uint8_t state;
	uint8_t flags;
	uint32_t aux;			/* chunk-line / trailer-line length */
	uint64_t remain;		/* body bytes left in the message or chunk; trailer bytes */
	uint64_t chunk;			/* chunk size being parsed; trailer lines */
	struct vp_http_slab *slab;	/* the message's buffers; NULL between messages */
};

/*
 * Per-connection state, embedded in the flow's application state (no allocation; about 250
 * bytes).  Private: use only through the functions below.
 */
struct vp_http_conn {
	struct vp_http_half req, resp;
	uint64_t next_id;		/* id of the next request */
	uint64_t pend_id[VP_HTTP_PIPELINE];	/* requests waiting for their response, in order */
	uint8_t pend_flags[VP_HTTP_PIPELINE];
	uint8_t pend_head, pend_count;
};

/* Fills <l> with the documented defaults.  Any thread. */
void vp_http_limits_default(struct vp_http_limits *l);

/*
 * Allocates one worker's context: the slab pools sized from <l> (copied) and the statistics.
 * Every slab is allocated here: as many request/response pairs as fit in the memcap once the
 * inflate arenas are set aside (vp_http_ctx_stats() tells how many).  Returns NULL when a limit
 * is out of range (max_line 16..1 MiB, max_header_block 64..16 MiB, max_headers 1..1024,
 * depths <= 256 MiB, max_inflate <= 65536, decomp_layers <= 8), when the memcap does not hold
 * one pair, or on ENOMEM.  Control thread, at start.
 */
struct vp_http_ctx *vp_http_ctx_new(const struct vp_http_limits *l);

/* Frees the context and its pools; every connection must have been released.  NULL-safe. */
void vp_http_ctx_free(struct vp_http_ctx *ctx);

/* Copies the counters and pool usage into <s>.  Owner worker (or when the worker is stopped). */
void vp_http_ctx_stats(const struct vp_http_ctx *ctx, struct vp_http_stats *s);

/* The context's limits (after defaults), e.g. to size the http.uri buffer (max_line bytes). */
const struct vp_http_limits *vp_http_ctx_limits(const struct vp_http_ctx *ctx);

/* Makes <c> a fresh connection holding nothing.  Owner worker. */
void vp_http_conn_init(struct vp_http_conn *c);

/* Gives every slab and inflate arena of <c> back to <ctx>'s pools; <c> is fresh afterwards.
 * Call when the flow ends.  Idempotent.  Owner worker. */
void vp_http_conn_release(struct vp_http_ctx *ctx, struct vp_http_conn *c);

/*
 * Parses data[0..len) of the client-to-server (to_server) or server-to-client direction of <c>,
 * calling <cb> at each detection point.  Every byte is consumed (the parser keeps what it needs
 * in its slabs).  len 0 is allowed.  Returns an enum vp_http_result; once a direction returned
 * STOPPED, MEMCAP, GIVEUP or TUNNEL, every later call for it returns the same without parsing.
 * Owner worker.
 */
int vp_http_feed(struct vp_http_ctx *ctx, struct vp_http_conn *c, bool to_server,
		 const uint8_t *data, size_t len, vp_http_event_fn cb, void *cbctx);

/*
 * The direction ended (FIN/RST or flow end): a body read until close is complete (last body
 * callback), a message cut short is flagged TRUNCATED (INCOMPLETE callback or a last body
 * callback).  Later feeds for the direction are ignored (return VP_HTTP_GIVEUP).  Owner worker.
 */
int vp_http_eof(struct vp_http_ctx *ctx, struct vp_http_conn *c, bool to_server,
		vp_http_event_fn cb, void *cbctx);

/*
 * Once the response direction is not parsed any more (after its vp_http_eof(), or a give-up,
 * stop or tunnel), reports each request still waiting for its final response as a
 * VP_HTTP_EV_UNANSWERED event, oldest first, and forgets it: a transaction is reported once,
 * either with its final response or here.  Does nothing while the response direction is still
 * parsed.  The request slab of a pending request is kept after the response side's eof until
 * this call (or vp_http_conn_release()).  Returns VP_HTTP_OK, or VP_HTTP_STOPPED when the
 * callback asked to stop (the remaining requests are then dropped unreported).  Owner worker.
 */
int vp_http_unanswered(struct vp_http_ctx *ctx, struct vp_http_conn *c, vp_http_event_fn cb,
		       void *cbctx);

/*
 * <len> bytes of the direction are missing (reassembly gap: the receiver acknowledged bytes that
 * were never seen).  Inside a body of known length (Content-Length, chunk data) or read until
 * close, the parser skips them and stays in sync: the body is flagged GAP and keeps no bytes
 * after the hole (only body_seen counts on).  Anywhere else the framing is lost: the direction
 * gives up (GIVEUP event, with tx NULL when no message was in progress).  Owner worker.
 */
int vp_http_gap(struct vp_http_ctx *ctx, struct vp_http_conn *c, bool to_server, uint64_t len,
		vp_http_event_fn cb, void *cbctx);

/* True when the direction is not parsed any more (given up, stopped, tunnel, no memory, eof). */
bool vp_http_conn_done(const struct vp_http_conn *c, bool to_server);

/* Short stable name ("cl_and_te", ...) of one anomaly bit; "unknown" unless exactly one known
 * bit.  Static string.  Any thread. */
const char *vp_http_anomaly_name(uint64_t bit);

#endif
