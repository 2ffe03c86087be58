/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * byte_test, byte_jump and byte_extract (Suricata's payload keywords):
 *   byte_test:<bytes>,[!]<op>,<value>,<offset>[,relative][,big|little]
 *             [,string,hex|dec|oct][,bitmask <mask>]
 *   byte_jump:<bytes>,<offset>[,relative][,multiplier <n>][,big|little]
 *             [,string,hex|dec|oct][,align][,from_beginning|from_end]
 *             [,post_offset <n>][,bitmask <mask>]
 *   byte_extract:<bytes>,<offset>,<name>[,relative][,multiplier <n>]
 *             [,big|little][,string,hex|dec|oct][,align 2|4][,bitmask <mask>]
 * <value> and <offset> may name an earlier byte_extract variable of the same
 * buffer.  "dce" needs DCE/RPC, which vpatch does not parse: rejected.
 */
#include "vp_build.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signatures/rule.h"

#define MAX_ARGS 16

struct bargs {
	const char *kw;
	char tmp[512];
	char *argv[MAX_ARGS];
	size_t argc;
	int buf;
	struct vp_byte b;
};

/* "<word> <number>" options: multiplier, post_offset, bitmask, align. */
static bool opt_num(const char *arg, const char *word, const char **num)
{
	size_t n = strlen(word);

	if (strncmp(arg, word, n) != 0 || !isspace((unsigned char)arg[n]))
		return false;
	*num = arg + n;
	while (isspace((unsigned char)**num))
		(*num)++;
	return true;
}

static int bad_opt(struct vp_pctx *c, const struct bargs *a, const char *opt)
{
	char what[48];

	snprintf(what, sizeof(what), "bad %s option", a->kw);
	return vp_rule_err_text(c, what, opt, strlen(opt));
}

/* string,hex|dec|oct: the base follows "string" as its own item. */
static int opt_string(struct vp_pctx *c, struct bargs *a, size_t *i)
{
	const char *base = *i + 1 < a->argc ? a->argv[*i + 1] : "";

	a->b.flags |= VP_BY_STRING;
	if (strcmp(base, "hex") == 0)
		a->b.base = 16;
	else if (strcmp(base, "dec") == 0)
		a->b.base = 10;
	else if (strcmp(base, "oct") == 0)
		a->b.base = 8;
	else {
		a->b.base = 10;	/* "string" alone: decimal */
		return 0;
	}
	(*i)++;
	return 0;
}

static int opt_bitmask(struct vp_pctx *c, struct bargs *a, const char *opt, const char *num)
{
	int64_t m;

	if (!vp_rule_parse_int(num, 1, UINT32_MAX, true, &m))
		return bad_opt(c, a, opt);
	a->b.bitmask = (uint64_t)m;
	a->b.flags |= VP_BY_BITMASK;
	while (!(m & 1)) {
		a->b.shift++;
		m >>= 1;
	}
	return 0;
}

/* Options shared by the three keywords; -ENOENT for one they do not share. */
static int common_opt(struct vp_pctx *c, struct bargs *a, size_t *i)
{
	const char *s = a->argv[*i], *num;

	if (strcmp(s, "relative") == 0)
		a->b.flags |= VP_BY_RELATIVE;
	else if (strcmp(s, "big") == 0)
		a->b.flags = (uint16_t)((a->b.flags & ~VP_BY_LITTLE) | VP_BY_BIG);
	else if (strcmp(s, "little") == 0)
		a->b.flags = (uint16_t)((a->b.flags & ~VP_BY_BIG) | VP_BY_LITTLE);
	else if (strcmp(s, "string") == 0)
		return opt_string(c, a, i);
	else if (opt_num(s, "bitmask", &num))
		return opt_bitmask(c, a, s, num);
	else if (strcmp(s, "dce") == 0) {
		vp_rule_errf(c, "%s option 'dce' needs DCE/RPC (unsupported)", a->kw);
		return -EINVAL;
	} else
		return -ENOENT;
	return 0;
}

static int opt_mult(struct vp_pctx *c, struct bargs *a, const char *opt, const char *num)
{
	int64_t m;

	if (!vp_rule_parse_int(num, 1, 65535, false, &m))
		return bad_opt(c, a, opt);
	a->b.multiplier = (uint32_t)m;
	return 0;
}

static int jump_opt(struct vp_pctx *c, struct bargs *a, size_t *i)
{
	const char *s = a->argv[*i], *num;
	int64_t v;
	int ret = common_opt(c, a, i);

	if (ret != -ENOENT)
		return ret;
	if (strcmp(s, "align") == 0)
		a->b.flags |= VP_BY_ALIGN;
	else if (strcmp(s, "from_beginning") == 0)
		a->b.flags |= VP_BY_BEGIN;
	else if (strcmp(s, "from_end") == 0)
		a->b.flags |= VP_BY_END;
	else if (opt_num(s, "multiplier", &num))
		return opt_mult(c, a, s, num);
	else if (opt_num(s, "post_offset", &num)) {
		if (!vp_rule_parse_int(num, -VP_RULE_MAX_REL, VP_RULE_MAX_REL, false, &v))
			return bad_opt(c, a, s);
		a->b.post_offset = (int32_t)v;
	} else
		return bad_opt(c, a, s);
	return 0;
}

static int extract_opt(struct vp_pctx *c, struct bargs *a, size_t *i)
{
	const char *s = a->argv[*i], *num;
	int ret = common_opt(c, a, i);

	if (ret != -ENOENT)
		return ret;
	if (opt_num(s, "multiplier", &num))
		return opt_mult(c, a, s, num);
	if (opt_num(s, "align", &num) && (strcmp(num, "2") == 0 || strcmp(num, "4") == 0)) {
		a->b.align = (uint8_t)(num[0] - '0');
		return 0;
	}
	return bad_opt(c, a, s);
}

static int test_opt(struct vp_pctx *c, struct bargs *a, size_t *i)
{
	int ret = common_opt(c, a, i);

	return ret == -ENOENT ? bad_opt(c, a, a->argv[*i]) : ret;
}

/* Reads the options from argv[first]; checks the number of bytes against the mode. */
static int read_opts(struct vp_pctx *c, struct bargs *a, size_t first,
		     int (*opt)(struct vp_pctx *, struct bargs *, size_t *))
{
	size_t i;
	int ret;

	for (i = first; i < a->argc; i++) {
		ret = opt(c, a, &i);
		if (ret < 0)
			return ret;
	}
	if ((a->b.flags & VP_BY_BEGIN) && (a->b.flags & VP_BY_END)) {
		vp_rule_errf(c, "byte_jump: from_beginning and from_end conflict");
		return -EINVAL;
	}
	if (a->b.nbytes == 0 && (strcmp(a->kw, "byte_test") != 0 ||
				 !(a->b.flags & VP_BY_STRING))) {
		vp_rule_errf(c, "%s: 0 bytes is only allowed for byte_test with string", a->kw);
		return -EINVAL;
	}
	if (a->b.nbytes > ((a->b.flags & VP_BY_STRING) ? 20 : 8)) {
		vp_rule_errf(c, "%s cannot read %u bytes%s", a->kw, a->b.nbytes,
			     (a->b.flags & VP_BY_STRING) ? " as a string (max 20)" : " (max 8)");
		return -EINVAL;
	}
	return 0;
}

/* Splits the value and reads <bytes> (argv[0]); the buffer is decided by "relative". */
static int begin(struct vp_pctx *c, struct bargs *a, const char *v, size_t min_args)
{
	int64_t n;
	int ret;

	ret = vp_rule_split(c, a->kw, v, a->tmp, sizeof(a->tmp), a->argv, MAX_ARGS, &a->argc);
	if (ret < 0)
		return ret;
	if (a->argc < min_args) {
		vp_rule_errf(c, "%s needs at least %zu values: '%.*s'", a->kw, min_args,
			     VP_RULE_MAX_QUOTE, v);
		return -EINVAL;
	}
	if (!vp_rule_parse_int(a->argv[0], 0, 255, false, &n))
		return vp_rule_err_text(c, a->kw[5] == 't' ? "bad byte_test bytes" :
					a->kw[5] == 'j' ? "bad byte_jump bytes" :
							  "bad byte_extract bytes",
					a->argv[0], strlen(a->argv[0]));
	a->b.nbytes = (uint8_t)n;
	a->b.multiplier = 1;
	a->b.var = -1;
	return 0;
}

static bool is_relative(const struct bargs *a, size_t first)
{
	size_t i;

	for (i = first; i < a->argc; i++)
		if (strcmp(a->argv[i], "relative") == 0)
			return true;
	return false;
}

/* The buffer: sticky, else the last match's list when relative, else the payload. */
static int byte_buf(const struct vp_pctx *c, bool relative)
{
	if (c->sticky >= 0)
		return c->sticky;
	if (relative && c->pm_list >= 0)
		return c->rule->lists[c->pm_list].buf;
	return VP_BUF_PACKET;
}

static int add(struct vp_pctx *c, struct bargs *a, uint8_t kind)
{
	struct vp_elem *e;
	int ret = vp_rule_add_elem(c, a->buf, kind, &e);

	if (ret < 0)
		return ret;
	e->u.b = a->b;
	return 0;
}

static int parse_op(struct vp_pctx *c, struct bargs *a, const char *s)
{
	static const struct { const char *t; uint8_t op; } ops[] = {
		{ "<=", VP_BT_LE }, { ">=", VP_BT_GE }, { "<", VP_BT_LT }, { ">", VP_BT_GT },
		{ "=", VP_BT_EQ }, { "&", VP_BT_AND }, { "^", VP_BT_XOR },
	};
	size_t i;

	if (s[0] == '!') {
		a->b.flags |= VP_BY_NEGOP;
		s++;
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(s, ops[i].t) == 0) {
			a->b.op = ops[i].op;
			return 0;
		}
	}
	return vp_rule_err_text(c, "bad byte_test operator", s, strlen(s));
}

