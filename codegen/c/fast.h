/* The fast f32 kernels of the C target: a packed, cache-blocked sgemm with
 * register-tiled micro-kernels per instruction set (codegen/c/sgemm.c), and
 * the ops that run on it or beside it (codegen/c/fast.c plans them):
 * Gemm, MatMul, Conv as an implicit GEMM (fast_mm.c, fast_conv.c) or by
 * Winograd F(2x2, 3x3) (winograd.c), depthwise Conv (depthwise.c),
 * attention's scores (kernels_seq.c).
 *
 * A product y[M][N] = A[M][K] B[K][N] is computed in blocks: B in blocks of
 * KC x NC packed into panels of NR columns ([kc][NR], zero padded), A in
 * blocks of MC x KC packed into panels of MR rows ([kc][mr]); the
 * micro-kernel multiplies one A panel by one B panel into an MR x NR tile
 * of y held in registers. A constant operand (weights) is packed at compile
 * time, whole: A into panels of MR rows over all of K (the last one has
 * M % MR rows), B into panels of NR columns over all of K. An operand that
 * is computed at run time is packed block by block into arena scratch that
 * the memory plan reserves for the kernel. */
#ifndef DLC_CODEGEN_C_FAST_H
#define DLC_CODEGEN_C_FAST_H

#include "codegen/c/c.h"

/* An instruction set's micro-kernel and blocking. */
struct c_isa {
	enum dlc_cpu cpu;
	const char *what;   /* "AVX-512" */
	const char *attr;   /* target attribute of the SIMD functions, or NULL */
	int vl;             /* floats per vector */
	int mr, nv;         /* micro-tile: mr rows x nv vectors (NR = nv * vl) */
	int kc, mc, nc;     /* cache blocks (mc a multiple of mr, nc of NR) */
};
const struct c_isa *c_isa_for(enum dlc_cpu cpu);
static inline int c_isa_nr(const struct c_isa *isa) { return isa->nv * isa->vl; }

enum c_fast_kind { C_FAST_NONE, C_FAST_GEMM, C_FAST_MATMUL, C_FAST_CONV, C_FAST_DEPTHWISE, C_FAST_ATTENTION,
		   C_FAST_RNN, C_FAST_MAX_POOL, C_FAST_WINOGRAD };

/* How the driver reads an operand that it packs at run time: element
 * (r, c) of the matrix at base[r * rs + c * cs], or (B of a convolution)
 * the implicit im2col matrix of the input. */
enum c_src { C_SRC_PREPACKED, C_SRC_STRIDED,
	     C_SRC_GATHER, /* B: a convolution's im2col matrix, gathered block by
			      block from the zero-padded input planes in scratch:
			      element (k, j) at planes[ko[k] + pos[j]] */
	     C_SRC_PLANE, /* B: a convolution's padded planes, rows at offsets ko[k] */
	     C_SRC_ROWS   /* B: a pointwise conv's input as it is, row k (channel k)
			     at ko[k] = k * rsb */ };
/* Is B read in place by the indirect micro-kernels (dlc_ukri_*)? */
static inline bool c_src_indirect(enum c_src s) { return s == C_SRC_PLANE || s == C_SRC_ROWS; }

/* A 2-D convolution window (1-D convs have h = kh = oh = 1). */
struct c_conv_geom {
	int64_t c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow;
};

/* How a kernel run in parts divides the work: the product's column panels
 * or row panels (each part computes its tiles of every product), the
 * images (each part runs whole images), (depthwise) the channels of every
 * image, or (plane convs) the blocks of output rows of every image. Parts
 * write disjoint elements in the order one thread would, so results do
 * not depend on the thread count. */
enum c_split { C_SPLIT_COLS, C_SPLIT_ROWS, C_SPLIT_IMAGES, C_SPLIT_CHANNELS, C_SPLIT_OUT_ROWS };

