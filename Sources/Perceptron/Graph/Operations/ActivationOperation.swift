/// Any ``Activation`` (sigmoid, tanh, relu, softmax, …) as a graph operation. Its value and
/// its derivative come from the one table the layers use.
///
/// ```
/// Y = f(A)        ∂A = Activation.backward(G, A, Y)
/// ```
public struct ActivationOperation: GraphOperation, Equatable {
    public let function: Activation
    public init(_ function: Activation) { self.function = function }

    public var stem: String { function.rawValue }
    public var arity: Int { 1 }

    public func forward(_ operands: [Matrix], into out: inout Matrix) throws {
        function.apply(operands[0], into: &out)
    }

    public func backward(slot: Int, gradient g: Matrix, operands: [Matrix], value y: Matrix,
                         into t: inout Matrix, scratch: inout Matrix) {
        function.backward(outputGradient: g, input: operands[0], output: y, into: &scratch)
        t.addElementwise(scratch, scratch) { sk, _ in sk }
    }
}

extension GraphOperation where Self == ActivationOperation {
    public static func activation(_ function: Activation) -> ActivationOperation { ActivationOperation(function) }
}
