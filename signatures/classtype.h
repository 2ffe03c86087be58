/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Classtypes: short name -> description (EVE alert.category) and default
 * priority.  The standard Snort/Suricata table is built in; a
 * classification.config file ("config classification: name,description,
 * priority" lines) can replace it for one rule set.
 */
#ifndef VP_SIGNATURES_CLASSTYPE_H
#define VP_SIGNATURES_CLASSTYPE_H

#include <stddef.h>

#include "signatures/sig.h"

struct vp_classtype {
	const char *name;	/* e.g. "web-application-attack" */
	const char *desc;	/* e.g. "Web Application Attack" */
	int priority;		/* 1 (high) .. 4 */
};

/* The entry called <name> (case-sensitive, as Suricata), or NULL. Any thread. */
const struct vp_classtype *vp_classtype_find(const char *name);

/* Number of entries, and the i-th (NULL when out of range). Any thread. */
size_t vp_classtype_count(void);
const struct vp_classtype *vp_classtype_get(size_t i);

/* A table loaded from a classification.config file. */
struct vp_classtab;

/*
 * Reads the classification.config file <path>: blank lines and '#' comments
 * are skipped, every other line must be "config classification:
 * name,description,priority" (priority 1..255).  Each bad line is reported
 * through <fn> (may be NULL) and skipped, and counted in *failed.  Returns a
 * new table owned by the caller (vp_classtype_table_free), or NULL with
 * *failed = -errno when the file cannot be read (reported, line 0) or on
 * ENOMEM.  Control thread.
 */
struct vp_classtab *vp_classtype_table_load(const char *path, vp_sig_err_fn fn, void *ctx,
					    int *failed);
void vp_classtype_table_free(struct vp_classtab *t);	/* NULL-safe */

/* The entry called <name> in <t>, or in the built-in table when <t> is NULL. Any thread. */
const struct vp_classtype *vp_classtype_lookup(const struct vp_classtab *t, const char *name);
size_t vp_classtype_table_count(const struct vp_classtab *t);

#endif
