/* Shape functions of the recurrent, attention, signal and loss ops: rnn,
 * gru, lstm, attention, rotary_embedding, linear_attention,
 * causal_conv_with_state, tensor_scatter, einsum, det, dft, stft, the
 * windows, mel_weight_matrix, the two losses and swiglu. The sizes their
 * kernels need are resolved here once (dlc_node_rnn, dlc_node_attention,
 * dlc_node_einsum, dlc_node_dft; see ir/shape_seq.h). */
#include <string.h>
#include <strings.h>

#include "ir/shape.h"
#include "ir/shape_seq.h"

/* ---- helpers ---- */

static bool known(int64_t d)
{
	return d >= 0;
}

/* Two dims that are both concrete and differ (symbolic ones may agree). */
static bool conflict(int64_t a, int64_t b)
{
	return a >= 0 && b >= 0 && a != b;
}

static int64_t mul_dim(int64_t a, int64_t b)
{
	return known(a) && known(b) ? a * b : DLC_DIM_UNKNOWN;
}

static int64_t div_dim(int64_t a, int64_t b)
{
	return known(a) && known(b) && b > 0 ? a / b : DLC_DIM_UNKNOWN;
}

static int want_float(struct dlc_shape_ctx *c, const char *what, const struct dlc_type *t)
{
	if (!dlc_dtype_is_float(t->dtype))
		return shape_error(c, "%s has type %s, expected a float type", what, shape_str(c, t));
	return 0;
}

static int want_same(struct dlc_shape_ctx *c, const char *what, const struct dlc_type *t,
		     const char *like, const struct dlc_type *ref)
{
	if (t->dtype != ref->dtype)
		return shape_error(c, "%s has type %s, expected %s like %s", what, shape_str(c, t),
				   dlc_dtype_name(ref->dtype), like);
	return 0;
}

static int want_index(struct dlc_shape_ctx *c, const char *what, const struct dlc_type *t)
{
	if (t->dtype != DLC_I32 && t->dtype != DLC_I64)
		return shape_error(c, "%s has type %s, expected i32 or i64", what, shape_str(c, t));
	return 0;
}

/* "[2,N,?]" for expected dims (negative: symbolic, or unknown = '?'). */
static const char *dims_str(struct dlc_shape_ctx *c, int rank, const int64_t *dims)
{
	struct dlc_type t = dlc_type_make(DLC_F32, rank, dims);
	const char *s = shape_str(c, &t);
	return s + 3; /* drop "f32" */
}

/* t must have `rank` dims agreeing with `dims` (entries of -1 match any). */
static int want_shape(struct dlc_shape_ctx *c, const char *what, const struct dlc_type *t,
		      int rank, const int64_t *dims)
{
	bool ok = t->rank == rank;
	for (int i = 0; ok && i < rank; i++)
		ok = !conflict(t->dims[i], dims[i]);
	if (!ok)
		return shape_error(c, "%s %s must have shape %s", what, shape_str(c, t),
				   dims_str(c, rank, dims));
	return 0;
}

static bool is_scalar_like(const struct dlc_type *t)
{
	return t->rank == 0 || (t->rank == 1 && t->dims[0] == 1);
}

bool dlc_const_int(const struct dlc_value *v, int64_t *out)
{
	if (!v || (v->kind != DLC_VALUE_CONST && v->kind != DLC_VALUE_PARAM) || !dlc_value_data(v) ||
	    dlc_type_numel(&v->type) != 1)
		return false;
	const void *p = dlc_value_data(v);
	switch (v->type.dtype) {
	case DLC_I64: *out = *(const int64_t *)p; return true;
	case DLC_I32: *out = *(const int32_t *)p; return true;
	default: return false;
	}
}

enum dlc_dtype dlc_dtype_from_onnx(int64_t t)
{
	switch (t) {
	case 1: return DLC_F32;
	case 2: return DLC_U8;
	case 3: return DLC_I8;
	case 4: return DLC_U16;
	case 5: return DLC_I16;
	case 6: return DLC_I32;
	case 7: return DLC_I64;
	case 9: return DLC_BOOL;
	case 10: return DLC_F16;
	case 11: return DLC_F64;
	case 12: return DLC_U32;
	case 13: return DLC_U64;
	case 16: return DLC_BF16;
	default: return DLC_DTYPE_UNKNOWN;
	}
}

/* An integer scalar operand that fixes a result's shape: its value if it
 * is a constant (1), 0 if not known yet, -1 after reporting a bad one. */
static int static_scalar(struct dlc_shape_ctx *c, int i, const char *what, int64_t min,
			 int64_t *out)
{
	const struct dlc_type *t = shape_in(c, i);
	if (want_index(c, what, t) < 0)
		return -1;
	if (!is_scalar_like(t))
		return shape_error(c, "%s must be a scalar, got %s", what, shape_str(c, t));
	if (!dlc_const_int(dlc_node_input(c->n, i), out))
		return 0;
	if (*out < min || *out > DLC_MAX_NUMEL)
		return shape_error(c, "%s is %lld, accepted range is [%lld, %lld]", what,
				   (long long)*out, (long long)min, (long long)DLC_MAX_NUMEL);
	return 1;
}

static int flag_attr(struct dlc_shape_ctx *c, const char *name)
{
	int64_t v = dlc_node_int(c->n, name);
	if (v != 0 && v != 1)
		return shape_error(c, "'%s' is %lld, expected 0 or 1", name, (long long)v);
	return (int)v;
}

/* Resolvers take a context of their own when called from codegen. */
static struct dlc_shape_ctx resolver_ctx(struct dlc_graph *g, const struct dlc_node *n,
					 struct dlc_diag *d)
{
	return (struct dlc_shape_ctx){.g = g, .n = n, .diag = d};
}

/* ---- rnn, gru, lstm ---- */

static const struct {
	const char *name;
	enum dlc_rnn_fn fn;
	bool alpha, beta;
	float da, db;             /* defaults (ONNX Runtime's) */
} rnn_fns[] = {
	{"relu", DLC_RNN_RELU, false, false, 0, 0},
	{"tanh", DLC_RNN_TANH, false, false, 0, 0},
	{"sigmoid", DLC_RNN_SIGMOID, false, false, 0, 0},
	{"affine", DLC_RNN_AFFINE, true, true, 1.0f, 0.0f},
	{"leakyrelu", DLC_RNN_LEAKY_RELU, true, false, 0.01f, 0},
	{"thresholdedrelu", DLC_RNN_THRESHOLDED_RELU, true, false, 1.0f, 0},
	{"scaledtanh", DLC_RNN_SCALED_TANH, true, true, 1.0f, 1.0f},
	{"hardsigmoid", DLC_RNN_HARD_SIGMOID, true, true, 0.2f, 0.5f},
	{"elu", DLC_RNN_ELU, true, false, 1.0f, 0},
	{"softsign", DLC_RNN_SOFTSIGN, false, false, 0, 0},
	{"softplus", DLC_RNN_SOFTPLUS, false, false, 0, 0},
};

/* Activations in order (f[, g[, h]] of each direction); alphas and betas
 * are consumed in that order by the functions that take them. */
