/* The dlc IR: one typed dataflow graph per model.
 *
 * A graph is a list of nodes in topological order. Every tensor is an SSA
 * value with a type (dtype + static or symbolic shape) and a use list. Values
 * are graph inputs, constants and parameters (payload in a refcounted blob,
 * never copied), or node results. Graph outputs are named slots that refer to
 * values, so a pass can replace a value without renaming the model's API.
 *
 * Memory: every node, value, attribute and string is allocated from the
 * graph's pool and freed with the graph; passes never free individual objects.
 * Blobs are refcounted because they may outlive a graph (or be mmapped).
 *
 * See docs/design.md for the rationale and for how to add an op or a pass. */
#ifndef DLC_IR_H
#define DLC_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlc/ops.h"

struct dlc_diag;

/* ---- dtypes ---- */

enum dlc_dtype {
	DLC_DTYPE_UNKNOWN = 0,
	DLC_F32, DLC_F16, DLC_BF16, DLC_F64,
	DLC_I8, DLC_U8, DLC_I16, DLC_U16, DLC_I32, DLC_U32, DLC_I64, DLC_U64,
	DLC_BOOL,
	/* Storage-only types (docs/design.md §2 "Narrow types"): kernels
	 * convert them to and from f32 (or i8/u8); one element per byte, the
	 * 4- and 2-bit ones unpacked (ONNX packs two or four per byte). */
	DLC_F8E4M3FN, DLC_F8E4M3FNUZ, DLC_F8E5M2, DLC_F8E5M2FNUZ,
	DLC_I4, DLC_U4, DLC_F4E2M1, DLC_F8E8M0, DLC_I2, DLC_U2,
	DLC_NUM_DTYPES
};

const char *dlc_dtype_name(enum dlc_dtype t);      /* "f32", ... ; "?" */
enum dlc_dtype dlc_dtype_from_name(const char *s, size_t len);
size_t dlc_dtype_size(enum dlc_dtype t);           /* bytes per element in storage */
bool dlc_dtype_is_float(enum dlc_dtype t);         /* f16 bf16 f32 f64 */
bool dlc_dtype_is_int(enum dlc_dtype t);           /* i8..u64, signed or unsigned */
bool dlc_dtype_is_signed(enum dlc_dtype t);
/* 8- and 4-bit floats (f8e4m3fn f8e4m3fnuz f8e5m2 f8e5m2fnuz f8e8m0
 * f4e2m1): not "float" above, since no arithmetic happens in them. */
bool dlc_dtype_is_minifloat(enum dlc_dtype t);
/* i4 u4 i2 u2: held one per byte, not "int" above either. */
bool dlc_dtype_is_subbyte_int(enum dlc_dtype t);
/* A minifloat's bits to its value, and a value to the nearest minifloat
 * (ties to even; beyond the range: infinity or NaN, except f4e2m1 which
 * saturates), with the conversions generated code uses. */
double dlc_minifloat_to_f64(enum dlc_dtype t, uint8_t bits);
uint8_t dlc_f64_to_minifloat(enum dlc_dtype t, double v);
/* A float cast to integer dtype t as generated code casts it (truncation;
 * NaN and out-of-range values defined as in runtime/dlcrt.h dlc_f2i32),
 * returned widened to int64 (bits of a u64). */
int64_t dlc_float_to_int(enum dlc_dtype t, double v);
/* Value ranges of i4 / u4 / i2 / u2 (one element per byte: int8_t / uint8_t). */
#define DLC_I4_MIN (-8)
#define DLC_I4_MAX 7
#define DLC_U4_MAX 15
#define DLC_I2_MIN (-2)
#define DLC_I2_MAX 1
#define DLC_U2_MAX 3

/* ---- types ---- */

#define DLC_MAX_RANK 8
/* A dim is >= 0 when known. DLC_DIM_UNKNOWN prints as '?'. A named symbolic
 * dim (N, batch, ...) is <= -2 and indexes the graph's symbol table; the same
 * name is the same number everywhere in the graph, so types compare with ==. */
#define DLC_DIM_UNKNOWN (-1)
/* Largest accepted element count of one tensor (2^40): keeps every byte size
 * far from int64 overflow, and rejects absurd shapes before any allocation. */
#define DLC_MAX_NUMEL ((int64_t)1 << 40)

