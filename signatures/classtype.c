/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signatures/classtype.h"

/*
 * Names, descriptions and priorities of the classification.config shipped
 * with Snort and Suricata (the Snort additions sdf .. client-side-exploit and
 * the Suricata additions targeted-activity .. command-and-control included),
 * so rules written for either load with the category their authors expect.
 */
static const struct vp_classtype table[] = {
	{ "not-suspicious", "Not Suspicious Traffic", 3 },
	{ "unknown", "Unknown Traffic", 3 },
	{ "bad-unknown", "Potentially Bad Traffic", 2 },
	{ "attempted-recon", "Attempted Information Leak", 2 },
	{ "successful-recon-limited", "Information Leak", 2 },
	{ "successful-recon-largescale", "Large Scale Information Leak", 2 },
	{ "attempted-dos", "Attempted Denial of Service", 2 },
	{ "successful-dos", "Denial of Service", 2 },
	{ "attempted-user", "Attempted User Privilege Gain", 1 },
	{ "unsuccessful-user", "Unsuccessful User Privilege Gain", 1 },
	{ "successful-user", "Successful User Privilege Gain", 1 },
	{ "attempted-admin", "Attempted Administrator Privilege Gain", 1 },
	{ "successful-admin", "Successful Administrator Privilege Gain", 1 },
	{ "rpc-portmap-decode", "Decode of an RPC Query", 2 },
	{ "shellcode-detect", "Executable code was detected", 1 },
	{ "string-detect", "A suspicious string was detected", 3 },
	{ "suspicious-filename-detect", "A suspicious filename was detected", 2 },
	{ "suspicious-login", "An attempted login using a suspicious username was detected", 2 },
	{ "system-call-detect", "A system call was detected", 2 },
	{ "tcp-connection", "A TCP connection was detected", 4 },
	{ "trojan-activity", "A Network Trojan was detected", 1 },
	{ "unusual-client-port-connection", "A client was using an unusual port", 2 },
	{ "network-scan", "Detection of a Network Scan", 3 },
	{ "denial-of-service", "Detection of a Denial of Service Attack", 2 },
	{ "non-standard-protocol", "Detection of a non-standard protocol or event", 2 },
	{ "protocol-command-decode", "Generic Protocol Command Decode", 3 },
	{ "web-application-activity", "access to a potentially vulnerable web application", 2 },
	{ "web-application-attack", "Web Application Attack", 1 },
	{ "misc-activity", "Misc activity", 3 },
	{ "misc-attack", "Misc Attack", 2 },
	{ "icmp-event", "Generic ICMP event", 3 },
	{ "inappropriate-content", "Inappropriate Content was Detected", 1 },
	{ "policy-violation", "Potential Corporate Privacy Violation", 1 },
	{ "default-login-attempt", "Attempt to login by a default username and password", 2 },
	{ "sdf", "Sensitive Data", 2 },
	{ "file-format", "Known malicious file or file based exploit", 1 },
	{ "malware-cnc", "Known malware command and control traffic", 1 },
	{ "client-side-exploit", "Known client side exploit attempt", 1 },
	{ "targeted-activity", "Targeted Malicious Activity was Detected", 1 },
	{ "exploit-kit", "Exploit Kit Activity Detected", 1 },
	{ "external-ip-check", "Device Retrieving External IP Address Detected", 2 },
	{ "domain-c2", "Domain Observed Used for C2 Detected", 1 },
	{ "pup-activity", "Possibly Unwanted Program Detected", 2 },
	{ "credential-theft", "Successful Credential Theft Detected", 1 },
	{ "social-engineering", "Possible Social Engineering Attempted", 2 },
	{ "coin-mining", "Crypto Currency Mining Activity Detected", 2 },
	{ "command-and-control", "Malware Command and Control Activity Detected", 1 },
};

#define TABLE_LEN (sizeof(table) / sizeof(table[0]))

const struct vp_classtype *vp_classtype_find(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < TABLE_LEN; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

size_t vp_classtype_count(void)
{
	return TABLE_LEN;
}

const struct vp_classtype *vp_classtype_get(size_t i)
{
	return i < TABLE_LEN ? &table[i] : NULL;
}

/* ---- classification.config ---- */

#define CLASS_MAX_ENTRIES 4096
#define CLASS_LINE_MAX 4096

struct vp_classtab {
	struct vp_classtype *v;		/* name and desc owned */
	size_t n, alloc;
};

void vp_classtype_table_free(struct vp_classtab *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++) {
		free((char *)t->v[i].name);
		free((char *)t->v[i].desc);
	}
	free(t->v);
	free(t);
}

