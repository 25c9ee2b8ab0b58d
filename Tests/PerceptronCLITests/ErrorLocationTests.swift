import Foundation
import XCTest

/// Errors about small or empty data name the file (and line) in the command line's words.
/// (Before: one data row gave "Invalid testFraction = 0.2 …", a class held out whole gave
/// "class … was not seen in training", and an MNIST folder of zero images gave "Empty data:
/// x has no rows".)
final class ErrorLocationTests: TemporaryFolderTestCase {
    func error(_ result: PerceptronProcess.Result, line: UInt = #line) -> String {
        XCTAssertEqual(result.status, 1, result.stderr, line: line)
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("perceptron: error: ") }
        XCTAssertEqual(errors.count, 1, result.stderr, line: line)
        return errors.first.map(String.init) ?? ""
    }

    func csv(_ name: String, _ text: String) throws {
        try text.write(to: folder.appendingPathComponent(name), atomically: false, encoding: .utf8)
    }

    func testOneRowIsTooFewForTheTestSplit() throws {
        try csv("one.csv", "a,b,y\n1,2,3.5\n")
        let message = error(try perceptron("train", "--csv", "one.csv", "--target", "y"))
        XCTAssertTrue(message.contains("one.csv: 1 row cannot be split by --test-split 0.2"), message)
        XCTAssertFalse(message.contains("testFraction"), message)
    }

    func testAClassHeldOutWholeIsNamedWithItsLines() throws {
        try csv("two.csv", "a,y\n1,x\n2,z\n")
        let message = error(try perceptron("train", "--csv", "two.csv", "--target", "y"))
        XCTAssertTrue(message.contains("two.csv: class \""), message)
        XCTAssertTrue(message.contains("of column \"y\" has 1 row (line "), message)
        XCTAssertTrue(message.contains("--test-split 0.2 held it out"), message)
        XCTAssertFalse(message.contains("not seen in training"), message)

        try csv("six.csv", "a,y\n1,x\n2,x\n3,x\n4,z\n5,z\n6,w\n")
        let six = error(try perceptron("train", "--csv", "six.csv", "--target", "y", "--test-split", "0.5"))
        XCTAssertTrue(six.contains("six.csv: class \"w\" of column \"y\" has 1 row (line 7)"), six)
    }

    func testAnMNISTFolderWithoutImagesNamesTheFile() throws {
        let mnist = folder.appendingPathComponent("mnist")
        try FileManager.default.createDirectory(at: mnist, withIntermediateDirectories: true)
        let images = Data([0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28])  // magic 2051, 0 images of 28 × 28
        let labels = Data([0, 0, 8, 1, 0, 0, 0, 0])  // magic 2049, 0 labels
        for split in ["train", "t10k"] {
            try images.write(to: mnist.appendingPathComponent("\(split)-images-idx3-ubyte"))
            try labels.write(to: mnist.appendingPathComponent("\(split)-labels-idx1-ubyte"))
        }
        let message = error(try perceptron("train", "--dataset", "mnist", "--data-dir", "mnist"))
        XCTAssertTrue(message.contains("mnist/train-images-idx3-ubyte: file is empty"), message)
    }

    func testTooFewRowsForTheFolds() throws {
        try csv("three.csv", "a,y\n1,1.5\n2,2.5\n3,3.5\n")
        let message = error(try perceptron("cross-validate", "--csv", "three.csv", "--target", "y", "--folds", "5"))
        XCTAssertTrue(message.contains("three.csv: 3 rows are too few for --folds 5"), message)
    }
}

extension ErrorLocationTests {
    func testASingleClassTargetNamesTheFileAndColumn() throws {
        try csv("oneclass.csv", "a,y\n1,x\n2,x\n3,x\n")
        let message = error(try perceptron("train", "--csv", "oneclass.csv", "--target", "y", "--test-split", "0"))
        XCTAssertTrue(message.contains("oneclass.csv: the target column \"y\" holds 1 class (\"x\")"), message)
    }
}
