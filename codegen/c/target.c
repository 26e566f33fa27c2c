/* The C target: emits OUT.h (the model's C API) and OUT.c (one static
 * function per kernel, a run function that is a flat list of calls on arena
 * offsets, and the weights), plus OUT.weights.bin when the weights are not
 * embedded. The generated code never allocates, never prints, and compiles
 * with -std=c11 -Wall -Wextra -Werror. Output is deterministic. */
#include <stdlib.h>
#include <string.h>

#include "codegen/c/c.h"
#include "codegen/c/fast.h"
#include "codegen/c/profile.h"
#include "dlc/compiler.h"

const struct c_kernel c_kernels[DLC_NUM_OPS] = {
	[DLC_OP_ADD] = {c_emit_binary, "a,b,y", true},
	[DLC_OP_SUB] = {c_emit_binary, "a,b,y", true},
	[DLC_OP_MUL] = {c_emit_binary, "a,b,y", true},
	[DLC_OP_DIV] = {c_emit_binary, "a,b,y", true},
	[DLC_OP_RELU] = {c_emit_unary, "x,y", true},
	[DLC_OP_SIGMOID] = {c_emit_unary, "x,y", true},
	[DLC_OP_TANH] = {c_emit_unary, "x,y", true},
	[DLC_OP_CLIP] = {c_emit_clip, "x,lo,hi,y", true},
	[DLC_OP_IDENTITY] = {c_emit_copy, "x,y", false},
	[DLC_OP_BITCAST] = {c_emit_bitcast, "x,y", false},
	[DLC_OP_DROPOUT] = {c_emit_dropout, "x,ratio,training,y,mask", false},
	[DLC_OP_CONV] = {c_emit_conv, "x,w,b,y", false},
	[DLC_OP_MAX_POOL] = {c_emit_pool, "x,y,indices", false},
	[DLC_OP_AVERAGE_POOL] = {c_emit_pool, "x,y", false},
	[DLC_OP_GLOBAL_AVERAGE_POOL] = {c_emit_global_pool, "x,y", false},
	[DLC_OP_GEMM] = {c_emit_gemm, "a,b,c,y", false},
	[DLC_OP_MATMUL] = {c_emit_matmul, "a,b,y", false},
	[DLC_OP_BATCH_NORM] = {c_emit_batch_norm, "x,scale,bias,mean,var,y,rmean,rvar", false},
	[DLC_OP_SOFTMAX] = {c_emit_softmax, "x,y", false},
	[DLC_OP_FLATTEN] = {c_emit_copy, "x,shape,y", false},
	[DLC_OP_RESHAPE] = {c_emit_copy, "x,shape,y", false},
	[DLC_OP_TRANSPOSE] = {c_emit_transpose, "x,y", false},
	[DLC_OP_CONCAT] = {c_emit_concat, "*,y", false},

	/* ---- elementwise math, logic, comparison, casts ---- */
	[DLC_OP_ABS] = {c_emit_math, "x,y", true},
	[DLC_OP_NEG] = {c_emit_math, "x,y", true},
	[DLC_OP_SIGN] = {c_emit_math, "x,y", true},
	[DLC_OP_EXP] = {c_emit_math, "x,y", true},
	[DLC_OP_LOG] = {c_emit_math, "x,y", true},
	[DLC_OP_SQRT] = {c_emit_math, "x,y", true},
	[DLC_OP_RECIPROCAL] = {c_emit_math, "x,y", true},
	[DLC_OP_FLOOR] = {c_emit_math, "x,y", true},
	[DLC_OP_CEIL] = {c_emit_math, "x,y", true},
	[DLC_OP_ROUND] = {c_emit_math, "x,y", true},
	[DLC_OP_SIN] = {c_emit_math, "x,y", true},
	[DLC_OP_COS] = {c_emit_math, "x,y", true},
	[DLC_OP_TAN] = {c_emit_math, "x,y", true},
	[DLC_OP_ASIN] = {c_emit_math, "x,y", true},
	[DLC_OP_ACOS] = {c_emit_math, "x,y", true},
	[DLC_OP_ATAN] = {c_emit_math, "x,y", true},
	[DLC_OP_SINH] = {c_emit_math, "x,y", true},
	[DLC_OP_COSH] = {c_emit_math, "x,y", true},
	[DLC_OP_ASINH] = {c_emit_math, "x,y", true},
	[DLC_OP_ACOSH] = {c_emit_math, "x,y", true},
	[DLC_OP_ATANH] = {c_emit_math, "x,y", true},
	[DLC_OP_ERF] = {c_emit_math, "x,y", true},
	[DLC_OP_IS_NAN] = {c_emit_math, "x,y", true},
	[DLC_OP_IS_INF] = {c_emit_math, "x,y", true},
	[DLC_OP_SOFTPLUS] = {c_emit_math, "x,y", true},
	[DLC_OP_SOFTSIGN] = {c_emit_math, "x,y", true},
	[DLC_OP_HARD_SIGMOID] = {c_emit_math, "x,y", true},
	[DLC_OP_HARD_SWISH] = {c_emit_math, "x,y", true},
	[DLC_OP_SELU] = {c_emit_math, "x,y", true},
	[DLC_OP_ELU] = {c_emit_math, "x,y", true},
	[DLC_OP_CELU] = {c_emit_math, "x,y", true},
	[DLC_OP_LEAKY_RELU] = {c_emit_math, "x,y", true},
	[DLC_OP_THRESHOLDED_RELU] = {c_emit_math, "x,y", true},
	[DLC_OP_MISH] = {c_emit_math, "x,y", true},
	[DLC_OP_GELU] = {c_emit_math, "x,y", true},
	[DLC_OP_SHRINK] = {c_emit_math, "x,y", true},
	[DLC_OP_SWISH] = {c_emit_math, "x,y", true},
	[DLC_OP_BITWISE_NOT] = {c_emit_math, "x,y", true},
	[DLC_OP_NOT] = {c_emit_math, "x,y", true},
	[DLC_OP_POW] = {c_emit_math, "a,b,y", true},
	[DLC_OP_MOD] = {c_emit_math, "a,b,y", true},
	[DLC_OP_BIT_SHIFT] = {c_emit_math, "a,b,y", true},
	[DLC_OP_BITWISE_AND] = {c_emit_math, "a,b,y", true},
	[DLC_OP_BITWISE_OR] = {c_emit_math, "a,b,y", true},
	[DLC_OP_BITWISE_XOR] = {c_emit_math, "a,b,y", true},
	[DLC_OP_AND] = {c_emit_math, "a,b,y", true},
	[DLC_OP_OR] = {c_emit_math, "a,b,y", true},
	[DLC_OP_XOR] = {c_emit_math, "a,b,y", true},
	[DLC_OP_EQUAL] = {c_emit_math, "a,b,y", true},
	[DLC_OP_GREATER] = {c_emit_math, "a,b,y", true},
	[DLC_OP_LESS] = {c_emit_math, "a,b,y", true},
	[DLC_OP_GREATER_OR_EQUAL] = {c_emit_math, "a,b,y", true},
	[DLC_OP_LESS_OR_EQUAL] = {c_emit_math, "a,b,y", true},
	[DLC_OP_PRELU] = {c_emit_math, "x,slope,y", true},
	[DLC_OP_MAX] = {c_emit_math, "*,y", true},
	[DLC_OP_MIN] = {c_emit_math, "*,y", true},
	[DLC_OP_SUM] = {c_emit_math, "*,y", true},
	[DLC_OP_MEAN] = {c_emit_math, "*,y", true},
	[DLC_OP_WHERE] = {c_emit_math, "cond,a,b,y", true},
	[DLC_OP_CAST] = {c_emit_cast, "x,y", true},

	/* ---- reductions, normalization, softmax family, scans ---- */
	[DLC_OP_REDUCE_SUM] = {c_emit_reduce, "x,axes,y", false},
	[DLC_OP_REDUCE_MEAN] = {c_emit_reduce, "x,axes,y", false},
	[DLC_OP_REDUCE_MAX] = {c_emit_reduce, "x,axes,y", false},
	[DLC_OP_REDUCE_MIN] = {c_emit_reduce, "x,axes,y", false},
	[DLC_OP_REDUCE_PROD] = {c_emit_reduce, "x,axes,y", false},
	[DLC_OP_REDUCE_L1] = {c_emit_reduce, "x,axes,y", false},
	[DLC_OP_REDUCE_L2] = {c_emit_reduce, "x,axes,y", false},
	[DLC_OP_REDUCE_LOG_SUM] = {c_emit_reduce, "x,axes,y", false},
	[DLC_OP_REDUCE_LOG_SUM_EXP] = {c_emit_reduce, "x,axes,y", false},
	[DLC_OP_REDUCE_SUM_SQUARE] = {c_emit_reduce, "x,axes,y", false},
	[DLC_OP_ARG_MAX] = {c_emit_arg_reduce, "x,y", false},
	[DLC_OP_ARG_MIN] = {c_emit_arg_reduce, "x,y", false},
	[DLC_OP_LOG_SOFTMAX] = {c_emit_softmax, "x,y", false},
	[DLC_OP_HARDMAX] = {c_emit_softmax, "x,y", false},
	[DLC_OP_LAYER_NORM] = {c_emit_layer_norm, "x,scale,bias,y,mean,inv_std_dev", false},
	[DLC_OP_RMS_NORM] = {c_emit_layer_norm, "x,scale,y", false},
	[DLC_OP_INSTANCE_NORM] = {c_emit_channel_norm, "x,scale,bias,y", false},
	[DLC_OP_GROUP_NORM] = {c_emit_channel_norm, "x,scale,bias,y", false},
	[DLC_OP_LP_NORM] = {c_emit_lp_norm, "x,y", false},
	[DLC_OP_MEAN_VARIANCE_NORM] = {c_emit_mvn, "x,y", false},
	[DLC_OP_LRN] = {c_emit_lrn, "x,y", false},
	[DLC_OP_CUMSUM] = {c_emit_cumulative, "x,axis,y", false},
	[DLC_OP_CUMPROD] = {c_emit_cumulative, "x,axis,y", false},
	[DLC_OP_TOP_K] = {c_emit_top_k, "x,k,values,indices", false},

	/* ---- shape and indexing ---- */
	[DLC_OP_SHAPE] = {c_emit_shape, "x,y", false},
	[DLC_OP_SIZE] = {c_emit_size, "x,y", false},
	[DLC_OP_SQUEEZE] = {c_emit_view, "x,axes,y", false},
	[DLC_OP_UNSQUEEZE] = {c_emit_view, "x,axes,y", false},
	[DLC_OP_SLICE] = {c_emit_slice, "x,starts,ends,axes,steps,y", false},
	[DLC_OP_SPLIT] = {c_emit_split, "x,split,y*", false},
	[DLC_OP_GATHER] = {c_emit_gather, "x,indices,y", false},
	[DLC_OP_GATHER_ELEMENTS] = {c_emit_gather_elements, "x,indices,y", false},
	[DLC_OP_GATHER_ND] = {c_emit_gather_nd, "x,indices,y", false},
	[DLC_OP_SCATTER_ELEMENTS] = {c_emit_scatter_elements, "x,indices,updates,y", false},
	[DLC_OP_SCATTER_ND] = {c_emit_scatter_nd, "x,indices,updates,y", false},
	[DLC_OP_EXPAND] = {c_emit_expand, "x,shape,y", false},
	[DLC_OP_TILE] = {c_emit_tile, "x,repeats,y", false},
	[DLC_OP_PAD] = {c_emit_pad, "x,pads,constant_value,axes,y", false},
	[DLC_OP_CONSTANT_OF_SHAPE] = {c_emit_constant_of_shape, "shape,value,y", false},
	[DLC_OP_RANGE] = {c_emit_range, "start,limit,delta,y", false},
	[DLC_OP_ONE_HOT] = {c_emit_one_hot, "indices,depth,values,y", false},
	[DLC_OP_TRILU] = {c_emit_trilu, "x,k,y", false},
	[DLC_OP_DEPTH_TO_SPACE] = {c_emit_depth_to_space, "x,y", false},
	[DLC_OP_SPACE_TO_DEPTH] = {c_emit_depth_to_space, "x,y", false},
	[DLC_OP_EYE_LIKE] = {c_emit_eye_like, "x,y", false},
	[DLC_OP_REVERSE_SEQUENCE] = {c_emit_reverse_sequence, "x,sequence_lens,y", false},
	[DLC_OP_RESIZE] = {c_emit_resize, "x,roi,scales,sizes,y", false},
	[DLC_OP_CENTER_CROP_PAD] = {c_emit_center_crop_pad, "x,shape,y", false},
	[DLC_OP_COMPRESS] = {c_emit_compress, "x,condition,y", false},
	[DLC_OP_COL2IM] = {c_emit_col2im, "x,image_shape,block_shape,y", false},
	[DLC_OP_NONZERO] = {c_emit_nonzero, "x,y", false},
	[DLC_OP_UNIQUE] = {c_emit_unique, "x,y,indices,inverse_indices,counts", false},

	/* ---- convolution, pooling, matrix products, quantization ---- */
	[DLC_OP_CONV_TRANSPOSE] = {c_emit_conv_gather, "x,w,b,y", false},
	[DLC_OP_CONV_INTEGER] = {c_emit_conv_gather, "x,w,xz,wz,y", false},
	[DLC_OP_QLINEAR_CONV] = {c_emit_conv_gather, "x,xs,xz,w,ws,wz,ys,yz,b,y", false},
	[DLC_OP_DEFORM_CONV] = {c_emit_deform_conv, "x,w,off,b,mask,y", false},
	[DLC_OP_LP_POOL] = {c_emit_pool, "x,y", false},
	[DLC_OP_GLOBAL_MAX_POOL] = {c_emit_global_pool, "x,y", false},
	[DLC_OP_GLOBAL_LP_POOL] = {c_emit_global_pool, "x,y", false},
	[DLC_OP_MAX_UNPOOL] = {c_emit_max_unpool, "x,ind,oshape,y", false},
	[DLC_OP_MATMUL_INTEGER] = {c_emit_matmul_integer, "a,b,az,bz,y", false},
	[DLC_OP_QLINEAR_MATMUL] = {c_emit_qlinear_matmul, "a,sa,za,b,sb,zb,sy,zy,y", false},
	[DLC_OP_QUANTIZE_LINEAR] = {c_emit_quantize_linear, "x,scale,zp,y", false},
	[DLC_OP_DEQUANTIZE_LINEAR] = {c_emit_dequantize_linear, "x,scale,zp,y", false},
	[DLC_OP_DYNAMIC_QUANTIZE_LINEAR] = {c_emit_dynamic_quantize_linear, "x,y,y_scale,y_zp", false},
	[DLC_OP_ROI_ALIGN] = {c_emit_roi_align, "x,rois,bi,y", false},
	[DLC_OP_GRID_SAMPLE] = {c_emit_grid_sample, "x,grid,y", false},
	[DLC_OP_AFFINE_GRID] = {c_emit_affine_grid, "theta,size,y", false},

	/* ---- recurrent, attention, signal, losses ---- */
	[DLC_OP_RNN] = {c_emit_rnn, "x,w,r,bias,seq_lens,h0,y,y_h", false},
	[DLC_OP_GRU] = {c_emit_rnn, "x,w,r,bias,seq_lens,h0,y,y_h", false},
	[DLC_OP_LSTM] = {c_emit_rnn, "x,w,r,bias,seq_lens,h0,c0,p,y,y_h,y_c", false},
	[DLC_OP_ATTENTION] = {c_emit_attention, "q,k,v,mask,past_key,past_value,nonpad,y,present_key,present_value,qk", false},
	[DLC_OP_ROTARY_EMBEDDING] = {c_emit_rotary_embedding, "x,cos_cache,sin_cache,position_ids,y", false},
	[DLC_OP_LINEAR_ATTENTION] = {c_emit_linear_attention, "query,key,value,past_state,decay,beta,output,present_state", false},
	[DLC_OP_CAUSAL_CONV_WITH_STATE] = {c_emit_causal_conv_with_state, "input,weight,bias,past_state,output,present_state", false},
	[DLC_OP_TENSOR_SCATTER] = {c_emit_tensor_scatter, "past_cache,update,write_indices,present_cache", false},
	[DLC_OP_SWIGLU] = {c_emit_swiglu, "a,b,y", false},
	[DLC_OP_EINSUM] = {c_emit_einsum, "*,y", false},
	[DLC_OP_DET] = {c_emit_det, "x,y", false},
	[DLC_OP_DFT] = {c_emit_dft, "x,dft_length,axis,y", false},
	[DLC_OP_STFT] = {c_emit_stft, "signal,frame_step,window,frame_length,y", false},
	[DLC_OP_HANN_WINDOW] = {c_emit_window, "size,y", false},
	[DLC_OP_HAMMING_WINDOW] = {c_emit_window, "size,y", false},
	[DLC_OP_BLACKMAN_WINDOW] = {c_emit_window, "size,y", false},
	[DLC_OP_MEL_WEIGHT_MATRIX] = {c_emit_mel_weight_matrix, "num_mel_bins,dft_length,sample_rate,lower_edge_hertz,upper_edge_hertz,y", false},
	[DLC_OP_NEGATIVE_LOG_LIKELIHOOD_LOSS] = {c_emit_loss, "input,target,weight,loss", false},
	[DLC_OP_SOFTMAX_CROSS_ENTROPY_LOSS] = {c_emit_loss, "scores,labels,weights,output,log_prob", false},
};

