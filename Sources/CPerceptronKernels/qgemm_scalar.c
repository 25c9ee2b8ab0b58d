/* Int8 GEMM: run-time choice of variant, packing, and the portable scalar kernel. */
#pragma STDC FP_CONTRACT OFF
#include "qgemm_internal.h"
#include <math.h>
#include <string.h>

#if defined(__x86_64__)
int pk_cpu_has_avx512_vnni(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")
        && __builtin_cpu_supports("avx512vnni");
}

static int pk_cpu_has_avx2_only(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}
#endif

int pk_qgemm_isa_supported(int isa) {
    switch (isa) {
    case PK_QISA_SCALAR: return 1;
#if defined(__x86_64__)
    case PK_QISA_AVX2: return pk_cpu_has_avx2_only();
    case PK_QISA_AVX512_VNNI: return pk_cpu_has_avx512_vnni();
#endif
    default: return 0;
    }
}

int pk_qgemm_best_isa(void) {
    if (pk_qgemm_isa_supported(PK_QISA_AVX512_VNNI)) return PK_QISA_AVX512_VNNI;
    if (pk_qgemm_isa_supported(PK_QISA_AVX2)) return PK_QISA_AVX2;
    return PK_QISA_SCALAR;
}

long pk_qgemm_padded_k(long k) { return (k + 3) / 4 * 4; }

long pk_qgemm_packed_b_size(int isa, long k, long n) {
    long kp = pk_qgemm_padded_k(k);
    if (isa == PK_QISA_AVX2) {
        long panels = (n + PK_Q_AVX2_PANEL - 1) / PK_Q_AVX2_PANEL;
        return panels * kp * PK_Q_AVX2_PANEL * 2;
    }
    long panels = (n + PK_Q_VNNI_PANEL - 1) / PK_Q_VNNI_PANEL;
    return panels * kp * PK_Q_VNNI_PANEL;
}

void pk_qgemm_pack_b(int isa, long k, long n, const int8_t *b, long ldb, int8_t *dst) {
    long kp = pk_qgemm_padded_k(k);
    memset(dst, 0, (size_t)pk_qgemm_packed_b_size(isa, k, n));
    if (isa == PK_QISA_AVX2) {
        int16_t *out = (int16_t *)(void *)dst;
        long pairs = kp / 2;
        for (long j = 0; j < n; j++) {
            long panel = j / PK_Q_AVX2_PANEL, jj = j % PK_Q_AVX2_PANEL;
            for (long p = 0; p < k; p++) {
                long index = ((panel * pairs + p / 2) * PK_Q_AVX2_PANEL + jj) * 2 + p % 2;
                out[index] = b[p * ldb + j];
            }
        }
        return;
    }
    long quads = kp / 4;
    for (long j = 0; j < n; j++) {
        long panel = j / PK_Q_VNNI_PANEL, jj = j % PK_Q_VNNI_PANEL;
        for (long p = 0; p < k; p++) {
            dst[((panel * quads + p / 4) * PK_Q_VNNI_PANEL + jj) * 4 + p % 4] = b[p * ldb + j];
        }
    }
}

void pk_qgemm_column_sums(long k, long n, const int8_t *b, long ldb, int32_t *colsum) {
    for (long j = 0; j < n; j++) colsum[j] = 0;
    for (long p = 0; p < k; p++) {
        for (long j = 0; j < n; j++) colsum[j] += b[p * ldb + j];
    }
}

/* Over the k4n16 layout, one row and one 16-column panel at a time. */
static void qgemm_scalar(long m, long n, long k, const uint8_t *a, long lda, const int8_t *packed_b,
                         const int32_t *colsum, int32_t zero_point, float a_scale, const float *b_scales,
                         const float *bias, int relu, float *c, long ldc) {
    long quads = pk_qgemm_padded_k(k) / 4;
    for (long j0 = 0; j0 < n; j0 += PK_Q_VNNI_PANEL) {
        const int8_t *panel = packed_b + (j0 / PK_Q_VNNI_PANEL) * quads * 64;
        long width = n - j0 < PK_Q_VNNI_PANEL ? n - j0 : PK_Q_VNNI_PANEL;
        for (long i = 0; i < m; i++) {
            const uint8_t *row = a + i * lda;
            int32_t acc[PK_Q_VNNI_PANEL] = {0};
            for (long q = 0; q < quads; q++) {
                const int8_t *group = panel + q * 64;
                const uint8_t *x = row + 4 * q;
                for (long j = 0; j < PK_Q_VNNI_PANEL; j++) {
                    acc[j] += (int32_t)x[0] * group[4 * j] + (int32_t)x[1] * group[4 * j + 1]
                            + (int32_t)x[2] * group[4 * j + 2] + (int32_t)x[3] * group[4 * j + 3];
                }
            }
            for (long j = 0; j < width; j++) {
                c[i * ldc + j0 + j] = pk_q_dequantize(acc[j], zero_point, colsum[j0 + j], a_scale, b_scales[j0 + j],
                                                      bias ? bias + j0 + j : 0, relu);
            }
        }
    }
}

void pk_qgemm(int isa, long m, long n, long k, const uint8_t *a, long lda, const int8_t *packed_b,
              const int32_t *colsum, int32_t a_zero_point, float a_scale, const float *b_scales,
              const float *bias, int relu, float *c, long ldc) {
    if (m <= 0 || n <= 0) return;
#if defined(__x86_64__)
    if (isa == PK_QISA_AVX512_VNNI) {
        pk_qgemm_avx512_vnni(m, n, k, a, lda, packed_b, colsum, a_zero_point, a_scale, b_scales, bias, relu, c, ldc);
        return;
    }
    if (isa == PK_QISA_AVX2) {
        pk_qgemm_avx2(m, n, k, a, lda, packed_b, colsum, a_zero_point, a_scale, b_scales, bias, relu, c, ldc);
        return;
    }
#endif
    qgemm_scalar(m, n, k, a, lda, packed_b, colsum, a_zero_point, a_scale, b_scales, bias, relu, c, ldc);
}
