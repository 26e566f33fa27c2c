/* C kernels of neural-network ops: convolution, pooling, gemm, matmul,
 * batch normalization, softmax. These are the straightforward reference
 * forms, written so that the compiler can vectorize the inner loop
 * (contiguous, branch-free); fast kernels live beside them later and are
 * tested against these. */
#include <string.h>

#include "codegen/c/c.h"
#include "codegen/c/loops.h"

static int64_t prod(const int64_t *d, int lo, int hi)
{
	int64_t p = 1;
	for (int i = lo; i < hi; i++)
		p *= d[i];
	return p;
}

/* Resolved window of a 1-D or 2-D conv/pool, as 2-D (a 1-D one has H = 1). */
struct win2 {
	int64_t h, w, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
};

static int window2(struct cgen *c, const struct dlc_node *n, struct win2 *v)
{
	struct dlc_window w;
	if (dlc_node_window(c->g, n, &w, c->d) < 0)
		return -1;
	if (w.n != 1 && w.n != 2)
		return c_error(c, n, "%d spatial dims are not supported by the C target yet (1 or 2 are)", w.n);
	int a = w.n == 2 ? 0 : -1; /* index of the H dim, -1 if absent */
	int b = w.n - 1;
	*v = (struct win2){
		.h = a < 0 ? 1 : w.in[a], .w = w.in[b], .oh = a < 0 ? 1 : w.out[a], .ow = w.out[b],
		.kh = a < 0 ? 1 : w.kernel[a], .kw = w.kernel[b],
		.sh = a < 0 ? 1 : w.stride[a], .sw = w.stride[b],
		.dh = a < 0 ? 1 : w.dilation[a], .dw = w.dilation[b],
		.pt = a < 0 ? 0 : w.pad_begin[a], .pl = w.pad_begin[b],
		.pb = a < 0 ? 0 : w.pad_end[a], .pr = w.pad_end[b],
	};
	return 0;
}

/* For each kernel tap k, the output positions whose input p = o*s - pad + k*d
 * falls inside [0, in): o in [lo[k], hi[k]). */
static void valid_range(int64_t in, int64_t out, int64_t s, int64_t pad, int64_t d, int64_t k,
			int64_t *lo, int64_t *hi)
{
	int64_t off = k * d - pad; /* p = o*s + off */
	int64_t l = off >= 0 ? 0 : (-off + s - 1) / s;
	int64_t h = in - off <= 0 ? 0 : (in - off - 1) / s + 1;
	*lo = l < out ? l : out;
	*hi = h < out ? h : out;
	if (*hi < *lo)
		*hi = *lo;
}

/* "static const int name_lo[K] = {...}, name_hi[K] = {...};" unless every
 * tap covers the full output, in which case the bounds are literals. */
static bool emit_ranges(struct cgen *c, const char *name, int64_t in, int64_t out, int64_t s,
			int64_t pad, int64_t d, int64_t taps)
{
	int64_t lo[64], hi[64];
	bool full = true;
	for (int64_t k = 0; k < taps; k++) {
		valid_range(in, out, s, pad, d, k, &lo[k < 64 ? k : 63], &hi[k < 64 ? k : 63]);
		full = full && lo[k < 64 ? k : 63] == 0 && hi[k < 64 ? k : 63] == out;
	}
	if (full)
		return false;
	struct dlc_strbuf b = {0}, e = {0};
	for (int64_t k = 0; k < taps; k++) {
		int64_t l, h;
		valid_range(in, out, s, pad, d, k, &l, &h);
		dlc_sb_printf(&b, "%s%lld", k ? ", " : "", (long long)l);
		dlc_sb_printf(&e, "%s%lld", k ? ", " : "", (long long)h);
	}
	emit_line(&c->e, "static const int %s_lo[%lld] = {%s};", name, (long long)taps, b.s);
	emit_line(&c->e, "static const int %s_hi[%lld] = {%s};", name, (long long)taps, e.s);
	dlc_sb_free(&b);
	dlc_sb_free(&e);
	return true;
}

/* y[n][m] = b[m] + sum over c, kh, kw of w[m][c][kh][kw] * x[n][g*CG+c][ih][iw];
 * the loop over output columns is innermost and contiguous. */
