/* The blocked sgemm of the C target (layouts: codegen/c/fast.h).
 *
 * Emitted once per generated file, as static functions: one micro-kernel
 * per tile shape the file's products need (the full MR x NR tile, and the
 * tails: M % MR rows, N % NR columns rounded up to a vector), and the
 * routines that pack operand blocks at run time. Emitted per call site,
 * with every size a literal: the loop nest over the blocks, and the
 * epilogue that finishes each output tile (bias, alpha/beta, the fused
 * elementwise chain) right after the micro-kernel stored its last K block,
 * while the tile is in L1.
 *
 * Micro-kernels: x86-64-v4 keeps a 6 x 64 tile in 24 zmm accumulators (per
 * k: 4 vector loads of B, 6 broadcasts of A, 24 FMAs); x86-64-v3 a 6 x 16
 * tile in 12 ymm; generic C a 4 x 16 tile in an array the C compiler may
 * vectorize. Partial tiles store through masks. */
#include <stdlib.h>
#include <string.h>

#include "codegen/c/fast.h"

static const struct c_isa isas[] = {
	/* kc: deep enough that the C tile's loads and stores between K blocks
	 * are few (256: 4% of the FMAs at 6x64), while the A micro-panel and
	 * most of the B micro-panel stay in L1 (measured: 128 gave 8% less).
	 * AVX-512: 512, as the convs' K blocks (and their finishing passes)
	 * are fewer: ResNet-18 2% faster than at 256 and at 1024, 19% than
	 * at 128 (alternating A/B runs) */
	{DLC_CPU_GENERIC, "portable C", NULL, 16, 4, 1, 256, 128, 1024},
	{DLC_CPU_X86_64_V3, "AVX2+FMA", "avx2,fma", 8, 6, 2, 256, 120, 1024},
	{DLC_CPU_X86_64_V4, "AVX-512", "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma", 16, 6, 4, 512, 120, 1024},
};

const struct c_isa *c_isa_for(enum dlc_cpu cpu)
{
	cpu = dlc_cpu_resolve(cpu);
	for (size_t i = 0; i < sizeof isas / sizeof *isas; i++)
		if (isas[i].cpu == cpu)
			return &isas[i];
	return &isas[0];
}

/* ---- compile-time packing (the same layouts as the run-time packers) ---- */

void c_sgemm_pack_a(const struct c_isa *isa, const float *a, int64_t rs, int64_t cs, int64_t m,
		    int64_t k, float *dst)
{
	for (int64_t p = 0; p < m; p += isa->mr) {
		int64_t mp = m - p < isa->mr ? m - p : isa->mr;
		for (int64_t kk = 0; kk < k; kk++)
			for (int64_t i = 0; i < mp; i++)
				dst[p * k + kk * mp + i] = a[(p + i) * rs + kk * cs];
	}
}

static int64_t panel_width(const struct c_isa *isa, int64_t n)
{
	int64_t nr = c_isa_nr(isa);
	return n >= nr ? nr : (n + isa->vl - 1) / isa->vl * isa->vl;
}

int64_t c_sgemm_packed_b_numel(const struct c_isa *isa, int64_t k, int64_t n)
{
	int64_t nr = c_isa_nr(isa), full = n / nr * nr;
	return full * k + (n > full ? panel_width(isa, n - full) * k : 0);
}

void c_sgemm_pack_b(const struct c_isa *isa, const float *b, int64_t rs, int64_t cs, int64_t k,
		    int64_t n, float *dst)
{
	int64_t nr = c_isa_nr(isa);
	for (int64_t q = 0; q < n; q += nr) {
		int64_t nq = n - q < nr ? n - q : nr, w = panel_width(isa, nq);
		for (int64_t kk = 0; kk < k; kk++)
			for (int64_t j = 0; j < w; j++)
				dst[q * k + kk * w + j] = j < nq ? b[kk * rs + (q + j) * cs] : 0.0f;
	}
}

/* ---- micro-kernels ---- */

/* dlc_ukr_<mr>x<w>(kc, a, b, c, ldc, nr, acc): c[i][j] (+)= sum over k of
 * a[k][i] b[k][j] for i < mr, j < nr (nr <= w), from an A panel [kc][mr]
 * and a B panel [kc][w]; acc: add to c instead of storing. */
static void ukr_head(struct cgen *c, int mr, int w, bool ind)
{
	emit_line(&c->e, "%sstatic void dlc_ukr%s_%dx%d(long kc, const float *restrict a, const float *restrict b,%s",
		  c->fast->isa->attr ? "DLC_SIMD " : "", ind ? "i" : "", mr, w, ind ? " const int *ko," : "");
	emit_line(&c->e, "\t\t\tfloat *restrict c, long ldc, long nr, int acc)");
}

/* Row k of the B panel: packed, [kc][w]; indirect (dlc_ukri_*), at b + ko[k]
 * (a convolution's padded planes: no packing at all). */
static const char *brow(bool ind, int w)
{
	static char buf[64];
	if (ind)
		snprintf(buf, sizeof buf, "const float *restrict bk = b + ko[k];");
	else
		snprintf(buf, sizeof buf, "const float *restrict bk = b + k * %d;", w);
	return buf;
}

