/* C kernels of the shape and indexing ops. Every shape, offset and table
 * that depends only on constant operands (slice bounds, pads, split sizes,
 * resize coordinates, a compress condition) is resolved here, at compile
 * time, through the plans of ir/shape_index.h, and appears in the kernel as
 * a literal or a static table; the operands themselves are then unused.
 *
 * Indices read at run time (gather, scatter, one_hot, reverse_sequence)
 * are bounds-checked: an index outside the data yields zeros (gathers) or
 * is skipped (scatters) rather than touching memory outside a buffer, since
 * the generated code has no error path for data-dependent faults. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/c/c.h"
#include "codegen/c/loops.h"
#include "ir/shape_index.h"

/* ---- helpers ---- */

/* The kernel parameter name of operand i (from the c_kernels table). */
static void operand_name(const struct dlc_node *n, int i, char *buf, size_t size)
{
	const char *p = c_kernels[n->op].params;
	for (int k = 0; k < i && p; k++) {
		p = strchr(p, ',');
		p = p ? p + 1 : NULL;
	}
	snprintf(buf, size, "%.*s", p ? (int)strcspn(p, ",") : 0, p ? p : "");
}

/* "(void)name;" for every present operand from `first` on: operands whose
 * values were folded into the kernel at compile time. */
static void void_operands(struct cgen *c, const struct dlc_node *n, int first)
{
	char name[32];
	for (int i = first; i < n->ninputs; i++)
		if (n->inputs[i].value) {
			operand_name(n, i, name, sizeof name);
			emit_line(&c->e, "(void)%s;", name);
		}
}

/* A kernel with an empty result does nothing: it only marks its parameters
 * used. Returns true if it emitted that. Single-result ops only. */
static bool empty_result(struct cgen *c, const struct dlc_node *n)
{
	if (dlc_type_numel(c_out(n, 0)) != 0)
		return false;
	emit_line(&c->e, "/* empty result: nothing to compute */");
	void_operands(c, n, 0);
	emit_line(&c->e, "(void)y;");
	return true;
}

static int64_t prod(const int64_t *d, int lo, int hi)
{
	int64_t p = 1;
	for (int i = lo; i < hi; i++)
		p *= d[i];
	return p;
}

static void open_loops(struct cgen *c, const char *var, int rank, const int64_t *dims)
{
	for (int k = 0; k < rank; k++)
		emit_open(&c->e, "for (int %s%d = 0; %s%d < %lld; %s%d++) {", var, k, var, k,
			  (long long)dims[k], var, k);
}

static void close_loops(struct cgen *c, int rank)
{
	for (int k = 0; k < rank; k++)
		emit_close(&c->e, NULL);
}

/* The constant payload of operand i (static operands are constants by the
 * time code is generated: codegen checked them). */
static const void *const_data(const struct dlc_node *n, int i)
{
	const struct dlc_value *v = dlc_node_input(n, i);
	return v ? dlc_value_data(v) : NULL;
}

/* A literal of dtype t with value v, in its storage form. */
static void literal(char *buf, size_t size, enum dlc_dtype t, double v)
{
	switch (t) {
	case DLC_F16: snprintf(buf, size, "%u", dlc_f32_to_f16((float)v)); break;
	case DLC_BF16: snprintf(buf, size, "%u", dlc_f32_to_bf16((float)v)); break;
	case DLC_F32:
	case DLC_F64: c_float(buf, size, v, t); break;
	case DLC_BOOL: snprintf(buf, size, "%s", v != 0 ? "true" : "false"); break;
	default: snprintf(buf, size, "%lld", (long long)v); break;
	}
}

static void copy_body(struct cgen *c, const char *yi, const char *const *xi, void *ctx)
{
	const char *base = ctx;
	if (base && *base)
		emit_line(&c->e, "y[%s] = x[%s + %s];", yi, base, xi[0]);
	else
		emit_line(&c->e, "y[%s] = x[%s];", yi, xi[0]);
}

/* A comma-separated list of int64 values for a static table. */
static void emit_table(struct cgen *c, const char *ctype, const char *name, const int64_t *v,
		       int64_t n)
{
	struct dlc_strbuf b = {0};
	emit_open(&c->e, "static const %s %s[%lld] = {", ctype, name, (long long)(n ? n : 1));
	for (int64_t i = 0; i < n; i++) {
		dlc_sb_printf(&b, "%lld%s", (long long)v[i], i + 1 < n ? "," : "");
		if (b.len > 90 || i + 1 == n) {
			emit_line(&c->e, "%s", b.s);
			b.len = 0;
		} else {
			dlc_sb_putc(&b, ' ');
		}
	}
	if (!n)
		emit_line(&c->e, "0");
	emit_close(&c->e, "};");
	dlc_sb_free(&b);
}

/* "v1 * c1 + v2 * c2" with v1 left out when NULL. */
static const char *affine2(char *buf, size_t size, const char *v1, int64_t c1, const char *v2,
			   int64_t c2)
{
	const char *vars[2] = {v1, v2};
	int64_t coefs[2] = {c1, c2};
	return c_affine(buf, size, 0, v1 ? 2 : 1, v1 ? vars : vars + 1, v1 ? coefs : coefs + 1);
}

/* Reads an index operand element as int64_t (i32 or i64 storage). */
static const char *index_load(const struct dlc_node *n, int i)
{
	return c_in(n, i)->dtype == DLC_I64 ? "" : "(int64_t)";
}

/* ---- shape, size, views ---- */

/* The input's dims, known at compile time, written as constants. */
int c_emit_shape(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0), *y = c_out(n, 0);
	int64_t r = x->rank, start = dlc_node_int(n, "start");
	start = start < 0 ? start + r : start;
	start = start < 0 ? 0 : start > r ? r : start;
	emit_line(&c->e, "(void)x;");
	if (!y->dims[0])
		emit_line(&c->e, "(void)y;");
	for (int64_t i = 0; i < y->dims[0]; i++)
		emit_line(&c->e, "y[%lld] = INT64_C(%lld);", (long long)i,
			  (long long)x->dims[start + i]);
	return 0;
}

int c_emit_size(struct cgen *c, const struct dlc_node *n)
{
	emit_line(&c->e, "(void)x;");
	emit_line(&c->e, "y[0] = INT64_C(%lld);", (long long)dlc_type_numel(c_in(n, 0)));
	return 0;
}

/* squeeze and unsqueeze are views (no code); this only runs if a target
 * ever asks a view for a kernel. */
int c_emit_view(struct cgen *c, const struct dlc_node *n)
{
	void_operands(c, n, 0);
	return 0;
}

/* ---- slice, split ---- */

/* y walks its dims in order; x from the first element read, by step
 * (negative steps walk backward). */
int c_emit_slice(struct cgen *c, const struct dlc_node *n)
{
	if (empty_result(c, n))
		return 0;
	struct dlc_slice_plan p;
	if (dlc_slice_plan(c->g, n, &p, c->d) != 0)
		return c_error(c, n, "internal: slice bounds are not resolved");
	const struct dlc_type *x = c_in(n, 0), *y = c_out(n, 0);
	int64_t xs[DLC_MAX_RANK], st[2][DLC_MAX_RANK], base = 0;
	c_strides(x, xs);
	c_strides(y, st[0]);
	for (int i = 0; i < x->rank; i++) {
		st[1][i] = xs[i] * p.step[i];
		base += p.start[i] * xs[i];
	}
	void_operands(c, n, 1);
	char b[32] = "";
	if (base)
		snprintf(b, sizeof b, "%lld", (long long)base);
	c_loop_nest_strided(c, y->rank, y->dims, 1, (const int64_t (*)[DLC_MAX_RANK])st, copy_body, b);
	return 0;
}

