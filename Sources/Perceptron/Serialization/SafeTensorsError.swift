/// Why a safetensors file could not be read or written. Each case names the file and,
/// where one is at fault, the tensor.
public enum SafeTensorsError: Error, Equatable, Sendable {
    /// Shorter than the 8-byte header length.
    case fileTooSmall(file: String, size: Int)
    /// The header length exceeds ``SafeTensors/maxHeaderLength``.
    case headerTooLarge(file: String, length: UInt64, limit: Int)
    /// The header length runs past the end of the file.
    case headerOutOfBounds(file: String, length: UInt64, fileSize: Int)
    /// The header is not UTF-8 JSON, does not start with `{`, or is not an object.
    case invalidHeader(file: String, reason: String)
    /// `__metadata__` is not an object of strings.
    case invalidMetadata(file: String, reason: String)
    /// A tensor entry lacks `dtype`, `shape` or `data_offsets`, or one is malformed.
    case invalidEntry(file: String, tensor: String, reason: String)
    /// A dtype other than F32 and I8 (the ones Perceptron reads).
    case unsupportedDType(file: String, tensor: String, dtype: String)
    /// `data_offsets` do not tile the byte buffer: the tensor starts before
    /// (overlap) or after (gap) where the previous one ended, or ends before it begins.
    case invalidOffsets(file: String, tensor: String, begin: Int, end: Int, expectedBegin: Int)
    /// The element count × 4 bytes differs from the tensor's byte range (or overflows).
    case sizeMismatch(file: String, tensor: String, shape: [Int], expectedBytes: Int?, rangeBytes: Int)
    /// The last tensor ends before the end of the file: extra bytes follow.
    case trailingBytes(file: String, dataEnd: Int, bufferLength: Int)
    /// The tensors' byte ranges run past the end of the file.
    case truncatedData(file: String, dataEnd: Int, bufferLength: Int)
    /// Writing: a tensor whose values do not match its shape, or a reserved/empty name.
    case invalidTensor(name: String, reason: String)
    /// A tensor asked for by name is not in the file.
    case missingTensor(file: String, tensor: String)
    /// The file could not be read or written.
    case io(file: String, reason: String)
}

extension SafeTensorsError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .fileTooSmall(file, size):
            return "\(file): \(size) bytes, too small for a safetensors file (needs at least 8)"
        case let .headerTooLarge(file, length, limit):
            return "\(file): header length \(length) exceeds the limit of \(limit) bytes"
        case let .headerOutOfBounds(file, length, fileSize):
            return "\(file): header length \(length) runs past the end of the \(fileSize)-byte file"
        case let .invalidHeader(file, reason):
            return "\(file): invalid safetensors header: \(reason)"
        case let .invalidMetadata(file, reason):
            return "\(file): invalid __metadata__: \(reason)"
        case let .invalidEntry(file, tensor, reason):
            return "\(file): tensor \"\(tensor)\": \(reason)"
        case let .unsupportedDType(file, tensor, dtype):
            return "\(file): tensor \"\(tensor)\" has dtype \(dtype); only F32 and I8 are supported"
        case let .invalidOffsets(file, tensor, begin, end, expectedBegin):
            let problem = end < begin ? "ends before it begins"
                : begin < expectedBegin ? "overlaps the previous tensor" : "leaves a gap after the previous tensor"
            return "\(file): tensor \"\(tensor)\" data_offsets [\(begin), \(end)] \(problem) (expected to begin at \(expectedBegin))"
        case let .sizeMismatch(file, tensor, shape, expectedBytes, rangeBytes):
            let expected = expectedBytes.map { "\($0) bytes" } ?? "an overflowing byte count"
            return "\(file): tensor \"\(tensor)\" of shape \(shape) needs \(expected), its data_offsets span \(rangeBytes)"
        case let .trailingBytes(file, dataEnd, bufferLength):
            return "\(file): \(bufferLength - dataEnd) bytes after the last tensor (data ends at \(dataEnd) of \(bufferLength))"
        case let .truncatedData(file, dataEnd, bufferLength):
            return "\(file): tensor data ends at byte \(dataEnd) but the buffer has only \(bufferLength) bytes"
        case let .invalidTensor(name, reason):
            return "Cannot write tensor \"\(name)\": \(reason)"
        case let .missingTensor(file, tensor):
            return "\(file): no tensor named \"\(tensor)\""
        case let .io(file, reason):
            return "\(file): \(reason)"
        }
    }
}

import Foundation

extension SafeTensorsError: LocalizedError {
    public var errorDescription: String? { description }
}
