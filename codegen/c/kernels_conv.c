/* C kernels of convolution, pooling, matrix products and quantization.
 *
 * These are the straightforward reference forms. Every window op walks its
 * N-D window through per-dim tables computed here at compile time, so the
 * generated loops carry no bounds tests and no divisions:
 * - forward windows (conv, pools): output position o reads input
 *   o*s - pad + k*d for the taps k in [lo[o], hi[o]) that land inside the
 *   input (literal bounds when every window is whole);
 * - transposed windows (conv_transpose): output o receives input i through
 *   tap k where o + pad = i*s + k*d; those taps form an arithmetic
 *   progression, stored as first tap, first input and count per o.
 * The f32/f64 conv keeps the row form (the loop over the last output dim is
 * innermost, contiguous and vectorizable); forms that need an accumulator
 * of another type (f16/bf16 in float, integer convs in int32) gather each
 * output element instead. f16/bf16 are stored as uint16_t and computed in
 * float. Quantized results round half to even (rint) and saturate. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/c/c.h"
#include "codegen/c/loops.h"

/* ---- helpers ---- */

static int64_t prod(const int64_t *d, int lo, int hi)
{
	int64_t p = 1;
	for (int i = lo; i < hi; i++)
		p *= d[i];
	return p;
}

/* Expressions are built in rotating buffers so several can appear in one
 * emit_line. */
#define XBUF 32
static char *xbuf(void)
{
	static char bufs[XBUF][768];
	static int next;
	return bufs[next++ % XBUF];
}

static const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static const char *fmt(const char *f, ...)
{
	char *b = xbuf();
	va_list ap;
	va_start(ap, f);
	vsnprintf(b, 768, f, ap);
	va_end(ap);
	return b;
}

/* A stored element as a value of its compute type, and back. */
static const char *ld(enum dlc_dtype t, const char *e)
{
	return c_load(xbuf(), 768, t, e);
}

static const char *st(enum dlc_dtype t, const char *e)
{
	return c_store(xbuf(), 768, t, e);
}

/* The C type arithmetic on t happens in. */
static const char *ctype(enum dlc_dtype t)
{
	return c_type(c_compute_dtype(t));
}

static bool is_floating(enum dlc_dtype t)
{
	return t == DLC_F32 || t == DLC_F64 || t == DLC_F16 || t == DLC_BF16;
}

static int unsupported(struct cgen *c, const struct dlc_node *n, enum dlc_dtype t)
{
	return c_error(c, n, "element type %s is not supported by the C target yet",
		       dlc_dtype_name(t));
}

static const char *fn(enum dlc_dtype t, const char *name)
{
	return c_compute_dtype(t) == DLC_F64 ? name : fmt("%sf", name);
}

static const char *flit(double v, enum dlc_dtype t)
{
	char *b = xbuf();
	c_float(b, 768, v, c_compute_dtype(t));
	return b;
}

/* "static const int name[n] = {...};", on one line up to 16 values, else
 * 16 values a line. */
static void emit_table(struct cgen *c, const char *name, const int64_t *v, int64_t n)
{
	struct dlc_strbuf b = {0};
	if (n <= 16) {
		for (int64_t i = 0; i < n; i++)
			dlc_sb_printf(&b, "%s%lld", i ? ", " : "", (long long)v[i]);
		emit_line(&c->e, "static const int %s[%lld] = {%s};", name, (long long)n, b.s ? b.s : "");
		dlc_sb_free(&b);
		return;
	}
	emit_open(&c->e, "static const int %s[%lld] = {", name, (long long)n);
	for (int64_t i = 0; i < n; i++) {
		dlc_sb_printf(&b, "%lld%s", (long long)v[i], i + 1 < n ? "," : "");
		if ((i + 1) % 16 == 0 || i + 1 == n) {
			emit_line(&c->e, "%s", b.s);
			b.len = 0;
			b.s[0] = 0;
		} else {
			dlc_sb_putc(&b, ' ');
		}
	}
	dlc_sb_free(&b);
	emit_close(&c->e, "};");
}

/* "v0 * s0 + v1 * s1 + ...": row-major index over n dims of `dims`. */
static const char *index_of(const char *var, int n, const int64_t *dims)
{
	int64_t strides[DLC_MAX_RANK], s = 1;
	for (int i = n - 1; i >= 0; i--) {
		strides[i] = s;
		s *= dims[i];
	}
	char *b = xbuf();
	c_index_expr(b, 768, var, n, strides);
	return b;
}

/* Quantized integer range. */
static void qrange(enum dlc_dtype t, int64_t *lo, int64_t *hi)
{
	switch (t) {
	case DLC_I8: *lo = -128; *hi = 127; break;
	case DLC_U8: *lo = 0; *hi = 255; break;
	case DLC_I16: *lo = -32768; *hi = 32767; break;
	case DLC_U16: *lo = 0; *hi = 65535; break;
	case DLC_I4: *lo = DLC_I4_MIN; *hi = DLC_I4_MAX; break;
	case DLC_U4: *lo = 0; *hi = DLC_U4_MAX; break;
	case DLC_I2: *lo = DLC_I2_MIN; *hi = DLC_I2_MAX; break;
	case DLC_U2: *lo = 0; *hi = DLC_U2_MAX; break;
	default: *lo = 0; *hi = 0; break;
	}
}

/* ---- windows ---- */

struct wdim {
	int64_t in, out, k, s, d, pb, pe;
	bool full;          /* forward: every output position sees all k taps */
	bool count_full;    /* forward: every window lies inside input + pads */
};

static int window(struct cgen *c, const struct dlc_node *n, struct wdim *t, int *nd)
{
	struct dlc_window w;
	if (dlc_node_window(c->g, n, &w, c->d) < 0)
		return -1;
	*nd = w.n;
	for (int i = 0; i < w.n; i++)
		t[i] = (struct wdim){w.in[i], w.out[i], w.kernel[i], w.stride[i], w.dilation[i],
				     w.pad_begin[i], w.pad_end[i], false, false};
	return 0;
}

/* Forward: the taps of output o inside the input, [lo, hi), and the taps
 * inside input + pads (for average pooling with count_include_pad). */
static void fwd_taps(const struct wdim *t, int64_t o, int64_t *lo, int64_t *hi, int64_t *incl)
{
	int64_t start = o * t->s - t->pb;
	int64_t l = start >= 0 ? 0 : (-start + t->d - 1) / t->d;
	int64_t h = t->in - start <= 0 ? 0 : (t->in - start + t->d - 1) / t->d;
	int64_t e = t->in + t->pe - start <= 0 ? 0 : (t->in + t->pe - start + t->d - 1) / t->d;
	*hi = h < t->k ? h : t->k;
	*lo = l < *hi ? l : *hi;
	*incl = e < t->k ? e : t->k;
}

/* Emits the tables of the forward windows (lo%d, hi%d, and with `incl`
 * in%d) for the dims that need them; sets full/count_full. */
static void fwd_tables(struct cgen *c, struct wdim *t, int nd, bool incl)
{
	for (int i = 0; i < nd; i++) {
		int64_t *lo = dlc_xcalloc((size_t)t[i].out, sizeof *lo);
		int64_t *hi = dlc_xcalloc((size_t)t[i].out, sizeof *hi);
		int64_t *in = dlc_xcalloc((size_t)t[i].out, sizeof *in);
		t[i].full = t[i].count_full = true;
		for (int64_t o = 0; o < t[i].out; o++) {
			fwd_taps(&t[i], o, &lo[o], &hi[o], &in[o]);
			t[i].full = t[i].full && lo[o] == 0 && hi[o] == t[i].k;
			t[i].count_full = t[i].count_full && in[o] == t[i].k;
		}
		if (!t[i].full) {
			emit_table(c, fmt("lo%d", i), lo, t[i].out);
			emit_table(c, fmt("hi%d", i), hi, t[i].out);
		}
		if (incl && !t[i].count_full)
			emit_table(c, fmt("in%d", i), in, t[i].out);
		free(lo);
		free(hi);
		free(in);
	}
}

/* Opens the forward tap loops of every dim (one block each), defining
 * k<i> (tap) and i<i> (input position). */
static void fwd_loops(struct cgen *c, const struct wdim *t, int nd)
{
	for (int i = 0; i < nd; i++) {
		if (t[i].full)
			emit_open(&c->e, "for (int k%d = 0; k%d < %lld; k%d++) {", i, i, (long long)t[i].k, i);
		else
			emit_open(&c->e, "for (int k%d = lo%d[o%d]; k%d < hi%d[o%d]; k%d++) {", i, i, i, i, i,
				  i, i);
		char o[16], k[16], e[160];
		snprintf(o, sizeof o, "o%d", i);
		snprintf(k, sizeof k, "k%d", i);
		emit_line(&c->e, "const int i%d = %s;", i,
			  C_AFFINE(e, -t[i].pb, o, (long long)t[i].s, k, (long long)t[i].d));
	}
}

/* Transposed windows: the taps of output o, as first tap kb, first input
 * ib and count; tap k steps by s/g while input i steps by -d/g. */
static int64_t gcd(int64_t a, int64_t b)
{
	while (b) {
		int64_t r = a % b;
		a = b;
		b = r;
	}
	return a;
}

static void tr_tables(struct cgen *c, const struct wdim *t, int nd)
{
	for (int i = 0; i < nd; i++) {
		int64_t *kb = dlc_xcalloc((size_t)t[i].out, sizeof *kb);
		int64_t *ib = dlc_xcalloc((size_t)t[i].out, sizeof *ib);
		int64_t *cn = dlc_xcalloc((size_t)t[i].out, sizeof *cn);
		for (int64_t o = 0; o < t[i].out; o++) {
			int64_t f = o + t[i].pb;
			for (int64_t k = 0; k < t[i].k; k++) {
				int64_t r = f - k * t[i].d;
				if (r < 0)
					break;
				if (r % t[i].s || r / t[i].s >= t[i].in)
					continue;
				if (!cn[o]) {
					kb[o] = k;
					ib[o] = r / t[i].s;
				}
				cn[o]++;
			}
		}
		emit_table(c, fmt("kb%d", i), kb, t[i].out);
		emit_table(c, fmt("ib%d", i), ib, t[i].out);
		emit_table(c, fmt("nt%d", i), cn, t[i].out);
		free(kb);
		free(ib);
		free(cn);
	}
}

