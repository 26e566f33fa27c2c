/* matmul-add-to-gemm: add(matmul(A, B), C) on matrices becomes
 * gemm(A, B, C) — one kernel whose bias is added in its store loop —
 * when C broadcasts one way onto the [M, N] result (a bias row, a
 * column, a scalar or a full matrix) and the matmul feeds nothing else. */
#include "dlc/build.h"
#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/pass.h"

static bool fits(const struct dlc_type *c, const struct dlc_type *y)
{
	if (c->dtype != y->dtype || c->rank > 2)
		return false;
	for (int i = 0; i < c->rank; i++) {
		int64_t d = c->dims[c->rank - 1 - i], want = y->dims[1 - i];
		if (d != 1 && d != want)
			return false;
	}
	return true;
}

int pass_matmul_add_to_gemm(struct dlc_graph *g, struct dlc_pass_ctx *ctx)
{
	dlc_foreach_node_safe(g, add, tmp) {
		if (add->op != DLC_OP_ADD)
			continue;
		for (int k = 0; k < 2; k++) {
			struct dlc_value *m = dlc_node_input(add, k), *c = dlc_node_input(add, 1 - k);
			struct dlc_node *mm = m->kind == DLC_VALUE_NODE ? m->producer : NULL;
			if (!mm || mm->op != DLC_OP_MATMUL || m->nuses != 1 || m->noutputs)
				continue;
			struct dlc_value *a = dlc_node_input(mm, 0), *b = dlc_node_input(mm, 1);
			const struct dlc_type *y = &add->outputs[0]->type;
			if (a->type.rank != 2 || b->type.rank != 2 || !dlc_type_equal(&m->type, y) ||
			    !dlc_dtype_is_float(y->dtype) || !fits(&c->type, y))
				continue;
			struct dlc_value *ops[3] = {a, b, c};
			struct dlc_node *gemm = dlc_node_new(g, DLC_OP_GEMM, mm->name, 3, ops, 1);
			if (dlc_node_place(g, add, gemm, ctx->diag) < 0)
				return -1;
			dlc_value_replace_uses(g, add->outputs[0], gemm->outputs[0]);
			dlc_node_remove(g, add);
			dlc_node_remove(g, mm);
			break;
		}
	}
	return 0;
}
