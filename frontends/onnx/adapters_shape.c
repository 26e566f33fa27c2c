/* ONNX adapters of shape and indexing ops: ops whose ONNX form
 * differs from the IR's. Ops that map one-to-one need no entry. */
#include <string.h>

#include "frontends/onnx/internal.h"

const struct onnx_adapter onnx_adapters_shape[] = {
	{NULL, NULL},
};
