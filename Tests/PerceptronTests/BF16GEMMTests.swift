import CPerceptronKernels
import XCTest
@testable import Perceptron

/// Checks the bf16 mixed-precision GEMM (`BF16GEMM.gemm`) against Float64 references.
///
/// Error bound, per element of C = α·op(A)·op(B) + β·C₀, with u = 2⁻⁸ (bf16's unit
/// roundoff: 8 significant bits, round to nearest even) and ε = 2⁻²⁴ (fp32's):
/// - each operand is rounded once to bf16: ã = a(1 + δ), |δ| ≤ u (for α ≠ 1, α·a is first
///   rounded to fp32, so |δ| ≤ u + ε + uε);
/// - the product of two bf16 numbers (8 × 8 significant bits) is exact in fp32, so a
///   product's relative error is (1 + δ_a)(1 + δ_b) − 1 ≤ 2u + u² (+ the α term);
/// - the K products are summed in fp32 with at most r = k + ⌈k/KC⌉ + 1 roundings along any
///   element's chain (one per product, one per depth block joined into C, one for β·C);
///   the bound allows 2ε per rounding in case the hardware's sum rounds less carefully
///   than to nearest, so γ = r·2ε/(1 − r·2ε).
///
/// ```
/// |Ĉ − C| ≤ (2u + u² + α-term + γ·(1 + 2u + u²))·|α|·Σₚ|aᵢₚ||bₚⱼ| + γ·|β·c₀|
/// ```
/// For k = 1000 that is about 7.9·10⁻³ of Σ|a||b|. A second check rounds the operands with
/// `pk_bf16_round` first and then allows only the fp32 part, γ: that one catches a
/// wrongly paired or dropped term, which the first bound (2u ≈ 0.8 %) could hide.
final class BF16GEMMTests: XCTestCase {
    private struct Case {
        var transposeA: Bool, transposeB: Bool
        var m: Int, n: Int, k: Int
        var alpha: Float = 1, beta: Float = 0
    }

    /// The bf16 kernels this CPU runs (AVX512_BF16, and AMX where present): every product
    /// check runs on each.
    private let kernels = BF16GEMM.Kernel.allCases.filter(\.isSupported)

