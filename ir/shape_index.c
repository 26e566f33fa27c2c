/* Shape functions of the shape and indexing ops: shape, size, squeeze,
 * unsqueeze, slice, split, the gathers and scatters, expand, tile, pad,
 * constant_of_shape, range, one_hot, trilu, depth_to_space,
 * space_to_depth, eye_like, reverse_sequence, resize, center_crop_pad,
 * compress, col2im, nonzero, unique; and the plans their kernels share
 * (ir/shape_index.h).
 *
 * Operands that fix a result's shape (slice bounds, pads, repeats, ...)
 * are flagged static in ir/ops.def. While one is not a constant (a graph
 * input that dlc-run or --const-input may still freeze) the result keeps
 * its rank with unknown dims; codegen then reports the operand. Ops whose
 * result size depends on the values of their data (nonzero, unique,
 * compress) are rejected outright when that operand is computed by another
 * node, since it can never become a constant. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlc/util.h"
#include "ir/shape.h"
#include "ir/shape_index.h"

/* ---- helpers ---- */

double dlc_elem_f64(const void *data, enum dlc_dtype t, int64_t i)
{
	switch (t) {
	case DLC_F32: return ((const float *)data)[i];
	case DLC_F64: return ((const double *)data)[i];
	case DLC_F16: return dlc_f16_to_f32(((const uint16_t *)data)[i]);
	case DLC_BF16: return dlc_bf16_to_f32(((const uint16_t *)data)[i]);
	case DLC_I8: return ((const int8_t *)data)[i];
	case DLC_U8: return ((const uint8_t *)data)[i];
	case DLC_I16: return ((const int16_t *)data)[i];
	case DLC_U16: return ((const uint16_t *)data)[i];
	case DLC_I32: return ((const int32_t *)data)[i];
	case DLC_U32: return ((const uint32_t *)data)[i];
	case DLC_I64: return (double)((const int64_t *)data)[i];
	case DLC_U64: return (double)((const uint64_t *)data)[i];
	case DLC_BOOL: return ((const uint8_t *)data)[i] != 0;
	default: return 0;
	}
}

int64_t dlc_f64_to_i64_sat(double v)
{
	if (isnan(v))
		return 0;
	if (v >= 9.2233720368547758e18)
		return INT64_MAX;
	if (v <= -9.2233720368547758e18)
		return INT64_MIN;
	return (int64_t)v;
}

int64_t dlc_elem_i64(const void *data, enum dlc_dtype t, int64_t i)
{
	switch (t) {
	case DLC_I64: return ((const int64_t *)data)[i];
	case DLC_U64: return (int64_t)((const uint64_t *)data)[i];
	case DLC_I32: return ((const int32_t *)data)[i];
	case DLC_U32: return ((const uint32_t *)data)[i];
	default: return dlc_f64_to_i64_sat(dlc_elem_f64(data, t, i));
	}
}

/* Operand i if it is a constant with its payload, else NULL. */
static const struct dlc_value *const_operand(const struct dlc_shape_ctx *c, int i)
{
	const struct dlc_value *v = dlc_node_input(c->n, i);
	if (!v || (v->kind != DLC_VALUE_CONST && v->kind != DLC_VALUE_PARAM) || !dlc_value_data(v))
		return NULL;
	return v;
}

static bool is_index_dtype(enum dlc_dtype t)
{
	return t == DLC_I64 || t == DLC_I32;
}

static bool is_numeric(enum dlc_dtype t)
{
	return t != DLC_BOOL && t != DLC_DTYPE_UNKNOWN;
}

/* "[a,b,c]" for a message (one of 2 rotating buffers). */
static const char *ints_str(const int64_t *v, int n)
{
	static char bufs[2][256];
	static int next;
	char *buf = bufs[next++ & 1];
	size_t len = 0;
	buf[len++] = '[';
	for (int i = 0; i < n && len < 256 - 24; i++)
		len += (size_t)snprintf(buf + len, 256 - len, "%s%lld", i ? "," : "", (long long)v[i]);
	snprintf(buf + len, 256 - len, "]");
	return buf;
}

/* A 1-D (or, where `scalar_ok`, 0-D) operand whose elements have an index
 * dtype; `what` names it in messages. */
static int check_index_vector(struct dlc_shape_ctx *c, int i, const char *what, bool scalar_ok)
{
	const struct dlc_type *t = shape_in(c, i);
	if (!is_index_dtype(t->dtype))
		return shape_error(c, "'%s' has type %s, expected i64 (or i32)", what, shape_str(c, t));
	if (t->rank != 1 && !(scalar_ok && t->rank == 0))
		return shape_error(c, "'%s' %s must be 1-D", what, shape_str(c, t));
	return 0;
}

/* The values of a constant index operand (at most `max`). Returns the
 * count, -1 if the operand is not a constant, -2 after reporting. */
static int index_values(struct dlc_shape_ctx *c, int i, const char *what, int64_t *out, int max)
{
	const struct dlc_value *v = const_operand(c, i);
	if (!v)
		return -1;
	int64_t n = dlc_type_numel(&v->type);
	if (n < 0 || n > max) {
		shape_error(c, "'%s' has %lld values, at most %d accepted", what, (long long)n, max);
		return -2;
	}
	for (int64_t k = 0; k < n; k++)
		out[k] = dlc_elem_i64(dlc_value_data(v), v->type.dtype, k);
	return (int)n;
}

/* A scalar operand (0-D or one element): its value as a double when it is
 * a constant. Returns 0, 1 if not a constant, -1 after reporting. */
static int scalar_value(struct dlc_shape_ctx *c, int i, const char *what, double *out)
{
	const struct dlc_type *t = shape_in(c, i);
	if (t->rank > 1 || (t->rank == 1 && t->dims[0] != 1 && t->dims[0] >= 0))
		return shape_error(c, "'%s' %s must be a scalar or hold one element", what,
				   shape_str(c, t));
	const struct dlc_value *v = const_operand(c, i);
	if (!v)
		return 1;
	*out = dlc_elem_f64(dlc_value_data(v), v->type.dtype, 0);
	return 0;
}

/* Normalised, distinct axes; -1 after reporting. */
static int norm_axes(struct dlc_shape_ctx *c, const char *what, const int64_t *in, int n,
		     int rank, int *out)
{
	bool seen[DLC_MAX_RANK] = {0};
	for (int i = 0; i < n; i++) {
		int a = shape_axis(c, what, in[i], rank, false);
		if (a < 0)
			return -1;
		if (seen[a])
			return shape_error(c, "'%s' names axis %d twice", what, a);
		seen[a] = true;
		out[i] = a;
	}
	return 0;
}

/* The rank of x with every dim unknown. */
static struct dlc_type unknown_dims(enum dlc_dtype t, int rank)
{
	struct dlc_type r = dlc_type_make(t, rank, NULL);
	for (int i = 0; i < rank; i++)
		r.dims[i] = DLC_DIM_UNKNOWN;
	return r;
}

/* An operand whose values fix the result's size, computed by another node:
 * it will never be a compile-time constant. */
static int values_from_node(struct dlc_shape_ctx *c, int i, const char *what)
{
	const struct dlc_value *v = dlc_node_input(c->n, i);
	if (v && v->kind == DLC_VALUE_NODE)
		return shape_error(c, "the result's shape depends on the %s's values; dlc compiles static shapes",
				   what);
	return 0;
}

static int64_t prod(const int64_t *d, int lo, int hi)
{
	int64_t p = 1;
	for (int i = lo; i < hi; i++) {
		if (d[i] < 0)
			return DLC_DIM_UNKNOWN;
		if (dlc_mul_overflow(p, d[i], &p))
			return DLC_DIM_UNKNOWN;
	}
	return p;
}

static int check_rank(struct dlc_shape_ctx *c, int64_t rank)
{
	if (rank > DLC_MAX_RANK)
		return shape_error(c, "the result would have rank %lld, above the maximum of %d",
				   (long long)rank, DLC_MAX_RANK);
	return 0;
}

