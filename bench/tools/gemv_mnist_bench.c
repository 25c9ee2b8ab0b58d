/* One MNIST test image at a time through 784-512-128-64-10 (random weights, ReLU between),
 * with the row kernels alone (pk_sgemv_rowmajor), per instruction set the CPU runs:
 * µs per image, best of 7 passes over 1,000 real test images (thread CPU time). Measures
 * how much of W the kernels skip where an image is background.
 *
 *   clang -O2 -ISources/CPerceptronKernels/include -ISources/CPerceptronKernels \
 *       Sources/CPerceptronKernels/*.c bench/tools/gemv_mnist_bench.c -lz -lm -o /tmp/gemv_mnist
 *   /tmp/gemv_mnist ../shared/data/mnist/t10k-images-idx3-ubyte.gz
 */
#include "CPerceptronKernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zlib.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s t10k-images-idx3-ubyte.gz\n", argv[0]); return 2; }
    enum { IMAGES = 1000, PIXELS = 784 };
    static unsigned char raw[16 + IMAGES * PIXELS];
    gzFile file = gzopen(argv[1], "rb");
    if (!file || gzread(file, raw, sizeof raw) != (int)sizeof raw) { fprintf(stderr, "cannot read %s\n", argv[1]); return 1; }
    gzclose(file);
    const long sizes[5] = {784, 512, 128, 64, 10};
    float *w[4];
    srand(1);
    for (int l = 0; l < 4; l++) {
        w[l] = malloc(sizeof(float) * sizes[l] * sizes[l + 1]);
        for (long i = 0; i < sizes[l] * sizes[l + 1]; i++) w[l][i] = ((rand() % 2000) - 1000) / 1000.0f * 0.05f;
    }
    float x[784], h1[512], h2[128], h3[64], out[10];
    float *h[5] = {x, h1, h2, h3, out};
    int isas[2] = {PK_ISA_AVX2, PK_ISA_AVX512};
    for (int s = 0; s < 2; s++) {
        if (!pk_sgemm_isa_supported(isas[s])) continue;
        double best = 1e9;
        for (int pass = 0; pass < 7; pass++) {
            double start = now();
            for (int image = 0; image < IMAGES; image++) {
                for (int i = 0; i < PIXELS; i++) x[i] = raw[16 + image * PIXELS + i] / 255.0f;
                for (int l = 0; l < 4; l++) {
                    pk_sgemv_rowmajor(isas[s], sizes[l], sizes[l + 1], 1.0f, h[l], 1, w[l], sizes[l + 1], 0.0f, h[l + 1], sizes[l]);
                    if (l < 3) for (long j = 0; j < sizes[l + 1]; j++) if (h[l + 1][j] < 0) h[l + 1][j] = 0;
                }
            }
            double t = (now() - start) / IMAGES * 1e6;
            if (t < best) best = t;
        }
        printf("%s\t%.2f us per image\tout[0] %.9g\n", isas[s] == PK_ISA_AVX2 ? "avx2" : "avx512", best, out[0]);
    }
    return 0;
}
