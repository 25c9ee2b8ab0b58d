import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every command that writes a file refuses an output that exists and is not a regular
/// file, and `train` checks its outputs before training, not after. (Before: `-o` onto a
/// symbolic link or, as root, `-o /dev/full` replaced it with a regular file.)
final class OutputSafetyTests: TemporaryFolderTestCase {
    func assertRefusedBeforeTraining(_ result: PerceptronProcess.Result, option: String, mentions text: String,
                                     line: UInt = #line) {
        XCTAssertEqual(result.status, 1, result.stderr, line: line)
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("perceptron: error: \(option) ") }
        XCTAssertEqual(errors.count, 1, result.stderr, line: line)
        XCTAssertTrue(result.stderr.contains(text), result.stderr, line: line)
        XCTAssertFalse(result.stderr.contains("epoch 1/"), "trained before refusing: \(result.stderr)", line: line)
        XCTAssertFalse(result.stderr.contains("Column roles"), "loaded the data before refusing: \(result.stderr)", line: line)
    }

    func testTrainRefusesALinkAFIFOAFolderAndAMissingFolderBeforeTraining() throws {
        try Data("precious".utf8).write(to: folder.appendingPathComponent("real.safetensors"))
        try FileManager.default.createSymbolicLink(atPath: path("link.safetensors"), withDestinationPath: path("real.safetensors"))
        assertRefusedBeforeTraining(try perceptron("train", "--dataset", "iris", "--epochs", "1", "-o", "link.safetensors"),
                                    option: "--output", mentions: "symbolic link")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: path("link.safetensors")), path("real.safetensors"))
        XCTAssertEqual(try String(contentsOfFile: path("real.safetensors"), encoding: .utf8), "precious")

        XCTAssertEqual(mkfifo(path("fifo"), 0o644), 0)
        assertRefusedBeforeTraining(try perceptron("train", "--dataset", "iris", "--epochs", "1", "-o", "fifo"),
                                    option: "--output", mentions: "FIFO")
        assertRefusedBeforeTraining(try perceptron("train", "--dataset", "iris", "--epochs", "1", "-o", "."),
                                    option: "--output", mentions: "folder")
        assertRefusedBeforeTraining(try perceptron("train", "--dataset", "iris", "--epochs", "1", "-o", "missing/m.safetensors"),
                                    option: "--output", mentions: "does not exist")
        assertRefusedBeforeTraining(try perceptron("train", "--dataset", "iris", "--epochs", "1", "--history-csv", "link.safetensors"),
                                    option: "--history-csv", mentions: "symbolic link")
        assertRefusedBeforeTraining(try perceptron("train", "--dataset", "iris", "--epochs", "1", "--report", "link.safetensors"),
                                    option: "--report", mentions: "symbolic link")
        assertRefusedBeforeTraining(try perceptron("train", "--dataset", "iris", "--epochs", "1", "--checkpoint", "fifo"),
                                    option: "--checkpoint", mentions: "FIFO")
        if mknod(path("full"), S_IFCHR | 0o666, 0x107) == 0 {  // a node like /dev/full, made where allowed (root)
            assertRefusedBeforeTraining(try perceptron("train", "--dataset", "iris", "--epochs", "1", "-o", "full"),
                                        option: "--output", mentions: "device")
            var info = stat()
            XCTAssertEqual(lstat(path("full"), &info), 0)
            XCTAssertEqual(info.st_mode & S_IFMT, S_IFCHR, "the device node is still a device")
        }
    }

    func testPredictRefusesALink() throws {
        let train = try perceptron("train", "--dataset", "iris", "--epochs", "2", "-o", "iris.safetensors")
        XCTAssertEqual(train.status, 0, train.stderr)
        try "sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n5.1,3.5,1.4,0.2\n"
            .write(to: folder.appendingPathComponent("rows.csv"), atomically: false, encoding: .utf8)
        try Data("precious".utf8).write(to: folder.appendingPathComponent("real.csv"))
        try FileManager.default.createSymbolicLink(atPath: path("out.csv"), withDestinationPath: path("real.csv"))
        let result = try perceptron("predict", "iris.safetensors", "--csv", "rows.csv", "-o", "out.csv")
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("--output \(path("out.csv"))") || result.stderr.contains("--output out.csv"), result.stderr)
        XCTAssertTrue(result.stderr.contains("symbolic link"), result.stderr)
        XCTAssertEqual(try String(contentsOfFile: path("real.csv"), encoding: .utf8), "precious")
        // A regular file is replaced as before, leaving nothing else behind.
        try FileManager.default.removeItem(atPath: path("out.csv"))
        let ok = try perceptron("predict", "iris.safetensors", "--csv", "rows.csv", "-o", "out.csv")
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)),
                       ["iris.safetensors", "rows.csv", "real.csv", "out.csv"])
    }
}
