#ifndef PK_INTERNAL_H
#define PK_INTERNAL_H
#include "CPerceptronKernels.h"

/* Micro-kernel: C[m_eff×n_eff] ← Σ_p a_p ⊗ b_p + β·C over a packed MR-row panel
 * of A and a packed panel of B of width `nr` (NR or NR/2). */
void pk_kernel_scalar(long kc, long mr, long nr, const float *a, const float *b,
                      float *c, long ldc, long m_eff, long n_eff, float beta);
void pk_gemv_rowmajor_scalar(long k, long n, float alpha, const float *x, long incx,
                             const float *b, long ldb, float beta, float *c);
void pk_gemv_transposed_scalar(long k, long n, float alpha, const float *x,
                               const float *b, long ldb, float beta, float *c);

#if defined(__x86_64__)
void pk_kernel_avx2_6x16(long kc, const float *a, const float *b, float *c, long ldc,
                         long m_eff, long n_eff, float beta);
void pk_kernel_avx2_6x8(long kc, const float *a, const float *b, float *c, long ldc,
                        long m_eff, long n_eff, float beta);
void pk_gemv_transposed_avx2(long k, long n, float alpha, const float *x,
                             const float *b, long ldb, float beta, float *c);
void pk_sgemm_narrow_atb_avx2(long m, long n, long k, float alpha, const float *a, long lda,
                              const float *b, long ldb, float beta, float *c, long ldc);
void pk_sgemm_direct_a_avx512(long m, long n, long kc, const float *a, long rsa, long csa,
                              float alpha, const float *packed_b, float *c, long ldc,
                              float beta, float *edge);
void pk_sgemm_packed_a_avx512(long m, long n, long kc, const float *packed_a, float alpha,
                              const float *packed_b, float *c, long ldc, float beta);
void pk_sgemm_packed_a_zero_steps_avx512(long m, long n, long kc, float *packed_a, float alpha,
                                         const float *packed_b, float *c, long ldc, float beta,
                                         int *steps);
/* pk_sgemm_direct_a_avx512 for A transposed in place (rsa = 1) and a B of one panel
 * (n ≤ 32), skipping the steps where B's row is all ±0; 0 (nothing computed) when B has
 * too few of them to pay for the list. */
int pk_sgemm_direct_a_zero_steps_avx512(long m, long n, long kc, const float *a, long csa, float alpha,
                                        const float *packed_b, float *c, long ldc, float beta, float *edge);
void pk_sgemm_direct_a_avx2(long m, long n, long kc, const float *a, long rsa, long csa,
                            float alpha, const float *packed_b, float *c, long ldc,
                            float beta, float *edge);
/* One 6-row packed panel of A (6 floats a step) against one packed panel of B of width
 * 8·nv: C[m_eff×n_eff] ← α·Σ_p a_p ⊗ b_p + β·C. */
void pk_kernel_avx2_panel(int nv, long kc, const float *a, float alpha, const float *b, float *c, long ldc,
                          long m_eff, long n_eff, float beta);
void pk_sgemm_packed_a_zero_steps_avx2(long m, long n, long kc, float *packed_a, float alpha,
                                       const float *packed_b, float *c, long ldc, float beta, int *steps);
/* One 6-row group of A read in place transposed (A(r, p) at a[r + p·csa]) against one
 * packed panel of B of width 8·nv. */
void pk_kernel_avx2_inplace_transposed(int nv, long kc, const float *a, long csa, float alpha, const float *b,
                                       float *c, long ldc, long n_eff, float beta);
/* pk_sgemm_direct_a_avx2 for A transposed in place (rsa = 1) and a B of ≤ 32 columns,
 * skipping the steps where a B panel's row is all ±0; 0 (nothing computed) when no panel
 * has enough of them to pay for its list. */
int pk_sgemm_direct_a_zero_steps_avx2(long m, long n, long kc, const float *a, long csa, float alpha,
                                      const float *packed_b, float *c, long ldc, float beta, float *edge);
void pk_gemv_rowmajor_avx512(long k, long n, float alpha, const float *x, long incx,
                             const float *b, long ldb, float beta, float *c);
void pk_gemv_rowmajor_avx2(long k, long n, float alpha, const float *x, long incx,
                           const float *b, long ldb, float beta, float *c, long kc_step);
void pk_gemv_transposed_avx512(long k, long n, float alpha, const float *x,
                               const float *b, long ldb, float beta, float *c);
#endif

/* The bits of the first `n` of 16 lanes (n clamped to [0, 16]): a 512-bit mask for the
 * last, partial vector of a row (an __mmask16 is this unsigned short). */
static inline unsigned short pk_lane_mask16(long n) {
    if (n >= 16) return 0xFFFF;
    if (n <= 0) return 0;
    return (unsigned short)((1u << n) - 1u);
}

/* Entries of x the row kernels scan for non-zeros at a time (their index lists live on
 * the stack). */
#define PK_GEMV_CHUNK 256

