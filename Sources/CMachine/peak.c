/*
 * The fp32 multiply-add throughput this core reaches: `make bench`'s measured peak. Every build runs chains of
 * independent fused multiply-adds on the widest vectors of its ISA level, more chains than the latency times
 * the issue width of any current core (4 cycles x 2 ports = 8 on Intel since Skylake, on AMD since Zen 4), so
 * the chains never wait on each other and the loop runs at the FMA ports' throughput.
 */
#include "CMachine.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define CHAINS 12

__attribute__((target("avx512f"), noinline)) static float peak_avx512(long iterations) {
    __m512 acc[CHAINS];
    const __m512 a = _mm512_set1_ps(0.9999999f), b = _mm512_set1_ps(1e-7f);
    for (int c = 0; c < CHAINS; c++) acc[c] = _mm512_set1_ps((float)c);
    for (long i = 0; i < iterations; i++) {
        for (int c = 0; c < CHAINS; c++) acc[c] = _mm512_fmadd_ps(acc[c], a, b);
    }
    __m512 s = acc[0];
    for (int c = 1; c < CHAINS; c++) s = _mm512_add_ps(s, acc[c]);
    return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma"), noinline)) static float peak_avx2(long iterations) {
    __m256 acc[CHAINS];
    const __m256 a = _mm256_set1_ps(0.9999999f), b = _mm256_set1_ps(1e-7f);
    for (int c = 0; c < CHAINS; c++) acc[c] = _mm256_set1_ps((float)c);
    for (long i = 0; i < iterations; i++) {
        for (int c = 0; c < CHAINS; c++) acc[c] = _mm256_fmadd_ps(acc[c], a, b);
    }
    __m256 s = acc[0];
    for (int c = 1; c < CHAINS; c++) s = _mm256_add_ps(s, acc[c]);
    float lanes[8];
    _mm256_storeu_ps(lanes, s);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
}
#endif

double fsti_fma_peak_flops(int avx512, long iterations, float *sink) {
#if defined(__x86_64__)
    if (avx512 && __builtin_cpu_supports("avx512f")) {
        *sink = peak_avx512(iterations);
        return (double)iterations * CHAINS * 16 * 2;
    }
    if (!avx512 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        *sink = peak_avx2(iterations);
        return (double)iterations * CHAINS * 8 * 2;
    }
#else
    (void)avx512; (void)iterations;
#endif
    *sink = 0;
    return 0;
}
