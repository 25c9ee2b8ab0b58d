#ifndef C_PERCEPTRON_KERNELS_H
#define C_PERCEPTRON_KERNELS_H

/*
 * Float32 GEMM building blocks for Perceptron's Swift driver (GEMM.swift).
 *
 * The Swift side does the BLIS-style blocking (NC / KC / MC loops) and the
 * threading; this target packs blocks of A and B into micro-panels and runs
 * the register-blocked micro-kernels over them:
 *
 *     C[mc×nc] ← A_packed[mc×kc] · B_packed[kc×nc] + β·C
 *
 * Each instruction-set variant is compiled with __attribute__((target(...)))
 * and chosen at run time, so the package needs no compiler flags.
 *
 * Matrices are addressed by element strides: element (i, j) of a matrix is at
 * base[i * rs + j * cs]. A row-major matrix has (rs, cs) = (ld, 1); its
 * transpose has (rs, cs) = (1, ld).
 */

/* Instruction sets with their own micro-kernels. */
#define PK_ISA_SCALAR 0
#define PK_ISA_AVX2 1
#define PK_ISA_AVX512 2

/* 1 when the CPU has AVX-512F and FMA. */
int pk_cpu_has_avx512(void);

/* The fastest instruction set this CPU supports (a PK_ISA_* value). */
int pk_sgemm_best_isa(void);

/* 1 when `isa` can run on this CPU. */
int pk_sgemm_isa_supported(int isa);

/* The data caches one core sees, in bytes (0 where unknown): L1 data, L2, and L3 with the
 * number of logical processors sharing it. Read from CPUID (leaf 4 on Intel, 0x8000001D
 * on AMD); all zero off x86 or where the CPU does not report them. */
typedef struct {
    long l1d, l2, l3, l3_sharing;
} pk_cache_sizes;
pk_cache_sizes pk_cpu_cache_sizes(void);

/* Micro-tile height MR (rows of A per packed panel) for `isa`. */
long pk_sgemm_mr(int isa);

/* Micro-tile width NR (columns of B per packed panel) for `isa`. */
long pk_sgemm_nr(int isa);

/* dst[j*ld_dst + i] = src[i*ld_src + j] for i < rows, j < cols: a plain copy of every
 * float into the transposed place. */
void pk_transpose(long rows, long cols, const float *src, long ld_src, float *dst, long ld_dst);

/* Floats needed to pack an mc × kc block of A (rows rounded up to MR). */
long pk_sgemm_packed_a_size(int isa, long mc, long kc);

/* Floats needed to pack a kc × nc block of B (panel widths as pk_sgemm_pack_b uses). */
long pk_sgemm_packed_b_size(int isa, long kc, long nc);

/* Packs α·A[mc×kc] (element (i, p) at a[i*rs + p*cs]) into MR-row panels,
 * zero-padding the last panel. */
void pk_sgemm_pack_a(int isa, long mc, long kc, const float *a, long rs, long cs,
                     float alpha, float *dst);

/* Packs B[kc×nc] (element (p, j) at b[p*rs + j*cs]) into column panels of width
 * NR, or NR/2 for a last panel of at most NR/2 columns, zero-padded. */
void pk_sgemm_pack_b(int isa, long kc, long nc, const float *b, long rs, long cs, float *dst);

/* C[mc×nc] (row stride ldc) ← packed A · packed B + β·C. β == 0 never reads C. */
void pk_sgemm_macro(int isa, long mc, long nc, long kc, const float *packed_a,
                    const float *packed_b, float *c, long ldc, float beta);

/* Largest n for which the packed path of `isa` reads A in place with pk_sgemm_direct_a
 * instead of packing it (LONG_MAX on AVX-512, where every product does; 0 elsewhere). */
long pk_sgemm_direct_a_max_n(int isa);

/* C[m×n] ← α·A[m×kc]·B̃ + β·C on AVX-512 or AVX2 (the swapped few-row products of both
 * read the weight in place; AVX2's packed path packs A otherwise), reading A in place
 * (element (i, p) at a[i*rs + p*cs]) instead of packing it; B̃ is B packed by
 * pk_sgemm_pack_b. α scales the sum (a packed A holds α·A instead: the same bits when
 * α == 1). `edge` is scratch for pk_sgemm_packed_a_size(isa, 1, kc) floats.
 * β == 0 never reads C. */
