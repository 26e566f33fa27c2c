/* match-attention: scaled dot-product attention written out as matmuls and
 * a softmax becomes one attention node (ONNX Attention semantics, 4-D):
 *
 *   s = matmul(Q * a, K' * b)      K' = K transposed in its last two dims;
 *                                  a, b optional scalar constants
 *   s = s * c  (or s / c)          optional
 *   s = where(C, -inf, s)          optional mask: C true masks out, or
 *   s = s + M                      an additive float mask
 *   y = matmul(softmax(s, -1), V)
 *
 * becomes attention(Q, K, V, mask) {scale = a * b * c}. The kernel computes
 * each query's scores, softmax and weighted sum of V in one pass per row,
 * never storing the [L, S] score matrix (which the written-out form writes
 * and reads three to five times). K is taken from before the transpose that
 * made K' when there is one (composing permutations), else transposed
 * back. A where mask becomes the bool keep-mask NOT C (a constant when C is
 * one). Q, K', V must be [B, H, L, D], [B, H, D, S], [B, H, S, Dv] of one
 * float type; masks must broadcast to [B, H, L, S] with S itself last (an
 * attention mask shorter than S means padding, not broadcasting). Rows
 * whose every key is masked differ (attention gives 0, the written-out
 * softmax NaN); a where mask of constants with such a row is not matched. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlc/build.h"
#include "dlc/ir.h"
#include "dlc/pass.h"
#include "dlc/util.h"

static struct dlc_node *producer(const struct dlc_value *v, enum dlc_op op)
{
	return v && v->kind == DLC_VALUE_NODE && v->producer->op == op ? v->producer : NULL;
}

static bool scalar(const struct dlc_value *v, double *x)
{
	if (!dlc_is_const(v) || dlc_type_numel(&v->type) != 1 || !dlc_dtype_is_float(v->type.dtype))
		return false;
	*x = dlc_const_element(v, 0);
	return true;
}

/* If v = mul(t, c) or mul(c, t) with a scalar constant c: t, and c into
 * *scale. */
static struct dlc_value *unscale(struct dlc_value *v, double *scale)
{
	const struct dlc_node *m = producer(v, DLC_OP_MUL), *d = producer(v, DLC_OP_DIV);
	double c;
	for (int i = 0; m && i < 2; i++)
		if (scalar(dlc_node_input(m, i), &c)) {
			*scale *= c;
			return dlc_node_input(m, 1 - i);
		}
	if (d && scalar(dlc_node_input(d, 1), &c) && c != 0) {
		*scale /= c;
		return dlc_node_input(d, 0);
	}
	return v;
}

struct attn {
	struct dlc_value *q, *kt, *v, *mask; /* mask: C of the where, or M */
	bool where_mask;
	double scale;
	int64_t B, H, L, S, D, DV;
};

static bool dims4(const struct dlc_value *v, int64_t a, int64_t b, int64_t c, int64_t d)
{
	const int64_t *x = v->type.dims;
	return v->type.rank == 4 && x[0] == a && x[1] == b && (c < 0 || x[2] == c) && (d < 0 || x[3] == d);
}

/* A mask broadcasting to [B, H, L, S] with S last. */
static bool mask_fits(const struct dlc_value *m, const struct attn *a)
{
	int r = m->type.rank;
	int64_t full[4] = {a->B, a->H, a->L, a->S};
	if (r < 1 || r > 4 || m->type.dims[r - 1] != a->S)
		return false;
	for (int i = 0; i < r - 1; i++) {
		int64_t d = m->type.dims[i], want = full[4 - r + i];
		if (d != 1 && d != want)
			return false;
	}
	return true;
}

/* A constant bool mask with a row that masks every key: attention makes
 * such a row 0, the written-out softmax NaN. */
static bool masks_a_row(const struct dlc_value *c)
{
	int64_t s = c->type.dims[c->type.rank - 1], n = dlc_type_numel(&c->type);
	for (int64_t row = 0; row < n; row += s) {
		bool all = true;
		for (int64_t j = 0; all && j < s; j++)
			all = dlc_const_element(c, row + j) != 0;
		if (all)
			return true;
	}
	return false;
}

