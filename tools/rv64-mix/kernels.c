/*
 * kernels.c: the float work a CNN-tuned Gemmini leaves to its host CPU in one BERT layer (survey §3.4.2), written
 * the way a plain C port of the baseline would run it on the SoC's RISC-V core, one element at a time.
 *
 * Our own code. count.sh compiles it for rv64gc and counts, under qemu's user mode, the instructions each
 * operation executes; chapter 6 prices those counts with the Rocket latencies of HostCPUCostModel.
 *
 *   dequantize    Int32 accumulator value -> float (times the output scale)
 *   quantize      float -> Int8 (times 1/scale, clamped to ±127, rounded to nearest)
 *   softmax       row-wise: max; expf(x - max), sum; times 1/sum
 *   layernorm     row-wise: mean; centred variance; (x - mean) / sqrt(var + eps) * gamma + beta
 *   gelu          x/2 * (1 + erff(x / sqrt 2))
 *   resadd        float + float
 *
 * Usage: kernels OP N            (dequantize, quantize, gelu, resadd: N elements)
 *        kernels OP ROWS LEN     (softmax, layernorm: ROWS rows of LEN elements)
 * Example: qemu-riscv64 ./kernels softmax 4 512
 *
 * Only the call between region_begin() and region_end() is counted; making the inputs is not. The inputs come
 * from one SplitMix64 stream whose first values do not depend on N, so a run over 2N elements repeats the run
 * over N and adds N more: the difference of two runs is the cost of those N elements.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The counted region starts at the first instruction of region_begin and ends at the first of region_end. */
__attribute__((noinline)) void region_begin(void) { __asm__ volatile("" ::: "memory"); }
__attribute__((noinline)) void region_end(void) { __asm__ volatile("" ::: "memory"); }

/* ---- The six operations. ---- */

__attribute__((noinline)) void dequantize(const int32_t *acc, float *out, size_t n, float scale) {
    for (size_t i = 0; i < n; i++) out[i] = (float)acc[i] * scale;
}

__attribute__((noinline)) void quantize(const float *in, int8_t *out, size_t n, float inverse_scale) {
    for (size_t i = 0; i < n; i++) {
        float v = fminf(fmaxf(in[i] * inverse_scale, -127.0f), 127.0f);
        out[i] = (int8_t)lrintf(v);
    }
}

__attribute__((noinline)) void softmax(const float *in, float *out, size_t rows, size_t len) {
    for (size_t r = 0; r < rows; r++) {
        const float *x = in + r * len;
        float *y = out + r * len;
        float largest = -INFINITY;
        for (size_t i = 0; i < len; i++) largest = fmaxf(largest, x[i]);
        float sum = 0.0f;
        for (size_t i = 0; i < len; i++) {
            float e = expf(x[i] - largest);
            y[i] = e;
            sum += e;
        }
        float inverse = 1.0f / sum;
        for (size_t i = 0; i < len; i++) y[i] *= inverse;
    }
}

__attribute__((noinline)) void layernorm(const float *in, float *out, size_t rows, size_t len, const float *gamma,
                                         const float *beta, float eps) {
    for (size_t r = 0; r < rows; r++) {
        const float *x = in + r * len;
        float *y = out + r * len;
        float sum = 0.0f;
        for (size_t i = 0; i < len; i++) sum += x[i];
        float mean = sum / (float)len;
        float squares = 0.0f;
        for (size_t i = 0; i < len; i++) {
            float c = x[i] - mean;
            squares += c * c;
        }
        float inverse_std = 1.0f / sqrtf(squares / (float)len + eps);
        for (size_t i = 0; i < len; i++) y[i] = (x[i] - mean) * inverse_std * gamma[i] + beta[i];
    }
}

__attribute__((noinline)) void gelu(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float x = in[i];
        out[i] = 0.5f * x * (1.0f + erff(x * 0.70710678f));   /* 0.70710678 = 1/sqrt(2) */
    }
}

__attribute__((noinline)) void resadd(const float *a, const float *b, float *out, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = a[i] + b[i];
}

/* ---- Deterministic inputs. ---- */

static uint64_t state = 0x2545F4914F6CDD1DULL;

static uint64_t splitmix64(void) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double uniform(void) { return (double)(splitmix64() >> 11) * 0x1.0p-53; }

