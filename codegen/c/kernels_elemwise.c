/* C kernels of elementwise ops: one loop (or a loop nest for broadcasting)
 * around the op's scalar formula from codegen/scalar.c. Shapes are
 * constants, so every bound and stride is a literal. */
#include <string.h>

#include "codegen/c/c.h"
#include "codegen/c/loops.h"
#include "codegen/scalar.h"

int c_emit_unary(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0);
	struct dlc_strbuf expr = {0};
	const char *args[] = {"x[i]"};
	if (!scalar_expr(&expr, n->op, x->dtype, args)) {
		dlc_sb_free(&expr);
		return c_error(c, n, "element type %s is not supported by the C target yet",
			       dlc_dtype_name(x->dtype));
	}
	emit_line(&c->e, "for (int i = 0; i < %lld; i++)", (long long)dlc_type_numel(x));
	emit_line(&c->e, "\ty[i] = %s;", expr.s);
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
	char a[128], bb[128];
	snprintf(a, sizeof a, "a[%s]", xi[0]);
	snprintf(bb, sizeof bb, "b[%s]", xi[1]);
	const char *args[] = {a, bb};
	struct dlc_strbuf expr = {0};
	b->ok = scalar_expr(&expr, b->n->op, c_in(b->n, 0)->dtype, args);
	emit_line(&c->e, "y[%s] = %s;", yi, expr.s ? expr.s : "0");
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
	const char *t = c_type(x->dtype);
	emit_open(&c->e, "for (int i = 0; i < %lld; i++) {", (long long)dlc_type_numel(x));
	emit_line(&c->e, "%s v = x[i];", t);
	if (lo)
		emit_line(&c->e, "v = v < lo[0] ? lo[0] : v;");
	if (hi)
		emit_line(&c->e, "v = hi[0] < v ? hi[0] : v;");
	emit_line(&c->e, "y[i] = v;");
	emit_close(&c->e, NULL);
	return 0;
}

/* Inference: the data result is a view of x; the mask is all true. */
int c_emit_dropout(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *m = c_out(n, 1);
	emit_line(&c->e, "(void)x;");
	if (c_in(n, 1))
		emit_line(&c->e, "(void)ratio;");
	if (c_in(n, 2))
		emit_line(&c->e, "(void)training;");
	if (c_out(n, 0))
		emit_line(&c->e, "(void)y; /* the same bytes as x */");
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
