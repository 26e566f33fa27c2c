/* ONNX nodes -> IR nodes. Most ops map one-to-one through the op table's
 * ONNX column, with their attributes checked against the op's schema. The
 * adapters below rewrite what older opsets (or legacy attributes) express
 * differently into the IR's newest-opset semantics. */
#include <stdlib.h>
#include <string.h>

#include "dlc/util.h"
#include "frontends/onnx/internal.h"

/* ---- attributes ---- */

/* The attribute's kind; IR version 1 models carry no type field. */
int onnx_attr_type(const DlcOnnx__AttributeProto *a)
{
	if (a->has_type)
		return a->type;
	if (a->n_floats) return DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS;
	if (a->n_ints) return DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
	if (a->n_strings) return DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS;
	if (a->has_f) return DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
	if (a->has_i) return DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
	if (a->has_s) return DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
	if (a->t) return DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR;
	if (a->g) return DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH;
	return DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED;
}

const char *onnx_attr_type_name(int t)
{
	static const char *names[] = {"undefined", "float", "int", "string", "tensor",
				      "graph", "floats", "ints", "strings", "tensors",
				      "graphs", "sparse tensor", "sparse tensors",
				      "type", "types"};
	return t >= 0 && t < (int)(sizeof names / sizeof *names) ? names[t] : "unknown";
}

static const DlcOnnx__AttributeProto *find_attr(const struct onnx_node *n, const char *name)
{
	for (size_t i = 0; i < n->proto->n_attribute; i++) {
		const DlcOnnx__AttributeProto *a = n->proto->attribute[i];
		if (a->name && !strcmp(a->name, name))
			return a;
	}
	return NULL;
}

/* An attribute an adapter reads itself, so copy_attr never checks it: *a
 * is NULL when absent, and an error when present with another type (its
 * value would be read from the wrong field, silently 0). */
static int typed_attr(struct onnx_importer *im, const struct onnx_node *n, const char *name,
		      int type, const DlcOnnx__AttributeProto **a)
{
	*a = find_attr(n, name);
	int t = *a ? onnx_attr_type(*a) : type;
	if (t == type || (t == DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED &&
			  (type == DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS ||
			   type == DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS)))
		return 0;
	return onnx_node_error(im, n, "attribute '%s' is %s, expected %s", name,
			       onnx_attr_type_name(t), onnx_attr_type_name(type));
}

/* Copies one ONNX attribute onto node x, checking it against the schema. */
static int copy_attr(struct onnx_importer *im, const struct onnx_node *n, struct dlc_node *x,
		     const DlcOnnx__AttributeProto *a)
{
	const char *name = a->name ? a->name : "";
	const struct dlc_attr_spec *spec = dlc_op_attr_spec(x->op, name);
	if (!spec)
		return onnx_node_error(im, n, "attribute '%s' is not supported", name);
	int t = onnx_attr_type(a);
	static const int want[] = {
		[DLC_ATTR_INT] = DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT,
		[DLC_ATTR_FLOAT] = DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT,
		[DLC_ATTR_STRING] = DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING,
		[DLC_ATTR_INTS] = DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS,
		[DLC_ATTR_FLOATS] = DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS,
		[DLC_ATTR_STRINGS] = DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS,
	};
	/* an empty list carries no type evidence in old models: accept it */
	if (t != want[spec->kind] &&
	    !(t == DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED && spec->kind >= DLC_ATTR_INTS))
		return onnx_node_error(im, n, "attribute '%s' is %s, expected %s", name,
				       onnx_attr_type_name(t),
				       dlc_attr_kind_name((enum dlc_attr_kind)spec->kind));
	if (a->n_ints > (1u << 20) || a->n_floats > (1u << 20) || a->n_strings > (1u << 20))
		return onnx_node_error(im, n, "attribute '%s' has too many values", name);
	switch (spec->kind) {
	case DLC_ATTR_INT: dlc_node_set_int(x, name, a->i); break;
	case DLC_ATTR_FLOAT: dlc_node_set_float(x, name, a->f); break;
	case DLC_ATTR_STRING: {
		char *s = dlc_xmalloc(a->s.len + 1);
		if (a->s.len)
			memcpy(s, a->s.data, a->s.len);
		s[a->s.len] = 0;
		if (strlen(s) != a->s.len) {
			free(s);
			return onnx_node_error(im, n, "attribute '%s' holds a NUL byte", name);
		}
		dlc_node_set_string(x, name, s);
		free(s);
		break;
	}
	case DLC_ATTR_INTS: dlc_node_set_ints(x, name, (int)a->n_ints, a->ints); break;
	case DLC_ATTR_FLOATS: dlc_node_set_floats(x, name, (int)a->n_floats, a->floats); break;
	case DLC_ATTR_STRINGS: {
		const char **v = dlc_xcalloc(a->n_strings + 1, sizeof *v);
		char **own = dlc_xcalloc(a->n_strings + 1, sizeof *own);
		for (size_t i = 0; i < a->n_strings; i++) {
			own[i] = dlc_xmalloc(a->strings[i].len + 1);
			if (a->strings[i].len)
				memcpy(own[i], a->strings[i].data, a->strings[i].len);
			own[i][a->strings[i].len] = 0;
			v[i] = own[i];
		}
		dlc_node_set_strings(x, name, (int)a->n_strings, v);
		for (size_t i = 0; i < a->n_strings; i++)
			free(own[i]);
		free(own);
		free(v);
		break;
	}
	}
	return 0;
}