static bool c_supports(enum dlc_op op)
{
	return op >= 0 && op < DLC_NUM_OPS && c_kernels[op].emit;
}

int c_error(struct cgen *c, const struct dlc_node *n, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	dlc_error_node(c->d, n, "%s: %s", dlc_op_info(n->op)->name, msg);
	return -1;
}

const struct dlc_type *c_in(const struct dlc_node *n, int i)
{
	return i < n->ninputs && n->inputs[i].value ? &n->inputs[i].value->type : NULL;
}

const struct dlc_type *c_out(const struct dlc_node *n, int i)
{
	return i < n->noutputs && n->outputs[i] ? &n->outputs[i]->type : NULL;
}

int c_require_float(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *t = c_in(n, 0);
	if (t->dtype != DLC_F32 && t->dtype != DLC_F64)
		return c_error(c, n, "element type %s is not supported by the C target yet",
			       dlc_dtype_name(t->dtype));
	return 0;
}

/* ---- names ---- */

/* Unique C identifiers: struct fields for inputs and outputs, w_* for
 * weights. Each namespace is made unique on its own. */
static void unique_ident(struct dlc_strmap *taken, const char *prefix, const char *src,
			 char *out, size_t size)
{
	char base[96];
	c_ident(base, sizeof base, src);
	snprintf(out, size, "%s%s", prefix, base);
	for (int k = 2; dlc_strmap_get(taken, out, strlen(out)); k++)
		snprintf(out, size, "%s%s_%d", prefix, base, k);
	dlc_strmap_put(taken, out, strlen(out), (void *)1);
}

