/* Scalar formulas of elementwise ops. NaN propagates as in ONNX Runtime and
 * PyTorch: comparisons are written so that a NaN operand comes out.
 *
 * Integer arithmetic never has undefined behaviour in the generated code:
 * + - * wrap (computed in unsigned, as ONNX's two's complement results
 * are), and division, remainders and shifts go through the dlcrt.h helpers
 * that define every case (x / 0 is 0). Float to integer conversions go
 * through dlc_f2i32/dlc_f2i64, defined out of range too. */
#include "codegen/scalar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/emit.h"

const char *scalar_math_fn(enum dlc_dtype t, const char *name, char *buf, size_t size)
{
	bool own = t != DLC_F64 && (!strcmp(name, "exp") || !strcmp(name, "tanh") || !strcmp(name, "erf"));
	snprintf(buf, size, own ? "dlc_%sf" : t == DLC_F64 ? "%s" : "%sf", name);
	return buf;
}

static const char *fn(enum dlc_dtype t, const char *name, char *buf, size_t size)
{
	return scalar_math_fn(t, name, buf, size);
}

/* The unsigned type integer + - * wrap in (no promotion to signed int). */
static const char *wrap_type(enum dlc_dtype t)
{
	return t == DLC_I64 || t == DLC_U64 ? "uint64_t" : "uint32_t";
}

static bool is_unsigned(enum dlc_dtype t)
{
	return t == DLC_U8 || t == DLC_U16 || t == DLC_U32 || t == DLC_U64 || t == DLC_BOOL;
}

/* A float attribute (or its default when there is no node). */
static double attr_f(const struct dlc_node *n, enum dlc_op op, const char *name)
{
	if (n)
		return dlc_node_float(n, name);
	return strtod(dlc_op_attr_spec(op, name)->default_text, NULL);
}

static int64_t attr_i(const struct dlc_node *n, enum dlc_op op, const char *name)
{
	if (n)
		return dlc_node_int(n, name);
	return strtoll(dlc_op_attr_spec(op, name)->default_text, NULL, 10);
}

static const char *attr_s(const struct dlc_node *n, enum dlc_op op, const char *name)
{
	return n ? dlc_node_string(n, name) : dlc_op_attr_spec(op, name)->default_text;
}

/* Float literals of the compute type; eight rotating buffers (a formula
 * uses at most six). */
static const char *lit(enum dlc_dtype t, double v)
{
	static char bufs[8][48];
	static int next;
	char *b = bufs[next++ & 7];
	c_float(b, 48, v, t == DLC_F64 ? DLC_F64 : DLC_F32);
	return b;
}

/* A double or float expression v converted to integer dtype t (the
 * dlcrt.h helpers define every case; see dlc_f2i32). */
static void float_to_int(struct dlc_strbuf *b, enum dlc_dtype t, const char *v)
{
	if (t == DLC_U64)
		dlc_sb_printf(b, "dlc_f2u64(%s)", v);
	else if (t == DLC_I64 || t == DLC_U32)
		dlc_sb_printf(b, "(%s)dlc_f2i64(%s)", c_type(t), v);
	else if (dlc_dtype_is_subbyte_int(t))
		dlc_sb_printf(b, "dlc_wrap_%s(dlc_f2i32(%s))", dlc_dtype_name(t), v);
	else
		dlc_sb_printf(b, "(%s)dlc_f2i32(%s)", c_type(t), v);
}

/* The formula of op over args[] whose compute dtypes are ts[]; n (may be
 * NULL) gives attributes. */
