/* Shape functions of convolution, pooling, matrix products and
 * quantization: conv and its transposed, integer, quantized and deformable
 * forms, the pools, gemm and matmul (with their integer and quantized
 * forms), batch normalization, quantize/dequantize, and the sampling ops
 * (roi_align, grid_sample, affine_grid, max_unpool). Sliding windows are
 * resolved once here (shape_window, dlc_node_window) for codegen too. */
#include <string.h>

#include "dlc/util.h"
#include "ir/shape.h"

/* ---- helpers ---- */

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

static int check_float(struct dlc_shape_ctx *c, const char *what,
		       const struct dlc_type *t)
{
	if (!dlc_dtype_is_float(t->dtype))
		return shape_error(c, "%s has type %s, expected a float type", what,
				   shape_str(c, t));
	return 0;
}

static bool is_q8(enum dlc_dtype t)
{
	return t == DLC_I8 || t == DLC_U8;
}

static int check_q8(struct dlc_shape_ctx *c, const char *what, const struct dlc_type *t)
{
	if (!is_q8(t->dtype))
		return shape_error(c, "%s has type %s, expected i8 or u8", what, shape_str(c, t));
	return 0;
}

static int check_spatial_input(struct dlc_shape_ctx *c, const struct dlc_type *x)
{
	if (x->rank < 3)
		return shape_error(c, "input %s has rank %d, expected at least 3 (N, C, spatial...)",
				   shape_str(c, x), x->rank);
	return 0;
}

/* A tensor of one element (rank 0, or every dim 1). */
static bool is_scalar(const struct dlc_type *t)
{
	for (int i = 0; i < t->rank; i++)
		if (t->dims[i] != 1)
			return false;
	return true;
}

/* A quantization parameter: one element, or 1-D with `len` elements (len
 * < 0: any). */
static int check_qparam(struct dlc_shape_ctx *c, const char *what, const struct dlc_type *t,
			enum dlc_dtype want, int64_t len, const char *per)
{
	if (want != DLC_DTYPE_UNKNOWN && t->dtype != want)
		return shape_error(c, "%s has type %s, expected %s", what, shape_str(c, t),
				   dlc_dtype_name(want));
	if (is_scalar(t))
		return 0;
	if (len == 0 || t->rank != 1 || (len > 0 && t->dims[0] >= 0 && t->dims[0] != len))
		return len == 0 ? shape_error(c, "%s %s must be a scalar", what, shape_str(c, t))
			: shape_error(c, "%s %s must be a scalar or 1-D with %lld elements (%s)",
				      what, shape_str(c, t), (long long)len, per);
	return 0;
}

/* ---- sliding windows ---- */

