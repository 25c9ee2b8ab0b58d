import Foundation
import Perceptron

/// Small HTML helpers for the report: every text escaped, tables as plain markup.
enum HTML {
    /// Text or an attribute value escaped for the page: the library's ``Markup/escape(_:)``,
    /// which the SVG figures embedded in the page use too.
    static func escape(_ text: String) -> String { Markup.escape(text) }

    /// A table with a header row; cells escaped. `numeric` columns are right-aligned.
    static func table(_ header: [String], _ rows: [[String]], numeric: Set<Int> = [], id: String? = nil) -> String {
        var out = "<div class=\"table-wrap\"><table\(id.map { " id=\"\(escape($0))\"" } ?? "")><thead><tr>"
        out += header.enumerated().map { "<th\(numeric.contains($0) ? " class=\"num\"" : "")>\(escape($1))</th>" }.joined()
        out += "</tr></thead><tbody>"
        for row in rows {
            out += "<tr>" + row.enumerated().map { "<td\(numeric.contains($0) ? " class=\"num\"" : "")>\(escape($1))</td>" }.joined() + "</tr>"
        }
        return out + "</tbody></table></div>"
    }

    /// Two columns: a name and its value.
    static func definitions(_ pairs: [(String, String)], id: String? = nil) -> String {
        var out = "<div class=\"table-wrap\"><table class=\"pairs\"\(id.map { " id=\"\(escape($0))\"" } ?? "")><tbody>"
        for (name, value) in pairs { out += "<tr><th scope=\"row\">\(escape(name))</th><td>\(escape(value))</td></tr>" }
        return out + "</tbody></table></div>"
    }

    /// A figure (its SVG is already escaped by the library) with a caption.
    static func figure(_ svg: String, id: String, caption: String) -> String {
        "<figure class=\"fig\" id=\"\(escape(id))\">\(svg)<figcaption>\(escape(caption))</figcaption></figure>"
    }

    /// A number as reports show it: 4 significant digits.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        return String(format: "%.4g", value)
    }

    /// Arguments as one shell command line: each quoted with single quotes when it holds
    /// anything but letters, digits and `-_./=:,+@%`.
    static func shellCommand(_ arguments: [String]) -> String {
        arguments.map { argument in
            let safe = !argument.isEmpty && argument.unicodeScalars.allSatisfy {
                CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_./=:,+@%".unicodeScalars.contains($0)
            }
            return safe ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }
}
