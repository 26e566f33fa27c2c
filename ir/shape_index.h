/* Resolved parameters of the shape and indexing ops, shared by their shape
 * functions (ir/shape_index.c) and their C kernels, so that a result's size
 * and the code that fills it are computed in one place (as dlc_node_window
 * is for conv and pool).
 *
 * Each dlc_*_plan returns 0 when the plan is complete, 1 when an operand
 * that fixes it is not a constant (yet: a graph input may still be frozen),
 * or -1 after reporting an error at the node. */
#ifndef DLC_IR_SHAPE_INDEX_H
#define DLC_IR_SHAPE_INDEX_H

#include "dlc/diag.h"
#include "dlc/ir.h"

/* Element i of a constant payload of dtype t (f16/bf16 decoded), as a
 * double or an int64 (floats truncated toward zero). */
double dlc_elem_f64(const void *data, enum dlc_dtype t, int64_t i);
int64_t dlc_elem_i64(const void *data, enum dlc_dtype t, int64_t i);
/* v toward zero, saturated to int64 (NaN: 0), never undefined. */
int64_t dlc_f64_to_i64_sat(double v);

/* Slice: for every dim of the data, the first index read, the step and
 * the count (dims the slice does not name read 0, 1, dim). */
struct dlc_slice_plan {
	int rank;
	int64_t start[DLC_MAX_RANK], step[DLC_MAX_RANK], count[DLC_MAX_RANK];
};
int dlc_slice_plan(struct dlc_graph *g, const struct dlc_node *n,
		   struct dlc_slice_plan *p, struct dlc_diag *d);

/* Pad and CenterCropPad: elements added before and after each dim
 * (negative: removed). */
struct dlc_pad_plan {
	int rank;
	int64_t begin[DLC_MAX_RANK], end[DLC_MAX_RANK];
};
int dlc_pad_plan(struct dlc_graph *g, const struct dlc_node *n,
		 struct dlc_pad_plan *p, struct dlc_diag *d);

/* Split: the axis and each result's size along it (n->noutputs entries). */
int dlc_split_plan(struct dlc_graph *g, const struct dlc_node *n, int *axis,
		   int64_t *sizes, struct dlc_diag *d);

/* Resize: per dim, the input and output sizes and the numbers the
 * coordinate transformation uses, as ONNX's reference computes them:
 * `scale` (given, or output/input for sizes), `out_f` = scale * input (not
 * rounded: align_corners and half_pixel_symmetric read it) and the region
 * of interest [roi0, roi1] (tf_crop_and_resize). */
struct dlc_resize_axis {
	int64_t in, out;
	double scale, out_f, roi0, roi1;
	bool resized;                 /* named by 'axes' (or no 'axes') */
};
struct dlc_resize_plan {
	int rank;
	struct dlc_resize_axis ax[DLC_MAX_RANK];
};
int dlc_resize_plan(struct dlc_graph *g, const struct dlc_node *n,
		    struct dlc_resize_plan *p, struct dlc_diag *d);

/* Unique of a constant operand, along `axis` (-1: over the flattened
 * tensor). Slices are numbered along the axis (elements when flattened).
 * Arrays are malloc'd; free with dlc_unique_free. */
struct dlc_unique {
	int axis;
	int64_t nslices;              /* slices in the input */
	int64_t count;                /* unique slices */
	int64_t *first;               /* [count]: input slice of each result */
	int64_t *inverse;             /* [nslices]: result of each input slice */
	int64_t *counts;              /* [count] */
};
int dlc_unique_eval(struct dlc_graph *g, const struct dlc_node *n,
		    struct dlc_unique *u, struct dlc_diag *d);
void dlc_unique_free(struct dlc_unique *u);

#endif