/* ---- shape, size ---- */

int shape_shape(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	int64_t r = x->rank, start = dlc_node_int(c->n, "start");
	int64_t end = dlc_node_attr(c->n, "end") ? dlc_node_int(c->n, "end") : r;
	/* out-of-range start and end are clamped, not errors */
	start = start < 0 ? start + r : start;
	end = end < 0 ? end + r : end;
	start = start < 0 ? 0 : start > r ? r : start;
	end = end < 0 ? 0 : end > r ? r : end;
	int64_t n = end > start ? end - start : 0;
	c->out[0] = dlc_type_make(DLC_I64, 1, &n);
	return 0;
}

int shape_size(struct dlc_shape_ctx *c)
{
	c->out[0] = dlc_type_make(DLC_I64, 0, NULL);
	return 0;
}

/* ---- squeeze, unsqueeze ---- */

int shape_squeeze(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	struct dlc_type *o = &c->out[0];
	bool drop[DLC_MAX_RANK] = {0};
	if (shape_in(c, 1)) {
		if (check_index_vector(c, 1, "axes", false) < 0)
			return -1;
		int64_t axes[DLC_MAX_RANK];
		int ax[DLC_MAX_RANK];
		int n = index_values(c, 1, "axes", axes, DLC_MAX_RANK);
		if (n == -2)
			return -1;
		if (n == -1) {
			int64_t k = shape_in(c, 1)->dims[0];
			if (k >= 0 && k <= x->rank)
				*o = unknown_dims(x->dtype, x->rank - (int)k);
			return 0;
		}
		if (norm_axes(c, "axes", axes, n, x->rank, ax) < 0)
			return -1;
		for (int i = 0; i < n; i++) {
			if (x->dims[ax[i]] >= 0 && x->dims[ax[i]] != 1)
				return shape_error(c, "cannot squeeze axis %d of %s: its size is %lld, not 1",
						   ax[i], shape_str(c, x), (long long)x->dims[ax[i]]);
			drop[ax[i]] = true;
		}
	} else {
		/* every dim of size 1; a dim not known yet might be one */
		for (int i = 0; i < x->rank; i++) {
			if (x->dims[i] < 0)
				return 0;
			drop[i] = x->dims[i] == 1;
		}
	}
	*o = dlc_type_make(x->dtype, 0, NULL);
	for (int i = 0; i < x->rank; i++)
		if (!drop[i])
			o->dims[o->rank++] = x->dims[i];
	return 0;
}

int shape_unsqueeze(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	if (check_index_vector(c, 1, "axes", false) < 0)
		return -1;
	int64_t k = shape_in(c, 1)->dims[0];
	if (k >= 0 && check_rank(c, x->rank + k) < 0)
		return -1;
	int64_t axes[DLC_MAX_RANK];
	int ax[DLC_MAX_RANK];
	int n = index_values(c, 1, "axes", axes, DLC_MAX_RANK);
	if (n == -2)
		return -1;
	if (n == -1) {
		if (k >= 0)
			c->out[0] = unknown_dims(x->dtype, x->rank + (int)k);
		return 0;
	}
	int r = x->rank + n;
	if (norm_axes(c, "axes", axes, n, r, ax) < 0)
		return -1;
	bool ins[DLC_MAX_RANK] = {0};
	for (int i = 0; i < n; i++)
		ins[ax[i]] = true;
	struct dlc_type *o = &c->out[0];
	*o = dlc_type_make(x->dtype, r, NULL);
	for (int i = 0, j = 0; i < r; i++)
		o->dims[i] = ins[i] ? 1 : x->dims[j++];
	return 0;
}

/* ---- slice ---- */

static int slice_plan(struct dlc_shape_ctx *c, struct dlc_slice_plan *p)
{
	const struct dlc_type *x = shape_in(c, 0);
	static const char *const names[] = {"", "starts", "ends", "axes", "steps"};
	for (int i = 1; i < 5; i++)
		if (shape_in(c, i) && check_index_vector(c, i, names[i], false) < 0)
			return -1;
	int64_t k = shape_in(c, 1)->dims[0];
	for (int i = 2; i < 5; i++) {
		const struct dlc_type *t = shape_in(c, i);
		if (t && k >= 0 && t->dims[0] >= 0 && t->dims[0] != k)
			return shape_error(c, "'%s' has %lld values but 'starts' has %lld", names[i],
					   (long long)t->dims[0], (long long)k);
	}
	if (k > x->rank)
		return shape_error(c, "'starts' has %lld values, but the data %s has rank %d",
				   (long long)k, shape_str(c, x), x->rank);
	int64_t v[5][DLC_MAX_RANK];
	int cnt[5];
	bool known = true;
	for (int i = 1; i < 5; i++) {
		cnt[i] = shape_in(c, i) ? index_values(c, i, names[i], v[i], DLC_MAX_RANK) : 0;
		if (cnt[i] == -2)
			return -1;
		known = known && cnt[i] >= 0;
	}
	if (!known)
		return 1;
	int n = cnt[1];
	int ax[DLC_MAX_RANK];
	if (!shape_in(c, 3)) {
		for (int i = 0; i < n; i++)
			v[3][i] = i;
	}
	if (norm_axes(c, "axes", v[3], n, x->rank, ax) < 0)
		return -1;
	p->rank = x->rank;
	for (int d = 0; d < x->rank; d++) {
		p->start[d] = 0;
		p->step[d] = 1;
		p->count[d] = x->dims[d];
	}
	for (int i = 0; i < n; i++) {
		int d = ax[i];
		int64_t step = shape_in(c, 4) ? v[4][i] : 1, dim = x->dims[d];
		if (step == 0)
			return shape_error(c, "'steps'[%d] is 0", i);
		p->step[d] = step;
		if (dim < 0) {
			p->count[d] = DLC_DIM_UNKNOWN;
			continue;
		}
		/* negative bounds count from the end; then clamp into the dim:
		 * [0, dim] going forward, [-1, dim-1] going backward */
		int64_t s = v[1][i], e = v[2][i];
		s = s < 0 ? s + dim : s;
		e = e < 0 ? e + dim : e;
		int64_t len;
		if (step > 0) {
			s = s < 0 ? 0 : s > dim ? dim : s;
			e = e < 0 ? 0 : e > dim ? dim : e;
			len = e - s;
			p->count[d] = len <= 0 ? 0 : 1 + (len - 1) / step;
		} else {
			s = s < 0 ? 0 : s > dim - 1 ? dim - 1 : s;
			e = e < -1 ? -1 : e > dim - 1 ? dim - 1 : e;
			len = s - e;
			int64_t back = step == INT64_MIN ? INT64_MAX : -step;
			p->count[d] = len <= 0 ? 0 : 1 + (len - 1) / back;
		}
		p->start[d] = p->count[d] ? s : 0;
	}
	return 0;
}

int dlc_slice_plan(struct dlc_graph *g, const struct dlc_node *n, struct dlc_slice_plan *p,
		   struct dlc_diag *d)
{
	struct dlc_shape_ctx c = {.g = g, .n = n, .diag = d};
	return slice_plan(&c, p);
}

int shape_slice(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	struct dlc_slice_plan p;
	int rc = slice_plan(c, &p);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		c->out[0] = unknown_dims(x->dtype, x->rank);
		return 0;
	}
	c->out[0] = dlc_type_make(x->dtype, x->rank, p.count);
	return 0;
}

/* ---- split ---- */

