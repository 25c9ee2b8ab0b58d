#include "internal.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include "kernel_avx2_tile.h"

#define AVX2 __attribute__((target("avx2,fma")))
#define INLINE_AVX2 static inline __attribute__((always_inline, target("avx2,fma")))

/* 6 × (8·NV) micro-kernel body with 6·NV ymm accumulators. A(r, p) is read at
 * a[r*rsa + p*csa]: (rsa, csa) = (1, 6) for a packed panel (the constants fold in), or the
 * caller's strides when A is read in place. Each element of C is one FMA chain over p, so
 * a panel read in place gives the packed panel's bits. The result is scaled by α unless
 * α == 1 (packed panels already hold α·A). The tile's start and end are kernel_avx2_tile.h's. */
INLINE_AVX2 void kernel6_body(int nv, long kc, const float *a, long rsa, long csa, float alpha,
                              const float *b, float *c, long ldc, long m_eff, long n_eff, float beta) {
    __m256 acc[6][2];
    pk_tile_start_avx2(nv, acc, c, ldc, m_eff);
    if (csa == 1 && rsa != 1) {
        /* A read in place, row-major: six row pointers indexed by p. */
        const float *row[6];
        _Pragma("GCC unroll 6") for (int r = 0; r < 6; r++) row[r] = a + r * rsa;
        _Pragma("GCC unroll 4") for (long p = 0; p < kc; p++) {
            __m256 bv[2];
            _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++) bv[v] = _mm256_loadu_ps(b + 8 * v);
            _Pragma("GCC unroll 6") for (int r = 0; r < 6; r++) {
                __m256 av = _mm256_broadcast_ss(row[r] + p);
                _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++)
                    acc[r][v] = _mm256_fmadd_ps(av, bv[v], acc[r][v]);
            }
            b += 8 * nv;
        }
    } else {
        _Pragma("GCC unroll 4") for (long p = 0; p < kc; p++) {
            __m256 bv[2];
            _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++) bv[v] = _mm256_loadu_ps(b + 8 * v);
            _Pragma("GCC unroll 6") for (int r = 0; r < 6; r++) {
                __m256 av = _mm256_broadcast_ss(a + r * rsa);
                _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++)
                    acc[r][v] = _mm256_fmadd_ps(av, bv[v], acc[r][v]);
            }
            a += csa;
            b += 8 * nv;
        }
    }
    pk_tile_store_avx2(nv, acc, alpha, c, ldc, m_eff, n_eff, beta);
}

AVX2 void pk_kernel_avx2_6x16(long kc, const float *a, const float *b, float *c, long ldc,
                              long m_eff, long n_eff, float beta) {
    kernel6_body(2, kc, a, 1, 6, 1.0f, b, c, ldc, m_eff, n_eff, beta);
}

AVX2 void pk_kernel_avx2_6x8(long kc, const float *a, const float *b, float *c, long ldc,
                             long m_eff, long n_eff, float beta) {
    kernel6_body(1, kc, a, 1, 6, 1.0f, b, c, ldc, m_eff, n_eff, beta);
}

AVX2 void pk_kernel_avx2_panel(int nv, long kc, const float *a, float alpha, const float *b, float *c, long ldc,
                              long m_eff, long n_eff, float beta) {
    if (nv == 2) kernel6_body(2, kc, a, 1, 6, alpha, b, c, ldc, m_eff, n_eff, beta);
    else kernel6_body(1, kc, a, 1, 6, alpha, b, c, ldc, m_eff, n_eff, beta);
}

/* One 6-row group of C against one packed panel of B (width 8·nv), A read in place; the
 * two common layouts get their strides folded in. */
INLINE_AVX2 void inplace_group6(int nv, long kc, const float *a, long rsa, long csa, float alpha,
                                const float *pb, float *c, long ldc, long n_eff, float beta) {
    if (csa == 1) {
        if (nv == 2) kernel6_body(2, kc, a, rsa, 1, alpha, pb, c, ldc, 6, n_eff, beta);
        else kernel6_body(1, kc, a, rsa, 1, alpha, pb, c, ldc, 6, n_eff, beta);
    } else if (rsa == 1) {
        if (nv == 2) kernel6_body(2, kc, a, 1, csa, alpha, pb, c, ldc, 6, n_eff, beta);
        else kernel6_body(1, kc, a, 1, csa, alpha, pb, c, ldc, 6, n_eff, beta);
    } else {
        if (nv == 2) kernel6_body(2, kc, a, rsa, csa, alpha, pb, c, ldc, 6, n_eff, beta);
        else kernel6_body(1, kc, a, rsa, csa, alpha, pb, c, ldc, 6, n_eff, beta);
    }
}

