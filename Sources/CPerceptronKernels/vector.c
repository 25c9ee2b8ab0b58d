#include "PerceptronVectorKernels.h"
#include "internal.h"
#include <math.h>
#include <stddef.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

static inline void adam_scalar(long i0, long n, float *restrict theta, const float *restrict g, float *restrict m,
                               float *restrict v, float *restrict v_max, const pk_adam_params *h) {
    for (long i = i0; i < n; i++) {
        float gi = g[i] + h->coupled_decay * theta[i];
        float t = theta[i] * h->shrink;
        float mi = h->beta1 * m[i] + (1 - h->beta1) * gi;
        float vi = h->beta2 * v[i] + (1 - h->beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        float second = vi;
        if (v_max) {
            second = v_max[i] > vi ? v_max[i] : vi;
            v_max[i] = second;
        }
        theta[i] = t - h->step_size * mi / (sqrtf(second) * h->inv_root_bc2 + h->epsilon);
    }
}

#if defined(__x86_64__)
/* Eight lanes of Adam, the operations of adam_scalar's formula in the same order (with
 * FMAs where written), so each lane's bits do not depend on the vector width. */
__attribute__((target("avx2,fma")))
static inline void adam_lanes8(long i, float *restrict theta, const float *restrict g, float *restrict m,
                               float *restrict v, float *restrict v_max, const pk_adam_params *h) {
    const __m256 b1 = _mm256_set1_ps(h->beta1), c1 = _mm256_set1_ps(1 - h->beta1);
    const __m256 b2 = _mm256_set1_ps(h->beta2), c2 = _mm256_set1_ps(1 - h->beta2);
    const __m256 step = _mm256_set1_ps(h->step_size), irb = _mm256_set1_ps(h->inv_root_bc2);
    const __m256 eps = _mm256_set1_ps(h->epsilon), decay = _mm256_set1_ps(h->coupled_decay);
    __m256 t = _mm256_loadu_ps(theta + i);
    __m256 gi = _mm256_fmadd_ps(decay, t, _mm256_loadu_ps(g + i));
    t = _mm256_mul_ps(t, _mm256_set1_ps(h->shrink));
    __m256 mi = _mm256_fmadd_ps(b1, _mm256_loadu_ps(m + i), _mm256_mul_ps(c1, gi));
    __m256 vi = _mm256_fmadd_ps(b2, _mm256_loadu_ps(v + i), _mm256_mul_ps(c2, _mm256_mul_ps(gi, gi)));
    _mm256_storeu_ps(m + i, mi);
    _mm256_storeu_ps(v + i, vi);
    __m256 second = vi;
    if (v_max) {
        second = _mm256_max_ps(_mm256_loadu_ps(v_max + i), vi);
        _mm256_storeu_ps(v_max + i, second);
    }
    __m256 denom = _mm256_fmadd_ps(_mm256_sqrt_ps(second), irb, eps);
    t = _mm256_sub_ps(t, _mm256_div_ps(_mm256_mul_ps(step, mi), denom));
    _mm256_storeu_ps(theta + i, t);
}

/* Adam in 256-bit vectors, 16 elements (two halves) per step and the last n mod 16 by
 * adam_scalar, as the 512-bit loop this replaces split them (same bits). On Zen 4 the
 * 512-bit sqrt and divide are split into halves that issue more slowly than two 256-bit
 * ones: the update of 535 k parameters took 0.30 instead of 0.37 ns per element. */
__attribute__((target("avx2,fma")))
static void adam_avx2(long n, float *restrict theta, const float *restrict g, float *restrict m,
                      float *restrict v, float *restrict v_max, const pk_adam_params *h) {
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        adam_lanes8(i, theta, g, m, v, v_max, h);
        adam_lanes8(i + 8, theta, g, m, v, v_max, h);
    }
    adam_scalar(i, n, theta, g, m, v, v_max, h);
}

