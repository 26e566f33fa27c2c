/* DLC_PROFILE: time per kernel in the generated code.
 *
 * Off unless the generated file is compiled with -DDLC_PROFILE=1 (dlc-run
 * does so when DLC_PROFILE=1 is in its environment), so a normal build
 * carries no timing code at all. When on, run() ticks a clock after each
 * kernel call, adding the time since the previous tick to that kernel's
 * total, and the first run registers an atexit handler that prints the
 * totals to stderr, largest first. The clock is C11 timespec_get, so the
 * file still needs nothing beyond the C library. The counters are file
 * statics: a profiled program must not run one model on two threads. */
#include "codegen/c/profile.h"

void c_profile_emit_support(struct cgen *c, char *const *kernel_names, int nkernels)
{
	struct emitter *e = &c->e;
	emit_line(e, "#ifdef DLC_PROFILE");
	emit_line(e, "/* Per-kernel timing, compiled in by -DDLC_PROFILE=1 and printed to stderr");
	emit_line(e, " * at exit. Not for a model run on several threads at once. */");
	emit_line(e, "#include <stdio.h>");
	emit_line(e, "#include <stdlib.h>");
	emit_line(e, "#include <time.h>");
	emit_blank(e);
	emit_line(e, "#define DLC_PROF_KERNELS %d", nkernels > 0 ? nkernels : 1);
	emit_open(e, "static const char *const dlc_prof_names[DLC_PROF_KERNELS] = {");
	for (int i = 0; i < nkernels; i++)
		emit_line(e, "\"%s\",", kernel_names[i]);
	if (!nkernels)
		emit_line(e, "\"(none)\",");
	emit_close(e, "};");
	emit_line(e, "static double dlc_prof_ms[DLC_PROF_KERNELS], dlc_prof_last;");
	emit_line(e, "static long dlc_prof_runs;");
	emit_blank(e);
	emit_line(e, "static void dlc_prof_print(void)");
	emit_open(e, "{");
	emit_line(e, "int order[DLC_PROF_KERNELS];");
	emit_line(e, "double total = 0;");
	emit_open(e, "for (int i = 0; i < DLC_PROF_KERNELS; i++) {");
	emit_line(e, "int j = i; /* insertion sort, largest first */");
	emit_line(e, "for (; j > 0 && dlc_prof_ms[order[j - 1]] < dlc_prof_ms[i]; j--)");
	emit_line(e, "\torder[j] = order[j - 1];");
	emit_line(e, "order[j] = i;");
	emit_line(e, "total += dlc_prof_ms[i];");
	emit_close(e, NULL);
	emit_line(e, "fprintf(stderr, \"dlc profile: %s, %%ld runs, %%.3f ms per run in kernels\\n\",",
		  c->prefix);
	emit_line(e, "        dlc_prof_runs, total / (double)dlc_prof_runs);");
	emit_line(e, "fprintf(stderr, \"%%7s %%10s  %%s\\n\", \"share\", \"ms/run\", \"kernel\");");
	emit_line(e, "for (int i = 0; i < DLC_PROF_KERNELS; i++)");
	emit_line(e, "\tfprintf(stderr, \"%%6.1f%%%% %%10.4f  %%s\\n\", total > 0 ? 100 * dlc_prof_ms[order[i]] / total : 0.0,");
	emit_line(e, "\t        dlc_prof_ms[order[i]] / (double)dlc_prof_runs, dlc_prof_names[order[i]]);");
	emit_close(e, NULL);
	emit_blank(e);
	emit_line(e, "/* k >= 0: kernel k just returned; -1: a run starts. */");
	emit_line(e, "static void dlc_prof_tick(int k)");
	emit_open(e, "{");
	emit_line(e, "struct timespec t;");
	emit_line(e, "timespec_get(&t, TIME_UTC);");
	emit_line(e, "double now = (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;");
	emit_line(e, "if (k >= 0)");
	emit_line(e, "\tdlc_prof_ms[k] += now - dlc_prof_last;");
	emit_line(e, "else if (dlc_prof_runs++ == 0)");
	emit_line(e, "\tatexit(dlc_prof_print);");
	emit_line(e, "dlc_prof_last = now;");
	emit_close(e, NULL);
	emit_line(e, "#define DLC_PROFILE_TICK(k) dlc_prof_tick(k)");
	emit_line(e, "#else");
	emit_line(e, "#define DLC_PROFILE_TICK(k) ((void)0)");
	emit_line(e, "#endif");
	emit_blank(e);
}
