/* The fast f32 kernels of the C target: which node gets one (the plan),
 * the weights packed for them at compile time, and the dispatch to the
 * kernel bodies (codegen/c/fast_mm.c, fast_conv.c, depthwise.c), which run
 * on the blocked sgemm (codegen/c/sgemm.c).
 *
 * Gemm and MatMul are one product each (a MatMul whose B has no batch
 * dims folds A's batch dims into M; otherwise one product per batch).
 * Conv is an implicit GEMM on NCHW, per image and group: the weights
 * [M/G][C/G*kh*kw] are A, packed at compile time; B is the im2col matrix
 * of the input, never stored whole but packed block by block straight from
 * the input (a 1x1, stride 1, unpadded conv reads the input as it is;
 * stride-1 convs with few output channels read padded planes in place).
 * NCHW keeps the layout of the graph (no transposes around each conv) and
 * makes each output row of the product a contiguous channel plane, so the
 * fused chain and the bias apply per tile. Depthwise convs have a direct
 * kernel of their own (codegen/c/depthwise.c), 3x3 stride-1 convs with
 * enough channels and tiles run as Winograd F(2x2, 3x3) (winograd.c).
 *
 * Anything else, any other dtype, and every kernel with --kernels=naive
 * keeps the reference kernel, which stays the definition the fast ones are
 * tested against. */
#include <stdlib.h>
#include <string.h>

#include "codegen/c/fast.h"
#include "ir/shape_seq.h"

static bool is_f32(const struct dlc_value *v)
{
	return v && v->type.dtype == DLC_F32 && dlc_type_is_static(&v->type);
}

static bool has_data(const struct dlc_value *v)
{
	return v && (v->kind == DLC_VALUE_CONST || v->kind == DLC_VALUE_PARAM) && dlc_value_data(v);
}

static int64_t ceil_div(int64_t a, int64_t b)
{
	return (a + b - 1) / b;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* Blocks no larger than the ISA's, K split into equal blocks (a 129-deep
 * product is two blocks of 65, not 128 and 1). */
void c_fast_blocks(struct c_fast_plan *p)
{
	const struct c_isa *isa = p->isa;
	p->kc = ceil_div(p->K, ceil_div(p->K, isa->kc));
	p->mc = min64(p->M, isa->mc);
	p->nc = min64(p->N, isa->nc);
	int64_t sa = p->a == C_SRC_PREPACKED ? 0 : ceil_div(p->mc * p->kc, 16) * 16;
	int64_t sb = p->b == C_SRC_PREPACKED || c_src_indirect(p->b) ? 0 : p->kc * ceil_div(p->nc, isa->vl) * isa->vl;
	p->scratch_b = sa;
	p->scratch = (sa + sb) * (int64_t)sizeof(float);
}

static bool plan_gemm(const struct dlc_node *n, struct c_fast_plan *p)
{
	const struct dlc_value *a = n->inputs[0].value, *b = n->inputs[1].value;
	const struct dlc_value *cc = n->ninputs > 2 ? n->inputs[2].value : NULL;
	if (!is_f32(a) || !is_f32(b) || (cc && !is_f32(cc)) || !is_f32(n->outputs[0]))
		return false;
	bool ta = dlc_node_int(n, "transA"), tb = dlc_node_int(n, "transB");
	const struct dlc_type *y = &n->outputs[0]->type;
	p->kind = C_FAST_GEMM;
	p->M = y->dims[0];
	p->N = y->dims[1];
	p->K = a->type.dims[ta ? 0 : 1];
	p->a = C_SRC_STRIDED;
	p->rsa = ta ? 1 : p->K;
	p->csa = ta ? p->M : 1;
	p->rsb = tb ? 1 : p->N;
	p->csb = tb ? p->K : 1;
	p->b = has_data(b) ? C_SRC_PREPACKED : C_SRC_STRIDED;
	p->packed = p->b == C_SRC_PREPACKED ? 1 : -1;
	p->images = 1;
	return true;
}

/* MatMul of rank >= 2 operands (a 1-D A is one row); a 1-D B (a vector
 * product) stays naive. */
