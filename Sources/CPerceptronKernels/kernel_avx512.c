#include "internal.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include "kernel_avx512_tile.h"

#define AVX512 __attribute__((target("avx512f,fma")))
#define INLINE_AVX512 static inline __attribute__((always_inline, target("avx512f,fma")))


/* Steps of p ahead at which a transposed A read in place is prefetched: 16 steps of 24
 * FMAs, ~200 cycles, cover an L3 hit. A batch-32 forward x·W runs swapped (Cᵀ = Wᵀ·xᵀ, W
 * read in place): on Granite Rapids 32 × 512 × 784 went from 117 to 155 GFLOP/s at one
 * thread and workload 2 from 1.80 to 1.57 s (8 and 24 steps measured the same). */
#define A_PREFETCH_STEPS 16

/* MR × (16·NV) micro-kernel body, MR ≤ 12 (12 but for the last rows of a packed panel):
 * MR·NV zmm accumulators, one broadcast of A per row. A(r, p) is read at a[r*rsa + p*csa]:
 * (rsa, csa) = (1, 12) for a packed panel (the constants fold in), or the caller's strides
 * when A is read in place. The result is scaled by α unless α == 1 (packed panels already
 * hold α·A). Each row's sums are the same FMA chain whatever MR is, so the same bits. */
INLINE_AVX512 void kernel_body(int mr, int nv, long kc, const float *a, long rsa, long csa, float alpha,
                               const float *b, float *c, long ldc, long m_eff, long n_eff,
                               float beta) {
    __m512 acc[12][2];
    pk_tile_start_avx512(mr, nv, acc, c, ldc, m_eff);
    if (csa == 1 && rsa != 1) {
        /* A read in place, row-major: one pointer per row indexed by p, so the 12
         * addresses need no serial chain of additions. */
        const float *row[12];
        _Pragma("GCC unroll 12") for (int r = 0; r < mr; r++) row[r] = a + r * rsa;
        for (long p = 0; p < kc; p++) {
            __m512 bv[2];
            _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++) bv[v] = _mm512_loadu_ps(b + 16 * v);
            _Pragma("GCC unroll 12") for (int r = 0; r < mr; r++) {
                __m512 av = _mm512_set1_ps(row[r][p]);
                _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++)
                    acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
            }
            b += 16 * nv;
        }
    } else if (rsa == 1 && csa == 12) {
        /* A packed: the loop unrolled by 4, so its pointer updates and branch take fewer of
         * the issue slots the FMA ports share (Granite Rapids, 1 thread, CPU time: 324 × 512
         * × 784 from L2 151 → 155 GFLOP/s; 2048³ 102 → 106). The in-place loops stay as they
         * are: unrolled, they ran out of registers (the row pointers, the prefetch addresses)
         * and slowed down 10-40 %. */
        _Pragma("clang loop unroll_count(4)")
        for (long p = 0; p < kc; p++) {
            __m512 bv[2];
            _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++) bv[v] = _mm512_loadu_ps(b + 16 * v);
            _Pragma("GCC unroll 12") for (int r = 0; r < mr; r++) {
                __m512 av = _mm512_set1_ps(a[r]);
                _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++)
                    acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
            }
            a += 12;
            b += 16 * nv;
        }
    } else {
        for (long p = 0; p < kc; p++) {
            /* A transposed in place: its 12 values for step p lie in one or two cache lines
             * `csa` floats (a weight row, 2 KiB for 512 columns) past step p - 1's, a stride
             * across pages that the hardware prefetchers do not follow. */
            _mm_prefetch((const char *)(a + A_PREFETCH_STEPS * csa), _MM_HINT_T0);
            _mm_prefetch((const char *)(a + A_PREFETCH_STEPS * csa + 11), _MM_HINT_T0);
            __m512 bv[2];
            _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++) bv[v] = _mm512_loadu_ps(b + 16 * v);
            _Pragma("GCC unroll 12") for (int r = 0; r < mr; r++) {
                __m512 av = _mm512_set1_ps(a[r * rsa]);
                _Pragma("GCC unroll 2") for (int v = 0; v < nv; v++)
                    acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
            }
            a += csa;
            b += 16 * nv;
        }
    }
    pk_tile_store_avx512(mr, nv, acc, alpha, c, ldc, m_eff, n_eff, beta);
}

