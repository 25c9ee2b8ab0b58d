/* A packed bf16 A's zero steps, skipped (AVX512_BF16).
 *
 * The bf16 kernel multiplies pairs of steps: for the 12 rows i of one packed panel of A
 * and a panel of B,
 *
 *   C[i, j] = Σ_q A(i, 2q)·B(2q, j) + A(i, 2q+1)·B(2q+1, j) = Σ_{q ∈ S} (the same terms),
 *   S = { q : A(i, 2q) or A(i, 2q+1), rounded to bf16, is not ±0 for some row i },
 *
 * since a pair outside S adds two ±0 products to each sum of the tile. As in
 * kernel_avx512_zero_steps.c (fp32), a sum that starts at +0 is never −0 under round to
 * nearest and adding ±0 leaves its bits, so the kept pairs in order give the dense
 * kernel's bits, with two exceptions: a NaN or ±Inf in a skipped row of B is not read
 * (0·Inf would have made the sum NaN), and `vdpbf16ps` flushes a result under 2⁻¹²⁶ to a
 * zero of its sign, so a sum can be −0, which a skipped +0 product would have turned into
 * +0: the same value, another sign of zero. An MNIST batch read as 12-row panels of bf16
 * pairs leaves many pairs of adjacent pixels (forward) or of images (the weight gradient's
 * xᵀ) all zero. */
#include "internal.h"

long pk_bf16_zero_steps_scratch_size(long mc, long kc) {
    return (mc + PK_BF16_MR - 1) / PK_BF16_MR * ((kc + 1) / 2 + 1);
}

#if defined(__x86_64__)
#include "kernel_bf16_tile.h"

/* A panel's kept pairs, compacted, when it has a zero pair; else `pairs` (left as it is).
 * A pair word is zero when both its bf16 halves are ±0. */
__attribute__((noinline, target("avx512f,fma")))
static long compact_sparse_pair_panel(float *panel, long pairs, int *kept) {
    return pk_compact_sparse_panel12_avx512(panel, pairs, kept, 0x7FFF7FFF);
}

/* The tile over a compacted panel's `count` pairs, pair t reading row kept[t] of B. */
BF16 static void zero_steps_12x32(long count, const int *kept, const uint32_t *a, const uint32_t *b, float *c,
                                  long ldc, long m_eff, long n_eff, float beta) {
    pk_bf16_tile(2, count, kept, a, b, c, ldc, m_eff, n_eff, beta);
}

BF16 static void zero_steps_12x16(long count, const int *kept, const uint32_t *a, const uint32_t *b, float *c,
                                  long ldc, long m_eff, long n_eff, float beta) {
    pk_bf16_tile(1, count, kept, a, b, c, ldc, m_eff, n_eff, beta);
}

/* Panels are compacted while the look's budget of dense panels lasts (pk_compact_panels);
 * a panel left dense, or a block with no panel compacted, runs the dense kernel. */
void pk_bf16_macro_zero_steps(long mc, long nc, long kc, uint32_t *packed_a, const uint32_t *packed_b, float *c,
                              long ldc, float beta, int *steps) {
    long pairs = (kc + 1) / 2;
    long panels = (mc + PK_BF16_MR - 1) / PK_BF16_MR;
    long panel = PK_BF16_MR * pairs;
    if (pk_compact_panels(panels, panel, pairs, nc, (float *)packed_a, steps, compact_sparse_pair_panel) == 0) {
        pk_bf16_macro(mc, nc, kc, packed_a, packed_b, c, ldc, beta);
        return;
    }
    const uint32_t *pb = packed_b;
    for (long j = 0; j < nc;) {
        long w = pk_panel_width(PK_BF16_NR, nc - j);
        long n_eff = nc - j < w ? nc - j : w;
        for (long q = 0; q < panels; q++) {
            long i = PK_BF16_MR * q;
            long m_eff = mc - i < PK_BF16_MR ? mc - i : PK_BF16_MR;
            const int *list = steps + q * (pairs + 1);
            const uint32_t *pa = packed_a + q * panel;
            float *ct = c + i * ldc + j;
            if (list[0] == pairs) pk_bf16_macro(m_eff, n_eff, kc, pa, pb, ct, ldc, beta);
            else if (w == PK_BF16_NR) zero_steps_12x32(list[0], list + 1, pa, pb, ct, ldc, m_eff, n_eff, beta);
            else zero_steps_12x16(list[0], list + 1, pa, pb, ct, ldc, m_eff, n_eff, beta);
        }
        pb += w * pairs;
        j += w;
    }
}

#else /* not x86-64: no bf16 kernels; callers see pk_cpu_has_avx512_bf16() == 0. */

void pk_bf16_macro_zero_steps(long mc, long nc, long kc, uint32_t *packed_a, const uint32_t *packed_b, float *c,
                              long ldc, float beta, int *steps) {
    (void)mc; (void)nc; (void)kc; (void)packed_a; (void)packed_b; (void)c; (void)ldc; (void)beta; (void)steps;
    __builtin_trap();
}
#endif
