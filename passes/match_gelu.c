/* match-gelu: the GELU that exporters write out as elementwise arithmetic
 * becomes one gelu node, in either of its forms:
 *   x * 0.5 * (1 + erf(x / sqrt(2)))                               (erf; also x * (1/sqrt(2)))
 *   x * 0.5 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))        (approximate = "tanh")
 * The products may be associated and ordered any way (a tree of muls),
 * x^3 may be pow(x, 3) or x * x * x, and the sums may take their operands
 * in either order. Besides being one kernel instead of five to eight, the
 * gelu reads x once, so the conv/gemm/matmul producing x can take it as an
 * epilogue (a written-out GELU reads x twice, which stops fusion).
 * Constants match within a relative 1e-5 (f32 exports round them). The
 * replaced nodes are left to dce. */
#include <math.h>
#include <stdlib.h>

#include "dlc/build.h"
#include "dlc/ir.h"
#include "dlc/pass.h"
#include "dlc/util.h"

enum { MAX_FACTORS = 6 };

static struct dlc_node *producer(const struct dlc_value *v, enum dlc_op op)
{
	return v && v->kind == DLC_VALUE_NODE && v->producer->op == op ? v->producer : NULL;
}

/* True if v is a constant with one element close to x. */
static bool is_scalar(const struct dlc_value *v, double x)
{
	if (!dlc_is_const(v) || dlc_type_numel(&v->type) != 1 || !dlc_dtype_is_float(v->type.dtype))
		return false;
	double c = dlc_const_element(v, 0);
	return fabs(c - x) <= 1e-5 * fabs(x);
}

/* The factors of the product tree at v (through mul nodes), or -1 if more
 * than max (a tree of max factors has fewer than max levels). */
static int factors_at(const struct dlc_value *v, const struct dlc_value **out, int n, int max,
		      int depth)
{
	const struct dlc_node *m = producer(v, DLC_OP_MUL);
	if (m && depth >= max)
		return -1;
	if (!m) {
		if (n == max)
			return -1;
		out[n] = v;
		return n + 1;
	}
	for (int i = 0; i < 2 && n >= 0; i++)
		n = factors_at(dlc_node_input(m, i), out, n, max, depth + 1);
	return n;
}

static int factors(const struct dlc_value *v, const struct dlc_value **out, int n, int max)
{
	return factors_at(v, out, n, max, 0);
}

/* Removes the factor matching pred from f[0..n), returning it (or NULL). */
typedef bool (*pred_fn)(const struct dlc_value *v, const struct dlc_value *x, void *arg);

static const struct dlc_value *take(const struct dlc_value **f, int *n, pred_fn p,
				    const struct dlc_value *x, void *arg)
{
	for (int i = 0; i < *n; i++)
		if (p(f[i], x, arg)) {
			const struct dlc_value *v = f[i];
			f[i] = f[--*n];
			return v;
		}
	return NULL;
}

static bool is_x(const struct dlc_value *v, const struct dlc_value *x, void *arg)
{
	(void)arg;
	return v == x;
}

static bool is_const(const struct dlc_value *v, const struct dlc_value *x, void *arg)
{
	(void)x;
	return is_scalar(v, *(const double *)arg);
}

/* x * x * x or pow(x, 3) */
static bool is_cube(const struct dlc_value *v, const struct dlc_value *x, void *arg)
{
	(void)arg;
	const struct dlc_node *p = producer(v, DLC_OP_POW);
	if (p)
		return dlc_node_input(p, 0) == x && is_scalar(dlc_node_input(p, 1), 3.0);
	const struct dlc_value *f[MAX_FACTORS];
	int n = factors(v, f, 0, MAX_FACTORS);
	return n == 3 && f[0] == x && f[1] == x && f[2] == x;
}

/* The product of exactly the given predicates' factors (all of them). */
static bool product_of(const struct dlc_value *v, const struct dlc_value *x, int np,
		       const pred_fn *preds, void *const *args)
{
	const struct dlc_value *f[MAX_FACTORS];
	int n = factors(v, f, 0, MAX_FACTORS);
	if (n != np)
		return false;
	for (int i = 0; i < np; i++)
		if (!take(f, &n, preds[i], x, args[i]))
			return false;
	return true;
}

