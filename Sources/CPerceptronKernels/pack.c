#include "internal.h"

long pk_sgemm_packed_a_size(int isa, long mc, long kc) {
    long mr = pk_sgemm_mr(isa);
    return (mc + mr - 1) / mr * mr * kc;
}

long pk_sgemm_packed_b_size(int isa, long kc, long nc) {
    long nr = pk_sgemm_nr(isa);
    long total = 0;
    for (long j = 0; j < nc;) {
        long w = pk_panel_width(nr, nc - j);
        total += w * kc;
        j += w;
    }
    return total;
}

/* One MR-row panel: dst[p*mr + r] = α·A(r, p), zero for r ≥ rows. */
static void pack_a_panel(long mr, long rows, long kc, const float *a, long rs, long cs,
                         float alpha, float *dst) {
    if (cs == 1) {
        /* Rows of A are contiguous: read each row once, write with stride mr. */
        for (long r = 0; r < rows; r++) {
            const float *src = a + r * rs;
            float *d = dst + r;
            for (long p = 0; p < kc; p++) d[p * mr] = alpha * src[p];
        }
        for (long r = rows; r < mr; r++) {
            float *d = dst + r;
            for (long p = 0; p < kc; p++) d[p * mr] = 0.0f;
        }
    } else if (rs == 1 && rows == mr) {
        /* Columns of A are contiguous (A transposed): a straight copy per p. */
        for (long p = 0; p < kc; p++) {
            const float *src = a + p * cs;
            float *d = dst + p * mr;
            for (long r = 0; r < mr; r++) d[r] = alpha * src[r];
        }
    } else {
        for (long p = 0; p < kc; p++) {
            float *d = dst + p * mr;
            long r = 0;
            for (; r < rows; r++) d[r] = alpha * a[r * rs + p * cs];
            for (; r < mr; r++) d[r] = 0.0f;
        }
    }
}

void pk_sgemm_pack_a(int isa, long mc, long kc, const float *a, long rs, long cs,
                     float alpha, float *dst) {
    long mr = pk_sgemm_mr(isa);
    for (long i = 0; i < mc; i += mr) {
        long rows = mc - i < mr ? mc - i : mr;
        pack_a_panel(mr, rows, kc, a + i * rs, rs, cs, alpha, dst);
        dst += mr * kc;
    }
}

/* One panel of width w: dst[p*w + j] = B(p, j), zero for j ≥ cols. */
static void pack_b_panel(long w, long cols, long kc, const float *b, long rs, long cs, float *dst) {
    if (cs == 1) {
        for (long p = 0; p < kc; p++) {
            const float *src = b + p * rs;
            float *d = dst + p * w;
            long j = 0;
            for (; j < cols; j++) d[j] = src[j];
            for (; j < w; j++) d[j] = 0.0f;
        }
    } else if (rs == 1) {
        /* B transposed: columns of op(B) are contiguous rows in memory. */
        for (long j = 0; j < cols; j++) {
            const float *src = b + j * cs;
            float *d = dst + j;
            for (long p = 0; p < kc; p++) d[p * w] = src[p];
        }
        for (long j = cols; j < w; j++) {
            float *d = dst + j;
            for (long p = 0; p < kc; p++) d[p * w] = 0.0f;
        }
    } else {
        for (long p = 0; p < kc; p++) {
            float *d = dst + p * w;
            long j = 0;
            for (; j < cols; j++) d[j] = b[p * rs + j * cs];
            for (; j < w; j++) d[j] = 0.0f;
        }
    }
}

void pk_sgemm_pack_b(int isa, long kc, long nc, const float *b, long rs, long cs, float *dst) {
    long nr = pk_sgemm_nr(isa);
    for (long j = 0; j < nc;) {
        long w = pk_panel_width(nr, nc - j);
        long cols = nc - j < w ? nc - j : w;
        pack_b_panel(w, cols, kc, b + j * cs, rs, cs, dst);
        dst += w * kc;
        j += w;
    }
}
