#include "internal.h"

#if defined(__x86_64__)
#include <cpuid.h>

/* Walks a deterministic cache-parameters leaf (4 on Intel, 0x8000001D on AMD): each
 * sub-leaf describes one cache; size = ways × partitions × line size × sets. */
static void read_cache_leaf(unsigned leaf, pk_cache_sizes *out) {
    for (unsigned index = 0; index < 16; index++) {
        unsigned a, b, c, d;
        __cpuid_count(leaf, index, a, b, c, d);
        unsigned type = a & 31;  /* 0: no more caches, 1: data, 2: instruction, 3: unified */
        if (type == 0) break;
        if (type == 2) continue;
        unsigned level = (a >> 5) & 7;
        long ways = ((b >> 22) & 0x3ff) + 1, partitions = ((b >> 12) & 0x3ff) + 1;
        long line = (b & 0xfff) + 1, sets = (long)c + 1;
        long size = ways * partitions * line * sets;
        long sharing = ((a >> 14) & 0xfff) + 1;
        if (level == 1) out->l1d = size;
        else if (level == 2) out->l2 = size;
        else if (level == 3) { out->l3 = size; out->l3_sharing = sharing; }
    }
}
#endif

pk_cache_sizes pk_cpu_cache_sizes(void) {
    pk_cache_sizes sizes = {0, 0, 0, 0};
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return sizes;
    unsigned max_basic = a;
    int amd = b == 0x68747541u; /* "Auth" of AuthenticAMD */
    if (amd || b == 0x6f677948u /* "Hygo" of HygonGenuine */) {
        if (__get_cpuid(0x80000000u, &a, &b, &c, &d) && a >= 0x8000001Du &&
            __get_cpuid(0x80000001u, &a, &b, &c, &d) && (c & (1u << 22)) /* TOPOEXT */)
            read_cache_leaf(0x8000001Du, &sizes);
    } else if (max_basic >= 4) {
        read_cache_leaf(4, &sizes);
    }
#endif
    return sizes;
}
