import Foundation

/// Reads one JSON number from a byte buffer: checks the grammar and converts the text to
/// the correctly rounded `Double` (the value `strtod` gives, bit for bit).
///
/// ```
/// number = [-] ("0" | [1-9] digit*) ["." digit+] [("e" | "E") ["+" | "-"] digit+]
/// ```
/// The common case converts without copying the text or calling `strtod` (Clinger's fast
/// path): with the digits read as an integer mantissa m ≤ 2^53 and a decimal exponent e,
/// |e| ≤ 22, both m and 10^|e| are exact doubles, so the one IEEE multiply or divide
/// `m × 10^e` (or `m ÷ 10^−e`) is the correctly rounded value. A zero mantissa is ±0 for
/// any exponent. Anything else (more than 19 significant digits, m > 2^53, |e| > 22,
/// denormals, overflow) is copied to a stack buffer and handed to `strtod`.
enum JSONNumber {
    /// Why the text at a position is not a JSON number, and the byte where that shows.
    struct Malformed: Error {
        enum Reason { case noDigit, leadingZero, noFractionDigit, noExponentDigit }
        var reason: Reason
        var offset: Int
    }

    /// Exact powers of ten as doubles: 10^0 … 10^22 (10^23 is not exact).
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// The number that starts at `start` (a `-` or a digit) and where it ends.
    @inline(__always)
    static func scan(_ bytes: UnsafeRawBufferPointer, from start: Int) throws(Malformed) -> (value: Double, end: Int) {
        let count = bytes.count
        var p = start
        let negative = p < count && bytes[p] == UInt8(ascii: "-")
        if negative { p += 1 }
        guard p < count, isDigit(bytes[p]) else { throw Malformed(reason: .noDigit, offset: p) }
        var mantissa: UInt64 = 0
        var significantDigits = 0   // digits read into the mantissa after its first non-zero one
        var exponent = 0            // the decimal exponent the mantissa is scaled by
        if bytes[p] == UInt8(ascii: "0") {
            p += 1
            if p < count && isDigit(bytes[p]) { throw Malformed(reason: .leadingZero, offset: p) }
        } else {
            while p < count, isDigit(bytes[p]) {
                if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(bytes[p] &- 0x30)
                    significantDigits += 1
                } else {
                    significantDigits += 1  // beyond 19 digits: strtod decides
                }
                p += 1
            }
        }
        if p < count && bytes[p] == UInt8(ascii: ".") {
            p += 1
            guard p < count, isDigit(bytes[p]) else { throw Malformed(reason: .noFractionDigit, offset: p) }
            while p < count, isDigit(bytes[p]) {
                let digit = bytes[p] &- 0x30
                if mantissa == 0 && digit == 0 {
                    exponent -= 1          // a leading zero of the fraction: only the scale moves
                } else if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    significantDigits += 1
                    exponent -= 1
                } else {
                    significantDigits += 1
                }
                p += 1
            }
        }
        var exponentTooLarge = false
        if p < count && (bytes[p] == UInt8(ascii: "e") || bytes[p] == UInt8(ascii: "E")) {
            p += 1
            var exponentNegative = false
            if p < count && (bytes[p] == UInt8(ascii: "+") || bytes[p] == UInt8(ascii: "-")) {
                exponentNegative = bytes[p] == UInt8(ascii: "-")
                p += 1
            }
            guard p < count, isDigit(bytes[p]) else { throw Malformed(reason: .noExponentDigit, offset: p) }
            var written = 0
            while p < count, isDigit(bytes[p]) {
                if written < 100_000 { written = written * 10 + Int(bytes[p] &- 0x30) } else { exponentTooLarge = true }
                p += 1
            }
            exponent += exponentNegative ? -written : written
        }
        if mantissa == 0 && significantDigits == 0 { return (negative ? -0.0 : 0.0, p) }
        if significantDigits <= 19 && !exponentTooLarge && mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            let m = Double(mantissa)
            let magnitude = exponent >= 0 ? m * powersOfTen[exponent] : m / powersOfTen[-exponent]
            return (negative ? -magnitude : magnitude, p)
        }
        return (slowPath(bytes, from: start, to: p), p)
    }

    /// `strtod` on a NUL-terminated copy of the (grammar-checked) text.
    @inline(never)
    private static func slowPath(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Double {
        let length = end - start
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer in
            for i in 0..<length { buffer[i] = CChar(bitPattern: bytes[start + i]) }
            buffer[length] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }
}
