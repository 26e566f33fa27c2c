/* ONNX adapters of shape and indexing ops: ops whose ONNX form differs
 * from the IR's. Ops that map one-to-one need no entry.
 *
 * - Squeeze and Unsqueeze before opset 13, Slice before 10, Split before
 *   13 and Pad before 11 take as attributes what are operands now;
 * - ConstantOfShape's value is a one-element TENSOR attribute: it becomes
 *   a constant operand (which also gives the result its element type);
 * - EyeLike's dtype is an ONNX TensorProto code: it becomes the IR's name
 *   for the element type;
 * - Upsample (deprecated) and Resize before opset 11 become the newest
 *   Resize with the coordinate transformation they used (asymmetric,
 *   nearest rounding down);
 * - Scatter (deprecated) is ScatterElements. */
#include <string.h>

#include "dlc/util.h"
#include "frontends/onnx/internal.h"

#define ATTR_INTS DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS
#define ATTR_INT DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT
#define ATTR_FLOAT DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT
#define ATTR_FLOATS DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS
#define ATTR_STRING DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING
#define ATTR_TENSOR DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR

static struct dlc_value *const_ints_attr(struct onnx_importer *im, const char *name,
					 const DlcOnnx__AttributeProto *a)
{
	return onnx_const_i64(im, name, a->ints, (int64_t)a->n_ints);
}

static struct dlc_value *const_f32(struct onnx_importer *im, const char *name, const float *v,
				   int64_t count)
{
	struct dlc_blob *b = dlc_blob_new((size_t)count * 4);
	if (count)
		memcpy(b->data, v, (size_t)count * 4);
	return dlc_graph_add_const(im->g, name, dlc_type_make(DLC_F32, 1, &count), b);
}

/* The one operand of an old-opset form (an attribute carries the rest). */
static int one_input(struct onnx_importer *im, const struct onnx_node *n)
{
	if (n->ninputs != 1 || !n->inputs[0])
		return onnx_node_error(im, n, "opset %lld form expects 1 input, got %d",
				       (long long)im->opset, n->ninputs);
	return 0;
}

/* Squeeze and Unsqueeze before opset 13: 'axes' is an attribute. */
static int import_squeeze(struct onnx_importer *im, struct onnx_node *n)
{
	enum dlc_op op = dlc_op_from_onnx(n->proto->op_type);
	if (im->opset >= 13)
		return onnx_generic(im, n, op, NULL);
	const DlcOnnx__AttributeProto *a;
	if (onnx_typed_attr(im, n, "axes", ATTR_INTS, &a) < 0 || one_input(im, n) < 0)
		return -1;
	if (!a && op == DLC_OP_UNSQUEEZE)
		return onnx_node_error(im, n, "missing required attribute 'axes'");
	if (a && a->n_ints > DLC_MAX_RANK)
		return onnx_node_error(im, n, "'axes' has %zu values, at most %d accepted", a->n_ints,
				       DLC_MAX_RANK);
	struct dlc_value *ops[2] = {n->inputs[0], a ? const_ints_attr(im, "axes", a) : NULL};
	static const char *const skip[] = {"axes", NULL};
	return onnx_emit(im, n, op, ops, a ? 2 : 1, 1, skip, true) ? 0 : -1;
}

/* Slice before opset 10: starts, ends and axes are attributes (no steps). */
static int import_slice(struct onnx_importer *im, struct onnx_node *n)
{
	if (im->opset >= 10)
		return onnx_generic(im, n, DLC_OP_SLICE, NULL);
	const DlcOnnx__AttributeProto *s, *e, *a;
	if (onnx_typed_attr(im, n, "starts", ATTR_INTS, &s) < 0 ||
	    onnx_typed_attr(im, n, "ends", ATTR_INTS, &e) < 0 ||
	    onnx_typed_attr(im, n, "axes", ATTR_INTS, &a) < 0 || one_input(im, n) < 0)
		return -1;
	if (!s || !e)
		return onnx_node_error(im, n, "opset %lld form needs 'starts' and 'ends' attributes",
				       (long long)im->opset);
	struct dlc_value *ops[4] = {n->inputs[0], const_ints_attr(im, "starts", s),
				    const_ints_attr(im, "ends", e), a ? const_ints_attr(im, "axes", a) : NULL};
	static const char *const skip[] = {"starts", "ends", "axes", NULL};
	return onnx_emit(im, n, DLC_OP_SLICE, ops, a ? 4 : 3, 1, skip, true) ? 0 : -1;
}

/* Split before opset 13: 'split' is an attribute (opset 1 also allowed it
 * as a second input). */
