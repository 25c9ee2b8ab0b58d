#include "internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f,fma")))
#define INLINE_AVX512 static inline __attribute__((always_inline, target("avx512f,fma")))

/* C[i0 ..< i0+rows, 0 ..< N] ← α·Σ_p A(p, i)·B(p, j) + β·C for one slice of ≤ 32 rows of C.
 * The accumulators hold Cᵀ: acc[j][v] is column j, rows i0+16v ..< i0+16v+16, so a row of
 * A (16 consecutive i) is one vector and B(p, j) one broadcast. Masked loads keep every
 * read inside A. */
INLINE_AVX512 void narrow_slice(int N, long rows, long k, float alpha, const float *a, long lda,
                                const float *b, long ldb, float beta, float *c, long ldc) {
    __m512 acc[12][2];
    _Pragma("GCC unroll 12") for (int j = 0; j < N; j++) { acc[j][0] = _mm512_setzero_ps(); acc[j][1] = _mm512_setzero_ps(); }
    __mmask16 m0 = rows >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << rows) - 1u);
    __mmask16 m1 = rows >= 32 ? (__mmask16)0xFFFF : rows <= 16 ? (__mmask16)0 : (__mmask16)((1u << (rows - 16)) - 1u);
    if (m1 != 0) {
        for (long p = 0; p < k; p++) {
            __m512 x0 = _mm512_maskz_loadu_ps(m0, a), x1 = _mm512_maskz_loadu_ps(m1, a + 16);
            _Pragma("GCC unroll 12") for (int j = 0; j < N; j++) {
                __m512 bj = _mm512_set1_ps(b[j]);
                acc[j][0] = _mm512_fmadd_ps(x0, bj, acc[j][0]);
                acc[j][1] = _mm512_fmadd_ps(x1, bj, acc[j][1]);
            }
            a += lda;
            b += ldb;
        }
    } else {
        for (long p = 0; p < k; p++) {
            __m512 x0 = _mm512_maskz_loadu_ps(m0, a);
            _Pragma("GCC unroll 12") for (int j = 0; j < N; j++)
                acc[j][0] = _mm512_fmadd_ps(x0, _mm512_set1_ps(b[j]), acc[j][0]);
            a += lda;
            b += ldb;
        }
    }
    float tile[12][32] __attribute__((aligned(64)));
    __m512 al = _mm512_set1_ps(alpha);
    _Pragma("GCC unroll 12") for (int j = 0; j < N; j++) {
        _mm512_store_ps(tile[j], alpha == 1.0f ? acc[j][0] : _mm512_mul_ps(al, acc[j][0]));
        _mm512_store_ps(tile[j] + 16, alpha == 1.0f ? acc[j][1] : _mm512_mul_ps(al, acc[j][1]));
    }
    for (long i = 0; i < rows; i++) {
        float *cr = c + i * ldc;
        for (int j = 0; j < N; j++) {
            float t = tile[j][i];
            cr[j] = beta == 0.0f ? t : beta == 1.0f ? cr[j] + t : __builtin_fmaf(beta, cr[j], t);
        }
    }
}

#define NARROW_CASE(N) case N: narrow_slice(N, rows, k, alpha, a + i, lda, b, ldb, beta, c + i * ldc, ldc); break;

AVX512 void pk_sgemm_narrow_atb_avx512(long m, long n, long k, float alpha, const float *a, long lda,
                                       const float *b, long ldb, float beta, float *c, long ldc) {
    for (long i = 0; i < m; i += 32) {
        long rows = m - i < 32 ? m - i : 32;
        switch (n) {
            NARROW_CASE(1) NARROW_CASE(2) NARROW_CASE(3) NARROW_CASE(4) NARROW_CASE(5) NARROW_CASE(6)
            NARROW_CASE(7) NARROW_CASE(8) NARROW_CASE(9) NARROW_CASE(10) NARROW_CASE(11) NARROW_CASE(12)
            default: __builtin_trap(); /* callers check n ≤ PK_NARROW_MAX_N */
        }
    }
}
#endif

int pk_sgemm_narrow_atb_supported(int isa) {
#if defined(__x86_64__)
    return isa == PK_ISA_AVX512 || isa == PK_ISA_AVX2;
#else
    (void)isa;
    return 0;
#endif
}

void pk_sgemm_narrow_atb(int isa, long m, long n, long k, float alpha, const float *a, long lda,
                         const float *b, long ldb, float beta, float *c, long ldc) {
#if defined(__x86_64__)
    if (isa == PK_ISA_AVX512 && n >= 1 && n <= PK_NARROW_MAX_N) {
        pk_sgemm_narrow_atb_avx512(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    if (isa == PK_ISA_AVX2 && n >= 1 && n <= PK_NARROW_MAX_N) {
        pk_sgemm_narrow_atb_avx2(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
#endif
    (void)isa; (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)lda; (void)b; (void)ldb;
    (void)beta; (void)c; (void)ldc;
    __builtin_trap(); /* callers check pk_sgemm_narrow_atb_supported first */
}