static bool plan_matmul(const struct dlc_node *n, struct c_fast_plan *p)
{
	const struct dlc_value *a = n->inputs[0].value, *b = n->inputs[1].value;
	if (!is_f32(a) || !is_f32(b) || !is_f32(n->outputs[0]) || b->type.rank < 2)
		return false;
	const struct dlc_type *at = &a->type, *bt = &b->type;
	p->kind = C_FAST_MATMUL;
	p->K = at->dims[at->rank - 1];
	p->N = bt->dims[bt->rank - 1];
	int64_t bbatch = dlc_type_numel(bt) / (p->K * p->N);
	p->M = at->rank > 1 ? at->dims[at->rank - 2] : 1;
	p->images = dlc_type_numel(&n->outputs[0]->type) / (p->M * p->N);
	if (bbatch == 1) { /* one product: A's batch dims are more rows */
		p->M *= p->images;
		p->images = 1;
	} else if (at->rank < 2) {
		return false;
	}
	p->a = C_SRC_STRIDED;
	p->rsa = p->K;
	p->csa = 1;
	p->rsb = p->N;
	p->csb = 1;
	p->b = bbatch == 1 && has_data(b) ? C_SRC_PREPACKED : C_SRC_STRIDED;
	p->packed = p->b == C_SRC_PREPACKED ? 1 : -1;
	return p->M * p->N * p->K > 0;
}

bool c_fast_window(const struct dlc_node *n, int64_t c, struct dlc_window *win, struct c_conv_geom *g)
{
	struct dlc_diag quiet; /* a bad window is reported by the reference kernel */
	dlc_diag_init(&quiet, NULL, NULL);
	int rc = dlc_node_window(n->graph, n, win, &quiet);
	dlc_diag_free(&quiet);
	if (rc < 0 || win->n > 2)
		return false;
	bool two = win->n == 2;
	*g = (struct c_conv_geom){
		.c = c, .h = two ? win->in[0] : 1, .w = win->in[two],
		.kh = two ? win->kernel[0] : 1, .kw = win->kernel[two],
		.sh = two ? win->stride[0] : 1, .sw = win->stride[two],
		.ph = two ? win->pad_begin[0] : 0, .pw = win->pad_begin[two],
		.dh = two ? win->dilation[0] : 1, .dw = win->dilation[two],
		.oh = two ? win->out[0] : 1, .ow = win->out[two],
	};
	return true;
}

