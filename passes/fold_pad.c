/* fold-pad: a constant zero Pad in front of a conv (or an average pool
 * that counts padding) becomes the conv's own padding, so the padded copy
 * of the input is never made:
 *   conv(pad(x, p), w)                 -> conv(x, w) {pads += p}
 *   average_pool(pad(x, p))            -> average_pool(x) {pads = p, count_include_pad = 1}
 * Only spatial dims may be padded (not N or C), every pad must be >= 0
 * (negative ones crop), the pad must be read by nothing else, and the value
 * must be 0. A max pool ignores padding (it is -inf there), so a zero Pad
 * before one is not its padding and stays. An average pool is folded only
 * if it had no padding of its own or already counted it, and not with
 * ceil_mode (its partial last windows would count differently). */
#include <stdlib.h>
#include <string.h>

#include "dlc/build.h"
#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/pass.h"
#include "dlc/util.h"

/* The pad node's begin/end per dim of x (rank r), or false if it is not a
 * constant zero pad of the spatial dims only. */
static bool zero_spatial_pad(const struct dlc_node *pad, int r, int64_t *begin, int64_t *end)
{
	const struct dlc_value *pads = dlc_node_input(pad, 1), *value = dlc_node_input(pad, 2),
			       *axes = dlc_node_input(pad, 3);
	if (strcmp(dlc_node_string(pad, "mode"), "constant") || !dlc_is_const(pads) ||
	    (value && (!dlc_is_const(value) || !dlc_const_all(value, 0.0))) ||
	    (axes && !dlc_is_const(axes)))
		return false;
	int n = axes ? (int)dlc_type_numel(&axes->type) : r;
	if (n > r || dlc_type_numel(&pads->type) != 2 * n)
		return false;
	memset(begin, 0, (size_t)r * sizeof *begin);
	memset(end, 0, (size_t)r * sizeof *end);
	for (int i = 0; i < n; i++) {
		int64_t a = axes ? (int64_t)dlc_const_element(axes, i) : i;
		if (a < 0)
			a += r;
		if (a < 0 || a >= r)
			return false;
		begin[a] += (int64_t)dlc_const_element(pads, i);
		end[a] += (int64_t)dlc_const_element(pads, n + i);
	}
	for (int d = 0; d < r; d++)
		if (begin[d] < 0 || end[d] < 0 || (d < 2 && (begin[d] || end[d])))
			return false;
	return true;
}

/* The consumer's own pads (NOTSET or VALID auto_pad only), as begin/end of
 * its nd spatial dims; false if it pads some other way. */
static bool own_pads(const struct dlc_node *n, int nd, int64_t *pads)
{
	const char *ap = dlc_node_string(n, "auto_pad");
	if (strcmp(ap, "NOTSET") && strcmp(ap, "VALID"))
		return false;
	const int64_t *p;
	int count = dlc_node_ints(n, "pads", &p);
	memset(pads, 0, (size_t)(2 * nd) * sizeof *pads);
	if (count < 0 || !strcmp(ap, "VALID"))
		return true;
	if (count != 2 * nd)
		return false;
	memcpy(pads, p, (size_t)(2 * nd) * sizeof *pads);
	return true;
}

static int fold(struct dlc_graph *g, struct dlc_node *pad, struct dlc_node *use, struct dlc_diag *d)
{
	struct dlc_value *x = dlc_node_input(pad, 0);
	int r = x->type.rank, nd = r - 2;
	int64_t begin[DLC_MAX_RANK], end[DLC_MAX_RANK], pads[2 * DLC_MAX_RANK];
	if (r < 3 || !zero_spatial_pad(pad, r, begin, end) || !own_pads(use, nd, pads))
		return 0;
	bool avg = use->op == DLC_OP_AVERAGE_POOL;
	if (avg) {
		bool had = false;
		for (int i = 0; i < 2 * nd; i++)
			had = had || pads[i];
		if (dlc_node_int(use, "ceil_mode") || (had && !dlc_node_int(use, "count_include_pad")))
			return 0;
	}
	for (int i = 0; i < nd; i++) {
		pads[i] += begin[2 + i];
		pads[nd + i] += end[2 + i];
	}
	struct dlc_value *ops[3];
	for (int i = 0; i < use->ninputs; i++)
		ops[i] = i == 0 ? x : use->inputs[i].value;
	struct dlc_node *n = dlc_node_new(g, use->op, use->name, use->ninputs, ops, 1);
	for (int i = 0; i < use->nattrs; i++)
		dlc_node_set_attr(n, &use->attrs[i]);
	dlc_node_set_string(n, "auto_pad", "NOTSET");
	dlc_node_set_ints(n, "pads", 2 * nd, pads);
	if (avg)
		dlc_node_set_int(n, "count_include_pad", 1);
	if (dlc_node_place(g, use, n, d) < 0)
		return -1;
	dlc_value_replace_uses(g, use->outputs[0], n->outputs[0]);
	char *name = dlc_xstrdup(use->outputs[0]->name); /* the result keeps its name */
	dlc_node_remove(g, use);
	dlc_node_remove(g, pad);
	dlc_value_take_name(g, n->outputs[0], name);
	free(name);
	return 1;
}

int pass_fold_pad(struct dlc_graph *g, struct dlc_pass_ctx *ctx)
{
	dlc_foreach_node_safe(g, use, tmp) {
		if ((use->op != DLC_OP_CONV && use->op != DLC_OP_AVERAGE_POOL) || use->noutputs != 1 ||
		    !use->outputs[0])
			continue;
		struct dlc_value *y = dlc_node_input(use, 0);
		struct dlc_node *pad = y->kind == DLC_VALUE_NODE ? y->producer : NULL;
		if (!pad || pad->op != DLC_OP_PAD || y->nuses != 1 || y->noutputs ||
		    !dlc_type_is_static(&y->type))
			continue;
		if (fold(g, pad, use, ctx->diag) < 0)
			return -1;
	}
	return 0;
}
