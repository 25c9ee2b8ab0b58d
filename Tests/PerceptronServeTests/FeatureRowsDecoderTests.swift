import Foundation
import Perceptron
@testable import PerceptronServe
@testable import PerceptronServeRequests
import XCTest

/// The feature-row fast path accepts only what the general path (``JSONParser``, then the
/// `inputs` rules) accepts, and gives the same features; everything else goes the general way.
final class FeatureRowsDecoderTests: XCTestCase {
    /// The rows' width (a test may widen it: XCTest makes an instance per test).
    private var width = 3
    private let maxRows = 4

    private func fast(_ text: String) -> (rows: Int, features: [Float])? {
        Array(text.utf8).withUnsafeBytes { FeatureRowsDecoder.decode($0, width: width, maxRows: maxRows) }
    }

    /// What the general path makes of the body, when it is a valid `inputs` request.
    private func reference(_ text: String) -> (rows: Int, features: [Float])? {
        guard case .object(let members)? = try? JSONParser.parse(Data(text.utf8)), members.count == 1, members[0].key == "inputs",
              case .array(let rows) = members[0].value, !rows.isEmpty, rows.count <= maxRows else { return nil }
        var features: [Float] = []
        for row in rows {
            guard case .array(let values) = row, values.count == width else { return nil }
            for value in values {
                guard case .number(let x) = value, Float(x).isFinite else { return nil }
                features.append(Float(x))
            }
        }
        return (rows.count, features)
    }

    private func assertAgrees(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let got = fast(text)
        if let got {
            guard let want = reference(text) else { return XCTFail("fast path accepted \(text)", file: file, line: line) }
            XCTAssertEqual(got.rows, want.rows, text, file: file, line: line)
            XCTAssertEqual(got.features.map(\.bitPattern), want.features.map(\.bitPattern), text, file: file, line: line)
        }
    }