static int split_plan(struct dlc_shape_ctx *c, int *axis, int64_t *sizes)
{
	const struct dlc_type *x = shape_in(c, 0);
	int k = c->n->noutputs;
	if (x->rank < 1)
		return shape_error(c, "the input must have rank >= 1, got %s", shape_str(c, x));
	int a = shape_axis(c, "axis", dlc_node_int(c->n, "axis"), x->rank, false);
	if (a < 0)
		return -1;
	*axis = a;
	int64_t dim = x->dims[a];
	const struct dlc_attr *num = dlc_node_attr(c->n, "num_outputs");
	if (shape_in(c, 1)) {
		if (num)
			return shape_error(c, "the 'split' operand and 'num_outputs' cannot both be given");
		if (check_index_vector(c, 1, "split", false) < 0)
			return -1;
		const struct dlc_type *st = shape_in(c, 1);
		if (st->dims[0] >= 0 && st->dims[0] != k)
			return shape_error(c, "'split' has %lld values, but the node has %d results",
					   (long long)st->dims[0], k);
		const struct dlc_value *v = const_operand(c, 1);
		if (!v)
			return 1;
		int64_t sum = 0;
		for (int i = 0; i < k; i++) {
			sizes[i] = dlc_elem_i64(dlc_value_data(v), v->type.dtype, i);
			if (sizes[i] < 0)
				return shape_error(c, "'split'[%d] is %lld; sizes must be >= 0", i,
						   (long long)sizes[i]);
			if (__builtin_add_overflow(sum, sizes[i], &sum))
				sum = INT64_MAX;
		}
		if (dim >= 0 && sum != dim)
			return shape_error(c, "'split' sums to %lld, but axis %d of %s has size %lld",
					   (long long)sum, a, shape_str(c, x), (long long)dim);
		return 0;
	}
	if (num && num->u.i != k)
		return shape_error(c, "'num_outputs' is %lld, but the node has %d results",
				   (long long)num->u.i, k);
	if (dim < 0)
		return 1;
	/* equal parts; when they do not divide, parts of ceil(dim / k) and a
	 * smaller last one */
	int64_t part = dim % k ? dim / k + 1 : dim / k;
	if (part * (k - 1) > dim)
		return shape_error(c, "cannot split axis %d of %s (size %lld) into %d parts", a,
				   shape_str(c, x), (long long)dim, k);
	for (int i = 0; i < k; i++)
		sizes[i] = i < k - 1 ? part : dim - part * (k - 1);
	return 0;
}

int dlc_split_plan(struct dlc_graph *g, const struct dlc_node *n, int *axis, int64_t *sizes,
		   struct dlc_diag *d)
{
	struct dlc_shape_ctx c = {.g = g, .n = n, .diag = d};
	return split_plan(&c, axis, sizes);
}

int shape_split(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	int k = c->n->noutputs, axis;
	int64_t *sizes = dlc_xcalloc((size_t)k, sizeof *sizes);
	int rc = split_plan(c, &axis, sizes);
	for (int i = 0; rc >= 0 && i < k; i++) {
		c->out[i] = *x;
		c->out[i].dims[axis] = rc == 0 ? sizes[i] : DLC_DIM_UNKNOWN;
	}
	free(sizes);
	return rc < 0 ? -1 : 0;
}

/* ---- gathers ---- */

static int check_indices(struct dlc_shape_ctx *c, int i)
{
	const struct dlc_type *t = shape_in(c, i);
	if (!is_index_dtype(t->dtype))
		return shape_error(c, "indices %s must be i64 or i32", shape_str(c, t));
	return 0;
}

int shape_gather(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0), *idx = shape_in(c, 1);
	if (check_indices(c, 1) < 0)
		return -1;
	if (x->rank < 1)
		return shape_error(c, "the data must have rank >= 1, got %s", shape_str(c, x));
	int axis = shape_axis(c, "axis", dlc_node_int(c->n, "axis"), x->rank, false);
	if (axis < 0 || check_rank(c, (int64_t)x->rank - 1 + idx->rank) < 0)
		return -1;
	struct dlc_type *o = &c->out[0];
	*o = dlc_type_make(x->dtype, 0, NULL);
	for (int i = 0; i < axis; i++)
		o->dims[o->rank++] = x->dims[i];
	for (int i = 0; i < idx->rank; i++)
		o->dims[o->rank++] = idx->dims[i];
	for (int i = axis + 1; i < x->rank; i++)
		o->dims[o->rank++] = x->dims[i];
	return 0;
}

/* gather_elements and scatter_elements: indices of the data's rank, no
 * larger than the data off the axis. */
static int elements_indices(struct dlc_shape_ctx *c, int *axis)
{
	const struct dlc_type *x = shape_in(c, 0), *idx = shape_in(c, 1);
	if (check_indices(c, 1) < 0)
		return -1;
	if (x->rank < 1)
		return shape_error(c, "the data must have rank >= 1, got %s", shape_str(c, x));
	if (idx->rank != x->rank)
		return shape_error(c, "indices %s must have the rank of the data %s", shape_str(c, idx),
				   shape_str(c, x));
	*axis = shape_axis(c, "axis", dlc_node_int(c->n, "axis"), x->rank, false);
	if (*axis < 0)
		return -1;
	for (int i = 0; i < x->rank; i++)
		if (i != *axis && idx->dims[i] >= 0 && x->dims[i] >= 0 && idx->dims[i] > x->dims[i])
			return shape_error(c, "indices %s exceed the data %s in dim %d", shape_str(c, idx),
					   shape_str(c, x), i);
	return 0;
}

int shape_gather_elements(struct dlc_shape_ctx *c)
{
	int axis;
	if (elements_indices(c, &axis) < 0)
		return -1;
	c->out[0] = *shape_in(c, 1);
	c->out[0].dtype = shape_in(c, 0)->dtype;
	return 0;
}

int shape_gather_nd(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0), *idx = shape_in(c, 1);
	if (check_indices(c, 1) < 0)
		return -1;
	int64_t b = dlc_node_int(c->n, "batch_dims");
	if (x->rank < 1 || idx->rank < 1)
		return shape_error(c, "data %s and indices %s must have rank >= 1", shape_str(c, x),
				   shape_str(c, idx));
	if (b < 0 || b >= x->rank || b >= idx->rank)
		return shape_error(c, "'batch_dims' is %lld; it must be below the ranks of data %s and indices %s",
				   (long long)b, shape_str(c, x), shape_str(c, idx));
	for (int i = 0; i < b; i++)
		if (x->dims[i] >= 0 && idx->dims[i] >= 0 && x->dims[i] != idx->dims[i])
			return shape_error(c, "batch dim %d differs: data %s, indices %s", i, shape_str(c, x),
					   shape_str(c, idx));
	int64_t k = idx->dims[idx->rank - 1];
	if (k < 0)
		return 0; /* the tuple length decides the rank */
	if (k < 1 || k > x->rank - b)
		return shape_error(c, "indices %s index %lld dims, but the data %s has %lld after the batch dims",
				   shape_str(c, idx), (long long)k, shape_str(c, x), (long long)(x->rank - b));
	if (check_rank(c, idx->rank - 1 + x->rank - b - k) < 0)
		return -1;
	struct dlc_type *o = &c->out[0];
	*o = dlc_type_make(x->dtype, 0, NULL);
	for (int i = 0; i < idx->rank - 1; i++)
		o->dims[o->rank++] = idx->dims[i];
	for (int64_t i = b + k; i < x->rank; i++)
		o->dims[o->rank++] = x->dims[i];
	return 0;
}

/* ---- scatters ---- */

static int check_reduction(struct dlc_shape_ctx *c)
{
	static const char *const ok[] = {"none", "add", "mul", "max", "min"};
	const char *r = dlc_node_string(c->n, "reduction");
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
		if (!strcmp(r, ok[i]))
			return 0;
	return shape_error(c, "'reduction' is \"%s\"; none, add, mul, max and min are accepted", r);
}

static int check_updates(struct dlc_shape_ctx *c, const struct dlc_type *want)
{
	const struct dlc_type *x = shape_in(c, 0), *u = shape_in(c, 2);
	if (u->dtype != x->dtype)
		return shape_error(c, "updates %s must have the data's element type (%s)", shape_str(c, u),
				   dlc_dtype_name(x->dtype));
	bool ok = u->rank == want->rank;
	for (int i = 0; ok && i < u->rank; i++)
		ok = u->dims[i] < 0 || want->dims[i] < 0 || u->dims[i] == want->dims[i];
	if (!ok)
		return shape_error(c, "updates %s must have shape %s", shape_str(c, u), shape_str(c, want));
	return 0;
}

