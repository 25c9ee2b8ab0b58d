import CPerceptronKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The cache blocking of ``GEMM``, derived at run time from the caches of the CPU it runs
/// on and the micro-kernel's tile (MR × NR), so no CPU needs its own tuning. A kernel that
/// packs A (AVX2, scalar) keeps a KC × NR panel of B in L1 and the packed MC × KC block of
/// A in L2 (Goto & van de Geijn):
///
/// ```
/// KC = ⌊ (3/4 · L1d) / (NR · 4 B) ⌋₈     a KC × NR panel of B fills ¾ of L1d; the rest is
///                                         for the A rows and C tile the kernel touches
/// MC = ⌊ (1/2 · L2) / (KC · 4 B) ⌋_MR     the MC × KC block of A stays in L2 while the
///                                         panels of B pass over it
/// NC = ⌊ (1/2 · L3 per core) / (KC · 4 B) ⌋_NR   the packed KC × NC block of B stays in L3
/// ```
/// (⌊x⌋ₙ: rounded down to a multiple of n), clamped to KC ∈ [64, 512], MC ∈ [MR, 1 032],
/// NC ∈ [NR, 8 192].
///
/// A kernel that reads A in place (AVX-512: it broadcasts A's elements from where they
/// lie) goes deeper. Each KC block adds one more pass of C through the caches (read, add,
/// write) and one more prologue and epilogue per tile, and a shallow block re-reads C from
/// memory for a tall product (10,000 × 512 at inference); meanwhile the KC × NR panel of B
/// is loaded at two vectors per 24 FMAs, which L2 serves as easily as L1. So:
///
/// ```
/// KC = ⌊ (1/8 · L2) / (NR · 4 B) ⌋₈      the panel of B stays in L2 (an eighth of it, so
///                                         the A rows streaming past do not evict it)
/// MC = ⌊ (1/2 · L2) / (KC · 4 B) ⌋_MR     the block of A stays in L2 while the panels of
///                                         B pass over it
/// NC = ⌊ (1/2 · L) / (KC · 4 B) ⌋_NR      L = max(L2, L3 per core): each row block re-reads
///                                         the packed B block, so blocks stay wide
/// ```
/// clamped to KC ∈ [64, 4 096], MC and NC as above. On the AMD Zen 4 guest (32 KiB L1d,
/// 1 MiB L2, 16 MiB L3 per core) the MNIST layers (k ≤ 784) then run in one KC block: a
/// 1000 × 512 × 784 forward product went from 8.4-8.8 ms to 7.4-7.9 ms, 10,000 × 128 × 512
/// from 16.6 to 13.6 ms, 2048³ from 248 to 198 ms (one thread, CPU time, best of several).
/// MC came from L as well until 2026-12-04: on Intel Granite Rapids (2 MiB L2, a guest's
/// L3 share of 252 MiB) that made one row block of all 1000 rows, re-read from L3 for
/// every panel of B; from L2, 1 thread, median GFLOP/s: 1000 × 512 × 784 173 → 187,
/// 1000 × 784 × 512 155 → 180, 1000 × 128 × 512 160 → 182, 2048³ 176 → 181.
///
/// MC and NC are sized for the depth a product really has: a product of depth k runs in
/// KC blocks of `depthStep(k)` ≤ KC, and MC and NC come from that depth in the formulas
/// above (``forKernel(_:depth:)``). Where KC is deeper than the layers (Intel Emerald
/// Rapids: KC = 2048, MC = 120, NC = 128 from its caches) a 784-deep product then gets
/// MC = 324 and NC = 320, blocks as large as the caches hold for it; KC and so the sums
/// (the bits) are unchanged.
/// Cache sizes come from CPUID (``Caches/detected``); where the CPU does not report them,
/// from Linux's sysfs, else from conservative defaults (32 KiB, 256 KiB, 2 MiB).
struct GEMMBlocking: Equatable, Sendable {
    let kc: Int, mc: Int, nc: Int

    /// The data caches one core sees, in bytes.
    struct Caches: Equatable, Sendable {
        var l1d: Int, l2: Int, l3PerCore: Int

        static let fallback = Caches(l1d: 32 << 10, l2: 256 << 10, l3PerCore: 2 << 20)

