/* cse: common subexpression elimination. Two nodes compute the same value
 * when they have the same op, the same operands (in either order for
 * commutative ops) and the same attributes; the later one is replaced by the
 * earlier. Constants with the same type and bytes are merged first, so
 * nodes fed by duplicate weights merge too. Nodes are visited in order, so an
 * operand is always canonical before its users are keyed. */
#include <stdlib.h>
#include <string.h>

#include "dlc/ir.h"
#include "dlc/pass.h"
#include "dlc/util.h"

/* Key: op, operand ids, then attributes with floats as bit patterns. */
static void node_key(const struct dlc_node *n, struct dlc_strbuf *b)
{
	b->len = 0;
	dlc_sb_printf(b, "%d|%d|", (int)n->op, n->noutputs);
	int ids[2] = {-1, -1};
	bool swap = (dlc_op_info(n->op)->flags & DLC_OPF_COMMUTATIVE) && n->ninputs == 2;
	for (int i = 0; i < n->ninputs; i++) {
		int id = n->inputs[i].value ? n->inputs[i].value->id : -1;
		if (swap)
			ids[i] = id;
		else
			dlc_sb_printf(b, "%d,", id);
	}
	if (swap)
		dlc_sb_printf(b, "%d,%d,", ids[0] < ids[1] ? ids[0] : ids[1],
			      ids[0] < ids[1] ? ids[1] : ids[0]);
	for (int i = 0; i < n->nattrs; i++) {
		const struct dlc_attr *a = &n->attrs[i];
		uint32_t bits;
		dlc_sb_printf(b, "|%s:%d:", a->name, (int)a->kind);
		switch (a->kind) {
		case DLC_ATTR_INT: dlc_sb_printf(b, "%lld", (long long)a->u.i); break;
		case DLC_ATTR_FLOAT:
			memcpy(&bits, &a->u.f, 4);
			dlc_sb_printf(b, "%x", bits);
			break;
		case DLC_ATTR_STRING: dlc_sb_printf(b, "%zu:%s", strlen(a->u.s), a->u.s); break;
		case DLC_ATTR_INTS:
			for (int k = 0; k < a->n; k++)
				dlc_sb_printf(b, "%lld,", (long long)a->u.ints[k]);
			break;
		case DLC_ATTR_FLOATS:
			for (int k = 0; k < a->n; k++) {
				memcpy(&bits, &a->u.floats[k], 4);
				dlc_sb_printf(b, "%x,", bits);
			}
			break;
		case DLC_ATTR_STRINGS:
			for (int k = 0; k < a->n; k++)
				dlc_sb_printf(b, "%zu:%s,", strlen(a->u.strings[k]), a->u.strings[k]);
			break;
		}
	}
}

static bool same_const(const struct dlc_value *a, const struct dlc_value *b)
{
	if (a->kind != b->kind || !dlc_type_equal(&a->type, &b->type))
		return false;
	if (a->blob == b->blob)
		return true;
	return a->blob->data && b->blob->data && a->blob->size == b->blob->size &&
	       !memcmp(a->blob->data, b->blob->data, a->blob->size);
}

/* Parameters are state that training updates: never merged. */
static void merge_consts(struct dlc_graph *g)
{
	struct dlc_strmap *seen = dlc_strmap_new();
	struct dlc_strbuf key = {0};
	for (int i = 0; i < g->nconsts; i++) {
		struct dlc_value *v = g->consts[i];
		if (v->kind != DLC_VALUE_CONST)
			continue;
		/* bucket by type and a sample of the bytes, then compare fully */
		uint64_t h = 1469598103934665603ull;
		const unsigned char *d = v->blob->data;
		for (size_t k = 0; d && k < v->blob->size; k++)
			h = (h ^ d[k]) * 1099511628211ull;
		key.len = 0;
		char tbuf[DLC_TYPE_STR_MAX];
		dlc_sb_printf(&key, "%s|%llx|%p", dlc_type_str(NULL, &v->type, tbuf, sizeof tbuf),
			      (unsigned long long)h, d ? NULL : (void *)v->blob);
		struct dlc_value *w = dlc_strmap_get(seen, key.s, key.len);
		if (!w) {
			dlc_strmap_put(seen, key.s, key.len, v);
		} else if (same_const(w, v)) {
			dlc_value_replace_uses(g, v, w);
			dlc_graph_remove_const(g, v);
			i--;
		}
	}
	dlc_sb_free(&key);
	dlc_strmap_free(seen);
}

int pass_cse(struct dlc_graph *g, struct dlc_pass_ctx *ctx)
{
	(void)ctx;
	merge_consts(g);
	struct dlc_strmap *seen = dlc_strmap_new();
	struct dlc_strbuf key = {0};
	dlc_foreach_node_safe(g, n, tmp) {
		node_key(n, &key);
		struct dlc_node *prev = dlc_strmap_get(seen, key.s, key.len);
		if (!prev) {
			dlc_strmap_put(seen, key.s, key.len, n);
			continue;
		}
		/* the earlier node must provide every result this one's users need */
		bool ok = true;
		for (int i = 0; i < n->noutputs; i++)
			if (n->outputs[i] && dlc_value_is_used(n->outputs[i]) && !prev->outputs[i])
				ok = false;
		if (!ok)
			continue;
		for (int i = 0; i < n->noutputs; i++) {
			struct dlc_value *from = n->outputs[i], *to = prev->outputs[i];
			if (!from || !to)
				continue;
			/* the same value: keep the type if only the later one had
			 * it (declared in the text or the graph's signature) */
			if (!dlc_type_is_known(&to->type) && dlc_type_is_known(&from->type))
				to->type = from->type;
			dlc_value_replace_uses(g, from, to);
		}
		dlc_node_remove(g, n);
	}
	dlc_sb_free(&key);
	dlc_strmap_free(seen);
	return 0;
}