static void tr_loops(struct cgen *c, const struct wdim *t, int nd)
{
	for (int i = 0; i < nd; i++) {
		int64_t g = gcd(t[i].s, t[i].d);
		emit_open(&c->e, "for (int j%d = 0; j%d < nt%d[o%d]; j%d++) {", i, i, i, i, i);
		emit_line(&c->e, "const int k%d = kb%d[o%d] + j%d%s, i%d = ib%d[o%d] - j%d%s;", i, i, i,
			  i, t[i].s / g == 1 ? "" : fmt(" * %lld", (long long)(t[i].s / g)), i, i, i, i,
			  t[i].d / g == 1 ? "" : fmt(" * %lld", (long long)(t[i].d / g)));
	}
}

static void open_out_loops(struct cgen *c, const struct wdim *t, int nd)
{
	for (int i = 0; i < nd; i++)
		emit_open(&c->e, "for (int o%d = 0; o%d < %lld; o%d++) {", i, i, (long long)t[i].out, i);
}

static void close_n(struct cgen *c, int k)
{
	for (int i = 0; i < k; i++)
		emit_close(&c->e, NULL);
}

static void dims_of(const struct wdim *t, int nd, int64_t *in, int64_t *out, int64_t *k)
{
	for (int i = 0; i < nd; i++) {
		in[i] = t[i].in;
		out[i] = t[i].out;
		k[i] = t[i].k;
	}
}

/* ---- convolution ---- */

/* f32/f64 row form: y[n][m] starts at the bias; for each input channel and
 * tap, the valid output range of every dim is read from per-tap tables
 * (r<i>_lo[k], r<i>_hi[k]) and the last dim is a contiguous loop. */
static void conv_ranges(struct cgen *c, const struct wdim *t, int i, bool *full)
{
	int64_t *lo = dlc_xcalloc((size_t)t->k, sizeof *lo), *hi = dlc_xcalloc((size_t)t->k, sizeof *hi);
	*full = true;
	for (int64_t k = 0; k < t->k; k++) {
		int64_t off = k * t->d - t->pb; /* input = o*s + off */
		int64_t l = off >= 0 ? 0 : (-off + t->s - 1) / t->s;
		int64_t h = t->in - off <= 0 ? 0 : (t->in - off - 1) / t->s + 1;
		hi[k] = h < t->out ? h : t->out;
		lo[k] = l < hi[k] ? l : hi[k];
		*full = *full && lo[k] == 0 && hi[k] == t->out;
	}
	if (!*full) {
		emit_table(c, fmt("r%d_lo", i), lo, t->k);
		emit_table(c, fmt("r%d_hi", i), hi, t->k);
	}
	free(lo);
	free(hi);
}

static int conv_rows(struct cgen *c, const struct dlc_node *n, struct wdim *t, int nd)
{
	const struct dlc_type *x = c_in(n, 0), *w = c_in(n, 1);
	int64_t N = x->dims[0], C = x->dims[1], M = w->dims[0], CG = w->dims[1];
	int64_t G = dlc_node_int(n, "group"), MG = M / G;
	int64_t in[DLC_MAX_RANK], out[DLC_MAX_RANK], ks[DLC_MAX_RANK];
	dims_of(t, nd, in, out, ks);
	int64_t IS = prod(in, 0, nd), OS = prod(out, 0, nd), KS = prod(ks, 0, nd);
	const char *T = c_type(x->dtype);
	bool full[DLC_MAX_RANK];
	for (int i = 0; i < nd; i++)
		conv_ranges(c, &t[i], i, &full[i]);
	char e[256];
	emit_open(&c->e, "for (int n = 0; n < %lld; n++) {", (long long)N);
	emit_open(&c->e, "for (int m = 0; m < %lld; m++) {", (long long)M);
	emit_line(&c->e, "%s *yo = y + (%s) * %lld;", T, C_AFFINE(e, 0, "n", (long long)M, "m", 1LL),
		  (long long)OS);
	emit_line(&c->e, "for (int i = 0; i < %lld; i++)", (long long)OS);
	emit_line(&c->e, "\tyo[i] = %s;", c_in(n, 2) ? "b[m]" : "0");
	emit_open(&c->e, "for (int c = 0; c < %lld; c++) {", (long long)CG);
	if (G > 1)
		emit_line(&c->e, "const %s *xc = x + (n * %lld + m / %lld * %lld + c) * %lld;", T,
			  (long long)C, (long long)MG, (long long)CG, (long long)IS);
	else
		emit_line(&c->e, "const %s *xc = x + (%s) * %lld;", T,
			  C_AFFINE(e, 0, "n", (long long)C, "c", 1LL), (long long)IS);
	emit_line(&c->e, "const %s *wc = w + (%s) * %lld;", T,
		  C_AFFINE(e, 0, "m", (long long)CG, "c", 1LL), (long long)KS);
	int opened = 3;
	/* the last dim's input index: earlier dims through i<d> */
	const char *vars[DLC_MAX_RANK + 2];
	int64_t coef[DLC_MAX_RANK + 2];
	int64_t stride = 1, istr[DLC_MAX_RANK];
	for (int i = nd - 1; i >= 0; i--) {
		istr[i] = stride;
		stride *= in[i];
	}
	char names[DLC_MAX_RANK][16];
	for (int i = 0; i < nd; i++) {
		emit_open(&c->e, "for (int k%d = 0; k%d < %lld; k%d++) {", i, i, (long long)t[i].k, i);
		opened++;
		const char *range = full[i] ? fmt("for (int o%d = 0; o%d < %lld; o%d++)", i, i, (long long)t[i].out, i)
					    : fmt("for (int o%d = r%d_lo[k%d]; o%d < r%d_hi[k%d]; o%d++)", i, i, i, i, i, i, i);
		if (i < nd - 1) {
			emit_open(&c->e, "%s {", range);
			opened++;
			char o[16], k[16];
			snprintf(o, sizeof o, "o%d", i);
			snprintf(k, sizeof k, "k%d", i);
			emit_line(&c->e, "const int i%d = %s;", i,
				  C_AFFINE(e, -t[i].pb, o, (long long)t[i].s, k, (long long)t[i].d));
			continue;
		}
		emit_line(&c->e, "const %s wv = wc[%s];", T, index_of("k", nd, ks));
		int nv = 0;
		for (int j = 0; j < nd - 1; j++) {
			snprintf(names[j], sizeof names[j], "i%d", j);
			vars[nv] = names[j];
			coef[nv++] = istr[j];
		}
		snprintf(names[nd - 1], sizeof names[nd - 1], "o%d", nd - 1);
		vars[nv] = names[nd - 1];
		coef[nv++] = t[i].s;
		char kl[16];
		snprintf(kl, sizeof kl, "k%d", nd - 1);
		vars[nv] = kl;
		coef[nv++] = t[i].d;
		char xi[256];
		c_affine(xi, sizeof xi, -t[i].pb, nv, vars, coef);
		emit_line(&c->e, "%s", range);
		emit_line(&c->e, "\tyo[%s] += wv * xc[%s];", index_of("o", nd, out), xi);
	}
	if (c->ep) { /* the fused chain over the finished row y[n][m] */
		static const char *const idx[] = {"n", "m"};
		close_n(c, opened - 2);
		emit_open(&c->e, "for (int i = 0; i < %lld; i++) {", (long long)OS);
		emit_line(&c->e, "yo[i] = %s;", c_epilogue(c, c->ep, "yo[i]", idx, 2, "i"));
		emit_close(&c->e, NULL);
		opened = 2;
	}
	close_n(c, opened);
	return 0;
}

/* Gather form: one accumulator per output element. Used for f16/bf16
 * (float accumulator), conv_integer and qlinear_conv (int32), and the
 * transposed convolution (any float type). */
static int conv_gather(struct cgen *c, const struct dlc_node *n, struct wdim *t, int nd)
{
	bool transposed = n->op == DLC_OP_CONV_TRANSPOSE;
	bool qlinear = n->op == DLC_OP_QLINEAR_CONV, integer = n->op == DLC_OP_CONV_INTEGER;
	int wi = qlinear ? 3 : 1;
	const struct dlc_type *x = c_in(n, 0), *w = c_in(n, wi), *y = c_out(n, 0);
	int64_t N = x->dims[0], C = x->dims[1], M = y->dims[1], G = dlc_node_int(n, "group");
	int64_t CG = C / G, MG = M / G;
	int64_t in[DLC_MAX_RANK], out[DLC_MAX_RANK], ks[DLC_MAX_RANK];
	dims_of(t, nd, in, out, ks);
	int64_t IS = prod(in, 0, nd), OS = prod(out, 0, nd), KS = prod(ks, 0, nd);
	const char *T = c_type(x->dtype), *TW = c_type(w->dtype);
	const char *acc_t = qlinear || integer ? "int32_t" : ctype(x->dtype);
	if (transposed)
		tr_tables(c, t, nd);
	else
		fwd_tables(c, t, nd, false);
	/* zero points (scalars, or w's per output channel) */
	const char *xz = "0", *wz = "0";
	const struct dlc_type *xzt = integer || qlinear ? c_in(n, 2) : NULL;
	const struct dlc_type *wzt = integer || qlinear ? c_in(n, qlinear ? 5 : 3) : NULL;
	if ((integer || qlinear) && xzt)
		xz = "xzv";
	if ((integer || qlinear) && wzt)
		wz = dlc_type_numel(wzt) > 1 ? "wz[m]" : "wz[0]";
	if (xzt && (integer || qlinear))
		emit_line(&c->e, "const int32_t xzv = xz[0];");
	emit_open(&c->e, "for (int n = 0; n < %lld; n++) {", (long long)N);
	emit_open(&c->e, "for (int m = 0; m < %lld; m++) {", (long long)M);
	if (G > 1)
		emit_line(&c->e, "const int g = m / %lld;", (long long)MG);
	if (qlinear) {
		const struct dlc_type *ws = c_in(n, 4);
		/* as ONNX's reference: the multiplier in float, the product in double */
		emit_line(&c->e, "const float mult = xs[0] * ws[%s] / ys[0];",
			  dlc_type_numel(ws) > 1 ? "m" : "0");
	}
	open_out_loops(c, t, nd);
	const char *bias = "0";
	if ((transposed || n->op == DLC_OP_CONV) && c_in(n, 2))
		bias = ld(x->dtype, "b[m]");
	else if (qlinear && c_in(n, 8))
		bias = "b[m]";
	emit_line(&c->e, "%s acc = %s;", acc_t, bias);
	emit_open(&c->e, "for (int c = 0; c < %lld; c++) {", (long long)CG);
	const char *gc = G > 1 ? fmt("g * %lld + c", (long long)CG) : "c";
	emit_line(&c->e, "const %s *xc = x + (n * %lld + %s) * %lld;", T, (long long)C, gc, (long long)IS);
	if (transposed) /* weight [C, M/group, k...] */
		emit_line(&c->e, "const %s *wc = w + ((%s) * %lld + %s) * %lld;", TW, gc, (long long)MG,
			  G > 1 ? fmt("m - g * %lld", (long long)MG) : "m", (long long)KS);
	else
		emit_line(&c->e, "const %s *wc = w + (m * %lld + c) * %lld;", TW, (long long)CG, (long long)KS);
	if (transposed)
		tr_loops(c, t, nd);
	else
		fwd_loops(c, t, nd);
	const char *xv = fmt("xc[%s]", index_of("i", nd, in)), *wv = fmt("wc[%s]", index_of("k", nd, ks));
	if (integer || qlinear)
		emit_line(&c->e, "acc += ((int32_t)%s - %s) * ((int32_t)%s - %s);", wv, wz, xv, xz);
	else
		emit_line(&c->e, "acc += %s * %s;", ld(w->dtype, wv), ld(x->dtype, xv));
	close_n(c, nd + 1);
	const char *yi = fmt("(n * %lld + m) * %lld + %s", (long long)M, (long long)OS, index_of("o", nd, out));
	if (qlinear) {
		int64_t lo, hi;
		qrange(y->dtype, &lo, &hi);
		emit_line(&c->e, "double r = (double)acc * mult + yz[0];");
		emit_line(&c->e, "r = r >= %lld ? (r <= %lld ? r : %lld) : %lld;", (long long)lo, (long long)hi,
			  (long long)hi, (long long)lo);
		emit_line(&c->e, "y[%s] = (%s)rint(r);", yi, c_type(y->dtype));
	} else {
		emit_line(&c->e, "y[%s] = %s;", yi, st(y->dtype, "acc"));
	}
	close_n(c, nd + 2);
	return 0;
}

