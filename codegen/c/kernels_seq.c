/* C kernels of the recurrent, attention, signal and loss ops. They are the
 * readable reference forms: loops over time steps, heads and frequencies,
 * every size a literal. f16/bf16 tensors are computed in float (loaded and
 * stored through c_load/c_store); sums (dot products, softmax, DFT, loss
 * reductions) accumulate in float or double, and softmaxes subtract the
 * row maximum first. Sizes come from the resolvers of ir/shape_seq.c, the
 * same code that inferred the result types. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "codegen/c/c.h"
#include "codegen/c/fast.h"
#include "codegen/scalar.h"
#include "codegen/c/loops.h"
#include "ir/shape_seq.h"

#define LL(x) ((long long)(x))

/* ---- expression helpers ---- */

/* Rotating buffers for expressions built while emitting one line or two:
 * a string kept longer is copied into a local array. */
static char *scratch(void)
{
	static char bufs[64][512];
	static int next;
	return bufs[next++ & 63];
}

static const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static const char *fmt(const char *f, ...)
{
	char *b = scratch();
	va_list ap;
	va_start(ap, f);
	vsnprintf(b, 512, f, ap);
	va_end(ap);
	return b;
}

/* The element `f...` of a tensor of dtype t, as a compute-type value. */
static const char *ld(enum dlc_dtype t, const char *f, ...) __attribute__((format(printf, 2, 3)));
static const char *ld(enum dlc_dtype t, const char *f, ...)
{
	char e[512];
	va_list ap;
	va_start(ap, f);
	vsnprintf(e, sizeof e, f, ap);
	va_end(ap);
	return c_load(scratch(), 512, t, e);
}

/* acc += the dot product of row[0, K) and vec[0, K) (vec of the compute
 * type T, row of the weights' dtype t). Long ones are summed in 16 lanes,
 * a fixed order the C compiler vectorizes without reassociating anything
 * itself (a single running sum is a dependency chain it must keep). */
static void emit_dot(struct cgen *c, const char *T, enum dlc_dtype t, const char *row, const char *vec,
		     int64_t K)
{
	enum { L = 16 };
	int64_t full = K >= 2 * L ? K / L * L : 0;
	if (full) {
		emit_open(&c->e, "{");
		emit_line(&c->e, "%s lane[%d] = {0};", T, L);
		emit_line(&c->e, "for (int k = 0; k < %lld; k += %d)", LL(full), L);
		emit_line(&c->e, "	for (int l = 0; l < %d; l++)", L);
		emit_line(&c->e, "		lane[l] += %s * %s[k + l];", ld(t, "%s[k + l]", row), vec);
		emit_line(&c->e, "for (int l = 0; l < %d; l++)", L);
		emit_line(&c->e, "	acc += lane[l];");
		emit_close(&c->e, NULL);
	}
	if (full < K) {
		emit_line(&c->e, "for (int k = %lld; k < %lld; k++)", LL(full), LL(K));
		emit_line(&c->e, "	acc += %s * %s[k];", ld(t, "%s[k]", row), vec);
	}
}

/* A compute-type expression converted for storage as dtype t. */
static const char *sto(enum dlc_dtype t, const char *f, ...) __attribute__((format(printf, 2, 3)));
static const char *sto(enum dlc_dtype t, const char *f, ...)
{
	char e[512];
	va_list ap;
	va_start(ap, f);
	vsnprintf(e, sizeof e, f, ap);
	va_end(ap);
	return c_store(scratch(), 512, t, e);
}

/* "b * 120 + h * 8 + i": (var, coefficient) pairs ending in NULL. */
#define AFF(c0, ...) c_affine_pairs(scratch(), 512, (int64_t)(c0), __VA_ARGS__, NULL)

/* A float literal of the compute type a ("0.5f" or "0.5"). */
static const char *flit(double v, enum dlc_dtype a)
{
	char *b = scratch();
	c_float(b, 512, v, a);
	return b;
}

/* The math function of the compute type: "dlc_expf" or "exp"
 * (scalar_math_fn). */
static const char *mf(enum dlc_dtype a, const char *name)
{
	return scalar_math_fn(a, name, scratch(), 512);
}

static int64_t prod(const int64_t *d, int lo, int hi)
{
	int64_t p = 1;
	for (int i = lo; i < hi; i++)
		p *= d[i];
	return p;
}

static int64_t max1(int64_t v)
{
	return v > 0 ? v : 1;
}

static int want_float_c(struct cgen *c, const struct dlc_node *n, enum dlc_dtype t)
{
	if (!dlc_dtype_is_float(t) || !c_type(t))
		return c_error(c, n, "element type %s is not supported by the C target", dlc_dtype_name(t));
	return 0;
}

/* A compute-type value rounded through dtype t, where the op defines an
 * intermediate tensor of t (f16/bf16 only; no-op otherwise). */
static const char *rnd(enum dlc_dtype t, const char *e)
{
	if (t != DLC_F16 && t != DLC_BF16)
		return e;
	return ld(t, "%s", sto(t, "%s", e));
}

/* ---- rnn, gru, lstm ---- */

static const char *act_expr(const struct dlc_rnn_act *a, const char *v, enum dlc_dtype at)
{
	const char *al = flit(a->alpha, at), *be = flit(a->beta, at);
	const char *one = flit(1, at), *zero = flit(0, at);
	switch (a->fn) {
	case DLC_RNN_RELU: return fmt("(%s > %s ? %s : %s)", v, zero, v, zero);
	case DLC_RNN_TANH: return fmt("%s(%s)", mf(at, "tanh"), v);
	case DLC_RNN_SIGMOID: return fmt("%s / (%s + %s(-%s))", one, one, mf(at, "exp"), v);
	case DLC_RNN_AFFINE: return fmt("(%s * %s + %s)", al, v, be);
	case DLC_RNN_LEAKY_RELU: return fmt("(%s >= %s ? %s : %s * %s)", v, zero, v, al, v);
	case DLC_RNN_THRESHOLDED_RELU: return fmt("(%s >= %s ? %s : %s)", v, al, v, zero);
	case DLC_RNN_SCALED_TANH: return fmt("%s * %s(%s * %s)", al, mf(at, "tanh"), be, v);
	case DLC_RNN_HARD_SIGMOID:
		return fmt("%s(%s(%s * %s + %s, %s), %s)", mf(at, "fmin"), mf(at, "fmax"), al, v, be, zero, one);
	case DLC_RNN_ELU: return fmt("(%s >= %s ? %s : %s * (%s(%s) - %s))", v, zero, v, al, mf(at, "exp"), v, one);
	case DLC_RNN_SOFTSIGN: return fmt("%s / (%s + %s(%s))", v, one, mf(at, "fabs"), v);
	case DLC_RNN_SOFTPLUS: return fmt("%s(%s(%s))", mf(at, "log1p"), mf(at, "exp"), v);
	}
	return v;
}

/* `T name = pre;` clipped to [-clip, clip] when the node has a clip. */
static void pre_act(struct cgen *c, const char *T, const char *name, const char *pre,
		    const struct dlc_attr *clip, enum dlc_dtype at)
{
	emit_line(&c->e, "%s %s = %s;", T, name, pre);
	if (clip)
		emit_line(&c->e, "%s = %s(%s(%s, -%s), %s);", name, mf(at, "fmin"), mf(at, "fmax"), name,
			  flit(clip->u.f, at), flit(clip->u.f, at));
}

/* One direction at a time, one batch row at a time (rows are independent):
 * gx = W x_t + Wb and gh = R h + Rb, then the gate equations of the ONNX
 * spec. Steps past a row's sequence_lens leave Y zero. */
