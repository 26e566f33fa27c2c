/* dtypes and tensor types: names, sizes, equality, element counts. */
#include <stdio.h>
#include <string.h>

#include "dlc/ir.h"
#include "runtime/dlcrt.h" /* the narrow float conversions, shared with generated code */

static const struct {
	const char *name;
	size_t size;
} dtypes[DLC_NUM_DTYPES] = {
	[DLC_DTYPE_UNKNOWN] = {"?", 0},
	[DLC_F32] = {"f32", 4}, [DLC_F16] = {"f16", 2}, [DLC_BF16] = {"bf16", 2},
	[DLC_F64] = {"f64", 8}, [DLC_I8] = {"i8", 1},   [DLC_U8] = {"u8", 1},
	[DLC_I16] = {"i16", 2}, [DLC_U16] = {"u16", 2}, [DLC_I32] = {"i32", 4},
	[DLC_U32] = {"u32", 4}, [DLC_I64] = {"i64", 8}, [DLC_U64] = {"u64", 8},
	[DLC_BOOL] = {"bool", 1},
	[DLC_F8E4M3FN] = {"f8e4m3fn", 1}, [DLC_F8E4M3FNUZ] = {"f8e4m3fnuz", 1},
	[DLC_F8E5M2] = {"f8e5m2", 1}, [DLC_F8E5M2FNUZ] = {"f8e5m2fnuz", 1},
	[DLC_I4] = {"i4", 1}, [DLC_U4] = {"u4", 1}, [DLC_F4E2M1] = {"f4e2m1", 1},
	[DLC_F8E8M0] = {"f8e8m0", 1}, [DLC_I2] = {"i2", 1}, [DLC_U2] = {"u2", 1},
};

const char *dlc_dtype_name(enum dlc_dtype t)
{
	return (unsigned)t < DLC_NUM_DTYPES ? dtypes[t].name : "?";
}

enum dlc_dtype dlc_dtype_from_name(const char *s, size_t len)
{
	for (int t = 1; t < DLC_NUM_DTYPES; t++)
		if (strlen(dtypes[t].name) == len && !memcmp(dtypes[t].name, s, len))
			return (enum dlc_dtype)t;
	return DLC_DTYPE_UNKNOWN;
}

size_t dlc_dtype_size(enum dlc_dtype t)
{
	return (unsigned)t < DLC_NUM_DTYPES ? dtypes[t].size : 0;
}

bool dlc_dtype_is_float(enum dlc_dtype t)
{
	return t == DLC_F32 || t == DLC_F16 || t == DLC_BF16 || t == DLC_F64;
}

bool dlc_dtype_is_int(enum dlc_dtype t)
{
	return t >= DLC_I8 && t <= DLC_U64;
}

bool dlc_dtype_is_signed(enum dlc_dtype t)
{
	return t == DLC_I8 || t == DLC_I16 || t == DLC_I32 || t == DLC_I64 || t == DLC_I4 ||
	       t == DLC_I2 || dlc_dtype_is_float(t) || (dlc_dtype_is_minifloat(t) && t != DLC_F8E8M0);
}

bool dlc_dtype_is_subbyte_int(enum dlc_dtype t)
{
	return t == DLC_I4 || t == DLC_U4 || t == DLC_I2 || t == DLC_U2;
}

bool dlc_dtype_is_minifloat(enum dlc_dtype t)
{
	return t == DLC_F8E4M3FN || t == DLC_F8E4M3FNUZ || t == DLC_F8E5M2 ||
	       t == DLC_F8E5M2FNUZ || t == DLC_F8E8M0 || t == DLC_F4E2M1;
}

struct dlc_type dlc_type_unknown(void)
{
	struct dlc_type t;
	memset(&t, 0, sizeof t);
	t.rank = -1;
	return t;
}

struct dlc_type dlc_type_make(enum dlc_dtype dt, int rank, const int64_t *dims)
{
	struct dlc_type t;
	memset(&t, 0, sizeof t);
	t.dtype = dt;
	t.rank = rank;
	for (int i = 0; dims && i < rank && i < DLC_MAX_RANK; i++)
		t.dims[i] = dims[i];
	return t;
}