int c_emit_conv(struct cgen *c, const struct dlc_node *n)
{
	if (c_require_float(c, n) < 0)
		return -1;
	struct win2 v;
	if (window2(c, n, &v) < 0)
		return -1;
	const struct dlc_type *x = c_in(n, 0), *w = c_in(n, 1);
	int64_t N = x->dims[0], C = x->dims[1], M = w->dims[0], CG = w->dims[1];
	int64_t G = dlc_node_int(n, "group"), MG = M / G;
	const char *t = c_type(x->dtype);
	bool rh = emit_ranges(c, "oh", v.h, v.oh, v.sh, v.pt, v.dh, v.kh);
	bool rw = emit_ranges(c, "ow", v.w, v.ow, v.sw, v.pl, v.dw, v.kw);
	char e1[160], e2[160];
	emit_open(&c->e, "for (int n = 0; n < %lld; n++) {", (long long)N);
	emit_open(&c->e, "for (int m = 0; m < %lld; m++) {", (long long)M);
	emit_line(&c->e, "%s *yo = y + (%s) * %lld;", t, C_AFFINE(e1, 0, "n", (long long)M, "m", 1LL),
		  (long long)(v.oh * v.ow));
	emit_line(&c->e, "for (int i = 0; i < %lld; i++)", (long long)(v.oh * v.ow));
	emit_line(&c->e, "\tyo[i] = %s;", c_in(n, 2) ? "b[m]" : "0");
	emit_open(&c->e, "for (int c = 0; c < %lld; c++) {", (long long)CG);
	if (G > 1)
		emit_line(&c->e, "const %s *xc = x + (n * %lld + m / %lld * %lld + c) * %lld;", t,
			  (long long)C, (long long)MG, (long long)CG, (long long)(v.h * v.w));
	else
		emit_line(&c->e, "const %s *xc = x + (%s) * %lld;", t,
			  C_AFFINE(e1, 0, "n", (long long)C, "c", 1LL), (long long)(v.h * v.w));
	emit_line(&c->e, "const %s *wc = w + (%s) * %lld;", t, C_AFFINE(e1, 0, "m", (long long)CG, "c", 1LL),
		  (long long)(v.kh * v.kw));
	emit_open(&c->e, "for (int kh = 0; kh < %lld; kh++) {", (long long)v.kh);
	if (rh)
		emit_open(&c->e, "for (int oh = oh_lo[kh]; oh < oh_hi[kh]; oh++) {");
	else
		emit_open(&c->e, "for (int oh = 0; oh < %lld; oh++) {", (long long)v.oh);
	emit_line(&c->e, "const %s *xr = xc + (%s) * %lld;", t,
		  C_AFFINE(e1, -v.pt, "oh", (long long)v.sh, "kh", (long long)v.dh), (long long)v.w);
	emit_open(&c->e, "for (int kw = 0; kw < %lld; kw++) {", (long long)v.kw);
	emit_line(&c->e, "const %s wv = wc[%s];", t, C_AFFINE(e1, 0, "kh", (long long)v.kw, "kw", 1LL));
	if (rw)
		emit_line(&c->e, "for (int ow = ow_lo[kw]; ow < ow_hi[kw]; ow++)");
	else
		emit_line(&c->e, "for (int ow = 0; ow < %lld; ow++)", (long long)v.ow);
	emit_line(&c->e, "\tyo[%s] += wv * xr[%s];", C_AFFINE(e1, 0, "oh", (long long)v.ow, "ow", 1LL),
		  C_AFFINE(e2, -v.pl, "ow", (long long)v.sw, "kw", (long long)v.dw));
	for (int i = 0; i < 5; i++)
		emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	return 0;
}

/* Max or average over each window; positions in the padding are skipped
 * (and counted for the average only with count_include_pad). */