int c_emit_rnn(struct cgen *c, const struct dlc_node *n)
{
	struct dlc_rnn r;
	if (dlc_node_rnn(c->g, n, &r, c->d) < 0)
		return -1;
	enum dlc_dtype t = c_in(n, 0)->dtype, at = c_compute_dtype(t);
	if (want_float_c(c, n, t) < 0)
		return -1;
	const char *T = c_type(at), *ST = c_type(t);
	bool gru = n->op == DLC_OP_GRU, lstm = n->op == DLC_OP_LSTM;
	bool has_b = c_in(n, 3), has_sl = c_in(n, 4), has_h0 = c_in(n, 5);
	bool has_c0 = lstm && c_in(n, 6), has_p = lstm && c_in(n, 7);
	bool has_yh = c_out(n, 1), has_yc = lstm && c_out(n, 2);
	bool lbr = gru && dlc_node_int(n, "linear_before_reset");
	bool coupled = lstm && dlc_node_int(n, "input_forget");
	const struct dlc_attr *clip = dlc_node_attr(n, "clip");
	int64_t S = r.seq, B = r.batch, I = r.input, H = r.hidden, GH = r.gates * r.hidden, D = r.dirs;
	/* the recurrent rows needed before the gates: GRU's hidden gate reads
	 * r (.) h (unless linear_before_reset), so its rows come later */
	int64_t NR = gru && !lbr ? 2 * H : GH;
	/* the fast kernel: W' and R' packed per direction (codegen/c/fast.c) */
	const struct c_fast_plan *fast = c_fast_of(c, n);
	int64_t per_w = 0, per_r = 0, per_zr = 0;
	if (fast) {
		per_w = c_fast_row_product_numel(fast->isa, I, GH);
		per_zr = c_fast_row_product_numel(fast->isa, H, NR);
		per_r = per_zr + (NR < GH ? c_fast_row_product_numel(fast->isa, H, GH - NR) : 0);
	}
	char zero[16], one[16];
	c_float(zero, sizeof zero, 0, at);
	c_float(one, sizeof one, 1, at);
	for (int d = 0; d < D; d++) {
		bool rev = D == 2 ? d == 1 : r.reverse;
		const struct dlc_rnn_act *f = &r.act[d][0], *g = &r.act[d][1], *hf = &r.act[d][2];
		emit_line(&c->e, "/* direction %d: %s */", d, rev ? "reverse" : "forward");
		emit_open(&c->e, "for (int b = 0; b < %lld; b++) {", LL(B));
		emit_line(&c->e, "%s h[%lld], gx[%lld], gh[%lld];", T, LL(max1(H)), LL(max1(GH)), LL(max1(GH)));
		if (lstm)
			emit_line(&c->e, "%s cs[%lld];", T, LL(max1(H)));
		if (gru && !lbr)
			emit_line(&c->e, "%s rh[%lld];", T, LL(max1(H)));
		if (has_sl) {
			emit_line(&c->e, "int len = seq_lens[b];");
			emit_line(&c->e, "len = len < 0 ? 0 : len > %lld ? %lld : len;", LL(S), LL(S));
		} else {
			emit_line(&c->e, "const int len = %lld;", LL(S));
		}
		/* initial and final states: [dirs, batch, hidden] or [batch, dirs, hidden] */
		char st_idx[128];
		snprintf(st_idx, sizeof st_idx, "%s",
			 r.layout ? AFF(d * H, "b", LL(D * H), "j", 1LL) : AFF(d * B * H, "b", LL(H), "j", 1LL));
		emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", LL(H));
		emit_line(&c->e, "h[j] = %s;", has_h0 ? ld(t, "h0[%s]", st_idx) : zero);
		if (lstm)
			emit_line(&c->e, "cs[j] = %s;", has_c0 ? ld(t, "c0[%s]", st_idx) : zero);
		emit_close(&c->e, NULL);
		emit_open(&c->e, "for (int s = 0; s < len; s++) {");
		emit_line(&c->e, "const int t = %s;", rev ? "len - 1 - s" : "s");
		emit_line(&c->e, "const %s *xt = x + %s;", ST,
			  r.layout ? AFF(0, "b", LL(S * I), "t", LL(I)) : AFF(0, "t", LL(B * I), "b", LL(I)));
		if (at == t) {
			emit_line(&c->e, "const %s *xv = xt;", T);
		} else { /* x_t in the compute type, once per step */
			emit_line(&c->e, "%s xv[%lld];", T, LL(I));
			emit_line(&c->e, "for (int k = 0; k < %lld; k++)", LL(I));
			emit_line(&c->e, "\txv[k] = %s;", ld(t, "xt[k]"));
		}
		if (fast) { /* gx = x_t W' + Wb, gh = h R' + Rb: W' and R' packed */
			c_fast_emit_row_product(c, fast, "xv", d ? fmt("w + %lld", LL(d * per_w)) : "w", "gx", I, GH);
			c_fast_emit_row_product(c, fast, "h", d ? fmt("r + %lld", LL(d * per_r)) : "r", "gh", H, NR);
			if (has_b) {
				emit_line(&c->e, "for (int j = 0; j < %lld; j++)", LL(GH));
				emit_line(&c->e, "	gx[j] += bias[%s];", AFF(d * 2 * GH, "j", 1LL));
				emit_line(&c->e, "for (int j = 0; j < %lld; j++)", LL(NR));
				emit_line(&c->e, "	gh[j] += bias[%s];", AFF(d * 2 * GH + GH, "j", 1LL));
			}
		} else {
			/* gx = W x_t + Wb */
			emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", LL(GH));
			emit_line(&c->e, "const %s *wj = w + %s;", ST, AFF(d * GH * I, "j", LL(I)));
			emit_line(&c->e, "%s acc = %s;", T, has_b ? ld(t, "bias[%s]", AFF(d * 2 * GH, "j", 1LL)) : zero);
			emit_dot(c, T, t, "wj", "xv", I);
			emit_line(&c->e, "gx[j] = acc;");
			emit_close(&c->e, NULL);
			/* gh = R h + Rb */
			emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", LL(NR));
			emit_line(&c->e, "const %s *rj = r + %s;", ST, AFF(d * GH * H, "j", LL(H)));
			emit_line(&c->e, "%s acc = %s;", T, has_b ? ld(t, "bias[%s]", AFF(d * 2 * GH + GH, "j", 1LL)) : zero);
			emit_dot(c, T, t, "rj", "h", H);
			emit_line(&c->e, "gh[j] = acc;");
			emit_close(&c->e, NULL);
		}
		if (n->op == DLC_OP_RNN) {
			emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", LL(H));
			pre_act(c, T, "v", "gx[j] + gh[j]", clip, at);
			emit_line(&c->e, "h[j] = %s;", act_expr(f, "v", at));
			emit_close(&c->e, NULL);
		} else if (gru) {
			/* z and r (kept in gx[0, 2H)) */
			emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", LL(2 * H));
			pre_act(c, T, "v", "gx[j] + gh[j]", clip, at);
			emit_line(&c->e, "gx[j] = %s;", act_expr(f, "v", at));
			emit_close(&c->e, NULL);
			if (!lbr) {
				emit_line(&c->e, "for (int j = 0; j < %lld; j++)", LL(H));
				emit_line(&c->e, "\trh[j] = gx[%s] * h[j];", AFF(H, "j", 1LL));
			}
			if (!lbr && fast) { /* R's hidden-gate columns, packed after the others */
				c_fast_emit_row_product(c, fast, "rh", fmt("r + %lld", LL(d * per_r + per_zr)),
							fmt("gh + %lld", LL(2 * H)), H, H);
				if (has_b) {
					emit_line(&c->e, "for (int j = 0; j < %lld; j++)", LL(H));
					emit_line(&c->e, "\tgh[%s] += bias[%s];", AFF(2 * H, "j", 1LL),
						  AFF(d * 2 * GH + GH + 2 * H, "j", 1LL));
				}
			} else if (!lbr) {
				emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", LL(H));
				emit_line(&c->e, "const %s *rj = r + %s;", ST, AFF(d * GH * H + 2 * H * H, "j", LL(H)));
				emit_line(&c->e, "%s acc = %s;", T,
					  has_b ? ld(t, "bias[%s]", AFF(d * 2 * GH + GH + 2 * H, "j", 1LL)) : zero);
				emit_dot(c, T, t, "rj", "rh", H);
				emit_line(&c->e, "gh[%s] = acc;", AFF(2 * H, "j", 1LL));
				emit_close(&c->e, NULL);
			}
			emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", LL(H));
			const char *gj = AFF(2 * H, "j", 1LL), *rj = AFF(H, "j", 1LL);
			pre_act(c, T, "v", lbr ? fmt("gx[%s] + gx[%s] * gh[%s]", gj, rj, gj) : fmt("gx[%s] + gh[%s]", gj, gj),
				clip, at);
			emit_line(&c->e, "const %s hn = %s;", T, act_expr(g, "v", at));
			emit_line(&c->e, "h[j] = (%s - gx[j]) * hn + gx[j] * h[j];", one);
			emit_close(&c->e, NULL);
		} else {
			/* gates i, o, f, c in that order */
			emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", LL(H));
			/* peepholes: P holds i, o, f */
			char pi[160] = "", po[160] = "", pf[160] = "";
			if (has_p) {
				snprintf(pi, sizeof pi, " + %s * cs[j]", ld(t, "p[%s]", AFF(d * 3 * H, "j", 1LL)));
				snprintf(po, sizeof po, " + %s * cs[j]", ld(t, "p[%s]", AFF(d * 3 * H + H, "j", 1LL)));
				snprintf(pf, sizeof pf, " + %s * cs[j]", ld(t, "p[%s]", AFF(d * 3 * H + 2 * H, "j", 1LL)));
			}
			pre_act(c, T, "vi", fmt("gx[j] + gh[j]%s", pi), clip, at);
			emit_line(&c->e, "const %s ig = %s;", T, act_expr(f, "vi", at));
			if (coupled) {
				emit_line(&c->e, "const %s fg = %s - ig; /* input_forget: coupled gates */", T, one);
			} else {
				const char *fj = AFF(2 * H, "j", 1LL);
				pre_act(c, T, "vf", fmt("gx[%s] + gh[%s]%s", fj, fj, pf), clip, at);
				emit_line(&c->e, "const %s fg = %s;", T, act_expr(f, "vf", at));
			}
			const char *cj = AFF(3 * H, "j", 1LL), *oj = AFF(H, "j", 1LL);
			pre_act(c, T, "vc", fmt("gx[%s] + gh[%s]", cj, cj), clip, at);
			emit_line(&c->e, "cs[j] = fg * cs[j] + ig * %s;", act_expr(g, "vc", at));
			pre_act(c, T, "vo", fmt("gx[%s] + gh[%s]%s", oj, oj, po), clip, at);
			emit_line(&c->e, "const %s og = %s;", T, act_expr(f, "vo", at));
			/* the cell state itself is not clipped (as in ONNX Runtime) */
			emit_line(&c->e, "h[j] = og * %s;", act_expr(hf, "cs[j]", at));
			emit_close(&c->e, NULL);
		}
		char yi[128];
		snprintf(yi, sizeof yi, "%s",
			 r.layout ? AFF(d * H, "b", LL(S * D * H), "t", LL(D * H), "j", 1LL)
				  : AFF(d * B * H, "t", LL(D * B * H), "b", LL(H), "j", 1LL));
		emit_line(&c->e, "for (int j = 0; j < %lld; j++)", LL(H));
		emit_line(&c->e, "\ty[%s] = %s;", yi, sto(t, "h[j]"));
		emit_close(&c->e, NULL);
		if (has_sl && (has_yh || has_yc)) {
			emit_open(&c->e, "if (len == 0) { /* an empty sequence ends in zero states (as in ONNX Runtime) */");
			emit_line(&c->e, "for (int j = 0; j < %lld; j++)", LL(H));
			emit_line(&c->e, "\t%s = %s;", lstm ? "h[j] = cs[j]" : "h[j]", zero);
			emit_close(&c->e, NULL);
		}
		if (has_sl) {
			emit_line(&c->e, "for (int t = len; t < %lld; t++) /* past the row's length */", LL(S));
			emit_line(&c->e, "\tfor (int j = 0; j < %lld; j++)", LL(H));
			emit_line(&c->e, "\t\ty[%s] = %s;", yi, sto(t, "%s", zero));
		}
		if (has_yh || has_yc) {
			emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", LL(H));
			if (has_yh)
				emit_line(&c->e, "y_h[%s] = %s;", st_idx, sto(t, "h[j]"));
			if (has_yc)
				emit_line(&c->e, "y_c[%s] = %s;", st_idx, sto(t, "cs[j]"));
			emit_close(&c->e, NULL);
		}
		emit_close(&c->e, NULL);
	}
	return 0;
}

