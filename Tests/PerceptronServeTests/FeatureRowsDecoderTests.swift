import Foundation
@testable import PerceptronServe
@testable import PerceptronServeRequests
import XCTest

/// The feature-row fast path accepts only what the general path (``JSONParser``, then the
/// `inputs` rules) accepts, and gives the same features; everything else goes the general way.
final class FeatureRowsDecoderTests: XCTestCase {
    private let width = 3
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
}
