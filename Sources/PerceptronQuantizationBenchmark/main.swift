// perceptron-quant-bench: int8 quantization against the float model, one JSON line on stdout.
//
//   perceptron-quant-bench prepare --data-dir DIR --out DIR [--epochs 5] [--threads T]
//       MNIST 784-512-128-64-10 (ReLU, softmax; Adam 0.001, batch 1000, seed 1) and seed 001's
//       Titanic 7-15-1 (Adam 0.02, batch 100, 1000 epochs; 80/20 split, seed 1), trained in
//       float, then quantized dynamic and static (calibrated on 2,000 training images / the
//       Titanic training rows). Writes mnist-float, mnist-int8, mnist-int8-static (and the
//       titanic ones) .safetensors and titanic-test.csv (standardized features, label) to
//       --out; prints test accuracies and file sizes.
//   perceptron-quant-bench time --data-dir DIR --out DIR [--threads T] [--reps 5]
//       The 10,000 test images in one batch and one image at a time, through the float,
//       int8 and int8-static files, interleaved (float, int8, static, float, …): median ms
//       per batch, median µs per image (of 500 after 50 warm-up calls).
import Foundation
import Perceptron
import PerceptronData

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("perceptron-quant-bench: error: \(message)\n".utf8))
    exit(2)
}

func option(_ name: String) -> String? {
    let argv = CommandLine.arguments
    guard let i = argv.firstIndex(of: name), i + 1 < argv.count else { return nil }
    return argv[i + 1]
}
let mode = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : ""
guard ["prepare", "time"].contains(mode) else { fail("usage: prepare|time --data-dir DIR --out DIR …") }
let dataDirectory = option("--data-dir") ?? "../shared/data/mnist"
guard let outPath = option("--out") else { fail("--out DIR is required") }
let out = URL(fileURLWithPath: outPath)
let threads = Int(option("--threads") ?? "") ?? ComputeSettings.defaultThreadCount()
try ComputeSettings.setThreadCount(threads)

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func emit(_ record: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

func accuracy(_ model: Sequential, _ x: Matrix, _ labels: [Int]) throws -> Double {
    let classes = try model.predictClasses(x, batchSize: x.rows)
    return Double(zip(classes, labels).filter { $0 == $1 }.count) / Double(labels.count)
}

func fileSize(_ url: URL) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue ?? 0
}

func file(_ name: String) -> URL { out.appendingPathComponent("\(name).safetensors") }

/// Seed 001's Titanic features (as perceptron-bench's workload 4 builds them): Pclass, Sex,
/// Age (median for missing), SibSp, Parch, Fare, Embarked (S 0, C 1, Q 2), standardized on
/// the training rows of a seeded 80/20 split.
func titanicSplit() throws -> (xTrain: Matrix, yTrain: Matrix, xTest: Matrix, labels: [Int]) {
    let table = try Datasets.titanicTable()
    func column(_ name: String) throws -> [String] { try table.column(name) }
    let ages = try column("Age").compactMap(Double.init).sorted()
    let medianAge = ages.count % 2 == 1 ? ages[ages.count / 2] : (ages[ages.count / 2 - 1] + ages[ages.count / 2]) / 2
    let codes = ["S": 0.0, "C": 1.0, "Q": 2.0]
    let embarked = try column("Embarked")
    let mode = Dictionary(grouping: embarked.filter { !$0.isEmpty }, by: { $0 }).max { $0.value.count < $1.value.count }!.key
    let pclass = try column("Pclass"), sex = try column("Sex"), age = try column("Age")
    let sibsp = try column("SibSp"), parch = try column("Parch"), fare = try column("Fare")
    let survived = try column("Survived")
    var rows: [[Double]] = []
    for r in 0..<table.rowCount {
        let female: Double = sex[r] == "female" ? 1 : 0
        let port: String = embarked[r].isEmpty ? mode : embarked[r]
        let row: [Double] = [Double(pclass[r])!, female, Double(age[r]) ?? medianAge, Double(sibsp[r])!,
                             Double(parch[r])!, Double(fare[r])!, codes[port]!]
        rows.append(row)
    }
    var generator = SeededGenerator(seed: 1)
    let order = Array(0..<rows.count).shuffled(using: &generator)
    let trainCount = Int((0.8 * Double(rows.count)).rounded())
    let (trainRows, testRows) = (Array(order[..<trainCount]), Array(order[trainCount...]))
    var mean = [Double](repeating: 0, count: 7), std = [Double](repeating: 1, count: 7)
    for j in 0..<7 {
        mean[j] = trainRows.map { rows[$0][j] }.reduce(0, +) / Double(trainCount)
        var squares = 0.0
        for r in trainRows { squares += (rows[r][j] - mean[j]) * (rows[r][j] - mean[j]) }
        std[j] = (squares / Double(trainCount)).squareRoot()
        if std[j] == 0 { std[j] = 1 }
    }
    let raw = rows
    func matrix(_ indices: [Int]) -> Matrix {
        var values: [Float] = []
        for r in indices { for j in 0..<7 { values.append(Float((raw[r][j] - mean[j]) / std[j])) } }
        return Matrix(rows: indices.count, columns: 7, elements: values)
    }
    return (matrix(trainRows), Matrix(column: trainRows.map { Float(survived[$0])! }), matrix(testRows),
            testRows.map { Int(survived[$0])! })
}

