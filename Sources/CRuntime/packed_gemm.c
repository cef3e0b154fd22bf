/* See include/CRuntime.h for what is computed and in which order. */
#include "CRuntime.h"
#include <math.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

/*
 * One micro-tile: rows (<= R) x one panel of W columns over kc steps, accumulated in registers, then stored
 * (first block) or added to C. The row count is a template parameter so each remainder gets its own unrolled
 * kernel: R accumulators per vector of the panel, two vectors of B per step, one broadcast of A per row. A comes
 * packed (step q's R values at a + q*R): rows of A taken straight from the matrix would sit lda floats apart,
 * and at lda = 3072 (W2's input) all twelve fall in the same L1 set.
 * The row loops are unrolled by pragma, not left to the optimiser: SwiftPM compiles C at -O2, where clang kept the
 * accumulators of the 6- to 12-row kernels in memory (a load and a store per FMA), and the 8-row remainder of
 * l = 128 and 512 took 13.5% of a 128 x 768 x 768 product's time instead of 5%.
 */
#define PG_KERNEL(NAME, TARGET, R, VT, VW, LOAD, LOADU, STOREU, SET1, FMA, ADD, ZERO)                             \
    TARGET static inline __attribute__((always_inline)) void NAME(int rows, int kc, const float *a,                 \
                                                                  const float *b, float *c, int ldc, int first) {   \
        VT acc[R][2];                                                                                                \
        _Pragma("clang loop unroll(full)") for (int i = 0; i < R; i++) { acc[i][0] = ZERO(); acc[i][1] = ZERO(); }   \
        for (int q = 0; q < kc; q++) {                                                                               \
            VT b0 = LOAD(b + q * 2 * VW), b1 = LOAD(b + q * 2 * VW + VW);                                            \
            _Pragma("clang loop unroll(full)") for (int i = 0; i < R; i++) {                                         \
                if (i < rows) {                                                                                      \
                    VT x = SET1(a[q * R + i]);                                                                       \
                    acc[i][0] = FMA(x, b0, acc[i][0]);                                                               \
                    acc[i][1] = FMA(x, b1, acc[i][1]);                                                               \
                }                                                                                                    \
            }                                                                                                        \
        }                                                                                                            \
        _Pragma("clang loop unroll(full)") for (int i = 0; i < R; i++) {                                             \
            if (i < rows) {                                                                                          \
                float *ci = c + (size_t)i * ldc;                                                                     \
                if (first) { STOREU(ci, acc[i][0]); STOREU(ci + VW, acc[i][1]); }                                    \
                else { STOREU(ci, ADD(LOADU(ci), acc[i][0])); STOREU(ci + VW, ADD(LOADU(ci + VW), acc[i][1])); }     \
            }                                                                                                        \
        }                                                                                                            \
    }

#define AVX512 __attribute__((target("avx512f")))
#define AVX2 __attribute__((target("avx2,fma")))
PG_KERNEL(tile512, AVX512, 12, __m512, 16, _mm512_loadu_ps, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_set1_ps,
          _mm512_fmadd_ps, _mm512_add_ps, _mm512_setzero_ps)
PG_KERNEL(tile256, AVX2, 6, __m256, 8, _mm256_loadu_ps, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_set1_ps,
          _mm256_fmadd_ps, _mm256_add_ps, _mm256_setzero_ps)

/* One function per row count, so that `rows` is a constant inside each and the row loops unroll. */
#define PG_ROWS(NAME, TILE, TARGET, N) \
    TARGET static void NAME##_##N(int kc, const float *a, const float *b, float *c, int ldc, int first) { \
        TILE(N, kc, a, b, c, ldc, first); }
typedef void (*pg_tile)(int, const float *, const float *, float *, int, int);
PG_ROWS(t512, tile512, AVX512, 1) PG_ROWS(t512, tile512, AVX512, 2) PG_ROWS(t512, tile512, AVX512, 3)
PG_ROWS(t512, tile512, AVX512, 4) PG_ROWS(t512, tile512, AVX512, 5) PG_ROWS(t512, tile512, AVX512, 6)
PG_ROWS(t512, tile512, AVX512, 7) PG_ROWS(t512, tile512, AVX512, 8) PG_ROWS(t512, tile512, AVX512, 9)
PG_ROWS(t512, tile512, AVX512, 10) PG_ROWS(t512, tile512, AVX512, 11) PG_ROWS(t512, tile512, AVX512, 12)
PG_ROWS(t256, tile256, AVX2, 1) PG_ROWS(t256, tile256, AVX2, 2) PG_ROWS(t256, tile256, AVX2, 3)
PG_ROWS(t256, tile256, AVX2, 4) PG_ROWS(t256, tile256, AVX2, 5) PG_ROWS(t256, tile256, AVX2, 6)
static const pg_tile tiles512[13] = {0, t512_1, t512_2, t512_3, t512_4, t512_5, t512_6, t512_7, t512_8, t512_9,
                                     t512_10, t512_11, t512_12};