/* One packed 12-row panel of A (zero past its m_eff rows) against one packed panel of B
 * (width 16·nv): the FMAs of the first 4, 8 or 12 rows, whichever cover m_eff, so a last
 * group of a few rows does not cost a whole one. Granite Rapids, 1 thread, CPU time: the
 * swapped batch-32 forward 32 × 64 × 128 (64 = 5 · 12 + 4 rows of Cᵀ) 6.0 → 5.8 µs, the
 * kernels alone 106-109 → 113-116 GFLOP/s; its δ·Wᵀ 5.6 → 5.3 µs. */
INLINE_AVX512 void packed_panel(int nv, long kc, const float *pa, float alpha, const float *pb,
                                float *c, long ldc, long m_eff, long n_eff, float beta) {
    if (m_eff > 8) {
        if (nv == 2) kernel_body(12, 2, kc, pa, 1, 12, alpha, pb, c, ldc, m_eff, n_eff, beta);
        else kernel_body(12, 1, kc, pa, 1, 12, alpha, pb, c, ldc, m_eff, n_eff, beta);
    } else if (m_eff > 4) {
        if (nv == 2) kernel_body(8, 2, kc, pa, 1, 12, alpha, pb, c, ldc, m_eff, n_eff, beta);
        else kernel_body(8, 1, kc, pa, 1, 12, alpha, pb, c, ldc, m_eff, n_eff, beta);
    } else {
        if (nv == 2) kernel_body(4, 2, kc, pa, 1, 12, alpha, pb, c, ldc, m_eff, n_eff, beta);
        else kernel_body(4, 1, kc, pa, 1, 12, alpha, pb, c, ldc, m_eff, n_eff, beta);
    }
}

/* One 12-row group of C against one packed panel of B (width 16·nv), A read in place. */
INLINE_AVX512 void inplace_group(int nv, long kc, const float *a, long rsa, long csa, float alpha,
                                 const float *pb, float *c, long ldc, long n_eff, float beta) {
    if (csa == 1) {
        if (nv == 2) kernel_body(12, 2, kc, a, rsa, 1, alpha, pb, c, ldc, 12, n_eff, beta);
        else kernel_body(12, 1, kc, a, rsa, 1, alpha, pb, c, ldc, 12, n_eff, beta);
    } else if (rsa == 1) {
        if (nv == 2) kernel_body(12, 2, kc, a, 1, csa, alpha, pb, c, ldc, 12, n_eff, beta);
        else kernel_body(12, 1, kc, a, 1, csa, alpha, pb, c, ldc, 12, n_eff, beta);
    } else {
        if (nv == 2) kernel_body(12, 2, kc, a, rsa, csa, alpha, pb, c, ldc, 12, n_eff, beta);
        else kernel_body(12, 1, kc, a, rsa, csa, alpha, pb, c, ldc, 12, n_eff, beta);
    }
}

/* The last 8 or 4 rows (`mr`) of an in-place product, A row-major or transposed (the
 * layouts that have them in place; a general-stride A's last rows are packed). Out of
 * line: inlined beside the 12-row loops, these bodies made the one function so large that
 * compiling it with AddressSanitizer (the fuzz build) took 463 s instead of 150; called
 * once per panel of B, the call costs nothing measurable. */
