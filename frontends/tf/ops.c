/* TensorFlow ops -> IR nodes.
 *
 * Every op dlc reads has a row in the table at the end: its converter and
 * the attributes it accepts (besides T and the "_"-prefixed ones TensorFlow
 * adds for itself); any other attribute is an error, as is an op without a
 * row. Ops that are one IR op with no attribute come from the TF column of
 * ir/ops.def.
 *
 * The IR's conv, pool and batch_norm are NCHW (ONNX semantics): an NHWC
 * node becomes transpose(NHWC -> NCHW) -> op -> transpose(NCHW -> NHWC),
 * with constant filters transposed at import (HWIO -> OIHW; a depthwise
 * filter [KH,KW,C,M] becomes [C*M,1,KH,KW] with group = C). Pairs of
 * transposes between consecutive layers are left to the optimizer.
 * TensorFlow's SAME padding becomes explicit pads (the extra one at the
 * end), or auto_pad SAME_UPPER where the spatial dims are symbolic. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlc/util.h"
#include "frontends/tf/internal.h"

int tf_node_error(struct tf_importer *im, const struct tf_node_ctx *n, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	dlc_error_where(im->d, n->name, "%s: %s", n->op, msg);
	return -1;
}

/* ---- attributes ---- */

const DlcTf__AttrValue *tf_attr(const struct tf_node_ctx *n, const char *name)
{
	const DlcTf__NodeDef *nd = n->node->def;
	for (size_t i = 0; i < nd->n_attr; i++)
		if (nd->attr[i]->key && !strcmp(nd->attr[i]->key, name))
			return nd->attr[i]->value;
	return NULL;
}

static const char *case_name(DlcTf__AttrValue__ValueCase c)
{
	switch (c) {
	case DLC_TF__ATTR_VALUE__VALUE_S: return "a string";
	case DLC_TF__ATTR_VALUE__VALUE_I: return "an int";
	case DLC_TF__ATTR_VALUE__VALUE_F: return "a float";
	case DLC_TF__ATTR_VALUE__VALUE_B: return "a bool";
	case DLC_TF__ATTR_VALUE__VALUE_TYPE: return "a type";
	case DLC_TF__ATTR_VALUE__VALUE_SHAPE: return "a shape";
	case DLC_TF__ATTR_VALUE__VALUE_TENSOR: return "a tensor";
	case DLC_TF__ATTR_VALUE__VALUE_LIST: return "a list";
	case DLC_TF__ATTR_VALUE__VALUE_FUNC: return "a function";
	case DLC_TF__ATTR_VALUE__VALUE_PLACEHOLDER: return "a placeholder";
	default: return "empty";
	}
}

/* The attribute `name` if present with the wanted kind; NULL if absent; an
 * error (-1 in *rc) if present with another. */
static const DlcTf__AttrValue *typed(struct tf_importer *im, struct tf_node_ctx *n, const char *name,
				     DlcTf__AttrValue__ValueCase want, const char *wname, int *rc)
{
	const DlcTf__AttrValue *a = tf_attr(n, name);
	*rc = 0;
	if (!a)
		return NULL;
	/* an empty list has no field set on the wire */
	if (want == DLC_TF__ATTR_VALUE__VALUE_LIST && a->value_case == DLC_TF__ATTR_VALUE__VALUE__NOT_SET)
		return a;
	if (a->value_case != want) {
		*rc = tf_node_error(im, n, "attribute '%s' is %s, expected %s", name, case_name(a->value_case), wname);
		return NULL;
	}
	return a;
}

static int a_int(struct tf_importer *im, struct tf_node_ctx *n, const char *name, int64_t def, int64_t *out)
{
	int rc;
	const DlcTf__AttrValue *a = typed(im, n, name, DLC_TF__ATTR_VALUE__VALUE_I, "an int", &rc);
	*out = a ? a->i : def;
	return rc;
}

static int a_bool(struct tf_importer *im, struct tf_node_ctx *n, const char *name, bool def, bool *out)
{
	int rc;
	const DlcTf__AttrValue *a = typed(im, n, name, DLC_TF__ATTR_VALUE__VALUE_B, "a bool", &rc);
	*out = a ? a->b != 0 : def;
	return rc;
}

static int a_float(struct tf_importer *im, struct tf_node_ctx *n, const char *name, float def, float *out)
{
	int rc;
	const DlcTf__AttrValue *a = typed(im, n, name, DLC_TF__ATTR_VALUE__VALUE_F, "a float", &rc);
	*out = a ? a->f : def;
	return rc;
}

static int a_type(struct tf_importer *im, struct tf_node_ctx *n, const char *name, int def, int *out)
{
	int rc;
	const DlcTf__AttrValue *a = typed(im, n, name, DLC_TF__ATTR_VALUE__VALUE_TYPE, "a type", &rc);
	*out = a ? (int)a->type : def;
	return rc;
}

/* A string attribute (bytes without NUL) into buf. */
static int a_str(struct tf_importer *im, struct tf_node_ctx *n, const char *name, const char *def,
		 char *buf, size_t size)
{
	int rc;
	const DlcTf__AttrValue *a = typed(im, n, name, DLC_TF__ATTR_VALUE__VALUE_S, "a string", &rc);
	if (rc < 0)
		return -1;
	if (!a) {
		snprintf(buf, size, "%s", def);
		return 0;
	}
	if (a->s.len >= size || (a->s.len && memchr(a->s.data, 0, a->s.len)))
		return tf_node_error(im, n, "attribute '%s' is not a valid value", name);
	if (a->s.len)
		memcpy(buf, a->s.data, a->s.len);
	buf[a->s.len] = 0;
	return 0;
}

/* A list of ints: the count, -1 if absent, -2 after reporting. */
static int a_ints(struct tf_importer *im, struct tf_node_ctx *n, const char *name, int64_t *out, int max)
{
	int rc;
	const DlcTf__AttrValue *a = typed(im, n, name, DLC_TF__ATTR_VALUE__VALUE_LIST, "a list", &rc);
	if (rc < 0)
		return -2;
	if (!a)
		return -1;
	if (a->value_case == DLC_TF__ATTR_VALUE__VALUE__NOT_SET)
		return 0;
	if (a->list->n_i > (size_t)max) {
		tf_node_error(im, n, "attribute '%s' has %zu values, at most %d are accepted", name, a->list->n_i, max);
		return -2;
	}
	if (a->list->n_i) /* an empty list has no array */
		memcpy(out, a->list->i, a->list->n_i * sizeof *out);
	return (int)a->list->n_i;
}

/* ---- building nodes ---- */

static struct tf_tensor *set_outputs(struct tf_node_ctx *n, int count)
{
	struct tf_node *tn = n->node;
	tn->out = dlc_xrealloc(tn->out, (size_t)(count ? count : 1) * sizeof *tn->out);
	memset(tn->out, 0, (size_t)(count ? count : 1) * sizeof *tn->out);
	tn->nout = count;
	return tn->out;
}

