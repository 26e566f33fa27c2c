/* libFuzzer target: the whole pipeline on fuzzed models: import, -O2,
 * memory plan and C code generation. Each stage either succeeds or reports
 * an error; a graph a pass accepted must still verify. */
#include <stddef.h>
#include <stdint.h>

#include "dlc/codegen.h"
#include "dlc/compiler.h"
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
		struct dlc_compile_opts co = {.opt_level = 2, .verify_each = true, .codegen = true};
		struct dlc_codegen_opts cg = {.prefix = "m", .header_name = "m.h",
					      .weights_name = "m.weights.bin", .opt_level = 2,
					      .embed_limit = 1 << 16};
		struct dlc_codegen_result r;
		if (dlc_compile(g, &co, &d) == 0 && dlc_target_c.emit(g, &cg, &r, &d) == 0)
			dlc_codegen_result_free(&r);
		dlc_graph_free(g);
	}
	DLC_ASSERT(g || d.nerrors > 0);
	dlc_diag_free(&d);
	return 0;
}