int shape_scatter_elements(struct dlc_shape_ctx *c)
{
	int axis;
	if (elements_indices(c, &axis) < 0 || check_reduction(c) < 0)
		return -1;
	struct dlc_type want = *shape_in(c, 1);
	want.dtype = shape_in(c, 0)->dtype;
	if (check_updates(c, &want) < 0)
		return -1;
	c->out[0] = *shape_in(c, 0);
	return 0;
}

int shape_scatter_nd(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0), *idx = shape_in(c, 1);
	if (check_indices(c, 1) < 0 || check_reduction(c) < 0)
		return -1;
	if (x->rank < 1 || idx->rank < 1)
		return shape_error(c, "data %s and indices %s must have rank >= 1", shape_str(c, x),
				   shape_str(c, idx));
	c->out[0] = *x;
	int64_t k = idx->dims[idx->rank - 1];
	if (k < 0)
		return 0;
	if (k < 1 || k > x->rank)
		return shape_error(c, "indices %s index %lld dims, but the data %s has %d",
				   shape_str(c, idx), (long long)k, shape_str(c, x), x->rank);
	if (check_rank(c, idx->rank - 1 + x->rank - k) < 0)
		return -1;
	struct dlc_type want = dlc_type_make(x->dtype, 0, NULL);
	for (int i = 0; i < idx->rank - 1; i++)
		want.dims[want.rank++] = idx->dims[i];
	for (int64_t i = k; i < x->rank; i++)
		want.dims[want.rank++] = x->dims[i];
	return check_updates(c, &want);
}

/* ---- expand, tile ---- */

int shape_expand(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	if (check_index_vector(c, 1, "shape", false) < 0)
		return -1;
	int64_t k = shape_in(c, 1)->dims[0];
	if (k > DLC_MAX_RANK)
		return shape_error(c, "'shape' has %lld values; the maximum rank is %d", (long long)k,
				   DLC_MAX_RANK);
	int64_t s[DLC_MAX_RANK];
	int n = index_values(c, 1, "shape", s, DLC_MAX_RANK);
	if (n == -2)
		return -1;
	if (n == -1) {
		if (k >= 0)
			c->out[0] = unknown_dims(x->dtype, x->rank > k ? x->rank : (int)k);
		return 0;
	}
	for (int i = 0; i < n; i++)
		if (s[i] < 0)
			return shape_error(c, "'shape'[%d] is %lld; dims must be >= 0", i, (long long)s[i]);
	struct dlc_type t = dlc_type_make(x->dtype, n, s);
	return shape_broadcast_dims(c, x, &t, &c->out[0]);
}

int shape_tile(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	if (check_index_vector(c, 1, "repeats", false) < 0)
		return -1;
	const struct dlc_type *rt = shape_in(c, 1);
	if (rt->dims[0] >= 0 && rt->dims[0] != x->rank)
		return shape_error(c, "'repeats' has %lld values, but the input %s has rank %d",
				   (long long)rt->dims[0], shape_str(c, x), x->rank);
	int64_t rep[DLC_MAX_RANK];
	int n = index_values(c, 1, "repeats", rep, DLC_MAX_RANK);
	if (n == -2)
		return -1;
	if (n == -1) {
		c->out[0] = unknown_dims(x->dtype, x->rank);
		return 0;
	}
	struct dlc_type *o = &c->out[0];
	*o = *x;
	for (int i = 0; i < n; i++) {
		if (rep[i] < 0)
			return shape_error(c, "'repeats'[%d] is %lld; repeats must be >= 0", i,
					   (long long)rep[i]);
		if (rep[i] == 0)
			o->dims[i] = 0;
		else if (x->dims[i] >= 0 && dlc_mul_overflow(x->dims[i], rep[i], &o->dims[i]))
			return shape_error(c, "dim %d overflows", i);
		else if (x->dims[i] < 0 && rep[i] != 1)
			o->dims[i] = DLC_DIM_UNKNOWN;
	}
	return 0;
}

/* ---- pad, center_crop_pad ---- */

static const char *const pad_modes[] = {"constant", "reflect", "edge", "wrap"};

static int pad_plan(struct dlc_shape_ctx *c, struct dlc_pad_plan *p)
{
	const struct dlc_type *x = shape_in(c, 0);
	int r = x->rank;
	p->rank = r;
	for (int i = 0; i < r; i++)
		p->begin[i] = p->end[i] = 0;
	if (c->n->op == DLC_OP_CENTER_CROP_PAD) {
		if (check_index_vector(c, 1, "shape", false) < 0)
			return -1;
		const int64_t *av;
		int64_t axes[DLC_MAX_RANK], s[DLC_MAX_RANK];
		int ax[DLC_MAX_RANK];
		int na = dlc_node_ints(c->n, "axes", &av);
		if (na > r)
			return shape_error(c, "'axes' has %d values, but the input %s has rank %d", na,
					   shape_str(c, x), r);
		if (na < 0) {
			na = r;
			for (int i = 0; i < r; i++)
				axes[i] = i;
		} else {
			memcpy(axes, av, (size_t)na * sizeof *av);
		}
		if (norm_axes(c, "axes", axes, na, r, ax) < 0)
			return -1;
		int64_t k = shape_in(c, 1)->dims[0];
		if (k >= 0 && k != na)
			return shape_error(c, "'shape' has %lld values, but %d axes are cropped or padded",
					   (long long)k, na);
		int n = index_values(c, 1, "shape", s, DLC_MAX_RANK);
		if (n < 0)
			return n == -2 ? -1 : 1;
		for (int i = 0; i < na; i++) {
			int64_t dim = x->dims[ax[i]];
			if (s[i] < 0)
				return shape_error(c, "'shape'[%d] is %lld; sizes must be >= 0", i, (long long)s[i]);
			if (dim < 0)
				return 1;
			/* centred: an odd difference puts the extra element at the end */
			int64_t diff = s[i] - dim;
			p->begin[ax[i]] = diff >= 0 ? diff / 2 : -((-diff) / 2);
			p->end[ax[i]] = diff - p->begin[ax[i]];
		}
		return 0;
	}
	const char *mode = dlc_node_string(c->n, "mode");
	size_t m = 0;
	while (m < 4 && strcmp(mode, pad_modes[m]))
		m++;
	if (m == 4)
		return shape_error(c, "'mode' is \"%s\"; constant, reflect, edge and wrap are accepted", mode);
	if (check_index_vector(c, 1, "pads", false) < 0)
		return -1;
	const struct dlc_type *cv = shape_in(c, 2);
	if (cv) {
		if (cv->dtype != x->dtype)
			return shape_error(c, "'constant_value' %s must have the data's element type (%s)",
					   shape_str(c, cv), dlc_dtype_name(x->dtype));
		if (dlc_type_numel(cv) != 1 && (cv->rank > 1 || dlc_type_is_static(cv)))
			return shape_error(c, "'constant_value' %s must be a scalar", shape_str(c, cv));
	}
	int64_t axes[DLC_MAX_RANK], pads[2 * DLC_MAX_RANK];
	int ax[DLC_MAX_RANK], na = r;
	if (shape_in(c, 3)) {
		if (check_index_vector(c, 3, "axes", false) < 0)
			return -1;
		na = index_values(c, 3, "axes", axes, DLC_MAX_RANK);
		if (na < 0)
			return na == -2 ? -1 : 1;
	} else {
		for (int i = 0; i < r; i++)
			axes[i] = i;
	}
	if (norm_axes(c, "axes", axes, na, r, ax) < 0)
		return -1;
	int64_t k = shape_in(c, 1)->dims[0];
	if (k >= 0 && k != 2 * na)
		return shape_error(c, "'pads' has %lld values; %d expected (begin and end of %d axes)",
				   (long long)k, 2 * na, na);
	int n = index_values(c, 1, "pads", pads, 2 * DLC_MAX_RANK);
	if (n < 0)
		return n == -2 ? -1 : 1;
	for (int i = 0; i < na; i++) {
		p->begin[ax[i]] = pads[i];
		p->end[ax[i]] = pads[na + i];
	}
	for (int i = 0; i < r; i++) {
		int64_t dim = x->dims[i];
		if (dim < 0)
			continue;
		if (dim + p->begin[i] + p->end[i] < 0)
			return shape_error(c, "pads %lld and %lld remove more than the %lld elements of dim %d",
					   (long long)p->begin[i], (long long)p->end[i], (long long)dim, i);
		int64_t kept = dim + (p->begin[i] < 0 ? p->begin[i] : 0) + (p->end[i] < 0 ? p->end[i] : 0);
		if (m != 0 && kept <= 0 && (p->begin[i] > 0 || p->end[i] > 0))
			return shape_error(c, "cannot pad dim %d in %s mode: no element of it is left to copy",
					   i, mode);
	}
	return 0;
}

