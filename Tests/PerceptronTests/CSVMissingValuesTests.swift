import Foundation
import XCTest
@testable import Perceptron
@testable import PerceptronData

/// pandas' default missing-value markers, the replacement list, and numbers that are not
/// finite as Float (issue 8: a numeric column with NaN, NA, null, … was silently dropped).
final class CSVMissingValuesTests: XCTestCase {
    func testPandasMarkersReadAsMissingAndTheColumnStaysNumeric() throws {
        let text = "x,y\n1,0\nNaN,1\nNA,0\nN/A,1\nnull,0\n2,1\nNone,0\n#N/A,1\n<NA>,0\n3,1\n"
        let table = try CSVTable.parse(text)
        XCTAssertEqual(try table.column("x"), ["1", "", "", "", "", "2", "", "", "", "3"])
        let pre = try Preprocessor.fit(table, options: .init(target: "y"))
        XCTAssertEqual(pre.columns[0].role, .numeric(.standardize))
        XCTAssertEqual(pre.columns[0].fillValue, 2)  // median of 1, 2, 3
    }

    func testEveryDefaultMarker() throws {
        for marker in MissingValues.pandasDefaults.sorted() where !marker.isEmpty {
            let table = try CSVTable.parse("x\n\"\(marker)\"\n", source: "m.csv")
            XCTAssertEqual(try table.column("x"), [""], marker)
        }
        XCTAssertEqual(MissingValues.pandasDefaults.count, 19)
    }

    func testHeaderNamesAreNotMissingMarkers() throws {
        let table = try CSVTable.parse("NA,null\n1,2\n")
        XCTAssertEqual(table.columnNames, ["NA", "null"])
    }

    func testNAValuesListReplacesTheDefaults() throws {
        let markers = MissingValues.parseList("?, -999")
        let table = try CSVTable.parse("x,t\n?,NA\n-999,b\n4,c\n", missingValues: markers)
        XCTAssertEqual(try table.column("x"), ["", "", "4"])
        XCTAssertEqual(try table.column("t"), ["NA", "b", "c"])  // NA is text once the list is replaced
    }

    func testNonFiniteNumberNamesFileLineAndColumn() {
        for value in ["1e308", "inf", "-Infinity", "3.5e38"] {
            let table = try! CSVTable.parse("a,x,y\n1,2,0\n3,\(value),1\n", source: "big.csv")
            XCTAssertThrowsError(try Preprocessor.fit(table, options: .init(target: "y")), value) { error in
                XCTAssertEqual(error as? DataError, .nonFiniteValue(file: "big.csv", row: 3, column: "x", value: value))
                XCTAssertTrue("\(error)".hasPrefix("big.csv: line 3, column \"x\": \"\(value)\" is not a finite number"), "\(error)")
            }
        }
        // The largest Float is still accepted.
        XCTAssertNoThrow(try Preprocessor.fit(try CSVTable.parse("x,y\n3.4e38,0\n1,1\n"), options: .init(target: "y")))
    }

    func testNonFiniteAtTransformAndInARegressionTarget() throws {
        let pre = try Preprocessor.fit(try CSVTable.parse("x,y\n1,0.5\n2,1.5\n"), options: .init(target: "y"))
        XCTAssertThrowsError(try pre.transformFeatures(try CSVTable.parse("x\n1\n-inf\n", source: "p.csv"))) { error in
            XCTAssertEqual(error as? DataError, .nonFiniteValue(file: "p.csv", row: 3, column: "x", value: "-inf"))
        }
        XCTAssertThrowsError(try Preprocessor.fit(try CSVTable.parse("x,y\n1,0.5\n2,1e300\n", source: "r.csv"),
                                                  options: .init(target: "y"))) { error in
            XCTAssertEqual(error as? DataError, .nonFiniteValue(file: "r.csv", row: 3, column: "y", value: "1e300"))
        }
    }

    func testAllMissingAndStrayTextAreSaidInTheNotes() throws {
        var lines = ["empty,stray,y"]
        for i in 0..<12 { lines.append("NA,\(i == 7 ? "?" : String(i % 3)),\(i % 2)") }
        let pre = try Preprocessor.fit(try CSVTable.parse(lines.joined(separator: "\n"), source: "s.csv"),
                                       options: .init(target: "y"))
        XCTAssertEqual(pre.columns.map(\.role), [.ignored, .categorical])
        XCTAssertTrue(pre.notes.contains { $0.hasPrefix("empty: ignored: all missing") }, "\(pre.notes)")
        // Line 9 holds row 8 (i = 7): the header is line 1.
        XCTAssertTrue(pre.notes.contains { $0.hasPrefix("stray: categorical") && $0.contains("1 non-numeric value among 11 numbers, the first \"?\" at line 9") },
                      "\(pre.notes)")
    }
}
