/* Unit tests of the IR API: construction, use lists, attributes, types,
 * printing and parsing, verification of hand-broken graphs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/pass.h"
#include "dlc/util.h"
#include "unit.h"

static struct dlc_type f32(int rank, int64_t d0, int64_t d1)
{
	int64_t dims[2] = {d0, d1};
	return dlc_type_make(DLC_F32, rank, dims);
}

/* x -> relu -> add(relu, relu) */
static struct dlc_graph *small_graph(struct dlc_node **relu, struct dlc_node **add)
{
	struct dlc_graph *g = dlc_graph_new("small");
	struct dlc_value *x = dlc_graph_add_input(g, "x", f32(2, 2, 3));
	*relu = dlc_node_new(g, DLC_OP_RELU, "Relu_0", 1, &x, 1);
	dlc_node_append(g, *relu);
	struct dlc_value *r = (*relu)->outputs[0];
	struct dlc_value *ops[2] = {r, r};
	*add = dlc_node_new(g, DLC_OP_ADD, "Add_1", 2, ops, 1);
	dlc_node_append(g, *add);
	dlc_graph_add_output(g, (*add)->outputs[0], "y");
	return g;
}

TEST(graph_use_lists)
{
	struct dlc_node *relu, *add;
	struct dlc_graph *g = small_graph(&relu, &add);
	struct dlc_value *r = relu->outputs[0];
	CHECK(r->nuses == 2);
	CHECK(g->inputs[0]->nuses == 1);
	CHECK(add->outputs[0]->noutputs == 1);
	CHECK(g->nnodes == 2);
	/* replace one operand: the use moves lists */
	dlc_node_set_input(add, 1, g->inputs[0]);
	CHECK(r->nuses == 1);
	CHECK(g->inputs[0]->nuses == 2);
	struct dlc_diag d;
	dlc_diag_init(&d, "t", NULL);
	CHECK(dlc_verify(g, &d) == 0);
	dlc_diag_free(&d);
	dlc_graph_free(g);
}

TEST(graph_replace_uses_moves_outputs)
{
	struct dlc_node *relu, *add;
	struct dlc_graph *g = small_graph(&relu, &add);
	dlc_value_replace_uses(g, add->outputs[0], relu->outputs[0]);
	CHECK(g->outputs[0] == relu->outputs[0]);
	CHECK(!strcmp(g->output_names[0], "y")); /* the API name survives */
	CHECK(!dlc_value_is_used(add->outputs[0]));
	dlc_node_remove(g, add);
	CHECK(g->nnodes == 1 && g->last == relu);
	CHECK(relu->outputs[0]->nuses == 0 && relu->outputs[0]->noutputs == 1);
	dlc_graph_free(g);
}

TEST(graph_unique_names)
{
	struct dlc_graph *g = dlc_graph_new("n");
	struct dlc_value *a = dlc_graph_add_input(g, "x", f32(1, 4, 0));
	struct dlc_value *b = dlc_graph_add_input(g, "x", f32(1, 4, 0));
	CHECK(strcmp(a->name, b->name) != 0);
	CHECK(dlc_graph_find(g, "x") == a);
	CHECK(dlc_graph_find(g, b->name) == b);
	CHECK(dlc_value_rename(g, b, "x") == -1);
	CHECK(dlc_value_rename(g, b, "z") == 0 && dlc_graph_find(g, "z") == b);
	dlc_graph_free(g);
}