    func testCommonBodies() {
        XCTAssertEqual(fast(#"{"inputs": [[1, -2.5, 3e2]]}"#)?.features, [1, -2.5, 300])
        XCTAssertEqual(fast(" \n{ \"inputs\" :[ [0,0.5,1] , [-0,1e-3,7] ] }\t")?.rows, 2)
        XCTAssertEqual(fast(#"{"inputs": [[1,2,3],[4,5,6],[7,8,9],[1,1,1]]}"#)?.rows, 4)
    }

    /// Each of these goes the general way (which refuses it with its usual code, or, for an
    /// escaped key, accepts it).
    func testUnusualBodiesGoTheGeneralWay() {
        let unusual = [
            #"{"inputs": []}"#, #"{"inputs": [[1,2]]}"#, #"{"inputs": [[1,2,3,4]]}"#, #"{"inputs": [[1,2,"3"]]}"#,
            #"{"inputs": [[1,2,null]]}"#, #"{"inputs": [[1,2,1e39]]}"#, #"{"inputs": [[1,2,3]], "x": 1}"#,
            #"{"inputs": [[1,2,3]], "inputs": [[1,2,3]]}"#, #"{"instances": [[1,2,3]]}"#, #"{"\u0069nputs": [[1,2,3]]}"#,
            #"{"inputs": [[1,2,3],[1,2,3],[1,2,3],[1,2,3],[1,2,3]]}"#, #"{"inputs": [[1,2,3]]"#, #"{"inputs": [[1,2,3]]} x"#,
            #"{"inputs": [[01,2,3]]}"#, #"{"inputs": [[1,2,3],]}"#, #"{"inputs": [[1.,2,3]]}"#, #"[[1,2,3]]"#, "",
            #"{"inputs": [[NaN,2,3]]}"#, #"{"inputs": [[1,2,3]] , }"#,
        ]
        for text in unusual {
            XCTAssertNil(fast(text), text)
        }
    }

    /// Random byte edits of valid bodies: whenever the fast path still accepts one, the
    /// general path accepts it too, with the same features.
    func testMutatedBodiesAgreeWithTheGeneralPath() {
        var state: UInt64 = 42
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        let alphabet = Array("0123456789-+.eE,[]{}\" :inputsa\n".utf8)
        let seeds = [#"{"inputs": [[1, -2.5, 3e2], [0.125, 4, 5]]}"#, #"{"inputs":[[1e-7,2E+3,-0.0]]}"#]
        for _ in 0..<20_000 {
            var bytes = Array(seeds[next() % seeds.count].utf8)
            for _ in 0..<(1 + next() % 3) {
                let i = next() % bytes.count
                switch next() % 3 {
                case 0: bytes.remove(at: i)
                case 1: bytes.insert(alphabet[next() % alphabet.count], at: i)
                default: bytes[i] = alphabet[next() % alphabet.count]
                }
                if bytes.isEmpty { break }
            }
            assertAgrees(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// Random bodies of up to 4 rows of 9 numbers, most of them "0", the others drawn from
    /// `numbers`, compact, spaced and ragged: the fast path accepts exactly the bodies the
    /// general path accepts, with the same features. Returns how many it accepted.
    private func assertRandomRowsAgree(numbers: [String], seed: UInt64, file: StaticString = #filePath, line: UInt = #line) -> Int {
        width = 9
        var state = seed
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        let separators = [",", ",", ",", ", ", " ,", ",\n"]
        var accepted = 0
        for _ in 0..<20_000 {
            var text = #"{"inputs": ["#
            for r in 0..<(1 + next() % 4) {
                if r > 0 { text += next() % 2 == 0 ? "," : ", " }
                text += "["
                let count = next() % 8 == 0 ? width - 1 + next() % 3 : width
                for j in 0..<count {
                    if j > 0 { text += separators[next() % separators.count] }
                    text += next() % 4 == 0 ? numbers[next() % numbers.count] : "0"
                }
                text += "]"
            }
            text += "]}"
            assertAgrees(text, file: file, line: line)
            XCTAssertEqual(fast(text) != nil, reference(text) != nil, text, file: file, line: line)
            if fast(text) != nil { accepted += 1 }
        }
        return accepted
    }

    /// Lone zeros (an image's background) take the decoder's shortcut, four at a time when
    /// written "0,0,0,0," and one at a time when "0," is followed by anything: the shortcut
    /// lands at every position of a row, its last numbers included (their separator is "]").
    func testZeroRunsAgreeWithTheGeneralPath() {
        let numbers = ["0", "0", "0", "0", "0", "0", "-0", "0.5", "10", "0e0", "0.0", "00", "0,"]
        XCTAssertGreaterThan(assertRandomRowsAgree(numbers: numbers, seed: 7), 5_000, "bodies the fast path accepted")
        XCTAssertEqual(fast(#"{"inputs": [[0,0,0,0,0,0,0,0,0]]}"#)?.features, [Float](repeating: 0, count: 9))
        XCTAssertEqual(fast(#"{"inputs": [[0, 0,0,0,0,0,0,0,-0]]}"#)?.features.map(\.bitPattern),
                       [Float](repeating: 0, count: 8).map(\.bitPattern) + [(-0.0 as Float).bitPattern])
        XCTAssertNil(fast(#"{"inputs": [[0,0,0,0,0,0,0,0,0,]]}"#))
        // A row's last four numbers are never read as "0,0,0,0,": this comma must end it.
        XCTAssertNil(fast(#"{"inputs": [[1,0,0,0,0,0,0,0,0,,[0,0,0,0,0,0,0,0,0]]}"#))
        XCTAssertNil(fast(#"{"inputs": [[0,0,0,0,0,0,0,0]]}"#))
    }

    /// Pixels as a client prints them, `0.d…d` right before the separator, take the row
    /// loop's shortcuts: 1-7 fraction digits, `0.0` (with the space of ", "), and 8-18
    /// digits as Python and JavaScript print a float (Eisel–Lemire); every near miss (19
    /// digits, an exponent, a sign, a space or another byte after the digits, no digit, a
    /// leading zero) goes the general way, and either way the features are the general
    /// path's, bit for bit.
    func testCompactFractionsAgreeWithTheGeneralPath() {
        let numbers = ["0.5", "0.266667", "0.1234567", "0.0000001", "0.9999999", "0.12345678", "0.0", "0.000",
                       "0.5e1", "0.5E-3", "-0.5", "0.", "0.5 ", "0.05", "00.5", "0.5.5", "0.5x", "1.5", "0.1234567890123",
                       "0.32941176470588235", "0.3294117647058823", "0.30000000000000004", "0.000000000000000001",
                       "0.0000000000000000001", "0.1234567890123456789", "0.00000000", "0.123456789012345678e2",
                       "0.0 ", "0.0e0", "0.00", "0.12345678901234567 "]
        XCTAssertGreaterThan(assertRandomRowsAgree(numbers: numbers, seed: 11), 5_000, "bodies the fast path accepted")
        width = 9
        let row = "[0.266667,0,0,0,0,0.5,0.1234567,0.0000001,0.9999999]"
        XCTAssertEqual(fast(#"{"inputs": ["# + row + "]}")?.features.map(\.bitPattern),
                       [0.266667, 0, 0, 0, 0, 0.5, 0.1234567, 0.0000001, 0.9999999].map { Float($0 as Double).bitPattern })
    }

    // MARK: the whole decoder: fast path and general path give one answer

    /// A 3-feature model without preprocessing (feature rows only).
    private static let model: RequestModel = {
        let network = try! Sequential(inputSize: 3, layers: [Dense(2, activation: .tanh), Dense(1)], seed: 5)
        try! network.compile(loss: .meanSquaredError, optimizer: Adam())
        return RequestModel(name: "features", version: "0123456789ab", predictor: network.predictor(classNames: []), preprocessor: nil)
    }()

    private func decoded(_ text: String, general: Bool) -> Result<(rows: Int, bits: [UInt32]), RequestError> {
        Array(text.utf8).withUnsafeBytes { raw in
            do throws(RequestError) {
                let batch = general ? try RequestDecoder.decodeJSONGeneral(raw, model: Self.model, maxRows: maxRows)
                                    : try RequestDecoder.decodeJSON(raw, model: Self.model, maxRows: maxRows)
                return .success((batch.rows, batch.features.map(\.bitPattern)))
            } catch {
                return .failure(error)
            }
        }
    }

    /// `decodeJSON` (fast path first) and the general path agree on a body: the same rows
    /// and feature bits, or the same refusal (status, code, message, field and row).
    private func assertSameAnswer(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        switch (decoded(text, general: false), decoded(text, general: true)) {
        case (.success(let fast), .success(let general)):
            XCTAssertEqual(fast.rows, general.rows, text, file: file, line: line)
            XCTAssertEqual(fast.bits, general.bits, text, file: file, line: line)
        case (.failure(let fast), .failure(let general)):
            XCTAssertEqual(fast, general, text, file: file, line: line)
        case (let fast, let general):
            XCTFail("\(text): fast \(fast) vs general \(general)", file: file, line: line)
        }
    }

    /// Edge cases and malformed bodies: the same features or the same 4xx, field and row.
    func testDecodeJSONGivesTheGeneralAnswerOnEdgeCases() {
        let bodies = [
            #"{"inputs": [[1, -2.5, 3e2]]}"#, #"{"inputs":[[0,0,0],[0,0,0],[0,0,0],[0,0,0]]}"#,
            #"{"inputs":[[0,0,0],[0,0,0],[0,0,0],[0,0,0],[0,0,0]]}"#, #"{"inputs": []}"#, #"{"inputs": [[1,2]]}"#,
            #"{"inputs": [[1,2,3,4]]}"#, #"{"inputs": [[1,2,"3"]]}"#, #"{"inputs": [[1,2,null]]}"#, #"{"inputs": [[1,2,1e39]]}"#,
            #"{"inputs": [[1,2,-3.5e38]]}"#, #"{"inputs": [[1,2,3]], "x": 1}"#, #"{"inputs": [[1,2,3]], "inputs": [[1,2,3]]}"#,
            #"{"instances": [[1,2,3]]}"#, #"{"\u0069nputs": [[1,2,3]]}"#, #"{"inputs": [[1,2,3]]"#, #"{"inputs": [[1,2,3]]} x"#,
            #"{"inputs": [[01,2,3]]}"#, #"{"inputs": [[1,2,3],]}"#, #"{"inputs": [[1.,2,3]]}"#, #"[[1,2,3]]"#, "", " ",
            #"{"inputs": [[NaN,2,3]]}"#, #"{"inputs": [[1,2,3]] , }"#, #"{"inputs": [[-0,-0.0,0.000]]}"#,
            #"{"inputs": [[1234567,12345678,0.1234567]]}"#, #"{"inputs": [[0.12345678,123456789.123456789,-9999999.9999999]]}"#,
            #"{"inputs": [[1e-46,1.4e-45,3.4028235e38]]}"#, #"{"inputs": [[0.1,0.2,0.30000000000000004]]}"#,
            #"{"inputs": [[1E2,1e+2,1e-2]]}"#, #"{"inputs": [[-,2,3]]}"#, #"{"inputs": [[1.5.3,2,3]]}"#, #"{"inputs": [[2,3,4],[1,2]]}"#,
            "{\"inputs\": [[1,2,3]],\n \"inputs\": 5}", #"{"inputs": [[1,2,3],[4,5,"x"]]}"#, #"{"inputs": [[1,2,3],{"a":1}]}"#,
            #"{"inputs": [[1,2,3],[4,5,6e400]]}"#, #"{"inputs": {"a": [1,2,3]}}"#, #"{"inputs": [[1, 2 , 3 ] ]}"#,
        ]
        for body in bodies { assertSameAnswer(body) }
    }

    /// Random bodies of random numbers (short and long forms, exponents, signs, values that
    /// overflow Float), row counts around the limit, whitespace, and single-byte edits.
    func testDecodeJSONGivesTheGeneralAnswerOnRandomBodies() {
        var state: UInt64 = 2026
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        func digits(_ n: Int) -> String { String((0..<n).map { _ in Character(UnicodeScalar(UInt8(0x30 + next() % 10))) }) }
        func number() -> String {
            var text = next() % 4 == 0 ? "-" : ""
            switch next() % 6 {
            case 0: text += "0"
            case 1: text += "0." + digits(1 + next() % 9)
            case 2: text += String(1 + next() % 9) + digits(next() % 9)
            case 3: text += String(1 + next() % 9) + digits(next() % 8) + "." + digits(1 + next() % 8)
            case 4: text += String(1 + next() % 9) + "." + digits(1 + next() % 20) + "e" + ["", "+", "-"][next() % 3] + String(next() % 45)
            default: text += String(1 + next() % 9) + digits(next() % 25)
            }
            return text
        }
        let alphabet = Array("0123456789-+.eE,[]{}\" :inputsa\n".utf8)
        for _ in 0..<5_000 {
            let rows = 1 + next() % (maxRows + 1)
            let space = next() % 3 == 0 ? " " : ""
            let rowTexts = (0..<rows).map { _ in "[" + (0..<width).map { _ in number() }.joined(separator: "," + space) + "]" }
            var bytes = Array(("{\"inputs\":" + space + "[" + rowTexts.joined(separator: ",") + "]}").utf8)
            if next() % 2 == 0 {
                let i = next() % bytes.count
                switch next() % 3 {
                case 0: bytes.remove(at: i)
                case 1: bytes.insert(alphabet[next() % alphabet.count], at: i)
                default: bytes[i] = alphabet[next() % alphabet.count]
                }
            }
            assertSameAnswer(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// The matrix is allocated once for the most rows the body's size can hold (2w + 1
    /// bytes per row at least) and never more than maxRows: the tightest bodies still fit.
    func testCapacityIsBoundedByTheBodyAndTheRowLimit() {
        XCTAssertEqual(FeatureRowsDecoder.capacityRows(byteCount: 7, width: 3, maxRows: 10), 1)
        XCTAssertEqual(FeatureRowsDecoder.capacityRows(byteCount: 6, width: 3, maxRows: 10), 0)
        XCTAssertEqual(FeatureRowsDecoder.capacityRows(byteCount: 1 << 20, width: 3, maxRows: 10), 10)
        XCTAssertEqual(FeatureRowsDecoder.capacityRows(byteCount: 100, width: 0, maxRows: 10), 0)
        XCTAssertEqual(FeatureRowsDecoder.capacityRows(byteCount: 100, width: Int.max, maxRows: 10), 0)
        XCTAssertEqual(FeatureRowsDecoder.capacityRows(byteCount: 100, width: 3, maxRows: 0), 0)
        for rows in 1...maxRows {
            let text = #"{"inputs":["# + Array(repeating: "[0,0,0]", count: rows).joined(separator: ",") + "]}"
            XCTAssertLessThanOrEqual(rows, FeatureRowsDecoder.capacityRows(byteCount: text.utf8.count, width: width, maxRows: maxRows))
            XCTAssertEqual(fast(text)?.rows, rows, text)
            XCTAssertEqual(fast(text)?.features, [Float](repeating: 0, count: rows * width), text)
        }
    }
}
