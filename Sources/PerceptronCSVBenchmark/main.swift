// Loads one CSV file the way `perceptron train --csv` does and prints one JSON line:
// seconds (wall and CPU), rows, columns, bytes. bench/csv/run.sh runs it under /usr/bin/time -v on one
// core beside pandas.read_csv and polars.read_csv (never part of the tests).
//
//   perceptron-csv-bench FILE [--mode table|preprocess]
//     table       CSVTable.read (the reader alone)
//     preprocess  CSVTable.read, then Preprocessor.fit + transform (what train needs)
import Foundation
import Perceptron
import PerceptronData

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: perceptron-csv-bench FILE [--mode table|preprocess]\n".utf8))
    exit(2)
}
let path = arguments[1]
let mode = arguments.firstIndex(of: "--mode").map { arguments[$0 + 1] } ?? "table"
let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0

/// CPU seconds of this process (user + system), unaffected by waiting for a busy core.
func cpuSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
}

let start = ContinuousClock.now
let cpuStart = cpuSeconds()
var rows = 0, columns = 0
do {
    let table = try CSVTable.read(contentsOf: URL(fileURLWithPath: path))
    rows = table.rowCount
    columns = table.columnNames.count
    if mode == "preprocess" {
        let pre = try Preprocessor.fit(table, options: .init(target: table.columnNames.last))
        let (x, _) = try pre.transform(table)
        columns = x.columns + 1
    }
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
let cpu = cpuSeconds() - cpuStart
let elapsed = ContinuousClock.now - start
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
print("{\"reader\": \"perceptron-\(mode)\", \"seconds\": \(seconds), \"cpu_seconds\": \(cpu), \"rows\": \(rows), \"columns\": \(columns), \"bytes\": \(bytes)}")