static bool match(const struct dlc_node *sm, struct attn *a)
{
	const struct dlc_value *p = sm->outputs[0];
	struct dlc_value *s = dlc_node_input(sm, 0);
	int r = s->type.rank;
	if (r != 4 || (dlc_node_int(sm, "axis") != -1 && dlc_node_int(sm, "axis") != 3) ||
	    (s->type.dtype != DLC_F32 && s->type.dtype != DLC_F64) || p->nuses != 1 || p->noutputs)
		return false;
	const struct dlc_node *mm2 = p->uses->user;
	if (mm2->op != DLC_OP_MATMUL || dlc_node_input(mm2, 0) != p)
		return false;
	a->v = dlc_node_input(mm2, 1);
	/* the mask */
	a->mask = NULL;
	a->where_mask = false;
	const struct dlc_node *w = producer(s, DLC_OP_WHERE), *add = producer(s, DLC_OP_ADD);
	double ninf;
	if (w && scalar(dlc_node_input(w, 1), &ninf) && isinf(ninf) && ninf < 0) {
		a->mask = dlc_node_input(w, 0);
		a->where_mask = true;
		s = dlc_node_input(w, 2);
	} else if (add) {
		for (int i = 0; i < 2 && !a->mask; i++) {
			struct dlc_value *t = dlc_node_input(add, i);
			double unused = 1;
			if (producer(unscale(t, &unused), DLC_OP_MATMUL)) {
				a->mask = dlc_node_input(add, 1 - i);
				s = t;
			}
		}
	}
	a->scale = 1;
	s = unscale(s, &a->scale);
	const struct dlc_node *mm = producer(s, DLC_OP_MATMUL);
	if (!mm)
		return false;
	a->q = unscale(dlc_node_input(mm, 0), &a->scale);
	a->kt = unscale(dlc_node_input(mm, 1), &a->scale);
	/* shapes */
	const int64_t *qd = a->q->type.dims;
	if (a->q->type.rank != 4 || a->q->type.dtype != s->type.dtype)
		return false;
	a->B = qd[0];
	a->H = qd[1];
	a->L = qd[2];
	a->D = qd[3];
	a->S = a->kt->type.rank == 4 ? a->kt->type.dims[3] : -1;
	a->DV = a->v->type.rank == 4 ? a->v->type.dims[3] : -1;
	if (!dims4(a->kt, a->B, a->H, a->D, a->S) || !dims4(a->v, a->B, a->H, a->S, a->DV) ||
	    a->kt->type.dtype != s->type.dtype || a->v->type.dtype != s->type.dtype ||
	    !dlc_type_is_static(&a->q->type) || !dlc_type_is_static(&a->v->type) ||
	    !dims4(mm2->outputs[0], a->B, a->H, a->L, a->DV))
		return false;
	if (a->mask && (!mask_fits(a->mask, a) ||
			(a->where_mask ? a->mask->type.dtype != DLC_BOOL
				       : a->mask->type.dtype != s->type.dtype)))
		return false;
	if (a->where_mask && dlc_is_const(a->mask) && masks_a_row(a->mask))
		return false;
	return true;
}

/* K: from before the transpose that made K', or K' transposed back. */
static struct dlc_value *key(struct dlc_graph *g, struct dlc_node *pos, struct dlc_value *kt,
			     struct dlc_diag *d)
{
	int64_t perm[4] = {0, 1, 3, 2};
	struct dlc_value *src = kt;
	const struct dlc_node *t = producer(kt, DLC_OP_TRANSPOSE);
	const int64_t *p;
	if (t && dlc_node_ints(t, "perm", &p) == 4) { /* K = transpose(R, p o swap) */
		int64_t q[4] = {p[0], p[1], p[3], p[2]};
		memcpy(perm, q, sizeof perm);
		src = dlc_node_input(t, 0);
	}
	if (perm[0] == 0 && perm[1] == 1 && perm[2] == 2 && perm[3] == 3)
		return src;
	struct dlc_node *n = dlc_node_new(g, DLC_OP_TRANSPOSE, pos->name, 1, &src, 1);
	dlc_node_set_ints(n, "perm", 4, perm);
	return dlc_node_place(g, pos, n, d) < 0 ? NULL : n->outputs[0];
}

/* The keep-mask of a where mask: NOT C. */
static struct dlc_value *keep_mask(struct dlc_graph *g, struct dlc_node *pos, struct dlc_value *c,
				   struct dlc_diag *d)
{
	if (dlc_is_const(c)) {
		int64_t n = dlc_type_numel(&c->type);
		unsigned char *keep = dlc_xmalloc((size_t)n + 1);
		for (int64_t i = 0; i < n; i++)
			keep[i] = dlc_const_element(c, i) == 0;
		struct dlc_value *k = dlc_const_copy(g, "keep", c->type, keep);
		free(keep);
		return k;
	}
	struct dlc_node *n = dlc_node_new(g, DLC_OP_NOT, pos->name, 1, &c, 1);
	return dlc_node_place(g, pos, n, d) < 0 ? NULL : n->outputs[0];
}

static int replace(struct dlc_graph *g, struct dlc_node *mm2, struct attn *a, struct dlc_diag *d)
{
	struct dlc_value *k = key(g, mm2, a->kt, d);
	struct dlc_value *mask = a->mask;
	if (!k || (a->where_mask && !(mask = keep_mask(g, mm2, a->mask, d))))
		return -1;
	struct dlc_value *ops[4] = {a->q, k, a->v, mask};
	struct dlc_node *n = dlc_node_new(g, DLC_OP_ATTENTION, mm2->name, mask ? 4 : 3, ops, 1);
	dlc_node_set_float(n, "scale", (float)a->scale);
	if (dlc_node_place(g, mm2, n, d) < 0)
		return -1;
	struct dlc_value *y = mm2->outputs[0];
	dlc_value_replace_uses(g, y, n->outputs[0]);
	char *name = dlc_xstrdup(y->name); /* the result keeps its name */
	dlc_node_remove(g, mm2);
	dlc_value_take_name(g, n->outputs[0], name);
	free(name);
	return 0;
}

int pass_match_attention(struct dlc_graph *g, struct dlc_pass_ctx *ctx)
{
	dlc_foreach_node_safe(g, sm, tmp) {
		struct attn a;
		if (sm->op != DLC_OP_SOFTMAX || !sm->outputs[0] || !match(sm, &a))
			continue;
		struct dlc_node *mm2 = sm->outputs[0]->uses->user;
		if (tmp == mm2)
			tmp = mm2->next;
		if (replace(g, mm2, &a, ctx->diag) < 0)
			return -1;
	}
	return 0;
}
