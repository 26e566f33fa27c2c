/* Depthwise convolution (group == channels, one filter each), as in
 * MobileNet: a product of K = kh * kw per output would leave the sgemm
 * idle, so it has a direct kernel.
 *
 * Each channel's input is copied into zero-padded planes in scratch (their
 * borders stay zero from one memset per call). With stride 1 there is one
 * plane, the padded input; with strides sh x sw there are sh * sw phase
 * planes (rows r * sh + rp, columns c * sw + cp of the padded input), so
 * that tap (i, j) reads phase ((i dh) % sh, (j dw) % sw) from row
 * oh + i dh / sh, column ow + j dw / sw: contiguous again. Each output is
 * then computed once, all its taps summed in a register (one load and one
 * FMA per tap, one store per output; summing tap by tap into a buffer
 * cost a load and a store more per tap: MobileNetV2's 112x112 depthwise
 * conv 0.45 -> 0.22 ms, its 56x56 one 0.49 -> 0.23):
 *
 *   - rows a whole number of 8-float vectors wide (112, 56, 16, 8) are
 *     computed in place, the fused chain applied as they are stored;
 *   - other widths (28, 14, 7) would leave the loops scalar at -O2 (gcc
 *     vectorizes only trip counts that are a multiple of the vector), so
 *     the sums run over the planes' width wq (q = oh * wq + ow, rounded up
 *     to 16 in all) into a buffer, whose junk columns past ow are dropped
 *     when the rows are copied out. At most TAPS_PER_PASS taps a pass. */
#include "codegen/c/fast.h"

enum { TAPS_PER_PASS = 25 }; /* taps summed per pass over the outputs */

bool c_fast_dw_rows(const struct c_fast_plan *p)
{
	return p->g.ow % 8 == 0 && p->g.kh * p->g.kw <= TAPS_PER_PASS;
}

/* Floats of the sums (flat mode): up to the last one that is not junk,
 * rounded up to whole vectors; its reads stay in the 16 zeros after the
 * planes. */
static int64_t sums_len(const struct c_fast_plan *p)
{
	return ((p->g.oh - 1) * p->wp + p->g.ow + 15) / 16 * 16;
}

void c_fast_plane_scratch(struct c_fast_plan *p)
{
	const struct c_conv_geom *g = &p->g;
	p->hp = g->oh + (g->kh - 1) * g->dh / g->sh;
	p->wp = g->ow + (g->kw - 1) * g->dw / g->sw;
	bool dw = p->kind == C_FAST_DEPTHWISE || p->kind == C_FAST_MAX_POOL;
	int64_t sums = dw && c_fast_dw_rows(p) && !p->pooled ? 0 : sums_len(p);
	p->scratch = ((g->sh * g->sw * p->hp * p->wp + 16 + 15) / 16 + sums / 16) * 64;
}

bool c_fast_ep_per_channel(const struct cgen *c)
{
	const struct dlc_type *out = c->ep ? c->ep->out : NULL;
	for (int j = 0; c->ep && j < c->ep->next; j++) {
		const struct dlc_type *t = &c->ep->ext[j]->type;
		for (int d = 2; d < out->rank; d++) {
			int k = d - (out->rank - t->rank);
			if (k >= 0 && t->dims[k] != 1)
				return false;
		}
	}
	return true;
}

