#include "CPerceptronKernels.h"
#include "bf16_pairs.h"
#include <string.h>

/* bf16 mixed-precision GEMM on Intel AMX (AMX-BF16: Sapphire Rapids and later): the same
 * pair words as the AVX512_BF16 kernel, multiplied 16 × 16 × 32 at a time by `tdpbf16ps`
 * in tile registers. Layouts and contracts: PerceptronBF16Kernels.h. */

long pk_amx_padded_pairs(long kc) {
    long pairs = (kc + 1) / 2;
    return (pairs + PK_AMX_PAIRS - 1) / PK_AMX_PAIRS * PK_AMX_PAIRS;
}

long pk_amx_packed_a_size(long mc, long kc) {
    return (mc + PK_AMX_ROWS - 1) / PK_AMX_ROWS * PK_AMX_ROWS * pk_amx_padded_pairs(kc);
}

long pk_amx_packed_b_size(long kc, long nc) {
    /* Panels as the AVX512_BF16 kernel's (32 columns, 16 for a last one of ≤ 16), each
     * padded to whole 16-pair steps; the widths add up to nc rounded up to 16. */
    return (nc + 15) / 16 * 16 * pk_amx_padded_pairs(kc);
}

#if defined(__x86_64__)
#include <sys/syscall.h>
#include <unistd.h>

#define AMX __attribute__((target("amx-tile,amx-bf16,avx512f,avx512bw,avx512bf16")))

/* Linux lets a process use the AMX tile data only after asking (arch_prctl
 * ARCH_REQ_XCOMP_PERM for XFEATURE_XTILEDATA, Linux 5.16 and later): the tiles add 8 KiB
 * to the state the kernel saves. Asked once; the answer holds for every thread. */
#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18

static int amx_permitted(void) {
    static int state = 0; /* 0: not asked, 1: granted, -1: refused */
    int seen = __atomic_load_n(&state, __ATOMIC_ACQUIRE);
    if (seen != 0) return seen > 0;
    int granted = syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0 ? 1 : -1;
    __atomic_store_n(&state, granted, __ATOMIC_RELEASE);
    return granted > 0;
}

int pk_cpu_has_amx_bf16(void) {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("amx-tile") || !__builtin_cpu_supports("amx-bf16")) return 0;
    if (!pk_cpu_has_avx512_bf16()) return 0; /* the packing uses vcvtne2ps2bf16 */
    return amx_permitted();
}

/* Packed A: row i of the block is `stride` pair words, dst[i·stride + q] = (bf16(α·A(i, 2q)),
 * bf16(α·A(i, 2q + 1))), zero for q ≥ pairs; rows from mc up to a multiple of 16 are zero.
 * A tile of A (16 rows × 16 pairs) is then one strided tile load. */
BF16 void pk_amx_pack_a(long mc, long kc, const float *a, long rs, long cs, float alpha, uint32_t *dst) {
    long stride = pk_amx_padded_pairs(kc);
    long rows = (mc + PK_AMX_ROWS - 1) / PK_AMX_ROWS * PK_AMX_ROWS;
    __m512 al = _mm512_set1_ps(alpha);
    if (cs == 1) {
        /* Rows of A are contiguous along p: 32 floats become 16 pair words. */
        for (long i = 0; i < mc; i++) {
            const float *row = a + i * rs;
            uint32_t *out = dst + i * stride;
            for (long q0 = 0; q0 < stride; q0 += 16) {
                long p0 = 2 * q0;
                __m512 first = _mm512_maskz_loadu_ps(mask16(kc - p0), row + p0);
                __m512 second = _mm512_maskz_loadu_ps(mask16(kc - p0 - 16), row + p0 + 16);
                if (alpha != 1.0f) { first = _mm512_mul_ps(al, first); second = _mm512_mul_ps(al, second); }
                _mm512_storeu_si512((void *)(out + q0), consecutive_pairs(first, second));
            }
        }
    } else if (rs == 1) {
        /* A transposed (a weight gradient's xᵀ): for each pair q, 16 rows i come from two
         * contiguous runs of memory as 16 pair words; a 16 × 16 block of them is staged and
         * transposed into the rows. */
        uint32_t stage[16 * 16] __attribute__((aligned(64)));
        for (long i0 = 0; i0 < mc; i0 += 16) {
            __mmask16 m = mask16(mc - i0);
            for (long q0 = 0; q0 < stride; q0 += 16) {
                for (long u = 0; u < 16; u++) {
                    long p = 2 * (q0 + u);
                    __m512 lo = p < kc ? _mm512_maskz_loadu_ps(m, a + p * cs + i0) : _mm512_setzero_ps();
                    __m512 hi = p + 1 < kc ? _mm512_maskz_loadu_ps(m, a + (p + 1) * cs + i0) : _mm512_setzero_ps();
                    if (alpha != 1.0f) { lo = _mm512_mul_ps(al, lo); hi = _mm512_mul_ps(al, hi); }
                    _mm512_store_si512((void *)(stage + u * 16), interleave_pairs(lo, hi));
                }
                /* stage[u][r] → dst[(i0 + r)·stride + q0 + u] */
                for (long r = 0; r < 16; r += 4)
                    for (long u = 0; u < 16; u += 4)
                        transpose4(dst + (i0 + r) * stride + q0 + u, stride, stage + u * 16 + r, 16);
            }
        }
    } else {
        for (long i = 0; i < mc; i++) {
            for (long q = 0; q < stride; q++) {
                uint32_t word = 0;
                if (2 * q < kc) {
                    uint32_t lo = bf16_bits(alpha * a[i * rs + 2 * q * cs]);
                    uint32_t hi = 2 * q + 1 < kc ? bf16_bits(alpha * a[i * rs + (2 * q + 1) * cs]) : 0;
                    word = lo | (hi << 16);
                }
                dst[i * stride + q] = word;
            }
        }
    }
    if (rows > mc) memset(dst + mc * stride, 0, (size_t)((rows - mc) * stride) * sizeof(uint32_t));
}