__attribute__((noinline, target("avx512f,fma")))
static void inplace_last_rows(int mr, int nv, long kc, const float *a, long rsa, long csa, float alpha,
                              const float *pb, float *c, long ldc, long n_eff, float beta) {
    if (csa == 1) {  /* row-major */
        if (mr == 8) {
            if (nv == 2) kernel_body(8, 2, kc, a, rsa, 1, alpha, pb, c, ldc, 8, n_eff, beta);
            else kernel_body(8, 1, kc, a, rsa, 1, alpha, pb, c, ldc, 8, n_eff, beta);
        } else {
            if (nv == 2) kernel_body(4, 2, kc, a, rsa, 1, alpha, pb, c, ldc, 4, n_eff, beta);
            else kernel_body(4, 1, kc, a, rsa, 1, alpha, pb, c, ldc, 4, n_eff, beta);
        }
    } else {  /* transposed: rsa == 1 */
        if (mr == 8) {
            if (nv == 2) kernel_body(8, 2, kc, a, 1, csa, alpha, pb, c, ldc, 8, n_eff, beta);
            else kernel_body(8, 1, kc, a, 1, csa, alpha, pb, c, ldc, 8, n_eff, beta);
        } else {
            if (nv == 2) kernel_body(4, 2, kc, a, 1, csa, alpha, pb, c, ldc, 4, n_eff, beta);
            else kernel_body(4, 1, kc, a, 1, csa, alpha, pb, c, ldc, 4, n_eff, beta);
        }
    }
}

/* C[m×n] ← α·A·B̃ + β·C with A read in place (element (i, p) at a[i*rsa + p*csa]) and
 * B̃ packed by pk_sgemm_pack_b (panels of width 32, or 16 for a last narrow one). The
 * 12-row micro-panels of a packed A would hold the same numbers in another order; when A
 * is row-major (csa == 1) or its transpose (rsa == 1) the kernel broadcasts them from
 * where they are, so the copy is saved. Panels of B are the outer loop: each stays in L1
 * while every row group of the block passes over it. The last m mod 12 rows run a 4- or
 * 8-row body in place when one covers them exactly, else are first packed into `edge`
 * (one 12-row panel of A, zero-padded) so the kernel never reads past A. Either way each
 * row is the same FMA chain, so the same bits. */
AVX512 void pk_sgemm_direct_a_avx512(long m, long n, long kc, const float *a, long rsa, long csa,
                                     float alpha, const float *packed_b, float *c, long ldc,
                                     float beta, float *edge) {
    /* A batch of ≤ 32 rows run swapped (xᵀ the one panel of B, W read transposed in place):
     * the steps where the batch's column of x is all zero are skipped (the same bits). */
    if (rsa == 1 && csa != 1 && pk_sgemm_direct_a_zero_steps_avx512(m, n, kc, a, csa, alpha, packed_b, c, ldc, beta, edge))
        return;
    long full = m / 12 * 12;
    long rows = m - full;
    /* Last rows that a 4- or 8-row body covers exactly are read in place too; others are
     * packed (zero-padded to 12) so the kernel reads no row past A. A batch-32 product runs
     * swapped with Cᵀ's rows the layer's units (64 = 5 · 12 + 4, 128 = 10 · 12 + 8): on
     * Granite Rapids, 1 thread, CPU time, 32 × 64 × 128 4.57 → 4.21 µs, 32 × 128 × 512
     * 30.4 → 28.9 µs, where packing those rows took ~10 %. */
    int edge_in_place = (rows == 4 || rows == 8) && (csa == 1 || rsa == 1);
    if (rows > 0 && !edge_in_place) pk_sgemm_pack_a(PK_ISA_AVX512, rows, kc, a + full * rsa, rsa, csa, 1.0f, edge);
    const float *pb = packed_b;
    for (long j = 0; j < n;) {
        long w = pk_panel_width(32, n - j);
        long n_eff = n - j < w ? n - j : w;
        int nv = w == 32 ? 2 : 1;
        for (long i = 0; i < full; i += 12)
            inplace_group(nv, kc, a + i * rsa, rsa, csa, alpha, pb, c + i * ldc + j, ldc, n_eff, beta);
        if (edge_in_place) {
            inplace_last_rows((int)rows, nv, kc, a + full * rsa, rsa, csa, alpha, pb, c + full * ldc + j, ldc, n_eff, beta);
        } else if (rows > 0) {
            packed_panel(nv, kc, edge, alpha, pb, c + full * ldc + j, ldc, rows, n_eff, beta);
        }
        pb += w * kc;
        j += w;
    }
}

