/* Shape functions of reductions (reduce_*, arg_max/arg_min), normalizations
 * (layer, RMS, instance, group, Lp, mean-variance, LRN), scans (cumsum,
 * cumprod) and top_k. The softmax family shares shape_softmax (shape_nn.c). */
#include <string.h>

#include "dlc/util.h"
#include "ir/shape.h"

static int check_float(struct dlc_shape_ctx *c, const char *what, const struct dlc_type *t)
{
	if (!dlc_dtype_is_float(t->dtype))
		return shape_error(c, "%s has type %s, expected a float type", what, shape_str(c, t));
	return 0;
}

static int check_numeric(struct dlc_shape_ctx *c, const char *what, const struct dlc_type *t)
{
	if (t->dtype == DLC_BOOL)
		return shape_error(c, "%s has type %s, expected a numeric type", what, shape_str(c, t));
	return 0;
}

/* ONNX TensorProto.DataType of stash_type -> the dtype statistics are kept
 * in; only float types make sense. */
static int stash_dtype(struct dlc_shape_ctx *c, enum dlc_dtype *out)
{
	int64_t s = dlc_node_int(c->n, "stash_type");
	switch (s) {
	case 1: *out = DLC_F32; return 0;
	case 10: *out = DLC_F16; return 0;
	case 11: *out = DLC_F64; return 0;
	case 16: *out = DLC_BF16; return 0;
	default:
		return shape_error(c, "'stash_type' is %lld, expected a float type (1 float, 10 float16, 11 double, 16 bfloat16)",
				   (long long)s);
	}
}

/* The set of reduced axes of a reduce_* node: from its constant axes
 * operand, or every axis (none with noop_with_empty_axes = 1) when the
 * operand is absent or empty. Returns 1 with `red` filled, 0 if the axes are
 * not a constant yet, -1 after reporting. */
static int reduce_axes(struct dlc_shape_ctx *c, const struct dlc_type *x, bool *red)
{
	const struct dlc_type *at = shape_in(c, 1);
	int64_t axes[DLC_MAX_RANK];
	int n = 0;
	int64_t noop = dlc_node_int(c->n, "noop_with_empty_axes");
	if (noop != 0 && noop != 1)
		return shape_error(c, "'noop_with_empty_axes' is %lld, expected 0 or 1", (long long)noop);
	if (at) {
		if (at->dtype != DLC_I64)
			return shape_error(c, "axes operand has type %s, expected i64", shape_str(c, at));
		if (at->rank != 1)
			return shape_error(c, "axes operand %s must be 1-D", shape_str(c, at));
		if (at->dims[0] > x->rank)
			return shape_error(c, "axes operand %s has more axes than the input %s has dims",
					   shape_str(c, at), shape_str(c, x));
		n = shape_const_ints(c, 1, axes, DLC_MAX_RANK);
		if (n == -2)
			return -1;
		if (n == -1)
			return 0;
	}
	for (int i = 0; i < x->rank; i++)
		red[i] = n == 0 && !noop;
	for (int i = 0; i < n; i++) {
		int a = shape_axis(c, "axes", axes[i], x->rank, false);
		if (a < 0)
			return -1;
		if (red[a])
			return shape_error(c, "'axes' names axis %d twice", a);
		red[a] = true;
	}
	return 1;
}

/* Every dim in red[] becomes 1 (keepdims) or goes away. */
static void reduced_type(const struct dlc_type *x, const bool *red, bool keep, enum dlc_dtype dt,
			 struct dlc_type *out)
{
	*out = dlc_type_make(dt, 0, NULL);
	for (int i = 0; i < x->rank; i++)
		if (!red[i])
			out->dims[out->rank++] = x->dims[i];
		else if (keep)
			out->dims[out->rank++] = 1;
}

static int keepdims(struct dlc_shape_ctx *c, bool *keep)
{
	int64_t k = dlc_node_int(c->n, "keepdims");
	if (k != 0 && k != 1)
		return shape_error(c, "'keepdims' is %lld, expected 0 or 1", (long long)k);
	*keep = k;
	return 0;
}

int shape_reduce(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	enum dlc_op op = c->n->op;
	/* max and min order booleans too (opset 20); the others do arithmetic */
	if (op != DLC_OP_REDUCE_MAX && op != DLC_OP_REDUCE_MIN && check_numeric(c, "input", x) < 0)
		return -1;
	bool keep = true, red[DLC_MAX_RANK];
	if (keepdims(c, &keep) < 0)
		return -1;
	int rc = reduce_axes(c, x, red);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		/* computed axes: the rank follows from their count (distinct
		 * axes), the dims stay unknown */
		int64_t na = shape_in(c, 1)->dims[0];
		if (na == 0) { /* known to be empty: no axis, or all of them */
			for (int i = 0; i < x->rank; i++)
				red[i] = !dlc_node_int(c->n, "noop_with_empty_axes");
			reduced_type(x, red, keep, x->dtype, &c->out[0]);
		} else if (keep || na > 0) {
			int r = keep ? x->rank : x->rank - (int)na;
			c->out[0] = dlc_type_make(x->dtype, r, NULL);
			for (int i = 0; i < r; i++)
				c->out[0].dims[i] = DLC_DIM_UNKNOWN;
		}
		return 0;
	}
	reduced_type(x, red, keep, x->dtype, &c->out[0]);
	return 0;
}

