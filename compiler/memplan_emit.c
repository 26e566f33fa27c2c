/* --emit=memplan and --emit=memplan-svg: the memory plan for people. */
#include <stdio.h>
#include <string.h>

#include "dlc/memplan.h"
#include "dlc/util.h"

static void summary(struct dlc_strbuf *b, const struct dlc_memplan_report *r)
{
	double lb = r->lower_bound ? (double)r->planned / (double)r->lower_bound : 1.0;
	dlc_sb_printf(b, "planned %lld bytes, naive %lld bytes, lower bound %lld bytes (planned/lower = %.3f), %d buffers\n",
		      (long long)r->planned, (long long)r->naive, (long long)r->lower_bound, lb,
		      r->nbufs);
}

char *dlc_memplan_text(const struct dlc_graph *g, const struct dlc_memplan_report *r)
{
	struct dlc_strbuf b = {0};
	char t[DLC_TYPE_STR_MAX];
	dlc_sb_printf(&b, "// memory plan of @%s\n// ", g->name);
	summary(&b, r);
	dlc_sb_printf(&b, "// %-10s %-10s %-11s %s\n", "offset", "bytes", "live", "value");
	for (int i = 0; i < r->nbufs; i++) {
		const struct dlc_buffer *x = &r->bufs[i];
		char live[32];
		snprintf(live, sizeof live, "%d-%d", x->first, x->last);
		if (!x->v) {
			dlc_sb_printf(&b, "   %-10lld %-10lld %-11s scratch of %s\n", (long long)x->offset,
				      (long long)x->size, live,
				      x->scratch_of->name ? x->scratch_of->name : dlc_op_info(x->scratch_of->op)->name);
			continue;
		}
		dlc_sb_printf(&b, "   %-10lld %-10lld %-11s %%%s : %s%s\n", (long long)x->offset,
			      (long long)x->size, live, x->v->name,
			      dlc_type_str(g, &x->v->type, t, sizeof t), x->group >= 0 ? " (in place)" : "");
	}
	return dlc_sb_take(&b);
}

/* Escapes text for an SVG element. */
static void put_xml(struct dlc_strbuf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			dlc_sb_puts(b, "&lt;");
		else if (*s == '>')
			dlc_sb_puts(b, "&gt;");
		else if (*s == '&')
			dlc_sb_puts(b, "&amp;");
		else if (*s == '"')
			dlc_sb_puts(b, "&quot;");
		else if ((unsigned char)*s >= 0x20)
			dlc_sb_putc(b, *s);
	}
}

char *dlc_memplan_svg(const struct dlc_graph *g, const struct dlc_memplan_report *r)
{
	struct dlc_strbuf b = {0};
	const double W = 900, H = 500, left = 60, top = 40;
	double sx = (W - left - 20) / (r->nsteps ? r->nsteps : 1);
	double sy = (H - top - 30) / (double)(r->planned ? r->planned : 1);
	dlc_sb_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" font-family=\"monospace\" font-size=\"11\">\n",
		      W, H);
	dlc_sb_puts(&b, "<text x=\"10\" y=\"16\">");
	put_xml(&b, g->name);
	dlc_sb_puts(&b, ": ");
	struct dlc_strbuf s = {0};
	summary(&s, r);
	s.s[s.len - 1] = 0;
	put_xml(&b, s.s);
	dlc_sb_free(&s);
	dlc_sb_puts(&b, "</text>\n");
	dlc_sb_printf(&b, "<text x=\"10\" y=\"%.0f\">offset</text><text x=\"%.0f\" y=\"%.0f\">step</text>\n",
		      top, W - 50, H - 8);
	dlc_sb_printf(&b, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#888\"/>\n",
		      left, top, sx * r->nsteps, sy * (double)r->planned);
	for (int i = 0; i < r->nbufs; i++) {
		const struct dlc_buffer *x = &r->bufs[i];
		unsigned hue = (unsigned)(i * 47 % 360);
		dlc_sb_printf(&b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"hsl(%u,60%%,70%%)\" stroke=\"#333\" stroke-width=\"0.5\"><title>",
			      left + sx * (x->first - 1), top + sy * (double)x->offset,
			      sx * (x->last - x->first + 1), sy * (double)x->size > 0.5 ? sy * (double)x->size : 0.5,
			      hue);
		if (x->v) {
			put_xml(&b, x->v->name);
		} else {
			dlc_sb_puts(&b, "scratch of ");
			put_xml(&b, x->scratch_of->name ? x->scratch_of->name : dlc_op_info(x->scratch_of->op)->name);
		}
		dlc_sb_printf(&b, ": %lld bytes at %lld, steps %d-%d</title></rect>\n",
			      (long long)x->size, (long long)x->offset, x->first, x->last);
	}
	dlc_sb_puts(&b, "</svg>\n");
	return dlc_sb_take(&b);
}