int c_emit_conv(struct cgen *c, const struct dlc_node *n)
{
	enum dlc_dtype dt = c_in(n, 0)->dtype;
	if (!is_floating(dt))
		return unsupported(c, n, dt);
	struct wdim t[DLC_MAX_RANK];
	int nd;
	if (window(c, n, t, &nd) < 0)
		return -1;
	if (dt == DLC_F32 || dt == DLC_F64)
		return conv_rows(c, n, t, nd);
	return conv_gather(c, n, t, nd);
}

int c_emit_conv_gather(struct cgen *c, const struct dlc_node *n)
{
	enum dlc_dtype dt = c_in(n, 0)->dtype;
	if (n->op == DLC_OP_CONV_TRANSPOSE && !is_floating(dt))
		return unsupported(c, n, dt);
	struct wdim t[DLC_MAX_RANK];
	int nd;
	if (window(c, n, t, &nd) < 0)
		return -1;
	return conv_gather(c, n, t, nd);
}

/* Deformable convolution (2-D): each tap samples the input bilinearly at
 * its position moved by the offset (zero outside), times the mask. */
int c_emit_deform_conv(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0), *w = c_in(n, 1), *y = c_out(n, 0);
	enum dlc_dtype dt = x->dtype;
	if (!is_floating(dt))
		return unsupported(c, n, dt);
	struct wdim t[DLC_MAX_RANK];
	int nd;
	if (window(c, n, t, &nd) < 0)
		return -1;
	int64_t N = x->dims[0], C = x->dims[1], H = x->dims[2], W = x->dims[3];
	int64_t M = y->dims[1], OH = y->dims[2], OW = y->dims[3], G = dlc_node_int(n, "group");
	int64_t CG = C / G, MG = M / G, KH = w->dims[2], KW = w->dims[3], TAPS = KH * KW;
	int64_t OG = dlc_node_int(n, "offset_group"), COG = C / OG;
	const char *T = c_type(dt), *F = ctype(dt);
	char e1[160], e2[160];
	emit_open(&c->e, "for (int n = 0; n < %lld; n++) {", (long long)N);
	emit_open(&c->e, "for (int m = 0; m < %lld; m++) {", (long long)M);
	emit_open(&c->e, "for (int oh = 0; oh < %lld; oh++) {", (long long)OH);
	emit_open(&c->e, "for (int ow = 0; ow < %lld; ow++) {", (long long)OW);
	emit_line(&c->e, "%s acc = %s;", F, c_in(n, 3) ? ld(dt, "b[m]") : "0");
	emit_open(&c->e, "for (int c = 0; c < %lld; c++) {", (long long)CG);
	emit_line(&c->e, "const int ch = %s, og = ch / %lld;",
		  G > 1 ? fmt("m / %lld * %lld + c", (long long)MG, (long long)CG) : "c", (long long)COG);
	emit_line(&c->e, "const %s *xc = x + (n * %lld + ch) * %lld;", T, (long long)C, (long long)(H * W));
	emit_open(&c->e, "for (int kh = 0; kh < %lld; kh++) {", (long long)KH);
	emit_open(&c->e, "for (int kw = 0; kw < %lld; kw++) {", (long long)KW);
	emit_line(&c->e, "const int tap = og * %lld + kh * %lld + kw;", (long long)TAPS, (long long)KW);
	/* offset [N, og*taps*2, OH, OW]: (dy, dx) pairs per tap */
	emit_line(&c->e, "const int at = oh * %lld + ow;", (long long)OW);
	emit_line(&c->e, "const %s py = %s + %s;", F, C_AFFINE(e1, -t[0].pb, "oh", (long long)t[0].s, "kh", (long long)t[0].d),
		  ld(dt, fmt("off[((n * %lld + tap * 2) * %lld) + at]", (long long)(OG * TAPS * 2), (long long)(OH * OW))));
	emit_line(&c->e, "const %s px = %s + %s;", F, C_AFFINE(e2, -t[1].pb, "ow", (long long)t[1].s, "kw", (long long)t[1].d),
		  ld(dt, fmt("off[((n * %lld + tap * 2 + 1) * %lld) + at]", (long long)(OG * TAPS * 2), (long long)(OH * OW))));
	emit_line(&c->e, "const %s fy = %s, fx = %s;", F, fmt("%s(py)", fn(dt, "floor")), fmt("%s(px)", fn(dt, "floor")));
	emit_line(&c->e, "const int yb = (int)fy, xb = (int)fx;");
	emit_line(&c->e, "const %s ly = py - fy, lx = px - fx;", F);
	emit_line(&c->e, "%s v = 0;", F);
	/* bilinear: the four neighbours that lie inside */
	emit_line(&c->e, "if (py > -1 && py < %lld && px > -1 && px < %lld) {", (long long)H, (long long)W);
	c->e.indent++;
	emit_line(&c->e, "if (yb >= 0 && xb >= 0)");
	emit_line(&c->e, "\tv += (1 - ly) * (1 - lx) * %s;", ld(dt, fmt("xc[yb * %lld + xb]", (long long)W)));
	emit_line(&c->e, "if (yb >= 0 && xb + 1 < %lld)", (long long)W);
	emit_line(&c->e, "\tv += (1 - ly) * lx * %s;", ld(dt, fmt("xc[yb * %lld + xb + 1]", (long long)W)));
	emit_line(&c->e, "if (yb + 1 < %lld && xb >= 0)", (long long)H);
	emit_line(&c->e, "\tv += ly * (1 - lx) * %s;", ld(dt, fmt("xc[(yb + 1) * %lld + xb]", (long long)W)));
	emit_line(&c->e, "if (yb + 1 < %lld && xb + 1 < %lld)", (long long)H, (long long)W);
	emit_line(&c->e, "\tv += ly * lx * %s;", ld(dt, fmt("xc[(yb + 1) * %lld + xb + 1]", (long long)W)));
	emit_close(&c->e, NULL);
	if (c_in(n, 4))
		emit_line(&c->e, "v *= %s;", ld(dt, fmt("mask[(n * %lld + tap) * %lld + at]",
							 (long long)(OG * TAPS), (long long)(OH * OW))));
	emit_line(&c->e, "acc += %s * v;", ld(dt, fmt("w[((m * %lld + c) * %lld + kh) * %lld + kw]", (long long)CG,
						      (long long)KH, (long long)KW)));
	close_n(c, 3);
	emit_line(&c->e, "y[((n * %lld + m) * %lld + oh) * %lld + ow] = %s;", (long long)M, (long long)OH,
		  (long long)OW, st(dt, "acc"));
	close_n(c, 4);
	return 0;
}

/* ---- pooling ---- */

/* Max, average or Lp over each window; taps in the padding are skipped
 * (and counted for the average only with count_include_pad). Max pool's
 * indices are flat positions in x (column-major spatial dims with
 * storage_order = 1). */
