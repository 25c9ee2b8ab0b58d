import ArgumentParser
import Perceptron
import Synchronization

extension ComputePrecision: ExpressibleByArgument {}

/// `--precision fp32|bf16`: the number format of the training products (see
/// ``ComputePrecision``). Where the CPU cannot run bf16, training says so on standard
/// error and runs in fp32.
struct PrecisionOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The training products' precision: fp32, or bf16 (bf16 operands, fp32 sums, with AVX512_BF16; weights, optimizer, loss and the saved model stay fp32; falls back to fp32 with a message where the CPU lacks BF16).",
        valueName: "precision"))
    var precision: ComputePrecision = .float32

    /// Whether the fallback message was printed already (cross-validation builds a network per fold).
    private static let warned = Atomic<Bool>(false)

    /// The precision to train in: the one asked for, or fp32 (with a message) when this CPU cannot run it.
    func resolved() -> ComputePrecision {
        guard let reason = precision.unsupportedReason else { return precision }
        if !Self.warned.exchange(true, ordering: .relaxed) {
            printError("warning: --precision \(precision.rawValue) is not available: \(reason). Training in fp32.")
        }
        return .float32
    }
}