TEST(attrs_sorted_and_defaults)
{
	struct dlc_graph *g = dlc_graph_new("a");
	struct dlc_node *n = dlc_node_new(g, DLC_OP_CONV, "c", 0, NULL, 1);
	int64_t s[2] = {2, 2};
	dlc_node_set_ints(n, "strides", 2, s);
	dlc_node_set_int(n, "group", 4);
	dlc_node_set_string(n, "auto_pad", "VALID");
	CHECK(n->nattrs == 3);
	CHECK(!strcmp(n->attrs[0].name, "auto_pad"));
	CHECK(!strcmp(n->attrs[1].name, "group"));
	CHECK(!strcmp(n->attrs[2].name, "strides"));
	dlc_node_set_int(n, "group", 2); /* replaces */
	CHECK(n->nattrs == 3 && dlc_node_int(n, "group") == 2);
	const int64_t *v;
	CHECK(dlc_node_ints(n, "strides", &v) == 2 && v[1] == 2);
	CHECK(dlc_node_ints(n, "pads", &v) == -1);
	struct dlc_node *p = dlc_node_new(g, DLC_OP_GEMM, NULL, 0, NULL, 1);
	CHECK(dlc_node_float(p, "alpha") == 1.0f); /* from ops.def */
	CHECK(dlc_node_int(p, "transB") == 0);
	struct dlc_node *b = dlc_node_new(g, DLC_OP_BATCH_NORM, NULL, 0, NULL, 1);
	CHECK(dlc_node_float(b, "epsilon") == 1e-05f);
	dlc_graph_free(g);
}

TEST(type_numel_overflow)
{
	int64_t dims[4] = {1 << 20, 1 << 20, 1 << 20, 2};
	struct dlc_type t = dlc_type_make(DLC_F32, 4, dims);
	CHECK(dlc_type_numel(&t) == -1);
	struct dlc_type u = f32(2, 3, 4);
	CHECK(dlc_type_numel(&u) == 12 && dlc_type_nbytes(&u) == 48);
	struct dlc_type s = f32(2, -2, 4);
	CHECK(!dlc_type_is_static(&s) && dlc_type_numel(&s) == -1);
	struct dlc_type scalar = dlc_type_make(DLC_I64, 0, NULL);
	CHECK(dlc_type_numel(&scalar) == 1);
}

TEST(half_conversions)
{
	float vals[] = {0.0f, 1.0f, -2.5f, 65504.0f, 6.1035156e-05f, 5.9604645e-08f, 0.333251953125f};
	for (unsigned i = 0; i < sizeof vals / sizeof *vals; i++)
		CHECK(dlc_f16_to_f32(dlc_f32_to_f16(vals[i])) == vals[i]);
	CHECK(dlc_f32_to_f16(1.0f) == 0x3c00);
	CHECK(dlc_f32_to_f16(70000.0f) == 0x7c00);
	CHECK(isnan(dlc_f16_to_f32(dlc_f32_to_f16(NAN))));
	CHECK(dlc_f32_to_f16(1.0f + 1.0f / 2048) == 0x3c00); /* tie to even */
	CHECK(dlc_f32_to_bf16(1.0f) == 0x3f80);
	CHECK(dlc_bf16_to_f32(dlc_f32_to_bf16(3.140625f)) == 3.140625f);
}

TEST(format_float_shortest)
{
	char b[64];
	dlc_format_float(b, sizeof b, 0.1f, 32);
	CHECK(!strcmp(b, "0.1"));
	dlc_format_float(b, sizeof b, 1.0, 32);
	CHECK(!strcmp(b, "1.0"));
	dlc_format_float(b, sizeof b, 1e-05f, 32);
	CHECK(!strcmp(b, "1e-05"));
	dlc_format_float(b, sizeof b, -INFINITY, 32);
	CHECK(!strcmp(b, "-inf"));
	dlc_format_float(b, sizeof b, 0.1, 64);
	CHECK(strtod(b, NULL) == 0.1);
	dlc_format_float(b, sizeof b, 0.333251953125, 16);
	CHECK(!strcmp(b, "0.3333"));
}

TEST(strmap_basic)
{
	struct dlc_strmap *m = dlc_strmap_new();
	char key[32];
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof key, "k%d", i);
		dlc_strmap_put(m, key, strlen(key), (void *)(intptr_t)(i + 1));
	}
	for (int i = 0; i < 1000; i += 2) {
		snprintf(key, sizeof key, "k%d", i);
		CHECK(dlc_strmap_del(m, key, strlen(key)));
	}
	int ok = 1;
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof key, "k%d", i);
		intptr_t v = (intptr_t)dlc_strmap_get(m, key, strlen(key));
		ok &= (i % 2) ? v == i + 1 : v == 0;
	}
	CHECK(ok);
	dlc_strmap_free(m);
}

