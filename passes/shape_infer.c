/* shape-infer: computes every result's type from its operands, in order.
 *
 * A result that already has a type (from the model's value_info, or written
 * in text IR) is refined: where the declared type has a symbolic or unknown
 * dim the inferred static one wins; a real contradiction is an error. */
#include "dlc/build.h"
#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/pass.h"
#include "dlc/util.h"

int pass_shape_infer(struct dlc_graph *g, struct dlc_pass_ctx *ctx)
{
	dlc_foreach_node(g, n)
		if (dlc_refine_node(g, n, ctx->diag) < 0)
			return -1;
	return 0;
}
