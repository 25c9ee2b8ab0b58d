import Foundation

extension Preprocessor {
    /// One line of the column roles table: what a table column became and why.
    public struct RoleRow: Codable, Equatable, Sendable {
        /// The column's name.
        public var column: String
        /// "numeric", "numeric:minMax", "numeric:none", "categorical", "target" or "not used".
        public var role: String
        /// Imputed value, scaling or categories; for a column not used, the reason.
        public var detail: String
    }

    /// Every column of the training table (the target last) with its role: for a numeric
    /// column the value that fills a missing field and the scaling, for a categorical
    /// one the categories and the fill, for a column not used the reason.
    public var roleRows: [RoleRow] {
        var rows = columns.map { column -> RoleRow in
            switch column.role {
            case .numeric(let scaling):
                let scaled: String
                switch scaling {
                case .standardize: scaled = "standardized: (x − \(Self.short(column.shift))) / \(Self.short(column.scale))"
                case .minMax: scaled = "min-max: (x − \(Self.short(column.shift))) / \(Self.short(column.scale))"
                case .none: scaled = "not scaled"
                }
                return RoleRow(column: column.name, role: column.role.description,
                               detail: "missing → \(Self.short(column.fillValue)) (median); \(scaled)")
            case .categorical:
                let shown = column.categories.prefix(8).joined(separator: ", ")
                    + (column.categories.count > 8 ? ", … (\(column.categories.count - 8) more)" : "")
                var detail = "\(column.categories.count) categories: \(shown); missing → \(column.mostFrequent) (most frequent)"
                if let note = column.note { detail += "; " + Self.reason(note) }
                return RoleRow(column: column.name, role: "categorical", detail: detail)
            case .ignored, .target:
                let why = column.note.map(Self.reason) ?? "ignored by the options (not a listed column, or role ignore)"
                return RoleRow(column: column.name, role: "not used", detail: why)
            }
        }
        if let target {
            let detail: String
            switch target.task {
            case .classification:
                detail = "classification, \(target.classCount) classes: " + target.classNames.prefix(10).joined(separator: ", ")
                    + (target.classCount > 10 ? ", …" : "")
            case .regression:
                detail = target.scale == 1 && target.shift == 0 ? "regression, not scaled"
                    : "regression, standardized: (y − \(Self.short(target.shift))) / \(Self.short(target.scale))"
            }
            rows.append(RoleRow(column: target.column, role: "target", detail: detail))
        }
        return rows
    }

    /// ``roleRows`` as aligned text, one column per line, headed "Column roles:".
    public func rolesTable() -> String {
        let rows = roleRows
        let nameWidth = min(rows.map(\.column.count).max() ?? 0, 24)
        let roleWidth = rows.map(\.role.count).max() ?? 0
        return (["Column roles:"] + rows.map { row in
            "  " + row.column.padding(toLength: max(nameWidth, row.column.count), withPad: " ", startingAt: 0)
                + "  " + row.role.padding(toLength: roleWidth, withPad: " ", startingAt: 0) + "  " + row.detail
        }).joined(separator: "\n")
    }

    /// A note without its "ignored: " or "categorical: " lead.
    static func reason(_ note: String) -> String {
        for lead in ["ignored: ", "categorical: "] where note.hasPrefix(lead) { return String(note.dropFirst(lead.count)) }
        return note
    }

    /// Four significant digits ("28", "0.3342", "1.235e+05").
    static func short(_ value: Double) -> String {
        String(format: "%.4g", value)
    }
}
