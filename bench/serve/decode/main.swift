// Request-decoding micro-benchmark (bench/serve/decode/run.sh compiles it twice: against the
// serve sources of a base commit, and against the working tree's with -D FAST_ROWS).
// Per body: µs of this thread's CPU time to turn it into the feature matrix, the way
// RequestDecoder does (CPU time, not wall: it holds up better on a shared machine).
import Foundation

/// This thread's CPU time in nanoseconds.
func threadCPUNanoseconds() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}

/// Pixel text as bench/serve/run.py writes it: 0, or p/255 with 6 significant digits; or, as
/// Python's json.dumps writes a float array, 0.0 or the shortest round-trip digits
/// (`0.32941176470588235`; Swift's `description` is the same).
func mnistRow(_ seed: Int, asPython: Bool = false) -> String {
    var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 | 1
    var values: [String] = []
    for _ in 0..<784 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let r = Int(state >> 33)
        let pixel = Double(r % 255 + 1) / 255
        if asPython {
            values.append(r % 5 < 4 ? "0.0" : pixel.description)
        } else {
            values.append(r % 5 < 4 ? "0" : String(format: "%.6g", pixel))
        }
    }
    return "[" + values.joined(separator: asPython ? ", " : ",") + "]"
}

var bodies: [(String, [UInt8], Int)] = [
    ("mnist1", Array(("{\"inputs\": [" + mnistRow(1) + "]}").utf8), 784),
    ("mnist32", Array(("{\"inputs\": [" + (0..<32).map { mnistRow($0) }.joined(separator: ",") + "]}").utf8), 784),
    ("mnist32py", Array(("{\"inputs\": [" + (0..<32).map { mnistRow($0, asPython: true) }.joined(separator: ", ") + "]}").utf8), 784),
    ("titanic", Array(#"{"instances": [{"Pclass": 3, "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": "S"}]}"#.utf8), 0),
]
// The load test's own bodies (real MNIST test images, written by bench/serve/run.py), when
// given as arguments: the first line of each 784-wide `.jsonl`. Random pixels scatter the
// non-zeros, real images cluster them, and the branch predictor sees the difference.
for path in CommandLine.arguments.dropFirst() {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8), let line = text.split(separator: "\n").first else { continue }
    let name = "real-" + ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    bodies.append((name, Array(line.utf8), 784))
}

/// The general path: the value tree, then the rows (RequestDecoder.decodeInputs' loop).
func generalRows(_ bytes: UnsafeRawBufferPointer, width: Int) -> [Float] {
    guard case .object(let members) = try! JSONParser.parse(bytes), case .array(let rows) = members[0].value else { fatalError() }
    var features = [Float](repeating: 0, count: rows.count * width)
    for (r, row) in rows.enumerated() {
        guard case .array(let values) = row else { fatalError() }
        for (j, v) in values.enumerated() {
            guard case .number(let x) = v else { fatalError() }
            features[r * width + j] = Float(x)
        }
    }
    return features
}

func decode(_ bytes: UnsafeRawBufferPointer, width: Int) -> Int {
    if width == 0 { return try! JSONParser.parse(bytes).typeName.count }  // instances: the parse
    #if FAST_ROWS
    return FeatureRowsDecoder.decode(bytes, width: width, maxRows: 1024)!.features.count
    #else
    return generalRows(bytes, width: width).count
    #endif
}

var sink = 0
for (name, body, width) in bodies {
    let perRep = width == 0 ? 20_000 : (body.count > 100_000 ? 100 : 2_000)
    var samples: [Double] = []
    body.withUnsafeBytes { raw in
        for _ in 0..<7 {
            let start = threadCPUNanoseconds()
            for _ in 0..<perRep { sink &+= decode(raw, width: width) }
            samples.append(Double(threadCPUNanoseconds() - start) / 1000 / Double(perRep))
        }
    }
    samples.sort()
    print("\(name)\t\(body.count) bytes\tmedian \(String(format: "%.2f", samples[3])) µs CPU\tmin \(String(format: "%.2f", samples[0])) µs")
}
if sink == 42 { print("") }
