/* The fast f32 MaxPool (2-D, no dilation, no indices output): the
 * reference kernel visits each window element through its index
 * arithmetic and bounds checks, one output at a time. A max pool is a
 * depthwise conv with max for + and no weights, so it runs on the
 * depthwise kernel's phase planes (codegen/c/depthwise.c), padded with
 * -inf instead of 0: each tap is then one contiguous, vectorized pass
 * acc[q] = max(acc[q], plane[q + offset]) over the whole output plane. The
 * comparison is the reference kernel's, so NaN inputs give the same
 * results.
 *
 * Outputs under 256 elements keep the reference kernel unless the pool is
 * split for threads (c_fast_plan; measured on the batch-64 CNN's 13x13 and
 * 5x5 outputs: filling the planes costs more than it saves, and the pool
 * is bound by reading its input anyway); ResNet-18's 3x3 pool into 56x56
 * runs 3.3x faster.
 *
 * Direct mode (AVX-512, column stride 1 or 2, every window inside the
 * input: no padding to stand for): no planes. Each output row is 16-lane
 * vectors, and each tap one masked load of the input row (stride 2: two,
 * their even elements gathered by vpermt2ps), max'ed into the vector in
 * the reference kernel's tap order, so the results are its bit for bit
 * (NaN and -0 included: MAXPS(x, v) is x > v ? x : v). The masks keep every
 * load inside the elements the windows use. The CNNs' 2x2 stride-2 pools
 * (26x26 -> 13x13, 11x11 -> 5x5) run 2-3x faster than the reference. */
#include "codegen/c/fast.h"

bool c_fast_pool_vectors(const struct c_isa *isa, const struct c_conv_geom *g)
{
	return isa->attr && isa->vl == 16 && g->sw <= 2;
}

/* Does every window lie inside the input (no padding to stand for)? */
static bool inside(const struct c_conv_geom *g)
{
	return !g->ph && !g->pw && (g->oh - 1) * g->sh + g->kh <= g->h && (g->ow - 1) * g->sw + g->kw <= g->w;
}

bool c_fast_plan_max_pool(const struct dlc_node *n, struct c_fast_plan *p)
{
	const struct dlc_value *x = n->inputs[0].value;
	if (!x || x->type.dtype != DLC_F32 || !dlc_type_is_static(&x->type) || x->type.rank != 4 ||
	    n->noutputs > 1 || !n->outputs[0])
		return false;
	struct dlc_window win;
	struct c_conv_geom *g = &p->g;
	if (!c_fast_window(n, x->type.dims[1], &win, g) || win.n != 2 || g->dh != 1 || g->dw != 1)
		return false;
	p->kind = C_FAST_MAX_POOL;
	p->images = x->type.dims[0];
	p->groups = g->c;
	p->M = 1;
	p->N = g->oh * g->ow;
	p->K = g->kh * g->kw;
	p->a = p->b = C_SRC_PREPACKED;
	p->direct = c_fast_pool_vectors(p->isa, g) && inside(g);
	if (!p->direct)
		c_fast_plane_scratch(p);
	return p->N > 0;
}

/* ---- a pool ending a depthwise conv's kernel ---- */

const struct dlc_node *c_fast_fused_pool(const struct dlc_node *n)
{
	for (const struct dlc_node *m = n->next; n->kernel >= 0 && m && m->kernel == n->kernel; m = m->next)
		if (m->op == DLC_OP_MAX_POOL)
			return m;
	return NULL;
}

/* Does every operand of member m other than the chain's value hold one
 * value per channel or fewer (a bias, Clip's bounds)? Then the chain runs
 * on the conv's padded rows before the pool reads them. */
static bool per_channel(const struct dlc_node *m, const struct dlc_value *prev)
{
	const struct dlc_type *out = &m->outputs[0]->type;
	for (int i = 0; i < m->ninputs; i++) {
		const struct dlc_value *v = m->inputs[i].value;
		if (!v || v == prev)
			continue;
		for (int d = 2; d < out->rank; d++) {
			int k = d - (out->rank - v->type.rank);
			if (k >= 0 && v->type.dims[k] != 1)
				return false;
		}
	}
	return true;
}

/* The pooled plane is the depthwise kernel's buffer of sums, the chain
 * applied: the conv's output never goes to memory (the CNNs' first conv
 * wrote 5.5 MB at batch 64 that the pool read back). */
bool c_fast_pool_joins(const struct dlc_node *pool, const struct dlc_node *anchor, const struct dlc_kernel_opts *k)
{
	struct c_fast_plan cp, pp;
	if (!k || k->naive || anchor->op != DLC_OP_CONV || pool->op != DLC_OP_MAX_POOL ||
	    !c_fast_plan(anchor, k, &cp) || cp.kind != C_FAST_DEPTHWISE)
		return false;
	pp = (struct c_fast_plan){.isa = cp.isa};
	if (!c_fast_plan_max_pool(pool, &pp))
		return false;
	if (!inside(&pp.g))
		return false;
	const struct dlc_value *prev = anchor->outputs[0];
	for (const struct dlc_node *m = anchor->next; anchor->kernel >= 0 && m && m != pool && m->kernel == anchor->kernel;
	     m = m->next) {
		if (!per_channel(m, prev))
			return false;
		prev = m->outputs[0];
	}
	return true;
}