/* ---- attention ---- */

/* For each (batch, query head, query): scores against every key (the past
 * cache first), softcap, the additive bias of the mask, causal frontier,
 * window and padding, a max-subtracted softmax, and the weighted sum of
 * values. A row whose every key is masked comes out 0. */
int c_emit_attention(struct cgen *c, const struct dlc_node *n)
{
	struct dlc_attention a;
	if (dlc_node_attention(c->g, n, &a, c->d) < 0)
		return -1;
	enum dlc_dtype qt = c_in(n, 0)->dtype, vt = c_in(n, 2)->dtype;
	if (want_float_c(c, n, qt) < 0 || want_float_c(c, n, vt) < 0)
		return -1;
	const struct dlc_type *mt = c_in(n, 3);
	bool past = c_in(n, 4), nonpad = c_in(n, 6);
	bool pres_k = c_out(n, 1), pres_v = c_out(n, 2), qk = c_out(n, 3);
	const struct dlc_attr *sp = dlc_node_attr(n, "softmax_precision");
	/* softmax in double when asked (or for f64), else in float */
	enum dlc_dtype at = qt == DLC_F64 || (sp && sp->u.i == 11) ? DLC_F64 : DLC_F32;
	enum dlc_dtype dt = c_compute_dtype(qt); /* the dot products' type */
	const char *A = c_type(at), *QS = c_type(qt), *VS = c_type(vt);
	int64_t B = a.batch, HQ = a.q_heads, HK = a.kv_heads, SQ = a.q_len, SK = a.kv_len;
	int64_t P = a.past_len, T = a.total_len, DK = a.head_size, DV = a.v_head_size, G = HQ / HK;
	int64_t mode = dlc_node_int(n, "qk_matmul_output_mode");
	bool causal = dlc_node_int(n, "is_causal");
	int64_t lw = dlc_node_int(n, "left_window_size"), rw = dlc_node_int(n, "right_window_size");
	float cap = dlc_node_float(n, "softcap");
	const struct dlc_attr *sa = dlc_node_attr(n, "scale");
	double scale = sa ? sa->u.f : 1.0 / sqrt((double)DK);
	/* where a K or V row (b, hk, position j of the current block) starts */
	char krow[128], vrow[128];
	snprintf(krow, sizeof krow, "%s",
		 a.three_d ? AFF(0, "b", LL(SK * HK * DK), "jj", LL(HK * DK), "hk", LL(DK))
			   : AFF(0, "b", LL(HK * SK * DK), "hk", LL(SK * DK), "jj", LL(DK)));
	snprintf(vrow, sizeof vrow, "%s",
		 a.three_d ? AFF(0, "b", LL(SK * HK * DV), "jj", LL(HK * DV), "hk", LL(DV))
			   : AFF(0, "b", LL(HK * SK * DV), "hk", LL(SK * DV), "jj", LL(DV)));
	if (pres_k || pres_v) {
		emit_line(&c->e, "/* present key and value: the past, then the current block */");
		emit_open(&c->e, "for (int b = 0; b < %lld; b++) {", LL(B));
		emit_open(&c->e, "for (int hk = 0; hk < %lld; hk++) {", LL(HK));
		for (int w = 0; w < 2; w++) {
			if (!(w ? pres_v : pres_k))
				continue;
			const char *dst = w ? "present_value" : "present_key", *src = w ? "past_value" : "past_key";
			const char *cur = w ? "v" : "k", *ty = w ? VS : QS, *row = w ? vrow : krow;
			int64_t hd = w ? DV : DK;
			if (past && P)
				emit_line(&c->e, "memcpy(%s + %s, %s + %s, %lld * sizeof(%s));", dst,
					  AFF(0, "b", LL(HK * T * hd), "hk", LL(T * hd)), src,
					  AFF(0, "b", LL(HK * P * hd), "hk", LL(P * hd)), LL(P * hd), ty);
			emit_line(&c->e, "for (int jj = 0; jj < %lld; jj++)", LL(SK));
			emit_line(&c->e, "\tmemcpy(%s + %s, %s + %s, %lld * sizeof(%s));", dst,
				  AFF(P * hd, "b", LL(HK * T * hd), "hk", LL(T * hd), "jj", LL(hd)), cur, row,
				  LL(hd), ty);
		}
		emit_close(&c->e, NULL);
		emit_close(&c->e, NULL);
	}
	if (past && !P)
		emit_line(&c->e, "(void)past_key;\n\t(void)past_value; /* empty */");
	emit_open(&c->e, "for (int b = 0; b < %lld; b++) {", LL(B));
	/* the count of valid keys before the query block (causal and window
	 * frontier): past length, or nonpad_kv_seqlen - q length */
	if (nonpad)
		emit_line(&c->e, "const int64_t valid = nonpad[b];");
	if (causal || lw >= 0 || rw >= 0) {
		if (nonpad)
			emit_line(&c->e, "const int64_t off = valid - %lld;", LL(SQ));
		else
			emit_line(&c->e, "const int64_t off = %lld;", LL(P));
	}
	emit_open(&c->e, "for (int h = 0; h < %lld; h++) {", LL(HQ));
	if (G > 1)
		emit_line(&c->e, "const int hk = h / %lld; /* the shared key/value head */", LL(G));
	else
		emit_line(&c->e, "const int hk = h;");
	const struct c_fast_plan *fast = c_fast_of(c, n);
	/* the weighted sums of (b, h) as one product P V, the probabilities
	 * written over the scores (4-D only: rows of y dv apart) */
	bool wsum = fast && fast->dv > 0;
	if (fast) { /* the scores of (b, h): Q K' by the blocked sgemm */
		c_fast_emit_scores(c, n,
				   fmt("q + %s", a.three_d ? AFF(0, "b", LL(SQ * HQ * DK), "h", LL(DK))
							 : AFF(0, "b", LL(HQ * SQ * DK), "h", LL(SQ * DK))),
				   fmt("k + %s", a.three_d ? AFF(0, "b", LL(SK * HK * DK), "hk", LL(DK))
							 : AFF(0, "b", LL(HK * SK * DK), "hk", LL(SK * DK))));
		emit_line(&c->e, "%sfloat *sc = s + %lld;", wsum ? "" : "const ", LL(fast->scores));
	}
	emit_open(&c->e, "for (int i = 0; i < %lld; i++) {", LL(SQ));
	if (!fast)
		emit_line(&c->e, "const %s *qi = q + %s;", QS,
			  a.three_d ? AFF(0, "b", LL(SQ * HQ * DK), "i", LL(HQ * DK), "h", LL(DK))
				    : AFF(0, "b", LL(HQ * SQ * DK), "h", LL(SQ * DK), "i", LL(DK)));
	if (qk)
		emit_line(&c->e, "%s *qkr = qk + %s;", QS, AFF(0, "b", LL(HQ * SQ * T), "h", LL(SQ * T), "i", LL(T)));
	if (mt) {
		int64_t M1 = a.mask[1], M2 = a.mask[2], M3 = a.mask[3];
		emit_line(&c->e, "const %s *mr = mask + %s;", c_type(mt->dtype),
			  AFF(0, "b", LL(a.mask[0] == 1 ? 0 : M1 * M2 * M3), "h", LL(M1 == 1 ? 0 : M2 * M3),
			      "i", LL(M2 == 1 ? 0 : M3)));
	}
	emit_line(&c->e, "%s s[%lld], mx = -INFINITY;", A, LL(max1(T)));
	emit_line(&c->e, "bool any = false; /* some key is not masked out */");
	emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", LL(T));
	if (P) {
		emit_line(&c->e, "const int jj = j - %lld;", LL(P));
		emit_line(&c->e, "const %s *kj = j < %lld ? past_key + %s : k + %s;", QS, LL(P),
			  AFF(0, "b", LL(HK * P * DK), "hk", LL(P * DK), "j", LL(DK)), krow);
	} else if (!fast) {
		emit_line(&c->e, "const int jj = j;");
		emit_line(&c->e, "const %s *kj = k + %s;", QS, krow);
	}
	if (fast) { /* the fast kernel's product computed it */
		emit_line(&c->e, "const float dot = sc[i * %lld + j];", LL(T));
	} else {
		emit_line(&c->e, "%s dot = 0;", c_type(dt));
		emit_line(&c->e, "for (int d = 0; d < %lld; d++)", LL(DK));
		emit_line(&c->e, "\tdot += %s * %s;", ld(qt, "qi[d]"), ld(qt, "kj[d]"));
	}
	emit_line(&c->e, "%s x = %sdot * %s;", A, at != dt ? fmt("(%s)", A) : "", flit(scale, at));
	if (qk && mode == 0)
		emit_line(&c->e, "qkr[j] = %s;", sto(qt, "x"));
	if (cap > 0)
		emit_line(&c->e, "x = %s * %s(x / %s);", flit(cap, at), mf(at, "tanh"), flit(cap, at));
	if (qk && mode == 1)
		emit_line(&c->e, "qkr[j] = %s;", sto(qt, "x"));
	if (mt && mt->dtype != DLC_BOOL) {
		/* a float mask is added; past its last dim it counts as -inf */
		int64_t M3 = a.mask[3];
		if (M3 < T)
			emit_line(&c->e, "%s bias = j < %lld ? %s : -INFINITY;", A, LL(M3), ld(mt->dtype, "mr[j]"));
		else
			emit_line(&c->e, "%s bias = %s;", A, ld(mt->dtype, "mr[j]"));
	} else {
		emit_line(&c->e, "%s bias = 0;", A);
	}
	if (mt && mt->dtype == DLC_BOOL) {
		int64_t M3 = a.mask[3];
		emit_line(&c->e, "if (!(%smr[j])) /* a false mask entry */", M3 < T ? fmt("j < %lld && ", LL(M3)) : "");
		emit_line(&c->e, "\tbias = -INFINITY;");
	}
	if (causal) {
		emit_line(&c->e, "if (j > i + off) /* causal */");
		emit_line(&c->e, "\tbias = -INFINITY;");
	}
	if (lw >= 0) {
		emit_line(&c->e, "if (i + off - j > %lld) /* left window */", LL(lw));
		emit_line(&c->e, "\tbias = -INFINITY;");
	}
	if (rw >= 0) {
		emit_line(&c->e, "if (j - (i + off) > %lld) /* right window */", LL(rw));
		emit_line(&c->e, "\tbias = -INFINITY;");
	}
	if (nonpad) {
		emit_line(&c->e, "if (j >= valid) /* padding */");
		emit_line(&c->e, "\tbias = -INFINITY;");
	}
	emit_line(&c->e, "any = any || bias != -INFINITY;");
	emit_line(&c->e, "x += bias;");
	if (qk && mode == 2)
		emit_line(&c->e, "qkr[j] = %s;", sto(qt, "x"));
	emit_line(&c->e, "s[j] = x;");
	emit_line(&c->e, "mx = x > mx ? x : mx;");
	emit_close(&c->e, NULL);
	emit_line(&c->e, "if (mx == -INFINITY) /* every score is -inf: they all exp to 0 */");
	emit_line(&c->e, "\tmx = 0;");
	emit_line(&c->e, "%s sum = 0;", A);
	/* the exps in a loop of their own, which vectorizes (the sum cannot:
	 * it would be reassociated) */
	emit_line(&c->e, "for (int j = 0; j < %lld; j++)", LL(T));
	emit_line(&c->e, "	s[j] = %s(s[j] - mx);", mf(at, "exp"));
	emit_line(&c->e, "for (int j = 0; j < %lld; j++)", LL(T));
	emit_line(&c->e, "	sum += s[j];");
	if (wsum) {
		emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", LL(T));
		emit_line(&c->e, "const float pj = any && sum != 0 ? s[j] / sum : 0;");
		if (qk && mode == 3)
			emit_line(&c->e, "qkr[j] = %s;", sto(qt, "pj"));
		emit_line(&c->e, "sc[i * %lld + j] = pj;", LL(T));
		emit_close(&c->e, NULL);
		emit_close(&c->e, NULL); /* i */
		c_fast_emit_wsum(c, n, fmt("v + %s", AFF(0, "b", LL(HK * SK * DV), "hk", LL(SK * DV))),
				 fmt("y + %s", AFF(0, "b", LL(HQ * SQ * DV), "h", LL(SQ * DV))));
		emit_close(&c->e, NULL);
		emit_close(&c->e, NULL);
		return 0;
	}
	emit_line(&c->e, "%s o[%lld];", A, LL(max1(DV)));
	emit_line(&c->e, "for (int e = 0; e < %lld; e++)", LL(DV));
	emit_line(&c->e, "\to[e] = 0;");
	emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", LL(T));
	emit_line(&c->e, "const %s pj = any && sum != 0 ? s[j] / sum : 0;", A);
	if (qk && mode == 3)
		emit_line(&c->e, "qkr[j] = %s;", sto(qt, "pj"));
	if (P) {
		emit_line(&c->e, "const int jj = j - %lld;", LL(P));
		emit_line(&c->e, "const %s *vj = j < %lld ? past_value + %s : v + %s;", VS, LL(P),
			  AFF(0, "b", LL(HK * P * DV), "hk", LL(P * DV), "j", LL(DV)), vrow);
	} else {
		emit_line(&c->e, "const int jj = j;");
		emit_line(&c->e, "const %s *vj = v + %s;", VS, vrow);
	}
	emit_line(&c->e, "for (int e = 0; e < %lld; e++)", LL(DV));
	emit_line(&c->e, "\to[e] += pj * %s;", ld(vt, "vj[e]"));
	emit_close(&c->e, NULL);
	emit_line(&c->e, "%s *yi = y + %s;", QS,
		  a.three_d ? AFF(0, "b", LL(SQ * HQ * DV), "i", LL(HQ * DV), "h", LL(DV))
			    : AFF(0, "b", LL(HQ * SQ * DV), "h", LL(SQ * DV), "i", LL(DV)));
	emit_line(&c->e, "for (int e = 0; e < %lld; e++)", LL(DV));
	emit_line(&c->e, "\tyi[e] = %s;", sto(qt, "o[e]"));
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	return 0;
}

