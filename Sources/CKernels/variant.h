/*
 * One ISA build of the fixed-order kernels. kernels.c includes this file once per ISA level with
 *   FOK_TARGET  the function attribute naming the level's features (empty for the baseline),
 *   FOK_SFX(x)  the level's suffix for internal names,
 *   FOK_VL      the lanes of the GEMM's widest vector (4, 8 or 16) and FOK_VT its type,
 *   FOK_QUARTER 1 when a narrower 8-lane GEMM kernel is also built (AVX-512F: panels of <= 8 columns).
 * Every level performs the same operations in the same order (see CKernels.h): only how many independent
 * lanes one instruction carries differs. Contraction is off for the whole translation unit (kernels.c).
 */

#include "vector_ops.h"

#if FOK_ROWS > FOK_RMAX || FOK_VL * 2 > FOK_WMAX
#error "a micro-kernel larger than the workspace layout allows"
#endif

/* ---- Fixed-order sum and maximum: eight lanes of v8f, in every build. ---- */

FOK_TARGET FOK_INLINE float FOK_SFX(reduce_sum)(v8f s) {
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

FOK_TARGET FOK_INLINE float FOK_SFX(reduce_max)(v8f s) {
    float a = FOK_SFX(max2)(s[0], s[1]), b = FOK_SFX(max2)(s[2], s[3]), c = FOK_SFX(max2)(s[4], s[5]), d = FOK_SFX(max2)(s[6], s[7]);
    return FOK_SFX(max2)(FOK_SFX(max2)(a, b), FOK_SFX(max2)(c, d));
}

/* The lanes past n of the last group of eight are filled with `fill` (0 for sums, -inf for maxima): adding +0
 * to a partial sum that starts at +0 and only grows by x + (+0) leaves its bits unchanged, and so does a
 * maximum with -inf, so the padded lanes do not change the result of the definition. For sums of values that
 * may be negative the padding is not used: the tail is added lane by lane. */
FOK_TARGET static float FOK_SFX(sum)(size_t n, const float *x) {
    v8f acc = FOK_SFX(zero8)();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) acc = acc + FOK_SFX(load8)(x + i);
    for (size_t l = 0; i + l < n; l++) acc[l] = acc[l] + x[i + l];
    return FOK_SFX(reduce_sum)(acc);
}

FOK_TARGET static float FOK_SFX(max)(size_t n, const float *x) {
    v8f acc = FOK_SFX(splat8)(-INFINITY);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) acc = FOK_SFX(max8)(acc, FOK_SFX(load8)(x + i));
    for (size_t l = 0; i + l < n; l++) acc[l] = FOK_SFX(max2)(acc[l], x[i + l]);
    return FOK_SFX(reduce_max)(acc);
}

/* ---- Elementwise functions over arrays (eight lanes at a time; the tail through a zero-padded group). ---- */

FOK_TARGET static void FOK_SFX(expf_array)(size_t n, const float *x, float *y) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) FOK_SFX(store8)(y + i, FOK_SFX(exp8)(FOK_SFX(load8)(x + i)));
    if (i < n) {
        float in[8] = {0}, out[8];
        for (size_t l = 0; i + l < n; l++) in[l] = x[i + l];
        FOK_SFX(store8)(out, FOK_SFX(exp8)(FOK_SFX(load8)(in)));
        for (size_t l = 0; i + l < n; l++) y[i + l] = out[l];
    }
}

FOK_TARGET static void FOK_SFX(gelu_array)(size_t n, const float *x, float *y) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) FOK_SFX(store8)(y + i, FOK_SFX(gelu8)(FOK_SFX(load8)(x + i)));
    if (i < n) {
        float in[8] = {0}, out[8];
        for (size_t l = 0; i + l < n; l++) in[l] = x[i + l];
        FOK_SFX(store8)(out, FOK_SFX(gelu8)(FOK_SFX(load8)(in)));
        for (size_t l = 0; i + l < n; l++) y[i + l] = out[l];
    }
}

/* ---- GEMM micro-kernels: R rows x NV vectors of L lanes, B packed in panels of L*NV columns. ---- */

