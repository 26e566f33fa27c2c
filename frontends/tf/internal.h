/* Shared by the TensorFlow frontend's files. */
#ifndef DLC_TF_INTERNAL_H
#define DLC_TF_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/tf.h"
#include "graph.pb-c.h"

/* A small integer tensor (rank 0 or 1) whose elements the importer knows,
 * some possibly as a symbolic dim of a graph input: what Shape of a tensor
 * with a symbolic batch dim and the StridedSlice / Pack after it compute.
 * A Reshape whose target has one such element gets -1 there. */
struct tf_shapeval {
	int rank;                     /* 0 or 1 */
	int n;                        /* element count */
	int64_t v[DLC_MAX_RANK];      /* the value where known[i], else the dim */
	bool known[DLC_MAX_RANK];
};

/* One output of a TF node. */
struct tf_tensor {
	struct dlc_value *v;          /* NULL: not computed (an error to use) */
	struct tf_shapeval *sv;       /* NULL unless partially known (above) */
};

struct tf_node {
	const DlcTf__NodeDef *def;
	const char *name, *op;
	int nout;                     /* outputs produced */
	struct tf_tensor *out;
	int state;                    /* 0 unseen, 1 on the DFS stack, 2 ordered */
	bool needed;
};

struct tf_importer {
	struct dlc_graph *g;
	struct dlc_diag *d;
	DlcTf__GraphDef *gd;
	struct tf_node *nodes;
	size_t nnodes;
	struct dlc_strmap *byname;    /* node name -> index + 1 */
	size_t budget;                /* bytes constants may still take */
};

/* The node being converted, with its data operands resolved. */
struct tf_node_ctx {
	struct tf_node *node;
	const char *name, *op;
	struct tf_tensor *in;         /* data inputs (control inputs dropped) */
	int nin;
};

/* ---- tensors and types (tensor.c) ---- */

enum dlc_dtype tf_dtype(int t);
const char *tf_dtype_name(int t);          /* "DT_FLOAT", ...; "DT_<n>" */
/* A TensorProto as a type and payload; `where` and `op` locate messages. */
int tf_tensor_to_blob(struct tf_importer *im, DlcTf__TensorProto *tp, const char *where,
		      const char *op, struct dlc_type *type, struct dlc_blob **blob);
/* A zero-filled blob charged to the import budget; NULL after reporting. */
struct dlc_blob *tf_blob_new(struct tf_importer *im, const char *where, const char *op, size_t bytes);

/* ---- attributes (ops.c) ---- */

const DlcTf__AttrValue *tf_attr(const struct tf_node_ctx *n, const char *name);

/* ---- node conversion (ops.c) ---- */

int tf_node_error(struct tf_importer *im, const struct tf_node_ctx *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Checks that the op is supported and carries no attribute dlc would
 * ignore. 0 or -1 after reporting. */
int tf_check_node(struct tf_importer *im, struct tf_node_ctx *n);
/* Converts one node; sets n->node->out / nout. Returns 0 or -1 after reporting. */
int tf_convert_node(struct tf_importer *im, struct tf_node_ctx *n);

/* ---- constant folding (fold.c) ---- */

/* Folds n when every operand is a constant (or, for the shape ops, partly
 * known): returns 1 with n->node->out set, 0 if it cannot, -1 after
 * reporting. */
int tf_fold(struct tf_importer *im, struct tf_node_ctx *n);
/* The constant's payload as int64 values (i32 and i64 only); -1 if v is not
 * an integer constant of at most max elements. */
int tf_const_ints(const struct dlc_value *v, int64_t *out, int max);
/* A new constant (the blob's reference is taken over). */
struct dlc_value *tf_add_const(struct tf_importer *im, const char *name, struct dlc_type t,
			       struct dlc_blob *b);
struct dlc_value *tf_const_i64(struct tf_importer *im, const char *name, const int64_t *v,
			       int count);
struct dlc_value *tf_const_scalar(struct tf_importer *im, const char *name, enum dlc_dtype dt,
				  double v);
/* A constant holding x's payload transposed by perm; NULL after reporting. */
struct dlc_value *tf_permute_const(struct tf_importer *im, const struct tf_node_ctx *n,
				   const char *name, const struct dlc_value *x, const int64_t *perm);

/* StridedSlice resolved against the input's rank: per input dim a range
 * (begin, end, stride, shrink), and where new axes go in the result. */
struct tf_slice {
	int rank;                     /* input rank */
	int64_t begin[DLC_MAX_RANK], end[DLC_MAX_RANK], stride[DLC_MAX_RANK];
	bool begin_full[DLC_MAX_RANK], end_full[DLC_MAX_RANK]; /* masked: whole extent */
	bool shrink[DLC_MAX_RANK];
	int nnew;                     /* new axes (result positions, ascending) */
	int64_t new_axes[DLC_MAX_RANK];
};
int tf_strided_slice_plan(struct tf_importer *im, struct tf_node_ctx *n, int rank,
			  const int64_t *begin, const int64_t *end, const int64_t *strides,
			  int nspec, struct tf_slice *s);
/* Reads StridedSlice's begin/end/strides operands (constants) into the plan. */
int tf_strided_slice_read(struct tf_importer *im, struct tf_node_ctx *n, int rank,
			  struct tf_slice *s);
/* The elements [start, stop) with step of a dim of size `dim` that a plan
 * entry selects: the count and the first index. */
void tf_slice_range(const struct tf_slice *s, int i, int64_t dim, int64_t *first,
		    int64_t *count);

#endif
