import Foundation
import XCTest
@testable import Perceptron
@testable import PerceptronData

final class DataBundledTests: XCTestCase {
    func testCatalogCoversBundledAndMNIST() throws {
        XCTAssertEqual(Datasets.list.map(\.name), ["titanic", "iris", "wine", "breast_cancer", "digits", "diabetes", "mnist"])
        XCTAssertThrowsError(try Datasets.info("nope")) { error in
            guard case .unknownDataset(name: "nope", _)? = error as? DataError else { return XCTFail("\(error)") }
        }
    }

    func testScikitLearnOddHeaderHandled() throws {
        let iris = try Datasets.load("iris")
        XCTAssertEqual(iris.features.rows, 150)
        XCTAssertEqual(iris.features.columns, 4)
        XCTAssertEqual(iris.features.row(0), [5.1, 3.5, 1.4, 0.2])
        XCTAssertEqual(iris.classNames, ["setosa", "versicolor", "virginica"])
        XCTAssertEqual(iris.featureNames.first, "sepal length (cm)")
        XCTAssertEqual((0..<3).map { c in iris.classIndices.filter { $0 == c }.count }, [50, 50, 50])

        let wine = try Datasets.load("wine")
        XCTAssertEqual([wine.features.rows, wine.features.columns], [178, 13])
        XCTAssertEqual((0..<3).map { c in wine.classIndices.filter { $0 == c }.count }, [59, 71, 48])

        let cancer = try Datasets.load("breast_cancer")
        XCTAssertEqual([cancer.features.rows, cancer.features.columns], [569, 30])
        XCTAssertEqual(cancer.classIndices.filter { $0 == 0 }.count, 212)
        XCTAssertEqual(cancer.featureNames[10], "radius error")
        XCTAssertEqual(try Datasets.table("breast_cancer").lineNumbers.first, 2)
    }

    func testDigitsAndDiabetes() throws {
        let digits = try Datasets.load("digits")
        XCTAssertEqual([digits.features.rows, digits.features.columns], [1797, 64])
        XCTAssertEqual(digits.features.elements.max(), 16)
        XCTAssertEqual(Set(digits.classIndices), Set(0...9))
        let diabetes = try Datasets.load("diabetes")
        XCTAssertEqual([diabetes.features.rows, diabetes.features.columns], [442, 10])
        XCTAssertEqual(diabetes.task, .regression)
        XCTAssertEqual(diabetes.targets[0, 0], 151)
        XCTAssertEqual(diabetes.features.row(0)[0], 59)
    }

    func testTitanicLoad() throws {
        let titanic = try Datasets.load("titanic")
        XCTAssertEqual([titanic.features.rows, titanic.features.columns], [891, 10])
        XCTAssertEqual(titanic.classNames, ["0", "1"])
        XCTAssertEqual(try Datasets.titanicTable().column("Name")[0], "Braund, Mr. Owen Harris")
    }
}
