import CPerceptronKernels
import XCTest
@testable import Perceptron

/// Column sums split by column ranges and the finiteness check split by element ranges
/// over the worker pool. The column sums keep each column's row order, so they must equal
/// the one-thread kernel's bits exactly (no tolerance); the check must find a non-finite
/// value in any part.
final class ParallelReductionTests: XCTestCase {
    func testColumnSumsMatchOneThreadBits() throws {
        let saved = ComputeSettings.threadCount
        defer { try? ComputeSettings.setThreadCount(saved) }
        for (rows, cols) in [(1000, 512), (300, 130), (2000, 17), (3, 40_000)] {
            let x = lcgValues(rows * cols, seed: UInt64(rows + cols), range: 1_000)
            var reference = [Float](repeating: .nan, count: cols)
            pk_sum_columns(rows, cols, x, &reference)
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
}
