/* Computing nodes at import. A frozen Keras graph is full of small constant
 * subgraphs: the batch-norm factors (Rsqrt(var + eps) * gamma ...), bias
 * reshapes, and the shape arithmetic of Flatten (Shape -> StridedSlice ->
 * Pack -> Reshape). The IR compiles static shapes, so these are computed
 * here when their operands are constants:
 *
 * - elementwise arithmetic of f32/f64/i32/i64 constants (numpy
 *   broadcasting), Cast, Reshape, Squeeze, ExpandDims, Transpose,
 *   StridedSlice, Pack, ConcatV2, Fill, ZerosLike/OnesLike;
 * - Shape, Size and Rank of any tensor whose shape is static.
 *
 * Where an input has a symbolic dim (a Placeholder's unknown batch), Shape
 * cannot fold; its value is then tracked element by element (struct
 * tf_shapeval: known numbers and symbolic dims) through StridedSlice, Pack
 * and ConcatV2, while the IR for them is still emitted. A Reshape whose
 * target has exactly one element that is not a number gets -1 there, which
 * is what makes Flatten compile once --input-shape binds the batch. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlc/util.h"
#include "frontends/tf/internal.h"
#include "ir/shape_index.h"

/* ---- constants ---- */

struct dlc_value *tf_add_const(struct tf_importer *im, const char *name, struct dlc_type t,
			       struct dlc_blob *b)
{
	struct dlc_value *v = dlc_graph_add_const(im->g, name, t, b);
	v->blob_name = v->name;
	return v;
}

struct dlc_value *tf_const_i64(struct tf_importer *im, const char *name, const int64_t *v,
			       int count)
{
	struct dlc_blob *b = dlc_blob_new((size_t)count * 8);
	if (count)
		memcpy(b->data, v, (size_t)count * 8);
	int64_t n = count;
	return tf_add_const(im, name, dlc_type_make(DLC_I64, 1, &n), b);
}

static void set_f(void *p, enum dlc_dtype t, int64_t i, double v);

struct dlc_value *tf_const_scalar(struct tf_importer *im, const char *name, enum dlc_dtype dt,
				  double v)
{
	struct dlc_blob *b = dlc_blob_new(dlc_dtype_size(dt));
	set_f(b->data, dt, 0, v);
	return tf_add_const(im, name, dlc_type_make(dt, 0, NULL), b);
}

static bool is_const(const struct dlc_value *v)
{
	return v && v->kind == DLC_VALUE_CONST && dlc_value_data(v) && dlc_type_is_static(&v->type);
}

/* ---- elements ---- */

static int64_t get_i(const void *p, enum dlc_dtype t, int64_t i)
{
	switch (t) {
	case DLC_I64: return ((const int64_t *)p)[i];
	case DLC_U64: return (int64_t)((const uint64_t *)p)[i];
	case DLC_I32: return ((const int32_t *)p)[i];
	default: {
		double v = dlc_elem_f64(p, t, i);
		return isfinite(v) && fabs(v) < 9.2e18 ? (int64_t)v : 0;
	}
	}
}

static void set_f(void *p, enum dlc_dtype t, int64_t i, double v)
{
	switch (t) {
	case DLC_F32: ((float *)p)[i] = (float)v; break;
	case DLC_F64: ((double *)p)[i] = v; break;
	case DLC_F16: ((uint16_t *)p)[i] = dlc_f32_to_f16((float)v); break;
	case DLC_BF16: ((uint16_t *)p)[i] = dlc_f32_to_bf16((float)v); break;
	case DLC_BOOL: ((uint8_t *)p)[i] = v != 0; break;
	default: {
		/* float to integer: truncation, saturating (as TF's Cast) */
		double x = isnan(v) ? 0 : trunc(v);
		x = x < -9.2e18 ? -9.2e18 : x > 9.2e18 ? 9.2e18 : x;
		int64_t k = (int64_t)x;
		switch (t) {
		case DLC_I8: ((int8_t *)p)[i] = (int8_t)k; break;
		case DLC_U8: ((uint8_t *)p)[i] = (uint8_t)k; break;
		case DLC_I16: ((int16_t *)p)[i] = (int16_t)k; break;
		case DLC_U16: ((uint16_t *)p)[i] = (uint16_t)k; break;
		case DLC_I32: ((int32_t *)p)[i] = (int32_t)k; break;
		case DLC_U32: ((uint32_t *)p)[i] = (uint32_t)k; break;
		case DLC_I64: ((int64_t *)p)[i] = k; break;
		case DLC_U64: ((uint64_t *)p)[i] = (uint64_t)k; break;
		default: break;
		}
	}
	}
}