AVX2 void pk_kernel_avx2_inplace_transposed(int nv, long kc, const float *a, long csa, float alpha, const float *b,
                                            float *c, long ldc, long n_eff, float beta) {
    inplace_group6(nv, kc, a, 1, csa, alpha, b, c, ldc, n_eff, beta);
}

/* C[m×n] ← α·A·B̃ + β·C with A read in place (element (i, p) at a[i*rsa + p*csa]) and B̃
 * packed by pk_sgemm_pack_b (panels of width 16, or 8 for a last narrow one): the AVX2
 * form of pk_sgemm_direct_a_avx512, used by the swapped few-row path, where A is the
 * weight and B̃ the batch's few rows. Row groups are the outer loop: a group's 6 rows of
 * A are read from memory once and reused from L1 by every panel of B̃ (B̃ is small: at most
 * 32 columns). The last m mod 6 rows are first packed into `edge` (one 6-row panel
 * of A, zero-padded) so the kernel never reads past A. */
AVX2 void pk_sgemm_direct_a_avx2(long m, long n, long kc, const float *a, long rsa, long csa,
                                 float alpha, const float *packed_b, float *c, long ldc,
                                 float beta, float *edge) {
    /* A transposed (a weight read as Wᵀ) facing a batch with zero steps: they are skipped. */
    if (rsa == 1 && csa != 1 && pk_sgemm_direct_a_zero_steps_avx2(m, n, kc, a, csa, alpha, packed_b, c, ldc, beta, edge))
        return;
    long full = m / 6 * 6;
    long rows = m - full;
    if (rows > 0) pk_sgemm_pack_a(PK_ISA_AVX2, rows, kc, a + full * rsa, rsa, csa, 1.0f, edge);
    for (long i = 0; i < m; i += 6) {
        const float *pb = packed_b;
        for (long j = 0; j < n;) {
            long w = pk_panel_width(16, n - j);
            long n_eff = n - j < w ? n - j : w;
            int nv = w == 16 ? 2 : 1;
            if (i < full) {
                inplace_group6(nv, kc, a + i * rsa, rsa, csa, alpha, pb, c + i * ldc + j, ldc, n_eff, beta);
            } else if (nv == 2) {
                kernel6_body(2, kc, edge, 1, 6, alpha, pb, c + i * ldc + j, ldc, rows, n_eff, beta);
            } else {
                kernel6_body(1, kc, edge, 1, 6, alpha, pb, c + i * ldc + j, ldc, rows, n_eff, beta);
            }
            pb += w * kc;
            j += w;
        }
    }
}

/* Row vector times row-major matrix, c[j] ← α·Σ_p x[p·incx]·B[p, j] + β·c[j], computed as
 * the packed 6 × 16 kernel computes a row of a larger product, so a row has the same bits
 * whether it is predicted alone or in a batch: the depth runs in KC blocks of `kc_step`
 * (the packed path's own depth step), each block one FMA chain per column over
 * fl(α·x[p])·B[p, j] (packing A multiplies by α the same way), the first block stored with
 * β (β = 0: the sum; β = 1: c + sum; else fma(β, c, sum)) and the later blocks added to c.
 *
 * B is read row after row, as it lies in memory: the partial sums of up to GEMV_COLUMNS
 * columns stay in an L1-resident buffer and each pass adds GEMV_ROWS rows of B to them
 * (y += x[p]·B[p, ·], as OpenBLAS's sgemv does), so a weight too large for L2 streams
 * from L3 at the prefetchers' pace. Walking B in 64-column strips with the sums in
 * registers (this function's previous form) jumped a whole row ahead every 256 bytes:
 * the one-row 784 × 512 product ran at 0.62× OpenBLAS on a Zen 1 (BENCHMARKS.md). Each
 * column is still one chain over p in order, so the bits are unchanged. Rows where x[p]
 * is ±0 are left out (their terms fl(α·x[p])·B[p, j] are ±0 for a finite α and B), as in
 * the AVX-512 kernel: an MNIST image reads a fifth of its first layer's W. */
#define GEMV_COLUMNS 1024
#define GEMV_ROWS 8

/* The positions p in [p0, p0 + count) where x[p·incx] is not ±0 (NaN and ±Inf are not),
 * in increasing order, into idx; how many. Skipping the others leaves every sum's bits as
 * they were (see nonzero_entries in kernel_avx512.c: a ±0 term added to a sum that
 * started at +0 changes nothing), and their rows of B are not read. */