/* The positions p in [p0, p0 + count) where x[p·incx] is not ±0 (NaN and ±Inf are not),
 * in increasing order, into idx; how many. The row kernels' portable form of their lists
 * (a strided x, and the last entries of a contiguous one); see nonzero_entries in
 * kernel_avx512.c for why skipping the others changes no bit. */
static inline long pk_nonzero_positions(const float *x, long incx, long p0, long count, int *idx) {
    long found = 0;
    for (long p = p0; p < p0 + count; p++) {
        union { float f; unsigned u; } value = { x[p * incx] };
        if (value.u & 0x7FFFFFFFu) idx[found++] = (int)p;
    }
    return found;
}

/* A panel keeping more than 15/16 of its steps is dense: skipping its few zero steps gains
 * about what compacting it and reading B through a list cost. A block's look for zero steps
 * stops after a run of dense panels, one panel per PK_ZERO_STEPS_LOOK_COLUMNS columns of C,
 * at least 1 and at most PK_ZERO_STEPS_DENSE_RUN. A look at a panel without zero steps
 * reads all of it, about a cycle a step (pk_has_zero_step12_avx512), against about n/3
 * cycles a step for its product with n columns of B (12 rows × n/16 vectors at two FMAs a
 * cycle; the same for AVX2's 6 × n/8 and for bf16's pairs): where every panel was looked
 * at, dense 784 × 512 × 1000 (Aᵀ·B) spent 1.2 % of its time looking (Granite Rapids). */
#define PK_ZERO_STEPS_DENSE_NUMERATOR 15
#define PK_ZERO_STEPS_DENSE_DENOMINATOR 16
#define PK_ZERO_STEPS_LOOK_COLUMNS 128
#define PK_ZERO_STEPS_DENSE_RUN 4

/* Compacts the `panels` packed panels of a block (`panel` floats each, n columns of C)
 * in turn with `compact` (a panel's kept steps into kept, how many; kc, nothing listed,
 * when it has no zero step), writing each panel's count and list at steps + q·(kc + 1),
 * until the run of dense panels reaches its limit (above): the later panels are left as
 * they are, listed as kc. Returns how many panels were compacted (0: the block is as
 * packed, for the dense kernel whole). Dense data costs one to four panels' look a block;
 * a product under 256 columns stops at its first dense panel. MNIST's xᵀ (the weight
 * gradient's A: 12 pixels a panel, the batch's images as steps, 512 columns for the first
 * layer) has sparse panels after the image's dense middle: in a batch of 1,000, 36-41 % of
 * its steps are zero, of which a stop at the first dense panel had skipped a third. */
static inline long pk_compact_panels(long panels, long panel, long kc, long n, float *packed_a, int *steps,
                                     long (*compact)(float *panel, long kc, int *kept)) {
    long limit = n / PK_ZERO_STEPS_LOOK_COLUMNS;
    if (limit < 1) limit = 1;
    if (limit > PK_ZERO_STEPS_DENSE_RUN) limit = PK_ZERO_STEPS_DENSE_RUN;
    long run = 0, compacted = 0;
    for (long q = 0; q < panels; q++) {
        int *list = steps + q * (kc + 1);
        long count = run < limit ? compact(packed_a + q * panel, kc, list + 1) : kc;
        list[0] = (int)count;
        compacted += count < kc;
        if (count * PK_ZERO_STEPS_DENSE_DENOMINATOR > kc * PK_ZERO_STEPS_DENSE_NUMERATOR) run++;
        else run = 0;
    }
    return compacted;
}

/* Kept steps ahead at which the zero-step kernels prefetch A read in place. */
#define PK_ZERO_STEPS_A_PREFETCH 16

/* Where a zero-step kernel reads A's `rows` values of its t-th kept step (of `count`,
 * listed in `kept`): at a + t·panel in a compacted panel of `panel` floats a step
 * (`indexed_a` 0), or in place at a + kept[t]·csa, the rows 1 apart (`indexed_a` 1), whose
 * step PK_ZERO_STEPS_A_PREFETCH kept steps ahead is requested now (the list's jumps
 * defeat the hardware prefetcher). */
static inline __attribute__((always_inline)) const float *pk_zero_step_a(int indexed_a, long panel, int rows, long t,
                                                                         long count, const int *kept, const float *a,
                                                                         long csa) {
    if (!indexed_a) return a + panel * t;
    if (t + PK_ZERO_STEPS_A_PREFETCH < count) {
        const float *ahead = a + (long)kept[t + PK_ZERO_STEPS_A_PREFETCH] * csa;
        __builtin_prefetch(ahead, 0, 3);
        __builtin_prefetch(ahead + rows - 1, 0, 3);
    }
    return a + (long)kept[t] * csa;
}

/* Width of the packed B panel that starts with `remaining` columns left. */
static inline long pk_panel_width(long nr, long remaining) {
    return remaining > nr / 2 ? nr : nr / 2;
}

#endif
