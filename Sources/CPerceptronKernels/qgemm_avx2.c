/* Int8 GEMM with AVX2: u8 and s8 widened to int16, then vpmaddwd (pairs of int16
 * products summed into int32 lanes, exact; vpmaddubsw would saturate in int16). */
#pragma STDC FP_CONTRACT OFF
#include "qgemm_internal.h"
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX2_TARGET __attribute__((target("avx2")))

enum { AVX2_MR = 6, AVX2_PANELS = 2, AVX2_MC = 96 };

/* mr (≤ 6) rows × np (≤ 2) panels of 8 columns: 12 accumulators of the 16 ymm registers. */
static inline __attribute__((always_inline)) AVX2_TARGET void
avx2_tile(const int mr, const int np, long pairs, const uint8_t *a, long lda, const int16_t *panels,
          long panel_stride, long j0, long n, const int32_t *colsum, int32_t zero_point, float a_scale,
          const float *b_scales, const float *bias, int relu, float *c, long ldc) {
    __m256i acc[AVX2_MR][AVX2_PANELS];
    for (int r = 0; r < mr; r++)
        for (int p = 0; p < np; p++) acc[r][p] = _mm256_setzero_si256();
    for (long q = 0; q < pairs; q++) {
        __m256i b[AVX2_PANELS];
        for (int p = 0; p < np; p++) b[p] = _mm256_loadu_si256((const __m256i *)(panels + p * panel_stride + q * 16));
        for (int r = 0; r < mr; r++) {
            const uint8_t *x = a + r * lda + 2 * q;
            __m256i pair = _mm256_set1_epi32((int32_t)((uint32_t)x[0] | ((uint32_t)x[1] << 16)));
            for (int p = 0; p < np; p++) acc[r][p] = _mm256_add_epi32(acc[r][p], _mm256_madd_epi16(pair, b[p]));
        }
    }
    const __m256i z = _mm256_set1_epi32(zero_point);
    const __m256 sa = _mm256_set1_ps(a_scale);
    for (int p = 0; p < np; p++) {
        long col = j0 + 8 * p;
        long width = n - col < 8 ? n - col : 8;
        int32_t sums[8] = {0};
        float scales[8] = {0}, offsets[8] = {0};
        memcpy(sums, colsum + col, (size_t)width * sizeof(int32_t));
        memcpy(scales, b_scales + col, (size_t)width * sizeof(float));
        if (bias) memcpy(offsets, bias + col, (size_t)width * sizeof(float));
        __m256i correction = _mm256_mullo_epi32(z, _mm256_loadu_si256((const __m256i *)sums));
        __m256 scale = _mm256_mul_ps(sa, _mm256_loadu_ps(scales));
        __m256 b = _mm256_loadu_ps(offsets);
        for (int r = 0; r < mr; r++) {
            __m256 v = _mm256_cvtepi32_ps(_mm256_sub_epi32(acc[r][p], correction));
            v = _mm256_mul_ps(v, scale);
            if (bias) v = _mm256_add_ps(v, b);
            if (relu) v = _mm256_max_ps(v, _mm256_setzero_ps()); /* v > 0 ? v : +0, as pk_relu */
            if (width == 8) {
                _mm256_storeu_ps(c + r * ldc + col, v);
            } else {
                float out[8];
                _mm256_storeu_ps(out, v);
                memcpy(c + r * ldc + col, out, (size_t)width * sizeof(float));
            }
        }
    }
}

#define AVX2_CASE(MR, NP)                                                                          \
    case MR:                                                                                       \
        avx2_tile(MR, NP, pairs, a + i * lda, lda, panels, panel_stride, j0, n, colsum, zero_point, \
                  a_scale, b_scales, bias, relu, c + i * ldc, ldc);                                     \
        break;

AVX2_TARGET void pk_qgemm_avx2(long m, long n, long k, const uint8_t *a, long lda, const int8_t *packed_b,
                               const int32_t *colsum, int32_t zero_point, float a_scale, const float *b_scales,
                               const float *bias, int relu, float *c, long ldc) {
    long pairs = pk_qgemm_padded_k(k) / 2;
    long panel_stride = pairs * 16;
    long panel_count = (n + 7) / 8;
    const int16_t *packed = (const int16_t *)(const void *)packed_b;
    for (long i0 = 0; i0 < m; i0 += AVX2_MC) {
        long i1 = i0 + AVX2_MC < m ? i0 + AVX2_MC : m;
        for (long p0 = 0; p0 < panel_count;) {
            int np = panel_count - p0 >= AVX2_PANELS ? AVX2_PANELS : 1;
            const int16_t *panels = packed + p0 * panel_stride;
            long j0 = p0 * 8;
            for (long i = i0; i < i1; i += AVX2_MR) {
                long mr = i1 - i < AVX2_MR ? i1 - i : AVX2_MR;
                if (np == AVX2_PANELS) {
                    switch (mr) {
                        AVX2_CASE(1, 2) AVX2_CASE(2, 2) AVX2_CASE(3, 2) AVX2_CASE(4, 2) AVX2_CASE(5, 2) AVX2_CASE(6, 2)
                    }
                } else {
                    switch (mr) {
                        AVX2_CASE(1, 1) AVX2_CASE(2, 1) AVX2_CASE(3, 1) AVX2_CASE(4, 1) AVX2_CASE(5, 1) AVX2_CASE(6, 1)
                    }
                }
            }
            p0 += np;
        }
    }
}
#endif