static bool formula(struct dlc_strbuf *b, enum dlc_op op, const struct dlc_node *n,
		    const enum dlc_dtype *ts, const char *const *args)
{
	enum dlc_dtype t = ts[0];
	bool flt = dlc_dtype_is_float(t), sint = dlc_dtype_is_int(t) && !is_unsigned(t);
	bool uint = dlc_dtype_is_int(t) && is_unsigned(t);
	const char *a = args[0], *x1 = args[1], *ct = c_type(t), *ut = wrap_type(t);
	const char *sfx = dlc_dtype_name(t);
	const char *one = !flt ? "1" : t == DLC_F64 ? "1.0" : "1.0f";
	const char *zero = !flt ? "0" : t == DLC_F64 ? "0.0" : "0.0f";
	char f[16], g[16];
#define OUT(...) (dlc_sb_printf(b, __VA_ARGS__), true)
	switch (op) {
	/* ---- arithmetic ---- */
	case DLC_OP_ADD:
	case DLC_OP_SUB:
	case DLC_OP_MUL: {
		const char *o = op == DLC_OP_ADD ? "+" : op == DLC_OP_SUB ? "-" : "*";
		if (flt)
			return OUT("%s %s %s", a, o, x1);
		if (!dlc_dtype_is_int(t))
			return false;
		return OUT("(%s)((%s)%s %s (%s)%s)", ct, ut, a, o, ut, x1);
	}
	case DLC_OP_DIV:
		if (flt)
			return OUT("%s / %s", a, x1);
		return dlc_dtype_is_int(t) && OUT("dlc_div_%s(%s, %s)", sfx, a, x1);
	case DLC_OP_MOD: {
		bool trunc = attr_i(n, op, "fmod") == 1;
		if (flt && trunc)
			return OUT("%s(%s, %s)", fn(t, "fmod", f, sizeof f), a, x1);
		if (flt)
			return OUT("%s(%s, %s)", t == DLC_F64 ? "dlc_floor_mod" : "dlc_floor_modf", a, x1);
		return dlc_dtype_is_int(t) && OUT("dlc_%s_%s(%s, %s)", trunc ? "rem" : "mod", sfx, a, x1);
	}
	case DLC_OP_POW: {
		enum dlc_dtype e = ts[1];
		if (flt)
			return OUT("%s(%s, (%s)%s)", fn(t, "pow", f, sizeof f), a, c_type(t), x1);
		if (dlc_dtype_is_float(e)) { /* an integer base to a float power */
			char p[600];
			snprintf(p, sizeof p, "pow((double)%s, (double)%s)", a, x1);
			float_to_int(b, t, p);
			return true;
		}
		return dlc_dtype_is_int(t) && OUT("(%s)dlc_ipow(%s, (int64_t)%s)", ct, a, x1);
	}
	case DLC_OP_NEG:
		if (flt)
			return OUT("-%s", a);
		return sint && OUT("(%s)(0u - (%s)%s)", ct, ut, a);
	case DLC_OP_ABS:
		if (flt)
			return OUT("%s(%s)", fn(t, "fabs", f, sizeof f), a);
		if (uint)
			return OUT("%s", a);
		return sint && OUT("(%s < 0 ? (%s)(0u - (%s)%s) : %s)", a, ct, ut, a, a);
	case DLC_OP_SIGN:
		if (flt) /* sign(0) = 0 and sign(NaN) = NaN: x itself */
			return OUT("(%s > 0 ? %s : %s < 0 ? -%s : %s)", a, one, a, one, a);
		if (uint)
			return OUT("(%s)(%s > 0)", ct, a);
		return sint && OUT("(%s)((%s > 0) - (%s < 0))", ct, a, a);
	case DLC_OP_RECIPROCAL: return flt && OUT("%s / %s", one, a);
	case DLC_OP_IDENTITY: return OUT("%s", a);

	/* ---- transcendental (floats only) ---- */
	case DLC_OP_EXP: return flt && OUT("%s(%s)", fn(t, "exp", f, sizeof f), a);
	case DLC_OP_LOG: return flt && OUT("%s(%s)", fn(t, "log", f, sizeof f), a);
	case DLC_OP_SQRT: return flt && OUT("%s(%s)", fn(t, "sqrt", f, sizeof f), a);
	case DLC_OP_FLOOR: return flt && OUT("%s(%s)", fn(t, "floor", f, sizeof f), a);
	case DLC_OP_CEIL: return flt && OUT("%s(%s)", fn(t, "ceil", f, sizeof f), a);
	/* rint rounds half to even in the default rounding mode */
	case DLC_OP_ROUND: return flt && OUT("%s(%s)", fn(t, "rint", f, sizeof f), a);
	case DLC_OP_SIN: return flt && OUT("%s(%s)", fn(t, "sin", f, sizeof f), a);
	case DLC_OP_COS: return flt && OUT("%s(%s)", fn(t, "cos", f, sizeof f), a);
	case DLC_OP_TAN: return flt && OUT("%s(%s)", fn(t, "tan", f, sizeof f), a);
	case DLC_OP_ASIN: return flt && OUT("%s(%s)", fn(t, "asin", f, sizeof f), a);
	case DLC_OP_ACOS: return flt && OUT("%s(%s)", fn(t, "acos", f, sizeof f), a);
	case DLC_OP_ATAN: return flt && OUT("%s(%s)", fn(t, "atan", f, sizeof f), a);
	case DLC_OP_SINH: return flt && OUT("%s(%s)", fn(t, "sinh", f, sizeof f), a);
	case DLC_OP_COSH: return flt && OUT("%s(%s)", fn(t, "cosh", f, sizeof f), a);
	case DLC_OP_ASINH: return flt && OUT("%s(%s)", fn(t, "asinh", f, sizeof f), a);
	case DLC_OP_ACOSH: return flt && OUT("%s(%s)", fn(t, "acosh", f, sizeof f), a);
	case DLC_OP_ATANH: return flt && OUT("%s(%s)", fn(t, "atanh", f, sizeof f), a);
	case DLC_OP_ERF: return flt && OUT("%s(%s)", fn(t, "erf", f, sizeof f), a);
	case DLC_OP_TANH: return flt && OUT("%s(%s)", fn(t, "tanh", f, sizeof f), a);
	case DLC_OP_SIGMOID:
		return flt && OUT("%s / (%s + %s(-%s))", one, one, fn(t, "exp", f, sizeof f), a);

	/* ---- activations ---- */
	case DLC_OP_RELU:
		if (uint)
			return OUT("%s", a);
		return (flt || sint) && OUT("%s < %s ? %s : %s", a, zero, zero, a);
	case DLC_OP_LEAKY_RELU:
		return flt && OUT("(%s < 0 ? %s * %s : %s)", a, lit(t, attr_f(n, op, "alpha")), a, a);
	case DLC_OP_THRESHOLDED_RELU:
		return flt && OUT("(%s > %s ? %s : %s)", a, lit(t, attr_f(n, op, "alpha")), a, zero);
	case DLC_OP_ELU:
		return flt && OUT("(%s >= 0 ? %s : %s * %s(%s))", a, a, lit(t, attr_f(n, op, "alpha")),
				  fn(t, "expm1", f, sizeof f), a);
	case DLC_OP_CELU: {
		double al = attr_f(n, op, "alpha");
		return flt && OUT("(%s > 0 ? %s : %s * %s(%s / %s))", a, a, lit(t, al),
				  fn(t, "expm1", f, sizeof f), a, lit(t, al));
	}
	case DLC_OP_SELU: {
		double al = attr_f(n, op, "alpha"), ga = attr_f(n, op, "gamma");
		return flt && OUT("(%s > 0 ? %s * %s : %s * %s(%s))", a, lit(t, ga), a,
				  lit(t, al * ga), fn(t, "expm1", f, sizeof f), a);
	}
	case DLC_OP_HARD_SIGMOID:
		return flt && OUT("%s(%s * %s + %s, %s, %s)", t == DLC_F64 ? "dlc_clamp" : "dlc_clampf",
				  lit(t, attr_f(n, op, "alpha")), a, lit(t, attr_f(n, op, "beta")), zero, one);
	case DLC_OP_HARD_SWISH: /* x * hard_sigmoid(x) with alpha = 1/6, beta = 0.5 */
		return flt && OUT("%s * %s(%s * %s + %s, %s, %s)", a, t == DLC_F64 ? "dlc_clamp" : "dlc_clampf",
				  lit(t, t == DLC_F64 ? 1.0 / 6 : (double)(1.0f / 6)), a, lit(t, 0.5), zero, one);
	case DLC_OP_SOFTPLUS: /* log(1 + e^x) without overflow for large x */
		return flt && OUT("(%s > 0 ? %s + %s(%s(-%s)) : %s(%s(%s)))", a, a, fn(t, "log1p", f, sizeof f),
				  fn(t, "exp", g, sizeof g), a, f, g, a);
	case DLC_OP_SOFTSIGN:
		return flt && OUT("%s / (%s + %s(%s))", a, one, fn(t, "fabs", f, sizeof f), a);
	case DLC_OP_MISH: { /* x * tanh(softplus(x)) */
		char h[16];
		return flt && OUT("%s * %s(%s > 0 ? %s + %s(%s(-%s)) : %s(%s(%s)))", a, fn(t, "tanh", h, sizeof h),
				  a, a, fn(t, "log1p", f, sizeof f), fn(t, "exp", g, sizeof g), a, f, g, a);
	}
	case DLC_OP_SWISH: /* x * sigmoid(alpha * x) */
		return flt && OUT("%s / (%s + %s(%s * %s))", a, one, fn(t, "exp", f, sizeof f),
				  lit(t, -attr_f(n, op, "alpha")), a);
	case DLC_OP_GELU:
		if (!flt)
			return false;
		if (!strcmp(attr_s(n, op, "approximate"), "tanh")) /* sqrt(2 / pi) */
			return OUT("%s * %s * (%s + %s(%s * (%s + %s * %s * %s * %s)))", lit(t, 0.5), a, one,
				   fn(t, "tanh", f, sizeof f), lit(t, 0.79788456080286535588), a,
				   lit(t, 0.044715), a, a, a);
		return OUT("%s * %s * (%s + %s(%s * %s))", lit(t, 0.5), a, one, fn(t, "erf", f, sizeof f), a,
			   lit(t, 0.70710678118654752440));
	case DLC_OP_SHRINK: {
		double l = attr_f(n, op, "lambd"), bi = attr_f(n, op, "bias");
		if (flt)
			return OUT("(%s < %s ? %s + %s : %s > %s ? %s - %s : %s)", a, lit(t, -l), a, lit(t, bi),
				   a, lit(t, l), a, lit(t, bi), zero);
		/* integers: compared and shifted in double, then converted back */
		if (!dlc_dtype_is_int(t))
			return false;
		char v[800];
		snprintf(v, sizeof v, "(double)%s < %s ? (double)%s + %s : (double)%s > %s ? (double)%s - %s : 0.0",
			 a, lit(DLC_F64, -l), a, lit(DLC_F64, bi), a, lit(DLC_F64, l), a, lit(DLC_F64, bi));
		float_to_int(b, t, v);
		return true;
	}
	case DLC_OP_PRELU:
		if (flt)
			return OUT("(%s < 0 ? %s * %s : %s)", a, x1, a, a);
		if (uint) /* never negative; the slope is not read */
			return OUT("((void)%s, %s)", x1, a);
		return sint && OUT("(%s < 0 ? (%s)((%s)%s * (%s)%s) : %s)", a, ct, ut, x1, ut, a, a);

	/* ---- tests, logic, bits ---- */
	case DLC_OP_IS_NAN: return flt && OUT("%s != %s", a, a);
	case DLC_OP_IS_INF: {
		bool neg = attr_i(n, op, "detect_negative"), pos = attr_i(n, op, "detect_positive");
		if (!flt)
			return false;
		if (neg && pos)
			return OUT("(%s == INFINITY || %s == -INFINITY)", a, a);
		if (neg || pos)
			return OUT("%s == %sINFINITY", a, neg ? "-" : "");
		return OUT("((void)%s, false)", a);
	}
	case DLC_OP_NOT: return t == DLC_BOOL && OUT("!%s", a);
	case DLC_OP_AND: return t == DLC_BOOL && OUT("%s && %s", a, x1);
	case DLC_OP_OR: return t == DLC_BOOL && OUT("%s || %s", a, x1);
	case DLC_OP_XOR: return t == DLC_BOOL && OUT("%s != %s", a, x1);
	case DLC_OP_BITWISE_NOT: return dlc_dtype_is_int(t) && OUT("(%s)~%s", ct, a);
	case DLC_OP_BITWISE_AND: return dlc_dtype_is_int(t) && OUT("(%s)(%s & %s)", ct, a, x1);
	case DLC_OP_BITWISE_OR: return dlc_dtype_is_int(t) && OUT("(%s)(%s | %s)", ct, a, x1);
	case DLC_OP_BITWISE_XOR: return dlc_dtype_is_int(t) && OUT("(%s)(%s ^ %s)", ct, a, x1);
	case DLC_OP_BIT_SHIFT:
		return dlc_dtype_is_int(t) &&
		       OUT("dlc_%s_%s(%s, %s)", strcmp(attr_s(n, op, "direction"), "LEFT") ? "shr" : "shl",
			   sfx, a, x1);
	case DLC_OP_EQUAL: return OUT("%s == %s", a, x1);
	case DLC_OP_GREATER: return OUT("%s > %s", a, x1);
	case DLC_OP_LESS: return OUT("%s < %s", a, x1);
	case DLC_OP_GREATER_OR_EQUAL: return OUT("%s >= %s", a, x1);
	case DLC_OP_LESS_OR_EQUAL: return OUT("%s <= %s", a, x1);
	case DLC_OP_WHERE: return OUT("%s ? %s : %s", a, x1, args[2]);

	/* ---- variadic: the binary step ---- */
	case DLC_OP_MAX:
	case DLC_OP_MIN: {
		bool mx = op == DLC_OP_MAX;
		if (flt)
			return OUT("%s%s(%s, %s)", mx ? "dlc_max" : "dlc_min", t == DLC_F64 ? "" : "f", a, x1);
		return dlc_dtype_is_int(t) && OUT("dlc_%s_%s(%s, %s)", mx ? "max" : "min", sfx, a, x1);
	}
	case DLC_OP_SUM:
	case DLC_OP_MEAN:
		return flt && OUT("%s + %s", a, x1);
	default:
		return false;
	}
#undef OUT
}

