/* dlc-run: compile, build, run, compare, time.
 *
 *   dlc-run DIR [--target=c] [-O2] [--bench=N] [--rtol=R --atol=A] [--keep]
 *
 * DIR holds model.onnx (or model.pb) and test_data_set_N directories of
 * input_K.pb, output_K.pb (ONNX TensorProto files, the ONNX backend-test
 * layout). The model is compiled with dlc's library, built with the system
 * C compiler (CC, default cc; DLC_CFLAGS adds flags) together with a
 * generated harness, and run on every data set. One line per output:
 *   PASS|FAIL <set>/<output> max_abs=... max_rel=...
 * Exit status 0 only if every output passes. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dlc/codegen.h"
#include "dlc/compiler.h"
#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/onnx.h"
#include "dlc/util.h"
#include "tools/cli.h"

struct opts {
	const char *dir, *target;
	enum dlc_weights_mode weights;
	int opt_level, bench;
	double rtol, atol;
	bool keep;
	struct dlc_kernel_opts kernels;
};

/* ---- files and processes ---- */

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static char *path_join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = dlc_xmalloc(n);
	snprintf(p, n, "%s/%s", a, b);
	return p;
}

static int write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t w = fwrite(data, 1, len, f);
	return fclose(f) == 0 && w == len ? 0 : -1;
}

/* Runs argv, with stdout to out_path if given; returns the exit status. */
static int run_process(char *const *argv, const char *out_path)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (out_path && !freopen(out_path, "w", stdout))
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	int st;
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *p = path_join(dir, e->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			remove_tree(p);
		else
			unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(dir);
}

/* The directory holding this executable, to find ../lib and ../include. */
static char *self_dir(void)
{
	char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n <= 0)
		return dlc_xstrdup(".");
	buf[n] = 0;
	char *slash = strrchr(buf, '/');
	if (slash)
		*slash = 0;
	return dlc_xstrdup(buf);
}

/* ---- data sets ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of DIR's test_data_set_* subdirectories. */
static char **list_sets(const char *dir, int *count)
{
	char **v = NULL;
	int n = 0, cap = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, "test_data_set_", 14))
			continue;
		DLC_GROW(v, cap, n + 1);
		v[n++] = dlc_xstrdup(e->d_name);
	}
	if (d)
		closedir(d);
	if (n)
		qsort(v, (size_t)n, sizeof *v, cmp_str);
	*count = n;
	return v;
}

/* Reads DIR/SET/<kind>_<k>.pb for k = 0, 1, ... */
static struct dlc_tensor *read_tensors(const char *setdir, const char *kind, int *count,
				       struct dlc_diag *d)
{
	struct dlc_tensor *v = NULL;
	int n = 0, cap = 0;
	for (;; n++) {
		char name[64];
		snprintf(name, sizeof name, "%s_%d.pb", kind, n);
		char *p = path_join(setdir, name);
		size_t len;
		char *data = exists(p) ? dlc_read_file(p, &len) : NULL;
		if (!data) {
			free(p);
			break;
		}
		DLC_GROW(v, cap, n + 1);
		const char *save = d->file;
		d->file = p;
		int rc = dlc_onnx_read_tensor(data, len, setdir, &v[n], d);
		d->file = save;
		free(data);
		free(p);
		if (rc < 0) {
			for (int i = 0; i < n; i++)
				dlc_tensor_free(&v[i]);
			free(v);
			*count = -1;
			return NULL;
		}
	}
	*count = n;
	return v;
}

/* Index of the graph input / output a test tensor feeds: by name, else by
 * position. */
static int match(const char *name, int k, const char *const *names, int count)
{
	for (int i = 0; name && *name && i < count; i++)
		if (!strcmp(names[i], name))
			return i;
	return k < count ? k : -1;
}

/* ---- the harness ---- */

/* A main() for the generated model: reads in_K.bin from a data-set
 * directory, runs once and writes out_K.bin; with a bench count it then
 * times that many runs after one warm-up and prints the median and min. */