static void set_i(void *p, enum dlc_dtype t, int64_t i, int64_t v)
{
	switch (t) {
	case DLC_I64: ((int64_t *)p)[i] = v; break;
	case DLC_U64: ((uint64_t *)p)[i] = (uint64_t)v; break;
	case DLC_I32: ((int32_t *)p)[i] = (int32_t)v; break;
	case DLC_U32: ((uint32_t *)p)[i] = (uint32_t)v; break;
	case DLC_I16: ((int16_t *)p)[i] = (int16_t)v; break;
	case DLC_U16: ((uint16_t *)p)[i] = (uint16_t)v; break;
	case DLC_I8: ((int8_t *)p)[i] = (int8_t)v; break;
	case DLC_U8: ((uint8_t *)p)[i] = (uint8_t)v; break;
	case DLC_BOOL: ((uint8_t *)p)[i] = v != 0; break;
	default: set_f(p, t, i, (double)v); break;
	}
}

static bool is_int(enum dlc_dtype t)
{
	return dlc_dtype_is_int(t);
}

/* The dtypes the helpers above read and write (no storage-only types). */
static bool plain(enum dlc_dtype t)
{
	return dlc_dtype_is_float(t) || dlc_dtype_is_int(t) || t == DLC_BOOL;
}

int tf_const_ints(const struct dlc_value *v, int64_t *out, int max)
{
	if (!is_const(v) || (v->type.dtype != DLC_I32 && v->type.dtype != DLC_I64))
		return -1;
	int64_t n = dlc_type_numel(&v->type);
	if (n < 0 || n > max)
		return -1;
	for (int64_t i = 0; i < n; i++)
		out[i] = get_i(dlc_value_data(v), v->type.dtype, i);
	return (int)n;
}

/* ---- results ---- */

static struct tf_tensor *outputs(struct tf_node_ctx *n, int count)
{
	struct tf_node *tn = n->node;
	tn->out = dlc_xrealloc(tn->out, (size_t)(count ? count : 1) * sizeof *tn->out);
	memset(tn->out, 0, (size_t)(count ? count : 1) * sizeof *tn->out);
	tn->nout = count;
	return tn->out;
}

/* A new constant of type t: the node's result 0. */
static void *result(struct tf_importer *im, struct tf_node_ctx *n, struct dlc_type t)
{
	int64_t bytes = dlc_type_nbytes(&t);
	if (bytes < 0) {
		tf_node_error(im, n, "the result has more than %lld elements", (long long)DLC_MAX_NUMEL);
		return NULL;
	}
	struct dlc_blob *b = tf_blob_new(im, n->name, n->op, (size_t)bytes);
	if (!b)
		return NULL;
	outputs(n, 1)[0].v = tf_add_const(im, n->name, t, b);
	return b->data;
}

/* The node's result: the same payload under another shape. */
static int result_view(struct tf_importer *im, struct tf_node_ctx *n, const struct dlc_value *x,
		       struct dlc_type t)
{
	outputs(n, 1)[0].v = tf_add_const(im, n->name, t, dlc_blob_ref(x->blob));
	return 1;
}

/* A constant holding a shape value's numbers (all known). */
static int result_ints(struct tf_importer *im, struct tf_node_ctx *n, enum dlc_dtype dt,
		       const struct tf_shapeval *s)
{
	int64_t len = s->n;
	void *p = result(im, n, dlc_type_make(dt, s->rank, &len));
	if (!p)
		return -1;
	for (int i = 0; i < s->n; i++)
		set_i(p, dt, i, s->v[i]);
	return 1;
}

static bool all_known(const struct tf_shapeval *s)
{
	for (int i = 0; i < s->n; i++)
		if (!s->known[i])
			return false;
	return true;
}

/* The shape value of an operand: its own, or that of a small integer
 * constant. False if it has none. */
static bool shapeval(const struct tf_tensor *t, struct tf_shapeval *s)
{
	if (t->sv) {
		*s = *t->sv;
		return true;
	}
	const struct dlc_value *v = t->v;
	if (!is_const(v) || (v->type.dtype != DLC_I32 && v->type.dtype != DLC_I64) || v->type.rank > 1)
		return false;
	int64_t n = dlc_type_numel(&v->type);
	if (n > DLC_MAX_RANK)
		return false;
	s->rank = v->type.rank;
	s->n = (int)n;
	for (int i = 0; i < s->n; i++) {
		s->v[i] = get_i(dlc_value_data(v), v->type.dtype, i);
		s->known[i] = true;
	}
	return true;
}

/* Emits the node's IR (it has symbolic values) and attaches the shape value. */
static int result_shapeval(struct tf_importer *im, struct tf_node_ctx *n, const struct tf_shapeval *s)
{
	if (tf_convert_node(im, n) < 0)
		return -1;
	struct tf_shapeval *p = dlc_graph_alloc(im->g, sizeof *p);
	*p = *s;
	n->node->out[0].sv = p;
	return 1;
}

/* ---- broadcasting elementwise ops ---- */

enum fop { F_ADD, F_SUB, F_MUL, F_DIV, F_MAX, F_MIN, F_SQDIFF, F_RSQRT, F_SQRT, F_NEG, F_RECIP,
	   F_SQUARE, F_ABS, F_RELU, F_EXP };

