import Foundation

/// The single JSON object a command prints with `--json`.
enum JSONOutput {
    /// A finite number, or null (JSON has no NaN or infinity).
    static func number(_ value: Double) -> Any { value.isFinite ? value : NSNull() }
    static func number(_ value: Float) -> Any { number(Double(value)) }

    /// Prints `object` on one line to standard output.
    static func print(_ object: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        FileHandle.standardOutput.write(data)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}