static char *harness_source(const struct dlc_graph *g, const struct dlc_codegen_result *r)
{
	struct dlc_strbuf b = {0};
	dlc_sb_puts(&b,
		"/* dlc-run harness. */\n"
		"#include <stdio.h>\n#include <stdlib.h>\n#include <time.h>\n\n"
		"#include \"model.h\"\n\n"
		"static _Alignas(64) unsigned char arena[MODEL_ARENA_BYTES + 1];\n\n"
		"static void *buffer(const char *dir, const char *kind, int k, size_t size)\n{\n"
		"\tchar path[4096];\n"
		"\tvoid *p = aligned_alloc(64, (size + 64) / 64 * 64);\n"
		"\tif (!p)\n\t\texit(2);\n"
		"\tif (!dir)\n\t\treturn p;\n"
		"\tsnprintf(path, sizeof path, \"%s/%s_%d.bin\", dir, kind, k);\n"
		"\tFILE *f = fopen(path, \"rb\");\n"
		"\tif (!f || fread(p, 1, size, f) != size) {\n"
		"\t\tfprintf(stderr, \"harness: cannot read %s\\n\", path);\n\t\texit(2);\n\t}\n"
		"\tfclose(f);\n\treturn p;\n}\n\n"
		"static void save(const char *dir, int k, const void *p, size_t size)\n{\n"
		"\tchar path[4096];\n"
		"\tsnprintf(path, sizeof path, \"%s/out_%d.bin\", dir, k);\n"
		"\tFILE *f = fopen(path, \"wb\");\n"
		"\tif (!f || fwrite(p, 1, size, f) != size || fclose(f)) {\n"
		"\t\tfprintf(stderr, \"harness: cannot write %s\\n\", path);\n\t\texit(2);\n\t}\n}\n\n"
		"static double now_ms(void)\n{\n\tstruct timespec t;\n"
		"\tclock_gettime(CLOCK_MONOTONIC, &t);\n"
		"\treturn (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;\n}\n\n"
		"static int cmp(const void *a, const void *b)\n{\n"
		"\tdouble x = *(const double *)a, y = *(const double *)b;\n"
		"\treturn (x > y) - (x < y);\n}\n\n"
		"int main(int argc, char **argv)\n{\n"
		"\tif (argc < 4)\n\t\treturn 2;\n"
		"\tconst char *dir = argv[1];\n"
		"\tint bench = atoi(argv[3]);\n"
		"\tint st = model_init(argv[2]);\n"
		"\tif (st) {\n\t\tfprintf(stderr, \"harness: init: %s\\n\", dlc_status_str(st));\n\t\treturn 2;\n\t}\n"
		"\tstruct model_inputs in;\n\tstruct model_outputs out;\n");
	for (int i = 0; i < g->ninputs; i++)
		dlc_sb_printf(&b, "\tin.%s = buffer(dir, \"in\", %d, %lld);\n", r->input_fields[i], i,
			      (long long)dlc_type_nbytes(&g->inputs[i]->type));
	for (int i = 0; i < g->noutputs; i++)
		dlc_sb_printf(&b, "\tout.%s = buffer(NULL, \"out\", %d, %lld);\n", r->output_fields[i], i,
			      (long long)dlc_type_nbytes(&g->outputs[i]->type));
	dlc_sb_puts(&b,
		"\tst = model_run(arena, &in, &out);\n"
		"\tif (st) {\n\t\tfprintf(stderr, \"harness: run: %s\\n\", dlc_status_str(st));\n\t\treturn 2;\n\t}\n");
	for (int i = 0; i < g->noutputs; i++)
		dlc_sb_printf(&b, "\tsave(dir, %d, out.%s, %lld);\n", i, r->output_fields[i],
			      (long long)dlc_type_nbytes(&g->outputs[i]->type));
	dlc_sb_puts(&b,
		"\tif (bench > 0) {\n"
		"\t\tdouble *t = malloc(sizeof(double) * (size_t)bench);\n"
		"\t\tif (!t)\n\t\t\treturn 2;\n"
		"\t\tmodel_run(arena, &in, &out); /* warm-up */\n"
		"\t\tfor (int i = 0; i < bench; i++) {\n"
		"\t\t\tdouble t0 = now_ms();\n"
		"\t\t\tmodel_run(arena, &in, &out);\n"
		"\t\t\tt[i] = now_ms() - t0;\n\t\t}\n"
		"\t\tqsort(t, (size_t)bench, sizeof *t, cmp);\n"
		"\t\tprintf(\"latency_ms median=%.4f min=%.4f runs=%d\\n\", t[bench / 2], t[0], bench);\n"
		"\t\tfree(t);\n\t}\n");
	for (int i = 0; i < g->ninputs; i++)
		dlc_sb_printf(&b, "\tfree((void *)in.%s);\n", r->input_fields[i]);
	for (int i = 0; i < g->noutputs; i++)
		dlc_sb_printf(&b, "\tfree(out.%s);\n", r->output_fields[i]);
	dlc_sb_puts(&b, "\treturn 0;\n}\n");
	return dlc_sb_take(&b);
}