static const pg_tile tiles256[7] = {0, t256_1, t256_2, t256_3, t256_4, t256_5, t256_6};

int pg_level_supported(int level) {
    switch (level) {
    case 1: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case 2: return __builtin_cpu_supports("avx512f");
    default: return 0;
    }
}
#else
int pg_level_supported(int level) { (void)level; return 0; }
#endif

/* One row times B without packing, in pg_gemm's order: per block of PG_KC steps a chain t = fma(x[p], B[p][j], t)
 * from t = 0, p ascending, the blocks added in order. Callers run it only where level 1 or 2 runs, so AVX2 and FMA
 * are there. */
#if defined(__x86_64__)
/* Rows scaled and added (B[p][j] = b[p * ldb + j]): columns j0 ..< j0 + 8 * V, V vectors of chains. */
#define PG_AXPY(V)                                                                                                  \
    for (; j0 + 8 * (V) <= n; j0 += 8 * (V)) {                                                                    \
        for (int p0 = 0; p0 < k; p0 += PG_KC) {                                                                   \
            const int kc = k - p0 < PG_KC ? k - p0 : PG_KC;                                                       \
            __m256 t[V];                                                                                          \
            for (int v = 0; v < (V); v++) t[v] = _mm256_setzero_ps();                                             \
            for (int q = 0; q < kc; q++) {                                                                        \
                const __m256 xq = _mm256_set1_ps(x[p0 + q]);                                                      \
                const float *row = b + (size_t)(p0 + q) * ldb + j0;                                              \
                for (int v = 0; v < (V); v++) t[v] = _mm256_fmadd_ps(xq, _mm256_loadu_ps(row + 8 * v), t[v]);    \
            }                                                                                                     \
            for (int v = 0; v < (V); v++) {                                                                       \
                float *out = y + j0 + 8 * v;                                                                      \
                _mm256_storeu_ps(out, p0 == 0 ? t[v] : _mm256_add_ps(_mm256_loadu_ps(out), t[v]));               \
            }                                                                                                     \
        }                                                                                                         \
    }

