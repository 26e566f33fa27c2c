/* The body of the fast Conv kernel (not depthwise: codegen/c/depthwise.c):
 * an implicit GEMM on NCHW per image and group, the weights pre-packed as
 * A. B is the input as it is (1x1, stride 1, no padding), the im2col
 * matrix gathered block by block from zero-padded planes (dlc_pack_gather),
 * or, for few output channels, the padded (phase) planes read in place by
 * the indirect micro-kernels. See docs/kernels.md for the choice. */
#include <string.h>

#include "codegen/c/fast.h"

static void finish_conv(struct cgen *c, const void *arg, const char *row, const char *col, const char *at)
{
	const struct finish_ctx *x = arg;
	const struct dlc_node *n = x->n;
	char m[96];
	if (x->p->groups > 1)
		snprintf(m, sizeof m, "g * %lld + %s", (long long)x->p->M, row);
	else
		snprintf(m, sizeof m, "%s", row);
	if (n->ninputs > 2 && n->inputs[2].value)
		emit_line(&c->e, "%s += b[%s];", at, m);
	if (c->ep) {
		const char *idx[2] = {"n", m};
		emit_line(&c->e, "%s = %s;", at, c_epilogue(c, c->ep, at, idx, 2, col));
	}
}

static const char *fmt_bias(const struct c_fast_plan *p)
{
	static char b[64];
	if (p->groups > 1)
		snprintf(b, sizeof b, " + b[g * %lld + m]", (long long)p->M);
	else
		snprintf(b, sizeof b, " + b[m]");
	return b;
}

/* Output rows [r0, r0 + rows) of image n, group g: the product of their
 * columns of the planes into yp (M x bp.N, small enough to stay in L2),
 * then the rows without their junk columns, with the bias and the chain. */
static void emit_plane_block(struct cgen *c, const struct dlc_node *n, const struct c_fast_plan *p, const char *r0,
			     int64_t rows, bool by_rows)
{
	const struct dlc_type *y = &n->outputs[0]->type;
	const struct c_conv_geom *g = &p->g;
	int64_t MY = y->dims[1], wp = p->wp;
	bool bias = n->ninputs > 2 && n->inputs[2].value;
	struct c_fast_plan bp;
	c_fast_plane_block(p, rows, &bp);
	char a[96], b[64];
	snprintf(a, sizeof a, "w + g * %lld", (long long)(p->M * p->K));
	bool first = !strcmp(r0, "0");
	if (first)
		snprintf(b, sizeof b, "xp");
	else
		snprintf(b, sizeof b, "xp + %s * %lld", r0, (long long)wp);
	struct c_sgemm_site site = {.a = a, .b = b, .y = "yp"};
	if (by_rows) {
		site.rows[0] = "m0";
		site.rows[1] = "m1";
	}
	c_sgemm_emit(c, &bp, &site);
	if (by_rows)
		emit_open(&c->e, "for (long m = m0; m < m1; m++) {");
	else
		emit_open(&c->e, "for (long m = 0; m < %lld; m++) {", (long long)p->M);
	if (first)
		emit_line(&c->e, "float *yc = y + (n * %lld + g * %lld + m) * %lld;", (long long)MY, (long long)p->M,
			  (long long)(g->oh * g->ow));
	else
		emit_line(&c->e, "float *yc = y + (n * %lld + g * %lld + m) * %lld + %s * %lld;", (long long)MY,
			  (long long)p->M, (long long)(g->oh * g->ow), r0, (long long)g->ow);
	const char *idx[2] = {"n", "m"};
	char mg[64];
	if (p->groups > 1) {
		snprintf(mg, sizeof mg, "g * %lld + m", (long long)p->M);
		idx[1] = mg;
	}
	if (c_fast_ep_per_channel(c)) { /* bias and chain over the padded rows, then the rows */
		if (bias || c->ep) {
			emit_line(&c->e, "float *restrict pr = yp + m * %lld;", (long long)bp.N);
			emit_open(&c->e, "for (long q = 0; q < %lld; q++) {", (long long)bp.N);
			emit_line(&c->e, "float r = pr[q]%s;", bias ? fmt_bias(p) : "");
			if (c->ep)
				emit_line(&c->e, "r = %s;", c_epilogue(c, c->ep, "r", idx, 2, "q"));
			emit_line(&c->e, "pr[q] = r;");
			emit_close(&c->e, NULL);
		}
		emit_line(&c->e, "for (long oh = 0; oh < %lld; oh++)", (long long)rows);
		emit_line(&c->e, "\tmemcpy(yc + oh * %lld, yp + m * %lld + oh * %lld, %lld);", (long long)g->ow,
			  (long long)bp.N, (long long)wp, (long long)(g->ow * 4));
		emit_close(&c->e, NULL);
		return;
	}
	emit_open(&c->e, "for (long oh = 0; oh < %lld; oh++) {", (long long)rows);
	emit_line(&c->e, "const float *pr = yp + m * %lld + oh * %lld;", (long long)bp.N, (long long)wp);
	emit_open(&c->e, "for (long ow = 0; ow < %lld; ow++) {", (long long)g->ow);
	emit_line(&c->e, "float r = pr[ow]%s;", bias ? fmt_bias(p) : "");
	if (c->ep) {
		char flat[96];
		snprintf(flat, sizeof flat, "((%s + oh) * %lld + ow)", r0, (long long)g->ow);
		emit_line(&c->e, "r = %s;", c_epilogue(c, c->ep, "r", idx, 2, flat));
	}
	emit_line(&c->e, "yc[oh * %lld + ow] = r;", (long long)g->ow);
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
}

