/* fold: constant folding. A node whose operands are all constants (with
 * payloads) is evaluated at compile time and its results become constants,
 * so exported shape arithmetic (Shape -> Gather -> Concat -> Reshape ...)
 * leaves static graphs and weight preprocessing (a transposed weight) is
 * paid once. Nodes are visited in order, so chains fold in one sweep.
 *
 * Evaluation is by element in a portable way (integers in int64, floats in
 * double, rounded back to the result's dtype); ops without an evaluator are
 * left alone. Results above FOLD_LIMIT bytes are not folded: a constant
 * that large costs more in the binary than computing it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlc/build.h"
#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/pass.h"
#include "dlc/util.h"

enum { FOLD_LIMIT = 64 << 20 };

/* ---- element access ---- */

static bool is_int(enum dlc_dtype t)
{
	return dlc_dtype_is_int(t) || t == DLC_BOOL;
}

static int64_t get_i(const struct dlc_value *v, const void *p, int64_t i)
{
	switch (v->type.dtype) {
	case DLC_I8: return ((const int8_t *)p)[i];
	case DLC_U8: return ((const uint8_t *)p)[i];
	case DLC_I16: return ((const int16_t *)p)[i];
	case DLC_U16: return ((const uint16_t *)p)[i];
	case DLC_I32: return ((const int32_t *)p)[i];
	case DLC_U32: return ((const uint32_t *)p)[i];
	case DLC_I64: return ((const int64_t *)p)[i];
	case DLC_U64: return (int64_t)((const uint64_t *)p)[i];
	case DLC_BOOL: return ((const uint8_t *)p)[i] != 0;
	default: return (int64_t)dlc_const_element(v, i);
	}
}

/* Stores x (an integer when t is integral) as element i of dtype t. */
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

/* Offset in operand t of result element i of type out (numpy broadcast). */
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

/* ---- evaluators: fill out[] (result i's payload) from the operands ---- */

typedef int (*eval_fn)(const struct dlc_node *n, void *const *out);

static int eval_binary(const struct dlc_node *n, void *const *out)
{
	const struct dlc_value *a = dlc_node_input(n, 0), *b = dlc_node_input(n, 1);
	const struct dlc_type *y = &n->outputs[0]->type;
	const void *pa = dlc_value_data(a), *pb = dlc_value_data(b);
	int64_t count = dlc_type_numel(y);
	bool ints = is_int(y->dtype);
	for (int64_t i = 0; i < count; i++) {
		int64_t ia = bcast_offset(y, &a->type, i), ib = bcast_offset(y, &b->type, i);
		if (ints) {
			int64_t x = get_i(a, pa, ia), z = get_i(b, pb, ib), r;
			switch (n->op) {
			case DLC_OP_ADD: r = (int64_t)((uint64_t)x + (uint64_t)z); break;
			case DLC_OP_SUB: r = (int64_t)((uint64_t)x - (uint64_t)z); break;
			case DLC_OP_MUL: r = (int64_t)((uint64_t)x * (uint64_t)z); break;
			default: /* div: truncation, as C and ONNX Runtime */
				if (!z || (x == INT64_MIN && z == -1))
					return -1; /* left to run time, where it is the model's problem */
				r = x / z;
			}
			put(y->dtype, out[0], i, (double)r, r);
		} else {
			double x = dlc_const_element(a, ia), z = dlc_const_element(b, ib), r;
			switch (n->op) {
			case DLC_OP_ADD: r = x + z; break;
			case DLC_OP_SUB: r = x - z; break;
			case DLC_OP_MUL: r = x * z; break;
			default: r = x / z;
			}
			put(y->dtype, out[0], i, r, 0);
		}
	}
	return 0;
}

static int eval_relu(const struct dlc_node *n, void *const *out)
{
	const struct dlc_value *x = dlc_node_input(n, 0);
	const struct dlc_type *y = &n->outputs[0]->type;
	int64_t count = dlc_type_numel(y);
	for (int64_t i = 0; i < count; i++) {
		if (is_int(y->dtype)) {
			int64_t v = get_i(x, dlc_value_data(x), i);
			put(y->dtype, out[0], i, 0, v < 0 ? 0 : v);
		} else {
			double v = dlc_const_element(x, i);
			put(y->dtype, out[0], i, v < 0 ? 0 : v, 0);
		}
	}
	return 0;
}

/* Views (reshape, flatten, identity): the same bytes. */
static int eval_copy(const struct dlc_node *n, void *const *out)
{
	const struct dlc_value *x = dlc_node_input(n, 0);
	memcpy(out[0], dlc_value_data(x), (size_t)dlc_type_nbytes(&x->type));
	return 0;
}

static int eval_transpose(const struct dlc_node *n, void *const *out)
{
	const struct dlc_value *x = dlc_node_input(n, 0);
	const struct dlc_type *y = &n->outputs[0]->type;
	int r = x->type.rank;
	int64_t perm[DLC_MAX_RANK], xs[DLC_MAX_RANK];
	const int64_t *p;
	int k = dlc_node_ints(n, "perm", &p);
	for (int i = 0; i < r; i++)
		perm[i] = k == r ? p[i] : r - 1 - i;
	int64_t s = 1;
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
		memcpy((char *)out[0] + i * (int64_t)es, (const char *)dlc_value_data(x) + off * (int64_t)es, es);
	}
	return 0;
}

static int eval_concat(const struct dlc_node *n, void *const *out)
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
		for (int64_t o = 0; o < outer; o++)
			memcpy((char *)out[0] + o * row + at, (const char *)dlc_value_data(x) + o * block,
			       (size_t)block);
		at += block;
	}
	return 0;
}

static eval_fn evaluator(enum dlc_op op)
{
	switch (op) {
	case DLC_OP_ADD:
	case DLC_OP_SUB:
	case DLC_OP_MUL:
	case DLC_OP_DIV: return eval_binary;
	case DLC_OP_RELU: return eval_relu;
	case DLC_OP_IDENTITY:
	case DLC_OP_RESHAPE:
	case DLC_OP_FLATTEN: return eval_copy;
	case DLC_OP_TRANSPOSE: return eval_transpose;
	case DLC_OP_CONCAT: return eval_concat;
	default: return NULL;
	}
}

/* ---- the pass ---- */

static bool foldable(const struct dlc_node *n, eval_fn f)
{
	if (!f || n->noutputs != 1 || !n->outputs[0])
		return false;
	for (int i = 0; i < n->ninputs; i++)
		if (n->inputs[i].value && !dlc_is_const(n->inputs[i].value))
			return false;
	int64_t nb = dlc_type_nbytes(&n->outputs[0]->type);
	return nb >= 0 && nb <= FOLD_LIMIT && dlc_type_is_static(&n->outputs[0]->type);
}

int pass_fold(struct dlc_graph *g, struct dlc_pass_ctx *ctx)
{
	(void)ctx;
	dlc_foreach_node_safe(g, n, tmp) {
		eval_fn f = evaluator(n->op);
		if (!foldable(n, f))
			continue;
		struct dlc_value *y = n->outputs[0];
		void *data = dlc_xcalloc((size_t)dlc_type_nbytes(&y->type) + 1, 1);
		void *outs[1] = {data};
		if (f(n, outs) == 0) {
			struct dlc_value *c = dlc_const_copy(g, y->name, y->type, data);
			dlc_value_replace_uses(g, y, c);
			dlc_node_remove(g, n);
			dlc_value_take_name(g, c, y->name);
			c->blob_name = c->name;
		}
		free(data);
	}
	return 0;
}
