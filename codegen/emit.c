/* Emitter helpers: indentation, identifiers, C spellings of types and
 * constants. */
#include "codegen/emit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlc/codegen.h"

static void put_indent(struct emitter *e)
{
	for (int i = 0; i < e->indent; i++)
		dlc_sb_putc(&e->out, '\t');
}

static void vline(struct emitter *e, const char *fmt, va_list ap)
{
	if (*fmt)
		put_indent(e);
	dlc_sb_vprintf(&e->out, fmt, ap);
	dlc_sb_putc(&e->out, '\n');
}

void emit_line(struct emitter *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(e, fmt, ap);
	va_end(ap);
}

void emit_blank(struct emitter *e)
{
	dlc_sb_putc(&e->out, '\n');
}

void emit_open(struct emitter *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(e, fmt, ap);
	va_end(ap);
	e->indent++;
}

void emit_close(struct emitter *e, const char *text)
{
	e->indent--;
	emit_line(e, "%s", text ? text : "}");
}

static const char *const keywords[] = {
	"auto", "break", "case", "char", "const", "continue", "default", "do", "double",
	"else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
	"register", "restrict", "return", "short", "signed", "sizeof", "static", "struct",
	"switch", "typedef", "union", "unsigned", "void", "volatile", "while", "bool",
	"true", "false", "main", "in", "out", "arena", NULL,
};

void c_ident(char *buf, size_t size, const char *name)
{
	size_t n = 0;
	bool sep = false;
	for (const char *p = name; *p && n + 2 < size; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (ok) {
			if (sep && n > 0)
				buf[n++] = '_';
			sep = false;
			buf[n++] = c;
		} else {
			sep = true; /* '_' included: runs collapse, ends trim */
		}
	}
	buf[n] = 0;
	if (n == 0 || (buf[0] >= '0' && buf[0] <= '9')) {
		memmove(buf + 1, buf, n + 1 < size - 1 ? n + 1 : size - 2);
		buf[0] = 'v';
		buf[size - 1] = 0;
	}
	for (const char *const *k = keywords; *k; k++)
		if (!strcmp(buf, *k)) {
			size_t l = strlen(buf);
			if (l + 2 < size) {
				buf[l] = '_';
				buf[l + 1] = 0;
			}
		}
}

const char *c_type(enum dlc_dtype t)
{
	switch (t) {
	case DLC_F32: return "float";
	case DLC_F64: return "double";
	case DLC_I8: return "int8_t";
	case DLC_U8: return "uint8_t";
	case DLC_I16: return "int16_t";
	case DLC_U16: return "uint16_t";
	case DLC_I32: return "int32_t";
	case DLC_U32: return "uint32_t";
	case DLC_I64: return "int64_t";
	case DLC_U64: return "uint64_t";
	case DLC_BOOL: return "bool";
	case DLC_F16:
	case DLC_BF16: return "uint16_t";
	default: return NULL;
	}
}

enum dlc_dtype c_compute_dtype(enum dlc_dtype t)
{
	return t == DLC_F16 || t == DLC_BF16 ? DLC_F32 : t;
}

const char *c_load(char *buf, size_t size, enum dlc_dtype t, const char *expr)
{
	if (t == DLC_F16 || t == DLC_BF16)
		snprintf(buf, size, "%s(%s)", t == DLC_F16 ? "dlc_h2f" : "dlc_bf2f", expr);
	else
		snprintf(buf, size, "%s", expr);
	return buf;
}

const char *c_store(char *buf, size_t size, enum dlc_dtype t, const char *expr)
{
	if (t == DLC_F16 || t == DLC_BF16)
		snprintf(buf, size, "%s(%s)", t == DLC_F16 ? "dlc_f2h" : "dlc_f2bf", expr);
	else
		snprintf(buf, size, "%s", expr);
	return buf;
}

void c_float(char *buf, size_t size, double v, enum dlc_dtype t)
{
	bool f32 = t != DLC_F64;
	if (isnan(v)) {
		snprintf(buf, size, "NAN");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, size, v < 0 ? "-INFINITY" : "INFINITY");
		return;
	}
	dlc_format_float(buf, size, v, f32 ? 32 : 64);
	if (f32 && strlen(buf) + 2 < size)
		strcat(buf, "f");
}

void c_float_exact(char *buf, size_t size, double v, bool f32)
{
	if (isnan(v) || isinf(v)) {
		c_float(buf, size, v, f32 ? DLC_F32 : DLC_F64);
		return;
	}
	snprintf(buf, size, "%.*g", f32 ? 9 : 17, v);
	if (!strpbrk(buf, ".e") && strlen(buf) + 3 < size)
		strcat(buf, ".0"); /* "1f" is not C: a float literal needs a . or exponent */
	if (f32 && strlen(buf) + 2 < size)
		strcat(buf, "f");
}

void dlc_codegen_result_free(struct dlc_codegen_result *r)
{
	free(r->source);
	free(r->header);
	free(r->weights);
	for (int i = 0; i < r->ninputs; i++)
		free(r->input_fields[i]);
	for (int i = 0; i < r->noutputs; i++)
		free(r->output_fields[i]);
	free(r->input_fields);
	free(r->output_fields);
	memset(r, 0, sizeof *r);
}

const struct dlc_target *dlc_target_find(const char *name)
{
	if (!strcmp(name, "c"))
		return &dlc_target_c;
	return NULL;
}
