import Foundation
import XCTest
@testable import Perceptron

/// The crafted files in Fixtures/safetensors (made by make_crafted.py there; each is also
/// rejected by the reference Python loader, except wrong_dtype, a valid F16 file that
/// Perceptron does not read) and round trips through the writer.
final class SafeTensorsTests: XCTestCase {
    func crafted(_ name: String) -> URL { fixtureURL("safetensors/\(name).safetensors") }

    func assertRejects(_ name: String, line: UInt = #line, _ check: (SafeTensorsError) -> Bool) {
        let url = crafted(name)
        XCTAssertThrowsError(try SafeTensors.read(from: url), name, line: line) { error in
            guard let error = error as? SafeTensorsError else { return XCTFail("\(name): \(error)", line: line) }
            XCTAssertTrue(check(error), "\(name): unexpected \(error)", line: line)
            XCTAssertTrue(error.description.hasPrefix(url.path), "\(name): message should name the file", line: line)
        }
    }

    func testValidCraftedFile() throws {
        let file = try SafeTensors.read(from: crafted("valid"))
        XCTAssertEqual(file.metadata, ["format": "perceptron", "version": "1"])
        XCTAssertEqual(try file.tensor("layers.0.weight").matrix(), Matrix([[1, -2], [0.5, 3.25]]))
        XCTAssertEqual(file.tensors["layers.0.bias"], .init(shape: [2], values: [0, 1.5]))
    }

    func testReadsTheReferenceWriter() throws {
        let file = try SafeTensors.read(from: crafted("reference_written"))
        XCTAssertEqual(file.metadata, ["format": "pt", "note": "written by safetensors 0.4.5"])
        XCTAssertEqual(try file.tensor("layers.0.weight").matrix(), Matrix([[0, 0.25, 0.5], [0.75, 1, 1.25]]))
        XCTAssertEqual(file.tensors["layers.0.bias"], .init(shape: [3], values: [-1.5, 0, 2.25]))
        XCTAssertEqual(file.tensors["layers.1.weight"]?.shape, [3, 1])
    }

    func testEachLoaderCheckHasACraftedFile() {
        assertRejects("truncated") { $0 == .fileTooSmall(file: self.crafted("truncated").path, size: 5) }
        assertRejects("huge_header_length") { if case .headerTooLarge(_, 1 << 62, 100_000_000) = $0 { return true }; return false }
        assertRejects("header_out_of_bounds") { if case .headerOutOfBounds(_, 4096, 15) = $0 { return true }; return false }
        assertRejects("invalid_json") { if case .invalidHeader(_, "not valid JSON") = $0 { return true }; return false }
        assertRejects("invalid_utf8") { if case .invalidHeader(_, "not valid UTF-8") = $0 { return true }; return false }
        assertRejects("not_an_object") { if case .invalidHeader(_, "does not start with '{'") = $0 { return true }; return false }
        assertRejects("wrong_dtype") { if case .unsupportedDType(_, "x", "F16") = $0 { return true }; return false }
        assertRejects("shape_size_mismatch") { if case .sizeMismatch(_, "x", [3], 12, 8) = $0 { return true }; return false }
        assertRejects("overflowing_shape") { if case .sizeMismatch(_, "x", _, nil, 4) = $0 { return true }; return false }
        assertRejects("overlapping_offsets") {
            guard case .invalidOffsets(_, "b", 4, 12, 8) = $0 else { return false }
            return $0.description.contains("overlaps")
        }
        assertRejects("gap_between_offsets") {
            guard case .invalidOffsets(_, "b", 8, 12, 4) = $0 else { return false }
            return $0.description.contains("gap")
        }
        assertRejects("offsets_not_from_zero") { if case .invalidOffsets(_, "a", 4, 8, 0) = $0 { return true }; return false }
        assertRejects("trailing_bytes") { if case .trailingBytes(_, 24, 28) = $0 { return true }; return false }
        assertRejects("truncated_data") { if case .truncatedData(_, 24, 20) = $0 { return true }; return false }
        assertRejects("missing_dtype") { if case .invalidEntry(_, "x", _) = $0 { return true }; return false }
        assertRejects("bad_metadata") { if case .invalidMetadata(_, _) = $0 { return true }; return false }
    }

