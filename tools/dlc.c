/* dlc: the compiler driver. Loads a model (format detected from content),
 * runs the pipeline of the -O level, and writes OUT.c + OUT.h (+ the
 * weights sidecar), or prints the IR / a dot graph. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlc/codegen.h"
#include "dlc/compiler.h"
#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/memplan.h"
#include "dlc/onnx.h"
#include "dlc/util.h"
#include "tools/cli.h"

static void usage(FILE *f)
{
	fputs("usage: dlc MODEL [-o OUT.c] [options]\n"
	      "  MODEL                 ONNX model, TensorFlow GraphDef or dlc text IR (by content)\n"
	      "  -o OUT.c              write OUT.c and OUT.h (and OUT.weights.bin for large weights)\n"
	      "  --target=c            code generation target (c)\n"
	      "  --emit=c|ir|dot|memplan|memplan-svg\n"
	      "                        what to produce (default c; the others go to stdout or -o)\n"
	      "  -O0 | -O1 | -O2 | -O3 optimization level (default -O2)\n"
	      "  --name=PREFIX         symbol prefix (default: from OUT's file name)\n"
	      "  --cpu=native|x86-64-v4|x86-64-v3|generic\n"
	      "                        instruction set of the fast kernels (default native:\n"
	      "                        this machine's; v4 is AVX-512, v3 AVX2+FMA)\n"
	      "  --kernels=fast|naive  naive: only the straightforward reference kernels\n"
	      "  --threads=N           split GEMM, MatMul and Conv kernels for N threads\n"
	      "                        (default 1; DLC_NUM_THREADS at run time uses fewer)\n"
	      "  --weights=auto|embed|file\n"
	      "                        embed the weights in OUT.c, or write OUT.weights.bin\n"
	      "                        (auto: a file above 4 MiB)\n"
	      "  --input-shape NAME=D1,D2,...\n"
	      "                        fix the shape of an input with symbolic dims\n"
	      "  --outputs NAME[:K],...\n"
	      "                        graph outputs of a TensorFlow GraphDef (default: the\n"
	      "                        nodes whose outputs nobody consumes)\n"
	      "  --const-input NAME=FILE.pb\n"
	      "                        compile input NAME in as the constant in FILE.pb (an\n"
	      "                        ONNX TensorProto): needed when it fixes a shape\n"
	      "  --print-before=PASS|all, --print-after=PASS|all, --verify-each\n"
	      "  --max-import-bytes=N  memory reading the model may take (default: 32x its\n"
	      "                        size plus 256 MiB)\n"
	      "  -v                    print the memory plan and kernel counts to stderr\n"
	      "  --help, --version\n",
	      f);
}

struct args {
	const char *model, *out, *target, *emit, *name;
	struct dlc_compile_opts copts;
	enum dlc_weights_mode weights;
	const char **shapes, **consts;
	int nshapes, nconsts;
	char **outputs;          /* --outputs, split at commas */
	int noutputs;
	bool verbose;
	struct dlc_load_opts load;
};

/* "a,b:1,c" -> three output names. */
static int add_outputs(struct args *a, const char *list, struct dlc_diag *d)
{
	for (const char *p = list;;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (!n) {
			dlc_error(d, "--outputs '%s': empty name", list);
			return -1;
		}
		a->outputs = realloc(a->outputs, (size_t)(a->noutputs + 1) * sizeof *a->outputs);
		a->outputs[a->noutputs++] = strndup(p, n);
		if (!e)
			return 0;
		p = e + 1;
	}
}

static void free_args(struct args *a)
{
	free(a->shapes);
	free(a->consts);
	for (int i = 0; i < a->noutputs; i++)
		free(a->outputs[i]);
	free(a->outputs);
}

