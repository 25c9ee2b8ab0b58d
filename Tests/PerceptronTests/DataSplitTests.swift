import Foundation
import XCTest
@testable import Perceptron
@testable import PerceptronData

final class DataSplitTests: XCTestCase {
    func testStratifiedTrainTestKeepsClassShares() throws {
        // 80 of class 0, 20 of class 1: a 25% test split holds 20 and 5.
        let labels = Array(repeating: 0, count: 80) + Array(repeating: 1, count: 20)
        let fold = try Splits.trainTest(count: 100, testFraction: 0.25, labels: labels, seed: 1)
        XCTAssertEqual(fold.test.count, 25)
        XCTAssertEqual(fold.test.filter { labels[$0] == 1 }.count, 5)
        XCTAssertEqual(Set(fold.train + fold.test), Set(0..<100))
        XCTAssertEqual(fold.train.count + fold.test.count, 100)
        XCTAssertEqual(try Splits.trainTest(count: 100, testFraction: 0.25, labels: labels, seed: 1), fold)
        XCTAssertNotEqual(try Splits.trainTest(count: 100, testFraction: 0.25, labels: labels, seed: 2), fold)
    }

    func testPlainSplitAndErrors() throws {
        let fold = try Splits.trainTest(count: 10, testFraction: 0.2)
        XCTAssertEqual(fold.test.count, 2)
        XCTAssertEqual(Set(fold.train + fold.test), Set(0..<10))
        XCTAssertThrowsError(try Splits.trainTest(count: 10, testFraction: 1))
        XCTAssertThrowsError(try Splits.trainTest(count: 1, testFraction: 0.5))
        XCTAssertThrowsError(try Splits.trainTest(count: 3, labels: [0, 1]))
    }

    func testKFoldPartitionsRows() throws {
        let folds = try Splits.kFold(count: 11, folds: 3, shuffle: false)
        XCTAssertEqual(folds.map(\.test), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10]])
        XCTAssertEqual(folds[1].train, [0, 1, 2, 3, 8, 9, 10])
        let shuffled = try Splits.kFold(count: 11, folds: 3, seed: 4)
        XCTAssertEqual(shuffled.flatMap(\.test).sorted(), Array(0..<11))
        XCTAssertThrowsError(try Splits.kFold(count: 3, folds: 4))
        XCTAssertThrowsError(try Splits.kFold(count: 3, folds: 1))
    }

    func testStratifiedKFoldBalancesClasses() throws {
        let labels = Array(repeating: 0, count: 30) + Array(repeating: 1, count: 15) + Array(repeating: 2, count: 5)
        let folds = try Splits.stratifiedKFold(labels: labels, folds: 5, seed: 3)
        XCTAssertEqual(folds.flatMap(\.test).sorted(), Array(0..<50))
        for fold in folds {
            XCTAssertEqual(fold.test.count, 10)
            XCTAssertEqual((0..<3).map { c in fold.test.filter { labels[$0] == c }.count }, [6, 3, 1])
            XCTAssertEqual(Set(fold.train).intersection(fold.test), [])
        }
    }

    func testDatasetSplit() throws {
        let iris = try Datasets.load("iris")
        let (train, test) = try iris.trainTestSplit(testFraction: 0.2, seed: 42)
        XCTAssertEqual(test.count, 30)
        XCTAssertEqual(train.count, 120)
        XCTAssertEqual((0..<3).map { c in test.classIndices.filter { $0 == c }.count }, [10, 10, 10])
    }
}
