/* ONNX adapters of reductions, normalization, the softmax family and scans: ops whose ONNX form
 * differs from the IR's. Ops that map one-to-one need no entry.
 *
 * - Reduce*: 'axes' was an attribute before opset 18 (ReduceSum: 13); it
 *   becomes the constant axes operand.
 * - LogSoftmax, Hardmax before opset 13 flatten the input to 2-D at 'axis'
 *   (default 1), like Softmax (adapters.c).
 * - TopK before opset 10 takes k as an attribute.
 * - GroupNormalization before opset 21 has one scale and bias per group;
 *   they are repeated per channel. */
#include <stdio.h>
#include <string.h>

#include "dlc/util.h"
#include "frontends/onnx/internal.h"

static int import_reduce(struct onnx_importer *im, struct onnx_node *n)
{
	enum dlc_op op = dlc_op_from_onnx(n->proto->op_type);
	const DlcOnnx__AttributeProto *a;
	if (onnx_typed_attr(im, n, "axes", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS, &a) < 0)
		return -1;
	if (!a)
		return onnx_generic(im, n, op, onnx_legacy_noops);
	if (n->ninputs != 1)
		return onnx_node_error(im, n, "has both an 'axes' attribute and %d inputs", n->ninputs);
	if (a->n_ints > DLC_MAX_RANK)
		return onnx_node_error(im, n, "'axes' has %zu values, the maximum rank is %d", a->n_ints,
				       DLC_MAX_RANK);
	/* an empty list from an old model reduces every axis, as before */
	struct dlc_value *ops[2] = {n->inputs[0],
				    a->n_ints ? onnx_const_i64(im, "axes", a->ints, (int64_t)a->n_ints) : NULL};
	static const char *const skip[] = {"axes", "consumed_inputs", NULL};
	return onnx_emit(im, n, op, ops, a->n_ints ? 2 : 1, 1, skip, true) ? 0 : -1;
}

/* Softmax, LogSoftmax and Hardmax before opset 13: coerced to 2-D
 * [prod(dims[:axis]), prod(dims[axis:])] (axis default 1) and applied along
 * the second dim. */
int onnx_import_flat_softmax(struct onnx_importer *im, struct onnx_node *n)
{
	enum dlc_op op = dlc_op_from_onnx(n->proto->op_type);
	if (im->opset >= 13 || n->ninputs != 1 || !n->inputs[0])
		return onnx_generic(im, n, op, NULL);
	const struct dlc_type *t = &n->inputs[0]->type;
	const DlcOnnx__AttributeProto *a;
	if (onnx_typed_attr(im, n, "axis", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, &a) < 0)
		return -1;
	int64_t axis = a ? a->i : 1;
	if (!dlc_type_is_known(t))
		return onnx_node_error(im, n, "opset %lld form needs the input's rank",
				       (long long)im->opset);
	if (axis < 0)
		axis += t->rank;
	if (axis < 0 || axis >= t->rank)
		return onnx_node_error(im, n, "'axis' is %lld, accepted range is [%d, %d]",
				       (long long)(a ? a->i : 1), -t->rank, t->rank - 1);
	static const char *const skip[] = {"axis", NULL};
	if (axis == t->rank - 1) { /* same as the single-axis form */
		struct dlc_node *x = onnx_start(im, n, op, n->inputs, 1, 1, skip, true);
		if (x)
			dlc_node_set_int(x, "axis", -1);
		return onnx_finish(im, n, x) ? 0 : -1;
	}
	if (!dlc_type_is_static(t))
		return onnx_node_error(im, n, "opset %lld form over axis %lld needs a static input shape",
				       (long long)im->opset, (long long)axis);
	struct dlc_node *f = onnx_start(im, n, DLC_OP_FLATTEN, n->inputs, 1, 1, NULL, false);
	dlc_node_set_int(f, "axis", axis);
	if (!onnx_finish(im, n, f))
		return -1;
	struct dlc_node *s = onnx_start(im, n, op, &f->outputs[0], 1, 1, skip, true);
	if (s)
		dlc_node_set_int(s, "axis", 1);
	if (!onnx_finish(im, n, s))
		return -1;
	char name[48]; /* "softmax_shape" */
	snprintf(name, sizeof name, "%s_shape", dlc_op_info(op)->name);
	struct dlc_value *ops[2] = {s->outputs[0], onnx_const_i64(im, name, t->dims, t->rank)};
	return onnx_emit(im, n, DLC_OP_RESHAPE, ops, 2, 1, NULL, false) ? 0 : -1;
}

