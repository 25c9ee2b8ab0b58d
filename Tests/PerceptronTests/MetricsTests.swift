import Foundation
import XCTest
@testable import Perceptron

/// Checks every metric against scikit-learn 1.5.2's numbers in Fixtures/metrics/metrics.json
/// (made by make_metrics.py beside it).
final class MetricsTests: XCTestCase {
    struct Fixture: Decodable {
        struct Classification: Decodable {
            let name: String
            let actual: [Int], predicted: [Int]
            let class_count: Int, class_names: [String], digits: Int
            let accuracy: Double
            let confusion: [[Int]]
            let precision: [Double], recall: [Double], f1: [Double], support: [Int]
            let report: String
            let precision_macro: Double, recall_macro: Double, f1_macro: Double
            let precision_weighted: Double, recall_weighted: Double, f1_weighted: Double
            let precision_micro: Double, recall_micro: Double, f1_micro: Double
            let precision_binary: Double?, recall_binary: Double?, f1_binary: Double?
            let probabilities: [[Double]]?, log_loss: Double?
            let scores: [Double]?, roc_auc: Double?
        }
        struct Regression: Decodable {
            let name: String, actual: [Double], predicted: [Double]
            let mse: Double, mae: Double, rmse: Double, r2: Double
        }
        let classification: [Classification]
        let regression: [Regression]
    }