static double apply_f(enum fop op, double a, double b)
{
	switch (op) {
	case F_ADD: return a + b;
	case F_SUB: return a - b;
	case F_MUL: return a * b;
	case F_DIV: return a / b;
	case F_MAX: return a > b || isnan(a) ? a : b;
	case F_MIN: return a < b || isnan(a) ? a : b;
	case F_SQDIFF: return (a - b) * (a - b);
	case F_RSQRT: return 1 / sqrt(a);
	case F_SQRT: return sqrt(a);
	case F_NEG: return -a;
	case F_RECIP: return 1 / a;
	case F_SQUARE: return a * a;
	case F_ABS: return fabs(a);
	case F_RELU: return a > 0 ? a : 0;
	case F_EXP: return exp(a);
	}
	return 0;
}

/* Integer arithmetic wraps like TF's (two's complement); false for ops
 * that are not integer ops (division: floor vs truncation differ). */
static bool apply_i(enum fop op, int64_t a, int64_t b, int64_t *r)
{
	uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
	switch (op) {
	case F_ADD: *r = (int64_t)(ua + ub); return true;
	case F_SUB: *r = (int64_t)(ua - ub); return true;
	case F_MUL: *r = (int64_t)(ua * ub); return true;
	case F_MAX: *r = a > b ? a : b; return true;
	case F_MIN: *r = a < b ? a : b; return true;
	case F_NEG: *r = (int64_t)(0 - ua); return true;
	case F_SQUARE: *r = (int64_t)(ua * ua); return true;
	case F_ABS: *r = a < 0 ? (int64_t)(0 - ua) : a; return true;
	case F_RELU: *r = a > 0 ? a : 0; return true;
	default: return false;
	}
}

static const struct {
	const char *op;
	enum fop f;
	int arity;
} fold_ops[] = {
	{"Add", F_ADD, 2}, {"AddV2", F_ADD, 2}, {"Sub", F_SUB, 2}, {"Mul", F_MUL, 2},
	{"RealDiv", F_DIV, 2}, {"Maximum", F_MAX, 2}, {"Minimum", F_MIN, 2},
	{"SquaredDifference", F_SQDIFF, 2}, {"Rsqrt", F_RSQRT, 1}, {"Sqrt", F_SQRT, 1},
	{"Neg", F_NEG, 1}, {"Reciprocal", F_RECIP, 1}, {"Inv", F_RECIP, 1},
	{"Square", F_SQUARE, 1}, {"Abs", F_ABS, 1}, {"Relu", F_RELU, 1}, {"Exp", F_EXP, 1},
};

/* Numpy broadcasting of two static shapes; false if incompatible. */
static bool broadcast(const struct dlc_type *a, const struct dlc_type *b, struct dlc_type *o)
{
	int r = a->rank > b->rank ? a->rank : b->rank;
	*o = dlc_type_make(a->dtype, r, NULL);
	for (int i = 0; i < r; i++) {
		int ia = i - (r - a->rank), ib = i - (r - b->rank);
		int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
		if (da != db && da != 1 && db != 1)
			return false;
		o->dims[i] = da == 1 ? db : da;
	}
	return true;
}

/* Flat index into an operand of type t broadcast to o, for output index k. */
static int64_t bcast_index(const struct dlc_type *t, const struct dlc_type *o, int64_t k)
{
	int64_t idx = 0, stride = 1;
	for (int i = o->rank - 1; i >= 0; i--) {
		int64_t c = k % o->dims[i];
		k /= o->dims[i];
		int it = i - (o->rank - t->rank);
		if (it >= 0) {
			if (t->dims[it] != 1)
				idx += c * stride;
			stride *= t->dims[it];
		}
	}
	return idx;
}

static int fold_elemwise(struct tf_importer *im, struct tf_node_ctx *n, enum fop f, int arity)
{
	if (n->nin != arity)
		return 0; /* the converter reports the arity */
	for (int i = 0; i < arity; i++)
		if (!is_const(n->in[i].v))
			return 0;
	const struct dlc_value *a = n->in[0].v, *b = arity == 2 ? n->in[1].v : a;
	enum dlc_dtype dt = a->type.dtype;
	if (b->type.dtype != dt || !(dt == DLC_F32 || dt == DLC_F64 || dt == DLC_I32 || dt == DLC_I64))
		return 0;
	struct dlc_type o;
	if (!broadcast(&a->type, &b->type, &o))
		return 0; /* the converter's shape function reports it */
	int64_t r = 0;
	if (is_int(dt) && !apply_i(f, 0, 1, &r))
		return 0;
	int64_t numel = dlc_type_numel(&o);
	void *p = result(im, n, o);
	if (!p)
		return -1;
	const void *pa = dlc_value_data(a), *pb = dlc_value_data(b);
	for (int64_t k = 0; k < numel; k++) {
		int64_t ia = bcast_index(&a->type, &o, k), ib = bcast_index(&b->type, &o, k);
		if (is_int(dt)) {
			apply_i(f, get_i(pa, dt, ia), get_i(pb, dt, ib), &r);
			set_i(p, dt, k, r);
		} else {
			set_f(p, dt, k, apply_f(f, dlc_elem_f64(pa, dt, ia), dlc_elem_f64(pb, dt, ib)));
		}
	}
	return 1;
}

