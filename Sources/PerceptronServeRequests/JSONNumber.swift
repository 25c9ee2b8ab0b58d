import Foundation
import PerceptronData

/// Reads one JSON number from a byte buffer: checks the grammar and converts the text to
/// the correctly rounded `Double` (the value `strtod` gives, bit for bit).
///
/// ```
/// number = [-] ("0" | [1-9] digit*) ["." digit+] [("e" | "E") ["+" | "-"] digit+]
/// ```
/// The digits are read as an integer mantissa m and a decimal exponent e, and m · 10^e
/// converted without copying the text or calling `strtod` by ``DecimalToDouble``: Clinger's
/// fast path (m ≤ 2^53, |e| ≤ 22: the one IEEE multiply or divide is correctly rounded),
/// then Eisel–Lemire for up to 19 significant digits, as a printed double has (17). A zero
/// mantissa is ±0 for any exponent. What those leave (more than 19 significant digits,
/// denormals, overflow, about 1 in 1,000 long significands too close to a rounding boundary)
/// is copied to a stack buffer and handed to `strtod`.
enum JSONNumber {
    /// Why the text at a position is not a JSON number, and the byte where that shows.
    struct Malformed: Error {
        enum Reason { case noDigit, leadingZero, noFractionDigit, noExponentDigit }
        var reason: Reason
        var offset: Int
    }

    /// The number that starts at `start` (a `-` or a digit) and where it ends.
    ///
    /// A short plain number (``shortDecimal(_:from:)``) is read eight bytes at a time; a
    /// plain number with a longer fraction, as printed doubles have, by
    /// ``longDecimal(_:from:)``; anything else, and every malformed text, by
    /// ``scanGeneral(_:from:)``. All give the same value and end (the same m and k, the same
    /// conversion).
    @inline(__always)
    static func scan(_ bytes: UnsafeRawBufferPointer, from start: Int) throws(Malformed) -> (value: Double, end: Int) {
        if let short = shortDecimal(bytes, from: start) { return short }
        if let long = longDecimal(bytes, from: start) { return long }
        return try scanGeneral(bytes, from: start)
    }

    /// `-? int ("." frac)?` with 1-7 integer digits (no leading zero but a lone `0`) and
    /// 1-7 fraction digits, followed by a byte that is not a digit, `.`, `e` or `E`, with
    /// eight readable bytes at each digit run; else nil. Inlined into the callers' loops;
    /// its m < 10^14 and k ≤ 7 take Clinger's one division.
    @inline(__always)
    static func shortDecimal(_ bytes: UnsafeRawBufferPointer, from start: Int) -> (value: Double, end: Int)? {
        plainDecimal(bytes, from: start, longFraction: false)
    }

    /// The same form with a fraction of up to 19 digits in all (a printed double's 17
    /// digits are three words), converted by ``DecimalToDouble/nearest(mantissa:exponent:)``
    /// (Eisel–Lemire past 2^53); else nil. Out of line, so that the short form's loops stay
    /// small (inlined, the long form slowed a 32-image body of short numbers by ~20 %).
    @inline(never)
    static func longDecimal(_ bytes: UnsafeRawBufferPointer, from start: Int) -> (value: Double, end: Int)? {
        plainDecimal(bytes, from: start, longFraction: true)
    }

