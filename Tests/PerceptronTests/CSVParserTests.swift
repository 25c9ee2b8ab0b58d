import Foundation
import XCTest
@testable import Perceptron
@testable import PerceptronData

/// The byte-level reader behind CSVTable: RFC 4180 cases, typed columns, exact numbers.
final class CSVParserTests: XCTestCase {
    func testByteOrderMarkCROnlyAndFinalDelimiter() throws {
        let table = try CSVTable.parse("\u{FEFF}a,b,c\r1,2,\r3,4,5", source: "m.csv")
        XCTAssertEqual(table.columnNames, ["a", "b", "c"])
        XCTAssertEqual(try table.column("c"), ["", "5"])
        XCTAssertEqual(table.lineNumbers, [2, 3])
    }

    func testNumericColumnsAreStoredAsNumbersAndQuotedNumbersCount() throws {
        let table = try CSVTable.parse("x,y,t\n\"1.5\",-2e3,a\n,+0.25,b\n")
        guard case .numbers(let x, nil) = table.columnValues[0], case .numbers(let y, nil) = table.columnValues[1] else {
            return XCTFail("\(table.columnValues)")
        }
        XCTAssertEqual(x[0], 1.5)
        XCTAssertTrue(x[1].isNaN)  // missing
        XCTAssertEqual(y, [-2000, 0.25])
        XCTAssertEqual(table.columnValues[2], .text(["a", "b"]))
    }

    func testAColumnTurningTextLateKeepsItsExactEarlierText() throws {
        // 1,500 numbers written as "1.50", then a word: the first rows are read again, so
        // the text column holds "1.50", not "1.5".
        var lines = ["v,w"]
        for i in 0..<1500 { lines.append("1.50,\(i)") }
        lines.append("word,1500")
        let table = try CSVTable.parse(lines.joined(separator: "\n"))
        guard case .text(let v) = table.columnValues[0] else { return XCTFail("v should be text") }
        XCTAssertEqual(v.count, 1501)
        XCTAssertEqual(v[0], "1.50")
        XCTAssertEqual(v[1499], "1.50")
        XCTAssertEqual(v[1500], "word")
        XCTAssertEqual(table.columnValues[1].count, 1501)
    }

    func testQuotedFieldsDoubledQuotesTextAfterTheQuoteAndLiteralQuotes() throws {
        let table = try CSVTable.parse("a,b\n\"x\"\"y\",\"q\"r\n5'10\",\"line\nbreak\"\n")
        XCTAssertEqual(try table.column("a"), ["x\"y", "5'10\""])
        XCTAssertEqual(try table.column("b"), ["qr", "line\nbreak"])
        XCTAssertEqual(table.lineNumbers, [2, 3])
    }

    func testRaggedRowWithMoreFieldsAndInvalidUTF8() {
        XCTAssertThrowsError(try CSVTable.parse("a,b\n1,2\n3,4,5,6\n", source: "r.csv")) { error in
            XCTAssertEqual(error as? DataError, .raggedRow(file: "r.csv", row: 3, expected: 2, got: 4))
        }
        var bytes = Array("a,b\n1,x".utf8)
        bytes.append(0xFF)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertNoThrow(try Data(bytes).write(to: url))
        XCTAssertThrowsError(try CSVTable.read(contentsOf: url)) { error in
            XCTAssertEqual(error as? DataError, .invalidEncoding(file: url.path))
        }
    }

    func testFastNumbersEqualTheStandardLibrarysExactParse() {
        // The fast path must round exactly as Double(String) does; anything it cannot do
        // exactly (20+ digits, exponents past 22) goes to Double(String) itself.
        var generator = SystemRandomNumberGenerator()
        var texts = ["0", "-0", "1e22", "9007199254740993", "0.1", "123456789012345678", "1.7976931348623157e308",
                     "4.9e-324", "2.2250738585072014e-308", "0.30000000000000004", "1e-7", "-3.4028235e38", "12345678901234567890"]
        for _ in 0..<3_000 {
            let digits = Int.random(in: 1...19, using: &generator)
            let mantissa = (0..<digits).map { _ in String(Int.random(in: 0...9, using: &generator)) }.joined()
            let point = Int.random(in: 0...digits, using: &generator)
            var text = String(mantissa.prefix(point)) + "." + String(mantissa.dropFirst(point))
            if Bool.random(using: &generator) { text += "e\(Int.random(in: -30...30, using: &generator))" }
            texts.append(Bool.random(using: &generator) ? "-" + text : text)
        }
        for text in texts {
            var bytes = Array(text.utf8)
            let fast = bytes.withUnsafeMutableBufferPointer { DecimalNumber.parse($0.baseAddress!, count: $0.count) }
            if let fast { XCTAssertEqual(fast.bitPattern, Double(text)!.bitPattern, text) }
            let table = try! CSVTable.parse("x\n\(text)\n")
            guard case .numbers(let values, _) = table.columnValues[0] else { return XCTFail(text) }
            XCTAssertEqual(values[0].bitPattern, Double(text)!.bitPattern, text)
        }
    }
}