static void ukr_generic(struct cgen *c, int mr, int w, bool ind)
{
	ukr_head(c, mr, w, ind);
	emit_open(&c->e, "{");
	emit_line(&c->e, "float t[%d][%d] = {{0}};", mr, w);
	emit_open(&c->e, "for (long k = 0; k < kc; k++, a += %d) {", mr);
	emit_line(&c->e, "%s", brow(ind, w));
	emit_line(&c->e, "for (int i = 0; i < %d; i++)", mr);
	emit_line(&c->e, "\tfor (int j = 0; j < %d; j++)", w);
	emit_line(&c->e, "\t\tt[i][j] += a[i] * bk[j];");
	emit_close(&c->e, NULL);
	emit_line(&c->e, "for (int i = 0; i < %d; i++)", mr);
	emit_line(&c->e, "\tfor (long j = 0; j < nr; j++)");
	emit_line(&c->e, "\t\tc[i * ldc + j] = acc ? c[i * ldc + j] + t[i][j] : t[i][j];");
	emit_close(&c->e, NULL);
}

/* The SIMD spellings of one instruction set. */
struct simd {
	const char *T, *zero, *load, *bcast, *fma, *add, *store;
};
static const struct simd avx512 = {"__m512", "_mm512_setzero_ps()", "_mm512_loadu_ps", "_mm512_set1_ps",
				   "_mm512_fmadd_ps", "_mm512_add_ps", "_mm512_storeu_ps"};
static const struct simd avx2 = {"__m256", "_mm256_setzero_ps()", "_mm256_loadu_ps", "_mm256_set1_ps",
				 "_mm256_fmadd_ps", "_mm256_add_ps", "_mm256_storeu_ps"};

static void ukr_simd(struct cgen *c, int mr, int w, bool ind)
{
	const struct c_isa *isa = c->fast->isa;
	const struct simd *s = isa->vl == 16 ? &avx512 : &avx2;
	int nv = w / isa->vl, vl = isa->vl;
	ukr_head(c, mr, w, ind);
	emit_open(&c->e, "{");
	for (int i = 0; i < mr; i++) {
		struct dlc_strbuf b = {0};
		for (int j = 0; j < nv; j++)
			dlc_sb_printf(&b, "%sc%d_%d = %s", j ? ", " : "", i, j, s->zero);
		emit_line(&c->e, "%s %s;", s->T, b.s);
		dlc_sb_free(&b);
	}
	/* AVX-512, B read in place: its rows may end at nr (a pointwise conv's
	 * planes of any width), so the loads are masked, as the stores are
	 * (free: no read past the input) */
	bool masked = ind && vl == 16;
	for (int j = 0; j < nv && masked; j++)
		emit_line(&c->e, "const __mmask16 l%d = nr >= %d ? 0xffff : nr <= %d ? 0 : (__mmask16)((1u << (nr - %d)) - 1);", j,
			  (j + 1) * vl, j * vl, j * vl);
	emit_open(&c->e, "for (long k = 0; k < kc; k++, a += %d) {", mr);
	emit_line(&c->e, "%s", brow(ind, w));
	for (int j = 0; j < nv; j++)
		if (masked)
			emit_line(&c->e, "const %s b%d = _mm512_maskz_loadu_ps(l%d, bk + %d);", s->T, j, j, j * vl);
		else
			emit_line(&c->e, "const %s b%d = %s(bk + %d);", s->T, j, s->load, j * vl);
	for (int i = 0; i < mr; i++) {
		emit_line(&c->e, "const %s a%d = %s(a[%d]);", s->T, i, s->bcast, i);
		for (int j = 0; j < nv; j++)
			emit_line(&c->e, "c%d_%d = %s(a%d, b%d, c%d_%d);", i, j, s->fma, i, j, i, j);
	}
	emit_close(&c->e, NULL);
	if (vl == 16) { /* every store through a mask: free on AVX-512 */
		for (int j = 0; j < nv; j++)
			emit_line(&c->e, "const __mmask16 m%d = nr >= %d ? 0xffff : nr <= %d ? 0 : (__mmask16)((1u << (nr - %d)) - 1);",
				  j, (j + 1) * vl, j * vl, j * vl);
		for (int i = 0; i < mr; i++)
			for (int j = 0; j < nv; j++) {
				emit_line(&c->e, "if (acc)");
				emit_line(&c->e, "\tc%d_%d = _mm512_add_ps(c%d_%d, _mm512_maskz_loadu_ps(m%d, c + %d * ldc + %d));",
					  i, j, i, j, j, i, j * vl);
				emit_line(&c->e, "_mm512_mask_storeu_ps(c + %d * ldc + %d, m%d, c%d_%d);", i, j * vl, j, i, j);
			}
	} else { /* AVX2: plain stores for whole tiles, masked ones for the last columns */
		emit_open(&c->e, "if (nr == %d) {", w);
		for (int i = 0; i < mr; i++)
			for (int j = 0; j < nv; j++) {
				emit_line(&c->e, "if (acc)");
				emit_line(&c->e, "\tc%d_%d = %s(c%d_%d, %s(c + %d * ldc + %d));", i, j, s->add, i, j,
					  s->load, i, j * vl);
				emit_line(&c->e, "%s(c + %d * ldc + %d, c%d_%d);", s->store, i, j * vl, i, j);
			}
		emit_close(&c->e, NULL);
		emit_open(&c->e, "else {");
		emit_line(&c->e, "const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);");
		for (int j = 0; j < nv; j++)
			emit_line(&c->e, "const __m256i m%d = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)nr - %d), lane);", j,
				  j * vl);
		for (int i = 0; i < mr; i++)
			for (int j = 0; j < nv; j++) {
				emit_line(&c->e, "if (acc)");
				emit_line(&c->e, "\tc%d_%d = _mm256_add_ps(c%d_%d, _mm256_maskload_ps(c + %d * ldc + %d, m%d));", i,
					  j, i, j, i, j * vl, j);
				emit_line(&c->e, "_mm256_maskstore_ps(c + %d * ldc + %d, m%d, c%d_%d);", i, j * vl, j, i, j);
			}
		emit_close(&c->e, NULL);
	}
	emit_close(&c->e, NULL);
}

