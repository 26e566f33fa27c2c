/* Small shared utilities: memory pools, a string map, a string builder and
 * checked allocation. Internal to dlc (not part of the generated code). */
#ifndef DLC_UTIL_H
#define DLC_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Allocation that aborts with a message on OOM (dlc_internal_error): sizes
 * driven by input files are validated before they get here. */
void *dlc_xmalloc(size_t n);
void *dlc_xcalloc(size_t n, size_t size);
void *dlc_xrealloc(void *p, size_t n);
char *dlc_xstrdup(const char *s);

/* Grows *arr (elements of `size` bytes) so that index `need-1` fits. */
void dlc_grow(void **arr, int *cap, int need, size_t size);
#define DLC_GROW(arr, cap, need) \
	dlc_grow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

/* Bump allocator: objects live until the pool is freed. */
struct dlc_pool;
struct dlc_pool *dlc_pool_new(void);
void dlc_pool_free(struct dlc_pool *p);
void *dlc_pool_alloc(struct dlc_pool *p, size_t size); /* zeroed, 16-aligned */

/* String -> pointer map (open addressing). Keys are copied. */
struct dlc_strmap;
struct dlc_strmap *dlc_strmap_new(void);
void dlc_strmap_free(struct dlc_strmap *m);
void *dlc_strmap_get(const struct dlc_strmap *m, const char *key, size_t len);
void dlc_strmap_put(struct dlc_strmap *m, const char *key, size_t len, void *val);
bool dlc_strmap_del(struct dlc_strmap *m, const char *key, size_t len);

/* Growable string. */
struct dlc_strbuf {
	char *s;
	size_t len, cap;
};
void dlc_sb_putc(struct dlc_strbuf *b, char c);
void dlc_sb_puts(struct dlc_strbuf *b, const char *s);
void dlc_sb_putn(struct dlc_strbuf *b, const char *s, size_t n);
void dlc_sb_printf(struct dlc_strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void dlc_sb_vprintf(struct dlc_strbuf *b, const char *fmt, va_list ap);
char *dlc_sb_take(struct dlc_strbuf *b); /* returns s ("" if empty), resets b */
void dlc_sb_free(struct dlc_strbuf *b);

/* Shortest decimal text that reads back as exactly v in precision `bits`
 * (64: f64, 32: f32, 16: f16, -16: bf16): "1.0", "1e-05", "nan", "inf".
 * Always has a '.' or exponent so it reads as a float. */
void dlc_format_float(char *buf, size_t size, double v, int bits);

/* 64-bit FNV-1a. The runtime checks weights sidecars with the same hash
 * (runtime/weights.c): the two must agree. */
uint64_t dlc_fnv1a(const void *data, size_t size);

/* Half-precision conversions (round to nearest even; NaN stays NaN). */
float dlc_f16_to_f32(uint16_t h);
uint16_t dlc_f32_to_f16(float f);
float dlc_bf16_to_f32(uint16_t h);
uint16_t dlc_f32_to_bf16(float f);

/* Whole file ("-": stdin) into memory, NUL-terminated. NULL and errno on
 * failure (EISDIR for a directory). */
char *dlc_read_file(const char *path, size_t *len);

/* Overflow-checked arithmetic on sizes. */
static inline bool dlc_mul_overflow(int64_t a, int64_t b, int64_t *r)
{
	return __builtin_mul_overflow(a, b, r);
}

#endif
