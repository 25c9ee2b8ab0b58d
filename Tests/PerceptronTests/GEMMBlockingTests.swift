import XCTest
@testable import Perceptron

/// The GEMM's cache blocking follows the CPU's caches (see `GEMMBlocking`'s rules).
final class GEMMBlockingTests: XCTestCase {
    func testBlockingFollowsTheCacheSizes() {
        // 32 KiB L1d, 1 MiB L2, 16 MiB L3 per core (this project's AMD Zen 4 guest) with
        // a 12 × 32 kernel: KC = ¾·32768 / 128 = 192, MC = ½·2²⁰ / (192·4) → 672 (×12),
        // NC = ½·2²⁴ / 768 → 8192 (the cap).
        let zen = GEMMBlocking.derive(caches: .init(l1d: 32 << 10, l2: 1 << 20, l3PerCore: 16 << 20), mr: 12, nr: 32)
        XCTAssertEqual(zen, GEMMBlocking(kc: 192, mc: 672, nc: 8192))
        // 48 KiB L1d, 2 MiB L2, 1.875 MiB L3 per core (Intel Emerald Rapids): a deeper KC.
        let emerald = GEMMBlocking.derive(caches: .init(l1d: 48 << 10, l2: 2 << 20, l3PerCore: 1_966_080), mr: 12, nr: 32)
        XCTAssertEqual(emerald.kc, 288)
        XCTAssertEqual(emerald.mc, 900)  // ½·2 MiB / (288·4) = 910 → a multiple of 12
        XCTAssertEqual(emerald.nc, 1_966_080 / 2 / (288 * 4) / 32 * 32)
        // An AVX2 6 × 16 kernel on the same L1d goes twice as deep (half as wide a panel).
        XCTAssertEqual(GEMMBlocking.derive(caches: .init(l1d: 32 << 10, l2: 1 << 20, l3PerCore: 16 << 20), mr: 6, nr: 16).kc, 384)
    }

    func testKernelsReadingAInPlaceBlockFromL2AndTheOuterCache() {
        // The AVX-512 12 × 32 kernel reads A in place: KC = ⅛·2²⁰ / 128 = 1024 on the Zen 4
        // guest, so every MNIST layer (k ≤ 784) is one KC block; MC = ½·1 MiB / 4096 = 128
        // → 120 (L2), NC = ½·16 MiB / 4096 = 2048 (the L3 share).
        let zen = GEMMBlocking.derive(caches: .init(l1d: 32 << 10, l2: 1 << 20, l3PerCore: 16 << 20),
                                      mr: 12, nr: 32, readsAInPlace: true)
        XCTAssertEqual(zen, GEMMBlocking(kc: 1024, mc: 120, nc: 2048))
        // Granite Rapids guest (48 KiB L1d, 2 MiB L2, 504 MiB L3 shared by 2 vCPUs): MC
        // from the L2 (the L3 share made it one 1000-row block, re-read from L3 for every
        // panel of B), NC at its cap.
        let granite = GEMMBlocking.derive(caches: .init(l1d: 48 << 10, l2: 2 << 20, l3PerCore: 252 << 20),
                                          mr: 12, nr: 32, readsAInPlace: true)
        XCTAssertEqual(granite, GEMMBlocking(kc: 2048, mc: 120, nc: 8192))
        XCTAssertEqual(GEMMBlocking.derive(caches: .init(l1d: 48 << 10, l2: 2 << 20, l3PerCore: 252 << 20),
                                           mr: 12, nr: 32, readsAInPlace: true, depth: 784),
                       GEMMBlocking(kc: 2048, mc: 324, nc: 8192))
        // Emerald Rapids: the 2 MiB L2 is larger than the 1.875 MiB L3 share, so it bounds MC
        // and NC: KC = ⅛·2²¹ / 128 = 2048, MC = ½·2²¹ / 8192 = 128 → 120, NC = 128.
        let emerald = GEMMBlocking.derive(caches: .init(l1d: 48 << 10, l2: 2 << 20, l3PerCore: 1_966_080),
                                          mr: 12, nr: 32, readsAInPlace: true)
        XCTAssertEqual(emerald, GEMMBlocking(kc: 2048, mc: 120, nc: 128))
        let tiny = GEMMBlocking.derive(caches: .init(l1d: 1024, l2: 4096, l3PerCore: 0), mr: 12, nr: 32, readsAInPlace: true)
        XCTAssertEqual(tiny, GEMMBlocking(kc: 64, mc: 12, nc: 32))
        let huge = GEMMBlocking.derive(caches: .init(l1d: 1 << 30, l2: 1 << 30, l3PerCore: 1 << 40), mr: 12, nr: 32, readsAInPlace: true)
        XCTAssertEqual(huge, GEMMBlocking(kc: 4096, mc: 1032, nc: 8192))
    }