bool scalar_expr(struct dlc_strbuf *b, enum dlc_op op, enum dlc_dtype t,
		 const char *const *args)
{
	enum dlc_dtype ts[3] = {t, t, t};
	/* formula() may look at three operands; the caller passes the op's
	 * maximum */
	const char *a[3] = {NULL, NULL, NULL};
	int max = dlc_op_info(op)->max_inputs;
	if (max > 3) /* variadic: the binary step */
		max = 2;
	for (int i = 0; i < max; i++)
		a[i] = args[i];
	return formula(b, op, NULL, ts, a);
}

bool scalar_node_expr(struct dlc_strbuf *b, const struct dlc_node *n,
		      const char *const *args)
{
	enum dlc_dtype ts[3] = {DLC_DTYPE_UNKNOWN, DLC_DTYPE_UNKNOWN, DLC_DTYPE_UNKNOWN};
	for (int i = 0; i < n->ninputs && i < 3; i++) {
		const struct dlc_value *v = n->inputs[i].value;
		ts[i] = v ? c_compute_dtype(v->type.dtype) : DLC_DTYPE_UNKNOWN;
	}
	/* Where's formula is about its values, not the bool condition */
	if (n->op == DLC_OP_WHERE)
		ts[0] = ts[1];
	/* the variadic step folds operands of one dtype */
	if (n->ninputs > 3)
		ts[1] = ts[2] = ts[0];
	/* formula() may look at three operands; the caller passes n's (two
	 * for the variadic step) */
	const char *a[3] = {NULL, NULL, NULL};
	int count = dlc_op_info(n->op)->max_inputs > 3 ? 2 : n->ninputs;
	for (int i = 0; i < 3 && i < count; i++)
		a[i] = args[i];
	return formula(b, n->op, n, ts, a);
}

