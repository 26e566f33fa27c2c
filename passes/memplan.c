/* memplan: static memory planning. Every intermediate that needs storage of
 * its own gets a byte offset in one arena; the arena size is exact.
 *
 * Storage: views (reshape, flatten, identity, dropout) share their operand's
 * bytes; an intermediate that is (a view of) a graph output is computed into
 * the caller's output buffer; inputs and constants live outside the arena.
 * Everything else is a buffer with a live range from its producer to its
 * last reader (through views). Nodes are walked in order; a buffer is placed
 * in the smallest free block that fits (else at the top), and its block is
 * freed after its last reader. An elementwise op may write over an operand
 * of the same size that it reads for the last time (in place). */
#include <stdlib.h>
#include <string.h>

#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/pass.h"
#include "dlc/util.h"

struct block {
	int64_t off, size;
};

struct planner {
	struct block *free;       /* sorted by offset, coalesced */
	int nfree, cap;
	int64_t top, peak;
};

static int64_t align_up(int64_t n)
{
	return (n + DLC_ARENA_ALIGN - 1) / DLC_ARENA_ALIGN * DLC_ARENA_ALIGN;
}

static int64_t alloc_block(struct planner *p, int64_t size)
{
	int best = -1;
	for (int i = 0; i < p->nfree; i++)
		if (p->free[i].size >= size && (best < 0 || p->free[i].size < p->free[best].size))
			best = i;
	if (best >= 0) {
		int64_t off = p->free[best].off;
		p->free[best].off += size;
		p->free[best].size -= size;
		if (!p->free[best].size) {
			memmove(&p->free[best], &p->free[best + 1], (size_t)(p->nfree - best - 1) * sizeof *p->free);
			p->nfree--;
		}
		return off;
	}
	/* grow: a free block touching the top is extended rather than wasted */
	if (p->nfree && p->free[p->nfree - 1].off + p->free[p->nfree - 1].size == p->top) {
		int64_t off = p->free[--p->nfree].off;
		p->top = off + size;
	} else {
		p->top += size;
	}
	if (p->top > p->peak)
		p->peak = p->top;
	return p->top - size;
}

static void free_block(struct planner *p, int64_t off, int64_t size)
{
	int i = 0;
	while (i < p->nfree && p->free[i].off < off)
		i++;
	DLC_GROW(p->free, p->cap, p->nfree + 1);
	memmove(&p->free[i + 1], &p->free[i], (size_t)(p->nfree - i) * sizeof *p->free);
	p->free[i] = (struct block){off, size};
	p->nfree++;
	/* coalesce with the neighbours */
	if (i + 1 < p->nfree && p->free[i].off + p->free[i].size == p->free[i + 1].off) {
		p->free[i].size += p->free[i + 1].size;
		memmove(&p->free[i + 1], &p->free[i + 2], (size_t)(p->nfree - i - 2) * sizeof *p->free);
		p->nfree--;
	}
	if (i > 0 && p->free[i - 1].off + p->free[i - 1].size == p->free[i].off) {
		p->free[i - 1].size += p->free[i].size;
		memmove(&p->free[i], &p->free[i + 1], (size_t)(p->nfree - i - 1) * sizeof *p->free);
		p->nfree--;
	}
	/* a block at the top lowers the top */
	if (p->nfree && p->free[p->nfree - 1].off + p->free[p->nfree - 1].size == p->top) {
		p->top = p->free[p->nfree - 1].off;
		p->nfree--;
	}
}

static bool needs_arena(const struct dlc_graph *g, const struct dlc_value *v)
{
	return v && v->kind == DLC_VALUE_NODE && dlc_storage_root(v) == v &&
	       dlc_output_slot(g, v) < 0;
}

int pass_memplan(struct dlc_graph *g, struct dlc_pass_ctx *ctx)
{
	int nv = g->next_value_id;
	int *last = dlc_xcalloc((size_t)nv + 1, sizeof *last);   /* by root id: last reader index */
	bool *live = dlc_xcalloc((size_t)nv + 1, sizeof *live);
	int64_t *size = dlc_xcalloc((size_t)nv + 1, sizeof *size);
	struct dlc_value **byid = dlc_xcalloc((size_t)nv + 1, sizeof *byid);
	int idx = 0, rc = 0;
	dlc_foreach_node(g, n) {
		idx++;
		for (int i = 0; i < n->noutputs; i++) {
			struct dlc_value *v = n->outputs[i];
			if (!v)
				continue;
			v->offset = -1;
			byid[v->id] = v;
			last[v->id] = idx; /* unread results die where they are born */
			if (needs_arena(g, v)) {
				int64_t nb = dlc_type_nbytes(&v->type);
				if (nb < 0) {
					dlc_error_node(ctx->diag, n, "%s: result %%%s has no static size; memory planning needs static shapes",
						       dlc_op_info(n->op)->name, v->name);
					rc = -1;
					goto out;
				}
				size[v->id] = align_up(nb ? nb : 1);
			}
		}
		for (int i = 0; i < n->ninputs; i++) {
			const struct dlc_value *r = dlc_storage_root(n->inputs[i].value);
			if (r && r->kind == DLC_VALUE_NODE)
				last[r->id] = idx;
		}
	}
	for (int i = 0; i < g->noutputs; i++) { /* copied out at the very end */
		const struct dlc_value *r = dlc_storage_root(g->outputs[i]);
		if (r->kind == DLC_VALUE_NODE)
			last[r->id] = idx + 1;
	}
	struct planner p = {0};
	idx = 0;
	dlc_foreach_node(g, n) {
		idx++;
		bool elemwise = (dlc_op_info(n->op)->flags & DLC_OPF_ELEMWISE) &&
				!(dlc_op_info(n->op)->flags & DLC_OPF_VIEW);
		for (int i = 0; i < n->noutputs; i++) {
			struct dlc_value *v = n->outputs[i];
			if (!v || !needs_arena(g, v))
				continue;
			/* in place over an operand read here for the last time */
			for (int k = 0; elemwise && k < n->ninputs && v->offset < 0; k++) {
				const struct dlc_value *r = dlc_storage_root(n->inputs[k].value);
				if (r && live[r->id] && last[r->id] == idx && size[r->id] == size[v->id] &&
				    dlc_type_numel(&n->inputs[k].value->type) == dlc_type_numel(&v->type)) {
					v->offset = r->offset;
					live[r->id] = false; /* the block now belongs to v */
				}
			}
			if (v->offset < 0)
				v->offset = alloc_block(&p, size[v->id]);
			live[v->id] = true;
		}
		/* free what is read for the last time here (and unread results) */
		for (int id = 0; id < nv; id++)
			if (live[id] && last[id] <= idx) {
				free_block(&p, byid[id]->offset, size[id]);
				live[id] = false;
			}
	}
	g->arena_bytes = p.peak;
	free(p.free);
out:
	free(last);
	free(live);
	free(size);
	free(byid);
	return rc;
}
