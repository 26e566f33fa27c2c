/* The ONNX frontend: ModelProto -> IR, and TensorProto files (test data).
 *
 * Import maps each node through the op table (ir/ops.def, the ONNX column),
 * rewriting older opset forms into the IR's (newest-opset) semantics. An op,
 * attribute or value dlc does not support is an error naming the node, the
 * op and the value. */
#ifndef DLC_ONNX_H
#define DLC_ONNX_H

#include <stddef.h>
#include <stdint.h>

#include "dlc/ir.h"

struct dlc_diag;

struct dlc_import_opts {
	/* Directory that external tensor data must stay inside (the model's
	 * directory); NULL forbids external data. */
	const char *model_dir;
	/* Most bytes reading the model may allocate (0: 32x the file size plus
	 * 256 MiB); a model over it is rejected, not half-read. */
	size_t max_bytes;
};

struct dlc_graph *dlc_onnx_import(const void *data, size_t len,
				  const struct dlc_import_opts *o,
				  struct dlc_diag *d);

/* A dense tensor read from a serialized TensorProto. */
struct dlc_tensor {
	char *name;              /* malloc'd; "" if the proto has none */
	struct dlc_type type;
	struct dlc_blob *blob;   /* one reference, owned by the tensor */
};

int dlc_onnx_read_tensor(const void *data, size_t len, const char *dir,
			 struct dlc_tensor *t, struct dlc_diag *d);
void dlc_tensor_free(struct dlc_tensor *t);

#endif