/* ---- comparison ---- */

static double element(const void *p, enum dlc_dtype t, int64_t i)
{
	switch (t) {
	case DLC_F32: return ((const float *)p)[i];
	case DLC_F64: return ((const double *)p)[i];
	case DLC_F16: return dlc_f16_to_f32(((const uint16_t *)p)[i]);
	case DLC_BF16: return dlc_bf16_to_f32(((const uint16_t *)p)[i]);
	case DLC_I8: return ((const int8_t *)p)[i];
	case DLC_U8: return ((const uint8_t *)p)[i];
	case DLC_I16: return ((const int16_t *)p)[i];
	case DLC_U16: return ((const uint16_t *)p)[i];
	case DLC_I32: return ((const int32_t *)p)[i];
	case DLC_U32: return ((const uint32_t *)p)[i];
	case DLC_I64: return (double)((const int64_t *)p)[i];
	case DLC_U64: return (double)((const uint64_t *)p)[i];
	case DLC_BOOL: return ((const uint8_t *)p)[i] != 0;
	case DLC_I4:
	case DLC_I2: return ((const int8_t *)p)[i];
	case DLC_U4:
	case DLC_U2: return ((const uint8_t *)p)[i];
	case DLC_F8E8M0:
	case DLC_F8E4M3FN:
	case DLC_F8E4M3FNUZ:
	case DLC_F8E5M2:
	case DLC_F8E5M2FNUZ:
	case DLC_F4E2M1: return dlc_minifloat_to_f64(t, ((const uint8_t *)p)[i]);
	default: return 0;
	}
}

/* numpy.allclose semantics (NaN matches NaN); integers compare exactly. */
static bool compare(const void *got, const struct dlc_tensor *want, double rtol, double atol,
		    double *max_abs, double *max_rel)
{
	enum dlc_dtype t = want->type.dtype;
	int64_t n = dlc_type_numel(&want->type);
	bool ok = true, exact = !dlc_dtype_is_float(t);
	*max_abs = *max_rel = 0;
	for (int64_t i = 0; i < n; i++) {
		if (exact && memcmp((const char *)got + i * (int64_t)dlc_dtype_size(t),
				    (const char *)want->blob->data + i * (int64_t)dlc_dtype_size(t),
				    dlc_dtype_size(t)))
			ok = false;
		double a = element(got, t, i), b = element(want->blob->data, t, i);
		if (isnan(a) || isnan(b)) {
			if (isnan(a) != isnan(b)) {
				ok = false;
				*max_abs = INFINITY;
			}
			continue;
		}
		if (isinf(a) || isinf(b)) {
			if (a != b) {
				ok = false;
				*max_abs = INFINITY;
			}
			continue;
		}
		double e = fabs(a - b), r = b != 0 ? e / fabs(b) : (e ? INFINITY : 0);
		if (e > *max_abs)
			*max_abs = e;
		if (r > *max_rel)
			*max_rel = r;
		if (!exact && e > atol + rtol * fabs(b))
			ok = false;
	}
	return ok;
}

