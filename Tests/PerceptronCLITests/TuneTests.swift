import ArgumentParser
import Foundation
import XCTest
@testable import PerceptronCLI

/// `perceptron tune`: the grid, random draws, parallel runs that match serial ones, the
/// ranking, and the refitted best model.
final class TuneTests: XCTestCase {
    func tune(_ arguments: [String]) throws -> Tune {
        try XCTUnwrap(try PerceptronCommand.parseAsRoot(["tune"] + arguments) as? Tune)
    }

    func testGridAndRandomCandidates() throws {
        let space = try SearchSpace("layers=16|32,16;lr=0.01|0.001;l2=0|1e-4")
        XCTAssertEqual(space.count, 8)
        let grid = space.grid
        XCTAssertEqual(grid.count, 8)
        XCTAssertEqual(grid[0].map(\.value), ["16", "0.01", "0"])
        XCTAssertEqual(grid[1].map(\.value), ["16", "0.01", "1e-4"])   // the last parameter varies fastest
        XCTAssertEqual(grid[7].map(\.value), ["32,16", "0.001", "1e-4"])
        let drawn = space.random(3, seed: 5)
        XCTAssertEqual(drawn.count, 3)
        XCTAssertEqual(drawn.map { $0.map(\.value) }, space.random(3, seed: 5).map { $0.map(\.value) })
        XCTAssertEqual(Set(drawn.map { $0.map(\.value).joined(separator: " ") }).count, 3, "drawn without replacement")
        XCTAssertEqual(space.random(50, seed: 5).count, 8)

        let options = try ModelOptions.parse([]).setting("layers", to: "32:tanh,dropout:0.1").setting("batch_size".replacingOccurrences(of: "_", with: "-"), to: "8")
        XCTAssertEqual(options.layers, "32:tanh,dropout:0.1")
        XCTAssertEqual(options.batchSize, 8)
        XCTAssertEqual(try ModelOptions.parse([]).setting("l2", to: "0.5").controls.l2, 0.5)
    }

    func testBadGridsAreRefused() {
        for (grid, text) in [("layers", "NAME=V1|V2"), ("depth=2|3", "unknown parameter \"depth\""), ("lr=0.1|", "empty value"),
                             ("lr=0.1;lr=0.2", "twice"), ("lr=fast", "lr=fast"), ("layers=8:softmax", "softmax")] {
            XCTAssertThrowsError(try PerceptronCommand.parseAsRoot(["tune", "--grid", grid]), grid) { error in
                XCTAssertTrue(PerceptronCommand.message(for: error).contains(text), "\(grid): \(PerceptronCommand.message(for: error))")
            }
        }
        XCTAssertThrowsError(try PerceptronCommand.parseAsRoot(["tune"]))  // --grid is required
    }

    func testParallelSearchMatchesSerialAndRanksBestFirst() throws {
        let arguments = ["--dataset", "iris", "--grid", "lr=0.001|0.03;layers=8", "--folds", "3", "--epochs", "15", "--seed", "4"]
        let serial = try tune(arguments + ["--jobs", "1"]).search()
        let parallel = try tune(arguments + ["--jobs", "3"]).search()
        XCTAssertEqual(serial.candidates.map(\.mean), parallel.candidates.map(\.mean))
        XCTAssertEqual(serial.candidates.map(\.std), parallel.candidates.map(\.std))
        XCTAssertEqual(serial.metric, "accuracy")
        XCTAssertEqual(serial.candidates.count, 2)
        XCTAssertGreaterThanOrEqual(serial.candidates[0].mean, serial.candidates[1].mean)
        // 15 epochs at 0.001 barely move the weights; 0.03 learns iris.
        XCTAssertEqual(serial.candidates[0].settings.first?.value, "0.03")
        XCTAssertEqual(serial.candidates[0].reports.count, 3)
        XCTAssertEqual(serial.trainRows?.count, 120)  // the 20% test rows are kept out of the search

        let byLoss = try tune(arguments + ["--scoring", "log_loss"]).search()
        XCTAssertTrue(byLoss.lowerIsBetter)
        XCTAssertLessThanOrEqual(byLoss.candidates[0].mean, byLoss.candidates[1].mean)
        XCTAssertThrowsError(try tune(arguments + ["--scoring", "r2"]).search())
    }
}

extension EndToEndTests {
    func testTuneTableJSONAndSavedBest() throws {
        let run = try perceptron("tune", "--dataset", "blobs", "--grid", "lr=0.001|0.05", "--folds", "3", "--epochs", "20",
                                 "-o", "best.safetensors")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("3-fold cross-validation of 2 candidates on blobs"), run.stdout)
        XCTAssertTrue(run.stdout.contains("rank  accuracy (mean ± std)  lr"), run.stdout)
        XCTAssertTrue(run.stdout.contains("Best: lr=0.05"), run.stdout)
        XCTAssertTrue(exists("best.safetensors"))
        let summary = try perceptron("summary", "best.safetensors", "--json")
        XCTAssertEqual(summary.status, 0, summary.stderr)

        let json = try perceptron("tune", "--dataset", "blobs", "--grid", "lr=0.001|0.05", "--folds", "3", "--epochs", "20", "--json")
        XCTAssertEqual(json.status, 0, json.stderr)
        let object = try json.json()
        let candidates = try XCTUnwrap(object["candidates"] as? [[String: Any]])
        XCTAssertEqual(candidates.count, 2)
        XCTAssertEqual(candidates[0]["rank"] as? Int, 1)
        XCTAssertEqual((candidates[0]["per_fold"] as? [Double])?.count, 3)
        XCTAssertEqual(object["best"] as? [String: String], ["lr": "0.05"])
        XCTAssertNotNil((object["test"] as? [String: Double])?["accuracy"])
    }
}
