/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Event output: EVE JSON lines (DESIGN.md "Events").
 *
 * Workers never format or write: each owns a single-producer ring into which
 * it copies a fixed-size struct vp_event (no allocation, no lock, no syscall);
 * one writer thread drains every ring, builds the JSON with jansson and writes
 * it.  A full ring drops the event and counts it.
 */
#ifndef VP_DAEMON_EVE_H
#define VP_DAEMON_EVE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

#include "inspect/packet.h"

/* Event kinds (event_type); also the bits of vp_engine_opts.eve_types / vpatchd.conf eve_types. */
enum vp_event_type {
	VP_EVENT_ALERT = 0,
	VP_EVENT_HTTP = 1,
	VP_EVENT_FILEINFO = 2,
	VP_EVENT_FLOW = 3,
};

/* fileinfo.state */
enum vp_file_state {
	VP_FILE_CLOSED = 0,
	VP_FILE_TRUNCATED = 1,
};

struct vp_event {
	uint8_t type;			/* enum vp_event_type */
	struct timeval ts;
	uint64_t flow_id;		/* 0: no flow */
	uint64_t pcap_cnt;		/* offline: 1-based packet index in the capture; 0: none */
	struct vp_addr src, dst;	/* family 0: no valid IP header */
	uint16_t sport, dport;
	uint8_t proto;
	bool has_ports;
	bool app_http;			/* app_proto "http" */
	bool has_tx_id;
	uint64_t tx_id;
	bool blocked;			/* alert.action: blocked / allowed */
	bool has_xff;			/* alert.xff: the client address a proxy reported */
	struct vp_addr xff;
	uint32_t gid, sid, rev;
	int severity;
	/* Borrowed from the rule set (or the built-in table), which outlives the event. */
	const char *msg;
	const char *category;
	const char *metadata_json;	/* alert.metadata object text, or NULL */
	/* The HTTP transaction the event is about (copied: the parser's
	 * buffers are reused); has_http false for packet-level alerts.
	 * Empty strings are not written. */
	bool has_http;
	bool has_status;
	uint16_t http_status;
	bool has_length;
	uint64_t http_length;		/* http.length: response body bytes */
	char http_hostname[256];
	char http_url[1024];
	char http_method[32];
	char http_protocol[16];
	char http_user_agent[256];
	char http_content_type[128];
	char http_refer[512];
	/* fileinfo (type VP_EVENT_FILEINFO): filename is file_name, or when empty
	 * http_url up to '?'. */
	char file_name[256];		/* Content-Disposition filename */
	uint8_t file_state;		/* enum vp_file_state */
	bool file_gaps;
	uint64_t file_size;
};

/* "alert", "http", "fileinfo", "flow" for an enum vp_event_type; NULL for others.  Any thread. */
const char *vp_event_type_name(unsigned type);

/* Copies at most size-1 bytes of <src>/<len> into <dst> (NUL-terminated); bytes are kept as they are. */
void vp_event_copy_field(char *dst, size_t size, const uint8_t *src, size_t len);

struct vp_eve;
struct vp_eve_ring;

/*
 * Opens the event log <path> for appending ("-" = standard output) with
 * <nrings> producer rings of <ring_size> events each (rounded up to a power of
 * two).  NULL on failure with a message in <err>.  Control thread.
 */
struct vp_eve *vp_eve_open(const char *path, unsigned nrings, unsigned ring_size,
			   char *err, size_t errlen);

/* Starts the writer thread. 0 or -errno. */
int vp_eve_start(struct vp_eve *e);

/* The ring of producer <i> (0 <= i < nrings); owned by <e>. */
struct vp_eve_ring *vp_eve_ring(struct vp_eve *e, unsigned i);

/* Copies <ev> into the ring. False if the ring is full (the event is counted as lost). Producer only. */
bool vp_eve_push(struct vp_eve_ring *r, const struct vp_event *ev);

/* Writes every event pushed so far and flushes the file. Control thread; the writer may run. */
void vp_eve_flush(struct vp_eve *e);

/* Events written, and lost to full rings or write errors. */
void vp_eve_counts(const struct vp_eve *e, uint64_t *written, uint64_t *lost);

/* Stops the writer, writes what is left, closes. NULL-safe. */
void vp_eve_close(struct vp_eve *e);

/*
 * Formats <ev> as one JSON object (no newline) into <buf>.  Returns the length,
 * or -ENOSPC / -ENOMEM.  Any thread (the writer uses it; so do the tests).
 */
int vp_eve_format(const struct vp_event *ev, char *buf, size_t size);

#endif