/* Each result is a block of rows of x copied from its offset on the axis. */
int c_emit_split(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0);
	int k = n->noutputs, axis;
	int64_t *sizes = dlc_xcalloc((size_t)k, sizeof *sizes);
	if (dlc_split_plan(c->g, n, &axis, sizes, c->d) != 0) {
		free(sizes);
		return c_error(c, n, "internal: split sizes are not resolved");
	}
	int64_t outer = prod(x->dims, 0, axis), inner = prod(x->dims, axis + 1, x->rank);
	int64_t row = x->dims[axis] * inner, off = 0;
	const char *t = c_type(x->dtype);
	bool read = false;
	void_operands(c, n, 1);
	for (int r = 0; r < k; r++) {
		int64_t block = sizes[r] * inner;
		if (n->outputs[r] && block && outer) {
			read = true;
			if (outer == 1)
				emit_line(&c->e, "memcpy(y%d, x + %lld, %lld * sizeof(%s));", r, (long long)off,
					  (long long)block, t);
			else {
				emit_line(&c->e, "for (int o = 0; o < %lld; o++)", (long long)outer);
				emit_line(&c->e, "\tmemcpy(y%d + o * %lld, x + o * %lld + %lld, %lld * sizeof(%s));",
					  r, (long long)block, (long long)row, (long long)off, (long long)block, t);
			}
		} else if (n->outputs[r]) {
			emit_line(&c->e, "(void)y%d; /* empty */", r);
		}
		off += block;
	}
	if (!read)
		emit_line(&c->e, "(void)x;");
	free(sizes);
	return 0;
}

/* ---- gathers ---- */

/* y[o][j][i] = x[o][indices[j]][i] (o: dims before the axis, i: after). */
int c_emit_gather(struct cgen *c, const struct dlc_node *n)
{
	if (empty_result(c, n))
		return 0;
	const struct dlc_type *x = c_in(n, 0), *idx = c_in(n, 1);
	int axis = (int)dlc_node_int(n, "axis");
	axis = axis < 0 ? axis + x->rank : axis;
	int64_t outer = prod(x->dims, 0, axis), inner = prod(x->dims, axis + 1, x->rank);
	int64_t d = x->dims[axis], ni = dlc_type_numel(idx);
	const char *t = c_type(x->dtype);
	char e1[160], e2[160];
	if (outer > 1)
		emit_open(&c->e, "for (int o = 0; o < %lld; o++) {", (long long)outer);
	emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", (long long)ni);
	emit_line(&c->e, "int64_t at = %sindices[j];", index_load(n, 1));
	emit_line(&c->e, "if (at < 0)");
	emit_line(&c->e, "\tat += %lld;", (long long)d);
	affine2(e1, sizeof e1, outer > 1 ? "o" : NULL, ni * inner, "j", inner);
	if (outer > 1)
		snprintf(e2, sizeof e2, "o * %lld + at", (long long)d);
	else
		snprintf(e2, sizeof e2, "at");
	if (inner == 1) {
		emit_line(&c->e, "/* an index outside the data reads as zero */");
		emit_line(&c->e, "y[%s] = at < 0 || at >= %lld ? 0 : x[%s];", e1, (long long)d, e2);
	} else {
		emit_open(&c->e, "if (at < 0 || at >= %lld) { /* outside the data: zeros */", (long long)d);
		emit_line(&c->e, "memset(y + %s, 0, %lld * sizeof(%s));", e1, (long long)inner, t);
		emit_line(&c->e, "continue;");
		emit_close(&c->e, NULL);
		emit_line(&c->e, "memcpy(y + %s, x + (%s) * %lld, %lld * sizeof(%s));", e1, e2,
			  (long long)inner, (long long)inner, t);
	}
	emit_close(&c->e, NULL);
	if (outer > 1)
		emit_close(&c->e, NULL);
	return 0;
}

/* y[i...] = x[i... with the axis' index replaced by indices[i...]]. */
int c_emit_gather_elements(struct cgen *c, const struct dlc_node *n)
{
	if (empty_result(c, n))
		return 0;
	const struct dlc_type *x = c_in(n, 0), *idx = c_in(n, 1);
	int axis = (int)dlc_node_int(n, "axis");
	axis = axis < 0 ? axis + x->rank : axis;
	int64_t xs[DLC_MAX_RANK], is[DLC_MAX_RANK];
	c_strides(x, xs);
	c_strides(idx, is);
	char ii[256], xi[256];
	c_index_expr(ii, sizeof ii, "i", idx->rank, is);
	int64_t xs_off[DLC_MAX_RANK];
	memcpy(xs_off, xs, sizeof xs);
	xs_off[axis] = 0;
	c_index_expr(xi, sizeof xi, "i", x->rank, xs_off);
	open_loops(c, "i", idx->rank, idx->dims);
	emit_line(&c->e, "int64_t at = %sindices[%s];", index_load(n, 1), ii);
	emit_line(&c->e, "if (at < 0)");
	emit_line(&c->e, "\tat += %lld;", (long long)x->dims[axis]);
	emit_line(&c->e, "/* an index outside the data reads as zero */");
	emit_line(&c->e, "y[%s] = at < 0 || at >= %lld ? 0 : x[%s%s + at * %lld];", ii,
		  (long long)x->dims[axis], strcmp(xi, "0") ? xi : "", strcmp(xi, "0") ? "" : "0",
		  (long long)xs[axis]);
	close_loops(c, idx->rank);
	return 0;
}

/* Emits "off" = the element offset of the index tuple at indices + tup
 * (k values over data dims first..first+k-1, negatives from the end). An
 * index outside the data runs `zero` (if any) and skips to the next tuple. */
static void tuple_offset(struct cgen *c, const struct dlc_node *n, const struct dlc_type *x,
			 int first, int64_t k, const char *tup, const char *zero)
{
	int64_t xs[DLC_MAX_RANK];
	c_strides(x, xs);
	emit_line(&c->e, "int64_t off = 0;");
	for (int64_t m = 0; m < k; m++) {
		int dim = first + (int)m;
		char at[200];
		if (m)
			snprintf(at, sizeof at, "%s + %lld", tup, (long long)m);
		else
			snprintf(at, sizeof at, "%s", tup);
		emit_open(&c->e, "{");
		emit_line(&c->e, "int64_t at = %sindices[%s];", index_load(n, 1), at);
		emit_line(&c->e, "if (at < 0)");
		emit_line(&c->e, "\tat += %lld;", (long long)x->dims[dim]);
		emit_open(&c->e, "if (at < 0 || at >= %lld) { /* outside the data: %s */", (long long)x->dims[dim],
			  zero ? "zeros" : "skipped");
		if (zero)
			emit_line(&c->e, "%s", zero);
		emit_line(&c->e, "continue;");
		emit_close(&c->e, NULL);
		emit_line(&c->e, "off += at * %lld;", (long long)xs[dim]);
		emit_close(&c->e, NULL);
	}
}

/* y[b][j] = the slice of x[b] at the index tuple indices[b][j] (b: the
 * batch dims, flattened). */
