/* The IR text printer. Its output parses back (ir/parse.c) into the same
 * graph, and printing that again gives identical text: the round-trip tests
 * rely on it. Layout:
 *
 *   graph @name(%x: f32[1,784]) -> (probs: f32[1,10]) {
 *     %w = const f32[784,10] @w           large payloads by reference
 *     %s = const i64[2] [1, -1]           small ones inline
 *     %y = gemm(%x, %w, _) {transB = 1} : f32[1,10]   # Gemm_0
 *     return %y
 *   }
 *   blobs { @w = "0x..." }                payloads, only when asked for
 */
#include <stdlib.h>
#include <string.h>

#include "dlc/ir.h"
#include "dlc/util.h"

enum { DEFAULT_INLINE_LIMIT = 16 };

struct printer {
	struct dlc_strbuf b;
	const struct dlc_graph *g;
	const struct dlc_print_opts *o;
	char **blob_names;    /* by constant index: its @name, NULL if inline */
};

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '$' ||
	       c == '-' || c == '/';
}

/* A double-quoted string with C escapes for the unprintable. */
static void put_quoted(struct dlc_strbuf *b, const char *s)
{
	dlc_sb_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			dlc_sb_printf(b, "\\%c", *p);
		else if (*p == '\n')
			dlc_sb_puts(b, "\\n");
		else if (*p == '\t')
			dlc_sb_puts(b, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			dlc_sb_printf(b, "\\x%02x", *p);
		else
			dlc_sb_putc(b, (char)*p);
	}
	dlc_sb_putc(b, '"');
}

/* sigil + name, quoted unless it is made of name characters only; without a
 * sigil (output names) only identifiers stay unquoted, and not the words
 * that read as numbers. */
static void put_name(struct dlc_strbuf *b, const char *sigil, const char *s)
{
	dlc_sb_puts(b, sigil);
	bool plain = *s != 0 && (*sigil || (strcmp(s, "nan") && strcmp(s, "inf")));
	for (const char *p = s; *p; p++)
		plain = plain && (*sigil ? is_name_char(*p)
					 : is_name_char(*p) && *p != '.' && *p != '$' &&
						   *p != '-' && *p != '/' &&
						   !(p == s && *p >= '0' && *p <= '9'));
	if (plain)
		dlc_sb_puts(b, s);
	else
		put_quoted(b, s);
}

static void put_type(struct printer *p, const struct dlc_type *t)
{
	if (t->dtype == DLC_DTYPE_UNKNOWN) {
		dlc_sb_putc(&p->b, '?');
		return;
	}
	char buf[DLC_TYPE_STR_MAX];
	dlc_sb_puts(&p->b, dlc_type_str(p->g, t, buf, sizeof buf));
}

static void put_float(struct dlc_strbuf *b, double v, int bits)
{
	char buf[64];
	dlc_format_float(buf, sizeof buf, v, bits);
	dlc_sb_puts(b, buf);
}

static void put_attr(struct printer *p, const struct dlc_attr *a)
{
	struct dlc_strbuf *b = &p->b;
	dlc_sb_printf(b, "%s = ", a->name);
	switch (a->kind) {
	case DLC_ATTR_INT:
		dlc_sb_printf(b, "%lld", (long long)a->u.i);
		break;
	case DLC_ATTR_FLOAT:
		put_float(b, a->u.f, 32);
		break;
	case DLC_ATTR_STRING:
		put_quoted(b, a->u.s);
		break;
	case DLC_ATTR_INTS:
	case DLC_ATTR_FLOATS:
	case DLC_ATTR_STRINGS:
		dlc_sb_putc(b, '[');
		for (int i = 0; i < a->n; i++) {
			if (i)
				dlc_sb_putc(b, ',');
			if (a->kind == DLC_ATTR_INTS)
				dlc_sb_printf(b, "%lld", (long long)a->u.ints[i]);
			else if (a->kind == DLC_ATTR_FLOATS)
				put_float(b, a->u.floats[i], 32);
			else
				put_quoted(b, a->u.strings[i]);
		}
		dlc_sb_putc(b, ']');
		break;
	}
}

