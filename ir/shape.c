/* Shape inference entry point and the helpers every shape function shares:
 * operand access, axis normalisation, broadcasting, constant operands. */
#include <stdio.h>
#include <string.h>

#include "dlc/ir.h"
#include "ir/shape.h"

int dlc_infer_node(struct dlc_graph *g, const struct dlc_node *n,
		   struct dlc_type *out, struct dlc_diag *d)
{
	for (int i = 0; i < n->noutputs; i++)
		out[i] = dlc_type_unknown();
	/* Types flow forward: with an operand still unknown there is nothing
	 * to infer yet (not an error: the graph may be partially typed). */
	for (int i = 0; i < n->ninputs; i++) {
		struct dlc_value *v = n->inputs[i].value;
		if (v && !dlc_type_is_known(&v->type))
			return 0;
	}
	struct dlc_shape_ctx c = {.g = g, .n = n, .diag = d, .out = out};
	/* Shape functions and kernels read attributes through the schema's
	 * defaults, so a required one that is absent or of another kind must
	 * stop here (a frontend may pass a malformed node this far). */
	const struct dlc_attr_spec *specs;
	int nspecs = dlc_op_attr_specs(n->op, &specs);
	for (int i = 0; i < nspecs; i++) {
		const struct dlc_attr *a = dlc_node_attr(n, specs[i].name);
		if (a && (int)a->kind != specs[i].kind)
			return shape_error(&c, "attribute '%s' must be %s, got %s", specs[i].name,
					   dlc_attr_kind_name((enum dlc_attr_kind)specs[i].kind),
					   dlc_attr_kind_name(a->kind));
		if (!a && specs[i].required)
			return shape_error(&c, "missing required attribute '%s'", specs[i].name);
	}
	if (dlc_op_info(n->op)->shape(&c) < 0)
		return -1;
	/* a dim above 2^40 could not be written back in text IR (nor hold
	 * data): concat, flatten, reshape and padding can make one */
	for (int i = 0; i < n->noutputs; i++)
		for (int k = 0; k < out[i].rank; k++)
			if (out[i].dims[k] > DLC_MAX_NUMEL)
				return shape_error(&c, "result %d would have dim %d of size %lld, above the maximum of %lld",
						   i, k, (long long)out[i].dims[k],
						   (long long)DLC_MAX_NUMEL);
	return 0;
}

int shape_error(struct dlc_shape_ctx *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	dlc_error_node(c->diag, c->n, "%s: %s", dlc_op_info(c->n->op)->name, msg);
	return -1;
}

const struct dlc_type *shape_in(const struct dlc_shape_ctx *c, int i)
{
	struct dlc_value *v = dlc_node_input(c->n, i);
	return v ? &v->type : NULL;
}

const char *shape_str(const struct dlc_shape_ctx *c, const struct dlc_type *t)
{
	static char bufs[4][DLC_TYPE_STR_MAX];
	static int next;
	char *b = bufs[next++ & 3];
	return dlc_type_str(c->g, t, b, DLC_TYPE_STR_MAX);
}

int shape_axis(struct dlc_shape_ctx *c, const char *what, int64_t axis,
	       int rank, bool inclusive)
{
	int64_t lo = -rank, hi = inclusive ? rank : rank - 1;
	if (axis < lo || axis > hi) {
		shape_error(c, "'%s' is %lld, accepted range is [%lld, %lld]", what,
			    (long long)axis, (long long)lo, (long long)hi);
		return -1;
	}
	return (int)(axis < 0 ? axis + rank : axis);
}

/* One broadcast dim: 1 stretches; symbolic dims are assumed to agree with
 * a concrete size other than 1 (the runtime shape must make it so). */
static int bcast_dim(int64_t a, int64_t b, int64_t *r)
{
	if (a == b)
		*r = a;
	else if (a == 1)
		*r = b;
	else if (b == 1)
		*r = a;
	else if (a >= 0 && b >= 0)
		return -1;
	else if (a >= 0 || b >= 0)
		*r = a >= 0 ? a : b;
	else
		*r = DLC_DIM_UNKNOWN;
	return 0;
}

int shape_broadcast_dims(struct dlc_shape_ctx *c, const struct dlc_type *a,
			 const struct dlc_type *b, struct dlc_type *out)
{
	int r = a->rank > b->rank ? a->rank : b->rank;
	*out = dlc_type_make(a->dtype, r, NULL);
	for (int i = 0; i < r; i++) {
		int ia = i - (r - a->rank), ib = i - (r - b->rank);
		int64_t da = ia >= 0 ? a->dims[ia] : 1;
		int64_t db = ib >= 0 ? b->dims[ib] : 1;
		if (bcast_dim(da, db, &out->dims[i]) < 0)
			return shape_error(c, "shapes %s and %s do not broadcast (dim %d: %lld vs %lld)",
					   shape_str(c, a), shape_str(c, b), i,
					   (long long)da, (long long)db);
	}
	return 0;
}

int shape_const_ints(struct dlc_shape_ctx *c, int i, int64_t *out, int max)
{
	struct dlc_value *v = dlc_node_input(c->n, i);
	if (!v || (v->kind != DLC_VALUE_CONST && v->kind != DLC_VALUE_PARAM) ||
	    !dlc_value_data(v))
		return -1;
	if (v->type.dtype != DLC_I64 && v->type.dtype != DLC_I32) {
		shape_error(c, "operand %d must be i64, got %s", i, shape_str(c, &v->type));
		return -2;
	}
	if (v->type.rank > 1) {
		shape_error(c, "operand %d must be a 1-D tensor, got %s", i,
			    shape_str(c, &v->type));
		return -2;
	}
	int64_t n = dlc_type_numel(&v->type);
	if (n < 0 || n > max) {
		shape_error(c, "operand %d has %lld elements, at most %d accepted", i,
			    (long long)n, max);
		return -2;
	}
	const void *data = dlc_value_data(v);
	for (int64_t k = 0; k < n; k++)
		out[k] = v->type.dtype == DLC_I64 ? ((const int64_t *)data)[k]
						  : ((const int32_t *)data)[k];
	return (int)n;
}