/* 'auto_pad', NOTSET for ops without it (deform_conv). */
static const char *auto_pad(struct dlc_shape_ctx *c)
{
	return dlc_op_attr_spec(c->n->op, "auto_pad") ? dlc_node_string(c->n, "auto_pad") : "NOTSET";
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
	const char *ap = auto_pad(c);
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

/* The transposed window: output position o receives input i through tap k
 * where o + pad_begin = i * stride + k * dilation. Without output_shape the
 * output spans stride * (in - 1) + output_padding + window - pads; with it
 * (or auto_pad SAME_*, whose default output is in * stride) the pads follow
 * from the total. A negative pad_end extends the output past the last
 * contribution (those positions get the bias only). */
static int transpose_window(struct dlc_shape_ctx *c, const struct dlc_type *x,
			    const int64_t *kernel, struct dlc_window *w)
{
	int n = x->rank - 2;
	memset(w, 0, sizeof *w);
	w->n = n;
	int64_t pads[2 * DLC_MAX_RANK], opad[DLC_MAX_RANK], oshape[DLC_MAX_RANK];
	if (spatial_attr(c, "strides", n, 1, 1, w->stride) < 0 ||
	    spatial_attr(c, "dilations", n, 1, 1, w->dilation) < 0 ||
	    spatial_attr(c, "pads", 2 * n, 0, 0, pads) < 0 ||
	    spatial_attr(c, "output_padding", n, 0, 0, opad) < 0)
		return -1;
	const int64_t *os;
	int nos = dlc_node_ints(c->n, "output_shape", &os);
	if (nos >= 0) { /* spatial dims, or the whole shape N, C, spatial... */
		if (nos != n && nos != n + 2)
			return shape_error(c, "'output_shape' has %d values, expected %d", nos, n);
		for (int i = 0; i < n; i++) {
			oshape[i] = os[nos - n + i];
			if (oshape[i] < 1 || oshape[i] > DLC_MAX_NUMEL)
				return shape_error(c, "'output_shape'[%d] is %lld, must be in [1, %lld]",
						   nos - n + i, (long long)oshape[i],
						   (long long)DLC_MAX_NUMEL);
		}
	}
	const char *ap = auto_pad(c);
	bool same_upper = !strcmp(ap, "SAME_UPPER"), same_lower = !strcmp(ap, "SAME_LOWER");
	bool valid = !strcmp(ap, "VALID");
	if (!same_upper && !same_lower && !valid && strcmp(ap, "NOTSET"))
		return shape_error(c, "'auto_pad' is \"%s\", expected NOTSET, SAME_UPPER, SAME_LOWER or VALID", ap);
	for (int i = 0; i < n; i++) {
		int64_t in = x->dims[2 + i], k = kernel[i], s = w->stride[i], d = w->dilation[i];
		w->in[i] = in;
		w->kernel[i] = k;
		if (k < 1)
			return shape_error(c, "kernel dim %d is %lld, must be >= 1", i, (long long)k);
		if (opad[i] >= s && opad[i] >= d)
			return shape_error(c, "'output_padding'[%d] is %lld, must be smaller than the stride (%lld) or the dilation (%lld)",
					   i, (long long)opad[i], (long long)s, (long long)d);
		int64_t ek;
		if (dlc_mul_overflow(d, k - 1, &ek) || ek >= (int64_t)1 << 42)
			return shape_error(c, "window of kernel %lld with dilation %lld on spatial dim %d is too large",
					   (long long)k, (long long)d, i);
		ek++;
		if (in < 0) {
			w->out[i] = nos >= 0 ? oshape[i] : DLC_DIM_UNKNOWN;
			continue;
		}
		int64_t full;   /* positions the input reaches */
		if (dlc_mul_overflow(s, in - 1, &full) || full > DLC_MAX_NUMEL)
			return shape_error(c, "spatial dim %d of size %lld with stride %lld is too large",
					   i, (long long)in, (long long)s);
		full += opad[i] + ek;
		int64_t pb = pads[i], pe = pads[n + i], out;
		if (nos >= 0 || same_upper || same_lower) {
			/* pads follow from the total, as ONNX specifies (explicit
			 * ones are ignored); an output longer than the input reaches
			 * is extended at the end, as ONNX Runtime does */
			out = nos >= 0 ? oshape[i] : in * s;
			int64_t total = full > out ? full - out : 0;
			pb = same_upper ? total / 2 : total - total / 2;
			pe = full - pb - out;
		} else {
			if (valid)
				pb = pe = 0;
			out = full - pb - pe;
		}
		if (out < 1)
			return shape_error(c, "output spatial dim %d would be %lld (input %lld, stride %lld, window %lld, pads %lld+%lld)",
					   i, (long long)out, (long long)in, (long long)s, (long long)ek,
					   (long long)pads[i], (long long)pads[n + i]);
		w->pad_begin[i] = pb;
		w->pad_end[i] = pe;
		w->out[i] = out;
	}
	return 0;
}

/* MaxUnpool: the inverse of a pool's window, out = (in-1)*s + k - pads. */
static int unpool_window(struct dlc_shape_ctx *c, const struct dlc_type *x, struct dlc_window *w)
{
	int n = x->rank - 2;
	memset(w, 0, sizeof *w);
	w->n = n;
	int64_t pads[2 * DLC_MAX_RANK];
	if (!dlc_node_attr(c->n, "kernel_shape"))
		return shape_error(c, "missing required attribute 'kernel_shape'");
	if (spatial_attr(c, "kernel_shape", n, 1, 1, w->kernel) < 0 ||
	    spatial_attr(c, "strides", n, 1, 1, w->stride) < 0 ||
	    spatial_attr(c, "pads", 2 * n, 0, 0, pads) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		w->dilation[i] = 1;
		w->in[i] = x->dims[2 + i];
		w->pad_begin[i] = pads[i];
		w->pad_end[i] = pads[n + i];
		if (w->in[i] < 0) {
			w->out[i] = DLC_DIM_UNKNOWN;
			continue;
		}
		int64_t out;
		if (dlc_mul_overflow(w->in[i] - 1, w->stride[i], &out) || out > DLC_MAX_NUMEL)
			return shape_error(c, "spatial dim %d of size %lld with stride %lld is too large",
					   i, (long long)w->in[i], (long long)w->stride[i]);
		out += w->kernel[i] - pads[i] - pads[n + i];
		if (out < 1)
			return shape_error(c, "output spatial dim %d would be %lld (input %lld, stride %lld, kernel %lld, pads %lld+%lld)",
					   i, (long long)out, (long long)w->in[i], (long long)w->stride[i],
					   (long long)w->kernel[i], (long long)pads[i], (long long)pads[n + i]);
		w->out[i] = out;
	}
	return 0;
}

/* Operand index of the weight of a conv-like op. */
static int weight_operand(enum dlc_op op)
{
	return op == DLC_OP_QLINEAR_CONV ? 3 : 1;
}

static bool is_conv_like(enum dlc_op op)
{
	return op == DLC_OP_CONV || op == DLC_OP_CONV_INTEGER || op == DLC_OP_QLINEAR_CONV ||
	       op == DLC_OP_DEFORM_CONV || op == DLC_OP_CONV_TRANSPOSE;
}

int dlc_node_window(struct dlc_graph *g, const struct dlc_node *n,
		    struct dlc_window *w, struct dlc_diag *d)
{
	struct dlc_shape_ctx c = {.g = g, .n = n, .diag = d};
	const struct dlc_type *x = shape_in(&c, 0);
	int64_t kernel[DLC_MAX_RANK];
	if (n->op == DLC_OP_MAX_UNPOOL)
		return unpool_window(&c, x, w);
	if (is_conv_like(n->op)) {
		const struct dlc_type *wt = shape_in(&c, weight_operand(n->op));
		for (int i = 2; i < wt->rank; i++)
			kernel[i - 2] = wt->dims[i];
	} else if (spatial_attr(&c, "kernel_shape", x->rank - 2, 1, 1, kernel) < 0) {
		return -1;
	}
	if (n->op == DLC_OP_CONV_TRANSPOSE)
		return transpose_window(&c, x, kernel, w);
	bool ceil_mode = !is_conv_like(n->op) && dlc_node_int(n, "ceil_mode");
	return shape_window(&c, x, kernel, ceil_mode, w);
}

static int check_explicit_pads(struct dlc_shape_ctx *c)
{
	if (strcmp(auto_pad(c), "NOTSET") && dlc_node_attr(c->n, "pads"))
		return shape_error(c, "'pads' cannot be combined with 'auto_pad' = \"%s\"", auto_pad(c));
	return 0;
}

/* ---- convolutions ---- */

/* The checks every convolution shares: ranks, channels and groups, the
 * bias, kernel_shape against the weight; writes the result's dims into o
 * (dtype left to the caller). For the transposed form the weight is
 * [C, M/group, k...]; otherwise [M, C/group, k...]. */
static int conv_dims(struct dlc_shape_ctx *c, const struct dlc_type *x, const struct dlc_type *w,
		     const struct dlc_type *b, struct dlc_type *o)
{
	bool transposed = c->n->op == DLC_OP_CONV_TRANSPOSE;
	if (check_spatial_input(c, x) < 0)
		return -1;
	if (w->rank != x->rank)
		return shape_error(c, "weight %s has %d dims, expected %d like the input",
				   shape_str(c, w), w->rank, x->rank);
	int64_t group = dlc_node_int(c->n, "group");
	if (group < 1)
		return shape_error(c, "'group' is %lld, must be >= 1", (long long)group);
	int64_t cin = x->dims[1], m;
	if (!transposed) {
		m = w->dims[0];
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
	} else {
		if (cin >= 0 && w->dims[0] >= 0 && w->dims[0] != cin)
			return shape_error(c, "input has %lld channels, but weight %s expects %lld (weight is [C, M/group, k...])",
					   (long long)cin, shape_str(c, w), (long long)w->dims[0]);
		if (cin >= 0 && cin % group)
			return shape_error(c, "%lld input channels are not divisible by group %lld",
					   (long long)cin, (long long)group);
		if (w->dims[1] >= 0 && dlc_mul_overflow(w->dims[1], group, &m))
			return shape_error(c, "'group' is %lld, too large for weight %s",
					   (long long)group, shape_str(c, w));
		if (w->dims[1] < 0)
			m = DLC_DIM_UNKNOWN;
	}
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
	if (check_explicit_pads(c) < 0)
		return -1;
	if (transposed ? transpose_window(c, x, w->dims + 2, &win) < 0
		       : shape_window(c, x, w->dims + 2, false, &win) < 0)
		return -1;
	*o = *x;
	o->dims[1] = m;
	for (int i = 0; i < win.n; i++)
		o->dims[2 + i] = win.out[i];
	return 0;
}

int shape_conv(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0), *w = shape_in(c, 1), *b = shape_in(c, 2);
	if (check_float(c, "input", x) < 0)
		return -1;
	if (check_spatial_input(c, x) < 0)
		return -1;
	if (w->rank != x->rank)
		return shape_error(c, "weight %s has %d dims, expected %d like the input",
				   shape_str(c, w), w->rank, x->rank);
	if (w->dtype != x->dtype || (b && b->dtype != x->dtype))
		return shape_error(c, "operand types differ: %s, %s%s%s", shape_str(c, x),
				   shape_str(c, w), b ? ", " : "", b ? shape_str(c, b) : "");
	return conv_dims(c, x, w, b, &c->out[0]);
}