int shape_arg_reduce(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	if (check_numeric(c, "input", x) < 0)
		return -1;
	if (x->rank < 1)
		return shape_error(c, "input %s must have rank >= 1", shape_str(c, x));
	bool keep = true, red[DLC_MAX_RANK] = {0};
	if (keepdims(c, &keep) < 0)
		return -1;
	int64_t last = dlc_node_int(c->n, "select_last_index");
	if (last != 0 && last != 1)
		return shape_error(c, "'select_last_index' is %lld, expected 0 or 1", (long long)last);
	int a = shape_axis(c, "axis", dlc_node_int(c->n, "axis"), x->rank, false);
	if (a < 0)
		return -1;
	if (x->dims[a] == 0)
		return shape_error(c, "input %s is empty along axis %d: there is no index to return",
				   shape_str(c, x), a);
	red[a] = true;
	reduced_type(x, red, keep, DLC_I64, &c->out[0]);
	return 0;
}

/* `p` (scale or bias of the normalized dims x[axis:]) must broadcast
 * unidirectionally onto them. */
static int check_affine(struct dlc_shape_ctx *c, const char *what, const struct dlc_type *p,
			const struct dlc_type *x, int axis)
{
	if (p->dtype != x->dtype)
		return shape_error(c, "%s has type %s, expected %s like the input", what,
				   shape_str(c, p), dlc_dtype_name(x->dtype));
	int nr = x->rank - axis;
	bool ok = p->rank <= nr;
	for (int i = 0; ok && i < p->rank; i++) {
		int64_t pd = p->dims[p->rank - 1 - i], xd = x->dims[x->rank - 1 - i];
		ok = pd == 1 || pd == xd || pd < 0 || xd < 0;
	}
	if (!ok)
		return shape_error(c, "%s %s does not broadcast to the normalized dims of %s (from axis %d)",
				   what, shape_str(c, p), shape_str(c, x), axis);
	return 0;
}

/* layer_norm(x, scale, bias?) -> y, mean?, inv_std_dev?; rms_norm(x, scale)
 * -> y: normalized over the dims from `axis` on. */
int shape_layer_norm(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	if (check_float(c, "input", x) < 0)
		return -1;
	if (x->rank < 1)
		return shape_error(c, "input %s must have rank >= 1", shape_str(c, x));
	int axis = shape_axis(c, "axis", dlc_node_int(c->n, "axis"), x->rank, false);
	if (axis < 0)
		return -1;
	enum dlc_dtype st = x->dtype;
	if (stash_dtype(c, &st) < 0)
		return -1;
	if (check_affine(c, "scale", shape_in(c, 1), x, axis) < 0 ||
	    (shape_in(c, 2) && check_affine(c, "bias", shape_in(c, 2), x, axis) < 0))
		return -1;
	c->out[0] = *x;
	/* mean and inverse standard deviation: x's dims up to axis, then 1s */
	for (int i = 1; i < c->n->noutputs; i++) {
		c->out[i] = dlc_type_make(st, x->rank, x->dims);
		for (int k = axis; k < x->rank; k++)
			c->out[i].dims[k] = 1;
	}
	return 0;
}

/* A per-channel parameter: 1-D with C elements. */
static int check_channels(struct dlc_shape_ctx *c, const char *what, const struct dlc_type *p,
			  const struct dlc_type *x)
{
	if (p->dtype != x->dtype)
		return shape_error(c, "%s has type %s, expected %s like the input", what,
				   shape_str(c, p), dlc_dtype_name(x->dtype));
	int64_t ch = x->dims[1];
	if (p->rank != 1 || (ch >= 0 && p->dims[0] >= 0 && p->dims[0] != ch))
		return shape_error(c, "%s %s must be 1-D with %lld elements (the channels)", what,
				   shape_str(c, p), (long long)ch);
	return 0;
}

static int check_nc(struct dlc_shape_ctx *c, const struct dlc_type *x)
{
	if (check_float(c, "input", x) < 0)
		return -1;
	if (x->rank < 2)
		return shape_error(c, "input %s has rank %d, expected at least 2 (N, C, spatial...)",
				   shape_str(c, x), x->rank);
	return 0;
}

int shape_instance_norm(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	if (check_nc(c, x) < 0 || check_channels(c, "scale", shape_in(c, 1), x) < 0 ||
	    check_channels(c, "bias", shape_in(c, 2), x) < 0)
		return -1;
	c->out[0] = *x;
	return 0;
}

