import Foundation
import Perceptron
import PerceptronData
@testable import PerceptronServe
@testable import PerceptronServeRequests
import XCTest

/// The drift baseline `perceptron train` stores: missing shares from the raw training rows.
final class DriftBaselineTests: XCTestCase {
    /// The bundled Titanic table: Age and Embarked have missing fields; the baseline's shares
    /// are the counts of blank fields over the rows, counted here independently.
    func testMissingSharesComeFromTheRawTable() throws {
        let table = try Datasets.titanicTable()
        let preprocessor = try Preprocessor.fit(table, options: .titanic)
        let (x, y) = try preprocessor.transform(table)
        let baseline = try XCTUnwrap(DriftBaseline.fromTraining(preprocessor: preprocessor, features: x,
                                                                classIndices: y!.elements.map { Int($0) },
                                                                classNames: preprocessor.classNames, table: table))
        for column in preprocessor.columns {
            let values = table.columns[try XCTUnwrap(table.columnNames.firstIndex(of: column.name))]
            let blank = values.filter { $0.trimmingCharacters(in: .whitespaces).isEmpty }.count
            XCTAssertEqual(baseline.columns[column.name]?.missing_share, Double(blank) / Double(table.rowCount), column.name)
        }
        XCTAssertGreaterThan(baseline.columns["Age"]?.missing_share ?? 0, 0.1, "Titanic's Age is missing for about a fifth of the rows")
        XCTAssertNotNil(baseline.columns["Sex"]?.distribution)
        // The shares survive the JSON the model file holds.
        XCTAssertEqual(DriftBaseline.decode(baseline.jsonString()), baseline)
    }

    /// A baseline written before missing shares were stored still loads (they are absent).
    func testOlderBaselinesStillDecode() throws {
        let old = #"{"classes":{"0":0.6,"1":0.4},"columns":{"Sex":{"distribution":{"female":0.35,"male":0.65}}},"rows":712}"#
        let baseline = try XCTUnwrap(DriftBaseline.decode(old))
        XCTAssertNil(baseline.columns["Sex"]?.missing_share)
        XCTAssertEqual(baseline.rows, 712)
        // Without the raw table the shares stay absent, as before.
        let table = try Datasets.titanicTable()
        let preprocessor = try Preprocessor.fit(table, options: .titanic)
        let (x, _) = try preprocessor.transform(table)
        let withoutTable = try XCTUnwrap(DriftBaseline.fromTraining(preprocessor: preprocessor, features: x, classIndices: [], classNames: []))
        XCTAssertNil(withoutTable.columns["Age"])
    }
}