/* ---- casts ---- */

static bool int_like(enum dlc_dtype t)
{
	return dlc_dtype_is_int(t) || t == DLC_BOOL || dlc_dtype_is_subbyte_int(t);
}

void scalar_cast(struct dlc_strbuf *b, enum dlc_dtype from, enum dlc_dtype to, bool saturate,
		 const char *round_mode, const char *x)
{
	char v[256];
	const char *ct = c_type(to), *sat = saturate ? "1" : "0";
	const char *tn = dlc_dtype_name(to);
	bool f8 = dlc_dtype_is_minifloat(to) && to != DLC_F4E2M1 && to != DLC_F8E8M0;
	const char *rm = !strcmp(round_mode, "down") ? "DLC_RT_ROUND_DOWN"
		       : !strcmp(round_mode, "nearest") ? "DLC_RT_ROUND_NEAREST" : "DLC_RT_ROUND_UP";
	if (from == to) {
		dlc_sb_puts(b, x);
		return;
	}
	c_load(v, sizeof v, from, x); /* a float (double for f64) or the integer itself */
	if (to == DLC_BOOL) {
		dlc_sb_printf(b, "%s != 0", v);
	} else if (to == DLC_F8E8M0) { /* from the value as an f32, like the ONNX reference */
		dlc_sb_printf(b, "dlc_f_to_f8e8m0((float)%s, %s, %s)", v, sat, rm);
	} else if (int_like(from) && int_like(to)) { /* keep the low bits */
		if (dlc_dtype_is_subbyte_int(to))
			dlc_sb_printf(b, "dlc_wrap_%s((int64_t)%s)", tn, x);
		else
			dlc_sb_printf(b, "(%s)%s", ct, x);
	} else if (int_like(from)) { /* integer to float */
		if (to == DLC_F32 || to == DLC_F64)
			dlc_sb_printf(b, "(%s)%s", ct, x);
		else if (to == DLC_F16 || to == DLC_BF16)
			dlc_sb_printf(b, "%s((double)%s)", to == DLC_F16 ? "dlc_d2h" : "dlc_d2bf", x);
		else if (f8)
			dlc_sb_printf(b, "dlc_f_to_%s((double)%s, %s)", tn, x, sat);
		else
			dlc_sb_printf(b, "dlc_f_to_%s((double)%s)", tn, x);
	} else if (int_like(to)) { /* float to integer: truncation, never UB */
		float_to_int(b, to, v);
	} else if (to == DLC_F32) { /* float to float: one rounding */
		dlc_sb_printf(b, from == DLC_F64 ? "(float)%s" : "%s", v);
	} else if (to == DLC_F64) {
		dlc_sb_printf(b, "(double)%s", v);
	} else if (to == DLC_F16 || to == DLC_BF16) {
		dlc_sb_printf(b, "%s(%s)", to == DLC_F16 ? (from == DLC_F64 ? "dlc_d2h" : "dlc_f2h")
							 : (from == DLC_F64 ? "dlc_d2bf" : "dlc_f2bf"), v);
	} else if (f8) {
		dlc_sb_printf(b, "dlc_f_to_%s(%s, %s)", tn, v, sat);
	} else {
		dlc_sb_printf(b, "dlc_f_to_%s(%s)", tn, v);
	}
}