/* ---- shapes of constants ---- */

/* Reshape target values (-1 inferred) for numel elements; -1 if invalid. */
static int reshape_dims(const int64_t *s, int r, int64_t numel, int64_t *dims)
{
	int infer = -1;
	int64_t prod = 1;
	for (int i = 0; i < r; i++) {
		if (s[i] == -1) {
			if (infer >= 0)
				return -1;
			infer = i;
			continue;
		}
		if (s[i] < 0 || dlc_mul_overflow(prod, s[i], &prod))
			return -1;
		dims[i] = s[i];
	}
	if (infer >= 0) {
		if (prod == 0 || numel % prod)
			return -1;
		dims[infer] = numel / prod;
	} else if (prod != numel) {
		return -1;
	}
	return 0;
}

static int fold_reshape(struct tf_importer *im, struct tf_node_ctx *n)
{
	int64_t s[DLC_MAX_RANK], dims[DLC_MAX_RANK];
	if (n->nin != 2 || !is_const(n->in[0].v))
		return 0;
	int r = tf_const_ints(n->in[1].v, s, DLC_MAX_RANK);
	const struct dlc_value *x = n->in[0].v;
	if (r < 0 || reshape_dims(s, r, dlc_type_numel(&x->type), dims) < 0)
		return 0;
	return result_view(im, n, x, dlc_type_make(x->type.dtype, r, dims));
}

static int fold_squeeze(struct tf_importer *im, struct tf_node_ctx *n)
{
	if (n->nin != 1 || !is_const(n->in[0].v))
		return 0;
	const struct dlc_value *x = n->in[0].v;
	const DlcTf__AttrValue *a = tf_attr(n, "squeeze_dims");
	if (!a)
		a = tf_attr(n, "axis");
	bool drop[DLC_MAX_RANK] = {0};
	int r = x->type.rank;
	if (a && a->value_case == DLC_TF__ATTR_VALUE__VALUE_LIST && a->list->n_i) {
		for (size_t i = 0; i < a->list->n_i; i++) {
			int64_t ax = a->list->i[i];
			ax = ax < 0 ? ax + r : ax;
			if (ax < 0 || ax >= r || x->type.dims[ax] != 1)
				return 0;
			drop[ax] = true;
		}
	} else {
		for (int i = 0; i < r; i++)
			drop[i] = x->type.dims[i] == 1;
	}
	struct dlc_type t = dlc_type_make(x->type.dtype, 0, NULL);
	for (int i = 0; i < r; i++)
		if (!drop[i])
			t.dims[t.rank++] = x->type.dims[i];
	return result_view(im, n, x, t);
}

static int fold_expand_dims(struct tf_importer *im, struct tf_node_ctx *n)
{
	int64_t ax;
	if (n->nin != 2 || !is_const(n->in[0].v) || tf_const_ints(n->in[1].v, &ax, 1) != 1)
		return 0;
	const struct dlc_value *x = n->in[0].v;
	int r = x->type.rank;
	ax = ax < 0 ? ax + r + 1 : ax;
	if (ax < 0 || ax > r || r + 1 > DLC_MAX_RANK)
		return 0;
	struct dlc_type t = dlc_type_make(x->type.dtype, r + 1, NULL);
	for (int i = 0, j = 0; i <= r; i++)
		t.dims[i] = i == ax ? 1 : x->type.dims[j++];
	return result_view(im, n, x, t);
}

static int fold_cast(struct tf_importer *im, struct tf_node_ctx *n)
{
	const DlcTf__AttrValue *a = tf_attr(n, "DstT");
	if (n->nin != 1 || !is_const(n->in[0].v) || !a || a->value_case != DLC_TF__ATTR_VALUE__VALUE_TYPE)
		return 0;
	enum dlc_dtype to = tf_dtype(a->type);
	const struct dlc_value *x = n->in[0].v;
	enum dlc_dtype from = x->type.dtype;
	if (!plain(to) || !plain(from))
		return 0;
	struct dlc_type t = x->type;
	t.dtype = to;
	int64_t numel = dlc_type_numel(&t);
	void *p = result(im, n, t);
	if (!p)
		return -1;
	const void *src = dlc_value_data(x);
	for (int64_t k = 0; k < numel; k++) {
		if (is_int(from) && is_int(to))
			set_i(p, to, k, get_i(src, from, k));
		else
			set_f(p, to, k, dlc_elem_f64(src, from, k));
	}
	return 1;
}

