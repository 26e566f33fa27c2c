/* Unit tests of the text form that the command line cannot reach: attribute
 * kinds no op uses yet (floats, strings), the parser's errors on text that
 * dlc-opt would not take for IR, and printing graphs built with the API
 * (blobs shared under different names). */
#include <stdlib.h>
#include <string.h>

#include "dlc/diag.h"
#include "dlc/ir.h"
#include "unit.h"

static struct dlc_graph *parse(const char *text, struct dlc_diag *d)
{
	dlc_diag_init(d, "t", NULL);
	return dlc_parse_graph(text, strlen(text), d);
}

/* print(parse(print(g))) == print(g); returns the first print. */
static char *round_trip(const struct dlc_graph *g, bool *same)
{
	struct dlc_print_opts po = {.blobs = true};
	char *t1 = dlc_print_graph(g, &po);
	struct dlc_diag d;
	struct dlc_graph *g2 = parse(t1, &d);
	*same = false;
	if (g2) {
		char *t2 = dlc_print_graph(g2, &po);
		*same = !strcmp(t1, t2);
		free(t2);
		dlc_graph_free(g2);
	}
	dlc_diag_free(&d);
	return t1;
}

TEST(text_attr_kinds_round_trip)
{
	struct dlc_graph *g = dlc_graph_new("attrs");
	int64_t dims[1] = {2};
	struct dlc_value *x = dlc_graph_add_input(g, "x", dlc_type_make(DLC_F32, 1, dims));
	struct dlc_node *n = dlc_node_new(g, DLC_OP_RELU, NULL, 1, &x, 1);
	dlc_node_append(g, n);
	const float fl[3] = {0.5f, -1e-5f, 3.0f};
	const char *strs[3] = {"a", "b \"c\"", "tab\there"};
	const int64_t ints[2] = {-1, 9};
	dlc_node_set_floats(n, "fs", 3, fl);
	dlc_node_set_strings(n, "ss", 3, strs);
	dlc_node_set_ints(n, "is", 2, ints);
	dlc_node_set_ints(n, "empty", 0, NULL);
	dlc_node_set_float(n, "f", 2.0f);
	dlc_node_set_string(n, "s", "");
	dlc_node_set_int(n, "i", 7);
	dlc_graph_add_output(g, n->outputs[0], "y");
	bool same;
	char *text = round_trip(g, &same);
	CHECK(same);
	CHECK(strstr(text, "{empty = [], f = 2.0, fs = [0.5,-1e-05,3.0], i = 7, is = [-1,9], "
			   "s = \"\", ss = [\"a\",\"b \\\"c\\\"\",\"tab\\there\"]}"));
	/* the parsed kinds are the built ones */
	struct dlc_diag d;
	struct dlc_graph *g2 = parse(text, &d);
	REQUIRE(g2 && g2->first);
	const struct dlc_attr *a = dlc_node_attr(g2->first, "fs");
	CHECK(a && a->kind == DLC_ATTR_FLOATS && a->n == 3 && a->u.floats[1] == -1e-5f);
	a = dlc_node_attr(g2->first, "ss");
	CHECK(a && a->kind == DLC_ATTR_STRINGS && a->n == 3 && !strcmp(a->u.strings[1], "b \"c\""));
	a = dlc_node_attr(g2->first, "f");
	CHECK(a && a->kind == DLC_ATTR_FLOAT && a->u.f == 2.0f);
	dlc_graph_free(g2);
	dlc_diag_free(&d);
	free(text);
	dlc_graph_free(g);
}

TEST(text_parse_needs_graph_keyword)
{
	struct dlc_diag d;
	struct dlc_graph *g = parse("grph @g() -> () {\n  return\n}\n", &d);
	CHECK(!g);
	CHECK(d.buf && strstr(d.buf, "t:1:1: error: expected 'graph'"));
	dlc_diag_free(&d);
}

/* Constants built with the API may share a blob under different names: the
 * printer must name the blob once, so that both get the payload back. */
TEST(text_shared_blob_prints_one_name)
{
	struct dlc_graph *g = dlc_graph_new("shared");
	int64_t dims[1] = {20};
	struct dlc_type t = dlc_type_make(DLC_F32, 1, dims);
	struct dlc_blob *b = dlc_blob_new(20 * sizeof(float));
	REQUIRE(b);
	for (int i = 0; i < 20; i++)
		((float *)b->data)[i] = (float)i;
	struct dlc_value *v = dlc_graph_add_const(g, "v", t, b);
	struct dlc_value *w = dlc_graph_add_const(g, "w", t, dlc_blob_ref(b));
	dlc_graph_add_output(g, v, "a");
	dlc_graph_add_output(g, w, "b");
	bool same;
	char *text = round_trip(g, &same);
	CHECK(same);
	CHECK(strstr(text, "%v = const f32[20] @v\n  %w = const f32[20] @v\n"));
	struct dlc_diag d;
	struct dlc_graph *g2 = parse(text, &d);
	REQUIRE(g2 && g2->nconsts == 2);
	CHECK(dlc_value_data(g2->consts[0]) && dlc_value_data(g2->consts[1]));
	CHECK(g2->consts[0]->blob == g2->consts[1]->blob);
	dlc_graph_free(g2);
	dlc_diag_free(&d);
	free(text);
	dlc_graph_free(g);
}

/* Different blobs under one name (a value renamed after import, say) get
 * distinct names in print. */
TEST(text_blob_name_clash_is_renamed)
{
	struct dlc_graph *g = dlc_graph_new("clash");
	int64_t dims[1] = {17};
	struct dlc_type t = dlc_type_make(DLC_U8, 1, dims);
	struct dlc_blob *b1 = dlc_blob_new(17), *b2 = dlc_blob_new(17);
	REQUIRE(b1 && b2);
	memset(b1->data, 1, 17);
	memset(b2->data, 2, 17);
	struct dlc_value *v = dlc_graph_add_const(g, "v", t, b1);
	struct dlc_value *w = dlc_graph_add_const(g, "w", t, b2);
	w->blob_name = v->blob_name;
	dlc_graph_add_output(g, v, "a");
	dlc_graph_add_output(g, w, "b");
	bool same;
	char *text = round_trip(g, &same);
	CHECK(same);
	CHECK(strstr(text, "@v = \"0x0101"));
	CHECK(strstr(text, "@v.1 = \"0x0202"));
	free(text);
	dlc_graph_free(g);
}
