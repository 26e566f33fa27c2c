/* Diagnostics: formats "file:where: error: message" lines, counts them, and
 * writes them to a stream and/or a capture buffer. */
#include "dlc/diag.h"

#include <stdlib.h>
#include <string.h>

#include "dlc/ir.h"
#include "dlc/util.h"

void dlc_diag_init(struct dlc_diag *d, const char *file, FILE *out)
{
	memset(d, 0, sizeof *d);
	d->file = file;
	d->out = out;
}

void dlc_diag_free(struct dlc_diag *d)
{
	free(d->buf);
	d->buf = NULL;
	d->len = d->cap = 0;
}

static const char *sev_name[] = {"error", "warning", "note"};

void dlc_diag_vreport(struct dlc_diag *d, enum dlc_severity sev,
		      const char *where, const char *fmt, va_list ap)
{
	struct dlc_strbuf b = {0};
	if (d->file && *d->file)
		dlc_sb_printf(&b, "%s:", d->file);
	if (where && *where)
		dlc_sb_printf(&b, "%s:", where);
	if (b.len)
		dlc_sb_putc(&b, ' ');
	dlc_sb_printf(&b, "%s: ", sev_name[sev]);
	dlc_sb_vprintf(&b, fmt, ap);
	dlc_sb_putc(&b, '\n');
	if (d->out) {
		fputs(b.s, d->out);
		fflush(d->out);
	}
	/* keep a copy for tests and for tools that decorate messages */
	struct dlc_strbuf keep = {d->buf, d->len, d->cap};
	dlc_sb_putn(&keep, b.s, b.len);
	d->buf = keep.s;
	d->len = keep.len;
	d->cap = keep.cap;
	dlc_sb_free(&b);
	if (sev == DLC_SEV_ERROR)
		d->nerrors++;
	else if (sev == DLC_SEV_WARNING)
		d->nwarnings++;
}

#define REPORT(sev, where)                                                     \
	do {                                                                   \
		va_list ap;                                                    \
		va_start(ap, fmt);                                             \
		dlc_diag_vreport(d, sev, where, fmt, ap);                      \
		va_end(ap);                                                    \
	} while (0)

void dlc_error(struct dlc_diag *d, const char *fmt, ...)
{
	REPORT(DLC_SEV_ERROR, NULL);
}

void dlc_note(struct dlc_diag *d, const char *fmt, ...)
{
	REPORT(DLC_SEV_NOTE, NULL);
}

void dlc_error_where(struct dlc_diag *d, const char *where, const char *fmt, ...)
{
	REPORT(DLC_SEV_ERROR, where);
}

void dlc_error_at(struct dlc_diag *d, int line, int col, const char *fmt, ...)
{
	char where[64];
	snprintf(where, sizeof where, "%d:%d", line, col);
	REPORT(DLC_SEV_ERROR, where);
}

/* Text IR nodes are located by line:col, imported ones by source name. */
static void node_where(const struct dlc_node *n, char *buf, size_t size)
{
	if (!n)
		buf[0] = 0;
	else if (n->line > 0)
		snprintf(buf, size, "%d:%d", n->line, n->col);
	else if (n->name)
		snprintf(buf, size, "%s", n->name);
	else
		snprintf(buf, size, "%s#%d", dlc_op_info(n->op)->name, n->id);
}

void dlc_error_node(struct dlc_diag *d, const struct dlc_node *n,
		    const char *fmt, ...)
{
	char where[512];
	node_where(n, where, sizeof where);
	REPORT(DLC_SEV_ERROR, where);
}

void dlc_warning_node(struct dlc_diag *d, const struct dlc_node *n,
		      const char *fmt, ...)
{
	char where[512];
	node_where(n, where, sizeof where);
	REPORT(DLC_SEV_WARNING, where);
}

_Noreturn void dlc_internal_error(const char *file, int line, const char *what)
{
	fprintf(stderr, "dlc: internal error: %s:%d: %s\n", file, line, what);
	fflush(stderr);
	abort();
}
