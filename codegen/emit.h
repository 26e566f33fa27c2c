/* The emitter: writes generated source line by line with tracked
 * indentation, so kernels read like hand-written code and emitting code
 * stays free of string fragments. Shared by all targets. */
#ifndef DLC_CODEGEN_EMIT_H
#define DLC_CODEGEN_EMIT_H

#include <stdarg.h>

#include "dlc/ir.h"
#include "dlc/util.h"

struct emitter {
	struct dlc_strbuf out;
	int indent;
};

/* An empty line. */
void emit_blank(struct emitter *e);
/* One line at the current indentation. */
void emit_line(struct emitter *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A line that opens a block ("for (...) {"): the following lines indent. */
void emit_open(struct emitter *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Closes a block with "}" (or the given text, e.g. "};"). */
void emit_close(struct emitter *e, const char *text);

/* A C identifier from any name: [A-Za-z0-9_] kept, runs of other characters
 * become '_', leading digits and C keywords get a prefix/suffix. */
void c_ident(char *buf, size_t size, const char *name);

/* C spelling of a dtype's storage ("float", "int64_t"; f16 and bf16 are
 * "uint16_t", the 8- and 4-bit floats "uint8_t", i4/i2 "int8_t" and u4/u2
 * "uint8_t", one value per byte); NULL if the C target cannot hold it. */
const char *c_type(enum dlc_dtype t);
/* The dtype arithmetic happens in: f16, bf16 and the minifloats compute in
 * f32, i4/i2 in i8 and u4/u2 in u8 (stores wrap to 4 or 2 bits). */
enum dlc_dtype c_compute_dtype(enum dlc_dtype t);
/* "x[i]" as a value of the compute type ("dlc_h2f(x[i])" for f16), and a
 * compute-type expression converted for storage ("dlc_f2h(e)"). */
const char *c_load(char *buf, size_t size, enum dlc_dtype t, const char *expr);
const char *c_store(char *buf, size_t size, enum dlc_dtype t, const char *expr);

/* A float constant as C source ("0.5f", "-INFINITY"), shortest exact form. */
void c_float(char *buf, size_t size, double v, enum dlc_dtype t);
/* The same with a fixed 9 (f32) or 17 (f64) significant digits: exact, and
 * fast enough for millions of weights. */
void c_float_exact(char *buf, size_t size, double v, bool f32);

#endif