/* C[m×n] ← α·Ã·B̃ + β·C with A packed by pk_sgemm_pack_a with α = 1 (12-row panels) and
 * α applied to the sums, as pk_sgemm_direct_a_avx512 does: the same operations on the same
 * numbers, so the same bits. With α = 1 it is also pk_sgemm_macro's AVX-512 case. For a transposed A (a weight gradient's xᵀ) read by several
 * panels of B: in place, each p of a 12-row group is a new cache line of A (rows of x lie
 * `lda` floats apart), and on Intel Granite Rapids, whose two 512-bit FMA ports consume
 * A twice as fast as a Zen 4 core's, those scattered reads held dW at 0.54 of numpy's
 * speed; packed, they are one sequential stream. */
AVX512 void pk_sgemm_packed_a_avx512(long m, long n, long kc, const float *packed_a, float alpha,
                                     const float *packed_b, float *c, long ldc, float beta) {
    const float *pb = packed_b;
    for (long j = 0; j < n;) {
        long w = pk_panel_width(32, n - j);
        long n_eff = n - j < w ? n - j : w;
        const float *pa = packed_a;
        for (long i = 0; i < m; i += 12) {
            long m_eff = m - i < 12 ? m - i : 12;
            packed_panel(w == 32 ? 2 : 1, kc, pa, alpha, pb, c + i * ldc + j, ldc, m_eff, n_eff, beta);
            pa += 12 * kc;
        }
        pb += w * kc;
        j += w;
    }
}

/* Final c[j..j+16) ← α·acc + β·c, masked. */
INLINE_AVX512 void gemv_store(float *c, __m512 acc, __mmask16 mask, float alpha, float beta) {
    __m512 r = _mm512_mul_ps(_mm512_set1_ps(alpha), acc);
    if (beta != 0.0f) r = _mm512_fmadd_ps(_mm512_set1_ps(beta), _mm512_maskz_loadu_ps(mask, c), r);
    _mm512_mask_storeu_ps(c, mask, r);
}

/* Rows of B prefetched ahead in the 128-column loop. */
#define PF_ROWS 4
/* The positions p in [p0, p0 + count) where x[p·incx] is not ±0 (NaN and ±Inf are not),
 * in increasing order, into idx; how many. A zero x[p] adds ±0·B[p, j] = ±0 to a column's
 * sum, which starts at +0 and so is never −0 (a round-to-nearest sum is −0 only when every
 * term is): without the term the sum has the same bits, and row p of B need not be read.
 * Reference BLAS's SGEMV skips x[p] = 0 the same way; the one difference from adding the
 * term is a NaN or ±Inf in row p of B, which 0·Inf would have turned into NaN. An MNIST
 * image is ~80 % zeros: its first layer reads a fifth of W. */
__attribute__((noinline, target("avx512f")))
static long nonzero_entries(const float *x, long incx, long p0, long count, int *idx) {
    long found = 0;
    if (incx == 1) {
        const __m512i magnitude = _mm512_set1_epi32(0x7FFFFFFF);
        const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        for (long v = 0; v < count; v += 16) {
            __mmask16 mask = pk_lane_mask16(count - v);
            __m512i bits = _mm512_maskz_loadu_epi32(mask, x + p0 + v);
            __mmask16 nonzero = _mm512_mask_test_epi32_mask(mask, bits, magnitude);
            _mm512_mask_compressstoreu_epi32(idx + found, nonzero, _mm512_add_epi32(lanes, _mm512_set1_epi32((int)(p0 + v))));
            found += __builtin_popcount(nonzero);
        }
        return found;
    }
    return pk_nonzero_positions(x, incx, p0, count, idx);
}