int dlc_pad_plan(struct dlc_graph *g, const struct dlc_node *n, struct dlc_pad_plan *p,
		 struct dlc_diag *d)
{
	struct dlc_shape_ctx c = {.g = g, .n = n, .diag = d};
	return pad_plan(&c, p);
}

static int shape_pad_common(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	struct dlc_pad_plan p;
	int rc = pad_plan(c, &p);
	if (rc < 0)
		return -1;
	struct dlc_type *o = &c->out[0];
	*o = *x;
	for (int i = 0; i < x->rank; i++)
		if (rc == 1 || x->dims[i] < 0)
			o->dims[i] = rc == 1 || p.begin[i] || p.end[i] ? DLC_DIM_UNKNOWN : x->dims[i];
		else
			o->dims[i] = x->dims[i] + p.begin[i] + p.end[i];
	return 0;
}

int shape_pad(struct dlc_shape_ctx *c)
{
	return shape_pad_common(c);
}

int shape_center_crop_pad(struct dlc_shape_ctx *c)
{
	return shape_pad_common(c);
}

/* ---- constant_of_shape, range, eye_like ---- */

int shape_constant_of_shape(struct dlc_shape_ctx *c)
{
	if (check_index_vector(c, 0, "shape", false) < 0)
		return -1;
	int64_t k = shape_in(c, 0)->dims[0];
	if (k > DLC_MAX_RANK)
		return shape_error(c, "'shape' has %lld values; the maximum rank is %d", (long long)k,
				   DLC_MAX_RANK);
	const struct dlc_type *v = shape_in(c, 1);
	if (v && dlc_type_is_static(v) && dlc_type_numel(v) != 1)
		return shape_error(c, "'value' %s must hold exactly one element", shape_str(c, v));
	enum dlc_dtype dt = v ? v->dtype : DLC_F32;
	int64_t s[DLC_MAX_RANK];
	int n = index_values(c, 0, "shape", s, DLC_MAX_RANK);
	if (n == -2)
		return -1;
	if (n == -1) {
		if (k >= 0)
			c->out[0] = unknown_dims(dt, (int)k);
		return 0;
	}
	for (int i = 0; i < n; i++)
		if (s[i] < 0)
			return shape_error(c, "'shape'[%d] is %lld; dims must be >= 0", i, (long long)s[i]);
	c->out[0] = dlc_type_make(dt, n, s);
	return 0;
}

int shape_range(struct dlc_shape_ctx *c)
{
	const struct dlc_type *st = shape_in(c, 0);
	static const char *const names[] = {"start", "limit", "delta"};
	double v[3];
	bool known = true;
	for (int i = 0; i < 3; i++) {
		const struct dlc_type *t = shape_in(c, i);
		if (!is_numeric(t->dtype))
			return shape_error(c, "'%s' %s must be numeric", names[i], shape_str(c, t));
		if (t->dtype != st->dtype)
			return shape_error(c, "'%s' %s must have the type of 'start' (%s)", names[i],
					   shape_str(c, t), dlc_dtype_name(st->dtype));
		int rc = scalar_value(c, i, names[i], &v[i]);
		if (rc < 0)
			return -1;
		known = known && rc == 0;
	}
	int64_t n = DLC_DIM_UNKNOWN;
	if (known) {
		if (v[2] == 0)
			return shape_error(c, "'delta' is 0");
		double f = ceil((v[1] - v[0]) / v[2]);
		if (dlc_dtype_is_int(st->dtype)) {
			/* exact in integers: ceil((limit - start) / delta) */
			const struct dlc_value *cv[3] = {const_operand(c, 0), const_operand(c, 1),
							 const_operand(c, 2)};
			int64_t s = dlc_elem_i64(dlc_value_data(cv[0]), st->dtype, 0);
			int64_t l = dlc_elem_i64(dlc_value_data(cv[1]), st->dtype, 0);
			int64_t d = dlc_elem_i64(dlc_value_data(cv[2]), st->dtype, 0);
			__int128 span = (__int128)l - s;
			__int128 q = span / d;
			if (q * d != span && ((span > 0) == (d > 0)))
				q++;
			f = (double)q;
		}
		if (!(f <= (double)DLC_MAX_NUMEL))
			return shape_error(c, "the range would have %g elements", f);
		n = f > 0 ? (int64_t)f : 0;
	}
	c->out[0] = dlc_type_make(st->dtype, 1, &n);
	return 0;
}

int shape_eye_like(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	if (x->rank != 2)
		return shape_error(c, "the input must be 2-D, got %s", shape_str(c, x));
	enum dlc_dtype dt = x->dtype;
	if (dlc_node_attr(c->n, "dtype")) {
		const char *s = dlc_node_string(c->n, "dtype");
		dt = dlc_dtype_from_name(s, strlen(s));
		if (dt == DLC_DTYPE_UNKNOWN)
			return shape_error(c, "'dtype' is \"%s\", not an element type", s);
	}
	c->out[0] = *x;
	c->out[0].dtype = dt;
	return 0;
}

/* ---- one_hot, trilu ---- */

int shape_one_hot(struct dlc_shape_ctx *c)
{
	const struct dlc_type *idx = shape_in(c, 0), *vals = shape_in(c, 2);
	if (!is_numeric(idx->dtype))
		return shape_error(c, "indices %s must be numeric", shape_str(c, idx));
	if (!is_numeric(shape_in(c, 1)->dtype))
		return shape_error(c, "'depth' %s must be numeric", shape_str(c, shape_in(c, 1)));
	if (vals->rank != 1 || (vals->dims[0] >= 0 && vals->dims[0] != 2))
		return shape_error(c, "'values' %s must hold [off_value, on_value]", shape_str(c, vals));
	if (check_rank(c, idx->rank + 1) < 0)
		return -1;
	int axis = shape_axis(c, "axis", dlc_node_int(c->n, "axis"), idx->rank + 1, false);
	if (axis < 0)
		return -1;
	double depth;
	int rc = scalar_value(c, 1, "depth", &depth);
	if (rc < 0)
		return -1;
	int64_t d = DLC_DIM_UNKNOWN;
	if (rc == 0) {
		if (!(depth >= 1 && depth <= (double)DLC_MAX_NUMEL))
			return shape_error(c, "'depth' is %g; it must be >= 1", depth);
		d = (int64_t)depth;
	}
	struct dlc_type *o = &c->out[0];
	*o = dlc_type_make(vals->dtype, idx->rank + 1, NULL);
	for (int i = 0, j = 0; i < o->rank; i++)
		o->dims[i] = i == axis ? d : idx->dims[j++];
	return 0;
}

int shape_trilu(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	if (x->rank < 2)
		return shape_error(c, "the input must have rank >= 2, got %s", shape_str(c, x));
	if (shape_in(c, 1)) {
		const struct dlc_type *k = shape_in(c, 1);
		if (k->dtype != DLC_I64)
			return shape_error(c, "'k' %s must be i64", shape_str(c, k));
		double v;
		if (scalar_value(c, 1, "k", &v) < 0)
			return -1;
	}
	c->out[0] = *x;
	return 0;
}

/* ---- depth_to_space, space_to_depth ---- */

