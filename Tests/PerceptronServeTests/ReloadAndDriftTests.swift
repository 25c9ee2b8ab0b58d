import Foundation
import Hummingbird
import HummingbirdTesting
import Perceptron
import PerceptronData
@testable import PerceptronServe
@testable import PerceptronServeRequests
import XCTest

final class ReloadTests: XCTestCase {
    /// A new valid file is swapped in (new version); a broken one is refused and the old
    /// model keeps serving; an unchanged one is left alone; a request that took the old
    /// model before the swap finishes on it.
    func testReloadSwapsRefusesAndKeepsServing() async throws {
        let folder = try ServeFixtures.folder()
        let server = try ServeFixtures.server(in: folder)
        let file = folder.appendingPathComponent("titanic.safetensors")
        let old = server.registry.lookup("titanic")!
        XCTAssertEqual(server.registry.reload("titanic"), .unchanged)

        try ServeFixtures.titanicModel(at: file, seed: 7)
        XCTAssertEqual(server.registry.reload("titanic"), .ok)
        let fresh = server.registry.lookup("titanic")!
        XCTAssertNotEqual(fresh.version, old.version)
        // The old model object still answers (what an in-flight request holds).
        _ = try await old.batcher.outputs(rows: 1, features: [Float](repeating: 0, count: 10))

        try Data("not a model".utf8).write(to: file)
        XCTAssertEqual(server.registry.reload("titanic"), .refused)
        XCTAssertEqual(server.registry.lookup("titanic")!.version, fresh.version)
        try await server.application().test(.router) { client in
            try await client.execute(uri: "/v1/models/titanic:predict", method: .post, headers: ServeFixtures.jsonHeaders(),
                                     body: ServeFixtures.body(#"{"instances": [\#(ServeFixtures.passenger)]}"#)) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(try response.json()["version"], .string(fresh.version))
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                XCTAssertTrue(response.text.contains(#"perceptron_model_reloads_total{model="titanic",result="refused"} 1"#), response.text)
            }
        }
    }

    /// The file watcher reloads a changed file by itself.
    func testFileChangeIsNoticed() async throws {
        let folder = try ServeFixtures.folder()
        let server = try ServeFixtures.server(in: folder)
        let file = folder.appendingPathComponent("titanic.safetensors")
        let old = server.registry.lookup("titanic")!.version
        var refused: [String: FileStamp] = [:]
        server.registry.reloadChangedFiles(refused: &refused)
        XCTAssertEqual(server.registry.lookup("titanic")!.version, old, "nothing changed")
        try ServeFixtures.titanicModel(at: file, seed: 9)
        server.registry.reloadChangedFiles(refused: &refused)
        XCTAssertNotEqual(server.registry.lookup("titanic")!.version, old)
    }
}

final class DriftTests: XCTestCase {
    func testDriftReportsServedAgainstTraining() async throws {
        let folder = try ServeFixtures.folder()
        let server = try ServeFixtures.server(in: folder)
        let model = server.registry.lookup("titanic")!
        let ageColumn = model.preprocessor!.columns.first { $0.name == "Age" }!
        // Four rows: Age 10, 20, 30 and one missing; Sex male ×2, female, and "robot" (unseen).
        let rows = [("male", "10"), ("male", "20"), ("female", "30"), ("robot", "null")].map { sex, age in
            #"{"Pclass": 3, "Sex": "\#(sex)", "Age": \#(age), "SibSp": 0, "Parch": 0, "Fare": 8, "Embarked": "S"}"#
        }
        try await server.application().test(.router) { client in
            try await client.execute(uri: "/v1/models/titanic:predict", method: .post, headers: ServeFixtures.jsonHeaders(),
                                     body: ServeFixtures.body(#"{"instances": [\#(rows.joined(separator: ","))]}"#)) { response in
                XCTAssertEqual(response.status, .ok, response.text)
            }
            try await client.execute(uri: "/v1/models/titanic/drift", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
                try OpenAPIContract.shared.check(response, path: "/v1/models/{name}/drift", method: "get")
                let json = try response.json()
                XCTAssertEqual(json["baseline"], .bool(true))
                guard case .array(let columns)? = json["columns"] else { return XCTFail(response.text) }
                let age = columns.first { $0["name"] == .string("Age") }
                XCTAssertEqual(age?["served"]?["rows"], .number(4))
                XCTAssertEqual(age?["served"]?["missing_share"], .number(0.25))
                XCTAssertEqual(age?["served"]?["mean"], .number(20))
                // Population std of 10, 20, 30: √(200/3).
                guard case .number(let std)? = age?["served"]?["std"] else { return XCTFail(response.text) }
                XCTAssertEqual(std, (200.0 / 3).squareRoot(), accuracy: 1e-9)
                XCTAssertEqual(age?["training"]?["mean"], .number(ageColumn.shift))
                XCTAssertEqual(age?["training"]?["missing_share"], .number(0.2))
                guard case .number(let shift)? = age?["mean_shift_in_training_std"] else { return XCTFail(response.text) }
                XCTAssertEqual(shift, (20 - ageColumn.shift) / ageColumn.scale, accuracy: 1e-9)
                let sex = columns.first { $0["name"] == .string("Sex") }
                XCTAssertEqual(sex?["served"]?["unseen_share"], .number(0.25))
                XCTAssertEqual(sex?["served"]?["distribution"]?["male"], .number(0.5))
                XCTAssertEqual(sex?["training"]?["distribution"]?["male"], .number(0.65))
                XCTAssertEqual(json["predictions"]?["count"], .number(4))
                XCTAssertEqual(json["predictions"]?["training_distribution"]?["1"], .number(0.38))
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                XCTAssertTrue(response.text.contains(#"perceptron_drift_unseen_share{model="titanic",column="Sex"} 0.25"#), response.text)
                XCTAssertTrue(response.text.contains(#"perceptron_drift_missing_share{model="titanic",column="Age"} 0.25"#), response.text)
            }
        }
    }
}
