import Foundation
import XCTest
@testable import Perceptron
@testable import PerceptronData

final class DataGeneratorTests: XCTestCase {
    func testSameSeedSameDataDifferentSeedDifferentData() throws {
        XCTAssertEqual(try Generators.moons(seed: 7), try Generators.moons(seed: 7))
        XCTAssertNotEqual(try Generators.moons(noise: 0.1, seed: 7).features, try Generators.moons(noise: 0.1, seed: 8).features)
        // Fixed first values pin the generator across runs and machines (SplitMix64, seed 0).
        var rng = DataRandom(seed: 0)
        XCTAssertEqual(rng.next(), 0xE220_A839_7B1D_CDAF)
    }

    func testRedBlueClustersMatchSeed004() throws {
        let data = try Generators.redBlueClusters(seed: 1)
        XCTAssertEqual(data.count, 100)
        XCTAssertEqual(data.classNames, ["blue", "red"])
        let centres: [(Float, Float)] = [(0, 1), (1, 0), (0, 0), (1, 1)]
        for (k, centre) in centres.enumerated() {
            let rows = (25 * k)..<(25 * (k + 1))
            let mx = rows.map { data.features[$0, 0] }.reduce(0, +) / 25
            let my = rows.map { data.features[$0, 1] }.reduce(0, +) / 25
            XCTAssertEqual(mx, centre.0, accuracy: 0.15)  // σ/√25 = 0.04
            XCTAssertEqual(my, centre.1, accuracy: 0.15)
            XCTAssertEqual(Set(rows.map { data.classIndices[$0] }), [k < 2 ? 0 : 1])
        }
    }

    func testXORMoonsCirclesShapesAndLabels() throws {
        let xor = try Generators.xor(samples: 100, seed: 3)
        for i in 0..<100 {
            assertLabel(xor, row: i, (xor.features[i, 0] > 0) != (xor.features[i, 1] > 0) ? 1 : 0)
        }
        let moons = try Generators.moons(samples: 101)
        XCTAssertEqual(moons.classIndices.filter { $0 == 1 }.count, 51)
        let circles = try Generators.circles(samples: 60, factor: 0.5)
        for i in 0..<60 {
            let r = (circles.features[i, 0] * circles.features[i, 0] + circles.features[i, 1] * circles.features[i, 1]).squareRoot()
            XCTAssertEqual(r, circles.classIndices[i] == 0 ? 1 : 0.5, accuracy: 1e-5)
        }
    }

    func testMakeClassification() throws {
        let data = try Generators.makeClassification(samples: 120, features: 5, informative: 3, classes: 3,
                                                     clustersPerClass: 2, seed: 9)
        XCTAssertEqual([data.features.rows, data.features.columns], [120, 5])
        XCTAssertEqual((0..<3).map { c in data.classIndices.filter { $0 == c }.count }, [40, 40, 40])
        XCTAssertThrowsError(try Generators.makeClassification(informative: 2, classes: 3, clustersPerClass: 2))
        XCTAssertThrowsError(try Generators.makeClassification(features: 2, informative: 3))
    }

    func testBlobsAndLinearRegression() throws {
        let blobs = try Generators.blobs(centers: [[0, 0], [10, 10]], samplesPerCenter: 20, std: 0.5, seed: 2)
        for i in 0..<40 { XCTAssertEqual(blobs.features[i, 0] > 5 ? 1 : 0, blobs.classIndices[i]) }
        let line = try Generators.linearRegression(samples: 200, seed: 4)
        XCTAssertEqual(line.task, .regression)
        for i in 0..<200 {
            let residual = Double(line.targets[i, 0]) - (1837.5 * Double(line.features[i, 0]) + 14376.52)
            XCTAssertGreaterThanOrEqual(residual, -0.01 * 14376)
            XCTAssertLessThanOrEqual(residual, 10000 + 0.01 * 14376)  // float rounding of y ≈ 2·10⁵
        }
        XCTAssertEqual(try Generators.named("blobs", seed: 5), try Generators.redBlueClusters(seed: 5))
        XCTAssertThrowsError(try Generators.named("spirals"))
    }

    private func assertLabel(_ data: Dataset, row: Int, _ label: Int, line: UInt = #line) {
        XCTAssertEqual(data.classIndices[row], label, "row \(row)", line: line)
    }
}
