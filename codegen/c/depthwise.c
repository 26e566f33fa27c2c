/* Depthwise convolution (group == channels, one filter each), as in
 * MobileNet: a product of K = kh * kw per output would leave the sgemm
 * idle, so it has a direct kernel. Each output row is built in place, in
 * L1: the bias, then for each valid kernel row one pass per tap over the
 * output positions that tap sees (a literal range, computed here, so the
 * loop has no bounds checks and vectorizes; with stride 1 it reads the
 * input contiguously), then the fused chain, before the next row. */
#include "codegen/c/fast.h"

int c_emit_depthwise(struct cgen *c, const struct dlc_node *n, const struct c_fast_plan *p)
{
	const struct c_conv_geom *g = &p->g;
	int64_t C = n->outputs[0]->type.dims[1];
	bool bias = n->ninputs > 2 && n->inputs[2].value;
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
		snprintf(flat, sizeof flat, "oh * %lld + ow", (long long)g->ow);
		emit_open(&c->e, "for (long ow = 0; ow < %lld; ow++) {", (long long)g->ow);
		emit_line(&c->e, "yr[ow] = %s;", c_epilogue(c, c->ep, "yr[ow]", idx, 2, flat));
		emit_close(&c->e, NULL);
	}
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	return 0;
}
