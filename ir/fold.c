/* Constant folding of one node: the evaluation dlc does at compile time.
 *
 * A node whose operands are all constants is evaluated and its result
 * becomes a constant; shape and size only need their operand's static
 * type. This is what turns exported shape arithmetic (Shape -> Gather ->
 * Unsqueeze -> Concat -> Reshape, Expand of a zero state, ...) into static
 * graphs. Both the fold pass and the ONNX importer (so that later nodes see
 * constant shapes while they are imported) call dlc_fold_node.
 *
 * Evaluation is by element, portable and exact for the sizes involved:
 * integers in int64 (wrapping like the generated code), floats in double
 * rounded to the result's dtype. Ops without an evaluator are left alone,
 * and so are results above FOLD_LIMIT bytes, which cost more in the
 * binary than computing them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlc/build.h"
#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/util.h"
#include "ir/shape_index.h"

enum { FOLD_LIMIT = 64 << 20 };

static bool is_int(enum dlc_dtype t)
{
	return dlc_dtype_is_int(t) || t == DLC_BOOL;
}

static int64_t geti(const struct dlc_value *v, int64_t i)
{
	return dlc_elem_i64(dlc_value_data(v), v->type.dtype, i);
}

static double getf(const struct dlc_value *v, int64_t i)
{
	return dlc_elem_f64(dlc_value_data(v), v->type.dtype, i);
}

/* Stores element i of dtype t: xi for integral t, x otherwise. */
static void put(enum dlc_dtype t, void *p, int64_t i, double x, int64_t xi)
{
	switch (t) {
	case DLC_F32: ((float *)p)[i] = (float)x; break;
	case DLC_F64: ((double *)p)[i] = x; break;
	case DLC_F16: ((uint16_t *)p)[i] = dlc_f32_to_f16((float)x); break;
	case DLC_BF16: ((uint16_t *)p)[i] = dlc_f32_to_bf16((float)x); break;
	case DLC_I8: ((int8_t *)p)[i] = (int8_t)xi; break;
	case DLC_U8: ((uint8_t *)p)[i] = (uint8_t)xi; break;
	case DLC_I16: ((int16_t *)p)[i] = (int16_t)xi; break;
	case DLC_U16: ((uint16_t *)p)[i] = (uint16_t)xi; break;
	case DLC_I32: ((int32_t *)p)[i] = (int32_t)xi; break;
	case DLC_U32: ((uint32_t *)p)[i] = (uint32_t)xi; break;
	case DLC_I64: ((int64_t *)p)[i] = xi; break;
	case DLC_U64: ((uint64_t *)p)[i] = (uint64_t)xi; break;
	case DLC_BOOL: ((uint8_t *)p)[i] = xi != 0; break;
	default: break;
	}
}

/* Offset in operand t of element i of a result of type out (numpy
 * broadcasting, right-aligned). */
static int64_t bcast_offset(const struct dlc_type *out, const struct dlc_type *t, int64_t i)
{
	int64_t off = 0, stride = 1;
	for (int d = out->rank - 1; d >= 0; d--) {
		int64_t idx = i % out->dims[d];
		i /= out->dims[d];
		int j = d - (out->rank - t->rank);
		if (j < 0)
			continue;
		if (t->dims[j] != 1)
			off += idx * stride;
		stride *= t->dims[j];
	}
	return off;
}

typedef int (*eval_fn)(const struct dlc_node *n, void *out);

/* ---- elementwise ---- */

/* One binary op on integers; -1 where the result is undefined. */
static int binary_i(enum dlc_op op, int64_t x, int64_t z, int64_t *r, bool fmod)
{
	switch (op) {
	case DLC_OP_ADD: *r = (int64_t)((uint64_t)x + (uint64_t)z); return 0;
	case DLC_OP_SUB: *r = (int64_t)((uint64_t)x - (uint64_t)z); return 0;
	case DLC_OP_MUL: *r = (int64_t)((uint64_t)x * (uint64_t)z); return 0;
	case DLC_OP_DIV:
	case DLC_OP_MOD:
		if (!z || (x == INT64_MIN && z == -1))
			return -1; /* the model's run-time problem, not the compiler's */
		if (op == DLC_OP_DIV)
			*r = x / z;
		else /* integer Mod takes the divisor's sign unless fmod */
			*r = fmod || x % z == 0 || (x % z < 0) == (z < 0) ? x % z : x % z + z;
		return 0;
	case DLC_OP_MAX: *r = x > z ? x : z; return 0;
	case DLC_OP_MIN: *r = x < z ? x : z; return 0;
	case DLC_OP_EQUAL: *r = x == z; return 0;
	case DLC_OP_LESS: *r = x < z; return 0;
	case DLC_OP_GREATER: *r = x > z; return 0;
	case DLC_OP_LESS_OR_EQUAL: *r = x <= z; return 0;
	case DLC_OP_GREATER_OR_EQUAL: *r = x >= z; return 0;
	case DLC_OP_AND: *r = x && z; return 0;
	case DLC_OP_OR: *r = x || z; return 0;
	case DLC_OP_XOR: *r = !x != !z; return 0;
	default: return -1;
	}
}