AVX512 void pk_gemv_rowmajor_avx512(long k, long n, float alpha, const float *x, long incx,
                                    const float *b, long ldb, float beta, float *c) {
    /* Every column is summed the same way (one FMA chain over the p where x[p] ≠ 0, then α
     * and β), whatever chunk or lane it falls in, so splitting the columns across threads
     * cannot change a bit.
     *
     * Wide rows: stream up to 1024 columns of each row of B front to back (the hardware
     * prefetcher's best case), with the accumulators in an L1-resident buffer. */
    int idx[PK_GEMV_CHUNK];
    long j0 = 0;
    for (; n - j0 >= 256; j0 += 1024) {
        long w = n - j0 < 1024 ? (n - j0) / 128 * 128 : 1024;
        __m512 acc[64];
        for (long v = 0; v < w / 16; v++) acc[v] = _mm512_setzero_ps();
        for (long p0 = 0; p0 < k; p0 += PK_GEMV_CHUNK) {
            long entries = nonzero_entries(x, incx, p0, k - p0 < PK_GEMV_CHUNK ? k - p0 : PK_GEMV_CHUNK, idx);
            for (long q = 0; q < entries; q++) {
                long p = idx[q];
                __m512 xv = _mm512_set1_ps(x[p * incx]);
                const float *row = b + p * ldb + j0;
                for (long v = 0; v < w / 16; v += 4) {
                    acc[v] = _mm512_fmadd_ps(xv, _mm512_loadu_ps(row + 16 * v), acc[v]);
                    acc[v + 1] = _mm512_fmadd_ps(xv, _mm512_loadu_ps(row + 16 * v + 16), acc[v + 1]);
                    acc[v + 2] = _mm512_fmadd_ps(xv, _mm512_loadu_ps(row + 16 * v + 32), acc[v + 2]);
                    acc[v + 3] = _mm512_fmadd_ps(xv, _mm512_loadu_ps(row + 16 * v + 48), acc[v + 3]);
                }
            }
        }
        for (long v = 0; v < w / 16; v++) gemv_store(c + j0 + 16 * v, acc[v], (__mmask16)0xFFFF, alpha, beta);
        if (w < 1024) { j0 += w; break; }
    }
    /* The rest, up to 128 columns at a time: 8 independent accumulators hide the FMA
     * latency. */
    for (long j = j0; j < n; j += 128) {
        long vectors = n - j >= 128 ? 8 : (n - j + 15) / 16;
        __m512 acc[8];
        __mmask16 masks[8];
        _Pragma("GCC unroll 8") for (int v = 0; v < 8; v++) {
            acc[v] = _mm512_setzero_ps();
            masks[v] = pk_lane_mask16(n - j - 16 * v);
        }
        for (long p0 = 0; p0 < k; p0 += PK_GEMV_CHUNK) {
            long entries = nonzero_entries(x, incx, p0, k - p0 < PK_GEMV_CHUNK ? k - p0 : PK_GEMV_CHUNK, idx);
            if (vectors == 8) {
                for (long q = 0; q < entries; q++) {
                    const float *row = b + idx[q] * ldb + j;
                    __m512 xv = _mm512_set1_ps(x[idx[q] * incx]);
                    if (q + PF_ROWS < entries) {
                        const float *ahead = b + idx[q + PF_ROWS] * ldb + j;
                        _Pragma("GCC unroll 8") for (int v = 0; v < 8; v++)
                            _mm_prefetch((const char *)(ahead + 16 * v), _MM_HINT_T0);
                    }
                    _Pragma("GCC unroll 8") for (int v = 0; v < 8; v++)
                        acc[v] = _mm512_fmadd_ps(xv, _mm512_loadu_ps(row + 16 * v), acc[v]);
                }
            } else {
                for (long q = 0; q < entries; q++) {
                    const float *row = b + idx[q] * ldb + j;
                    __m512 xv = _mm512_set1_ps(x[idx[q] * incx]);
                    _Pragma("GCC unroll 8") for (int v = 0; v < 8; v++)
                        if (v < vectors)
                            acc[v] = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(masks[v], row + 16 * v), acc[v]);
                }
            }
        }
        for (long v = 0; v < vectors; v++) gemv_store(c + j + 16 * v, acc[v], masks[v], alpha, beta);
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
            __mmask16 m = pk_lane_mask16(k - p);
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