/* About N(0, 1): the sum of 12 uniforms minus 6 (Irwin-Hall; no libm call, so every libc gives the same data). */
static float normal(void) {
    double s = 0.0;
    for (int k = 0; k < 12; k++) s += uniform();
    return (float)(s - 6.0);
}

static void *allocate(size_t count, size_t size) {
    void *p = calloc(count ? count : 1, size);
    if (!p) { fprintf(stderr, "kernels: out of memory\n"); exit(2); }
    return p;
}

static size_t parse_count(const char *text, const char *what) {
    char *end = NULL;
    unsigned long long v = strtoull(text, &end, 10);
    if (!*text || *end || v == 0 || v > (1ULL << 24)) {
        fprintf(stderr, "kernels: %s '%s' must be an integer in 1...16777216\n", what, text);
        exit(2);
    }
    return (size_t)v;
}

static int usage(void) {
    fprintf(stderr, "usage: kernels dequantize|quantize|gelu|resadd N\n       kernels softmax|layernorm ROWS LEN\n");
    return 2;
}

int main(int argc, char **argv) {
    if (argc < 3) return usage();
    const char *op = argv[1];
    int rowwise = !strcmp(op, "softmax") || !strcmp(op, "layernorm");
    if (argc != (rowwise ? 4 : 3)) return usage();
    size_t rows = rowwise ? parse_count(argv[2], "ROWS") : 1;
    size_t len = parse_count(argv[rowwise ? 3 : 2], rowwise ? "LEN" : "N");
    size_t n = rows * len;
    if (n > (1u << 24)) { fprintf(stderr, "kernels: ROWS x LEN must be at most 16777216\n"); return 2; }

    float *x = allocate(n, sizeof(float)), *y = allocate(n, sizeof(float)), *z = allocate(n, sizeof(float));
    double check = 0.0;
    if (!strcmp(op, "dequantize")) {
        /* Int8 x Int8 sums over a few hundred products: magnitudes up to about 2^17. */
        int32_t *acc = allocate(n, sizeof(int32_t));
        for (size_t i = 0; i < n; i++) acc[i] = (int32_t)(splitmix64() % (1u << 18)) - (1 << 17);
        region_begin();
        dequantize(acc, y, n, 0x1.0p-14f);
        region_end();
        for (size_t i = 0; i < n; i++) check += y[i];
    } else if (!strcmp(op, "quantize")) {
        /* About N(0, 1) activations, scale 4/127: values beyond 4 sigma clamp. */
        int8_t *q = allocate(n, sizeof(int8_t));
        for (size_t i = 0; i < n; i++) x[i] = normal();
        region_begin();
        quantize(x, q, n, 127.0f / 4.0f);
        region_end();
        for (size_t i = 0; i < n; i++) check += q[i];
    } else if (!strcmp(op, "softmax")) {
        /* Attention scores of a few units: 2 x N(0, 1). */
        for (size_t i = 0; i < n; i++) x[i] = 2.0f * normal();
        region_begin();
        softmax(x, y, rows, len);
        region_end();
        for (size_t i = 0; i < n; i++) check += y[i];
    } else if (!strcmp(op, "layernorm")) {
        /* A residual stream of N(0, 1) values around an offset; gamma near 1, beta near 0. */
        float *gamma = allocate(len, sizeof(float)), *beta = allocate(len, sizeof(float));
        for (size_t i = 0; i < len; i++) { gamma[i] = 1.0f + 0.1f * normal(); beta[i] = 0.1f * normal(); }
        for (size_t i = 0; i < n; i++) x[i] = 0.5f + normal();
        region_begin();
        layernorm(x, y, rows, len, gamma, beta, 1e-12f);
        region_end();
        for (size_t i = 0; i < n; i++) check += y[i];
    } else if (!strcmp(op, "gelu")) {
        /* Pre-activations of W1: about N(0, 1). */
        for (size_t i = 0; i < n; i++) x[i] = normal();
        region_begin();
        gelu(x, y, n);
        region_end();
        for (size_t i = 0; i < n; i++) check += y[i];
    } else if (!strcmp(op, "resadd")) {
        for (size_t i = 0; i < n; i++) { x[i] = normal(); z[i] = normal(); }
        region_begin();
        resadd(x, z, y, n);
        region_end();
        for (size_t i = 0; i < n; i++) check += y[i];
    } else {
        return usage();
    }
    /* Printing a checksum keeps the results live and lets count.sh see that the run did its work. */
    printf("%s %zu %zu %.6f\n", op, rows, len, check);
    return 0;
}
