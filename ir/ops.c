/* The op table built from ir/ops.def, name lookups, and the parsed attribute
 * schemas that the verifier, the getters' defaults and --list-ops use. */
#include <stdlib.h>
#include <string.h>

#include "dlc/ir.h"
#include "dlc/util.h"
#include "ir/shape.h"

const struct dlc_op_info dlc_op_table[DLC_NUM_OPS] = {
#define DLC_OP(id, name, onnx, tf, inmin, inmax, outmin, outmax, shape, flags, attrs) \
	{name, onnx, tf, inmin, inmax, outmin, outmax, shape, flags, attrs},
#include "ir/ops.def"
#undef DLC_OP
};

enum dlc_op dlc_op_from_name(const char *name, unsigned long len)
{
	for (int i = 0; i < DLC_NUM_OPS; i++)
		if (strlen(dlc_op_table[i].name) == len &&
		    !memcmp(dlc_op_table[i].name, name, len))
			return (enum dlc_op)i;
	return DLC_OP_INVALID;
}

enum dlc_op dlc_op_from_onnx(const char *onnx_name)
{
	for (int i = 0; i < DLC_NUM_OPS; i++)
		if (dlc_op_table[i].onnx && !strcmp(dlc_op_table[i].onnx, onnx_name))
			return (enum dlc_op)i;
	return DLC_OP_INVALID;
}

/* ---- attribute schemas, parsed once from the table's strings ---- */

static struct {
	struct dlc_attr_spec *specs;
	int n;
	bool parsed;
} schema[DLC_NUM_OPS];

static int kind_from_text(const char *s, size_t n)
{
	for (int k = DLC_ATTR_INT; k <= DLC_ATTR_STRINGS; k++) {
		const char *kn = dlc_attr_kind_name((enum dlc_attr_kind)k);
		if (strlen(kn) == n && !memcmp(kn, s, n))
			return k;
	}
	return -1;
}

static void parse_schema(enum dlc_op op)
{
	const char *p = dlc_op_table[op].attrs;
	int count = *p ? 1 : 0;
	for (const char *q = p; *q; q++)
		count += *q == ',';
	struct dlc_attr_spec *specs = dlc_xcalloc((size_t)count + 1, sizeof *specs);
	for (int i = 0; i < count; i++) {
		const char *end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		const char *colon = memchr(p, ':', (size_t)(end - p));
		DLC_ASSERT(colon);
		const char *kind = colon + 1, *kend = kind;
		while (kend < end && *kend != '=' && *kend != '!')
			kend++;
		struct dlc_attr_spec *s = &specs[i];
		char *name = dlc_xmalloc((size_t)(colon - p) + 1);
		memcpy(name, p, (size_t)(colon - p));
		name[colon - p] = 0;
		s->name = name;
		s->kind = kind_from_text(kind, (size_t)(kend - kind));
		DLC_ASSERT(s->kind >= 0);
		const char *q = kend;
		if (*q == '=') {
			const char *dend = q + 1;
			while (dend < end && *dend != '!')
				dend++;
			char *def = dlc_xmalloc((size_t)(dend - q));
			memcpy(def, q + 1, (size_t)(dend - q - 1));
			def[dend - q - 1] = 0;
			s->has_default = true;
			s->default_text = def;
			q = dend;
		}
		s->required = q < end && *q == '!';
		p = *end ? end + 1 : end;
	}
	schema[op].specs = specs;
	schema[op].n = count;
	schema[op].parsed = true;
}

int dlc_op_attr_specs(enum dlc_op op, const struct dlc_attr_spec **out)
{
	DLC_ASSERT(op >= 0 && op < DLC_NUM_OPS);
	if (!schema[op].parsed)
		parse_schema(op);
	*out = schema[op].specs;
	return schema[op].n;
}

const struct dlc_attr_spec *dlc_op_attr_spec(enum dlc_op op, const char *name)
{
	const struct dlc_attr_spec *s;
	int n = dlc_op_attr_specs(op, &s);
	for (int i = 0; i < n; i++)
		if (!strcmp(s[i].name, name))
			return &s[i];
	return NULL;
}