static bool plan_conv(const struct dlc_node *n, struct c_fast_plan *p, int threads)
{
	const struct dlc_value *x = n->inputs[0].value, *w = n->inputs[1].value;
	const struct dlc_value *bias = n->ninputs > 2 ? n->inputs[2].value : NULL;
	if (!is_f32(x) || !is_f32(w) || (bias && !is_f32(bias)) || !is_f32(n->outputs[0]) || !has_data(w))
		return false;
	if (x->type.rank != 3 && x->type.rank != 4)
		return false;
	struct dlc_window win;
	if (!c_fast_window(n, w->type.dims[1], &win, &p->g))
		return false;
	struct c_conv_geom *g = &p->g;
	p->groups = dlc_node_int(n, "group");
	int64_t M = w->type.dims[0];
	p->images = x->type.dims[0];
	/* one input channel a group: each output channel sums its taps over one
	 * plane (depthwise, with or without a channel multiplier, and the first
	 * conv of a one-channel image, whose K = kh * kw products would leave
	 * the sgemm idle: the batch-64 CNN's 1 -> 32 channel conv, 0.64 -> 0.49
	 * ms). groups: the output channels, one plane each (as split() counts) */
	if (g->c == 1) {
		p->kind = C_FAST_DEPTHWISE;
		p->groups = M;
		p->M = 1;
		p->N = g->oh * g->ow;
		p->K = g->kh * g->kw;
		p->a = p->b = C_SRC_PREPACKED;
		p->packed = -1;
		const struct dlc_node *pool = c_fast_fused_pool(n);
		struct dlc_window pw;
		p->pooled = pool && c_fast_window(pool, M, &pw, &p->pg);
		c_fast_plane_scratch(p);
		return p->N > 0;
	}
	p->kind = C_FAST_CONV;
	p->M = M / p->groups;
	p->N = g->oh * g->ow;
	p->K = g->c * g->kh * g->kw;
	p->a = C_SRC_PREPACKED;
	p->packed = 1;
	if (c_fast_plan_winograd(n, p, threads))
		return true;
	bool pointwise = g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->ph == 0 && g->pw == 0 &&
			 g->oh == g->h && g->ow == g->w;
	p->b = pointwise ? C_SRC_STRIDED : C_SRC_GATHER;
	p->rsb = g->h * g->w;
	p->csb = 1;
	/* gathered: the padded planes span every window (rows and columns past
	 * the last one are never read); element offsets are ints */
	p->hp = (g->oh - 1) * g->sh + (g->kh - 1) * g->dh + 1;
	p->wp = (g->ow - 1) * g->sw + (g->kw - 1) * g->dw + 1;
	if (!pointwise && g->c * p->hp * p->wp > INT32_MAX)
		return false;
	/* pointwise: B (the input's channels) read in place by the indirect
	 * micro-kernels, never packed. Packing K x N floats cost as much as
	 * the M x K x N product when M is small (MobileNetV2's 32 -> 16
	 * channels on 112x112: 0.23 -> 0.12 ms), and still 5% at M = 144;
	 * MobileNetV2 as a whole 8% faster than with M <= 64 only. Rows of
	 * other widths (14x14, 7x7) on AVX-512 only, whose micro-kernels mask
	 * their loads of B's rows (elsewhere the last panel's would read past
	 * the input), and only up to M = 256: MobileNetV2's 14x14 and 7x7
	 * projections (M = 64-160) 5-10% faster in place, its expansions (M =
	 * 576-1280) 5-14% slower than packed (two threads; the packed panel is
	 * contiguous) */
	bool masked = p->isa->vl == 16 && p->isa->attr;
	if (pointwise && (p->N % p->isa->vl == 0 || (masked && p->M <= 256)) && p->K * p->N <= INT32_MAX)
		p->b = C_SRC_ROWS;
	/* the product at the padded width of the input's phase planes, B read in
	 * place; pays when packing would cost much next to the M products per
	 * element (measured on ResNet-18 against the packer of the time, 15-20%
	 * of a 3x3 conv: planes won at M = 128, 28x28, 1.57 -> 1.44 ms, lost 2%
	 * at 256, 14x14 (junk columns 14%) on one thread but won 5% on two (the
	 * im2col's 196 columns split unevenly, 128 + 68), lost at 512, 7x7;
	 * against dlc_pack_gather, planes only up to M = 64 was 1.7% slower on
	 * one thread, even on two). Strided: only the first convs of
	 * images (a few channels, as sh x sw planes each: ResNet-18's 7x7
	 * stride 2, 3.1 -> 2.1 ms; MobileNetV2's 3x3 stride 2, 0.57 -> 0.35
	 * ms) */
	bool strided = g->sh > 1 || g->sw > 1;
	if (!pointwise && p->M <= (threads > 1 ? 256 : 128) &&
	    (!strided || (g->sh <= 2 && g->sw <= 2 && g->c * g->sh * g->sw <= 16 && g->kh * g->kw > 1))) {
		p->b = C_SRC_PLANE;
		p->hp = g->oh + (g->kh - 1) * g->dh / g->sh;
		p->wp = g->ow + (g->kw - 1) * g->dw / g->sw;
		p->N = ceil_div(g->oh * p->wp, 16) * 16; /* whole vectors: the chain's pass vectorizes */
		/* the product in blocks of whole output rows, about 1024 columns:
		 * the block's product (M x 1024 floats) stays in L2 until its rows
		 * are stored, where one product of a 112x112 plane went to memory */
		p->rb = 1024 / p->wp > 1 ? 1024 / p->wp : 1;
		p->rb = p->rb < g->oh ? p->rb : g->oh;
	}
	return p->M * p->N * p->K > 0;
}

/* Attention without a past cache: per (batch, head) the scores Q K' are
 * one product [q_len x total_len] into scratch (after the product's own
 * packing scratch), then the reference kernel's softmax and weighted sum
 * read them. */
