import XCTest
import Perceptron

final class InitializerTests: XCTestCase {
    /// Sample mean and variance of 200×300 = 60,000 draws match each distribution: the
    /// standard error of the variance estimate is about σ²·√(2/n) ≈ 0.6% of σ², so 5% is safe.
    func testMomentsMatchTheirDistributions() {
        let (fanIn, fanOut) = (200, 300)
        let expectedVariance: [(Initializer, Double)] = [
            (.glorotNormal, 2.0 / 500), (.glorotUniform, 2.0 / 500), (.heNormal, 2.0 / 200), (.heUniform, 2.0 / 200),
            (.lecunNormal, 1.0 / 200), (.lecunUniform, 1.0 / 200),
        ]
        for (initializer, variance) in expectedVariance {
            var g = SeededGenerator(seed: 1)
            let w = initializer.make(fanIn: fanIn, fanOut: fanOut, generator: &g)
            let values = w.elements.map(Double.init)
            let mean = values.reduce(0, +) / Double(values.count)
            let sampleVariance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
            XCTAssertEqual(mean, 0, accuracy: 0.05 * variance.squareRoot(), "\(initializer)")
            XCTAssertEqual(sampleVariance, variance, accuracy: 0.05 * variance, "\(initializer)")
        }
        var g = SeededGenerator(seed: 1)
        XCTAssertTrue(Initializer.glorotUniform.make(fanIn: 2, fanOut: 3, generator: &g).elements.allSatisfy { abs($0) <= (6.0 / 5).squareRoot() })
        XCTAssertEqual(Initializer.zeros.make(fanIn: 2, fanOut: 2, generator: &g).elements, [0, 0, 0, 0])
        XCTAssertEqual(Initializer.constant(0.5).make(fanIn: 1, fanOut: 2, generator: &g).elements, [0.5, 0.5])
    }
}
