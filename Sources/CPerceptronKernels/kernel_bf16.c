#include "CPerceptronKernels.h"
#include "bf16_pairs.h"
#include <string.h>

/* bf16 mixed-precision GEMM: packing with rounding to bf16 pairs and the 12 × 32
 * `vdpbf16ps` micro-kernel. Layouts and contracts: PerceptronBF16Kernels.h. */

float pk_bf16_round(float x) {
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    if ((bits & 0x7F800000u) == 0x7F800000u) {
        /* Inf stays Inf; NaN stays NaN (quiet bit set so truncation cannot make it Inf). */
        if (bits & 0x007FFFFFu) bits |= 0x00400000u;
        bits &= 0xFFFF0000u;
    } else if ((bits & 0x7F800000u) == 0) {
        /* Denormal inputs count as zero, as the instruction treats them. */
        bits &= 0x80000000u;
    } else {
        bits += 0x7FFFu + ((bits >> 16) & 1u);
        bits &= 0xFFFF0000u;
    }
    float out;
    memcpy(&out, &bits, sizeof out);
    return out;
}

long pk_bf16_packed_a_size(long mc, long kc) {
    return (mc + PK_BF16_MR - 1) / PK_BF16_MR * PK_BF16_MR * ((kc + 1) / 2);
}

static inline long panel_width(long remaining) {
    return remaining > PK_BF16_NR / 2 ? PK_BF16_NR : PK_BF16_NR / 2;
}

long pk_bf16_packed_b_size(long kc, long nc) {
    long total = 0;
    for (long j = 0; j < nc;) {
        long w = panel_width(nc - j);
        total += w * ((kc + 1) / 2);
        j += w;
    }
    return total;
}

#if defined(__x86_64__)
#include <immintrin.h>
#include "kernel_bf16_tile.h"


int pk_cpu_has_avx512_bf16(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512bf16");
}

/* Panel with the p direction strided and the panel's own direction (rows of an A panel,
 * columns of a B panel) contiguous: element (p, t) at src[p*ps + t], t < count; the
 * panel is `width` (≤ 32) words per pair, zero past `count`. */
BF16 static void pack_strided_pairs(long width, long count, long kc, const float *src, long ps,
                                    float alpha, uint32_t *dst) {
    long pairs = (kc + 1) / 2;
    __m512 al = _mm512_set1_ps(alpha);
    for (long q = 0; q < pairs; q++) {
        const float *r0 = src + 2 * q * ps;
        int has_second = 2 * q + 1 < kc;
        for (long t = 0; t < width; t += 16) {
            __mmask16 m = mask16(count - t);
            __m512 lo = _mm512_maskz_loadu_ps(m, r0 + t);
            __m512 hi = has_second ? _mm512_maskz_loadu_ps(m, r0 + ps + t) : _mm512_setzero_ps();
            if (alpha != 1.0f) { lo = _mm512_mul_ps(al, lo); hi = _mm512_mul_ps(al, hi); }
            __m512i words = interleave_pairs(lo, hi);
            _mm512_mask_storeu_epi32(dst + q * width + t, mask16(width - t), words);
        }
    }
}

/* Panel with the p direction contiguous: element (p, t) at src[t*ts + p], t < count; the
 * panel is `width` words per pair (a multiple of 4, ≤ 32), zero past `count`. Each row
 * converts to pair words directly (16 at a time); a 16-pair chunk of all rows is staged
 * and transposed into the panel. */
BF16 static void pack_contiguous_pairs(long width, long count, long kc, const float *src, long ts,
                                       float alpha, uint32_t *dst) {
    long pairs = (kc + 1) / 2;
    __m512 al = _mm512_set1_ps(alpha);
    uint32_t stage[32 * 16] __attribute__((aligned(64)));
    for (long q0 = 0; q0 < pairs; q0 += 16) {
        long p0 = 2 * q0;
        long chunk = pairs - q0 < 16 ? pairs - q0 : 16;
        __mmask16 m0 = mask16(kc - p0), m1 = mask16(kc - p0 - 16);
        for (long t = 0; t < width; t++) {
            __m512i words = _mm512_setzero_si512();
            if (t < count) {
                const float *row = src + t * ts + p0;
                __m512 first = _mm512_maskz_loadu_ps(m0, row);
                __m512 second = _mm512_maskz_loadu_ps(m1, row + 16);
                if (alpha != 1.0f) { first = _mm512_mul_ps(al, first); second = _mm512_mul_ps(al, second); }
                words = consecutive_pairs(first, second);
            }
            _mm512_store_si512((__m512i *)(stage + t * 16), words);
        }
        /* stage[t][u] → dst[(q0 + u)·width + t] */
        uint32_t *out = dst + q0 * width;
        long full = chunk / 4 * 4;
        for (long t = 0; t < width; t += 4) {
            for (long u = 0; u < full; u += 4) transpose4(out + u * width + t, width, stage + t * 16 + u, 16);
            for (long u = full; u < chunk; u++)
                for (long i = 0; i < 4; i++) out[u * width + t + i] = stage[(t + i) * 16 + u];
        }
    }
}

