import Foundation
import Perceptron
import XCTest
@testable import PerceptronCLI

/// `perceptron train --precision fp32|bf16`: bf16 reaches the model, and where the CPU
/// cannot run it training says so and runs in fp32.
final class PrecisionFlagTests: TemporaryFolderTestCase {
    func testBF16ReachesTheModel() throws {
        try XCTSkipUnless(ComputePrecision.bfloat16.isSupported,
                          "--precision bf16 not tested: \(ComputePrecision.bfloat16.unsupportedReason ?? "")")
        let run = try TrainingRun(["--dataset", "blobs", "--epochs", "20", "--precision", "bf16"])
        XCTAssertEqual(run.network.model.trainingPrecision, .bfloat16)
        XCTAssertTrue(run.network.model.layers.allSatisfy { ($0 as? Dense)?.trainingPrecision == .bfloat16 })
        // blobs is separable: bf16 products learn it as fp32 ones do (accuracy 1.0 at fp32).
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(run.report?["accuracy"]), 0.95)
        let plain = try TrainingRun(["--dataset", "blobs", "--epochs", "2"])
        XCTAssertEqual(plain.network.model.trainingPrecision, .float32)
    }

    func testUnknownPrecisionIsRefused() {
        XCTAssertThrowsError(try PerceptronCommand.parseAsRoot(["train", "--precision", "fp8"])) { error in
            XCTAssertTrue(PerceptronCommand.message(for: error).contains("--precision"), "\(error)")
        }
    }

    /// PERCEPTRON_DISABLE_BF16 stands in for a CPU without AVX512_BF16 (the same code path).
    func testWithoutBF16TrainingSaysSoAndRunsInFloat32() throws {
        setenv("PERCEPTRON_DISABLE_BF16", "1", 1)
        defer { unsetenv("PERCEPTRON_DISABLE_BF16") }
        let result = try perceptron("train", "--dataset", "blobs", "--epochs", "2", "--precision", "bf16", "--json")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("--precision bf16 is not available"), result.stderr)
        XCTAssertTrue(result.stderr.contains("Training in fp32"), result.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["precision"] as? String, "fp32")
    }
}