static bool plan_attention(const struct dlc_node *n, struct c_fast_plan *p)
{
	if (n->ninputs < 3 || !is_f32(n->inputs[0].value) || !is_f32(n->inputs[1].value) ||
	    !is_f32(n->inputs[2].value) || (n->ninputs > 4 && n->inputs[4].value))
		return false;
	struct dlc_diag quiet;
	dlc_diag_init(&quiet, NULL, NULL);
	struct dlc_attention a;
	int rc = dlc_node_attention(n->graph, n, &a, &quiet);
	dlc_diag_free(&quiet);
	if (rc < 0 || a.past_len || a.total_len != a.kv_len)
		return false;
	p->kind = C_FAST_ATTENTION;
	p->M = a.q_len;
	p->N = a.total_len;
	p->K = a.head_size;
	p->dv = a.three_d ? 0 : a.v_head_size; /* 0: the weighted sums stay the reference's */
	p->a = p->b = C_SRC_STRIDED;
	p->rsa = a.three_d ? a.q_heads * a.head_size : a.head_size;
	p->csa = 1;
	p->rsb = 1; /* B = K': element (d, j) is key j's d */
	p->csb = a.three_d ? a.kv_heads * a.head_size : a.head_size;
	return p->M * p->N * p->K > 0;
}

/* RNN, GRU and LSTM with constant W and R: the gate products of each step
 * (one row per batch row: W x_t and R h) run on the micro-kernels over W'
 * and R' packed at compile time, per direction, so each loads whole
 * vectors of weights and needs no horizontal sums. */
static bool plan_rnn(const struct dlc_node *n, struct c_fast_plan *p)
{
	const struct dlc_value *x = n->inputs[0].value, *w = n->inputs[1].value, *r = n->inputs[2].value;
	for (int i = 3; i < n->ninputs; i++)
		if (n->inputs[i].value && n->inputs[i].value->type.dtype != DLC_F32 && i != 4)
			return false;
	if (!is_f32(x) || !is_f32(w) || !is_f32(r) || !has_data(w) || !has_data(r) || !is_f32(n->outputs[0]))
		return false;
	struct dlc_diag quiet;
	dlc_diag_init(&quiet, NULL, NULL);
	struct dlc_rnn rn;
	int rc = dlc_node_rnn(n->graph, n, &rn, &quiet);
	dlc_diag_free(&quiet);
	if (rc < 0 || rn.input < 1 || rn.hidden < 1)
		return false;
	p->kind = C_FAST_RNN;
	p->M = 1;
	p->N = rn.gates * rn.hidden;
	p->K = rn.input;
	p->a = p->b = C_SRC_PREPACKED;
	p->packed = 1;
	p->packed2 = 2;
	p->seg = n->op == DLC_OP_GRU && !dlc_node_int(n, "linear_before_reset") ? 2 * rn.hidden : 0;
	p->images = rn.dirs;
	return true;
}

/* A plane conv's scratch: up to its planes, then one block's product. */
static void plane_product_scratch(struct c_fast_plan *p)
{
	p->scratch = (p->plane_y + p->M * ceil_div(p->rb * p->wp, 16) * 16) * (int64_t)sizeof(float);
}

/* Splits a kernel for `threads` threads. A product splits by columns
 * (whole B panels) when there are enough of them, else by rows (whole
 * micro-kernel row panels). A plane conv (its padded planes in scratch)
 * splits by images when there are enough, else by rows, each part filling
 * its own copy of the planes (C x hp x wp floats, against M / parts x K x
 * N products). A depthwise conv splits its (image, channel) planes. Kernels
 * under a million flops stay whole: waking a worker costs more. Depthwise
 * convs and pools do far fewer flops a microsecond (filling planes, a load
 * a tap): theirs split from 100 000 (MobileNetV2's 14x14 and 7x7 ones, 30-
 * 80 us; whole, they also read the planes the split kernel before them
 * left in the other core's cache). */
