/* Graph construction and mutation: values, nodes, use lists, outputs.
 *
 * Invariants kept here (and checked by ir/verify.c): every operand slot with
 * a value is on that value's use list exactly once; value names are unique;
 * ids are dense per graph so passes can keep side arrays indexed by id. */
#include <stdlib.h>
#include <string.h>

#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/util.h"

struct dlc_graph *dlc_graph_new(const char *name)
{
	struct dlc_graph *g = dlc_xcalloc(1, sizeof *g);
	g->pool = dlc_pool_new();
	g->names = dlc_strmap_new();
	g->name = dlc_graph_strdup(g, name && *name ? name : "main");
	g->arena_bytes = -1;
	return g;
}

void dlc_graph_free(struct dlc_graph *g)
{
	if (!g)
		return;
	for (int i = 0; i < g->nconsts; i++)
		dlc_blob_unref(g->consts[i]->blob);
	free(g->inputs);
	free(g->consts);
	free(g->outputs);
	free(g->output_names);
	free(g->syms);
	dlc_strmap_free(g->names);
	dlc_pool_free(g->pool);
	free(g);
}

void *dlc_graph_alloc(struct dlc_graph *g, size_t size)
{
	return dlc_pool_alloc(g->pool, size);
}

const char *dlc_graph_strndup(struct dlc_graph *g, const char *s, size_t n)
{
	char *r = dlc_pool_alloc(g->pool, n + 1);
	memcpy(r, s, n);
	r[n] = 0;
	return r;
}

const char *dlc_graph_strdup(struct dlc_graph *g, const char *s)
{
	return dlc_graph_strndup(g, s, strlen(s));
}

/* ---- symbolic dims ---- */

/* Symbol names print as identifiers; anything else is mapped onto one. */
int64_t dlc_graph_sym(struct dlc_graph *g, const char *name, size_t len)
{
	char buf[128];
	size_t n = 0;
	if (len == 0 || (name[0] >= '0' && name[0] <= '9'))
		buf[n++] = '_';
	for (size_t i = 0; i < len && n < sizeof buf - 1; i++) {
		char c = name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_';
		buf[n++] = ok ? c : '_';
	}
	buf[n] = 0;
	for (int i = 0; i < g->nsyms; i++)
		if (!strcmp(g->syms[i], buf))
			return -2 - i;
	DLC_GROW(g->syms, g->cap_syms, g->nsyms + 1);
	g->syms[g->nsyms] = dlc_graph_strdup(g, buf);
	return -2 - g->nsyms++;
}

const char *dlc_graph_sym_name(const struct dlc_graph *g, int64_t dim)
{
	int64_t i = -2 - dim;
	return i >= 0 && i < g->nsyms ? g->syms[i] : "?";
}

/* ---- values ---- */

/* Registers v under `name`, or under a fresh variant of it. */
static void name_value(struct dlc_graph *g, struct dlc_value *v,
		       const char *name)
{
	char buf[64];
	if (!name || !*name) {
		snprintf(buf, sizeof buf, "t%d", v->id);
		name = buf;
	}
	if (!dlc_strmap_get(g->names, name, strlen(name))) {
		v->name = dlc_graph_strdup(g, name);
	} else {
		struct dlc_strbuf b = {0};
		for (int k = 1;; k++) {
			b.len = 0;
			dlc_sb_printf(&b, "%s.%d", name, k);
			if (!dlc_strmap_get(g->names, b.s, b.len))
				break;
		}
		v->name = dlc_graph_strdup(g, b.s);
		dlc_sb_free(&b);
	}
	dlc_strmap_put(g->names, v->name, strlen(v->name), v);
}

static struct dlc_value *new_value(struct dlc_graph *g,
				   enum dlc_value_kind kind, const char *name)
{
	struct dlc_value *v = dlc_graph_alloc(g, sizeof *v);
	v->id = g->next_value_id++;
	v->kind = kind;
	v->type = dlc_type_unknown();
	v->offset = -1;
	name_value(g, v, name);
	return v;
}

struct dlc_value *dlc_graph_find(const struct dlc_graph *g, const char *name)
{
	return dlc_strmap_get(g->names, name, strlen(name));
}

