/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rule variables ($HOME_NET, $HTTP_PORTS ...): a name -> text map filled from
 * the configuration and read by the rule parser.  Names are stored without the
 * '$' and compared case-sensitively (the configuration upper-cases them).
 * Built on the control thread; read-only once handed to a rule set.
 */
#ifndef VP_SIGNATURES_VARS_H
#define VP_SIGNATURES_VARS_H

#include <stddef.h>

struct vp_vars;

struct vp_vars *vp_vars_new(void);		/* NULL on ENOMEM */
void vp_vars_free(struct vp_vars *v);		/* NULL-safe */

/* Sets <name> to <value> (both copied), replacing an earlier value. 0 or -ENOMEM / -EINVAL. */
int vp_vars_set(struct vp_vars *v, const char *name, const char *value);

/* The value of <name> (no '$'), or NULL. Borrowed from <v>. */
const char *vp_vars_get(const struct vp_vars *v, const char *name);

/* Number of variables, and the i-th name/value (0 <= i < count), in insertion order. */
size_t vp_vars_count(const struct vp_vars *v);
const char *vp_vars_name(const struct vp_vars *v, size_t i);
const char *vp_vars_value(const struct vp_vars *v, size_t i);

/* A copy of <v>, NULL on ENOMEM. */
struct vp_vars *vp_vars_dup(const struct vp_vars *v);

#endif
