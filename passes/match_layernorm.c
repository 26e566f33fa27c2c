/* match-layernorm: layer normalization written out as reductions and
 * arithmetic (PyTorch before opset 17, hand-written models) becomes one
 * layer_norm:
 *   m = reduce_mean(x, A)           d = x - m
 *   v = reduce_mean(d * d, A)       (or pow(d, 2))
 *   n = d / sqrt(v + eps)           (or d * reciprocal(sqrt(v + eps)))
 *   y = n * gamma + beta            (optional; either operand order)
 * A must be the last dims of x (layer_norm normalizes from `axis` on), both
 * reductions keep dims, eps is a scalar constant, and gamma/beta must
 * broadcast over the normalized dims only. Without gamma the scale is a
 * constant of ones. One kernel instead of eight, reading x twice instead
 * of five times. The replaced nodes are left to dce. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlc/build.h"
#include "dlc/ir.h"
#include "dlc/pass.h"
#include "dlc/util.h"

static struct dlc_node *producer(const struct dlc_value *v, enum dlc_op op)
{
	return v && v->kind == DLC_VALUE_NODE && v->producer->op == op ? v->producer : NULL;
}

static bool is_scalar(const struct dlc_value *v, double x)
{
	return dlc_is_const(v) && dlc_type_numel(&v->type) == 1 && dlc_dtype_is_float(v->type.dtype) &&
	       dlc_const_element(v, 0) == x;
}

/* The first normalized axis of reduce_mean r over x (its axes must be the
 * last dims, kept), or -1. */
static int mean_axis(const struct dlc_node *r, const struct dlc_value *x)
{
	if (!r || dlc_node_input(r, 0) != x || !dlc_node_int(r, "keepdims"))
		return -1;
	const struct dlc_value *axes = dlc_node_input(r, 1);
	int rank = x->type.rank;
	if (!dlc_is_const(axes) || rank < 1)
		return -1;
	int n = (int)dlc_type_numel(&axes->type);
	bool seen[DLC_MAX_RANK] = {false};
	int lo = rank;
	for (int i = 0; i < n; i++) {
		int64_t a = (int64_t)dlc_const_element(axes, i);
		a += a < 0 ? rank : 0;
		if (a < 0 || a >= rank || seen[a])
			return -1;
		seen[a] = true;
		lo = (int)a < lo ? (int)a : lo;
	}
	if (n == 0 || lo + n != rank) /* not contiguous up to the last dim */
		return -1;
	return lo;
}

/* d * d or pow(d, 2) */
static bool is_square(const struct dlc_value *v, const struct dlc_value *d)
{
	const struct dlc_node *m = producer(v, DLC_OP_MUL), *p = producer(v, DLC_OP_POW);
	if (m)
		return dlc_node_input(m, 0) == d && dlc_node_input(m, 1) == d;
	return p && dlc_node_input(p, 0) == d && is_scalar(dlc_node_input(p, 1), 2.0);
}

/* sqrt(v + eps): sets *eps */
static bool is_std(const struct dlc_value *s, const struct dlc_value *v, float *eps)
{
	const struct dlc_node *q = producer(s, DLC_OP_SQRT);
	const struct dlc_node *a = q ? producer(dlc_node_input(q, 0), DLC_OP_ADD) : NULL;
	for (int i = 0; a && i < 2; i++) {
		const struct dlc_value *e = dlc_node_input(a, 1 - i);
		if (dlc_node_input(a, i) == v && dlc_is_const(e) && dlc_type_numel(&e->type) == 1 &&
		    dlc_dtype_is_float(e->type.dtype)) {
			*eps = (float)dlc_const_element(e, 0);
			return *eps >= 0;
		}
	}
	return false;
}

struct ln {
	struct dlc_value *x, *gamma, *beta;
	int axis;
	float eps;
	struct dlc_node *last; /* the node whose result the layer_norm replaces */
};

/* n = d / std or d * reciprocal(std), with d = x - mean(x) and std over
 * mean(d^2). */
static bool match_normalized(struct dlc_node *n, struct ln *m)
{
	const struct dlc_value *d, *s;
	if (n->op == DLC_OP_DIV) {
		d = dlc_node_input(n, 0);
		s = dlc_node_input(n, 1);
	} else if (n->op == DLC_OP_MUL) {
		const struct dlc_node *r0 = producer(dlc_node_input(n, 0), DLC_OP_RECIPROCAL);
		const struct dlc_node *r1 = producer(dlc_node_input(n, 1), DLC_OP_RECIPROCAL);
		if (!r0 == !r1)
			return false;
		d = dlc_node_input(n, r0 ? 1 : 0);
		s = dlc_node_input(r0 ? r0 : r1, 0);
	} else {
		return false;
	}
	const struct dlc_node *sub = producer(d, DLC_OP_SUB);
	if (!sub)
		return false;
	struct dlc_value *x = dlc_node_input(sub, 0);
	int axis = mean_axis(producer(dlc_node_input(sub, 1), DLC_OP_REDUCE_MEAN), x);
	if (axis < 0 || !dlc_type_equal(&d->type, &x->type))
		return false;
	const struct dlc_node *q = producer(s, DLC_OP_SQRT);
	const struct dlc_node *a = q ? producer(dlc_node_input(q, 0), DLC_OP_ADD) : NULL;
	const struct dlc_value *v = NULL;
	for (int i = 0; a && i < 2 && !v; i++)
		if (producer(dlc_node_input(a, i), DLC_OP_REDUCE_MEAN))
			v = dlc_node_input(a, i);
	const struct dlc_node *vm = producer(v, DLC_OP_REDUCE_MEAN);
	if (!vm || !is_square(dlc_node_input(vm, 0), d) ||
	    mean_axis(vm, dlc_node_input(vm, 0)) != axis || !is_std(s, v, &m->eps))
		return false;
	m->x = x;
	m->axis = axis;
	m->last = n;
	m->gamma = m->beta = NULL;
	return true;
}