int shape_conv_transpose(struct dlc_shape_ctx *c)
{
	return shape_conv(c);
}

int shape_conv_integer(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0), *w = shape_in(c, 1);
	const struct dlc_type *xz = shape_in(c, 2), *wz = shape_in(c, 3);
	if (check_q8(c, "input", x) < 0 || check_q8(c, "weight", w) < 0)
		return -1;
	if (conv_dims(c, x, w, NULL, &c->out[0]) < 0)
		return -1;
	if (xz && check_qparam(c, "x_zero_point", xz, x->dtype, 0, NULL) < 0)
		return -1;
	if (wz && check_qparam(c, "w_zero_point", wz, w->dtype, w->dims[0], "per output channel") < 0)
		return -1;
	c->out[0].dtype = DLC_I32;
	return 0;
}

int shape_qlinear_conv(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0), *xs = shape_in(c, 1), *xz = shape_in(c, 2);
	const struct dlc_type *w = shape_in(c, 3), *ws = shape_in(c, 4), *wz = shape_in(c, 5);
	const struct dlc_type *ys = shape_in(c, 6), *yz = shape_in(c, 7), *b = shape_in(c, 8);
	if (check_q8(c, "input", x) < 0 || check_q8(c, "weight", w) < 0 ||
	    check_q8(c, "y_zero_point", yz) < 0)
		return -1;
	if (b && b->dtype != DLC_I32)
		return shape_error(c, "bias has type %s, expected i32", shape_str(c, b));
	if (conv_dims(c, x, w, b, &c->out[0]) < 0)
		return -1;
	int64_t m = w->dims[0];
	if (check_qparam(c, "x_scale", xs, DLC_F32, 0, NULL) < 0 ||
	    check_qparam(c, "x_zero_point", xz, x->dtype, 0, NULL) < 0 ||
	    check_qparam(c, "w_scale", ws, DLC_F32, m, "per output channel") < 0 ||
	    check_qparam(c, "w_zero_point", wz, w->dtype, m, "per output channel") < 0 ||
	    check_qparam(c, "y_scale", ys, DLC_F32, 0, NULL) < 0 ||
	    check_qparam(c, "y_zero_point", yz, yz->dtype, 0, NULL) < 0)
		return -1;
	c->out[0].dtype = yz->dtype;
	return 0;
}