static int set_result(struct tf_node_ctx *n, struct dlc_value *v)
{
	if (!v)
		return -1;
	set_outputs(n, 1)[0].v = v;
	return 0;
}

static int need_inputs(struct tf_importer *im, struct tf_node_ctx *n, int min, int max)
{
	if (n->nin >= min && n->nin <= max)
		return 0;
	if (min == max)
		return tf_node_error(im, n, "expects %d input%s, got %d", min, min == 1 ? "" : "s", n->nin);
	return tf_node_error(im, n, "expects %d to %d inputs, got %d", min, max, n->nin);
}

static struct dlc_node *start(struct tf_importer *im, struct tf_node_ctx *n, enum dlc_op op,
			      struct dlc_value *const *in, int nin, int nout)
{
	return dlc_node_new(im->g, op, n->name, nin, in, nout);
}

/* Places x, types its results; its result 0, or NULL after reporting. */
static struct dlc_value *finish(struct tf_importer *im, struct dlc_node *x)
{
	dlc_node_append(im->g, x);
	struct dlc_type out[8];
	DLC_ASSERT(x->noutputs <= 8);
	if (dlc_infer_node(im->g, x, out, im->d) < 0)
		return NULL;
	for (int i = 0; i < x->noutputs; i++)
		if (x->outputs[i])
			x->outputs[i]->type = out[i];
	return x->outputs[0];
}

static struct dlc_value *emit(struct tf_importer *im, struct tf_node_ctx *n, enum dlc_op op,
			      struct dlc_value *const *in, int nin)
{
	return finish(im, start(im, n, op, in, nin, 1));
}

static struct dlc_value *emit1(struct tf_importer *im, struct tf_node_ctx *n, enum dlc_op op,
			       struct dlc_value *a)
{
	return emit(im, n, op, &a, 1);
}

static struct dlc_value *emit2(struct tf_importer *im, struct tf_node_ctx *n, enum dlc_op op,
			       struct dlc_value *a, struct dlc_value *b)
{
	struct dlc_value *in[2] = {a, b};
	return emit(im, n, op, in, 2);
}

/* A helper constant named after the node. */
static char *helper_name(const struct tf_node_ctx *n, const char *what)
{
	char *s = dlc_xmalloc(strlen(n->name) + strlen(what) + 2);
	sprintf(s, "%s/%s", n->name, what);
	return s;
}

static struct dlc_value *const_i64(struct tf_importer *im, struct tf_node_ctx *n, const char *what,
				   const int64_t *v, int count)
{
	char *name = helper_name(n, what);
	struct dlc_value *c = tf_const_i64(im, name, v, count);
	free(name);
	return c;
}

static struct dlc_value *const_scalar(struct tf_importer *im, struct tf_node_ctx *n, const char *what,
				      enum dlc_dtype dt, double v)
{
	char *name = helper_name(n, what);
	struct dlc_value *c = tf_const_scalar(im, name, dt, v);
	free(name);
	return c;
}

static struct dlc_value *transpose(struct tf_importer *im, struct tf_node_ctx *n, struct dlc_value *x,
				   const int64_t *perm, int rank)
{
	struct dlc_node *t = start(im, n, DLC_OP_TRANSPOSE, &x, 1, 1);
	dlc_node_set_ints(t, "perm", rank, perm);
	return finish(im, t);
}

/* Channels-last <-> channels-first for rank r: [0, r-1, 1, ..., r-2] and back. */
static struct dlc_value *to_nchw(struct tf_importer *im, struct tf_node_ctx *n, struct dlc_value *x)
{
	int r = x->type.rank;
	int64_t perm[DLC_MAX_RANK] = {0, r - 1};
	for (int i = 2; i < r; i++)
		perm[i] = i - 1;
	return transpose(im, n, x, perm, r);
}

static struct dlc_value *to_nhwc(struct tf_importer *im, struct tf_node_ctx *n, struct dlc_value *x)
{
	if (!x)
		return NULL;
	int r = x->type.rank;
	int64_t perm[DLC_MAX_RANK] = {0};
	for (int i = 1; i < r - 1; i++)
		perm[i] = i + 1;
	perm[r - 1] = 1;
	return transpose(im, n, x, perm, r);
}

static bool is_const(const struct dlc_value *v)
{
	return v && v->kind == DLC_VALUE_CONST && dlc_value_data(v) && dlc_type_is_static(&v->type);
}

/* An operand that must be a small integer constant (axes, perm, ...). */
static int const_operand(struct tf_importer *im, struct tf_node_ctx *n, int i, const char *what,
			 int64_t *out, int max)
{
	int k = tf_const_ints(n->in[i].v, out, max);
	if (k < 0)
		return tf_node_error(im, n, "'%s' (input %d) must be a constant int32/int64 tensor of at most %d values",
				     what, i, max);
	return k;
}

static int need_rank(struct tf_importer *im, struct tf_node_ctx *n, int i, const char *what)
{
	if (n->in[i].v->type.rank < 0)
		return tf_node_error(im, n, "the rank of %s is unknown", what);
	return 0;
}

/* ---- aliases and generic ops ---- */

/* The node's result is its operand 0 (no node). */
static int alias_input0(struct tf_node_ctx *n)
{
	set_outputs(n, 1)[0] = n->in[0];
	return 0;
}

static int conv_identity(struct tf_importer *im, struct tf_node_ctx *n)
{
	if (need_inputs(im, n, 1, 1) < 0)
		return -1;
	return alias_input0(n);
}

static int conv_identity_n(struct tf_importer *im, struct tf_node_ctx *n)
{
	struct tf_tensor *o = set_outputs(n, n->nin);
	for (int i = 0; i < n->nin; i++)
		o[i] = n->in[i];
	return 0;
}

static int conv_noop(struct tf_importer *im, struct tf_node_ctx *n)
{
	set_outputs(n, 0);
	return 0;
}

/* Ops that are one IR op besides the TF column of ops.def. */
static const struct {
	const char *tf;
	enum dlc_op op;
} extra_ops[] = {
	{"Add", DLC_OP_ADD}, {"Maximum", DLC_OP_MAX}, {"Minimum", DLC_OP_MIN},
	{"Inv", DLC_OP_RECIPROCAL}, {"BiasAddV1", DLC_OP_ADD},
};

static enum dlc_op generic_op(const char *tf)
{
	for (size_t i = 0; i < sizeof extra_ops / sizeof *extra_ops; i++)
		if (!strcmp(extra_ops[i].tf, tf))
			return extra_ops[i].op;
	for (int op = 0; op < DLC_NUM_OPS; op++)
		if (dlc_op_table[op].tf && !strcmp(dlc_op_table[op].tf, tf))
			return (enum dlc_op)op;
	return DLC_OP_INVALID;
}

