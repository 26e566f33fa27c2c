/* fuse: operator fusion into kernels. A kernel is an anchor — a conv, a
 * gemm, a matmul, or an elementwise op — followed by a chain of elementwise
 * ops (bias, activation, residual add, scaling ...) that each read the
 * previous one's result, so the chain is applied to every element while it
 * is still in registers instead of making a round trip through memory per
 * op. The members get the same `kernel` number; only the last one's result
 * leaves the kernel (it needs no arena bytes for the others).
 *
 * A follower joins when it is elementwise (not a view), reads the kernel's
 * current result as its only use, produces the same shape (a broadcast to
 * a larger one would not be an epilogue), and all its other operands exist
 * before the kernel starts. It is moved up to stand right after the kernel,
 * which keeps the members consecutive and every operand defined first.
 *
 * The target decides what it can emit (ctx->fusable: the C target fuses
 * f32/f64 conv, gemm and matmul, and elementwise ops with a scalar
 * formula). It may also end a kernel with one op that is not elementwise
 * (the C target: a MaxPool after a depthwise conv and its chain, pooled
 * while the conv's output plane is in cache); nothing joins after it. A
 * kernel has at most MAX_MEMBERS nodes, which bounds its operand count. */
#include <stdlib.h>

#include "dlc/ir.h"
#include "dlc/pass.h"
#include "dlc/util.h"

enum { MAX_MEMBERS = 8 };

static bool is_elementwise(const struct dlc_node *n)
{
	unsigned f = dlc_op_info(n->op)->flags;
	return (f & DLC_OPF_ELEMWISE) && !(f & DLC_OPF_VIEW);
}

static bool can_anchor(const struct dlc_node *n)
{
	return n->op == DLC_OP_CONV || n->op == DLC_OP_GEMM || n->op == DLC_OP_MATMUL ||
	       is_elementwise(n);
}

/* The one present result of n, or NULL. */
static struct dlc_value *single_result(const struct dlc_node *n)
{
	struct dlc_value *r = NULL;
	for (int i = 0; i < n->noutputs; i++)
		if (n->outputs[i]) {
			if (r)
				return NULL;
			r = n->outputs[i];
		}
	return r;
}

/* True if v is available before node `start`: not a node result, or
 * produced by a node that comes earlier. */
static bool defined_before(const struct dlc_value *v, const struct dlc_node *start)
{
	if (!v || v->kind != DLC_VALUE_NODE)
		return true;
	for (const struct dlc_node *p = start->prev; p; p = p->prev)
		if (p == v->producer)
			return true;
	return false;
}

/* The follower that can join a kernel whose result is v, or NULL. */
static struct dlc_node *follower(const struct dlc_value *v, const struct dlc_node *start,
				 const struct dlc_pass_ctx *ctx)
{
	if (v->nuses != 1 || v->noutputs)
		return NULL;
	struct dlc_node *e = v->uses->user;
	struct dlc_value *r = single_result(e);
	if (!r)
		return NULL;
	for (int i = 0; i < e->ninputs; i++) {
		struct dlc_value *x = e->inputs[i].value;
		if (x != v && !defined_before(x, start))
			return NULL;
	}
	if (!is_elementwise(e)) /* the target's to allow, as the last member */
		return ctx->fusable && ctx->fusable(e, start, ctx->kernels) ? e : NULL;
	if (r->type.rank != v->type.rank)
		return NULL;
	for (int i = 0; i < r->type.rank; i++)
		if (r->type.dims[i] != v->type.dims[i])
			return NULL;
	return !ctx->fusable || ctx->fusable(e, start, ctx->kernels) ? e : NULL;
}

int pass_fuse(struct dlc_graph *g, struct dlc_pass_ctx *ctx)
{
	int next = 0;
	dlc_foreach_node(g, n)
		n->kernel = -1;
	for (struct dlc_node *start = g->first; start; start = start->next) {
		struct dlc_value *v = single_result(start);
		if (start->kernel >= 0 || !can_anchor(start) || !v ||
		    (ctx->fusable && !ctx->fusable(start, start, ctx->kernels)))
			continue;
		struct dlc_node *last = start;
		int members = 1;
		for (struct dlc_node *e; members < MAX_MEMBERS && (e = follower(v, start, ctx)); members++) {
			if (last->next != e) { /* move it up behind the kernel */
				dlc_node_unlink(g, e);
				dlc_node_insert_before(g, last->next, e);
			}
			if (start->kernel < 0)
				start->kernel = next++;
			e->kernel = start->kernel;
			last = e;
			v = single_result(e);
			if (!is_elementwise(e))
				break; /* it ends the kernel */
		}
		start = last;
	}
	return 0;
}