int shape_deform_conv(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0), *w = shape_in(c, 1), *off = shape_in(c, 2);
	const struct dlc_type *b = shape_in(c, 3), *mask = shape_in(c, 4);
	if (check_float(c, "input", x) < 0)
		return -1;
	if (x->rank != 4)
		return shape_error(c, "input %s has rank %d, expected 4 (N, C, H, W): only 2-D deformable convolution is defined",
				   shape_str(c, x), x->rank);
	if (w->dtype != x->dtype || off->dtype != x->dtype || (b && b->dtype != x->dtype) ||
	    (mask && mask->dtype != x->dtype))
		return shape_error(c, "operand types differ: input %s, weight %s, offset %s%s%s%s%s",
				   shape_str(c, x), shape_str(c, w), shape_str(c, off),
				   b ? ", bias " : "", b ? shape_str(c, b) : "",
				   mask ? ", mask " : "", mask ? shape_str(c, mask) : "");
	if (conv_dims(c, x, w, b, &c->out[0]) < 0)
		return -1;
	int64_t og = dlc_node_int(c->n, "offset_group");
	if (og < 1 || (x->dims[1] >= 0 && x->dims[1] % og))
		return shape_error(c, "'offset_group' is %lld, must be >= 1 and divide the %lld input channels",
				   (long long)og, (long long)x->dims[1]);
	int64_t taps = w->dims[2] * w->dims[3];
	const struct dlc_type *o = &c->out[0];
	int64_t want[4] = {x->dims[0], og * taps * 2, o->dims[2], o->dims[3]};
	for (int i = 0; i < 4 && off->rank == 4; i++)
		if (off->dims[i] >= 0 && want[i] >= 0 && off->dims[i] != want[i])
			goto bad_offset;
	if (off->rank != 4) {
bad_offset:
		return shape_error(c, "offset %s must be [%lld, %lld, %lld, %lld] (N, offset_group * kernel taps * 2, output H, W)",
				   shape_str(c, off), (long long)want[0], (long long)want[1],
				   (long long)want[2], (long long)want[3]);
	}
	if (mask) {
		want[1] = og * taps;
		for (int i = 0; i < 4 && mask->rank == 4; i++)
			if (mask->dims[i] >= 0 && want[i] >= 0 && mask->dims[i] != want[i])
				goto bad_mask;
		if (mask->rank != 4) {
bad_mask:
			return shape_error(c, "mask %s must be [%lld, %lld, %lld, %lld] (N, offset_group * kernel taps, output H, W)",
					   shape_str(c, mask), (long long)want[0], (long long)want[1],
					   (long long)want[2], (long long)want[3]);
		}
	}
	return 0;
}

/* ---- pooling ---- */

int shape_pool(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	/* max_pool also takes 8-bit integers (opset 12) */
	if (c->n->op == DLC_OP_MAX_POOL && !is_q8(x->dtype) && !dlc_dtype_is_float(x->dtype))
		return shape_error(c, "input has type %s, expected a float type, i8 or u8", shape_str(c, x));
	if (c->n->op != DLC_OP_MAX_POOL && check_float(c, "input", x) < 0)
		return -1;
	if (check_spatial_input(c, x) < 0)
		return -1;
	int64_t kernel[DLC_MAX_RANK];
	if (!dlc_node_attr(c->n, "kernel_shape"))
		return shape_error(c, "missing required attribute 'kernel_shape'");
	if (spatial_attr(c, "kernel_shape", x->rank - 2, 1, 1, kernel) < 0)
		return -1;
	int64_t ceil_mode = dlc_node_int(c->n, "ceil_mode");
	if (ceil_mode != 0 && ceil_mode != 1)
		return shape_error(c, "'ceil_mode' is %lld, expected 0 or 1", (long long)ceil_mode);
	if (c->n->op == DLC_OP_LP_POOL && dlc_node_int(c->n, "p") < 1)
		return shape_error(c, "'p' is %lld, must be >= 1", (long long)dlc_node_int(c->n, "p"));
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
	if (check_spatial_input(c, x) < 0)
		return -1;
	if (c->n->op == DLC_OP_GLOBAL_LP_POOL && dlc_node_int(c->n, "p") < 1)
		return shape_error(c, "'p' is %lld, must be >= 1", (long long)dlc_node_int(c->n, "p"));
	c->out[0] = *x;
	for (int i = 2; i < x->rank; i++)
		c->out[0].dims[i] = 1;
	return 0;
}

