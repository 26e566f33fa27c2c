/* Building and rewriting graphs from passes: place a new node with its
 * result types inferred, and make constants from host data. */
#ifndef DLC_BUILD_H
#define DLC_BUILD_H

#include "dlc/ir.h"

struct dlc_diag;

/* Inserts detached node n before pos (NULL: at the end) and infers its
 * result types. Returns 0, or -1 after reporting. */
int dlc_node_place(struct dlc_graph *g, struct dlc_node *pos, struct dlc_node *n,
		   struct dlc_diag *d);

/* A constant of type t holding a copy of data (dlc_type_nbytes(t) bytes). */
struct dlc_value *dlc_const_copy(struct dlc_graph *g, const char *name, struct dlc_type t,
				 const void *data);

/* Element i of a constant of any dtype as a double (f16/bf16 decoded). */
double dlc_const_element(const struct dlc_value *v, int64_t i);
/* True if every element of constant v equals x. */
bool dlc_const_all(const struct dlc_value *v, double x);

/* Infers n's result types again and refines the recorded ones (a symbolic
 * or unknown dim takes the inferred static size). -1 after reporting a
 * contradiction. */
int dlc_refine_node(struct dlc_graph *g, struct dlc_node *n, struct dlc_diag *d);

/* Constant folding: evaluates n at compile time if its operands are
 * constants (shape and size: if its operand's type is static) and replaces
 * it by a constant of the same name. Returns 1 if folded, else 0. */
int dlc_fold_node(struct dlc_graph *g, struct dlc_node *n);

/* True if v is a constant whose payload is present. */
static inline bool dlc_is_const(const struct dlc_value *v)
{
	return v && v->kind == DLC_VALUE_CONST && v->blob && v->blob->data;
}

#endif
