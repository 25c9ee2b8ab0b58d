// CSV parsing uses yaslab/CSV.swift (2.5.2) rather than swiftcsv/SwiftCSV (0.10.0):
// CSV.swift is an RFC 4180 reader that hands back each record exactly as parsed
// (quoted fields with commas and doubled quotes, CR, LF or CRLF endings, no final
// newline, empty fields), one record at a time, so a ragged record is seen with its
// position and reported. SwiftCSV's row views hide ragged records: its enumerated
// view pads short rows with empty strings, and its named view maps rows to
// dictionaries by header.
import CSV
import Foundation

/// A table of string columns read from CSV text; an empty field is a missing value.
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
    /// The fields, column-major: `columns[c][r]` is row `r` of column `c`.
    public var columns: [[String]]
    /// For each data row, the 1-based line in the source where its record starts.
    public var lineNumbers: [Int]
    /// What the reader changed or chose, one sentence each: renamed header columns, a
    /// detected delimiter other than the comma.
    public var notes: [String] = []

    /// Number of data rows (the header is not counted).
    public var rowCount: Int { lineNumbers.count }

    /// A table from columns, all of the same length. `lineNumbers` defaults to 1, 2, 3, …
    public init(source: String = "<table>", columnNames: [String], columns: [[String]], lineNumbers: [Int]? = nil) {
        precondition(columnNames.count == columns.count, "CSVTable needs one name per column")
        let rows = columns.first?.count ?? 0
        precondition(columns.allSatisfy { $0.count == rows }, "CSVTable columns must have equal lengths")
        self.source = source
        self.columnNames = columnNames
        self.columns = columns
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
        var data = try readFileData(url)
        if Gzip.isGzip(data) { data = Data(try Gzip.decompress(data, source: url.path)) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataError.invalidEncoding(file: url.path)
        }
        return try parse(text, hasHeader: hasHeader, delimiter: delimiter, missingValues: missingValues, source: url.path)
    }

    /// Parses CSV text; see ``read(contentsOf:hasHeader:delimiter:missingValues:)``.
    public static func parse(_ text: String, hasHeader: Bool = true, delimiter: UnicodeScalar? = nil,
                             missingValues: Set<String> = MissingValues.pandasDefaults,
                             source: String = "<string>") throws -> CSVTable {
        var body = Substring(text)
        if body.unicodeScalars.first == "\u{FEFF}" { body = body.dropFirst() }  // UTF-8 byte-order mark
        if let line = unclosedQuoteLine(body.utf8) { throw DataError.unterminatedQuote(file: source, row: line) }
        var readerNotes: [String] = []
        let delimiter = try delimiter.map { try checkedDelimiter($0) } ?? {
            var copy = String(body)
            let sniffed = copy.withUTF8 { DelimiterSniffer.sniff($0) }
            if sniffed != UInt8(ascii: ",") {
                readerNotes.append("\(source): fields separated by \(DelimiterSniffer.describe(sniffed)) (detected; --delimiter chooses)")
            }
            return Unicode.Scalar(sniffed)
        }()
        let reader: CSVReader
        do {
            reader = try CSVReader(string: String(body), hasHeaderRow: false, delimiter: delimiter)
        } catch {
            throw DataError.unreadableFile(file: source, reason: "\(error)")
        }

        var names: [String]? = nil
        var columns: [[String]] = []
        var lineNumbers: [Int] = []
        var line = 1
        while let record = reader.next() {
            let recordLine = line
            line += 1 + record.reduce(0) { $0 + embeddedLineBreaks($1) }
            if record.count == 1 && record[0].isEmpty { continue }  // blank line
            if names == nil {
                if hasHeader {
                    let unique = ColumnNames.unique(record)
                    names = unique.names
                    readerNotes += unique.notes.map { "\(source): \($0)" }
                    columns = Array(repeating: [], count: record.count)
                    continue
                }
                names = (1...record.count).map(String.init)
                columns = Array(repeating: [], count: record.count)
            }
            guard record.count == columns.count else {
                throw DataError.raggedRow(file: source, row: recordLine, expected: columns.count, got: record.count)
            }
            for (c, field) in record.enumerated() {
                columns[c].append(missingValues.contains(field.trimmingCharacters(in: .whitespaces)) ? "" : field)
            }
            lineNumbers.append(recordLine)
        }
        if let error = reader.error {
            throw DataError.unreadableFile(file: source, reason: "\(error)")
        }
        guard let columnNames = names, !lineNumbers.isEmpty else { throw DataError.emptyFile(file: source) }
        var table = CSVTable(source: source, columnNames: columnNames, columns: columns, lineNumbers: lineNumbers)
        table.notes = readerNotes
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
        columns[try columnIndex(nameOrPosition)]
    }

    /// The table restricted to the rows at `indices` (0-based, in that order); line
    /// numbers are kept so errors still point into the original file.
    public func selectingRows(_ indices: [Int]) -> CSVTable {
        var subset = CSVTable(source: source, columnNames: columnNames,
                              columns: columns.map { column in indices.map { column[$0] } },
                              lineNumbers: indices.map { lineNumbers[$0] })
        subset.notes = notes
        return subset
    }

    /// The fields of data row `row` (0-based), in column order.
    public func row(_ row: Int) -> [String] { columns.map { $0[row] } }
}

/// The line on which a quoted field opens without closing, if any. Quotes toggle the
/// state (a doubled quote toggles twice), so an odd count of quotes means one is open.
private func unclosedQuoteLine(_ bytes: Substring.UTF8View) -> Int? {
    var line = 1
    var openedOn: Int? = nil
    var previous: UInt8 = 0
    for byte in bytes {
        switch byte {
        case UInt8(ascii: "\""): openedOn = openedOn == nil ? line : nil
        case UInt8(ascii: "\n"): if previous != UInt8(ascii: "\r") { line += 1 }
        case UInt8(ascii: "\r"): line += 1
        default: break
        }
        previous = byte
    }
    return openedOn
}

/// Line breaks inside a quoted field (CRLF counts once), so that the next record's
/// line number is right.
private func embeddedLineBreaks(_ field: String) -> Int {
    var count = 0
    var previousCR = false
    for scalar in field.unicodeScalars {
        if scalar == "\n" {
            if !previousCR { count += 1 }
            previousCR = false
        } else if scalar == "\r" {
            count += 1
            previousCR = true
        } else {
            previousCR = false
        }
    }
    return count
}
