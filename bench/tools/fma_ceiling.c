// The FMA ceiling of one core, from registers only (no memory traffic): float32 GFLOP/s of
// independent 256-bit and 512-bit vfmadd231ps chains, timed in thread CPU time.
//
//   gcc -O2 bench/tools/fma_ceiling.c -o /tmp/fma_ceiling && /tmp/fma_ceiling
//
// A CPU without AVX-512 (Zen 1-3) gets the 256-bit figure alone, its ceiling.
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

__attribute__((target("avx512f,fma"))) static double gflops512(void) {
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

__attribute__((target("avx2,fma"))) static double gflops256(void) {
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
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
        puts("this CPU has no AVX2 + FMA");
        return 1;
    }
    for (int round = 0; round < 3; round++) {
        double narrow = gflops256();
        if (__builtin_cpu_supports("avx512f")) {
            double wide = gflops512();
            printf("512-bit %.1f GFLOP/s, 256-bit %.1f GFLOP/s, ratio %.2f\n", wide, narrow, wide / narrow);
        } else {
            printf("256-bit %.1f GFLOP/s (no AVX-512)\n", narrow);
        }
    }
    return 0;
}