static void fill_phase(struct cgen *c, const struct c_fast_plan *p, const char *dst, int64_t rp, int64_t cp,
		       const char *r0, const char *r1)
{
	const struct c_conv_geom *g = &p->g;
	int64_t hq = p->hp, wq = p->wp;
	/* phase columns c whose input column c * sw + cp - pw is inside [0, w) */
	int64_t lo = g->pw > cp ? (g->pw - cp + g->sw - 1) / g->sw : 0;
	int64_t hi = (g->w - 1 + g->pw - cp) / g->sw + 1;
	hi = hi < wq ? hi : wq;
	if (g->w - 1 + g->pw - cp < 0 || lo >= hi)
		return;
	if (r0)
		emit_open(&c->e, "for (long r = %s; r < %s; r++) {", r0, r1);
	else
		emit_open(&c->e, "for (long r = 0; r < %lld; r++) {", (long long)hq);
	emit_line(&c->e, "const long ih = r * %lld %s %lld;", (long long)g->sh, rp < g->ph ? "-" : "+",
		  (long long)(rp < g->ph ? g->ph - rp : rp - g->ph));
	emit_line(&c->e, "if (ih < 0 || ih >= %lld)", (long long)g->h);
	emit_line(&c->e, "\tcontinue; /* padding: zeros */");
	if (rp * g->sw + cp)
		emit_line(&c->e, "float *restrict d = %s + %lld + r * %lld;", dst,
			  (long long)((rp * g->sw + cp) * hq * wq), (long long)wq);
	else
		emit_line(&c->e, "float *restrict d = %s + r * %lld;", dst, (long long)wq);
	if (g->sw == 1) {
		emit_line(&c->e, "memcpy(d + %lld, xc + ih * %lld + %lld, %lld);", (long long)lo, (long long)g->w,
			  (long long)(lo + cp - g->pw), (long long)((hi - lo) * 4));
	} else if (g->sw == 2) { /* every other column, in vectors (dlc_stride2) */
		emit_line(&c->e, "dlc_stride2(d + %lld, xc + ih * %lld + %lld, %lld);", (long long)lo, (long long)g->w,
			  (long long)(lo * 2 + cp - g->pw), (long long)(hi - lo));
	} else {
		emit_line(&c->e, "for (long c = %lld; c < %lld; c++)", (long long)lo, (long long)hi);
		emit_line(&c->e, "\td[c] = xc[ih * %lld + c * %lld %s %lld];", (long long)g->w, (long long)g->sw,
			  cp < g->pw ? "-" : "+", (long long)(cp < g->pw ? g->pw - cp : cp - g->pw));
	}
	emit_close(&c->e, NULL);
}

/* The phase planes' rows [r0, r1) (C expressions; NULL: all of them). */
void c_fast_emit_fill_phases(struct cgen *c, const struct c_fast_plan *p, const char *dst, const char *r0,
			     const char *r1)
{
	for (int64_t rp = 0; rp < p->g.sh; rp++)
		for (int64_t cp = 0; cp < p->g.sw; cp++)
			fill_phase(c, p, dst, rp, cp, r0, r1);
}

/* One pass over `count` outputs: v = init, then taps [t0, t1) summed (or
 * maxed) into it from src[q + offset], stored as dst[q] = store(v). The
 * taps' offsets are from the start of the planes; src is a row of them. */
struct pass {
	const char *init, *src, *dst, *q, *flat; /* flat: the output's index, for the chain */
	int64_t count, t0, t1;
	bool chain; /* apply c->ep on the way out */
};

static void emit_pass_range(struct cgen *c, const struct c_fast_plan *p, const struct pass *ps, int64_t lo, int64_t hi)
{
	const struct c_conv_geom *g = &p->g;
	bool max = p->kind == C_FAST_MAX_POOL;
	emit_open(&c->e, "for (long %s = %lld; %s < %lld; %s++) {", ps->q, (long long)lo, ps->q, (long long)hi, ps->q);
	emit_line(&c->e, "float v = %s;", ps->init);
	for (int64_t t = ps->t0; t < ps->t1; t++) {
		int64_t kh = t / g->kw, kw = t % g->kw;
		int64_t ph = kh * g->dh % g->sh, pc = kw * g->dw % g->sw;
		int64_t off = (ph * g->sw + pc) * p->hp * p->wp + kh * g->dh / g->sh * p->wp + kw * g->dw / g->sw;
		char at[64];
		if (off)
			snprintf(at, sizeof at, "%s[%s + %lld]", ps->src, ps->q, (long long)off);
		else
			snprintf(at, sizeof at, "%s[%s]", ps->src, ps->q);
		if (max)
			emit_line(&c->e, "v = %s > v ? %s : v;", at, at);
		else if (p->isa->attr) /* ISO C compiles `v += w * x` as a multiply and an add */
			emit_line(&c->e, "v = fmaf(w%lld, %s, v);", (long long)t, at);
		else
			emit_line(&c->e, "v += w%lld * %s;", (long long)t, at);
	}
	static const char *const idx[] = {"n", "ch"};
	const char *r = ps->chain && c->ep ? c_epilogue(c, c->ep, "v", idx, 2, ps->flat) : "v";
	emit_line(&c->e, "%s[%s] = %s;", ps->dst, ps->q, r);
	emit_close(&c->e, NULL);
}

