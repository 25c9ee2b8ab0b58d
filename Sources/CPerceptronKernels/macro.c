#include "internal.h"
#include <limits.h>

void pk_sgemm_macro(int isa, long mc, long nc, long kc, const float *packed_a,
                    const float *packed_b, float *c, long ldc, float beta) {
#if defined(__x86_64__)
    if (isa == PK_ISA_AVX512) {  /* packed panels hold α·A already: α = 1 on the sums */
        pk_sgemm_packed_a_avx512(mc, nc, kc, packed_a, 1.0f, packed_b, c, ldc, beta);
        return;
    }
#endif
    long mr = pk_sgemm_mr(isa);
    long nr = pk_sgemm_nr(isa);
    const float *pb = packed_b;
    for (long j = 0; j < nc;) {
        long w = pk_panel_width(nr, nc - j);
        long n_eff = nc - j < w ? nc - j : w;
        const float *pa = packed_a;
        for (long i = 0; i < mc; i += mr) {
            long m_eff = mc - i < mr ? mc - i : mr;
            float *ct = c + i * ldc + j;
            switch (isa) {
#if defined(__x86_64__)
            case PK_ISA_AVX2:
                if (w == nr) pk_kernel_avx2_6x16(kc, pa, pb, ct, ldc, m_eff, n_eff, beta);
                else pk_kernel_avx2_6x8(kc, pa, pb, ct, ldc, m_eff, n_eff, beta);
                break;
#endif
            default:
                pk_kernel_scalar(kc, mr, w, pa, pb, ct, ldc, m_eff, n_eff, beta);
                break;
            }
            pa += mr * kc;
        }
        pb += w * kc;
        j += w;
    }
}

long pk_sgemm_direct_a_max_n(int isa) {
#if defined(__x86_64__)
    if (isa == PK_ISA_AVX512) return LONG_MAX;
#endif
    (void)isa;
    return 0;
}

void pk_sgemm_direct_a(int isa, long m, long n, long kc, const float *a, long rs, long cs,
                       float alpha, const float *packed_b, float *c, long ldc, float beta,
                       float *edge) {
#if defined(__x86_64__)
    if (isa == PK_ISA_AVX512) {
        pk_sgemm_direct_a_avx512(m, n, kc, a, rs, cs, alpha, packed_b, c, ldc, beta, edge);
        return;
    }
    if (isa == PK_ISA_AVX2) {
        pk_sgemm_direct_a_avx2(m, n, kc, a, rs, cs, alpha, packed_b, c, ldc, beta, edge);
        return;
    }
#endif
    (void)isa; (void)m; (void)n; (void)kc; (void)a; (void)rs; (void)cs; (void)alpha;
    (void)packed_b; (void)c; (void)ldc; (void)beta; (void)edge;
    __builtin_trap(); /* callers check pk_sgemm_direct_a_max_n or pk_sgemm_swapped_supported first */
}

int pk_sgemm_packed_a_supported(int isa) {
#if defined(__x86_64__)
    return isa == PK_ISA_AVX512;
#else
    (void)isa;
    return 0;
#endif
}

void pk_sgemm_packed_a(int isa, long m, long n, long kc, const float *packed_a, float alpha,
                       const float *packed_b, float *c, long ldc, float beta) {
#if defined(__x86_64__)
    if (isa == PK_ISA_AVX512) {
        pk_sgemm_packed_a_avx512(m, n, kc, packed_a, alpha, packed_b, c, ldc, beta);
        return;
    }
#endif
    (void)isa; (void)m; (void)n; (void)kc; (void)packed_a; (void)alpha; (void)packed_b;
    (void)c; (void)ldc; (void)beta;
    __builtin_trap(); /* callers check pk_sgemm_packed_a_supported first */
}

void pk_sgemv_rowmajor(int isa, long k, long n, float alpha, const float *x, long incx,
                       const float *b, long ldb, float beta, float *c, long kc_step) {
#if defined(__x86_64__)
    if (isa == PK_ISA_AVX512) {
        pk_gemv_rowmajor_avx512(k, n, alpha, x, incx, b, ldb, beta, c);
        return;
    }
    if (isa == PK_ISA_AVX2) {
        pk_gemv_rowmajor_avx2(k, n, alpha, x, incx, b, ldb, beta, c, kc_step);
        return;
    }
#endif
    (void)isa; (void)kc_step;
    pk_gemv_rowmajor_scalar(k, n, alpha, x, incx, b, ldb, beta, c);
}

void pk_sgemv_transposed(int isa, long k, long n, float alpha, const float *x,
                         const float *b, long ldb, float beta, float *c) {
#if defined(__x86_64__)
    if (isa == PK_ISA_AVX512) {
        pk_gemv_transposed_avx512(k, n, alpha, x, b, ldb, beta, c);
        return;
    }
    if (isa == PK_ISA_AVX2) {
        pk_gemv_transposed_avx2(k, n, alpha, x, b, ldb, beta, c);
        return;
    }
#endif
    (void)isa;
    pk_gemv_transposed_scalar(k, n, alpha, x, b, ldb, beta, c);
}
