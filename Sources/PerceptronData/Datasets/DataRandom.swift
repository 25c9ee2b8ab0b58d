import Foundation
import Perceptron

/// The data module's own seeded generator (SplitMix64, Steele, Lea & Flood 2014), so
/// that generated datasets and splits depend only on the seed, not on the standard
/// library's algorithms (`shuffle(using:)` is not specified to stay the same).
///
/// ```
/// state ← state + 0x9E3779B97F4A7C15
/// z ← (state ⊕ (state ≫ 30)) · 0xBF58476D1CE4E5B9
/// z ← (z ⊕ (z ≫ 27)) · 0x94D049BB133111EB
/// output z ⊕ (z ≫ 31)
/// ```
struct DataRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 random bits.
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in [low, high).
    mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * unit() }

    /// Uniform integer in 0..<n (Lemire's multiply-high; the bias is below 2⁻⁶⁴·n).
    mutating func index(_ n: Int) -> Int {
        precondition(n > 0, "index(_:) needs n > 0")
        return Int(next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// Standard normal (Box–Muller, one value per call).
    mutating func normal() -> Double {
        var u1 = unit()
        while u1 == 0 { u1 = unit() }
        let u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Fisher–Yates shuffle in place.
    mutating func shuffle<T>(_ values: inout [T]) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(i, index(i + 1))
        }
    }
}
