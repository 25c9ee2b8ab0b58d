#ifndef PK_KERNEL_AVX512_TILE_H
#define PK_KERNEL_AVX512_TILE_H
/* What the AVX-512 micro-kernels (kernel_avx512.c, kernel_avx512_zero_steps.c) share. */
#if defined(__x86_64__)
#include <immintrin.h>
#include "internal.h"

/* C tile row ← acc (+ β·C); masked so only the first n_eff columns are touched. */
static inline __attribute__((always_inline, target("avx512f,fma"))) void pk_store_row_avx512(float *cr, __m512 acc, __mmask16 mask, float beta) {
    if (beta == 0.0f) {
        _mm512_mask_storeu_ps(cr, mask, acc);
    } else if (beta == 1.0f) {
        __m512 old = _mm512_maskz_loadu_ps(mask, cr);
        _mm512_mask_storeu_ps(cr, mask, _mm512_add_ps(old, acc));
    } else {
        __m512 old = _mm512_maskz_loadu_ps(mask, cr);
        _mm512_mask_storeu_ps(cr, mask, _mm512_fmadd_ps(_mm512_set1_ps(beta), old, acc));
    }
}

/* An MR × (16·nv) tile's start: its accumulators zeroed, the rows of C it will write
 * requested. Inlined with constant mr and nv, acc stays in registers. */
static inline __attribute__((always_inline, target("avx512f,fma")))
void pk_tile_start_avx512(int mr, int nv, __m512 acc[12][2], const float *c, long ldc, long m_eff) {
    _Pragma("GCC unroll 12") for (int r = 0; r < mr; r++)
        _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++) acc[r][v] = _mm512_setzero_ps();
    for (long r = 0; r < m_eff; r++) {
        _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + r * ldc + 16 * nv - 1), _MM_HINT_T0);
    }
}

/* The tile's end: C[r, j] ← α·acc (+ β·C) for r < m_eff, j < n_eff (α not applied when 1). */
static inline __attribute__((always_inline, target("avx512f,fma")))
void pk_tile_store_avx512(int mr, int nv, __m512 acc[12][2], float alpha, float *c, long ldc, long m_eff,
                          long n_eff, float beta) {
    if (alpha != 1.0f) {
        __m512 al = _mm512_set1_ps(alpha);
        _Pragma("GCC unroll 12") for (int r = 0; r < mr; r++)
            _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++) acc[r][v] = _mm512_mul_ps(al, acc[r][v]);
    }
    __mmask16 masks[2];
    _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++) masks[v] = pk_lane_mask16(n_eff - 16 * v);
    _Pragma("GCC unroll 12") for (int r = 0; r < mr; r++) {
        if (r < m_eff) {
            _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++)
                pk_store_row_avx512(c + r * ldc + 16 * v, acc[r][v], masks[v], beta);
        }
    }
}

#endif
#endif