/* Eight rows j0 ..< j0 + 8 of b, columns p ..< p + 8, transposed: c[q] holds B[p + q][j0 ..< j0 + 8]. */
__attribute__((target("avx2,fma"))) static inline void pg_transpose8(const float *b, size_t ldb, __m256 c[8]) {
    __m256 r[8], u[8], w[8];
    for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(b + (size_t)i * ldb);
    for (int i = 0; i < 8; i += 2) {
        u[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        u[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        w[i] = _mm256_shuffle_ps(u[i], u[i + 2], 0x44);
        w[i + 1] = _mm256_shuffle_ps(u[i], u[i + 2], 0xEE);
        w[i + 2] = _mm256_shuffle_ps(u[i + 1], u[i + 3], 0x44);
        w[i + 3] = _mm256_shuffle_ps(u[i + 1], u[i + 3], 0xEE);
    }
    for (int i = 0; i < 4; i++) {
        c[i] = _mm256_permute2f128_ps(w[i], w[i + 4], 0x20);
        c[i + 4] = _mm256_permute2f128_ps(w[i], w[i + 4], 0x31);
    }
}

__attribute__((target("avx2,fma"))) void pg_gemv(int n, int k, const float *x, const float *b, int ldb,
                                                   int transposed, float *y) {
    int j0 = 0;
    if (transposed) {
        /* B[p][j] = b[j * ldb + p]: eight rows at a time, turned in registers into eight chains of one vector. */
        for (; j0 + 8 <= n; j0 += 8) {
            const float *rows = b + (size_t)j0 * ldb;
            for (int p0 = 0; p0 < k; p0 += PG_KC) {
                const int kc = k - p0 < PG_KC ? k - p0 : PG_KC;
                __m256 t = _mm256_setzero_ps(), c[8];
                int q = 0;
                for (; q + 8 <= kc; q += 8) {
                    pg_transpose8(rows + p0 + q, (size_t)ldb, c);
                    for (int i = 0; i < 8; i++) t = _mm256_fmadd_ps(_mm256_set1_ps(x[p0 + q + i]), c[i], t);
                }
                for (; q < kc; q++) {
                    const float *at = rows + p0 + q;
                    const __m256 column = _mm256_setr_ps(at[0], at[ldb], at[2 * (size_t)ldb], at[3 * (size_t)ldb],
                                                         at[4 * (size_t)ldb], at[5 * (size_t)ldb], at[6 * (size_t)ldb],
                                                         at[7 * (size_t)ldb]);
                    t = _mm256_fmadd_ps(_mm256_set1_ps(x[p0 + q]), column, t);
                }
                _mm256_storeu_ps(y + j0, p0 == 0 ? t : _mm256_add_ps(_mm256_loadu_ps(y + j0), t));
            }
        }
    } else {
        PG_AXPY(8)
        PG_AXPY(1)
    }
    for (; j0 < n; j0++) {                               /* the last columns, one chain each */
        for (int p0 = 0; p0 < k; p0 += PG_KC) {
            const int kc = k - p0 < PG_KC ? k - p0 : PG_KC;
            float t = 0;
            for (int q = 0; q < kc; q++) {
                const float bq = transposed ? b[(size_t)j0 * ldb + p0 + q] : b[(size_t)(p0 + q) * ldb + j0];
                t = fmaf(x[p0 + q], bq, t);
            }
            y[j0] = p0 == 0 ? t : y[j0] + t;
        }
    }
}
#else
void pg_gemv(int n, int k, const float *x, const float *b, int ldb, int transposed, float *y) {
    (void)n; (void)k; (void)x; (void)b; (void)ldb; (void)transposed; (void)y;
}
#endif

int pg_panel_width(int level) { return level == 2 ? 32 : (level == 1 ? 16 : 0); }

/* Columns of B one pass over A's rows meets: a k-block of 512 columns is 512 KiB, held in L2 while every row
 * group of A passes over it. */
enum { PG_NC = 512 };

static int pg_rows(int level) { return level == 2 ? 12 : 6; }

size_t pg_packed_count(int level, int k, int n) {
    int w = pg_panel_width(level);
    if (w == 0 || k <= 0 || n <= 0) return 0;
    return (size_t)k * (size_t)((n + w - 1) / w) * (size_t)w;
}

/* Layout: k-blocks of PG_KC rows in order; within a block of kc rows, the panels in order, each kc x W
 * (row q of the panel: B[p0 + q][j0 ..< j0 + W], zeros past n). */
void pg_pack(int level, int k, int n, const float *b, int ldb, float *packed) {
    int w = pg_panel_width(level);
    if (w == 0) return;
    int panels = (n + w - 1) / w;
    float *out = packed;
    for (int p0 = 0; p0 < k; p0 += PG_KC) {
        int kc = k - p0 < PG_KC ? k - p0 : PG_KC;
        for (int j = 0; j < panels; j++) {
            int j0 = j * w, width = n - j0 < w ? n - j0 : w;
            for (int q = 0; q < kc; q++) {
                memcpy(out, b + (size_t)(p0 + q) * ldb + j0, sizeof(float) * (size_t)width);
                memset(out + width, 0, sizeof(float) * (size_t)(w - width));
                out += w;
            }
        }
    }
}

/* The same layout from B's transpose: B[p][j] = bt[j * ldbt + p]. Each source row (one column of B) is read once,
 * contiguously, and spread down its panel's column. */
void pg_pack_transposed(int level, int k, int n, const float *bt, int ldbt, float *packed) {
    int w = pg_panel_width(level);
    if (w == 0) return;
    int panels = (n + w - 1) / w;
    for (int p0 = 0; p0 < k; p0 += PG_KC) {
        int kc = k - p0 < PG_KC ? k - p0 : PG_KC;
        for (int j = 0; j < panels; j++) {
            int j0 = j * w, width = n - j0 < w ? n - j0 : w;
            float *out = packed + (size_t)p0 * panels * w + (size_t)j * kc * w;
            for (int x = 0; x < width; x++) {
                const float *column = bt + (size_t)(j0 + x) * ldbt + p0;
                for (int q = 0; q < kc; q++) out[q * w + x] = column[q];
            }
            for (int x = width; x < w; x++)
                for (int q = 0; q < kc; q++) out[q * w + x] = 0;
        }
    }
}

size_t pg_packed_rows_count(int level, int m, int k) {
    if (pg_panel_width(level) == 0 || m <= 0 || k <= 0) return 0;
    const int r = pg_rows(level);
    return (size_t)k * (size_t)((m + r - 1) / r) * (size_t)r;
}

int pg_row_groups(int level, int m) {
    if (pg_panel_width(level) == 0 || m <= 0) return 0;
    return (m + pg_rows(level) - 1) / pg_rows(level);
}

/* Layout: k-blocks of PG_KC columns in order; within a block of kc columns, the row groups in order, each
 * kc x R (step q of group g: A[g*R ..< g*R + R][p0 + q], zeros past m). */

void pg_pack_rows(int level, int m, int k, const float *a, int lda, float *packed, int group_begin, int group_end) {
    if (pg_panel_width(level) == 0) return;
    const int r = pg_rows(level), groups = (m + r - 1) / r;
    if (group_end > groups) group_end = groups;
    for (int p0 = 0; p0 < k; p0 += PG_KC) {
        const int kc = k - p0 < PG_KC ? k - p0 : PG_KC;
        for (int g = group_begin; g < group_end; g++) {
            float *out = packed + (size_t)p0 * groups * r + (size_t)g * kc * r;
            const int rows = m - g * r < r ? m - g * r : r;
            for (int y = 0; y < rows; y++) {
                const float *row = a + (size_t)(g * r + y) * lda + p0;
                for (int q = 0; q < kc; q++) out[q * r + y] = row[q];
            }
            for (int y = rows; y < r; y++)
                for (int q = 0; q < kc; q++) out[q * r + y] = 0;
        }
    }
}

void pg_gemm(int level, int m, int n, int k, const float *a, const float *packed, float *c, int ldc,
             int panel_begin, int panel_end) {
#if defined(__x86_64__)
    if (!pg_level_supported(level) || m <= 0 || n <= 0 || k <= 0) return;
    const int w = pg_panel_width(level), r = pg_rows(level), panels = (n + w - 1) / w;
    const size_t mr = (size_t)((m + r - 1) / r) * r;  /* rows of packed A */
    const pg_tile *tiles = level == 2 ? tiles512 : tiles256;
    if (panel_end > panels) panel_end = panels;
    float edge[12 * 32];                             /* a tile whose panel runs past n */
    for (int p0 = 0; p0 < k; p0 += PG_KC) {
        const int kc = k - p0 < PG_KC ? k - p0 : PG_KC, first = p0 == 0;
        const float *block = packed + (size_t)p0 * panels * w;
        for (int j0 = panel_begin; j0 < panel_end; j0 += PG_NC / w) {
          const int j1 = j0 + PG_NC / w < panel_end ? j0 + PG_NC / w : panel_end;
          for (int i = 0; i < m; i += r) {
            const int rows = m - i < r ? m - i : r;
            const float *ai = a + (size_t)p0 * mr + (size_t)(i / r) * kc * r;
            for (int j = j0; j < j1; j++) {
                const float *bj = block + (size_t)j * kc * w;
                float *cij = c + (size_t)i * ldc + (size_t)j * w;
                const int width = n - j * w < w ? n - j * w : w;
                if (width == w) { tiles[rows](kc, ai, bj, cij, ldc, first); continue; }
                for (int y = 0; y < rows; y++) {
                    memset(edge + y * w, 0, sizeof(float) * (size_t)w);
                    if (!first) memcpy(edge + y * w, cij + (size_t)y * ldc, sizeof(float) * (size_t)width);
                }
                tiles[rows](kc, ai, bj, edge, w, first);
                for (int y = 0; y < rows; y++) memcpy(cij + (size_t)y * ldc, edge + y * w, sizeof(float) * (size_t)width);
            }
          }
        }
    }
#else
    (void)level; (void)m; (void)n; (void)k; (void)a; (void)packed; (void)c; (void)ldc;
    (void)panel_begin; (void)panel_end;
#endif
}