static int block_size(struct dlc_shape_ctx *c, const struct dlc_type *x, int64_t *b)
{
	if (x->rank != 4)
		return shape_error(c, "the input must be 4-D (N,C,H,W), got %s", shape_str(c, x));
	if (!dlc_node_attr(c->n, "blocksize"))
		return shape_error(c, "missing required attribute 'blocksize'");
	*b = dlc_node_int(c->n, "blocksize");
	if (*b < 1 || *b > (1 << 20))
		return shape_error(c, "'blocksize' is %lld; it must be >= 1", (long long)*b);
	const char *mode = dlc_node_string(c->n, "mode");
	if (strcmp(mode, "DCR") && strcmp(mode, "CRD"))
		return shape_error(c, "'mode' is \"%s\"; DCR and CRD are accepted", mode);
	return 0;
}

static int64_t mul_dim(int64_t d, int64_t b)
{
	return d < 0 ? DLC_DIM_UNKNOWN : d * b;
}

int shape_depth_to_space(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	int64_t b;
	if (block_size(c, x, &b) < 0)
		return -1;
	int64_t ch = x->dims[1];
	if (ch >= 0 && ch % (b * b))
		return shape_error(c, "channels of %s do not divide by blocksize^2 = %lld", shape_str(c, x),
				   (long long)(b * b));
	int64_t dims[4] = {x->dims[0], ch < 0 ? DLC_DIM_UNKNOWN : ch / (b * b), mul_dim(x->dims[2], b),
			   mul_dim(x->dims[3], b)};
	c->out[0] = dlc_type_make(x->dtype, 4, dims);
	return 0;
}

int shape_space_to_depth(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	int64_t b;
	if (block_size(c, x, &b) < 0)
		return -1;
	for (int i = 2; i < 4; i++)
		if (x->dims[i] >= 0 && x->dims[i] % b)
			return shape_error(c, "dim %d of %s does not divide by blocksize %lld", i,
					   shape_str(c, x), (long long)b);
	int64_t dims[4] = {x->dims[0], mul_dim(x->dims[1], b * b),
			   x->dims[2] < 0 ? DLC_DIM_UNKNOWN : x->dims[2] / b,
			   x->dims[3] < 0 ? DLC_DIM_UNKNOWN : x->dims[3] / b};
	c->out[0] = dlc_type_make(x->dtype, 4, dims);
	return 0;
}

/* ---- reverse_sequence ---- */

int shape_reverse_sequence(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0), *len = shape_in(c, 1);
	if (x->rank < 2)
		return shape_error(c, "the input must have rank >= 2, got %s", shape_str(c, x));
	int64_t ba = dlc_node_int(c->n, "batch_axis"), ta = dlc_node_int(c->n, "time_axis");
	if ((ba != 0 && ba != 1) || (ta != 0 && ta != 1) || ba == ta)
		return shape_error(c, "'batch_axis' (%lld) and 'time_axis' (%lld) must be 0 and 1 in some order",
				   (long long)ba, (long long)ta);
	if (!is_index_dtype(len->dtype) || len->rank != 1)
		return shape_error(c, "'sequence_lens' %s must be a 1-D i64 tensor", shape_str(c, len));
	if (len->dims[0] >= 0 && x->dims[ba] >= 0 && len->dims[0] != x->dims[ba])
		return shape_error(c, "'sequence_lens' %s must have one length per batch entry (%lld)",
				   shape_str(c, len), (long long)x->dims[ba]);
	c->out[0] = *x;
	return 0;
}

/* ---- resize ---- */

static bool one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

/* A float operand's values (roi, scales); count, -1 not constant. */
static int float_values(struct dlc_shape_ctx *c, int i, const char *what, double *out, int max)
{
	const struct dlc_type *t = shape_in(c, i);
	if (!dlc_dtype_is_float(t->dtype) || t->rank != 1)
		return shape_error(c, "'%s' %s must be a 1-D float tensor", what, shape_str(c, t)), -2;
	const struct dlc_value *v = const_operand(c, i);
	if (!v)
		return -1;
	int64_t n = dlc_type_numel(&v->type);
	if (n > max)
		return shape_error(c, "'%s' has %lld values, at most %d accepted", what, (long long)n, max), -2;
	for (int64_t k = 0; k < n; k++)
		out[k] = dlc_elem_f64(dlc_value_data(v), v->type.dtype, k);
	return (int)n;
}

/* An optional operand that is given: present and not an empty tensor
 * (opsets 11 and 12 pass empty scales next to sizes). */
static bool given(struct dlc_shape_ctx *c, int i)
{
	const struct dlc_type *t = shape_in(c, i);
	return t && !(t->rank == 1 && t->dims[0] == 0);
}