int c_emit_gather_nd(struct cgen *c, const struct dlc_node *n)
{
	if (empty_result(c, n))
		return 0;
	const struct dlc_type *x = c_in(n, 0), *idx = c_in(n, 1);
	int b = (int)dlc_node_int(n, "batch_dims");
	int64_t k = idx->dims[idx->rank - 1];
	int64_t nb = prod(x->dims, 0, b), bstride = prod(x->dims, b, x->rank);
	int64_t nj = prod(idx->dims, b, idx->rank - 1), inner = prod(x->dims, b + (int)k, x->rank);
	const char *t = c_type(x->dtype);
	char e1[160], e2[160];
	if (nb > 1)
		emit_open(&c->e, "for (int b = 0; b < %lld; b++) {", (long long)nb);
	emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", (long long)nj);
	const char *bv = nb > 1 ? "b" : NULL;
	affine2(e1, sizeof e1, bv, nj * inner, "j", inner);
	affine2(e2, sizeof e2, bv, nj * k, "j", k);
	char bad[256];
	snprintf(bad, sizeof bad, "memset(y + %s, 0, %lld * sizeof(%s));", e1, (long long)inner, t);
	struct dlc_type sub = *x; /* offsets within one batch entry */
	sub.rank = x->rank - b;
	memmove(sub.dims, x->dims + b, (size_t)sub.rank * sizeof *sub.dims);
	tuple_offset(c, n, &sub, 0, k, e2, bad);
	char xb[64] = "";
	if (nb > 1)
		snprintf(xb, sizeof xb, "b * %lld + ", (long long)bstride);
	emit_line(&c->e, "memcpy(y + %s, x + %soff, %lld * sizeof(%s));", e1, xb, (long long)inner, t);
	emit_close(&c->e, NULL);
	if (nb > 1)
		emit_close(&c->e, NULL);
	return 0;
}

/* ---- scatters ---- */

/* "y[at] = f(y[at], u)" for the node's reduction, or NULL. */
static bool scatter_update(struct cgen *c, const struct dlc_node *n, const char *at, const char *u)
{
	enum dlc_dtype t = c_in(n, 0)->dtype, ct = c_compute_dtype(t);
	const char *red = dlc_node_string(n, "reduction");
	char yv[160], uv[160], e[1024], s[1100], ybuf[96];
	snprintf(ybuf, sizeof ybuf, "y[%s]", at);
	if (!strcmp(red, "none")) {
		emit_line(&c->e, "y[%s] = %s;", at, u);
		return true;
	}
	if (t == DLC_BOOL)
		return false;
	c_load(yv, sizeof yv, t, ybuf);
	c_load(uv, sizeof uv, t, u);
	if (ct == t && (!strcmp(red, "add") || !strcmp(red, "mul"))) {
		emit_line(&c->e, "y[%s] %s= %s;", at, red[0] == 'a' ? "+" : "*", u);
		return true;
	}
	if (!strcmp(red, "add"))
		snprintf(e, sizeof e, "%s + %s", yv, uv);
	else if (!strcmp(red, "mul"))
		snprintf(e, sizeof e, "%s * %s", yv, uv);
	else if (!strcmp(red, "max"))
		snprintf(e, sizeof e, "%s > %s ? %s : %s", uv, yv, uv, yv);
	else
		snprintf(e, sizeof e, "%s < %s ? %s : %s", uv, yv, uv, yv);
	emit_line(&c->e, "y[%s] = %s;", at, c_store(s, sizeof s, t, e));
	return true;
}

/* y = x, then y[i... with the axis' index from indices] = f(that, updates[i...]),
 * in the order of the updates (later duplicates win without reduction). */
int c_emit_scatter_elements(struct cgen *c, const struct dlc_node *n)
{
	if (empty_result(c, n))
		return 0;
	const struct dlc_type *x = c_in(n, 0), *idx = c_in(n, 1);
	int axis = (int)dlc_node_int(n, "axis");
	axis = axis < 0 ? axis + x->rank : axis;
	int64_t xs[DLC_MAX_RANK], is[DLC_MAX_RANK], xs_off[DLC_MAX_RANK];
	c_strides(x, xs);
	c_strides(idx, is);
	memcpy(xs_off, xs, sizeof xs);
	xs_off[axis] = 0;
	char ii[256], xi[256], at[300], u[300];
	c_index_expr(ii, sizeof ii, "i", idx->rank, is);
	c_index_expr(xi, sizeof xi, "i", x->rank, xs_off);
	emit_line(&c->e, "memcpy(y, x, %lld);", (long long)dlc_type_nbytes(x));
	if (!dlc_type_numel(idx)) {
		emit_line(&c->e, "(void)indices;");
		emit_line(&c->e, "(void)updates;");
		return 0;
	}
	open_loops(c, "i", idx->rank, idx->dims);
	emit_line(&c->e, "int64_t at = %sindices[%s];", index_load(n, 1), ii);
	emit_line(&c->e, "if (at < 0)");
	emit_line(&c->e, "\tat += %lld;", (long long)x->dims[axis]);
	emit_line(&c->e, "if (at < 0 || at >= %lld)", (long long)x->dims[axis]);
	emit_line(&c->e, "\tcontinue; /* outside the data: skipped */");
	if (strcmp(xi, "0"))
		snprintf(at, sizeof at, "%s + at * %lld", xi, (long long)xs[axis]);
	else
		snprintf(at, sizeof at, "at * %lld", (long long)xs[axis]);
	snprintf(u, sizeof u, "updates[%s]", ii);
	if (!scatter_update(c, n, at, u))
		return c_error(c, n, "reduction '%s' of %s is not supported", dlc_node_string(n, "reduction"),
			       dlc_dtype_name(x->dtype));
	close_loops(c, idx->rank);
	return 0;
}

/* y = x, then the slice at each index tuple = f(it, the update slice). */
int c_emit_scatter_nd(struct cgen *c, const struct dlc_node *n)
{
	if (empty_result(c, n))
		return 0;
	const struct dlc_type *x = c_in(n, 0), *idx = c_in(n, 1);
	int64_t k = idx->dims[idx->rank - 1];
	int64_t nj = prod(idx->dims, 0, idx->rank - 1), inner = prod(x->dims, (int)k, x->rank);
	emit_line(&c->e, "memcpy(y, x, %lld);", (long long)dlc_type_nbytes(x));
	if (!nj || !inner) {
		emit_line(&c->e, "(void)indices;");
		emit_line(&c->e, "(void)updates;");
		return 0;
	}
	char e1[160], at[64], u[200];
	emit_open(&c->e, "for (int j = 0; j < %lld; j++) {", (long long)nj);
	tuple_offset(c, n, x, 0, k, C_AFFINE(e1, 0, "j", (long long)k), NULL);
	emit_line(&c->e, "for (int i = 0; i < %lld; i++)", (long long)inner);
	c->e.indent++;
	snprintf(at, sizeof at, "off + i");
	snprintf(u, sizeof u, "updates[%s]", C_AFFINE(e1, 0, "j", (long long)inner, "i", 1LL));
	bool ok = scatter_update(c, n, at, u);
	c->e.indent--;
	emit_close(&c->e, NULL);
	if (!ok)
		return c_error(c, n, "reduction '%s' of %s is not supported", dlc_node_string(n, "reduction"),
			       dlc_dtype_name(x->dtype));
	return 0;
}

/* ---- expand, tile ---- */

int c_emit_expand(struct cgen *c, const struct dlc_node *n)
{
	if (empty_result(c, n))
		return 0;
	const struct dlc_type *ops[1] = {c_in(n, 0)};
	void_operands(c, n, 1);
	c_loop_nest(c, c_out(n, 0), 1, ops, copy_body, NULL);
	return 0;
}

