/* ONNX ModelProto -> IR: opsets, graph inputs and outputs, initializers,
 * Constant nodes, value names, and node order. Each node is handed to
 * frontends/onnx/ops.c, which maps it through the op table, and its results
 * are typed right away (shape functions run at import), so that opset
 * adaptations can look at operand shapes and errors name the node at fault. */
#include <stdlib.h>
#include <string.h>

#include "dlc/build.h"
#include "dlc/util.h"
#include "frontends/onnx/internal.h"
#include "frontends/pbcheck.h"

static const char *str_or(const char *s, const char *def)
{
	return s && *s ? s : def;
}

/* A node's name in messages and IR comments: its own, else
 * "<OpType>_<index>", so that unnamed nodes stay distinguishable. */
static const char *node_name(const DlcOnnx__NodeProto *np, size_t i, char *buf, size_t size)
{
	if (np->name && *np->name)
		return np->name;
	snprintf(buf, size, "%s_%zu", str_or(np->op_type, "node"), i);
	return buf;
}

int onnx_node_error(struct onnx_importer *im, const struct onnx_node *n,
		    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n->proto->op_type && *n->proto->op_type)
		dlc_error_where(im->d, n->name, "%s: %s", n->proto->op_type, msg);
	else
		dlc_error_where(im->d, n->name, "%s", msg);
	return -1;
}

/* ---- types of graph inputs and outputs ---- */

static int value_info_type(struct onnx_importer *im, const DlcOnnx__ValueInfoProto *vi,
			   const char *what, struct dlc_type *t)
{
	const char *name = str_or(vi->name, "?");
	*t = dlc_type_unknown();
	const DlcOnnx__TypeProto *tp = vi->type;
	if (!tp || tp->value_case == DLC_ONNX__TYPE_PROTO__VALUE__NOT_SET)
		return 0; /* untyped: shape inference fills it in (outputs) */
	if (tp->value_case != DLC_ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE) {
		dlc_error(im->d, "graph %s '%s' is not a tensor (sequence, map, optional and sparse types are not supported)",
			  what, name);
		return -1;
	}
	const DlcOnnx__TypeProto__Tensor *tt = tp->tensor_type;
	int32_t et = tt->has_elem_type ? tt->elem_type : 0;
	t->dtype = onnx_dtype(et);
	if (t->dtype == DLC_DTYPE_UNKNOWN) {
		dlc_error(im->d, "graph %s '%s' has element type %s (%d), which dlc does not support",
			  what, name, onnx_dtype_name(et), (int)et);
		return -1;
	}
	if (!tt->shape)
		return 0; /* rank unknown */
	if (tt->shape->n_dim > DLC_MAX_RANK) {
		dlc_error(im->d, "graph %s '%s' has rank %zu, the maximum is %d", what, name,
			  tt->shape->n_dim, DLC_MAX_RANK);
		return -1;
	}
	t->rank = (int)tt->shape->n_dim;
	for (int i = 0; i < t->rank; i++) {
		const DlcOnnx__TensorShapeProto__Dimension *dm = tt->shape->dim[i];
		if (dm->value_case == DLC_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
			if (dm->dim_value < 0 || dm->dim_value > DLC_MAX_NUMEL) {
				dlc_error(im->d, "graph %s '%s' has dim %d = %lld, accepted range is [0, %lld]",
					  what, name, i, (long long)dm->dim_value, (long long)DLC_MAX_NUMEL);
				return -1;
			}
			t->dims[i] = dm->dim_value;
		} else if (dm->value_case == DLC_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM &&
			   dm->dim_param && *dm->dim_param) {
			t->dims[i] = dlc_graph_sym(im->g, dm->dim_param, strlen(dm->dim_param));
		} else {
			t->dims[i] = DLC_DIM_UNKNOWN;
		}
	}
	/* each dim is in range, their product need not be */
	if (dlc_type_is_static(t) && dlc_type_numel(t) < 0) {
		dlc_error(im->d, "graph %s '%s' has more than %lld elements", what, name,
			  (long long)DLC_MAX_NUMEL);
		return -1;
	}
	return 0;
}

/* ---- names ---- */

/* ONNX names in scope: a subgraph (a Scan or If body) sees its own names
 * first, then its parents'. Its values get IR names under a prefix
 * ("Scan_3/t2/sum") since a body is imported once per use. */
