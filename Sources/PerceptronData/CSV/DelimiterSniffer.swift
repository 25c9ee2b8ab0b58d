import Perceptron
/// Chooses a CSV file's field separator among `,` `;` tab `|` from its first lines.
///
/// For each candidate, the fields of the first ``sampleLines`` non-blank lines are counted
/// outside double quotes; a candidate is consistent when every sampled line has the same
/// count and that count is > 1. The first consistent candidate in the order `, ; \t |`
/// wins; with none, the comma (a one-column file reads the same with any of them).
/// A header row takes part, so "a;b" over "1,5;2,5" chooses `;`.
enum DelimiterSniffer {
    static let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")]
    static let sampleLines = 20

    static func sniff(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt8 {
        let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var counts: [[Int]] = Array(repeating: [], count: candidates.count)
        var current = [Int](repeating: 1, count: candidates.count)
        var inQuotes = false
        var lineHasBytes = false
        var lines = 0
        var i = 0
        func endLine() {
            if lineHasBytes {
                for k in candidates.indices { counts[k].append(current[k]) }
                lines += 1
            }
            current = [Int](repeating: 1, count: candidates.count)
            lineHasBytes = false
        }
        while i < bytes.count && lines < sampleLines {
            let byte = bytes[i]
            if byte == quote {
                inQuotes.toggle()
                lineHasBytes = true
            } else if !inQuotes && (byte == lf || byte == cr) {
                endLine()
            } else {
                lineHasBytes = true
                if !inQuotes, let k = candidates.firstIndex(of: byte) { current[k] += 1 }
            }
            i += 1
        }
        if lines < sampleLines && !inQuotes { endLine() }
        for (k, delimiter) in candidates.enumerated() {
            if let first = counts[k].first, first > 1, counts[k].allSatisfy({ $0 == first }) { return delimiter }
        }
        return UInt8(ascii: ",")
    }

    /// A readable name for a delimiter byte, for notes ("tab", "';'").
    static func describe(_ delimiter: UInt8) -> String {
        delimiter == UInt8(ascii: "\t") ? "tab" : "'\(Character(Unicode.Scalar(delimiter)))'"
    }
}
