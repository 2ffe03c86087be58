/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/nft.h"

#define MAX_ERRS 128

/* What the error callback saw: "LINE: message", file names checked separately. */
struct errs {
	const char *want_file;
	unsigned n;
	char msg[MAX_ERRS][600];
	bool bad_file;
};

static void collect(void *ctx, const char *file, unsigned line, const char *msg)
{
	struct errs *e = ctx;

	if (strcmp(file, e->want_file) != 0)
		e->bad_file = true;
	if (e->n < MAX_ERRS)
		snprintf(e->msg[e->n], sizeof(e->msg[0]), "%u: %s", line, msg);
	e->n++;
}

static char tmpdir[] = "/tmp/test_config.XXXXXX";
static char path[256];

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/vpatchd.conf", tmpdir);
}

static void teardown(void)
{
	unlink(path);
	rmdir(tmpdir);
	memcpy(tmpdir + strlen(tmpdir) - 6, "XXXXXX", 6);
}

static void write_file(const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* Loads <text> over fresh defaults; returns vp_config_load()'s result. */
static int load_text(struct vp_config *cfg, const char *text, size_t len, struct errs *e)
{
	memset(e, 0, sizeof(*e));
	e->want_file = path;
	ck_assert_int_eq(vp_config_init(cfg), 0);
	write_file(text, len);
	return vp_config_load(cfg, path, false, collect, e);
}

static void render_strv(char *out, size_t size, char **v, size_t n)
{
	size_t i, len;

	snprintf(out, size, "[");
	for (i = 0; i < n; i++) {
		len = strlen(out);
		snprintf(out + len, size - len, "%s%s", i ? "," : "", v[i]);
	}
	len = strlen(out);
	snprintf(out + len, size - len, "]");
}

/* The value of <key> in <cfg> as text, to compare in tables. */
static void render(const struct vp_config *cfg, const char *key, char *out, size_t size)
{
	size_t i, len;
	int b;

	if (strcmp(key, "mode") == 0)
		snprintf(out, size, "%s", vp_mode_name(cfg->mode));
	else if (strcmp(key, "rules") == 0)
		render_strv(out, size, cfg->rules, cfg->n_rules);
	else if (strcmp(key, "eve") == 0)
		snprintf(out, size, "%s", cfg->eve);
	else if (strcmp(key, "classification_file") == 0)
		snprintf(out, size, "%s", cfg->classification);
	else if (strcmp(key, "queue") == 0)
		snprintf(out, size, "%u", cfg->queue);
	else if (strcmp(key, "threads") == 0)
		snprintf(out, size, "%u", cfg->threads);
	else if (strcmp(key, "queue_maxlen") == 0)
		snprintf(out, size, "%u", cfg->queue_maxlen);
	else if (strcmp(key, "fail_open") == 0)
		snprintf(out, size, "%s", cfg->fail_open ? "yes" : "no");
	else if (strcmp(key, "max_tcp_flows") == 0)
		snprintf(out, size, "%" PRIu32, cfg->max_tcp_flows);
	else if (strcmp(key, "max_udp_flows") == 0)
		snprintf(out, size, "%" PRIu32, cfg->max_udp_flows);
	else if (strcmp(key, "nft_loopback") == 0)
		snprintf(out, size, "%s", cfg->nft_loopback ? "yes" : "no");
	else if (strcmp(key, "nft_interfaces") == 0)
		render_strv(out, size, cfg->nft_interfaces, cfg->n_nft_interfaces);
	else if (strcmp(key, "nft_mark") == 0)
		snprintf(out, size, "0x%" PRIx32, cfg->nft_mark);
	else if (strcmp(key, "reset_blocked") == 0)
		snprintf(out, size, "%s", cfg->reset_blocked ? "yes" : "no");
	else if (strcmp(key, "checksum_checks") == 0)
		snprintf(out, size, "%s", cfg->checksum_checks ? "yes" : "no");
	else if (strcmp(key, "midstream") == 0)
		snprintf(out, size, "%s", cfg->midstream ? "yes" : "no");
	else if (strcmp(key, "uri_max_slashes") == 0)
		snprintf(out, size, "%" PRIu32, cfg->uri_max_slashes);
	else if (strcmp(key, "eve_types") == 0)
		snprintf(out, size, "0x%" PRIx32, cfg->eve_types);
	else if (strcmp(key, "stream_memcap") == 0)
		snprintf(out, size, "%" PRIu32, cfg->stream_memcap_mb);
	else if (strcmp(key, "stream_depth") == 0)
		snprintf(out, size, "%" PRIu32, cfg->stream_depth_kb);
	else if (strcmp(key, "http_memcap") == 0)
		snprintf(out, size, "%" PRIu32, cfg->http_memcap_mb);
	else if (strcmp(key, "http_body_depth") == 0)
		snprintf(out, size, "%" PRIu32, cfg->http_body_depth_kb);
	else if (strcmp(key, "http_decompress_layers") == 0)
		snprintf(out, size, "%" PRIu32, cfg->http_decompress_layers);
	else if (strcmp(key, "detect_port_groups") == 0)
		snprintf(out, size, "%" PRIu32, cfg->detect_port_groups);
	else if (strcmp(key, "pcre_match_limit") == 0)
		snprintf(out, size, "%" PRIu32, cfg->pcre_match_limit);
	else if (strcmp(key, "pcre_depth_limit") == 0)
		snprintf(out, size, "%" PRIu32, cfg->pcre_depth_limit);
	else if (strcmp(key, "pcre_heap_limit") == 0)
		snprintf(out, size, "%" PRIu32, cfg->pcre_heap_limit_kb);
	else if (strcmp(key, "threshold_entries") == 0)
		snprintf(out, size, "%" PRIu32, cfg->threshold_entries);
	else if (strcmp(key, "xff") == 0)
		snprintf(out, size, "%u", cfg->xff_mode);
	else if (strcmp(key, "xff_deployment") == 0)
		snprintf(out, size, "%u", cfg->xff_deployment);
	else if (strcmp(key, "xff_header") == 0)
		snprintf(out, size, "%s", cfg->xff_header);
	else if (strcmp(key, "nft_ports") == 0) {
		snprintf(out, size, "[");
		for (i = 0; i < cfg->n_nft_ports; i++) {
			len = strlen(out);
			snprintf(out + len, size - len, "%s%u", i ? "," : "", cfg->nft_ports[i]);
		}
		len = strlen(out);
		snprintf(out + len, size - len, "]");
	} else if (strncmp(key, "violation.", 10) == 0) {
		b = vp_builtin_by_name(key + 10);
		ck_assert_int_ge(b, 0);
		snprintf(out, size, "%s", vp_policy_name(cfg->violation[b]));
	} else {
		const char *v = vp_vars_get(cfg->vars, key);

		snprintf(out, size, "%s", v ? v : "(unset)");
	}
}

/* ---- defaults ---- */

static const struct { const char *key, *want; } default_cases[] = {
	{ "mode", "prevent" },
	{ "rules", "[/usr/share/vpatch/signatures,/etc/vpatch/rules.d]" },
	{ "eve", "/var/log/vpatch/eve.json" },
	{ "classification_file", "/etc/vpatch/classification.config" },
	{ "queue", "0" },
	{ "queue_maxlen", "4096" },
	{ "fail_open", "yes" },
	{ "max_tcp_flows", "100000" },
	{ "max_udp_flows", "100000" },
	{ "nft_loopback", "no" },
	{ "nft_interfaces", "[]" },
	{ "nft_ports", "[]" },
	{ "nft_mark", "0x7670" },
	{ "reset_blocked", "yes" },
	{ "checksum_checks", "yes" },
	{ "midstream", "yes" },
	{ "eve_types", "0x1" },
	{ "uri_max_slashes", "100" },
	{ "stream_memcap", "32" },
	{ "stream_depth", "1024" },
	{ "http_memcap", "64" },
	{ "http_body_depth", "64" },
	{ "http_decompress_layers", "2" },
	{ "detect_port_groups", "8" },
	{ "pcre_match_limit", "3500" },
	{ "pcre_depth_limit", "1500" },
	{ "pcre_heap_limit", "4096" },
	{ "threshold_entries", "16384" },
	{ "xff", "0" },
	{ "xff_deployment", "0" },
	{ "xff_header", "X-Forwarded-For" },
	{ "violation.bad_ip_header", "block" },
	{ "violation.same_address", "block" },
	{ "violation.uri_bad_char", "block" },
	{ "violation.uri_too_many_slashes", "block" },
	{ "violation.uri_above_root", "block" },
	{ "violation.tcp_flow_cap", "block" },
	{ "violation.udp_flow_cap", "block" },
	{ "violation.resource_exhausted", "block" },
	{ "HOME_NET", "[10.0.0.0/8,172.16.0.0/12,192.168.0.0/16]" },
	{ "EXTERNAL_NET", "any" },
	{ "HTTP_PORTS", "[80,8080]" },
	{ "HTTP_SERVERS", "$HOME_NET" },
	{ "SMTP_SERVERS", "$HOME_NET" },
	{ "SQL_SERVERS", "$HOME_NET" },
	{ "DNS_SERVERS", "$HOME_NET" },
	{ "TELNET_SERVERS", "$HOME_NET" },
	{ "AIM_SERVERS", "$EXTERNAL_NET" },
	{ "DC_SERVERS", "$HOME_NET" },
	{ "DNP3_SERVER", "$HOME_NET" },
	{ "DNP3_CLIENT", "$HOME_NET" },
	{ "MODBUS_CLIENT", "$HOME_NET" },
	{ "MODBUS_SERVER", "$HOME_NET" },
	{ "ENIP_CLIENT", "$HOME_NET" },
	{ "ENIP_SERVER", "$HOME_NET" },
	{ "SHELLCODE_PORTS", "!80" },
	{ "ORACLE_PORTS", "1521" },
	{ "SSH_PORTS", "22" },
	{ "DNP3_PORTS", "20000" },
	{ "MODBUS_PORTS", "502" },
	{ "FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]" },
	{ "FTP_PORTS", "21" },
	{ "GENEVE_PORTS", "6081" },
	{ "VXLAN_PORTS", "4789" },
	{ "TEREDO_PORTS", "3544" },
};

START_TEST(test_default_cases)
{
	struct vp_config cfg;
	char got[256];

	ck_assert_int_eq(vp_config_init(&cfg), 0);
	render(&cfg, default_cases[_i].key, got, sizeof(got));
	ck_assert_str_eq(got, default_cases[_i].want);
	vp_config_free(&cfg);
}
END_TEST

START_TEST(test_defaults_threads_and_vars)
{
	struct vp_config cfg;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t i;

	ck_assert_int_eq(vp_config_init(&cfg), 0);
	ck_assert_uint_eq(cfg.threads, cpus < 1 ? 1 : cpus > 64 ? 64 : (unsigned)cpus);
	ck_assert_uint_eq(vp_vars_count(cfg.vars), 26);
	/* every default variable name is upper case */
	for (i = 0; i < vp_vars_count(cfg.vars); i++) {
		const char *n = vp_vars_name(cfg.vars, i);

		ck_assert_uint_eq(strspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"), strlen(n));
	}
	vp_config_free(&cfg);
	ck_assert_ptr_null(cfg.vars);
	vp_config_free(&cfg);	/* idempotent */
	vp_config_free(NULL);
}
END_TEST

/* ---- valid values ---- */

static const struct { const char *text, *key, *want; } valid_cases[] = {
	{ "mode = detect", "mode", "detect" },
	{ "mode = prevent", "mode", "prevent" },
	{ "mode=detect", "mode", "detect" },
	{ "  mode\t=\tdetect  ", "mode", "detect" },
	{ "mode = \"detect\"", "mode", "detect" },
	{ "rules = /a.rules", "rules", "[/a.rules]" },
	{ "rules = [/a, /b/c.rules]", "rules", "[/a,/b/c.rules]" },
	{ "rules = [ \"/x y/a,b.rules\" , '/c' ]", "rules", "[/x y/a,b.rules,'/c']" },
	{ "rules = [\"/a#b\", /c#d]", "rules", "[/a#b,/c#d]" },
	{ "rules = []", "rules", "[]" },
	{ "rules = [ ]", "rules", "[]" },
	{ "rules = [\"q\\\"uote\", \"back\\\\slash\"]", "rules", "[q\"uote,back\\slash]" },
	{ "eve = -", "eve", "-" },
	{ "eve = /tmp/e v e.json", "eve", "/tmp/e v e.json" },
	{ "eve = /tmp/a#b.json", "eve", "/tmp/a#b.json" },
	{ "eve = /tmp/x.json # comment", "eve", "/tmp/x.json" },
	{ "eve = /tmp/x.json\t# comment", "eve", "/tmp/x.json" },
	{ "eve = \"/tmp/x #y.json\" # comment", "eve", "/tmp/x #y.json" },
	{ "classification_file = /etc/c.config", "classification_file", "/etc/c.config" },
	{ "queue = 0", "queue", "0" },
	{ "queue = 65535", "queue", "65535" },
	{ "queue = 007", "queue", "7" },
	{ "threads = 1", "threads", "1" },
	{ "threads = 64", "threads", "64" },
	{ "queue_maxlen = 1", "queue_maxlen", "1" },
	{ "queue_maxlen = 1048576", "queue_maxlen", "1048576" },
	{ "fail_open = no", "fail_open", "no" },
	{ "fail_open = off", "fail_open", "no" },
	{ "fail_open = false", "fail_open", "no" },
	{ "fail_open = 0", "fail_open", "no" },
	{ "fail_open = NO", "fail_open", "no" },
	{ "fail_open = yes", "fail_open", "yes" },
	{ "fail_open = True", "fail_open", "yes" },
	{ "fail_open = on", "fail_open", "yes" },
	{ "fail_open = 1", "fail_open", "yes" },
	{ "max_tcp_flows = 1", "max_tcp_flows", "1" },
	{ "max_tcp_flows = 10000000", "max_tcp_flows", "10000000" },
	{ "max_udp_flows = 5000", "max_udp_flows", "5000" },
	{ "nft_loopback = yes", "nft_loopback", "yes" },
	{ "nft_interfaces = eth0", "nft_interfaces", "[eth0]" },
	{ "nft_interfaces = [eth0, ens3, enp0s31f6.100]", "nft_interfaces",
	  "[eth0,ens3,enp0s31f6.100]" },
	{ "nft_interfaces = [abcdefghijklmno]", "nft_interfaces", "[abcdefghijklmno]" },
	{ "nft_interfaces = []", "nft_interfaces", "[]" },
	{ "nft_ports = 80", "nft_ports", "[80]" },
	{ "nft_ports = [1, 443, 65535]", "nft_ports", "[1,443,65535]" },
	{ "nft_mark = 1", "nft_mark", "0x1" },
	{ "nft_mark = 0x7671", "nft_mark", "0x7671" },
	{ "nft_mark = 0XFFFFFFFF", "nft_mark", "0xffffffff" },
	{ "nft_mark = 4294967295", "nft_mark", "0xffffffff" },
	{ "reset_blocked = no", "reset_blocked", "no" },
	{ "checksum_checks = off", "checksum_checks", "no" },
	{ "midstream = no", "midstream", "no" },
	{ "eve_types = [alert, http, fileinfo, flow]", "eve_types", "0xf" },
	{ "eve_types = http", "eve_types", "0x2" },
	{ "eve_types = [fileinfo, \"alert\", fileinfo]", "eve_types", "0x5" },
	{ "eve_types = []", "eve_types", "0x0" },
	{ "uri_max_slashes = 20", "uri_max_slashes", "20" },
	{ "stream_depth = 0", "stream_depth", "0" },
	{ "http_body_depth = 1024", "http_body_depth", "1024" },
	{ "http_decompress_layers = 3", "http_decompress_layers", "3" },
	{ "detect_port_groups = 1", "detect_port_groups", "1" },
	{ "pcre_match_limit = 100000", "pcre_match_limit", "100000" },
	{ "threshold_entries = 1024", "threshold_entries", "1024" },
	{ "xff = overwrite", "xff", "2" },
	{ "xff = extra-data", "xff", "1" },
	{ "xff_deployment = forward", "xff_deployment", "1" },
	{ "xff_header = X-Real-IP", "xff_header", "X-Real-IP" },
	{ "violation.same_address = log", "violation.same_address", "log" },
	{ "violation.uri_too_many_slashes = off", "violation.uri_too_many_slashes", "off" },
	{ "violation.resource_exhausted = block", "violation.resource_exhausted", "block" },
	{ "violation.bad_ip_header = \"log\"", "violation.bad_ip_header", "log" },
	/* rule variables */
	{ "home_net = [10.1.0.0/16, 192.0.2.1]", "HOME_NET", "[10.1.0.0/16,192.0.2.1]" },
	{ "HOME_NET = 10.0.0.1", "HOME_NET", "10.0.0.1" },
	{ "Home_Net = any", "HOME_NET", "any" },
	{ "home_net = \"[10.0.0.0/8]\"", "HOME_NET", "[10.0.0.0/8]" },
	{ "home_net = [2001:db8::/32, fe80::1]", "HOME_NET", "[2001:db8::/32,fe80::1]" },
	{ "home_net = [10.0.0.0/8, ! [10.1.0.0/16, 10.2.0.0/16]]", "HOME_NET",
	  "[10.0.0.0/8,![10.1.0.0/16,10.2.0.0/16]]" },
	{ "external_net = !$HOME_NET", "EXTERNAL_NET", "!$HOME_NET" },
	{ "external_net = any # comment", "EXTERNAL_NET", "any" },
	{ "http_ports = [80, 8080, 8000:8100]", "HTTP_PORTS", "[80,8080,8000:8100]" },
	{ "http_ports = 443", "HTTP_PORTS", "443" },
	{ "sql_servers = [192.0.2.5]", "SQL_SERVERS", "[192.0.2.5]" },
	{ "dnp3_server = 192.0.2.6", "DNP3_SERVER", "192.0.2.6" },
	{ "modbus_client = $HOME_NET", "MODBUS_CLIENT", "$HOME_NET" },
	{ "foo_net = 198.51.100.0/24", "FOO_NET", "198.51.100.0/24" },
	{ "my_app2_ports = [ 9000 , 9001 ]", "MY_APP2_PORTS", "[9000,9001]" },
	{ "file_data_ports = [$HTTP_PORTS, 110, 143]", "FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]" },
	/* comments, blank lines, CRLF, BOM */
	{ "# comment\n\n   \n\t# indented comment\nthreads = 3\n# tail", "threads", "3" },
	{ "threads = 3\r\n", "threads", "3" },
	{ "\xef\xbb\xbfthreads = 5\n", "threads", "5" },
	{ "threads = 5", "threads", "5" },	/* no final newline */
	{ "eve = /var/log/é.json", "eve", "/var/log/é.json" },
};

START_TEST(test_valid_cases)
{
	const char *text = valid_cases[_i].text;
	struct vp_config cfg;
	struct errs e;
	char got[256];
	int ret;

	ret = load_text(&cfg, text, strlen(text), &e);
	ck_assert_msg(ret == 0, "'%s': %d problems, first: %s", text, ret, e.msg[0]);
	ck_assert_uint_eq(e.n, 0);
	render(&cfg, valid_cases[_i].key, got, sizeof(got));
	ck_assert_str_eq(got, valid_cases[_i].want);
	vp_config_free(&cfg);
}
END_TEST

/* ---- errors ---- */

static const struct { const char *text, *want; } bad_cases[] = {
	{ "foo = 1", "1: unknown key 'foo'" },
	{ "\n\nMODE = detect", "3: unknown key 'MODE'" },
	{ "violation.nope = log", "1: unknown key 'violation.nope'" },
	{ "violation. = log", "1: unknown key 'violation.'" },
	{ "net = 1.2.3.4", "1: unknown key 'net'" },
	{ "_net = 1.2.3.4", "1: unknown key '_net'" },
	{ "1x_net = 1.2.3.4", "1: unknown key '1x_net'" },
	{ "threads", "1: missing '='" },
	{ "# c\nthreads 4", "2: missing '='" },
	{ "= 4", "1: missing key before '='" },
	{ "threads =", "1: missing value for 'threads'" },
	{ "threads = # nothing", "1: missing value for 'threads'" },
	{ "eve = \"\"", "1: missing value for 'eve'" },
	{ "home_net =", "1: missing value for 'home_net'" },
	{ "mode = block", "1: bad value for 'mode': 'block' (expected detect or prevent)" },
	{ "http_decompress_layers = 9",
	  "1: bad value for 'http_decompress_layers': '9' (expected a number from 1 to 8)" },
	{ "detect_port_groups = 256",
	  "1: bad value for 'detect_port_groups': '256' (expected a number from 1 to 255)" },
	{ "pcre_heap_limit = 0",
	  "1: bad value for 'pcre_heap_limit': '0' (expected a number from 1 to 1048576)" },
	{ "xff = on", "1: bad value for 'xff': 'on' (expected off, extra-data or overwrite)" },
	{ "xff_deployment = both",
	  "1: bad value for 'xff_deployment': 'both' (expected reverse or forward)" },
	{ "xff_header = \"X Forwarded\"",
	  "1: bad value for 'xff_header': 'X Forwarded' (expected an HTTP header name of at most 64 characters)" },
	{ "mode = Detect", "1: bad value for 'mode': 'Detect' (expected detect or prevent)" },
	{ "mode = [detect]", "1: 'mode' takes a single value, not a list" },
	{ "threads = abc", "1: bad value for 'threads': 'abc' (expected a number from 1 to 64)" },
	{ "threads = 0", "1: bad value for 'threads': '0' (expected a number from 1 to 64)" },
	{ "threads = 65", "1: bad value for 'threads': '65' (expected a number from 1 to 64)" },
	{ "threads = -1", "1: bad value for 'threads': '-1' (expected a number from 1 to 64)" },
	{ "threads = +4", "1: bad value for 'threads': '+4' (expected a number from 1 to 64)" },
	{ "threads = 4 4", "1: bad value for 'threads': '4 4' (expected a number from 1 to 64)" },
	{ "threads = 0x4", "1: bad value for 'threads': '0x4' (expected a number from 1 to 64)" },
	{ "threads = 99999999999999999999",
	  "1: bad value for 'threads': '99999999999999999999' (expected a number from 1 to 64)" },
	{ "queue = 65536", "1: bad value for 'queue': '65536' (expected a number from 0 to 65535)" },
	{ "queue_maxlen = 0",
	  "1: bad value for 'queue_maxlen': '0' (expected a number from 1 to 1048576)" },
	{ "max_tcp_flows = 10000001",
	  "1: bad value for 'max_tcp_flows': '10000001' (expected a number from 1 to 10000000)" },
	{ "max_udp_flows = 0",
	  "1: bad value for 'max_udp_flows': '0' (expected a number from 1 to 10000000)" },
	{ "fail_open = maybe", "1: bad value for 'fail_open': 'maybe' (expected yes or no)" },
	{ "nft_loopback = 2", "1: bad value for 'nft_loopback': '2' (expected yes or no)" },
	{ "reset_blocked = y", "1: bad value for 'reset_blocked': 'y' (expected yes or no)" },
	{ "checksum_checks = [yes]", "1: 'checksum_checks' takes a single value, not a list" },
	{ "nft_mark = 0", "1: bad value for 'nft_mark': '0' "
	  "(expected a nonzero 32-bit number, decimal or 0x hexadecimal)" },
	{ "nft_mark = 0x", "1: bad value for 'nft_mark': '0x' "
	  "(expected a nonzero 32-bit number, decimal or 0x hexadecimal)" },
	{ "nft_mark = 0x100000000", "1: bad value for 'nft_mark': '0x100000000' "
	  "(expected a nonzero 32-bit number, decimal or 0x hexadecimal)" },
	{ "nft_mark = 0xg", "1: bad value for 'nft_mark': '0xg' "
	  "(expected a nonzero 32-bit number, decimal or 0x hexadecimal)" },
	{ "nft_ports = [80, 0]",
	  "1: bad value for 'nft_ports': '0' (expected a port from 1 to 65535)" },
	{ "nft_ports = [80, 65536]",
	  "1: bad value for 'nft_ports': '65536' (expected a port from 1 to 65535)" },
	{ "eve_types = [alert, dns]",
	  "1: bad value for 'eve_types': 'dns' (expected alert, http, fileinfo or flow)" },
	{ "eve_types = ALERT",
	  "1: bad value for 'eve_types': 'ALERT' (expected alert, http, fileinfo or flow)" },
	{ "nft_ports = http", "1: bad value for 'nft_ports': 'http' (expected a port from 1 to 65535)" },
	{ "nft_interfaces = [eth0, abcdefghijklmnop]",
	  "1: bad value for 'nft_interfaces': 'abcdefghijklmnop' "
	  "(expected an interface name of 1 to 15 characters without '/', ':' or spaces)" },
	{ "nft_interfaces = [\"eth 0\"]", "1: bad value for 'nft_interfaces': 'eth 0' "
	  "(expected an interface name of 1 to 15 characters without '/', ':' or spaces)" },
	{ "nft_interfaces = [eth0/1]", "1: bad value for 'nft_interfaces': 'eth0/1' "
	  "(expected an interface name of 1 to 15 characters without '/', ':' or spaces)" },
	{ "nft_interfaces = [..]", "1: bad value for 'nft_interfaces': '..' "
	  "(expected an interface name of 1 to 15 characters without '/', ':' or spaces)" },
	{ "violation.same_address = drop",
	  "1: bad value for 'violation.same_address': 'drop' (expected block, log or off)" },
	{ "violation.same_address = [log]",
	  "1: 'violation.same_address' takes a single value, not a list" },
	{ "rules = [/a, /b", "1: unterminated list for 'rules' (missing ']')" },
	{ "rules = [", "1: unterminated list for 'rules' (missing ']')" },
	{ "rules = [/a,, /b]", "1: empty value in the list of 'rules'" },
	{ "rules = [/a, ]", "1: empty value in the list of 'rules'" },
	{ "rules = [\"\"]", "1: empty value in the list of 'rules'" },
	{ "rules = [/a] x", "1: unexpected text after ']' in the value of 'rules'" },
	{ "rules = [/a, [/b]]", "1: unexpected '[' in the list of 'rules'" },
	{ "rules = [\"/a\" x, /b]", "1: unexpected 'x' in the list of 'rules'" },
	{ "rules = [/a\"b]", "1: unterminated quoted string" },
	{ "eve = \"/tmp/x", "1: unterminated quoted string" },
	{ "eve = \"/tmp/x\" y", "1: unexpected text after the quoted value of 'eve'" },
	{ "eve = /tmp/\"x\"", "1: unexpected '\"' in the value of 'eve' (quote the whole value)" },
	{ "mode = detect\nmode = prevent", "2: duplicate key 'mode' (first set on line 1)" },
	{ "violation.same_address = log\n\nviolation.same_address = off",
	  "3: duplicate key 'violation.same_address' (first set on line 1)" },
	{ "home_net = any\nHOME_NET = any", "2: duplicate key 'HOME_NET' (first set on line 1)" },
	{ "home_net = 10.0.0.1 10.0.0.2", "1: bad value for 'home_net': '10.0.0.1 10.0.0.2' "
	  "(expected an address, a CIDR block, any, a $VARIABLE or a list of these)" },
	{ "home_net = [10.0.0.0/8", "1: bad value for 'home_net': '[10.0.0.0/8' "
	  "(expected an address, a CIDR block, any, a $VARIABLE or a list of these)" },
	{ "home_net = 10.0.0.0/8]", "1: bad value for 'home_net': '10.0.0.0/8]' "
	  "(expected an address, a CIDR block, any, a $VARIABLE or a list of these)" },
	{ "home_net = [a;b]", "1: bad value for 'home_net': '[a;b]' "
	  "(expected an address, a CIDR block, any, a $VARIABLE or a list of these)" },
	{ "home_net = \"\"", "1: bad value for 'home_net': '\"\"' "
	  "(expected an address, a CIDR block, any, a $VARIABLE or a list of these)" },
	{ "home_net = \"any\" x", "1: unexpected text after the quoted value of 'home_net'" },
	{ "http_ports = 80 8080", "1: bad value for 'http_ports': '80 8080' "
	  "(expected a port, a range, any, a $VARIABLE or a list of these)" },
	{ "foo_ports = [[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]", "1: bad value for 'foo_ports': "
	  "'[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]' "
	  "(expected a port, a range, any, a $VARIABLE or a list of these)" },
	{ "threads = 4\x01", "1: control character 0x01 at column 12" },
	{ "threads = 4\x7f", "1: control character 0x7f at column 12" },
	{ "\n\neve = /tmp/\xff", "3: not valid UTF-8 text (byte 0xff at column 12)" },
	{ "eve = /tmp/\xc0\xaf", "1: not valid UTF-8 text (byte 0xc0 at column 12)" },	/* overlong */
	{ "eve = /tmp/\xed\xa0\x80", "1: not valid UTF-8 text (byte 0xed at column 12)" },	/* surrogate */
	{ "eve = /tmp/\xf4\x90\x80\x80", "1: not valid UTF-8 text (byte 0xf4 at column 12)" },
	{ "eve = /tmp/\xe2\x82", "1: not valid UTF-8 text (byte 0xe2 at column 12)" },	/* truncated */
	/* a long value is cut in the message without splitting a character */
	{ "threads = 123456789012345678901234567890123456789012345678901234567890123é4567",
	  "1: bad value for 'threads': "
	  "'123456789012345678901234567890123456789012345678901234567890123...' "
	  "(expected a number from 1 to 64)" },
	{ "a_very_long_key_name_that_goes_on_and_on_and_on_and_on_and_on_and_on_net = 1",
	  "1: unknown key 'a_very_long_key_name_that_goes_on_and_on_and_on_and_on_and_on_an...'" },
};

START_TEST(test_bad_cases)
{
	const char *text = bad_cases[_i].text;
	struct vp_config cfg;
	struct errs e;
	int ret;

	ret = load_text(&cfg, text, strlen(text), &e);
	ck_assert_msg(ret == 1, "'%s': %d problems", text, ret);
	ck_assert_uint_eq(e.n, 1);
	ck_assert(!e.bad_file);
	ck_assert_str_eq(e.msg[0], bad_cases[_i].want);
	vp_config_free(&cfg);
}
END_TEST

/* A bad line leaves its key as it was; the good lines around it apply. */
START_TEST(test_bad_line_keeps_value)
{
	static const char text[] =
		"threads = 7\n"
		"mode = bogus\n"
		"rules = [/a, /b\n"
		"nft_ports = [80, x]\n"
		"home_net = [1.2.3.4\n"
		"eve = /tmp/e.json\n";
	struct vp_config cfg;
	struct errs e;
	char got[256];

	ck_assert_int_eq(load_text(&cfg, text, sizeof(text) - 1, &e), 4);
	ck_assert_str_eq(e.msg[0], "2: bad value for 'mode': 'bogus' (expected detect or prevent)");
	ck_assert_str_eq(e.msg[1], "3: unterminated list for 'rules' (missing ']')");
	ck_assert_str_eq(e.msg[2],
			 "4: bad value for 'nft_ports': 'x' (expected a port from 1 to 65535)");
	ck_assert(strncmp(e.msg[3], "5: bad value for 'home_net'", 27) == 0);
	ck_assert_uint_eq(cfg.threads, 7);
	ck_assert_int_eq(cfg.mode, VP_MODE_PREVENT);
	render(&cfg, "rules", got, sizeof(got));
	ck_assert_str_eq(got, "[/usr/share/vpatch/signatures,/etc/vpatch/rules.d]");
	ck_assert_uint_eq(cfg.n_nft_ports, 0);
	ck_assert_str_eq(vp_vars_get(cfg.vars, "HOME_NET"),
			 "[10.0.0.0/8,172.16.0.0/12,192.168.0.0/16]");
	ck_assert_str_eq(cfg.eve, "/tmp/e.json");
	vp_config_free(&cfg);
}
END_TEST

START_TEST(test_three_errors)
{
	static const char text[] =
		"# vpatchd.conf\n"
		"mode = detect\n"
		"bogus = 1\n"
		"\n"
		"threads = many\n"
		"fail_open = no\n"
		"nft_ports = [80,\n";
	struct vp_config cfg;
	struct errs e;

	ck_assert_int_eq(load_text(&cfg, text, sizeof(text) - 1, &e), 3);
	ck_assert_uint_eq(e.n, 3);
	ck_assert_str_eq(e.msg[0], "3: unknown key 'bogus'");
	ck_assert_str_eq(e.msg[1],
			 "5: bad value for 'threads': 'many' (expected a number from 1 to 64)");
	ck_assert_str_eq(e.msg[2], "7: unterminated list for 'nft_ports' (missing ']')");
	ck_assert_int_eq(cfg.mode, VP_MODE_DETECT);
	ck_assert(!cfg.fail_open);
	vp_config_free(&cfg);
}
END_TEST

/* Lines up to 8192 bytes are fine; longer ones are reported and skipped whole. */
START_TEST(test_long_lines)
{
	size_t len = 3 * 8192 + 64;
	char *text = malloc(len + 1), *p;
	struct vp_config cfg;
	struct errs e;

	ck_assert_ptr_nonnull(text);
	/* line 1: exactly 8192 bytes: "eve = /" + 8185 x */
	p = text;
	memcpy(p, "eve = /", 7);
	memset(p + 7, 'x', 8192 - 7);
	p += 8192;
	*p++ = '\n';
	/* line 2: "threads = 9" and spaces, 8193 bytes: skipped whole */
	memset(p, ' ', 8193);
	memcpy(p, "threads = 9", 11);
	p[8193] = '\n';
	p += 8194;
	memcpy(p, "queue = 3\n", 10);
	p += 10;
	*p = '\0';
	ck_assert_int_eq(load_text(&cfg, text, (size_t)(p - text), &e), 2);
	/* line 1: a path longer than 4095 bytes */
	ck_assert(strncmp(e.msg[0], "1: bad value for 'eve': '/xxx", 29) == 0);
	ck_assert(strstr(e.msg[0], "...' (expected a path of at most 4095 bytes)"));
	ck_assert_str_eq(e.msg[1], "2: line too long (more than 8192 bytes)");
	ck_assert_uint_ne(cfg.threads, 9);
	ck_assert_uint_eq(cfg.queue, 3);
	vp_config_free(&cfg);
	free(text);
}
END_TEST

START_TEST(test_nul_bytes)
{
	static const char text[] = "threads = 2\nmode\0 = detect\n\0\0\0\nqueue = 5\n";
	struct vp_config cfg;
	struct errs e;

	ck_assert_int_eq(load_text(&cfg, text, sizeof(text) - 1, &e), 2);
	ck_assert_str_eq(e.msg[0], "2: NUL byte at column 5 (not a text file?)");
	ck_assert_str_eq(e.msg[1], "3: NUL byte at column 1 (not a text file?)");
	ck_assert_uint_eq(cfg.threads, 2);
	ck_assert_uint_eq(cfg.queue, 5);
	ck_assert_int_eq(cfg.mode, VP_MODE_PREVENT);
	vp_config_free(&cfg);
}
END_TEST

/* A binary file stops after 100 problems instead of flooding the log. */
START_TEST(test_too_many_problems)
{
	char text[4096];
	struct vp_config cfg;
	struct errs e;
	size_t i;

	for (i = 0; i < sizeof(text); i += 2) {
		text[i] = '\x80';
		text[i + 1] = '\n';
	}
	ck_assert_int_eq(load_text(&cfg, text, sizeof(text), &e), 101);
	ck_assert_uint_eq(e.n, 101);
	ck_assert_str_eq(e.msg[0], "1: not valid UTF-8 text (byte 0x80 at column 1)");
	ck_assert_str_eq(e.msg[100], "101: too many problems, giving up");
	vp_config_free(&cfg);
}
END_TEST

START_TEST(test_missing_file)
{
	struct vp_config cfg;
	struct errs e = { 0 };

	snprintf(path, sizeof(path), "%s/absent.conf", tmpdir);
	e.want_file = path;
	ck_assert_int_eq(vp_config_init(&cfg), 0);
	ck_assert_int_eq(vp_config_load(&cfg, path, true, collect, &e), 0);
	ck_assert_uint_eq(e.n, 0);
	ck_assert_int_eq(vp_config_load(&cfg, path, false, collect, &e), -ENOENT);
	ck_assert_uint_eq(e.n, 1);
	ck_assert(!e.bad_file);
	ck_assert_str_eq(e.msg[0], "0: cannot read the configuration: No such file or directory");
	/* a directory is not a configuration, missing_ok or not */
	e.want_file = tmpdir;
	ck_assert_int_eq(vp_config_load(&cfg, tmpdir, true, collect, &e), -EISDIR);
	ck_assert_uint_eq(e.n, 2);
	ck_assert_str_eq(e.msg[1], "0: cannot read the configuration: Is a directory");
	/* no callback: still counted and returned */
	ck_assert_int_eq(vp_config_load(&cfg, tmpdir, false, NULL, NULL), -EISDIR);
	ck_assert_uint_eq(cfg.threads > 0, 1);
	vp_config_free(&cfg);
}
END_TEST

/* A second file applies over the first; a key in both is not a duplicate. */
START_TEST(test_load_over)
{
	struct vp_config cfg;
	struct errs e;

	ck_assert_int_eq(load_text(&cfg, "threads = 2\nhome_net = 1.1.1.1\n", 31, &e), 0);
	write_file("threads = 3\neve = -\n", 20);
	ck_assert_int_eq(vp_config_load(&cfg, path, false, collect, &e), 0);
	ck_assert_uint_eq(cfg.threads, 3);
	ck_assert_str_eq(cfg.eve, "-");
	ck_assert_str_eq(vp_vars_get(cfg.vars, "HOME_NET"), "1.1.1.1");
	ck_assert_uint_eq(e.n, 0);
	vp_config_free(&cfg);
}
END_TEST

/* Lists have hard maxima: 256 rule paths, and what the nftables table takes. */
static const struct { const char *key, *fmt; unsigned max; } list_max_cases[] = {
	{ "rules", "/r%zu", 256 },
	{ "nft_ports", "%zu", VP_NFT_MAX_PORTS },
	{ "nft_interfaces", "if%zu", VP_NFT_MAX_IFACES },
};

/* "<key> = [v1, ..., vn]\n" into <text>; returns its length. */
static size_t make_list(char *text, size_t size, int c, unsigned n)
{
	size_t len, i;

	len = (size_t)snprintf(text, size, "%s = [", list_max_cases[c].key);
	for (i = 1; i <= n; i++) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		len += (size_t)snprintf(text + len, size - len, list_max_cases[c].fmt, i);
#pragma GCC diagnostic pop
		len += (size_t)snprintf(text + len, size - len, "%s", i < n ? ", " : "]\n");
	}
	return len;
}

START_TEST(test_list_max_cases)
{
	unsigned max = list_max_cases[_i].max;
	struct vp_config cfg;
	struct errs e;
	char text[4096], got[4096], want[128];
	size_t len;

	len = make_list(text, sizeof(text), _i, max);
	ck_assert_int_eq(load_text(&cfg, text, len, &e), 0);
	render(&cfg, list_max_cases[_i].key, got, sizeof(got));
	ck_assert_uint_eq(strlen(got), len - strlen(list_max_cases[_i].key) - 4 - (max - 1));
	vp_config_free(&cfg);

	len = make_list(text, sizeof(text), _i, max + 1);
	ck_assert_int_eq(load_text(&cfg, text, len, &e), 1);
	snprintf(want, sizeof(want), "1: too many values for '%s' (at most %u)",
		 list_max_cases[_i].key, max);
	ck_assert_str_eq(e.msg[0], want);
	render(&cfg, list_max_cases[_i].key, got, sizeof(got));	/* unchanged: the default */
	vp_config_free(&cfg);
	ck_assert_int_eq(vp_config_init(&cfg), 0);
	render(&cfg, list_max_cases[_i].key, text, sizeof(text));
	ck_assert_str_eq(got, text);
	vp_config_free(&cfg);
}
END_TEST

START_TEST(test_many_variables)
{
	size_t size = 300 * 32, len = 0, i, base;
	char *text = malloc(size);
	struct vp_config cfg;
	struct errs e;
	char want[64];

	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(vp_config_init(&cfg), 0);
	base = vp_vars_count(cfg.vars);
	vp_config_free(&cfg);
	for (i = 0; i < 256 - base + 1; i++)
		len += (size_t)snprintf(text + len, size - len, "v%zu_net = 192.0.2.%zu\n", i, i % 256);
	ck_assert_int_eq(load_text(&cfg, text, len, &e), 1);
	snprintf(want, sizeof(want), "%zu: too many rule variables (at most 256)", 256 - base + 1);
	ck_assert_str_eq(e.msg[0], want);
	ck_assert_uint_eq(vp_vars_count(cfg.vars), 256);
	ck_assert_str_eq(vp_vars_get(cfg.vars, "V0_NET"), "192.0.2.0");
	vp_config_free(&cfg);
	free(text);
}
END_TEST

static const struct { const char *in; int want; } mode_cases[] = {
	{ "detect", VP_MODE_DETECT },
	{ "prevent", VP_MODE_PREVENT },
	{ "Detect", -1 },
	{ "", -1 },
	{ "prevent ", -1 },
	{ NULL, -1 },
};

START_TEST(test_mode_cases)
{
	ck_assert_int_eq(vp_mode_parse(mode_cases[_i].in), mode_cases[_i].want);
	if (mode_cases[_i].want >= 0)
		ck_assert_str_eq(vp_mode_name(mode_cases[_i].want), mode_cases[_i].in);
}
END_TEST

START_TEST(test_mode_name_unknown)
{
	ck_assert_str_eq(vp_mode_name((enum vp_mode)7), "unknown");
}
END_TEST

START_TEST(test_add_rules)
{
	struct vp_config cfg;
	char got[256];

	ck_assert_int_eq(vp_config_init(&cfg), 0);
	ck_assert_int_eq(vp_config_add_rules(&cfg, "/x.rules", false), 0);
	render(&cfg, "rules", got, sizeof(got));
	ck_assert_str_eq(got, "[/x.rules]");
	ck_assert_int_eq(vp_config_add_rules(&cfg, "/y", true), 0);
	ck_assert_int_eq(vp_config_add_rules(&cfg, "/z", true), 0);
	render(&cfg, "rules", got, sizeof(got));
	ck_assert_str_eq(got, "[/x.rules,/y,/z]");
	ck_assert_int_eq(vp_config_add_rules(&cfg, "", true), -EINVAL);
	ck_assert_int_eq(vp_config_add_rules(&cfg, NULL, false), -EINVAL);
	ck_assert_uint_eq(cfg.n_rules, 3);
	ck_assert_int_eq(vp_config_add_rules(&cfg, "/only", false), 0);
	render(&cfg, "rules", got, sizeof(got));
	ck_assert_str_eq(got, "[/only]");
	vp_config_free(&cfg);
	/* on an empty (freed) configuration too */
	ck_assert_int_eq(vp_config_add_rules(&cfg, "/a", true), 0);
	ck_assert_uint_eq(cfg.n_rules, 1);
	vp_config_free(&cfg);
}
END_TEST

/* The shipped sample configuration loads without a problem, and with every "#key = value"
 * line uncommented (threads aside: its default depends on the machine) it still gives the
 * built-in defaults: the documented defaults are the real ones. */
static const char *find_sample(char *buf, size_t size)
{
	static const char *const candidates[] = {
		"daemon/vpatchd.conf", "../daemon/vpatchd.conf", "../../daemon/vpatchd.conf",
	};
	static const char *const env[] = { "VP_TOP_SRCDIR", "srcdir" };
	const char *dir;
	size_t i;

	for (i = 0; i < sizeof(env) / sizeof(env[0]); i++) {
		dir = getenv(env[i]);
		if (!dir)
			continue;
		snprintf(buf, size, "%s/daemon/vpatchd.conf", dir);
		if (access(buf, R_OK) == 0)
			return buf;
	}
	for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (access(candidates[i], R_OK) == 0)
			return candidates[i];
	return NULL;
}

/* <path> gets the sample with its "#key = value" lines uncommented; returns how many. */
static int uncomment_sample(const char *sample)
{
	char line[1024];
	FILE *in = fopen(sample, "r"), *out = fopen(path, "w");
	int n = 0;

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	while (fgets(line, sizeof(line), in)) {
		if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z' && strstr(line, " = ") &&
		    strncmp(line, "#threads", 8) != 0) {
			fputs(line + 1, out);
			n++;
		}
	}
	fclose(in);
	ck_assert_int_eq(fclose(out), 0);
	return n;
}

