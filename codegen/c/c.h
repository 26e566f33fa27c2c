/* The C target's internals: the generation context, and the kernel table
 * that maps each op to the function emitting its kernel body. */
#ifndef DLC_CODEGEN_C_H
#define DLC_CODEGEN_C_H

#include "codegen/emit.h"
#include "dlc/codegen.h"
#include "dlc/diag.h"
#include "dlc/ir.h"

struct cgen {
	struct dlc_graph *g;
	const struct dlc_codegen_opts *o;
	struct dlc_diag *d;
	struct emitter e;          /* OUT.c */
	const char *prefix;
	bool sidecar;              /* weights in OUT.weights.bin */
	char **names;              /* by value id: C identifier of inputs and weights */
	char **outnames;           /* by output slot: field of struct <prefix>_outputs */
	bool *used;                /* by value id: a weight the code reads */
};

/* Emits the body of n's kernel function; its parameters are named as in
 * the table (operands, then results). Returns -1 after reporting. */
typedef int (*c_kernel_fn)(struct cgen *c, const struct dlc_node *n);

struct c_kernel {
	c_kernel_fn emit;
	const char *params;        /* operand names then result names, comma-separated;
				      "*" : x0, x1, ... for variadic operands */
	bool in_place;             /* a result may share an operand's buffer */
};

extern const struct c_kernel c_kernels[DLC_NUM_OPS];

/* Kernel emitters (codegen/c/kernels_*.c). */
int c_emit_unary(struct cgen *c, const struct dlc_node *n);
int c_emit_binary(struct cgen *c, const struct dlc_node *n);
int c_emit_clip(struct cgen *c, const struct dlc_node *n);
int c_emit_dropout(struct cgen *c, const struct dlc_node *n);
int c_emit_conv(struct cgen *c, const struct dlc_node *n);
int c_emit_pool(struct cgen *c, const struct dlc_node *n);
int c_emit_global_pool(struct cgen *c, const struct dlc_node *n);
int c_emit_gemm(struct cgen *c, const struct dlc_node *n);
int c_emit_matmul(struct cgen *c, const struct dlc_node *n);
int c_emit_batch_norm(struct cgen *c, const struct dlc_node *n);
int c_emit_softmax(struct cgen *c, const struct dlc_node *n);
int c_emit_transpose(struct cgen *c, const struct dlc_node *n);
int c_emit_concat(struct cgen *c, const struct dlc_node *n);
int c_emit_copy(struct cgen *c, const struct dlc_node *n);

/* ---- elementwise math, logic, comparison, casts ---- */

/* ---- reductions, normalization, softmax family, scans ---- */

/* ---- shape and indexing ---- */

/* ---- convolution, pooling, matrix products, quantization ---- */

/* ---- recurrent, attention, signal, losses ---- */

/* Helpers for kernel emitters. */
int c_error(struct cgen *c, const struct dlc_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Fails unless every present operand and result has dtype t (or is the
 * C target's arithmetic type at all when t is unknown). */
int c_require_float(struct cgen *c, const struct dlc_node *n);
const struct dlc_type *c_in(const struct dlc_node *n, int i);
const struct dlc_type *c_out(const struct dlc_node *n, int i);

#endif
