import Perceptron
/// Header names made unique the way pandas' `read_csv` does, so that every column can be
/// found by its name.
///
/// ```
/// a, a, a, b, ""   →   a, a.1, a.2, b, "Unnamed: 4"
/// ```
/// As pandas' C parser: a repeated name gets ".k", k counting up from the name's count
/// so far and skipping any name the header already holds (`a, a.1, a` → `a, a.1, a.2`;
/// `b, b, b.1` → `b, b.2, b.1`); an empty (or blank) name becomes "Unnamed: N", N being
/// the column's 0-based position. Each change gets a note that says so.
enum ColumnNames {
    static func unique(_ raw: [String]) -> (names: [String], notes: [String]) {
        var counts: [String: Int] = [:]
        var names: [String] = []
        var notes: [String] = []
        var unnamed: [String] = []
        let named = raw.enumerated().map { position, name in
            name.allSatisfy { $0 == " " || $0 == "\t" } ? "Unnamed: \(position)" : name
        }
        let header = Set(named)
        for (position, base) in named.enumerated() {
            if base != raw[position] { unnamed.append("column \(position + 1) → \"\(base)\"") }
            var name = base
            var count = counts[base, default: 0]
            while count > 0 {
                counts[base] = count + 1
                name = "\(base).\(count)"
                count = header.contains(name) ? count + 1 : counts[name, default: 0]
            }
            counts[name] = count + 1
            if name != base { notes.append("duplicate column name \"\(base)\" (column \(position + 1)) renamed \"\(name)\"") }
            names.append(name)
        }
        if !unnamed.isEmpty { notes.insert("empty column name: " + unnamed.joined(separator: ", "), at: 0) }
        return (names, notes)
    }
}
