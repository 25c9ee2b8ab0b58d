// The FMA ceiling of one core, from registers only (no memory traffic): float32 GFLOP/s of
// independent 256-bit and 512-bit vfmadd231ps chains, timed in thread CPU time.
//
//   gcc -O2 -mavx512f -mfma bench/tools/fma_ceiling.c -o /tmp/fma_ceiling && /tmp/fma_ceiling
//
// Twelve independent accumulators (kept in registers by the unrolled loop) cover the FMA latency (4 cycles) times two pipes. If the
// 512-bit rate equals the 256-bit rate, the core runs 512-bit FMAs as two 256-bit halves
// (Zen 4, "double-pumped"); if it is about twice, it has full-width 512-bit FMA units (Zen 5
// server parts, Intel Xeon with two FMA ports). No GEMM can beat the 512-bit figure, so it is
// the yardstick for "percent of peak" in BENCHMARKS.md.
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

#define CHAINS 12
#define ITERATIONS 200000000L

static double gflops512(void) {
    __m512 acc[CHAINS], b = _mm512_set1_ps(1.0000001f), c = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_set1_ps((float)i);
    double start = seconds();
    for (long n = 0; n < ITERATIONS; n++)
#pragma GCC unroll 12
        for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_fmadd_ps(acc[i], b, c);
    double elapsed = seconds() - start;
    float sink = 0;
    for (int i = 0; i < CHAINS; i++) sink += _mm512_reduce_add_ps(acc[i]);
    if (sink == 42.0f) puts("");  // keeps the chains alive
    return ITERATIONS * (double)CHAINS * 2 * 16 / elapsed / 1e9;
}

static double gflops256(void) {
    __m256 acc[CHAINS], b = _mm256_set1_ps(1.0000001f), c = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_set1_ps((float)i);
    double start = seconds();
    for (long n = 0; n < ITERATIONS; n++)
#pragma GCC unroll 12
        for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_fmadd_ps(acc[i], b, c);
    double elapsed = seconds() - start;
    float lanes[8], sink = 0;
    for (int i = 0; i < CHAINS; i++) { _mm256_storeu_ps(lanes, acc[i]); sink += lanes[0]; }
    if (sink == 42.0f) puts("");
    return ITERATIONS * (double)CHAINS * 2 * 8 / elapsed / 1e9;
}

int main(void) {
    for (int round = 0; round < 3; round++) {
        double wide = gflops512(), narrow = gflops256();
        printf("512-bit %.1f GFLOP/s, 256-bit %.1f GFLOP/s, ratio %.2f\n", wide, narrow, wide / narrow);
    }
    return 0;
}