/* Two loops per dim: which repeat (r), and where in x (i). */
int c_emit_tile(struct cgen *c, const struct dlc_node *n)
{
	if (empty_result(c, n))
		return 0;
	const struct dlc_type *x = c_in(n, 0), *y = c_out(n, 0);
	int64_t xs[DLC_MAX_RANK], ys[DLC_MAX_RANK];
	c_strides(x, xs);
	c_strides(y, ys);
	void_operands(c, n, 1);
	const char *yv[2 * DLC_MAX_RANK], *xv[DLC_MAX_RANK];
	int64_t yc[2 * DLC_MAX_RANK], xc[DLC_MAX_RANK];
	static const char *const rn[] = {"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7"};
	static const char *const in[] = {"i0", "i1", "i2", "i3", "i4", "i5", "i6", "i7"};
	int ny = 0, nx = 0, open = 0;
	for (int a = 0; a < x->rank; a++) {
		int64_t rep = y->dims[a] / x->dims[a];
		if (rep > 1) {
			emit_line(&c->e, "for (int %s = 0; %s < %lld; %s++)", rn[a], rn[a], (long long)rep, rn[a]);
			c->e.indent++;
			open++;
			yv[ny] = rn[a];
			yc[ny++] = x->dims[a] * ys[a];
		}
		if (x->dims[a] > 1) {
			emit_line(&c->e, "for (int %s = 0; %s < %lld; %s++)", in[a], in[a],
				  (long long)x->dims[a], in[a]);
			c->e.indent++;
			open++;
			yv[ny] = in[a];
			yc[ny++] = ys[a];
			xv[nx] = in[a];
			xc[nx++] = xs[a];
		}
	}
	char e1[512], e2[512];
	emit_line(&c->e, "y[%s] = x[%s];", c_affine(e1, sizeof e1, 0, ny, yv, yc),
		  c_affine(e2, sizeof e2, 0, nx, xv, xc));
	c->e.indent -= open;
	return 0;
}

/* ---- pad, center_crop_pad ---- */

/* y[o...] = x[s...] with s = o - begin per dim; a position outside x is the
 * constant (constant mode) or folded back into the kept range [lo, lo+len)
 * (edge: clamped, reflect: mirrored without repeating the edge, wrap:
 * periodic). Negative pads remove elements, narrowing the kept range. */
static int emit_pad(struct cgen *c, const struct dlc_node *n, const struct dlc_pad_plan *p,
		    const char *mode, const char *value)
{
	const struct dlc_type *x = c_in(n, 0), *y = c_out(n, 0);
	int r = x->rank;
	int64_t xs[DLC_MAX_RANK], ys[DLC_MAX_RANK];
	c_strides(x, xs);
	c_strides(y, ys);
	bool constant = !strcmp(mode, "constant");
	static const char *const ov[] = {"o0", "o1", "o2", "o3", "o4", "o5", "o6", "o7"};
	static const char *const sv[] = {"s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7"};
	const char *xv[DLC_MAX_RANK];
	int64_t x0 = 0;
	struct dlc_strbuf cond = {0};
	open_loops(c, "o", r, y->dims);
	for (int a = 0; a < r; a++) {
		int64_t b = p->begin[a], e = p->end[a], d = x->dims[a];
		int64_t lo = b < 0 ? -b : 0, len = d - lo - (e < 0 ? -e : 0);
		if (b <= 0 && e <= 0) { /* nothing added: x is read at o + lo */
			xv[a] = ov[a];
			x0 += lo * xs[a];
			continue;
		}
		xv[a] = sv[a];
		if (constant) {
			char e1[64], ov1[16];
			snprintf(ov1, sizeof ov1, "o%d", a);
			emit_line(&c->e, "const int %s = %s;", sv[a], C_AFFINE(e1, -b, ov1, 1LL));
			dlc_sb_printf(&cond, "%s%s < 0 || %s >= %lld", cond.len ? " || " : "", sv[a], sv[a],
				      (long long)d);
			continue;
		}
		/* fold s - lo into [0, len) */
		char e1[64], ov1[16];
		snprintf(ov1, sizeof ov1, "o%d", a);
		emit_line(&c->e, "int %s = %s;", sv[a], C_AFFINE(e1, -(b + lo), ov1, 1LL));
		if (!strcmp(mode, "edge")) {
			emit_line(&c->e, "%s = %s < 0 ? 0 : %s > %lld ? %lld : %s;", sv[a], sv[a], sv[a],
				  (long long)(len - 1), (long long)(len - 1), sv[a]);
		} else if (!strcmp(mode, "wrap")) {
			emit_line(&c->e, "%s = (%s %% %lld + %lld) %% %lld;", sv[a], sv[a], (long long)len,
				  (long long)len, (long long)len);
		} else if (len == 1) {
			emit_line(&c->e, "%s = 0;", sv[a]);
		} else {
			int64_t per = 2 * (len - 1);
			emit_line(&c->e, "%s = (%s < 0 ? -%s : %s) %% %lld;", sv[a], sv[a], sv[a], sv[a],
				  (long long)per);
			emit_line(&c->e, "%s = %s < %lld ? %s : %lld - %s;", sv[a], sv[a], (long long)len, sv[a],
				  (long long)per, sv[a]);
		}
		x0 += lo * xs[a];
	}
	char yi[256], xi[512];
	c_index_expr(yi, sizeof yi, "o", r, ys);
	c_affine(xi, sizeof xi, x0, r, xv, xs);
	if (cond.len) {
		emit_line(&c->e, "y[%s] = %s ? %s : x[%s];", yi, cond.s, value, xi);
	} else {
		emit_line(&c->e, "y[%s] = x[%s];", yi, xi);
	}
	dlc_sb_free(&cond);
	close_loops(c, r);
	return 0;
}

int c_emit_pad(struct cgen *c, const struct dlc_node *n)
{
	struct dlc_pad_plan p;
	if (dlc_pad_plan(c->g, n, &p, c->d) != 0)
		return c_error(c, n, "internal: pads are not resolved");
	if (empty_result(c, n))
		return 0;
	const char *mode = dlc_node_string(n, "mode");
	bool cv = c_in(n, 2) != NULL;
	emit_line(&c->e, "(void)pads;");
	if (c_in(n, 3))
		emit_line(&c->e, "(void)axes;");
	if (cv) /* read only where padding is added in constant mode */
		emit_line(&c->e, "(void)constant_value;");
	if (dlc_type_numel(c_in(n, 0)) == 0) {
		/* nothing to copy: every element is the constant */
		emit_line(&c->e, "(void)x;");
		emit_line(&c->e, "for (int i = 0; i < %lld; i++)", (long long)dlc_type_numel(c_out(n, 0)));
		emit_line(&c->e, "\ty[i] = %s;", cv ? "constant_value[0]" : "0");
		return 0;
	}
	return emit_pad(c, n, &p, mode, cv ? "constant_value[0]" : "0");
}

int c_emit_center_crop_pad(struct cgen *c, const struct dlc_node *n)
{
	struct dlc_pad_plan p;
	if (dlc_pad_plan(c->g, n, &p, c->d) != 0)
		return c_error(c, n, "internal: crop/pad sizes are not resolved");
	if (empty_result(c, n))
		return 0;
	emit_line(&c->e, "(void)shape;");
	if (dlc_type_numel(c_in(n, 0)) == 0) {
		emit_line(&c->e, "(void)x;");
		emit_line(&c->e, "memset(y, 0, %lld);", (long long)dlc_type_nbytes(c_out(n, 0)));
		return 0;
	}
	return emit_pad(c, n, &p, "constant", "0");
}

/* ---- constant_of_shape, range, eye_like ---- */

int c_emit_constant_of_shape(struct cgen *c, const struct dlc_node *n)
{
	if (empty_result(c, n))
		return 0;
	emit_line(&c->e, "(void)shape;");
	emit_line(&c->e, "for (int i = 0; i < %lld; i++)", (long long)dlc_type_numel(c_out(n, 0)));
	emit_line(&c->e, "\ty[i] = %s;", c_in(n, 1) ? "value[0]" : "0");
	return 0;
}

