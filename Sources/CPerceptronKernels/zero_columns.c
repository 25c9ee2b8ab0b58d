/* The zero columns of a batch, and the batch without them (Dense's sparse-input pass).
 *
 *   bits[j] = OR over i of (bit pattern of x[i, j]) & 0x7FFFFFFF
 *   column j is zero  ⇔  bits[j] = 0  ⇔  every x[i, j] is +0 or −0
 *
 * NaN and ±Inf have non-zero magnitude bits, so a column holding one is never zero. */
#include "PerceptronVectorKernels.h"
#include "internal.h"
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

/* 256 columns at a time (16 registers) down all the rows, then the last < 256 with masks:
 * x is read once, row by row. */
__attribute__((target("avx512f")))
static void column_bits_avx512(long rows, long cols, const float *restrict x, long ld, uint32_t *restrict bits) {
    const __m512i magnitude = _mm512_set1_epi32(0x7FFFFFFF);
    long j0 = 0;
    for (; j0 + 256 <= cols; j0 += 256) {
        __m512i acc[16];
        for (int v = 0; v < 16; v++) acc[v] = _mm512_setzero_si512();
        for (long i = 0; i < rows; i++) {
            const float *row = x + i * ld + j0;
            for (int v = 0; v < 16; v++) acc[v] = _mm512_or_si512(acc[v], _mm512_loadu_si512(row + 16 * v));
        }
        for (int v = 0; v < 16; v++) _mm512_storeu_si512(bits + j0 + 16 * v, _mm512_and_si512(acc[v], magnitude));
    }
    for (; j0 < cols; j0 += 16) {
        __mmask16 mask = pk_lane_mask16(cols - j0);
        __m512i acc = _mm512_setzero_si512();
        for (long i = 0; i < rows; i++) acc = _mm512_or_si512(acc, _mm512_maskz_loadu_epi32(mask, x + i * ld + j0));
        _mm512_mask_storeu_epi32(bits + j0, mask, _mm512_and_si512(acc, magnitude));
    }
}

/* One run of n floats, 16 at a time with a masked tail. */
__attribute__((target("avx512f")))
static void gather_runs_avx512(long rows, const float *restrict x, long ldx, const long *restrict runs,
                               long run_count, float *restrict out, long ldout) {
    for (long i = 0; i < rows; i++) {
        const float *src = x + i * ldx;
        float *dst = out + i * ldout;
        for (long r = 0; r < run_count; r++) {
            const float *s = src + runs[2 * r];
            long n = runs[2 * r + 1];
            for (long j = 0; j < n; j += 16) {
                __mmask16 mask = pk_lane_mask16(n - j);
                _mm512_mask_storeu_ps(dst + j, mask, _mm512_maskz_loadu_ps(mask, s + j));
            }
            dst += n;
        }
    }
}
#endif

long pk_zero_columns_isa(int isa, long rows, long cols, const float *restrict x, long ld, uint32_t *restrict bits) {
#if defined(__x86_64__)
    if (isa == PK_ISA_AVX512) {
        column_bits_avx512(rows, cols, x, ld, bits);
    } else
#endif
    {
        for (long j = 0; j < cols; j++) bits[j] = 0;
        for (long i = 0; i < rows; i++) {
            const uint32_t *row = (const uint32_t *)(const void *)(x + i * ld);
            for (long j = 0; j < cols; j++) bits[j] |= row[j] & 0x7FFFFFFFu;
        }
    }
    long zero = 0;
    for (long j = 0; j < cols; j++) zero += bits[j] == 0;
    return zero;
}

void pk_gather_column_runs_isa(int isa, long rows, const float *restrict x, long ldx, const long *restrict runs,
                               long run_count, float *restrict out, long ldout) {
#if defined(__x86_64__)
    if (isa == PK_ISA_AVX512) {
        gather_runs_avx512(rows, x, ldx, runs, run_count, out, ldout);
        return;
    }
#endif
    for (long i = 0; i < rows; i++) {
        float *dst = out + i * ldout;
        for (long r = 0; r < run_count; r++) {
            memcpy(dst, x + i * ldx + runs[2 * r], (size_t)runs[2 * r + 1] * sizeof(float));
            dst += runs[2 * r + 1];
        }
    }
}

/* The AVX-512 forms where the CPU has AVX-512, else the portable loops. */
static int best_isa(void) { return pk_cpu_has_avx512() ? PK_ISA_AVX512 : PK_ISA_SCALAR; }

long pk_zero_columns(long rows, long cols, const float *x, long ld, uint32_t *bits) {
    return pk_zero_columns_isa(best_isa(), rows, cols, x, ld, bits);
}

void pk_gather_column_runs(long rows, const float *x, long ldx, const long *runs, long run_count, float *out, long ldout) {
    pk_gather_column_runs_isa(best_isa(), rows, x, ldx, runs, run_count, out, ldout);
}