/* Generic N-d transpose of a payload: out[i] = in[perm-ordered index]. */
static void permute(const void *src, void *dst, size_t esize, const struct dlc_type *t,
		    const int64_t *perm)
{
	int r = t->rank;
	int64_t in_stride[DLC_MAX_RANK], odims[DLC_MAX_RANK], numel = dlc_type_numel(t);
	int64_t s = 1;
	for (int i = r - 1; i >= 0; i--) {
		in_stride[i] = s;
		s *= t->dims[i];
	}
	for (int i = 0; i < r; i++)
		odims[i] = t->dims[perm[i]];
	for (int64_t k = 0; k < numel; k++) {
		int64_t rem = k, off = 0;
		for (int i = r - 1; i >= 0; i--) {
			off += (rem % odims[i]) * in_stride[perm[i]];
			rem /= odims[i];
		}
		memcpy((char *)dst + (size_t)k * esize, (const char *)src + (size_t)off * esize, esize);
	}
}

struct dlc_value *tf_permute_const(struct tf_importer *im, const struct tf_node_ctx *n,
				   const char *name, const struct dlc_value *x, const int64_t *perm)
{
	struct dlc_type t = x->type;
	for (int i = 0; i < t.rank; i++)
		t.dims[i] = x->type.dims[perm[i]];
	int64_t bytes = dlc_type_nbytes(&t);
	struct dlc_blob *b = tf_blob_new(im, n->name, n->op, (size_t)bytes);
	if (!b)
		return NULL;
	permute(dlc_value_data(x), b->data, dlc_dtype_size(t.dtype), &x->type, perm);
	return tf_add_const(im, name, t, b);
}

static int fold_transpose(struct tf_importer *im, struct tf_node_ctx *n)
{
	int64_t perm[DLC_MAX_RANK];
	if (n->nin != 2 || !is_const(n->in[0].v))
		return 0;
	const struct dlc_value *x = n->in[0].v;
	int r = tf_const_ints(n->in[1].v, perm, DLC_MAX_RANK);
	if (r != x->type.rank)
		return 0;
	bool seen[DLC_MAX_RANK] = {0};
	for (int i = 0; i < r; i++) {
		if (perm[i] < 0 || perm[i] >= r || seen[perm[i]])
			return 0;
		seen[perm[i]] = true;
	}
	struct dlc_value *v = tf_permute_const(im, n, n->name, x, perm);
	if (!v)
		return -1;
	outputs(n, 1)[0].v = v;
	return 1;
}

/* ---- Shape, Size, Rank ---- */

static enum dlc_dtype out_type(const struct tf_node_ctx *n)
{
	const DlcTf__AttrValue *a = tf_attr(n, "out_type");
	return a && a->value_case == DLC_TF__ATTR_VALUE__VALUE_TYPE && tf_dtype(a->type) == DLC_I64 ? DLC_I64
												     : DLC_I32;
}

static int fold_shape(struct tf_importer *im, struct tf_node_ctx *n)
{
	if (n->nin != 1 || !dlc_type_is_known(&n->in[0].v->type))
		return 0;
	const struct dlc_type *t = &n->in[0].v->type;
	struct tf_shapeval s = {.rank = 1, .n = t->rank};
	for (int i = 0; i < t->rank; i++) {
		s.v[i] = t->dims[i];
		s.known[i] = t->dims[i] >= 0;
	}
	if (all_known(&s))
		return result_ints(im, n, out_type(n), &s);
	return result_shapeval(im, n, &s);
}

static int fold_size_rank(struct tf_importer *im, struct tf_node_ctx *n, bool rank)
{
	if (n->nin != 1 || !dlc_type_is_known(&n->in[0].v->type))
		return 0;
	const struct dlc_type *t = &n->in[0].v->type;
	if (!rank && !dlc_type_is_static(t))
		return 0;
	struct tf_shapeval s = {.rank = 0, .n = 1, .v = {rank ? t->rank : dlc_type_numel(t)}, .known = {true}};
	return result_ints(im, n, rank ? DLC_I32 : out_type(n), &s);
}

/* ---- StridedSlice ---- */

static int64_t mask_attr(const struct tf_node_ctx *n, const char *name)
{
	const DlcTf__AttrValue *a = tf_attr(n, name);
	return a && a->value_case == DLC_TF__ATTR_VALUE__VALUE_I ? a->i : 0;
}