    /// ``shortDecimal(_:from:)`` and ``longDecimal(_:from:)``, one body with the fraction's
    /// length as a constant.
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
    /// Then m = int × 10^f + frac and k = f: the general path's m and k (a leading zero of
    /// the fraction only moves k there too). `0` and `0.0`, the zeros JSON writers print,
    /// are read without the word arithmetic.
    @inline(__always)
    private static func plainDecimal(_ bytes: UnsafeRawBufferPointer, from start: Int, longFraction: Bool) -> (value: Double, end: Int)? {
        let count = bytes.count
        var p = start
        guard p < count else { return nil }
        let negative = bytes[p] == UInt8(ascii: "-")
        if negative { p += 1 }
        guard p + 8 <= count else { return nil }
        var mantissa: UInt64
        var integerDigits: Int
        var next: UInt8   // the byte after the digits read so far
        if bytes[p] == UInt8(ascii: "0") {
            // The integer part is this lone 0 (a digit after it is a leading zero: the
            // general path's error). Branching here, rather than reading the word, keeps the
            // next number's start off the digit arithmetic for the common 0.xxxxxx.
            next = bytes[p + 1]
            guard !isDigit(next) else { return nil }
            p += 1
            mantissa = 0
            integerDigits = 1
            // `0.0`, the zero a float printer writes, then the end of the number.
            if next == UInt8(ascii: "."), bytes[p + 1] == UInt8(ascii: "0") {
                let after = bytes[p + 2]
                if !isDigit(after) && after | 0x20 != UInt8(ascii: "e") {
                    return (negative ? -0.0 : 0.0, p + 2)
                }
            }
        } else {
            let run = digitRun(bytes, at: p)
            // 1-7 digits (so the run ended inside the word, and `next` is its byte).
            guard run.count >= 1, run.count <= 7 else { return nil }
            p += run.count
            mantissa = run.value
            integerDigits = run.count
            next = run.next
        }
        var fractionDigits = 0
        if next == UInt8(ascii: ".") {
            p += 1
            guard p + 8 <= count else { return nil }
            var run = digitRun(bytes, at: p)
            guard run.count >= 1, longFraction || run.count <= 7 else { return nil }
            while true {
                fractionDigits += run.count
                mantissa = mantissa &* powersOfTenInteger(run.count) &+ run.value
                p += run.count
                guard longFraction, run.count == 8 else { break }   // else the run ended inside its word
                guard p + 8 <= count else { return nil }
                run = digitRun(bytes, at: p)
                guard integerDigits + fractionDigits + run.count <= 19 else { return nil }
            }
            next = run.count < 8 ? run.next : bytes[p]
        }
        guard next | 0x20 != UInt8(ascii: "e") else { return nil }
        if mantissa == 0 { return (negative ? -0.0 : 0.0, p) }
        if longFraction {
            guard let magnitude = DecimalToDouble.nearest(mantissa: mantissa, exponent: -fractionDigits) else { return nil }
            return (negative ? -magnitude : magnitude, p)
        }
        let m = Double(mantissa)
        let magnitude = fractionDigits == 0 ? m : m / DecimalToDouble.powerOfTen(fractionDigits)
        return (negative ? -magnitude : magnitude, p)
    }

    /// How many of the 8 bytes at `p` are digits before the first that is not (8: all),
    /// the value of those digits, and the byte that ended them (taken from the word, not
    /// read again; meaningless when all 8 are digits).
    @inline(__always)
    private static func digitRun(_ bytes: UnsafeRawBufferPointer, at p: Int) -> (count: Int, value: UInt64, next: UInt8) {
        digitRun(word: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: p, as: UInt64.self)))
    }

    /// The same for eight bytes already loaded as a little-endian word.
    @inline(__always)
    static func digitRun(word w: UInt64) -> (count: Int, value: UInt64, next: UInt8) {
        let high: UInt64 = 0xF0F0_F0F0_F0F0_F0F0, threes: UInt64 = 0x3030_3030_3030_3030
        // Non-zero exactly in the bytes that are not digits (up to the first of them).
        let notDigit = ((w & high) ^ threes) | (((w &+ 0x0606_0606_0606_0606) & high) ^ threes)
        // 0x80 in each byte of notDigit that is non-zero.
        let flags = (((notDigit & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | notDigit) & 0x8080_8080_8080_8080
        let n = flags.trailingZeroBitCount >> 3   // 8 when every byte is a digit
        let next = UInt8(truncatingIfNeeded: w >> UInt64(min(n, 7) * 8))
        guard n > 0 else { return (0, 0, next) }
        var d = (w & 0x0F0F_0F0F_0F0F_0F0F) << UInt64((8 - n) * 8)
        d = (d &* (1 + (10 << 8))) >> 8
        d = ((d & 0x00FF_00FF_00FF_00FF) &* (1 + (100 << 16))) >> 16
        d = ((d & 0x0000_FFFF_0000_FFFF) &* (1 + (10000 << 32))) >> 32
        return (n, d, next)
    }

    /// 10^k as an integer, k ≤ 8.
    @inline(__always)
    static func powersOfTenInteger(_ k: Int) -> UInt64 {
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
        if significantDigits <= 19 && !exponentTooLarge,
           let magnitude = DecimalToDouble.nearest(mantissa: mantissa, exponent: exponent) {
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
