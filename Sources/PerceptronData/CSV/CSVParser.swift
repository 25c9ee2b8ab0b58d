import Foundation
import Perceptron

/// The CSV reader behind ``CSVTable``: one pass over the bytes of the whole input, fields
/// as byte ranges, numbers parsed from the bytes (``DecimalNumber``), columns stored as
/// `[Double]` until a field that is not a number turns one into text.
///
/// RFC 4180 as pandas reads it: fields separated by one byte; a field starting with `"`
/// is quoted (delimiters and line breaks inside it are data, `""` is one quote); records
/// end at LF, CRLF or CR, or at the end without a final line break; a UTF-8 byte-order
/// mark is skipped; blank lines are skipped; a quote inside an unquoted field is data.
/// Records with another field count than the first, and a quoted field never closed, are
/// errors with their line.
///
/// A column that turns text at row k has lost its first k fields' text (only numbers
/// were kept); they are read again from the input at the end, in one pass over the
/// first k records.
struct CSVParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let delimiter: UInt8
    let source: String
    let missing: MissingMatcher
    /// Called now and then with the offset of the current record, so a mapped file can
    /// drop the pages behind it.
    var progress: ((Int) -> Void)? = nil

    static let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")

    /// One field of the current record: a byte range (the inner range of a simply quoted
    /// field), and whether it must be unquoted first (doubled quotes, text after the
    /// closing quote).
    struct Field {
        var start: Int
        var end: Int
        var quoted: Bool
        var raw: Bool
    }

    /// Reads the table. `hasHeader`: the first record names the columns.
    func read(hasHeader: Bool) throws -> (names: [String], notes: [String], columns: [CSVColumn], lines: [Int]) {
        var position = 0
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { position = 3 }
        let start = position
        var line = 1
        var fields: [Field] = []
        var scratch: [UInt8] = []

        // The first non-blank record: the header, or the first data row (read again below).
        var names: [String] = []
        var notes: [String] = []
        while position < bytes.count {
            let recordLine = line
            let recordStart = position
            try readRecord(at: &position, line: &line, into: &fields)
            if isBlank(fields) { continue }
            if hasHeader {
                // Header names are taken as written: a column may be called "NA".
                let raw = try fields.map { try text(of: $0, scratch: &scratch, line: recordLine, markMissing: false) }
                (names, notes) = ColumnNames.unique(raw)
            } else {
                names = (1...fields.count).map(String.init)
                position = recordStart
                line = recordLine
            }
            break
        }
        guard !names.isEmpty else { throw DataError.emptyFile(file: source) }
        // A record takes at least one byte per field, so the input holds at most this many rows:
        // the first capacity never exceeds what the file can fill (a header of a million
        // empty names does not reserve a thousand rows for each).
        let rowBound = (bytes.count - position) / names.count + 1
        var columns = Columns(count: names.count, capacity: min(1024, rowBound))
        defer { columns.deallocate() }
        var lines: [Int] = []
        try readRows(from: &position, line: &line, into: &columns, lines: &lines, scratch: &scratch)
        guard !lines.isEmpty else { throw DataError.emptyFile(file: source) }
        return (names, notes, try finish(&columns, rows: lines.count, hasHeader: hasHeader, start: start), lines)
    }

    @inline(__always)
    private func isBlank(_ fields: [Field]) -> Bool {
        fields.count == 1 && fields[0].start == fields[0].end && !fields[0].quoted
    }

    /// The columns being read: a malloc'ed `Double` buffer per numeric column (no
    /// reference counting in the inner loop), `[String]` once a column turns text.
    struct Columns {
        let count: Int
        var capacity: Int
        var numbers: UnsafeMutablePointer<UnsafeMutablePointer<Double>?>
        var texts: [[String]]
        /// The row at which a text column turned text (rows before it are read again).
        var textFrom: [Int]
        var nonFinite: [CSVColumn.NonFiniteField?]

        init(count: Int, capacity: Int) {
            self.count = count
            self.capacity = max(capacity, 1)
            numbers = .allocate(capacity: count)
            for c in 0..<count { numbers[c] = malloc(self.capacity * 8)!.assumingMemoryBound(to: Double.self) }
            texts = Array(repeating: [], count: count)
            textFrom = Array(repeating: 0, count: count)
            nonFinite = Array(repeating: nil, count: count)
        }

        mutating func grow(to rows: Int) {
            guard rows > capacity else { return }
            capacity = rows
            for c in 0..<count where numbers[c] != nil {
                numbers[c] = realloc(numbers[c], capacity * 8)!.assumingMemoryBound(to: Double.self)
            }
        }

        func deallocate() {
            for c in 0..<count { free(numbers[c]) }
            numbers.deallocate()
        }
    }

    /// Reads the data records: fields scanned and, in numeric columns, parsed in one pass.
    private func readRows(from position: inout Int, line: inout Int, into columns: inout Columns, lines: inout [Int],
                          scratch: inout [UInt8]) throws {
        let base = bytes.baseAddress!
        let n = bytes.count
        let delimiter = self.delimiter
        let count = columns.count
        let start = position
        let checkMarkersFirst = missing.hasNumericMarkers
        var i = position
        var row = 0
        var nextProgress = i + (1 << 20)
        while i < n {
            let recordLine = line
            let recordStart = i
            // A blank line (LF, CRLF or CR alone) is skipped.
            if base[i] == Self.lf || base[i] == Self.cr {
                if base[i] == Self.cr && i + 1 < n && base[i + 1] == Self.lf { i += 1 }
                i += 1
                line += 1
                continue
            }
            if row == columns.capacity {
                // Room for the rows the input likely holds, judged from those read so far.
                let estimate = Int(Double(n - start) / Double(max(i - start, 1)) * Double(row) * 1.02) + 16
                columns.grow(to: max(estimate, row * 2))
            }
            var c = 0
            var ended = false
            while !ended {
                let fieldStart = i
                var field: Field? = nil
                if i < n && base[i] == Self.quote {
                    field = try quotedField(at: &i, line: &line)
                } else {
                    if c < count, !checkMarkersFirst, let values = columns.numbers[c],
                       let (x, length) = DecimalNumber.parsePrefix(base + i, limit: n - i) {
                        let next = i + length
                        if next == n || base[next] == delimiter || base[next] == Self.lf || base[next] == Self.cr {
                            if Float(x).isFinite {
                                values[row] = x
                            } else {
                                field = Field(start: fieldStart, end: next, quoted: false, raw: false)
                            }
                            i = next
                        }
                    }
                    if i == fieldStart {
                        while i < n {
                            let b = base[i]
                            if b == delimiter || b == Self.lf || b == Self.cr { break }
                            i += 1
                        }
                        field = Field(start: fieldStart, end: i, quoted: false, raw: false)
                    }
                }
                if let field {
                    guard c < count else {
                        throw raggedRow(at: recordStart, line: recordLine, expected: count)
                    }
                    try append(field, column: c, row: row, line: recordLine, to: &columns, scratch: &scratch)
                }
                c += 1
                if i >= n {
                    ended = true
                } else {
                    let b = base[i]
                    i += 1
                    if b == delimiter {
                        if i >= n {  // a final delimiter: one more, empty field
                            guard c < count else { throw raggedRow(at: recordStart, line: recordLine, expected: count) }
                            try append(Field(start: i, end: i, quoted: false, raw: false), column: c, row: row,
                                       line: recordLine, to: &columns, scratch: &scratch)
                            c += 1
                            ended = true
                        }
                    } else {
                        if b == Self.cr && i < n && base[i] == Self.lf { i += 1 }
                        line += 1
                        ended = true
                    }
                }
            }
            if c != count { throw raggedRow(at: recordStart, line: recordLine, expected: count) }
            lines.append(recordLine)
            row += 1
            if i >= nextProgress {
                progress?(recordStart)
                nextProgress = i + (1 << 20)
            }
        }
        position = i
    }

    /// The ragged-row error for the record at `offset`, with its field count.
    private func raggedRow(at offset: Int, line: Int, expected: Int) -> Error {
        var position = offset, line2 = line
        var fields: [Field] = []
        do { try readRecord(at: &position, line: &line2, into: &fields) } catch { return error }
        return DataError.raggedRow(file: source, row: line, expected: expected, got: fields.count)
    }

    /// Adds one field to its column, turning a numeric column into text at the first
    /// field that is neither missing nor a number.
    private func append(_ field: Field, column c: Int, row: Int, line: Int, to columns: inout Columns,
                        scratch: inout [UInt8]) throws {
        guard let values = columns.numbers[c] else {
            columns.texts[c].append(try text(of: field, scratch: &scratch, line: line))
            return
        }
        let parsed: NumberResult
        if field.raw {
            unquote(field, into: &scratch)
            parsed = scratch.isEmpty ? .missing : scratch.withUnsafeBufferPointer { number(in: $0.baseAddress!, 0, $0.count) }
        } else {
            parsed = number(in: bytes.baseAddress!, field.start, field.end)
        }
        switch parsed {
        case .number(let x):
            values[row] = x
        case .missing:
            values[row] = .nan
        case .nonFinite(let x):
            values[row] = x
            if columns.nonFinite[c] == nil {
                let text = field.raw ? String(decoding: scratch, as: UTF8.self)
                    : String(decoding: UnsafeBufferPointer(rebasing: bytes[field.start..<field.end]), as: UTF8.self)
                columns.nonFinite[c] = .init(row: row, text: text.trimmingCharacters(in: .whitespaces))
            }
        case .text:
            free(values)
            columns.numbers[c] = nil
            columns.textFrom[c] = row
            columns.texts[c].reserveCapacity(max(16, columns.capacity - row))
            columns.texts[c].append(try text(of: field, scratch: &scratch, line: line))
        }
    }

    /// Reads a quoted field starting at `i` (on its opening quote), up to its delimiter.
    @inline(__always)
    private func quotedField(at i: inout Int, line: inout Int) throws -> Field {
        let base = bytes.baseAddress!
        let n = bytes.count
        let fieldStart = i
        let openLine = line
        i += 1
        var raw = false
        var closed = false
        while i < n {
            let b = base[i]
            if b == Self.quote {
                if i + 1 < n && base[i + 1] == Self.quote { raw = true; i += 2; continue }
                closed = true
                i += 1
                break
            }
            if b == Self.lf { line += 1 } else if b == Self.cr && !(i + 1 < n && base[i + 1] == Self.lf) { line += 1 }
            i += 1
        }
        if !closed { throw DataError.unterminatedQuote(file: source, row: openLine) }
        let closeQuote = i - 1
        // Text after the closing quote belongs to the field (pandas keeps it).
        while i < n && base[i] != delimiter && base[i] != Self.lf && base[i] != Self.cr { raw = true; i += 1 }
        return raw ? Field(start: fieldStart, end: i, quoted: true, raw: true)
                   : Field(start: fieldStart + 1, end: closeQuote, quoted: true, raw: false)
    }

    enum NumberResult {
        case number(Double), missing, nonFinite(Double), text
    }

    /// What the bytes `start..<end` of `base` hold when a number is expected.
    @inline(__always)
    private func number(in base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> NumberResult {
        var s = start, e = end
        while s < e && (base[s] == 0x20 || base[s] == 0x09) { s += 1 }
        while e > s && (base[e - 1] == 0x20 || base[e - 1] == 0x09) { e -= 1 }
        if s == e { return .missing }
        if missing.hasNumericMarkers && missing.matches(UnsafeBufferPointer(start: base + s, count: e - s)) { return .missing }
        if let x = DecimalNumber.parse(base + s, count: e - s) {
            return Float(x).isFinite ? .number(x) : .nonFinite(x)
        }
        let span = UnsafeBufferPointer(start: base + s, count: e - s)
        if missing.matches(span) { return .missing }
        // Forms the fast path leaves to the exact parser: 20+ digits, big exponents, inf, nan, hex.
        guard span.count <= 400, let x = Double(String(decoding: span, as: UTF8.self)) else { return .text }
        return Float(x).isFinite ? .number(x) : .nonFinite(x)
    }

    /// A field as text: "" when missing, else its bytes unquoted and checked as UTF-8.
    private func text(of field: Field, scratch: inout [UInt8], line: Int, markMissing: Bool = true) throws -> String {
        let decoded: String?
        if field.raw {
            unquote(field, into: &scratch)
            decoded = scratch.withUnsafeBufferPointer { String(validating: $0, as: UTF8.self) }
        } else {
            decoded = String(validating: UnsafeBufferPointer(rebasing: bytes[field.start..<field.end]), as: UTF8.self)
        }
        guard let text = decoded else { throw DataError.invalidEncoding(file: source) }
        return markMissing && missing.matches(text) ? "" : text
    }

    /// The bytes of a field that needs unquoting: quotes removed, `""` inside quotes → `"`.
    private func unquote(_ field: Field, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        var inQuotes = false
        var i = field.start
        while i < field.end {
            let b = bytes[i]
            if b == Self.quote {
                if inQuotes && i + 1 < field.end && bytes[i + 1] == Self.quote {
                    out.append(Self.quote)
                    i += 2
                    continue
                }
                if i == field.start || inQuotes { inQuotes.toggle(); i += 1; continue }
            }
            out.append(b)
            i += 1
        }
    }

    /// Reads one record from `position` into `fields`, advancing past its line break.
    @inline(__always)
    func readRecord(at position: inout Int, line: inout Int, into fields: inout [Field]) throws {
        fields.removeAll(keepingCapacity: true)
        let base = bytes.baseAddress!
        let n = bytes.count
        let delimiter = self.delimiter
        var i = position
        while true {
            let fieldStart = i
            if i < n && base[i] == Self.quote {
                fields.append(try quotedField(at: &i, line: &line))
            } else {
                while i < n {
                    let b = base[i]
                    if b == delimiter || b == Self.lf || b == Self.cr { break }
                    i += 1
                }
                fields.append(Field(start: fieldStart, end: i, quoted: false, raw: false))
            }
            if i >= n { break }
            let b = base[i]
            i += 1
            if b == delimiter {
                if i >= n { fields.append(Field(start: i, end: i, quoted: false, raw: false)); break }
                continue
            }
            if b == Self.cr && i < n && base[i] == Self.lf { i += 1 }
            line += 1
            break
        }
        position = i
    }

    /// The finished columns: the text columns' first rows read again from the input.
    private func finish(_ columns: inout Columns, rows: Int, hasHeader: Bool, start: Int) throws -> [CSVColumn] {
        var result: [CSVColumn] = []
        var pending: [(column: Int, from: Int)] = []
        let textColumns = (0..<columns.count).filter { columns.numbers[$0] == nil }
        for c in 0..<columns.count {
            if let values = columns.numbers[c] {
                result.append(.numbers(Array(UnsafeBufferPointer(start: values, count: rows)), nonFinite: columns.nonFinite[c]))
                free(values)
                columns.numbers[c] = nil
            } else {
                result.append(.text([]))
                if columns.textFrom[c] > 0 { pending.append((c, columns.textFrom[c])) }
            }
        }
        var prefixes = pending.map { _ in [String]() }
        if let needed = pending.map(\.from).max() {
            var position = start, line = 1, row = 0, headerSkipped = !hasHeader
            var fields: [Field] = []
            var scratch: [UInt8] = []
            while position < bytes.count && row < needed {
                let recordLine = line
                try readRecord(at: &position, line: &line, into: &fields)
                if isBlank(fields) { continue }
                if !headerSkipped { headerSkipped = true; continue }
                for (k, p) in pending.enumerated() where row < p.from {
                    prefixes[k].append(try text(of: fields[p.column], scratch: &scratch, line: recordLine))
                }
                row += 1
            }
        }
        for c in textColumns {
            let prefix = pending.firstIndex { $0.column == c }.map { prefixes[$0] } ?? []
            result[c] = .text(prefix + columns.texts[c])
            columns.texts[c] = []
        }
        return result
    }
}

