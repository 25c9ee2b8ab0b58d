/* A packed A's zero steps, skipped (AVX2): kernel_avx512_zero_steps.c's method for the
 * 6-row panels of the AVX2 kernel.
 *
 *   C[i, j] = Σ_{p < kc} A[i, p]·B[p, j] = Σ_{p ∈ S} A[i, p]·B[p, j],
 *   S = { p : A[i, p] ≠ ±0 for some row i of the panel }
 *
 * A step outside S adds ±0 to each of the tile's sums, which start at +0 and so are never
 * −0: the steps of S, in the same order, give the same bits (but for a NaN or ±Inf in row
 * p of B, which is not read). An MNIST batch read in 6-row panels has more such steps than
 * in 12-row ones (six images' background at a pixel, not twelve). The AVX2 path packs α·A,
 * so GEMM calls this with α = 1. */
#include "internal.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include "kernel_avx2_tile.h"

#define AVX2 __attribute__((target("avx2,fma")))

/* Step p of a 6-row panel: its 6 floats as two xmm halves (4 + 2; no read or write past
 * the step), and whether one of them is not ±0. */
PK_INLINE_AVX2 int load_step6(const float *step, __m128 *low, __m128 *high) {
    *low = _mm_loadu_ps(step);
    *high = _mm_castpd_ps(_mm_load_sd((const double *)(step + 4)));
    __m128i bits = _mm_or_si128(_mm_castps_si128(*low), _mm_castps_si128(*high));
    return !_mm_testz_si128(bits, _mm_set1_epi32(0x7FFFFFFF));
}

/* Removes the panel's zero steps in place, as compact_panel of the AVX-512 file: kept
 * steps move to the front in order, their p's go to `kept`; how many. Branch-free. */
PK_INLINE_AVX2 long compact_panel6(float *panel, long kc, int *kept) {
    long count = 0;
    for (long p = 0; p < kc; p++) {
        __m128 low, high;
        int nonzero = load_step6(panel + 6 * p, &low, &high);
        _mm_storeu_ps(panel + 6 * count, low);
        _mm_store_sd((double *)(panel + 6 * count + 4), _mm_castps_pd(high));
        kept[count] = (int)p;
        count += nonzero;
    }
    return count;
}

/* Whether some step of the panel is all ±0 (the first found ends the look). */
PK_INLINE_AVX2 int has_zero_step6(const float *panel, long kc) {
    for (long p = 0; p < kc; p++) {
        __m128 low, high;
        if (!load_step6(panel + 6 * p, &low, &high)) return 1;
    }
    return 0;
}

/* 6 × (8·nv) tile over the `count` kept steps of a compacted panel: step t reads A's 6
 * values at a + 6t and row kept[t] of the B panel. */
PK_INLINE_AVX2 void zero_steps_body6(int nv, long count, const int *kept, const float *a, float alpha,
                                     const float *b, float *c, long ldc, long m_eff, long n_eff, float beta) {
    __m256 acc[6][2];
    pk_tile_start_avx2(nv, acc, c, ldc, m_eff);
    for (long t = 0; t < count; t++) {
        const float *row = b + (long)kept[t] * (8 * nv);
        const float *ap = a + 6 * t;
        __m256 bv[2];
        _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++) bv[v] = _mm256_loadu_ps(row + 8 * v);
        _Pragma("GCC unroll 6") for (int r = 0; r < 6; r++) {
            __m256 av = _mm256_broadcast_ss(ap + r);
            _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++)
                acc[r][v] = _mm256_fmadd_ps(av, bv[v], acc[r][v]);
        }
    }
    pk_tile_store_avx2(nv, acc, alpha, c, ldc, m_eff, n_eff, beta);
}

__attribute__((noinline, target("avx2,fma")))
static void zero_steps_group6(int nv, long count, const int *kept, const float *a, float alpha, const float *b,
                              float *c, long ldc, long m_eff, long n_eff, float beta) {
    if (nv == 2) zero_steps_body6(2, count, kept, a, alpha, b, c, ldc, m_eff, n_eff, beta);
    else zero_steps_body6(1, count, kept, a, alpha, b, c, ldc, m_eff, n_eff, beta);
}

AVX2 void pk_sgemm_packed_a_zero_steps_avx2(long m, long n, long kc, float *packed_a, float alpha,
                                            const float *packed_b, float *c, long ldc, float beta, int *steps) {
    long panels = (m + 5) / 6;
    int compacting = 1;
    for (long q = 0; q < panels; q++) {
        int *list = steps + q * (kc + 1);
        float *panel = packed_a + q * 6 * kc;
        long count = compacting && has_zero_step6(panel, kc) ? compact_panel6(panel, kc, list + 1) : kc;
        list[0] = (int)count;
        if (count * PK_ZERO_STEPS_DENSE_DENOMINATOR > kc * PK_ZERO_STEPS_DENSE_NUMERATOR) compacting = 0;
    }
    if (steps[0] == kc && alpha == 1.0f) {  /* dense from the first panel: the dense loop for the block */
        pk_sgemm_macro(PK_ISA_AVX2, m, n, kc, packed_a, packed_b, c, ldc, beta);
        return;
    }
    const float *pb = packed_b;
    for (long j = 0; j < n;) {
        long w = pk_panel_width(16, n - j);
        long n_eff = n - j < w ? n - j : w;
        int nv = w == 16 ? 2 : 1;
        for (long q = 0; q < panels; q++) {
            long i = 6 * q;
            long m_eff = m - i < 6 ? m - i : 6;
            const int *list = steps + q * (kc + 1);
            const float *pa = packed_a + q * 6 * kc;
            float *ct = c + i * ldc + j;
            if (list[0] < kc) zero_steps_group6(nv, list[0], list + 1, pa, alpha, pb, ct, ldc, m_eff, n_eff, beta);
            else if (alpha != 1.0f) pk_kernel_avx2_panel(nv, kc, pa, alpha, pb, ct, ldc, m_eff, n_eff, beta);
            /* α = 1 (GEMM's call): pk_sgemm_macro's own kernels, α folded away. */
            else if (nv == 2) pk_kernel_avx2_6x16(kc, pa, pb, ct, ldc, m_eff, n_eff, beta);
            else pk_kernel_avx2_6x8(kc, pa, pb, ct, ldc, m_eff, n_eff, beta);
        }
        pb += w * kc;
        j += w;
    }
}
#endif