/* ---- rotary_embedding ---- */

/* Rotates pairs (x1, x2) of each head's first rot dims by the cached
 * angle of the token's position: halves, or even/odd with interleaved. */
int c_emit_rotary_embedding(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0), *cs = c_in(n, 1);
	enum dlc_dtype t = x->dtype, at = c_compute_dtype(t);
	if (want_float_c(c, n, t) < 0)
		return -1;
	bool pos = c_in(n, 3), inter = dlc_node_int(n, "interleaved");
	int64_t B = x->dims[0], S, H, D;
	if (x->rank == 4) {
		H = x->dims[1];
		S = x->dims[2];
		D = x->dims[3];
	} else {
		H = dlc_node_int(n, "num_heads");
		S = x->dims[1];
		D = x->dims[2] / H;
	}
	int64_t rot = dlc_node_int(n, "rotary_embedding_dim");
	if (rot == 0)
		rot = D;
	int64_t half = rot / 2, maxpos = pos ? cs->dims[0] : 0;
	const char *T = c_type(at), *ST = c_type(t);
	emit_line(&c->e, "for (int b = 0; b < %lld; b++)", LL(B));
	emit_line(&c->e, "for (int s = 0; s < %lld; s++)", LL(S));
	emit_open(&c->e, "for (int h = 0; h < %lld; h++) {", LL(H));
	const char *row = x->rank == 4 ? AFF(0, "b", LL(H * S * D), "h", LL(S * D), "s", LL(D))
				       : AFF(0, "b", LL(S * H * D), "s", LL(H * D), "h", LL(D));
	emit_line(&c->e, "const %s *xr = x + %s;", ST, row);
	emit_line(&c->e, "%s *yr = y + %s;", ST, row);
	if (pos) {
		emit_line(&c->e, "const int64_t p = position_ids[%s];", AFF(0, "b", LL(S), "s", 1LL));
		emit_open(&c->e, "if (p < 0 || p >= %lld) { /* no cached angle: NaN, not a guess */", LL(maxpos));
		emit_line(&c->e, "for (int k = 0; k < %lld; k++)", LL(D));
		emit_line(&c->e, "\tyr[k] = %s;", sto(t, "NAN"));
		emit_line(&c->e, "continue;");
		emit_close(&c->e, NULL);
		emit_line(&c->e, "const %s *cr = cos_cache + p * %lld, *sr = sin_cache + p * %lld;", ST, LL(half),
			  LL(half));
	} else {
		const char *cr = AFF(0, "b", LL(S * half), "s", LL(half));
		emit_line(&c->e, "const %s *cr = cos_cache + %s, *sr = sin_cache + %s;", ST, cr, cr);
	}
	char i2[64];
	const char *i1 = inter ? "2 * k" : "k";
	snprintf(i2, sizeof i2, "%s", inter ? "2 * k + 1" : AFF(half, "k", 1LL));
	emit_open(&c->e, "for (int k = 0; k < %lld; k++) {", LL(half));
	emit_line(&c->e, "const %s co = %s, si = %s;", T, ld(t, "cr[k]"), ld(t, "sr[k]"));
	emit_line(&c->e, "const %s x1 = %s, x2 = %s;", T, ld(t, "xr[%s]", i1), ld(t, "xr[%s]", i2));
	emit_line(&c->e, "yr[%s] = %s;", i1, sto(t, "co * x1 - si * x2"));
	emit_line(&c->e, "yr[%s] = %s;", i2, sto(t, "si * x1 + co * x2"));
	emit_close(&c->e, NULL);
	if (rot < D) {
		emit_line(&c->e, "for (int k = %lld; k < %lld; k++) /* not rotated */", LL(rot), LL(D));
		emit_line(&c->e, "\tyr[k] = xr[k];");
	}
	emit_close(&c->e, NULL);
	return 0;
}