struct scope {
	struct dlc_strmap *values; /* ONNX name -> dlc_value */
	struct scope *parent;
	const char *prefix;        /* NULL at the top level */
};

static struct dlc_value *lookup(struct scope *s, const char *name)
{
	for (; s; s = s->parent) {
		struct dlc_value *v = dlc_strmap_get(s->values, name, strlen(name));
		if (v)
			return v;
	}
	return NULL;
}

static void bind(struct onnx_importer *im, struct scope *s, const char *name,
		 struct dlc_value *v)
{
	if (s->prefix) {
		char *full = dlc_xmalloc(strlen(s->prefix) + strlen(name) + 2);
		sprintf(full, "%s/%s", s->prefix, name);
		if (!dlc_graph_find(im->g, full))
			dlc_value_rename(im->g, v, full);
		free(full);
	} else {
		dlc_value_take_name(im->g, v, name);
	}
	dlc_strmap_put(s->values, name, strlen(name), v);
}

static int import_initializers(struct onnx_importer *im, struct scope *s,
			       DlcOnnx__GraphProto *gp)
{
	if (gp->n_sparse_initializer) {
		dlc_error(im->d, "sparse initializers are not supported");
		return -1;
	}
	for (size_t i = 0; i < gp->n_initializer; i++) {
		DlcOnnx__TensorProto *tp = gp->initializer[i];
		const char *name = tp->name;
		if (!name || !*name) {
			dlc_error(im->d, "initializer %zu has no name", i);
			return -1;
		}
		if (lookup(s, name)) {
			dlc_error(im->d, "initializer '%s' is defined twice", name);
			return -1;
		}
		struct dlc_type t;
		struct dlc_blob *b;
		if (onnx_tensor_to_blob(tp, im->opts ? im->opts->model_dir : NULL, name, im->d, &t, &b) < 0)
			return -1;
		bind(im, s, name, dlc_graph_add_const(im->g, name, t, b));
	}
	return 0;
}

/* Inputs that are also initializers (required before IR version 4) are
 * constants: dlc compiles a fixed model, so defaults are not overridable. */
static int import_inputs(struct onnx_importer *im, struct scope *s, DlcOnnx__GraphProto *gp)
{
	for (size_t i = 0; i < gp->n_input; i++) {
		const DlcOnnx__ValueInfoProto *vi = gp->input[i];
		const char *name = vi->name;
		if (!name || !*name) {
			dlc_error(im->d, "graph input %zu has no name", i);
			return -1;
		}
		struct dlc_value *init = lookup(s, name);
		if (init && init->kind == DLC_VALUE_CONST)
			continue;
		if (init) {
			dlc_error(im->d, "graph input '%s' is listed twice", name);
			return -1;
		}
		struct dlc_type t;
		if (value_info_type(im, vi, "input", &t) < 0)
			return -1;
		if (t.dtype == DLC_DTYPE_UNKNOWN) {
			dlc_error(im->d, "graph input '%s' has no type", name);
			return -1;
		}
		if (t.rank < 0) { /* dims may be symbolic, but the rank must be known */
			dlc_error(im->d, "graph input '%s' has no shape; dlc needs at least its rank", name);
			return -1;
		}
		bind(im, s, name, dlc_graph_add_input(im->g, name, t));
	}
	return 0;
}

/* ---- Constant nodes ---- */

/* The Constant attributes dlc reads, and the type each must have: the value
 * is read from the field of that type, which is empty in another type. */
static const struct {
	const char *name;
	int type;
} constant_attrs[] = {
	{"value", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR},
	{"value_float", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT},
	{"value_floats", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS},
	{"value_int", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT},
	{"value_ints", DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS},
};

