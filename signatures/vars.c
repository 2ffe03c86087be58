/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "signatures/vars.h"

struct vp_var {
	char *name;
	char *value;
};

struct vp_vars {
	struct vp_var *v;
	size_t count, alloc;
};

struct vp_vars *vp_vars_new(void)
{
	return calloc(1, sizeof(struct vp_vars));
}

void vp_vars_free(struct vp_vars *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->count; i++) {
		free(v->v[i].name);
		free(v->v[i].value);
	}
	free(v->v);
	free(v);
}

static struct vp_var *find(const struct vp_vars *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->count; i++)
		if (strcmp(v->v[i].name, name) == 0)
			return &v->v[i];
	return NULL;
}

static int grow(struct vp_vars *v)
{
	size_t n = v->alloc ? v->alloc * 2 : 16;
	struct vp_var *nv;

	nv = realloc(v->v, n * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	v->v = nv;
	v->alloc = n;
	return 0;
}

int vp_vars_set(struct vp_vars *v, const char *name, const char *value)
{
	struct vp_var *var;
	char *val;

	if (!name || !*name || !value)
		return -EINVAL;
	val = strdup(value);
	if (!val)
		return -ENOMEM;
	var = find(v, name);
	if (var) {
		free(var->value);
		var->value = val;
		return 0;
	}
	if (v->count == v->alloc && grow(v) < 0)
		goto err;
	var = &v->v[v->count];
	var->name = strdup(name);
	if (!var->name)
		goto err;
	var->value = val;
	v->count++;
	return 0;
err:
	free(val);
	return -ENOMEM;
}

const char *vp_vars_get(const struct vp_vars *v, const char *name)
{
	const struct vp_var *var = find(v, name);

	return var ? var->value : NULL;
}

size_t vp_vars_count(const struct vp_vars *v)
{
	return v->count;
}

const char *vp_vars_name(const struct vp_vars *v, size_t i)
{
	return i < v->count ? v->v[i].name : NULL;
}

const char *vp_vars_value(const struct vp_vars *v, size_t i)
{
	return i < v->count ? v->v[i].value : NULL;
}

struct vp_vars *vp_vars_dup(const struct vp_vars *v)
{
	struct vp_vars *n = vp_vars_new();
	size_t i;

	if (!n)
		return NULL;
	for (i = 0; i < v->count; i++) {
		if (vp_vars_set(n, v->v[i].name, v->v[i].value) < 0) {
			vp_vars_free(n);
			return NULL;
		}
	}
	return n;
}