static int conv_generic(struct tf_importer *im, struct tf_node_ctx *n)
{
	enum dlc_op op = generic_op(n->op);
	const struct dlc_op_info *info = dlc_op_info(op);
	if (need_inputs(im, n, info->min_inputs, info->max_inputs) < 0)
		return -1;
	struct dlc_value **in = dlc_xcalloc((size_t)n->nin + 1, sizeof *in);
	for (int i = 0; i < n->nin; i++)
		in[i] = n->in[i].v;
	struct dlc_value *v = emit(im, n, op, in, n->nin);
	free(in);
	return set_result(n, v);
}

static int conv_div(struct tf_importer *im, struct tf_node_ctx *n)
{
	if (need_inputs(im, n, 2, 2) < 0)
		return -1;
	if (!dlc_dtype_is_float(n->in[0].v->type.dtype))
		return tf_node_error(im, n, "integer division (%s) is not supported", dlc_dtype_name(n->in[0].v->type.dtype));
	return set_result(n, emit2(im, n, DLC_OP_DIV, n->in[0].v, n->in[1].v));
}

static int conv_relu6(struct tf_importer *im, struct tf_node_ctx *n)
{
	if (need_inputs(im, n, 1, 1) < 0)
		return -1;
	enum dlc_dtype dt = n->in[0].v->type.dtype;
	struct dlc_value *in[3] = {n->in[0].v, const_scalar(im, n, "min", dt, 0), const_scalar(im, n, "max", dt, 6)};
	return set_result(n, emit(im, n, DLC_OP_CLIP, in, 3));
}

static int conv_leaky_relu(struct tf_importer *im, struct tf_node_ctx *n)
{
	float alpha;
	if (need_inputs(im, n, 1, 1) < 0 || a_float(im, n, "alpha", 0.2f, &alpha) < 0)
		return -1;
	struct dlc_node *x = start(im, n, DLC_OP_LEAKY_RELU, &n->in[0].v, 1, 1);
	dlc_node_set_float(x, "alpha", alpha);
	return set_result(n, finish(im, x));
}

static int conv_square(struct tf_importer *im, struct tf_node_ctx *n)
{
	if (need_inputs(im, n, 1, 1) < 0)
		return -1;
	return set_result(n, emit2(im, n, DLC_OP_MUL, n->in[0].v, n->in[0].v));
}

static int conv_squared_difference(struct tf_importer *im, struct tf_node_ctx *n)
{
	if (need_inputs(im, n, 2, 2) < 0)
		return -1;
	struct dlc_value *d = emit2(im, n, DLC_OP_SUB, n->in[0].v, n->in[1].v);
	return set_result(n, d ? emit2(im, n, DLC_OP_MUL, d, d) : NULL);
}

static int conv_rsqrt(struct tf_importer *im, struct tf_node_ctx *n)
{
	if (need_inputs(im, n, 1, 1) < 0)
		return -1;
	struct dlc_value *s = emit1(im, n, DLC_OP_SQRT, n->in[0].v);
	return set_result(n, s ? emit1(im, n, DLC_OP_RECIPROCAL, s) : NULL);
}

static int conv_not_equal(struct tf_importer *im, struct tf_node_ctx *n)
{
	if (need_inputs(im, n, 2, 2) < 0)
		return -1;
	struct dlc_value *e = emit2(im, n, DLC_OP_EQUAL, n->in[0].v, n->in[1].v);
	return set_result(n, e ? emit1(im, n, DLC_OP_NOT, e) : NULL);
}

static int conv_cast(struct tf_importer *im, struct tf_node_ctx *n)
{
	int to;
	if (need_inputs(im, n, 1, 1) < 0 || a_type(im, n, "DstT", 0, &to) < 0)
		return -1;
	enum dlc_dtype dt = tf_dtype(to);
	if (dt == DLC_DTYPE_UNKNOWN)
		return tf_node_error(im, n, "DstT %s is not supported", tf_dtype_name(to));
	if (dt == n->in[0].v->type.dtype)
		return conv_identity(im, n);
	struct dlc_node *x = start(im, n, DLC_OP_CAST, &n->in[0].v, 1, 1);
	dlc_node_set_string(x, "to", dlc_dtype_name(dt));
	return set_result(n, finish(im, x));
}

/* ---- matrix products ---- */

static int conv_matmul(struct tf_importer *im, struct tf_node_ctx *n)
{
	bool ta, tb;
	if (need_inputs(im, n, 2, 2) < 0 || a_bool(im, n, "transpose_a", false, &ta) < 0 ||
	    a_bool(im, n, "transpose_b", false, &tb) < 0)
		return -1;
	for (int i = 0; i < 2; i++)
		if (n->in[i].v->type.rank != 2)
			return tf_node_error(im, n, "input %d has rank %d, MatMul takes matrices (rank 2)", i,
					     n->in[i].v->type.rank);
	if (!ta && !tb)
		return set_result(n, emit2(im, n, DLC_OP_MATMUL, n->in[0].v, n->in[1].v));
	struct dlc_value *in[2] = {n->in[0].v, n->in[1].v};
	struct dlc_node *x = start(im, n, DLC_OP_GEMM, in, 2, 1);
	if (ta)
		dlc_node_set_int(x, "transA", 1);
	if (tb)
		dlc_node_set_int(x, "transB", 1);
	return set_result(n, finish(im, x));
}

/* Swaps the last two dims. */
static struct dlc_value *swap_last(struct tf_importer *im, struct tf_node_ctx *n, struct dlc_value *x)
{
	int r = x->type.rank;
	int64_t perm[DLC_MAX_RANK];
	for (int i = 0; i < r; i++)
		perm[i] = i;
	perm[r - 2] = r - 1;
	perm[r - 1] = r - 2;
	return transpose(im, n, x, perm, r);
}

static int conv_batch_matmul(struct tf_importer *im, struct tf_node_ctx *n)
{
	bool adj[2];
	if (need_inputs(im, n, 2, 2) < 0 || a_bool(im, n, "adj_x", false, &adj[0]) < 0 ||
	    a_bool(im, n, "adj_y", false, &adj[1]) < 0)
		return -1;
	struct dlc_value *in[2];
	for (int i = 0; i < 2; i++) {
		if (n->in[i].v->type.rank < 2)
			return tf_node_error(im, n, "input %d has rank %d, expected at least 2", i, n->in[i].v->type.rank);
		in[i] = adj[i] ? swap_last(im, n, n->in[i].v) : n->in[i].v;
		if (!in[i])
			return -1;
	}
	return set_result(n, emit2(im, n, DLC_OP_MATMUL, in[0], in[1]));
}

/* ---- layout-dependent ops ---- */

