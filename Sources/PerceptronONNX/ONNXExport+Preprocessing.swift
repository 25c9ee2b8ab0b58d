import Foundation
import Perceptron

extension ONNXExport {
    /// The graph inputs (one per used column) and the nodes that turn them into the
    /// feature matrix the first layer takes, replaying `Preprocessor.transformFeatures` (PerceptronData):
    /// ```
    /// numeric column      [N, 1] float                        1 feature
    /// categorical column  [N, 1] string → OneHotEncoder(categories + [""]) → [N, k + 1]
    ///                     → MatMul(M) → [N, k]   (M: identity, plus the "" row → the most
    ///                     frequent category: a missing value is imputed as in Perceptron)
    ///                     or [N, k] float, one-hot by the caller
    /// x = Concat(features, axis 1);  x = Where(IsNaN(x), fill, x);  x = (x − shift) / scale
    /// ```
    /// Returns the features' value name and whether the ai.onnx.ml domain is used.
    static func emitPreprocessing(_ preprocessor: Preprocessor, encoding: CategoricalEncoding,
                                  into b: inout ONNXGraphBuilder) -> (String, Bool) {
        var pieces: [String] = []
        var fill: [Float] = []
        var shift: [Float] = []
        var scale: [Float] = []
        var usesML = false
        for column in preprocessor.columns {
            switch column.role {
            case .numeric:
                b.input(column.name, elementType: .float, width: 1,
                        doc: "numeric column \"\(column.name)\", raw (NaN = missing, imputed with the training median \(column.fillValue)); "
                            + "standardized in the graph as (x − \(column.shift)) / \(column.scale)")
                pieces.append(column.name)
                fill.append(Float(column.fillValue))
                shift.append(Float(column.shift))
                scale.append(Float(column.scale))
            case .categorical:
                let k = column.categories.count
                let list = column.categories.map { "\"\($0)\"" }.joined(separator: ", ")
                switch encoding {
                case .encoder:
                    usesML = true
                    b.input(column.name, elementType: .string, width: 1,
                            doc: "categorical column \"\(column.name)\" as text, one of [\(list)] (trimmed); \"\" = missing "
                                + "(imputed with \"\(column.mostFrequent)\"); an unseen value encodes as all zeros")
                    pieces.append(emitOneHotEncoder(column, into: &b))
                case .oneHotInput:
                    b.input(column.name, elementType: .float, width: k,
                            doc: "categorical column \"\(column.name)\", one-hot encoded by the caller over [\(list)] in this order "
                                + "(a missing value: the one-hot of \"\(column.mostFrequent)\"; an unseen value: all zeros)")
                    pieces.append(column.name)
                }
                fill += Array(repeating: 0, count: k)
                shift += Array(repeating: 0, count: k)
                scale += Array(repeating: 1, count: k)
            case .ignored, .target:
                continue
            }
        }
        let width = fill.count
        var x = pieces.count == 1 ? pieces[0]
            : b.node("Concat", pieces, output: "features.raw", attributes: [ONNXAttribute.int("axis", 1)])
        let fillName = b.constant("preprocessing.fill", shape: [width], values: fill)
        let shiftName = b.constant("preprocessing.shift", shape: [width], values: shift)
        let scaleName = b.constant("preprocessing.scale", shape: [width], values: scale)
        let missing = b.node("IsNaN", [x], output: "features.missing")
        x = b.node("Where", [missing, fillName, x], output: "features.imputed")
        x = b.node("Sub", [x, shiftName], output: "features.shifted")
        x = b.node("Div", [x, scaleName], output: "features")
        return (x, usesML)
    }

    /// One categorical column through ai.onnx.ml OneHotEncoder; returns its [N, k] features.
    private static func emitOneHotEncoder(_ column: Preprocessor.Column, into b: inout ONNXGraphBuilder) -> String {
        let categories = column.categories
        let k = categories.count
        // "" (missing) gets its own column when it is not a category, folded into the
        // most frequent category's column by the MatMul below.
        let withMissing = categories.contains("") ? categories : categories + [""]
        let encoded = b.node("OneHotEncoder", [column.name], output: "\(column.name).onehot3d", domain: "ai.onnx.ml",
                             attributes: [ONNXAttribute.strings("cats_strings", withMissing), ONNXAttribute.int("zeros", 1)])
        let shape = b.int64Constant(b.fresh("\(column.name).shape"), shape: [2], values: [-1, Int64(withMissing.count)])
        let flat = b.node("Reshape", [encoded, shape], output: "\(column.name).onehot")
        guard withMissing.count > k else { return flat }
        var fold = [Float](repeating: 0, count: (k + 1) * k)
        for i in 0..<k { fold[i * k + i] = 1 }
        // As Perceptron: missing → the most frequent category (all zeros were it not a category).
        if let frequent = categories.firstIndex(of: column.mostFrequent) { fold[k * k + frequent] = 1 }
        let m = b.constant(b.fresh("\(column.name).impute"), shape: [k + 1, k], values: fold)
        return b.node("MatMul", [flat, m], output: "\(column.name).features")
    }
}
