import Foundation
import Perceptron
import PerceptronData

/// The file each input is written to, so that it goes through the public loaders (gzip
/// detection, then the IDX header and payload checks), as `MNIST.load(from:)` does.
let scratchFile = FileManager.default.temporaryDirectory
    .appendingPathComponent("perceptron-fuzz-idx-\(ProcessInfo.processInfo.processIdentifier)")

/// libFuzzer entry: the bytes are an IDX file (raw or gzip), read as images and as labels.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard (try? data.write(to: scratchFile)) != nil else { fatalError("cannot write \(scratchFile.path)") }
    if let images = try? MNIST.loadImages(from: scratchFile) {
        precondition(images.elements.allSatisfy { $0 >= 0 && $0 <= 1 }, "pixel outside [0, 1]")
    }
    if let labels = try? MNIST.loadLabels(from: scratchFile) {
        precondition(labels.elements.allSatisfy { $0 >= 0 && $0 <= 9 }, "label outside 0–9")
    }
    return 0
}
