/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to signatures/: parses one Suricata/Snort rule (header and
 * options) into a struct vp_sig and the compiled rule it points to
 * (vp_sig.priv, a struct vp_rule, see signatures/rule.h).  The options are
 * handled by the keyword tables of signatures/keywords_*.c.  Control thread
 * only; the result is read-only afterwards and may be shared by every worker.
 */
#ifndef VP_SIGNATURES_RULE_PARSE_H
#define VP_SIGNATURES_RULE_PARSE_H

#include <stddef.h>

#include "signatures/rule.h"
#include "signatures/sig.h"

/*
 * Parses the rule <text> into <sig> (zeroed by the caller; file and line are
 * left alone) with variables and classtypes from <env>.  On success sig->priv
 * is a struct vp_rule and every string field is owned by <sig> (release with
 * vp_rule_parse_clear).  Returns 0, or -EINVAL / -ENOMEM with the exact
 * message in <err>, and <sig> cleared.  Control thread.
 */
int vp_rule_parse_sig(struct vp_sig *sig, const char *text, const struct vp_rule_env *env,
		      char *err, size_t errlen);

/* Frees what vp_rule_parse_sig() stored in <sig> (not sig->file) and zeroes those fields. */
void vp_rule_parse_clear(struct vp_sig *sig);

#endif