static void assign_names(struct cgen *c)
{
	struct dlc_graph *g = c->g;
	struct dlc_strmap *ins = dlc_strmap_new(), *outs = dlc_strmap_new(), *ws = dlc_strmap_new();
	char name[128];
	c->names = dlc_xcalloc((size_t)g->next_value_id, sizeof *c->names);
	c->outnames = dlc_xcalloc((size_t)g->noutputs + 1, sizeof *c->outnames);
	for (int i = 0; i < g->ninputs; i++) {
		unique_ident(ins, "", g->inputs[i]->name, name, sizeof name);
		c->names[g->inputs[i]->id] = dlc_xstrdup(name);
	}
	for (int i = 0; i < g->noutputs; i++) {
		unique_ident(outs, "", g->output_names[i], name, sizeof name);
		c->outnames[i] = dlc_xstrdup(name);
	}
	for (int i = 0; i < g->nconsts; i++) {
		unique_ident(ws, "w_", g->consts[i]->name, name, sizeof name);
		c->names[g->consts[i]->id] = dlc_xstrdup(name);
	}
	dlc_strmap_free(ins);
	dlc_strmap_free(outs);
	dlc_strmap_free(ws);
}

/* Constants the generated code reads: operands of kernels and outputs that
 * are copied from one. Others (a reshape's shape) are not emitted. */
static bool has_kernel(const struct dlc_node *n);
static bool fused_member(const struct dlc_node *n);

static void mark_used_weights(struct cgen *c)
{
	struct dlc_graph *g = c->g;
	c->used = dlc_xcalloc((size_t)g->next_value_id, sizeof *c->used);
	dlc_foreach_node(g, n)
		for (int i = 0; (has_kernel(n) || fused_member(n)) && i < n->ninputs; i++) {
			if (c_fast_packed_operand(c, n, i)) /* read packed instead */
				continue;
			const struct dlc_value *r = dlc_storage_root(n->inputs[i].value);
			if (r && dlc_type_numel(&r->type) != 0) /* an empty one is passed as NULL */
				c->used[r->id] = true;
		}
	for (int i = 0; i < g->noutputs; i++)
		c->used[dlc_storage_root(g->outputs[i])->id] = true;
}

static void free_names(struct cgen *c)
{
	for (int i = 0; c->names && i < c->g->next_value_id; i++)
		free(c->names[i]);
	for (int i = 0; c->outnames && i < c->g->noutputs; i++)
		free(c->outnames[i]);
	free(c->names);
	free(c->outnames);
	free(c->used);
}

/* The expression for a value's storage inside run(). */
static void storage(const struct cgen *c, const struct dlc_value *v, char *buf, size_t size)
{
	const struct dlc_value *r = dlc_storage_root(v);
	const char *ct = c_type(v->type.dtype);
	if (r->kind == DLC_VALUE_INPUT) {
		snprintf(buf, size, "in->%s", c->names[r->id]);
	} else if (r->kind != DLC_VALUE_NODE) {
		/* a constant without elements (empty axes, pads...) has no array */
		snprintf(buf, size, "%s", dlc_type_numel(&r->type) == 0 ? "NULL" : c->names[r->id]);
	} else {
		int slot = dlc_output_slot(c->g, r);
		if (slot >= 0) {
			snprintf(buf, size, "out->%s", c->outnames[slot]);
		} else {
			snprintf(buf, size, "(%s *)(a + %lld)", ct, (long long)r->offset);
		}
	}
}

/* ---- checks ---- */

