/* 3x3 stride-1 convolutions by Winograd's minimal filtering, F(2x2, 3x3)
 * (Lavin and Gray, 2015): each 2x2 block of outputs ("tile") of a channel
 * is A' [(G g G') (.) (B' d B)] A, d the 4x4 input patch around it, g the
 * 3x3 filter. Summed over the input channels, the 16 elements xi of the
 * transformed domain are 16 independent products
 *
 *   Y_xi [M][tiles] = U_xi [M][C] x V_xi [C][tiles]
 *
 * with U = G g G' per (output, input channel), computed and packed at
 * compile time (the A panels of the sgemm), and V = B' d B per (input
 * channel, tile) computed at run time: 16 x M x C x tiles multiply-adds
 * where the direct product does 9 x M x C x 4 tiles, 2.25x fewer. The
 * transforms are a few adds per element, exact up to rounding (G's halves
 * are exact in binary; B and A are 0 and +-1).
 *
 * Per image, the tiles run in blocks of whole tile rows (p->rb of them):
 *   1. the block's input rows are copied into even and odd column planes
 *      (E[r][k] = padded input (r, 2k), O[r][k] = (r, 2k + 1)), so that
 *      tile tx reads E[tx], O[tx], E[tx + 1], O[tx + 1]: contiguous in tx;
 *   2. V_xi[c][t] for the block's tiles t (t = ty * tw + tx);
 *   3. the 16 products Y_xi = U_xi V_xi on the micro-kernels, B rows read
 *      in place (dlc_ukri_*, row c at ko[c] = c * np);
 *   4. the 2x2 outputs of each tile, + bias, through a row buffer into y,
 *      with the fused chain.
 * The transform loops run over twv tiles a row, tw rounded up to whole
 * vectors (gcc -O2 vectorizes only trip counts that are multiples of the
 * vector): the junk tiles past tw are written over by the next tile row,
 * or land in the padding of V and Y, which stays finite (zeroed once a
 * call).
 *
 * When it is chosen: docs/kernels.md. */
#include <stdlib.h>
#include <string.h>

#include "codegen/c/fast.h"

enum { XI = 16 }; /* the transformed tile: 4 x 4 */

static int64_t ceil_div(int64_t a, int64_t b)
{
	return (a + b - 1) / b;
}

static int64_t round_up(int64_t a, int64_t b)
{
	return ceil_div(a, b) * b;
}

/* Tiles a row and rows of tiles of the output; tiles a row rounded up to
 * whole vectors. */
static int64_t tiles_w(const struct c_fast_plan *p)
{
	return ceil_div(p->g.ow, 2);
}

static int64_t tiles_h(const struct c_fast_plan *p)
{
	return ceil_div(p->g.oh, 2);
}

static int64_t tiles_wv(const struct c_fast_plan *p)
{
	return round_up(tiles_w(p), 16); /* the transforms' loops: 16 at a time */
}

/* Row stride of V (the products' B): the block's tiles and the junk tiles
 * of its last row, in whole vectors. */
static int64_t v_stride(const struct c_fast_plan *p)
{
	return round_up(p->rb * tiles_w(p) + tiles_wv(p) - tiles_w(p), 16);
}

/* The strides of V's and Y's 16 matrices (Y of a block of nt tile rows):
 * a few floats more than they hold, as 16 streams 32 KB apart fall in one
 * set of L1 (12 ways) and evict each other; Y's gap takes the junk tiles'
 * reads past a matrix. */
static int64_t v_xs(const struct c_fast_plan *p)
{
	return p->K * v_stride(p) + 16;
}

static int64_t y_gap(const struct c_fast_plan *p)
{
	return tiles_wv(p);
}

static int64_t y_xs(const struct c_fast_plan *p, int64_t nt)
{
	return p->M * nt * tiles_w(p) + y_gap(p);
}

/* The layout of the scratch (floats) of one part, for blocks of rb tile
 * rows: E and O planes (C x 2 x (2 rb + 2) x wq), V (16 x v_xs), Y (16 x
 * y_xs), the two output rows. */
static void layout(struct c_fast_plan *p)
{
	int64_t C = p->K, twv = tiles_wv(p);
	p->hp = 2 * p->rb + 2;
	p->wp = twv + 1;
	p->plane_x = 0;
	p->wino_v = round_up(C * 2 * p->hp * p->wp, 16);
	p->wino_y = p->wino_v + XI * v_xs(p);
	p->wino_r = p->wino_y + round_up(XI * y_xs(p, p->rb), 16);
	p->scratch = (p->wino_r + 4 * twv) * (int64_t)sizeof(float);
}

