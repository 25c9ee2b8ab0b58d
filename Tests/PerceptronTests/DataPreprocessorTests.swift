import Foundation
import XCTest
@testable import Perceptron
@testable import PerceptronData

final class DataPreprocessorTests: XCTestCase {
    // Train: ages 20, 30, (missing), 50 → median 30; imputed column 20, 30, 30, 50:
    // mean 32.5, population std √(118.75) ≈ 10.90.
    let train = """
        age,color,label
        20,red,yes
        30,blue,no
        ,red,yes
        50,,no
        """
    let test = """
        age,color,label
        40,green,no
        ,blue,yes
        """

    func testFittedOnTrainReplayedOnTestWithUnseenCategory() throws {
        let pre = try Preprocessor.fit(try CSVTable.parse(train, source: "train.csv"),
                                       options: .init(target: "label"))
        XCTAssertEqual(pre.featureNames, ["age", "color=blue", "color=red"])
        XCTAssertEqual(pre.classNames, ["no", "yes"])
        XCTAssertEqual(pre.task, .classification)
        let age = pre.columns[0]
        XCTAssertEqual(age.fillValue, 30)
        XCTAssertEqual(age.shift, 32.5, accuracy: 1e-12)
        XCTAssertEqual(age.scale, 118.75.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(pre.columns[1].mostFrequent, "red")

        let (x, y) = try pre.transform(try CSVTable.parse(test, source: "test.csv"))
        // Row 1: age 40 → (40 − 32.5)/10.90; "green" unseen → all zeros.
        XCTAssertEqual(x[0, 0], Float(7.5 / 118.75.squareRoot()), accuracy: 1e-6)
        XCTAssertEqual(Array(x.row(0)[1...]), [0, 0])
        // Row 2: missing age → training median 30, not the test rows' median.
        XCTAssertEqual(x[1, 0], Float(-2.5 / 118.75.squareRoot()), accuracy: 1e-6)
        XCTAssertEqual(Array(x.row(1)[1...]), [1, 0])
        XCTAssertEqual(y, Matrix(column: [0, 1]))
        XCTAssertEqual(pre.decodeClasses([1, 0]), ["yes", "no"])
    }

    func testMinMaxAndMissingCategoryTakesMostFrequent() throws {
        let pre = try Preprocessor.fit(try CSVTable.parse(train),
                                       options: .init(target: "label", roles: ["age": .numeric(.minMax)]))
        let x = try pre.transformFeatures(try CSVTable.parse(train))
        XCTAssertEqual(x.nestedRows.map { $0[0] }, [0, 1.0 / 3, 1.0 / 3, 1])
        XCTAssertEqual(x.row(3), [1, 0, 1])  // color missing → "red"
    }

    func testNumericClassesAndRegression() throws {
        let table = try CSVTable.parse("x,y\n1,2\n2,0\n3,2\n4,1\n")
        let classes = try Preprocessor.fit(table, options: .init(target: "y"))
        XCTAssertEqual(classes.classNames, ["0", "1", "2"])
        XCTAssertEqual(try classes.transformTarget(table), Matrix(column: [2, 0, 2, 1]))

        let regression = try Preprocessor.fit(table, options: .init(target: "y", task: .regression, standardizeTarget: true))
        let y = try regression.transformTarget(table)
        XCTAssertEqual(regression.target!.shift, 1.25, accuracy: 1e-12)
        let back = regression.inverseTransformTarget(y)
        for (a, b) in zip(back.elements, [Float(2), 0, 2, 1]) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        // Non-integer numbers choose regression automatically.
        let auto = try Preprocessor.fit(try CSVTable.parse("x,y\n1,2.5\n2,0.1\n"), options: .init(target: "y"))
        XCTAssertEqual(auto.task, .regression)
    }

    func testAutomaticRolesIgnoreIdentifiersAndFreeText() throws {
        var lines = ["PassengerId,Name,Sex,Fare,Survived"]
        for i in 1...30 { lines.append("\(i),\"Person \(i), Mr\",\(i % 2 == 0 ? "male" : "female"),\(Double(i) * 1.5),\(i % 2)") }
        let pre = try Preprocessor.fit(try CSVTable.parse(lines.joined(separator: "\n")),
                                       options: .init(target: "Survived"))
        XCTAssertEqual(pre.featureNames, ["Sex=female", "Sex=male", "Fare"])
        XCTAssertEqual(pre.columns.map(\.role), [.ignored, .ignored, .categorical, .numeric(.standardize)])
        XCTAssertTrue(pre.notes.contains { $0.hasPrefix("PassengerId: ignored") && $0.contains("identifier") })
        XCTAssertTrue(pre.notes.contains { $0.hasPrefix("Name: ignored") && $0.contains("30 distinct") })
        // Overridable per column.
        let forced = try Preprocessor.fit(try CSVTable.parse(lines.joined(separator: "\n")),
                                          options: .init(target: "Survived", roles: ["PassengerId": .numeric(.none)]))
        XCTAssertEqual(forced.featureNames.first, "PassengerId")
    }

    func testTextInNumericColumnNamesFileRowColumnValue() throws {
        let table = try CSVTable.parse("a,b\n1,x\n2,oops\n", source: "f.csv")
        XCTAssertThrowsError(try Preprocessor.fit(table, options: .init(roles: ["b": .numeric(.standardize)]))) { error in
            XCTAssertEqual(error as? DataError, .nonNumericValue(file: "f.csv", row: 2, column: "b", value: "x"))
        }
        let pre = try Preprocessor.fit(try CSVTable.parse("a\n1\n2\n"))
        XCTAssertThrowsError(try pre.transformFeatures(try CSVTable.parse("a\n3\nabc\n", source: "g.csv"))) { error in
            XCTAssertEqual(error as? DataError, .nonNumericValue(file: "g.csv", row: 3, column: "a", value: "abc"))
        }
    }

    func testTargetErrors() throws {
        let pre = try Preprocessor.fit(try CSVTable.parse("a,t\n1,x\n2,y\n"), options: .init(target: "t"))
        XCTAssertThrowsError(try pre.transformTarget(try CSVTable.parse("a,t\n1,z\n", source: "p.csv"))) { error in
            XCTAssertEqual(error as? DataError, .unknownClass(file: "p.csv", row: 2, column: "t", value: "z", known: ["x", "y"]))
        }
        XCTAssertThrowsError(try Preprocessor.fit(try CSVTable.parse("a,t\n1,\n", source: "m.csv"), options: .init(target: "t"))) { error in
            XCTAssertEqual(error as? DataError, .missingTarget(file: "m.csv", row: 2, column: "t"))
        }
        XCTAssertThrowsError(try pre.transformFeatures(try CSVTable.parse("b\n1\n", source: "q.csv"))) { error in
            XCTAssertEqual(error as? DataError, .unknownColumn(file: "q.csv", column: "a", available: ["b"]))
        }
    }

    func testCodableRoundTrip() throws {
        let pre = try Preprocessor.fit(try CSVTable.parse(train), options: .init(target: "label"))
        let json = try JSONEncoder().encode(pre)
        let back = try JSONDecoder().decode(Preprocessor.self, from: json)
        XCTAssertEqual(back, pre)
        XCTAssertEqual(try Preprocessor(jsonString: try pre.jsonString()), pre)
        XCTAssertTrue(try pre.jsonString().contains("\"role\":\"numeric\""))
        XCTAssertEqual(ColumnRole(string: "numeric:minMax"), .numeric(.minMax))
        XCTAssertNil(ColumnRole(string: "numeric:log"))
        XCTAssertEqual(try JSONDecoder().decode([ColumnRole].self, from: Data(#"["ignored","numeric:none","target"]"#.utf8)),
                       [.ignored, .numeric(.none), .target])
        XCTAssertEqual(try back.transformFeatures(try CSVTable.parse(test)), try pre.transformFeatures(try CSVTable.parse(test)))
    }

    func testTitanicOptionsOnBundledData() throws {
        let table = try Datasets.titanicTable()
        XCTAssertEqual(table.rowCount, 891)
        let pre = try Preprocessor.fit(table, options: .titanic)
        XCTAssertEqual(pre.featureNames, ["Pclass", "Sex=female", "Sex=male", "Age", "SibSp", "Parch", "Fare",
                                          "Embarked=C", "Embarked=Q", "Embarked=S"])
        XCTAssertEqual(pre.columns.first { $0.name == "Age" }?.fillValue, 28)  // median age
        XCTAssertEqual(pre.columns.first { $0.name == "Embarked" }?.mostFrequent, "S")
        let (x, y) = try pre.transform(table)
        XCTAssertEqual(x.rows, 891)
        XCTAssertEqual(x.columns, 10)
        XCTAssertTrue(x.isFinite)
        XCTAssertEqual(y!.elements.reduce(0, +), 342)  // survivors
    }
}
