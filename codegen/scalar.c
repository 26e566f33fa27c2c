/* Scalar formulas of elementwise ops. NaN propagates as in ONNX Runtime and
 * PyTorch: comparisons are written so that a NaN operand comes out. */
#include "codegen/scalar.h"

#include <stdio.h>
#include <string.h>

/* libm name for the dtype: expf vs exp */
static const char *fn(enum dlc_dtype t, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, t == DLC_F64 ? "%s" : "%sf", name);
	return buf;
}

bool scalar_expr(struct dlc_strbuf *b, enum dlc_op op, enum dlc_dtype t,
		 const char *const *args)
{
	bool flt = dlc_dtype_is_float(t);
	const char *one = t == DLC_F64 ? "1.0" : flt ? "1.0f" : "1";
	const char *zero = t == DLC_F64 ? "0.0" : flt ? "0.0f" : "0";
	char f[16];
	switch (op) {
	case DLC_OP_ADD: dlc_sb_printf(b, "%s + %s", args[0], args[1]); return true;
	case DLC_OP_SUB: dlc_sb_printf(b, "%s - %s", args[0], args[1]); return true;
	case DLC_OP_MUL: dlc_sb_printf(b, "%s * %s", args[0], args[1]); return true;
	case DLC_OP_DIV: dlc_sb_printf(b, "%s / %s", args[0], args[1]); return true;
	case DLC_OP_RELU:
		dlc_sb_printf(b, "%s < %s ? %s : %s", args[0], zero, zero, args[0]);
		return true;
	case DLC_OP_SIGMOID:
		if (!flt)
			return false;
		dlc_sb_printf(b, "%s / (%s + %s(-%s))", one, one, fn(t, "exp", f, sizeof f), args[0]);
		return true;
	case DLC_OP_TANH:
		if (!flt)
			return false;
		dlc_sb_printf(b, "%s(%s)", fn(t, "tanh", f, sizeof f), args[0]);
		return true;
	case DLC_OP_IDENTITY:
		dlc_sb_puts(b, args[0]);
		return true;
	default:
		return false;
	}
}