static int test_value(struct vp_pctx *c, struct bargs *a, const char *s)
{
	int64_t v;

	a->b.value.var = -1;
	if (vp_rule_parse_int(s, 0, INT64_MAX, true, &v)) {
		a->b.value.v = v;
		return 0;
	}
	if (s[0] && (isalpha((unsigned char)s[0]) || s[0] == '_'))
		return vp_rule_num(c, "byte_test value", s, 0, INT64_MAX, a->buf, &a->b.value);
	return vp_rule_err_text(c, "bad byte_test value", s, strlen(s));
}

static int kw_byte_test(struct vp_pctx *c, const char *v)
{
	struct bargs a = { .kw = "byte_test" };
	int ret = begin(c, &a, v, 4);

	if (ret < 0)
		return ret;
	a.buf = byte_buf(c, is_relative(&a, 4));
	ret = parse_op(c, &a, a.argv[1]);
	if (ret == 0)
		ret = test_value(c, &a, a.argv[2]);
	if (ret == 0)
		ret = vp_rule_num(c, "byte_test offset", a.argv[3], -65535, 65535, a.buf,
				  &a.b.offset);
	if (ret == 0)
		ret = read_opts(c, &a, 4, test_opt);
	return ret < 0 ? ret : add(c, &a, VP_EL_BYTE_TEST);
}

