// perceptron-bench: seed 001's workloads, timed in-process, one JSON line on stdout.
//
//   perceptron-bench --workload N --threads T [--data-dir DIR] [--titanic-csv FILE] [--epochs E] [--limit N]
//                    [--precision fp32|bf16]   (workloads 1 and 2: the training products' precision)
//                    [--batch-reps 10] [--single-reps 1000]   (workload 3; 0 skips that part)
//
// 1: MNIST 784-512-128-64-10, ReLU, softmax + cross-entropy, Glorot uniform, Adam 0.001, batch 1000, 10 epochs
// 2: the same network, batch 32, one epoch
// 3: inference: the 10,000 test images in one batch (median ms) and one image (median µs of 1,000)
// 4: Titanic 7-15-1, ReLU, sigmoid + binary cross-entropy, Adam 0.02, batch 100, 1000 epochs
// The contract (keys and meaning) is bench/README.md's.
import Foundation
import Perceptron
import PerceptronData

struct Arguments {
    var workload = 1
    var threads = ComputeSettings.defaultThreadCount()
    var dataDirectory = "../shared/data/mnist"
    var titanicCSV: String?
    var epochs: Int?
    var limit: Int?
    var seed: UInt64 = 1
    /// With bench/tools/malloc_count.c preloaded: count heap allocations in a second fit.
    var countAllocations = false
    /// The training products' precision (workloads 1 and 2); fp32 with a message where unsupported.
    var precision = ComputePrecision.float32
    /// Workload 3: timed 10,000-image predictions and one-image predictions (0 skips that part).
    var batchReps = 10
    var singleReps = 1000
    /// Workload 3: also time predictions of this many images (a server's batch), against the
    /// same forward pass packing the weights on every call (training-mode Dense), in `extra`.
    var smallBatchRows = 32

    init(_ argv: [String]) {
        var i = 1
        func value() -> String {
            i += 1
            guard i < argv.count else { fail("missing value for \(argv[i - 1])") }
            return argv[i]
        }
        while i < argv.count {
            switch argv[i] {
            case "--workload": workload = Int(value()) ?? 0
            case "--threads": threads = Int(value()) ?? 0
            case "--data-dir": dataDirectory = value()
            case "--titanic-csv": titanicCSV = value()
            case "--epochs": epochs = Int(value())
            case "--limit": limit = Int(value())
            case "--seed": seed = UInt64(value()) ?? 1
            case "--count-allocations": countAllocations = true
            case "--batch-reps": batchReps = max(0, Int(value()) ?? 10)
            case "--single-reps": singleReps = max(0, Int(value()) ?? 1000)
            case "--small-batch-rows": smallBatchRows = max(0, Int(value()) ?? 32)
            case "--precision":
                let text = value()
                guard let parsed = ComputePrecision(rawValue: text) else { fail("--precision must be fp32 or bf16, got \(text)") }
                precision = parsed
            default: fail("unknown argument \(argv[i])")
            }
            i += 1
        }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("perceptron-bench: error: \(message)\n".utf8))
    exit(2)
}

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

func peakRSSMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func emit(_ args: Arguments, seconds: Double?, accuracy: Double?, extra: [String: Any] = [:], fields: [String: Any] = [:]) {
    var record: [String: Any] = [
        "impl": "perceptron", "workload": args.workload, "threads": args.threads,
        "seconds": seconds as Any, "test_accuracy": accuracy as Any,
        "peak_rss_mib": (peakRSSMiB() * 10).rounded() / 10, "extra": extra,
    ]
    for (k, v) in fields { record[k] = v }
    let data = try! JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

func mnistNetwork(seed: UInt64) throws -> Sequential {
    try Sequential(inputSize: 784, layers: [
        Dense(512, activation: .relu), Dense(128, activation: .relu), Dense(64, activation: .relu),
        Dense(10, activation: .softmax),
    ], seed: seed)
}

func loadMNIST(_ args: Arguments) throws -> (train: Dataset, test: Dataset) {
    let folder = URL(fileURLWithPath: args.dataDirectory)
    var train = try MNIST.load(from: folder, split: .train)
    let test = try MNIST.load(from: folder, split: .test)
    if let limit = args.limit, limit < train.count { train = train.subset(Array(0..<limit)) }
    return (train, test)
}

/// The preloaded shim's allocation counter, if bench/tools/malloc_count.c is loaded.
func allocationCounter() -> (() -> Int)? {
    guard let symbol = dlsym(nil, "pk_malloc_count") else { return nil }  // nil is RTLD_DEFAULT on glibc
    typealias Counter = @convention(c) () -> Int
    let counter = unsafeBitCast(symbol, to: Counter.self)
    return { counter() }
}

func trainMNIST(_ args: Arguments, batchSize: Int, epochs: Int) throws {
    let (train, test) = try loadMNIST(args)
    let model = try mnistNetwork(seed: args.seed)
    if let reason = args.precision.unsupportedReason {
        FileHandle.standardError.write(Data("perceptron-bench: --precision \(args.precision.rawValue) not available: \(reason); training in fp32\n".utf8))
    }
    try model.compile(loss: .sparseCategoricalCrossEntropy, optimizer: Adam(learningRate: 0.001), metrics: [.accuracy],
                      precision: args.precision.orFloat32Fallback)
    if args.countAllocations {
        guard let count = allocationCounter() else { fail("--count-allocations needs LD_PRELOAD of bench/tools/malloc_count.so") }
        try model.fit(train.features, train.targets, epochs: 1, batchSize: batchSize)  // buffers and pools warm up
        let before = count()
        try model.fit(train.features, train.targets, epochs: 1, batchSize: batchSize)
        let allocations = count() - before
        let steps = (train.count + batchSize - 1) / batchSize
        emit(args, seconds: nil, accuracy: nil, extra: ["allocations_in_one_epoch_fit": allocations, "steps": steps,
                                                       "allocations_per_step": Double(allocations) / Double(steps)])
        return
    }
    let start = now()
    let history = try model.fit(train.features, train.targets, epochs: args.epochs ?? epochs, batchSize: batchSize)
    let seconds = now() - start
    let accuracy = try model.evaluate(test.features, test.targets)["accuracy"]!
    let epochTimes = zip(history.epochs, [EpochLogs(epoch: -1, values: [:], elapsed: 0)] + history.epochs).map { $0.elapsed - $1.elapsed }
    emit(args, seconds: seconds, accuracy: Double(accuracy),
         extra: ["epoch_seconds": epochTimes, "final_loss": history["loss"].last ?? .nan, "batch_size": batchSize,
                 "precision": model.trainingPrecision.rawValue])
}

func inference(_ args: Arguments) throws {
    let (_, test) = try loadMNIST(args)
    let model = try mnistNetwork(seed: args.seed)
    var batchTimes: [Double] = []
    var accuracy: Double?
    for _ in 0..<args.batchReps {
        let start = now()
        let p = try model.predict(test.features, batchSize: test.count)
        batchTimes.append(now() - start)
        accuracy = Double(zip(p.argmaxRows(), test.classIndices).filter { $0 == $1 }.count) / Double(test.count)
    }
    let one = test.features.gatherRows(0..<1)
    var singleTimes: [Double] = []
    // Each one-image prediction includes the argmax, as the peers' (bench/README.md).
    for _ in 0..<min(100, args.singleReps) { _ = try model.predictClasses(one) }
    for _ in 0..<args.singleReps {
        let start = now()
        _ = try model.predictClasses(one)
        singleTimes.append(now() - start)
    }
    var extra: [String: Any] = ["note": "untrained network; accuracy is chance level"]
    if args.smallBatchRows > 0 {
        // Both paths compute the same bits; the training-mode pass packs each W per call.
        let x = test.features.gatherRows(0..<min(args.smallBatchRows, test.count))
        var layers = model.layers
        var generator = SeededGenerator(seed: 0)
        var packedOnce: [Double] = [], packedPerCall: [Double] = []
        // 20 warm-up rounds, then at least 10 timed rounds of each path (whatever --single-reps says,
        // 0 included: that flag skips only the one-image part).
        let warmUpRounds = 20
        for round in 0..<(warmUpRounds + 2 * max(args.singleReps, 10)) {
            let start = now()
            if round % 2 == 0 {
                _ = try model.predict(x)
            } else {
                for i in layers.indices {
                    layers[i].forward(i == 0 ? x : layers[i - 1].output, training: true, generator: &generator)
                }
            }
            let elapsed = now() - start
            if round >= warmUpRounds { round % 2 == 0 ? packedOnce.append(elapsed) : packedPerCall.append(elapsed) }
        }
        extra["small_batch_rows"] = x.rows
        extra["small_batch_us"] = median(packedOnce) * 1e6
        extra["small_batch_packing_per_call_us"] = median(packedPerCall) * 1e6
    }
    let batchMedian: Double? = batchTimes.isEmpty ? nil : median(batchTimes)
    let singleMedian: Double? = singleTimes.isEmpty ? nil : median(singleTimes)
    emit(args, seconds: batchMedian, accuracy: accuracy, extra: extra,
         fields: ["batch_ms": batchMedian.map { $0 * 1e3 } ?? NSNull(), "single_us": singleMedian.map { $0 * 1e6 } ?? NSNull()])
}

/// Seed 001's 7 Titanic columns as the peers build them (bench/peers/common.py): Pclass,
/// Sex (male 0, female 1), Age (median of all rows for missing), SibSp, Parch, Fare,
/// Embarked (S 0, C 1, Q 2; missing → the most frequent), standardized on the training rows.
func titanic(_ args: Arguments) throws {
    let table = try args.titanicCSV.map { try CSVTable.read(contentsOf: URL(fileURLWithPath: $0)) } ?? Datasets.titanicTable()
    func column(_ name: String) throws -> [String] { try table.column(name) }
    let ages = try column("Age").compactMap(Double.init).sorted()
    let medianAge = ages.count % 2 == 1 ? ages[ages.count / 2] : (ages[ages.count / 2 - 1] + ages[ages.count / 2]) / 2
    let embarkedCodes = ["S": 0.0, "C": 1.0, "Q": 2.0]
    let embarked = try column("Embarked")
    let mode = Dictionary(grouping: embarked.filter { !$0.isEmpty }, by: { $0 }).max { $0.value.count < $1.value.count }!.key
    let (pclass, sex, age, sibsp, parch, fare, survived) = try (column("Pclass"), column("Sex"), column("Age"), column("SibSp"),
                                                                column("Parch"), column("Fare"), column("Survived"))
    var rows: [[Double]] = []
    for r in 0..<table.rowCount {
        rows.append([Double(pclass[r])!, sex[r] == "female" ? 1 : 0, Double(age[r]) ?? medianAge, Double(sibsp[r])!,
                     Double(parch[r])!, Double(fare[r])!, embarkedCodes[embarked[r].isEmpty ? mode : embarked[r]]!])
    }
    var generator = SeededGenerator(seed: args.seed)
    let order = Array(0..<rows.count).shuffled(using: &generator)
    let trainCount = Int((0.8 * Double(rows.count)).rounded())
    let (trainRows, testRows) = (Array(order[..<trainCount]), Array(order[trainCount...]))
    var mean = [Double](repeating: 0, count: 7), std = [Double](repeating: 0, count: 7)
    for j in 0..<7 {
        mean[j] = trainRows.map { rows[$0][j] }.reduce(0, +) / Double(trainCount)
        std[j] = (trainRows.map { (rows[$0][j] - mean[j]) * (rows[$0][j] - mean[j]) }.reduce(0, +) / Double(trainCount)).squareRoot()
        if std[j] == 0 { std[j] = 1 }
    }
    func matrix(_ indices: [Int]) -> (Matrix, Matrix) {
        (Matrix(indices.map { r in (0..<7).map { Float((rows[r][$0] - mean[$0]) / std[$0]) } }),
         Matrix(column: indices.map { Float(survived[$0])! }))
    }
    let (xTrain, yTrain) = matrix(trainRows), (xTest, yTest) = matrix(testRows)
    let model = try Sequential(inputSize: 7, layers: [Dense(15, activation: .relu), Dense(1, activation: .sigmoid)], seed: args.seed)
    try model.compile(loss: .binaryCrossEntropy, optimizer: Adam(learningRate: 0.02), metrics: [.accuracy])
    let start = now()
    try model.fit(xTrain, yTrain, epochs: args.epochs ?? 1000, batchSize: 100)
    let seconds = now() - start
    emit(args, seconds: seconds, accuracy: Double(try model.evaluate(xTest, yTest)["accuracy"]!))
}

let args = Arguments(CommandLine.arguments)
do {
    try ComputeSettings.setThreadCount(args.threads)
    switch args.workload {
    case 1: try trainMNIST(args, batchSize: 1000, epochs: 10)
    case 2: try trainMNIST(args, batchSize: 32, epochs: 1)
    case 3: try inference(args)
    case 4: try titanic(args)
    default: fail("--workload must be 1, 2, 3 or 4")
    }
} catch {
    fail("\(error)")
}
