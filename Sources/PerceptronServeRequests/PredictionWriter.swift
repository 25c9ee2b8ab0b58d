import Perceptron

/// Writes a predict response:
///
/// ```
/// {"model": "titanic", "version": "3f2a…",
///  "predictions": [{"class": "1", "probabilities": {"0": 0.2, "1": 0.8}}, …]}    classification
///  "predictions": [{"value": 12.5}, …]     regression (one output; "values": [...] for several)
/// ```
public enum PredictionWriter {
    /// A written response and what it predicted, for the drift monitor.
    public struct Written: Sendable {
        /// The response body.
        public var bytes: [UInt8]
        /// Per row, the predicted class index (classification; empty for regression).
        public var classes: [Int]
        /// Per row, the predicted value (single-output regression; empty otherwise).
        public var values: [Float]
    }

    /// - Throws: ``RequestError`` (422) when an output is not finite or the probabilities
    ///   cannot be computed.
    public static func write(outputs: Matrix, model: RequestModel) throws(RequestError) -> Written {
        if let bad = outputs.firstNonFinite() {
            throw RequestError(.unprocessableContent, "non_finite_output", "the model's output is \(bad.value) for this row",
                               row: bad.row)
        }
        var w = JSONWriter(capacity: 64 + outputs.rows * 64)
        w.beginObject()
        w.key("model"); w.string(model.name)
        w.key("version"); w.string(model.version)
        w.key("predictions")
        w.beginArray()
        var recordedClasses: [Int] = [], recordedValues: [Float] = []
        let predictor = model.predictor
        if predictor.isClassifier {
            let p: Matrix
            do { p = try predictor.probabilities(fromOutputs: outputs) } catch {
                throw RequestError(.unprocessableContent, "prediction_failed", "\(error)")
            }
            let classes = predictor.classes(fromProbabilities: p)
            let names = predictor.classNames
            for i in 0..<p.rows {
                w.beginObject()
                w.key("class"); w.string(classes[i] < names.count ? names[classes[i]] : String(classes[i]))
                w.key("probabilities")
                w.beginObject()
                for j in 0..<min(p.columns, names.count) { w.key(names[j]); w.number(p[i, j]) }
                w.endObject()
                w.endObject()
            }
            recordedClasses = classes
        } else {
            let values = model.preprocessor?.inverseTransformTarget(outputs) ?? outputs
            for i in 0..<values.rows {
                w.beginObject()
                if values.columns == 1 {
                    w.key("value"); w.number(values[i, 0])
                } else {
                    w.key("values"); w.beginArray(); for j in 0..<values.columns { w.number(values[i, j]) }; w.endArray()
                }
                w.endObject()
            }
            if values.columns == 1 { recordedValues = (0..<values.rows).map { values[$0, 0] } }
        }
        w.endArray()
        w.endObject()
        return Written(bytes: w.bytes, classes: recordedClasses, values: recordedValues)
    }
}