struct dlc_type {
	enum dlc_dtype dtype;   /* DLC_DTYPE_UNKNOWN: not yet inferred */
	int rank;               /* -1: unranked (not yet inferred) */
	int64_t dims[DLC_MAX_RANK];
};

struct dlc_type dlc_type_unknown(void);
struct dlc_type dlc_type_make(enum dlc_dtype t, int rank, const int64_t *dims);
bool dlc_type_is_known(const struct dlc_type *t);  /* dtype and rank known */
bool dlc_type_is_static(const struct dlc_type *t); /* ...and every dim */
bool dlc_type_equal(const struct dlc_type *a, const struct dlc_type *b);
/* Element count / byte size of a static type; -1 if not static or too big. */
int64_t dlc_type_numel(const struct dlc_type *t);
int64_t dlc_type_nbytes(const struct dlc_type *t);

/* ---- blobs: constant payloads ---- */

struct dlc_blob {
	int refs;
	size_t size;           /* bytes */
	void *data;            /* NULL when the payload was elided from text IR */
	void (*release)(struct dlc_blob *); /* frees data (free, munmap, ...) */
	void *ctx;             /* for release */
};

struct dlc_blob *dlc_blob_new(size_t size);       /* zero-filled; NULL on OOM */
struct dlc_blob *dlc_blob_elided(size_t size);    /* size known, no payload */
struct dlc_blob *dlc_blob_take(void *data, size_t size); /* owns malloc'd data */
struct dlc_blob *dlc_blob_wrap(void *data, size_t size,
			       void (*release)(struct dlc_blob *), void *ctx);
struct dlc_blob *dlc_blob_ref(struct dlc_blob *b);
void dlc_blob_unref(struct dlc_blob *b);

/* ---- attributes ---- */

enum dlc_attr_kind {
	DLC_ATTR_INT, DLC_ATTR_FLOAT, DLC_ATTR_STRING,
	DLC_ATTR_INTS, DLC_ATTR_FLOATS, DLC_ATTR_STRINGS,
};

struct dlc_attr {
	const char *name;
	enum dlc_attr_kind kind;
	int n;                  /* element count of list kinds */
	union {
		int64_t i;
		float f;
		const char *s;
		const int64_t *ints;
		const float *floats;
		const char *const *strings;
	} u;
};

const char *dlc_attr_kind_name(enum dlc_attr_kind k);

/* ---- values, uses, nodes ---- */

enum dlc_value_kind {
	DLC_VALUE_INPUT,        /* graph input */
	DLC_VALUE_CONST,        /* immutable constant (folded weights, shapes) */
	DLC_VALUE_PARAM,        /* weight that training may update */
	DLC_VALUE_NODE,         /* result of a node */
};

struct dlc_node;

/* One operand slot of a node, linked into its value's use list. */
struct dlc_use {
	struct dlc_value *value;      /* NULL: absent optional operand */
	struct dlc_node *user;
	int index;                    /* operand index in user */
	struct dlc_use *prev, *next;  /* value's use list */
};

struct dlc_value {
	int id;                       /* unique in the graph, dense */
	enum dlc_value_kind kind;
	const char *name;             /* unique in the graph */
	struct dlc_type type;
	struct dlc_node *producer;    /* DLC_VALUE_NODE */
	int result;                   /* index among producer's outputs */
	struct dlc_use *uses;         /* first use */
	int nuses;
	int noutputs;                 /* graph output slots that refer here */
	struct dlc_blob *blob;        /* CONST / PARAM payload */
	const char *blob_name;        /* the @name it prints with */
	int64_t offset;               /* arena byte offset from memplan; -1: none */
};

struct dlc_node {
	int id;                       /* unique in the graph, dense */
	enum dlc_op op;
	const char *name;             /* source node name; NULL if none */
	int line, col;                /* position in text IR; 0 if none */
	int ninputs, noutputs;
	struct dlc_use *inputs;
	struct dlc_value **outputs;   /* an entry is NULL if that result is absent */
	int nattrs;
	struct dlc_attr *attrs;       /* sorted by name */
	struct dlc_node *prev, *next; /* topological order */
	struct dlc_graph *graph;
	int kernel;                   /* fused kernel it belongs to (consecutive
					 nodes with one result leaving); -1 none */
	int64_t scratch_bytes;        /* memplan: arena scratch of the kernel it
					 starts (packed operands), at scratch_offset */
	int64_t scratch_offset;
};