static int kw_byte_jump(struct vp_pctx *c, const char *v)
{
	struct bargs a = { .kw = "byte_jump" };
	int ret = begin(c, &a, v, 2);

	if (ret < 0)
		return ret;
	a.buf = byte_buf(c, is_relative(&a, 2));
	ret = vp_rule_num(c, "byte_jump offset", a.argv[1], -65535, 65535, a.buf, &a.b.offset);
	if (ret == 0)
		ret = read_opts(c, &a, 2, jump_opt);
	return ret < 0 ? ret : add(c, &a, VP_EL_BYTE_JUMP);
}

static bool var_name_ok(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

static int new_var(struct vp_pctx *c, struct bargs *a, const char *name)
{
	struct vp_rule *r = c->rule;
	unsigned i;

	if (!var_name_ok(name) || strlen(name) > 64)
		return vp_rule_err_text(c, "bad byte_extract variable name", name, strlen(name));
	for (i = 0; i < r->nvars; i++) {
		if (strcmp(r->varname[i], name) == 0) {
			vp_rule_errf(c, "duplicate byte_extract variable '%s'", name);
			return -EINVAL;
		}
	}
	if (r->nvars == VP_RULE_MAX_VARS) {
		vp_rule_errf(c, "too many byte_extract variables (max %d)", VP_RULE_MAX_VARS);
		return -EINVAL;
	}
	r->varname[r->nvars] = strdup(name);
	if (!r->varname[r->nvars])
		return vp_rule_oom(c);
	r->var_list[r->nvars] = (uint8_t)a->buf;
	a->b.var = (int8_t)r->nvars++;
	return 0;
}

static int kw_byte_extract(struct vp_pctx *c, const char *v)
{
	struct bargs a = { .kw = "byte_extract" };
	int ret = begin(c, &a, v, 3);

	if (ret < 0)
		return ret;
	a.buf = byte_buf(c, is_relative(&a, 3));
	ret = vp_rule_num(c, "byte_extract offset", a.argv[1], -65535, 65535, a.buf,
			  &a.b.offset);
	if (ret == 0)
		ret = read_opts(c, &a, 3, extract_opt);
	if (ret == 0)
		ret = new_var(c, &a, a.argv[2]);
	return ret < 0 ? ret : add(c, &a, VP_EL_BYTE_EXTRACT);
}

const struct vp_kw vp_keywords_byte[] = {
	{ "byte_test", kw_byte_test, VP_KW_VALUE, 0 },
	{ "byte_jump", kw_byte_jump, VP_KW_VALUE, 0 },
	{ "byte_extract", kw_byte_extract, VP_KW_VALUE, 0 },
};

const size_t vp_keywords_byte_count = sizeof(vp_keywords_byte) / sizeof(vp_keywords_byte[0]);
