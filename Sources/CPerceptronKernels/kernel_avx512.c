#include "internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f,fma")))
#define INLINE_AVX512 static inline __attribute__((always_inline, target("avx512f,fma")))

/* Lane mask for the first `n` of 16 lanes (n clamped to [0, 16]). */
INLINE_AVX512 __mmask16 lane_mask(long n) {
    if (n >= 16) return (__mmask16)0xFFFF;
    if (n <= 0) return (__mmask16)0;
    return (__mmask16)((1u << n) - 1u);
}

/* C tile row ← acc (+ β·C); masked so only the first n_eff columns are touched. */
INLINE_AVX512 void store_row(float *cr, __m512 acc, __mmask16 mask, float beta) {
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

/* 12 × (16·NV) micro-kernel: 12·NV zmm accumulators, one broadcast of A per row. */
#define DEFINE_KERNEL(NAME, NV)                                                              \
    AVX512 void NAME(long kc, const float *a, const float *b, float *c, long ldc,            \
                     long m_eff, long n_eff, float beta) {                                   \
        __m512 acc[12][NV];                                                                  \
        _Pragma("GCC unroll 12") for (int r = 0; r < 12; r++)                                \
            _Pragma("GCC unroll 2") for (int v = 0; v < NV; v++) acc[r][v] = _mm512_setzero_ps(); \
        for (long r = 0; r < m_eff; r++) _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0); \
        for (long p = 0; p < kc; p++) {                                                      \
            __m512 bv[NV];                                                                   \
            _Pragma("GCC unroll 2") for (int v = 0; v < NV; v++) bv[v] = _mm512_loadu_ps(b + 16 * v); \
            _Pragma("GCC unroll 12") for (int r = 0; r < 12; r++) {                          \
                __m512 av = _mm512_set1_ps(a[r]);                                            \
                _Pragma("GCC unroll 2") for (int v = 0; v < NV; v++)                         \
                    acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);                       \
            }                                                                                \
            a += 12;                                                                         \
            b += 16 * NV;                                                                    \
        }                                                                                    \
        __mmask16 masks[NV];                                                                 \
        _Pragma("GCC unroll 2") for (int v = 0; v < NV; v++) masks[v] = lane_mask(n_eff - 16 * v); \
        _Pragma("GCC unroll 12") for (int r = 0; r < 12; r++) {                              \
            if (r < m_eff) {                                                                 \
                _Pragma("GCC unroll 2") for (int v = 0; v < NV; v++)                         \
                    store_row(c + r * ldc + 16 * v, acc[r][v], masks[v], beta);              \
            }                                                                                \
        }                                                                                    \
    }

DEFINE_KERNEL(pk_kernel_avx512_12x32, 2)
DEFINE_KERNEL(pk_kernel_avx512_12x16, 1)

/* Final c[j..j+16) ← α·acc + β·c, masked. */
INLINE_AVX512 void gemv_store(float *c, __m512 acc, __mmask16 mask, float alpha, float beta) {
    __m512 r = _mm512_mul_ps(_mm512_set1_ps(alpha), acc);
    if (beta != 0.0f) r = _mm512_fmadd_ps(_mm512_set1_ps(beta), _mm512_maskz_loadu_ps(mask, c), r);
    _mm512_mask_storeu_ps(c, mask, r);
}

AVX512 void pk_gemv_rowmajor_avx512(long k, long n, float alpha, const float *x, long incx,
                                    const float *b, long ldb, float beta, float *c) {
    long j = 0;
    /* 128 columns at a time: 8 independent accumulators hide the FMA latency. */
    for (; j + 128 <= n; j += 128) {
        __m512 acc[8];
        _Pragma("GCC unroll 8") for (int v = 0; v < 8; v++) acc[v] = _mm512_setzero_ps();
        const float *row = b + j;
        for (long p = 0; p < k; p++) {
            __m512 xv = _mm512_set1_ps(x[p * incx]);
            _Pragma("GCC unroll 8") for (int v = 0; v < 8; v++)
                acc[v] = _mm512_fmadd_ps(xv, _mm512_loadu_ps(row + 16 * v), acc[v]);
            row += ldb;
        }
        _Pragma("GCC unroll 8") for (int v = 0; v < 8; v++)
            gemv_store(c + j + 16 * v, acc[v], (__mmask16)0xFFFF, alpha, beta);
    }
    /* Remaining columns, up to 64 at a time, masked; k unrolled by two to keep
     * two independent chains per vector. */
    for (; j < n; j += 64) {
        __m512 acc0[4], acc1[4];
        __mmask16 masks[4];
        _Pragma("GCC unroll 4") for (int v = 0; v < 4; v++) {
            acc0[v] = _mm512_setzero_ps();
            acc1[v] = _mm512_setzero_ps();
            masks[v] = lane_mask(n - j - 16 * v);
        }
        const float *row = b + j;
        long p = 0;
        for (; p + 2 <= k; p += 2) {
            __m512 x0 = _mm512_set1_ps(x[p * incx]);
            __m512 x1 = _mm512_set1_ps(x[(p + 1) * incx]);
            _Pragma("GCC unroll 4") for (int v = 0; v < 4; v++) {
                if (masks[v]) {
                    acc0[v] = _mm512_fmadd_ps(x0, _mm512_maskz_loadu_ps(masks[v], row + 16 * v), acc0[v]);
                    acc1[v] = _mm512_fmadd_ps(x1, _mm512_maskz_loadu_ps(masks[v], row + ldb + 16 * v), acc1[v]);
                }
            }
            row += 2 * ldb;
        }
        for (; p < k; p++) {
            __m512 x0 = _mm512_set1_ps(x[p * incx]);
            _Pragma("GCC unroll 4") for (int v = 0; v < 4; v++)
                if (masks[v]) acc0[v] = _mm512_fmadd_ps(x0, _mm512_maskz_loadu_ps(masks[v], row + 16 * v), acc0[v]);
            row += ldb;
        }
        _Pragma("GCC unroll 4") for (int v = 0; v < 4; v++)
            if (masks[v]) gemv_store(c + j + 16 * v, _mm512_add_ps(acc0[v], acc1[v]), masks[v], alpha, beta);
    }
}

AVX512 void pk_gemv_transposed_avx512(long k, long n, float alpha, const float *x,
                                      const float *b, long ldb, float beta, float *c) {
    long j = 0;
    /* Eight dot products at a time share each load of x. */
    for (; j < n; j += 8) {
        long rows = n - j < 8 ? n - j : 8;
        __m512 acc[8];
        const float *r[8];
        _Pragma("GCC unroll 8") for (int i = 0; i < 8; i++) {
            acc[i] = _mm512_setzero_ps();
            r[i] = b + (j + (i < rows ? i : 0)) * ldb;
        }
        long p = 0;
        for (; p + 16 <= k; p += 16) {
            __m512 xv = _mm512_loadu_ps(x + p);
            _Pragma("GCC unroll 8") for (int i = 0; i < 8; i++)
                acc[i] = _mm512_fmadd_ps(xv, _mm512_loadu_ps(r[i] + p), acc[i]);
        }
        if (p < k) {
            __mmask16 m = lane_mask(k - p);
            __m512 xv = _mm512_maskz_loadu_ps(m, x + p);
            _Pragma("GCC unroll 8") for (int i = 0; i < 8; i++)
                acc[i] = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(m, r[i] + p), acc[i]);
        }
        for (long i = 0; i < rows; i++) {
            float s = alpha * _mm512_reduce_add_ps(acc[i]);
            c[j + i] = beta == 0.0f ? s : s + beta * c[j + i];
        }
    }
}
#endif
