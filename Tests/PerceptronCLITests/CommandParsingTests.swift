import ArgumentParser
import XCTest
@testable import PerceptronCLI

/// Parsing, validation and help text of the `perceptron` commands (no training here).
final class CommandParsingTests: XCTestCase {
    func parse<T: ParsableCommand>(_ type: T.Type, _ arguments: [String], line: UInt = #line) throws -> T {
        let command = try PerceptronCommand.parseAsRoot(arguments)
        return try XCTUnwrap(command as? T, "parsed \(Swift.type(of: command))", line: line)
    }

    func assertInvalid(_ arguments: [String], mentions text: String, line: UInt = #line) {
        XCTAssertThrowsError(try PerceptronCommand.parseAsRoot(arguments), line: line) { error in
            let message = PerceptronCommand.message(for: error)
            XCTAssertTrue(message.contains(text), "\(arguments): \(message)", line: line)
        }
    }

    func testTrainDefaultsAreSeed001sTitanicNetwork() throws {
        let train = try parse(Train.self, ["train"])
        XCTAssertNil(train.data.dataset)
        XCTAssertNil(train.data.csv)
        XCTAssertEqual(train.data.sourceName, "titanic")
        XCTAssertEqual(try train.network.hiddenWidths(), [15])
        XCTAssertEqual(train.network.activation, .relu)
        XCTAssertEqual(train.network.optimizer, .adam)
        XCTAssertNil(train.network.batchSize)
        XCTAssertEqual(FitPlan(train.network, sourceName: "titanic", trainingRows: 712, seedNetwork: true).batchSize, 100)
        XCTAssertEqual(train.testSplit, 0.2)
        XCTAssertEqual(train.common.seed, 42)
        XCTAssertFalse(train.common.json)
        XCTAssertNil(train.output)
    }

    func testTrainOptions() throws {
        let train = try parse(Train.self, [
            "train", "--dataset", "mnist", "--data-dir", "/data/mnist", "--layers", "512,128,64", "--activation", "tanh",
            "--optimizer", "sgd", "--lr", "0.001", "--batch-size", "1000", "--epochs", "10", "--json", "--seed", "7",
            "--threads", "2", "--validation-split", "0.1", "--early-stopping", "3", "--loss", "categoricalCrossEntropy",
            "-o", "m.safetensors", "--test-split", "0.3",
        ])
        XCTAssertEqual(train.data.dataset, "mnist")
        XCTAssertEqual(train.data.dataDir, "/data/mnist")
        XCTAssertEqual(try train.network.hiddenWidths(), [512, 128, 64])
        XCTAssertEqual(train.network.activation, .tanh)
        XCTAssertEqual(train.network.optimizer, .sgd)
        XCTAssertEqual(train.network.lr, 0.001)
        XCTAssertEqual(train.network.batchSize, 1000)
        XCTAssertEqual(train.network.epochs, 10)
        XCTAssertEqual(train.network.loss, .categoricalCrossEntropy)
        XCTAssertEqual(train.network.earlyStopping, 3)
        XCTAssertEqual(train.common.seed, 7)
        XCTAssertEqual(train.common.threads, 2)
        XCTAssertTrue(train.common.json)
        XCTAssertEqual(train.output, "m.safetensors")
        XCTAssertEqual(train.testSplit, 0.3)

        let csv = try parse(Train.self, ["train", "--csv", "data.csv", "--target", "3", "--no-header", "--task", "regression"])
        XCTAssertEqual(csv.data.csv, "data.csv")
        XCTAssertEqual(csv.data.target, "3")
        XCTAssertTrue(csv.data.noHeader)
        XCTAssertEqual(csv.data.task, .regression)
    }

