/* ONNX tensors: data types, TensorProto payloads (raw_data, the typed
 * repeated fields, external files) into blobs, and test-data files.
 *
 * Sizes are validated against the declared shape before anything of that
 * size is allocated. External data is read only from inside the model's
 * directory: absolute paths, ".." components and symlinks that resolve
 * outside it are errors. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frontends/onnx/internal.h"
#include "frontends/pbcheck.h"
#include "dlc/util.h"

static const struct {
	enum dlc_dtype dt;
	const char *name;
} dtypes[] = {
	[0] = {DLC_DTYPE_UNKNOWN, "UNDEFINED"}, [1] = {DLC_F32, "FLOAT"},
	[2] = {DLC_U8, "UINT8"},      [3] = {DLC_I8, "INT8"},
	[4] = {DLC_U16, "UINT16"},    [5] = {DLC_I16, "INT16"},
	[6] = {DLC_I32, "INT32"},     [7] = {DLC_I64, "INT64"},
	[8] = {DLC_DTYPE_UNKNOWN, "STRING"}, [9] = {DLC_BOOL, "BOOL"},
	[10] = {DLC_F16, "FLOAT16"},  [11] = {DLC_F64, "DOUBLE"},
	[12] = {DLC_U32, "UINT32"},   [13] = {DLC_U64, "UINT64"},
	[14] = {DLC_DTYPE_UNKNOWN, "COMPLEX64"},
	[15] = {DLC_DTYPE_UNKNOWN, "COMPLEX128"},
	[16] = {DLC_BF16, "BFLOAT16"},
	[17] = {DLC_F8E4M3FN, "FLOAT8E4M3FN"},
	[18] = {DLC_F8E4M3FNUZ, "FLOAT8E4M3FNUZ"},
	[19] = {DLC_F8E5M2, "FLOAT8E5M2"},
	[20] = {DLC_F8E5M2FNUZ, "FLOAT8E5M2FNUZ"},
	[21] = {DLC_U4, "UINT4"},
	[22] = {DLC_I4, "INT4"},
	[23] = {DLC_F4E2M1, "FLOAT4E2M1"},
	[24] = {DLC_F8E8M0, "FLOAT8E8M0"},
	[25] = {DLC_U2, "UINT2"},
	[26] = {DLC_I2, "INT2"},
	[27] = {DLC_DTYPE_UNKNOWN, "FLOAT6E2M3"},
	[28] = {DLC_DTYPE_UNKNOWN, "FLOAT6E3M2"},
};
enum { NDTYPES = sizeof dtypes / sizeof *dtypes };

enum dlc_dtype onnx_dtype(int32_t t)
{
	return t >= 0 && t < NDTYPES ? dtypes[t].dt : DLC_DTYPE_UNKNOWN;
}

const char *onnx_dtype_name(int32_t t)
{
	return t >= 0 && t < NDTYPES ? dtypes[t].name : "UNKNOWN";
}

/* ---- external data ---- */

/* Resolves `location` inside `dir`, refusing anything that escapes it. */
static int external_path(const char *dir, const char *location, const char *where,
			 struct dlc_diag *d, char *out, size_t size)
{
	if (!dir) {
		dlc_error_where(d, where, "tensor data is stored in an external file, which is only read for models loaded from a file");
		return -1;
	}
	if (!*location || location[0] == '/') {
		dlc_error_where(d, where, "external data location '%s' must be a relative path inside the model's directory", location);
		return -1;
	}
	for (const char *p = location; *p;) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 2 && !memcmp(p, "..", 2)) {
			dlc_error_where(d, where, "external data location '%s' escapes the model's directory ('..')", location);
			return -1;
		}
		p += n + (e ? 1 : 0);
	}
	char base[PATH_MAX], full[PATH_MAX], real[PATH_MAX];
	if (!realpath(dir, base)) {
		dlc_error_where(d, where, "cannot resolve the model's directory '%s': %s", dir, strerror(errno));
		return -1;
	}
	if ((size_t)snprintf(full, sizeof full, "%s/%s", base, location) >= sizeof full) {
		dlc_error_where(d, where, "external data path is too long");
		return -1;
	}
	if (!realpath(full, real)) {
		dlc_error_where(d, where, "cannot open external data '%s': %s", location, strerror(errno));
		return -1;
	}
	size_t bl = strlen(base);
	if (strncmp(real, base, bl) || (real[bl] != '/' && strcmp(base, "/"))) {
		dlc_error_where(d, where, "external data location '%s' resolves to '%s', outside the model's directory", location, real);
		return -1;
	}
	snprintf(out, size, "%s", real);
	return 0;
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;
	if (!*s || *s == '-')
		return false;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (*end || errno)
		return false;
	*v = x;
	return true;
}