static int check_constant_attr(struct onnx_importer *im, struct onnx_node *n,
			       const DlcOnnx__AttributeProto *a, const char *an)
{
	size_t k = 0, count = sizeof constant_attrs / sizeof *constant_attrs;
	while (k < count && strcmp(an, constant_attrs[k].name))
		k++;
	if (k == count)
		return onnx_node_error(im, n, "attribute '%s' is not supported (tensor, float(s) and int(s) values are)", an);
	int want = constant_attrs[k].type, got = onnx_attr_type(a);
	/* an empty list carries no type evidence in old models: accept it */
	bool empty_list = got == DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED &&
			  (want == DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS ||
			   want == DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
	if (got != want && !empty_list)
		return onnx_node_error(im, n, "attribute '%s' is %s, expected %s", an,
				       onnx_attr_type_name(got), onnx_attr_type_name(want));
	if (want == DLC_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR && !a->t)
		return onnx_node_error(im, n, "attribute '%s' holds no tensor", an);
	return 0;
}

static int import_constant(struct onnx_importer *im, struct scope *s, struct onnx_node *n)
{
	const DlcOnnx__NodeProto *np = n->proto;
	if (np->n_attribute != 1 || np->n_output != 1)
		return onnx_node_error(im, n, "expects exactly one attribute and one output");
	DlcOnnx__AttributeProto *a = np->attribute[0];
	const char *an = str_or(a->name, "?");
	if (check_constant_attr(im, n, a, an) < 0)
		return -1;
	struct dlc_type t;
	struct dlc_blob *b = NULL;
	if (!strcmp(an, "value")) {
		if (onnx_tensor_to_blob(a->t, im->opts ? im->opts->model_dir : NULL, n->name, im->d, &t, &b) < 0)
			return -1;
	} else if (!strcmp(an, "value_float") || !strcmp(an, "value_int")) {
		bool f = an[6] == 'f';
		t = dlc_type_make(f ? DLC_F32 : DLC_I64, 0, NULL);
		b = dlc_blob_new(f ? 4 : 8);
		if (f)
			*(float *)b->data = a->f;
		else
			*(int64_t *)b->data = a->i;
	} else { /* value_floats, value_ints */
		bool f = an[6] == 'f';
		int64_t count = (int64_t)(f ? a->n_floats : a->n_ints);
		t = dlc_type_make(f ? DLC_F32 : DLC_I64, 1, &count);
		b = dlc_blob_new((size_t)count * (f ? 4 : 8));
		if (count)
			memcpy(b->data, f ? (void *)a->floats : (void *)a->ints, (size_t)count * (f ? 4 : 8));
	}
	const char *out = str_or(np->output[0], NULL);
	if (!out) {
		dlc_blob_unref(b);
		return onnx_node_error(im, n, "has no output name");
	}
	bind(im, s, out, dlc_graph_add_const(im->g, out, t, b));
	return 0;
}

/* ---- nodes ---- */

/* Orders nodes so every operand is defined first (exporters mostly do, the
 * spec requires it, but dlc need not insist). Reports undefined names,
 * duplicate definitions and cycles. */
static int order_nodes(struct onnx_importer *im, struct scope *s, DlcOnnx__GraphProto *gp,
		       size_t *order)
{
	size_t n = gp->n_node, done = 0;
	struct dlc_strmap *producer = dlc_strmap_new(); /* output name -> node index + 1 */
	struct dlc_strmap *ready = dlc_strmap_new();    /* names available so far */
	unsigned char *emitted = dlc_xcalloc(n ? n : 1, 1);
	char buf[96];
	int rc = -1;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < gp->node[i]->n_output; k++) {
			const char *o = gp->node[i]->output[k];
			if (!o || !*o)
				continue;
			if (lookup(s, o) || dlc_strmap_get(producer, o, strlen(o))) {
				dlc_error_where(im->d, node_name(gp->node[i], i, buf, sizeof buf),
						"value '%s' is defined more than once", o);
				goto out;
			}
			dlc_strmap_put(producer, o, strlen(o), (void *)(i + 1));
		}
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < gp->node[i]->n_input; k++) {
			const char *in = gp->node[i]->input[k];
			if (in && *in && !lookup(s, in) && !dlc_strmap_get(producer, in, strlen(in))) {
				dlc_error_where(im->d, node_name(gp->node[i], i, buf, sizeof buf),
						"%s: input '%s' is not defined (not a graph input, an initializer or a node output)",
						str_or(gp->node[i]->op_type, "?"), in);
				goto out;
			}
		}
	while (done < n) {
		size_t before = done;
		for (size_t i = 0; i < n; i++) {
			if (emitted[i])
				continue;
			const DlcOnnx__NodeProto *np = gp->node[i];
			bool ok = true;
			for (size_t k = 0; k < np->n_input && ok; k++) {
				const char *in = np->input[k];
				ok = !in || !*in || lookup(s, in) || dlc_strmap_get(ready, in, strlen(in));
			}
			if (!ok)
				continue;
			emitted[i] = 1;
			order[done++] = i;
			for (size_t k = 0; k < np->n_output; k++)
				if (np->output[k] && *np->output[k])
					dlc_strmap_put(ready, np->output[k], strlen(np->output[k]), (void *)1);
		}
		if (done == before) {
			for (size_t i = 0; i < n; i++)
				if (!emitted[i]) {
					dlc_error_where(im->d, node_name(gp->node[i], i, buf, sizeof buf),
							"the graph has a cycle through this node");
					break;
				}
			goto out;
		}
	}
	rc = 0;