/* y[i] = start + i * delta (the count came from the constant operands). */
int c_emit_range(struct cgen *c, const struct dlc_node *n)
{
	if (empty_result(c, n))
		return 0;
	enum dlc_dtype t = c_out(n, 0)->dtype, ct = c_compute_dtype(t);
	char s[64], d[64], e[256], st[300];
	c_load(s, sizeof s, t, "start[0]");
	c_load(d, sizeof d, t, "delta[0]");
	emit_line(&c->e, "(void)limit;");
	emit_line(&c->e, "for (int i = 0; i < %lld; i++)", (long long)dlc_type_numel(c_out(n, 0)));
	snprintf(e, sizeof e, "(%s)(%s + (%s)i * %s)", c_type(ct), s, c_type(ct), d);
	emit_line(&c->e, "\ty[i] = %s;", c_store(st, sizeof st, t, e));
	return 0;
}

int c_emit_eye_like(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *y = c_out(n, 0);
	emit_line(&c->e, "(void)x;");
	if (empty_result(c, n))
		return 0;
	int64_t rows = y->dims[0], cols = y->dims[1], k = dlc_node_int(n, "k");
	int64_t i0 = k < 0 ? -k : 0, i1 = cols - k < rows ? cols - k : rows;
	char one[64];
	literal(one, sizeof one, y->dtype, 1);
	emit_line(&c->e, "memset(y, 0, %lld);", (long long)dlc_type_nbytes(y));
	if (i1 > i0) {
		char e1[96];
		emit_line(&c->e, "for (int i = %lld; i < %lld; i++)", (long long)i0, (long long)i1);
		emit_line(&c->e, "\ty[%s] = %s;", C_AFFINE(e1, k, "i", (long long)(cols + 1)), one);
	}
	return 0;
}

/* ---- one_hot, trilu ---- */

int c_emit_one_hot(struct cgen *c, const struct dlc_node *n)
{
	if (empty_result(c, n))
		return 0;
	const struct dlc_type *idx = c_in(n, 0), *y = c_out(n, 0);
	int axis = (int)dlc_node_int(n, "axis");
	axis = axis < 0 ? axis + y->rank : axis;
	int64_t outer = prod(idx->dims, 0, axis), inner = prod(idx->dims, axis, idx->rank);
	int64_t depth = y->dims[axis];
	char ld[160], e1[160], e2[160];
	emit_line(&c->e, "(void)depth;");
	emit_line(&c->e, "const %s off = values[0], on = values[1];", c_type(y->dtype));
	emit_open(&c->e, "for (int o = 0; o < %lld; o++) {", (long long)outer);
	emit_open(&c->e, "for (int i = 0; i < %lld; i++) {", (long long)inner);
	snprintf(e2, sizeof e2, "indices[%s]", C_AFFINE(e1, 0, "o", (long long)inner, "i", 1LL));
	emit_line(&c->e, "int64_t at = (int64_t)%s;", c_load(ld, sizeof ld, idx->dtype, e2));
	emit_line(&c->e, "if (at < 0)");
	emit_line(&c->e, "\tat += %lld; /* out of range: no position is on */", (long long)depth);
	emit_line(&c->e, "for (int d = 0; d < %lld; d++)", (long long)depth);
	emit_line(&c->e, "\ty[%s] = at == d ? on : off;",
		  C_AFFINE(e1, 0, "o", (long long)(depth * inner), "d", (long long)inner, "i", 1LL));
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	return 0;
}

/* Keeps j - i >= k (upper) or j - i <= k (lower) of each matrix. */
int c_emit_trilu(struct cgen *c, const struct dlc_node *n)
{
	if (empty_result(c, n))
		return 0;
	const struct dlc_type *x = c_in(n, 0);
	int64_t k = c_in(n, 1) ? dlc_elem_i64(const_data(n, 1), c_in(n, 1)->dtype, 0) : 0;
	int64_t rows = x->dims[x->rank - 2], cols = x->dims[x->rank - 1];
	int64_t batch = prod(x->dims, 0, x->rank - 2);
	bool upper = dlc_node_int(n, "upper") != 0;
	void_operands(c, n, 1);
	char e1[160];
	emit_line(&c->e, "for (int b = 0; b < %lld; b++)", (long long)batch);
	emit_line(&c->e, "\tfor (int i = 0; i < %lld; i++)", (long long)rows);
	emit_line(&c->e, "\t\tfor (int j = 0; j < %lld; j++)", (long long)cols);
	C_AFFINE(e1, 0, "b", (long long)(rows * cols), "i", (long long)cols, "j", 1LL);
	emit_line(&c->e, "\t\t\ty[%s] = j - i %s %lld ? x[%s] : 0;", e1, upper ? ">=" : "<=",
		  (long long)k, e1);
	return 0;
}

/* ---- depth_to_space, space_to_depth ---- */

/* Both move blocks between the channel dim and b x b spatial blocks: walk
 * (n, c, h, i, w, j) with the "deep" tensor [N, C*b*b, H, W] and the
 * "wide" one [N, C, H*b, W*b]; DCR puts the block offset above the channel
 * (ch = (i*b + j)*C + c), CRD below it (ch = c*b*b + i*b + j). */
int c_emit_depth_to_space(struct cgen *c, const struct dlc_node *n)
{
	if (empty_result(c, n))
		return 0;
	bool d2s = n->op == DLC_OP_DEPTH_TO_SPACE;
	const struct dlc_type *deep = d2s ? c_in(n, 0) : c_out(n, 0);
	int64_t b = dlc_node_int(n, "blocksize");
	bool dcr = !strcmp(dlc_node_string(n, "mode"), "DCR");
	int64_t N = deep->dims[0], C = deep->dims[1] / (b * b), H = deep->dims[2], W = deep->dims[3];
	int64_t HW = H * W, WB = W * b, HWB = H * b * WB;
	int64_t dims[6] = {N, C, H, b, W, b};
	/* strides of (n, c, h, i, w, j) in the wide and deep tensors */
	int64_t wide[6] = {C * HWB, HWB, b * WB, WB, b, 1};
	int64_t dp[6] = {C * b * b * HW, dcr ? HW : b * b * HW, W, dcr ? b * C * HW : b * HW, 1,
			 dcr ? C * HW : HW};
	int64_t st[2][DLC_MAX_RANK];
	memcpy(st[0], d2s ? wide : dp, sizeof wide);
	memcpy(st[1], d2s ? dp : wide, sizeof wide);
	c_loop_nest_strided(c, 6, dims, 1, (const int64_t (*)[DLC_MAX_RANK])st, copy_body, NULL);
	return 0;
}

/* ---- reverse_sequence ---- */

int c_emit_reverse_sequence(struct cgen *c, const struct dlc_node *n)
{
	if (empty_result(c, n))
		return 0;
	const struct dlc_type *x = c_in(n, 0);
	int ba = (int)dlc_node_int(n, "batch_axis"), ta = (int)dlc_node_int(n, "time_axis");
	int64_t xs[DLC_MAX_RANK], T = x->dims[ta];
	c_strides(x, xs);
	char yi[256], xi[256];
	c_index_expr(yi, sizeof yi, "i", x->rank, xs);
	int64_t rest[DLC_MAX_RANK];
	memcpy(rest, xs, sizeof rest);
	rest[ta] = 0;
	c_index_expr(xi, sizeof xi, "i", x->rank, rest);
	open_loops(c, "i", x->rank, x->dims);
	emit_line(&c->e, "int64_t len = %ssequence_lens[i%d];", index_load(n, 1), ba);
	emit_line(&c->e, "len = len < 0 ? 0 : len > %lld ? %lld : len;", (long long)T, (long long)T);
	emit_line(&c->e, "const int64_t t = i%d < len ? len - 1 - i%d : i%d;", ta, ta, ta);
	emit_line(&c->e, "y[%s] = x[%s%st * %lld];", yi, strcmp(xi, "0") ? xi : "",
		  strcmp(xi, "0") ? " + " : "", (long long)xs[ta]);
	close_loops(c, x->rank);
	return 0;
}

