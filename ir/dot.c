/* Graphviz output (--emit=dot): one box per node labelled with its op,
 * source name and result type; graph inputs and outputs as ellipses;
 * constants are left out (they are the nodes' weights, not data flow).
 * The members of a fused kernel are drawn inside one cluster labelled
 * "kernel N". */
#include <string.h>

#include "dlc/ir.h"
#include "dlc/util.h"

/* A dot string literal body: quotes and backslashes escaped. */
static void put_escaped(struct dlc_strbuf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			dlc_sb_putc(b, '\\');
		if ((unsigned char)*s >= 0x20)
			dlc_sb_putc(b, *s);
	}
}

static void edge(struct dlc_strbuf *b, const struct dlc_value *v, int node_id)
{
	if (v->kind == DLC_VALUE_INPUT)
		dlc_sb_printf(b, "  v%d -> n%d;\n", v->id, node_id);
	else if (v->kind == DLC_VALUE_NODE)
		dlc_sb_printf(b, "  n%d -> n%d;\n", v->producer->id, node_id);
}

char *dlc_print_dot(const struct dlc_graph *g)
{
	struct dlc_strbuf b = {0};
	char t[DLC_TYPE_STR_MAX];
	dlc_sb_puts(&b, "digraph \"");
	put_escaped(&b, g->name);
	dlc_sb_puts(&b, "\" {\n  node [fontname=\"monospace\", fontsize=10];\n");
	for (int i = 0; i < g->ninputs; i++) {
		dlc_sb_printf(&b, "  v%d [shape=ellipse, label=\"", g->inputs[i]->id);
		put_escaped(&b, g->inputs[i]->name);
		dlc_sb_printf(&b, "\\n%s\"];\n", dlc_type_str(g, &g->inputs[i]->type, t, sizeof t));
	}
	dlc_foreach_node(g, n) {
		bool opens = n->kernel >= 0 && (!n->prev || n->prev->kernel != n->kernel);
		bool closes = n->kernel >= 0 && (!n->next || n->next->kernel != n->kernel);
		if (opens)
			dlc_sb_printf(&b, "  subgraph cluster_k%d {\n  label=\"kernel %d\"; style=rounded; color=blue;\n",
				      n->kernel, n->kernel);
		dlc_sb_printf(&b, "  n%d [shape=box, label=\"%s", n->id, dlc_op_info(n->op)->name);
		if (n->name) {
			dlc_sb_puts(&b, "\\n");
			put_escaped(&b, n->name);
		}
		for (int i = 0; i < n->noutputs; i++)
			if (n->outputs[i])
				dlc_sb_printf(&b, "\\n%s", dlc_type_str(g, &n->outputs[i]->type, t, sizeof t));
		dlc_sb_puts(&b, "\"];\n");
		for (int i = 0; i < n->ninputs; i++)
			if (n->inputs[i].value)
				edge(&b, n->inputs[i].value, n->id);
		if (closes)
			dlc_sb_puts(&b, "  }\n");
	}
	for (int i = 0; i < g->noutputs; i++) {
		const struct dlc_value *v = g->outputs[i];
		dlc_sb_printf(&b, "  out%d [shape=ellipse, label=\"", i);
		put_escaped(&b, g->output_names[i]);
		dlc_sb_puts(&b, "\"];\n");
		if (v->kind == DLC_VALUE_NODE)
			dlc_sb_printf(&b, "  n%d -> out%d;\n", v->producer->id, i);
		else if (v->kind == DLC_VALUE_INPUT)
			dlc_sb_printf(&b, "  v%d -> out%d;\n", v->id, i);
	}
	dlc_sb_puts(&b, "}\n");
	return dlc_sb_take(&b);
}
