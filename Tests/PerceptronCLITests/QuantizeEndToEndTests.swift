import Foundation
import XCTest

/// `perceptron quantize` through the built executable: dynamic and calibrated int8 files
/// that evaluate and summary read, and the refusals (one error line, exit 1, nothing written).
extension EndToEndTests {
    func testQuantizeThenEvaluateAndSummarize() throws {
        let train = try perceptron(["train", "--dataset", "digits", "--layers", "32", "--epochs", "5", "-o", "float.safetensors"])
        XCTAssertEqual(train.status, 0, train.stderr)
        let dynamic = try perceptron(["quantize", "float.safetensors", "-o", "dynamic.safetensors"])
        XCTAssertEqual(dynamic.status, 0, dynamic.stderr)
        XCTAssertTrue(dynamic.stderr.contains("1 Dense layers as int8") || dynamic.stderr.contains("2 Dense layers as int8"), dynamic.stderr)
        let calibrated = try perceptron(["quantize", "float.safetensors", "-o", "static.safetensors", "--dataset", "digits",
                                         "--calibration-rows", "300", "--json"])
        XCTAssertEqual(calibrated.status, 0, calibrated.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(calibrated.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["quantized_layers"] as? Int, 2)
        XCTAssertTrue((object["calibration"] as? String ?? "").contains("300 rows"), calibrated.stdout)

        func accuracy(_ model: String) throws -> Double {
            let result = try perceptron(["evaluate", model, "--json"])
            XCTAssertEqual(result.status, 0, result.stderr)
            let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            return try XCTUnwrap((json?["test"] as? [String: Any])?["accuracy"] as? Double)
        }
        let float = try accuracy("float.safetensors")
        // 360 held-out rows: a point is 3.6 rows; int8 moves at most a few near-ties.
        XCTAssertEqual(try accuracy("dynamic.safetensors"), float, accuracy: 0.02)
        XCTAssertEqual(try accuracy("static.safetensors"), float, accuracy: 0.02)

        let summary = try perceptron(["summary", "static.safetensors"])
        XCTAssertEqual(summary.status, 0, summary.stderr)
        XCTAssertTrue(summary.stdout.contains("QuantizedDense"), summary.stdout)
        XCTAssertTrue(summary.stdout.contains("int8 (inputs static, calibrated on 300 rows"), summary.stdout)
        let json = try perceptron(["summary", "dynamic.safetensors", "--json"])
        let described = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(described?["weight_dtype"] as? String, "int8")
        XCTAssertGreaterThan(described?["file_bytes"] as? Int ?? 0, 0)
        let floatSummary = try perceptron(["summary", "float.safetensors", "--json"])
        XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(floatSummary.stdout.utf8)) as? [String: Any])?["weight_dtype"] as? String,
                       "float32")

        // Refusals: one line, exit 1, no output file.
        for (arguments, message) in [
            (["quantize", "dynamic.safetensors", "-o", "again.safetensors"], "already quantized"),
            (["quantize", "missing.safetensors", "-o", "again.safetensors"], "missing.safetensors"),
            (["quantize", "float.safetensors", "-o", "again.safetensors", "--calibrate", "nope.csv"], "nope.csv"),
        ] {
            let result = try perceptron(arguments)
            XCTAssertEqual(result.status, 1, "\(arguments)")
            XCTAssertTrue(result.stderr.contains(message), result.stderr)
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("again.safetensors").path))
        }
        let both = try perceptron(["quantize", "float.safetensors", "-o", "x.safetensors", "--calibrate", "a.csv", "--dataset", "iris"])
        XCTAssertNotEqual(both.status, 0)
        try FileManager.default.createDirectory(atPath: folder.appendingPathComponent("folder.safetensors").path, withIntermediateDirectories: false)
        let folderOutput = try perceptron(["quantize", "float.safetensors", "-o", "folder.safetensors"])
        XCTAssertEqual(folderOutput.status, 1, folderOutput.stderr)
        // Nothing but the files written on purpose (no temporary files left behind).
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
        XCTAssertEqual(names, ["float.safetensors", "dynamic.safetensors", "static.safetensors", "folder.safetensors"])
    }
}