static int data_format(struct tf_importer *im, struct tf_node_ctx *n, bool nchw_ok, bool *nchw)
{
	char df[16];
	if (a_str(im, n, "data_format", "NHWC", df, sizeof df) < 0)
		return -1;
	/* batch norm and bias add take any rank; conv and pool are 2-D NHWC */
	*nchw = !strcmp(df, "NCHW") || (nchw_ok && !strcmp(df, "NCDHW"));
	if (!strcmp(df, "NHWC") || (nchw_ok && !strcmp(df, "NDHWC")) || (*nchw && nchw_ok))
		return 0;
	return tf_node_error(im, n, "data_format '%s' is not supported", df);
}

static int conv_bias_add(struct tf_importer *im, struct tf_node_ctx *n)
{
	bool nchw;
	if (need_inputs(im, n, 2, 2) < 0 || data_format(im, n, true, &nchw) < 0)
		return -1;
	struct dlc_value *x = n->in[0].v, *b = n->in[1].v;
	if (b->type.rank != 1)
		return tf_node_error(im, n, "the bias has rank %d, expected 1", b->type.rank);
	if (!nchw)
		return set_result(n, emit2(im, n, DLC_OP_ADD, x, b));
	if (need_rank(im, n, 0, "the input") < 0)
		return -1;
	if (x->type.rank < 2)
		return tf_node_error(im, n, "NCHW input has rank %d, expected at least 2", x->type.rank);
	int64_t shape[DLC_MAX_RANK] = {b->type.dims[0] >= 0 ? b->type.dims[0] : -1};
	for (int i = 1; i < x->type.rank - 1; i++)
		shape[i] = 1;
	struct dlc_value *br = emit2(im, n, DLC_OP_RESHAPE, b, const_i64(im, n, "bias_shape", shape, x->type.rank - 1));
	return set_result(n, br ? emit2(im, n, DLC_OP_ADD, x, br) : NULL);
}

/* The window attributes of a 2-D NHWC conv or pool, resolved. */
struct window {
	int64_t kernel[2], stride[2], dilation[2], pads[4];
	bool same_upper;   /* spatial dims symbolic: auto_pad SAME_UPPER */
};

/* A 4-value NHWC attribute ([1, h, w, 1]) into its spatial pair. */
static int nhwc_attr(struct tf_importer *im, struct tf_node_ctx *n, const char *name, bool required,
		     int64_t *out)
{
	int64_t v[8];
	int k = a_ints(im, n, name, v, 8);
	if (k == -2)
		return -1;
	if (k == -1 || k == 0) {
		if (required)
			return tf_node_error(im, n, "attribute '%s' is missing", name);
		out[0] = out[1] = 1;
		return 0;
	}
	if (k != 4)
		return tf_node_error(im, n, "attribute '%s' has %d values, expected 4 (NHWC)", name, k);
	if (v[0] != 1 || v[3] != 1)
		return tf_node_error(im, n, "%s [%lld, %lld, %lld, %lld] along the batch or channel dim are not supported",
				     name, (long long)v[0], (long long)v[1], (long long)v[2], (long long)v[3]);
	for (int i = 1; i < 3; i++)
		if (v[i] < 1)
			return tf_node_error(im, n, "%s [%lld, %lld, %lld, %lld] must be positive", name,
					     (long long)v[0], (long long)v[1], (long long)v[2], (long long)v[3]);
	out[0] = v[1];
	out[1] = v[2];
	return 0;
}

/* Reads strides, dilations, padding (SAME, VALID, EXPLICIT) for an NHWC
 * input x with the given spatial kernel. */
static int read_window(struct tf_importer *im, struct tf_node_ctx *n, const struct dlc_type *x,
		       bool dilations, struct window *w)
{
	char pad[16];
	if (nhwc_attr(im, n, "strides", true, w->stride) < 0 ||
	    (dilations && nhwc_attr(im, n, "dilations", false, w->dilation) < 0) ||
	    a_str(im, n, "padding", "", pad, sizeof pad) < 0)
		return -1;
	if (!dilations)
		w->dilation[0] = w->dilation[1] = 1;
	memset(w->pads, 0, sizeof w->pads);
	w->same_upper = false;
	if (!strcmp(pad, "VALID"))
		return 0;
	if (!strcmp(pad, "EXPLICIT")) {
		int64_t e[16];
		int k = a_ints(im, n, "explicit_paddings", e, 16);
		if (k == -2)
			return -1;
		if (k != 8)
			return tf_node_error(im, n, "padding EXPLICIT needs 8 explicit_paddings, got %d", k < 0 ? 0 : k);
		if (e[0] || e[1] || e[6] || e[7])
			return tf_node_error(im, n, "explicit_paddings of the batch or channel dim are not supported");
		for (int i = 2; i < 6; i++)
			if (e[i] < 0)
				return tf_node_error(im, n, "explicit_paddings must be >= 0");
		w->pads[0] = e[2];
		w->pads[2] = e[3];
		w->pads[1] = e[4];
		w->pads[3] = e[5];
		return 0;
	}
	if (strcmp(pad, "SAME"))
		return tf_node_error(im, n, "padding '%s' is not supported (SAME, VALID and EXPLICIT are)", pad);
	for (int i = 0; i < 2; i++) {
		int64_t in = x->dims[1 + i];
		if (in < 0) {
			w->same_upper = true;
			return 0;
		}
		int64_t out = (in + w->stride[i] - 1) / w->stride[i];
		int64_t total = (out - 1) * w->stride[i] + (w->kernel[i] - 1) * w->dilation[i] + 1 - in;
		total = total > 0 ? total : 0;
		w->pads[i] = total / 2;          /* TF: the extra pad goes at the end */
		w->pads[2 + i] = total - total / 2;
	}
	return 0;
}

static void set_window(struct dlc_node *x, const struct window *w, bool dilations)
{
	dlc_node_set_ints(x, "kernel_shape", 2, w->kernel);
	dlc_node_set_ints(x, "strides", 2, w->stride);
	if (dilations)
		dlc_node_set_ints(x, "dilations", 2, w->dilation);
	if (w->same_upper)
		dlc_node_set_string(x, "auto_pad", "SAME_UPPER");
	else
		dlc_node_set_ints(x, "pads", 4, w->pads);
}

static int need_nhwc4(struct tf_importer *im, struct tf_node_ctx *n)
{
	if (n->in[0].v->type.rank != 4)
		return tf_node_error(im, n, "the input has rank %d, expected 4 (NHWC)", n->in[0].v->type.rank);
	return 0;
}