static int read_external(const DlcOnnx__TensorProto *tp, const char *dir,
			 const char *where, struct dlc_diag *d, size_t nbytes,
			 struct dlc_blob **blob)
{
	const char *location = NULL;
	uint64_t offset = 0, length = nbytes;
	bool has_length = false;
	for (size_t i = 0; i < tp->n_external_data; i++) {
		const DlcOnnx__StringStringEntryProto *e = tp->external_data[i];
		const char *k = e->key ? e->key : "", *v = e->value ? e->value : "";
		if (!strcmp(k, "location")) {
			location = v;
		} else if (!strcmp(k, "offset") || !strcmp(k, "length")) {
			uint64_t x;
			if (!parse_u64(v, &x)) {
				dlc_error_where(d, where, "external data %s '%s' is not a non-negative integer", k, v);
				return -1;
			}
			if (k[0] == 'o')
				offset = x;
			else {
				length = x;
				has_length = true;
			}
		}
	}
	if (!location) {
		dlc_error_where(d, where, "external data has no 'location'");
		return -1;
	}
	if (has_length && length != nbytes) {
		dlc_error_where(d, where, "external data length %llu does not match the %zu bytes of its type",
				(unsigned long long)length, nbytes);
		return -1;
	}
	char path[PATH_MAX];
	if (external_path(dir, location, where, d, path, sizeof path) < 0)
		return -1;
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		dlc_error_where(d, where, "cannot read external data '%s': %s", location,
				fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (offset > (uint64_t)st.st_size || nbytes > (uint64_t)st.st_size - offset) {
		dlc_error_where(d, where, "external data '%s' has %lld bytes; %zu bytes at offset %llu do not fit",
				location, (long long)st.st_size, nbytes, (unsigned long long)offset);
		close(fd);
		return -1;
	}
	struct dlc_blob *b = dlc_blob_new(nbytes);
	size_t done = 0;
	while (b && done < nbytes) {
		ssize_t r = pread(fd, (char *)b->data + done, nbytes - done, (off_t)(offset + done));
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	close(fd);
	if (!b || done != nbytes) {
		dlc_blob_unref(b);
		dlc_error_where(d, where, "cannot read external data '%s'", location);
		return -1;
	}
	*blob = b;
	return 0;
}

/* ---- payloads ---- */

/* Converts `count` elements of a typed repeated field into dtype dt. */
static void convert_field(const DlcOnnx__TensorProto *tp, enum dlc_dtype dt, void *out,
			  size_t count)
{
	for (size_t i = 0; i < count; i++) {
		switch (dt) {
		case DLC_F32: ((float *)out)[i] = tp->float_data[i]; break;
		case DLC_F64: ((double *)out)[i] = tp->double_data[i]; break;
		case DLC_I64: ((int64_t *)out)[i] = tp->int64_data[i]; break;
		case DLC_U64: ((uint64_t *)out)[i] = tp->uint64_data[i]; break;
		case DLC_U32: ((uint32_t *)out)[i] = (uint32_t)tp->uint64_data[i]; break;
		case DLC_I32: ((int32_t *)out)[i] = tp->int32_data[i]; break;
		case DLC_I16: ((int16_t *)out)[i] = (int16_t)tp->int32_data[i]; break;
		case DLC_U16: ((uint16_t *)out)[i] = (uint16_t)tp->int32_data[i]; break;
		case DLC_F16: /* fp16/bf16 bits travel in int32_data */
		case DLC_BF16: ((uint16_t *)out)[i] = (uint16_t)tp->int32_data[i]; break;
		case DLC_I8: ((int8_t *)out)[i] = (int8_t)tp->int32_data[i]; break;
		case DLC_U8: ((uint8_t *)out)[i] = (uint8_t)tp->int32_data[i]; break;
		case DLC_BOOL: ((uint8_t *)out)[i] = tp->int32_data[i] != 0; break;
		case DLC_F8E4M3FN: /* 8-bit float bits, one per int32 */
		case DLC_F8E4M3FNUZ:
		case DLC_F8E5M2:
		case DLC_F8E5M2FNUZ:
		case DLC_F8E8M0: ((uint8_t *)out)[i] = (uint8_t)tp->int32_data[i]; break;
		default: break;
		}
	}
}

/* ONNX packs the 4-bit types two per byte and the 2-bit ones four per
 * byte, the first element in the lowest bits; the IR holds one per byte
 * (i4 and i2 sign-extended). Bits per element, or 0 if not packed. */
static int packed_bits(enum dlc_dtype dt)
{
	return dt == DLC_I4 || dt == DLC_U4 || dt == DLC_F4E2M1 ? 4 : dt == DLC_I2 || dt == DLC_U2 ? 2 : 0;
}

static void unpack(enum dlc_dtype dt, const uint8_t *src, uint8_t *dst, size_t count)
{
	int bits = packed_bits(dt), per = 8 / bits;
	unsigned mask = (1u << bits) - 1, sign = 1u << (bits - 1);
	for (size_t i = 0; i < count; i++) {
		unsigned v = (src[i / (size_t)per] >> (bits * (int)(i % (size_t)per))) & mask;
		dst[i] = dt == DLC_I4 || dt == DLC_I2 ? (uint8_t)(int8_t)((int)(v ^ sign) - (int)sign)
						       : (uint8_t)v;
	}
}

/* Element count of the typed field that carries dt. */
static size_t field_count(const DlcOnnx__TensorProto *tp, enum dlc_dtype dt)
{
	switch (dt) {
	case DLC_F32: return tp->n_float_data;
	case DLC_F64: return tp->n_double_data;
	case DLC_I64: return tp->n_int64_data;
	case DLC_U64: case DLC_U32: return tp->n_uint64_data;
	default: return tp->n_int32_data;
	}
}

/* The payload of a 4- or 2-bit tensor of `count` elements: count / 2 (or 4)
 * bytes rounded up, in raw_data, external data or int32_data (one byte per
 * int32), unpacked into one element per byte. */
static int read_packed(DlcOnnx__TensorProto *tp, const char *dir, const char *where,
		       struct dlc_diag *d, enum dlc_dtype dt, size_t count, struct dlc_blob **blob)
{
	size_t per = (size_t)(8 / packed_bits(dt)), wire = (count + per - 1) / per;
	struct dlc_blob *packed = NULL;
	const uint8_t *src;
	uint8_t *field = NULL;
	if (tp->has_data_location && tp->data_location == DLC_ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) {
		if (read_external(tp, dir, where, d, wire, &packed) < 0)
			return -1;
		src = packed->data;
	} else if (tp->has_raw_data) {
		if (tp->raw_data.len != wire) {
			dlc_error_where(d, where, "tensor raw_data has %zu bytes, its type needs %zu (%zu values per byte)",
					tp->raw_data.len, wire, per);
			return -1;
		}
		src = tp->raw_data.data;
	} else {
		if (tp->n_int32_data != wire) {
			dlc_error_where(d, where, "tensor holds %zu values, its type needs %zu (%zu packed values per int32)",
					tp->n_int32_data, wire, per);
			return -1;
		}
		field = dlc_xmalloc(wire ? wire : 1);
		for (size_t i = 0; i < wire; i++)
			field[i] = (uint8_t)tp->int32_data[i];
		src = field;
	}
	*blob = dlc_blob_new(count);
	if (*blob && count)
		unpack(dt, src, (*blob)->data, count);
	dlc_blob_unref(packed);
	free(field);
	if (!*blob) {
		dlc_error_where(d, where, "cannot allocate %zu bytes", count);
		return -1;
	}
	return 0;
}

int onnx_tensor_to_blob(DlcOnnx__TensorProto *tp, const char *dir,
			const char *where, struct dlc_diag *d,
			struct dlc_type *type, struct dlc_blob **blob)
{
	int32_t odt = tp->has_data_type ? tp->data_type : 0;
	enum dlc_dtype dt = onnx_dtype(odt);
	if (dt == DLC_DTYPE_UNKNOWN) {
		dlc_error_where(d, where, "tensor has data type %s (%d), which dlc does not support",
				onnx_dtype_name(odt), (int)odt);
		return -1;
	}
	if (tp->n_dims > DLC_MAX_RANK) {
		dlc_error_where(d, where, "tensor has rank %zu, the maximum is %d", tp->n_dims, DLC_MAX_RANK);
		return -1;
	}
	*type = dlc_type_make(dt, (int)tp->n_dims, tp->dims);
	for (size_t i = 0; i < tp->n_dims; i++)
		if (tp->dims[i] < 0) {
			dlc_error_where(d, where, "tensor dim %zu is %lld; dims must be >= 0", i,
					(long long)tp->dims[i]);
			return -1;
		}
	int64_t numel = dlc_type_numel(type);
	if (numel < 0) {
		dlc_error_where(d, where, "tensor has more than %lld elements", (long long)DLC_MAX_NUMEL);
		return -1;
	}
	size_t nbytes = (size_t)numel * dlc_dtype_size(dt);
	if (packed_bits(dt)) /* stored packed, held unpacked */
		return read_packed(tp, dir, where, d, dt, (size_t)numel, blob);
	if (tp->has_data_location && tp->data_location == DLC_ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
		return read_external(tp, dir, where, d, nbytes, blob);
	if (tp->has_raw_data) {
		if (tp->raw_data.len != nbytes) {
			dlc_error_where(d, where, "tensor raw_data has %zu bytes, its type needs %zu",
					tp->raw_data.len, nbytes);
			return -1;
		}
		if (nbytes && tp->raw_data.data) { /* take the buffer: no copy */
			*blob = dlc_blob_take(tp->raw_data.data, nbytes);
			tp->raw_data.data = NULL;
			tp->raw_data.len = 0;
			return 0;
		}
		*blob = dlc_blob_new(nbytes);
		return 0;
	}
	size_t count = field_count(tp, dt);
	if (count != (size_t)numel) {
		dlc_error_where(d, where, "tensor holds %zu values, its type needs %lld", count,
				(long long)numel);
		return -1;
	}
	*blob = dlc_blob_new(nbytes);
	if (!*blob) {
		dlc_error_where(d, where, "cannot allocate %zu bytes", nbytes);
		return -1;
	}
	convert_field(tp, dt, (*blob)->data, count);
	return 0;
}

/* ---- test data ---- */

int dlc_onnx_read_tensor(const void *data, size_t len, const char *dir,
			 struct dlc_tensor *t, struct dlc_diag *d)
{
	memset(t, 0, sizeof *t);
	char why[128];
	DlcOnnx__TensorProto *tp = NULL;
	if (pb_check(&dlc_onnx__tensor_proto__descriptor, data, len, DLC_PB_MAX_DEPTH, why,
		     sizeof why) == 0)
		tp = dlc_onnx__tensor_proto__unpack(NULL, len, data);
	if (!tp) {
		dlc_error(d, "not a valid TensorProto (truncated or corrupt protobuf)");
		return -1;
	}
	int rc = onnx_tensor_to_blob(tp, dir, tp->name ? tp->name : "tensor", d, &t->type, &t->blob);
	if (rc == 0)
		t->name = dlc_xstrdup(tp->name ? tp->name : "");
	dlc_onnx__tensor_proto__free_unpacked(tp, NULL);
	return rc;
}

void dlc_tensor_free(struct dlc_tensor *t)
{
	free(t->name);
	dlc_blob_unref(t->blob);
	memset(t, 0, sizeof *t);
}