/* Any strides: element (p, t) at src[p*ps + t*ts]. */
static void pack_generic_pairs(long width, long count, long kc, const float *src, long ps, long ts,
                               float alpha, uint32_t *dst) {
    long pairs = (kc + 1) / 2;
    for (long q = 0; q < pairs; q++) {
        for (long t = 0; t < width; t++) {
            uint32_t word = 0;
            if (t < count) {
                uint32_t lo = bf16_bits(alpha * src[2 * q * ps + t * ts]);
                uint32_t hi = 2 * q + 1 < kc ? bf16_bits(alpha * src[(2 * q + 1) * ps + t * ts]) : 0;
                word = lo | (hi << 16);
            }
            dst[q * width + t] = word;
        }
    }
}

/* One panel: `width` words per pair along t, element (p, t) at src[p*ps + t*ts]. */
static void pack_panel(long width, long count, long kc, const float *src, long ps, long ts,
                       float alpha, uint32_t *dst) {
    if (ts == 1) pack_strided_pairs(width, count, kc, src, ps, alpha, dst);
    else if (ps == 1) pack_contiguous_pairs(width, count, kc, src, ts, alpha, dst);
    else pack_generic_pairs(width, count, kc, src, ps, ts, alpha, dst);
}

/* All MR-row panels of an A block at once, from a source whose panel direction is
 * contiguous: element (p, t) at src[p*ps + t], t < count (panel t/MR, zero-padded to MR).
 * For each pair q, rows 2q and 2q + 1 are read whole and in order (two sequential streams
 * the prefetcher follows, where panel-by-panel packing reads a 12-float strip of every
 * row once per panel), 48 columns at a time: three vectors of pair words become four
 * 12-word panel rows. Writes exactly what pack_strided_pairs writes, panel by panel. */
BF16 static void pack_a_rows(long count, long kc, const float *src, long ps, float alpha, uint32_t *dst) {
    long pairs = (kc + 1) / 2;
    __m512 al = _mm512_set1_ps(alpha);
    const __m512i next12 = _mm512_set_epi32(0, 0, 0, 0, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12);
    const __m512i next24 = _mm512_set_epi32(0, 0, 0, 0, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8);
    const __mmask16 twelve = (__mmask16)0x0FFF;
    long panel = PK_BF16_MR * pairs;          /* words per panel */
    for (long q = 0; q < pairs; q++) {
        const float *r0 = src + 2 * q * ps;
        int has_second = 2 * q + 1 < kc;
        for (long t = 0; t < count; t += 48) {
            __m512i w[3];
            for (int v = 0; v < 3; v++) {
                __mmask16 m = mask16(count - t - 16 * v);
                __m512 lo = _mm512_maskz_loadu_ps(m, r0 + t + 16 * v);
                __m512 hi = has_second ? _mm512_maskz_loadu_ps(m, r0 + ps + t + 16 * v) : _mm512_setzero_ps();
                if (alpha != 1.0f) { lo = _mm512_mul_ps(al, lo); hi = _mm512_mul_ps(al, hi); }
                w[v] = interleave_pairs(lo, hi);
            }
            /* Panel rows: words 0–11, 12–23, 24–35, 36–47 of w[0] w[1] w[2]. */
            __m512i p1 = _mm512_permutex2var_epi32(w[0], next12, w[1]);
            __m512i p2 = _mm512_permutex2var_epi32(w[1], next24, w[2]);
            __m512i p3 = _mm512_alignr_epi32(w[2], w[2], 4);
            uint32_t *out = dst + (t / PK_BF16_MR) * panel + q * PK_BF16_MR;
            long panels = (count - t + PK_BF16_MR - 1) / PK_BF16_MR;
            _mm512_mask_storeu_epi32(out, twelve, w[0]);
            if (panels > 1) _mm512_mask_storeu_epi32(out + panel, twelve, p1);
            if (panels > 2) _mm512_mask_storeu_epi32(out + 2 * panel, twelve, p2);
            if (panels > 3) _mm512_mask_storeu_epi32(out + 3 * panel, twelve, p3);
        }
    }
}

/* All column panels of a B block at once (widths as panel_width), from a source whose
 * panel direction is contiguous: element (p, j) at src[p*ps + j], j < count. Same reading
 * order as pack_a_rows, the same words as pack_strided_pairs. A panel of width w takes
 * w·stride words (stride ≥ the pairs, see pk_bf16_pack_b_padded). */
BF16 static void pack_b_rows(long count, long kc, const float *src, long ps, long stride, uint32_t *dst) {
    long pairs = (kc + 1) / 2;
    for (long q = 0; q < pairs; q++) {
        const float *r0 = src + 2 * q * ps;
        int has_second = 2 * q + 1 < kc;
        for (long j = 0; j < count;) {
            long w = panel_width(count - j);
            uint32_t *out = dst + j * stride + q * w;
            for (long t = 0; t < w; t += 16) {
                __mmask16 m = mask16(count - j - t);
                __m512 lo = _mm512_maskz_loadu_ps(m, r0 + j + t);
                __m512 hi = has_second ? _mm512_maskz_loadu_ps(m, r0 + ps + j + t) : _mm512_setzero_ps();
                _mm512_storeu_si512((void *)(out + t), interleave_pairs(lo, hi));
            }
            j += w;
        }
    }
}