out:
	free(emitted);
	dlc_strmap_free(producer);
	dlc_strmap_free(ready);
	return rc;
}

/* Folds the nodes just made that compute constants (shape arithmetic,
 * Shape of a static tensor ...), so that the nodes imported next see
 * constant shapes; the ONNX names then refer to the constants. */
static void fold_new_nodes(struct onnx_importer *im, struct scope *s, struct dlc_node *from,
			   const DlcOnnx__NodeProto *np)
{
	/* a folded result's constant takes its IR name: remember the names */
	char **ir = dlc_xcalloc(np->n_output + 1, sizeof *ir);
	for (size_t j = 0; j < np->n_output; j++) {
		const char *o = str_or(np->output[j], NULL);
		struct dlc_value *v = o ? dlc_strmap_get(s->values, o, strlen(o)) : NULL;
		ir[j] = v ? dlc_xstrdup(v->name) : NULL;
	}
	for (struct dlc_node *n = from, *next; n; n = next) {
		next = n->next;
		dlc_fold_node(im->g, n);
	}
	for (size_t j = 0; j < np->n_output; j++) {
		struct dlc_value *v = ir[j] ? dlc_graph_find(im->g, ir[j]) : NULL;
		if (v && v->kind == DLC_VALUE_CONST)
			dlc_strmap_put(s->values, np->output[j], strlen(np->output[j]), v);
		free(ir[j]);
	}
	free(ir);
}

static int import_nodes(struct onnx_importer *im, struct scope *s, DlcOnnx__GraphProto *gp);

/* ---- control flow: subgraphs are inlined ---- */

/* Imports body graph gp in a scope below s whose inputs are bound to in[]
 * (nin values); out[] receives its n_output results. */
static int import_body(struct onnx_importer *im, struct scope *s, const struct onnx_node *n,
		       DlcOnnx__GraphProto *gp, struct dlc_value **in, int nin, const char *prefix,
		       struct dlc_value **out)
{
	if ((int)gp->n_input != nin)
		return onnx_node_error(im, n, "its body takes %zu inputs, the node provides %d",
				       gp->n_input, nin);
	struct scope child = {.values = dlc_strmap_new(), .parent = s, .prefix = prefix};
	int rc = 0;
	for (int i = 0; i < nin; i++) /* bound without renaming the outer values */
		dlc_strmap_put(child.values, str_or(gp->input[i]->name, ""),
			       strlen(str_or(gp->input[i]->name, "")), in[i]);
	rc = import_initializers(im, &child, gp);
	if (rc == 0)
		rc = import_nodes(im, &child, gp);
	for (size_t k = 0; rc == 0 && k < gp->n_output; k++) {
		out[k] = lookup(&child, str_or(gp->output[k]->name, ""));
		if (!out[k])
			rc = onnx_node_error(im, n, "its body's output '%s' is not computed",
					     str_or(gp->output[k]->name, "?"));
	}
	dlc_strmap_free(child.values);
	return rc;
}

/* A node of op over in[], appended and typed; NULL after reporting. */
static struct dlc_value *build(struct onnx_importer *im, enum dlc_op op, const char *name,
			       struct dlc_value **in, int nin, const char *attr, int64_t v)
{
	struct dlc_node *x = dlc_node_new(im->g, op, name, nin, in, 1);
	if (attr)
		dlc_node_set_int(x, attr, v);
	return dlc_node_place(im->g, NULL, x, im->d) < 0 ? NULL : x->outputs[0];
}

