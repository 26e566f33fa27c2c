/* C kernels of elementwise ops: one loop (or a loop nest for broadcasting)
 * around the op's scalar formula from codegen/scalar.c. Shapes are
 * constants, so every bound and stride is a literal. */
#include <string.h>

#include "codegen/c/c.h"
#include "codegen/c/loops.h"
#include "codegen/scalar.h"

/* y[i] = f(x[i]); f16/bf16 are loaded to float and stored back. */
int c_emit_unary(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0);
	struct dlc_strbuf expr = {0};
	char in[64], out[256];
	const char *args[] = {c_load(in, sizeof in, x->dtype, "x[i]")};
	if (!scalar_expr(&expr, n->op, c_compute_dtype(x->dtype), args)) {
		dlc_sb_free(&expr);
		return c_error(c, n, "element type %s is not supported by the C target yet",
			       dlc_dtype_name(x->dtype));
	}
	emit_line(&c->e, "for (int i = 0; i < %lld; i++)", (long long)dlc_type_numel(x));
	emit_line(&c->e, "\ty[i] = %s;", c_store(out, sizeof out, c_out(n, 0)->dtype, expr.s));
	dlc_sb_free(&expr);
	return 0;
}

struct binary_ctx {
	const struct dlc_node *n;
	bool ok;
};

static void binary_body(struct cgen *c, const char *yi, const char *const *xi, void *arg)
{
	struct binary_ctx *b = arg;
	enum dlc_dtype t = c_in(b->n, 0)->dtype;
	char a[160], bb[160], la[200], lb[200], st[512];
	snprintf(a, sizeof a, "a[%s]", xi[0]);
	snprintf(bb, sizeof bb, "b[%s]", xi[1]);
	const char *args[] = {c_load(la, sizeof la, t, a), c_load(lb, sizeof lb, t, bb)};
	struct dlc_strbuf expr = {0};
	b->ok = scalar_expr(&expr, b->n->op, c_compute_dtype(t), args);
	emit_line(&c->e, "y[%s] = %s;", yi,
		  c_store(st, sizeof st, c_out(b->n, 0)->dtype, expr.s ? expr.s : "0"));
	dlc_sb_free(&expr);
}

int c_emit_binary(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *ops[2] = {c_in(n, 0), c_in(n, 1)};
	if (ops[0]->dtype == DLC_BOOL || !c_type(ops[0]->dtype))
		return c_error(c, n, "element type %s is not supported by the C target yet",
			       dlc_dtype_name(ops[0]->dtype));
	struct binary_ctx b = {.n = n, .ok = true};
	c_loop_nest(c, c_out(n, 0), 2, ops, binary_body, &b);
	return b.ok ? 0 : c_error(c, n, "no formula for element type %s", dlc_dtype_name(ops[0]->dtype));
}

/* Bounds are scalars read at run time; NaN in x comes out as NaN. */
int c_emit_clip(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0);
	if (x->dtype == DLC_BOOL)
		return c_error(c, n, "element type bool is not supported");
	bool lo = c_in(n, 1) != NULL, hi = c_in(n, 2) != NULL;
	enum dlc_dtype dt = x->dtype;
	const char *t = c_type(c_compute_dtype(dt));
	char b1[64], b2[64];
	if (lo)
		emit_line(&c->e, "const %s l = %s;", t, c_load(b1, sizeof b1, dt, "lo[0]"));
	if (hi)
		emit_line(&c->e, "const %s h = %s;", t, c_load(b1, sizeof b1, dt, "hi[0]"));
	emit_open(&c->e, "for (int i = 0; i < %lld; i++) {", (long long)dlc_type_numel(x));
	emit_line(&c->e, "%s v = %s;", t, c_load(b1, sizeof b1, dt, "x[i]"));
	if (lo)
		emit_line(&c->e, "v = v < l ? l : v;");
	if (hi)
		emit_line(&c->e, "v = h < v ? h : v;");
	emit_line(&c->e, "y[i] = %s;", c_store(b2, sizeof b2, dt, "v"));
	emit_close(&c->e, NULL);
	return 0;
}

/* Inference: the data result is a view of x (not a parameter here); the
 * mask is all true. */
int c_emit_dropout(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *m = c_out(n, 1);
	emit_line(&c->e, "(void)x;");
	if (c_in(n, 1))
		emit_line(&c->e, "(void)ratio;");
	if (c_in(n, 2))
		emit_line(&c->e, "(void)training;");
	if (m)
		emit_line(&c->e, "memset(mask, 1, %lld);", (long long)dlc_type_numel(m));
	return 0;
}

/* A plain copy, for a view whose result cannot share its operand's bytes. */
int c_emit_copy(struct cgen *c, const struct dlc_node *n)
{
	if (n->ninputs > 1 && c_in(n, 1))
		emit_line(&c->e, "(void)shape;");
	emit_line(&c->e, "memcpy(y, x, %lld);", (long long)dlc_type_nbytes(c_out(n, 0)));
	return 0;
}