/* ---- graph ---- */

struct dlc_pool;
struct dlc_strmap;

struct dlc_graph {
	const char *name;
	struct dlc_pool *pool;
	struct dlc_node *first, *last;
	int nnodes;
	struct dlc_value **inputs;
	int ninputs, cap_inputs;
	struct dlc_value **consts;    /* CONST and PARAM values, in order */
	int nconsts, cap_consts;
	struct dlc_value **outputs;
	const char **output_names;
	int noutputs, cap_outputs;
	const char **syms;            /* symbolic dim names: dim -2-i is syms[i] */
	int nsyms, cap_syms;
	int next_value_id, next_node_id;
	struct dlc_strmap *names;     /* value name -> value */
	int64_t arena_bytes;          /* from memplan; -1 until planned */
};

struct dlc_graph *dlc_graph_new(const char *name);
void dlc_graph_free(struct dlc_graph *g);

/* Pool allocation with the graph's lifetime. Zero-filled; aborts on OOM. */
void *dlc_graph_alloc(struct dlc_graph *g, size_t size);
const char *dlc_graph_strdup(struct dlc_graph *g, const char *s);
const char *dlc_graph_strndup(struct dlc_graph *g, const char *s, size_t n);

/* Symbolic dims. */
int64_t dlc_graph_sym(struct dlc_graph *g, const char *name, size_t len);
const char *dlc_graph_sym_name(const struct dlc_graph *g, int64_t dim);

/* Values. A name that is taken (or NULL) gets a fresh one: name.1, t5, ... */
struct dlc_value *dlc_graph_add_input(struct dlc_graph *g, const char *name,
				      struct dlc_type type);
struct dlc_value *dlc_graph_add_const(struct dlc_graph *g, const char *name,
				      struct dlc_type type,
				      struct dlc_blob *blob); /* takes over the caller's reference */
void dlc_graph_remove_const(struct dlc_graph *g, struct dlc_value *v);
void dlc_graph_add_output(struct dlc_graph *g, struct dlc_value *v,
			  const char *name);
void dlc_graph_set_output(struct dlc_graph *g, int i, struct dlc_value *v);
struct dlc_value *dlc_graph_find(const struct dlc_graph *g, const char *name);
int dlc_value_rename(struct dlc_graph *g, struct dlc_value *v,
		     const char *name);  /* -1 if taken */
/* Gives v the name, moving a value that holds it to a fresh name (for
 * importers whose names are authoritative). */
void dlc_value_take_name(struct dlc_graph *g, struct dlc_value *v,
			 const char *name);
const void *dlc_value_data(const struct dlc_value *v); /* NULL if none */

/* Nodes. A new node is detached: insert it to place it in the order. Its
 * results are fresh values of unknown type named after `name` (or the op). */
struct dlc_node *dlc_node_new(struct dlc_graph *g, enum dlc_op op,
			      const char *name, int ninputs,
			      struct dlc_value *const *inputs, int noutputs);
void dlc_node_append(struct dlc_graph *g, struct dlc_node *n);
void dlc_node_insert_before(struct dlc_graph *g, struct dlc_node *pos,
			    struct dlc_node *n);
/* Takes n out of the order, keeping its operands and users (to move it:
 * insert it again right after). */
void dlc_node_unlink(struct dlc_graph *g, struct dlc_node *n);
/* Unlinks n and drops its operand uses; its results must be unused. */
void dlc_node_remove(struct dlc_graph *g, struct dlc_node *n);
void dlc_node_set_input(struct dlc_node *n, int i, struct dlc_value *v);
/* Marks result i absent (an omitted optional result); it must be unused. */
void dlc_node_clear_output(struct dlc_graph *g, struct dlc_node *n, int i);
struct dlc_value *dlc_node_input(const struct dlc_node *n, int i); /* NULL if absent/out of range */
/* Every use of `from` (operands and output slots) now refers to `to`. */
void dlc_value_replace_uses(struct dlc_graph *g, struct dlc_value *from,
			    struct dlc_value *to);
bool dlc_value_is_used(const struct dlc_value *v);

