import Foundation
import Perceptron
import XCTest
@testable import PerceptronCLI

/// The history CSV, the sparkline and the report's escaping, without running a process.
final class TrainingOutputTests: XCTestCase {
    func testHistoryCSVRoundTripsAsKerasCSVLoggerWritesIt() throws {
        let history = History(epochs: [
            EpochLogs(epoch: 0, values: ["loss": 0.5, "val_loss": 0.75, "lr": 0.001], elapsed: 0),
            EpochLogs(epoch: 1, values: ["loss": .nan, "lr": 0.0005], elapsed: 0),
        ])
        let text = HistoryCSV.text(history)
        XCTAssertEqual(text, "epoch,loss,lr,val_loss\n0,0.5,0.001,0.75\n1,nan,0.0005,\n")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("history-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try text.write(to: url, atomically: true, encoding: .utf8)
        let read = try HistoryCSV.read(url.path)
        XCTAssertEqual(read.epochs.map(\.epoch), [0, 1])
        XCTAssertEqual(read["loss"].first, 0.5)
        XCTAssertTrue(read.epochs[1].values["loss"]!.isNaN, "nan stays NaN")
        XCTAssertNil(read.epochs[1].values["val_loss"], "an empty field is no value")
        XCTAssertEqual(read["lr"], [0.001, 0.0005])

        try "epoch,loss\n0,abc\n".write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try HistoryCSV.read(url.path)) { error in
            XCTAssertTrue(String(describing: error).contains("line 2, column \"loss\": \"abc\" is not a number"), "\(error)")
        }
    }

    func testSparklineSpansLowestToHighestAndAveragesLongSeries() {
        // Levels round((v − 0)/4 · 7): 7, 5.25 → 5, 3.5 → 4, 1.75 → 2, 0.
        XCTAssertEqual(Sparkline.line([4, 3, 2, 1, 0]), "█▆▅▃▁")
        XCTAssertEqual(Sparkline.line([1, 1, 1]), "▄▄▄", "a flat series sits mid-height")
        XCTAssertEqual(Sparkline.line([1, .nan, 0]), "█ ▁")
        // 100 values in 10 buckets of 10: the bucket means fall evenly.
        XCTAssertEqual(Sparkline.line((0..<100).map { Float(99 - $0) }, width: 10).count, 10)
        XCTAssertEqual(Sparkline.line((0..<100).map { Float(99 - $0) }, width: 10).first, "█")
        XCTAssertEqual(Sparkline.line([]), "")
    }

    func testHistoryJSONHasOneValuePerEpochAndNullForNonFinite() {
        let history = History(epochs: [EpochLogs(epoch: 0, values: ["loss": 1], elapsed: 0),
                                       EpochLogs(epoch: 1, values: ["loss": .infinity, "val_loss": 2], elapsed: 0)])
        let json = TrainOutputOptions.json(history)
        XCTAssertEqual((json["loss"] as? [Any])?.count, 2)
        XCTAssertTrue((json["loss"] as? [Any])?[1] is NSNull)
        XCTAssertTrue((json["val_loss"] as? [Any])?[0] is NSNull, "epoch 0 had no val_loss")
    }

    func testReportEscapesTextAndQuotesTheCommand() {
        XCTAssertEqual(HTML.escape("<b>\"Tom\" & 'Jerry'</b>"), "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;")
        XCTAssertEqual(HTML.table(["a<"], [["x&y"]]), "<div class=\"table-wrap\"><table><thead><tr><th>a&lt;</th></tr></thead><tbody><tr><td>x&amp;y</td></tr></tbody></table></div>")
        XCTAssertEqual(HTML.shellCommand(["perceptron", "train", "--csv", "my data.csv", "--target", "it's", "--lr", "0.01"]),
                       "perceptron train --csv 'my data.csv' --target 'it'\\''s' --lr 0.01")
    }
}