/* The opset 21 form: scale and bias per channel (the importer expands
 * opset 18's per-group ones). */
int shape_group_norm(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	enum dlc_dtype st;
	if (check_nc(c, x) < 0 || stash_dtype(c, &st) < 0 ||
	    check_channels(c, "scale", shape_in(c, 1), x) < 0 ||
	    check_channels(c, "bias", shape_in(c, 2), x) < 0)
		return -1;
	int64_t g = dlc_node_int(c->n, "num_groups"), ch = x->dims[1];
	if (g < 1)
		return shape_error(c, "'num_groups' is %lld, expected at least 1", (long long)g);
	if (ch >= 0 && ch % g)
		return shape_error(c, "the %lld channels of %s do not divide into %lld groups",
				   (long long)ch, shape_str(c, x), (long long)g);
	c->out[0] = *x;
	return 0;
}

int shape_lp_norm(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	if (check_float(c, "input", x) < 0)
		return -1;
	if (x->rank < 1)
		return shape_error(c, "input %s must have rank >= 1", shape_str(c, x));
	if (shape_axis(c, "axis", dlc_node_int(c->n, "axis"), x->rank, false) < 0)
		return -1;
	int64_t p = dlc_node_int(c->n, "p");
	if (p != 1 && p != 2)
		return shape_error(c, "'p' is %lld, expected 1 or 2", (long long)p);
	c->out[0] = *x;
	return 0;
}

int shape_mvn(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	if (check_float(c, "input", x) < 0)
		return -1;
	const int64_t *axes;
	int n = dlc_node_ints(c->n, "axes", &axes);
	if (n < 0 && x->rank < 4)
		return shape_error(c, "input %s has rank %d; the default 'axes' [0, 2, 3] needs rank >= 4",
				   shape_str(c, x), x->rank);
	bool seen[DLC_MAX_RANK] = {0};
	for (int i = 0; i < n; i++) {
		int a = shape_axis(c, "axes", axes[i], x->rank, false);
		if (a < 0)
			return -1;
		if (seen[a])
			return shape_error(c, "'axes' names axis %d twice", a);
		seen[a] = true;
	}
	c->out[0] = *x;
	return 0;
}

int shape_lrn(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	if (check_nc(c, x) < 0)
		return -1;
	int64_t size = dlc_node_int(c->n, "size");
	if (size < 1)
		return shape_error(c, "'size' is %lld, expected at least 1", (long long)size);
	c->out[0] = *x;
	return 0;
}

/* cumsum/cumprod(x, axis): the axis is a constant scalar (or 1-element
 * tensor) of i32 or i64. */
int shape_cumsum(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0), *at = shape_in(c, 1);
	if (check_numeric(c, "input", x) < 0)
		return -1;
	if (x->rank < 1)
		return shape_error(c, "input %s must have rank >= 1", shape_str(c, x));
	if ((at->dtype != DLC_I64 && at->dtype != DLC_I32) || at->rank > 1 ||
	    (at->rank == 1 && at->dims[0] >= 0 && at->dims[0] != 1))
		return shape_error(c, "axis operand has type %s, expected an i32 or i64 scalar",
				   shape_str(c, at));
	int64_t axis;
	int n = shape_const_ints(c, 1, &axis, 1);
	if (n == -2)
		return -1;
	if (n == 1 && shape_axis(c, "axis", axis, x->rank, false) < 0)
		return -1;
	c->out[0] = *x;
	return 0;
}

/* top_k(x, k) -> values, indices: k (a 1-element i64 constant) along axis. */
int shape_top_k(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0), *kt = shape_in(c, 1);
	if (check_numeric(c, "input", x) < 0)
		return -1;
	if (x->rank < 1)
		return shape_error(c, "input %s must have rank >= 1", shape_str(c, x));
	int axis = shape_axis(c, "axis", dlc_node_int(c->n, "axis"), x->rank, false);
	if (axis < 0)
		return -1;
	if (kt->dtype != DLC_I64 || kt->rank > 1 || (kt->rank == 1 && kt->dims[0] >= 0 && kt->dims[0] != 1))
		return shape_error(c, "k operand has type %s, expected i64 with one element",
				   shape_str(c, kt));
	int64_t k;
	int n = shape_const_ints(c, 1, &k, 1);
	if (n == -2)
		return -1;
	c->out[0] = *x;
	c->out[0].dims[axis] = DLC_DIM_UNKNOWN;
	if (n == 1) {
		if (k < 0)
			return shape_error(c, "k is %lld, expected >= 0", (long long)k);
		if (x->dims[axis] >= 0 && k > x->dims[axis])
			return shape_error(c, "k is %lld, but %s has only %lld elements along axis %d",
					   (long long)k, shape_str(c, x), (long long)x->dims[axis], axis);
		c->out[0].dims[axis] = k;
	}
	if (c->n->noutputs > 1) {
		c->out[1] = c->out[0];
		c->out[1].dtype = DLC_I64;
	}
	return 0;
}