/* Strides 1 and 2: per image and group, the input planes are copied into
 * zero-padded phase planes in scratch (codegen/c/depthwise.c's: one per
 * channel at stride 1, sh x sw of them otherwise; their borders stay zero
 * from one memset per call), and the product runs at the planes' width wp
 * into scratch: each row (c, i, j) of the im2col matrix is then a
 * contiguous run of a phase plane from offset ko[k], which the micro-kernel
 * reads in place (dlc_ukri_*): B is never packed. The product runs in
 * blocks of p->rb output rows (emit_plane_block). Costs (wp - ow) / ow more products; saves
 * the im2col packing, which writes K x N floats per image for M x K x N
 * products (much of the time when M, the output channels, is small). */
static void emit_conv_plane(struct cgen *c, const struct dlc_node *n, const struct c_fast_plan *p)
{
	const struct dlc_type *x = &n->inputs[0].value->type;
	const struct c_conv_geom *g = &p->g;
	int64_t C = x->dims[1], hp = p->hp, wp = p->wp, phases = g->sh * g->sw;
	/* where row (c, i, j) of the im2col matrix starts in the planes: tap
	 * (i, j) of output (oh, ow) reads phase ((i dh) % sh, (j dw) % sw) at
	 * (oh + i dh / sh, ow + j dw / sw) */
	struct dlc_strbuf ko = {0};
	for (int64_t k = 0; k < p->K; k++) {
		int64_t ci = k / (g->kh * g->kw), ki = k % (g->kh * g->kw) / g->kw, kj = k % g->kw;
		int64_t phase = ki * g->dh % g->sh * g->sw + kj * g->dw % g->sw;
		dlc_sb_printf(&ko, "%s%lld", k ? (k % 16 ? ", " : ",\n\t\t") : "",
			      (long long)((ci * phases + phase) * hp * wp + ki * g->dh / g->sh * wp + kj * g->dw / g->sw));
	}
	emit_line(&c->e, "static const int ko[%lld] = {", (long long)p->K);
	emit_line(&c->e, "\t%s};", ko.s);
	dlc_sb_free(&ko);
	/* in parts: each its own planes and product, and its images, blocks of
	 * output rows (filling only the plane rows they read), or output
	 * channels */
	bool by_images = p->parts > 1 && p->split == C_SPLIT_IMAGES;
	bool by_blocks = p->parts > 1 && p->split == C_SPLIT_OUT_ROWS;
	bool by_rows = p->parts > 1 && !by_images && !by_blocks;
	int64_t nb = (g->oh + p->rb - 1) / p->rb, tail = g->oh - (nb - 1) * p->rb;
	const char *sp = p->parts > 1 ? "ps" : "s";
	if (p->parts > 1)
		emit_line(&c->e, "float *restrict ps = s + (long)part * %lld;", (long long)p->part_floats);
	if (by_images)
		c_emit_part_range(c, "n0", "n1", p->images, 1);
	if (by_rows)
		c_emit_part_range(c, "m0", "m1", p->M, p->isa->mr);
	if (by_blocks) { /* its blocks' output rows read plane rows [ra, rz) */
		c_emit_part_range(c, "blk0", "blk1", nb, 1);
		emit_line(&c->e, "const long ra = blk0 * %lld, rz = (blk1 * %lld < %lld ? blk1 * %lld : %lld) + %lld;",
			  (long long)p->rb, (long long)p->rb, (long long)g->oh, (long long)p->rb, (long long)g->oh,
			  (long long)(hp - g->oh));
	}
	emit_line(&c->e, "float *restrict xp = %s + %lld, *restrict yp = %s + %lld;", sp, (long long)p->plane_x,
		  sp, (long long)p->plane_y);
	emit_line(&c->e, "memset(xp, 0, %lld);", (long long)((p->plane_y - p->plane_x) * 4));
	if (by_images)
		emit_open(&c->e, "for (long n = n0; n < n1; n++) {");
	else
		emit_open(&c->e, "for (long n = 0; n < %lld; n++) {", (long long)p->images);
	emit_open(&c->e, "for (long g = 0; g < %lld; g++) {", (long long)p->groups);
	emit_open(&c->e, "for (long c = 0; c < %lld; c++) {", (long long)g->c);
	emit_line(&c->e, "const float *xc = x + (n * %lld + g * %lld + c) * %lld;", (long long)C, (long long)g->c,
		  (long long)(g->h * g->w));
	emit_line(&c->e, "float *restrict xq = xp + c * %lld;", (long long)(phases * hp * wp));
	c_fast_emit_fill_phases(c, p, "xq", by_blocks ? "ra" : NULL, by_blocks ? "rz" : NULL);
	emit_close(&c->e, NULL);
	int64_t full = g->oh / p->rb * p->rb;
	if (by_blocks) { /* the part's blocks, the last one maybe shorter */
		emit_open(&c->e, "for (long blk = blk0; blk < blk1; blk++) {"); /* b: the bias */
		emit_line(&c->e, "const long r0 = blk * %lld;", (long long)p->rb);
		if (tail < p->rb)
			emit_open(&c->e, "if (blk < %lld) {", (long long)(nb - 1));
		emit_plane_block(c, n, p, "r0", p->rb, false);
		if (tail < p->rb) {
			emit_close(&c->e, NULL);
			emit_open(&c->e, "else {");
			emit_plane_block(c, n, p, "r0", tail, false);
			emit_close(&c->e, NULL);
		}
		emit_close(&c->e, NULL);
	} else if (full == p->rb) { /* one whole block */
		emit_open(&c->e, "{");
		emit_plane_block(c, n, p, "0", p->rb, by_rows);
		emit_close(&c->e, NULL);
	} else if (full) {
		emit_open(&c->e, "for (long r0 = 0; r0 < %lld; r0 += %lld) {", (long long)full, (long long)p->rb);
		emit_plane_block(c, n, p, "r0", p->rb, by_rows);
		emit_close(&c->e, NULL);
	}
	if (!by_blocks && full < g->oh) {
		char r0[32];
		snprintf(r0, sizeof r0, "%lld", (long long)full);
		emit_open(&c->e, "{");
		emit_plane_block(c, n, p, r0, g->oh - full, by_rows);
		emit_close(&c->e, NULL);
	}
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
}

