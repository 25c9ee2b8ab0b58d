import Foundation
import Perceptron
import PerceptronData

/// The file each input is written to, so that it goes through `CSVTable.read`, the entry
/// the command line uses (gzip detection, UTF-8 check, parsing), whatever reader is behind it.
let scratchFile = FileManager.default.temporaryDirectory
    .appendingPathComponent("perceptron-fuzz-csv-\(ProcessInfo.processInfo.processIdentifier).csv")

/// libFuzzer entry: the bytes are a CSV file. It is read with and without a header; each
/// table is fitted (target: the last column, then no target) and transformed.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard (try? data.write(to: scratchFile)) != nil else { fatalError("cannot write \(scratchFile.path)") }
    for hasHeader in [true, false] {
        guard let table = try? CSVTable.read(contentsOf: scratchFile, hasHeader: hasHeader) else { continue }
        for target in [String(table.columnNames.count), nil] {
            guard let preprocessor = try? Preprocessor.fit(table, options: .init(target: target)) else { continue }
            _ = try? preprocessor.transform(table)
            // The preprocessing is saved in model files as JSON: it must read back.
            if let json = try? preprocessor.jsonString() {
                guard (try? Preprocessor(jsonString: json)) != nil else { fatalError("preprocessor JSON does not read back: \(json)") }
            }
        }
    }
    return 0
}
