import ArgumentParser
import Perceptron
import PerceptronData

extension DataOptions {
    /// The roles given with `--column-role NAME=ROLE`, keyed by column name (or 1-based
    /// position). ROLE is numeric (standardized), numeric:minMax, numeric:none, categorical
    /// or ignore(d).
    /// - Throws: `ValidationError` for a value without `=`, or an unknown role.
    func columnRoles() throws -> [String: ColumnRole] {
        var roles: [String: ColumnRole] = [:]
        for entry in columnRole {
            guard let eq = entry.lastIndex(of: "=") else {
                throw ValidationError("--column-role takes NAME=ROLE (e.g. Pclass=categorical), got \"\(entry)\".")
            }
            let name = String(entry[..<eq]).trimmingCharacters(in: .whitespaces)
            let text = String(entry[entry.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, let role = ColumnRole(string: text), role != .target else {
                throw ValidationError("--column-role \"\(entry)\": the role must be numeric, numeric:minMax, numeric:none, "
                    + "categorical or ignore (the target is set with --target).")
            }
            roles[name] = role
        }
        return roles
    }
}

extension Preprocessor.Options {
    /// These options with `roles` added, after checking that each names a column of `table`.
    /// - Throws: `CLIError` naming an unknown column and the columns there are.
    func adding(roles: [String: ColumnRole], for table: CSVTable) throws -> Preprocessor.Options {
        var out = self
        for (name, role) in roles {
            guard (try? table.columnIndex(name)) != nil else {
                throw CLIError("--column-role \(name): \(table.source) has no column \"\(name)\" (columns: "
                    + table.columnNames.joined(separator: ", ") + ")")
            }
            out.roles[name] = role
        }
        return out
    }
}
