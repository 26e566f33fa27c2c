/* The single-core f32 FMA peak of this machine, measured: independent
 * chains of vector FMAs (enough to cover latency times the FMA ports), no
 * memory traffic, for AVX-512 (16 lanes) and AVX2 (8 lanes). Prints
 * GFLOP/s (one FMA = 2 flops), the median of several timed runs.
 *
 *   cc -O2 -march=native bench/peak.c -o peak && ./peak
 *
 * bench/sgemm.sh uses it as the denominator of the sgemm efficiency. */
#define _POSIX_C_SOURCE 200809L
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define ITERS 20000000L
#define REPEATS 7

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* 12 chains: FMA latency 4 x 2 ports = 8 in flight, with slack. */
#define CHAINS(T, FMA, SET1, ADD, STORE, LANES)                                                    \
	T c0 = SET1(0), c1 = SET1(1), c2 = SET1(2), c3 = SET1(3), c4 = SET1(4), c5 = SET1(5);     \
	T c6 = SET1(6), c7 = SET1(7), c8 = SET1(8), c9 = SET1(9), c10 = SET1(10), c11 = SET1(11); \
	const T a = SET1(0.999999f), b = SET1(1e-7f);                                             \
	for (long i = 0; i < ITERS; i++) {                                                         \
		c0 = FMA(a, c0, b); c1 = FMA(a, c1, b); c2 = FMA(a, c2, b);                        \
		c3 = FMA(a, c3, b); c4 = FMA(a, c4, b); c5 = FMA(a, c5, b);                        \
		c6 = FMA(a, c6, b); c7 = FMA(a, c7, b); c8 = FMA(a, c8, b);                        \
		c9 = FMA(a, c9, b); c10 = FMA(a, c10, b); c11 = FMA(a, c11, b);                    \
		/* the compiler may neither merge nor drop a chain */                              \
		__asm__ volatile("" : "+v"(c0), "+v"(c1), "+v"(c2), "+v"(c3), "+v"(c4), "+v"(c5)); \
		__asm__ volatile("" : "+v"(c6), "+v"(c7), "+v"(c8), "+v"(c9), "+v"(c10), "+v"(c11));\
	}                                                                                          \
	T s = ADD(ADD(ADD(c0, c1), ADD(c2, c3)), ADD(ADD(c4, c5), ADD(c6, c7)));                  \
	s = ADD(s, ADD(ADD(c8, c9), ADD(c10, c11)));                                               \
	float out[LANES];                                                                          \
	STORE(out, s);                                                                             \
	return out[0];

#ifdef __AVX512F__
static float run512(void)
{
	CHAINS(__m512, _mm512_fmadd_ps, _mm512_set1_ps, _mm512_add_ps, _mm512_storeu_ps, 16)
}
#endif

#ifdef __AVX2__
static float run256(void)
{
	CHAINS(__m256, _mm256_fmadd_ps, _mm256_set1_ps, _mm256_add_ps, _mm256_storeu_ps, 8)
}
#endif

static double measure(float (*f)(void), int lanes)
{
	double t[REPEATS];
	volatile float sink = 0;
	sink += f(); /* warm-up: clocks up */
	for (int r = 0; r < REPEATS; r++) {
		double t0 = now();
		sink += f();
		t[r] = now() - t0;
	}
	(void)sink;
	qsort(t, REPEATS, sizeof *t, cmp);
	return 2.0 * 12 * lanes * (double)ITERS / t[REPEATS / 2] / 1e9;
}

int main(void)
{
#ifdef __AVX512F__
	printf("fma_peak avx512 gflops=%.1f\n", measure(run512, 16));
#endif
#ifdef __AVX2__
	printf("fma_peak avx2 gflops=%.1f\n", measure(run256, 8));
#endif
	return 0;
}
