/* Fused kernels in the C target. A kernel (passes/fuse.c) is an anchor
 * followed by a chain of elementwise members; each member's result feeds
 * the next, so the chain is computed per element in registers:
 *
 *   - an elementwise anchor: one loop nest over the result, computing every
 *     member's formula in turn (c_emit_fused_elementwise);
 *   - a conv, gemm or matmul anchor: the anchor's own kernel, which calls
 *     c_epilogue() where it has a finished result element (or tile) and
 *     stores what the chain makes of it.
 *
 * Operands from outside the chain (a bias, a residual) are the parameters
 * e0, e1, ..., indexed by broadcasting them onto the result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/c/c.h"
#include "codegen/c/fast.h"
#include "codegen/c/loops.h"
#include "codegen/scalar.h"

/* ---- what the C target can fuse ---- */

/* The expression of member m over args[] (operands in their compute
 * dtypes; NULL where absent). Clip is spelled here: its bounds are
 * optional operands, which the scalar formulas do not take. */
static bool member_expr(struct dlc_strbuf *b, const struct dlc_node *m, const char *const *args)
{
	if (m->op != DLC_OP_CLIP)
		return scalar_node_expr(b, m, args);
	const char *x = args[0], *lo = args[1], *hi = args[2];
	if (lo && hi)
		dlc_sb_printf(b, "%s < %s ? %s : (%s < %s ? %s : %s)", x, lo, lo, hi, x, hi, x);
	else if (lo)
		dlc_sb_printf(b, "%s < %s ? %s : %s", x, lo, lo, x);
	else if (hi)
		dlc_sb_printf(b, "%s < %s ? %s : %s", hi, x, hi, x);
	else
		dlc_sb_printf(b, "%s", x);
	return true;
}

static bool has_formula(const struct dlc_node *n)
{
	static const char *const args[] = {"a0", "a1", "a2"};
	if (n->ninputs > 3 || n->noutputs != 1 || n->op == DLC_OP_MEAN)
		return false;
	/* the variadic ones have a binary formula */
	if ((n->op == DLC_OP_MAX || n->op == DLC_OP_MIN || n->op == DLC_OP_SUM) && n->ninputs != 2)
		return false;
	if (n->op == DLC_OP_CLIP && n->outputs[0]->type.dtype == DLC_BOOL)
		return false;
	const char *present[3];
	for (int i = 0; i < 3; i++)
		present[i] = i < n->ninputs && n->inputs[i].value ? args[i] : NULL;
	struct dlc_strbuf b = {0};
	bool ok = member_expr(&b, n, n->op == DLC_OP_CLIP ? present : args);
	dlc_sb_free(&b);
	return ok;
}

static bool is_elementwise(const struct dlc_node *n)
{
	unsigned f = dlc_op_info(n->op)->flags;
	return (f & DLC_OPF_ELEMWISE) && !(f & DLC_OPF_VIEW);
}

bool c_fusable(const struct dlc_node *n, const struct dlc_node *anchor, const struct dlc_kernel_opts *k)
{
	if (n != anchor && n->op == DLC_OP_MAX_POOL) /* the last member (codegen/c/pool.c) */
		return c_fast_pool_joins(n, anchor, k);
	const struct dlc_value *y = n->noutputs == 1 ? n->outputs[0] : NULL;
	if (!y || !c_type(y->type.dtype))
		return false;
	enum dlc_dtype t = y->type.dtype;
	if (n != anchor) {
		/* a conv, gemm or matmul stores the chain's result where its own
		 * goes: the members keep its element type */
		if (!is_elementwise(anchor) && t != anchor->outputs[0]->type.dtype)
			return false;
		return is_elementwise(n) && has_formula(n);
	}
	if (is_elementwise(n))
		return has_formula(n);
	switch (n->op) {
	case DLC_OP_CONV: /* the row form (f32, f64) */
	case DLC_OP_GEMM:
		return t == DLC_F32 || t == DLC_F64;
	case DLC_OP_MATMUL: /* matrices (not 1-D operands), row form */
		return (t == DLC_F32 || t == DLC_F64) && dlc_node_input(n, 0)->type.rank >= 2 &&
		       dlc_node_input(n, 1)->type.rank >= 2;
	default:
		return false;
	}
}

/* ---- the chain ---- */

/* The parameter number of operand v, or -1 if it is the chain's value. */
static int ext_index(const struct c_epilogue *ep, const struct dlc_value *v)
{
	for (int j = 0; j < ep->next; j++)
		if (ep->ext[j] == v)
			return j;
	return -1;
}