static const DlcOnnx__AttributeProto *graph_attr(const struct onnx_node *n, const char *name)
{
	const DlcOnnx__AttributeProto *a = onnx_find_attr(n, name);
	return a && a->g ? a : NULL;
}

/* An ints attribute's value i, or def when absent or short. */
static int64_t ints_at(const struct onnx_node *n, const char *name, size_t i, int64_t def)
{
	const DlcOnnx__AttributeProto *a = onnx_find_attr(n, name);
	return a && i < a->n_ints ? a->ints[i] : def;
}

/* Scan (opset 9+) with a static sequence length: the body is imported once
 * per step — state values threaded through, scan inputs sliced with gather,
 * scan outputs stacked with unsqueeze + concat. */
static int import_scan(struct onnx_importer *im, struct scope *s, struct onnx_node *n)
{
	const DlcOnnx__NodeProto *np = n->proto;
	const DlcOnnx__AttributeProto *body = graph_attr(n, "body"), *m = onnx_find_attr(n, "num_scan_inputs");
	if (im->opset < 9)
		return onnx_node_error(im, n, "the opset %lld form (batched, with sequence_lens) is not supported",
				       (long long)im->opset);
	if (!body || !m)
		return onnx_node_error(im, n, "attributes 'body' and 'num_scan_inputs' are required");
	int nsc = (int)m->i, nst = n->ninputs - nsc, nout = (int)np->n_output - nst;
	if (nsc < 1 || nst < 0 || nout < 0)
		return onnx_node_error(im, n, "'num_scan_inputs' is %lld for %d inputs", (long long)m->i, n->ninputs);
	int64_t steps = -1, axis[64];
	if (nsc > 64)
		return onnx_node_error(im, n, "more than 64 scan inputs");
	for (int j = 0; j < nsc; j++) {
		const struct dlc_value *x = n->inputs[nst + j];
		if (!x || !dlc_type_is_static(&x->type))
			return onnx_node_error(im, n, "scan input %d needs a static shape to be unrolled", j);
		axis[j] = ints_at(n, "scan_input_axes", (size_t)j, 0);
		if (axis[j] < 0)
			axis[j] += x->type.rank;
		if (axis[j] < 0 || axis[j] >= x->type.rank)
			return onnx_node_error(im, n, "scan input axis %lld is outside rank %d",
					       (long long)ints_at(n, "scan_input_axes", (size_t)j, 0), x->type.rank);
		if (steps >= 0 && x->type.dims[axis[j]] != steps)
			return onnx_node_error(im, n, "scan inputs differ in length");
		steps = x->type.dims[axis[j]];
	}
	if (steps < 1 || steps * (int64_t)(body->g->n_node + 4) > 200000)
		return onnx_node_error(im, n, "a scan of %lld steps cannot be unrolled", (long long)steps);
	struct dlc_value **state = dlc_xcalloc((size_t)(n->ninputs + 1), sizeof *state);
	struct dlc_value **bin = dlc_xcalloc((size_t)(n->ninputs + 1), sizeof *bin);
	struct dlc_value **bout = dlc_xcalloc(body->g->n_output + 1, sizeof *bout);
	struct dlc_value **elems = dlc_xcalloc((size_t)(nout * steps + 1), sizeof *elems);
	int rc = 0;
	for (int i = 0; i < nst; i++)
		state[i] = n->inputs[i];
	char prefix[160];
	for (int64_t t = 0; rc == 0 && t < steps; t++) {
		for (int j = 0; j < nsc && rc == 0; j++) {
			int64_t at = ints_at(n, "scan_input_directions", (size_t)j, 0) ? steps - 1 - t : t;
			struct dlc_value *ops[2] = {n->inputs[nst + j],
						    dlc_const_copy(im->g, "scan_index", dlc_type_make(DLC_I64, 0, NULL), &at)};
			bin[nst + j] = build(im, DLC_OP_GATHER, n->name, ops, 2, "axis", axis[j]);
			rc = bin[nst + j] ? 0 : -1;
		}
		for (int i = 0; i < nst; i++)
			bin[i] = state[i];
		snprintf(prefix, sizeof prefix, "%s/t%lld", n->name, (long long)t);
		if (rc == 0)
			rc = import_body(im, s, n, body->g, bin, nst + nsc, prefix, bout);
		if (rc == 0 && (int)body->g->n_output != nst + nout)
			rc = onnx_node_error(im, n, "its body has %zu outputs, expected %d", body->g->n_output,
					     nst + nout);
		for (int i = 0; rc == 0 && i < nst; i++)
			state[i] = bout[i];
		for (int k = 0; rc == 0 && k < nout; k++)
			elems[k * steps + t] = bout[nst + k];
	}
	for (int i = 0; rc == 0 && i < nst; i++)
		if (*str_or(np->output[i], ""))
			bind(im, s, np->output[i], state[i]);
	/* each scan output: the steps' elements stacked along its axis */
	struct dlc_value **parts = dlc_xcalloc((size_t)steps + 1, sizeof *parts);
	for (int k = 0; rc == 0 && k < nout; k++) {
		int rank = elems[k * steps]->type.rank;
		int64_t ax = ints_at(n, "scan_output_axes", (size_t)k, 0), one;
		ax = ax < 0 ? ax + rank + 1 : ax;
		bool rev = ints_at(n, "scan_output_directions", (size_t)k, 0);
		one = ax;
		for (int64_t p = 0; rc == 0 && p < steps; p++) {
			struct dlc_value *ops[2] = {elems[k * steps + (rev ? steps - 1 - p : p)],
						    onnx_const_i64(im, "scan_axis", &one, 1)};
			parts[p] = build(im, DLC_OP_UNSQUEEZE, n->name, ops, 2, NULL, 0);
			rc = parts[p] ? 0 : -1;
		}
		struct dlc_value *y = rc ? NULL : build(im, DLC_OP_CONCAT, n->name, parts, (int)steps, "axis", ax);
		if (!y)
			rc = -1;
		else if (*str_or(np->output[nst + k], ""))
			bind(im, s, np->output[nst + k], y);
	}
	free(parts);
	free(state);
	free(bin);
	free(bout);
	free(elems);
	return rc;
}

