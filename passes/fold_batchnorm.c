/* fold-batchnorm: an inference batch_norm right after a conv or a gemm with
 * constant weights is folded into them. With s = scale / sqrt(var + eps):
 *   conv: W'[m] = W[m] * s[m],        b'[m] = (b[m] - mean[m]) * s[m] + bias[m]
 *   gemm: B'[:,n] = B[:,n] * s[n],     C'[n] = (beta*C[n] - mean[n]) * s[n] + bias[n]
 * (gemm's alpha stays; its beta becomes 1). The producer must feed nothing
 * but the batch_norm. Arithmetic is done in double, stored in f32/f64. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlc/build.h"
#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/pass.h"
#include "dlc/util.h"

static bool float_const(const struct dlc_value *v, enum dlc_dtype t)
{
	return dlc_is_const(v) && v->type.dtype == t;
}

static void store(void *p, enum dlc_dtype t, int64_t i, double x)
{
	if (t == DLC_F32)
		((float *)p)[i] = (float)x;
	else
		((double *)p)[i] = x;
}

/* Per-channel s and t = bias - mean * s of the batch_norm, or NULL. */
static double *bn_scale(const struct dlc_node *bn, enum dlc_dtype t, int64_t ch)
{
	for (int i = 1; i < 5; i++)
		if (!float_const(dlc_node_input(bn, i), t) ||
		    dlc_type_numel(&dlc_node_input(bn, i)->type) != ch)
			return NULL;
	double eps = dlc_node_float(bn, "epsilon");
	double *s = dlc_xcalloc((size_t)ch * 2, sizeof *s);
	for (int64_t c = 0; c < ch; c++) {
		s[c] = dlc_const_element(dlc_node_input(bn, 1), c) /
		       sqrt(dlc_const_element(dlc_node_input(bn, 4), c) + eps);
		s[ch + c] = dlc_const_element(dlc_node_input(bn, 2), c) -
			    dlc_const_element(dlc_node_input(bn, 3), c) * s[c];
	}
	return s;
}

/* Replaces producer p (conv or gemm) and bn by a copy of p over new operands. */
static int replace(struct dlc_graph *g, struct dlc_node *p, struct dlc_node *bn,
		   struct dlc_value **ops, int nops, struct dlc_diag *d)
{
	struct dlc_node *n = dlc_node_new(g, p->op, p->name, nops, ops, 1);
	for (int i = 0; i < p->nattrs; i++)
		dlc_node_set_attr(n, &p->attrs[i]);
	if (p->op == DLC_OP_GEMM)
		dlc_node_set_float(n, "beta", 1.0f);
	if (dlc_node_place(g, bn, n, d) < 0)
		return -1;
	dlc_value_replace_uses(g, bn->outputs[0], n->outputs[0]);
	dlc_node_remove(g, bn);
	dlc_node_remove(g, p);
	return 0;
}

static int fold_conv(struct dlc_graph *g, struct dlc_node *conv, struct dlc_node *bn,
		     struct dlc_diag *d)
{
	struct dlc_value *w = dlc_node_input(conv, 1), *b = dlc_node_input(conv, 2);
	enum dlc_dtype t = w->type.dtype;
	int64_t m = w->type.dims[0];
	if (!float_const(w, t) || (b && !float_const(b, t)))
		return 0;
	double *s = bn_scale(bn, t, m);
	if (!s)
		return 0;
	int64_t per = dlc_type_numel(&w->type) / (m ? m : 1);
	size_t es = dlc_dtype_size(t);
	void *wd = dlc_xmalloc((size_t)dlc_type_nbytes(&w->type) + 1), *bd = dlc_xmalloc((size_t)m * es + 1);
	for (int64_t o = 0; o < m; o++) {
		for (int64_t k = 0; k < per; k++)
			store(wd, t, o * per + k, dlc_const_element(w, o * per + k) * s[o]);
		store(bd, t, o, (b ? dlc_const_element(b, o) : 0) * s[o] + s[m + o]);
	}
	struct dlc_value *ops[3] = {dlc_node_input(conv, 0), dlc_const_copy(g, w->name, w->type, wd),
				    dlc_const_copy(g, b ? b->name : "bias", dlc_type_make(t, 1, &m), bd)};
	free(wd);
	free(bd);
	free(s);
	return replace(g, conv, bn, ops, 3, d) < 0 ? -1 : 1;
}

static int fold_gemm(struct dlc_graph *g, struct dlc_node *gemm, struct dlc_node *bn,
		     struct dlc_diag *d)
{
	struct dlc_value *bm = dlc_node_input(gemm, 1), *c = dlc_node_input(gemm, 2);
	enum dlc_dtype t = bm->type.dtype;
	bool tb = dlc_node_int(gemm, "transB");
	int64_t n = gemm->outputs[0]->type.dims[1], k = bm->type.dims[tb ? 1 : 0];
	if (!float_const(bm, t) || (c && !float_const(c, t)))
		return 0;
	/* C must broadcast along the rows: one value per column (or a scalar) */
	int64_t cn = c ? dlc_type_numel(&c->type) : 0;
	if (c && !(cn == 1 || (cn == n && c->type.dims[c->type.rank - 1] == n)))
		return 0;
	double *s = bn_scale(bn, t, n);
	if (!s)
		return 0;
	double beta = dlc_node_float(gemm, "beta");
	size_t es = dlc_dtype_size(t);
	void *bd = dlc_xmalloc((size_t)dlc_type_nbytes(&bm->type) + 1), *cd = dlc_xmalloc((size_t)n * es + 1);
	for (int64_t j = 0; j < n; j++) {
		for (int64_t r = 0; r < k; r++) {
			int64_t at = tb ? j * k + r : r * n + j;
			store(bd, t, at, dlc_const_element(bm, at) * s[j]);
		}
		double cj = c ? dlc_const_element(c, cn == 1 ? 0 : j) : 0;
		store(cd, t, j, beta * cj * s[j] + s[n + j]);
	}
	struct dlc_value *ops[3] = {dlc_node_input(gemm, 0), dlc_const_copy(g, bm->name, bm->type, bd),
				    dlc_const_copy(g, c ? c->name : "bias", dlc_type_make(t, 1, &n), cd)};
	free(bd);
	free(cd);
	free(s);
	return replace(g, gemm, bn, ops, 3, d) < 0 ? -1 : 1;
}

int pass_fold_batchnorm(struct dlc_graph *g, struct dlc_pass_ctx *ctx)
{
	dlc_foreach_node_safe(g, bn, tmp) {
		if (bn->op != DLC_OP_BATCH_NORM || dlc_node_int(bn, "training_mode") ||
		    bn->noutputs != 1)
			continue;
		struct dlc_value *y = dlc_node_input(bn, 0);
		struct dlc_node *p = y->kind == DLC_VALUE_NODE ? y->producer : NULL;
		if (!p || y->nuses != 1 || y->noutputs || p->noutputs != 1)
			continue;
		enum dlc_dtype t = y->type.dtype;
		if (t != DLC_F32 && t != DLC_F64)
			continue;
		int rc = 0;
		if (p->op == DLC_OP_CONV)
			rc = fold_conv(g, p, bn, ctx->diag);
		else if (p->op == DLC_OP_GEMM && y->type.rank == 2)
			rc = fold_gemm(g, p, bn, ctx->diag);
		if (rc < 0)
			return -1;
	}
	return 0;
}
