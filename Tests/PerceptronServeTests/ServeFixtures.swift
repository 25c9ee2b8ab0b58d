import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Perceptron
import PerceptronData
@testable import PerceptronServe
@testable import PerceptronServeRequests
import XCTest

/// Small models saved to a temporary folder, and helpers to talk to a server in process.
enum ServeFixtures {
    /// A folder of its own for one test.
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("perceptron-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The bundled Titanic table (seed 001's columns, through its preprocessing).
    static func titanicTable() throws -> CSVTable { try Datasets.titanicTable() }

    /// Seed 001's Titanic network trained for a few epochs (enough to give varied
    /// probabilities; the server's tests check plumbing, not accuracy), saved with its
    /// preprocessing and a drift baseline.
    static func titanicModel(at url: URL, seed: UInt64 = 42, epochs: Int = 3) throws {
        let table = try titanicTable()
        let preprocessor = try Preprocessor.fit(table, options: .titanic)
        let (x, y) = try preprocessor.transform(table)
        let model = try Sequential(inputSize: x.columns, layers: [Dense(15, activation: .relu), Dense(1, activation: .sigmoid)], seed: seed)
        try model.compile(loss: .binaryCrossEntropy, optimizer: Adam(learningRate: 0.02), metrics: [.accuracy])
        _ = try model.fit(x, y!, epochs: epochs, batchSize: 100)
        let baseline = DriftBaseline(rows: table.rowCount,
                                     columns: ["Age": .init(missing_share: 0.2), "Sex": .init(distribution: ["female": 0.35, "male": 0.65])],
                                     classes: ["0": 0.62, "1": 0.38])
        let training = ModelFileMetadata.Training(epochs: epochs, batchSize: 100, seed: seed, completedEpochs: epochs,
                                                  info: ["data": "titanic", DriftBaseline.infoKey: baseline.jsonString(),
                                                         DriftBaseline.metricsKey: #"{"accuracy":0.8}"#])
        try ModelFile.save(model, preprocessor: preprocessor, training: training, to: url)
    }

    /// A 4-feature, 3-class model without preprocessing (feature rows only).
    static func featureModel(at url: URL) throws {
        let model = try Sequential(inputSize: 4, layers: [Dense(8, activation: .tanh), Dense(3, activation: .softmax)], seed: 3)
        try model.compile(loss: .sparseCategoricalCrossEntropy, optimizer: Adam())
        try ModelFile.save(model, to: url)
    }

    /// A 2-feature regression model without preprocessing.
    static func regressionModel(at url: URL) throws {
        let model = try Sequential(inputSize: 2, layers: [Dense(4, activation: .relu), Dense(1)], seed: 5)
        try model.compile(loss: .meanSquaredError, optimizer: Adam())
        try ModelFile.save(model, to: url)
    }

    /// A server over the three models (titanic, iris-like "features", "regression").
    static func server(in folder: URL, maxBatch: Int = 64, maxDelay: Int = 0, maxBody: Int = 64 * 1024, maxRows: Int = 100,
                       readTimeout: Double = 10, watchInterval: Double = 0) throws -> InferenceServer {
        let titanic = folder.appendingPathComponent("titanic.safetensors")
        let features = folder.appendingPathComponent("features.safetensors")
        let regression = folder.appendingPathComponent("regression.safetensors")
        if !FileManager.default.fileExists(atPath: titanic.path) { try titanicModel(at: titanic) }
        if !FileManager.default.fileExists(atPath: features.path) { try featureModel(at: features) }
        if !FileManager.default.fileExists(atPath: regression.path) { try regressionModel(at: regression) }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let options = ServeOptions(models: [("titanic", titanic.path), ("features", features.path), ("regression", regression.path)],
                                   port: 0, maxBatch: maxBatch, maxDelayMicroseconds: maxDelay, maxBody: maxBody, maxRows: maxRows,
                                   readTimeoutSeconds: readTimeout, watchIntervalSeconds: watchInterval)
        return try InferenceServer(options: options, logger: logger)
    }

    /// One Titanic passenger as raw columns.
    static let passenger = #"{"Pclass": 3, "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": "S"}"#

    static func jsonHeaders() -> HTTPFields { [.contentType: "application/json"] }

    static func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
}

extension TestResponse {
    /// The body parsed as JSON (fails the test when it is not).
    func json(file: StaticString = #filePath, line: UInt = #line) throws -> JSONValue {
        do {
            return try JSONParser.parse(Data(body.readableBytesView))
        } catch {
            XCTFail("not JSON: \(String(buffer: body))", file: file, line: line)
            throw error
        }
    }

    var text: String { String(buffer: body) }
}
