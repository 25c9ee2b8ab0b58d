import PerceptronData

/// The common `{"inputs": [[x, …], …]}` body read straight into the feature matrix, without
/// building a ``JSONValue`` tree first.
///
/// ```
/// body = ws "{" ws "\"inputs\"" ws ":" ws "[" ws row (ws "," ws row)* ws "]" ws "}" ws
/// row  = "[" ws number (ws "," ws number)* ws "]"      exactly `width` numbers, each finite as Float
/// ```
/// Anything else (another member, a string, `null`, a short row, a value that overflows
/// Float, a body that is not JSON at all, more than `maxRows` rows, no row) returns nil,
/// and the caller takes the general path (``JSONParser`` then ``RequestDecoder``), which
/// gives the exact refusal it always gave. So this decoder never decides an answer of its
/// own: it accepts a subset of what the general path accepts, with the same features (the
/// same ``JSONNumber/scan(_:from:)``, then the same `Float(Double)` rounding).
///
/// The matrix is allocated once, before parsing, for as many rows as the body's size can
/// hold: a row of w numbers takes at least 2w + 1 bytes (`[0,0,…,0]`), so
///
/// ```
/// capacity rows = min(maxRows, ⌊body bytes / (2w + 1)⌋)
/// ```
/// bounded by the body (which the server has checked against `--max-body`) and by
/// `--max-rows`; nothing the body says decides it. Numbers are written in place: no value
/// tree, no growth and copy of the array, no per-element append.
struct FeatureRowsDecoder {
    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    private init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// The most rows a body of `byteCount` bytes can hold at `width` numbers per row, and
    /// at most `maxRows`.
    static func capacityRows(byteCount: Int, width: Int, maxRows: Int) -> Int {
        guard width > 0, maxRows > 0, byteCount > 0 else { return 0 }
        let (rowBytes, overflow) = width.multipliedReportingOverflow(by: 2)
        guard !overflow, rowBytes < Int.max else { return 0 }
        return min(maxRows, byteCount / (rowBytes + 1))
    }

    /// The rows and their features (rows × width, row-major), or nil for "not this shape".
    static func decode(_ bytes: UnsafeRawBufferPointer, width: Int, maxRows: Int) -> (rows: Int, features: [Float])? {
        let capacity = capacityRows(byteCount: bytes.count, width: width, maxRows: maxRows)
        guard capacity > 0 else { return nil }
        var rows = 0
        let features = [Float](unsafeUninitializedCapacity: capacity * width) { buffer, count in
            // The decoder is the closure's own local (not captured), so that its position can
            // live in a register: captured, every number's start went through memory.
            var decoder = FeatureRowsDecoder(bytes: bytes)
            rows = decoder.body(width: width, maxRows: capacity, into: buffer) ?? 0
            count = rows * width
        }
        return rows > 0 ? (rows, features) : nil
    }

