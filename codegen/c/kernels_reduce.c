/* C kernels of reductions (reduce_*, arg_max/arg_min), the softmax family
 * (softmax, log_softmax, hardmax), normalizations (layer, RMS, instance,
 * group, Lp, mean-variance, LRN), scans (cumsum, cumprod) and top_k.
 *
 * Every kernel loops over the positions that are kept (outer loops) and,
 * inside, over the reduced positions (inner loops), with every bound and
 * stride a literal. Arithmetic happens in the compute type: float for f16,
 * bf16 and f32, double for f64, 64-bit integers for integer sums. Nothing
 * allocates: top_k selects by repeated scans instead of sorting a copy. */
#include <stdio.h>
#include <string.h>

#include "codegen/c/c.h"
#include "codegen/c/loops.h"
#include "codegen/scalar.h"

static int64_t prod(const int64_t *d, int lo, int hi)
{
	int64_t p = 1;
	for (int i = lo; i < hi; i++)
		p *= d[i];
	return p;
}

static int norm_axis(int64_t axis, int rank)
{
	return (int)(axis < 0 ? axis + rank : axis);
}

/* The math function for the compute type: "dlc_expf" or "exp"
 * (scalar_math_fn). */
static const char *fn(enum dlc_dtype ct, const char *name)
{
	static char bufs[8][24];
	static int next;
	return scalar_math_fn(ct, name, bufs[next++ & 7], sizeof bufs[0]);
}

/* The float type statistics are computed in: double if the data or the
 * stash type is f64, else float. */
static enum dlc_dtype float_ct(enum dlc_dtype t)
{
	return t == DLC_F64 ? DLC_F64 : DLC_F32;
}

/* A compute-type expression stored as dtype `dt`: f16/bf16 convert,
 * other types take a cast where the types differ. */
static const char *store_as(char *buf, size_t size, enum dlc_dtype dt, enum dlc_dtype ct,
			    const char *expr)
{
	if (dt == DLC_F16 || dt == DLC_BF16)
		return c_store(buf, size, dt, expr);
	if (dt == ct)
		snprintf(buf, size, "%s", expr);
	else
		snprintf(buf, size, "(%s)(%s)", c_type(dt), expr);
	return buf;
}

/* "o * 60 + r * 5 + in" over an (outer, len, inner) view of one axis; zero
 * terms are left out, so loops of one iteration need not exist. */
struct aview {
	int64_t outer, len, inner;
};

static struct aview axis_view(const struct dlc_type *x, int axis)
{
	return (struct aview){prod(x->dims, 0, axis), x->dims[axis], prod(x->dims, axis + 1, x->rank)};
}

static const char *axis_index(char *buf, size_t size, const struct aview *a, int64_t len,
			      const char *r)
{
	const char *vars[] = {"o", r, "in"};
	int64_t coefs[] = {a->outer > 1 ? len * a->inner : 0, r ? a->inner : 0, a->inner > 1 ? 1 : 0};
	return c_affine(buf, size, 0, 3, vars, coefs);
}

/* Loops over the outer and inner positions (none where the count is 1). */
static int open_axis(struct cgen *c, const struct aview *a)
{
	int n = 0;
	if (a->outer > 1) {
		emit_open(&c->e, "for (int o = 0; o < %lld; o++) {", (long long)a->outer);
		n++;
	}
	if (a->inner > 1) {
		emit_open(&c->e, "for (int in = 0; in < %lld; in++) {", (long long)a->inner);
		n++;
	}
	return n;
}

static void close_n(struct cgen *c, int n)
{
	while (n-- > 0)
		emit_close(&c->e, NULL);
}

/* ---- reductions ---- */

/* A tensor seen as kept dims (outer loops k0, k1, ...) and reduced dims
 * (inner loops r0, r1, ...), adjacent dims of the same kind merged and
 * dims of size 1 dropped. ks/rs are input strides, ko the result's. */
struct rview {
	int nk, nr;
	int64_t kd[DLC_MAX_RANK], ks[DLC_MAX_RANK], ko[DLC_MAX_RANK];
	int64_t rd[DLC_MAX_RANK], rs[DLC_MAX_RANK];
	int64_t kn, rn;
};

static void rview_make(struct rview *v, const struct dlc_type *x, const bool *red)
{
	int64_t st[DLC_MAX_RANK];
	c_strides(x, st);
	memset(v, 0, sizeof *v);
	v->kn = v->rn = 1;
	int last = -1; /* kind of the previous loop: 0 kept, 1 reduced */
	for (int i = 0; i < x->rank; i++) {
		int64_t d = x->dims[i];
		if (d == 1)
			continue;
		if (red[i]) {
			v->rn *= d;
			if (last == 1) {
				v->rd[v->nr - 1] *= d;
				v->rs[v->nr - 1] = st[i];
			} else {
				v->rd[v->nr] = d;
				v->rs[v->nr++] = st[i];
			}
		} else {
			v->kn *= d;
			if (last == 0) {
				v->kd[v->nk - 1] *= d;
				v->ks[v->nk - 1] = st[i];
			} else {
				v->kd[v->nk] = d;
				v->ks[v->nk++] = st[i];
			}
		}
		last = red[i];
	}
	for (int64_t i = v->nk - 1, s = 1; i >= 0; i--) {
		v->ko[i] = s;
		s *= v->kd[i];
	}
}

