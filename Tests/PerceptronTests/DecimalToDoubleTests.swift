import Foundation
import XCTest
@testable import Perceptron
@testable import PerceptronData

/// `DecimalToDouble` against glibc's `strtod`, bit for bit: when it returns a double it
/// must be the correctly rounded one; it may only decline (nil). And the table behind its
/// Eisel–Lemire route, checked by multiplication alone (the table is built by division).
final class DecimalToDoubleTests: XCTestCase {
    /// m · 10^q written out for strtod.
    private func strtodValue(_ mantissa: UInt64, _ exponent: Int) -> Double {
        strtod("\(mantissa)e\(exponent)", nil)
    }

    private func assertAgrees(_ mantissa: UInt64, _ exponent: Int, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        guard let value = DecimalToDouble.nearest(mantissa: mantissa, exponent: exponent) else { return false }
        let expected = strtodValue(mantissa, exponent)
        XCTAssertEqual(value.bitPattern, expected.bitPattern, "\(mantissa)e\(exponent): \(value) vs strtod \(expected)", file: file, line: line)
        return true
    }

    /// Every double printed with 17 significant digits (what `repr`, `json.dumps` and
    /// `String(describing:)` may write) converts back to itself, and the fast route decides
    /// nearly all of them. The declined share is about 1 in 1,000 for arbitrary digits, and
    /// 1 in 255 of the pixels (1.0000000000000000: exact, so the truncated power of five puts
    /// it one below a boundary); bounded here at 0.5 %, so that the route is not bypassed.
    func testPrintedDoublesRoundTrip() {
        var rng = SeededGenerator(seed: 0xE15E_1E41)   // seeded, so a failure reproduces
        var decided = 0
        let count = 100_000
        for i in 0..<count {
            // Normal doubles of every exponent, and pixel-like values k/255 in [0, 1].
            let value = i % 2 == 0
                ? Double(sign: .plus, exponent: Int(rng.next() % 2040) - 1020, significand: 1 + Double(rng.next() % (1 << 52)) / Double(1 << 52))
                : Double(1 + rng.next() % 255) / 255
            let text = String(format: "%.16e", value)   // 17 significant digits
            let parts = text.split(separator: "e")
            let digits = parts[0].replacingOccurrences(of: ".", with: "")
            let mantissa = UInt64(digits)!
            let exponent = Int(parts[1])! - 16
            XCTAssertEqual(strtodValue(mantissa, exponent).bitPattern, value.bitPattern, text)
            if assertAgrees(mantissa, exponent) { decided += 1 }
        }
        XCTAssertGreaterThan(decided, count * 995 / 1000, "the Eisel–Lemire route declined too often")
    }

    /// Random 1-19 digit significands with exponents beyond the table (−360…330): zero,
    /// subnormal and infinite results are declined, never wrong.
    func testRandomSignificandsAndExponents() {
        var rng = SeededGenerator(seed: 0x1E41_2026)
        for _ in 0..<200_000 {
            let digits = 1 + Int(rng.next() % 19)
            var mantissa: UInt64 = 0
            for _ in 0..<digits { mantissa = mantissa * 10 + rng.next() % 10 }
            _ = assertAgrees(mantissa, Int(rng.next() % 691) - 360)
        }
    }

    /// Hard cases: exact ties between two doubles (declined, strtod rounds them to even),
    /// one past them, the largest and smallest normals, and the binade edges.
    func testTiesAndEdges() {
        let cases: [(UInt64, Int)] = [
            (9_007_199_254_740_993, 0), (9_007_199_254_740_995, 0), (9_007_199_254_740_994, 0), (18_014_398_509_481_985, 0),
            (9_007_199_254_740_993_1, -1), (1_7976931348623157, 292), (1_7976931348623158, 292), (1_7976931348623159, 292),
            (2_2250738585072014, -324), (2_2250738585072011, -324), (4_9406564584124654, -340), (1, -342), (1, 308), (1, 309),
            (18_446_744_073_709_551_615, 0), (18_446_744_073_709_551_615, -19), (10_000_000_000_000_000_000, -19),
            (3_2941176470588235, -17), (72_057_594_037_927_933, 0), (9_999_999_999_999_999_999, 288),
        ]
        for (mantissa, exponent) in cases { _ = assertAgrees(mantissa, exponent) }
        // A tie must be declined rather than rounded up: 2^53 + 1 lies halfway between 2^53 and 2^53 + 2.
        XCTAssertNil(DecimalToDouble.eiselLemire(mantissa: 9_007_199_254_740_993, exponent: 0))
        XCTAssertEqual(DecimalToDouble.nearest(mantissa: 0, exponent: 400), 0)
    }

    /// Each T is the 128-bit significand of 5^q, truncated: T · 2^(e − 127) ≤ 5^q <
    /// (T + 1) · 2^(e − 127), with e + q = ⌊q · log₂ 10⌋ as fast_float writes it,
    /// (217706 · q) >> 16. For q < 0 that is T · 5^k ≤ 2^b < (T + 1) · 5^k, b = 127 − e,
    /// which needs only multiplication (and 5^k · x is never a power of two).
    func testPowersOfFiveTable() {
        let table = PowersOfFive.table
        XCTAssertEqual(table.count, 651)
        for q in PowersOfFive.smallestExponent...PowersOfFive.largestExponent {
            let entry = table[q - PowersOfFive.smallestExponent]
            XCTAssertEqual(entry.high >> 63, 1, "T(\(q)) is not normalized")
            XCTAssertEqual(entry.binaryExponent, (217_706 * q) >> 16, "q = \(q)")
            let e = entry.binaryExponent - q
            if q >= 0 {
                // 5^q ≈ T_high · 2^(e − 63), checked against libm's pow: Double(T_high) rounds
                // (2^-53 relative), pow is within an ulp (2^-52), so 2^-51 bounds both.
                let fromTable = Double(sign: .plus, exponent: e - 63, significand: Double(entry.high))
                XCTAssertEqual(fromTable / pow(5, Double(q)), 1, accuracy: 0x1p-51, "q = \(q)")
                if q <= 55 {   // 5^q < 2^128: T is exact, so T / 2^(127 − e) is 5^q again
                    var five = BigNatural(1)
                    for _ in 0..<q { five.multiply(by: 5) }
                    let (high, low, _) = five.top128Bits()
                    XCTAssertEqual([high, low], [entry.high, entry.low], "q = \(q)")
                }
            } else {
                let b = 127 - e
                var below = BigNatural(words: [entry.low, entry.high])
                var above = BigNatural(words: [entry.low &+ 1, entry.high])
                if entry.low == .max { above = BigNatural(words: [0, entry.high + 1]) }
                for _ in 0..<(-q) { below.multiply(by: 5); above.multiply(by: 5) }
                XCTAssertLessThanOrEqual(below.bitLength, b, "T(\(q)) · 5^\(-q) ≥ 2^\(b)")
                XCTAssertGreaterThan(above.bitLength, b, "(T(\(q)) + 1) · 5^\(-q) ≤ 2^\(b)")
            }
        }
        // Two rows worked by hand: 5^0 = 1 → 2^127; 5^−1 = 0.2 = 0.00110011…₂ → 0xCCCC…CCCC.
        XCTAssertEqual([table[342].high, table[342].low], [1 << 63, 0])
        XCTAssertEqual([table[341].high, table[341].low], [0xCCCC_CCCC_CCCC_CCCC, 0xCCCC_CCCC_CCCC_CCCC])
    }
}
