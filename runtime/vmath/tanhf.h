/* tanh x in float, branch-free (both forms computed, one selected): for
 * |x| < 0.625 x P(x^2) (P fitted to relative error 5e-9), else
 * 1 - 2 / (e^2|x| + 1) with the sign of x (no cancellation to speak of
 * there: the quotient is at most 0.54). Needs dlc_expf. Accuracy:
 * test/unit/test_vmath.c. */
static inline float dlc_tanhf(float x)
{
	float a = fabsf(x), a2 = a * a;
	float p = -5.69650899e-3f;
	p = p * a2 + 2.06291708e-2f;
	p = p * a2 - 5.37353990e-2f;
	p = p * a2 + 1.33313572e-1f;
	p = p * a2 - 3.33332747e-1f;
	p = p * a2 + 0.999999998f;
	float small = a * p;
	float big = 1.0f - 2.0f / (dlc_expf(2.0f * a) + 1.0f);
	return copysignf(a < 0.625f ? small : big, x);
}