static int import_split(struct onnx_importer *im, struct onnx_node *n)
{
	int nout = onnx_node_outputs(n);
	if (im->opset >= 13)
		return onnx_emit(im, n, DLC_OP_SPLIT, n->inputs, n->ninputs, nout, NULL, true) ? 0 : -1;
	const DlcOnnx__AttributeProto *a;
	if (onnx_typed_attr(im, n, "split", ATTR_INTS, &a) < 0)
		return -1;
	struct dlc_value *ops[2] = {n->ninputs ? n->inputs[0] : NULL,
				    n->ninputs > 1 ? n->inputs[1] : NULL};
	if (a && a->n_ints)
		ops[1] = const_ints_attr(im, "split", a);
	static const char *const skip[] = {"split", NULL};
	return onnx_emit(im, n, DLC_OP_SPLIT, ops, ops[1] ? 2 : 1, nout, skip, true) ? 0 : -1;
}

/* Pad before opset 11: 'pads' ('paddings' in opset 1) and the float
 * 'value' are attributes. */
static int import_pad(struct onnx_importer *im, struct onnx_node *n)
{
	if (im->opset >= 11)
		return onnx_generic(im, n, DLC_OP_PAD, NULL);
	const DlcOnnx__AttributeProto *p, *p1, *v;
	if (onnx_typed_attr(im, n, "pads", ATTR_INTS, &p) < 0 ||
	    onnx_typed_attr(im, n, "paddings", ATTR_INTS, &p1) < 0 ||
	    onnx_typed_attr(im, n, "value", ATTR_FLOAT, &v) < 0 || one_input(im, n) < 0)
		return -1;
	if (!p)
		p = p1;
	if (!p)
		return onnx_node_error(im, n, "opset %lld form needs a 'pads' attribute", (long long)im->opset);
	enum dlc_dtype dt = n->inputs[0]->type.dtype;
	struct dlc_value *ops[3] = {n->inputs[0], const_ints_attr(im, "pads", p), NULL};
	if (v && v->f != 0) {
		if (!dlc_dtype_is_float(dt))
			return onnx_node_error(im, n, "a non-zero 'value' needs a float input");
		ops[2] = onnx_const_scalar(im, "pad_value", dt, v->f);
	}
	static const char *const skip[] = {"pads", "paddings", "value", NULL};
	return onnx_emit(im, n, DLC_OP_PAD, ops, ops[2] ? 3 : 2, 1, skip, true) ? 0 : -1;
}

/* ConstantOfShape: the 'value' tensor (one element; default f32 0)
 * becomes operand 1. */
static int import_constant_of_shape(struct onnx_importer *im, struct onnx_node *n)
{
	const DlcOnnx__AttributeProto *a;
	if (onnx_typed_attr(im, n, "value", ATTR_TENSOR, &a) < 0)
		return -1;
	if (n->ninputs != 1 || !n->inputs[0])
		return onnx_node_error(im, n, "expects 1 input, got %d", n->ninputs);
	struct dlc_value *ops[2] = {n->inputs[0], NULL};
	if (a) {
		struct dlc_type t;
		struct dlc_blob *b;
		if (!a->t)
			return onnx_node_error(im, n, "attribute 'value' holds no tensor");
		if (onnx_tensor_to_blob(a->t, im->opts ? im->opts->model_dir : NULL, n->name, im->d, &t,
					&b) < 0)
			return -1;
		if (dlc_type_numel(&t) != 1) {
			dlc_blob_unref(b);
			return onnx_node_error(im, n, "'value' must hold exactly one element");
		}
		t = dlc_type_make(t.dtype, 0, NULL); /* a scalar, whatever its declared rank */
		ops[1] = dlc_graph_add_const(im->g, "constant_of_shape_value", t, b);
	}
	static const char *const skip[] = {"value", NULL};
	return onnx_emit(im, n, DLC_OP_CONSTANT_OF_SHAPE, ops, a ? 2 : 1, 1, skip, true) ? 0 : -1;
}

/* EyeLike: 'dtype' is a TensorProto code; the IR names the element type. */
static int import_eye_like(struct onnx_importer *im, struct onnx_node *n)
{
	const DlcOnnx__AttributeProto *a;
	if (onnx_typed_attr(im, n, "dtype", ATTR_INT, &a) < 0)
		return -1;
	static const char *const skip[] = {"dtype", NULL};
	struct dlc_node *x = onnx_start(im, n, DLC_OP_EYE_LIKE, n->inputs, n->ninputs, 1, skip, true);
	if (x && a) {
		enum dlc_dtype dt = onnx_dtype((int32_t)a->i);
		if (dt == DLC_DTYPE_UNKNOWN) {
			for (int k = 0; k < n->ninputs; k++)
				dlc_node_set_input(x, k, NULL);
			return onnx_node_error(im, n, "'dtype' %s is not supported", onnx_dtype_name((int32_t)a->i));
		}
		dlc_node_set_string(x, "dtype", dlc_dtype_name(dt));
	}
	return onnx_finish(im, n, x) ? 0 : -1;
}