/* ---- the run ---- */

/* The model's inputs as the test data names them (before freezing), and
 * which ones were frozen into constants because they fix shapes. */
struct input_map {
	char **names;
	int count;
	struct dlc_blob **frozen;  /* by original index: the frozen payload, or NULL */
};

static void input_map_free(struct input_map *m)
{
	for (int i = 0; i < m->count; i++) {
		free(m->names[i]);
		dlc_blob_unref(m->frozen[i]);
	}
	free(m->names);
	free(m->frozen);
}

/* Inputs that feed an operand which fixes a shape (a reshape's target, ...)
 * are compiled in as constants from the first data set; the rest stay
 * inputs. */
static int freeze_shape_inputs(struct dlc_graph *g, struct input_map *m, struct dlc_tensor *ins,
			       int nins, struct dlc_diag *d)
{
	m->count = g->ninputs;
	m->names = dlc_xcalloc((size_t)m->count + 1, sizeof *m->names);
	m->frozen = dlc_xcalloc((size_t)m->count + 1, sizeof *m->frozen);
	bool *fix = dlc_xcalloc((size_t)m->count + 1, sizeof *fix);
	for (int i = 0; i < m->count; i++) {
		m->names[i] = dlc_xstrdup(g->inputs[i]->name);
		fix[i] = dlc_input_fixes_shapes(g, g->inputs[i]);
	}
	int rc = 0;
	for (int k = 0; k < nins && rc == 0; k++) {
		int i = match(ins[k].name, k, (const char *const *)m->names, m->count);
		if (i < 0 || !fix[i])
			continue;
		m->frozen[i] = dlc_blob_ref(ins[k].blob);
		rc = dlc_freeze_input(g, m->names[i], ins[k].type, dlc_blob_ref(ins[k].blob), d);
	}
	free(fix);
	return rc;
}

static const char *find_model(const char *dir, char **path)
{
	static const char *names[] = {"model.onnx", "model.pb", "model.dlc"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		*path = path_join(dir, names[i]);
		if (exists(*path))
			return names[i];
		free(*path);
	}
	*path = NULL;
	return NULL;
}

/* Compiles the model into tmp/, taking static input shapes from the first
 * data set where the model leaves them symbolic. */
