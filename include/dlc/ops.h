/* The op table: every op dlc knows, defined once in ir/ops.def.
 *
 * Each row gives the IR name, the ONNX and TensorFlow op names that map to it
 * one-to-one (NULL where a frontend lowers it specially), operand and result
 * arity, the attribute schema, the shape function and flags. Frontends look
 * ops up here; targets and autodiff keep sparse tables indexed by enum dlc_op,
 * so a missing entry is a diagnostic, never a crash. */
#ifndef DLC_OPS_H
#define DLC_OPS_H

#include <stdbool.h>

enum dlc_op {
#define DLC_OP(id, name, onnx, tf, inmin, inmax, outmin, outmax, shape, flags, attrs) \
	DLC_OP_##id,
#include "ir/ops.def"
#undef DLC_OP
	DLC_NUM_OPS,
	DLC_OP_INVALID = -1
};

/* Op flags. */
enum {
	DLC_OPF_ELEMWISE = 1 << 0,    /* one output element per broadcast input element */
	DLC_OPF_COMMUTATIVE = 1 << 1, /* op(a, b) == op(b, a) */
	DLC_OPF_LAYOUT = 1 << 2,      /* semantics depend on the channel axis */
	DLC_OPF_VIEW = 1 << 3,        /* output is a reinterpretation of input 0's bytes */
	DLC_OPF_REDUCTION = 1 << 4,
};
/* Operand i determines the result's shape (a reshape's target shape, slice
 * bounds, ...): it must be a compile-time constant, since dlc compiles
 * static shapes. Bits 16 and up of the flags, one per operand. */
#define DLC_OPF_STATIC(i) (1u << (16 + (i)))
static inline bool dlc_op_operand_static(unsigned flags, int i)
{
	return i >= 0 && i < 16 && (flags & DLC_OPF_STATIC(i));
}

#define DLC_MAX_INPUTS_VARIADIC 1000000

struct dlc_graph;
struct dlc_node;
struct dlc_diag;
struct dlc_type;

/* What a shape function sees: the node (operands have types) and room for
 * its result types. It returns 0, or -1 after reporting through diag. */
struct dlc_shape_ctx {
	struct dlc_graph *g;
	const struct dlc_node *n;
	struct dlc_diag *diag;
	struct dlc_type *out;         /* n->noutputs entries, preset to unknown */
};
typedef int (*dlc_shape_fn)(struct dlc_shape_ctx *c);

enum dlc_attr_kind;

struct dlc_attr_spec {
	const char *name;
	int kind;                     /* enum dlc_attr_kind */
	bool required;
	bool has_default;
	const char *default_text;     /* as written in ops.def */
};

struct dlc_op_info {
	const char *name;             /* IR name: "conv" */
	const char *onnx;             /* "Conv" */
	const char *tf;               /* "Conv2D" or NULL */
	int min_inputs, max_inputs;
	int min_outputs, max_outputs;
	dlc_shape_fn shape;
	unsigned flags;
	const char *attrs;            /* "name:kind[=default][!],..." */
};

extern const struct dlc_op_info dlc_op_table[DLC_NUM_OPS];

static inline const struct dlc_op_info *dlc_op_info(enum dlc_op op)
{
	return &dlc_op_table[op];
}
enum dlc_op dlc_op_from_name(const char *name, unsigned long len);
enum dlc_op dlc_op_from_onnx(const char *onnx_name);

/* Parsed attribute schema of op (cached). Returns the number of entries. */
int dlc_op_attr_specs(enum dlc_op op, const struct dlc_attr_spec **out);
const struct dlc_attr_spec *dlc_op_attr_spec(enum dlc_op op, const char *name);

#endif