/* The cost of a block of rb tile rows (n tiles), in 16-column vectors of
 * its products: the vectors, a third more a panel (the micro-kernel's
 * calls and C tile stores), a tenth more on all when V and Y outgrow L2
 * (1.5 MB), and U read again (16 M C floats: as much as a vector when it
 * is larger than 512 KB and must come from L3, a quarter when it stays in
 * L2). Fitted to ResNet-18's layer1 and layer2 in the whole net, where
 * the weights start cold: blocks of 4 and 8 tile rows. */
static double block_cost(const struct c_fast_plan *p, int64_t rb)
{
	int64_t n = rb * tiles_w(p), nr = c_isa_nr(p->isa);
	double gemm = (double)ceil_div(n, 16) + (double)ceil_div(n, nr) / 3;
	struct c_fast_plan q = *p;
	q.rb = rb;
	if ((double)XI * (double)(p->K * v_stride(&q) + p->M * n) * 4 > 1.5e6)
		gemm *= 1.1;
	return gemm + ((double)XI * (double)p->M * (double)p->K * 4 > 512e3 ? 1 : 0.25);
}

/* The work of the slowest of `parts` parts. */
static double makespan(const struct c_fast_plan *p, int64_t rb, int parts, bool by_rows)
{
	int64_t th = tiles_h(p), nb = ceil_div(th, rb), tail = th - (nb - 1) * rb;
	double full = block_cost(p, rb), last = block_cost(p, tail);
	if (by_rows) /* every part all blocks, a share of the rows (the transforms again) */
		return (double)p->images * ((double)(nb - 1) * full + last) *
		       ((double)ceil_div(ceil_div(p->M, p->isa->mr), parts) * p->isa->mr / (double)p->M + 0.1);
	int64_t units = p->images * nb, per = ceil_div(units, parts);
	/* the tail blocks (one an image) go last in the image's run */
	return (double)per * full - (per == units ? (double)p->images * (full - last) : 0);
}

/* The plan in *p (a conv's: geometry, M, groups, images set), Winograd's
 * fields filled; false, p untouched, when another kernel should run it. */
static bool plan(const struct dlc_node *n, struct c_fast_plan *p, int threads);

bool c_fast_plan_winograd(const struct dlc_node *n, struct c_fast_plan *p, int threads)
{
	struct c_fast_plan w = *p;
	if (!plan(n, &w, threads))
		return false;
	*p = w;
	return true;
}

static bool plan(const struct dlc_node *n, struct c_fast_plan *p, int threads)
{
	const struct c_conv_geom *g = &p->g;
	if (g->kh != 3 || g->kw != 3 || g->sh != 1 || g->sw != 1 || g->dh != 1 || g->dw != 1 || p->groups != 1)
		return false;
	/* few channels: products of K = C too short next to the transforms;
	 * fewer than 32 tiles: products of 16 columns or fewer, each element of
	 * U (16 M C floats, 1.8x the weights) used for little work (ResNet-18's
	 * 7x7 layer4 measured no faster) */
	if (g->c < 16 || p->M < 16 || ceil_div(g->oh, 2) * ceil_div(g->ow, 2) < 32 || n->inputs[0].value->type.rank != 4)
		return false;
	p->kind = C_FAST_WINOGRAD;
	p->K = g->c;
	p->a = C_SRC_PREPACKED;
	p->b = C_SRC_ROWS;
	p->packed = 1;
	/* blocks of rb tile rows: the least work for the slowest part */
	int parts = threads > 1 ? threads : 1;
	int64_t th = tiles_h(p), tw = tiles_w(p), best = 1;
	bool by_rows = false;
	double cost = -1;
	for (int64_t rb = 1; rb <= th; rb++) {
		p->rb = rb;
		for (int r = 0; r < (parts > 1 ? 2 : 1); r++) {
			if (r ? ceil_div(p->M, p->isa->mr) < parts : parts > 1 && p->images * ceil_div(th, rb) < parts)
				continue; /* rows or blocks too few to share */
			double m = makespan(p, rb, parts, r);
			if (cost < 0 || m < cost * 0.98) { /* near-ties: the smaller blocks (measured) */
				cost = m;
				best = rb;
				by_rows = r;
			}
		}
	}
	p->rb = best;
	p->N = best * tw;
	layout(p);
	if (p->K * v_stride(p) + XI > INT32_MAX) /* V's row offsets (ko) are ints */
		return false;
	p->parts = 1;
	double flops = 2.0 * (double)p->M * (double)p->K * 9 * (double)(g->oh * g->ow) * (double)p->images;
	if (parts > 1 && flops >= 1e6) {
		int64_t units = p->images * ceil_div(th, best);
		if (!by_rows && units < parts)
			by_rows = true;
		if (!by_rows || ceil_div(p->M, p->isa->mr) >= parts) {
			p->parts = parts;
			p->split = by_rows ? C_SPLIT_ROWS : C_SPLIT_IMAGES;
			p->part_floats = ceil_div(p->scratch, 64) * 64 / (int64_t)sizeof(float);
			p->scratch = p->part_floats * parts * (int64_t)sizeof(float);
		}
	}
	return true;
}

