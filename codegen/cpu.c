/* The CPUs dlc generates kernels for (dlc --cpu=...), named as the x86-64
 * micro-architecture levels: x86-64-v4 has AVX-512 (F, BW, DQ, VL),
 * x86-64-v3 AVX2 and FMA; generic is portable C. "native" is the machine
 * dlc runs on, which is what a model compiled and run in place wants. */
#include <string.h>

#include "dlc/codegen.h"

static const char *const names[] = {
	[DLC_CPU_NATIVE] = "native",
	[DLC_CPU_GENERIC] = "generic",
	[DLC_CPU_X86_64_V3] = "x86-64-v3",
	[DLC_CPU_X86_64_V4] = "x86-64-v4",
};

int dlc_cpu_parse(const char *s, enum dlc_cpu *cpu)
{
	for (int i = 0; i < (int)(sizeof names / sizeof *names); i++)
		if (!strcmp(s, names[i])) {
			*cpu = (enum dlc_cpu)i;
			return 0;
		}
	return -1;
}

enum dlc_cpu dlc_cpu_resolve(enum dlc_cpu cpu)
{
	if (cpu != DLC_CPU_NATIVE)
		return cpu;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
	    __builtin_cpu_supports("fma"))
		return DLC_CPU_X86_64_V4;
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		return DLC_CPU_X86_64_V3;
#endif
	return DLC_CPU_GENERIC;
}

const char *dlc_cpu_name(enum dlc_cpu cpu)
{
	return cpu >= 0 && cpu < (int)(sizeof names / sizeof *names) ? names[cpu] : "?";
}
