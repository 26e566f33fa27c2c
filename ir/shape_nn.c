/* Shape functions of neural-network ops: convolution, pooling, gemm,
 * matmul, batch normalization, softmax. */
#include <string.h>

#include "dlc/util.h"
#include "ir/shape.h"

/* An ints attribute of `n` values, each >= min; `def` fills it if absent. */
static int spatial_attr(struct dlc_shape_ctx *c, const char *name, int n,
			int64_t def, int64_t min, int64_t *out)
{
	const int64_t *v;
	int k = dlc_node_ints(c->n, name, &v);
	if (k < 0) {
		for (int i = 0; i < n; i++)
			out[i] = def;
		return 0;
	}
	if (k != n)
		return shape_error(c, "'%s' has %d values, expected %d", name, k, n);
	for (int i = 0; i < n; i++) {
		if (v[i] < min || v[i] > ((int64_t)1 << 31))
			return shape_error(c, "'%s'[%d] is %lld, accepted range is [%lld, %lld]",
					   name, i, (long long)v[i], (long long)min,
					   (long long)1 << 31);
		out[i] = v[i];
	}
	return 0;
}

static int64_t ceil_div(int64_t a, int64_t b)
{
	return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

int shape_window(struct dlc_shape_ctx *c, const struct dlc_type *x,
		 const int64_t *kernel, bool ceil_mode, struct dlc_window *w)
{
	int n = x->rank - 2;
	memset(w, 0, sizeof *w);
	w->n = n;
	int64_t pads[2 * DLC_MAX_RANK];
	if (spatial_attr(c, "strides", n, 1, 1, w->stride) < 0 ||
	    spatial_attr(c, "dilations", n, 1, 1, w->dilation) < 0 ||
	    spatial_attr(c, "pads", 2 * n, 0, 0, pads) < 0)
		return -1;
	const char *ap = dlc_node_string(c->n, "auto_pad");
	bool same_upper = !strcmp(ap, "SAME_UPPER"), same_lower = !strcmp(ap, "SAME_LOWER");
	bool valid = !strcmp(ap, "VALID");
	if (!same_upper && !same_lower && !valid && strcmp(ap, "NOTSET"))
		return shape_error(c, "'auto_pad' is \"%s\", expected NOTSET, SAME_UPPER, SAME_LOWER or VALID", ap);
	for (int i = 0; i < n; i++) {
		int64_t in = x->dims[2 + i], k = kernel[i];
		int64_t s = w->stride[i], ek;
		w->in[i] = in;
		w->kernel[i] = k;
		if (k < 1)
			return shape_error(c, "kernel dim %d is %lld, must be >= 1", i,
					   (long long)k);
		/* kernel (up to 2^40) times dilation (up to 2^31) may overflow;
		 * no window above 2^42 fits a dim, and below it nothing does */
		if (dlc_mul_overflow(w->dilation[i], k - 1, &ek) || ek >= (int64_t)1 << 42)
			return shape_error(c, "window of kernel %lld with dilation %lld on spatial dim %d is too large",
					   (long long)k, (long long)w->dilation[i], i);
		ek++;
		if (in < 0) { /* symbolic: size unknown until bound */
			w->out[i] = DLC_DIM_UNKNOWN;
			continue;
		}
		int64_t pb = pads[i], pe = pads[n + i];
		if (same_upper || same_lower) {
			int64_t out = ceil_div(in, s);
			int64_t total = (out - 1) * s + ek - in;
			if (total < 0)
				total = 0;
			pb = same_upper ? total / 2 : total - total / 2;
			pe = total - pb;
		} else if (valid) {
			pb = pe = 0;
		}
		int64_t span = in + pb + pe - ek;
		if (span < 0)
			return shape_error(c, "window of %lld (kernel %lld, dilation %lld) does not fit spatial dim %d of size %lld with pads %lld+%lld",
					   (long long)ek, (long long)k, (long long)w->dilation[i], i,
					   (long long)in, (long long)pb, (long long)pe);
		int64_t out = (ceil_mode ? ceil_div(span, s) : floor_div(span, s)) + 1;
		/* ceil mode: the last window must start inside the input or its
		 * leading pad, as in PyTorch and ONNX Runtime */
		if (ceil_mode && (out - 1) * s >= in + pb)
			out--;
		w->pad_begin[i] = pb;
		w->pad_end[i] = pe;
		w->out[i] = out;
	}
	return 0;
}

int dlc_node_window(struct dlc_graph *g, const struct dlc_node *n,
		    struct dlc_window *w, struct dlc_diag *d)
{
	struct dlc_shape_ctx c = {.g = g, .n = n, .diag = d};
	const struct dlc_type *x = shape_in(&c, 0);
	int64_t kernel[DLC_MAX_RANK];
	if (n->op == DLC_OP_CONV) {
		const struct dlc_type *wt = shape_in(&c, 1);
		for (int i = 2; i < wt->rank; i++)
			kernel[i - 2] = wt->dims[i];
	} else if (spatial_attr(&c, "kernel_shape", x->rank - 2, 1, 1, kernel) < 0) {
		return -1;
	}
	bool ceil_mode = n->op != DLC_OP_CONV && dlc_node_int(n, "ceil_mode");
	return shape_window(&c, x, kernel, ceil_mode, w);
}

static int check_explicit_pads(struct dlc_shape_ctx *c)
{
	if (strcmp(dlc_node_string(c->n, "auto_pad"), "NOTSET") &&
	    dlc_node_attr(c->n, "pads"))
		return shape_error(c, "'pads' cannot be combined with 'auto_pad' = \"%s\"",
				   dlc_node_string(c->n, "auto_pad"));
	return 0;
}

static int check_float(struct dlc_shape_ctx *c, const char *what,
		       const struct dlc_type *t)
{
	if (!dlc_dtype_is_float(t->dtype))
		return shape_error(c, "%s has type %s, expected a float type", what,
				   shape_str(c, t));
	return 0;
}

int shape_conv(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0), *w = shape_in(c, 1), *b = shape_in(c, 2);
	if (check_float(c, "input", x) < 0)
		return -1;
	if (x->rank < 3)
		return shape_error(c, "input %s has rank %d, expected at least 3 (N, C, spatial...)",
				   shape_str(c, x), x->rank);
	if (w->rank != x->rank)
		return shape_error(c, "weight %s has %d dims, expected %d like the input",
				   shape_str(c, w), w->rank, x->rank);
	if (w->dtype != x->dtype || (b && b->dtype != x->dtype))
		return shape_error(c, "operand types differ: %s, %s%s%s", shape_str(c, x),
				   shape_str(c, w), b ? ", " : "", b ? shape_str(c, b) : "");
	int64_t group = dlc_node_int(c->n, "group");
	int64_t m = w->dims[0], cin = x->dims[1];
	if (group < 1)
		return shape_error(c, "'group' is %lld, must be >= 1", (long long)group);
	int64_t want;
	if (w->dims[1] >= 0 && dlc_mul_overflow(w->dims[1], group, &want))
		return shape_error(c, "'group' is %lld, too large for weight %s",
				   (long long)group, shape_str(c, w));
	if (cin >= 0 && w->dims[1] >= 0 && want != cin)
		return shape_error(c, "input has %lld channels, but weight %s with group %lld expects %lld",
				   (long long)cin, shape_str(c, w), (long long)group,
				   (long long)want);
	if (m >= 0 && m % group)
		return shape_error(c, "%lld output channels are not divisible by group %lld",
				   (long long)m, (long long)group);
	if (b && (b->rank != 1 || (m >= 0 && b->dims[0] >= 0 && b->dims[0] != m)))
		return shape_error(c, "bias %s must be 1-D with %lld elements",
				   shape_str(c, b), (long long)m);
	const int64_t *ks;
	int nk = dlc_node_ints(c->n, "kernel_shape", &ks);
	if (nk >= 0) {
		if (nk != x->rank - 2)
			return shape_error(c, "'kernel_shape' has %d values, expected %d", nk,
					   x->rank - 2);
		for (int i = 0; i < nk; i++)
			if (w->dims[2 + i] >= 0 && ks[i] != w->dims[2 + i])
				return shape_error(c, "'kernel_shape' %lld disagrees with weight %s",
						   (long long)ks[i], shape_str(c, w));
	}
	for (int i = 2; i < w->rank; i++)
		if (w->dims[i] < 0)
			return shape_error(c, "weight %s must have static spatial dims",
					   shape_str(c, w));
	struct dlc_window win;
	if (check_explicit_pads(c) < 0 || shape_window(c, x, w->dims + 2, false, &win) < 0)
		return -1;
	struct dlc_type *o = &c->out[0];
	*o = *x;
	o->dims[1] = m;
	for (int i = 0; i < win.n; i++)
		o->dims[2 + i] = win.out[i];
	return 0;
}

