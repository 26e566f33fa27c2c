/* e^x in float, branch-free so that loops calling it vectorize: with
 * x = n ln2 + r, |r| <= ln2 / 2, e^r = 1 + r + r^2 P(r) (P fitted to
 * relative error 1e-9 on that interval) and 2^n is built in the exponent
 * bits, as two factors so that results near the underflow (n down to -150)
 * and overflow (n = 128) ends come out as the correctly scaled denormal,
 * zero or infinity. Accuracy: test/unit/test_vmath.c. */
static inline float dlc_expf(float x)
{
	/* (NaN takes the lower bound here and is returned at the end) */
	float xc = x > -104.0f ? x : -104.0f;
	xc = xc < 88.8f ? xc : 88.8f;
	/* n = round(x / ln2) by the 1.5 * 2^23 shifter (round to nearest) */
	float n = xc * 1.44269504f + 12582912.0f;
	n -= 12582912.0f;
	/* r = x - n ln2, ln2 in two parts so that n * hi is exact */
	float r = xc - n * 0.693145752f;
	r -= n * 1.42860677e-6f;
	float p = 1.98495209e-4f;
	p = p * r + 1.39335813e-3f;
	p = p * r + 8.33337312e-3f;
	p = p * r + 4.16664657e-2f;
	p = p * r + 1.66666665e-1f;
	p = p * r + 0.5f;
	p = p * r * r + r + 1.0f;
	int32_t k = (int32_t)n, k1 = k / 2, k2 = k - k1;
	uint32_t b1 = (uint32_t)(k1 + 127) << 23, b2 = (uint32_t)(k2 + 127) << 23;
	float s1, s2;
	memcpy(&s1, &b1, sizeof s1);
	memcpy(&s2, &b2, sizeof s2);
	float y = p * s1 * s2;
	return x == x ? y : x;
}