    private func run(_ t: Case, threads: Int, kernel: BF16GEMM.Kernel) -> (a: [Float], b: [Float], c0: [Float], c: [Float]) {
        let aCols = t.transposeA ? t.m : t.k
        let bCols = t.transposeB ? t.k : t.n
        let a = lcgValues(t.m * t.k, seed: UInt64(t.m * 131 + t.k))
        let b = lcgValues(t.k * t.n, seed: UInt64(t.n * 17 + t.k * 3 + 1))
        let c0 = lcgValues(t.m * t.n, seed: 99)
        var c = c0
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    BF16GEMM.gemm(transposeA: t.transposeA, transposeB: t.transposeB, m: t.m, n: t.n, k: t.k,
                                  alpha: t.alpha, a: pa.baseAddress!, lda: aCols, b: pb.baseAddress!, ldb: bCols,
                                  beta: t.beta, c: pc.baseAddress!, ldc: t.n, threads: threads,
                                  kernel: kernel, ignoreParallelThresholds: true)
                }
            }
        }
        return (a, b, c0, c)
    }

    /// Checks one case against both bounds; returns C.
    @discardableResult
    private func check(_ t: Case, threads: Int = 1, kernel: BF16GEMM.Kernel,
                       file: StaticString = #filePath, line: UInt = #line) -> [Float] {
        let (a, b, c0, c) = run(t, threads: threads, kernel: kernel)
        let u = 1.0 / 256, eps = 1.0 / 16_777_216
        let kc = BF16GEMM.blocking.kc
        let roundings = Double(t.k + (t.k + kc - 1) / kc + 1)
        let gamma = roundings * 2 * eps / (1 - roundings * 2 * eps)
        let alphaTerm = t.alpha == 1 ? 0 : eps * (1 + u)
        let productTerm = (1 + u + alphaTerm) * (1 + u) - 1
        var worstRelative = 0.0
        for i in 0..<t.m {
            for j in 0..<t.n {
                var exact = 0.0, magnitude = 0.0, rounded = 0.0, roundedMagnitude = 0.0
                for p in 0..<t.k {
                    let x = t.transposeA ? a[p * t.m + i] : a[i * t.k + p]
                    let y = t.transposeB ? b[j * t.k + p] : b[p * t.n + j]
                    exact += Double(x) * Double(y)
                    magnitude += abs(Double(x) * Double(y))
                    let xr = Double(pk_bf16_round(t.alpha * x)), yr = Double(pk_bf16_round(y))
                    rounded += xr * yr
                    roundedMagnitude += abs(xr * yr)
                }
                let base = Double(t.beta) * Double(c0[i * t.n + j])
                let got = Double(c[i * t.n + j])
                let alpha = Double(t.alpha)
                let bound = (productTerm + gamma * (1 + productTerm)) * abs(alpha) * magnitude + gamma * abs(base) + 1e-30
                let error = abs(got - (alpha * exact + base))
                if error > bound {
                    XCTFail("\(kernel): C[\(i),\(j)] = \(got), exact \(alpha * exact + base): error \(error) > bound \(bound) for \(t)",
                            file: file, line: line)
                    return c
                }
                let roundedBound = gamma * (roundedMagnitude + abs(base)) + 1e-30
                let roundedError = abs(got - (rounded + base))
                if roundedError > roundedBound {
                    XCTFail("\(kernel): C[\(i),\(j)] = \(got), bf16-operand reference \(rounded + base): error \(roundedError) > \(roundedBound) for \(t)",
                            file: file, line: line)
                    return c
                }
                if magnitude > 0 { worstRelative = max(worstRelative, error / (abs(alpha) * magnitude)) }
            }
        }
        // The operands really were rounded to bf16: random data leaves an error well above
        // fp32's (k·ε ≈ 6·10⁻⁵ at k = 1000) somewhere in C.
        if t.m * t.n >= 64 && t.k >= 16 {
            XCTAssertGreaterThan(worstRelative, 1e-4, "\(kernel): no bf16 rounding visible in \(t)", file: file, line: line)
        }
        return c
    }

    func testAllTransposesAndEdgeShapes() throws {
        try requireBF16("GEMM")
        for kernel in kernels {
            for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
                // Shapes around both kernels' tiles: 12 × 32 (AVX512_BF16), 32 × 32 and
                // 16-pair steps (AMX: k = 32, 33, 64).
                for (m, n, k) in [(1, 1, 1), (5, 7, 3), (12, 32, 16), (13, 33, 17), (25, 16, 31), (30, 48, 64),
                                  (32, 32, 32), (33, 17, 33), (16, 16, 64), (37, 10, 100), (120, 64, 2), (121, 65, 129)] {
                    check(Case(transposeA: ta, transposeB: tb, m: m, n: n, k: k), kernel: kernel)
                }
            }
        }
    }

    func testAlphaBetaAndSeveralDepthBlocks() throws {
        try requireBF16("GEMM")
        // k = 1100 is at least two depth blocks for any KC (≤ 1 024; three of 368 at KC 384 or 512).
        for kernel in kernels {
            check(Case(transposeA: false, transposeB: false, m: 40, n: 50, k: 1100, alpha: 0.75, beta: 0.5), kernel: kernel)
            check(Case(transposeA: true, transposeB: false, m: 64, n: 10, k: 1000, alpha: 1, beta: 1), kernel: kernel)
            check(Case(transposeA: false, transposeB: true, m: 100, n: 70, k: 1001, alpha: -2, beta: 0), kernel: kernel)
        }
    }

    /// The MNIST network's training products at a reduced batch (the full shapes take
    /// too long in the Float64 reference of a debug build).
    func testTrainingShapes() throws {
        try requireBF16("GEMM")
        let batch = 24
        for kernel in kernels {
            for (fanIn, fanOut) in [(784, 96), (128, 64), (64, 10)] {
                check(Case(transposeA: false, transposeB: false, m: batch, n: fanOut, k: fanIn), kernel: kernel)  // x·W
                check(Case(transposeA: true, transposeB: false, m: fanIn, n: fanOut, k: batch), kernel: kernel)   // xᵀ·δ
                check(Case(transposeA: false, transposeB: true, m: batch, n: fanIn, k: fanOut), kernel: kernel)   // δ·Wᵀ
            }
        }
    }

    /// Every element is computed by the same operations whatever the thread split.
    func testBitIdenticalAcrossThreadCounts() throws {
        try requireBF16("GEMM")
        // β = 1 as well: the AMX kernel then starts its tiles from C, in place or through its
        // edge buffer depending on where a thread's row block ends.
        for kernel in kernels {
            for beta: Float in [0, 1] {
                let t = Case(transposeA: false, transposeB: true, m: 250, n: 300, k: 700, beta: beta)
                let one = run(t, threads: 1, kernel: kernel).c
                for threads in [2, 3, 7] {
                    let other = run(t, threads: threads, kernel: kernel).c
                    XCTAssertEqual(one.map(\.bitPattern), other.map(\.bitPattern), "\(kernel), β \(beta): \(threads) threads differ from 1")
                }
            }
        }
    }

    /// B of a long k packed in several passes (one depth block each, as when the packed
    /// B would pass its memory budget) gives the bits of one pass, on one or more threads.
    func testSeveralPassesMatchOnePass() throws {
        try requireBF16("GEMM")
        let (m, n, k) = (100, 70, 1001)
        let a = lcgValues(m * k, seed: 5), b = lcgValues(k * n, seed: 6)
        func product(threads: Int, depthBlocksPerPass: Int?, kernel: BF16GEMM.Kernel) -> [UInt32] {
            var c = [Float](repeating: .nan, count: m * n)
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        BF16GEMM.gemm(transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1,
                                      a: pa.baseAddress!, lda: k, b: pb.baseAddress!, ldb: k, beta: 0,
                                      c: pc.baseAddress!, ldc: n, threads: threads, kernel: kernel,
                                      ignoreParallelThresholds: true, depthBlocksPerPass: depthBlocksPerPass)
                    }
                }
            }
            return c.map(\.bitPattern)
        }
        for kernel in kernels {
            let reference = product(threads: 1, depthBlocksPerPass: nil, kernel: kernel)
            for threads in [1, 2, 3] {
                XCTAssertEqual(product(threads: threads, depthBlocksPerPass: 1, kernel: kernel), reference,
                               "\(kernel): \(threads) threads, one depth block per pass")
            }
        }
    }

    /// A layer's two backward products side by side (2 threads) give the bits of the two
    /// products one after the other.
    func testBackwardPairMatchesTheProductsOneByOne() throws {
        try requireBF16("GEMM")
        let saved = ComputeSettings.threadCount
        defer { try? ComputeSettings.setThreadCount(saved) }
        try ComputeSettings.setThreadCount(2)
        let x = Matrix(rows: 300, columns: 200, elements: lcgValues(300 * 200, seed: 1))
        let delta = Matrix(rows: 300, columns: 96, elements: lcgValues(300 * 96, seed: 2))
        let weight = Matrix(rows: 200, columns: 96, elements: lcgValues(200 * 96, seed: 3))
        var pairW = Matrix(rows: 0, columns: 0), pairX = Matrix(rows: 0, columns: 0)
        Matrix.multiplyBF16Pair(weightGradientOf: x, delta, into: &pairW, inputGradientOf: delta, weight, into: &pairX)
        var oneW = Matrix(rows: 0, columns: 0), oneX = Matrix(rows: 0, columns: 0)
        Matrix.multiply(x, delta, transposeA: true, precision: .bfloat16, into: &oneW)
        Matrix.multiply(delta, weight, transposeB: true, precision: .bfloat16, into: &oneX)
        XCTAssertEqual(pairW.rows, 200)
        XCTAssertEqual(pairX.columns, 200)
        XCTAssertEqual(pairW.withUnsafeBufferPointer { $0.map(\.bitPattern) }, oneW.withUnsafeBufferPointer { $0.map(\.bitPattern) })
        XCTAssertEqual(pairX.withUnsafeBufferPointer { $0.map(\.bitPattern) }, oneX.withUnsafeBufferPointer { $0.map(\.bitPattern) })
    }

    /// Packing rounds to nearest even exactly as `pk_bf16_round`, on every packing path
    /// (rows strided, rows contiguous, neither), ties included.
    func testPackingRoundsToNearestEven() throws {
        try requireBF16("GEMM")
        // Ties: 1 + 2⁻⁸ lies halfway between 1 and 1 + 2⁻⁷ and goes to the even 1;
        // 1 + 3·2⁻⁸ goes to the even 1 + 2⁻⁶.
        XCTAssertEqual(pk_bf16_round(1 + 0x1p-8), 1)
        XCTAssertEqual(pk_bf16_round(1 + 3 * 0x1p-8), 1 + 0x1p-6)
        XCTAssertEqual(pk_bf16_round(-(1 + 3 * 0x1p-8)), -(1 + 0x1p-6))
        XCTAssertEqual(pk_bf16_round(1 + 0x1p-8 + 0x1p-20), 1 + 0x1p-7)
        XCTAssertTrue(pk_bf16_round(.nan).isNaN)
        XCTAssertEqual(pk_bf16_round(.infinity), .infinity)

        let (kc, nc) = (37, 45)
        var source = lcgValues(kc * nc, seed: 5)
        source[0] = 1 + 0x1p-8
        source[1] = 1 + 3 * 0x1p-8
        let expectedWord = { (p: Int, j: Int, value: (Int, Int) -> Float) -> UInt32 in
            guard j < nc else { return 0 }
            let lo = pk_bf16_round(value(p, j)).bitPattern >> 16
            let hi = p + 1 < kc ? pk_bf16_round(value(p + 1, j)).bitPattern >> 16 : 0
            return lo | hi << 16
        }
        // (row stride, column stride) of B: row-major, transposed, and a strided view.
        for (rs, cs) in [(nc, 1), (1, kc), (2 * nc, 2)] {
            var storage = [Float](repeating: 0, count: kc * nc * 4)
            for p in 0..<kc { for j in 0..<nc { storage[p * rs + j * cs] = source[p * nc + j] } }
            var packed = [UInt32](repeating: 0xDEAD_BEEF, count: pk_bf16_packed_b_size(kc, nc))
            storage.withUnsafeBufferPointer { s in
                packed.withUnsafeMutableBufferPointer { d in
                    pk_bf16_pack_b(kc, nc, s.baseAddress!, rs, cs, d.baseAddress!)
                }
            }
            var offset = 0, j0 = 0
            while j0 < nc {
                let width = nc - j0 > 16 ? 32 : 16
                for q in 0..<(kc + 1) / 2 {
                    for t in 0..<width {
                        let want = expectedWord(2 * q, j0 + t) { p, j in source[p * nc + j] }
                        let got = packed[offset + q * width + t]
                        if got != want {
                            XCTFail("strides (\(rs), \(cs)): word (q \(q), column \(j0 + t)) = \(got), expected \(want)")
                            return
                        }
                    }
                }
                offset += width * ((kc + 1) / 2)
                j0 += width
            }
            XCTAssertEqual(offset, packed.count)
        }
    }

    /// Packing A gives the same words on every path: row-major A (pairs contiguous),
    /// transposed A (all panels at once, row by row: `pack_a_rows`, used for xᵀ of the
    /// weight gradients) and a strided view (element by element), for widths that end a
    /// 48-column group on and off a panel boundary, α ≠ 1 included.
    func testPackingAMatchesAcrossLayouts() throws {
        try requireBF16("GEMM")
        for (mc, kc) in [(13, 1), (13, 37), (47, 2), (48, 37), (49, 36), (100, 5), (121, 64), (600, 3)] {
            let source = lcgValues(mc * kc, seed: UInt64(mc * 1000 + kc))
            var results: [[UInt32]] = []
            for (rs, cs) in [(kc, 1), (1, mc), (2 * kc, 2)] {
                var storage = [Float](repeating: 0, count: mc * kc * 4)
                for i in 0..<mc { for p in 0..<kc { storage[i * rs + p * cs] = source[i * kc + p] } }
                var packed = [UInt32](repeating: 0xDEAD_BEEF, count: pk_bf16_packed_a_size(mc, kc))
                storage.withUnsafeBufferPointer { s in
                    packed.withUnsafeMutableBufferPointer { d in
                        pk_bf16_pack_a(mc, kc, s.baseAddress!, rs, cs, 0.5, d.baseAddress!)
                    }
                }
                results.append(packed)
            }
            // The words themselves: panel i/12, pair q, row i % 12.
            let pairs = (kc + 1) / 2
            var expected = [UInt32](repeating: 0, count: results[0].count)
            for i in 0..<mc {
                for q in 0..<pairs {
                    let lo = pk_bf16_round(0.5 * source[i * kc + 2 * q]).bitPattern >> 16
                    let hi = 2 * q + 1 < kc ? pk_bf16_round(0.5 * source[i * kc + 2 * q + 1]).bitPattern >> 16 : 0
                    expected[(i / 12) * 12 * pairs + q * 12 + i % 12] = lo | hi << 16
                }
            }
            XCTAssertEqual(results[0], expected, "row-major A, mc \(mc) kc \(kc)")
            XCTAssertEqual(results[1], expected, "transposed A, mc \(mc) kc \(kc)")
            XCTAssertEqual(results[2], expected, "strided A, mc \(mc) kc \(kc)")
        }
    }
}
