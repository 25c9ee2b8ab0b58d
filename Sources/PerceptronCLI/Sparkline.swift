/// A series as one line of block characters, lowest ▁ to highest █, for the end of
/// training on a terminal.
///
/// More values than `width` are averaged in `width` consecutive buckets; the height of
/// value v is `round((v − min)/(max − min)·7)`. Non-finite values show as a space.
enum Sparkline {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    static func line(_ values: [Float], width: Int = 48) -> String {
        guard !values.isEmpty, width > 0 else { return "" }
        var series = values.map(Double.init)
        if series.count > width {
            series = (0..<width).map { b in
                let lo = b * values.count / width, hi = max((b + 1) * values.count / width, lo + 1)
                let bucket = values[lo..<hi].map(Double.init).filter(\.isFinite)
                return bucket.isEmpty ? .nan : bucket.reduce(0, +) / Double(bucket.count)
            }
        }
        let finite = series.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return String(repeating: " ", count: series.count) }
        return String(series.map { v -> Character in
            guard v.isFinite else { return " " }
            let level = hi > lo ? Int(((v - lo) / (hi - lo) * 7).rounded()) : 3
            return blocks[min(max(level, 0), 7)]
        })
    }
}