int c_emit_pool(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0);
	enum dlc_dtype dt = x->dtype;
	bool is_max = n->op == DLC_OP_MAX_POOL, is_lp = n->op == DLC_OP_LP_POOL;
	if (!is_floating(dt) && !(is_max && (dt == DLC_I8 || dt == DLC_U8)))
		return unsupported(c, n, dt);
	struct wdim t[DLC_MAX_RANK];
	int nd;
	if (window(c, n, t, &nd) < 0)
		return -1;
	bool indices = is_max && c_out(n, 1);
	bool include_pad = n->op == DLC_OP_AVERAGE_POOL && dlc_node_int(n, "count_include_pad");
	bool col_major = indices && dlc_node_int(n, "storage_order") != 0;
	int64_t p = is_lp ? dlc_node_int(n, "p") : 0;
	const char *T = c_type(dt), *F = ctype(dt);
	int64_t in[DLC_MAX_RANK], out[DLC_MAX_RANK], ks[DLC_MAX_RANK];
	dims_of(t, nd, in, out, ks);
	int64_t IS = prod(in, 0, nd), OS = prod(out, 0, nd);
	fwd_tables(c, t, nd, include_pad);
	emit_open(&c->e, "for (int nc = 0; nc < %lld; nc++) {", (long long)(x->dims[0] * x->dims[1]));
	emit_line(&c->e, "const %s *xc = x + nc * %lld;", T, (long long)IS);
	open_out_loops(c, t, nd);
	const char *init = "0";
	if (is_max)
		init = dt == DLC_I8 ? "INT8_MIN" : dt == DLC_U8 ? "0" : "-INFINITY";
	emit_line(&c->e, "%s acc = %s;", F, init);
	if (indices)
		emit_line(&c->e, "int64_t at = -1;");
	fwd_loops(c, t, nd);
	const char *xv = ld(dt, fmt("xc[%s]", index_of("i", nd, in)));
	if (is_max) {
		emit_line(&c->e, "const %s xv = %s;", F, xv);
		if (indices) {
			int64_t s = 1, cs[DLC_MAX_RANK];
			for (int i = 0; i < nd; i++) { /* column-major: the first dim varies fastest */
				cs[i] = s;
				s *= in[i];
			}
			const char *ix = index_of("i", nd, in);
			if (col_major) {
				char *b = xbuf();
				c_index_expr(b, 768, "i", nd, cs);
				ix = b;
			}
			emit_open(&c->e, "if (at < 0 || xv > acc) {");
			emit_line(&c->e, "acc = xv;");
			emit_line(&c->e, "at = (int64_t)nc * %lld + %s;", (long long)IS, ix);
			emit_close(&c->e, NULL);
		} else {
			emit_line(&c->e, "acc = xv > acc ? xv : acc;");
		}
	} else if (is_lp) {
		const char *a = fmt("%s(%s)", fn(dt, "fabs"), xv);
		if (p == 1)
			emit_line(&c->e, "acc += %s;", a);
		else if (p == 2)
			emit_line(&c->e, "acc += %s * %s;", xv, xv);
		else
			emit_line(&c->e, "acc += %s(%s, %lld);", fn(dt, "pow"), a, (long long)p);
	} else {
		emit_line(&c->e, "acc += %s;", xv);
	}
	close_n(c, nd);
	const char *yi = fmt("nc * %lld + %s", (long long)OS, index_of("o", nd, out));
	if (is_max) {
		emit_line(&c->e, "y[%s] = %s;", yi, st(dt, "acc"));
		if (indices)
			emit_line(&c->e, "indices[%s] = at;", yi);
	} else if (is_lp) {
		const char *r = p == 1 ? "acc" : p == 2 ? fmt("%s(acc)", fn(dt, "sqrt"))
				: fmt("%s(acc, %s)", fn(dt, "pow"), flit(1.0 / (double)p, dt));
		emit_line(&c->e, "y[%s] = %s;", yi, st(dt, r));
	} else {
		/* the divisor: taps inside the input (or input + pads) */
		struct dlc_strbuf div = {0};
		int64_t lit = 1;
		for (int i = 0; i < nd; i++) {
			if (include_pad ? t[i].count_full : t[i].full) {
				lit *= t[i].k;
				continue;
			}
			if (include_pad)
				dlc_sb_printf(&div, "%sin%d[o%d]", div.len ? " * " : "", i, i);
			else
				dlc_sb_printf(&div, "%s(hi%d[o%d] - lo%d[o%d])", div.len ? " * " : "", i, i, i, i);
		}
		if (!div.len)
			emit_line(&c->e, "y[%s] = %s;", yi, st(dt, fmt("acc / %lld", (long long)lit)));
		else if (lit == 1)
			emit_line(&c->e, "y[%s] = %s;", yi, st(dt, fmt("acc / (%s)", div.s)));
		else
			emit_line(&c->e, "y[%s] = %s;", yi, st(dt, fmt("acc / (%lld * %s)", (long long)lit, div.s)));
		dlc_sb_free(&div);
	}
	close_n(c, nd + 1);
	return 0;
}

/* Average, max or Lp norm over all spatial positions of each channel. */
int c_emit_global_pool(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0);
	enum dlc_dtype dt = x->dtype;
	if (!is_floating(dt))
		return unsupported(c, n, dt);
	int64_t NC = x->dims[0] * x->dims[1], S = prod(x->dims, 2, x->rank);
	const char *F = ctype(dt);
	const char *xv = ld(dt, fmt("x[nc * %lld + i]", (long long)S));
	int64_t p = n->op == DLC_OP_GLOBAL_LP_POOL ? dlc_node_int(n, "p") : 0;
	emit_open(&c->e, "for (int nc = 0; nc < %lld; nc++) {", (long long)NC);
	emit_line(&c->e, "%s acc = %s;", F, n->op == DLC_OP_GLOBAL_MAX_POOL ? "-INFINITY" : "0");
	emit_open(&c->e, "for (int i = 0; i < %lld; i++) {", (long long)S);
	emit_line(&c->e, "const %s v = %s;", F, xv);
	const char *r = "acc";
	switch (n->op) {
	case DLC_OP_GLOBAL_MAX_POOL:
		emit_line(&c->e, "acc = v > acc ? v : acc;");
		break;
	case DLC_OP_GLOBAL_LP_POOL:
		if (p == 1)
			emit_line(&c->e, "acc += %s(v);", fn(dt, "fabs"));
		else if (p == 2)
			emit_line(&c->e, "acc += v * v;");
		else
			emit_line(&c->e, "acc += %s(%s(v), %lld);", fn(dt, "pow"), fn(dt, "fabs"), (long long)p);
		r = p == 1 ? "acc" : p == 2 ? fmt("%s(acc)", fn(dt, "sqrt"))
			: fmt("%s(acc, %s)", fn(dt, "pow"), flit(1.0 / (double)p, dt));
		break;
	default:
		emit_line(&c->e, "acc += v;");
		r = fmt("acc / %lld", (long long)S);
		break;
	}
	emit_close(&c->e, NULL);
	emit_line(&c->e, "y[nc] = %s;", st(dt, r));
	emit_close(&c->e, NULL);
	return 0;
}

/* Scatters x into a zero-filled result at the flat positions in indices
 * (which address the unpooled shape; an output_shape that pads it keeps
 * those rows at their place). */
int c_emit_max_unpool(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0), *y = c_out(n, 0);
	enum dlc_dtype dt = x->dtype;
	if (!is_floating(dt))
		return unsupported(c, n, dt);
	struct wdim t[DLC_MAX_RANK];
	int nd;
	if (window(c, n, t, &nd) < 0)
		return -1;
	if (c_in(n, 2))
		emit_line(&c->e, "(void)oshape;");
	int64_t total = dlc_type_numel(y), numel = dlc_type_numel(x);
	int64_t inf[DLC_MAX_RANK + 2];
	inf[0] = x->dims[0];
	inf[1] = x->dims[1];
	bool same = true;
	for (int i = 0; i < nd; i++) {
		inf[2 + i] = t[i].out;
		same = same && t[i].out == y->dims[2 + i];
	}
	int64_t itotal = prod(inf, 0, nd + 2);
	emit_line(&c->e, "memset(y, 0, %lld);", (long long)(total * (int64_t)dlc_dtype_size(dt)));
	emit_open(&c->e, "for (int i = 0; i < %lld; i++) {", (long long)numel);
	emit_line(&c->e, "int64_t at = ind[i];");
	/* an index outside the unpooled tensor is dropped, never written */
	emit_line(&c->e, "if (at < 0 || at >= %lld)", (long long)itotal);
	emit_line(&c->e, "\tcontinue;");
	if (!same) { /* re-address the position inside the padded result */
		emit_line(&c->e, "int64_t to = 0;");
		for (int i = nd + 1; i >= 0; i--) {
			int64_t below = prod(inf, i + 1, nd + 2), ybelow = prod(y->dims, i + 1, nd + 2);
			emit_line(&c->e, "to += at / %lld %% %lld * %lld;", (long long)below, (long long)inf[i],
				  (long long)ybelow);
		}
		emit_line(&c->e, "at = to;");
	}
	emit_line(&c->e, "y[at] = x[i];");
	emit_close(&c->e, NULL);
	return 0;
}

/* ---- matrix products ---- */

/* y = alpha * A' B' + beta * C. With B transposed (the PyTorch layout)
 * each result is a dot product of two contiguous rows. Integer types
 * accumulate in their own type (wrapping as numpy does); alpha and beta
 * other than 1 go through double. */
int c_emit_gemm(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *a = c_in(n, 0), *cc = c_in(n, 2), *y = c_out(n, 0);
	enum dlc_dtype dt = a->dtype;
	if (!c_type(dt) || dt == DLC_BOOL)
		return unsupported(c, n, dt);
	bool ta = dlc_node_int(n, "transA"), tb = dlc_node_int(n, "transB");
	int64_t M = y->dims[0], N = y->dims[1], K = a->dims[ta ? 0 : 1];
	float alpha = dlc_node_float(n, "alpha"), beta = dlc_node_float(n, "beta");
	const char *F = ctype(dt);
	bool flt = is_floating(dt);
	char ai[64], bi[64], ci[64] = "";
	snprintf(ai, sizeof ai, ta ? "k * %lld + i" : "i * %lld + k", (long long)(ta ? M : K));
	snprintf(bi, sizeof bi, tb ? "j * %lld + k" : "k * %lld + j", (long long)(tb ? K : N));
	if (cc) { /* C broadcasts onto [M, N]: its index along i and j */
		int64_t si = cc->rank == 2 && cc->dims[0] != 1 ? cc->dims[1] : 0;
		bool sj = cc->rank >= 1 && cc->dims[cc->rank - 1] != 1;
		if (si)
			snprintf(ci, sizeof ci, "i * %lld%s", (long long)si, sj ? " + j" : "");
		else
			snprintf(ci, sizeof ci, "%s", sj ? "j" : "0");
	}
	bool use_c = cc && beta != 0.0f;
	struct dlc_strbuf res = {0};
	if (flt || (alpha == 1.0f && (!use_c || beta == 1.0f))) {
		if (alpha == 1.0f)
			dlc_sb_puts(&res, "acc");
		else
			dlc_sb_printf(&res, "%s * acc", flit(alpha, dt));
		if (use_c) {
			const char *cv = ld(dt, fmt("c[%s]", ci));
			if (beta == 1.0f)
				dlc_sb_printf(&res, " + %s", cv);
			else
				dlc_sb_printf(&res, " + %s * %s", flit(beta, dt), cv);
		}
	} else {
		dlc_sb_printf(&res, "(%s)(%s * (double)acc", F, flit(alpha, DLC_F64));
		if (use_c)
			dlc_sb_printf(&res, " + %s * (double)c[%s]", flit(beta, DLC_F64), ci);
		dlc_sb_puts(&res, ")");
	}
	if (cc && !use_c)
		emit_line(&c->e, "(void)c;");
	emit_open(&c->e, "for (int i = 0; i < %lld; i++) {", (long long)M);
	emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", (long long)N);
	emit_line(&c->e, "%s acc = 0;", F);
	emit_line(&c->e, "for (int k = 0; k < %lld; k++)", (long long)K);
	emit_line(&c->e, "\tacc += %s * %s;", ld(dt, fmt("a[%s]", ai)), ld(dt, fmt("b[%s]", bi)));
	if (c->ep) { /* the fused chain, on the finished element (f32, f64) */
		static const char *const idx[] = {"i", "j"};
		emit_line(&c->e, "const %s r = %s;", F, res.s);
		emit_line(&c->e, "y[i * %lld + j] = %s;", (long long)N, c_epilogue(c, c->ep, "r", idx, 2, NULL));
	} else {
		emit_line(&c->e, "y[i * %lld + j] = %s;", (long long)N, st(dt, res.s));
	}
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	dlc_sb_free(&res);
	return 0;
}

