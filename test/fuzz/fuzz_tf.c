/* libFuzzer target: TensorFlow GraphDef import. Any bytes must give a graph
 * or a diagnostic; an imported graph must verify. */
#include <stddef.h>
#include <stdint.h>

#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/tf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dlc_diag d;
	dlc_diag_init(&d, "fuzz.pb", NULL);
	struct dlc_tf_import_opts o = {0};
	struct dlc_graph *g = dlc_tf_import(data, size, &o, &d);
	if (g) {
		DLC_ASSERT(dlc_verify(g, &d) == 0);
		dlc_graph_free(g);
	} else {
		DLC_ASSERT(d.nerrors > 0); /* a rejection always says why */
	}
	dlc_diag_free(&d);
	return 0;
}
