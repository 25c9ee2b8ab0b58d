import Foundation
import Perceptron

/// A table read from CSV text, column by column: a column whose present fields are all
/// numbers is stored as `[Double]` (missing → NaN), any other as `[String]` (missing →
/// ""); see ``CSVColumn``. The reader is ``CSVParser``: one pass over the bytes of the
/// file (mapped, and released behind the reader as it goes), numbers parsed without a
/// String per field.
///
/// With a header row, the columns take its names, made unique as pandas does (`a, a` →
/// `a, a.1`; an empty name → "Unnamed: N"), with a note in ``notes``; without one, they
/// are named by their 1-based index: "1", "2", … Blank lines are skipped (as pandas
/// does). A field in the missing-value list (pandas' defaults: "NA", "NaN", "null", …;
/// see ``MissingValues``) reads as an empty field. Without a delimiter, the first lines
/// choose one of `, ; \t |` (see ``DelimiterSniffer``). A file starting with gzip's
/// magic bytes (1f 8b) is decompressed first, whatever its name.
public struct CSVTable: Sendable, Equatable {
    /// Where the table came from, used in error messages (a path, or "<string>").
    public var source: String
    /// Column names, in file order.
    public var columnNames: [String]
    /// The columns, in file order.
    public var columnValues: [CSVColumn]
    /// The fields as text, column-major: `columns[c][r]` is row `r` of column `c` ("" when
    /// missing; a numeric column's numbers in their shortest form, see ``CSVColumn``).
    /// Setting it stores the changed columns as text.
    public var columns: [[String]] {
        get { columnValues.map(\.texts) }
        set {
            precondition(newValue.count == columnValues.count, "CSVTable.columns needs one array per column")
            for c in newValue.indices where newValue[c] != columnValues[c].texts {
                precondition(newValue[c].count == rowCount, "CSVTable columns must have equal lengths")
                columnValues[c] = .text(newValue[c])
            }
        }
    }
    /// For each data row, the 1-based line in the source where its record starts.
    public var lineNumbers: [Int]
    /// What the reader changed or chose, one sentence each: renamed header columns, a
    /// detected delimiter other than the comma.
    public var notes: [String] = []

    /// Number of data rows (the header is not counted).
    public var rowCount: Int { lineNumbers.count }

    /// A table from text columns, all of the same length. `lineNumbers` defaults to 1, 2, 3, …
    public init(source: String = "<table>", columnNames: [String], columns: [[String]], lineNumbers: [Int]? = nil) {
        self.init(source: source, columnNames: columnNames, columnValues: columns.map { .text($0) }, lineNumbers: lineNumbers)
    }

    /// A table from typed columns, all of the same length. `lineNumbers` defaults to 1, 2, 3, …
    public init(source: String = "<table>", columnNames: [String], columnValues: [CSVColumn], lineNumbers: [Int]? = nil) {
        precondition(columnNames.count == columnValues.count, "CSVTable needs one name per column")
        let rows = columnValues.first?.count ?? 0
        precondition(columnValues.allSatisfy { $0.count == rows }, "CSVTable columns must have equal lengths")
        self.source = source
        self.columnNames = columnNames
        self.columnValues = columnValues
        self.lineNumbers = lineNumbers ?? (0..<rows).map { $0 + 1 }
    }

    /// Reads a CSV file.
    ///
    /// - Parameters:
    ///   - url: A file URL. Gzip-compressed content (magic 1f 8b) is inflated first.
    ///   - hasHeader: Whether the first record holds the column names.
    ///   - delimiter: The field separator, one ASCII character (`,` `;` tab `|` space …);
    ///     nil chooses one of `, ; \t |` from the first lines.
    ///   - missingValues: Field texts read as missing (after removing spaces around them).
    /// - Throws: ``DataError/fileNotFound(file:)``, ``DataError/emptyFile(file:)``,
    ///   ``DataError/raggedRow(file:row:expected:got:)``, ``DataError/invalidEncoding(file:)``,
    ///   ``DataError/unterminatedQuote(file:row:)``, ``DataError/invalidConfiguration(_:)``
    ///   for a delimiter that is not one ASCII character other than a quote or line break.
    public static func read(contentsOf url: URL, hasHeader: Bool = true, delimiter: UnicodeScalar? = nil,
                            missingValues: Set<String> = MissingValues.pandasDefaults) throws -> CSVTable {
        let path = url.path
        if let mapped = try MappedFile(path: path), !(mapped.bytes.count >= 2 && mapped.bytes[0] == 0x1f && mapped.bytes[1] == 0x8b) {
            return try parse(bytes: mapped.bytes, hasHeader: hasHeader, delimiter: delimiter, missingValues: missingValues,
                             source: path, release: mapped.release(before:))
        }
        let data = try readFileData(url)
        if Gzip.isGzip(data) {
            return try Gzip.withDecompressed(data, source: path) { bytes in
                try parse(bytes: bytes, hasHeader: hasHeader, delimiter: delimiter, missingValues: missingValues, source: path)
            }
        }
        return try data.withUnsafeBytes { raw in
            try parse(bytes: raw.bindMemory(to: UInt8.self), hasHeader: hasHeader, delimiter: delimiter,
                      missingValues: missingValues, source: path)
        }
    }

