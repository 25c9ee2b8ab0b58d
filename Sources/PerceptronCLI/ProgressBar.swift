import Foundation
import Perceptron
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Training progress on standard error: on a terminal, one line redrawn at most ten times
/// a second (epoch, a bar over the epoch's batches, ETA, loss and metrics); otherwise
/// plain lines, one per epoch (at most about 20 of them).
final class ProgressBar {
    private let live: Bool
    private var plan: TrainingPlan?
    private var lastDraw = -1.0
    private var lastWidth = 0

    init(live: Bool = isatty(STDERR_FILENO) == 1) {
        self.live = live
    }

    /// The callback to pass to `fit`.
    func callback() -> ProgressCallback {
        ProgressCallback { [self] event in handle(event) }
    }

    private func handle(_ event: ProgressCallback.Event) {
        switch event {
        case .began(let plan):
            self.plan = plan
            lastDraw = -1
        case .batch(let logs):
            // The only per-batch work when nothing is drawn: one comparison.
            guard live, logs.elapsed - lastDraw >= 0.1 else { return }
            lastDraw = logs.elapsed
            draw(epoch: logs.epoch, batch: logs.batch + 1, batchCount: logs.batchCount, values: logs.values, elapsed: logs.elapsed)
        case let .epoch(logs, epochs):
            if live {
                let batches = plan?.batchesPerEpoch ?? 1
                draw(epoch: logs.epoch, batch: batches, batchCount: batches, values: logs.values, elapsed: logs.elapsed)
            } else {
                let every = max(1, epochs / 20)
                if (logs.epoch + 1) % every == 0 || logs.epoch + 1 == epochs || logs.epoch == 0 {
                    printError("epoch \(logs.epoch + 1)/\(epochs)  \(String(format: "%.1fs", logs.elapsed))  \(Self.format(logs.values))")
                }
            }
        case .ended:
            if live && lastWidth > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
            lastWidth = 0
        }
    }

    private func draw(epoch: Int, batch: Int, batchCount: Int, values: [String: Float], elapsed: Double) {
        guard let plan else { return }
        let done = Double(epoch * plan.batchesPerEpoch + batch)
        let total = Double(max(plan.epochs * plan.batchesPerEpoch, 1))
        let eta = done > 0 ? elapsed * (total - done) / done : 0
        let cells = 24
        let filled = min(cells, Int(Double(cells) * Double(batch) / Double(max(batchCount, 1))))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: cells - filled)
        let epochText = "epoch \(epoch + 1)/\(plan.epochs)"
        let line = "\(epochText) \(bar) \(batch)/\(batchCount)  ETA \(Self.clock(eta))  \(Self.format(values))"
        let padding = String(repeating: " ", count: max(0, lastWidth - line.count))
        FileHandle.standardError.write(Data(("\r" + line + padding).utf8))
        lastWidth = line.count
    }

    /// "loss 0.4321  accuracy 0.8123  val_loss …", loss first.
    static func format(_ values: [String: Float]) -> String {
        values.filter { $0.key != "lr" }
            .sorted { ($0.key.hasPrefix("val_") ? 1 : 0, $0.key == "loss" || $0.key == "val_loss" ? 0 : 1, $0.key)
                    < ($1.key.hasPrefix("val_") ? 1 : 0, $1.key == "loss" || $1.key == "val_loss" ? 0 : 1, $1.key) }
            .map { "\($0.key) \(String(format: "%.4f", $0.value))" }
            .joined(separator: "  ")
    }

    /// m:ss or h:mm:ss.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
