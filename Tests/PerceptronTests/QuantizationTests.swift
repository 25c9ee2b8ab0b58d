import Foundation
import XCTest
@testable import Perceptron
import PerceptronData

/// Post-training int8 quantization of a whole model: it predicts what the float model
/// predicts (up to the quantization error), saves I8 weights and F32 scales, loads back to
/// the same bits, and the loader refuses a quantized file that is not consistent.
final class QuantizationTests: XCTestCase {
    /// The bundled digits (64 pixel features, 10 classes), a 64-64-32-10 network trained briefly.
    func trainedDigits() throws -> (model: Sequential, x: Matrix, labels: [Int]) {
        let table = try Datasets.table("digits")
        let pre = try Preprocessor.fit(table, options: .init(target: Datasets.targetColumn("digits"), task: .classification))
        let (x, y) = try pre.transform(table)
        let model = try Sequential(inputSize: x.columns, layers: [
            Dense(64, activation: .relu), Dense(32, activation: .tanh), Dense(10, activation: .softmax),
        ], seed: 4)
        try model.compile(loss: .sparseCategoricalCrossEntropy, optimizer: Adam(learningRate: 0.01), metrics: [.accuracy])
        try model.fit(x, y!, epochs: 8, batchSize: 64)
        return (model, x, y!.elements.map { Int($0) })
    }

    func accuracy(_ model: Sequential, _ x: Matrix, _ labels: [Int]) throws -> Double {
        try Metrics.accuracy(actual: labels, predicted: model.predictClasses(x))
    }

    /// An inference pass (f fused into the int8 product's store for ReLU and linear, z not
    /// kept) gives the output bits of a training pass (z, then f(z)), on every activation.
    func testInferencePassGivesTheBitsOfATrainingPass() throws {
        var g = SeededGenerator(seed: 12)
        let x = Matrix(rows: 23, columns: 19, elements: (0..<23 * 19).map { _ in Float.random(in: -2...2, using: &g) })
        for activation in [Activation.relu, .linear, .tanh, .softmax] {
            for useBias in [true, false] {
                var dense = Dense(11, activation: activation, useBias: useBias)
                try dense.build(inputSize: 19, generator: &g)
                var layer = try QuantizedDense(quantizing: dense)
                layer.forward(x, training: true, generator: &g)
                let trained = layer.output
                XCTAssertEqual(layer.preactivation.rows, 23)
                layer.forward(x, training: false, generator: &g)
                XCTAssertEqual(layer.output, trained, "\(activation) bias=\(useBias)")
                layer.forward(x, training: true, generator: &g)   // z is back for backward
                XCTAssertEqual(layer.preactivation.rows, 23)
                XCTAssertEqual(layer.output, trained)
            }
        }
    }

    func testQuantizedModelsPredictLikeTheFloatModel() throws {
        let (model, x, labels) = try trainedDigits()
        let dynamic = try model.quantized()
        let calibrated = try model.quantized(activations: .calibrated(x))
        XCTAssertTrue(dynamic.layers.allSatisfy { $0 is QuantizedDense })
        XCTAssertEqual((calibrated.layers[1] as? QuantizedDense)?.inputQuantization, .static)
        let float = try accuracy(model, x, labels)
        // 1,797 rows: one point is 18 rows. Int8 steps of ~1/127 of each range move a few
        // probabilities near a tie, not more (the goal on MNIST is ≤ 0.3 points).
        XCTAssertEqual(try accuracy(dynamic, x, labels), float, accuracy: 0.01)
        XCTAssertEqual(try accuracy(calibrated, x, labels), float, accuracy: 0.01)
        let p = try model.predict(x), pq = try dynamic.predict(x)
        var largest: Float = 0
        for i in 0..<p.count { largest = max(largest, abs(p.elements[i] - pq.elements[i])) }
        // Probabilities, so at most 1 apart; quantization moves them by a few hundredths.
        XCTAssertLessThan(largest, 0.1)
        XCTAssertGreaterThan(largest, 0, "a quantized model that equals the float one bit for bit quantized nothing")
        // The float model is unchanged, and the quantized one keeps its loss and metrics.
        XCTAssertTrue(model.layers.allSatisfy { $0 is Dense })
        XCTAssertEqual(dynamic.loss, .sparseCategoricalCrossEntropy)
        XCTAssertEqual(try dynamic.evaluate(x, Matrix(column: labels.map(Float.init)))["accuracy"].map(Double.init)!,
                       try accuracy(dynamic, x, labels), accuracy: 1e-6)
        // The Predictor (what serve, predict and evaluate use) takes it unchanged.
        XCTAssertEqual(try dynamic.predictor().outputs(x), pq)
        XCTAssertTrue(dynamic.summary().contains("QuantizedDense"))
    }

