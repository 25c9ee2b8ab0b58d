import Foundation
import XCTest

/// `perceptron export` and `perceptron import` through the built executable: a model
/// exported as a bare network and imported back predicts the same file, byte for byte;
/// a damaged ONNX file is one error line and exit status 1.
extension EndToEndTests {
    func testExportThenImportPredictsTheSameRows() throws {
        // Generated data is standardized by the saved preprocessing, which a --network-only
        // export leaves out; unscaled columns make the bare network the whole model.
        let train = try perceptron(["train", "--dataset", "moons", "--layers", "8,6", "--activation", "tanh", "--epochs", "5",
                                    "--column-role", "x=numeric:none", "--column-role", "y=numeric:none",
                                    "-o", "moons.safetensors"])
        XCTAssertEqual(train.status, 0, train.stderr)
        let full = try perceptron(["export", "moons.safetensors", "--format", "onnx", "-o", "moons.onnx"])
        XCTAssertEqual(full.status, 0, full.stderr)
        XCTAssertTrue(full.stderr.contains("opset 17"), full.stderr)
        let bare = try perceptron(["export", "moons.safetensors", "--network-only", "-o", "bare.onnx"])
        XCTAssertEqual(bare.status, 0, bare.stderr)
        let imported = try perceptron(["import", "bare.onnx", "-o", "imported.safetensors"])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        // --layers 8,6 and the output layer: three Dense layers (their activations are part of them).
        XCTAssertTrue(imported.stderr.contains("3 layers: 3 Dense,"), imported.stderr)
        let rows = try write("rows.csv", "x,y\n0.1,0.2\n-1.5,0.75\n2,-0.5\n0.5,0.25\n")
        let original = try perceptron(["predict", "moons.safetensors", "--csv", rows])
        let again = try perceptron(["predict", "imported.safetensors", "--csv", rows])
        XCTAssertEqual(original.status, 0, original.stderr)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(again.stdout, original.stdout)
    }

    func testImportOfADamagedFileIsOneErrorLine() throws {
        let garbage = try write("garbage.onnx", "this is not a protobuf message \u{1}\u{2}\u{3}")
        let result = try perceptron(["import", garbage, "-o", "out.safetensors"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("perceptron: error: "), result.stderr)
        XCTAssertTrue(result.stderr.contains("ONNX"), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.safetensors").path))
    }
}