        /// This machine's caches: CPUID, else sysfs, else ``fallback`` (per level).
        static let detected: Caches = {
            let cpuid = pk_cpu_cache_sizes()
            var caches = fallback
            let l1 = cpuid.l1d > 0 ? cpuid.l1d : sysfsSize(level: 1)
            let l2 = cpuid.l2 > 0 ? cpuid.l2 : sysfsSize(level: 2)
            let l3 = cpuid.l3 > 0 ? cpuid.l3 / max(1, cpuid.l3_sharing) : sysfsSize(level: 3)
            if l1 > 0 { caches.l1d = l1 }
            if l2 > 0 { caches.l2 = l2 }
            if l3 > 0 { caches.l3PerCore = l3 }
            return caches
        }()

        /// The size of cpu0's data or unified cache at `level` from sysfs (0 when absent);
        /// an L3 is divided among the CPUs that share it.
        private static func sysfsSize(level: Int) -> Int {
            for index in 0..<8 {
                let directory = "/sys/devices/system/cpu/cpu0/cache/index\(index)/"
                guard let levelText = readLine(directory + "level"), Int(levelText) == level,
                      let type = readLine(directory + "type"), type != "Instruction",
                      let sizeText = readLine(directory + "size") else { continue }
                var bytes = 0
                if sizeText.hasSuffix("K") { bytes = (Int(sizeText.dropLast()) ?? 0) << 10 }
                else if sizeText.hasSuffix("M") { bytes = (Int(sizeText.dropLast()) ?? 0) << 20 }
                else { bytes = Int(sizeText) ?? 0 }
                if level == 3, let shared = readLine(directory + "shared_cpu_list") {
                    bytes /= max(1, cpuCount(inList: shared))
                }
                return bytes
            }
            return 0
        }

        /// The first line of a small text file, or nil.
        private static func readLine(_ path: String) -> String? {
            guard let file = fopen(path, "r") else { return nil }
            defer { fclose(file) }
            var buffer = [CChar](repeating: 0, count: 256)
            guard fgets(&buffer, Int32(buffer.count), file) != nil else { return nil }
            let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return line.trimmingSuffix { $0 == "\n" || $0 == " " }
        }

        /// The number of CPUs in a sysfs list such as "0-3,8".
        static func cpuCount(inList list: String) -> Int {
            var count = 0
            for part in list.split(separator: ",") {
                let bounds = part.split(separator: "-").compactMap { Int($0.trimmingSuffix { $0 == "\n" || $0 == " " }) }
                if bounds.count == 2, bounds[1] >= bounds[0] { count += bounds[1] - bounds[0] + 1 }
                else if bounds.count == 1 { count += 1 }
            }
            return count
        }
    }

    /// The blocking for a kernel of `mr` × `nr` tiles on a CPU with `caches`;
    /// `readsAInPlace`: the kernel broadcasts A from where it lies instead of packing it.
    /// `depth`: the depth k of the product at hand; MC and NC then follow its real KC
    /// block depth `depthStep(k)` instead of KC (KC itself is unchanged).
    static func derive(caches: Caches, mr: Int, nr: Int, readsAInPlace: Bool = false, depth: Int? = nil) -> GEMMBlocking {
        let floatBytes = MemoryLayout<Float>.stride
        let kc: Int
        let mcCache: Int, ncCache: Int
        if readsAInPlace {
            kc = min(4096, max(64, caches.l2 / 8 / (nr * floatBytes) / 8 * 8))
            (mcCache, ncCache) = (caches.l2, max(caches.l2, caches.l3PerCore))
        } else {
            kc = packedRules(caches: caches, mr: mr, nr: nr, elementBytes: floatBytes, kcLimit: 512, mcLimit: 1032).kc
            (mcCache, ncCache) = (caches.l2, caches.l3PerCore)
        }
        var blockDepth = kc
        if let depth, depth >= 1 { blockDepth = blockDepthStep(k: depth, kc: kc) }
        let (mc, nc) = outerBlocks(kc: blockDepth, mcCache: mcCache, ncCache: ncCache, mr: mr, nr: nr,
                                   elementBytes: floatBytes, mcLimit: 1032)
        return GEMMBlocking(kc: kc, mc: mc, nc: nc)
    }