/* Counts a multiple of 8 but not of 16 (rows of 56, 24): the whole 16-float
 * vectors in a loop of their own, then the rest, as gcc -O2 vectorizes a
 * loop only at a width that divides its count (rows of 56 ran at 8 floats:
 * MobileNetV2's 56x56 depthwise conv 0.169 -> 0.142 ms). */
static void emit_pass(struct cgen *c, const struct c_fast_plan *p, const struct pass *ps)
{
	int64_t whole = ps->count / 16 * 16;
	if (p->isa->vl == 16 && whole && whole < ps->count) {
		emit_pass_range(c, p, ps, 0, whole);
		emit_pass_range(c, p, ps, whole, ps->count);
	} else {
		emit_pass_range(c, p, ps, 0, ps->count);
	}
}

int c_emit_depthwise(struct cgen *c, const struct dlc_node *n, const struct c_fast_plan *p)
{
	const struct c_conv_geom *g = &p->g;
	/* C output channels from Cin planes: channel ch reads plane ch / mult */
	int64_t C = n->outputs[0]->type.dims[1], Cin = n->inputs[0].value->type.dims[1], mult = C / Cin;
	int64_t taps = g->kh * g->kw;
	bool bias = n->ninputs > 2 && n->inputs[2].value, max = p->kind == C_FAST_MAX_POOL;
	int64_t hq = p->hp, wq = p->wp, phases = g->sh * g->sw;
	int64_t len = sums_len(p), xn = (phases * hq * wq + 16 + 15) / 16 * 16;
	bool rows = c_fast_dw_rows(p) && !p->pooled, flat = c_fast_ep_per_channel(c);
	if (p->pooled && !flat) /* c_fast_pool_joins lets in no such chain */
		return c_error(c, n, "a pooled depthwise kernel needs a chain read per channel");
	if (p->pooled && p->pg.sw == 2 && c_fast_pool_vectors(p->isa, &p->pg))
		c_emit_pool_even(c);
	/* disjoint parts of the scratch: restrict lets the passes vectorize */
	if (p->parts > 1) /* in parts: each its own planes, and a range of the channels */
		emit_line(&c->e, "float *restrict ps = s + (long)part * %lld;", (long long)p->part_floats);
	const char *base = p->parts > 1 ? "ps" : "s";
	if (rows)
		emit_line(&c->e, "float *restrict xp = %s;", base);
	else
		emit_line(&c->e, "float *restrict xp = %s, *restrict acc = %s + %lld;", base, base, (long long)xn);
	if (max) { /* padding never wins a max */
		emit_line(&c->e, "for (long q = 0; q < %lld; q++)", (long long)xn);
		emit_line(&c->e, "\txp[q] = -INFINITY;");
	} else {
		emit_line(&c->e, "memset(xp, 0, %lld);", (long long)(xn * 4));
	}
	bool by_rows = p->parts > 1 && p->split == C_SPLIT_OUT_ROWS; /* rows mode only */
	if (by_rows) { /* output rows [oh0, oh1) of every channel: plane rows [oh0, rz) */
		c_emit_part_range(c, "oh0", "oh1", g->oh, 1);
		emit_line(&c->e, "const long rz = oh1 + %lld;", (long long)(hq - g->oh));
	}
	if (p->parts > 1 && !by_rows) {
		c_emit_part_range(c, "t0", "t1", p->images * C, 1);
		emit_open(&c->e, "for (long t = t0; t < t1; t++) {");
		emit_open(&c->e, "{");
		emit_line(&c->e, "const long n = t / %lld, ch = t %% %lld;", (long long)C, (long long)C);
	} else {
		emit_open(&c->e, "for (long n = 0; n < %lld; n++) {", (long long)p->images);
		emit_open(&c->e, "for (long ch = 0; ch < %lld; ch++) {", (long long)C);
	}
	char src[32] = "ch"; /* the input plane channel ch reads */
	if (mult > 1)
		snprintf(src, sizeof src, "ch / %lld", (long long)mult);
	emit_line(&c->e, "const float *xc = x + (n * %lld + %s) * %lld;", (long long)Cin, src, (long long)(g->h * g->w));
	if (!max) {
		emit_line(&c->e, "const float *wc = w + ch * %lld;", (long long)taps);
		for (int64_t t = 0; t < taps; t++)
			emit_line(&c->e, "const float w%lld = wc[%lld];", (long long)t, (long long)t);
	}
	/* y: the conv's output, or with a pool ending the kernel, the pool's */
	int64_t plane = p->pooled ? p->pg.oh * p->pg.ow : g->oh * g->ow;
	emit_line(&c->e, "float *yc = y + (n * %lld + ch) * %lld;", (long long)C, (long long)plane);
	if (mult > 1) /* the plane is the last channel's, unless a new one starts */
		emit_open(&c->e, p->parts > 1 && !by_rows ? "if (t == t0 || ch %% %lld == 0) {" : "if (ch %% %lld == 0) {",
			  (long long)mult);
	c_fast_emit_fill_phases(c, p, "xp", by_rows ? "oh0" : NULL, by_rows ? "rz" : NULL);
	if (mult > 1)
		emit_close(&c->e, NULL);
	const char *init = max ? "-INFINITY" : bias ? "b[ch]" : "0.0f";
	if (rows) { /* every row in place, with the chain */
		char flat_q[64];
		snprintf(flat_q, sizeof flat_q, "oh * %lld + ow", (long long)g->ow);
		if (by_rows)
			emit_open(&c->e, "for (long oh = oh0; oh < oh1; oh++) {");
		else
			emit_open(&c->e, "for (long oh = 0; oh < %lld; oh++) {", (long long)g->oh);
		emit_line(&c->e, "const float *restrict xr = xp + oh * %lld;", (long long)wq);
		emit_line(&c->e, "float *restrict yr = yc + oh * %lld;", (long long)g->ow);
		emit_pass(c, p, &(struct pass){init, "xr", "yr", "ow", flat_q, g->ow, 0, taps, true});
		emit_close(&c->e, NULL);
		emit_close(&c->e, NULL);
		emit_close(&c->e, NULL);
		return 0;
	}
	/* the sums at the planes' width, TAPS_PER_PASS taps a pass (the
	 * chain on the last pass if it reads per channel: the junk too) */
	for (int64_t t0 = 0; t0 < taps; t0 += TAPS_PER_PASS) {
		int64_t t1 = t0 + TAPS_PER_PASS < taps ? t0 + TAPS_PER_PASS : taps;
		emit_pass(c, p, &(struct pass){t0 ? "acc[q]" : init, "xp", "acc", "q", "q", len, t0, t1,
					       t1 == taps && flat});
	}
	if (p->pooled) { /* the pool over the sums, rows wq apart */
		c_emit_pool_plane(c, p->isa, &p->pg, "acc", wq, "yc");
		emit_close(&c->e, NULL);
		emit_close(&c->e, NULL);
		return 0;
	}
	/* the rows without their junk (then the chain, if it reads per position) */
	emit_line(&c->e, "for (long oh = 0; oh < %lld; oh++)", (long long)g->oh);
	emit_line(&c->e, "\tmemcpy(yc + oh * %lld, acc + oh * %lld, %lld);", (long long)g->ow, (long long)wq,
		  (long long)(g->ow * 4));
	if (c->ep && !flat) {
		static const char *const idx[] = {"n", "ch"};
		emit_open(&c->e, "for (long q = 0; q < %lld; q++) {", (long long)(g->oh * g->ow));
		emit_line(&c->e, "yc[q] = %s;", c_epilogue(c, c->ep, "yc[q]", idx, 2, "q"));
		emit_close(&c->e, NULL);
	}
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	return 0;
}