bool dlc_type_is_known(const struct dlc_type *t)
{
	return t->dtype != DLC_DTYPE_UNKNOWN && t->rank >= 0;
}

bool dlc_type_is_static(const struct dlc_type *t)
{
	if (!dlc_type_is_known(t))
		return false;
	for (int i = 0; i < t->rank; i++)
		if (t->dims[i] < 0)
			return false;
	return true;
}

bool dlc_type_equal(const struct dlc_type *a, const struct dlc_type *b)
{
	if (a->dtype != b->dtype || a->rank != b->rank)
		return false;
	for (int i = 0; i < a->rank; i++)
		if (a->dims[i] != b->dims[i])
			return false;
	return true;
}

int64_t dlc_type_numel(const struct dlc_type *t)
{
	if (!dlc_type_is_static(t))
		return -1;
	int64_t n = 1;
	for (int i = 0; i < t->rank; i++)
		if (__builtin_mul_overflow(n, t->dims[i], &n) || n > DLC_MAX_NUMEL)
			return -1;
	return n;
}

int64_t dlc_type_nbytes(const struct dlc_type *t)
{
	int64_t n = dlc_type_numel(t);
	return n < 0 ? -1 : n * (int64_t)dlc_dtype_size(t->dtype);
}

char *dlc_type_str(const struct dlc_graph *g, const struct dlc_type *t,
		   char *buf, size_t size)
{
	size_t len = 0;
#define PUT(...)                                                               \
	do {                                                                   \
		int k = snprintf(buf + len, len < size ? size - len : 0,      \
				 __VA_ARGS__);                                 \
		if (k > 0)                                                     \
			len += (size_t)k;                                      \
	} while (0)
	PUT("%s", dlc_dtype_name(t->dtype));
	if (t->rank < 0) {
		PUT("[*]");
	} else {
		PUT("[");
		for (int i = 0; i < t->rank; i++) {
			int64_t d = t->dims[i];
			if (i)
				PUT(",");
			if (d >= 0)
				PUT("%lld", (long long)d);
			else if (d == DLC_DIM_UNKNOWN || !g)
				PUT("?");
			else
				PUT("%s", dlc_graph_sym_name(g, d));
		}
		PUT("]");
	}
#undef PUT
	if (size && len >= size)
		buf[size - 1] = 0;
	return buf;
}

double dlc_minifloat_to_f64(enum dlc_dtype t, uint8_t bits)
{
	switch (t) {
	case DLC_F8E4M3FN: return dlc_f8e4m3fn_to_f(bits);
	case DLC_F8E4M3FNUZ: return dlc_f8e4m3fnuz_to_f(bits);
	case DLC_F8E5M2: return dlc_f8e5m2_to_f(bits);
	case DLC_F8E5M2FNUZ: return dlc_f8e5m2fnuz_to_f(bits);
	case DLC_F4E2M1: return dlc_f4e2m1_to_f(bits);
	case DLC_F8E8M0: return dlc_f8e8m0_to_f(bits);
	default: return 0;
	}
}

uint8_t dlc_f64_to_minifloat(enum dlc_dtype t, double v)
{
	switch (t) {
	case DLC_F8E4M3FN: return dlc_f_to_f8e4m3fn(v, 0);
	case DLC_F8E4M3FNUZ: return dlc_f_to_f8e4m3fnuz(v, 0);
	case DLC_F8E5M2: return dlc_f_to_f8e5m2(v, 0);
	case DLC_F8E5M2FNUZ: return dlc_f_to_f8e5m2fnuz(v, 0);
	case DLC_F4E2M1: return dlc_f_to_f4e2m1(v);
	case DLC_F8E8M0: return dlc_f_to_f8e8m0((float)v, 0, DLC_RT_ROUND_NEAREST);
	default: return 0;
	}
}

int64_t dlc_float_to_int(enum dlc_dtype t, double v)
{
	if (t == DLC_U64)
		return (int64_t)dlc_f2u64(v);
	if (t == DLC_I64 || t == DLC_U32)
		return dlc_f2i64(v);
	return dlc_f2i32(v);
}
