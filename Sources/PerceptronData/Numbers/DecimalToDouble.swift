/// The double nearest to m · 10^q, for a decimal significand m < 2^64 (up to 19 digits) and
/// an exponent q: the value `strtod` gives, bit for bit, when this returns one; nil when only
/// the exact parser can decide (the caller then calls it).
///
/// Two routes, the first that applies:
///
/// - **Clinger** (1990): m ≤ 2^53 and |q| ≤ 22. Both m and 10^|q| are exact doubles, so the one
///   IEEE multiplication or division `m · 10^q` is correctly rounded.
/// - **Eisel–Lemire** (Lemire, "Number parsing at a gigabyte per second", 2021), for the
///   long significands that printing a double gives (`0.32941176470588235`, 17 digits) and
///   every q in −342…308. With m normalized (w = m · 2^l, bit 63 set) and T the 128-bit
///   significand of 5^q (``PowersOfFive``):
///
///   ```
///   m · 10^q = w · 2^−l · T · 2^(e − 127) · 2^q
///   z = ⌊w · T / 2^64⌋                            the top 128 of w · T's 192 bits
///   m · 10^q ≈ z_high · 2^(1 + e + q − l),        2^62 ≤ z_high < 2^64
///   ```
///   The top 54 bits of z_high are the 53-bit significand and one rounding bit; rounding
///   that bit up or down gives the nearest double. T is below 5^q · 2^(127 − e) by less
///   than 1 (truncated), so the exact x = w · 5^q · 2^(127 − e) / 2^64 lies in [z, z + 2):
///   the error reaches z_high only when z_low is all ones, and the kept bits only when the
///   9 lowest bits of z_high are all ones too. An exact tie between two doubles (rounding
///   bit 1, every bit below it 0) shows as z_high's low 9 bits and z_low all zeros (or as
///   the first case, z = x − 1). Those two patterns (about 1 in 1,000 printed doubles),
///   subnormal results and overflow return nil: a simpler rule than the paper's, which
///   settles some of them in place; the exact parser is correct for what is left.
package enum DecimalToDouble {
    /// The nearest double to `mantissa · 10^exponent`, or nil (see the type's comment).
    @inlinable
    package static func nearest(mantissa: UInt64, exponent: Int) -> Double? {
        if mantissa == 0 { return 0 }
        if mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            let m = Double(mantissa)
            return exponent < 0 ? m / powerOfTen(-exponent) : m * powerOfTen(exponent)
        }
        return eiselLemire(mantissa: mantissa, exponent: exponent)
    }

    /// The Eisel–Lemire route alone (the type's comment); `mantissa` > 0.
    @usableFromInline
    package static func eiselLemire(mantissa: UInt64, exponent q: Int) -> Double? {
        guard mantissa != 0, q >= PowersOfFive.smallestExponent, q <= PowersOfFive.largestExponent else { return nil }
        let power = PowersOfFive.table[q - PowersOfFive.smallestExponent]
        let shift = mantissa.leadingZeroBitCount
        let w = mantissa << UInt64(shift)
        // w · T = w · T_high · 2^64 + w · T_low; its top 128 bits are z = w · T_high + ⌊w · T_low / 2^64⌋.
        let first = w.multipliedFullWidth(by: power.high)
        let second = w.multipliedFullWidth(by: power.low)
        let (zLow, carry) = first.low.addingReportingOverflow(second.high)
        let zHigh = first.high &+ (carry ? 1 : 0)
        // Too close to call: a carry of the error could reach the kept bits, or a tie.
        let lowBits = zHigh & 0x1FF
        if lowBits == 0x1FF && zLow == .max || lowBits == 0 && zLow == 0 { return nil }
        let upper = Int(zHigh >> 63)
        var significand = zHigh >> UInt64(upper + 9)   // 54 bits: 53 and the rounding bit
        // m · 10^q ≈ significand · 2^(upper + 10 + e + q − l); as a double, significand/2 · 2^(E − 52) with
        // E = upper + 63 + e + q − l, stored biased by 1023.
        var biased = upper + 63 + power.binaryExponent - shift + 1023
        guard biased >= 1, biased <= 2046 else { return nil }   // subnormal or overflowing: the exact parser
        significand = (significand + (significand & 1)) >> 1
        if significand == 1 << 53 {   // rounded up to the next binade
            significand = 1 << 52
            biased += 1
            guard biased <= 2046 else { return nil }
        }
        return Double(bitPattern: UInt64(biased) << 52 | (significand & ((1 << 52) - 1)))
    }

    /// 10^k for k in 0...22, each exact in a double (10^23 is not).
    @inlinable
    package static func powerOfTen(_ k: Int) -> Double { powersOfTen[k] }

    /// A load from a table: a `switch` here compiles to a jump table whose indirect branch
    /// mispredicts when the digit counts vary (+12 % on a 32-image body's decoding, Zen 1).
    @usableFromInline
    package static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
}