static int rnn_activations(struct dlc_shape_ctx *c, struct dlc_rnn *r)
{
	static const char *const defaults[3][3] = {
		{"Tanh"}, {"Sigmoid", "Tanh"}, {"Sigmoid", "Tanh", "Tanh"}};
	const struct dlc_attr *a = dlc_node_attr(c->n, "activations");
	int want = r->nact * r->dirs, count = a ? a->n : want;
	/* RNN's schema default lists Tanh twice whatever the direction */
	bool rnn_pair = c->n->op == DLC_OP_RNN && r->dirs == 1 && count == 2;
	if (count != want && !rnn_pair)
		return shape_error(c, "'activations' has %d entries, expected %d (%d per direction)",
				   count, want, r->nact);
	const float *al = NULL, *be = NULL;
	int nal = dlc_node_floats(c->n, "activation_alpha", &al);
	int nbe = dlc_node_floats(c->n, "activation_beta", &be);
	int ia = 0, ib = 0;
	for (int k = 0; k < want; k++) {
		const char *name = a ? a->u.strings[k] : defaults[r->nact - 1][k % r->nact];
		size_t f = 0;
		while (f < sizeof rnn_fns / sizeof *rnn_fns && strcasecmp(name, rnn_fns[f].name))
			f++;
		if (f == sizeof rnn_fns / sizeof *rnn_fns)
			return shape_error(c, "activation \"%s\" is not supported (Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus are)",
					   name);
		struct dlc_rnn_act *act = &r->act[k / r->nact][k % r->nact];
		act->fn = rnn_fns[f].fn;
		act->alpha = rnn_fns[f].da;
		act->beta = rnn_fns[f].db;
		if (rnn_fns[f].alpha && ia < nal)
			act->alpha = al[ia++];
		if (rnn_fns[f].beta && ib < nbe)
			act->beta = be[ib++];
	}
	return 0;
}

static int rnn_resolve(struct dlc_shape_ctx *c, struct dlc_rnn *r)
{
	const struct dlc_node *n = c->n;
	bool lstm = n->op == DLC_OP_LSTM;
	memset(r, 0, sizeof *r);
	r->gates = n->op == DLC_OP_RNN ? 1 : n->op == DLC_OP_GRU ? 3 : 4;
	r->nact = n->op == DLC_OP_RNN ? 1 : n->op == DLC_OP_GRU ? 2 : 3;
	const char *dir = dlc_node_string(n, "direction");
	if (!strcmp(dir, "forward") || !strcmp(dir, "reverse")) {
		r->dirs = 1;
		r->reverse = !strcmp(dir, "reverse");
	} else if (!strcmp(dir, "bidirectional")) {
		r->dirs = 2;
	} else {
		return shape_error(c, "'direction' is \"%s\", expected forward, reverse or bidirectional", dir);
	}
	int layout = flag_attr(c, "layout");
	if (layout < 0)
		return -1;
	r->layout = layout;
	const struct dlc_type *x = shape_in(c, 0), *w = shape_in(c, 1), *rr = shape_in(c, 2);
	if (want_float(c, "X", x) < 0)
		return -1;
	if (x->rank != 3)
		return shape_error(c, "X %s must have rank 3 ([seq, batch, input]%s)", shape_str(c, x),
				   layout ? ", [batch, seq, input] with layout 1" : "");
	r->seq = x->dims[layout];
	r->batch = x->dims[!layout];
	r->input = x->dims[2];
	if (rr->rank != 3)
		return shape_error(c, "R %s must have rank 3 ([directions, %s*hidden, hidden])",
				   shape_str(c, rr), r->gates == 1 ? "1" : r->gates == 3 ? "3" : "4");
	r->hidden = rr->dims[2];
	const struct dlc_attr *hs = dlc_node_attr(n, "hidden_size");
	if (hs) {
		if (hs->u.i < 1)
			return shape_error(c, "'hidden_size' is %lld, must be >= 1", (long long)hs->u.i);
		if (conflict(hs->u.i, r->hidden))
			return shape_error(c, "'hidden_size' is %lld, but R %s has hidden size %lld",
					   (long long)hs->u.i, shape_str(c, rr), (long long)r->hidden);
		r->hidden = hs->u.i;
	}
	int64_t d = r->dirs, h = r->hidden, gh = mul_dim(r->gates, h);
	int64_t wd[3] = {d, gh, r->input}, rd[3] = {d, gh, h}, bd[2] = {d, mul_dim(2, gh)};
	if (want_same(c, "W", w, "X", x) < 0 || want_shape(c, "W", w, 3, wd) < 0 ||
	    want_same(c, "R", rr, "X", x) < 0 || want_shape(c, "R", rr, 3, rd) < 0)
		return -1;
	const struct dlc_type *b = shape_in(c, 3), *sl = shape_in(c, 4);
	if (b && (want_same(c, "B", b, "X", x) < 0 || want_shape(c, "B", b, 2, bd) < 0))
		return -1;
	if (sl) {
		int64_t sd[1] = {r->batch};
		if (sl->dtype != DLC_I32)
			return shape_error(c, "sequence_lens has type %s, expected i32", shape_str(c, sl));
		if (want_shape(c, "sequence_lens", sl, 1, sd) < 0)
			return -1;
	}
	int64_t sd[3] = {d, r->batch, h};
	if (layout) {
		sd[0] = r->batch;
		sd[1] = d;
	}
	static const char *const states[] = {"initial_h", "initial_c"};
	for (int i = 0; i < (lstm ? 2 : 1); i++) {
		const struct dlc_type *s = shape_in(c, 5 + i);
		if (s && (want_same(c, states[i], s, "X", x) < 0 || want_shape(c, states[i], s, 3, sd) < 0))
			return -1;
	}
	const struct dlc_type *p = lstm ? shape_in(c, 7) : NULL;
	int64_t pd[2] = {d, mul_dim(3, h)};
	if (p && (want_same(c, "P", p, "X", x) < 0 || want_shape(c, "P", p, 2, pd) < 0))
		return -1;
	const struct dlc_attr *clip = dlc_node_attr(n, "clip");
	if (clip && !(clip->u.f > 0))
		return shape_error(c, "'clip' is %g, must be > 0", clip->u.f);
	if (n->op == DLC_OP_GRU && flag_attr(c, "linear_before_reset") < 0)
		return -1;
	if (lstm && flag_attr(c, "input_forget") < 0)
		return -1;
	return rnn_activations(c, r);
}

int dlc_node_rnn(struct dlc_graph *g, const struct dlc_node *n, struct dlc_rnn *r,
		 struct dlc_diag *d)
{
	struct dlc_shape_ctx c = resolver_ctx(g, n, d);
	return rnn_resolve(&c, r);
}

/* Y [seq, dirs, batch, hidden] (layout 1: [batch, seq, dirs, hidden]);
 * Y_h and Y_c [dirs, batch, hidden] (layout 1: [batch, dirs, hidden]). */