/* ---- compress ---- */

/* The kept positions along the axis (the condition is a constant). */
int c_emit_compress(struct cgen *c, const struct dlc_node *n)
{
	if (empty_result(c, n))
		return 0;
	const struct dlc_type *x = c_in(n, 0), *cond = c_in(n, 1);
	const struct dlc_attr *a = dlc_node_attr(n, "axis");
	int axis = a ? (int)(a->u.i < 0 ? a->u.i + x->rank : a->u.i) : -1;
	int64_t outer = axis < 0 ? 1 : prod(x->dims, 0, axis);
	int64_t inner = axis < 0 ? 1 : prod(x->dims, axis + 1, x->rank);
	int64_t d = axis < 0 ? dlc_type_numel(x) : x->dims[axis];
	const uint8_t *cv = const_data(n, 1);
	int64_t *sel = dlc_xcalloc((size_t)cond->dims[0] + 1, sizeof *sel), k = 0;
	for (int64_t i = 0; i < cond->dims[0]; i++)
		if (cv[i])
			sel[k++] = i;
	emit_line(&c->e, "(void)condition;");
	emit_table(c, "int", "kept", sel, k);
	free(sel);
	char e1[160], e2[160];
	emit_line(&c->e, "for (int o = 0; o < %lld; o++)", (long long)outer);
	emit_line(&c->e, "\tfor (int k = 0; k < %lld; k++)", (long long)k);
	emit_line(&c->e, "\t\tfor (int i = 0; i < %lld; i++)", (long long)inner);
	emit_line(&c->e, "\t\t\ty[%s] = x[%s];",
		  C_AFFINE(e1, 0, "o", (long long)(k * inner), "k", (long long)inner, "i", 1LL),
		  C_AFFINE(e2, 0, "o", (long long)(d * inner), "kept[k]", (long long)inner, "i", 1LL));
	return 0;
}

/* ---- col2im ---- */

/* y[n][c][image position] += x[n][c * K + kernel offset][block]: each
 * column of x is one block's patch, summed back where patches overlap. */
int c_emit_col2im(struct cgen *c, const struct dlc_node *n)
{
	if (empty_result(c, n))
		return 0;
	const struct dlc_type *x = c_in(n, 0), *y = c_out(n, 0);
	int nd = y->rank - 2;
	const int64_t *blk = const_data(n, 2);
	const int64_t *dl, *pd, *sd;
	int has_d = dlc_node_ints(n, "dilations", &dl), has_p = dlc_node_ints(n, "pads", &pd);
	int has_s = dlc_node_ints(n, "strides", &sd);
	int64_t kst[DLC_MAX_RANK], nbk[DLC_MAX_RANK], bst[DLC_MAX_RANK], ys[DLC_MAX_RANK];
	int64_t K = 1, L = x->dims[2];
	for (int i = nd - 1; i >= 0; i--) {
		kst[i] = K;
		K *= blk[i];
	}
	for (int i = 0; i < nd; i++) {
		int64_t dil = has_d >= 0 ? dl[i] : 1, p0 = has_p >= 0 ? pd[i] : 0;
		int64_t p1 = has_p >= 0 ? pd[nd + i] : 0, s = has_s >= 0 ? sd[i] : 1;
		nbk[i] = (y->dims[2 + i] + p0 + p1 - (dil * (blk[i] - 1) + 1)) / s + 1;
	}
	for (int64_t i = nd - 1, acc = 1; i >= 0; i--) {
		bst[i] = acc;
		acc *= nbk[i];
	}
	c_strides(y, ys);
	void_operands(c, n, 1);
	emit_line(&c->e, "memset(y, 0, %lld);", (long long)dlc_type_nbytes(y));
	if (!dlc_type_numel(x)) {
		emit_line(&c->e, "(void)x;");
		return 0;
	}
	int64_t C = y->dims[1];
	emit_open(&c->e, "for (int n = 0; n < %lld; n++) {", (long long)y->dims[0]);
	emit_open(&c->e, "for (int c = 0; c < %lld; c++) {", (long long)C);
	for (int i = 0; i < nd; i++)
		emit_open(&c->e, "for (int k%d = 0; k%d < %lld; k%d++) {", i, i, (long long)blk[i], i);
	for (int i = 0; i < nd; i++)
		emit_open(&c->e, "for (int b%d = 0; b%d < %lld; b%d++) {", i, i, (long long)nbk[i], i);
	struct dlc_strbuf cond = {0};
	const char *vars[3 + 2 * DLC_MAX_RANK];
	int64_t coefs[3 + 2 * DLC_MAX_RANK];
	static const char *const kv[] = {"k0", "k1", "k2", "k3", "k4", "k5"};
	static const char *const bv[] = {"b0", "b1", "b2", "b3", "b4", "b5"};
	static const char *const pv[] = {"p0", "p1", "p2", "p3", "p4", "p5"};
	char e1[512], e2[512];
	for (int i = 0; i < nd; i++) {
		int64_t dil = has_d >= 0 ? dl[i] : 1, p0 = has_p >= 0 ? pd[i] : 0, s = has_s >= 0 ? sd[i] : 1;
		const char *v2[2] = {bv[i], kv[i]};
		int64_t c2[2] = {s, dil};
		emit_line(&c->e, "const int %s = %s;", pv[i], c_affine(e1, sizeof e1, -p0, 2, v2, c2));
		dlc_sb_printf(&cond, "%s%s < 0 || %s >= %lld", i ? " || " : "", pv[i], pv[i],
			      (long long)y->dims[2 + i]);
	}
	emit_line(&c->e, "if (%s)", cond.s ? cond.s : "0");
	emit_line(&c->e, "\tcontinue;");
	dlc_sb_free(&cond);
	int nv = 0;
	vars[nv] = "n";
	coefs[nv++] = C * K * L;
	vars[nv] = "c";
	coefs[nv++] = K * L;
	for (int i = 0; i < nd; i++) {
		vars[nv] = kv[i];
		coefs[nv++] = kst[i] * L;
	}
	for (int i = 0; i < nd; i++) {
		vars[nv] = bv[i];
		coefs[nv++] = bst[i];
	}
	c_affine(e1, sizeof e1, 0, nv, vars, coefs);
	nv = 0;
	vars[nv] = "n";
	coefs[nv++] = ys[0];
	vars[nv] = "c";
	coefs[nv++] = ys[1];
	for (int i = 0; i < nd; i++) {
		vars[nv] = pv[i];
		coefs[nv++] = ys[2 + i];
	}
	c_affine(e2, sizeof e2, 0, nv, vars, coefs);
	enum dlc_dtype t = y->dtype;
	char a[600], b[600], s[1400], sum[1300];
	char ye[600], xe[600];
	snprintf(ye, sizeof ye, "y[%s]", e2);
	snprintf(xe, sizeof xe, "x[%s]", e1);
	if (c_compute_dtype(t) == t) {
		emit_line(&c->e, "%s += %s;", ye, xe);
	} else {
		snprintf(sum, sizeof sum, "%s + %s", c_load(a, sizeof a, t, ye), c_load(b, sizeof b, t, xe));
		emit_line(&c->e, "%s = %s;", ye, c_store(s, sizeof s, t, sum));
	}
	for (int i = 0; i < 2 * nd + 2; i++)
		emit_close(&c->e, NULL);
	return 0;
}

/* ---- nonzero, unique ---- */

/* The input is a constant (its values fixed the result's size); the scan
 * still runs over it, writing the coordinates of each nonzero element. */
