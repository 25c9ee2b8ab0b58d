import XCTest
@testable import Perceptron

final class MatrixTests: XCTestCase {
    func testShapeAndIndexing() {
        let m = Matrix([[1, 2, 3], [4, 5, 6]])
        XCTAssertEqual(m.rows, 2)
        XCTAssertEqual(m.columns, 3)
        XCTAssertEqual(m[1, 2], 6)
    }

    func testGatherRowsOfALargeMatrixSplitOverThreads() throws {
        // 600 × 256 = 153,600 elements: above ParallelKernels.minimumElements, so with 2
        // threads the rows are copied in two ranges; the result must not depend on it.
        let saved = ComputeSettings.threadCount
        defer { try? ComputeSettings.setThreadCount(saved) }
        let source = Matrix(rows: 700, columns: 256, elements: (0..<(700 * 256)).map { Float($0) })
        let order = Array((0..<700).reversed())
        let indices = order[50..<650]
        for threads in [1, 2] {
            try ComputeSettings.setThreadCount(threads)
            var gathered = Matrix(rows: 1, columns: 1)
            source.gatherRows(indices, into: &gathered)
            XCTAssertEqual(gathered.rows, 600)
            XCTAssertEqual(gathered.columns, 256)
            for (r, i) in indices.enumerated() {
                XCTAssertEqual(gathered.row(r), source.row(i), "row \(r) from \(i), \(threads) threads")
            }
        }
    }
}
