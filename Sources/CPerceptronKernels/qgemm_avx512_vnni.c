/* Int8 GEMM with AVX-512 VNNI: vpdpbusd adds 4 u8×s8 products into each int32 lane. */
#pragma STDC FP_CONTRACT OFF
#include "qgemm_internal.h"
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

#define VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vnni")))

/* Rows of A per block: MC·kp bytes of A stay in L2 while the B panels stream past. */
enum { VNNI_MR = 6, VNNI_PANELS = 4, VNNI_MC = 96 };

/* mr (≤ 6) rows × np (≤ 4) panels of 16 columns; accumulators stay in registers
 * (mr·np ≤ 24 of the 32 zmm registers). */
static inline __attribute__((always_inline)) VNNI_TARGET void
vnni_tile(const int mr, const int np, long quads, const uint8_t *a, long lda, const int8_t *panels,
          long panel_stride, long j0, long n, const int32_t *colsum, int32_t zero_point, float a_scale,
          const float *b_scales, const float *bias, int relu, float *c, long ldc) {
    __m512i acc[VNNI_MR][VNNI_PANELS];
    for (int r = 0; r < mr; r++)
        for (int p = 0; p < np; p++) acc[r][p] = _mm512_setzero_si512();
    for (long q = 0; q < quads; q++) {
        __m512i b[VNNI_PANELS];
        for (int p = 0; p < np; p++) b[p] = _mm512_loadu_si512((const void *)(panels + p * panel_stride + q * 64));
        for (int r = 0; r < mr; r++) {
            int32_t four;
            memcpy(&four, a + r * lda + 4 * q, 4);
            __m512i x = _mm512_set1_epi32(four);
            for (int p = 0; p < np; p++) acc[r][p] = _mm512_dpbusd_epi32(acc[r][p], x, b[p]);
        }
    }
    const __m512i z = _mm512_set1_epi32(zero_point);
    const __m512 sa = _mm512_set1_ps(a_scale);
    for (int p = 0; p < np; p++) {
        long col = j0 + 16 * p;
        long left = n - col;
        __mmask16 mask = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
        __m512i correction = _mm512_mullo_epi32(z, _mm512_maskz_loadu_epi32(mask, colsum + col));
        __m512 scale = _mm512_mul_ps(sa, _mm512_maskz_loadu_ps(mask, b_scales + col));
        __m512 b = bias ? _mm512_maskz_loadu_ps(mask, bias + col) : _mm512_setzero_ps();
        for (int r = 0; r < mr; r++) {
            __m512 v = _mm512_cvtepi32_ps(_mm512_sub_epi32(acc[r][p], correction));
            v = _mm512_mul_ps(v, scale);
            if (bias) v = _mm512_add_ps(v, b);
            if (relu) v = _mm512_max_ps(v, _mm512_setzero_ps()); /* v > 0 ? v : +0, as pk_relu */
            _mm512_mask_storeu_ps(c + r * ldc + col, mask, v);
        }
    }
}

#define VNNI_CASE(MR, NP)                                                                          \
    case MR:                                                                                       \
        vnni_tile(MR, NP, quads, a + i * lda, lda, panels, panel_stride, j0, n, colsum, zero_point, \
                  a_scale, b_scales, bias, relu, c + i * ldc, ldc);                                     \
        break;

VNNI_TARGET void pk_qgemm_avx512_vnni(long m, long n, long k, const uint8_t *a, long lda, const int8_t *packed_b,
                                      const int32_t *colsum, int32_t zero_point, float a_scale,
                                      const float *b_scales, const float *bias, int relu, float *c, long ldc) {
    long quads = pk_qgemm_padded_k(k) / 4;
    long panel_stride = quads * 64;
    long panel_count = (n + 15) / 16;
    for (long i0 = 0; i0 < m; i0 += VNNI_MC) {
        long i1 = i0 + VNNI_MC < m ? i0 + VNNI_MC : m;
        for (long p0 = 0; p0 < panel_count;) {
            int np = panel_count - p0 >= VNNI_PANELS ? VNNI_PANELS : 1;
            const int8_t *panels = packed_b + p0 * panel_stride;
            long j0 = p0 * 16;
            for (long i = i0; i < i1; i += VNNI_MR) {
                long mr = i1 - i < VNNI_MR ? i1 - i : VNNI_MR;
                if (np == VNNI_PANELS) {
                    switch (mr) {
                        VNNI_CASE(1, 4) VNNI_CASE(2, 4) VNNI_CASE(3, 4) VNNI_CASE(4, 4) VNNI_CASE(5, 4) VNNI_CASE(6, 4)
                    }
                } else {
                    switch (mr) {
                        VNNI_CASE(1, 1) VNNI_CASE(2, 1) VNNI_CASE(3, 1) VNNI_CASE(4, 1) VNNI_CASE(5, 1) VNNI_CASE(6, 1)
                    }
                }
            }
            p0 += np;
        }
    }
}
#endif