/* Batch loops of a (broadcast) matmul: open one loop per batch dim and
 * define am, bm, ym (the matrices) and ab, bb (A's and B's matrix numbers,
 * for parameters of A's or B's shape). Returns the loops opened. */
struct mm {
	int64_t M, K, N;
	int br;
};

static int mm_open(struct cgen *c, const struct dlc_node *n, int ai, int bi, struct mm *m,
		   bool need_ab, bool need_bb)
{
	const struct dlc_type *a = c_in(n, ai), *b = c_in(n, bi), *y = c_out(n, 0);
	m->M = a->rank > 1 ? a->dims[a->rank - 2] : 1;
	m->K = a->dims[a->rank - 1];
	m->N = b->rank > 1 ? b->dims[b->rank - 1] : 1;
	int ba = a->rank > 2 ? a->rank - 2 : 0, bb = b->rank > 2 ? b->rank - 2 : 0;
	int br = ba > bb ? ba : bb;
	int64_t dims[DLC_MAX_RANK], s[5][DLC_MAX_RANK];
	for (int i = 0; i < br; i++) {
		int ia = i - (br - ba), ib = i - (br - bb);
		int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
		dims[i] = da > db ? da : db;
		s[1][i] = da == dims[i] && dims[i] != 1 ? prod(a->dims, ia + 1, ba) * m->M * m->K : 0;
		s[2][i] = db == dims[i] && dims[i] != 1 ? prod(b->dims, ib + 1, bb) * m->K * m->N : 0;
		s[3][i] = da == dims[i] && dims[i] != 1 ? prod(a->dims, ia + 1, ba) : 0;
		s[4][i] = db == dims[i] && dims[i] != 1 ? prod(b->dims, ib + 1, bb) : 0;
	}
	int64_t acc = m->M * m->N;
	for (int i = br - 1; i >= 0; i--) {
		s[0][i] = acc;
		acc *= dims[i];
	}
	char ia[256], ib[256], iy[256], iab[256], ibb[256];
	c_index_expr(iy, sizeof iy, "b", br, s[0]);
	c_index_expr(ia, sizeof ia, "b", br, s[1]);
	c_index_expr(ib, sizeof ib, "b", br, s[2]);
	c_index_expr(iab, sizeof iab, "b", br, s[3]);
	c_index_expr(ibb, sizeof ibb, "b", br, s[4]);
	for (int i = 0; i < br; i++)
		emit_open(&c->e, "for (int b%d = 0; b%d < %lld; b%d++) {", i, i, (long long)dims[i], i);
	emit_line(&c->e, "const %s *am = a + %s;", c_type(a->dtype), ia);
	emit_line(&c->e, "const %s *bm = b + %s;", c_type(b->dtype), ib);
	emit_line(&c->e, "%s *ym = y + %s;", c_type(y->dtype), iy);
	if (need_ab)
		emit_line(&c->e, "const int ab = %s;", iab);
	if (need_bb)
		emit_line(&c->e, "const int bb = %s;", ibb);
	m->br = br;
	return br;
}

/* The fused chain over row i of matrix ym: the result's index is the
 * batch loop variables b0, b1, ..., then i and j. */
static void mm_epilogue(struct cgen *c, const struct mm *m)
{
	char names[DLC_MAX_RANK][8];
	const char *idx[DLC_MAX_RANK + 2];
	for (int d = 0; d < m->br; d++) {
		snprintf(names[d], sizeof names[d], "b%d", d);
		idx[d] = names[d];
	}
	idx[m->br] = "i";
	idx[m->br + 1] = "j";
	emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", (long long)m->N);
	char at[64];
	snprintf(at, sizeof at, "ym[i * %lld + j]", (long long)m->N);
	emit_line(&c->e, "%s = %s;", at, c_epilogue(c, c->ep, at, idx, m->br + 2, NULL));
	emit_close(&c->e, NULL);
}

/* Batched matmul: loops over the (broadcast) batch dims pick one matrix of
 * each operand; 1-D operands act as a row (a) or a column (b). Rows of the
 * result accumulate in place (contiguous inner loop); f16/bf16 use a float
 * accumulator per element instead. */
int c_emit_matmul(struct cgen *c, const struct dlc_node *n)
{
	enum dlc_dtype dt = c_in(n, 0)->dtype;
	if (!c_type(dt) || dt == DLC_BOOL)
		return unsupported(c, n, dt);
	struct mm m;
	int opened = mm_open(c, n, 0, 1, &m, false, false);
	const char *F = ctype(dt);
	emit_open(&c->e, "for (int i = 0; i < %lld; i++) {", (long long)m.M);
	if (dt == DLC_F16 || dt == DLC_BF16) {
		emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", (long long)m.N);
		emit_line(&c->e, "%s acc = 0;", F);
		emit_line(&c->e, "for (int k = 0; k < %lld; k++)", (long long)m.K);
		emit_line(&c->e, "\tacc += %s * %s;", ld(dt, fmt("am[i * %lld + k]", (long long)m.K)),
			  ld(dt, fmt("bm[k * %lld + j]", (long long)m.N)));
		emit_line(&c->e, "ym[i * %lld + j] = %s;", (long long)m.N, st(dt, "acc"));
		emit_close(&c->e, NULL);
	} else {
		const char *T = c_type(dt);
		emit_line(&c->e, "for (int j = 0; j < %lld; j++)", (long long)m.N);
		emit_line(&c->e, "\tym[i * %lld + j] = 0;", (long long)m.N);
		emit_open(&c->e, "for (int k = 0; k < %lld; k++) {", (long long)m.K);
		emit_line(&c->e, "const %s av = am[i * %lld + k];", T, (long long)m.K);
		emit_line(&c->e, "for (int j = 0; j < %lld; j++)", (long long)m.N);
		emit_line(&c->e, "\tym[i * %lld + j] += av * bm[k * %lld + j];", (long long)m.N, (long long)m.N);
		emit_close(&c->e, NULL);
		if (c->ep) /* the fused chain over the finished row */
			mm_epilogue(c, &m);
	}
	emit_close(&c->e, NULL);
	close_n(c, opened);
	return 0;
}

/* A matmul zero point or scale: "p[0]" for one element, else per row of A
 * (i, or ab * M + i for A's shape) or per column of B (j, or bb * N + j). */
static bool mm_batched(const struct dlc_type *t, bool row, const struct mm *m)
{
	return dlc_type_numel(t) > (row ? m->M : m->N);
}

static const char *mm_param(const char *p, const struct dlc_type *t, bool row, const struct mm *m)
{
	if (dlc_type_numel(t) == 1)
		return fmt("%s[0]", p);
	if (mm_batched(t, row, m))
		return row ? fmt("%s[ab * %lld + i]", p, (long long)m->M) : fmt("%s[bb * %lld + j]", p, (long long)m->N);
	return fmt("%s[%s]", p, row ? "i" : "j");
}

/* The M, K, N of a matmul before its loops are open. */
static struct mm mm_dims(const struct dlc_type *a, const struct dlc_type *b)
{
	struct mm m = {a->rank > 1 ? a->dims[a->rank - 2] : 1, a->dims[a->rank - 1],
		       b->rank > 1 ? b->dims[b->rank - 1] : 1, 0};
	return m;
}

/* (A - a_zero_point) (B - b_zero_point) in int32. */
int c_emit_matmul_integer(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *azt = c_in(n, 2), *bzt = c_in(n, 3);
	struct mm m = mm_dims(c_in(n, 0), c_in(n, 1));
	int opened = mm_open(c, n, 0, 1, &m, azt && mm_batched(azt, true, &m), bzt && mm_batched(bzt, false, &m));
	const char *az = azt ? mm_param("az", azt, true, &m) : "0";
	const char *bz = bzt ? mm_param("bz", bzt, false, &m) : "0";
	emit_open(&c->e, "for (int i = 0; i < %lld; i++) {", (long long)m.M);
	emit_line(&c->e, "for (int j = 0; j < %lld; j++)", (long long)m.N);
	emit_line(&c->e, "\tym[i * %lld + j] = 0;", (long long)m.N);
	emit_open(&c->e, "for (int k = 0; k < %lld; k++) {", (long long)m.K);
	emit_line(&c->e, "const int32_t av = (int32_t)am[i * %lld + k] - %s;", (long long)m.K, az);
	emit_line(&c->e, "for (int j = 0; j < %lld; j++)", (long long)m.N);
	emit_line(&c->e, "\tym[i * %lld + j] += av * ((int32_t)bm[k * %lld + j] - %s);", (long long)m.N,
		  (long long)m.N, bz);
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	close_n(c, opened);
	return 0;
}

/* The integer product requantized: round(acc * sa * sb / sy) + zy,
 * saturated. The multiplier is computed in the scales' type, as ONNX's
 * reference does. */