int shape_rnn(struct dlc_shape_ctx *c)
{
	struct dlc_rnn r;
	if (rnn_resolve(c, &r) < 0)
		return -1;
	enum dlc_dtype t = shape_in(c, 0)->dtype;
	int64_t y[4] = {r.seq, r.dirs, r.batch, r.hidden}, s[3] = {r.dirs, r.batch, r.hidden};
	if (r.layout) {
		y[0] = r.batch;
		y[1] = r.seq;
		y[2] = r.dirs;
		s[0] = r.batch;
		s[1] = r.dirs;
	}
	c->out[0] = dlc_type_make(t, 4, y);
	for (int i = 1; i < c->n->noutputs; i++)
		c->out[i] = dlc_type_make(t, 3, s);
	return 0;
}

/* ---- attention ---- */

static int heads_attr(struct dlc_shape_ctx *c, const char *name, int64_t *out)
{
	const struct dlc_attr *a = dlc_node_attr(c->n, name);
	if (!a)
		return shape_error(c, "'%s' is required with 3-D Q, K and V", name);
	if (a->u.i < 1 || a->u.i > DLC_MAX_NUMEL)
		return shape_error(c, "'%s' is %lld, must be >= 1", name, (long long)a->u.i);
	*out = a->u.i;
	return 0;
}

/* Splits a packed hidden dim into heads x size. */
static int split_heads(struct dlc_shape_ctx *c, const char *what, const struct dlc_type *t,
		       int64_t heads, int64_t *size)
{
	int64_t hid = t->dims[2];
	if (known(hid) && hid % heads)
		return shape_error(c, "%s %s: hidden size %lld is not divisible by %lld heads", what,
				   shape_str(c, t), (long long)hid, (long long)heads);
	*size = div_dim(hid, heads);
	return 0;
}

static int attention_resolve(struct dlc_shape_ctx *c, struct dlc_attention *a)
{
	const struct dlc_type *q = shape_in(c, 0), *k = shape_in(c, 1), *v = shape_in(c, 2);
	const struct dlc_type *mask = shape_in(c, 3), *pk = shape_in(c, 4), *pv = shape_in(c, 5);
	const struct dlc_type *nonpad = shape_in(c, 6);
	memset(a, 0, sizeof *a);
	if (want_float(c, "Q", q) < 0 || want_same(c, "K", k, "Q", q) < 0 || want_float(c, "V", v) < 0)
		return -1;
	if (q->rank != 3 && q->rank != 4)
		return shape_error(c, "Q %s must have rank 3 or 4", shape_str(c, q));
	if (k->rank != q->rank || v->rank != q->rank)
		return shape_error(c, "Q %s, K %s and V %s must have the same rank", shape_str(c, q),
				   shape_str(c, k), shape_str(c, v));
	a->three_d = q->rank == 3;
	a->batch = q->dims[0];
	if (a->three_d) {
		if (heads_attr(c, "q_num_heads", &a->q_heads) < 0 ||
		    heads_attr(c, "kv_num_heads", &a->kv_heads) < 0 ||
		    split_heads(c, "Q", q, a->q_heads, &a->head_size) < 0 ||
		    split_heads(c, "V", v, a->kv_heads, &a->v_head_size) < 0)
			return -1;
		int64_t kd[3] = {a->batch, DLC_DIM_UNKNOWN, mul_dim(a->kv_heads, a->head_size)};
		if (want_shape(c, "K", k, 3, kd) < 0)
			return -1;
		a->q_len = q->dims[1];
		a->kv_len = k->dims[1];
	} else {
		for (int i = 0; i < 2; i++) {
			const char *name = i ? "kv_num_heads" : "q_num_heads";
			if (dlc_node_attr(c->n, name))
				return shape_error(c, "'%s' must not be given with 4-D Q, K and V (the heads are their dim 1)",
						   name);
		}
		a->q_heads = q->dims[1];
		a->q_len = q->dims[2];
		a->head_size = q->dims[3];
		a->kv_heads = k->dims[1];
		a->kv_len = k->dims[2];
		a->v_head_size = v->dims[3];
		int64_t kd[4] = {a->batch, DLC_DIM_UNKNOWN, DLC_DIM_UNKNOWN, a->head_size};
		if (want_shape(c, "K", k, 4, kd) < 0)
			return -1;
	}
	int64_t vd[4] = {a->batch, a->kv_heads, a->kv_len, a->v_head_size};
	if (a->three_d) {
		vd[1] = a->kv_len;
		vd[2] = mul_dim(a->kv_heads, a->v_head_size);
	}
	if (want_shape(c, "V", v, q->rank, vd) < 0)
		return -1;
	if (known(a->q_heads) && known(a->kv_heads) && a->q_heads % a->kv_heads)
		return shape_error(c, "%lld query heads are not a multiple of %lld key/value heads",
				   (long long)a->q_heads, (long long)a->kv_heads);
	if (!pk != !pv)
		return shape_error(c, "past_key and past_value must be given together");
	a->past_len = 0;
	if (pk) {
		if (nonpad)
			return shape_error(c, "nonpad_kv_seqlen cannot be combined with past_key and past_value");
		int64_t pkd[4] = {a->batch, a->kv_heads, DLC_DIM_UNKNOWN, a->head_size};
		if (want_same(c, "past_key", pk, "K", k) < 0 || want_shape(c, "past_key", pk, 4, pkd) < 0)
			return -1;
		a->past_len = pk->dims[2];
		int64_t pvd[4] = {a->batch, a->kv_heads, a->past_len, a->v_head_size};
		if (want_same(c, "past_value", pv, "V", v) < 0 || want_shape(c, "past_value", pv, 4, pvd) < 0)
			return -1;
	}
	a->total_len = known(a->past_len) && known(a->kv_len) ? a->past_len + a->kv_len : DLC_DIM_UNKNOWN;
	if (nonpad) {
		int64_t nd[1] = {a->batch};
		if (nonpad->dtype != DLC_I64)
			return shape_error(c, "nonpad_kv_seqlen has type %s, expected i64", shape_str(c, nonpad));
		if (want_shape(c, "nonpad_kv_seqlen", nonpad, 1, nd) < 0)
			return -1;
	}
	if (mask) {
		if (mask->dtype != DLC_BOOL && mask->dtype != q->dtype)
			return shape_error(c, "attn_mask has type %s, expected bool or %s like Q",
					   shape_str(c, mask), dlc_dtype_name(q->dtype));
		if (mask->rank < 1 || mask->rank > 4)
			return shape_error(c, "attn_mask %s must have rank 1 to 4", shape_str(c, mask));
		int64_t full[4] = {a->batch, a->q_heads, a->q_len, a->total_len};
		for (int i = 0; i < 4; i++)
			a->mask[i] = 1;
		for (int i = 0; i < mask->rank; i++) {
			int at = 4 - mask->rank + i;
			int64_t m = mask->dims[i], want = full[at];
			a->mask[at] = m;
			bool bad = at < 3 ? m != 1 && conflict(m, want)
					  : known(m) && known(want) && m > want;
			if (bad)
				return shape_error(c, "attn_mask %s does not broadcast to %s (batch, q heads, q seq, total seq)%s",
						   shape_str(c, mask), dims_str(c, 4, full),
						   at == 3 ? ": its last dim may be shorter, not longer" : "");
		}
	}
	if (flag_attr(c, "is_causal") < 0)
		return -1;
	int64_t mode = dlc_node_int(c->n, "qk_matmul_output_mode");
	if (mode < 0 || mode > 3)
		return shape_error(c, "'qk_matmul_output_mode' is %lld, accepted range is [0, 3]", (long long)mode);
	const struct dlc_attr *sp = dlc_node_attr(c->n, "softmax_precision");
	if (sp && sp->u.i != 1 && sp->u.i != 10 && sp->u.i != 11 && sp->u.i != 16)
		return shape_error(c, "'softmax_precision' is %lld, expected 1 (float), 10 (float16), 11 (double) or 16 (bfloat16)",
				   (long long)sp->u.i);
	float cap = dlc_node_float(c->n, "softcap");
	if (!(cap >= 0))
		return shape_error(c, "'softcap' is %g, must be >= 0", cap);
	for (int i = 0; i < 2; i++) {
		const char *name = i ? "right_window_size" : "left_window_size";
		int64_t w = dlc_node_int(c->n, name);
		if (w < -1)
			return shape_error(c, "'%s' is %lld, must be -1 (unbounded) or >= 0", name, (long long)w);
	}
	return 0;
}