static void split(struct c_fast_plan *p, int threads)
{
	p->parts = 1;
	int64_t images = p->images > 0 ? p->images : 1, groups = p->groups > 0 ? p->groups : 1;
	bool planes = p->kind == C_FAST_DEPTHWISE || p->kind == C_FAST_MAX_POOL;
	if (threads < 2 ||
	    2.0 * (double)p->M * (double)p->N * (double)p->K * (double)images * (double)groups < (planes ? 1e5 : 1e6))
		return;
	int64_t np = ceil_div(p->N, c_isa_nr(p->isa)), mp = ceil_div(p->M, p->isa->mr);
	if (p->kind == C_FAST_DEPTHWISE || p->kind == C_FAST_MAX_POOL) {
		if (images * groups < threads)
			return;
		p->split = C_SPLIT_CHANNELS;
		/* one image of rows computed in place: by output rows, as the
		 * pointwise convs around it split by columns (positions), so each
		 * core finds its rows of their data in its own cache */
		if (p->kind == C_FAST_DEPTHWISE && !p->pooled && c_fast_dw_rows(p) && images < threads &&
		    p->g.oh >= threads)
			p->split = C_SPLIT_OUT_ROWS;
	} else if (p->b == C_SRC_PLANE && images >= threads) {
		p->split = C_SPLIT_IMAGES;
	} else if (p->b == C_SRC_PLANE && p->g.oh >= threads &&
		   p->g.c * p->g.sh * p->g.sw * p->hp * p->wp > p->M * p->K) {
		/* blocks of output rows, as many to each part (smaller ones if
		 * need be), each part filling only the plane rows its blocks read,
		 * where the planes outweigh the weights every part then reads:
		 * split by output channels, every part fills all the planes
		 * (ResNet-18's first conv at two threads 1.20 -> 0.91 ms, layer1
		 * 0.79 -> 0.73; layer2, 128 x 1152 weights against 128 planes of
		 * 30 x 30, 0.70 -> 0.76) */
		int64_t nb = ceil_div(ceil_div(p->g.oh, p->rb), threads) * threads;
		p->rb = ceil_div(p->g.oh, nb);
		plane_product_scratch(p);
		p->split = C_SPLIT_OUT_ROWS;
	} else if (p->b != C_SRC_PLANE && (np >= 2 * threads || (np >= threads && np >= mp))) {
		p->split = C_SPLIT_COLS;
	} else if (mp >= threads) {
		p->split = C_SPLIT_ROWS;
	} else {
		return;
	}
	p->parts = threads;
	p->part_floats = ceil_div(p->scratch, 64) * 64 / (int64_t)sizeof(float);
	p->scratch = p->part_floats * threads * (int64_t)sizeof(float);
}

bool c_fast_plan(const struct dlc_node *n, const struct dlc_kernel_opts *k, struct c_fast_plan *p)
{
	*p = (struct c_fast_plan){.kind = C_FAST_NONE, .packed = -1, .packed2 = -1};
	if (!k || k->naive || !n->noutputs || !n->outputs[0])
		return false;
	p->isa = c_isa_for(k->cpu);
	bool ok = false;
	switch (n->op) {
	case DLC_OP_GEMM: ok = plan_gemm(n, p); break;
	case DLC_OP_MATMUL: ok = plan_matmul(n, p); break;
	case DLC_OP_CONV: ok = plan_conv(n, p, k->threads); break;
	case DLC_OP_ATTENTION: ok = plan_attention(n, p); break;
	case DLC_OP_RNN:
	case DLC_OP_GRU:
	case DLC_OP_LSTM: ok = plan_rnn(n, p); break;
	case DLC_OP_MAX_POOL: ok = c_fast_plan_max_pool(n, p); break;
	default: break;
	}
	if (!ok) {
		*p = (struct c_fast_plan){.kind = C_FAST_NONE, .packed = -1, .packed2 = -1};
		return false;
	}
	if (p->kind == C_FAST_RNN || p->kind == C_FAST_WINOGRAD)
		return true; /* RNN: no scratch, not split; Winograd: planned its own */
	if (p->kind != C_FAST_DEPTHWISE && p->kind != C_FAST_MAX_POOL)
		c_fast_blocks(p);
	if (p->b == C_SRC_ROWS) /* the offsets of B's rows, ko[K] */
		p->scratch = ceil_div(p->K, 16) * 64;
	if (p->b == C_SRC_GATHER) { /* then the padded planes */
		p->plane_x = ceil_div(p->scratch, 64) * 64 / (int64_t)sizeof(float);
		p->scratch = (p->plane_x + p->g.c * p->hp * p->wp) * (int64_t)sizeof(float);
	}
	if (p->b == C_SRC_PLANE) { /* then the padded planes (the last tap's row reads
				       (kw - 1) dw past them, a last tile up to a vector
				       more: zeros), then the product */
		p->plane_x = ceil_div(p->scratch, 64) * 64 / (int64_t)sizeof(float);
		p->plane_y = p->plane_x + ceil_div(p->g.c * p->g.sh * p->g.sw * p->hp * p->wp + (p->g.kw - 1) * p->g.dw + 32,
						   16) * 16;
		plane_product_scratch(p);
	}
	if (p->kind != C_FAST_ATTENTION)
		split(p, k->threads);
	if (p->kind == C_FAST_MAX_POOL && !p->direct && p->parts <= 1 && p->N < 256) { /* pool.c */
		*p = (struct c_fast_plan){.kind = C_FAST_NONE, .packed = -1, .packed2 = -1};
		return false;
	}
	if (p->kind == C_FAST_ATTENTION) { /* then the scores, then P V's packing */
		p->scores = ceil_div(p->scratch, 64) * 64 / (int64_t)sizeof(float);
		p->scratch = (p->scores + p->M * p->N) * (int64_t)sizeof(float);
		if (p->dv > 0) {
			struct c_fast_plan w;
			c_fast_plan_wsum(p, &w);
			p->wsum = ceil_div(p->scratch, 64) * 64 / (int64_t)sizeof(float);
			p->scratch = p->wsum * (int64_t)sizeof(float) + w.scratch;
		}
	}
	return true;
}

