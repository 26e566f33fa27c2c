/* ONNX adapters of elementwise math, logic, comparison and casts: ops whose ONNX form
 * differs from the IR's. Ops that map one-to-one need no entry.
 *
 * - Cast: ONNX names the target by TensorProto data type (a string such as
 *   "FLOAT" before opset 6); the IR's `to` is the element type's name.
 * - CastLike becomes a Cast to the second operand's element type (that
 *   operand contributes nothing else).
 * - The comparisons, the logical ops and Pow before opset 7 broadcast only
 *   with broadcast=1, aligning B at `axis`. */
#include <string.h>

#include "frontends/onnx/internal.h"

/* The IR element type of an ONNX data type, or an error naming what is
 * missing. */
static int cast_target(struct onnx_importer *im, const struct onnx_node *n, int32_t odt,
		       enum dlc_dtype *out)
{
	*out = onnx_dtype(odt);
	if (*out != DLC_DTYPE_UNKNOWN)
		return 0;
	if (!strcmp(onnx_dtype_name(odt), "UNKNOWN") || odt == 0)
		return onnx_node_error(im, n, "'to' is %d, which is not a data type", (int)odt);
	if (odt == DLC_ONNX__TENSOR_PROTO__DATA_TYPE__STRING)
		return onnx_node_error(im, n, "conversion to STRING is not supported: dlc has no string tensors");
	return onnx_node_error(im, n, "conversion to %s (%d) is not supported: dlc has no such element type",
			       onnx_dtype_name(odt), (int)odt);
}

/* Cast(x) or CastLike(x, like) with target t: saturate and round_mode
 * carry over. */
static int emit_cast(struct onnx_importer *im, struct onnx_node *n, enum dlc_dtype t)
{
	if (n->inputs[0] && n->inputs[0]->type.dtype == DLC_DTYPE_UNKNOWN)
		return onnx_node_error(im, n, "operand 0 has no known element type");
	static const char *const skip[] = {"to", NULL};
	struct dlc_node *x = onnx_start(im, n, DLC_OP_CAST, n->inputs, 1, 1, skip, true);
	if (x)
		dlc_node_set_string(x, "to", dlc_dtype_name(t));
	return onnx_finish(im, n, x) ? 0 : -1;
}

static int import_cast(struct onnx_importer *im, struct onnx_node *n)
{
	if (n->ninputs != 1 || !n->inputs[0])
		return onnx_node_error(im, n, "expects 1 input, got %d", n->ninputs);
	const DlcOnnx__AttributeProto *to = onnx_find_attr(n, "to");
	if (!to)
		return onnx_node_error(im, n, "attribute 'to' is required");
	int32_t odt;
	int at = onnx_attr_type(to);
	if (at == DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT) {
		odt = (int32_t)to->i;
		if ((int64_t)odt != to->i)
			return onnx_node_error(im, n, "'to' is %lld, which is not a data type", (long long)to->i);
	} else if (at == DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING) {
		/* before opset 6: the data type's name */
		for (odt = 1; strcmp(onnx_dtype_name(odt), "UNKNOWN"); odt++)
			if (strlen(onnx_dtype_name(odt)) == to->s.len &&
			    !memcmp(onnx_dtype_name(odt), to->s.data, to->s.len))
				break;
		if (!strcmp(onnx_dtype_name(odt), "UNKNOWN"))
			return onnx_node_error(im, n, "'to' is \"%.*s\", which is not a data type",
					       (int)to->s.len, (const char *)to->s.data);
	} else {
		return onnx_node_error(im, n, "attribute 'to' is %s, expected int", onnx_attr_type_name(at));
	}
	enum dlc_dtype t;
	if (cast_target(im, n, odt, &t) < 0)
		return -1;
	return emit_cast(im, n, t);
}

static int import_cast_like(struct onnx_importer *im, struct onnx_node *n)
{
	if (n->ninputs != 2 || !n->inputs[0] || !n->inputs[1])
		return onnx_node_error(im, n, "expects 2 inputs, got %d", n->ninputs);
	enum dlc_dtype t = n->inputs[1]->type.dtype;
	if (t == DLC_DTYPE_UNKNOWN)
		return onnx_node_error(im, n, "the element type of operand 1 ('target_type') is not known");
	n->ninputs = 1;
	return emit_cast(im, n, t);
}

/* Before opset 7 (Pow, the comparisons, And/Or/Xor): broadcast=1 with
 * `axis` aligns B's dims at A's dim axis; numpy's suffix alignment is the
 * case axis = rank(A) - rank(B), the only one the IR expresses. */
static int import_legacy_binary(struct onnx_importer *im, struct onnx_node *n)
{
	enum dlc_op op = dlc_op_from_onnx(n->proto->op_type);
	if (im->opset >= 7)
		return onnx_generic(im, n, op, NULL);
	const DlcOnnx__AttributeProto *bc, *ax;
	if (onnx_typed_attr(im, n, "broadcast", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, &bc) < 0 ||
	    onnx_typed_attr(im, n, "axis", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, &ax) < 0)
		return -1;
	if (n->ninputs == 2 && n->inputs[0] && n->inputs[1]) {
		const struct dlc_type *a = &n->inputs[0]->type, *b = &n->inputs[1]->type;
		bool same = dlc_type_is_known(a) && dlc_type_is_known(b) && a->rank == b->rank &&
			    !memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->rank);
		if ((!bc || !bc->i) && !same && dlc_type_is_known(a) && dlc_type_is_known(b))
			return onnx_node_error(im, n, "operands of different shapes need broadcast=1 in opset %lld",
					       (long long)im->opset);
		int64_t want = a->rank - b->rank;
		if (bc && bc->i && ax && ax->i != want && ax->i != want - a->rank)
			return onnx_node_error(im, n, "legacy broadcast at axis %lld is not supported",
					       (long long)ax->i);
	}
	static const char *const skip[] = {"broadcast", "axis", "consumed_inputs", NULL};
	return onnx_emit(im, n, op, n->inputs, n->ninputs, 1, skip, true) ? 0 : -1;
}

const struct onnx_adapter onnx_adapters_elemwise[] = {
	{"Cast", import_cast},
	{"CastLike", import_cast_like},
	{"Pow", import_legacy_binary},
	{"Equal", import_legacy_binary},
	{"Greater", import_legacy_binary},
	{"Less", import_legacy_binary},
	{"And", import_legacy_binary},
	{"Or", import_legacy_binary},
	{"Xor", import_legacy_binary},
	{NULL, NULL},
};
