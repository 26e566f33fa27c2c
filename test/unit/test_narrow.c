/* Unit tests of the narrow types and the dlcrt.h helpers generated code
 * calls: 8/4-bit float encoding (every code round trips, ties go to even,
 * saturate), f8e8m0's rounding modes, the integer helpers' defined edge
 * cases, float to integer conversions, and the unpacking of ONNX's packed
 * 4- and 2-bit tensors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/onnx.h"
#include "onnx.pb-c.h"
#include "runtime/dlcrt.h"
#include "unit.h"

/* Every code that is not NaN decodes to a value that encodes back to it. */
TEST(minifloat_codes_round_trip)
{
	static const enum dlc_dtype ts[] = {DLC_F8E4M3FN, DLC_F8E4M3FNUZ, DLC_F8E5M2,
					    DLC_F8E5M2FNUZ, DLC_F4E2M1, DLC_F8E8M0};
	for (size_t k = 0; k < sizeof ts / sizeof *ts; k++) {
		int codes = ts[k] == DLC_F4E2M1 ? 16 : 256;
		for (int b = 0; b < codes; b++) {
			double v = dlc_minifloat_to_f64(ts[k], (uint8_t)b);
			if (isnan(v))
				continue;
			if (dlc_f64_to_minifloat(ts[k], v) != b) {
				printf("  %s: code 0x%02x (%g) encodes to 0x%02x\n", dlc_dtype_name(ts[k]), b, v,
				       dlc_f64_to_minifloat(ts[k], v));
				CHECK(0);
			}
		}
	}
}

TEST(f8_special_values)
{
	CHECK(dlc_f8e4m3fn_to_f(0x7e) == 448.0f);
	CHECK(isnan(dlc_f8e4m3fn_to_f(0x7f)) && isnan(dlc_f8e4m3fn_to_f(0xff)));
	CHECK(dlc_f8e4m3fnuz_to_f(0x7f) == 240.0f && isnan(dlc_f8e4m3fnuz_to_f(0x80)));
	CHECK(isinf(dlc_f8e5m2_to_f(0x7c)) && dlc_f8e5m2_to_f(0x7b) == 57344.0f);
	CHECK(dlc_f8e5m2fnuz_to_f(0x7f) == 57344.0f && isnan(dlc_f8e5m2fnuz_to_f(0x80)));
	/* ties to even: 464 lies between 448 (even) and 480 */
	CHECK(dlc_f_to_f8e4m3fn(464, 0) == 0x7e);
	CHECK(dlc_f_to_f8e4m3fn(465, 0) == 0x7f); /* rounds to 480: NaN without saturation */
	CHECK(dlc_f_to_f8e4m3fn(465, 1) == 0x7e);
	CHECK(dlc_f_to_f8e4m3fn(INFINITY, 1) == 0x7e && dlc_f_to_f8e4m3fn(-INFINITY, 0) == 0xff);
	CHECK(dlc_f_to_f8e5m2(INFINITY, 0) == 0x7c && dlc_f_to_f8e5m2(-1e6, 1) == 0xfb);
	CHECK(dlc_f_to_f8e5m2(NAN, 1) == 0x7e);
	/* FNUZ: no negative zero, one NaN */
	CHECK(dlc_f_to_f8e4m3fnuz(-0.0, 1) == 0 && dlc_f_to_f8e4m3fnuz(-1e-9, 1) == 0);
	CHECK(dlc_f_to_f8e5m2fnuz(NAN, 1) == 0x80 && dlc_f_to_f8e5m2fnuz(1e9, 0) == 0x80);
	CHECK(dlc_f_to_f8e4m3fn(-0.0, 1) == 0x80);
	/* subnormals: the smallest e4m3fn is 2^-9; half of it ties to 0 */
	CHECK(dlc_f_to_f8e4m3fn(ldexp(1, -9), 1) == 1 && dlc_f_to_f8e4m3fn(ldexp(1, -10), 1) == 0);
	/* 1.5 and 2.5 units: to even */
	CHECK(dlc_f_to_f8e4m3fn(ldexp(3, -10), 1) == 2 && dlc_f_to_f8e4m3fn(ldexp(5, -10), 1) == 2);
}

