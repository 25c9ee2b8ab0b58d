import CPerceptronKernels

/// The cache blocking of ``BF16GEMM``, derived at run time from the caches of the CPU it
/// runs on (``GEMMBlocking/Caches/detected``) and the bf16 micro-kernel's tile (MR × NR),
/// with the rules of ``GEMMBlocking`` for 2-byte packed elements:
///
/// ```
/// KC = ⌊ (3/4 · L1d) / (NR · 2 B) ⌋₈     a KC × NR panel of packed B (KC/2 pair words of
///                                         NR lanes) fills ¾ of L1d; the rest holds the A
///                                         micro-panel and the C tile
/// MC = ⌊ (1/2 · L2) / (KC · 2 B) ⌋_MR     the packed MC × KC block of A stays in L2 while
///                                         the panels of B pass over it
/// NC = ⌊ (1/2 · L3 per core) / (KC · 2 B) ⌋_NR   the packed KC × NC block of B stays in L3
/// ```
/// (⌊x⌋ₙ: rounded down to a multiple of n; KC is a multiple of 8, so even: a pair never
/// straddles two depth blocks), clamped to KC ∈ [64, 1 024], MC ∈ [MR, 2 040],
/// NC ∈ [NR, 8 192]. A 32 KiB L1d, 1 MiB L2, 16 MiB L3 per core (this project's AMD Zen 4
/// guest) give KC = 384, MC = 672, NC = 8 192.
struct BF16GEMMBlocking: Equatable, Sendable {
    let kc: Int, mc: Int, nc: Int

    /// The blocking for an `mr` × `nr` bf16 kernel on a CPU with `caches`.
    static func derive(caches: GEMMBlocking.Caches, mr: Int, nr: Int) -> BF16GEMMBlocking {
        let (kc, mc, nc) = GEMMBlocking.packedRules(caches: caches, mr: mr, nr: nr, elementBytes: 2,
                                                     kcLimit: 1024, mcLimit: 2040)
        return BF16GEMMBlocking(kc: kc, mc: mc, nc: nc)
    }

    /// The depth of each KC block of a product of depth k: k split into ⌈k / KC⌉ blocks of
    /// equal depth rounded up to an even number (the last one shorter), so no block is a
    /// sliver and no pair straddles two blocks.
    func depthStep(k: Int) -> Int {
        let blocks = max(1, (k + kc - 1) / kc)
        return ((k + blocks - 1) / blocks + 1) / 2 * 2
    }

    /// The blocking of the bf16 kernel on this machine.
    static let detected = derive(caches: .detected, mr: Int(PK_BF16_MR), nr: Int(PK_BF16_NR))
}
