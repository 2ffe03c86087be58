/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * EVE JSON-lines writer.  JSON is built with jansson (a well-kept Debian
 * library) on the writer thread only; workers copy a fixed-size record into
 * their own single-producer/single-consumer ring.
 */
#include "vp_build.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "daemon/eve.h"
#include "inspect/decode.h"

#define LINE_MAX_BYTES 16384

struct vp_eve_ring {
	struct vp_event *ev;
	uint32_t mask;
	_Atomic uint64_t head;		/* next slot the producer writes */
	_Atomic uint64_t tail;		/* next slot the writer reads */
	_Atomic uint64_t lost;
};

struct vp_eve {
	FILE *out;
	bool own_out;
	struct vp_eve_ring *rings;
	unsigned nrings;
	pthread_t thread;
	bool started;
	_Atomic bool stop;
	pthread_mutex_t drain_lock;	/* writer thread vs vp_eve_flush/close */
	_Atomic uint64_t written, write_errors;
	char line[LINE_MAX_BYTES];
};

static uint32_t pow2_at_least(unsigned n)
{
	uint32_t p = 16;

	while (p < n && p < (1u << 20))
		p <<= 1;
	return p;
}

struct vp_eve *vp_eve_open(const char *path, unsigned nrings, unsigned ring_size,
			   char *err, size_t errlen)
{
	struct vp_eve *e;
	unsigned i;

	e = calloc(1, sizeof(*e));
	if (!e)
		goto nomem;
	pthread_mutex_init(&e->drain_lock, NULL);
	e->nrings = nrings ? nrings : 1;
	e->rings = calloc(e->nrings, sizeof(*e->rings));
	if (!e->rings)
		goto nomem;
	for (i = 0; i < e->nrings; i++) {
		e->rings[i].mask = pow2_at_least(ring_size) - 1;
		e->rings[i].ev = calloc(e->rings[i].mask + 1, sizeof(struct vp_event));
		if (!e->rings[i].ev)
			goto nomem;
	}
	if (strcmp(path, "-") == 0) {
		e->out = stdout;
	} else {
		e->out = fopen(path, "ae");
		if (!e->out) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto err;
		}
		e->own_out = true;
	}
	return e;
nomem:
	snprintf(err, errlen, "out of memory");
err:
	vp_eve_close(e);
	return NULL;
}

struct vp_eve_ring *vp_eve_ring(struct vp_eve *e, unsigned i)
{
	return i < e->nrings ? &e->rings[i] : NULL;
}

bool vp_eve_push(struct vp_eve_ring *r, const struct vp_event *ev)
{
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);

	if (head - tail > r->mask) {
		atomic_fetch_add_explicit(&r->lost, 1, memory_order_relaxed);
		return false;
	}
	r->ev[head & r->mask] = *ev;
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
	return true;
}

static const char *proto_name(uint8_t proto, char *buf, size_t size)
{
	switch (proto) {
	case 1:
		return "ICMP";
	case 6:
		return "TCP";
	case 17:
		return "UDP";
	case 58:
		return "IPv6-ICMP";
	case 132:
		return "SCTP";
	default:
		snprintf(buf, size, "%03u", proto);
		return buf;
	}
}

