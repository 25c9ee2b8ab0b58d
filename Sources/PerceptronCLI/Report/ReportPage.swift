import Foundation
import Perceptron

/// One self-contained HTML report of a model: the training curves, the held-out scores and
/// their figures, the decision boundary, the network, the data, the settings, timings,
/// machine and the command that reproduces the run. Inline SVG and CSS only: nothing is
/// fetched, no script runs, and it prints.
struct ReportPage {
    var title: String
    var subtitle: String
    var model: Sequential
    var history: History?
    /// The held-out rows' predictions and what they are.
    var predictions: Predictions?
    var testReport: TestReport?
    var evaluationDescription: String
    /// Training points for the decision boundary (classification, 2+ inputs).
    var boundaryPoints: (x: Matrix, labels: [Int])?
    var featureNames: [String]
    var targetName: String?
    var data: DataSummary
    var hyperparameters: [(String, String)]
    var timings: [(String, String)]
    /// (what, command line) pairs.
    var commands: [(String, String)]

    /// The figures in page order, grouped by section; a figure that cannot be drawn is a note.
    private func figures() -> [(section: String, items: [String])] {
        var sections: [(String, [String])] = []
        if let history, !history.epochs.isEmpty {
            var items: [String] = []
            var loss = HistoryFigure(history: history, metric: "loss")
            loss.id = "svg-loss"
            items.append(HTML.figure(loss.svg(), id: "fig-loss", caption: "Loss per epoch"
                + (history.restoredEpoch.map { "; early stopping restored the weights of epoch \($0 + 1)" } ?? "") + "."))
            let keys = Set(history.epochs.flatMap { $0.values.keys }).filter { !$0.hasPrefix("val_") && $0 != "loss" && $0 != "lr" }.sorted()
            for key in keys {
                var figure = HistoryFigure(history: history, metric: key)
                figure.id = "svg-\(key)"
                items.append(HTML.figure(figure.svg(), id: "fig-\(key)", caption: "\(HistoryFigure.displayName(key).capitalized) per epoch."))
            }
            var lr = HistoryFigure(history: history, metric: "lr")
            lr.id = "svg-lr"
            items.append(HTML.figure(lr.svg(), id: "fig-lr", caption: "The optimizer's learning rate at each epoch."))
            sections.append(("Training", items))
        }
        if let predictions {
            var items: [String] = []
            func add(_ make: () throws -> any Figure, id: String, caption: String) {
                do {
                    var figure = try make()
                    figure.id = "svg-" + id
                    items.append(HTML.figure(figure.svg(), id: "fig-" + id, caption: caption))
                } catch {
                    items.append("<p class=\"note\">No \(HTML.escape(caption.lowercased())): \(HTML.escape(PerceptronCommand.oneLine(error)))</p>")
                }
            }
            switch predictions.task {
            case .classification:
                let names = predictions.classNames
                add({ try ConfusionMatrixFigure(predictions.confusion(), classNames: names) }, id: "confusion",
                    caption: "Confusion matrix: counts of actual (rows) against predicted (columns) classes.")
                add({ try ConfusionMatrixFigure(predictions.confusion(), classNames: names, normalization: .rows) },
                    id: "confusion-normalized", caption: "Confusion matrix, each row divided by its total (recall on the diagonal).")
                add({ try ROCFigure(actual: predictions.labels, probabilities: predictions.probabilities, classNames: names) },
                    id: "roc", caption: "ROC curve" + (names.count > 2 ? "s, each class against the rest." : "."))
                add({ try PrecisionRecallFigure(actual: predictions.labels, probabilities: predictions.probabilities, classNames: names) },
                    id: "pr", caption: "Precision against recall" + (names.count > 2 ? ", each class against the rest." : "."))
                add({ try CalibrationFigure(actual: predictions.labels, probabilities: predictions.probabilities) },
                    id: "calibration", caption: "Calibration: predicted probability against observed frequency, 10 bins.")
            case .regression:
                let unit = targetName ?? "value"
                add({ try PredictedActualFigure(actual: predictions.actual, predicted: predictions.predicted, unit: unit) },
                    id: "predicted-actual", caption: "Predicted against actual \(unit).")
                add({ try ResidualsFigure(actual: predictions.actual, predicted: predictions.predicted, unit: unit) },
                    id: "residuals", caption: "Residuals against predicted \(unit).")
                add({ try ErrorHistogramFigure(actual: predictions.actual, predicted: predictions.predicted, unit: unit) },
                    id: "errors", caption: "Distribution of the errors.")
            }
            sections.append(("Held-out figures", items))
        }
        if let points = boundaryPoints, model.inputSize >= 2 {
            do {
                var figure = try DecisionBoundaryFigure(model: model, points: points.x, labels: points.labels,
                                                        classNames: predictions?.classNames, featureNames: featureNames)
                figure.id = "svg-boundary"
                sections.append(("Decision boundary", [HTML.figure(figure.svg(), id: "fig-boundary", caption: figure.isProjection
                    ? "The model's classes over the plane of the training rows' two leading principal components (a projection), with the training rows."
                    : "The model's classes over the two inputs, with the training rows.")]))
            } catch {
                sections.append(("Decision boundary", ["<p class=\"note\">\(HTML.escape(PerceptronCommand.oneLine(error)))</p>"]))
            }
        }
        var network = NetworkDiagramFigure(model: model)
        network.id = "svg-network"
        var weights = WeightHistogramsFigure(model: model)
        weights.id = "svg-weights"
        sections.append(("Network", [HTML.figure(network.svg(), id: "fig-network", caption: "Layers, widths, activations and parameters."),
                                     HTML.figure(weights.svg(), id: "fig-weights", caption: "Each layer's weights (biases left out).")]))
        return sections
    }