/* ---- building IR nodes ---- */

/* A node of op `op` over the given operands, not yet placed. `skip` lists
 * ONNX attributes an adapter consumes itself (NULL-terminated). */
static struct dlc_node *start(struct onnx_importer *im, const struct onnx_node *n, enum dlc_op op,
			      struct dlc_value **in, int nin, int nout, const char *const *skip,
			      bool copy_attrs)
{
	const struct dlc_op_info *info = dlc_op_info(op);
	if (nin < info->min_inputs || nin > info->max_inputs) {
		if (info->min_inputs == info->max_inputs)
			onnx_node_error(im, n, "expects %d input%s, got %d", info->min_inputs,
					info->min_inputs == 1 ? "" : "s", nin);
		else
			onnx_node_error(im, n, "expects %d to %d inputs, got %d", info->min_inputs,
					info->max_inputs, nin);
		return NULL;
	}
	for (int i = 0; i < info->min_inputs && i < nin; i++)
		if (!in[i]) {
			onnx_node_error(im, n, "required input %d is empty", i);
			return NULL;
		}
	if (nout < info->min_outputs || nout > info->max_outputs) {
		if (info->min_outputs == info->max_outputs)
			onnx_node_error(im, n, "has %d outputs, dlc supports %d", nout,
					info->min_outputs);
		else
			onnx_node_error(im, n, "has %d outputs, dlc supports %d to %d", nout,
					info->min_outputs, info->max_outputs);
		return NULL;
	}
	struct dlc_node *x = dlc_node_new(im->g, op, n->name, nin, in, nout);
	for (size_t i = 0; copy_attrs && i < n->proto->n_attribute; i++) {
		const DlcOnnx__AttributeProto *a = n->proto->attribute[i];
		bool skipped = false;
		for (const char *const *s = skip; s && *s && !skipped; s++)
			skipped = a->name && !strcmp(a->name, *s);
		if (!skipped && copy_attr(im, n, x, a) < 0) {
			for (int k = 0; k < nin; k++)
				dlc_node_set_input(x, k, NULL); /* detach: x is dropped */
			return NULL;
		}
	}
	return x;
}

