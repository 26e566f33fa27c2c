/* What shape inference and the C kernels of the recurrent, attention,
 * signal and loss ops both need, resolved in one place (ir/shape_seq.c):
 * the einsum equation, the recurrent ops' sizes and activations, the
 * attention sizes, the DFT/STFT parameters. Kernels call the dlc_node_*
 * resolvers at code generation time, as conv kernels call
 * dlc_node_window, so a size is never computed twice. */
#ifndef DLC_IR_SHAPE_SEQ_H
#define DLC_IR_SHAPE_SEQ_H

#include <stdbool.h>
#include <stdint.h>

#include "dlc/ir.h"

/* ---- einsum ---- */

#define DLC_EINSUM_MAX_OPS 16
/* 52 letters plus the dims an ellipsis stands for */
#define DLC_EINSUM_MAX_LABELS (52 + DLC_MAX_RANK)

/* A resolved einsum: labels are numbered 0..nlabels-1 (the ellipsis dims
 * are labels of their own); each operand dim and each result dim carries
 * one. An operand dim of size 1 under an ellipsis label of another size
 * broadcasts (bcast set: it does not move). */
struct dlc_einsum {
	int nops;
	int nlabels;
	int64_t size[DLC_EINSUM_MAX_LABELS];     /* size of each label */
	char name[DLC_EINSUM_MAX_LABELS];        /* the letter; '.' for an ellipsis dim */
	int rank[DLC_EINSUM_MAX_OPS];
	int label[DLC_EINSUM_MAX_OPS][DLC_MAX_RANK];
	bool bcast[DLC_EINSUM_MAX_OPS][DLC_MAX_RANK];
	int nout;
	int out[DLC_MAX_RANK];                   /* labels of the result's dims */
};
int dlc_node_einsum(struct dlc_graph *g, const struct dlc_node *n, struct dlc_einsum *e,
		    struct dlc_diag *d);

/* ---- rnn, gru, lstm ---- */

enum dlc_rnn_fn {
	DLC_RNN_RELU, DLC_RNN_TANH, DLC_RNN_SIGMOID, DLC_RNN_AFFINE, DLC_RNN_LEAKY_RELU,
	DLC_RNN_THRESHOLDED_RELU, DLC_RNN_SCALED_TANH, DLC_RNN_HARD_SIGMOID, DLC_RNN_ELU,
	DLC_RNN_SOFTSIGN, DLC_RNN_SOFTPLUS,
};

struct dlc_rnn_act {
	enum dlc_rnn_fn fn;
	float alpha, beta;
};

/* Sizes of a recurrent node; layout 1 swaps the seq and batch dims of X, Y
 * and the states. Activations per direction: f (RNN); f, g (GRU);
 * f, g, h (LSTM). */
struct dlc_rnn {
	int dirs;                 /* 1 or 2 */
	bool reverse;             /* direction = reverse (dirs == 1) */
	int gates;                /* rows of W per hidden unit: 1, 3 or 4 */
	int nact;                 /* activations per direction */
	bool layout;
	int64_t seq, batch, input, hidden;
	struct dlc_rnn_act act[2][3];
};
int dlc_node_rnn(struct dlc_graph *g, const struct dlc_node *n, struct dlc_rnn *r,
		 struct dlc_diag *d);

/* ---- attention ---- */

/* Sizes of an attention node, Q/K/V seen as 4-D (batch, heads, seq, head
 * size) whatever their rank; the mask's dims are right-aligned onto
 * (batch, q heads, q seq, total seq) with 1s in front. */
struct dlc_attention {
	bool three_d;
	int64_t batch, q_heads, kv_heads, q_len, kv_len, past_len, total_len;
	int64_t head_size, v_head_size;
	int64_t mask[4];          /* mask dims, right-aligned, 1-filled (no mask: 0s) */
};
int dlc_node_attention(struct dlc_graph *g, const struct dlc_node *n, struct dlc_attention *a,
		       struct dlc_diag *d);

/* ---- dft, stft ---- */

/* A DFT along one axis: `length` points (the input is cut or zero-padded
 * to it, `in_len` are read), `bins` results written. */
struct dlc_dft {
	int axis;                 /* normalised, in [0, rank - 2] */
	int64_t length;           /* dft_length */
	int64_t in_len;           /* input points along the axis */
	int64_t bins;             /* result points along the axis */
	bool inverse, onesided, complex_in, complex_out;
	int64_t frame_step;       /* stft only */
};
int dlc_node_dft(struct dlc_graph *g, const struct dlc_node *n, struct dlc_dft *p,
		 struct dlc_diag *d);

/* The value of a constant integer scalar (or 1-element) operand; false if
 * the operand is absent, not a constant with data, or not an integer. */
bool dlc_const_int(const struct dlc_value *v, int64_t *out);
/* The element type of an ONNX TensorProto.DataType number (for the
 * output_datatype attributes); unknown if dlc has none. */
enum dlc_dtype dlc_dtype_from_onnx(int64_t t);

#endif
