/* Node attributes: sorted by name, deep-copied into the graph's pool, with
 * getters that fall back on the op table's defaults (ir/ops.def). */
#include <stdlib.h>
#include <string.h>

#include "dlc/diag.h"
#include "dlc/ir.h"

const char *dlc_attr_kind_name(enum dlc_attr_kind k)
{
	static const char *names[] = {"int",  "float",  "string",
				      "ints", "floats", "strings"};
	return (unsigned)k < sizeof names / sizeof *names ? names[k] : "?";
}

void dlc_node_set_attr(struct dlc_node *n, const struct dlc_attr *a)
{
	struct dlc_graph *g = n->graph;
	struct dlc_attr c = *a;
	c.name = dlc_graph_strdup(g, a->name);
	switch (a->kind) {
	case DLC_ATTR_STRING:
		c.u.s = dlc_graph_strdup(g, a->u.s);
		break;
	case DLC_ATTR_INTS: {
		int64_t *v = dlc_graph_alloc(g, (size_t)a->n * sizeof *v + 1);
		if (a->n)
			memcpy(v, a->u.ints, (size_t)a->n * sizeof *v);
		c.u.ints = v;
		break;
	}
	case DLC_ATTR_FLOATS: {
		float *v = dlc_graph_alloc(g, (size_t)a->n * sizeof *v + 1);
		if (a->n)
			memcpy(v, a->u.floats, (size_t)a->n * sizeof *v);
		c.u.floats = v;
		break;
	}
	case DLC_ATTR_STRINGS: {
		const char **v = dlc_graph_alloc(g, (size_t)a->n * sizeof *v + 1);
		for (int i = 0; i < a->n; i++)
			v[i] = dlc_graph_strdup(g, a->u.strings[i]);
		c.u.strings = v;
		break;
	}
	default:
		break;
	}
	/* replace in place, or insert keeping the array sorted */
	int pos = 0;
	while (pos < n->nattrs && strcmp(n->attrs[pos].name, c.name) < 0)
		pos++;
	if (pos < n->nattrs && !strcmp(n->attrs[pos].name, c.name)) {
		n->attrs[pos] = c;
		return;
	}
	struct dlc_attr *arr = dlc_graph_alloc(g, (size_t)(n->nattrs + 1) * sizeof *arr);
	if (pos)
		memcpy(arr, n->attrs, (size_t)pos * sizeof *arr);
	arr[pos] = c;
	if (n->nattrs > pos)
		memcpy(arr + pos + 1, n->attrs + pos,
		       (size_t)(n->nattrs - pos) * sizeof *arr);
	n->attrs = arr;
	n->nattrs++;
}

void dlc_node_set_int(struct dlc_node *n, const char *name, int64_t v)
{
	struct dlc_attr a = {.name = name, .kind = DLC_ATTR_INT, .u.i = v};
	dlc_node_set_attr(n, &a);
}

void dlc_node_set_float(struct dlc_node *n, const char *name, float v)
{
	struct dlc_attr a = {.name = name, .kind = DLC_ATTR_FLOAT, .u.f = v};
	dlc_node_set_attr(n, &a);
}

void dlc_node_set_string(struct dlc_node *n, const char *name, const char *s)
{
	struct dlc_attr a = {.name = name, .kind = DLC_ATTR_STRING, .u.s = s};
	dlc_node_set_attr(n, &a);
}

void dlc_node_set_ints(struct dlc_node *n, const char *name, int count,
		       const int64_t *v)
{
	struct dlc_attr a = {.name = name, .kind = DLC_ATTR_INTS, .n = count,
			     .u.ints = v};
	dlc_node_set_attr(n, &a);
}

void dlc_node_set_floats(struct dlc_node *n, const char *name, int count,
			 const float *v)
{
	struct dlc_attr a = {.name = name, .kind = DLC_ATTR_FLOATS, .n = count,
			     .u.floats = v};
	dlc_node_set_attr(n, &a);
}

void dlc_node_set_strings(struct dlc_node *n, const char *name, int count,
			  const char *const *v)
{
	struct dlc_attr a = {.name = name, .kind = DLC_ATTR_STRINGS, .n = count,
			     .u.strings = v};
	dlc_node_set_attr(n, &a);
}

const struct dlc_attr *dlc_node_attr(const struct dlc_node *n,
				     const char *name)
{
	for (int i = 0; i < n->nattrs; i++)
		if (!strcmp(n->attrs[i].name, name))
			return &n->attrs[i];
	return NULL;
}

/* The schema default of an absent attribute; absent with no default is a
 * bug in the caller (shape functions check presence first). */
static const char *default_text(const struct dlc_node *n, const char *name)
{
	const struct dlc_attr_spec *s = dlc_op_attr_spec(n->op, name);
	if (!s || !s->has_default) {
		char msg[160];
		snprintf(msg, sizeof msg, "attribute '%s' of %s has no default",
			 name, dlc_op_info(n->op)->name);
		dlc_internal_error(__FILE__, __LINE__, msg);
	}
	return s->default_text;
}

int64_t dlc_node_int(const struct dlc_node *n, const char *name)
{
	const struct dlc_attr *a = dlc_node_attr(n, name);
	if (a && a->kind == DLC_ATTR_INT)
		return a->u.i;
	return strtoll(default_text(n, name), NULL, 10);
}

float dlc_node_float(const struct dlc_node *n, const char *name)
{
	const struct dlc_attr *a = dlc_node_attr(n, name);
	if (a && a->kind == DLC_ATTR_FLOAT)
		return a->u.f;
	return strtof(default_text(n, name), NULL);
}

const char *dlc_node_string(const struct dlc_node *n, const char *name)
{
	const struct dlc_attr *a = dlc_node_attr(n, name);
	if (a && a->kind == DLC_ATTR_STRING)
		return a->u.s;
	return default_text(n, name);
}

int dlc_node_ints(const struct dlc_node *n, const char *name,
		  const int64_t **out)
{
	const struct dlc_attr *a = dlc_node_attr(n, name);
	if (!a || a->kind != DLC_ATTR_INTS)
		return -1;
	*out = a->u.ints;
	return a->n;
}

int dlc_node_floats(const struct dlc_node *n, const char *name,
		    const float **out)
{
	const struct dlc_attr *a = dlc_node_attr(n, name);
	if (!a || a->kind != DLC_ATTR_FLOATS)
		return -1;
	*out = a->u.floats;
	return a->n;
}
