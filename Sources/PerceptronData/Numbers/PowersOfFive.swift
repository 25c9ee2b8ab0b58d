/// 5^q for q in −342…308 as 128-bit binary significands, the table of the Eisel–Lemire
/// conversion (``DecimalToDouble``): for each q
///
/// ```
/// T = ⌊5^q · 2^(127 − e)⌋,   e = ⌊log₂ 5^q⌋,   so 2^127 ≤ T < 2^128 and 5^q ≈ T · 2^(e − 127)
/// ```
/// (exact for 0 ≤ q ≤ 55, truncated below, never above, elsewhere), stored with
/// `e + q = ⌊q · log₂ 10⌋`, the binary exponent of 10^q.
///
/// Computed once, on first use (about 0.3 ms on a Zen 1 core), with exact integers rather
/// than written out as 1,302 hex literals: 5^q for q ≥ 0 by repeated multiplication by 5,
/// and ⌊2^1024 / 5^k⌋ for q = −k by repeated exact division by 5 (⌊⌊x / 5⌋ / 5⌋ =
/// ⌊x / 25⌋), whose top 128 bits are ⌊2^b / 5^k⌋ for the b that normalizes them. 2^1024
/// leaves at least 230 significant bits at k = 342 (5^342 < 2^795).
package enum PowersOfFive {
    /// The smallest and largest q in the table; outside it a double from at most 19 digits
    /// is 0 or infinite, and the exact parser decides.
    package static let smallestExponent = -342
    package static let largestExponent = 308

    /// One row: T's high and low 64 bits and ⌊q · log₂ 10⌋.
    package struct Entry: Sendable {
        package var high: UInt64
        package var low: UInt64
        package var binaryExponent: Int
    }

    /// Row q − ``smallestExponent``.
    package static let table: [Entry] = {
        var rows = [Entry](repeating: Entry(high: 0, low: 0, binaryExponent: 0), count: largestExponent - smallestExponent + 1)
        // q ≥ 0: the exact integer 5^q.
        var power = BigNatural(1)
        for q in 0...largestExponent {
            let (high, low, bitLength) = power.top128Bits()
            // 5^q has bitLength bits, so e = bitLength − 1.
            rows[q - smallestExponent] = Entry(high: high, low: low, binaryExponent: bitLength - 1 + q)
            power.multiply(by: 5)
        }
        // q = −k < 0: ⌊2^1024 / 5^k⌋.
        let scale = 1024
        var reciprocal = BigNatural(powerOfTwo: scale)
        for k in 1...(-smallestExponent) {
            reciprocal.divide(by: 5)
            let (high, low, bitLength) = reciprocal.top128Bits()
            // 2^1024 / 5^k has bitLength bits: e = ⌊log₂ 5^−k⌋ = bitLength − 1 − 1024.
            rows[-k - smallestExponent] = Entry(high: high, low: low, binaryExponent: bitLength - 1 - scale - k)
        }
        return rows
    }()
}

/// A natural number as little-endian 64-bit words: just what ``PowersOfFive`` needs.
struct BigNatural {
    private(set) var words: [UInt64]

    init(_ value: UInt64) { words = [value] }

    /// From little-endian words.
    init(words: [UInt64]) { self.words = words }

    init(powerOfTwo exponent: Int) {
        words = [UInt64](repeating: 0, count: exponent / 64 + 1)
        words[exponent / 64] = 1 << UInt64(exponent % 64)
    }

    var bitLength: Int {
        guard let last = words.lastIndex(where: { $0 != 0 }) else { return 0 }
        return last * 64 + 64 - words[last].leadingZeroBitCount
    }

    mutating func multiply(by factor: UInt64) {
        var carry: UInt64 = 0
        for i in words.indices {
            let (high, low) = words[i].multipliedFullWidth(by: factor)
            let (sum, overflow) = low.addingReportingOverflow(carry)
            words[i] = sum
            carry = high &+ (overflow ? 1 : 0)
        }
        if carry != 0 { words.append(carry) }
    }

    /// ⌊self / divisor⌋, exactly.
    mutating func divide(by divisor: UInt64) {
        var remainder: UInt64 = 0
        for i in words.indices.reversed() {
            let (quotient, rest) = divisor.dividingFullWidth((high: remainder, low: words[i]))
            words[i] = quotient
            remainder = rest
        }
    }

    /// The 128 most significant bits (the number shifted left or right so that bit 127 is
    /// its leading one; bits shifted out are dropped) and the number's bit length.
    func top128Bits() -> (high: UInt64, low: UInt64, bitLength: Int) {
        let length = bitLength
        precondition(length > 0, "top bits of zero")
        func bit(_ i: Int) -> UInt64 { i < 0 ? 0 : (words[i / 64] >> UInt64(i % 64)) & 1 }
        var high: UInt64 = 0, low: UInt64 = 0
        for j in 0..<128 {
            let b = bit(length - 1 - j)
            if j < 64 { high |= b << UInt64(63 - j) } else { low |= b << UInt64(127 - j) }
        }
        return (high, low, length)
    }
}
