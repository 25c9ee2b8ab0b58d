import Foundation
import Perceptron

/// Whether a field counts as missing: empty or only spaces and tabs.
@inline(__always) func isMissing(_ field: String) -> Bool {
    field.allSatisfy { $0 == " " || $0 == "\t" }
}

/// A finite number parsed from a field (surrounding spaces allowed), or nil.
@inline(__always) func parseNumber(_ field: String) -> Double? {
    guard case .number(let value) = NumberField(field) else { return nil }
    return value
}

/// What a field holds when a number is expected.
enum NumberField: Equatable {
    /// Empty or blank (missing markers were made empty by the reader).
    case missing
    /// A number that is finite as a 32-bit float.
    case number(Double)
    /// A number that is not: inf, nan, or |x| > 3.4e38 (1e308).
    case nonFinite
    /// Text that is not a number.
    case text

    @inline(__always) init(_ field: String) {
        if isMissing(field) { self = .missing; return }
        let trimmed = field.trimmingCharacters(in: .whitespaces)
        guard let value = Double(trimmed) else { self = .text; return }
        self = Float(value).isFinite ? .number(value) : .nonFinite
    }
}
