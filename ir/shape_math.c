/* Shape functions of elementwise math, logic, comparisons and casts: each
 * checks the operand dtypes ONNX allows for the op (and its attributes),
 * broadcasts numpy-style, and gives the result dtype (bool for tests and
 * comparisons, the target of a cast). */
#include <string.h>

#include "ir/shape.h"

static bool is_numeric(enum dlc_dtype t)
{
	return dlc_dtype_is_float(t) || dlc_dtype_is_int(t);
}

/* "operand type f8e4m3fn[2] is not <what>" */
static int want(struct dlc_shape_ctx *c, int i, bool ok, const char *what)
{
	if (ok)
		return 0;
	return shape_error(c, "operand %d has type %s, expected %s", i, shape_str(c, shape_in(c, i)), what);
}

static int unary(struct dlc_shape_ctx *c, bool ok, const char *what)
{
	if (want(c, 0, ok, what) < 0)
		return -1;
	c->out[0] = *shape_in(c, 0);
	return 0;
}

/* Abs, Sign, Shrink: any integer or float type. */
int shape_unary_numeric(struct dlc_shape_ctx *c)
{
	return unary(c, is_numeric(shape_in(c, 0)->dtype), "an integer or float type");
}

/* Neg: signed integers and floats. */
int shape_unary_signed(struct dlc_shape_ctx *c)
{
	enum dlc_dtype t = shape_in(c, 0)->dtype;
	return unary(c, dlc_dtype_is_float(t) || (dlc_dtype_is_int(t) && dlc_dtype_is_signed(t)),
		     "a signed integer or float type");
}

/* BitwiseNot. */
int shape_unary_int(struct dlc_shape_ctx *c)
{
	return unary(c, dlc_dtype_is_int(shape_in(c, 0)->dtype), "an integer type");
}

/* Not. */
int shape_unary_bool(struct dlc_shape_ctx *c)
{
	return unary(c, shape_in(c, 0)->dtype == DLC_BOOL, "bool");
}

/* IsNaN, IsInf: any float (the 8-bit ones included) to bool. */
int shape_float_test(struct dlc_shape_ctx *c)
{
	enum dlc_dtype t = shape_in(c, 0)->dtype;
	if (unary(c, dlc_dtype_is_float(t) || (dlc_dtype_is_minifloat(t) && t != DLC_F4E2M1 && t != DLC_F8E8M0),
		  "a float type") < 0)
		return -1;
	c->out[0].dtype = DLC_BOOL;
	return 0;
}

int shape_gelu(struct dlc_shape_ctx *c)
{
	const char *a = dlc_node_string(c->n, "approximate");
	if (strcmp(a, "none") && strcmp(a, "tanh"))
		return shape_error(c, "'approximate' is \"%s\", expected \"none\" or \"tanh\"", a);
	return shape_unary_float(c);
}

/* Operands 0..n-1 broadcast together into out[0], which takes operand
 * `like`'s dtype. */
static int broadcast_all(struct dlc_shape_ctx *c, int first, int n, int like)
{
	struct dlc_type acc = *shape_in(c, first), next;
	for (int i = first + 1; i < first + n; i++) {
		if (shape_broadcast_dims(c, &acc, shape_in(c, i), &next) < 0)
			return -1;
		acc = next;
	}
	acc.dtype = shape_in(c, like)->dtype;
	c->out[0] = acc;
	return 0;
}

/* Binary ops whose operands share one dtype that `ok` accepts. */
static int binary_same(struct dlc_shape_ctx *c, bool ok, const char *what)
{
	const struct dlc_type *a = shape_in(c, 0), *b = shape_in(c, 1);
	if (want(c, 0, ok, what) < 0)
		return -1;
	if (a->dtype != b->dtype)
		return shape_error(c, "operand types differ: %s and %s", shape_str(c, a), shape_str(c, b));
	return broadcast_all(c, 0, 2, 0);
}

/* BitwiseAnd, BitwiseOr, BitwiseXor. */
int shape_bitwise(struct dlc_shape_ctx *c)
{
	return binary_same(c, dlc_dtype_is_int(shape_in(c, 0)->dtype), "an integer type");
}

int shape_bit_shift(struct dlc_shape_ctx *c)
{
	const char *d = dlc_node_string(c->n, "direction");
	if (strcmp(d, "LEFT") && strcmp(d, "RIGHT"))
		return shape_error(c, "'direction' is \"%s\", expected \"LEFT\" or \"RIGHT\"", d);
	return shape_bitwise(c);
}

/* And, Or, Xor. */
int shape_logical(struct dlc_shape_ctx *c)
{
	return binary_same(c, shape_in(c, 0)->dtype == DLC_BOOL, "bool");
}

