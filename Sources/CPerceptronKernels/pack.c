#include "internal.h"
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#if defined(__x86_64__)
/* transpose_copy's rows in groups of 8, in 256-bit registers: each 128-bit lane holds 4
 * columns of one row (rows r and r + 4 share a register, one load inserted into the high
 * lane), a 4 × 4 transpose within the lanes turns them into 8 rows' values of one
 * column, stored in one move. Per 32 floats: 8 shuffles and 4 stores, against 16 and 8
 * with 4 × 4 blocks of SSE registers. The same floats (α · x, each once). Returns the
 * rows done (a multiple of 8). */
__attribute__((target("avx")))
static long transpose_copy_rows8_avx(float *dst, long dst_stride, const float *src, long src_stride,
                                     long rows, long cols, float alpha) {
    __m256 al = _mm256_set1_ps(alpha);
    long r = 0;
    for (; r + 8 <= rows; r += 8) {
        const float *s0 = src + r * src_stride;
        const float *s1 = s0 + src_stride, *s2 = s1 + src_stride, *s3 = s2 + src_stride;
        const float *s4 = s3 + src_stride, *s5 = s4 + src_stride, *s6 = s5 + src_stride, *s7 = s6 + src_stride;
        long c = 0;
        for (; c + 4 <= cols; c += 4) {
            __m256 x0 = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(s0 + c)), _mm_loadu_ps(s4 + c), 1);
            __m256 x1 = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(s1 + c)), _mm_loadu_ps(s5 + c), 1);
            __m256 x2 = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(s2 + c)), _mm_loadu_ps(s6 + c), 1);
            __m256 x3 = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(s3 + c)), _mm_loadu_ps(s7 + c), 1);
            __m256 t0 = _mm256_unpacklo_ps(x0, x1), t1 = _mm256_unpackhi_ps(x0, x1);
            __m256 t2 = _mm256_unpacklo_ps(x2, x3), t3 = _mm256_unpackhi_ps(x2, x3);
            __m256 y0 = _mm256_shuffle_ps(t0, t2, 0x44), y1 = _mm256_shuffle_ps(t0, t2, 0xEE);
            __m256 y2 = _mm256_shuffle_ps(t1, t3, 0x44), y3 = _mm256_shuffle_ps(t1, t3, 0xEE);
            if (alpha != 1.0f) {
                y0 = _mm256_mul_ps(al, y0); y1 = _mm256_mul_ps(al, y1);
                y2 = _mm256_mul_ps(al, y2); y3 = _mm256_mul_ps(al, y3);
            }
            float *d = dst + c * dst_stride + r;
            _mm256_storeu_ps(d, y0);
            _mm256_storeu_ps(d + dst_stride, y1);
            _mm256_storeu_ps(d + 2 * dst_stride, y2);
            _mm256_storeu_ps(d + 3 * dst_stride, y3);
        }
        for (; c < cols; c++) {
            float *d = dst + c * dst_stride + r;
            d[0] = alpha * s0[c]; d[1] = alpha * s1[c]; d[2] = alpha * s2[c]; d[3] = alpha * s3[c];
            d[4] = alpha * s4[c]; d[5] = alpha * s5[c]; d[6] = alpha * s6[c]; d[7] = alpha * s7[c];
        }
    }
    return r;
}

/* transpose_copy_rows8_avx's scheme in 512-bit registers, rows in groups of 16: each
 * register holds 4 columns of rows r, r + 4, r + 8 and r + 12, one per 128-bit lane.
 * Per 64 floats 8 shuffles and 4 stores (16 and 8 in AVX registers): on Granite Rapids a
 * batch-32 δ·Wᵀ (32 × 512 × 128) 26.5 → 24.3 µs against the 8-row groups alone.
 * Returns the rows done (a multiple of 16). */
