/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The packet pipeline: decode -> violations -> flow -> signatures -> verdict + events. */
#include "vp_build.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "daemon/engine.h"
#include "daemon/eve.h"

#define CLIENT "192.0.2.1"
#define SERVER "192.0.2.80"

struct pkt {
	uint8_t b[1600];
	size_t len;
};

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)(p[n - 1] << 8);
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* An IPv4/TCP packet with correct checksums. */
static void tcp4(struct pkt *k, const char *src, const char *dst, uint16_t sport, uint16_t dport,
		 uint8_t flags, uint32_t seq, uint32_t ack, const char *payload)
{
	size_t plen = payload ? strlen(payload) : 0;
	uint8_t *ip = k->b, *tcp = k->b + 20;
	uint8_t pseudo[12];
	uint16_t c;

	memset(k, 0, sizeof(*k));
	k->len = 20 + 20 + plen;
	ip[0] = 0x45;
	ip[2] = (uint8_t)(k->len >> 8);
	ip[3] = (uint8_t)k->len;
	ip[8] = 64;
	ip[9] = 6;
	inet_pton(AF_INET, src, ip + 12);
	inet_pton(AF_INET, dst, ip + 16);
	c = fold(sum16(ip, 20, 0));
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	tcp[0] = (uint8_t)(sport >> 8);
	tcp[1] = (uint8_t)sport;
	tcp[2] = (uint8_t)(dport >> 8);
	tcp[3] = (uint8_t)dport;
	tcp[4] = (uint8_t)(seq >> 24), tcp[5] = (uint8_t)(seq >> 16);
	tcp[6] = (uint8_t)(seq >> 8), tcp[7] = (uint8_t)seq;
	tcp[8] = (uint8_t)(ack >> 24), tcp[9] = (uint8_t)(ack >> 16);
	tcp[10] = (uint8_t)(ack >> 8), tcp[11] = (uint8_t)ack;
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	tcp[14] = 0xff;
	if (plen)
		memcpy(tcp + 20, payload, plen);
	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 6;
	pseudo[10] = (uint8_t)((20 + plen) >> 8);
	pseudo[11] = (uint8_t)(20 + plen);
	c = fold(sum16(tcp, 20 + plen, sum16(pseudo, 12, 0)));
	tcp[16] = (uint8_t)(c >> 8);
	tcp[17] = (uint8_t)c;
}

struct rig {
	char eve_path[64];
	struct vp_eve *eve;
	struct vp_sig_set *set;
	struct vp_engine_worker *w;
	struct vp_engine_opts o;
	struct timeval ts;
};

static void rig_opts(struct rig *r, enum vp_mode mode)
{
	memset(r, 0, sizeof(*r));
	vp_engine_opts_default(&r->o, mode);
	r->ts.tv_sec = 1795867200;	/* 2026-11-28T12:00:00Z */
}

