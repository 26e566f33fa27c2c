/* TensorFlow GraphDef -> IR: node names and tensor references, the outputs
 * (given, or the nodes nobody consumes), the subgraph they need in
 * dependency order, graph inputs (Placeholder) and constants (Const). Each
 * other node goes to tf_convert_node (ops.c), after tf_fold (fold.c) had a
 * chance to compute it at import; results are typed at once.
 *
 * A GraphDef lists nodes in any order, refers to tensors as "node" /
 * "node:k" and to control dependencies as "^node"; a frozen graph also
 * keeps nodes no output needs (the NoOp that gathered the variable reads,
 * savers, training branches). Only what the outputs need is imported, so an
 * unsupported op there is no obstacle. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "dlc/util.h"
#include "frontends/pbcheck.h"
#include "frontends/tf/internal.h"

/* ---- tensor references ---- */

struct tf_ref {
	size_t node;       /* index into im->nodes */
	int index;         /* output index */
	bool control;
};

/* Parses "node", "node:k" or "^node"; -1 if it names no node (setup_nodes
 * has checked every input of the graph, so only --outputs can fail). */
static int parse_ref(struct tf_importer *im, const char *s, struct tf_ref *r)
{
	r->control = s[0] == '^';
	const char *name = s + r->control;
	const char *colon = strrchr(name, ':');
	size_t len = strlen(name);
	r->index = 0;
	if (colon && !r->control) {
		const char *p = colon + 1;
		long k = 0;
		bool digits = *p != 0;
		for (; *p && digits; p++) {
			digits = *p >= '0' && *p <= '9';
			k = k * 10 + (*p - '0');
			if (k > INT_MAX / 16)
				digits = false;
		}
		if (digits) {
			r->index = (int)k;
			len = (size_t)(colon - name);
		}
	}
	void *v = len ? dlc_strmap_get(im->byname, name, len) : NULL;
	if (!v)
		return -1;
	r->node = (size_t)v - 1;
	return 0;
}

/* ---- which nodes, in which order ---- */

/* Ops that are never a default output: they compute nothing a caller reads. */
static bool never_output(const char *op)
{
	static const char *const ops[] = {"Const", "NoOp", "Assert", "Placeholder", "PlaceholderWithDefault",
					  "SaveV2", "RestoreV2", "VarHandleOp", "VariableV2", "Variable",
					  "AssignVariableOp", "Assign", "ReadVariableOp", "Print", "PrintV2",
					  "MergeSummary", "ScalarSummary", "HistogramSummary", "ImageSummary",
					  "ControlTrigger", NULL};
	for (const char *const *o = ops; *o; o++)
		if (!strcmp(*o, op))
			return true;
	return false;
}

struct out_ref {
	struct tf_ref ref;
	const char *name;  /* graph output name */
};

static int default_outputs(struct tf_importer *im, struct out_ref **outs, int *nouts)
{
	bool *used = dlc_xcalloc(im->nnodes + 1, 1);
	for (size_t i = 0; i < im->nnodes; i++) {
		const DlcTf__NodeDef *nd = im->nodes[i].def;
		for (size_t k = 0; k < nd->n_input; k++) {
			struct tf_ref r;
			if (nd->input[k][0] == '^')
				continue; /* a control edge consumes nothing */
			if (parse_ref(im, nd->input[k], &r) == 0)
				used[r.node] = true;
		}
	}
	int n = 0;
	for (size_t i = 0; i < im->nnodes; i++)
		if (!used[i] && !never_output(im->nodes[i].op))
			n++;
	*outs = dlc_xcalloc((size_t)n + 1, sizeof **outs);
	*nouts = 0;
	for (size_t i = 0; i < im->nnodes; i++)
		if (!used[i] && !never_output(im->nodes[i].op))
			(*outs)[(*nouts)++] = (struct out_ref){.ref = {.node = i}, .name = im->nodes[i].name};
	free(used);
	if (!n) {
		dlc_error(im->d, "the graph has no outputs (every node is consumed, or a Const, NoOp or Placeholder); name them with --outputs");
		return -1;
	}
	return 0;
}

