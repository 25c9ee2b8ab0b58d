import Foundation

/// Reads the float values of an ONNX TensorProto from an untrusted file, checking every
/// size before it decides an allocation.
///
/// ```
/// dims            each 0 ≤ d, the product computed with overflow checks, ≤ maxElements
/// FLOAT raw_data  byte count = 4 · product (little-endian IEEE 754)
/// FLOAT float_data  count = product
/// DOUBLE raw_data / double_data, likewise with 8 bytes, narrowed to Float
/// values          all finite
/// ```
/// External data, segments and other element types are refused.
enum ONNXTensorReader {
    /// The most elements one tensor may have (2²⁸ floats, 1 GiB): more than any MLP layer
    /// the importer is meant for, small enough to refuse a forged size early.
    static let maxElements = 1 << 28

    /// The element count `dims` implies, checked.
    static func elementCount(_ dims: [Int64], tensor: String, file: String) throws -> Int {
        var count = 1
        for d in dims {
            guard d >= 0, d <= Int64(maxElements) else {
                throw ONNXError.invalidTensor(file: file, tensor: tensor, reason: "dimension \(d) out of range 0...\(maxElements)")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(d))
            guard !overflow, product <= maxElements else {
                throw ONNXError.invalidTensor(file: file, tensor: tensor, reason: "dims \(dims) exceed \(maxElements) elements")
            }
            count = product
        }
        return count
    }

    /// The tensor's dims as Ints (after ``elementCount(_:tensor:file:)`` has checked them).
    static func shape(_ tensor: Onnx_TensorProto, file: String) throws -> [Int] {
        _ = try elementCount(tensor.dims, tensor: tensor.name, file: file)
        return tensor.dims.map { Int($0) }
    }

    /// The values, in row-major order, as Float.
    static func floats(_ tensor: Onnx_TensorProto, file: String) throws -> [Float] {
        let name = tensor.name
        let count = try elementCount(tensor.dims, tensor: name, file: file)
        if tensor.dataLocation == .external || !tensor.externalData.isEmpty {
            throw ONNXError.invalidTensor(file: file, tensor: name, reason: "external data is not supported (save the model with its weights inside)")
        }
        if tensor.hasSegment {
            throw ONNXError.invalidTensor(file: file, tensor: name, reason: "segmented tensors are not supported")
        }
        let values: [Float]
        switch Onnx_TensorProto.DataType(rawValue: Int(tensor.dataType)) {
        case .float?:
            if !tensor.rawData.isEmpty {
                let (bytes, overflow) = count.multipliedReportingOverflow(by: 4)
                guard !overflow, tensor.rawData.count == bytes else {
                    throw ONNXError.invalidTensor(file: file, tensor: name,
                                                  reason: "raw_data holds \(tensor.rawData.count) bytes, dims \(tensor.dims) need \(count) × 4")
                }
                values = littleEndian(tensor.rawData, count: count, as: UInt32.self).map { Float(bitPattern: $0) }
            } else {
                guard tensor.floatData.count == count else {
                    throw ONNXError.invalidTensor(file: file, tensor: name,
                                                  reason: "float_data holds \(tensor.floatData.count) values, dims \(tensor.dims) need \(count)")
                }
                values = tensor.floatData
            }
        case .double?:
            if !tensor.rawData.isEmpty {
                let (bytes, overflow) = count.multipliedReportingOverflow(by: 8)
                guard !overflow, tensor.rawData.count == bytes else {
                    throw ONNXError.invalidTensor(file: file, tensor: name,
                                                  reason: "raw_data holds \(tensor.rawData.count) bytes, dims \(tensor.dims) need \(count) × 8")
                }
                values = littleEndian(tensor.rawData, count: count, as: UInt64.self).map { Float(Double(bitPattern: $0)) }
            } else {
                guard tensor.doubleData.count == count else {
                    throw ONNXError.invalidTensor(file: file, tensor: name,
                                                  reason: "double_data holds \(tensor.doubleData.count) values, dims \(tensor.dims) need \(count)")
                }
                values = tensor.doubleData.map { Float($0) }
            }
        default:
            throw ONNXError.invalidTensor(file: file, tensor: name,
                                          reason: "element type \(tensor.dataType) (\(typeName(tensor.dataType))) is not FLOAT or DOUBLE")
        }
        guard values.allSatisfy(\.isFinite) else {
            throw ONNXError.invalidTensor(file: file, tensor: name, reason: "holds a non-finite value")
        }
        return values
    }

    /// The values of an INT64 tensor (shapes, perms), checked like ``floats(_:file:)``.
    static func int64s(_ tensor: Onnx_TensorProto, file: String) throws -> [Int64] {
        let count = try elementCount(tensor.dims, tensor: tensor.name, file: file)
        guard Onnx_TensorProto.DataType(rawValue: Int(tensor.dataType)) == .int64 else {
            throw ONNXError.invalidTensor(file: file, tensor: tensor.name, reason: "element type \(typeName(tensor.dataType)) is not INT64")
        }
        if !tensor.rawData.isEmpty {
            guard tensor.rawData.count == count * 8 else {
                throw ONNXError.invalidTensor(file: file, tensor: tensor.name,
                                              reason: "raw_data holds \(tensor.rawData.count) bytes, dims \(tensor.dims) need \(count) × 8")
            }
            return littleEndian(tensor.rawData, count: count, as: UInt64.self).map { Int64(bitPattern: $0) }
        }
        guard tensor.int64Data.count == count else {
            throw ONNXError.invalidTensor(file: file, tensor: tensor.name,
                                          reason: "int64_data holds \(tensor.int64Data.count) values, dims \(tensor.dims) need \(count)")
        }
        return tensor.int64Data
    }

    /// `count` little-endian words from `data` (whose size the caller has checked).
    private static func littleEndian<T: FixedWidthInteger>(_ data: Data, count: Int, as: T.Type) -> [T] {
        precondition(data.count == count * MemoryLayout<T>.size, "littleEndian: \(data.count) bytes for \(count) words")
        return data.withUnsafeBytes { raw in
            (0..<count).map { i in T(littleEndian: raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)) }
        }
    }

    /// The ONNX name of an element type, for messages.
    static func typeName(_ code: Int32) -> String {
        guard let type = Onnx_TensorProto.DataType(rawValue: Int(code)) else { return "unknown" }
        return "\(type)".uppercased()
    }
}
