/* ONNX adapters of reductions, normalization, the softmax family and scans: ops whose ONNX form
 * differs from the IR's. Ops that map one-to-one need no entry. */
#include <string.h>

#include "frontends/onnx/internal.h"

const struct onnx_adapter onnx_adapters_reduce[] = {
	{NULL, NULL},
};
