/* Broadcast loop nests for the C kernels. */
#include "codegen/c/loops.h"

#include <stdarg.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void c_strides(const struct dlc_type *t, int64_t *strides)
{
	int64_t s = 1;
	for (int i = t->rank - 1; i >= 0; i--) {
		strides[i] = s;
		s *= t->dims[i];
	}
}

void c_index_expr(char *buf, size_t size, const char *var, int rank, const int64_t *strides)
{
	size_t len = 0;
	buf[0] = 0;
	for (int k = 0; k < rank; k++) {
		if (!strides[k])
			continue;
		int w;
		if (strides[k] == 1)
			w = snprintf(buf + len, size - len, "%s%s%d", len ? " + " : "", var, k);
		else
			w = snprintf(buf + len, size - len, "%s%s%d * %lld", len ? " + " : "", var, k,
				     (long long)strides[k]);
		if (w > 0 && (size_t)w < size - len)
			len += (size_t)w;
	}
	if (!len)
		snprintf(buf, size, "0");
}

void c_loop_nest_strided(struct cgen *c, int r, const int64_t *dims, int nops,
			 const int64_t (*st)[DLC_MAX_RANK], c_loop_body body, void *ctx)
{
	/* merge dim i into the previous one when every stream stays contiguous */
	int m = 0;
	int64_t md[DLC_MAX_RANK], ms[C_MAX_STREAMS][DLC_MAX_RANK];
	int64_t total = 1;
	for (int i = 0; i < r; i++) {
		total *= dims[i];
		bool merge = m > 0;
		for (int k = 0; k <= nops && merge; k++)
			merge = ms[k][m - 1] == st[k][i] * dims[i];
		if (merge) {
			md[m - 1] *= dims[i];
			for (int k = 0; k <= nops; k++)
				ms[k][m - 1] = st[k][i];
		} else {
			md[m] = dims[i];
			for (int k = 0; k <= nops; k++)
				ms[k][m] = st[k][i];
			m++;
		}
	}
	if (total == 0) {
		emit_line(&c->e, "/* empty result: nothing to compute */");
		return;
	}
	/* one loop per merged dim; the body is a single statement */
	for (int i = 0; i < m; i++) {
		emit_line(&c->e, "for (int i%d = 0; i%d < %lld; i%d++)", i, i, (long long)md[i], i);
		c->e.indent++;
	}
	char idx[C_MAX_STREAMS][256];
	const char *xi[C_MAX_STREAMS];
	for (int k = 0; k <= nops; k++) {
		c_index_expr(idx[k], sizeof idx[k], "i", m, ms[k]);
		if (k)
			xi[k - 1] = idx[k];
	}
	body(c, idx[0], xi, ctx);
	c->e.indent -= m;
}

void c_loop_nest(struct cgen *c, const struct dlc_type *out, int nops,
		 const struct dlc_type *const *ops, c_loop_body body, void *ctx)
{
	int r = out->rank;
	int64_t st[C_MAX_STREAMS][DLC_MAX_RANK];
	DLC_ASSERT(nops < C_MAX_STREAMS);
	/* strides of the result (row 0) and of each aligned operand (0: broadcast) */
	c_strides(out, st[0]);
	for (int k = 0; k < nops; k++) {
		const struct dlc_type *t = ops[k];
		int64_t own[DLC_MAX_RANK];
		c_strides(t, own);
		for (int i = 0; i < r; i++) {
			int j = i - (r - t->rank);
			st[k + 1][i] = j >= 0 && t->dims[j] == out->dims[i] && out->dims[i] != 1 ? own[j] : 0;
		}
	}
	c_loop_nest_strided(c, r, out->dims, nops, (const int64_t (*)[DLC_MAX_RANK])st, body, ctx);
}

const char *c_affine(char *buf, size_t size, int64_t c0, int n, const char *const *vars,
		     const int64_t *coefs)
{
	size_t len = 0;
	buf[0] = 0;
#define PUT(...)                                                               \
	do {                                                                   \
		int w_ = snprintf(buf + len, size - len, __VA_ARGS__);        \
		if (w_ > 0 && (size_t)w_ < size - len)                         \
			len += (size_t)w_;                                     \
	} while (0)
	for (int k = 0; k < n; k++) {
		int64_t a = coefs[k];
		if (!a)
			continue;
		if (len)
			PUT(a < 0 ? " - " : " + ");
		else if (a < 0)
			PUT("-");
		if (a == 1 || a == -1)
			PUT("%s", vars[k]);
		else
			PUT("%s * %lld", vars[k], (long long)(a < 0 ? -a : a));
	}
	if (c0 || !len)
		PUT(len ? (c0 < 0 ? " - %lld" : " + %lld") : "%lld",
		    (long long)(len && c0 < 0 ? -c0 : c0));
#undef PUT
	return buf;
}

const char *c_affine_pairs(char *buf, size_t size, int64_t c0, ...)
{
	const char *vars[16];
	int64_t coefs[16];
	int n = 0;
	va_list ap;
	va_start(ap, c0);
	for (const char *v; n < 16 && (v = va_arg(ap, const char *));) {
		vars[n] = v;
		coefs[n++] = va_arg(ap, long long);
	}
	va_end(ap);
	return c_affine(buf, size, c0, n, vars, coefs);
}
