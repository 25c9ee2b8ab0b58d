import XCTest
@testable import Perceptron

/// ``MatrixStorage``: every way a matrix gets its elements leaves element 0 on a 64-byte
/// boundary, and copies stay independent (copy-on-write).
final class MatrixStorageTests: XCTestCase {
    private func isAligned(_ m: Matrix) -> Bool {
        m.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) % MatrixStorage.alignment == 0 }
    }

    func testEveryConstructorAlignsTheFirstElement() {
        // 0 and 1 element, a row not a multiple of 16, a layer's 784 × 512 (a large block, from mmap).
        for (rows, columns) in [(0, 0), (1, 1), (3, 7), (784, 512)] {
            XCTAssertTrue(isAligned(Matrix(rows: rows, columns: columns)), "\(rows)×\(columns) zeros")
            let values = (0..<(rows * columns)).map { Float($0) }
            XCTAssertTrue(isAligned(Matrix(rows: rows, columns: columns, elements: values)), "\(rows)×\(columns) elements")
            XCTAssertTrue(isAligned(Matrix(rows: rows, columns: columns) { $0.update(repeating: 1) }), "\(rows)×\(columns) initializer")
        }
        let m = Matrix(rows: 5, columns: 3, elements: (0..<15).map(Float.init))
        XCTAssertTrue(isAligned(m.gatherRows(1..<4)))
        XCTAssertTrue(isAligned(m.transposed))
        XCTAssertTrue(isAligned(m.map { $0 + 1 }))
        XCTAssertTrue(isAligned(m.gatherRows([4, 0])))
    }

    func testAWriteToACopyLeavesTheOriginalAndStaysAligned() {
        let original = Matrix(rows: 2, columns: 3, elements: [1, 2, 3, 4, 5, 6])
        var bySubscript = original
        bySubscript[0, 0] = 10
        var byPointer = original
        byPointer.withUnsafeMutableBufferPointer { $0[5] = 60 }
        var byResize = original
        byResize.resize(rows: 1, columns: 3)
        XCTAssertEqual(original.elements, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(bySubscript.elements, [10, 2, 3, 4, 5, 6])
        XCTAssertEqual(byPointer.elements, [1, 2, 3, 4, 5, 60])
        XCTAssertEqual(byResize.elements, [1, 2, 3])
        for copy in [bySubscript, byPointer, byResize] { XCTAssertTrue(isAligned(copy)) }
    }

    func testResizeKeepsTheBufferAndZeroesNewElements() {
        var m = Matrix(rows: 4, columns: 4, repeating: 7)
        let before = m.withUnsafeBufferPointer { $0.baseAddress }
        m.resize(rows: 2, columns: 3)  // smaller: the same buffer, the first 6 values kept
        XCTAssertEqual(m.elements, [7, 7, 7, 7, 7, 7])
        m.resize(rows: 4, columns: 4)  // back within capacity: no new buffer, new elements 0
        XCTAssertEqual(m.withUnsafeBufferPointer { $0.baseAddress }, before)
        XCTAssertEqual(m.elements, [7, 7, 7, 7, 7, 7] + [Float](repeating: 0, count: 10))
        m.resize(rows: 5, columns: 5)  // beyond capacity: a new aligned buffer, values kept
        XCTAssertTrue(isAligned(m))
        XCTAssertEqual(Array(m.elements.prefix(6)), [7, 7, 7, 7, 7, 7])
        XCTAssertEqual(Array(m.elements.dropFirst(6)), [Float](repeating: 0, count: 19))
    }

    func testEqualityIsElementwiseAsForArrays() {
        let a = Matrix(rows: 1, columns: 2, elements: [0, .nan])
        XCTAssertEqual(a, a)  // one shared buffer is equal to itself, as [Float]'s == says
        XCTAssertNotEqual(a, Matrix(rows: 1, columns: 2, elements: [0, .nan]))  // NaN ≠ NaN
        XCTAssertEqual(Matrix(rows: 1, columns: 2, elements: [-0.0, 1]), Matrix(rows: 1, columns: 2, elements: [0, 1]))
        XCTAssertNotEqual(Matrix(rows: 1, columns: 2, elements: [1, 2]), Matrix(rows: 2, columns: 1, elements: [1, 2]))
    }
}
