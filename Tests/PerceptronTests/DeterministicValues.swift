import XCTest
@testable import Perceptron

/// Deterministic test values in [-range, range) from a 64-bit LCG (Knuth's MMIX constants):
/// the same sequence for a seed on every machine, about half of it negative.
func lcgValues(_ count: Int, seed: UInt64, range: Float = 1) -> [Float] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    let divisor = 1_000_000 / range
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(Int64(bitPattern: state >> 11) % 2_000_000) / divisor - range
    }
}

extension XCTestCase {
    /// Skips the test, naming what goes untested, where this CPU has no bf16 instructions.
    func requireBF16(_ what: String) throws {
        try XCTSkipUnless(ComputePrecision.bfloat16.isSupported,
                          "bf16 \(what) not tested: \(ComputePrecision.bfloat16.unsupportedReason ?? "")")
    }
}