void c_fast_winograd_gemm(const struct c_fast_plan *p, int64_t tile_rows, struct c_fast_plan *b)
{
	*b = (struct c_fast_plan){.kind = C_FAST_MATMUL, .isa = p->isa, .packed = -1, .packed2 = -1};
	b->M = p->M;
	b->K = p->K;
	b->N = tile_rows * tiles_w(p);
	b->a = C_SRC_PREPACKED;
	b->b = C_SRC_ROWS;
	b->images = 1;
	c_fast_blocks(b);
	b->parts = 1;
}

void c_fast_winograd_note(struct c_fast *f, const struct c_fast_plan *p)
{
	int64_t th = tiles_h(p), tail = th % p->rb ? th % p->rb : p->rb;
	struct c_fast_plan b;
	c_fast_winograd_gemm(p, p->rb, &b); /* blocks of rb tile rows, and the last one */
	c_sgemm_note(f, &b);
	c_fast_winograd_gemm(p, tail, &b);
	c_sgemm_note(f, &b);
	f->stride2 = f->winograd = true; /* the E and O planes' fill, the transforms */
}

/* U_xi = G g G' of each (m, c), packed per xi as the sgemm's A: [16][M x C
 * in panels]. G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1]. */
float *c_fast_winograd_pack(const struct c_fast_plan *p, const float *w, int64_t *numel)
{
	static const double G[4][3] = {{1, 0, 0}, {.5, .5, .5}, {.5, -.5, .5}, {0, 0, 1}};
	int64_t M = p->M, C = p->K;
	float *u = dlc_xcalloc((size_t)(XI * M * C), sizeof(float));
	float *dst = dlc_xcalloc((size_t)(XI * M * C), sizeof(float));
	for (int64_t m = 0; m < M; m++)
		for (int64_t c = 0; c < C; c++) {
			const float *g = w + (m * C + c) * 9;
			double t[4][3]; /* G g */
			for (int i = 0; i < 4; i++)
				for (int j = 0; j < 3; j++)
					t[i][j] = G[i][0] * g[j] + G[i][1] * g[3 + j] + G[i][2] * g[6 + j];
			for (int i = 0; i < 4; i++)
				for (int j = 0; j < 4; j++)
					u[((int64_t)(i * 4 + j) * M + m) * C + c] =
						(float)(t[i][0] * G[j][0] + t[i][1] * G[j][1] + t[i][2] * G[j][2]);
		}
	for (int xi = 0; xi < XI; xi++)
		c_sgemm_pack_a(p->isa, u + xi * M * C, C, 1, M, C, dst + xi * M * C);
	free(u);
	*numel = XI * M * C;
	return dst;
}

/* 1. The padded input rows of the block (tile rows ty0..), 2 nt + 2 of
 * them, into the E and O planes: row q is padded row 2 ty0 + q, input row
 * 2 ty0 + q - ph; padded column j is input column j - pw. Rows outside
 * the input are zeroed; columns outside it stay zero from the memset. */
