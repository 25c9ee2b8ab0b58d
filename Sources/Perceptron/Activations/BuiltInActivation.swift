import CPerceptronKernels
import Foundation

/// The built-in activation functions `a = f(z)`, applied elementwise (softmax: row-wise),
/// reached through ``Activation`` (`.relu`, `.sigmoid`, …).
///
/// Each case's value and derivative are written once, here; the dense layers and the
/// computational graph both use them. Every form is stable for |z| up to 1e4 and beyond:
/// no overflow, no NaN. The buffer forms (`apply(_:into:)`, `backward`) switch once per
/// call and then run one tight loop over the whole matrix, so dispatching through
/// ``Activation`` costs one call per layer, never one per element.
///
/// | case | f(z) | f′(z) |
/// |---|---|---|
/// | linear | z | 1 |
/// | sigmoid | σ(z) = 1 / (1 + e⁻ᶻ) | a·(1 − a) |
/// | tanh | tanh z | 1 − a² |
/// | relu | max(0, z) | 1 if z > 0 else 0 |
/// | leakyReLU | z if z > 0 else 0.01·z | 1 if z > 0 else 0.01 |
/// | elu | z if z > 0 else eᶻ − 1 | 1 if z > 0 else a + 1 |
/// | gelu | z·Φ(z) = ½·z·(1 + erf(z/√2)) | Φ(z) + z·φ(z) |
/// | softplus | log(1 + eᶻ) | σ(z) |
/// | softmax | eᶻⁱ / Σⱼ eᶻʲ (row-wise) | ∂L/∂zᵢ = aᵢ·(gᵢ − Σⱼ gⱼ·aⱼ) |
///
/// Slopes follow PyTorch's defaults: leaky ReLU 0.01, ELU α = 1, GELU in its exact
/// (erf) form, and ReLU′(0) = 0.
enum BuiltInActivation: String, CaseIterable, ActivationFunction {
    case linear, sigmoid, tanh, relu, leakyReLU, elu, gelu, softplus, softmax

    /// The registered name: the case's name (`leakyReLU`), as model files store it.
    var name: String { rawValue }

    /// Whether the function acts on each element alone (every case but softmax).
    var isElementwise: Bool { self != .softmax }

    /// f(z) for one element. Not defined for softmax, which needs the whole row.
    @inline(__always)
    func value(_ z: Float) -> Float {
        switch self {
        case .linear: return z
        case .sigmoid: return Activation.logistic(z)
        case .tanh: return Foundation.tanh(z)
        case .relu: return z > 0 ? z : 0
        case .leakyReLU: return z > 0 ? z : Activation.leakyReLUSlope * z
        case .elu: return z > 0 ? z : Foundation.expm1(z)
        case .gelu: return 0.5 * z * (1 + Foundation.erf(z * 0.707_106_78))
        case .softplus: return Swift.max(z, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(z)))
        case .softmax: preconditionFailure("softmax is row-wise; use apply(_:into:)")
        }
    }

    /// f′(z) for one element, from the input `z` and the output `a = f(z)` (whichever is cheaper).
    @inline(__always)
    func derivative(z: Float, a: Float) -> Float {
        switch self {
        case .linear: return 1
        case .sigmoid: return a * (1 - a)
        case .tanh: return 1 - a * a
        case .relu: return z > 0 ? 1 : 0
        case .leakyReLU: return z > 0 ? 1 : Activation.leakyReLUSlope
        case .elu: return z > 0 ? 1 : a + 1
        case .gelu:
            let cdf = 0.5 * (1 + Foundation.erf(z * 0.707_106_78))
            let pdf = 0.398_942_28 * Foundation.exp(-0.5 * z * z)
            return cdf + z * pdf
        case .softplus: return Activation.logistic(z)
        case .softmax: preconditionFailure("softmax has a full Jacobian; use backward(outputGradient:input:output:into:)")
        }
    }

    /// Writes `f(z)` into `a` (resized to z's shape).
    func apply(_ z: Matrix, into a: inout Matrix) {
        switch self {
        case .softmax: z.softmaxRows(into: &a)
        case .linear: z.map(into: &a) { $0 }
        case .relu:
            if a.rows != z.rows || a.columns != z.columns { a.resize(rows: z.rows, columns: z.columns) }
            z.withUnsafeBufferPointer { zp in
                a.withUnsafeMutableBufferPointer { ap in
                    if let z = zp.baseAddress, let a = ap.baseAddress { ParallelKernels.relu(zp.count, z, a) }
                }
            }
        case .sigmoid: z.map(into: &a) { Activation.logistic($0) }
        default: z.map(into: &a) { self.value($0) }
        }
    }

    /// The vector–Jacobian product: given `g = ∂L/∂a`, writes `∂L/∂z` into `result`.
    ///
    /// ```
    /// elementwise:  ∂L/∂zᵢⱼ = gᵢⱼ · f′(zᵢⱼ)
    /// softmax:      ∂L/∂zᵢⱼ = aᵢⱼ · (gᵢⱼ − Σₖ gᵢₖ·aᵢₖ)
    /// ```
    func backward(outputGradient g: Matrix, input z: Matrix, output a: Matrix, into result: inout Matrix) {
        precondition(g.rows == z.rows && g.columns == z.columns && a.rows == z.rows && a.columns == z.columns,
                     "Activation backward shapes differ: g \(g.rows)×\(g.columns), z \(z.rows)×\(z.columns), a \(a.rows)×\(a.columns)")
        if result.rows != z.rows || result.columns != z.columns { result.resize(rows: z.rows, columns: z.columns) }
        let (rows, columns) = (z.rows, z.columns)
        g.withUnsafeBufferPointer { gp in
            z.withUnsafeBufferPointer { zp in
                a.withUnsafeBufferPointer { ap in
                    result.withUnsafeMutableBufferPointer { out in
                        switch self {
                        case .softmax:
                            for i in 0..<rows {
                                let row = i * columns
                                var dot: Float = 0
                                for j in 0..<columns { dot += gp[row + j] * ap[row + j] }
                                for j in 0..<columns { out[row + j] = ap[row + j] * (gp[row + j] - dot) }
                            }
                        case .linear:
                            for i in 0..<gp.count { out[i] = gp[i] }
                        case .relu:
                            if let g = gp.baseAddress, let z = zp.baseAddress, let o = out.baseAddress {
                                ParallelKernels.reluBackward(gp.count, g, z, o)
                            }
                        case .sigmoid:
                            for i in 0..<gp.count { out[i] = gp[i] * ap[i] * (1 - ap[i]) }
                        case .tanh:
                            for i in 0..<gp.count { out[i] = gp[i] * (1 - ap[i] * ap[i]) }
                        default:
                            for i in 0..<gp.count { out[i] = gp[i] * derivative(z: zp[i], a: ap[i]) }
                        }
                    }
                }
            }
        }
    }
}
