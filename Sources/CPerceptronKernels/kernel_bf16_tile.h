#ifndef PK_KERNEL_BF16_TILE_H
#define PK_KERNEL_BF16_TILE_H
/* The `vdpbf16ps` register tile, shared by the dense bf16 kernel (kernel_bf16.c) and the
 * one that skips zero steps (kernel_bf16_zero_steps.c). */
#if defined(__x86_64__)
#include "bf16_pairs.h"
#include "kernel_avx512_tile.h"

/* 12 × (16·nv) tile over `steps` pair steps: 12·nv accumulators; per step one load of B per
 * 16 columns and one broadcast pair of A per row, each `vdpbf16ps` adding 2 products per
 * lane:
 *
 *   acc[r][j] += A(r, 2q)·B(2q, j) + A(r, 2q+1)·B(2q+1, j)
 *
 * Step t takes A's 12 words at a + 12·t and row q of the B panel (16·nv words at
 * b + q·16·nv), q = t, or q = kept[t] when a list of kept steps is given. */
INLINE_BF16 void pk_bf16_tile(int nv, long steps, const int *kept, const uint32_t *a, const uint32_t *b, float *c,
                              long ldc, long m_eff, long n_eff, float beta) {
    __m512 acc[12][2];
    _Pragma("GCC unroll 12") for (int r = 0; r < 12; r++)
        _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++) acc[r][v] = _mm512_setzero_ps();
    for (long r = 0; r < m_eff; r++) {
        _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + r * ldc + 16 * nv - 1), _MM_HINT_T0);
    }
    for (long t = 0; t < steps; t++) {
        const uint32_t *row = b + (kept ? (long)kept[t] : t) * (16 * nv);
        __m512bh bv[2];
        _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++)
            bv[v] = (__m512bh)_mm512_loadu_si512((const void *)(row + 16 * v));
        _Pragma("GCC unroll 12") for (int r = 0; r < 12; r++) {
            __m512bh av = (__m512bh)_mm512_set1_epi32((int)a[r]);
            _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++)
                acc[r][v] = _mm512_dpbf16_ps(acc[r][v], av, bv[v]);
        }
        a += 12;
    }
    __mmask16 masks[2];
    _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++) masks[v] = mask16(n_eff - 16 * v);
    _Pragma("GCC unroll 12") for (int r = 0; r < 12; r++) {
        if (r < m_eff) {
            _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++)
                pk_store_row_avx512(c + r * ldc + 16 * v, acc[r][v], masks[v], beta);
        }
    }
}

#endif
#endif