void pk_amx_pack_b(long kc, long nc, const float *b, long rs, long cs, uint32_t *dst) {
    pk_bf16_pack_b_padded(kc, nc, b, rs, cs, pk_amx_padded_pairs(kc), dst);
}

/* Palette 1 with all eight tiles 16 rows × 64 bytes: tiles 0-3 hold a 32 × 32 block of C
 * (fp32), 4-5 two 16-row slices of A, 6-7 two 16-column slices of B (16 pairs each). */
typedef struct {
    uint8_t palette;
    uint8_t start_row;
    uint8_t reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} amx_config;

AMX static void configure_tiles(void) {
    amx_config config __attribute__((aligned(64)));
    memset(&config, 0, sizeof config);
    config.palette = 1;
    for (int t = 0; t < 8; t++) {
        config.colsb[t] = 64;
        config.rows[t] = 16;
    }
    _tile_loadconfig(&config);
}

/* One (16·R) × (16·N) block of C at `c` (row stride `ldc` bytes): tiles of C loaded from it
 * (`load`) or zeroed, then for each 16-pair step two slices of A (rows `as` bytes apart)
 * and N slices of B (rows `bs` bytes apart, the second 64 bytes after the first), R·N
 * `tdpbf16ps`, and the tiles stored back. */
#define AMX_BLOCK(NAME, R, N)                                                                       \
    AMX static void NAME(long steps, const uint32_t *a, long as, const uint32_t *b, long bs,      \
                         float *c, long ldc, int load) {                                          \
        const char *cc = (const char *)c;                                                         \
        if (load) {                                                                               \
            _tile_loadd(0, cc, ldc);                                                              \
            if (N > 1) _tile_loadd(1, cc + 64, ldc);                                              \
            if (R > 1) _tile_loadd(2, cc + 16 * ldc, ldc);                                        \
            if (R > 1 && N > 1) _tile_loadd(3, cc + 16 * ldc + 64, ldc);                          \
        } else {                                                                                  \
            _tile_zero(0);                                                                        \
            if (N > 1) _tile_zero(1);                                                             \
            if (R > 1) _tile_zero(2);                                                             \
            if (R > 1 && N > 1) _tile_zero(3);                                                    \
        }                                                                                         \
        const char *ac = (const char *)a, *bc = (const char *)b;                                  \
        for (long s = 0; s < steps; s++) {                                                        \
            _tile_loadd(4, ac + 64 * s, as);                                                      \
            _tile_loadd(6, bc + 16 * bs * s, bs);                                                 \
            _tile_dpbf16ps(0, 4, 6);                                                              \
            if (N > 1) {                                                                          \
                _tile_loadd(7, bc + 16 * bs * s + 64, bs);                                        \
                _tile_dpbf16ps(1, 4, 7);                                                          \
            }                                                                                     \
            if (R > 1) {                                                                          \
                _tile_loadd(5, ac + 16 * as + 64 * s, as);                                        \
                _tile_dpbf16ps(2, 5, 6);                                                          \
                if (N > 1) _tile_dpbf16ps(3, 5, 7);                                               \
            }                                                                                     \
        }                                                                                         \
        _tile_stored(0, cc, ldc);                                                                 \
        if (N > 1) _tile_stored(1, cc + 64, ldc);                                                 \
        if (R > 1) _tile_stored(2, cc + 16 * ldc, ldc);                                           \
        if (R > 1 && N > 1) _tile_stored(3, cc + 16 * ldc + 64, ldc);                             \
    }