int shape_max_unpool(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0), *ind = shape_in(c, 1), *os = shape_in(c, 2);
	if (check_float(c, "input", x) < 0 || check_spatial_input(c, x) < 0)
		return -1;
	if (ind->dtype != DLC_I64 || ind->rank != x->rank)
		goto bad_indices;
	for (int i = 0; i < x->rank; i++)
		if (ind->dims[i] != x->dims[i] && ind->dims[i] >= 0 && x->dims[i] >= 0)
			goto bad_indices;
	struct dlc_window win;
	if (unpool_window(c, x, &win) < 0)
		return -1;
	struct dlc_type *o = &c->out[0];
	*o = *x;
	for (int i = 0; i < win.n; i++)
		o->dims[2 + i] = win.out[i];
	if (os) {
		if (os->dtype != DLC_I64 || os->rank != 1 || (os->dims[0] >= 0 && os->dims[0] != x->rank))
			return shape_error(c, "output_shape %s must be i64[%d]", shape_str(c, os), x->rank);
		int64_t shape[DLC_MAX_RANK];
		int n = shape_const_ints(c, 2, shape, DLC_MAX_RANK);
		if (n == -2)
			return -1;
		if (n == -1) { /* computed: only the rank is known */
			for (int i = 2; i < x->rank; i++)
				o->dims[i] = DLC_DIM_UNKNOWN;
			return 0;
		}
		if (n != x->rank)
			return shape_error(c, "output_shape has %d values, expected %d", n, x->rank);
		for (int i = 0; i < n; i++) {
			/* the indices address the unpooled (inferred) tensor, which
			 * output_shape may only pad at the end */
			bool ok = i < 2 ? shape[i] == x->dims[i] || x->dims[i] < 0
					: win.out[i - 2] < 0 || (shape[i] >= win.out[i - 2] && shape[i] <= DLC_MAX_NUMEL);
			if (!ok)
				return shape_error(c, "output_shape[%d] is %lld, expected %s%lld", i,
						   (long long)shape[i], i < 2 ? "" : "at least ",
						   (long long)(i < 2 ? x->dims[i] : win.out[i - 2]));
			o->dims[i] = shape[i];
		}
	}
	return 0;
bad_indices:
	return shape_error(c, "indices %s must be i64 with the input's shape %s", shape_str(c, ind),
			   shape_str(c, x));
}

/* ---- matrix products ---- */

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

/* numpy matmul: 1-D operands are promoted to matrices (the added dim is
 * dropped from the result), batch dims broadcast. */
static int matmul_dims(struct dlc_shape_ctx *c, const struct dlc_type *a,
		       const struct dlc_type *b, struct dlc_type *o)
{
	if (a->rank < 1 || b->rank < 1)
		return shape_error(c, "operands must have rank >= 1, got %s and %s",
				   shape_str(c, a), shape_str(c, b));
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
	*o = batch;
	if (batch.rank + 2 > DLC_MAX_RANK)
		return shape_error(c, "result rank exceeds %d", DLC_MAX_RANK);
	if (a->rank > 1)
		o->dims[o->rank++] = pa.dims[pa.rank - 2];
	if (b->rank > 1)
		o->dims[o->rank++] = pb.dims[pb.rank - 1];
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
	return matmul_dims(c, a, b, &c->out[0]);
}

/* A zero point (or scale) of a matmul operand: a scalar, a vector along
 * the rows of A (M) or the columns of B (N), or (a_zero_point only as
 * ONNX defines it) A's shape with the last dim 1 / B's with the row dim 1. */
static int check_mm_param(struct dlc_shape_ctx *c, const char *what, const struct dlc_type *p,
			  enum dlc_dtype want, const struct dlc_type *op, bool is_a)
{
	if (want != DLC_DTYPE_UNKNOWN && p->dtype != want)
		return shape_error(c, "%s has type %s, expected %s", what, shape_str(c, p),
				   dlc_dtype_name(want));
	if (is_scalar(p))
		return 0;
	int64_t len = is_a ? (op->rank > 1 ? op->dims[op->rank - 2] : 1) : (op->rank > 1 ? op->dims[op->rank - 1] : 1);
	if (p->rank == 1 && (p->dims[0] == len || p->dims[0] < 0 || len < 0))
		return 0;
	if (p->rank == op->rank && op->rank > 1) {
		bool ok = true;
		for (int i = 0; i < op->rank; i++) {
			int64_t want_d = i == op->rank - (is_a ? 1 : 2) ? 1 : op->dims[i];
			ok = ok && (p->dims[i] == want_d || p->dims[i] < 0 || want_d < 0);
		}
		if (ok)
			return 0;
	}
	return shape_error(c, "%s %s must be a scalar or 1-D with %lld elements (per %s of %s)",
			   what, shape_str(c, p), (long long)len, is_a ? "row" : "column",
			   shape_str(c, op));
}

int shape_matmul_integer(struct dlc_shape_ctx *c)
{
	const struct dlc_type *a = shape_in(c, 0), *b = shape_in(c, 1);
	const struct dlc_type *az = shape_in(c, 2), *bz = shape_in(c, 3);
	if (check_q8(c, "A", a) < 0 || check_q8(c, "B", b) < 0)
		return -1;
	if (matmul_dims(c, a, b, &c->out[0]) < 0)
		return -1;
	if ((az && check_mm_param(c, "a_zero_point", az, a->dtype, a, true) < 0) ||
	    (bz && check_mm_param(c, "b_zero_point", bz, b->dtype, b, false) < 0))
		return -1;
	c->out[0].dtype = DLC_I32;
	return 0;
}

