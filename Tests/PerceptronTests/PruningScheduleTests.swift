import XCTest
@testable import Perceptron

/// Zhu & Gupta's schedule s_t = s_f + (sᵢ − s_f)(1 − (t − t₀)/(nΔt))³, worked by hand.
final class PruningScheduleTests: XCTestCase {
    func testValuesOfTheCubicRamp() throws {
        // sᵢ = 0, s_f = 0.8, t₀ = 10, n = 4, Δt = 5: the ramp ends at t = 30.
        let schedule = try PruningSchedule(initialSparsity: 0, finalSparsity: 0.8, beginStep: 10, pruningSteps: 4, frequency: 5)
        XCTAssertEqual(schedule.endStep, 30)
        // Tolerance 1e-12: the values are a few Double operations from the exact fractions.
        let expected: [(Int, Double)] = [
            (0, 0), (10, 0),
            (15, 0.8 - 0.8 * 0.421875),  // (1 − 5/20)³ = 0.75³ = 0.421875 → 0.4625
            (20, 0.8 - 0.8 * 0.125),     // 0.5³ → 0.7
            (25, 0.8 - 0.8 / 64),        // 0.25³ → 0.7875
            (30, 0.8), (1000, 0.8),
        ]
        for (t, s) in expected { XCTAssertEqual(schedule.sparsity(atStep: t), s, accuracy: 1e-12, "t = \(t)") }
        XCTAssertEqual(schedule.sparsity(atStep: 15), 0.4625, accuracy: 1e-12)
        // Nondecreasing, so weights pruned at one step stay among the smallest at the next.
        let values = (0...40).map(schedule.sparsity(atStep:))
        XCTAssertEqual(values, values.sorted())
    }

    func testPruningStepsAreEveryFrequencyStepsFromBeginToEnd() throws {
        let schedule = try PruningSchedule(initialSparsity: 0.1, finalSparsity: 0.5, beginStep: 10, pruningSteps: 4, frequency: 5)
        XCTAssertEqual((0...40).filter(schedule.isPruningStep), [10, 15, 20, 25, 30])
        XCTAssertEqual(schedule.sparsity(atStep: 3), 0.1)
    }

    func testOneShotAndGradualFactories() throws {
        let once = try PruningSchedule.oneShot(0.9)
        XCTAssertEqual(once.sparsity(atStep: 0), 0.9)
        XCTAssertEqual(once.sparsity(atStep: 7), 0.9)
        // 100 steps: the ramp is 75 steps, Δt = 75 / 20 = 3, n = 25, so s_f at step 75.
        let gradual = try PruningSchedule.gradual(to: 0.9, totalSteps: 100)
        XCTAssertEqual(gradual.frequency, 3)
        XCTAssertEqual(gradual.endStep, 75)
        XCTAssertEqual(gradual.sparsity(atStep: 0), 0)
        XCTAssertEqual(gradual.sparsity(atStep: 75), 0.9)
        XCTAssertEqual(gradual.sparsity(atStep: 99), 0.9)
    }

    func testInvalidSettingsThrow() {
        XCTAssertThrowsError(try PruningSchedule(finalSparsity: 1, pruningSteps: 1))
        XCTAssertThrowsError(try PruningSchedule(finalSparsity: -0.1, pruningSteps: 1))
        XCTAssertThrowsError(try PruningSchedule(initialSparsity: 0.6, finalSparsity: 0.5, pruningSteps: 1))
        XCTAssertThrowsError(try PruningSchedule(finalSparsity: 0.5, pruningSteps: 1, frequency: 0))
        XCTAssertThrowsError(try PruningSchedule(finalSparsity: 0.5, beginStep: -1, pruningSteps: 1))
    }
}
