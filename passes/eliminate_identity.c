/* eliminate-identity: removes nodes that compute their operand unchanged —
 * identity, inference-mode dropout whose mask nobody reads, and a reshape
 * or flatten to the operand's own shape — by handing their users (and
 * graph outputs) the operand itself. */
#include "dlc/build.h"
#include "dlc/ir.h"
#include "dlc/pass.h"

static bool is_noop(const struct dlc_node *n)
{
	struct dlc_value *x = dlc_node_input(n, 0), *y = n->outputs[0];
	if (!x || !y || !dlc_type_equal(&x->type, &y->type))
		return false;
	switch (n->op) {
	case DLC_OP_IDENTITY:
	case DLC_OP_RESHAPE:
	case DLC_OP_FLATTEN:
		return true;
	case DLC_OP_DROPOUT:
		/* the mask must be unused; a training-mode dropout with a nonzero
		 * ratio never gets here (shape inference rejects it) */
		return n->noutputs < 2 || !n->outputs[1] || !dlc_value_is_used(n->outputs[1]);
	default:
		return false;
	}
}

int pass_eliminate_identity(struct dlc_graph *g, struct dlc_pass_ctx *ctx)
{
	(void)ctx;
	dlc_foreach_node_safe(g, n, tmp) {
		if (!is_noop(n))
			continue;
		dlc_value_replace_uses(g, n->outputs[0], dlc_node_input(n, 0));
		for (int i = 1; i < n->noutputs; i++) /* an unused mask */
			if (n->outputs[i])
				dlc_node_clear_output(g, n, i);
		dlc_node_remove(g, n);
	}
	return 0;
}