int dlc_value_rename(struct dlc_graph *g, struct dlc_value *v,
		     const char *name)
{
	if (!strcmp(v->name, name))
		return 0;
	if (dlc_graph_find(g, name))
		return -1;
	dlc_strmap_del(g->names, v->name, strlen(v->name));
	v->name = dlc_graph_strdup(g, name);
	dlc_strmap_put(g->names, v->name, strlen(v->name), v);
	return 0;
}

void dlc_value_take_name(struct dlc_graph *g, struct dlc_value *v,
			 const char *name)
{
	struct dlc_value *holder = dlc_graph_find(g, name);
	if (holder == v)
		return;
	if (holder) {
		name_value(g, holder, name); /* name is taken: holder gets name.N */
		dlc_strmap_del(g->names, name, strlen(name));
	}
	int rc = dlc_value_rename(g, v, name);
	DLC_ASSERT(rc == 0);
}

struct dlc_value *dlc_graph_add_input(struct dlc_graph *g, const char *name,
				      struct dlc_type type)
{
	struct dlc_value *v = new_value(g, DLC_VALUE_INPUT, name);
	v->type = type;
	DLC_GROW(g->inputs, g->cap_inputs, g->ninputs + 1);
	g->inputs[g->ninputs++] = v;
	return v;
}

struct dlc_value *dlc_graph_add_const(struct dlc_graph *g, const char *name,
				      struct dlc_type type,
				      struct dlc_blob *blob)
{
	struct dlc_value *v = new_value(g, DLC_VALUE_CONST, name);
	v->type = type;
	v->blob = blob;
	v->blob_name = v->name;
	DLC_GROW(g->consts, g->cap_consts, g->nconsts + 1);
	g->consts[g->nconsts++] = v;
	return v;
}

void dlc_graph_remove_const(struct dlc_graph *g, struct dlc_value *v)
{
	DLC_ASSERT(!dlc_value_is_used(v));
	for (int i = 0; i < g->nconsts; i++) {
		if (g->consts[i] != v)
			continue;
		memmove(&g->consts[i], &g->consts[i + 1],
			(size_t)(g->nconsts - i - 1) * sizeof *g->consts);
		g->nconsts--;
		dlc_blob_unref(v->blob);
		v->blob = NULL;
		return;
	}
	DLC_ASSERT(!"constant not in graph");
}

void dlc_graph_add_output(struct dlc_graph *g, struct dlc_value *v,
			  const char *name)
{
	DLC_GROW(g->outputs, g->cap_outputs, g->noutputs + 1);
	int cap = g->cap_outputs;
	g->output_names = dlc_xrealloc(g->output_names, (size_t)cap * sizeof(char *));
	g->outputs[g->noutputs] = v;
	g->output_names[g->noutputs] = dlc_graph_strdup(g, name ? name : v->name);
	g->noutputs++;
	v->noutputs++;
}

void dlc_graph_set_output(struct dlc_graph *g, int i, struct dlc_value *v)
{
	DLC_ASSERT(i >= 0 && i < g->noutputs);
	g->outputs[i]->noutputs--;
	g->outputs[i] = v;
	v->noutputs++;
}

const void *dlc_value_data(const struct dlc_value *v)
{
	return v && v->blob ? v->blob->data : NULL;
}

bool dlc_value_is_used(const struct dlc_value *v)
{
	return v->nuses > 0 || v->noutputs > 0;
}

/* ---- use lists ---- */

static void use_link(struct dlc_use *u, struct dlc_value *v)
{
	u->value = v;
	if (!v)
		return;
	u->prev = NULL;
	u->next = v->uses;
	if (v->uses)
		v->uses->prev = u;
	v->uses = u;
	v->nuses++;
}

static void use_unlink(struct dlc_use *u)
{
	struct dlc_value *v = u->value;
	if (!v)
		return;
	if (u->prev)
		u->prev->next = u->next;
	else
		v->uses = u->next;
	if (u->next)
		u->next->prev = u->prev;
	u->prev = u->next = NULL;
	u->value = NULL;
	v->nuses--;
}

void dlc_node_set_input(struct dlc_node *n, int i, struct dlc_value *v)
{
	DLC_ASSERT(i >= 0 && i < n->ninputs);
	use_unlink(&n->inputs[i]);
	use_link(&n->inputs[i], v);
}