int dlc_node_attention(struct dlc_graph *g, const struct dlc_node *n, struct dlc_attention *a,
		       struct dlc_diag *d)
{
	struct dlc_shape_ctx c = resolver_ctx(g, n, d);
	return attention_resolve(&c, a);
}

/* Y (Q's rank), present_key, present_value, qk_matmul_output. */
int shape_attention(struct dlc_shape_ctx *c)
{
	struct dlc_attention a;
	if (attention_resolve(c, &a) < 0)
		return -1;
	enum dlc_dtype qt = shape_in(c, 0)->dtype, kt = qt, vt = shape_in(c, 2)->dtype;
	if (a.three_d) {
		int64_t y[3] = {a.batch, a.q_len, mul_dim(a.q_heads, a.v_head_size)};
		c->out[0] = dlc_type_make(qt, 3, y);
	} else {
		int64_t y[4] = {a.batch, a.q_heads, a.q_len, a.v_head_size};
		c->out[0] = dlc_type_make(qt, 4, y);
	}
	int64_t pk[4] = {a.batch, a.kv_heads, a.total_len, a.head_size};
	int64_t pv[4] = {a.batch, a.kv_heads, a.total_len, a.v_head_size};
	int64_t qk[4] = {a.batch, a.q_heads, a.q_len, a.total_len};
	if (c->n->noutputs > 1)
		c->out[1] = dlc_type_make(kt, 4, pk);
	if (c->n->noutputs > 2)
		c->out[2] = dlc_type_make(vt, 4, pv);
	if (c->n->noutputs > 3)
		c->out[3] = dlc_type_make(qt, 4, qk);
	return 0;
}

/* ---- rotary_embedding ---- */

/* X [batch, heads, seq, head] or [batch, seq, heads*head] (num_heads);
 * cos/sin [max_pos, rot/2] with position_ids [batch, seq], else
 * [batch, seq, rot/2]. */
int shape_rotary_embedding(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0), *cs = shape_in(c, 1), *sn = shape_in(c, 2);
	const struct dlc_type *pos = shape_in(c, 3);
	if (want_float(c, "X", x) < 0 || want_same(c, "cos_cache", cs, "X", x) < 0 ||
	    want_same(c, "sin_cache", sn, "X", x) < 0)
		return -1;
	if (x->rank != 3 && x->rank != 4)
		return shape_error(c, "X %s must have rank 3 or 4", shape_str(c, x));
	int64_t batch = x->dims[0], seq, head = DLC_DIM_UNKNOWN;
	const struct dlc_attr *nh = dlc_node_attr(c->n, "num_heads");
	if (nh && nh->u.i < 1)
		return shape_error(c, "'num_heads' is %lld, must be >= 1", (long long)nh->u.i);
	if (x->rank == 3) {
		if (!nh)
			return shape_error(c, "'num_heads' is required with a 3-D X");
		if (split_heads(c, "X", x, nh->u.i, &head) < 0)
			return -1;
		seq = x->dims[1];
	} else {
		if (nh && conflict(nh->u.i, x->dims[1]))
			return shape_error(c, "'num_heads' is %lld, but X %s has %lld heads",
					   (long long)nh->u.i, shape_str(c, x), (long long)x->dims[1]);
		seq = x->dims[2];
		head = x->dims[3];
	}
	int64_t rot = dlc_node_int(c->n, "rotary_embedding_dim");
	if (rot < 0)
		return shape_error(c, "'rotary_embedding_dim' is %lld, must be >= 0", (long long)rot);
	if (rot == 0)
		rot = head;
	else if (known(head) && rot > head)
		return shape_error(c, "'rotary_embedding_dim' is %lld, larger than the head size %lld",
				   (long long)rot, (long long)head);
	if (known(rot) && rot % 2)
		return shape_error(c, "the rotary dim %lld must be even", (long long)rot);
	int64_t half = div_dim(rot, 2);
	if (pos) {
		int64_t pd[2] = {batch, seq}, cd[2] = {DLC_DIM_UNKNOWN, half};
		if (pos->dtype != DLC_I64)
			return shape_error(c, "position_ids has type %s, expected i64", shape_str(c, pos));
		if (want_shape(c, "position_ids", pos, 2, pd) < 0 || want_shape(c, "cos_cache", cs, 2, cd) < 0)
			return -1;
		cd[0] = cs->dims[0];
		if (want_shape(c, "sin_cache", sn, 2, cd) < 0)
			return -1;
	} else {
		int64_t cd[3] = {batch, seq, half};
		if (want_shape(c, "cos_cache", cs, 3, cd) < 0 || want_shape(c, "sin_cache", sn, 3, cd) < 0)
			return -1;
	}
	if (flag_attr(c, "interleaved") < 0)
		return -1;
	c->out[0] = *x;
	return 0;
}

/* ---- linear_attention ---- */

