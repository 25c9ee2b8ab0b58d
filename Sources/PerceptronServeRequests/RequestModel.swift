import Perceptron

/// What decoding a predict request and writing its predictions need of a model: its
/// name and version (echoed in the response), the predictor, and the preprocessing with
/// the input schema built from it once. `perceptron serve` builds one per loaded model
/// file; the request-body fuzz target builds one in memory.
public struct RequestModel: Sendable {
    public let name: String
    /// The file's content version (the first 12 hex digits of its SHA-256 in the server).
    public let version: String
    public let predictor: Predictor
    public let preprocessor: Preprocessor?
    /// Named raw columns, when the model has its preprocessing; nil for feature rows only.
    package let schema: InputSchema?

    public init(name: String, version: String, predictor: Predictor, preprocessor: Preprocessor?) {
        self.name = name
        self.version = version
        self.predictor = predictor
        self.preprocessor = preprocessor
        schema = preprocessor.map(InputSchema.init(preprocessor:))
    }
}