struct dlc_value *dlc_node_input(const struct dlc_node *n, int i)
{
	return i >= 0 && i < n->ninputs ? n->inputs[i].value : NULL;
}

void dlc_value_replace_uses(struct dlc_graph *g, struct dlc_value *from,
			    struct dlc_value *to)
{
	if (from == to)
		return;
	while (from->uses) {
		struct dlc_use *u = from->uses;
		use_unlink(u);
		use_link(u, to);
	}
	for (int i = 0; i < g->noutputs; i++)
		if (g->outputs[i] == from)
			dlc_graph_set_output(g, i, to);
}

/* ---- nodes ---- */

struct dlc_node *dlc_node_new(struct dlc_graph *g, enum dlc_op op,
			      const char *name, int ninputs,
			      struct dlc_value *const *inputs, int noutputs)
{
	DLC_ASSERT(op >= 0 && op < DLC_NUM_OPS);
	struct dlc_node *n = dlc_graph_alloc(g, sizeof *n);
	n->id = g->next_node_id++;
	n->op = op;
	n->graph = g;
	n->kernel = -1;
	n->scratch_offset = -1;
	n->name = name ? dlc_graph_strdup(g, name) : NULL;
	n->ninputs = ninputs;
	n->inputs = dlc_graph_alloc(g, (size_t)(ninputs ? ninputs : 1) * sizeof *n->inputs);
	for (int i = 0; i < ninputs; i++) {
		n->inputs[i].user = n;
		n->inputs[i].index = i;
		use_link(&n->inputs[i], inputs ? inputs[i] : NULL);
	}
	n->noutputs = noutputs;
	n->outputs = dlc_graph_alloc(g, (size_t)(noutputs ? noutputs : 1) * sizeof *n->outputs);
	for (int i = 0; i < noutputs; i++) {
		struct dlc_value *v = new_value(g, DLC_VALUE_NODE, NULL);
		v->producer = n;
		v->result = i;
		n->outputs[i] = v;
	}
	return n;
}

void dlc_node_clear_output(struct dlc_graph *g, struct dlc_node *n, int i)
{
	struct dlc_value *v = n->outputs[i];
	if (!v)
		return;
	DLC_ASSERT(!dlc_value_is_used(v));
	dlc_strmap_del(g->names, v->name, strlen(v->name));
	n->outputs[i] = NULL;
}

void dlc_node_append(struct dlc_graph *g, struct dlc_node *n)
{
	n->prev = g->last;
	n->next = NULL;
	if (g->last)
		g->last->next = n;
	else
		g->first = n;
	g->last = n;
	g->nnodes++;
}

void dlc_node_insert_before(struct dlc_graph *g, struct dlc_node *pos,
			    struct dlc_node *n)
{
	if (!pos) {
		dlc_node_append(g, n);
		return;
	}
	n->next = pos;
	n->prev = pos->prev;
	if (pos->prev)
		pos->prev->next = n;
	else
		g->first = n;
	pos->prev = n;
	g->nnodes++;
}

void dlc_node_remove(struct dlc_graph *g, struct dlc_node *n)
{
	for (int i = 0; i < n->noutputs; i++)
		DLC_ASSERT(!n->outputs[i] || !dlc_value_is_used(n->outputs[i]));
	for (int i = 0; i < n->ninputs; i++)
		use_unlink(&n->inputs[i]);
	dlc_node_unlink(g, n);
	/* results keep their names reserved: a stale pointer never aliases */
}

void dlc_node_unlink(struct dlc_graph *g, struct dlc_node *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else
		g->first = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		g->last = n->prev;
	n->prev = n->next = NULL;
	g->nnodes--;
}

/* ---- storage ---- */

const struct dlc_value *dlc_storage_root(const struct dlc_value *v)
{
	while (v && v->kind == DLC_VALUE_NODE && v->result == 0 &&
	       (dlc_op_info(v->producer->op)->flags & DLC_OPF_VIEW) &&
	       v->producer->inputs[0].value)
		v = v->producer->inputs[0].value;
	return v;
}

int dlc_output_slot(const struct dlc_graph *g, const struct dlc_value *root)
{
	if (root->kind != DLC_VALUE_NODE)
		return -1;
	for (int i = 0; i < g->noutputs; i++)
		if (dlc_storage_root(g->outputs[i]) == root)
			return i;
	return -1;
}