static int parse_args(int argc, char **argv, struct args *a, struct dlc_diag *d)
{
	a->target = "c";
	a->emit = "c";
	a->copts.opt_level = 2;
	a->shapes = calloc((size_t)argc, sizeof *a->shapes);
	a->consts = calloc((size_t)argc, sizeof *a->consts);
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i], *v;
		int k;
		if (!strcmp(s, "-o") && i + 1 < argc)
			a->out = argv[++i];
		else if ((v = dlc_cli_value(s, "--target")))
			a->target = v;
		else if ((v = dlc_cli_value(s, "--emit")))
			a->emit = v;
		else if ((v = dlc_cli_value(s, "--name")))
			a->name = v;
		else if ((v = dlc_cli_value(s, "--print-after")))
			a->copts.print_after = v;
		else if ((v = dlc_cli_value(s, "--print-before")))
			a->copts.print_before = v;
		else if (!strcmp(s, "--verify-each"))
			a->copts.verify_each = true;
		else if (dlc_cli_opt_level(s, &a->copts.opt_level))
			;
		else if ((k = dlc_cli_kernel_opt(s, &a->copts.kernels, d)) != 0) {
			if (k < 0)
				return -1;
		} else if ((v = dlc_cli_value(s, "--weights"))) {
			if (dlc_cli_weights_mode(v, &a->weights) < 0) {
				dlc_error(d, "--weights=%s: expected auto, embed or file", v);
				return -1;
			}
		} else if (!strcmp(s, "--input-shape") && i + 1 < argc)
			a->shapes[a->nshapes++] = argv[++i];
		else if ((v = dlc_cli_value(s, "--input-shape")))
			a->shapes[a->nshapes++] = v;
		else if (!strcmp(s, "--const-input") && i + 1 < argc)
			a->consts[a->nconsts++] = argv[++i];
		else if ((v = dlc_cli_value(s, "--const-input")))
			a->consts[a->nconsts++] = v;
		else if ((!strcmp(s, "--outputs") && i + 1 < argc && (v = argv[++i])) ||
			 (v = dlc_cli_value(s, "--outputs"))) {
			if (add_outputs(a, v, d) < 0)
				return -1;
		} else if ((v = dlc_cli_value(s, "--max-import-bytes"))) {
			if (dlc_cli_bytes(v, &a->load.max_import_bytes) < 0) {
				dlc_error(d, "--max-import-bytes=%s: expected a byte count", v);
				return -1;
			}
		} else if (!strcmp(s, "-v"))
			a->verbose = true;
		else if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(s, "--version")) {
			printf("dlc %s\n", DLC_VERSION);
			exit(0);
		} else if (s[0] == '-' && s[1]) {
			dlc_error(d, "unknown option '%s' (see --help)", s);
			return -1;
		} else if (a->model) {
			dlc_error(d, "more than one model given ('%s' and '%s')", a->model, s);
			return -1;
		} else {
			a->model = s;
		}
	}
	if (!a->model) {
		dlc_error(d, "no model given (see --help)");
		return -1;
	}
	if (strcmp(a->emit, "c") && strcmp(a->emit, "ir") && strcmp(a->emit, "dot") &&
	    strcmp(a->emit, "memplan") && strcmp(a->emit, "memplan-svg")) {
		dlc_error(d, "--emit=%s: expected c, ir, dot, memplan or memplan-svg", a->emit);
		return -1;
	}
	if (!dlc_target_find(a->target)) {
		dlc_error(d, "unknown target '%s' (available: c)", a->target);
		return -1;
	}
	a->copts.input_shapes = a->shapes;
	a->copts.ninput_shapes = a->nshapes;
	a->load.outputs = (const char *const *)a->outputs;
	a->load.noutputs = a->noutputs;
	return 0;
}

/* "dir/mnist.c" -> "dir/mnist"; the default is the model's base name. */
static char *out_base(const struct args *a)
{
	const char *src = a->out;
	char *base;
	if (src) {
		base = strdup(src);
	} else {
		const char *slash = strrchr(a->model, '/');
		base = strdup(slash ? slash + 1 : a->model);
	}
	char *dot = strrchr(base, '.'), *slash = strrchr(base, '/');
	if (dot && (!slash || dot > slash))
		*dot = 0;
	return base;
}