void pk_bf16_pack_a(long mc, long kc, const float *a, long rs, long cs, float alpha, uint32_t *dst) {
    long pairs = (kc + 1) / 2;
    if (rs == 1 && cs != 1 && mc > PK_BF16_MR) {
        pack_a_rows(mc, kc, a, cs, alpha, dst);
        return;
    }
    for (long i = 0; i < mc; i += PK_BF16_MR) {
        long rows = mc - i < PK_BF16_MR ? mc - i : PK_BF16_MR;
        pack_panel(PK_BF16_MR, rows, kc, a + i * rs, cs, rs, alpha, dst);
        dst += PK_BF16_MR * pairs;
    }
}

void pk_bf16_pack_b_padded(long kc, long nc, const float *b, long rs, long cs, long stride, uint32_t *dst) {
    long pairs = (kc + 1) / 2;
    if (cs == 1 && rs != 1 && nc > PK_BF16_NR) {
        pack_b_rows(nc, kc, b, rs, stride, dst);
    } else {
        uint32_t *out = dst;
        for (long j = 0; j < nc;) {
            long w = panel_width(nc - j);
            long cols = nc - j < w ? nc - j : w;
            pack_panel(w, cols, kc, b + j * cs, rs, cs, 1.0f, out);
            out += w * stride;
            j += w;
        }
    }
    if (stride == pairs) return;
    for (long j = 0; j < nc;) {
        long w = panel_width(nc - j);
        memset(dst + j * stride + pairs * w, 0, (size_t)((stride - pairs) * w) * sizeof(uint32_t));
        j += w;
    }
}

void pk_bf16_pack_b(long kc, long nc, const float *b, long rs, long cs, uint32_t *dst) {
    pk_bf16_pack_b_padded(kc, nc, b, rs, cs, (kc + 1) / 2, dst);
}

BF16 static void kernel_12x32(long pairs, const uint32_t *a, const uint32_t *b, float *c, long ldc,
                              long m_eff, long n_eff, float beta) {
    pk_bf16_tile(2, pairs, NULL, a, b, c, ldc, m_eff, n_eff, beta);
}

BF16 static void kernel_12x16(long pairs, const uint32_t *a, const uint32_t *b, float *c, long ldc,
                              long m_eff, long n_eff, float beta) {
    pk_bf16_tile(1, pairs, NULL, a, b, c, ldc, m_eff, n_eff, beta);
}

void pk_bf16_macro(long mc, long nc, long kc, const uint32_t *packed_a, const uint32_t *packed_b,
                   float *c, long ldc, float beta) {
    long pairs = (kc + 1) / 2;
    const uint32_t *pb = packed_b;
    for (long j = 0; j < nc;) {
        long w = panel_width(nc - j);
        long n_eff = nc - j < w ? nc - j : w;
        const uint32_t *pa = packed_a;
        for (long i = 0; i < mc; i += PK_BF16_MR) {
            long m_eff = mc - i < PK_BF16_MR ? mc - i : PK_BF16_MR;
            float *ct = c + i * ldc + j;
            if (w == PK_BF16_NR) kernel_12x32(pairs, pa, pb, ct, ldc, m_eff, n_eff, beta);
            else kernel_12x16(pairs, pa, pb, ct, ldc, m_eff, n_eff, beta);
            pa += PK_BF16_MR * pairs;
        }
        pb += w * pairs;
        j += w;
    }
}

#else /* not x86-64: no bf16 kernels; callers see pk_cpu_has_avx512_bf16() == 0. */

int pk_cpu_has_avx512_bf16(void) { return 0; }

void pk_bf16_pack_a(long mc, long kc, const float *a, long rs, long cs, float alpha, uint32_t *dst) {
    (void)mc; (void)kc; (void)a; (void)rs; (void)cs; (void)alpha; (void)dst;
    __builtin_trap();
}

void pk_bf16_pack_b(long kc, long nc, const float *b, long rs, long cs, uint32_t *dst) {
    (void)kc; (void)nc; (void)b; (void)rs; (void)cs; (void)dst;
    __builtin_trap();
}

void pk_bf16_pack_b_padded(long kc, long nc, const float *b, long rs, long cs, long stride, uint32_t *dst) {
    (void)kc; (void)nc; (void)b; (void)rs; (void)cs; (void)stride; (void)dst;
    __builtin_trap();
}

void pk_bf16_macro(long mc, long nc, long kc, const uint32_t *packed_a, const uint32_t *packed_b,
                   float *c, long ldc, float beta) {
    (void)mc; (void)nc; (void)kc; (void)packed_a; (void)packed_b; (void)c; (void)ldc; (void)beta;
    __builtin_trap();
}
#endif