    /// Parses the body into `out` (room for `maxRows` rows); the row count, or nil.
    private mutating func body(width: Int, maxRows: Int, into out: UnsafeMutableBufferPointer<Float>) -> Int? {
        skipWhitespace()
        guard take(UInt8(ascii: "{")) else { return nil }
        skipWhitespace()
        guard takeKeyInputs() else { return nil }
        skipWhitespace()
        guard take(UInt8(ascii: ":")) else { return nil }
        skipWhitespace()
        guard take(UInt8(ascii: "[")) else { return nil }
        var rows = 0
        var k = 0
        let powersOfTen = DecimalToDouble.powersOfTen
        while true {
            skipWhitespace()
            guard rows < maxRows, take(UInt8(ascii: "[")) else { return nil }
            var j = 0
            while j < width {
                // The compact forms a client writes for most of a row, each with its
                // separator: four zeros, one zero, and 0.d…d (1-7 fraction digits), read from
                // one or two words with no bounds checks (16 readable bytes) and no call. The
                // value is the scan's: m / 10^f for the fraction's digits m, then Float.
                if position &+ 16 <= bytes.count {
                    let word = load(at: position)
                    if j &+ 4 < width, word == Self.fourZeros {
                        for q in 0..<4 { out[k &+ q] = 0 }
                        k &+= 4
                        j &+= 4
                        position &+= 8
                        continue
                    }
                    let head = word & 0xFFFF
                    if j &+ 1 < width, head == Self.zeroComma {
                        out[k] = 0
                        k &+= 1
                        j &+= 1
                        position &+= 2
                        continue
                    }
                    if head == Self.zeroPoint {
                        let separator = j == width &- 1 ? UInt8(ascii: "]") : UInt8(ascii: ",")
                        // `0.0` and its separator, a float zero as Python and JavaScript print
                        // it (and the space of Python's ", "): a fixed width, so the next
                        // number's start waits on no arithmetic.
                        if _slowPath((word >> 16) & 0xFFFF == 0x30 | UInt64(separator) << 8) {
                            out[k] = 0
                            k &+= 1
                            j &+= 1
                            position &+= (word >> 32) & 0xFF == 0x20 ? 5 : 4
                            continue
                        }
                        let run = JSONNumber.digitRun(word: load(at: position &+ 2))
                        if run.count >= 1, run.count <= 7, run.next == separator {
                            out[k] = run.value == 0 ? 0 : Float(Double(run.value) / powersOfTen[run.count])
                            k &+= 1
                            j &+= 1
                            position &+= run.count &+ 3
                            continue
                        }
                        if _slowPath(run.count == 8), position &+ 32 <= bytes.count,
                           let (value, end) = longFraction(first: run.value, at: position &+ 10, separator: separator) {
                            out[k] = value
                            k &+= 1
                            j &+= 1
                            position = end
                            continue
                        }
                    }
                    if word & 0xFF == 0x20 {   // a space after the separator (Python's ", ")
                        position &+= 1
                        continue
                    }
                }
                // Any other number, spacing, and the last bytes of the body.
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "-") || JSONNumber.isDigit(bytes[position]),
                      let (value, end) = try? JSONNumber.scan(bytes, from: position) else { return nil }
                position = end
                let f = Float(value)
                guard f.isFinite else { return nil }
                out[k] = f
                k += 1
                skipWhitespace()
                guard take(j == width - 1 ? UInt8(ascii: "]") : UInt8(ascii: ",")) else { return nil }
                j += 1
            }
            rows += 1
            skipWhitespace()
            if take(UInt8(ascii: ",")) { continue }
            guard take(UInt8(ascii: "]")) else { return nil }
            break
        }
        skipWhitespace()
        guard take(UInt8(ascii: "}")) else { return nil }
        skipWhitespace()
        guard position == bytes.count else { return nil }
        return rows
    }

    /// `0.` and 9-18 fraction digits (what Python's and JavaScript's shortest round-trip
    /// printing gives a float in (0, 1): `0.32941176470588235`) right before `separator`,
    /// the first 8 digits' value already read (`first`) and the rest from `p` (at least 22
    /// readable bytes there); the value and the position after the separator, or nil for
    /// another form. The number scan's value: m · 10^−f by ``DecimalToDouble/nearest(mantissa:exponent:)``
    /// (Eisel–Lemire), nil where that defers to `strtod` (the general path then reads it).
    /// Out of line: inlined, its conversion crowded the row loop's registers and slowed the
    /// short numbers (a 32-image body of 6-digit pixels 44 → 52 µs).
    @inline(never)
    private func longFraction(first: UInt64, at p: Int, separator: UInt8) -> (Float, Int)? {
        var mantissa = first
        var digits = 8
        var q = p
        var run = JSONNumber.digitRun(word: load(at: q))
        if run.count == 8 {   // 16 digits, then at most 2 more (19 significant digits with the 0)
            mantissa = mantissa &* 100_000_000 &+ run.value
            digits = 16
            q &+= 8
            run = JSONNumber.digitRun(word: load(at: q))
            guard run.count <= 2 else { return nil }
        }
        guard run.next == separator else { return nil }
        mantissa = mantissa &* JSONNumber.powersOfTenInteger(run.count) &+ run.value
        digits &+= run.count
        q &+= run.count &+ 1
        if mantissa == 0 { return (0, q) }
        guard let value = DecimalToDouble.nearest(mantissa: mantissa, exponent: -digits) else { return nil }
        return (Float(value), q)
    }

    /// "0,0,0,0" and "," as one little-endian word; "0," and "0." as its low 16 bits.
    private static let fourZeros: UInt64 = 0x2C30_2C30_2C30_2C30
    private static let zeroComma: UInt64 = 0x2C30
    private static let zeroPoint: UInt64 = 0x2E30

    /// The eight bytes at `offset` as a little-endian word (the caller checks they exist).
    @inline(__always) private func load(at offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always) private mutating func take(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// `"inputs"` written plainly (an escaped spelling goes the general way).
    private mutating func takeKeyInputs() -> Bool {
        let key: StaticString = "\"inputs\""
        let count = key.utf8CodeUnitCount
        guard bytes.count - position >= count else { return false }
        let base = key.utf8Start
        for i in 0..<count where bytes[position + i] != base[i] { return false }
        position += count
        return true
    }

    @inline(__always) private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }
}
