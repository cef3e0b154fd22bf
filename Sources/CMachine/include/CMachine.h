#ifndef CMACHINE_H
#define CMACHINE_H
/*
 * Machine measurements for `make bench` (Sources/Benchmarks): unlike CKernels, nothing here promises bits.
 */
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Runs `iterations` rounds of 12 independent fused multiply-add chains on 512-bit (avx512 = 1) or 256-bit
   (avx512 = 0, AVX2 and FMA) vectors and returns the fp32 FLOPs done (2 per lane per FMA); 0 when this CPU
   cannot run them. The result lands in *sink so the work cannot be optimised away. The benchmarks time it. */
double fsti_fma_peak_flops(int avx512, long iterations, float *sink);

#ifdef __cplusplus
}
#endif
#endif
