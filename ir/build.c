/* Helpers for passes that create nodes and constants. */
#include <stdlib.h>
#include <string.h>

#include "dlc/build.h"
#include "dlc/diag.h"
#include "dlc/util.h"
#include "ir/shape_index.h"

int dlc_node_place(struct dlc_graph *g, struct dlc_node *pos, struct dlc_node *n,
		   struct dlc_diag *d)
{
	dlc_node_insert_before(g, pos, n);
	struct dlc_type out[8], *o = n->noutputs <= 8 ? out : dlc_xcalloc((size_t)n->noutputs, sizeof *o);
	int rc = dlc_infer_node(g, n, o, d);
	for (int i = 0; rc == 0 && i < n->noutputs; i++)
		if (n->outputs[i])
			n->outputs[i]->type = o[i];
	if (o != out)
		free(o);
	return rc;
}

struct dlc_value *dlc_const_copy(struct dlc_graph *g, const char *name, struct dlc_type t,
				 const void *data)
{
	size_t nb = (size_t)dlc_type_nbytes(&t);
	struct dlc_blob *b = dlc_blob_new(nb);
	if (!b)
		dlc_internal_error(__FILE__, __LINE__, "out of memory");
	if (nb)
		memcpy(b->data, data, nb);
	return dlc_graph_add_const(g, name, t, b);
}

double dlc_const_element(const struct dlc_value *v, int64_t i)
{
	return dlc_elem_f64(dlc_value_data(v), v->type.dtype, i);
}

bool dlc_const_all(const struct dlc_value *v, double x)
{
	if (!dlc_is_const(v))
		return false;
	int64_t n = dlc_type_numel(&v->type);
	for (int64_t i = 0; i < n; i++)
		if (dlc_const_element(v, i) != x)
			return false;
	return true;
}

/* Merges inferred into declared; false if they contradict. */
static bool refine(struct dlc_type *declared, const struct dlc_type *inferred)
{
	if (!dlc_type_is_known(inferred))
		return true; /* nothing learned: keep what was declared */
	if (!dlc_type_is_known(declared)) {
		if (declared->dtype != DLC_DTYPE_UNKNOWN && declared->dtype != inferred->dtype)
			return false;
		*declared = *inferred;
		return true;
	}
	if (declared->dtype != inferred->dtype || declared->rank != inferred->rank)
		return false;
	for (int i = 0; i < declared->rank; i++) {
		int64_t d = declared->dims[i], e = inferred->dims[i];
		if (d >= 0 && e >= 0 && d != e)
			return false;
		if (d < 0 && (e >= 0 || d == DLC_DIM_UNKNOWN))
			declared->dims[i] = e;
	}
	return true;
}

int dlc_refine_node(struct dlc_graph *g, struct dlc_node *n, struct dlc_diag *d)
{
	struct dlc_type stack[8], *out = n->noutputs <= 8 ? stack
				      : dlc_xcalloc((size_t)n->noutputs, sizeof *out);
	int rc = dlc_infer_node(g, n, out, d);
	for (int i = 0; rc == 0 && i < n->noutputs; i++) {
		struct dlc_value *v = n->outputs[i];
		if (!v)
			continue;
		struct dlc_type before = v->type;
		if (!refine(&v->type, &out[i])) {
			char a[DLC_TYPE_STR_MAX], b[DLC_TYPE_STR_MAX];
			dlc_error_node(d, n, "%s: result %%%s is declared %s, but the op infers %s",
				       dlc_op_info(n->op)->name, v->name,
				       dlc_type_str(g, &before, a, sizeof a),
				       dlc_type_str(g, &out[i], b, sizeof b));
			rc = -1;
		}
	}
	if (out != stack)
		free(out);
	return rc;
}
