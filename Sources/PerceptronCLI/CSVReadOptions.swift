import ArgumentParser
import Foundation
import Perceptron
import PerceptronData

/// How a CSV file is read: its delimiter and the texts that mean "missing".
/// Shared by train, cross-validate, evaluate and predict.
struct CSVReadOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The CSV field separator: one character (, ; | …), or tab, space (default: chosen among , ; tab | from the first lines).",
        valueName: "char"))
    var delimiter: String?

    @Option(name: .long, help: ArgumentHelp(
        "Comma-separated texts that mean a missing value, replacing the default list (pandas': NA, N/A, NaN, nan, null, NULL, None, #N/A, <NA>, …). Empty fields are always missing.",
        valueName: "list"))
    var naValues: String?

    func validate() throws { _ = try delimiterScalar() }

    /// The delimiter as one ASCII character, or nil to detect it.
    func delimiterScalar() throws -> UnicodeScalar? {
        guard let delimiter else { return nil }
        switch delimiter.lowercased() {
        case "tab", "\\t", "\t": return "\t"
        case "space", " ": return " "
        case "comma": return ","
        case "semicolon": return ";"
        case "pipe": return "|"
        default: break
        }
        let scalars = Array(delimiter.unicodeScalars)
        guard scalars.count == 1, let scalar = scalars.first, scalar.isASCII, scalar != "\"", scalar != "\n", scalar != "\r" else {
            throw ValidationError("--delimiter takes one ASCII character other than a quote or line break (or tab, space), got \"\(delimiter)\".")
        }
        return scalar
    }

    /// The missing-value markers: the --na-values list, or pandas' defaults.
    var missingValues: Set<String> { naValues.map(MissingValues.parseList) ?? MissingValues.pandasDefaults }

    /// Reads `path` with these options, printing the reader's notes (renamed columns, a
    /// detected delimiter) on standard error.
    func read(_ path: String, hasHeader: Bool) throws -> CSVTable {
        let table = try CSVTable.read(contentsOf: URL(fileURLWithPath: path), hasHeader: hasHeader,
                                      delimiter: try delimiterScalar(), missingValues: missingValues)
        for note in table.notes { printError("note: \(note)") }
        return table
    }
}