/// Missing-value markers, matched on bytes without making a String.
struct MissingMatcher {
    let markers: Set<String>
    private let lengths: Set<Int>
    /// Whether a marker reads as a number ("-999"), so markers are checked before numbers.
    let hasNumericMarkers: Bool

    init(_ markers: Set<String>) {
        self.markers = markers
        lengths = Set(markers.map(\.utf8.count))
        hasNumericMarkers = markers.contains { marker in
            var bytes = Array(marker.utf8)
            return bytes.withUnsafeMutableBufferPointer { $0.isEmpty ? false : DecimalNumber.parse($0.baseAddress!, count: $0.count) != nil }
        }
    }

    /// Whether the bytes (already without spaces around them) are a marker.
    @inline(__always)
    func matches(_ span: UnsafeBufferPointer<UInt8>) -> Bool {
        guard lengths.contains(span.count) else { return false }
        return markers.contains(String(decoding: span, as: UTF8.self))
    }

    /// Whether a text field (spaces around it allowed) is a marker or blank.
    func matches(_ text: String) -> Bool {
        if text.isEmpty { return true }
        var utf8 = Substring(text).utf8[...]
        while let f = utf8.first, f == 0x20 || f == 0x09 { utf8 = utf8.dropFirst() }
        while let l = utf8.last, l == 0x20 || l == 0x09 { utf8 = utf8.dropLast() }
        if utf8.isEmpty { return false }  // blank: kept as is, read as missing by isMissing
        guard lengths.contains(utf8.count) else { return false }
        return markers.contains(String(Substring(utf8)))
    }
}
