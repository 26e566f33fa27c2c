/* sink-transpose: moves a transpose below the elementwise ops that follow
 * it, so that it meets the transpose undoing it and merge-transpose-reshape
 * removes both:
 *   u(transpose(x, p), c) -> transpose(u(x, c'), p)
 * This is how NHWC graphs (TensorFlow's) lose the layout brackets around
 * their convolutions: conv -> transpose -> BiasAdd -> Relu -> transpose ->
 * pool becomes conv -> add -> relu -> pool, and the add and relu then fuse
 * into the conv.
 *
 * It applies when the transpose's result feeds only u, u keeps its shape
 * (no broadcasting widens it), and each other operand of u can be taken to
 * x's layout for free: a single element (broadcasts the same either way),
 * a transpose by the same permutation (its input is used instead), or a
 * constant (reshaped to u's rank and transposed back; fold computes it).
 * Everything else stays. The transpose after u is then tried again. */
#include <stdlib.h>

#include "dlc/build.h"
#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/pass.h"

static void perm_of(const struct dlc_node *n, int rank, int64_t *p)
{
	const int64_t *v;
	int k = dlc_node_ints(n, "perm", &v);
	for (int i = 0; i < rank; i++)
		p[i] = k == rank ? v[i] : rank - 1 - i;
}

static bool same_dims(const struct dlc_type *a, const struct dlc_type *b)
{
	if (a->rank != b->rank || !dlc_type_is_static(a) || !dlc_type_is_static(b))
		return false;
	for (int i = 0; i < a->rank; i++)
		if (a->dims[i] != b->dims[i])
			return false;
	return true;
}

/* A transpose of rank `rank` by p, or NULL. */
static const struct dlc_node *transpose_by(const struct dlc_value *v, const int64_t *p, int rank)
{
	if (!v || v->kind != DLC_VALUE_NODE || v->producer->op != DLC_OP_TRANSPOSE ||
	    dlc_node_input(v->producer, 0)->type.rank != rank)
		return NULL;
	int64_t q[DLC_MAX_RANK];
	perm_of(v->producer, rank, q);
	for (int i = 0; i < rank; i++)
		if (q[i] != p[i])
			return NULL;
	return v->producer;
}

/* Operand c of u (which reads the transpose of x by p) in x's layout, new
 * nodes placed before u; NULL if it cannot be had for free. */
static struct dlc_value *in_x_layout(struct dlc_graph *g, struct dlc_node *u, struct dlc_value *c,
				     const int64_t *p, int rank, int *rc, struct dlc_diag *d)
{
	if (dlc_type_is_static(&c->type) && dlc_type_numel(&c->type) == 1)
		return c;
	const struct dlc_node *t = transpose_by(c, p, rank);
	if (t)
		return dlc_node_input(t, 0);
	if (!dlc_is_const(c) || c->type.rank > rank || !dlc_type_is_static(&c->type))
		return NULL;
	/* reshape to u's rank (numpy broadcasting aligns on the right), then
	 * transpose by p's inverse */
	int64_t dims[DLC_MAX_RANK], inv[DLC_MAX_RANK], r = rank;
	for (int i = 0; i < rank; i++) {
		int j = i - (rank - c->type.rank);
		dims[i] = j >= 0 ? c->type.dims[j] : 1;
		inv[p[i]] = i;
	}
	struct dlc_value *ops[2] = {c, dlc_const_copy(g, "shape", dlc_type_make(DLC_I64, 1, &r), dims)};
	struct dlc_node *rs = dlc_node_new(g, DLC_OP_RESHAPE, u->name, 2, ops, 1);
	if (dlc_node_place(g, u, rs, d) < 0) {
		*rc = -1;
		return NULL;
	}
	struct dlc_node *tr = dlc_node_new(g, DLC_OP_TRANSPOSE, u->name, 1, rs->outputs, 1);
	dlc_node_set_ints(tr, "perm", rank, inv);
	if (dlc_node_place(g, u, tr, d) < 0) {
		*rc = -1;
		return NULL;
	}
	return tr->outputs[0];
}

/* Sinks transpose n below its one user; 1 if it did (*moved: the new
 * transpose after it). */
static int sink(struct dlc_graph *g, struct dlc_node *n, struct dlc_node **moved, struct dlc_diag *d)
{
	struct dlc_value *t = n->outputs[0], *x = dlc_node_input(n, 0);
	if (!t || t->nuses != 1 || t->noutputs || !dlc_type_is_static(&x->type))
		return 0;
	struct dlc_node *u = t->uses->user;
	unsigned f = dlc_op_info(u->op)->flags;
	if (!(f & DLC_OPF_ELEMWISE) || (f & (DLC_OPF_VIEW | DLC_OPF_LAYOUT)) || u->noutputs != 1 ||
	    !u->outputs[0] || !same_dims(&u->outputs[0]->type, &t->type))
		return 0;
	int rank = x->type.rank;
	int64_t p[DLC_MAX_RANK];
	perm_of(n, rank, p);
	/* every other operand must come for free before anything is built */
	for (int i = 0; i < u->ninputs; i++) {
		struct dlc_value *c = dlc_node_input(u, i);
		if (!c || c == t)
			continue;
		bool scalar = dlc_type_is_static(&c->type) && dlc_type_numel(&c->type) == 1;
		if (!scalar && !transpose_by(c, p, rank) &&
		    !(dlc_is_const(c) && c->type.rank <= rank && dlc_type_is_static(&c->type)))
			return 0;
	}
	struct dlc_value **ops = calloc((size_t)u->ninputs + 1, sizeof *ops);
	int rc = 0;
	for (int i = 0; i < u->ninputs && rc == 0; i++) {
		struct dlc_value *c = dlc_node_input(u, i);
		ops[i] = !c ? NULL : c == t ? x : in_x_layout(g, u, c, p, rank, &rc, d);
	}
	if (rc < 0) {
		free(ops);
		return -1;
	}
	struct dlc_node *v = dlc_node_new(g, u->op, u->name, u->ninputs, ops, 1);
	free(ops);
	for (int i = 0; i < u->nattrs; i++)
		dlc_node_set_attr(v, &u->attrs[i]);
	struct dlc_node *m = dlc_node_new(g, DLC_OP_TRANSPOSE, n->name, 1, v->outputs, 1);
	dlc_node_set_ints(m, "perm", rank, p);
	if (dlc_node_place(g, u, v, d) < 0 || dlc_node_place(g, u, m, d) < 0)
		return -1;
	dlc_value_replace_uses(g, u->outputs[0], m->outputs[0]);
	dlc_node_remove(g, u);
	dlc_node_remove(g, n);
	*moved = m;
	return 1;
}

int pass_sink_transpose(struct dlc_graph *g, struct dlc_pass_ctx *ctx)
{
	/* each sink moves a transpose one op down; the sweep goes on from the
	 * moved transpose, so it carries it down a whole chain */
	for (struct dlc_node *n = g->first; n;) {
		struct dlc_node *moved = NULL;
		int rc = n->op == DLC_OP_TRANSPOSE ? sink(g, n, &moved, ctx->diag) : 0;
		if (rc < 0)
			return -1;
		n = rc ? moved : n->next;
	}
	return 0;
}