static int given_outputs(struct tf_importer *im, const struct dlc_tf_import_opts *o,
			 struct out_ref **outs, int *nouts)
{
	*outs = dlc_xcalloc((size_t)o->noutputs + 1, sizeof **outs);
	*nouts = 0;
	for (int i = 0; i < o->noutputs; i++) {
		const char *s = o->outputs[i];
		struct tf_ref r;
		if (!*s || s[0] == '^') {
			dlc_error(im->d, "--outputs: '%s' is not a node name (NAME or NAME:K)", s);
			return -1;
		}
		if (parse_ref(im, s, &r) < 0) {
			dlc_error(im->d, "--outputs: '%s' names no node of the graph", s);
			return -1;
		}
		for (int k = 0; k < *nouts; k++)
			if ((*outs)[k].ref.node == r.node && (*outs)[k].ref.index == r.index) {
				dlc_error(im->d, "--outputs names '%s' twice", s);
				return -1;
			}
		/* "node:0" is output "node", as a default output would be */
		(*outs)[(*nouts)++] = (struct out_ref){.ref = r, .name = r.index ? s : im->nodes[r.node].name};
	}
	return 0;
}

/* Orders the nodes the outputs need (data inputs only: control edges order
 * side effects, which a frozen inference graph has none of), depth first
 * without recursion. Reports cycles. */
static int order_nodes(struct tf_importer *im, const struct out_ref *outs, int nouts,
		       size_t *order, size_t *norder)
{
	size_t *stack = dlc_xcalloc(im->nnodes + 1, sizeof *stack);
	size_t *next = dlc_xcalloc(im->nnodes + 1, sizeof *next); /* next input to visit */
	int rc = 0;
	*norder = 0;
	for (int o = 0; o < nouts && rc == 0; o++) {
		size_t sp = 0;
		if (im->nodes[outs[o].ref.node].state)
			continue;
		stack[sp++] = outs[o].ref.node;
		im->nodes[outs[o].ref.node].state = 1;
		while (sp && rc == 0) {
			size_t i = stack[sp - 1];
			struct tf_node *tn = &im->nodes[i];
			if (next[i] < tn->def->n_input) {
				const char *in = tn->def->input[next[i]++];
				struct tf_ref r;
				if (in[0] == '^' || parse_ref(im, in, &r) < 0)
					continue;
				struct tf_node *dep = &im->nodes[r.node];
				if (dep->state == 1) {
					dlc_error_where(im->d, dep->name,
							"%s: the graph has a cycle through this node (TensorFlow control flow is not supported)",
							dep->op);
					rc = -1;
				} else if (dep->state == 0) {
					dep->state = 1;
					stack[sp++] = r.node;
				}
				continue;
			}
			tn->state = 2;
			tn->needed = true;
			order[(*norder)++] = i;
			sp--;
		}
	}
	free(stack);
	free(next);
	return rc;
}

/* ---- Placeholder and Const ---- */

/* A symbolic dim's name: the dim's own, else "<input>_<i>" made an identifier. */
static int64_t sym_dim(struct tf_importer *im, const char *input, int i, const char *dimname)
{
	struct dlc_strbuf b = {0};
	const char *src = dimname && *dimname ? dimname : input;
	for (const char *p = src; *p; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
			  (c >= '0' && c <= '9' && b.len);
		dlc_sb_putc(&b, ok ? c : '_');
	}
	if (!b.len)
		dlc_sb_putc(&b, 'd');
	if (!(dimname && *dimname))
		dlc_sb_printf(&b, "_%d", i);
	char *s = dlc_sb_take(&b);
	int64_t d = dlc_graph_sym(im->g, s, strlen(s));
	free(s);
	return d;
}

static const DlcTf__AttrValue *node_attr(const struct tf_node *tn, const char *name)
{
	for (size_t i = 0; i < tn->def->n_attr; i++)
		if (tn->def->attr[i]->key && !strcmp(tn->def->attr[i]->key, name))
			return tn->def->attr[i]->value;
	return NULL;
}

