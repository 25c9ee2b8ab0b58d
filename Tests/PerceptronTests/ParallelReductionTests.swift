import CPerceptronKernels
import XCTest
@testable import Perceptron

/// Column sums split by column ranges and the finiteness check split by element ranges
/// over the worker pool. The column sums keep each column's row order, so they must equal
/// the one-thread kernel's bits exactly (no tolerance); the check must find a non-finite
/// value in any part. ReLU's backward pass, split the same way, must give the formula's bits.
final class ParallelReductionTests: XCTestCase {
    func testColumnSumsMatchOneThreadBits() throws {
        let saved = ComputeSettings.threadCount
        defer { try? ComputeSettings.setThreadCount(saved) }
        for (rows, cols) in [(1000, 512), (300, 130), (2000, 17), (3, 40_000)] {
            let x = lcgValues(rows * cols, seed: UInt64(rows + cols), range: 1_000)
            var reference = [Float](repeating: .nan, count: cols)
            pk_sum_columns(rows, cols, x, &reference)
            // The kernel (AVX-512 where the CPU has it) adds each column's rows in order:
            // the bits of a plain Float loop.
            var rowOrder = [Float](repeating: 0, count: cols)
            for i in 0..<rows { for j in 0..<cols { rowOrder[j] += x[i * cols + j] } }
            XCTAssertEqual(reference.map(\.bitPattern), rowOrder.map(\.bitPattern), "\(rows)×\(cols), the kernel")
            for threads in [1, 2, 3] {
                try ComputeSettings.setThreadCount(threads)
                let sums = Matrix(rows: rows, columns: cols, elements: x).sumColumns()
                XCTAssertEqual(sums.withUnsafeBufferPointer { $0.map(\.bitPattern) }, reference.map(\.bitPattern),
                               "\(rows)×\(cols), \(threads) threads")
            }
        }
    }

    func testFinitenessCheckSeesEveryPart() throws {
        let saved = ComputeSettings.threadCount
        defer { try? ComputeSettings.setThreadCount(saved) }
        let count = 200_000
        for threads in [1, 2, 3] {
            try ComputeSettings.setThreadCount(threads)
            XCTAssertTrue(Matrix(rows: 1, columns: count, elements: lcgValues(count, seed: 1, range: 1_000)).isFinite)
            for position in [0, count / 2 - 1, count / 2, count - 1] {
                for bad in [Float.nan, .infinity, -.infinity] {
                    var x = lcgValues(count, seed: 1, range: 1_000)
                    x[position] = bad
                    XCTAssertFalse(Matrix(rows: 1, columns: count, elements: x).isFinite, "\(bad) at \(position), \(threads) threads")
                }
            }
        }
        XCTAssertTrue(Matrix(rows: 0, columns: 5).isFinite)
    }

    /// Every position of short vectors (one thread, below the split): the AVX-512 kernel's
    /// four 16-lane sums, its one-vector loop and its scalar tail each see a bad value.
    func testFinitenessCheckSeesEveryPositionOffTheVectorWidths() {
        for count in [1, 15, 16, 17, 63, 64, 65, 100, 131] {
            XCTAssertTrue(Matrix(rows: 1, columns: count, elements: lcgValues(count, seed: 2, range: 1_000)).isFinite)
            for position in 0..<count {
                var x = lcgValues(count, seed: 2, range: 1_000)
                x[position] = position % 2 == 0 ? .nan : -.infinity
                XCTAssertFalse(Matrix(rows: 1, columns: count, elements: x).isFinite, "\(x[position]) at \(position) of \(count)")
            }
        }
    }

    /// ReLU's backward pass (out = z > 0 ? g : 0) in its vector kernels (AVX-512, AVX2)
    /// and their scalar tails: the formula's exact values, +0 where z ≤ 0 or z is NaN, −0
    /// and NaN gradients passed through where z > 0, lengths off the vector widths.
    func testReluBackwardIsTheFormulaBitForBit() {
        for count in [1, 7, 8, 9, 16, 31, 33, 1001] {
            var z = lcgValues(count, seed: 3, range: 2)
            var g = [Float](repeating: 0, count: count)
            for i in 0..<count {
                if i % 5 == 0 { g[i] = -0.0 } else if i % 7 == 0 { g[i] = .nan } else { g[i] = Float(i) - 500.5 }
            }
            if count > 3 { z[2] = .nan; z[3] = 0 }
            var out = [Float](repeating: 1, count: count)
            g.withUnsafeBufferPointer { pg in
                z.withUnsafeBufferPointer { pz in
                    out.withUnsafeMutableBufferPointer { po in
                        ParallelKernels.reluBackward(count, pg.baseAddress!, pz.baseAddress!, po.baseAddress!)
                    }
                }
            }
            var expected = [UInt32](repeating: 0, count: count)
            for i in 0..<count { expected[i] = (z[i] > 0 ? g[i] : Float(0)).bitPattern }
            XCTAssertEqual(out.map { $0.bitPattern }, expected, "length \(count)")
        }
    }
}
