/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inspection buffers: Suricata's sticky buffers (http.uri; content:...),
 * pkt_data, and the legacy content modifiers (content:...; http_uri;) that
 * move the content just written to a buffer.  Each maps to an enum
 * vp_sig_buffer that the engine fills (see struct vp_sig_input).
 */
#include "vp_build.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "signatures/rule.h"

/* http.uri; ... : later payload keywords inspect that buffer. */
static int kw_sticky(struct vp_pctx *c, const char *v)
{
	c->sticky = vp_rule_current_kw(c)->arg;
	return 0;
}

/* pkt_data: back to the raw payload. */
static int kw_pkt_data(struct vp_pctx *c, const char *v)
{
	c->sticky = -1;
	return 0;
}

/* Moves element <ei> of list <li> to the end of the list of <buf>. */
static int move_elem(struct vp_pctx *c, int li, int ei, int buf)
{
	struct vp_list *l = &c->rule->lists[li];
	struct vp_elem saved = l->e[ei], *e;
	int ret;

	memmove(&l->e[ei], &l->e[ei + 1], (size_t)(l->n - ei - 1) * sizeof(*e));
	l->n--;
	c->nelems--;
	ret = vp_rule_add_elem(c, buf, VP_EL_CONTENT, &e);
	if (ret < 0) {
		l = &c->rule->lists[li];	/* the array may have moved */
		l->e[l->n++] = saved;	/* still owned by the rule: freed with it */
		c->nelems++;
		return ret;
	}
	*e = saved;
	e->u.c.flags |= VP_CT_BUFMOD;
	l = vp_rule_list(c->rule, buf);
	c->ct_list = (int)(l - c->rule->lists);
	c->ct_elem = l->n - 1;
	c->pm_list = c->ct_list;
	return 0;
}

/* content:"x"; http_uri; : the content goes to the buffer. */
static int kw_legacy(struct vp_pctx *c, const char *v)
{
	const struct vp_kw *k = vp_rule_current_kw(c);
	const struct vp_list *l;

	if (c->sticky >= 0) {
		vp_rule_errf(c, "%s cannot follow a sticky buffer (use pkt_data first)", k->name);
		return -EINVAL;
	}
	if (c->ct_list < 0) {
		vp_rule_errf(c, "%s needs a preceding content", k->name);
		return -EINVAL;
	}
	l = &c->rule->lists[c->ct_list];
	if (l->buf != VP_BUF_PACKET) {
		vp_rule_errf(c, "%s: the content already inspects %s", k->name,
			     vp_rule_buffer_name(l->buf));
		return -EINVAL;
	}
	return move_elem(c, c->ct_list, c->ct_elem, k->arg);
}

#define STICKY(n, b) { n, kw_sticky, VP_KW_BARE, b }
#define LEGACY(n, b) { n, kw_legacy, VP_KW_BARE, b }

const struct vp_kw vp_keywords_buffer[] = {
	{ "pkt_data", kw_pkt_data, VP_KW_BARE, 0 },
	STICKY("http.method", VP_BUF_HTTP_METHOD),
	STICKY("http.uri", VP_BUF_HTTP_URI),
	STICKY("http.uri.raw", VP_BUF_HTTP_URI_RAW),
	STICKY("http.request_line", VP_BUF_HTTP_REQUEST_LINE),
	STICKY("http_request_line", VP_BUF_HTTP_REQUEST_LINE),
	STICKY("http.protocol", VP_BUF_HTTP_PROTOCOL),
	STICKY("http_protocol", VP_BUF_HTTP_PROTOCOL),
	STICKY("http.host", VP_BUF_HTTP_HOST),
	STICKY("http.host.raw", VP_BUF_HTTP_HOST_RAW),
	STICKY("http.user_agent", VP_BUF_HTTP_USER_AGENT),
	STICKY("http.cookie", VP_BUF_HTTP_COOKIE),
	STICKY("http.referer", VP_BUF_HTTP_REFERER),
	STICKY("http_referer", VP_BUF_HTTP_REFERER),
	STICKY("http.content_type", VP_BUF_HTTP_CONTENT_TYPE),
	STICKY("http_content_type", VP_BUF_HTTP_CONTENT_TYPE),
	STICKY("http.content_len", VP_BUF_HTTP_CONTENT_LEN),
	STICKY("http_content_len", VP_BUF_HTTP_CONTENT_LEN),
	STICKY("http.accept", VP_BUF_HTTP_ACCEPT),
	STICKY("http_accept", VP_BUF_HTTP_ACCEPT),
	STICKY("http.accept_enc", VP_BUF_HTTP_ACCEPT_ENC),
	STICKY("http_accept_enc", VP_BUF_HTTP_ACCEPT_ENC),
	STICKY("http.accept_lang", VP_BUF_HTTP_ACCEPT_LANG),
	STICKY("http_accept_lang", VP_BUF_HTTP_ACCEPT_LANG),
	STICKY("http.connection", VP_BUF_HTTP_CONNECTION),
	STICKY("http_connection", VP_BUF_HTTP_CONNECTION),
	STICKY("http.request_body", VP_BUF_HTTP_REQUEST_BODY),
	STICKY("http.stat_code", VP_BUF_HTTP_STAT_CODE),
	STICKY("http.stat_msg", VP_BUF_HTTP_STAT_MSG),
	STICKY("http.response_line", VP_BUF_HTTP_RESPONSE_LINE),
	STICKY("http_response_line", VP_BUF_HTTP_RESPONSE_LINE),
	STICKY("http.response_body", VP_BUF_HTTP_RESPONSE_BODY),
	STICKY("http.server", VP_BUF_HTTP_SERVER),
	STICKY("http.location", VP_BUF_HTTP_LOCATION),
	STICKY("http.header", VP_BUF_HTTP_HEADER),
	STICKY("http.header.raw", VP_BUF_HTTP_HEADER_RAW),
	STICKY("http.header_names", VP_BUF_HTTP_HEADER_NAMES),
	STICKY("http_header_names", VP_BUF_HTTP_HEADER_NAMES),
	STICKY("http.start", VP_BUF_HTTP_START),
	STICKY("http_start", VP_BUF_HTTP_START),
	STICKY("file.data", VP_BUF_FILE_DATA),
	STICKY("file_data", VP_BUF_FILE_DATA),
	LEGACY("http_uri", VP_BUF_HTTP_URI),
	LEGACY("http_raw_uri", VP_BUF_HTTP_URI_RAW),
	LEGACY("http_method", VP_BUF_HTTP_METHOD),
	LEGACY("http_header", VP_BUF_HTTP_HEADER),
	LEGACY("http_raw_header", VP_BUF_HTTP_HEADER_RAW),
	LEGACY("http_cookie", VP_BUF_HTTP_COOKIE),
	LEGACY("http_user_agent", VP_BUF_HTTP_USER_AGENT),
	LEGACY("http_host", VP_BUF_HTTP_HOST),
	LEGACY("http_raw_host", VP_BUF_HTTP_HOST_RAW),
	LEGACY("http_client_body", VP_BUF_HTTP_REQUEST_BODY),
	LEGACY("http_server_body", VP_BUF_HTTP_RESPONSE_BODY),
	LEGACY("http_stat_code", VP_BUF_HTTP_STAT_CODE),
	LEGACY("http_stat_msg", VP_BUF_HTTP_STAT_MSG),
};

const size_t vp_keywords_buffer_count =
	sizeof(vp_keywords_buffer) / sizeof(vp_keywords_buffer[0]);
