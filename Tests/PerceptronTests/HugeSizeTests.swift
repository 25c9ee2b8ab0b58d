import Foundation
import XCTest
@testable import Perceptron
@testable import PerceptronData

/// Sizes a file or a caller makes up never reach the allocator: a model file whose
/// metadata asks for a huge network is refused by comparing shapes with the file, and a
/// Dense layer whose weight count overflows `Int` throws. (Before these checks, each case
/// here ended the test process with "Fatal error: failed to allocate" or an overflow trap.)
final class HugeSizeTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("HugeSizeTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Saves a 4 → 8 → 3 network (with or without preprocessing), rewrites its architecture
    /// JSON with `edit`, and returns the error loading it throws.
    func loadError(_ name: String, withPreprocessor: Bool = false, line: UInt = #line,
                   _ edit: (inout [String: Any]) -> Void) throws -> Error? {
        let model = try Sequential(inputSize: 4, layers: [Dense(8, activation: .relu), Dropout(0.1), Dense(3, activation: .softmax)], seed: 1)
        try model.compile(loss: .sparseCategoricalCrossEntropy)
        let url = folder.appendingPathComponent("\(name).safetensors")
        var preprocessor: Preprocessor? = nil
        if withPreprocessor {
            let table = try Datasets.table("iris")
            preprocessor = try Preprocessor.fit(table, options: .init(target: "target", task: .classification))
        }
        try ModelFile.save(model, preprocessor: preprocessor, to: url, includeOptimizerState: true)
        var file = try SafeTensors.read(from: url)
        var architecture = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(file.metadata["architecture"]!.utf8)) as? [String: Any])
        edit(&architecture)
        file.metadata["architecture"] = String(decoding: try JSONSerialization.data(withJSONObject: architecture), as: UTF8.self)
        try file.write(to: url)
        do {
            _ = try ModelFile.load(from: url)
            XCTFail("\(name): loaded", line: line)
            return nil
        } catch {
            XCTAssertTrue("\(error)".hasPrefix(url.path), "\(name): the message names the file: \(error)", line: line)
            return error
        }
    }

    /// Sets `units` of the layer at `index` (a dense layer) in an architecture object.
    func setUnits(_ architecture: inout [String: Any], layer index: Int, _ units: Int) {
        var layers = architecture["layers"] as! [[String: Any]]
        var dense = layers[index]["dense"] as! [String: Any]
        dense["units"] = units
        layers[index]["dense"] = dense
        architecture["layers"] = layers
    }

    func testHugeInputSizeIsRefusedBeforeAllocating() throws {
        for (label, size) in [("2^31", 1 << 31), ("2^40", 1 << 40), ("1e9", 1_000_000_000), ("2^62", 1 << 62)] {
            for withPreprocessor in [false, true] {
                let error = try loadError("input_\(label)_\(withPreprocessor)", withPreprocessor: withPreprocessor) {
                    $0["inputSize"] = size
                }
                guard case let .wrongShape(_, tensor, expected, got)? = error as? ModelFileError else {
                    XCTFail("\(label): \(String(describing: error))"); continue
                }
                XCTAssertEqual(tensor, "layers.0.weight", label)
                XCTAssertEqual(expected, [size, 8], label)
                XCTAssertEqual(got, [4, 8], label)
            }
        }
    }

    func testHugeUnitsAreRefusedBeforeAllocating() throws {
        for (label, units) in [("2^31", 1 << 31), ("2^40", 1 << 40), ("1e9", 1_000_000_000), ("max", Int.max)] {
            let first = try loadError("units0_\(label)") { self.setUnits(&$0, layer: 0, units) }
            XCTAssertEqual(first as? ModelFileError, .wrongShape(file: folder.appendingPathComponent("units0_\(label).safetensors").path,
                                                               tensor: "layers.0.weight", expected: [4, units], got: [4, 8]), label)
            let last = try loadError("units2_\(label)") { self.setUnits(&$0, layer: 2, units) }
            XCTAssertEqual(last as? ModelFileError, .wrongShape(file: folder.appendingPathComponent("units2_\(label).safetensors").path,
                                                              tensor: "layers.2.weight", expected: [8, units], got: [8, 3]), label)
        }
    }

    func testExtraLayersInTheMetadataNeedTheirTensors() throws {
        let error = try loadError("extra_layer") {
            var layers = $0["layers"] as! [[String: Any]]
            layers.append(layers[2])
            $0["layers"] = layers
        }
        XCTAssertEqual(error as? ModelFileError, .missingTensor(file: folder.appendingPathComponent("extra_layer.safetensors").path,
                                                                tensor: "layers.3.weight"))
        let noLayers = try loadError("no_layers") { $0["layers"] = [Any]() }
        guard case .invalidArchitecture? = noLayers as? ModelFileError else { return XCTFail("\(String(describing: noLayers))") }
        let negative = try loadError("negative_input") { $0["inputSize"] = -3 }
        guard case .invalidArchitecture? = negative as? ModelFileError else { return XCTFail("\(String(describing: negative))") }
    }

    func testDenseWhoseWeightCountOverflowsThrows() throws {
        for (inputs, units) in [(1 << 40, 1 << 40), (Int.max, 2), (1 << 31, 1 << 31)] {
            XCTAssertThrowsError(try Sequential(inputSize: inputs, layers: [Dense(units)], seed: 1)) { error in
                guard case .invalidHyperparameter(let name, _, _)? = error as? PerceptronError else { return XCTFail("\(error)") }
                XCTAssertEqual(name, "Dense size")
            }
        }
    }
}