static const char *const kvars[] = {"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"};
static const char *const rvars[] = {"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7"};

/* Input index of the current kept position, plus the reduced one if `r`. */
static const char *rview_x(char *buf, size_t size, const struct rview *v, bool r)
{
	const char *vars[2 * DLC_MAX_RANK];
	int64_t coefs[2 * DLC_MAX_RANK];
	int n = 0;
	for (int i = 0; i < v->nk; i++) {
		vars[n] = kvars[i];
		coefs[n++] = v->ks[i];
	}
	for (int i = 0; r && i < v->nr; i++) {
		vars[n] = rvars[i];
		coefs[n++] = v->rs[i];
	}
	return c_affine(buf, size, 0, n, vars, coefs);
}

static const char *rview_y(char *buf, size_t size, const struct rview *v)
{
	return c_affine(buf, size, 0, v->nk, kvars, v->ko);
}

static void open_kept(struct cgen *c, const struct rview *v)
{
	for (int i = 0; i < v->nk; i++)
		emit_open(&c->e, "for (int k%d = 0; k%d < %lld; k%d++) {", i, i, (long long)v->kd[i], i);
}

/* Opens the reduced loops (a plain block when there are none, so that each
 * pass keeps its own variables); returns the blocks to close. */
static int open_reduced(struct cgen *c, const struct rview *v)
{
	for (int i = 0; i < v->nr; i++)
		emit_open(&c->e, "for (int r%d = 0; r%d < %lld; r%d++) {", i, i, (long long)v->rd[i], i);
	if (!v->nr)
		emit_open(&c->e, "{");
	return v->nr ? v->nr : 1;
}

/* The reduced axes of a reduce_* node (operand 1 is a constant by now). */
static void reduce_mask(const struct dlc_node *n, const struct dlc_type *x, bool *red)
{
	const struct dlc_value *a = dlc_node_input(n, 1);
	int64_t na = a ? dlc_type_numel(&a->type) : 0;
	bool noop = dlc_node_int(n, "noop_with_empty_axes") != 0;
	for (int i = 0; i < x->rank; i++)
		red[i] = na == 0 && !noop;
	for (int64_t i = 0; i < na; i++)
		red[norm_axis(((const int64_t *)dlc_value_data(a))[i], x->rank)] = true;
}

/* The accumulator type of a reduction over dtype t. */
static enum dlc_dtype reduce_acc(enum dlc_op op, enum dlc_dtype t)
{
	if (dlc_dtype_is_float(t))
		return float_ct(t);
	switch (op) {
	case DLC_OP_REDUCE_MAX:
	case DLC_OP_REDUCE_MIN:
		return t; /* exact in the input's own type (bool too) */
	case DLC_OP_REDUCE_L2:
	case DLC_OP_REDUCE_LOG_SUM:
	case DLC_OP_REDUCE_LOG_SUM_EXP:
		return DLC_F64; /* a float result stored back into integers */
	default:
		return dlc_dtype_is_signed(t) ? DLC_I64 : DLC_U64;
	}
}

/* The lowest (max) or highest (min) value of type t: the identity of an
 * empty reduction. */
static const char *extreme(enum dlc_dtype t, bool lowest)
{
	switch (t) {
	case DLC_F32: case DLC_F64: return lowest ? "-INFINITY" : "INFINITY";
	case DLC_I8: return lowest ? "INT8_MIN" : "INT8_MAX";
	case DLC_I16: return lowest ? "INT16_MIN" : "INT16_MAX";
	case DLC_I32: return lowest ? "INT32_MIN" : "INT32_MAX";
	case DLC_I64: return lowest ? "INT64_MIN" : "INT64_MAX";
	case DLC_U8: return lowest ? "0" : "UINT8_MAX";
	case DLC_U16: return lowest ? "0" : "UINT16_MAX";
	case DLC_U32: return lowest ? "0" : "UINT32_MAX";
	case DLC_U64: return lowest ? "0" : "UINT64_MAX";
	case DLC_BOOL: return lowest ? "false" : "true";
	default: return "0";
	}
}

/* "if (v > acc || isnan(v)) acc = v;": NaN wins, as in numpy (the ONNX
 * reference implementation; ONNX Runtime skips NaN). */
static void emit_max_step(struct cgen *c, enum dlc_dtype at, const char *acc, bool max)
{
	if (dlc_dtype_is_float(at))
		emit_line(&c->e, "if (v %s %s || isnan(v))", max ? ">" : "<", acc);
	else
		emit_line(&c->e, "if (v %s %s)", max ? ">" : "<", acc);
	emit_line(&c->e, "\t%s = v;", acc);
}

