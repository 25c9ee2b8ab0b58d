#ifndef PK_QGEMM_INTERNAL_H
#define PK_QGEMM_INTERNAL_H
#include "PerceptronQuantizedKernels.h"

/*
 * Packed layouts of B (k × n int8, k padded to kp = pk_qgemm_padded_k(k)):
 *   k4n16 (scalar, AVX-512 VNNI): panels of 16 columns; in a panel, for each group of 4
 *         rows q, 64 bytes: byte j·4 + r = B[4q + r, 16·panel + j].
 *   k2n8  (AVX2): panels of 8 columns of int16; in a panel, for each pair of rows q,
 *         16 values: value j·2 + r = B[2q + r, 8·panel + j].
 * Padding (rows ≥ k, columns ≥ n) is zero.
 */

#define PK_Q_VNNI_PANEL 16
#define PK_Q_AVX2_PANEL 8

/* The fused dequantization of one accumulator, as every variant computes it:
 * float(acc − z·colsum), times (s_a·s_b), plus the bias: separate roundings, no FMA;
 * then, with relu, v > 0 ? v : 0 (pk_relu's rule: −0 and NaN become +0). */
static inline float pk_q_dequantize(int32_t acc, int32_t zero_point, int32_t colsum, float a_scale,
                                    float b_scale, const float *bias, int relu) {
    float scale = a_scale * b_scale;
    float v = (float)(acc - zero_point * colsum);
    v = v * scale;
    if (bias) v = v + *bias;
    if (relu) v = v > 0 ? v : 0;
    return v;
}

#if defined(__x86_64__)
void pk_qgemm_avx512_vnni(long m, long n, long k, const uint8_t *a, long lda, const int8_t *packed_b,
                          const int32_t *colsum, int32_t a_zero_point, float a_scale, const float *b_scales,
                          const float *bias, int relu, float *c, long ldc);
void pk_qgemm_avx2(long m, long n, long k, const uint8_t *a, long lda, const int8_t *packed_b,
                   const int32_t *colsum, int32_t a_zero_point, float a_scale, const float *b_scales,
                   const float *bias, int relu, float *c, long ldc);
/* AVX-512 F, BW, VL and VNNI (the VNNI kernel and the vector quantization use them). */
int pk_cpu_has_avx512_vnni(void);
#endif

#endif