#define FOK_MICRO(NAME, VT, L, NV, R)                                                                           \
    FOK_TARGET static void NAME(int k, const float *restrict a, int lda, const float *restrict bp,              \
                                float *restrict c, int ldc, int accumulate, const float *restrict bias) {      \
        VT acc[R][NV];                                                                                          \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++)                                          \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++) {                                   \
                if (accumulate) memcpy(&acc[r][v], c + (size_t)r * ldc + v * L, sizeof(VT));                    \
                else memset(&acc[r][v], 0, sizeof(VT));                                                         \
            }                                                                                                   \
        for (int p = 0; p < k; p++) {                                                                           \
            VT b[NV];                                                                                           \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++)                                     \
                memcpy(&b[v], bp + (size_t)p * (L * NV) + v * L, sizeof(VT));                                   \
            _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) {                                    \
                const float ar = a[(size_t)r * lda + p];                                                        \
                _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++) {                               \
                    VT t = b[v] * ar;                                                                           \
                    acc[r][v] = acc[r][v] + t;                                                                  \
                }                                                                                               \
            }                                                                                                   \
        }                                                                                                       \
        if (bias) {                                                                                             \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++) {                                   \
                VT bv;                                                                                          \
                memcpy(&bv, bias + v * L, sizeof(VT));                                                          \
                _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) acc[r][v] = acc[r][v] + bv;      \
            }                                                                                                   \
        }                                                                                                       \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++)                                          \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++)                                     \
                memcpy(c + (size_t)r * ldc + v * L, &acc[r][v], sizeof(VT));                                    \
    }

FOK_MICRO(FOK_SFX(micro_wide), FOK_VT, FOK_VL, 2, FOK_ROWS)
FOK_MICRO(FOK_SFX(micro_half), FOK_VT, FOK_VL, 1, FOK_ROWS)
#if FOK_QUARTER
FOK_MICRO(FOK_SFX(micro_quarter), v8f, 8, 1, FOK_ROWS)
#endif

typedef void (*FOK_SFX(micro_fn))(int, const float *, int, const float *, float *, int, int, const float *);

enum { FOK_SFX(gemm_all) = 0, FOK_SFX(gemm_causal_columns) = 1, FOK_SFX(gemm_causal_depth) = 2 };

/*
 * The driver. For each panel of W columns (the widest kernel's unless the remaining columns fit a narrower
 * one), B's panel is packed (zero-padded past n) into the workspace, and each block of FOK_ROWS rows runs the
 * micro-kernel in place; a block that is cut by m or n runs on copies padded with zeros and copies back only
 * its valid part, so every C[i][j] gets exactly the operations of the definition.
 *
 * `mode` serves the causal attention: gemm_causal_columns skips a (row block, panel) pair whose first column
 * lies past the block's last row (attention never reads those scores), and gemm_causal_depth stops a row
 * block's sum at p = its last row (A's entries beyond are the softmax's exact zeros, whose products add
 * nothing: acc never becomes -0, so acc + (+-0) = acc).
 */
