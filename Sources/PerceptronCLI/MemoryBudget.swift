import Foundation
import Perceptron

/// Refuses, before anything is allocated, a network whose training would not fit in this
/// machine's memory: the estimate (``TrainingMemoryEstimate``) must stay within ``share``
/// of the memory the process may use, the smaller of the physical memory and a container
/// (cgroup) limit. `--layers 100000000` on Titanic asks for hundreds of GB; without this the
/// allocator ran until the kernel killed the process.
enum MemoryBudget {
    /// The share of the machine's memory a run may plan to use (the data, the process and
    /// everything else running need the rest).
    static let share = 0.8

    /// Rows `Sequential.predict` and `evaluate` run at once.
    static let inferenceChunk = 16_384

    struct Machine {
        /// Bytes the process may use.
        var limit: Double
        /// "physical memory" or "container memory limit".
        var limitSource: String
        /// MemAvailable from /proc/meminfo (Linux), if readable.
        var available: Double?
    }

    /// The memory this process may use.
    static func machine() -> Machine {
        var machine = Machine(limit: Double(ProcessInfo.processInfo.physicalMemory), limitSource: "physical memory", available: nil)
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
               let limit = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)), limit > 0, limit < machine.limit {
                machine.limit = limit
                machine.limitSource = "container memory limit"
            }
        }
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }) {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kB = Double(fields[1]) { machine.available = kB * 1024 }
        }
        return machine
    }

    /// Floats each optimizer keeps per parameter.
    static func optimizerSlots(_ name: OptimizerName) -> Int {
        switch name {
        case .sgd: return 0
        case .momentum, .nesterov, .adagrad: return 1
        case .rmsprop, .adam, .adamw: return 2
        case .amsgrad: return 3
        }
    }

    /// Throws a ``CLIError`` giving the estimate and the machine's memory when training
    /// `layers` on `data` would need more than ``share`` of it.
    static func check(layers: [any Layer], data: PreparedData, batchSize: Int, optimizer: OptimizerName,
                      machine: Machine = machine()) throws {
        let trainRows = data.train.x.rows
        let estimate = TrainingMemoryEstimate(
            inputSize: data.train.x.columns, layers: layers.map(\.configuration),
            batchSize: min(batchSize, max(trainRows, 1)),
            inferenceRows: min(inferenceChunk, max(trainRows, data.test?.x.rows ?? 0)),
            optimizerSlots: optimizerSlots(optimizer))
        guard estimate.total > share * machine.limit else { return }
        var terms = [("weights", estimate.weights), ("gradients", estimate.gradients),
                     ("optimizer state", estimate.optimizerState), ("activations", estimate.activations)]
        if estimate.zeroColumnCopies > 0 { terms.append(("zero-column copies", estimate.zeroColumnCopies)) }
        let parts = terms.map { "\($0.0) \(gigabytes($0.1))" }.joined(separator: ", ")
        throw CLIError("this network needs about \(gigabytes(estimate.total)) of memory to train (\(parts)), "
            + "more than \(Int(share * 100))% of this machine's \(gigabytes(machine.limit)) (\(machine.limitSource)"
            + (machine.available.map { ", \(gigabytes($0)) available now" } ?? "") + "); "
            + "use fewer or narrower --layers or a smaller --batch-size")
    }

    /// Bytes as "12.3 GB" (10⁹ bytes), or "45 MB" below a gigabyte.
    static func gigabytes(_ bytes: Double) -> String {
        bytes >= 1e9 ? String(format: "%.1f GB", bytes / 1e9) : String(format: "%.0f MB", bytes / 1e6)
    }
}