/* Attributes: setters keep attrs sorted and replace an existing one. */
void dlc_node_set_int(struct dlc_node *n, const char *name, int64_t v);
void dlc_node_set_float(struct dlc_node *n, const char *name, float v);
void dlc_node_set_string(struct dlc_node *n, const char *name, const char *s);
void dlc_node_set_ints(struct dlc_node *n, const char *name, int count,
		       const int64_t *v);
void dlc_node_set_floats(struct dlc_node *n, const char *name, int count,
			 const float *v);
void dlc_node_set_strings(struct dlc_node *n, const char *name, int count,
			  const char *const *v);
void dlc_node_set_attr(struct dlc_node *n, const struct dlc_attr *a); /* deep copy */
const struct dlc_attr *dlc_node_attr(const struct dlc_node *n,
				     const char *name);
/* Getters fall back on the op table's default; asking for an attribute that
 * is absent and has no default is an internal error (check with attr()). */
int64_t dlc_node_int(const struct dlc_node *n, const char *name);
float dlc_node_float(const struct dlc_node *n, const char *name);
const char *dlc_node_string(const struct dlc_node *n, const char *name);
/* List attribute: element count, or -1 if absent (lists have no default). */
int dlc_node_ints(const struct dlc_node *n, const char *name,
		  const int64_t **out);
int dlc_node_floats(const struct dlc_node *n, const char *name,
		    const float **out);

#define dlc_foreach_node(g, n) for (struct dlc_node *n = (g)->first; n; n = n->next)
/* Safe against removal of n. */
#define dlc_foreach_node_safe(g, n, tmp)                                       \
	for (struct dlc_node *n = (g)->first, *tmp = n ? n->next : NULL; n;    \
	     n = tmp, tmp = n ? n->next : NULL)

/* ---- storage ---- */

/* The value whose bytes v reinterprets: v itself, or for the result of a
 * view op (reshape, flatten, identity, dropout's data) its operand's root. */
const struct dlc_value *dlc_storage_root(const struct dlc_value *v);
/* The graph output slot an intermediate root is computed into directly (its
 * kernel writes the caller's output buffer), or -1. The first slot whose
 * value has this root wins; other slots get a copy. */
int dlc_output_slot(const struct dlc_graph *g, const struct dlc_value *root);
#define DLC_ARENA_ALIGN 64

/* ---- text form, verification ---- */

struct dlc_print_opts {
	bool blobs;          /* print payloads of large constants (round-trippable) */
	int inline_limit;    /* constants with at most this many elements print inline (0: default) */
};
/* Returns a malloc'd string. */
char *dlc_print_graph(const struct dlc_graph *g, const struct dlc_print_opts *o);
/* Graphviz dot of the graph (malloc'd). */
char *dlc_print_dot(const struct dlc_graph *g);
struct dlc_graph *dlc_parse_graph(const char *text, size_t len,
				  struct dlc_diag *d);
/* Checks every rule of docs/design.md "Verifier"; reports each violation.
 * Returns 0 if the graph is well formed. */
int dlc_verify(struct dlc_graph *g, struct dlc_diag *d);

/* Runs the op's shape function for n, writing its result types into out
 * (noutputs entries). Returns 0 (out may stay unknown if inputs are
 * unknown), or -1 after reporting an error. */
int dlc_infer_node(struct dlc_graph *g, const struct dlc_node *n,
		   struct dlc_type *out, struct dlc_diag *d);

/* The sliding window of a conv or pool node with every attribute resolved:
 * defaults filled in, auto_pad turned into explicit pads. Shape inference
 * and codegen both use it, so output sizes are computed in one place. */
struct dlc_window {
	int n;                        /* spatial rank */
	int64_t in[DLC_MAX_RANK], out[DLC_MAX_RANK];
	int64_t kernel[DLC_MAX_RANK], stride[DLC_MAX_RANK], dilation[DLC_MAX_RANK];
	int64_t pad_begin[DLC_MAX_RANK], pad_end[DLC_MAX_RANK];
};
int dlc_node_window(struct dlc_graph *g, const struct dlc_node *n,
		    struct dlc_window *w, struct dlc_diag *d);

/* Formats a type ("f32[1,N,?]") into buf; returns buf. */
char *dlc_type_str(const struct dlc_graph *g, const struct dlc_type *t,
		   char *buf, size_t size);
#define DLC_TYPE_STR_MAX 256

#endif
