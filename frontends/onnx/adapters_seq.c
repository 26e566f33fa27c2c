/* ONNX adapters of recurrent, attention, signal and loss ops: ops whose ONNX form
 * differs from the IR's. Ops that map one-to-one need no entry.
 *   DFT before opset 20 takes the axis as an attribute (default 1);
 *   Attention before opset 25 tolerates q_num_heads/kv_num_heads with 4-D
 *   inputs (the heads are then Q's and K's dim 1);
 *   RNN, GRU and LSTM before opset 7 carry 'output_sequence' (Y is an
 *   optional result anyway). */
#include <string.h>

#include "frontends/onnx/internal.h"

static int import_dft(struct onnx_importer *im, struct onnx_node *n)
{
	if (im->opset >= 20)
		return onnx_generic(im, n, DLC_OP_DFT, NULL);
	const DlcOnnx__AttributeProto *a;
	if (onnx_typed_attr(im, n, "axis", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, &a) < 0)
		return -1;
	if (n->ninputs > 2)
		return onnx_node_error(im, n, "expects 1 or 2 inputs at opset %lld, got %d",
				       (long long)im->opset, n->ninputs);
	int64_t axis = a ? a->i : 1;
	struct dlc_value *ops[3] = {n->inputs[0], n->ninputs > 1 ? n->inputs[1] : NULL,
				    onnx_const_i64(im, "dft_axis", &axis, 1)};
	static const char *const skip[] = {"axis", NULL};
	return onnx_emit(im, n, DLC_OP_DFT, ops, 3, 1, skip, true) ? 0 : -1;
}

static int import_attention(struct onnx_importer *im, struct onnx_node *n)
{
	const struct dlc_value *q = n->ninputs > 0 ? n->inputs[0] : NULL;
	if (im->opset >= 25 || !q || q->type.rank != 4)
		return onnx_generic(im, n, DLC_OP_ATTENTION, NULL);
	/* the 4-D heads are in the shapes; attributes that say otherwise are errors */
	static const char *const names[] = {"q_num_heads", "kv_num_heads"};
	for (int i = 0; i < 2; i++) {
		const DlcOnnx__AttributeProto *a;
		if (onnx_typed_attr(im, n, names[i], DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, &a) < 0)
			return -1;
		const struct dlc_value *v = n->ninputs > i ? n->inputs[i] : NULL;
		int64_t heads = v && v->type.rank == 4 ? v->type.dims[1] : -1;
		if (a && heads >= 0 && a->i != heads)
			return onnx_node_error(im, n, "'%s' is %lld, but the 4-D %s has %lld heads", names[i],
					       (long long)a->i, i ? "K" : "Q", (long long)heads);
	}
	static const char *const skip[] = {"q_num_heads", "kv_num_heads", NULL};
	return onnx_generic(im, n, DLC_OP_ATTENTION, skip);
}

static int import_recurrent(struct onnx_importer *im, struct onnx_node *n)
{
	enum dlc_op op = dlc_op_from_onnx(n->proto->op_type);
	static const char *const skip[] = {"output_sequence", NULL};
	return onnx_generic(im, n, op, im->opset < 7 ? skip : NULL);
}

const struct onnx_adapter onnx_adapters_seq[] = {
	{"DFT", import_dft},
	{"Attention", import_attention},
	{"RNN", import_recurrent},
	{"GRU", import_recurrent},
	{"LSTM", import_recurrent},
	{NULL, NULL},
};