static int binary_f(enum dlc_op op, double x, double z, double *r, bool fmod_)
{
	switch (op) {
	case DLC_OP_ADD: *r = x + z; return 0;
	case DLC_OP_SUB: *r = x - z; return 0;
	case DLC_OP_MUL: *r = x * z; return 0;
	case DLC_OP_DIV: *r = x / z; return 0;
	case DLC_OP_MOD:
		if (!fmod_)
			return -1; /* float Mod requires fmod=1 */
		*r = fmod(x, z);
		return 0;
	case DLC_OP_MAX: *r = isnan(x) || x > z ? x : z; return 0;
	case DLC_OP_MIN: *r = isnan(x) || x < z ? x : z; return 0;
	case DLC_OP_EQUAL: *r = x == z; return 0;
	case DLC_OP_LESS: *r = x < z; return 0;
	case DLC_OP_GREATER: *r = x > z; return 0;
	case DLC_OP_LESS_OR_EQUAL: *r = x <= z; return 0;
	case DLC_OP_GREATER_OR_EQUAL: *r = x >= z; return 0;
	default: return -1;
	}
}

static int eval_binary(const struct dlc_node *n, void *out)
{
	if (n->ninputs != 2)
		return -1; /* variadic Max/Min over more operands: not folded */
	const struct dlc_value *a = dlc_node_input(n, 0), *b = dlc_node_input(n, 1);
	const struct dlc_type *y = &n->outputs[0]->type;
	bool ints = is_int(a->type.dtype), fm = n->op == DLC_OP_MOD && dlc_node_int(n, "fmod");
	int64_t count = dlc_type_numel(y);
	for (int64_t i = 0; i < count; i++) {
		int64_t ia = bcast_offset(y, &a->type, i), ib = bcast_offset(y, &b->type, i);
		if (ints) {
			int64_t r;
			if (binary_i(n->op, geti(a, ia), geti(b, ib), &r, fm) < 0)
				return -1;
			put(y->dtype, out, i, (double)r, r);
		} else {
			double r;
			if (binary_f(n->op, getf(a, ia), getf(b, ib), &r, fm) < 0)
				return -1;
			/* the integer image is used only for integer results
			 * (comparisons: 0 or 1) but made for every element, so
			 * -inf (a causal mask) must convert without UB */
			put(y->dtype, out, i, r, dlc_f64_to_i64_sat(r));
		}
	}
	return 0;
}

static int eval_unary(const struct dlc_node *n, void *out)
{
	const struct dlc_value *x = dlc_node_input(n, 0);
	const struct dlc_type *y = &n->outputs[0]->type;
	int64_t count = dlc_type_numel(y);
	bool ints = is_int(x->type.dtype);
	for (int64_t i = 0; i < count; i++) {
		double f = getf(x, i), r;
		int64_t v = geti(x, i), ri = 0;
		switch (n->op) {
		case DLC_OP_NEG: r = -f; ri = (int64_t)(0 - (uint64_t)v); break;
		case DLC_OP_ABS: r = fabs(f); ri = v < 0 ? (int64_t)(0 - (uint64_t)v) : v; break;
		case DLC_OP_RELU: r = f < 0 ? 0 : f; ri = v < 0 ? 0 : v; break;
		case DLC_OP_NOT: r = !v; ri = !v; break;
		case DLC_OP_SIGN: r = (f > 0) - (f < 0); ri = (v > 0) - (v < 0); break;
		case DLC_OP_SQRT: r = sqrt(f); break;
		case DLC_OP_FLOOR: r = floor(f); break;
		case DLC_OP_CEIL: r = ceil(f); break;
		case DLC_OP_CAST:
			/* to an integer: floats truncate toward zero, as C and ONNX
			 * (out of range as the generated code does) */
			r = f;
			ri = is_int(x->type.dtype) ? v : dlc_float_to_int(y->dtype, f);
			if (y->dtype == DLC_BOOL)
				ri = ints ? v != 0 : f != 0;
			put(y->dtype, out, i, r, ri);
			continue;
		default: return -1;
		}
		if (ints && (n->op == DLC_OP_SQRT || n->op == DLC_OP_FLOOR || n->op == DLC_OP_CEIL))
			ri = v; /* identity on integers */
		put(y->dtype, out, i, r, ints ? ri : dlc_f64_to_i64_sat(r));
	}
	return 0;
}