/* Equal (numbers or bools), Greater, Less, GreaterOrEqual, LessOrEqual
 * (numbers): bool results. */
int shape_compare(struct dlc_shape_ctx *c)
{
	enum dlc_dtype t = shape_in(c, 0)->dtype;
	bool eq = c->n->op == DLC_OP_EQUAL;
	if (binary_same(c, is_numeric(t) || (eq && t == DLC_BOOL),
			eq ? "an integer, float or bool type" : "an integer or float type") < 0)
		return -1;
	c->out[0].dtype = DLC_BOOL;
	return 0;
}

int shape_mod(struct dlc_shape_ctx *c)
{
	int64_t fmod = dlc_node_int(c->n, "fmod");
	if (fmod != 0 && fmod != 1)
		return shape_error(c, "'fmod' is %lld, expected 0 or 1", (long long)fmod);
	return binary_same(c, is_numeric(shape_in(c, 0)->dtype), "an integer or float type");
}

/* Pow: the base is i32, i64 or a float; the exponent any number type; the
 * result has the base's type. */
int shape_pow(struct dlc_shape_ctx *c)
{
	enum dlc_dtype t = shape_in(c, 0)->dtype;
	if (want(c, 0, dlc_dtype_is_float(t) || t == DLC_I32 || t == DLC_I64,
		 "i32, i64 or a float type") < 0 ||
	    want(c, 1, is_numeric(shape_in(c, 1)->dtype), "an integer or float type") < 0)
		return -1;
	return broadcast_all(c, 0, 2, 0);
}

/* PRelu: slope broadcasts onto x (unidirectionally: the result has x's
 * shape). */
int shape_prelu(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0), *s = shape_in(c, 1);
	if (binary_same(c, is_numeric(x->dtype), "an integer or float type") < 0)
		return -1;
	if (c->out[0].rank != x->rank || memcmp(c->out[0].dims, x->dims, sizeof(int64_t) * (size_t)x->rank))
		return shape_error(c, "slope %s does not broadcast to x %s", shape_str(c, s),
				   shape_str(c, x));
	return 0;
}

/* Max, Min (numbers), Sum, Mean (floats): one dtype, all broadcast. */
int shape_variadic(struct dlc_shape_ctx *c)
{
	enum dlc_dtype t = shape_in(c, 0)->dtype;
	bool flt = c->n->op == DLC_OP_SUM || c->n->op == DLC_OP_MEAN;
	if (want(c, 0, flt ? dlc_dtype_is_float(t) : is_numeric(t),
		 flt ? "a float type" : "an integer or float type") < 0)
		return -1;
	for (int i = 1; i < c->n->ninputs; i++) {
		const struct dlc_type *x = shape_in(c, i);
		if (!x)
			return shape_error(c, "operand %d is absent", i);
		if (x->dtype != t)
			return shape_error(c, "operand types differ: %s (operand 0) and %s (operand %d)",
					   shape_str(c, shape_in(c, 0)), shape_str(c, x), i);
	}
	return broadcast_all(c, 0, c->n->ninputs, 0);
}

/* Where(cond, x, y). */
int shape_where(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 1), *y = shape_in(c, 2);
	if (want(c, 0, shape_in(c, 0)->dtype == DLC_BOOL, "bool") < 0)
		return -1;
	if (x->dtype != y->dtype)
		return shape_error(c, "x and y types differ: %s and %s", shape_str(c, x), shape_str(c, y));
	return broadcast_all(c, 0, 3, 1);
}

/* Cast: `to` names an IR dtype ("f16"); the ONNX importer translates
 * TensorProto data types (and turns CastLike into Cast). */
int shape_cast(struct dlc_shape_ctx *c)
{
	const char *to = dlc_node_string(c->n, "to");
	enum dlc_dtype t = dlc_dtype_from_name(to, strlen(to));
	if (t == DLC_DTYPE_UNKNOWN)
		return shape_error(c, "'to' is \"%s\", which is not an element type", to);
	int64_t sat = dlc_node_int(c->n, "saturate");
	if (sat != 0 && sat != 1)
		return shape_error(c, "'saturate' is %lld, expected 0 or 1", (long long)sat);
	/* how a cast to f8e8m0 rounds */
	const char *rm = dlc_node_string(c->n, "round_mode");
	if (strcmp(rm, "up") && strcmp(rm, "down") && strcmp(rm, "nearest"))
		return shape_error(c, "'round_mode' is \"%s\", expected \"up\", \"down\" or \"nearest\"", rm);
	c->out[0] = *shape_in(c, 0);
	c->out[0].dtype = t;
	return 0;
}
