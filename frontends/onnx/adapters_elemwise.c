/* ONNX adapters of elementwise math, logic, comparison and casts: ops whose ONNX form
 * differs from the IR's. Ops that map one-to-one need no entry. */
#include <string.h>

#include "frontends/onnx/internal.h"

const struct onnx_adapter onnx_adapters_elemwise[] = {
	{NULL, NULL},
};
