import Foundation
import XCTest
@testable import Perceptron
@testable import PerceptronData

/// Header names made unique as pandas' read_csv does (issue 8: `a,a,y` trained both
/// features on the first `a`, scaled by the second's statistics).
final class CSVColumnNamesTests: XCTestCase {
    func testDuplicateNamesGetPandasSuffixesAndANote() throws {
        let table = try CSVTable.parse("a,a,y,a\n1,10,0,5\n2,20,1,6\n", source: "d.csv")
        XCTAssertEqual(table.columnNames, ["a", "a.1", "y", "a.2"])
        XCTAssertEqual(try table.column("a.1"), ["10", "20"])
        XCTAssertTrue(table.notes.contains { $0.contains("\"a\" (column 2) renamed \"a.1\"") }, "\(table.notes)")
    }

    func testSuffixSkipsNamesAlreadyTaken() {
        // pandas 2.2 (C parser): ["a", "a.1", "a"] → ["a", "a.1", "a.2"]; ["b", "b", "b.1"] → ["b", "b.2", "b.1"].
        XCTAssertEqual(ColumnNames.unique(["a", "a.1", "a"]).names, ["a", "a.1", "a.2"])
        XCTAssertEqual(ColumnNames.unique(["b", "b", "b.1"]).names, ["b", "b.2", "b.1"])
    }

    func testEmptyNameIsUnnamedWithItsPosition() throws {
        let table = try CSVTable.parse(",x,\n1,2,3\n")
        XCTAssertEqual(table.columnNames, ["Unnamed: 0", "x", "Unnamed: 2"])
        XCTAssertTrue(table.notes.contains { $0.contains("empty column name") }, "\(table.notes)")
    }

    func testDuplicateFeaturesKeepTheirOwnStatistics() throws {
        // Column a: 1…4 (mean 2.5); its duplicate: 100…400 (mean 250). Before the fix both
        // features read the first a and were scaled with the second's statistics.
        let table = try CSVTable.parse("a,a,y\n1,100,0\n2,200,1\n3,300,0\n4,400,1\n")
        let pre = try Preprocessor.fit(table, options: .init(target: "y"))
        XCTAssertEqual(pre.featureNames, ["a", "a.1"])
        XCTAssertEqual(pre.columns.map(\.shift), [2.5, 250])
        let x = try pre.transformFeatures(table)
        XCTAssertEqual(x.row(0)[0], x.row(0)[1], accuracy: 1e-6)  // both columns standardize to the same values
        XCTAssertEqual(x.row(3)[0], x.row(3)[1], accuracy: 1e-6)
    }
}
