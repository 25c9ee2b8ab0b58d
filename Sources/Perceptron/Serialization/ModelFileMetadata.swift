import Foundation

/// What a model file says about its model, stored as JSON strings in the safetensors
/// `__metadata__` map under these keys:
///
/// ```
/// "format"          "perceptron.sequential"
/// "format_version"  "2"            the version of the writer
/// "format_min_reader_version" "2"  the oldest reader version that can read the file (absent
///                                  in format 1: then the format version itself)
/// "architecture"    {"inputSize": 10, "layers": [{"dense": {"units": 15, "activation": "relu", …}}, …],
///                    "loss": "binaryCrossEntropy", "metrics": ["accuracy"]}
/// "training"        {"optimizer": {"adam": {"learningRate": 0.02, …}}, "epochs": 200, "batchSize": 100,
///                    "seed": "42", "completedEpochs": 200, "info": {"dataset": "titanic", …}}
/// "preprocessing"   the Preprocessor's JSON (only for models trained from a table)
/// "optimizer_state" {"step": 1600, "slots": {"m": 4, "v": 4}, "generator": ["…", …]}  (optional)
/// ```
/// **Versions.** A reader of version r reads a file when its `format_min_reader_version`
/// ≤ r, however new its `format_version`: a writer that only adds fields (unknown JSON keys
/// are ignored) keeps the minimum where it was, so older readers go on reading its files.
/// Version 1 (closed-enum layers and optimizers) is read unchanged: version 2 stores the
/// same `{"dense": {…}}` shapes, now open to registered types, plus layer buffers as tensors.
///
/// With an optimizer state, the slot matrices are tensors named `optimizer.<slot>.<index>`
/// (index: the parameter's position counting layer by layer, weight before bias), and
/// `generator` is the model's shuffling/dropout random state (four 64-bit words in hex),
/// so that a loaded model continues training exactly as the saved one would have.
public struct ModelFileMetadata: Sendable, Equatable {
    /// The version this build writes; it reads every file whose minimum reader version is
    /// at most this.
    public static let formatVersion = 2
    /// The oldest reader that can read what this build writes.
    public static let minimumReaderVersion = 2
    /// The versions this build has read since version 1.
    public static let supportedVersions = 1...formatVersion
    /// The value of the "format" key.
    public static let formatName = "perceptron.sequential"

    /// The model's shape and what it was compiled with.
    public struct Architecture: Codable, Sendable, Equatable {
        public var inputSize: Int
        public var layers: [AnyLayerConfiguration]
        /// Nil when the model was never compiled.
        public var loss: Loss?
        public var metrics: [Metric]

        public init(inputSize: Int, layers: [AnyLayerConfiguration], loss: Loss?, metrics: [Metric]) {
            self.inputSize = inputSize
            self.layers = layers
            self.loss = loss
            self.metrics = metrics
        }
    }

    /// How the model was trained (informational, except the optimizer, which is rebuilt).
    public struct Training: Codable, Sendable, Equatable {
        public var optimizer: AnyOptimizerConfiguration?
        public var gradientClipping: GradientClipping?
        public var learningRateSchedule: LearningRateSchedule?
        public var epochs: Int?
        public var batchSize: Int?
        /// The model's seed, as a decimal string (JSON numbers lose 64-bit precision in some readers).
        public var seed: String
        /// Epochs trained so far (where a resumed fit continues from).
        public var completedEpochs: Int
        /// Free-form notes: the data source, the test split, the task, …
        public var info: [String: String]

        public init(optimizer: AnyOptimizerConfiguration? = nil, gradientClipping: GradientClipping? = nil,
                    learningRateSchedule: LearningRateSchedule? = nil, epochs: Int? = nil, batchSize: Int? = nil,
                    seed: UInt64, completedEpochs: Int = 0, info: [String: String] = [:]) {
            self.optimizer = optimizer
            self.gradientClipping = gradientClipping
            self.learningRateSchedule = learningRateSchedule
            self.epochs = epochs
            self.batchSize = batchSize
            self.seed = String(seed)
            self.completedEpochs = completedEpochs
            self.info = info
        }
    }

