import CPerceptronKernels
import XCTest
@testable import Perceptron

/// The packed layouts of the AMX bf16 kernel (`PerceptronBF16Kernels.h`): A as row-major
/// pair words, B as the AVX512_BF16 kernel's panels, both padded with zero words to whole
/// 16-pair steps (and A's rows to a multiple of 16), because a tile load reads whole steps.
/// A padding word that is not zero would add a garbage product to C; a word out of place
/// would pair the wrong terms. The products themselves are checked in `BF16GEMMTests`,
/// which runs every test on each kernel the CPU has.
final class AMXKernelTests: XCTestCase {
    /// The pair word of elements p and p + 1 (zero past kc) of a sequence read by `value`.
    private func word(_ p: Int, kc: Int, alpha: Float = 1, _ value: (Int) -> Float) -> UInt32 {
        guard p < kc else { return 0 }
        let lo = pk_bf16_round(alpha * value(p)).bitPattern >> 16
        let hi = p + 1 < kc ? pk_bf16_round(alpha * value(p + 1)).bitPattern >> 16 : 0
        return lo | hi << 16
    }

    func testPaddedSizes() {
        XCTAssertEqual(pk_amx_padded_pairs(1), 16)
        XCTAssertEqual(pk_amx_padded_pairs(32), 16)
        XCTAssertEqual(pk_amx_padded_pairs(33), 32)
        XCTAssertEqual(pk_amx_padded_pairs(784), 400)  // 392 pairs
        XCTAssertEqual(pk_amx_packed_a_size(17, 32), 32 * 16)
        XCTAssertEqual(pk_amx_packed_b_size(32, 10), 16 * 16)
        XCTAssertEqual(pk_amx_packed_b_size(32, 48), 48 * 16)
        XCTAssertEqual(pk_amx_packed_b_size(32, 49), 64 * 16)
    }

    /// Row-major, transposed and strided A give the same words: row i, pair q at
    /// i·stride + q, α applied before rounding, zero past the pairs and past the rows.
    func testPackingA() throws {
        try requireBF16("AMX packing")
        for (mc, kc) in [(1, 1), (13, 37), (16, 32), (17, 33), (40, 64), (33, 100), (5, 2)] {
            let source = lcgValues(mc * kc, seed: UInt64(mc * 7 + kc))
            let stride = pk_amx_padded_pairs(kc)
            var expected = [UInt32](repeating: 0, count: pk_amx_packed_a_size(mc, kc))
            for i in 0..<mc {
                for q in 0..<(kc + 1) / 2 {
                    expected[i * stride + q] = word(2 * q, kc: kc, alpha: 0.5) { source[i * kc + $0] }
                }
            }
            for (rs, cs) in [(kc, 1), (1, mc), (2 * kc, 2)] {
                var storage = [Float](repeating: 0, count: mc * kc * 4)
                for i in 0..<mc { for p in 0..<kc { storage[i * rs + p * cs] = source[i * kc + p] } }
                var packed = [UInt32](repeating: 0xDEAD_BEEF, count: expected.count)
                storage.withUnsafeBufferPointer { s in
                    packed.withUnsafeMutableBufferPointer { d in
                        pk_amx_pack_a(mc, kc, s.baseAddress!, rs, cs, 0.5, d.baseAddress!)
                    }
                }
                XCTAssertEqual(packed, expected, "A with strides (\(rs), \(cs)), mc \(mc) kc \(kc)")
            }
        }
    }

    /// B in panels of 32 columns (16 for a last one of at most 16), word (q, j) at
    /// panel[q·w + j], each panel `stride` pairs deep with zero words past the pairs; the
    /// whole-row path (row-major B wider than one panel) included.
    func testPackingB() throws {
        try requireBF16("AMX packing")
        for (kc, nc) in [(1, 1), (37, 45), (32, 16), (33, 32), (64, 70), (7, 100)] {
            let source = lcgValues(kc * nc, seed: UInt64(kc * 11 + nc))
            let stride = pk_amx_padded_pairs(kc)
            var expected = [UInt32](repeating: 0, count: pk_amx_packed_b_size(kc, nc))
            var offset = 0, j0 = 0
            while j0 < nc {
                let width = nc - j0 > 16 ? 32 : 16
                for q in 0..<(kc + 1) / 2 {
                    for t in 0..<width where j0 + t < nc {
                        expected[offset + q * width + t] = word(2 * q, kc: kc) { source[$0 * nc + j0 + t] }
                    }
                }
                offset += width * stride
                j0 += width
            }
            XCTAssertEqual(offset, expected.count)
            for (rs, cs) in [(nc, 1), (1, kc), (2 * nc, 2)] {
                var storage = [Float](repeating: 0, count: kc * nc * 4)
                for p in 0..<kc { for j in 0..<nc { storage[p * rs + j * cs] = source[p * nc + j] } }
                var packed = [UInt32](repeating: 0xDEAD_BEEF, count: expected.count)
                storage.withUnsafeBufferPointer { s in
                    packed.withUnsafeMutableBufferPointer { d in
                        pk_amx_pack_b(kc, nc, s.baseAddress!, rs, cs, d.baseAddress!)
                    }
                }
                XCTAssertEqual(packed, expected, "B with strides (\(rs), \(cs)), kc \(kc) nc \(nc)")
            }
        }
    }

    /// The kernel is chosen at run time and says why it is not: this test names the kernel
    /// the bf16 products use on this machine, and skips where the CPU or OS has no AMX.
    func testAMXKernelRunsWhereAvailable() throws {
        try XCTSkipUnless(BF16GEMM.Kernel.amx.isSupported,
                          "AMX bf16 kernel not tested on this machine: the CPU lacks AMX-BF16 or the OS refused its tile state")
        // Product of bf16-exact values (small integers), so any correct kernel gives C exactly.
        let (m, n, k) = (40, 33, 70)
        let a = (0..<m * k).map { Float($0 % 7) - 3 }, b = (0..<k * n).map { Float($0 % 5) - 2 }
        var c = [Float](repeating: .nan, count: m * n)
        BF16GEMM.gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n,
                      beta: 0, c: &c, ldc: n, threads: 1, kernel: .amx)
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k { sum += a[i * k + p] * b[p * n + j] }
                XCTAssertEqual(c[i * n + j], sum, "C[\(i), \(j)]")
            }
        }
    }
}