static int resize_plan(struct dlc_shape_ctx *c, struct dlc_resize_plan *p)
{
	const struct dlc_node *n = c->n;
	const struct dlc_type *x = shape_in(c, 0);
	static const char *const modes[] = {"nearest", "linear", "cubic", NULL};
	static const char *const ctms[] = {"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel",
					   "align_corners", "asymmetric", "tf_crop_and_resize", NULL};
	static const char *const nearest[] = {"round_prefer_floor", "round_prefer_ceil", "floor",
					      "ceil", NULL};
	static const char *const policies[] = {"stretch", "not_larger", "not_smaller", NULL};
	const char *mode = dlc_node_string(n, "mode");
	const char *ctm = dlc_node_string(n, "coordinate_transformation_mode");
	const char *nm = dlc_node_string(n, "nearest_mode");
	const char *policy = dlc_node_string(n, "keep_aspect_ratio_policy");
	if (!one_of(mode, modes))
		return shape_error(c, "'mode' is \"%s\"; nearest, linear and cubic are accepted", mode);
	if (!one_of(ctm, ctms))
		return shape_error(c, "'coordinate_transformation_mode' \"%s\" is not supported", ctm);
	if (!one_of(nm, nearest))
		return shape_error(c, "'nearest_mode' \"%s\" is not supported", nm);
	if (!one_of(policy, policies))
		return shape_error(c, "'keep_aspect_ratio_policy' is \"%s\"; stretch, not_larger and not_smaller are accepted",
				   policy);
	if (dlc_node_int(n, "antialias") && !strcmp(mode, "nearest"))
		return shape_error(c, "'antialias' applies to the linear and cubic modes only");
	int r = x->rank;
	if (r < 1)
		return shape_error(c, "the input must have rank >= 1, got %s", shape_str(c, x));
	const int64_t *av;
	int64_t axes[DLC_MAX_RANK];
	int ax[DLC_MAX_RANK];
	int na = dlc_node_ints(n, "axes", &av);
	if (na > r)
		return shape_error(c, "'axes' has %d values, but the input %s has rank %d", na,
				   shape_str(c, x), r);
	if (na < 0) {
		na = r;
		for (int i = 0; i < r; i++)
			axes[i] = i;
	} else {
		memcpy(axes, av, (size_t)na * sizeof *av);
	}
	if (norm_axes(c, "axes", axes, na, r, ax) < 0)
		return -1;
	bool has_scales = given(c, 2), has_sizes = given(c, 3);
	if (has_scales == has_sizes)
		return shape_error(c, "exactly one of 'scales' and 'sizes' must be given");
	p->rank = r;
	for (int i = 0; i < r; i++)
		p->ax[i] = (struct dlc_resize_axis){.in = x->dims[i], .out = x->dims[i], .scale = 1,
						    .out_f = (double)x->dims[i], .roi0 = 0, .roi1 = 1};
	for (int i = 0; i < na; i++)
		p->ax[ax[i]].resized = true;
	bool crop = !strcmp(ctm, "tf_crop_and_resize");
	double roi[2 * DLC_MAX_RANK];
	int nroi = given(c, 1) ? float_values(c, 1, "roi", roi, 2 * DLC_MAX_RANK) : 0;
	if (nroi == -2)
		return -1;
	if (crop) {
		if (!given(c, 1))
			return shape_error(c, "'tf_crop_and_resize' needs the 'roi' operand");
		const struct dlc_type *rt = shape_in(c, 1);
		if (rt->dims[0] >= 0 && rt->dims[0] != 2 * na)
			return shape_error(c, "'roi' %s must hold %d values (start and end of %d axes)",
					   shape_str(c, rt), 2 * na, na);
	}
	double vals[DLC_MAX_RANK];
	int64_t sizes[DLC_MAX_RANK];
	int cnt;
	if (has_scales) {
		cnt = float_values(c, 2, "scales", vals, DLC_MAX_RANK);
		if (cnt == -2)
			return -1;
		const struct dlc_type *st = shape_in(c, 2);
		if (st->dims[0] >= 0 && st->dims[0] != na)
			return shape_error(c, "'scales' %s must hold one value per resized axis (%d)",
					   shape_str(c, st), na);
	} else {
		if (check_index_vector(c, 3, "sizes", false) < 0)
			return -1;
		const struct dlc_type *st = shape_in(c, 3);
		if (st->dims[0] >= 0 && st->dims[0] != na)
			return shape_error(c, "'sizes' %s must hold one value per resized axis (%d)",
					   shape_str(c, st), na);
		cnt = index_values(c, 3, "sizes", sizes, DLC_MAX_RANK);
		if (cnt == -2)
			return -1;
	}
	if (cnt < 0 || (crop && nroi < 0))
		return 1;
	for (int i = 0; i < na; i++)
		if (x->dims[ax[i]] < 0)
			return 1;
	if (crop)
		for (int i = 0; i < na; i++) {
			p->ax[ax[i]].roi0 = roi[i];
			p->ax[ax[i]].roi1 = roi[na + i];
		}
	if (has_scales) {
		for (int i = 0; i < na; i++) {
			struct dlc_resize_axis *a = &p->ax[ax[i]];
			if (!(vals[i] > 0) || vals[i] > 1e9)
				return shape_error(c, "'scales'[%d] is %g; scales must be > 0", i, vals[i]);
			a->scale = vals[i];
			a->out_f = vals[i] * (double)a->in;
			if (!(a->out_f <= (double)DLC_MAX_NUMEL))
				return shape_error(c, "axis %d would have %g elements", ax[i], a->out_f);
			a->out = (int64_t)a->out_f;
		}
		return 0;
	}
	for (int i = 0; i < na; i++) {
		struct dlc_resize_axis *a = &p->ax[ax[i]];
		if (sizes[i] < 1)
			return shape_error(c, "'sizes'[%d] is %lld; sizes must be >= 1", i, (long long)sizes[i]);
		if (a->in < 1)
			return shape_error(c, "axis %d of %s is empty and cannot be resized", ax[i],
					   shape_str(c, x));
		a->out = sizes[i];
		a->scale = (double)sizes[i] / (double)a->in;
	}
	if (strcmp(policy, "stretch")) {
		/* one scale for every resized axis: the smallest or the largest */
		bool larger = !strcmp(policy, "not_smaller");
		double s = p->ax[ax[0]].scale;
		for (int i = 1; i < na; i++) {
			double t = p->ax[ax[i]].scale;
			s = larger ? (t > s ? t : s) : (t < s ? t : s);
		}
		for (int i = 0; i < na; i++) {
			struct dlc_resize_axis *a = &p->ax[ax[i]];
			a->scale = s;
			a->out = (int64_t)(s * (double)a->in + 0.5);
		}
	}
	for (int i = 0; i < na; i++)
		p->ax[ax[i]].out_f = p->ax[ax[i]].scale * (double)p->ax[ax[i]].in;
	return 0;
}

int dlc_resize_plan(struct dlc_graph *g, const struct dlc_node *n, struct dlc_resize_plan *p,
		    struct dlc_diag *d)
{
	struct dlc_shape_ctx c = {.g = g, .n = n, .diag = d};
	return resize_plan(&c, p);
}

int shape_resize(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	struct dlc_resize_plan p;
	int rc = resize_plan(c, &p);
	if (rc < 0)
		return -1;
	struct dlc_type *o = &c->out[0];
	*o = *x;
	for (int i = 0; i < x->rank; i++)
		if (p.ax[i].resized || rc == 1)
			o->dims[i] = rc == 1 ? DLC_DIM_UNKNOWN : p.ax[i].out;
	return 0;
}

/* ---- compress ---- */

int shape_compress(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0), *cond = shape_in(c, 1);
	if (cond->dtype != DLC_BOOL || cond->rank != 1)
		return shape_error(c, "'condition' %s must be a 1-D bool tensor", shape_str(c, cond));
	const struct dlc_attr *a = dlc_node_attr(c->n, "axis");
	int axis = -1;
	if (a && (axis = shape_axis(c, "axis", a->u.i, x->rank, false)) < 0)
		return -1;
	int64_t dim = axis >= 0 ? x->dims[axis] : prod(x->dims, 0, x->rank);
	if (values_from_node(c, 1, "condition") < 0)
		return -1;
	const struct dlc_value *v = const_operand(c, 1);
	int64_t kept = DLC_DIM_UNKNOWN;
	if (v && dim >= 0) {
		int64_t len = cond->dims[0];
		if (len > dim)
			return shape_error(c, "'condition' has %lld values, more than the %lld it selects from",
					   (long long)len, (long long)dim);
		kept = 0;
		for (int64_t i = 0; i < len; i++)
			kept += ((const uint8_t *)dlc_value_data(v))[i] != 0;
	}
	struct dlc_type *o = &c->out[0];
	if (axis < 0) {
		*o = dlc_type_make(x->dtype, 1, &kept);
	} else {
		*o = *x;
		o->dims[axis] = kept;
	}
	return 0;
}

/* ---- col2im ---- */

int shape_col2im(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	if (x->rank != 3)
		return shape_error(c, "the input must be 3-D (N, C * prod(block_shape), L), got %s",
				   shape_str(c, x));
	for (int i = 1; i < 3; i++)
		if (check_index_vector(c, i, i == 1 ? "image_shape" : "block_shape", false) < 0)
			return -1;
	int64_t nd = shape_in(c, 1)->dims[0];
	if (nd >= 0 && shape_in(c, 2)->dims[0] >= 0 && shape_in(c, 2)->dims[0] != nd)
		return shape_error(c, "'image_shape' and 'block_shape' must have the same length");
	if (nd > DLC_MAX_RANK - 2 || nd == 0)
		return shape_error(c, "'image_shape' has %lld values; 1 to %d spatial dims are accepted",
				   (long long)nd, DLC_MAX_RANK - 2);
	int64_t img[DLC_MAX_RANK], blk[DLC_MAX_RANK];
	int ni = index_values(c, 1, "image_shape", img, DLC_MAX_RANK);
	int nb = index_values(c, 2, "block_shape", blk, DLC_MAX_RANK);
	if (ni == -2 || nb == -2)
		return -1;
	if (ni < 0 || nb < 0) {
		if (nd >= 0) {
			c->out[0] = unknown_dims(x->dtype, 2 + (int)nd);
			c->out[0].dims[0] = x->dims[0];
		}
		return 0;
	}
	int64_t att[3][DLC_MAX_RANK];
	static const char *const names[] = {"dilations", "pads", "strides"};
	for (int k = 0; k < 3; k++) {
		const int64_t *v;
		int want = k == 1 ? 2 * ni : ni, cnt = dlc_node_ints(c->n, names[k], &v);
		if (cnt >= 0 && cnt != want)
			return shape_error(c, "'%s' has %d values; %d expected", names[k], cnt, want);
		for (int i = 0; i < want; i++) {
			att[k][i] = cnt >= 0 ? v[i] : k == 1 ? 0 : 1;
			if (att[k][i] < (k == 1 ? 0 : 1))
				return shape_error(c, "'%s'[%d] is %lld", names[k], i, (long long)att[k][i]);
		}
	}
	int64_t kprod = 1, blocks = 1;
	for (int i = 0; i < ni; i++) {
		if (img[i] < 1 || blk[i] < 1)
			return shape_error(c, "image_shape %s and block_shape %s must be positive",
					   ints_str(img, ni), ints_str(blk, nb));
		kprod *= blk[i];
		int64_t span = att[0][i] * (blk[i] - 1) + 1;
		int64_t nbk = (img[i] + att[1][i] + att[1][ni + i] - span) / att[2][i] + 1;
		if (img[i] + att[1][i] + att[1][ni + i] < span)
			return shape_error(c, "block_shape %s does not fit image_shape %s", ints_str(blk, nb),
					   ints_str(img, ni));
		blocks *= nbk;
	}
	if (x->dims[1] >= 0 && x->dims[1] % kprod)
		return shape_error(c, "dim 1 of %s does not divide by the block size %lld", shape_str(c, x),
				   (long long)kprod);
	if (x->dims[2] >= 0 && x->dims[2] != blocks)
		return shape_error(c, "dim 2 of %s must be the number of blocks, %lld", shape_str(c, x),
				   (long long)blocks);
	struct dlc_type *o = &c->out[0];
	*o = dlc_type_make(x->dtype, 2 + ni, NULL);
	o->dims[0] = x->dims[0];
	o->dims[1] = x->dims[1] < 0 ? DLC_DIM_UNKNOWN : x->dims[1] / kprod;
	for (int i = 0; i < ni; i++)
		o->dims[2 + i] = img[i];
	return 0;
}

