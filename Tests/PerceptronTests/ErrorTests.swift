import XCTest
import Perceptron

/// Every thrown-error path of the core API: shapes, data, labels, hyperparameters.
final class ErrorTests: XCTestCase {
    func model(_ layers: [any Layer] = [Dense(3, activation: .softmax)], loss: Loss? = .sparseCategoricalCrossEntropy) throws -> Sequential {
        let m = try Sequential(inputSize: 2, layers: layers, seed: 1)
        if let loss { try m.compile(loss: loss) }
        return m
    }

    func assertThrows(_ expected: PerceptronError, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual(error as? PerceptronError, expected, file: file, line: line)
            XCTAssertFalse("\(error)".isEmpty)
        }
    }

    func testModelConstruction() {
        assertThrows(.invalidHyperparameter(name: "inputSize", value: "0", expected: "an integer ≥ 1")) {
            _ = try Sequential(inputSize: 0, layers: [Dense(1)])
        }
        assertThrows(.invalidHyperparameter(name: "layers", value: "[]", expected: "at least one layer")) {
            _ = try Sequential(inputSize: 2, layers: [])
        }
        assertThrows(.invalidHyperparameter(name: "Dense units", value: "0", expected: "an integer ≥ 1")) {
            _ = try Sequential(inputSize: 2, layers: [Dense(0)])
        }
        assertThrows(.invalidHyperparameter(name: "Dropout rate", value: "1.0", expected: "a number in [0, 1)")) {
            _ = try Sequential(inputSize: 2, layers: [Dropout(1)])
        }
        assertThrows(.invalidHyperparameter(name: "Dense l2", value: "-1.0", expected: "a finite number ≥ 0")) {
            _ = try Sequential(inputSize: 2, layers: [Dense(1, kernelRegularizer: Regularizer(l2: -1))])
        }
    }

    func testCompileRejectsInvalidHyperparameters() throws {
        let m = try model(loss: nil)
        assertThrows(.invalidHyperparameter(name: "learningRate", value: "-0.1", expected: "a finite number > 0")) {
            try m.compile(loss: .meanSquaredError, optimizer: SGD(learningRate: -0.1))
        }
        assertThrows(.invalidHyperparameter(name: "learningRate", value: "nan", expected: "a finite number > 0")) {
            try m.compile(loss: .meanSquaredError, optimizer: Adam(learningRate: .nan))
        }
        assertThrows(.invalidHyperparameter(name: "beta1", value: "1.0", expected: "a number in [0, 1)")) {
            try m.compile(loss: .meanSquaredError, optimizer: Adam(beta1: 1))
        }
        assertThrows(.invalidHyperparameter(name: "momentum", value: "1.5", expected: "a number in [0, 1)")) {
            try m.compile(loss: .meanSquaredError, optimizer: SGD(momentum: 1.5))
        }
        assertThrows(.invalidHyperparameter(name: "nesterov", value: "true", expected: "momentum > 0 with Nesterov")) {
            try m.compile(loss: .meanSquaredError, optimizer: SGD(nesterov: true))
        }
        assertThrows(.invalidHyperparameter(name: "epsilon", value: "0.0", expected: "a finite number > 0")) {
            try m.compile(loss: .meanSquaredError, optimizer: RMSProp(epsilon: 0))
        }
        assertThrows(.invalidHyperparameter(name: "rho", value: "1.0", expected: "a number in [0, 1)")) {
            try m.compile(loss: .meanSquaredError, optimizer: RMSProp(rho: 1))
        }
        assertThrows(.invalidHyperparameter(name: "initialAccumulator", value: "-1.0", expected: "a finite number ≥ 0")) {
            try m.compile(loss: .meanSquaredError, optimizer: AdaGrad(initialAccumulator: -1))
        }
        assertThrows(.invalidHyperparameter(name: "weightDecay", value: "-0.5", expected: "a finite number ≥ 0")) {
            try m.compile(loss: .meanSquaredError, optimizer: AdamW(weightDecay: -0.5))
        }
        assertThrows(.invalidHyperparameter(name: "clip norm", value: "0.0", expected: "a finite number > 0")) {
            try m.compile(loss: .meanSquaredError, gradientClipping: .byNorm(0))
        }
        assertThrows(.invalidHyperparameter(name: "step schedule 'every'", value: "0", expected: "an integer ≥ 1")) {
            try m.compile(loss: .meanSquaredError, learningRateSchedule: .step(every: 0, factor: 0.5))
        }
        let single = try Sequential(inputSize: 2, layers: [Dense(1, activation: .sigmoid)])
        assertThrows(.incompatible("sparseCategoricalCrossEntropy needs at least 2 outputs, the model has 1")) {
            try single.compile(loss: .sparseCategoricalCrossEntropy)
        }
    }

    func testFitRejectsBadData() throws {
        let m = try model()
        let x = Matrix([[0, 1], [1, 0]]), y = Matrix(column: [0, 2])
        assertThrows(.notCompiled(reason: "call compile(loss:optimizer:) before training or evaluating")) {
            try self.model(loss: nil).fit(x, y)
        }
        assertThrows(.shapeMismatch(what: "rows of x and y", expected: "2 rows in y", got: "1")) {
            try m.fit(x, Matrix(column: [0]))
        }
        assertThrows(.shapeMismatch(what: "feature count of x", expected: "2 columns (the model's input size)", got: "3")) {
            try m.fit(Matrix([[0, 1, 2]]), Matrix(column: [0]))
        }
        assertThrows(.emptyData(what: "x")) { try m.fit(Matrix(rows: 0, columns: 2), Matrix(rows: 0, columns: 1)) }
        assertThrows(.labelOutOfRange(row: 1, label: 3, classCount: 3)) { try m.fit(x, Matrix(column: [0, 3])) }
        assertThrows(.labelOutOfRange(row: 0, label: -1, classCount: 3)) { try m.fit(x, Matrix(column: [-1, 0])) }
        XCTAssertThrowsError(try m.fit(Matrix([[0, .nan], [1, 0]]), y)) { error in
            guard case let .nonFiniteValue(what, row, column, _)? = error as? PerceptronError else { return XCTFail("\(error)") }
            XCTAssertEqual([what, "\(row)", "\(column)"], ["x", "0", "1"])
        }
        XCTAssertThrowsError(try m.fit(Matrix([[0, 1], [.infinity, 0]]), y))
        assertThrows(.invalidHyperparameter(name: "batchSize", value: "0", expected: "an integer ≥ 1")) { try m.fit(x, y, batchSize: 0) }
        assertThrows(.invalidHyperparameter(name: "epochs", value: "-1", expected: "an integer ≥ 0")) { try m.fit(x, y, epochs: -1) }
        assertThrows(.invalidHyperparameter(name: "validationSplit", value: "1.0", expected: "a number in [0, 1)")) {
            try m.fit(x, y, validationSplit: 1)
        }
        assertThrows(.shapeMismatch(what: "rows of validation x and validation y", expected: "1 rows in validation y", got: "2")) {
            try m.fit(x, y, validationData: (Matrix([[0, 1]]), y))
        }
        let oneHot = try model(loss: .categoricalCrossEntropy)
        assertThrows(.shapeMismatch(what: "y columns for categoricalCrossEntropy", expected: "3 (the model's output size)", got: "2")) {
            try oneHot.fit(x, Matrix([[1, 0], [0, 1]]))
        }
    }

    func testPredictAndEvaluateRejectBadData() throws {
        let m = try model()
        assertThrows(.shapeMismatch(what: "feature count of x", expected: "2 columns (the model's input size)", got: "1")) {
            _ = try m.predict(Matrix(column: [1, 2]))
        }
        assertThrows(.emptyData(what: "x")) { _ = try m.predict(Matrix(rows: 0, columns: 2)) }
        XCTAssertThrowsError(try m.predict(Matrix([[.nan, 0]])))
        assertThrows(.invalidHyperparameter(name: "batchSize", value: "0", expected: "an integer ≥ 1")) {
            _ = try m.predict(Matrix([[1, 0]]), batchSize: 0)
        }
        assertThrows(.labelOutOfRange(row: 0, label: 7, classCount: 3)) { _ = try m.evaluate(Matrix([[1, 0]]), Matrix(column: [7])) }
    }

    func testSetWeightsChecksShapes() throws {
        let m = try model()
        assertThrows(.shapeMismatch(what: "weights", expected: "1 layers", got: "2")) { try m.setWeights([[], []]) }
        assertThrows(.shapeMismatch(what: "layer 0 weight", expected: "2×3", got: "3×2")) {
            try m.setWeights([[Matrix(rows: 3, columns: 2), Matrix(rows: 1, columns: 3)]])
        }
        XCTAssertThrowsError(try m.setWeights([[Matrix(rows: 2, columns: 3, repeating: .nan), Matrix(rows: 1, columns: 3)]]))
    }

    func testCallbackAndSettingErrors() {
        assertThrows(.invalidHyperparameter(name: "patience", value: "-1", expected: "an integer ≥ 0")) {
            _ = try EarlyStopping(patience: -1)
        }
        assertThrows(.invalidHyperparameter(name: "threadCount", value: "0", expected: "an integer ≥ 1")) {
            try ComputeSettings.setThreadCount(0)
        }
    }

    func testMessagesNameTheValue() {
        let error = PerceptronError.labelOutOfRange(row: 4, label: 9, classCount: 3)
        XCTAssertEqual(error.description, "Label 9.0 at row 4 is not an integer class in 0..<3")
        XCTAssertEqual(error.localizedDescription, error.description)
    }
}
