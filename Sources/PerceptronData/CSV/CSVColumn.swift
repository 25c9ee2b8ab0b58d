import Perceptron
/// One column of a ``CSVTable``: numbers when every present field is a number, else text.
///
/// ```
/// numbers:  values[r] = the field's number, or NaN when it is missing
/// text:     values[r] = the field, or "" when it is missing
/// ```
/// A field is missing when it is empty, blank, or one of the reader's missing-value
/// markers. A numeric column keeps no text: its ``texts`` are the numbers written back in
/// their shortest form (`2` for 2.0, `0.1`, `1e-05`), so "1.50" reads back as "1.5".
public enum CSVColumn: Sendable, Equatable {
    /// Every present field parsed as a number; `nonFinite` is the first field whose number
    /// is not finite as a 32-bit float (inf, nan, 1e308), kept to be reported if the column
    /// is used as numeric.
    case numbers([Double], nonFinite: NonFiniteField?)
    /// At least one present field is not a number.
    case text([String])

    /// A field that parsed as a number not finite in 32 bits: its 0-based row and its text.
    public struct NonFiniteField: Sendable, Equatable {
        public var row: Int
        public var text: String
        public init(row: Int, text: String) {
            self.row = row
            self.text = text
        }
    }

    /// Number of rows.
    public var count: Int {
        switch self {
        case .numbers(let values, _): return values.count
        case .text(let values): return values.count
        }
    }

    /// The fields as text ("" for a missing field).
    public var texts: [String] {
        switch self {
        case .numbers(let values, _): return values.map(Self.text(of:))
        case .text(let values): return values
        }
    }

    /// Row `row`'s field as text ("" for a missing field).
    public func text(at row: Int) -> String {
        switch self {
        case .numbers(let values, _): return Self.text(of: values[row])
        case .text(let values): return values[row]
        }
    }

    /// The rows at `indices`, in that order.
    public func selecting(_ indices: [Int]) -> CSVColumn {
        switch self {
        case let .numbers(values, nonFinite):
            let first = nonFinite.flatMap { bad in indices.firstIndex(of: bad.row).map { NonFiniteField(row: $0, text: bad.text) } }
            // A later occurrence of a non-finite value (only the first was recorded) is found again from the values.
            let selected = indices.map { values[$0] }
            let again = first ?? (nonFinite == nil ? nil : selected.firstIndex { !$0.isNaN && !Float($0).isFinite }
                .map { NonFiniteField(row: $0, text: Self.text(of: selected[$0])) })
            return .numbers(selected, nonFinite: again)
        case .text(let values):
            return .text(indices.map { values[$0] })
        }
    }

    /// A number written back as text: "" for NaN (missing), "3" for 3.0, else Swift's
    /// shortest round-trip form.
    static func text(of value: Double) -> String {
        if value.isNaN { return "" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
