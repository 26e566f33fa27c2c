/* The compilation pipeline shared by dlc and dlc-run: binds input shapes,
 * runs the -O level's passes, plans memory, and hands the graph to a
 * target. */
#include <stdlib.h>
#include <string.h>

#include "dlc/codegen.h"
#include "dlc/compiler.h"
#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/pass.h"
#include "dlc/util.h"

int dlc_compile(struct dlc_graph *g, const struct dlc_compile_opts *o, struct dlc_diag *d)
{
	struct dlc_pass_manager pm = {
		.ctx = {.diag = d, .opt_level = o->opt_level},
		.print_before = o->print_before,
		.print_after = o->print_after,
		.verify_each = o->verify_each,
		.dump = stderr,
	};
	const struct dlc_target *t = o->target ? o->target : &dlc_target_c;
	pm.ctx.fusable = t->fusable;
	pm.ctx.scratch_bytes = t->scratch_bytes;
	pm.ctx.kernels = &o->kernels;
	if (dlc_bind_input_shapes(g, o->input_shapes, o->ninput_shapes, o->codegen, d) < 0)
		return -1;
	if (dlc_run_pipeline(&pm, g, dlc_pipeline_for_level(o->opt_level)) < 0)
		return -1;
	/* code generation always needs a memory plan */
	return o->codegen ? dlc_run_pipeline(&pm, g, "memplan") : 0;
}

int dlc_bind_input_shapes(struct dlc_graph *g, const char *const *specs, int nspecs,
			  bool require_static, struct dlc_diag *d)
{
	for (int i = 0; i < nspecs; i++) {
		const char *eq = strrchr(specs[i], '=');
		if (!eq || eq == specs[i]) {
			dlc_error(d, "--input-shape '%s' is not NAME=D1,D2,...", specs[i]);
			return -1;
		}
		char *name = dlc_xmalloc((size_t)(eq - specs[i]) + 1);
		memcpy(name, specs[i], (size_t)(eq - specs[i]));
		name[eq - specs[i]] = 0;
		struct dlc_value *v = NULL;
		for (int k = 0; k < g->ninputs; k++)
			if (!strcmp(g->inputs[k]->name, name))
				v = g->inputs[k];
		if (!v) {
			dlc_error(d, "--input-shape names '%s', which is not a graph input", name);
			free(name);
			return -1;
		}
		free(name);
		int64_t dims[DLC_MAX_RANK];
		int rank = 0;
		for (const char *p = eq + 1; *p;) {
			char *end;
			long long x = strtoll(p, &end, 10);
			if (end == p || x < 0 || x > DLC_MAX_NUMEL || rank == DLC_MAX_RANK ||
			    (*end && *end != ',')) {
				dlc_error(d, "--input-shape '%s': dims must be non-negative integers separated by commas (at most %d)",
					  specs[i], DLC_MAX_RANK);
				return -1;
			}
			dims[rank++] = x;
			p = *end ? end + 1 : end;
		}
		if (v->type.rank >= 0 && v->type.rank != rank) {
			dlc_error(d, "--input-shape gives '%s' rank %d, but the model declares rank %d",
				  v->name, rank, v->type.rank);
			return -1;
		}
		for (int k = 0; k < rank && v->type.rank >= 0; k++)
			if (v->type.dims[k] >= 0 && v->type.dims[k] != dims[k]) {
				dlc_error(d, "--input-shape gives '%s' dim %d = %lld, but the model fixes it at %lld",
					  v->name, k, (long long)dims[k], (long long)v->type.dims[k]);
				return -1;
			}
		v->type = dlc_type_make(v->type.dtype, rank, dims);
	}
	for (int k = 0; require_static && k < g->ninputs; k++)
		if (!dlc_type_is_static(&g->inputs[k]->type)) {
			char t[DLC_TYPE_STR_MAX];
			dlc_error(d, "graph input '%s' has type %s; dlc compiles static shapes: give --input-shape %s=D1,D2,...",
				  g->inputs[k]->name, dlc_type_str(g, &g->inputs[k]->type, t, sizeof t),
				  g->inputs[k]->name);
			return -1;
		}
	return 0;
}

int dlc_freeze_input(struct dlc_graph *g, const char *name, struct dlc_type type,
		     struct dlc_blob *blob, struct dlc_diag *d)
{
	int k = 0;
	while (k < g->ninputs && strcmp(g->inputs[k]->name, name))
		k++;
	if (k == g->ninputs) {
		dlc_error(d, "--const-input names '%s', which is not a graph input", name);
		dlc_blob_unref(blob);
		return -1;
	}
	struct dlc_value *in = g->inputs[k];
	bool fits = type.dtype == in->type.dtype && (in->type.rank < 0 || in->type.rank == type.rank);
	for (int i = 0; fits && in->type.rank >= 0 && i < type.rank; i++)
		fits = in->type.dims[i] < 0 || in->type.dims[i] == type.dims[i];
	if (!fits) {
		char a[DLC_TYPE_STR_MAX], b[DLC_TYPE_STR_MAX];
		dlc_error(d, "--const-input '%s' is %s, but the input is %s", name,
			  dlc_type_str(g, &type, a, sizeof a), dlc_type_str(g, &in->type, b, sizeof b));
		dlc_blob_unref(blob);
		return -1;
	}
	/* the constant takes the input's place and, once renamed, its name */
	struct dlc_value *c = dlc_graph_add_const(g, NULL, type, blob);
	dlc_value_replace_uses(g, in, c);
	memmove(&g->inputs[k], &g->inputs[k + 1], (size_t)(g->ninputs - k - 1) * sizeof *g->inputs);
	g->ninputs--;
	char *keep = dlc_xstrdup(in->name);
	dlc_value_take_name(g, c, keep); /* the detached input becomes name.1 */
	c->blob_name = c->name;
	free(keep);
	return 0;
}

/* Follows v's value forward: true if it reaches an operand that must be a
 * compile-time constant. Shape and size read only the type, so the value
 * does not flow through them. */
static bool reaches_static(const struct dlc_value *v, unsigned char *seen)
{
	if (seen[v->id])
		return false;
	seen[v->id] = 1;
	for (const struct dlc_use *u = v->uses; u; u = u->next) {
		const struct dlc_node *n = u->user;
		if (dlc_op_operand_static(dlc_op_info(n->op)->flags, u->index))
			return true;
		if (n->op == DLC_OP_SHAPE || n->op == DLC_OP_SIZE)
			continue;
		for (int i = 0; i < n->noutputs; i++)
			if (n->outputs[i] && reaches_static(n->outputs[i], seen))
				return true;
	}
	return false;
}

bool dlc_input_fixes_shapes(const struct dlc_graph *g, const struct dlc_value *v)
{
	unsigned char *seen = dlc_xcalloc((size_t)g->next_value_id + 1, 1);
	bool r = reaches_static(v, seen);
	free(seen);
	return r;
}