int c_emit_reduce(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0), *y = c_out(n, 0);
	enum dlc_op op = n->op;
	if (c_in(n, 1))
		emit_line(&c->e, "(void)axes; /* constant: the loops below are specialised to it */");
	bool red[DLC_MAX_RANK];
	reduce_mask(n, x, red);
	struct rview v;
	rview_make(&v, x, red);
	enum dlc_dtype at = reduce_acc(op, x->dtype);
	const char *T = c_type(at);
	bool flt = dlc_dtype_is_float(at);
	char xi[256], yi[256], ld[320], buf[512], fin[256];
	rview_x(xi, sizeof xi, &v, true);
	rview_y(yi, sizeof yi, &v);
	int nb;
	if (v.rn == 0)
		emit_line(&c->e, "(void)x; /* empty reduction: every result is the identity */");
	open_kept(c, &v);
	/* the initial value: the reduction's identity */
	const char *init = "0";
	if (op == DLC_OP_REDUCE_PROD)
		init = "1";
	else if (op == DLC_OP_REDUCE_MAX || op == DLC_OP_REDUCE_LOG_SUM_EXP)
		init = extreme(at, true);
	else if (op == DLC_OP_REDUCE_MIN)
		init = extreme(at, false);
	snprintf(buf, sizeof buf, "x[%s]", xi);
	c_load(ld, sizeof ld, x->dtype, buf);
	if (op == DLC_OP_REDUCE_LOG_SUM_EXP) {
		/* log(sum(exp(x))) = m + log(sum(exp(x - m))) with m the max:
		 * no overflow; an all -inf (or empty) set stays -inf */
		emit_line(&c->e, "%s m = %s;", T, init);
		if (v.rn) {
			nb = open_reduced(c, &v);
			emit_line(&c->e, "const %s v = %s;", T, ld);
			emit_max_step(c, at, "m", true);
			close_n(c, nb);
		}
		init = "0";
	}
	emit_line(&c->e, "%s acc = %s;", T, init);
	if (v.rn) {
		nb = open_reduced(c, &v);
		emit_line(&c->e, "const %s v = %s;", T, ld);
		switch (op) {
		case DLC_OP_REDUCE_SUM:
		case DLC_OP_REDUCE_MEAN:
		case DLC_OP_REDUCE_LOG_SUM:
			emit_line(&c->e, "acc += v;");
			break;
		case DLC_OP_REDUCE_PROD:
			emit_line(&c->e, "acc *= v;");
			break;
		case DLC_OP_REDUCE_L1:
			if (flt)
				emit_line(&c->e, "acc += %s(v);", fn(at, "fabs"));
			else if (dlc_dtype_is_signed(at))
				emit_line(&c->e, "acc += v < 0 ? -v : v;");
			else
				emit_line(&c->e, "acc += v;");
			break;
		case DLC_OP_REDUCE_L2:
		case DLC_OP_REDUCE_SUM_SQUARE:
			emit_line(&c->e, "acc += v * v;");
			break;
		case DLC_OP_REDUCE_MAX:
		case DLC_OP_REDUCE_MIN:
			emit_max_step(c, at, "acc", op == DLC_OP_REDUCE_MAX);
			break;
		case DLC_OP_REDUCE_LOG_SUM_EXP:
			emit_line(&c->e, "acc += %s(v - m);", fn(at, "exp"));
			break;
		default:
			return c_error(c, n, "internal: not a reduction");
		}
		close_n(c, nb);
	}
	switch (op) {
	case DLC_OP_REDUCE_MEAN:
		if (v.rn)
			snprintf(fin, sizeof fin, "acc / %lld", (long long)v.rn);
		else /* the mean of nothing: 0/0 */
			snprintf(fin, sizeof fin, "%s", flt ? "NAN" : "0");
		break;
	case DLC_OP_REDUCE_L2:
		snprintf(fin, sizeof fin, "%s(acc)", fn(at, "sqrt"));
		break;
	case DLC_OP_REDUCE_LOG_SUM:
		snprintf(fin, sizeof fin, "%s(acc)", fn(at, "log"));
		break;
	case DLC_OP_REDUCE_LOG_SUM_EXP:
		snprintf(fin, sizeof fin, "isinf(m) ? m : m + %s(acc)", fn(at, "log"));
		break;
	default:
		snprintf(fin, sizeof fin, "acc");
		break;
	}
	emit_line(&c->e, "y[%s] = %s;", yi, store_as(buf, sizeof buf, y->dtype, at, fin));
	close_n(c, v.nk);
	return 0;
}

/* arg_max/arg_min: the first (or last) index of the extreme along axis;
 * the first NaN wins, as in numpy. */
