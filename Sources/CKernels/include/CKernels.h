#ifndef CKERNELS_H
#define CKERNELS_H
/*
 * Fixed-order single-precision kernels: every result is a function of the inputs alone.
 *
 * Each kernel below defines the exact order of its floating-point operations, and every implementation of it
 * (a baseline build for the target's minimum ISA, and on x86-64 an AVX2 and an AVX-512F build chosen at run
 * time) performs exactly those operations, each rounded on its own (no fused multiply-add: the sources are
 * compiled with floating-point contraction off), vectorised only across results that are independent (output
 * columns, or the eight lanes of the fixed-order sums). So the bits of a result do not depend on the CPU, the
 * ISA level chosen, the vector width or the number of threads that call these functions. The elementary
 * functions (exp, log, erf, GELU) are our own polynomials in plain IEEE arithmetic: no libm.
 *
 * The fixed-order sum of x[0..n) (`fok_sum`): eight partial sums, s_l = x[l] + x[l+8] + x[l+16] + ... in
 * increasing index (each starting from +0), then ((s0+s1)+(s2+s3)) + ((s4+s5)+(s6+s7)). The fixed-order
 * maximum uses the same structure with max(a, b) = (b > a ? b : a), starting from -infinity.
 */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ISA levels: the baseline build (SSE2 on x86-64, NEON on arm64) and, on x86-64 only, AVX2 and AVX-512F. */
enum { FOK_ISA_BASELINE = 0, FOK_ISA_AVX2 = 1, FOK_ISA_AVX512F = 2 };

/* 1 when this CPU (and OS) can run `isa`'s build, else 0. */
int fok_isa_supported(int isa);
/* The highest supported level. */
int fok_isa_best(void);

/* This CPU's vector instructions as BLAS kernel sets need them: 1 when it runs AVX-512 F, CD, BW, DQ and VL
   (what OpenBLAS's SkylakeX kernels use), resp. AVX2 and FMA (its Haswell kernels); 0 elsewhere and off x86-64. */
int fok_cpu_has_avx512_skylakex(void);
int fok_cpu_has_avx2_fma(void);

/* Elementary functions (scalar; the array forms below give the same bits element by element). */
float fok_expf(float x);    /* e^x: relative error about 1 ulp for normal results; 0 below about -103.3 */
float fok_erff(float x);    /* erf(x): Abramowitz & Stegun 7.1.26, |error| <= 1.5e-7 plus rounding */
float fok_gelu(float x);    /* x * Phi(x) = x/2 * (1 + erf(x / sqrt 2)), with erf as fok_erff */
double fok_exp(double x);   /* e^x in double: Cody-Waite reduction, degree-13 Taylor polynomial */
double fok_log(double x);   /* ln x in double: ln x = e ln 2 + 2 atanh((m-1)/(m+1)) */

void fok_expf_array(int isa, size_t n, const float *x, float *y);   /* y may equal x */
void fok_gelu_array(int isa, size_t n, const float *x, float *y);   /* y may equal x */
float fok_sum(int isa, size_t n, const float *x);
float fok_max(int isa, size_t n, const float *x);

/* Floats of scratch memory `fok_gemm` needs for an inner dimension k. */
size_t fok_gemm_workspace(int k);

/*
 * C (m x n, row stride ldc) from A (m x k, row stride lda) and B (k x n, row stride ldb; or, when transpose_b
 * is 1, B^T stored as n x k with row stride ldb), row-major. Each C[i][j] is
 *     acc = accumulate ? C[i][j] : 0;  for p = 0, 1, ..., k-1:  acc = acc + A[i][p] * B[p][j];
 *     if bias: acc = acc + bias[j];    C[i][j] = acc
 * with the product and each addition rounded separately. `workspace` holds fok_gemm_workspace(k) floats and
 * must not overlap A, B, C or bias; C must not overlap A, B or bias.
 */
void fok_gemm(int isa, int m, int n, int k, const float *a, int lda, const float *b, int ldb, int transpose_b,
              const float *bias, float *c, int ldc, int accumulate, float *workspace);

/*
 * LayerNorm of `rows` rows of d values (row stride d): mean = fok_sum(x)/d, c = x - mean,
 * var = fok_sum(c*c)/d, inv = 1/sqrt(var + epsilon), y[j] = (c[j] * inv) * gamma[j] + beta[j]. y may equal x.
 */
void fok_layernorm(int isa, int rows, int d, const float *x, const float *gamma, const float *beta,
                   float epsilon, float *y);

/*
 * Softmax of `rows` rows of n values (row stride `stride`), in place: z[j] = x[j] * scale; m = the maximum of
 * z over the row (as fok_max); e[j] = fok_expf(z[j] - m); s = the sum of e (as fok_sum); x[j] = e[j] * (1/s).
 */
void fok_softmax_rows(int isa, int rows, int n, int stride, float scale, float *x);

/* Floats of scratch memory `fok_causal_attention` needs. */
size_t fok_attention_workspace(int t, int head_dimension);

/*
 * Causal self-attention of one sequence of t positions. q, k, v and ctx hold t rows of stride ld; head h uses
 * columns h*hd ..< (h+1)*hd. Per head: S[i][j] = sum over p < hd of q[i][p]*k[j][p] (as fok_gemm, from 0);
 * z[j] = S[i][j] * scale for j <= i; m = fok_max(z[0...i]); e[j] = fok_expf(z[j] - m); s = fok_sum(e[0...i]);
 * P[i][j] = e[j] * (1/s) for j <= i and 0 for j > i; ctx[i][c] = sum over j < t of P[i][j]*v[j][c] (as fok_gemm,
 * from 0; the terms with j > i are exact zeros and are skipped, which leaves every sum's bits unchanged).
 */
void fok_causal_attention(int isa, int t, int heads, int head_dimension, const float *q, const float *k,
                          const float *v, int ld, float scale, float *ctx, float *workspace);

/*
 * Next-symbol cross-entropy of `rows` rows of logits (row stride `vocabulary`):
 * m = fok_max(z), s = fok_sum(fok_expf(z[j] - m)), loss = fok_log((double)s) - (double)(z[target] - m).
 */
void fok_next_symbol_losses(int isa, int rows, int vocabulary, const float *logits, const uint8_t *targets,
                            double *losses);

#ifdef __cplusplus
}
#endif
#endif