static int check_value(struct cgen *c, const struct dlc_value *v, const struct dlc_node *n)
{
	char t[DLC_TYPE_STR_MAX];
	int64_t numel = dlc_type_numel(&v->type);
	if (numel < 0 || !dlc_type_is_static(&v->type)) {
		if (n)
			return c_error(c, n, "result %%%s has type %s; code generation needs static shapes",
				       v->name, dlc_type_str(c->g, &v->type, t, sizeof t));
		dlc_error(c->d, "%%%s has type %s; code generation needs static shapes (give --input-shape)",
			  v->name, dlc_type_str(c->g, &v->type, t, sizeof t));
		return -1;
	}
	if (numel > INT32_MAX) {
		dlc_error(c->d, "%%%s has %lld elements; the C target handles at most 2^31-1 per tensor",
			  v->name, (long long)numel);
		return -1;
	}
	if (!c_type(v->type.dtype)) {
		dlc_error(c->d, "%%%s has element type %s, which the C target does not support yet",
			  v->name, dlc_dtype_name(v->type.dtype));
		return -1;
	}
	return 0;
}

static int check_graph(struct cgen *c)
{
	struct dlc_graph *g = c->g;
	if (g->arena_bytes < 0) {
		dlc_error(c->d, "internal: code generation needs a memory plan (run the memplan pass)");
		return -1;
	}
	for (int i = 0; i < g->ninputs; i++)
		if (check_value(c, g->inputs[i], NULL) < 0)
			return -1;
	for (int i = 0; i < g->nconsts; i++)
		if (check_value(c, g->consts[i], NULL) < 0)
			return -1;
	dlc_foreach_node(g, n) {
		if (!c_supports(n->op)) {
			dlc_error_node(c->d, n, "%s: op has no C kernel", dlc_op_info(n->op)->name);
			return -1;
		}
		for (int i = 0; i < n->ninputs; i++) {
			const struct dlc_value *v = n->inputs[i].value;
			if (v && dlc_op_operand_static(dlc_op_info(n->op)->flags, i) &&
			    (v->kind != DLC_VALUE_CONST || !dlc_value_data(v))) {
				dlc_error_node(c->d, n, "%s: operand %d (%%%s) fixes the result's shape and must be a compile-time constant; dlc compiles static shapes (freeze an input with --const-input NAME=FILE.pb)",
					       dlc_op_info(n->op)->name, i, v->name);
				return -1;
			}
		}
		for (int i = 0; i < n->noutputs; i++)
			if (n->outputs[i] && check_value(c, n->outputs[i], n) < 0)
				return -1;
	}
	return 0;
}

/* ---- kernels ---- */

/* A view's result 0 shares its operand's bytes: it is not a kernel
 * parameter. */
static bool is_view_result(const struct dlc_node *n, int i)
{
	return i == 0 && (dlc_op_info(n->op)->flags & DLC_OPF_VIEW);
}

/* The first node of a fused kernel (its anchor) stands for all members. */
static bool fused_member(const struct dlc_node *n)
{
	return n->kernel >= 0 && n->prev && n->prev->kernel == n->kernel;
}

/* A node with a kernel function of its own. Views need no code unless they
 * own another result (dropout's mask). */
static bool has_kernel(const struct dlc_node *n)
{
	if (fused_member(n))
		return false;
	if (n->kernel >= 0)
		return true;
	if (!(dlc_op_info(n->op)->flags & DLC_OPF_VIEW))
		return true;
	for (int i = 1; i < n->noutputs; i++)
		if (n->outputs[i])
			return true;
	return false;
}

static void kernel_name(const struct dlc_node *n, int idx, char *buf, size_t size)
{
	char id[48];
	c_ident(id, sizeof id, n->name ? n->name : dlc_op_info(n->op)->name);
	snprintf(buf, size, "k%d_%s", idx, id);
}

/* Parameter name of operand i (or result i) of n's kernel: the table lists
 * the op's maximum operands, then its results; "*" stands for x0, x1, ... */
static void param_name(const struct dlc_node *n, int i, bool result, char *buf, size_t size)
{
	const char *p = c_kernels[n->op].params;
	bool variadic = p[0] == '*';
	if (variadic && !result) {
		snprintf(buf, size, "x%d", i);
		return;
	}
	int want = !result ? i : (variadic ? 1 : dlc_op_info(n->op)->max_inputs) + i;
	int k = 0;
	/* a last result name "y*" stands for y0, y1, ... (variadic results) */
	for (; k < want && p && !(result && !strchr(p, ',') && p[strlen(p) - 1] == '*'); k++) {
		p = strchr(p, ',');
		p = p ? p + 1 : NULL;
	}
	DLC_ASSERT(p);
	int len = (int)strcspn(p, ",");
	if (result && len && p[len - 1] == '*')
		snprintf(buf, size, "%.*s%d", len - 1, p, want - k);
	else
		snprintf(buf, size, "%.*s", len, p);
}

static void kernel_comment(struct cgen *c, const struct dlc_node *n)
{
	struct dlc_strbuf b = {0};
	char t[DLC_TYPE_STR_MAX];
	dlc_sb_printf(&b, "/* %s: %s", n->name ? n->name : "(unnamed)", dlc_op_info(n->op)->name);
	for (int i = 0; i < n->nattrs; i++) {
		const struct dlc_attr *a = &n->attrs[i];
		dlc_sb_printf(&b, "%s %s=", i ? "," : "", a->name);
		if (a->kind == DLC_ATTR_INT)
			dlc_sb_printf(&b, "%lld", (long long)a->u.i);
		else if (a->kind == DLC_ATTR_FLOAT)
			dlc_sb_printf(&b, "%g", a->u.f);
		else if (a->kind == DLC_ATTR_STRING)
			dlc_sb_printf(&b, "%s", a->u.s);
		else if (a->kind == DLC_ATTR_INTS)
			for (int k = 0; k < a->n; k++)
				dlc_sb_printf(&b, "%s%lld", k ? "x" : "", (long long)a->u.ints[k]);
		else
			dlc_sb_puts(&b, "[...]");
	}
	dlc_sb_puts(&b, ":");
	for (int i = 0, first = 1; i < n->ninputs; i++)
		if (n->inputs[i].value) {
			dlc_sb_printf(&b, "%s %s", first ? "" : ",",
				      dlc_type_str(c->g, &n->inputs[i].value->type, t, sizeof t));
			first = 0;
		}
	dlc_sb_puts(&b, " ->");
	for (int i = 0, first = 1; i < n->noutputs; i++)
		if (n->outputs[i]) {
			dlc_sb_printf(&b, "%s %s", first ? "" : ",",
				      dlc_type_str(c->g, &n->outputs[i]->type, t, sizeof t));
			first = 0;
		}
	dlc_sb_puts(&b, " */");
	emit_line(&c->e, "%s", b.s);
	dlc_sb_free(&b);
}

static int emit_fused_kernel(struct cgen *c, const struct dlc_node *n, int idx);

/* The number of parts n's kernel is split in (1: not parallel). */
static int kernel_parts(const struct cgen *c, const struct dlc_node *n)
{
	const struct c_fast_plan *p = c_fast_of(c, n);
	return p && p->parts > 1 ? p->parts : 1;
}

static void call_args(struct cgen *c, const struct dlc_node *n, struct dlc_strbuf *args);

/* Ends a kernel's parameter list; a parallel kernel computes one part. */
static void close_signature(struct cgen *c, struct dlc_strbuf *sig, const struct dlc_node *n)
{
	if (kernel_parts(c, n) > 1)
		dlc_sb_puts(sig, ", int part, int nparts");
	dlc_sb_puts(sig, ")");
}

/* After a parallel kernel's function, the task the thread pool runs: it
 * calls the kernel for one part with the same arguments as run() would,
 * spelled over the arena and the caller's tensors that struct run_ctx
 * carries (so the C compiler sees the same constant weights at each call
 * site as in a direct call, and optimizes the kernel as well). */
