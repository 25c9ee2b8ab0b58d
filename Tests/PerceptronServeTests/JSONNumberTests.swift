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

    /// `scan` (the eight-bytes-at-a-time short form first) against `scanGeneral` (digit by
    /// digit) with the number inside a longer body, so that the short form has the eight
    /// bytes it reads: the same value bits and end, or the same refusal at the same byte.
    private func assertShortFormAgrees(_ text: String, tail: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> Bool {
        let bytes = Array(text.utf8) + tail
        return bytes.withUnsafeBytes { raw in
            let viaScan = Result { () throws(JSONNumber.Malformed) in try JSONNumber.scan(raw, from: 0) }
            let viaGeneral = Result { () throws(JSONNumber.Malformed) in try JSONNumber.scanGeneral(raw, from: 0) }
            switch (viaScan, viaGeneral) {
            case (.success(let a), .success(let b)):
                XCTAssertEqual(a.value.bitPattern, b.value.bitPattern, "\(text)|\(tail)", file: file, line: line)
                XCTAssertEqual(a.end, b.end, "\(text)|\(tail)", file: file, line: line)
                let consumed = String(decoding: bytes[..<a.end], as: UTF8.self)
                XCTAssertEqual(a.value.bitPattern, strtod(consumed, nil).bitPattern, "\(consumed) vs strtod", file: file, line: line)
            case (.failure(let a), .failure(let b)):
                XCTAssertEqual(a.reason, b.reason, "\(text)|\(tail)", file: file, line: line)
                XCTAssertEqual(a.offset, b.offset, "\(text)|\(tail)", file: file, line: line)
            default:
                XCTFail("\(text)|\(tail): scan \(viaScan) vs general \(viaGeneral)", file: file, line: line)
            }
            return JSONNumber.shortDecimal(raw, from: 0) != nil
        }
    }

    func testShortFormAgreesWithTheGeneralScan() {
        // Bytes ≥ 0xFA (not UTF-8, but a body is bytes) carry out of their byte in the digit test.
        let tails: [[UInt8]] = [[0xFF, 0xFA, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30], [0x2C, 0xFB, 0xFF, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39]]
            + [",0,0,0,0,0,0,0,0", "]]}        ", "        ", "}", "", ",", "e5,0,0,0,0,0,0", "E+2        ", ".5.5.5.5.5",
                     "x0000000000", "\u{FF}\u{FE}0000000", "\u{7F}00000000", "/:;<=>?@ABCDEF", "\u{00}\u{00}\u{00}\u{00}\u{00}\u{00}\u{00}\u{00}"].map { Array($0.utf8) }
        let edges = [
            "0", "-0", "0.0", "-0.0", "0.000", "-0.0000000", "1", "-1", "9", "1234567", "12345678", "123456789", "0.1234567",
            "0.12345678", "1234567.1234567", "1234567.12345678", "9999999.9999999", "0.5", "0.517647", "0.00392157", "0.0000001",
            "0.00000001", "255", "784", "1.5", "-2.5", "10", "100", "1000000", "01", "-01", "00", "1.", "-", "-x", ".5", "1e5",
            "1.5e3", "0e0", "1E2", "0.1e1", "--1", "- 1", "7.", "3.4028235", "100.001", "0.32941176470588235",
            "0.3294117748737335", "-0.0039215686274509803", "0.0", "-0.0", "0.00", "0.0e1", "0.05", "0.0.", "1.0",
            "1234567.123456789012", "1234567.1234567890123", "0.123456789012345678", "0.1234567890123456789", "9.99999999999999999",
            "1.0000000000000000", "0.4196078431372549", "0.12345678", "0.1234567812345678", "0.12345678123456781234",
        ]
        var shortTaken = 0
        for text in edges {
            for tail in tails where assertShortFormAgrees(text, tail: tail) { shortTaken += 1 }
        }
        // Random short decimals (the form the short path takes, and its borders: 7 and 8
        // digits, fractions of one to three words, 19 and 20 digits in all, leading zeros
        // of the fraction), each before a random tail.
        var rng = SeededGenerator(seed: 0x5407_2026)
        func digits(_ n: Int) -> String { String((0..<n).map { _ in Character(UnicodeScalar(UInt8(0x30 + rng.next() % 10))) }) }
        for _ in 0..<100_000 {
            var text = rng.next() % 3 == 0 ? "-" : ""
            let integer = Int(rng.next() % 9)
            text += integer == 0 ? "0" : String(1 + rng.next() % 9) + digits(integer - 1)
            if rng.next() % 4 != 0 { text += "." + digits(1 + Int(rng.next() % (rng.next() % 2 == 0 ? 9 : 22))) }
            _ = assertShortFormAgrees(text, tail: tails[Int(rng.next() % UInt64(tails.count))])
        }
        XCTAssertGreaterThan(shortTaken, 100, "the short form was hardly exercised")
    }
}
