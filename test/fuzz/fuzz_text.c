/* libFuzzer target: the text-IR parser. A graph that parses and verifies
 * must print, parse back and print again to the same text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlc/diag.h"
#include "dlc/ir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dlc_diag d;
	dlc_diag_init(&d, "fuzz.dlc", NULL);
	struct dlc_graph *g = dlc_parse_graph((const char *)data, size, &d);
	if (g && dlc_verify(g, &d) == 0) {
		struct dlc_print_opts po = {.blobs = true};
		char *t1 = dlc_print_graph(g, &po);
		struct dlc_graph *g2 = dlc_parse_graph(t1, strlen(t1), &d);
		DLC_ASSERT(g2); /* printed IR always parses */
		char *t2 = dlc_print_graph(g2, &po);
		struct dlc_graph *g3 = dlc_parse_graph(t2, strlen(t2), &d);
		DLC_ASSERT(g3);
		char *t3 = dlc_print_graph(g3, &po);
		DLC_ASSERT(!strcmp(t2, t3)); /* print . parse is the identity on printed text */
		free(t1);
		free(t2);
		free(t3);
		dlc_graph_free(g2);
		dlc_graph_free(g3);
	}
	dlc_graph_free(g);
	dlc_diag_free(&d);
	return 0;
}
