/* memplan: static memory planning. Every intermediate that needs storage of
 * its own gets a byte offset in one arena; the arena size is exact.
 *
 * Storage: views (reshape, flatten, identity, dropout) share their operand's
 * bytes; an intermediate that is (a view of) a graph output is computed into
 * the caller's output buffer; inputs and constants live outside the arena.
 * Everything else is a buffer, live from its producer's step to its last
 * reader's (through views; outputs copied out at the end live to the end).
 * A fused kernel is one step as far as its result is concerned: the result
 * is live from the kernel's first node on, since a conv anchor writes it
 * while it still reads its operands.
 *
 * A kernel that needs scratch (the target says how much: packed operand
 * blocks of the fast GEMM and convolution kernels) gets a buffer of its
 * own, live only while the kernel runs, so it may take the bytes of
 * anything dead by then but never those of the kernel's operands or result.
 *
 * 1. In place: an elementwise op (or a kernel of elementwise ops) may write
 *    over an operand of the same size and element width that it reads for
 *    the last time; the two buffers are merged into one group.
 * 2. Offsets: groups are placed one by one, each at the lowest offset that
 *    no group overlapping it in time occupies, in three orders: largest
 *    first ("greedy by size", as TFLite's arena planner), first use first,
 *    and longest-lived first; the smallest arena is kept. This meets the
 *    liveness lower bound on the networks people bring (docs/optimizer.md);
 *    the report (dlc -v, --emit=memplan) prints planned, naive and
 *    lower-bound bytes. */
#include <stdlib.h>
#include <string.h>

#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/memplan.h"
#include "dlc/pass.h"
#include "dlc/util.h"

static int64_t align_up(int64_t n)
{
	return (n + DLC_ARENA_ALIGN - 1) / DLC_ARENA_ALIGN * DLC_ARENA_ALIGN;
}

/* A result inside a fused kernel (read only by the kernel's later members)
 * lives in registers, not in the arena. */
static bool inside_kernel(const struct dlc_value *v)
{
	const struct dlc_node *p = v->producer;
	return p->kernel >= 0 && p->next && p->next->kernel == p->kernel;
}

static bool needs_arena(const struct dlc_graph *g, const struct dlc_value *v)
{
	return v && v->kind == DLC_VALUE_NODE && dlc_storage_root(v) == v &&
	       dlc_output_slot(g, v) < 0 && !inside_kernel(v);
}

/* Buffers with their live ranges (steps are 1-based node positions; the
 * end of the graph is step nnodes + 1). */
static int liveness(const struct dlc_graph *g, struct dlc_buffer **out, int *count,
		    struct dlc_diag *d)
{
	int nv = g->next_value_id, n = 0, cap = 0, step = 0, kstart = 0;
	int *slot = dlc_xcalloc((size_t)nv + 1, sizeof *slot); /* value id -> buffer + 1 */
	struct dlc_buffer *b = NULL;
	dlc_foreach_node(g, node) {
		step++;
		if (node->kernel < 0 || !node->prev || node->prev->kernel != node->kernel)
			kstart = step;
		if (node->scratch_bytes > 0) { /* live during the kernel's first step */
			DLC_GROW(b, cap, n + 1);
			b[n++] = (struct dlc_buffer){NULL, node, align_up(node->scratch_bytes),
						     node->scratch_offset, step, step, -1};
		}
		for (int i = 0; i < node->ninputs; i++) {
			const struct dlc_value *r = dlc_storage_root(node->inputs[i].value);
			if (r && slot[r->id])
				b[slot[r->id] - 1].last = step;
		}
		for (int i = 0; i < node->noutputs; i++) {
			struct dlc_value *v = node->outputs[i];
			if (!needs_arena(g, v))
				continue;
			int64_t nb = dlc_type_nbytes(&v->type);
			if (nb < 0) {
				if (d)
					dlc_error_node(d, node, "%s: result %%%s has no static size; memory planning needs static shapes",
						       dlc_op_info(node->op)->name, v->name);
				free(slot);
				free(b);
				return -1;
			}
			DLC_GROW(b, cap, n + 1);
			b[n] = (struct dlc_buffer){v, NULL, align_up(nb ? nb : 1), v->offset, kstart, step, -1};
			slot[v->id] = ++n;
		}
	}
	for (int i = 0; i < g->noutputs; i++) { /* copied out at the very end */
		const struct dlc_value *r = dlc_storage_root(g->outputs[i]);
		if (slot[r->id])
			b[slot[r->id] - 1].last = step + 1;
	}
	free(slot);
	*out = b;
	*count = n;
	return 0;
}