int shape_linear_attention(struct dlc_shape_ctx *c)
{
	const struct dlc_type *q = shape_in(c, 0), *k = shape_in(c, 1), *v = shape_in(c, 2);
	const struct dlc_type *past = shape_in(c, 3), *decay = shape_in(c, 4), *beta = shape_in(c, 5);
	if (want_float(c, "query", q) < 0 || want_same(c, "key", k, "query", q) < 0 ||
	    want_same(c, "value", v, "query", q) < 0)
		return -1;
	if (!dlc_node_attr(c->n, "q_num_heads") || !dlc_node_attr(c->n, "kv_num_heads"))
		return shape_error(c, "'q_num_heads' and 'kv_num_heads' are required");
	int64_t qh = dlc_node_int(c->n, "q_num_heads"), kvh = dlc_node_int(c->n, "kv_num_heads");
	if (qh < 1 || kvh < 1 || qh > DLC_MAX_NUMEL || kvh > DLC_MAX_NUMEL || qh % kvh)
		return shape_error(c, "'q_num_heads' (%lld) must be a positive multiple of 'kv_num_heads' (%lld)",
				   (long long)qh, (long long)kvh);
	const char *rule = dlc_node_string(c->n, "update_rule");
	bool gated = !strcmp(rule, "gated") || !strcmp(rule, "gated_delta");
	bool delta = !strcmp(rule, "delta") || !strcmp(rule, "gated_delta");
	if (!gated && !delta && strcmp(rule, "linear"))
		return shape_error(c, "'update_rule' is \"%s\", expected linear, gated, delta or gated_delta", rule);
	if (gated != !!decay)
		return shape_error(c, "update_rule \"%s\" %s the decay operand", rule,
				   gated ? "requires" : "does not take");
	if (delta != !!beta)
		return shape_error(c, "update_rule \"%s\" %s the beta operand", rule,
				   delta ? "requires" : "does not take");
	if (dlc_node_int(c->n, "chunk_size") < 1)
		return shape_error(c, "'chunk_size' is %lld, must be >= 1",
				   (long long)dlc_node_int(c->n, "chunk_size"));
	if (q->rank != 3)
		return shape_error(c, "query %s must have rank 3 (batch, seq, heads * size)", shape_str(c, q));
	int64_t b = q->dims[0], t = q->dims[1], dk = DLC_DIM_UNKNOWN, dv = DLC_DIM_UNKNOWN;
	if (split_heads(c, "query", q, qh, &dk) < 0)
		return -1;
	int64_t kd[3] = {b, t, mul_dim(kvh, dk)};
	if (want_shape(c, "key", k, 3, kd) < 0)
		return -1;
	int64_t vd[3] = {b, t, DLC_DIM_UNKNOWN};
	if (want_shape(c, "value", v, 3, vd) < 0 || split_heads(c, "value", v, kvh, &dv) < 0)
		return -1;
	if (decay) {
		if (want_same(c, "decay", decay, "query", q) < 0)
			return -1;
		int64_t last = decay->rank == 3 ? decay->dims[2] : -1;
		int64_t dd[3] = {b, t, last == kvh ? kvh : mul_dim(kvh, dk)};
		if (want_shape(c, "decay", decay, 3, dd) < 0)
			return -1;
	}
	if (beta) {
		if (want_same(c, "beta", beta, "query", q) < 0)
			return -1;
		int64_t last = beta->rank == 3 ? beta->dims[2] : -1;
		int64_t bd[3] = {b, t, last == 1 ? 1 : kvh};
		if (want_shape(c, "beta", beta, 3, bd) < 0)
			return -1;
	}
	int64_t sd[4] = {b, kvh, dk, dv};
	if (past && (want_float(c, "past_state", past) < 0 || want_shape(c, "past_state", past, 4, sd) < 0))
		return -1;
	int64_t od[3] = {b, t, mul_dim(qh, dv)};
	c->out[0] = dlc_type_make(q->dtype, 3, od);
	if (c->n->noutputs > 1)
		c->out[1] = dlc_type_make(past ? past->dtype : q->dtype, 4, sd);
	return 0;
}

/* ---- causal_conv_with_state ---- */

int shape_causal_conv_with_state(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0), *w = shape_in(c, 1), *b = shape_in(c, 2);
	const struct dlc_type *past = shape_in(c, 3);
	if (want_float(c, "input", x) < 0 || want_same(c, "weight", w, "input", x) < 0)
		return -1;
	if (x->rank != 3)
		return shape_error(c, "input %s must have rank 3 (batch, channels, length)", shape_str(c, x));
	int64_t wd[3] = {x->dims[1], 1, DLC_DIM_UNKNOWN};
	if (want_shape(c, "weight", w, 3, wd) < 0)
		return -1;
	int64_t k = w->dims[2];
	if (k == 0)
		return shape_error(c, "weight %s has kernel size 0", shape_str(c, w));
	int64_t bd[1] = {x->dims[1]};
	if (b && (want_same(c, "bias", b, "input", x) < 0 || want_shape(c, "bias", b, 1, bd) < 0))
		return -1;
	int64_t sd[3] = {x->dims[0], x->dims[1], known(k) ? k - 1 : DLC_DIM_UNKNOWN};
	if (past && (want_same(c, "past_state", past, "input", x) < 0 ||
		     want_shape(c, "past_state", past, 3, sd) < 0))
		return -1;
	const char *act = dlc_node_string(c->n, "activation");
	if (strcmp(act, "none") && strcmp(act, "silu") && strcmp(act, "swish"))
		return shape_error(c, "'activation' is \"%s\", expected none, silu or swish", act);
	c->out[0] = *x;
	if (c->n->noutputs > 1)
		c->out[1] = dlc_type_make(x->dtype, 3, sd);
	return 0;
}

/* ---- tensor_scatter ---- */

int shape_tensor_scatter(struct dlc_shape_ctx *c)
{
	const struct dlc_type *p = shape_in(c, 0), *u = shape_in(c, 1), *wi = shape_in(c, 2);
	if (want_same(c, "update", u, "past_cache", p) < 0)
		return -1;
	if (p->rank < 2)
		return shape_error(c, "past_cache %s must have rank >= 2", shape_str(c, p));
	int axis = shape_axis(c, "axis", dlc_node_int(c->n, "axis"), p->rank, false);
	if (axis < 0)
		return -1;
	if (axis == 0)
		return shape_error(c, "'axis' is the batch dim 0; the sequence axis must be another");
	int64_t ud[DLC_MAX_RANK];
	memcpy(ud, p->dims, sizeof ud);
	ud[axis] = DLC_DIM_UNKNOWN;
	if (want_shape(c, "update", u, p->rank, ud) < 0)
		return -1;
	if (known(u->dims[axis]) && known(p->dims[axis]) && u->dims[axis] > p->dims[axis])
		return shape_error(c, "update %s is longer along axis %d than past_cache %s",
				   shape_str(c, u), axis, shape_str(c, p));
	if (wi) {
		int64_t wd[1] = {p->dims[0]};
		if (wi->dtype != DLC_I64)
			return shape_error(c, "write_indices has type %s, expected i64", shape_str(c, wi));
		if (want_shape(c, "write_indices", wi, 1, wd) < 0)
			return -1;
	}
	const char *mode = dlc_node_string(c->n, "mode");
	if (strcmp(mode, "linear") && strcmp(mode, "circular"))
		return shape_error(c, "'mode' is \"%s\", expected linear or circular", mode);
	c->out[0] = *p;
	return 0;
}

/* ---- swiglu ---- */

int shape_swiglu(struct dlc_shape_ctx *c)
{
	const struct dlc_type *a = shape_in(c, 0), *b = shape_in(c, 1);
	if (want_float(c, "A", a) < 0 || want_same(c, "B", b, "A", a) < 0 ||
	    want_shape(c, "B", b, a->rank, a->dims) < 0)
		return -1;
	c->out[0] = *a;
	return 0;
}

/* ---- einsum ---- */

