/* The TensorFlow frontend: a frozen GraphDef (.pb, variables folded into
 * constants) -> IR.
 *
 * Only the nodes the outputs depend on are imported. NHWC convolutions and
 * pools become transpose -> NCHW op -> transpose (filters are transposed at
 * import); constant subgraphs (shape arithmetic, the folded batch norms of
 * Keras) are computed at import. An op, attribute or dtype dlc does not
 * support is an error naming the node and the op. docs/tf.md has the list. */
#ifndef DLC_TF_H
#define DLC_TF_H

#include <stddef.h>

#include "dlc/ir.h"

struct dlc_diag;

struct dlc_tf_import_opts {
	/* Graph outputs: "node" or "node:k" (output k); NULL / 0: every node
	 * whose outputs nobody consumes (Const, NoOp, Assert and the like
	 * excluded), in GraphDef order. */
	const char *const *outputs;
	int noutputs;
	/* Most bytes reading the model may allocate (0: 32x the file size plus
	 * 256 MiB), constants expanded from a repeated value included. */
	size_t max_bytes;
};

struct dlc_graph *dlc_tf_import(const void *data, size_t len,
				const struct dlc_tf_import_opts *o,
				struct dlc_diag *d);

#endif
