import Foundation

/// A thread-safe table from a registered name to the decoder of one configuration type,
/// shared by ``LayerRegistry`` and ``OptimizerRegistry``. Values are coded as a single-key
/// object, `{"<name>": <the configuration's own JSON>}`, the form Swift's synthesized
/// `Codable` gave the former closed enums, so model files of format 1 read unchanged.
final class ConfigurationRegistry<Value: Sendable>: @unchecked Sendable {
    typealias Decode = @Sendable (any Decoder) throws -> Value
    private struct Entry {
        var typeID: ObjectIdentifier
        var decode: Decode
    }
    private let kind: String
    private let lock = NSLock()
    private var entries: [String: Entry]

    init(kind: String, builtIns: [(String, ObjectIdentifier, Decode)]) {
        self.kind = kind
        var table: [String: Entry] = [:]
        for (name, typeID, decode) in builtIns { table[name] = Entry(typeID: typeID, decode: decode) }
        entries = table
    }

    func register(name: String, typeID: ObjectIdentifier, decode: @escaping Decode) throws {
        try lock.withLock {
            if let existing = entries[name] {
                if existing.typeID == typeID { return }
                throw PerceptronError.incompatible("a \(kind) type is already registered under \"\(name)\"")
            }
            entries[name] = Entry(typeID: typeID, decode: decode)
        }
    }

    func holds(name: String, typeID: ObjectIdentifier) -> Bool {
        lock.withLock { entries[name]?.typeID == typeID }
    }

    var names: [String] { lock.withLock { entries.keys.sorted() } }

    func decode(from decoder: any Decoder) throws -> Value {
        let container = try decoder.container(keyedBy: NameKey.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "a \(kind) is an object with one key, its type's name; found \(container.allKeys.count) keys"))
        }
        guard let entry = lock.withLock({ entries[key.stringValue] }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [key],
                debugDescription: "unknown \(kind) type \"\(key.stringValue)\" (registered: \(names.joined(separator: ", ")))"))
        }
        return try entry.decode(try container.superDecoder(forKey: key))
    }

    func encode(_ value: any Encodable, name: String, to encoder: any Encoder) throws {
        guard lock.withLock({ entries[name] }) != nil else {
            throw EncodingError.invalidValue(value, .init(codingPath: encoder.codingPath,
                debugDescription: "\(kind) type \"\(name)\" is not registered"))
        }
        var container = encoder.container(keyedBy: NameKey.self)
        try value.encode(to: container.superEncoder(forKey: NameKey(name)))
    }

    struct NameKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension ConfigurationRegistry where Value == any LayerConfiguration {
    func encode(_ value: any LayerConfiguration, to encoder: any Encoder) throws {
        try encode(value, name: type(of: value).registeredName, to: encoder)
    }
}

/// Sorted-keys JSON of a value, to compare configurations whatever their type.
func canonicalJSON(_ value: any Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
}
