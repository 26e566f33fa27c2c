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

/* Errors located at an ONNX node: "model.onnx:Conv_3: error: Conv: msg". */
int onnx_node_error(struct onnx_importer *im, const struct onnx_node *n,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
