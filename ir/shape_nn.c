/* Shape functions of neural-network ops: softmax. Convolution, pooling,
 * matrix products and batch normalization are in shape_conv.c. */
#include <string.h>

#include "dlc/util.h"
#include "ir/shape.h"

static int check_float(struct dlc_shape_ctx *c, const char *what,
		       const struct dlc_type *t)
{
	if (!dlc_dtype_is_float(t->dtype))
		return shape_error(c, "%s has type %s, expected a float type", what,
				   shape_str(c, t));
	return 0;
}

int shape_softmax(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	if (check_float(c, "input", x) < 0)
		return -1;
	if (x->rank < 1)
		return shape_error(c, "input %s must have rank >= 1", shape_str(c, x));
	if (shape_axis(c, "axis", dlc_node_int(c->n, "axis"), x->rank, false) < 0)
		return -1;
	c->out[0] = *x;
	return 0;
}
