/* The verifier: checks the invariants every pass may rely on and reports each
 * violation once, at the node that breaks it. Rules (docs/design.md):
 *   1. node list links and count are consistent;
 *   2. graph inputs have a known type; constants have a static type and a
 *      payload of exactly that size;
 *   3. each node's operand and result counts fit its op; required operands
 *      are present;
 *   4. operands are defined earlier in the order (no use before definition,
 *      hence no cycles) and belong to the graph;
 *   5. use lists match the operand slots exactly;
 *   6. results belong to their node and value names are registered;
 *   7. attributes are in the op's schema with the right kind, and required
 *      ones are present;
 *   8. known result types agree with the op's shape function (no other
 *      element type or rank, no other static size);
 *   9. graph outputs refer to defined values;
 *  10. a fused kernel is one run of consecutive nodes, and only its last
 *      node's results are read outside it. */
#include <stdlib.h>
#include <string.h>

#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/util.h"

struct verifier {
	struct dlc_graph *g;
	struct dlc_diag *d;
	unsigned char *state; /* by value id: 0 unknown, 1 in graph, 2 defined */
	int errors;
};

#define NERR(vf, n, ...)                                                       \
	do {                                                                   \
		dlc_error_node((vf)->d, n, __VA_ARGS__);                       \
		(vf)->errors++;                                                \
	} while (0)
#define GERR(vf, ...)                                                          \
	do {                                                                   \
		dlc_error((vf)->d, __VA_ARGS__);                               \
		(vf)->errors++;                                                \
	} while (0)

/* A type as the text form writes it ("?" when nothing is known). */
static const char *tstr(struct verifier *vf, const struct dlc_type *t, char *buf)
{
	if (t->dtype == DLC_DTYPE_UNKNOWN)
		return "?";
	return dlc_type_str(vf->g, t, buf, DLC_TYPE_STR_MAX);
}

static void check_list(struct verifier *vf)
{
	int count = 0;
	struct dlc_node *prev = NULL;
	dlc_foreach_node(vf->g, n) {
		if (n->prev != prev || n->graph != vf->g) {
			GERR(vf, "node list is corrupt at node %d (%s)", n->id,
			     dlc_op_info(n->op)->name);
			return;
		}
		prev = n;
		if (++count > vf->g->nnodes)
			break;
	}
	if (count != vf->g->nnodes || vf->g->last != prev)
		GERR(vf, "graph records %d nodes but its list holds %d", vf->g->nnodes, count);
}

static void check_values(struct verifier *vf)
{
	char buf[DLC_TYPE_STR_MAX];
	struct dlc_graph *g = vf->g;
	for (int i = 0; i < g->ninputs; i++) {
		struct dlc_value *v = g->inputs[i];
		vf->state[v->id] = 2;
		if (v->kind != DLC_VALUE_INPUT)
			GERR(vf, "graph input %%%s is not of input kind", v->name);
		if (!dlc_type_is_known(&v->type))
			GERR(vf, "graph input %%%s has type %s; graph inputs need an element type and a rank",
			     v->name, tstr(vf, &v->type, buf));
	}
	for (int i = 0; i < g->nconsts; i++) {
		struct dlc_value *v = g->consts[i];
		vf->state[v->id] = 2;
		int64_t nbytes = dlc_type_nbytes(&v->type);
		if (nbytes < 0)
			GERR(vf, "constant %%%s has type %s; constants need a static type",
			     v->name, tstr(vf, &v->type, buf));
		else if (!v->blob)
			GERR(vf, "constant %%%s has no payload", v->name);
		else if (v->blob->size != (size_t)nbytes)
			GERR(vf, "constant %%%s has %zu bytes of payload, its type %s needs %lld",
			     v->name, v->blob->size, tstr(vf, &v->type, buf), (long long)nbytes);
	}
	dlc_foreach_node(g, n)
		for (int i = 0; i < n->noutputs; i++)
			if (n->outputs[i] && n->outputs[i]->id < g->next_value_id)
				vf->state[n->outputs[i]->id] = 1;
}

