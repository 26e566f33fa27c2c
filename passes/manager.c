/* The pass manager: runs a named pipeline with the debugging hooks lit tests
 * use (--print-before/--print-after, --verify-each). */
#include <stdlib.h>
#include <string.h>

#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/pass.h"
#include "dlc/util.h"

const struct dlc_pass_info dlc_pass_table[] = {
#define DLC_PASS(fn, name, summary) {name, summary, fn},
#include "passes/passes.def"
#undef DLC_PASS
};
const int dlc_num_passes = sizeof dlc_pass_table / sizeof *dlc_pass_table;

const struct dlc_pass_info *dlc_pass_find(const char *name)
{
	for (int i = 0; i < dlc_num_passes; i++)
		if (!strcmp(dlc_pass_table[i].name, name))
			return &dlc_pass_table[i];
	return NULL;
}

static bool matches(const char *want, const char *name)
{
	return want && (!strcmp(want, "all") || !strcmp(want, name));
}

static void dump(struct dlc_pass_manager *pm, struct dlc_graph *g,
		 const char *when, const char *name)
{
	struct dlc_print_opts po = {.blobs = pm->print_blobs};
	char *text = dlc_print_graph(g, &po);
	fprintf(pm->dump ? pm->dump : stderr, "// -----// IR Dump %s %s //----- //\n%s",
		when, name, text);
	free(text);
}

int dlc_run_pipeline(struct dlc_pass_manager *pm, struct dlc_graph *g,
		     const char *list)
{
	/* resolve every name first: a typo must not half-run a pipeline */
	const struct dlc_pass_info *passes[256];
	int n = 0;
	char *copy = dlc_xstrdup(list ? list : "");
	for (char *save, *tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		const struct dlc_pass_info *p = dlc_pass_find(tok);
		if (!p) {
			dlc_error(pm->ctx.diag, "unknown pass '%s' (see --list-passes)", tok);
			free(copy);
			return -1;
		}
		if (n == (int)(sizeof passes / sizeof *passes)) {
			dlc_error(pm->ctx.diag, "pipeline has more than %d passes", n);
			free(copy);
			return -1;
		}
		passes[n++] = p;
	}
	free(copy);
	for (int i = 0; i < n; i++) {
		const struct dlc_pass_info *p = passes[i];
		if (matches(pm->print_before, p->name))
			dump(pm, g, "Before", p->name);
		if (p->run(g, &pm->ctx) < 0)
			return -1;
		if (matches(pm->print_after, p->name))
			dump(pm, g, "After", p->name);
		if (pm->verify_each && dlc_verify(g, pm->ctx.diag) < 0) {
			dlc_note(pm->ctx.diag, "the graph is malformed after pass '%s'", p->name);
			return -1;
		}
	}
	return 0;
}