FOK_TARGET static void FOK_SFX(gemm_mode)(int m, int n, int k, const float *a, int lda, const float *b, int ldb,
                                          int transpose_b, const float *bias, float *c, int ldc, int accumulate,
                                          float *workspace, int mode) {
    const int wide = FOK_VL * 2, half = FOK_VL;
    float *packed = workspace;                               /* k x wide */
    float *packed_bias = workspace + (size_t)k * FOK_WMAX;   /* wide */
    float *edge_a = packed_bias + FOK_WMAX;                  /* FOK_ROWS x k */
    for (int j0 = 0; j0 < n;) {
        const int remaining = n - j0;
        int w = wide;
        FOK_SFX(micro_fn) micro = FOK_SFX(micro_wide);
#if FOK_QUARTER
        if (remaining <= 8) { w = 8; micro = FOK_SFX(micro_quarter); } else
#endif
        if (remaining <= half) { w = half; micro = FOK_SFX(micro_half); }
        const int nw = remaining < w ? remaining : w;
        for (int p = 0; p < k; p++) {
            float *row = packed + (size_t)p * w;
            if (transpose_b) {
                for (int jj = 0; jj < nw; jj++) row[jj] = b[(size_t)(j0 + jj) * ldb + p];
            } else {
                const float *src = b + (size_t)p * ldb + j0;
                for (int jj = 0; jj < nw; jj++) row[jj] = src[jj];
            }
            for (int jj = nw; jj < w; jj++) row[jj] = 0;
        }
        if (bias) {
            for (int jj = 0; jj < w; jj++) packed_bias[jj] = jj < nw ? bias[j0 + jj] : 0;
        }
        for (int i0 = 0; i0 < m; i0 += FOK_ROWS) {
            const int rows = m - i0 < FOK_ROWS ? m - i0 : FOK_ROWS;
            if (mode == FOK_SFX(gemm_causal_columns) && j0 > i0 + rows - 1) continue;
            int depth = k;
            if (mode == FOK_SFX(gemm_causal_depth) && i0 + rows < k) depth = i0 + rows;
            const float *ablock = a + (size_t)i0 * lda;
            float *cblock = c + (size_t)i0 * ldc + j0;
            const float *bb = bias ? packed_bias : NULL;
            if (rows == FOK_ROWS && nw == w) {
                micro(depth, ablock, lda, packed, cblock, ldc, accumulate, bb);
                continue;
            }
            int ldae = lda;
            if (rows < FOK_ROWS) {
                for (int r = 0; r < FOK_ROWS; r++)
                    for (int p = 0; p < depth; p++) edge_a[(size_t)r * depth + p] = r < rows ? ablock[(size_t)r * lda + p] : 0;
                ablock = edge_a;
                ldae = depth;
            }
            float tile[FOK_ROWS * FOK_WMAX];
            for (int r = 0; r < FOK_ROWS; r++)
                for (int jj = 0; jj < w; jj++)
                    tile[r * w + jj] = (accumulate && r < rows && jj < nw) ? cblock[(size_t)r * ldc + jj] : 0;
            micro(depth, ablock, ldae, packed, tile, w, accumulate, bb);
            for (int r = 0; r < rows; r++)
                for (int jj = 0; jj < nw; jj++) cblock[(size_t)r * ldc + jj] = tile[r * w + jj];
        }
        j0 += nw;
    }
}

/* ---- Row operations. ---- */

FOK_TARGET static void FOK_SFX(layernorm)(int rows, int d, const float *x, const float *gamma, const float *beta,
                                          float epsilon, float *y) {
    const float n = (float)d;
    for (int r = 0; r < rows; r++) {
        const float *row = x + (size_t)r * d;
        float *out = y + (size_t)r * d;
        const float mean = FOK_SFX(sum)((size_t)d, row) / n;
        v8f acc = FOK_SFX(zero8)();
        int j = 0;
        for (; j + 8 <= d; j += 8) {
            v8f c = FOK_SFX(load8)(row + j) - mean;
            acc = acc + c * c;
        }
        for (int l = 0; j + l < d; l++) {
            float c = row[j + l] - mean;
            acc[l] = acc[l] + c * c;
        }
        const float variance = FOK_SFX(reduce_sum)(acc) / n;
        const float inv = 1.0f / __builtin_sqrtf(variance + epsilon);
        j = 0;
        for (; j + 8 <= d; j += 8) {
            v8f h = (FOK_SFX(load8)(row + j) - mean) * inv;
            FOK_SFX(store8)(out + j, h * FOK_SFX(load8)(gamma + j) + FOK_SFX(load8)(beta + j));
        }
        for (; j < d; j++) {
            float h = (row[j] - mean) * inv;
            out[j] = h * gamma[j] + beta[j];
        }
    }
}

/* Softmax of `rows` rows of n entries (row stride `stride`), in place, as CKernels.h defines it. The tail past
 * the last whole group of eight goes through a group padded with -inf, whose exponentials are +0 exactly. */
FOK_TARGET static void FOK_SFX(softmax_rows)(int rows, int n, int stride, float scale, float *x) {
    for (int r = 0; r < rows; r++) {
        float *row = x + (size_t)r * stride;
        v8f mx = FOK_SFX(splat8)(-INFINITY);
        int j = 0;
        for (; j + 8 <= n; j += 8) {
            v8f z = FOK_SFX(load8)(row + j) * scale;
            FOK_SFX(store8)(row + j, z);
            mx = FOK_SFX(max8)(mx, z);
        }
        for (int l = 0; j + l < n; l++) {
            row[j + l] = row[j + l] * scale;
            mx[l] = FOK_SFX(max2)(mx[l], row[j + l]);
        }
        const float m = FOK_SFX(reduce_max)(mx);
        v8f acc = FOK_SFX(zero8)();
        for (j = 0; j + 8 <= n; j += 8) {
            v8f e = FOK_SFX(exp8)(FOK_SFX(load8)(row + j) - m);
            FOK_SFX(store8)(row + j, e);
            acc = acc + e;
        }
        if (j < n) {
            float in[8];
            for (int l = 0; l < 8; l++) in[l] = j + l < n ? row[j + l] - m : -INFINITY;
            v8f e = FOK_SFX(exp8)(FOK_SFX(load8)(in));
            for (int l = 0; j + l < n; l++) row[j + l] = e[l];
            acc = acc + e;
        }
        const float inv = 1.0f / FOK_SFX(reduce_sum)(acc);
        for (j = 0; j + 8 <= n; j += 8) FOK_SFX(store8)(row + j, FOK_SFX(load8)(row + j) * inv);
        for (; j < n; j++) row[j] = row[j] * inv;
    }
}

