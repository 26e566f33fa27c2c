/* Adapters of the core ops: Softmax before opset 13 (shared with LogSoftmax
 * and Hardmax in adapters_reduce.c), Clip before 11,
 * Reshape before 5, Dropout before 12, Concat before 4, the binary ops
 * before 7 (legacy broadcast) and Gemm before 7. BatchNormalization is in
 * adapters_nn.c. */
#include <string.h>

#include "dlc/util.h"
#include "frontends/onnx/internal.h"

/* Clip before opset 11 takes min and max as attributes. */
static int import_clip(struct onnx_importer *im, struct onnx_node *n)
{
	if (im->opset >= 11)
		return onnx_generic(im, n, DLC_OP_CLIP, NULL);
	if (n->ninputs != 1 || !n->inputs[0])
		return onnx_node_error(im, n, "expects 1 input, got %d", n->ninputs);
	enum dlc_dtype dt = n->inputs[0]->type.dtype;
	if (!dlc_dtype_is_float(dt))
		return onnx_node_error(im, n, "opset %lld form needs a float input", (long long)im->opset);
	const DlcOnnx__AttributeProto *lo, *hi;
	if (onnx_typed_attr(im, n, "min", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT, &lo) < 0 ||
	    onnx_typed_attr(im, n, "max", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT, &hi) < 0)
		return -1;
	for (size_t i = 0; i < n->proto->n_attribute; i++) {
		const char *an = n->proto->attribute[i]->name ? n->proto->attribute[i]->name : "";
		if (strcmp(an, "min") && strcmp(an, "max") && strcmp(an, "consumed_inputs"))
			return onnx_node_error(im, n, "attribute '%s' is not supported", an);
	}
	struct dlc_value *ops[3] = {n->inputs[0], lo ? onnx_const_scalar(im, "clip_min", dt, lo->f) : NULL,
				    hi ? onnx_const_scalar(im, "clip_max", dt, hi->f) : NULL};
	return onnx_emit(im, n, DLC_OP_CLIP, ops, hi ? 3 : lo ? 2 : 1, 1, NULL, false) ? 0 : -1;
}

/* Reshape before opset 5 takes the shape as an attribute. */
static int import_reshape(struct onnx_importer *im, struct onnx_node *n)
{
	if (im->opset >= 5)
		return onnx_generic(im, n, DLC_OP_RESHAPE, NULL);
	const DlcOnnx__AttributeProto *a;
	if (onnx_typed_attr(im, n, "shape", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS, &a) < 0)
		return -1;
	if (!a || n->ninputs != 1)
		return onnx_node_error(im, n, "opset %lld form needs one input and a 'shape' attribute",
				       (long long)im->opset);
	if (a->n_ints > DLC_MAX_RANK)
		return onnx_node_error(im, n, "'shape' has %zu values, the maximum rank is %d",
				       a->n_ints, DLC_MAX_RANK);
	struct dlc_value *ops[2] = {n->inputs[0], onnx_const_i64(im, "reshape_shape", a->ints, (int64_t)a->n_ints)};
	static const char *const skip[] = {"shape", "consumed_inputs", NULL};
	return onnx_emit(im, n, DLC_OP_RESHAPE, ops, 2, 1, skip, true) ? 0 : -1;
}

/* Dropout before opset 12 carries ratio (and is_test) as attributes; in
 * inference it is the identity either way. */
static int import_dropout(struct onnx_importer *im, struct onnx_node *n)
{
	if (im->opset >= 12)
		return onnx_generic(im, n, DLC_OP_DROPOUT, NULL);
	static const char *const skip[] = {"ratio", "is_test", "consumed_inputs", NULL};
	int nout = onnx_node_outputs(n);
	struct dlc_node *x = onnx_emit(im, n, DLC_OP_DROPOUT, n->inputs, n->ninputs, nout, skip, true);
	return x ? 0 : -1;
}

/* Concat before opset 4 defaults axis to 1. */
static int import_concat(struct onnx_importer *im, struct onnx_node *n)
{
	struct dlc_node *x = onnx_start(im, n, DLC_OP_CONCAT, n->inputs, n->ninputs, 1, NULL, true);
	if (x && im->opset < 4 && !onnx_find_attr(n, "axis"))
		dlc_node_set_int(x, "axis", 1);
	return onnx_finish(im, n, x) ? 0 : -1;
}

/* Binary ops before opset 7 broadcast only with broadcast=1, aligning B at
 * `axis`; that matches numpy's suffix alignment when axis = rank(A)-rank(B). */
static int import_binary(struct onnx_importer *im, struct onnx_node *n)
{
	enum dlc_op op = dlc_op_from_onnx(n->proto->op_type);
	if (im->opset >= 7)
		return onnx_generic(im, n, op, NULL);
	const DlcOnnx__AttributeProto *bc, *ax;
	if (onnx_typed_attr(im, n, "broadcast", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, &bc) < 0 ||
	    onnx_typed_attr(im, n, "axis", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, &ax) < 0)
		return -1;
	if (bc && bc->i && ax && n->ninputs == 2 && n->inputs[0] && n->inputs[1]) {
		int64_t want = n->inputs[0]->type.rank - n->inputs[1]->type.rank;
		if (ax->i != want && ax->i != want - n->inputs[0]->type.rank)
			return onnx_node_error(im, n, "legacy broadcast at axis %lld is not supported",
					       (long long)ax->i);
	}
	static const char *const skip[] = {"broadcast", "axis", "consumed_inputs", NULL};
	return onnx_emit(im, n, op, n->inputs, n->ninputs, 1, skip, true) ? 0 : -1;
}

/* Gemm before opset 7 has a 'broadcast' attribute; C broadcasts anyway. */
static int import_gemm(struct onnx_importer *im, struct onnx_node *n)
{
	static const char *const skip[] = {"broadcast", NULL};
	return onnx_generic(im, n, DLC_OP_GEMM, skip);
}


/* BitCast: ONNX names the target by TensorProto data type. */
static int import_bitcast(struct onnx_importer *im, struct onnx_node *n)
{
	const DlcOnnx__AttributeProto *to;
	if (onnx_typed_attr(im, n, "to", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, &to) < 0)
		return -1;
	if (!to)
		return onnx_node_error(im, n, "attribute 'to' is required");
	enum dlc_dtype t = onnx_dtype((int32_t)to->i);
	if (t == DLC_DTYPE_UNKNOWN || (int64_t)(int32_t)to->i != to->i)
		return onnx_node_error(im, n, "'to' is %lld (%s), which dlc has no element type for",
				       (long long)to->i, onnx_dtype_name((int32_t)to->i));
	static const char *const skip[] = {"to", NULL};
	struct dlc_node *x = onnx_start(im, n, DLC_OP_BITCAST, n->inputs, n->ninputs, 1, skip, true);
	if (x)
		dlc_node_set_string(x, "to", dlc_dtype_name(t));
	return onnx_finish(im, n, x) ? 0 : -1;
}

const struct onnx_adapter onnx_adapters_core[] = {
	{"BitCast", import_bitcast},
	{"Softmax", onnx_import_flat_softmax}, /* adapters_reduce.c */
	{"Clip", import_clip},
	{"Reshape", import_reshape},
	{"Dropout", import_dropout},
	{"Concat", import_concat},
	{"Gemm", import_gemm},
	{"Add", import_binary},
	{"Sub", import_binary},
	{"Mul", import_binary},
	{"Div", import_binary},
	{NULL, NULL},
};