/* C_SRC_GATHER: where element (k, j) of the im2col matrix lies in the
 * padded planes, ko[k] + pos[j] (row k: channel ci, tap (ki, kj); column
 * j: output (oh, ow)); the planes, zeroed once a call (their borders stay
 * zero), in the part's scratch. */
static void emit_gather_tables(struct cgen *c, const struct c_fast_plan *p)
{
	const struct c_conv_geom *g = &p->g;
	struct dlc_strbuf t = {0};
	for (int64_t k = 0; k < p->K; k++) {
		int64_t ci = k / (g->kh * g->kw), ki = k % (g->kh * g->kw) / g->kw, kj = k % g->kw;
		dlc_sb_printf(&t, "%s%lld", k ? (k % 16 ? ", " : ",\n\t\t") : "",
			      (long long)((ci * p->hp + ki * g->dh) * p->wp + kj * g->dw));
	}
	emit_line(&c->e, "static const int ko[%lld] = {", (long long)p->K);
	emit_line(&c->e, "\t%s};", t.s);
	dlc_sb_free(&t);
	t = (struct dlc_strbuf){0};
	for (int64_t j = 0; j < p->N; j++)
		dlc_sb_printf(&t, "%s%lld", j ? (j % 16 ? ", " : ",\n\t\t") : "",
			      (long long)(j / g->ow * g->sh * p->wp + j % g->ow * g->sw));
	emit_line(&c->e, "static const int pos[%lld] = {", (long long)p->N);
	emit_line(&c->e, "\t%s};", t.s);
	dlc_sb_free(&t);
	if (p->parts > 1)
		emit_line(&c->e, "float *restrict xp = s + (long)part * %lld + %lld;", (long long)p->part_floats,
			  (long long)p->plane_x);
	else
		emit_line(&c->e, "float *restrict xp = s + %lld;", (long long)p->plane_x);
	emit_line(&c->e, "memset(xp, 0, %lld);", (long long)(g->c * p->hp * p->wp * 4));
}

