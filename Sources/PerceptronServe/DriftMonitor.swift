import Perceptron
import Synchronization
import PerceptronServeRequests

/// What a model has been served since it was loaded, against what it was trained on.
///
/// Per input column (rows sent with named columns: `instances` or CSV):
/// ```
/// numeric:      served mean  = Σx / n_present,  std = √(Σx²/n_present − mean²),
///               missing share = n_missing / n;
///               training mean and std: the standardized column's shift and scale;
///               mean shift    = (served mean − training mean) / training std
/// categorical:  unseen share  = rows with a category training never saw / n,
///               served distribution over the training categories, missing share
/// ```
/// and the predicted classes' distribution (classification) or the predicted values'
/// mean and std (regression), against the training class shares when the file holds a
/// ``DriftBaseline``. Reset when the model is reloaded (a new model, a new baseline).
final class DriftMonitor: Sendable {
    private struct State {
        var sample: DriftSample?
        var classCounts: [Int]
        var predictions = 0
        var valueSum = 0.0
        var valueSumOfSquares = 0.0
    }

    private let schema: InputSchema?
    private let preprocessor: Preprocessor?
    private let classNames: [String]
    let baseline: DriftBaseline?
    private let state: Mutex<State>

    init(schema: InputSchema?, preprocessor: Preprocessor?, classNames: [String], baseline: DriftBaseline?) {
        self.schema = schema
        self.preprocessor = preprocessor
        self.classNames = classNames
        self.baseline = baseline
        state = Mutex(State(sample: schema.map(DriftSample.init(schema:)), classCounts: Array(repeating: 0, count: classNames.count)))
    }

    /// Adds one request's inputs (nil for feature rows) and predictions.
    func record(_ sample: DriftSample?, classes: [Int], values: [Float]) {
        state.withLock { state in
            if let sample { state.sample?.add(sample) }
            for c in classes where c >= 0 && c < state.classCounts.count { state.classCounts[c] += 1 }
            state.predictions += max(classes.count, values.count)
            for v in values {
                state.valueSum += Double(v)
                state.valueSumOfSquares += Double(v) * Double(v)
            }
        }
    }

    /// The statistics of one input column, served and trained.
    struct ColumnReport {
        var name: String
        var role: String
        var rows: Int
        var missingShare: Double?
        var servedMean: Double?
        var servedStd: Double?
        var trainingMean: Double?
        var trainingStd: Double?
        var trainingMissingShare: Double?
        var meanShift: Double?
        var unseenShare: Double?
        var servedDistribution: [(String, Double)]
        var trainingDistribution: [(String, Double)]?
    }

    /// Every used column's report, in column order.
    func columnReports() -> [ColumnReport] {
        guard let schema else { return [] }
        let sample = state.withLock { $0.sample }
        guard let sample else { return [] }
        var reports: [ColumnReport] = []
        for (i, column) in schema.columns.enumerated() {
            let n = sample.count[i]
            let present = n - sample.missing[i]
            var report = ColumnReport(name: column.name, role: column.role.description, rows: n,
                                      missingShare: n > 0 ? Double(sample.missing[i]) / Double(n) : nil,
                                      servedDistribution: [])
            report.trainingMissingShare = baseline?.columns[column.name]?.missing_share
            switch column.encoding {
            case let .numeric(_, shift, scale):
                if present > 0 {
                    let mean = sample.sum[i] / Double(present)
                    report.servedMean = mean
                    report.servedStd = max(0, sample.sumOfSquares[i] / Double(present) - mean * mean).squareRoot()
                }
                if case .numeric(.standardize) = column.role {
                    report.trainingMean = shift
                    report.trainingStd = scale
                    if let mean = report.servedMean { report.meanShift = (mean - shift) / scale }
                }
            case let .categorical(_, categories, _):
                if n > 0 {
                    report.unseenShare = Double(sample.unseen[i]) / Double(n)
                    report.servedDistribution = categories.enumerated().map { k, name in
                        (name, Double(sample.categoryCounts[column.offset + k]) / Double(n))
                    }
                }
                if let training = baseline?.columns[column.name]?.distribution {
                    report.trainingDistribution = categories.map { ($0, training[$0] ?? 0) }
                }
            }
            reports.append(report)
        }
        return reports
    }

    /// Predictions served, and their distribution by class (classification) or their
    /// mean and std (regression).
    func predictionReport() -> (count: Int, classShares: [(String, Double)], mean: Double?, std: Double?) {
        let s = state.withLock { $0 }
        let n = s.predictions
        guard n > 0 else { return (0, classNames.map { ($0, 0) }, nil, nil) }
        if !classNames.isEmpty {
            return (n, zip(classNames, s.classCounts).map { ($0, Double($1) / Double(n)) }, nil, nil)
        }
        let mean = s.valueSum / Double(n)
        return (n, [], mean, max(0, s.valueSumOfSquares / Double(n) - mean * mean).squareRoot())
    }

