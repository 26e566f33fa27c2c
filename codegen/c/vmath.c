/* The float exp, tanh and erf of generated code: the kernels call
 * dlc_expf, dlc_tanhf and dlc_erff (codegen/scalar.c scalar_math_fn), and
 * the file defines the ones they call, before the first kernel. With the
 * fast kernels these are the files of runtime/vmath/ (branch-free polynomials, so
 * that loops over them vectorize; their accuracy is tested in
 * test/unit/test_vmath.c), pasted in; with --kernels=naive, libm's. */
#include <stdlib.h>
#include <string.h>

#include "codegen/c/c.h"

extern const char dlc_vmath_expf[], dlc_vmath_tanhf[], dlc_vmath_erff[];

static const struct {
	const char *name;  /* as called: "dlc_expf(" */
	const char *text;  /* the fast definition */
	const char *libm;  /* the naive one's body */
	bool needs_exp;
} fns[] = {
	{"dlc_expf(", dlc_vmath_expf, "expf", false},
	{"dlc_tanhf(", dlc_vmath_tanhf, "tanhf", true},
	{"dlc_erff(", dlc_vmath_erff, "erff", true},
};

void c_vmath_insert(struct cgen *c, size_t at)
{
	struct dlc_strbuf *out = &c->e.out;
	bool used[3] = {false};
	for (int i = 0; i < 3; i++)
		used[i] = out->len > at && strstr(out->s + at, fns[i].name);
	for (int i = 1; i < 3; i++)
		used[0] |= used[i] && fns[i].needs_exp && !c->o->kernels.naive;
	struct dlc_strbuf defs = {0};
	for (int i = 0; i < 3; i++) {
		if (!used[i])
			continue;
		if (c->o->kernels.naive)
			dlc_sb_printf(&defs, "static inline float %.*s(float x) { return %s(x); }\n",
				      (int)strlen(fns[i].name) - 1, fns[i].name, fns[i].libm);
		else
			dlc_sb_printf(&defs, "%s\n", fns[i].text);
	}
	if (!defs.len)
		return;
	struct dlc_strbuf all = {0};
	dlc_sb_putn(&all, out->s, at);
	dlc_sb_putn(&all, defs.s, defs.len);
	if (c->o->kernels.naive)
		dlc_sb_putc(&all, '\n');
	dlc_sb_putn(&all, out->s + at, out->len - at);
	dlc_sb_free(&defs);
	dlc_sb_free(out);
	*out = all;
}