/* erf's argument: x / sqrt(2) or x * (1/sqrt(2)) */
static bool erf_arg(const struct dlc_value *v, const struct dlc_value *x)
{
	const struct dlc_node *d = producer(v, DLC_OP_DIV);
	if (d)
		return dlc_node_input(d, 0) == x && is_scalar(dlc_node_input(d, 1), sqrt(2.0));
	static const double inv = 0.70710678118654752440;
	return product_of(v, x, 2, (const pred_fn[]){is_x, is_const}, (void *const[]){NULL, (void *)&inv});
}

/* tanh's argument: sqrt(2/pi) * (x + 0.044715 * x^3) */
static bool tanh_arg(const struct dlc_value *v, const struct dlc_value *x)
{
	static const double k = 0.79788456080286535588, c = 0.044715;
	const struct dlc_value *f[MAX_FACTORS];
	int n = factors(v, f, 0, MAX_FACTORS);
	if (n != 2 || !take(f, &n, is_const, x, (void *)&k))
		return false;
	const struct dlc_node *s = producer(f[0], DLC_OP_ADD);
	if (!s)
		return false;
	/* 0.044715 * x^3: with x^3 a pow, or its x * x * x flattened into the product */
	for (int i = 0; i < 2; i++)
		if (dlc_node_input(s, i) == x &&
		    (product_of(dlc_node_input(s, 1 - i), x, 2, (const pred_fn[]){is_const, is_cube},
				(void *const[]){(void *)&c, NULL}) ||
		     product_of(dlc_node_input(s, 1 - i), x, 4, (const pred_fn[]){is_const, is_x, is_x, is_x},
				(void *const[]){(void *)&c, NULL, NULL, NULL})))
			return true;
	return false;
}

/* 1 + erf(...) or 1 + tanh(...) of x: sets *tanh_form. */
static bool one_plus(const struct dlc_value *v, const struct dlc_value *x, void *arg)
{
	bool *tanh_form = arg;
	const struct dlc_node *a = producer(v, DLC_OP_ADD);
	if (!a)
		return false;
	for (int i = 0; i < 2; i++) {
		const struct dlc_value *u = dlc_node_input(a, 1 - i);
		if (!is_scalar(dlc_node_input(a, i), 1.0))
			continue;
		const struct dlc_node *e = producer(u, DLC_OP_ERF), *t = producer(u, DLC_OP_TANH);
		if (e && erf_arg(dlc_node_input(e, 0), x)) {
			*tanh_form = false;
			return true;
		}
		if (t && tanh_arg(dlc_node_input(t, 0), x)) {
			*tanh_form = true;
			return true;
		}
	}
	return false;
}

/* If the product at mul node n is a GELU, its x (and the form). */
static const struct dlc_value *match(const struct dlc_node *n, bool *tanh_form)
{
	const struct dlc_value *f[MAX_FACTORS];
	int count = factors(n->outputs[0], f, 0, MAX_FACTORS);
	if (count != 3)
		return NULL;
	static const double half = 0.5;
	int k = count;
	if (!take(f, &k, is_const, NULL, (void *)&half))
		return NULL;
	/* of the two left, one is x and the other 1 + f(x) */
	for (int i = 0; i < 2; i++)
		if (one_plus(f[1 - i], f[i], tanh_form))
			return f[i];
	return NULL;
}

int pass_match_gelu(struct dlc_graph *g, struct dlc_pass_ctx *ctx)
{
	dlc_foreach_node_safe(g, n, tmp) {
		if (n->op != DLC_OP_MUL || !n->outputs[0])
			continue;
		struct dlc_value *y = n->outputs[0];
		bool tanh_form = false;
		const struct dlc_value *x = match(n, &tanh_form);
		if (!x || !dlc_dtype_is_float(x->type.dtype) || !dlc_type_equal(&x->type, &y->type))
			continue;
		struct dlc_value *in = (struct dlc_value *)x;
		struct dlc_node *gelu = dlc_node_new(g, DLC_OP_GELU, n->name, 1, &in, 1);
		if (tanh_form)
			dlc_node_set_string(gelu, "approximate", "tanh");
		if (dlc_node_place(g, n, gelu, ctx->diag) < 0)
			return -1;
		dlc_value_replace_uses(g, y, gelu->outputs[0]);
		char *name = dlc_xstrdup(y->name); /* the result keeps its name */
		dlc_node_remove(g, n);
		dlc_value_take_name(g, gelu->outputs[0], name);
		free(name);
	}
	return 0;
}