int shape_qlinear_matmul(struct dlc_shape_ctx *c)
{
	const struct dlc_type *a = shape_in(c, 0), *as = shape_in(c, 1), *az = shape_in(c, 2);
	const struct dlc_type *b = shape_in(c, 3), *bs = shape_in(c, 4), *bz = shape_in(c, 5);
	const struct dlc_type *ys = shape_in(c, 6), *yz = shape_in(c, 7);
	if (check_q8(c, "a", a) < 0 || check_q8(c, "b", b) < 0 || check_q8(c, "y_zero_point", yz) < 0)
		return -1;
	if (as->dtype != DLC_F32 && as->dtype != DLC_F16 && as->dtype != DLC_BF16)
		return shape_error(c, "a_scale has type %s, expected f32, f16 or bf16", shape_str(c, as));
	if (matmul_dims(c, a, b, &c->out[0]) < 0)
		return -1;
	if (check_mm_param(c, "a_scale", as, as->dtype, a, true) < 0 ||
	    check_mm_param(c, "a_zero_point", az, a->dtype, a, true) < 0 ||
	    check_mm_param(c, "b_scale", bs, as->dtype, b, false) < 0 ||
	    check_mm_param(c, "b_zero_point", bz, b->dtype, b, false) < 0 ||
	    check_qparam(c, "y_scale", ys, as->dtype, 0, NULL) < 0 ||
	    check_qparam(c, "y_zero_point", yz, yz->dtype, 0, NULL) < 0)
		return -1;
	c->out[0].dtype = yz->dtype;
	return 0;
}

/* ---- batch normalization ---- */

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
	/* scale and bias share a type, and so do mean and var (opset 15) */
	if (shape_in(c, 1)->dtype != shape_in(c, 2)->dtype ||
	    shape_in(c, 3)->dtype != shape_in(c, 4)->dtype)
		return shape_error(c, "scale and bias (%s, %s) and mean and var (%s, %s) must each have one type",
				   shape_str(c, shape_in(c, 1)), shape_str(c, shape_in(c, 2)),
				   shape_str(c, shape_in(c, 3)), shape_str(c, shape_in(c, 4)));
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

/* ---- quantization ---- */

/* The scale (and zero point) of quantize/dequantize: per tensor (one
 * element), per axis (1-D along `axis`), or blocked (x's rank, `axis`
 * holding ceil(dim / block_size) blocks). */
static int check_quant_param(struct dlc_shape_ctx *c, const char *what, const struct dlc_type *p,
			     const struct dlc_type *x)
{
	int64_t bs = dlc_node_int(c->n, "block_size");
	if (bs < 0)
		return shape_error(c, "'block_size' is %lld, must be >= 0", (long long)bs);
	if (is_scalar(p) && (bs == 0 || p->rank == 0))
		return 0;
	int axis = shape_axis(c, "axis", dlc_node_int(c->n, "axis"), x->rank, false);
	if (axis < 0)
		return -1;
	int64_t d = x->dims[axis];
	if (bs == 0) {
		if (p->rank != 1 || (p->dims[0] >= 0 && d >= 0 && p->dims[0] != d))
			return shape_error(c, "%s %s must be a scalar or 1-D with %lld elements (per axis %d of %s)",
					   what, shape_str(c, p), (long long)d, axis, shape_str(c, x));
		return 0;
	}
	if (p->rank != x->rank)
		goto bad;
	for (int i = 0; i < x->rank; i++) {
		int64_t want = i == axis ? (d >= 0 ? ceil_div(d, bs) : -1) : x->dims[i];
		if (p->dims[i] >= 0 && want >= 0 && p->dims[i] != want)
			goto bad;
	}
	return 0;
bad:
	return shape_error(c, "%s %s must have the shape of %s with dim %d divided into blocks of %lld",
			   what, shape_str(c, p), shape_str(c, x), axis, (long long)bs);
}

/* The quantized types: integers, and the 8- and 4-bit floats (which take
 * no zero point but 0); f8e8m0 is a scale type only. */
static bool is_quant_storage(enum dlc_dtype t)
{
	return t == DLC_I8 || t == DLC_U8 || t == DLC_I16 || t == DLC_U16 || t == DLC_I4 ||
	       t == DLC_U4 || t == DLC_I2 || t == DLC_U2 ||
	       (dlc_dtype_is_minifloat(t) && t != DLC_F8E8M0);
}

/* A dtype named by a string attribute (the ONNX frontend writes IR names);
 * DLC_DTYPE_UNKNOWN when empty, -1 after reporting. */
static int dtype_attr(struct dlc_shape_ctx *c, const char *name, enum dlc_dtype *out)
{
	const char *s = dlc_node_string(c->n, name);
	*out = DLC_DTYPE_UNKNOWN;
	if (!*s)
		return 0;
	*out = dlc_dtype_from_name(s, strlen(s));
	if (*out == DLC_DTYPE_UNKNOWN)
		return shape_error(c, "'%s' is \"%s\", not an element type", name, s);
	return 0;
}

static bool is_scale_type(enum dlc_dtype t)
{
	return t == DLC_F32 || t == DLC_F16 || t == DLC_BF16;
}

/* Scales may also be powers of two (f8e8m0, opset 23). */
static bool is_scale_or_e8m0(enum dlc_dtype t)
{
	return is_scale_type(t) || t == DLC_F8E8M0;
}

