import XCTest
@testable import Perceptron

final class MatrixTests: XCTestCase {
    func testShapeAndIndexing() {
        let m = Matrix([[1, 2, 3], [4, 5, 6]])
        XCTAssertEqual(m.rows, 2)
        XCTAssertEqual(m.columns, 3)
        XCTAssertEqual(m[1, 2], 6)
    }
}