__attribute__((target("avx512f")))
static double sum_squares_avx512(long n, const float *restrict x) {
    __m512d a0 = _mm512_setzero_pd(), a1 = _mm512_setzero_pd();
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i);
        __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
        __m512d hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
        a0 = _mm512_fmadd_pd(lo, lo, a0);
        a1 = _mm512_fmadd_pd(hi, hi, a1);
    }
    double total = _mm512_reduce_add_pd(_mm512_add_pd(a0, a1));
    for (; i < n; i++) total += (double)x[i] * (double)x[i];
    return total;
}

/* all_finite in 512-bit vectors, as all_finite_avx2 below: four sums of x·0, so the loop
 * is not bound by one chain of adds (4 cycles each). On Intel Granite Rapids, one sum read
 * a buffer in L1 or L2 at 54-66 GB/s, four at 119-162; from L3 both at 30 (where most of
 * a batch-32 step's 1.9 MB of gradients comes from: 4.9 → 4.6 % of workload 2). */
__attribute__((target("avx512f")))
static int all_finite_avx512(long n, const float *restrict x) {
    const __m512 zero = _mm512_setzero_ps();
    __m512 a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    long i = 0;
    for (; i + 64 <= n; i += 64) {
        a0 = _mm512_add_ps(a0, _mm512_mul_ps(_mm512_loadu_ps(x + i), zero));
        a1 = _mm512_add_ps(a1, _mm512_mul_ps(_mm512_loadu_ps(x + i + 16), zero));
        a2 = _mm512_add_ps(a2, _mm512_mul_ps(_mm512_loadu_ps(x + i + 32), zero));
        a3 = _mm512_add_ps(a3, _mm512_mul_ps(_mm512_loadu_ps(x + i + 48), zero));
    }
    for (; i + 16 <= n; i += 16) a0 = _mm512_add_ps(a0, _mm512_mul_ps(_mm512_loadu_ps(x + i), zero));
    float tail = 0;
    for (; i < n; i++) tail += x[i] * 0.0f;
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3))) + tail == 0.0f;
}

__attribute__((target("avx512f")))
static void relu_backward_avx512(long n, const float *restrict g, const float *restrict z, float *restrict out) {
    long i = 0;
    const __m512 zero = _mm512_setzero_ps();
    for (; i + 16 <= n; i += 16) {
        __mmask16 positive = _mm512_cmp_ps_mask(_mm512_loadu_ps(z + i), zero, _CMP_GT_OQ);
        _mm512_storeu_ps(out + i, _mm512_maskz_mov_ps(positive, _mm512_loadu_ps(g + i)));
    }
    for (; i < n; i++) out[i] = z[i] > 0 ? g[i] : 0;
}
/* all_finite in 256-bit vectors: x·0 is 0 for a finite x and NaN otherwise, so the sum is
 * 0 exactly when every x is finite, in whatever order it is added (four sums here, for
 * the add latency); the answer is the scalar loop's. */
__attribute__((target("avx2")))
static int all_finite_avx2(long n, const float *restrict x) {
    const __m256 zero = _mm256_setzero_ps();
    __m256 a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    long i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm256_add_ps(a0, _mm256_mul_ps(_mm256_loadu_ps(x + i), zero));
        a1 = _mm256_add_ps(a1, _mm256_mul_ps(_mm256_loadu_ps(x + i + 8), zero));
        a2 = _mm256_add_ps(a2, _mm256_mul_ps(_mm256_loadu_ps(x + i + 16), zero));
        a3 = _mm256_add_ps(a3, _mm256_mul_ps(_mm256_loadu_ps(x + i + 24), zero));
    }
    for (; i + 8 <= n; i += 8) a0 = _mm256_add_ps(a0, _mm256_mul_ps(_mm256_loadu_ps(x + i), zero));
    __m256 acc = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
    float lanes[8];
    _mm256_storeu_ps(lanes, acc);
    float total = 0;
    for (int l = 0; l < 8; l++) total += lanes[l];
    for (; i < n; i++) total += x[i] * 0.0f;
    return total == 0.0f;
}

/* relu_backward in 256-bit vectors: the lanes where z > 0 keep g, the others are +0
 * (the scalar loop's values, NaN z included). */
