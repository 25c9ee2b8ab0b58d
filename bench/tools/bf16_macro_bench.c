/* bf16 vs fp32 macro-kernel throughput on pre-packed operands (no packing, no threads), and
 * the packing rates, on one core, timed by the thread's CPU clock so other processes on a
 * shared machine count less. Not part of the build or the tests.
 *
 *   cd Sources/CPerceptronKernels && clang -O2 -Iinclude -I. ../../bench/tools/bf16_macro_bench.c *.c -lm -o /tmp/bf16_macro_bench
 *   /tmp/bf16_macro_bench M N K REPS        # e.g. 120 512 392 200: one MC×NC×KC block of workload 1's first layer
 *
 * Prints, for 3 alternating rounds: GFLOP/s of pk_bf16_macro and pk_sgemm_macro (AVX-512) on
 * the same M×N×K block, of pk_bf16_macro_zero_steps on it (dense: what its look for zero steps
 * costs), and GB/s (fp32 source bytes) of packing A row-major and transposed. */
#include "CPerceptronKernels.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s M N K REPS\n", argv[0]); return 2; }
    if (!pk_cpu_has_avx512_bf16()) { fprintf(stderr, "this CPU lacks AVX512_BF16\n"); return 1; }
    long m = atol(argv[1]), n = atol(argv[2]), k = atol(argv[3]);
    int reps = atoi(argv[4]);
    float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n), *c = malloc(sizeof(float) * m * n);
    for (long i = 0; i < m * k; i++) a[i] = (float)(i % 17) * 0.1f - 0.8f;
    for (long i = 0; i < k * n; i++) b[i] = (float)(i % 13) * 0.1f - 0.6f;
    uint32_t *pa = aligned_alloc(64, 4 * (pk_bf16_packed_a_size(m, k) + 64));
    uint32_t *pb = aligned_alloc(64, 4 * (pk_bf16_packed_b_size(k, n) + 64));
    float *fa = aligned_alloc(64, 4 * (pk_sgemm_packed_a_size(PK_ISA_AVX512, m, k) + 64));
    float *fb = aligned_alloc(64, 4 * (pk_sgemm_packed_b_size(PK_ISA_AVX512, k, n) + 64));
    pk_bf16_pack_a(m, k, a, k, 1, 1, pa);
    pk_bf16_pack_b(k, n, b, n, 1, pb);
    pk_sgemm_pack_a(PK_ISA_AVX512, m, k, a, k, 1, 1, fa);
    pk_sgemm_pack_b(PK_ISA_AVX512, k, n, b, n, 1, fb);
    int *steps = malloc(sizeof(int) * pk_bf16_zero_steps_scratch_size(m, k));
    for (int round = 0; round < 3; round++) {
        double t0 = cpu_seconds();
        for (int r = 0; r < reps; r++) pk_bf16_macro(m, n, k, pa, pb, c, n, 0);
        double t1 = cpu_seconds();
        for (int r = 0; r < reps; r++) pk_sgemm_macro(PK_ISA_AVX512, m, n, k, fa, fb, c, n, 0);
        double t2 = cpu_seconds();
        for (int r = 0; r < reps; r++) pk_bf16_pack_a(m, k, a, k, 1, 1, pa);
        double t3 = cpu_seconds();
        for (int r = 0; r < reps; r++) pk_sgemm_pack_a(PK_ISA_AVX512, m, k, a, k, 1, 1, fa);
        double t4 = cpu_seconds();
        for (int r = 0; r < reps; r++) pk_bf16_pack_a(m, k, a, 1, m, 1, pa);
        double t5 = cpu_seconds();
        for (int r = 0; r < reps; r++) pk_sgemm_pack_a(PK_ISA_AVX512, m, k, a, 1, m, 1, fa);
        double t6 = cpu_seconds();
        for (int r = 0; r < reps; r++) pk_bf16_macro_zero_steps(m, n, k, pa, pb, c, n, 0, steps);
        double t7 = cpu_seconds();
        double gflop = 2.0 * m * n * k * reps / 1e9, gb = 4.0 * m * k * reps / 1e9;
        printf("macro GFLOP/s bf16 %.1f fp32 %.1f (%.2fx) bf16 zero-steps %.1f | pack A row-major GB/s bf16 %.1f fp32 %.1f"
               " | pack A transposed GB/s bf16 %.1f fp32 %.1f\n",
               gflop / (t1 - t0), gflop / (t2 - t1), (t2 - t1) / (t1 - t0), gflop / (t7 - t6), gb / (t3 - t2), gb / (t4 - t3),
               gb / (t5 - t4), gb / (t6 - t5));
    }
    return 0;
}
