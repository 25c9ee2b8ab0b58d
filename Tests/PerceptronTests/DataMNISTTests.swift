import Foundation
import XCTest
@testable import Perceptron
@testable import PerceptronData

final class DataMNISTTests: XCTestCase {
    let tiny = fixtureURL("data/mnist-tiny")

    func testLoadsGzipImagesAndRawLabels() throws {
        let train = try MNIST.load(from: tiny, split: .train)
        XCTAssertEqual(train.features.rows, 3)
        XCTAssertEqual(train.features.columns, 4)
        XCTAssertEqual(train.features.row(0), [0, 1, 0.2, 0.4])  // 0, 255, 51, 102 over 255
        XCTAssertEqual(train.targets, Matrix(column: [7, 0, 9]))
        XCTAssertEqual(train.featureNames, ["pixel_0_0", "pixel_0_1", "pixel_1_0", "pixel_1_1"])
    }

    func testCountMismatchBetweenImagesAndLabels() {
        XCTAssertThrowsError(try MNIST.load(from: tiny, split: .test)) { error in
            guard case .countMismatch(_, 2, _, 3)? = error as? DataError else { return XCTFail("\(error)") }
        }
    }

    func testHeaderChecks() throws {
        let folder = try temporaryFolder(self)
        func write(_ bytes: [UInt8]) -> URL {
            let url = folder.appendingPathComponent("f-\(UUID().uuidString)")
            _ = FileManager.default.createFile(atPath: url.path, contents: Data(bytes))
            return url
        }
        func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }
        func assertIDX(_ url: URL, labels: Bool = false, _ fragment: String, line: UInt = #line) {
            XCTAssertThrowsError(try labels ? MNIST.loadLabels(from: url) : MNIST.loadImages(from: url), line: line) { error in
                guard case let .invalidIDX(_, reason)? = error as? DataError else { return XCTFail("\(error)", line: line) }
                XCTAssertTrue(reason.contains(fragment), "\(reason)", line: line)
            }
        }
        assertIDX(write([0, 0, 8]), "shorter than the 16-byte")
        assertIDX(write(be(2049) + be(1) + be(1) + be(1) + [0]), "magic number 2049, expected 2051")
        assertIDX(write(be(2051) + be(2) + be(2) + be(2) + [UInt8](repeating: 0, count: 7)), "payload has 7")
        assertIDX(write(be(2051) + be(0xFFFF_FFFF) + be(0xFFFF_FFFF) + be(0xFFFF_FFFF)), "header says")
        assertIDX(write(be(2051) + be(1) + be(0) + be(2)), "image size 0×2")
        assertIDX(write(be(2051) + be(1)), labels: true, "magic number 2051, expected 2049")
        assertIDX(write(be(2049) + be(3) + [1, 2]), labels: true, "header says 3 labels")
        assertIDX(write(be(2049) + be(1) + [12]), labels: true, "label 12")
        XCTAssertThrowsError(try MNIST.loadLabels(from: write([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9]))) { error in
            guard case .decompressionFailed? = error as? DataError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try MNIST.load(from: folder)) { error in
            guard case .fileNotFound? = error as? DataError else { return XCTFail("\(error)") }
        }
    }

    func testMD5KnownVectors() {
        // RFC 1321, appendix A.5.
        XCTAssertEqual(MD5.hex([UInt8]()), "d41d8cd98f00b204e9800998ecf8427e")
        XCTAssertEqual(MD5.hex(Array("abc".utf8)), "900150983cd24fb0d6963f7d28e17f72")
        XCTAssertEqual(MD5.hex(Array("message digest".utf8)), "f96b697d7cb7938d525a2f31aaf161d0")
        let digits = String(repeating: "1234567890", count: 8)
        XCTAssertEqual(MD5.hex(Array(digits.utf8)), "57edf4a22be3c955ac49da2e2107b67a")
        XCTAssertEqual(MD5.hex(Data(digits.utf8)), "57edf4a22be3c955ac49da2e2107b67a")
    }

    func testFetchFromFolderVerifiesUncompressedChecksum() throws {
        let destination = try temporaryFolder(self).appendingPathComponent("mnist")
        let files = [("train-images-idx3-ubyte", "0acac97a1aacda5a3bb25fbbf4c5e2ac"),
                     ("train-labels-idx1-ubyte", "d10e6e558e86329ed2ac6b0d678bb6ba")]
        _ = try Datasets.fetch(files: files, from: tiny, to: destination)
        let names = try FileManager.default.contentsOfDirectory(atPath: destination.path).sorted()
        XCTAssertEqual(names, ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte"])
        XCTAssertEqual(try MNIST.load(from: destination).features.rows, 3)
        // A second fetch keeps the verified files.
        _ = try Datasets.fetch(files: files, from: tiny, to: destination)

        let other = try temporaryFolder(self)
        XCTAssertThrowsError(try Datasets.fetchMNIST(from: tiny, to: other)) { error in
            XCTAssertEqual(error as? DataError, .checksumMismatch(
                file: tiny.appendingPathComponent("train-images-idx3-ubyte.gz").path,
                expected: "6bbc9ace898e44ae57da46a324031adb", got: "0acac97a1aacda5a3bb25fbbf4c5e2ac"))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: other.path), [])  // nothing written
    }

    /// The real test split, when the shared data folder is beside the checkout.
    func testRealMNISTTestSplitWhenAvailable() throws {
        let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../shared/data/mnist").standardized
        guard FileManager.default.fileExists(atPath: shared.path) else {
            throw XCTSkip("no shared MNIST folder at \(shared.path)")
        }
        let destination = try temporaryFolder(self)
        _ = try Datasets.fetch(files: Array(Datasets.mnistFiles[2...]), from: shared, to: destination)
        let test = try MNIST.load(from: destination, split: .test)
        XCTAssertEqual(test.features.rows, 10000)
        XCTAssertEqual(test.features.columns, 784)
        XCTAssertEqual(test.targets[0, 0], 7)
        XCTAssertEqual(test.features.elements.max(), 1)
    }
}