START_TEST(test_sample_config)
{
	struct vp_config cfg, def;
	struct errs e = { 0 };
	char buf[512], got[256], want[256];
	const char *sample = find_sample(buf, sizeof(buf));
	size_t i;

	ck_assert_msg(sample != NULL, "daemon/vpatchd.conf not found (set srcdir)");
	e.want_file = sample;
	ck_assert_int_eq(vp_config_init(&cfg), 0);
	ck_assert_int_eq(vp_config_init(&def), 0);
	ck_assert_msg(vp_config_load(&cfg, sample, false, collect, &e) == 0, "%s: %s", sample,
		      e.n ? e.msg[0] : "");
	vp_config_free(&cfg);

	ck_assert_int_ge(uncomment_sample(sample), 45);
	e.want_file = path;
	ck_assert_int_eq(vp_config_init(&cfg), 0);
	ck_assert_int_eq(vp_config_load(&cfg, path, false, collect, &e), 0);
	ck_assert_uint_eq(e.n, 0);
	for (i = 0; i < sizeof(default_cases) / sizeof(default_cases[0]); i++) {
		render(&cfg, default_cases[i].key, got, sizeof(got));
		render(&def, default_cases[i].key, want, sizeof(want));
		ck_assert_str_eq(got, want);
	}
	ck_assert_uint_eq(vp_vars_count(cfg.vars), vp_vars_count(def.vars));
	vp_config_free(&cfg);
	vp_config_free(&def);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_default_cases, 0, N(default_cases));
	tcase_add_test(tc, test_defaults_threads_and_vars);
	tcase_add_loop_test(tc, test_valid_cases, 0, N(valid_cases));
	tcase_add_loop_test(tc, test_bad_cases, 0, N(bad_cases));
	tcase_add_test(tc, test_bad_line_keeps_value);
	tcase_add_test(tc, test_three_errors);
	tcase_add_test(tc, test_long_lines);
	tcase_add_test(tc, test_nul_bytes);
	tcase_add_test(tc, test_too_many_problems);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_load_over);
	tcase_add_loop_test(tc, test_list_max_cases, 0, N(list_max_cases));
	tcase_add_test(tc, test_many_variables);
	tcase_add_loop_test(tc, test_mode_cases, 0, N(mode_cases));
	tcase_add_test(tc, test_mode_name_unknown);
	tcase_add_test(tc, test_add_rules);
	tcase_add_test(tc, test_sample_config);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