int c_emit_pool(struct cgen *c, const struct dlc_node *n)
{
	if (c_require_float(c, n) < 0)
		return -1;
	struct win2 v;
	if (window2(c, n, &v) < 0)
		return -1;
	const struct dlc_type *x = c_in(n, 0);
	bool is_max = n->op == DLC_OP_MAX_POOL;
	bool indices = is_max && c_out(n, 1);
	bool include_pad = !is_max && dlc_node_int(n, "count_include_pad");
	bool col_major = indices && dlc_node_int(n, "storage_order") == 1;
	const char *t = c_type(x->dtype);
	int64_t NC = x->dims[0] * x->dims[1];
	emit_open(&c->e, "for (int nc = 0; nc < %lld; nc++) {", (long long)NC);
	emit_line(&c->e, "const %s *xc = x + nc * %lld;", t, (long long)(v.h * v.w));
	emit_open(&c->e, "for (int oh = 0; oh < %lld; oh++) {", (long long)v.oh);
	emit_open(&c->e, "for (int ow = 0; ow < %lld; ow++) {", (long long)v.ow);
	char e1[160], e2[160];
	emit_line(&c->e, "const int h0 = %s, w0 = %s;", C_AFFINE(e1, -v.pt, "oh", (long long)v.sh),
		  C_AFFINE(e2, -v.pl, "ow", (long long)v.sw));
	emit_line(&c->e, "%s acc = %s;", t, is_max ? "-INFINITY" : "0");
	if (indices)
		emit_line(&c->e, "int64_t at = -1;");
	if (!is_max)
		emit_line(&c->e, "int count = 0;");
	emit_open(&c->e, "for (int kh = 0; kh < %lld; kh++) {", (long long)v.kh);
	emit_line(&c->e, "const int ih = %s;", C_AFFINE(e1, 0, "h0", 1LL, "kh", (long long)v.dh));
	if (include_pad) {
		emit_line(&c->e, "if (ih >= %lld)", (long long)(v.h + v.pb));
		emit_line(&c->e, "\tbreak;");
	}
	emit_open(&c->e, "for (int kw = 0; kw < %lld; kw++) {", (long long)v.kw);
	emit_line(&c->e, "const int iw = %s;", C_AFFINE(e1, 0, "w0", 1LL, "kw", (long long)v.dw));
	if (include_pad) {
		emit_line(&c->e, "if (iw >= %lld)", (long long)(v.w + v.pr));
		emit_line(&c->e, "\tbreak;");
		emit_line(&c->e, "count++;");
	}
	emit_line(&c->e, "if (ih < 0 || ih >= %lld || iw < 0 || iw >= %lld)", (long long)v.h, (long long)v.w);
	emit_line(&c->e, "\tcontinue;");
	if (is_max && !indices) {
		emit_line(&c->e, "const %s xv = xc[ih * %lld + iw];", t, (long long)v.w);
		emit_line(&c->e, "acc = xv > acc ? xv : acc;");
	} else if (is_max) {
		emit_line(&c->e, "const %s xv = xc[ih * %lld + iw];", t, (long long)v.w);
		emit_open(&c->e, "if (at < 0 || xv > acc) {");
		emit_line(&c->e, "acc = xv;");
		if (col_major)
			emit_line(&c->e, "at = (int64_t)nc * %lld + iw * %lld + ih;", (long long)(v.h * v.w),
				  (long long)v.h);
		else
			emit_line(&c->e, "at = (int64_t)nc * %lld + ih * %lld + iw;", (long long)(v.h * v.w),
				  (long long)v.w);
		emit_close(&c->e, NULL);
	} else {
		emit_line(&c->e, "acc += xc[ih * %lld + iw];", (long long)v.w);
		if (!include_pad)
			emit_line(&c->e, "count++;");
	}
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	int64_t o = v.oh * v.ow;
	if (is_max)
		emit_line(&c->e, "y[nc * %lld + oh * %lld + ow] = acc;", (long long)o, (long long)v.ow);
	else
		emit_line(&c->e, "y[nc * %lld + oh * %lld + ow] = count ? acc / count : 0;", (long long)o,
			  (long long)v.ow);
	if (indices)
		emit_line(&c->e, "indices[nc * %lld + oh * %lld + ow] = at;", (long long)o, (long long)v.ow);
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	return 0;
}

int c_emit_global_pool(struct cgen *c, const struct dlc_node *n)
{
	if (c_require_float(c, n) < 0)
		return -1;
	const struct dlc_type *x = c_in(n, 0);
	int64_t NC = x->dims[0] * x->dims[1], S = prod(x->dims, 2, x->rank);
	const char *t = c_type(x->dtype);
	emit_open(&c->e, "for (int nc = 0; nc < %lld; nc++) {", (long long)NC);
	emit_line(&c->e, "%s acc = 0;", t);
	emit_line(&c->e, "for (int i = 0; i < %lld; i++)", (long long)S);
	emit_line(&c->e, "\tacc += x[nc * %lld + i];", (long long)S);
	emit_line(&c->e, "y[nc] = acc / %lld;", (long long)S);
	emit_close(&c->e, NULL);
	return 0;
}

/* y = alpha * A' B' + beta * C. With B transposed (the PyTorch layout)
 * each result is a dot product of two contiguous rows. */
