import Foundation

/// A strict RFC 8259 JSON parser for request bodies, with limits.
///
/// ```
/// value   = object | array | string | number | true | false | null
/// number  = [-] int [frac] [exp]        (no NaN, Infinity, leading zeros or '+')
/// string  = '"' (unescaped ≥ U+0020 | \" \\ \/ \b \f \n \r \t \uXXXX) '"'   (valid UTF-8; surrogates paired)
/// ```
/// Nesting deeper than ``maximumDepth`` is refused, so a hostile body cannot exhaust the
/// stack; every array or object element consumes at least one input byte, so what the
/// parser allocates is bounded by the body's size, which the server checks first. A
/// duplicate object key is an error. Errors give the byte offset.
public struct JSONParser {
    /// The deepest nesting of arrays and objects accepted.
    public static let maximumDepth = 32

    /// Why a body is not JSON, and where.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        /// Byte offset of the problem in the body (0-based).
        public var offset: Int
        public var reason: String
        public var description: String { "\(reason) at byte \(offset)" }
    }

    /// Parses one JSON value filling the whole of `bytes` (whitespace around it allowed).
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.error("unexpected data after the JSON value") }
        return value
    }

    /// Parses `data` (see ``parse(_:)-swift.type.method``).
    public static func parse(_ data: some ContiguousBytes) throws(ParseError) -> JSONValue {
        do {
            return try data.withUnsafeBytes { try parse($0) }
        } catch let error as ParseError {
            throw error
        } catch {
            preconditionFailure("JSONParser.parse throws only ParseError")
        }
    }

    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    private init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    private func error(_ reason: String) -> ParseError { ParseError(offset: position, reason: reason) }

    private var atEnd: Bool { position >= bytes.count }
    private var current: UInt8 { bytes[position] }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws(ParseError) -> JSONValue {
        guard !atEnd else { throw error("the body ends where a value was expected (truncated JSON)") }
        switch current {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default:
            if current == UInt8(ascii: "N") || current == UInt8(ascii: "I") {
                throw error("NaN and Infinity are not JSON numbers")
            }
            throw error("unexpected character '\(Self.show(current))' where a value was expected")
        }
    }

    private static func show(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : String(format: "\\x%02X", byte)
    }

    private mutating func literal(_ word: StaticString) throws(ParseError) {
        let count = word.utf8CodeUnitCount
        guard bytes.count - position >= count else { throw error("truncated literal (expected \(word))") }
        let base = word.utf8Start
        for i in 0..<count where bytes[position + i] != base[i] {
            throw error("invalid literal (expected \(word))")
        }
        position += count
    }

    private mutating func parseObject(depth: Int) throws(ParseError) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth) levels") }
        position += 1
        var members: [(key: String, value: JSONValue)] = []
        // Duplicate keys: a linear scan for small objects, a set once an object grows, so a
        // hostile body with many keys costs O(n), not O(n²).
        var keys: Set<String>? = nil
        skipWhitespace()
        if !atEnd && current == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard !atEnd else { throw error("the body ends inside an object (truncated JSON)") }
            guard current == UInt8(ascii: "\"") else { throw error("expected a string key in an object") }
            let keyOffset = position
            let key = try parseString()
            let duplicate: Bool
            if keys != nil {
                duplicate = !keys!.insert(key).inserted
            } else {
                duplicate = members.contains { $0.key == key }
                if members.count == 15 { keys = Set(members.map(\.key) + [key]) }
            }
            if duplicate { throw ParseError(offset: keyOffset, reason: "duplicate key \"\(key)\"") }
            skipWhitespace()
            guard !atEnd else { throw error("the body ends inside an object (truncated JSON)") }
            guard current == UInt8(ascii: ":") else { throw error("expected ':' after an object key") }
            position += 1
            skipWhitespace()
            members.append((key, try parseValue(depth: depth)))
            skipWhitespace()
            guard !atEnd else { throw error("the body ends inside an object (truncated JSON)") }
            if current == UInt8(ascii: ",") { position += 1; continue }
            if current == UInt8(ascii: "}") { position += 1; return .object(members) }
            throw error("expected ',' or '}' in an object")
        }
    }

    private mutating func parseArray(depth: Int) throws(ParseError) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth) levels") }
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if !atEnd && current == UInt8(ascii: "]") { position += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard !atEnd else { throw error("the body ends inside an array (truncated JSON)") }
            if current == UInt8(ascii: ",") { position += 1; continue }
            if current == UInt8(ascii: "]") { position += 1; return .array(elements) }
            throw error("expected ',' or ']' in an array")
        }
    }

    private mutating func parseNumber() throws(ParseError) -> Double {
        do {
            let (value, end) = try JSONNumber.scan(bytes, from: position)
            position = end
            return value
        } catch {
            position = error.offset
            switch error.reason {
            case .noDigit: throw self.error("a number needs a digit")
            case .leadingZero: throw self.error("a number may not have a leading zero")
            case .noFractionDigit: throw self.error("a digit must follow the decimal point")
            case .noExponentDigit: throw self.error("a digit must follow the exponent")
            }
        }
    }

    private mutating func parseString() throws(ParseError) -> String {
        position += 1  // the opening quote
        let start = position
        // Fast path: no escapes.
        while !atEnd {
            let byte = current
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<position])
                guard let text = String(validating: slice, as: UTF8.self) else {
                    position = start
                    throw error("a string is not valid UTF-8")
                }
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("a control character inside a string must be escaped") }
            position += 1
        }
        guard !atEnd else { throw error("the body ends inside a string (truncated JSON)") }
        var utf8: [UInt8] = Array(bytes[start..<position])
        while !atEnd {
            let byte = current
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                guard let text = String(validating: utf8, as: UTF8.self) else { throw error("a string is not valid UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                position += 1
                guard !atEnd else { break }
                let escape = current
                position += 1
                switch escape {
                case UInt8(ascii: "\""): utf8.append(0x22)
                case UInt8(ascii: "\\"): utf8.append(0x5C)
                case UInt8(ascii: "/"): utf8.append(0x2F)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard bytes.count - position >= 6, bytes[position] == UInt8(ascii: "\\"),
                              bytes[position + 1] == UInt8(ascii: "u") else { throw error("an unpaired UTF-16 surrogate") }
                        position += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("an unpaired UTF-16 surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw error("an unpaired UTF-16 surrogate")
                    }
                    utf8.append(contentsOf: String(Character(UnicodeScalar(scalar)!)).utf8)
                default:
                    position -= 1
                    throw error("invalid escape '\\\(Self.show(escape))'")
                }
            default:
                if byte < 0x20 { throw error("a control character inside a string must be escaped") }
                utf8.append(byte)
                position += 1
            }
        }
        throw error("the body ends inside a string (truncated JSON)")
    }

    private mutating func hex4() throws(ParseError) -> UInt32 {
        guard bytes.count - position >= 4 else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = current
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - 0x30)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - 0x61 + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - 0x41 + 10)
            default: throw error("invalid hex digit in a \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}