struct c_fast_plan {
	enum c_fast_kind kind;
	const struct c_isa *isa;
	int64_t M, N, K;          /* one product */
	int64_t kc, mc, nc;       /* the blocks used (kc <= K, mc <= M, nc <= N) */
	enum c_src a, b;
	int64_t rsa, csa, rsb, csb; /* strides of strided operands */
	int packed;               /* operand of the node packed at compile time, or -1 */
	int packed2;              /* C_FAST_RNN: R (operand 2), packed too */
	int64_t seg;              /* C_FAST_RNN: R's columns are packed as two products,
				     [0, seg) and [seg, N), when seg > 0 (GRU's hidden
				     gate reads r (.) h, after the others) */
	int64_t scratch;          /* bytes of arena scratch */
	int64_t scratch_b;        /* offset (floats) of the B block in scratch */
	int64_t scores;           /* attention: offset (floats) of the scores in scratch */
	int64_t wsum;             /* attention (4-D, > 0): offset (floats) in scratch of the
				     packing of the weighted sum's product, P V */
	int64_t dv;               /* attention: the value head size */
	int64_t plane_x, plane_y; /* C_SRC_PLANE: offsets (floats) of the padded input's
				     phase planes and of the product in scratch;
				     C_SRC_GATHER: plane_x, the padded planes */
	int64_t hp, wp;           /* C_SRC_PLANE, depthwise, max pool: one phase plane;
				     C_SRC_GATHER: one padded plane */
	int64_t rb;               /* C_SRC_PLANE: output rows per block of the product;
				     C_FAST_WINOGRAD: tile rows per block */
	int64_t wino_v, wino_y, wino_r; /* C_FAST_WINOGRAD: offsets (floats) in a part's
				     scratch of V, Y and the output rows (the E and O
				     planes at 0, hp x wp each) */
	bool direct;              /* C_FAST_MAX_POOL: vectors straight from the input,
				     no planes (pool.c) */
	bool pooled;              /* C_FAST_DEPTHWISE: a MaxPool ends the kernel, */
	struct c_conv_geom pg;    /* its window over the conv's output */
	struct c_conv_geom g;     /* C_FAST_CONV, C_FAST_DEPTHWISE */
	int64_t groups, images;   /* conv */
	int parts;                /* >1: the kernel runs in that many parts in
				     parallel, each with part_floats of the scratch,
				     split as `split` says */
	enum c_split split;
	int64_t part_floats;
};

/* The 1-D or 2-D window of conv or pool node n over c channels, as
 * geometry (1-D: h = kh = oh = 1); false if it has none (the reference
 * kernel reports why). */
bool c_fast_window(const struct dlc_node *n, int64_t c, struct dlc_window *win, struct c_conv_geom *g);

/* The fast kernel for node n (its kernel's anchor), if there is one:
 * fills p and returns true. Pure: the memory plan and code generation ask
 * the same question and get the same answer. */
bool c_fast_plan(const struct dlc_node *n, const struct dlc_kernel_opts *k, struct c_fast_plan *p);
int64_t c_fast_scratch_bytes(const struct dlc_node *n, const struct dlc_kernel_opts *k);

/* ---- per generated file (codegen/c/fast.c) ---- */

/* A constant packed at compile time into the layout a kernel reads. */
struct c_packed {
	const struct dlc_value *src;
	char layout[32];          /* "pa6", "pb64" */
	char *name;               /* C identifier: w_<src>_<layout> */
	float *data;
	int64_t numel;
};

struct c_fast {
	const struct c_isa *isa;
	bool naive;
	struct c_fast_plan *plans; /* by node id; kind NONE: the naive kernel */
	struct c_packed *packed;
	int npacked;
	const char *(*packed_of)[2]; /* by node id: the packed arrays of its plan's
				     operands (packed, packed2) */
	unsigned char plus[2][8][8]; /* [indirect][rows][vectors]: bit e set: the
				     micro-kernel of that shape plus e columns
				     (AVX-512, a last panel of N % 64 = 16 v + e) */
	bool tiles[2][8][8];      /* [indirect][rows][vectors]: a micro-kernel of that
				     shape is called (indirect: B rows by offsets) */
	bool any, pack_a, pack_b, pack_gather;
	bool stride2;             /* dlc_stride2: a depthwise conv of column stride 2 */
	bool winograd;            /* dlc_wino_in, dlc_wino_out */
};

/* Plans every kernel of the graph and packs the constant operands. */
void c_fast_prepare(struct cgen *c);
void c_fast_free(struct cgen *c);
/* The plan of node n, or NULL if n has no fast kernel. */
const struct c_fast_plan *c_fast_of(const struct cgen *c, const struct dlc_node *n);
/* The pre-packed array standing for operand i of n, or NULL. */
const char *c_fast_packed_operand(const struct cgen *c, const struct dlc_node *n, int i);
/* "#include <immintrin.h>" and the DLC_SIMD macro, then the micro-kernels
 * and packing routines the file's kernels call (once per file). */