static void emit_fill(struct cgen *c, const struct c_fast_plan *p)
{
	const struct c_conv_geom *g = &p->g;
	int64_t wq = p->wp, C = p->K;
	emit_open(&c->e, "for (long c = 0; c < %lld; c++) {", (long long)C);
	emit_line(&c->e, "const float *xc = x + (n * %lld + c) * %lld;", (long long)C, (long long)(g->h * g->w));
	emit_line(&c->e, "float *restrict pe = xe + c * %lld, *restrict po = pe + %lld;", (long long)(2 * p->hp * wq),
		  (long long)(p->hp * wq));
	emit_open(&c->e, "for (long q = 0; q < 2 * nt + 2; q++) {");
	emit_line(&c->e, "const long ih = 2 * ty0 + q - %lld;", (long long)g->ph);
	emit_open(&c->e, "if (ih < 0 || ih >= %lld) {", (long long)g->h);
	emit_line(&c->e, "memset(pe + q * %lld, 0, %lld);", (long long)wq, (long long)(wq * 4));
	emit_line(&c->e, "memset(po + q * %lld, 0, %lld);", (long long)wq, (long long)(wq * 4));
	emit_line(&c->e, "continue;");
	emit_close(&c->e, NULL);
	/* plane E (parity 0) and O (1): element k is padded column 2 k + par,
	 * input column 2 k + par - pw, inside [0, w) from k0 on */
	for (int par = 0; par < 2; par++) {
		int64_t k0 = g->pw > par ? ceil_div(g->pw - par, 2) : 0, col0 = 2 * k0 + par - g->pw;
		int64_t cnt = col0 < g->w ? ceil_div(g->w - col0, 2) : 0;
		cnt = cnt < wq - k0 ? cnt : wq - k0;
		if (cnt > 0)
			emit_line(&c->e, "dlc_stride2(%s + q * %lld + %lld, xc + ih * %lld + %lld, %lld);", par ? "po" : "pe",
				  (long long)wq, (long long)k0, (long long)g->w, (long long)col0, (long long)cnt);
	}
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
}

/* 2. V_xi[c][t] = (B' d B)[i][j] (xi = 4 i + j) for the block's tiles,
 * rows np apart, xi's C x np apart (dlc_wino_in, a tile row at a time). */
static void emit_input_transform(struct cgen *c, const struct c_fast_plan *p)
{
	int64_t wq = p->wp, C = p->K, np = v_stride(p), tw = tiles_w(p);
	emit_open(&c->e, "for (long c = 0; c < %lld; c++) {", (long long)C);
	emit_line(&c->e, "const float *pe = xe + c * %lld;", (long long)(2 * p->hp * wq));
	emit_line(&c->e, "for (long ty = 0; ty < nt; ty++)");
	emit_line(&c->e, "\tdlc_wino_in(pe + 2 * ty * %lld, pe + %lld + 2 * ty * %lld, %lld, v + c * %lld + ty * %lld, %lld, %lld);",
		  (long long)wq, (long long)(p->hp * wq), (long long)wq, (long long)wq, (long long)np, (long long)tw,
		  (long long)v_xs(p), (long long)tiles_wv(p));
	emit_close(&c->e, NULL);
}

/* 3. The 16 products of the block: Y_xi (M x nt tw) = U_xi V_xi, rows
 * [m0, m1) when split by rows. */
static void emit_products(struct cgen *c, const struct c_fast_plan *p, int64_t nt, bool by_rows)
{
	struct c_fast_plan b;
	c_fast_winograd_gemm(p, nt, &b);
	char a[96], bb[96], y[96];
	snprintf(a, sizeof a, "w + xi * %lld", (long long)(p->M * p->K));
	snprintf(bb, sizeof bb, "v + xi * %lld", (long long)v_xs(p));
	snprintf(y, sizeof y, "yw + xi * %lld", (long long)y_xs(p, nt));
	struct c_sgemm_site site = {.a = a, .b = bb, .y = y, .scratch = "xe"};
	if (by_rows) {
		site.rows[0] = "m0";
		site.rows[1] = "m1";
	}
	emit_open(&c->e, "for (long xi = 0; xi < %d; xi++) {", XI);
	c_sgemm_emit(c, &b, &site);
	emit_close(&c->e, NULL);
}

/* 4. Output channel m's tiles (dlc_wino_out: + bias, two output rows),
 * copied into y with the chain (the whole vectors, then the rest). */