/* TopK before opset 10: k is an attribute. */
static int import_top_k(struct onnx_importer *im, struct onnx_node *n)
{
	if (im->opset >= 10)
		return onnx_generic(im, n, DLC_OP_TOP_K, NULL);
	const DlcOnnx__AttributeProto *a;
	if (onnx_typed_attr(im, n, "k", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, &a) < 0)
		return -1;
	if (!a || n->ninputs != 1)
		return onnx_node_error(im, n, "opset %lld form needs one input and a 'k' attribute",
				       (long long)im->opset);
	struct dlc_value *ops[2] = {n->inputs[0], onnx_const_i64(im, "k", &a->i, 1)};
	static const char *const skip[] = {"k", NULL};
	return onnx_emit(im, n, DLC_OP_TOP_K, ops, 2, onnx_node_outputs(n), skip, true) ? 0 : -1;
}

/* A constant of `dt` and the given shape, every element 1. */
static struct dlc_value *const_ones(struct onnx_importer *im, enum dlc_dtype dt, int rank,
				    const int64_t *dims)
{
	struct dlc_type t = dlc_type_make(dt, rank, dims);
	int64_t count = dlc_type_numel(&t);
	struct dlc_blob *b = dlc_blob_new((size_t)dlc_type_nbytes(&t));
	for (int64_t i = 0; i < count; i++) {
		switch (dt) {
		case DLC_F32: ((float *)b->data)[i] = 1.0f; break;
		case DLC_F64: ((double *)b->data)[i] = 1.0; break;
		case DLC_F16: ((uint16_t *)b->data)[i] = dlc_f32_to_f16(1.0f); break;
		case DLC_BF16: ((uint16_t *)b->data)[i] = dlc_f32_to_bf16(1.0f); break;
		default: break;
		}
	}
	return dlc_graph_add_const(im->g, "ones", t, b);
}

/* GroupNormalization before opset 21: scale and bias [G] become [C] as
 * reshape(reshape(p, [G, 1]) * ones[1, C/G], [C]). */
static int import_group_norm(struct onnx_importer *im, struct onnx_node *n)
{
	if (im->opset >= 21 || n->ninputs != 3 || !n->inputs[0] || !n->inputs[1] || !n->inputs[2])
		return onnx_generic(im, n, DLC_OP_GROUP_NORM, NULL);
	const DlcOnnx__AttributeProto *g;
	if (onnx_typed_attr(im, n, "num_groups", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, &g) < 0)
		return -1;
	const struct dlc_type *x = &n->inputs[0]->type;
	if (!g)
		return onnx_node_error(im, n, "attribute 'num_groups' is required");
	if (!dlc_type_is_known(x) || x->rank < 2 || x->dims[1] < 0)
		return onnx_node_error(im, n, "opset %lld form needs the input's channel count",
				       (long long)im->opset);
	int64_t G = g->i, C = x->dims[1];
	if (G < 1 || C % G)
		return onnx_node_error(im, n, "the %lld channels do not divide into 'num_groups' = %lld groups",
				       (long long)C, (long long)G);
	struct dlc_value *ops[3] = {n->inputs[0], NULL, NULL};
	for (int i = 1; i < 3; i++) {
		const struct dlc_type *p = &n->inputs[i]->type;
		if (!dlc_type_is_known(p) || p->rank != 1 || p->dims[0] != G)
			return onnx_node_error(im, n, "opset %lld form needs %s of shape [%lld] (one per group)",
					       (long long)im->opset, i == 1 ? "scale" : "bias", (long long)G);
		int64_t g1[2] = {G, 1}, one_cg[2] = {1, C / G};
		struct dlc_value *r1[2] = {n->inputs[i], onnx_const_i64(im, "shape", g1, 2)};
		struct dlc_node *a = onnx_emit(im, n, DLC_OP_RESHAPE, r1, 2, 1, NULL, false);
		if (!a)
			return -1;
		struct dlc_value *m[2] = {a->outputs[0], const_ones(im, p->dtype, 2, one_cg)};
		struct dlc_node *b = onnx_emit(im, n, DLC_OP_MUL, m, 2, 1, NULL, false);
		if (!b)
			return -1;
		struct dlc_value *r2[2] = {b->outputs[0], onnx_const_i64(im, "shape", &C, 1)};
		struct dlc_node *r = onnx_emit(im, n, DLC_OP_RESHAPE, r2, 2, 1, NULL, false);
		if (!r)
			return -1;
		ops[i] = r->outputs[0];
	}
	return onnx_emit(im, n, DLC_OP_GROUP_NORM, ops, 3, 1, NULL, true) ? 0 : -1;
}

const struct onnx_adapter onnx_adapters_reduce[] = {
	{"ReduceSum", import_reduce},
	{"ReduceMean", import_reduce},
	{"ReduceMax", import_reduce},
	{"ReduceMin", import_reduce},
	{"ReduceProd", import_reduce},
	{"ReduceL1", import_reduce},
	{"ReduceL2", import_reduce},
	{"ReduceLogSum", import_reduce},
	{"ReduceLogSumExp", import_reduce},
	{"ReduceSumSquare", import_reduce},
	{"LogSoftmax", onnx_import_flat_softmax},
	{"Hardmax", onnx_import_flat_softmax},
	{"TopK", import_top_k},
	{"GroupNormalization", import_group_norm},
	{NULL, NULL},
};