/* ---- linear_attention ---- */

/* Per (batch, key/value head) the recurrent state S [dk][dv] in float:
 * decay, delta correction, the k (x) v write, then each query head of the
 * group reads o = scale * q^T S. */
int c_emit_linear_attention(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *q = c_in(n, 0), *v = c_in(n, 2), *decay = c_in(n, 4), *beta = c_in(n, 5);
	const struct dlc_type *past = c_in(n, 3), *ps = c_out(n, 1);
	enum dlc_dtype t = q->dtype;
	if (want_float_c(c, n, t) < 0 || (past && want_float_c(c, n, past->dtype) < 0))
		return -1;
	enum dlc_dtype at = t == DLC_F64 ? DLC_F64 : DLC_F32;
	const char *A = c_type(at), *ST = c_type(t);
	int64_t HQ = dlc_node_int(n, "q_num_heads"), HK = dlc_node_int(n, "kv_num_heads"), G = HQ / HK;
	int64_t B = q->dims[0], T = q->dims[1], DK = q->dims[2] / HQ, DV = v->dims[2] / HK;
	float sc = dlc_node_float(n, "scale");
	double scale = sc == 0.0f ? 1.0 / sqrt((double)DK) : sc;
	emit_line(&c->e, "for (int b = 0; b < %lld; b++)", LL(B));
	emit_open(&c->e, "for (int hk = 0; hk < %lld; hk++) {", LL(HK));
	emit_line(&c->e, "%s st[%lld], u[%lld]; /* state [dk][dv]; the value written */", A, LL(max1(DK * DV)),
		  LL(max1(DV)));
	emit_line(&c->e, "for (int i = 0; i < %lld; i++)", LL(DK * DV));
	emit_line(&c->e, "\tst[i] = %s;", past ? ld(past->dtype, "past_state[%s]", AFF(0, "b", LL(HK * DK * DV), "hk", LL(DK * DV), "i", 1LL)) : "0");
	emit_open(&c->e, "for (int t = 0; t < %lld; t++) {", LL(T));
	emit_line(&c->e, "const %s *kt = key + %s;", ST, AFF(0, "b", LL(T * HK * DK), "t", LL(HK * DK), "hk", LL(DK)));
	emit_line(&c->e, "const %s *vt = value + %s;", ST, AFF(0, "b", LL(T * HK * DV), "t", LL(HK * DV), "hk", LL(DV)));
	if (decay) {
		int64_t last = decay->dims[2];
		if (last != HK * DK) {
			emit_line(&c->e, "const %s g = %s(%s); /* per-head decay */", A, mf(at, "exp"),
				  ld(t, "decay[%s]", AFF(0, "b", LL(T * HK), "t", LL(HK), "hk", 1LL)));
			emit_line(&c->e, "for (int i = 0; i < %lld; i++)", LL(DK * DV));
			emit_line(&c->e, "\tst[i] *= g;");
		} else {
			emit_open(&c->e, "for (int d = 0; d < %lld; d++) { /* per-key-dim decay */", LL(DK));
			emit_line(&c->e, "const %s g = %s(%s);", A, mf(at, "exp"),
				  ld(t, "decay[%s]", AFF(0, "b", LL(T * HK * DK), "t", LL(HK * DK), "hk", LL(DK), "d", 1LL)));
			emit_line(&c->e, "for (int m = 0; m < %lld; m++)", LL(DV));
			emit_line(&c->e, "\tst[d * %lld + m] *= g;", LL(DV));
			emit_close(&c->e, NULL);
		}
	}
	if (beta) {
		int64_t bl = beta->dims[2];
		emit_line(&c->e, "const %s bt = %s;", A,
			  ld(t, "beta[%s]", AFF(0, "b", LL(T * bl), "t", LL(bl), "hk", LL(bl == 1 ? 0 : 1))));
		emit_open(&c->e, "for (int m = 0; m < %lld; m++) { /* delta rule: v - S^T k */", LL(DV));
		emit_line(&c->e, "%s rv = 0;", A);
		emit_line(&c->e, "for (int d = 0; d < %lld; d++)", LL(DK));
		emit_line(&c->e, "\trv += st[d * %lld + m] * %s;", LL(DV), ld(t, "kt[d]"));
		emit_line(&c->e, "u[m] = bt * (%s - rv);", ld(t, "vt[m]"));
		emit_close(&c->e, NULL);
	} else {
		emit_line(&c->e, "for (int m = 0; m < %lld; m++)", LL(DV));
		emit_line(&c->e, "\tu[m] = %s;", ld(t, "vt[m]"));
	}
	emit_open(&c->e, "for (int d = 0; d < %lld; d++) {", LL(DK));
	emit_line(&c->e, "const %s kd = %s;", A, ld(t, "kt[d]"));
	emit_line(&c->e, "for (int m = 0; m < %lld; m++)", LL(DV));
	emit_line(&c->e, "\tst[d * %lld + m] += kd * u[m];", LL(DV));
	emit_close(&c->e, NULL);
	emit_open(&c->e, "for (int g = 0; g < %lld; g++) { /* the query heads sharing this state */", LL(G));
	emit_line(&c->e, "const %s *qt = query + %s;", ST,
		  AFF(0, "b", LL(T * HQ * DK), "t", LL(HQ * DK), "hk", LL(G * DK), "g", LL(DK)));
	emit_line(&c->e, "%s *ot = output + %s;", ST,
		  AFF(0, "b", LL(T * HQ * DV), "t", LL(HQ * DV), "hk", LL(G * DV), "g", LL(DV)));
	emit_open(&c->e, "for (int m = 0; m < %lld; m++) {", LL(DV));
	emit_line(&c->e, "%s o = 0;", A);
	emit_line(&c->e, "for (int d = 0; d < %lld; d++)", LL(DK));
	emit_line(&c->e, "\to += %s * st[d * %lld + m];", ld(t, "qt[d]"), LL(DV));
	emit_line(&c->e, "ot[m] = %s;", sto(t, "%s * o", flit(scale, at)));
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	emit_line(&c->e, "for (int i = 0; i < %lld; i++)", LL(DK * DV));
	emit_line(&c->e, "\tpresent_state[%s] = %s;", AFF(0, "b", LL(HK * DK * DV), "hk", LL(DK * DV), "i", 1LL),
		  sto(ps->dtype, "st[i]"));
	emit_close(&c->e, NULL);
	return 0;
}

/* ---- causal_conv_with_state ---- */

/* Depthwise causal conv over the sequence padded on the left with the
 * carried state (or zeros): padded[i] is the state for i < k-1, else
 * input[i - (k-1)]. The new state is the last k-1 padded positions. */