/* A constant that broadcasts over the dims from axis on only. */
static bool affine_param(const struct dlc_value *p, const struct dlc_value *x, int axis)
{
	if (!dlc_is_const(p) || p->type.dtype != x->type.dtype || p->type.rank > x->type.rank - axis)
		return false;
	for (int i = 0; i < p->type.rank; i++) {
		int64_t pd = p->type.dims[p->type.rank - 1 - i], xd = x->type.dims[x->type.rank - 1 - i];
		if (pd != 1 && pd != xd)
			return false;
	}
	return true;
}

/* The other operand of binary node u than v, if u is op(v, c) or op(c, v). */
static struct dlc_value *other(const struct dlc_node *u, const struct dlc_value *v)
{
	if (dlc_node_input(u, 0) == v)
		return dlc_node_input(u, 1);
	return dlc_node_input(u, 1) == v ? dlc_node_input(u, 0) : NULL;
}

/* The single reader of v, if it is an op node. */
static struct dlc_node *sole_user(const struct dlc_value *v, enum dlc_op op)
{
	if (v->nuses != 1 || v->noutputs || v->uses->user->op != op)
		return NULL;
	return v->uses->user;
}

/* Extends the match with "* gamma" and "+ beta" after it. */
static void match_affine(struct ln *m)
{
	struct dlc_node *mul = sole_user(m->last->outputs[0], DLC_OP_MUL);
	struct dlc_value *gamma = mul ? other(mul, m->last->outputs[0]) : NULL;
	if (!gamma || !affine_param(gamma, m->x, m->axis) ||
	    !dlc_type_equal(&mul->outputs[0]->type, &m->x->type))
		return;
	m->gamma = gamma;
	m->last = mul;
	struct dlc_node *add = sole_user(mul->outputs[0], DLC_OP_ADD);
	struct dlc_value *beta = add ? other(add, mul->outputs[0]) : NULL;
	if (beta && affine_param(beta, m->x, m->axis) &&
	    dlc_type_equal(&add->outputs[0]->type, &m->x->type)) {
		m->beta = beta;
		m->last = add;
	}
}

static int replace(struct dlc_graph *g, struct ln *m, struct dlc_diag *diag)
{
	struct dlc_value *scale = m->gamma;
	if (!scale) { /* ones over the normalized dims */
		int nr = m->x->type.rank - m->axis;
		const int64_t *dims = m->x->type.dims + m->axis;
		struct dlc_type t = dlc_type_make(m->x->type.dtype, nr, dims);
		int64_t count = dlc_type_numel(&t);
		void *ones = dlc_xmalloc((size_t)dlc_type_nbytes(&t) + 1);
		for (int64_t i = 0; i < count; i++) {
			if (t.dtype == DLC_F64)
				((double *)ones)[i] = 1.0;
			else if (t.dtype == DLC_F32)
				((float *)ones)[i] = 1.0f;
		}
		scale = dlc_const_copy(g, "ones", t, ones);
		free(ones);
	}
	struct dlc_value *ops[3] = {m->x, scale, m->beta};
	struct dlc_node *ln = dlc_node_new(g, DLC_OP_LAYER_NORM, m->last->name, m->beta ? 3 : 2, ops, 1);
	dlc_node_set_int(ln, "axis", m->axis);
	dlc_node_set_float(ln, "epsilon", m->eps);
	if (dlc_node_place(g, m->last, ln, diag) < 0)
		return -1;
	struct dlc_value *y = m->last->outputs[0];
	dlc_value_replace_uses(g, y, ln->outputs[0]);
	char *name = dlc_xstrdup(y->name); /* the result keeps its name */
	dlc_node_remove(g, m->last);
	dlc_value_take_name(g, ln->outputs[0], name);
	free(name);
	return 0;
}

int pass_match_layernorm(struct dlc_graph *g, struct dlc_pass_ctx *ctx)
{
	dlc_foreach_node_safe(g, n, tmp) {
		struct ln m;
		if ((n->op != DLC_OP_DIV && n->op != DLC_OP_MUL) || !n->outputs[0] ||
		    !match_normalized(n, &m))
			continue;
		enum dlc_dtype t = m.x->type.dtype;
		if ((t != DLC_F32 && t != DLC_F64) || !dlc_type_is_static(&m.x->type))
			continue;
		match_affine(&m);
		/* the node after the match may be next in the loop: go on from
		 * the layer_norm's successor */
		bool skip = m.last != n;
		struct dlc_node *after = m.last->next;
		if (replace(g, &m, ctx->diag) < 0)
			return -1;
		if (skip)
			tmp = after;
	}
	return 0;
}