static void rig_start(struct rig *r, const char *rules)
{
	char err[256];
	int fd;

	snprintf(r->eve_path, sizeof(r->eve_path), "/tmp/vp-test-engine-XXXXXX");
	fd = mkstemp(r->eve_path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	r->eve = vp_eve_open(r->eve_path, 1, 64, err, sizeof(err));
	ck_assert_ptr_nonnull(r->eve);
	r->set = vp_sig_set_new(NULL);
	ck_assert_ptr_nonnull(r->set);
	if (rules)
		ck_assert_int_eq(vp_sig_set_add(r->set, rules, "test", 1, NULL, NULL), 0);
	ck_assert_int_eq(vp_sig_set_compile(r->set, NULL, NULL), 0);
	r->w = vp_engine_worker_new(&r->o, r->set, vp_eve_ring(r->eve, 0));
	ck_assert_ptr_nonnull(r->w);
}

/* Closes the rig and returns the events written, as a JSON array (caller frees). */
static json_t *rig_finish(struct rig *r)
{
	json_t *arr = json_array(), *ev;
	json_error_t jerr;
	char line[8192];
	FILE *f;

	vp_engine_worker_free(r->w);
	vp_eve_close(r->eve);
	vp_sig_set_free(r->set);
	f = fopen(r->eve_path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		ev = json_loads(line, 0, &jerr);
		ck_assert_msg(ev != NULL, "bad JSON line: %s (%s)", line, jerr.text);
		json_array_append_new(arr, ev);
	}
	fclose(f);
	unlink(r->eve_path);
	return arr;
}

static enum vp_engine_verdict feed(struct rig *r, const struct pkt *k)
{
	r->ts.tv_usec += 1000;
	return vp_engine_packet(r->w, k->b, k->len, &r->ts, false);
}

/* Handshake, then the request <payload>; returns the request's verdict. */
static enum vp_engine_verdict session(struct rig *r, uint16_t cport, const char *payload)
{
	struct pkt k;

	tcp4(&k, CLIENT, SERVER, cport, 80, VP_TCP_SYN, 1000, 0, NULL);
	ck_assert_int_eq(feed(r, &k), VP_ENGINE_ACCEPT);
	tcp4(&k, SERVER, CLIENT, 80, cport, VP_TCP_SYN | VP_TCP_ACK, 5000, 1001, NULL);
	ck_assert_int_eq(feed(r, &k), VP_ENGINE_ACCEPT);
	tcp4(&k, CLIENT, SERVER, cport, 80, VP_TCP_ACK, 1001, 5001, NULL);
	ck_assert_int_eq(feed(r, &k), VP_ENGINE_ACCEPT);
	tcp4(&k, CLIENT, SERVER, cport, 80, VP_TCP_ACK | VP_TCP_PSH, 1001, 5001, payload);
	return feed(r, &k);
}

static const char *str_at(json_t *arr, size_t i, const char *obj, const char *key)
{
	json_t *o = json_array_get(arr, i);

	if (obj)
		o = json_object_get(o, obj);
	return json_string_value(json_object_get(o, key));
}

static json_int_t int_at(json_t *arr, size_t i, const char *obj, const char *key)
{
	json_t *o = json_array_get(arr, i);

	if (obj)
		o = json_object_get(o, obj);
	return json_integer_value(json_object_get(o, key));
}

#define ATTACK_RULE "drop tcp any any -> any 80 (msg:\"passwd\"; content:\"/etc/passwd\"; " \
	"sid:1000100; rev:2;)"
#define ATTACK "GET /cgi-bin/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"

START_TEST(test_detect_allows_and_logs)
{
	struct rig r;
	json_t *ev;

	rig_opts(&r, VP_MODE_DETECT);
	rig_start(&r, ATTACK_RULE);
	ck_assert_int_eq(session(&r, 40000, ATTACK), VP_ENGINE_ACCEPT);
	ev = rig_finish(&r);
	ck_assert_uint_eq(json_array_size(ev), 1);
	ck_assert_str_eq(str_at(ev, 0, "alert", "action"), "allowed");
	ck_assert_int_eq(int_at(ev, 0, "alert", "signature_id"), 1000100);
	ck_assert_int_eq(int_at(ev, 0, "alert", "rev"), 2);
	ck_assert_str_eq(str_at(ev, 0, NULL, "src_ip"), CLIENT);
	ck_assert_str_eq(str_at(ev, 0, NULL, "dest_ip"), SERVER);
	ck_assert_int_eq(int_at(ev, 0, NULL, "dest_port"), 80);
	ck_assert_str_eq(str_at(ev, 0, NULL, "proto"), "TCP");
	ck_assert_str_eq(str_at(ev, 0, NULL, "timestamp"), "2026-11-28T12:00:00.004000+0000");
	ck_assert_int_ne(int_at(ev, 0, NULL, "flow_id"), 0);
	json_decref(ev);
}
END_TEST

START_TEST(test_prevent_blocks_flow)
{
	struct vp_engine_stats s;
	struct rig r;
	struct pkt k;
	json_t *ev;

	rig_opts(&r, VP_MODE_PREVENT);
	rig_start(&r, ATTACK_RULE);
	ck_assert_int_eq(session(&r, 40001, ATTACK), VP_ENGINE_DROP_RESET);
	/* The client retransmits, then sends something harmless: both dropped, no new alert. */
	tcp4(&k, CLIENT, SERVER, 40001, 80, VP_TCP_ACK | VP_TCP_PSH, 1001, 5001, ATTACK);
	ck_assert_int_ne(feed(&r, &k), VP_ENGINE_ACCEPT);
	tcp4(&k, CLIENT, SERVER, 40001, 80, VP_TCP_ACK | VP_TCP_PSH, 1001, 5001, "hello");
	ck_assert_int_ne(feed(&r, &k), VP_ENGINE_ACCEPT);
	/* Another connection is not affected. */
	ck_assert_int_eq(session(&r, 40002, "GET / HTTP/1.1\r\n\r\n"), VP_ENGINE_ACCEPT);
	vp_engine_stats(r.w, &s);
	ck_assert_uint_eq(s.blocked_flows, 1);
	ck_assert_uint_eq(s.blocked_flow_packets, 2);
	ck_assert_uint_eq(s.dropped, 3);
	ev = rig_finish(&r);
	ck_assert_uint_eq(json_array_size(ev), 1);
	ck_assert_str_eq(str_at(ev, 0, "alert", "action"), "blocked");
	json_decref(ev);
}
END_TEST

START_TEST(test_alert_rule_never_blocks)
{
	struct rig r;
	json_t *ev;

	rig_opts(&r, VP_MODE_PREVENT);
	rig_start(&r, "alert tcp any any -> any any (msg:\"m\"; content:\"passwd\"; sid:7;)");
	ck_assert_int_eq(session(&r, 40003, ATTACK), VP_ENGINE_ACCEPT);
	ev = rig_finish(&r);
	ck_assert_uint_eq(json_array_size(ev), 1);
	ck_assert_str_eq(str_at(ev, 0, "alert", "action"), "allowed");
	json_decref(ev);
}
END_TEST

START_TEST(test_reject_resets_without_reset_blocked)
{
	struct rig r;
	json_t *ev;

	rig_opts(&r, VP_MODE_PREVENT);
	r.o.reset_blocked = false;
	rig_start(&r, "reject tcp any any -> any 80 (content:\"passwd\"; sid:8;)");
	ck_assert_int_eq(session(&r, 40004, ATTACK), VP_ENGINE_DROP_RESET);
	ev = rig_finish(&r);
	json_decref(ev);
	rig_opts(&r, VP_MODE_PREVENT);
	r.o.reset_blocked = false;
	rig_start(&r, ATTACK_RULE);
	ck_assert_int_eq(session(&r, 40005, ATTACK), VP_ENGINE_DROP);
	json_decref(rig_finish(&r));
}
END_TEST

/* Built-in checks: policy x mode table. */
static const struct {
	enum vp_mode mode;
	enum vp_policy pol;
	enum vp_engine_verdict want;
	size_t events;
	const char *action;
} viol_cases[] = {
	{ VP_MODE_DETECT, VP_POLICY_BLOCK, VP_ENGINE_DROP, 1, "blocked" },
	{ VP_MODE_PREVENT, VP_POLICY_BLOCK, VP_ENGINE_DROP, 1, "blocked" },
	{ VP_MODE_DETECT, VP_POLICY_LOG, VP_ENGINE_ACCEPT, 1, "allowed" },
	{ VP_MODE_PREVENT, VP_POLICY_OFF, VP_ENGINE_ACCEPT, 0, NULL },
};

START_TEST(test_bad_ip_header)
{
	static const uint8_t bad[] = { 0x43, 0, 0, 20, 0, 0, 0, 0, 64, 6, 0, 0,
				       1, 2, 3, 4, 5, 6, 7, 8 };
	struct rig r;
	json_t *ev;

	rig_opts(&r, viol_cases[_i].mode);
	r.o.violation[VP_BUILTIN_BAD_IP_HEADER] = viol_cases[_i].pol;
	rig_start(&r, NULL);
	ck_assert_int_eq(vp_engine_packet(r.w, bad, sizeof(bad), &r.ts, false),
			 viol_cases[_i].want);
	ev = rig_finish(&r);
	ck_assert_uint_eq(json_array_size(ev), viol_cases[_i].events);
	if (viol_cases[_i].events) {
		ck_assert_int_eq(int_at(ev, 0, "alert", "signature_id"), 9000001);
		ck_assert_str_eq(str_at(ev, 0, "alert", "action"), viol_cases[_i].action);
		ck_assert_ptr_null(json_object_get(json_array_get(ev, 0), "src_ip"));
	}
	json_decref(ev);
}
END_TEST

START_TEST(test_same_address)
{
	struct rig r;
	struct pkt k;
	json_t *ev;

	rig_opts(&r, viol_cases[_i].mode);
	r.o.violation[VP_BUILTIN_SAME_ADDRESS] = viol_cases[_i].pol;
	rig_start(&r, NULL);
	tcp4(&k, CLIENT, CLIENT, 1, 80, VP_TCP_SYN, 1, 0, NULL);
	ck_assert_int_eq(feed(&r, &k), viol_cases[_i].want);
	ev = rig_finish(&r);
	ck_assert_uint_eq(json_array_size(ev), viol_cases[_i].events);
	if (viol_cases[_i].events) {
		ck_assert_int_eq(int_at(ev, 0, "alert", "signature_id"), 9000002);
		ck_assert_str_eq(str_at(ev, 0, NULL, "src_ip"), CLIENT);
	}
	json_decref(ev);
}
END_TEST

START_TEST(test_bad_checksum_not_inspected)
{
	struct vp_engine_stats s;
	struct rig r;
	struct pkt k;

	rig_opts(&r, VP_MODE_PREVENT);
	rig_start(&r, ATTACK_RULE);
	tcp4(&k, CLIENT, SERVER, 40010, 80, VP_TCP_ACK | VP_TCP_PSH, 1, 1, ATTACK);
	k.b[37] ^= 0x55;	/* TCP checksum */
	ck_assert_int_eq(feed(&r, &k), VP_ENGINE_ACCEPT);
	/* Unfinished checksums (offload) are never taken for bad ones. */
	r.ts.tv_usec += 1;
	ck_assert_int_ne(vp_engine_packet(r.w, k.b, k.len, &r.ts, true), VP_ENGINE_ACCEPT);
	vp_engine_stats(r.w, &s);
	ck_assert_uint_eq(s.bad_checksum, 1);
	json_decref(rig_finish(&r));
}
END_TEST

START_TEST(test_tcp_flow_cap)
{
	struct rig r;
	struct pkt k;
	json_t *ev;

	rig_opts(&r, VP_MODE_DETECT);
	r.o.flow_limits.max_tcp = 2;
	rig_start(&r, NULL);
	tcp4(&k, CLIENT, SERVER, 50001, 80, VP_TCP_SYN, 1, 0, NULL);
	ck_assert_int_eq(feed(&r, &k), VP_ENGINE_ACCEPT);
	tcp4(&k, CLIENT, SERVER, 50002, 80, VP_TCP_SYN, 1, 0, NULL);
	ck_assert_int_eq(feed(&r, &k), VP_ENGINE_ACCEPT);
	tcp4(&k, CLIENT, SERVER, 50003, 80, VP_TCP_SYN, 1, 0, NULL);
	ck_assert_int_eq(feed(&r, &k), VP_ENGINE_DROP);
	/* The tracked ones go on. */
	tcp4(&k, SERVER, CLIENT, 80, 50001, VP_TCP_SYN | VP_TCP_ACK, 9, 2, NULL);
	ck_assert_int_eq(feed(&r, &k), VP_ENGINE_ACCEPT);
	ev = rig_finish(&r);
	ck_assert_uint_eq(json_array_size(ev), 1);
	ck_assert_int_eq(int_at(ev, 0, "alert", "signature_id"), 9000006);
	json_decref(ev);
}
END_TEST

START_TEST(test_eve_format_exact)
{
	struct vp_event e = { 0 };
	char buf[2048];

	e.ts.tv_sec = 1795867200;
	e.ts.tv_usec = 5;
	e.flow_id = 123;
	e.src.family = AF_INET;
	inet_pton(AF_INET, "203.0.113.5", e.src.a);
	e.dst.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::1", e.dst.a);
	e.sport = 40000;
	e.dport = 80;
	e.has_ports = true;
	e.proto = 6;
	e.blocked = true;
	e.gid = 1;
	e.sid = 1000001;
	e.rev = 1;
	e.severity = 1;
	e.msg = "quote \" and \\ and \x01";
	e.category = "Web Application Attack";
	e.metadata_json = "{\"cve\":[\"CVE-2021-41773\"]}";
	ck_assert_int_gt(vp_eve_format(&e, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf,
		"{\"timestamp\":\"2026-11-28T12:00:00.000005+0000\",\"flow_id\":123,"
		"\"event_type\":\"alert\",\"src_ip\":\"203.0.113.5\",\"src_port\":40000,"
		"\"dest_ip\":\"2001:db8::1\",\"dest_port\":80,\"proto\":\"TCP\","
		"\"alert\":{\"action\":\"blocked\",\"gid\":1,\"signature_id\":1000001,\"rev\":1,"
		"\"signature\":\"quote \\\" and \\\\ and \\u0001\","
		"\"category\":\"Web Application Attack\",\"severity\":1,"
		"\"metadata\":{\"cve\":[\"CVE-2021-41773\"]}}}");
	ck_assert_int_eq(vp_eve_format(&e, buf, 32), -ENOSPC);
}
END_TEST

/* A transaction event record as the engine fills it (fields of bug-130's shape). */
static void http_record(struct vp_event *e, uint8_t type)
{
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->ts.tv_sec = 1795867200;
	e->flow_id = 7;
	e->pcap_cnt = 12;
	e->src.family = AF_INET;
	inet_pton(AF_INET, "192.0.2.10", e->src.a);
	e->dst.family = AF_INET;
	inet_pton(AF_INET, "203.0.113.5", e->dst.a);
	e->sport = 80;
	e->dport = 40000;
	e->has_ports = true;
	e->proto = 6;
	e->app_http = true;
	e->has_tx_id = true;
	e->tx_id = 3;
	e->has_http = true;
	snprintf(e->http_hostname, sizeof(e->http_hostname), "example.test");
	snprintf(e->http_url, sizeof(e->http_url), "/dl/a.bin?x=1");
	snprintf(e->http_method, sizeof(e->http_method), "GET");
	snprintf(e->http_protocol, sizeof(e->http_protocol), "HTTP/1.1");
	snprintf(e->http_user_agent, sizeof(e->http_user_agent), "ua\xff");
	snprintf(e->http_content_type, sizeof(e->http_content_type), "text/html");
	e->has_status = true;
	e->http_status = 200;
	e->has_length = true;
	e->http_length = 14;
	e->file_size = 14;
}

#define HTTP_OBJ "\"http\":{\"hostname\":\"example.test\",\"url\":\"/dl/a.bin?x=1\"," \
	"\"http_user_agent\":\"ua\xef\xbf\xbd\",\"http_content_type\":\"text/html\"," \
	"\"http_method\":\"GET\",\"protocol\":\"HTTP/1.1\",\"status\":200,\"length\":14}"
#define HDR "{\"timestamp\":\"2026-11-28T12:00:00.000000+0000\",\"flow_id\":7,\"pcap_cnt\":12,"
#define ADDRS "\"src_ip\":\"192.0.2.10\",\"src_port\":80,\"dest_ip\":\"203.0.113.5\"," \
	"\"dest_port\":40000,\"proto\":\"TCP\","

START_TEST(test_eve_format_http)
{
	struct vp_event e;
	char buf[2048];

	http_record(&e, VP_EVENT_HTTP);
	ck_assert_int_gt(vp_eve_format(&e, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, HDR "\"event_type\":\"http\"," ADDRS "\"tx_id\":3," HTTP_OBJ "}");
	/* No response yet: no status, length 0; empty fields are left out. */
	e.has_status = false;
	e.http_length = 0;
	e.http_user_agent[0] = e.http_content_type[0] = e.http_protocol[0] = '\0';
	e.pcap_cnt = 0;
	ck_assert_int_gt(vp_eve_format(&e, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "{\"timestamp\":\"2026-11-28T12:00:00.000000+0000\",\"flow_id\":7,"
		"\"event_type\":\"http\"," ADDRS "\"tx_id\":3,\"http\":{\"hostname\":\"example.test\","
		"\"url\":\"/dl/a.bin?x=1\",\"http_method\":\"GET\",\"length\":0}}");
}
END_TEST

START_TEST(test_eve_format_fileinfo)
{
	struct vp_event e;
	char buf[2048];

	http_record(&e, VP_EVENT_FILEINFO);
	ck_assert_int_gt(vp_eve_format(&e, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, HDR "\"event_type\":\"fileinfo\"," ADDRS "\"app_proto\":\"http\","
		HTTP_OBJ ",\"fileinfo\":{\"filename\":\"/dl/a.bin\",\"gaps\":false,"
		"\"state\":\"CLOSED\",\"stored\":false,\"size\":14,\"tx_id\":3}}");
	e.file_state = VP_FILE_TRUNCATED;
	e.file_gaps = true;
	ck_assert_int_gt(vp_eve_format(&e, buf, sizeof(buf)), 0);
	ck_assert_ptr_nonnull(strstr(buf, "\"gaps\":true,\"state\":\"TRUNCATED\""));
	/* An alert of the transaction: tx_id and app_proto too. */
	e.type = VP_EVENT_ALERT;
	e.msg = "m";
	e.category = "";
	ck_assert_int_gt(vp_eve_format(&e, buf, sizeof(buf)), 0);
	ck_assert_ptr_nonnull(strstr(buf, "\"proto\":\"TCP\",\"tx_id\":3,\"alert\":{"));
	ck_assert_ptr_nonnull(strstr(buf, "\"severity\":0},\"app_proto\":\"http\",\"http\":{"));
	ck_assert_ptr_null(strstr(buf, "fileinfo"));
	e.type = 9;
	ck_assert_int_lt(vp_eve_format(&e, buf, sizeof(buf)), 0);
	ck_assert_str_eq(vp_event_type_name(VP_EVENT_FILEINFO), "fileinfo");
	ck_assert_ptr_null(vp_event_type_name(9));
}
END_TEST

/* One request and its 14-byte response, then both FINs. */
static void exchange(struct rig *r, uint16_t cport, bool disposition)
{
	const char *resp = disposition ?
		"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=x\r\n"
		"Content-Disposition: attachment; filename=\"e.txt\"\r\n"
		"Content-Length: 14\r\n\r\nHello, world!\n" :
		"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=x\r\n"
		"Content-Length: 14\r\n\r\nHello, world!\n";
	static const char req[] = "GET /f.txt?q HTTP/1.1\r\nHost: Example.TEST\r\n"
				  "User-Agent: t\r\n\r\n";
	struct pkt k;

	ck_assert_int_eq(session(r, cport, req), VP_ENGINE_ACCEPT);
	tcp4(&k, SERVER, CLIENT, 80, cport, VP_TCP_ACK | VP_TCP_PSH, 5001,
	     1001 + (uint32_t)strlen(req), resp);
	ck_assert_int_eq(feed(r, &k), VP_ENGINE_ACCEPT);
}

START_TEST(test_http_and_fileinfo_events)
{
	struct rig r;
	json_t *ev;

	rig_opts(&r, VP_MODE_DETECT);
	r.o.eve_types = VP_EVE_HTTP | VP_EVE_FILEINFO | (_i ? VP_EVE_ALERT : 0);
	rig_start(&r, "alert tcp any any -> any 80 (msg:\"a\"; content:\"f.txt\"; sid:5;)");
	exchange(&r, 40100, _i);
	ev = rig_finish(&r);
	ck_assert_uint_eq(json_array_size(ev), _i ? 3 : 2);
	if (_i) {
		ck_assert_str_eq(str_at(ev, 0, NULL, "event_type"), "alert");
		ck_assert_str_eq(str_at(ev, 0, NULL, "app_proto"), "http");
		ck_assert_int_eq(int_at(ev, 0, NULL, "tx_id"), 0);
		json_array_remove(ev, 0);
	}
	ck_assert_str_eq(str_at(ev, 0, NULL, "event_type"), "fileinfo");
	ck_assert_str_eq(str_at(ev, 0, NULL, "src_ip"), SERVER);
	ck_assert_str_eq(str_at(ev, 0, "fileinfo", "filename"), _i ? "e.txt" : "/f.txt");
	ck_assert_str_eq(str_at(ev, 0, "fileinfo", "state"), "CLOSED");
	ck_assert_int_eq(int_at(ev, 0, "fileinfo", "size"), 14);
	ck_assert_str_eq(str_at(ev, 1, NULL, "event_type"), "http");
	ck_assert_str_eq(str_at(ev, 1, NULL, "src_ip"), CLIENT);
	ck_assert_int_eq(int_at(ev, 1, NULL, "dest_port"), 80);
	ck_assert_str_eq(str_at(ev, 1, "http", "hostname"), "example.test");
	ck_assert_str_eq(str_at(ev, 1, "http", "url"), "/f.txt?q");
	ck_assert_str_eq(str_at(ev, 1, "http", "http_user_agent"), "t");
	ck_assert_str_eq(str_at(ev, 1, "http", "http_content_type"), "text/plain");
	ck_assert_int_eq(int_at(ev, 1, "http", "status"), 200);
	ck_assert_int_eq(int_at(ev, 1, "http", "length"), 14);
	ck_assert_ptr_null(json_object_get(json_array_get(ev, 1), "pcap_cnt"));
	json_decref(ev);
}
END_TEST

/*
 * A request never answered gets its http event when the capture ends (flush), after the
 * answered one's events, and the answered transaction is not logged again.
 */
START_TEST(test_http_unanswered_at_flush)
{
	static const char req[] = "GET /lonely HTTP/1.1\r\nHost: u.test\r\n\r\n";
	struct rig r;
	json_t *ev;

	rig_opts(&r, VP_MODE_DETECT);
	r.o.eve_types = VP_EVE_HTTP | VP_EVE_FILEINFO;
	rig_start(&r, NULL);
	exchange(&r, 40200, false);
	ck_assert_int_eq(session(&r, 40201, req), VP_ENGINE_ACCEPT);
	vp_engine_flush(r.w);
	ev = rig_finish(&r);
	ck_assert_uint_eq(json_array_size(ev), 3);
	ck_assert_str_eq(str_at(ev, 0, NULL, "event_type"), "fileinfo");
	ck_assert_str_eq(str_at(ev, 1, NULL, "event_type"), "http");
	ck_assert_str_eq(str_at(ev, 1, "http", "url"), "/f.txt?q");
	ck_assert_str_eq(str_at(ev, 2, NULL, "event_type"), "http");
	ck_assert_str_eq(str_at(ev, 2, NULL, "src_ip"), CLIENT);
	ck_assert_int_eq(int_at(ev, 2, NULL, "src_port"), 40201);
	ck_assert_int_eq(int_at(ev, 2, NULL, "dest_port"), 80);
	ck_assert_int_eq(int_at(ev, 2, NULL, "tx_id"), 0);
	ck_assert_str_eq(str_at(ev, 2, "http", "url"), "/lonely");
	ck_assert_str_eq(str_at(ev, 2, "http", "hostname"), "u.test");
	ck_assert_ptr_null(json_object_get(json_object_get(json_array_get(ev, 2), "http"),
					   "status"));
	ck_assert_int_eq(int_at(ev, 2, "http", "length"), 0);
	json_decref(ev);
}
END_TEST

/*
 * A request that is not HTTP (binary bytes to port 80) answered by an HTTP error: the
 * response is still a transaction, logged with its own fields (suricata-verify
 * http-not09-file): a fileinfo event for its body and an http event.
 */
START_TEST(test_http_response_without_request)
{
	static const char req[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 binary";
	static const char resp[] = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\n"
				   "Content-Length: 5\r\nConnection: close\r\n\r\nnope\n";
	struct rig r;
	struct pkt k;
	json_t *ev;

	rig_opts(&r, VP_MODE_DETECT);
	r.o.eve_types = VP_EVE_HTTP | VP_EVE_FILEINFO;
	rig_start(&r, NULL);
	ck_assert_int_eq(session(&r, 40300, req), VP_ENGINE_ACCEPT);
	tcp4(&k, SERVER, CLIENT, 80, 40300, VP_TCP_ACK | VP_TCP_PSH, 5001,
	     1001 + (uint32_t)strlen(req), resp);
	ck_assert_int_eq(feed(&r, &k), VP_ENGINE_ACCEPT);
	vp_engine_flush(r.w);
	ev = rig_finish(&r);
	ck_assert_uint_ge(json_array_size(ev), 2);
	ck_assert_str_eq(str_at(ev, 0, NULL, "event_type"), "fileinfo");
	ck_assert_int_eq(int_at(ev, 0, "fileinfo", "size"), 5);
	ck_assert_str_eq(str_at(ev, 1, NULL, "event_type"), "http");
	ck_assert_int_eq(int_at(ev, 1, NULL, "dest_port"), 80);
	ck_assert_int_eq(int_at(ev, 1, "http", "status"), 400);
	ck_assert_str_eq(str_at(ev, 1, "http", "url"), "");	/* there was none */
	ck_assert_ptr_null(json_object_get(json_object_get(json_array_get(ev, 1), "http"),
					   "http_method"));
	json_decref(ev);
}
END_TEST

/*
 * More open HTTP connections than buffer memories (4096 per worker here): the later
 * ones are scanned without one, counted, and their rules still match.
 */
START_TEST(test_buf_mem_pool_exhausted)
{
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
	struct vp_engine_stats s;
	char req[128];
	struct rig r;
	struct pkt k;
	unsigned i, n = 4100;

	rig_opts(&r, VP_MODE_DETECT);
	rig_start(&r, "alert http any any -> any any (flow:to_server; http.uri; "
		      "content:\"/last\"; sid:7;)");
	for (i = 0; i < n; i++) {
		snprintf(req, sizeof(req), "GET /%s?%u HTTP/1.1\r\nHost: h\r\n\r\n",
			 i + 3 >= n ? "last" : "first", i);
		ck_assert_int_eq(session(&r, (uint16_t)(20000 + i), req), VP_ENGINE_ACCEPT);
		tcp4(&k, SERVER, CLIENT, 80, (uint16_t)(20000 + i), VP_TCP_ACK | VP_TCP_PSH, 5001,
		     1001 + (uint32_t)strlen(req), resp);
		ck_assert_int_eq(feed(&r, &k), VP_ENGINE_ACCEPT);	/* the flow stays open */
	}
	vp_engine_stats(r.w, &s);
	ck_assert_uint_eq(s.alerts, 3);			/* the last three: no memory */
	ck_assert_uint_ge(s.prefilter_mem_exhausted, 4);
	json_decref(rig_finish(&r));
}
END_TEST

START_TEST(test_default_alerts_only)
{
	struct rig r;
	json_t *ev;

	rig_opts(&r, VP_MODE_DETECT);
	rig_start(&r, "alert tcp any any -> any 80 (msg:\"a\"; content:\"f.txt\"; sid:5;)");
	vp_engine_set_pcap_cnt(r.w, 4);
	exchange(&r, 40101, false);
	ev = rig_finish(&r);
	ck_assert_uint_eq(json_array_size(ev), 1);
	ck_assert_str_eq(str_at(ev, 0, NULL, "event_type"), "alert");
	ck_assert_int_eq(int_at(ev, 0, NULL, "pcap_cnt"), 4);
	json_decref(ev);
}
END_TEST

START_TEST(test_eve_ring_full_counts)
{
	struct vp_event e = { 0 };
	uint64_t written, lost;
	struct vp_eve *eve;
	char err[128];
	int i;

	eve = vp_eve_open("/dev/null", 1, 16, err, sizeof(err));
	ck_assert_ptr_nonnull(eve);
	for (i = 0; i < 20; i++)
		vp_eve_push(vp_eve_ring(eve, 0), &e);
	vp_eve_flush(eve);
	vp_eve_counts(eve, &written, &lost);
	ck_assert_uint_eq(written, 16);
	ck_assert_uint_eq(lost, 4);
	vp_eve_close(eve);
	ck_assert_ptr_null(vp_eve_open("/nonexistent/dir/eve.json", 1, 16, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
}
END_TEST

static Suite *engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_detect_allows_and_logs);
	tcase_add_test(tc, test_prevent_blocks_flow);
	tcase_add_test(tc, test_alert_rule_never_blocks);
	tcase_add_test(tc, test_reject_resets_without_reset_blocked);
	tcase_add_loop_test(tc, test_bad_ip_header, 0, sizeof(viol_cases) / sizeof(viol_cases[0]));
	tcase_add_loop_test(tc, test_same_address, 0, sizeof(viol_cases) / sizeof(viol_cases[0]));
	tcase_add_test(tc, test_bad_checksum_not_inspected);
	tcase_add_test(tc, test_tcp_flow_cap);
	tcase_add_test(tc, test_eve_format_exact);
	tcase_add_test(tc, test_eve_ring_full_counts);
	tcase_add_test(tc, test_eve_format_http);
	tcase_add_test(tc, test_eve_format_fileinfo);
	tcase_add_loop_test(tc, test_http_and_fileinfo_events, 0, 2);
	tcase_add_test(tc, test_http_unanswered_at_flush);
	tcase_add_test(tc, test_http_response_without_request);
	tcase_add_test(tc, test_buf_mem_pool_exhausted);
	tcase_add_test(tc, test_default_alerts_only);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(engine_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
