/* ONNX adapters of recurrent, attention, signal and loss ops: ops whose ONNX form
 * differs from the IR's. Ops that map one-to-one need no entry. */
#include <string.h>

#include "frontends/onnx/internal.h"

const struct onnx_adapter onnx_adapters_seq[] = {
	{NULL, NULL},
};