    /// The optimizer's step and slot counts, and the model's random state.
    public struct OptimizerStateInfo: Codable, Sendable, Equatable {
        public var step: Int
        /// Slot name → number of matrices (one per parameter, or fewer if created lazily).
        public var slots: [String: Int]
        /// The model's random generator state, four words in hex.
        public var generator: [String]?
    }

    public var formatVersion: Int
    public var architecture: Architecture
    public var training: Training
    public var preprocessor: Preprocessor?
    public var optimizerState: OptimizerStateInfo?
}

extension ModelFileMetadata {
    enum Key {
        static let format = "format"
        static let version = "format_version"
        static let minimumReaderVersion = "format_min_reader_version"
        static let architecture = "architecture"
        static let training = "training"
        static let preprocessing = "preprocessing"
        static let optimizerState = "optimizer_state"
    }

    /// The string map written to `__metadata__`.
    func encoded() throws -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ value: T) throws -> String {
            do {
                return String(decoding: try encoder.encode(value), as: UTF8.self)
            } catch EncodingError.invalidValue(_, let context) {
                // An unregistered layer, optimizer or activation: the file could not be loaded back.
                throw PerceptronError.incompatible("cannot save the model: \(context.debugDescription)")
            }
        }
        var map = [Key.format: Self.formatName, Key.version: String(formatVersion),
                   Key.minimumReaderVersion: String(Self.minimumReaderVersion),
                   Key.architecture: try json(architecture), Key.training: try json(training)]
        if let preprocessor { map[Key.preprocessing] = try json(preprocessor) }
        if let optimizerState { map[Key.optimizerState] = try json(optimizerState) }
        return map
    }

    /// Parses and checks the map read from `__metadata__`.
    /// - Throws: ``ModelFileError`` naming `file` and the bad key.
    static func decode(_ map: [String: String], file: String) throws -> ModelFileMetadata {
        guard let version = map[Key.version] else {
            throw ModelFileError.missingMetadata(file: file, key: Key.version)
        }
        guard let number = Int(version), number >= 1 else {
            throw ModelFileError.unsupportedVersion(file: file, version: version, supported: formatVersion)
        }
        // A newer writer's file is readable when it says this reader is recent enough.
        let minimumReader = map[Key.minimumReaderVersion].map { Int($0) } ?? number
        guard let minimumReader, minimumReader >= 1, minimumReader <= formatVersion else {
            let shown = number > formatVersion ? version : (map[Key.minimumReaderVersion] ?? version)
            throw ModelFileError.unsupportedVersion(file: file, version: shown, supported: formatVersion)
        }
        if let format = map[Key.format], format != formatName {
            throw ModelFileError.invalidMetadata(file: file, key: Key.format, reason: "\"\(format)\", expected \"\(formatName)\"")
        }
        func value<T: Decodable>(_ type: T.Type, _ key: String, required: Bool) throws -> T? {
            guard let text = map[key] else {
                if required { throw ModelFileError.missingMetadata(file: file, key: key) }
                return nil
            }
            do {
                return try JSONDecoder().decode(T.self, from: Data(text.utf8))
            } catch let error as DecodingError {
                throw ModelFileError.invalidMetadata(file: file, key: key, reason: describe(error))
            }
        }
        let architecture = try value(Architecture.self, Key.architecture, required: true)!
        let training = try value(Training.self, Key.training, required: true)!
        guard UInt64(training.seed) != nil else {
            throw ModelFileError.invalidMetadata(file: file, key: Key.training, reason: "seed \"\(training.seed)\" is not a 64-bit unsigned integer")
        }
        return ModelFileMetadata(formatVersion: number, architecture: architecture, training: training,
                                 preprocessor: try value(Preprocessor.self, Key.preprocessing, required: false),
                                 optimizerState: try value(OptimizerStateInfo.self, Key.optimizerState, required: false))
    }

    /// A one-line reason from a decoding error.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let p = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "" : " at \(p)"
        }
        switch error {
        case let .dataCorrupted(context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\(context.debugDescription)\(path(context))"
        case let .keyNotFound(key, context):
            return "missing \"\(key.stringValue)\"\(path(context))"
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return "\(context.debugDescription)\(path(context))"
        @unknown default:
            return "\(error)"
        }
    }
}