    private func scoresHTML() -> String {
        guard let testReport else { return "<p class=\"note\">No held-out rows: nothing to score (train with --test-split above 0).</p>" }
        var out = "<p>\(HTML.escape(evaluationDescription)): \(testReport.samples) rows.</p>"
        out += HTML.table(["metric", "value"], testReport.metrics.map { [$0.name, String(format: "%.4f", $0.value)] }, numeric: [1],
                          id: "metrics")
        if let predictions, predictions.task == .classification,
           let scores = try? ClassificationScores(actual: predictions.labels, predicted: predictions.predictedClasses,
                                                  classCount: max(predictions.classNames.count, 2)) {
            let rows = predictions.classNames.indices.map { c in
                [predictions.classNames[c], String(format: "%.3f", scores.precision[c]), String(format: "%.3f", scores.recall[c]),
                 String(format: "%.3f", scores.f1[c]), String(scores.support[c])]
            }
            out += "<h3>Per class</h3>" + HTML.table(["class", "precision", "recall", "F1", "support"], rows, numeric: [1, 2, 3, 4],
                                                     id: "per-class")
        }
        return out
    }

    func html() -> String {
        var body = "<header><h1>\(HTML.escape(title))</h1><p class=\"meta\">\(HTML.escape(subtitle))</p></header>"
        body += "<section id=\"scores\"><h2>Scores on held-out rows</h2>\(scoresHTML())</section>"
        for (section, items) in figures() {
            let id = section.lowercased().replacingOccurrences(of: " ", with: "-")
            body += "<section id=\"\(id)\"><h2>\(HTML.escape(section))</h2><div class=\"figures\">\(items.joined())</div></section>"
        }
        body += "<section id=\"data\"><h2>Data</h2>\(data.html)</section>"
        body += "<section id=\"settings\"><h2>Settings</h2>"
        body += "<h3>Hyperparameters</h3>" + HTML.definitions(hyperparameters, id: "hyperparameters")
        body += "<h3>Timings</h3>" + HTML.definitions(timings, id: "timings")
        body += "<h3>Machine</h3>" + HTML.definitions(MachineInfo.rows(), id: "machine")
        body += "<h3>Reproduce</h3>"
        for (what, command) in commands {
            body += "<p>\(HTML.escape(what)):</p><pre class=\"command\"><code>\(HTML.escape(command))</code></pre>"
        }
        body += "</section>"
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(title))</title>
            <style>\(Self.css)</style></head>
            <body><main>\(body)</main></body></html>

            """
    }

    static let css = """
        :root{color-scheme:light}
        *{box-sizing:border-box}
        body{margin:0;font:15px/1.5 "DejaVu Sans",Helvetica,Arial,sans-serif;color:#222;background:#fff}
        main{max-width:1200px;margin:0 auto;padding:16px}
        h1{font-size:1.6em;margin:.2em 0;overflow-wrap:anywhere}
        h2{font-size:1.25em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
        h3{font-size:1.05em;margin:1em 0 .4em}
        .meta,.note{color:#555}
        .figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,520px),1fr));gap:16px;align-items:start}
        figure.fig{margin:0;min-width:0}
        figure.fig svg{display:block;width:100%;height:auto}
        figcaption{font-size:.85em;color:#555;margin-top:4px}
        .table-wrap{max-width:100%;overflow-x:auto}
        table{border-collapse:collapse;margin:.3em 0 1em;font-size:.92em}
        th,td{border-bottom:1px solid #e3e3e3;padding:3px 10px 3px 0;text-align:left;vertical-align:top;overflow-wrap:anywhere}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
        table.pairs th{font-weight:normal;color:#555;white-space:nowrap}
        pre.command{background:#f5f5f5;padding:8px;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.9em}
        @media print{main{max-width:none;padding:0}figure.fig,table{break-inside:avoid}h2{break-after:avoid}}
        """
}
