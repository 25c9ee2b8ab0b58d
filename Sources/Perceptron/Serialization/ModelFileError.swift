/// Why a model file's contents, valid as a safetensors container, are not a model
/// Perceptron can rebuild. Each case names the file. (Container-level problems, such as
/// truncated data or overlapping offsets, are ``SafeTensorsError``s.)
public enum ModelFileError: Error, Equatable, Sendable {
    /// `__metadata__` lacks a key the format requires.
    case missingMetadata(file: String, key: String)
    /// The file's format version is not one this build reads.
    case unsupportedVersion(file: String, version: String, supported: Int)
    /// A metadata value is not the JSON it should be.
    case invalidMetadata(file: String, key: String, reason: String)
    /// The architecture in the metadata cannot be rebuilt (custom layer, bad sizes, …).
    case invalidArchitecture(file: String, reason: String)
    /// A tensor the architecture needs is absent.
    case missingTensor(file: String, tensor: String)
    /// A tensor has a shape other than the architecture implies.
    case wrongShape(file: String, tensor: String, expected: [Int], got: [Int])
    /// A tensor the architecture does not account for.
    case unexpectedTensor(file: String, tensor: String)
    /// A weight holds NaN or ±Inf.
    case nonFiniteWeight(file: String, tensor: String)
    /// A tensor has an element type other than the architecture implies (e.g. F32 where a
    /// quantized layer keeps I8 weights).
    case wrongDType(file: String, tensor: String, expected: String, got: String)
    /// A tensor's values are outside what its layer accepts (e.g. a quantization scale ≤ 0).
    case invalidTensorValue(file: String, tensor: String, reason: String)
}

extension ModelFileError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .missingMetadata(file, key):
            return "\(file): not a Perceptron model file: __metadata__ has no \"\(key)\""
        case let .unsupportedVersion(file, version, supported):
            return "\(file): model format version \(version) is not supported (this build reads versions 1 through \(supported), and newer files whose minimum reader version is at most \(supported))"
        case let .invalidMetadata(file, key, reason):
            return "\(file): metadata \"\(key)\" is invalid: \(reason)"
        case let .invalidArchitecture(file, reason):
            return "\(file): cannot rebuild the model: \(reason)"
        case let .missingTensor(file, tensor):
            return "\(file): missing tensor \"\(tensor)\""
        case let .wrongShape(file, tensor, expected, got):
            return "\(file): tensor \"\(tensor)\" has shape \(got), expected \(expected)"
        case let .unexpectedTensor(file, tensor):
            return "\(file): unexpected tensor \"\(tensor)\" (not part of the saved architecture)"
        case let .nonFiniteWeight(file, tensor):
            return "\(file): tensor \"\(tensor)\" holds NaN or infinite values"
        case let .wrongDType(file, tensor, expected, got):
            return "\(file): tensor \"\(tensor)\" has dtype \(got), expected \(expected)"
        case let .invalidTensorValue(file, tensor, reason):
            return "\(file): tensor \"\(tensor)\" is invalid: \(reason)"
        }
    }
}

import Foundation

extension ModelFileError: LocalizedError {
    public var errorDescription: String? { description }
}