    func testSavedFileHoldsI8WeightsAndLoadsToTheSameBits() throws {
        let (model, x, _) = try trainedDigits()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quantization-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for quantized in [try model.quantized(), try model.quantized(activations: .calibrated(x))] {
            let url = folder.appendingPathComponent("q.safetensors")
            try ModelFile.save(quantized, to: url)
            let container = try SafeTensors.read(from: url)
            XCTAssertEqual(container.tensors["layers.0.weight"]?.dtype, .i8)
            XCTAssertEqual(container.tensors["layers.0.weight"]?.shape, [64, 64])
            XCTAssertEqual(container.tensors["layers.0.weight_scale"]?.dtype, .f32)
            let loaded = try ModelFile.load(from: url)
            XCTAssertEqual(try loaded.model.predict(x), try quantized.predict(x))
            XCTAssertEqual(loaded.model.layers.map(\.typeName), ["QuantizedDense", "QuantizedDense", "QuantizedDense"])
            XCTAssertEqual(try Predictor(contentsOf: url).outputs(x), try quantized.predict(x))
        }
    }

    func testInt8FileIsAboutFourTimesSmaller() throws {
        let model = try Sequential(inputSize: 784, layers: [Dense(256, activation: .relu), Dense(10, activation: .softmax)], seed: 1)
        let float = try ModelFile.container(model, preprocessor: nil, training: nil, file: "f", includeOptimizerState: false).serialized()
        let int8 = try ModelFile.container(try model.quantized(), preprocessor: nil, training: nil, file: "q",
                                           includeOptimizerState: false).serialized()
        // Weights 4 → 1 byte each; scales, biases and the metadata stay 4 bytes or text.
        let ratio = Double(float.count) / Double(int8.count)
        XCTAssertGreaterThan(ratio, 3.5, "float \(float.count) B, int8 \(int8.count) B")
    }

    func testSafeTensorsI8RoundTripAndByteLengthCheck() throws {
        let file = SafeTensors(tensors: ["q": .init(shape: [2, 3], int8Values: [-128, -1, 0, 1, 2, 127]),
                                         "s": .init(shape: [3], values: [0.5, 1, 2])])
        let data = try file.serialized()
        XCTAssertEqual(try SafeTensors.parse(data), file)
        let header = String(decoding: data[8..<(8 + Int(data[0]))], as: UTF8.self)
        XCTAssertTrue(header.contains("\"dtype\":\"I8\""), header)
        // An I8 tensor whose shape claims more bytes than its offsets hold.
        let lying = try craft(["q": ("I8", [4, 2], 0, 6)], buffer: 6)
        XCTAssertThrowsError(try SafeTensors.parse(lying)) { error in
            guard case .sizeMismatch(_, "q", [4, 2], 8, 6)? = error as? SafeTensorsError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try SafeTensors(tensors: ["q": .init(shape: [4], int8Values: [1, 2])]).serialized())
    }

    /// A safetensors file from raw header entries (name: dtype, shape, begin, end) and a zero buffer.
    func craft(_ entries: [String: (String, [Int], Int, Int)], metadata: [String: String] = [:], buffer: Int) throws -> Data {
        var header: [String: Any] = entries.mapValues { ["dtype": $0.0, "shape": $0.1, "data_offsets": [$0.2, $0.3]] }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        let json = try JSONSerialization.data(withJSONObject: header)
        var data = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        data.append(Data(count: buffer))
        return data
    }

