import Foundation
import XCTest
@testable import Perceptron
@testable import PerceptronData

/// The delimiter: given, or chosen among , ; tab | from the first lines (issue 13: a
/// `;`-separated file could not be read from the command line).
final class CSVDelimiterTests: XCTestCase {
    func testSniffsSemicolonTabAndPipe() throws {
        for (delimiter, name) in [(";", "';'"), ("\t", "tab"), ("|", "'|'")] {
            let text = ["a", "b", "c"].joined(separator: delimiter) + "\n" + ["1", "2.5", "x"].joined(separator: delimiter) + "\n"
            let table = try CSVTable.parse(text, source: "s.csv")
            XCTAssertEqual(table.columnNames, ["a", "b", "c"], name)
            XCTAssertEqual(try table.column("b"), ["2.5"])
            XCTAssertTrue(table.notes.contains { $0.contains("fields separated by \(name) (detected") }, "\(table.notes)")
        }
    }

    func testHeaderDecidesBetweenDecimalCommasAndSemicolons() throws {
        // Every line has one comma (a decimal comma) and one ';' except the header.
        let table = try CSVTable.parse("x;y\n1,5;2\n3,5;4\n")
        XCTAssertEqual(table.columnNames, ["x", "y"])
        XCTAssertEqual(try table.column("x"), ["1,5", "3,5"])
    }

    func testDelimitersInsideQuotesDoNotCount() throws {
        let table = try CSVTable.parse("name;score\n\"Smith, John\";3\n\"Doe, Jane\";4\n")
        XCTAssertEqual(try table.column("name"), ["Smith, John", "Doe, Jane"])
    }

    func testCommaWhenNothingElseIsConsistentAndNoNote() throws {
        let table = try CSVTable.parse("a,b\n1,2\n")
        XCTAssertEqual(table.columnNames, ["a", "b"])
        XCTAssertEqual(table.notes, [])
        XCTAssertEqual(try CSVTable.parse("only\n1\n2\n").columnNames, ["only"])
    }

    func testGivenDelimiterWinsAndABadOneIsRefused() throws {
        let table = try CSVTable.parse("a;b\n1;2\n", delimiter: ",")
        XCTAssertEqual(table.columnNames, ["a;b"])
        XCTAssertThrowsError(try CSVTable.parse("a\n1\n", delimiter: "\"")) { error in
            guard case .invalidConfiguration(let message)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("delimiter"), message)
        }
    }
}
