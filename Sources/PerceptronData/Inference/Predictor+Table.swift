import Foundation
import Perceptron

extension Predictor {
    /// The outputs for raw table rows, through the saved preprocessing
    /// (``Preprocessor/transformFeatures(_:)``, then ``Predictor/outputs(_:batchSize:)``).
    /// - Throws: ``PerceptronError/incompatible(_:)`` when the predictor has no preprocessing;
    ///   the preprocessor's errors for rows it cannot transform.
    public func outputs(table: CSVTable, batchSize: Int? = nil) throws -> Matrix {
        guard let preprocessor else {
            throw PerceptronError.incompatible("the model has no saved preprocessing; pass feature rows to outputs(_:)")
        }
        return try outputs(try preprocessor.transformFeatures(table), batchSize: batchSize)
    }
}