/* Conv2D (HWIO filter) and DepthwiseConv2dNative (HW C M filter). */
static int conv_conv2d(struct tf_importer *im, struct tf_node_ctx *n, bool depthwise)
{
	bool nchw;
	if (need_inputs(im, n, 2, 2) < 0 || data_format(im, n, false, &nchw) < 0 || need_nhwc4(im, n) < 0)
		return -1;
	struct dlc_value *x = n->in[0].v, *f = n->in[1].v;
	if (f->type.rank != 4)
		return tf_node_error(im, n, "the filter has rank %d, expected 4 ([KH, KW, %s])", f->type.rank,
				     depthwise ? "C, M" : "Cin, Cout");
	const int64_t *fd = f->type.dims;
	struct window w = {.kernel = {fd[0], fd[1]}};
	if (fd[0] < 0 || fd[1] < 0)
		return tf_node_error(im, n, "the filter's spatial dims are not known");
	if (read_window(im, n, &x->type, true, &w) < 0)
		return -1;
	int64_t c = x->type.dims[3], group = 1;
	if (depthwise) {
		if (fd[2] < 0)
			return tf_node_error(im, n, "the filter's channel dim is not known");
		group = fd[2];
	} else if (c >= 0 && fd[2] > 0 && c != fd[2]) {
		if (c % fd[2])
			return tf_node_error(im, n, "the input has %lld channels, not a multiple of the filter's %lld",
					     (long long)c, (long long)fd[2]);
		group = c / fd[2];
	}
	/* filter -> OIHW: HWIO [KH,KW,I,O] -> [O,I,KH,KW]; depthwise [KH,KW,C,M] -> [C,M,KH,KW] = [C*M,1,KH,KW] */
	static const int64_t hwio[4] = {3, 2, 0, 1}, hwcm[4] = {2, 3, 0, 1};
	const int64_t *perm = depthwise ? hwcm : hwio;
	struct dlc_value *wt;
	if (is_const(f)) {
		char *name = helper_name(n, "filter_oihw");
		wt = tf_permute_const(im, n, name, f, perm);
		free(name);
		if (!wt)
			return -1;
		if (depthwise) {
			wt->type.dims[0] = fd[2] * fd[3];
			wt->type.dims[1] = 1;
		}
	} else {
		wt = transpose(im, n, f, perm, 4);
		if (wt && depthwise) {
			int64_t s[4] = {fd[2] >= 0 && fd[3] >= 0 ? fd[2] * fd[3] : -1, 1, fd[0], fd[1]};
			wt = emit2(im, n, DLC_OP_RESHAPE, wt, const_i64(im, n, "filter_shape", s, 4));
		}
		if (!wt)
			return -1;
	}
	struct dlc_value *xt = to_nchw(im, n, x);
	if (!xt)
		return -1;
	struct dlc_value *in[2] = {xt, wt};
	struct dlc_node *cv = start(im, n, DLC_OP_CONV, in, 2, 1);
	set_window(cv, &w, true);
	if (group != 1)
		dlc_node_set_int(cv, "group", group);
	return set_result(n, to_nhwc(im, n, finish(im, cv)));
}

static int conv_conv(struct tf_importer *im, struct tf_node_ctx *n)
{
	return conv_conv2d(im, n, false);
}

static int conv_depthwise(struct tf_importer *im, struct tf_node_ctx *n)
{
	return conv_conv2d(im, n, true);
}

static int conv_pool(struct tf_importer *im, struct tf_node_ctx *n)
{
	bool nchw, avg = !strcmp(n->op, "AvgPool");
	if (need_inputs(im, n, 1, 1) < 0 || data_format(im, n, false, &nchw) < 0 || need_nhwc4(im, n) < 0)
		return -1;
	struct window w;
	if (nhwc_attr(im, n, "ksize", true, w.kernel) < 0 || read_window(im, n, &n->in[0].v->type, false, &w) < 0)
		return -1;
	struct dlc_value *xt = to_nchw(im, n, n->in[0].v);
	if (!xt)
		return -1;
	/* SAME average pools divide by the taps inside the input (TF and
	 * count_include_pad = 0 agree); max pools pad with -inf */
	struct dlc_node *p = start(im, n, avg ? DLC_OP_AVERAGE_POOL : DLC_OP_MAX_POOL, &xt, 1, 1);
	set_window(p, &w, false);
	return set_result(n, to_nhwc(im, n, finish(im, p)));
}

static int conv_fused_batch_norm(struct tf_importer *im, struct tf_node_ctx *n)
{
	bool nchw, training;
	float eps;
	if (need_inputs(im, n, 5, 5) < 0 || data_format(im, n, true, &nchw) < 0 ||
	    a_bool(im, n, "is_training", true, &training) < 0 || a_float(im, n, "epsilon", 1e-4f, &eps) < 0)
		return -1;
	if (training)
		return tf_node_error(im, n, "is_training = true (batch statistics) is not supported: freeze the model for inference");
	if (need_rank(im, n, 0, "the input") < 0)
		return -1;
	if (n->in[0].v->type.rank < 3)
		return tf_node_error(im, n, "the input has rank %d, expected at least 3", n->in[0].v->type.rank);
	struct dlc_value *in[5];
	for (int i = 0; i < 5; i++)
		in[i] = n->in[i].v;
	if (!nchw && !(in[0] = to_nchw(im, n, in[0])))
		return -1;
	struct dlc_node *b = start(im, n, DLC_OP_BATCH_NORM, in, 5, 1);
	dlc_node_set_float(b, "epsilon", eps);
	struct dlc_value *y = finish(im, b);
	if (y && !nchw)
		y = to_nhwc(im, n, y);
	if (!y)
		return -1;
	/* the batch statistics outputs are not computed */
	set_outputs(n, !strcmp(n->op, "FusedBatchNormV3") ? 6 : 5)[0].v = y;
	return 0;
}

/* ---- reductions ---- */

static const struct {
	const char *tf;
	enum dlc_op op;
} reductions[] = {
	{"Mean", DLC_OP_REDUCE_MEAN}, {"Max", DLC_OP_REDUCE_MAX}, {"Min", DLC_OP_REDUCE_MIN},
	{"Sum", DLC_OP_REDUCE_SUM}, {"Prod", DLC_OP_REDUCE_PROD},
};

static int conv_reduce(struct tf_importer *im, struct tf_node_ctx *n)
{
	bool keep;
	int64_t axes[DLC_MAX_RANK];
	if (need_inputs(im, n, 2, 2) < 0 || a_bool(im, n, "keep_dims", false, &keep) < 0)
		return -1;
	int k = const_operand(im, n, 1, "reduction_indices", axes, DLC_MAX_RANK);
	if (k < 0)
		return -1;
	if (k == 0) /* reducing over no axis is the identity */
		return alias_input0(n);
	enum dlc_op op = DLC_OP_INVALID;
	for (size_t i = 0; i < sizeof reductions / sizeof *reductions; i++)
		if (!strcmp(reductions[i].tf, n->op))
			op = reductions[i].op;
	struct dlc_node *x = start(im, n, op, (struct dlc_value *[]){n->in[0].v, const_i64(im, n, "axes", axes, k)}, 2, 1);
	dlc_node_set_int(x, "keepdims", keep);
	return set_result(n, finish(im, x));
}