static const char *file_part(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* --const-input NAME=FILE.pb: the input becomes the tensor in the file. */
static int freeze_inputs(struct dlc_graph *g, const struct args *a, struct dlc_diag *d)
{
	for (int i = 0; i < a->nconsts; i++) {
		const char *eq = strchr(a->consts[i], '=');
		if (!eq || eq == a->consts[i] || !eq[1]) {
			dlc_error(d, "--const-input '%s' is not NAME=FILE.pb", a->consts[i]);
			return -1;
		}
		char *name = strndup(a->consts[i], (size_t)(eq - a->consts[i]));
		size_t len;
		char *data = dlc_read_file(eq + 1, &len);
		struct dlc_tensor t;
		int rc = -1;
		if (!data)
			dlc_error(d, "--const-input: cannot read '%s': %s", eq + 1, strerror(errno));
		else if (dlc_onnx_read_tensor(data, len, NULL, &t, d) == 0) {
			rc = dlc_freeze_input(g, name, t.type, dlc_blob_ref(t.blob), d);
			dlc_tensor_free(&t);
		}
		free(data);
		free(name);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int emit_c(struct dlc_graph *g, const struct args *a, struct dlc_diag *d)
{
	char *base = out_base(a);
	char prefix[128];
	if (a->name)
		snprintf(prefix, sizeof prefix, "%s", a->name);
	else
		snprintf(prefix, sizeof prefix, "%s", file_part(base));
	/* the prefix must be a C identifier */
	for (char *p = prefix; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			*p = '_';
	if (prefix[0] >= '0' && prefix[0] <= '9') {
		memmove(prefix + 1, prefix, strlen(prefix) + 1 < sizeof prefix - 1 ? strlen(prefix) + 1 : sizeof prefix - 2);
		prefix[0] = '_';
	}
	size_t n = strlen(base) + 32;
	char *cpath = malloc(n), *hpath = malloc(n), *wpath = malloc(n);
	snprintf(cpath, n, "%s.c", base);
	snprintf(hpath, n, "%s.h", base);
	snprintf(wpath, n, "%s.weights.bin", base);
	struct dlc_codegen_opts co = {
		.prefix = prefix,
		.header_name = file_part(hpath),
		.weights_name = file_part(wpath),
		.source_name = file_part(a->model),
		.opt_level = a->copts.opt_level,
		.weights = a->weights,
		.kernels = a->copts.kernels,
	};
	struct dlc_codegen_result r;
	int rc = dlc_target_find(a->target)->emit(g, &co, &r, d);
	if (rc == 0) {
		rc = dlc_cli_write(d, cpath, r.source, strlen(r.source));
		if (rc == 0)
			rc = dlc_cli_write(d, hpath, r.header, strlen(r.header));
		if (rc == 0 && r.weights)
			rc = dlc_cli_write(d, wpath, (const char *)r.weights, r.weights_size);
		else if (rc == 0)
			remove(wpath); /* a stale sidecar from an earlier build would mislead */
		dlc_codegen_result_free(&r);
	}
	free(cpath);
	free(hpath);
	free(wpath);
	free(base);
	return rc;
}

int main(int argc, char **argv)
{
	struct dlc_diag diag;
	struct args a = {0};
	dlc_diag_init(&diag, "dlc", stderr);
	if (parse_args(argc, argv, &a, &diag) < 0) {
		free_args(&a);
		dlc_diag_free(&diag);
		return 1;
	}
	diag.file = strcmp(a.model, "-") ? a.model : "<stdin>";
	a.copts.kernels.cpu = dlc_cpu_resolve(a.copts.kernels.cpu);
	int rc = -1;
	struct dlc_graph *g = dlc_load_model_with(a.model, &a.load, &diag);
	if (!g)
		goto out;
	/* code and memory plans need static shapes and a plan */
	a.copts.codegen = !strcmp(a.emit, "c") || !strncmp(a.emit, "memplan", 7);
	if (freeze_inputs(g, &a, &diag) < 0)
		goto out;
	if (dlc_compile(g, &a.copts, &diag) < 0)
		goto out;
	struct dlc_memplan_report mp = {0};
	if (a.copts.codegen)
		dlc_memplan_report(g, &mp);
	if (a.verbose && a.copts.codegen)
		fprintf(stderr, "dlc: %s: %d nodes; arena: planned %lld bytes, naive %lld, lower bound %lld\n",
			a.model, g->nnodes, (long long)mp.planned, (long long)mp.naive,
			(long long)mp.lower_bound);
	if (!strncmp(a.emit, "memplan", 7)) {
		char *text = strcmp(a.emit, "memplan") ? dlc_memplan_svg(g, &mp) : dlc_memplan_text(g, &mp);
		rc = dlc_cli_write(&diag, a.out, text, strlen(text));
		free(text);
	} else if (!strcmp(a.emit, "ir")) {
		char *text = dlc_print_graph(g, NULL);
		rc = dlc_cli_write(&diag, a.out, text, strlen(text));
		free(text);
	} else if (!strcmp(a.emit, "dot")) {
		char *text = dlc_print_dot(g);
		rc = dlc_cli_write(&diag, a.out, text, strlen(text));
		free(text);
	} else {
		rc = emit_c(g, &a, &diag);
	}
	dlc_memplan_report_free(&mp);
out:
	dlc_graph_free(g);
	dlc_diag_free(&diag);
	free_args(&a);
	return rc < 0 ? 1 : 0;
}