static int compile_model(const struct opts *o, const char *model, const char *tmp,
			 struct dlc_tensor *ins, int nins, struct input_map *map,
			 struct dlc_graph **gout, struct dlc_codegen_result *r, struct dlc_diag *d)
{
	struct dlc_graph *g = dlc_load_model(model, d);
	if (!g)
		return -1;
	if (freeze_shape_inputs(g, map, ins, nins, d) < 0) {
		dlc_graph_free(g);
		return -1;
	}
	const char **specs = dlc_xcalloc((size_t)g->ninputs + 1, sizeof *specs);
	int nspecs = 0, rc = -1;
	const char **names = dlc_xcalloc((size_t)g->ninputs + 1, sizeof *names);
	for (int i = 0; i < g->ninputs; i++)
		names[i] = g->inputs[i]->name;
	for (int k = 0; k < nins; k++) {
		int i = match(ins[k].name, k, names, g->ninputs);
		if (i < 0 || dlc_type_is_static(&g->inputs[i]->type))
			continue;
		struct dlc_strbuf b = {0};
		dlc_sb_printf(&b, "%s=", g->inputs[i]->name);
		for (int j = 0; j < ins[k].type.rank; j++)
			dlc_sb_printf(&b, "%s%lld", j ? "," : "", (long long)ins[k].type.dims[j]);
		specs[nspecs++] = dlc_sb_take(&b);
	}
	struct dlc_compile_opts co = {.opt_level = o->opt_level, .input_shapes = specs,
				      .ninput_shapes = nspecs, .verify_each = true, .codegen = true,
				      .kernels = o->kernels};
	struct dlc_codegen_opts cg = {.prefix = "model", .header_name = "model.h",
				      .weights_name = "model.weights.bin", .source_name = "model",
				      .opt_level = o->opt_level, .weights = o->weights,
				      .kernels = o->kernels};
	if (dlc_compile(g, &co, d) < 0 || dlc_target_find(o->target)->emit(g, &cg, r, d) < 0)
		goto out;
	char *pc = path_join(tmp, "model.c"), *ph = path_join(tmp, "model.h");
	char *pw = path_join(tmp, "model.weights.bin"), *ps = path_join(tmp, "harness.c");
	char *harness = harness_source(g, r);
	rc = write_file(pc, r->source, strlen(r->source)) | write_file(ph, r->header, strlen(r->header)) |
	     write_file(ps, harness, strlen(harness)) |
	     (r->weights ? write_file(pw, r->weights, r->weights_size) : 0);
	if (rc)
		dlc_error(d, "cannot write into %s: %s", tmp, strerror(errno));
	free(harness);
	free(pc);
	free(ph);
	free(pw);
	free(ps);
out:
	for (int i = 0; i < nspecs; i++)
		free((char *)specs[i]);
	free(specs);
	free(names);
	if (rc) {
		dlc_graph_free(g);
		return -1;
	}
	*gout = g;
	return 0;
}

/* cc -std=c11 ... model.c harness.c libdlcrt.a -lm */
static int build(const char *tmp, struct dlc_diag *d)
{
	char *self = self_dir();
	char *inc = path_join(self, "../include"), *lib = path_join(self, "../lib/libdlcrt.a");
	char *src = path_join(tmp, "model.c"), *hs = path_join(tmp, "harness.c");
	char *exe = path_join(tmp, "run");
	const char *cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
	char incflag[4200], tmpflag[4200];
	snprintf(incflag, sizeof incflag, "-I%s", inc);
	snprintf(tmpflag, sizeof tmpflag, "-I%s", tmp);
	char *argv[64];
	int n = 0;
	argv[n++] = (char *)cc;
	argv[n++] = "-std=c11";
	argv[n++] = "-O2";
	argv[n++] = "-march=native";
	argv[n++] = "-Wall";
	argv[n++] = "-Wextra";
	argv[n++] = "-Werror";
	argv[n++] = "-D_POSIX_C_SOURCE=200809L";
	/* DLC_PROFILE=1: the generated code times its kernels (table on stderr) */
	const char *prof = getenv("DLC_PROFILE");
	if (prof && *prof && strcmp(prof, "0"))
		argv[n++] = "-DDLC_PROFILE=1";
	/* DLC_CFLAGS: extra flags, split on spaces (sanitizers, -O3, ...) */
	char *extra = getenv("DLC_CFLAGS") ? dlc_xstrdup(getenv("DLC_CFLAGS")) : NULL;
	for (char *save, *tok = extra ? strtok_r(extra, " ", &save) : NULL; tok && n < 48;
	     tok = strtok_r(NULL, " ", &save))
		argv[n++] = tok;
	argv[n++] = incflag;
	argv[n++] = tmpflag;
	argv[n++] = src;
	argv[n++] = hs;
	argv[n++] = lib;
	argv[n++] = "-lm";
	argv[n++] = "-pthread"; /* the runtime's thread pool */
	argv[n++] = "-o";
	argv[n++] = exe;
	argv[n] = NULL;
	int st = run_process(argv, NULL);
	if (st)
		dlc_error(d, "building the generated code failed (%s exited with %d)", cc, st);
	free(extra);
	free(self);
	free(inc);
	free(lib);
	free(src);
	free(hs);
	free(exe);
	return st ? -1 : 0;
}

