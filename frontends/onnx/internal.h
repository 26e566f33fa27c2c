/* Shared by the ONNX frontend's files. */
#ifndef DLC_ONNX_INTERNAL_H
#define DLC_ONNX_INTERNAL_H

#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/onnx.h"
#include "onnx.pb-c.h"

/* Element type of an ONNX TensorProto.DataType; unknown for types dlc has
 * no IR dtype for (string, complex, 8-bit floats...). */
enum dlc_dtype onnx_dtype(int32_t t);
const char *onnx_dtype_name(int32_t t);

/* TensorProto -> type and payload. `where` names the tensor in messages;
 * `dir` is the directory external data must stay inside (NULL: none).
 * A raw_data buffer is moved into the blob, not copied. */
int onnx_tensor_to_blob(DlcOnnx__TensorProto *tp, const char *dir,
			const char *where, struct dlc_diag *d,
			struct dlc_type *type, struct dlc_blob **blob);

/* An AttributeProto's type (AttributeProto.AttributeType), inferred from the
 * field that is set when the proto has none (IR version 1), and its name. */
int onnx_attr_type(const DlcOnnx__AttributeProto *a);
const char *onnx_attr_type_name(int t);

struct onnx_importer {
	struct dlc_graph *g;
	struct dlc_diag *d;
	const struct dlc_import_opts *opts;
	int64_t opset;               /* default-domain opset version */
	DlcOnnx__ModelProto *model;
};

/* The node being imported, with its resolved operands. */
struct onnx_node {
	const DlcOnnx__NodeProto *proto;
	const char *name;            /* proto name or "<OpType>_<index>" */
	struct dlc_value **inputs;   /* NULL entries: absent operands */
	int ninputs;
};

/* Imports one node (after its operands are resolved), binding its results
 * to their ONNX names. Returns 0 or -1 after reporting. */
int onnx_import_node(struct onnx_importer *im, struct onnx_node *n);

/* An adapter imports one ONNX op whose form differs from the IR's. Each
 * family keeps a NULL-terminated table in its adapters_*.c. */
struct onnx_adapter {
	const char *op_type;
	int (*import)(struct onnx_importer *im, struct onnx_node *n);
};
extern const struct onnx_adapter onnx_adapters_core[], onnx_adapters_elemwise[],
	onnx_adapters_reduce[], onnx_adapters_shape[], onnx_adapters_nn[], onnx_adapters_seq[];

/* Building blocks for adapters (frontends/onnx/node.c). */
const DlcOnnx__AttributeProto *onnx_find_attr(const struct onnx_node *n, const char *name);
/* The attribute `name` if present, checked to be of ONNX attribute type
 * `type`; *out is NULL if absent. -1 after reporting a wrong type. */
int onnx_typed_attr(struct onnx_importer *im, const struct onnx_node *n, const char *name,
		    int type, const DlcOnnx__AttributeProto **out);
/* A node of op over the given operands, not yet placed; the ONNX attributes
 * are copied (checked against the op's schema) unless listed in skip
 * (NULL-terminated) or copy_attrs is false. NULL after reporting. */
struct dlc_node *onnx_start(struct onnx_importer *im, const struct onnx_node *n, enum dlc_op op,
			    struct dlc_value **in, int nin, int nout, const char *const *skip,
			    bool copy_attrs);
/* Appends x and types its results; NULL after reporting (or if x is). */
struct dlc_node *onnx_finish(struct onnx_importer *im, const struct onnx_node *n,
			     struct dlc_node *x);
struct dlc_node *onnx_emit(struct onnx_importer *im, const struct onnx_node *n, enum dlc_op op,
			   struct dlc_value **in, int nin, int nout, const char *const *skip,
			   bool copy_attrs);
/* The node's result count, trailing unnamed results dropped. */
int onnx_node_outputs(const struct onnx_node *n);
/* Softmax, LogSoftmax, Hardmax before opset 13 (adapters_reduce.c). */
int onnx_import_flat_softmax(struct onnx_importer *im, struct onnx_node *n);
/* The one-to-one mapping: n's operands, results and attributes onto op. */
int onnx_generic(struct onnx_importer *im, struct onnx_node *n, enum dlc_op op,
		 const char *const *skip);
struct dlc_value *onnx_const_i64(struct onnx_importer *im, const char *name,
				 const int64_t *v, int64_t count);
struct dlc_value *onnx_const_scalar(struct onnx_importer *im, const char *name,
				    enum dlc_dtype dt, double v);
/* Attributes with no effect on inference that old opsets carry. */
extern const char *const onnx_legacy_noops[];

/* Errors located at an ONNX node: "model.onnx:Conv_3: error: Conv: msg". */
int onnx_node_error(struct onnx_importer *im, const struct onnx_node *n,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
