import Foundation
import XCTest

/// train → save → load → predict through the built `perceptron` executable (debug build,
/// small data: iris and Titanic train in well under a second each).
final class EndToEndTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("PerceptronCLITests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// The folder holding the built products (the executable sits beside the test bundle).
    var productsDirectory: URL {
        #if os(macOS)
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        fatalError("no .xctest bundle")
        #else
        return Bundle.main.bundleURL
        #endif
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        func json() throws -> [String: Any] {
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], stdout)
        }
    }

    /// Runs `perceptron` with `arguments` in the temporary folder.
    func perceptron(_ arguments: String...) throws -> Result { try perceptron(arguments) }

    func perceptron(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("perceptron")
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    func write(_ name: String, _ text: String) throws -> String {
        try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        return name
    }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path) }

    /// `--help` prints the help text and succeeds, at the root and on a subcommand.
    func testHelpExitsZero() throws {
        let root = try perceptron("--help")
        XCTAssertEqual(root.status, 0, root.stderr)
        XCTAssertTrue(root.stdout.contains("SUBCOMMANDS:"), root.stdout)
        let train = try perceptron("train", "--help")
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertTrue(train.stdout.contains("--batch-size"), train.stdout)
        let bad = try perceptron("train", "--epochs", "many")
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("epochs"), bad.stderr)
    }

    func testTrainSaveLoadPredictOnIris() throws {
        let train = try perceptron("train", "--dataset", "iris", "--layers", "16", "--lr", "0.02", "--epochs", "60",
                                   "--batch-size", "16", "--output", "iris.safetensors", "--json")
        XCTAssertEqual(train.status, 0, train.stderr)
        let json = try train.json()
        let test = try XCTUnwrap(json["test"] as? [String: Double])
        XCTAssertGreaterThanOrEqual(test["accuracy"] ?? 0, 0.9, "\(json)")
        for key in ["f1_macro", "log_loss", "loss"] { XCTAssertNotNil(test[key], key) }
        XCTAssertEqual(json["test_samples"] as? Int, 30)
        XCTAssertEqual(json["classes"] as? [String], ["setosa", "versicolor", "virginica"])
        XCTAssertTrue(exists("iris.safetensors"))
        XCTAssertTrue(train.stderr.contains("epoch 60/60"), train.stderr)  // plain progress lines off a terminal

        // Evaluating the saved model on its dataset reuses the held-out rows: same accuracy.
        let evaluate = try perceptron("evaluate", "iris.safetensors", "--json")
        XCTAssertEqual(evaluate.status, 0, evaluate.stderr)
        let evaluated = try XCTUnwrap(try evaluate.json()["test"] as? [String: Double])
        XCTAssertEqual(evaluated["accuracy"], test["accuracy"])

        // Predict decodes class names.
        let rows = try write("flowers.csv", """
            sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)
            5.1,3.5,1.4,0.2
            6.7,3.0,5.2,2.3
            """)
        let predict = try perceptron("predict", "iris.safetensors", "--csv", rows, "-o", "out.csv")
        XCTAssertEqual(predict.status, 0, predict.stderr)
        let lines = try String(contentsOf: folder.appendingPathComponent("out.csv"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "prob_setosa,prob_versicolor,prob_virginica,predicted")
        XCTAssertEqual(lines.count, 3)
        XCTAssertTrue(lines[1].hasSuffix(",setosa"), lines[1])
        XCTAssertTrue(lines[2].hasSuffix(",virginica"), lines[2])

        let summary = try perceptron("summary", "iris.safetensors", "--json")
        XCTAssertEqual(summary.status, 0, summary.stderr)
        XCTAssertEqual(try summary.json()["input_size"] as? Int, 4)

        // Bad input: one line on stderr naming file, row and column; no output file.
        let bad = try write("bad.csv", """
            sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)
            5.1,3.5,1.4,0.2
            6.7,three,5.2,2.3
            """)
        let failed = try perceptron("predict", "iris.safetensors", "--csv", bad, "-o", "bad-out.csv")
        XCTAssertNotEqual(failed.status, 0)
        XCTAssertEqual(failed.stderr.split(separator: "\n").count, 1, failed.stderr)
        XCTAssertTrue(failed.stderr.hasPrefix("perceptron: error: "), failed.stderr)
        XCTAssertTrue(failed.stderr.contains("bad.csv") && failed.stderr.contains("row 3")
                      && failed.stderr.contains("sepal width (cm)"), failed.stderr)
        XCTAssertFalse(exists("bad-out.csv"))

        let ragged = try write("ragged.csv", "sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n5.1,3.5,1.4\n")
        let raggedRun = try perceptron("predict", "iris.safetensors", "--csv", ragged, "-o", "ragged-out.csv")
        XCTAssertNotEqual(raggedRun.status, 0)
        XCTAssertTrue(raggedRun.stderr.contains("ragged.csv: row 2"), raggedRun.stderr)
        XCTAssertFalse(exists("ragged-out.csv"))

        let missingColumn = try write("few.csv", "sepal length (cm),petal width (cm)\n5.1,0.2\n")
        let missingRun = try perceptron("predict", "iris.safetensors", "--csv", missingColumn, "-o", "few-out.csv")
        XCTAssertNotEqual(missingRun.status, 0)
        XCTAssertTrue(missingRun.stderr.contains("sepal width (cm)"), missingRun.stderr)
        XCTAssertFalse(exists("few-out.csv"))

        let notAModel = try write("junk.safetensors", "not a model")
        let junk = try perceptron("summary", notAModel)
        XCTAssertNotEqual(junk.status, 0)
        XCTAssertTrue(junk.stderr.hasPrefix("perceptron: error: ") && junk.stderr.contains("junk.safetensors"), junk.stderr)
    }

    func testDefaultTrainIsTitanic() throws {
        let run = try perceptron("train", "--epochs", "30", "--json")
        XCTAssertEqual(run.status, 0, run.stderr)
        let json = try run.json()
        XCTAssertEqual(json["data"] as? String, "titanic")
        XCTAssertEqual(json["layers"] as? [Int], [15, 1])
        XCTAssertEqual(json["features"] as? Int, 10)
        XCTAssertEqual(json["test_samples"] as? Int, 179)
        let accuracy = try XCTUnwrap((json["test"] as? [String: Double])?["accuracy"])
        XCTAssertGreaterThan(accuracy, 0.75)
        XCTAssertEqual((json["confusion_matrix"] as? [[Int]])?.flatMap { $0 }.reduce(0, +), 179)
    }

    func testCSVTrainingErrors() throws {
        let missing = try perceptron("train", "--csv", "absent.csv", "--target", "y")
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("absent.csv: no such file"), missing.stderr)
        let data = try write("d.csv", "a,b,y\n1,2,0\n3,4,1\n")
        let unknown = try perceptron("train", "--csv", data, "--target", "label")
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.stderr.contains("no column \"label\""), unknown.stderr)
        XCTAssertEqual(unknown.stderr.split(separator: "\n").count, 1, unknown.stderr)
    }
}
