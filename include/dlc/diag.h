/* Diagnostics: how library code reports errors.
 *
 * Library code never exits and never prints on its own: it reports into a
 * struct dlc_diag and returns -1. Messages follow the compiler convention
 *   model.onnx:Conv_3: error: weight has 3 dims, Conv expects 4
 *   graph.dlc:12:5: error: expected ')'
 * Tools own the diag and decide where it prints (stderr by default; tests may
 * capture it in a buffer). */
#ifndef DLC_DIAG_H
#define DLC_DIAG_H

#include <stdarg.h>
#include <stdio.h>

struct dlc_node;

enum dlc_severity { DLC_SEV_ERROR, DLC_SEV_WARNING, DLC_SEV_NOTE };

struct dlc_diag {
	const char *file;   /* the input being processed, prefixed to messages */
	FILE *out;          /* NULL: messages go to the capture buffer only */
	char *buf;          /* capture buffer (malloc'd), holds every message */
	size_t len, cap;
	int nerrors;
	int nwarnings;
};

void dlc_diag_init(struct dlc_diag *d, const char *file, FILE *out);
void dlc_diag_free(struct dlc_diag *d);

/* file: error: msg */
void dlc_error(struct dlc_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* file:line:col: error: msg (text input) */
void dlc_error_at(struct dlc_diag *d, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* file:<node location>: error: msg — location is line:col for text IR, else
 * the node's source name (falling back to its op). */
void dlc_error_node(struct dlc_diag *d, const struct dlc_node *n,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void dlc_warning_node(struct dlc_diag *d, const struct dlc_node *n,
		      const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* file:where: error: msg — for locations that are not IR nodes yet. */
void dlc_error_where(struct dlc_diag *d, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* file: note: msg (attaches to the previous error) */
void dlc_note(struct dlc_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void dlc_diag_vreport(struct dlc_diag *d, enum dlc_severity sev,
		      const char *where, const char *fmt, va_list ap);

/* Internal invariants: a failure is a bug in dlc, not in the input. */
#define DLC_ASSERT(cond)                                                       \
	do {                                                                   \
		if (!(cond))                                                   \
			dlc_internal_error(__FILE__, __LINE__, #cond);         \
	} while (0)
_Noreturn void dlc_internal_error(const char *file, int line, const char *what);

#endif