const struct vp_classtype *vp_classtype_lookup(const struct vp_classtab *t, const char *name)
{
	size_t i;

	if (!t)
		return vp_classtype_find(name);
	if (!name)
		return NULL;
	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i].name, name) == 0)
			return &t->v[i];
	return NULL;
}

size_t vp_classtype_table_count(const struct vp_classtab *t)
{
	return t ? t->n : TABLE_LEN;
}

static void strip(char **s)
{
	char *e;

	while (isspace((unsigned char)**s))
		(*s)++;
	e = *s + strlen(*s);
	while (e > *s && isspace((unsigned char)e[-1]))
		*--e = '\0';
}

static bool name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return false;
	return true;
}

/* Parses "config classification: a,b,c" in <line> (modified); 0, or -1 with <why> set. */
static int class_line(char *line, char **name, char **desc, int *prio, const char **why)
{
	static const char key[] = "config classification:";
	char *c1, *c2, *end;
	long p;

	if (strncmp(line, key, sizeof(key) - 1) != 0) {
		*why = "expected 'config classification: name,description,priority'";
		return -1;
	}
	line += sizeof(key) - 1;
	c1 = strchr(line, ',');
	c2 = c1 ? strrchr(c1 + 1, ',') : NULL;
	if (!c1 || !c2) {
		*why = "expected 'config classification: name,description,priority'";
		return -1;
	}
	*c1 = *c2 = '\0';
	*name = line;
	*desc = c1 + 1;
	strip(name);
	strip(desc);
	c2++;
	strip(&c2);
	p = strtol(c2, &end, 10);
	if (!name_ok(*name) || !**desc || !*c2 || *end || p < 1 || p > 255) {
		*why = !name_ok(*name) ? "bad classification name" :
		       !**desc	       ? "empty classification description" :
					 "bad classification priority";
		return -1;
	}
	*prio = (int)p;
	return 0;
}

static int class_add(struct vp_classtab *t, const char *name, const char *desc, int prio)
{
	struct vp_classtype *nv;
	size_t na;

	if (t->n == t->alloc) {
		na = t->alloc ? t->alloc * 2 : 64;
		nv = realloc(t->v, na * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		t->v = nv;
		t->alloc = na;
	}
	nv = &t->v[t->n];
	nv->name = strdup(name);
	nv->desc = strdup(desc);
	nv->priority = prio;
	if (!nv->name || !nv->desc) {
		free((char *)nv->name);
		free((char *)nv->desc);
		return -ENOMEM;
	}
	t->n++;
	return 0;
}

static void class_report(vp_sig_err_fn fn, void *ctx, const char *path, unsigned line,
			 const char *msg, int *failed)
{
	if (fn)
		fn(ctx, path, line, msg);
	(*failed)++;
}

/* One line of the file; -ENOMEM or 0 (bad lines are reported and counted). */
static int class_one(struct vp_classtab *t, char *line, const char *path, unsigned lineno,
		     vp_sig_err_fn fn, void *ctx, int *failed)
{
	const char *why = NULL;
	char *name, *desc, msg[256];
	int prio;

	strip(&line);
	if (!*line || *line == '#')
		return 0;
	if (class_line(line, &name, &desc, &prio, &why) < 0) {
		class_report(fn, ctx, path, lineno, why, failed);
		return 0;
	}
	if (vp_classtype_lookup(t, name)) {
		snprintf(msg, sizeof(msg), "duplicate classification '%.80s'", name);
		class_report(fn, ctx, path, lineno, msg, failed);
		return 0;
	}
	if (t->n >= CLASS_MAX_ENTRIES) {
		class_report(fn, ctx, path, lineno, "too many classifications", failed);
		return 0;
	}
	return class_add(t, name, desc, prio);
}

struct vp_classtab *vp_classtype_table_load(const char *path, vp_sig_err_fn fn, void *ctx,
					    int *failed)
{
	struct vp_classtab *t = NULL;
	char line[CLASS_LINE_MAX], msg[256], eb[128];
	unsigned lineno = 0;
	size_t len;
	FILE *f;

	*failed = 0;
	f = fopen(path, "re");
	if (!f) {
		*failed = -errno;
		snprintf(msg, sizeof(msg), "cannot open: %s", strerror_r(-*failed, eb, sizeof(eb)));
		if (fn)
			fn(ctx, path, 0, msg);
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		goto nomem;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			class_report(fn, ctx, path, lineno, "line too long", failed);
			while (fgets(line, sizeof(line), f) && !strchr(line, '\n'))
				;
			continue;
		}
		if (class_one(t, line, path, lineno, fn, ctx, failed) < 0)
			goto nomem;
	}
	fclose(f);
	return t;
nomem:
	fclose(f);
	vp_classtype_table_free(t);
	*failed = -ENOMEM;
	if (fn)
		fn(ctx, path, 0, "out of memory");
	return NULL;
}