int c_emit_gemm(struct cgen *c, const struct dlc_node *n)
{
	if (c_require_float(c, n) < 0)
		return -1;
	const struct dlc_type *a = c_in(n, 0), *cc = c_in(n, 2), *y = c_out(n, 0);
	bool ta = dlc_node_int(n, "transA"), tb = dlc_node_int(n, "transB");
	int64_t M = y->dims[0], N = y->dims[1], K = a->dims[ta ? 0 : 1];
	float alpha = dlc_node_float(n, "alpha"), beta = dlc_node_float(n, "beta");
	const char *t = c_type(a->dtype);
	char ai[64], bi[64], ci[64] = "", al[64], be[64];
	snprintf(ai, sizeof ai, ta ? "k * %lld + i" : "i * %lld + k", (long long)(ta ? M : K));
	snprintf(bi, sizeof bi, tb ? "j * %lld + k" : "k * %lld + j", (long long)(tb ? K : N));
	c_float(al, sizeof al, alpha, a->dtype);
	c_float(be, sizeof be, beta, a->dtype);
	if (cc) { /* C broadcasts onto [M, N]: its index along i and j */
		int64_t si = cc->rank == 2 && cc->dims[0] != 1 ? cc->dims[1] : 0;
		bool sj = cc->rank >= 1 && cc->dims[cc->rank - 1] != 1;
		if (si)
			snprintf(ci, sizeof ci, "i * %lld%s", (long long)si, sj ? " + j" : "");
		else
			snprintf(ci, sizeof ci, "%s", sj ? "j" : "0");
	}
	struct dlc_strbuf res = {0};
	if (alpha == 1.0f)
		dlc_sb_puts(&res, "acc");
	else
		dlc_sb_printf(&res, "%s * acc", al);
	if (cc && beta != 0.0f) {
		if (beta == 1.0f)
			dlc_sb_printf(&res, " + c[%s]", ci);
		else
			dlc_sb_printf(&res, " + %s * c[%s]", be, ci);
	}
	if (cc && beta == 0.0f)
		emit_line(&c->e, "(void)c;");
	emit_open(&c->e, "for (int i = 0; i < %lld; i++) {", (long long)M);
	emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", (long long)N);
	emit_line(&c->e, "%s acc = 0;", t);
	emit_line(&c->e, "for (int k = 0; k < %lld; k++)", (long long)K);
	emit_line(&c->e, "\tacc += a[%s] * b[%s];", ai, bi);
	emit_line(&c->e, "y[i * %lld + j] = %s;", (long long)N, res.s);
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	dlc_sb_free(&res);
	return 0;
}

/* Batched matmul: loops over the (broadcast) batch dims pick one matrix of
 * each operand; 1-D operands act as a row (a) or a column (b). */
int c_emit_matmul(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *a = c_in(n, 0), *b = c_in(n, 1);
	if (c_require_float(c, n) < 0)
		return -1;
	int64_t M = a->rank > 1 ? a->dims[a->rank - 2] : 1, K = a->dims[a->rank - 1];
	int64_t N = b->rank > 1 ? b->dims[b->rank - 1] : 1;
	int ba = a->rank > 2 ? a->rank - 2 : 0, bb = b->rank > 2 ? b->rank - 2 : 0;
	int br = ba > bb ? ba : bb; /* batch rank of the result */
	int64_t dims[DLC_MAX_RANK], st[3][DLC_MAX_RANK];
	for (int i = 0; i < br; i++) {
		int ia = i - (br - ba), ib = i - (br - bb);
		int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
		dims[i] = da > db ? da : db;
		st[1][i] = da == dims[i] && dims[i] != 1 ? prod(a->dims, ia + 1, ba) * M * K : 0;
		st[2][i] = db == dims[i] && dims[i] != 1 ? prod(b->dims, ib + 1, bb) * K * N : 0;
	}
	int64_t s = M * N;
	for (int i = br - 1; i >= 0; i--) {
		st[0][i] = s;
		s *= dims[i];
	}
	const char *t = c_type(a->dtype);
	char ia[256], ib[256], iy[256];
	c_index_expr(iy, sizeof iy, "b", br, st[0]);
	c_index_expr(ia, sizeof ia, "b", br, st[1]);
	c_index_expr(ib, sizeof ib, "b", br, st[2]);
	for (int i = 0; i < br; i++)
		emit_open(&c->e, "for (int b%d = 0; b%d < %lld; b%d++) {", i, i, (long long)dims[i], i);
	emit_line(&c->e, "const %s *am = a + %s, *bm = b + %s;", t, ia, ib);
	emit_line(&c->e, "%s *ym = y + %s;", t, iy);
	emit_open(&c->e, "for (int i = 0; i < %lld; i++) {", (long long)M);
	emit_line(&c->e, "for (int j = 0; j < %lld; j++)", (long long)N);
	emit_line(&c->e, "\tym[i * %lld + j] = 0;", (long long)N);
	emit_open(&c->e, "for (int k = 0; k < %lld; k++) {", (long long)K);
	emit_line(&c->e, "const %s av = am[i * %lld + k];", t, (long long)K);
	emit_line(&c->e, "for (int j = 0; j < %lld; j++)", (long long)N);
	emit_line(&c->e, "\tym[i * %lld + j] += av * bm[k * %lld + j];", (long long)N, (long long)N);
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	for (int i = 0; i < br; i++)
		emit_close(&c->e, NULL);
	return 0;
}