static int import_placeholder(struct tf_importer *im, struct tf_node *tn)
{
	const char *name = tn->name;
	const DlcTf__AttrValue *dt = node_attr(tn, "dtype"), *sh = node_attr(tn, "shape");
	if (!dt || dt->value_case != DLC_TF__ATTR_VALUE__VALUE_TYPE) {
		dlc_error_where(im->d, name, "Placeholder: attribute 'dtype' is missing or not a type");
		return -1;
	}
	enum dlc_dtype t = tf_dtype(dt->type);
	if (t == DLC_DTYPE_UNKNOWN) {
		dlc_error_where(im->d, name, "Placeholder: dtype %s is not supported", tf_dtype_name(dt->type));
		return -1;
	}
	/* graphs of TF 1 may carry the shape only as _output_shapes */
	const DlcTf__TensorShapeProto *sp = sh && sh->value_case == DLC_TF__ATTR_VALUE__VALUE_SHAPE ? sh->shape : NULL;
	if (!sp || (sp->has_unknown_rank && sp->unknown_rank)) {
		const DlcTf__AttrValue *os = node_attr(tn, "_output_shapes");
		if (os && os->value_case == DLC_TF__ATTR_VALUE__VALUE_LIST && os->list->n_shape == 1)
			sp = os->list->shape[0];
	}
	if (!sp || (sp->has_unknown_rank && sp->unknown_rank)) {
		dlc_error_where(im->d, name, "Placeholder: the shape is unknown (%s); dlc needs at least the rank",
				sp ? "unknown rank" : "no 'shape' attribute");
		return -1;
	}
	if (sp->n_dim > DLC_MAX_RANK) {
		dlc_error_where(im->d, name, "Placeholder: rank %zu, the maximum is %d", sp->n_dim, DLC_MAX_RANK);
		return -1;
	}
	struct dlc_type ty = dlc_type_make(t, (int)sp->n_dim, NULL);
	for (int i = 0; i < ty.rank; i++) {
		int64_t s = sp->dim[i]->has_size ? sp->dim[i]->size : 0;
		if (s < -1 || s > DLC_MAX_NUMEL) {
			dlc_error_where(im->d, name, "Placeholder: dim %d is %lld; accepted are -1 (unknown) and [0, %lld]",
					i, (long long)s, (long long)DLC_MAX_NUMEL);
			return -1;
		}
		ty.dims[i] = s >= 0 ? s : sym_dim(im, name, i, sp->dim[i]->name);
	}
	if (dlc_type_is_static(&ty) && dlc_type_numel(&ty) < 0) {
		dlc_error_where(im->d, name, "Placeholder: more than %lld elements", (long long)DLC_MAX_NUMEL);
		return -1;
	}
	struct dlc_value *v = dlc_graph_add_input(im->g, name, ty);
	dlc_value_take_name(im->g, v, name);
	tn->out[0].v = v;
	tn->nout = 1;
	return 0;
}

static int import_const(struct tf_importer *im, struct tf_node *tn)
{
	const DlcTf__AttrValue *val = node_attr(tn, "value"), *dt = node_attr(tn, "dtype");
	if (!val || val->value_case != DLC_TF__ATTR_VALUE__VALUE_TENSOR || !val->tensor) {
		dlc_error_where(im->d, tn->name, "Const: attribute 'value' is missing or not a tensor");
		return -1;
	}
	struct dlc_type t;
	struct dlc_blob *b;
	char where[512];
	snprintf(where, sizeof where, "%s", tn->name);
	if (tf_tensor_to_blob(im, val->tensor, where, "Const", &t, &b) < 0)
		return -1;
	if (dt && dt->value_case == DLC_TF__ATTR_VALUE__VALUE_TYPE && tf_dtype(dt->type) != t.dtype) {
		dlc_blob_unref(b);
		dlc_error_where(im->d, tn->name, "Const: attribute 'dtype' %s differs from the tensor's %s",
				tf_dtype_name(dt->type), tf_dtype_name(val->tensor->dtype));
		return -1;
	}
	struct dlc_value *v = tf_add_const(im, tn->name, t, b);
	dlc_value_take_name(im->g, v, tn->name);
	v->blob_name = v->name;
	tn->out[0].v = v;
	tn->nout = 1;
	return 0;
}