static int label_index(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return 26 + ch - 'a';
	return -1;
}

/* One term: letters and at most one "..."; returns the letter count and
 * where the ellipsis sits (-1: none). */
struct term {
	int n;                       /* letters */
	int letters[DLC_MAX_RANK + 1];
	int ellipsis;                /* position among the letters, -1 if none */
};

static int parse_term(struct dlc_shape_ctx *c, const char **pp, const char *end, struct term *t,
		      bool rhs)
{
	const char *p = *pp;
	t->n = 0;
	t->ellipsis = -1;
	while (p < end && *p != ',' && *p != '-') {
		if (*p == ' ') {
			p++;
		} else if (*p == '.') {
			if (end - p < 3 || p[1] != '.' || p[2] != '.')
				return shape_error(c, "equation: a '.' must be part of an ellipsis \"...\"");
			if (t->ellipsis >= 0)
				return shape_error(c, "equation: a term has more than one ellipsis");
			t->ellipsis = t->n;
			p += 3;
		} else if (label_index(*p) >= 0) {
			if (t->n == DLC_MAX_RANK)
				return shape_error(c, "equation: a term has more than %d indices", DLC_MAX_RANK);
			t->letters[t->n++] = label_index(*p);
			p++;
		} else {
			return shape_error(c, "equation: unexpected character '%c'%s", *p,
					   rhs ? " in the output term" : "");
		}
	}
	*pp = p;
	return 0;
}

static int einsum_resolve(struct dlc_shape_ctx *c, struct dlc_einsum *e)
{
	const char *eq = dlc_node_string(c->n, "equation");
	const char *end = eq + strlen(eq), *arrow = strstr(eq, "->");
	const char *lhs_end = arrow ? arrow : end;
	int nops = c->n->ninputs;
	memset(e, 0, sizeof *e);
	if (nops > DLC_EINSUM_MAX_OPS)
		return shape_error(c, "%d operands, at most %d supported", nops, DLC_EINSUM_MAX_OPS);
	e->nops = nops;
	struct term terms[DLC_EINSUM_MAX_OPS];
	const char *p = eq;
	int nterms = 0;
	for (;;) {
		if (nterms == nops)
			return shape_error(c, "equation \"%s\" has more terms than the %d operands", eq, nops);
		if (parse_term(c, &p, lhs_end, &terms[nterms], false) < 0)
			return -1;
		nterms++;
		if (p < lhs_end && *p == ',') {
			p++;
			continue;
		}
		if (p < lhs_end)
			return shape_error(c, "equation \"%s\": unexpected '%c'", eq, *p);
		break;
	}
	if (nterms != nops)
		return shape_error(c, "equation \"%s\" has %d terms for %d operands", eq, nterms, nops);
	/* ellipsis dims: the longest any operand gives, right-aligned */
	int lcount[52] = {0};
	bool sized[DLC_EINSUM_MAX_LABELS] = {0};
	int nell = 0;
	int ell_of[DLC_EINSUM_MAX_OPS];
	for (int k = 0; k < nops; k++) {
		const struct dlc_type *t = shape_in(c, k);
		struct term *tm = &terms[k];
		if (k > 0 && t->dtype != shape_in(c, 0)->dtype)
			return shape_error(c, "operand %d has type %s, expected %s like operand 0", k,
					   shape_str(c, t), dlc_dtype_name(shape_in(c, 0)->dtype));
		if (t->dtype == DLC_BOOL)
			return shape_error(c, "operand type %s is not numeric", shape_str(c, t));
		ell_of[k] = t->rank - tm->n;
		if (tm->ellipsis < 0 ? t->rank != tm->n : t->rank < tm->n)
			return shape_error(c, "operand %d %s has rank %d, but its term has %d indices%s", k,
					   shape_str(c, t), t->rank, tm->n,
					   tm->ellipsis < 0 ? "" : " and an ellipsis");
		if (tm->ellipsis >= 0 && ell_of[k] > nell)
			nell = ell_of[k];
	}
	/* labels: letters in order of first appearance, then ellipsis dims */
	int letter_label[52];
	for (int i = 0; i < 52; i++)
		letter_label[i] = -1;
	for (int k = 0; k < nops; k++)
		for (int i = 0; i < terms[k].n; i++) {
			int l = terms[k].letters[i];
			lcount[l]++;
			if (letter_label[l] < 0) {
				letter_label[l] = e->nlabels;
				e->name[e->nlabels] = (char)(l < 26 ? 'A' + l : 'a' + l - 26);
				e->size[e->nlabels++] = DLC_DIM_UNKNOWN;
			}
		}
	int ell0 = e->nlabels;
	for (int i = 0; i < nell; i++) {
		e->name[e->nlabels] = '.';
		e->size[e->nlabels++] = 1;
	}
	for (int k = 0; k < nops; k++) {
		const struct dlc_type *t = shape_in(c, k);
		struct term *tm = &terms[k];
		e->rank[k] = t->rank;
		int dim = 0;
		for (int i = 0; i <= tm->n; i++) {
			if (i == tm->ellipsis)
				for (int j = 0; j < ell_of[k]; j++, dim++) {
					int l = ell0 + nell - ell_of[k] + j;
					int64_t s = t->dims[dim];
					e->label[k][dim] = l;
					if (s == 1)
						continue; /* broadcasts; bcast fixed below */
					if (e->size[l] != 1 && conflict(e->size[l], s))
						return shape_error(c, "operand %d %s: ellipsis dim %d is %lld, another operand has %lld",
								   k, shape_str(c, t), dim, (long long)s,
								   (long long)e->size[l]);
					e->size[l] = s;
				}
			if (i == tm->n)
				break;
			int l = letter_label[tm->letters[i]];
			int64_t s = t->dims[dim];
			e->label[k][dim++] = l;
			if (!sized[l] || (e->size[l] < 0 && s >= 0)) {
				e->size[l] = s;
				sized[l] = true;
			} else if (conflict(e->size[l], s)) {
				return shape_error(c, "index '%c' is %lld in operand %d %s, but %lld elsewhere",
						   e->name[l], (long long)s, k, shape_str(c, t),
						   (long long)e->size[l]);
			}
		}
	}
	for (int k = 0; k < nops; k++)
		for (int d = 0; d < e->rank[k]; d++)
			e->bcast[k][d] = shape_in(c, k)->dims[d] == 1 && e->size[e->label[k][d]] != 1;
	/* the result's labels */
	if (arrow) {
		struct term out;
		const char *q = arrow + 2;
		if (parse_term(c, &q, end, &out, true) < 0)
			return -1;
		if (q < end)
			return shape_error(c, "equation \"%s\": unexpected '%c' in the output term", eq, *q);
		bool seen[52] = {0};
		for (int i = 0; i <= out.n; i++) {
			if (i == out.ellipsis)
				for (int j = 0; j < nell; j++)
					e->out[e->nout++] = ell0 + j;
			if (i == out.n)
				break;
			int l = out.letters[i];
			if (letter_label[l] < 0)
				return shape_error(c, "equation \"%s\": output index '%c' appears in no input term",
						   eq, (char)(l < 26 ? 'A' + l : 'a' + l - 26));
			if (seen[l])
				return shape_error(c, "equation \"%s\": output index '%c' is repeated", eq,
						   (char)(l < 26 ? 'A' + l : 'a' + l - 26));
			seen[l] = true;
			if (e->nout == DLC_MAX_RANK)
				return shape_error(c, "the result would have rank above %d", DLC_MAX_RANK);
			e->out[e->nout++] = letter_label[l];
		}
		if (nell && out.ellipsis < 0)
			for (int j = 0; j < nell; j++)
				if (e->size[ell0 + j] != 1)
					return shape_error(c, "equation \"%s\": the output term needs an ellipsis for the broadcast dims",
							   eq);
	} else {
		/* implicit: ellipsis dims, then letters used once, in ASCII order */
		for (int j = 0; j < nell; j++)
			e->out[e->nout++] = ell0 + j;
		for (int l = 0; l < 52; l++)
			if (lcount[l] == 1) {
				if (e->nout == DLC_MAX_RANK)
					return shape_error(c, "the result would have rank above %d", DLC_MAX_RANK);
				e->out[e->nout++] = letter_label[l];
			}
	}
	return 0;
}

