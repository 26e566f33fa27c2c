/* The compiler driver library: loading a model in any supported format and
 * the pass pipeline of each optimization level. Tools are thin mains over
 * this. */
#ifndef DLC_COMPILER_H
#define DLC_COMPILER_H

#include <stdbool.h>
#include <stddef.h>

#include "dlc/codegen.h"
#include "dlc/ir.h"

struct dlc_diag;

#define DLC_VERSION "0.1.0"

enum dlc_format {
	DLC_FORMAT_UNKNOWN,
	DLC_FORMAT_TEXT,      /* dlc text IR */
	DLC_FORMAT_ONNX,      /* ONNX ModelProto */
	DLC_FORMAT_TF,        /* TensorFlow frozen GraphDef */
};

/* Guesses the format from the bytes (never from the file name). */
enum dlc_format dlc_detect_format(const unsigned char *data, size_t len);

/* Loads and verifies a model (any format). NULL after reporting. */
struct dlc_graph *dlc_load_model(const char *path, struct dlc_diag *d);

struct dlc_load_opts {
	size_t max_import_bytes;  /* memory reading a model may take; 0: default */
	/* Graph outputs of a TensorFlow GraphDef ("node" or "node:k"); none:
	 * the nodes nobody consumes. Other formats name their outputs. */
	const char *const *outputs;
	int noutputs;
};
struct dlc_graph *dlc_load_model_with(const char *path, const struct dlc_load_opts *o,
				      struct dlc_diag *d);

/* The pass list run at -O<level> (0..3). */
const char *dlc_pipeline_for_level(int level);

struct dlc_target;

struct dlc_compile_opts {
	int opt_level;
	const char *const *input_shapes;  /* "NAME=1,3,224,224" */
	int ninput_shapes;
	const char *print_before, *print_after;
	bool verify_each;
	bool codegen;   /* for a target: inputs must be static; plan memory */
	const struct dlc_target *target; /* whose fusion rule applies (NULL: the C target) */
	struct dlc_kernel_opts kernels;  /* which kernels the target emits (their scratch) */
};

/* Makes the graph ready: binds the input shapes and runs the -O pipeline;
 * for codegen, every input must end up static and memory is planned. */
int dlc_compile(struct dlc_graph *g, const struct dlc_compile_opts *o, struct dlc_diag *d);
/* Turns graph input `name` into a constant holding blob (the caller's
 * reference is taken over). Its type must fit the input's. */
int dlc_freeze_input(struct dlc_graph *g, const char *name, struct dlc_type type,
		     struct dlc_blob *blob, struct dlc_diag *d);
/* True if input v's value flows (through any computation but shape and
 * size, which read only types) into an operand that must be a compile-time
 * constant (DLC_OPF_STATIC), so a harness should freeze it from its data. */
bool dlc_input_fixes_shapes(const struct dlc_graph *g, const struct dlc_value *v);
int dlc_bind_input_shapes(struct dlc_graph *g, const char *const *specs, int nspecs,
			  bool require_static, struct dlc_diag *d);

#endif