/* The first node of n's fused kernel (n itself if it is not fused). */
static const struct dlc_node *kernel_anchor(const struct dlc_node *n)
{
	while (n->kernel >= 0 && n->prev && n->prev->kernel == n->kernel)
		n = n->prev;
	return n;
}

static bool is_elementwise(const struct dlc_node *n)
{
	unsigned fl = dlc_op_info(n->op)->flags;
	return (fl & DLC_OPF_ELEMWISE) && !(fl & DLC_OPF_VIEW);
}

/* The step of b's producer: a kernel's steps run from b->first (its first
 * node) to that of the node making b. */
static int end_step(const struct dlc_buffer *b)
{
	int end = b->first;
	for (const struct dlc_node *p = kernel_anchor(b->v->producer); p != b->v->producer; p = p->next)
		end++;
	return end;
}

/* 1. in-place groups: buffer i joins the group of an operand buffer that
 * dies in the (elementwise) node or kernel where i is born. */
static void merge_in_place(const struct dlc_graph *g, struct dlc_buffer *b, int n)
{
	int *of = dlc_xcalloc((size_t)g->next_value_id + 1, sizeof *of);
	for (int i = 0; i < n; i++)
		if (b[i].v)
			of[b[i].v->id] = i + 1;
	bool *taken = dlc_xcalloc((size_t)n + 1, sizeof *taken); /* a group already continued */
	for (int i = 0; i < n; i++) {
		if (!b[i].v)
			continue;
		const struct dlc_node *last = b[i].v->producer, *node = kernel_anchor(last);
		if (!is_elementwise(node))
			continue;
		int end = end_step(&b[i]);
		bool merged = false;
		for (; !merged; node = node->next) {
			for (int k = 0; !merged && k < node->ninputs; k++) {
				const struct dlc_value *x = node->inputs[k].value, *r = dlc_storage_root(x);
				int j = r ? of[r->id] - 1 : -1;
				if (j < 0 || taken[j] || b[j].first >= b[i].first || b[j].last > end ||
				    b[j].size != b[i].size ||
				    dlc_type_numel(&x->type) != dlc_type_numel(&b[i].v->type) ||
				    dlc_dtype_size(x->type.dtype) != dlc_dtype_size(b[i].v->type.dtype))
					continue;
				taken[j] = true;
				b[i].group = b[j].group >= 0 ? b[j].group : j;
				merged = true;
			}
			if (node == last)
				break;
		}
	}
	free(taken);
	free(of);
}

struct group {
	int64_t size, offset;
	int first, last;
};

static int by_size(const void *pa, const void *pb)
{
	const struct group *a = *(const struct group *const *)pa, *b = *(const struct group *const *)pb;
	if (a->size != b->size)
		return a->size > b->size ? -1 : 1;
	return a->first - b->first;
}

static int by_first(const void *pa, const void *pb)
{
	const struct group *a = *(const struct group *const *)pa, *b = *(const struct group *const *)pb;
	if (a->first != b->first)
		return a->first - b->first;
	return (a->size < b->size) - (a->size > b->size);
}

static int by_duration(const void *pa, const void *pb)
{
	const struct group *a = *(const struct group *const *)pa, *b = *(const struct group *const *)pb;
	int da = a->last - a->first, db = b->last - b->first;
	if (da != db)
		return db - da;
	return by_size(pa, pb);
}

static int by_offset(const void *pa, const void *pb)
{
	const struct group *a = *(const struct group *const *)pa, *b = *(const struct group *const *)pb;
	return (a->offset > b->offset) - (a->offset < b->offset);
}

/* 2. offsets, in the given order, each group at the lowest free gap among
 * the time-overlapping groups already placed. Returns the arena size. */
static int64_t place_in_order(struct group *gr, int ng, int (*cmp)(const void *, const void *))
{
	struct group **order = dlc_xcalloc((size_t)ng + 1, sizeof *order);
	struct group **near = dlc_xcalloc((size_t)ng + 1, sizeof *near);
	for (int i = 0; i < ng; i++)
		order[i] = &gr[i];
	qsort(order, (size_t)ng, sizeof *order, cmp);
	int64_t peak = 0;
	for (int i = 0; i < ng; i++) {
		struct group *x = order[i];
		int m = 0;
		for (int k = 0; k < i; k++)
			if (order[k]->first <= x->last && x->first <= order[k]->last)
				near[m++] = order[k];
		qsort(near, (size_t)m, sizeof *near, by_offset);
		int64_t at = 0;
		for (int k = 0; k < m; k++) {
			if (near[k]->offset >= at + x->size)
				break; /* the gap before near[k] fits */
			if (near[k]->offset + near[k]->size > at)
				at = near[k]->offset + near[k]->size;
		}
		x->offset = at;
		if (at + x->size > peak)
			peak = at + x->size;
	}
	free(order);
	free(near);
	return peak;
}

