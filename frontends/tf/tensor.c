/* TensorFlow tensors: DataType codes, and TensorProto payloads (the packed
 * tensor_content, or a typed value field whose last value repeats to fill
 * the shape) into blobs.
 *
 * Sizes are validated against the declared shape before anything of that
 * size is allocated, and every constant the importer allocates is charged to
 * the import budget: a 20-byte Const saying "1.0 repeated 2^38 times" is an
 * error, not an allocation. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlc/util.h"
#include "frontends/tf/internal.h"

static const struct {
	enum dlc_dtype dt;
	const char *name;
} dtypes[] = {
	[0] = {DLC_DTYPE_UNKNOWN, "DT_INVALID"}, [1] = {DLC_F32, "DT_FLOAT"},
	[2] = {DLC_F64, "DT_DOUBLE"},             [3] = {DLC_I32, "DT_INT32"},
	[4] = {DLC_U8, "DT_UINT8"},               [5] = {DLC_I16, "DT_INT16"},
	[6] = {DLC_I8, "DT_INT8"},                [7] = {DLC_DTYPE_UNKNOWN, "DT_STRING"},
	[8] = {DLC_DTYPE_UNKNOWN, "DT_COMPLEX64"}, [9] = {DLC_I64, "DT_INT64"},
	[10] = {DLC_BOOL, "DT_BOOL"},             [11] = {DLC_DTYPE_UNKNOWN, "DT_QINT8"},
	[12] = {DLC_DTYPE_UNKNOWN, "DT_QUINT8"},  [13] = {DLC_DTYPE_UNKNOWN, "DT_QINT32"},
	[14] = {DLC_BF16, "DT_BFLOAT16"},         [15] = {DLC_DTYPE_UNKNOWN, "DT_QINT16"},
	[16] = {DLC_DTYPE_UNKNOWN, "DT_QUINT16"}, [17] = {DLC_U16, "DT_UINT16"},
	[18] = {DLC_DTYPE_UNKNOWN, "DT_COMPLEX128"}, [19] = {DLC_F16, "DT_HALF"},
	[20] = {DLC_DTYPE_UNKNOWN, "DT_RESOURCE"}, [21] = {DLC_DTYPE_UNKNOWN, "DT_VARIANT"},
	[22] = {DLC_U32, "DT_UINT32"},            [23] = {DLC_U64, "DT_UINT64"},
	[24] = {DLC_DTYPE_UNKNOWN, "DT_FLOAT8_E5M2"},
	[25] = {DLC_DTYPE_UNKNOWN, "DT_FLOAT8_E4M3FN"},
	[26] = {DLC_DTYPE_UNKNOWN, "DT_FLOAT8_E4M3FNUZ"},
	[27] = {DLC_DTYPE_UNKNOWN, "DT_FLOAT8_E4M3B11FNUZ"},
	[28] = {DLC_DTYPE_UNKNOWN, "DT_FLOAT8_E5M2FNUZ"},
	[29] = {DLC_DTYPE_UNKNOWN, "DT_INT4"},
	[30] = {DLC_DTYPE_UNKNOWN, "DT_UINT4"},
};
enum { NDTYPES = sizeof dtypes / sizeof *dtypes };

enum dlc_dtype tf_dtype(int t)
{
	return t >= 0 && t < NDTYPES ? dtypes[t].dt : DLC_DTYPE_UNKNOWN;
}

const char *tf_dtype_name(int t)
{
	static char buf[4][32];
	static int k;
	if (t >= 0 && t < NDTYPES)
		return dtypes[t].name;
	char *b = buf[k++ & 3];
	if (t > 100 && t - 100 < NDTYPES)
		snprintf(b, sizeof buf[0], "%s_REF", dtypes[t - 100].name);
	else
		snprintf(b, sizeof buf[0], "DT_<%d>", t);
	return b;
}

struct dlc_blob *tf_blob_new(struct tf_importer *im, const char *where, const char *op, size_t bytes)
{
	if (bytes > im->budget) {
		dlc_error_where(im->d, where, "%s: the constant needs %zu bytes, more than reading the model may still allocate (%zu; see --max-import-bytes)",
				op, bytes, im->budget);
		return NULL;
	}
	struct dlc_blob *b = dlc_blob_new(bytes);
	if (!b) {
		dlc_error_where(im->d, where, "%s: cannot allocate %zu bytes", op, bytes);
		return NULL;
	}
	im->budget -= bytes;
	return b;
}

/* Element count of the typed field that carries dt. */
static size_t field_count(const DlcTf__TensorProto *tp, enum dlc_dtype dt)
{
	switch (dt) {
	case DLC_F32: return tp->n_float_val;
	case DLC_F64: return tp->n_double_val;
	case DLC_I64: return tp->n_int64_val;
	case DLC_BOOL: return tp->n_bool_val;
	case DLC_F16: case DLC_BF16: return tp->n_half_val;
	case DLC_U32: return tp->n_uint32_val;
	case DLC_U64: return tp->n_uint64_val;
	default: return tp->n_int_val; /* i32 i16 i8 u8 u16 */
	}
}

