/* The bodies of the fast Gemm and MatMul kernels, and attention's score
 * product: call sites of the blocked sgemm (codegen/c/sgemm.c) and the
 * epilogue that finishes each tile (Gemm's alpha and beta * C, the fused
 * chain, indexed by the tile's rows and columns). */
#include <string.h>

#include "codegen/c/fast.h"

void c_fast_emit_scores(struct cgen *c, const struct dlc_node *n, const char *q, const char *k)
{
	const struct c_fast_plan *p = c_fast_of(c, n);
	char y[64];
	snprintf(y, sizeof y, "s + %lld", (long long)p->scores);
	struct c_sgemm_site site = {.a = q, .b = k, .y = y};
	c_sgemm_emit(c, p, &site);
}

void c_fast_emit_wsum(struct cgen *c, const struct dlc_node *n, const char *v, const char *y)
{
	const struct c_fast_plan *p = c_fast_of(c, n);
	struct c_fast_plan w;
	c_fast_plan_wsum(p, &w);
	char a[64], ws[64];
	snprintf(a, sizeof a, "s + %lld", (long long)p->scores);
	snprintf(ws, sizeof ws, "s + %lld", (long long)p->wsum);
	struct c_sgemm_site site = {.a = a, .b = v, .y = y, .scratch = ws};
	c_sgemm_emit(c, &w, &site);
}

/* The result index of row r, column col of the product, for c_epilogue:
 * its dims but the last from r, the last one col. */
void c_fast_row_index(struct cgen *c, const struct finish_ctx *x, const char *row, const char *col,
		      const char *at)
{
	static char bufs[DLC_MAX_RANK][96];
	const char *idx[DLC_MAX_RANK];
	int64_t below = 1;
	for (int d = x->rank - 2; d >= 0; d--) {
		if (d == x->rank - 2 && d == 0)
			snprintf(bufs[d], sizeof bufs[d], "%s", row);
		else if (below == 1)
			snprintf(bufs[d], sizeof bufs[d], "%s %% %lld", row, (long long)x->dims[d]);
		else if (d == 0)
			snprintf(bufs[d], sizeof bufs[d], "%s / %lld", row, (long long)below);
		else
			snprintf(bufs[d], sizeof bufs[d], "%s / %lld %% %lld", row, (long long)below,
				 (long long)x->dims[d]);
		below *= x->dims[d];
		idx[d] = bufs[d];
	}
	emit_line(&c->e, "%s = %s;", at, c_epilogue(c, c->ep, at, idx, x->rank - 1, col));
}

static void finish_gemm(struct cgen *c, const void *arg, const char *row, const char *col, const char *at)
{
	const struct finish_ctx *x = arg;
	const struct dlc_node *n = x->n;
	const struct dlc_value *cc = n->ninputs > 2 ? n->inputs[2].value : NULL;
	float alpha = dlc_node_float(n, "alpha"), beta = dlc_node_float(n, "beta");
	char lit[64];
	if (alpha != 1.0f) {
		c_float(lit, sizeof lit, alpha, DLC_F32);
		emit_line(&c->e, "%s *= %s;", at, lit);
	}
	if (cc && beta != 0.0f) { /* C broadcasts onto [M, N] */
		const struct dlc_type *t = &cc->type;
		int64_t si = t->rank == 2 && t->dims[0] != 1 ? t->dims[1] : 0;
		bool sj = t->rank >= 1 && t->dims[t->rank - 1] != 1;
		struct dlc_strbuf ci = {0};
		if (si)
			dlc_sb_printf(&ci, "%s * %lld%s%s", row, (long long)si, sj ? " + " : "", sj ? col : "");
		else
			dlc_sb_puts(&ci, sj ? col : "0");
		if (beta == 1.0f) {
			emit_line(&c->e, "%s += c[%s];", at, ci.s);
		} else {
			c_float(lit, sizeof lit, beta, DLC_F32);
			emit_line(&c->e, "%s += %s * c[%s];", at, lit, ci.s);
		}
		dlc_sb_free(&ci);
	}
	if (c->ep)
		c_fast_row_index(c, x, row, col, at);
}

