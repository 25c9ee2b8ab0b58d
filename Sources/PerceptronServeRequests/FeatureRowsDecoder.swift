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
/// own: it accepts a subset of what the general path accepts, with the same features.
/// The matrix grows row by row and stops at `maxRows`; what it holds is bounded by the
/// body (every number takes at least two bytes with its separator).
struct FeatureRowsDecoder {
    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    private init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// The rows and their features (rows × width, row-major), or nil for "not this shape".
    static func decode(_ bytes: UnsafeRawBufferPointer, width: Int, maxRows: Int) -> (rows: Int, features: [Float])? {
        guard width > 0 else { return nil }
        var decoder = FeatureRowsDecoder(bytes: bytes)
        return decoder.body(width: width, maxRows: maxRows)
    }

    private mutating func body(width: Int, maxRows: Int) -> (rows: Int, features: [Float])? {
        skipWhitespace()
        guard take(UInt8(ascii: "{")) else { return nil }
        skipWhitespace()
        guard takeKeyInputs() else { return nil }
        skipWhitespace()
        guard take(UInt8(ascii: ":")) else { return nil }
        skipWhitespace()
        guard take(UInt8(ascii: "[")) else { return nil }
        var features: [Float] = []
        features.reserveCapacity(width)
        var rows = 0
        while true {
            skipWhitespace()
            guard rows < maxRows, take(UInt8(ascii: "[")) else { return nil }
            for j in 0..<width {
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "-") || JSONNumber.isDigit(bytes[position]),
                      let (value, end) = try? JSONNumber.scan(bytes, from: position) else { return nil }
                position = end
                let f = Float(value)
                guard f.isFinite else { return nil }
                features.append(f)
                skipWhitespace()
                guard take(j == width - 1 ? UInt8(ascii: "]") : UInt8(ascii: ",")) else { return nil }
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
        return (rows, features)
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
