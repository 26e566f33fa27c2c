/* Loop nests over a result with broadcasting operands: the index of each
 * operand is a literal-stride expression of the loop variables, and
 * adjacent dims that stay contiguous for every tensor are merged. */
#ifndef DLC_CODEGEN_C_LOOPS_H
#define DLC_CODEGEN_C_LOOPS_H

#include "codegen/c/c.h"

/* body(c, result index, operand indices, ctx) emits the innermost
 * statement (one: the loops have no braces). Operands broadcast
 * numpy-style onto `out`. */
typedef void (*c_loop_body)(struct cgen *c, const char *yi, const char *const *xi, void *ctx);
void c_loop_nest(struct cgen *c, const struct dlc_type *out, int nops,
		 const struct dlc_type *const *ops, c_loop_body body, void *ctx);

/* The same over explicit strides: st[0] is the result's, st[1..nops] the
 * operands' (0 where an operand does not move along a dim). */
#define C_MAX_STREAMS 33 /* the result and 32 operands (variadic Max, Sum, ...) */
void c_loop_nest_strided(struct cgen *c, int rank, const int64_t *dims, int nops,
			 const int64_t (*st)[DLC_MAX_RANK], c_loop_body body, void *ctx);

/* Row-major strides of a static type. */
void c_strides(const struct dlc_type *t, int64_t *strides);

/* "i0 * 120 + i1 * 10 + i2": sum of var<k> * stride[k] for nonzero strides. */
void c_index_expr(char *buf, size_t size, const char *var, int rank, const int64_t *strides);

/* An affine index "oh * 2 + kh - 1": sum of coef[k] * var[k] plus c0,
 * leaving out zero terms, "* 1" and "+ 0". Returns buf. */
const char *c_affine(char *buf, size_t size, int64_t c0, int n, const char *const *vars,
		     const int64_t *coefs);
#define C_AFFINE(buf, c0, ...)                                                  \
	c_affine_pairs(buf, sizeof(buf), c0, __VA_ARGS__, NULL)
/* The same with (const char *var, long long coef) pairs ending in NULL. */
const char *c_affine_pairs(char *buf, size_t size, int64_t c0, ...);

#endif