int c_emit_nonzero(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0), *y = c_out(n, 0);
	int64_t nnz = y->dims[1], xs[DLC_MAX_RANK];
	if (!nnz || !x->rank) {
		emit_line(&c->e, "(void)x;");
		emit_line(&c->e, "(void)y; /* no nonzero element */");
		return 0;
	}
	c_strides(x, xs);
	char ld[96];
	emit_line(&c->e, "int k = 0;");
	emit_open(&c->e, "for (int i = 0; i < %lld && k < %lld; i++) {", (long long)dlc_type_numel(x),
		  (long long)nnz);
	emit_line(&c->e, "if (%s == 0)", c_load(ld, sizeof ld, x->dtype, "x[i]"));
	emit_line(&c->e, "\tcontinue;");
	for (int d = 0; d < x->rank; d++) {
		char e[64];
		if (d == 0)
			snprintf(e, sizeof e, "i / %lld", (long long)xs[0]);
		else
			snprintf(e, sizeof e, "i / %lld %% %lld", (long long)xs[d], (long long)x->dims[d]);
		emit_line(&c->e, "y[%lld + k] = %s;", (long long)(d * nnz), xs[d] == 1 && d == 0 ? "i" : e);
	}
	emit_line(&c->e, "k++;");
	emit_close(&c->e, NULL);
	return 0;
}

/* The input is a constant: the unique slices, their first positions,
 * the inverse map and the counts are computed at compile time; the values
 * are copied from x. */
int c_emit_unique(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0);
	struct dlc_unique u;
	if (dlc_unique_eval(c->g, n, &u, c->d) != 0)
		return c_error(c, n, "internal: the input is not a constant");
	int64_t outer = 1, inner = 1;
	if (u.axis >= 0) {
		outer = prod(x->dims, 0, u.axis);
		inner = prod(x->dims, u.axis + 1, x->rank);
	}
	static const char *const names[] = {"y", "indices", "inverse_indices", "counts"};
	const int64_t *vals[] = {NULL, u.first, u.inverse, u.counts};
	int64_t lens[] = {0, u.count, u.nslices, u.count};
	bool read = false;
	for (int r = 0; r < n->noutputs && r < 4; r++) {
		if (!n->outputs[r])
			continue;
		int64_t numel = dlc_type_numel(c_out(n, r));
		if (!numel) {
			emit_line(&c->e, "(void)%s;", names[r]);
			continue;
		}
		if (r == 0) {
			char e1[160], e2[160];
			read = true;
			emit_table(c, "int", "first", u.first, u.count);
			emit_line(&c->e, "for (int o = 0; o < %lld; o++)", (long long)outer);
			emit_line(&c->e, "\tfor (int k = 0; k < %lld; k++)", (long long)u.count);
			emit_line(&c->e, "\t\tfor (int i = 0; i < %lld; i++)", (long long)inner);
			emit_line(&c->e, "\t\t\ty[%s] = x[%s];",
				  C_AFFINE(e1, 0, "o", (long long)(u.count * inner), "k", (long long)inner, "i", 1LL),
				  C_AFFINE(e2, 0, "o", (long long)(u.nslices * inner), "first[k]", (long long)inner,
					   "i", 1LL));
			continue;
		}
		char tn[32];
		snprintf(tn, sizeof tn, "%s_v", names[r]);
		emit_table(c, "int64_t", tn, vals[r], lens[r]);
		emit_line(&c->e, "memcpy(%s, %s, sizeof %s);", names[r], tn, tn);
	}
	if (!read)
		emit_line(&c->e, "(void)x;");
	dlc_unique_free(&u);
	return 0;
}

/* ---- resize ---- */

/* Taps of one resized axis: for each output position, `ntaps` input
 * indices (clamped into the axis: edge padding) and weights, and whether
 * the position is outside the crop (tf_crop_and_resize). Computed in double
 * as ONNX's reference does. */
struct taps {
	int n;
	int64_t *idx;                 /* [out][n] */
	double *w;                    /* [out][n] */
	bool *outside;                /* [out] */
	bool any_outside;
};

static double cubic(double x, double A)
{
	x = fabs(x);
	if (x <= 1)
		return ((A + 2) * x - (A + 3)) * x * x + 1;
	if (x < 2)
		return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
	return 0;
}

static void axis_taps(const struct dlc_node *n, const struct dlc_resize_axis *a, struct taps *t)
{
	const char *mode = dlc_node_string(n, "mode");
	const char *ctm = dlc_node_string(n, "coordinate_transformation_mode");
	const char *nm = dlc_node_string(n, "nearest_mode");
	bool antialias = dlc_node_int(n, "antialias") != 0;
	bool exclude = dlc_node_int(n, "exclude_outside") != 0;
	double A = dlc_node_float(n, "cubic_coeff_a"), s = a->scale;
	double sa = s < 1 ? s : 1; /* antialiasing widens the filter when downsampling */
	int start; /* first tap relative to floor(x) */
	if (!strcmp(mode, "nearest")) {
		start = 0;
		t->n = 1;
	} else if (!strcmp(mode, "linear")) {
		start = antialias ? (int)floor(-1 / sa) + 1 : 0;
		t->n = 2 - 2 * start;
	} else {
		start = antialias ? (int)floor(-2 / sa) + 1 : -1;
		t->n = 2 - 2 * start;
	}
	int64_t out = a->out, in = a->in;
	t->idx = dlc_xcalloc((size_t)(out * t->n) + 1, sizeof *t->idx);
	t->w = dlc_xcalloc((size_t)(out * t->n) + 1, sizeof *t->w);
	t->outside = dlc_xcalloc((size_t)out + 1, sizeof *t->outside);
	t->any_outside = false;
	for (int64_t o = 0; o < out; o++) {
		double y = (double)o, x;
		if (!strcmp(ctm, "align_corners"))
			x = a->out_f == 1 ? 0 : y * (double)(in - 1) / (a->out_f - 1);
		else if (!strcmp(ctm, "asymmetric"))
			x = y / s;
		else if (!strcmp(ctm, "tf_crop_and_resize")) {
			double span = (a->roi1 - a->roi0) * (double)(in - 1);
			x = a->out_f == 1 ? span / 2 : y * span / (a->out_f - 1);
			x += a->roi0 * (double)(in - 1);
			t->outside[o] = x < 0 || x > (double)(in - 1);
			t->any_outside |= t->outside[o];
		} else if (!strcmp(ctm, "pytorch_half_pixel"))
			x = a->out_f == 1 ? -0.5 : (y + 0.5) / s - 0.5;
		else if (!strcmp(ctm, "half_pixel_symmetric")) {
			double adj = (double)out / a->out_f, offset = (double)in / 2 * (1 - adj);
			x = offset + (y + 0.5) / s - 0.5;
		} else
			x = (y + 0.5) / s - 0.5;
		/* the reference prefers the left neighbour: an integer x is
		 * reached from x - 1 with ratio 1 */
		double x0 = floor(x), ratio = x - x0;
		if (ratio == 0) {
			x0 -= 1;
			ratio = 1;
		}
		int64_t *idx = t->idx + o * t->n;
		double *w = t->w + o * t->n;
		if (t->n == 1) {
			bool up;
			if (ratio == 1)
				up = true;
			else if (!strcmp(nm, "round_prefer_floor"))
				up = ratio > 0.5;
			else if (!strcmp(nm, "round_prefer_ceil"))
				up = ratio >= 0.5;
			else
				up = !strcmp(nm, "ceil");
			int64_t i = (int64_t)x0 + up;
			idx[0] = i < 0 ? 0 : i >= in ? in - 1 : i;
			w[0] = 1;
			continue;
		}
		double sum = 0;
		for (int k = 0; k < t->n; k++) {
			double d = (double)(start + k) - ratio;
			if (!strcmp(mode, "linear"))
				w[k] = antialias ? fmax(0, 1 - fabs(d * sa)) : (k == 0 ? 1 - ratio : ratio);
			else
				w[k] = cubic(antialias ? d * sa : d, A);
			int64_t i = (int64_t)x0 + start + k;
			if (exclude && (i < 0 || i >= in))
				w[k] = 0;
			idx[k] = i < 0 ? 0 : i >= in ? in - 1 : i;
			sum += w[k];
		}
		if ((antialias || exclude) && sum != 0)
			for (int k = 0; k < t->n; k++)
				w[k] /= sum;
	}
}

