/* dce: removes nodes none of whose results is used (by a node or a graph
 * output), then constants nothing uses. Walking backwards frees whole dead
 * chains in one sweep. No op has side effects yet; one that does will carry
 * a flag in ir/ops.def and be kept here. Graph inputs are the model's API
 * and stay even when unused. */
#include "dlc/ir.h"
#include "dlc/pass.h"

static bool is_dead(const struct dlc_node *n)
{
	for (int i = 0; i < n->noutputs; i++)
		if (n->outputs[i] && dlc_value_is_used(n->outputs[i]))
			return false;
	return true;
}

int pass_dce(struct dlc_graph *g, struct dlc_pass_ctx *ctx)
{
	(void)ctx;
	for (struct dlc_node *n = g->last, *prev; n; n = prev) {
		prev = n->prev;
		if (is_dead(n))
			dlc_node_remove(g, n);
	}
	for (int i = g->nconsts - 1; i >= 0; i--)
		if (!dlc_value_is_used(g->consts[i]))
			dlc_graph_remove_const(g, g->consts[i]);
	return 0;
}