__attribute__((target("avx512f")))
static long transpose_copy_rows16_avx512(float *dst, long dst_stride, const float *src, long src_stride,
                                         long rows, long cols, float alpha) {
    __m512 al = _mm512_set1_ps(alpha);
    long r = 0;
    for (; r + 16 <= rows; r += 16) {
        const float *s[16];
        for (int i = 0; i < 16; i++) s[i] = src + (r + i) * src_stride;
        long c = 0;
        for (; c + 4 <= cols; c += 4) {
            __m512 x[4];
            for (int i = 0; i < 4; i++) {
                __m512 v = _mm512_castps128_ps512(_mm_loadu_ps(s[i] + c));
                v = _mm512_insertf32x4(v, _mm_loadu_ps(s[i + 4] + c), 1);
                v = _mm512_insertf32x4(v, _mm_loadu_ps(s[i + 8] + c), 2);
                x[i] = _mm512_insertf32x4(v, _mm_loadu_ps(s[i + 12] + c), 3);
            }
            __m512 t0 = _mm512_unpacklo_ps(x[0], x[1]), t1 = _mm512_unpackhi_ps(x[0], x[1]);
            __m512 t2 = _mm512_unpacklo_ps(x[2], x[3]), t3 = _mm512_unpackhi_ps(x[2], x[3]);
            __m512 y0 = _mm512_shuffle_ps(t0, t2, 0x44), y1 = _mm512_shuffle_ps(t0, t2, 0xEE);
            __m512 y2 = _mm512_shuffle_ps(t1, t3, 0x44), y3 = _mm512_shuffle_ps(t1, t3, 0xEE);
            if (alpha != 1.0f) {
                y0 = _mm512_mul_ps(al, y0); y1 = _mm512_mul_ps(al, y1);
                y2 = _mm512_mul_ps(al, y2); y3 = _mm512_mul_ps(al, y3);
            }
            float *d = dst + c * dst_stride + r;
            _mm512_storeu_ps(d, y0);
            _mm512_storeu_ps(d + dst_stride, y1);
            _mm512_storeu_ps(d + 2 * dst_stride, y2);
            _mm512_storeu_ps(d + 3 * dst_stride, y3);
        }
        for (; c < cols; c++) {
            float *d = dst + c * dst_stride + r;
            for (int i = 0; i < 16; i++) d[i] = alpha * s[i][c];
        }
    }
    return r;
}

#endif

/* dst[c*dst_stride + r] = α·src[r*src_stride + c] for r < rows, c < cols: the copy with
 * strided writes that packing needs when source rows run along the packed panel's
 * depth, and the swapped path's Cᵀ → C. On x86-64, rows go 16 at a time through
 * AVX-512 registers and 8 through AVX where the CPU has them (the kernels' own checks:
 * AVX-512, and AVX2 for the 8-row copy), then 4 × 4 blocks through SSE registers
 * (baseline, no target flags), then one by one. A batch-32 product packs
 * xᵀ (or δᵀ) and transposes its result this way: on Intel Granite Rapids, 1 thread, CPU
 * time, 32 × 512 × 128 (δ·Wᵀ) 33.9 → 24.3 µs with the 4- and 8-row in-place edges of
 * kernel_avx512.c, 32 × 64 × 128 4.2 → 3.5 µs. */
static void transpose_copy(float *dst, long dst_stride, const float *src, long src_stride,
                           long rows, long cols, float alpha) {
    long r = 0;
#if defined(__x86_64__)
    if (rows >= 16 && pk_cpu_has_avx512()) r = transpose_copy_rows16_avx512(dst, dst_stride, src, src_stride, rows, cols, alpha);
    if (rows - r >= 8 && pk_sgemm_isa_supported(PK_ISA_AVX2)) r += transpose_copy_rows8_avx(dst + r, dst_stride, src + r * src_stride, src_stride, rows - r, cols, alpha);
    __m128 al = _mm_set1_ps(alpha);
    for (; r + 4 <= rows; r += 4) {
        const float *s0 = src + r * src_stride;
        const float *s1 = s0 + src_stride, *s2 = s1 + src_stride, *s3 = s2 + src_stride;
        long c = 0;
        for (; c + 4 <= cols; c += 4) {
            __m128 x0 = _mm_loadu_ps(s0 + c), x1 = _mm_loadu_ps(s1 + c);
            __m128 x2 = _mm_loadu_ps(s2 + c), x3 = _mm_loadu_ps(s3 + c);
            _MM_TRANSPOSE4_PS(x0, x1, x2, x3);
            if (alpha != 1.0f) {
                x0 = _mm_mul_ps(al, x0); x1 = _mm_mul_ps(al, x1);
                x2 = _mm_mul_ps(al, x2); x3 = _mm_mul_ps(al, x3);
            }
            float *d = dst + c * dst_stride + r;
            _mm_storeu_ps(d, x0);
            _mm_storeu_ps(d + dst_stride, x1);
            _mm_storeu_ps(d + 2 * dst_stride, x2);
            _mm_storeu_ps(d + 3 * dst_stride, x3);
        }
        for (; c < cols; c++) {
            float *d = dst + c * dst_stride + r;
            d[0] = alpha * s0[c]; d[1] = alpha * s1[c]; d[2] = alpha * s2[c]; d[3] = alpha * s3[c];
        }
    }
#endif
    for (; r < rows; r++) {
        const float *s = src + r * src_stride;
        for (long c = 0; c < cols; c++) dst[c * dst_stride + r] = alpha * s[c];
    }
}

void pk_transpose(long rows, long cols, const float *src, long ld_src, float *dst, long ld_dst) {
    transpose_copy(dst, ld_dst, src, ld_src, rows, cols, 1.0f);
}