static int run_set(const struct opts *o, const char *tmp, const char *set, struct dlc_graph *g,
		   const struct input_map *map, int bench, struct dlc_diag *d)
{
	char *setdir = path_join(o->dir, set), *work = path_join(tmp, set);
	int nin, nout, failures = 0;
	struct dlc_tensor *ins = read_tensors(setdir, "input", &nin, d);
	struct dlc_tensor *outs = read_tensors(setdir, "output", &nout, d);
	const char **in_names = dlc_xcalloc((size_t)g->ninputs + 1, sizeof *in_names);
	const char **out_names = dlc_xcalloc((size_t)g->noutputs + 1, sizeof *out_names);
	for (int i = 0; i < g->ninputs; i++)
		in_names[i] = g->inputs[i]->name;
	for (int i = 0; i < g->noutputs; i++)
		out_names[i] = g->output_names[i];
	if (nin < 0 || nout < 0) {
		failures++;
		goto out;
	}
	if (nin != map->count) {
		dlc_error(d, "%s has %d inputs, the model takes %d", set, nin, map->count);
		failures++;
		goto out;
	}
	mkdir(work, 0755);
	for (int k = 0; k < nin; k++) {
		int orig = match(ins[k].name, k, (const char *const *)map->names, map->count);
		const struct dlc_blob *fz = orig >= 0 ? map->frozen[orig] : NULL;
		if (fz) { /* compiled in: every data set must agree with it */
			if (fz->size != ins[k].blob->size || memcmp(fz->data, ins[k].blob->data, fz->size)) {
				dlc_error(d, "%s/input_%d fixes shapes and was compiled in from the first data set, but differs here",
					  set, k);
				failures++;
				goto out;
			}
			continue;
		}
		int i = match(orig >= 0 ? map->names[orig] : NULL, k, in_names, g->ninputs);
		if (i < 0) {
			dlc_error(d, "%s/input_%d matches no model input", set, k);
			failures++;
			goto out;
		}
		char t1[DLC_TYPE_STR_MAX], t2[DLC_TYPE_STR_MAX], name[64];
		if (!dlc_type_equal(&ins[k].type, &g->inputs[i]->type)) {
			dlc_error(d, "%s/input_%d is %s, but model input '%s' is %s", set, k,
				  dlc_type_str(g, &ins[k].type, t1, sizeof t1), g->inputs[i]->name,
				  dlc_type_str(g, &g->inputs[i]->type, t2, sizeof t2));
			failures++;
			goto out;
		}
		snprintf(name, sizeof name, "in_%d.bin", i);
		char *p = path_join(work, name);
		write_file(p, ins[k].blob->data, ins[k].blob->size);
		free(p);
	}
	char *exe = path_join(tmp, "run"), *wpath = path_join(tmp, "model.weights.bin");
	char nb[32];
	snprintf(nb, sizeof nb, "%d", bench);
	/* DLC_RUN_WRAPPER runs the generated code under a tool (valgrind ...) */
	char *argv[40];
	int na = 0;
	char *wrap = getenv("DLC_RUN_WRAPPER") ? dlc_xstrdup(getenv("DLC_RUN_WRAPPER")) : NULL;
	for (char *save, *tok = wrap ? strtok_r(wrap, " ", &save) : NULL; tok && na < 32;
	     tok = strtok_r(NULL, " ", &save))
		argv[na++] = tok;
	argv[na++] = exe;
	argv[na++] = work;
	argv[na++] = wpath;
	argv[na++] = nb;
	argv[na] = NULL;
	char *log = path_join(work, "stdout.txt");
	int st = run_process(argv, log);
	free(wrap);
	if (bench > 0) {
		size_t len;
		char *text = dlc_read_file(log, &len);
		if (text)
			fputs(text, stdout);
		free(text);
	}
	free(log);
	free(exe);
	free(wpath);
	if (st) {
		printf("FAIL %s: the generated code exited with status %d\n", set, st);
		failures++;
		goto out;
	}
	for (int k = 0; k < nout; k++) {
		int i = match(outs[k].name, k, out_names, g->noutputs);
		char name[64];
		if (i < 0 || !dlc_type_equal(&outs[k].type, &g->outputs[i]->type)) {
			char t1[DLC_TYPE_STR_MAX], t2[DLC_TYPE_STR_MAX];
			printf("FAIL %s/output_%d expected %s, the model computes %s\n", set, k,
			       dlc_type_str(g, &outs[k].type, t1, sizeof t1),
			       i < 0 ? "nothing" : dlc_type_str(g, &g->outputs[i]->type, t2, sizeof t2));
			failures++;
			continue;
		}
		snprintf(name, sizeof name, "out_%d.bin", i);
		char *p = path_join(work, name);
		size_t len;
		char *got = dlc_read_file(p, &len);
		free(p);
		double ma, mr;
		bool ok = got && len == outs[k].blob->size &&
			  compare(got, &outs[k], o->rtol, o->atol, &ma, &mr);
		if (!got || len != outs[k].blob->size)
			ma = mr = INFINITY;
		printf("%s %s/%s max_abs=%.3g max_rel=%.3g\n", ok ? "PASS" : "FAIL", set,
		       g->output_names[i], ma, mr);
		failures += !ok;
		free(got);
	}
out:
	for (int k = 0; k < nin; k++)
		dlc_tensor_free(&ins[k]);
	for (int k = 0; k < nout; k++)
		dlc_tensor_free(&outs[k]);
	free(ins);
	free(outs);
	free(in_names);
	free(out_names);
	free(setdir);
	free(work);
	return failures;
}