/* Softmax of row i of the scores (length t, causal: entries 0...i), in place, as CKernels.h defines it.
 * Groups of eight past i read entries that the causal GEMM may have skipped; they are replaced by -inf (a
 * select, not arithmetic) before use, so their contents do not matter. */
FOK_TARGET static void FOK_SFX(causal_softmax_row)(float *row, int i, int t, float scale) {
    const int used = i + 1, groups = (used + 7) / 8;
    v8f mx = FOK_SFX(splat8)(-INFINITY);
    for (int g = 0; g < groups; g++) {
        v8f z = FOK_SFX(load8)(row + 8 * g) * scale;
        z = FOK_SFX(mask_after)(z, used - 8 * g, -INFINITY);
        FOK_SFX(store8)(row + 8 * g, z);
        mx = FOK_SFX(max8)(mx, z);
    }
    const float m = FOK_SFX(reduce_max)(mx);
    v8f acc = FOK_SFX(zero8)();
    for (int g = 0; g < groups; g++) {
        v8f e = FOK_SFX(exp8)(FOK_SFX(load8)(row + 8 * g) - m);    /* exp(-inf) = +0 exactly */
        FOK_SFX(store8)(row + 8 * g, e);
        acc = acc + e;
    }
    const float inv = 1.0f / FOK_SFX(reduce_sum)(acc);
    for (int g = 0; g < groups; g++) FOK_SFX(store8)(row + 8 * g, FOK_SFX(load8)(row + 8 * g) * inv);
    for (int j = 8 * groups; j < t; j++) row[j] = 0;
}

FOK_TARGET static void FOK_SFX(causal_attention)(int t, int heads, int hd, const float *q, const float *k,
                                                 const float *v, int ld, float scale, float *ctx, float *workspace) {
    const int ts = (t + 7) / 8 * 8;                    /* row stride of the scores: whole groups of eight */
    float *scores = workspace;
    float *gemm_ws = workspace + (size_t)t * ts;
    for (int h = 0; h < heads; h++) {
        const int col = h * hd;
        FOK_SFX(gemm_mode)(t, t, hd, q + col, ld, k + col, ld, 1, NULL, scores, ts, 0, gemm_ws,
                           FOK_SFX(gemm_causal_columns));
        for (int i = 0; i < t; i++) FOK_SFX(causal_softmax_row)(scores + (size_t)i * ts, i, ts, scale);
        FOK_SFX(gemm_mode)(t, hd, t, scores, ts, v + col, ld, 0, NULL, ctx + col, ld, 0, gemm_ws,
                           FOK_SFX(gemm_causal_depth));
    }
}

FOK_TARGET static void FOK_SFX(next_symbol_losses)(int rows, int vocabulary, const float *logits,
                                                   const uint8_t *targets, double *losses) {
    for (int r = 0; r < rows; r++) {
        const float *z = logits + (size_t)r * vocabulary;
        const float m = FOK_SFX(max)((size_t)vocabulary, z);
        v8f acc = FOK_SFX(zero8)();
        int j = 0;
        for (; j + 8 <= vocabulary; j += 8) acc = acc + FOK_SFX(exp8)(FOK_SFX(load8)(z + j) - m);
        if (j < vocabulary) {
            v8f tail = FOK_SFX(splat8)(-INFINITY);
            for (int l = 0; j + l < vocabulary; l++) tail[l] = z[j + l];
            acc = acc + FOK_SFX(exp8)(tail - m);
        }
        const float s = FOK_SFX(reduce_sum)(acc);
        losses[r] = fok_log((double)s) - (double)(z[targets[r]] - m);
    }
}
