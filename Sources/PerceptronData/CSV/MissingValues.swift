import Perceptron
/// The field texts read as a missing value, like an empty field.
///
/// The default is pandas' `read_csv` default list (`na_values`, pandas 2.x), so a file
/// that pandas reads with NaN in a numeric column reads here with the same fields
/// missing: "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
/// "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null".
/// A field matches after spaces and tabs around it are removed; an empty (or blank)
/// field is always missing, whatever the list.
public enum MissingValues {
    /// pandas' default missing-value markers.
    public static let pandasDefaults: Set<String> = [
        "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
        "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
    ]

    /// A comma-separated list ("NA,?,-999") as a set of markers; the empty field is
    /// always included. Spaces around each marker are removed.
    public static func parseList(_ list: String) -> Set<String> {
        var markers: Set<String> = [""]
        for part in list.split(separator: ",", omittingEmptySubsequences: true) {
            markers.insert(part.trimmingCharacters(in: .whitespaces))
        }
        return markers
    }
}

import Foundation