int c_emit_qlinear_matmul(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *sa = c_in(n, 1), *za = c_in(n, 2), *sb = c_in(n, 4), *zb = c_in(n, 5);
	const struct dlc_type *y = c_out(n, 0);
	enum dlc_dtype ts = sa->dtype;
	struct mm m = mm_dims(c_in(n, 0), c_in(n, 3));
	int opened = mm_open(c, n, 0, 3, &m, mm_batched(za, true, &m) || mm_batched(sa, true, &m),
			     mm_batched(zb, false, &m) || mm_batched(sb, false, &m));
	int64_t lo, hi;
	qrange(y->dtype, &lo, &hi);
	emit_open(&c->e, "for (int i = 0; i < %lld; i++) {", (long long)m.M);
	emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", (long long)m.N);
	emit_line(&c->e, "int32_t acc = 0;");
	emit_line(&c->e, "for (int k = 0; k < %lld; k++)", (long long)m.K);
	emit_line(&c->e, "\tacc += ((int32_t)am[i * %lld + k] - %s) * ((int32_t)bm[k * %lld + j] - %s);",
		  (long long)m.K, mm_param("za", za, true, &m), (long long)m.N, mm_param("zb", zb, false, &m));
	const char *mult = fmt("%s * %s", ld(ts, mm_param("sa", sa, true, &m)), ld(ts, mm_param("sb", sb, false, &m)));
	if (ts != DLC_F32) /* round each step to the scale type */
		mult = ld(ts, st(ts, fmt("%s / %s", ld(ts, st(ts, mult)), ld(ts, "sy[0]"))));
	else
		mult = fmt("%s / sy[0]", mult);
	emit_line(&c->e, "const float mult = %s;", mult);
	emit_line(&c->e, "double r = (double)acc * mult + zy[0];");
	emit_line(&c->e, "r = r >= %lld ? (r <= %lld ? r : %lld) : %lld;", (long long)lo, (long long)hi,
		  (long long)hi, (long long)lo);
	emit_line(&c->e, "ym[i * %lld + j] = (%s)rint(r);", (long long)m.N, c_type(y->dtype));
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	close_n(c, opened);
	return 0;
}

/* ---- batch normalization ---- */

/* Inference: y = (x - mean) * scale / sqrt(var + eps) + bias. Training:
 * the statistics of this batch (population variance) normalize x, and the
 * running ones are updated with momentum. */
int c_emit_batch_norm(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0);
	enum dlc_dtype dt = x->dtype, tp = c_in(n, 1)->dtype, tm = c_in(n, 3)->dtype;
	if (!is_floating(dt))
		return unsupported(c, n, dt);
	int64_t N = x->dims[0], C = x->dims[1], S = prod(x->dims, 2, x->rank);
	bool training = dlc_node_int(n, "training_mode");
	enum dlc_dtype cd = dt == DLC_F64 || tp == DLC_F64 || tm == DLC_F64 ? DLC_F64 : DLC_F32;
	const char *F = c_type(cd), *sq = cd == DLC_F64 ? "sqrt" : "sqrtf";
	const char *xi = fmt("(n * %lld + c) * %lld + i", (long long)C, (long long)S);
	emit_open(&c->e, "for (int c = 0; c < %lld; c++) {", (long long)C);
	if (!training) {
		emit_line(&c->e, "const %s s = %s / %s(%s + %s);", F, ld(tp, "scale[c]"), sq, ld(tm, "var[c]"),
			  flit(dlc_node_float(n, "epsilon"), cd));
		emit_line(&c->e, "const %s t = %s - %s * s;", F, ld(tp, "bias[c]"), ld(tm, "mean[c]"));
	} else {
		/* two passes in double: mean, then the variance around it */
		emit_line(&c->e, "double sum = 0, sq = 0;");
		emit_line(&c->e, "for (int n = 0; n < %lld; n++)", (long long)N);
		emit_line(&c->e, "\tfor (int i = 0; i < %lld; i++)", (long long)S);
		emit_line(&c->e, "\t\tsum += %s;", ld(dt, fmt("x[%s]", xi)));
		emit_line(&c->e, "const double mu = sum / %lld;", (long long)(N * S));
		emit_open(&c->e, "for (int n = 0; n < %lld; n++) {", (long long)N);
		emit_open(&c->e, "for (int i = 0; i < %lld; i++) {", (long long)S);
		emit_line(&c->e, "const double d = %s - mu;", ld(dt, fmt("x[%s]", xi)));
		emit_line(&c->e, "sq += d * d;");
		close_n(c, 2);
		emit_line(&c->e, "const double var_b = sq / %lld;", (long long)(N * S));
		emit_line(&c->e, "const %s s = (%s)(%s / sqrt(var_b + %s));", F, F, ld(tp, "scale[c]"),
			  flit(dlc_node_float(n, "epsilon"), DLC_F64));
		emit_line(&c->e, "const %s t = (%s)(%s - mu * s);", F, F, ld(tp, "bias[c]"));
		double mom = dlc_node_float(n, "momentum");
		if (c_out(n, 1))
			emit_line(&c->e, "rmean[c] = %s;", st(tm, fmt("(%s)(%s * %s + mu * %s)", c_type(c_compute_dtype(tm)),
								      ld(tm, "mean[c]"), flit(mom, DLC_F64),
								      flit(1.0 - mom, DLC_F64))));
		if (c_out(n, 2))
			emit_line(&c->e, "rvar[c] = %s;", st(tm, fmt("(%s)(%s * %s + var_b * %s)", c_type(c_compute_dtype(tm)),
								     ld(tm, "var[c]"), flit(mom, DLC_F64),
								     flit(1.0 - mom, DLC_F64))));
		if (!c_out(n, 1))
			emit_line(&c->e, "(void)mean;");
		if (!c_out(n, 2))
			emit_line(&c->e, "(void)var;");
	}
	emit_line(&c->e, "for (int n = 0; n < %lld; n++)", (long long)N);
	emit_line(&c->e, "\tfor (int i = 0; i < %lld; i++)", (long long)S);
	emit_line(&c->e, "\t\ty[%s] = %s;", xi, st(dt, fmt("%s * s + t", ld(dt, fmt("x[%s]", xi)))));
	emit_close(&c->e, NULL);
	return 0;
}

/* ---- quantization ---- */

/* How a scale (and zero point) maps onto x: per tensor, per axis, or in
 * blocks along the axis. Loops: outer dims, the axis (in blocks), inner. */
struct qmap {
	int64_t outer, D, inner, B, NB;
	int kind; /* 0 tensor, 1 axis, 2 blocked */
};

static void qmap_of(const struct dlc_node *n, const struct dlc_type *x, const struct dlc_type *s,
		    struct qmap *q)
{
	memset(q, 0, sizeof *q);
	int64_t bs = dlc_node_int(n, "block_size");
	if (dlc_type_numel(s) == 1 && (bs == 0 || s->rank == 0)) {
		q->outer = dlc_type_numel(x);
		return;
	}
	int axis = (int)dlc_node_int(n, "axis");
	if (axis < 0)
		axis += x->rank;
	q->outer = prod(x->dims, 0, axis);
	q->D = x->dims[axis];
	q->inner = prod(x->dims, axis + 1, x->rank);
	q->kind = bs ? 2 : 1;
	q->B = bs ? bs : 1;
	q->NB = bs ? (q->D + bs - 1) / bs : q->D;
}

/* Opens the loops and defines `xi` (x's index) and `si` (the parameter's);
 * returns the number of blocks opened. */
static int qmap_open(struct cgen *c, const struct qmap *q, const char **xi, const char **si)
{
	if (q->kind == 0) {
		emit_open(&c->e, "for (int i = 0; i < %lld; i++) {", (long long)q->outer);
		*xi = "i";
		*si = "0";
		return 1;
	}
	emit_open(&c->e, "for (int o = 0; o < %lld; o++) {", (long long)q->outer);
	if (q->kind == 1) {
		emit_open(&c->e, "for (int a = 0; a < %lld; a++) {", (long long)q->D);
		emit_open(&c->e, "for (int i = 0; i < %lld; i++) {", (long long)q->inner);
		*xi = fmt("(o * %lld + a) * %lld + i", (long long)q->D, (long long)q->inner);
		*si = "a";
		return 3;
	}
	/* blocked: the last block may be short */
	emit_open(&c->e, "for (int blk = 0; blk < %lld; blk++) {", (long long)q->NB);
	emit_line(&c->e, "const int end = blk * %lld + %lld < %lld ? blk * %lld + %lld : %lld;", (long long)q->B,
		  (long long)q->B, (long long)q->D, (long long)q->B, (long long)q->B, (long long)q->D);
	emit_open(&c->e, "for (int a = blk * %lld; a < end; a++) {", (long long)q->B);
	emit_open(&c->e, "for (int i = 0; i < %lld; i++) {", (long long)q->inner);
	*xi = fmt("(o * %lld + a) * %lld + i", (long long)q->D, (long long)q->inner);
	*si = fmt("(o * %lld + blk) * %lld + i", (long long)q->NB, (long long)q->inner);
	return 4;
}

/* y = saturate(rint(x / scale) + zero_point). The division happens in
 * f32 (f16/bf16 operands too, as ONNX Runtime does; double for i32 inputs)
 * or in the 'precision' attribute's type (f16/bf16: rounded to it). */
int c_emit_quantize_linear(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0), *s = c_in(n, 1), *z = c_in(n, 2), *y = c_out(n, 0);
	struct qmap q;
	qmap_of(n, x, s, &q);
	enum dlc_dtype div = DLC_F32;
	const char *prec = dlc_node_string(n, "precision");
	if (*prec)
		div = dlc_dtype_from_name(prec, strlen(prec));
	else if (x->dtype == DLC_I32 || x->dtype == DLC_F64)
		div = DLC_F64;
	int64_t lo, hi;
	qrange(y->dtype, &lo, &hi);
	const char *xi, *si;
	int opened = qmap_open(c, &q, &xi, &si);
	enum dlc_dtype cd = c_compute_dtype(div);
	const char *F = c_type(cd);
	const char *xv = x->dtype == DLC_I32 ? fmt("(double)x[%s]", xi) : ld(x->dtype, fmt("x[%s]", xi));
	const char *sv = ld(s->dtype, fmt("scale[%s]", si));
	const char *qv = fmt("(%s)%s / (%s)%s", F, xv, F, sv);
	if (div == DLC_F16 || div == DLC_BF16) /* the quotient rounded to the type */
		qv = ld(div, st(div, qv));
	if (dlc_dtype_is_minifloat(y->dtype)) {
		/* 8-bit floats take no zero point (it must be 0); E2M1 adds its own */
		if (y->dtype == DLC_F4E2M1) {
			emit_line(&c->e, "y[%s] = dlc_f_to_f4e2m1(%s%s);", xi, qv,
				  z ? fmt(" + %s", ld(z->dtype, fmt("zp[%s]", si))) : "");
		} else {
			if (z)
				emit_line(&c->e, "(void)zp;");
			emit_line(&c->e, "y[%s] = dlc_f_to_%s(%s, %d);", xi, dlc_dtype_name(y->dtype), qv,
				  (int)dlc_node_int(n, "saturate"));
		}
		close_n(c, opened);
		return 0;
	}
	emit_line(&c->e, "%s v = %s(%s)%s;", F, cd == DLC_F64 ? "rint" : "rintf", qv,
		  z ? fmt(" + %s", fmt("zp[%s]", si)) : "");
	/* NaN saturates low, as the reference's integer conversion does */
	emit_line(&c->e, "y[%s] = (%s)(v >= %lld ? (v <= %lld ? v : %lld) : %lld);", xi, c_type(y->dtype),
		  (long long)lo, (long long)hi, (long long)hi, (long long)lo);
	close_n(c, opened);
	return 0;
}

