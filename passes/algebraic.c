/* algebraic: removes arithmetic with a neutral constant — x + 0, 0 + x,
 * x - 0, x * 1, 1 * x, x / 1 — when the constant does not broadcast x to a
 * larger shape. (x * 0 is left alone: it is not 0 for NaN or infinities;
 * x + 0 may turn -0.0 into +0.0, which compares equal.) */
#include "dlc/build.h"
#include "dlc/ir.h"
#include "dlc/pass.h"

/* The operand that survives if operand `k` is the neutral constant. */
static struct dlc_value *keep(const struct dlc_node *n, int k, double neutral)
{
	struct dlc_value *c = dlc_node_input(n, k), *x = dlc_node_input(n, 1 - k);
	if (!dlc_const_all(c, neutral) || !dlc_type_equal(&x->type, &n->outputs[0]->type))
		return NULL;
	return x;
}

int pass_algebraic(struct dlc_graph *g, struct dlc_pass_ctx *ctx)
{
	(void)ctx;
	dlc_foreach_node_safe(g, n, tmp) {
		struct dlc_value *x = NULL;
		switch (n->op) {
		case DLC_OP_ADD:
			x = keep(n, 1, 0);
			x = x ? x : keep(n, 0, 0);
			break;
		case DLC_OP_MUL:
			x = keep(n, 1, 1);
			x = x ? x : keep(n, 0, 1);
			break;
		case DLC_OP_SUB:
			x = keep(n, 1, 0);
			break;
		case DLC_OP_DIV:
			x = keep(n, 1, 1);
			break;
		default:
			break;
		}
		if (!x)
			continue;
		dlc_value_replace_uses(g, n->outputs[0], x);
		dlc_node_remove(g, n);
	}
	return 0;
}
