/* Depthwise convolution (group == channels, one filter each), as in
 * MobileNet: a product of K = kh * kw per output would leave the sgemm
 * idle, so it has a direct kernel.
 *
 * Stride 1: each channel's plane is copied into a zero-padded plane of
 * width wp = ow + (kw - 1) * dw in scratch (its borders stay zero from one
 * memset per call), and the sums are kept at that width too: then every
 * tap is one contiguous pass acc[q] += w * xp[q + tap offset] over the
 * whole plane (q = oh * wp + ow), which vectorizes however narrow the
 * rows (MobileNet's 7 and 14). The columns past ow are junk and dropped
 * when the sums are stored, with the bias and the fused chain.
 *
 * Other strides: each output row is built in place, in L1: the bias, then
 * for each valid kernel row one pass per tap over the output positions
 * that tap sees (a literal range, so the loop has no bounds checks), then
 * the fused chain, before the next row. */
#include "codegen/c/fast.h"

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

static void plane(struct cgen *c, const struct dlc_node *n, const struct c_fast_plan *p)
{
	const struct c_conv_geom *g = &p->g;
	int64_t C = n->outputs[0]->type.dims[1];
	bool bias = n->ninputs > 2 && n->inputs[2].value;
	int64_t hp = g->oh + g->dh * (g->kh - 1), wp = g->ow + g->dw * (g->kw - 1);
	int64_t rows = g->h < hp - g->ph ? g->h : hp - g->ph, cols = g->w < wp - g->pw ? g->w : wp - g->pw;
	/* the sums up to the last one that is not junk, rounded up to whole
	 * vectors: a loop of a multiple of 16 vectorizes at -O2 (no scalar
	 * tail); its reads stay in the 16 zeros after the padded plane */
	int64_t len = ((g->oh - 1) * wp + g->ow + 15) / 16 * 16, xn = (hp * wp + 16 + 15) / 16 * 16;
	bool flat = c_fast_ep_per_channel(c);
	/* disjoint parts of the scratch: restrict lets the passes vectorize */
	emit_line(&c->e, "float *restrict xp = s, *restrict acc = s + %lld;", (long long)xn);
	emit_line(&c->e, "memset(xp, 0, %lld);", (long long)(xn * 4));
	emit_open(&c->e, "for (long n = 0; n < %lld; n++) {", (long long)p->images);
	emit_open(&c->e, "for (long ch = 0; ch < %lld; ch++) {", (long long)C);
	emit_line(&c->e, "const float *xc = x + (n * %lld + ch) * %lld;", (long long)C, (long long)(g->h * g->w));
	emit_line(&c->e, "const float *wc = w + ch * %lld;", (long long)(g->kh * g->kw));
	emit_line(&c->e, "float *yc = y + (n * %lld + ch) * %lld;", (long long)C, (long long)(g->oh * g->ow));
	if (rows > 0 && cols > 0) {
		emit_line(&c->e, "for (long ih = 0; ih < %lld; ih++)", (long long)rows);
		emit_line(&c->e, "\tmemcpy(xp + (ih + %lld) * %lld + %lld, xc + ih * %lld, %lld);", (long long)g->ph,
			  (long long)wp, (long long)g->pw, (long long)g->w, (long long)(cols * 4));
	}
	emit_line(&c->e, "for (long q = 0; q < %lld; q++)", (long long)len);
	emit_line(&c->e, "\tacc[q] = %s;", bias ? "b[ch]" : "0");
	for (int64_t kh = 0; kh < g->kh; kh++)
		for (int64_t kw = 0; kw < g->kw; kw++) {
			emit_open(&c->e, "{");
			emit_line(&c->e, "const float wv = wc[%lld];", (long long)(kh * g->kw + kw));
			emit_line(&c->e, "const float *restrict xs = xp + %lld;", (long long)(kh * g->dh * wp + kw * g->dw));
			emit_line(&c->e, "for (long q = 0; q < %lld; q++)", (long long)len);
			emit_line(&c->e, "\tacc[q] += wv * xs[q];");
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
	emit_line(&c->e, "\tmemcpy(yc + oh * %lld, acc + oh * %lld, %lld);", (long long)g->ow, (long long)wp,
		  (long long)(g->ow * 4));
	if (c->ep && !flat) {
		emit_open(&c->e, "for (long q = 0; q < %lld; q++) {", (long long)(g->oh * g->ow));
		emit_line(&c->e, "yc[q] = %s;", c_epilogue(c, c->ep, "yc[q]", idx, 2, "q"));
		emit_close(&c->e, NULL);
	}
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
}

int c_emit_depthwise(struct cgen *c, const struct dlc_node *n, const struct c_fast_plan *p)
{
	const struct c_conv_geom *g = &p->g;
	int64_t C = n->outputs[0]->type.dims[1];
	bool bias = n->ninputs > 2 && n->inputs[2].value;
	if (p->scratch > 0) {
		plane(c, n, p);
		return 0;
	}
	emit_open(&c->e, "for (long n = 0; n < %lld; n++) {", (long long)p->images);
	emit_open(&c->e, "for (long ch = 0; ch < %lld; ch++) {", (long long)C);
	emit_line(&c->e, "const float *xc = x + (n * %lld + ch) * %lld;", (long long)C, (long long)(g->h * g->w));
	emit_line(&c->e, "const float *wc = w + ch * %lld;", (long long)(g->kh * g->kw));
	emit_line(&c->e, "float *yc = y + (n * %lld + ch) * %lld;", (long long)C, (long long)(g->oh * g->ow));
	emit_open(&c->e, "for (long oh = 0; oh < %lld; oh++) {", (long long)g->oh);
	emit_line(&c->e, "float *yr = yc + oh * %lld;", (long long)g->ow);
	emit_line(&c->e, "for (long ow = 0; ow < %lld; ow++)", (long long)g->ow);
	emit_line(&c->e, "\tyr[ow] = %s;", bias ? "b[ch]" : "0");
	emit_open(&c->e, "for (long kh = 0; kh < %lld; kh++) {", (long long)g->kh);
	emit_line(&c->e, "const long ih = oh * %lld + kh * %lld - %lld;", (long long)g->sh, (long long)g->dh,
		  (long long)g->ph);
	emit_line(&c->e, "if (ih < 0 || ih >= %lld)", (long long)g->h);
	emit_line(&c->e, "\tcontinue;");
	emit_line(&c->e, "const float *xr = xc + ih * %lld;", (long long)g->w);
	for (int64_t kw = 0; kw < g->kw; kw++) {
		/* ow sees iw = ow * sw + off inside [0, w) for ow in [lo, hi) */
		int64_t off = kw * g->dw - g->pw;
		int64_t lo = off >= 0 ? 0 : (-off + g->sw - 1) / g->sw;
		int64_t hi = g->w - off <= 0 ? 0 : (g->w - off - 1) / g->sw + 1;
		hi = hi < g->ow ? hi : g->ow;
		if (lo >= hi)
			continue;
		emit_open(&c->e, "{");
		emit_line(&c->e, "const float wv = wc[kh * %lld + %lld];", (long long)g->kw, (long long)kw);
		emit_line(&c->e, "for (long ow = %lld; ow < %lld; ow++)", (long long)lo, (long long)hi);
		if (g->sw == 1)
			emit_line(&c->e, "\tyr[ow] += wv * xr[ow %s %lld];", off < 0 ? "-" : "+",
				  (long long)(off < 0 ? -off : off));
		else
			emit_line(&c->e, "\tyr[ow] += wv * xr[ow * %lld %s %lld];", (long long)g->sw, off < 0 ? "-" : "+",
				  (long long)(off < 0 ? -off : off));
		emit_close(&c->e, NULL);
	}
	emit_close(&c->e, NULL);
	if (c->ep) { /* the fused chain over the finished row, while in L1 */
		static const char *const idx[] = {"n", "ch"};
		char flat[64];
		snprintf(flat, sizeof flat, "(oh * %lld + ow)", (long long)g->ow);
		emit_open(&c->e, "for (long ow = 0; ow < %lld; ow++) {", (long long)g->ow);
		emit_line(&c->e, "yr[ow] = %s;", c_epilogue(c, c->ep, "yr[ow]", idx, 2, flat));
		emit_close(&c->e, NULL);
	}
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	return 0;
}