int c_emit_arg_reduce(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0);
	int axis = norm_axis(dlc_node_int(n, "axis"), x->rank);
	bool last = dlc_node_int(n, "select_last_index") != 0;
	bool max = n->op == DLC_OP_ARG_MAX;
	struct aview a = axis_view(x, axis);
	enum dlc_dtype ct = c_compute_dtype(x->dtype);
	const char *T = c_type(ct);
	char i0[128], ir[128], yi[128], b1[200], b2[200];
	axis_index(i0, sizeof i0, &a, a.len, NULL);
	axis_index(ir, sizeof ir, &a, a.len, "r");
	axis_index(yi, sizeof yi, &a, 1, NULL);
	int nl = open_axis(c, &a);
	snprintf(b1, sizeof b1, "x[%s]", i0);
	emit_line(&c->e, "%s best = %s;", T, c_load(b2, sizeof b2, x->dtype, b1));
	emit_line(&c->e, "int64_t at = 0;");
	emit_open(&c->e, "for (int r = 1; r < %lld; r++) {", (long long)a.len);
	snprintf(b1, sizeof b1, "x[%s]", ir);
	emit_line(&c->e, "const %s v = %s;", T, c_load(b2, sizeof b2, x->dtype, b1));
	const char *cmp = max ? (last ? ">=" : ">") : (last ? "<=" : "<");
	if (dlc_dtype_is_float(ct))
		emit_open(&c->e, "if (v %s best || (isnan(v) && !isnan(best))) {", cmp);
	else
		emit_open(&c->e, "if (v %s best) {", cmp);
	emit_line(&c->e, "best = v;");
	emit_line(&c->e, "at = r;");
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	emit_line(&c->e, "y[%s] = at;", yi);
	close_n(c, nl);
	return 0;
}

/* ---- softmax family ---- */

/* softmax, log_softmax and hardmax along one axis, computed in float (f16,
 * bf16, f32) or double: max, then the sum of exp(x - max), then the
 * results, so that no intermediate is rounded to the storage type. */
int c_emit_softmax(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0);
	if (!dlc_dtype_is_float(x->dtype))
		return c_error(c, n, "element type %s is not supported (float types are)",
			       dlc_dtype_name(x->dtype));
	int axis = norm_axis(dlc_node_int(n, "axis"), x->rank);
	struct aview a = axis_view(x, axis);
	enum dlc_dtype ct = float_ct(x->dtype), dt = x->dtype;
	const char *T = c_type(ct);
	char i0[128], ir[128], b1[200], b2[200], b3[320];
	axis_index(i0, sizeof i0, &a, a.len, NULL);
	axis_index(ir, sizeof ir, &a, a.len, "r");
	snprintf(b1, sizeof b1, "x[%s]", ir);
	const char *xr = c_load(b2, sizeof b2, dt, b1);
	int nl = open_axis(c, &a);
	if (n->op == DLC_OP_HARDMAX) {
		/* 1 at the first maximum, 0 elsewhere */
		snprintf(b1, sizeof b1, "x[%s]", i0);
		emit_line(&c->e, "%s best = %s;", T, c_load(b3, sizeof b3, dt, b1));
		emit_line(&c->e, "int at = 0;");
		emit_open(&c->e, "for (int r = 1; r < %lld; r++) {", (long long)a.len);
		snprintf(b1, sizeof b1, "x[%s]", ir);
		emit_line(&c->e, "const %s v = %s;", T, c_load(b3, sizeof b3, dt, b1));
		emit_open(&c->e, "if (v > best) {");
		emit_line(&c->e, "best = v;");
		emit_line(&c->e, "at = r;");
		emit_close(&c->e, NULL);
		emit_close(&c->e, NULL);
		emit_line(&c->e, "for (int r = 0; r < %lld; r++)", (long long)a.len);
		emit_line(&c->e, "\ty[%s] = %s;", ir,
			  store_as(b3, sizeof b3, dt, ct, ct == DLC_F64 ? "r == at ? 1.0 : 0.0" : "r == at ? 1.0f : 0.0f"));
		close_n(c, nl);
		return 0;
	}
	emit_line(&c->e, "%s mx = -INFINITY, sum = 0;", T);
	emit_line(&c->e, "for (int r = 0; r < %lld; r++)", (long long)a.len);
	emit_line(&c->e, "\tmx = %s > mx ? %s : mx;", xr, xr);
	if (n->op == DLC_OP_SOFTMAX && dt == ct) {
		/* the exps stored in a loop of their own, which vectorizes (a loop
		 * summing them cannot: it would be reassociated), then summed,
		 * then divided: each exp computed once */
		emit_line(&c->e, "for (int r = 0; r < %lld; r++)", (long long)a.len);
		emit_line(&c->e, "	y[%s] = %s(%s - mx);", ir, fn(ct, "exp"), xr);
		emit_line(&c->e, "for (int r = 0; r < %lld; r++)", (long long)a.len);
		emit_line(&c->e, "	sum += y[%s];", ir);
		emit_line(&c->e, "for (int r = 0; r < %lld; r++)", (long long)a.len);
		emit_line(&c->e, "	y[%s] = y[%s] / sum;", ir, ir);
		close_n(c, nl);
		return 0;
	}
	emit_line(&c->e, "for (int r = 0; r < %lld; r++)", (long long)a.len);
	emit_line(&c->e, "	sum += %s(%s - mx);", fn(ct, "exp"), xr);
	if (n->op == DLC_OP_LOG_SOFTMAX) {
		emit_line(&c->e, "const %s lse = mx + %s(sum);", T, fn(ct, "log"));
		snprintf(b1, sizeof b1, "%s - lse", xr);
	} else {
		snprintf(b1, sizeof b1, "%s(%s - mx) / sum", fn(ct, "exp"), xr);
	}
	emit_line(&c->e, "for (int r = 0; r < %lld; r++)", (long long)a.len);
	emit_line(&c->e, "\ty[%s] = %s;", ir, store_as(b3, sizeof b3, dt, ct, b1));
	close_n(c, nl);
	return 0;
}