/* y = (x - zero_point) * scale, in float (double for i32 inputs). */
int c_emit_dequantize_linear(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0), *s = c_in(n, 1), *z = c_in(n, 2), *y = c_out(n, 0);
	struct qmap q;
	qmap_of(n, x, s, &q);
	const char *xi, *si;
	int opened = qmap_open(c, &q, &xi, &si);
	const char *v;
	if (dlc_dtype_is_minifloat(x->dtype)) { /* no zero point (it must be 0) */
		if (z)
			emit_line(&c->e, "(void)zp;");
		v = fmt("%s * %s", ld(x->dtype, fmt("x[%s]", xi)), ld(s->dtype, fmt("scale[%s]", si)));
	} else if (x->dtype == DLC_I32)
		v = fmt("(float)(((double)(float)x[%s]%s) * %s)", xi, z ? fmt(" - (double)zp[%s]", si) : "",
			ld(s->dtype, fmt("scale[%s]", si)));
	else
		v = fmt("((float)x[%s]%s) * %s", xi, z ? fmt(" - (float)zp[%s]", si) : "",
			ld(s->dtype, fmt("scale[%s]", si)));
	emit_line(&c->e, "y[%s] = %s;", xi, st(y->dtype, v));
	close_n(c, opened);
	return 0;
}

/* u8 quantization with the range of x (widened to include 0). */
int c_emit_dynamic_quantize_linear(struct cgen *c, const struct dlc_node *n)
{
	int64_t N = dlc_type_numel(c_in(n, 0));
	emit_line(&c->e, "float lo = 0, hi = 0;");
	emit_open(&c->e, "for (int i = 0; i < %lld; i++) {", (long long)N);
	emit_line(&c->e, "lo = x[i] < lo ? x[i] : lo;");
	emit_line(&c->e, "hi = x[i] > hi ? x[i] : hi;");
	emit_close(&c->e, NULL);
	emit_line(&c->e, "const float scale = (hi == lo ? 1.0f : hi - lo) / 255.0f;");
	emit_line(&c->e, "float zp = 0.0f - lo / scale;");
	emit_line(&c->e, "zp = rintf(zp < 0 ? 0 : zp > 255 ? 255 : zp);");
	emit_open(&c->e, "for (int i = 0; i < %lld; i++) {", (long long)N);
	emit_line(&c->e, "const float v = rintf(x[i] / scale) + zp;");
	emit_line(&c->e, "y[i] = (uint8_t)(v >= 0 ? (v <= 255 ? v : 255) : 0);");
	emit_close(&c->e, NULL);
	emit_line(&c->e, "y_scale[0] = scale;");
	emit_line(&c->e, "y_zp[0] = (uint8_t)zp;");
	return 0;
}

/* ---- sampling ---- */

/* Each roi's bins average (or take the max of) a grid of bilinear samples,
 * as ONNX's reference does (max mode takes the largest weighted corner). */
int c_emit_roi_align(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0), *y = c_out(n, 0);
	enum dlc_dtype dt = x->dtype;
	if (!is_floating(dt))
		return unsupported(c, n, dt);
	int64_t N = x->dims[0], C = x->dims[1], H = x->dims[2], W = x->dims[3];
	int64_t R = y->dims[0], OH = y->dims[2], OW = y->dims[3];
	int64_t sr = dlc_node_int(n, "sampling_ratio");
	bool half = !strcmp(dlc_node_string(n, "coordinate_transformation_mode"), "half_pixel");
	bool is_max = !strcmp(dlc_node_string(n, "mode"), "max");
	const char *F = ctype(dt);
	emit_open(&c->e, "for (int r = 0; r < %lld; r++) {", (long long)R);
	emit_line(&c->e, "int64_t bn = bi[r];");
	/* an out-of-range batch index reads nothing (the result stays 0) */
	emit_line(&c->e, "const bool ok = bn >= 0 && bn < %lld;", (long long)N);
	emit_line(&c->e, "if (!ok)");
	emit_line(&c->e, "\tbn = 0;");
	const char *sc = flit(dlc_node_float(n, "spatial_scale"), dt);
	const char *off = half ? fmt(" - %s", flit(0.5, dt)) : "";
	emit_line(&c->e, "const %s rx = %s * %s%s, ry = %s * %s%s;", F, ld(dt, "rois[r * 4]"), sc, off,
		  ld(dt, "rois[r * 4 + 1]"), sc, off);
	emit_line(&c->e, "%s rw = %s * %s%s - rx, rh = %s * %s%s - ry;", F, ld(dt, "rois[r * 4 + 2]"), sc, off,
		  ld(dt, "rois[r * 4 + 3]"), sc, off);
	if (!half) { /* malformed rois are forced to 1x1 */
		emit_line(&c->e, "rw = rw > 1 ? rw : 1;");
		emit_line(&c->e, "rh = rh > 1 ? rh : 1;");
	}
	emit_line(&c->e, "const %s bh = rh / %lld, bw = rw / %lld;", F, (long long)OH, (long long)OW);
	if (sr > 0) {
		emit_line(&c->e, "const int gh = %lld, gw = %lld;", (long long)sr, (long long)sr);
	} else {
		emit_line(&c->e, "const int gh = (int)%s(rh / %lld), gw = (int)%s(rw / %lld);", fn(dt, "ceil"),
			  (long long)OH, fn(dt, "ceil"), (long long)OW);
	}
	if (!is_max)
		emit_line(&c->e, "const %s count = gh * gw > 1 ? gh * gw : 1;", F);
	emit_open(&c->e, "for (int ch = 0; ch < %lld; ch++) {", (long long)C);
	emit_line(&c->e, "const %s *xc = x + (bn * %lld + ch) * %lld;", c_type(dt), (long long)C, (long long)(H * W));
	emit_open(&c->e, "for (int ph = 0; ph < %lld; ph++) {", (long long)OH);
	emit_open(&c->e, "for (int pw = 0; pw < %lld; pw++) {", (long long)OW);
	emit_line(&c->e, "%s acc = 0;", F);
	if (is_max)
		emit_line(&c->e, "bool any = false;");
	emit_open(&c->e, "for (int iy = 0; iy < gh; iy++) {");
	emit_line(&c->e, "%s yy = ry + ph * bh + (iy + %s) * bh / gh;", F, flit(0.5, dt));
	emit_open(&c->e, "for (int ix = 0; ix < gw; ix++) {");
	emit_line(&c->e, "%s xx = rx + pw * bw + (ix + %s) * bw / gw;", F, flit(0.5, dt));
	emit_line(&c->e, "%s v1 = 0, v2 = 0, v3 = 0, v4 = 0;", F);
	emit_open(&c->e, "if (!(yy < -1 || yy > %lld || xx < -1 || xx > %lld)) {", (long long)H, (long long)W);
	emit_line(&c->e, "yy = yy > 0 ? yy : 0;");
	emit_line(&c->e, "xx = xx > 0 ? xx : 0;");
	emit_line(&c->e, "int yl = (int)yy, xl = (int)xx, yh, xh;");
	emit_line(&c->e, "if (yl >= %lld) {", (long long)(H - 1));
	emit_line(&c->e, "\tyh = yl = %lld;", (long long)(H - 1));
	emit_line(&c->e, "\tyy = yl;");
	emit_line(&c->e, "} else {");
	emit_line(&c->e, "\tyh = yl + 1;");
	emit_line(&c->e, "}");
	emit_line(&c->e, "if (xl >= %lld) {", (long long)(W - 1));
	emit_line(&c->e, "\txh = xl = %lld;", (long long)(W - 1));
	emit_line(&c->e, "\txx = xl;");
	emit_line(&c->e, "} else {");
	emit_line(&c->e, "\txh = xl + 1;");
	emit_line(&c->e, "}");
	emit_line(&c->e, "const %s ly = yy - yl, lx = xx - xl, hy = 1 - ly, hx = 1 - lx;", F);
	emit_line(&c->e, "v1 = hy * hx * %s;", ld(dt, fmt("xc[yl * %lld + xl]", (long long)W)));
	emit_line(&c->e, "v2 = hy * lx * %s;", ld(dt, fmt("xc[yl * %lld + xh]", (long long)W)));
	emit_line(&c->e, "v3 = ly * hx * %s;", ld(dt, fmt("xc[yh * %lld + xl]", (long long)W)));
	emit_line(&c->e, "v4 = ly * lx * %s;", ld(dt, fmt("xc[yh * %lld + xh]", (long long)W)));
	emit_close(&c->e, NULL);
	if (is_max) {
		emit_line(&c->e, "%s v = v1 > v2 ? v1 : v2;", F);
		emit_line(&c->e, "v = v3 > v ? v3 : v;");
		emit_line(&c->e, "v = v4 > v ? v4 : v;");
		emit_line(&c->e, "acc = !any || v > acc ? v : acc;");
		emit_line(&c->e, "any = true;");
	} else {
		emit_line(&c->e, "acc += v1 + v2 + v3 + v4;");
	}
	close_n(c, 2);
	emit_line(&c->e, "y[((r * %lld + ch) * %lld + ph) * %lld + pw] = %s;", (long long)C, (long long)OH,
		  (long long)OW, st(dt, is_max ? "ok ? acc : 0" : "ok ? acc / count : 0"));
	close_n(c, 4);
	return 0;
}

/* Reflects src into the borders [lo, hi] (repeatedly, as ONNX's
 * reference) and assigns it to dst through `cast`. */
