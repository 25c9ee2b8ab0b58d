import Foundation
import Hummingbird
import HummingbirdTesting
import Perceptron
import PerceptronData
@testable import PerceptronServe
@testable import PerceptronServeRequests
import XCTest

/// Every route answered in process, its body checked against docs/openapi.json.
final class RoutesTests: XCTestCase {
    func testHealthReadyAndModelList() async throws {
        let folder = try ServeFixtures.folder()
        let server = try ServeFixtures.server(in: folder)
        try await server.application().test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
                try OpenAPIContract.shared.check(response, path: "/healthz", method: "get")
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
                try OpenAPIContract.shared.check(response, path: "/readyz", method: "get")
                XCTAssertEqual(try response.json()["models"]?["titanic"], .string(server.registry.lookup("titanic")!.version))
            }
            try await client.execute(uri: "/v1/models", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
                try OpenAPIContract.shared.check(response, path: "/v1/models", method: "get")
                guard case .array(let models)? = try response.json()["models"] else { return XCTFail(response.text) }
                XCTAssertEqual(models.compactMap { $0["name"] }, [.string("titanic"), .string("features"), .string("regression")])
            }
        }
    }

    func testModelDescriptionHasSchemaTrainingAndHash() async throws {
        let folder = try ServeFixtures.folder()
        let server = try ServeFixtures.server(in: folder)
        let bytes = try Data(contentsOf: folder.appendingPathComponent("titanic.safetensors"))
        try await server.application().test(.router) { client in
            try await client.execute(uri: "/v1/models/titanic", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
                try OpenAPIContract.shared.check(response, path: "/v1/models/{name}", method: "get")
                let json = try response.json()
                XCTAssertEqual(json["sha256"], .string(SHA256.hex(bytes)))
                XCTAssertEqual(json["task"], .string("classification"))
                XCTAssertEqual(json["classes"], .array([.string("0"), .string("1")]))
                XCTAssertEqual(json["architecture"]?["input_size"], .number(10))
                XCTAssertEqual(json["training"]?["metrics"]?["accuracy"], .number(0.8))
                guard case .array(let columns)? = json["input_schema"]?["columns"] else { return XCTFail(response.text) }
                let sex = columns.first { $0["name"] == .string("Sex") }
                XCTAssertEqual(sex?["role"], .string("categorical"))
                XCTAssertEqual(sex?["categories"], .array([.string("female"), .string("male")]))
                XCTAssertEqual(columns.first { $0["name"] == .string("Age") }?["role"], .string("numeric"))
                XCTAssertEqual(columns.first { $0["name"] == .string("Name") }?["role"], .string("ignored"))
            }
            try await client.execute(uri: "/v1/models/features", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
                try OpenAPIContract.shared.check(response, path: "/v1/models/{name}", method: "get")
                XCTAssertEqual(try response.json()["input_schema"]?["kind"], .string("features"))
            }
        }
    }

    /// Named raw columns give the same probabilities as the library's predictor on the
    /// same rows through the saved preprocessing (the server's own encoder is checked
    /// against Preprocessor.transformFeatures).
    func testPredictInstancesMatchesTheLibrary() async throws {
        let folder = try ServeFixtures.folder()
        let server = try ServeFixtures.server(in: folder)
        let model = server.registry.lookup("titanic")!
        let table = try CSVTable.parse("""
            Pclass,Sex,Age,SibSp,Parch,Fare,Embarked
            3,male,22,1,0,7.25,S
            1,female,,0,0,71.2833,C
            2,female,30,0,1,13,
            """)
        let expected = try model.predictor.probabilities(try model.preprocessor!.transformFeatures(table))
        let body = """
            {"instances": [\(ServeFixtures.passenger),
              {"Pclass": 1, "Sex": "female", "Age": null, "SibSp": 0, "Parch": 0, "Fare": 71.2833, "Embarked": "C"},
              {"Pclass": 2, "Sex": "female", "Age": 30, "SibSp": 0, "Parch": 1, "Fare": 13, "Embarked": ""}]}
            """
        try await server.application().test(.router) { client in
            try await client.execute(uri: "/v1/models/titanic:predict", method: .post, headers: ServeFixtures.jsonHeaders(),
                                     body: ServeFixtures.body(body)) { response in
                XCTAssertEqual(response.status, .ok, response.text)
                try OpenAPIContract.shared.check(response, path: "/v1/models/{name}:predict", method: "post")
                let json = try response.json()
                XCTAssertEqual(json["version"], .string(model.version))
                guard case .array(let predictions)? = json["predictions"] else { return XCTFail(response.text) }
                XCTAssertEqual(predictions.count, 3)
                for (i, prediction) in predictions.enumerated() {
                    // The response prints each Float in its shortest round-trip form, so it
                    // reads back as exactly the library's value.
                    XCTAssertEqual(prediction["probabilities"]?["1"], .number(Double(Float(expected[i, 1]).description)!))
                    XCTAssertEqual(prediction["class"], .string(expected[i, 1] >= 0.5 ? "1" : "0"))
                }
            }
            // The same rows as CSV give the same answer.
            try await client.execute(uri: "/v1/models/titanic:predict", method: .post, headers: [.contentType: "text/csv"],
                                     body: ServeFixtures.body("""
                                        Pclass,Sex,Age,SibSp,Parch,Fare,Embarked
                                        3,male,22,1,0,7.25,S
                                        1,female,,0,0,71.2833,C
                                        2,female,30,0,1,13,

                                        """)) { response in
                XCTAssertEqual(response.status, .ok, response.text)
                try OpenAPIContract.shared.check(response, path: "/v1/models/{name}:predict", method: "post")
                guard case .array(let predictions)? = try response.json()["predictions"] else { return XCTFail(response.text) }
                for (i, prediction) in predictions.enumerated() {
                    XCTAssertEqual(prediction["probabilities"]?["1"], .number(Double(Float(expected[i, 1]).description)!))
                }
            }
        }
    }

    func testInputSchemaEncodesAsThePreprocessor() throws {
        let table = try ServeFixtures.titanicTable()
        let preprocessor = try Preprocessor.fit(table, options: .titanic)
        let schema = InputSchema(preprocessor: preprocessor)
        let expected = try preprocessor.transformFeatures(table)
        var features = [Float](repeating: 0, count: table.rowCount * schema.featureCount)
        var drift = DriftSample(schema: schema)
        var seen = [Bool](repeating: false, count: schema.columns.count)
        let columns = table.columns
        try features.withUnsafeMutableBufferPointer { buffer in
            for r in 0..<table.rowCount {
                let slice = UnsafeMutableBufferPointer(rebasing: buffer[(r * schema.featureCount)..<((r + 1) * schema.featureCount)])
                let fields = table.columnNames.indices.map { c -> (String, InputSchema.Field) in
                    (table.columnNames[c], InputSchema.isMissingText(columns[c][r]) ? .missing : .text(columns[c][r]))
                }
                try schema.encode(row: r, fields: fields, textNumbers: true, into: slice, seen: &seen, drift: &drift)
            }
        }
        XCTAssertEqual(features, expected.elements, "every one of the \(table.rowCount) rows, bit for bit")
    }

    func testPredictFeatureRowsAndRegression() async throws {
        let folder = try ServeFixtures.folder()
        let server = try ServeFixtures.server(in: folder)
        let regression = server.registry.lookup("regression")!
        let expected = try regression.predictor.outputs(Matrix([[0.5, -1], [2, 3]]))
        try await server.application().test(.router) { client in
            try await client.execute(uri: "/v1/models/features:predict", method: .post, headers: ServeFixtures.jsonHeaders(),
                                     body: ServeFixtures.body(#"{"inputs": [[0.1, 0.2, 0.3, 0.4], [1, 2, 3, 4]]}"#)) { response in
                XCTAssertEqual(response.status, .ok, response.text)
                try OpenAPIContract.shared.check(response, path: "/v1/models/{name}:predict", method: "post")
                guard case .array(let predictions)? = try response.json()["predictions"] else { return XCTFail(response.text) }
                XCTAssertEqual(predictions.count, 2)
                guard case .object(let probabilities)? = predictions[0]["probabilities"] else { return XCTFail(response.text) }
                XCTAssertEqual(probabilities.map(\.key), ["0", "1", "2"])
            }
            try await client.execute(uri: "/v1/models/regression:predict", method: .post, headers: ServeFixtures.jsonHeaders(),
                                     body: ServeFixtures.body(#"{"inputs": [[0.5, -1], [2, 3]]}"#)) { response in
                XCTAssertEqual(response.status, .ok, response.text)
                try OpenAPIContract.shared.check(response, path: "/v1/models/{name}:predict", method: "post")
                guard case .array(let predictions)? = try response.json()["predictions"] else { return XCTFail(response.text) }
                XCTAssertEqual(predictions[1]["value"], .number(Double(expected[1, 0].description)!))
            }
            try await client.execute(uri: "/v1/models/regression:predict", method: .post, headers: [.contentType: "text/csv"],
                                     body: ServeFixtures.body("a,b\n0.5,-1\n2,3\n")) { response in
                XCTAssertEqual(response.status, .ok, response.text)
                guard case .array(let predictions)? = try response.json()["predictions"] else { return XCTFail(response.text) }
                XCTAssertEqual(predictions[0]["value"], .number(Double(expected[0, 0].description)!))
            }
        }
    }

    func testMetricsCountRequestsByRouteAndStatus() async throws {
        let folder = try ServeFixtures.folder()
        let server = try ServeFixtures.server(in: folder)
        try await server.application().test(.router) { client in
            _ = try await client.execute(uri: "/v1/models/titanic:predict", method: .post, headers: ServeFixtures.jsonHeaders(),
                                         body: ServeFixtures.body(#"{"instances": [\#(ServeFixtures.passenger)]}"#))
            _ = try await client.execute(uri: "/v1/models/nope:predict", method: .post, headers: ServeFixtures.jsonHeaders(),
                                         body: ServeFixtures.body("{}"))
            try await client.execute(uri: "/metrics", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(response.headers[.contentType], "text/plain; version=0.0.4; charset=utf-8")
                let text = response.text
                XCTAssertTrue(text.contains(#"perceptron_http_requests_total{route="/v1/models/{name}:predict",method="POST",status="200"} 1"#), text)
                XCTAssertTrue(text.contains(#"perceptron_http_requests_total{route="/v1/models/{name}:predict",method="POST",status="404"} 1"#), text)
                XCTAssertTrue(text.contains("perceptron_http_request_duration_seconds_bucket{route=\"/v1/models/{name}:predict\""), text)
                XCTAssertTrue(text.contains(#"perceptron_batch_rows_count{model="titanic"} 1"#), text)
                XCTAssertTrue(text.contains("perceptron_http_requests_in_flight"), text)
                XCTAssertTrue(text.contains(#"perceptron_model_load_seconds{model="titanic"}"#), text)
                XCTAssertTrue(text.contains(#"perceptron_drift_predicted_class_share{model="titanic",class="#), text)
            }
        }
    }
}