/* One element of a constant payload, in the notation the parser reads. */
static void put_element(struct dlc_strbuf *b, enum dlc_dtype t,
			const void *data, int64_t i)
{
	switch (t) {
	case DLC_F32: put_float(b, ((const float *)data)[i], 32); break;
	case DLC_F64: put_float(b, ((const double *)data)[i], 64); break;
	case DLC_F16: put_float(b, dlc_f16_to_f32(((const uint16_t *)data)[i]), 16); break;
	case DLC_BF16: put_float(b, dlc_bf16_to_f32(((const uint16_t *)data)[i]), -16); break;
	case DLC_I8: dlc_sb_printf(b, "%d", ((const int8_t *)data)[i]); break;
	case DLC_U8: dlc_sb_printf(b, "%u", ((const uint8_t *)data)[i]); break;
	case DLC_I16: dlc_sb_printf(b, "%d", ((const int16_t *)data)[i]); break;
	case DLC_U16: dlc_sb_printf(b, "%u", ((const uint16_t *)data)[i]); break;
	case DLC_I32: dlc_sb_printf(b, "%d", ((const int32_t *)data)[i]); break;
	case DLC_U32: dlc_sb_printf(b, "%u", ((const uint32_t *)data)[i]); break;
	case DLC_I64: dlc_sb_printf(b, "%lld", (long long)((const int64_t *)data)[i]); break;
	case DLC_U64: dlc_sb_printf(b, "%llu", (unsigned long long)((const uint64_t *)data)[i]); break;
	case DLC_BOOL: dlc_sb_puts(b, ((const uint8_t *)data)[i] ? "true" : "false"); break;
	case DLC_I4:
	case DLC_I2: dlc_sb_printf(b, "%d", ((const int8_t *)data)[i]); break;
	case DLC_U4:
	case DLC_U2: dlc_sb_printf(b, "%u", ((const uint8_t *)data)[i]); break;
	case DLC_F8E8M0:
	case DLC_F8E4M3FN:
	case DLC_F8E4M3FNUZ:
	case DLC_F8E5M2:
	case DLC_F8E5M2FNUZ:
	case DLC_F4E2M1: /* exact in f32, so f32's shortest form reads back */
		put_float(b, dlc_minifloat_to_f64(t, ((const uint8_t *)data)[i]), 32);
		break;
	default: dlc_sb_putc(b, '?'); break;
	}
}

static bool prints_inline(const struct printer *p, const struct dlc_value *v)
{
	int limit = p->o && p->o->inline_limit ? p->o->inline_limit : DEFAULT_INLINE_LIMIT;
	int64_t n = dlc_type_numel(&v->type);
	return dlc_value_data(v) && n >= 0 && n <= limit;
}

/* The @name each constant printed by reference uses. The parser binds
 * payloads by name, so constants sharing a blob print one name, and
 * different blobs never do: a clash gets a suffix (@w.1). */
static void name_blobs(struct printer *p)
{
	const struct dlc_graph *g = p->g;
	struct dlc_strmap *taken = dlc_strmap_new(); /* name -> blob */
	struct dlc_strbuf b = {0};
	p->blob_names = dlc_xcalloc((size_t)g->nconsts + 1, sizeof *p->blob_names);
	for (int i = 0; i < g->nconsts; i++) {
		const struct dlc_value *v = g->consts[i];
		if (prints_inline(p, v))
			continue;
		for (int j = 0; j < i && !p->blob_names[i]; j++)
			if (p->blob_names[j] && g->consts[j]->blob == v->blob)
				p->blob_names[i] = dlc_xstrdup(p->blob_names[j]);
		if (p->blob_names[i])
			continue;
		const char *base = v->blob_name ? v->blob_name : v->name;
		b.len = 0;
		dlc_sb_puts(&b, base);
		for (int k = 1; dlc_strmap_get(taken, b.s, b.len); k++) {
			b.len = 0;
			dlc_sb_printf(&b, "%s.%d", base, k);
		}
		dlc_strmap_put(taken, b.s, b.len, v->blob);
		p->blob_names[i] = dlc_xstrdup(b.s);
	}
	dlc_sb_free(&b);
	dlc_strmap_free(taken);
}

static void put_const(struct printer *p, int index)
{
	const struct dlc_value *v = p->g->consts[index];
	struct dlc_strbuf *b = &p->b;
	dlc_sb_puts(b, "  ");
	put_name(b, "%", v->name);
	dlc_sb_puts(b, v->kind == DLC_VALUE_PARAM ? " = param " : " = const ");
	put_type(p, &v->type);
	dlc_sb_putc(b, ' ');
	if (prints_inline(p, v)) {
		int64_t n = dlc_type_numel(&v->type);
		dlc_sb_putc(b, '[');
		for (int64_t i = 0; i < n; i++) {
			if (i)
				dlc_sb_puts(b, ", ");
			put_element(b, v->type.dtype, dlc_value_data(v), i);
		}
		dlc_sb_putc(b, ']');
	} else {
		put_name(b, "@", p->blob_names[index]);
	}
	dlc_sb_putc(b, '\n');
}

static void put_source_name(struct dlc_strbuf *b, const char *name)
{
	size_t n = strlen(name);
	bool plain = n > 0 && name[0] != ' ' && name[0] != '"' && name[n - 1] != ' ';
	for (const char *q = name; *q; q++)
		plain = plain && (unsigned char)*q >= 0x20 && *q != 0x7f;
	dlc_sb_puts(b, "  # ");
	if (plain)
		dlc_sb_puts(b, name);
	else
		put_quoted(b, name);
}