static int conv_arg_reduce(struct tf_importer *im, struct tf_node_ctx *n)
{
	int ot;
	int64_t axis;
	if (need_inputs(im, n, 2, 2) < 0 || a_type(im, n, "output_type", 9 /* DT_INT64 */, &ot) < 0)
		return -1;
	if (const_operand(im, n, 1, "dimension", &axis, 1) != 1)
		return tf_node_error(im, n, "'dimension' must be one constant axis");
	if (tf_dtype(ot) != DLC_I64 && tf_dtype(ot) != DLC_I32)
		return tf_node_error(im, n, "output_type %s is not supported", tf_dtype_name(ot));
	struct dlc_node *x = start(im, n, !strcmp(n->op, "ArgMax") ? DLC_OP_ARG_MAX : DLC_OP_ARG_MIN, &n->in[0].v, 1, 1);
	dlc_node_set_int(x, "axis", axis);
	dlc_node_set_int(x, "keepdims", 0);
	struct dlc_value *v = finish(im, x);
	if (v && tf_dtype(ot) == DLC_I32) {
		x = start(im, n, DLC_OP_CAST, &v, 1, 1);
		dlc_node_set_string(x, "to", "i32");
		v = finish(im, x);
	}
	return set_result(n, v);
}

/* ---- shapes ---- */

static int conv_reshape(struct tf_importer *im, struct tf_node_ctx *n)
{
	if (need_inputs(im, n, 2, 2) < 0)
		return -1;
	int64_t s[DLC_MAX_RANK];
	int k = tf_const_ints(n->in[1].v, s, DLC_MAX_RANK);
	const struct tf_shapeval *sv = n->in[1].sv;
	bool copy = false; /* IR 0s copy an input dim */
	if (k < 0 && sv && sv->rank == 1) {
		/* An element that is the symbolic dim the input has at the same
		 * place copies it (the IR's 0); one other element not known as a
		 * number is what the one -1 infers. */
		const struct dlc_type *xt = &n->in[0].v->type;
		int unknown = 0, minus = 0, zeros = 0;
		bool same[DLC_MAX_RANK] = {0};
		for (int i = 0; i < sv->n; i++) {
			same[i] = !sv->known[i] && sv->v[i] <= -2 && i < xt->rank && xt->dims[i] == sv->v[i];
			unknown += !sv->known[i] && !same[i];
			minus += sv->known[i] && sv->v[i] == -1;
			zeros += sv->known[i] && sv->v[i] == 0;
		}
		for (int i = 0; i < sv->n && zeros; i++)
			if (same[i]) { /* a literal 0 (empty dim) rules out copying */
				same[i] = false;
				unknown++;
			}
		if (unknown + minus <= 1) {
			k = sv->n;
			for (int i = 0; i < k; i++) {
				s[i] = sv->known[i] ? sv->v[i] : same[i] ? 0 : -1;
				copy = copy || same[i];
			}
		}
	}
	struct dlc_value *shape;
	bool zero = false;
	if (k >= 0) {
		for (int i = 0; i < k && !copy; i++)
			zero = zero || s[i] == 0;
		shape = const_i64(im, n, "shape", s, k);
	} else {
		/* a computed shape: codegen asks for it to be constant */
		shape = n->in[1].v;
		if (shape->type.dtype != DLC_I64) {
			struct dlc_node *c = start(im, n, DLC_OP_CAST, &shape, 1, 1);
			dlc_node_set_string(c, "to", "i64");
			if (!(shape = finish(im, c)))
				return -1;
		}
	}
	struct dlc_node *x = start(im, n, DLC_OP_RESHAPE, (struct dlc_value *[]){n->in[0].v, shape}, 2, 1);
	if (zero) /* TF's 0 is a zero-size dim, not "copy" */
		dlc_node_set_int(x, "allowzero", 1);
	return set_result(n, finish(im, x));
}

static int conv_squeeze(struct tf_importer *im, struct tf_node_ctx *n)
{
	int64_t axes[DLC_MAX_RANK];
	if (need_inputs(im, n, 1, 1) < 0)
		return -1;
	int k = a_ints(im, n, "squeeze_dims", axes, DLC_MAX_RANK);
	if (k == -2)
		return -1;
	if (k <= 0)
		return set_result(n, emit1(im, n, DLC_OP_SQUEEZE, n->in[0].v));
	return set_result(n, emit2(im, n, DLC_OP_SQUEEZE, n->in[0].v, const_i64(im, n, "axes", axes, k)));
}

static int conv_expand_dims(struct tf_importer *im, struct tf_node_ctx *n)
{
	int64_t axis;
	if (need_inputs(im, n, 2, 2) < 0)
		return -1;
	if (const_operand(im, n, 1, "dim", &axis, 1) != 1)
		return tf_node_error(im, n, "'dim' must be one constant axis");
	return set_result(n, emit2(im, n, DLC_OP_UNSQUEEZE, n->in[0].v, const_i64(im, n, "axes", &axis, 1)));
}

static int conv_concat(struct tf_importer *im, struct tf_node_ctx *n)
{
	bool v2 = !strcmp(n->op, "ConcatV2");
	int64_t axis;
	if (n->nin < 2)
		return tf_node_error(im, n, "expects at least 2 inputs, got %d", n->nin);
	if (const_operand(im, n, v2 ? n->nin - 1 : 0, "axis", &axis, 1) != 1)
		return tf_node_error(im, n, "'axis' must be one constant");
	struct dlc_value **in = dlc_xcalloc((size_t)n->nin, sizeof *in);
	for (int i = 0; i < n->nin - 1; i++)
		in[i] = n->in[v2 ? i : i + 1].v;
	struct dlc_node *x = start(im, n, DLC_OP_CONCAT, in, n->nin - 1, 1);
	free(in);
	dlc_node_set_int(x, "axis", axis);
	return set_result(n, finish(im, x));
}