int c_emit_causal_conv_with_state(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0), *w = c_in(n, 1);
	enum dlc_dtype t = x->dtype, at = c_compute_dtype(t);
	if (want_float_c(c, n, t) < 0)
		return -1;
	bool bias = c_in(n, 2), past = c_in(n, 3);
	const char *act = dlc_node_string(n, "activation");
	bool silu = strcmp(act, "none") != 0;
	int64_t B = x->dims[0], C = x->dims[1], L = x->dims[2], K = w->dims[2];
	const char *A = c_type(at), *ST = c_type(t);
	char pad[64];
	snprintf(pad, sizeof pad, "%s", past ? ld(t, "pr[i]") : flit(0, at));
	emit_line(&c->e, "for (int b = 0; b < %lld; b++)", LL(B));
	emit_open(&c->e, "for (int ch = 0; ch < %lld; ch++) {", LL(C));
	emit_line(&c->e, "const %s *xr = input + %s;", ST, AFF(0, "b", LL(C * L), "ch", LL(L)));
	if (past)
		emit_line(&c->e, "const %s *pr = past_state + %s;", ST, AFF(0, "b", LL(C * (K - 1)), "ch", LL(K - 1)));
	emit_line(&c->e, "const %s *wr = weight + ch * %lld;", ST, LL(K));
	emit_open(&c->e, "for (int l = 0; l < %lld; l++) {", LL(L));
	emit_line(&c->e, "%s acc = %s;", A, bias ? ld(t, "bias[ch]") : "0");
	emit_open(&c->e, "for (int k = 0; k < %lld; k++) {", LL(K));
	emit_line(&c->e, "const int i = l + k; /* in the padded sequence */");
	emit_line(&c->e, "acc += %s * (i < %lld ? %s : %s);", ld(t, "wr[k]"), LL(K - 1), pad,
		  ld(t, "xr[i - %lld]", LL(K - 1)));
	emit_close(&c->e, NULL);
	if (silu) {
		if (t != at)
			emit_line(&c->e, "acc = %s; /* the conv result is a tensor of the input type */", rnd(t, "acc"));
		emit_line(&c->e, "acc = acc / (%s + %s(-acc)); /* SiLU */", flit(1, at), mf(at, "exp"));
	}
	emit_line(&c->e, "output[%s] = %s;", AFF(0, "b", LL(C * L), "ch", LL(L), "l", 1LL), sto(t, "acc"));
	emit_close(&c->e, NULL);
	emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", LL(K - 1));
	emit_line(&c->e, "const int i = %s; /* the last k-1 padded positions */", AFF(L, "j", 1LL));
	const char *src = fmt("i < %lld ? %s : xr[i - %lld]", LL(K - 1), past ? "pr[i]" : "0", LL(K - 1));
	emit_line(&c->e, "present_state[%s] = %s;", AFF(0, "b", LL(C * (K - 1)), "ch", LL(K - 1), "j", 1LL), src);
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	return 0;
}

/* ---- tensor_scatter ---- */

/* A copy of the cache with each batch row's update written at its index
 * along the axis (wrapping around in circular mode; in linear mode
 * positions past the end are not written). */
int c_emit_tensor_scatter(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *p = c_in(n, 0), *u = c_in(n, 1);
	if (!c_type(p->dtype))
		return c_error(c, n, "element type %s is not supported by the C target", dlc_dtype_name(p->dtype));
	int axis = (int)dlc_node_int(n, "axis");
	if (axis < 0)
		axis += p->rank;
	bool circular = !strcmp(dlc_node_string(n, "mode"), "circular"), wi = c_in(n, 2);
	int64_t outer = prod(p->dims, 0, axis), per_b = prod(p->dims, 1, axis);
	int64_t maxs = p->dims[axis], su = u->dims[axis], inner = prod(p->dims, axis + 1, p->rank);
	const char *ST = c_type(p->dtype);
	emit_line(&c->e, "memcpy(present_cache, past_cache, %lld);", LL(dlc_type_nbytes(p)));
	emit_open(&c->e, "for (int o = 0; o < %lld; o++) {", LL(outer));
	emit_line(&c->e, "const int64_t at0 = %s;", wi ? fmt("write_indices[o / %lld]", LL(per_b)) : "0");
	emit_open(&c->e, "for (int s = 0; s < %lld; s++) {", LL(su));
	emit_line(&c->e, "int64_t at = at0 + s;");
	if (circular) {
		emit_line(&c->e, "at %%= %lld;", LL(maxs));
		emit_line(&c->e, "at += at < 0 ? %lld : 0;", LL(maxs));
	} else {
		emit_line(&c->e, "if (at < 0 || at >= %lld) /* outside the cache */", LL(maxs));
		emit_line(&c->e, "\tcontinue;");
	}
	emit_line(&c->e, "memcpy(present_cache + (o * %lld + at) * %lld, update + %s, %lld * sizeof(%s));",
		  LL(maxs), LL(inner), AFF(0, "o", LL(su * inner), "s", LL(inner)), LL(inner), ST);
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	return 0;
}

/* ---- swiglu ---- */

/* y = Swish_alpha(a) * b with Swish_alpha(a) = a * sigmoid(alpha * a). */
int c_emit_swiglu(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0);
	enum dlc_dtype t = x->dtype, at = c_compute_dtype(t);
	if (want_float_c(c, n, t) < 0)
		return -1;
	const char *A = c_type(at);
	float alpha = dlc_node_float(n, "alpha");
	emit_open(&c->e, "for (int i = 0; i < %lld; i++) {", LL(dlc_type_numel(x)));
	emit_line(&c->e, "const %s av = %s;", A, ld(t, "a[i]"));
	emit_line(&c->e, "const %s sg = %s;", A,
		  rnd(t, fmt("%s / (%s + %s(-%s * av))", flit(1, at), flit(1, at), mf(at, "exp"), flit(alpha, at))));
	emit_line(&c->e, "y[i] = %s;", sto(t, "%s * %s", rnd(t, "av * sg"), ld(t, "b[i]")));
	emit_close(&c->e, NULL);
	return 0;
}

/* ---- einsum ---- */

static const char *label_var(const struct dlc_einsum *e, int l)
{
	if (e->name[l] == '.') {
		int k = 0;
		for (int i = 0; i < l; i++)
			k += e->name[i] == '.';
		return fmt("e%d", k);
	}
	return fmt("i_%c", e->name[l]);
}

/* The index of operand k (or the result, k < 0) over the label loops. */
static const char *einsum_index(const struct dlc_einsum *e, int k, const struct dlc_type *t)
{
	int64_t strides[DLC_MAX_RANK], coef[DLC_EINSUM_MAX_LABELS] = {0};
	c_strides(t, strides);
	for (int d = 0; d < t->rank; d++) {
		int l = k < 0 ? e->out[d] : e->label[k][d];
		if (k < 0 || !e->bcast[k][d])
			coef[l] += strides[d];
	}
	struct dlc_strbuf b = {0};
	for (int l = 0; l < e->nlabels; l++) {
		if (!coef[l])
			continue;
		if (coef[l] == 1)
			dlc_sb_printf(&b, "%s%s", b.len ? " + " : "", label_var(e, l));
		else
			dlc_sb_printf(&b, "%s%s * %lld", b.len ? " + " : "", label_var(e, l), LL(coef[l]));
	}
	const char *r = fmt("%s", b.len ? b.s : "0");
	dlc_sb_free(&b);
	return r;
}

/* One loop per label: the result's, then the summed ones around a
 * product of the operands (a repeated label reads a diagonal). */
int c_emit_einsum(struct cgen *c, const struct dlc_node *n)
{
	struct dlc_einsum e;
	if (dlc_node_einsum(c->g, n, &e, c->d) < 0)
		return -1;
	const struct dlc_type *y = c_out(n, 0);
	enum dlc_dtype t = y->dtype, at = c_compute_dtype(t);
	if (!c_type(t) || t == DLC_BOOL)
		return c_error(c, n, "element type %s is not supported by the C target", dlc_dtype_name(t));
	const char *A = dlc_dtype_is_float(t) ? c_type(at) : dlc_dtype_is_signed(t) ? "int64_t" : "uint64_t";
	bool in_out[DLC_EINSUM_MAX_LABELS] = {0};
	int opened = 0;
	for (int i = 0; i < e.nout; i++) {
		int l = e.out[i];
		in_out[l] = true;
		emit_open(&c->e, "for (int %s = 0; %s < %lld; %s++) {", label_var(&e, l), label_var(&e, l),
			  LL(e.size[l]), label_var(&e, l));
		opened++;
	}
	emit_line(&c->e, "%s acc = 0;", A);
	int summed = 0;
	for (int l = 0; l < e.nlabels; l++)
		if (!in_out[l]) {
			emit_open(&c->e, "for (int %s = 0; %s < %lld; %s++) {", label_var(&e, l), label_var(&e, l),
				  LL(e.size[l]), label_var(&e, l));
			summed++;
		}
	struct dlc_strbuf prodx = {0};
	for (int k = 0; k < e.nops; k++) {
		const struct dlc_type *x = c_in(n, k);
		dlc_sb_printf(&prodx, "%s%s", k ? " * " : "", ld(x->dtype, "x%d[%s]", k, einsum_index(&e, k, x)));
	}
	emit_line(&c->e, "acc += %s;", prodx.s ? prodx.s : "1");
	dlc_sb_free(&prodx);
	for (int i = 0; i < summed; i++)
		emit_close(&c->e, NULL);
	emit_line(&c->e, "y[%s] = %s;", einsum_index(&e, -1, y), sto(t, "acc"));
	for (int i = 0; i < opened; i++)
		emit_close(&c->e, NULL);
	return 0;
}

/* ---- det ---- */

