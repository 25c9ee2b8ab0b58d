import XCTest
@testable import Perceptron

/// `Matrix.multiplyPair` gives the bits of two separate `Matrix.multiply` calls, whether
/// the pair runs side by side (2 threads) or one after the other.
final class ProductPairTests: XCTestCase {
    private func matrix(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        let values = (0..<(rows * columns)).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2_000_000) / 1_000_000 - 1
        }
        return Matrix(rows: rows, columns: columns, elements: values)
    }

    func testPairMatchesSeparateProductsAtEveryThreadCount() throws {
        let saved = ComputeSettings.threadCount
        defer { try? ComputeSettings.setThreadCount(saved) }
        // A layer's backward products: dW = xᵀ·δ (40×30, k = 64) and dX = δ·Wᵀ (64×40,
        // k = 30); each has 76,800 multiply–adds, above minimumPairWork, so with 2 threads
        // they really run concurrently. The small case stays below it.
        for (batch, fanIn, fanOut) in [(64, 40, 30), (300, 70, 50), (5, 3, 2)] {
            let x = matrix(batch, fanIn, seed: 1), delta = matrix(batch, fanOut, seed: 2), w = matrix(fanIn, fanOut, seed: 3)
            var expectedW = Matrix(rows: 0, columns: 0), expectedX = Matrix(rows: 0, columns: 0)
            try ComputeSettings.setThreadCount(1)
            Matrix.multiply(x, delta, transposeA: true, into: &expectedW)
            Matrix.multiply(delta, w, transposeB: true, into: &expectedX)
            for threads in [1, 2, 3] {
                try ComputeSettings.setThreadCount(threads)
                var gotW = Matrix(rows: 1, columns: 1), gotX = Matrix(rows: 0, columns: 0)
                Matrix.multiplyPair(x, delta, transposeA1: true, into: &gotW, delta, w, transposeB2: true, into: &gotX)
                XCTAssertEqual(gotW.rows, fanIn)
                XCTAssertEqual(gotW.columns, fanOut)
                XCTAssertEqual(gotW.elements.map(\.bitPattern), expectedW.elements.map(\.bitPattern), "dW, \(threads) threads")
                XCTAssertEqual(gotX.elements.map(\.bitPattern), expectedX.elements.map(\.bitPattern), "dX, \(threads) threads")
            }
        }
    }

    func testEmptyDepthGivesZeros() throws {
        let saved = ComputeSettings.threadCount
        defer { try? ComputeSettings.setThreadCount(saved) }
        try ComputeSettings.setThreadCount(2)
        let a = Matrix(rows: 0, columns: 4), b = Matrix(rows: 0, columns: 3)
        var c1 = Matrix(rows: 0, columns: 0), c2 = Matrix(rows: 0, columns: 0)
        Matrix.multiplyPair(a, b, transposeA1: true, into: &c1, a, b, transposeA2: true, into: &c2)
        XCTAssertEqual(c1, Matrix(rows: 4, columns: 3))
        XCTAssertEqual(c2, Matrix(rows: 4, columns: 3))
    }
}