static int eval_where(const struct dlc_node *n, void *out)
{
	const struct dlc_value *c = dlc_node_input(n, 0), *a = dlc_node_input(n, 1),
			       *b = dlc_node_input(n, 2);
	const struct dlc_type *y = &n->outputs[0]->type;
	size_t es = dlc_dtype_size(y->dtype);
	int64_t count = dlc_type_numel(y);
	for (int64_t i = 0; i < count; i++) {
		const struct dlc_value *s = geti(c, bcast_offset(y, &c->type, i)) ? a : b;
		memcpy((char *)out + i * (int64_t)es,
		       (const char *)dlc_value_data(s) + bcast_offset(y, &s->type, i) * (int64_t)es, es);
	}
	return 0;
}

/* ---- data movement ---- */

/* Views (reshape, flatten, squeeze, unsqueeze, identity): the same bytes. */
static int eval_copy(const struct dlc_node *n, void *out)
{
	const struct dlc_value *x = dlc_node_input(n, 0);
	memcpy(out, dlc_value_data(x), (size_t)dlc_type_nbytes(&x->type));
	return 0;
}

static int eval_expand(const struct dlc_node *n, void *out)
{
	const struct dlc_value *x = dlc_node_input(n, 0);
	const struct dlc_type *y = &n->outputs[0]->type;
	size_t es = dlc_dtype_size(y->dtype);
	int64_t count = dlc_type_numel(y);
	for (int64_t i = 0; i < count; i++)
		memcpy((char *)out + i * (int64_t)es,
		       (const char *)dlc_value_data(x) + bcast_offset(y, &x->type, i) * (int64_t)es, es);
	return 0;
}

static int eval_transpose(const struct dlc_node *n, void *out)
{
	const struct dlc_value *x = dlc_node_input(n, 0);
	const struct dlc_type *y = &n->outputs[0]->type;
	int r = x->type.rank;
	int64_t perm[DLC_MAX_RANK], xs[DLC_MAX_RANK], s = 1;
	const int64_t *p;
	int k = dlc_node_ints(n, "perm", &p);
	for (int i = 0; i < r; i++)
		perm[i] = k == r ? p[i] : r - 1 - i;
	for (int i = r - 1; i >= 0; i--) {
		xs[i] = s;
		s *= x->type.dims[i];
	}
	size_t es = dlc_dtype_size(y->dtype);
	int64_t count = dlc_type_numel(y);
	for (int64_t i = 0; i < count; i++) {
		int64_t rem = i, off = 0;
		for (int d = r - 1; d >= 0; d--) {
			off += rem % y->dims[d] * xs[perm[d]];
			rem /= y->dims[d];
		}
		memcpy((char *)out + i * (int64_t)es, (const char *)dlc_value_data(x) + off * (int64_t)es, es);
	}
	return 0;
}

static int eval_concat(const struct dlc_node *n, void *out)
{
	const struct dlc_type *y = &n->outputs[0]->type;
	int axis = (int)dlc_node_int(n, "axis");
	if (axis < 0)
		axis += y->rank;
	int64_t outer = 1, inner = (int64_t)dlc_dtype_size(y->dtype);
	for (int i = 0; i < axis; i++)
		outer *= y->dims[i];
	for (int i = axis + 1; i < y->rank; i++)
		inner *= y->dims[i];
	int64_t row = y->dims[axis] * inner, at = 0;
	for (int k = 0; k < n->ninputs; k++) {
		const struct dlc_value *x = dlc_node_input(n, k);
		int64_t block = x->type.dims[axis] * inner;
		for (int64_t o = 0; o < outer && block; o++)
			memcpy((char *)out + o * row + at, (const char *)dlc_value_data(x) + o * block,
			       (size_t)block);
		at += block;
	}
	return 0;
}

