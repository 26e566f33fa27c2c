/* C kernels of data-movement ops: transpose and concat. (Reshape, flatten
 * and identity are views and need no code.) */
#include "codegen/c/c.h"
#include "codegen/c/loops.h"

static void copy_body(struct cgen *c, const char *yi, const char *const *xi, void *ctx)
{
	(void)ctx;
	emit_line(&c->e, "y[%s] = x[%s];", yi, xi[0]);
}

/* The bits of x as y's element type: memcpy keeps it free of aliasing
 * (reading a float through an int32_t pointer would not be). */
int c_emit_bitcast(struct cgen *c, const struct dlc_node *n)
{
	emit_line(&c->e, "memcpy(y, x, %lld);", (long long)dlc_type_nbytes(c_out(n, 0)));
	return 0;
}

/* y[i0..ir] = x[i at perm]: the result is walked in order, x by stride. */
int c_emit_transpose(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *x = c_in(n, 0), *y = c_out(n, 0);
	int64_t xs[DLC_MAX_RANK], st[2][DLC_MAX_RANK];
	c_strides(x, xs);
	c_strides(y, st[0]);
	const int64_t *perm;
	int np = dlc_node_ints(n, "perm", &perm);
	for (int i = 0; i < y->rank; i++)
		st[1][i] = xs[np < 0 ? y->rank - 1 - i : perm[i]];
	c_loop_nest_strided(c, y->rank, y->dims, 1, (const int64_t (*)[DLC_MAX_RANK])st, copy_body, NULL);
	return 0;
}

/* Each operand is a block of rows copied at its offset along the axis. */
int c_emit_concat(struct cgen *c, const struct dlc_node *n)
{
	const struct dlc_type *y = c_out(n, 0);
	int axis = (int)dlc_node_int(n, "axis");
	if (axis < 0)
		axis += y->rank;
	int64_t outer = 1, inner = 1;
	for (int i = 0; i < axis; i++)
		outer *= y->dims[i];
	for (int i = axis + 1; i < y->rank; i++)
		inner *= y->dims[i];
	int64_t row = y->dims[axis] * inner, off = 0;
	const char *t = c_type(y->dtype);
	for (int k = 0; k < n->ninputs; k++) {
		int64_t block = c_in(n, k)->dims[axis] * inner;
		if (block) {
			emit_line(&c->e, "for (int o = 0; o < %lld; o++)", (long long)outer);
			emit_line(&c->e, "\tmemcpy(y + o * %lld + %lld, x%d + o * %lld, %lld * sizeof(%s));",
				  (long long)row, (long long)off, k, (long long)block, (long long)block, t);
		} else {
			emit_line(&c->e, "(void)x%d; /* empty */", k);
		}
		off += block;
	}
	return 0;
}