static void free_taps(struct taps *t)
{
	free(t->idx);
	free(t->w);
	free(t->outside);
}

/* y[o...] = sum over the taps of each resized axis of the product of their
 * weights times x at the tapped position; nearest takes one tap and copies. */
int c_emit_resize(struct cgen *c, const struct dlc_node *n)
{
	if (empty_result(c, n))
		return 0;
	const struct dlc_type *x = c_in(n, 0), *y = c_out(n, 0);
	struct dlc_resize_plan p;
	if (dlc_resize_plan(c->g, n, &p, c->d) != 0)
		return c_error(c, n, "internal: resize sizes are not resolved");
	bool nearest = !strcmp(dlc_node_string(n, "mode"), "nearest");
	enum dlc_dtype t = x->dtype, ct = c_compute_dtype(t);
	if (!nearest && !dlc_dtype_is_float(t))
		return c_error(c, n, "%s resize of %s is not supported by the C target yet (float types are)",
			       dlc_node_string(n, "mode"), dlc_dtype_name(t));
	void_operands(c, n, 1);
	int r = x->rank;
	int64_t xs[DLC_MAX_RANK], ys[DLC_MAX_RANK];
	c_strides(x, xs);
	c_strides(y, ys);
	struct taps taps[DLC_MAX_RANK];
	bool active[DLC_MAX_RANK], any_outside = false;
	const char *wt = ct == DLC_F64 ? "double" : "float";
	for (int a = 0; a < r; a++) {
		const struct dlc_resize_axis *ax = &p.ax[a];
		/* an axis the reference leaves alone: scale ~1, same size, the
		 * whole region of interest */
		active[a] = ax->resized && !(fabs(ax->scale - 1) <= 1e-9 && ax->out == ax->in &&
					     fabs(ax->roi0) <= 1e-9 && fabs(ax->roi1 - 1) <= 1e-9);
		if (!active[a])
			continue;
		axis_taps(n, ax, &taps[a]);
		any_outside |= taps[a].any_outside;
		int64_t cnt = ax->out * taps[a].n;
		/* index table */
		char name[32];
		snprintf(name, sizeof name, "i%d_at", a);
		emit_table(c, "int", name, taps[a].idx, cnt);
		if (!nearest) {
			struct dlc_strbuf b = {0};
			char f[64];
			emit_open(&c->e, "static const %s w%d[%lld] = {", wt, a, (long long)cnt);
			for (int64_t k = 0; k < cnt; k++) {
				c_float(f, sizeof f, taps[a].w[k], ct == DLC_F64 ? DLC_F64 : DLC_F32);
				dlc_sb_printf(&b, "%s%s", f, k + 1 < cnt ? "," : "");
				if (b.len > 90 || k + 1 == cnt) {
					emit_line(&c->e, "%s", b.s);
					b.len = 0;
				} else {
					dlc_sb_putc(&b, ' ');
				}
			}
			emit_close(&c->e, "};");
			dlc_sb_free(&b);
		}
		if (taps[a].any_outside) {
			int64_t *flags = dlc_xcalloc((size_t)ax->out + 1, sizeof *flags);
			for (int64_t o = 0; o < ax->out; o++)
				flags[o] = taps[a].outside[o];
			snprintf(name, sizeof name, "i%d_out", a);
			emit_table(c, "unsigned char", name, flags, ax->out);
			free(flags);
		}
	}
	/* loops over the result's dims of more than one element; a dim of
	 * one element reads index 0 */
	char yi[256], ev[64], iv[DLC_MAX_RANK][16];
	int64_t ysm[DLC_MAX_RANK];
	for (int a = 0; a < r; a++) {
		snprintf(iv[a], sizeof iv[a], "i%d", a);
		ysm[a] = y->dims[a] > 1 ? ys[a] : 0;
	}
	c_index_expr(yi, sizeof yi, "i", r, ysm);
	c_float(ev, sizeof ev, dlc_node_float(n, "extrapolation_value"), ct);
	int nloops = 0;
	for (int a = 0; a < r; a++)
		if (y->dims[a] > 1) {
			emit_open(&c->e, "for (int i%d = 0; i%d < %lld; i%d++) {", a, a, (long long)y->dims[a], a);
			nloops++;
		}
	if (any_outside) {
		struct dlc_strbuf cond = {0};
		for (int a = 0; a < r; a++)
			if (active[a] && taps[a].any_outside)
				dlc_sb_printf(&cond, "%si%d_out[%s]", cond.len ? " || " : "", a,
					      y->dims[a] > 1 ? iv[a] : "0");
		char st[128];
		emit_open(&c->e, "if (%s) { /* outside the crop */", cond.s);
		emit_line(&c->e, "y[%s] = %s;", yi, c_store(st, sizeof st, t, ev));
		emit_line(&c->e, "continue;");
		emit_close(&c->e, NULL);
		dlc_sb_free(&cond);
	}
	/* x's index: identity axes read i<a>, resized ones a tap */
	struct dlc_strbuf xi = {0}, w = {0};
	for (int a = 0; a < r; a++) {
		const char *v = y->dims[a] > 1 ? iv[a] : NULL;
		char e[128], tv[16];
		snprintf(tv, sizeof tv, "t%d", a);
		if (!active[a] && !v)
			continue;
		if (!active[a])
			snprintf(e, sizeof e, "%s", v);
		else if (nearest)
			snprintf(e, sizeof e, "i%d_at[%s]", a, v ? v : "0");
		else {
			char at[64];
			const char *vars[2] = {v, tv};
			int64_t coefs[2] = {taps[a].n, 1};
			c_affine(at, sizeof at, 0, v ? 2 : 1, v ? vars : vars + 1, v ? coefs : coefs + 1);
			snprintf(e, sizeof e, "i%d_at[%s]", a, at);
			dlc_sb_printf(&w, "w%d[%s] * ", a, at);
		}
		dlc_sb_printf(&xi, "%s%s", xi.len ? " + " : "", e);
		if (xs[a] != 1)
			dlc_sb_printf(&xi, " * %lld", (long long)xs[a]);
	}
	if (!xi.len)
		dlc_sb_puts(&xi, "0");
	if (nearest) {
		emit_line(&c->e, "y[%s] = x[%s];", yi, xi.s);
	} else {
		int open = 0;
		emit_line(&c->e, "%s acc = 0;", wt);
		for (int a = 0; a < r; a++)
			if (active[a]) {
				emit_line(&c->e, "for (int t%d = 0; t%d < %d; t%d++)", a, a, taps[a].n, a);
				c->e.indent++;
				open++;
			}
		char xe[1100], ld[1200], st[128];
		snprintf(xe, sizeof xe, "x[%s]", xi.s);
		emit_line(&c->e, "acc += %s%s;", w.s ? w.s : "", c_load(ld, sizeof ld, t, xe));
		c->e.indent -= open;
		emit_line(&c->e, "y[%s] = %s;", yi, c_store(st, sizeof st, t, "acc"));
	}
	dlc_sb_free(&w);
	dlc_sb_free(&xi);
	close_loops(c, nloops);
	for (int a = 0; a < r; a++)
		if (active[a])
			free_taps(&taps[a]);
	return 0;
}