void pk_sgemm_direct_a(int isa, long m, long n, long kc, const float *a, long rs, long cs,
                       float alpha, const float *packed_b, float *c, long ldc, float beta,
                       float *edge);

/* 1 when `isa` computes the product of pk_sgemm_direct_a from an A packed by
 * pk_sgemm_pack_a instead (pk_sgemm_packed_a): AVX-512. */
int pk_sgemm_packed_a_supported(int isa);

/* pk_sgemm_direct_a's product, its A packed first by pk_sgemm_pack_a(isa, m, kc, …, α = 1,
 * packed_a): the same operations on the same numbers, so the same bits. For an A whose
 * in-place reads are scattered (A transposed) and that several panels of B reuse. GEMM
 * calls its zero-skipping form below; this one multiplies every step (the tests' reference). */
void pk_sgemm_packed_a(int isa, long m, long n, long kc, const float *packed_a, float alpha,
                       const float *packed_b, float *c, long ldc, float beta);

/* 1 when `isa` has pk_sgemm_packed_a_zero_steps: AVX-512 and AVX2. */
int pk_sgemm_zero_steps_supported(int isa);

/* Ints of scratch pk_sgemm_packed_a_zero_steps needs for an m × kc block of A. */
long pk_sgemm_zero_steps_scratch_size(int isa, long m, long kc);

/* The product of A packed by pk_sgemm_pack_a(isa, …) and B̃ (α scaling the sums, as
 * pk_sgemm_packed_a), skipping the steps p at which all MR rows of a packed panel of A
 * (12 on AVX-512, 6 on AVX2) are ±0 (each would add ±0 to sums that start at +0: the same
 * bits, but for a NaN or ±Inf in row p of B, which is not read). The panels are compacted
 * in place (packed_a is overwritten); `steps` is scratch for
 * pk_sgemm_zero_steps_scratch_size(isa, m, kc) ints. Where pk_sgemm_zero_steps_supported(isa);
 * on AVX2 with α = 1 the same bits as pk_sgemm_macro over the same panels. */
void pk_sgemm_packed_a_zero_steps(int isa, long m, long n, long kc, float *packed_a, float alpha,
                                  const float *packed_b, float *c, long ldc, float beta, void *steps);

/* Widest n the narrow Aᵀ·B kernel takes. */
#define PK_NARROW_MAX_N 12

/* 1 when `isa` has the narrow Aᵀ·B kernel below. */
int pk_sgemm_narrow_atb_supported(int isa);

/* C[m×n] ← α·Aᵀ·B + β·C for 1 ≤ n ≤ PK_NARROW_MAX_N, nothing packed: A is k × m (row p at
 * a + p·lda), B is k × n (row p at b + p·ldb), both row-major, as in a narrow output
 * layer's weight gradient xᵀ·δ. Vectors run along m (a row of A) and B is broadcast, so
 * no lane is wasted on a narrow n. Each element is one FMA chain over p = 0 ..< k, then
 * α, then β (β == 0 never reads C). */
void pk_sgemm_narrow_atb(int isa, long m, long n, long k, float alpha, const float *a, long lda,
                         const float *b, long ldb, float beta, float *c, long ldc);

/* Row vector times matrix, no packing:
 *     c[j] ← α·Σ_p x[p·incx]·B[p, j] + β·c[j],   B[p, j] = b[p*ldb + j],  j < n, p < k.
 * β == 0 never reads c. `kc_step`: the packed path's depth step for this k (the AVX2
 * kernel sums in those blocks, as the packed 6 × 16 kernel does, so a row has the same
 * bits alone as in a batch; AVX-512 and scalar ignore it). */
void pk_sgemv_rowmajor(int isa, long k, long n, float alpha, const float *x, long incx,
                       const float *b, long ldb, float beta, float *c, long kc_step);

/* Row vector times transposed matrix, no packing:
 *     c[j] ← α·Σ_p x[p]·B[j, p] + β·c[j],   B[j, p] = b[j*ldb + p],  x contiguous.
 * β == 0 never reads c. */
void pk_sgemv_transposed(int isa, long k, long n, float alpha, const float *x,
                         const float *b, long ldb, float beta, float *c);

/* Elementwise kernels for the training hot path (optimizer updates, norms). */
#include "PerceptronVectorKernels.h"

/* Int8 matrix product for quantized models (qgemm_*.c). */
#include "PerceptronQuantizedKernels.h"

/* bf16 mixed-precision GEMM (AVX512_BF16). */
#include "PerceptronBF16Kernels.h"

#endif
