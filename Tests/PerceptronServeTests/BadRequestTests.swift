import Foundation
import Hummingbird
import HummingbirdTesting
@testable import PerceptronServe
@testable import PerceptronServeRequests
import XCTest

/// Every kind of bad request gets a 4xx JSON error naming what is wrong (field, row),
/// matching the OpenAPI error schema, and the server answers the next request.
final class BadRequestTests: XCTestCase {
    struct Case {
        var name: String
        var uri = "/v1/models/titanic:predict"
        var method: HTTPRequest.Method = .post
        var contentType: String? = "application/json"
        var body: String
        var status: HTTPResponse.Status
        var code: String
        var field: String? = nil
        var row: Int? = nil
        /// Words the message must hold.
        var message: String? = nil
    }

    static let p = ServeFixtures.passenger

    static let cases: [Case] = [
        Case(name: "malformed JSON", body: #"{"instances": [{"Pclass": 3,]}"#, status: .badRequest, code: "malformed_json"),
        Case(name: "truncated JSON", body: #"{"instances": [{"Pclass": 3, "Sex": "ma"#, status: .badRequest, code: "malformed_json"),
        Case(name: "empty body", body: "", status: .badRequest, code: "malformed_json"),
        Case(name: "NaN literal", uri: "/v1/models/features:predict", body: #"{"inputs": [[NaN, 1, 2, 3]]}"#, status: .badRequest, code: "malformed_json"),
        Case(name: "deep nesting", body: String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
             status: .badRequest, code: "malformed_json"),
        Case(name: "not an object", body: "[1, 2]", status: .badRequest, code: "wrong_type"),
        Case(name: "no instances", body: "{}", status: .badRequest, code: "missing_field", field: "instances"),
        Case(name: "unknown field", body: #"{"instances": [], "extra": 1}"#, status: .badRequest, code: "unknown_field", field: "extra"),
        Case(name: "instances not an array", body: #"{"instances": {"Age": 3}}"#, status: .badRequest, code: "wrong_type", field: "instances"),
        Case(name: "no rows", body: #"{"instances": []}"#, status: .badRequest, code: "empty", field: "instances"),
        Case(name: "instance not an object", body: #"{"instances": [\#(p), 5]}"#, status: .badRequest, code: "wrong_type",
             field: "instances", row: 1),
        Case(name: "wrong type: string for a number", body: #"{"instances": [\#(p), {"Pclass": 3, "Sex": "male", "Age": "old", "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": "S"}]}"#,
             status: .badRequest, code: "wrong_type", field: "Age", row: 1),
        Case(name: "wrong type: boolean category", body: #"{"instances": [{"Pclass": 3, "Sex": true, "Age": 2, "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": "S"}]}"#,
             status: .badRequest, code: "wrong_type", field: "Sex", row: 0),
        Case(name: "missing column", body: #"{"instances": [{"Pclass": 3, "Sex": "male", "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": "S"}]}"#,
             status: .badRequest, code: "missing_column", field: "Age", row: 0),
        Case(name: "extra column", body: #"{"instances": [{"Pclass": 3, "Sex": "male", "Age": 2, "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": "S", "Height": 180}]}"#,
             status: .badRequest, code: "unknown_column", field: "Height", row: 0),
        Case(name: "1e39 overflows a float", body: #"{"instances": [{"Pclass": 3, "Sex": "male", "Age": 1e39, "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": "S"}]}"#,
             status: .badRequest, code: "non_finite_value", field: "Age", row: 0),
        Case(name: "1e400 overflows a double", uri: "/v1/models/features:predict", body: #"{"inputs": [[1e400, 1, 2, 3]]}"#,
             status: .badRequest, code: "non_finite_value", field: "inputs[0]", row: 0),
        Case(name: "duplicate key", body: #"{"instances": [{"Age": 1, "Age": 2}]}"#, status: .badRequest, code: "malformed_json"),
        Case(name: "too many rows", uri: "/v1/models/features:predict",
             body: #"{"inputs": ["# + Array(repeating: "[1,2,3,4]", count: 101).joined(separator: ",") + "]}",
             status: .badRequest, code: "too_many_rows", field: "inputs"),
        Case(name: "short feature row", uri: "/v1/models/features:predict", body: #"{"inputs": [[1, 2, 3, 4], [1, 2, 3]]}"#,
             status: .badRequest, code: "wrong_length", field: "inputs", row: 1),
        Case(name: "null feature", uri: "/v1/models/features:predict", body: #"{"inputs": [[1, null, 3, 4]]}"#,
             status: .badRequest, code: "wrong_type", field: "inputs[1]", row: 0),
        Case(name: "instances for a model without preprocessing", uri: "/v1/models/features:predict",
             body: #"{"instances": [{"a": 1}]}"#, status: .badRequest, code: "instances_unsupported", field: "instances"),
        Case(name: "CSV with a bad number", contentType: "text/csv", body: "Pclass,Sex,Age,SibSp,Parch,Fare,Embarked\n3,male,x,1,0,7.25,S\n",
             status: .badRequest, code: "wrong_type", field: "Age", row: 0),
        Case(name: "CSV ragged", contentType: "text/csv", body: "Pclass,Sex,Age,SibSp,Parch,Fare,Embarked\n3,male\n",
             status: .badRequest, code: "malformed_csv"),
        Case(name: "CSV with only a header", contentType: "text/csv", body: "Pclass,Sex,Age,SibSp,Parch,Fare,Embarked\n",
             status: .badRequest, code: "empty", message: "header but no row"),
        Case(name: "CSV with only blank lines", contentType: "text/csv", body: "\n\n", status: .badRequest, code: "empty",
             message: "no header"),
        Case(name: "wrong content type", contentType: "text/plain", body: "hello", status: .unsupportedMediaType,
             code: "unsupported_media_type", field: "Content-Type"),
        Case(name: "no content type", contentType: nil, body: "{}", status: .unsupportedMediaType, code: "unsupported_media_type"),
        // An empty value: before serve7 `split(separator: ";")[0]` trapped on it (the process died).
        Case(name: "empty content type", contentType: "", body: "{}", status: .unsupportedMediaType,
             code: "unsupported_media_type", field: "Content-Type"),
        Case(name: "content type of parameters only", contentType: ";charset=utf-8", body: "{}", status: .unsupportedMediaType,
             code: "unsupported_media_type", field: "Content-Type"),
        Case(name: "content type in capitals with a charset", contentType: "Application/JSON ; charset=utf-8", body: "{}",
             status: .badRequest, code: "missing_field"),
        Case(name: "body over --max-body", body: #"{"instances": [""# + String(repeating: "x", count: 70_000) + #""]}"#,
             status: .contentTooLarge, code: "body_too_large"),
        Case(name: "unknown model", uri: "/v1/models/nope:predict", body: "{}", status: .notFound, code: "unknown_model", field: "name"),
        Case(name: "unknown model description", uri: "/v1/models/nope", method: .get, contentType: nil, body: "",
             status: .notFound, code: "unknown_model"),
        Case(name: "unknown path", uri: "/v2/everything", method: .get, contentType: nil, body: "", status: .notFound, code: "not_found"),
        Case(name: "GET on predict", method: .get, contentType: nil, body: "", status: .methodNotAllowed, code: "method_not_allowed"),
        Case(name: "POST on models", uri: "/v1/models", body: "{}", status: .methodNotAllowed, code: "method_not_allowed"),
        Case(name: "DELETE on a model", uri: "/v1/models/titanic", method: .delete, contentType: nil, body: "",
             status: .methodNotAllowed, code: "method_not_allowed"),
    ]

    func testEveryBadRequestIsA4xxJSONError() async throws {
        let folder = try ServeFixtures.folder()
        let server = try ServeFixtures.server(in: folder)
        try await server.application().test(.router) { client in
            for c in Self.cases {
                var headers = HTTPFields()
                if let type = c.contentType { headers[.contentType] = type }
                try await client.execute(uri: c.uri, method: c.method, headers: headers,
                                         body: c.body.isEmpty ? nil : ServeFixtures.body(c.body)) { response in
                    XCTAssertEqual(response.status, c.status, "\(c.name): \(response.text)")
                    XCTAssertEqual(response.headers[.contentType], "application/json", c.name)
                    try OpenAPIContract.shared.checkError(response)
                    let error = try response.json()["error"]
                    XCTAssertEqual(error?["code"], .string(c.code), "\(c.name): \(response.text)")
                    XCTAssertEqual(error?["status"], .number(Double(c.status.code)), c.name)
                    if let field = c.field { XCTAssertEqual(error?["field"], .string(field), "\(c.name): \(response.text)") }
                    if let row = c.row { XCTAssertEqual(error?["row"], .number(Double(row)), "\(c.name): \(response.text)") }
                    if let words = c.message, case .string(let message)? = error?["message"] {
                        XCTAssertTrue(message.contains(words), "\(c.name): \(response.text)")
                    } else if c.message != nil {
                        XCTFail("\(c.name): no message in \(response.text)")
                    }
                    if c.status == .methodNotAllowed { XCTAssertNotNil(response.headers[.allow], c.name) }
                }
            }
            // Still serving.
            try await client.execute(uri: "/v1/models/titanic:predict", method: .post, headers: ServeFixtures.jsonHeaders(),
                                     body: ServeFixtures.body(#"{"instances": [\#(Self.p)]}"#)) { response in
                XCTAssertEqual(response.status, .ok, response.text)
            }
        }
    }

    /// A Content-Length over --max-body is refused before the body is read.
    func testDeclaredLengthOverTheLimitIs413() async throws {
        let folder = try ServeFixtures.folder()
        let server = try ServeFixtures.server(in: folder)
        try await server.application().test(.live) { client in
            let connection = try RawConnection(port: client.port!)
            try connection.send("POST /v1/models/titanic:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                + "Content-Length: 99999999\r\n\r\n{}")
            var answer = ""
            for _ in 0..<100 where !answer.contains("}}") {
                try await Task.sleep(for: .milliseconds(20))
                answer += connection.receiveAvailable()
            }
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 413"), answer)
            XCTAssertTrue(answer.contains(#""code":"body_too_large""#), answer)
        }
    }

    /// A client that sends its body slowly gets 408 once --read-timeout has passed; one
    /// that stops sending has its connection closed; the server keeps serving others.
    func testSlowClientsTimeOut() async throws {
        let folder = try ServeFixtures.folder()
        let server = try ServeFixtures.server(in: folder, readTimeout: 0.5)
        let app = server.application()
        try await app.test(.live) { client in
            let port = client.port!
            // Trickles: the head, then a byte every 200 ms.
            let trickle = try RawConnection(port: port)
            try trickle.send("POST /v1/models/titanic:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n")
            var answer = ""
            for _ in 0..<10 {
                try? trickle.send("{")
                try await Task.sleep(for: .milliseconds(200))
                answer += trickle.receiveAvailable()
                if answer.contains("\r\n\r\n") { break }
            }
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 408"), answer)
            XCTAssertTrue(answer.contains(#""code":"body_timeout""#), answer)
            // Stalls after half a body: the JSON 408 too, then the connection is closed (within the
            // timeout, the watchdog's 250 ms tick and its 1 s grace; 5 s leaves room for a loaded machine).
            let stall = try RawConnection(port: port)
            try stall.send("POST /v1/models/titanic:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{\"ins")
            let (stalledAnswer, closed) = stall.receiveAndClose(seconds: 5)
            XCTAssertTrue(closed, "a stalled connection must be closed")
            XCTAssertTrue(stalledAnswer.hasPrefix("HTTP/1.1 408"), stalledAnswer)
            XCTAssertTrue(stalledAnswer.contains(#""code":"body_timeout""#), stalledAnswer)
            // A new connection (the test client's own may have idled past the timeout).
            XCTAssertEqual(try HTTP.request(port: port, method: "GET", path: "/healthz").status, 200)
        }
    }
}
