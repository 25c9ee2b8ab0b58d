import Perceptron
/// Parses a decimal number from bytes without making a String: the fast path of the
/// CSV reader.
///
/// ```
/// [+|-] digits [. digits] [(e|E) [+|-] digits]   →   m · 10^e   (m < 10^19)
/// ```
/// m · 10^e becomes the correctly rounded double by ``DecimalToDouble`` (Clinger's exact
/// fast path, then Eisel–Lemire for long significands). Anything it leaves undecided, and
/// more than 19 significant digits, inf, nan or hex, returns nil, and the caller falls
/// back to the standard library's exact parser.
enum DecimalNumber {
    @inline(__always)
    static func parse(_ bytes: UnsafePointer<UInt8>, count: Int) -> Double? {
        guard let (value, length) = parsePrefix(bytes, limit: count), length == count else { return nil }
        return value
    }

    /// The number at the start of `bytes` (at most `limit` of them) and its length in
    /// bytes; nil when there is none or it needs the exact parser. The caller checks
    /// what follows.
    @inline(__always)
    static func parsePrefix(_ bytes: UnsafePointer<UInt8>, limit count: Int) -> (Double, Int)? {
        var i = 0
        var negative = false
        if i < count && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var digits = 0
        while i < count {
            let d = bytes[i] &- UInt8(ascii: "0")
            if d > 9 { break }
            if significant < 19 {
                mantissa = mantissa &* 10 &+ UInt64(d)
                if mantissa != 0 { significant += 1 }
            } else {
                return nil  // more digits than a UInt64 holds: the exact parser decides
            }
            digits += 1
            i += 1
        }
        if i < count && bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < count {
                let d = bytes[i] &- UInt8(ascii: "0")
                if d > 9 { break }
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    if mantissa != 0 { significant += 1 }
                    exponent -= 1
                } else {
                    return nil
                }
                digits += 1
                i += 1
            }
        }
        if digits == 0 { return nil }
        if i < count && (bytes[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            var negativeExponent = false
            if i < count && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) {
                negativeExponent = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            var e = 0
            var exponentDigits = 0
            while i < count {
                let d = bytes[i] &- UInt8(ascii: "0")
                if d > 9 { break }
                if e < 100_000 { e = e * 10 + Int(d) }
                exponentDigits += 1
                i += 1
            }
            if exponentDigits == 0 { return nil }
            exponent += negativeExponent ? -e : e
        }
        guard let value = DecimalToDouble.nearest(mantissa: mantissa, exponent: exponent) else { return nil }
        return (negative ? -value : value, i)
    }
}