/* ---- nonzero, unique ---- */

int shape_nonzero(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	if (values_from_node(c, 0, "input") < 0)
		return -1;
	const struct dlc_value *v = const_operand(c, 0);
	int64_t dims[2] = {x->rank, DLC_DIM_UNKNOWN};
	if (v) {
		int64_t n = dlc_type_numel(&v->type);
		dims[1] = 0;
		for (int64_t i = 0; i < n; i++)
			dims[1] += dlc_elem_f64(dlc_value_data(v), v->type.dtype, i) != 0;
	}
	c->out[0] = dlc_type_make(DLC_I64, 2, dims);
	return 0;
}

/* Compares slices a and b of the unique input (lexicographically, in the
 * element type's own order). */
struct unique_sort {
	const void *data;
	enum dlc_dtype t;
	int64_t outer, nslices, inner;
};

static int cmp_elems(const struct unique_sort *s, int64_t i, int64_t j)
{
	if (dlc_dtype_is_float(s->t)) {
		double a = dlc_elem_f64(s->data, s->t, i), b = dlc_elem_f64(s->data, s->t, j);
		return a < b ? -1 : a > b;
	}
	if (s->t == DLC_U64) {
		uint64_t a = ((const uint64_t *)s->data)[i], b = ((const uint64_t *)s->data)[j];
		return a < b ? -1 : a > b;
	}
	int64_t a = dlc_elem_i64(s->data, s->t, i), b = dlc_elem_i64(s->data, s->t, j);
	if (s->t == DLC_BOOL) {
		a = a != 0;
		b = b != 0;
	}
	return a < b ? -1 : a > b;
}

static int cmp_slices(const struct unique_sort *s, int64_t a, int64_t b)
{
	for (int64_t o = 0; o < s->outer; o++)
		for (int64_t i = 0; i < s->inner; i++) {
			int64_t base = o * s->nslices * s->inner + i;
			int r = cmp_elems(s, base + a * s->inner, base + b * s->inner);
			if (r)
				return r;
		}
	return 0;
}

/* Merge sort of slice numbers (stable: equal slices keep input order). */
static void sort_slices(const struct unique_sort *s, int64_t *v, int64_t *tmp, int64_t n)
{
	if (n < 2)
		return;
	int64_t h = n / 2;
	sort_slices(s, v, tmp, h);
	sort_slices(s, v + h, tmp, n - h);
	int64_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = cmp_slices(s, v[j], v[i]) < 0 ? v[j++] : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, (size_t)n * sizeof *v);
}

static int unique_eval(struct dlc_shape_ctx *c, struct dlc_unique *u)
{
	const struct dlc_type *x = shape_in(c, 0);
	memset(u, 0, sizeof *u);
	const struct dlc_attr *a = dlc_node_attr(c->n, "axis");
	u->axis = -1;
	if (a && (u->axis = shape_axis(c, "axis", a->u.i, x->rank, false)) < 0)
		return -1;
	if (values_from_node(c, 0, "input") < 0)
		return -1;
	const struct dlc_value *v = const_operand(c, 0);
	if (!v)
		return 1;
	struct unique_sort s = {.data = dlc_value_data(v), .t = x->dtype};
	if (u->axis < 0) {
		s.outer = s.inner = 1;
		s.nslices = dlc_type_numel(x);
	} else {
		s.outer = prod(x->dims, 0, u->axis);
		s.nslices = x->dims[u->axis];
		s.inner = prod(x->dims, u->axis + 1, x->rank);
	}
	int64_t n = s.nslices;
	u->nslices = n;
	int64_t *order = dlc_xcalloc((size_t)n + 1, sizeof *order);
	int64_t *tmp = dlc_xcalloc((size_t)n + 1, sizeof *tmp);
	u->first = dlc_xcalloc((size_t)n + 1, sizeof *u->first);
	u->inverse = dlc_xcalloc((size_t)n + 1, sizeof *u->inverse);
	u->counts = dlc_xcalloc((size_t)n + 1, sizeof *u->counts);
	for (int64_t i = 0; i < n; i++)
		order[i] = i;
	sort_slices(&s, order, tmp, n);
	/* runs of equal slices in sorted order: the first of a run is the
	 * earliest occurrence, since the sort is stable */
	int64_t *rank_of = tmp; /* sorted run of each slice */
	int64_t runs = 0;
	for (int64_t i = 0; i < n; i++) {
		if (i == 0 || cmp_slices(&s, order[i - 1], order[i]))
			u->first[runs++] = order[i];
		rank_of[order[i]] = runs - 1;
	}
	u->count = runs;
	if (!dlc_node_int(c->n, "sorted")) {
		/* order of first occurrence: renumber runs by their first slice */
		int64_t *by_first = order, *renum = dlc_xcalloc((size_t)runs + 1, sizeof *renum);
		int64_t k = 0;
		for (int64_t i = 0; i < n; i++)
			if (u->first[rank_of[i]] == i) {
				renum[rank_of[i]] = k;
				by_first[k++] = i;
			}
		for (int64_t i = 0; i < n; i++)
			rank_of[i] = renum[rank_of[i]];
		memcpy(u->first, by_first, (size_t)runs * sizeof *u->first);
		free(renum);
	}
	for (int64_t i = 0; i < n; i++) {
		u->inverse[i] = rank_of[i];
		u->counts[rank_of[i]]++;
	}
	free(order);
	free(tmp);
	return 0;
}

int dlc_unique_eval(struct dlc_graph *g, const struct dlc_node *n, struct dlc_unique *u,
		    struct dlc_diag *d)
{
	struct dlc_shape_ctx c = {.g = g, .n = n, .diag = d};
	return unique_eval(&c, u);
}

void dlc_unique_free(struct dlc_unique *u)
{
	free(u->first);
	free(u->inverse);
	free(u->counts);
	memset(u, 0, sizeof *u);
}

int shape_unique(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	struct dlc_unique u;
	int rc = unique_eval(c, &u);
	if (rc < 0)
		return -1;
	int64_t count = rc == 0 ? u.count : DLC_DIM_UNKNOWN;
	int axis = u.axis;
	int64_t nslices = axis >= 0 ? x->dims[axis] : prod(x->dims, 0, x->rank);
	dlc_unique_free(&u);
	if (axis >= 0) {
		c->out[0] = *x;
		c->out[0].dims[axis] = count;
	} else {
		c->out[0] = dlc_type_make(x->dtype, 1, &count);
	}
	for (int i = 1; i < c->n->noutputs; i++)
		c->out[i] = dlc_type_make(DLC_I64, 1, i == 2 ? &nslices : &count);
	return 0;
}
