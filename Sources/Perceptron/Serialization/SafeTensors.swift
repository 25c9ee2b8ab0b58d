import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A set of named F32 and I8 tensors and a string metadata map in the safetensors format
/// (huggingface/safetensors), which holds data only, so loading a file runs no code.
///
/// Layout:
/// ```
/// [8 bytes: N, little-endian u64] [N bytes: UTF-8 JSON header, space-padded] [byte buffer]
/// header: {"__metadata__": {"k": "v", …},
///          "name": {"dtype": "F32", "shape": [d₀, d₁, …], "data_offsets": [begin, end]}, …}
/// ```
/// Offsets are relative to the byte buffer; tensors are little-endian, row-major.
///
/// Reading checks what the reference loader checks, and any violation is a
/// ``SafeTensorsError`` (never a crash or an out-of-bounds read): the file holds at
/// least 8 bytes; N ≤ ``maxHeaderLength`` and 8 + N ≤ file size; the header is UTF-8,
/// starts with `{` and parses as a JSON object; `__metadata__` maps strings to strings;
/// each tensor has dtype ("F32" or "I8" here: 32-bit floats, or signed bytes for quantized
/// weights), shape (non-negative integers) and data_offsets [begin, end]; sorted by
/// offset, each tensor begins where the previous ended, starting at 0 (no overlap, no
/// gap); ∏shape × (4 for F32, 1 for I8) = end − begin (checked for overflow); the last end
/// is the buffer's length (nothing after the last tensor). All of this is checked before
/// any tensor's values are copied out of the file.
/// Duplicate JSON keys are not detected (Foundation's parser keeps one); a dropped
/// duplicate then shows up as a gap.
public struct SafeTensors: Sendable, Equatable {
    /// The element types this reader and writer handle.
    public enum DType: String, Sendable, Equatable, CaseIterable {
        /// 32-bit IEEE float, little-endian.
        case f32 = "F32"
        /// Signed 8-bit integer (quantized weights).
        case i8 = "I8"

        /// Bytes per element.
        public var byteWidth: Int {
            switch self {
            case .f32: return 4
            case .i8: return 1
            }
        }
    }

    /// One tensor: its shape, element type and row-major values (∏shape values; a scalar
    /// has shape []), in ``values`` for F32 or ``int8Values`` for I8 (the other is empty).
    public struct Tensor: Sendable, Equatable {
        public var shape: [Int]
        public var dtype: DType
        /// The values of an F32 tensor (empty for I8).
        public var values: [Float]
        /// The values of an I8 tensor (empty for F32).
        public var int8Values: [Int8]

        /// An F32 tensor.
        public init(shape: [Int], values: [Float]) {
            self.shape = shape
            self.dtype = .f32
            self.values = values
            self.int8Values = []
        }

        /// An I8 tensor.
        public init(shape: [Int], int8Values: [Int8]) {
            self.shape = shape
            self.dtype = .i8
            self.values = []
            self.int8Values = int8Values
        }

        /// The number of values held (of either type).
        var storedCount: Int { dtype == .f32 ? values.count : int8Values.count }

        /// A 2-D tensor from a matrix (shape [rows, columns]).
        public init(_ matrix: Matrix) {
            self.init(shape: [matrix.rows, matrix.columns], values: matrix.elements)
        }

        /// The tensor as a matrix: shape [r, c] → r × c, [n] → 1 × n, [] → 1 × 1; I8 values
        /// become the floats of the same integers.
        /// - Throws: ``SafeTensorsError/invalidTensor(name:reason:)`` for 3 or more dimensions.
        public func matrix() throws -> Matrix {
            let elements = dtype == .f32 ? values : int8Values.map { Float($0) }
            switch shape.count {
            case 0: return Matrix(rows: 1, columns: 1, elements: elements)
            case 1: return Matrix(rows: 1, columns: shape[0], elements: elements)
            case 2: return Matrix(rows: shape[0], columns: shape[1], elements: elements)
            default: throw SafeTensorsError.invalidTensor(name: "", reason: "shape \(shape) is not 1-D or 2-D")
            }
        }
    }

    /// The largest header accepted, as in the reference loader (100 MB).
    public static let maxHeaderLength = 100_000_000

    /// Tensors by name.
    public var tensors: [String: Tensor]
    /// The `__metadata__` map.
    public var metadata: [String: String]