/* LU decomposition with partial pivoting in double, one matrix at a time. */
int c_emit_det(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0);
	enum dlc_dtype t = x->dtype;
	if (want_float_c(c, n, t) < 0)
		return -1;
	int64_t M = x->dims[x->rank - 1], batch = prod(x->dims, 0, x->rank - 2);
	emit_open(&c->e, "for (int m = 0; m < %lld; m++) {", LL(batch));
	emit_line(&c->e, "double lu[%lld], det = 1;", LL(max1(M * M)));
	emit_line(&c->e, "for (int i = 0; i < %lld; i++)", LL(M * M));
	emit_line(&c->e, "\tlu[i] = %s;", ld(t, "x[m * %lld + i]", LL(M * M)));
	emit_open(&c->e, "for (int k = 0; k < %lld; k++) {", LL(M));
	emit_line(&c->e, "int p = k;");
	emit_line(&c->e, "for (int i = k + 1; i < %lld; i++)", LL(M));
	emit_line(&c->e, "\tp = fabs(lu[i * %lld + k]) > fabs(lu[p * %lld + k]) ? i : p;", LL(M), LL(M));
	emit_open(&c->e, "if (lu[p * %lld + k] == 0) {", LL(M));
	emit_line(&c->e, "det = 0;");
	emit_line(&c->e, "break;");
	emit_close(&c->e, NULL);
	emit_open(&c->e, "if (p != k) {");
	emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", LL(M));
	emit_line(&c->e, "const double tmp = lu[k * %lld + j];", LL(M));
	emit_line(&c->e, "lu[k * %lld + j] = lu[p * %lld + j];", LL(M), LL(M));
	emit_line(&c->e, "lu[p * %lld + j] = tmp;", LL(M));
	emit_close(&c->e, NULL);
	emit_line(&c->e, "det = -det;");
	emit_close(&c->e, NULL);
	emit_line(&c->e, "det *= lu[k * %lld + k];", LL(M));
	emit_open(&c->e, "for (int i = k + 1; i < %lld; i++) {", LL(M));
	emit_line(&c->e, "const double f = lu[i * %lld + k] / lu[k * %lld + k];", LL(M), LL(M));
	emit_line(&c->e, "for (int j = k + 1; j < %lld; j++)", LL(M));
	emit_line(&c->e, "\tlu[i * %lld + j] -= f * lu[k * %lld + j];", LL(M), LL(M));
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	emit_line(&c->e, "y[m] = %s;", sto(t, "det"));
	emit_close(&c->e, NULL);
	return 0;
}

/* ---- dft, stft ---- */

/* tc[m] + i ts[m] = e^{2 pi i m / L}: k * n reduced mod L indexes it, so
 * large products keep full precision. */
static void emit_twiddles(struct cgen *c, int64_t L)
{
	emit_line(&c->e, "double tc[%lld], ts[%lld];", LL(max1(L)), LL(max1(L)));
	emit_open(&c->e, "for (int m = 0; m < %lld; m++) {", LL(L));
	emit_line(&c->e, "tc[m] = cos(6.283185307179586 * m / %lld);", LL(L));
	emit_line(&c->e, "ts[m] = sin(6.283185307179586 * m / %lld);", LL(L));
	emit_close(&c->e, NULL);
}

/* The direct O(N^2) transform in double along one axis, for every other
 * index; an inverse one-sided (IRFFT) input stands for its Hermitian
 * extension. */
int c_emit_dft(struct cgen *c, const struct dlc_node *n)
{
	struct dlc_dft p;
	if (dlc_node_dft(c->g, n, &p, c->d) < 0)
		return -1;
	const struct dlc_type *x = c_in(n, 0);
	enum dlc_dtype t = x->dtype;
	if (want_float_c(c, n, t) < 0)
		return -1;
	if (c_in(n, 1))
		emit_line(&c->e, "(void)dft_length; /* fixed at compile time */");
	if (c_in(n, 2))
		emit_line(&c->e, "(void)axis; /* fixed at compile time */");
	int64_t outer = prod(x->dims, 0, p.axis), inner = prod(x->dims, p.axis + 1, x->rank - 1);
	int64_t N = p.in_len, L = p.length, K = p.bins;
	int ci = p.complex_in ? 2 : 1, co = p.complex_out ? 2 : 1;
	bool irfft = p.inverse && p.onesided;
	emit_twiddles(c, L);
	emit_line(&c->e, "for (int o = 0; o < %lld; o++)", LL(outer));
	emit_open(&c->e, "for (int in = 0; in < %lld; in++) {", LL(inner));
	emit_line(&c->e, "const %s *xs = x + %s;", c_type(t), AFF(0, "o", LL(N * inner * ci), "in", LL(ci)));
	emit_line(&c->e, "%s *ys = y + %s;", c_type(t), AFF(0, "o", LL(K * inner * co), "in", LL(co)));
	emit_open(&c->e, "for (int k = 0; k < %lld; k++) {", LL(K));
	char xr[96], xi[96];
	snprintf(xr, sizeof xr, "%s", ld(t, "xs[n * %lld]", LL(inner * ci)));
	snprintf(xi, sizeof xi, "%s", p.complex_in ? ld(t, "xs[n * %lld + 1]", LL(inner * ci)) : "0.0");
	if (irfft) {
		/* k is the output sample; n runs over the given bins */
		int64_t use = N < L / 2 + 1 ? N : L / 2 + 1;
		emit_line(&c->e, "double re = 0;");
		emit_open(&c->e, "for (int n = 0; n < %lld; n++) {", LL(use));
		emit_line(&c->e, "const int64_t m = (int64_t)k * n %% %lld;", LL(L));
		emit_line(&c->e, "/* bins other than 0 and L/2 also stand for their conjugates */");
		emit_line(&c->e, "const double w = n == 0 || 2 * n == %lld ? 1.0 : 2.0;", LL(L));
		emit_line(&c->e, "re += w * (%s * tc[m] - %s * ts[m]);", xr, xi);
		emit_close(&c->e, NULL);
		emit_line(&c->e, "ys[k * %lld] = %s;", LL(inner * co), sto(t, "re / %lld", LL(L)));
	} else {
		int64_t use = N < L ? N : L;
		const char *sg = p.inverse ? "+" : "-", *sg2 = p.inverse ? "-" : "+";
		emit_line(&c->e, "double re = 0, im = 0;");
		emit_open(&c->e, "for (int n = 0; n < %lld; n++) {", LL(use));
		emit_line(&c->e, "const int64_t m = (int64_t)k * n %% %lld;", LL(L));
		emit_line(&c->e, "const double xr = %s, xi = %s;", xr, xi);
		emit_line(&c->e, "re += xr * tc[m] %s xi * ts[m];", sg2);
		emit_line(&c->e, "im += xi * tc[m] %s xr * ts[m];", sg);
		emit_close(&c->e, NULL);
		if (p.inverse) {
			emit_line(&c->e, "re /= %lld;", LL(L));
			emit_line(&c->e, "im /= %lld;", LL(L));
		}
		emit_line(&c->e, "ys[k * %lld] = %s;", LL(inner * co), sto(t, "re"));
		emit_line(&c->e, "ys[k * %lld + 1] = %s;", LL(inner * co), sto(t, "im"));
	}
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	return 0;
}

/* Each frame of frame_length samples, frame_step apart, times the window,
 * through the direct DFT. */
int c_emit_stft(struct cgen *c, const struct dlc_node *n)
{
	struct dlc_dft p;
	if (dlc_node_dft(c->g, n, &p, c->d) < 0)
		return -1;
	const struct dlc_type *x = c_in(n, 0), *y = c_out(n, 0);
	enum dlc_dtype t = x->dtype;
	if (want_float_c(c, n, t) < 0)
		return -1;
	emit_line(&c->e, "(void)frame_step; /* fixed at compile time */");
	if (c_in(n, 3))
		emit_line(&c->e, "(void)frame_length;");
	bool win = c_in(n, 2);
	int ci = p.complex_in ? 2 : 1;
	int64_t B = x->dims[0], S = x->dims[1], F = y->dims[1], K = p.bins, L = p.length;
	emit_twiddles(c, L);
	emit_line(&c->e, "for (int b = 0; b < %lld; b++)", LL(B));
	emit_open(&c->e, "for (int f = 0; f < %lld; f++) {", LL(F));
	emit_line(&c->e, "const %s *xs = signal + %s;", c_type(t),
		  AFF(0, "b", LL(S * ci), "f", LL(p.frame_step * ci)));
	emit_open(&c->e, "for (int k = 0; k < %lld; k++) {", LL(K));
	emit_line(&c->e, "double re = 0, im = 0;");
	emit_open(&c->e, "for (int n = 0; n < %lld; n++) {", LL(L));
	emit_line(&c->e, "const int64_t m = (int64_t)k * n %% %lld;", LL(L));
	emit_line(&c->e, "const double wv = %s;", win ? ld(t, "window[n]") : "1.0");
	emit_line(&c->e, "const double xr = %s * wv, xi = %s;", ld(t, "xs[n * %d]", ci),
		  p.complex_in ? fmt("%s * wv", ld(t, "xs[n * 2 + 1]")) : "0.0");
	emit_line(&c->e, "re += xr * tc[m] + xi * ts[m];");
	emit_line(&c->e, "im += xi * tc[m] - xr * ts[m];");
	emit_close(&c->e, NULL);
	const char *yi = AFF(0, "b", LL(F * K * 2), "f", LL(K * 2), "k", 2LL);
	emit_line(&c->e, "y[%s] = %s;", yi, sto(t, "re"));
	emit_line(&c->e, "y[%s + 1] = %s;", yi, sto(t, "im"));
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	return 0;
}

/* ---- windows, mel_weight_matrix ---- */