    /// `GET /v1/models/{name}/drift`'s body.
    func writeReport(model: ServedModel, into w: inout JSONWriter) {
        w.beginObject()
        w.key("model"); w.string(model.name)
        w.key("version"); w.string(model.version)
        w.key("baseline"); w.bool(baseline != nil)
        w.key("columns")
        w.beginArray()
        for c in columnReports() {
            w.beginObject()
            w.key("name"); w.string(c.name)
            w.key("role"); w.string(c.role)
            w.key("served")
            w.beginObject()
            w.key("rows"); w.integer(c.rows)
            w.key("missing_share"); w.number(c.missingShare)
            if c.role.hasPrefix("numeric") {
                w.key("mean"); w.number(c.servedMean)
                w.key("std"); w.number(c.servedStd)
            } else {
                w.key("unseen_share"); w.number(c.unseenShare)
                w.key("distribution"); w.beginObject(); for (k, v) in c.servedDistribution { w.key(k); w.number(v) }; w.endObject()
            }
            w.endObject()
            w.key("training")
            w.beginObject()
            w.key("missing_share"); w.number(c.trainingMissingShare)
            if c.role.hasPrefix("numeric") {
                w.key("mean"); w.number(c.trainingMean)
                w.key("std"); w.number(c.trainingStd)
            } else {
                w.key("distribution")
                if let d = c.trainingDistribution { w.beginObject(); for (k, v) in d { w.key(k); w.number(v) }; w.endObject() } else { w.null() }
            }
            w.endObject()
            if c.role.hasPrefix("numeric") { w.key("mean_shift_in_training_std"); w.number(c.meanShift) }
            w.endObject()
        }
        w.endArray()
        let p = predictionReport()
        w.key("predictions")
        w.beginObject()
        w.key("count"); w.integer(p.count)
        if classNames.isEmpty {
            w.key("mean"); w.number(p.mean)
            w.key("std"); w.number(p.std)
        } else {
            w.key("served_distribution"); w.beginObject(); for (k, v) in p.classShares { w.key(k); w.number(v) }; w.endObject()
            w.key("training_distribution")
            if let training = baseline?.classes {
                w.beginObject(); for name in classNames { w.key(name); w.number(training[name] ?? 0) }; w.endObject()
            } else {
                w.null()
            }
        }
        w.endObject()
        w.endObject()
    }

    /// The drift gauges in Prometheus text format, for `/metrics`.
    func writePrometheus(model: String, into text: inout String) {
        let m = PrometheusText.escape(model)
        for c in columnReports() {
            let labels = "model=\"\(m)\",column=\"\(PrometheusText.escape(c.name))\""
            if let v = c.missingShare { text += "perceptron_drift_missing_share{\(labels)} \(v)\n" }
            if let v = c.servedMean { text += "perceptron_drift_served_mean{\(labels)} \(v)\n" }
            if let v = c.servedStd { text += "perceptron_drift_served_std{\(labels)} \(v)\n" }
            if let v = c.trainingMean { text += "perceptron_drift_training_mean{\(labels)} \(v)\n" }
            if let v = c.trainingStd { text += "perceptron_drift_training_std{\(labels)} \(v)\n" }
            if let v = c.meanShift { text += "perceptron_drift_mean_shift{\(labels)} \(v)\n" }
            if let v = c.unseenShare { text += "perceptron_drift_unseen_share{\(labels)} \(v)\n" }
        }
        let p = predictionReport()
        for (name, share) in p.classShares {
            text += "perceptron_drift_predicted_class_share{model=\"\(m)\",class=\"\(PrometheusText.escape(name))\"} \(share)\n"
            if let training = baseline?.classes?[name] {
                text += "perceptron_drift_training_class_share{model=\"\(m)\",class=\"\(PrometheusText.escape(name))\"} \(training)\n"
            }
        }
    }
}

/// Prometheus text exposition helpers.
enum PrometheusText {
    /// A label value with `\`, `"` and newlines escaped.
    static func escape(_ value: String) -> String {
        var out = ""
        for ch in value {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out
    }

    /// The HELP and TYPE lines of the drift gauges (written once, before every model's values).
    static let driftHeader = """
        # HELP perceptron_drift_missing_share Share of served rows where the input column was missing.
        # TYPE perceptron_drift_missing_share gauge
        # HELP perceptron_drift_served_mean Mean of the served values of a numeric input column.
        # TYPE perceptron_drift_served_mean gauge
        # HELP perceptron_drift_served_std Standard deviation of the served values of a numeric input column.
        # TYPE perceptron_drift_served_std gauge
        # HELP perceptron_drift_training_mean Training mean of a standardized numeric input column.
        # TYPE perceptron_drift_training_mean gauge
        # HELP perceptron_drift_training_std Training standard deviation of a standardized numeric input column.
        # TYPE perceptron_drift_training_std gauge
        # HELP perceptron_drift_mean_shift (served mean - training mean) / training std.
        # TYPE perceptron_drift_mean_shift gauge
        # HELP perceptron_drift_unseen_share Share of served rows with a category training never saw.
        # TYPE perceptron_drift_unseen_share gauge
        # HELP perceptron_drift_predicted_class_share Share of served predictions in each class.
        # TYPE perceptron_drift_predicted_class_share gauge
        # HELP perceptron_drift_training_class_share Share of training targets in each class.
        # TYPE perceptron_drift_training_class_share gauge

        """
}