/* The input rows of one image and group (at x0) into the planes' interior. */
static void emit_fill_gather(struct cgen *c, const struct c_fast_plan *p, const char *x0)
{
	const struct c_conv_geom *g = &p->g;
	int64_t r0 = g->ph, r1 = g->h + g->ph < p->hp ? g->h + g->ph : p->hp;
	int64_t len = g->w < p->wp - g->pw ? g->w : p->wp - g->pw;
	if (r0 >= r1 || len <= 0)
		return; /* every window in the padding */
	emit_open(&c->e, "for (long c = 0; c < %lld; c++) {", (long long)g->c);
	emit_line(&c->e, "for (long r = %lld; r < %lld; r++)", (long long)r0, (long long)r1);
	emit_line(&c->e, "\tmemcpy(xp + c * %lld + r * %lld + %lld, %s + c * %lld + (r - %lld) * %lld, %lld);",
		  (long long)(p->hp * p->wp), (long long)p->wp, (long long)g->pw, x0, (long long)(g->h * g->w),
		  (long long)g->ph, (long long)g->w, (long long)(len * 4));
	emit_close(&c->e, NULL);
}

void c_fast_emit_conv(struct cgen *c, const struct dlc_node *n, const struct c_fast_plan *p)
{
	const struct dlc_type *x = &n->inputs[0].value->type, *y = &n->outputs[0]->type;
	const struct c_conv_geom *g = &p->g;
	struct finish_ctx fx = {n, p, y->rank, y->dims};
	int64_t C = x->dims[1], IS = g->h * g->w, OS = p->N, MY = y->dims[1];
	if (p->b == C_SRC_PLANE) {
		emit_conv_plane(c, n, p);
		return;
	}
	if (p->b == C_SRC_ROWS) { /* row k of B (channel k) at ko[k]; in parts, each its own */
		if (p->parts > 1)
			emit_line(&c->e, "int *restrict ko = (int *)(s + (long)part * %lld);", (long long)p->part_floats);
		else
			emit_line(&c->e, "int *restrict ko = (int *)s;");
		emit_line(&c->e, "for (long k = 0; k < %lld; k++)", (long long)p->K);
		emit_line(&c->e, "\tko[k] = (int)(k * %lld);", (long long)IS);
	}
	if (p->b == C_SRC_GATHER)
		emit_gather_tables(c, p);
	emit_open(&c->e, "for (long n = 0; n < %lld; n++) {", (long long)p->images);
	char a[96], b[128], yy[128];
	if (p->groups > 1) {
		emit_open(&c->e, "for (long g = 0; g < %lld; g++) {", (long long)p->groups);
		snprintf(a, sizeof a, "w + g * %lld", (long long)(p->M * p->K));
		snprintf(b, sizeof b, "x + (n * %lld + g * %lld) * %lld", (long long)C, (long long)g->c, (long long)IS);
		snprintf(yy, sizeof yy, "y + (n * %lld + g * %lld) * %lld", (long long)MY, (long long)p->M,
			 (long long)OS);
	} else {
		snprintf(a, sizeof a, "w");
		snprintf(b, sizeof b, "x + n * %lld", (long long)(C * IS));
		snprintf(yy, sizeof yy, "y + n * %lld", (long long)(MY * OS));
	}
	if (p->b == C_SRC_GATHER) { /* B from the planes of this image and group */
		emit_fill_gather(c, p, b);
		snprintf(b, sizeof b, "xp");
	}
	bool bias = n->ninputs > 2 && n->inputs[2].value;
	struct c_sgemm_site s = {.a = a, .b = b, .y = yy, .finish = c->ep || bias ? finish_conv : NULL, .ctx = &fx};
	c_sgemm_emit(c, p, &s);
	if (p->groups > 1)
		emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
}
