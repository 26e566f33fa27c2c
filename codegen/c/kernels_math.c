/* C kernels of elementwise math, logic, comparisons and casts: one loop
 * nest over the result, with operands broadcast numpy-style (strides are
 * literals; contiguous dims merge into one loop), around the op's scalar
 * formula from codegen/scalar.c. Each operand is loaded in its own compute
 * type (Pow's base and exponent, Where's condition and values differ) and
 * the result is stored in its dtype. */
#include <stdio.h>
#include <string.h>

#include "codegen/c/c.h"
#include "codegen/c/loops.h"
#include "codegen/scalar.h"

/* The kernel parameter of operand i, or of the result with i = -1: the
 * c_kernels[] list names the op's operands then its results; "*" stands for
 * x0, x1, ... (as target.c names them). */
static void param(const struct dlc_node *n, int i, char *buf, size_t size)
{
	const char *p = c_kernels[n->op].params;
	bool variadic = p[0] == '*';
	if (variadic && i >= 0) {
		snprintf(buf, size, "x%d", i);
		return;
	}
	int want = i >= 0 ? i : variadic ? 1 : dlc_op_info(n->op)->max_inputs;
	for (int k = 0; k < want && p; k++) {
		p = strchr(p, ',');
		p = p ? p + 1 : NULL;
	}
	DLC_ASSERT(p);
	snprintf(buf, size, "%.*s", (int)strcspn(p, ","), p);
}

static bool is_variadic(enum dlc_op op)
{
	return op == DLC_OP_MAX || op == DLC_OP_MIN || op == DLC_OP_SUM || op == DLC_OP_MEAN;
}

struct map_ctx {
	const struct dlc_node *n;
	bool ok;
};

/* y[yi] = f(x0[xi[0]], x1[xi[1]], ...) */
static void map_body(struct cgen *c, const char *yi, const char *const *xi, void *arg)
{
	struct map_ctx *m = arg;
	const struct dlc_node *n = m->n;
	enum dlc_dtype rt = c_out(n, 0)->dtype;
	int nops = n->ninputs;
	char name[32], raw[300], loads[C_MAX_STREAMS][340], y[300], st[16384];
	const char *args[C_MAX_STREAMS];
	for (int k = 0; k < nops; k++) {
		param(n, k, name, sizeof name);
		snprintf(raw, sizeof raw, "%s[%s]", name, xi[k]);
		args[k] = c_load(loads[k], sizeof loads[k], c_in(n, k)->dtype, raw);
	}
	param(n, -1, name, sizeof name);
	snprintf(y, sizeof y, "%s[%s]", name, yi);
	struct dlc_strbuf e = {0};
	if (is_variadic(n->op)) {
		/* fold: step(step(x0, x1), x2) ...; the steps are helper calls or
		 * sums, so each operand appears once */
		dlc_sb_puts(&e, args[0]);
		for (int k = 1; k < nops && m->ok; k++) {
			struct dlc_strbuf step = {0};
			const char *pair[2] = {e.s, args[k]};
			m->ok = scalar_node_expr(&step, n, pair);
			dlc_sb_free(&e);
			e = step;
		}
		if (n->op == DLC_OP_MEAN && nops > 1) {
			struct dlc_strbuf w = {0};
			dlc_sb_printf(&w, "(%s) / %d", e.s, nops);
			dlc_sb_free(&e);
			e = w;
		}
	} else {
		m->ok = m->ok && scalar_node_expr(&e, n, args);
	}
	emit_line(&c->e, "%s = %s;", y, c_store(st, sizeof st, rt, e.s ? e.s : "0"));
	dlc_sb_free(&e);
}

/* Every elementwise op of this family but Cast. */
int c_emit_math(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *ops[C_MAX_STREAMS];
	int nops = n->ninputs;
	if (nops >= C_MAX_STREAMS)
		return c_error(c, n, "%d operands; the C target takes at most %d", nops, C_MAX_STREAMS - 1);
	for (int k = 0; k < nops; k++) {
		ops[k] = c_in(n, k);
		if (!ops[k])
			return c_error(c, n, "operand %d is absent", k);
	}
	struct map_ctx m = {.n = n, .ok = true};
	c_loop_nest(c, c_out(n, 0), nops, ops, map_body, &m);
	if (!m.ok)
		return c_error(c, n, "no formula for element type %s", dlc_dtype_name(ops[0]->dtype));
	return 0;
}

static void cast_body(struct cgen *c, const char *yi, const char *const *xi, void *arg)
{
	const struct dlc_node *n = arg;
	char x[300];
	struct dlc_strbuf e = {0};
	snprintf(x, sizeof x, "x[%s]", xi[0]);
	scalar_cast(&e, c_in(n, 0)->dtype, c_out(n, 0)->dtype, dlc_node_int(n, "saturate") != 0,
		    dlc_node_string(n, "round_mode"), x);
	emit_line(&c->e, "y[%s] = %s;", yi, e.s);
	dlc_sb_free(&e);
}

/* Cast: integer to integer keeps the low bits, float to integer truncates
 * (saturating beyond int64 rather than undefined), float to float rounds
 * once to nearest even; the 8-bit float targets follow `saturate`, and
 * f8e8m0 `round_mode`. */
int c_emit_cast(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0);
	c_loop_nest(c, c_out(n, 0), 1, &x, cast_body, (void *)n);
	return 0;
}