/* dlc_ukr[i]_<mr>x<w>p<e>: the AVX-512 micro-kernel of a last panel of
 * w + e columns (w a multiple of 16, e <= PLUS_MAX): the w columns as usual,
 * each of the e others as one FMA a k of the mr rows of A (a vector) by a
 * broadcast of B. A panel of 49 columns (a 7x7 plane) then costs 19 FMAs a
 * k, not the 24 of a 64-column tile. Its nr is always w + e. */
enum { PLUS_MAX = 4 };

static void ukr_plus(struct cgen *c, int mr, int w, int e, bool ind)
{
	int nv = w / 16;
	emit_line(&c->e, "DLC_SIMD static void dlc_ukr%s_%dx%dp%d(long kc, const float *restrict a, const float *restrict b,%s",
		  ind ? "i" : "", mr, w, e, ind ? " const int *ko," : "");
	emit_line(&c->e, "\t\t\tfloat *restrict c, long ldc, long nr, int acc)");
	emit_open(&c->e, "{");
	emit_line(&c->e, "(void)nr;");
	for (int i = 0; i < mr && nv; i++) {
		struct dlc_strbuf b = {0};
		for (int j = 0; j < nv; j++)
			dlc_sb_printf(&b, "%sc%d_%d = _mm512_setzero_ps()", j ? ", " : "", i, j);
		emit_line(&c->e, "__m512 %s;", b.s);
		dlc_sb_free(&b);
	}
	for (int j = 0; j < e; j++)
		emit_line(&c->e, "__m256 x%d = _mm256_setzero_ps(); /* column %d, rows in lanes */", j, w + j);
	emit_open(&c->e, "for (long k = 0; k < kc; k++, a += %d) {", mr);
	emit_line(&c->e, "%s", brow(ind, w + 16));
	for (int j = 0; j < nv; j++)
		emit_line(&c->e, "const __m512 b%d = _mm512_loadu_ps(bk + %d);", j, j * 16);
	emit_line(&c->e, "const __m256 av = _mm256_maskz_loadu_ps(0x%x, a);", (1u << mr) - 1);
	for (int i = 0; i < mr && nv; i++) {
		emit_line(&c->e, "const __m512 a%d = _mm512_set1_ps(a[%d]);", i, i);
		for (int j = 0; j < nv; j++)
			emit_line(&c->e, "c%d_%d = _mm512_fmadd_ps(a%d, b%d, c%d_%d);", i, j, i, j, i, j);
	}
	for (int j = 0; j < e; j++)
		emit_line(&c->e, "x%d = _mm256_fmadd_ps(av, _mm256_set1_ps(bk[%d]), x%d);", j, w + j, j);
	emit_close(&c->e, NULL);
	for (int i = 0; i < mr; i++)
		for (int j = 0; j < nv; j++) {
			emit_line(&c->e, "if (acc)");
			emit_line(&c->e, "\tc%d_%d = _mm512_add_ps(c%d_%d, _mm512_loadu_ps(c + %d * ldc + %d));", i, j, i, j, i,
				  j * 16);
			emit_line(&c->e, "_mm512_storeu_ps(c + %d * ldc + %d, c%d_%d);", i, j * 16, i, j);
		}
	emit_line(&c->e, "float t[8];");
	for (int j = 0; j < e; j++) {
		emit_line(&c->e, "_mm256_storeu_ps(t, x%d);", j);
		emit_line(&c->e, "for (int i = 0; i < %d; i++)", mr);
		emit_line(&c->e, "\tc[i * ldc + %d] = acc ? c[i * ldc + %d] + t[i] : t[i];", w + j, w + j);
	}
	emit_close(&c->e, NULL);
}

/* ---- run-time packing ---- */

/* The packers are SIMD functions too: dlc_copy inlines into them, and their
 * loops vectorize for the target. */
static const char *simd(const struct cgen *c)
{
	return c->fast->isa->attr ? "DLC_SIMD " : "";
}