int tf_strided_slice_plan(struct tf_importer *im, struct tf_node_ctx *n, int rank,
			  const int64_t *begin, const int64_t *end, const int64_t *strides,
			  int nspec, struct tf_slice *s)
{
	int64_t bm = mask_attr(n, "begin_mask"), em = mask_attr(n, "end_mask");
	int64_t elm = mask_attr(n, "ellipsis_mask"), nam = mask_attr(n, "new_axis_mask");
	int64_t sm = mask_attr(n, "shrink_axis_mask");
	memset(s, 0, sizeof *s);
	s->rank = rank;
	if (elm & (elm - 1))
		return tf_node_error(im, n, "ellipsis_mask %lld has more than one bit set", (long long)elm);
	/* input dims the spec consumes besides the ellipsis */
	int real = 0;
	for (int i = 0; i < nspec; i++)
		if (!(elm >> i & 1) && !(nam >> i & 1))
			real++;
	if (real > rank)
		return tf_node_error(im, n, "the slice spec has %d entries for an input of rank %d", real, rank);
	int d = 0, pos = 0;
	for (int i = 0; i < nspec; i++) {
		if (elm >> i & 1) {
			for (int k = 0; k < rank - real; k++, d++, pos++) {
				s->begin_full[d] = s->end_full[d] = true;
				s->stride[d] = 1;
			}
		} else if (nam >> i & 1) {
			if (s->nnew == DLC_MAX_RANK)
				return tf_node_error(im, n, "too many new axes");
			s->new_axes[s->nnew++] = pos++;
		} else {
			if (strides[i] == 0)
				return tf_node_error(im, n, "strides[%d] is 0", i);
			s->begin[d] = begin[i];
			s->end[d] = end[i];
			s->stride[d] = strides[i];
			s->begin_full[d] = bm >> i & 1;
			s->end_full[d] = em >> i & 1;
			s->shrink[d] = sm >> i & 1;
			if (!s->shrink[d])
				pos++;
			d++;
		}
	}
	for (; d < rank; d++) { /* an implicit ellipsis at the end */
		s->begin_full[d] = s->end_full[d] = true;
		s->stride[d] = 1;
	}
	if (pos > DLC_MAX_RANK)
		return tf_node_error(im, n, "the result would have rank %d, the maximum is %d", pos, DLC_MAX_RANK);
	return 0;
}

int tf_strided_slice_read(struct tf_importer *im, struct tf_node_ctx *n, int rank, struct tf_slice *s)
{
	int64_t b[DLC_MAX_RANK], e[DLC_MAX_RANK], st[DLC_MAX_RANK];
	int nb = tf_const_ints(n->in[1].v, b, DLC_MAX_RANK), ne = tf_const_ints(n->in[2].v, e, DLC_MAX_RANK);
	int ns = tf_const_ints(n->in[3].v, st, DLC_MAX_RANK);
	if (nb < 0 || ne < 0 || ns < 0)
		return tf_node_error(im, n, "begin, end and strides must be constant 1-D int32/int64 tensors of at most %d values",
				     DLC_MAX_RANK);
	if (nb != ne || nb != ns)
		return tf_node_error(im, n, "begin, end and strides have %d, %d and %d values", nb, ne, ns);
	return tf_strided_slice_plan(im, n, rank, b, e, st, nb, s);
}

void tf_slice_range(const struct tf_slice *s, int i, int64_t dim, int64_t *first, int64_t *count)
{
	int64_t st = s->stride[i];
	if (s->shrink[i]) {
		int64_t b = s->begin[i] < 0 ? s->begin[i] + dim : s->begin[i];
		*first = b;
		*count = b >= 0 && b < dim ? 1 : 0;
		return;
	}
	int64_t b = s->begin[i], e = s->end[i];
	if (st > 0) {
		b = s->begin_full[i] ? 0 : b < 0 ? b + dim : b;
		e = s->end_full[i] ? dim : e < 0 ? e + dim : e;
		b = b < 0 ? 0 : b > dim ? dim : b;
		e = e < 0 ? 0 : e > dim ? dim : e;
		*first = b;
		*count = e > b ? (e - b + st - 1) / st : 0;
	} else {
		b = s->begin_full[i] ? dim - 1 : b < 0 ? b + dim : b;
		e = s->end_full[i] ? -1 : e < 0 ? e + dim : e;
		b = b < -1 ? -1 : b > dim - 1 ? dim - 1 : b;
		e = e < -1 ? -1 : e > dim - 1 ? dim - 1 : e;
		*first = b;
		*count = b > e ? (b - e + (-st) - 1) / (-st) : 0;
	}
}

