import ArgumentParser
import Foundation
import Perceptron

/// What `train` writes besides the model: the per-epoch history as CSV and the HTML report.
struct TrainOutputOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Write the loss and metrics of each epoch to this CSV file (as Keras's CSVLogger).",
                                            valueName: "file"))
    var historyCSV: String?

    @Option(name: .long, help: ArgumentHelp("Write a self-contained HTML report (curves, scores, figures, data, settings) to this file.",
                                            valueName: "file"))
    var report: String?

    /// The history as `train --json` prints it: each log key's values per epoch (null for
    /// a non-finite value or an epoch without the key), as Keras's `History.history`.
    static func json(_ history: History) -> [String: Any] {
        let keys = Set(history.epochs.flatMap { $0.values.keys })
        var out: [String: Any] = [:]
        for key in keys {
            out[key] = history.epochs.map { logs in logs.values[key].map { JSONOutput.number($0) } ?? NSNull() }
        }
        return out
    }

    /// The loss as a sparkline, with its first and last values.
    static func sparkline(_ history: History) -> String? {
        let losses = history["loss"]
        guard let first = losses.first, let last = losses.last, losses.count > 1 else { return nil }
        return "loss \(Sparkline.line(losses)) \(String(format: "%.4g", first)) → \(String(format: "%.4g", last))"
    }

    /// Writes the files asked for.
    func write(_ run: TrainedRun) throws {
        if let historyCSV { try FigureFile.write(HistoryCSV.text(run.history), to: historyCSV) }
        if let report { try FigureFile.write(try ReportPage.training(run).html(), to: report) }
    }
}
