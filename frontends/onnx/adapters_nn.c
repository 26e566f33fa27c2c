/* ONNX adapters of convolution, pooling, matrix products and quantization:
 * ops whose ONNX form differs from the IR's. Ops that map one-to-one need
 * no entry.
 *
 * - BatchNormalization: 'spatial' before opset 9 (only 1 exists in the IR);
 *   training_mode = 1 (opsets 14+) computes batch statistics; the training
 *   outputs of opsets before 14 (saved mean/var) are not supported.
 * - QuantizeLinear / DequantizeLinear: 'output_dtype' and 'precision' are
 *   TensorProto codes; the IR names the element type.
 * - GridSample before opset 20 names its modes bilinear and bicubic.
 * - RoiAlign before opset 16 has no coordinate_transformation_mode and
 *   behaves as output_half_pixel.
 * - LpPool and GlobalLpPool of opset 1 take 'p' as a float. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlc/util.h"
#include "frontends/onnx/internal.h"

#define ATTR_INT DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT
#define ATTR_FLOAT DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT
#define ATTR_STRING DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING

/* Drops a node made by onnx_start that will not be placed. */
static void drop(struct dlc_node *x)
{
	for (int k = 0; k < x->ninputs; k++)
		dlc_node_set_input(x, k, NULL);
}

static int import_batch_norm(struct onnx_importer *im, struct onnx_node *n)
{
	const DlcOnnx__AttributeProto *sp, *tm;
	if (onnx_typed_attr(im, n, "spatial", ATTR_INT, &sp) < 0 ||
	    onnx_typed_attr(im, n, "training_mode", ATTR_INT, &tm) < 0)
		return -1;
	if (sp && sp->i != 1)
		return onnx_node_error(im, n, "'spatial' = %lld is not supported (only per-channel statistics are)",
				       (long long)sp->i);
	int nout = onnx_node_outputs(n);
	if (nout > 1 && im->opset < 14)
		return onnx_node_error(im, n, "training mode (%d outputs) is not supported", nout);
	static const char *const skip[] = {"spatial", "is_test", "consumed_inputs", NULL};
	return onnx_emit(im, n, DLC_OP_BATCH_NORM, n->inputs, n->ninputs, nout, skip, true) ? 0 : -1;
}

/* An int attribute holding a TensorProto code, set on x as the IR dtype's
 * name; 0 (the default) leaves it unset. */
static int dtype_attr(struct onnx_importer *im, struct onnx_node *n, struct dlc_node *x,
		      const char *name)
{
	const DlcOnnx__AttributeProto *a;
	if (onnx_typed_attr(im, n, name, ATTR_INT, &a) < 0)
		return -1;
	if (!a || !a->i)
		return 0;
	enum dlc_dtype dt = onnx_dtype((int32_t)a->i);
	if (dt == DLC_DTYPE_UNKNOWN)
		return onnx_node_error(im, n, "'%s' %s is not supported", name,
				       onnx_dtype_name((int32_t)a->i));
	dlc_node_set_string(x, name, dlc_dtype_name(dt));
	return 0;
}

static int import_quantize(struct onnx_importer *im, struct onnx_node *n)
{
	enum dlc_op op = dlc_op_from_onnx(n->proto->op_type);
	static const char *const skip[] = {"output_dtype", "precision", NULL};
	struct dlc_node *x = onnx_start(im, n, op, n->inputs, n->ninputs, onnx_node_outputs(n), skip, true);
	if (!x)
		return -1;
	if (dtype_attr(im, n, x, "output_dtype") < 0 ||
	    (op == DLC_OP_QUANTIZE_LINEAR && dtype_attr(im, n, x, "precision") < 0)) {
		drop(x);
		return -1;
	}
	return onnx_finish(im, n, x) ? 0 : -1;
}

static int import_grid_sample(struct onnx_importer *im, struct onnx_node *n)
{
	const DlcOnnx__AttributeProto *mode;
	if (onnx_typed_attr(im, n, "mode", ATTR_STRING, &mode) < 0)
		return -1;
	static const char *const skip[] = {"mode", NULL};
	struct dlc_node *x = onnx_start(im, n, DLC_OP_GRID_SAMPLE, n->inputs, n->ninputs, 1, skip, true);
	if (!x)
		return -1;
	if (mode) {
		char *s = dlc_xmalloc(mode->s.len + 1);
		if (mode->s.len)
			memcpy(s, mode->s.data, mode->s.len);
		s[mode->s.len] = 0;
		/* opset 16's names */
		const char *v = !strcmp(s, "bilinear") ? "linear" : !strcmp(s, "bicubic") ? "cubic" : s;
		if (strlen(s) != mode->s.len) {
			free(s);
			drop(x);
			return onnx_node_error(im, n, "attribute 'mode' holds a NUL byte");
		}
		dlc_node_set_string(x, "mode", v);
		free(s);
	}
	return onnx_finish(im, n, x) ? 0 : -1;
}

static int import_roi_align(struct onnx_importer *im, struct onnx_node *n)
{
	const DlcOnnx__AttributeProto *ctm;
	if (onnx_typed_attr(im, n, "coordinate_transformation_mode", ATTR_STRING, &ctm) < 0)
		return -1;
	struct dlc_node *x = onnx_start(im, n, DLC_OP_ROI_ALIGN, n->inputs, n->ninputs, 1, NULL, true);
	if (x && !ctm && im->opset < 16)
		dlc_node_set_string(x, "coordinate_transformation_mode", "output_half_pixel");
	return onnx_finish(im, n, x) ? 0 : -1;
}

/* Opset 1 LpPool and GlobalLpPool: p is a float (default 2). */
static int import_lp_pool(struct onnx_importer *im, struct onnx_node *n)
{
	enum dlc_op op = dlc_op_from_onnx(n->proto->op_type);
	const DlcOnnx__AttributeProto *p = onnx_find_attr(n, "p");
	if (!p || onnx_attr_type(p) != ATTR_FLOAT)
		return onnx_generic(im, n, op, NULL);
	if (p->f != floorf(p->f) || p->f < 1 || p->f > 1e6f)
		return onnx_node_error(im, n, "'p' = %g is not supported (a positive integer is)", (double)p->f);
	static const char *const skip[] = {"p", NULL};
	struct dlc_node *x = onnx_start(im, n, op, n->inputs, n->ninputs, 1, skip, true);
	if (x)
		dlc_node_set_int(x, "p", (int64_t)p->f);
	return onnx_finish(im, n, x) ? 0 : -1;
}

const struct onnx_adapter onnx_adapters_nn[] = {
	{"BatchNormalization", import_batch_norm},
	{"QuantizeLinear", import_quantize},
	{"DequantizeLinear", import_quantize},
	{"GridSample", import_grid_sample},
	{"RoiAlign", import_roi_align},
	{"LpPool", import_lp_pool},
	{"GlobalLpPool", import_lp_pool},
	{NULL, NULL},
};