static int eval_gather(const struct dlc_node *n, void *out)
{
	const struct dlc_value *x = dlc_node_input(n, 0), *idx = dlc_node_input(n, 1);
	int axis = (int)dlc_node_int(n, "axis");
	if (axis < 0)
		axis += x->type.rank;
	int64_t outer = 1, inner = (int64_t)dlc_dtype_size(x->type.dtype), dim = x->type.dims[axis];
	for (int i = 0; i < axis; i++)
		outer *= x->type.dims[i];
	for (int i = axis + 1; i < x->type.rank; i++)
		inner *= x->type.dims[i];
	int64_t ni = dlc_type_numel(&idx->type);
	for (int64_t o = 0; o < outer; o++)
		for (int64_t k = 0; k < ni; k++) {
			int64_t j = geti(idx, k);
			if (j < 0)
				j += dim;
			if (j < 0 || j >= dim)
				return -1; /* out of range: left to the kernel's rules */
			memcpy((char *)out + (o * ni + k) * inner,
			       (const char *)dlc_value_data(x) + (o * dim + j) * inner, (size_t)inner);
		}
	return 0;
}

static int eval_slice(const struct dlc_node *n, void *out)
{
	const struct dlc_value *x = dlc_node_input(n, 0);
	struct dlc_slice_plan p;
	struct dlc_diag quiet; /* a bad slice is reported by shape inference */
	dlc_diag_init(&quiet, NULL, NULL);
	int rc = dlc_slice_plan(n->graph, n, &p, &quiet);
	dlc_diag_free(&quiet);
	if (rc != 0)
		return -1;
	const struct dlc_type *y = &n->outputs[0]->type;
	int64_t xs[DLC_MAX_RANK], s = 1;
	for (int i = x->type.rank - 1; i >= 0; i--) {
		xs[i] = s;
		s *= x->type.dims[i];
	}
	size_t es = dlc_dtype_size(y->dtype);
	int64_t count = dlc_type_numel(y);
	for (int64_t i = 0; i < count; i++) {
		int64_t rem = i, off = 0;
		for (int d = p.rank - 1; d >= 0; d--) {
			off += (p.start[d] + rem % p.count[d] * p.step[d]) * xs[d];
			rem /= p.count[d];
		}
		memcpy((char *)out + i * (int64_t)es, (const char *)dlc_value_data(x) + off * (int64_t)es, es);
	}
	return 0;
}

/* Shape and size read only the operand's static type. */
static int eval_shape(const struct dlc_node *n, void *out)
{
	const struct dlc_type *x = &dlc_node_input(n, 0)->type;
	int64_t start = dlc_node_int(n, "start"), end = x->rank;
	const struct dlc_attr *e = dlc_node_attr(n, "end");
	if (e)
		end = e->u.i;
	start = start < 0 ? start + x->rank : start;
	end = end < 0 ? end + x->rank : end;
	start = start < 0 ? 0 : start > x->rank ? x->rank : start;
	for (int64_t i = start, k = 0; i < end && i < x->rank; i++, k++)
		((int64_t *)out)[k] = x->dims[i];
	return 0;
}

static int eval_size(const struct dlc_node *n, void *out)
{
	*(int64_t *)out = dlc_type_numel(&dlc_node_input(n, 0)->type);
	return 0;
}

static int eval_constant_of_shape(const struct dlc_node *n, void *out)
{
	const struct dlc_value *v = dlc_node_input(n, 1);
	const struct dlc_type *y = &n->outputs[0]->type;
	size_t es = dlc_dtype_size(y->dtype);
	int64_t count = dlc_type_numel(y);
	for (int64_t i = 0; i < count; i++) {
		if (v)
			memcpy((char *)out + i * (int64_t)es, dlc_value_data(v), es);
		else
			put(y->dtype, out, i, 0, 0); /* ONNX's default: float zeros */
	}
	return 0;
}

