/* The fast f32 MaxPool (2-D, no dilation, no indices output): the
 * reference kernel visits each window element through its index
 * arithmetic and bounds checks, one output at a time. A max pool is a
 * depthwise conv with max for + and no weights, so it runs on the
 * depthwise kernel's phase planes (codegen/c/depthwise.c), padded with
 * -inf instead of 0: each tap is then one contiguous, vectorized pass
 * acc[q] = max(acc[q], plane[q + offset]) over the whole output plane. The
 * comparison is the reference kernel's, so NaN inputs give the same
 * results.
 *
 * Outputs under 256 elements keep the reference kernel unless the pool is
 * split for threads (c_fast_plan; measured on the batch-64 CNN's 13x13 and
 * 5x5 outputs: filling the planes costs more than it saves, and the pool
 * is bound by reading its input anyway); ResNet-18's 3x3 pool into 56x56
 * runs 3.3x faster. */
#include "codegen/c/fast.h"

bool c_fast_plan_max_pool(const struct dlc_node *n, struct c_fast_plan *p)
{
	const struct dlc_value *x = n->inputs[0].value;
	if (!x || x->type.dtype != DLC_F32 || !dlc_type_is_static(&x->type) || x->type.rank != 4 ||
	    n->noutputs > 1 || !n->outputs[0])
		return false;
	struct dlc_window win;
	struct c_conv_geom *g = &p->g;
	if (!c_fast_window(n, x->type.dims[1], &win, g) || win.n != 2 || g->dh != 1 || g->dw != 1)
		return false;
	p->kind = C_FAST_MAX_POOL;
	p->images = x->type.dims[0];
	p->groups = g->c;
	p->M = 1;
	p->N = g->oh * g->ow;
	p->K = g->kh * g->kw;
	p->a = p->b = C_SRC_PREPACKED;
	c_fast_plane_scratch(p);
	return p->N > 0;
}