static void emit_copy(struct cgen *c)
{
	const struct c_isa *isa = c->fast->isa;
	emit_line(&c->e, "/* d[0..n) = s[0..n) */");
	emit_line(&c->e, "%sstatic inline void dlc_copy(float *restrict d, const float *restrict s, long n)",
		  isa->attr ? "DLC_SIMD " : "");
	emit_open(&c->e, "{");
	emit_line(&c->e, "long i = 0;");
	if (isa->vl == 16 && isa->attr) {
		emit_line(&c->e, "for (; i + 16 <= n; i += 16)");
		emit_line(&c->e, "\t_mm512_storeu_ps(d + i, _mm512_loadu_ps(s + i));");
		emit_open(&c->e, "if (i < n) {");
		emit_line(&c->e, "const __mmask16 m = (__mmask16)((1u << (n - i)) - 1);");
		emit_line(&c->e, "_mm512_mask_storeu_ps(d + i, m, _mm512_maskz_loadu_ps(m, s + i));");
		emit_close(&c->e, NULL);
	} else {
		if (isa->attr) {
			emit_line(&c->e, "for (; i + 8 <= n; i += 8)");
			emit_line(&c->e, "\t_mm256_storeu_ps(d + i, _mm256_loadu_ps(s + i));");
		}
		emit_line(&c->e, "for (; i < n; i++)");
		emit_line(&c->e, "\td[i] = s[i];");
	}
	emit_close(&c->e, NULL);
	emit_blank(&c->e);
}

static void emit_pack_a(struct cgen *c)
{
	int mr = c->fast->isa->mr;
	emit_line(&c->e, "/* A block [mc][kc] (element (i, k) at a[i * rs + k * cs]) into panels of");
	emit_line(&c->e, " * %d rows, [kc][rows] each. */", mr);
	emit_line(&c->e, "%sstatic void dlc_pack_a(const float *restrict a, long rs, long cs, long mc, long kc,", simd(c));
	emit_line(&c->e, "\t\t       float *restrict d)");
	emit_open(&c->e, "{");
	emit_open(&c->e, "for (long p = 0; p < mc; p += %d) {", mr);
	emit_line(&c->e, "const long m = mc - p < %d ? mc - p : %d;", mr, mr);
	emit_line(&c->e, "const float *ap = a + p * rs;");
	emit_open(&c->e, "if (cs == 1 && m == %d) { /* %d rows read side by side: %d streams */", mr, mr, mr);
	emit_open(&c->e, "for (long k = 0; k < kc; k++) {");
	for (int i = 0; i < mr; i++)
		emit_line(&c->e, "d[k * %d + %d] = ap[%d * rs + k];", mr, i, i);
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	emit_open(&c->e, "else {");
	emit_line(&c->e, "for (long k = 0; k < kc; k++)");
	emit_line(&c->e, "\tfor (long i = 0; i < m; i++)");
	emit_line(&c->e, "\t\td[k * m + i] = ap[i * rs + k * cs];");
	emit_close(&c->e, NULL);
	emit_line(&c->e, "d += m * kc;");
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	emit_blank(&c->e);
}

static void emit_pack_b(struct cgen *c)
{
	const struct c_isa *isa = c->fast->isa;
	int nr = c_isa_nr(isa), vl = isa->vl;
	emit_line(&c->e, "/* B block [kc][nc] (element (k, j) at b[k * rs + j * cs]) into panels of");
	emit_line(&c->e, " * %d columns, [kc][w] each (the last: its columns rounded up to %d, zero", nr, vl);
	emit_line(&c->e, " * padded). */");
	emit_line(&c->e, "%sstatic void dlc_pack_b(const float *restrict b, long rs, long cs, long kc, long nc,", simd(c));
	emit_line(&c->e, "\t\t       float *restrict d)");
	emit_open(&c->e, "{");
	emit_open(&c->e, "for (long q = 0; q < nc; q += %d) {", nr);
	emit_line(&c->e, "const long n = nc - q < %d ? nc - q : %d, w = (n + %d) / %d * %d;", nr, nr, vl - 1, vl, vl);
	emit_open(&c->e, "if (cs == 1) {");
	emit_open(&c->e, "for (long k = 0; k < kc; k++) {");
	emit_line(&c->e, "dlc_copy(d + k * w, b + k * rs + q, n);");
	emit_line(&c->e, "for (long j = n; j < w; j++)");
	emit_line(&c->e, "\td[k * w + j] = 0;");
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	emit_open(&c->e, "else {");
	emit_line(&c->e, "for (long j = 0; j < w; j++)");
	emit_line(&c->e, "\tfor (long k = 0; k < kc; k++)");
	emit_line(&c->e, "\t\td[k * w + j] = j < n ? b[k * rs + (q + j) * cs] : 0.0f;");
	emit_close(&c->e, NULL);
	emit_line(&c->e, "d += kc * w;");
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	emit_blank(&c->e);
}

/* B's block from a convolution's padded planes: element (k, j) of the
 * block at x[ko[k] + pos[j]] (ko: the tap's plane, row and column; pos:
 * the output position's window corner), packed as dlc_pack_b does. The
 * im2col matrix is never built: K x N gathers of 16 lanes (0.16 ns a
 * float here) where the earlier packer copied runs of output rows with
 * bounds checks (1.2 ns: 15-20% of ResNet-18's 3x3 convs). */