/* Upsample (opsets 7-9; scales an attribute before 9) and Resize before
 * opset 11 (X and scales): the output is floor(input * scale) and an
 * output index maps back to index / scale, with nearest rounding down. */
static int import_upsample(struct onnx_importer *im, struct onnx_node *n)
{
	bool resize = !strcmp(n->proto->op_type, "Resize");
	if (resize && im->opset >= 11) {
		const DlcOnnx__AttributeProto *ctm;
		if (onnx_typed_attr(im, n, "coordinate_transformation_mode", ATTR_STRING, &ctm) < 0)
			return -1;
		if (ctm && ctm->s.len == strlen("tf_half_pixel_for_nn") &&
		    !memcmp(ctm->s.data, "tf_half_pixel_for_nn", ctm->s.len))
			return onnx_node_error(im, n, "'coordinate_transformation_mode' tf_half_pixel_for_nn (opsets 11-12) is not supported");
		return onnx_generic(im, n, DLC_OP_RESIZE, NULL);
	}
	const DlcOnnx__AttributeProto *sc, *mode;
	if (onnx_typed_attr(im, n, "scales", ATTR_FLOATS, &sc) < 0 ||
	    onnx_typed_attr(im, n, "mode", ATTR_STRING, &mode) < 0)
		return -1;
	struct dlc_value *ops[3] = {n->ninputs ? n->inputs[0] : NULL, NULL, NULL};
	if (!ops[0])
		return onnx_node_error(im, n, "expects an input");
	if (n->ninputs >= 2) {
		ops[2] = n->inputs[1];
	} else if (sc) {
		ops[2] = const_f32(im, "upsample_scales", sc->floats, (int64_t)sc->n_floats);
	} else {
		return onnx_node_error(im, n, "opset %lld form needs scales", (long long)im->opset);
	}
	if (n->ninputs > 2)
		return onnx_node_error(im, n, "opset %lld form expects at most 2 inputs, got %d",
				       (long long)im->opset, n->ninputs);
	for (size_t i = 0; i < n->proto->n_attribute; i++) {
		const char *an = n->proto->attribute[i]->name ? n->proto->attribute[i]->name : "";
		if (strcmp(an, "scales") && strcmp(an, "mode"))
			return onnx_node_error(im, n, "attribute '%s' is not supported", an);
	}
	struct dlc_node *x = onnx_start(im, n, DLC_OP_RESIZE, ops, 3, 1, NULL, false);
	if (!x)
		return -1;
	const char *m = "nearest";
	if (mode) {
		if (mode->s.len == 6 && !memcmp(mode->s.data, "linear", 6))
			m = "linear";
		else if (mode->s.len == 8 && !memcmp(mode->s.data, "bilinear", 8))
			m = "linear";
		else if (!(mode->s.len == 7 && !memcmp(mode->s.data, "nearest", 7))) {
			for (int k = 0; k < 3; k++)
				dlc_node_set_input(x, k, NULL);
			return onnx_node_error(im, n, "'mode' is \"%.*s\"; nearest and linear are accepted",
					       (int)(mode->s.len > 64 ? 64 : mode->s.len), (const char *)mode->s.data);
		}
	}
	dlc_node_set_string(x, "mode", m);
	dlc_node_set_string(x, "coordinate_transformation_mode", "asymmetric");
	dlc_node_set_string(x, "nearest_mode", "floor");
	return onnx_finish(im, n, x) ? 0 : -1;
}

/* Scatter (deprecated in opset 11) is ScatterElements without reduction. */
static int import_scatter(struct onnx_importer *im, struct onnx_node *n)
{
	return onnx_generic(im, n, DLC_OP_SCATTER_ELEMENTS, NULL);
}

const struct onnx_adapter onnx_adapters_shape[] = {
	{"Squeeze", import_squeeze},
	{"Unsqueeze", import_squeeze},
	{"Slice", import_slice},
	{"Split", import_split},
	{"Pad", import_pad},
	{"ConstantOfShape", import_constant_of_shape},
	{"EyeLike", import_eye_like},
	{"Upsample", import_upsample},
	{"Resize", import_upsample},
	{"Scatter", import_scatter},
	{NULL, NULL},
};