static void emit_output_transform(struct cgen *c, const struct dlc_node *n, const struct c_fast_plan *p, bool by_rows)
{
	const struct c_conv_geom *g = &p->g;
	int64_t tw = tiles_w(p), twv = tiles_wv(p), MY = n->outputs[0]->type.dims[1];
	bool bias = n->ninputs > 2 && n->inputs[2].value;
	static const char *const idx[2] = {"n", "m"};
	if (by_rows)
		emit_open(&c->e, "for (long m = m0; m < m1; m++) {");
	else
		emit_open(&c->e, "for (long m = 0; m < %lld; m++) {", (long long)p->M);
	emit_line(&c->e, "const float bm = %s;", bias ? "b[m]" : "0.0f");
	emit_open(&c->e, "for (long ty = 0; ty < nt; ty++) {");
	emit_line(&c->e, "dlc_wino_out(yw + m * nt * %lld + ty * %lld, ys, bm, rw, rw + %lld, %lld);", (long long)tw,
		  (long long)tw, (long long)(2 * twv), (long long)twv);
	if (c->ep && c_fast_ep_per_channel(c)) { /* on both rows in the buffer, junk too: whole vectors */
		emit_open(&c->e, "for (long q = 0; q < %lld; q++) {", (long long)(4 * twv));
		emit_line(&c->e, "rw[q] = %s;", c_epilogue(c, c->ep, "rw[q]", idx, 2, "q"));
		emit_close(&c->e, NULL);
	}
	emit_line(&c->e, "const long oh = 2 * (ty0 + ty);");
	emit_line(&c->e, "float *restrict yr = y + ((n * %lld + m) * %lld + oh) * %lld;", (long long)MY,
		  (long long)g->oh, (long long)g->ow);
	for (int i = 0; i < 2; i++) {
		if (i && g->oh % 2)
			emit_open(&c->e, "if (oh + 1 < %lld) {", (long long)g->oh);
		else
			emit_open(&c->e, "{");
		/* copied, then the chain in place: from the row buffer (scratch, as
		 * is V) gcc wants run-time alias checks and stays scalar */
		emit_line(&c->e, "memcpy(yr + %lld, rw + %lld, %lld);", (long long)(i * g->ow), (long long)(i * 2 * twv),
			  (long long)(g->ow * 4));
		/* loops of whole 16-float vectors, then 8, then the rest: gcc -O2
		 * vectorizes a loop only at a width that divides its count */
		int64_t cut[4] = {0, g->ow / 16 * 16, g->ow / 8 * 8, g->ow};
		char flat[64], at[48];
		snprintf(flat, sizeof flat, "(oh + %d) * %lld + ow", i, (long long)g->ow);
		snprintf(at, sizeof at, "yr[%lld + ow]", (long long)(i * g->ow));
		for (int part = 0; part < 3 && c->ep && !c_fast_ep_per_channel(c); part++) {
			int64_t lo = cut[part], hi = cut[part + 1];
			if (lo >= hi)
				continue;
			emit_open(&c->e, "for (long ow = %lld; ow < %lld; ow++) {", (long long)lo, (long long)hi);
			const char *r = c_epilogue(c, c->ep, at, idx, 2, flat);
			emit_line(&c->e, "%s = %s;", at, r);
			emit_close(&c->e, NULL);
		}
		emit_close(&c->e, NULL);
	}
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
}

/* One block: tile rows [ty0, ty0 + nt) of image n (variables); only the
 * products have literal sizes, so they are emitted for both block sizes
 * (a copy of the whole block for each left gcc's vectorizer out of some
 * of the loops of one copy). */
static void emit_block(struct cgen *c, const struct dlc_node *n, const struct c_fast_plan *p, int64_t tail, bool by_rows)
{
	emit_fill(c, p);
	emit_input_transform(c, p);
	if (tail < p->rb) {
		emit_open(&c->e, "if (nt == %lld) {", (long long)p->rb);
		emit_products(c, p, p->rb, by_rows);
		emit_close(&c->e, NULL);
		emit_open(&c->e, "else {");
		emit_products(c, p, tail, by_rows);
		emit_close(&c->e, NULL);
	} else {
		emit_products(c, p, p->rb, by_rows);
	}
	emit_output_transform(c, n, p, by_rows);
}

