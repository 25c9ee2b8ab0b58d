import CPerceptronKernels
import XCTest
@testable import Perceptron

/// The bf16 GEMM's cache blocking follows the CPU's caches (see `BF16GEMMBlocking`'s rules:
/// GEMMBlocking's, with 2-byte packed elements).
final class BF16GEMMBlockingTests: XCTestCase {
    func testBlockingFollowsTheCacheSizes() {
        // 32 KiB L1d, 1 MiB L2, 16 MiB L3 per core (this project's AMD Zen 4 guest), 12 × 32
        // kernel: KC = ¾·32768 / (32·2) = 384, MC = ½·2²⁰ / (384·2) = 682 → 672 (×12),
        // NC = ½·2²⁴ / 768 → 8192 (the cap).
        let zen = BF16GEMMBlocking.derive(caches: .init(l1d: 32 << 10, l2: 1 << 20, l3PerCore: 16 << 20), mr: 12, nr: 32)
        XCTAssertEqual(zen, BF16GEMMBlocking(kc: 384, mc: 672, nc: 8192))
        // 48 KiB L1d, 2 MiB L2, 1.875 MiB L3 per core (Intel Emerald Rapids): KC = 576,
        // MC = ½·2 MiB / 1152 = 910 → 900, NC = 983 040 / 1152 = 853 → 832.
        let emerald = BF16GEMMBlocking.derive(caches: .init(l1d: 48 << 10, l2: 2 << 20, l3PerCore: 1_966_080), mr: 12, nr: 32)
        XCTAssertEqual(emerald, BF16GEMMBlocking(kc: 576, mc: 900, nc: 832))
        // Half the element size of fp32: twice GEMMBlocking's depth on the same L1d.
        let caches = GEMMBlocking.Caches(l1d: 32 << 10, l2: 1 << 20, l3PerCore: 16 << 20)
        XCTAssertEqual(zen.kc, 2 * GEMMBlocking.derive(caches: caches, mr: 12, nr: 32).kc)
    }

    func testTinyOrHugeCachesStayWithinBounds() {
        let tiny = BF16GEMMBlocking.derive(caches: .init(l1d: 1024, l2: 4096, l3PerCore: 0), mr: 12, nr: 32)
        XCTAssertEqual(tiny, BF16GEMMBlocking(kc: 64, mc: 12, nc: 32))
        let huge = BF16GEMMBlocking.derive(caches: .init(l1d: 1 << 30, l2: 1 << 30, l3PerCore: 1 << 40), mr: 12, nr: 32)
        XCTAssertEqual(huge, BF16GEMMBlocking(kc: 1024, mc: 2040, nc: 8192))
    }

    /// Depth blocks are equal, even (a bf16 pair never straddles two) and cover k.
    func testDepthStepIsEvenAndCoversK() {
        let blocking = BF16GEMMBlocking(kc: 384, mc: 672, nc: 8192)
        XCTAssertEqual(blocking.depthStep(k: 784), 262)   // 3 blocks: 262 + 262 + 260
        XCTAssertEqual(blocking.depthStep(k: 1000), 334)  // 3 blocks: 334 + 334 + 332
        XCTAssertEqual(blocking.depthStep(k: 384), 384)
        XCTAssertEqual(blocking.depthStep(k: 7), 8)       // one block; the kernel pads the odd pair
        for k in 1...2000 {
            let step = blocking.depthStep(k: k)
            XCTAssertEqual(step % 2, 0, "k \(k)")
            XCTAssertLessThanOrEqual(step, blocking.kc, "k \(k)")
            XCTAssertLessThanOrEqual((k + step - 1) / step, (k + blocking.kc - 1) / blocking.kc, "k \(k)")
        }
    }

    func testDetectedBlockingIsUsable() {
        let blocking = BF16GEMMBlocking.detected
        XCTAssertEqual(blocking.kc % 8, 0)
        XCTAssertEqual(blocking.mc % Int(PK_BF16_MR), 0)
        XCTAssertEqual(blocking.nc % Int(PK_BF16_NR), 0)
    }
}
