/* ONNX adapters of convolution, pooling, matrix products and quantization: ops whose ONNX form
 * differs from the IR's. Ops that map one-to-one need no entry. */
#include <string.h>

#include "frontends/onnx/internal.h"

const struct onnx_adapter onnx_adapters_nn[] = {
	{NULL, NULL},
};