__attribute__((noinline, target("avx2")))
static long nonzero_entries8(const float *x, long incx, long p0, long count, int *idx) {
    long found = 0, v = 0;
    if (incx == 1) {
        const __m256i magnitude = _mm256_set1_epi32(0x7FFFFFFF);
        for (; v + 8 <= count; v += 8) {
            __m256i bits = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(x + p0 + v)), magnitude);
            unsigned zero = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(bits, _mm256_setzero_si256())));
            for (unsigned nonzero = ~zero & 0xFFu; nonzero; nonzero &= nonzero - 1)
                idx[found++] = (int)(p0 + v + __builtin_ctz(nonzero));
        }
    }
    return found + pk_nonzero_positions(x, incx, p0 + v, count - v, idx + found);
}

/* sums[0 ..< w] += Σ_{q < R} fl(α·x[p_q·incx])·B[p_q, 0 ..< w], p_q = idx[q], one FMA per
 * row and column in q order, for R ≤ GEMV_ROWS listed rows of B (ldb apart from b): a pass
 * of the kernel below (R = GEMV_ROWS) or one of its last rows (R = 1). `whole` = w rounded
 * down to 8; `tail` masks the last w − whole columns. Inlined with R constant, so each R
 * is its own loop. */
INLINE_AVX2 void gemv_add_rows(int R, const float *x, long incx, float alpha, const float *b, long ldb,
                               const int *idx, float *sums, long whole, long w, __m256i tail) {
    __m256 xv[GEMV_ROWS];
    const float *r[GEMV_ROWS];
    _Pragma("GCC unroll 8") for (int q = 0; q < R; q++) {
        float xq = x[idx[q] * incx];
        xv[q] = _mm256_set1_ps(alpha == 1.0f ? xq : alpha * xq);
        r[q] = b + idx[q] * ldb;
    }
    long j = 0;
    for (; j < whole; j += 8) {
        __m256 s = _mm256_load_ps(sums + j);
        _Pragma("GCC unroll 8") for (int q = 0; q < R; q++)
            s = _mm256_fmadd_ps(xv[q], _mm256_loadu_ps(r[q] + j), s);
        _mm256_store_ps(sums + j, s);
    }
    if (j < w) {
        __m256 s = _mm256_load_ps(sums + j);
        _Pragma("GCC unroll 8") for (int q = 0; q < R; q++)
            s = _mm256_fmadd_ps(xv[q], _mm256_maskload_ps(r[q] + j, tail), s);
        _mm256_store_ps(sums + j, s);
    }
}

AVX2 void pk_gemv_rowmajor_avx2(long k, long n, float alpha, const float *x, long incx,
                                const float *b, long ldb, float beta, float *c, long kc_step) {
    if (kc_step <= 0) kc_step = k;
    float sums[GEMV_COLUMNS] __attribute__((aligned(32)));
    int idx[PK_GEMV_CHUNK];
    for (long j0 = 0; j0 < n; j0 += GEMV_COLUMNS) {
        long w = n - j0 < GEMV_COLUMNS ? n - j0 : GEMV_COLUMNS;
        long whole = w & ~7L;
        __m256i tail = lane_mask8(w - whole);
        for (long pc = 0; pc < k; pc += kc_step) {
            long kc = k - pc < kc_step ? k - pc : kc_step;
            for (long j = 0; j < w; j += 8) _mm256_store_ps(sums + j, _mm256_setzero_ps());
            /* The block's rows where x is not zero, GEMV_ROWS at a time. */
            for (long p0 = pc; p0 < pc + kc; p0 += PK_GEMV_CHUNK) {
                long chunk = pc + kc - p0 < PK_GEMV_CHUNK ? pc + kc - p0 : PK_GEMV_CHUNK;
                long entries = nonzero_entries8(x, incx, p0, chunk, idx);
                long q = 0;
                for (; q + GEMV_ROWS <= entries; q += GEMV_ROWS)
                    gemv_add_rows(GEMV_ROWS, x, incx, alpha, b + j0, ldb, idx + q, sums, whole, w, tail);
                for (; q < entries; q++)
                    gemv_add_rows(1, x, incx, alpha, b + j0, ldb, idx + q, sums, whole, w, tail);
            }
            float block_beta = pc == 0 ? beta : 1.0f;
            for (long j = 0; j < w; j += 8)
                store_row8(c + j0 + j, _mm256_load_ps(sums + j), tail, j < whole, block_beta);
        }
    }
}
#endif

#if defined(__x86_64__)
/* Sum of the 8 lanes, in a fixed order. */
INLINE_AVX2 float reduce8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* c[j] ← α·Σ_p x[p]·B[j, p] + β·c[j]: eight dot products at a time share each load of x;
 * each is one 8-lane FMA chain over p, reduced in a fixed order. */