AMX_BLOCK(block_2x2, 2, 2)
AMX_BLOCK(block_2x1, 2, 1)
AMX_BLOCK(block_1x2, 1, 2)
AMX_BLOCK(block_1x1, 1, 1)

AMX static void block(int r, int n, long steps, const uint32_t *a, long as, const uint32_t *b, long bs,
                      float *c, long ldc, int load) {
    if (r == 2) {
        if (n == 2) block_2x2(steps, a, as, b, bs, c, ldc, load);
        else block_2x1(steps, a, as, b, bs, c, ldc, load);
    } else {
        if (n == 2) block_1x2(steps, a, as, b, bs, c, ldc, load);
        else block_1x1(steps, a, as, b, bs, c, ldc, load);
    }
}

/* C ← packed A · packed B + β·C. A block whose rows or columns run past C is computed in
 * a 32 × 32 buffer holding the same starting values (C's, or zeros), so every element
 * gets the same operations whichever block it falls in, and so whatever the row blocks
 * the threads were given: the bits do not depend on the thread count. */
AMX void pk_amx_macro(long mc, long nc, long kc, const uint32_t *packed_a, const uint32_t *packed_b,
                      float *c, long ldc, float beta) {
    long stride = pk_amx_padded_pairs(kc);
    long steps = stride / PK_AMX_PAIRS;
    if (beta != 0.0f && beta != 1.0f) {
        for (long i = 0; i < mc; i++)
            for (long j = 0; j < nc; j++) c[i * ldc + j] *= beta;
    }
    int load = beta != 0.0f;
    float edge[32 * 32] __attribute__((aligned(64)));
    configure_tiles();
    const uint32_t *pb = packed_b;
    for (long j = 0; j < nc;) {
        long w = nc - j > 16 ? 32 : 16;
        long n_eff = nc - j < w ? nc - j : w;
        int n = (int)(w / 16);
        for (long i = 0; i < mc; i += 32) {
            long m_eff = mc - i < 32 ? mc - i : 32;
            int r = m_eff > 16 ? 2 : 1;
            const uint32_t *pa = packed_a + i * stride;
            float *ct = c + i * ldc + j;
            if (m_eff == 16 * r && n_eff == w) {
                block(r, n, steps, pa, stride * 4, pb, w * 4, ct, ldc * 4, load);
            } else {
                if (load) { /* C's values where C is, zeros past its edge (β == 0: the tiles start at zero) */
                    for (long y = 0; y < 16 * r; y++)
                        for (long x = 0; x < 16 * n; x++)
                            edge[y * 32 + x] = y < m_eff && x < n_eff ? ct[y * ldc + x] : 0.0f;
                }
                block(r, n, steps, pa, stride * 4, pb, w * 4, edge, 32 * 4, load);
                for (long y = 0; y < m_eff; y++)
                    for (long x = 0; x < n_eff; x++) ct[y * ldc + x] = edge[y * 32 + x];
            }
        }
        pb += w * stride;
        j += w;
    }
    _tile_release();
}

#else /* not x86-64: no AMX; callers see pk_cpu_has_amx_bf16() == 0. */

int pk_cpu_has_amx_bf16(void) { return 0; }

void pk_amx_pack_a(long mc, long kc, const float *a, long rs, long cs, float alpha, uint32_t *dst) {
    (void)mc; (void)kc; (void)a; (void)rs; (void)cs; (void)alpha; (void)dst;
    __builtin_trap();
}

void pk_amx_pack_b(long kc, long nc, const float *b, long rs, long cs, uint32_t *dst) {
    (void)kc; (void)nc; (void)b; (void)rs; (void)cs; (void)dst;
    __builtin_trap();
}

void pk_amx_macro(long mc, long nc, long kc, const uint32_t *packed_a, const uint32_t *packed_b,
                  float *c, long ldc, float beta) {
    (void)mc; (void)nc; (void)kc; (void)packed_a; (void)packed_b; (void)c; (void)ldc; (void)beta;
    __builtin_trap();
}
#endif
