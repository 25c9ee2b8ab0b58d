#ifndef PK_KERNEL_AVX2_TILE_H
#define PK_KERNEL_AVX2_TILE_H
/* What the AVX2 kernels (kernel_avx2.c, kernel_avx2_zero_steps.c) share: masks and stores
 * of 8-float rows, and a 6 × (8·nv) tile's start and end. */
#if defined(__x86_64__)
#include <immintrin.h>
#include "internal.h"

#define PK_INLINE_AVX2 static inline __attribute__((always_inline, target("avx2,fma")))

/* Integer lane mask selecting the first `n` of 8 lanes (n clamped to [0, 8]). */
PK_INLINE_AVX2 __m256i lane_mask8(long n) {
    if (n > 8) n = 8;
    if (n < 0) n = 0;
    __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), idx);
}

/* C row ← acc (+ β·C): all 8 lanes when `full`, else the lanes of `mask`. */
PK_INLINE_AVX2 void store_row8(float *cr, __m256 acc, __m256i mask, int full, float beta) {
    if (full) {
        if (beta == 0.0f) _mm256_storeu_ps(cr, acc);
        else if (beta == 1.0f) _mm256_storeu_ps(cr, _mm256_add_ps(_mm256_loadu_ps(cr), acc));
        else _mm256_storeu_ps(cr, _mm256_fmadd_ps(_mm256_set1_ps(beta), _mm256_loadu_ps(cr), acc));
    } else {
        if (beta == 0.0f) {
            _mm256_maskstore_ps(cr, mask, acc);
        } else {
            __m256 old = _mm256_maskload_ps(cr, mask);
            __m256 r = beta == 1.0f ? _mm256_add_ps(old, acc)
                                    : _mm256_fmadd_ps(_mm256_set1_ps(beta), old, acc);
            _mm256_maskstore_ps(cr, mask, r);
        }
    }
}

/* A 6 × (8·nv) tile's start: accumulators zeroed, and the rows of C it will write
 * requested (C rarely sits in L1 when a tile starts, and its 6 rows would otherwise be
 * fetched one miss after another by the stores at the end). */
PK_INLINE_AVX2 void pk_tile_start_avx2(int nv, __m256 acc[6][2], const float *c, long ldc, long m_eff) {
    _Pragma("GCC unroll 6") for (int r = 0; r < 6; r++)
        _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++) acc[r][v] = _mm256_setzero_ps();
    for (long r = 0; r < m_eff; r++) {
        _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + r * ldc + 8 * nv - 1), _MM_HINT_T0);
    }
}

/* The tile's end: scaled by α unless α == 1, then its first m_eff rows and n_eff columns
 * stored (+ β·C). */
PK_INLINE_AVX2 void pk_tile_store_avx2(int nv, __m256 acc[6][2], float alpha, float *c, long ldc, long m_eff,
                                       long n_eff, float beta) {
    if (alpha != 1.0f) {
        __m256 al = _mm256_set1_ps(alpha);
        _Pragma("GCC unroll 6") for (int r = 0; r < 6; r++)
            _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++) acc[r][v] = _mm256_mul_ps(al, acc[r][v]);
    }
    __m256i masks[2];
    int full[2];
    _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++) {
        masks[v] = lane_mask8(n_eff - 8 * v);
        full[v] = n_eff - 8 * v >= 8;
    }
    _Pragma("GCC unroll 6") for (int r = 0; r < 6; r++) {
        if (r < m_eff) {
            _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++)
                if (n_eff > 8 * v) store_row8(c + r * ldc + 8 * v, acc[r][v], masks[v], full[v], beta);
        }
    }
}
#endif
#endif