int shape_quantize_linear(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0), *s = shape_in(c, 1), *z = shape_in(c, 2);
	if (!is_scale_type(x->dtype) && x->dtype != DLC_I32)
		return shape_error(c, "input has type %s, expected f32, f16, bf16 or i32", shape_str(c, x));
	if (!is_scale_or_e8m0(s->dtype))
		return shape_error(c, "y_scale has type %s, expected f32, f16, bf16 or f8e8m0", shape_str(c, s));
	enum dlc_dtype out, prec;
	if (dtype_attr(c, "output_dtype", &out) < 0 || dtype_attr(c, "precision", &prec) < 0)
		return -1;
	if (prec != DLC_DTYPE_UNKNOWN && !dlc_dtype_is_float(prec))
		return shape_error(c, "'precision' is %s, expected a float type", dlc_dtype_name(prec));
	if (z) {
		if (out != DLC_DTYPE_UNKNOWN && out != z->dtype)
			return shape_error(c, "'output_dtype' is %s, but y_zero_point has type %s",
					   dlc_dtype_name(out), shape_str(c, z));
		out = z->dtype;
	}
	if (out == DLC_DTYPE_UNKNOWN)
		out = DLC_U8;
	if (!is_quant_storage(out))
		return shape_error(c, "result type %s is not a quantized type (i2, u2, i4, u4, i8, u8, i16, u16 or an 8- or 4-bit float)",
				   dlc_dtype_name(out));
	int64_t sat = dlc_node_int(c->n, "saturate");
	if (sat != 0 && sat != 1)
		return shape_error(c, "'saturate' is %lld, expected 0 or 1", (long long)sat);
	if (check_quant_param(c, "y_scale", s, x) < 0)
		return -1;
	if (z && !(is_scalar(z) && is_scalar(s))) {
		if (z->rank != s->rank)
			goto differ;
		for (int i = 0; i < z->rank; i++)
			if (z->dims[i] != s->dims[i])
				goto differ;
	}
	c->out[0] = *x;
	c->out[0].dtype = out;
	return 0;
differ:
	return shape_error(c, "y_zero_point %s and y_scale %s must have one shape", shape_str(c, z),
			   shape_str(c, s));
}

int shape_dequantize_linear(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0), *s = shape_in(c, 1), *z = shape_in(c, 2);
	if (!is_quant_storage(x->dtype) && x->dtype != DLC_I32)
		return shape_error(c, "input has type %s, expected a quantized type (i2, u2, i4, u4, i8, u8, i16, u16, an 8- or 4-bit float) or i32",
				   shape_str(c, x));
	if (!is_scale_or_e8m0(s->dtype))
		return shape_error(c, "x_scale has type %s, expected f32, f16, bf16 or f8e8m0", shape_str(c, s));
	if (z && z->dtype != x->dtype)
		return shape_error(c, "x_zero_point has type %s, expected %s like the input",
				   shape_str(c, z), dlc_dtype_name(x->dtype));
	enum dlc_dtype out;
	if (dtype_attr(c, "output_dtype", &out) < 0)
		return -1;
	if (out == DLC_DTYPE_UNKNOWN)
		out = s->dtype == DLC_F8E8M0 ? DLC_F32 : s->dtype;
	if (!is_scale_type(out))
		return shape_error(c, "'output_dtype' is %s, expected f32, f16 or bf16", dlc_dtype_name(out));
	if (check_quant_param(c, "x_scale", s, x) < 0)
		return -1;
	if (z && !(is_scalar(z) && is_scalar(s))) {
		if (z->rank != s->rank)
			goto differ;
		for (int i = 0; i < z->rank; i++)
			if (z->dims[i] != s->dims[i])
				goto differ;
	}
	c->out[0] = *x;
	c->out[0].dtype = out;
	return 0;
differ:
	return shape_error(c, "x_zero_point %s and x_scale %s must have one shape", shape_str(c, z),
			   shape_str(c, s));
}

int shape_dynamic_quantize_linear(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0);
	if (x->dtype != DLC_F32)
		return shape_error(c, "input has type %s, expected f32", shape_str(c, x));
	c->out[0] = *x;
	c->out[0].dtype = DLC_U8;
	c->out[1] = dlc_type_make(DLC_F32, 0, NULL);
	c->out[2] = dlc_type_make(DLC_U8, 0, NULL);
	return 0;
}

/* ---- sampling ---- */

