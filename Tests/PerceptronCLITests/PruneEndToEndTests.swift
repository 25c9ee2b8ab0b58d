import Foundation
import Perceptron
import XCTest

/// `perceptron prune` through the built executable: magnitude pruning with fine-tuning on the
/// data the model was trained on, and neuron pruning that writes a narrower network.
extension EndToEndTests {
    func testPruneFineTunesWithTheMasksHeldAndNeuronsNarrowTheNetwork() throws {
        let train = try perceptron(["train", "--dataset", "moons", "--layers", "16,8", "--epochs", "3", "-o", "moons.safetensors"])
        XCTAssertEqual(train.status, 0, train.stderr)

        let pruned = try perceptron(["prune", "moons.safetensors", "--sparsity", "0.75", "--fine-tune-epochs", "2",
                                     "-o", "pruned.safetensors"])
        XCTAssertEqual(pruned.status, 0, pruned.stderr)
        XCTAssertTrue(pruned.stderr.contains("epoch 2/2"), pruned.stderr)
        let model = try ModelFile.load(from: folder.appendingPathComponent("pruned.safetensors")).model
        // Per layer: ⌊0.75·count⌋ weights are exactly zero after fine-tuning (2·16, 16·8, 8·1).
        let zeros = model.layers.compactMap { ($0 as? Dense)?.weight.elements.filter { $0 == 0 }.count }
        XCTAssertEqual(zeros, [24, 96, 6])
        let evaluated = try perceptron(["evaluate", "pruned.safetensors"])
        XCTAssertEqual(evaluated.status, 0, evaluated.stderr)

        let narrowed = try perceptron(["prune", "moons.safetensors", "--sparsity", "0.9", "--method", "neurons", "-o", "narrow.safetensors"])
        XCTAssertEqual(narrowed.status, 0, narrowed.stderr)
        let narrow = try ModelFile.load(from: folder.appendingPathComponent("narrow.safetensors")).model
        XCTAssertLessThan(narrow.parameterCount, model.parameterCount, narrowed.stderr)
        XCTAssertTrue(narrowed.stderr.contains("units"), narrowed.stderr)

        // Structured: half of each hidden layer's units (16 → 8, 8 → 4) go, then 1 fine-tuning epoch.
        let units = try perceptron(["prune", "moons.safetensors", "--sparsity", "0.5", "--method", "units",
                                    "--fine-tune-epochs", "1", "-o", "units.safetensors"])
        XCTAssertEqual(units.status, 0, units.stderr)
        let unitModel = try ModelFile.load(from: folder.appendingPathComponent("units.safetensors")).model
        XCTAssertEqual(unitModel.layers.compactMap { ($0 as? Dense)?.units }, [8, 4, 1], units.stderr)
        XCTAssertTrue(units.stderr.contains("epoch 1/1"), units.stderr)
    }

    func testPruneRefusesABadSparsityAndWritesNothing() throws {
        let train = try perceptron(["train", "--dataset", "moons", "--layers", "4", "--epochs", "1", "-o", "m.safetensors"])
        XCTAssertEqual(train.status, 0, train.stderr)
        let result = try perceptron(["prune", "m.safetensors", "--sparsity", "1.5", "-o", "out.safetensors"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("--sparsity"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.safetensors").path))
    }
}
