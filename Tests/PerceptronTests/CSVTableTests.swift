import Foundation
import XCTest
@testable import Perceptron
@testable import PerceptronData

final class CSVTableTests: XCTestCase {
    func testQuotedCommasDoubledQuotesCRLFNoFinalNewlineEmptyFields() throws {
        let table = try CSVTable.read(contentsOf: fixtureURL("data/crlf_quoted.csv"))
        XCTAssertEqual(table.columnNames, ["id", "name", "score"])
        XCTAssertEqual(table.rowCount, 3)
        XCTAssertEqual(try table.column("name"), ["Smith, John", "O\"Brien", "plain"])
        XCTAssertEqual(try table.column("score"), ["3.5", "", "4"])  // empty field kept as missing
        XCTAssertEqual(table.lineNumbers, [2, 3, 4])
    }

    func testNoHeaderNamesColumnsByPosition() throws {
        let table = try CSVTable.read(contentsOf: fixtureURL("data/noheader.csv"), hasHeader: false)
        XCTAssertEqual(table.columnNames, ["1", "2", "3"])
        XCTAssertEqual(table.rowCount, 2)
        XCTAssertEqual(try table.column("3"), ["setosa", "versicolor"])
        XCTAssertEqual(table.lineNumbers, [1, 2])
    }

    func testColumnByNameOrPosition() throws {
        let table = try CSVTable.parse("a,b\n1,2\n")
        XCTAssertEqual(try table.columnIndex("b"), 1)
        XCTAssertEqual(try table.columnIndex("1"), 0)
        XCTAssertThrowsError(try table.columnIndex("c")) { error in
            XCTAssertEqual(error as? DataError, .unknownColumn(file: "<string>", column: "c", available: ["a", "b"]))
        }
    }

    func testRaggedRowNamesFileRowAndCounts() {
        let url = fixtureURL("data/ragged.csv")
        XCTAssertThrowsError(try CSVTable.read(contentsOf: url)) { error in
            XCTAssertEqual(error as? DataError, .raggedRow(file: url.path, row: 3, expected: 3, got: 2))
            XCTAssertTrue("\(error)".contains("row 3 has 2 fields, expected 3"))
        }
    }

    func testRowNumbersCountLinesInsideQuotedFields() {
        let text = "a,b\n1,\"two\nlines\"\n3\n"
        XCTAssertThrowsError(try CSVTable.parse(text, source: "t.csv")) { error in
            XCTAssertEqual(error as? DataError, .raggedRow(file: "t.csv", row: 4, expected: 2, got: 1))
        }
    }

    func testUnterminatedQuoteNamesItsLine() {
        XCTAssertThrowsError(try CSVTable.parse("a,b\r\n1,2\r\n3,\"open\r\n4,5\r\n", source: "q.csv")) { error in
            XCTAssertEqual(error as? DataError, .unterminatedQuote(file: "q.csv", row: 3))
        }
        XCTAssertNoThrow(try CSVTable.parse("a,b\n1,\"say \"\"hi\"\"\"\n"))
    }

    func testMissingAndEmptyFiles() {
        XCTAssertThrowsError(try CSVTable.read(contentsOf: URL(fileURLWithPath: "/no/such/file.csv"))) { error in
            XCTAssertEqual(error as? DataError, .fileNotFound(file: "/no/such/file.csv"))
        }
        let empty = fixtureURL("data/empty.csv")
        XCTAssertThrowsError(try CSVTable.read(contentsOf: empty)) { error in
            XCTAssertEqual(error as? DataError, .emptyFile(file: empty.path))
        }
        XCTAssertThrowsError(try CSVTable.parse("a,b\n")) { error in
            XCTAssertEqual(error as? DataError, .emptyFile(file: "<string>"))
        }
    }

    func testGzipDetectedByMagicNotName() throws {
        let table = try CSVTable.read(contentsOf: fixtureURL("data/gzipped_no_suffix.csv"))
        XCTAssertEqual(table.columnNames, ["x", "y"])
        XCTAssertEqual(try table.column("y"), ["2", "4"])
    }

    func testBlankLinesSkippedAndLFOnly() throws {
        let table = try CSVTable.parse("a,b\n\n1,2\n\n3,4")
        XCTAssertEqual(table.rowCount, 2)
        XCTAssertEqual(table.lineNumbers, [3, 5])
    }

    func testOtherDelimiter() throws {
        let table = try CSVTable.parse("1 2\n3 4\n", hasHeader: false, delimiter: " ")
        XCTAssertEqual(table.columns, [["1", "3"], ["2", "4"]])
    }

    func testSelectingRowsKeepsLineNumbers() throws {
        let table = try CSVTable.parse("a\n1\n2\n3\n")
        let subset = table.selectingRows([2, 0])
        XCTAssertEqual(subset.columns, [["3", "1"]])
        XCTAssertEqual(subset.lineNumbers, [4, 2])
    }
}
