// PerceptronPruneBenchmark: accuracy, size and inference time against sparsity on MNIST
// (issue 11), with the library calls `perceptron prune` makes. Release build:
//
//   PerceptronPruneBenchmark prepare --data-dir DIR --out DIR [--epochs 5] [--fine-tune 2]
//                                    [--sparsities 0.5,0.8,0.9,0.95] [--threads 1]
//       Trains a dense 784-256-128-10 network (ReLU, softmax; sparse categorical cross-entropy,
//       Adam 0.001, batch 200, seed 1: `perceptron train --dataset mnist --layers 256,128`'s
//       defaults) on the 60,000 training images and saves it as dense.safetensors; then, from
//       that file each time, at each sparsity: global magnitude pruning one-shot
//       (global-S-ft0), global pruning fine-tuned for --fine-tune epochs at the gradual
//       schedule with the masks held (global-S-ftF), and the same followed by neuron removal
//       on the training images (neurons-S-ftF, `perceptron prune --method neurons`), and
//       structured pruning: the fraction S of each hidden layer's units of smallest weight
//       norm removed, then --fine-tune epochs (units-S-ftF, `perceptron prune --method
//       units`). The controlled dense row: the dense file trained --fine-tune epochs more
//       the same way, without pruning (dense-ftF), the peer of every fine-tuned model.
//       Writes the files and models.txt (their names, dense first) to --out.
//   PerceptronPruneBenchmark measure --data-dir DIR --out DIR [--reps 7] [--threads 1]
//       For each model in models.txt: file size, parameters, Dense widths, the fraction of
//       Dense weights that are zero and the test accuracy (10,000 images); with --reps N ≥ 1
//       also the time to predict the 10,000 test images in one call (Predictor.outputs, after
//       a warm-up call), the models interleaved, one call each per round, so a slow spell of
//       a shared machine falls on all alike: median, and its ratio to the dense model's.
//       --reps 0 skips the timing. One JSON object per model on stdout.
//   PerceptronPruneBenchmark plot --results JSONL --output SVG
//       The accuracy-against-sparsity curve (LineFigure) from measure's records: one line per
//       method, x the share of the dense model's Dense weights that are zero or removed, the
//       dense models as reference lines; and the same without the one-shot line (SVG's name
//       with -fine-tuned before .svg), whose axis shows the fine-tuned lines apart.
import Foundation
import Perceptron
import PerceptronData

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("PerceptronPruneBenchmark: error: \(message)\n".utf8))
    exit(2)
}

func option(_ name: String) -> String? {
    let argv = CommandLine.arguments
    guard let i = argv.firstIndex(of: name), i + 1 < argv.count else { return nil }
    return argv[i + 1]
}

func integerOption(_ name: String, default value: Int) -> Int {
    guard let text = option(name) else { return value }
    guard let n = Int(text), n >= 0 else { fail("\(name) takes an integer ≥ 0, got \(text)") }
    return n
}

func log(_ message: String) { FileHandle.standardError.write(Data("\(message)\n".utf8)) }

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

