import Foundation
import XCTest
@testable import Perceptron
@testable import PerceptronData

/// Model files: round trip, resume, and each metadata check with a crafted file.
final class ModelFileTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("ModelFileTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// A small iris network trained for a few epochs, with its preprocessing.
    func trainedIris(epochs: Int = 3, dropout: Bool = false) throws -> (Sequential, Preprocessor, Matrix, Matrix) {
        let table = try Datasets.table("iris")
        let pre = try Preprocessor.fit(table, options: .init(target: "target", task: .classification))
        let (x, y) = try pre.transform(table)
        var layers: [any Layer] = [Dense(8, activation: .relu)]
        if dropout { layers.append(Dropout(0.2)) }
        layers.append(Dense(3, activation: .softmax))
        let model = try Sequential(inputSize: x.columns, layers: layers, seed: 5)
        try model.compile(loss: .sparseCategoricalCrossEntropy, optimizer: Adam(learningRate: 0.01), metrics: [.accuracy])
        try model.fit(x, y!, epochs: epochs, batchSize: 16)
        return (model, pre, x, y!)
    }

    func testRoundTripGivesIdenticalPredictions() throws {
        let (model, pre, x, _) = try trainedIris(dropout: true)
        let url = folder.appendingPathComponent("iris.safetensors")
        try ModelFile.save(model, preprocessor: pre, to: url)
        let loaded = try ModelFile.load(from: url)
        XCTAssertEqual(try loaded.model.predict(x), try model.predict(x))
        XCTAssertEqual(loaded.preprocessor, pre)
        XCTAssertEqual(loaded.model.loss, .sparseCategoricalCrossEntropy)
        XCTAssertEqual(loaded.model.metrics, [.accuracy])
        XCTAssertEqual(AnyOptimizerConfiguration(loaded.model.optimizer.configuration), AnyOptimizerConfiguration(model.optimizer.configuration))
        XCTAssertEqual(loaded.model.layers.map { AnyLayerConfiguration($0.configuration) },
                       model.layers.map { AnyLayerConfiguration($0.configuration) })
        XCTAssertEqual(loaded.metadata.formatVersion, ModelFileMetadata.formatVersion)
        // The tensors a reader sees: W is in × out, b is 1-D; the dropout layer (index 1) has none.
        let file = try SafeTensors.read(from: url)
        XCTAssertEqual(Set(file.tensors.keys), ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"])
        XCTAssertEqual(file.tensors["layers.0.weight"]?.shape, [x.columns, 8])
        XCTAssertEqual(file.tensors["layers.2.bias"]?.shape, [3])
        XCTAssertEqual(file.metadata["format_version"], String(ModelFileMetadata.formatVersion))
    }

    /// Resuming from a file is indistinguishable from continuing in memory: the optimizer's
    /// moments and step and the shuffling generator are restored, so two more epochs give
    /// bit-identical weights. (fit(2) + fit(2) is not fit(4) even in memory: each fit call
    /// starts its shuffle from the identity order.)
    func testResumeContinuesExactlyAsInMemory() throws {
        let (model, pre, x, y) = try trainedIris(epochs: 2, dropout: true)
        let url = folder.appendingPathComponent("checkpoint.safetensors")
        try ModelFile.save(model, preprocessor: pre, training: .init(epochs: 2, batchSize: 16, seed: 5, completedEpochs: 2),
                           to: url, includeOptimizerState: true)
        let resumed = try ModelFile.load(from: url)
        XCTAssertEqual(resumed.model.optimizer.state, model.optimizer.state)
        XCTAssertEqual(resumed.model.optimizer.step, model.optimizer.step)
        XCTAssertEqual(resumed.metadata.training.completedEpochs, 2)
        let a = try model.fit(x, y, epochs: 2, batchSize: 16)
        let b = try resumed.model.fit(x, y, epochs: 2, batchSize: 16)
        XCTAssertEqual(resumed.model.weights, model.weights)
        XCTAssertEqual(a["loss"], b["loss"])
        XCTAssertLessThan(b["loss"].last!, 1.1)  // still learning (ln 3 ≈ 1.1 at chance)

        // Without the optimizer state, a loaded model starts a fresh optimizer.
        try ModelFile.save(model, to: url)
        XCTAssertEqual(try ModelFile.load(from: url).model.optimizer.step, 0)
    }

    func testFailedSaveLeavesTheOldFileIntact() throws {
        let (model, pre, _, _) = try trainedIris()
        let url = folder.appendingPathComponent("keep.safetensors")
        try ModelFile.save(model, preprocessor: pre, to: url)
        let before = try Data(contentsOf: url)
        let custom = try Sequential(inputSize: 4, layers: [Opaque(inner: Dense(2))], seed: 1)
        XCTAssertThrowsError(try ModelFile.save(custom, to: url)) { error in
            guard case ModelFileError.invalidArchitecture = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try ModelFile.save(model, to: folder.appendingPathComponent("no/such/folder/m.safetensors")))
        XCTAssertEqual(try Data(contentsOf: url), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["keep.safetensors"])
    }

    // MARK: - Crafted files

    /// Saves a valid model, lets `edit` change its container, writes it back, and returns
    /// the error that loading it throws.
    func loadError(_ name: String, line: UInt = #line, _ edit: (inout SafeTensors) throws -> Void) throws -> Error? {
        let (model, pre, _, _) = try trainedIris(epochs: 1)
        let url = folder.appendingPathComponent("\(name).safetensors")
        try ModelFile.save(model, preprocessor: pre, to: url, includeOptimizerState: true)
        var file = try SafeTensors.read(from: url)
        try edit(&file)
        try file.write(to: url)
        do {
            _ = try ModelFile.load(from: url)
            XCTFail("\(name): loaded", line: line)
            return nil
        } catch {
            XCTAssertTrue("\(error)".hasPrefix(url.path), "\(name): message should name the file: \(error)", line: line)
            return error
        }
    }

    func path(_ name: String) -> String { folder.appendingPathComponent("\(name).safetensors").path }

    /// A newer writer that only adds fields keeps its minimum reader version, and this
    /// build reads its files: the version check is a range, and unknown JSON keys are ignored.
    func testNewerFileMarkedReadableLoads() throws {
        let (model, pre, x, _) = try trainedIris(epochs: 1)
        let url = folder.appendingPathComponent("newer.safetensors")
        try ModelFile.save(model, preprocessor: pre, to: url, includeOptimizerState: true)
        var file = try SafeTensors.read(from: url)
        file.metadata["format_version"] = String(ModelFileMetadata.formatVersion + 1)
        file.metadata["format_min_reader_version"] = String(ModelFileMetadata.formatVersion)
        file.metadata["a_future_key"] = "{\"anything\": 1}"
        file.metadata["architecture"] = file.metadata["architecture"]!
            .replacingOccurrences(of: "\"inputSize\"", with: "\"futureField\":[1,2],\"inputSize\"")
        file.metadata["training"] = file.metadata["training"]!
            .replacingOccurrences(of: "\"seed\"", with: "\"futureTrainingField\":\"x\",\"seed\"")
        try file.write(to: url)
        let loaded = try ModelFile.load(from: url)
        XCTAssertEqual(loaded.metadata.formatVersion, ModelFileMetadata.formatVersion + 1)
        XCTAssertEqual(try loaded.model.predict(x), try model.predict(x))
    }

    func testMetadataChecks() throws {
        let next = String(ModelFileMetadata.formatVersion + 1)
        XCTAssertEqual(try loadError("version") {
            $0.metadata["format_version"] = next
            $0.metadata["format_min_reader_version"] = next
        } as? ModelFileError, .unsupportedVersion(file: path("version"), version: next, supported: ModelFileMetadata.formatVersion))
        XCTAssertEqual(try loadError("version_zero") { $0.metadata["format_version"] = "0" } as? ModelFileError,
                       .unsupportedVersion(file: path("version_zero"), version: "0", supported: ModelFileMetadata.formatVersion))
        XCTAssertEqual(try loadError("no_version") { $0.metadata["format_version"] = nil } as? ModelFileError,
                       .missingMetadata(file: path("no_version"), key: "format_version"))
        XCTAssertEqual(try loadError("no_architecture") { $0.metadata["architecture"] = nil } as? ModelFileError,
                       .missingMetadata(file: path("no_architecture"), key: "architecture"))
        XCTAssertEqual(try loadError("missing") { $0.tensors["layers.1.bias"] = nil } as? ModelFileError,
                       .missingTensor(file: path("missing"), tensor: "layers.1.bias"))
        XCTAssertEqual(try loadError("shape") { $0.tensors["layers.0.weight"] = .init(shape: [2, 8], values: .init(repeating: 0, count: 16)) }
                        as? ModelFileError,
                       .wrongShape(file: path("shape"), tensor: "layers.0.weight", expected: [4, 8], got: [2, 8]))
        XCTAssertEqual(try loadError("extra") { $0.tensors["layers.5.weight"] = .init(shape: [1], values: [0]) } as? ModelFileError,
                       .unexpectedTensor(file: path("extra"), tensor: "layers.5.weight"))
        XCTAssertEqual(try loadError("nan") { $0.tensors["layers.1.bias"]!.values[0] = .nan } as? ModelFileError,
                       .nonFiniteWeight(file: path("nan"), tensor: "layers.1.bias"))
        XCTAssertEqual(try loadError("slot_shape") { $0.tensors["optimizer.m.0"] = .init(shape: [1, 1], values: [0]) } as? ModelFileError,
                       .wrongShape(file: path("slot_shape"), tensor: "optimizer.m.0", expected: [4, 8], got: [1, 1]))
        for (name, key, text) in [("bad_json", "architecture", "{\"inputSize\": 4, "),
                                  ("wrong_type", "architecture", "{\"inputSize\": \"four\", \"layers\": [], \"metrics\": []}"),
                                  ("bad_layer", "architecture", "{\"inputSize\": 4, \"layers\": [{\"conv\": {}}], \"metrics\": []}"),
                                  ("bad_training", "training", "[]"),
                                  ("bad_preprocessing", "preprocessing", "{}")] {
            let error = try loadError(name) { $0.metadata[key] = text }
            guard case .invalidMetadata(_, let badKey, _)? = error as? ModelFileError else { XCTFail("\(name): \(String(describing: error))"); continue }
            XCTAssertEqual(badKey, key, name)
        }
        let arch = try loadError("zero_units") {
            $0.metadata["architecture"] = $0.metadata["architecture"]!.replacingOccurrences(of: "\"units\":8", with: "\"units\":0")
        }
        guard case .invalidArchitecture? = arch as? ModelFileError else { return XCTFail("\(String(describing: arch))") }
    }

    func testContainerErrorsComeFromTheSafeTensorsLoader() throws {
        let (model, _, _, _) = try trainedIris(epochs: 1)
        let url = folder.appendingPathComponent("cut.safetensors")
        try ModelFile.save(model, to: url)
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count - 3).write(to: url)
        XCTAssertThrowsError(try ModelFile.load(from: url)) { XCTAssertTrue($0 is SafeTensorsError, "\($0)") }
        XCTAssertThrowsError(try ModelFile.load(from: folder.appendingPathComponent("absent.safetensors"))) {
            XCTAssertEqual($0 as? SafeTensorsError, .io(file: self.folder.appendingPathComponent("absent.safetensors").path, reason: "no such file"))
        }
    }
}