/* "2026-11-28T12:00:00.000000+0000", in UTC so that offline output is reproducible. */
static void format_ts(const struct timeval *tv, char *buf, size_t size)
{
	struct tm tm;
	time_t t = tv->tv_sec;
	char base[32];

	gmtime_r(&t, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%06ld+0000", base, (long)tv->tv_usec);
}

static int set_new(json_t *obj, const char *key, json_t *val)
{
	if (!val)
		return -ENOMEM;
	return json_object_set_new(obj, key, val) ? -ENOMEM : 0;
}

/* Text from the wire may be any bytes: invalid UTF-8 becomes U+FFFD per byte. */
static json_t *wire_string(const char *s)
{
	json_t *j = json_string(s);
	char *clean, *o;
	size_t n;

	if (j)
		return j;
	n = strlen(s);
	clean = malloc(n * 3 + 1);
	if (!clean)
		return NULL;
	for (o = clean; *s; s++) {
		if ((unsigned char)*s < 0x80) {
			*o++ = *s;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
		}
	}
	*o = '\0';
	j = json_string(clean);
	free(clean);
	return j;
}

static json_t *alert_object(const struct vp_event *ev)
{
	json_t *a = json_object();
	char xff[64];
	json_t *md;
	int r = 0;

	if (!a)
		return NULL;
	r |= set_new(a, "action", json_string(ev->blocked ? "blocked" : "allowed"));
	r |= set_new(a, "gid", json_integer(ev->gid));
	r |= set_new(a, "signature_id", json_integer(ev->sid));
	r |= set_new(a, "rev", json_integer(ev->rev));
	r |= set_new(a, "signature", wire_string(ev->msg ? ev->msg : ""));
	r |= set_new(a, "category", wire_string(ev->category ? ev->category : ""));
	r |= set_new(a, "severity", json_integer(ev->severity));
	if (ev->metadata_json) {
		md = json_loads(ev->metadata_json, 0, NULL);
		if (md)
			r |= set_new(a, "metadata", md);
	}
	if (ev->has_xff)
		r |= set_new(a, "xff", json_string(vp_addr_str(&ev->xff, xff, sizeof(xff))));
	if (r) {
		json_decref(a);
		return NULL;
	}
	return a;
}

void vp_event_copy_field(char *dst, size_t size, const uint8_t *src, size_t len)
{
	if (!size)
		return;
	if (len > size - 1)
		len = size - 1;
	if (len)
		memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Adds <key>: <val> when <val> is not empty. */
static int set_text(json_t *obj, const char *key, const char *val)
{
	return val[0] ? set_new(obj, key, wire_string(val)) : 0;
}

static json_t *http_object(const struct vp_event *ev)
{
	json_t *h = json_object();
	int r = 0;

	if (!h)
		return NULL;
	r |= set_text(h, "hostname", ev->http_hostname);
	r |= set_new(h, "url", wire_string(ev->http_url));
	r |= set_text(h, "http_user_agent", ev->http_user_agent);
	r |= set_text(h, "http_content_type", ev->http_content_type);
	r |= set_text(h, "http_refer", ev->http_refer);
	r |= set_text(h, "http_method", ev->http_method);
	r |= set_text(h, "protocol", ev->http_protocol);
	if (ev->has_status)
		r |= set_new(h, "status", json_integer(ev->http_status));
	if (ev->has_length)
		r |= set_new(h, "length", json_integer((json_int_t)ev->http_length));
	if (r) {
		json_decref(h);
		return NULL;
	}
	return h;
}

/* fileinfo: the HTTP body's name is the URI path (up to '?'). */
static json_t *fileinfo_object(const struct vp_event *ev)
{
	char name[sizeof(ev->http_url)];
	json_t *f = json_object();
	size_t n = strcspn(ev->http_url, "?");
	int r = 0;

	if (!f)
		return NULL;
	memcpy(name, ev->http_url, n);
	name[n] = '\0';
	r |= set_new(f, "filename", wire_string(ev->file_name[0] ? ev->file_name : name));
	r |= set_new(f, "gaps", json_boolean(ev->file_gaps));
	r |= set_new(f, "state", json_string(ev->file_state == VP_FILE_CLOSED ? "CLOSED" :
							       "TRUNCATED"));
	r |= set_new(f, "stored", json_false());
	r |= set_new(f, "size", json_integer((json_int_t)ev->file_size));
	if (ev->has_tx_id)
		r |= set_new(f, "tx_id", json_integer((json_int_t)ev->tx_id));
	if (r) {
		json_decref(f);
		return NULL;
	}
	return f;
}

static const char *const type_names[] = {
	[VP_EVENT_ALERT] = "alert",
	[VP_EVENT_HTTP] = "http",
	[VP_EVENT_FILEINFO] = "fileinfo",
	[VP_EVENT_FLOW] = "flow",
};

const char *vp_event_type_name(unsigned type)
{
	return type < sizeof(type_names) / sizeof(type_names[0]) ? type_names[type] : NULL;
}

/* timestamp .. proto: what every event starts with. */
static int header_fields(json_t *o, const struct vp_event *ev)
{
	char ts[48], src[64], dst[64], pbuf[8];
	int r = 0;

	format_ts(&ev->ts, ts, sizeof(ts));
	r |= set_new(o, "timestamp", json_string(ts));
	if (ev->flow_id)
		r |= set_new(o, "flow_id", json_integer((json_int_t)ev->flow_id));
	if (ev->pcap_cnt)
		r |= set_new(o, "pcap_cnt", json_integer((json_int_t)ev->pcap_cnt));
	r |= set_new(o, "event_type", json_string(type_names[ev->type]));
	if (ev->src.family) {
		r |= set_new(o, "src_ip", json_string(vp_addr_str(&ev->src, src, sizeof(src))));
		if (ev->has_ports)
			r |= set_new(o, "src_port", json_integer(ev->sport));
		r |= set_new(o, "dest_ip", json_string(vp_addr_str(&ev->dst, dst, sizeof(dst))));
		if (ev->has_ports)
			r |= set_new(o, "dest_port", json_integer(ev->dport));
		r |= set_new(o, "proto", json_string(proto_name(ev->proto, pbuf, sizeof(pbuf))));
	}
	return r;
}

static json_t *event_object(const struct vp_event *ev)
{
	json_t *o;
	int r;

	if (ev->type > VP_EVENT_FILEINFO)
		return NULL;
	o = json_object();
	if (!o)
		return NULL;
	r = header_fields(o, ev);
	if (ev->has_tx_id && ev->type != VP_EVENT_FILEINFO)
		r |= set_new(o, "tx_id", json_integer((json_int_t)ev->tx_id));
	if (ev->type == VP_EVENT_ALERT)
		r |= set_new(o, "alert", alert_object(ev));
	if (ev->app_http && ev->type != VP_EVENT_HTTP)
		r |= set_new(o, "app_proto", json_string("http"));
	if (ev->has_http)
		r |= set_new(o, "http", http_object(ev));
	if (ev->type == VP_EVENT_FILEINFO)
		r |= set_new(o, "fileinfo", fileinfo_object(ev));
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int vp_eve_format(const struct vp_event *ev, char *buf, size_t size)
{
	json_t *o = event_object(ev);
	size_t n;

	if (!o)
		return -ENOMEM;
	n = json_dumpb(o, buf, size, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (n == 0 || n >= size)
		return -ENOSPC;
	buf[n] = '\0';
	return (int)n;
}

/* Writes every event in the rings; returns how many. Caller holds drain_lock. */
static unsigned drain(struct vp_eve *e)
{
	unsigned i, n = 0;

	for (i = 0; i < e->nrings; i++) {
		struct vp_eve_ring *r = &e->rings[i];
		uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
		uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);

		for (; tail != head; tail++, n++) {
			int len = vp_eve_format(&r->ev[tail & r->mask], e->line, sizeof(e->line) - 1);

			if (len < 0 || fwrite(e->line, 1, (size_t)len, e->out) != (size_t)len ||
			    fputc('\n', e->out) == EOF)
				atomic_fetch_add(&e->write_errors, 1);
			else
				atomic_fetch_add(&e->written, 1);
			atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
		}
	}
	if (n && fflush(e->out) == EOF)
		atomic_fetch_add(&e->write_errors, 1);
	return n;
}

static void *writer(void *arg)
{
	struct vp_eve *e = arg;
	const struct timespec idle = { .tv_sec = 0, .tv_nsec = 5 * 1000 * 1000 };
	unsigned n;

	while (!atomic_load(&e->stop)) {
		pthread_mutex_lock(&e->drain_lock);
		n = drain(e);
		pthread_mutex_unlock(&e->drain_lock);
		if (!n)
			nanosleep(&idle, NULL);
	}
	return NULL;
}

int vp_eve_start(struct vp_eve *e)
{
	int r = pthread_create(&e->thread, NULL, writer, e);

	if (r)
		return -r;
	e->started = true;
	return 0;
}

void vp_eve_flush(struct vp_eve *e)
{
	pthread_mutex_lock(&e->drain_lock);
	drain(e);
	pthread_mutex_unlock(&e->drain_lock);
}

void vp_eve_counts(const struct vp_eve *e, uint64_t *written, uint64_t *lost)
{
	uint64_t l = atomic_load(&e->write_errors);
	unsigned i;

	for (i = 0; i < e->nrings; i++)
		l += atomic_load(&e->rings[i].lost);
	*written = atomic_load(&e->written);
	*lost = l;
}

void vp_eve_close(struct vp_eve *e)
{
	unsigned i;

	if (!e)
		return;
	if (e->started) {
		atomic_store(&e->stop, true);
		pthread_join(e->thread, NULL);
	}
	if (e->out) {
		drain(e);
		if (e->own_out)
			fclose(e->out);
		else
			fflush(e->out);
	}
	for (i = 0; e->rings && i < e->nrings; i++)
		free(e->rings[i].ev);
	free(e->rings);
	pthread_mutex_destroy(&e->drain_lock);
	free(e);
}
