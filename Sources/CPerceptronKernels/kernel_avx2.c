#include "internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))
#define INLINE_AVX2 static inline __attribute__((always_inline, target("avx2,fma")))

/* Integer lane mask selecting the first `n` of 8 lanes (n clamped to [0, 8]). */
INLINE_AVX2 __m256i lane_mask8(long n) {
    if (n > 8) n = 8;
    if (n < 0) n = 0;
    __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), idx);
}

INLINE_AVX2 void store_row8(float *cr, __m256 acc, __m256i mask, int full, float beta) {
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

/* 6 × (8·NV) micro-kernel with 6·NV ymm accumulators. */
#define DEFINE_KERNEL(NAME, NV)                                                              \
    AVX2 void NAME(long kc, const float *a, const float *b, float *c, long ldc,              \
                   long m_eff, long n_eff, float beta) {                                     \
        __m256 acc[6][NV];                                                                   \
        _Pragma("GCC unroll 6") for (int r = 0; r < 6; r++)                                  \
            _Pragma("GCC unroll 2") for (int v = 0; v < NV; v++) acc[r][v] = _mm256_setzero_ps(); \
        for (long p = 0; p < kc; p++) {                                                      \
            __m256 bv[NV];                                                                   \
            _Pragma("GCC unroll 2") for (int v = 0; v < NV; v++) bv[v] = _mm256_loadu_ps(b + 8 * v); \
            _Pragma("GCC unroll 6") for (int r = 0; r < 6; r++) {                            \
                __m256 av = _mm256_broadcast_ss(a + r);                                      \
                _Pragma("GCC unroll 2") for (int v = 0; v < NV; v++)                         \
                    acc[r][v] = _mm256_fmadd_ps(av, bv[v], acc[r][v]);                       \
            }                                                                                \
            a += 6;                                                                          \
            b += 8 * NV;                                                                     \
        }                                                                                    \
        __m256i masks[NV];                                                                   \
        int full[NV];                                                                        \
        _Pragma("GCC unroll 2") for (int v = 0; v < NV; v++) {                               \
            masks[v] = lane_mask8(n_eff - 8 * v);                                            \
            full[v] = n_eff - 8 * v >= 8;                                                    \
        }                                                                                    \
        _Pragma("GCC unroll 6") for (int r = 0; r < 6; r++) {                                \
            if (r < m_eff) {                                                                 \
                _Pragma("GCC unroll 2") for (int v = 0; v < NV; v++)                         \
                    if (n_eff > 8 * v) store_row8(c + r * ldc + 8 * v, acc[r][v], masks[v], full[v], beta); \
            }                                                                                \
        }                                                                                    \
    }

DEFINE_KERNEL(pk_kernel_avx2_6x16, 2)
DEFINE_KERNEL(pk_kernel_avx2_6x8, 1)

/* Row vector times row-major matrix, c[j] ← α·Σ_p x[p·incx]·B[p, j] + β·c[j], computed as
 * the packed 6 × 16 kernel computes a row of a larger product, so a row has the same bits
 * whether it is predicted alone or in a batch: the depth runs in KC blocks of `kc_step`
 * (the packed path's own depth step), each block one FMA chain per column over
 * fl(α·x[p])·B[p, j] (packing A multiplies by α the same way), the first block stored with
 * β (β = 0: the sum; β = 1: c + sum; else fma(β, c, sum)) and the later blocks added to c.
 * Eight accumulators cover 64 columns at a time, enough independent chains to hide the
 * FMA latency. */
AVX2 void pk_gemv_rowmajor_avx2(long k, long n, float alpha, const float *x, long incx,
                                const float *b, long ldb, float beta, float *c, long kc_step) {
    if (kc_step <= 0) kc_step = k;
    for (long j = 0; j < n; j += 64) {
        long w = n - j < 64 ? n - j : 64;
        __m256i masks[8];
        int full[8];
        _Pragma("GCC unroll 8") for (int v = 0; v < 8; v++) {
            masks[v] = lane_mask8(w - 8 * v);
            full[v] = w - 8 * v >= 8;
        }
        for (long pc = 0; pc < k; pc += kc_step) {
            long kc = k - pc < kc_step ? k - pc : kc_step;
            __m256 acc[8];
            _Pragma("GCC unroll 8") for (int v = 0; v < 8; v++) acc[v] = _mm256_setzero_ps();
            const float *row = b + pc * ldb + j;
            const float *xp = x + pc * incx;
            if (w == 64) {
                for (long p = 0; p < kc; p++) {
                    __m256 xv = _mm256_set1_ps(alpha == 1.0f ? xp[p * incx] : alpha * xp[p * incx]);
                    _Pragma("GCC unroll 8") for (int v = 0; v < 8; v++)
                        acc[v] = _mm256_fmadd_ps(xv, _mm256_loadu_ps(row + 8 * v), acc[v]);
                    row += ldb;
                }
            } else {
                long vectors = (w + 7) / 8;
                for (long p = 0; p < kc; p++) {
                    __m256 xv = _mm256_set1_ps(alpha == 1.0f ? xp[p * incx] : alpha * xp[p * incx]);
                    for (long v = 0; v < vectors; v++)
                        acc[v] = _mm256_fmadd_ps(xv, _mm256_maskload_ps(row + 8 * v, masks[v]), acc[v]);
                    row += ldb;
                }
            }
            float block_beta = pc == 0 ? beta : 1.0f;
            _Pragma("GCC unroll 8") for (int v = 0; v < 8; v++)
                if (w > 8 * v) store_row8(c + j + 8 * v, acc[v], masks[v], full[v], block_beta);
        }
    }
}
#endif
