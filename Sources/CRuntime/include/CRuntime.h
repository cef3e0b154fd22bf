#ifndef CRUNTIME_H
#define CRUNTIME_H
/*
 * The CPU runtime's own C (Core/Kernels/Runtime): a pool of worker threads for its parallel phases, and the fp32
 * matrix products of the runtime. A weight matrix, the right operand of most of them, is packed once; a general
 * BLAS packs its operands again on every call, and at the survey's l = 128 that copy of a 768 x 3072 weight costs
 * OpenBLAS about a tenth of the product's time. Attention's operands change with every product and are packed
 * for it, as a BLAS does.
 *
 * Kernel levels: 2 = AVX-512F (micro-tiles of 12 rows x 32 columns), 1 = AVX2 with FMA (6 x 16), 0 = none
 * (the caller uses its BLAS). Both levels compute every C[i][j] in the same order:
 *     for each block of PG_KC consecutive p (p ascending):  t = 0;  t = fma(A[i][p], B[p][j], t) for p in the block;
 *                                                            C[i][j] = (first block ? t : C[i][j] + t)
 * so the bits of a result depend on neither the level, nor the vector width, nor how the panels are split over
 * threads (they differ from a BLAS's, which orders its sums its own way).
 */
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The k-block of the order above: 256 rows of B (32 KiB of a 32-column panel, in L1 with the A rows it meets). */
enum { PG_KC = 256 };

/* 1 when this CPU runs `level` (levels 1 and 2), else 0 (always 0 off x86-64). */
int pg_level_supported(int level);
/* Columns per packed panel at `level` (32 or 16; 0 for an unknown level). */
int pg_panel_width(int level);
/* Floats a packed k x n matrix takes at `level`: k x n rounded up to whole panels (zero-padded). */
size_t pg_packed_count(int level, int k, int n);
/* Packs B (k x n, row-major, row stride ldb) for `level` into `packed` (pg_packed_count floats). */
void pg_pack(int level, int k, int n, const float *b, int ldb, float *packed);

/* The same from B's transpose: packs B = Bt^T, where Bt is n x k (row-major, row stride ldbt), e.g. the keys of
   q . k^T, whose rows are positions. */
void pg_pack_transposed(int level, int k, int n, const float *bt, int ldbt, float *packed);

/* Floats the left operand A (m x k) takes packed at `level` (m rounded up to whole row groups). */
size_t pg_packed_rows_count(int level, int m, int k);
/* Row groups of A at `level` (m over 12 or 6, rounded up). */
int pg_row_groups(int level, int m);
/* Packs the row groups [group_begin, group_end) of A (m x k, row-major, row stride lda) for `level` into
   `packed` (pg_packed_rows_count floats in all): once per product, the groups split over the threads that then
   share it to split the panels. */
void pg_pack_rows(int level, int m, int k, const float *a, int lda, float *packed, int group_begin, int group_end);

/* y (n) = x (k) . B without packing: B[p][j] = b[p * ldb + j] (k rows of n), or with `transposed`
   B[p][j] = b[j * ldb + p] (n rows of k, e.g. one head's cached keys). Every y[j] is summed in pg_gemm's order, so
   the bits are those of a one-row pg_gemm: a decoding step's attention, whose operands change with every token and
   would cost more to pack than to multiply. Needs FMA (run it only where level 1 or 2 runs). */
void pg_gemv(int n, int k, const float *x, const float *b, int ldb, int transposed, float *y);

/*
 * C (m x n, row stride ldc) = A . B, A packed by pg_pack_rows and B by pg_pack at the same level, for the
 * column panels [panel_begin, panel_end) only (panel p holds columns p*width ..< min((p+1)*width, n)): callers
 * split the panels over threads. C must not overlap either packed operand.
 */
void pg_gemm(int level, int m, int n, int k, const float *a, const float *packed, float *c, int ldc,
             int panel_begin, int panel_end);

/*
 * Runs task(context, i) for every i in 0 ..< count on up to `threads` threads: the caller and threads - 1 pool
 * workers, each taking the next index as it comes free; returns when every index has run. Regions run one at a
 * time; a call from inside a task runs its indices serially on that thread.
 *
 * The workers poll for RT_SPIN_SECONDS after a region before they sleep, yielding their core now and then: the
 * runtime's products and row-wise kernels follow each other within microseconds, and a sleeping thread (in a
 * virtual machine, a halted virtual CPU) takes up to a millisecond to wake, often on the caller's core. Dispatch's
 * workers, which park at once, left the second core of a 2-core VM idle through most of a 1 ms product; polling
 * for 0.2 ms still lost most regions that came a layer apart. OpenBLAS's workers poll for about 0.1 s.
 */
#define RT_SPIN_SECONDS 0.01
typedef void (*rt_task)(void *context, int index);
void rt_parallel_for(int count, int threads, rt_task task, void *context);

#ifdef __cplusplus
}
#endif
#endif
