/* libFuzzer target: ONNX import. Any bytes must give a graph or a
 * diagnostic; an imported graph must verify. */
#include <stddef.h>
#include <stdint.h>

#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/onnx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dlc_diag d;
	dlc_diag_init(&d, "fuzz.onnx", NULL);
	struct dlc_import_opts o = {.model_dir = NULL};
	struct dlc_graph *g = dlc_onnx_import(data, size, &o, &d);
	if (g) {
		DLC_ASSERT(dlc_verify(g, &d) == 0);
		dlc_graph_free(g);
	} else {
		DLC_ASSERT(d.nerrors > 0); /* a rejection always says why */
	}
	dlc_diag_free(&d);
	return 0;
}