static void emit_pack_gather(struct cgen *c)
{
	const struct c_isa *isa = c->fast->isa;
	int nr = c_isa_nr(isa), vl = isa->vl;
	emit_line(&c->e, "/* Rows ko[0..kc), columns pos[0..nc) of x gathered (element (k, j) at");
	emit_line(&c->e, " * x[ko[k] + pos[j]]), packed as dlc_pack_b does. */");
	emit_line(&c->e, "%sstatic void dlc_pack_gather(const float *restrict x, const int *restrict ko,", simd(c));
	emit_line(&c->e, "			    const int *restrict pos, long kc, long nc, float *restrict d)");
	emit_open(&c->e, "{");
	emit_open(&c->e, "for (long q = 0; q < nc; q += %d) {", nr);
	emit_line(&c->e, "const long n = nc - q < %d ? nc - q : %d, w = (n + %d) / %d * %d;", nr, nr, vl - 1, vl, vl);
	if (isa->attr && vl == 16) {
		emit_open(&c->e, "for (long v = 0; v < w; v += 16) {");
		emit_line(&c->e, "const __mmask16 m = n - v >= 16 ? 0xffff : (__mmask16)((1u << (n - v)) - 1);");
		emit_line(&c->e, "const __m512i p = _mm512_maskz_loadu_epi32(m, pos + q + v);");
		emit_line(&c->e, "for (long k = 0; k < kc; k++)");
		emit_line(&c->e, "	_mm512_storeu_ps(d + k * w + v, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, p, x + ko[k], 4));");
		emit_close(&c->e, NULL);
	} else if (isa->attr) {
		emit_line(&c->e, "const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);");
		emit_open(&c->e, "for (long v = 0; v < w; v += 8) {");
		emit_line(&c->e, "const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n - v)), lane);");
		emit_line(&c->e, "const __m256i p = _mm256_maskload_epi32(pos + q + v, m);");
		emit_line(&c->e, "for (long k = 0; k < kc; k++)");
		emit_line(&c->e, "	_mm256_storeu_ps(d + k * w + v, _mm256_mask_i32gather_ps(_mm256_setzero_ps(), x + ko[k], p, _mm256_castsi256_ps(m), 4));");
		emit_close(&c->e, NULL);
	} else {
		emit_line(&c->e, "for (long k = 0; k < kc; k++)");
		emit_line(&c->e, "	for (long j = 0; j < w; j++)");
		emit_line(&c->e, "		d[k * w + j] = j < n ? x[ko[k] + pos[q + j]] : 0.0f;");
	}
	emit_line(&c->e, "d += kc * w;");
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	emit_blank(&c->e);
}

/* Every other float of a row (a depthwise conv's stride-2 phase planes):
 * two vectors in, their even elements out. The vector loop stops while
 * s[2n - 1] is still ahead, so it never reads past the last element used. */
static void emit_stride2(struct cgen *c)
{
	const struct c_isa *isa = c->fast->isa;
	emit_line(&c->e, "/* d[i] = s[2 i] for i < n */");
	emit_line(&c->e, "%sstatic inline void dlc_stride2(float *restrict d, const float *restrict s, long n)",
		  isa->attr ? "DLC_SIMD " : "");
	emit_open(&c->e, "{");
	emit_line(&c->e, "long i = 0;");
	if (isa->attr && isa->vl == 16) {
		emit_line(&c->e, "const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);");
		emit_line(&c->e, "for (; i + 17 <= n; i += 16)");
		emit_line(&c->e, "	_mm512_storeu_ps(d + i, _mm512_permutex2var_ps(_mm512_loadu_ps(s + 2 * i), even, _mm512_loadu_ps(s + 2 * i + 16)));");
		/* the last 16 or fewer through masks: the 2 (n - i) - 1 floats used
		 * (short rows, 14 or 7 wide, were all scalar: MobileNetV2's
		 * stride-2 depthwise convs on 28x28 and 14x14 planes) */
		emit_open(&c->e, "if (i < n) {");
		emit_line(&c->e, "const unsigned used = 2 * (unsigned)(n - i) - 1;");
		emit_line(&c->e, "const __mmask16 m0 = used >= 16 ? 0xffff : (__mmask16)((1u << used) - 1);");
		emit_line(&c->e, "const __mmask16 m1 = used <= 16 ? 0 : (__mmask16)((1u << (used - 16)) - 1);");
		emit_line(&c->e, "const __m512 v = _mm512_permutex2var_ps(_mm512_maskz_loadu_ps(m0, s + 2 * i), even, _mm512_maskz_loadu_ps(m1, s + 2 * i + 16));");
		emit_line(&c->e, "_mm512_mask_storeu_ps(d + i, (__mmask16)((1u << (n - i)) - 1), v);");
		emit_line(&c->e, "return;");
		emit_close(&c->e, NULL);
	} else if (isa->attr) {
		emit_open(&c->e, "for (; i + 9 <= n; i += 8) {");
		emit_line(&c->e, "__m256 t = _mm256_shuffle_ps(_mm256_loadu_ps(s + 2 * i), _mm256_loadu_ps(s + 2 * i + 8), 0x88);");
		emit_line(&c->e, "_mm256_storeu_ps(d + i, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(t), 0xd8)));");
		emit_close(&c->e, NULL);
	}
	emit_line(&c->e, "for (; i < n; i++)");
	emit_line(&c->e, "	d[i] = s[2 * i];");
	emit_close(&c->e, NULL);
	emit_blank(&c->e);
}