/* Attention's weighted sums of one (batch, head): P [q x total] (the
 * scores' place in scratch) times V [total x dv] (rows dv apart). */
void c_fast_plan_wsum(const struct c_fast_plan *p, struct c_fast_plan *w)
{
	*w = (struct c_fast_plan){.kind = C_FAST_MATMUL, .isa = p->isa, .packed = -1, .packed2 = -1};
	w->M = p->M;
	w->N = p->dv;
	w->K = p->N;
	w->a = w->b = C_SRC_STRIDED;
	w->rsa = p->N;
	w->csa = 1;
	w->rsb = p->dv;
	w->csb = 1;
	w->images = 1;
	c_fast_blocks(w);
}

int64_t c_fast_scratch_bytes(const struct dlc_node *n, const struct dlc_kernel_opts *k)
{
	struct c_fast_plan p;
	return c_fast_plan(n, k, &p) ? p.scratch : 0;
}

/* ---- per file: plans and packed weights ---- */

void c_fast_plane_block(const struct c_fast_plan *p, int64_t rows, struct c_fast_plan *b)
{
	*b = *p;
	b->N = ceil_div(rows * p->wp, 16) * 16;
	b->nc = min64(b->N, p->isa->nc);
}

int64_t c_fast_row_product_numel(const struct c_isa *isa, int64_t k, int64_t n)
{
	return c_sgemm_packed_b_numel(isa, k, n);
}

/* W (operand 1, [dirs][N][K]) or R (operand 2, [dirs][N][hidden]) of a
 * recurrent net, transposed: per direction one k x N product (R of a GRU
 * with p->seg: two, columns [0, seg) then [seg, N)). */
static void pack_rnn(const struct c_fast_plan *p, const struct dlc_value *v, int operand, struct c_packed *pk)
{
	const struct c_isa *isa = p->isa;
	int64_t dirs = p->images, N = p->N, k = v->type.dims[2];
	int64_t seg = operand == 2 && p->seg > 0 ? p->seg : N;
	int64_t per = c_sgemm_packed_b_numel(isa, k, seg) + (seg < N ? c_sgemm_packed_b_numel(isa, k, N - seg) : 0);
	const float *src = dlc_value_data(v);
	pk->numel = dirs * per;
	pk->data = dlc_xcalloc((size_t)pk->numel, sizeof(float));
	for (int64_t d = 0; d < dirs; d++) {
		const float *wd = src + d * N * k;
		float *dst = pk->data + d * per;
		c_sgemm_pack_b(isa, wd, 1, k, k, seg, dst);
		if (seg < N)
			c_sgemm_pack_b(isa, wd + seg * k, 1, k, k, N - seg, dst + c_sgemm_packed_b_numel(isa, k, seg));
	}
}

