import CPerceptronKernels
import XCTest

/// The transposing copy under `pk_transpose`, the packing of a transposed B (xᵀ of a
/// batch-32 product) and of row-major A panels: rows go 16 at a time through AVX-512
/// registers, then 8 through AVX, 4 through SSE, and the rest one by one, each only where
/// the CPU has the instructions. A copy must put every float, unchanged or times α, in its
/// transposed place: compared bit for bit with a plain loop, for row and column counts that
/// end in every one of those stages, with strides wider than the rows.
final class TransposeCopyTests: XCTestCase {
    func testTransposePutsEveryFloatInItsTransposedPlace() {
        let counts = [1, 3, 4, 7, 8, 12, 15, 16, 17, 24, 31, 32, 33, 40, 64, 100]
        for rows in counts {
            for cols in [1, 4, 5, 32, 33] {
                let ldSource = cols + 3, ldDestination = rows + 5
                let source = lcgValues(rows * ldSource, seed: UInt64(rows * 100 + cols))
                let sentinel = Float(-7)
                var destination = [Float](repeating: sentinel, count: cols * ldDestination)
                pk_transpose(rows, cols, source, ldSource, &destination, ldDestination)
                for j in 0..<cols {
                    for i in 0..<ldDestination {
                        let expected = i < rows ? source[i * ldSource + j] : sentinel  // padding untouched
                        if destination[j * ldDestination + i].bitPattern != expected.bitPattern {
                            XCTFail("\(rows) × \(cols): destination[\(j), \(i)] = \(destination[j * ldDestination + i]), expected \(expected)")
                            return
                        }
                    }
                }
            }
        }
    }

    /// Packing row-major A (its rows run along the panel's depth, so packing transposes)
    /// with α ≠ 1: panel element (p, r) must be α·A(r, p), rounded once, and zero past the
    /// last row, for every kernel family the CPU runs (AVX-512's 12-row panels take the
    /// 8-row AVX stage and then 4-row SSE one).
    func testPackingRowMajorAScalesEachFloatOnce() {
        let alpha: Float = 0.3
        for isa in [PK_ISA_SCALAR, PK_ISA_AVX2, PK_ISA_AVX512] where pk_sgemm_isa_supported(isa) != 0 {
            let mr = pk_sgemm_mr(isa)
            for (mc, kc) in [(mr, 37), (2 * mr + 3, 16), (mr - 1, 5)] {
                let lda = kc + 2
                let a = lcgValues(mc * lda, seed: UInt64(mc * 7 + kc))
                var packed = [Float](repeating: .nan, count: pk_sgemm_packed_a_size(isa, mc, kc))
                pk_sgemm_pack_a(isa, mc, kc, a, lda, 1, alpha, &packed)
                for panel in 0..<(mc + mr - 1) / mr {
                    for p in 0..<kc {
                        for r in 0..<mr {
                            let row = panel * mr + r
                            let expected = row < mc ? alpha * a[row * lda + p] : 0
                            let got = packed[panel * mr * kc + p * mr + r]
                            if got.bitPattern != expected.bitPattern {
                                XCTFail("isa \(isa) \(mc) × \(kc): panel \(panel) (\(p), \(r)) = \(got), expected \(expected)")
                                return
                            }
                        }
                    }
                }
            }
        }
    }
}