/* If: with a constant condition only the taken branch is imported; with a
 * condition known only at run time both are, and where() picks each
 * result, which needs both branches to produce the same types. */
static int import_if(struct onnx_importer *im, struct scope *s, struct onnx_node *n)
{
	const DlcOnnx__NodeProto *np = n->proto;
	const DlcOnnx__AttributeProto *th = graph_attr(n, "then_branch"), *el = graph_attr(n, "else_branch");
	struct dlc_value *cond = n->ninputs == 1 ? n->inputs[0] : NULL;
	if (!th || !el || !cond)
		return onnx_node_error(im, n, "needs a condition and 'then_branch' and 'else_branch' graphs");
	if (cond->type.dtype != DLC_BOOL || dlc_type_numel(&cond->type) != 1)
		return onnx_node_error(im, n, "the condition must be one bool");
	size_t nout = np->n_output;
	if (th->g->n_output != nout || el->g->n_output != nout)
		return onnx_node_error(im, n, "its branches must have %zu outputs", nout);
	struct dlc_value **a = dlc_xcalloc(nout + 1, sizeof *a), **b = dlc_xcalloc(nout + 1, sizeof *b);
	char prefix[160];
	int rc = 0;
	bool known = dlc_is_const(cond), taken = known && dlc_const_element(cond, 0) != 0;
	snprintf(prefix, sizeof prefix, "%s/then", n->name);
	if (!known || taken)
		rc = import_body(im, s, n, th->g, NULL, 0, prefix, a);
	snprintf(prefix, sizeof prefix, "%s/else", n->name);
	if (rc == 0 && (!known || !taken))
		rc = import_body(im, s, n, el->g, NULL, 0, prefix, b);
	for (size_t k = 0; rc == 0 && k < nout; k++) {
		struct dlc_value *y = known ? (taken ? a[k] : b[k]) : NULL;
		if (!known) {
			if (!dlc_type_equal(&a[k]->type, &b[k]->type)) {
				char t1[DLC_TYPE_STR_MAX], t2[DLC_TYPE_STR_MAX];
				rc = onnx_node_error(im, n, "output %zu is %s in one branch and %s in the other; a condition known only at run time needs both the same",
						     k, dlc_type_str(im->g, &a[k]->type, t1, sizeof t1),
						     dlc_type_str(im->g, &b[k]->type, t2, sizeof t2));
				break;
			}
			struct dlc_value *ops[3] = {cond, a[k], b[k]};
			y = build(im, DLC_OP_WHERE, n->name, ops, 3, NULL, 0);
			rc = y ? 0 : -1;
		}
		if (rc == 0 && *str_or(np->output[k], ""))
			bind(im, s, np->output[k], y);
	}
	free(a);
	free(b);
	return rc;
}