/* Places x after the nodes so far and types its results. */
static struct dlc_node *finish(struct onnx_importer *im, const struct onnx_node *n,
			       struct dlc_node *x)
{
	if (!x)
		return NULL;
	dlc_node_append(im->g, x);
	/* optional results the model leaves unnamed are absent */
	for (int i = dlc_op_info(x->op)->min_outputs; i < x->noutputs; i++)
		if (i < (int)n->proto->n_output && !*n->proto->output[i])
			dlc_node_clear_output(im->g, x, i);
	struct dlc_type out[8], *o = x->noutputs <= 8 ? out : dlc_xcalloc((size_t)x->noutputs, sizeof *o);
	int rc = dlc_infer_node(im->g, x, o, im->d);
	for (int i = 0; rc == 0 && i < x->noutputs; i++)
		if (x->outputs[i])
			x->outputs[i]->type = o[i];
	if (o != out)
		free(o);
	return rc == 0 ? x : NULL;
}

static struct dlc_node *emit(struct onnx_importer *im, const struct onnx_node *n, enum dlc_op op,
			     struct dlc_value **in, int nin, int nout, const char *const *skip,
			     bool copy_attrs)
{
	return finish(im, n, start(im, n, op, in, nin, nout, skip, copy_attrs));
}

static int node_outputs(const struct onnx_node *n)
{
	int k = (int)n->proto->n_output;
	while (k > 1 && !*n->proto->output[k - 1])
		k--;
	return k;
}

static int generic(struct onnx_importer *im, struct onnx_node *n, enum dlc_op op,
		   const char *const *skip)
{
	return emit(im, n, op, n->inputs, n->ninputs, node_outputs(n), skip, true) ? 0 : -1;
}

static struct dlc_value *const_i64(struct onnx_importer *im, const char *name,
				   const int64_t *v, int64_t count)
{
	struct dlc_blob *b = dlc_blob_new((size_t)count * 8);
	if (count)
		memcpy(b->data, v, (size_t)count * 8);
	return dlc_graph_add_const(im->g, name, dlc_type_make(DLC_I64, 1, &count), b);
}

static struct dlc_value *const_scalar(struct onnx_importer *im, const char *name,
				      enum dlc_dtype dt, double v)
{
	struct dlc_blob *b = dlc_blob_new(dlc_dtype_size(dt));
	if (dt == DLC_F32)
		*(float *)b->data = (float)v;
	else if (dt == DLC_F64)
		*(double *)b->data = v;
	else if (dt == DLC_F16)
		*(uint16_t *)b->data = dlc_f32_to_f16((float)v);
	else if (dt == DLC_BF16)
		*(uint16_t *)b->data = dlc_f32_to_bf16((float)v);
	return dlc_graph_add_const(im->g, name, dlc_type_make(dt, 0, NULL), b);
}

/* Attributes with no effect on inference that old opsets carry. */
static const char *const legacy_noops[] = {"consumed_inputs", "is_test", NULL};

/* ---- adapters ---- */

/* Softmax before opset 13 flattens to 2-D at `axis` (default 1). */
static int import_softmax(struct onnx_importer *im, struct onnx_node *n)
{
	if (im->opset >= 13 || n->ninputs != 1 || !n->inputs[0])
		return generic(im, n, DLC_OP_SOFTMAX, NULL);
	const struct dlc_type *t = &n->inputs[0]->type;
	const DlcOnnx__AttributeProto *a;
	if (typed_attr(im, n, "axis", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, &a) < 0)
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
		struct dlc_node *x = start(im, n, DLC_OP_SOFTMAX, n->inputs, 1, 1, skip, true);
		if (x)
			dlc_node_set_int(x, "axis", -1);
		return finish(im, n, x) ? 0 : -1;
	}
	if (!dlc_type_is_static(t))
		return onnx_node_error(im, n, "opset %lld form over axis %lld needs a static input shape",
				       (long long)im->opset, (long long)axis);
	struct dlc_node *f = start(im, n, DLC_OP_FLATTEN, n->inputs, 1, 1, NULL, false);
	dlc_node_set_int(f, "axis", axis);
	if (!finish(im, n, f))
		return -1;
	struct dlc_node *s = start(im, n, DLC_OP_SOFTMAX, &f->outputs[0], 1, 1, skip, true);
	if (s)
		dlc_node_set_int(s, "axis", 1);
	if (!finish(im, n, s))
		return -1;
	struct dlc_value *ops[2] = {s->outputs[0], const_i64(im, "softmax_shape", t->dims, t->rank)};
	return emit(im, n, DLC_OP_RESHAPE, ops, 2, 1, NULL, false) ? 0 : -1;
}