/* ---- normalizations ---- */

/* Broadcast strides of parameter p over the normalized dims x[axis:]. */
static void param_strides(const struct dlc_type *p, const struct dlc_type *x, int axis, int64_t *st)
{
	int64_t own[DLC_MAX_RANK];
	c_strides(p, own);
	for (int i = axis; i < x->rank; i++) {
		int j = i - (x->rank - p->rank);
		st[i - axis] = j >= 0 && p->dims[j] == x->dims[i] && x->dims[i] != 1 ? own[j] : 0;
	}
}

struct norm_body {
	const struct dlc_node *n;
	enum dlc_dtype ct;
	int64_t inner;
	bool bias;
};

/* y = (x - avg) * inv * scale + bias, or x * inv * scale for rms_norm */
static void norm_body(struct cgen *c, const char *yi, const char *const *xi, void *arg)
{
	struct norm_body *b = arg;
	enum dlc_dtype dt = c_in(b->n, 0)->dtype;
	char base[64], e[160], l1[200], l2[200], l3[200], expr[700], st[800];
	if (b->inner > 1 || strcmp(yi, "0"))
		snprintf(base, sizeof base, "o * %lld + %s", (long long)b->inner, yi);
	else
		snprintf(base, sizeof base, "o");
	snprintf(e, sizeof e, "x[%s]", base);
	c_load(l1, sizeof l1, dt, e);
	snprintf(e, sizeof e, "scale[%s]", xi[1]);
	c_load(l2, sizeof l2, dt, e);
	if (b->n->op == DLC_OP_RMS_NORM) {
		snprintf(expr, sizeof expr, "%s * inv * %s", l1, l2);
	} else {
		snprintf(expr, sizeof expr, "(%s - avg) * inv * %s", l1, l2);
		if (b->bias) {
			snprintf(e, sizeof e, "bias[%s]", xi[2]);
			size_t len = strlen(expr);
			snprintf(expr + len, sizeof expr - len, " + %s", c_load(l3, sizeof l3, dt, e));
		}
	}
	emit_line(&c->e, "y[%s] = %s;", base, store_as(st, sizeof st, dt, b->ct, expr));
}

/* layer_norm and rms_norm: statistics over x[axis:] for each position of
 * x[:axis], then the affine map, scale and bias broadcast over x[axis:]. */
int c_emit_layer_norm(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0), *scale = c_in(n, 1), *bias = c_in(n, 2);
	bool rms = n->op == DLC_OP_RMS_NORM;
	bool has_mean = !rms && c_out(n, 1), has_inv = !rms && c_out(n, 2);
	int axis = norm_axis(dlc_node_int(n, "axis"), x->rank);
	int64_t stash = dlc_node_int(n, "stash_type");
	enum dlc_dtype ct = float_ct(x->dtype == DLC_F64 || stash == 11 ? DLC_F64 : DLC_F32);
	const char *T = c_type(ct);
	int64_t outer = prod(x->dims, 0, axis), inner = prod(x->dims, axis, x->rank);
	char eps[64], b1[200], b2[200], b3[300];
	c_float(eps, sizeof eps, dlc_node_float(n, "epsilon"), ct);
	emit_open(&c->e, "for (int o = 0; o < %lld; o++) {", (long long)outer);
	snprintf(b1, sizeof b1, "x[o * %lld + j]", (long long)inner);
	const char *xj = c_load(b2, sizeof b2, x->dtype, b1);
	if (rms) {
		emit_line(&c->e, "%s ss = 0;", T);
		emit_line(&c->e, "for (int j = 0; j < %lld; j++)", (long long)inner);
		emit_line(&c->e, "\tss += %s * %s;", xj, xj);
		emit_line(&c->e, "const %s inv = 1 / %s(ss / %lld + %s);", T, fn(ct, "sqrt"), (long long)inner, eps);
	} else {
		/* two passes: the variance of x - mean loses no precision */
		emit_line(&c->e, "%s sum = 0, var = 0;", T);
		emit_line(&c->e, "for (int j = 0; j < %lld; j++)", (long long)inner);
		emit_line(&c->e, "\tsum += %s;", xj);
		emit_line(&c->e, "const %s avg = sum / %lld;", T, (long long)inner);
		emit_line(&c->e, "for (int j = 0; j < %lld; j++)", (long long)inner);
		emit_line(&c->e, "\tvar += (%s - avg) * (%s - avg);", xj, xj);
		emit_line(&c->e, "const %s inv = 1 / %s(var / %lld + %s);", T, fn(ct, "sqrt"), (long long)inner, eps);
		if (has_mean)
			emit_line(&c->e, "mean[o] = %s;", store_as(b3, sizeof b3, c_out(n, 1)->dtype, ct, "avg"));
		if (has_inv)
			emit_line(&c->e, "inv_std_dev[o] = %s;", store_as(b3, sizeof b3, c_out(n, 2)->dtype, ct, "inv"));
	}
	/* y over the normalized dims: streams y/x, scale, bias */
	int nd = x->rank - axis;
	int64_t st[4][DLC_MAX_RANK];
	struct dlc_type norm = dlc_type_make(x->dtype, nd, x->dims + axis);
	c_strides(&norm, st[0]);
	memcpy(st[1], st[0], sizeof st[0]);
	param_strides(scale, x, axis, st[2]);
	if (bias)
		param_strides(bias, x, axis, st[3]);
	struct norm_body b = {.n = n, .ct = ct, .inner = inner, .bias = bias != NULL};
	c_loop_nest_strided(c, nd, x->dims + axis, bias ? 3 : 2, (const int64_t (*)[DLC_MAX_RANK])st,
			    norm_body, &b);
	emit_close(&c->e, NULL);
	return 0;
}

