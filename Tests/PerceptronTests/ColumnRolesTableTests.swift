import Foundation
import XCTest
@testable import Perceptron
@testable import PerceptronData

/// The column roles table printed at train time and by `summary` (issue 8).
final class ColumnRolesTableTests: XCTestCase {
    func testEveryColumnHasARoleAndUnusedOnesAReason() throws {
        var lines = ["id,age,color,empty,y"]
        for i in 0..<12 { lines.append("\(i + 1),\(i % 2 == 0 ? "NA" : String(20 + i)),\(i % 3 == 0 ? "red" : "blue"),,\(i % 2)") }
        let pre = try Preprocessor.fit(try CSVTable.parse(lines.joined(separator: "\n")), options: .init(target: "y"))
        let rows = pre.roleRows
        XCTAssertEqual(rows.map(\.column), ["id", "age", "color", "empty", "y"])
        XCTAssertEqual(rows.map(\.role), ["not used", "numeric", "categorical", "not used", "target"])
        XCTAssertTrue(rows[0].detail.contains("row identifier"), rows[0].detail)
        // age: 21, 23, …, 31 present (6 values) → median 26.
        XCTAssertTrue(rows[1].detail.hasPrefix("missing → 26 (median); standardized: (x − 26) / "), rows[1].detail)
        XCTAssertTrue(rows[2].detail.hasPrefix("2 categories: blue, red; missing → blue (most frequent)"), rows[2].detail)
        XCTAssertTrue(rows[3].detail.contains("all missing"), rows[3].detail)
        XCTAssertEqual(rows[4].detail, "classification, 2 classes: 0, 1")
        let text = pre.rolesTable()
        XCTAssertTrue(text.hasPrefix("Column roles:\n  id   "), text)
        XCTAssertEqual(text.split(separator: "\n").count, 6)
    }
}