static int import_nodes(struct onnx_importer *im, struct scope *s, DlcOnnx__GraphProto *gp)
{
	size_t *order = dlc_xcalloc(gp->n_node ? gp->n_node : 1, sizeof *order);
	int rc = order_nodes(im, s, gp, order);
	for (size_t k = 0; rc == 0 && k < gp->n_node; k++) {
		size_t i = order[k];
		const DlcOnnx__NodeProto *np = gp->node[i];
		char buf[96];
		struct onnx_node n = {.proto = np, .name = node_name(np, i, buf, sizeof buf)};
		const char *domain = str_or(np->domain, "");
		if (!np->op_type || !*np->op_type) {
			rc = onnx_node_error(im, &n, "node has no op_type");
			break;
		}
		if (*domain && strcmp(domain, "ai.onnx")) {
			rc = onnx_node_error(im, &n, "op domain '%s' is not supported (only the default ONNX domain is)",
					     domain);
			break;
		}
		if (im->opset < 0) { /* checked here so other domains are named first */
			dlc_error(im->d, "the model imports no version of the default ONNX opset");
			rc = -1;
			break;
		}
		if (!strcmp(np->op_type, "Constant")) {
			rc = import_constant(im, s, &n);
			continue;
		}
		/* operands, with trailing absent ones dropped */
		int nin = (int)np->n_input;
		while (nin > 0 && !*str_or(np->input[nin - 1], ""))
			nin--;
		n.inputs = dlc_xcalloc((size_t)(nin ? nin : 1), sizeof *n.inputs);
		n.ninputs = nin;
		for (int j = 0; j < nin; j++)
			n.inputs[j] = *str_or(np->input[j], "") ? lookup(s, np->input[j]) : NULL;
		if (!strcmp(np->op_type, "Scan") || !strcmp(np->op_type, "If")) {
			rc = np->op_type[0] == 'S' ? import_scan(im, s, &n) : import_if(im, s, &n);
			free(n.inputs);
			continue;
		}
		struct dlc_node *last = im->g->last;
		rc = onnx_import_node(im, &n);
		free(n.inputs);
		if (rc < 0)
			break;
		/* bind the ONNX output names to the results of the new node(s) */
		struct dlc_node *made = im->g->last;
		if (made == last) {
			rc = onnx_node_error(im, &n, "internal: importer made no node");
			break;
		}
		for (size_t j = 0; j < np->n_output; j++) {
			const char *o = str_or(np->output[j], NULL);
			if (!o)
				continue;
			if ((int)j >= made->noutputs || !made->outputs[j]) {
				rc = onnx_node_error(im, &n, "output %zu ('%s') is not supported", j, o);
				break;
			}
			bind(im, s, o, made->outputs[j]);
		}
		if (rc == 0)
			fold_new_nodes(im, s, last ? last->next : im->g->first, np);
	}
	free(order);
	return rc;
}

/* A declared output type conflicts with the computed one when the dtype, the
 * rank or a dim that both give as a number differ; symbolic and unknown dims
 * match anything (exporters name batch dims that a model may fix). */
static bool type_conflicts(const struct dlc_type *declared, const struct dlc_type *got)
{
	if (declared->dtype != got->dtype || declared->rank != got->rank)
		return true;
	for (int i = 0; i < got->rank; i++)
		if (declared->dims[i] >= 0 && got->dims[i] >= 0 && declared->dims[i] != got->dims[i])
			return true;
	return false;
}

