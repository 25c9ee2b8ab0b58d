#ifndef PK_BF16_PAIRS_H
#define PK_BF16_PAIRS_H
/* Helpers shared by the bf16 kernels (kernel_bf16.c: AVX512_BF16, kernel_amx.c: AMX):
 * rounding floats to bf16 and building pair words, the unit both kernels multiply. A pair
 * word holds bf16(x[2q]) in its low half and bf16(x[2q + 1]) in its high half. */
#include "CPerceptronKernels.h"
#include <stdint.h>
#include <string.h>

/* The bf16 bits of pk_bf16_round(x). */
static inline uint32_t bf16_bits(float x) {
    float r = pk_bf16_round(x);
    uint32_t bits;
    memcpy(&bits, &r, sizeof bits);
    return bits >> 16;
}

#if defined(__x86_64__)
#include <immintrin.h>

#define BF16 __attribute__((target("avx512f,avx512bw,avx512bf16,fma")))
#define INLINE_BF16 static inline __attribute__((always_inline, target("avx512f,avx512bw,avx512bf16,fma")))

INLINE_BF16 __mmask16 mask16(long n) {
    if (n >= 16) return (__mmask16)0xFFFF;
    if (n <= 0) return (__mmask16)0;
    return (__mmask16)((1u << n) - 1u);
}

/* 16 pair words from two fp32 vectors: word t = (bf16(lo[t]), bf16(hi[t])). */
INLINE_BF16 __m512i interleave_pairs(__m512 lo, __m512 hi) {
    const __m512i order = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                           23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    __m512i halves = (__m512i)_mm512_cvtne2ps_pbh(hi, lo); /* bf16 0..15 = lo, 16..31 = hi */
    return _mm512_permutexvar_epi16(order, halves);
}

/* 16 pair words from 32 consecutive floats: word t = (bf16(x[2t]), bf16(x[2t+1])). */
INLINE_BF16 __m512i consecutive_pairs(__m512 first, __m512 second) {
    return (__m512i)_mm512_cvtne2ps_pbh(second, first);
}

/* 4 × 4 transpose of 32-bit words: dst[c*ds + r] = src[r*ss + c]. */
INLINE_BF16 void transpose4(uint32_t *dst, long ds, const uint32_t *src, long ss) {
    __m128 x0 = _mm_castsi128_ps(_mm_loadu_si128((const __m128i *)(src)));
    __m128 x1 = _mm_castsi128_ps(_mm_loadu_si128((const __m128i *)(src + ss)));
    __m128 x2 = _mm_castsi128_ps(_mm_loadu_si128((const __m128i *)(src + 2 * ss)));
    __m128 x3 = _mm_castsi128_ps(_mm_loadu_si128((const __m128i *)(src + 3 * ss)));
    _MM_TRANSPOSE4_PS(x0, x1, x2, x3);
    _mm_storeu_si128((__m128i *)(dst), _mm_castps_si128(x0));
    _mm_storeu_si128((__m128i *)(dst + ds), _mm_castps_si128(x1));
    _mm_storeu_si128((__m128i *)(dst + 2 * ds), _mm_castps_si128(x2));
    _mm_storeu_si128((__m128i *)(dst + 3 * ds), _mm_castps_si128(x3));
}

#endif
#endif