static const char *pack(struct cgen *c, const struct dlc_node *n, const struct c_fast_plan *p, int operand)
{
	struct c_fast *f = c->fast;
	const struct dlc_value *v = n->inputs[operand].value;
	char layout[32];
	if (p->kind == C_FAST_RNN)
		snprintf(layout, sizeof layout, "pr%d%s", c_isa_nr(p->isa),
			 operand == 2 && p->seg > 0 ? "_gru" : "");
	else if (p->kind == C_FAST_CONV)
		snprintf(layout, sizeof layout, "pa%d_g%lld", p->isa->mr, (long long)p->groups);
	else if (p->kind == C_FAST_WINOGRAD)
		snprintf(layout, sizeof layout, "wino%d", p->isa->mr);
	else
		snprintf(layout, sizeof layout, "pb%d%s", c_isa_nr(p->isa),
			 p->rsb == 1 && p->csb != 1 ? "t" : "");
	for (int i = 0; i < f->npacked; i++)
		if (f->packed[i].src == v && !strcmp(f->packed[i].layout, layout))
			return f->packed[i].name;
	const float *src = dlc_value_data(v);
	struct c_packed pk = {.src = v};
	snprintf(pk.layout, sizeof pk.layout, "%s", layout);
	if (p->kind == C_FAST_RNN) {
		pack_rnn(p, v, operand, &pk);
	} else if (p->kind == C_FAST_WINOGRAD) {
		pk.data = c_fast_winograd_pack(p, src, &pk.numel);
	} else if (p->kind == C_FAST_CONV) { /* per group: rows m of W_g = W[g * M + m] */
		pk.numel = p->groups * p->M * p->K;
		pk.data = dlc_xcalloc((size_t)pk.numel, sizeof(float));
		for (int64_t g = 0; g < p->groups; g++)
			c_sgemm_pack_a(p->isa, src + g * p->M * p->K, p->K, 1, p->M, p->K, pk.data + g * p->M * p->K);
	} else {
		pk.numel = c_sgemm_packed_b_numel(p->isa, p->K, p->N);
		pk.data = dlc_xcalloc((size_t)pk.numel, sizeof(float));
		c_sgemm_pack_b(p->isa, src, p->rsb, p->csb, p->K, p->N, pk.data);
	}
	struct dlc_strbuf name = {0};
	dlc_sb_printf(&name, "%s_%s", c->names[v->id], layout);
	pk.name = dlc_sb_take(&name);
	f->packed = realloc(f->packed, (size_t)(f->npacked + 1) * sizeof *f->packed);
	DLC_ASSERT(f->packed);
	f->packed[f->npacked++] = pk;
	return pk.name;
}

/* The 1-row micro-kernels of a recurrent net's row products. */
static void note_rnn(struct c_fast *f, const struct c_fast_plan *p)
{
	const struct c_isa *isa = p->isa;
	int64_t nr = c_isa_nr(isa), widths[3] = {p->N, p->seg, p->N - p->seg};
	for (int i = 0; i < (p->seg > 0 ? 3 : 1); i++) {
		if (widths[i] >= nr)
			f->tiles[0][1][isa->nv] = true;
		if (widths[i] % nr)
			f->tiles[0][1][(widths[i] % nr + isa->vl - 1) / isa->vl] = true;
	}
	f->any = true;
}

void c_fast_prepare(struct cgen *c)
{
	struct c_fast *f = dlc_xcalloc(1, sizeof *f);
	c->fast = f;
	f->naive = c->o->kernels.naive;
	f->isa = c_isa_for(c->o->kernels.cpu);
	f->plans = dlc_xcalloc((size_t)c->g->next_node_id + 1, sizeof *f->plans);
	f->packed_of = dlc_xcalloc((size_t)c->g->next_node_id + 1, sizeof *f->packed_of);
	dlc_foreach_node(c->g, n) {
		bool starts = n->kernel < 0 || !n->prev || n->prev->kernel != n->kernel;
		struct c_fast_plan p;
		if (!starts || !c_fast_plan(n, &c->o->kernels, &p))
			continue;
		/* the memory plan must have reserved the scratch (it was made with
		 * the same kernel options; a graph planned otherwise stays naive) */
		if (p.scratch > 0 && (n->scratch_bytes < p.scratch || n->scratch_offset < 0))
			continue;
		f->plans[n->id] = p;
		if (p.packed >= 0)
			f->packed_of[n->id][0] = pack(c, n, &p, p.packed);
		if (p.packed2 >= 0)
			f->packed_of[n->id][1] = pack(c, n, &p, p.packed2);
		if (p.kind == C_FAST_DEPTHWISE || p.kind == C_FAST_MAX_POOL)
			f->any = true;
		else if (p.kind == C_FAST_RNN)
			note_rnn(f, &p);
		else if (p.kind == C_FAST_WINOGRAD)
			c_fast_winograd_note(f, &p);
		else if (p.kind == C_FAST_ATTENTION && p.dv > 0) {
			struct c_fast_plan w;
			c_fast_plan_wsum(&p, &w);
			c_sgemm_note(f, &p);
			c_sgemm_note(f, &w);
		} else if (p.b == C_SRC_PLANE) { /* blocks of rb rows, and the last one */
			struct c_fast_plan b;
			c_fast_plane_block(&p, p.rb, &b);
			c_sgemm_note(f, &b);
			c_fast_plane_block(&p, p.g.oh % p.rb ? p.g.oh % p.rb : p.rb, &b);
			c_sgemm_note(f, &b);
		} else
			c_sgemm_note(f, &p);
		/* phase planes of column stride 2 (depthwise.c) */
		f->stride2 |= (p.kind == C_FAST_DEPTHWISE || (p.kind == C_FAST_MAX_POOL && !p.direct) || p.b == C_SRC_PLANE) &&
			      p.g.sw == 2;
	}
}