static void put_node(struct printer *p, const struct dlc_node *n)
{
	struct dlc_strbuf *b = &p->b;
	dlc_sb_puts(b, "  ");
	for (int i = 0; i < n->noutputs; i++) {
		if (i)
			dlc_sb_puts(b, ", ");
		if (n->outputs[i])
			put_name(b, "%", n->outputs[i]->name);
		else
			dlc_sb_putc(b, '_');
	}
	dlc_sb_printf(b, " = %s(", dlc_op_info(n->op)->name);
	for (int i = 0; i < n->ninputs; i++) {
		if (i)
			dlc_sb_puts(b, ", ");
		if (n->inputs[i].value)
			put_name(b, "%", n->inputs[i].value->name);
		else
			dlc_sb_putc(b, '_');
	}
	dlc_sb_putc(b, ')');
	if (n->nattrs) {
		dlc_sb_puts(b, " {");
		for (int i = 0; i < n->nattrs; i++) {
			if (i)
				dlc_sb_puts(b, ", ");
			put_attr(p, &n->attrs[i]);
		}
		dlc_sb_putc(b, '}');
	}
	bool typed = false;
	for (int i = 0; i < n->noutputs; i++)
		typed = typed || (n->outputs[i] && n->outputs[i]->type.dtype != DLC_DTYPE_UNKNOWN);
	if (typed) {
		dlc_sb_puts(b, " : ");
		for (int i = 0, first = 1; i < n->noutputs; i++) {
			if (!n->outputs[i])
				continue;
			if (!first)
				dlc_sb_puts(b, ", ");
			first = 0;
			put_type(p, &n->outputs[i]->type);
		}
	}
	if (n->kernel >= 0)
		dlc_sb_printf(b, " [kernel %d]", n->kernel);
	if (n->name)
		put_source_name(b, n->name);
	dlc_sb_putc(b, '\n');
}

static void put_blobs(struct printer *p)
{
	struct dlc_strbuf *b = &p->b;
	bool any = false;
	for (int i = 0; i < p->g->nconsts; i++) {
		const struct dlc_value *v = p->g->consts[i];
		if (prints_inline(p, v) || !dlc_value_data(v))
			continue;
		/* constants may share a blob: print it once, at its first use */
		bool seen = false;
		for (int j = 0; j < i && !seen; j++)
			seen = p->g->consts[j]->blob == v->blob && p->blob_names[j];
		if (seen)
			continue;
		if (!any)
			dlc_sb_puts(b, "blobs {\n");
		any = true;
		dlc_sb_puts(b, "  ");
		put_name(b, "@", p->blob_names[i]);
		dlc_sb_puts(b, " = \"0x");
		const unsigned char *d = v->blob->data;
		for (size_t k = 0; k < v->blob->size; k++)
			dlc_sb_printf(b, "%02x", d[k]);
		dlc_sb_puts(b, "\"\n");
	}
	if (any)
		dlc_sb_puts(b, "}\n");
}

char *dlc_print_graph(const struct dlc_graph *g, const struct dlc_print_opts *o)
{
	struct printer p = {.g = g, .o = o};
	struct dlc_strbuf *b = &p.b;
	name_blobs(&p);
	dlc_sb_puts(b, "graph ");
	put_name(b, "@", g->name);
	dlc_sb_putc(b, '(');
	for (int i = 0; i < g->ninputs; i++) {
		if (i)
			dlc_sb_puts(b, ", ");
		put_name(b, "%", g->inputs[i]->name);
		dlc_sb_puts(b, ": ");
		put_type(&p, &g->inputs[i]->type);
	}
	dlc_sb_puts(b, ") -> (");
	for (int i = 0; i < g->noutputs; i++) {
		if (i)
			dlc_sb_puts(b, ", ");
		put_name(b, "", g->output_names[i]);
		dlc_sb_puts(b, ": ");
		put_type(&p, &g->outputs[i]->type);
	}
	dlc_sb_puts(b, ") {\n");
	for (int i = 0; i < g->nconsts; i++)
		put_const(&p, i);
	dlc_foreach_node(g, n)
		put_node(&p, n);
	dlc_sb_puts(b, "  return");
	for (int i = 0; i < g->noutputs; i++) {
		dlc_sb_puts(b, i ? ", " : " ");
		put_name(b, "%", g->outputs[i]->name);
	}
	dlc_sb_puts(b, "\n}\n");
	if (o && o->blobs)
		put_blobs(&p);
	for (int i = 0; i < g->nconsts; i++)
		free(p.blob_names[i]);
	free(p.blob_names);
	return dlc_sb_take(b);
}
