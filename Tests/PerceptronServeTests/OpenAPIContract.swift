import Foundation
import HummingbirdTesting
@testable import PerceptronServe
@testable import PerceptronServeRequests
import XCTest

/// docs/openapi.json, and a validator for the subset of JSON Schema it uses: `$ref`,
/// `type` (one or a list; "integer" is a number without a fraction), `required`,
/// `properties`, `additionalProperties` (false or a schema), `items`, `oneOf` (exactly
/// one branch matches), `enum`, `minimum`, `maximum`, `minItems`, `pattern`.
/// A response is checked against the schema the spec gives for its path, method and status.
final class OpenAPIContract: Sendable {
    static let shared = try! OpenAPIContract()

    let spec: JSONValue

    init() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        spec = try JSONParser.parse(try Data(contentsOf: root.appendingPathComponent("docs/openapi.json")))
    }

    struct Violation: Error, CustomStringConvertible {
        var description: String
    }

    /// Checks `response` against the spec's schema for `path`, `method` and its status.
    func check(_ response: TestResponse, path: String, method: String) throws {
        let status = String(response.status.code)
        guard let operation = spec["paths"]?[path]?[method] else { throw Violation(description: "no \(method) \(path) in the spec") }
        guard var declared = operation["responses"]?[status] else {
            throw Violation(description: "\(method) \(path) does not declare status \(status)")
        }
        if case .string(let ref)? = declared["$ref"] { declared = try resolve(ref) }
        guard let schema = declared["content"]?["application/json"]?["schema"] else {
            throw Violation(description: "\(method) \(path) \(status) has no JSON schema")
        }
        let body = try JSONParser.parse(Data(response.body.readableBytesView))
        if let problem = validate(body, against: schema, at: "$") {
            XCTFail("\(method.uppercased()) \(path) \(status): \(problem)\n\(String(buffer: response.body))")
        }
    }

    /// Checks an error response against the Error schema.
    func checkError(_ response: TestResponse) throws {
        let body = try JSONParser.parse(Data(response.body.readableBytesView))
        if let problem = validate(body, against: .object([("$ref", .string("#/components/schemas/Error"))]), at: "$") {
            XCTFail("error body: \(problem)\n\(String(buffer: response.body))")
        }
    }

    func resolve(_ ref: String) throws -> JSONValue {
        guard ref.hasPrefix("#/") else { throw Violation(description: "external $ref \(ref)") }
        var node: JSONValue? = spec
        for part in ref.dropFirst(2).split(separator: "/") { node = node?[String(part)] }
        guard let node else { throw Violation(description: "unresolved $ref \(ref)") }
        return node
    }

    /// The first way `value` breaks `schema`, or nil.
    func validate(_ value: JSONValue, against schema: JSONValue, at path: String) -> String? {
        if case .string(let ref)? = schema["$ref"] {
            guard let target = try? resolve(ref) else { return "\(path): unresolved \(ref)" }
            return validate(value, against: target, at: path)
        }
        if case .array(let branches)? = schema["oneOf"] {
            let matches = branches.filter { validate(value, against: $0, at: path) == nil }.count
            if matches != 1 { return "\(path): matches \(matches) of the oneOf branches, not exactly one" }
        }
        if let type = schema["type"] {
            let allowed: [String]
            switch type {
            case .string(let t): allowed = [t]
            case .array(let ts): allowed = ts.compactMap { if case .string(let t) = $0 { return t } else { return nil } }
            default: return "\(path): bad type in the schema"
            }
            guard allowed.contains(where: { Self.has(value, type: $0) }) else {
                return "\(path): \(value.typeName) is not \(allowed.joined(separator: " or "))"
            }
        }
        if case .array(let options)? = schema["enum"], !options.contains(value) { return "\(path): \(value) is not in the enum" }
        if case .number(let x) = value {
            if case .number(let low)? = schema["minimum"], x < low { return "\(path): \(x) < \(low)" }
            if case .number(let high)? = schema["maximum"], x > high { return "\(path): \(x) > \(high)" }
        }
        if case .string(let text) = value, case .string(let pattern)? = schema["pattern"],
           text.range(of: pattern, options: .regularExpression) == nil {
            return "\(path): \"\(text)\" does not match \(pattern)"
        }
        if case .object(let members) = value {
            if case .array(let required)? = schema["required"] {
                for case .string(let key) in required where !members.contains(where: { $0.key == key }) {
                    return "\(path): missing required \"\(key)\""
                }
            }
            let properties = schema["properties"]
            for (key, member) in members {
                if let property = properties?[key] {
                    if let problem = validate(member, against: property, at: "\(path).\(key)") { return problem }
                } else if let extra = schema["additionalProperties"] {
                    if extra == .bool(false) { return "\(path): unexpected member \"\(key)\"" }
                    if case .object = extra, let problem = validate(member, against: extra, at: "\(path).\(key)") { return problem }
                }
            }
        }
        if case .array(let elements) = value {
            if case .number(let least)? = schema["minItems"], Double(elements.count) < least { return "\(path): fewer than \(least) items" }
            if let items = schema["items"] {
                for (i, element) in elements.enumerated() {
                    if let problem = validate(element, against: items, at: "\(path)[\(i)]") { return problem }
                }
            }
        }
        return nil
    }

    static func has(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string), ("array", .array), ("object", .object):
            return true
        case ("integer", .number(let x)): return x == x.rounded()
        default: return false
        }
    }
}

final class OpenAPIContractTests: XCTestCase {
    /// The validator refuses what it should (so a passing check means something).
    func testTheValidatorCatchesViolations() throws {
        let contract = OpenAPIContract.shared
        let schema = JSONValue.object([("$ref", .string("#/components/schemas/PredictResponse"))])
        let good = try JSONParser.parse(Data(#"{"model":"m","version":"v","predictions":[{"class":"1","probabilities":{"0":0.5,"1":0.5}},{"value":2}]}"#.utf8))
        XCTAssertNil(contract.validate(good, against: schema, at: "$"))
        let missing = try JSONParser.parse(Data(#"{"model":"m","predictions":[]}"#.utf8))
        XCTAssertNotNil(contract.validate(missing, against: schema, at: "$"))
        let wrongType = try JSONParser.parse(Data(#"{"model":"m","version":"v","predictions":[{"class":1,"probabilities":{}}]}"#.utf8))
        XCTAssertNotNil(contract.validate(wrongType, against: schema, at: "$"))
        let extra = try JSONParser.parse(Data(#"{"error":{"status":400,"code":"c","message":"m","stack":"x"}}"#.utf8))
        XCTAssertNotNil(contract.validate(extra, against: .object([("$ref", .string("#/components/schemas/Error"))]), at: "$"))
        let serverError = try JSONParser.parse(Data(#"{"error":{"status":500,"code":"c","message":"m"}}"#.utf8))
        XCTAssertNotNil(contract.validate(serverError, against: .object([("$ref", .string("#/components/schemas/Error"))]), at: "$"))
    }
}
