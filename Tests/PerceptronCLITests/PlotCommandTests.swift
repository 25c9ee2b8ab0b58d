import Foundation
import XCTest

/// `perceptron plot …`, `train --history-csv` and `train --json`'s history, through the
/// built executable on the small red-blue generator (trains in well under a second).
final class PlotCommandTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("PlotCommandTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Runs the built `perceptron` in the temporary folder: (status, stdout, stderr).
    func run(_ arguments: String...) throws -> (status: Int32, stdout: String, stderr: String) { try run(arguments) }

    func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        #if os(macOS)
        let products = Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }!.bundleURL.deletingLastPathComponent()
        #else
        let products = Bundle.main.bundleURL
        #endif
        process.executableURL = products.appendingPathComponent("perceptron")
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    func read(_ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }

    func testTrainWritesHistoryAndPlotDrawsEachFigure() throws {
        let train = try run("train", "--dataset", "red-blue", "--epochs", "30", "--validation-split", "0.2",
                            "-o", "m.safetensors", "--history-csv", "h.csv", "--json")
        XCTAssertEqual(train.status, 0, train.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(train.stdout.utf8)) as? [String: Any])
        let history = try XCTUnwrap(json["history"] as? [String: [Any]])
        XCTAssertEqual(history["loss"]?.count, 30)
        XCTAssertEqual(history["val_loss"]?.count, 30)
        XCTAssertEqual(history["lr"]?.count, 30)

        // One CSV row per epoch (Keras' CSVLogger: epoch first, then the keys sorted).
        let csv = try read("h.csv").split(separator: "\n")
        XCTAssertEqual(csv.count, 31)
        XCTAssertEqual(csv[0], "epoch,accuracy,loss,lr,val_accuracy,val_loss")
        XCTAssertTrue(csv[1].hasPrefix("0,"))

        for (kind, extra) in [("boundary", [String]()), ("confusion", ["--normalize"]), ("roc", [])] {
            let result = try run(["plot", kind, "m.safetensors", "-o", "\(kind).svg"] + extra)
            XCTAssertEqual(result.status, 0, "\(kind): \(result.stderr)")
            XCTAssertTrue(try read("\(kind).svg").hasPrefix("<svg"), kind)
        }
        XCTAssertTrue(try read("boundary.svg").contains("class=\"regions\""))
        let loss = try run("plot", "loss", "h.csv", "--metric", "accuracy", "--title", "Acc <1>")
        XCTAssertEqual(loss.status, 0, loss.stderr)
        XCTAssertTrue(loss.stdout.contains("data-series=\"val_accuracy\""))
        XCTAssertTrue(loss.stdout.contains("Acc &lt;1&gt;"))
    }

    func testPlotRefusesWhatItCannotDraw() throws {
        let train = try run("train", "--dataset", "red-blue", "--epochs", "2", "--history-csv", "h.csv", "-o", "m.safetensors")
        XCTAssertEqual(train.status, 0, train.stderr)
        let missing = try run("plot", "loss", "h.csv", "--metric", "auc")
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("no column \"auc\""), missing.stderr)
        let folderOutput = try run("plot", "roc", "m.safetensors", "-o", ".")
        XCTAssertEqual(folderOutput.status, 1)
        XCTAssertTrue(folderOutput.stderr.contains("is a folder"), folderOutput.stderr)
    }
}