__attribute__((target("avx2")))
static void relu_backward_avx2(long n, const float *restrict g, const float *restrict z, float *restrict out) {
    long i = 0;
    const __m256 zero = _mm256_setzero_ps();
    for (; i + 8 <= n; i += 8) {
        __m256 positive = _mm256_cmp_ps(_mm256_loadu_ps(z + i), zero, _CMP_GT_OQ);
        _mm256_storeu_ps(out + i, _mm256_and_ps(positive, _mm256_loadu_ps(g + i)));
    }
    for (; i < n; i++) out[i] = z[i] > 0 ? g[i] : 0;
}
#endif

void pk_adam_update(long n, float *theta, const float *g, float *m, float *v, float *v_max,
                    const pk_adam_params *h) {
#if defined(__x86_64__)
    /* Flush-to-zero and denormals-are-zero for the update (MXCSR bits 15 and 6, restored
     * after): a confident softmax leaves gradients of ~1e-20, whose squares in v and whose
     * steps are denormal, and an Intel core takes a microcode assist of ~100 cycles for
     * each denormal result. On Intel Granite Rapids this update was 52 % of workload 2
     * (batch 32) at 1.8 ns per parameter, against 0.36 ns on normal numbers. Values below
     * 2⁻¹²⁶ (1.2·10⁻³⁸) count as zero here, as in XLA's CPU code. */
    unsigned int saved = _mm_getcsr();
    _mm_setcsr(saved | 0x8040u);
    if (pk_sgemm_isa_supported(PK_ISA_AVX2)) adam_avx2(n, theta, g, m, v, v_max, h);
    else adam_scalar(0, n, theta, g, m, v, v_max, h);
    _mm_setcsr(saved);
#else
    adam_scalar(0, n, theta, g, m, v, v_max, h);
#endif
}

double pk_sum_squares(long n, const float *x) {
#if defined(__x86_64__)
    if (pk_cpu_has_avx512()) return sum_squares_avx512(n, x);
#endif
    double total = 0;
    for (long i = 0; i < n; i++) total += (double)x[i] * (double)x[i];
    return total;
}

int pk_all_finite(long n, const float *x) {
#if defined(__x86_64__)
    if (pk_cpu_has_avx512()) return all_finite_avx512(n, x);
    if (pk_sgemm_isa_supported(PK_ISA_AVX2)) return all_finite_avx2(n, x);
#endif
    float acc = 0;
    for (long i = 0; i < n; i++) acc += x[i] * 0.0f;
    return acc == 0.0f;
}

void pk_relu_backward(long n, const float *g, const float *z, float *out) {
#if defined(__x86_64__)
    if (pk_cpu_has_avx512()) {
        relu_backward_avx512(n, g, z, out);
        return;
    }
    if (pk_sgemm_isa_supported(PK_ISA_AVX2)) {
        relu_backward_avx2(n, g, z, out);
        return;
    }
#endif
    for (long i = 0; i < n; i++) out[i] = z[i] > 0 ? g[i] : 0;
}

/* Plain loops over restrict pointers: the compiler vectorizes them for the baseline ISA. */
void pk_add_row_vector(long rows, long cols, float *restrict z, const float *restrict b) {
    for (long i = 0; i < rows; i++) {
        float *restrict row = z + i * cols;
        for (long j = 0; j < cols; j++) row[j] += b[j];
    }
}

void pk_sum_columns(long rows, long cols, const float *restrict x, float *restrict s) {
    pk_sum_columns_ld(rows, cols, cols, x, s);
}

#if defined(__x86_64__)
/* pk_sum_columns_ld in 512-bit vectors: 64 columns' sums held in registers down all the
 * rows, then the next 64 (a masked last group), so s is written once instead of read and
 * written per row. Each column is still summed row by row in order: the same bits. */