static int import_outputs(struct onnx_importer *im, struct scope *s, DlcOnnx__GraphProto *gp)
{
	if (!gp->n_output) {
		dlc_error(im->d, "the graph has no outputs");
		return -1;
	}
	for (size_t i = 0; i < gp->n_output; i++) {
		const DlcOnnx__ValueInfoProto *vi = gp->output[i];
		const char *name = str_or(vi->name, NULL);
		struct dlc_value *v = name ? lookup(s, name) : NULL;
		for (size_t j = 0; name && j < i; j++)
			if (!strcmp(str_or(gp->output[j]->name, ""), name)) {
				dlc_error(im->d, "graph output '%s' is listed twice", name);
				return -1;
			}
		if (!v) {
			dlc_error(im->d, "graph output '%s' is not produced by any node, input or initializer",
				  str_or(name, "?"));
			return -1;
		}
		struct dlc_type declared;
		if (value_info_type(im, vi, "output", &declared) < 0)
			return -1;
		/* a declared type the value lacks is kept; shape-infer checks it */
		if (!dlc_type_is_known(&v->type) && declared.dtype != DLC_DTYPE_UNKNOWN)
			v->type = declared;
		else if (dlc_type_is_known(&v->type) && dlc_type_is_known(&declared) &&
			 type_conflicts(&declared, &v->type)) {
			char a[DLC_TYPE_STR_MAX], b[DLC_TYPE_STR_MAX];
			dlc_error(im->d, "graph output '%s' is declared %s, but computes %s", name,
				  dlc_type_str(im->g, &declared, a, sizeof a),
				  dlc_type_str(im->g, &v->type, b, sizeof b));
			return -1;
		}
		dlc_graph_add_output(im->g, v, name);
	}
	return 0;
}

static int find_opset(struct onnx_importer *im)
{
	DlcOnnx__ModelProto *m = im->model;
	im->opset = -1;
	for (size_t i = 0; i < m->n_opset_import; i++) {
		const char *dom = str_or(m->opset_import[i]->domain, "");
		if (!*dom || !strcmp(dom, "ai.onnx"))
			im->opset = m->opset_import[i]->version;
	}
	if (im->opset < 0) {
		/* IR version 1-2 models predate opset_import: they are opset 1 */
		if (m->has_ir_version && m->ir_version <= 2) {
			im->opset = 1;
			return 0;
		}
		return 0; /* an error only if a default-domain node shows up */
	}
	if (im->opset < 1 || im->opset > 1000) {
		dlc_error(im->d, "the model imports ONNX opset %lld, which does not exist",
			  (long long)im->opset);
		return -1;
	}
	return 0;
}

struct dlc_graph *dlc_onnx_import(const void *data, size_t len,
				  const struct dlc_import_opts *o,
				  struct dlc_diag *d)
{
	/* bound nesting and memory before protobuf-c sees the bytes */
	char why[128];
	if (pb_check(&dlc_onnx__model_proto__descriptor, data, len, DLC_PB_MAX_DEPTH, why,
		     sizeof why) < 0) {
		dlc_error(d, "not a valid ONNX model: %s", why);
		return NULL;
	}
	struct pb_budget budget;
	pb_budget_init(&budget, o && o->max_bytes ? o->max_bytes : pb_default_budget(len));
	DlcOnnx__ModelProto *m = dlc_onnx__model_proto__unpack(&budget.allocator, len, data);
	if (!m) {
		if (budget.exhausted)
			dlc_error(d, "the model needs more than %zu bytes of memory to read (the limit for a %zu-byte file)",
				  budget.budget, len);
		else
			dlc_error(d, "not a valid ONNX model (truncated or corrupt protobuf)");
		return NULL;
	}
	struct onnx_importer im = {.d = d, .opts = o, .model = m};
	struct scope s = {.values = dlc_strmap_new()};
	int rc = -1;
	if (!m->graph) {
		dlc_error(d, "the model has no graph");
		goto out;
	}
	if (find_opset(&im) < 0)
		goto out;
	im.g = dlc_graph_new(str_or(m->graph->name, "model"));
	if (import_initializers(&im, &s, m->graph) < 0 || import_inputs(&im, &s, m->graph) < 0 ||
	    import_nodes(&im, &s, m->graph) < 0 || import_outputs(&im, &s, m->graph) < 0)
		goto out;
	rc = 0;
out:
	dlc_strmap_free(s.values);
	dlc_onnx__model_proto__free_unpacked(m, &budget.allocator);
	if (rc < 0) {
		dlc_graph_free(im.g);
		return NULL;
	}
	return im.g;
}