    func testLoaderRefusesInconsistentQuantizedFiles() throws {
        let model = try Sequential(inputSize: 3, layers: [Dense(2, activation: .relu), Dense(1, activation: .sigmoid)], seed: 2)
        try model.compile(loss: .binaryCrossEntropy)
        let x = Matrix([[0, 1, 2], [-1, 0.5, 3]])
        let quantized = try model.quantized(activations: .calibrated(x))
        let good = try ModelFile.container(quantized, preprocessor: nil, training: nil, file: "q", includeOptimizerState: false)
        XCTAssertNoThrow(try ModelFile.load(from: try good.serialized()))

        func assertRefused(_ change: (inout SafeTensors) -> Void, line: UInt = #line, _ check: (ModelFileError) -> Bool) throws {
            var bad = good
            change(&bad)
            XCTAssertThrowsError(try ModelFile.load(from: try bad.serialized(), file: "bad.safetensors"), line: line) { error in
                guard let error = error as? ModelFileError else { return XCTFail("\(error)", line: line) }
                XCTAssertTrue(check(error), "\(error)", line: line)
                XCTAssertTrue(error.description.hasPrefix("bad.safetensors"), line: line)
            }
        }
        // F32 where the layer keeps I8 weights.
        try assertRefused({ $0.tensors["layers.0.weight"] = .init(shape: [3, 2], values: [Float](repeating: 1, count: 6)) }) {
            $0 == .wrongDType(file: "bad.safetensors", tensor: "layers.0.weight", expected: "I8", got: "F32")
        }
        // I8 where a float scale belongs.
        try assertRefused({ $0.tensors["layers.1.weight_scale"] = .init(shape: [1], int8Values: [1]) }) {
            $0 == .wrongDType(file: "bad.safetensors", tensor: "layers.1.weight_scale", expected: "F32", got: "I8")
        }
        try assertRefused({ $0.tensors["layers.0.weight_scale"] = .init(shape: [2], values: [0.1, -1]) }) {
            if case .invalidTensorValue(_, "layers.0.weight_scale", _) = $0 { return true }
            return false
        }
        try assertRefused({ $0.tensors["layers.1.input_zero_point"] = .init(shape: [1], values: [300]) }) {
            if case .invalidTensorValue(_, "layers.1.input_zero_point", _) = $0 { return true }
            return false
        }
        try assertRefused({ $0.tensors["layers.1.input_scale"] = .init(shape: [1], values: [0]) }) {
            if case .invalidTensorValue(_, "layers.1.input_scale", _) = $0 { return true }
            return false
        }
        try assertRefused({ $0.tensors["layers.0.weight"] = .init(shape: [3, 3], int8Values: [Int8](repeating: 1, count: 9)) }) {
            $0 == .wrongShape(file: "bad.safetensors", tensor: "layers.0.weight", expected: [3, 2], got: [3, 3])
        }
        // A float model's weight stored as I8 is refused too (old layers keep F32).
        var floatFile = try ModelFile.container(model, preprocessor: nil, training: nil, file: "f", includeOptimizerState: false)
        floatFile.tensors["layers.0.weight"] = .init(shape: [3, 2], int8Values: [1, 2, 3, 4, 5, 6])
        XCTAssertThrowsError(try ModelFile.load(from: try floatFile.serialized())) { error in
            guard case .wrongDType(_, "layers.0.weight", "F32", "I8")? = error as? ModelFileError else { return XCTFail("\(error)") }
        }
    }

    func testQuantizationErrorsAreTyped() throws {
        let model = try Sequential(inputSize: 3, layers: [Dense(2)], seed: 2)
        XCTAssertThrowsError(try model.quantized(activations: .calibrated(Matrix(rows: 0, columns: 3))))
        XCTAssertThrowsError(try model.quantized(activations: .calibrated(Matrix(rows: 2, columns: 4)))) { error in
            guard case .shapeMismatch? = error as? PerceptronError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try model.quantized(activations: .calibrated(Matrix([[0, .nan, 1]])))) { error in
            guard case .nonFiniteValue? = error as? PerceptronError else { return XCTFail("\(error)") }
        }
        let noDense = try Sequential(inputSize: 3, layers: [Dropout(0.1)], seed: 1)
        XCTAssertThrowsError(try noDense.quantized()) { error in
            guard case .incompatible? = error as? PerceptronError else { return XCTFail("\(error)") }
        }
    }

    /// Other layers are kept as they are: a BatchNormalization's running statistics survive.
    func testNonDenseLayersAreKept() throws {
        let table = try Datasets.table("digits")
        let pre = try Preprocessor.fit(table, options: .init(target: Datasets.targetColumn("digits"), task: .classification))
        let x = try pre.transformFeatures(table)
        let withNorm = try Sequential(inputSize: x.columns, layers: [Dense(16, activation: .relu), BatchNormalization(),
                                                                     Dense(10, activation: .softmax)], seed: 3)
        try withNorm.compile(loss: .sparseCategoricalCrossEntropy)
        try withNorm.fit(x, Matrix(column: (0..<x.rows).map { Float($0 % 10) }), epochs: 1, batchSize: 128)
        let quantized = try withNorm.quantized()
        XCTAssertEqual(quantized.layers[1].buffers, withNorm.layers[1].buffers)
        XCTAssertEqual(quantized.layers.map(\.typeName), ["QuantizedDense", "BatchNormalization", "QuantizedDense"])
    }
}
