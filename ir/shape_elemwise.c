/* Shape functions of elementwise ops: unary, broadcasting binary, clip,
 * identity and dropout. */
#include <string.h>

#include "dlc/util.h"
#include "ir/shape.h"

static int check_numeric(struct dlc_shape_ctx *c, const struct dlc_type *t)
{
	if (t->dtype == DLC_BOOL)
		return shape_error(c, "operand type %s is not numeric", shape_str(c, t));
	return 0;
}

int shape_unary(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	if (check_numeric(c, x) < 0)
		return -1;
	c->out[0] = *x;
	return 0;
}

/* Transcendental ops are defined on floats only. */
int shape_unary_float(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	if (!dlc_dtype_is_float(x->dtype))
		return shape_error(c, "operand type %s is not a float type", shape_str(c, x));
	c->out[0] = *x;
	return 0;
}

/* The same bits read as another element type of the same width. */
int shape_bitcast(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	const char *to = dlc_node_string(c->n, "to");
	enum dlc_dtype t = dlc_dtype_from_name(to, strlen(to));
	if (t == DLC_DTYPE_UNKNOWN)
		return shape_error(c, "'to' is \"%s\", which is not an element type", to);
	if (dlc_dtype_size(t) != dlc_dtype_size(x->dtype))
		return shape_error(c, "%s and %s differ in width (%zu and %zu bytes)",
				   dlc_dtype_name(x->dtype), to, dlc_dtype_size(x->dtype),
				   dlc_dtype_size(t));
	c->out[0] = *x;
	c->out[0].dtype = t;
	return 0;
}

int shape_identity(struct dlc_shape_ctx *c)
{
	c->out[0] = *shape_in(c, 0);
	return 0;
}

int shape_broadcast(struct dlc_shape_ctx *c)
{
	const struct dlc_type *a = shape_in(c, 0), *b = shape_in(c, 1);
	if (a->dtype != b->dtype)
		return shape_error(c, "operand types differ: %s and %s",
				   shape_str(c, a), shape_str(c, b));
	if (check_numeric(c, a) < 0)
		return -1;
	return shape_broadcast_dims(c, a, b, &c->out[0]);
}

/* A bound operand is a scalar of x's dtype (a 1-element 1-D tensor is
 * accepted too: exporters write those). */
static int check_scalar(struct dlc_shape_ctx *c, int i, const char *what,
			enum dlc_dtype dt)
{
	const struct dlc_type *t = shape_in(c, i);
	if (!t)
		return 0;
	if (t->dtype != dt)
		return shape_error(c, "%s has type %s, expected %s", what,
				   shape_str(c, t), dlc_dtype_name(dt));
	if (t->rank > 1 || (t->rank == 1 && t->dims[0] != 1))
		return shape_error(c, "%s must be a scalar, got %s", what,
				   shape_str(c, t));
	return 0;
}

int shape_clip(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	if (check_numeric(c, x) < 0 || check_scalar(c, 1, "min", x->dtype) < 0 ||
	    check_scalar(c, 2, "max", x->dtype) < 0)
		return -1;
	c->out[0] = *x;
	return 0;
}

/* A constant scalar operand as a double; def when absent or not constant. */
static double const_scalar(struct dlc_shape_ctx *c, int i, double def)
{
	const struct dlc_value *v = dlc_node_input(c->n, i);
	const void *p = dlc_value_data(v);
	if (!p || dlc_type_numel(&v->type) != 1)
		return def;
	switch (v->type.dtype) {
	case DLC_F32: return *(const float *)p;
	case DLC_F64: return *(const double *)p;
	case DLC_F16: return dlc_f16_to_f32(*(const uint16_t *)p);
	case DLC_BF16: return dlc_bf16_to_f32(*(const uint16_t *)p);
	case DLC_BOOL: return *(const uint8_t *)p != 0;
	default: return def;
	}
}

/* Training mode draws a random mask no reference run can reproduce, so it
 * is rejected unless the ratio is 0 (then it is the identity too). */
int shape_dropout(struct dlc_shape_ctx *c)
{
	if (const_scalar(c, 2, 0) != 0 && const_scalar(c, 1, 0.5) != 0)
		return shape_error(c, "training_mode = true (a random mask) is not supported; export the model in eval mode");
	const struct dlc_type *x = shape_in(c, 0);
	const struct dlc_type *ratio = shape_in(c, 1);
	if (!dlc_dtype_is_float(x->dtype))
		return shape_error(c, "data has type %s, expected a float type",
				   shape_str(c, x));
	if (ratio && !dlc_dtype_is_float(ratio->dtype))
		return shape_error(c, "ratio has type %s, expected a float scalar",
				   shape_str(c, ratio));
	if (ratio && check_scalar(c, 1, "ratio", ratio->dtype) < 0)
		return -1;
	if (check_scalar(c, 2, "training_mode", DLC_BOOL) < 0)
		return -1;
	c->out[0] = *x;
	if (c->n->noutputs > 1) {
		c->out[1] = *x;
		c->out[1].dtype = DLC_BOOL;
	}
	return 0;
}