/* Element k of the typed field, stored as dt at out. */
static void field_elem(const DlcTf__TensorProto *tp, enum dlc_dtype dt, size_t k, void *out)
{
	switch (dt) {
	case DLC_F32: *(float *)out = tp->float_val[k]; break;
	case DLC_F64: *(double *)out = tp->double_val[k]; break;
	case DLC_I64: *(int64_t *)out = tp->int64_val[k]; break;
	case DLC_BOOL: *(uint8_t *)out = tp->bool_val[k] != 0; break;
	case DLC_F16: case DLC_BF16: *(uint16_t *)out = (uint16_t)tp->half_val[k]; break;
	case DLC_U32: *(uint32_t *)out = tp->uint32_val[k]; break;
	case DLC_U64: *(uint64_t *)out = tp->uint64_val[k]; break;
	case DLC_I32: *(int32_t *)out = tp->int_val[k]; break;
	case DLC_I16: *(int16_t *)out = (int16_t)tp->int_val[k]; break;
	case DLC_U16: *(uint16_t *)out = (uint16_t)tp->int_val[k]; break;
	case DLC_I8: *(int8_t *)out = (int8_t)tp->int_val[k]; break;
	case DLC_U8: *(uint8_t *)out = (uint8_t)tp->int_val[k]; break;
	default: break;
	}
}

/* "where: error: op: msg" */
static int err(struct tf_importer *im, const char *where, const char *op, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int err(struct tf_importer *im, const char *where, const char *op, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	dlc_error_where(im->d, where, "%s: %s", op, msg);
	return -1;
}

int tf_tensor_to_blob(struct tf_importer *im, DlcTf__TensorProto *tp, const char *where,
		      const char *op, struct dlc_type *type, struct dlc_blob **blob)
{
	int code = tp->has_dtype ? (int)tp->dtype : 0;
	enum dlc_dtype dt = tf_dtype(code);
	if (dt == DLC_DTYPE_UNKNOWN)
		return err(im, where, op, "tensor has dtype %s, which dlc does not support", tf_dtype_name(code));
	const DlcTf__TensorShapeProto *sp = tp->tensor_shape;
	if (sp && sp->has_unknown_rank && sp->unknown_rank)
		return err(im, where, op, "tensor has an unknown rank");
	size_t rank = sp ? sp->n_dim : 0;
	if (rank > DLC_MAX_RANK)
		return err(im, where, op, "tensor has rank %zu, the maximum is %d", rank, DLC_MAX_RANK);
	*type = dlc_type_make(dt, (int)rank, NULL);
	for (size_t i = 0; i < rank; i++) {
		int64_t s = sp->dim[i]->has_size ? sp->dim[i]->size : 0;
		if (s < 0 || s > DLC_MAX_NUMEL)
			return err(im, where, op, "tensor dim %zu is %lld; dims must be in [0, %lld]", i,
				   (long long)s, (long long)DLC_MAX_NUMEL);
		type->dims[i] = s;
	}
	int64_t numel = dlc_type_numel(type);
	if (numel < 0)
		return err(im, where, op, "tensor has more than %lld elements", (long long)DLC_MAX_NUMEL);
	size_t esize = dlc_dtype_size(dt), nbytes = (size_t)numel * esize;
	if (tp->has_tensor_content && tp->tensor_content.len) {
		if (tp->tensor_content.len != nbytes)
			return err(im, where, op, "tensor_content has %zu bytes, its type needs %zu",
				   tp->tensor_content.len, nbytes);
		if (dt == DLC_BOOL) /* any nonzero byte is true */
			for (size_t i = 0; i < nbytes; i++)
				tp->tensor_content.data[i] = tp->tensor_content.data[i] != 0;
		/* the payload was counted when the file was read: take it */
		*blob = dlc_blob_take(tp->tensor_content.data, nbytes);
		tp->tensor_content.data = NULL;
		tp->tensor_content.len = 0;
		return 0;
	}
	size_t count = field_count(tp, dt);
	if (count > (size_t)numel)
		return err(im, where, op, "tensor holds %zu values, its shape has room for %lld", count,
			   (long long)numel);
	*blob = tf_blob_new(im, where, op, nbytes);
	if (!*blob)
		return -1;
	/* no values: zeros; fewer than the shape holds: the last one repeats */
	char *out = (*blob)->data;
	for (size_t k = 0; count && k < (size_t)numel; k++)
		field_elem(tp, dt, k < count ? k : count - 1, out + k * esize);
	return 0;
}
