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
    ///
    /// A short plain number (``shortDecimal(_:from:)``) is read eight bytes at a time;
    /// anything else, and every malformed text, by ``scanGeneral(_:from:)``. Both give
    /// the same value and end (``shortDecimal(_:from:)`` computes the general path's
    /// `m ÷ 10^k` from the same m and k).
    @inline(__always)
    static func scan(_ bytes: UnsafeRawBufferPointer, from start: Int) throws(Malformed) -> (value: Double, end: Int) {
        if let short = shortDecimal(bytes, from: start) { return short }
        return try scanGeneral(bytes, from: start)
    }

    /// `-? int ("." frac)?` with 1-7 integer digits (no leading zero but a lone `0`) and
    /// 1-7 fraction digits, followed by a byte that is not a digit, `.`, `e` or `E`, with
    /// eight readable bytes at each digit run; else nil.
    ///
    /// Eight bytes load as one little-endian word w. A byte b is a digit iff
    /// `b & 0xF0 == 0x30` and `(b + 6) & 0xF0 == 0x30`; the run of leading digits ends at
    /// the first byte that is not (a carry out of a byte ≥ 0xFA only disturbs later bytes).
    /// The n digits' value, with `d = w & 0x0F…` shifted left by 8(8 − n) bits so that they
    /// are the last n of eight decimal digits, is summed pairwise (SWAR):
    ///
    /// ```
    /// d ← (d × (1 + 10·2⁸)) ≫ 8          pairs of digits, 10a + b, in each 16-bit lane
    /// d ← ((d & 0x00FF…) × (1 + 100·2¹⁶)) ≫ 16
    /// d ← ((d & 0x0000FFFF…) × (1 + 10000·2³²)) ≫ 32
    /// ```
    /// Then m = int × 10^f + frac (< 10^14 ≤ 2^53) and k = f ≤ 7: the general path's fast
    /// case with the same m and k (a leading zero of the fraction only moves k there too).
    @inline(__always)
    static func shortDecimal(_ bytes: UnsafeRawBufferPointer, from start: Int) -> (value: Double, end: Int)? {
        let count = bytes.count
        var p = start
        guard p < count else { return nil }
        let negative = bytes[p] == UInt8(ascii: "-")
        if negative { p += 1 }
        guard p + 8 <= count else { return nil }
        // A lone zero (most pixels of an image) without the word arithmetic.
        if bytes[p] == UInt8(ascii: "0") {
            let next = bytes[p + 1]
            if !isDigit(next) && next != UInt8(ascii: ".") && next | 0x20 != UInt8(ascii: "e") {
                return (negative ? -0.0 : 0.0, p + 1)
            }
        }
        let integerRun = digitRun(bytes, at: p)
        // 1-7 digits, and a lone 0 or no leading 0.
        guard integerRun.count >= 1, integerRun.count <= 7,
              integerRun.count == 1 || bytes[p] != UInt8(ascii: "0") else { return nil }
        p += integerRun.count
        var mantissa = integerRun.value
        var fractionDigits = 0
        // p < count: the run ended inside the 8 loaded bytes.
        var next = bytes[p]
        if next == UInt8(ascii: ".") {
            p += 1
            guard p + 8 <= count else { return nil }
            let fraction = digitRun(bytes, at: p)
            guard fraction.count >= 1, fraction.count <= 7 else { return nil }
            p += fraction.count
            fractionDigits = fraction.count
            mantissa = mantissa &* powersOfTenInteger(fractionDigits) &+ fraction.value
            next = bytes[p]
        }
        guard next | 0x20 != UInt8(ascii: "e") else { return nil }
        if mantissa == 0 { return (negative ? -0.0 : 0.0, p) }
        let m = Double(mantissa)
        let magnitude = fractionDigits == 0 ? m : m / powersOfTen[fractionDigits]
        return (negative ? -magnitude : magnitude, p)
    }

    /// How many of the 8 bytes at `p` are digits before the first that is not (8: all),
    /// and the value of those digits.
    @inline(__always)
    private static func digitRun(_ bytes: UnsafeRawBufferPointer, at p: Int) -> (count: Int, value: UInt64) {
        let w = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: p, as: UInt64.self))
        let high: UInt64 = 0xF0F0_F0F0_F0F0_F0F0, threes: UInt64 = 0x3030_3030_3030_3030
        // Non-zero exactly in the bytes that are not digits (up to the first of them).
        let notDigit = ((w & high) ^ threes) | (((w &+ 0x0606_0606_0606_0606) & high) ^ threes)
        // 0x80 in each byte of notDigit that is non-zero.
        let flags = (((notDigit & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | notDigit) & 0x8080_8080_8080_8080
        let n = flags.trailingZeroBitCount >> 3   // 8 when every byte is a digit
        guard n > 0, n < 8 else { return (n, 0) }
        var d = (w & 0x0F0F_0F0F_0F0F_0F0F) << UInt64((8 - n) * 8)
        d = (d &* (1 + (10 << 8))) >> 8
        d = ((d & 0x00FF_00FF_00FF_00FF) &* (1 + (100 << 16))) >> 16
        d = ((d & 0x0000_FFFF_0000_FFFF) &* (1 + (10000 << 32))) >> 32
        return (n, d)
    }

    /// 10^k as an integer, k ≤ 7.
    @inline(__always)
    private static func powersOfTenInteger(_ k: Int) -> UInt64 {
        var power: UInt64 = 1
        for _ in 0..<k { power &*= 10 }
        return power
    }

    /// The number that starts at `start`, digit by digit: every form of the grammar.
    @inline(never)
    static func scanGeneral(_ bytes: UnsafeRawBufferPointer, from start: Int) throws(Malformed) -> (value: Double, end: Int) {
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