/* Appends " + x * k" (the first term without "+", "(x) * k" for a compound x). */
static void term(struct dlc_strbuf *b, size_t start, const char *x, int64_t k)
{
	bool compound = strchr(x, ' ') != NULL;
	dlc_sb_puts(b, b->len > start ? " + " : "");
	if (k == 1)
		dlc_sb_puts(b, x);
	else
		dlc_sb_printf(b, compound ? "(%s) * %lld" : "%s * %lld", x, (long long)k);
}

/* Offset of element idx[] of the result in external operand t (right-
 * aligned broadcast). Dims from `flat_from` on are one flattened index
 * `flat`, used as is when t runs over them like the result does. */
static void offset_expr(struct dlc_strbuf *b, const struct dlc_type *t, const struct dlc_type *out,
			const char *const *idx, int flat_from, const char *flat)
{
	int r = out->rank;
	int64_t os[DLC_MAX_RANK], ts[DLC_MAX_RANK], st[DLC_MAX_RANK];
	c_strides(out, os);
	c_strides(t, ts);
	for (int d = 0; d < r; d++) {
		int j = d - (r - t->rank);
		st[d] = j >= 0 && t->dims[j] == out->dims[d] && out->dims[d] != 1 ? ts[j] : 0;
	}
	size_t start = b->len;
	for (int d = 0; d < flat_from && d < r; d++)
		if (st[d])
			term(b, start, idx[d], st[d]);
	bool zero = true, same = true;
	for (int d = flat_from; d < r; d++) {
		zero = zero && !st[d];
		same = same && (st[d] == os[d] || out->dims[d] == 1);
	}
	/* flat may be an expression ("oh * 4 + ow"): parenthesized for / and % */
	char pf[80], part[128];
	if (flat && strspn(flat, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(flat)) {
		snprintf(pf, sizeof pf, "(%s)", flat);
		flat = pf;
	}
	if (same && !zero) {
		term(b, start, flat, 1);
	} else if (!zero) {
		for (int d = flat_from; d < r; d++) {
			if (!st[d])
				continue;
			if (os[d] == 1)
				snprintf(part, sizeof part, "%s %% %lld", flat, (long long)out->dims[d]);
			else if (d == flat_from)
				snprintf(part, sizeof part, "%s / %lld", flat, (long long)os[d]);
			else
				snprintf(part, sizeof part, "%s / %lld %% %lld", flat, (long long)os[d],
					 (long long)out->dims[d]);
			term(b, start, part, st[d]);
		}
	}
	if (b->len == start)
		dlc_sb_putc(b, '0');
}

/* Emits "const T t<k> = <member k>;" for each member; operand j of a member
 * is the previous member's value (x for the first) or a load of e<j> at
 * the offset that at(j) gives. */
typedef void (*offset_fn)(struct dlc_strbuf *b, int j, const struct dlc_value *v, void *ctx);

static void chain(struct cgen *c, const struct c_epilogue *ep, const char *x, offset_fn at,
		  void *ctx, char *result, size_t size)
{
	snprintf(result, size, "%s", x ? x : "");
	for (int k = 0; k < ep->nm; k++) {
		const struct dlc_node *m = ep->m[k];
		char loads[3][320];
		const char *args[3] = {NULL, NULL, NULL};
		for (int i = 0; i < m->ninputs && i < 3; i++) {
			const struct dlc_value *v = m->inputs[i].value;
			int j = v ? ext_index(ep, v) : -1;
			if (!v)
				continue;
			if (j < 0) {
				args[i] = result;
				continue;
			}
			struct dlc_strbuf e = {0};
			dlc_sb_printf(&e, "e%d[", j);
			at(&e, j, v, ctx);
			dlc_sb_putc(&e, ']');
			c_load(loads[i], sizeof loads[i], v->type.dtype, e.s);
			dlc_sb_free(&e);
			args[i] = loads[i];
			if (m->op == DLC_OP_CLIP || m->op == DLC_OP_WHERE) {
				/* into a local first: a load inside a conditional
				 * (Clip's bounds) would keep the loop scalar */
				char name[32];
				snprintf(name, sizeof name, "t%d_%d", k, i);
				emit_line(&c->e, "const %s %s = %s;", c_type(c_compute_dtype(v->type.dtype)), name,
					  loads[i]);
				snprintf(loads[i], sizeof loads[i], "%s", name);
			}
		}
		struct dlc_strbuf e = {0};
		member_expr(&e, m, args);
		emit_line(&c->e, "const %s t%d = %s;", c_type(c_compute_dtype(m->outputs[0]->type.dtype)),
			  k, e.s);
		dlc_sb_free(&e);
		snprintf(result, size, "t%d", k);
	}
}

struct epi_ctx {
	const struct c_epilogue *ep;
	const char *const *idx;
	int flat_from;
	const char *flat;
};

static void epi_at(struct dlc_strbuf *b, int j, const struct dlc_value *v, void *arg)
{
	const struct epi_ctx *x = arg;
	(void)j;
	offset_expr(b, &v->type, x->ep->out, x->idx, x->flat_from, x->flat);
}

const char *c_epilogue(struct cgen *c, const struct c_epilogue *ep, const char *x,
		       const char *const *idx, int flat_from, const char *flat)
{
	static char result[32];
	struct epi_ctx ctx = {ep, idx, flat_from, flat};
	chain(c, ep, x, epi_at, &ctx, result, sizeof result);
	return result;
}

/* ---- elementwise kernels ---- */

static void nest_at(struct dlc_strbuf *b, int j, const struct dlc_value *v, void *arg)
{
	const char *const *xi = arg;
	(void)v;
	dlc_sb_puts(b, xi[j]);
}

static void chain_body(struct cgen *c, const char *yi, const char *const *xi, void *arg)
{
	const struct c_epilogue *ep = arg;
	char cur[32], st[300];
	emit_open(&c->e, "{");
	chain(c, ep, NULL, nest_at, (void *)xi, cur, sizeof cur);
	emit_line(&c->e, "y[%s] = %s;", yi, c_store(st, sizeof st, ep->out->dtype, cur));
	emit_close(&c->e, NULL);
}

int c_emit_fused_elementwise(struct cgen *c, const struct c_epilogue *ep)
{
	const struct dlc_type *ops[C_MAX_STREAMS];
	if (ep->next >= C_MAX_STREAMS)
		return c_error(c, ep->m[0], "a fused kernel with %d operands (at most %d)", ep->next,
			       C_MAX_STREAMS - 1);
	for (int j = 0; j < ep->next; j++)
		ops[j] = &ep->ext[j]->type;
	c_loop_nest(c, ep->out, ep->next, ops, chain_body, (void *)ep);
	return 0;
}

/* ---- a kernel's members ---- */

static bool same_shape(const struct dlc_type *a, const struct dlc_type *b)
{
	if (a->rank != b->rank)
		return false;
	for (int i = 0; i < a->rank; i++)
		if (a->dims[i] != b->dims[i])
			return false;
	return true;
}

int c_kernel_chain(struct cgen *c, const struct dlc_node *anchor, struct c_epilogue *ep)
{
	*ep = (struct c_epilogue){0};
	bool elementwise = is_elementwise(anchor);
	int cap = 0, ecap = 0;
	const struct dlc_node **m = NULL;
	const struct dlc_value *prev = elementwise ? NULL : anchor->outputs[0];
	if (!c_fusable(anchor, anchor, &c->o->kernels))
		goto refuse;
	for (const struct dlc_node *n = elementwise ? anchor : anchor->next; n && n->kernel == anchor->kernel;
	     n = n->next) {
		if (n->op == DLC_OP_MAX_POOL && n != anchor) { /* it ends the kernel */
			if (!c_fusable(n, anchor, &c->o->kernels) || n->inputs[0].value != prev ||
			    (n->next && n->next->kernel == anchor->kernel))
				goto refuse_member;
			ep->pool = n;
			break;
		}
		if (!c_fusable(n, anchor, &c->o->kernels) || !same_shape(&n->outputs[0]->type, &anchor->outputs[0]->type))
			goto refuse_member;
		bool reads_prev = false;
		for (int i = 0; i < n->ninputs; i++) {
			const struct dlc_value *v = n->inputs[i].value;
			if (v && v == prev) {
				reads_prev = true;
				continue;
			}
			/* anything else comes from outside the kernel */
			if (v && v->kind == DLC_VALUE_NODE && v->producer->kernel == anchor->kernel)
				goto refuse_member;
			if (v && ext_index(ep, v) < 0) {
				DLC_GROW(ep->ext, ecap, ep->next + 1);
				ep->ext[ep->next++] = v;
			}
		}
		if (prev && !reads_prev)
			goto refuse_member;
		DLC_GROW(m, cap, ep->nm + 1);
		m[ep->nm++] = n;
		prev = n->outputs[0];
		continue;
	refuse_member:
		free(m);
		free(ep->ext);
		*ep = (struct c_epilogue){0};
		return c_error(c, n, "cannot join fused kernel %d in the C target (a chain of elementwise ops of the anchor's shape, each reading the previous result)",
			       anchor->kernel);
	}
	ep->m = m;
	ep->out = &prev->type;
	return 0;
refuse:
	return c_error(c, anchor, "cannot anchor fused kernel %d in the C target (a conv, gemm, matmul or elementwise op with a scalar formula)",
		       anchor->kernel);
}

void c_kernel_chain_free(struct c_epilogue *ep)
{
	free((void *)ep->m);
	free(ep->ext);
}
