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
	case DLC_I4:
	case DLC_I2: return "int8_t"; /* one value per byte, sign-extended */
	case DLC_U4:
	case DLC_U2:
	case DLC_F8E8M0:
	case DLC_F8E4M3FN:
	case DLC_F8E4M3FNUZ:
	case DLC_F8E5M2:
	case DLC_F8E5M2FNUZ:
	case DLC_F4E2M1: return "uint8_t";
	default: return NULL;
	}
}

enum dlc_dtype c_compute_dtype(enum dlc_dtype t)
{
	if (t == DLC_F16 || t == DLC_BF16 || dlc_dtype_is_minifloat(t))
		return DLC_F32;
	if (t == DLC_I4 || t == DLC_I2)
		return DLC_I8;
	return t == DLC_U4 || t == DLC_U2 ? DLC_U8 : t;
}

const char *c_load(char *buf, size_t size, enum dlc_dtype t, const char *expr)
{
	const char *f = NULL;
	switch (t) {
	case DLC_F16: f = "dlc_h2f"; break;
	case DLC_BF16: f = "dlc_bf2f"; break;
	case DLC_F8E4M3FN: f = "dlc_f8e4m3fn_to_f"; break;
	case DLC_F8E4M3FNUZ: f = "dlc_f8e4m3fnuz_to_f"; break;
	case DLC_F8E5M2: f = "dlc_f8e5m2_to_f"; break;
	case DLC_F8E5M2FNUZ: f = "dlc_f8e5m2fnuz_to_f"; break;
	case DLC_F4E2M1: f = "dlc_f4e2m1_to_f"; break;
	case DLC_F8E8M0: f = "dlc_f8e8m0_to_f"; break;
	default: break;
	}
	if (f)
		snprintf(buf, size, "%s(%s)", f, expr);
	else
		snprintf(buf, size, "%s", expr);
	return buf;
}

const char *c_store(char *buf, size_t size, enum dlc_dtype t, const char *expr)
{
	const char *f = NULL, *tail = "";
	switch (t) {
	case DLC_F16: f = "dlc_f2h"; break;
	case DLC_BF16: f = "dlc_f2bf"; break;
	case DLC_I4: f = "dlc_wrap_i4"; break;
	case DLC_U4: f = "dlc_wrap_u4"; break;
	case DLC_I2: f = "dlc_wrap_i2"; break;
	case DLC_U2: f = "dlc_wrap_u2"; break;
	/* 8-bit floats saturate, ONNX's default (Cast's saturate=0 is its own) */
	case DLC_F8E4M3FN: f = "dlc_f_to_f8e4m3fn"; tail = ", 1"; break;
	case DLC_F8E4M3FNUZ: f = "dlc_f_to_f8e4m3fnuz"; tail = ", 1"; break;
	case DLC_F8E5M2: f = "dlc_f_to_f8e5m2"; tail = ", 1"; break;
	case DLC_F8E5M2FNUZ: f = "dlc_f_to_f8e5m2fnuz"; tail = ", 1"; break;
	case DLC_F4E2M1: f = "dlc_f_to_f4e2m1"; break;
	/* E8M0's ONNX defaults: saturate, round up */
	case DLC_F8E8M0: f = "dlc_f_to_f8e8m0"; tail = ", 1, DLC_RT_ROUND_UP"; break;
	default: break;
	}
	if (f)
		snprintf(buf, size, "%s(%s%s)", f, expr, tail);
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
