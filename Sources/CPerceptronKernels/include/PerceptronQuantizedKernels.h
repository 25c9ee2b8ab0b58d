#ifndef PERCEPTRON_QUANTIZED_KERNELS_H
#define PERCEPTRON_QUANTIZED_KERNELS_H

#include <stdint.h>

/*
 * Int8 matrix product for quantized Dense layers, with the dequantization fused:
 *
 *     acc[i, j] = Σ_p A[i, p]·B[p, j]                  (exact, in int32)
 *     C[i, j]   = float(acc[i, j] − z_a·colsum[j]) · (s_a·s_b[j]) + bias[j]
 *     C[i, j]   = max(C[i, j], 0)                       (relu ≠ 0: ReLU fused, as pk_relu)
 *
 * A (m × k) holds unsigned 8-bit activations with one zero point z_a and one scale s_a
 * (x ≈ s_a·(A − z_a)); B (k × n) holds signed 8-bit weights with one scale per column
 * (W ≈ s_b[j]·B). colsum[j] = Σ_p B[p, j] turns Σ A·B into Σ (A − z_a)·B, which is how a
 * u8 × s8 instruction (vpdpbusd) serves signed activations: symmetric signed values
 * stored as A = q + 128 are the case z_a = 128.
 *
 * Variants, chosen at run time like the float kernels (each compiled with
 * __attribute__((target(...)))):
 *   PK_QISA_AVX512_VNNI  vpdpbusd: 4 u8×s8 products summed into each int32 lane
 *   PK_QISA_AVX2         u8 and s8 widened to int16, vpmaddwd (vpmaddubsw would saturate
 *                        at 255·127·2 > 32767)
 *   PK_QISA_SCALAR       plain C
 * Every variant computes acc exactly (no saturation for k < 2³¹ / (255·128)), then the
 * same float operations in the same order, so all give the same bits.
 *
 * B is packed once (pk_qgemm_pack_b) into the variant's layout. A's rows are read for
 * pk_qgemm_padded_k(k) bytes: the bytes past k must be initialized (any value: the packed
 * B is zero there).
 */

#define PK_QISA_SCALAR 0
#define PK_QISA_AVX2 1
#define PK_QISA_AVX512_VNNI 2

/* The fastest int8 variant this CPU runs (a PK_QISA_* value). */
int pk_qgemm_best_isa(void);

/* 1 when `isa` can run on this CPU. */
int pk_qgemm_isa_supported(int isa);

/* k rounded up to a multiple of 4: the row length A must provide. */
long pk_qgemm_padded_k(long k);

/* Bytes pk_qgemm_pack_b writes for a k × n matrix with `isa`. */
long pk_qgemm_packed_b_size(int isa, long k, long n);

/* Packs B (element (p, j) at b[p*ldb + j]) into `isa`'s layout, zero-padded. */
void pk_qgemm_pack_b(int isa, long k, long n, const int8_t *b, long ldb, int8_t *dst);

/* colsum[j] = Σ_p b[p*ldb + j]. */
void pk_qgemm_column_sums(long k, long n, const int8_t *b, long ldb, int32_t *colsum);

/* C (row stride ldc) ← the fused product above for m rows of A (row stride lda ≥ padded k).
 * bias may be NULL (no bias); relu ≠ 0 applies max(·, 0) (z > 0 ? z : 0) before the store. */
void pk_qgemm(int isa, long m, long n, long k, const uint8_t *a, long lda, const int8_t *packed_b,
              const int32_t *colsum, int32_t a_zero_point, float a_scale, const float *b_scales,
              const float *bias, int relu, float *c, long ldc);

/* The smallest and largest of n floats (n ≥ 1). */
void pk_min_max(long n, const float *x, float *min_out, float *max_out);

/* Affine quantization to u8, as ONNX QuantizeLinear:
 *     A[i, p] = clamp(round_half_even(x[i, p] / scale) + zero_point, 0, 255)
 * for p < cols; bytes cols ..< lda of each row are set to 0. */
void pk_quantize_u8(long rows, long cols, const float *x, long ldx, float scale, int32_t zero_point,
                    uint8_t *a, long lda);

#endif