    func testOuterBlocksFollowTheProductsRealDepth() {
        // Emerald Rapids caches, AVX-512 in place: KC = 2048 but a 784-deep product (the
        // first MNIST layer) runs in one block 784 deep, so MC = ½·2 MiB / (784·4) = 334 → 324
        // (×12) and NC → 320 (×32) instead of the 120 and 128 that a 2048-deep block allows.
        let emeraldCaches = GEMMBlocking.Caches(l1d: 48 << 10, l2: 2 << 20, l3PerCore: 1_966_080)
        XCTAssertEqual(GEMMBlocking.derive(caches: emeraldCaches, mr: 12, nr: 32, readsAInPlace: true, depth: 784),
                       GEMMBlocking(kc: 2048, mc: 324, nc: 320))
        // A depth of a whole KC block or a multiple of it changes nothing; 3000 runs in two
        // blocks of 1500: MC = 2²⁰ / 6000 = 174 → 168, NC → 160.
        XCTAssertEqual(GEMMBlocking.derive(caches: emeraldCaches, mr: 12, nr: 32, readsAInPlace: true, depth: 4096),
                       GEMMBlocking(kc: 2048, mc: 120, nc: 128))
        XCTAssertEqual(GEMMBlocking.derive(caches: emeraldCaches, mr: 12, nr: 32, readsAInPlace: true, depth: 3000),
                       GEMMBlocking(kc: 2048, mc: 168, nc: 160))
        // Zen 4 guest: MC and NC grow for a shallow product (784 deep: ½·1 MiB / 3136 = 167
        // → 156, ½·16 MiB / 3136 = 2675 → 2656), and a very shallow one (a batch-32 weight
        // gradient, 32 deep) reaches both caps.
        let zenCaches = GEMMBlocking.Caches(l1d: 32 << 10, l2: 1 << 20, l3PerCore: 16 << 20)
        XCTAssertEqual(GEMMBlocking.derive(caches: zenCaches, mr: 12, nr: 32, readsAInPlace: true, depth: 784),
                       GEMMBlocking(kc: 1024, mc: 156, nc: 2656))
        XCTAssertEqual(GEMMBlocking.derive(caches: zenCaches, mr: 12, nr: 32, readsAInPlace: true, depth: 32),
                       GEMMBlocking(kc: 1024, mc: 1032, nc: 8192))
        // The kernels that pack A use the same rule with their own caches (MC from L2).
        XCTAssertEqual(GEMMBlocking.derive(caches: zenCaches, mr: 6, nr: 16, depth: 100),
                       GEMMBlocking(kc: 384, mc: 1032 / 6 * 6, nc: 8192))
        // Whatever the depth, KC (and so every sum's order) stays the machine's.
        for depth in [1, 31, 784, 1025, 5000] {
            XCTAssertEqual(GEMMBlocking.forKernel(.best, depth: depth).kc, GEMMBlocking.forKernel(.best).kc)
        }
    }

    func testTinyOrHugeCachesStayWithinBounds() {
        let tiny = GEMMBlocking.derive(caches: .init(l1d: 1024, l2: 4096, l3PerCore: 0), mr: 12, nr: 32)
        XCTAssertEqual(tiny, GEMMBlocking(kc: 64, mc: 12, nc: 32))
        let huge = GEMMBlocking.derive(caches: .init(l1d: 1 << 30, l2: 1 << 30, l3PerCore: 1 << 40), mr: 12, nr: 32)
        XCTAssertEqual(huge, GEMMBlocking(kc: 512, mc: 1032, nc: 8192))
    }

    func testDetectedCachesAreSane() {
        let caches = GEMMBlocking.Caches.detected
        XCTAssertGreaterThanOrEqual(caches.l1d, 4 << 10)
        XCTAssertGreaterThanOrEqual(caches.l2, caches.l1d)
        XCTAssertGreaterThan(caches.l3PerCore, 0)
        let blocking = GEMMBlocking.forKernel(.best)
        XCTAssertEqual(blocking.mc % Int(GEMM.Kernel.best == .avx512 ? 12 : GEMM.Kernel.best == .avx2 ? 6 : 4), 0)
    }

    func testSysfsCPUListCounts() {
        XCTAssertEqual(GEMMBlocking.Caches.cpuCount(inList: "0-1"), 2)
        XCTAssertEqual(GEMMBlocking.Caches.cpuCount(inList: "0-3,8,10-11\n"), 7)
        XCTAssertEqual(GEMMBlocking.Caches.cpuCount(inList: "5"), 1)
    }
}