    /// Parses CSV text; see ``read(contentsOf:hasHeader:delimiter:missingValues:)``.
    public static func parse(_ text: String, hasHeader: Bool = true, delimiter: UnicodeScalar? = nil,
                             missingValues: Set<String> = MissingValues.pandasDefaults,
                             source: String = "<string>") throws -> CSVTable {
        var text = text
        return try text.withUTF8 { bytes in
            try parse(bytes: bytes, hasHeader: hasHeader, delimiter: delimiter, missingValues: missingValues, source: source)
        }
    }

    /// Parses CSV bytes (UTF-8, an optional byte-order mark).
    static func parse(bytes: UnsafeBufferPointer<UInt8>, hasHeader: Bool, delimiter: UnicodeScalar?,
                      missingValues: Set<String>, source: String, release: ((Int) -> Void)? = nil) throws -> CSVTable {
        var notes: [String] = []
        let separator: UInt8
        if let delimiter {
            separator = UInt8(try checkedDelimiter(delimiter).value)
        } else {
            let bom = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
            separator = DelimiterSniffer.sniff(UnsafeBufferPointer(rebasing: bytes[bom...]))
            if separator != UInt8(ascii: ",") {
                notes.append("\(source): fields separated by \(DelimiterSniffer.describe(separator)) (detected; --delimiter chooses)")
            }
        }
        var parser = CSVParser(bytes: bytes, delimiter: separator, source: source, missing: MissingMatcher(missingValues))
        parser.progress = release
        let read = try parser.read(hasHeader: hasHeader)
        var table = CSVTable(source: source, columnNames: read.names, columnValues: read.columns, lineNumbers: read.lines)
        table.notes = notes + read.notes.map { "\(source): \($0)" }
        return table
    }

    /// The delimiter as one byte: ASCII, and neither a quote nor a line break.
    static func checkedDelimiter(_ delimiter: UnicodeScalar) throws -> UnicodeScalar {
        guard delimiter.isASCII, delimiter != "\"", delimiter != "\n", delimiter != "\r" else {
            throw DataError.invalidConfiguration("the delimiter must be one ASCII character other than a quote or a "
                + "line break, got \"\(delimiter.escaped(asASCII: true))\"")
        }
        return delimiter
    }

    /// The index of a column given by name, or by 1-based position ("3") when no
    /// column has that name.
    /// - Throws: ``DataError/unknownColumn(file:column:available:)``.
    public func columnIndex(_ nameOrPosition: String) throws -> Int {
        if let index = columnNames.firstIndex(of: nameOrPosition) { return index }
        if let position = Int(nameOrPosition), position >= 1, position <= columnNames.count { return position - 1 }
        throw DataError.unknownColumn(file: source, column: nameOrPosition, available: columnNames)
    }

    /// The fields of a column given by name or 1-based position.
    public func column(_ nameOrPosition: String) throws -> [String] {
        columnValues[try columnIndex(nameOrPosition)].texts
    }

    /// The table restricted to the rows at `indices` (0-based, in that order); line
    /// numbers are kept so errors still point into the original file.
    public func selectingRows(_ indices: [Int]) -> CSVTable {
        var subset = CSVTable(source: source, columnNames: columnNames,
                              columnValues: columnValues.map { $0.selecting(indices) },
                              lineNumbers: indices.map { lineNumbers[$0] })
        subset.notes = notes
        return subset
    }

    /// The fields of data row `row` (0-based), in column order.
    public func row(_ row: Int) -> [String] { columnValues.map { $0.text(at: row) } }
}