let folder = URL(fileURLWithPath: dataDirectory)
let test = try MNIST.load(from: folder, split: .test)

if mode == "prepare" {
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    let epochs = Int(option("--epochs") ?? "") ?? 5
    let train = try MNIST.load(from: folder, split: .train)
    let model = try Sequential(inputSize: 784, layers: [
        Dense(512, activation: .relu), Dense(128, activation: .relu), Dense(64, activation: .relu), Dense(10, activation: .softmax),
    ], seed: 1)
    try model.compile(loss: .sparseCategoricalCrossEntropy, optimizer: Adam(learningRate: 0.001), metrics: [.accuracy])
    let start = now()
    try model.fit(train.features, train.targets, epochs: epochs, batchSize: 1000)
    let trainSeconds = now() - start
    let calibration = train.features.gatherRows((0..<2000).map { $0 * train.count / 2000 })
    let dynamic = try model.quantized()
    let calibrated = try model.quantized(activations: .calibrated(calibration))
    var record: [String: Any] = ["mode": "prepare", "threads": threads, "mnist_epochs": epochs, "mnist_train_seconds": trainSeconds]
    for (name, m) in [("mnist-float", model), ("mnist-int8", dynamic), ("mnist-int8-static", calibrated)] {
        try ModelFile.save(m, to: file(name))
        record["\(name)_accuracy"] = try accuracy(m, test.features, test.classIndices)
        record["\(name)_bytes"] = fileSize(file(name))
    }

    let titanic = try titanicSplit()
    let small = try Sequential(inputSize: 7, layers: [Dense(15, activation: .relu), Dense(1, activation: .sigmoid)], seed: 1)
    try small.compile(loss: .binaryCrossEntropy, optimizer: Adam(learningRate: 0.02), metrics: [.accuracy])
    try small.fit(titanic.xTrain, titanic.yTrain, epochs: 1000, batchSize: 100)
    for (name, m) in [("titanic-float", small), ("titanic-int8", try small.quantized()),
                      ("titanic-int8-static", try small.quantized(activations: .calibrated(titanic.xTrain)))] {
        try ModelFile.save(m, to: file(name))
        record["\(name)_accuracy"] = try accuracy(m, titanic.xTest, titanic.labels)
        record["\(name)_bytes"] = fileSize(file(name))
    }
    var csv = "f0,f1,f2,f3,f4,f5,f6,label\n"
    for i in 0..<titanic.xTest.rows { csv += titanic.xTest.row(i).map { "\($0)" }.joined(separator: ",") + ",\(titanic.labels[i])\n" }
    try csv.write(to: out.appendingPathComponent("titanic-test.csv"), atomically: true, encoding: .utf8)
    record["titanic_test_rows"] = titanic.labels.count
    emit(record)
} else {
    let reps = Int(option("--reps") ?? "") ?? 5
    let names = ["mnist-float", "mnist-int8", "mnist-int8-static"]
    let predictors = try names.map { try Predictor(contentsOf: file($0)) }
    var batch = [[Double]](repeating: [], count: names.count)
    var single = [[Double]](repeating: [], count: names.count)
    let one = test.features.gatherRows(0..<1)
    for p in predictors {
        _ = try p.outputs(test.features)
        for _ in 0..<50 { _ = try p.outputs(one) }
    }
    for _ in 0..<reps {
        for (k, p) in predictors.enumerated() {
            let start = now()
            _ = try p.outputs(test.features)
            batch[k].append(now() - start)
        }
        for (k, p) in predictors.enumerated() {
            for i in 0..<100 {
                let row = test.features.gatherRows(i..<(i + 1))
                let start = now()
                _ = try p.outputs(row)
                single[k].append(now() - start)
            }
        }
    }
    var record: [String: Any] = ["mode": "time", "threads": threads, "reps": reps]
    for (k, name) in names.enumerated() {
        record["\(name)_batch_ms"] = median(batch[k]) * 1e3
        record["\(name)_batch_ms_all"] = batch[k].map { ($0 * 1e5).rounded() / 100 }
        record["\(name)_single_us"] = median(single[k]) * 1e6
    }
    emit(record)
}