int c_emit_winograd(struct cgen *c, const struct dlc_node *n, const struct c_fast_plan *p)
{
	int64_t C = p->K, th = tiles_h(p), tw = tiles_w(p), np = v_stride(p);
	int64_t nb = ceil_div(th, p->rb), tail = th - (nb - 1) * p->rb;
	bool by_rows = p->parts > 1 && p->split == C_SPLIT_ROWS, by_units = p->parts > 1 && !by_rows;
	/* the rows of V (B of the products) */
	struct dlc_strbuf t = {0};
	for (int64_t k = 0; k < C; k++)
		dlc_sb_printf(&t, "%s%lld", k ? (k % 16 ? ", " : ",\n\t\t") : "", (long long)(k * np));
	emit_line(&c->e, "static const int ko[%lld] = {", (long long)C);
	emit_line(&c->e, "\t%s};", t.s);
	dlc_sb_free(&t);
	if (p->parts > 1)
		emit_line(&c->e, "float *restrict xe = s + (long)part * %lld;", (long long)p->part_floats);
	else
		emit_line(&c->e, "float *restrict xe = s;");
	emit_line(&c->e, "float *restrict v = xe + %lld, *restrict yw = xe + %lld, *restrict rw = xe + %lld;",
		  (long long)p->wino_v, (long long)p->wino_y, (long long)p->wino_r);
	/* once a call: the planes' borders, V's columns past the block's tiles
	 * and their junk, Y's slack */
	emit_line(&c->e, "memset(xe, 0, %lld);", (long long)(C * 2 * p->hp * p->wp * 4));
	int64_t lo = (tail < p->rb ? tail : p->rb) * tw + tiles_wv(p) - tw;
	if (lo < np)
		emit_line(&c->e, "for (long xi = 0; xi < %d; xi++) for (long r = 0; r < %lld; r++) memset(v + xi * %lld + r * %lld + %lld, 0, %lld);",
			  XI, (long long)C, (long long)v_xs(p), (long long)np, (long long)lo, (long long)((np - lo) * 4));
	for (int k = 0; k < (tail < p->rb ? 2 : 1); k++) { /* Y's gaps (full blocks, the last one) */
		int64_t nt = k ? tail : p->rb;
		emit_line(&c->e, "for (long xi = 0; xi < %d; xi++) memset(yw + xi * %lld + %lld, 0, %lld);", XI,
			  (long long)y_xs(p, nt), (long long)(p->M * nt * tw), (long long)(y_gap(p) * 4));
	}
	if (by_rows)
		c_emit_part_range(c, "m0", "m1", p->M, p->isa->mr);
	if (by_units)
		c_emit_part_range(c, "u0", "u1", p->images * nb, 1);
	else
		emit_line(&c->e, "const long u0 = 0, u1 = %lld;", (long long)(p->images * nb));
	emit_open(&c->e, "for (long u = u0; u < u1; u++) {");
	if (nb > 1)
		emit_line(&c->e, "const long n = u / %lld, ty0 = u %% %lld * %lld;", (long long)nb, (long long)nb,
			  (long long)p->rb);
	else
		emit_line(&c->e, "const long n = u, ty0 = 0;");
	if (tail < p->rb)
		emit_line(&c->e, "const long nt = ty0 + %lld <= %lld ? %lld : %lld;", (long long)p->rb, (long long)th,
			  (long long)p->rb, (long long)tail);
	else
		emit_line(&c->e, "const long nt = %lld;", (long long)p->rb);
	emit_line(&c->e, "const long ys = nt * %lld + %lld; /* Y's matrices */", (long long)(p->M * tw), (long long)y_gap(p));
	emit_block(c, n, p, tail, by_rows);
	emit_close(&c->e, NULL);
	return 0;
}

/* The transforms of one tile row, as functions: their restrict parameters
 * tell gcc that planes, V and Y do not overlap (restrict locals carved
 * from one scratch do not: it wants run-time alias checks, and -O2 then
 * leaves the loops scalar); inlined. n: a multiple of 16 tiles. */
