/* Code generation targets.
 *
 * A target turns a planned graph (shape-inferred, memory-planned) into
 * source files. It is a struct of functions, so a new backend (CUDA) plugs
 * in beside the C one without touching the driver. Kernels are kept in
 * sparse per-target tables indexed by op: supports() tells which exist, and
 * a missing kernel is a diagnostic naming the node and the op. */
#ifndef DLC_CODEGEN_H
#define DLC_CODEGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlc/ops.h"

struct dlc_graph;
struct dlc_diag;

enum dlc_weights_mode {
	DLC_WEIGHTS_AUTO,   /* embed up to embed_limit bytes, else a sidecar file */
	DLC_WEIGHTS_EMBED,
	DLC_WEIGHTS_FILE,
};

/* The CPU the generated kernels are for (dlc --cpu=...). The fast f32
 * kernels (packed, blocked sgemm; implicit-GEMM and depthwise convolution)
 * have one micro-kernel per instruction set; everything else is portable C. */
enum dlc_cpu {
	DLC_CPU_NATIVE,      /* the machine dlc runs on (dlc_cpu_resolve) */
	DLC_CPU_GENERIC,     /* portable C, no intrinsics */
	DLC_CPU_X86_64_V3,   /* AVX2 + FMA */
	DLC_CPU_X86_64_V4,   /* AVX-512 F, BW, DQ, VL */
};

struct dlc_kernel_opts {
	enum dlc_cpu cpu;
	bool naive;          /* only the straightforward reference kernels (--kernels=naive) */
	int threads;         /* --threads: parts a big GEMM-based kernel is split in
				(each with its own scratch); 0 or 1: one */
};

/* "native", "generic", "x86-64-v3", "x86-64-v4" -> the CPU; -1 otherwise. */
int dlc_cpu_parse(const char *s, enum dlc_cpu *cpu);
/* NATIVE becomes what this machine supports; others are returned as is. */
enum dlc_cpu dlc_cpu_resolve(enum dlc_cpu cpu);
const char *dlc_cpu_name(enum dlc_cpu cpu);

struct dlc_codegen_opts {
	const char *prefix;        /* symbol prefix: mnist_run, MNIST_ARENA_BYTES */
	const char *header_name;   /* what OUT.c #includes: "mnist.h" */
	const char *weights_name;  /* default sidecar path: "mnist.weights.bin" */
	const char *source_name;   /* the model file, for the header comment */
	int opt_level;
	enum dlc_weights_mode weights;
	int64_t embed_limit;       /* 0: the default (DLC_EMBED_LIMIT) */
	struct dlc_kernel_opts kernels; /* must be those the memory plan was made with */
};
#define DLC_EMBED_LIMIT (4 << 20) /* bytes */

struct dlc_codegen_result {
	char *source;              /* OUT.c (malloc'd) */
	char *header;              /* OUT.h (malloc'd) */
	unsigned char *weights;    /* OUT.weights.bin, or NULL if embedded */
	size_t weights_size;
	/* the API: field names of struct <prefix>_inputs / _outputs, in the
	 * order of the graph's inputs and outputs (for harnesses) */
	char **input_fields, **output_fields;
	int ninputs, noutputs;
};
void dlc_codegen_result_free(struct dlc_codegen_result *r);

struct dlc_target {
	const char *name;          /* "c" */
	bool (*supports)(enum dlc_op op);
	/* Which kernels the fuse pass may form (see struct dlc_pass_ctx). */
	bool (*fusable)(const struct dlc_node *n, const struct dlc_node *anchor, const struct dlc_kernel_opts *k);
	/* Arena bytes the kernel that `anchor` starts needs as scratch (packed
	 * operand blocks) while it runs; the memory plan reserves them. */
	int64_t (*scratch_bytes)(const struct dlc_node *anchor, const struct dlc_kernel_opts *k);
	int (*emit)(struct dlc_graph *g, const struct dlc_codegen_opts *o,
		    struct dlc_codegen_result *r, struct dlc_diag *d);
};

extern const struct dlc_target dlc_target_c;
const struct dlc_target *dlc_target_find(const char *name);

#endif
