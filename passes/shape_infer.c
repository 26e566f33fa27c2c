/* shape-infer: computes every result's type from its operands, in order.
 *
 * A result that already has a type (from the model's value_info, or written
 * in text IR) is refined: where the declared type has a symbolic or unknown
 * dim the inferred static one wins; a real contradiction is an error. */
#include <stdlib.h>

#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/pass.h"
#include "dlc/util.h"

/* Merges inferred into declared; false if they contradict. */
static bool refine(struct dlc_type *declared, const struct dlc_type *inferred)
{
	if (!dlc_type_is_known(inferred))
		return true; /* nothing learned: keep what was declared */
	if (!dlc_type_is_known(declared)) {
		if (declared->dtype != DLC_DTYPE_UNKNOWN && declared->dtype != inferred->dtype)
			return false;
		*declared = *inferred;
		return true;
	}
	if (declared->dtype != inferred->dtype || declared->rank != inferred->rank)
		return false;
	for (int i = 0; i < declared->rank; i++) {
		int64_t d = declared->dims[i], e = inferred->dims[i];
		if (d >= 0 && e >= 0 && d != e)
			return false;
		if (d < 0 && (e >= 0 || d == DLC_DIM_UNKNOWN))
			declared->dims[i] = e;
	}
	return true;
}

int pass_shape_infer(struct dlc_graph *g, struct dlc_pass_ctx *ctx)
{
	struct dlc_type *out = NULL;
	int cap = 0, rc = 0;
	dlc_foreach_node(g, n) {
		DLC_GROW(out, cap, n->noutputs);
		if (dlc_infer_node(g, n, out, ctx->diag) < 0) {
			rc = -1;
			break;
		}
		for (int i = 0; i < n->noutputs; i++) {
			struct dlc_value *v = n->outputs[i];
			if (!v)
				continue;
			struct dlc_type before = v->type;
			if (!refine(&v->type, &out[i])) {
				char a[DLC_TYPE_STR_MAX], b[DLC_TYPE_STR_MAX];
				dlc_error_node(ctx->diag, n, "%s: result %%%s is declared %s, but the op infers %s",
					       dlc_op_info(n->op)->name, v->name,
					       dlc_type_str(g, &before, a, sizeof a),
					       dlc_type_str(g, &out[i], b, sizeof b));
				rc = -1;
			}
		}
		if (rc)
			break;
	}
	free(out);
	return rc;
}