static void after_kernel(struct cgen *c, const struct dlc_node *n, const char *fname)
{
	if (kernel_parts(c, n) <= 1)
		return;
	struct dlc_strbuf args = {0};
	call_args(c, n, &args);
	emit_line(&c->e, "static void %s_task(void *ctx, int part, int nparts)", fname);
	emit_open(&c->e, "{");
	emit_line(&c->e, "const struct run_ctx *t = ctx;");
	emit_line(&c->e, "char *a = t->a;");
	emit_line(&c->e, "const struct %s_inputs *in = t->in;", c->prefix);
	emit_line(&c->e, "struct %s_outputs *out = t->out;", c->prefix);
	emit_line(&c->e, "(void)a; (void)in; (void)out;");
	emit_line(&c->e, "%s(%s, part, nparts);", fname, args.s ? args.s : "");
	emit_close(&c->e, NULL);
	emit_blank(&c->e);
	dlc_sb_free(&args);
}

static int emit_kernel(struct cgen *c, const struct dlc_node *n, int idx)
{
	if (n->kernel >= 0)
		return emit_fused_kernel(c, n, idx);
	const struct c_kernel *k = &c_kernels[n->op];
	char fname[80], pname[32];
	kernel_name(n, idx, fname, sizeof fname);
	const char *restrict_kw = k->in_place ? "" : "restrict ";
	const struct c_fast_plan *fp = c_fast_of(c, n);
	struct dlc_strbuf sig = {0};
	dlc_sb_printf(&sig, "%sstatic void %s(", c_fast_fn_attr(c, n), fname);
	int nparams = 0;
	/* a kernel whose results all have no elements computes nothing: its
	 * body only marks the parameters used */
	bool empty = true;
	struct dlc_strbuf unused = {0};
	for (int i = 0; i < n->ninputs; i++) {
		if (!n->inputs[i].value)
			continue;
		param_name(n, i, false, pname, sizeof pname);
		dlc_sb_printf(&sig, "%sconst %s *%s%s", nparams++ ? ", " : "",
			      c_type(n->inputs[i].value->type.dtype), restrict_kw, pname);
		dlc_sb_printf(&unused, "%s(void)%s;", unused.len ? " " : "", pname);
	}
	for (int i = 0; i < n->noutputs; i++) {
		if (!n->outputs[i] || is_view_result(n, i))
			continue;
		param_name(n, i, true, pname, sizeof pname);
		dlc_sb_printf(&sig, "%s%s *%s%s", nparams++ ? ", " : "",
			      c_type(n->outputs[i]->type.dtype), restrict_kw, pname);
		dlc_sb_printf(&unused, "%s(void)%s;", unused.len ? " " : "", pname);
		empty = empty && dlc_type_numel(&n->outputs[i]->type) == 0;
	}
	if (fp && fp->scratch > 0)
		dlc_sb_printf(&sig, ", float *restrict s");
	close_signature(c, &sig, n);
	kernel_comment(c, n);
	emit_line(&c->e, "%s", sig.s);
	emit_open(&c->e, "{");
	int rc = 0;
	if (empty) {
		emit_line(&c->e, "/* empty result: nothing to compute */");
		emit_line(&c->e, "%s", unused.s);
		if (kernel_parts(c, n) > 1)
			emit_line(&c->e, "(void)part; (void)nparts;");
	} else {
		rc = fp ? c_fast_emit(c, n) : k->emit(c, n);
	}
	dlc_sb_free(&unused);
	emit_close(&c->e, NULL);
	emit_blank(&c->e);
	after_kernel(c, n, fname);
	dlc_sb_free(&sig);
	return rc;
}

/* A fused kernel: the anchor's operands (unless it is elementwise), then
 * the chain's outside operands e0, e1, ..., then the result y. A chain of
 * elementwise ops may compute y in place over an operand of the same size
 * (each element is read before it is written), so it has no restrict. */
static int emit_fused_kernel(struct cgen *c, const struct dlc_node *n, int idx)
{
	struct c_epilogue ep;
	if (c_kernel_chain(c, n, &ep) < 0)
		return -1;
	bool elementwise = ep.nm && ep.m[0] == n;
	char fname[80], pname[32];
	kernel_name(n, idx, fname, sizeof fname);
	const struct c_fast_plan *fp = c_fast_of(c, n);
	struct dlc_strbuf sig = {0}, unused = {0};
	dlc_sb_printf(&sig, "%sstatic void %s(", c_fast_fn_attr(c, n), fname);
	int nparams = 0;
	for (int i = 0; !elementwise && i < n->ninputs; i++) {
		if (!n->inputs[i].value)
			continue;
		param_name(n, i, false, pname, sizeof pname);
		dlc_sb_printf(&sig, "%sconst %s *restrict %s", nparams++ ? ", " : "",
			      c_type(n->inputs[i].value->type.dtype), pname);
		dlc_sb_printf(&unused, "%s(void)%s;", unused.len ? " " : "", pname);
	}
	for (int j = 0; j < ep.next; j++) {
		/* an anchor's result is live from the kernel's start, so it never
		 * shares bytes with e_j; an elementwise kernel may write in place */
		dlc_sb_printf(&sig, "%sconst %s *%se%d", nparams++ ? ", " : "", c_type(ep.ext[j]->type.dtype),
			      elementwise ? "" : "restrict ", j);
		dlc_sb_printf(&unused, "%s(void)e%d;", unused.len ? " " : "", j);
	}
	dlc_sb_printf(&sig, "%s%s *%sy%s", nparams ? ", " : "", c_type(ep.out->dtype),
		      elementwise ? "" : "restrict ", fp && fp->scratch > 0 ? ", float *restrict s" : "");
	close_signature(c, &sig, n);
	dlc_sb_printf(&unused, "%s(void)y;", unused.len ? " " : "");
	struct dlc_strbuf what = {0};
	dlc_sb_printf(&what, "/* Fused kernel %d: ", n->kernel);
	if (!elementwise)
		dlc_sb_printf(&what, "%s, then ", dlc_op_info(n->op)->name);
	for (int k = 0; k < ep.nm; k++)
		dlc_sb_printf(&what, "%s%s", k ? " -> " : "", dlc_op_info(ep.m[k]->op)->name);
	if (ep.nm)
		dlc_sb_puts(&what, elementwise ? " per element" : " on each result element");
	if (ep.pool)
		dlc_sb_printf(&what, "%s%s over %s", ep.nm ? ", then " : "", dlc_op_info(ep.pool->op)->name,
			      ep.nm ? "them" : "its result");
	dlc_sb_puts(&what, ". */");
	emit_line(&c->e, "%s", what.s);
	dlc_sb_free(&what);
	kernel_comment(c, n);
	for (int k = elementwise ? 1 : 0; k < ep.nm; k++)
		kernel_comment(c, ep.m[k]);
	if (ep.pool)
		kernel_comment(c, ep.pool);
	emit_line(&c->e, "%s", sig.s);
	emit_open(&c->e, "{");
	int rc = 0;
	if (dlc_type_numel(ep.out) == 0) {
		emit_line(&c->e, "/* empty result: nothing to compute */");
		emit_line(&c->e, "%s", unused.s);
		if (kernel_parts(c, n) > 1)
			emit_line(&c->e, "(void)part; (void)nparts;");
	} else if (elementwise) {
		rc = c_emit_fused_elementwise(c, &ep);
	} else {
		c->ep = &ep;
		rc = fp ? c_fast_emit(c, n) : c_kernels[n->op].emit(c, n);
		c->ep = NULL;
	}
	dlc_sb_free(&unused);
	emit_close(&c->e, NULL);
	emit_blank(&c->e);
	after_kernel(c, n, fname);
	dlc_sb_free(&sig);
	c_kernel_chain_free(&ep);
	return rc;
}