long pk_sgemm_packed_a_size(int isa, long mc, long kc) {
    long mr = pk_sgemm_mr(isa);
    return (mc + mr - 1) / mr * mr * kc;
}

long pk_sgemm_packed_b_size(int isa, long kc, long nc) {
    long nr = pk_sgemm_nr(isa);
    long total = 0;
    for (long j = 0; j < nc;) {
        long w = pk_panel_width(nr, nc - j);
        total += w * kc;
        j += w;
    }
    return total;
}

/* One MR-row panel: dst[p*mr + r] = α·A(r, p), zero for r ≥ rows. */
static void pack_a_panel(long mr, long rows, long kc, const float *a, long rs, long cs,
                         float alpha, float *dst) {
    if (cs == 1) {
        /* Rows of A are contiguous: transpose rows × kc into the panel. */
        transpose_copy(dst, mr, a, rs, rows, kc, alpha);
        for (long r = rows; r < mr; r++) {
            float *d = dst + r;
            for (long p = 0; p < kc; p++) d[p * mr] = 0.0f;
        }
    } else {
        for (long p = 0; p < kc; p++) {
            float *d = dst + p * mr;
            long r = 0;
            for (; r < rows; r++) d[r] = alpha * a[r * rs + p * cs];
            for (; r < mr; r++) d[r] = 0.0f;
        }
    }
}

/* Steps along p that pack_a_transposed moves per pass over the panels. */
#define TRANSPOSED_P_TILE 16

/* pk_sgemm_pack_a for a transposed A (rs == 1: the mr values of a panel's step p are
 * contiguous, at a + p·cs + i): all panels at once, TRANSPOSED_P_TILE steps at a time. A
 * panel at a time read each row of the source (a row of x, for a weight gradient xᵀ·δ)
 * 12 floats at a time, one or two new cache lines `cs` floats apart per step, and came
 * back for the next 12 after the lines had left L1. Across all panels, the tile's rows are
 * read front to back while they are in L1, and each panel gets 16 steps (768 bytes)
 * written in a row; the same floats. Intel Granite Rapids, 1 thread: packing a 1000 × 784
 * x as xᵀ 310 → 245 µs, 1000 × 512 235 → 145 µs (a 3.1 MB memcpy from L3 takes 170-215,
 * so little is left); pk_sgemm_pack_a 11.3 → 5.8 % of workload 1 (8 and 64 steps per tile
 * measured no better overall). */
static void pack_a_transposed(long mr, long mc, long kc, const float *a, long cs, float alpha,
                              float *dst) {
    for (long p0 = 0; p0 < kc; p0 += TRANSPOSED_P_TILE) {
        long p1 = kc - p0 < TRANSPOSED_P_TILE ? kc : p0 + TRANSPOSED_P_TILE;
        float *panel = dst + p0 * mr;
        for (long i = 0; i < mc; i += mr, panel += mr * kc) {
            long rows = mc - i < mr ? mc - i : mr;
            float *d = panel;
            if (rows == 12 && mr == 12 && alpha == 1.0f) {  /* the common case, in fixed-size moves */
                for (long p = p0; p < p1; p++, d += 12) memcpy(d, a + p * cs + i, 12 * sizeof(float));
                continue;
            }
            for (long p = p0; p < p1; p++, d += mr) {
                const float *src = a + p * cs + i;
                long r = 0;
                for (; r < rows; r++) d[r] = alpha * src[r];
                for (; r < mr; r++) d[r] = 0.0f;
            }
        }
    }
}

void pk_sgemm_pack_a(int isa, long mc, long kc, const float *a, long rs, long cs,
                     float alpha, float *dst) {
    long mr = pk_sgemm_mr(isa);
    if (rs == 1 && cs != 1) {
        pack_a_transposed(mr, mc, kc, a, cs, alpha, dst);
        return;
    }
    for (long i = 0; i < mc; i += mr) {
        long rows = mc - i < mr ? mc - i : mr;
        pack_a_panel(mr, rows, kc, a + i * rs, rs, cs, alpha, dst);
        dst += mr * kc;
    }
}

/* One panel of width w: dst[p*w + j] = B(p, j), zero for j ≥ cols. */
static void pack_b_panel(long w, long cols, long kc, const float *b, long rs, long cs, float *dst) {
    if (cs == 1) {
        for (long p = 0; p < kc; p++) {
            const float *src = b + p * rs;
            float *d = dst + p * w;
            long j = 0;
            for (; j < cols; j++) d[j] = src[j];
            for (; j < w; j++) d[j] = 0.0f;
        }
    } else if (rs == 1) {
        /* B transposed: columns of op(B) are contiguous rows in memory. */
        transpose_copy(dst, w, b, cs, cols, kc, 1.0f);
        for (long j = cols; j < w; j++) {
            float *d = dst + j;
            for (long p = 0; p < kc; p++) d[p * w] = 0.0f;
        }
    } else {
        for (long p = 0; p < kc; p++) {
            float *d = dst + p * w;
            long j = 0;
            for (; j < cols; j++) d[j] = b[p * rs + j * cs];
            for (; j < w; j++) d[j] = 0.0f;
        }
    }
}