void c_sgemm_emit_prelude(struct cgen *c, const struct c_fast *f)
{
	const struct c_isa *isa = f->isa;
	int nr = c_isa_nr(isa);
	emit_line(&c->e, "/* ---- sgemm: %dx%d micro-kernels (%s), packing ---- */", isa->mr, nr, isa->what);
	emit_blank(&c->e);
	for (int ind = 0; ind < 2; ind++)
		for (int mr = 1; mr <= isa->mr; mr++)
			for (int nv = 1; nv <= isa->nv; nv++) {
				if (!f->tiles[ind][mr][nv])
					continue;
				if (isa->attr)
					ukr_simd(c, mr, nv * isa->vl, ind);
				else
					ukr_generic(c, mr, nv * isa->vl, ind);
				emit_blank(&c->e);
			}
	for (int ind = 0; ind < 2; ind++)
		for (int mr = 1; mr <= isa->mr; mr++)
			for (int nv = 0; nv < isa->nv; nv++)
				for (int e = 1; e <= PLUS_MAX; e++)
					if (f->plus[ind][mr][nv] & (1u << e)) {
						ukr_plus(c, mr, nv * 16, e, ind);
						emit_blank(&c->e);
					}
	if (f->pack_b)
		emit_copy(c);
	if (f->stride2)
		emit_stride2(c);
	if (f->pack_a)
		emit_pack_a(c);
	if (f->pack_b)
		emit_pack_b(c);
	if (f->pack_gather)
		emit_pack_gather(c);
}

/* Is a product split by columns dealt in whole vectors rather than panels
 * (196 columns: 112 + 84 on two threads, not 128 + 68)? Then a part's last
 * panel may have any width. Not with B packed at compile time, whose
 * panels start every NR columns. */
static bool fine_cols(const struct c_fast_plan *p)
{
	return p->parts > 1 && p->split == C_SPLIT_COLS && p->b != C_SRC_PREPACKED && p->N > c_isa_nr(p->isa);
}

/* Does the last panel of `cols` columns (N % NR, fixed) take a plus
 * micro-kernel? */
static bool plus_cols(const struct c_fast_plan *p, int cols)
{
	return p->isa->vl == 16 && p->isa->attr && cols > 0 && cols < c_isa_nr(p->isa) && cols == p->N % c_isa_nr(p->isa) &&
	       cols % 16 >= 1 && cols % 16 <= PLUS_MAX && !fine_cols(p);
}

void c_sgemm_note(struct c_fast *f, const struct c_fast_plan *p)
{
	const struct c_isa *isa = p->isa;
	int mt = (int)(p->M % isa->mr), nt = (int)(p->N % c_isa_nr(isa));
	int nvt = (nt + isa->vl - 1) / isa->vl;
	/* panel_rows emits the whole-tile call and the row tail; the narrow
	 * last panel gets both again */
	bool (*t)[8] = f->tiles[c_src_indirect(p->b)];
	t[isa->mr][isa->nv] = true;
	if (mt)
		t[mt][isa->nv] = true;
	for (int v = 1; v <= isa->nv && fine_cols(p); v++) {
		t[isa->mr][v] = true; /* a part's last panel (c_sgemm_emit) */
		if (mt)
			t[mt][v] = true;
	}
	if (nt && plus_cols(p, nt)) {
		f->plus[c_src_indirect(p->b)][isa->mr][nt / 16] |= (unsigned char)(1u << nt % 16);
		if (mt)
			f->plus[c_src_indirect(p->b)][mt][nt / 16] |= (unsigned char)(1u << nt % 16);
	} else if (nt) {
		t[isa->mr][nvt] = true;
		if (mt)
			t[mt][nvt] = true;
	}
	f->any = true;
	f->pack_a |= p->a == C_SRC_STRIDED;
	f->pack_b |= p->b == C_SRC_STRIDED;
	f->pack_gather |= p->b == C_SRC_GATHER;
}

void c_emit_part_range(struct cgen *c, const char *lo, const char *hi, int64_t total, int64_t unit)
{
	long long panels = (total + unit - 1) / unit;
	char u[32] = "";
	if (unit > 1)
		snprintf(u, sizeof u, " * %lld", (long long)unit);
	emit_line(&c->e, "const long %s = (long)part * %lld / nparts%s;", lo, panels, u);
	if (panels * unit == total)
		emit_line(&c->e, "const long %s = ((long)part + 1) * %lld / nparts%s;", hi, panels, u);
	else
		emit_line(&c->e, "const long %s = ((long)part + 1) * %lld / nparts * %lld < %lld ? ((long)part + 1) * %lld / nparts * %lld : %lld;",
			  hi, panels, (long long)unit, (long long)total, panels, (long long)unit, (long long)total);
}

/* ---- the blocked loop nest of one call site ---- */

/* The tile's epilogue: rows ic + ir + i (i < rows), columns jc + jr + j
 * (j < cols, a literal: the last panel has N % NR columns). The columns
 * run in two loops, the whole vectors then the rest, as gcc -O2 vectorizes
 * only a loop whose count is a multiple of the vector. */