/* instance_norm: statistics over the spatial dims of each (n, c);
 * group_norm: over the C/G channels and spatial dims of each (n, group).
 * Scale and bias are per channel. */
int c_emit_channel_norm(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0);
	bool group = n->op == DLC_OP_GROUP_NORM;
	int64_t N = x->dims[0], C = x->dims[1], S = prod(x->dims, 2, x->rank);
	int64_t G = group ? dlc_node_int(n, "num_groups") : C, CG = C / G, blk = CG * S;
	int64_t stash = group ? dlc_node_int(n, "stash_type") : 1;
	enum dlc_dtype dt = x->dtype, ct = float_ct(dt == DLC_F64 || stash == 11 ? DLC_F64 : DLC_F32);
	const char *T = c_type(ct);
	char eps[64], b1[200], b2[200], b3[600], e[400], base[64], sc[100], bi[100];
	c_float(eps, sizeof eps, dlc_node_float(n, "epsilon"), ct);
	emit_open(&c->e, "for (int n = 0; n < %lld; n++) {", (long long)N);
	emit_open(&c->e, "for (int g = 0; g < %lld; g++) {", (long long)G);
	emit_line(&c->e, "const int base = %s;", C_AFFINE(base, 0, "n", (long long)(C * S), "g", (long long)blk));
	snprintf(b1, sizeof b1, "x[base + j]");
	const char *xj = c_load(b2, sizeof b2, dt, b1);
	emit_line(&c->e, "%s sum = 0, var = 0;", T);
	emit_line(&c->e, "for (int j = 0; j < %lld; j++)", (long long)blk);
	emit_line(&c->e, "\tsum += %s;", xj);
	emit_line(&c->e, "const %s mean = sum / %lld;", T, (long long)blk);
	emit_line(&c->e, "for (int j = 0; j < %lld; j++)", (long long)blk);
	emit_line(&c->e, "\tvar += (%s - mean) * (%s - mean);", xj, xj);
	emit_line(&c->e, "const %s inv = 1 / %s(var / %lld + %s);", T, fn(ct, "sqrt"), (long long)blk, eps);
	/* per channel of the group: y = (x - mean) * inv * scale + bias */
	const char *ch = "g";
	char chb[64];
	if (CG > 1) {
		emit_open(&c->e, "for (int cc = 0; cc < %lld; cc++) {", (long long)CG);
		ch = C_AFFINE(chb, 0, "g", (long long)CG, "cc", 1LL);
	}
	snprintf(b1, sizeof b1, "scale[%s]", ch);
	emit_line(&c->e, "const %s a = inv * %s;", T, c_load(sc, sizeof sc, dt, b1));
	snprintf(b1, sizeof b1, "bias[%s]", ch);
	emit_line(&c->e, "const %s b = %s;", T, c_load(bi, sizeof bi, dt, b1));
	char idx[64];
	C_AFFINE(idx, 0, "cc", CG > 1 ? (long long)S : 0LL, "j", 1LL);
	emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", (long long)S);
	snprintf(b1, sizeof b1, "x[base + %s]", idx);
	snprintf(e, sizeof e, "(%s - mean) * a + b", c_load(b2, sizeof b2, dt, b1));
	emit_line(&c->e, "y[base + %s] = %s;", idx, store_as(b3, sizeof b3, dt, ct, e));
	emit_close(&c->e, NULL);
	if (CG > 1)
		emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	return 0;
}

/* lp_norm: x / ||x||_p along axis (p = 1 or 2); a zero norm gives 0. */
int c_emit_lp_norm(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0);
	int axis = norm_axis(dlc_node_int(n, "axis"), x->rank);
	bool l1 = dlc_node_int(n, "p") == 1;
	struct aview a = axis_view(x, axis);
	enum dlc_dtype dt = x->dtype, ct = float_ct(dt);
	const char *T = c_type(ct);
	char ir[128], b1[200], b2[200], b3[400], e[300];
	axis_index(ir, sizeof ir, &a, a.len, "r");
	snprintf(b1, sizeof b1, "x[%s]", ir);
	const char *xr = c_load(b2, sizeof b2, dt, b1);
	int nl = open_axis(c, &a);
	emit_line(&c->e, "%s norm = 0;", T);
	emit_line(&c->e, "for (int r = 0; r < %lld; r++)", (long long)a.len);
	if (l1)
		emit_line(&c->e, "\tnorm += %s(%s);", fn(ct, "fabs"), xr);
	else
		emit_line(&c->e, "\tnorm += %s * %s;", xr, xr);
	if (!l1)
		emit_line(&c->e, "norm = %s(norm);", fn(ct, "sqrt"));
	emit_line(&c->e, "for (int r = 0; r < %lld; r++)", (long long)a.len);
	snprintf(e, sizeof e, "norm == 0 ? 0 : %s / norm", xr);
	emit_line(&c->e, "\ty[%s] = %s;", ir, store_as(b3, sizeof b3, dt, ct, e));
	close_n(c, nl);
	return 0;
}

