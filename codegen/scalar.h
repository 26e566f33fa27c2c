/* The scalar formula of each elementwise op, defined once: the C and CUDA
 * renderers (and fused kernels) both spell an op's per-element computation
 * through this. */
#ifndef DLC_CODEGEN_SCALAR_H
#define DLC_CODEGEN_SCALAR_H

#include <stdbool.h>

#include "dlc/ir.h"
#include "dlc/util.h"

/* Appends the C expression computing op over operand expressions args[]
 * (already of dtype t) to b. False if op has no scalar formula for t. */
bool scalar_expr(struct dlc_strbuf *b, enum dlc_op op, enum dlc_dtype t,
		 const char *const *args);

#endif