    public init(tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The named tensor.
    /// - Throws: ``SafeTensorsError/missingTensor(file:tensor:)``.
    public func tensor(_ name: String, file: String = "<safetensors>") throws -> Tensor {
        guard let tensor = tensors[name] else { throw SafeTensorsError.missingTensor(file: file, tensor: name) }
        return tensor
    }

    // MARK: Writing

    /// The file's bytes: header (sorted names, padded with spaces to a multiple of 8)
    /// then the tensors' data in name order.
    /// - Throws: ``SafeTensorsError/invalidTensor(name:reason:)`` for a tensor whose value
    ///   count is not ∏shape, a negative dimension, or an empty or reserved name.
    public func serialized() throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let tensor = tensors[name]!
            guard !name.isEmpty, name != "__metadata__" else {
                throw SafeTensorsError.invalidTensor(name: name, reason: "empty or reserved name")
            }
            guard tensor.shape.allSatisfy({ $0 >= 0 }) else {
                throw SafeTensorsError.invalidTensor(name: name, reason: "negative dimension in shape \(tensor.shape)")
            }
            guard let count = elementCount(tensor.shape), count == tensor.storedCount,
                  tensor.dtype == .f32 ? tensor.int8Values.isEmpty : tensor.values.isEmpty else {
                throw SafeTensorsError.invalidTensor(
                    name: name, reason: "shape \(tensor.shape) does not hold \(tensor.storedCount) \(tensor.dtype.rawValue) values")
            }
            let bytes = tensor.dtype.byteWidth * count
            header[name] = ["dtype": tensor.dtype.rawValue, "shape": tensor.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        json.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - json.count % 8) % 8))

        var out = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for name in names {
            if tensors[name]!.dtype == .i8 {
                tensors[name]!.int8Values.withUnsafeBytes { out.append(contentsOf: $0) }
                continue
            }
            tensors[name]!.values.withUnsafeBufferPointer { values in
                if UInt32(1).littleEndian == 1 {
                    out.append(UnsafeBufferPointer(start: UnsafeRawPointer(values.baseAddress)?
                        .assumingMemoryBound(to: UInt8.self), count: values.count * 4))
                } else {
                    for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
                }
            }
        }
        return out
    }

    /// Writes the file atomically with ``AtomicFile/write(_:to:)``: to a temporary file in the
    /// same folder, flushed to disk (fsync), then renamed over `url`; on any error the
    /// temporary file is removed and `url` is untouched. A `url` that exists and is not a
    /// regular file (a symbolic link, a device, …) is refused, not replaced.
    /// - Throws: ``SafeTensorsError/io(file:reason:)`` and the errors of ``serialized()``.
    public func write(to url: URL) throws {
        let data = try serialized()
        do {
            try AtomicFile.write(data, to: url)
        } catch let error as OutputFileError {
            throw SafeTensorsError.io(file: error.file, reason: error.reason)
        }
    }

    // MARK: Reading

    /// Reads and validates a safetensors file.
    /// - Throws: a ``SafeTensorsError`` naming the file, the tensor and the problem.
    public static func read(from url: URL) throws -> SafeTensors {
        try parse(readBytes(from: url), file: url.path)
    }

    /// The bytes of the file at `url`, unparsed (for a caller that also hashes them).
    /// - Throws: ``SafeTensorsError/io(file:reason:)`` naming the file and why it cannot be read.
    package static func readBytes(from url: URL) throws(SafeTensorsError) -> Data {
        do {
            return try FileContents.read(url)
        } catch {
            switch error {
            case .notFound: throw .io(file: url.path, reason: "no such file")
            case .isDirectory: throw .io(file: url.path, reason: "cannot read: is a directory")
            case let .unreadable(reason): throw .io(file: url.path, reason: "cannot read: \(reason)")
            }
        }
    }

    /// Parses and validates safetensors bytes; `file` names them in errors.
    public static func parse(_ data: Data, file: String = "<data>") throws -> SafeTensors {
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in try parse(bytes, file: file) }
    }

    static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws -> SafeTensors {
        guard bytes.count >= 8 else { throw SafeTensorsError.fileTooSmall(file: file, size: bytes.count) }
        let length = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard length <= UInt64(maxHeaderLength) else {
            throw SafeTensorsError.headerTooLarge(file: file, length: length, limit: maxHeaderLength)
        }
        guard length <= UInt64(bytes.count - 8) else {
            throw SafeTensorsError.headerOutOfBounds(file: file, length: length, fileSize: bytes.count)
        }
        let headerBytes = UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + Int(length))])
        let buffer = UnsafeRawBufferPointer(rebasing: bytes[(8 + Int(length))...])
        let entries = try parseHeader(headerBytes, file: file)

        var result = SafeTensors()
        if let meta = entries.metadata { result.metadata = meta }
        var expectedBegin = 0
        for entry in entries.tensors.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            guard entry.begin == expectedBegin, entry.end >= entry.begin else {
                throw SafeTensorsError.invalidOffsets(file: file, tensor: entry.name, begin: entry.begin,
                                                      end: entry.end, expectedBegin: expectedBegin)
            }
            expectedBegin = entry.end
            let count = elementCount(entry.shape)
            let (bytesNeeded, overflow) = (count ?? 0).multipliedReportingOverflow(by: entry.dtype.byteWidth)
            guard let count, !overflow, bytesNeeded == entry.end - entry.begin else {
                throw SafeTensorsError.sizeMismatch(file: file, tensor: entry.name, shape: entry.shape,
                                                    expectedBytes: count == nil || overflow ? nil : bytesNeeded,
                                                    rangeBytes: entry.end - entry.begin)
            }
            guard entry.end <= buffer.count else {
                throw SafeTensorsError.truncatedData(file: file, dataEnd: entry.end, bufferLength: buffer.count)
            }
            if entry.dtype == .i8 {
                let values = [Int8](unsafeUninitializedCapacity: count) { out, initialized in
                    for i in 0..<count { out[i] = Int8(bitPattern: buffer[entry.begin + i]) }
                    initialized = count
                }
                result.tensors[entry.name] = Tensor(shape: entry.shape, int8Values: values)
                continue
            }
            let values = [Float](unsafeUninitializedCapacity: count) { out, initialized in
                for i in 0..<count {
                    let bits = buffer.loadUnaligned(fromByteOffset: entry.begin + 4 * i, as: UInt32.self)
                    out[i] = Float(bitPattern: UInt32(littleEndian: bits))
                }
                initialized = count
            }
            result.tensors[entry.name] = Tensor(shape: entry.shape, values: values)
        }
        guard expectedBegin == buffer.count else {
            throw SafeTensorsError.trailingBytes(file: file, dataEnd: expectedBegin, bufferLength: buffer.count)
        }
        return result
    }

    struct Entry {
        var name: String
        var dtype: DType
        var shape: [Int]
        var begin: Int
        var end: Int
    }

    /// Decodes the JSON header into metadata and tensor entries, checking their types.
    static func parseHeader(_ bytes: UnsafeRawBufferPointer, file: String) throws
        -> (metadata: [String: String]?, tensors: [Entry]) {
        guard bytes.first == UInt8(ascii: "{") else {
            throw SafeTensorsError.invalidHeader(file: file, reason: "does not start with '{'")
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw SafeTensorsError.invalidHeader(file: file, reason: "not valid UTF-8")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
        } catch {
            throw SafeTensorsError.invalidHeader(file: file, reason: "not valid JSON")
        }
        guard let header = object as? [String: Any] else {
            throw SafeTensorsError.invalidHeader(file: file, reason: "not a JSON object")
        }
        var metadata: [String: String]? = nil
        var entries: [Entry] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else {
                    throw SafeTensorsError.invalidMetadata(file: file, reason: "not an object")
                }
                var strings: [String: String] = [:]
                for (key, item) in map {
                    guard let string = item as? String else {
                        throw SafeTensorsError.invalidMetadata(file: file, reason: "value of \"\(key)\" is not a string")
                    }
                    strings[key] = string
                }
                metadata = strings
                continue
            }
            guard let info = value as? [String: Any] else {
                throw SafeTensorsError.invalidEntry(file: file, tensor: name, reason: "entry is not an object")
            }
            guard let dtype = info["dtype"] as? String else {
                throw SafeTensorsError.invalidEntry(file: file, tensor: name, reason: "missing or non-string dtype")
            }
            guard let type = DType(rawValue: dtype) else {
                throw SafeTensorsError.unsupportedDType(file: file, tensor: name, dtype: dtype)
            }
            guard let shape = integers(info["shape"]) else {
                throw SafeTensorsError.invalidEntry(file: file, tensor: name, reason: "shape is not a list of non-negative integers")
            }
            guard let offsets = integers(info["data_offsets"]), offsets.count == 2 else {
                throw SafeTensorsError.invalidEntry(file: file, tensor: name,
                                                    reason: "data_offsets is not [begin, end] of non-negative integers")
            }
            entries.append(Entry(name: name, dtype: type, shape: shape, begin: offsets[0], end: offsets[1]))
        }
        return (metadata, entries)
    }

    /// A JSON array of non-negative integers, or nil.
    static func integers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var out: [Int] = []
        for item in array {
            guard let number = item as? NSNumber else { return nil }
            let double = number.doubleValue
            guard double >= 0, double == double.rounded(), double < 9.0e15 else { return nil }
            out.append(number.intValue)
        }
        return out
    }
}

/// ∏shape, or nil on overflow (a scalar, shape [], has 1 element).
func elementCount(_ shape: [Int]) -> Int? {
    var count = 1
    for d in shape {
        guard d >= 0 else { return nil }
        let (product, overflow) = count.multipliedReportingOverflow(by: d)
        if overflow { return nil }
        count = product
    }
    return count
}