void c_emit_winograd_prelude(struct cgen *c)
{
	const char *simd = c->fast->isa->attr ? "DLC_SIMD " : "";
	emit_line(&c->e, "/* F(2x2, 3x3) input transform of a tile row: V_xi[tx] = (B' d B)[i][j] (xi = 4 i + j,");
	emit_line(&c->e, " * at vt + xi * vs) for tx < n, d the 4x4 patch at column 2 tx of the rows of the");
	emit_line(&c->e, " * even (pe) and odd (po) column planes, wq apart. B' = [1 0 -1 0; 0 1 1 0;");
	emit_line(&c->e, " * 0 -1 1 0; 0 1 0 -1]: rows first, then columns. */");
	emit_line(&c->e, "%sstatic inline void dlc_wino_in(const float *restrict pe, const float *restrict po, long wq,", simd);
	emit_line(&c->e, "\t\t\t\t float *restrict vt, long vs, long n)");
	emit_open(&c->e, "{");
	emit_line(&c->e, "const float *e0 = pe, *e1 = pe + wq, *e2 = pe + 2 * wq, *e3 = pe + 3 * wq;");
	emit_line(&c->e, "const float *o0 = po, *o1 = po + wq, *o2 = po + 2 * wq, *o3 = po + 3 * wq;");
	emit_open(&c->e, "for (long t0 = 0; t0 < n; t0 += 16) {");
	emit_open(&c->e, "for (long l = 0; l < 16; l++) {");
	emit_line(&c->e, "const long tx = t0 + l;");
	emit_line(&c->e, "/* columns 0..3 of the patch: e[tx], o[tx], e[tx + 1], o[tx + 1] */");
	static const char *const col[4][2] = {{"e", "tx"}, {"o", "tx"}, {"e", "tx + 1"}, {"o", "tx + 1"}};
	for (int j = 0; j < 4; j++)
		emit_line(&c->e, "const float s0%d = %s0[%s] - %s2[%s], s1%d = %s1[%s] + %s2[%s], s2%d = %s2[%s] - %s1[%s], s3%d = %s1[%s] - %s3[%s];",
			  j, col[j][0], col[j][1], col[j][0], col[j][1], j, col[j][0], col[j][1], col[j][0], col[j][1], j,
			  col[j][0], col[j][1], col[j][0], col[j][1], j, col[j][0], col[j][1], col[j][0], col[j][1]);
	for (int i = 0; i < 4; i++)
		emit_line(&c->e, "vt[%d * vs + tx] = s%d0 - s%d2; vt[%d * vs + tx] = s%d1 + s%d2; vt[%d * vs + tx] = s%d2 - s%d1; vt[%d * vs + tx] = s%d1 - s%d3;",
			  4 * i, i, i, 4 * i + 1, i, i, 4 * i + 2, i, i, 4 * i + 3, i, i);
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	emit_blank(&c->e);
	emit_line(&c->e, "/* F(2x2, 3x3) output transform of a tile row: Y_xi[tx] at yt + xi * ys; its 2x2");
	emit_line(&c->e, " * outputs A' Y A + bm at columns 2 tx, 2 tx + 1 of rows r0, r1, for tx < n.");
	emit_line(&c->e, " * A' = [1 1 1 0; 0 1 -1 -1]: rows first, then columns. */");
	emit_line(&c->e, "%sstatic inline void dlc_wino_out(const float *restrict yt, long ys, float bm, float *restrict r0,", simd);
	emit_line(&c->e, "\t\t\t\t float *restrict r1, long n)");
	emit_open(&c->e, "{");
	for (int xi = 0; xi < XI; xi += 4)
		emit_line(&c->e, "const float *y%d = yt + %d * ys, *y%d = yt + %d * ys, *y%d = yt + %d * ys, *y%d = yt + %d * ys;", xi,
			  xi, xi + 1, xi + 1, xi + 2, xi + 2, xi + 3, xi + 3);
	emit_open(&c->e, "for (long t0 = 0; t0 < n; t0 += 16) {");
	emit_open(&c->e, "for (long l = 0; l < 16; l++) {");
	emit_line(&c->e, "const long tx = t0 + l;");
	for (int j = 0; j < 4; j++)
		emit_line(&c->e, "const float t0%d = y%d[tx] + y%d[tx] + y%d[tx], t1%d = y%d[tx] - y%d[tx] - y%d[tx];", j, j,
			  4 + j, 8 + j, j, 4 + j, 8 + j, 12 + j);
	emit_line(&c->e, "r0[2 * tx] = t00 + t01 + t02 + bm;");
	emit_line(&c->e, "r0[2 * tx + 1] = t01 - t02 - t03 + bm;");
	emit_line(&c->e, "r1[2 * tx] = t10 + t11 + t12 + bm;");
	emit_line(&c->e, "r1[2 * tx + 1] = t11 - t12 - t13 + bm;");
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	emit_blank(&c->e);
}