/* The lanes [0, n) of a 16-lane mask, as a literal. */
static unsigned lanes(int64_t n)
{
	return n >= 16 ? 0xffffu : n <= 0 ? 0u : (1u << n) - 1;
}

/* The vector of outputs ow .. ow + n - 1 of row yr (ow < 0: the loop's
 * variable `ow`) from the rows at xr, ld floats apart, inside a block the
 * caller opened. */
static void emit_vector(struct cgen *c, const struct c_conv_geom *g, int64_t ld, int64_t ow, int64_t n)
{
	/* stride 2: the outputs read elements [0, 2n - 1) from each tap's start */
	unsigned m = lanes(n), lo = lanes(g->sw == 2 ? 2 * n - 1 : n), hi = lanes(2 * n - 1 - 16);
	emit_line(&c->e, "__m512 v = _mm512_set1_ps(-INFINITY);");
	for (int64_t i = 0; i < g->kh; i++)
		for (int64_t j = 0; j < g->kw; j++) {
			char at[96], at16[96]; /* the tap's first element, and 16 on */
			int64_t base = i * ld + j;
			if (ow >= 0) {
				snprintf(at, sizeof at, "xr + %lld", (long long)(base + g->sw * ow));
				snprintf(at16, sizeof at16, "xr + %lld", (long long)(base + g->sw * ow + 16));
			} else {
				snprintf(at, sizeof at, "xr + %lld + %sow", (long long)base, g->sw == 2 ? "2 * " : "");
				snprintf(at16, sizeof at16, "xr + %lld + 2 * ow", (long long)(base + 16));
			}
			if (g->sw == 1)
				emit_line(&c->e, "v = _mm512_max_ps(_mm512_maskz_loadu_ps(0x%x, %s), v);", lo, at);
			else if (!hi)
				emit_line(&c->e, "v = _mm512_max_ps(_mm512_permutexvar_ps(even, _mm512_maskz_loadu_ps(0x%x, %s)), v);",
					  lo, at);
			else
				emit_line(&c->e, "v = _mm512_max_ps(_mm512_permutex2var_ps(_mm512_maskz_loadu_ps(0x%x, %s), even, _mm512_maskz_loadu_ps(0x%x, %s)), v);",
					  lo, at, hi, at16);
		}
	if (ow >= 0)
		emit_line(&c->e, "_mm512_mask_storeu_ps(yr + %lld, 0x%x, v);", (long long)ow, m);
	else
		emit_line(&c->e, "_mm512_mask_storeu_ps(yr + ow, 0x%x, v);", m);
}

void c_emit_pool_even(struct cgen *c)
{
	emit_line(&c->e, "const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);");
}

void c_emit_pool_plane(struct cgen *c, const struct c_isa *isa, const struct c_conv_geom *g, const char *src,
		       int64_t ld, const char *dst)
{
	int64_t full = g->ow / 16 * 16;
	emit_open(&c->e, "for (long oh = 0; oh < %lld; oh++) {", (long long)g->oh);
	emit_line(&c->e, "const float *xr = %s + oh * %lld;", src, (long long)(g->sh * ld));
	emit_line(&c->e, "float *yr = %s + oh * %lld;", dst, (long long)g->ow);
	if (!c_fast_pool_vectors(isa, g)) { /* the reference kernel's comparisons, in its order */
		emit_open(&c->e, "for (long ow = 0; ow < %lld; ow++) {", (long long)g->ow);
		emit_line(&c->e, "float v = -INFINITY;");
		for (int64_t i = 0; i < g->kh; i++)
			for (int64_t j = 0; j < g->kw; j++)
				emit_line(&c->e, "v = xr[ow * %lld + %lld] > v ? xr[ow * %lld + %lld] : v;", (long long)g->sw,
					  (long long)(i * ld + j), (long long)g->sw, (long long)(i * ld + j));
		emit_line(&c->e, "yr[ow] = v;");
		emit_close(&c->e, NULL);
		emit_close(&c->e, NULL);
		return;
	}
	if (full) {
		emit_open(&c->e, "for (long ow = 0; ow < %lld; ow += 16) {", (long long)full);
		emit_vector(c, g, ld, -1, 16);
		emit_close(&c->e, NULL);
	}
	if (full < g->ow) { /* the last outputs of the row */
		emit_open(&c->e, "{");
		emit_vector(c, g, ld, full, g->ow - full);
		emit_close(&c->e, NULL);
	}
	emit_close(&c->e, NULL);
}

int c_emit_max_pool_direct(struct cgen *c, const struct dlc_node *n, const struct c_fast_plan *p)
{
	const struct c_conv_geom *g = &p->g;
	int64_t C = n->outputs[0]->type.dims[1], planes = p->images * C;
	if (g->sw == 2)
		c_emit_pool_even(c);
	if (p->parts > 1) { /* in parts: a range of the (image, channel) planes */
		c_emit_part_range(c, "t0", "t1", planes, 1);
		emit_open(&c->e, "for (long t = t0; t < t1; t++) {");
	} else {
		emit_open(&c->e, "for (long t = 0; t < %lld; t++) {", (long long)planes);
	}
	emit_line(&c->e, "const float *xc = x + t * %lld;", (long long)(g->h * g->w));
	emit_line(&c->e, "float *yc = y + t * %lld;", (long long)(g->oh * g->ow));
	c_emit_pool_plane(c, p->isa, g, "xc", g->w, "yc");
	emit_close(&c->e, NULL);
	return 0; /* no chain: a pool anchors none (c_fusable) */
}