TEST(print_parse_round_trip_with_blobs)
{
	struct dlc_graph *g = dlc_graph_new("rt");
	struct dlc_value *x = dlc_graph_add_input(g, "x", f32(2, 1, 32));
	struct dlc_blob *b = dlc_blob_new(32 * 4 * sizeof(float));
	for (int i = 0; i < 128; i++)
		((float *)b->data)[i] = (float)i / 7.0f;
	struct dlc_value *w = dlc_graph_add_const(g, "w", f32(2, 32, 4), b);
	struct dlc_value *ops[2] = {x, w};
	struct dlc_node *n = dlc_node_new(g, DLC_OP_MATMUL, "MatMul_0", 2, ops, 1);
	dlc_node_append(g, n);
	dlc_graph_add_output(g, n->outputs[0], "out");
	struct dlc_diag d;
	dlc_diag_init(&d, "t", NULL);
	struct dlc_pass_ctx ctx = {.diag = &d};
	REQUIRE(pass_shape_infer(g, &ctx) == 0);
	struct dlc_print_opts po = {.blobs = true};
	char *t1 = dlc_print_graph(g, &po);
	struct dlc_graph *g2 = dlc_parse_graph(t1, strlen(t1), &d);
	REQUIRE(g2);
	CHECK(dlc_verify(g2, &d) == 0);
	char *t2 = dlc_print_graph(g2, &po);
	CHECK(!strcmp(t1, t2));
	struct dlc_value *w2 = dlc_graph_find(g2, "w");
	REQUIRE(w2 && dlc_value_data(w2));
	CHECK(!memcmp(dlc_value_data(w2), b->data, b->size)); /* bit exact */
	CHECK(d.nerrors == 0);
	free(t1);
	free(t2);
	dlc_graph_free(g);
	dlc_graph_free(g2);
	dlc_diag_free(&d);
}

TEST(verify_catches_broken_use_list)
{
	struct dlc_node *relu, *add;
	struct dlc_graph *g = small_graph(&relu, &add);
	relu->outputs[0]->nuses = 5; /* corrupt the count */
	struct dlc_diag d;
	dlc_diag_init(&d, "t", NULL);
	CHECK(dlc_verify(g, &d) < 0);
	CHECK(d.buf && strstr(d.buf, "counts 5 uses but lists 2"));
	dlc_diag_free(&d);
	dlc_graph_free(g);
}

TEST(verify_catches_order_violation)
{
	struct dlc_node *relu, *add;
	struct dlc_graph *g = small_graph(&relu, &add);
	/* move add before relu by hand */
	g->first = add;
	add->prev = NULL;
	add->next = relu;
	relu->prev = add;
	relu->next = NULL;
	g->last = relu;
	struct dlc_diag d;
	dlc_diag_init(&d, "t", NULL);
	CHECK(dlc_verify(g, &d) < 0);
	CHECK(d.buf && strstr(d.buf, "used before its definition"));
	dlc_diag_free(&d);
	dlc_graph_free(g);
}

TEST(diag_format)
{
	struct dlc_diag d;
	dlc_diag_init(&d, "model.onnx", NULL);
	struct dlc_graph *g = dlc_graph_new("g");
	struct dlc_node *n = dlc_node_new(g, DLC_OP_CONV, "Conv_3", 0, NULL, 1);
	dlc_error_node(&d, n, "weight has 3 dims, Conv expects 4");
	CHECK(!strcmp(d.buf, "model.onnx:Conv_3: error: weight has 3 dims, Conv expects 4\n"));
	CHECK(d.nerrors == 1);
	dlc_graph_free(g);
	dlc_diag_free(&d);
}