static int eval_range(const struct dlc_node *n, void *out)
{
	const struct dlc_type *y = &n->outputs[0]->type;
	const struct dlc_value *s = dlc_node_input(n, 0), *d = dlc_node_input(n, 2);
	int64_t count = dlc_type_numel(y);
	for (int64_t i = 0; i < count; i++)
		if (is_int(y->dtype))
			put(y->dtype, out, i, 0, geti(s, 0) + i * geti(d, 0));
		else
			put(y->dtype, out, i, getf(s, 0) + (double)i * getf(d, 0), 0);
	return 0;
}

static eval_fn evaluator(enum dlc_op op)
{
	switch (op) {
	case DLC_OP_ADD: case DLC_OP_SUB: case DLC_OP_MUL: case DLC_OP_DIV: case DLC_OP_MOD:
	case DLC_OP_MAX: case DLC_OP_MIN: case DLC_OP_EQUAL: case DLC_OP_LESS:
	case DLC_OP_GREATER: case DLC_OP_LESS_OR_EQUAL: case DLC_OP_GREATER_OR_EQUAL:
	case DLC_OP_AND: case DLC_OP_OR: case DLC_OP_XOR:
		return eval_binary;
	case DLC_OP_NEG: case DLC_OP_ABS: case DLC_OP_RELU: case DLC_OP_NOT: case DLC_OP_SIGN:
	case DLC_OP_SQRT: case DLC_OP_FLOOR: case DLC_OP_CEIL: case DLC_OP_CAST:
		return eval_unary;
	case DLC_OP_WHERE: return eval_where;
	case DLC_OP_IDENTITY: case DLC_OP_RESHAPE: case DLC_OP_FLATTEN:
	case DLC_OP_SQUEEZE: case DLC_OP_UNSQUEEZE:
		return eval_copy;
	case DLC_OP_EXPAND: return eval_expand;
	case DLC_OP_TRANSPOSE: return eval_transpose;
	case DLC_OP_CONCAT: return eval_concat;
	case DLC_OP_GATHER: return eval_gather;
	case DLC_OP_SLICE: return eval_slice;
	case DLC_OP_SHAPE: return eval_shape;
	case DLC_OP_SIZE: return eval_size;
	case DLC_OP_CONSTANT_OF_SHAPE: return eval_constant_of_shape;
	case DLC_OP_RANGE: return eval_range;
	default: return NULL;
	}
}

/* The dtypes the evaluators know (not the 8- and 4-bit ones). */
static bool plain_dtype(enum dlc_dtype t)
{
	return t >= DLC_F32 && t <= DLC_BOOL;
}

/* shape and size need a static operand type; the rest constant operands
 * (every payload present) and a static result of at most FOLD_LIMIT bytes */
static bool foldable(const struct dlc_node *n)
{
	if (n->noutputs != 1 || !n->outputs[0] || !dlc_type_is_static(&n->outputs[0]->type) ||
	    !plain_dtype(n->outputs[0]->type.dtype))
		return false;
	for (int i = 0; i < n->ninputs; i++)
		if (n->inputs[i].value && !plain_dtype(n->inputs[i].value->type.dtype))
			return false;
	int64_t nb = dlc_type_nbytes(&n->outputs[0]->type);
	if (nb < 0 || nb > FOLD_LIMIT)
		return false;
	if (n->op == DLC_OP_SHAPE || n->op == DLC_OP_SIZE)
		return dlc_type_is_static(&dlc_node_input(n, 0)->type);
	for (int i = 0; i < n->ninputs; i++)
		if (n->inputs[i].value && !dlc_is_const(n->inputs[i].value))
			return false;
	return true;
}

int dlc_fold_node(struct dlc_graph *g, struct dlc_node *n)
{
	eval_fn f = evaluator(n->op);
	if (!f || !foldable(n))
		return 0;
	struct dlc_value *y = n->outputs[0];
	void *data = dlc_xcalloc((size_t)dlc_type_nbytes(&y->type) + 1, 1);
	int folded = f(n, data) == 0;
	if (folded) {
		/* the constant takes the result's place and name */
		struct dlc_value *c = dlc_const_copy(g, NULL, y->type, data);
		char *name = dlc_xstrdup(y->name);
		dlc_value_replace_uses(g, y, c);
		dlc_node_remove(g, n);
		dlc_value_take_name(g, c, name);
		c->blob_name = c->name;
		free(name);
	}
	free(data);
	return folded;
}
