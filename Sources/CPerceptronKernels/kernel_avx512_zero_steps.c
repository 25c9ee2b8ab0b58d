/* A packed A's zero steps, skipped (AVX-512).
 *
 * For the 12 rows i of one packed panel of A and a panel of B,
 *
 *   C[i, j] = Σ_{p < kc} A[i, p]·B[p, j] = Σ_{p ∈ S} A[i, p]·B[p, j],
 *   S = { p : A[i, p] ≠ ±0 for some row i of the panel },
 *
 * since a step p outside S adds ±0 to each of the tile's sums. Each sum starts at +0 and a
 * round-to-nearest sum is −0 only when every term is, so it is never −0 and adding ±0
 * leaves its bits: the steps of S, in the same order, give the same bits. The one
 * difference from adding the terms is a NaN or ±Inf in row p of B, which 0·Inf would have
 * made NaN (reference BLAS's SGEMV skips a zero x[p] the same way). An MNIST batch read in
 * 12-row panels has ~51 % of its 784 steps all zero (the background pixels of twelve
 * images), so a first layer's forward does about half its multiply–adds. */
#include "internal.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include "kernel_avx512_tile.h"

#define AVX512 __attribute__((target("avx512f,fma")))
#define INLINE_AVX512 static inline __attribute__((always_inline, target("avx512f,fma")))

/* A panel's kept steps, compacted, when it has a zero step; else kc (left as it is). */
__attribute__((noinline, target("avx512f,fma")))
static long compact_sparse_panel(float *panel, long kc, int *kept) {
    return pk_compact_sparse_panel12_avx512(panel, kc, kept, 0x7FFFFFFF);
}

/* MR × (16·nv) tile over the `count` kept steps: step t reads row kept[t] of the B panel
 * and A's mr values of that step, either the t-th 12 of a compacted panel (`indexed_a` 0)
 * or A read in place at a + kept[t]·csa (`indexed_a` 1): pk_zero_step_a. */

INLINE_AVX512 void zero_steps_body(int mr, int nv, int indexed_a, long count, const int *kept, const float *a,
                                   long csa, float alpha, const float *b, float *c, long ldc, long m_eff,
                                   long n_eff, float beta) {
    __m512 acc[12][2];
    pk_tile_start_avx512(mr, nv, acc, c, ldc, m_eff);
    for (long t = 0; t < count; t++) {
        const float *ap = pk_zero_step_a(indexed_a, 12, mr, t, count, kept, a, csa);
        const float *row = b + (long)kept[t] * (16 * nv);
        __m512 bv[2];
        _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++) bv[v] = _mm512_loadu_ps(row + 16 * v);
        _Pragma("GCC unroll 12") for (int r = 0; r < mr; r++) {
            __m512 av = _mm512_set1_ps(ap[r]);
            _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++)
                acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
        }
    }
    pk_tile_store_avx512(mr, nv, acc, alpha, c, ldc, m_eff, n_eff, beta);
}

/* One group of `rows` (4, 8 or 12) rows of C, A compacted (`indexed_a` 0) or read in
 * place through the list (1). Out of line: each of the twelve bodies is a full tile loop. */
__attribute__((noinline, target("avx512f,fma")))
static void zero_steps_group(int rows, int nv, int indexed_a, long count, const int *kept, const float *a,
                             long csa, float alpha, const float *b, float *c, long ldc, long m_eff, long n_eff,
                             float beta) {
#define ZERO_STEPS_BODY(R, V) \
    (indexed_a ? zero_steps_body(R, V, 1, count, kept, a, csa, alpha, b, c, ldc, m_eff, n_eff, beta) \
               : zero_steps_body(R, V, 0, count, kept, a, 12, alpha, b, c, ldc, m_eff, n_eff, beta))
    if (rows == 12) {
        if (nv == 2) ZERO_STEPS_BODY(12, 2); else ZERO_STEPS_BODY(12, 1);
    } else if (rows == 8) {
        if (nv == 2) ZERO_STEPS_BODY(8, 2); else ZERO_STEPS_BODY(8, 1);
    } else {
        if (nv == 2) ZERO_STEPS_BODY(4, 2); else ZERO_STEPS_BODY(4, 1);
    }
#undef ZERO_STEPS_BODY
}

/* Panels are compacted while the look's budget of dense panels lasts (pk_compact_panels). */
AVX512 void pk_sgemm_packed_a_zero_steps_avx512(long m, long n, long kc, float *packed_a, float alpha,
                                                const float *packed_b, float *c, long ldc, float beta,
                                                int *steps) {
    long panels = (m + 11) / 12;
    if (pk_compact_panels(panels, 12 * kc, kc, n, packed_a, steps, compact_sparse_panel) == 0) {
        /* no panel compacted: one call for the block */
        pk_sgemm_packed_a_avx512(m, n, kc, packed_a, alpha, packed_b, c, ldc, beta);
        return;
    }
    const float *pb = packed_b;
    for (long j = 0; j < n;) {
        long w = pk_panel_width(32, n - j);
        long n_eff = n - j < w ? n - j : w;
        for (long q = 0; q < panels; q++) {
            long i = 12 * q;
            long m_eff = m - i < 12 ? m - i : 12;
            const int *list = steps + q * (kc + 1);
            const float *pa = packed_a + q * 12 * kc;
            if (list[0] == kc) {
                pk_sgemm_packed_a_avx512(m_eff, n_eff, kc, pa, alpha, pb, c + i * ldc + j, ldc, beta);
            } else {
                /* The first 4, 8 or 12 rows' FMAs, whichever cover m_eff (as the dense kernel's panels). */
                int rows = m_eff > 8 ? 12 : m_eff > 4 ? 8 : 4;
                zero_steps_group(rows, w == 32 ? 2 : 1, 0, list[0], list + 1, pa, 12, alpha, pb, c + i * ldc + j, ldc,
                                 m_eff, n_eff, beta);
            }
        }
        pb += w * kc;
        j += w;
    }
}