int shape_pool(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	if (check_float(c, "input", x) < 0)
		return -1;
	if (x->rank < 3)
		return shape_error(c, "input %s has rank %d, expected at least 3 (N, C, spatial...)",
				   shape_str(c, x), x->rank);
	int64_t kernel[DLC_MAX_RANK];
	if (!dlc_node_attr(c->n, "kernel_shape"))
		return shape_error(c, "missing required attribute 'kernel_shape'");
	if (spatial_attr(c, "kernel_shape", x->rank - 2, 1, 1, kernel) < 0)
		return -1;
	int64_t ceil_mode = dlc_node_int(c->n, "ceil_mode");
	if (ceil_mode != 0 && ceil_mode != 1)
		return shape_error(c, "'ceil_mode' is %lld, expected 0 or 1", (long long)ceil_mode);
	struct dlc_window win;
	if (check_explicit_pads(c) < 0 || shape_window(c, x, kernel, ceil_mode, &win) < 0)
		return -1;
	for (int i = 0; i < win.n; i++)
		if (win.pad_begin[i] >= win.kernel[i] || win.pad_end[i] >= win.kernel[i])
			return shape_error(c, "pad %lld+%lld on spatial dim %d is not smaller than the kernel (%lld)",
					   (long long)win.pad_begin[i], (long long)win.pad_end[i],
					   i, (long long)win.kernel[i]);
	struct dlc_type *o = &c->out[0];
	*o = *x;
	for (int i = 0; i < win.n; i++)
		o->dims[2 + i] = win.out[i];
	if (c->n->noutputs > 1) { /* max_pool indices */
		c->out[1] = *o;
		c->out[1].dtype = DLC_I64;
	}
	return 0;
}