/// A layer whose configuration type is never registered, so it cannot be saved (it wraps a Dense).
private struct Opaque: Layer {
    struct Configuration: LayerConfiguration {
        static let registeredName = "opaque"
        func makeLayer() throws -> any Layer { Opaque(inner: Dense(2)) }
        func tensorLayout(inputWidth: Int) throws -> LayerTensorLayout { try Dense.Configuration(
            units: 2, activation: .linear, useBias: true, kernelInitializer: .glorotUniform, biasInitializer: .zeros,
            kernelRegularizer: nil).tensorLayout(inputWidth: inputWidth) }
    }
    var inner: Dense
    var typeName: String { "Opaque" }
    var outputSize: Int { inner.outputSize }
    var parameterCount: Int { inner.parameterCount }
    var configuration: any LayerConfiguration { Configuration() }
    mutating func build(inputSize: Int, generator: inout SeededGenerator) throws { try inner.build(inputSize: inputSize, generator: &generator) }
    mutating func forward(_ input: Matrix, training: Bool, generator: inout SeededGenerator) {
        inner.forward(input, training: training, generator: &generator)
    }
    var output: Matrix { inner.output }
    mutating func backward(input: Matrix, outputGradient: Matrix, needsInputGradient: Bool) {
        inner.backward(input: input, outputGradient: outputGradient, needsInputGradient: needsInputGradient)
    }
    var inputGradient: Matrix { inner.inputGradient }
    mutating func visitParameters(_ body: (Int, inout Matrix, inout Matrix) -> Void) { inner.visitParameters(body) }
    var parameters: [Matrix] { get { inner.parameters } set { inner.parameters = newValue } }
    var parameterNames: [String] { inner.parameterNames }
}