/* Clip before opset 11 takes min and max as attributes. */
static int import_clip(struct onnx_importer *im, struct onnx_node *n)
{
	if (im->opset >= 11)
		return generic(im, n, DLC_OP_CLIP, NULL);
	if (n->ninputs != 1 || !n->inputs[0])
		return onnx_node_error(im, n, "expects 1 input, got %d", n->ninputs);
	enum dlc_dtype dt = n->inputs[0]->type.dtype;
	if (!dlc_dtype_is_float(dt))
		return onnx_node_error(im, n, "opset %lld form needs a float input", (long long)im->opset);
	const DlcOnnx__AttributeProto *lo, *hi;
	if (typed_attr(im, n, "min", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT, &lo) < 0 ||
	    typed_attr(im, n, "max", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT, &hi) < 0)
		return -1;
	for (size_t i = 0; i < n->proto->n_attribute; i++) {
		const char *an = n->proto->attribute[i]->name ? n->proto->attribute[i]->name : "";
		if (strcmp(an, "min") && strcmp(an, "max") && strcmp(an, "consumed_inputs"))
			return onnx_node_error(im, n, "attribute '%s' is not supported", an);
	}
	struct dlc_value *ops[3] = {n->inputs[0], lo ? const_scalar(im, "clip_min", dt, lo->f) : NULL,
				    hi ? const_scalar(im, "clip_max", dt, hi->f) : NULL};
	return emit(im, n, DLC_OP_CLIP, ops, hi ? 3 : lo ? 2 : 1, 1, NULL, false) ? 0 : -1;
}

/* Reshape before opset 5 takes the shape as an attribute. */
static int import_reshape(struct onnx_importer *im, struct onnx_node *n)
{
	if (im->opset >= 5)
		return generic(im, n, DLC_OP_RESHAPE, NULL);
	const DlcOnnx__AttributeProto *a;
	if (typed_attr(im, n, "shape", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS, &a) < 0)
		return -1;
	if (!a || n->ninputs != 1)
		return onnx_node_error(im, n, "opset %lld form needs one input and a 'shape' attribute",
				       (long long)im->opset);
	if (a->n_ints > DLC_MAX_RANK)
		return onnx_node_error(im, n, "'shape' has %zu values, the maximum rank is %d",
				       a->n_ints, DLC_MAX_RANK);
	struct dlc_value *ops[2] = {n->inputs[0], const_i64(im, "reshape_shape", a->ints, (int64_t)a->n_ints)};
	static const char *const skip[] = {"shape", "consumed_inputs", NULL};
	return emit(im, n, DLC_OP_RESHAPE, ops, 2, 1, skip, true) ? 0 : -1;
}

/* Dropout before opset 12 carries ratio (and is_test) as attributes; in
 * inference it is the identity either way. */
static int import_dropout(struct onnx_importer *im, struct onnx_node *n)
{
	if (im->opset >= 12)
		return generic(im, n, DLC_OP_DROPOUT, NULL);
	static const char *const skip[] = {"ratio", "is_test", "consumed_inputs", NULL};
	int nout = node_outputs(n);
	struct dlc_node *x = emit(im, n, DLC_OP_DROPOUT, n->inputs, n->ninputs, nout, skip, true);
	return x ? 0 : -1;
}

/* BatchNormalization: opsets before 9 carry 'spatial' (only 1, the
 * per-channel form, exists in the IR); more than one output means training. */