/* mean_variance_norm: (x - mean) / (std + 1e-9) over `axes` (default
 * 0, 2, 3), as ONNX's function body defines it. */
int c_emit_mvn(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0);
	bool red[DLC_MAX_RANK] = {0};
	const int64_t *axes, def[] = {0, 2, 3};
	int na = dlc_node_ints(n, "axes", &axes);
	if (na < 0) {
		axes = def;
		na = 3;
	}
	for (int i = 0; i < na; i++)
		red[norm_axis(axes[i], x->rank)] = true;
	struct rview v;
	rview_make(&v, x, red);
	enum dlc_dtype dt = x->dtype, ct = float_ct(dt);
	const char *T = c_type(ct);
	char xi[256], b1[300], b2[320], b3[600], e[500], eps[32];
	rview_x(xi, sizeof xi, &v, true);
	snprintf(b1, sizeof b1, "x[%s]", xi);
	c_load(b2, sizeof b2, dt, b1);
	c_float(eps, sizeof eps, 1e-9, ct);
	int nb;
	open_kept(c, &v);
	emit_line(&c->e, "%s sum = 0, var = 0;", T);
	nb = open_reduced(c, &v);
	emit_line(&c->e, "sum += %s;", b2);
	close_n(c, nb);
	emit_line(&c->e, "const %s mean = sum / %lld;", T, (long long)v.rn);
	nb = open_reduced(c, &v);
	emit_line(&c->e, "var += (%s - mean) * (%s - mean);", b2, b2);
	close_n(c, nb);
	emit_line(&c->e, "const %s den = %s(var / %lld) + %s;", T, fn(ct, "sqrt"), (long long)v.rn, eps);
	nb = open_reduced(c, &v);
	snprintf(e, sizeof e, "(%s - mean) / den", b2);
	emit_line(&c->e, "y[%s] = %s;", xi, store_as(b3, sizeof b3, dt, ct, e));
	close_n(c, nb);
	close_n(c, v.nk);
	return 0;
}

/* lrn: y = x / (bias + alpha / size * sum of x^2 over the channels
 * [c - floor((size-1)/2), c + ceil((size-1)/2)]) ^ beta */
int c_emit_lrn(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0);
	int64_t N = x->dims[0], C = x->dims[1], S = prod(x->dims, 2, x->rank);
	int64_t size = dlc_node_int(n, "size"), lo = (size - 1) / 2, hi = size / 2;
	enum dlc_dtype dt = x->dtype, ct = float_ct(dt);
	const char *T = c_type(ct);
	char bias[64], scale[64], beta[64], b1[200], b2[200], b3[400], e[300], i1[96], i2[96];
	c_float(bias, sizeof bias, dlc_node_float(n, "bias"), ct);
	c_float(scale, sizeof scale, (double)dlc_node_float(n, "alpha") / (double)size, ct);
	c_float(beta, sizeof beta, dlc_node_float(n, "beta"), ct);
	emit_open(&c->e, "for (int n = 0; n < %lld; n++) {", (long long)N);
	emit_open(&c->e, "for (int ch = 0; ch < %lld; ch++) {", (long long)C);
	emit_line(&c->e, "const int lo = ch < %lld ? 0 : %s;", (long long)lo, C_AFFINE(b1, -lo, "ch", 1LL));
	emit_line(&c->e, "const int hi = ch > %lld ? %lld : %s;", (long long)(C - 1 - hi), (long long)(C - 1),
		  C_AFFINE(b1, hi, "ch", 1LL));
	emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", (long long)S);
	emit_line(&c->e, "%s ss = 0;", T);
	emit_open(&c->e, "for (int k = lo; k <= hi; k++) {");
	snprintf(b1, sizeof b1, "x[%s]", C_AFFINE(i1, 0, "n", (long long)(C * S), "k", (long long)S, "j", 1LL));
	emit_line(&c->e, "const %s v = %s;", T, c_load(b2, sizeof b2, dt, b1));
	emit_line(&c->e, "ss += v * v;");
	emit_close(&c->e, NULL);
	C_AFFINE(i2, 0, "n", (long long)(C * S), "ch", (long long)S, "j", 1LL);
	snprintf(b1, sizeof b1, "x[%s]", i2);
	snprintf(e, sizeof e, "%s / %s(%s + %s * ss, %s)", c_load(b2, sizeof b2, dt, b1), fn(ct, "pow"),
		 bias, scale, beta);
	emit_line(&c->e, "y[%s] = %s;", i2, store_as(b3, sizeof b3, dt, ct, e));
	close_n(c, 3);
	return 0;
}

/* ---- scans ---- */

/* cumsum/cumprod along the (constant) axis, forward or reverse, inclusive
 * or exclusive; integers accumulate in 64 bits. */
