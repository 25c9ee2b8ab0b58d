import Foundation
@testable import PerceptronServe
@testable import PerceptronServeRequests
import XCTest

final class JSONParserTests: XCTestCase {
    private func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Data(text.utf8)) }

    func testValuesAndEscapes() throws {
        XCTAssertEqual(try parse(#" {"a": [1, -2.5e3, true, false, null], "b": "x\"\\\/\n\u00e9\ud83d\ude00"} "#),
                       .object([("a", .array([.number(1), .number(-2500), .bool(true), .bool(false), .null])),
                                ("b", .string("x\"\\/\né😀"))]))
        XCTAssertEqual(try parse("0"), .number(0))
        XCTAssertEqual(try parse("\"\""), .string(""))
    }

    func testRefusalsNameTheByte() {
        let bad: [(String, Int)] = [
            ("", 0), ("{", 1), (#"{"a" 1}"#, 5), ("[1,]", 3), ("01", 1), ("1.", 2), ("-", 1), ("+1", 0), ("NaN", 0),
            ("Infinity", 0), ("tru", 0), (#""a"#, 2), ("\"\u{01}\"", 1), (#""\x""#, 2), (#""\ud800""#, 7), ("1 2", 2),
            (#"{"a":1,"a":2}"#, 7),
        ]
        for (text, offset) in bad {
            XCTAssertThrowsError(try parse(text), text) { error in
                XCTAssertEqual((error as? JSONParser.ParseError)?.offset, offset, "\(text): \(error)")
            }
        }
    }

    func testInvalidUTF8AndDepth() {
        XCTAssertThrowsError(try JSONParser.parse(Data([0x22, 0xFF, 0x22])))
        XCTAssertNoThrow(try parse(String(repeating: "[", count: 32) + String(repeating: "]", count: 32)))
        XCTAssertThrowsError(try parse(String(repeating: "[", count: 33) + String(repeating: "]", count: 33)))
        // 100,000 levels: refused at level 33, no stack overflow.
        XCTAssertThrowsError(try parse(String(repeating: "[", count: 100_000)))
    }

    /// Many keys in one object: duplicate detection stays linear (this would take minutes
    /// with a quadratic scan).
    func testManyKeys() throws {
        let text = "{" + (0..<50_000).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}"
        guard case .object(let members) = try parse(text) else { return XCTFail() }
        XCTAssertEqual(members.count, 50_000)
        XCTAssertThrowsError(try parse("{" + (0..<50_000).map { "\"k\($0)\":1" }.joined(separator: ",") + ",\"k7\":2}"))
    }
}

final class SHA256Tests: XCTestCase {
    /// FIPS 180-2's examples, and one of more than one block.
    func testKnownDigests() {
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
