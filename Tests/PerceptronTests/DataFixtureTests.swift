import Foundation
import XCTest
@testable import Perceptron

/// The test target's Fixtures folder (copied as a resource), so tests run in a fresh
/// clone without the shared data folder.
func fixtureURL(_ relativePath: String) -> URL {
    guard let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
        fatalError("Fixtures folder missing from the test bundle")
    }
    return root.appendingPathComponent(relativePath)
}

/// A fresh temporary folder, removed at the end of the test.
func temporaryFolder(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("perceptron-data-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

final class DataFixtureTests: XCTestCase {
    func testFixtureFolderIsBundled() {
        XCTAssertTrue(FileManager.default.fileExists(atPath: fixtureURL("data/crlf_quoted.csv").path))
    }
}