/* Operand i of n's call: its storage, or the weights packed for n's fast
 * kernel. */
static void operand(const struct cgen *c, const struct dlc_node *n, int i, char *buf, size_t size)
{
	const char *packed = c_fast_packed_operand(c, n, i);
	if (packed)
		snprintf(buf, size, "%s", packed);
	else
		storage(c, n->inputs[i].value, buf, size);
}

/* The arena scratch the memory plan reserved for n's fast kernel. */
static void scratch_arg(const struct cgen *c, const struct dlc_node *n, struct dlc_strbuf *call)
{
	const struct c_fast_plan *p = c_fast_of(c, n);
	if (p && p->scratch > 0)
		dlc_sb_printf(call, ", (float *)(a + %lld)", (long long)n->scratch_offset);
}

static void fused_call_args(struct cgen *c, const struct dlc_node *n, struct dlc_strbuf *call)
{
	struct c_epilogue ep;
	char s[256];
	if (c_kernel_chain(c, n, &ep) < 0) /* reported when its kernel was emitted */
		return;
	bool elementwise = ep.nm && ep.m[0] == n;
	int nargs = 0;
	for (int i = 0; !elementwise && i < n->ninputs; i++)
		if (n->inputs[i].value) {
			operand(c, n, i, s, sizeof s);
			dlc_sb_printf(call, "%s%s", nargs++ ? ", " : "", s);
		}
	for (int j = 0; j < ep.next; j++) {
		storage(c, ep.ext[j], s, sizeof s);
		dlc_sb_printf(call, "%s%s", nargs++ ? ", " : "", s);
	}
	const struct dlc_node *last = ep.pool ? ep.pool : ep.nm ? ep.m[ep.nm - 1] : n;
	storage(c, last->outputs[0], s, sizeof s);
	dlc_sb_printf(call, "%s%s", nargs ? ", " : "", s);
	scratch_arg(c, n, call);
	c_kernel_chain_free(&ep);
}

/* The arguments of n's kernel in run(): operands, results, scratch. */
static void call_args(struct cgen *c, const struct dlc_node *n, struct dlc_strbuf *call)
{
	if (n->kernel >= 0) {
		fused_call_args(c, n, call);
		return;
	}
	char s[256];
	int nargs = 0;
	for (int i = 0; i < n->ninputs; i++)
		if (n->inputs[i].value) {
			operand(c, n, i, s, sizeof s);
			dlc_sb_printf(call, "%s%s", nargs++ ? ", " : "", s);
		}
	for (int i = 0; i < n->noutputs; i++)
		if (n->outputs[i] && !is_view_result(n, i)) {
			storage(c, n->outputs[i], s, sizeof s);
			dlc_sb_printf(call, "%s%s", nargs++ ? ", " : "", s);
		}
	scratch_arg(c, n, call);
}

/* The call of n's kernel in run(): directly, or for a parallel kernel
 * through the runtime's thread pool. */
static void emit_call(struct cgen *c, const struct dlc_node *n, int idx)
{
	char fname[80];
	kernel_name(n, idx, fname, sizeof fname);
	int parts = kernel_parts(c, n);
	if (parts > 1) {
		emit_line(&c->e, "dlc_rt_parallel(dlc_rt_num_threads(%d), %d, %s_task, &tc); DLC_PROFILE_TICK(%d);",
			  parts, parts, fname, idx);
		return;
	}
	struct dlc_strbuf args = {0};
	call_args(c, n, &args);
	emit_line(&c->e, "%s(%s); DLC_PROFILE_TICK(%d);", fname, args.s ? args.s : "", idx);
	dlc_sb_free(&args);
}

/* ---- weights ---- */

static int64_t align64(int64_t n)
{
	return (n + 63) / 64 * 64;
}

/* One array of weights in OUT.c: a constant the code reads, or one packed
 * for a fast kernel. */
struct weight {
	const char *name;
	enum dlc_dtype dtype;
	int64_t numel;
	const void *data;
	const struct dlc_value *v;     /* the constant (packed: its source) */
	const char *layout;            /* packed: the layout, else NULL */
	int64_t nbytes;
};

/* The used constants in graph order, then the packed arrays. */
static int weight_list(const struct cgen *c, struct weight **out)
{
	const struct dlc_graph *g = c->g;
	int npacked = c->fast ? c->fast->npacked : 0, n = 0;
	struct weight *w = dlc_xcalloc((size_t)(g->nconsts + npacked + 1), sizeof *w);
	for (int i = 0; i < g->nconsts; i++) {
		const struct dlc_value *v = g->consts[i];
		if (c->used[v->id])
			w[n++] = (struct weight){c->names[v->id], v->type.dtype, dlc_type_numel(&v->type),
						 dlc_value_data(v), v, NULL, dlc_type_nbytes(&v->type)};
	}
	for (int i = 0; i < npacked; i++) {
		const struct c_packed *p = &c->fast->packed[i];
		w[n++] = (struct weight){p->name, DLC_F32, p->numel, p->data, p->src, p->layout,
					 p->numel * (int64_t)sizeof(float)};
	}
	*out = w;
	return n;
}

static int64_t weight_nbytes(const struct weight *w)
{
	return w->nbytes;
}

static void weight_comment(const struct cgen *c, const struct weight *w, char *buf, size_t size)
{
	char t[DLC_TYPE_STR_MAX];
	dlc_type_str(c->g, &w->v->type, t, sizeof t);
	if (w->layout)
		snprintf(buf, size, "%%%s %s packed as %s", w->v->name, t, w->layout);
	else
		snprintf(buf, size, "%s", t);
}

static int64_t weights_bytes(const struct cgen *c)
{
	struct weight *w;
	int n = weight_list(c, &w);
	int64_t total = 0;
	for (int i = 0; i < n; i++)
		total += align64(weight_nbytes(&w[i]));
	free(w);
	return total;
}

static void emit_weight_values(struct cgen *c, const struct weight *w)
{
	int64_t n = w->numel;
	const void *data = w->data;
	struct dlc_strbuf line = {0};
	char buf[64];
	for (int64_t i = 0; i < n; i++) {
		switch (w->dtype) {
		case DLC_F32: c_float_exact(buf, sizeof buf, ((const float *)data)[i], true); break;
		case DLC_F64: c_float_exact(buf, sizeof buf, ((const double *)data)[i], false); break;
		case DLC_I8: snprintf(buf, sizeof buf, "%d", ((const int8_t *)data)[i]); break;
		case DLC_U8: snprintf(buf, sizeof buf, "%u", ((const uint8_t *)data)[i]); break;
		case DLC_I16: snprintf(buf, sizeof buf, "%d", ((const int16_t *)data)[i]); break;
		case DLC_U16:
		case DLC_F16: /* bits: f16 and bf16 are stored as uint16_t */
		case DLC_BF16: snprintf(buf, sizeof buf, "%u", ((const uint16_t *)data)[i]); break;
		case DLC_I32: snprintf(buf, sizeof buf, "%d", ((const int32_t *)data)[i]); break;
		case DLC_U32: snprintf(buf, sizeof buf, "%uu", ((const uint32_t *)data)[i]); break;
		case DLC_I64: snprintf(buf, sizeof buf, "INT64_C(%lld)", (long long)((const int64_t *)data)[i]); break;
		case DLC_U64: snprintf(buf, sizeof buf, "UINT64_C(%llu)", (unsigned long long)((const uint64_t *)data)[i]); break;
		case DLC_BOOL: snprintf(buf, sizeof buf, "%d", ((const uint8_t *)data)[i] != 0); break;
		case DLC_I4:
		case DLC_I2: snprintf(buf, sizeof buf, "%d", ((const int8_t *)data)[i]); break;
		case DLC_U4: /* bits: the minifloats are stored as uint8_t */
		case DLC_U2:
		case DLC_F8E8M0:
		case DLC_F8E4M3FN:
		case DLC_F8E4M3FNUZ:
		case DLC_F8E5M2:
		case DLC_F8E5M2FNUZ:
		case DLC_F4E2M1: snprintf(buf, sizeof buf, "%u", ((const uint8_t *)data)[i]); break;
		default: snprintf(buf, sizeof buf, "0"); break;
		}
		dlc_sb_printf(&line, "%s%s", buf, i + 1 < n ? "," : "");
		if (line.len > 90 || i + 1 == n) {
			emit_line(&c->e, "%s", line.s);
			line.len = 0;
		} else {
			dlc_sb_putc(&line, ' ');
		}
	}
	dlc_sb_free(&line);
}

