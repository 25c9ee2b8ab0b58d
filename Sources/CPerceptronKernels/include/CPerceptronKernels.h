#ifndef C_PERCEPTRON_KERNELS_H
#define C_PERCEPTRON_KERNELS_H
/* Placeholder: GEMM micro-kernels land here. */
int pk_cpu_has_avx512(void);
#endif