static void tile_epilogue(struct cgen *c, const struct c_fast_plan *p, const struct c_sgemm_site *s,
			  int rows, int cols)
{
	int vl = p->isa->vl, whole = cols / vl * vl;
	emit_open(&c->e, "for (long i = 0; i < %d; i++) {", rows);
	emit_line(&c->e, "float *yr = py + (ic + ir + i) * %lld + jc + jr;", (long long)p->N);
	if (cols < 0) { /* nr columns, known at run time: whole vectors in blocks of vl, then the rest */
		emit_open(&c->e, "for (long j0 = 0; j0 + %d <= nr; j0 += %d) {", vl, vl);
		emit_open(&c->e, "for (long l = 0; l < %d; l++) {", vl);
		emit_line(&c->e, "const long j = j0 + l;");
		s->finish(c, s->ctx, "(ic + ir + i)", "(jc + jr + j)", "yr[j]");
		emit_close(&c->e, NULL);
		emit_close(&c->e, NULL);
		emit_open(&c->e, "for (long j = nr / %d * %d; j < nr; j++) {", vl, vl);
		s->finish(c, s->ctx, "(ic + ir + i)", "(jc + jr + j)", "yr[j]");
		emit_close(&c->e, NULL);
		emit_close(&c->e, NULL);
		return;
	}
	for (int part = 0; part < 2; part++) {
		int lo = part ? whole : 0, hi = part ? cols : whole;
		if (lo >= hi)
			continue;
		emit_open(&c->e, "for (long j = %d; j < %d; j++) {", lo, hi);
		s->finish(c, s->ctx, "(ic + ir + i)", "(jc + jr + j)", "yr[j]");
		emit_close(&c->e, NULL);
	}
	emit_close(&c->e, NULL);
}

/* The micro-kernel calls over the rows of one B panel (w columns wide). */
static void panel_rows(struct cgen *c, const struct c_fast_plan *p, const struct c_sgemm_site *s, int w,
		       int cols)
{
	const struct c_isa *isa = p->isa;
	int mr = isa->mr, mt = (int)(p->M % mr);
	bool last_k = p->K <= p->kc; /* one K block: every call finishes its tile */
	char bp[128];
	if (p->b == C_SRC_PREPACKED)
		snprintf(bp, sizeof bp, "pb + (jc + jr) * %lld + pc * %d", (long long)p->K, w);
	else if (c_src_indirect(p->b))
		snprintf(bp, sizeof bp, "pb + jc + jr, ko + pc");
	else
		snprintf(bp, sizeof bp, "sb + jr * kc");
	for (int tail = 0; tail < 2; tail++) {
		int rows = tail ? mt : mr;
		if (tail && !mt)
			break;
		char ap[128];
		if (p->a == C_SRC_PREPACKED)
			snprintf(ap, sizeof ap, "pa + (ic + ir) * %lld + pc * %d", (long long)p->K, rows);
		else
			snprintf(ap, sizeof ap, "sa + ir * kc");
		if (tail)
			emit_open(&c->e, "if (ir < mc) { /* the last %d rows */", mt);
		else
			emit_open(&c->e, "for (; ir + %d <= mc; ir += %d) {", mr, mr);
		char shape[24];
		if (plus_cols(p, cols))
			snprintf(shape, sizeof shape, "%dx%dp%d", rows, cols / 16 * 16, cols % 16);
		else
			snprintf(shape, sizeof shape, "%dx%d", rows, w);
		emit_line(&c->e, "dlc_ukr%s_%s(kc, %s, %s, py + (ic + ir) * %lld + jc + jr, %lld, nr, pc > 0);",
			  c_src_indirect(p->b) ? "i" : "", shape, ap, bp, (long long)p->N, (long long)p->N);
		if (s->finish && !last_k)
			emit_open(&c->e, "if (pc + kc == %lld) {", (long long)p->K);
		if (s->finish)
			tile_epilogue(c, p, s, rows, cols);
		if (s->finish && !last_k)
			emit_close(&c->e, NULL);
		emit_close(&c->e, NULL);
	}
}