__attribute__((target("avx512f")))
static void sum_columns_avx512(long rows, long cols, long ld, const float *restrict x, float *restrict s) {
    for (long j = 0; j < cols; j += 64) {
        __mmask16 masks[4];
        for (int v = 0; v < 4; v++) masks[v] = pk_lane_mask16(cols - j - 16 * v);
        __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
        __m512 acc2 = _mm512_setzero_ps(), acc3 = _mm512_setzero_ps();
        const float *row = x + j;
        for (long i = 0; i < rows; i++, row += ld) {
            acc0 = _mm512_add_ps(acc0, _mm512_maskz_loadu_ps(masks[0], row));
            acc1 = _mm512_add_ps(acc1, _mm512_maskz_loadu_ps(masks[1], row + 16));
            acc2 = _mm512_add_ps(acc2, _mm512_maskz_loadu_ps(masks[2], row + 32));
            acc3 = _mm512_add_ps(acc3, _mm512_maskz_loadu_ps(masks[3], row + 48));
        }
        _mm512_mask_storeu_ps(s + j, masks[0], acc0);
        _mm512_mask_storeu_ps(s + j + 16, masks[1], acc1);
        _mm512_mask_storeu_ps(s + j + 32, masks[2], acc2);
        _mm512_mask_storeu_ps(s + j + 48, masks[3], acc3);
    }
}
#endif

void pk_sum_columns_ld(long rows, long cols, long ld, const float *restrict x, float *restrict s) {
#if defined(__x86_64__)
    if (pk_cpu_has_avx512()) {
        sum_columns_avx512(rows, cols, ld, x, s);
        return;
    }
#endif
    for (long j = 0; j < cols; j++) s[j] = 0;
    for (long i = 0; i < rows; i++) {
        const float *restrict row = x + i * ld;
        for (long j = 0; j < cols; j++) s[j] += row[j];
    }
}

void pk_relu(long n, const float *z, float *a) {
    /* No restrict: a may alias z. The loop still vectorizes (each element read, then written). */
    for (long i = 0; i < n; i++) a[i] = z[i] > 0 ? z[i] : 0;
}

#if defined(__x86_64__)
/* pk_bias_activate in 512-bit vectors, one pass per row (the loops below make two and
 * compile for SSE): z + b stored, and max(z + b, 0) where ReLU is asked (into z itself
 * when there is no a). vmaxps returns its second operand when either is NaN or both are
 * zero, so max(z, +0) is the loop's `z > 0 ? z : 0` bit for bit (NaN → +0, −0 → +0). */
__attribute__((target("avx512f")))
static void bias_activate_avx512(long rows, long cols, float *restrict z, long ldz, const float *restrict b,
                                 float *restrict a, long lda, int relu) {
    const __m512 zero = _mm512_setzero_ps();
    for (long i = 0; i < rows; i++) {
        float *restrict zr = z + i * ldz;
        float *restrict ar = a ? a + i * lda : 0;
        for (long j = 0; j < cols; j += 16) {
            __mmask16 mask = pk_lane_mask16(cols - j);
            __m512 v = _mm512_maskz_loadu_ps(mask, zr + j);
            if (b) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, b + j));
            if (ar) {
                if (b) _mm512_mask_storeu_ps(zr + j, mask, v);
                _mm512_mask_storeu_ps(ar + j, mask, relu ? _mm512_max_ps(v, zero) : v);
            } else if (relu) {
                _mm512_mask_storeu_ps(zr + j, mask, _mm512_max_ps(v, zero));
            } else if (b) {
                _mm512_mask_storeu_ps(zr + j, mask, v);
            }
        }
    }
}
#endif

void pk_bias_activate(long rows, long cols, float *restrict z, long ldz, const float *restrict b,
                      float *restrict a, long lda, int relu) {
#if defined(__x86_64__)
    if (pk_cpu_has_avx512()) {
        bias_activate_avx512(rows, cols, z, ldz, b, a, lda, relu);
        return;
    }
#endif
    for (long i = 0; i < rows; i++) {
        float *restrict zr = z + i * ldz;
        if (b)
            for (long j = 0; j < cols; j++) zr[j] += b[j];
        if (!a) {
            if (relu)
                for (long j = 0; j < cols; j++) zr[j] = zr[j] > 0 ? zr[j] : 0;
            continue;
        }
        float *restrict ar = a + i * lda;
        if (relu)
            for (long j = 0; j < cols; j++) ar[j] = zr[j] > 0 ? zr[j] : 0;
        else
            for (long j = 0; j < cols; j++) ar[j] = zr[j];
    }
}