static void finish_matmul(struct cgen *c, const void *arg, const char *row, const char *col, const char *at)
{
	const struct finish_ctx *x = arg;
	if (!c->ep)
		return;
	if (x->p->images == 1) {
		c_fast_row_index(c, x, row, col, at);
		return;
	}
	/* batched: the batch dims are the loop variables b0, b1, ... */
	static char names[DLC_MAX_RANK][8];
	const char *idx[DLC_MAX_RANK];
	for (int d = 0; d < x->rank - 2; d++) {
		snprintf(names[d], sizeof names[d], "b%d", d);
		idx[d] = names[d];
	}
	idx[x->rank - 2] = row;
	emit_line(&c->e, "%s = %s;", at, c_epilogue(c, c->ep, at, idx, x->rank - 1, col));
}

void c_fast_emit_gemm(struct cgen *c, const struct dlc_node *n, const struct c_fast_plan *p)
{
	const struct dlc_type *y = &n->outputs[0]->type;
	struct finish_ctx x = {n, p, y->rank, y->dims};
	const struct dlc_value *cc = n->ninputs > 2 ? n->inputs[2].value : NULL;
	bool any = c->ep || dlc_node_float(n, "alpha") != 1.0f || (cc && dlc_node_float(n, "beta") != 0.0f);
	struct c_sgemm_site s = {.a = "a", .b = "b", .y = "y", .finish = any ? finish_gemm : NULL, .ctx = &x};
	if (cc && dlc_node_float(n, "beta") == 0.0f)
		emit_line(&c->e, "(void)c;");
	c_sgemm_emit(c, p, &s);
}

/* Batched MatMul: one product per batch index, A's and B's matrices picked
 * by broadcasting (a stride of 0 along a dim of size 1). */
void c_fast_emit_matmul(struct cgen *c, const struct dlc_node *n, const struct c_fast_plan *p)
{
	const struct dlc_type *y = &n->outputs[0]->type;
	struct finish_ctx x = {n, p, y->rank, y->dims};
	if (p->images == 1) {
		struct c_sgemm_site s = {.a = "a", .b = "b", .y = "y", .finish = c->ep ? finish_matmul : NULL, .ctx = &x};
		c_sgemm_emit(c, p, &s);
		return;
	}
	const struct dlc_type *at = &n->inputs[0].value->type, *bt = &n->inputs[1].value->type;
	int br = y->rank - 2;
	int64_t sa = 0, sb = 0, sy = p->M * p->N;
	struct dlc_strbuf ea = {0}, eb = {0}, ey = {0};
	int64_t ma = at->rank > 1 ? p->M * p->K : p->K, mb = p->K * p->N;
	for (int d = br - 1; d >= 0; d--) {
		int ia = d - (br - (at->rank - 2)), ib = d - (br - (bt->rank - 2));
		int64_t da = ia >= 0 ? at->dims[ia] : 1, db = ib >= 0 ? bt->dims[ib] : 1;
		sa = ma;
		sb = mb;
		if (da != 1)
			dlc_sb_printf(&ea, " + b%d * %lld", d, (long long)sa);
		if (db != 1)
			dlc_sb_printf(&eb, " + b%d * %lld", d, (long long)sb);
		dlc_sb_printf(&ey, " + b%d * %lld", d, (long long)sy);
		ma *= da;
		mb *= db;
		sy *= y->dims[d];
	}
	for (int d = 0; d < br; d++)
		emit_open(&c->e, "for (long b%d = 0; b%d < %lld; b%d++) {", d, d, (long long)y->dims[d], d);
	char a[300], b[300], yy[300];
	snprintf(a, sizeof a, "a%s", ea.s ? ea.s : "");
	snprintf(b, sizeof b, "b%s", eb.s ? eb.s : "");
	snprintf(yy, sizeof yy, "y%s", ey.s ? ey.s : "");
	struct c_sgemm_site s = {.a = a, .b = b, .y = yy, .finish = c->ep ? finish_matmul : NULL, .ctx = &x};
	c_sgemm_emit(c, p, &s);
	for (int d = 0; d < br; d++)
		emit_close(&c->e, NULL);
	dlc_sb_free(&ea);
	dlc_sb_free(&eb);
	dlc_sb_free(&ey);
}
