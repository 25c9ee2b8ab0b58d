import Foundation
import XCTest

/// Reading CSV files through the built `perceptron`: --delimiter and sniffing, --na-values,
/// renamed duplicate columns, the column roles table, and non-finite values (issues 8, 13).
extension EndToEndTests {
    /// 40 rows: x decides y; "w" is x with every fourth value written as a pandas missing marker.
    func semicolonData(markers: [String] = ["NA", "NaN", "null", "N/A"]) -> String {
        var lines = ["x;w;x;y"]
        for i in 0..<40 {
            let x = Double(i % 20) / 10 - 1
            let w = i % 4 == 0 ? markers[(i / 4) % markers.count] : String(x)
            lines.append("\(x);\(w);\(-x);\(x > 0 ? 1 : 0)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func testSemicolonFileIsSniffedAndTheRolesTablePrinted() throws {
        let data = try write("semi.csv", semicolonData())
        let train = try perceptron("train", "--csv", data, "--target", "y", "--epochs", "2", "-o", "m.safetensors")
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertTrue(train.stderr.contains("semi.csv: fields separated by ';' (detected"), train.stderr)
        XCTAssertTrue(train.stderr.contains("duplicate column name \"x\" (column 3) renamed \"x.1\""), train.stderr)
        XCTAssertTrue(train.stderr.contains("Column roles:"), train.stderr)
        // w stays numeric: its NA, NaN, null, N/A fields are missing, not text.
        let roles = train.stderr.split(separator: "\n").filter { $0.hasPrefix("  ") }.map { $0.split(separator: " ").prefix(2).joined(separator: " ") }
        XCTAssertEqual(roles, ["x numeric", "w numeric", "x.1 numeric", "y target"], train.stderr)

        let summary = try perceptron("summary", "m.safetensors")
        XCTAssertEqual(summary.status, 0, summary.stderr)
        XCTAssertTrue(summary.stdout.contains("Column roles:\n  x  "), summary.stdout)
        XCTAssertTrue(summary.stdout.contains("w    numeric  missing → "), summary.stdout)

        let json = try perceptron("summary", "m.safetensors", "--json").json()
        let rows = try XCTUnwrap(json["column_roles"] as? [[String: String]])
        XCTAssertEqual(rows.map { $0["column"] }, ["x", "w", "x.1", "y"])

        // The wrong delimiter, given: one column named "x;w;x;y", so no target "y".
        let forced = try perceptron("train", "--csv", data, "--target", "y", "--delimiter", ",", "--epochs", "1")
        XCTAssertNotEqual(forced.status, 0)
        XCTAssertTrue(forced.stderr.contains("no column \"y\""), forced.stderr)

        let predict = try perceptron("predict", "m.safetensors", "--csv", data, "--delimiter", ";")
        XCTAssertEqual(predict.status, 0, predict.stderr)
        XCTAssertEqual(predict.stdout.split(separator: "\n").count, 41)
    }

    func testNAValuesReplacesTheListAndNonFiniteNamesTheLine() throws {
        // With "?" as the only marker, the NA in w is text: w turns categorical (16 distinct values), and the table says why.
        let data = try write("q.csv", semicolonData(markers: ["?", "?", "?", "NA"]))
        let train = try perceptron("train", "--csv", data, "--target", "y", "--epochs", "1", "--na-values", "?",
                                   "--test-split", "0", "--json")
        XCTAssertEqual(train.status, 0, train.stderr)
        let rows = try XCTUnwrap(try train.json()["column_roles"] as? [[String: String]])
        let w = try XCTUnwrap(rows.first { $0["column"] == "w" })
        XCTAssertEqual(w["role"], "categorical", "\(w)")
        XCTAssertTrue(w["detail"]?.contains("the first \"NA\" at line 14") == true, "\(w)")

        let big = try write("big.csv", "a,b,y\n1,2,0\n2,1e308,1\n3,4,0\n")
        let failed = try perceptron("train", "--csv", big, "--target", "y", "--epochs", "1")
        XCTAssertNotEqual(failed.status, 0)
        XCTAssertTrue(failed.stderr.contains("big.csv: line 3, column \"b\": \"1e308\" is not a finite number"), failed.stderr)
    }
}