/* Declarations at the top; embedded data comes at the end of the file. */
static void emit_weight_decls(struct cgen *c)
{
	if (!weights_bytes(c))
		return;
	struct weight *w;
	int n = weight_list(c, &w);
	char t[DLC_TYPE_STR_MAX + 128];
	if (c->sidecar) {
		emit_line(&c->e, "/* Weights: read from %s by %s_init(). */", c->o->weights_name, c->prefix);
		emit_line(&c->e, "static _Alignas(64) unsigned char weights[%lld];", (long long)weights_bytes(c));
		emit_line(&c->e, "static bool weights_ready;");
		int64_t off = 0;
		for (int i = 0; i < n; i++) {
			weight_comment(c, &w[i], t, sizeof t);
			emit_line(&c->e, "#define %s ((const %s *)(weights + %lld)) /* %s */", w[i].name,
				  c_type(w[i].dtype), (long long)off, t);
			off += align64(weight_nbytes(&w[i]));
		}
	} else {
		emit_line(&c->e, "/* Weights (values at the end of this file). */");
		for (int i = 0; i < n; i++) {
			weight_comment(c, &w[i], t, sizeof t);
			emit_line(&c->e, "static _Alignas(64) const %s %s[%lld]; /* %s */", c_type(w[i].dtype),
				  w[i].name, (long long)w[i].numel, t);
		}
	}
	free(w);
	emit_blank(&c->e);
}

static void emit_weight_data(struct cgen *c)
{
	if (c->sidecar || !weights_bytes(c))
		return;
	struct weight *w;
	int n = weight_list(c, &w);
	emit_line(&c->e, "/* ---- weights ---- */");
	emit_blank(&c->e);
	for (int i = 0; i < n; i++) {
		emit_open(&c->e, "static _Alignas(64) const %s %s[%lld] = {", c_type(w[i].dtype), w[i].name,
			  (long long)w[i].numel);
		emit_weight_values(c, &w[i]);
		emit_close(&c->e, "};");
		emit_blank(&c->e);
	}
	free(w);
}

static unsigned char *pack_weights(const struct cgen *c, size_t *size)
{
	*size = (size_t)weights_bytes(c);
	unsigned char *buf = dlc_xcalloc(*size ? *size : 1, 1);
	struct weight *w;
	int n = weight_list(c, &w);
	size_t off = 0;
	for (int i = 0; i < n; i++) {
		size_t nb = (size_t)weight_nbytes(&w[i]);
		if (nb)
			memcpy(buf + off, w[i].data, nb);
		off += (size_t)align64((int64_t)nb);
	}
	free(w);
	return buf;
}

/* ---- the API: header, init, run ---- */