/* Inference form: y = (x - mean) * scale / sqrt(var + eps) + bias. */
int c_emit_batch_norm(struct cgen *c, const struct dlc_node *n)
{
	if (c_require_float(c, n) < 0)
		return -1;
	const struct dlc_type *x = c_in(n, 0);
	int64_t N = x->dims[0], C = x->dims[1], S = prod(x->dims, 2, x->rank);
	const char *t = c_type(x->dtype);
	char eps[64];
	c_float(eps, sizeof eps, dlc_node_float(n, "epsilon"), x->dtype);
	emit_open(&c->e, "for (int c = 0; c < %lld; c++) {", (long long)C);
	emit_line(&c->e, "const %s s = scale[c] / %s(var[c] + %s);", t,
		  x->dtype == DLC_F64 ? "sqrt" : "sqrtf", eps);
	emit_line(&c->e, "const %s t = bias[c] - mean[c] * s;", t);
	emit_line(&c->e, "for (int n = 0; n < %lld; n++)", (long long)N);
	emit_line(&c->e, "\tfor (int i = 0; i < %lld; i++)", (long long)S);
	emit_line(&c->e, "\t\ty[(n * %lld + c) * %lld + i] = x[(n * %lld + c) * %lld + i] * s + t;",
		  (long long)C, (long long)S, (long long)C, (long long)S);
	emit_close(&c->e, NULL);
	return 0;
}

/* Along `axis`: subtract the max (no overflow in exp), exponentiate, and
 * divide by the sum. */
int c_emit_softmax(struct cgen *c, const struct dlc_node *n)
{
	if (c_require_float(c, n) < 0)
		return -1;
	const struct dlc_type *x = c_in(n, 0);
	int axis = (int)dlc_node_int(n, "axis");
	if (axis < 0)
		axis += x->rank;
	int64_t outer = prod(x->dims, 0, axis), len = x->dims[axis], inner = prod(x->dims, axis + 1, x->rank);
	const char *t = c_type(x->dtype), *ex = x->dtype == DLC_F64 ? "exp" : "expf";
	char at[64];
	if (inner == 1)
		snprintf(at, sizeof at, "k");
	else
		snprintf(at, sizeof at, "k * %lld", (long long)inner);
	emit_open(&c->e, "for (int o = 0; o < %lld; o++) {", (long long)outer);
	emit_open(&c->e, "for (int in = 0; in < %lld; in++) {", (long long)inner);
	emit_line(&c->e, "const %s *xr = x + o * %lld + in;", t, (long long)(len * inner));
	emit_line(&c->e, "%s *yr = y + o * %lld + in;", t, (long long)(len * inner));
	emit_line(&c->e, "%s mx = xr[0], sum = 0;", t);
	emit_line(&c->e, "for (int k = 1; k < %lld; k++)", (long long)len);
	emit_line(&c->e, "\tmx = xr[%s] > mx ? xr[%s] : mx;", at, at);
	emit_open(&c->e, "for (int k = 0; k < %lld; k++) {", (long long)len);
	emit_line(&c->e, "yr[%s] = %s(xr[%s] - mx);", at, ex, at);
	emit_line(&c->e, "sum += yr[%s];", at);
	emit_close(&c->e, NULL);
	emit_line(&c->e, "for (int k = 0; k < %lld; k++)", (long long)len);
	emit_line(&c->e, "\tyr[%s] /= sum;", at);
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	return 0;
}