void c_fast_free(struct cgen *c)
{
	struct c_fast *f = c->fast;
	if (!f)
		return;
	for (int i = 0; i < f->npacked; i++) {
		free(f->packed[i].name);
		free(f->packed[i].data);
	}
	free(f->packed);
	free(f->packed_of);
	free(f->plans);
	free(f);
	c->fast = NULL;
}

const struct c_fast_plan *c_fast_of(const struct cgen *c, const struct dlc_node *n)
{
	if (!c->fast || c->fast->plans[n->id].kind == C_FAST_NONE)
		return NULL;
	return &c->fast->plans[n->id];
}

const char *c_fast_packed_operand(const struct cgen *c, const struct dlc_node *n, int i)
{
	const struct c_fast_plan *p = c_fast_of(c, n);
	if (!p || i < 0)
		return NULL;
	return p->packed == i ? c->fast->packed_of[n->id][0] : p->packed2 == i ? c->fast->packed_of[n->id][1] : NULL;
}

const char *c_fast_fn_attr(const struct cgen *c, const struct dlc_node *n)
{
	return c_fast_of(c, n) && c->fast->isa->attr ? "DLC_SIMD DLC_KERNEL " : "";
}

void c_fast_emit_prelude(struct cgen *c)
{
	const struct c_fast *f = c->fast;
	if (!f || !f->any)
		return;
	if (f->isa->attr) {
		emit_line(&c->e, "#include <immintrin.h>");
		emit_blank(&c->e);
		emit_line(&c->e, "/* The fast kernels are compiled for %s whatever the flags. */", f->isa->what);
		bool wide = f->isa->vl == 16; /* else gcc's loops use half-width vectors (its tuning) */
		if (wide) {
			emit_line(&c->e, "#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 10");
			emit_line(&c->e, "#define DLC_SIMD __attribute__((target(\"%s,prefer-vector-width=512\")))",
				  f->isa->attr);
			emit_line(&c->e, "#else");
		}
		emit_line(&c->e, "#define DLC_SIMD __attribute__((target(\"%s\")))", f->isa->attr);
		if (wide)
			emit_line(&c->e, "#endif");
		emit_line(&c->e, "/* kernels keep their own vector width: inlined into model_run, gcc");
		emit_line(&c->e, " * vectorizes them with its tuning's */");
		emit_line(&c->e, "#define DLC_KERNEL __attribute__((noinline))");
		emit_blank(&c->e);
	}
	c_sgemm_emit_prelude(c, f);
	if (f->winograd)
		c_emit_winograd_prelude(c);
}

/* ---- kernel bodies ---- */

int c_fast_emit(struct cgen *c, const struct dlc_node *n)
{
	const struct c_fast_plan *p = c_fast_of(c, n);
	DLC_ASSERT(p);
	switch (p->kind) {
	case C_FAST_GEMM: c_fast_emit_gemm(c, n, p); break;
	case C_FAST_MATMUL: c_fast_emit_matmul(c, n, p); break;
	case C_FAST_CONV: c_fast_emit_conv(c, n, p); break;
	case C_FAST_WINOGRAD: return c_emit_winograd(c, n, p);
	case C_FAST_DEPTHWISE: return c_emit_depthwise(c, n, p);
	case C_FAST_ATTENTION: return c_emit_attention(c, n);
	case C_FAST_RNN: return c_emit_rnn(c, n);
	case C_FAST_MAX_POOL: return p->direct ? c_emit_max_pool_direct(c, n, p) : c_emit_depthwise(c, n, p);
	default: DLC_ASSERT(0);
	}
	return 0;
}