static char *emit_header(struct cgen *c, int64_t wbytes)
{
	struct emitter h = {0};
	struct dlc_graph *g = c->g;
	char up[128], t[DLC_TYPE_STR_MAX];
	snprintf(up, sizeof up, "%s", c->prefix);
	for (char *p = up; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	emit_line(&h, "/* Generated by dlc %s from %s. The C API of model '%s'. */", DLC_VERSION,
		  c->o->source_name ? c->o->source_name : "a model", g->name);
	emit_line(&h, "#ifndef %s_H", up);
	emit_line(&h, "#define %s_H", up);
	emit_blank(&h);
	emit_line(&h, "#include <stdbool.h>");
	emit_line(&h, "#include <stdint.h>");
	emit_blank(&h);
	emit_line(&h, "#include \"dlcrt.h\"");
	emit_blank(&h);
	emit_line(&h, "/* Activations: bytes of the arena passed to %s_run (exact, from the", c->prefix);
	emit_line(&h, " * memory plan; 64-byte aligned). */");
	emit_line(&h, "#define %s_ARENA_BYTES %lld", up, (long long)g->arena_bytes);
	if (c->sidecar)
		emit_line(&h, "#define %s_WEIGHTS_BYTES %lld /* size of %s */", up, (long long)wbytes,
			  c->o->weights_name);
	emit_blank(&h);
	emit_open(&h, "struct %s_inputs {", c->prefix);
	for (int i = 0; i < g->ninputs; i++)
		emit_line(&h, "const %s *%s; /* %s */", c_type(g->inputs[i]->type.dtype),
			  c->names[g->inputs[i]->id], dlc_type_str(g, &g->inputs[i]->type, t, sizeof t));
	if (!g->ninputs) /* an empty struct is not ISO C */
		emit_line(&h, "char unused; /* the model has no inputs */");
	emit_close(&h, "};");
	emit_blank(&h);
	emit_open(&h, "struct %s_outputs {", c->prefix);
	for (int i = 0; i < g->noutputs; i++)
		emit_line(&h, "%s *%s; /* %s */", c_type(g->outputs[i]->type.dtype), c->outnames[i],
			  dlc_type_str(g, &g->outputs[i]->type, t, sizeof t));
	emit_close(&h, "};");
	emit_blank(&h);
	if (c->sidecar) {
		emit_line(&h, "/* Loads the weights from weights_path (NULL: \"%s\").", c->o->weights_name);
		emit_line(&h, " * Returns DLC_OK or a DLC_ERR_* status. */");
	} else {
		emit_line(&h, "/* The weights are embedded: nothing to load. weights_path is ignored");
		emit_line(&h, " * (pass NULL). Returns DLC_OK. */");
	}
	emit_line(&h, "int %s_init(const char *weights_path);", c->prefix);
	emit_blank(&h);
	emit_line(&h, "/* Runs the model. arena: %s_ARENA_BYTES bytes, 64-byte aligned, reused", up);
	emit_line(&h, " * across calls (may be NULL if that is 0). Returns DLC_OK or a DLC_ERR_*");
	emit_line(&h, " * status. Not reentrant on the same arena. */");
	emit_line(&h, "int %s_run(void *arena, const struct %s_inputs *in, struct %s_outputs *out);",
		  c->prefix, c->prefix, c->prefix);
	emit_blank(&h);
	emit_line(&h, "#endif");
	return dlc_sb_take(&h.out);
}

static void emit_init(struct cgen *c, int64_t wbytes, uint64_t checksum)
{
	emit_line(&c->e, "int %s_init(const char *weights_path)", c->prefix);
	emit_open(&c->e, "{");
	if (c->sidecar) {
		emit_line(&c->e, "int status = dlc_rt_load_weights(weights_path ? weights_path : \"%s\",",
			  c->o->weights_name);
		emit_line(&c->e, "                                  weights, %lld, UINT64_C(0x%016llx));",
			  (long long)wbytes, (unsigned long long)checksum);
		emit_line(&c->e, "weights_ready = status == DLC_OK;");
		emit_line(&c->e, "return status;");
	} else {
		emit_line(&c->e, "(void)weights_path;");
		emit_line(&c->e, "return DLC_OK;");
	}
	emit_close(&c->e, NULL);
	emit_blank(&c->e);
}

/* Does the file have a kernel split for the thread pool? */
static bool any_parallel(const struct cgen *c)
{
	dlc_foreach_node(c->g, n)
		if (has_kernel(n) && kernel_parts(c, n) > 1)
			return true;
	return false;
}

static void emit_run(struct cgen *c)
{
	struct dlc_graph *g = c->g;
	char s[256];
	emit_line(&c->e, "int %s_run(void *arena, const struct %s_inputs *in, struct %s_outputs *out)",
		  c->prefix, c->prefix, c->prefix);
	emit_open(&c->e, "{");
	emit_line(&c->e, "char *a = arena;");
	if (g->arena_bytes)
		emit_line(&c->e, "if (!in || !out || !a || ((uintptr_t)a & 63))");
	else
		emit_line(&c->e, "if (!in || !out)");
	emit_line(&c->e, "\treturn DLC_ERR_ARG;");
	for (int i = 0; i < g->ninputs; i++)
		emit_line(&c->e, "if (!in->%s)\n\t\treturn DLC_ERR_ARG;", c->names[g->inputs[i]->id]);
	for (int i = 0; i < g->noutputs; i++)
		emit_line(&c->e, "if (!out->%s)\n\t\treturn DLC_ERR_ARG;", c->outnames[i]);
	if (c->sidecar)
		emit_line(&c->e, "if (!weights_ready)\n\t\treturn DLC_ERR_NOT_INIT;");
	if (!g->arena_bytes)
		emit_line(&c->e, "(void)a;");
	if (any_parallel(c))
		emit_line(&c->e, "struct run_ctx tc = {a, in, out}; /* for the parallel kernels' tasks */");
	int idx = 0;
	emit_line(&c->e, "DLC_PROFILE_TICK(-1);");
	dlc_foreach_node(g, n)
		if (has_kernel(n))
			emit_call(c, n, idx++);
	/* outputs not computed in place are copied out */
	for (int i = 0; i < g->noutputs; i++) {
		const struct dlc_value *r = dlc_storage_root(g->outputs[i]);
		if (dlc_output_slot(g, r) == i || dlc_type_nbytes(&g->outputs[i]->type) == 0)
			continue;
		storage(c, r, s, sizeof s);
		emit_line(&c->e, "memcpy(out->%s, %s, %lld);", c->outnames[i], s,
			  (long long)dlc_type_nbytes(&g->outputs[i]->type));
	}
	emit_line(&c->e, "return DLC_OK;");
	emit_close(&c->e, NULL);
	emit_blank(&c->e);
}

static int c_emit(struct dlc_graph *g, const struct dlc_codegen_opts *o,
		  struct dlc_codegen_result *r, struct dlc_diag *d)
{
	struct cgen c = {.g = g, .o = o, .d = d, .prefix = o->prefix};
	memset(r, 0, sizeof *r);
	int rc = -1;
	if (check_graph(&c) < 0)
		return -1;
	assign_names(&c);
	c_fast_prepare(&c);
	mark_used_weights(&c);
	int64_t wbytes = weights_bytes(&c);
	int64_t limit = o->embed_limit ? o->embed_limit : DLC_EMBED_LIMIT;
	c.sidecar = o->weights == DLC_WEIGHTS_FILE || (o->weights == DLC_WEIGHTS_AUTO && wbytes > limit);
	for (int i = 0; i < g->nconsts; i++)
		if (c.used[g->consts[i]->id] && !dlc_value_data(g->consts[i])) {
			dlc_error(d, "constant %%%s has no data (its payload was elided from text IR; print it with --print-blobs)",
				  g->consts[i]->name);
			goto out;
		}
	uint64_t checksum = 0;
	if (c.sidecar) {
		r->weights = pack_weights(&c, &r->weights_size);
		checksum = dlc_fnv1a(r->weights, r->weights_size);
	}
	struct emitter *e = &c.e;
	int nkernels = 0;
	dlc_foreach_node(g, n)
		nkernels += has_kernel(n);
	emit_line(e, "/* Generated by dlc %s from %s (-O%d). Do not edit.", DLC_VERSION,
		  o->source_name ? o->source_name : "a model", o->opt_level);
	emit_line(e, " * Model '%s': %d kernels, %lld-byte arena, %lld bytes of weights (%s).",
		  g->name, nkernels, (long long)g->arena_bytes, (long long)wbytes,
		  c.sidecar ? o->weights_name : "embedded");
	if (o->kernels.naive)
		emit_line(e, " * Kernels: naive (the reference kernels). */");
	else
		emit_line(e, " * Kernels: fast, for --cpu=%s (%s), --threads=%d. */", dlc_cpu_name(c.fast->isa->cpu),
			  c.fast->isa->what, o->kernels.threads > 1 ? o->kernels.threads : 1);
	emit_line(e, "#include \"%s\"", o->header_name);
	emit_blank(e);
	emit_line(e, "#include <math.h>");
	emit_line(e, "#include <stdbool.h>");
	emit_line(e, "#include <stdint.h>");
	emit_line(e, "#include <string.h>");
	emit_blank(e);
	char **knames = dlc_xcalloc((size_t)nkernels + 1, sizeof *knames);
	int nk = 0;
	dlc_foreach_node(g, n)
		if (has_kernel(n)) {
			char fname[80];
			kernel_name(n, nk, fname, sizeof fname);
			knames[nk++] = dlc_xstrdup(fname);
		}
	c_profile_emit_support(&c, knames, nk);
	for (int i = 0; i < nk; i++)
		free(knames[i]);
	free(knames);
	size_t math_at = e->out.len; /* the math functions the kernels call go here */
	c_fast_emit_prelude(&c);
	if (any_parallel(&c)) {
		emit_line(e, "/* What a parallel kernel's task needs to call it as run() does. */");
		emit_line(e, "struct run_ctx {");
		emit_line(e, "\tchar *a;");
		emit_line(e, "\tconst struct %s_inputs *in;", c.prefix);
		emit_line(e, "\tstruct %s_outputs *out;", c.prefix);
		emit_line(e, "};");
		emit_blank(e);
	}
	emit_weight_decls(&c);
	int idx = 0;
	dlc_foreach_node(g, n)
		if (has_kernel(n) && emit_kernel(&c, n, idx++) < 0)
			goto out;
	emit_init(&c, wbytes, checksum);
	emit_run(&c);
	c_vmath_insert(&c, math_at);
	emit_weight_data(&c);
	r->source = dlc_sb_take(&e->out);
	r->header = emit_header(&c, wbytes);
	r->ninputs = g->ninputs;
	r->noutputs = g->noutputs;
	r->input_fields = dlc_xcalloc((size_t)g->ninputs + 1, sizeof(char *));
	r->output_fields = dlc_xcalloc((size_t)g->noutputs + 1, sizeof(char *));
	for (int i = 0; i < g->ninputs; i++)
		r->input_fields[i] = dlc_xstrdup(c.names[g->inputs[i]->id]);
	for (int i = 0; i < g->noutputs; i++)
		r->output_fields[i] = dlc_xstrdup(c.outnames[i]);
	rc = 0;
out:
	if (rc < 0) {
		dlc_sb_free(&c.e.out);
		dlc_codegen_result_free(r);
	}
	free_names(&c);
	c_fast_free(&c);
	return rc;
}

const struct dlc_target dlc_target_c = {
	.name = "c",
	.supports = c_supports,
	.fusable = c_fusable,
	.scratch_bytes = c_fast_scratch_bytes,
	.emit = c_emit,
};