let mode = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : ""
guard ["prepare", "measure", "plot"].contains(mode) else { fail("usage: prepare|measure --data-dir DIR --out DIR …, plot --results JSONL --output SVG") }
if mode == "plot" {
    guard let results = option("--results"), let output = option("--output") else { fail("plot needs --results JSONL --output SVG") }
    let rows = try String(contentsOfFile: results, encoding: .utf8).split(separator: "\n").map { line -> [String: Any] in
        guard let row = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { fail("\(results): not JSON objects") }
        return row
    }
    func name(_ row: [String: Any]) -> String { (row["model"] as? String ?? "").replacingOccurrences(of: ".safetensors", with: "") }
    func number(_ row: [String: Any], _ key: String) -> Double { (row[key] as? NSNumber)?.doubleValue ?? .nan }
    guard let dense = rows.first(where: { name($0) == "dense" }), number(dense, "weights") > 0 else {
        fail("\(results): no dense row with a weights count")
    }
    let denseWeights = number(dense, "weights")
    var series: [LineFigure.Series] = []
    var references: [LineFigure.ReferenceLine] = []
    var methods: [(prefix: String, label: String)] = []
    for row in rows {
        let parts = name(row).split(separator: "-")
        guard parts.count == 3 else { continue }
        let prefix = "\(parts[0])-*-\(parts[2])"
        if !methods.contains(where: { $0.prefix == prefix }) {
            let epochs = parts[2].dropFirst(2)
            let how = ["global": "global magnitude", "neurons": "global magnitude + neuron removal",
                       "units": "unit-wise (structured)"][String(parts[0])] ?? String(parts[0])
            methods.append((prefix, epochs == "0" ? "\(how), one-shot" : "\(how), \(epochs) fine-tuning epochs"))
        }
    }
    for method in methods {
        let points = rows.filter { row in
            let parts = name(row).split(separator: "-")
            return parts.count == 3 && "\(parts[0])-*-\(parts[2])" == method.prefix
        }.map { row in
            LineFigure.Point(x: 100 * (1 - number(row, "nonzero_weights") / denseWeights), y: 100 * number(row, "accuracy"))
        }.sorted { $0.x < $1.x }
        series.append(.init(name: method.label, points: points, dashed: method.prefix.hasSuffix("ft0")))
    }
    for row in rows where name(row).hasPrefix("dense") {
        let label = name(row) == "dense" ? "dense" : "dense, \(name(row).dropFirst("dense-ft".count)) more epochs"
        references.append(.init(name: String(format: "%@ (%.2f %%)", label, 100 * number(row, "accuracy")), y: 100 * number(row, "accuracy")))
    }
    // Two figures: every method, and the fine-tuned ones alone (one-shot pruning falls so far
    // that, on the same axis, the fine-tuned lines share a few pixels).
    let xLabel = "Dense weights zero or removed (% of the dense model's)"
    let all = try LineFigure(series: series, references: references, xLabel: xLabel, yLabel: "test accuracy (%)",
                             title: "MNIST 784-256-128-10: test accuracy against sparsity")
    try Data(all.svg().utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
    let fineTuned = series.filter { !$0.name.hasSuffix("one-shot") }
    if !fineTuned.isEmpty, fineTuned.count < series.count {
        let zoomed = try LineFigure(series: fineTuned, references: references, xLabel: xLabel, yLabel: "test accuracy (%)",
                                    title: "MNIST 784-256-128-10: test accuracy against sparsity, fine-tuned models")
        let path = output.hasSuffix(".svg") ? String(output.dropLast(4)) + "-fine-tuned.svg" : output + "-fine-tuned.svg"
        try Data(zoomed.svg().utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
    exit(0)
}
let folder = URL(fileURLWithPath: option("--data-dir") ?? "../shared/data/mnist")
guard let outPath = option("--out") else { fail("--out DIR is required") }
let out = URL(fileURLWithPath: outPath)
let threads = max(1, integerOption("--threads", default: 1))
try ComputeSettings.setThreadCount(threads)
let list = out.appendingPathComponent("models.txt")
let batchSize = 200

if mode == "prepare" {
    let epochs = integerOption("--epochs", default: 5)
    let fineTune = integerOption("--fine-tune", default: 2)
    let sparsities = (option("--sparsities") ?? "0.5,0.8,0.9,0.95").split(separator: ",").map { text -> Double in
        guard let s = Double(text), s >= 0, s < 1 else { fail("--sparsities takes fractions in [0, 1), got \(text)") }
        return s
    }
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    let train = try MNIST.load(from: folder, split: .train)
    let dense = try Sequential(inputSize: 784, layers: [Dense(256, activation: .relu), Dense(128, activation: .relu),
                                                        Dense(10, activation: .softmax)], seed: 1)
    try dense.compile(loss: .sparseCategoricalCrossEntropy, optimizer: Adam(learningRate: 0.001), metrics: [.accuracy])
    var start = Date()
    try dense.fit(train.features, train.targets, epochs: epochs, batchSize: batchSize)
    log("dense: \(epochs) epochs in \(Int(-start.timeIntervalSinceNow)) s")
    let denseFile = out.appendingPathComponent("dense.safetensors")
    try ModelFile.save(dense, to: denseFile)
    var names = ["dense.safetensors"]
    if fineTune > 0 {
        // The controlled peer of the fine-tuned models: as many epochs in all, no pruning.
        start = Date()
        let longer = try ModelFile.load(from: denseFile).model
        try longer.fit(train.features, train.targets, epochs: fineTune, batchSize: batchSize)
        try ModelFile.save(longer, to: out.appendingPathComponent("dense-ft\(fineTune).safetensors"))
        names.append("dense-ft\(fineTune).safetensors")
        log("dense-ft\(fineTune): \(Int(-start.timeIntervalSinceNow)) s")
    }
    for s in sparsities {
        for (method, epochs) in [("global", 0), ("global", fineTune), ("neurons", fineTune), ("units", fineTune)] {
            start = Date()
            // Each from the saved dense model, as `perceptron prune` reads it.
            var model = try ModelFile.load(from: denseFile).model
            var note = ""
            if method == "units" {
                let pruned = try UnitPruning.prune(model, fraction: s, fineTuneOn: train.features, train.targets, epochs: epochs, batchSize: batchSize)
                note = pruned.report.narrowed.map { "layer \($0.layer) \($0.unitsBefore)→\($0.unitsAfter)" }.joined(separator: ", ")
                model = pruned.model
            } else if epochs > 0 {
                try model.prune(to: s, scope: .global, fineTuneOn: train.features, train.targets, epochs: epochs, batchSize: batchSize)
            } else {
                try model.prune(to: s, scope: .global)
            }
            if method == "neurons" {
                let (narrowed, report) = try NeuronPruning.narrowed(model, data: train.features)
                note = report.narrowed.map { "layer \($0.layer) \($0.unitsBefore)→\($0.unitsAfter)" }.joined(separator: ", ")
                model = narrowed
            }
            let name = "\(method)-\(s)-ft\(epochs).safetensors"
            try ModelFile.save(model, to: out.appendingPathComponent(name))
            names.append(name)
            log("\(name): \(Int(-start.timeIntervalSinceNow)) s \(note)")
        }
    }
    try (names.joined(separator: "\n") + "\n").write(to: list, atomically: true, encoding: .utf8)
} else {
    let reps = integerOption("--reps", default: 7)
    let test = try MNIST.load(from: folder, split: .test)
    let names = try String(contentsOf: list, encoding: .utf8).split(separator: "\n").map(String.init)
    let files = names.map { out.appendingPathComponent($0) }
    let predictors = try files.map { try Predictor(contentsOf: $0) }
    let models = try files.map { try ModelFile.load(from: $0).model }
    var times = Array(repeating: [Double](), count: files.count)
    if reps > 0 {
        for predictor in predictors { _ = try predictor.outputs(test.features) }
        for _ in 0..<reps {
            for (k, predictor) in predictors.enumerated() {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try predictor.outputs(test.features)
                times[k].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
        }
    }
    for (k, file) in files.enumerated() {
        let classes = try predictors[k].classes(test.features)
        let correct = zip(classes, test.classIndices).filter { $0 == $1 }.count
        let size = (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.intValue ?? 0
        let model = models[k]
        var zeros = 0, weights = 0
        for case let layer as Dense in model.layers {
            zeros += layer.weight.elements.filter { $0 == 0 }.count
            weights += layer.weight.count
        }
        let widths = model.layers.compactMap { ($0 as? Dense)?.units }.map(String.init).joined(separator: "-")
        var row: [String: Any] = [
            "model": names[k], "bytes": size, "parameters": model.parameterCount,
            "dense_widths": "\(model.inputSize)-\(widths)", "weight_sparsity": Double(zeros) / Double(max(1, weights)),
            "accuracy": Double(correct) / Double(test.count), "threads": threads,
            "weights": weights, "nonzero_weights": weights - zeros,
        ]
        if reps > 0 {
            row["predict_10000_ms"] = median(times[k])
            row["predict_10000_ms_all"] = times[k].map { ($0 * 100).rounded() / 100 }
            row["ratio_to_first"] = median(times[k]) / median(times[0])
            row["reps"] = reps
        }
        let json = try JSONSerialization.data(withJSONObject: row, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }
}