static int conv_pack(struct tf_importer *im, struct tf_node_ctx *n)
{
	int64_t axis;
	if (n->nin < 1)
		return tf_node_error(im, n, "expects at least 1 input");
	if (a_int(im, n, "axis", 0, &axis) < 0 || need_rank(im, n, 0, "the inputs") < 0)
		return -1;
	int r = n->in[0].v->type.rank;
	if (axis < -r - 1 || axis > r)
		return tf_node_error(im, n, "axis %lld is out of range for inputs of rank %d", (long long)axis, r);
	if (axis < 0)
		axis += r + 1;
	struct dlc_value **in = dlc_xcalloc((size_t)n->nin, sizeof *in);
	int rc = 0;
	for (int i = 0; i < n->nin && rc == 0; i++)
		if (!(in[i] = emit2(im, n, DLC_OP_UNSQUEEZE, n->in[i].v, const_i64(im, n, "axes", &axis, 1))))
			rc = -1;
	if (rc == 0 && n->nin == 1) {
		rc = set_result(n, in[0]);
	} else if (rc == 0) {
		struct dlc_node *x = start(im, n, DLC_OP_CONCAT, in, n->nin, 1);
		dlc_node_set_int(x, "axis", axis);
		rc = set_result(n, finish(im, x));
	}
	free(in);
	return rc;
}

static int conv_pad(struct tf_importer *im, struct tf_node_ctx *n)
{
	bool v2 = !strcmp(n->op, "PadV2"), mirror = !strcmp(n->op, "MirrorPad");
	char mode[16] = "constant";
	if (need_inputs(im, n, v2 ? 3 : 2, v2 ? 3 : 2) < 0 || need_rank(im, n, 0, "the input") < 0)
		return -1;
	if (mirror) {
		char m[16];
		if (a_str(im, n, "mode", "", m, sizeof m) < 0)
			return -1;
		if (strcmp(m, "REFLECT"))
			return tf_node_error(im, n, "mode '%s' is not supported (REFLECT is)", m);
		strcpy(mode, "reflect");
	}
	int r = n->in[0].v->type.rank;
	int64_t p[2 * DLC_MAX_RANK], pads[2 * DLC_MAX_RANK];
	int k = const_operand(im, n, 1, "paddings", p, 2 * DLC_MAX_RANK);
	if (k < 0)
		return -1;
	if (k != 2 * r)
		return tf_node_error(im, n, "'paddings' has %d values, expected %d (rank x 2)", k, 2 * r);
	for (int i = 0; i < r; i++) {
		pads[i] = p[2 * i];
		pads[r + i] = p[2 * i + 1];
	}
	struct dlc_value *in[3] = {n->in[0].v, const_i64(im, n, "pads", pads, 2 * r), v2 ? n->in[2].v : NULL};
	struct dlc_node *x = start(im, n, DLC_OP_PAD, in, v2 ? 3 : 2, 1);
	if (mirror)
		dlc_node_set_string(x, "mode", mode);
	return set_result(n, finish(im, x));
}

static int conv_transpose(struct tf_importer *im, struct tf_node_ctx *n)
{
	int64_t perm[DLC_MAX_RANK];
	if (need_inputs(im, n, 2, 2) < 0)
		return -1;
	int k = const_operand(im, n, 1, "perm", perm, DLC_MAX_RANK);
	if (k < 0)
		return -1;
	return set_result(n, transpose(im, n, n->in[0].v, perm, k));
}

static int conv_shape(struct tf_importer *im, struct tf_node_ctx *n)
{
	int ot;
	if (need_inputs(im, n, 1, 1) < 0 || a_type(im, n, "out_type", 3, &ot) < 0)
		return -1;
	enum dlc_dtype dt = tf_dtype(ot);
	if (dt != DLC_I32 && dt != DLC_I64)
		return tf_node_error(im, n, "out_type %s is not supported", tf_dtype_name(ot));
	struct dlc_value *v = emit1(im, n, !strcmp(n->op, "Size") ? DLC_OP_SIZE : DLC_OP_SHAPE, n->in[0].v);
	if (v && dt == DLC_I32) {
		struct dlc_node *c = start(im, n, DLC_OP_CAST, &v, 1, 1);
		dlc_node_set_string(c, "to", "i32");
		v = finish(im, c);
	}
	return set_result(n, v);
}

static int conv_strided_slice(struct tf_importer *im, struct tf_node_ctx *n)
{
	struct tf_slice s;
	if (need_inputs(im, n, 4, 4) < 0 || need_rank(im, n, 0, "the input") < 0 ||
	    tf_strided_slice_read(im, n, n->in[0].v->type.rank, &s) < 0)
		return -1;
	int64_t starts[DLC_MAX_RANK], ends[DLC_MAX_RANK], axes[DLC_MAX_RANK], steps[DLC_MAX_RANK];
	int64_t shrink[DLC_MAX_RANK];
	int k = 0, ns = 0;
	for (int i = 0; i < s.rank; i++) {
		if (s.shrink[i]) {
			starts[k] = s.begin[i];
			ends[k] = s.begin[i] == -1 ? INT64_MAX : s.begin[i] + 1;
			steps[k] = 1;
			axes[k++] = i;
			shrink[ns++] = i;
			continue;
		}
		if (s.begin_full[i] && s.end_full[i] && s.stride[i] == 1)
			continue; /* the whole dim */
		bool up = s.stride[i] > 0;
		starts[k] = s.begin_full[i] ? (up ? 0 : INT64_MAX) : s.begin[i];
		ends[k] = s.end_full[i] ? (up ? INT64_MAX : INT64_MIN) : s.end[i];
		steps[k] = s.stride[i];
		axes[k++] = i;
	}
	struct dlc_value *v = n->in[0].v;
	if (k) {
		struct dlc_value *in[5] = {v, const_i64(im, n, "starts", starts, k), const_i64(im, n, "ends", ends, k),
					   const_i64(im, n, "axes", axes, k), const_i64(im, n, "steps", steps, k)};
		v = emit(im, n, DLC_OP_SLICE, in, 5);
	}
	if (v && ns)
		v = emit2(im, n, DLC_OP_SQUEEZE, v, const_i64(im, n, "shrink_axes", shrink, ns));
	if (v && s.nnew)
		v = emit2(im, n, DLC_OP_UNSQUEEZE, v, const_i64(im, n, "new_axes", s.new_axes, s.nnew));
	return set_result(n, v);
}

static int conv_slice(struct tf_importer *im, struct tf_node_ctx *n)
{
	int64_t b[DLC_MAX_RANK], sz[DLC_MAX_RANK], e[DLC_MAX_RANK], ax[DLC_MAX_RANK];
	if (need_inputs(im, n, 3, 3) < 0)
		return -1;
	int kb = const_operand(im, n, 1, "begin", b, DLC_MAX_RANK), ks;
	if (kb < 0 || (ks = const_operand(im, n, 2, "size", sz, DLC_MAX_RANK)) < 0)
		return -1;
	if (kb != ks)
		return tf_node_error(im, n, "'begin' and 'size' have %d and %d values", kb, ks);
	int k = 0; /* dims sliced; whole dims (begin 0, size -1) are left out */
	for (int i = 0; i < kb; i++) {
		if (b[i] < 0 || sz[i] < -1)
			return tf_node_error(im, n, "begin[%d] = %lld, size[%d] = %lld are out of range", i,
					     (long long)b[i], i, (long long)sz[i]);
		if (b[i] == 0 && sz[i] == -1)
			continue;
		b[k] = b[i];
		e[k] = sz[i] == -1 ? INT64_MAX : b[i] + sz[i];
		ax[k++] = i;
	}
	if (!k)
		return alias_input0(n);
	struct dlc_value *in[4] = {n->in[0].v, const_i64(im, n, "starts", b, k), const_i64(im, n, "ends", e, k),
				   const_i64(im, n, "axes", ax, k)};
	return set_result(n, emit(im, n, DLC_OP_SLICE, in, 4));
}

