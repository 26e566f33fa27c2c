/* The scalar formula of each elementwise op, defined once: the C and CUDA
 * renderers (and fused kernels) both spell an op's per-element computation
 * through this. */
#ifndef DLC_CODEGEN_SCALAR_H
#define DLC_CODEGEN_SCALAR_H

#include <stdbool.h>

#include "dlc/ir.h"
#include "dlc/util.h"

/* Appends the C expression computing op over operand expressions args[]
 * (already of dtype t) to b; attributes take their defaults. False if op
 * has no scalar formula for t. */
bool scalar_expr(struct dlc_strbuf *b, enum dlc_op op, enum dlc_dtype t,
		 const char *const *args);

/* The same for node n, with its attributes: args[i] is operand i already
 * loaded in its compute dtype (c_compute_dtype of its dtype; operands may
 * differ, as Pow's and Where's do). The expression has the compute dtype of
 * n's result (bool for tests and comparisons). For the variadic Max, Min,
 * Sum and Mean it is the binary step folding args[1] into args[0] (Mean's
 * division is the kernel's). */
bool scalar_node_expr(struct dlc_strbuf *b, const struct dlc_node *n,
		      const char *const *args);

/* The C function computing libm's `name` ("exp") in compute dtype t, into
 * buf: libm's (exp for f64, expf) except for the float exp, tanh and erf,
 * which are dlc_expf, dlc_tanhf and dlc_erff: a target defines those (the
 * C target: runtime/vmath/, vectorizable, with the fast kernels; libm's
 * with the naive ones). */
const char *scalar_math_fn(enum dlc_dtype t, const char *name, char *buf, size_t size);

/* Cast: the stored element `x` of dtype `from` converted to the storage of
 * dtype `to` (a complete value to store: no c_store needed). `saturate`
 * applies to the 8-bit float targets, `round_mode` ("up", "down",
 * "nearest") to f8e8m0 (ONNX Cast). */
void scalar_cast(struct dlc_strbuf *b, enum dlc_dtype from, enum dlc_dtype to, bool saturate,
		 const char *round_mode, const char *x);

#endif
