/* Shared utilities: checked allocation, the bump pool, the string builder,
 * exact float formatting and file reading. */
#include "dlc/util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dlc/diag.h"

void *dlc_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		dlc_internal_error(__FILE__, __LINE__, "out of memory");
	return p;
}

void *dlc_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		dlc_internal_error(__FILE__, __LINE__, "out of memory");
	return p;
}

void *dlc_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		dlc_internal_error(__FILE__, __LINE__, "out of memory");
	return p;
}

char *dlc_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(dlc_xmalloc(n), s, n);
}

void dlc_grow(void **arr, int *cap, int need, size_t size)
{
	if (need <= *cap)
		return;
	int c = *cap ? *cap : 4;
	while (c < need)
		c *= 2;
	*arr = dlc_xrealloc(*arr, (size_t)c * size);
	memset((char *)*arr + (size_t)*cap * size, 0, (size_t)(c - *cap) * size);
	*cap = c;
}

/* ---- pool: a list of chunks; big requests get a chunk of their own ---- */

struct chunk {
	struct chunk *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

struct dlc_pool {
	struct chunk *head;
};

enum { CHUNK_SIZE = 64 * 1024 };

struct dlc_pool *dlc_pool_new(void)
{
	return dlc_xcalloc(1, sizeof(struct dlc_pool));
}

void dlc_pool_free(struct dlc_pool *p)
{
	if (!p)
		return;
	for (struct chunk *c = p->head, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(p);
}

void *dlc_pool_alloc(struct dlc_pool *p, size_t size)
{
	size = (size + 15) & ~(size_t)15;
	struct chunk *c = p->head;
	if (!c || c->size - c->used < size) {
		size_t cs = size > CHUNK_SIZE / 4 ? size : CHUNK_SIZE;
		c = dlc_xmalloc(sizeof(struct chunk) + cs);
		c->used = 0;
		c->size = cs;
		if (size > CHUNK_SIZE / 4 && p->head) {
			/* keep filling the current chunk; park the big one behind it */
			c->next = p->head->next;
			p->head->next = c;
		} else {
			c->next = p->head;
			p->head = c;
		}
	}
	void *r = c->data + c->used;
	c->used += size;
	memset(r, 0, size);
	return r;
}

/* ---- string builder ---- */

static void sb_reserve(struct dlc_strbuf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t c = b->cap ? b->cap : 64;
	while (c < b->len + extra + 1)
		c *= 2;
	b->s = dlc_xrealloc(b->s, c);
	b->cap = c;
}

void dlc_sb_putn(struct dlc_strbuf *b, const char *s, size_t n)
{
	sb_reserve(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

void dlc_sb_putc(struct dlc_strbuf *b, char c)
{
	dlc_sb_putn(b, &c, 1);
}

void dlc_sb_puts(struct dlc_strbuf *b, const char *s)
{
	dlc_sb_putn(b, s, strlen(s));
}

void dlc_sb_vprintf(struct dlc_strbuf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	sb_reserve(b, (size_t)n);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void dlc_sb_printf(struct dlc_strbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	dlc_sb_vprintf(b, fmt, ap);
	va_end(ap);
}

char *dlc_sb_take(struct dlc_strbuf *b)
{
	char *s = b->s ? b->s : dlc_xstrdup("");
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void dlc_sb_free(struct dlc_strbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

uint64_t dlc_fnv1a(const void *data, size_t size)
{
	const unsigned char *p = data;
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < size; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

/* ---- floats ---- */

static bool reads_back(const char *buf, double v, int bits)
{
	switch (bits) {
	case 64: return strtod(buf, NULL) == v;
	case 32: return strtof(buf, NULL) == (float)v;
	case 16: return dlc_f32_to_f16(strtof(buf, NULL)) == dlc_f32_to_f16((float)v);
	default: return dlc_f32_to_bf16(strtof(buf, NULL)) == dlc_f32_to_bf16((float)v);
	}
}

void dlc_format_float(char *buf, size_t size, double v, int bits)
{
	if (isnan(v)) {
		snprintf(buf, size, "nan");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, size, v < 0 ? "-inf" : "inf");
		return;
	}
	/* The fewest significant digits that read back to the same value. */
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, v);
		if (reads_back(buf, v, bits))
			break;
	}
	if (!strpbrk(buf, ".en")) {
		size_t n = strlen(buf);
		if (n + 3 <= size)
			memcpy(buf + n, ".0", 3);
	}
}

char *dlc_read_file(const char *path, size_t *len)
{
	bool std_in = !strcmp(path, "-");
	FILE *f = std_in ? stdin : fopen(path, "rb");
	if (!f)
		return NULL;
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		if (!std_in)
			fclose(f);
		errno = EISDIR;
		return NULL;
	}
	struct dlc_strbuf b = {0};
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		dlc_sb_putn(&b, tmp, n);
	int err = ferror(f);
	if (!std_in)
		fclose(f);
	if (err) {
		dlc_sb_free(&b);
		errno = EIO;
		return NULL;
	}
	*len = b.len;
	return dlc_sb_take(&b);
}
