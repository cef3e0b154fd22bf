/*
 * Eight-lane vector operations and the float elementary functions, defined once per ISA build (kernels.c
 * includes this file through variant.h with FOK_TARGET and FOK_SFX set), so that every caller inlines the
 * copy compiled for its own features. The operations are the same in every build.
 */

FOK_TARGET FOK_INLINE float FOK_SFX(max2)(float a, float b) { return b > a ? b : a; }

FOK_TARGET FOK_INLINE v8f FOK_SFX(load8)(const float *p) { v8f v; memcpy(&v, p, sizeof v); return v; }
FOK_TARGET FOK_INLINE void FOK_SFX(store8)(float *p, v8f v) { memcpy(p, &v, sizeof v); }
FOK_TARGET FOK_INLINE v8f FOK_SFX(zero8)(void) { v8f v; memset(&v, 0, sizeof v); return v; }
FOK_TARGET FOK_INLINE v8f FOK_SFX(splat8)(float s) { return (v8f){s, s, s, s, s, s, s, s}; }
FOK_TARGET FOK_INLINE v8f FOK_SFX(bits_float)(v8i i) { v8f f; memcpy(&f, &i, sizeof f); return f; }
FOK_TARGET FOK_INLINE v8i FOK_SFX(float_bits)(v8f f) { v8i i; memcpy(&i, &f, sizeof i); return i; }
/* mask ? b : a, lane by lane (mask lanes are 0 or all ones). */
FOK_TARGET FOK_INLINE v8f FOK_SFX(select)(v8i mask, v8f a, v8f b) {
    return FOK_SFX(bits_float)((FOK_SFX(float_bits)(a) & ~mask) | (FOK_SFX(float_bits)(b) & mask));
}
/* max(a, b) = (b > a ? b : a), lane by lane (the same rule as fok_max2). */
FOK_TARGET FOK_INLINE v8f FOK_SFX(max8)(v8f a, v8f b) { return FOK_SFX(select)(b > a, a, b); }
/* Lanes l >= count replaced by `fill`. */
FOK_TARGET FOK_INLINE v8f FOK_SFX(mask_after)(v8f z, int count, float fill) {
    const v8i lane = {0, 1, 2, 3, 4, 5, 6, 7};
    return FOK_SFX(select)(lane >= count, z, FOK_SFX(splat8)(fill));
}

/*
 * e^x, eight lanes. Cody & Waite's reduction (W. J. Cody, W. Waite, "Software Manual for the Elementary
 * Functions", Prentice-Hall 1980, ch. 6): n = round(x / ln 2), r = (x - n*C1) - n*C2 with C1 + C2 = ln 2,
 * C1 = 355/512 = 0.693359375 (9 significant bits, so n*C1 is exact for |n| < 2^15) and C2 = ln 2 - C1 =
 * -2.1219444005469058e-4 (rounded to float); |r| <= ln(2)/2 + tiny. e^r by its Taylor series to r^7
 * (Abramowitz & Stegun 4.2.1; the first omitted term is below (ln 2 / 2)^8 / 8! = 5.2e-9, 0.04 ulp), Horner
 * order. The rounding of x/ln 2 to an integer adds 1.5 * 2^23 and subtracts it again (exact for |x/ln 2| <
 * 2^22; the input is clamped to [-110, 89] first, past which e^x is 0 or infinite in float), and 2^n is built
 * from its exponent bits in two halves, 2^(n - n/2) * 2^(n/2), so that neither half over- or underflows and the
 * only rounding of the scaling is the final one (gradual underflow below 2^-126). log2(e) = 1.4426950408889634.
 */
FOK_TARGET FOK_INLINE v8f FOK_SFX(exp8)(v8f x) {
    const v8i low = x < -110.0f, high = x > 89.0f;         /* NaN compares false and passes through */
    x = FOK_SFX(select)(low, x, FOK_SFX(splat8)(-110.0f));
    x = FOK_SFX(select)(high, x, FOK_SFX(splat8)(89.0f));
    const v8f t = x * 1.4426950408889634f + 12582912.0f;  /* 1.5 * 2^23 */
    const v8f n = t - 12582912.0f;
    const v8f r = (x - n * 0.693359375f) - n * -2.1219444005469058e-4f;
    v8f p = r * (1.0f / 5040.0f) + (1.0f / 720.0f);
    p = p * r + (1.0f / 120.0f);
    p = p * r + (1.0f / 24.0f);
    p = p * r + (1.0f / 6.0f);
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const v8i ni = FOK_SFX(float_bits)(t) - 0x4B400000;        /* the bits of 1.5 * 2^23 + n, less those of 1.5 * 2^23 */
    const v8i n1 = ni >> 1, n2 = ni - n1;
    return (p * FOK_SFX(bits_float)((n1 + 127) << 23)) * FOK_SFX(bits_float)((n2 + 127) << 23);
}

/*
 * The standard normal CDF times x (GELU), eight lanes. With z = |x| / sqrt 2 (1/sqrt 2 = 0.7071067811865476),
 * erfc(z) = t (a1 + t (a2 + t (a3 + t (a4 + t a5)))) e^(-z^2), t = 1 / (1 + p z): Abramowitz & Stegun 7.1.26
 * (p = 0.3275911, a1 = 0.254829592, a2 = -0.284496736, a3 = 1.421413741, a4 = -1.453152027,
 * a5 = 1.061405429; |error in erf| <= 1.5e-7 for z >= 0). Phi(x) = 1 - erfc(z)/2 for x >= 0 and erfc(z)/2 for
 * x < 0 (no cancellation on the negative side), and GELU(x) = x Phi(x).
 */
FOK_TARGET FOK_INLINE v8f FOK_SFX(erfc_abs8)(v8f z) {
    const v8f t = 1.0f / (z * 0.3275911f + 1.0f);
    v8f poly = t * 1.061405429f + -1.453152027f;
    poly = poly * t + 1.421413741f;
    poly = poly * t + -0.284496736f;
    poly = poly * t + 0.254829592f;
    poly = poly * t;
    const v8f zz = z * z;
    return poly * FOK_SFX(exp8)(FOK_SFX(zero8)() - zz);
}

FOK_TARGET FOK_INLINE v8f FOK_SFX(abs8)(v8f x) { return FOK_SFX(bits_float)(FOK_SFX(float_bits)(x) & 0x7FFFFFFF); }

FOK_TARGET FOK_INLINE v8f FOK_SFX(gelu8)(v8f x) {
    const v8f half_erfc = FOK_SFX(erfc_abs8)(FOK_SFX(abs8)(x) * 0.7071067811865476f) * 0.5f;
    const v8f phi = FOK_SFX(select)(x >= 0.0f, half_erfc, 1.0f - half_erfc);
    return x * phi;
}

/* erf(x) = sign(x) (1 - erfc(|x|)), for the accuracy tests and callers that want erf itself. */
FOK_TARGET FOK_INLINE v8f FOK_SFX(erf8)(v8f x) {
    const v8f e = 1.0f - FOK_SFX(erfc_abs8)(FOK_SFX(abs8)(x));
    return FOK_SFX(select)(x < 0.0f, e, FOK_SFX(zero8)() - e);
}

