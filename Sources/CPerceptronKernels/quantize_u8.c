/* Activation quantization for the int8 GEMM: range, then x ↦ u8 as ONNX QuantizeLinear. */
#pragma STDC FP_CONTRACT OFF
#include "qgemm_internal.h"
#include <math.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

#define Q512_TARGET __attribute__((target("avx512f,avx512bw,avx512vl")))

Q512_TARGET static void min_max_avx512(long n, const float *x, float *min_out, float *max_out) {
    __m512 lo = _mm512_set1_ps(x[0]), hi = lo;
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i);
        lo = _mm512_min_ps(lo, v);
        hi = _mm512_max_ps(hi, v);
    }
    float a = _mm512_reduce_min_ps(lo), b = _mm512_reduce_max_ps(hi);
    for (; i < n; i++) {
        a = x[i] < a ? x[i] : a;
        b = x[i] > b ? x[i] : b;
    }
    *min_out = a;
    *max_out = b;
}

Q512_TARGET static void quantize_avx512(long rows, long cols, const float *x, long ldx, float scale,
                                        int32_t zero_point, uint8_t *a, long lda) {
    const __m512 s = _mm512_set1_ps(scale), z = _mm512_set1_ps((float)zero_point);
    const __m512 top = _mm512_set1_ps(255.0f), bottom = _mm512_setzero_ps();
    for (long i = 0; i < rows; i++) {
        const float *row = x + i * ldx;
        uint8_t *out = a + i * lda;
        for (long p = 0; p < cols; p += 16) {
            long left = cols - p;
            __mmask16 mask = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
            __m512 v = _mm512_div_ps(_mm512_maskz_loadu_ps(mask, row + p), s);
            v = _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
            v = _mm512_add_ps(v, z);
            v = _mm512_min_ps(_mm512_max_ps(v, bottom), top);
            _mm_mask_storeu_epi8(out + p, mask, _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(v)));
        }
        if (lda > cols) memset(out + cols, 0, (size_t)(lda - cols));
    }
}
#endif

void pk_min_max(long n, const float *x, float *min_out, float *max_out) {
#if defined(__x86_64__)
    if (pk_cpu_has_avx512_vnni()) {
        min_max_avx512(n, x, min_out, max_out);
        return;
    }
#endif
    float a = x[0], b = x[0];
    for (long i = 1; i < n; i++) {
        a = x[i] < a ? x[i] : a;
        b = x[i] > b ? x[i] : b;
    }
    *min_out = a;
    *max_out = b;
}

void pk_quantize_u8(long rows, long cols, const float *x, long ldx, float scale, int32_t zero_point,
                    uint8_t *a, long lda) {
#if defined(__x86_64__)
    if (pk_cpu_has_avx512_vnni()) {
        quantize_avx512(rows, cols, x, ldx, scale, zero_point, a, lda);
        return;
    }
#endif
    for (long i = 0; i < rows; i++) {
        const float *row = x + i * ldx;
        uint8_t *out = a + i * lda;
        for (long p = 0; p < cols; p++) {
            float v = nearbyintf(row[p] / scale) + (float)zero_point;
            v = v < 0.0f ? 0.0f : (v > 255.0f ? 255.0f : v);
            out[p] = (uint8_t)v;
        }
        if (lda > cols) memset(out + cols, 0, (size_t)(lda - cols));
    }
}
