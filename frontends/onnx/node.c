/* ONNX nodes -> IR nodes. Most ops map one-to-one through the op table's
 * ONNX column, with their attributes checked against the op's schema; the
 * building blocks here (onnx_start/onnx_finish/onnx_emit, attribute and
 * constant helpers) serve the adapters in adapters_*.c, which rewrite what
 * older opsets (or legacy attributes) express differently into the IR's
 * newest-opset semantics. */
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

const DlcOnnx__AttributeProto *onnx_find_attr(const struct onnx_node *n, const char *name)
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
int onnx_typed_attr(struct onnx_importer *im, const struct onnx_node *n, const char *name,
		      int type, const DlcOnnx__AttributeProto **a)
{
	*a = onnx_find_attr(n, name);
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
struct dlc_node *onnx_start(struct onnx_importer *im, const struct onnx_node *n, enum dlc_op op,
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
struct dlc_node *onnx_finish(struct onnx_importer *im, const struct onnx_node *n,
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

struct dlc_node *onnx_emit(struct onnx_importer *im, const struct onnx_node *n, enum dlc_op op,
			     struct dlc_value **in, int nin, int nout, const char *const *skip,
			     bool copy_attrs)
{
	return onnx_finish(im, n, onnx_start(im, n, op, in, nin, nout, skip, copy_attrs));
}

int onnx_node_outputs(const struct onnx_node *n)
{
	int k = (int)n->proto->n_output;
	while (k > 1 && !*n->proto->output[k - 1])
		k--;
	return k;
}

int onnx_generic(struct onnx_importer *im, struct onnx_node *n, enum dlc_op op,
		   const char *const *skip)
{
	return onnx_emit(im, n, op, n->inputs, n->ninputs, onnx_node_outputs(n), skip, true) ? 0 : -1;
}

struct dlc_value *onnx_const_i64(struct onnx_importer *im, const char *name,
				   const int64_t *v, int64_t count)
{
	struct dlc_blob *b = dlc_blob_new((size_t)count * 8);
	if (count)
		memcpy(b->data, v, (size_t)count * 8);
	return dlc_graph_add_const(im->g, name, dlc_type_make(DLC_I64, 1, &count), b);
}

struct dlc_value *onnx_const_scalar(struct onnx_importer *im, const char *name,
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
const char *const onnx_legacy_noops[] = {"consumed_inputs", "is_test", NULL};

/* ---- dispatch ---- */

/* Every family's adapters: ONNX ops whose form differs from the IR's (older
 * opsets, attributes that became operands, one node made of several). */
static const struct onnx_adapter *const adapter_tables[] = {
	onnx_adapters_core,
	onnx_adapters_elemwise,
	onnx_adapters_reduce,
	onnx_adapters_shape,
	onnx_adapters_nn,
	onnx_adapters_seq,
};

int onnx_import_node(struct onnx_importer *im, struct onnx_node *n)
{
	const char *t = n->proto->op_type;
	for (size_t k = 0; k < sizeof adapter_tables / sizeof *adapter_tables; k++)
		for (const struct onnx_adapter *a = adapter_tables[k]; a->op_type; a++)
			if (!strcmp(a->op_type, t))
				return a->import(im, n);
	enum dlc_op op = dlc_op_from_onnx(t);
	if (op == DLC_OP_INVALID)
		return onnx_node_error(im, n, "op '%s' is not supported (opset %lld)", t,
				       (long long)im->opset);
	return onnx_generic(im, n, op, onnx_legacy_noops);
}