    /// The rules for kernels that pack both operands, for packed elements of `elementBytes`:
    /// KC so a KC × NR panel of B fills ¾ of L1d (a multiple of 8), MC so the MC × KC block
    /// of A takes ½ of L2, NC so the KC × NC block of B takes ½ of the L3 share; clamped to
    /// KC ∈ [64, kcLimit], MC ∈ [MR, mcLimit], NC ∈ [NR, 8 192]. Shared by the fp32 and bf16 drivers.
    static func packedRules(caches: Caches, mr: Int, nr: Int, elementBytes: Int,
                            kcLimit: Int, mcLimit: Int) -> (kc: Int, mc: Int, nc: Int) {
        let kc = min(kcLimit, max(64, caches.l1d * 3 / 4 / (nr * elementBytes) / 8 * 8))
        let (mc, nc) = outerBlocks(kc: kc, mcCache: caches.l2, ncCache: caches.l3PerCore, mr: mr, nr: nr,
                                   elementBytes: elementBytes, mcLimit: mcLimit)
        return (kc, mc, nc)
    }

    /// MC so an MC × `kc` block of A takes half of `mcCache`, NC so a `kc` × NC block of B
    /// takes half of `ncCache`, rounded down to multiples of MR and NR, clamped to
    /// MC ∈ [MR, mcLimit], NC ∈ [NR, 8 192].
    private static func outerBlocks(kc: Int, mcCache: Int, ncCache: Int, mr: Int, nr: Int,
                                    elementBytes: Int, mcLimit: Int) -> (mc: Int, nc: Int) {
        let mc = min(mcLimit / mr * mr, max(mr, mcCache / 2 / (kc * elementBytes) / mr * mr))
        let nc = min(8192 / nr * nr, max(nr, ncCache / 2 / (kc * elementBytes) / nr * nr))
        return (mc, nc)
    }

    /// The depth of each KC block of a product of depth k: k split into ⌈k / KC⌉ blocks of
    /// equal depth (the last one shorter by the rounding), so no block is a sliver.
    func depthStep(k: Int) -> Int {
        GEMMBlocking.blockDepthStep(k: k, kc: kc)
    }

    /// ``depthStep(k:)`` for a KC of `kc`.
    static func blockDepthStep(k: Int, kc: Int) -> Int {
        let blocks = max(1, (k + kc - 1) / kc)
        return (k + blocks - 1) / blocks
    }

    /// The blocking for `kernel` on this machine.
    static func forKernel(_ kernel: GEMM.Kernel) -> GEMMBlocking {
        byKernel[Int(kernel.rawValue)]
    }

    /// The blocking for `kernel` on this machine for a product of depth `depth`: MC and NC
    /// from its real KC block depth (see ``derive(caches:mr:nr:readsAInPlace:depth:)``).
    /// The GEMM and ``GEMM/PackedB`` both block by it, so their column blocks agree.
    static func forKernel(_ kernel: GEMM.Kernel, depth: Int) -> GEMMBlocking {
        let whole = byKernel[Int(kernel.rawValue)]
        if whole.depthStep(k: depth) >= whole.kc { return whole }  // one full KC block or more
        return derive(caches: .detected, mr: pk_sgemm_mr(kernel.rawValue), nr: pk_sgemm_nr(kernel.rawValue),
                      readsAInPlace: readsAInPlace(kernel), depth: depth)
    }

    /// A kernel whose in-place path takes every n reads A in place in every packed product.
    private static func readsAInPlace(_ kernel: GEMM.Kernel) -> Bool {
        pk_sgemm_direct_a_max_n(kernel.rawValue) == Int.max
    }

    private static let byKernel: [GEMMBlocking] = GEMM.Kernel.allCases.map {
        derive(caches: .detected, mr: pk_sgemm_mr($0.rawValue), nr: pk_sgemm_nr($0.rawValue),
               readsAInPlace: readsAInPlace($0))
    }
}

private extension StringProtocol {
    func trimmingSuffix(while predicate: (Character) -> Bool) -> String {
        var text = String(self)
        while let last = text.last, predicate(last) { text.removeLast() }
        return text
    }
}
