/* dlc-opt: reads text IR or a model, runs passes, prints text IR. The tool
 * that lit tests drive. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlc/codegen.h"
#include "dlc/compiler.h"
#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/pass.h"
#include "tools/cli.h"

static void usage(FILE *f)
{
	fputs("usage: dlc-opt [options] [FILE]   (FILE: text IR or a model; '-' or none: stdin)\n"
	      "  --passes=A,B,...      run these passes in order (see --list-passes)\n"
	      "  -O0 | -O1 | -O2 | -O3 run the pipeline of that optimization level\n"
	      "  --print-before=PASS|all, --print-after=PASS|all\n"
	      "                        dump the IR to stderr around passes\n"
	      "  --verify-each         verify the graph after every pass\n"
	      "  --print-blobs         print payloads of large constants (round-trippable)\n"
	      "  -o FILE               write the result to FILE instead of stdout\n"
	      "  --list-ops            print the op table\n"
	      "  --list-passes         print the passes\n"
	      "  --help, --version\n",
	      f);
}

static void list_passes(void)
{
	for (int i = 0; i < dlc_num_passes; i++)
		printf("%-14s %s\n", dlc_pass_table[i].name, dlc_pass_table[i].summary);
}

static void arity(char *buf, size_t n, int lo, int hi)
{
	if (hi == DLC_MAX_INPUTS_VARIADIC)
		snprintf(buf, n, "%d+", lo);
	else if (lo == hi)
		snprintf(buf, n, "%d", lo);
	else
		snprintf(buf, n, "%d-%d", lo, hi);
}

static void list_ops(void)
{
	printf("%-20s %-20s %-10s %-4s %-4s %-4s %-4s %-4s %s\n", "op", "onnx", "tf", "in",
	       "out", "C", "CUDA", "grad", "attributes");
	for (int i = 0; i < DLC_NUM_OPS; i++) {
		const struct dlc_op_info *op = dlc_op_info((enum dlc_op)i);
		char in[16], out[16];
		arity(in, sizeof in, op->min_inputs, op->max_inputs);
		arity(out, sizeof out, op->min_outputs, op->max_outputs);
		printf("%-20s %-20s %-10s %-4s %-4s %-4s %-4s %-4s %s\n", op->name,
		       op->onnx ? op->onnx : "-", op->tf ? op->tf : "-", in, out,
		       dlc_cli_op_support((enum dlc_op)i, "c"),
		       dlc_cli_op_support((enum dlc_op)i, "cuda"),
		       dlc_cli_op_support((enum dlc_op)i, "grad"),
		       *op->attrs ? op->attrs : "-");
	}
}

int main(int argc, char **argv)
{
	const char *input = "-", *output = NULL, *passes = NULL;
	int level = -1;
	struct dlc_diag diag;
	struct dlc_pass_manager pm = {0};
	dlc_diag_init(&diag, "dlc-opt", stderr);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		if ((v = dlc_cli_value(a, "--passes")))
			passes = v;
		else if ((v = dlc_cli_value(a, "--print-after")))
			pm.print_after = v;
		else if ((v = dlc_cli_value(a, "--print-before")))
			pm.print_before = v;
		else if (!strcmp(a, "--verify-each"))
			pm.verify_each = true;
		else if (!strcmp(a, "--print-blobs"))
			pm.print_blobs = true;
		else if (dlc_cli_opt_level(a, &level))
			;
		else if (!strcmp(a, "-o") && i + 1 < argc)
			output = argv[++i];
		else if (!strcmp(a, "--list-ops")) {
			list_ops();
			return 0;
		} else if (!strcmp(a, "--list-passes")) {
			list_passes();
			return 0;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("dlc-opt %s\n", DLC_VERSION);
			return 0;
		} else if (a[0] == '-' && a[1]) {
			dlc_error(&diag, "unknown option '%s' (see --help)", a);
			goto fail;
		} else {
			input = a;
		}
	}
	if (passes && level >= 0) {
		dlc_error(&diag, "--passes and -O%d are mutually exclusive", level);
		goto fail;
	}
	for (const char *w = pm.print_after; w; w = NULL)
		if (strcmp(w, "all") && !dlc_pass_find(w)) {
			dlc_error(&diag, "unknown pass '%s' in --print-after", w);
			goto fail;
		}
	for (const char *w = pm.print_before; w; w = NULL)
		if (strcmp(w, "all") && !dlc_pass_find(w)) {
			dlc_error(&diag, "unknown pass '%s' in --print-before", w);
			goto fail;
		}
	diag.file = strcmp(input, "-") ? input : "<stdin>";
	struct dlc_graph *g = dlc_load_model(input, &diag);
	if (!g)
		goto fail;
	pm.ctx.diag = &diag;
	pm.ctx.opt_level = level < 0 ? 0 : level;
	pm.ctx.fusable = dlc_target_c.fusable; /* kernels the C target can emit */
	pm.dump = stderr;
	int rc = dlc_run_pipeline(&pm, g, level >= 0 ? dlc_pipeline_for_level(level) : passes);
	if (rc == 0 && dlc_verify(g, &diag) < 0)
		rc = -1;
	if (rc == 0) {
		struct dlc_print_opts po = {.blobs = pm.print_blobs};
		char *text = dlc_print_graph(g, &po);
		rc = dlc_cli_write(&diag, output, text, strlen(text));
		free(text);
	}
	dlc_graph_free(g);
	dlc_diag_free(&diag);
	return rc < 0 ? 1 : 0;
fail:
	dlc_diag_free(&diag);
	return 1;
}