TEST(f4e2m1_conversions)
{
	static const float vals[16] = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6};
	for (int b = 0; b < 8; b++) {
		CHECK(dlc_f4e2m1_to_f((uint8_t)b) == vals[b]);
		CHECK(dlc_f4e2m1_to_f((uint8_t)(b | 8)) == -vals[b]);
	}
	CHECK(dlc_f_to_f4e2m1(0.25) == 0 && dlc_f_to_f4e2m1(0.75) == 2 && dlc_f_to_f4e2m1(5) == 6);
	CHECK(dlc_f_to_f4e2m1(1e6) == 7 && dlc_f_to_f4e2m1(-INFINITY) == 15);
	CHECK(dlc_f_to_f4e2m1(NAN) == 8 && dlc_f_to_f4e2m1(-NAN) == 0); /* as ml_dtypes */
}

TEST(f8e8m0_rounding)
{
	CHECK(dlc_f8e8m0_to_f(127) == 1.0f && dlc_f8e8m0_to_f(0) == ldexpf(1, -127));
	CHECK(isnan(dlc_f8e8m0_to_f(255)));
	CHECK(dlc_f_to_f8e8m0(1.1f, 1, DLC_RT_ROUND_UP) == 128);
	CHECK(dlc_f_to_f8e8m0(1.1f, 1, DLC_RT_ROUND_DOWN) == 127);
	CHECK(dlc_f_to_f8e8m0(1.1f, 1, DLC_RT_ROUND_NEAREST) == 127);
	CHECK(dlc_f_to_f8e8m0(1.5f, 1, DLC_RT_ROUND_NEAREST) == 128);
	CHECK(dlc_f_to_f8e8m0(2.0f, 1, DLC_RT_ROUND_UP) == 128);
	CHECK(dlc_f_to_f8e8m0(3e38f, 1, DLC_RT_ROUND_UP) == 254);
	CHECK(dlc_f_to_f8e8m0(3e38f, 0, DLC_RT_ROUND_UP) == 255);
	CHECK(dlc_f_to_f8e8m0(INFINITY, 1, DLC_RT_ROUND_UP) == 255);
}

/* f64 -> f16/bf16 in one rounding agrees with f32 -> f16/bf16 on values
 * exact in f32. */
TEST(double_to_half)
{
	for (uint32_t i = 0; i < 200000; i++) {
		uint32_t u = i * 21474u + 12345u;
		float f;
		memcpy(&f, &u, 4);
		if (isnan(f))
			continue;
		CHECK(dlc_d2h(f) == dlc_f2h(f));
		CHECK(dlc_d2bf(f) == dlc_f2bf(f));
	}
	/* 1 + 2^-11 + 2^-40 is above the f16 midpoint; through f32 it would
	 * round to the midpoint first and then to even (1.0) */
	CHECK(dlc_d2h(1.0 + ldexp(1, -11) + ldexp(1, -40)) == 0x3c01);
}

TEST(integer_helpers)
{
	CHECK(dlc_div_i32(INT32_MIN, -1) == INT32_MIN && dlc_div_i32(7, 0) == 0);
	CHECK(dlc_div_i8(-7, 2) == -3 && dlc_div_u8(200, 3) == 66);
	CHECK(dlc_mod_i32(-7, 3) == 2 && dlc_mod_i32(7, -3) == -2 && dlc_mod_i8(-128, -1) == 0);
	CHECK(dlc_rem_i32(-7, 3) == -1 && dlc_rem_i64(INT64_MIN, -1) == 0);
	CHECK(dlc_mod_u16(7, 0) == 0);
	CHECK(dlc_shl_i8(1, 7) == -128 && dlc_shl_i8(1, 8) == 0 && dlc_shl_i8(1, -1) == 0);
	CHECK(dlc_shr_i8(-8, 1) == -4 && dlc_shr_i8(-8, 10) == -1 && dlc_shr_i8(8, -2) == 0);
	CHECK(dlc_shl_u64(1, 63) == UINT64_C(1) << 63 && dlc_shr_u32(0x80000000u, 32) == 0);
	CHECK(dlc_max_i16(-3, 2) == 2 && dlc_min_u32(3, 2) == 2);
	CHECK(dlc_ipow(3, 4) == 81 && dlc_ipow(2, -1) == 0 && dlc_ipow(-1, -3) == -1);
	CHECK(dlc_ipow(2, 64) == 0); /* wraps */
	CHECK(dlc_wrap_i4(9) == -7 && dlc_wrap_i4(-9) == 7 && dlc_wrap_u4(-1) == 15);
	CHECK(dlc_wrap_i2(2) == -2 && dlc_wrap_u2(5) == 1);
}