int shape_global_pool(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	if (check_float(c, "input", x) < 0)
		return -1;
	if (x->rank < 3)
		return shape_error(c, "input %s has rank %d, expected at least 3 (N, C, spatial...)",
				   shape_str(c, x), x->rank);
	c->out[0] = *x;
	for (int i = 2; i < x->rank; i++)
		c->out[0].dims[i] = 1;
	return 0;
}

int shape_gemm(struct dlc_shape_ctx *c)
{
	const struct dlc_type *a = shape_in(c, 0), *b = shape_in(c, 1), *cc = shape_in(c, 2);
	if (a->rank != 2 || b->rank != 2)
		return shape_error(c, "operands must be 2-D, got %s and %s",
				   shape_str(c, a), shape_str(c, b));
	if (a->dtype != b->dtype || (cc && cc->dtype != a->dtype))
		return shape_error(c, "operand types differ: %s, %s%s%s", shape_str(c, a),
				   shape_str(c, b), cc ? ", " : "", cc ? shape_str(c, cc) : "");
	if (a->dtype == DLC_BOOL)
		return shape_error(c, "operand type %s is not numeric", shape_str(c, a));
	bool ta = dlc_node_int(c->n, "transA") != 0, tb = dlc_node_int(c->n, "transB") != 0;
	int64_t m = a->dims[ta], k = a->dims[!ta], k2 = b->dims[tb], n = b->dims[!tb];
	if (k >= 0 && k2 >= 0 && k != k2)
		return shape_error(c, "inner dims differ: A %s%s has K=%lld, B %s%s has K=%lld",
				   shape_str(c, a), ta ? " (transposed)" : "", (long long)k,
				   shape_str(c, b), tb ? " (transposed)" : "", (long long)k2);
	struct dlc_type *o = &c->out[0];
	int64_t dims[2] = {m, n};
	*o = dlc_type_make(a->dtype, 2, dims);
	if (cc) { /* C broadcasts one way, onto [M, N] */
		if (cc->rank > 2)
			return shape_error(c, "C %s has rank %d, at most 2 accepted",
					   shape_str(c, cc), cc->rank);
		for (int i = 0; i < cc->rank; i++) {
			int64_t d = cc->dims[i], want = dims[2 - cc->rank + i];
			if (d != 1 && d >= 0 && want >= 0 && d != want)
				return shape_error(c, "C %s does not broadcast to [%lld,%lld]",
						   shape_str(c, cc), (long long)m, (long long)n);
		}
	}
	return 0;
}

