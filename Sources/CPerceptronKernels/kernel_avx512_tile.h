#ifndef PK_KERNEL_AVX512_TILE_H
#define PK_KERNEL_AVX512_TILE_H
/* What the AVX-512 micro-kernels (kernel_avx512.c, kernel_avx512_zero_steps.c) share. */
#if defined(__x86_64__)
#include <immintrin.h>

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

#endif
#endif