/* Largest first (TFLite's order) usually meets the lower bound; where
 * kernels' scratch sits between long-lived buffers, placing in order of
 * first use, or the longest-lived first, can do better (measured: the
 * batch-1 CNNs 1.118 and the small MLP 1.250 of the bound with largest
 * first, 1.000 with these). All three are tried; the smallest arena is
 * kept (the first of equals). */
static int64_t place(struct group *gr, int ng)
{
	static int (*const orders[])(const void *, const void *) = {by_size, by_first, by_duration};
	struct group *alt = dlc_xcalloc((size_t)ng + 1, sizeof *alt);
	int64_t peak = place_in_order(gr, ng, orders[0]);
	for (size_t k = 1; k < sizeof orders / sizeof orders[0]; k++) {
		memcpy(alt, gr, (size_t)ng * sizeof *gr);
		int64_t other = place_in_order(alt, ng, orders[k]);
		if (other < peak) {
			memcpy(gr, alt, (size_t)ng * sizeof *gr);
			peak = other;
		}
	}
	free(alt);
	return peak;
}

int pass_memplan(struct dlc_graph *g, struct dlc_pass_ctx *ctx)
{
	struct dlc_buffer *b;
	int n;
	dlc_foreach_node(g, node) {
		for (int i = 0; i < node->noutputs; i++)
			if (node->outputs[i])
				node->outputs[i]->offset = -1;
		/* a kernel's scratch: asked of its first node */
		bool starts = node->kernel < 0 || !node->prev || node->prev->kernel != node->kernel;
		node->scratch_bytes = starts && ctx->scratch_bytes && ctx->kernels ?
					      ctx->scratch_bytes(node, ctx->kernels) : 0;
		node->scratch_offset = -1;
	}
	if (liveness(g, &b, &n, ctx->diag) < 0)
		return -1;
	merge_in_place(g, b, n);
	/* one group per chain of in-place buffers */
	int ng = 0;
	int *gid = dlc_xcalloc((size_t)n + 1, sizeof *gid);
	struct group *gr = dlc_xcalloc((size_t)n + 1, sizeof *gr);
	for (int i = 0; i < n; i++) {
		if (b[i].group < 0) {
			gid[i] = ng;
			gr[ng++] = (struct group){b[i].size, -1, b[i].first, b[i].last};
		} else {
			gid[i] = gid[b[i].group];
			struct group *x = &gr[gid[i]];
			x->last = b[i].last > x->last ? b[i].last : x->last;
		}
	}
	g->arena_bytes = place(gr, ng);
	for (int i = 0; i < n; i++) {
		if (b[i].v)
			b[i].v->offset = gr[gid[i]].offset;
		else
			b[i].scratch_of->scratch_offset = gr[gid[i]].offset;
	}
	free(gid);
	free(gr);
	free(b);
	return 0;
}

/* ---- the report ---- */

int dlc_memplan_report(const struct dlc_graph *g, struct dlc_memplan_report *r)
{
	memset(r, 0, sizeof *r);
	if (g->arena_bytes < 0 || liveness(g, &r->bufs, &r->nbufs, NULL) < 0)
		return -1;
	r->nsteps = g->nnodes + 1;
	r->planned = g->arena_bytes;
	/* in place: the buffer continues one at its offset that dies in the
	 * node (or kernel) where it is born */
	for (int i = 0; i < r->nbufs; i++)
		for (int j = 0; j < i && r->bufs[i].group < 0; j++) {
			const struct dlc_buffer *x = &r->bufs[j], *y = &r->bufs[i];
			if (x->v && y->v && x->offset == y->offset && x->size == y->size && x->first < y->first &&
			    x->last >= y->first && x->last <= end_step(y))
				r->bufs[i].group = j;
		}
	for (int i = 0; i < r->nbufs; i++)
		r->naive += r->bufs[i].size;
	/* the most bytes live at one step; a buffer written in place over one
	 * still live shares its bytes, so that pair counts once */
	for (int t = 1; t <= r->nsteps; t++) {
		int64_t live = 0;
		for (int i = 0; i < r->nbufs; i++) {
			const struct dlc_buffer *x = &r->bufs[i];
			if (x->first > t || x->last < t)
				continue;
			bool shared = false; /* its continuation is live at t too */
			for (int k = i + 1; k < r->nbufs && !shared; k++)
				shared = r->bufs[k].group == i && r->bufs[k].first <= t;
			if (!shared)
				live += x->size;
		}
		if (live > r->lower_bound)
			r->lower_bound = live;
	}
	return 0;
}

void dlc_memplan_report_free(struct dlc_memplan_report *r)
{
	free(r->bufs);
	memset(r, 0, sizeof *r);
}