int c_emit_cumulative(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0);
	const struct dlc_value *av = dlc_node_input(n, 1);
	int64_t axis = av->type.dtype == DLC_I64 ? *(const int64_t *)dlc_value_data(av)
						  : *(const int32_t *)dlc_value_data(av);
	struct aview a = axis_view(x, norm_axis(axis, x->rank));
	bool prod_ = n->op == DLC_OP_CUMPROD;
	bool excl = dlc_node_int(n, "exclusive") != 0, rev = dlc_node_int(n, "reverse") != 0;
	enum dlc_dtype dt = x->dtype;
	enum dlc_dtype at = dlc_dtype_is_float(dt) ? float_ct(dt) : dlc_dtype_is_signed(dt) ? DLC_I64 : DLC_U64;
	char ir[128], b1[200], b2[200], b3[300];
	axis_index(ir, sizeof ir, &a, a.len, "r");
	emit_line(&c->e, "(void)axis; /* constant: the loops below are specialised to it */");
	int nl = open_axis(c, &a);
	emit_line(&c->e, "%s acc = %s;", c_type(at), prod_ ? "1" : "0");
	if (rev)
		emit_open(&c->e, "for (int r = %lld; r >= 0; r--) {", (long long)(a.len - 1));
	else
		emit_open(&c->e, "for (int r = 0; r < %lld; r++) {", (long long)a.len);
	snprintf(b1, sizeof b1, "x[%s]", ir);
	const char *step = prod_ ? "*=" : "+=";
	const char *store = store_as(b3, sizeof b3, dt, at, "acc");
	if (excl)
		emit_line(&c->e, "y[%s] = %s;", ir, store);
	emit_line(&c->e, "acc %s %s;", step, c_load(b2, sizeof b2, dt, b1));
	if (!excl)
		emit_line(&c->e, "y[%s] = %s;", ir, store);
	emit_close(&c->e, NULL);
	close_n(c, nl);
	return 0;
}

/* top_k: the k largest (smallest) values along axis and their indices,
 * in order, equal values by lower index first. Selection by k scans: the
 * j-th pick is the best element that comes after pick j-1 in that order,
 * so no scratch memory is needed. */
int c_emit_top_k(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0), *vt = c_out(n, 0);
	int axis = norm_axis(dlc_node_int(n, "axis"), x->rank);
	bool largest = dlc_node_int(n, "largest") != 0;
	int64_t k = vt->dims[axis];
	struct aview a = axis_view(x, axis);
	enum dlc_dtype dt = x->dtype, ct = c_compute_dtype(dt);
	const char *T = c_type(ct), *better = largest ? ">" : "<";
	char ir[128], oj[128], b1[200], b2[200], b3[300];
	axis_index(ir, sizeof ir, &a, a.len, "r");
	axis_index(oj, sizeof oj, &a, k, "j");
	emit_line(&c->e, "(void)k; /* constant: the loops below are specialised to it */");
	int nl = open_axis(c, &a);
	emit_line(&c->e, "%s prev = 0;", T);
	emit_line(&c->e, "int prev_at = -1;");
	emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", (long long)k);
	emit_line(&c->e, "%s best = 0;", T);
	emit_line(&c->e, "int at = -1;");
	emit_open(&c->e, "for (int r = 0; r < %lld; r++) {", (long long)a.len);
	snprintf(b1, sizeof b1, "x[%s]", ir);
	emit_line(&c->e, "const %s v = %s;", T, c_load(b2, sizeof b2, dt, b1));
	char vp[96], same[96], vb[96];
	if (dlc_dtype_is_float(ct)) { /* NaN ranks above every number, as in numpy's sort */
		snprintf(vp, sizeof vp, largest ? "v > prev || (isnan(v) && !isnan(prev))"
						: "v < prev || (!isnan(v) && isnan(prev))");
		snprintf(same, sizeof same, "(v == prev || (isnan(v) && isnan(prev)))");
		snprintf(vb, sizeof vb, largest ? "v > best || (isnan(v) && !isnan(best))"
						: "v < best || (!isnan(v) && isnan(best))");
	} else {
		snprintf(vp, sizeof vp, "v %s prev", better);
		snprintf(same, sizeof same, "v == prev");
		snprintf(vb, sizeof vb, "v %s best", better);
	}
	emit_line(&c->e, "/* skip the picks so far: those before (prev, prev_at) in the order */");
	emit_line(&c->e, "if (j > 0 && (%s || (%s && r <= prev_at)))", vp, same);
	emit_line(&c->e, "\tcontinue;");
	emit_open(&c->e, "if (at < 0 || %s) {", vb);
	emit_line(&c->e, "best = v;");
	emit_line(&c->e, "at = r;");
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	emit_line(&c->e, "values[%s] = %s;", oj, store_as(b3, sizeof b3, dt, ct, "best"));
	if (c_out(n, 1))
		emit_line(&c->e, "indices[%s] = at;", oj);
	emit_line(&c->e, "prev = best;");
	emit_line(&c->e, "prev_at = at;");
	emit_close(&c->e, NULL);
	close_n(c, nl);
	return 0;
}
