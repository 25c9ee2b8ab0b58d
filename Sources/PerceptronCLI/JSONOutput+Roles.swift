import Foundation
import Perceptron

extension JSONOutput {
    /// The column roles table as JSON: one {"column", "role", "detail"} object per column.
    static func roleRows(_ preprocessor: Preprocessor) -> [[String: Any]] {
        preprocessor.roleRows.map { ["column": $0.column, "role": $0.role, "detail": $0.detail] }
    }
}
