/// The matrix product, computed by the core GEMM both ways.
///
/// ```
/// Y = A·B        ∂A = G·Bᵀ        ∂B = Aᵀ·G
/// ```
public struct MatrixProduct: GraphOperation {
    public init() {}
    public var stem: String { "matmul" }
    public var arity: Int { 2 }

    public func forward(_ operands: [Matrix], into out: inout Matrix) throws {
        let (a, b) = (operands[0], operands[1])
        guard a.columns == b.rows else {
            throw GraphOperationShapeError.describing(operands, ": inner dimensions \(a.columns) and \(b.rows) differ")
        }
        Matrix.multiply(a, b, into: &out)
    }

    public func backward(slot: Int, gradient g: Matrix, operands: [Matrix], value: Matrix,
                         into target: inout Matrix, scratch: inout Matrix) {
        if slot == 0 {
            Matrix.multiply(g, operands[1], transposeB: true, beta: 1, into: &target)   // ∂A += G·Bᵀ
        } else {
            Matrix.multiply(operands[0], g, transposeA: true, beta: 1, into: &target)   // ∂B += Aᵀ·G
        }
    }
}

extension GraphOperation where Self == MatrixProduct {
    /// `A·B`.
    public static var matmul: MatrixProduct { MatrixProduct() }
}