#if defined(__x86_64__)
/* pack_b_panel for rows of B that are contiguous (cs == 1), in 512-bit moves: a masked
 * load zero-fills the columns past `cols`. The same floats as the loop above, whose
 * baseline (SSE) copy took 7 % of a batch-32 training step repacking W every step. */
__attribute__((target("avx512f")))
static void pack_b_rows_avx512(long w, long cols, long kc, const float *b, long rs, float *dst) {
    __mmask16 masks[2];
    for (int v = 0; v < 2; v++) masks[v] = pk_lane_mask16(cols - 16 * v);
    if (w == 32) {
        for (long p = 0; p < kc; p++) {
            const float *src = b + p * rs;
            _mm512_storeu_ps(dst + p * 32, _mm512_maskz_loadu_ps(masks[0], src));
            _mm512_storeu_ps(dst + p * 32 + 16, _mm512_maskz_loadu_ps(masks[1], src + 16));
        }
    } else {
        for (long p = 0; p < kc; p++) _mm512_storeu_ps(dst + p * 16, _mm512_maskz_loadu_ps(masks[0], b + p * rs));
    }
}
#endif

#if defined(__x86_64__)
/* pack_b_panel for contiguous rows of B (cs == 1) in 256-bit moves, the AVX2 kernel's
 * panels (width 16, or 8 for a last narrow one): a masked load zero-fills the columns
 * past `cols`. The same floats as the baseline loop, which took 9-14 % of a batch-32
 * training step on AMD Zen 3 (family 25 model 1) repacking W every step. */
__attribute__((target("avx2")))
static void pack_b_rows_avx2(long w, long cols, long kc, const float *b, long rs, float *dst) {
    __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(cols < 8 ? cols : 8)), idx);
    __m256i m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(cols > 16 ? 8 : cols > 8 ? cols - 8 : 0)), idx);
    if (w == 16 && cols == 16) {
        long p = 0;
        for (; p + 2 <= kc; p += 2) {
            const float *s0 = b + p * rs, *s1 = s0 + rs;
            __m256 x0 = _mm256_loadu_ps(s0), x1 = _mm256_loadu_ps(s0 + 8);
            __m256 y0 = _mm256_loadu_ps(s1), y1 = _mm256_loadu_ps(s1 + 8);
            _mm256_storeu_ps(dst + p * 16, x0);
            _mm256_storeu_ps(dst + p * 16 + 8, x1);
            _mm256_storeu_ps(dst + p * 16 + 16, y0);
            _mm256_storeu_ps(dst + p * 16 + 24, y1);
        }
        for (; p < kc; p++) {
            _mm256_storeu_ps(dst + p * 16, _mm256_loadu_ps(b + p * rs));
            _mm256_storeu_ps(dst + p * 16 + 8, _mm256_loadu_ps(b + p * rs + 8));
        }
    } else if (w == 16) {
        for (long p = 0; p < kc; p++) {
            const float *src = b + p * rs;
            _mm256_storeu_ps(dst + p * 16, _mm256_maskload_ps(src, m0));
            _mm256_storeu_ps(dst + p * 16 + 8, _mm256_maskload_ps(src + 8, m1));
        }
    } else {
        for (long p = 0; p < kc; p++) _mm256_storeu_ps(dst + p * 8, _mm256_maskload_ps(b + p * rs, m0));
    }
}
#endif

void pk_sgemm_pack_b(int isa, long kc, long nc, const float *b, long rs, long cs, float *dst) {
    long nr = pk_sgemm_nr(isa);
#if defined(__x86_64__)
    /* Row-major B (cs == 1): whole rows of a panel copied with vector moves. */
    void (*pack_rows)(long, long, long, const float *, long, float *) =
        cs != 1 ? 0 : isa == PK_ISA_AVX2 ? pack_b_rows_avx2 : isa == PK_ISA_AVX512 ? pack_b_rows_avx512 : 0;
    if (pack_rows) {
        for (long j = 0; j < nc;) {
            long w = pk_panel_width(nr, nc - j);
            long cols = nc - j < w ? nc - j : w;
            pack_rows(w, cols, kc, b + j, rs, dst);
            dst += w * kc;
            j += w;
        }
        return;
    }
#endif
    for (long j = 0; j < nc;) {
        long w = pk_panel_width(nr, nc - j);
        long cols = nc - j < w ? nc - j : w;
        pack_b_panel(w, cols, kc, b + j * cs, rs, cs, dst);
        dst += w * kc;
        j += w;
    }
}
