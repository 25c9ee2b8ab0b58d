import Foundation
import XCTest

/// `perceptron plot …`, `train --history-csv` and `train --json`'s history, through the
/// built executable on the small red-blue generator (trains in well under a second).
final class PlotCommandTests: TemporaryFolderTestCase {
    func run(_ arguments: String...) throws -> PerceptronProcess.Result { try run(arguments) }

    func run(_ arguments: [String]) throws -> PerceptronProcess.Result { try PerceptronProcess.run(arguments, in: folder) }

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
        XCTAssertTrue(json["restored_epoch"] is NSNull, "no early stopping, nothing restored")

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

/// `train --report` and `perceptron report`: one self-contained HTML file.
final class ReportCommandTests: TemporaryFolderTestCase {
    func run(_ arguments: String...) throws -> PerceptronProcess.Result { try PerceptronProcess.run(arguments, in: folder) }

    func read(_ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }

    /// Nothing in the page is fetched: no external reference of any kind.
    func assertSelfContained(_ html: String, file: StaticString = #filePath, line: UInt = #line) {
        for pattern in ["src=", "href=", "<script", "<link", "@import", "url("] {
            XCTAssertFalse(html.contains(pattern), "the report contains \(pattern)", file: file, line: line)
        }
    }

    func testTitanicTrainReportHasEverySection() throws {
        let train = try run("train", "--epochs", "20", "--validation-split", "0.1", "--early-stopping", "3",
                            "--report", "titanic.html", "-o", "t.safetensors")
        XCTAssertEqual(train.status, 0, train.stderr)
        let html = try read("titanic.html")
        assertSelfContained(html)
        for id in ["fig-loss", "fig-accuracy", "fig-lr", "fig-confusion", "fig-confusion-normalized", "fig-roc", "fig-pr",
                   "fig-calibration", "fig-boundary", "fig-network", "fig-weights", "data-columns", "class-balance",
                   "hyperparameters", "timings", "machine", "per-class", "metrics"] {
            XCTAssertTrue(html.contains("id=\"\(id)\""), "no \(id)")
        }
        // The data section: Age's imputed median and missing count in the training rows, Cabin not used.
        XCTAssertTrue(html.contains("<td>Age</td><td>numeric</td><td class=\"num\">"))
        XCTAssertTrue(html.contains("<td>Cabin</td><td>not used</td>"))
        XCTAssertTrue(html.contains("perceptron train --epochs 20 --validation-split 0.1 --early-stopping 3 --report titanic.html -o t.safetensors"))

        // The saved model's report: the same scores, and the training command from the model file.
        let report = try run("report", "t.safetensors", "-o", "again.html")
        XCTAssertEqual(report.status, 0, report.stderr)
        let again = try read("again.html")
        assertSelfContained(again)
        XCTAssertTrue(again.contains("The command that trained the model"))
        XCTAssertTrue(again.contains("fig-boundary"))
        let accuracy = try XCTUnwrap(html.range(of: #"<td>accuracy</td><td class="num">[0-9.]+</td>"#, options: .regularExpression))
        XCTAssertTrue(again.contains(String(html[accuracy])), "the same held-out accuracy")
    }

    func testRegressionReportAndHostileNamesAreEscaped() throws {
        var csv = "\"<b>x</b>\",\"y&z\"\n"
        for i in 0..<60 { csv += "\(Double(i) / 10),\(Double(i) / 5 + 1)\n" }
        try csv.write(to: folder.appendingPathComponent("r.csv"), atomically: true, encoding: .utf8)
        let train = try run("train", "--csv", "r.csv", "--target", "y&z", "--epochs", "5", "--report", "r.html", "-o", "r.safetensors",
                            "--history-csv", "h.csv")
        XCTAssertEqual(train.status, 0, train.stderr)
        let html = try read("r.html")
        assertSelfContained(html)
        XCTAssertFalse(html.contains("<b>x</b>"))
        XCTAssertTrue(html.contains("&lt;b&gt;x&lt;/b&gt;"))
        for id in ["fig-predicted-actual", "fig-residuals", "fig-errors", "fig-loss"] { XCTAssertTrue(html.contains("id=\"\(id)\""), id) }
        XCTAssertFalse(html.contains("fig-boundary"), "no boundary for regression")
        let report = try run("report", "r.safetensors", "--csv", "r.csv", "--history-csv", "h.csv", "-o", "-")
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertTrue(report.stdout.hasPrefix("<!doctype html>"))
        XCTAssertTrue(report.stdout.contains("id=\"fig-loss\""), "curves from --history-csv")
    }
}
