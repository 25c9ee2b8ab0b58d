#ifndef PERCEPTRON_BF16_KERNELS_H
#define PERCEPTRON_BF16_KERNELS_H

#include <stdint.h>

/*
 * bf16 mixed-precision GEMM building blocks (AVX512_BF16), driven by BF16GEMM.swift:
 *
 *     C[mc×nc] ← bf16(α·A)[mc×kc] · bf16(B)[kc×nc] + β·C,   accumulated in fp32
 *
 * Operands are rounded to bf16 (round to nearest even, `vcvtne2ps2bf16`) while they are
 * packed; the micro-kernel multiplies pairs of them along K with `vdpbf16ps`, which adds
 * two bf16 products into each fp32 lane. A packed word (uint32_t) holds one such pair:
 * the low half is the bf16 of element p = 2q, the high half that of p = 2q + 1 (zero
 * when 2q + 1 = kc).
 *
 * Packed layouts (q < ⌈kc/2⌉ counts pairs):
 *   A: panels of PK_BF16_MR rows; word (q, r) of a panel at panel[q·MR + r].
 *   B: panels of PK_BF16_NR columns (PK_BF16_NR/2 for a last panel of at most that
 *      many columns); word (q, j) of a panel of width w at panel[q·w + j].
 * Rows and columns past the matrix are zero.
 *
 * Everything here runs only where pk_cpu_has_avx512_bf16() is 1; callers check it.
 */

#define PK_BF16_MR 12
#define PK_BF16_NR 32

/* 1 when the CPU has AVX-512F, AVX-512BW and AVX512_BF16 (and the OS saves zmm state). */
int pk_cpu_has_avx512_bf16(void);

/* Words needed to pack an mc × kc block of A. */
long pk_bf16_packed_a_size(long mc, long kc);

/* Words needed to pack a kc × nc block of B. */
long pk_bf16_packed_b_size(long kc, long nc);

/* Packs bf16(α·A[mc×kc]) (element (i, p) at a[i*rs + p*cs]) into MR-row panels. */
void pk_bf16_pack_a(long mc, long kc, const float *a, long rs, long cs, float alpha, uint32_t *dst);

/* Packs bf16(B[kc×nc]) (element (p, j) at b[p*rs + j*cs]) into column panels. */
void pk_bf16_pack_b(long kc, long nc, const float *b, long rs, long cs, uint32_t *dst);

/* C[mc×nc] (row stride ldc) ← packed A · packed B + β·C, kc the depth both were packed
 * with. β == 0 never reads C. */
void pk_bf16_macro(long mc, long nc, long kc, const uint32_t *packed_a, const uint32_t *packed_b,
                   float *c, long ldc, float beta);

/* pk_bf16_macro skipping A's zero steps: within each packed panel of A, the pairs whose
 * 12 words are all zero (both bf16 halves ±0) are removed in place (packed A is changed)
 * and the kernel reads B's rows through the list of kept pairs. Same bits as
 * pk_bf16_macro but where a skipped row of B holds a NaN or ±Inf (not read), or a sum
 * flushed to −0 would have become +0 (kernel_bf16_zero_steps.c). `steps` holds
 * pk_bf16_zero_steps_scratch_size(mc, kc) ints. */
void pk_bf16_macro_zero_steps(long mc, long nc, long kc, uint32_t *packed_a, const uint32_t *packed_b, float *c,
                              long ldc, float beta, int *steps);
long pk_bf16_zero_steps_scratch_size(long mc, long kc);

/* pk_bf16_pack_b with each panel of width w taking w·stride words (stride ≥ ⌈kc/2⌉): the
 * pairs past ⌈kc/2⌉ are zero. */
void pk_bf16_pack_b_padded(long kc, long nc, const float *b, long rs, long cs, long stride, uint32_t *dst);

/*
 * The same product on Intel AMX (AMX-BF16): `tdpbf16ps` multiplies a 16-row tile of A by a
 * 16-column tile of B, 16 pairs (32 products) deep, into a 16 × 16 fp32 tile of C. Tiles
 * are read straight from the packed blocks, so the pairs are padded to whole 16-pair steps
 * (PK_AMX_PAIRS) with zero words, stride = pk_amx_padded_pairs(kc) words:
 *   A: row-major pair words, word (i, q) at a[i·stride + q], rows up to a multiple of 16
 *      (PK_AMX_ROWS) zero;
 *   B: the panels of pk_bf16_pack_b (32 columns, 16 for a last one of at most 16), a panel
 *      of width w taking w·stride words, word (q, j) at panel[q·w + j].
 * The micro-kernel holds a 32 × 32 block of C in four tiles. Runs only where
 * pk_cpu_has_amx_bf16() is 1.
 */
#define PK_AMX_ROWS 16
#define PK_AMX_PAIRS 16

/* 1 when the CPU has AMX-TILE, AMX-BF16 and AVX512_BF16 and the OS lets this process use
 * the tiles (Linux: arch_prctl(ARCH_REQ_XCOMP_PERM), asked on the first call). */
int pk_cpu_has_amx_bf16(void);

/* ⌈kc/2⌉ rounded up to a multiple of PK_AMX_PAIRS: the words of one packed row of A and
 * the rows of one packed panel of B. */
long pk_amx_padded_pairs(long kc);

/* Words needed to pack an mc × kc block of A, or a kc × nc block of B, for AMX. */
long pk_amx_packed_a_size(long mc, long kc);
long pk_amx_packed_b_size(long kc, long nc);

/* Packs bf16(α·A[mc×kc]) (element (i, p) at a[i*rs + p*cs]) into AMX rows. */
void pk_amx_pack_a(long mc, long kc, const float *a, long rs, long cs, float alpha, uint32_t *dst);

/* Packs bf16(B[kc×nc]) (element (p, j) at b[p*rs + j*cs]) into padded panels. */
void pk_amx_pack_b(long kc, long nc, const float *b, long rs, long cs, uint32_t *dst);

/* C[mc×nc] (row stride ldc) ← packed A · packed B + β·C with AMX, kc the depth both were
 * packed with. β == 0 never reads C. */
void pk_amx_macro(long mc, long nc, long kc, const uint32_t *packed_a, const uint32_t *packed_b,
                  float *c, long ldc, float beta);

/* bf16 rounding of one float, round to nearest even (NaN stays NaN), returned as the
 * float it stands for. Reference for tests; the packing routines use the instruction. */
float pk_bf16_round(float x);

#endif
