/* Depthwise convolution (group == channels, one filter each), as in
 * MobileNet: a product of K = kh * kw per output would leave the sgemm
 * idle, so it has a direct kernel.
 *
 * Each channel's input is copied into zero-padded planes in scratch (their
 * borders stay zero from one memset per call), and the sums are kept at
 * those planes' width wq: then every tap is one contiguous pass
 * acc[q] += w * plane[q + tap offset] over the whole output plane
 * (q = oh * wq + ow), which vectorizes however narrow the rows (MobileNet's
 * 7 and 14). With stride 1 there is one plane, the padded input; with
 * strides sh x sw there are sh * sw phase planes (rows r * sh + rp, columns
 * c * sw + cp of the padded input), so that tap (i, j) reads phase
 * ((i dh) % sh, (j dw) % sw) from row oh + i dh / sh, column ow + j dw / sw:
 * contiguous again. The columns past ow are junk, dropped when the sums are
 * stored, with the bias and the fused chain. */
#include "codegen/c/fast.h"

void c_fast_plane_scratch(struct c_fast_plan *p)
{
	const struct c_conv_geom *g = &p->g;
	p->hp = g->oh + (g->kh - 1) * g->dh / g->sh;
	p->wp = g->ow + (g->kw - 1) * g->dw / g->sw;
	p->scratch = ((g->sh * g->sw * p->hp * p->wp + 16 + 15) / 16 + ((g->oh - 1) * p->wp + g->ow + 15) / 16) * 64;
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

static void fill_phase(struct cgen *c, const struct c_fast_plan *p, const char *dst, int64_t rp, int64_t cp)
{
	const struct c_conv_geom *g = &p->g;
	int64_t hq = p->hp, wq = p->wp;
	/* phase columns c whose input column c * sw + cp - pw is inside [0, w) */
	int64_t lo = g->pw > cp ? (g->pw - cp + g->sw - 1) / g->sw : 0;
	int64_t hi = (g->w - 1 + g->pw - cp) / g->sw + 1;
	hi = hi < wq ? hi : wq;
	if (g->w - 1 + g->pw - cp < 0 || lo >= hi)
		return;
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

void c_fast_emit_fill_phases(struct cgen *c, const struct c_fast_plan *p, const char *dst)
{
	for (int64_t rp = 0; rp < p->g.sh; rp++)
		for (int64_t cp = 0; cp < p->g.sw; cp++)
			fill_phase(c, p, dst, rp, cp);
}

enum { QB = 512 }; /* floats of the sums per block: 2 KB */

/* The sums acc[q0, q0 + count) (q0 NULL: from 0): the bias, then every tap. */
static void emit_taps(struct cgen *c, const struct c_fast_plan *p, bool bias, const char *q0, int64_t count)
{
	const struct c_conv_geom *g = &p->g;
	int64_t hq = p->hp, wq = p->wp;
	char at[48] = "";
	if (q0)
		snprintf(at, sizeof at, " + %s", q0);
	bool max = p->kind == C_FAST_MAX_POOL;
	emit_line(&c->e, "float *restrict ab = acc%s;", at);
	emit_line(&c->e, "for (long q = 0; q < %lld; q++)", (long long)count);
	emit_line(&c->e, "\tab[q] = %s;", max ? "-INFINITY" : bias ? "b[ch]" : "0");
	for (int64_t kh = 0; kh < g->kh; kh++)
		for (int64_t kw = 0; kw < g->kw; kw++) {
			int64_t ph = kh * g->dh % g->sh, pc = kw * g->dw % g->sw;
			int64_t off = (ph * g->sw + pc) * hq * wq + kh * g->dh / g->sh * wq + kw * g->dw / g->sw;
			emit_open(&c->e, "{");
			if (!max)
				emit_line(&c->e, "const float wv = wc[%lld];", (long long)(kh * g->kw + kw));
			if (off)
				emit_line(&c->e, "const float *restrict xs = xp + %lld%s;", (long long)off, at);
			else
				emit_line(&c->e, "const float *restrict xs = xp%s;", at);
			emit_line(&c->e, "for (long q = 0; q < %lld; q++)", (long long)count);
			if (max)
				emit_line(&c->e, "\tab[q] = xs[q] > ab[q] ? xs[q] : ab[q];");
			else
				emit_line(&c->e, "\tab[q] += wv * xs[q];");
			emit_close(&c->e, NULL);
		}
}

int c_emit_depthwise(struct cgen *c, const struct dlc_node *n, const struct c_fast_plan *p)
{
	const struct c_conv_geom *g = &p->g;
	int64_t C = n->outputs[0]->type.dims[1];
	bool bias = n->ninputs > 2 && n->inputs[2].value;
	int64_t hq = p->hp, wq = p->wp, phases = g->sh * g->sw;
	/* the sums up to the last one that is not junk, rounded up to whole
	 * vectors: a loop of a multiple of 16 vectorizes at -O2 (no scalar
	 * tail); its reads stay in the 16 zeros after the planes */
	int64_t len = ((g->oh - 1) * wq + g->ow + 15) / 16 * 16, xn = (phases * hq * wq + 16 + 15) / 16 * 16;
	bool flat = c_fast_ep_per_channel(c);
	/* disjoint parts of the scratch: restrict lets the passes vectorize */
	if (p->parts > 1) /* in parts: each its own planes, and a range of the channels */
		emit_line(&c->e, "float *restrict ps = s + (long)part * %lld;", (long long)p->part_floats);
	emit_line(&c->e, "float *restrict xp = %s, *restrict acc = %s + %lld;", p->parts > 1 ? "ps" : "s",
		  p->parts > 1 ? "ps" : "s", (long long)xn);
	if (p->kind == C_FAST_MAX_POOL) { /* padding never wins a max */
		emit_line(&c->e, "for (long q = 0; q < %lld; q++)", (long long)xn);
		emit_line(&c->e, "\txp[q] = -INFINITY;");
	} else {
		emit_line(&c->e, "memset(xp, 0, %lld);", (long long)(xn * 4));
	}
	if (p->parts > 1) {
		c_emit_part_range(c, "t0", "t1", p->images * C, 1);
		emit_open(&c->e, "for (long t = t0; t < t1; t++) {");
		emit_open(&c->e, "{");
		emit_line(&c->e, "const long n = t / %lld, ch = t %% %lld;", (long long)C, (long long)C);
	} else {
		emit_open(&c->e, "for (long n = 0; n < %lld; n++) {", (long long)p->images);
		emit_open(&c->e, "for (long ch = 0; ch < %lld; ch++) {", (long long)C);
	}
	emit_line(&c->e, "const float *xc = x + (n * %lld + ch) * %lld;", (long long)C, (long long)(g->h * g->w));
	if (p->kind != C_FAST_MAX_POOL)
		emit_line(&c->e, "const float *wc = w + ch * %lld;", (long long)(g->kh * g->kw));
	emit_line(&c->e, "float *yc = y + (n * %lld + ch) * %lld;", (long long)C, (long long)(g->oh * g->ow));
	c_fast_emit_fill_phases(c, p, "xp");
	/* the sums in blocks of QB that stay in L1 through all the taps (one
	 * pass per tap over a whole 112x112 plane streamed it from L2 kh*kw
	 * times); whole blocks, then the rest, each a constant count */
	int64_t full = len / QB * QB;
	if (full) {
		emit_open(&c->e, "for (long q0 = 0; q0 < %lld; q0 += %d) {", (long long)full, QB);
		emit_taps(c, p, bias, "q0", QB);
		emit_close(&c->e, NULL);
	}
	if (len > full) {
		char q0[32];
		snprintf(q0, sizeof q0, "%lld", (long long)full);
		emit_open(&c->e, "{");
		emit_taps(c, p, bias, full ? q0 : NULL, len - full);
		emit_close(&c->e, NULL);
	}
	static const char *const idx[] = {"n", "ch"};
	if (c->ep && flat) { /* the chain reads per channel: apply it to the junk too */
		emit_open(&c->e, "for (long q = 0; q < %lld; q++) {", (long long)len);
		emit_line(&c->e, "acc[q] = %s;", c_epilogue(c, c->ep, "acc[q]", idx, 2, "q"));
		emit_close(&c->e, NULL);
	}
	/* the rows without their junk (then the chain, if it reads per position) */
	emit_line(&c->e, "for (long oh = 0; oh < %lld; oh++)", (long long)g->oh);
	emit_line(&c->e, "\tmemcpy(yc + oh * %lld, acc + oh * %lld, %lld);", (long long)g->ow, (long long)wq,
		  (long long)(g->ow * 4));
	if (c->ep && !flat) {
		emit_open(&c->e, "for (long q = 0; q < %lld; q++) {", (long long)(g->oh * g->ow));
		emit_line(&c->e, "yc[q] = %s;", c_epilogue(c, c->ep, "yc[q]", idx, 2, "q"));
		emit_close(&c->e, NULL);
	}
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	return 0;
}