static int import_batch_norm(struct onnx_importer *im, struct onnx_node *n)
{
	const DlcOnnx__AttributeProto *sp, *tm;
	if (typed_attr(im, n, "spatial", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, &sp) < 0 ||
	    typed_attr(im, n, "training_mode", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, &tm) < 0)
		return -1;
	if (sp && sp->i != 1)
		return onnx_node_error(im, n, "'spatial' = %lld is not supported (only per-channel statistics are)",
				       (long long)sp->i);
	int nout = node_outputs(n);
	if (nout > 1 && im->opset < 14)
		return onnx_node_error(im, n, "training mode (%d outputs) is not supported", nout);
	if (tm && tm->i)
		return onnx_node_error(im, n, "'training_mode' = 1 is not supported; export the model in eval mode");
	static const char *const skip[] = {"spatial", "is_test", "consumed_inputs", NULL};
	return emit(im, n, DLC_OP_BATCH_NORM, n->inputs, n->ninputs, nout, skip, true) ? 0 : -1;
}

/* Concat before opset 4 defaults axis to 1. */
static int import_concat(struct onnx_importer *im, struct onnx_node *n)
{
	struct dlc_node *x = start(im, n, DLC_OP_CONCAT, n->inputs, n->ninputs, 1, NULL, true);
	if (x && im->opset < 4 && !find_attr(n, "axis"))
		dlc_node_set_int(x, "axis", 1);
	return finish(im, n, x) ? 0 : -1;
}

/* Binary ops before opset 7 broadcast only with broadcast=1, aligning B at
 * `axis`; that matches numpy's suffix alignment when axis = rank(A)-rank(B). */
static int import_binary(struct onnx_importer *im, struct onnx_node *n, enum dlc_op op)
{
	if (im->opset >= 7)
		return generic(im, n, op, NULL);
	const DlcOnnx__AttributeProto *bc, *ax;
	if (typed_attr(im, n, "broadcast", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, &bc) < 0 ||
	    typed_attr(im, n, "axis", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, &ax) < 0)
		return -1;
	if (bc && bc->i && ax && n->ninputs == 2 && n->inputs[0] && n->inputs[1]) {
		int64_t want = n->inputs[0]->type.rank - n->inputs[1]->type.rank;
		if (ax->i != want && ax->i != want - n->inputs[0]->type.rank)
			return onnx_node_error(im, n, "legacy broadcast at axis %lld is not supported",
					       (long long)ax->i);
	}
	static const char *const skip[] = {"broadcast", "axis", "consumed_inputs", NULL};
	return emit(im, n, op, n->inputs, n->ninputs, 1, skip, true) ? 0 : -1;
}

/* Gemm before opset 7 has a 'broadcast' attribute; C broadcasts anyway. */
static int import_gemm(struct onnx_importer *im, struct onnx_node *n)
{
	static const char *const skip[] = {"broadcast", NULL};
	return generic(im, n, DLC_OP_GEMM, skip);
}

int onnx_import_node(struct onnx_importer *im, struct onnx_node *n)
{
	const char *t = n->proto->op_type;
	if (!strcmp(t, "Softmax")) return import_softmax(im, n);
	if (!strcmp(t, "Clip")) return import_clip(im, n);
	if (!strcmp(t, "Reshape")) return import_reshape(im, n);
	if (!strcmp(t, "Dropout")) return import_dropout(im, n);
	if (!strcmp(t, "BatchNormalization")) return import_batch_norm(im, n);
	if (!strcmp(t, "Concat")) return import_concat(im, n);
	if (!strcmp(t, "Gemm")) return import_gemm(im, n);
	enum dlc_op op = dlc_op_from_onnx(t);
	if (op == DLC_OP_INVALID)
		return onnx_node_error(im, n, "op '%s' is not supported (opset %lld)", t,
				       (long long)im->opset);
	if (op == DLC_OP_ADD || op == DLC_OP_SUB || op == DLC_OP_MUL || op == DLC_OP_DIV)
		return import_binary(im, n, op);
	return generic(im, n, op, legacy_noops);
}