static void usage(FILE *f)
{
	fputs("usage: dlc-run DIR [options]\n"
	      "  DIR: model.onnx (or model.pb) and test_data_set_*/input_K.pb, output_K.pb\n"
	      "  --target=c            code generation target\n"
	      "  -O0 | -O1 | -O2 | -O3 optimization level (default -O2)\n"
	      "  --bench=N             also time N runs: latency_ms median=... min=...\n"
	      "  --rtol=R --atol=A     tolerance: |got - want| <= A + R * |want| (default 1e-3, 1e-4)\n"
	      "  --weights=auto|embed|file  where the weights go (as for dlc)\n"
	      "  --cpu=native|x86-64-v4|x86-64-v3|generic, --kernels=fast|naive, --threads=N\n"
	      "                        (as for dlc)\n"
	      "  --keep                keep the build directory (printed)\n"
	      "  environment: CC (default cc), DLC_CFLAGS (extra compiler flags),\n"
	      "  DLC_PROFILE=1 (the generated code prints the time of each kernel),\n"
	      "  DLC_RUN_WRAPPER (a command the generated code runs under, e.g. valgrind)\n",
	      f);
}

static int parse(int argc, char **argv, struct opts *o, struct dlc_diag *d)
{
	*o = (struct opts){.target = "c", .opt_level = 2, .rtol = 1e-3, .atol = 1e-4};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		char *end;
		int k;
		if ((v = dlc_cli_value(a, "--target")))
			o->target = v;
		else if ((k = dlc_cli_kernel_opt(a, &o->kernels, d)) != 0) {
			if (k < 0)
				return -1;
		}
		else if (dlc_cli_opt_level(a, &o->opt_level))
			;
		else if ((v = dlc_cli_value(a, "--bench"))) {
			o->bench = (int)strtol(v, &end, 10);
			if (*end || o->bench < 1 || o->bench > 1000000) {
				dlc_error(d, "--bench=%s: expected a count in [1, 1000000]", v);
				return -1;
			}
		} else if ((v = dlc_cli_value(a, "--rtol")) || (v = dlc_cli_value(a, "--atol"))) {
			double x = strtod(v, &end);
			if (*end || !(x >= 0)) {
				dlc_error(d, "%s: expected a non-negative number", a);
				return -1;
			}
			*(a[2] == 'r' ? &o->rtol : &o->atol) = x;
		} else if ((v = dlc_cli_value(a, "--weights"))) {
			if (dlc_cli_weights_mode(v, &o->weights) < 0) {
				dlc_error(d, "--weights=%s: expected auto, embed or file", v);
				return -1;
			}
		} else if (!strcmp(a, "--keep"))
			o->keep = true;
		else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		} else if (a[0] == '-') {
			dlc_error(d, "unknown option '%s' (see --help)", a);
			return -1;
		} else if (o->dir) {
			dlc_error(d, "more than one directory given");
			return -1;
		} else
			o->dir = a;
	}
	if (!o->dir) {
		dlc_error(d, "no test directory given (see --help)");
		return -1;
	}
	if (!dlc_target_find(o->target)) {
		dlc_error(d, "unknown target '%s' (available: c)", o->target);
		return -1;
	}
	o->kernels.cpu = dlc_cpu_resolve(o->kernels.cpu);
	return 0;
}

