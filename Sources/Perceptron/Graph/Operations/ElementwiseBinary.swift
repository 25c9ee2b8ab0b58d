/// The elementwise binary operations, broadcasting 2-D shapes as numpy does (each
/// dimension agrees or is 1: a 1 × n bias row, an m × 1 column, a 1 × 1 scalar).
///
/// ```
/// add        Y = A + B        ∂A = G          ∂B = G
/// subtract   Y = A − B        ∂A = G          ∂B = −G
/// multiply   Y = A ⊙ B        ∂A = G ⊙ B      ∂B = G ⊙ A
/// divide     Y = A ⊘ B        ∂A = G ⊘ B      ∂B = −G ⊙ Y ⊘ B
/// ```
/// A broadcast operand gets its gradient summed over the dimensions it was stretched along.
public struct ElementwiseBinary: GraphOperation, Equatable {
    public enum Function: String, Sendable { case add, subtract, multiply, divide }
    public let function: Function
    public init(_ function: Function) { self.function = function }

    public var stem: String { function.rawValue }
    public var arity: Int { 2 }

    public func forward(_ operands: [Matrix], into out: inout Matrix) throws {
        let (a, b) = (operands[0], operands[1])
        guard let shape = Broadcast(a, b) else { throw GraphOperationShapeError.describing(operands, " do not broadcast") }
        switch function {
        case .add: shape.combine(a, b, into: &out, +)
        case .subtract: shape.combine(a, b, into: &out, -)
        case .multiply: shape.combine(a, b, into: &out, *)
        case .divide: shape.combine(a, b, into: &out, /)
        }
    }

    public func backward(slot: Int, gradient g: Matrix, operands: [Matrix], value y: Matrix,
                         into t: inout Matrix, scratch: inout Matrix) {
        let shape = Broadcast(operands[0], operands[1])!
        // `other` is the operand not being differentiated; for ∂B of a divide it is B itself.
        let other = function == .divide ? operands[1] : operands[1 - slot]
        let (or, oc) = Broadcast.strides(other)
        g.withUnsafeBufferPointer { pg in
            other.withUnsafeBufferPointer { po in
                y.withUnsafeBufferPointer { py in
                    switch (function, slot) {
                    case (.add, _), (.subtract, 0):
                        shape.accumulate(into: &t) { _, _, k in pg[k] }
                    case (.subtract, _):
                        shape.accumulate(into: &t) { _, _, k in -pg[k] }
                    case (.multiply, _):
                        shape.accumulate(into: &t) { r, c, k in pg[k] * po[r * or + c * oc] }
                    case (.divide, 0):
                        shape.accumulate(into: &t) { r, c, k in pg[k] / po[r * or + c * oc] }
                    case (.divide, _):   // ∂B = −G ⊙ Y ⊘ B
                        shape.accumulate(into: &t) { r, c, k in -pg[k] * py[k] / po[r * or + c * oc] }
                    }
                }
            }
        }
    }
}

extension GraphOperation where Self == ElementwiseBinary {
    public static var add: ElementwiseBinary { ElementwiseBinary(.add) }
    public static var subtract: ElementwiseBinary { ElementwiseBinary(.subtract) }
    public static var multiply: ElementwiseBinary { ElementwiseBinary(.multiply) }
    public static var divide: ElementwiseBinary { ElementwiseBinary(.divide) }
}
