import Foundation

/// The elementwise functions of one operand that are not activations.
///
/// ```
/// negative   Y = −A          ∂A = −G
/// log        Y = log A       ∂A = G ⊘ A        (log 0 = −∞, as numpy)
/// exp        Y = exp A       ∂A = G ⊙ Y
/// square     Y = A²          ∂A = 2·G ⊙ A
/// ```
public struct ElementwiseUnary: GraphOperation, Equatable {
    public enum Function: String, Sendable { case negative, log, exp, square }
    public let function: Function
    public init(_ function: Function) { self.function = function }

    public var stem: String { function.rawValue }
    public var arity: Int { 1 }

    public func forward(_ operands: [Matrix], into out: inout Matrix) throws {
        switch function {
        case .negative: operands[0].map(into: &out) { -$0 }
        case .log: operands[0].map(into: &out) { Foundation.log($0) }
        case .exp: operands[0].map(into: &out) { Foundation.exp($0) }
        case .square: operands[0].map(into: &out) { $0 * $0 }
        }
    }

    public func backward(slot: Int, gradient g: Matrix, operands: [Matrix], value y: Matrix,
                         into t: inout Matrix, scratch: inout Matrix) {
        switch function {
        case .negative: t.addElementwise(g, g) { gk, _ in -gk }
        case .log: t.addElementwise(g, operands[0]) { gk, ak in gk / ak }
        case .exp: t.addElementwise(g, y) { gk, yk in gk * yk }
        case .square: t.addElementwise(g, operands[0]) { gk, ak in 2 * ak * gk }
        }
    }
}

extension GraphOperation where Self == ElementwiseUnary {
    public static var negative: ElementwiseUnary { ElementwiseUnary(.negative) }
    public static var log: ElementwiseUnary { ElementwiseUnary(.log) }
    public static var exp: ElementwiseUnary { ElementwiseUnary(.exp) }
    public static var square: ElementwiseUnary { ElementwiseUnary(.square) }
}
