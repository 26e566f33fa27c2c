/* erf x in float, branch-free (both forms computed, one selected): for
 * |x| < 1 x P(x^2) (P fitted to relative error 2e-9), else
 * 1 - e^(-x^2) Q(1/|x|) with the sign of x, where Q fits erfc(x) e^(x^2)
 * on [1, 4] to relative error 8e-8 (past 4, erf is 1 in float and Q(1/4)
 * serves). Needs dlc_expf. Accuracy: test/unit/test_vmath.c. */
static inline float dlc_erff(float x)
{
	float a = fabsf(x), a2 = a * a;
	float p = 7.89700928e-5f;
	p = p * a2 - 8.02394892e-4f;
	p = p * a2 + 5.19000078e-3f;
	p = p * a2 - 2.68547754e-2f;
	p = p * a2 + 1.12836114e-1f;
	p = p * a2 - 3.76126287e-1f;
	p = p * a2 + 1.12837917f;
	float small = a * p;
	float u = 1.0f / (a > 1.0f ? (a < 4.0f ? a : 4.0f) : 1.0f);
	float q = -1.20720567e-2f;
	q = q * u + 4.14340142e-2f;
	q = q * u - 3.17431937e-3f;
	q = q * u - 2.10689891e-1f;
	q = q * u + 4.75033800e-1f;
	q = q * u - 4.62090534e-1f;
	q = q * u + 3.94811512e-2f;
	q = q * u + 5.59414323e-1f;
	q = q * u + 2.47058651e-4f;
	float big = 1.0f - dlc_expf(-a2) * q;
	return copysignf(a < 1.0f ? small : big, x);
}
