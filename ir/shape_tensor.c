/* Shape functions of data-movement ops: flatten, reshape, transpose,
 * concat. */
#include <stdio.h>
#include <string.h>

#include "ir/shape.h"

/* Product of dims[lo, hi): a static product, the lone symbolic dim among
 * ones, or unknown. */
static int64_t dims_product(const int64_t *dims, int lo, int hi)
{
	int64_t p = 1, sym = 0;
	int nsym = 0;
	for (int i = lo; i < hi; i++) {
		if (dims[i] < 0) {
			sym = dims[i];
			nsym++;
		} else if (__builtin_mul_overflow(p, dims[i], &p)) {
			return DLC_DIM_UNKNOWN;
		}
	}
	if (!nsym)
		return p;
	return nsym == 1 && p == 1 ? sym : DLC_DIM_UNKNOWN;
}

int shape_flatten(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	int axis = shape_axis(c, "axis", dlc_node_int(c->n, "axis"), x->rank, true);
	if (axis < 0)
		return -1;
	int64_t dims[2] = {dims_product(x->dims, 0, axis),
			   dims_product(x->dims, axis, x->rank)};
	c->out[0] = dlc_type_make(x->dtype, 2, dims);
	return 0;
}

/* "[a,b,c]" for a message. */
static const char *list_str(const int64_t *v, int n)
{
	static char buf[256];
	size_t len = 0;
	buf[len++] = '[';
	for (int i = 0; i < n && len < sizeof buf - 24; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%lld",
					i ? "," : "", (long long)v[i]);
	snprintf(buf + len, sizeof buf - len, "]");
	return buf;
}

int shape_reshape(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0), *st = shape_in(c, 1);
	int64_t shape[DLC_MAX_RANK];
	if (st->dtype != DLC_I64)
		return shape_error(c, "shape operand has type %s, expected i64",
				   shape_str(c, st));
	if (st->rank != 1)
		return shape_error(c, "shape operand %s must be 1-D", shape_str(c, st));
	if (st->dims[0] > DLC_MAX_RANK)
		return shape_error(c, "target rank %lld exceeds the maximum of %d",
				   (long long)st->dims[0], DLC_MAX_RANK);
	int n = shape_const_ints(c, 1, shape, DLC_MAX_RANK);
	if (n == -2)
		return -1;
	if (n == -1) { /* computed shape: only the rank is known */
		if (st->dims[0] >= 0) {
			c->out[0] = dlc_type_make(x->dtype, (int)st->dims[0], NULL);
			for (int i = 0; i < c->out[0].rank; i++)
				c->out[0].dims[i] = DLC_DIM_UNKNOWN;
		}
		return 0;
	}
	bool allowzero = dlc_node_int(c->n, "allowzero") != 0;
	int infer = -1;
	struct dlc_type *o = &c->out[0];
	*o = dlc_type_make(x->dtype, n, NULL);
	/* the input dims not copied through a 0 must account for the rest */
	bool copied[DLC_MAX_RANK] = {0};
	for (int i = 0; i < n; i++) {
		int64_t d = shape[i];
		if (d == -1) {
			if (infer >= 0)
				return shape_error(c, "shape has more than one -1");
			infer = i;
		} else if (d == 0 && !allowzero) {
			if (i >= x->rank)
				return shape_error(c, "shape[%d] is 0 (copy), but the input %s has only %d dims",
						   i, shape_str(c, x), x->rank);
			o->dims[i] = x->dims[i];
			copied[i] = true;
		} else if (d < 0) {
			return shape_error(c, "shape[%d] is %lld; dims must be >= -1", i,
					   (long long)d);
		} else {
			o->dims[i] = d;
		}
	}
	if (infer >= 0 && allowzero)
		for (int i = 0; i < n; i++)
			if (shape[i] == 0)
				return shape_error(c, "shape has both -1 and 0 with allowzero = 1");
	/* element counts of what is not copied: input side vs output side */
	int64_t in_rest = 1, out_rest = 1;
	bool in_known = true, out_known = true;
	for (int i = 0; i < x->rank; i++) {
		if (i < n && copied[i])
			continue;
		if (x->dims[i] < 0 || __builtin_mul_overflow(in_rest, x->dims[i], &in_rest))
			in_known = false;
	}
	for (int i = 0; i < n; i++) {
		if (copied[i] || i == infer)
			continue;
		if (o->dims[i] < 0 || __builtin_mul_overflow(out_rest, o->dims[i], &out_rest))
			out_known = false;
	}
	if (infer >= 0) {
		if (!in_known || !out_known)
			o->dims[infer] = DLC_DIM_UNKNOWN;
		else if (out_rest == 0 || in_rest % out_rest)
			return shape_error(c, "cannot reshape %s to %s: %lld elements do not divide by %lld",
					   shape_str(c, x), list_str(shape, n), (long long)in_rest,
					   (long long)out_rest);
		else
			o->dims[infer] = in_rest / out_rest;
	} else if (in_known && out_known && in_rest != out_rest) {
		return shape_error(c, "cannot reshape %s to %s: element counts differ",
				   shape_str(c, x), list_str(shape, n));
	}
	return 0;
}

int shape_transpose(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	int64_t perm[DLC_MAX_RANK];
	const int64_t *p;
	int n = dlc_node_ints(c->n, "perm", &p);
	if (n < 0) {
		for (int i = 0; i < x->rank; i++)
			perm[i] = x->rank - 1 - i;
	} else if (n != x->rank) {
		return shape_error(c, "'perm' has %d values, but the input %s has rank %d",
				   n, shape_str(c, x), x->rank);
	} else {
		memcpy(perm, p, (size_t)n * sizeof *p);
	}
	bool seen[DLC_MAX_RANK] = {0};
	struct dlc_type *o = &c->out[0];
	*o = *x;
	for (int i = 0; i < x->rank; i++) {
		if (perm[i] < 0 || perm[i] >= x->rank || seen[perm[i]])
			return shape_error(c, "'perm' is not a permutation of [0, %d)", x->rank);
		seen[perm[i]] = true;
		o->dims[i] = x->dims[perm[i]];
	}
	return 0;
}

int shape_concat(struct dlc_shape_ctx *c)
{
	const struct dlc_type *first = shape_in(c, 0);
	if (!dlc_node_attr(c->n, "axis"))
		return shape_error(c, "missing required attribute 'axis'");
	if (first->rank < 1)
		return shape_error(c, "operands must have rank >= 1, got %s", shape_str(c, first));
	int axis = shape_axis(c, "axis", dlc_node_int(c->n, "axis"), first->rank, false);
	if (axis < 0)
		return -1;
	struct dlc_type *o = &c->out[0];
	*o = *first;
	for (int i = 1; i < c->n->ninputs; i++) {
		const struct dlc_type *t = shape_in(c, i);
		if (!t)
			return shape_error(c, "operand %d is absent", i);
		if (t->dtype != first->dtype || t->rank != first->rank)
			return shape_error(c, "operand %d %s differs in type or rank from operand 0 %s",
					   i, shape_str(c, t), shape_str(c, first));
		for (int d = 0; d < t->rank; d++) {
			if (d == axis) {
				if (o->dims[d] >= 0 && t->dims[d] >= 0)
					o->dims[d] += t->dims[d];
				else
					o->dims[d] = DLC_DIM_UNKNOWN;
			} else if (t->dims[d] >= 0 && first->dims[d] >= 0 &&
				   t->dims[d] != first->dims[d]) {
				return shape_error(c, "operand %d %s differs from operand 0 %s in dim %d",
						   i, shape_str(c, t), shape_str(c, first), d);
			}
		}
	}
	return 0;
}