/* Ops computed only at import (tf_fold): here their operands were not. */
static int conv_fold_only(struct tf_importer *im, struct tf_node_ctx *n)
{
	return tf_node_error(im, n, "is only supported on constant operands (computed at import)");
}

/* ---- the table ---- */

typedef int (*tf_convert_fn)(struct tf_importer *, struct tf_node_ctx *);

static const struct tf_op {
	const char *op;
	tf_convert_fn fn;
	const char *attrs;   /* accepted besides T and _* */
} tf_ops[] = {
	{"Identity", conv_identity, ""},
	{"StopGradient", conv_identity, ""},
	{"PreventGradient", conv_identity, "message"},
	{"Snapshot", conv_identity, ""},
	{"EnsureShape", conv_identity, "shape"},
	{"CheckNumerics", conv_identity, "message"},
	{"PlaceholderWithDefault", conv_identity, "dtype,shape"},
	{"IdentityN", conv_identity_n, ""},
	{"NoOp", conv_noop, ""},
	{"AddN", conv_generic, "N"},
	{"RealDiv", conv_div, ""},
	{"Div", conv_div, ""},
	{"Relu6", conv_relu6, ""},
	{"LeakyRelu", conv_leaky_relu, "alpha"},
	{"Square", conv_square, ""},
	{"SquaredDifference", conv_squared_difference, ""},
	{"Rsqrt", conv_rsqrt, ""},
	{"NotEqual", conv_not_equal, "incompatible_shape_error"},
	{"Equal", conv_generic, "incompatible_shape_error"},
	{"Cast", conv_cast, "SrcT,DstT,Truncate"},
	{"MatMul", conv_matmul, "transpose_a,transpose_b,grad_a,grad_b"},
	{"BatchMatMul", conv_batch_matmul, "adj_x,adj_y,grad_x,grad_y"},
	{"BatchMatMulV2", conv_batch_matmul, "adj_x,adj_y,grad_x,grad_y"},
	{"BatchMatMulV3", conv_batch_matmul, "adj_x,adj_y,Ta,Tb,Tout,grad_x,grad_y"},
	{"BiasAdd", conv_bias_add, "data_format"},
	{"Conv2D", conv_conv, "strides,use_cudnn_on_gpu,padding,explicit_paddings,data_format,dilations"},
	{"DepthwiseConv2dNative", conv_depthwise, "strides,padding,explicit_paddings,data_format,dilations"},
	{"MaxPool", conv_pool, "ksize,strides,padding,explicit_paddings,data_format"},
	{"AvgPool", conv_pool, "ksize,strides,padding,data_format"},
	{"FusedBatchNorm", conv_fused_batch_norm, "epsilon,exponential_avg_factor,data_format,is_training"},
	{"FusedBatchNormV2", conv_fused_batch_norm, "U,epsilon,exponential_avg_factor,data_format,is_training"},
	{"FusedBatchNormV3", conv_fused_batch_norm, "U,epsilon,exponential_avg_factor,data_format,is_training"},
	{"Mean", conv_reduce, "keep_dims,Tidx"},
	{"Max", conv_reduce, "keep_dims,Tidx"},
	{"Min", conv_reduce, "keep_dims,Tidx"},
	{"Sum", conv_reduce, "keep_dims,Tidx"},
	{"Prod", conv_reduce, "keep_dims,Tidx"},
	{"ArgMax", conv_arg_reduce, "Tidx,output_type"},
	{"ArgMin", conv_arg_reduce, "Tidx,output_type"},
	{"Reshape", conv_reshape, "Tshape"},
	{"Squeeze", conv_squeeze, "squeeze_dims"},
	{"ExpandDims", conv_expand_dims, "Tdim"},
	{"ConcatV2", conv_concat, "N,Tidx"},
	{"Concat", conv_concat, "N"},
	{"Pack", conv_pack, "N,axis"},
	{"Pad", conv_pad, "Tpaddings"},
	{"PadV2", conv_pad, "Tpaddings"},
	{"MirrorPad", conv_pad, "Tpaddings,mode"},
	{"Transpose", conv_transpose, "Tperm"},
	{"Shape", conv_shape, "out_type"},
	{"Size", conv_shape, "out_type"},
	{"Rank", conv_fold_only, ""},
	{"StridedSlice", conv_strided_slice, "Index,begin_mask,end_mask,ellipsis_mask,new_axis_mask,shrink_axis_mask"},
	{"Slice", conv_slice, "Index"},
	{"Fill", conv_fold_only, "index_type"},
	{"ZerosLike", conv_fold_only, ""},
	{"OnesLike", conv_fold_only, ""},
};

static const struct tf_op *find_op(const char *op)
{
	for (size_t i = 0; i < sizeof tf_ops / sizeof *tf_ops; i++)
		if (!strcmp(tf_ops[i].op, op))
			return &tf_ops[i];
	return NULL;
}

static bool listed(const char *list, const char *name)
{
	size_t len = strlen(name);
	for (const char *p = list; *p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == len && !memcmp(p, name, n))
			return true;
		p += n + (e ? 1 : 0);
	}
	return false;
}

/* The op is known and carries no attribute dlc would ignore. */
static int check_node(struct tf_importer *im, struct tf_node_ctx *n, const char *attrs)
{
	const DlcTf__NodeDef *nd = n->node->def;
	for (size_t i = 0; i < nd->n_attr; i++) {
		const char *k = nd->attr[i]->key ? nd->attr[i]->key : "";
		if (k[0] == '_' || !strcmp(k, "T"))
			continue;
		if (!listed(attrs, k))
			return tf_node_error(im, n, "attribute '%s' is not supported", k);
	}
	return 0;
}

int tf_convert_node(struct tf_importer *im, struct tf_node_ctx *n)
{
	const struct tf_op *op = find_op(n->op);
	if (op)
		return op->fn(im, n);
	return conv_generic(im, n);
}

int tf_check_node(struct tf_importer *im, struct tf_node_ctx *n)
{
	const struct tf_op *op = find_op(n->op);
	if (op)
		return check_node(im, n, op->attrs);
	if (generic_op(n->op) == DLC_OP_INVALID)
		return tf_node_error(im, n, "op '%s' is not supported", n->op);
	return check_node(im, n, "");
}
