import Foundation
import Perceptron
@testable import PerceptronServe
@testable import PerceptronServeRequests
import XCTest

/// `JSONNumber.scan` against glibc's `strtod`, bit for bit (the sign of zero included): the
/// fast path must give the correctly rounded double, never a neighbour.
final class JSONNumberTests: XCTestCase {
    private func scanned(_ text: String) throws -> Double {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { raw in
            let (value, end) = try JSONNumber.scan(raw, from: 0)
            XCTAssertEqual(end, bytes.count, text)
            return value
        }
    }

    private func assertMatchesStrtod(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let expected = strtod(text, nil)
        do {
            let value = try scanned(text)
            XCTAssertEqual(value.bitPattern, expected.bitPattern, "\(text): \(value) vs strtod \(expected)", file: file, line: line)
            // The whole parser gives the same number.
            guard case .number(let parsed) = try JSONParser.parse(Data(text.utf8)) else { return XCTFail(text, file: file, line: line) }
            XCTAssertEqual(parsed.bitPattern, expected.bitPattern, text, file: file, line: line)
        } catch {
            XCTFail("\(text): \(error)", file: file, line: line)
        }
    }

    func testEdgeCasesMatchStrtod() {
        let edges = [
            "0", "-0", "-0.0", "0.0", "0e400", "-0e-400", "0.000", "1", "-1", "0.1", "0.2", "0.3", "1.5", "-2.5e3", "1e22", "1e23",
            "9007199254740991", "9007199254740992", "9007199254740993", "9007199254740993.0", "18014398509481985",
            "1e-22", "1e-23", "123456789012345678", "1234567890123456789", "12345678901234567890", "123456789012345678901234567890",
            "0.000000000000000000000000000001", "0.30000000000000004", "0.1000000000000000055511151231257827",
            "3.4028235e38", "3.4028236e38", "1e38", "1e39", "-1e39", "1e308", "1.7976931348623157e308", "1.7976931348623159e308",
            "1e309", "1e400", "-1e400", "1e-400", "4.9e-324", "5e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
            "2.2250738585072011e-308", "2.2250738585072014e-308", "1.17549435e-38", "1.4e-45", "7.006492321624085e-46",
            "1E+2", "1e+02", "1e-0", "255", "0.5", "784", "0.99609375", "2.220446049250313e-16", "1e99999999999999999999",
            "1e-99999999999999999999", "4503599627370496.5", "4503599627370497.5", "8.98846567431158e307", "100000000000000000000000",
            "0.00000000000000000000000000000000000000000001", "123.456e-300", "9999999999999999999", "99999999999999999999e-20",
        ]
        for text in edges { assertMatchesStrtod(text) }
    }

    /// 200,000 numbers from a seeded generator that mixes short and long mantissas, leading
    /// zeros, and exponents up to ±400 (denormals, overflow, the fast path's borders).
    func testRandomNumbersMatchStrtod() {
        var rng = SeededGenerator(seed: 0x5EED_2026)  // seeded, so a failure reproduces
        func digits(_ n: Int, leadingNonZero: Bool) -> String {
            var s = ""
            for i in 0..<n { s.append(Character(UnicodeScalar(UInt8(0x30 + (i == 0 && leadingNonZero ? 1 + rng.next() % 9 : rng.next() % 10))))) }
            return s
        }
        var mismatches = 0
        for _ in 0..<200_000 {
            var text = rng.next() % 2 == 0 ? "-" : ""
            let integerDigits = Int(rng.next() % 4 == 0 ? 0 : 1 + rng.next() % (rng.next() % 2 == 0 ? 8 : 25))
            text += integerDigits == 0 ? "0" : digits(integerDigits, leadingNonZero: true)
            if rng.next() % 2 == 0 {
                let zeros = rng.next() % 3 == 0 ? Int(rng.next() % 12) : 0
                text += "." + String(repeating: "0", count: zeros) + digits(1 + Int(rng.next() % (rng.next() % 2 == 0 ? 8 : 25)), leadingNonZero: false)
            }
            if rng.next() % 2 == 0 {
                let range: UInt64 = rng.next() % 2 == 0 ? 30 : 401
                text += (rng.next() % 2 == 0 ? "e" : "E") + ["", "+", "-"][Int(rng.next() % 3)] + String(rng.next() % range)
            }
            let expected = strtod(text, nil)
            guard let value = try? scanned(text), value.bitPattern == expected.bitPattern else {
                mismatches += 1
                if mismatches <= 10 { XCTFail("\(text): scan differs from strtod \(expected)") }
                continue
            }
        }
        XCTAssertEqual(mismatches, 0)
    }

    func testGrammarRefusals() {
        let bad: [(String, JSONNumber.Malformed.Reason, Int)] = [
            ("-", .noDigit, 1), ("-x", .noDigit, 1), ("01", .leadingZero, 1), ("-00", .leadingZero, 2), ("1.", .noFractionDigit, 2),
            ("1.e5", .noFractionDigit, 2), ("1e", .noExponentDigit, 2), ("1e+", .noExponentDigit, 3), ("1E-x", .noExponentDigit, 3),
            ("--1", .noDigit, 1),
        ]
        for (text, reason, offset) in bad {
            let bytes = Array(text.utf8)
            let result = bytes.withUnsafeBytes { raw in Result { () throws(JSONNumber.Malformed) in try JSONNumber.scan(raw, from: 0) } }
            guard case .failure(let error) = result else { XCTFail("\(text) was accepted"); continue }
            XCTAssertEqual(error.reason, reason, text)
            XCTAssertEqual(error.offset, offset, text)
            XCTAssertThrowsError(try JSONParser.parse(Data(text.utf8)), text)
        }
        // Not numbers at all for JSON (the parser refuses them before the scanner).
        for text in [".5", "+1", "NaN", "Infinity", "-Infinity", "0x10", "1e5.0"] {
            XCTAssertThrowsError(try JSONParser.parse(Data(text.utf8)), text)
        }
    }

    /// The scanner stops at the first byte that cannot continue the number.
    func testStopsAtTheNumbersEnd() throws {
        let bytes = Array("[12.5e1,-0]".utf8)
        try bytes.withUnsafeBytes { raw in
            let (value, end) = try JSONNumber.scan(raw, from: 1)
            XCTAssertEqual(value, 125)
            XCTAssertEqual(end, 7)
            let (zero, zeroEnd) = try JSONNumber.scan(raw, from: 8)
            XCTAssertEqual(zero.bitPattern, (-0.0).bitPattern)
            XCTAssertEqual(zeroEnd, 10)
        }
    }
}