/* Whether a row of a packed B panel (16 floats, and 16 more under `high`) holds a value
 * that is not ±0. */
INLINE_AVX512 int panel_row_nonzero(const float *row, __mmask16 high) {
    __m512i bits = _mm512_or_si512(_mm512_loadu_si512(row), _mm512_maskz_loadu_epi32(high, row + 16));
    return _mm512_test_epi32_mask(bits, _mm512_set1_epi32(0x7FFFFFFF)) != 0;
}

/* Steps a one-panel B may have for the skipping below (its list lives on the stack). */
#define ZERO_STEPS_MAX_KC 4096

/* The same skipping with the roles turned: a product whose B is one packed panel (a
 * batch of ≤ 32 rows run swapped, Cᵀ = Wᵀ·xᵀ, with xᵀ packed as B) and whose A is read in
 * place transposed (rsa = 1: A(r, p) at a[r + p·csa], a row of W). A step p whose row of
 * the B panel is all ±0 (a pixel that is background in every image of the batch) adds ±0
 * to every sum of the tile and is skipped; the rows of A at the kept steps are read
 * through the list. */
AVX512 int pk_sgemm_direct_a_zero_steps_avx512(long m, long n, long kc, const float *a, long csa, float alpha,
                                        const float *packed_b, float *c, long ldc, float beta, float *edge) {
    /* Fewer than 128 rows of A: the look (up to ~150 cycles on dense data) would show
     * beside the product (32 × 64 × 128, dense, Granite Rapids: 158 → 155 GFLOP/s). */
    if (n > 32 || kc > ZERO_STEPS_MAX_KC || m < 128) return 0;
    long w = pk_panel_width(32, n);
    int nv = w == 32 ? 2 : 1;
    const __mmask16 high = nv == 2 ? (__mmask16)0xFFFF : (__mmask16)0;
    /* No zero step among the first 64 (dense data: a hidden layer's activations): no list.
     * The look stops at the first zero step and carries no dependency from step to step. */
    long first = kc < 64 ? kc : 64;
    int found = 0;
    for (long p = 0; p < first && !found; p++) found = !panel_row_nonzero(packed_b + p * w, high);
    if (!found) return 0;
    int kept[ZERO_STEPS_MAX_KC];
    long count = 0;
    for (long p = 0; p < kc; p++) {
        kept[count] = (int)p;
        count += panel_row_nonzero(packed_b + p * w, high);
    }
    /* Fewer than an eighth of the steps zero: the dense loop, which needs no list. */
    if (count * 8 > kc * 7) return 0;
    long full = m / 12 * 12;
    long rows = m - full;
    for (long i = 0; i < full; i += 12)
        zero_steps_group(12, nv, 1, count, kept, a + i, csa, alpha, packed_b, c + i * ldc, ldc, 12, n, beta);
    if (rows == 4 || rows == 8) {
        zero_steps_group((int)rows, nv, 1, count, kept, a + full, csa, alpha, packed_b, c + full * ldc, ldc,
                         rows, n, beta);
    } else if (rows > 0) {
        /* Packed (zero-padded to 12) so no row past A is read: A(r, p) at edge[r + 12p]. */
        pk_sgemm_pack_a(PK_ISA_AVX512, rows, kc, a + full, 1, csa, 1.0f, edge);
        zero_steps_group(12, nv, 1, count, kept, edge, 12, alpha, packed_b, c + full * ldc, ldc, rows, n, beta);
    }
    return 1;
}
#endif

int pk_sgemm_zero_steps_supported(int isa) {
#if defined(__x86_64__)
    return isa == PK_ISA_AVX512 || isa == PK_ISA_AVX2;
#else
    (void)isa;
    return 0;
#endif
}

long pk_sgemm_zero_steps_scratch_size(int isa, long m, long kc) {
    long mr = pk_sgemm_mr(isa);
    return (m + mr - 1) / mr * (kc + 1);
}

void pk_sgemm_packed_a_zero_steps(int isa, long m, long n, long kc, float *packed_a, float alpha,
                                  const float *packed_b, float *c, long ldc, float beta, void *steps) {
#if defined(__x86_64__)
    if (isa == PK_ISA_AVX512) {
        pk_sgemm_packed_a_zero_steps_avx512(m, n, kc, packed_a, alpha, packed_b, c, ldc, beta, (int *)steps);
        return;
    }
    if (isa == PK_ISA_AVX2) {
        pk_sgemm_packed_a_zero_steps_avx2(m, n, kc, packed_a, alpha, packed_b, c, ldc, beta, (int *)steps);
        return;
    }
#endif
    (void)isa; (void)m; (void)n; (void)kc; (void)packed_a; (void)alpha; (void)packed_b;
    (void)c; (void)ldc; (void)beta; (void)steps;
    __builtin_trap(); /* callers check pk_sgemm_zero_steps_supported first */
}
