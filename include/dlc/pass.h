/* Passes and the pass manager.
 *
 * A pass is one function over a graph: it rewrites in place and returns 0, or
 * returns -1 after reporting through ctx->diag. Passes are listed once in
 * passes/passes.def; compiler/pipeline.c names the pipeline of each -O level.
 * Passes keep no state between runs and know nothing of file formats. */
#ifndef DLC_PASS_H
#define DLC_PASS_H

#include <stdbool.h>
#include <stdio.h>

struct dlc_graph;
struct dlc_diag;
struct dlc_kernel_opts;

struct dlc_pass_ctx {
	struct dlc_diag *diag;
	int opt_level;            /* the -O level the pipeline runs at */
	/* The target's fusion rule (struct dlc_target.fusable): may n join a
	 * kernel anchored at `anchor` (n == anchor: may n anchor one) with the
	 * kernels it will emit (`kernels` below, NULL if none are known)? NULL:
	 * the fuse pass's structural rule alone. */
	bool (*fusable)(const struct dlc_node *n, const struct dlc_node *anchor, const struct dlc_kernel_opts *k);
	/* The target's scratch rule (struct dlc_target.scratch_bytes) and the
	 * kernels it will emit; NULL: kernels need no scratch. */
	int64_t (*scratch_bytes)(const struct dlc_node *anchor, const struct dlc_kernel_opts *k);
	const struct dlc_kernel_opts *kernels;
};

typedef int (*dlc_pass_fn)(struct dlc_graph *g, struct dlc_pass_ctx *ctx);

struct dlc_pass_info {
	const char *name;         /* as on the command line: "shape-infer" */
	const char *summary;
	dlc_pass_fn run;
};

#define DLC_PASS(fn, name, summary) int fn(struct dlc_graph *g, struct dlc_pass_ctx *ctx);
#include "passes/passes.def"
#undef DLC_PASS

extern const struct dlc_pass_info dlc_pass_table[];
extern const int dlc_num_passes;
const struct dlc_pass_info *dlc_pass_find(const char *name);

/* How the manager runs a pipeline. */
struct dlc_pass_manager {
	struct dlc_pass_ctx ctx;
	const char *print_before; /* pass name, "all", or NULL */
	const char *print_after;
	bool verify_each;         /* verify after every pass */
	bool print_blobs;
	FILE *dump;               /* where --print-* dumps go (stderr) */
};

/* Runs the comma-separated pipeline `list` ("shape-infer,cse,dce"). An
 * unknown pass name is reported before anything runs. */
int dlc_run_pipeline(struct dlc_pass_manager *pm, struct dlc_graph *g,
		     const char *list);

#endif