TEST(float_to_int)
{
	CHECK(dlc_f2i32(-2.9) == -2 && dlc_f2i32(NAN) == INT32_MIN && dlc_f2i32(3e9) == INT32_MIN);
	CHECK(dlc_f2i32(2147483647.5) == INT32_MAX && dlc_f2i32(-2147483648.9) == INT32_MIN);
	CHECK(dlc_f2i64(-1e30) == INT64_MIN && dlc_f2i64(1e18) == 1000000000000000000);
	CHECK(dlc_f2u64(1.5e19) == UINT64_C(15000000000000000000) && dlc_f2u64(-1) == UINT64_MAX);
	CHECK(dlc_f2u64(NAN) == UINT64_C(1) << 63 && dlc_f2u64(INFINITY) == 0);
	CHECK(dlc_floor_modf(-1, 3) == 2 && dlc_floor_mod(1, -3) == -2);
	CHECK(signbit(dlc_floor_modf(3, -3)) && !signbit(dlc_floor_mod(-3, 3)));
	CHECK(dlc_floor_mod(-1, INFINITY) == INFINITY && dlc_floor_mod(1, INFINITY) == 1);
}

/* TensorProto.DataType values (onnx.proto's subset leaves them out) */
enum { ONNX_UINT4 = 21, ONNX_INT4 = 22, ONNX_UINT2 = 25, ONNX_INT2 = 26 };

/* A TensorProto of data type dt and `count` elements, packed bytes in
 * raw_data (or int32_data, one byte each), read through the importer. */
static int read_packed(int dt, int64_t count, const uint8_t *bytes, size_t n, bool raw,
		       struct dlc_tensor *t)
{
	DlcOnnx__TensorProto tp = DLC_ONNX__TENSOR_PROTO__INIT;
	int32_t words[8];
	tp.has_data_type = 1;
	tp.data_type = dt;
	tp.n_dims = 1;
	tp.dims = &count;
	if (raw) {
		tp.has_raw_data = 1;
		tp.raw_data.len = n;
		tp.raw_data.data = (uint8_t *)bytes;
	} else {
		for (size_t i = 0; i < n; i++)
			words[i] = bytes[i];
		tp.n_int32_data = n;
		tp.int32_data = words;
	}
	size_t len = dlc_onnx__tensor_proto__get_packed_size(&tp);
	uint8_t *buf = malloc(len);
	dlc_onnx__tensor_proto__pack(&tp, buf);
	struct dlc_diag d;
	dlc_diag_init(&d, "t", NULL);
	int rc = dlc_onnx_read_tensor(buf, len, NULL, t, &d);
	dlc_diag_free(&d);
	free(buf);
	return rc;
}

TEST(onnx_packed_tensors_unpack)
{
	struct dlc_tensor t;
	/* INT4 [-1, 7, -8]: nibbles F, 7 | 8, (pad) */
	static const uint8_t i4[] = {0x7f, 0x08};
	REQUIRE(read_packed(ONNX_INT4, 3, i4, 2, true, &t) == 0);
	const int8_t *v = t.blob->data;
	CHECK(t.type.dtype == DLC_I4 && t.blob->size == 3 && v[0] == -1 && v[1] == 7 && v[2] == -8);
	dlc_tensor_free(&t);
	REQUIRE(read_packed(ONNX_UINT4, 3, i4, 2, false, &t) == 0);
	const uint8_t *u = t.blob->data;
	CHECK(t.type.dtype == DLC_U4 && u[0] == 15 && u[1] == 7 && u[2] == 8);
	dlc_tensor_free(&t);
	/* UINT2 [3, 0, 1, 2, 1] four per byte; INT2 of the same bits */
	static const uint8_t u2[] = {0x93, 0x01};
	REQUIRE(read_packed(ONNX_UINT2, 5, u2, 2, true, &t) == 0);
	u = t.blob->data;
	CHECK(t.type.dtype == DLC_U2 && u[0] == 3 && u[1] == 0 && u[2] == 1 && u[3] == 2 && u[4] == 1);
	dlc_tensor_free(&t);
	REQUIRE(read_packed(ONNX_INT2, 5, u2, 2, true, &t) == 0);
	v = t.blob->data;
	CHECK(v[0] == -1 && v[1] == 0 && v[2] == 1 && v[3] == -2 && v[4] == 1);
	dlc_tensor_free(&t);
	/* a wrong byte count is an error, not a read past the end */
	CHECK(read_packed(ONNX_INT4, 5, i4, 2, true, &t) < 0);
}
