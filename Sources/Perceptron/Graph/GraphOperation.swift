/// One operation of the graph, its value and its chain rule side by side.
///
/// ```
/// forward:   Y = f(A₀, A₁, …)
/// backward:  ∂Aᵢ += (∂Y/∂Aᵢ)ᵀ · G        G = ∂L/∂Y, the upstream gradient
/// ```
/// A new operation is one type conforming to this protocol (one file under
/// `Graph/Operations/`) plus a builder function; the ``Session`` runs it and backpropagates
/// through it with no other change. Operations are values: they hold their settings (an
/// activation, a reduction axis), never per-run state.
public protocol GraphOperation: Sendable {
    /// The default-name stem, e.g. "matmul" in "matmul_3".
    var stem: String { get }
    /// The number of inputs the operation takes.
    var arity: Int { get }
    /// Computes Y from the operands' values into `out` (resizing it as needed).
    /// - Throws: ``GraphOperationShapeError`` when the operands' shapes cannot be combined;
    ///   the session reports it as ``GraphError/shapeMismatch(node:operation:shapes:)``.
    func forward(_ operands: [Matrix], into out: inout Matrix) throws
    /// Adds the contribution of this operation to the gradient of operand `slot`:
    /// `target += (∂Y/∂A_slot)ᵀ · gradient`. `target` has the operand's shape; `value` is Y;
    /// `scratch` is a workspace the operation may resize and overwrite.
    func backward(slot: Int, gradient: Matrix, operands: [Matrix], value: Matrix,
                  into target: inout Matrix, scratch: inout Matrix)
}

/// Operand shapes an operation cannot combine, in words ("3×4 and 2×2: inner dimensions
/// 4 and 2 differ"); the session adds the node's name.
public struct GraphOperationShapeError: Error, Sendable, Equatable {
    public let shapes: String
    public init(_ shapes: String) { self.shapes = shapes }

    /// "3×4 and 2×2 " followed by `reason`.
    static func describing(_ operands: [Matrix], _ reason: String) -> GraphOperationShapeError {
        GraphOperationShapeError(operands.map { "\($0.rows)×\($0.columns)" }.joined(separator: " and ") + reason)
    }
}

extension Matrix {
    /// self[k] += f(x[k], z[k]) for every element: the accumulation step of most backward rules.
    mutating func addElementwise(_ x: Matrix, _ z: Matrix, _ f: (Float, Float) -> Float) {
        x.withUnsafeBufferPointer { px in
            z.withUnsafeBufferPointer { pz in
                withUnsafeMutableBufferPointer { pt in
                    for k in pt.indices { pt[k] += f(px[k], pz[k]) }
                }
            }
        }
    }
}
