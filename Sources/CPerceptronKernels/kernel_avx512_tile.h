#ifndef PK_KERNEL_AVX512_TILE_H
#define PK_KERNEL_AVX512_TILE_H
/* What the AVX-512 micro-kernels (kernel_avx512.c, kernel_avx512_zero_steps.c, and the
 * bf16 ones: kernel_bf16.c, kernel_bf16_zero_steps.c) share. */
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

/* Removes a 12-word-a-step packed panel's zero steps in place: the kept steps' 12 words
 * move to the front in order and their indices go to `kept`; how many. A step is zero when
 * each of its words has no bit under `magnitude` set: 0x7FFFFFFF for an fp32 value (±0),
 * 0x7FFF7FFF for a bf16 pair word (both halves ±0). Branch-free (each step is stored at the
 * write position whether it stays or not), as MNIST's steps are zero or not about at
 * random. */
static inline __attribute__((always_inline, target("avx512f,fma")))
long pk_compact_panel12_avx512(float *panel, long steps, int *kept, int magnitude) {
    const __m512i bits = _mm512_set1_epi32(magnitude);
    const __mmask16 twelve = (__mmask16)0x0FFF;
    long count = 0;
    for (long p = 0; p < steps; p++) {
        __m512i values = _mm512_maskz_loadu_epi32(twelve, panel + 12 * p);
        __mmask16 nonzero = _mm512_mask_test_epi32_mask(twelve, values, bits);
        _mm512_mask_storeu_epi32(panel + 12 * count, twelve, values);
        kept[count] = (int)p;
        count += nonzero != 0;
    }
    return count;
}

/* Whether some step of such a panel is zero: the first found ends the look (an MNIST
 * panel's step 0, its images' top-left pixel, usually is). Without the dependency of the
 * compaction's write position on each test, a dense panel costs about a cycle a step:
 * dense 512 × 128 × 1000 (Aᵀ·B, fp32) went from 2.2 % slower than the dense kernel alone
 * to within the noise (Granite Rapids, 1 thread). */
static inline __attribute__((always_inline, target("avx512f,fma")))
int pk_has_zero_step12_avx512(const float *panel, long steps, int magnitude) {
    const __m512i bits = _mm512_set1_epi32(magnitude);
    const __mmask16 twelve = (__mmask16)0x0FFF;
    for (long p = 0; p < steps; p++) {
        __m512i values = _mm512_maskz_loadu_epi32(twelve, panel + 12 * p);
        if (!_mm512_mask_test_epi32_mask(twelve, values, bits)) return 1;
    }
    return 0;
}

/* A panel's kept steps, compacted, when it has a zero step; else `steps` (left as it is,
 * nothing listed). */
static inline __attribute__((always_inline, target("avx512f,fma")))
long pk_compact_sparse_panel12_avx512(float *panel, long steps, int *kept, int magnitude) {
    return pk_has_zero_step12_avx512(panel, steps, magnitude) ? pk_compact_panel12_avx512(panel, steps, kept, magnitude)
                                                              : steps;
}

#endif
#endif
