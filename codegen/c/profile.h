/* DLC_PROFILE support in the generated C (codegen/c/profile.c). */
#ifndef DLC_CODEGEN_C_PROFILE_H
#define DLC_CODEGEN_C_PROFILE_H

#include "codegen/c/c.h"

/* The timing code, inside #ifdef DLC_PROFILE, and the DLC_PROFILE_TICK(k)
 * macro run() calls after kernel k (and with -1 before the first). */
void c_profile_emit_support(struct cgen *c, char *const *kernel_names, int nkernels);

#endif
