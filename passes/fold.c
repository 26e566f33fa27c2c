/* fold: constant folding over the whole graph (ir/fold.c evaluates one
 * node). Nodes are visited in order and their types refined first, so a
 * chain (Shape -> Gather -> Concat -> Reshape -> Shape ...) folds in one
 * sweep: each fold makes the next node's operands constant and its type
 * static. */
#include "dlc/build.h"
#include "dlc/ir.h"
#include "dlc/pass.h"

int pass_fold(struct dlc_graph *g, struct dlc_pass_ctx *ctx)
{
	dlc_foreach_node_safe(g, n, tmp) {
		if (dlc_refine_node(g, n, ctx->diag) < 0)
			return -1;
		dlc_fold_node(g, n);
	}
	return 0;
}