static int fold_strided_slice(struct tf_importer *im, struct tf_node_ctx *n)
{
	if (n->nin != 4)
		return 0;
	const struct dlc_value *x = n->in[0].v;
	struct tf_shapeval sv;
	bool has_sv = !is_const(x) && shapeval(&n->in[0], &sv) && sv.rank == 1;
	if (!is_const(x) && !has_sv)
		return 0;
	if (!dlc_type_is_static(&x->type) && !has_sv)
		return 0;
	struct tf_slice s;
	int rank = has_sv ? 1 : x->type.rank;
	if (tf_strided_slice_read(im, n, rank, &s) < 0)
		return -1;
	int64_t first[DLC_MAX_RANK], count[DLC_MAX_RANK];
	const int64_t *dims = has_sv ? (int64_t[]){sv.n} : x->type.dims;
	for (int i = 0; i < rank; i++) {
		tf_slice_range(&s, i, dims[i], &first[i], &count[i]);
		if (s.shrink[i] && !count[i])
			return tf_node_error(im, n, "index %lld of dim %d is out of range [%lld, %lld)",
					     (long long)s.begin[i], i, (long long)-dims[i], (long long)dims[i]);
	}
	/* the result's type: kept dims, with the new axes inserted */
	struct dlc_type t = dlc_type_make(x->type.dtype, 0, NULL);
	int64_t kept[DLC_MAX_RANK];
	int nk = 0;
	for (int i = 0; i < rank; i++)
		if (!s.shrink[i])
			kept[nk++] = count[i];
	for (int j = 0, k = 0, a = 0; j < nk + s.nnew; j++)
		t.dims[t.rank++] = a < s.nnew && s.new_axes[a] == j ? (a++, 1) : kept[k++];
	if (has_sv) {
		struct tf_shapeval r = {.rank = t.rank ? 1 : 0, .n = (int)count[0]};
		if (t.rank > 1)
			return 0;
		for (int64_t k = 0; k < count[0]; k++) {
			r.v[k] = sv.v[first[0] + k * s.stride[0]];
			r.known[k] = sv.known[first[0] + k * s.stride[0]];
		}
		if (all_known(&r))
			return result_ints(im, n, x->type.dtype, &r);
		return result_shapeval(im, n, &r);
	}
	int64_t numel = dlc_type_numel(&t);
	size_t es = dlc_dtype_size(t.dtype);
	char *p = result(im, n, t);
	if (!p)
		return -1;
	int64_t stride_in[DLC_MAX_RANK], acc = 1;
	for (int i = rank - 1; i >= 0; i--) {
		stride_in[i] = acc;
		acc *= dims[i];
	}
	const char *src = dlc_value_data(x);
	for (int64_t k = 0; k < numel; k++) {
		/* decompose k over the input dims' counts (shrunk dims count 1) */
		int64_t rem = k, off = 0;
		for (int i = rank - 1; i >= 0; i--) {
			int64_t c = count[i] ? rem % count[i] : 0;
			rem = count[i] ? rem / count[i] : 0;
			off += (first[i] + c * s.stride[i]) * stride_in[i];
		}
		memcpy(p + (size_t)k * es, src + (size_t)off * es, es);
	}
	return 1;
}

/* ---- Pack, ConcatV2 ---- */

/* Concatenates constants along axis into the node's result. */
static int concat_consts(struct tf_importer *im, struct tf_node_ctx *n, const struct dlc_value *const *in,
			 int nin, int axis, const struct dlc_type *as)
{
	/* as[i]: the type operand i is read with (Pack: with the new axis) */
	struct dlc_type t = as[0];
	for (int i = 1; i < nin; i++) {
		if (as[i].dtype != t.dtype || as[i].rank != t.rank)
			return 0;
		for (int d = 0; d < t.rank; d++)
			if (d != axis && as[i].dims[d] != t.dims[d])
				return 0;
		t.dims[axis] += as[i].dims[axis];
	}
	size_t es = dlc_dtype_size(t.dtype);
	char *p = result(im, n, t);
	if (!p)
		return -1;
	int64_t outer = 1, inner = 1;
	for (int d = 0; d < axis; d++)
		outer *= t.dims[d];
	for (int d = axis + 1; d < t.rank; d++)
		inner *= t.dims[d];
	for (int64_t o = 0; o < outer; o++)
		for (int i = 0; i < nin; i++) {
			size_t chunk = (size_t)(as[i].dims[axis] * inner) * es;
			memcpy(p, (const char *)dlc_value_data(in[i]) + (size_t)o * chunk, chunk);
			p += chunk;
		}
	return 1;
}

static int fold_pack(struct tf_importer *im, struct tf_node_ctx *n)
{
	if (n->nin < 1)
		return 0;
	const DlcTf__AttrValue *a = tf_attr(n, "axis");
	int64_t axis = a && a->value_case == DLC_TF__ATTR_VALUE__VALUE_I ? a->i : 0;
	bool consts = true, scalars = true;
	for (int i = 0; i < n->nin; i++) {
		consts = consts && is_const(n->in[i].v);
		scalars = scalars && n->in[i].v->type.rank == 0;
	}
	int r = n->in[0].v->type.rank;
	axis = axis < 0 ? axis + r + 1 : axis;
	if (axis < 0 || axis > r || r + 1 > DLC_MAX_RANK)
		return 0;
	if (consts) {
		struct dlc_type *as = dlc_xcalloc((size_t)n->nin, sizeof *as);
		const struct dlc_value **in = dlc_xcalloc((size_t)n->nin, sizeof *in);
		for (int i = 0; i < n->nin; i++) {
			const struct dlc_type *t = &n->in[i].v->type;
			as[i] = dlc_type_make(t->dtype, t->rank + 1, NULL);
			for (int d = 0, j = 0; d <= t->rank; d++)
				as[i].dims[d] = d == axis ? 1 : t->dims[j++];
			in[i] = n->in[i].v;
		}
		int rc = concat_consts(im, n, in, n->nin, (int)axis, as);
		free(as);
		free(in);
		return rc;
	}
	/* scalars of a shape value: a vector of them */
	if (!scalars || n->nin > DLC_MAX_RANK)
		return 0;
	struct tf_shapeval r1 = {.rank = 1, .n = n->nin};
	for (int i = 0; i < n->nin; i++) {
		struct tf_shapeval e;
		if (!shapeval(&n->in[i], &e) || e.rank != 0)
			return 0;
		r1.v[i] = e.v[0];
		r1.known[i] = e.known[0];
	}
	return result_shapeval(im, n, &r1);
}