void c_fast_emit_prelude(struct cgen *c);
/* "DLC_SIMD " for a kernel with a fast body (its epilogue vectorizes for
 * the target), else "". */
const char *c_fast_fn_attr(const struct cgen *c, const struct dlc_node *n);
/* The fast body of n's kernel (c->ep: its fused chain); the kernel takes
 * the scratch as its last parameter `s` when the plan has scratch. */
int c_fast_emit(struct cgen *c, const struct dlc_node *n);

/* ---- emitting (codegen/c/sgemm.c) ---- */

/* Finishes element `at` (an lvalue holding the sum of products) of row
 * `row` and column `col` of the product. */
typedef void (*c_finish_fn)(struct cgen *c, const void *ctx, const char *row, const char *col,
			    const char *at);

/* One call site of the blocked sgemm: A, B and y as C expressions (y's rows
 * are N apart); finish NULL: the product is the result. */
struct c_sgemm_site {
	const char *a, *b, *y;
	c_finish_fn finish;
	const void *ctx;
	const char *rows[2];      /* non-NULL: only rows [rows[0], rows[1]) (the caller
				     split the product and owns the part's scratch) */
	const char *scratch;      /* the packing scratch, if not s (or the part's) */
};
void c_sgemm_emit(struct cgen *c, const struct c_fast_plan *p, const struct c_sgemm_site *s);
/* Declares `lo` and `hi`, part `part` of `nparts` of [0, total) in whole
 * units (the last part may end mid-unit, at total). */
void c_emit_part_range(struct cgen *c, const char *lo, const char *hi, int64_t total, int64_t unit);
void c_sgemm_emit_prelude(struct cgen *c, const struct c_fast *f);
/* Marks the micro-kernels and packers that call sites of p use. */
void c_sgemm_note(struct c_fast *f, const struct c_fast_plan *p);
/* The packed layouts, for compile-time packing. */
void c_sgemm_pack_a(const struct c_isa *isa, const float *a, int64_t rs, int64_t cs, int64_t m,
		    int64_t k, float *dst);
void c_sgemm_pack_b(const struct c_isa *isa, const float *b, int64_t rs, int64_t cs, int64_t k,
		    int64_t n, float *dst);
int64_t c_sgemm_packed_b_numel(const struct c_isa *isa, int64_t k, int64_t n);

/* What finishes an element of the product: the op's own terms (Gemm's
 * alpha, beta * C; Conv's bias), then the fused chain. */
struct finish_ctx {
	const struct dlc_node *n;
	const struct c_fast_plan *p;
	int rank;                 /* of the result */
	const int64_t *dims;
};

/* ---- kernel bodies (codegen/c/fast_mm.c, fast_conv.c) ---- */

/* c_epilogue of the chain at row `row`, column `col` of a product whose rows
 * run over all dims of the result but the last. */
void c_fast_row_index(struct cgen *c, const struct finish_ctx *x, const char *row, const char *col,
		      const char *at);
void c_fast_emit_gemm(struct cgen *c, const struct dlc_node *n, const struct c_fast_plan *p);
void c_fast_emit_matmul(struct cgen *c, const struct dlc_node *n, const struct c_fast_plan *p);
void c_fast_emit_conv(struct cgen *c, const struct dlc_node *n, const struct c_fast_plan *p);

/* Attention (codegen/c/kernels_seq.c): the scores of query block q and
 * key block k (C expressions) into the scratch at p->scores. */
void c_fast_emit_scores(struct cgen *c, const struct dlc_node *n, const char *q, const char *k);
/* Attention: y (rows of p->dv, a 4-D result) = the probabilities that
 * replaced the scores times the values at v (rows of p->dv). */
void c_fast_emit_wsum(struct cgen *c, const struct dlc_node *n, const char *v, const char *y);
/* The plan of that product. */
void c_fast_plan_wsum(const struct c_fast_plan *p, struct c_fast_plan *w);

/* ---- recurrent nets (codegen/c/kernels_seq.c) ---- */

/* y[0, n) (+)= v[0, k) times the product packed at `b` (k x n, panels of
 * NR columns): one row through the sgemm micro-kernels. */
void c_fast_emit_row_product(struct cgen *c, const struct c_fast_plan *p, const char *v, const char *b,
			     const char *y, int64_t k, int64_t n);
