import Foundation
import Hummingbird
@testable import PerceptronServe
import PerceptronServeRequests
import XCTest

/// The byte-level route, Content-Type, header and whitespace readers give the answers of the
/// String/Foundation code they replaced (kept here as the reference) on hand-picked and
/// generated inputs.
final class RequestRoutingTests: XCTestCase {
    /// The route reader as it was before serve7 (Foundation's `contains`, String slicing).
    private static func referenceRoute(_ path: String) -> (ServeResponder.Route, String?) {
        switch path {
        case "/healthz": return (.healthz, nil)
        case "/readyz": return (.readyz, nil)
        case "/metrics": return (.metrics, nil)
        case "/v1/models", "/v1/models/": return (.models, nil)
        default: break
        }
        let prefix = "/v1/models/"
        guard path.hasPrefix(prefix) else { return (.unknown, nil) }
        var rest = String(path.dropFirst(prefix.count))
        if rest.hasSuffix("/drift") {
            rest.removeLast("/drift".count)
            return rest.isEmpty || rest.contains("/") ? (.unknown, nil) : (.drift, rest)
        }
        for suffix in [":predict", "%3Apredict", "%3apredict"] where rest.hasSuffix(suffix) {
            rest.removeLast(suffix.count)
            return rest.isEmpty || rest.contains("/") ? (.unknown, nil) : (.predict, rest)
        }
        return rest.isEmpty || rest.contains("/") || rest.contains(":") ? (.unknown, nil) : (.model, rest)
    }

    func testKnownRoutes() {
        let cases: [(String, ServeResponder.Route, String?)] = [
            ("/healthz", .healthz, nil), ("/readyz", .readyz, nil), ("/metrics", .metrics, nil),
            ("/v1/models", .models, nil), ("/v1/models/", .models, nil),
            ("/v1/models/titanic", .model, "titanic"), ("/v1/models/titanic/drift", .drift, "titanic"),
            ("/v1/models/titanic:predict", .predict, "titanic"), ("/v1/models/titanic%3Apredict", .predict, "titanic"),
            ("/v1/models/titanic%3apredict", .predict, "titanic"), ("/v1/models/drift", .model, "drift"),
            ("/v1/models/:predict", .unknown, nil), ("/v1/models//drift", .unknown, nil), ("/v1/models/a/b", .unknown, nil),
            ("/v1/models/a:b", .unknown, nil), ("/v1/models/a/b:predict", .unknown, nil), ("/healthz/", .unknown, nil),
            ("", .unknown, nil), ("/", .unknown, nil), ("/v1/model", .unknown, nil), ("/v1/models/é:predict", .predict, "é"),
        ]
        for (path, route, name) in cases {
            let got = ServeResponder.route(path)
            XCTAssertEqual(got.0, route, path)
            XCTAssertEqual(got.1, name, path)
        }
    }

    /// Random paths from the routes' own pieces: the same route and name as the reference.
    func testRoutesMatchTheReference() {
        let pieces = ["/", "/v1", "/models", "/v1/models", "/v1/models/", "titanic", "mnist", "é", ":", ":predict",
                      "%3Apredict", "%3apredict", "%3A", "predict", "/drift", "drift", "/healthz", "/readyz", "/metrics", "a", ""]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let count = Int.random(in: 1...4, using: &generator)
            let path = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let got = ServeResponder.route(path), want = Self.referenceRoute(path)
            XCTAssertEqual(got.0, want.0, path)
            XCTAssertEqual(got.1, want.1, path)
        }
    }

    func testContentTypes() {
        let cases: [(String, BodyKind?, String)] = [
            ("application/json", .json, "application/json"), ("Application/JSON", .json, "application/json"),
            ("application/json; charset=utf-8", .json, "application/json"), (" \tapplication/json \t;x", .json, "application/json"),
            ("text/csv", .csv, "text/csv"), ("TEXT/CSV;header=present", .csv, "text/csv"),
            ("text/plain", nil, "text/plain"), ("application/jsonx", nil, "application/jsonx"),
            ("application / json", nil, "application / json"), ("", nil, ""), (";", nil, ""), (" ; application/json", nil, ""),
            ("application/json,text/csv", nil, "application/json,text/csv"), ("Text/Plain; x=Y", nil, "text/plain"),
        ]
        for (value, kind, named) in cases {
            XCTAssertEqual(BodyKind(contentType: value), kind, value)
            XCTAssertEqual(BodyKind.mediaType(of: value), named, value)
        }
    }

    /// Every Unicode scalar: `Whitespace.contains` is `CharacterSet.whitespaces.contains`.
    func testWhitespaceIsFoundationsWhitespaces() {
        for value in UInt32(0)..<0x110000 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            XCTAssertEqual(Whitespace.contains(scalar), CharacterSet.whitespaces.contains(scalar), String(value, radix: 16))
        }
    }

    /// Random strings from spaces, tabs, line breaks, Unicode space separators, letters,
    /// digits and a combining accent: `Whitespace.trimmed` is `trimmingCharacters(in: .whitespaces)`.
    func testTrimmedMatchesFoundation() {
        let pieces = [" ", "\t", "\n", "\r", "\u{A0}", "\u{2003}", "\u{3000}", "\u{202F}", "\u{200B}", "\u{FEFF}", "male",
                      "2", "-1.5e3", "\u{301}", "é", "🙂", ""]
        var generator = SystemRandomNumberGenerator()
        for text in pieces + ["", " male ", "\t\t3.25\u{A0}", "\u{3000}"] {
            XCTAssertEqual(Whitespace.trimmed(text), text.trimmingCharacters(in: .whitespaces), text.debugDescription)
        }
        for _ in 0..<20_000 {
            let count = Int.random(in: 1...5, using: &generator)
            let text = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
            XCTAssertEqual(Whitespace.trimmed(text), text.trimmingCharacters(in: .whitespaces), text.debugDescription)
        }
    }

    /// Random header sets (the two names in any case, sent 0-2 times, among others):
    /// `contentHeaders` gives what the `HTTPFields` subscript gives.
    func testContentHeadersMatchTheSubscript() throws {
        typealias Field = HTTPFields.Element
        let names = ["Content-Type", "content-type", "CONTENT-TYPE", "Content-Length", "content-length", "Accept", "Host",
                     "Content-Typo"].map { Field.Name($0)! }
        let values = ["application/json", "text/csv; charset=utf-8", "12", "0", "", "x, y"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            var headers = HTTPFields()
            for _ in 0..<Int.random(in: 0...5, using: &generator) {
                headers.append(Field(name: names.randomElement(using: &generator)!, value: values.randomElement(using: &generator)!))
            }
            let got = ServeResponder.contentHeaders(headers)
            XCTAssertEqual(got.type, headers[.contentType], "\(headers)")
            XCTAssertEqual(got.length, headers[.contentLength], "\(headers)")
        }
    }
}
