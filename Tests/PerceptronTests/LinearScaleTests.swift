import XCTest
@testable import Perceptron

/// Axis ticks: steps of 1, 2 or 5 × 10ᵏ, domains widened to whole steps, labels with the
/// decimals the step needs.
final class LinearScaleTests: XCTestCase {
    func testStepIsOneTwoOrFiveTimesAPowerOfTen() {
        XCTAssertEqual(LinearScale.step(span: 1, count: 5), 0.2, accuracy: 1e-12)
        XCTAssertEqual(LinearScale.step(span: 10, count: 5), 2, accuracy: 1e-12)
        XCTAssertEqual(LinearScale.step(span: 0.07, count: 5), 0.02, accuracy: 1e-12)
        XCTAssertEqual(LinearScale.step(span: 230, count: 4), 100, accuracy: 1e-12)  // 57.5 → 100
        XCTAssertEqual(LinearScale.step(span: 1, count: 10), 0.1, accuracy: 1e-12)
    }

    func testNicedDomainStartsAndEndsOnTicks() {
        let scale = LinearScale(domain: (0.13, 9.7), range: (0, 100)).niced(count: 5)
        XCTAssertEqual(scale.domain.lower, 0)
        XCTAssertEqual(scale.domain.upper, 10)
        XCTAssertEqual(scale.ticks(count: 5), [0, 2, 4, 6, 8, 10])
        XCTAssertEqual(scale(5), 50, accuracy: 1e-9)
    }

    func testTicksStayInsideTheDomainAndLabelsHaveTheStepsDecimals() {
        let scale = LinearScale(domain: (-0.33, 0.72), range: (400, 0))
        // Span 1.05: at most 5 intervals needs step 0.5; at most 10 allows 0.2.
        XCTAssertEqual(scale.tickLabels(count: 5).map(\.label), ["0", "0.5"])
        let ticks = scale.tickLabels(count: 10)
        XCTAssertEqual(ticks.map(\.label), ["-0.2", "0", "0.2", "0.4", "0.6"])
        XCTAssertTrue(ticks.allSatisfy { $0.value >= -0.33 && $0.value <= 0.72 })
        // The pixel range runs downward for a y axis: larger values are higher up.
        XCTAssertGreaterThan(scale(0), scale(0.6))
        XCTAssertEqual(LinearScale.label(1_500_000, step: 500_000), "1.5e+06")
        XCTAssertEqual(LinearScale.label(0.25, step: 0.05), "0.25")
    }

    func testAConstantSeriesGetsAWindowAroundIt() {
        let scale = LinearScale(domain: (3, 3), range: (0, 100))
        XCTAssertLessThan(scale.domain.lower, 3)
        XCTAssertGreaterThan(scale.domain.upper, 3)
        XCTAssertEqual(scale(3), 50, accuracy: 1e-9)
        XCTAssertFalse(scale.ticks().isEmpty)
    }
}
