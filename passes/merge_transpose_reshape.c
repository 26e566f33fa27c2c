/* merge-transpose-reshape: shortens chains of data-movement ops.
 *   transpose(transpose(x, p), q)  -> transpose(x, p∘q), or x if that is
 *                                     the identity permutation
 *   transpose(x, identity)         -> x
 *   reshape/flatten(reshape/flatten(x)) -> reshape(x, final shape)
 * A reshape only depends on its operand's element count, so a chain of
 * them is one reshape to the last static shape. The inner node goes once
 * nothing else reads it (dce). */
#include <stdlib.h>

#include "dlc/build.h"
#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/pass.h"

/* n's permutation (the default reverses the dims). */
static void perm_of(const struct dlc_node *n, int rank, int64_t *p)
{
	const int64_t *v;
	int k = dlc_node_ints(n, "perm", &v);
	for (int i = 0; i < rank; i++)
		p[i] = k == rank ? v[i] : rank - 1 - i;
}

static bool is_identity_perm(const int64_t *p, int rank)
{
	for (int i = 0; i < rank; i++)
		if (p[i] != i)
			return false;
	return true;
}

static struct dlc_node *producer(const struct dlc_value *v, enum dlc_op a, enum dlc_op b)
{
	return v && v->kind == DLC_VALUE_NODE && (v->producer->op == a || v->producer->op == b)
		       ? v->producer
		       : NULL;
}

static int merge_transpose(struct dlc_graph *g, struct dlc_node *n, struct dlc_diag *d)
{
	struct dlc_value *x = dlc_node_input(n, 0);
	int rank = x->type.rank;
	int64_t q[DLC_MAX_RANK];
	perm_of(n, rank, q);
	struct dlc_node *inner = producer(x, DLC_OP_TRANSPOSE, DLC_OP_TRANSPOSE);
	if (inner) {
		int64_t p[DLC_MAX_RANK], r[DLC_MAX_RANK];
		perm_of(inner, rank, p);
		for (int i = 0; i < rank; i++)
			r[i] = p[q[i]];
		x = dlc_node_input(inner, 0);
		for (int i = 0; i < rank; i++)
			q[i] = r[i];
	}
	if (is_identity_perm(q, rank)) {
		dlc_value_replace_uses(g, n->outputs[0], x);
		dlc_node_remove(g, n);
		return 1;
	}
	if (!inner)
		return 0;
	struct dlc_node *m = dlc_node_new(g, DLC_OP_TRANSPOSE, n->name, 1, &x, 1);
	dlc_node_set_ints(m, "perm", rank, q);
	if (dlc_node_place(g, n, m, d) < 0)
		return -1;
	dlc_value_replace_uses(g, n->outputs[0], m->outputs[0]);
	dlc_node_remove(g, n);
	return 1;
}

static int merge_reshape(struct dlc_graph *g, struct dlc_node *n, struct dlc_diag *d)
{
	struct dlc_node *inner = producer(dlc_node_input(n, 0), DLC_OP_RESHAPE, DLC_OP_FLATTEN);
	const struct dlc_type *t = &n->outputs[0]->type;
	if (!inner || !dlc_type_is_static(t))
		return 0;
	struct dlc_value *ops[2] = {dlc_node_input(inner, 0), NULL};
	int64_t rank = t->rank;
	ops[1] = dlc_const_copy(g, "shape", dlc_type_make(DLC_I64, 1, &rank), t->dims);
	struct dlc_node *m = dlc_node_new(g, DLC_OP_RESHAPE, n->name, 2, ops, 1);
	if (dlc_node_place(g, n, m, d) < 0)
		return -1;
	dlc_value_replace_uses(g, n->outputs[0], m->outputs[0]);
	dlc_node_remove(g, n);
	return 1;
}

int pass_merge_transpose_reshape(struct dlc_graph *g, struct dlc_pass_ctx *ctx)
{
	dlc_foreach_node_safe(g, n, tmp) {
		int rc = 0;
		if (n->op == DLC_OP_TRANSPOSE && dlc_type_is_known(&dlc_node_input(n, 0)->type))
			rc = merge_transpose(g, n, ctx->diag);
		else if (n->op == DLC_OP_RESHAPE || n->op == DLC_OP_FLATTEN)
			rc = merge_reshape(g, n, ctx->diag);
		if (rc < 0)
			return -1;
	}
	return 0;
}