    func testValidationErrors() {
        assertInvalid(["train", "--csv", "a.csv"], mentions: "--target")
        assertInvalid(["train", "--csv", "a.csv", "--target", "y", "--dataset", "iris"], mentions: "either --dataset or --csv")
        assertInvalid(["train", "--dataset", "mnist"], mentions: "--data-dir")
        assertInvalid(["train", "--layers", "64,x"], mentions: "--layers")
        assertInvalid(["train", "--layers", "64,0"], mentions: "--layers")
        assertInvalid(["train", "--lr", "-1"], mentions: "--lr")
        assertInvalid(["train", "--epochs", "0"], mentions: "--epochs")
        assertInvalid(["train", "--test-split", "1"], mentions: "--test-split")
        assertInvalid(["train", "--threads", "0"], mentions: "--threads")
        assertInvalid(["train", "--activation", "swish"], mentions: "swish")
        assertInvalid(["train", "--optimizer", "lbfgs"], mentions: "lbfgs")
        assertInvalid(["train", "--save-optimizer-state"], mentions: "--output")
        assertInvalid(["cross-validate", "--folds", "1"], mentions: "--folds")
        assertInvalid(["datasets", "fetch", "iris"], mentions: "only mnist")
        assertInvalid(["predict", "m.safetensors"], mentions: "--csv")
        assertInvalid(["evaluate"], mentions: "<model>")
        for entry in ["titanic", "=m.safetensors", "titanic="] {
            assertInvalid(["serve", "--model", entry], mentions: "expected NAME=PATH")
        }
    }

    func testOtherCommandsParse() throws {
        let evaluate = try parse(Evaluate.self, ["evaluate", "m.safetensors", "--csv", "t.csv", "--json"])
        XCTAssertEqual(evaluate.modelPath, "m.safetensors")
        XCTAssertEqual(evaluate.data.csv, "t.csv")
        XCTAssertTrue(evaluate.json)
        let predict = try parse(Predict.self, ["predict", "m.safetensors", "--csv", "in.csv", "-o", "out.csv"])
        XCTAssertEqual(predict.output, "out.csv")
        XCTAssertEqual(try parse(Summary.self, ["summary", "m.safetensors", "--json"]).json, true)
        XCTAssertEqual(try parse(CrossValidate.self, ["cross-validate", "--dataset", "iris", "--folds", "3"]).folds, 3)
        _ = try parse(DatasetsCommand.List.self, ["datasets", "list"])
        let fetch = try parse(DatasetsCommand.Fetch.self, ["datasets", "fetch", "mnist", "--from", "/x", "--to", "/y"])
        XCTAssertEqual(fetch.from, "/x")
        XCTAssertEqual(fetch.to, "/y")
    }

    func testHelpText() {
        let root = PerceptronCommand.helpMessage()
        for name in ["train", "evaluate", "predict", "summary", "datasets", "cross-validate"] {
            XCTAssertTrue(root.contains(name), "root help lacks \(name)")
        }
        let train = PerceptronCommand.helpMessage(for: Train.self)
        for option in ["--dataset", "--csv", "--target", "--no-header", "--test-split", "--layers", "--activation", "--loss",
                       "--optimizer", "--lr", "--epochs", "--batch-size", "--validation-split", "--early-stopping", "--seed",
                       "--threads", "--output", "--json", "--task", "--data-dir"] {
            XCTAssertTrue(train.contains(option), "train help lacks \(option)")
        }
        XCTAssertTrue(train.contains("Titanic"))
    }

    func testErrorsPrintOneLine() {
        XCTAssertEqual(PerceptronCommand.oneLine(CLIError("a\nb")), "a b")
    }
}

extension CommandParsingTests {
    func testDelimiterAndNAValuesOptions() throws {
        let train = try parse(Train.self, ["train", "--csv", "f.csv", "--target", "y", "--delimiter", "tab", "--na-values", "?,-999"])
        XCTAssertEqual(try train.data.csvReading.delimiterScalar(), "\t")
        XCTAssertEqual(train.data.csvReading.missingValues, ["", "?", "-999"])
        let predict = try parse(Predict.self, ["predict", "m", "--csv", "f.csv", "--delimiter", ";"])
        XCTAssertEqual(try predict.csvReading.delimiterScalar(), ";")
        XCTAssertNil(try parse(Evaluate.self, ["evaluate", "m", "--csv", "f.csv"]).data.csvReading.delimiterScalar())
        _ = try parse(CrossValidate.self, ["cross-validate", "--csv", "f.csv", "--target", "y", "--delimiter", "|"])
        assertInvalid(["train", "--csv", "f.csv", "--target", "y", "--delimiter", ";;"], mentions: "--delimiter takes one ASCII character")
    }
}
