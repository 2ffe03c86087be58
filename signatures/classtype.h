/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The standard Snort/Suricata classtypes (classification.config), built in:
 * short name -> description (EVE alert.category) and default priority.
 */
#ifndef VP_SIGNATURES_CLASSTYPE_H
#define VP_SIGNATURES_CLASSTYPE_H

#include <stddef.h>

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

#endif