AVX2 void pk_gemv_transposed_avx2(long k, long n, float alpha, const float *x,
                                  const float *b, long ldb, float beta, float *c) {
    __m256i tail = lane_mask8(k % 8);
    for (long j = 0; j < n; j += 8) {
        long rows = n - j < 8 ? n - j : 8;
        __m256 acc[8];
        const float *r[8];
        _Pragma("GCC unroll 8") for (int i = 0; i < 8; i++) {
            acc[i] = _mm256_setzero_ps();
            r[i] = b + (j + (i < rows ? i : 0)) * ldb;
        }
        long p = 0;
        for (; p + 8 <= k; p += 8) {
            __m256 xv = _mm256_loadu_ps(x + p);
            _Pragma("GCC unroll 8") for (int i = 0; i < 8; i++)
                acc[i] = _mm256_fmadd_ps(xv, _mm256_loadu_ps(r[i] + p), acc[i]);
        }
        if (p < k) {
            __m256 xv = _mm256_maskload_ps(x + p, tail);
            _Pragma("GCC unroll 8") for (int i = 0; i < 8; i++)
                acc[i] = _mm256_fmadd_ps(xv, _mm256_maskload_ps(r[i] + p, tail), acc[i]);
        }
        for (long i = 0; i < rows; i++) {
            float s = alpha * reduce8(acc[i]);
            c[j + i] = beta == 0.0f ? s : s + beta * c[j + i];
        }
    }
}
#endif

#if defined(__x86_64__)
/* C[i0 ..< i0+rows, 0 ..< N] ← α·Σ_p A(p, i)·B(p, j) + β·C for one slice of ≤ 8 rows of C
 * (the AVX2 form of the narrow AVX-512 kernel): acc[j] holds column j of C for the slice's
 * 8 rows, so a row of A is one vector and B(p, j) one broadcast. Masked loads keep every
 * read inside A. */
INLINE_AVX2 void narrow_slice8(int N, long rows, long k, float alpha, const float *a, long lda,
                               const float *b, long ldb, float beta, float *c, long ldc) {
    __m256 acc[12];
    _Pragma("GCC unroll 12") for (int j = 0; j < N; j++) acc[j] = _mm256_setzero_ps();
    if (rows == 8) {
        for (long p = 0; p < k; p++) {
            __m256 x = _mm256_loadu_ps(a);
            _Pragma("GCC unroll 12") for (int j = 0; j < N; j++)
                acc[j] = _mm256_fmadd_ps(x, _mm256_broadcast_ss(b + j), acc[j]);
            a += lda;
            b += ldb;
        }
    } else {
        __m256i mask = lane_mask8(rows);
        for (long p = 0; p < k; p++) {
            __m256 x = _mm256_maskload_ps(a, mask);
            _Pragma("GCC unroll 12") for (int j = 0; j < N; j++)
                acc[j] = _mm256_fmadd_ps(x, _mm256_broadcast_ss(b + j), acc[j]);
            a += lda;
            b += ldb;
        }
    }
    float tile[12][8] __attribute__((aligned(32)));
    __m256 al = _mm256_set1_ps(alpha);
    _Pragma("GCC unroll 12") for (int j = 0; j < N; j++)
        _mm256_store_ps(tile[j], alpha == 1.0f ? acc[j] : _mm256_mul_ps(al, acc[j]));
    for (long i = 0; i < rows; i++) {
        float *cr = c + i * ldc;
        for (int j = 0; j < N; j++) {
            float t = tile[j][i];
            cr[j] = beta == 0.0f ? t : beta == 1.0f ? cr[j] + t : __builtin_fmaf(beta, cr[j], t);
        }
    }
}

#define NARROW8_CASE(N) case N: narrow_slice8(N, rows, k, alpha, a + i, lda, b, ldb, beta, c + i * ldc, ldc); break;

/* C[m×n] ← α·Aᵀ·B + β·C for 1 ≤ n ≤ PK_NARROW_MAX_N (see pk_sgemm_narrow_atb): slices of
 * 8 rows of C; every element is one FMA chain over p, then α, then β, whichever slice. */
AVX2 void pk_sgemm_narrow_atb_avx2(long m, long n, long k, float alpha, const float *a, long lda,
                                   const float *b, long ldb, float beta, float *c, long ldc) {
    for (long i = 0; i < m; i += 8) {
        long rows = m - i < 8 ? m - i : 8;
        switch (n) {
            NARROW8_CASE(1) NARROW8_CASE(2) NARROW8_CASE(3) NARROW8_CASE(4) NARROW8_CASE(5) NARROW8_CASE(6)
            NARROW8_CASE(7) NARROW8_CASE(8) NARROW8_CASE(9) NARROW8_CASE(10) NARROW8_CASE(11) NARROW8_CASE(12)
            default: __builtin_trap(); /* callers check n ≤ PK_NARROW_MAX_N */
        }
    }
}
#endif