int dlc_node_einsum(struct dlc_graph *g, const struct dlc_node *n, struct dlc_einsum *e,
		    struct dlc_diag *d)
{
	struct dlc_shape_ctx c = resolver_ctx(g, n, d);
	return einsum_resolve(&c, e);
}

int shape_einsum(struct dlc_shape_ctx *c)
{
	struct dlc_einsum e;
	if (einsum_resolve(c, &e) < 0)
		return -1;
	int64_t dims[DLC_MAX_RANK];
	for (int i = 0; i < e.nout; i++)
		dims[i] = e.size[e.out[i]];
	c->out[0] = dlc_type_make(shape_in(c, 0)->dtype, e.nout, dims);
	return 0;
}

/* ---- det ---- */

int shape_det(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	if (want_float(c, "input", x) < 0)
		return -1;
	if (x->rank < 2)
		return shape_error(c, "input %s must have rank >= 2 ([*, M, M])", shape_str(c, x));
	if (conflict(x->dims[x->rank - 1], x->dims[x->rank - 2]))
		return shape_error(c, "input %s: the matrices are not square", shape_str(c, x));
	c->out[0] = dlc_type_make(x->dtype, x->rank - 2, x->dims);
	return 0;
}

/* ---- dft, stft ---- */

static int complex_last(struct dlc_shape_ctx *c, const char *what, const struct dlc_type *x,
			bool *complex_in)
{
	int64_t last = x->dims[x->rank - 1];
	if (known(last) && last != 1 && last != 2)
		return shape_error(c, "%s %s: the last dim must be 1 (real) or 2 (complex)", what,
				   shape_str(c, x));
	*complex_in = last == 2;
	return 0;
}

static int dft_resolve(struct dlc_shape_ctx *c, struct dlc_dft *p)
{
	const struct dlc_type *x = shape_in(c, 0);
	memset(p, 0, sizeof *p);
	if (want_float(c, "input", x) < 0)
		return -1;
	if (x->rank < 2)
		return shape_error(c, "input %s must have rank >= 2 (signal dims, then 1 or 2)",
				   shape_str(c, x));
	if (complex_last(c, "input", x, &p->complex_in) < 0)
		return -1;
	int inv = flag_attr(c, "inverse"), one = flag_attr(c, "onesided");
	if (inv < 0 || one < 0)
		return -1;
	p->inverse = inv;
	p->onesided = one;
	int64_t axis = -2;
	p->axis = -1; /* unknown until the axis operand is a constant */
	if (shape_in(c, 2)) {
		int k = static_scalar(c, 2, "axis", -DLC_MAX_NUMEL, &axis);
		if (k < 0)
			return -1;
		if (k == 0)
			axis = DLC_MAX_NUMEL; /* marks unknown */
	}
	if (axis != DLC_MAX_NUMEL) {
		int r = x->rank;
		if (axis < -r || axis > r - 2 || axis == -1)
			return shape_error(c, "'axis' is %lld, accepted range is [%d, -2] or [0, %d] (the last dim holds the complex parts)",
					   (long long)axis, -r, r - 2);
		p->axis = (int)(axis < 0 ? axis + r : axis);
		p->in_len = x->dims[p->axis];
	} else {
		p->in_len = DLC_DIM_UNKNOWN;
	}
	if (p->inverse && p->onesided && known(x->dims[x->rank - 1]) && !p->complex_in)
		return shape_error(c, "an inverse one-sided DFT (IRFFT) needs complex input (last dim 2), got %s",
				   shape_str(c, x));
	if (!p->inverse && p->onesided && p->complex_in)
		return shape_error(c, "a one-sided forward DFT (RFFT) needs real input (last dim 1), got %s",
				   shape_str(c, x));
	p->length = DLC_DIM_UNKNOWN;
	if (shape_in(c, 1)) {
		int k = static_scalar(c, 1, "dft_length", 1, &p->length);
		if (k < 0)
			return -1;
		if (k == 0)
			p->length = DLC_DIM_UNKNOWN;
	} else if (!(p->inverse && p->onesided)) {
		p->length = p->in_len; /* may be symbolic */
	} else if (known(p->in_len)) {
		p->length = 2 * (p->in_len - 1);
	}
	if (p->length == 0 || (p->inverse && p->onesided && p->length < 0 && known(p->in_len)))
		return shape_error(c, "input %s has no points to transform along axis %d", shape_str(c, x), p->axis);
	p->complex_out = !(p->inverse && p->onesided);
	p->bins = !p->inverse && p->onesided ? div_dim(p->length, 2) : p->length;
	if (known(p->bins) && !p->inverse && p->onesided)
		p->bins++;
	return 0;
}

static int stft_resolve(struct dlc_shape_ctx *c, struct dlc_dft *p)
{
	const struct dlc_type *x = shape_in(c, 0), *w = shape_in(c, 2);
	memset(p, 0, sizeof *p);
	if (want_float(c, "signal", x) < 0)
		return -1;
	if (x->rank != 3)
		return shape_error(c, "signal %s must have rank 3 ([batch, length, 1 or 2])", shape_str(c, x));
	if (complex_last(c, "signal", x, &p->complex_in) < 0)
		return -1;
	int one = flag_attr(c, "onesided");
	if (one < 0)
		return -1;
	p->onesided = one;
	p->axis = 1;
	p->complex_out = true;
	if (p->onesided && p->complex_in)
		return shape_error(c, "onesided = 1 needs a real signal (last dim 1), got %s", shape_str(c, x));
	int k = static_scalar(c, 1, "frame_step", 1, &p->frame_step);
	if (k < 0)
		return -1;
	if (k == 0)
		p->frame_step = DLC_DIM_UNKNOWN;
	if (w) {
		if (want_same(c, "window", w, "signal", x) < 0)
			return -1;
		if (w->rank != 1)
			return shape_error(c, "window %s must be 1-D", shape_str(c, w));
	}
	p->length = w ? w->dims[0] : x->dims[1];
	if (shape_in(c, 3)) {
		int64_t len;
		k = static_scalar(c, 3, "frame_length", 1, &len);
		if (k < 0)
			return -1;
		if (k == 0)
			len = DLC_DIM_UNKNOWN;
		else if (w && conflict(len, w->dims[0]))
			return shape_error(c, "frame_length is %lld, but the window %s has %lld points",
					   (long long)len, shape_str(c, w), (long long)w->dims[0]);
		p->length = len;
	}
	if (known(p->length) && known(x->dims[1]) && p->length > x->dims[1])
		return shape_error(c, "the frame length %lld is longer than the signal %s",
				   (long long)p->length, shape_str(c, x));
	p->in_len = p->length;
	p->bins = !p->onesided ? p->length : known(p->length) ? p->length / 2 + 1 : DLC_DIM_UNKNOWN;
	return 0;
}

