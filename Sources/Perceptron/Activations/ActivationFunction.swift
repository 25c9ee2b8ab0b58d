/// An activation function over whole buffers: what ``Activation`` dispatches to, once per
/// layer call.
///
/// ```
/// apply:     a = f(z)                          (resize a to z's shape)
/// backward:  ∂L/∂z = vjp(g = ∂L/∂a, z, a)      elementwise: gᵢⱼ · f′(zᵢⱼ)
/// ```
/// A new activation is one type conforming to this protocol (or, simpler, to
/// ``ElementwiseActivation``) and one registration line,
/// `try ActivationRegistry.register(MyActivation())`, after which it is saved in model
/// files by ``name`` and loaded back (see `Tests/PerceptronExtensionTests`).
///
/// Implementations work on whole matrices, so the hot loop has no per-element dynamic
/// dispatch: ``Activation`` calls `apply` once per forward pass of a layer.
public protocol ActivationFunction: Sendable {
    /// The name it is registered and saved under (`"relu"`, `"swish"`); unique per registry.
    var name: String { get }
    /// Whether each output element depends on its input element alone (softmax: false).
    var isElementwise: Bool { get }
    /// Writes `f(z)` into `a`, resizing `a` to z's shape.
    func apply(_ z: Matrix, into a: inout Matrix)
    /// Given `g = ∂L/∂a` (and the forward pass's `z` and `a`), writes `∂L/∂z` into `result`,
    /// resizing it to z's shape.
    func backward(outputGradient g: Matrix, input z: Matrix, output a: Matrix, into result: inout Matrix)
}

extension ActivationFunction {
    public var isElementwise: Bool { true }
}

/// An activation given by its value and derivative at one element: the buffer loops come
/// from the default implementations (inlinable, so they are specialized for the conforming
/// type and call `value` and `derivative` directly).
///
/// ```
/// a = f(z)        ∂L/∂z = ∂L/∂a · f′(z, a)
/// ```
public protocol ElementwiseActivation: ActivationFunction {
    /// f(z).
    func value(_ z: Float) -> Float
    /// f′(z), given the input `z` and the output `a = f(z)` (use whichever is cheaper).
    func derivative(z: Float, a: Float) -> Float
}

extension ElementwiseActivation {
    @inlinable
    public func apply(_ z: Matrix, into a: inout Matrix) {
        z.map(into: &a) { value($0) }
    }

    @inlinable
    public func backward(outputGradient g: Matrix, input z: Matrix, output a: Matrix, into result: inout Matrix) {
        precondition(g.rows == z.rows && g.columns == z.columns && a.rows == z.rows && a.columns == z.columns,
                     "Activation backward shapes differ: g \(g.rows)×\(g.columns), z \(z.rows)×\(z.columns), a \(a.rows)×\(a.columns)")
        if result.rows != z.rows || result.columns != z.columns { result.resize(rows: z.rows, columns: z.columns) }
        g.withUnsafeBufferPointer { gp in
            z.withUnsafeBufferPointer { zp in
                a.withUnsafeBufferPointer { ap in
                    result.withUnsafeMutableBufferPointer { out in
                        for i in 0..<gp.count { out[i] = gp[i] * derivative(z: zp[i], a: ap[i]) }
                    }
                }
            }
        }
    }
}