/* ---- nodes ---- */

static int import_node(struct tf_importer *im, struct tf_node *tn)
{
	const DlcTf__NodeDef *nd = tn->def;
	struct tf_node_ctx n = {.node = tn, .name = tn->name, .op = tn->op};
	n.in = dlc_xcalloc(nd->n_input + 1, sizeof *n.in);
	int rc = 0;
	for (size_t k = 0; k < nd->n_input && rc == 0; k++) {
		struct tf_ref r;
		if (nd->input[k][0] == '^' || parse_ref(im, nd->input[k], &r) < 0)
			continue;
		struct tf_node *src = &im->nodes[r.node];
		if (r.index >= src->nout || !src->out[r.index].v) {
			if (r.index >= src->nout)
				rc = tf_node_error(im, &n, "input '%s' names output %d of '%s', which has %d output%s",
						   nd->input[k], r.index, src->name, src->nout, src->nout == 1 ? "" : "s");
			else
				rc = tf_node_error(im, &n, "input '%s': output %d of %s '%s' is not computed by dlc",
						   nd->input[k], r.index, src->op, src->name);
			break;
		}
		n.in[n.nin++] = src->out[r.index];
	}
	if (rc == 0)
		rc = tf_check_node(im, &n);
	if (rc == 0) {
		rc = tf_fold(im, &n);
		if (rc == 0)
			rc = tf_convert_node(im, &n);
		else if (rc == 1)
			rc = 0;
	}
	if (rc < 0) {
		free(n.in);
		return -1;
	}
	/* bind the TF tensor names to the results */
	for (int k = 0; k < tn->nout; k++) {
		struct dlc_value *v = tn->out[k].v;
		if (!v || v->kind == DLC_VALUE_INPUT)
			continue;
		/* an alias (Identity) keeps its source's name */
		bool alias = false;
		for (int j = 0; j < n.nin && !alias; j++)
			alias = n.in[j].v == v;
		if (alias)
			continue;
		if (k == 0) {
			dlc_value_take_name(im->g, v, tn->name);
		} else {
			char *s = dlc_xmalloc(strlen(tn->name) + 16);
			sprintf(s, "%s:%d", tn->name, k);
			dlc_value_take_name(im->g, v, s);
			free(s);
		}
		if (v->kind == DLC_VALUE_CONST)
			v->blob_name = v->name;
	}
	free(n.in);
	return 0;
}

static int setup_nodes(struct tf_importer *im)
{
	DlcTf__GraphDef *gd = im->gd;
	im->nnodes = gd->n_node;
	im->nodes = dlc_xcalloc(gd->n_node + 1, sizeof *im->nodes);
	im->byname = dlc_strmap_new();
	for (size_t i = 0; i < gd->n_node; i++) {
		const DlcTf__NodeDef *nd = gd->node[i];
		struct tf_node *tn = &im->nodes[i];
		tn->def = nd;
		tn->name = nd->name ? nd->name : "";
		tn->op = nd->op ? nd->op : "";
		if (!*tn->name) {
			dlc_error(im->d, "node %zu (%s) has no name", i, *tn->op ? tn->op : "no op");
			return -1;
		}
		if (!*tn->op) {
			dlc_error_where(im->d, tn->name, "node has no op");
			return -1;
		}
		if (dlc_strmap_get(im->byname, tn->name, strlen(tn->name))) {
			dlc_error_where(im->d, tn->name, "%s: the name is used by more than one node", tn->op);
			return -1;
		}
		dlc_strmap_put(im->byname, tn->name, strlen(tn->name), (void *)(i + 1));
	}
	/* every reference resolves, control edges included */
	for (size_t i = 0; i < gd->n_node; i++) {
		const DlcTf__NodeDef *nd = gd->node[i];
		for (size_t k = 0; k < nd->n_input; k++) {
			struct tf_ref r;
			const char *in = nd->input[k] ? nd->input[k] : "";
			if (!in[0] || !strcmp(in, "^")) {
				dlc_error_where(im->d, im->nodes[i].name, "%s: input %zu is empty", im->nodes[i].op, k);
				return -1;
			}
			if (parse_ref(im, in, &r) < 0) {
				dlc_error_where(im->d, im->nodes[i].name, "%s: input '%s' names no node of the graph",
						im->nodes[i].op, in);
				return -1;
			}
		}
	}
	return 0;
}

