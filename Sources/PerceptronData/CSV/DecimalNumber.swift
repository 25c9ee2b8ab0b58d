import Perceptron
/// Parses a decimal number from bytes without making a String: the fast path of the
/// CSV reader.
///
/// ```
/// [+|-] digits [. digits] [(e|E) [+|-] digits]   →   m · 10^e   (m < 10^19)
/// ```
/// When m ≤ 2^53 and |e| ≤ 22, both m and 10^|e| are exact doubles, so the single
/// IEEE multiplication or division `m · 10^e` is the correctly rounded value (Clinger,
/// "How to read floating point numbers accurately", 1990). Anything else (more than 19
/// significant digits, larger exponents, inf, nan, hex) returns nil, and the caller
/// falls back to the standard library's exact parser.
enum DecimalNumber {
    /// 10^k for k in 0...22, each exact in a Double (a literal table, so no lazy global
    /// and no array access in the inner loop).
    @inline(__always)
    static func powerOfTen(_ k: Int) -> Double {
        switch k {
        case 0: return 1e0
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        case 10: return 1e10
        case 11: return 1e11
        case 12: return 1e12
        case 13: return 1e13
        case 14: return 1e14
        case 15: return 1e15
        case 16: return 1e16
        case 17: return 1e17
        case 18: return 1e18
        case 19: return 1e19
        case 20: return 1e20
        case 21: return 1e21
        default: return 1e22
        }
    }

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
        guard mantissa <= 1 << 53 else { return nil }
        var value = Double(mantissa)
        if mantissa != 0 {
            guard exponent >= -22 && exponent <= 22 else { return nil }
            value = exponent < 0 ? value / powerOfTen(-exponent) : value * powerOfTen(exponent)
        }
        return (negative ? -value : value, i)
    }
}