/* The product of `rows` output rows of a plane conv (C_SRC_PLANE): p with
 * N their columns at the planes' width, rounded up to whole vectors. */
void c_fast_plane_block(const struct c_fast_plan *p, int64_t rows, struct c_fast_plan *b);
/* Elements of the packed k x n product (what c_fast_emit_row_product reads). */
int64_t c_fast_row_product_numel(const struct c_isa *isa, int64_t k, int64_t n);

/* Blocks (kc, mc, nc) and packing scratch of a product. */
void c_fast_blocks(struct c_fast_plan *p);

/* ---- Winograd F(2x2, 3x3) convolution (codegen/c/winograd.c) ---- */
/* Makes p (a conv's plan, geometry and M set) a Winograd one if the conv
 * is 3x3, stride 1, one group, and large enough to gain. */
bool c_fast_plan_winograd(const struct dlc_node *n, struct c_fast_plan *p, int threads);
/* The plan of one of its 16 products, for a block of tile_rows tile rows. */
void c_fast_winograd_gemm(const struct c_fast_plan *p, int64_t tile_rows, struct c_fast_plan *b);
/* The weights [M][C][3][3] transformed and packed (16 x M x C floats). */
float *c_fast_winograd_pack(const struct c_fast_plan *p, const float *w, int64_t *numel);
int c_emit_winograd(struct cgen *c, const struct dlc_node *n, const struct c_fast_plan *p);
/* Marks the micro-kernels and helpers its products and transforms use. */
void c_fast_winograd_note(struct c_fast *f, const struct c_fast_plan *p);
/* Its transforms (dlc_wino_in, dlc_wino_out), once per file. */
void c_emit_winograd_prelude(struct cgen *c);

/* ---- max pooling (codegen/c/pool.c; its body is depthwise.c's) ---- */
bool c_fast_plan_max_pool(const struct dlc_node *n, struct c_fast_plan *p);
/* The body of a max pool in direct mode (p->direct). */
int c_emit_max_pool_direct(struct cgen *c, const struct dlc_node *n, const struct c_fast_plan *p);
/* May MaxPool `pool` end the kernel anchored at conv `anchor` (its fast
 * kernel the depthwise one, every window inside the conv's output, the
 * chain between them read per channel)? */
bool c_fast_pool_joins(const struct dlc_node *pool, const struct dlc_node *anchor, const struct dlc_kernel_opts *k);
/* The MaxPool that ends n's kernel, or NULL. */
const struct dlc_node *c_fast_fused_pool(const struct dlc_node *n);
/* A pool's output plane dst from plane src (rows ld floats apart): vectors
 * where c_fast_pool_vectors (stride 2: after c_emit_pool_even), else the
 * reference kernel's comparisons. */
bool c_fast_pool_vectors(const struct c_isa *isa, const struct c_conv_geom *g);
void c_emit_pool_even(struct cgen *c);
void c_emit_pool_plane(struct cgen *c, const struct c_isa *isa, const struct c_conv_geom *g, const char *src,
		       int64_t ld, const char *dst);

/* ---- depthwise convolution (codegen/c/depthwise.c) ---- */
/* The phase planes (p->hp x p->wp each) and the sums, in scratch. */
void c_fast_plane_scratch(struct c_fast_plan *p);
/* Are a depthwise conv's (max pool's) outputs computed in place, row by
 * row (else at the planes' width, into a buffer)? */
bool c_fast_dw_rows(const struct c_fast_plan *p);
/* Copies the input channel at `xc` (a variable of the emitted code) into
 * its sh x sw phase planes at `dst` (hp x wp each, zero padding left as it
 * is): phase (rp, cp), row r, column c holds input (r sh + rp - ph,
 * c sw + cp - pw). */
void c_fast_emit_fill_phases(struct cgen *c, const struct c_fast_plan *p, const char *dst, const char *r0,
			     const char *r1);
/* The body of a depthwise conv, or of a max pool (C_FAST_MAX_POOL). */
int c_emit_depthwise(struct cgen *c, const struct dlc_node *n, const struct c_fast_plan *p);
/* Does every operand of the fused chain (c->ep) of a conv hold one value per
 * channel or fewer (a bias, Clip's bounds), none per position? Then the
 * chain may run over padded rows, junk columns included. */
bool c_fast_ep_per_channel(const struct cgen *c);

#endif