int shape_roi_align(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0), *r = shape_in(c, 1), *bi = shape_in(c, 2);
	if (check_float(c, "input", x) < 0)
		return -1;
	if (x->rank != 4)
		return shape_error(c, "input %s has rank %d, expected 4 (N, C, H, W)", shape_str(c, x),
				   x->rank);
	if (r->dtype != x->dtype || r->rank != 2 || (r->dims[1] >= 0 && r->dims[1] != 4))
		return shape_error(c, "rois %s must be [num_rois, 4] of the input's type %s",
				   shape_str(c, r), dlc_dtype_name(x->dtype));
	if (bi->dtype != DLC_I64 || bi->rank != 1 ||
	    (bi->dims[0] >= 0 && r->dims[0] >= 0 && bi->dims[0] != r->dims[0]))
		return shape_error(c, "batch_indices %s must be i64[%lld] (one per roi)",
				   shape_str(c, bi), (long long)r->dims[0]);
	const char *mode = dlc_node_string(c->n, "mode");
	const char *ctm = dlc_node_string(c->n, "coordinate_transformation_mode");
	if (strcmp(mode, "avg") && strcmp(mode, "max"))
		return shape_error(c, "'mode' is \"%s\", expected avg or max", mode);
	if (strcmp(ctm, "half_pixel") && strcmp(ctm, "output_half_pixel"))
		return shape_error(c, "'coordinate_transformation_mode' is \"%s\", expected half_pixel or output_half_pixel",
				   ctm);
	int64_t oh = dlc_node_int(c->n, "output_height"), ow = dlc_node_int(c->n, "output_width");
	int64_t sr = dlc_node_int(c->n, "sampling_ratio");
	if (oh < 1 || ow < 1 || oh > ((int64_t)1 << 31) || ow > ((int64_t)1 << 31))
		return shape_error(c, "'output_height' and 'output_width' are %lld and %lld, must be in [1, 2^31]",
				   (long long)oh, (long long)ow);
	if (sr < 0)
		return shape_error(c, "'sampling_ratio' is %lld, must be >= 0", (long long)sr);
	int64_t dims[4] = {r->dims[0] >= 0 ? r->dims[0] : bi->dims[0], x->dims[1], oh, ow};
	c->out[0] = dlc_type_make(x->dtype, 4, dims);
	return 0;
}

int shape_grid_sample(struct dlc_shape_ctx *c)
{
	const struct dlc_type *x = shape_in(c, 0), *g = shape_in(c, 1);
	if (check_float(c, "input", x) < 0 || check_spatial_input(c, x) < 0)
		return -1;
	if (check_float(c, "grid", g) < 0)
		return -1;
	int r = x->rank - 2;
	if (g->rank != x->rank || (g->dims[r + 1] >= 0 && g->dims[r + 1] != r) ||
	    (g->dims[0] >= 0 && x->dims[0] >= 0 && g->dims[0] != x->dims[0]))
		return shape_error(c, "grid %s must be [%lld, spatial..., %d] for input %s",
				   shape_str(c, g), (long long)x->dims[0], r, shape_str(c, x));
	const char *mode = dlc_node_string(c->n, "mode"), *pm = dlc_node_string(c->n, "padding_mode");
	if (strcmp(mode, "linear") && strcmp(mode, "nearest") && strcmp(mode, "cubic"))
		return shape_error(c, "'mode' is \"%s\", expected linear, nearest or cubic", mode);
	if (strcmp(pm, "zeros") && strcmp(pm, "border") && strcmp(pm, "reflection"))
		return shape_error(c, "'padding_mode' is \"%s\", expected zeros, border or reflection", pm);
	int64_t ac = dlc_node_int(c->n, "align_corners");
	if (ac != 0 && ac != 1)
		return shape_error(c, "'align_corners' is %lld, expected 0 or 1", (long long)ac);
	struct dlc_type *o = &c->out[0];
	*o = *x;
	for (int i = 0; i < r; i++)
		o->dims[2 + i] = g->dims[1 + i];
	return 0;
}

int shape_affine_grid(struct dlc_shape_ctx *c)
{
	const struct dlc_type *th = shape_in(c, 0), *sz = shape_in(c, 1);
	if (check_float(c, "theta", th) < 0)
		return -1;
	if (sz->dtype != DLC_I64 || sz->rank != 1 || (sz->dims[0] >= 0 && sz->dims[0] != 4 && sz->dims[0] != 5))
		return shape_error(c, "size %s must be i64[4] (N, C, H, W) or i64[5] (N, C, D, H, W)",
				   shape_str(c, sz));
	int64_t ac = dlc_node_int(c->n, "align_corners");
	if (ac != 0 && ac != 1)
		return shape_error(c, "'align_corners' is %lld, expected 0 or 1", (long long)ac);
	int64_t size[5];
	int n = shape_const_ints(c, 1, size, 5);
	if (n == -2)
		return -1;
	int r = n >= 0 ? n - 2 : (sz->dims[0] >= 0 ? (int)sz->dims[0] - 2 : -1);
	if (r >= 0 && (th->rank != 3 || (th->dims[1] >= 0 && th->dims[1] != r) ||
		       (th->dims[2] >= 0 && th->dims[2] != r + 1)))
		return shape_error(c, "theta %s must be [N, %d, %d]", shape_str(c, th), r, r + 1);
	if (r < 0)
		return 0;
	struct dlc_type *o = &c->out[0];
	*o = dlc_type_make(th->dtype, r + 2, NULL);
	o->dims[0] = th->dims[0];
	o->dims[r + 1] = r;
	for (int i = 0; i < r; i++)
		o->dims[1 + i] = DLC_DIM_UNKNOWN;
	if (n < 0)
		return 0;
	if (th->dims[0] >= 0 && size[0] != th->dims[0])
		return shape_error(c, "size[0] is %lld, but theta %s has %lld batches",
				   (long long)size[0], shape_str(c, th), (long long)th->dims[0]);
	for (int i = 0; i < n; i++)
		if (size[i] < 1 || size[i] > DLC_MAX_NUMEL)
			return shape_error(c, "size[%d] is %lld, must be in [1, %lld]", i,
					   (long long)size[i], (long long)DLC_MAX_NUMEL);
	o->dims[0] = size[0];
	for (int i = 0; i < r; i++)
		o->dims[1 + i] = size[2 + i];
	return 0;
}
