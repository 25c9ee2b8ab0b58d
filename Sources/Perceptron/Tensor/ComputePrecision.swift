import CPerceptronKernels
import Foundation

/// The number format of the matrix products in a training step.
///
/// - ``float32``: every product in fp32 (the default).
/// - ``bfloat16``: mixed precision. The operands of the training GEMMs (forward `X·W`,
///   backward `δ·Wᵀ` and `Xᵀ·δ`) are rounded to bf16 (8-bit significand, round to
///   nearest even) and their products accumulated in fp32 (`vdpbf16ps`, AVX512_BF16, or
///   `tdpbf16ps` on Intel AMX where the CPU has it: ``BF16GEMM/Kernel``):
///
///   ```
///   C = Σₚ bf16(A[i,p])·bf16(B[p,j])   (fp32 sums)
///   ```
///   Everything else stays fp32: the master weights and optimizer state, the bias,
///   activations, loss and softmax, and the saved model. Predictions and evaluation run
///   in fp32 whatever the training precision.
///
/// bf16 needs a CPU with AVX512_BF16 (AMD Zen 4 and later, Intel Cooper Lake and
/// Sapphire Rapids and later): check ``isSupported``; compiling for an unsupported
/// precision throws ``PerceptronError/unsupportedPrecision(precision:reason:)``.
public enum ComputePrecision: String, Sendable, CaseIterable, Codable {
    case float32 = "fp32"
    case bfloat16 = "bf16"

    /// Whether this CPU (and this process) can run the precision.
    public var isSupported: Bool { unsupportedReason == nil }

    /// Why the precision cannot run here, or nil when it can.
    ///
    /// The environment variable `PERCEPTRON_DISABLE_BF16=1` makes bf16 unsupported, to
    /// try the fp32 fallback on a CPU that has BF16.
    public var unsupportedReason: String? {
        switch self {
        case .float32:
            return nil
        case .bfloat16:
            if ComputePrecision.bf16DisabledByEnvironment {
                return "PERCEPTRON_DISABLE_BF16 is set"
            }
            if !ComputePrecision.cpuHasBF16 {
                return "this CPU lacks AVX512_BF16 (bf16 dot products); it needs AMD Zen 4 or Intel Cooper Lake / Sapphire Rapids or later"
            }
            return nil
        }
    }

    /// The precision itself when supported, otherwise ``float32``.
    public var orFloat32Fallback: ComputePrecision { isSupported ? self : .float32 }

    /// Whether the CPU has AVX512_BF16 (read once; the GEMM checks this, not the environment).
    static let cpuHasBF16 = pk_cpu_has_avx512_bf16() != 0

    private static var bf16DisabledByEnvironment: Bool { isSet(environmentFlag: "PERCEPTRON_DISABLE_BF16") }

    /// Whether an on/off environment variable is on: set to anything but "", "0", "false"
    /// or "no" (any case).
    static func isSet(environmentFlag name: String) -> Bool {
        guard let value = ProcessInfo.processInfo.environment[name] else { return false }
        return !["", "0", "false", "no"].contains(value.lowercased())
    }
}