    func fixture() throws -> Fixture {
        try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: fixtureURL("metrics/metrics.json")))
    }

    func testClassificationMetricsMatchScikitLearn() throws {
        for c in try fixture().classification {
            let scores = try ClassificationScores(actual: c.actual, predicted: c.predicted, classCount: c.class_count)
            XCTAssertEqual(scores.confusion.counts, c.confusion, c.name)
            XCTAssertEqual(try Metrics.accuracy(actual: c.actual, predicted: c.predicted), c.accuracy, accuracy: 1e-12, c.name)
            XCTAssertEqual(scores.support, c.support, c.name)
            for (ours, theirs) in [(scores.precision, c.precision), (scores.recall, c.recall), (scores.f1, c.f1)] {
                for (a, b) in zip(ours, theirs) { XCTAssertEqual(a, b, accuracy: 1e-12, c.name) }
            }
            let averaged: [(Double, Double)] = [
                (scores.precision(.macro), c.precision_macro), (scores.recall(.macro), c.recall_macro),
                (scores.f1(.macro), c.f1_macro), (scores.precision(.weighted), c.precision_weighted),
                (scores.recall(.weighted), c.recall_weighted), (scores.f1(.weighted), c.f1_weighted),
                (scores.precision(.micro), c.precision_micro), (scores.recall(.micro), c.recall_micro),
                (scores.f1(.micro), c.f1_micro),
            ]
            for (a, b) in averaged { XCTAssertEqual(a, b, accuracy: 1e-12, c.name) }
            if let p = c.precision_binary, let r = c.recall_binary, let f = c.f1_binary {
                XCTAssertEqual(try Metrics.precision(actual: c.actual, predicted: c.predicted, average: .binary(positiveClass: 1)), p, accuracy: 1e-12)
                XCTAssertEqual(try Metrics.recall(actual: c.actual, predicted: c.predicted, average: .binary(positiveClass: 1)), r, accuracy: 1e-12)
                XCTAssertEqual(try Metrics.f1(actual: c.actual, predicted: c.predicted, average: .binary(positiveClass: 1)), f, accuracy: 1e-12)
            }
            XCTAssertEqual(scores.report(classNames: c.class_names, digits: c.digits), c.report, c.name)
        }
    }

    func testLogLossAndROCAUCMatchScikitLearn() throws {
        for c in try fixture().classification {
            if let probabilities = c.probabilities, let expected = c.log_loss {
                let matrix = Matrix(probabilities.map { $0.map(Float.init) })
                // scikit-learn sums in float32 here; 1e-6 relative covers its rounding.
                XCTAssertEqual(try Metrics.logLoss(actual: c.actual, probabilities: matrix), expected,
                               accuracy: 1e-6 * expected, c.name)
            }
            if let scores = c.scores, let expected = c.roc_auc {
                XCTAssertEqual(try Metrics.rocAUC(actual: c.actual, scores: scores), expected, accuracy: 1e-12, c.name)
                let column = Matrix(column: scores.map(Float.init))
                XCTAssertEqual(try Metrics.rocAUC(actual: c.actual, probabilities: column), expected, accuracy: 1e-12)
            }
        }
    }

    func testRegressionMetricsMatchScikitLearn() throws {
        for r in try fixture().regression {
            XCTAssertEqual(try Metrics.meanSquaredError(actual: r.actual, predicted: r.predicted), r.mse, accuracy: 1e-12, r.name)
            XCTAssertEqual(try Metrics.meanAbsoluteError(actual: r.actual, predicted: r.predicted), r.mae, accuracy: 1e-12, r.name)
            XCTAssertEqual(try Metrics.rootMeanSquaredError(actual: r.actual, predicted: r.predicted), r.rmse, accuracy: 1e-12, r.name)
            XCTAssertEqual(try Metrics.r2(actual: r.actual, predicted: r.predicted), r.r2, accuracy: 1e-12, r.name)
        }
        let m = try Metrics.regressionMetrics(actual: Matrix(column: [1, 2, 3]), predicted: Matrix(column: [1, 2, 4]))
        XCTAssertEqual(m.mse, 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(m.r2, 0.5, accuracy: 1e-12)  // 1 − 1/2
    }

    func testROCAUCTiesByHand() throws {
        // One positive and one negative tied: half credit. Scores 0.9(+), 0.5(+), 0.5(−), 0.1(−):
        // pairs (+,−): (0.9,0.5) 1, (0.9,0.1) 1, (0.5,0.5) ½, (0.5,0.1) 1 → 3.5 / 4.
        XCTAssertEqual(try Metrics.rocAUC(actual: [1, 0], scores: [0.3, 0.3]), 0.5)
        XCTAssertEqual(try Metrics.rocAUC(actual: [1, 1, 0, 0], scores: [0.9, 0.5, 0.5, 0.1]), 0.875)
        XCTAssertThrowsError(try Metrics.rocAUC(actual: [1, 1], scores: [0.2, 0.3]))
        XCTAssertThrowsError(try Metrics.rocAUC(actual: [1, 2], scores: [0.2, 0.3]))
    }

    func testLogLossClipsAndErrors() throws {
        // A certain wrong answer costs −ln(2⁻²³) = 23·ln 2 ≈ 15.94, not ∞.
        XCTAssertEqual(try Metrics.logLoss(actual: [1], probabilities: Matrix([[1, 0]])), 23 * log(2.0), accuracy: 1e-6)
        XCTAssertEqual(try Metrics.logLoss(actual: [0, 1], probabilities: Matrix(column: [0.25, 0.75])), -log(0.75), accuracy: 1e-7)
        XCTAssertThrowsError(try Metrics.logLoss(actual: [3], probabilities: Matrix([[0.5, 0.5]])))
        XCTAssertThrowsError(try Metrics.logLoss(actual: [0, 1], probabilities: Matrix([[0.5, 0.5]])))
    }

    func testInputErrorsAndHelpers() throws {
        XCTAssertThrowsError(try Metrics.accuracy(actual: [0, 1], predicted: [0])) { error in
            guard case .shapeMismatch? = error as? PerceptronError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try Metrics.accuracy(actual: [], predicted: []))
        XCTAssertThrowsError(try ConfusionMatrix(actual: [0, 5], predicted: [0, 1], classCount: 2)) { error in
            XCTAssertEqual(error as? PerceptronError, .labelOutOfRange(row: 1, label: 5, classCount: 2))
        }
        XCTAssertEqual(Metrics.classIndices(from: Matrix([[0.1, 0.7, 0.2], [0.5, 0.5, 0]])), [1, 0])
        XCTAssertEqual(Metrics.classIndices(from: Matrix(column: [0.2, 0.5, 0.9])), [0, 1, 1])
        let (mean, std) = Metrics.meanAndStd([1, 2, 3, 4])
        XCTAssertEqual(mean, 2.5)
        XCTAssertEqual(std, 1.25.squareRoot(), accuracy: 1e-12)
        let confusion = try ConfusionMatrix(actual: [0, 1, 1], predicted: [0, 1, 0])
        XCTAssertEqual(confusion.formatted(classNames: ["no", "yes"]),
                       "actual \\ predicted  no yes\n                no   1   0\n               yes   1   1")
    }
}
