#include "internal.h"

/* Portable micro-kernel for any mr ≤ 16, nr ≤ 32 (the scalar ISA uses 4 × 8). */
void pk_kernel_scalar(long kc, long mr, long nr, const float *a, const float *b,
                      float *c, long ldc, long m_eff, long n_eff, float beta) {
    float acc[16 * 32];
    for (long i = 0; i < mr * nr; i++) acc[i] = 0.0f;
    for (long p = 0; p < kc; p++) {
        const float *ap = a + p * mr;
        const float *bp = b + p * nr;
        for (long r = 0; r < mr; r++) {
            float av = ap[r];
            float *row = acc + r * nr;
            for (long j = 0; j < nr; j++) row[j] += av * bp[j];
        }
    }
    for (long r = 0; r < m_eff; r++) {
        float *cr = c + r * ldc;
        const float *row = acc + r * nr;
        if (beta == 0.0f) {
            for (long j = 0; j < n_eff; j++) cr[j] = row[j];
        } else if (beta == 1.0f) {
            for (long j = 0; j < n_eff; j++) cr[j] += row[j];
        } else {
            for (long j = 0; j < n_eff; j++) cr[j] = beta * cr[j] + row[j];
        }
    }
}

void pk_gemv_rowmajor_scalar(long k, long n, float alpha, const float *x, long incx,
                             const float *b, long ldb, float beta, float *c) {
    enum { CHUNK = 64 };
    float acc[CHUNK];
    for (long j0 = 0; j0 < n; j0 += CHUNK) {
        long w = n - j0 < CHUNK ? n - j0 : CHUNK;
        for (long j = 0; j < w; j++) acc[j] = 0.0f;
        for (long p = 0; p < k; p++) {
            float xv = x[p * incx];
            const float *row = b + p * ldb + j0;
            for (long j = 0; j < w; j++) acc[j] += xv * row[j];
        }
        float *cj = c + j0;
        for (long j = 0; j < w; j++)
            cj[j] = beta == 0.0f ? alpha * acc[j] : alpha * acc[j] + beta * cj[j];
    }
}

void pk_gemv_transposed_scalar(long k, long n, float alpha, const float *x,
                               const float *b, long ldb, float beta, float *c) {
    for (long j = 0; j < n; j++) {
        const float *row = b + j * ldb;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        long p = 0;
        for (; p + 4 <= k; p += 4) {
            s0 += x[p] * row[p];
            s1 += x[p + 1] * row[p + 1];
            s2 += x[p + 2] * row[p + 2];
            s3 += x[p + 3] * row[p + 3];
        }
        for (; p < k; p++) s0 += x[p] * row[p];
        float s = (s0 + s1) + (s2 + s3);
        c[j] = beta == 0.0f ? alpha * s : alpha * s + beta * c[j];
    }
}