static void check_arity(struct verifier *vf, struct dlc_node *n)
{
	const struct dlc_op_info *op = dlc_op_info(n->op);
	if (n->ninputs < op->min_inputs || n->ninputs > op->max_inputs) {
		if (op->min_inputs == op->max_inputs)
			NERR(vf, n, "%s: takes %d operands, got %d", op->name, op->min_inputs, n->ninputs);
		else
			NERR(vf, n, "%s: takes %d to %d operands, got %d", op->name,
			     op->min_inputs, op->max_inputs, n->ninputs);
	}
	if (n->noutputs < op->min_outputs || n->noutputs > op->max_outputs) {
		if (op->min_outputs == op->max_outputs)
			NERR(vf, n, "%s: has %d results, got %d", op->name, op->min_outputs, n->noutputs);
		else
			NERR(vf, n, "%s: has %d to %d results, got %d", op->name,
			     op->min_outputs, op->max_outputs, n->noutputs);
	}
	for (int i = 0; i < n->ninputs && i < op->min_inputs; i++)
		if (!n->inputs[i].value)
			NERR(vf, n, "%s: operand %d is required but absent", op->name, i);
	if (n->noutputs > 0 && !n->outputs[0])
		NERR(vf, n, "%s: result 0 is required but absent", op->name);
}

static void check_operands(struct verifier *vf, struct dlc_node *n)
{
	const char *opn = dlc_op_info(n->op)->name;
	for (int i = 0; i < n->ninputs; i++) {
		struct dlc_use *u = &n->inputs[i];
		struct dlc_value *v = u->value;
		if (u->user != n || u->index != i)
			NERR(vf, n, "%s: operand slot %d does not point back at its node", opn, i);
		if (!v)
			continue;
		if (v->id >= vf->g->next_value_id || vf->state[v->id] == 0)
			NERR(vf, n, "%s: operand %d (%%%s) is not defined in the graph", opn, i, v->name);
		else if (vf->state[v->id] == 1)
			NERR(vf, n, "%s: operand %d (%%%s) is used before its definition (the graph is not in topological order or has a cycle)",
			     opn, i, v->name);
		/* the slot must be on the value's use list */
		int found = 0, count = 0;
		for (struct dlc_use *w = v->uses; w && count <= v->nuses; w = w->next, count++)
			found += w == u;
		if (found != 1)
			NERR(vf, n, "%s: operand %d is missing from the use list of %%%s", opn, i, v->name);
	}
}

static void check_uses(struct verifier *vf, struct dlc_value *v)
{
	int count = 0;
	for (struct dlc_use *u = v->uses; u; u = u->next) {
		if (++count > v->nuses) {
			GERR(vf, "value %%%s has more uses listed than its count (%d)", v->name, v->nuses);
			return;
		}
		if (u->value != v || !u->user || u->index < 0 || u->index >= u->user->ninputs ||
		    &u->user->inputs[u->index] != u)
			GERR(vf, "use list of %%%s holds a slot that does not refer to it", v->name);
	}
	if (count != v->nuses)
		GERR(vf, "value %%%s counts %d uses but lists %d", v->name, v->nuses, count);
}

static void check_results(struct verifier *vf, struct dlc_node *n)
{
	const char *opn = dlc_op_info(n->op)->name;
	for (int i = 0; i < n->noutputs; i++) {
		struct dlc_value *v = n->outputs[i];
		if (!v)
			continue;
		if (v->kind != DLC_VALUE_NODE || v->producer != n || v->result != i)
			NERR(vf, n, "%s: result %d (%%%s) does not point back at its node", opn, i, v->name);
		if (dlc_graph_find(vf->g, v->name) != v)
			NERR(vf, n, "%s: result %%%s is not registered under its name", opn, v->name);
		check_uses(vf, v);
	}
}

static void check_attrs(struct verifier *vf, struct dlc_node *n)
{
	const char *opn = dlc_op_info(n->op)->name;
	const struct dlc_attr_spec *specs;
	int nspecs = dlc_op_attr_specs(n->op, &specs);
	for (int i = 0; i < n->nattrs; i++) {
		const struct dlc_attr *a = &n->attrs[i];
		const struct dlc_attr_spec *s = dlc_op_attr_spec(n->op, a->name);
		if (!s)
			NERR(vf, n, "%s: unknown attribute '%s'", opn, a->name);
		else if ((int)a->kind != s->kind)
			NERR(vf, n, "%s: attribute '%s' must be %s, got %s", opn, a->name,
			     dlc_attr_kind_name((enum dlc_attr_kind)s->kind),
			     dlc_attr_kind_name(a->kind));
	}
	for (int i = 0; i < nspecs; i++)
		if (specs[i].required && !dlc_node_attr(n, specs[i].name))
			NERR(vf, n, "%s: missing required attribute '%s'", opn, specs[i].name);
}