    func testEveryTruncationOfAValidFileIsATypedError() throws {
        // No prefix of a valid file may crash or read out of bounds.
        let bytes = try Data(contentsOf: crafted("valid"))
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try SafeTensors.parse(bytes.prefix(length), file: "cut")) { error in
                XCTAssertTrue(error is SafeTensorsError, "\(length): \(error)")
            }
        }
    }

    func testRoundTripWithMetadataScalarsAndEmptyTensors() throws {
        let folder = try temporaryFolder(self)
        let url = folder.appendingPathComponent("model.safetensors")
        let original = SafeTensors(
            tensors: ["layers.0.weight": .init(Matrix([[1, 2, 3], [4, 5, 6]])),
                      "layers.0.bias": .init(shape: [3], values: [0.1, -0.2, .pi]),
                      "epoch": .init(shape: [], values: [7]),
                      "empty": .init(shape: [0, 4], values: []),
                      "tiny": .init(shape: [1], values: [.leastNonzeroMagnitude])],
            metadata: ["format_version": "1", "architecture": "{\"layers\":[3]}", "note": "ünïcode ✓"])
        try original.write(to: url)
        let bytes = try Data(contentsOf: url)
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual(headerLength % 8, 0, "header padded to a multiple of 8")
        XCTAssertEqual(try SafeTensors.read(from: url), original)
        // Overwriting replaces the file whole and leaves no temporary behind.
        var smaller = original
        smaller.tensors = ["only": .init(shape: [1], values: [1])]
        try smaller.write(to: url)
        XCTAssertEqual(try SafeTensors.read(from: url), smaller)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["model.safetensors"])
    }

    func testWriterRejectsBadTensorsAndLeavesTargetUntouched() throws {
        let folder = try temporaryFolder(self)
        let url = folder.appendingPathComponent("m.safetensors")
        try SafeTensors(tensors: ["a": .init(shape: [1], values: [1])]).write(to: url)
        let before = try Data(contentsOf: url)
        XCTAssertThrowsError(try SafeTensors(tensors: ["a": .init(shape: [2, 2], values: [1])]).write(to: url)) { error in
            guard case .invalidTensor("a", _)? = error as? SafeTensorsError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try SafeTensors(tensors: ["__metadata__": .init(shape: [1], values: [1])]).serialized())
        XCTAssertEqual(try Data(contentsOf: url), before)
        // A folder that does not exist: an I/O error naming the file, no crash.
        let missing = folder.appendingPathComponent("no/such/dir/m.safetensors")
        XCTAssertThrowsError(try SafeTensors().write(to: missing)) { error in
            guard case .io(let file, _)? = error as? SafeTensorsError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, missing.path)
        }
        XCTAssertThrowsError(try SafeTensors.read(from: missing)) { error in
            XCTAssertEqual(error as? SafeTensorsError, .io(file: missing.path, reason: "no such file"))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["m.safetensors"])
    }

    func testMissingTensorAndMatrixShapes() throws {
        let file = SafeTensors(tensors: ["v": .init(shape: [3], values: [1, 2, 3]), "t": .init(shape: [1, 1, 1], values: [1])])
        XCTAssertThrowsError(try file.tensor("w")) { error in
            XCTAssertEqual(error as? SafeTensorsError, .missingTensor(file: "<safetensors>", tensor: "w"))
        }
        XCTAssertEqual(try file.tensor("v").matrix(), Matrix(row: [1, 2, 3]))
        XCTAssertThrowsError(try file.tensor("t").matrix())
    }

    /// A pipe or a device has no size to check first, and /dev/zero never ends: each is
    /// refused by name before a byte is read, as a folder is.
    func testFoldersPipesAndDevicesAreRefusedByName() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pipe = folder.appendingPathComponent("pipe")
        XCTAssertEqual(mkfifo(pipe.path, 0o600), 0)
        let cases: [(URL, String)] = [
            (folder, "cannot read: is a directory"),
            (pipe, "cannot read: not a regular file (a pipe, socket or device); files are read whole from disk"),
            (URL(fileURLWithPath: "/dev/zero"), "cannot read: not a regular file (a pipe, socket or device); files are read whole from disk"),
        ]
        for (url, reason) in cases {
            XCTAssertThrowsError(try SafeTensors.read(from: url)) { error in
                XCTAssertEqual(error as? SafeTensorsError, .io(file: url.path, reason: reason))
            }
        }
    }
}