static void free_nodes(struct tf_importer *im)
{
	for (size_t i = 0; i < im->nnodes; i++)
		free(im->nodes[i].out);
	free(im->nodes);
	dlc_strmap_free(im->byname);
}

static int import_graph(struct tf_importer *im, const struct dlc_tf_import_opts *o)
{
	struct out_ref *outs = NULL;
	int nouts = 0, rc = -1;
	size_t *order = NULL, norder = 0;
	if (setup_nodes(im) < 0)
		goto out;
	if ((o && o->noutputs ? given_outputs(im, o, &outs, &nouts) : default_outputs(im, &outs, &nouts)) < 0)
		goto out;
	order = dlc_xcalloc(im->nnodes + 1, sizeof *order);
	if (order_nodes(im, outs, nouts, order, &norder) < 0)
		goto out;
	/* graph inputs in GraphDef order, then everything in dependency order */
	for (size_t i = 0; i < im->nnodes; i++) {
		struct tf_node *tn = &im->nodes[i];
		tn->out = dlc_xcalloc(1, sizeof *tn->out);
		if (tn->needed && !strcmp(tn->op, "Placeholder") && import_placeholder(im, tn) < 0)
			goto out;
	}
	for (size_t k = 0; k < norder; k++) {
		struct tf_node *tn = &im->nodes[order[k]];
		if (!strcmp(tn->op, "Placeholder"))
			continue;
		if (!strcmp(tn->op, "Const") ? import_const(im, tn) < 0 : import_node(im, tn) < 0)
			goto out;
	}
	for (int k = 0; k < nouts; k++) {
		struct tf_node *tn = &im->nodes[outs[k].ref.node];
		int idx = outs[k].ref.index;
		if (idx >= tn->nout || !tn->out[idx].v) {
			if (idx >= tn->nout)
				dlc_error_where(im->d, tn->name, "%s: output %d is requested, but the node has %d output%s",
						tn->op, idx, tn->nout, tn->nout == 1 ? "" : "s");
			else
				dlc_error_where(im->d, tn->name, "%s: output %d is requested, but dlc does not compute it",
						tn->op, idx);
			goto out;
		}
		dlc_graph_add_output(im->g, tn->out[idx].v, outs[k].name);
	}
	rc = 0;
out:
	free(order);
	free(outs);
	return rc;
}

struct dlc_graph *dlc_tf_import(const void *data, size_t len, const struct dlc_tf_import_opts *o,
				struct dlc_diag *d)
{
	/* bound nesting and memory before protobuf-c sees the bytes */
	char why[128];
	if (pb_check(&dlc_tf__graph_def__descriptor, data, len, DLC_PB_MAX_DEPTH, why, sizeof why) < 0) {
		dlc_error(d, "not a valid TensorFlow GraphDef: %s", why);
		return NULL;
	}
	size_t limit = o && o->max_bytes ? o->max_bytes : pb_default_budget(len);
	struct pb_budget budget;
	pb_budget_init(&budget, limit);
	DlcTf__GraphDef *gd = dlc_tf__graph_def__unpack(&budget.allocator, len, data);
	if (!gd) {
		if (budget.exhausted)
			dlc_error(d, "the model needs more than %zu bytes of memory to read (the limit for a %zu-byte file)",
				  budget.budget, len);
		else
			dlc_error(d, "not a valid TensorFlow GraphDef (truncated or corrupt protobuf)");
		return NULL;
	}
	struct tf_importer im = {.d = d, .gd = gd, .g = dlc_graph_new("graphdef"),
				 .budget = limit > budget.used ? limit - budget.used : 0};
	int rc = import_graph(&im, o);
	free_nodes(&im);
	dlc_tf__graph_def__free_unpacked(gd, &budget.allocator);
	if (rc < 0) {
		dlc_graph_free(im.g);
		return NULL;
	}
	return im.g;
}
