/* Shape functions of the op table (one per op family) and the helpers they
 * share. Each takes the node's operand types and computes result types,
 * reporting any violated constraint through shape_error(). */
#ifndef DLC_IR_SHAPE_H
#define DLC_IR_SHAPE_H

#include "dlc/diag.h"
#include "dlc/ir.h"

#define DLC_OP(id, name, onnx, tf, inmin, inmax, outmin, outmax, shape, flags, attrs) \
	int shape(struct dlc_shape_ctx *c);
#include "ir/ops.def"
#undef DLC_OP

/* Reports "<op>: msg" at the node and returns -1. */
int shape_error(struct dlc_shape_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Type of operand i, or NULL if absent. */
const struct dlc_type *shape_in(const struct dlc_shape_ctx *c, int i);

/* Normalises axis into [0, rank) given the accepted range [-rank, rank-1]
 * (or [-rank, rank] with `inclusive`, where rank itself means "past the
 * end"); -1 after reporting if outside. */
int shape_axis(struct dlc_shape_ctx *c, const char *what, int64_t axis,
	       int rank, bool inclusive);

/* Numpy-style multidirectional broadcast of a and b into out. */
int shape_broadcast_dims(struct dlc_shape_ctx *c, const struct dlc_type *a,
			 const struct dlc_type *b, struct dlc_type *out);

/* Formats a type for a message (one of 4 rotating buffers). */
const char *shape_str(const struct dlc_shape_ctx *c, const struct dlc_type *t);

/* Reads an integer constant operand (i64 or i32) of at most `max` elements.
 * Returns its element count, -1 if the operand is not a constant with
 * data (not an error by itself), or -2 after reporting a bad type. */
int shape_const_ints(struct dlc_shape_ctx *c, int i, int64_t *out, int max);

#endif

/* x: the N,C,spatial... input; kernel: spatial kernel dims. */
int shape_window(struct dlc_shape_ctx *c, const struct dlc_type *x,
		 const int64_t *kernel, bool ceil_mode, struct dlc_window *w);