/* w[n] from n / N1 with N1 = size (periodic) or size - 1, in double. */
int c_emit_window(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *y = c_out(n, 0);
	enum dlc_dtype t = y->dtype;
	if (!c_type(t))
		return c_error(c, n, "element type %s is not supported by the C target", dlc_dtype_name(t));
	int64_t N = y->dims[0], N1 = dlc_node_int(n, "periodic") ? N : N - 1;
	emit_line(&c->e, "(void)size; /* fixed at compile time */");
	emit_open(&c->e, "for (int n = 0; n < %lld; n++) {", LL(N));
	emit_line(&c->e, "const double a = 6.283185307179586 * n / %lld; /* 2 pi n / N1 */", LL(N1));
	const char *v;
	switch (n->op) {
	case DLC_OP_HANN_WINDOW: v = "sin(a / 2) * sin(a / 2)"; break;
	case DLC_OP_HAMMING_WINDOW: v = "25.0 / 46.0 - 21.0 / 46.0 * cos(a)"; break;
	default: v = "0.42 - 0.5 * cos(a) + 0.08 * cos(2 * a)"; break;
	}
	emit_line(&c->e, "y[n] = %s;", dlc_dtype_is_float(t) ? sto(t, "%s", v) : fmt("(%s)(%s)", c_type(t), v));
	emit_close(&c->e, NULL);
	return 0;
}

/* Triangular filters between mel-spaced bin edges. The arithmetic follows
 * ONNX's reference: the edges' mel values in float, the rest in double,
 * the bins floor-divided as numpy does. */
int c_emit_mel_weight_matrix(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *y = c_out(n, 0), *lo = c_in(n, 3);
	enum dlc_dtype t = y->dtype;
	if (!c_type(t))
		return c_error(c, n, "element type %s is not supported by the C target", dlc_dtype_name(t));
	if (want_float_c(c, n, lo->dtype) < 0)
		return -1;
	int64_t len;
	if (!dlc_const_int(dlc_node_input(n, 1), &len))
		return c_error(c, n, "dft_length must be a constant");
	int64_t M = y->dims[1], NB = y->dims[0];
	emit_line(&c->e, "(void)num_mel_bins;");
	emit_line(&c->e, "(void)dft_length;");
	emit_line(&c->e, "const double rate = (double)sample_rate[0];");
	emit_line(&c->e, "const float lo = %s, hi = %s;", ld(lo->dtype, "lower_edge_hertz[0]"),
		  ld(lo->dtype, "upper_edge_hertz[0]"));
	emit_line(&c->e, "const double lo_mel = (double)(2595.0f * log1pf(lo / 700.0f)) / log(10.0);");
	emit_line(&c->e, "const double hi_mel = (double)(2595.0f * log1pf(hi / 700.0f)) / log(10.0);");
	emit_line(&c->e, "const double step = (hi_mel - lo_mel) / %lld;", LL(M + 2));
	emit_line(&c->e, "int64_t edge[%lld];", LL(M + 2));
	emit_open(&c->e, "for (int i = 0; i < %lld; i++) {", LL(M + 2));
	emit_line(&c->e, "const double hz = 700.0 * expm1((i * step + lo_mel) / 2595.0 * log(10.0));");
	emit_line(&c->e, "const double a = %lld.0 * hz, r = fmod(a, rate);", LL(len + 1));
	emit_line(&c->e, "double q = (a - r) / rate; /* numpy's floor division */");
	emit_line(&c->e, "if (r != 0 && ((rate < 0) != (r < 0)))");
	emit_line(&c->e, "\tq -= 1.0;");
	emit_line(&c->e, "double fq = floor(q);");
	emit_line(&c->e, "if (q - fq > 0.5)");
	emit_line(&c->e, "\tfq += 1.0;");
	emit_line(&c->e, "edge[i] = (int64_t)fq;");
	emit_close(&c->e, NULL);
	emit_line(&c->e, "for (int i = 0; i < %lld; i++)", LL(NB * M));
	emit_line(&c->e, "\ty[i] = 0;");
	emit_open(&c->e, "for (int i = 0; i < %lld; i++) {", LL(M));
	emit_line(&c->e, "const int64_t l = edge[i], m = edge[i + 1], r = edge[i + 2];");
	emit_line(&c->e, "/* bins outside [0, %lld) are not written */", LL(NB));
	emit_open(&c->e, "if (m == l) {");
	emit_line(&c->e, "if (m >= 0 && m < %lld)", LL(NB));
	emit_line(&c->e, "\ty[m * %lld + i] = %s;", LL(M), sto(t, "1"));
	emit_close(&c->e, NULL);
	emit_open(&c->e, "else {");
	emit_line(&c->e, "for (int64_t j = l < 0 ? 0 : l; j <= m && j < %lld; j++)", LL(NB));
	emit_line(&c->e, "\ty[j * %lld + i] = %s;", LL(M), sto(t, "(double)(j - l) / (double)(m - l)"));
	emit_close(&c->e, NULL);
	emit_line(&c->e, "for (int64_t j = m < 0 ? 0 : m; j < r && j < %lld; j++)", LL(NB));
	emit_line(&c->e, "\ty[j * %lld + i] = %s;", LL(M), sto(t, "(double)(r - j) / (double)(r - m)"));
	emit_close(&c->e, NULL);
	return 0;
}

/* ---- losses ---- */

/* Per sample (n, d...): its class t, the loss -w[t] * logp[n, t, d] (logp
 * the input, or log_softmax of the scores over C), 0 for ignore_index, NaN
 * for a class outside [0, C); then the reduction, in double. */
int c_emit_loss(struct cgen *c, const struct dlc_node *n)
{
	bool sce = n->op == DLC_OP_SOFTMAX_CROSS_ENTROPY_LOSS;
	const struct dlc_type *x = c_in(n, 0);
	enum dlc_dtype t = x->dtype;
	if (want_float_c(c, n, t) < 0)
		return -1;
	const char *xs = sce ? "scores" : "input", *ts = sce ? "labels" : "target";
	const char *ws = sce ? "weights" : "weight", *out = sce ? "output" : "loss";
	bool w = c_in(n, 2), logp = sce && c_out(n, 1);
	const struct dlc_attr *ii = dlc_node_attr(n, "ignore_index");
	const char *red = dlc_node_string(n, "reduction");
	int64_t N = x->dims[0], C = x->dims[1], D = prod(x->dims, 2, x->rank);
	bool none = !strcmp(red, "none"), mean = !strcmp(red, "mean");
	if (mean)
		emit_line(&c->e, "double total = 0, wsum = 0;");
	else if (!none)
		emit_line(&c->e, "double total = 0;");
	emit_line(&c->e, "for (int n = 0; n < %lld; n++)", LL(N));
	emit_open(&c->e, "for (int d = 0; d < %lld; d++) {", LL(D));
	emit_line(&c->e, "const %s *xr = %s + %s; /* class c at xr[c * %lld] */", c_type(t), xs,
		  AFF(0, "n", LL(C * D), "d", 1LL), LL(D));
	if (sce) {
		emit_line(&c->e, "double mx = %s, se = 0;", ld(t, "xr[0]"));
		emit_line(&c->e, "for (int c = 1; c < %lld; c++)", LL(C));
		emit_line(&c->e, "\tmx = %s > mx ? %s : mx;", ld(t, "xr[c * %lld]", LL(D)), ld(t, "xr[c * %lld]", LL(D)));
		emit_line(&c->e, "for (int c = 0; c < %lld; c++)", LL(C));
		emit_line(&c->e, "\tse += exp(%s - mx);", ld(t, "xr[c * %lld]", LL(D)));
		emit_line(&c->e, "const double lse = mx + log(se);");
		if (logp) {
			emit_line(&c->e, "for (int c = 0; c < %lld; c++)", LL(C));
			emit_line(&c->e, "\tlog_prob[%s + c * %lld] = %s;", AFF(0, "n", LL(C * D), "d", 1LL), LL(D),
				  sto(t, "%s - lse", ld(t, "xr[c * %lld]", LL(D))));
		}
	}
	emit_line(&c->e, "const int64_t tc = %s[%s];", ts, AFF(0, "n", LL(D), "d", 1LL));
	emit_line(&c->e, "double l, w;");
	if (ii) {
		emit_open(&c->e, "if (tc == %lld) { /* ignore_index */", LL(ii->u.i));
		emit_line(&c->e, "l = 0;");
		emit_line(&c->e, "w = 0;");
		emit_close(&c->e, fmt("} else if (tc < 0 || tc >= %lld) {", LL(C)));
		c->e.indent++;
	} else {
		emit_open(&c->e, "if (tc < 0 || tc >= %lld) {", LL(C));
	}
	emit_line(&c->e, "l = NAN; /* no such class */");
	emit_line(&c->e, "w = NAN;");
	emit_close(&c->e, "} else {");
	c->e.indent++;
	emit_line(&c->e, "w = %s;", w ? ld(t, "%s[tc]", ws) : "1.0");
	emit_line(&c->e, "l = -w * %s;", sce ? fmt("(%s - lse)", ld(t, "xr[tc * %lld]", LL(D))) : ld(t, "xr[tc * %lld]", LL(D)));
	emit_close(&c->e, NULL);
	if (none)
		emit_line(&c->e, "%s[%s] = %s;", out, AFF(0, "n", LL(D), "d", 1LL), sto(t, "l"));
	else
		emit_line(&c->e, "total += l;");
	if (mean)
		emit_line(&c->e, "wsum += w;");
	else
		emit_line(&c->e, "(void)w;");
	emit_close(&c->e, NULL);
	if (mean)
		emit_line(&c->e, "%s[0] = %s; /* weighted mean */", out, sto(t, "total / wsum"));
	else if (!none)
		emit_line(&c->e, "%s[0] = %s;", out, sto(t, "total"));
	return 0;
}
