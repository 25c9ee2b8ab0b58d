import Foundation
import Perceptron
@testable import PerceptronServe
@testable import PerceptronServeRequests
import XCTest

/// `serve --model NAME=PATH` with a path that is no model file: the error names the file and
/// says why (it once surfaced Foundation's "NSCocoaErrorDomain error 256" for a folder).
final class ModelPathTests: XCTestCase {
    func testFolderMissingFileAndPipeAreRefusedByName() throws {
        let folder = try ServeFixtures.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pipe = folder.appendingPathComponent("pipe")
        XCTAssertEqual(mkfifo(pipe.path, 0o600), 0)
        let missing = folder.appendingPathComponent("missing.safetensors")
        let cases: [(String, String)] = [
            (folder.path, "cannot read: is a directory"),
            (missing.path, "no such file"),
            (pipe.path, "cannot read: not a regular file (a pipe, socket or device); files are read whole from disk"),
        ]
        for (path, reason) in cases {
            XCTAssertThrowsError(try ServedModel(name: "m", path: path, options: ServeOptions(models: [("m", path)]),
                                                 onBatch: { _ in })) { error in
                XCTAssertEqual(error as? SafeTensorsError, .io(file: path, reason: reason))
            }
        }
    }
}