static void emit_reflect(struct cgen *c, enum dlc_dtype cd, const char *dst, const char *cast,
			 const char *src, double lo, double hi)
{
	const char *F = c_type(cd), *fl = cd == DLC_F64 ? "floor" : "floorf";
	const char *fm = cd == DLC_F64 ? "fmod" : "fmodf";
	char l[64], h[64], rng[64];
	c_float(l, sizeof l, lo, cd);
	c_float(h, sizeof h, hi, cd);
	c_float(rng, sizeof rng, hi - lo, cd);
	if (hi <= lo) { /* a single position */
		emit_line(&c->e, "%s = %s%s;", dst, cast, l);
		return;
	}
	emit_open(&c->e, "{");
	emit_line(&c->e, "%s fx = %s;", F, src);
	emit_open(&c->e, "if (fx < %s || fx > %s) {", l, h);
	emit_line(&c->e, "const %s dx = fx < %s ? %s - fx : fx - %s;", F, l, l, h);
	emit_line(&c->e, "const %s nr = %s(dx / %s), r = dx - nr * %s;", F, fl, rng, rng);
	emit_line(&c->e, "const bool even = %s(nr, 2) == 0;", fm);
	emit_line(&c->e, "fx = (fx < %s) == even ? %s + r : %s - r;", l, l, h);
	emit_close(&c->e, NULL);
	emit_line(&c->e, "%s = %sfx;", dst, cast);
	emit_close(&c->e, NULL);
}

/* Samples x at the grid's normalized coordinates (last grid dim: x, y[, z]
 * — the spatial dims in reverse) with nearest, N-linear or N-cubic
 * interpolation; taps outside go through padding_mode. */
int c_emit_grid_sample(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0), *g = c_in(n, 1), *y = c_out(n, 0);
	enum dlc_dtype dt = x->dtype, gt = g->dtype;
	if (!is_floating(dt))
		return unsupported(c, n, dt);
	int r = x->rank - 2;
	int64_t N = x->dims[0], C = x->dims[1];
	int64_t S = prod(x->dims, 2, x->rank), OS = prod(y->dims, 2, y->rank);
	bool ac = dlc_node_int(n, "align_corners");
	const char *mode = dlc_node_string(n, "mode"), *pm = dlc_node_string(n, "padding_mode");
	bool nearest = !strcmp(mode, "nearest"), cubic = !strcmp(mode, "cubic");
	bool zeros = !strcmp(pm, "zeros"), border = !strcmp(pm, "border");
	int taps = nearest ? 1 : cubic ? 4 : 2;
	/* computed in float (double for f64) */
	enum dlc_dtype cd = dt == DLC_F64 || gt == DLC_F64 ? DLC_F64 : DLC_F32;
	const char *F = c_type(cd);
	const char *fl = cd == DLC_F64 ? "floor" : "floorf";
	emit_open(&c->e, "for (int n = 0; n < %lld; n++) {", (long long)N);
	emit_open(&c->e, "for (int o = 0; o < %lld; o++) {", (long long)OS);
	/* per spatial dim d: continuous position p<d>, the taps' indices t<d>[]
	 * (clamped or reflected; -1 for zeros outside) and weights w<d>[] */
	for (int d = 0; d < r; d++) {
		int64_t len = x->dims[2 + d];
		const char *gv = ld(gt, fmt("grid[(n * %lld + o) * %d + %d]", (long long)OS, r, r - 1 - d));
		if (ac)
			emit_line(&c->e, "%s p%d = (%s + 1) / 2 * %lld;", F, d, gv, (long long)(len - 1));
		else
			emit_line(&c->e, "%s p%d = ((%s + 1) * %lld - 1) / 2;", F, d, gv, (long long)len);
		/* the border positions for reflection and the out-of-range test */
		double blo = ac ? 0 : -0.5, bhi = ac ? (double)(len - 1) : (double)len - 0.5;
		char lo[64], hi[64];
		c_float(lo, sizeof lo, blo, cd);
		c_float(hi, sizeof hi, bhi, cd);
		if (nearest)
			emit_line(&c->e, "p%d = %s(p%d);", d, cd == DLC_F64 ? "rint" : "rintf", d);
		if (!zeros) {
			emit_open(&c->e, "if (p%d < %s || p%d > %s) {", d, lo, d, hi);
			if (border) {
				emit_line(&c->e, "p%d = p%d < 0 ? 0 : p%d > %lld ? %lld : p%d;", d, d, d,
					  (long long)(len - 1), (long long)(len - 1), d);
			} else {
				emit_reflect(c, cd, fmt("p%d", d), "", fmt("p%d", d), blo, bhi);
			}
			emit_close(&c->e, NULL);
		}
		emit_line(&c->e, "int t%d[%d];", d, taps);
		emit_line(&c->e, "%s w%d[%d];", F, d, taps);
		if (nearest) {
			emit_line(&c->e, "t%d[0] = (int)p%d;", d, d);
			emit_line(&c->e, "w%d[0] = 1;", d);
		} else {
			emit_line(&c->e, "const %s f%d = %s(p%d), u%d = p%d - f%d;", F, d, fl, d, d, d, d);
			if (cubic) {
				/* Keys cubic convolution with a = -0.75 */
				emit_line(&c->e, "w%d[0] = ((-0.75f * (u%d + 1) + 3.75f) * (u%d + 1) - 6) * (u%d + 1) + 3;", d, d, d, d);
				emit_line(&c->e, "w%d[1] = (1.25f * u%d - 2.25f) * u%d * u%d + 1;", d, d, d, d);
				emit_line(&c->e, "w%d[2] = (1.25f * (1 - u%d) - 2.25f) * (1 - u%d) * (1 - u%d) + 1;", d, d, d, d);
				emit_line(&c->e, "w%d[3] = ((-0.75f * (2 - u%d) + 3.75f) * (2 - u%d) - 6) * (2 - u%d) + 3;", d, d, d, d);
			} else {
				emit_line(&c->e, "w%d[0] = 1 - u%d;", d, d);
				emit_line(&c->e, "w%d[1] = u%d;", d, d);
			}
			emit_line(&c->e, "for (int k = 0; k < %d; k++)", taps);
			emit_line(&c->e, "\tt%d[k] = (int)f%d + k%s;", d, d, cubic ? " - 1" : "");
		}
		/* each tap's index inside [0, len), or -1 (zeros) */
		emit_open(&c->e, "for (int k = 0; k < %d; k++) {", taps);
		if (zeros) {
			emit_line(&c->e, "if (t%d[k] < 0 || t%d[k] >= %lld)", d, d, (long long)len);
			emit_line(&c->e, "\tt%d[k] = -1;", d);
		} else if (border) {
			emit_line(&c->e, "t%d[k] = t%d[k] < 0 ? 0 : t%d[k] > %lld ? %lld : t%d[k];", d, d, d,
				  (long long)(len - 1), (long long)(len - 1), d);
		} else {
			emit_line(&c->e, "if (t%d[k] < 0 || t%d[k] >= %lld)", d, d, (long long)len);
			emit_reflect(c, cd, fmt("t%d[k]", d), "(int)", fmt("(%s)t%d[k]", F, d), blo, bhi);
		}
		emit_close(&c->e, NULL);
	}
	emit_open(&c->e, "for (int ch = 0; ch < %lld; ch++) {", (long long)C);
	emit_line(&c->e, "const %s *xc = x + (n * %lld + ch) * %lld;", c_type(dt), (long long)C, (long long)S);
	emit_line(&c->e, "%s acc = 0;", F);
	for (int d = 0; d < r; d++) {
		emit_open(&c->e, "for (int k%d = 0; k%d < %d; k%d++) {", d, d, taps, d);
		if (zeros) {
			emit_line(&c->e, "if (t%d[k%d] < 0)", d, d);
			emit_line(&c->e, "\tcontinue;");
		}
	}
	struct dlc_strbuf w = {0}, idx = {0};
	int64_t stride = 1;
	for (int d = r - 1; d >= 0; d--) {
		dlc_sb_printf(&w, "%sw%d[k%d]", w.len ? " * " : "", d, d);
		if (stride == 1)
			dlc_sb_printf(&idx, "%st%d[k%d]", idx.len ? " + " : "", d, d);
		else
			dlc_sb_printf(&idx, "%st%d[k%d] * %lld", idx.len ? " + " : "", d, d, (long long)stride);
		stride *= x->dims[2 + d];
	}
	emit_line(&c->e, "acc += %s * %s;", w.s ? w.s : "1", ld(dt, fmt("xc[%s]", idx.s ? idx.s : "0")));
	dlc_sb_free(&w);
	dlc_sb_free(&idx);
	close_n(c, r);
	emit_line(&c->e, "y[(n * %lld + ch) * %lld + o] = %s;", (long long)C, (long long)OS, st(dt, "acc"));
	close_n(c, 3);
	return 0;
}

/* The sampling grid of an affine transform: theta (N x r x r+1) applied to
 * the normalized coordinates (x, y[, z], 1) of every output position,
 * computed in double. */
int c_emit_affine_grid(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *th = c_in(n, 0), *y = c_out(n, 0);
	enum dlc_dtype dt = th->dtype;
	if (!is_floating(dt))
		return unsupported(c, n, dt);
	int r = y->rank - 2;
	bool ac = dlc_node_int(n, "align_corners");
	int64_t N = y->dims[0], OS = prod(y->dims, 1, 1 + r);
	emit_line(&c->e, "(void)size;");
	emit_open(&c->e, "for (int n = 0; n < %lld; n++) {", (long long)N);
	for (int d = 0; d < r; d++)
		emit_open(&c->e, "for (int o%d = 0; o%d < %lld; o%d++) {", d, d, (long long)y->dims[1 + d], d);
	/* coordinate of spatial dim d: in the homogeneous vector, x (the last
	 * spatial dim) comes first */
	emit_line(&c->e, "double v[%d];", r + 1);
	for (int d = 0; d < r; d++) {
		int64_t len = y->dims[1 + d];
		int slot = r - 1 - d;
		if (ac)
			emit_line(&c->e, "v[%d] = %s;", slot, len > 1 ? fmt("-1 + o%d * (2.0 / %lld)", d, (long long)(len - 1)) : "-1");
		else
			emit_line(&c->e, "v[%d] = -1 + (2 * o%d + 1) / (double)%lld;", slot, d, (long long)len);
	}
	emit_line(&c->e, "v[%d] = 1;", r);
	emit_line(&c->e, "const int at = n * %lld + %s;", (long long)OS, index_of("o", r, y->dims + 1));
	emit_open(&c->e, "for (int i = 0; i < %d; i++) {", r);
	emit_line(&c->e, "double acc = 0;");
	emit_line(&c->e, "for (int j = 0; j < %d; j++)", r + 1);
	emit_line(&c->e, "\tacc += (double)%s * v[j];", ld(dt, fmt("theta[(n * %d + i) * %d + j]", r, r + 1)));
	emit_line(&c->e, "y[at * %d + i] = %s;", r, st(dt, fmt("(%s)acc", ctype(dt))));
	emit_close(&c->e, NULL);
	close_n(c, r + 1);
	return 0;
}
