/*
 * Fixed-order kernels (see include/CKernels.h for what each computes, operation by operation).
 *
 * No floating-point contraction anywhere in this file: a*b + c is a rounded product and a rounded sum, never a
 * fused multiply-add, whatever the ISA level (AVX-512F implies FMA, so without this pragma the compiler could
 * fuse). `make`-independent check: Tests/CoreTests/FixedOrderKernelTests.swift compares every ISA build with a
 * Swift loop in the same order, bit for bit, including a case whose fused and unfused results differ.
 */
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#include "CKernels.h"

/* Eight-lane vectors pass between always-inlined helpers only: no call crosses an ABI boundary with them. */
#pragma clang diagnostic ignored "-Wpsabi"

#include <math.h>
#include <string.h>

#define FOK_INLINE static inline __attribute__((always_inline))

typedef float v4f __attribute__((vector_size(16)));
typedef float v8f __attribute__((vector_size(32)));
typedef float v16f __attribute__((vector_size(64)));
typedef int32_t v8i __attribute__((vector_size(32)));

/* Widest GEMM panel of any build (AVX-512F: 2 x 16 lanes): fixes the workspace layout for every level. */
#define FOK_WMAX 32
/* Most rows of any build's micro-kernel (AVX-512F: 8): the workspace's zero-padded copy of a short row block. */
#define FOK_RMAX 8

/* ---- Double precision: only the loss (one log per row) and the perplexity (one exp) use these. ---- */

static inline double fok_bits_double(uint64_t u) { double d; memcpy(&d, &u, sizeof d); return d; }
static inline uint64_t fok_double_bits(double d) { uint64_t u; memcpy(&u, &d, sizeof u); return u; }

/*
 * ln x = e ln 2 + ln m with x = m 2^e, m in [sqrt(1/2), sqrt 2), and ln m = 2 (f + f^3/3 + f^5/5 + ...),
 * f = (m - 1)/(m + 1) (Abramowitz & Stegun 4.1.27), |f| <= 0.1716, so the terms to f^25/25 leave a remainder
 * below f^27/27 < 2.4e-17 relative. ln 2 = C1 + C2 with C1 = ln 2 rounded down to a multiple of 2^-32
 * (0.6931471803691238, so e*C1 is exact) and C2 = ln 2 - C1 = 1.9082149292705877e-10.
 * sqrt(2) = 1.4142135623730951.
 */