void c_sgemm_emit(struct cgen *c, const struct c_fast_plan *p, const struct c_sgemm_site *s)
{
	const struct c_isa *isa = p->isa;
	int nr = c_isa_nr(isa);
	long long M = p->M, N = p->N, K = p->K, KC = p->kc, MC = p->mc, NC = p->nc;
	emit_open(&c->e, "{");
	emit_line(&c->e, "const float *restrict pa = %s;", s->a);
	emit_line(&c->e, "const float *restrict pb = %s;", s->b);
	emit_line(&c->e, "float *restrict py = %s;", s->y);
	/* a part of a product split here: its own scratch, and a range of
	 * whole column panels (or row panels) */
	bool own = p->parts > 1 && !s->rows[0] && (p->split == C_SPLIT_COLS || p->split == C_SPLIT_ROWS);
	const char *ps = own ? "ps" : s->scratch ? s->scratch : "s";
	const char *j0 = "0", *j1 = NULL, *i0 = "0", *i1 = NULL;
	char jend[24], iend[24];
	snprintf(jend, sizeof jend, "%lld", N);
	snprintf(iend, sizeof iend, "%lld", M);
	j1 = jend;
	i1 = iend;
	if (own) {
		bool rows = p->split == C_SPLIT_ROWS;
		if (p->a != C_SRC_PREPACKED || (p->b != C_SRC_PREPACKED && !c_src_indirect(p->b)))
			emit_line(&c->e, "float *restrict ps = s + (long)part * %lld;", (long long)p->part_floats);
		c_emit_part_range(c, "lo", "hi", rows ? M : N, rows ? isa->mr : fine_cols(p) ? isa->vl : nr);
		if (rows) {
			i0 = "lo";
			i1 = "hi";
		} else {
			j0 = "lo";
			j1 = "hi";
		}
	} else if (s->rows[0]) {
		i0 = s->rows[0];
		i1 = s->rows[1];
	}
	if (p->a != C_SRC_PREPACKED)
		emit_line(&c->e, "float *restrict sa = %s;", ps);
	if (p->b != C_SRC_PREPACKED && !c_src_indirect(p->b))
		emit_line(&c->e, "float *restrict sb = %s + %lld;", ps, (long long)p->scratch_b);
	emit_open(&c->e, "for (long jc = %s; jc < %s; jc += %lld) {", j0, j1, NC);
	emit_line(&c->e, "const long nc = %s - jc < %lld ? %s - jc : %lld;", j1, NC, j1, NC);
	emit_open(&c->e, "for (long pc = 0; pc < %lld; pc += %lld) {", K, KC);
	emit_line(&c->e, "const long kc = %lld - pc < %lld ? %lld - pc : %lld;", K, KC, K, KC);
	if (p->b == C_SRC_STRIDED)
		emit_line(&c->e, "dlc_pack_b(pb + pc * %lld + jc * %lld, %lld, %lld, kc, nc, sb);",
			  (long long)p->rsb, (long long)p->csb, (long long)p->rsb, (long long)p->csb);
	else if (p->b == C_SRC_GATHER)
		emit_line(&c->e, "dlc_pack_gather(pb, ko + pc, pos + jc, kc, nc, sb);");
	emit_open(&c->e, "for (long ic = %s; ic < %s; ic += %lld) {", i0, i1, MC);
	emit_line(&c->e, "const long mc = %s - ic < %lld ? %s - ic : %lld;", i1, MC, i1, MC);
	if (p->a == C_SRC_STRIDED)
		emit_line(&c->e, "dlc_pack_a(pa + ic * %lld + pc * %lld, %lld, %lld, mc, kc, sa);",
			  (long long)p->rsa, (long long)p->csa, (long long)p->rsa, (long long)p->csa);
	emit_open(&c->e, "for (long jr = 0; jr < nc; jr += %d) {", nr);
	emit_line(&c->e, "const long nr = nc - jr < %d ? nc - jr : %d;", nr, nr);
	emit_line(&c->e, "long ir = 0;");
	int64_t nt = N % nr;
	if (own && fine_cols(p)) { /* a part's last panel: any width */
		emit_open(&c->e, "if (nr == %d) {", nr);
		panel_rows(c, p, s, nr, nr);
		emit_close(&c->e, NULL);
		for (int v = isa->nv; v >= 1; v--) {
			emit_open(&c->e, v > 1 ? "else if (nr > %d) {" : "else {", (v - 1) * isa->vl);
			panel_rows(c, p, s, v * isa->vl, -1);
			emit_close(&c->e, NULL);
		}
	} else if (nt) { /* the last panel is narrower: N % NR columns (NC is a multiple of NR) */
		emit_open(&c->e, "if (nr == %d) {", nr);
		panel_rows(c, p, s, nr, nr);
		emit_close(&c->e, NULL);
		emit_open(&c->e, "else {");
		panel_rows(c, p, s, (int)((nt + isa->vl - 1) / isa->vl * isa->vl), (int)nt);
		emit_close(&c->e, NULL);
	} else {
		panel_rows(c, p, s, nr, nr);
	}
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
	emit_close(&c->e, NULL);
}

/* ---- one row times a packed product (recurrent nets) ---- */

void c_fast_emit_row_product(struct cgen *c, const struct c_fast_plan *p, const char *v, const char *b,
			     const char *y, int64_t k, int64_t n)
{
	const struct c_isa *isa = p->isa;
	int64_t nr = c_isa_nr(isa), full = n / nr * nr;
	if (full)
		emit_line(&c->e, "for (long j = 0; j < %lld; j += %lld)", (long long)full, (long long)nr);
	if (full)
		emit_line(&c->e, "\tdlc_ukr_1x%lld(%lld, %s, %s + j * %lld, %s + j, 0, %lld, 0);", (long long)nr,
			  (long long)k, v, b, (long long)k, y, (long long)nr);
	if (n > full && full)
		emit_line(&c->e, "dlc_ukr_1x%lld(%lld, %s, %s + %lld, %s + %lld, 0, %lld, 0);",
			  (long long)panel_width(isa, n - full), (long long)k, v, b, (long long)(full * k), y,
			  (long long)full, (long long)(n - full));
	else if (n > full)
		emit_line(&c->e, "dlc_ukr_1x%lld(%lld, %s, %s, %s, 0, %lld, 0);", (long long)panel_width(isa, n),
			  (long long)k, v, b, y, (long long)n);
}
