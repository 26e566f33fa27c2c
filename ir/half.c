/* f16 and bf16 <-> f32 conversion for constants (printing, parsing,
 * folding). Round to nearest even, like hardware converters. */
#include <string.h>

#include "dlc/util.h"

static uint32_t bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	return u;
}

static float from_bits(uint32_t u)
{
	float f;
	memcpy(&f, &u, 4);
	return f;
}

float dlc_f16_to_f32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16;
	uint32_t exp = (h >> 10) & 0x1f, man = h & 0x3ff;
	if (exp == 0x1f) /* inf / nan */
		return from_bits(sign | 0x7f800000 | (man << 13));
	if (exp == 0) { /* zero / subnormal: man * 2^-24 */
		float f = (float)man * (1.0f / 16777216.0f);
		return sign ? -f : f;
	}
	return from_bits(sign | ((exp + 112) << 23) | (man << 13));
}

uint16_t dlc_f32_to_f16(float f)
{
	uint32_t u = bits(f);
	uint16_t sign = (uint16_t)((u >> 16) & 0x8000);
	uint32_t abs = u & 0x7fffffff;
	if (abs >= 0x7f800000) /* inf or nan (keep nan quiet) */
		return sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0);
	if (abs >= 0x477ff000) /* rounds to >= 65520: overflow */
		return sign | 0x7c00;
	if (abs < 0x38800000) { /* below the smallest normal half: subnormal */
		/* scale so the half subnormal unit is 1, then round to even */
		float a = from_bits(abs) * 16777216.0f;
		uint32_t m = (uint32_t)a;
		float rem = a - (float)m;
		if (rem > 0.5f || (rem == 0.5f && (m & 1)))
			m++;
		return sign | (uint16_t)m;
	}
	uint32_t r = abs + 0xfff + ((abs >> 13) & 1); /* round to nearest even */
	return sign | (uint16_t)((r - 0x38000000) >> 13);
}

float dlc_bf16_to_f32(uint16_t h)
{
	return from_bits((uint32_t)h << 16);
}

uint16_t dlc_f32_to_bf16(float f)
{
	uint32_t u = bits(f);
	if ((u & 0x7fffffff) > 0x7f800000)
		return (uint16_t)((u >> 16) | 0x40);
	return (uint16_t)((u + 0x7fff + ((u >> 16) & 1)) >> 16);
}