int dlc_node_dft(struct dlc_graph *g, const struct dlc_node *n, struct dlc_dft *p,
		 struct dlc_diag *d)
{
	struct dlc_shape_ctx c = resolver_ctx(g, n, d);
	return n->op == DLC_OP_STFT ? stft_resolve(&c, p) : dft_resolve(&c, p);
}

int shape_dft(struct dlc_shape_ctx *c)
{
	struct dlc_dft p;
	if (dft_resolve(c, &p) < 0)
		return -1;
	const struct dlc_type *x = shape_in(c, 0);
	struct dlc_type *o = &c->out[0];
	*o = *x;
	o->dims[x->rank - 1] = p.complex_out ? 2 : 1;
	if (p.axis >= 0)
		o->dims[p.axis] = p.bins;
	else if (shape_in(c, 1) || p.onesided) /* which dim changes is not known yet */
		for (int i = 0; i < x->rank - 1; i++)
			o->dims[i] = DLC_DIM_UNKNOWN;
	return 0;
}

/* [batch, frames, bins, 2] */
int shape_stft(struct dlc_shape_ctx *c)
{
	struct dlc_dft p;
	if (stft_resolve(c, &p) < 0)
		return -1;
	const struct dlc_type *x = shape_in(c, 0);
	int64_t frames = DLC_DIM_UNKNOWN;
	if (known(x->dims[1]) && known(p.length) && known(p.frame_step))
		frames = (x->dims[1] - p.length) / p.frame_step + 1;
	int64_t dims[4] = {x->dims[0], frames, p.bins, 2};
	c->out[0] = dlc_type_make(x->dtype, 4, dims);
	return 0;
}

/* ---- windows, mel_weight_matrix ---- */

static int output_datatype(struct dlc_shape_ctx *c, enum dlc_dtype *t, bool floats_only)
{
	int64_t v = dlc_node_int(c->n, "output_datatype");
	*t = dlc_dtype_from_onnx(v);
	if (*t == DLC_DTYPE_UNKNOWN || *t == DLC_BOOL || (floats_only && !dlc_dtype_is_float(*t)))
		return shape_error(c, "'output_datatype' is %lld, not a supported %s type (ONNX TensorProto.DataType)",
				   (long long)v, floats_only ? "float" : "numeric");
	return 0;
}

/* hann_window, hamming_window, blackman_window: [size] */
int shape_window_fn(struct dlc_shape_ctx *c)
{
	enum dlc_dtype t;
	int64_t size = DLC_DIM_UNKNOWN;
	if (output_datatype(c, &t, false) < 0 || flag_attr(c, "periodic") < 0)
		return -1;
	int k = static_scalar(c, 0, "size", 0, &size);
	if (k < 0)
		return -1;
	c->out[0] = dlc_type_make(t, 1, k ? &size : (int64_t[]){DLC_DIM_UNKNOWN});
	return 0;
}

/* [dft_length / 2 + 1, num_mel_bins] */
int shape_mel_weight_matrix(struct dlc_shape_ctx *c)
{
	enum dlc_dtype t;
	if (output_datatype(c, &t, false) < 0)
		return -1;
	int64_t mel = DLC_DIM_UNKNOWN, len = DLC_DIM_UNKNOWN;
	int k1 = static_scalar(c, 0, "num_mel_bins", 1, &mel);
	int k2 = k1 < 0 ? -1 : static_scalar(c, 1, "dft_length", 1, &len);
	if (k2 < 0)
		return -1;
	const struct dlc_type *sr = shape_in(c, 2), *lo = shape_in(c, 3), *hi = shape_in(c, 4);
	if (want_index(c, "sample_rate", sr) < 0 || want_float(c, "lower_edge_hertz", lo) < 0 ||
	    want_same(c, "upper_edge_hertz", hi, "lower_edge_hertz", lo) < 0)
		return -1;
	if (!is_scalar_like(sr) || !is_scalar_like(lo) || !is_scalar_like(hi))
		return shape_error(c, "sample_rate %s, lower_edge_hertz %s and upper_edge_hertz %s must be scalars",
				   shape_str(c, sr), shape_str(c, lo), shape_str(c, hi));
	int64_t dims[2] = {k2 ? len / 2 + 1 : DLC_DIM_UNKNOWN, k1 ? mel : DLC_DIM_UNKNOWN};
	c->out[0] = dlc_type_make(t, 2, dims);
	return 0;
}

/* ---- losses ---- */

/* negative_log_likelihood_loss, softmax_cross_entropy_loss: input
 * [N, C, d...], target [N, d...], weight [C]; loss [N, d...] or []. */
int shape_loss(struct dlc_shape_ctx *c)
{
	bool sce = c->n->op == DLC_OP_SOFTMAX_CROSS_ENTROPY_LOSS;
	const char *xn = sce ? "scores" : "input", *tn = sce ? "labels" : "target", *wn = sce ? "weights" : "weight";
	const struct dlc_type *x = shape_in(c, 0), *t = shape_in(c, 1), *w = shape_in(c, 2);
	if (want_float(c, xn, x) < 0 || want_index(c, tn, t) < 0)
		return -1;
	if (x->rank < 2)
		return shape_error(c, "%s %s must have rank >= 2 (N, C, d...)", xn, shape_str(c, x));
	int64_t td[DLC_MAX_RANK];
	td[0] = x->dims[0];
	for (int i = 2; i < x->rank; i++)
		td[i - 1] = x->dims[i];
	if (want_shape(c, tn, t, x->rank - 1, td) < 0)
		return -1;
	int64_t wd[1] = {x->dims[1]};
	if (w && (want_same(c, wn, w, xn, x) < 0 || want_shape(c, wn, w, 1, wd) < 0))
		return -1;
	const char *red = dlc_node_string(c->n, "reduction");
	bool none = !strcmp(red, "none");
	if (!none && strcmp(red, "sum") && strcmp(red, "mean"))
		return shape_error(c, "'reduction' is \"%s\", expected none, sum or mean", red);
	c->out[0] = none ? dlc_type_make(x->dtype, t->rank, td) : dlc_type_make(x->dtype, 0, NULL);
	if (c->n->noutputs > 1)
		c->out[1] = *x;
	return 0;
}
