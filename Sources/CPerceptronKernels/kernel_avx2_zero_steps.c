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

/* Removes the panel's zero steps in place, as pk_compact_panel12_avx512 does: kept
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

/* A panel's kept steps, compacted, when it has a zero step; else kc (left as it is). */
__attribute__((noinline, target("avx2,fma")))
static long compact_sparse_panel6(float *panel, long kc, int *kept) {
    return has_zero_step6(panel, kc) ? compact_panel6(panel, kc, kept) : kc;
}

/* 6 × (8·nv) tile over the `count` kept steps: step t reads row kept[t] of the B panel
 * and A's 6 values of that step, either the t-th 6 of a compacted panel (`indexed_a` 0) or
 * A read in place at a + kept[t]·csa (`indexed_a` 1): pk_zero_step_a. */

PK_INLINE_AVX2 void zero_steps_body6(int nv, int indexed_a, long count, const int *kept, const float *a, long csa,
                                     float alpha, const float *b, float *c, long ldc, long m_eff, long n_eff,
                                     float beta) {
    __m256 acc[6][2];
    pk_tile_start_avx2(nv, acc, c, ldc, m_eff);
    for (long t = 0; t < count; t++) {
        const float *ap = pk_zero_step_a(indexed_a, 6, 6, t, count, kept, a, csa);
        const float *row = b + (long)kept[t] * (8 * nv);
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

/* One 6-row group, A compacted (`indexed_a` 0) or read in place through the list (1). */
__attribute__((noinline, target("avx2,fma")))
static void zero_steps_group6(int nv, int indexed_a, long count, const int *kept, const float *a, long csa,
                              float alpha, const float *b, float *c, long ldc, long m_eff, long n_eff, float beta) {
#define ZERO_STEPS_BODY6(V) \
    (indexed_a ? zero_steps_body6(V, 1, count, kept, a, csa, alpha, b, c, ldc, m_eff, n_eff, beta) \
               : zero_steps_body6(V, 0, count, kept, a, 6, alpha, b, c, ldc, m_eff, n_eff, beta))
    if (nv == 2) ZERO_STEPS_BODY6(2); else ZERO_STEPS_BODY6(1);
#undef ZERO_STEPS_BODY6
}

AVX2 void pk_sgemm_packed_a_zero_steps_avx2(long m, long n, long kc, float *packed_a, float alpha,
                                            const float *packed_b, float *c, long ldc, float beta, int *steps) {
    long panels = (m + 5) / 6;
    long compacted = pk_compact_panels(panels, 6 * kc, kc, n, packed_a, steps, compact_sparse_panel6);
    if (compacted == 0 && alpha == 1.0f) {  /* no panel compacted: the dense loop for the block */
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
            if (list[0] < kc) zero_steps_group6(nv, 0, list[0], list + 1, pa, 6, alpha, pb, ct, ldc, m_eff, n_eff, beta);
            else if (alpha != 1.0f) pk_kernel_avx2_panel(nv, kc, pa, alpha, pb, ct, ldc, m_eff, n_eff, beta);
            /* α = 1 (GEMM's call): pk_sgemm_macro's own kernels, α folded away. */
            else if (nv == 2) pk_kernel_avx2_6x16(kc, pa, pb, ct, ldc, m_eff, n_eff, beta);
            else pk_kernel_avx2_6x8(kc, pa, pb, ct, ldc, m_eff, n_eff, beta);
        }
        pb += w * kc;
        j += w;
    }
}

/* Whether a row of a packed B panel (8 floats, and 8 more when nv is 2) holds a value that
 * is not ±0. */
PK_INLINE_AVX2 int panel_row_nonzero8(const float *row, int nv) {
    __m256i bits = _mm256_castps_si256(_mm256_loadu_ps(row));
    if (nv == 2) bits = _mm256_or_si256(bits, _mm256_castps_si256(_mm256_loadu_ps(row + 8)));
    return !_mm256_testz_si256(bits, _mm256_set1_epi32(0x7FFFFFFF));
}

/* Steps a B panel may have for the skipping below (its lists live on the stack). */
#define ZERO_STEPS_MAX_KC 4096

/* The AVX2 form of pk_sgemm_direct_a_zero_steps_avx512: a product whose B (a swapped
 * batch's xᵀ, ≤ 32 columns: one or two 16-wide panels) is packed and whose A is read in
 * place transposed (rsa = 1: A(r, p) at a[r + p·csa], a row of W). The steps at which a
 * panel's row is all ±0 (a pixel that is background in all its images) are skipped, A's
 * rows at the kept steps read through the panel's list. The same gates: 0 (nothing
 * computed) for fewer than 128 rows of A, no zero step among a panel's first 64, or fewer
 * than an eighth of its steps zero. */
AVX2 int pk_sgemm_direct_a_zero_steps_avx2(long m, long n, long kc, const float *a, long csa, float alpha,
                                           const float *packed_b, float *c, long ldc, float beta, float *edge) {
    if (n > 32 || kc > ZERO_STEPS_MAX_KC || m < 128) return 0;
    int kept[2][ZERO_STEPS_MAX_KC];
    long count[2] = { kc, kc };
    int nvs[2] = { 0, 0 };
    long panels = 0, sparse = 0;
    for (long j = 0; j < n; panels++) {
        long w = pk_panel_width(16, n - j);
        int nv = w == 16 ? 2 : 1;
        const float *pb = packed_b + j * kc;
        nvs[panels] = nv;
        long first = kc < 64 ? kc : 64;
        int found = 0;
        for (long p = 0; p < first && !found; p++) found = !panel_row_nonzero8(pb + p * w, nv);
        if (found) {
            long kept_count = 0;
            for (long p = 0; p < kc; p++) {
                kept[panels][kept_count] = (int)p;
                kept_count += panel_row_nonzero8(pb + p * w, nv);
            }
            if (kept_count * 8 <= kc * 7) { count[panels] = kept_count; sparse++; }
        }
        j += w;
    }
    if (sparse == 0) return 0;
    long full = m / 6 * 6;
    long rows = m - full;
    if (rows > 0) pk_sgemm_pack_a(PK_ISA_AVX2, rows, kc, a + full, 1, csa, 1.0f, edge);
    for (long i = 0; i < m; i += 6) {
        const float *ai = i < full ? a + i : edge;
        long acs = i < full ? csa : 6;
        long m_eff = i < full ? 6 : rows;
        const float *pb = packed_b;
        for (long q = 0, j = 0; q < panels; q++) {
            int nv = nvs[q];
            long w = 8 * nv;
            long n_eff = n - j < w ? n - j : w;
            float *ct = c + i * ldc + j;
            if (count[q] < kc) {
                zero_steps_group6(nv, 1, count[q], kept[q], ai, acs, alpha, pb, ct, ldc, m_eff, n_eff, beta);
            } else if (i < full) {
                pk_kernel_avx2_inplace_transposed(nv, kc, ai, csa, alpha, pb, ct, ldc, n_eff, beta);
            } else {
                pk_kernel_avx2_panel(nv, kc, ai, alpha, pb, ct, ldc, m_eff, n_eff, beta);
            }
            pb += w * kc;
            j += w;
        }
    }
    return 1;
}
#endif
