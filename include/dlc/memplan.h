/* The memory plan, as a report: every arena buffer with its size, offset
 * and live range, and the totals dlc -v and --emit=memplan print. */
#ifndef DLC_MEMPLAN_H
#define DLC_MEMPLAN_H

#include <stdint.h>

#include "dlc/ir.h"

struct dlc_buffer {
	struct dlc_value *v;         /* NULL for a kernel's scratch */
	struct dlc_node *scratch_of; /* the kernel (its first node) whose scratch it is */
	int64_t size;        /* bytes, 64-byte aligned */
	int64_t offset;      /* in the arena */
	int first, last;     /* live steps (1-based node positions; nnodes+1 is the end) */
	int group;           /* planning: the in-place chain it continues, or -1 */
};

struct dlc_memplan_report {
	struct dlc_buffer *bufs;
	int nbufs, nsteps;
	int64_t planned;     /* the arena size */
	int64_t naive;       /* every buffer its own bytes */
	int64_t lower_bound; /* the most bytes live at one step */
};

/* The report of a planned graph (after the memplan pass); -1 if unplanned. */
int dlc_memplan_report(const struct dlc_graph *g, struct dlc_memplan_report *r);
void dlc_memplan_report_free(struct dlc_memplan_report *r);

/* Text table and SVG drawing (offset against time) of the plan (malloc'd). */
char *dlc_memplan_text(const struct dlc_graph *g, const struct dlc_memplan_report *r);
char *dlc_memplan_svg(const struct dlc_graph *g, const struct dlc_memplan_report *r);

#endif
