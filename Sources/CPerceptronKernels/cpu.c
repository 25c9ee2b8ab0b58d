#include "internal.h"

int pk_cpu_has_avx512(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

static int pk_cpu_has_avx2(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

int pk_sgemm_isa_supported(int isa) {
    switch (isa) {
    case PK_ISA_SCALAR: return 1;
    case PK_ISA_AVX2: return pk_cpu_has_avx2();
    case PK_ISA_AVX512: return pk_cpu_has_avx512();
    default: return 0;
    }
}

int pk_sgemm_best_isa(void) {
    if (pk_cpu_has_avx512()) return PK_ISA_AVX512;
    if (pk_cpu_has_avx2()) return PK_ISA_AVX2;
    return PK_ISA_SCALAR;
}

long pk_sgemm_mr(int isa) {
    switch (isa) {
    case PK_ISA_AVX512: return 12;
    case PK_ISA_AVX2: return 6;
    default: return 4;
    }
}

long pk_sgemm_nr(int isa) {
    switch (isa) {
    case PK_ISA_AVX512: return 32;
    case PK_ISA_AVX2: return 16;
    default: return 8;
    }
}
