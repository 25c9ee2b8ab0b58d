import XCTest
@testable import Perceptron

/// `GEMM.PackedB`: a product given B packed beforehand computes every element by the same
/// operations as one that packs B itself, so the results are bit-identical (no tolerance),
/// on every kernel family, with and without threads, for shapes with several depth (KC)
/// and column (NC) blocks and column slices that start inside a block.
final class GEMMPackedBTests: XCTestCase {
    private func product(m: Int, n: Int, k: Int, transposeB: Bool, threads: Int, kernel: GEMM.Kernel,
                         beta: Float, prepacked: Bool) -> [Float] {
        let a = lcgValues(m * k, seed: UInt64(m * 7 + k))
        let b = lcgValues(k * n, seed: UInt64(n * 13 + k))
        var c = lcgValues(m * n, seed: 5)
        let ldb = transposeB ? k : n
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                let packed = prepacked ? GEMM.PackedB(transposeB: transposeB, k: k, n: n, b: pb.baseAddress!, ldb: ldb,
                                                      kernel: kernel) : nil
                c.withUnsafeMutableBufferPointer { pc in
                    GEMM.sgemm(transposeA: false, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.75,
                               a: pa.baseAddress!, lda: k, b: pb.baseAddress!, ldb: ldb, beta: beta,
                               c: pc.baseAddress!, ldc: n, threads: threads, kernel: kernel,
                               ignoreParallelThresholds: true, prepackedB: packed)
                }
            }
        }
        return c
    }

    func testPrepackedGivesTheSameBitsAsPackingPerCall() {
        let nc = GEMMBlocking.forKernel(.best).nc
        let shapes: [(m: Int, n: Int, k: Int)] = [
            (5, 33, 7), (40, 100, 700), (13, 512, 784), (130, 47, 1000), (9, nc + 40, 3),
        ]
        for kernel in GEMM.Kernel.allCases where kernel.isSupported {
            // Several depth blocks for this kernel's KC (1024 for AVX-512 on a 1 MiB L2).
            for (m, n, k) in shapes + [(14, 40, GEMMBlocking.forKernel(kernel).kc + 30)] {
                for transposeB in [false, true] {
                    for threads in [1, 2, 3] {
                        let beta: Float = threads == 2 ? 0.5 : 0
                        let expected = product(m: m, n: n, k: k, transposeB: transposeB, threads: threads, kernel: kernel,
                                               beta: beta, prepacked: false)
                        let got = product(m: m, n: n, k: k, transposeB: transposeB, threads: threads, kernel: kernel,
                                          beta: beta, prepacked: true)
                        XCTAssertEqual(got.map(\.bitPattern), expected.map(\.bitPattern),
                                       "\(kernel) \(m)×\(n)×\(k) transposeB \(transposeB) threads \(threads)")
                    }
                }
            }
        }
    }

    /// A B packed for other sizes or another kernel family is ignored, not misread.
    func testMismatchedPackingIsIgnored() {
        let b = lcgValues(20 * 30, seed: 3)
        let a = lcgValues(8 * 20, seed: 4)
        var expected = [Float](repeating: 0, count: 8 * 30), got = expected
        b.withUnsafeBufferPointer { pb in
            a.withUnsafeBufferPointer { pa in
                let other = GEMM.PackedB(transposeB: false, k: 10, n: 30, b: pb.baseAddress!, ldb: 30)
                expected.withUnsafeMutableBufferPointer { pc in
                    GEMM.sgemm(transposeA: false, transposeB: false, m: 8, n: 30, k: 20, alpha: 1, a: pa.baseAddress!,
                               lda: 20, b: pb.baseAddress!, ldb: 30, beta: 0, c: pc.baseAddress!, ldc: 30, threads: 1)
                }
                got.withUnsafeMutableBufferPointer { pc in
                    GEMM.sgemm(transposeA: false, transposeB: false, m: 8, n: 30, k: 20, alpha: 1, a: pa.baseAddress!,
                               lda: 20, b: pb.baseAddress!, ldb: 30, beta: 0, c: pc.baseAddress!, ldc: 30, threads: 1,
                               prepackedB: other)
                }
            }
        }
        XCTAssertEqual(got, expected)
    }
}
