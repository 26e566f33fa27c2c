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
	const struct c_epilogue *ep; /* the fused chain of the kernel being emitted, or NULL */
	struct c_fast *fast;       /* fast kernels: plans and packed weights (codegen/c/fast.c) */
};

/* The elementwise chain that a fused kernel applies to each element of its
 * anchor's result (codegen/c/fused.c). */
struct c_epilogue {
	const struct dlc_node *const *m; /* the members in order */
	int nm;
	const struct dlc_value **ext;    /* operands from outside the chain: e0, e1, ... */
	int next;
	const struct dlc_type *out;      /* the chain's result (the kernel's y, unless pool) */
	const struct dlc_node *pool;     /* a MaxPool ending the kernel: y is its result */
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

/* Defines, at offset `at` of the file emitted so far, the dlc_expf,
 * dlc_tanhf and dlc_erff that its kernels call (codegen/c/vmath.c). */
void c_vmath_insert(struct cgen *c, size_t at);

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
int c_emit_bitcast(struct cgen *c, const struct dlc_node *n);

/* ---- elementwise math, logic, comparison, casts ---- */
int c_emit_math(struct cgen *c, const struct dlc_node *n);
int c_emit_cast(struct cgen *c, const struct dlc_node *n);

/* ---- reductions, normalization, softmax family, scans ---- */
int c_emit_reduce(struct cgen *c, const struct dlc_node *n);
int c_emit_arg_reduce(struct cgen *c, const struct dlc_node *n);
int c_emit_layer_norm(struct cgen *c, const struct dlc_node *n);
int c_emit_channel_norm(struct cgen *c, const struct dlc_node *n);
int c_emit_lp_norm(struct cgen *c, const struct dlc_node *n);
int c_emit_mvn(struct cgen *c, const struct dlc_node *n);
int c_emit_lrn(struct cgen *c, const struct dlc_node *n);
int c_emit_cumulative(struct cgen *c, const struct dlc_node *n);
int c_emit_top_k(struct cgen *c, const struct dlc_node *n);

/* ---- shape and indexing ---- */
int c_emit_shape(struct cgen *c, const struct dlc_node *n);
int c_emit_size(struct cgen *c, const struct dlc_node *n);
int c_emit_view(struct cgen *c, const struct dlc_node *n);
int c_emit_slice(struct cgen *c, const struct dlc_node *n);
int c_emit_split(struct cgen *c, const struct dlc_node *n);
int c_emit_gather(struct cgen *c, const struct dlc_node *n);
int c_emit_gather_elements(struct cgen *c, const struct dlc_node *n);
int c_emit_gather_nd(struct cgen *c, const struct dlc_node *n);
int c_emit_scatter_elements(struct cgen *c, const struct dlc_node *n);
int c_emit_scatter_nd(struct cgen *c, const struct dlc_node *n);
int c_emit_expand(struct cgen *c, const struct dlc_node *n);
int c_emit_tile(struct cgen *c, const struct dlc_node *n);
int c_emit_pad(struct cgen *c, const struct dlc_node *n);
int c_emit_center_crop_pad(struct cgen *c, const struct dlc_node *n);
int c_emit_constant_of_shape(struct cgen *c, const struct dlc_node *n);
int c_emit_range(struct cgen *c, const struct dlc_node *n);
int c_emit_eye_like(struct cgen *c, const struct dlc_node *n);
int c_emit_one_hot(struct cgen *c, const struct dlc_node *n);
int c_emit_trilu(struct cgen *c, const struct dlc_node *n);
int c_emit_depth_to_space(struct cgen *c, const struct dlc_node *n);
int c_emit_reverse_sequence(struct cgen *c, const struct dlc_node *n);
int c_emit_compress(struct cgen *c, const struct dlc_node *n);
int c_emit_col2im(struct cgen *c, const struct dlc_node *n);
int c_emit_nonzero(struct cgen *c, const struct dlc_node *n);
int c_emit_unique(struct cgen *c, const struct dlc_node *n);
int c_emit_resize(struct cgen *c, const struct dlc_node *n);

/* ---- convolution, pooling, matrix products, quantization ---- */
int c_emit_conv_gather(struct cgen *c, const struct dlc_node *n);
int c_emit_deform_conv(struct cgen *c, const struct dlc_node *n);
int c_emit_max_unpool(struct cgen *c, const struct dlc_node *n);
int c_emit_matmul_integer(struct cgen *c, const struct dlc_node *n);
int c_emit_qlinear_matmul(struct cgen *c, const struct dlc_node *n);
int c_emit_quantize_linear(struct cgen *c, const struct dlc_node *n);
int c_emit_dequantize_linear(struct cgen *c, const struct dlc_node *n);
int c_emit_dynamic_quantize_linear(struct cgen *c, const struct dlc_node *n);
int c_emit_roi_align(struct cgen *c, const struct dlc_node *n);
int c_emit_grid_sample(struct cgen *c, const struct dlc_node *n);
int c_emit_affine_grid(struct cgen *c, const struct dlc_node *n);

/* ---- recurrent, attention, signal, losses ---- */
int c_emit_rnn(struct cgen *c, const struct dlc_node *n);
int c_emit_attention(struct cgen *c, const struct dlc_node *n);
int c_emit_rotary_embedding(struct cgen *c, const struct dlc_node *n);
int c_emit_linear_attention(struct cgen *c, const struct dlc_node *n);
int c_emit_causal_conv_with_state(struct cgen *c, const struct dlc_node *n);
int c_emit_tensor_scatter(struct cgen *c, const struct dlc_node *n);
int c_emit_swiglu(struct cgen *c, const struct dlc_node *n);
int c_emit_einsum(struct cgen *c, const struct dlc_node *n);
int c_emit_det(struct cgen *c, const struct dlc_node *n);
int c_emit_dft(struct cgen *c, const struct dlc_node *n);
int c_emit_stft(struct cgen *c, const struct dlc_node *n);
int c_emit_window(struct cgen *c, const struct dlc_node *n);
int c_emit_mel_weight_matrix(struct cgen *c, const struct dlc_node *n);
int c_emit_loss(struct cgen *c, const struct dlc_node *n);

/* ---- fused kernels (codegen/c/fused.c) ---- */
/* May n join a kernel anchored at `anchor` (n == anchor: may n anchor one)? */
bool c_fusable(const struct dlc_node *n, const struct dlc_node *anchor, const struct dlc_kernel_opts *k);
/* Emits the chain's statements applied to the value named x (an element of
 * the anchor's result at index idx[d] of each dim d < flat_from; the dims
 * from flat_from on are one flattened index `flat`). Returns the name of
 * the value to store, in the compute dtype of ep->out; x itself if the
 * chain is empty. */
const char *c_epilogue(struct cgen *c, const struct c_epilogue *ep, const char *x,
		       const char *const *idx, int flat_from, const char *flat);
/* The chain of the kernel that `anchor` starts (for an elementwise anchor,
 * the anchor is its first member), checked; -1 after reporting. */
int c_kernel_chain(struct cgen *c, const struct dlc_node *anchor, struct c_epilogue *ep);
void c_kernel_chain_free(struct c_epilogue *ep);
/* A kernel of elementwise members only: one loop nest over y. */
int c_emit_fused_elementwise(struct cgen *c, const struct c_epilogue *ep);

/* Helpers for kernel emitters. */
int c_error(struct cgen *c, const struct dlc_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Fails unless every present operand and result has dtype t (or is the
 * C target's arithmetic type at all when t is unknown). */
int c_require_float(struct cgen *c, const struct dlc_node *n);
const struct dlc_type *c_in(const struct dlc_node *n, int i);
const struct dlc_type *c_out(const struct dlc_node *n, int i);

#endif
