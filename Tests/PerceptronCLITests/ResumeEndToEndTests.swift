import Foundation
import XCTest

/// `train --checkpoint` then `train --resume` through the built executable: the resumed
/// run's weights equal the uninterrupted run's bit for bit, and a resume that changes the
/// run is refused naming the option.
extension EndToEndTests {
    func testResumedTrainingEqualsUninterruptedBitForBit() throws {
        let run = ["train", "--dataset", "wine", "--layers", "12", "--lr", "0.3", "--batch-size", "16",
                   "--validation-split", "0.2", "--early-stopping", "2"]
        let whole = try perceptron(run + ["--epochs", "14", "-o", "whole.safetensors", "--json"])
        XCTAssertEqual(whole.status, 0, whole.stderr)
        // Early stopping ends this run after epoch 7, so its state (wait, best value, best weights) must survive the resumes.
        XCTAssertEqual(try whole.json()["stop_reason"] as? String, "early stopping after epoch 7")
        // Interrupted after 5 epochs (its last checkpoint), then resumed twice: to 9, then to 14.
        let first = try perceptron(run + ["--epochs", "5", "--checkpoint", "ck.safetensors", "--checkpoint-every", "2"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let middle = try perceptron(["train", "--resume", "ck.safetensors", "--epochs", "9"])
        XCTAssertEqual(middle.status, 0, middle.stderr)
        XCTAssertTrue(middle.stderr.contains("epoch 6/9"), middle.stderr)
        XCTAssertFalse(middle.stderr.contains("epoch 5/9"), "epochs already done must not run again: \(middle.stderr)")
        let last = try perceptron(["train", "--resume", "ck.safetensors", "--epochs", "14", "-o", "resumed.safetensors", "--json"])
        XCTAssertEqual(last.status, 0, last.stderr)
        XCTAssertEqual(try last.json()["epochs"] as? Int, try whole.json()["epochs"] as? Int)
        XCTAssertEqual(try last.json()["stop_reason"] as? String, try whole.json()["stop_reason"] as? String)

        let expected = try perceptron(["summary", "whole.safetensors", "--weight-bits"])
        let got = try perceptron(["summary", "resumed.safetensors", "--weight-bits"])
        XCTAssertEqual(expected.status, 0, expected.stderr)
        XCTAssertTrue(expected.stdout.hasPrefix("layers.0.weight 13x12 "), expected.stdout)
        XCTAssertEqual(got.stdout, expected.stdout, "the resumed weights differ from the uninterrupted run's")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") }, [],
                       "temporary files left behind")

        let changed = try perceptron(["train", "--resume", "ck.safetensors", "--batch-size", "32"])
        XCTAssertEqual(changed.status, 1)
        XCTAssertTrue(changed.stderr.contains("cannot resume with --batch-size 32: the checkpoint was trained with 16"), changed.stderr)
        let plain = try perceptron(["train", "--resume", "whole.safetensors"])
        XCTAssertEqual(plain.status, 1)
        XCTAssertTrue(plain.stderr.contains("not a checkpoint"), plain.stderr)
    }
}