double fok_log(double x) {
    if (x != x) return x;
    if (x < 0) return NAN;
    if (x == 0) return -INFINITY;
    if (x == INFINITY) return x;
    int e = 0;
    if (x < 2.2250738585072014e-308) { x *= 18014398509481984.0; e = -54; }   /* subnormal: scale by 2^54 */
    const uint64_t u = fok_double_bits(x);
    e += (int)((u >> 52) & 0x7FF) - 1023;
    double m = fok_bits_double((u & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull);   /* [1, 2) */
    if (m > 1.4142135623730951) { m = m * 0.5; e += 1; }
    const double f = (m - 1.0) / (m + 1.0), s = f * f;
    double q = 1.0 / 25.0;
    q = q * s + 1.0 / 23.0;
    q = q * s + 1.0 / 21.0;
    q = q * s + 1.0 / 19.0;
    q = q * s + 1.0 / 17.0;
    q = q * s + 1.0 / 15.0;
    q = q * s + 1.0 / 13.0;
    q = q * s + 1.0 / 11.0;
    q = q * s + 1.0 / 9.0;
    q = q * s + 1.0 / 7.0;
    q = q * s + 1.0 / 5.0;
    q = q * s + 1.0 / 3.0;
    const double lnm = (f + f) + (f + f) * (q * s);    /* 2f (1 + s q'), the leading 2f kept exact-ish */
    const double de = (double)e;
    return de * 0.6931471803691238 + (de * 1.9082149292705877e-10 + lnm);
}

/*
 * e^x in double: n = round(x / ln 2) (by adding and subtracting 1.5 * 2^52), r = (x - n C1) - n C2 with the
 * constants of fok_log, e^r by its Taylor series to r^13 (remainder below (ln 2/2)^14/14! = 4.3e-18), and
 * 2^n built from exponent bits in two halves. Inputs are clamped to [-746, 710], past which e^x is 0 or
 * infinite in double. 1/ln 2 = 1.4426950408889634.
 */
double fok_exp(double x) {
    if (x != x) return x;
    if (x < -746.0) x = -746.0;
    if (x > 710.0) x = 710.0;
    const double t = x * 1.4426950408889634 + 6755399441055744.0;   /* 1.5 * 2^52 */
    const double n = t - 6755399441055744.0;
    const double r = (x - n * 0.6931471803691238) - n * 1.9082149292705877e-10;
    static const double inverse_factorials[14] = {
        1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320, 1.0 / 362880,
        1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800};
    double p = inverse_factorials[13];
    for (int i = 12; i >= 0; i--) p = p * r + inverse_factorials[i];
    const int64_t ni = (int64_t)(fok_double_bits(t) - fok_double_bits(6755399441055744.0));
    const int64_t n1 = ni >> 1, n2 = ni - n1;
    return (p * fok_bits_double((uint64_t)(n1 + 1023) << 52)) * fok_bits_double((uint64_t)(n2 + 1023) << 52);
}

/* ---- The ISA builds. ---- */

#define FOK_SFX(x) x##_baseline
#define FOK_TARGET
#define FOK_VT v4f
#define FOK_VL 4
#define FOK_ROWS 6
#define FOK_QUARTER 0
#include "variant.h"
#undef FOK_SFX
#undef FOK_TARGET
#undef FOK_VT
#undef FOK_VL
#undef FOK_ROWS
#undef FOK_QUARTER

#if defined(__x86_64__)
#define FOK_HAS_X86_LEVELS 1
#define FOK_SFX(x) x##_avx2
#define FOK_TARGET __attribute__((target("avx2")))
#define FOK_VT v8f
#define FOK_VL 8
#define FOK_ROWS 6
#define FOK_QUARTER 0
#include "variant.h"
#undef FOK_SFX
#undef FOK_TARGET
#undef FOK_VT
#undef FOK_VL
#undef FOK_ROWS
#undef FOK_QUARTER

#define FOK_SFX(x) x##_avx512f
#define FOK_TARGET __attribute__((target("avx512f")))
#define FOK_VT v16f
#define FOK_VL 16
#define FOK_ROWS 8
#define FOK_QUARTER 1
#include "variant.h"
#undef FOK_SFX
#undef FOK_TARGET
#undef FOK_VT
#undef FOK_VL
#undef FOK_ROWS
#undef FOK_QUARTER
#else
#define FOK_HAS_X86_LEVELS 0
#endif

/* ---- Dispatch. ---- */

int fok_isa_supported(int isa) {
    switch (isa) {
    case FOK_ISA_BASELINE: return 1;
#if FOK_HAS_X86_LEVELS
    case FOK_ISA_AVX2: return __builtin_cpu_supports("avx2") ? 1 : 0;
    case FOK_ISA_AVX512F: return __builtin_cpu_supports("avx512f") ? 1 : 0;
#endif
    default: return 0;
    }
}

int fok_cpu_has_avx512_skylakex(void) {
#if FOK_HAS_X86_LEVELS
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
#else
    return 0;
#endif
}

int fok_cpu_has_avx2_fma(void) {
#if FOK_HAS_X86_LEVELS
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

int fok_isa_best(void) {
    if (fok_isa_supported(FOK_ISA_AVX512F)) return FOK_ISA_AVX512F;
    if (fok_isa_supported(FOK_ISA_AVX2)) return FOK_ISA_AVX2;
    return FOK_ISA_BASELINE;
}

/* An unsupported level runs the baseline build (same bits, by construction). */
static int fok_level(int isa) { return fok_isa_supported(isa) ? isa : FOK_ISA_BASELINE; }

#if FOK_HAS_X86_LEVELS
#define FOK_DISPATCH_RETURN(name, args)                                                                      \
    switch (fok_level(isa)) {                                                                                \
    case FOK_ISA_AVX512F: return name##_avx512f args;                                                        \
    case FOK_ISA_AVX2: return name##_avx2 args;                                                              \
    default: return name##_baseline args;                                                                    \
    }
#else
#define FOK_DISPATCH_RETURN(name, args) (void)isa; return name##_baseline args;
#endif

float fok_expf(float x) { return exp8_baseline(splat8_baseline(x))[0]; }
float fok_erff(float x) { return erf8_baseline(splat8_baseline(x))[0]; }
float fok_gelu(float x) { return gelu8_baseline(splat8_baseline(x))[0]; }

void fok_expf_array(int isa, size_t n, const float *x, float *y) { FOK_DISPATCH_RETURN(expf_array, (n, x, y)) }
void fok_gelu_array(int isa, size_t n, const float *x, float *y) { FOK_DISPATCH_RETURN(gelu_array, (n, x, y)) }
float fok_sum(int isa, size_t n, const float *x) { FOK_DISPATCH_RETURN(sum, (n, x)) }
float fok_max(int isa, size_t n, const float *x) { FOK_DISPATCH_RETURN(max, (n, x)) }

size_t fok_gemm_workspace(int k) {
    const size_t depth = k > 0 ? (size_t)k : 0;
    return depth * FOK_WMAX + FOK_WMAX + FOK_RMAX * depth;
}

void fok_gemm(int isa, int m, int n, int k, const float *a, int lda, const float *b, int ldb, int transpose_b,
              const float *bias, float *c, int ldc, int accumulate, float *workspace) {
    if (m <= 0 || n <= 0) return;
    FOK_DISPATCH_RETURN(gemm_mode, (m, n, k, a, lda, b, ldb, transpose_b, bias, c, ldc, accumulate, workspace, 0))
}

void fok_layernorm(int isa, int rows, int d, const float *x, const float *gamma, const float *beta, float epsilon,
                   float *y) {
    FOK_DISPATCH_RETURN(layernorm, (rows, d, x, gamma, beta, epsilon, y))
}

void fok_softmax_rows(int isa, int rows, int n, int stride, float scale, float *x) {
    FOK_DISPATCH_RETURN(softmax_rows, (rows, n, stride, scale, x))
}

size_t fok_attention_workspace(int t, int head_dimension) {
    const size_t ts = ((size_t)t + 7) / 8 * 8;
    const int depth = t > head_dimension ? t : head_dimension;
    return (size_t)t * ts + fok_gemm_workspace(depth);
}

void fok_causal_attention(int isa, int t, int heads, int head_dimension, const float *q, const float *k,
                          const float *v, int ld, float scale, float *ctx, float *workspace) {
    FOK_DISPATCH_RETURN(causal_attention, (t, heads, head_dimension, q, k, v, ld, scale, ctx, workspace))
}

void fok_next_symbol_losses(int isa, int rows, int vocabulary, const float *logits, const uint8_t *targets,
                            double *losses) {
    FOK_DISPATCH_RETURN(next_symbol_losses, (rows, vocabulary, logits, targets, losses))
}
