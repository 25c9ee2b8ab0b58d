import Foundation
import XCTest
@testable import Perceptron
@testable import PerceptronCLI

/// A network too large for the machine is refused before anything is allocated, with the
/// estimate and the machine's memory in the message (it used to run until the kernel
/// killed it, after 6 GB).
final class MemoryBudgetTests: TemporaryFolderTestCase {
    func testHugeLayersAreRefusedWithTheEstimateAndTheMachinesMemory() throws {
        for layers in ["100000000", "1000000,1000000"] {
            let start = Date()
            let result = try perceptron("train", "--layers", layers, "--epochs", "1")
            XCTAssertEqual(result.status, 1, result.stderr)
            XCTAssertTrue(result.stderr.contains("GB of memory to train"), result.stderr)
            XCTAssertTrue(result.stderr.contains("this machine's"), result.stderr)
            XCTAssertTrue(result.stderr.contains("--layers"), result.stderr)
            XCTAssertEqual(result.stderr.split(separator: "\n").filter { $0.hasPrefix("perceptron: error:") }.count, 1, result.stderr)
            XCTAssertFalse(result.stderr.contains("epoch 1/"), "refused before training: \(result.stderr)")
            // Refused before training: loading Titanic and the check take well under a second;
            // 60 s leaves room for a loaded machine, while the old behaviour never finished.
            XCTAssertLessThan(Date().timeIntervalSince(start), 60)
        }
    }

    func testTheShareOfTheMachinesMemoryDecides() throws {
        let x = Matrix(rows: 100, columns: 10)
        let data = PreparedData(task: .regression, classNames: [], featureNames: [], preprocessor: nil,
                                train: (x, Matrix(rows: 100, columns: 1)), test: nil)
        let layers: [any Layer] = [Dense(1000), Dense(1)]
        let estimate = TrainingMemoryEstimate(inputSize: 10, layers: layers.map(\.configuration), batchSize: 32,
                                              inferenceRows: 100, optimizerSlots: 2).total
        let roomy = MemoryBudget.Machine(limit: estimate / MemoryBudget.share * 1.01, limitSource: "physical memory", available: nil)
        XCTAssertNoThrow(try MemoryBudget.check(layers: layers, data: data, batchSize: 32, optimizer: .adam, machine: roomy))
        let tight = MemoryBudget.Machine(limit: estimate / MemoryBudget.share * 0.99, limitSource: "physical memory", available: 1e6)
        XCTAssertThrowsError(try MemoryBudget.check(layers: layers, data: data, batchSize: 32, optimizer: .adam, machine: tight)) {
            XCTAssertTrue("\($0)".contains("1 MB available now"), "\($0)")
        }
    }
}