/* A known result type agrees with the inferred one unless they contradict:
 * another element type or rank, or two different static sizes. A symbolic or
 * unknown dim on either side is no contradiction (shape-infer refines it). */
static bool types_agree(const struct dlc_type *a, const struct dlc_type *b)
{
	if (a->dtype != b->dtype || a->rank != b->rank)
		return false;
	for (int i = 0; i < a->rank; i++)
		if (a->dims[i] >= 0 && b->dims[i] >= 0 && a->dims[i] != b->dims[i])
			return false;
	return true;
}

static void check_types(struct verifier *vf, struct dlc_node *n)
{
	struct dlc_type stack[4], *out = n->noutputs <= 4 ? stack
					: dlc_xcalloc((size_t)n->noutputs, sizeof *out);
	int before = vf->d->nerrors;
	if (dlc_infer_node(vf->g, n, out, vf->d) < 0) {
		vf->errors += vf->d->nerrors - before;
		goto out;
	}
	for (int i = 0; i < n->noutputs; i++) {
		struct dlc_value *v = n->outputs[i];
		char a[DLC_TYPE_STR_MAX], b[DLC_TYPE_STR_MAX];
		if (!v || !dlc_type_is_known(&v->type) || !dlc_type_is_known(&out[i]))
			continue;
		if (!types_agree(&v->type, &out[i]))
			NERR(vf, n, "%s: result %%%s has type %s, but the op infers %s",
			     dlc_op_info(n->op)->name, v->name, tstr(vf, &v->type, a),
			     tstr(vf, &out[i], b));
	}
out:
	if (out != stack)
		free(out);
}

static void check_outputs(struct verifier *vf)
{
	struct dlc_graph *g = vf->g;
	for (int i = 0; i < g->noutputs; i++) {
		struct dlc_value *v = g->outputs[i];
		if (v->id >= g->next_value_id || vf->state[v->id] != 2)
			GERR(vf, "graph output '%s' refers to %%%s, which is not defined in the graph",
			     g->output_names[i], v->name);
		for (int j = 0; j < i; j++)
			if (!strcmp(g->output_names[i], g->output_names[j]))
				GERR(vf, "graph output name '%s' is used twice", g->output_names[i]);
	}
	for (int i = 0; i < g->ninputs; i++)
		check_uses(vf, g->inputs[i]);
	for (int i = 0; i < g->nconsts; i++)
		check_uses(vf, g->consts[i]);
}

static void check_kernels(struct verifier *vf)
{
	int cap = 0, nseen = 0;
	int *seen = NULL;
	for (struct dlc_node *n = vf->g->first; n; n = n->next) {
		if (n->kernel < 0)
			continue;
		int k = n->kernel;
		for (int i = 0; i < nseen; i++)
			if (seen[i] == k)
				NERR(vf, n, "%s: kernel %d is split: its nodes must be consecutive",
				     dlc_op_info(n->op)->name, k);
		DLC_GROW(seen, cap, nseen + 1);
		seen[nseen++] = k;
		/* every member but the last keeps its results inside the kernel */
		for (; n->next && n->next->kernel == k; n = n->next)
			for (int i = 0; i < n->noutputs; i++) {
				const struct dlc_value *v = n->outputs[i];
				if (!v)
					continue;
				bool inside = !v->noutputs;
				for (const struct dlc_use *u = v->uses; u && inside; u = u->next)
					inside = u->user->kernel == k;
				if (!inside)
					NERR(vf, n, "%s: result %%%s of kernel %d is read outside it (only the kernel's last node may be)",
					     dlc_op_info(n->op)->name, v->name, k);
			}
	}
	free(seen);
}

int dlc_verify(struct dlc_graph *g, struct dlc_diag *d)
{
	struct verifier vf = {.g = g, .d = d};
	vf.state = dlc_xcalloc((size_t)g->next_value_id + 1, 1);
	check_list(&vf);
	if (vf.errors)
		goto out;
	check_values(&vf);
	dlc_foreach_node(g, n) {
		int before = vf.errors;
		check_arity(&vf, n);
		check_operands(&vf, n);
		check_results(&vf, n);
		check_attrs(&vf, n);
		/* types are only meaningful once the structure is sound */
		if (vf.errors == before)
			check_types(&vf, n);
		for (int i = 0; i < n->noutputs; i++)
			if (n->outputs[i])
				vf.state[n->outputs[i]->id] = 2;
	}
	check_outputs(&vf);
	if (!vf.errors)
		check_kernels(&vf);
out:
	free(vf.state);
	return vf.errors ? -1 : 0;
}