int shape_matmul(struct dlc_shape_ctx *c)
{
	const struct dlc_type *a = shape_in(c, 0), *b = shape_in(c, 1);
	if (a->dtype != b->dtype)
		return shape_error(c, "operand types differ: %s and %s", shape_str(c, a),
				   shape_str(c, b));
	if (a->dtype == DLC_BOOL)
		return shape_error(c, "operand type %s is not numeric", shape_str(c, a));
	if (a->rank < 1 || b->rank < 1)
		return shape_error(c, "operands must have rank >= 1, got %s and %s",
				   shape_str(c, a), shape_str(c, b));
	/* 1-D operands are promoted to matrices; the added dim is dropped */
	struct dlc_type pa = *a, pb = *b;
	if (a->rank == 1) {
		pa.rank = 2;
		pa.dims[0] = 1;
		pa.dims[1] = a->dims[0];
	}
	if (b->rank == 1) {
		pb.rank = 2;
		pb.dims[0] = b->dims[0];
		pb.dims[1] = 1;
	}
	int64_t k = pa.dims[pa.rank - 1], k2 = pb.dims[pb.rank - 2];
	if (k >= 0 && k2 >= 0 && k != k2)
		return shape_error(c, "inner dims differ: %s has K=%lld, %s has K=%lld",
				   shape_str(c, a), (long long)k, shape_str(c, b), (long long)k2);
	struct dlc_type ba = pa, bb = pb, batch;
	ba.rank -= 2;
	bb.rank -= 2;
	/* named here: the broadcast's own message would show only batch dims */
	for (int i = 1; i <= ba.rank && i <= bb.rank; i++) {
		int64_t da = ba.dims[ba.rank - i], db = bb.dims[bb.rank - i];
		if (da >= 0 && db >= 0 && da != db && da != 1 && db != 1)
			return shape_error(c, "batch dims of %s and %s do not broadcast (%lld vs %lld)",
					   shape_str(c, a), shape_str(c, b), (long long)da,
					   (long long)db);
	}
	if (shape_broadcast_dims(c, &ba, &bb, &batch) < 0)
		return -1;
	struct dlc_type *o = &c->out[0];
	*o = batch;
	if (batch.rank + 2 > DLC_MAX_RANK)
		return shape_error(c, "result rank exceeds %d", DLC_MAX_RANK);
	if (a->rank > 1)
		o->dims[o->rank++] = pa.dims[pa.rank - 2];
	if (b->rank > 1)
		o->dims[o->rank++] = pb.dims[pb.rank - 1];
	return 0;
}

int shape_batch_norm(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	static const char *names[] = {"input", "scale", "bias", "mean", "var"};
	if (check_float(c, "input", x) < 0)
		return -1;
	if (x->rank < 2)
		return shape_error(c, "input %s has rank %d, expected at least 2",
				   shape_str(c, x), x->rank);
	int64_t ch = x->dims[1];
	for (int i = 1; i < 5; i++) {
		const struct dlc_type *p = shape_in(c, i);
		if (!p)
			return shape_error(c, "operand '%s' is required", names[i]);
		if (check_float(c, names[i], p) < 0)
			return -1;
		if (p->rank != 1 || (ch >= 0 && p->dims[0] >= 0 && p->dims[0] != ch))
			return shape_error(c, "%s %s must be 1-D with %lld elements (the channels)",
					   names[i], shape_str(c, p), (long long)ch);
	}
	int64_t training = dlc_node_int(c->n, "training_mode");
	if (training != 0 && training != 1)
		return shape_error(c, "'training_mode' is %lld, expected 0 or 1", (long long)training);
	if (!training && c->n->noutputs > 1)
		return shape_error(c, "has %d results, but running mean and variance are only produced with training_mode = 1",
				   c->n->noutputs);
	c->out[0] = *x;
	for (int i = 1; i < c->n->noutputs; i++)
		c->out[i] = *shape_in(c, 3);
	return 0;
}

int shape_softmax(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	if (check_float(c, "input", x) < 0)
		return -1;
	if (x->rank < 1)
		return shape_error(c, "input %s must have rank >= 1", shape_str(c, x));
	if (shape_axis(c, "axis", dlc_node_int(c->n, "axis"), x->rank, false) < 0)
		return -1;
	c->out[0] = *x;
	return 0;
}