int main(int argc, char **argv)
{
	struct dlc_diag d;
	struct opts o;
	dlc_diag_init(&d, "dlc-run", stderr);
	if (parse(argc, argv, &o, &d) < 0)
		return 1;
	char *model = NULL;
	if (!find_model(o.dir, &model)) {
		dlc_error(&d, "%s holds no model.onnx or model.pb", o.dir);
		return 1;
	}
	int nsets;
	char **sets = list_sets(o.dir, &nsets);
	if (!nsets) {
		dlc_error(&d, "%s holds no test_data_set_* directory", o.dir);
		free(model);
		return 1;
	}
	const char *tmpbase = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *tmp = path_join(tmpbase, "dlc-run-XXXXXX");
	int failures = 0;
	struct dlc_graph *g = NULL;
	struct dlc_codegen_result r = {0};
	struct input_map map = {0};
	if (!mkdtemp(tmp)) {
		dlc_error(&d, "cannot create a directory in %s: %s", tmpbase, strerror(errno));
		failures = 1;
		goto out;
	}
	/* the first data set's inputs fix any symbolic input shapes */
	char *first = path_join(o.dir, sets[0]);
	int nins;
	/* data errors are held back: a model dlc cannot read explains more */
	struct dlc_diag quiet;
	dlc_diag_init(&quiet, "dlc-run", NULL);
	struct dlc_tensor *ins = read_tensors(first, "input", &nins, &quiet);
	free(first);
	d.file = model;
	if (nins < 0) {
		struct dlc_graph *probe = dlc_load_model(model, &d);
		if (probe)
			fputs(quiet.buf ? quiet.buf : "", stderr);
		else
			nins = -2; /* the model's own diagnostic was printed */
		dlc_graph_free(probe);
	}
	dlc_diag_free(&quiet);
	int rc = nins < 0 ? -1 : compile_model(&o, model, tmp, ins, nins, &map, &g, &r, &d);
	d.file = "dlc-run";
	for (int k = 0; k < nins; k++)
		dlc_tensor_free(&ins[k]);
	free(ins);
	if (rc < 0 || build(tmp, &d) < 0) {
		printf("FAIL %s: %s\n", o.dir, nins == -1 ? "unreadable test data" : "does not compile");
		failures = 1;
		goto out;
	}
	for (int i = 0; i < nsets; i++)
		failures += run_set(&o, tmp, sets[i], g, &map, i == 0 ? o.bench : 0, &d);
out:
	if (o.keep)
		fprintf(stderr, "dlc-run: build directory kept: %s\n", tmp);
	else
		remove_tree(tmp);
	for (int i = 0; i < nsets; i++)
		free(sets[i]);
	free(sets);
	free(tmp);
	free(model);
	dlc_codegen_result_free(&r);
	input_map_free(&map);
	dlc_graph_free(g);
	dlc_diag_free(&d);
	return failures ? 1 : 0;
}