static int fold_concat(struct tf_importer *im, struct tf_node_ctx *n, bool v2)
{
	if (n->nin < 2)
		return 0;
	int64_t axis;
	const struct tf_tensor *vals = v2 ? n->in : n->in + 1;
	int nv = n->nin - 1;
	if (tf_const_ints(n->in[v2 ? n->nin - 1 : 0].v, &axis, 1) != 1)
		return 0;
	bool consts = true;
	for (int i = 0; i < nv; i++)
		consts = consts && is_const(vals[i].v);
	int r = vals[0].v->type.rank;
	axis = axis < 0 ? axis + r : axis;
	if (axis < 0 || axis >= r)
		return 0;
	if (consts) {
		struct dlc_type *as = dlc_xcalloc((size_t)nv, sizeof *as);
		const struct dlc_value **in = dlc_xcalloc((size_t)nv, sizeof *in);
		for (int i = 0; i < nv; i++) {
			as[i] = vals[i].v->type;
			in[i] = vals[i].v;
		}
		int rc = concat_consts(im, n, in, nv, (int)axis, as);
		free(as);
		free(in);
		return rc;
	}
	struct tf_shapeval res = {.rank = 1};
	for (int i = 0; i < nv; i++) {
		struct tf_shapeval e;
		if (!shapeval(&vals[i], &e) || e.rank != 1 || res.n + e.n > DLC_MAX_RANK)
			return 0;
		memcpy(res.v + res.n, e.v, (size_t)e.n * sizeof *e.v);
		memcpy(res.known + res.n, e.known, (size_t)e.n * sizeof *e.known);
		res.n += e.n;
	}
	return result_shapeval(im, n, &res);
}

/* ---- Fill, ZerosLike, OnesLike ---- */

static int fold_fill(struct tf_importer *im, struct tf_node_ctx *n)
{
	int64_t dims[DLC_MAX_RANK];
	if (n->nin != 2 || !is_const(n->in[1].v) || dlc_type_numel(&n->in[1].v->type) != 1)
		return 0;
	int r = tf_const_ints(n->in[0].v, dims, DLC_MAX_RANK);
	if (r < 0)
		return 0;
	for (int i = 0; i < r; i++)
		if (dims[i] < 0)
			return tf_node_error(im, n, "dims[%d] is %lld", i, (long long)dims[i]);
	const struct dlc_value *v = n->in[1].v;
	struct dlc_type t = dlc_type_make(v->type.dtype, r, dims);
	char *p = result(im, n, t);
	if (!p)
		return -1;
	size_t es = dlc_dtype_size(t.dtype);
	for (int64_t k = 0, numel = dlc_type_numel(&t); k < numel; k++)
		memcpy(p + (size_t)k * es, dlc_value_data(v), es);
	return 1;
}

static int fold_like(struct tf_importer *im, struct tf_node_ctx *n, double value)
{
	if (n->nin != 1 || !dlc_type_is_static(&n->in[0].v->type))
		return 0;
	struct dlc_type t = n->in[0].v->type;
	char *p = result(im, n, t);
	if (!p)
		return -1;
	for (int64_t k = 0, numel = dlc_type_numel(&t); k < numel && value != 0; k++)
		set_f(p, t.dtype, k, value);
	return 1;
}

/* ---- dispatch ---- */

int tf_fold(struct tf_importer *im, struct tf_node_ctx *n)
{
	const char *op = n->op;
	for (size_t i = 0; i < sizeof fold_ops / sizeof *fold_ops; i++)
		if (!strcmp(op, fold_ops[i].op))
			return fold_elemwise(im, n, fold_ops[i].f, fold_ops[i].arity);
	if (!strcmp(op, "Reshape"))
		return fold_reshape(im, n);
	if (!strcmp(op, "Squeeze"))
		return fold_squeeze(im, n);
	if (!strcmp(op, "ExpandDims"))
		return fold_expand_dims(im, n);
	if (!strcmp(op, "Cast"))
		return fold_cast(im, n);
	if (!strcmp(op, "Transpose"))
		return fold_transpose(im, n);
	if (!strcmp(op, "Shape"))
		return fold_shape(im, n);
	if (!strcmp(op, "Size"))
		return fold_size_rank(im, n, false);
	if (!strcmp(op, "Rank"))
		return fold_size_rank(im, n, true);
	if (!strcmp(op, "StridedSlice"))
		return fold_strided_slice(im, n);
	if (!strcmp(op, "Pack"))
		return fold_pack(im, n);
	if (!strcmp(op, "ConcatV2"))
		return fold_concat(im, n, true);
	if (!strcmp(op, "Concat"))
		return fold_concat(im, n, false);
	if (!strcmp(op, "Fill"))
		return fold_fill(im, n);
	if (!strcmp(op, "ZerosLike"))
		return fold_like(im, n, 0);
	if (!strcmp(op, "OnesLike"))
		return fold_like(im, n, 1);
	return 0;
}
